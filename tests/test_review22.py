"""Hostile input and faults found in review 22 (issue 14): each test is a defect seen first
from the outside (the real PTB client over HTTP against the Bot API stand-in)."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.settings import Settings
from standin import BotApiStandin, FakeGroup
from standin.models import Fault
from tests.conftest import Harness, make_settings, start_markbot, to_text_question
from tests.stored import count, rows
from tests.test_contact_requests import (  # noqa: F401  (the safeguarding chat's fixtures)
    CONTACT,
    _delivered,
    _eventually,
    _request_sent,
    h,
    lead,
    lead_settings,
)
from tests.test_web_ballot import OPEN_POLL, _answer, open_with_polls
from tests.test_webhook import SECRET, hooked  # noqa: F401  (the webhook fixture)
from tests.webclient import Browser, web_client

HEADERS = {"X-Telegram-Bot-Api-Secret-Token": SECRET}


async def test_a_webhook_update_ptb_cannot_read_is_skipped_not_retried_for_ever(
    standin: BotApiStandin,
    hooked: Settings,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Long polling steps over an update PTB cannot parse (bot/updates.py); through the
    webhook the same update was answered 500, so Telegram delivered it again and again,
    holding back that chat (and logging a traceback each time). Now it is answered 200,
    skipped, and logged without its content."""
    caplog.set_level(logging.INFO)
    sender = {"id": 555_123_456_780, "is_bot": False, "first_name": "Fn555123456780"}
    chat = {"id": sender["id"], "type": "private", "first_name": sender["first_name"]}
    broken_poll = {"id": "p", "question": "Q?", "options": []}  # required fields left out
    update = {
        "update_id": 4242,
        "message": {"message_id": 1, "date": 1, "chat": chat, "from": sender, "poll": broken_poll},
    }
    assert hooked.webhook_url is not None
    async with (
        aiohttp.ClientSession() as http,
        http.post(hooked.webhook_url, json=update, headers=HEADERS) as r,
    ):
        status = r.status
    assert status == 200
    assert "PTB cannot read it" in caplog.text
    assert "555123456780" not in caplog.text and "Fn555" not in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


async def test_journey_buttons_forged_in_a_group_change_nothing_there(
    h: Harness,  # noqa: F811
    lead: FakeGroup,  # noqa: F811
) -> None:
    """The journey's button handlers took a tap from any chat: a member of the safeguarding
    chat sending a language button's data (or their own journey's) from a contact request
    there had markbot edit that request, "Mark handled" and all, into "OK, I'll use Welsh"
    (or into their own poll screen); the news offer's "Yes, tell me" took the button off it.
    A tap outside a private chat is now refused, as the contact buttons' already is, and
    nothing changes."""
    request = await _request_sent(h.user(9107), lead)
    await _eventually(lambda: _delivered(h))
    member = h.standin.user(9002, "Lead")
    await to_text_question(member)
    own = member._chat.messages[member.last_bot_message()["message_id"]]
    journey_data = own.inline_keyboard[0][0]["callback_data"]  # type: ignore[index]
    at = request.message["message_id"]
    for forged in ("lang:cy", journey_data, "sub:y", "sub:n"):
        await h.standin.wait_idle()
        member.drain_callback_answers()
        await lead.press_data(member, forged, message_id=at)
        answer = await member.next_callback_answer()
        assert answer.get("show_alert") and "old message" in answer["text"]
    await h.standin.wait_idle()
    shown = next(m for m in lead.messages if m["message_id"] == at)
    assert CONTACT in shown["plain"] and "Mark handled" in str(shown)
    await member.send_command("help")  # their language is as it was
    assert "How this works" in (await member.next_output()).plain


async def test_an_answer_edited_past_the_limit_is_answered_and_the_old_one_kept(
    markbot: Harness,
) -> None:
    """Editing a typed answer into one over the question's limit got no reply at all: the
    person saw their edited message and believed it was their answer. Now they are told the
    limit and that the earlier answer stands; an edit within the limit still changes it."""
    await markbot.add_poll()
    user = markbot.user(2201)
    await to_text_question(user)
    sent = await user.send_text("Buses cost too much")
    await user.next_output()
    await user.edit_text(sent["message_id"], "ŵ\u0301" * 501)  # 1,002 characters
    said = (await user.next_output()).plain
    assert "1002" in said and "1000" in said and "kept your answer as it was" in said
    await user.edit_text(sent["message_id"], "Buses cost far too much")
    assert "changed your answer" in (await user.next_output()).plain
    await user.press("Send my answers")
    assert "counted" in (await user.next_output()).plain
    assert await rows(markbot, "text_answers", "body") == [("Buses cost far too much",)]


