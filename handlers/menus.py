"""The command menu: young people's commands for everyone, staff commands only in staff chats
(per-chat command scopes), with descriptions from the catalog in English and Welsh."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError

from services.container import Services

log = logging.getLogger("markbot.menus")

USER_COMMANDS = ("start", "help", "privacy", "language", "cancel", "stop")
STAFF_COMMANDS = (
    "polls",
    "newpoll",
    "preview",
    "open",
    "close",
    "link",
    "session",
    "codes",
    "results",
    "review",
    "export",
    "dashboard",
    "publish",
    "unpublish",
    "paper",
    "broadcast",
)
OWNER_COMMANDS = ("invite", "workers")


def _commands(services: Services, lang: str, names: tuple[str, ...]) -> list[BotCommand]:
    return [BotCommand(name, services.catalog.plain(lang, f"command_{name}")) for name in names]


async def publish_everyone(bot: Bot, services: Services) -> None:
    """The young person's menu for all private chats, per language."""
    scope = BotCommandScopeAllPrivateChats()
    try:
        for lang in services.catalog.languages:
            await bot.set_my_commands(
                _commands(services, lang, USER_COMMANDS),
                scope=scope,
                language_code=None if lang == "en" else lang,
            )
    except TelegramError as exc:
        log.warning("could not set the command menu: %s", type(exc).__name__)


async def publish_staff(bot: Bot, services: Services, chat_id: int, *, owner: bool) -> None:
    """Staff commands in one staff member's chat only."""
    names = USER_COMMANDS + STAFF_COMMANDS + (OWNER_COMMANDS if owner else ())
    try:
        await bot.set_my_commands(
            _commands(services, "en", names), scope=BotCommandScopeChat(chat_id)
        )
    except TelegramError as exc:  # e.g. an owner who has never opened the bot
        log.warning("could not set a staff command menu: %s", type(exc).__name__)


async def reset_chat(bot: Bot, chat_id: int) -> None:
    """Take away a chat's own menu, so it shows everyone's again: for someone who is not (or
    no longer) staff. Workers are kept by keyed hash, so a removed worker's chat is only known
    when they next use a staff command; deleting a menu a chat never had changes nothing."""
    try:
        await bot.delete_my_commands(scope=BotCommandScopeChat(chat_id))
    except TelegramError as exc:
        log.warning("could not reset a chat's command menu: %s", type(exc).__name__)


async def publish_safeguarding(bot: Bot, services: Services) -> None:
    """/contacts in the safeguarding chat's menu, and nowhere else."""
    chat = services.safeguarding_chat
    if chat is None:
        return
    try:
        await bot.set_my_commands(
            _commands(services, "en", ("contacts",)), scope=BotCommandScopeChat(chat)
        )
    except TelegramError as exc:  # e.g. the bot is not in that chat yet
        log.warning("could not set the safeguarding chat's menu: %s", type(exc).__name__)
