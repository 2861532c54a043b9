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


async def not_private(update: Update, context: MarkbotContext) -> None:
    """Point anyone who asks in a group or channel to a private chat, and keep nothing."""
    if not addressed_to(context.bot, update):
        return
    link = f"https://t.me/{context.bot.username}"
    await show(
        update, context, context.services.journey.say(person(update), "group_chat", link=link)
    )


def handlers() -> list[BaseHandler[Update, MarkbotContext, None]]:
    shared = filters.ChatType.GROUPS | filters.ChatType.CHANNEL
    return [
        MessageHandler(
            shared & (filters.UpdateType.MESSAGE | filters.UpdateType.CHANNEL_POST), not_private
        )
    ]
