"""One writer for every write: queued operations are committed together in small batches.

A caller awaits its operation's result, which is set only after the batch's COMMIT returned,
so "your vote is counted" is never said before the vote is on disk. Batching is what lets a
``synchronous=FULL`` database keep up with a busy hour: one fsync covers many votes.

The writer owns a plain ``sqlite3`` connection on a thread of its own, and a whole batch, from
BEGIN to COMMIT, runs in one hop to that thread: one wake-up of the event loop per batch rather
than one per statement.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

log = logging.getLogger(__name__)

Op = Callable[[sqlite3.Connection], Any]
_Outcome = tuple[Any, BaseException | None]


class Writer:
    """Runs write operations on one connection, many per transaction."""

    def __init__(self, connect: Callable[[], sqlite3.Connection], max_batch: int = 500) -> None:
        self._connect = connect
        self._max_batch = max_batch
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="markbot-writer")
        self._conn: sqlite3.Connection | None = None
        self._queue: asyncio.Queue[tuple[Op, bool, asyncio.Future[Any]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.batches = 0
        self.operations = 0

    async def start(self) -> None:
        """Open the connection on the writer thread (sqlite3 objects stay on their thread)."""
        loop = asyncio.get_running_loop()
        self._conn = await loop.run_in_executor(self._executor, self._connect)
        self._task = asyncio.create_task(self._run(), name="markbot-writer")

    async def stop(self) -> None:
        """Finish what is queued, then close."""
        if self._task is not None:
            await self._queue.join()
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._conn is not None:
            conn, self._conn = self._conn, None
            await asyncio.get_running_loop().run_in_executor(self._executor, conn.close)
        self._executor.shutdown(wait=True)

    async def call(self, fn: Callable[[sqlite3.Connection], Any]) -> Any:
        """Run ``fn`` on the writer's thread outside any batch (pragmas, checks)."""
        if self._conn is None:
            raise RuntimeError("writer is not running")
        conn = self._conn
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, conn)

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
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                ops = [(op, savepoint) for op, savepoint, _ in batch]
                try:
                    outcomes = await loop.run_in_executor(self._executor, self._commit, ops)
                except Exception as exc:  # nothing of this batch is committed
                    # SQLite's message says why ("database is locked", "database or disk is
                    # full") and holds no data; other errors are named only
                    why = f" ({exc})" if isinstance(exc, sqlite3.Error) else ""
                    log.error("write batch of %d failed: %s%s", len(batch), type(exc).__name__, why)
                    outcomes = [(None, exc)] * len(batch)
                else:
                    self.batches += 1
                    self.operations += len(batch)
                for (_, _, fut), (result, error) in zip(batch, outcomes, strict=True):
                    if fut.done():
                        continue
                    if error is not None:
                        fut.set_exception(error)
                    else:
                        fut.set_result(result)
            finally:
                for _ in batch:
                    self._queue.task_done()

    def _commit(self, ops: list[tuple[Op, bool]]) -> list[_Outcome]:
        """On the writer thread: BEGIN, every op in its own savepoint, COMMIT."""
        conn = self._conn
        assert conn is not None
        outcomes: list[_Outcome] = []
        try:
            conn.execute("BEGIN IMMEDIATE")
            for op, savepoint in ops:
                outcomes.append(_apply(conn, op, savepoint))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        return outcomes


def _apply(conn: sqlite3.Connection, op: Op, savepoint: bool) -> _Outcome:
    if savepoint:
        conn.execute("SAVEPOINT op")
    try:
        result = op(conn)
    except sqlite3.OperationalError:
        raise  # the database itself is in trouble (disk full, locked): fail the batch
    except Exception as exc:
        if savepoint:
            conn.execute("ROLLBACK TO op")
            conn.execute("RELEASE op")
        return None, exc
    if savepoint:
        conn.execute("RELEASE op")
    return result, None
