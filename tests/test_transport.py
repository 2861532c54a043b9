"""bot/transport.py: PTB's Bot API calls over aiohttp behave as they do over PTB's httpx."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.transport import AiohttpRequest
from services.outgoing import WATCH
from standin import BotApiStandin, Fault

TOKEN = "123456:TRANSPORT-TEST"


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandin]:
    async with BotApiStandin(TOKEN, bot_username="transport_bot") as server:
        yield server


def aiohttp_bot(base_url: str, base_file_url: str | None = None, **timeouts: float) -> Bot:
    return Bot(
        TOKEN,
        base_url=base_url,
        base_file_url=base_file_url or base_url,
        request=AiohttpRequest(4, **timeouts),
        get_updates_request=AiohttpRequest(1),
    )


async def test_calls_uploads_and_downloads(standin: BotApiStandin) -> None:
    ann = standin.user(2001, "Ann")
    async with aiohttp_bot(standin.base_url, standin.base_file_url) as bot:
        assert (await bot.get_me()).username == "transport_bot"
        sent = await bot.send_message(ann.id, "<b>Hi</b> & bye", parse_mode="HTML")
        assert sent.text == "Hi & bye"
        doc = await bot.send_document(
            ann.id, InputFile(b"a,b\n1,2\n", filename="results.csv"), caption="results"
        )
        assert doc.document is not None and doc.document.file_name == "results.csv"
        file = await bot.get_file(doc.document.file_id)
        assert bytes(await file.download_as_bytearray()) == b"a,b\n1,2\n"
        assert await bot.get_updates(timeout=0) == ()
    files = standin.sent_files()
    assert [(f.filename, f.content, f.caption) for f in files] == [
        ("results.csv", b"a,b\n1,2\n", "results")
    ]
    assert [m["plain"] for m in ann.messages[:1]] == ["Hi & bye"]


async def test_errors_map_to_the_same_exceptions(
    standin: BotApiStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    standin.user(2002)
    faults = [Fault.blocked(), Fault.flood(3)]

    def next_fault(method: str, params: dict[str, object]) -> Fault | None:
        return faults.pop() if method == "sendMessage" and faults else None

    standin.fault = next_fault
    async with aiohttp_bot(standin.base_url) as bot:
        with pytest.raises(RetryAfter) as flood:
            await bot.send_message(2002, "one")
        assert flood.value.retry_after == dt.timedelta(seconds=3)
        with pytest.raises(Forbidden):
            await bot.send_message(2002, "two")
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(999_999, "nobody")
        assert (await bot.send_message(2002, "three")).text == "three"


async def test_network_failures_are_network_errors() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    request = AiohttpRequest(1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        await request.shutdown()


async def test_a_slow_reply_is_timed_out(standin: BotApiStandin) -> None:
    request = AiohttpRequest(1, read_timeout=0.2)
    await request.initialize()
    try:
        # The stand-in holds a long poll of 2 s open; a read timeout of 0.2 s must end it.
        poll = RequestData([RequestParameter.from_input("timeout", 2)])
        with pytest.raises(TimedOut):
            await request.post(f"{standin.base_url}{TOKEN}/getUpdates", poll)
    finally:
        await request.shutdown()


class _Heard:
    """A services/outgoing.RequestWatch that writes down what it hears."""

    def __init__(self) -> None:
        self.said: list[str] = []

    async def going(self) -> None:
        self.said.append("going")

    async def refused(self) -> None:
        self.said.append("refused")


async def test_a_watch_hears_which_requests_may_have_reached_telegram(
    standin: BotApiStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refusals (4xx) and connections never made are "refused"; a success, a timeout or a
    lost connection after the request went out, and a server error are not: the message may
    be there (what safeguarding alerts rely on for their "may have arrived already" label)."""
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    standin.user(2003)
    faults = [
        Fault.server_error(502),
        Fault.reset(applied=True),
        Fault.hold(2, applied=True),
        Fault.blocked(),
        Fault.flood(3),
        None,
    ]

    def next_fault(method: str, params: dict[str, object]) -> Fault | None:
        return faults.pop() if method == "sendMessage" and faults else None

    standin.fault = next_fault
    outcomes: list[tuple[str, list[str]]] = []
    async with aiohttp_bot(standin.base_url, read_timeout=0.5) as bot:
        for _ in range(6):
            heard = _Heard()
            token = WATCH.set(heard)
            try:
                await bot.send_message(2003, "hello")
                outcome = "sent"
            except Exception as exc:  # the type is what is checked
                outcome = type(exc).__name__
            finally:
                WATCH.reset(token)
            outcomes.append((outcome, heard.said))
        await bot.send_message(2003, "unwatched")  # no watch set: nothing to tell
    assert outcomes == [
        ("sent", ["going"]),
        ("RetryAfter", ["going", "refused"]),
        ("Forbidden", ["going", "refused"]),
        ("TimedOut", ["going"]),
        ("NetworkError", ["going"]),
        ("NetworkError", ["going"]),  # 502 Bad Gateway
    ]
    with socket.socket() as sock:  # a port nobody listens on: no connection, nothing sent
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    request = AiohttpRequest(1)
    await request.initialize()
    heard = _Heard()
    token = WATCH.set(heard)
    try:
        with pytest.raises(NetworkError):
            await request.post(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe")
    finally:
        WATCH.reset(token)
        await request.shutdown()
    assert heard.said == ["going", "refused"]


async def test_proxy_variables_are_read_once_and_honoured(
    standin: BotApiStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        dead = sock.getsockname()[1]
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{dead}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    blocked = aiohttp_bot(standin.base_url)
    with pytest.raises(NetworkError, match=r"(?i)proxy"):
        await blocked.initialize()
    await blocked.shutdown()
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    async with aiohttp_bot(standin.base_url) as bot:
        assert (await bot.get_me()).username == "transport_bot"


def test_groups_and_private_chats_have_limiters_of_their_own() -> None:
    """bot/limits.py: a 429 from a group (a negative id or an @channel) holds back only calls to
    groups; private chats and calls without a chat keep their own limiter."""
    from bot.limits import _is_group

    assert _is_group(-100555) and _is_group("-100555") and _is_group("@leads")
    assert not _is_group(8000) and not _is_group("8000") and not _is_group(None)
