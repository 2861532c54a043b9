"""The one error handler: log without personal data, tell the person something kind."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError

from handlers.context import MarkbotContext
from handlers.show import is_gone, is_old_query, person, show

log = logging.getLogger("markbot.errors")


async def on_error(update: object, context: MarkbotContext) -> None:
    """Log the error's type and where it happened, never the update's content."""
    error = context.error
    if update is None:  # polling trouble: PTB retries by itself
        level = logging.WARNING if isinstance(error, NetworkError) else logging.ERROR
        log.log(level, "polling error: %s", type(error).__name__)
        return
    kind = "callback" if isinstance(update, Update) and update.callback_query else "message"
    if isinstance(error, BadRequest) and (is_old_query(error) or is_gone(error)):
        # a replayed or late tap, or a tap on a message that is gone: expected, and answering
        # once more would only be refused again
        log.info("a %s update about an old tap or message: %s", kind, error.message)
        return
    log.error(
        "error handling a %s update: %s",
        kind,
        type(error).__name__,
        exc_info=not isinstance(error, TelegramError) and error is not None,
    )
    if not isinstance(update, Update) or isinstance(error, Forbidden):
        return
    try:
        journey = context.services.journey
        if update.callback_query is not None:
            await update.callback_query.answer(
                journey.toast(person(update), "error"), show_alert=True
            )
        elif update.effective_chat is not None and update.effective_chat.type == "private":
            await show(update, context, journey.say(person(update), "error"))
    except TelegramError:
        log.warning("could not tell the person about the error")
