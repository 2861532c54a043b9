"""The stores: exactly-once ballots, drafts, schedules on both backends (``store``); the SQLite
file's schema, durability settings and batching writer (``sqlite_store``)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from storage.contract import Store
from storage.migrations import MIGRATIONS
from storage.postgres import PostgresStore
from storage.records import CastResult, DraftRow, NewBallot, PollExists, SharedNote
from storage.sqlite import SqliteStore

NOW = 1_790_000_000


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    s = SqliteStore(tmp_path / "t.db")
    await s.open()
    yield s
    await s.close()


@pytest.fixture
async def store(tmp_path: Path, database_url: str | None) -> AsyncIterator[Store]:
    """Each backend in turn (conftest's ``database_url``), over a fresh database."""
    s: Store = PostgresStore(database_url) if database_url else SqliteStore(tmp_path / "t.db")
    await s.open()
    yield s
    await s.close()


async def _rows(store: Store, sql: str) -> list[tuple[object, ...]]:
    """Raw rows read beside the store (a fixed query, not input)."""
    if isinstance(store, SqliteStore):
        db = sqlite3.connect(store.path)
        try:
            return db.execute(sql).fetchall()
        finally:
            db.close()
    assert isinstance(store, PostgresStore)
    conn = await asyncpg.connect(store.url)
    try:
        return [tuple(r) for r in await conn.fetch(sql)]
    finally:
        await conn.close()


async def _poll(store: Store, code: str = "p1", status: str = "open") -> int:
    return await store.add_poll(code, "Title", "{}", None, None, status)


def _ballot(poll_id: int, option: str = "a") -> NewBallot:
    return NewBallot(
        poll_id=poll_id,
        cast_on="2026-11-25",
        lang="en",
        choices=(("q", option, None), ("area", "north", None)),
        texts=(("why", "because"),),
    )


async def test_durability_settings(sqlite_store: SqliteStore) -> None:
    p = await sqlite_store.pragmas()
    assert p["journal_mode"] == "wal"
    assert p["synchronous"] == 2  # FULL
    assert p["busy_timeout"] >= 5000
    assert p["secure_delete"] == 1
    assert p["foreign_keys"] == 1


async def test_migrations_recorded_once(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    for _ in range(2):
        async with SqliteStore(path) as s:
            assert await s.schema_version() == [name for name, _ in MIGRATIONS]


async def test_no_insertion_order_tables(sqlite_store: SqliteStore) -> None:
    db = sqlite3.connect(sqlite_store.path)
    try:
        for table in ("voters", "ballots", "answers", "text_answers", "drafts"):
            (sql,) = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", (table,)).fetchone()
            assert "WITHOUT ROWID" in sql, table
    finally:
        db.close()


async def test_duplicate_codes_refused(store: Store) -> None:
    await _poll(store)
    with pytest.raises(PollExists):
        await _poll(store)


async def test_concurrent_casts_by_one_voter_count_once(store: Store) -> None:
    pid = await _poll(store)
    results = await asyncio.gather(
        *(store.cast_ballot(_ballot(pid), b"v" * 16, None, NOW) for _ in range(25))
    )
    assert results.count(CastResult.COUNTED) == 1
    assert results.count(CastResult.ALREADY_VOTED) == 24
    data = await store.tally(pid, ["area"])
    assert data.ballots == 1
    assert {(o.question, o.option, o.count) for o in data.options} == {
        ("q", "a", 1),
        ("area", "north", 1),
    }


async def test_other_voters_in_the_same_batch_are_unaffected(store: Store) -> None:
    pid = await _poll(store)
    voters = [bytes([i]) * 16 for i in range(10)]
    results = await asyncio.gather(
        *(store.cast_ballot(_ballot(pid), v, None, NOW) for v in voters + voters[:3])
    )
    assert results.count(CastResult.COUNTED) == 10
    assert (await store.tally(pid, [])).ballots == 10


async def test_closed_poll_stores_nothing(store: Store) -> None:
    pid = await _poll(store, status="closed")
    assert await store.cast_ballot(_ballot(pid), b"x" * 16, None, NOW) is CastResult.POLL_CLOSED
    assert not await store.has_voted(pid, b"x" * 16)
    assert (await store.tally(pid, [])).ballots == 0


async def test_closing_time_is_enforced_in_the_transaction(store: Store) -> None:
    pid = await store.add_poll("timed", "T", "{}", None, NOW - 1, "open")
    assert await store.cast_ballot(_ballot(pid), b"y" * 16, None, NOW) is CastResult.POLL_CLOSED


async def test_cast_removes_the_draft(store: Store) -> None:
    pid = await _poll(store)
    owner = b"o" * 16
    await store.save_draft(DraftRow(owner, "abc123", pid, "{}", NOW))
    assert await store.load_draft(owner) is not None
    assert await store.cast_ballot(_ballot(pid), b"z" * 16, owner, NOW) is CastResult.COUNTED
    assert await store.load_draft(owner) is None


async def test_stale_drafts_are_purged(store: Store) -> None:
    pid = await _poll(store)
    await store.save_draft(DraftRow(b"1" * 16, "aaaa", pid, "{}", NOW - 90_000))
    await store.save_draft(DraftRow(b"2" * 16, "bbbb", pid, "{}", NOW))
    assert await store.drop_stale_drafts(NOW - 86_400) == 1
    assert await store.load_draft(b"1" * 16) is None
    assert await store.load_draft(b"2" * 16) is not None


async def test_ballot_ids_are_random_and_dates_coarse(store: Store) -> None:
    pid = await _poll(store)
    for i in range(5):
        await store.cast_ballot(_ballot(pid), bytes([i]) * 16, None, NOW)
    rows = await _rows(store, "SELECT id, cast_on FROM ballots")
    assert len({r[0] for r in rows}) == 5
    assert all(len(r[0]) == 20 for r in rows)
    assert {r[1] for r in rows} == {"2026-11-25"}


async def test_failed_batch_member_is_rolled_back_alone(store: Store) -> None:
    pid = await _poll(store)
    bad = NewBallot(
        poll_id=pid, cast_on="2026-11-25", choices=(("q", "a", None), ("q", "a", None))
    )  # duplicate key: fails
    results = await asyncio.gather(
        store.cast_ballot(_ballot(pid), b"1" * 16, None, NOW),
        store.cast_ballot(bad, b"2" * 16, None, NOW),
        store.cast_ballot(_ballot(pid), b"3" * 16, None, NOW),
        return_exceptions=True,
    )
    assert results[0] is CastResult.COUNTED and results[2] is CastResult.COUNTED
    assert isinstance(results[1], (sqlite3.IntegrityError, asyncpg.UniqueViolationError))
    assert not await store.has_voted(pid, b"2" * 16)  # its voter row went with it
    assert (await store.tally(pid, [])).ballots == 2


async def test_a_ballots_notes_are_written_with_it_and_only_with_it(store: Store) -> None:
    """The "this journey was counted" note is in the ballot's transaction (crash27: written
    after it, a kill -9 between the two left a counted ballot whose redelivered Send said the
    answers were deleted): there when counted, absent when refused or when the ballot fails."""
    pid = await _poll(store)

    def note(key: bytes) -> SharedNote:
        return SharedNote("sent", key, b"v-" + key, NOW + 600)

    counted = await store.cast_ballot(
        _ballot(pid), b"1" * 16, None, NOW, (note(b"k1"), note(b"k1-web"))
    )
    assert counted is CastResult.COUNTED
    assert await store.shared_get("sent", b"k1", NOW) == b"v-k1"
    assert await store.shared_get("sent", b"k1-web", NOW) == b"v-k1-web"
    again = await store.cast_ballot(_ballot(pid), b"1" * 16, None, NOW, (note(b"k2"),))
    assert again is CastResult.ALREADY_VOTED
    bad = NewBallot(
        poll_id=pid, cast_on="2026-11-25", choices=(("q", "a", None), ("q", "a", None))
    )  # duplicate key: the ballot fails inside its transaction
    with pytest.raises((sqlite3.IntegrityError, asyncpg.UniqueViolationError)):
        await store.cast_ballot(bad, b"3" * 16, None, NOW, (note(b"k3"),))
    closed = await _poll(store, "p2", status="closed")
    refused = await store.cast_ballot(_ballot(closed), b"4" * 16, None, NOW, (note(b"k4"),))
    assert refused is CastResult.POLL_CLOSED
    for key in (b"k2", b"k3", b"k4"):
        assert await store.shared_get("sent", key, NOW) is None, key
    assert (await store.tally(pid, [])).ballots == 1


async def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    from storage.records import StorageError

    with pytest.raises(StorageError, match="folder"):
        await SqliteStore(tmp_path / "nope" / "x.db").open()


async def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    from storage.records import StorageError

    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StorageError, match="cannot open"):
        await SqliteStore(path).open()


async def test_drafts_are_written_behind_and_flushed_on_close(tmp_path: Path) -> None:
    path = tmp_path / "wb.db"
    async with SqliteStore(path) as s:
        pid = await _poll(s)
        await s.save_draft(DraftRow(b"k" * 16, "tok1", pid, '{"step":"2"}', NOW))
        assert (await s.load_draft(b"k" * 16)) is not None  # served from memory at once
    async with SqliteStore(path) as s:  # a clean restart finds it on disk
        draft = await s.load_draft(b"k" * 16)
        assert draft is not None and draft.state == '{"step":"2"}'


async def test_a_cast_ballot_leaves_no_draft_behind(store: Store) -> None:
    pid = await _poll(store)
    owner = b"q" * 16
    await store.save_draft(DraftRow(owner, "tok2", pid, "{}", NOW))  # not yet flushed
    assert await store.cast_ballot(_ballot(pid), b"w" * 16, owner, NOW) is CastResult.COUNTED
    assert await store.flush_drafts() == 0
    assert await store.load_draft(owner) is None
    assert await _rows(store, "SELECT count(*) FROM drafts") == [(0,)]


async def test_schedule_closes_at_the_time(store: Store) -> None:
    await store.add_poll("later", "T", "{}", NOW + 100, None, "draft")
    await store.add_poll("soon", "T", "{}", NOW - 10, NOW + 100, "draft")
    await store.add_poll("ending", "T", "{}", None, NOW - 1, "open")
    await store.add_poll("kept", "T", "{}", None, None, "draft")
    assert await store.apply_schedule(NOW) == ([], ["ending"])  # drafts wait for staff
    assert await store.apply_schedule(NOW) == ([], [])
    statuses = {c: (await store.get_poll(c)).status for c in ("later", "soon", "ending", "kept")}
    assert statuses == {"later": "draft", "soon": "draft", "ending": "closed", "kept": "draft"}


async def test_compact_empties_the_wal_and_keeps_the_data(sqlite_store: SqliteStore) -> None:
    store = sqlite_store
    pid = await _poll(store)
    for i in range(20):
        await store.cast_ballot(_ballot(pid), bytes([i]) * 16, None, NOW)
    wal = Path(store.path + "-wal")
    assert wal.stat().st_size > 0
    await store.compact()
    assert wal.stat().st_size == 0
    assert (await store.tally(pid, [])).ballots == 20
    await store.cast_ballot(_ballot(pid), b"\xff" * 16, None, NOW)  # still writable after
    assert (await store.tally(pid, [])).ballots == 21


async def test_writes_after_a_checkpoint_succeed(store: Store) -> None:
    """A checkpoint must not leave a statement open (SQLite's pragma) or a lock held that
    breaks the next write."""
    for i in range(20 if isinstance(store, SqliteStore) else 5):
        await store.checkpoint()
        await store.set_language(bytes([i]) * 16, "cy")
        await asyncio.gather(store.checkpoint(), store.set_language(b"x" * 16, "en"))
    assert len(await store.languages()) == (21 if isinstance(store, SqliteStore) else 6)


async def test_language_tags_kept_on_ballots_before_0022_are_forgotten(tmp_path: Path) -> None:
    """A database from before 0022 holds each ballot's language ('cy' picked out a class's one
    Welsh speaker): the migration empties them, and keeps the ballots."""
    path = tmp_path / "old.db"
    async with SqliteStore(path):
        pass
    db = sqlite3.connect(path)
    try:
        db.execute(
            "INSERT INTO polls (id, code, title, definition, created_at) "
            "VALUES (1, 'p', 'P', '{}', 0)"
        )
        db.executemany(
            "INSERT INTO ballots (id, poll_id, cast_on, lang) VALUES (?, 1, '2026-12-01', ?)",
            [("a", "cy"), ("b", "en"), ("c", None)],
        )
        db.execute("DELETE FROM schema_migrations WHERE name = '0022_ballot_lang_forgotten'")
        db.commit()
    finally:
        db.close()
    async with SqliteStore(path):
        pass
    db = sqlite3.connect(path)
    try:
        rows = db.execute("SELECT id, lang FROM ballots ORDER BY id").fetchall()
    finally:
        db.close()
    assert rows == [("a", None), ("b", None), ("c", None)]
