"""The PostgreSQL store: the same named operations and guarantees as the SQLite one, for more
than one markbot process on one database (issue 12).

What differs from SQLite, and why:

- No single writer and no in-memory drafts: several processes share the database, so every
  operation is its own transaction on a pooled connection (asyncpg), and drafts are written
  through with an asynchronous commit (``save_draft``; ``flush_drafts`` returns 0); in a
  person's turn the last draft goes with the turn's unlock, one round trip for both.
  Exactly-once still comes from keys: a ballot is one statement (``_CAST``) whose voter is
  ``INSERT ... ON CONFLICT DO NOTHING`` on the voter register's primary key, with the ballot
  and the removal of the draft.
- Ballot ids are random text made here; no table of people or ballots has a serial or identity
  column. A heap keeps rows in the order they were written, so ``compact`` (run when a poll
  closes and after purges) rewrites ballots, answers, texts and voters in key order.
- Durability is PostgreSQL's own (``synchronous_commit = on``, ``fsync = on``): a transaction
  is on disk when COMMIT returns, which is when the caller hears about it (drafts excepted).
- Errors: engine "not now" errors become StorageUnavailable (postgres_feature.py); a taken
  poll code PollExists, a repeated file AlreadyImported, a repeated code DuplicateCode.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import defaultdict
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator, Sequence
from typing import Any

import asyncpg

from storage.migrations import COPY_TABLES
from storage.migrations_pg import MIGRATIONS_PG
from storage.open import describe
from storage.postgres_broadcasts import PostgresBroadcasts
from storage.postgres_contacts import PostgresContacts
from storage.postgres_feature import TURN, Database, PostgresFeature, Turn, holdable
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
    TableRows,
    TallyData,
    UpdateClaim,
)

log = logging.getLogger(__name__)

# Any fixed number: every process takes this transaction-scoped lock before a migration step,
# so two processes starting together apply each step once.
MIGRATION_LOCK = 0x6D61726B626F74  # "markbot"
_POLL_COLUMNS = "id, code, title, status, definition, opens_at, closes_at, created_at"
COPY_BATCH = 5_000  # rows per batch of a database copy
COMMAND_SECONDS = 60  # a statement that takes longer means something is wrong...
LONG_SECONDS = 3600  # ... except rewriting tables and moving a national paper import in
STAGING_BATCH = 5_000  # ballots taken from a paper file per trip to the database
CLOSE_SECONDS = 10  # a stop waits this long for connections in use, then closes them
# Rewritten in key order by compact, so their physical order says nothing about time.
_ORDERED = (
    ("ballots", "ballots_pkey"),
    ("answers", "answers_pkey"),
    ("text_answers", "text_answers_pkey"),
    ("voters", "voters_pkey"),
)
# A row's xmin is the transaction that wrote it, and a ballot's rows and its voter's share one:
# compact writes every row of these tables again in ONE transaction (setting a key column to
# itself) before CLUSTER, which keeps xmin, so no transaction id pairs a voter with a ballot
# or says which ballot came first.
_REWRITE = (
    ("ballots", "id"),
    ("answers", "ballot_id"),
    ("text_answers", "ballot_id"),
    ("voters", "poll_id"),
)
# Small tables whose deleted rows held keyed hashes or sealed details, rewritten (VACUUM FULL)
# by checkpoint so their old row images leave the table files: milliseconds each.
_SMALL_KEYED = (
    "drafts",
    "alert_outbox",
    "contact_waiting",
    "contact_requests",
    "staff_logins",
)
# Every other table that held keyed hashes or numbers, rewritten by compact.
_CHURN = (
    *_SMALL_KEYED,
    "telegram_updates",
    "broadcast_sends",
    "subscribers",
    "invites",
    "workers",
    "preferences",
    "vote_codes",
    "shared_state",
)
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


class PostgresStore(PostgresFeature):
    """Named operations over one PostgreSQL database through a small asyncpg pool.

    It implements storage.contract.Store (and Diagnostics); the guarantees are written there.
    ``statement_cache_size=0`` is for a PgBouncer in transaction mode in front of the server.
    """

    def __init__(
        self,
        url: str,
        *,
        min_size: int = 1,
        max_size: int = 10,
        statement_cache_size: int = 100,
    ) -> None:
        super().__init__(Database())
        self.url = url
        self._sizes = (min_size, max_size)
        self._statement_cache_size = statement_cache_size
        self.broadcasts = PostgresBroadcasts(self._db)
        self.contacts = PostgresContacts(self._db)
        self._turns = asyncio.Semaphore(max(1, max_size // 2))  # see person_turn

    # --- lifecycle ------------------------------------------------------------------------

    async def open(self) -> None:
        """Connect, and apply the migrations not yet applied (one transaction each)."""
        try:
            pool = await asyncpg.create_pool(
                self.url,
                min_size=self._sizes[0],
                max_size=self._sizes[1],
                statement_cache_size=self._statement_cache_size,
                command_timeout=COMMAND_SECONDS,
                reset=_keep_session,
                init=_prepare_connection,
            )
        except ValueError:  # asyncpg's reading of the URL (its message may quote any part)
            raise StorageError(
                "the PostgreSQL address (MARKBOT_DATABASE_URL, or db copy --to) cannot be read:"
                " check the host, the port and the options, and percent-encode any : / ? # @ %"
                " in the user name or password"
            ) from None
        except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
            raise StorageError(
                f"cannot open the database {describe(self.url)}: {type(exc).__name__}"
                f"{': ' + exc.args[0] if isinstance(exc, asyncpg.PostgresError) else ''}"
                "; check MARKBOT_DATABASE_URL and that PostgreSQL is running"
            ) from None
        self._db.pool = pool
        try:
            async with pool.acquire() as conn:
                await _migrate(conn)
        except BaseException:
            await self.close()
            raise

    async def close(self) -> None:
        pool = self._db.pool
        if pool is not None:
            with contextlib.suppress(StorageError):  # the server may be gone already
                await self.flush_drafts()
            self._db.pool = None
            try:  # a connection a background task still holds would make close() wait forever
                await asyncio.wait_for(pool.close(), CLOSE_SECONDS)
            except TimeoutError:
                log.warning("database connections still in use after %d s: closed", CLOSE_SECONDS)
                pool.terminate()

    async def __aenter__(self) -> PostgresStore:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def writer_stats(self) -> tuple[int, int]:
        """(transactions, operations) committed so far: one write per transaction here."""
        return self._db.writes, self._db.writes

    async def pragmas(self) -> dict[str, object]:
        """The server's durability settings in force (for checks and tests)."""
        names = ("fsync", "synchronous_commit", "full_page_writes", "wal_level")
        rows = await self._fetch(
            "SELECT name, setting FROM pg_settings WHERE name = ANY($1::text[])", list(names)
        )
        return {r[0]: r[1] for r in rows}

    async def schema_version(self) -> list[str]:
        rows = await self._fetch("SELECT name FROM schema_migrations ORDER BY name")
        return [r[0] for r in rows]

    # --- the key ----------------------------------------------------------------------------

    async def has_keyed_data(self) -> bool:
        exists = " OR ".join(f"EXISTS (SELECT 1 FROM {t})" for t in _KEYED)
        sealed = "EXISTS (SELECT 1 FROM broadcasts WHERE notify IS NOT NULL)"
        shared = "EXISTS (SELECT 1 FROM shared_state WHERE kind <> 'lease')"
        return bool(await self._fetchval(f"SELECT {exists} OR {sealed} OR {shared}"))

    async def key_check(self) -> bytes | None:
        value = await self._fetchval("SELECT value FROM key_check WHERE id = 1")
        return bytes(value) if value is not None else None

    async def set_key_check(self, value: bytes) -> None:
        await self._execute(
            "INSERT INTO key_check (id, value) VALUES (1, $1)"
            " ON CONFLICT (id) DO UPDATE SET value = excluded.value",
            value,
        )

    async def first_key_check(self, value: bytes) -> bytes:
        """One statement: the insert, else (its key taken) the row another process wrote,
        read after that process committed (ON CONFLICT waits for it)."""
        async with self._tx() as conn:
            await conn.execute(
                "INSERT INTO key_check (id, value) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
                value,
            )
            held = await conn.fetchval("SELECT value FROM key_check WHERE id = 1")
        return bytes(held)

    async def flush_drafts(self) -> int:
        """Drafts are written through, with an asynchronous commit (see ``save_draft``): one
        synchronous commit flushes the write-ahead log up to here, so every draft saved so far
        survives a crash. Nothing waits in memory, so 0 were written here."""
        async with self._tx() as conn:
            await conn.execute("SELECT txid_current()")  # a commit that must reach the disk
        return 0

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
        try:
            async with self._tx() as conn:
                return int(
                    await conn.fetchval(
                        "INSERT INTO polls (code, title, status, definition, opens_at, closes_at,"
                        " created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                        code,
                        title,
                        status,
                        definition,
                        opens_at,
                        closes_at,
                        int(time.time()),
                    )
                )
        except asyncpg.UniqueViolationError:
            raise PollExists(f"a poll with code {code!r} already exists") from None

    async def get_poll(self, code: str) -> PollRow | None:
        if not holdable(code):
            return None
        row = await self._fetchrow(
            f"SELECT {_POLL_COLUMNS} FROM polls WHERE code = $1", code.lower()
        )
        return PollRow(*row) if row is not None else None

    async def get_poll_by_id(self, poll_id: int) -> PollRow | None:
        row = await self._fetchrow(f"SELECT {_POLL_COLUMNS} FROM polls WHERE id = $1", poll_id)
        return PollRow(*row) if row is not None else None

    async def list_polls(self, today: str = "") -> list[PollSummary]:
        rows = await self._fetch(
            "SELECT p.code, p.title, p.status, p.opens_at, p.closes_at,"
            " (SELECT count(*) FROM ballots b WHERE b.poll_id = p.id),"
            " (SELECT count(*) FROM ballots b WHERE b.poll_id = p.id AND b.cast_on = $1)"
            " FROM polls p ORDER BY p.created_at DESC, p.code",
            today,
        )
        return [PollSummary(*r) for r in rows]

    async def set_poll_status(self, code: str, status: str) -> bool:
        if not holdable(code):
            return False
        return (
            await self._execute(
                "UPDATE polls SET status = $1,"
                " closed_at = CASE WHEN $1 = 'closed' THEN $2::bigint ELSE NULL END"
                " WHERE code = $3",
                status,
                int(time.time()),
                code.lower(),
            )
            > 0
        )

    async def apply_schedule(self, now: int) -> tuple[list[str], list[str]]:
        """Close open polls whose closing time has come (one statement, so atomic); nothing
        is opened here."""
        async with self._tx() as conn:
            rows = await conn.fetch(
                "UPDATE polls SET status = 'closed', closed_at = $1 WHERE status = 'open'"
                " AND closes_at IS NOT NULL AND closes_at <= $1 RETURNING code",
                now,
            )
        return [], [r[0] for r in rows]

    # --- the journey ----------------------------------------------------------------------

    async def load_draft(self, owner: bytes) -> DraftRow | None:
        """In the owner's turn, first thing: the draft read with the turn's lock (see
        person_turn); else a read now."""
        turn = self._current_turn()
        taken = turn.take_draft(owner) if turn is not None else None
        if taken is not None:
            row = taken[0]
        else:
            row = await self._fetchrow(
                "SELECT owner, token, poll_id, state, updated_at FROM drafts WHERE owner = $1",
                owner,
            )
        return DraftRow(bytes(row[0]), row[1], row[2], row[3], row[4]) if row else None

    async def save_draft(self, draft: DraftRow) -> None:
        """Written through (another process may serve the person's next tap) with an
        asynchronous commit: the server makes it durable within about 0.6 s (three rounds of
        its WAL writer), as SQLite's half-second flush does, and any later synchronous commit
        (a ballot, ``flush_drafts``) makes it durable first. A tap costs no fsync of its own;
        a crash loses at most the last moment of taps of unfinished journeys, never a ballot.
        A draft the database refuses (text it can't hold) is logged and left unsaved, as on
        SQLite: it must not fail the person's tap. In the owner's turn it is written with the
        turn's unlock, one round trip for both (see person_turn), or before anything else runs
        on the turn's connection, whichever comes first."""
        turn = self._current_turn()
        if turn is not None and turn.combined and draft.owner == turn.owner:
            turn.pending, turn.fresh = _draft_args(draft), False
            return
        await self._write_draft(await self._runner(), _draft_args(draft))

    async def drop_draft(self, owner: bytes) -> bool:
        return await self._execute("DELETE FROM drafts WHERE owner = $1", owner) > 0

    async def drop_stale_drafts(self, updated_before: int) -> int:
        return await self._execute("DELETE FROM drafts WHERE updated_at < $1", updated_before)

    async def has_voted(self, poll_id: int, voter: bytes) -> bool:
        row = await self._fetchval(
            "SELECT 1 FROM voters WHERE poll_id = $1 AND voter = $2", poll_id, voter
        )
        return row is not None

    async def cast_ballot(
        self,
        ballot: NewBallot,
        voter: bytes | None,
        owner: bytes | None,
        now: int,
        notes: Sequence[SharedNote] = (),
    ) -> CastResult:
        """One statement, so one transaction and one round trip: the draft's removal, the
        poll's check, the voter, the ballot with its answers and the notes (see ``_CAST``).
        ``ON CONFLICT DO NOTHING`` on the voter register's key refuses a second ballot: a
        concurrent one waits for the first to commit, then finds its row, and inserts nothing."""
        leads: list[int] = []
        seen: set[str] = set()
        for q, _, _ in ballot.choices:
            leads.append(int(q not in seen))
            seen.add(q)
        texts = [_text_row("", *t) for t in ballot.texts]
        row = await self._fetchrow(  # its own implicit transaction: no BEGIN and COMMIT trips
            _CAST,
            ballot.poll_id,
            now,
            voter,
            owner,
            secrets.token_hex(10),  # the ballot's random id
            ballot.cast_on,
            ballot.channel,
            ballot.session_id,
            ballot.lang,
            ballot.groups,
            [c[0] for c in ballot.choices],
            [c[1] for c in ballot.choices],
            [c[2] for c in ballot.choices],
            leads,
            *([t[i] for t in texts] for i in range(1, 8)),
            [n.kind for n in notes],
            [n.key for n in notes],
            [n.value for n in notes],
            [n.expires_at for n in notes],
        )
        self._count_write()
        assert row is not None
        if not row[0]:
            return CastResult.POLL_CLOSED
        return CastResult.COUNTED if row[1] else CastResult.ALREADY_VOTED

    # --- paper ballots --------------------------------------------------------------------

    async def refuse_imported(self, poll_id: int, digest: str) -> None:
        row = await self._fetchrow(
            "SELECT filename, imported_on FROM paper_imports WHERE poll_id = $1 AND digest = $2",
            poll_id,
            digest,
        )
        if row is not None:
            raise AlreadyImported.of(row[0], row[1])

    async def import_paper(
        self,
        poll_id: int,
        digest: str,
        filename: str,
        ballots: Iterable[NewBallot],
        today: str,
    ) -> int:
        """All of a file or nothing, once per file: one transaction records the file first
        (its key refuses a repeat, and a concurrent import of the same file waits for this
        one), stages the ballots, read a batch at a time on a thread, in temporary tables,
        then moves them in sorted by their random ids so the tables fill in no time order.
        If reading the file raises, the transaction is rolled back and nothing is kept."""
        try:
            async with self._tx() as conn:
                try:
                    async with conn.transaction():  # a savepoint: the name of the old import
                        await conn.execute(
                            "INSERT INTO paper_imports"
                            " (poll_id, digest, filename, ballots, imported_on)"
                            " VALUES ($1, $2, $3, 0, $4)",
                            poll_id,
                            digest,
                            filename,
                            today,
                        )
                except asyncpg.UniqueViolationError:
                    row = await conn.fetchrow(
                        "SELECT filename, imported_on FROM paper_imports"
                        " WHERE poll_id = $1 AND digest = $2",
                        poll_id,
                        digest,
                    )
                    raise AlreadyImported.of(row[0], row[1]) from None
                count = await _stage_paper(conn, iter(ballots))
                await conn.execute(
                    "INSERT INTO ballots (id, poll_id, cast_on, channel, session_id, lang)"
                    " SELECT id, $1, cast_on, channel, session_id, lang FROM paper_b ORDER BY id",
                    poll_id,
                    timeout=LONG_SECONDS,
                )
                await conn.execute(
                    "INSERT INTO answers (ballot_id, poll_id, question, option, rank, grp, lead)"
                    " SELECT ballot_id, $1, question, option, rank, grp, lead FROM paper_a"
                    " ORDER BY ballot_id, question, option",
                    poll_id,
                    timeout=LONG_SECONDS,
                )
                await conn.execute(
                    "INSERT INTO text_answers (ballot_id, poll_id, question, body, lang,"
                    " lang_conf, flagged, themes, review) SELECT ballot_id, $1, question, body,"
                    " lang, lang_conf, flagged, themes, review FROM paper_t"
                    " ORDER BY ballot_id, question",
                    poll_id,
                    timeout=LONG_SECONDS,
                )
                await conn.execute(
                    "UPDATE paper_imports SET ballots = $3 WHERE poll_id = $1 AND digest = $2",
                    poll_id,
                    digest,
                    count,
                )
                return count
        except asyncpg.UniqueViolationError:  # the file was committed by another import
            await self.refuse_imported(poll_id, digest)
            raise
        except _ReadFailed as failed:  # the file's own error, not the database's
            raise failed.error from None

    async def has_paper(self, poll_id: int) -> bool:
        row = await self._fetchval(
            "SELECT 1 FROM paper_imports WHERE poll_id = $1 AND ballots > 0 LIMIT 1", poll_id
        )
        return row is not None

    # --- retention ------------------------------------------------------------------------

    async def checkpoint(self) -> None:
        """Rewrite the small tables whose deleted rows held keyed hashes or sealed details
        (drafts, alerts, contact requests): ``VACUUM FULL`` writes their live rows to new files
        and the old files are truncated at once (a plain VACUUM only marks the space free).
        The write-ahead log's old images go as the server recycles it after its own
        checkpoints (every few minutes); WAL archives and replicas are the operator's (see
        README). Never blocks anything for long: these tables hold only unfinished work."""
        try:
            async with self._conn() as conn:
                await conn.execute(f"VACUUM FULL {', '.join(_SMALL_KEYED)}")
        except (StorageError, asyncpg.PostgresError) as exc:  # best effort
            log.warning("tidying deleted rows was skipped: %s", type(exc).__name__)

    async def compact(self) -> None:
        """Give every row of ballots, answers, texts and voters one new transaction id (see
        _REWRITE), then ``CLUSTER`` them on their primary keys (random ids and keyed hashes):
        each is rewritten sorted by key into a new file, so neither where a row sits nor its
        xmin says when it was added or whose it was, and the old file (with dead rows and
        purged words) is truncated. Then every other table that held keyed data (VACUUM FULL), fresh
        statistics, and a CHECKPOINT so the log of all that can be recycled.
        CLUSTER locks each table while it runs (writes wait: seconds per 100,000 ballots)."""
        try:
            async with self._conn() as conn:
                async with conn.transaction():
                    for table, column in _REWRITE:
                        await conn.execute(
                            f"UPDATE {table} SET {column} = {column}", timeout=LONG_SECONDS
                        )
                for table, key in _ORDERED:
                    await conn.execute(f"CLUSTER {table} USING {key}", timeout=LONG_SECONDS)
                await conn.execute(f"VACUUM FULL {', '.join(_CHURN)}", timeout=LONG_SECONDS)
                await conn.execute("ANALYZE", timeout=LONG_SECONDS)
                await _checkpoint(conn)
        except (StorageError, asyncpg.PostgresError) as exc:  # never fail a close or purge
            log.warning("compacting the database was skipped: %s", type(exc).__name__)

    async def purge_texts(self, cast_before: str | None = None) -> int:
        if cast_before is None:
            return await self._execute("UPDATE text_answers SET body = '' WHERE body != ''")
        return await self._execute(
            "UPDATE text_answers SET body = '' WHERE body != '' AND ballot_id IN"
            " (SELECT id FROM ballots WHERE cast_on < $1)",
            cast_before,
        )

    async def purge_voters(self, closed_before: int) -> int:
        return await self._execute(
            "DELETE FROM voters WHERE poll_id IN (SELECT id FROM polls WHERE"
            " status = 'closed' AND coalesce(closed_at, closes_at) < $1)",
            closed_before,
        )

    # --- preferences ----------------------------------------------------------------------

    async def languages(self) -> dict[bytes, str]:
        rows = await self._fetch("SELECT person, lang FROM preferences")
        return {bytes(r[0]): r[1] for r in rows}

    async def set_language(self, person: bytes, lang: str) -> None:
        await self._execute(
            "INSERT INTO preferences (person, lang) VALUES ($1, $2)"
            " ON CONFLICT (person) DO UPDATE SET lang = excluded.lang",
            person,
            lang,
        )

    # --- session links --------------------------------------------------------------------

    async def add_session(self, poll_id: int, token: str, label: str, now: int) -> str:
        async with self._tx() as conn:
            return str((await _session(conn, poll_id, label, token, now))["token"])

    async def get_session(self, token: str) -> tuple[int, int, str] | None:
        if not holdable(token):
            return None
        row = await self._fetchrow(
            "SELECT id, poll_id, label FROM sessions WHERE token = $1", token
        )
        return (row[0], row[1], row[2]) if row else None

    async def list_sessions(self, poll_id: int) -> list[tuple[int, str]]:
        rows = await self._fetch(
            "SELECT id, label FROM sessions WHERE poll_id = $1 ORDER BY id", poll_id
        )
        return [(r[0], r[1]) for r in rows]

    # --- voting codes (web ballot) ---------------------------------------------------------

    async def session_id(self, poll_id: int, label: str, token: str, now: int) -> int:
        async with self._tx() as conn:
            return int((await _session(conn, poll_id, label, token, now))["id"])

    async def add_codes(
        self, poll_id: int, codes: Sequence[bytes], session_id: int | None, today: str
    ) -> int:
        try:
            async with self._tx() as conn:
                await conn.execute(
                    "INSERT INTO vote_codes (poll_id, code, session_id, made_on)"
                    " SELECT $1, c, $3, $4 FROM unnest($2::bytea[]) AS c",
                    poll_id,
                    list(codes),
                    session_id,
                    today,
                )
        except asyncpg.UniqueViolationError:
            raise DuplicateCode("a voting code in the batch is already kept") from None
        return len(codes)

    async def find_code(self, poll_id: int, code: bytes) -> tuple[int | None, bool] | None:
        row = await self._fetchrow(
            "SELECT c.session_id, EXISTS (SELECT 1 FROM voters v"
            " WHERE v.poll_id = c.poll_id AND v.voter = c.code)"
            " FROM vote_codes c WHERE c.poll_id = $1 AND c.code = $2",
            poll_id,
            code,
        )
        return (row[0], bool(row[1])) if row is not None else None

    async def code_counts(self, poll_id: int) -> tuple[int, int]:
        row = await self._fetchrow(
            "SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM voters v"
            " WHERE v.poll_id = c.poll_id AND v.voter = c.code))"
            " FROM vote_codes c WHERE c.poll_id = $1",
            poll_id,
        )
        assert row is not None
        return int(row[0]), int(row[1])

    async def ballots_by_channel(self, poll_id: int) -> dict[str, int]:
        rows = await self._fetch(
            "SELECT channel, count(*) FROM ballots WHERE poll_id = $1 GROUP BY channel", poll_id
        )
        return {str(r[0]): int(r[1]) for r in rows}

    # --- safeguarding alerts -----------------------------------------------------------------

    async def save_draft_with_alert(self, draft: DraftRow, sealed: bytes, today: str) -> str:
        alert_id = secrets.token_hex(10)
        async with self._tx() as conn:
            await conn.execute(_DRAFT_UPSERT, *_draft_args(draft))
            await conn.execute(
                "INSERT INTO alert_outbox (id, sealed, queued_on) VALUES ($1, $2, $3)",
                alert_id,
                sealed,
                today,
            )
        return alert_id

    async def pending_alerts(self) -> list[tuple[str, bytes, bool]]:
        rows = await self._fetch("SELECT id, sealed, in_flight FROM alert_outbox")
        return [(str(r[0]), bytes(r[1]), bool(r[2])) for r in rows]

    async def alert_in_flight(self, alert_id: str, in_flight: bool) -> None:
        await self._execute(
            "UPDATE alert_outbox SET in_flight = $1 WHERE id = $2", int(in_flight), alert_id
        )

    async def alert_sent(self, alert_id: str) -> None:
        await self._execute("DELETE FROM alert_outbox WHERE id = $1", alert_id)

    # --- webhook updates ---------------------------------------------------------------------

    async def claim_update(self, update_id: int, now: int, lease: int) -> UpdateClaim:
        """One INSERT ... ON CONFLICT DO UPDATE ... WHERE: the row lock it takes makes one of
        concurrent claims (any process) the winner, a first claim or a takeover of a stale one."""
        made = await self._fetchval(_CLAIM + " RETURNING 1", update_id, now, now - lease)
        self._count_write()
        return UpdateClaim.HANDLE if made is not None else await self._claim_lost(update_id)

    async def _claim_lost(self, update_id: int) -> UpdateClaim:
        """Why a claim was not made: handled already, or being handled."""
        done = await self._fetchval(
            "SELECT done FROM telegram_updates WHERE update_id = $1", update_id
        )
        return UpdateClaim.DONE if done else UpdateClaim.BUSY

    async def claim_update_and_read(
        self, update_id: int, now: int, lease: int, person: bytes, kind: str, key: bytes
    ) -> tuple[UpdateClaim, str | None, bytes | None]:
        """One statement: the claim (as claim_update) and, beside it, language_and_shared's
        two reads, which don't depend on it (read whatever the claim says; kept only if it
        was made)."""
        row = await self._fetchrow(
            f"WITH claim AS ({_CLAIM} RETURNING 1)"
            " SELECT EXISTS (SELECT 1 FROM claim),"
            " (SELECT lang FROM preferences WHERE person = $4),"
            " (SELECT value FROM shared_state WHERE kind = $5 AND key = $6 AND expires_at > $2)",
            update_id,
            now,
            now - lease,
            person,
            kind,
            key,
        )
        self._count_write()
        assert row is not None
        if not row[0]:
            return await self._claim_lost(update_id), None, None
        lang, value = row[1], row[2]
        return (
            UpdateClaim.HANDLE,
            str(lang) if lang is not None else None,
            bytes(value) if value is not None else None,
        )

    async def finish_update(self, update_id: int) -> None:
        await self._execute("UPDATE telegram_updates SET done = 1 WHERE update_id = $1", update_id)

    async def release_update(self, update_id: int) -> None:
        await self._execute("DELETE FROM telegram_updates WHERE update_id = $1", update_id)

    async def forget_updates(self, seen_before: int) -> int:
        return await self._execute("DELETE FROM telegram_updates WHERE seen_at < $1", seen_before)

    # --- what several processes share -----------------------------------------------------

    @property
    def single_process(self) -> bool:
        """Several markbot processes may share a PostgreSQL database."""
        return False

    def person_turn(self, person: bytes) -> contextlib.AbstractAsyncContextManager[None]:
        """See _turn."""
        return self._turn(person)

    @contextlib.asynccontextmanager
    async def _turn(self, person: bytes) -> AsyncIterator[None]:
        """A session-level advisory lock on the person's keyed hash (its first 8 bytes), held
        on a pooled connection of its own while the body runs: every process asking for the
        same person waits in PostgreSQL's lock queue; a process that dies drops its connection
        and so its lock. The body's own operations (the draft's read and write, the ballot)
        run on that same connection, each still its own transaction as outside a turn: one
        connection taken from the pool per turn instead of one per operation (see TURN in
        postgres_feature.py). The lock and the person's draft come in one round trip
        (``_TURN_AND_DRAFT``: a volatile SQL function reads the draft with a snapshot taken
        after the lock is granted, so it sees everything the previous holder committed);
        load_draft hands that row out once if nothing else ran on the connection since. At
        most half the pool holds turns, so work outside a turn always finds a connection."""
        key = int.from_bytes(person[:8], "big", signed=True)
        async with self._turns, self._conn() as conn:
            task = asyncio.current_task()
            assert task is not None
            turn = Turn(self._db, task, conn, person)
            try:
                rows = await conn.fetch(_TURN_AND_DRAFT, key, person)
                turn.draft, turn.fresh = (rows[0] if rows else None), True
                turn.combined = True
            except asyncpg.UndefinedFunctionError:  # no temporary function on this connection
                await conn.execute("SELECT pg_advisory_lock($1)", key)
            token = TURN.set(turn)
            try:
                yield
            finally:
                TURN.reset(token)
                await self._end_turn(turn, key)

    async def _end_turn(self, turn: Turn, key: int) -> None:
        """Unlock; a draft saved in the turn and not yet written goes in the same round trip
        (``_SAVE_AND_UNLOCK``: a procedure that commits the draft, then unlocks, so the next
        holder's read sees it). If the draft is refused, it is logged (as save_draft does) and
        the lock released on its own. Any other failure ends the session, and the lock with
        it."""
        conn, pending, turn.pending = turn.conn, turn.pending, None
        try:
            if pending is not None:
                try:
                    await conn.execute(_SAVE_AND_UNLOCK, key, *pending)
                except (UnicodeEncodeError, asyncpg.DataError) as exc:
                    log.warning(
                        "an unfinished journey could not be written: %s", type(exc).__name__
                    )
                else:
                    self._count_write()
                    return
            await conn.execute("SELECT pg_advisory_unlock($1)", key)
        except BaseException:
            conn.terminate()  # the session ends, and the lock with it
            raise

    async def language(self, person: bytes) -> str | None:
        value = await self._fetchval("SELECT lang FROM preferences WHERE person = $1", person)
        return str(value) if value is not None else None

    async def language_and_shared(
        self, person: bytes, kind: str, key: bytes, now: int
    ) -> tuple[str | None, bytes | None]:
        """One statement, one round trip, both halves read in the same snapshot."""
        row = await self._fetchrow(
            "SELECT (SELECT lang FROM preferences WHERE person = $1),"
            " (SELECT value FROM shared_state WHERE kind = $2 AND key = $3 AND expires_at > $4)",
            person,
            kind,
            key,
            now,
        )
        assert row is not None
        lang, value = row[0], row[1]
        return (
            str(lang) if lang is not None else None,
            bytes(value) if value is not None else None,
        )

    async def shared_put(self, kind: str, key: bytes, value: bytes, expires_at: int) -> None:
        await self._execute(
            "INSERT INTO shared_state (kind, key, value, expires_at) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (kind, key) DO UPDATE"
            " SET value = excluded.value, expires_at = excluded.expires_at",
            kind,
            key,
            value,
            expires_at,
        )

    async def shared_get(self, kind: str, key: bytes, now: int) -> bytes | None:
        value = await self._fetchval(
            "SELECT value FROM shared_state WHERE kind = $1 AND key = $2 AND expires_at > $3",
            kind,
            key,
            now,
        )
        return bytes(value) if value is not None else None

    async def shared_take(self, kind: str, key: bytes, now: int) -> bytes | None:
        row = await self._fetchrow(
            "DELETE FROM shared_state WHERE kind = $1 AND key = $2 RETURNING value, expires_at",
            kind,
            key,
        )
        self._count_write()
        return bytes(row[0]) if row is not None and row[1] > now else None

    async def shared_drop(self, kind: str, key: bytes) -> bool:
        deleted = await self._execute(
            "DELETE FROM shared_state WHERE kind = $1 AND key = $2", kind, key
        )
        return deleted > 0

    async def shared_purge(self, now: int) -> int:
        return await self._execute("DELETE FROM shared_state WHERE expires_at <= $1", now)

    async def claim_lease(self, name: str, holder: bytes, now: int, seconds: int) -> bool:
        claimed = await self._execute(
            "INSERT INTO shared_state (kind, key, value, expires_at) VALUES ('lease', $1, $2, $3)"
            " ON CONFLICT (kind, key) DO UPDATE"
            " SET value = excluded.value, expires_at = excluded.expires_at"
            " WHERE shared_state.expires_at <= $4 OR shared_state.value = excluded.value",
            name.encode(),
            holder,
            now + seconds,
            now,
        )
        return claimed > 0

    async def release_lease(self, name: str, holder: bytes) -> None:
        await self._execute(
            "DELETE FROM shared_state WHERE kind = 'lease' AND key = $1 AND value = $2",
            name.encode(),
            holder,
        )

    async def forget_claims(self) -> int:
        return 0  # other processes may hold them: they expire by their own leases

    # --- moving to another database -------------------------------------------------------

    async def dump(self) -> AsyncIterator[TableRows]:
        """Every table of COPY_TABLES in one read-only REPEATABLE READ transaction (one
        snapshot), each through a server-side cursor in key order."""
        async with self._tx(isolation="repeatable_read", readonly=True) as conn:
            for table, key in COPY_TABLES:
                columns = await _columns(conn, table)
                names = tuple(columns)
                batch: list[tuple[Any, ...]] = []
                query = f"SELECT {', '.join(names)} FROM {table} ORDER BY {key}"
                async for record in conn.cursor(query, prefetch=COPY_BATCH):
                    batch.append(tuple(record))
                    if len(batch) >= COPY_BATCH:
                        yield table, names, batch
                        batch = []
                if batch:
                    yield table, names, batch

    async def load(self, batches: AsyncIterable[TableRows]) -> int:
        """One transaction: refuse a database with rows, insert every batch (values turned into
        each column's type: SQLite keeps 0.0 as 0, a BLOB as bytes...), then move each identity
        column's sequence past the largest id copied."""
        names = [t for t, _ in COPY_TABLES]
        copied = 0
        async with self._tx() as conn:
            filled = [t for t in names if await conn.fetchval(f"SELECT 1 FROM {t} LIMIT 1")]
            if filled:
                raise StorageError(
                    f"the target database is not empty ({', '.join(filled)}); "
                    "copy only into a new, empty database"
                )
            types: dict[str, dict[str, str]] = {}
            async for table, columns, rows in batches:
                if table not in names:
                    raise StorageError(f"unknown table in the copy: {table}")
                if table not in types:
                    types[table] = await _columns(conn, table)
                casts = [_COPY_TYPES.get(types[table].get(c, ""), _same) for c in columns]
                values = [
                    tuple(
                        None if v is None else cast(v) for cast, v in zip(casts, row, strict=True)
                    )
                    for row in rows
                ]
                marks = ", ".join(f"${i + 1}" for i in range(len(columns)))
                await conn.executemany(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values
                )
                copied += len(rows)
            identities = await conn.fetch(
                "SELECT table_name, column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND is_identity = 'YES'"
            )
            for table, column in identities:
                await conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'),"
                    f" coalesce((SELECT max({column}) FROM {table}), 0) + 1, false)"
                )
        return copied

    # --- staff ----------------------------------------------------------------------------

    async def is_worker(self, person: bytes) -> bool:
        return await self._fetchval("SELECT 1 FROM workers WHERE person = $1", person) is not None

    async def list_workers(self) -> list[tuple[bytes, str, int]]:
        rows = await self._fetch(
            "SELECT person, name, added_at FROM workers ORDER BY lower(name), name"
        )
        return [(bytes(r[0]), r[1], r[2]) for r in rows]

    async def remove_worker(self, person: bytes) -> bool:
        return await self._execute("DELETE FROM workers WHERE person = $1", person) > 0

    async def add_invite(self, token: bytes, created_at: int, expires_at: int) -> None:
        await self._execute(
            "INSERT INTO invites (token, created_at, expires_at) VALUES ($1, $2, $3)",
            token,
            created_at,
            expires_at,
        )

    async def invite_usable(self, token: bytes, now: int) -> bool:
        row = await self._fetchval(
            "SELECT 1 FROM invites WHERE token = $1 AND used_at IS NULL AND expires_at > $2",
            token,
            now,
        )
        return row is not None

    async def redeem_invite(self, token: bytes, person: bytes, name: str, now: int) -> str:
        """The invite's row is locked (FOR UPDATE) for the transaction, so of two redeemers in
        any processes the second sees it used."""
        async with self._tx() as conn:
            row = await conn.fetchrow(
                "SELECT expires_at, used_at FROM invites WHERE token = $1 FOR UPDATE", token
            )
            if row is None:
                return "unknown"
            if row[1] is not None:
                return "used"
            if row[0] <= now:
                return "expired"
            await conn.execute("UPDATE invites SET used_at = $1 WHERE token = $2", now, token)
            await conn.execute(
                "INSERT INTO workers (person, name, added_at) VALUES ($1, $2, $3)"
                " ON CONFLICT (person) DO UPDATE SET name = excluded.name",
                person,
                name,
                now,
            )
            return "ok"

    # --- staff sign-in links ---------------------------------------------------------------

    async def add_login(self, token: bytes, person: bytes, expires_at: int, now: int) -> None:
        async with self._tx() as conn:
            await conn.execute("DELETE FROM staff_logins WHERE expires_at <= $1", now)
            await conn.execute(
                "INSERT INTO staff_logins (token, person, expires_at) VALUES ($1, $2, $3)",
                token,
                person,
                expires_at,
            )

    async def redeem_login(self, token: bytes, now: int) -> bytes | None:
        """One DELETE ... RETURNING: of two redeemers in any processes only one gets the row."""
        row = await self._fetchrow(
            "DELETE FROM staff_logins WHERE token = $1 RETURNING person, expires_at", token
        )
        if row is None or row[1] <= now:
            return None
        return bytes(row[0])

    # --- published results ------------------------------------------------------------------

    async def set_published(self, poll_id: int, day: str | None) -> bool:
        if day is None:
            return (
                await self._execute("DELETE FROM published_polls WHERE poll_id = $1", poll_id) > 0
            )
        touched = await self._execute(
            "INSERT INTO published_polls (poll_id, published_on) VALUES ($1, $2)"
            " ON CONFLICT (poll_id) DO NOTHING",
            poll_id,
            day,
        )
        return touched > 0

    async def published_polls(self) -> dict[str, str]:
        rows = await self._fetch(
            "SELECT polls.code, published_polls.published_on FROM published_polls"
            " JOIN polls ON polls.id = published_polls.poll_id ORDER BY polls.code"
        )
        return {str(r[0]): str(r[1]) for r in rows}

    async def record_release(self, poll_id: int, ballots: int) -> int:
        await self._execute(
            "INSERT INTO released_polls (poll_id, ballots) VALUES ($1, $2)"
            " ON CONFLICT (poll_id) DO NOTHING",
            poll_id,
            ballots,
        )
        return int(
            await self._fetchval("SELECT ballots FROM released_polls WHERE poll_id = $1", poll_id)
        )

    # --- results --------------------------------------------------------------------------

    async def tally(
        self, poll_id: int, dimensions: Sequence[str], channel: str | None = None
    ) -> TallyData:
        """One REPEATABLE READ snapshot: the ballot count and the grouped answers agree."""
        wanted = set(dimensions)
        args: list[Any] = [poll_id]
        where = "poll_id = $1"
        if channel is not None:
            args.append(channel)
            where += " AND channel = $2"
        sql = (
            "SELECT question, grp, option, rank, count(*), sum(lead) FROM answers"
            " WHERE poll_id = $1"
            + (
                " AND ballot_id IN (SELECT id FROM ballots WHERE poll_id = $1 AND channel = $2)"
                if channel is not None
                else ""
            )
            + " GROUP BY question, grp, option, rank"
        )
        options: dict[tuple[str, str, int | None], int] = defaultdict(int)
        groups: dict[tuple[str, str, int | None, str, str], int] = defaultdict(int)
        respondents: dict[tuple[str, str, str], int] = defaultdict(int)
        async with self._tx(isolation="repeatable_read", readonly=True) as conn:
            ballots = int(await conn.fetchval(f"SELECT count(*) FROM ballots WHERE {where}", *args))
            rows = await conn.fetch(sql, *args)
        for question, grp, option, rank, n, leads in rows:
            options[(question, option, rank)] += n
            respondents[(question, "", "")] += leads
            for part in grp.split("&") if grp else ():
                dim, _, group = part.partition("=")
                if dim in wanted and dim != question:
                    groups[(question, option, rank, dim, group)] += n
                    respondents[(question, dim, group)] += leads
        return TallyData(
            ballots=ballots,
            options=[OptionCount(q, o, r, n) for (q, o, r), n in options.items()],
            groups=[GroupCount(q, o, r, d, g, n) for (q, o, r, d, g), n in groups.items()],
            respondents=[Respondents(q, d, g, n) for (q, d, g), n in respondents.items()],
        )

    async def ballots_by_day(self, poll_id: int) -> list[tuple[str, int]]:
        rows = await self._fetch(
            "SELECT cast_on, count(*) FROM ballots WHERE poll_id = $1 GROUP BY cast_on"
            " ORDER BY cast_on",
            poll_id,
        )
        return [(r[0], int(r[1])) for r in rows]

    async def text_answers(self, poll_id: int) -> list[tuple[str, str, str, str, bool, str, bool]]:
        rows = await self._fetch(
            "SELECT t.question, t.body, t.lang,"
            " coalesce((SELECT a.grp FROM answers a WHERE a.ballot_id = t.ballot_id LIMIT 1), ''),"
            " t.flagged, t.themes, t.review FROM text_answers t WHERE t.poll_id = $1"
            " ORDER BY t.question, t.ballot_id",
            poll_id,
        )
        return [(r[0], r[1], r[2], r[3], bool(r[4]), r[5], bool(r[6])) for r in rows]

    async def review_answers(self, poll_id: int) -> list[tuple[str, str, str]]:
        rows = await self._fetch(
            "SELECT question, body, themes FROM text_answers"
            " WHERE poll_id = $1 AND review = 1 AND body != '' ORDER BY question, ballot_id",
            poll_id,
        )
        return [(r[0], r[1], r[2]) for r in rows]


