"""A typed context, so handlers reach the services without string keys scattered about."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from services.container import Services
from services.journey import AlsoRead

SERVICES_KEY = "markbot.services"


class MarkbotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with ``services``, and what the prime handler read for this update
    (PTB makes one context per update and hands it to every group's handler)."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id, user_id)
        # With several processes: the sealed contact request this person is part-way through,
        # read with their language choice before any handler; None until then, and after the
        # first handler that asks has used it (see handlers/safeguarding.py waiting).
        self.primed_pending: AlsoRead | None = None

    @property
    def services(self) -> Services:
        return self.application.bot_data[SERVICES_KEY]  # type: ignore[no-any-return]


def attach(application: Application[Any, Any, Any, Any, Any, Any], services: Services) -> None:
    application.bot_data[SERVICES_KEY] = services
