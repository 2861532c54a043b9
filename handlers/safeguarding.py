"""The "I'd like an adult to contact me" buttons and the typed detail, and, in the safeguarding
chat, /contacts and "Mark handled". The rules are in services/contact_requests.py."""

from __future__ import annotations

import asyncio
import logging

from telegram import Bot, Message, Update
from telegram.error import BadRequest, ChatMigrated, RetryAfter, TelegramError
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
from services.journey import Person
from services.screens import Screen

log = logging.getLogger("markbot.safeguarding")

GROUP = -2  # before the staff's pending replies and the journey, which would take the text
PRIVATE = filters.ChatType.PRIVATE
NEW_PRIVATE = filters.UpdateType.MESSAGE & PRIVATE


def _why(exc: BaseException) -> str:
    """Why the safeguarding chat could not be had, for the log: the error's name, or for a
    group that became a supergroup (Telegram then refuses its old id) what to set, since
    nothing reaches the leads until then (a group's id is not a person's)."""
    if isinstance(exc, ChatMigrated):
        return (
            "the safeguarding chat became a supergroup with a new id: set "
            f"MARKBOT_SAFEGUARDING_CHAT={exc.new_chat_id} and restart"
        )
    return type(exc).__name__


async def _replace_text(bot: Bot, chat: int, message_id: int, screen: Screen) -> None:
    """Take a detail out of an earlier message in the safeguarding chat (best effort)."""
    try:
        await bot.edit_message_text(screen.text, chat, message_id, parse_mode=None)
    except TelegramError as exc:
        if not (isinstance(exc, BadRequest) and is_not_modified(exc)):
            log.warning("could not update a contact request message: %s", type(exc).__name__)


async def _post(bot: Bot, services: Services, lead: LeadMessage) -> bool:
    chat = services.safeguarding_chat
    if chat is None:
        return False
    try:
        sent = await bot.send_message(
            chat, lead.screen.text, reply_markup=keyboard(lead.screen), parse_mode=None
        )
    except TelegramError as exc:
        log.error("could not deliver contact request %d: %s", lead.request_id, _why(exc))
        return False
    await services.contacts.delivered(lead.request_id, sent.message_id)
    if lead.replaces is not None:
        moved = services.contacts.shown_again(lead.request_id)
        await _replace_text(bot, chat, lead.replaces, moved)
    return True


async def deliver(bot: Bot, services: Services, lead: LeadMessage) -> bool:
    """Post a new contact request in the safeguarding chat, unless it is there already."""
    async with services.contacts.delivery.hold():
        if await services.contacts.is_delivered(lead.request_id):
            return True
        return await _post(bot, services, lead)


async def deliver_pending(bot: Bot, services: Services) -> int:
    """Retry requests the safeguarding chat hasn't had (the janitor, from its first round at
    start-up). When another holder has the posting lease (another process posting, or one
    killed mid-post, whose lease lasts a minute) this round posts nothing: the next one tries
    again, and start-up and the janitor's other work never wait for it."""
    chat = services.safeguarding_chat
    if chat is None:
        return 0
    delivered = 0
    async with services.contacts.delivery.hold(wait=False) as mine:
        for lead in await services.contacts.to_deliver() if mine else []:
            delivered += await _post(bot, services, lead)
    return delivered


ALERT_RETRY_SECONDS = 20


async def send_alerts(bot: Bot, services: Services) -> None:
    """The background sender of safeguarding alerts (see services/alerts.py): oldest first,
    through the rate-limited bot (Telegram allows a group about 20 messages a minute), each
    deleted once Telegram has it; on an error it waits and tries again, for ever. An alert
    whose earlier send may have arrived (a timeout, or a crash before the delete) goes again
    under a label saying so; one Telegram refused goes again without it."""
    chat, alerts = services.safeguarding_chat, services.alerts
    if chat is None or alerts is None:
        return
    while True:
        try:
            async with alerts.sending.hold(wait=False) as mine:
                # another process holding it is sending them: look again after a while
                for alert in await alerts.pending() if mine else []:
                    if not await alerts.sending.renew():
                        break
                    with alerts.watching(alert):  # in flight from when the request leaves
                        await bot.send_message(chat, alert.text, parse_mode=None)
                    await alerts.sent(alert.id)
        except RetryAfter as exc:
            wait = exc.retry_after
            seconds = wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)
            log.warning("safeguarding alerts held back by Telegram for %.0f s", seconds)
            await asyncio.sleep(seconds)
            continue
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the lead's chat or the database unreachable: try again
            log.error("safeguarding alert not sent yet (will retry): %s", _why(exc))
        await alerts.wait(ALERT_RETRY_SECONDS)


