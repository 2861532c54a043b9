"""Faults and hostile input through the Bot API stand-in: replayed taps, messages that are
gone, text no database or Telegram would take, and a database that can't write."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import random
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Harness, make_settings, start_markbot, to_text_question, vote

from bot.settings import Settings
from standin import BotApiStandin, FakeUser, Fault
from tests.full_disk import FullDisk, fill, small_tmpfs


def _problems(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.WARNING]


async def test_a_replayed_tap_is_answered_once_and_logs_no_error(
    markbot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Telegram redelivers a tap the bot never confirmed; the second answer is refused ("query
    is too old"). That is expected: no ERROR, and no third answer from the error handler."""
    await markbot.add_poll()
    user = markbot.user(2001)
    await user.send_command("start", "test-poll")
    await user.next_output()
    query_id = await user.press("Start")
    assert "How old are you?" in (await user.next_output()).plain
    await markbot.standin.wait_idle()
    caplog.clear()
    markbot.standin.replay_callback(query_id)
    await markbot.standin.wait_idle()
    answers = [
        c
        for c in markbot.standin.calls_to("answerCallbackQuery")
        if c.params.get("callback_query_id") == query_id
    ]
    assert len(answers) == 2 and answers[1].error  # the original, and the refused replay
    assert _problems(caplog) == []
    await user.expect_no_output(0.2)
    await user.press("13-15")  # the journey carries on where it was
    assert "Where do you live?" in (await user.next_output()).plain


