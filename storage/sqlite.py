"""The SQLite store: every SQL statement markbot runs lives in this module or migrations.py."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import sqlite3
import tempfile
import time
from collections import OrderedDict, defaultdict
from collections.abc import AsyncIterable, AsyncIterator, Callable, Iterable, Iterator, Sequence
from pathlib import Path

import aiosqlite

from storage.migrations import COPY_TABLES, MIGRATIONS
from storage.records import (
    AlreadyImported,
    CastResult,
    DraftRow,
    DuplicateCode,
    GroupCount,
    NewBallot,
    OptionCount,
    PollExists,
    PollRow,
    PollSummary,
    Respondents,
    SharedNote,
    StorageError,
    StorageUnavailable,
    TableRows,
    TallyData,
    UpdateClaim,
)
from storage.sqlite_broadcasts import SqliteBroadcasts
from storage.sqlite_contacts import SqliteContacts
from storage.writer import Writer

log = logging.getLogger(__name__)

_SHARED_PUT = (
    "INSERT INTO shared_state (kind, key, value, expires_at) VALUES (?, ?, ?, ?)"
    " ON CONFLICT (kind, key) DO UPDATE"
    " SET value = excluded.value, expires_at = excluded.expires_at"
)

BUSY_TIMEOUT_MS = 10_000
# The tally index as migration 0001 creates it; a large paper import rebuilds it (see
# _publish_paper), and tests/test_paper.py checks the two stay the same.
_TALLY_INDEX = (
    "CREATE INDEX main.answers_tally ON answers (poll_id, question, grp, option, rank, lead)"
)
COPY_BATCH = 5_000  # rows per batch of a database copy
DRAFT_CACHE_SIZE = 20_000
DRAFT_FLUSH_SECONDS = 0.5
_POLL_COLUMNS = "id, code, title, status, definition, opens_at, closes_at, created_at"
_OPEN_NOW = (
    "status = 'open' AND (opens_at IS NULL OR opens_at <= :now) "
    "AND (closes_at IS NULL OR closes_at > :now)"
)
_PRAGMAS = (
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys = ON",
    "PRAGMA secure_delete = ON",  # deleted drafts are overwritten, not left in free pages
    "PRAGMA synchronous = FULL",  # a vote we said is counted survives a power cut
    "PRAGMA journal_size_limit = 4194304",  # a checkpointed WAL shrinks back, keeping no history
)


async def _connect_reader(path: str) -> aiosqlite.Connection:
    conn = await aiosqlite.connect(path, isolation_level=None)
    for pragma in _PRAGMAS:
        await conn.execute(pragma)
    await conn.execute("PRAGMA query_only = ON")
    return conn


def _connect_writer(path: str) -> sqlite3.Connection:
    """The writer's connection: WAL, FULL sync, migrated (runs on the writer's thread)."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in _PRAGMAS:
            conn.execute(pragma)
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if path != ":memory:" and str(mode).lower() != "wal":
            raise StorageError(f"could not switch {path} to WAL mode (got {mode})")
        _migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def _migrate(conn: sqlite3.Connection) -> None:
    """Apply every migration not yet recorded, each in its own transaction."""
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations "
        "(name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)"
    )
    done = {r[0] for r in conn.execute("SELECT name FROM schema_migrations")}
    for name, sql in MIGRATIONS:
        if name in done:
            continue
        try:
            conn.execute("BEGIN IMMEDIATE")
            for statement in _statements(sql):
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                (name, int(time.time())),
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