_DRAFT_UPSERT = (
    "INSERT INTO drafts (owner, token, poll_id, state, updated_at) VALUES ($1, $2, $3, $4, $5)"
    " ON CONFLICT (owner) DO UPDATE SET token = excluded.token, poll_id = excluded.poll_id,"
    " state = excluded.state, updated_at = excluded.updated_at"
)


# A webhook update's claim: a first claim, or the takeover of one older than the lease ($3)
# that was never finished. The row lock of INSERT ... ON CONFLICT DO UPDATE makes one of
# concurrent claims (any process) the winner.
_CLAIM = (
    "INSERT INTO telegram_updates (update_id, seen_at, done) VALUES ($1, $2, 0)"
    " ON CONFLICT (update_id) DO UPDATE SET seen_at = excluded.seen_at"
    " WHERE telegram_updates.done = 0 AND telegram_updates.seen_at <= $3"
)


# person_turn's lock and the person's draft in one round trip. A VOLATILE SQL function takes
# a new snapshot for each of its statements, so the draft is read after the lock is granted
# (one statement would read with a snapshot from before its wait). It is a temporary function,
# made on each connection as the pool opens it (_prepare_connection; no schema change, and
# created before the migrations have made the drafts table: its body is checked when called).
_TURN_FUNCTION = """
SET check_function_bodies = off;
CREATE FUNCTION pg_temp.markbot_turn(k bigint, o bytea)
RETURNS TABLE (d_owner bytea, d_token text, d_poll_id bigint, d_state text, d_updated_at bigint)
LANGUAGE sql VOLATILE AS $f$
    SELECT pg_advisory_lock(k);
    SELECT d.owner, d.token, d.poll_id, d.state, d.updated_at FROM public.drafts d
    WHERE d.owner = o;
$f$;
CREATE PROCEDURE pg_temp.markbot_turn_end(k bigint, o bytea, t text, p bigint, s text, u bigint)
LANGUAGE plpgsql AS $f$
BEGIN
    PERFORM set_config('synchronous_commit', 'off', true);
    INSERT INTO public.drafts AS d (owner, token, poll_id, state, updated_at)
    VALUES (o, t, p, s, u)
    ON CONFLICT (owner) DO UPDATE SET token = excluded.token, poll_id = excluded.poll_id,
    state = excluded.state, updated_at = excluded.updated_at;
    COMMIT;
    PERFORM pg_advisory_unlock(k);
END
$f$;
RESET check_function_bodies;
"""
_TURN_AND_DRAFT = "SELECT * FROM pg_temp.markbot_turn($1, $2)"
# The end of a turn that saved a draft: the draft's upsert (asynchronous commit, as
# DRAFT_SAVE), committed, then the unlock. A procedure, since only a procedure may commit
# part-way: an unlock inside the draft's own transaction would let the next holder in before
# the commit, to read the old draft. CALL runs outside any transaction block here (the turn's
# connection is idle between statements), which a procedure's COMMIT needs.
_SAVE_AND_UNLOCK = "CALL pg_temp.markbot_turn_end($1, $2, $3, $4, $5, $6)"


