""" "I'd like an adult to contact me": consent, encryption, the lead's chat only, deleted when
handled; and no offer at all when no safeguarding chat is set (every test on SQLite and on
PostgreSQL: conftest's ``database_url``)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import Harness, make_settings, start_markbot, to_text_question

from bot.settings import Settings
from prompts import load_catalog
from services import contact_requests
from services.contact_requests import ContactRequestService, LeadMessage
from services.identity import Hasher
from services.journey import Person
from services.sealing import CONTACTS, Cipher
from standin import BotApiStandin, BotOutput, FakeGroup, FakeUser
from storage.contract import Store
from storage.open import open_store
from tests.stored import assert_nowhere, count, rows

LEAD_CHAT = -100777
CONTACT = "07700 900456 after 4pm, Hillside School"
ASK = "I'd like an adult to contact me"


@pytest.fixture
def lead(standin: BotApiStandin) -> FakeGroup:
    """The safeguarding leads' group chat."""
    return standin.group(LEAD_CHAT, "Safeguarding leads")


@pytest.fixture
async def h(
    standin: BotApiStandin, lead_settings: Settings, lead: FakeGroup
) -> AsyncIterator[Harness]:
    """markbot with a safeguarding chat and the test poll open."""
    harness = await start_markbot(standin, lead_settings)
    try:
        await harness.add_poll()
        yield harness
    finally:
        await harness.shutdown()


@pytest.fixture
def lead_settings(tmp_path: Path, standin: BotApiStandin, database_url: str | None) -> Settings:
    return make_settings(
        tmp_path, database_url, api_url=standin.base_url, safeguarding_chat=LEAD_CHAT
    )


async def _disclose_and_ask(user: FakeUser, lead: FakeUser | None, text: str) -> None:
    await to_text_question(user)
    await user.send_text(text)
    await user.next_output()
    if lead is not None:
        await lead.next_output()  # the anonymous alert
    await user.press(ASK)
    await user.next_output()


async def _request_sent(user: FakeUser, lead: FakeGroup, detail: str = CONTACT) -> BotOutput:
    """Disclose, ask, type ``detail`` and send it; the lead's message about it."""
    await _disclose_and_ask(user, lead, "my dad hits me")
    await user.send_text(detail)
    await user.next_output()
    await user.press("Send it")
    await user.next_output()
    return await lead.next_output()


async def _eventually(
    condition: Callable[[], bool | Awaitable[bool]], timeout: float = 5.0
) -> None:
    """Wait until ``condition()`` holds (a reply lands a moment after the last output)."""
    for _ in range(int(timeout / 0.02)):
        held = condition()
        if held if isinstance(held, bool) else await held:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


async def _requests(source: object) -> list[tuple]:
    """(id, sent_on, delivered) of each stored contact request."""
    return await rows(source, "contact_requests", "id", "sent_on", "delivered")


async def _delivered(source: object) -> bool:
    """Whether the one stored request is marked delivered."""
    return await rows(source, "contact_requests", "delivered") == [(1,)]


async def _none_left(source: object) -> bool:
    return await _requests(source) == []


def _check_screen_id(user: FakeUser) -> int:
    for message in reversed(user.messages):
        if "Check your answers" in message.get("plain", ""):
            return int(message["message_id"])
    raise LookupError("no check screen")


async def _tap_for_answer(
    user: FakeUser, standin: BotApiStandin, *, data: str = "", label: str = "", **kw: int
) -> dict:
    """Press (forged ``data`` or a button ``label``) and return the pop-up answer to it."""
    await standin.wait_idle()
    user.drain_callback_answers()
    if data:
        await user.press_data(data, **kw)
    else:
        await user.press(label, **kw)
    return await user.next_callback_answer()