class SqliteStore:
    """Named operations over one SQLite file: one writer thread, one reader connection.

    It implements storage.contract.Store (and Diagnostics); the guarantees are written there.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        self._reader: aiosqlite.Connection | None = None
        self._writer: Writer | None = None
        self.broadcasts = SqliteBroadcasts(self)
        self.contacts = SqliteContacts(self)
        # Unfinished journeys are served from memory and written behind, coalesced per person,
        # every DRAFT_FLUSH_SECONDS: a tap costs no disk write of its own. Only `markbot run`
        # writes drafts and only one may run per database, so memory is the truth while it
        # runs. A crash loses at most the last half second of taps of unfinished journeys;
        # ballots are never written behind.
        self._drafts: OrderedDict[bytes, DraftRow] = OrderedDict()
        self._dirty: set[bytes] = set()
        self._flusher: asyncio.Task[None] | None = None

    # --- lifecycle ------------------------------------------------------------------------

    async def open(self) -> None:
        """Open (creating if needed), migrate, and start the writer."""
        if self.path != ":memory:":
            parent = Path(self.path).parent
            if not parent.exists():
                raise StorageError(f"the folder for MARKBOT_DB does not exist: {parent}")
        writer = Writer(lambda: _connect_writer(self.path))
        try:
            await writer.start()
            self._writer = writer
            self._reader = await _connect_reader(self.path)
        except sqlite3.DatabaseError as exc:
            await writer.stop()
            self._writer = None
            await self.close()
            raise StorageError(f"cannot open the database {self.path}: {exc}") from None
        self._flusher = asyncio.create_task(self._flush_forever(), name="markbot-drafts")

    async def close(self) -> None:
        if self._flusher is not None:
            self._flusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._flusher
            self._flusher = None
        if self._writer is not None:
            await self.flush_drafts()
            await self._writer.stop()
            self._writer = None
        if self._reader is not None:
            await self._reader.close()
            self._reader = None
        self._drafts.clear()

    async def __aenter__(self) -> SqliteStore:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

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
        return (self._writer.batches, self._writer.operations) if self._writer else (0, 0)

    async def pragmas(self) -> dict[str, object]:
        """The durability settings in force on the writer connection (for checks and tests)."""
        names = ("journal_mode", "synchronous", "busy_timeout", "secure_delete", "foreign_keys")

        def read(conn: sqlite3.Connection) -> dict[str, object]:
            return {name: conn.execute(f"PRAGMA {name}").fetchone()[0] for name in names}

        return dict(await self._w.call(read))

    async def schema_version(self) -> list[str]:
        rows = await self._r.execute_fetchall("SELECT name FROM schema_migrations ORDER BY name")
        return [r[0] for r in rows]

    # --- the key ----------------------------------------------------------------------------

    # Tables whose rows only mean something with the key file: keyed hashes of people and
    # things sealed under a key derived from it.
    _KEYED = (
        "voters",
        "drafts",
        "workers",
        "invites",
        "preferences",
        "subscribers",
        "broadcast_sends",
        "contact_waiting",
        "contact_requests",
        "vote_codes",
        "alert_outbox",
    )

    async def has_keyed_data(self) -> bool:
        """Whether anything here was made with the key file (a voter register, subscribers,
        workers, ...): then a new key would silently break it."""
        exists = " OR ".join(f"EXISTS (SELECT 1 FROM {t})" for t in self._KEYED)
        sealed = "EXISTS (SELECT 1 FROM broadcasts WHERE notify IS NOT NULL)"
        shared = "EXISTS (SELECT 1 FROM shared_state WHERE kind <> 'lease')"
        rows = await self._r.execute_fetchall(f"SELECT {exists} OR {sealed} OR {shared}")
        return bool(next(iter(rows))[0]) or bool(self._drafts)

    async def key_check(self) -> bytes | None:
        """The check value of the key this database was used with (None before the first)."""
        rows = await self._r.execute_fetchall("SELECT value FROM key_check WHERE id = 1")
        return bytes(rows[0][0]) if rows else None

    async def set_key_check(self, value: bytes) -> None:
        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO key_check (id, value) VALUES (1, ?)"
                " ON CONFLICT (id) DO UPDATE SET value = excluded.value",
                (value,),
            )

        await self._w.run(op, savepoint=False)

    async def first_key_check(self, value: bytes) -> bytes:
        def op(conn: sqlite3.Connection) -> bytes:
            conn.execute(
                "INSERT INTO key_check (id, value) VALUES (1, ?) ON CONFLICT (id) DO NOTHING",
                (value,),
            )
            return bytes(conn.execute("SELECT value FROM key_check WHERE id = 1").fetchone()[0])

        return bytes(await self._w.run(op))

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
        def op(conn: sqlite3.Connection) -> int:
            try:
                cur = conn.execute(
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

    async def list_polls(self, today: str = "") -> list[PollSummary]:
        """Every poll with its ballots in total and on ``today`` (an ISO date), in one query."""
        rows = await self._r.execute_fetchall(
            "SELECT p.code, p.title, p.status, p.opens_at, p.closes_at,"
            " (SELECT count(*) FROM ballots b WHERE b.poll_id = p.id),"
            " (SELECT count(*) FROM ballots b WHERE b.poll_id = p.id AND b.cast_on = ?)"
            " FROM polls p ORDER BY p.created_at DESC, p.code",
            (today,),
        )
        return [PollSummary(*r) for r in rows]

    async def set_poll_status(self, code: str, status: str) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            cur = conn.execute(
                "UPDATE polls SET status = ?,"
                " closed_at = CASE WHEN ? = 'closed' THEN ? ELSE NULL END WHERE code = ?",
                (status, status, int(time.time()), code.lower()),
            )
            return cur.rowcount > 0

        return bool(await self._w.run(op, savepoint=False))

    async def apply_schedule(self, now: int) -> tuple[list[str], list[str]]:
        """Record polls whose closing time has passed as closed. (An open poll with a future
        ``opens_at`` is "scheduled" and starts by itself; a draft waits for staff to open it.)
        Returns the codes (opened, closed); nothing is opened here."""

        def op(conn: sqlite3.Connection) -> tuple[list[str], list[str]]:
            opened: list[str] = []  # drafts stay drafts until staff open them
            closed = [
                r[0]
                for r in conn.execute(
                    "UPDATE polls SET status = 'closed', closed_at = ? WHERE status = 'open'"
                    " AND closes_at IS NOT NULL AND closes_at <= ? RETURNING code",
                    (now, now),
                ).fetchall()
            ]
            return opened, closed

        opened, closed = await self._w.run(op)
        return list(opened), list(closed)

    # --- the journey ----------------------------------------------------------------------

    async def load_draft(self, owner: bytes) -> DraftRow | None:
        cached = self._drafts.get(owner)
        if cached is not None:
            return cached
        rows = await self._r.execute_fetchall(
            "SELECT owner, token, poll_id, state, updated_at FROM drafts WHERE owner = ?",
            (owner,),
        )
        if not rows:
            return None
        draft = DraftRow(*rows[0])
        self._remember(draft)
        return draft

    async def _flush_forever(self) -> None:
        while True:
            await asyncio.sleep(DRAFT_FLUSH_SECONDS)
            try:
                await self.flush_drafts()
            except Exception as exc:  # logged; the next round tries again
                log.error("writing unfinished journeys failed: %s", type(exc).__name__)

    async def flush_drafts(self) -> int:
        """Write every draft changed since the last flush, in one transaction.

        If the database refuses one person's draft (whatever is wrong with it), the others are
        written one by one, each in its own savepoint, so it can't hold theirs back; the
        refused one stays in memory only. A database that can't write at all (disk full,
        locked) keeps them all for the next round.
        """
        owners = list(self._dirty)
        rows = [
            (d.owner, d.token, d.poll_id, d.state, d.updated_at)
            for d in (self._drafts.get(o) for o in owners)
            if d is not None
        ]
        self._dirty.clear()
        if not rows:
            return 0
        try:
            await self._w.run(_draft_upsert(rows))
        except sqlite3.OperationalError:
            # written next time (unless they were dropped meanwhile)
            self._dirty.update(o for o in owners if o in self._drafts)
            raise
        except Exception:
            return await self._flush_one_by_one(rows)
        return len(rows)

    async def _flush_one_by_one(self, rows: list[tuple[bytes, str, int, str, int]]) -> int:
        outcomes = await asyncio.gather(
            *(self._w.run(_draft_upsert([row])) for row in rows), return_exceptions=True
        )
        written = 0
        for row, outcome in zip(rows, outcomes, strict=True):
            if isinstance(outcome, sqlite3.OperationalError):
                if row[0] in self._drafts:
                    self._dirty.add(row[0])
            elif isinstance(outcome, BaseException):
                log.warning(
                    "an unfinished journey could not be written: %s", type(outcome).__name__
                )
            else:
                written += 1
        return written

    def _forget(self, owner: bytes) -> None:
        self._drafts.pop(owner, None)
        self._dirty.discard(owner)

    def _remember(self, draft: DraftRow) -> None:
        self._drafts[draft.owner] = draft
        self._drafts.move_to_end(draft.owner)
        while len(self._drafts) > DRAFT_CACHE_SIZE:  # evict the oldest clean one
            oldest = next(iter(self._drafts))
            if oldest in self._dirty:
                break
            self._drafts.popitem(last=False)

    async def save_draft(self, draft: DraftRow) -> None:
        """Remember the draft now; it reaches the disk with the next flush (see __init__)."""
        self._remember(draft)
        self._dirty.add(draft.owner)

    async def drop_draft(self, owner: bytes) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            return conn.execute("DELETE FROM drafts WHERE owner = ?", (owner,)).rowcount > 0

        in_memory = owner in self._drafts
        self._forget(owner)
        return bool(await self._w.run(op, savepoint=False)) or in_memory

    async def drop_stale_drafts(self, updated_before: int) -> int:
        def op(conn: sqlite3.Connection) -> int:
            return conn.execute(
                "DELETE FROM drafts WHERE updated_at < ?", (updated_before,)
            ).rowcount

        await self.flush_drafts()  # so the count below covers the ones only in memory too
        for owner in [o for o, d in self._drafts.items() if d.updated_at < updated_before]:
            self._forget(owner)
        return int(await self._w.run(op, savepoint=False))

    async def has_voted(self, poll_id: int, voter: bytes) -> bool:
        rows = await self._r.execute_fetchall(
            "SELECT 1 FROM voters WHERE poll_id = ? AND voter = ?", (poll_id, voter)
        )
        return bool(rows)

    async def cast_ballot(
        self,
        ballot: NewBallot,
        voter: bytes | None,
        owner: bytes | None,
        now: int,
        notes: Sequence[SharedNote] = (),
    ) -> CastResult:
        """Record the voter and the ballot in one transaction, exactly once per voter.

        The voters primary key, not a prior check, is what refuses a second ballot, so double
        taps, redelivered updates and restarts all land on the same answer. ``voter`` is None
        only for paper ballots, which have no online voter.
        """

        def op(conn: sqlite3.Connection) -> CastResult:
            if owner is not None:
                conn.execute("DELETE FROM drafts WHERE owner = ?", (owner,))
            cur = conn.execute(
                f"SELECT 1 FROM polls WHERE id = :poll AND {_OPEN_NOW}",
                {"poll": ballot.poll_id, "now": now},
            )
            if cur.fetchone() is None:
                return CastResult.POLL_CLOSED
            if voter is not None:
                try:
                    conn.execute(
                        "INSERT INTO voters (poll_id, voter) VALUES (?, ?)",
                        (ballot.poll_id, voter),
                    )
                except sqlite3.IntegrityError:
                    return CastResult.ALREADY_VOTED
            _insert_ballot(conn, ballot)
            conn.executemany(_SHARED_PUT, [(n.kind, n.key, n.value, n.expires_at) for n in notes])
            return CastResult.COUNTED

        # The draft stays in memory until the ballot is committed, so that a failed write (a
        # full disk) leaves the person where they were, free to press Send again. It is no
        # longer "dirty", so no flush writes it back after the transaction has deleted it.
        if owner is not None:
            self._dirty.discard(owner)
        try:
            result = CastResult(await self._w.run(op))
        except Exception as exc:
            if owner is not None and owner in self._drafts:
                self._dirty.add(owner)
            if isinstance(exc, sqlite3.OperationalError):  # disk full, locked, I/O error
                raise StorageUnavailable(f"the ballot could not be written: {exc}") from None
            raise
        if owner is not None:
            self._forget(owner)
        return result

    async def refuse_imported(self, poll_id: int, digest: str) -> None:
        """Raise AlreadyImported if this file (by digest) is already in the poll."""
        rows = await self._r.execute_fetchall(
            "SELECT filename, imported_on FROM paper_imports WHERE poll_id = ? AND digest = ?",
            (poll_id, digest),
        )
        for name, day in rows:
            raise AlreadyImported.of(name, day)

    async def import_paper(
        self,
        poll_id: int,
        digest: str,
        filename: str,
        ballots: Iterable[NewBallot],
        today: str,
    ) -> int:
        """Add a whole file of paper ballots at once or not at all, once per file.

        ``ballots`` is consumed as it comes (it may be a file being checked row by row; if it
        raises, nothing is added). Its rows go first to a staging file beside the database,
        one per ballot, written and then sorted by ballot id on a thread of their own while
        the writer keeps serving votes. Then one transaction on the writer moves them in, in
        that order, so each table fills in order instead of at a random place per ballot.
        Votes queue behind that transaction (about 4 s per 100,000 ballots on a shared 2-core
        machine); another process's writes wait for it.
        """
        folder = None if self.path == ":memory:" else Path(self.path).parent
        try:
            fd, name = tempfile.mkstemp(prefix=".markbot-paper-", suffix=".db", dir=folder)
        except OSError as exc:
            raise StorageUnavailable(
                f"the paper ballots could not be staged beside the database ({exc.strerror});"
                " nothing was added"
            ) from None
        os.close(fd)
        staging = Path(name)
        try:
            count = await asyncio.to_thread(_stage_paper, staging, ballots)

            def publish(conn: sqlite3.Connection) -> int:
                return _publish_paper(conn, staging, poll_id, digest, filename, count, today)

            return int(await self._w.call(publish))
        except sqlite3.OperationalError as exc:  # a full disk, a lock held too long, I/O
            raise StorageUnavailable(
                f"the paper ballots could not be written ({exc}); nothing was added, so the"
                " same file can be imported again"
            ) from None
        finally:
            for suffix in ("", "-journal", "-wal", "-shm"):
                Path(f"{staging}{suffix}").unlink(missing_ok=True)

    # --- retention ------------------------------------------------------------------------

    async def checkpoint(self) -> None:
        """Copy the WAL into the database and empty it, so old page images (deleted drafts,
        the order commits came in) don't linger in the -wal file."""
        await self.flush_drafts()
        try:
            # fetchall: a pragma's open cursor would make the writer's next batch fail
            await self._w.call(
                lambda conn: conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()
            )
        except sqlite3.OperationalError as exc:  # readers busy: the next round tries again
            log.warning("WAL checkpoint skipped: %s", exc)

    async def compact(self) -> None:
        """Rebuild the file (VACUUM) and empty the WAL. Rows are rewritten in key order, so
        where a row sits on disk no longer says when it was added: run when a poll closes and
        after a purge. It blocks writes while it runs (seconds per 100,000 ballots)."""
        await self.flush_drafts()

        def op(conn: sqlite3.Connection) -> None:
            conn.execute("VACUUM")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

        try:
            await self._w.call(op)
        except sqlite3.OperationalError as exc:  # never let tidying up fail a close or purge
            log.warning("compacting the database was skipped: %s", exc)

    async def purge_texts(self, cast_before: str | None = None) -> int:
        """Delete the words of free-text answers of ballots cast before a date, or of every
        ballot cast up to now when no date is given (ballots carry a date only, so a cut-off
        date could never reach today's); the tallies and the answers' themes stay. Run
        `compact` afterwards so the words leave the file and its WAL too."""

        def op(conn: sqlite3.Connection) -> int:
            if cast_before is None:
                return conn.execute("UPDATE text_answers SET body = '' WHERE body != ''").rowcount
            return conn.execute(
                "UPDATE text_answers SET body = '' WHERE body != '' AND ballot_id IN"
                " (SELECT id FROM ballots WHERE cast_on < ?)",
                (cast_before,),
            ).rowcount

        return int(await self._w.run(op))

    async def purge_voters(self, closed_before: int) -> int:
        """Drop the voter register of polls closed before a time: their ballots are then fully
        anonymous (nothing is left that a key could match)."""

        def op(conn: sqlite3.Connection) -> int:
            return conn.execute(
                "DELETE FROM voters WHERE poll_id IN (SELECT id FROM polls WHERE"
                " status = 'closed' AND coalesce(closed_at, closes_at) < ?)",
                (closed_before,),
            ).rowcount

        return int(await self._w.run(op))

    # --- preferences ----------------------------------------------------------------------

    async def languages(self) -> dict[bytes, str]:
        """Every remembered language choice (keyed hash -> language); a small table."""
        rows = await self._r.execute_fetchall("SELECT person, lang FROM preferences")
        return {r[0]: r[1] for r in rows}

    async def set_language(self, person: bytes, lang: str) -> None:
        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO preferences (person, lang) VALUES (?, ?)"
                " ON CONFLICT (person) DO UPDATE SET lang = excluded.lang",
                (person, lang),
            )

        await self._w.run(op, savepoint=False)

    # --- session links --------------------------------------------------------------------

    async def add_session(self, poll_id: int, token: str, label: str, now: int) -> str:
        """A session link for one class or group; the same label again gives the same token."""

        def op(conn: sqlite3.Connection) -> str:
            row = conn.execute(
                "SELECT token FROM sessions WHERE poll_id = ? AND label = ?", (poll_id, label)
            ).fetchone()
            if row is not None:
                return str(row[0])
            conn.execute(
                "INSERT INTO sessions (poll_id, token, label, created_at) VALUES (?, ?, ?, ?)",
                (poll_id, token, label, now),
            )
            return token

        return str(await self._w.run(op))

    async def get_session(self, token: str) -> tuple[int, int, str] | None:
        """(session id, poll id, label) for a session link's token."""
        rows = await self._r.execute_fetchall(
            "SELECT id, poll_id, label FROM sessions WHERE token = ?", (token,)
        )
        return (rows[0][0], rows[0][1], rows[0][2]) if rows else None

    async def list_sessions(self, poll_id: int) -> list[tuple[int, str]]:
        rows = await self._r.execute_fetchall(
            "SELECT id, label FROM sessions WHERE poll_id = ? ORDER BY id", (poll_id,)
        )
        return [(r[0], r[1]) for r in rows]

    # --- voting codes (web ballot) ---------------------------------------------------------

    async def session_id(self, poll_id: int, label: str, token: str, now: int) -> int:
        """The id of this poll's session with ``label``, made (with ``token``) if new."""

        def op(conn: sqlite3.Connection) -> int:
            conn.execute(
                "INSERT INTO sessions (poll_id, token, label, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (poll_id, label) DO NOTHING",
                (poll_id, token, label, now),
            )
            row = conn.execute(
                "SELECT id FROM sessions WHERE poll_id = ? AND label = ?", (poll_id, label)
            ).fetchone()
            return int(row[0])

        return int(await self._w.run(op))

    async def add_codes(
        self, poll_id: int, codes: Sequence[bytes], session_id: int | None, today: str
    ) -> int:
        """Keep a batch of voting codes (keyed hashes only), all or none."""

        def op(conn: sqlite3.Connection) -> int:
            try:
                conn.executemany(
                    "INSERT INTO vote_codes (poll_id, code, session_id, made_on)"
                    " VALUES (?, ?, ?, ?)",
                    [(poll_id, code, session_id, today) for code in codes],
                )
            except sqlite3.IntegrityError:  # the savepoint drops the codes already inserted
                raise DuplicateCode("a voting code in the batch is already kept") from None
            return len(codes)

        return int(await self._w.run(op))

    async def find_code(self, poll_id: int, code: bytes) -> tuple[int | None, bool] | None:
        """(session id, used) for a voting code's keyed hash, or None if no such code. A code
        is used once its hash is in the voter register (the ballot's own transaction)."""
        rows = await self._r.execute_fetchall(
            "SELECT c.session_id, EXISTS (SELECT 1 FROM voters v"
            " WHERE v.poll_id = c.poll_id AND v.voter = c.code)"
            " FROM vote_codes c WHERE c.poll_id = ? AND c.code = ?",
            (poll_id, code),
        )
        if not rows:
            return None
        return rows[0][0], bool(rows[0][1])

    async def code_counts(self, poll_id: int) -> tuple[int, int]:
        """(codes made, codes used) for a poll: ballots cast with a code, without saying which."""
        rows = await self._r.execute_fetchall(
            "SELECT count(*), coalesce(sum(EXISTS (SELECT 1 FROM voters v"
            " WHERE v.poll_id = c.poll_id AND v.voter = c.code)), 0)"
            " FROM vote_codes c WHERE c.poll_id = ?",
            (poll_id,),
        )
        return int(rows[0][0]), int(rows[0][1])

    async def ballots_by_channel(self, poll_id: int) -> dict[str, int]:
        """Ballots per channel ('telegram', 'web', 'paper')."""
        rows = await self._r.execute_fetchall(
            "SELECT channel, count(*) FROM ballots WHERE poll_id = ? GROUP BY channel", (poll_id,)
        )
        return {str(r[0]): int(r[1]) for r in rows}

    # --- safeguarding alerts -----------------------------------------------------------------

    async def save_draft_with_alert(self, draft: DraftRow, sealed: bytes, today: str) -> str:
        """Keep a draft and queue its safeguarding alert in one transaction: the alert exists
        before the young person is answered, and never without the answer that raised it."""
        alert_id = secrets.token_hex(10)

        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO drafts (owner, token, poll_id, state, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (owner) DO UPDATE SET token = excluded.token,"
                " poll_id = excluded.poll_id, state = excluded.state,"
                " updated_at = excluded.updated_at",
                (draft.owner, draft.token, draft.poll_id, draft.state, draft.updated_at),
            )
            conn.execute(
                "INSERT INTO alert_outbox (id, sealed, queued_on) VALUES (?, ?, ?)",
                (alert_id, sealed, today),
            )

        previous, was_dirty = self._drafts.get(draft.owner), draft.owner in self._dirty
        self._remember(draft)
        self._dirty.discard(draft.owner)  # written now, with its alert
        try:
            await self._w.run(op)
        except Exception as exc:
            # Neither is kept: the draft as it was (a flush must never keep the answer
            # without the alert it raised), so the person can send the answer again.
            if previous is None:
                self._drafts.pop(draft.owner, None)
            else:
                self._drafts[draft.owner] = previous
            if was_dirty:
                self._dirty.add(draft.owner)
            if isinstance(exc, sqlite3.OperationalError):  # disk full, locked, I/O error
                raise StorageUnavailable(f"the answer could not be written: {exc}") from None
            raise
        return alert_id

    async def pending_alerts(self) -> list[tuple[str, bytes, bool]]:
        rows = await self._r.execute_fetchall("SELECT id, sealed, in_flight FROM alert_outbox")
        return [(str(r[0]), bytes(r[1]), bool(r[2])) for r in rows]

    async def alert_in_flight(self, alert_id: str, in_flight: bool) -> None:
        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE alert_outbox SET in_flight = ? WHERE id = ?", (int(in_flight), alert_id)
            )

        await self._w.run(op)

    async def alert_sent(self, alert_id: str) -> None:
        """Telegram has it: delete it (secure_delete overwrites the row)."""

        def op(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM alert_outbox WHERE id = ?", (alert_id,))

        await self._w.run(op)

    # --- webhook updates ---------------------------------------------------------------------

    async def claim_update(self, update_id: int, now: int, lease: int) -> UpdateClaim:
        """Read and claim in one transaction on the single writer, so one claim wins."""

        def op(conn: sqlite3.Connection) -> UpdateClaim:
            row = conn.execute(
                "SELECT seen_at, done FROM telegram_updates WHERE update_id = ?", (update_id,)
            ).fetchone()
            if row is not None and row[1]:
                return UpdateClaim.DONE
            if row is not None and row[0] > now - lease:
                return UpdateClaim.BUSY
            conn.execute(
                "INSERT INTO telegram_updates (update_id, seen_at, done) VALUES (?, ?, 0)"
                " ON CONFLICT (update_id) DO UPDATE SET seen_at = excluded.seen_at",
                (update_id, now),
            )
            return UpdateClaim.HANDLE

        return UpdateClaim(await self._w.run(op))

    async def claim_update_and_read(
        self, update_id: int, now: int, lease: int, person: bytes, kind: str, key: bytes
    ) -> tuple[UpdateClaim, str | None, bytes | None]:
        """The claim, then the two local reads: nothing to save by folding them on one file."""
        claim = await self.claim_update(update_id, now, lease)
        if claim is not UpdateClaim.HANDLE:
            return claim, None, None
        return claim, *await self.language_and_shared(person, kind, key, now)

    async def finish_update(self, update_id: int) -> None:
        def op(conn: sqlite3.Connection) -> None:
            conn.execute("UPDATE telegram_updates SET done = 1 WHERE update_id = ?", (update_id,))

        await self._w.run(op)

    async def release_update(self, update_id: int) -> None:
        """Handling failed: forget the claim, so Telegram's redelivery is handled."""

        def op(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM telegram_updates WHERE update_id = ?", (update_id,))

        await self._w.run(op)

    async def forget_updates(self, seen_before: int) -> int:
        def op(conn: sqlite3.Connection) -> int:
            return conn.execute(
                "DELETE FROM telegram_updates WHERE seen_at < ?", (seen_before,)
            ).rowcount

        return int(await self._w.run(op))

    # --- what several processes share -----------------------------------------------------

    @property
    def single_process(self) -> bool:
        """SQLite has one writer, and `markbot run` is the only process serving a file."""
        return True

    def person_turn(self, person: bytes) -> contextlib.AbstractAsyncContextManager[None]:
        """Nothing to hold: one process, whose JourneyService keeps a lock per person."""
        return contextlib.nullcontext()

    async def language(self, person: bytes) -> str | None:
        rows = await self._r.execute_fetchall(
            "SELECT lang FROM preferences WHERE person = ?", (person,)
        )
        return str(rows[0][0]) if rows else None

    async def language_and_shared(
        self, person: bytes, kind: str, key: bytes, now: int
    ) -> tuple[str | None, bytes | None]:
        """Two local reads: nothing to save by folding them on one file."""
        return await self.language(person), await self.shared_get(kind, key, now)

    async def shared_put(self, kind: str, key: bytes, value: bytes, expires_at: int) -> None:
        def op(conn: sqlite3.Connection) -> None:
            conn.execute(_SHARED_PUT, (kind, key, value, expires_at))

        await self._w.run(op, savepoint=False)

    async def shared_get(self, kind: str, key: bytes, now: int) -> bytes | None:
        rows = await self._r.execute_fetchall(
            "SELECT value FROM shared_state WHERE kind = ? AND key = ? AND expires_at > ?",
            (kind, key, now),
        )
        return bytes(rows[0][0]) if rows else None

    async def shared_take(self, kind: str, key: bytes, now: int) -> bytes | None:
        def op(conn: sqlite3.Connection) -> bytes | None:
            row = conn.execute(
                "DELETE FROM shared_state WHERE kind = ? AND key = ? RETURNING value, expires_at",
                (kind, key),
            ).fetchone()
            return bytes(row[0]) if row is not None and row[1] > now else None

        result: bytes | None = await self._w.run(op, savepoint=False)
        return result

    async def shared_drop(self, kind: str, key: bytes) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            return (
                conn.execute(
                    "DELETE FROM shared_state WHERE kind = ? AND key = ?", (kind, key)
                ).rowcount
                > 0
            )

        return bool(await self._w.run(op, savepoint=False))

    async def shared_purge(self, now: int) -> int:
        def op(conn: sqlite3.Connection) -> int:
            return conn.execute("DELETE FROM shared_state WHERE expires_at <= ?", (now,)).rowcount

        return int(await self._w.run(op, savepoint=False))

    async def claim_lease(self, name: str, holder: bytes, now: int, seconds: int) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            return (
                conn.execute(
                    "INSERT INTO shared_state (kind, key, value, expires_at)"
                    " VALUES ('lease', ?, ?, ?)"
                    " ON CONFLICT (kind, key) DO UPDATE"
                    " SET value = excluded.value, expires_at = excluded.expires_at"
                    " WHERE shared_state.expires_at <= ? OR shared_state.value = excluded.value",
                    (name.encode(), holder, now + seconds, now),
                ).rowcount
                > 0
            )

        return bool(await self._w.run(op, savepoint=False))

    async def release_lease(self, name: str, holder: bytes) -> None:
        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                "DELETE FROM shared_state WHERE kind = 'lease' AND key = ? AND value = ?",
                (name.encode(), holder),
            )

        await self._w.run(op, savepoint=False)

    async def forget_claims(self) -> int:
        def op(conn: sqlite3.Connection) -> int:
            leases = conn.execute("DELETE FROM shared_state WHERE kind = 'lease'").rowcount
            updates = conn.execute("DELETE FROM telegram_updates WHERE done = 0").rowcount
            return leases + updates

        return await self._w.run(op)

    # --- moving to another database -------------------------------------------------------

    async def dump(self) -> AsyncIterator[TableRows]:
        """Every table of COPY_TABLES on a connection of its own, in one read transaction."""
        await self.flush_drafts()
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        try:
            await conn.execute("PRAGMA query_only = ON")
            await conn.execute("BEGIN")
            for table, key in COPY_TABLES:
                async with conn.execute(f"SELECT * FROM {table} ORDER BY {key}") as cursor:
                    columns = tuple(d[0] for d in cursor.description)
                    while rows := await cursor.fetchmany(COPY_BATCH):
                        yield table, columns, [tuple(r) for r in rows]
            await conn.execute("COMMIT")
        finally:
            await conn.close()

    async def load(self, batches: AsyncIterable[TableRows]) -> int:
        """One transaction on the writer's connection (between two batches), fed from the
        event loop batch by batch, so a large database is never all in memory."""
        loop = asyncio.get_running_loop()
        source = aiter(batches)
        names = [t for t, _ in COPY_TABLES]

        async def next_batch() -> TableRows | None:
            return await anext(source, None)

        def op(conn: sqlite3.Connection) -> int:
            conn.execute("BEGIN IMMEDIATE")
            try:
                filled = [t for t in names if conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()]
                if filled:
                    raise StorageError(
                        f"the target database is not empty ({', '.join(filled)}); "
                        "copy only into a new, empty database"
                    )
                copied = 0
                while batch := asyncio.run_coroutine_threadsafe(next_batch(), loop).result():
                    table, columns, rows = batch
                    if table not in names:
                        raise StorageError(f"unknown table in the copy: {table}")
                    marks = ", ".join("?" * len(columns))
                    conn.executemany(
                        f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows
                    )
                    copied += len(rows)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            return copied

        return int(await self._w.call(op))

    # --- staff ----------------------------------------------------------------------------

    async def is_worker(self, person: bytes) -> bool:
        rows = await self._r.execute_fetchall("SELECT 1 FROM workers WHERE person = ?", (person,))
        return bool(rows)

    async def list_workers(self) -> list[tuple[bytes, str, int]]:
        rows = await self._r.execute_fetchall(
            "SELECT person, name, added_at FROM workers ORDER BY name COLLATE NOCASE"
        )
        return [(r[0], r[1], r[2]) for r in rows]

    async def remove_worker(self, person: bytes) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            return conn.execute("DELETE FROM workers WHERE person = ?", (person,)).rowcount > 0

        return bool(await self._w.run(op, savepoint=False))

    async def add_invite(self, token: bytes, created_at: int, expires_at: int) -> None:
        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO invites (token, created_at, expires_at) VALUES (?, ?, ?)",
                (token, created_at, expires_at),
            )

        await self._w.run(op, savepoint=False)

    async def invite_usable(self, token: bytes, now: int) -> bool:
        rows = await self._r.execute_fetchall(
            "SELECT 1 FROM invites WHERE token = ? AND used_at IS NULL AND expires_at > ?",
            (token, now),
        )
        return bool(rows)

    async def redeem_invite(self, token: bytes, person: bytes, name: str, now: int) -> str:
        """Use an invite once: 'ok', 'used', 'expired' or 'unknown' (one transaction)."""

        def op(conn: sqlite3.Connection) -> str:
            row = conn.execute(
                "SELECT expires_at, used_at FROM invites WHERE token = ?", (token,)
            ).fetchone()
            if row is None:
                return "unknown"
            if row[1] is not None:
                return "used"
            if row[0] <= now:
                return "expired"
            conn.execute("UPDATE invites SET used_at = ? WHERE token = ?", (now, token))
            conn.execute(
                "INSERT INTO workers (person, name, added_at) VALUES (?, ?, ?)"
                " ON CONFLICT (person) DO UPDATE SET name = excluded.name",
                (person, name, now),
            )
            return "ok"

        return str(await self._w.run(op))

    async def add_login(self, token: bytes, person: bytes, expires_at: int, now: int) -> None:
        def op(conn: sqlite3.Connection) -> None:
            conn.execute("DELETE FROM staff_logins WHERE expires_at <= ?", (now,))
            conn.execute(
                "INSERT INTO staff_logins (token, person, expires_at) VALUES (?, ?, ?)",
                (token, person, expires_at),
            )

        await self._w.run(op)

    async def redeem_login(self, token: bytes, now: int) -> bytes | None:
        """Read and delete in one transaction on the single writer: exactly once."""

        def op(conn: sqlite3.Connection) -> bytes | None:
            row = conn.execute(
                "SELECT person, expires_at FROM staff_logins WHERE token = ?", (token,)
            ).fetchone()
            if row is None:
                return None
            conn.execute("DELETE FROM staff_logins WHERE token = ?", (token,))
            return bytes(row[0]) if row[1] > now else None

        found = await self._w.run(op)
        return found if isinstance(found, bytes) else None

    # --- published results ------------------------------------------------------------------

    async def set_published(self, poll_id: int, day: str | None) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            if day is None:
                cur = conn.execute("DELETE FROM published_polls WHERE poll_id = ?", (poll_id,))
            else:
                cur = conn.execute(
                    "INSERT INTO published_polls (poll_id, published_on) VALUES (?, ?)"
                    " ON CONFLICT (poll_id) DO NOTHING",
                    (poll_id, day),
                )
            return cur.rowcount > 0

        return bool(await self._w.run(op))

    async def published_polls(self) -> dict[str, str]:
        rows = await self._r.execute_fetchall(
            "SELECT polls.code, published_polls.published_on FROM published_polls"
            " JOIN polls ON polls.id = published_polls.poll_id ORDER BY polls.code"
        )
        return {str(r[0]): str(r[1]) for r in rows}

    async def record_release(self, poll_id: int, ballots: int) -> int:
        def op(conn: sqlite3.Connection) -> int:
            conn.execute(
                "INSERT INTO released_polls (poll_id, ballots) VALUES (?, ?)"
                " ON CONFLICT (poll_id) DO NOTHING",
                (poll_id, ballots),
            )
            row = conn.execute(
                "SELECT ballots FROM released_polls WHERE poll_id = ?", (poll_id,)
            ).fetchone()
            return int(row[0])

        return int(await self._w.run(op))

    # --- results --------------------------------------------------------------------------

    async def tally(
        self, poll_id: int, dimensions: Sequence[str], channel: str | None = None
    ) -> TallyData:
        """Counts per option (and place), overall and per breakdown group, and respondents.

        One scan of the covering index ``answers_tally`` in one snapshot: the SQL groups by
        (question, groups, option, place), a few thousand rows at most, and the margins for
        each breakdown are added up here. ``channel`` narrows it to 'telegram', 'web' or 'paper'.
        """
        wanted = set(dimensions)
        sql = (
            "SELECT question, grp, option, rank, count(*), sum(lead) FROM answers"
            " WHERE poll_id = :poll"
        )
        params: dict[str, object] = {"poll": poll_id}
        if channel is not None:
            sql += (
                " AND ballot_id IN (SELECT id FROM ballots WHERE poll_id = :poll AND channel = :ch)"
            )
            params["ch"] = channel
        sql += " GROUP BY question, grp, option, rank"
        options: dict[tuple[str, str, int | None], int] = defaultdict(int)
        groups: dict[tuple[str, str, int | None, str, str], int] = defaultdict(int)
        respondents: dict[tuple[str, str, str], int] = defaultdict(int)
        conn = await _connect_reader(self.path)
        try:
            await conn.execute("BEGIN")
            rows = await conn.execute_fetchall(
                "SELECT count(*) FROM ballots WHERE poll_id = :poll"
                + (" AND channel = :ch" if channel else ""),
                params,
            )
            ballots = int(next(iter(rows))[0])
            async with conn.execute(sql, params) as cursor:
                async for question, grp, option, rank, n, leads in cursor:
                    options[(question, option, rank)] += n
                    respondents[(question, "", "")] += leads
                    for part in grp.split("&") if grp else ():
                        dim, _, group = part.partition("=")
                        if dim in wanted and dim != question:
                            groups[(question, option, rank, dim, group)] += n
                            respondents[(question, dim, group)] += leads
            await conn.execute("COMMIT")
        finally:
            await conn.close()
        return TallyData(
            ballots=ballots,
            options=[OptionCount(q, o, r, n) for (q, o, r), n in options.items()],
            groups=[GroupCount(q, o, r, d, g, n) for (q, o, r, d, g), n in groups.items()],
            respondents=[Respondents(q, d, g, n) for (q, d, g), n in respondents.items()],
        )

    async def has_paper(self, poll_id: int) -> bool:
        """Whether any paper ballots were imported (they only arrive through import_paper)."""
        rows = await self._r.execute_fetchall(
            "SELECT 1 FROM paper_imports WHERE poll_id = ? AND ballots > 0 LIMIT 1", (poll_id,)
        )
        return bool(rows)

    async def ballots_by_day(self, poll_id: int) -> list[tuple[str, int]]:
        """Turnout per day (the ballots_by_poll index covers it)."""
        rows = await self._r.execute_fetchall(
            "SELECT cast_on, count(*) FROM ballots WHERE poll_id = ? GROUP BY cast_on"
            " ORDER BY cast_on",
            (poll_id,),
        )
        return [(d, n) for d, n in rows]

    async def text_answers(self, poll_id: int) -> list[tuple[str, str, str, str, bool, str, bool]]:
        """(question, body, language, breakdown groups, flagged, themes, for review) for every
        free-text answer of a poll, in an order that says nothing about when it was given. A
        purged answer has an empty body but keeps its themes and flags."""
        rows = await self._r.execute_fetchall(
            "SELECT t.question, t.body, t.lang,"
            " coalesce((SELECT a.grp FROM answers a WHERE a.ballot_id = t.ballot_id LIMIT 1), ''),"
            " t.flagged, t.themes, t.review FROM text_answers t WHERE t.poll_id = ?"
            " ORDER BY t.question, t.ballot_id",
            (poll_id,),
        )
        return [(r[0], r[1], r[2], r[3], bool(r[4]), r[5], bool(r[6])) for r in rows]

    async def review_answers(self, poll_id: int) -> list[tuple[str, str, str]]:
        """(question, body, themes) of the answers flagged for review (a worry about others),
        in an order that says nothing about when they were given; purged ones are left out."""
        rows = await self._r.execute_fetchall(
            "SELECT question, body, themes FROM text_answers"
            " WHERE poll_id = ? AND review = 1 AND body != '' ORDER BY question, ballot_id",
            (poll_id,),
        )
        return [(r[0], r[1], r[2]) for r in rows]