async def test_an_answer_of_only_invisible_characters_is_empty(markbot: Harness) -> None:
    """Zero-width spaces, joiners, direction marks and a byte-order mark show nothing, yet
    such a message was taken as the answer (a blank line on the check screen and in the
    exports, and a required question passed). Now it is "looks empty", as a blank one is;
    a real answer ending in the Welsh flag (tag characters, invisible on their own) stands."""
    await markbot.add_poll()
    user = markbot.user(2301)
    await to_text_question(user)
    await user.send_text("\u200b\u2060 \ufeff\u200d\u200f\u202e")
    assert "looks empty" in (await user.next_output()).plain
    flag = "Cymru 🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f"
    await user.send_text(flag)
    assert "Check your answers" in (await user.next_output()).plain
    await user.press("Send my answers")
    assert "counted" in (await user.next_output()).plain
    assert await rows(markbot, "text_answers", "body") == [(flag,)]


async def test_an_invisible_answer_on_the_web_is_a_skipped_one(
    tmp_path: Path, database_url: str | None
) -> None:
    """The same rule on the web: an optional question answered with only zero-width
    characters is skipped (nothing kept for it), not a blank answer in the exports."""
    runtime = await open_with_polls(make_settings(tmp_path, database_url), OPEN_POLL)
    try:
        async with web_client(runtime) as client:
            b = Browser(client)
            await _answer(b, ["16-18", "south", "jobs"])
            page = await b.submit("/v/web-poll/q/3", {"answer": "\u200b\u2060\ufeff"})
            assert page.url == "/v/web-poll/check", page.plain
            page = await b.submit("/v/web-poll/send", {})
            assert page.url == "/v/web-poll/done", page.plain
        assert await count(runtime, "ballots") == 1
        assert await rows(runtime, "text_answers", "body") == []
    finally:
        await runtime.close()