async def _prepare_connection(conn: asyncpg.Connection) -> None:
    """Each new pooled connection: person_turn's function. Where the server refuses it (no
    TEMPORARY privilege, say), person_turn takes the lock and reads the draft in two round
    trips, as before, rather than the connection failing."""
    try:
        await conn.execute(_TURN_FUNCTION)
    except asyncpg.PostgresError as exc:
        log.warning("a person's turn takes one more round trip here: %s", type(exc).__name__)


def _draft_args(draft: DraftRow) -> tuple[bytes, str, int, str, int]:
    return draft.owner, draft.token, draft.poll_id, draft.state, draft.updated_at


def _text_row(ballot_id: str, q: str, body: str, *tag: Any) -> tuple[Any, ...]:
    """(ballot, question, body, language, confidence, flagged, themes, review), the tags a
    text was not given filled in as SQLite's defaults."""
    defaults: list[Any] = ["und", 0.0, False, "", False]
    lang, conf, flagged, themes, review = [*tag, *defaults[len(tag) :]]
    return ballot_id, q, body, lang, float(conf), int(bool(flagged)), themes, int(bool(review))


# A ballot in one statement. Data-modifying CTEs all run, once, in one snapshot; the ballot
# and its rows are inserted only from ``counted`` (the poll open at $2 and, unless the ballot
# is paper, the voter newly registered), and the foreign keys are checked at the statement's
# end, when the ballot row is there.
_CAST = """
WITH gone AS (DELETE FROM drafts WHERE owner = $4::bytea),
open_poll AS (
    SELECT 1 FROM polls WHERE id = $1::bigint AND status = 'open'
    AND (opens_at IS NULL OR opens_at <= $2::bigint)
    AND (closes_at IS NULL OR closes_at > $2::bigint)
),
registered AS (
    INSERT INTO voters (poll_id, voter) SELECT $1::bigint, $3::bytea FROM open_poll
    WHERE $3::bytea IS NOT NULL ON CONFLICT DO NOTHING RETURNING 1
),
counted AS (
    SELECT 1 FROM open_poll WHERE $3::bytea IS NULL OR EXISTS (SELECT 1 FROM registered)
),
ballot AS (
    INSERT INTO ballots (id, poll_id, cast_on, channel, session_id, lang)
    SELECT $5::text, $1::bigint, $6::text, $7::text, $8::bigint, $9::text FROM counted
    RETURNING id
),
answer AS (
    INSERT INTO answers (ballot_id, poll_id, question, option, rank, grp, lead)
    SELECT b.id, $1::bigint, q, o, r, $10::text, l FROM ballot b,
    unnest($11::text[], $12::text[], $13::int[], $14::int[]) AS a(q, o, r, l)
),
words AS (
    INSERT INTO text_answers
    (ballot_id, poll_id, question, body, lang, lang_conf, flagged, themes, review)
    SELECT b.id, $1::bigint, q, w, l, c, f, t, r FROM ballot b,
    unnest($15::text[], $16::text[], $17::text[], $18::float8[], $19::int[], $20::text[],
    $21::int[]) AS x(q, w, l, c, f, t, r)
),
noted AS (
    INSERT INTO shared_state (kind, key, value, expires_at)
    SELECT k, n, v, e FROM ballot,
    unnest($22::text[], $23::bytea[], $24::bytea[], $25::bigint[]) AS s(k, n, v, e)
    ON CONFLICT (kind, key) DO UPDATE SET value = excluded.value, expires_at = excluded.expires_at
)
SELECT EXISTS (SELECT 1 FROM open_poll), EXISTS (SELECT 1 FROM counted)
"""


