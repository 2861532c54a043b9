""" "I'd like an adult to contact me": consent, encryption, the lead's chat only, deleted when
handled; and no offer at all when no safeguarding chat is set."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import Harness, start_markbot

from bot.settings import Settings
from standin import BotApiStandin, FakeUser

LEAD_CHAT = -100777
CONTACT = "07700 900456 after 4pm, Hillside School"


@pytest.fixture
def lead_settings(tmp_path: Path, standin: BotApiStandin) -> Settings:
    return Settings(
        db=tmp_path / "c.db",
        key_file=tmp_path / "secret" / "c.key",
        api_url=standin.base_url,
        safeguarding_chat=LEAD_CHAT,
        _env_file=None,  # type: ignore[call-arg]
    )


async def _to_text_question(user: FakeUser) -> None:
    await user.send_command("start", "test-poll")
    await user.next_output()
    for label in ("Start", "13-15", "North", "Jobs"):
        await user.press(label)
        await user.next_output()


def _raw_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*") if p.is_file())


def _requests(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT id, waiting, sent_at, delivered FROM contact_requests"
        ).fetchall()
    finally:
        conn.close()


async def test_contact_request_reaches_the_lead_encrypted_and_is_deleted_when_handled(
    standin: BotApiStandin, lead_settings: Settings
) -> None:
    lead = standin.group(LEAD_CHAT, "Safeguarding leads")
    lead_person = standin.user(9001, "Lead")
    h = await start_markbot(standin, lead_settings)
    try:
        await h.add_poll()
        user = h.user(9101, first_name="Robin")
        await _to_text_question(user)
        await user.send_text("my dad hits me")
        reply = await user.next_output()
        assert "Childline" in reply.plain and "Check your answers" in reply.plain
        assert ["I'd like an adult to contact me"] in reply.buttons
        alert = await lead.next_output()  # the anonymous alert, as before
        assert "my dad hits me" in alert.plain

        await user.press("I'd like an adult to contact me")
        ask = await user.next_output()
        assert "Only this adult will see it" in ask.plain and "999" in ask.plain
        assert _requests(lead_settings.db)[0][1] is not None  # waiting: found by a keyed hash

        await user.send_text(CONTACT)
        check = await user.next_output()
        assert CONTACT in check.plain and ["Send it"] in check.buttons
        await lead.expect_no_output(0.3)  # nothing goes anywhere before Send

        await user.press("Send it")
        sent = await user.next_output()
        assert "passed this on" in sent.plain and "999" in sent.plain
        request = await lead.next_output()
        assert CONTACT in request.plain and "test-poll" in request.plain
        assert ["Mark handled"] in request.buttons
        assert "Robin" not in request.plain and "9101" not in request.plain
        await standin.wait_idle()
        [(rid, waiting, sent_at, delivered)] = _requests(lead_settings.db)
        assert waiting is None and sent_at is not None and delivered == 1  # sender forgotten

        # The journey carries on: the detail was not taken as the open answer.
        await user.press("Send my answers", message_id=reply.message["message_id"])
        assert "counted" in (await user.next_output()).plain
        conn = sqlite3.connect(lead_settings.db)
        try:
            assert conn.execute("SELECT body FROM text_answers").fetchall() == [("my dad hits me",)]
        finally:
            conn.close()
        await h.runtime.store.flush_drafts()
        raw = _raw_bytes(lead_settings.db)
        assert b"07700" not in raw and b"Hillside" not in raw  # encrypted at rest, WAL too

        # Only the safeguarding chat can mark it handled.
        await standin.wait_idle()
        user.drain_callback_answers()
        await user.press_data(f"sg:done:{rid}")
        answer = await user.next_callback_answer()
        assert answer.get("show_alert")
        assert len(_requests(lead_settings.db)) == 1
        await lead.press(lead_person, "Mark handled")
        await standin.wait_idle()
        assert _requests(lead_settings.db) == []
        edited = lead.last_bot_message()
        assert edited is not None and "07700" not in edited["text"]
        assert "marked handled" in edited["text"]
    finally:
        await h.shutdown()


async def test_dont_send_deletes_what_was_typed(
    standin: BotApiStandin, lead_settings: Settings
) -> None:
    lead = standin.group(LEAD_CHAT)
    h = await start_markbot(standin, lead_settings)
    try:
        await h.add_poll()
        user = h.user(9102)
        await _to_text_question(user)
        await user.send_text("I want to kill myself")
        await user.next_output()
        await lead.next_output()
        await user.press("I'd like an adult to contact me")
        await user.next_output()
        await user.send_text(CONTACT)
        await user.next_output()
        await user.press("Don't send anything")
        out = await user.next_output()
        assert "Nothing was sent" in out.plain and "0800 1111" in out.plain
        assert _requests(lead_settings.db) == []
        await lead.expect_no_output(0.3)
        await standin.wait_idle()
        user.drain_callback_answers()
        await user.press_data("sg:send")  # a stale Send afterwards: nothing to send
        await user.next_callback_answer()
        await lead.expect_no_output(0.3)
        # Typing now goes to the journey again (on the check screen: "use the buttons").
        await user.send_text("more youth clubs please")
        assert "tapping one of the buttons" in (await user.next_output()).plain
    finally:
        await h.shutdown()


async def test_a_restart_between_tap_and_typing_loses_nothing(
    standin: BotApiStandin, lead_settings: Settings
) -> None:
    lead = standin.group(LEAD_CHAT)
    h = await start_markbot(standin, lead_settings)
    await h.add_poll()
    user = h.user(9103)
    await _to_text_question(user)
    await user.send_text("I'm not safe at home")
    await user.next_output()
    await lead.next_output()
    await user.press("I'd like an adult to contact me")
    await user.next_output()
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
    await _to_text_question(user)
    await user.send_text("my mum hurts me")
    await user.next_output()
    await user.press("I'd like an adult to contact me")
    await user.next_output()
    await user.send_text(CONTACT)
    await user.next_output()
    await user.press("Send it")  # the lead's chat doesn't exist yet: the send fails
    assert "passed this on" in (await user.next_output()).plain
    await standin.wait_idle()
    assert _requests(lead_settings.db)[0][3] == 0  # kept, not delivered
    await h.shutdown()
    lead = standin.group(LEAD_CHAT)
    h = await start_markbot(standin, lead_settings)
    try:
        assert CONTACT in (await lead.next_output()).plain
        await standin.wait_idle()
        assert _requests(lead_settings.db)[0][3] == 1
    finally:
        await h.shutdown()


async def test_no_offer_without_a_safeguarding_chat(markbot: Harness) -> None:
    await markbot.add_poll()
    user = markbot.user(9105)
    await _to_text_question(user)
    await user.send_text("my dad hits me")
    reply = await user.next_output()
    assert "Childline" in reply.plain
    assert all("adult" not in label for row in reply.buttons for label in row)
    await markbot.standin.wait_idle()
    user.drain_callback_answers()
    await user.press_data("sg:ask:test-poll")  # forged: nobody could act on it
    answer = await user.next_callback_answer()
    assert answer.get("show_alert")
    await user.send_text("01234 567890")  # not taken as a contact detail
    assert "tapping one of the buttons" in (await user.next_output()).plain
    conn = sqlite3.connect(markbot.settings.db)
    try:
        assert conn.execute("SELECT count(*) FROM contact_requests").fetchone() == (0,)
    finally:
        conn.close()


async def test_offer_stays_to_the_thank_you_screen(
    standin: BotApiStandin, lead_settings: Settings
) -> None:
    lead = standin.group(LEAD_CHAT)
    h = await start_markbot(standin, lead_settings)
    try:
        await h.add_poll()
        user = h.user(9106)
        await _to_text_question(user)
        await user.send_text("I self-harm and nobody knows")
        await user.next_output()
        await lead.next_output()
        await user.press("Send my answers")
        thanks = await user.next_output()
        assert "counted" in thanks.plain
        assert ["I'd like an adult to contact me"] in thanks.buttons
    finally:
        await h.shutdown()


async def test_contacts_command_only_in_the_lead_chat(
    standin: BotApiStandin, lead_settings: Settings
) -> None:
    lead = standin.group(LEAD_CHAT)
    lead_person = standin.user(9002, "Lead")
    other = standin.group(-100888, "Some other group")
    h = await start_markbot(standin, lead_settings)
    try:
        await h.add_poll()
        await lead.send_command(lead_person, "contacts")
        assert "no contact requests" in (await lead.next_output()).plain
        user = h.user(9107)
        await _to_text_question(user)
        await user.send_text("my dad hits me")
        await user.next_output()
        await lead.next_output()
        await user.press("I'd like an adult to contact me")
        await user.next_output()
        await user.send_text(CONTACT)
        await user.next_output()
        await user.press("Send it")
        await user.next_output()
        await lead.next_output()
        await lead.send_command(lead_person, "contacts")
        assert CONTACT in (await lead.next_output()).plain  # shown again until handled
        await other.send_command(lead_person, "contacts")
        assert CONTACT not in (await other.next_output()).plain
    finally:
        await h.shutdown()
