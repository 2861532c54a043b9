"""The second reference ("shared"): markbot's PTB settings and renderer, and nothing else.

It renders with markbot's pure renderer (``services.screens``), so every text and keyboard is
byte for byte what markbot sends, and it is built with markbot's PTB settings (HTML defaults,
concurrent updates, the same rate limiter). What it leaves out is exactly what the benchmark
prices: the database, the hashing and the journey rules. Where someone is in the poll travels
in the button data itself (the 6-character token carries the answers so far, as long as
markbot's random token), so there is no state to keep, not even in memory.
"""

from __future__ import annotations

import asyncio
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    filters,
)

from bot.app import tuned_builder
from bot.settings import Settings
from prompts import Catalog, load_catalog
from services import screens
from services.callbacks import Callback, decode
from services.journey_state import Journey
from services.pollfile import Poll
from services.screens import Screen

TOKEN_LENGTH = 6  # markbot's Journey.new token: secrets.token_hex(3)


def answers_token(picks: list[int]) -> str:
    """Encode the option indexes picked so far as a valid journey token ('b' + digits)."""
    return ("b" + "".join(str(i) for i in picks)).ljust(TOKEN_LENGTH, "z")


def token_answers(token: str) -> list[int]:
    return [int(c) for c in token[1:].rstrip("z")]


def keyboard(screen: Screen) -> InlineKeyboardMarkup | None:
    if not screen.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.text, callback_data=b.data) for b in row]
            for row in screen.buttons
        ]
    )


class BareScreens:
    """Works out the next screen from a tap alone."""

    def __init__(self, poll: Poll, catalog: Catalog, lang: str = "en") -> None:
        if any(len(q.options) > 10 for q in poll.questions):
            raise ValueError("the bare bot encodes each answer as one digit: at most 10 options")
        self.poll, self.catalog, self.lang = poll, catalog, lang

    def _journey(self, picks: list[int], step: str) -> Journey:
        answers: dict[str, list[str] | str] = {
            q.id: [q.options[i].id] for q, i in zip(self.poll.questions, picks, strict=False)
        }
        return Journey(answers_token(picks), 0, self.lang, step=step, answers=answers)

    def notice(self) -> Screen:
        return screens.notice(self.catalog, self.poll, self._journey([], "n"))

    def after(self, cb: Callback) -> Screen | None:
        """The screen a tap leads to, or None for a tap this journey does not offer."""
        picks = token_answers(cb.token)
        if cb.step == "n" and cb.action == "go":
            return screens.question(self.catalog, self.poll, self._journey(picks, "0"), 0)
        if cb.step.isdigit() and cb.action == "a" and cb.arg is not None:
            picks.append(cb.arg)
            if len(picks) < len(self.poll.questions):
                journey = self._journey(picks, str(len(picks)))
                return screens.question(self.catalog, self.poll, journey, len(picks))
            return screens.confirm(self.catalog, self.poll, self._journey(picks, "c"))
        if cb.step == "c" and cb.action == "ok":
            return screens.thanks(self.catalog, self.poll, self.lang)
        return None


def build_shared_application(
    settings: Settings, token: str, poll: Poll
) -> Application[Any, Any, Any, Any, Any, Any]:
    """A PTB Application configured like bot.app.build_application, with two handlers.

    It prices markbot's own per-update work (journey rules, hashing, storage) alone; the
    ``bare`` bot (bench/bare_bot.py) prices everything beyond what PTB itself must do."""
    bare = BareScreens(poll, load_catalog())

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat = update.effective_chat
        assert chat is not None
        screen = bare.notice()
        await context.bot.send_message(chat.id, screen.text, reply_markup=keyboard(screen))

    async def button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        cb = decode(query.data)
        screen = bare.after(cb) if cb is not None else None
        # Like markbot's handlers.show: answer the tap and edit the message together.
        jobs = [query.answer(text=None, show_alert=False)]
        if screen is not None and isinstance(query.message, Message):
            jobs.append(query.message.edit_text(screen.text, reply_markup=keyboard(screen)))
        await asyncio.gather(*jobs)

    app = tuned_builder(settings, token).build()  # markbot's own PTB settings
    app.add_handler(CommandHandler("start", start, filters.ChatType.PRIVATE))
    app.add_handler(CallbackQueryHandler(button))
    return app
