"""Messages outside a private chat: polls never run in groups or channels."""

from __future__ import annotations

from telegram import Update
from telegram.ext import BaseHandler, MessageHandler, filters

from handlers.context import MarkbotContext
from handlers.show import person, show


async def not_private(update: Update, context: MarkbotContext) -> None:
    """Point anyone in a group or channel to a private chat, and keep nothing."""
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
