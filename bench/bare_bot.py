"""The reference: a bare PTB bot that does only what python-telegram-bot itself must do.

Same journey shape as markbot (privacy notice by sendMessage, one edited screen per question,
the check screen, the thank-you screen; every tap answered), and nothing else: no storage, no
rate limiter, no catalog or renderer at run time, no PTB ``Defaults``. Every screen of the
benchmark poll is worked out once, before polling starts (with markbot's renderer, so texts are
the same size), and keyed by the button data of the tap that leads to it: per update the bot
looks the tap up, builds the keyboard objects (a keyboard that carries per-person data has to
be built per message) and makes its two calls. Where someone is in the poll rides in the button
data (the 6-character token carries the answers so far), so nothing is kept, not even in memory.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from bench.shared_bot import BareScreens
from bot.transport import AiohttpRequest
from prompts import load_catalog
from services.callbacks import decode
from services.pollfile import Poll
from services.screens import Screen

Rows = tuple[tuple[tuple[str, str], ...], ...]  # (label, callback data) per button
Plain = tuple[str, Rows]


def _plain(screen: Screen) -> Plain:
    return screen.text, tuple(tuple((b.text, b.data) for b in row) for row in screen.buttons)


def precompute(poll: Poll) -> tuple[Plain, dict[str, Plain]]:
    """The notice, and every screen a tap leads to keyed by that tap's button data."""
    bare = BareScreens(poll, load_catalog())
    notice = bare.notice()
    after: dict[str, Plain] = {}
    todo = [notice]
    while todo:
        screen = todo.pop()
        for row in screen.buttons:
            for button in row:
                cb = decode(button.data)
                nxt = bare.after(cb) if cb is not None and button.data not in after else None
                if nxt is not None:
                    after[button.data] = _plain(nxt)
                    todo.append(nxt)
    return _plain(notice), after


def keyboard(rows: Rows) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(text, callback_data=data) for text, data in row] for row in rows]
    )


def build_bare_application(
    token: str, api_url: str, poll: Poll, concurrency: int, *, aiohttp: bool = False
) -> Application[Any, Any, Any, Any, Any, Any]:
    """PTB's ApplicationBuilder with the token, the API address and concurrent updates only;
    ``aiohttp``: on markbot's network layer (bot/transport.py) instead of PTB's httpx."""
    (notice_text, notice_rows), after = precompute(poll)

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        assert chat is not None
        await context.bot.send_message(
            chat.id, notice_text, parse_mode=ParseMode.HTML, reply_markup=keyboard(notice_rows)
        )

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        found = after.get(query.data or "")
        if found is None or not isinstance(query.message, Message):
            await query.answer()
            return
        text, rows = found
        await asyncio.gather(
            query.answer(),
            query.message.edit_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard(rows)),
        )

    app = ApplicationBuilder().token(token).base_url(api_url).concurrent_updates(concurrency)
    if aiohttp:
        app = app.request(AiohttpRequest(max(16, 4 * concurrency))).get_updates_request(
            AiohttpRequest(1)
        )
    built = app.build()
    built.add_handler(CommandHandler("start", start, filters.ChatType.PRIVATE))
    built.add_handler(CallbackQueryHandler(button))
    return built
