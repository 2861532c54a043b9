"""The storage contract's guarantees (storage/contract.py), checked against every backend.

Each test uses only the ``Store`` Protocol and runs on each backend of conftest's BACKENDS
(its ``database_url``). A backend joins by adding its name there and a branch in ``backend``
here that opens a fresh database and can ``peek`` at a table's raw rows (for
guarantees about what is stored that no operation shows, such as ballots holding no time).
Engine-specific checks (pragmas, WAL, WITHOUT ROWID) stay in tests/test_storage.py.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, overload

import asyncpg
import pytest

from storage.contract import Store
from storage.postgres import PostgresStore
from storage.records import (
    AlreadyImported,
    BroadcastExists,
    BroadcastRow,
    CastResult,
    ContactRow,
    DraftRow,
    DuplicateCode,
    NewBallot,
    PollExists,
    Target,
    UpdateClaim,
)
from storage.sqlite import SqliteStore

NOW = 1_790_000_000  # 2026-09-21
DAY = "2026-11-25"


@dataclass
class Backend:
    name: str
    open: Callable[[], Awaitable[Store]]  # a new, opened Store over the same database
    # (columns, rows) of a table, read beside the store
    peek: Callable[[str], Awaitable[tuple[list[str], list[tuple[Any, ...]]]]]


@pytest.fixture
async def backend(tmp_path: Path, database_url: str | None) -> AsyncIterator[Backend]:
    """Each backend in turn (conftest's ``database_url``), over a fresh database."""
    opened: list[Store] = []
    make: Callable[[], Store]
    peek: Callable[[str], Awaitable[tuple[list[str], list[tuple[Any, ...]]]]]
    name = "postgres" if database_url else "sqlite"
    if name == "sqlite":
        path = tmp_path / "contract.db"

        def make() -> Store:
            return SqliteStore(path)

        async def peek(table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
            conn = sqlite3.connect(path)
            try:
                cur = conn.execute(f"SELECT * FROM {table}")  # a fixed name, not input
                return [d[0] for d in cur.description], cur.fetchall()
            finally:
                conn.close()

    elif name == "postgres":
        url = database_url

        def make() -> Store:
            return PostgresStore(url)

        async def peek(table: str) -> tuple[list[str], list[tuple[Any, ...]]]:
            conn = await asyncpg.connect(url)
            try:
                stmt = await conn.prepare(f"SELECT * FROM {table}")  # in stored (heap) order
                rows = await stmt.fetch()
                return [a.name for a in stmt.get_attributes()], [tuple(r) for r in rows]
            finally:
                await conn.close()

    else:  # pragma: no cover
        raise AssertionError(name)

    async def open_store() -> Store:
        store = make()
        await store.open()
        opened.append(store)
        return store

    yield Backend(name, open_store, peek)
    for store in opened:
        await store.close()


@pytest.fixture
async def store(backend: Backend) -> Store:
    return await backend.open()


async def _reopen(store: Store, backend: Backend) -> Store:
    await store.close()
    return await backend.open()


async def _poll(
    store: Store,
    code: str = "p1",
    status: str = "open",
    opens_at: int | None = None,
    closes_at: int | None = None,
) -> int:
    return await store.add_poll(code, "Title", "{}", opens_at, closes_at, status)


def _ballot(
    poll_id: int,
    option: str = "a",
    area: str = "north",
    *,
    why: str = "because",
    channel: str = "telegram",
    day: str = DAY,
) -> NewBallot:
    return NewBallot(
        poll_id=poll_id,
        cast_on=day,
        channel=channel,
        lang="en",
        choices=(("q", option, None), ("area", area, None)),
        texts=(("why", why),),
        groups=f"area={area}" + (f"&channel={channel}" if channel == "paper" else ""),
    )


def _key(i: int) -> bytes:
    return i.to_bytes(2, "big") * 8  # a keyed hash's size; the store never sees who it is


# --- casting a ballot -----------------------------------------------------------------------


async def test_a_voter_is_counted_once_under_concurrent_duplicate_casts(store: Store) -> None:
    pid = await _poll(store)
    other = store.cast_ballot(_ballot(pid, "b"), _key(2), None, NOW)
    results = await asyncio.gather(
        *(store.cast_ballot(_ballot(pid), _key(1), None, NOW) for _ in range(20)), other
    )
    mine, theirs = results[:-1], results[-1]
    assert mine.count(CastResult.COUNTED) == 1
    assert mine.count(CastResult.ALREADY_VOTED) == 19
    assert theirs is CastResult.COUNTED  # a duplicate beside it does not undo it
    assert (await store.tally(pid, [])).ballots == 2
    assert await store.has_voted(pid, _key(1)) and await store.has_voted(pid, _key(2))


@pytest.mark.parametrize(
    ("status", "opens_at", "closes_at"),
    [
        ("closed", None, None),
        ("draft", None, None),
        ("open", None, NOW),  # the closing time has come, even if no schedule ran yet
        ("open", NOW + 1, None),  # scheduled, not started
    ],
)
async def test_a_poll_closed_at_cast_counts_nothing(
    store: Store, status: str, opens_at: int | None, closes_at: int | None
) -> None:
    pid = await _poll(store, status=status, opens_at=opens_at, closes_at=closes_at)
    result = await store.cast_ballot(_ballot(pid), _key(1), None, NOW)
    assert result is CastResult.POLL_CLOSED
    assert not await store.has_voted(pid, _key(1))
    assert (await store.tally(pid, [])).ballots == 0
    assert await store.ballots_by_day(pid) == []


async def test_a_cast_deletes_the_draft_and_survives_a_restart(
    store: Store, backend: Backend
) -> None:
    pid = await _poll(store)
    owner = _key(9)
    await store.save_draft(DraftRow(owner, "tok", pid, "{}", NOW))
    await store.flush_drafts()
    assert await store.cast_ballot(_ballot(pid), _key(1), owner, NOW) is CastResult.COUNTED
    assert await store.load_draft(owner) is None
    store = await _reopen(store, backend)
    assert await store.load_draft(owner) is None
    assert (await store.tally(pid, [])).ballots == 1
    assert await store.has_voted(pid, _key(1))


async def test_paper_ballots_register_no_voter(store: Store, backend: Backend) -> None:
    pid = await _poll(store)
    for _ in range(3):
        assert await store.cast_ballot(_ballot(pid), None, None, NOW) is CastResult.COUNTED
    assert (await store.tally(pid, [])).ballots == 3
    assert (await backend.peek("voters"))[1] == []


async def test_ballot_ids_are_random_and_ballots_carry_a_date_only(
    store: Store, backend: Backend
) -> None:
    pid = await _poll(store)
    ids: list[str] = []
    for i in range(40):
        await store.cast_ballot(_ballot(pid, why=f"{i:02d}"), _key(i), None, NOW + i)
        columns, rows = await backend.peek("ballots")
        new = {str(r[columns.index("id")]) for r in rows} - set(ids)
        assert len(new) == 1
        ids.extend(new)
    # Nothing orders ballots by when they were cast: not their ids, not the stored text order.
    assert ids != sorted(ids) and ids != sorted(ids, reverse=True)
    assert all(len(i) >= 16 for i in ids)  # no small counters
    bodies = [body for _, body, *_ in await store.text_answers(pid)]
    assert sorted(bodies) == [f"{i:02d}" for i in range(40)]
    assert bodies != sorted(bodies)
    # Dates only: no value in a ballot row is a time (neither ours nor the clock's).
    times = range(NOW - 366 * 86400, int(time.time()) + 86400)
    columns, rows = await backend.peek("ballots")
    for row in rows:
        for column, value in zip(columns, row, strict=True):
            assert not (isinstance(value, int) and value in times), (column, value)
            if column in ("cast_on", "date", "day"):
                assert value == DAY
    assert await store.ballots_by_day(pid) == [(DAY, 40)]
    # The voter register holds no ballot id.
    _, voters = await backend.peek("voters")
    assert len(voters) == 40
    assert not {str(v) for row in voters for v in row} & set(ids)


# --- drafts -----------------------------------------------------------------------------------


async def test_drafts_save_load_replace_drop(store: Store, backend: Backend) -> None:
    pid = await _poll(store)
    a, b = _key(1), _key(2)
    assert await store.load_draft(a) is None
    await store.save_draft(DraftRow(a, "t1", pid, '{"step": 1}', NOW))
    await store.save_draft(DraftRow(a, "t2", pid, '{"step": 2}', NOW + 1))
    await store.save_draft(DraftRow(b, "t3", pid, "{}", NOW))
    assert await store.load_draft(a) == DraftRow(a, "t2", pid, '{"step": 2}', NOW + 1)
    assert await store.drop_draft(b) is True
    assert await store.drop_draft(b) is False
    assert await store.load_draft(b) is None
    await store.flush_drafts()
    store = await _reopen(store, backend)
    assert await store.load_draft(a) == DraftRow(a, "t2", pid, '{"step": 2}', NOW + 1)
    assert await store.load_draft(b) is None


async def test_close_makes_every_saved_draft_durable(store: Store, backend: Backend) -> None:
    pid = await _poll(store)
    await store.save_draft(DraftRow(_key(1), "t", pid, "{}", NOW))
    store = await _reopen(store, backend)  # no flush asked for
    assert await store.load_draft(_key(1)) == DraftRow(_key(1), "t", pid, "{}", NOW)


async def test_stale_drafts_are_purged_whether_flushed_or_not(
    store: Store, backend: Backend
) -> None:
    pid = await _poll(store)
    await store.save_draft(DraftRow(_key(1), "old", pid, "{}", NOW - 90_000))
    await store.flush_drafts()
    await store.save_draft(DraftRow(_key(2), "old2", pid, "{}", NOW - 90_000))  # not flushed
    await store.save_draft(DraftRow(_key(3), "new", pid, "{}", NOW))
    assert await store.drop_stale_drafts(NOW - 86_400) == 2
    assert await store.load_draft(_key(1)) is None
    assert await store.load_draft(_key(2)) is None
    store = await _reopen(store, backend)
    assert await store.load_draft(_key(1)) is None
    assert await store.load_draft(_key(2)) is None
    assert (await store.load_draft(_key(3))) is not None


# --- polls ------------------------------------------------------------------------------------


async def test_polls_codes_status_and_schedule(store: Store) -> None:
    pid = await _poll(store, "p1")
    with pytest.raises(PollExists):
        await _poll(store, "p1")
    row = await store.get_poll("P1")
    assert row is not None and row.id == pid and row.code == "p1" and row.status == "open"
    assert await store.get_poll_by_id(pid) == row
    assert await store.get_poll("nope") is None and await store.get_poll_by_id(pid + 99) is None
    timed = await _poll(store, "p2", closes_at=NOW)
    await _poll(store, "p3", status="draft", closes_at=NOW - 5)  # drafts are left alone
    assert await store.apply_schedule(NOW - 1) == ([], [])
    assert await store.apply_schedule(NOW) == ([], ["p2"])
    closed, draft = await store.get_poll_by_id(timed), await store.get_poll("p3")
    assert closed is not None and closed.status == "closed"
    assert draft is not None and draft.status == "draft"
    assert await store.set_poll_status("p3", "open") is True
    assert await store.set_poll_status("nope", "open") is False
    await store.cast_ballot(_ballot(pid), _key(1), None, NOW)
    await store.cast_ballot(_ballot(pid, day="2026-11-24"), _key(2), None, NOW)
    summary = {s.code: (s.status, s.ballots, s.today) for s in await store.list_polls(DAY)}
    assert summary == {"p1": ("open", 2, 1), "p2": ("closed", 0, 0), "p3": ("open", 0, 0)}


async def test_the_first_key_check_stays_until_replaced_on_purpose(
    store: Store, backend: Backend
) -> None:
    """first_key_check records a check only where there is none, and answers with the one
    held (two processes with two key files starting together: one check, and each can tell
    whether it is theirs); set_key_check replaces it (``--new-key``)."""
    assert await store.key_check() is None
    other = await backend.open()
    held = await asyncio.gather(store.first_key_check(b"a" * 32), other.first_key_check(b"b" * 32))
    assert held[0] == held[1] in (b"a" * 32, b"b" * 32)
    assert await store.first_key_check(b"c" * 32) == held[0]
    assert await store.key_check() == held[0]
    await store.set_key_check(b"d" * 32)
    assert await other.key_check() == b"d" * 32


async def test_a_key_no_row_can_hold_finds_nothing(store: Store) -> None:
    """Poll codes and session tokens come from links anyone can type (/v/%00): one with a NUL,
    which PostgreSQL text cannot hold, is simply not there, as on SQLite, not an error."""
    pid = await _poll(store, "p1")
    await store.add_session(pid, "tok1", "Class A", NOW)
    assert await store.get_poll("p1\x00") is None
    assert await store.get_poll("\x00") is None
    assert await store.get_session("tok1\x00") is None
    assert await store.set_poll_status("p1\x00", "closed") is False
    row = await store.get_poll("p1")
    assert row is not None and row.status == "open"


# --- paper ballots ----------------------------------------------------------------------------


class _Breaks(Sequence[NewBallot]):
    """A file whose third ballot turns out to be bad part-way through the import."""

    def __init__(self, ballots: list[NewBallot]) -> None:
        self._ballots = ballots

    def __len__(self) -> int:
        return len(self._ballots)

    @overload
    def __getitem__(self, i: int) -> NewBallot: ...
    @overload
    def __getitem__(self, i: slice) -> Sequence[NewBallot]: ...
    def __getitem__(self, i: int | slice) -> NewBallot | Sequence[NewBallot]:
        if isinstance(i, int) and i == 2:
            raise ValueError("a bad row")
        return self._ballots[i]

    def __iter__(self) -> Iterator[NewBallot]:
        for i in range(len(self)):
            yield self[i]


async def test_paper_import_is_all_or_nothing_and_once_per_file(store: Store) -> None:
    pid = await _poll(store)
    assert await store.has_paper(pid) is False
    paper = [_ballot(pid, channel="paper") for _ in range(4)]
    with pytest.raises(ValueError):
        await store.import_paper(pid, "d1", "bad.csv", _Breaks(paper), DAY)
    assert (await store.tally(pid, [])).ballots == 0
    assert await store.has_paper(pid) is False
    # the file was not recorded as imported, so the corrected file goes in
    assert await store.import_paper(pid, "d1", "fixed.csv", paper, DAY) == 4
    with pytest.raises(AlreadyImported):
        await store.import_paper(pid, "d1", "again.csv", paper, DAY)
    assert (await store.tally(pid, [])).ballots == 4
    assert await store.import_paper(pid, "d2", "more.csv", paper[:1], DAY) == 1
    assert await store.has_paper(pid) is True
    assert await store.ballots_by_channel(pid) == {"paper": 5}
    other = await _poll(store, "p2")
    assert await store.import_paper(other, "d1", "fixed.csv", paper[:2], DAY) == 2  # per poll


# --- tallies ----------------------------------------------------------------------------------


async def test_tally_margins_overall_per_group_and_per_channel(store: Store) -> None:
    pid = await _poll(store)
    await store.cast_ballot(_ballot(pid, "a", "north"), _key(1), None, NOW)
    await store.cast_ballot(_ballot(pid, "a", "south"), _key(2), None, NOW)
    await store.cast_ballot(_ballot(pid, "b", "north"), _key(3), None, NOW)
    ranked = NewBallot(
        poll_id=pid,
        cast_on=DAY,
        choices=(("r", "x", 1), ("r", "y", 2), ("area", "south", None)),
        groups="area=south",
    )
    await store.cast_ballot(ranked, _key(4), None, NOW)
    await store.import_paper(pid, "d", "p.csv", [_ballot(pid, "b", "south", channel="paper")], DAY)

    data = await store.tally(pid, ["area"])
    assert data.ballots == 5
    options = {(c.question, c.option, c.rank): c.count for c in data.options}
    assert options == {
        ("q", "a", None): 2,
        ("q", "b", None): 2,
        ("area", "north", None): 2,
        ("area", "south", None): 3,
        ("r", "x", 1): 1,
        ("r", "y", 2): 1,
    }
    groups = {(g.question, g.option, g.rank, g.dimension, g.group): g.count for g in data.groups}
    assert groups == {
        ("q", "a", None, "area", "north"): 1,
        ("q", "a", None, "area", "south"): 1,
        ("q", "b", None, "area", "north"): 1,
        ("q", "b", None, "area", "south"): 1,
        ("r", "x", 1, "area", "south"): 1,
        ("r", "y", 2, "area", "south"): 1,
    }
    respondents = {(r.question, r.dimension, r.group): r.count for r in data.respondents}
    assert respondents["q", "", ""] == 4
    assert respondents["r", "", ""] == 1  # one respondent, two places
    assert respondents["q", "area", "north"] == 2 and respondents["q", "area", "south"] == 2
    assert respondents["r", "area", "south"] == 1

    assert (await store.tally(pid, [])).groups == []
    paper = await store.tally(pid, ["area"], channel="paper")
    assert paper.ballots == 1
    assert {(c.question, c.option): c.count for c in paper.options} == {
        ("q", "b"): 1,
        ("area", "south"): 1,
    }
    assert (await store.tally(pid, [], channel="telegram")).ballots == 4
    assert await store.ballots_by_channel(pid) == {"telegram": 4, "paper": 1}


# --- retention --------------------------------------------------------------------------------


async def test_purges_keep_counts_and_themes(store: Store) -> None:
    pid = await _poll(store)
    tagged = NewBallot(
        poll_id=pid,
        cast_on="2026-11-20",
        choices=(("q", "a", None),),
        texts=(("why", "early words", "en", 0.9, False, "transport"),),
    )
    await store.cast_ballot(tagged, _key(1), None, NOW)
    await store.cast_ballot(_ballot(pid, why="later words"), _key(2), None, NOW)
    assert await store.purge_texts("2026-11-21") == 1
    texts = {row[1]: row[5] for row in await store.text_answers(pid)}
    assert texts == {"": "transport", "later words": ""}
    assert await store.purge_voters(NOW + 10) == 0  # the poll is still open
    await store.set_poll_status("p1", "closed")
    assert await store.purge_voters(int(time.time()) + 60) == 2
    assert not await store.has_voted(pid, _key(1))
    await store.checkpoint()
    await store.compact()
    assert (await store.tally(pid, [])).ballots == 2
    assert sorted(await store.text_answers(pid))[1][1] == "later words"


async def test_schema_is_migrated_once(store: Store, backend: Backend) -> None:
    names = await store.schema_version()
    assert names and names == sorted(names)
    store = await _reopen(store, backend)
    assert await store.schema_version() == names


# --- languages, sessions, voting codes --------------------------------------------------------


async def test_language_choices_are_remembered(store: Store, backend: Backend) -> None:
    await store.set_language(_key(1), "en")
    await store.set_language(_key(1), "cy")
    await store.set_language(_key(2), "en")
    assert await store.languages() == {_key(1): "cy", _key(2): "en"}
    store = await _reopen(store, backend)
    assert await store.languages() == {_key(1): "cy", _key(2): "en"}


async def test_session_links(store: Store) -> None:
    pid = await _poll(store)
    assert await store.add_session(pid, "tok1", "Class A", NOW) == "tok1"
    assert await store.add_session(pid, "tok2", "Class A", NOW) == "tok1"  # same label
    assert await store.add_session(pid, "tok3", "Class B", NOW) == "tok3"
    found = await store.get_session("tok1")
    assert found is not None and found[1:] == (pid, "Class A")
    assert await store.get_session("tok2") is None
    made = await asyncio.gather(*(store.session_id(pid, "Class C", f"c{i}", NOW) for i in range(5)))
    assert len(set(made)) == 1
    assert await store.session_id(pid, "Class A", "other", NOW) == found[0]
    listed = await store.list_sessions(pid)
    assert [label for _, label in listed] == ["Class A", "Class B", "Class C"]
    assert listed[0][0] == found[0] and listed[2][0] == made[0]


async def test_asking_again_for_a_session_uses_up_no_id(store: Store) -> None:
    """Session ids are published as the results' groups: the same history gives the same ids
    on both backends (on PostgreSQL a conflicting INSERT would use up a sequence value)."""
    pid = await _poll(store)
    first = await store.session_id(pid, "Class A", "a", NOW)
    assert await store.session_id(pid, "Class A", "again", NOW) == first
    assert await store.add_session(pid, "again2", "Class A", NOW) == "a"
    assert await store.session_id(pid, "Class B", "b", NOW) == first + 1


async def test_voting_codes(store: Store) -> None:
    pid = await _poll(store)
    other = await _poll(store, "p2")
    sid = await store.session_id(pid, "Class A", "tok", NOW)
    codes = [_key(1), _key(2), _key(3)]
    assert await store.add_codes(pid, codes, sid, DAY) == 3
    assert await store.add_codes(pid, [_key(4)], None, DAY) == 1
    assert await store.find_code(pid, _key(1)) == (sid, False)
    assert await store.find_code(pid, _key(4)) == (None, False)
    assert await store.find_code(pid, _key(9)) is None
    assert await store.find_code(other, _key(1)) is None
    with pytest.raises(DuplicateCode):
        await store.add_codes(pid, [_key(5), _key(1)], sid, DAY)
    assert await store.find_code(pid, _key(5)) is None  # all or none
    assert await store.code_counts(pid) == (4, 0)

    web = _ballot(pid, channel="web")
    assert await store.cast_ballot(web, _key(1), None, NOW) is CastResult.COUNTED
    assert await store.cast_ballot(web, _key(1), None, NOW) is CastResult.ALREADY_VOTED
    assert await store.find_code(pid, _key(1)) == (sid, True)
    assert await store.code_counts(pid) == (4, 1)
    await store.cast_ballot(_ballot(pid), _key(7), None, NOW)  # Telegram, not a code
    assert await store.code_counts(pid) == (4, 1)
    assert await store.ballots_by_channel(pid) == {"web": 1, "telegram": 1}
    assert await store.code_counts(other) == (0, 0)


# --- staff ------------------------------------------------------------------------------------


async def test_workers_and_invites(store: Store) -> None:
    t1, t2, t3 = _key(101), _key(102), _key(103)
    await store.add_invite(t1, NOW, NOW + 100)
    assert await store.invite_usable(t1, NOW + 99) is True
    assert await store.invite_usable(t1, NOW + 100) is False
    assert await store.invite_usable(_key(199), NOW) is False
    assert await store.redeem_invite(t1, _key(1), "Sam", NOW + 1) == "ok"
    assert await store.is_worker(_key(1))
    assert await store.invite_usable(t1, NOW + 2) is False
    assert await store.redeem_invite(t1, _key(2), "Kim", NOW + 2) == "used"
    assert not await store.is_worker(_key(2))
    await store.add_invite(t2, NOW, NOW + 10)
    assert await store.redeem_invite(t2, _key(2), "Kim", NOW + 10) == "expired"
    assert await store.redeem_invite(_key(199), _key(2), "Kim", NOW) == "unknown"
    assert not await store.is_worker(_key(2))
    await store.add_invite(t3, NOW, NOW + 100)
    raced = await asyncio.gather(
        store.redeem_invite(t3, _key(3), "Bo", NOW), store.redeem_invite(t3, _key(4), "Cy", NOW)
    )
    assert sorted(raced) == ["ok", "used"]  # one invite, one worker
    assert await store.is_worker(_key(3)) != await store.is_worker(_key(4))
    await store.add_invite(t2 + b"!", NOW, NOW + 100)
    assert await store.redeem_invite(t2 + b"!", _key(5), "alex", NOW) == "ok"
    names = [name for _, name, _ in await store.list_workers()]
    assert names[0] == "alex" and names[2] == "Sam" and len(names) == 3  # by name, any case
    assert await store.remove_worker(_key(1)) is True
    assert await store.remove_worker(_key(1)) is False
    assert not await store.is_worker(_key(1))


async def test_sign_in_links_work_once_until_they_expire(backend: Backend) -> None:
    first, second = await backend.open(), await backend.open()  # two processes, one database
    await first.add_login(_key(301), _key(1), NOW + 900, NOW)
    assert await second.redeem_login(_key(301), NOW + 899) == _key(1)
    assert await first.redeem_login(_key(301), NOW + 899) is None  # used
    await first.add_login(_key(302), _key(2), NOW + 900, NOW)
    assert await first.redeem_login(_key(302), NOW + 900) is None  # expired
    assert await first.redeem_login(_key(302), NOW) is None  # and gone
    assert await first.redeem_login(_key(399), NOW) is None  # never made
    await first.add_login(_key(303), _key(3), NOW + 900, NOW)
    raced = await asyncio.gather(
        first.redeem_login(_key(303), NOW), second.redeem_login(_key(303), NOW)
    )
    assert sorted(raced, key=bool) == [None, _key(3)]  # exactly one of them signs in
    # an expired link is deleted when the next one is made: nothing lingers
    await first.add_login(_key(304), _key(4), NOW + 10, NOW)
    await first.add_login(_key(305), _key(5), NOW + 900, NOW + 10)
    _, rows = await backend.peek("staff_logins")
    assert [bytes(r[0]) for r in rows] == [_key(305)]


async def test_publishing_keeps_the_first_date_until_taken_down(store: Store) -> None:
    a, b = await _poll(store, "alpha", "closed"), await _poll(store, "beta", "closed")
    assert await store.published_polls() == {}
    assert await store.set_published(a, "2026-11-30") is True
    assert await store.set_published(a, "2026-12-01") is False  # already published
    assert await store.set_published(b, "2026-12-01") is True
    assert await store.published_polls() == {"alpha": "2026-11-30", "beta": "2026-12-01"}
    assert await store.set_published(a, None) is True
    assert await store.set_published(a, None) is False
    assert await store.published_polls() == {"beta": "2026-12-01"}


async def test_a_release_remembers_its_first_ballot_count(store: Store) -> None:
    """What went public first stays known after the pages come down (services/dashboard.py
    refuses to publish other figures for the same poll)."""
    a, b = await _poll(store, "alpha", "closed"), await _poll(store, "beta", "closed")
    assert await store.record_release(a, 12) == 12
    assert await store.record_release(a, 13) == 12  # the first release stands
    await store.set_published(a, "2026-11-30")
    await store.set_published(a, None)
    assert await store.record_release(a, 14) == 12
    assert await store.record_release(b, 0) == 0


# --- subscribers and broadcasts ---------------------------------------------------------------


async def test_subscribers(store: Store) -> None:
    subs = store.broadcasts
    assert await subs.add_subscriber(_key(1), b"chat-1", "en") is True
    assert await subs.add_subscriber(_key(1), b"chat-1b", "cy") is False  # updated
    assert await subs.subscriber_lang(_key(1)) == "cy"
    assert await subs.subscriber_lang(_key(2)) is None
    assert await subs.add_subscriber(_key(2), b"chat-2", "en") is True
    assert await subs.subscriber_count() == 2
    assert await subs.remove_subscriber(_key(2)) is True
    assert await subs.remove_subscriber(_key(2)) is False
    assert await subs.subscriber_count() == 1


async def test_broadcast_sends_are_claimed_once_and_settled(store: Store) -> None:
    bc = store.broadcasts
    pid = await _poll(store)
    assert await bc.create_broadcast(pid, NOW, b"staff", "en") is None  # nobody to tell
    assert await bc.unfinished_broadcasts() == []  # and nothing recorded
    people = [_key(3), _key(1), _key(2)]
    for i, person in enumerate(people):
        await bc.add_subscriber(person, f"chat-{i}".encode(), "en")
    created = await bc.create_broadcast(pid, NOW, b"staff", "cy")
    assert created is not None and created[1] == 3
    bid = created[0]
    with pytest.raises(BroadcastExists):
        await bc.create_broadcast(pid, NOW, None, "en")
    assert await bc.unfinished_broadcasts() == [BroadcastRow(bid, pid, b"staff", "cy", 3)]
    await bc.add_subscriber(_key(4), b"chat-late", "en")  # after the broadcast was made
    assert await bc.pending_sends(bid, b"", 10) == sorted(people)
    assert await bc.pending_sends(bid, sorted(people)[0], 1) == [sorted(people)[1]]

    claims = await asyncio.gather(*(bc.claim_send(bid, _key(1)) for _ in range(6)))
    assert [c for c in claims if c is not None] == [Target(b"chat-1", "en")]
    assert await bc.send_counts(bid) == Counter({"pending": 2, "sending": 1})
    await bc.release_send(bid, _key(1))  # Telegram said "later"
    assert await bc.send_counts(bid) == Counter({"pending": 3})
    assert await bc.claim_send(bid, _key(1)) == Target(b"chat-1", "en")
    await bc.settle_send(bid, _key(1), "sent")
    assert await bc.claim_send(bid, _key(1)) is None  # never twice

    assert await bc.claim_send(bid, _key(2)) is not None
    await bc.settle_send(bid, _key(2), "removed")  # blocked the bot
    assert await bc.subscriber_lang(_key(2)) is None

    await bc.remove_subscriber(_key(3))  # unsubscribed before their turn
    assert await bc.pending_sends(bid, b"", 10) == []
    assert await bc.claim_send(bid, _key(3)) is None

    assert await bc.finish_broadcast(bid, NOW + 60) == Counter(
        {"sent": 1, "removed": 1, "skipped": 0}
    )
    assert await bc.unfinished_broadcasts() == []
    assert await bc.send_counts(bid) == Counter()  # who it went to is forgotten


async def test_a_crash_mid_send_leaves_unknown_never_resent(store: Store, backend: Backend) -> None:
    pid = await _poll(store)
    for i in (1, 2, 3):
        await store.broadcasts.add_subscriber(_key(i), b"chat", "en")
    created = await store.broadcasts.create_broadcast(pid, NOW, None, "en")
    assert created is not None
    bid = created[0]
    assert await store.broadcasts.claim_send(bid, _key(1)) is not None
    store = await _reopen(store, backend)  # as after a crash: 'sending' is on disk
    assert [r.id for r in await store.broadcasts.unfinished_broadcasts()] == [bid]
    assert await store.broadcasts.mark_unknown(bid) == 1
    assert await store.broadcasts.claim_send(bid, _key(1)) is None
    assert await store.broadcasts.send_counts(bid) == Counter({"unknown": 1, "pending": 2})
    assert await store.broadcasts.claim_send(bid, _key(2)) is not None
    assert await store.broadcasts.finish_broadcast(bid, NOW) == Counter(
        {"unknown": 1, "skipped": 2}
    )


# --- contact requests -------------------------------------------------------------------------


async def test_contact_waiting_marks(store: Store) -> None:
    c = store.contacts
    await c.start_waiting(_key(1), NOW)
    await c.start_waiting(_key(2), NOW - 1000)
    await c.start_waiting(_key(1), NOW + 5)  # the clock restarts
    assert sorted(await c.all_waiting()) == sorted([(_key(1), NOW + 5), (_key(2), NOW - 1000)])
    assert await c.drop_waiting_before(NOW) == 1
    assert await c.all_waiting() == [(_key(1), NOW + 5)]
    assert await c.stop_waiting(_key(1)) is True
    assert await c.stop_waiting(_key(1)) is False
    assert await c.all_waiting() == []


async def test_contact_requests_forget_the_sender_and_are_handled_once(
    store: Store, backend: Backend
) -> None:
    c = store.contacts
    await c.start_waiting(_key(1), NOW)
    first = await c.add_request(_key(1), b"sealed-1", DAY)
    assert await c.all_waiting() == []  # the same transaction forgot who was typing
    second = await c.add_request(_key(2), b"sealed-2", "2026-11-20")
    assert first != second
    assert await c.get_request(first) == ContactRow(first, b"sealed-1", DAY, False, None)
    _, rows = await backend.peek("contact_requests")
    assert not any(_key(1) in bytes(v) for r in rows for v in r if isinstance(v, bytes))

    assert [r.id for r in await c.open_requests(undelivered_only=True)] == [first, second]
    await c.mark_delivered(first, 77)
    assert await c.get_request(first) == ContactRow(first, b"sealed-1", DAY, True, 77)
    assert [r.id for r in await c.open_requests(undelivered_only=True)] == [second]
    assert [r.id for r in await c.open_requests(undelivered_only=False)] == [first, second]

    handled = await asyncio.gather(*(c.delete_request(first) for _ in range(3)))
    assert [r.id for r in handled if r is not None] == [first]  # two leads, one success
    assert await c.get_request(first) is None
    expired = await c.delete_sent_before("2026-11-21")
    assert [r.id for r in expired] == [second]
    assert await c.open_requests(undelivered_only=False) == []


# --- safeguarding alerts and webhook updates --------------------------------------------------


async def test_alerts_are_queued_with_their_draft_and_deleted_once_sent(
    store: Store, backend: Backend
) -> None:
    pid = await _poll(store)
    draft = DraftRow(_key(1), "tok", pid, '{"step": 4}', NOW)
    first = await store.save_draft_with_alert(draft, b"sealed-1", DAY)
    other = DraftRow(_key(2), "tok2", pid, '{"step": 3}', NOW)
    second = await store.save_draft_with_alert(other, b"sealed-2", DAY)
    assert first != second and min(len(first), len(second)) >= 16  # random, not a counter
    store = await _reopen(store, backend)  # durable before returning, draft and alert alike
    assert await store.load_draft(_key(1)) == draft
    assert sorted(await store.pending_alerts()) == sorted(
        [(first, b"sealed-1", False), (second, b"sealed-2", False)]
    )
    await store.alert_sent(first)
    await store.alert_sent(first)
    assert await store.pending_alerts() == [(second, b"sealed-2", False)]
    _, rows = await backend.peek("alert_outbox")
    assert [bytes(v) for r in rows for v in r if isinstance(v, bytes)] == [b"sealed-2"]


async def test_an_alert_being_sent_is_marked_in_flight_durably_until_refused(
    store: Store, backend: Backend
) -> None:
    """A send that starts is recorded before the request goes out, and stays recorded across
    a restart (its outcome unknown, it may have arrived); a refusal clears it."""
    pid = await _poll(store)
    first = await store.save_draft_with_alert(DraftRow(_key(1), "t", pid, "{}", NOW), b"s1", DAY)
    second = await store.save_draft_with_alert(DraftRow(_key(2), "t", pid, "{}", NOW), b"s2", DAY)
    await store.alert_in_flight(first, True)
    store = await _reopen(store, backend)  # as after kill -9 between the send and its answer
    assert sorted(await store.pending_alerts()) == sorted(
        [(first, b"s1", True), (second, b"s2", False)]
    )
    await store.alert_in_flight(second, True)
    await store.alert_in_flight(second, False)  # Telegram refused it (a 429): not sent
    await store.alert_in_flight(second, False)
    assert sorted(await store.pending_alerts()) == sorted(
        [(first, b"s1", True), (second, b"s2", False)]
    )
    await store.alert_sent(first)
    await store.alert_in_flight(first, True)  # a late mark leaves a delivered alert deleted
    assert await store.pending_alerts() == [(second, b"s2", False)]
    _, rows = await backend.peek("alert_outbox")
    assert len(rows) == 1


async def test_webhook_updates_are_claimed_once_released_and_forgotten(store: Store) -> None:
    lease = 60
    claims = await asyncio.gather(*(store.claim_update(101, NOW, lease) for _ in range(8)))
    assert claims.count(UpdateClaim.HANDLE) == 1  # of concurrent deliveries, one is handled
    assert set(claims) == {UpdateClaim.HANDLE, UpdateClaim.BUSY}  # the others: try later
    await store.finish_update(101)
    assert await store.claim_update(101, NOW + 5, lease) is UpdateClaim.DONE  # a redelivery
    assert await store.claim_update(102, NOW + 10, lease) is UpdateClaim.HANDLE
    await store.release_update(102)  # its handling failed: the redelivery is handled
    assert await store.claim_update(102, NOW + 10, lease) is UpdateClaim.HANDLE
    await store.finish_update(102)
    assert await store.forget_updates(NOW + 1) == 1
    assert await store.claim_update(101, NOW + 20, lease) is UpdateClaim.HANDLE  # forgotten
    assert await store.claim_update(102, NOW + 20, lease) is UpdateClaim.DONE


async def test_a_claim_reads_the_language_and_a_shared_value_beside_it(store: Store) -> None:
    """claim_update_and_read claims as claim_update does, and reads language_and_shared's
    two halves only for the claim that is made."""
    person, key = b"p" * 32, b"c" * 32
    await store.set_language(person, "cy")
    await store.shared_put("k", key, b"sealed", NOW + 10)
    claims = await asyncio.gather(
        *(store.claim_update_and_read(201, NOW, 60, person, "k", key) for _ in range(6))
    )
    assert claims.count((UpdateClaim.HANDLE, "cy", b"sealed")) == 1
    assert claims.count((UpdateClaim.BUSY, None, None)) == 5
    await store.finish_update(201)
    again = await store.claim_update_and_read(201, NOW + 1, 60, person, "k", key)
    assert again == (UpdateClaim.DONE, None, None)
    other = await store.claim_update_and_read(202, NOW + 10, 60, b"q" * 32, "k", key)
    assert other == (UpdateClaim.HANDLE, None, None)  # no language; the value expired
    assert await store.claim_update(202, NOW + 11, 60) is UpdateClaim.BUSY  # the same claim


async def test_a_claim_left_by_a_dead_process_is_taken_over_after_the_lease(
    backend: Backend,
) -> None:
    """A process killed mid-update never finishes its claim: while the claim is young a
    redelivery is BUSY (Telegram retries), once it is older than the lease exactly one of
    the processes now claiming takes it over, and it is handled, not lost."""
    dead, alive = await backend.open(), await backend.open()
    assert await dead.claim_update(7, NOW, 60) is UpdateClaim.HANDLE  # then killed
    assert await alive.claim_update(7, NOW + 30, 60) is UpdateClaim.BUSY
    other = await backend.open()
    late = await asyncio.gather(
        alive.claim_update(7, NOW + 61, 60), other.claim_update(7, NOW + 61, 60)
    )
    assert sorted(c.value for c in late) == ["busy", "handle"]
    await alive.finish_update(7)
    assert await other.claim_update(7, NOW + 500, 60) is UpdateClaim.DONE


async def test_a_claimed_update_survives_a_restart(store: Store, backend: Backend) -> None:
    assert await store.claim_update(7, NOW, 60) is UpdateClaim.HANDLE
    await store.finish_update(7)
    store = await _reopen(store, backend)
    assert await store.claim_update(7, NOW, 60) is UpdateClaim.DONE


async def test_the_only_process_forgets_what_a_killed_one_claimed(
    store: Store, backend: Backend
) -> None:
    """After kill -9 the restarted `markbot run` calls forget_claims: on SQLite (one process
    per file, under run's lock) the dead holder's leases and unfinished update claims go, so
    alerts, broadcasts and redelivered updates don't wait out a 60-90 s lease; on PostgreSQL,
    which other live processes share, nothing is dropped and the leases run their course."""
    assert await store.claim_lease("safeguarding-alerts", b"dead" * 4, NOW, 60)
    assert await store.claim_update(7, NOW, 90) is UpdateClaim.HANDLE
    await store.claim_update(8, NOW, 90)
    await store.finish_update(8)
    store = await _reopen(store, backend)
    dropped = await store.forget_claims()
    if backend.name == "sqlite":
        assert dropped == 2
        assert await store.claim_lease("safeguarding-alerts", b"next" * 4, NOW + 1, 60)
        assert await store.claim_update(7, NOW + 1, 90) is UpdateClaim.HANDLE
    else:
        assert dropped == 0
        assert not await store.claim_lease("safeguarding-alerts", b"next" * 4, NOW + 1, 60)
        assert await store.claim_update(7, NOW + 1, 90) is UpdateClaim.BUSY
    assert await store.claim_update(8, NOW + 1, 90) is UpdateClaim.DONE  # finished: kept
