"""Defects found by review 27 (fresh eyes on the day's changes): Telegram's Stop asking first,
the counted note in the ballot's transaction, paper headers, poll-file numbers, the web's
contact pages and scrub round 17. Each test failed before its fix (or is a strict xfail)."""

from __future__ import annotations

from pathlib import Path

from conftest import Harness, make_settings, to_text_question

from standin import FakeGroup
from tests.stored import count
from tests.test_contact_requests import (  # noqa: F401  (the safeguarding chat's fixtures)
    ASK,
    h,
    lead,
    lead_settings,
)
from tests.test_language_offer_e2e import WELSH, _tap, _to_first_text
from tests.test_web_ballot import OPEN_POLL, _answer, open_with_polls
from tests.webclient import Browser, web_client

# --- Telegram's Stop asks first ------------------------------------------------------------


async def test_stop_after_the_poll_closed_says_so_as_the_web_stop_page_does(
    markbot: Harness,
) -> None:
    """Stop once the poll has closed asked "Delete your answers? If you stop now..." as if
    not stopping could still count them (No then said the poll had closed). The web's stop
    page says the poll closed at once (journey_state), and so does every other tap here."""
    await markbot.add_poll()
    user = markbot.user(27001)
    await to_text_question(user)
    await user.press("Skip this question")
    await user.next_output()
    await markbot.runtime.services.polls.set_status("test-poll", "closed")
    await user.press("Stop")
    out = await user.next_output()
    assert "closed before your answers were sent" in out.plain
    assert "Delete your answers?" not in out.plain
    assert await count(markbot, "drafts") == 0 and await count(markbot, "ballots") == 0


async def test_no_shows_the_screen_stop_was_pressed_on_with_its_language_offer(
    markbot: Harness,
) -> None:
    """No goes "back to the screen Stop was pressed on": that check screen offered to carry on
    in Welsh, and No showed it without the offer (cleared in memory for the Stop tap, never
    saved), which then came back on a later showing of the same step."""
    user = markbot.user(27002, language_code="en")
    await _to_first_text(markbot, user)
    await user.send_text("We need more buses and safer parks")
    await user.next_output()
    await user.send_text(WELSH)  # the last question: the check screen, with the offer
    check = await user.next_output()
    assert "Hoffet ti barhau yn Gymraeg?" in check.plain
    await _tap(user, "Stop")
    back = await _tap(user, "No, go back")
    assert back.plain == check.plain and back.buttons == check.buttons
    out = await _tap(user, "Parhau yn Gymraeg")  # the offer works from there
    assert "Gwiria dy atebion" in out.plain and ["Anfon fy atebion"] in out.buttons


async def test_stop_after_signposting_keeps_the_contact_offer(h: Harness, lead: FakeGroup) -> None:  # noqa: F811
    """After signposting, "I'd like an adult to contact me" is on every screen to the end
    (screens._with_offers), the thank-you screen too; Stop's question dropped it, just when
    someone who was signposted may be leaving."""
    user = h.user(27003)
    await to_text_question(user)
    await user.send_text("I self-harm and nobody knows")
    check = await user.next_output()
    await lead.next_output()
    assert [ASK] in check.buttons
    await user.press("Stop")
    ask = await user.next_output()
    assert "Delete your answers?" in ask.plain
    assert [ASK] in ask.buttons
    await user.press("No, go back")
    back = await user.next_output()
    assert [ASK] in back.buttons


async def test_the_web_stop_page_keeps_the_contact_link_after_signposting(
    tmp_path: Path, database_url: str | None
) -> None:
    """The web's counterpart: every page after signposting links to "I'd like an adult to
    contact me" (help_url) except the stop page, which asks "Delete your answers?"."""
    settings = make_settings(tmp_path, database_url, safeguarding_chat=-100123)
    rt = await open_with_polls(settings, OPEN_POLL)
    try:
        async with web_client(rt) as client:
            b = Browser(client)
            page = await _answer(b, ["16-18", "south", "jobs", "i want to kill myself"])
            assert "/v/web-poll/help" in page.text
            page = await b.get("/v/web-poll/stop")
            assert "Delete your answers?" in page.plain
            assert "/v/web-poll/help" in page.text
    finally:
        await rt.close()
