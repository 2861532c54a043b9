"""One holder at a time across every markbot process sharing the database: a database lease
(Store.claim_lease) held for a short job, such as posting to the safeguarding chat, where two
processes doing it at once would post the same thing twice."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator, Callable

from storage.contract import Store

LEASE_SECONDS = 60  # a holder that dies mid-job blocks the others at most this long
RETRY_SECONDS = 0.2


class SharedLock:
    """An in-process lock plus the database lease ``name`` (see the module docstring)."""

    def __init__(
        self,
        store: Store,
        name: str,
        *,
        seconds: int = LEASE_SECONDS,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._name = name
        self._seconds = seconds
        self._clock = clock
        self._holder = secrets.token_bytes(16)
        self._local = asyncio.Lock()

    async def renew(self) -> bool:
        """Take or extend the lease (a long job calls this between steps); False if another
        process has it."""
        return await self._store.claim_lease(
            self._name, self._holder, int(self._clock()), self._seconds
        )

    @contextlib.asynccontextmanager
    async def hold(self, *, wait: bool = True) -> AsyncIterator[bool]:
        """Hold the lock for the block: True once held; with ``wait=False``, False at once
        (and nothing held) if another process has it."""
        async with self._local:
            while not await self.renew():
                if not wait:
                    yield False
                    return
                await asyncio.sleep(RETRY_SECONDS)
            try:
                yield True
            finally:
                with contextlib.suppress(Exception):  # unreachable: the lease runs out
                    await self._store.release_lease(self._name, self._holder)
