"""Telegram webhooks: updates arrive at the web server, each handled inside its request, the
secret checked, a redelivered update dropped, and ballots counted exactly once (on SQLite and
on PostgreSQL: conftest's ``database_url``)."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.app import Runtime, build_application, open_runtime, serve_webhook
from bot.settings import Settings
from standin import BotApiStandin
from tests.conftest import SIMPLE_POLL, TOKEN, make_settings, vote
from tests.stored import rows
from tests.webclient import free_port

SECRET = "webhook-secret-0123456789"


@contextlib.asynccontextmanager
async def _webhook_markbot(
    standin: BotApiStandin,
    tmp_path: Path,
    database_url: str | None,
    prepare: Callable[[Runtime], Awaitable[None]] | None = None,
    wait_seconds: float = 4.0,
    **extra: Any,
) -> AsyncIterator[tuple[Settings, asyncio.Task[None]]]:
    """markbot serving webhooks on a free port with the test poll open; ``prepare`` runs on
    the runtime before serving starts (a patched store, a dead process's lease). Yields once
    the webhook is set or serving has ended, whichever comes first."""
    port = free_port()
    settings = make_settings(
        tmp_path,
        database_url,
        api_url=standin.base_url,
        web_port=port,
        webhook_url=f"http://127.0.0.1:{port}/telegram/hook",
        webhook_secret=SECRET,
        **extra,
    )
    runtime = await open_runtime(settings)
    poll = runtime.services.polls.parse(SIMPLE_POLL, "t.yaml")
    await runtime.services.polls.create(poll, status="open")
    if prepare is not None:
        await prepare(runtime)
    app = build_application(settings, TOKEN, runtime.services, webhook=True)
    stop = asyncio.Event()
    task = asyncio.create_task(serve_webhook(app, settings, runtime, stop))
    for _ in range(int(wait_seconds / 0.02)):
        if standin.webhook_url or task.done():
            break
        await asyncio.sleep(0.02)
    try:
        yield settings, task
    finally:
        stop.set()
        await task
        await runtime.close()


@pytest.fixture
async def hooked(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Settings]:
    async with _webhook_markbot(standin, tmp_path, database_url, webhook_max_connections=10) as (
        settings,
        _,
    ):
        yield settings


async def _count(settings: Settings, table: str, update_id: int | None = None) -> int:
    """How many rows the table holds (of this Telegram update, if given), read beside the
    running markbot."""
    if update_id is None:
        return len(await rows(settings, table))
    return sum(r == (update_id,) for r in await rows(settings, table, "update_id"))


async def test_set_webhook_asks_for_what_markbot_needs(
    standin: BotApiStandin, hooked: Settings
) -> None:
    params = standin.webhook_params
    assert params["url"] == hooked.webhook_url
    assert params["secret_token"] == SECRET
    assert set(params["allowed_updates"]) == {
        "message",
        "edited_message",
        "callback_query",
        "channel_post",
    }
    assert int(params["max_connections"]) == 10


async def test_voters_through_the_webhook_count_exactly_once(
    standin: BotApiStandin, hooked: Settings
) -> None:
    users = [standin.user(5000 + i) for i in range(6)]
    endings = await asyncio.gather(
        *(vote(u, "test-poll", ["16-18", "North", "Climate"]) for u in users)
    )
    assert all("counted" in e for e in endings)
    assert await _count(hooked, "ballots") == 6
    # Telegram delivers the same updates again (a retry after a lost answer): dropped.
    delivered = [u for u, status in standin.deliveries if status == 200]
    calls_before = len(standin.calls)
    for update_id in delivered[-10:]:
        standin.redeliver(
            {
                "update_id": update_id,
                "message": {
                    "message_id": 99,
                    "date": 0,
                    "chat": {"id": 5000, "type": "private"},
                    "from": {"id": 5000, "is_bot": False, "first_name": "A"},
                    "text": "/start test-poll",
                    "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
                },
            }
        )
    await standin.wait_idle(10)
    sends = [c for c in standin.calls[calls_before:] if c.method == "sendMessage"]
    assert sends == []  # nothing answered twice
    assert await _count(hooked, "ballots") == 6
    assert await _count(hooked, "telegram_updates") >= len(set(delivered))


async def test_a_wrong_or_missing_secret_changes_nothing(
    standin: BotApiStandin, hooked: Settings
) -> None:
    update = {
        "update_id": 777,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 42, "type": "private"},
            "from": {"id": 42, "is_bot": False, "first_name": "X"},
            "text": "/start test-poll",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    assert hooked.webhook_url is not None
    async with aiohttp.ClientSession() as http:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong-secret-0123456789"}):
            async with http.post(hooked.webhook_url, json=update, headers=headers) as r:
                assert r.status == 403
        good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with http.post(hooked.webhook_url, data=b"not json", headers=good) as r:
            assert r.status == 400
    await asyncio.sleep(0.2)
    assert not [c for c in standin.calls if c.params.get("chat_id") == 42]
    assert await _count(hooked, "telegram_updates", 777) == 0


async def test_an_update_that_fails_is_released_and_its_redelivery_handled(
    standin: BotApiStandin, hooked: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim is taken before handling; when handling raises (here, reading the update
    fails once, as a lost database connection would), Telegram gets a 500 and the claim is
    given up, so the redelivery is handled."""
    import bot.app

    real, failed = bot.app.clean_data, []

    def clean_once(data: Any) -> Any:
        if not failed:
            failed.append(data["update_id"])
            raise ConnectionResetError("lost")
        return real(data)

    monkeypatch.setattr(bot.app, "clean_data", clean_once)
    standin.user(43)  # a chat the stand-in knows
    update = {
        "update_id": 888,
        "message": {
            "message_id": 1,
            "date": 0,
            "chat": {"id": 43, "type": "private"},
            "from": {"id": 43, "is_bot": False, "first_name": "X"},
            "text": "/start test-poll",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }
    good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
    assert hooked.webhook_url is not None
    async with aiohttp.ClientSession() as http:
        async with http.post(hooked.webhook_url, json=update, headers=good) as r:
            assert r.status == 500
        assert failed == [888]
        assert await _count(hooked, "telegram_updates", 888) == 0
        async with http.post(hooked.webhook_url, json=update, headers=good) as r:
            assert r.status == 200  # Telegram's redelivery
        async with http.post(hooked.webhook_url, json=update, headers=good) as r:
            assert r.status == 200  # and once more: dropped
    sends = [c for c in standin.calls if c.params.get("chat_id") == 43]
    assert len([c for c in sends if c.method == "sendMessage"]) == 1
    assert await _count(hooked, "telegram_updates", 888) == 1


async def test_an_update_handled_elsewhere_is_answered_busy_for_telegram_to_retry() -> None:
    """The route's side of claim_update: handled or done is 200, busy elsewhere is 503 with
    Retry-After (Telegram delivers it again later), a wrong secret 403 and nothing handled."""
    from aiohttp.test_utils import TestClient, TestServer

    from handlers.web.telegram import SECRET_HEADER, webhook_app

    answers = iter([True, False])
    seen: list[int] = []

    async def process(data: dict[str, Any]) -> bool:
        seen.append(data["update_id"])
        return next(answers)

    async with TestClient(TestServer(webhook_app("s3cret", process))) as client:
        ok = await client.post("/", json={"update_id": 1}, headers={SECRET_HEADER: "s3cret"})
        busy = await client.post("/", json={"update_id": 1}, headers={SECRET_HEADER: "s3cret"})
        forged = await client.post("/", json={"update_id": 2}, headers={SECRET_HEADER: "nope"})
    assert (ok.status, busy.status, forged.status) == (200, 503, 403)
    assert busy.headers["Retry-After"] == "5"
    assert seen == [1, 1]


async def test_a_large_update_is_taken_on_the_web_server_and_a_large_form_is_not(
    tmp_path: Path,
) -> None:
    """The webhook takes updates up to MAX_UPDATE_BYTES (a long text replying to another, with
    entities, in escaped JSON, can pass 64 KB; refusing it would have Telegram retry it for
    ever and hold back that chat), while the ballot's pages keep their 64 KB limit."""
    from aiohttp.test_utils import TestClient, TestServer

    from handlers.web.server import MAX_REQUEST_BYTES, build_web_app
    from handlers.web.telegram import MAX_UPDATE_BYTES, SECRET_HEADER

    settings = Settings(
        db=tmp_path / "markbot.db",
        key_file=tmp_path / "k" / "markbot.key",
        _env_file=None,  # type: ignore[call-arg]
    )
    runtime = await open_runtime(settings)
    seen: list[int] = []

    async def process(update: dict[str, Any]) -> bool:
        seen.append(update["update_id"])
        return True

    text = "\U0001f600" * 2048  # 4,096 UTF-16 units: Telegram's longest text
    reply = {"message_id": 1, "date": 0, "chat": {"id": 42, "type": "private"}, "text": text}
    update = {"update_id": 9, "message": {**reply, "message_id": 2, "reply_to_message": reply}}
    body = json.dumps(update).encode()  # escaped, as Telegram sends it
    assert MAX_REQUEST_BYTES < len(body) * 2 < MAX_UPDATE_BYTES
    body = json.dumps({**update, "padding": "x" * len(body)}).encode()
    app = build_web_app(
        runtime.services, runtime.key, public_url=None, webhook=("/hook", SECRET, process)
    )
    try:
        async with TestClient(TestServer(app)) as client:
            headers = {SECRET_HEADER: SECRET, "Content-Type": "application/json"}
            async with client.post("/hook", data=body, headers=headers) as r:
                assert r.status == 200
            huge = json.dumps({**update, "padding": "x" * MAX_UPDATE_BYTES}).encode()
            async with client.post("/hook", data=io.BytesIO(huge), headers=headers) as r:
                assert r.status == 413  # past its own limit: refused, not a traceback
            big_form = {"csrf": "x", "answer": "y" * (MAX_REQUEST_BYTES + 1)}
            async with client.post("/v/test-poll/q/0", data=big_form) as r:
                assert r.status == 413
    finally:
        await runtime.close()
    assert seen == [9]


async def test_a_database_outage_does_not_stop_the_webhook_process(
    standin: BotApiStandin,
    tmp_path: Path,
    database_url: str | None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The database goes away when the process tidies old update numbers (a restart, a
    failover): the process keeps serving, as long polling does, and votes once it is back,
    instead of exiting (with several processes, each would exit at its own tidy)."""
    from storage.records import StorageUnavailable

    tidied: list[int] = []

    async def down_at_first(runtime: Runtime) -> None:
        real = runtime.store.forget_updates

        async def forget(seen_before: int) -> int:
            tidied.append(seen_before)
            if len(tidied) == 1:  # at start-up
                raise StorageUnavailable("the database did not answer (ConnectionRefusedError)")
            return await real(seen_before)

        monkeypatch.setattr(runtime.store, "forget_updates", forget)

    async with _webhook_markbot(standin, tmp_path, database_url, down_at_first) as (
        settings,
        task,
    ):
        await asyncio.sleep(0.2)
        assert tidied and not task.done(), task.done() and task.exception()
        ending = await vote(standin.user(5100), "test-poll", ["16-18", "North", "Climate"])
        assert "counted" in ending
    assert await _count(settings, "ballots") == 1


async def test_a_restart_after_a_kill_mid_post_serves_at_once(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    """A process killed (-9) while posting a contact request to the safeguarding chat leaves
    that job's lease behind for up to a minute. The restarted process serves updates at once
    (the janitor posts what is left once the lease runs out), rather than waiting for the
    lease before it even sets its webhook."""
    import time

    from services.leases import LEASE_SECONDS

    lead = -100777
    standin.group(lead, "Safeguarding leads")
    dead = b"\x01" * 16  # the killed process's lease on posting to the safeguarding chat

    async def leased(runtime: Runtime) -> None:
        now = int(time.time())
        assert await runtime.store.claim_lease("safeguarding-post", dead, now, 60)

    assert LEASE_SECONDS >= 30
    async with _webhook_markbot(
        standin, tmp_path, database_url, leased, wait_seconds=8.0, safeguarding_chat=lead
    ):  # 8 s, well within the dead holder's lease
        assert standin.webhook_url, "the webhook was not set while the old lease lasted"
        ending = await vote(standin.user(5200), "test-poll", ["16-18", "North", "Climate"])
        assert "counted" in ending


async def test_an_update_handled_but_not_marked_done_is_not_answered_twice(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    """The database goes away for a moment just after an update was handled (its writes
    committed, the person answered) and before it is marked done. Telegram gets 200 all the
    same: a 5xx would have it deliver the update again, and once the claim's lease ran out
    the redelivery would be handled again and the person answered twice."""
    from storage.records import StorageUnavailable

    finished: list[int] = []

    async def down_once(runtime: Runtime) -> None:
        real = runtime.store.finish_update

        async def finish(update_id: int) -> None:
            finished.append(update_id)
            if len(finished) == 1:
                raise StorageUnavailable("the database did not answer (ConnectionResetError)")
            await real(update_id)

        runtime.store.finish_update = finish  # type: ignore[method-assign]

    async with _webhook_markbot(
        standin, tmp_path, database_url, down_once, webhook_lease_seconds=2
    ):
        user = standin.user(5300)
        await user.send_command("help")
        await user.next_output()
        await asyncio.sleep(3.5)  # past the claim's lease: a redelivery would be handled
        await standin.wait_idle(10)
    assert len(finished) >= 1
    statuses = [status for _, status in standin.deliveries]
    assert statuses == [200]
    sends = [c for c in standin.calls_to("sendMessage") if c.params.get("chat_id") == 5300]
    assert len(sends) == 1
