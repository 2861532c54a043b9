"""Shared fixtures: a Bot API stand-in, and markbot running against it over real HTTP, on each
backend in turn.

Every test that asks for ``database_url`` (``settings`` and ``markbot`` do) runs twice, as
``[sqlite]`` and ``[postgres]``: None (the SQLite file ``settings.db``), then a fresh, migrated
PostgreSQL database from the session's throwaway cluster (tests/pg.py). A test about SQLite
itself (its single writer, its file, its indexes) says so with ``pytest.mark.sqlite_only("why")``
and runs once. Check what was stored with tests/stored.py
(the store's own ``dump``), not an engine's client.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

# PTB 22 warns (an error here) when it builds RetryAfter unless it may use timedelta.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from bot.app import App, Runtime, build_application, open_runtime, serve
from bot.settings import Settings
from services.pollfile import Poll
from standin import BotApiStandin, FakeUser

pytest_plugins = ["tests.browser", "tests.pg"]  # real browsers; a throwaway PostgreSQL

TOKEN = "123456:TEST-TOKEN"
BACKENDS = ("sqlite", "postgres")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "sqlite_only(reason): runs on SQLite only, for the reason given"
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Each test using ``database_url`` once per backend, unless marked sqlite_only."""
    if "database_url" in metafunc.fixturenames:
        only = metafunc.definition.get_closest_marker("sqlite_only")
        backends = ["sqlite"] if only else list(BACKENDS)
        metafunc.parametrize("database_url", backends, indirect=True)


@pytest.fixture
def database_url(request: pytest.FixtureRequest) -> str | None:
    """``MARKBOT_DATABASE_URL`` for this run: None on SQLite (``Settings.db``, a file in the
    test's folder), a fresh PostgreSQL database's URL on PostgreSQL (dropped after the test)."""
    if getattr(request, "param", "sqlite") == "postgres":  # no param: asked for dynamically
        return request.getfixturevalue("pg_url")
    return None


SIMPLE_POLL = """\
code: test-poll
title: Test poll
intro: Pick what matters most.
outcome: The youth forum will see the results in January.
questions:
  - id: age
    kind: choice
    text: How old are you?
    options: [Under 10, 10-12, 13-15, 16-18, 19-25, Over 25]
    ineligible: [Under 10, Over 25]
    breakdown: true
  - id: area
    kind: choice
    text: Where do you live?
    options: [North, South, Prefer not to say]
    breakdown: true
  - id: priority
    kind: choice
    text: Which one should be the top priority?
    options: [Mental health, Transport, Climate, Jobs]
  - id: why
    kind: text
    text: Why does that matter to you?
    optional: true
"""


@dataclass
class Harness:
    """markbot running on a stand-in: act through ``standin``, inspect ``runtime``."""

    standin: BotApiStandin
    settings: Settings
    runtime: Runtime
    app: App
    stop: asyncio.Event
    task: asyncio.Task[None]

    async def add_poll(
        self, text: str = SIMPLE_POLL, *, status: str = "open", **edits: Any
    ) -> Poll:
        poll = self.runtime.services.polls.parse(text, "test.yaml")
        if edits:
            poll = type(poll).model_validate({**poll.model_dump(), **edits})
        await self.runtime.services.polls.create(poll, status=status)
        return poll

    def user(self, user_id: int = 1001, **kw: Any) -> FakeUser:
        return self.standin.user(user_id, **kw)

    async def shutdown(self) -> None:
        self.stop.set()
        await self.task
        await self.runtime.close()


async def start_markbot(standin: BotApiStandin, settings: Settings) -> Harness:
    """Start markbot and return once it is polling (its start-up calls are done)."""
    runtime = await open_runtime(settings)
    app = build_application(settings, TOKEN, runtime.services)
    stop = asyncio.Event()
    since = len(standin.calls)
    task = asyncio.create_task(serve(app, stop, poll_timeout=1))
    for _ in range(400):
        if any(c.method == "getUpdates" for c in standin.calls[since:]) or task.done():
            break
        await asyncio.sleep(0.01)
    return Harness(standin, settings, runtime, app, stop, task)


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandin]:
    async with BotApiStandin(TOKEN, bot_username="markbot_test_bot") as server:
        yield server


def make_settings(tmp_path: Path, database_url: str | None, **kw: Any) -> Settings:
    """Settings for a test: its database (``database_url``, else ``tmp_path/markbot.db``) and a
    key file in ``tmp_path``; ``kw`` adds or replaces any other setting."""
    values: dict[str, Any] = {
        "db": tmp_path / "markbot.db",
        "database_url": database_url,
        "key_file": tmp_path / "secret" / "markbot.key",
        **kw,
    }
    return Settings(**values, _env_file=None)  # type: ignore[call-arg]


@pytest.fixture
def settings(tmp_path: Path, standin: BotApiStandin, database_url: str | None) -> Settings:
    """The harness's settings, on this run's backend."""
    return make_settings(tmp_path, database_url, api_url=standin.base_url, min_cell=5)


@pytest.fixture
async def markbot(standin: BotApiStandin, settings: Settings) -> AsyncIterator[Harness]:
    harness = await start_markbot(standin, settings)
    try:
        yield harness
    finally:
        await harness.shutdown()


async def to_text_question(user: FakeUser, code: str = "test-poll") -> None:
    """Start SIMPLE_POLL and tap through to its open question ("Why?")."""
    await user.send_command("start", code)
    await user.next_output()
    for label in ("Start", "13-15", "North", "Jobs"):
        await user.press(label)
        await user.next_output()


async def vote(user: FakeUser, code: str, answers: list[str], why: str | None = None) -> str:
    """Take a whole journey by tapping; return the final screen's plain text."""
    await user.send_command("start", code)
    await user.next_output()
    await user.press("Start")
    await user.next_output()
    for label in answers:
        await user.press(label)
        await user.next_output()
    if why is None:
        await user.press("Skip this question")
    else:
        await user.send_text(why)
    await user.next_output()
    await user.press("Send my answers")
    out = await user.next_output()
    return out.plain
