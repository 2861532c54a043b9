"""`markbot db copy --to ...`: everything moves to an empty database, in one transaction there,
and every poll's counts come out the same (issue 12, item 4)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from conftest import SIMPLE_POLL

from bot.app import Runtime, open_runtime
from bot.cli import main
from bot.settings import Settings
from services.codes import normalize
from services.copying import compare_polls
from storage.migrations import COPY_TABLES
from storage.open import make_store
from storage.records import DraftRow, NewBallot, StorageError

CHOICES = {
    "telegram": ("13-15", "north", "jobs"),
    "web": ("16-18", "south", "climate"),
    "paper": ("10-12", "north", "transport"),
}


def _ballot(rt_poll: tuple[int, object], channel: str, why: str = "") -> NewBallot:
    poll_id, poll = rt_poll
    age, area, priority = CHOICES[channel]
    choices = (("age", age, None), ("area", area, None), ("priority", priority, None))
    groups = poll.group_key(choices, None, channel=channel, paper=channel == "paper")  # type: ignore[attr-defined]
    texts = (("why", why, "en", 0.9, False, "", False),) if why else ()
    return NewBallot(
        poll_id, "2026-12-01", channel=channel, choices=choices, texts=texts, groups=groups
    )


async def _fill(rt: Runtime) -> None:
    """A poll with Telegram, web (voting codes) and paper ballots, free text, and the rest of
    what a council's database holds: staff, subscribers, a language, an unfinished journey."""
    services = rt.services
    await services.polls.create(services.polls.parse(SIMPLE_POLL, "t.yaml"), status="open")
    other = SIMPLE_POLL.replace("code: test-poll", "code: second-poll")
    await services.polls.create(services.polls.parse(other, "t.yaml"), status="closed")
    loaded = await services.polls.by_code("test-poll")
    assert loaded is not None
    row, poll = loaded
    key = (row.id, poll)
    hasher = services.journey._hasher
    for i in range(23):
        ballot = _ballot(key, "telegram", why=f"reason {i}" if i % 3 == 0 else "")
        await rt.store.cast_ballot(ballot, hasher.voter("test-poll", 100 + i), None, 1_796_000_000)
    codes = await services.codes.make("test-poll", 9)
    for code in codes[:7]:
        voter = hasher.code("test-poll", normalize(code) or code)
        await rt.store.cast_ballot(_ballot(key, "web"), voter, None, 1_796_000_000)
    paper = [_ballot(key, "paper") for _ in range(11)]
    await rt.store.import_paper(row.id, "d" * 64, "paper.csv", paper, "2026-12-01")
    await services.subscriptions.add(555, "cy")
    token = await services.staff.invite()
    assert await services.staff.begin_join(4242, token)
    assert await services.staff.finish_join(4242, "Alex") == "ok"
    await rt.store.set_language(hasher.preference(777), "cy")
    await rt.store.save_draft(DraftRow(hasher.owner(778), "tok", row.id, "{}", 1_796_000_000))


def _rows(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t, _ in COPY_TABLES}


@pytest.fixture
def source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("TOKEN", "API_URL", "DB", "KEY_FILE", "ADMINS", "MIN_CELL", "DATABASE_URL"):
        monkeypatch.delenv(f"MARKBOT_{name}", raising=False)
    db = tmp_path / "council.db"
    monkeypatch.setenv("MARKBOT_DB", str(db))

    async def fill() -> None:
        rt = await open_runtime(Settings(db=db, _env_file=None))  # type: ignore[call-arg]
        try:
            await _fill(rt)
        finally:
            await rt.close()

    asyncio.run(fill())
    return db


