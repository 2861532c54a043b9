"""One holder at a time across every markbot process sharing the database: a database lease
(Store.claim_lease) held for a short job, such as posting to the safeguarding chat, where two
processes doing it at once would post the same thing twice."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections.abc import AsyncIterator, Callable

from storage.contract import Store

log = logging.getLogger(__name__)

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
            keeper = asyncio.create_task(self._keep())  # a long job (429 waits) keeps it
            try:
                yield True
            finally:
                keeper.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await keeper
                with contextlib.suppress(Exception):  # unreachable: the lease runs out
                    await self._store.release_lease(self._name, self._holder)

    async def _keep(self) -> None:
        """Renew the lease every third of its length while the block runs, so a job longer
        than the lease is not taken over (and done twice) by another process."""
        while True:
            await asyncio.sleep(self._seconds / 3)
            with contextlib.suppress(Exception):  # unreachable now: try again next time
                if not await self.renew():
                    log.warning("the %s lease was taken over while held", self._name)
