"""Safeguarding phrases: real disclosures match; figures of speech don't."""

from __future__ import annotations

import pytest

from services.safeguarding import concerning


@pytest.mark.parametrize(
    "text",
    [
        "I want to kill myself",
        "sometimes i want to kill my self",
        "my dad hits me",
        "My step dad hurts me when he's drunk",
        "I self-harm and nobody knows",
        "I don't want to be alive anymore",
        "I'm not safe at home",
        "I'm scared to go home",
        "they make me carry drugs",
        "I was groomed online",
        "Dw i eisiau marw",
        "mae dad yn fy nharo",
        "dw i ddim yn saff adre",
    ],
)
def test_disclosures_match(text: str) -> None:
    assert concerning(text)


@pytest.mark.parametrize(
    "text",
    [
        "this homework is killing me",
        "hit the gym more, it helps",
        "exams are killing me lol",
        "my dad helps me with maths",
        "I'm dying to see the new park",
        "the buses are so bad I could die",
    ],
)
def test_figures_of_speech_do_not(text: str) -> None:
    assert not concerning(text)


async def test_signposting_alert_and_flag_end_to_end(standin, tmp_path) -> None:
    import sqlite3

    from conftest import start_markbot

    from bot.settings import Settings

    lead = standin.user(8080, "Lead")
    settings = Settings(
        db=tmp_path / "s.db",
        api_url=standin.base_url,
        safeguarding_chat=lead.id,
        _env_file=None,  # type: ignore[call-arg]
    )
    h = await start_markbot(standin, settings)
    try:
        await h.add_poll()
        user = h.user(8181, first_name="Robin")
        await user.send_command("start", "test-poll")
        await user.next_output()
        for label in ("Start", "13-15", "North", "Jobs"):
            await user.press(label)
            await user.next_output()
        await user.send_text("my dad hits me, my name is Robin")
        reply = (await user.next_output()).plain
        assert "Childline" in reply and "0800 1111" in reply and "85258" in reply
        assert "999" in reply and "Check your answers" in reply
        alert = (await lead.next_output()).plain
        assert "test-poll" in alert and "my dad hits me" in alert
        assert "Robin" not in alert and "8181" not in alert
        await user.press("Send my answers")
        assert "counted" in (await user.next_output()).plain  # the vote is never discarded
        db = sqlite3.connect(settings.db)
        try:
            assert db.execute("SELECT flagged FROM text_answers").fetchall() == [(1,)]
        finally:
            db.close()
        results = await h.runtime.services.reports.results("test-poll", 0)
        assert [t.flagged for t in results.texts] == [True]
    finally:
        await h.shutdown()


async def test_no_alert_for_ordinary_answers(standin, tmp_path) -> None:
    from conftest import start_markbot

    from bot.settings import Settings

    lead = standin.user(8082, "Lead")
    settings = Settings(
        db=tmp_path / "s.db",
        api_url=standin.base_url,
        safeguarding_chat=lead.id,
        _env_file=None,  # type: ignore[call-arg]
    )
    h = await start_markbot(standin, settings)
    try:
        await h.add_poll()
        user = h.user(8183)
        await user.send_command("start", "test-poll")
        await user.next_output()
        for label in ("Start", "13-15", "North", "Jobs"):
            await user.press(label)
            await user.next_output()
        await user.send_text("this homework is killing me, we need more youth clubs")
        assert "Childline" not in (await user.next_output()).plain
        await lead.expect_no_output(0.3)
    finally:
        await h.shutdown()
