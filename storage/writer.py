"""One writer for every write: queued operations are committed together in small batches.

A caller awaits its operation's result, which is set only after the batch's COMMIT returned,
so "your vote is counted" is never said before the vote is on disk. Batching is what lets a
``synchronous=FULL`` database keep up with a busy hour: one fsync covers many votes.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import aiosqlite

log = logging.getLogger(__name__)

T = TypeVar("T")
Op = Callable[[aiosqlite.Connection], Awaitable[Any]]


class Writer:
    """Runs write operations on one connection, many per transaction."""

    def __init__(self, conn: aiosqlite.Connection, max_batch: int = 200) -> None:
        self._conn = conn
        self._max_batch = max_batch
        self._queue: asyncio.Queue[tuple[Op, bool, asyncio.Future[Any]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.operations = 0

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="markbot-writer")

    async def stop(self) -> None:
        """Finish what is queued, then stop."""
        if self._task is None:
            return
        await self._queue.join()
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def run(self, op: Op, *, savepoint: bool = True) -> Any:
        """Queue ``op`` and wait until its transaction is committed.

        ``savepoint=False`` is for single-statement operations, which SQLite already undoes
        on their own if they fail.
        """
        if self._task is None:
            raise RuntimeError("writer is not running")
        fut: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((op, savepoint, fut))
        return await asyncio.shield(fut)

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                await self._commit(batch)
            finally:
                for _ in batch:
                    self._queue.task_done()

    async def _commit(self, batch: list[tuple[Op, bool, asyncio.Future[Any]]]) -> None:
        conn = self._conn
        outcomes: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        try:
            await conn.execute("BEGIN IMMEDIATE")
            for op, savepoint, fut in batch:
                outcomes.append((fut, *await self._apply(op, savepoint)))
            await conn.execute("COMMIT")
        except Exception as exc:  # the batch failed as a whole: nothing of it is committed
            log.error("write batch of %d failed: %s", len(batch), type(exc).__name__)
            if conn.in_transaction:
                await conn.execute("ROLLBACK")
            for _op, _sp, fut in batch:
                if not fut.done():
                    fut.set_exception(exc)
            return
        self.batches += 1
        self.operations += len(batch)
        for fut, result, error in outcomes:
            if fut.done():
                continue
            if error is not None:
                fut.set_exception(error)
            else:
                fut.set_result(result)

    async def _apply(self, op: Op, savepoint: bool) -> tuple[Any, BaseException | None]:
        conn = self._conn
        if savepoint:
            await conn.execute("SAVEPOINT op")
        try:
            result = await op(conn)
        except Exception as exc:
            if savepoint:
                await conn.execute("ROLLBACK TO op")
                await conn.execute("RELEASE op")
            return None, exc
        if savepoint:
            await conn.execute("RELEASE op")
        return result, None