async def test_a_flaky_telegram_during_a_staff_upload_gets_one_clear_answer(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    """Telegram failing to hand over a worker's paper-ballot file (getFile answered 502) got
    two replies: "something went wrong, try again" and then the young person's "to take part
    in a poll, open the link", as the failed reply fell through to the journey. Now only the
    first; sending the file again works."""
    settings = make_settings(tmp_path, database_url, api_url=standin.base_url, admins=(9001,))
    bot = await start_markbot(standin, settings)
    try:
        await bot.add_poll()
        owner = bot.user(9001, first_name="Pat")
        await owner.send_command("paper", "test-poll")
        await owner.next_output()
        standin.fault = lambda method, _: Fault.server_error(502) if method == "getFile" else None
        await owner.send_document("p.csv", b"option,count\nClimate,7\n", "text/csv")
        await standin.wait_idle(timeout=20)
        said = [out.plain for out in owner.drain()]
        assert len(said) == 1 and "try again" in said[0], said
        standin.fault = None
        await owner.send_document("p.csv", b"option,count\nClimate,7\n", "text/csv")
        assert "Added 7 paper ballots" in (await owner.next_output()).plain
    finally:
        await bot.shutdown()


async def test_a_safeguarding_chat_upgraded_to_a_supergroup_is_named_in_the_log(
    standin: BotApiStandin,
    tmp_path: Path,
    database_url: str | None,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """When the leads' group becomes a supergroup its id changes and Telegram refuses the old
    one, naming the new. Alerts and contact requests wait (nothing is lost), but the log only
    said "ChatMigrated" every 20 seconds. Now it says which setting to change, to what."""
    caplog.set_level(logging.INFO)
    old, new = -4_000_123, -1_004_000_123
    standin.group(old, "Safeguarding leads", supergroup=False)
    standin.fault = lambda _, params: (
        Fault.migrated(new) if str(params.get("chat_id")) == str(old) else None
    )
    settings = make_settings(
        tmp_path, database_url, api_url=standin.base_url, safeguarding_chat=old
    )
    bot = await start_markbot(standin, settings)
    try:
        await bot.add_poll()
        user = bot.user(2401, first_name="Fn2401")
        await to_text_question(user)
        await user.send_text("my dad hits me")
        assert "Childline" in (await user.next_output()).plain  # signposted all the same
        await _eventually(lambda: f"MARKBOT_SAFEGUARDING_CHAT={new}" in caplog.text)
        assert await count(bot, "alert_outbox") == 1  # kept until the leads can have it
        assert "2401" not in caplog.text
    finally:
        await bot.shutdown()


async def _until_refused(bot: Harness) -> None:
    """Until Telegram (the stand-in) has refused a message with a 429."""
    for _ in range(100):
        if any(c.status == 429 for c in bot.standin.calls_to("sendMessage")):
            return
        await asyncio.sleep(0.02)


async def _seconds_to_answer(user: Any) -> float:
    """How long /help takes to be answered for ``user``."""
    started = time.monotonic()
    await user.send_command("help")
    await user.next_output(timeout=20)
    return time.monotonic() - started


async def test_a_429_for_one_young_person_holds_back_nobody_else(markbot: Harness) -> None:
    """Someone sending message after message gets "Too Many Requests, retry after N" for
    their own chat. PTB's limiter then held every private call (everyone's replies and taps)
    for those N seconds, so one person flooding slowed the bot for all. Now a 429 for a
    private chat holds back only that chat; its reply still goes after the wait."""
    flooder, other = markbot.user(2501), markbot.user(2502)
    floods = {flooder.id: Fault.flood(4)}
    markbot.standin.fault = lambda method, params: (
        floods.pop(params.get("chat_id"), None) if method == "sendMessage" else None
    )
    await flooder.send_command("help")
    await _until_refused(markbot)
    assert await _seconds_to_answer(other) < 2.0  # not held for the flooder's 4 seconds
    await flooder.next_output(timeout=10)  # sent after its wait, not given up
    refused, sent = [
        c for c in markbot.standin.calls_to("sendMessage") if c.params.get("chat_id") == flooder.id
    ][-2:]
    assert (refused.status, sent.status) == (429, 200) and sent.at - refused.at >= 4.0


async def test_many_updates_from_one_person_held_by_a_429_leave_room_for_others(
    markbot: Harness,
) -> None:
    """markbot handles MARKBOT_CONCURRENCY updates at once (8). Someone sending a dozen
    messages while Telegram holds their chat back (429) had each of them waiting in a slot:
    all 8 slots held, everyone else waited. One person's updates now take one slot at a time
    (they ran one after another anyway), in the order they came."""
    flooder, other = markbot.user(2601), markbot.user(2602)
    held_until: list[float] = []  # as Telegram: the flooder's chat refused for 3 seconds

    def fault(method: str, params: dict[str, Any]) -> Fault | None:
        if method != "sendMessage" or params.get("chat_id") != flooder.id:
            return None
        if not held_until:
            held_until.append(time.monotonic() + 3)
        left = held_until[0] - time.monotonic()
        return Fault.flood(max(1, round(left))) if left > 0 else None

    markbot.standin.fault = fault
    for n in range(12):
        await flooder.send_text(f"hello {n}")
    await _until_refused(markbot)
    assert await _seconds_to_answer(other) < 2.0
    replies = [await flooder.next_output(timeout=30) for _ in range(12)]
    assert all("open the link" in r.plain for r in replies)


async def test_a_class_typing_start_in_their_group_holds_back_nobody(markbot: Harness) -> None:
    """A teacher posts the link in the class group and forty pupils type /start there. Each
    got the "only in a private chat" pointer, but Telegram lets a bot post about 20 a minute
    in a group, so the rest waited in the rate limiter, each holding one of the places for
    updates: a young person voting in private waited over half a minute for any reply.
    Now while one pointer waits to be posted in a group, the others there are not queued
    behind it (that one answers them all)."""
    await markbot.add_poll()
    group = markbot.standin.group(-100123, "Year 9")
    for n in range(40):
        await group.send_command(markbot.user(7000 + n), "start", "test-poll")
    await asyncio.sleep(1.0)
    voter = markbot.user(2999)
    started = time.monotonic()
    await voter.send_command("help")
    await voter.next_output(timeout=60)
    assert time.monotonic() - started < 3.0
    assert "private chat" in (await group.next_output()).plain