_STAGING = (
    "CREATE TEMPORARY TABLE paper_b (id TEXT, cast_on TEXT, channel TEXT, session_id BIGINT,"
    " lang TEXT) ON COMMIT DROP",
    "CREATE TEMPORARY TABLE paper_a (ballot_id TEXT, question TEXT, option TEXT, rank INTEGER,"
    " grp TEXT, lead INTEGER) ON COMMIT DROP",
    "CREATE TEMPORARY TABLE paper_t (ballot_id TEXT, question TEXT, body TEXT, lang TEXT,"
    " lang_conf DOUBLE PRECISION, flagged INTEGER, themes TEXT, review INTEGER) ON COMMIT DROP",
)


class _ReadFailed(Exception):
    """Reading the paper file raised: carried past the transaction's mapping of engine errors
    (an OSError of the file is not the database's), then raised as it was."""

    def __init__(self, error: Exception) -> None:
        super().__init__(type(error).__name__)
        self.error = error


def _take(ballots: Iterator[NewBallot], n: int) -> list[NewBallot]:
    """Up to ``n`` ballots from the file (checked row by row as they are read)."""
    out: list[NewBallot] = []
    for ballot in ballots:
        out.append(ballot)
        if len(out) >= n:
            break
    return out


async def _stage_paper(conn: asyncpg.Connection, ballots: Iterator[NewBallot]) -> int:
    """Copy the file's ballots, with fresh random ids, into this transaction's temporary
    tables, a batch at a time (the file is read on a thread, as on SQLite); how many."""
    for statement in _STAGING:
        await conn.execute(statement)
    count = 0
    while True:
        try:
            batch = await asyncio.to_thread(_take, ballots, STAGING_BATCH)
        except Exception as exc:
            raise _ReadFailed(exc) from exc
        if not batch:
            break
        pool = secrets.token_bytes(10 * len(batch)).hex()
        rows_b: list[tuple[Any, ...]] = []
        rows_a: list[tuple[Any, ...]] = []
        rows_t: list[tuple[Any, ...]] = []
        for i, ballot in enumerate(batch):
            ballot_id = pool[20 * i : 20 * i + 20]
            rows_b.append(
                (ballot_id, ballot.cast_on, ballot.channel, ballot.session_id, ballot.lang)
            )
            seen: set[str] = set()
            for q, o, r in ballot.choices:
                rows_a.append((ballot_id, q, o, r, ballot.groups, int(q not in seen)))
                seen.add(q)
            rows_t.extend(_text_row(ballot_id, *t) for t in ballot.texts)
        for table, rows in (("paper_b", rows_b), ("paper_a", rows_a), ("paper_t", rows_t)):
            if rows:
                await conn.copy_records_to_table(table, records=rows, timeout=LONG_SECONDS)
        count += len(batch)
    return count


