"""Messages outside a private chat: polls never run in groups or channels."""

from __future__ import annotations

from telegram import Bot, Update
from telegram.ext import BaseHandler, MessageHandler, filters

from handlers.context import MarkbotContext
from handlers.show import person, show


def addressed_to(bot: Bot, update: Update) -> bool:
    """A command for this bot, a mention of it, or a reply to it. Anything else in a group
    (people talking to each other, the safeguarding leads too) gets no answer at all."""
    message = update.effective_message
    if message is None:
        return False
    text = message.text or message.caption or ""
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        _, _, target = command.partition("@")
        return not target or target.lower() == (bot.username or "").lower()
    if update.channel_post is not None:
        return False
    replied = message.reply_to_message
    if replied is not None and replied.from_user is not None and replied.from_user.id == bot.id:
        return True
    return bool(bot.username) and f"@{bot.username}".lower() in text.lower()


# bot_data: groups and channels with a pointer waiting for Telegram's pace (about 20 posts a
# minute in a group). Each waiting pointer holds one of the places for updates (the
# application's concurrency), so a class typing /start in their group held back everyone.
WAITING = "markbot.group_pointers"


async def not_private(update: Update, context: MarkbotContext) -> None:
    """Point anyone who asks in a group or channel to a private chat, and keep nothing. While
    a pointer waits to be posted there, nothing more is queued behind it: it answers them."""
    chat = update.effective_chat
    if chat is None or not addressed_to(context.bot, update):
        return
    waiting: set[int] = context.bot_data.setdefault(WAITING, set())
    if chat.id in waiting:
        return
    waiting.add(chat.id)
    try:
        link = f"https://t.me/{context.bot.username}"
        await show(
            update, context, context.services.journey.say(person(update), "group_chat", link=link)
        )
    finally:
        waiting.discard(chat.id)


def handlers() -> list[BaseHandler[Update, MarkbotContext, None]]:
    shared = filters.ChatType.GROUPS | filters.ChatType.CHANNEL
    return [
        MessageHandler(
            shared & (filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST), not_private
        )
    ]
