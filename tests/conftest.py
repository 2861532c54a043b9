"""Shared fixtures: a Bot API stand-in, and markbot running against it over real HTTP."""

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


@pytest.fixture
def settings(tmp_path: Path, standin: BotApiStandin) -> Settings:
    return Settings(
        db=tmp_path / "markbot.db",
        key_file=tmp_path / "secret" / "markbot.key",
        api_url=standin.base_url,
        min_cell=5,
        _env_file=None,  # type: ignore[call-arg]
    )


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