async def _keep_session(conn: asyncpg.Connection) -> None:
    """What the pool does to a connection handed back: nothing on the server. asyncpg's
    default sends a reset query (advisory unlocks, CLOSE ALL, UNLISTEN, RESET ALL) each time, a
    round trip per operation; markbot leaves no session state behind (settings are
    transaction-scoped, person_turn unlocks its session advisory lock itself or ends the
    session, no LISTEN, no open cursors), so it needs none."""


async def _checkpoint(conn: asyncpg.Connection) -> None:
    """CHECKPOINT needs the pg_checkpoint role (or a superuser); without it the server's own
    checkpoints (every few minutes) do the same a little later."""
    with contextlib.suppress(asyncpg.InsufficientPrivilegeError):
        await conn.execute("CHECKPOINT")


async def _migrate(conn: asyncpg.Connection) -> None:
    """Apply every migration not yet recorded, each in its own transaction under a
    transaction-scoped advisory lock, so processes starting together apply each step once."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations"
            " (name TEXT PRIMARY KEY, applied_at BIGINT NOT NULL)"
        )
    done = {r[0] for r in await conn.fetch("SELECT name FROM schema_migrations")}
    for name, sql in MIGRATIONS_PG:
        if name in done:
            continue
        async with conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
            if await conn.fetchval("SELECT 1 FROM schema_migrations WHERE name = $1", name):
                continue  # another process applied it while we waited
            await conn.execute(sql)
            await conn.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)",
                name,
                int(time.time()),
            )


async def _columns(conn: asyncpg.Connection, table: str) -> dict[str, str]:
    """A table's columns, in order, with their data types."""
    rows = await conn.fetch(
        "SELECT column_name, data_type FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position",
        table,
    )
    return {r[0]: r[1] for r in rows}


def _same(value: Any) -> Any:
    return value


_COPY_TYPES: dict[str, Any] = {
    "bigint": int,
    "integer": int,
    "smallint": int,
    "double precision": float,
    "real": float,
    "bytea": bytes,
    "text": str,
    "boolean": bool,
}


_SESSION = "SELECT id, token FROM sessions WHERE poll_id = $1 AND label = $2"


async def _session(
    conn: asyncpg.Connection, poll_id: int, label: str, token: str, now: int
) -> asyncpg.Record:
    """This poll's session with ``label`` (id, token), made with ``token`` if new. Looked up
    before inserting: an INSERT that finds the label taken still uses up a value of the id
    sequence, and the results publish session ids as their groups, so asking again would
    leave gaps SQLite's ids do not have (found by test_site.py on PostgreSQL)."""
    row = await conn.fetchrow(_SESSION, poll_id, label)
    if row is None:
        await conn.execute(
            "INSERT INTO sessions (poll_id, token, label, created_at) VALUES ($1, $2, $3, $4)"
            " ON CONFLICT (poll_id, label) DO NOTHING",
            poll_id,
            token,
            label,
            now,
        )
        row = await conn.fetchrow(_SESSION, poll_id, label)  # ours, or a racer's
    assert row is not None
    return row
