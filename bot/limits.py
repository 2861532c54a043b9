"""Telegram's rate limits, kept apart for private chats and for groups.

PTB's ``AIORateLimiter`` answers a 429 by holding *every* call its bot makes for the time
Telegram asks (``retry_after``; often half a minute for a group). markbot writes to groups in
bursts (safeguarding alerts to the lead's group, about 20 a minute), and a young person's reply
must never wait for that. So private chats and groups each get a limiter of their own: a 429
from a group holds back messages to groups only.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter, BaseRateLimiter

Answer = bool | dict[str, Any] | list[dict[str, Any]]


def _is_group(chat_id: object) -> bool:
    """As PTB's limiter reads it: a negative id (a group, supergroup or channel) or an
    @username (channels and supergroups only)."""
    if isinstance(chat_id, str):
        try:
            return int(chat_id) < 0
        except ValueError:
            return True
    return isinstance(chat_id, int) and chat_id < 0


class SplitRateLimiter(BaseRateLimiter[int]):
    """Two ``AIORateLimiter``s: one for calls to groups (with Telegram's per-group pace), one
    for everything else (private chats, callback answers, getMe, ...)."""

    def __init__(self, max_retries: int = 3) -> None:
        # no overall cap: Telegram's 30/s is for bulk notifications, paced on their own
        self._private = AIORateLimiter(overall_max_rate=0, max_retries=max_retries)
        self._groups = AIORateLimiter(overall_max_rate=0, max_retries=max_retries)

    async def initialize(self) -> None:
        await self._private.initialize()
        await self._groups.initialize()

    async def shutdown(self) -> None:
        await self._private.shutdown()
        await self._groups.shutdown()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Answer]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> Answer:
        limiter = self._groups if _is_group(data.get("chat_id")) else self._private
        return await limiter.process_request(
            callback, args, kwargs, endpoint, data, rate_limit_args
        )
