"""Safeguarding alerts are never lost and never slow a young person down: a burst of
disclosures, a 429 from the lead's group and a restart mid-burst, every alert arriving once
(on SQLite and on PostgreSQL: conftest's ``database_url``)."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from pathlib import Path

from standin import BotApiStandin, FakeUser, Fault
from tests.conftest import Harness, make_settings, start_markbot
from tests.stored import count, rows

LEAD = -100555
BURST = 24  # Telegram lets a group have a burst of 20, then about one message every 3 s


async def _disclose(user: FakeUser, n: int) -> float:
    """Answer up to the text question and type a disclosure; the reply's wait in seconds."""
    await user.send_command("start", "test-poll")
    await user.next_output(timeout=30)
    for label in ("Start", "16-18", "North", "Jobs"):
        await user.press(label)
        await user.next_output(timeout=30)
    started = time.perf_counter()
    await user.send_text(f"my dad hits me every night (case {n:03d})")
    reply = await user.next_output(timeout=30)
    assert "Childline" in reply.plain
    return time.perf_counter() - started


def _cases(standin: BotApiStandin) -> list[str]:
    sent = [c for c in standin.calls_to("sendMessage") if c.status == 200]
    found = []
    for call in sent:
        if int(call.params.get("chat_id", 0)) == LEAD:
            found += re.findall(r"case (\d{3})", str(call.params.get("text", "")))
    return found


async def _wait_for(standin: BotApiStandin, count: int, timeout: float) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        cases = _cases(standin)
        if len(set(cases)) >= count:
            return cases
        await asyncio.sleep(0.2)
    return _cases(standin)


