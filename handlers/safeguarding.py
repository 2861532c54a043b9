"""The "I'd like an adult to contact me" buttons and the typed detail, and, in the safeguarding
chat, /contacts and "Mark handled". The rules are in services/contact_requests.py."""

from __future__ import annotations

import logging

from telegram import Bot, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    ApplicationHandlerStop,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    filters,
)

from handlers.context import MarkbotContext
from handlers.show import is_not_modified, keyboard, lang_of, person, refuse_tap, show
from services.contact_requests import ASK, DONE, DONT, PREFIX, SEND, LeadMessage
from services.container import Services

log = logging.getLogger("markbot.safeguarding")

GROUP = -2  # before the staff's pending replies and the journey, which would take the text
PRIVATE = filters.ChatType.PRIVATE


async def deliver(bot: Bot, services: Services, lead: LeadMessage) -> bool:
    """Post a contact request in the safeguarding chat; False (and retried later) on failure."""
    chat = services.safeguarding_chat
    if chat is None:
        return False
    try:
        sent = await bot.send_message(
            chat, lead.screen.text, reply_markup=keyboard(lead.screen), parse_mode=None
        )
    except TelegramError as exc:
        log.error("could not deliver contact request %d: %s", lead.request_id, type(exc).__name__)
        return False
    await services.contacts.delivered(lead.request_id, sent.message_id)
    return True


async def deliver_pending(bot: Bot, services: Services) -> int:
    """Retry requests the safeguarding chat hasn't had (run by the janitor and at start-up)."""
    if services.safeguarding_chat is None:
        return 0
    delivered = 0
    for lead in await services.contacts.to_deliver():
        delivered += await deliver(bot, services, lead)
    return delivered


async def typed(update: Update, context: MarkbotContext) -> None:
    """A typed message from someone part-way through a request is their detail, not an answer."""
    contacts = context.services.contacts
    who = person(update)
    message = update.effective_message
    if not contacts.is_waiting(who) or message is None or message.text is None:
        return
    outcome = await contacts.typed(who, lang_of(update, context), message.text)
    if outcome is None:
        return
    await show(update, context, outcome)
    raise ApplicationHandlerStop


async def young_person_tap(update: Update, context: MarkbotContext) -> None:
    """ask / send / don't send, in the young person's private chat."""
    query = update.callback_query
    assert query is not None
    data = query.data or ""
    contacts = context.services.contacts
    who, lang = person(update), lang_of(update, context)
    if update.effective_chat is None or update.effective_chat.type != "private":
        await refuse_tap(update, context)
    elif data == ASK or data.startswith(ASK + ":"):
        await show(update, context, await contacts.ask(who, lang, data))
    elif data == SEND:
        outcome, lead = await contacts.send(who, lang)
        await show(update, context, outcome)
        if lead is not None:
            await deliver(context.bot, context.services, lead)
    elif data == DONT:
        await show(update, context, await contacts.withdraw(who, lang))
    else:
        await refuse_tap(update, context)
    raise ApplicationHandlerStop


async def handled(update: Update, context: MarkbotContext) -> None:
    """ "Mark handled", only from the safeguarding chat: delete the request and its detail."""
    query = update.callback_query
    assert query is not None
    chat = update.effective_chat
    allowed = chat is not None and chat.id == context.services.safeguarding_chat
    screen = await context.services.contacts.handled(query.data or "") if allowed else None
    if screen is None:
        await refuse_tap(update, context)
        raise ApplicationHandlerStop
    await query.answer()
    if isinstance(query.message, Message):
        try:
            await query.message.edit_text(screen.text, parse_mode=None)
        except BadRequest as exc:
            if not is_not_modified(exc):
                raise
    raise ApplicationHandlerStop


async def list_open(update: Update, context: MarkbotContext) -> None:
    """/contacts in the safeguarding chat: show again every request not yet handled."""
    services = context.services
    requests = await services.contacts.open_requests()
    if not requests:
        await show(update, context, services.journey.say(person(update), "contact_lead_none"))
    for lead in requests:
        await deliver(context.bot, services, lead)
    raise ApplicationHandlerStop


def handlers(services: Services) -> list[BaseHandler[Update, MarkbotContext, None]]:
    """Young people's buttons anywhere private; the lead's only in the safeguarding chat."""
    found: list[BaseHandler[Update, MarkbotContext, None]] = [
        CallbackQueryHandler(handled, pattern=rf"^{DONE}"),
        CallbackQueryHandler(young_person_tap, pattern=rf"^{PREFIX}"),
        MessageHandler(
            filters.UpdateType.MESSAGE & PRIVATE & filters.TEXT & ~filters.COMMAND, typed
        ),
    ]
    if services.safeguarding_chat is not None:
        found.append(
            CommandHandler(
                "contacts",
                list_open,
                filters.Chat(services.safeguarding_chat) & filters.UpdateType.MESSAGE,
            )
        )
    return found
