"""The young person's handlers: decode the update, call the journey service, show the outcome."""

from __future__ import annotations

import contextvars

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers.context import MarkbotContext
from handlers.show import in_private, person, refuse_tap, show
from services.container import Services
from services.journey import AlsoRead, Outcome, UpdateClaim
from services.screens import LANGUAGE_PREFIX, Screen

PRIVATE = filters.ChatType.PRIVATE
NEW_PRIVATE = PRIVATE & filters.UpdateType.MESSAGE  # commands in edited messages do nothing


async def start(update: Update, context: MarkbotContext) -> None:
    """/start [code]: open a poll from its deep link, or explain the bot."""
    code = context.args[0] if context.args else None
    await show(update, context, await context.services.journey.start(person(update), code))


async def help_command(update: Update, context: MarkbotContext) -> None:
    """/help: how the journey works."""
    await show(update, context, context.services.journey.help(person(update)))


async def privacy(update: Update, context: MarkbotContext) -> None:
    """/privacy: what is kept, what is not, who sees results."""
    await show(update, context, context.services.journey.privacy(person(update)))


async def cancel(update: Update, context: MarkbotContext) -> None:
    """/cancel: delete the unfinished answers, and stop waiting for a worker's file or name
    (after /paper, /newpoll or an invite) so a file sent later is not taken for it."""
    journey, staff, who = context.services.journey, context.services.staff, person(update)
    outcome = await journey.cancel(who)
    if who.id and await staff.waiting_for(who.id) is not None:
        await staff.done_waiting(who.id)
        stopped = journey.say(who, "admin_wait_cancelled")
        nothing = journey.say(who, "nothing_to_cancel")
        if outcome.screen is not None and nothing.screen is not None and stopped.screen:
            texts = [stopped.screen.text]
            if outcome.screen.text != nothing.screen.text:  # a preview journey went too
                texts.append(outcome.screen.text)
            outcome = Outcome(Screen("\n\n".join(texts)))
    await show(update, context, outcome)


async def button(update: Update, context: MarkbotContext) -> None:
    """Any button tap in a private chat."""
    query = update.callback_query
    assert query is not None
    if not in_private(update):
        await refuse_tap(update, context)
        return
    await show(update, context, await context.services.journey.press(person(update), query.data))


async def text(update: Update, context: MarkbotContext) -> None:
    """Typed text: an answer to an open question, or a pointer to the buttons."""
    message = update.effective_message
    assert message is not None and message.text is not None
    outcome = await context.services.journey.text(person(update), message.text, message.message_id)
    await show(update, context, outcome)


async def edited_text(update: Update, context: MarkbotContext) -> None:
    """An answer edited before "Send": update it (and say so); other edits are ignored."""
    message = update.edited_message
    assert message is not None and message.text is not None
    outcome = await context.services.journey.edited(
        person(update), message.text, message.message_id
    )
    if outcome is not None:
        await show(update, context, outcome)


async def other_message(update: Update, context: MarkbotContext) -> None:
    """Stickers, photos, voice notes, files: not kept, kindly redirected."""
    await show(update, context, await context.services.journey.other_message(person(update)))


async def location_or_contact(update: Update, context: MarkbotContext) -> None:
    """A location or contact: deleted from the chat, never kept."""
    await show(update, context, context.services.journey.location_or_contact(person(update)))


async def unknown_command(update: Update, context: MarkbotContext) -> None:
    """A command the bot does not have."""
    await show(update, context, context.services.journey.say(person(update), "unknown_command"))


async def language(update: Update, context: MarkbotContext) -> None:
    """/language: choose English or Welsh."""
    await show(update, context, context.services.journey.language_menu(person(update)))


async def language_chosen(update: Update, context: MarkbotContext) -> None:
    """A language button."""
    query = update.callback_query
    assert query is not None
    if not in_private(update):
        await refuse_tap(update, context)
        return
    lang = (query.data or "").removeprefix(LANGUAGE_PREFIX)
    await show(
        update, context, await context.services.journey.choose_language(person(update), lang)
    )


PRIME_GROUP = -100  # before every other group: safeguarding (-2), staff and broadcasts (-1)


# What claim() read with a webhook update's claim, for prime: (update_id, the read). Each
# webhook request is handled in its own task, so its own context.
_CLAIMED: contextvars.ContextVar[tuple[int, AlsoRead | None] | None] = contextvars.ContextVar(
    "markbot_claimed", default=None
)


async def claim(services: Services, update: Update, now: int, lease: int) -> UpdateClaim:
    """A webhook update's claim (bot/app.py), with prime's read in the same round trip where
    the store can fold them (several processes on PostgreSQL): prime then reads nothing."""
    if update.effective_user is None:
        return (await services.journey.claim_update(update.update_id, now, lease))[0]
    who = person(update)
    also = services.contacts.pending_key(who)
    made, read = await services.journey.claim_update(update.update_id, now, lease, who, also)
    if read is not None:
        _CLAIMED.set((update.update_id, read))
    return made


async def prime(update: Update, context: MarkbotContext) -> None:
    """Before any handler: with several processes on one database, read this person's
    language choice afresh (it may have been made in another process), and in the same round
    trip whether they are part-way through a contact request (the safeguarding handlers ask
    on every tap and command). A webhook update's claim may have read both already."""
    if update.effective_user is not None:
        claimed = _CLAIMED.get()
        if claimed is not None and claimed[0] == update.update_id:
            context.primed_pending = claimed[1]
            return
        who = person(update)
        services = context.services
        also = services.contacts.pending_key(who)
        context.primed_pending = await services.journey.refresh_language(who, also)


def primer() -> BaseHandler[Update, MarkbotContext, None]:
    """Registered in PRIME_GROUP by bot/app.py."""
    return TypeHandler(Update, prime)


def handlers() -> list[BaseHandler[Update, MarkbotContext, None]]:
    """The journey's handlers, in the order they must be tried."""
    new_messages = filters.UpdateType.MESSAGE & PRIVATE
    return [
        CommandHandler("start", start, NEW_PRIVATE),
        CommandHandler("help", help_command, NEW_PRIVATE),
        CommandHandler("privacy", privacy, NEW_PRIVATE),
        CommandHandler("cancel", cancel, NEW_PRIVATE),
        CommandHandler("language", language, NEW_PRIVATE),
        CallbackQueryHandler(language_chosen, pattern=rf"^{LANGUAGE_PREFIX}"),
        CallbackQueryHandler(button),
        MessageHandler(
            new_messages & (filters.LOCATION | filters.CONTACT | filters.VENUE), location_or_contact
        ),
        MessageHandler(new_messages & filters.COMMAND, unknown_command),
        MessageHandler(new_messages & filters.TEXT, text),
        MessageHandler(
            filters.UpdateType.EDITED_MESSAGE & PRIVATE & filters.TEXT & ~filters.COMMAND,
            edited_text,
        ),
        MessageHandler(new_messages, other_message),
    ]
