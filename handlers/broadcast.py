"""Messages about new polls: the young person's yes/no and /stop, and the staff's /broadcast.

Broadcast sends go through a second, plain ``Bot`` without PTB's AIORateLimiter. That limiter
answers a 429 by retrying on its own while it holds back every other request, then lets them
all go at once: a burst that would break the broadcast's own pacing. The broadcast service
paces (overall), waits out 429s and retries itself; this module only maps Telegram's answers.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LinkPreviewOptions,
    Message,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    filters,
)
from telegram.request import HTTPXRequest

from handlers.admin import shown_code, staff_only
from handlers.context import SERVICES_KEY, MarkbotContext
from handlers.show import in_private, is_not_modified, lang_of, person, refuse_tap, show
from services.broadcast import FAILED, GONE, MAX_IN_FLIGHT, SENT, Delivery, retry
from services.container import Services
from services.screens import CONTACT_ASK, SUBSCRIBE_NO, SUBSCRIBE_YES, Button
from services.subscriptions import Shown

log = logging.getLogger("markbot.broadcast")

GROUP = -1  # tried before the journey, which would call /stop an unknown command
BULK_BOT = "markbot.bulk_bot"
PRIVATE = filters.ChatType.PRIVATE
NEW_PRIVATE = PRIVATE & filters.UpdateType.MESSAGE  # commands in edited messages do nothing
Handler = Callable[[Update, MarkbotContext], Awaitable[None]]
AnyApp = Application[Any, Any, Any, Any, Any, Any]


def bulk_bot(token: str, api_url: str, file_url: str) -> Bot:
    """The Bot for broadcast sends (no rate limiter; nothing is opened until initialize)."""
    request = HTTPXRequest(connection_pool_size=MAX_IN_FLIGHT + 2)
    return Bot(token, base_url=api_url, base_file_url=file_url, request=request)


def _seconds(value: timedelta | float) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


class TelegramChannel:
    """The broadcast service's way to Telegram: sends on the bulk bot, staff reports on the
    application's bot (in the staff's chat, with its usual defaults)."""

    def __init__(self, bot: Bot, bulk: Bot) -> None:
        self._bot = bot
        self._bulk = bulk

    @property
    def username(self) -> str:
        return self._bot.username

    async def send(self, chat_id: int, text: str, button: str, url: str) -> Delivery:
        markup = InlineKeyboardMarkup([[InlineKeyboardButton(button, url=url)]])
        try:
            await self._bulk.send_message(
                chat_id,
                text,
                parse_mode=ParseMode.HTML,
                reply_markup=markup,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except RetryAfter as exc:
            return retry(_seconds(exc.retry_after))
        except Forbidden:  # blocked the bot, or the account is gone
            return GONE
        except TelegramError as exc:
            log.warning("a broadcast message failed: %s", type(exc).__name__)
            return FAILED
        return SENT

    async def post(self, chat_id: int, text: str) -> int | None:
        try:
            return (await self._bot.send_message(chat_id, text)).message_id
        except TelegramError as exc:
            log.warning("could not report broadcast progress: %s", type(exc).__name__)
            return None

    async def edit(self, chat_id: int, message_id: int, text: str) -> None:
        try:
            await self._bot.edit_message_text(text, chat_id=chat_id, message_id=message_id)
        except BadRequest as exc:
            if not is_not_modified(exc):
                log.warning("could not edit broadcast progress: %s", type(exc).__name__)
        except TelegramError as exc:
            log.warning("could not edit broadcast progress: %s", type(exc).__name__)


def _services(app: AnyApp) -> Services:
    return app.bot_data[SERVICES_KEY]  # type: ignore[no-any-return]


async def start_broadcasts(app: AnyApp) -> None:
    """post_init: open the bulk bot, give the service its channel, resume unfinished work."""
    bulk: Bot = app.bot_data[BULK_BOT]
    await bulk.initialize()
    broadcasts = _services(app).broadcasts
    broadcasts.attach(TelegramChannel(app.bot, bulk))
    resumed = await broadcasts.resume()
    if resumed:
        log.info("resumed %d unfinished broadcast(s)", resumed)


async def stop_broadcasts(app: AnyApp) -> None:
    """post_shutdown: let sends on the wire finish and be recorded, then close the bulk bot."""
    await _services(app).broadcasts.close()
    bulk: Bot | None = app.bot_data.get(BULK_BOT)
    if bulk is not None:
        await bulk.shutdown()


def _final(fn: Handler) -> Handler:
    """Handle the update here only: an error is reported once, and the journey's handlers
    (group 0) never see it."""

    async def run(update: Update, context: MarkbotContext) -> None:
        try:
            await fn(update, context)
        except Exception as exc:
            await context.application.process_error(update, exc)
        raise ApplicationHandlerStop

    run.__doc__ = fn.__doc__
    return run


def _kept(button: InlineKeyboardButton) -> bool:
    """A button that outlives the offer: "I'd like an adult to contact me"."""
    data = button.callback_data
    return isinstance(data, str) and data.startswith(CONTACT_ASK)


async def choice(update: Update, context: MarkbotContext) -> None:
    """A tap on "Yes, tell me" or "No thanks" under the thank-you message."""
    query = update.callback_query
    assert query is not None
    if query.data not in (SUBSCRIBE_YES, SUBSCRIBE_NO) or not in_private(update):
        await refuse_tap(update, context)
        return
    message = query.message if isinstance(query.message, Message) else None
    shown = None
    if message is not None and message.text:
        rows = message.reply_markup.inline_keyboard if message.reply_markup else ()
        keep = tuple(
            kept
            for row in rows
            if (kept := tuple(Button(b.text, b.callback_data) for b in row if _kept(b)))
        )
        shown = Shown(message.text_html, message.text, keep)
    outcome = await context.services.subscriptions.choose(
        person(update), lang_of(update, context), query.data == SUBSCRIBE_YES, shown
    )
    await show(update, context, outcome)


async def stop(update: Update, context: MarkbotContext) -> None:
    """/stop: no more messages about new polls."""
    outcome = await context.services.subscriptions.stop(person(update), lang_of(update, context))
    await show(update, context, outcome)


@staff_only("broadcast")
async def broadcast(update: Update, context: MarkbotContext) -> None:
    """/broadcast CODE: tell subscribers an open poll is there; the progress message that
    follows is the answer, anything else is a polite refusal."""
    journey, who = context.services.journey, person(update)
    chat = update.effective_chat
    assert chat is not None
    if not context.args:
        await show(update, context, journey.say(who, "admin_usage", command="broadcast"))
        return
    code = context.args[0].lower()
    result = await context.services.broadcasts.start(code, chat.id, lang_of(update, context))
    if result == "no_poll":
        await show(update, context, journey.say(who, "admin_no_poll", code=shown_code(code)))
    elif result != "started":
        await show(update, context, journey.say(who, f"broadcast_{result}", code=code))


def handlers() -> list[BaseHandler[Update, MarkbotContext, None]]:
    """Register in group GROUP (-1), beside the staff handlers."""
    return [
        CallbackQueryHandler(_final(choice), pattern=r"^sub:"),
        CommandHandler("stop", _final(stop), NEW_PRIVATE),
        CommandHandler("broadcast", broadcast, NEW_PRIVATE),
    ]
