"""What the PostgreSQL store and its parts share: the pool, transactions, and error mapping.

Every write is one transaction on a pooled connection, committed before the caller learns the
result (PostgreSQL's default ``synchronous_commit = on``: durable when COMMIT returns). Engine
errors that mean "the database can't do this just now" (no connection, disk full, too many
clients, shutting down, a serialization failure) become ``StorageUnavailable``, as SQLite's
``OperationalError`` does, so services answer "try again" and keep the person's answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg

from storage.records import StorageError, StorageUnavailable

log = logging.getLogger(__name__)

# A draft's upsert with synchronous_commit off for its own (implicit) transaction only:
# set_config with is_local reverts at the transaction's end, so the pooled connection is
# unchanged.
DRAFT_SAVE = (
    "INSERT INTO drafts (owner, token, poll_id, state, updated_at)"
    " SELECT $1, $2, $3, $4, $5 FROM (SELECT set_config('synchronous_commit', 'off', true)) s"
    " ON CONFLICT (owner) DO UPDATE SET token = excluded.token, poll_id = excluded.poll_id,"
    " state = excluded.state, updated_at = excluded.updated_at"
)

# Errors after which nothing of the operation was kept and trying later may work.
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OSError,  # refused, reset, no such socket
    asyncio.TimeoutError,  # the pool or the server did not answer in time
    asyncpg.PostgresConnectionError,  # class 08
    asyncpg.exceptions.InsufficientResourcesError,  # class 53: disk full, out of memory, clients
    asyncpg.exceptions.OperatorInterventionError,  # class 57: shutting down, cannot connect now
    asyncpg.exceptions.TransactionRollbackError,  # class 40: serialization failure, deadlock
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.InternalClientError,
    asyncpg.exceptions.InterfaceError,  # the connection was closed under the operation
)


def unavailable(exc: BaseException) -> StorageUnavailable:
    """The records exception for an engine error that means "not now" (its type only: an
    engine message may quote a value)."""
    return StorageUnavailable(f"the database did not answer ({type(exc).__name__})")


class Database:
    """The pool one store and its parts share, and how many write transactions it committed."""

    def __init__(self) -> None:
        self.pool: asyncpg.Pool | None = None
        self.writes = 0


@dataclass(eq=False)
class Turn:
    """A person's turn in progress (see PostgresStore.person_turn): the connection holding the
    lock, the database and task it belongs to, and the person's draft read right after the
    lock was granted, in the same round trip."""

    db: Database
    task: asyncio.Task[Any]
    conn: asyncpg.Connection
    owner: bytes
    draft: asyncpg.Record | None = None
    fresh: bool = False  # nothing has run on conn since the draft was read
    # The owner's draft saved in this turn and not yet written (DraftRow's fields): written
    # before anything else runs on conn, else with the unlock when the turn ends, in one round
    # trip (see PostgresStore.person_turn). Only where the turn's function exists (combined).
    pending: tuple[Any, ...] | None = None
    combined: bool = False

    def take_draft(self, owner: bytes) -> tuple[asyncpg.Record | None] | None:
        """The draft read with the lock, once, if nothing ran on the connection since (so it
        is still the latest: only the turn's holder changes it); else None."""
        if not self.fresh or owner != self.owner:
            return None
        self.fresh = False
        return (self.draft,)


# The turn of the current task: that task's operations run on the turn's connection instead of
# each taking a connection from the pool and handing it back. Only the task that took the turn
# uses it (a task started inside the turn inherits the variable, but asyncpg runs one statement
# at a time per connection), and only for the store whose pool lent it.
TURN: contextvars.ContextVar[Turn | None] = contextvars.ContextVar("markbot_pg_turn", default=None)


class PostgresFeature:
    """Named operations over the store's pool (the store itself, and its parts)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    @property
    def _pool(self) -> asyncpg.Pool:
        if self._db.pool is None:
            raise StorageError("the store is not open")
        return self._db.pool

    def _count_write(self) -> None:
        self._db.writes += 1

    def _current_turn(self) -> Turn | None:
        """This task's person turn on this store, if any."""
        turn = TURN.get()
        if turn is None or turn.db is not self._db or turn.task is not asyncio.current_task():
            return None
        return turn

    async def _turn_conn(self) -> asyncpg.Connection | None:
        """The connection holding this task's person turn on this store, if any (an operation
        is about to run on it: the draft read with the lock may no longer be the latest, and a
        draft saved in the turn is written first, so the operation sees it)."""
        turn = self._current_turn()
        if turn is None:
            return None
        turn.fresh = False
        if turn.pending is not None:
            pending, turn.pending = turn.pending, None
            await self._write_draft(turn.conn, pending)
        return turn.conn

    async def _write_draft(self, runner: asyncpg.Connection | asyncpg.Pool, args: Any) -> None:
        """A draft's upsert (DRAFT_SAVE). One the database refuses (text it can't hold) is
        logged and left unsaved, as on SQLite: it must not fail the person's tap."""
        try:
            await runner.execute(DRAFT_SAVE, *args)
        except (UnicodeEncodeError, asyncpg.DataError) as exc:
            log.warning("an unfinished journey could not be written: %s", type(exc).__name__)
            return
        except _UNAVAILABLE as exc:
            raise unavailable(exc) from None
        self._count_write()

    async def _runner(self) -> asyncpg.Connection | asyncpg.Pool:
        """Where a single statement runs: the turn's connection, else the pool."""
        conn = await self._turn_conn()
        return self._pool if conn is None else conn

    @contextlib.asynccontextmanager
    async def _borrow(self) -> AsyncIterator[asyncpg.Connection]:
        """The turn's connection when there is one, else one from the pool."""
        conn = await self._turn_conn()
        if conn is not None:
            yield conn
        else:
            async with self._pool.acquire() as conn:
                yield conn

    @contextlib.asynccontextmanager
    async def _tx(
        self, *, isolation: str = "read_committed", readonly: bool = False
    ) -> AsyncIterator[asyncpg.Connection]:
        """One transaction on a pooled connection: committed when the block ends normally,
        rolled back when it raises; engine "not now" errors become StorageUnavailable."""
        try:
            async with (
                self._borrow() as conn,
                conn.transaction(isolation=isolation, readonly=readonly),
            ):
                yield conn
            if not readonly:
                self._count_write()
        except _UNAVAILABLE as exc:
            raise unavailable(exc) from None

    @contextlib.asynccontextmanager
    async def _conn(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection outside any transaction (VACUUM, CLUSTER)."""
        try:
            async with self._pool.acquire() as conn:
                yield conn
        except _UNAVAILABLE as exc:
            raise unavailable(exc) from None

    async def _fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        try:
            return list(await (await self._runner()).fetch(sql, *args))
        except _UNAVAILABLE as exc:
            raise unavailable(exc) from None

    async def _fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        try:
            return await (await self._runner()).fetchrow(sql, *args)
        except _UNAVAILABLE as exc:
            raise unavailable(exc) from None

    async def _fetchval(self, sql: str, *args: Any) -> Any:
        try:
            return await (await self._runner()).fetchval(sql, *args)
        except _UNAVAILABLE as exc:
            raise unavailable(exc) from None

    async def _execute(self, sql: str, *args: Any) -> int:
        """One statement in its own (implicit) transaction; how many rows it touched."""
        try:
            status = await (await self._runner()).execute(sql, *args)
        except _UNAVAILABLE as exc:
            raise unavailable(exc) from None
        self._count_write()
        return _rowcount(status)


def holdable(key: str) -> bool:
    """Whether PostgreSQL text could hold ``key``: it cannot hold NUL, so a code or token with
    one (from a link anyone can type) is in no row, and looking it up would be an error
    instead of SQLite's "not there"."""
    return "\x00" not in key


def _rowcount(status: str) -> int:
    """The row count of a command tag such as ``DELETE 3`` or ``INSERT 0 1``."""
    tail = status.rsplit(" ", 1)[-1]
    return int(tail) if tail.isdigit() else 0
