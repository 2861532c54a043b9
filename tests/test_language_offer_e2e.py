"""Typing in the other language the bot speaks brings an offer to switch: once, never forced
(every test on SQLite and on PostgreSQL: conftest's ``database_url``)."""

from __future__ import annotations

from conftest import SIMPLE_POLL, Harness

from standin import BotOutput, FakeUser
from tests.stored import rows

BILINGUAL_POLL = """\
code: bilingual
title: {en: Our area, cy: Ein hardal}
questions:
  - id: area
    kind: choice
    text: {en: "Where do you live?", cy: "Ble rwyt ti'n byw?"}
    options:
      - {id: north, label: {en: North, cy: Gogledd}}
      - {id: south, label: {en: South, cy: De}}
    breakdown: true
  - id: why
    kind: text
    text: {en: "What would make it better?", cy: "Beth fyddai'n ei wella?"}
  - id: more
    kind: text
    optional: true
    text: {en: "Anything else?", cy: "Unrhyw beth arall?"}
"""
WELSH = "Mae angen mwy o glybiau ieuenctid yn y pentref"


async def _tap(user: FakeUser, label: str) -> BotOutput:
    await user.press(label)
    return await user.next_output()


async def _to_first_text(h: Harness, user: FakeUser) -> None:
    await h.add_poll(BILINGUAL_POLL)
    await user.send_command("start", "bilingual")
    await user.next_output()
    await _tap(user, "Start")
    await _tap(user, "North")


async def test_welsh_typed_in_english_offers_welsh_and_remembers(markbot: Harness) -> None:
    user = markbot.user(3001, language_code="en")
    await _to_first_text(markbot, user)
    await user.send_text(WELSH)
    out = await user.next_output()
    assert "Anything else?" in out.plain  # the next question, still in English
    assert "Hoffet ti barhau yn Gymraeg?" in out.plain  # the offer, worded in Welsh
    assert ["Parhau yn Gymraeg"] in out.buttons
    out = await _tap(user, "Parhau yn Gymraeg")
    assert "Unrhyw beth arall?" in out.plain and "Parhau yn Gymraeg" not in str(out.buttons)
    assert await rows(markbot, "preferences", "lang") == [("cy",)]
    # A later English answer offers English back, once.
    await user.send_text("We need more buses and safer parks")
    out = await user.next_output()
    assert ["Carry on in English"] in out.buttons
    submit = out.buttons[0][0]
    out = await _tap(user, submit)  # ignoring the offer is fine: the vote counts
    assert await rows(markbot, "ballots", "lang") == [(None,)]  # kept by no ballot (privacy25)
    assert sorted(await rows(markbot, "text_answers", "question", "lang")) == [
        ("more", "en"),
        ("why", "cy"),
    ]


async def test_offer_is_made_once_and_goes_with_the_next_tap(markbot: Harness) -> None:
    user = markbot.user(3002, language_code="en")
    await _to_first_text(markbot, user)
    await user.send_text(WELSH)
    out = await user.next_output()
    assert ["Parhau yn Gymraeg"] in out.buttons
    out = await _tap(user, "Back")  # moving on without taking it: the offer is gone
    assert "Parhau yn Gymraeg" not in str(out.buttons)
    await user.send_text("Mwy o fysiau os gwelwch yn dda")  # Welsh again: not offered twice
    out = await user.next_output()
    assert "Parhau yn Gymraeg" not in str(out.buttons) and "Anything else?" in out.plain


async def test_no_offer_when_the_poll_has_no_welsh(markbot: Harness) -> None:
    await markbot.add_poll(SIMPLE_POLL)
    user = markbot.user(3003, language_code="en")
    await user.send_command("start", "test-poll")
    await user.next_output()
    for label in ("Start", "13-15", "North", "Jobs"):
        await _tap(user, label)
    await user.send_text(WELSH)
    out = await user.next_output()
    assert "Gymraeg" not in out.plain and "Gymraeg" not in str(out.buttons)


async def test_no_offer_for_the_language_already_in_use(markbot: Harness) -> None:
    user = markbot.user(3004, language_code="cy")
    await _to_first_text_welsh(markbot, user)
    await user.send_text(WELSH)
    out = await user.next_output()
    assert "Gymraeg" not in str(out.buttons) and "English" not in str(out.buttons)


async def _to_first_text_welsh(h: Harness, user: FakeUser) -> None:
    await h.add_poll(BILINGUAL_POLL)
    await user.send_command("start", "bilingual")
    notice = await user.next_output()
    await _tap(user, notice.buttons[0][0])
    await _tap(user, "Gogledd")


async def test_offer_goes_once_the_next_answer_is_typed(markbot: Harness) -> None:
    user = markbot.user(3005, language_code="en")
    await _to_first_text(markbot, user)
    await user.send_text(WELSH)
    assert ["Parhau yn Gymraeg"] in (await user.next_output()).buttons
    await user.send_text("more buses to town please")  # English now: the offer is stale
    out = await user.next_output()
    assert "Check your answers" in out.plain
    assert "Gymraeg" not in out.plain and "Gymraeg" not in str(out.buttons)
