"""Hostile input and faults found in review 22 (issue 14): each test is a defect seen first
from the outside (the real PTB client over HTTP against the Bot API stand-in)."""

from __future__ import annotations

import logging

import aiohttp
import pytest

from bot.settings import Settings
from standin import BotApiStandin
from tests.test_webhook import SECRET, hooked  # noqa: F401  (the webhook fixture)

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