def _draft_upsert(
    rows: list[tuple[bytes, str, int, str, int]],
) -> Callable[[sqlite3.Connection], None]:
    def op(conn: sqlite3.Connection) -> None:
        conn.executemany(
            "INSERT INTO drafts (owner, token, poll_id, state, updated_at)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT (owner) DO UPDATE SET"
            " token = excluded.token, poll_id = excluded.poll_id,"
            " state = excluded.state, updated_at = excluded.updated_at",
            rows,
        )

    return op


def _insert_ballot(conn: sqlite3.Connection, ballot: NewBallot) -> str:
    ballot_id = secrets.token_hex(10)
    conn.execute(
        "INSERT INTO ballots (id, poll_id, cast_on, channel, session_id, lang)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (ballot_id, ballot.poll_id, ballot.cast_on, ballot.channel, ballot.session_id, ballot.lang),
    )
    if ballot.choices:
        seen: set[str] = set()
        rows = []
        for q, o, r in ballot.choices:
            rows.append((ballot_id, ballot.poll_id, q, o, r, ballot.groups, q not in seen))
            seen.add(q)
        conn.executemany(
            "INSERT INTO answers (ballot_id, poll_id, question, option, rank, grp, lead)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    if ballot.texts:
        conn.executemany(
            "INSERT INTO text_answers"
            " (ballot_id, poll_id, question, body, lang, lang_conf, flagged, themes, review)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    ballot_id,
                    ballot.poll_id,
                    q,
                    body,
                    *(tag + ["und", 0.0, False, "", False][len(tag) :]),
                )
                for q, body, *tag in ballot.texts
            ],
        )
    return ballot_id