async def tidy(bot: Bot, services: Services) -> None:
    """Requests nobody marked handled in time are deleted: say so where they were shown."""
    expired = await services.contacts.tidy()
    if services.safeguarding_chat is not None:
        for message_id, screen in expired:
            await _replace_text(bot, services.safeguarding_chat, message_id, screen)


async def waiting(context: MarkbotContext, who: Person) -> bool:
    """Whether who is part-way through a contact request: what the prime handler read for
    this update (with several processes, with the language choice), used once; else a read."""
    primed, context.primed_pending = context.primed_pending, None
    if primed is not None:
        return context.services.contacts.is_pending(primed.value)
    return await context.services.contacts.is_waiting(who)


async def typed(update: Update, context: MarkbotContext) -> None:
    """A typed message (or a shared contact card) from someone part-way through a request is
    their detail, not an answer."""
    contacts = context.services.contacts
    who = person(update)
    message = update.effective_message
    if message is None or not await waiting(context, who):
        return
    text = message.contact.phone_number if message.contact is not None else message.text
    outcome = await contacts.typed(who, lang_of(update, context), text or "")
    if outcome is None:
        return
    await show(update, context, outcome)
    raise ApplicationHandlerStop


async def back_to_the_poll(update: Update, context: MarkbotContext) -> None:
    """Any command or other button: they have moved on, so typing is answers again."""
    contacts = context.services.contacts
    who = person(update)
    if await waiting(context, who):
        await contacts.stop_waiting(who)


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
    elif data.startswith(SEND):
        outcome, lead = await contacts.send(who, lang, data)
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
    services = context.services
    tapped = query.message  # a message days old comes without its text or buttons
    if chat is None or chat.id != services.safeguarding_chat or tapped is None:
        await refuse_tap(update, context)
        raise ApplicationHandlerStop
    on_it = isinstance(tapped, Message) and any(  # the button really is on that message
        button.callback_data == query.data
        for row in (tapped.reply_markup.inline_keyboard if tapped.reply_markup else ())
        for button in row
    )
    done = await services.contacts.handled(query.data or "", tapped.message_id, on_it=on_it)
    if done is None:  # forged, or not this message's request
        await refuse_tap(update, context)
        raise ApplicationHandlerStop
    screen, other = done
    await query.answer()
    await _replace_text(context.bot, chat.id, tapped.message_id, screen)
    if other is not None and other != tapped.message_id:
        await _replace_text(context.bot, chat.id, other, screen)
    raise ApplicationHandlerStop


async def list_open(update: Update, context: MarkbotContext) -> None:
    """/contacts in the safeguarding chat: show again every request not yet handled (the
    earlier message of each loses its detail, so only one copy ever shows it)."""
    services = context.services
    async with services.contacts.delivery.hold():  # read inside: another poster may move them
        requests = await services.contacts.open_requests()
        for lead in requests:
            await _post(context.bot, services, lead)
    if not requests:
        await show(update, context, services.journey.say(person(update), "contact_lead_none"))
    raise ApplicationHandlerStop


def handlers(services: Services) -> list[BaseHandler[Update, MarkbotContext, None]]:
    """Young people's buttons anywhere private; the lead's only in the safeguarding chat."""
    found: list[BaseHandler[Update, MarkbotContext, None]] = [
        CallbackQueryHandler(handled, pattern=rf"^{DONE}"),
        CallbackQueryHandler(young_person_tap, pattern=rf"^{PREFIX}"),
        CallbackQueryHandler(back_to_the_poll),
        MessageHandler(NEW_PRIVATE & ((filters.TEXT & ~filters.COMMAND) | filters.CONTACT), typed),
    ]
    if services.safeguarding_chat is not None:
        found.append(
            CommandHandler(
                "contacts",
                list_open,
                filters.Chat(services.safeguarding_chat) & filters.UpdateType.MESSAGE,
            )
        )
    found.append(MessageHandler(NEW_PRIVATE & filters.COMMAND, back_to_the_poll))
    return found