async def test_contact_request_reaches_the_lead_encrypted_and_is_deleted_when_handled(
    h: Harness, lead: FakeGroup
) -> None:
    lead_person = h.standin.user(9001, "Lead")
    user = h.user(9101, first_name="Robin")
    await to_text_question(user)
    await user.send_text("my dad hits me")
    reply = await user.next_output()
    assert "Childline" in reply.plain and "Check your answers" in reply.plain
    assert [ASK] in reply.buttons
    alert = await lead.next_output()  # the anonymous alert, as before
    assert "my dad hits me" in alert.plain

    await user.press(ASK)
    ask = await user.next_output()
    assert "Only the adults who do this job will see it" in ask.plain and "999" in ask.plain
    assert await count(h, "contact_waiting") == 1

    await user.send_text(CONTACT)
    check = await user.next_output()
    assert CONTACT in check.plain and ["Send it"] in check.buttons
    await lead.expect_no_output(0.3)  # nothing goes anywhere before Send
    await assert_nowhere(h, "07700")  # not even kept before Send
    assert await _requests(h) == []

    await user.press("Send it")
    sent = await user.next_output()
    assert "passed this on" in sent.plain and "999" in sent.plain
    request = await lead.next_output()
    assert CONTACT in request.plain and "test-poll" in request.plain
    assert ["Mark handled"] in request.buttons
    assert "Robin" not in request.plain and "9101" not in request.plain
    await _eventually(lambda: _delivered(h))
    [(rid, sent_on, delivered)] = await _requests(h)
    assert len(sent_on) == 10 and delivered == 1  # a date, no time
    assert await count(h, "contact_waiting") == 0  # sender forgotten

    # The journey carries on: the detail was not taken as the open answer.
    await user.press("Send my answers", message_id=_check_screen_id(user))
    assert "counted" in (await user.next_output()).plain
    assert len(await rows(h, "ballots", "id")) == 1
    # the disclosure stays only in what the lead was sent: stored with the ballot, it would
    # lead from this contact detail to this person's votes
    assert await rows(h, "text_answers", "body") == []
    await assert_nowhere(h, "07700", "Hillside")  # encrypted at rest, WAL too

    # Only the safeguarding chat can mark it handled.
    answer = await _tap_for_answer(user, h.standin, data=f"sg:done:{rid}")
    assert answer.get("show_alert")
    assert len(await _requests(h)) == 1
    await lead.press(lead_person, "Mark handled")
    await _eventually(lambda: _none_left(h))
    await _eventually(lambda: "marked handled" in str(lead.last_bot_message()))
    edited = lead.last_bot_message()
    assert edited is not None and "07700" not in edited["text"]
    assert "marked handled" in edited["text"]


async def test_send_sends_only_the_version_on_that_screen(h: Harness, lead: FakeGroup) -> None:
    user = h.user(9108)
    await _disclose_and_ask(user, lead, "my dad hits me")
    await user.send_text("FIRST 07700 900111")
    first = await user.next_output()
    await user.send_text("SECOND 07700 900222")
    await user.next_output()
    answer = await _tap_for_answer(
        user, h.standin, label="Send it", message_id=first.message["message_id"]
    )
    assert "older version" in answer["text"]
    await lead.expect_no_output(0.3)
    await user.press("Send it")  # the newest
    await user.next_output()
    assert "SECOND" in (await lead.next_output()).plain
    # The ask message's old "Don't send anything" can't say nothing was sent now.
    ask_id = next(m["message_id"] for m in user.messages if "Someone to talk to" in m["plain"])
    await user.press("Don't send anything", message_id=ask_id)
    out = await user.next_output()
    assert "nothing waiting" in out.plain.lower() and "Nothing was sent" not in out.plain
    assert len(await _requests(h)) == 1


async def test_dont_send_forgets_what_was_typed(h: Harness, lead: FakeGroup) -> None:
    user = h.user(9102)
    await _disclose_and_ask(user, lead, "I want to kill myself")
    await user.send_text(CONTACT)
    check = await user.next_output()
    await user.press("Don't send anything")
    out = await user.next_output()
    assert "Nothing was sent" in out.plain and "0800 1111" in out.plain
    assert await count(h, "contact_waiting") == 0
    assert check.buttons[0] == ["Send it"]
    await user.press_data("sg:send:abcdef")  # a stale Send
    await user.next_output()
    await lead.expect_no_output(0.3)
    assert await _requests(h) == []
    # Typing now goes to the journey again (on the check screen: "use the buttons").
    await user.send_text("more youth clubs please")
    assert "tapping one of the buttons" in (await user.next_output()).plain


async def test_going_back_to_the_poll_ends_the_wait_for_a_detail(
    h: Harness, lead: FakeGroup
) -> None:
    user = h.user(9109)
    await _disclose_and_ask(user, lead, "my dad hits me")
    await user.send_command("cancel")  # any command: they have moved on
    await user.next_output()
    await to_text_question(user)
    await user.send_text("more youth clubs please")
    out = await user.next_output()
    assert "Check your answers" in out.plain and "more youth clubs" in out.plain
    assert await count(h, "contact_waiting") == 0