_STAGING_SCHEMA = (
    "CREATE TABLE g (id INTEGER PRIMARY KEY, grp TEXT)",
    "CREATE TABLE c (id INTEGER PRIMARY KEY, question TEXT, option TEXT, rank INTEGER)",
    "CREATE TABLE b (id TEXT, cast_on TEXT, channel TEXT, session_id INTEGER, lang TEXT,"
    " g INTEGER, a TEXT)",
    "CREATE TABLE t (ballot_id TEXT, question TEXT, body TEXT, lang TEXT, lang_conf REAL,"
    " flagged INTEGER, themes TEXT, review INTEGER)",
)
# Sorted by ballot id once the file is staged, off the writer. Not unique: two equal ids are
# refused by the ballots table itself, inside the final transaction, which then undoes it all.
_STAGING_ORDER = "CREATE INDEX b_by_id ON b (id, cast_on, channel, session_id, lang, g, a)"
STAGING_BATCH = 5_000  # ballots per executemany into the staging file
# Rebuild the tally index after the insert, rather than keep it up to date row by row, when
# the database holds no more than this many ballots per ballot imported: a row-by-row insert
# lands each answer at one of thousands of places in the index, a rebuild sorts once.
REBUILD_RATIO = 2


def _stage_paper(path: Path, ballots: Iterable[NewBallot]) -> int:
    """Write ballots, with fresh random ids, to a scratch SQLite file; return how many.

    The file is scratch (removed whatever happens), so it has no journal and no fsync. A
    ballot is one row: its answers are a JSON list of numbers, each a distinct (question,
    option, rank) of table c times two, plus one on the first answer to each question (the
    ``lead``); each breakdown group is written once (table g). SQLite expands the list into
    answer rows when the file is moved in, so Python never builds a row per answer. Last, the
    ballots are sorted by id here, so the final transaction reads them in order without a sort.
    """
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("PRAGMA journal_mode = OFF", "PRAGMA synchronous = OFF"):
            conn.execute(pragma)
        for statement in _STAGING_SCHEMA:
            conn.execute(statement)
        conn.execute("BEGIN")
        count = 0
        groups: dict[str, int] = {}
        # a (question, option, rank) -> its number as a first answer and as a later one
        codes: dict[tuple[str, str, int | None], tuple[str, str]] = {}
        rows_b: list[tuple[object, ...]] = []
        rows_t: list[tuple[object, ...]] = []
        ids: Iterator[str] = iter([])
        for ballot in ballots:
            ballot_id = next(ids, None)
            if ballot_id is None:  # random ids drawn a batch at a time: one syscall, not one each
                pool = secrets.token_bytes(10 * STAGING_BATCH).hex()
                ids = iter([pool[i : i + 20] for i in range(0, len(pool), 20)])
                ballot_id = next(ids)
            gid = groups.get(ballot.groups)
            if gid is None:
                gid = groups[ballot.groups] = len(groups) + 1
                conn.execute("INSERT INTO g VALUES (?, ?)", (gid, ballot.groups))
            seen: set[str] = set()
            parts: list[str] = []
            for choice in ballot.choices:
                code = codes.get(choice)
                if code is None:
                    n = len(codes) + 1
                    code = codes[choice] = (str(2 * n + 1), str(2 * n))
                    conn.execute("INSERT INTO c VALUES (?, ?, ?, ?)", (n, *choice))
                q = choice[0]
                if q in seen:
                    parts.append(code[1])
                else:
                    parts.append(code[0])
                    seen.add(q)
            rows_b.append(
                (
                    ballot_id,
                    ballot.cast_on,
                    ballot.channel,
                    ballot.session_id,
                    ballot.lang,
                    gid,
                    "[" + ",".join(parts) + "]",
                )
            )
            for q, body, *tag in ballot.texts:
                rows_t.append(
                    (ballot_id, q, body, *(tag + ["und", 0.0, False, "", False][len(tag) :]))
                )
            count += 1
            if len(rows_b) >= STAGING_BATCH:
                _flush_staging(conn, rows_b, rows_t)
        _flush_staging(conn, rows_b, rows_t)
        conn.execute(_STAGING_ORDER)
        conn.execute("COMMIT")
        return count
    finally:
        conn.close()