def test_copy_moves_everything_and_every_count_matches(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "new" / "markbot.db"
    target.parent.mkdir()
    assert main(["db", "copy", "--to", f"sqlite:///{target}"]) == 0
    out = capsys.readouterr().out
    assert "2 polls, 41 ballots" in out and "every poll's counts match" in out
    before, after = _rows(source), _rows(target)
    assert after == before
    assert before["ballots"] == 41 and before["answers"] > 41 and before["text_answers"] == 8
    assert before["voters"] == 30 and before["vote_codes"] == 9 and before["drafts"] == 1
    assert before["workers"] == before["subscribers"] == before["key_check"] == 1

    async def tallies() -> None:
        # the same key file opens the copy (its key check came along), and the figures of
        # each channel are exactly the same
        settings = Settings(db=target, key_file=Path(f"{source}.key"), _env_file=None)  # type: ignore[call-arg]
        old = await open_runtime(Settings(db=source, _env_file=None))  # type: ignore[call-arg]
        new = await open_runtime(settings)
        try:
            assert await new.store.ballots_by_channel(1) == {"telegram": 23, "web": 7, "paper": 11}
            assert await new.store.code_counts(1) == (9, 7)
            for code in ("test-poll", "second-poll"):
                mine = await old.services.reports.results(code, 0)
                theirs = await new.services.reports.results(code, 0)
                assert mine.tables == theirs.tables and mine.turnout == theirs.turnout
                assert sorted(mine.texts, key=repr) == sorted(theirs.texts, key=repr)
            assert await new.services.subscriptions.count() == 1
            assert [w.name for w in await new.services.staff.workers()] == ["Alex"]
            checks = await compare_polls(old.store, new.store, old.services.catalog)
            assert sorted((c.code, c.ballots, c.same) for c in checks) == [
                ("second-poll", 0, True),
                ("test-poll", 41, True),
            ]
        finally:
            await old.close()
            await new.close()

    asyncio.run(tallies())


def test_copy_to_postgresql_and_back_keeps_every_count(
    source: Path, tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """SQLite -> PostgreSQL (moving up), then PostgreSQL -> a new SQLite file (going back to
    one process): the same tallies per channel, the same workers and subscribers."""
    key = Path(f"{source}.key")
    assert main(["db", "copy", "--to", pg_url]) == 0
    assert "every poll's counts match" in capsys.readouterr().out
    back = tmp_path / "back.db"

    async def check(settings: Settings) -> None:
        old = await open_runtime(Settings(db=source, _env_file=None))  # type: ignore[call-arg]
        new = await open_runtime(settings)
        try:
            assert await new.store.ballots_by_channel(1) == {"telegram": 23, "web": 7, "paper": 11}
            for code in ("test-poll", "second-poll"):
                mine = await old.services.reports.results(code, 0)
                theirs = await new.services.reports.results(code, 0)
                assert mine.tables == theirs.tables and mine.turnout == theirs.turnout
                assert sorted(mine.texts, key=repr) == sorted(theirs.texts, key=repr)
            assert [w.name for w in await new.services.staff.workers()] == ["Alex"]
            assert await new.services.subscriptions.count() == 1
            # a poll made after the copy gets a new id (the sequence moved past the copied)
            other = SIMPLE_POLL.replace("code: test-poll", "code: third-poll")
            made = await new.services.polls.create(new.services.polls.parse(other, "t.yaml"))
            assert made == 3
        finally:
            await old.close()
            await new.close()

    on_pg = Settings(database_url=pg_url, key_file=key, _env_file=None)  # type: ignore[call-arg]
    asyncio.run(check(on_pg))

    async def back_to_sqlite() -> int:
        rt = await open_runtime(on_pg)
        try:
            target = make_store(str(back))
            await target.open()
            try:
                await target.load(rt.store.dump())
                checks = await compare_polls(rt.store, target, rt.services.catalog)
                return sum(c.same for c in checks)
            finally:
                await target.close()
        finally:
            await rt.close()

    assert asyncio.run(back_to_sqlite()) == 3
    assert _rows(back)["ballots"] == 41


def test_a_database_that_is_not_empty_is_refused_and_left_as_it_was(
    source: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "busy.db"
    assert main(["db", "copy", "--to", str(target)]) == 0
    capsys.readouterr()
    before = _rows(target)
    assert main(["db", "copy", "--to", str(target)]) == 1
    err = capsys.readouterr().err
    assert "not empty" in err and "ballots" in err
    assert _rows(target) == before


def test_the_dump_gives_ballots_in_the_order_of_their_random_ids(source: Path) -> None:
    async def go() -> list[str]:
        store = make_store(str(source))
        await store.open()
        try:
            ids: list[str] = []
            async for table, columns, rows in store.dump():
                if table == "ballots":
                    ids += [r[columns.index("id")] for r in rows]
            return ids
        finally:
            await store.close()

    ids = asyncio.run(go())
    assert len(ids) == 41 and ids == sorted(ids) and len(set(ids)) == 41


def test_every_table_is_copied(tmp_path: Path) -> None:
    """A new table must be added to COPY_TABLES, or `db copy` would silently leave it behind."""

    async def go() -> set[str]:
        store = make_store(str(tmp_path / "t.db"))
        await store.open()
        await store.close()
        with sqlite3.connect(tmp_path / "t.db") as conn:
            return {
                r[0]
                for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                if not r[0].startswith("sqlite_")
            }

    assert asyncio.run(go()) - {"schema_migrations"} == {t for t, _ in COPY_TABLES}


def test_load_is_all_or_nothing(tmp_path: Path) -> None:
    async def go() -> int:
        store = make_store(str(tmp_path / "t.db"))
        await store.open()
        try:

            async def broken():  # type: ignore[no-untyped-def]
                yield (
                    "polls",
                    ("id", "code", "title", "definition", "created_at"),
                    [(1, "a", "A", "{}", 0)],
                )
                yield "nonsense", ("x",), [(1,)]

            with pytest.raises(StorageError):
                await store.load(broken())
            polls = await store.list_polls()
            return len(polls)
        finally:
            await store.close()

    assert asyncio.run(go()) == 0