async def test_a_burst_with_a_429_and_a_restart_delivers_every_alert_once(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    standin.group(LEAD, "Safeguarding leads")
    settings = make_settings(
        tmp_path, database_url, api_url=standin.base_url, safeguarding_chat=LEAD
    )
    flooded = {"done": False}

    def fault(method: str, params: dict[str, object]) -> Fault | None:
        lead = int(str(params.get("chat_id", 0))) == LEAD
        if method == "sendMessage" and lead and not flooded["done"]:
            flooded["done"] = True
            return Fault.flood(2)
        return None

    standin.fault = fault
    h: Harness = await start_markbot(standin, settings)
    await h.add_poll()
    users = [standin.user(8000 + i) for i in range(BURST)]
    waits = await asyncio.gather(*(_disclose(u, i) for i, u in enumerate(users)))
    assert max(waits) < 10  # nobody waited for the lead's chat
    assert flooded["done"]
    await asyncio.sleep(1.0)
    await h.shutdown()  # a restart while alerts are still waiting
    assert (
        await count(settings, "alert_outbox") > 0
    )  # the group's pace holds some back, kept on disk
    h = await start_markbot(standin, settings)
    try:
        cases = await _wait_for(standin, BURST, timeout=90)
    finally:
        await h.shutdown()
    assert sorted(set(cases)) == [f"{i:03d}" for i in range(BURST)]  # none lost
    assert len(cases) == BURST  # none twice
    assert await count(settings, "alert_outbox") == 0


async def test_a_429_from_the_group_holds_back_only_messages_to_the_group(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    """Telegram asks the lead's group to wait 30 s (a burst of alerts does that). PTB's rate
    limiter answers a 429 by holding *every* call its bot makes for that long, so the group has
    a bot of its own: young people's replies, disclosures included, carry on meanwhile."""
    standin.group(LEAD, "Safeguarding leads")
    settings = make_settings(
        tmp_path, database_url, api_url=standin.base_url, safeguarding_chat=LEAD
    )

    def fault(method: str, params: dict[str, object]) -> Fault | None:
        if method == "sendMessage" and int(str(params.get("chat_id", 0))) == LEAD:
            return Fault.flood(30)
        return None

    def refused() -> bool:
        return any(
            c.status == 429 and int(c.params.get("chat_id", 0)) == LEAD
            for c in standin.calls_to("sendMessage")
        )

    standin.fault = fault
    h = await start_markbot(standin, settings)
    try:
        await h.add_poll()
        await _disclose(standin.user(8300), 0)
        await _until(refused, 30)  # the group's 30 s have begun
        started = time.perf_counter()
        waits = await asyncio.gather(*(_disclose(standin.user(8301 + i), i + 1) for i in range(3)))
        assert time.perf_counter() - started < 10 and max(waits) < 5
    finally:
        await h.shutdown()
    assert await count(settings, "alert_outbox") == 4  # kept for the group, none lost


async def test_a_long_disclosure_does_not_hold_back_the_alerts_after_it(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    """An answer near Telegram's limit (emoji count twice there) plus the alert's own words is
    more than one message holds: Telegram refuses it for ever, and every alert queued after it
    waited behind it. The alert is cut to fit; the ones after it arrive."""
    from tests.conftest import SIMPLE_POLL

    standin.group(LEAD, "Safeguarding leads")
    settings = make_settings(
        tmp_path, database_url, api_url=standin.base_url, safeguarding_chat=LEAD
    )
    h = await start_markbot(standin, settings)
    try:
        await h.add_poll(SIMPLE_POLL.replace("    optional: true", "    max_length: 3000"))
        for n, tail in ((0, " " + "\U0001f622" * 1950), (1, "")):
            user = standin.user(8100 + n)
            await user.send_command("start", "test-poll")
            await user.next_output(timeout=30)
            for label in ("Start", "16-18", "North", "Jobs"):
                await user.press(label)
                await user.next_output(timeout=30)
            await user.send_text(f"my dad hits me every night (case {n:03d}){tail}")
            assert "Childline" in (await user.next_output(timeout=30)).plain
        cases = await _wait_for(standin, 2, timeout=30)
    finally:
        await h.shutdown()
    assert sorted(set(cases)) == ["000", "001"]
    assert await count(settings, "alert_outbox") == 0


def _alerts_for_the_lead(standin: BotApiStandin) -> dict[str, list[bool]]:
    """For each case the lead's chat received: whether each copy carried the label that says
    the alert may have arrived already."""
    found: dict[str, list[bool]] = {}
    for call in standin.calls_to("sendMessage"):
        if call.status != 200 or int(call.params.get("chat_id", 0)) != LEAD:
            continue
        text = str(call.params.get("text", ""))
        for case in re.findall(r"case (\d{3})", text):
            found.setdefault(case, []).append(text.startswith(AGAIN_LABEL))
    return found


AGAIN_LABEL = "This alert may have arrived already"


async def _until(check: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not check() and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    assert check()


async def test_an_alert_that_may_have_arrived_is_labelled_one_refused_or_new_is_not(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    """A send is recorded as in flight when its request leaves and cleared when Telegram
    refuses it. Case 000 is refused with a 429 and markbot restarts while it waits that out:
    it arrives later without the label. Case 001's request reaches Telegram and markbot stops
    before the answer (Telegram never posted it, but markbot cannot know): after the restart it
    arrives once, under the label. Case 002, sent once, carries none."""
    standin.group(LEAD, "Safeguarding leads")
    settings = make_settings(
        tmp_path, database_url, api_url=standin.base_url, safeguarding_chat=LEAD
    )
    phase = {"now": 1, "held": False}

    def fault(method: str, params: dict[str, object]) -> Fault | None:
        if method != "sendMessage" or int(str(params.get("chat_id", 0))) != LEAD:
            return None
        if phase["now"] == 1:
            return Fault.flood(4)  # every try of case 000 refused: it stays queued
        if phase["now"] == 2 and "case 001" in str(params.get("text")) and not phase["held"]:
            phase["held"] = True
            return Fault.hold(10, applied=False)  # lost on the way in, the answer never comes
        return None

    def lead_calls() -> list[str]:
        return [
            str(c.params.get("text"))
            for c in standin.calls_to("sendMessage")
            if int(c.params.get("chat_id", 0)) == LEAD
        ]

    standin.fault = fault
    h = await start_markbot(standin, settings)
    await h.add_poll()
    await _disclose(standin.user(8200), 0)
    await _until(lambda: len(lead_calls()) >= 1, 30)  # refused, waiting out the 429
    await asyncio.sleep(0.5)
    await h.shutdown()
    assert await rows(settings, "alert_outbox", "in_flight") == [(0,)]  # refused: not in flight

    phase["now"] = 2
    h = await start_markbot(standin, settings)
    await _until(lambda: "000" in _alerts_for_the_lead(standin), 30)
    await _disclose(standin.user(8201), 1)
    await _until(lambda: any("case 001" in t for t in lead_calls()), 30)
    await asyncio.sleep(0.5)  # the request is out, its answer held back
    await h.shutdown()
    assert await rows(settings, "alert_outbox", "in_flight") == [(1,)]  # outcome unknown

    phase["now"] = 3
    h = await start_markbot(standin, settings)
    try:
        await _disclose(standin.user(8202), 2)
        await _until(lambda: len(_alerts_for_the_lead(standin)) == 3, 30)
        await asyncio.sleep(0.5)  # nothing more comes
    finally:
        await h.shutdown()
    assert _alerts_for_the_lead(standin) == {"000": [False], "001": [True], "002": [False]}
    assert await count(settings, "alert_outbox") == 0


class _Outbox:
    """The two operations AlertService.pending needs, in memory, every alert in flight."""

    def __init__(self) -> None:
        self.sealed: list[bytes] = []
        self.in_flight = True

    async def save_draft_with_alert(self, draft: object, sealed: bytes, today: str) -> str:
        self.sealed.append(sealed)
        return str(len(self.sealed))

    async def pending_alerts(self) -> list[tuple[str, bytes, bool]]:
        return [(str(n), s, self.in_flight) for n, s in enumerate(self.sealed, 1)]


async def test_the_longest_alert_still_fits_one_message_with_the_label() -> None:
    """The alert keeps room for the label when it is written, so an answer at the limit (emoji
    count twice) is cut there, and the label never pushes the alert's last words out."""
    from datetime import UTC, datetime
    from typing import cast

    from prompts import load_catalog
    from services.alerts import MESSAGE_UNITS, AlertService, units
    from services.journey_state import Journey
    from services.sealing import ALERTS, Cipher
    from services.typed_answers import Taken, TypedAnswers
    from storage.contract import Store
    from storage.records import DraftRow

    catalog = load_catalog()
    clock = lambda: datetime(2026, 12, 3, 10, 0, tzinfo=UTC)  # noqa: E731
    typed = TypedAnswers(catalog, ["en"], contact_help=False, clock=clock)
    answer = "my dad hits me " + "\U0001f622" * 3000
    _, alert = typed.notes(Journey.new(1, "en"), "test-poll", Taken(answer, False, True))
    assert alert is not None
    outbox = _Outbox()
    alerts = AlertService(cast(Store, outbox), Cipher(b"k" * 32, ALERTS), catalog, clock)
    await alerts.queue_with_draft(DraftRow(b"o", "t", 1, "{}", 0), alert)
    [again] = await alerts.pending()
    assert again.again and again.text.startswith(AGAIN_LABEL)
    assert units(again.text) <= MESSAGE_UNITS
    assert again.text.endswith(alert[alert.rindex("\n\n") :])  # "Why: ... 999." kept whole
    outbox.in_flight = False
    [first] = await alerts.pending()
    assert not first.again and first.text == alert


async def test_an_alert_that_no_longer_opens_does_not_hold_back_the_others(
    tmp_path: Path, database_url: str | None
) -> None:
    """An alert sealed with another key (queued before ``markbot run --new-key``, or a damaged
    row) can never be read again. It is dropped with an error in the log, and every other
    alert still goes, instead of the sender failing on it for ever (no alert reaching the
    lead again)."""
    import secrets

    from bot.app import open_runtime
    from services.alerts import AlertService
    from services.sealing import ALERTS, Cipher
    from storage.records import DraftRow
    from tests.conftest import SIMPLE_POLL

    settings = make_settings(tmp_path, database_url, safeguarding_chat=LEAD)
    runtime = await open_runtime(settings)
    try:
        services = runtime.services
        poll = services.polls.parse(SIMPLE_POLL, "t.yaml")
        poll_id = await services.polls.create(poll, status="open")
        alerts = services.alerts
        assert alerts is not None
        old = AlertService(runtime.store, Cipher(secrets.token_bytes(32), ALERTS), services.catalog)
        await old.queue_with_draft(DraftRow(b"o" * 32, "t1", poll_id, "{}", 0), "the old one")
        await alerts.queue_with_draft(DraftRow(b"p" * 32, "t2", poll_id, "{}", 0), "a new one")
        pending = await alerts.pending()
        assert [p.text for p in pending] == ["a new one"]
        assert len(await runtime.store.pending_alerts()) == 1
    finally:
        await runtime.close()