async def test_a_language_button_on_a_deleted_message_sets_it_without_an_error(
    markbot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    user = markbot.user(2002)
    await user.send_command("language")
    menu = await user.next_output()
    await markbot.standin.wait_idle()
    caplog.clear()
    await user.press("Cymraeg", message_id=menu.message["message_id"])
    user.delete_message(menu.message["message_id"])  # before the bot gets to edit it
    answer = await user.next_callback_answer()
    assert not answer["show_alert"]
    out = await user.next_output()
    assert out.method == "sendMessage" and "Cymraeg" in out.plain
    await markbot.standin.wait_idle()
    assert _problems(caplog) == []


@pytest.mark.sqlite_only("fakes SQLite's full-disk error inside its single writer")
async def test_a_full_disk_at_send_keeps_the_draft_for_another_try(markbot: Harness) -> None:
    """The database can't write ("database or disk is full"): the person is told kindly to
    try again and nothing is lost; once the disk has room, the same button counts the vote."""
    await markbot.add_poll()
    store = markbot.runtime.store
    disk = FullDisk(store)
    user = markbot.user(2003)
    await user.send_command("start", "test-poll")
    await user.next_output()
    for label in ("Start", "13-15", "North", "Climate"):
        await user.press(label)
        await user.next_output()
    disk.full = True  # from here on the disk is full
    await user.press("Skip this question")
    assert "Check your answers" in (await user.next_output()).plain
    await asyncio.sleep(0.7)  # a write-behind round fails too
    user.drain_callback_answers()
    await user.press("Send my answers")
    answer = await user.next_callback_answer()
    assert answer["show_alert"] and "couldn't be sent just now" in answer["text"]
    await user.expect_no_output(0.3)  # still on the check screen, with its Send button
    await user.press("Send my answers")  # still full: the same kind answer, nothing lost
    assert "couldn't be sent" in (await user.next_callback_answer())["text"]
    disk.full = False
    await user.press("Send my answers")
    assert "Thank you!" in (await user.next_output()).plain
    assert not (await user.next_callback_answer())["show_alert"]
    row = await store.get_poll("test-poll")
    assert row is not None
    assert (await markbot.runtime.services.reports.results("test-poll", 0)).ballots == 1
    assert await store.load_draft(markbot.runtime.services.journey._hasher.owner(2003)) is None


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MB tmpfs of its own (needs root; skipped elsewhere)."""
    with small_tmpfs(tmp_path / "small", "3m") as mount:
        yield mount


async def test_a_really_full_disk_at_send(
    standin: BotApiStandin, tmp_path: Path, small_disk: Path
) -> None:
    """The same promise on a real file system that fills up (a small tmpfs): told kindly to
    try again, nothing lost, counted once when there is room again."""
    settings = Settings(
        db=small_disk / "markbot.db",
        key_file=tmp_path / "markbot.key",
        api_url=standin.base_url,
        _env_file=None,  # type: ignore[call-arg]
    )
    harness = await start_markbot(standin, settings)
    try:
        await harness.add_poll()
        user = harness.user(2004)
        await user.send_command("start", "test-poll")
        await user.next_output()
        for label in ("Start", "13-15", "North", "Climate", "Skip this question"):
            await user.press(label)
            await user.next_output()
        filler = fill(small_disk)
        user.drain_callback_answers()
        await user.press("Send my answers")
        answer = await user.next_callback_answer(timeout=20)
        assert answer["show_alert"] and "couldn't be sent just now" in answer["text"]
        await user.expect_no_output(0.3)
        filler.unlink()  # room again
        await user.press("Send my answers")
        assert "Thank you!" in (await user.next_output(timeout=20)).plain
        results = await harness.runtime.services.reports.results("test-poll", 0)
        assert results.ballots == 1
    finally:
        await harness.shutdown()


# ---------------------------------------------------------------- a flaky Telegram

REPLIES = ("sendMessage", "editMessageText", "answerCallbackQuery")
# The way through SIMPLE_POLL, by the label of the button to press on each screen.
WAY = ("Start", "13-15", "North", "Climate", "Skip this question", "Send my answers")
THANKS = "Thank you!"
# What a reply must never show (as in test_fuzz_bot.py): a traceback, an exception's name...
LEAK = re.compile(
    r"Traceback|\b[A-Z]\w*(?:Error|Exception)\b|File \"|\.py\b|/work/|site-packages|sqlite"
)
HOLD = 5.5  # seconds: past PTB's read timeout for replies (5 s, bot/transport.py)


def _acknowledged(user: FakeUser) -> bool:
    """The person can see that their answers were counted."""
    return any(
        THANKS in m["plain"] or "already voted" in m["plain"]
        for m in user.messages
        if m["from_bot"]
    )


async def _persist(user: FakeUser, code: str, *, patience: float, tries: int = 60) -> int:
    """A young person who keeps trying until they see their answers were counted: they act on
    the newest message from the bot (the next button on the way, or the link again when there
    is nothing to press) and, when nothing happens within ``patience`` seconds, try again,
    waiting a little longer each time (as people do: on a loaded machine a fixed short wait
    only piles up taps faster than any bot can answer them). Returns how many things they
    did."""
    deadline = time.monotonic() + 150  # well inside pytest's timeout: fail with a reason
    for done in range(tries):
        if _acknowledged(user):
            return done
        if time.monotonic() > deadline:
            break
        message = user.last_bot_message()
        labels = [b for row in message["buttons"] for b in row] if message else []
        label = next((b for b in WAY if b in labels), None)
        if label is None:
            await user.send_command("start", code)
        else:
            await user.press(label, message_id=message["message_id"] if message else None)
        with contextlib.suppress(TimeoutError):
            await user.next_output(timeout=min(patience * 1.1**done, 6.0))
        user.drain()
    shown = [(m["plain"][:60], m["buttons"]) for m in user.messages if m["from_bot"]][-3:]
    raise AssertionError(f"{user!r} never saw their answers counted; last shown: {shown}")


def _leaks(records: list[logging.LogRecord], people: list[FakeUser]) -> list[str]:
    """Log lines that name a person: their Telegram id, first name or username."""
    marks = [str(p.id) for p in people] + [p.first_name for p in people]
    marks += [p.username for p in people if p.username]
    found = []
    for record in records:
        line = record.getMessage() + (
            logging.Formatter().formatException(record.exc_info) if record.exc_info else ""
        )
        found += [f"{mark} in {line[:200]!r}" for mark in marks if mark in line]
    return found


def _said(people: list[FakeUser]) -> list[str]:
    """Everything the bot showed these people: messages and tap answers."""
    texts = [m["plain"] for p in people for m in p.messages if m["from_bot"]]
    return texts + [str(a.get("text") or "") for p in people for a in p.callback_answers]


async def test_a_flaky_telegram_on_replies_counts_each_ballot_once(
    markbot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Telegram fails one reply in five (sendMessage, editMessageText, answerCallbackQuery):
    a 5xx, an answer held past PTB's read timeout, a connection reset before or after Telegram
    did the thing, or a 429. Ten young people keep trying, as people do, until they see their
    answers counted: each is counted once, the bot says nothing it shouldn't and keeps going,
    and the logs say what happened without naming anyone."""
    caplog.set_level(logging.INFO)
    await markbot.add_poll()
    rng = random.Random(13)
    injected: Counter[str] = Counter()
    kinds: dict[str, Callable[[], Fault]] = {
        "5xx": lambda: Fault.server_error(rng.choice((500, 502, 503, 504))),
        "held, done": lambda: Fault.hold(HOLD, applied=True),
        "held, not done": lambda: Fault.hold(HOLD, applied=False),
        "reset, done": lambda: Fault.reset(applied=True),
        "reset, not done": lambda: Fault.reset(applied=False),
        "429": lambda: Fault.flood(1),
    }
    flaky = True

    def fault(method: str, params: dict[str, Any]) -> Fault | None:
        if not flaky or method not in REPLIES or rng.random() >= 0.2:
            return None
        kind = rng.choice(sorted(kinds))
        injected[kind] += 1
        if method == "editMessageText" and THANKS in str(params.get("text")):
            injected["of them on a thank-you screen"] += 1
        return kinds[kind]()

    people = [
        markbot.user(7_340_001 + i, first_name=f"Zephyrine{i}", username=f"zeph_{i}")
        for i in range(10)
    ]
    markbot.standin.fault = fault
    started = time.monotonic()
    acts = await asyncio.gather(*(_persist(p, "test-poll", patience=1.5) for p in people))
    flaky = False
    took = time.monotonic() - started
    assert all(injected[kind] for kind in kinds), injected  # every kind of fault was tried
    results = await markbot.runtime.services.reports.results("test-poll", 0)
    assert results.ballots == len(people)  # each once: no one lost, no one twice
    journey = markbot.runtime.services.journey
    store = markbot.runtime.store
    row = await store.get_poll("test-poll")
    assert row is not None
    for person in people:
        assert await store.has_voted(row.id, journey._hasher.voter("test-poll", person.id))
    newcomer = markbot.user(7_340_100, first_name="Zephyrine-late")
    assert THANKS in await vote(newcomer, "test-poll", ["13-15", "North", "Climate"])
    results = await markbot.runtime.services.reports.results("test-poll", 0)
    assert results.ballots == len(people) + 1
    said = _said([*people, newcomer])
    assert [t for t in said if LEAK.search(t)] == []
    assert _leaks(caplog.records, [*people, newcomer]) == []
    print(f"faults injected: {dict(injected)}; {sum(acts)} actions; {took:.1f} s")


async def _to_check_screen(user: FakeUser) -> None:
    await user.send_command("start", "test-poll")
    await user.next_output()
    for label in WAY[:-1]:
        await user.press(label)
        await user.next_output()


@pytest.mark.parametrize("where", [0, 2], ids=["privacy notice", "question 2"])
async def test_a_lost_reply_to_the_link_opened_again_leaves_a_message_that_works(
    markbot: Harness, where: int
) -> None:
    """The link opened again gives the journey a new message (and the one before stops
    working), but Telegram loses it, and the error message after it: the newest message the
    person has is the one before. A tap on it changes nothing, says so and makes it work again,
    so the person is never left without a message that works (a CI run saw a persistent voter
    tap a dead message for five minutes)."""
    await markbot.add_poll()
    user = markbot.user(2011)
    await user.send_command("start", "test-poll")
    await user.next_output()
    for label in WAY[:where]:
        await user.press(label)
        await user.next_output()
    lose = True

    def fault(method: str, params: dict[str, Any]) -> Fault | None:
        return Fault.reset(applied=False) if lose and method == "sendMessage" else None

    markbot.standin.fault = fault
    before = user.last_bot_message()
    assert before is not None
    await user.send_command("start", "test-poll")
    await markbot.standin.wait_idle()
    lose = False
    assert user.last_bot_message() == before  # nothing new reached the person
    user.drain()
    user.drain_callback_answers()
    await user.press(WAY[where])
    assert "out of date" in (await user.next_callback_answer())["text"]
    assert (await user.next_output()).plain == before["plain"]  # where they were, unchanged
    for label in WAY[where:]:
        await user.press(label)
        await user.next_output()
    assert THANKS in user.last_bot_message()["plain"]
    results = await markbot.runtime.services.reports.results("test-poll", 0)
    assert results.ballots == 1


@pytest.mark.parametrize(
    "lost",
    [Fault.server_error(502), Fault.reset(applied=False), Fault.hold(HOLD, applied=False)],
    ids=["502", "reset", "timeout"],
)
async def test_a_lost_thank_you_and_send_again_shows_it_counted_once(
    markbot: Harness, caplog: pytest.LogCaptureFixture, lost: Fault
) -> None:
    """The ballot is committed but Telegram loses the thank-you screen: the person, still
    looking at "Check your answers", presses Send again and is shown the thank-you screen
    (not "we deleted your unfinished answers"); the ballot is counted once."""
    await markbot.add_poll()
    user = markbot.user(2005)
    await _to_check_screen(user)
    faults = [lost]

    def fault(method: str, params: dict[str, Any]) -> Fault | None:
        return faults.pop() if method == "editMessageText" and faults else None

    markbot.standin.fault = fault
    user.drain_callback_answers()
    await user.press("Send my answers")
    for _ in range(int(HOLD + 5) * 100):  # until the thank-you screen was tried, and lost
        edits = markbot.standin.calls_to("editMessageText")
        if not faults and edits[-1].status:
            break
        await asyncio.sleep(0.01)
    await markbot.standin.wait_idle()
    assert not faults and not _acknowledged(user)
    reports = markbot.runtime.services.reports
    assert (await reports.results("test-poll", 0)).ballots == 1
    user.drain()
    user.drain_callback_answers()
    await user.press("Send my answers")
    out = await user.next_output()
    assert out.method == "editMessageText" and THANKS in out.plain
    answer = await user.next_callback_answer()
    assert not answer["show_alert"]
    assert (await reports.results("test-poll", 0)).ballots == 1


# ---------------------------------------------------------------- a database locked by another


BUSY = 1.5  # seconds: the busy timeout in this test (10 s in markbot: storage/sqlite.py)


@pytest.mark.sqlite_only("another program's BEGIN EXCLUSIVE on the SQLite file")
async def test_a_database_locked_by_another_program(
    standin: BotApiStandin,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Another program (sqlite3, a backup tool) holds the database with BEGIN EXCLUSIVE for
    longer than the busy timeout: a young person pressing Send is told kindly to try again,
    their answers are kept, and once the lock is released the same button counts them,
    once. Unfinished journeys go on meanwhile and reach the disk after; the logs say the
    database was locked, and name nobody."""
    from storage import sqlite as sqlite_store

    pragmas = tuple(
        f"PRAGMA busy_timeout = {int(BUSY * 1000)}" if "busy_timeout" in p else p
        for p in sqlite_store._PRAGMAS
    )
    monkeypatch.setattr(sqlite_store, "_PRAGMAS", pragmas)
    caplog.set_level(logging.INFO)
    markbot = await start_markbot(standin, settings)
    try:
        await markbot.add_poll()
        user = markbot.user(7_350_001, first_name="Quillon", username="quillon_7")
        other = markbot.user(7_350_002, first_name="Marisol", username="marisol_7")
        await _to_check_screen(user)
        await other.send_command("start", "test-poll")
        await other.next_output()
        await asyncio.sleep(0.7)  # both drafts are on disk
        locker = sqlite3.connect(settings.db, isolation_level=None, timeout=0)
        locker.execute("BEGIN EXCLUSIVE")
        locked_at = time.monotonic()
        user.drain_callback_answers()
        await user.press("Send my answers")
        answer = await user.next_callback_answer(timeout=3 * BUSY + 5)
        assert answer["show_alert"] and "couldn't be sent just now" in answer["text"]
        await user.expect_no_output(0.3)  # still on "Check your answers", with its button
        await other.press("Start")  # taps of unfinished journeys go on, in memory
        assert "How old are you?" in (await other.next_output()).plain
        await user.press("Send my answers")  # still locked: the same kind answer
        answer = await user.next_callback_answer(timeout=3 * BUSY + 5)
        assert "couldn't be sent just now" in answer["text"]
        assert time.monotonic() - locked_at > BUSY  # the lock outlasted the busy timeout
        locker.execute("ROLLBACK")  # the other program is done
        locker.close()
        await user.press("Send my answers")
        assert THANKS in (await user.next_output(timeout=2 * BUSY + 5)).plain
        assert not (await user.next_callback_answer())["show_alert"]
        journey = markbot.runtime.services.journey
        reports = markbot.runtime.services.reports
        assert (await reports.results("test-poll", 0)).ballots == 1
        store = markbot.runtime.store
        assert await store.load_draft(journey._hasher.owner(user.id)) is None
        owner = journey._hasher.owner(other.id)
        on_disk = None
        for _ in range(50):  # a write-behind round after the lock: the other draft is on disk
            reader = sqlite3.connect(settings.db)
            try:
                found = reader.execute("SELECT state FROM drafts WHERE owner = ?", (owner,))
                on_disk = found.fetchone()
            finally:
                reader.close()
            if on_disk is not None and json.loads(on_disk[0])["step"] == "0":
                break
            await asyncio.sleep(0.1)
        assert on_disk is not None and json.loads(on_disk[0])["step"] == "0"
        for label in WAY[1:]:  # and the other journey carries on to the end
            await other.press(label)
            await other.next_output()
        assert THANKS in other.last_bot_message()["plain"]  # type: ignore[index]
        assert (await reports.results("test-poll", 0)).ballots == 2
    finally:
        await markbot.shutdown()
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("database is locked" in line for line in logged), logged
    assert _leaks(caplog.records, [user, other]) == []
    assert [t for t in _said([user, other]) if LEAK.search(t)] == []


# ---------------------------------------------------------------- the network drops

# How long the network is down: 12 s in every CI run, a full minute (or any number of
# seconds) with MARKBOT_FAULT_DROP_SECONDS=60 (see the README, "Hostile input").
DROP = float(os.environ.get("MARKBOT_FAULT_DROP_SECONDS", "12"))


async def test_the_network_drops_and_comes_back(
    markbot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """The connection to Telegram is lost (connections refused, those open cut, a long poll's
    and replies in flight too) for DROP seconds. Young people go on tapping meanwhile, as they
    can: Telegram keeps their updates. When the network is back, polling and replies recover
    by themselves: the ballot acknowledged before the drop stays counted, everyone who
    pressed Send is counted once, and the logs say what happened without naming anyone."""
    caplog.set_level(logging.INFO)
    await markbot.add_poll()
    standin = markbot.standin
    early = markbot.user(7_360_000, first_name="Ottoline", username="ottoline_7")
    assert THANKS in await vote(early, "test-poll", ["13-15", "North", "Climate"])
    people = [
        markbot.user(7_360_001 + i, first_name=f"Peregrine{i}", username=f"pere_{i}")
        for i in range(8)
    ]
    for person in people:
        await _to_check_screen(person)
        person.drain()
    # Half press Send just as the network goes: their ballots are committed, and the
    # thank-you screens on their way to Telegram are cut. The rest press Send while it is
    # down (their taps wait at Telegram).
    thanks_on_the_way: list[str] = []

    def slow_thanks(method: str, params: dict[str, Any]) -> Fault | None:
        if method == "editMessageText" and THANKS in str(params.get("text")):
            thanks_on_the_way.append(str(params["chat_id"]))
            return Fault.hold(60, applied=False)  # until the network goes
        return None

    standin.fault = slow_thanks
    for person in people[:4]:
        await person.press("Send my answers")
    for _ in range(1000):  # each ballot committed, its thank-you screen on the way
        if len(thanks_on_the_way) == 4:
            break
        await asyncio.sleep(0.01)
    assert len(thanks_on_the_way) == 4
    await standin.disconnect()
    standin.fault = None
    dropped_at = time.monotonic()
    for person in people[4:]:
        await person.press("Send my answers")
    await asyncio.sleep(DROP)
    polls_before = len(standin.calls_to("getUpdates"))
    await standin.reconnect()
    back_at = time.monotonic()
    acts = await asyncio.gather(*(_persist(p, "test-poll", patience=2.0) for p in people))
    recovered = time.monotonic() - back_at
    polled = [c for c in standin.calls_to("getUpdates")[polls_before:] if c.status == 200]
    assert polled, "polling never came back"
    reports = markbot.runtime.services.reports
    assert (await reports.results("test-poll", 0)).ballots == len(people) + 1
    late = markbot.user(7_360_100, first_name="Ottoline-late")
    assert THANKS in await vote(late, "test-poll", ["16-18", "South", "Jobs"])
    assert (await reports.results("test-poll", 0)).ballots == len(people) + 2
    everyone = [early, *people, late]
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert any("Telegram cannot be reached" in line for line in logged), logged
    assert any("Telegram can be reached again" in line for line in logged), logged
    assert _leaks(caplog.records, everyone) == []
    assert [t for t in _said(everyone) if LEAK.search(t)] == []
    print(
        f"down {back_at - dropped_at:.1f} s; all acknowledged {recovered:.1f} s after, "
        f"{sum(acts)} actions; {len(logged)} warnings/errors logged: {logged}"
    )


async def test_a_429_on_a_reply_is_waited_out(markbot: Harness) -> None:
    """Telegram answers "Too Many Requests, retry after 2" to the thank-you screen and to
    the tap's answer: both are sent again after the wait (not before, and not given up)."""
    await markbot.add_poll()
    user = markbot.user(2006)
    await _to_check_screen(user)
    floods = {"editMessageText": Fault.flood(2), "answerCallbackQuery": Fault.flood(2)}

    def fault(method: str, params: dict[str, Any]) -> Fault | None:
        return floods.pop(method, None)

    markbot.standin.fault = fault
    user.drain_callback_answers()
    await user.press("Send my answers")
    out = await user.next_output(timeout=10)
    assert THANKS in out.plain
    assert not (await user.next_callback_answer(timeout=10))["show_alert"]
    for method in ("editMessageText", "answerCallbackQuery"):
        refused, sent = markbot.standin.calls_to(method)[-2:]
        assert (refused.status, sent.status) == (429, 200)
        assert sent.at - refused.at >= 2.0  # retry_after honoured
    assert (await markbot.runtime.services.reports.results("test-poll", 0)).ballots == 1


@pytest.mark.sqlite_only("fakes SQLite's full-disk error inside its single writer")
async def test_a_disclosure_on_a_full_disk_is_still_signposted(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    """The answer and its alert can't be written: the young person still gets Childline,
    Shout and 999 in the same reply (not only "something went wrong"), is asked to send the
    answer again, and once the disk has room the answer and its alert are kept."""
    settings = make_settings(
        tmp_path, database_url, api_url=standin.base_url, safeguarding_chat=-100444
    )
    standin.group(-100444, "Safeguarding leads")
    h = await start_markbot(standin, settings)
    try:
        await h.add_poll()
        user = h.user(2010)
        await to_text_question(user)
        disk = FullDisk(h.runtime.store)
        disk.full = True
        await user.send_text("my dad hits me every night")
        reply = (await user.next_output()).plain
        assert "Childline" in reply and "999" in reply
        assert "send it again" in reply and "We have kept your answer" not in reply
        disk.full = False
        await user.send_text("my dad hits me every night")
        reply = (await user.next_output()).plain
        assert "Childline" in reply and "Check your answers" in reply
        alerts = h.runtime.services.alerts
        assert alerts is not None
        for _ in range(50):  # the one alert, kept with the answer, reaches the lead's chat
            if not await alerts.pending():
                break
            await asyncio.sleep(0.1)
        sent = [c for c in standin.calls_to("sendMessage") if c.status == 200]
        assert [c for c in sent if int(c.params.get("chat_id", 0)) == -100444]
    finally:
        await h.shutdown()
