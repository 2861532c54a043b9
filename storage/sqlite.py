"""The SQLite store: every SQL statement markbot runs lives in this module or migrations.py."""

from __future__ import annotations

import secrets
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path

import aiosqlite

from storage.migrations import MIGRATIONS
from storage.records import (
    CastResult,
    DraftRow,
    GroupCount,
    NewBallot,
    OptionCount,
    PollExists,
    PollRow,
    PollSummary,
    Respondents,
    StorageError,
    TallyData,
)
from storage.writer import Writer

BUSY_TIMEOUT_MS = 10_000
_POLL_COLUMNS = "id, code, title, status, definition, opens_at, closes_at, created_at"
_OPEN_NOW = (
    "status = 'open' AND (opens_at IS NULL OR opens_at <= :now) "
    "AND (closes_at IS NULL OR closes_at > :now)"
)


async def _connect(path: str, *, readonly: bool = False) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    await conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    await conn.execute("PRAGMA foreign_keys = ON")
    await conn.execute("PRAGMA secure_delete = ON")  # deleted drafts are overwritten, not left
    await conn.execute("PRAGMA synchronous = FULL")
    if readonly:
        await conn.execute("PRAGMA query_only = ON")
    return conn


class SqliteStore:
    """Named operations over one SQLite file: one writer connection, one reader connection."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._writer_conn: aiosqlite.Connection | None = None
        self._reader: aiosqlite.Connection | None = None
        self._writer: Writer | None = None

    # --- lifecycle ------------------------------------------------------------------------

    async def open(self) -> None:
        """Open (creating if needed), migrate, and start the writer."""
        if self.path != ":memory:":
            parent = Path(self.path).parent
            if not parent.exists():
                raise StorageError(f"the folder for MARKBOT_DB does not exist: {parent}")
        try:
            conn = await _connect(self.path)
            mode = await _scalar(conn, "PRAGMA journal_mode = WAL")
            if self.path != ":memory:" and str(mode).lower() != "wal":
                raise StorageError(f"could not switch {self.path} to WAL mode (got {mode})")
            await self._migrate(conn)
            self._writer_conn = conn
            self._reader = await _connect(self.path, readonly=True)
        except sqlite3.DatabaseError as exc:
            await self.close()
            raise StorageError(f"cannot open the database {self.path}: {exc}") from None
        self._writer = Writer(conn)
        self._writer.start()

    async def close(self) -> None:
        if self._writer is not None:
            await self._writer.stop()
            self._writer = None
        for conn in (self._reader, self._writer_conn):
            if conn is not None:
                await conn.close()
        self._reader = self._writer_conn = None

    async def __aenter__(self) -> SqliteStore:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _migrate(self, conn: aiosqlite.Connection) -> None:
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)"
        )
        done = {r[0] for r in await conn.execute_fetchall("SELECT name FROM schema_migrations")}
        for name, sql in MIGRATIONS:
            if name in done:
                continue
            try:
                await conn.execute("BEGIN IMMEDIATE")
                for statement in _statements(sql):
                    await conn.execute(statement)
                await conn.execute(
                    "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                    (name, int(time.time())),
                )
                await conn.execute("COMMIT")
            except Exception:
                if conn.in_transaction:
                    await conn.execute("ROLLBACK")
                raise

    @property
    def _r(self) -> aiosqlite.Connection:
        if self._reader is None:
            raise StorageError("the store is not open")
        return self._reader

    @property
    def _w(self) -> Writer:
        if self._writer is None:
            raise StorageError("the store is not open")
        return self._writer

    @property
    def writer_stats(self) -> tuple[int, int]:
        """(batches, operations) committed so far: for benchmarks."""
        return (self._w.batches, self._w.operations) if self._writer else (0, 0)

    async def pragmas(self) -> dict[str, object]:
        """The durability settings in force on the writer connection (for checks and tests)."""
        conn = self._writer_conn
        if conn is None:
            raise StorageError("the store is not open")
        names = ("journal_mode", "synchronous", "busy_timeout", "secure_delete", "foreign_keys")
        return {name: await _scalar(conn, f"PRAGMA {name}") for name in names}

    async def schema_version(self) -> list[str]:
        rows = await self._r.execute_fetchall("SELECT name FROM schema_migrations ORDER BY name")
        return [r[0] for r in rows]

    # --- polls ----------------------------------------------------------------------------

    async def add_poll(
        self,
        code: str,
        title: str,
        definition: str,
        opens_at: int | None,
        closes_at: int | None,
        status: str = "draft",
    ) -> int:
        async def op(conn: aiosqlite.Connection) -> int:
            try:
                cur = await conn.execute(
                    "INSERT INTO polls (code, title, status, definition, opens_at, closes_at,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (code, title, status, definition, opens_at, closes_at, int(time.time())),
                )
            except sqlite3.IntegrityError:
                raise PollExists(f"a poll with code {code!r} already exists") from None
            return int(cur.lastrowid or 0)

        return int(await self._w.run(op, savepoint=False))

    async def get_poll(self, code: str) -> PollRow | None:
        rows = await self._r.execute_fetchall(
            f"SELECT {_POLL_COLUMNS} FROM polls WHERE code = ?", (code.lower(),)
        )
        return PollRow(*rows[0]) if rows else None

    async def get_poll_by_id(self, poll_id: int) -> PollRow | None:
        rows = await self._r.execute_fetchall(
            f"SELECT {_POLL_COLUMNS} FROM polls WHERE id = ?", (poll_id,)
        )
        return PollRow(*rows[0]) if rows else None

    async def list_polls(self) -> list[PollSummary]:
        rows = await self._r.execute_fetchall(
            "SELECT p.code, p.title, p.status, p.opens_at, p.closes_at,"
            " (SELECT count(*) FROM ballots b WHERE b.poll_id = p.id)"
            " FROM polls p ORDER BY p.created_at DESC, p.code"
        )
        return [PollSummary(*r) for r in rows]

    async def set_poll_status(self, code: str, status: str) -> bool:
        async def op(conn: aiosqlite.Connection) -> bool:
            cur = await conn.execute(
                "UPDATE polls SET status = ?,"
                " closed_at = CASE WHEN ? = 'closed' THEN ? ELSE NULL END WHERE code = ?",
                (status, status, int(time.time()), code.lower()),
            )
            return cur.rowcount > 0

        return bool(await self._w.run(op, savepoint=False))

    # --- the journey ----------------------------------------------------------------------

    async def load_draft(self, owner: bytes) -> DraftRow | None:
        rows = await self._r.execute_fetchall(
            "SELECT owner, token, poll_id, state, updated_at FROM drafts WHERE owner = ?",
            (owner,),
        )
        return DraftRow(*rows[0]) if rows else None

    async def save_draft(self, draft: DraftRow) -> None:
        async def op(conn: aiosqlite.Connection) -> None:
            await conn.execute(
                "INSERT INTO drafts (owner, token, poll_id, state, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (owner) DO UPDATE SET"
                " token = excluded.token, poll_id = excluded.poll_id,"
                " state = excluded.state, updated_at = excluded.updated_at",
                (draft.owner, draft.token, draft.poll_id, draft.state, draft.updated_at),
            )

        await self._w.run(op, savepoint=False)

    async def drop_draft(self, owner: bytes) -> bool:
        async def op(conn: aiosqlite.Connection) -> bool:
            cur = await conn.execute("DELETE FROM drafts WHERE owner = ?", (owner,))
            return cur.rowcount > 0

        return bool(await self._w.run(op, savepoint=False))

    async def drop_stale_drafts(self, updated_before: int) -> int:
        async def op(conn: aiosqlite.Connection) -> int:
            cur = await conn.execute("DELETE FROM drafts WHERE updated_at < ?", (updated_before,))
            return cur.rowcount

        return int(await self._w.run(op, savepoint=False))

    async def has_voted(self, poll_id: int, voter: bytes) -> bool:
        rows = await self._r.execute_fetchall(
            "SELECT 1 FROM voters WHERE poll_id = ? AND voter = ?", (poll_id, voter)
        )
        return bool(rows)

    async def cast_ballot(
        self, ballot: NewBallot, voter: bytes | None, owner: bytes | None, now: int
    ) -> CastResult:
        """Record the voter and the ballot in one transaction, exactly once per voter.

        The voters primary key, not a prior check, is what refuses a second ballot, so double
        taps, redelivered updates and restarts all land on the same answer. ``voter`` is None
        only for paper ballots, which have no online voter.
        """

        async def op(conn: aiosqlite.Connection) -> CastResult:
            if owner is not None:
                await conn.execute("DELETE FROM drafts WHERE owner = ?", (owner,))
            cur = await conn.execute(
                f"SELECT 1 FROM polls WHERE id = :poll AND {_OPEN_NOW}",
                {"poll": ballot.poll_id, "now": now},
            )
            if await cur.fetchone() is None:
                return CastResult.POLL_CLOSED
            if voter is not None:
                try:
                    await conn.execute(
                        "INSERT INTO voters (poll_id, voter) VALUES (?, ?)",
                        (ballot.poll_id, voter),
                    )
                except sqlite3.IntegrityError:
                    return CastResult.ALREADY_VOTED
            await _insert_ballot(conn, ballot)
            return CastResult.COUNTED

        return await self._w.run(op)

    # --- results --------------------------------------------------------------------------

    async def tally(self, poll_id: int, dimensions: Sequence[str]) -> TallyData:
        """Counts per option, per option and breakdown group, and respondents, in one snapshot."""
        conn = await _connect(self.path, readonly=True)
        try:
            await conn.execute("BEGIN")
            data = TallyData()
            data.ballots = int(
                await _scalar(conn, "SELECT count(*) FROM ballots WHERE poll_id = ?", (poll_id,))
            )
            rows = await conn.execute_fetchall(
                "SELECT question, option, rank, count(*) FROM answers WHERE poll_id = ?"
                " GROUP BY question, option, rank",
                (poll_id,),
            )
            data.options = [OptionCount(*r) for r in rows]
            rows = await conn.execute_fetchall(
                "SELECT question, '', '', count(DISTINCT ballot_id) FROM answers"
                " WHERE poll_id = ? GROUP BY question",
                (poll_id,),
            )
            data.respondents = [Respondents(*r) for r in rows]
            for dim in dimensions:
                rows = await conn.execute_fetchall(
                    "SELECT a.question, a.option, g.option, count(*) FROM answers a"
                    " JOIN answers g ON g.ballot_id = a.ballot_id AND g.question = ?"
                    " WHERE a.poll_id = ? AND a.question != ?"
                    " GROUP BY a.question, a.option, g.option",
                    (dim, poll_id, dim),
                )
                data.groups += [GroupCount(q, o, dim, g, n) for q, o, g, n in rows]
                rows = await conn.execute_fetchall(
                    "SELECT a.question, g.option, count(DISTINCT a.ballot_id) FROM answers a"
                    " JOIN answers g ON g.ballot_id = a.ballot_id AND g.question = ?"
                    " WHERE a.poll_id = ? AND a.question != ?"
                    " GROUP BY a.question, g.option",
                    (dim, poll_id, dim),
                )
                data.respondents += [Respondents(q, dim, g, n) for q, g, n in rows]
            await conn.execute("COMMIT")
            return data
        finally:
            await conn.close()

    async def text_answers(self, poll_id: int) -> list[tuple[str, str, str]]:
        """(ballot id, question, body) for every free-text answer of a poll."""
        rows = await self._r.execute_fetchall(
            "SELECT ballot_id, question, body FROM text_answers WHERE poll_id = ?"
            " ORDER BY question, ballot_id",
            (poll_id,),
        )
        return [(r[0], r[1], r[2]) for r in rows]


async def _insert_ballot(conn: aiosqlite.Connection, ballot: NewBallot) -> str:
    ballot_id = secrets.token_hex(10)
    await conn.execute(
        "INSERT INTO ballots (id, poll_id, cast_on, channel, session_id, lang)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (ballot_id, ballot.poll_id, ballot.cast_on, ballot.channel, ballot.session_id, ballot.lang),
    )
    if ballot.choices:
        await conn.executemany(
            "INSERT INTO answers (ballot_id, poll_id, question, option, rank)"
            " VALUES (?, ?, ?, ?, ?)",
            [(ballot_id, ballot.poll_id, q, o, r) for q, o, r in ballot.choices],
        )
    if ballot.texts:
        await conn.executemany(
            "INSERT INTO text_answers (ballot_id, poll_id, question, body) VALUES (?, ?, ?, ?)",
            [(ballot_id, ballot.poll_id, q, body) for q, body in ballot.texts],
        )
    return ballot_id


async def _scalar(conn: aiosqlite.Connection, sql: str, params: Sequence[object] = ()) -> object:
    rows = list(await conn.execute_fetchall(sql, params))
    return rows[0][0] if rows else None


def _statements(script: str) -> list[str]:
    """Split a migration into statements (sqlite3.complete_statement knows where each ends)."""
    out, buf = [], ""
    for line in script.splitlines(keepends=True):
        buf += line
        if sqlite3.complete_statement(buf):
            if buf.strip():
                out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out
