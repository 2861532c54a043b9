"""Faults and hostile input through the Bot API stand-in: replayed taps, messages that are
gone, text no database or Telegram would take, and a database that can't write."""

from __future__ import annotations

import logging

import pytest
from conftest import Harness


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