async def test_a_shared_contact_card_is_accepted_while_waiting(h: Harness, lead: FakeGroup) -> None:
    user = h.user(9110)
    await _disclose_and_ask(user, lead, "i'm not safe at home")
    await user.send_contact("+447700900321")
    check = await user.next_output()
    assert "+447700900321" in check.plain and ["Send it"] in check.buttons


async def test_a_restart_between_tap_and_typing_loses_nothing(
    standin: BotApiStandin, lead_settings: Settings
) -> None:
    lead = standin.group(LEAD_CHAT)
    h = await start_markbot(standin, lead_settings)
    await h.add_poll()
    user = h.user(9103)
    await _disclose_and_ask(user, lead, "I'm not safe at home")
    await h.shutdown()
    h = await start_markbot(standin, lead_settings)
    try:
        await user.send_text("sam@example.org")
        check = await user.next_output()
        assert "sam@example.org" in check.plain
        await user.press("Send it")
        await user.next_output()
        assert "sam@example.org" in (await lead.next_output()).plain
    finally:
        await h.shutdown()


async def test_undelivered_request_is_sent_after_a_restart(
    standin: BotApiStandin, lead_settings: Settings
) -> None:
    h = await start_markbot(standin, lead_settings)
    await h.add_poll()
    user = h.user(9104)
    await _disclose_and_ask(user, None, "my mum hurts me")
    await user.send_text(CONTACT)
    await user.next_output()
    await user.press("Send it")  # the lead's chat doesn't exist yet: the send fails
    assert "passed this on" in (await user.next_output()).plain
    await standin.wait_idle()
    assert (await _requests(h))[0][2] == 0  # kept, not delivered
    await h.shutdown()
    lead = standin.group(LEAD_CHAT)
    h = await start_markbot(standin, lead_settings)
    try:
        # Both wait for the lead's chat: the alert (kept in the outbox) and the request.
        got = [(await lead.next_output()).plain, (await lead.next_output()).plain]
        assert sum(CONTACT in text for text in got) == 1
        assert sum("Safeguarding alert" in text for text in got) == 1
        await _eventually(lambda: _delivered(h))
        await lead.expect_no_output(0.3)  # each once
    finally:
        await h.shutdown()


async def test_no_offer_without_a_safeguarding_chat(markbot: Harness) -> None:
    await markbot.add_poll()
    user = markbot.user(9105)
    await to_text_question(user)
    await user.send_text("my dad hits me")
    reply = await user.next_output()
    assert "Childline" in reply.plain
    assert all("adult" not in label for row in reply.buttons for label in row)
    forged = await _tap_for_answer(user, markbot.standin, data="sg:ask:test-poll")
    assert forged.get("show_alert")  # nobody could act on it
    await user.send_text("01234 567890")  # not taken as a contact detail
    assert "tapping one of the buttons" in (await user.next_output()).plain
    assert await count(markbot, "contact_waiting") == 0


async def test_offer_stays_to_the_thank_you_screen(h: Harness, lead: FakeGroup) -> None:
    user = h.user(9106)
    await to_text_question(user)
    await user.send_text("I self-harm and nobody knows")
    await user.next_output()
    await lead.next_output()
    await user.press("Send my answers")
    thanks = await user.next_output()
    assert "counted" in thanks.plain
    assert [ASK] in thanks.buttons


async def test_a_staff_preview_never_reaches_the_lead(h: Harness, lead: FakeGroup) -> None:
    outcome = await h.runtime.services.journey.start(Person(9120), "test-poll", preview=True)
    assert outcome.screen is not None
    journey = h.runtime.services.journey
    for label in ("go", "a:1", "a:0", "a:3"):
        ctx = await journey._load(Person(9120))
        assert ctx is not None
        action, _, arg = label.partition(":")
        data = f"1:{ctx.journey.token}:{ctx.journey.step}:{action}" + (f":{arg}" if arg else "")
        await journey.press(Person(9120), data)
    out = await journey.text(Person(9120), "my dad hits me")
    assert out.screen is not None and "Childline" in out.screen.text
    assert h.runtime.services.alerts is not None
    assert await h.runtime.services.alerts.pending() == []  # no alert was queued
    assert all("sg:" not in b.data for row in out.screen.buttons for b in row)
    await lead.expect_no_output(0.3)


