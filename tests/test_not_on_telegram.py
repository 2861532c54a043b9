"""Telegram's terms (16 or over in the UK): younger people are sent to the web ballot (every
test on SQLite and on PostgreSQL: conftest's ``database_url``)."""

from __future__ import annotations

from pathlib import Path

from standin import BotApiStandin
from tests.conftest import SIMPLE_POLL, Harness, make_settings, start_markbot
from tests.stored import count

YOUNG_POLL = SIMPLE_POLL.replace(
    "    ineligible: [Under 10, Over 25]\n",
    "    ineligible: [Under 10, Over 25]\n    not_on_telegram: [10-12, 13-15]\n",
)


async def _pick_age(markbot: Harness, label: str) -> str:
    user = markbot.user(2002)
    await user.send_command("start", "test-poll")
    await user.next_output()
    await user.press("Start")
    await user.next_output()
    await user.press(label)
    return (await user.next_output()).plain


async def test_under_16_is_pointed_to_the_web_and_nothing_is_kept(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    settings = make_settings(
        tmp_path,
        database_url,
        api_url=standin.base_url,
        public_url="https://votes.example.gov.uk",
    )
    markbot = await start_markbot(standin, settings)
    try:
        await markbot.add_poll(YOUNG_POLL)
        text = await _pick_age(markbot, "13-15")
        assert "16 or over" in text and "https://votes.example.gov.uk/v/test-poll" in text
        await markbot.runtime.store.flush_drafts()
    finally:
        await markbot.shutdown()
    assert await count(settings, "drafts") == 0
    assert await count(settings, "voters") == 0


async def test_without_a_web_ballot_they_are_told_about_paper(markbot: Harness) -> None:
    await markbot.add_poll(YOUNG_POLL)
    text = await _pick_age(markbot, "10-12")
    assert "paper ballot" in text and "http" not in text


async def test_16_and_over_carry_on(markbot: Harness) -> None:
    await markbot.add_poll(YOUNG_POLL)
    text = await _pick_age(markbot, "16-18")
    assert "Question 2 of 4" in text
