"""Telegram's rate limits, kept apart for private chats and for groups.

PTB's ``AIORateLimiter`` answers a 429 by holding *every* call its bot makes for the time
Telegram asks (``retry_after``; often half a minute for a group). markbot writes to groups in
bursts (safeguarding alerts to the lead's group, about 20 a minute), and a young person's reply
must never wait for that. So private chats and groups each get a limiter of their own: a 429
from a group holds back messages to groups only, and one for a private chat holds back that
chat only (``EachChat``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any
from weakref import WeakValueDictionary

from telegram import Update
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, BaseRateLimiter, SimpleUpdateProcessor

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


class EachChat:
    """For private chats: a 429 ("retry after N", Telegram's answer to a chat sent to too
    fast, say someone sending message after message) holds back calls to that chat only, for
    N seconds, up to ``max_retries`` times, then the error is raised. PTB's limiter holds
    every call instead, so one person flooding slowed everyone's replies and taps. A call
    without a chat (a tap's answer) is held by its own key (the tap's id)."""

    HELD_KEPT = 1024  # past this many chats held, those whose wait is over are forgotten

    def __init__(self, max_retries: int) -> None:
        self._max_retries = max_retries
        self._until: dict[object, float] = {}  # chat -> monotonic time it may be sent to

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, Answer]],
        args: Any,
        kwargs: dict[str, Any],
        data: dict[str, Any],
    ) -> Answer:
        key = data.get("chat_id") or data.get("callback_query_id")
        attempt = 0
        while True:
            held = self._until.get(key, 0.0) - time.monotonic()
            if held > 0:
                await asyncio.sleep(held)
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt >= self._max_retries:
                    raise
                attempt += 1
                self._hold(key, _seconds(exc.retry_after) + 0.1)  # as PTB's limiter waits

    def _hold(self, key: object, seconds: float) -> None:
        now = time.monotonic()
        if len(self._until) >= self.HELD_KEPT:
            self._until = {k: t for k, t in self._until.items() if t > now}
        self._until[key] = max(self._until.get(key, 0.0), now + seconds)


def _seconds(wait: timedelta | float) -> float:
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


class SplitRateLimiter(BaseRateLimiter[int]):
    """An ``AIORateLimiter`` for calls to groups (with Telegram's per-group pace), and
    ``EachChat`` for everything else (private chats, callback answers, getMe, ...)."""

    def __init__(self, max_retries: int = 3) -> None:
        # no overall cap: Telegram's 30/s is for bulk notifications, paced on their own
        self._private = EachChat(max_retries)
        self._groups = AIORateLimiter(overall_max_rate=0, max_retries=max_retries)

    async def initialize(self) -> None:
        await self._groups.initialize()

    async def shutdown(self) -> None:
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
        if _is_group(data.get("chat_id")):
            return await self._groups.process_request(
                callback, args, kwargs, endpoint, data, rate_limit_args
            )
        return await self._private.process_request(callback, args, kwargs, data)


class OnePerPerson(SimpleUpdateProcessor):
    """PTB's concurrent updates (at most MARKBOT_CONCURRENCY at once), with one person's
    updates taking one place at a time, in the order they came: the rest wait their turn
    outside. They ran one after another anyway (the journey holds each person's turn), but
    each waited inside a place, so someone sending a dozen messages while Telegram held
    their chat back (a 429) filled every place and everyone else waited."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._turns: WeakValueDictionary[int, asyncio.Lock] = WeakValueDictionary()

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        user = update.effective_user if isinstance(update, Update) else None
        if user is None:  # a channel post: nobody's turn to wait for
            await super().process_update(update, coroutine)
            return
        turn = self._turns.get(user.id)
        if turn is None:
            turn = self._turns[user.id] = asyncio.Lock()
        async with turn:
            await super().process_update(update, coroutine)