async def test_lead_chat_contacts_handled_twice_and_forged(h: Harness, lead: FakeGroup) -> None:
    menu = [c["command"] for c in h.standin.commands[f"chat:{LEAD_CHAT}"]]
    assert menu == ["contacts"]
    lead_person = h.standin.user(9002, "Lead")
    other = h.standin.group(-100888, "Some other group")
    await lead.send_command(lead_person, "contacts")
    assert "no contact requests" in (await lead.next_output()).plain
    original = await _request_sent(h.user(9107), lead)
    await _eventually(lambda: _delivered(h))
    await lead.send_command(lead_person, "contacts")
    again = await lead.next_output()
    assert CONTACT in again.plain  # shown again until handled...
    await h.standin.wait_idle()

    def old() -> str:
        mid = original.message["message_id"]
        return str(next(m["plain"] for m in lead.messages if m["message_id"] == mid))

    await _eventually(lambda: "shown again below" in old())
    assert CONTACT not in old()  # ...and only ever in one message
    await other.send_command(lead_person, "contacts")
    assert CONTACT not in (await other.next_output()).plain
    # Forged buttons in the lead chat: a short answer; nothing changes or breaks.
    for data in ("sg:done:²", "sg:done:999999999999", "sg:done:", "sg:done:1:2"):
        await h.standin.wait_idle()
        lead_person.drain_callback_answers()
        await lead.press_data(lead_person, data)
        answer = await lead_person.next_callback_answer()
        assert answer.get("show_alert") and "old message" in answer["text"]
    assert CONTACT in lead.last_bot_message()["plain"]
    assert len(await _requests(h)) == 1
    await lead.press(lead_person, "Mark handled")
    await _eventually(lambda: _none_left(h))
    await _eventually(lambda: "marked handled" in str(lead.last_bot_message()))
    await h.standin.wait_idle()
    lead_person.drain_callback_answers()
    await lead.press_data(lead_person, "sg:done:1", message_id=again.message["message_id"])
    assert (await lead_person.next_callback_answer()).get("show_alert")
    # A new request gets a new number: an old button can never delete it.
    await h.standin.wait_idle()
    lead.drain()
    newest = await _request_sent(h.user(9111), lead, "new 07700 900999")
    assert "#2" in newest.plain


def _service(
    store: Store, clock: Callable[[], datetime] = lambda: datetime.now(UTC)
) -> ContactRequestService:
    key = b"k" * 32
    return ContactRequestService(
        store, Hasher(key), Cipher(key, CONTACTS), load_catalog(), available=True, clock=clock
    )


async def _sent(service: ContactRequestService, someone: Person) -> LeadMessage:
    """Ask, type a detail and send it, at the service; the lead's message."""
    await service.ask(someone, "en", "sg:ask:test-poll")
    check = await service.typed(someone, "en", "07700 900123")
    assert check is not None and check.screen is not None
    _, lead = await service.send(someone, "en", check.screen.buttons[0][0].data)
    assert lead is not None
    return lead


@pytest.fixture
async def any_store(tmp_path: Path, database_url: str | None) -> AsyncIterator[Store]:
    """A fresh store on each backend."""
    store = await open_store(database_url or tmp_path / "u.db")
    yield store
    await store.close()


async def test_waiting_expires_and_old_requests_are_deleted(any_store: Store) -> None:
    """Unit level, with a clock: 30 minutes to type a detail, 30 days for a lead to act."""
    now = [datetime(2026, 11, 25, 12, 0, tzinfo=UTC)]
    store = any_store
    service = _service(store, lambda: now[0])
    someone = Person(77)
    await service.ask(someone, "en", "sg:ask:test-poll")
    assert await service.is_waiting(someone)
    now[0] += timedelta(minutes=31)
    assert not await service.is_waiting(someone)
    assert await service.typed(someone, "en", "07700 900123") is None
    await service.tidy()
    assert await store.contacts.all_waiting() == []
    for _ in range(3):
        await _sent(service, someone)
    limited = await service.ask(someone, "en", "sg:ask:test-poll")
    assert limited.screen is not None and "already asked today" in limited.screen.text
    now[0] += timedelta(days=31)
    await service.tidy()
    assert await store.contacts.open_requests(undelivered_only=False) == []