def _flush_staging(
    conn: sqlite3.Connection, rows_b: list[tuple[object, ...]], rows_t: list[tuple[object, ...]]
) -> None:
    conn.executemany("INSERT INTO b VALUES (?, ?, ?, ?, ?, ?, ?)", rows_b)
    conn.executemany("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?, ?, ?)", rows_t)
    rows_b.clear()
    rows_t.clear()


def _publish_paper(
    conn: sqlite3.Connection,
    staging: Path,
    poll_id: int,
    digest: str,
    filename: str,
    count: int,
    today: str,
) -> int:
    """On the writer's thread, between its batches: the staged ballots in one transaction.

    Ballots are read in id order (the staging file is sorted already), so the ballots and
    answers tables fill in order, each ballot's answers expanded from its list by SQLite. When
    the import is large next to what the database holds, the tally index is dropped and rebuilt
    inside the same transaction (one sort) instead of being updated answer by answer.
    """
    conn.execute("ATTACH DATABASE ? AS paper_staging", (str(staging),))
    try:
        conn.execute("BEGIN IMMEDIATE")
        try:
            try:
                conn.execute(
                    "INSERT INTO paper_imports (poll_id, digest, filename, ballots, imported_on)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (poll_id, digest, filename, count, today),
                )
            except sqlite3.IntegrityError:
                raise AlreadyImported.of(
                    *conn.execute(
                        "SELECT filename, imported_on FROM paper_imports"
                        " WHERE poll_id = ? AND digest = ?",
                        (poll_id, digest),
                    ).fetchone()
                ) from None
            (held,) = conn.execute("SELECT count(*) FROM main.ballots").fetchone()
            rebuild = held <= REBUILD_RATIO * count
            if rebuild:
                conn.execute("DROP INDEX main.answers_tally")
            conn.execute(_PUBLISH_BALLOTS, (poll_id,))
            conn.execute(_PUBLISH_ANSWERS, (poll_id,))
            if rebuild:
                conn.execute(_TALLY_INDEX)
            conn.execute(
                "INSERT INTO main.text_answers"
                " (ballot_id, poll_id, question, body, lang, lang_conf, flagged, themes, review)"
                " SELECT ballot_id, ?, question, body, lang, lang_conf, flagged, themes, review"
                " FROM paper_staging.t ORDER BY ballot_id, question",
                (poll_id,),
            )
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    finally:
        conn.execute("DETACH DATABASE paper_staging")
    return count


_PUBLISH_BALLOTS = (
    "INSERT INTO main.ballots (id, poll_id, cast_on, channel, session_id, lang)"
    " SELECT id, ?, cast_on, channel, session_id, lang FROM paper_staging.b ORDER BY id"
)
# CROSS JOIN keeps SQLite's join order as written: ballots (in id order) on the outside, then
# the ballot's group (looked up once per ballot, not per answer), then its answers. json_each
# is built into SQLite since 3.38 (and into Debian's and Python's own builds long before).
_PUBLISH_ANSWERS = (
    "INSERT INTO main.answers (ballot_id, poll_id, question, option, rank, grp, lead)"
    " SELECT b.id, ?, c.question, c.option, c.rank, g.grp, j.value & 1"
    " FROM paper_staging.b AS b INDEXED BY b_by_id"
    " CROSS JOIN paper_staging.g AS g ON g.id = b.g"
    " CROSS JOIN json_each(b.a) AS j"
    " CROSS JOIN paper_staging.c AS c ON c.id = j.value >> 1"
    " ORDER BY b.id"
)


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
