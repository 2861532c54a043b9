"""Turn a service ``Outcome`` into Bot API calls: the only place that edits or sends."""

from __future__ import annotations

import asyncio
import logging

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest

from handlers.context import MarkbotContext
from services.journey import Outcome, Person
from services.screens import Screen

log = logging.getLogger(__name__)


def person(update: Update) -> Person:
    """The person behind an update, for this update only (names are used to scrub, not kept)."""
    user = update.effective_user
    if user is None:  # channel posts have no user
        return Person(id=0)
    names = tuple(n for n in (user.first_name, user.last_name, user.username) if n)
    return Person(id=user.id, language_code=user.language_code, names=names)


def lang_of(update: Update, context: MarkbotContext) -> str:
    """The language to answer this person in."""
    return context.services.journey.language_for(person(update))


def in_private(update: Update) -> bool:
    """Whether an update came from a private chat. Journeys, language choices and the news
    offer live only there: a tap elsewhere (data forged onto a message in a group, say a
    contact request in the safeguarding chat) must not edit that message."""
    chat = update.effective_chat
    return chat is not None and chat.type == "private"


async def refuse_tap(update: Update, context: MarkbotContext) -> None:
    """Answer a button that isn't (or is no longer) this person's to press, changing nothing."""
    assert update.callback_query is not None
    await _answer(
        update.callback_query,
        context.services.journey.toast(person(update), "stale_button"),
        alert=True,
    )


def keyboard(screen: Screen) -> InlineKeyboardMarkup | None:
    if not screen.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(b.text, callback_data=b.data) for b in row]
            for row in screen.buttons
        ]
    )


def is_not_modified(exc: BadRequest) -> bool:
    """Telegram's answer to an edit that changes nothing: a double tap, success for us."""
    return "message is not modified" in exc.message.lower()


def is_old_query(exc: BadRequest) -> bool:
    """Telegram's answer to a tap answered already (a replayed update) or too late: there is
    nobody left to tell, so it is no error."""
    text = exc.message.lower()
    return "query is too old" in text or "query id is invalid" in text


def is_gone(exc: BadRequest) -> bool:
    """The tapped message is deleted, or too old to edit: the screen is sent new instead."""
    text = exc.message.lower()
    return "message to edit not found" in text or "message can't be edited" in text


async def _answer(query: CallbackQuery, text: str | None, *, alert: bool) -> None:
    try:
        await query.answer(text=text, show_alert=alert)
    except BadRequest as exc:
        if not is_old_query(exc):
            raise
        log.debug("a tap was answered already (a replayed update)")


async def show(update: Update, context: MarkbotContext, outcome: Outcome) -> None:
    """Answer a tap, then edit the message in place or send a new one."""
    query = update.callback_query
    jobs = []
    if query is not None:
        jobs.append(_answer(query, outcome.toast, alert=outcome.alert))
    screen = outcome.screen
    if screen is not None:
        target = query.message if query is not None else None
        if outcome.edit and isinstance(target, Message):
            jobs.append(_edit(target, screen))
        elif update.effective_chat is not None:
            jobs.append(
                context.bot.send_message(
                    update.effective_chat.id, screen.text, reply_markup=keyboard(screen)
                )
            )
    if outcome.remove_message and update.effective_message is not None:
        jobs.append(_delete(update.effective_message))
    if jobs:
        await asyncio.gather(*jobs)


async def _edit(message: Message, screen: Screen) -> None:
    try:
        await message.edit_text(screen.text, reply_markup=keyboard(screen))
    except BadRequest as exc:
        if is_gone(exc):
            await message.get_bot().send_message(
                message.chat_id, screen.text, reply_markup=keyboard(screen)
            )
        elif not is_not_modified(exc):
            raise


async def _delete(message: Message) -> None:
    try:
        await message.delete()
    except BadRequest:
        log.info("could not delete a discarded location or contact message")