async def test_an_answer_edited_into_a_disclosure_gets_the_same_signposting(
    h: Harness, lead: FakeGroup
) -> None:
    user = h.user(9112)
    await to_text_question(user)
    sent = await user.send_text("more youth clubs")
    await user.next_output()
    await lead.expect_no_output(0.2)
    await user.edit_text(sent["message_id"], "more youth clubs. my dad hits me")
    out = await user.next_output()
    assert "changed your answer" in out.plain and "Childline" in out.plain
    assert [ASK] in out.buttons
    assert "my dad hits me" in (await lead.next_output()).plain
    await user.edit_text(sent["message_id"], "more youth clubs. my dad hits me a lot")
    assert "Childline" not in (await user.next_output()).plain  # told once is enough


async def test_a_double_tap_on_send_sends_once(h: Harness, lead: FakeGroup) -> None:
    user = h.user(9113)
    await _disclose_and_ask(user, lead, "my dad hits me")
    await user.send_text(CONTACT)
    await user.next_output()
    await user.press("Send it")
    await user.press("Send it")
    await lead.next_output()
    await lead.expect_no_output(0.4)
    assert len(await _requests(h)) == 1


async def test_two_contacts_commands_at_once_leave_one_copy(h: Harness, lead: FakeGroup) -> None:
    lead_person = h.standin.user(9003, "Lead")
    await _request_sent(h.user(9114), lead)
    await _eventually(lambda: _delivered(h))
    await lead.send_command(lead_person, "contacts")
    await lead.send_command(lead_person, "contacts")
    await h.standin.wait_idle()
    await asyncio.sleep(0.3)
    await h.standin.wait_idle()
    showing = [m for m in lead.messages if CONTACT in m["plain"]]
    assert len(showing) == 1, [m["plain"][:40] for m in lead.messages]


async def test_answering_the_news_offer_keeps_the_contact_button(
    h: Harness, lead: FakeGroup
) -> None:
    user = h.user(9115)
    await to_text_question(user)
    await user.send_text("my dad hits me")
    await user.next_output()
    await user.press("Send my answers")
    assert [ASK] in (await user.next_output()).buttons
    await user.press("No thanks")
    out = await user.next_output()
    assert "counted" in out.plain and out.buttons == [[ASK]]


async def test_mark_handled_on_a_message_telegram_sends_without_its_buttons(
    any_store: Store,
) -> None:
    """Days later Telegram gives the tapped message as 'inaccessible' (no text, no buttons):
    it still works on the message the request was posted as, and on no other."""
    store = any_store
    service = _service(store)
    lead = await _sent(service, Person(78))
    await service.delivered(lead.request_id, 42)
    data = f"sg:done:{lead.request_id}"
    assert await service.handled(data, 41, on_it=False) is None  # another message
    assert await service.handled("sg:done:²", 42, on_it=True) is None
    done = await service.handled(data, 42, on_it=False)
    assert done is not None and "marked handled" in done[0].text
    assert await store.contacts.open_requests(undelivered_only=False) == []
    again = await service.handled(data, 42, on_it=True)
    assert again is not None and "already been marked handled" in again[0].text


@pytest.mark.parametrize(
    ("lang", "month", "other"), [("cy", "Rhagfyr", "Dec"), ("en", "December", "Rhagfyr")]
)
async def test_the_leads_messages_date_in_their_own_language(
    any_store: Store, monkeypatch: pytest.MonkeyPatch, lang: str, month: str, other: str
) -> None:
    """Sent, shown again (/contacts) and handled: each date names the month in LEAD_LANGUAGE,
    the language the lead's messages are worded in (never "Dec" inside Welsh)."""
    monkeypatch.setattr(contact_requests, "LEAD_LANGUAGE", lang)
    service = _service(any_store, lambda: datetime(2026, 12, 3, 3, 11, tzinfo=UTC))
    sent = await _sent(service, Person(78))
    assert f"3 {month} 2026 03:11 UTC" in sent.screen.text
    (again,) = await service.open_requests()
    assert f"3 {month} 2026" in again.screen.text
    button = again.screen.buttons[0][0].data
    handled = await service.handled(button, 1, on_it=True)
    assert handled is not None
    assert f"3 {month} 2026 03:11 UTC" in handled[0].text
    for text in (sent.screen.text, again.screen.text, handled[0].text):
        assert other not in text
