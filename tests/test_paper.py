"""Paper ballots: both layouts, every row checked, all or nothing, each file once (on SQLite
and on PostgreSQL: conftest's ``database_url``, except what is about SQLite's staging file)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from conftest import SIMPLE_POLL

from bot.cli import main
from bot.settings import Settings
from tests import stored


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str | None) -> Path:
    """A folder with the test poll open in markbot's database (MARKBOT_* as the CLI reads
    them: p.db there, or this run's PostgreSQL database)."""
    for name in ("TOKEN", "API_URL", "DB", "DATABASE_URL", "KEY_FILE", "ADMINS", "MIN_CELL"):
        monkeypatch.delenv(f"MARKBOT_{name}", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MARKBOT_DB", str(tmp_path / "p.db"))
    monkeypatch.setenv("MARKBOT_KEY_FILE", str(tmp_path / "secret" / "markbot.key"))
    if database_url:
        monkeypatch.setenv("MARKBOT_DATABASE_URL", database_url)
    (tmp_path / "poll.yaml").write_text(SIMPLE_POLL, encoding="utf-8")
    assert main(["poll", "create", "poll.yaml", "--open"]) == 0
    return tmp_path


def _settings() -> Settings:
    """The settings the CLI runs with (env's MARKBOT_*)."""
    return Settings(_env_file=None)  # type: ignore[call-arg]


def rows(table: str, *columns: str) -> list[tuple[Any, ...]]:
    """The table's rows (tests/stored.py), read from outside an event loop."""
    return asyncio.run(stored.rows(_settings(), table, *columns))


def count(table: str, column: str = "", *values: object) -> int:
    """How many rows the table holds (whose ``column`` is one of ``values``, if named)."""
    if not column:
        return len(rows(table))
    return sum(v in values for (v,) in rows(table, column))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_one_row_per_ballot(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (env / "paper.csv").write_text(
        "age,area,priority,why\n"
        "13-15,North,Climate,Floods near school\n"
        "16-18,south,transport,\n"
        "10-12,Prefer not to say,Mental health,call me on 07700 900123\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    code, out, _ = run(capsys, "paper", "add", "test-poll", "paper.csv")
    assert code == 0 and "added 3 paper ballots" in out
    assert count("ballots", "channel", "paper") == 3
    assert count("voters") == 0  # paper ballots have no online voter
    assert not [b for (b,) in rows("text_answers", "body") if "07700" in b]
    code, _, err = run(capsys, "paper", "add", "test-poll", "paper.csv")
    assert code == 1 and "already imported" in err
    assert count("ballots") == 3


def test_aggregated_counts(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (env / "counts.csv").write_text(
        "option,area,count\nClimate,North,40\nJobs,South,12\nTransport,,3\n", encoding="utf-8"
    )
    capsys.readouterr()
    code, out, _ = run(capsys, "paper", "add", "test-poll", "counts.csv")
    assert code == 0 and "added 55 paper ballots" in out
    assert count("answers", "option", "climate") == 40
    assert count("answers", "question", "area") == 52
    code, _, _ = run(capsys, "export", "test-poll", "--min-cell", "0", "--out", "x.csv")
    lines = (env / "x.csv").read_text().splitlines()
    assert "test-poll,priority,Climate,,,40,0.7273" in lines


def test_a_bad_file_is_refused_whole(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (env / "bad.csv").write_text(
        "age,area,priority\n"
        "13-15,North,Climate\n"
        "Over 25,North,Climate\n"
        "13-15,Narnia,Climate\n"
        "13-15,North\n"
        "13-15,,Jobs\n",
        encoding="utf-8",
    )
    capsys.readouterr()
    code, _, err = run(capsys, "paper", "add", "test-poll", "bad.csv")
    assert code == 1
    assert "nothing was added" in err
    assert "line 3: age: 'Over 25' is outside who this poll is for" in err
    assert "line 4: area: 'Narnia' is not one of its options" in err
    assert "line 5: 2 cells, but the header has 3" in err
    assert "line 6: area is empty, but it is not optional" in err
    assert count("ballots") == 0


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty"),
        (b"colour,size\nred,big\n", "unknown column"),
        (b"option,count\nClimate,lots\n", "not a whole number"),
        (b"option,count\nClimate,-4\n", "not a whole number"),
        (b"option,count\nClimate,1_000\n", "not a whole number"),
        ("option,count\nClimate,\u0663\n".encode(), "not a whole number"),  # an Arabic-Indic 3
        (b"\xff\xfe\x00bad", "UTF-8"),
        (b"age,area,priority\n", "no ballots"),
        (b"priority,priority\nJobs,Climate\n", "more than once"),
        # no column at all for a required question (as an empty required cell is refused)
        (b"area,priority\nnorth,Jobs\n", "no column for ['age']"),
        # a typed answer longer than the question allows: refused as online, never cut short
        (b"age,area,priority,why\n13-15,North,Jobs," + b"x" * 5000 + b"\n", "5,000 characters"),
    ],
)
def test_paper_file_errors(
    env: Path, capsys: pytest.CaptureFixture[str], content: bytes, needle: str
) -> None:
    (env / "f.csv").write_bytes(content)
    capsys.readouterr()
    code, _, err = run(capsys, "paper", "add", "test-poll", "f.csv")
    assert code == 1 and needle in err and "Traceback" not in err


def test_online_paper_and_combined(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from bot.app import open_runtime
    from storage.records import NewBallot

    async def online() -> None:
        rt = await open_runtime(_settings())
        try:
            row = await rt.store.get_poll("test-poll")
            assert row is not None
            for i in range(7):
                await rt.store.cast_ballot(
                    NewBallot(
                        row.id,
                        "2026-11-25",
                        choices=(("age", "13-15", None), ("priority", "jobs", None)),
                    ),
                    bytes([i]) * 16,
                    None,
                    1_790_000_000,
                )
        finally:
            await rt.close()

    asyncio.run(online())
    (env / "c.csv").write_text("option,count\nClimate,9\n", encoding="utf-8")
    assert run(capsys, "paper", "add", "test-poll", "c.csv")[0] == 0

    async def results() -> None:
        rt = await open_runtime(_settings())
        try:
            res = await rt.services.reports.results("test-poll", 0)
        finally:
            await rt.close()
        overall = {
            t.channel: {c.option: c.count for c in t.cells}
            for t in res.tables
            if t.question == "priority" and t.dimension in ("", "channel")
        }
        assert overall["all"]["jobs"] == 7 and overall["all"]["climate"] == 9
        assert overall["telegram"]["jobs"] == 7 and overall["telegram"]["climate"] == 0
        assert overall["paper"]["climate"] == 9 and overall["paper"]["jobs"] == 0
        assert sum(n for _, n in res.turnout.by_day) == 16
        age = {r.group: r.ballots for r in res.turnout.by_group if r.dimension == "age"}
        assert age == {"10-12": 0, "13-15": 7, "16-18": 0, "19-25": 0, "prefer-not-to-say": 0}

    asyncio.run(results())


async def _runtime(env: Path):  # type: ignore[no-untyped-def]
    from bot.app import open_runtime

    return await open_runtime(_settings())


def _tally(env: Path) -> list[tuple[object, ...]]:
    db = sqlite3.connect(env / "p.db")
    try:
        return db.execute(
            "SELECT question, grp, option, count(*), sum(lead) FROM answers"
            " GROUP BY question, grp, option ORDER BY 1, 2, 3"
        ).fetchall()
    finally:
        db.close()


def _index_sql(path: Path) -> str:
    db = sqlite3.connect(path)
    try:
        return str(
            db.execute("SELECT sql FROM sqlite_master WHERE name = 'answers_tally'").fetchone()[0]
        )
    finally:
        db.close()


ROWS = ("13-15,North,Climate,\n", "16-18,South,Jobs,\n", "10-12,Prefer not to say,Transport,\n")


def test_a_big_file_is_streamed_not_held(env: Path) -> None:
    """20,000 ballots: the Python objects alive at once stay under 6 MB whatever the size of
    the file (about 2.5 MB: one batch); the old import built every ballot first (11 MB here,
    growing with the file)."""
    import tracemalloc

    n = 20_001
    (env / "big.csv").write_text(
        "age,area,priority,why\n" + "".join(ROWS[i % 3] for i in range(n)), encoding="utf-8"
    )

    async def add() -> int:
        rt = await _runtime(env)
        try:
            data = (env / "big.csv").read_bytes()  # as an upload arrives (a path streams too)
            tracemalloc.start()
            added = await rt.services.paper.add("test-poll", data, "big.csv")
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        finally:
            await rt.close()
        assert peak < 6 * 2**20, f"peak {peak / 2**20:.1f} MB of Python objects"
        return added

    assert asyncio.run(add()) == n
    assert count("ballots", "channel", "paper") == n
    assert count("answers", "option", "jobs") == n // 3
    assert not list(env.glob(".markbot-paper-*"))  # the staging file is gone


@pytest.mark.sqlite_only("SQLite's tally index, dropped and rebuilt by a large import")
def test_rebuilt_and_updated_index_give_the_same_tally(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large import rebuilds the tally index in its transaction, a small one updates it: the
    stored answers, and the index definition, must come out the same either way."""
    import storage.sqlite

    fresh = _index_sql(env / "p.db")
    (env / "a.csv").write_text("age,area,priority,why\n" + "".join(ROWS * 5), encoding="utf-8")
    (env / "b.csv").write_text("age,area,priority,why\n" + "".join(ROWS * 4), encoding="utf-8")
    tallies = []
    for ratio in (1_000_000, 0):  # always rebuild, then never
        monkeypatch.setattr(storage.sqlite, "REBUILD_RATIO", ratio)
        for name in ("a.csv", "b.csv"):

            async def add(name: str = name) -> int:
                rt = await _runtime(env)
                try:
                    return await rt.services.paper.add("test-poll", env / name, name)
                finally:
                    await rt.close()

            asyncio.run(add())
        tallies.append(_tally(env))
        assert _index_sql(env / "p.db") == fresh
        db = sqlite3.connect(env / "p.db")
        plan = " ".join(
            str(r[-1])
            for r in db.execute(
                "EXPLAIN QUERY PLAN SELECT question, grp, option, rank, count(*), sum(lead)"
                " FROM answers WHERE poll_id = 1 GROUP BY question, grp, option, rank"
            )
        )
        db.execute("DELETE FROM answers")
        db.execute("DELETE FROM ballots")
        db.execute("DELETE FROM paper_imports")
        db.commit()
        db.close()
        assert "COVERING INDEX answers_tally" in plan
    assert tallies[0] == tallies[1] and sum(int(str(r[3])) for r in tallies[0]) == 27 * 3


@pytest.mark.sqlite_only("a failure after SQLite's tally index was dropped for a rebuild")
def test_a_failure_after_the_index_is_dropped_undoes_everything(env: Path) -> None:
    """All or nothing even half way through the move: two staged ballots get the same id, the
    insert fails after the index was dropped for a rebuild, and the database is as before."""
    import storage.sqlite

    fresh = _index_sql(env / "p.db")
    (env / "a.csv").write_text("age,area,priority,why\n" + "".join(ROWS), encoding="utf-8")

    async def add() -> int:
        rt = await _runtime(env)
        try:
            return await rt.services.paper.add("test-poll", env / "a.csv", "a.csv")
        finally:
            await rt.close()

    with pytest.MonkeyPatch.context() as same_ids:  # env's MARKBOT_* stay after it
        same_ids.setattr(storage.sqlite.secrets, "token_bytes", lambda n: bytes(n))
        with pytest.raises(sqlite3.IntegrityError):
            asyncio.run(add())
    assert count("ballots") == 0
    assert count("paper_imports") == 0
    assert _index_sql(env / "p.db") == fresh
    assert not list(env.glob(".markbot-paper-*"))
    assert asyncio.run(add()) == 3  # not "already imported": the failed attempt left no trace


def test_an_import_stores_what_a_cast_ballot_stores(
    env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import stages each ballot as one row (its answers a list of numbered choices) that
    SQLite expands as it moves them in, reading the staging file in id order with no sort of
    its own (PostgreSQL stages in temporary tables). The rows that land must be exactly those
    cast_ballot writes for the same ballots: ranks, several answers to one question, the lead
    on the first of each, groups, texts."""
    import storage.sqlite
    from storage.records import NewBallot

    def shapes(day: str) -> Counter[tuple[object, ...]]:
        """Each ballot of a day as (its answers, its texts) without its id, counted."""
        tables = asyncio.run(stored.tables(_settings()))
        answer = ("question", "option", "rank", "grp", "lead", "poll_id")
        text = ("question", "body", "lang", "lang_conf", "flagged", "themes", "review", "poll_id")

        def of(table: str, ballot: object, columns: tuple[str, ...]) -> tuple[object, ...]:
            found = [r for r in tables.get(table, []) if r["ballot_id"] == ballot]
            return tuple(sorted(tuple(r[c] for c in columns) for r in found))

        return Counter(
            (of("answers", b["id"], answer), of("text_answers", b["id"], text))
            for b in tables["ballots"]
            if b["cast_on"] == day
        )

    def ballots(poll_id: int, day: str) -> list[NewBallot]:
        ranked = (("top", "b", 1), ("top", "a", 2), ("top", "c", 3))
        return [
            NewBallot(poll_id, day, "paper", choices=ranked, groups="age=13-15&channel=paper"),
            NewBallot(
                poll_id,
                day,
                "paper",
                choices=(("age", "13-15", None), ("issues", "y", None), ("issues", "x", None)),
                texts=(("why", "buses"), ("also", "parks", "en", 0.9, True, "transport", True)),
                groups="age=13-15&channel=paper",
            ),
            NewBallot(poll_id, day, "paper", choices=ranked[:1], groups="channel=paper"),
            NewBallot(poll_id, day, "paper"),  # nothing answered
            NewBallot(poll_id, day, "paper", choices=ranked, groups="age=13-15&channel=paper"),
        ]

    publish = storage.sqlite._publish_paper
    seen: dict[str, object] = {}

    def watched(conn: sqlite3.Connection, staging: Path, *args: object) -> int:
        look = sqlite3.connect(env / "p.db")
        try:
            look.execute("ATTACH DATABASE ? AS paper_staging", (str(staging),))
            seen["tables"] = sorted(
                r[0] for r in look.execute("SELECT name FROM paper_staging.sqlite_master")
            )
            seen["rows"] = look.execute("SELECT count(*) FROM paper_staging.b").fetchone()[0]
            seen["plan"] = [
                str(r[-1])
                for sql in (storage.sqlite._PUBLISH_BALLOTS, storage.sqlite._PUBLISH_ANSWERS)
                for r in look.execute("EXPLAIN QUERY PLAN " + sql, (1,))
            ]
        finally:
            look.close()
        return publish(conn, staging, *args)  # type: ignore[arg-type]

    on_sqlite = not _settings().on_postgres
    if on_sqlite:
        monkeypatch.setattr(storage.sqlite, "_publish_paper", watched)

    async def both() -> int:
        rt = await _runtime(env)
        try:
            row = await rt.store.get_poll("test-poll")
            assert row is not None
            for ballot in ballots(row.id, "2026-11-01"):
                await rt.store.cast_ballot(ballot, None, None, 1_790_000_000)
            return await rt.store.import_paper(
                row.id, "d" * 64, "x.csv", iter(ballots(row.id, "2026-11-02")), "2026-11-02"
            )
        finally:
            await rt.close()

    assert asyncio.run(both()) == 5
    online, paper = shapes("2026-11-01"), shapes("2026-11-02")
    assert sum(online.values()) == 5 and online == paper
    if not on_sqlite:
        return
    assert seen["rows"] == 5 and seen["tables"] == ["b", "b_by_id", "c", "g", "t"]
    assert seen["plan"] and not [p for p in seen["plan"] if "TEMP B-TREE" in p], seen["plan"]


def test_groups_follow_the_breakdown_cells_however_written() -> None:
    """Groups are remembered per distinct set of breakdown cells: the same answers written in
    another case or with spaces, or beside another non-breakdown answer, give the same group;
    other answers give their own."""
    from services.paper import stream_paper
    from services.pollfile import parse_poll

    poll = parse_poll(SIMPLE_POLL, "poll.yaml", {"en": "Prefer not to say"})
    data = (
        b"priority,area,age\n"
        b"Climate,North,13-15\n"
        b"jobs, north ,13-15\n"
        b"Climate,South,16-18\n"
        b"Climate,Prefer not to say,16-18\n"
    )
    groups = [b.groups for b in stream_paper(data, poll, 1, "2026-12-01")]
    assert groups == [
        "age=13-15&area=north&channel=paper",
        "age=13-15&area=north&channel=paper",
        "age=16-18&area=south&channel=paper",
        "age=16-18&area=prefer-not-to-say&channel=paper",
    ]


@pytest.mark.parametrize(
    "header",
    [
        b"Age,AREA,Priority,Why",  # as a spreadsheet capitalises them
        b" age , Area ,priority, WHY ",  # spaces around the names
        b"\xef\xbb\xbfAge,Area,Priority,Why",  # Excel's "CSV UTF-8" starts with a BOM
        b"\xef\xbb\xbf\xef\xbb\xbf Age,Area,Priority,Why",  # re-saved: a second BOM, a space
    ],
)
def test_ballot_headers_match_ignoring_case_spaces_and_bom(header: bytes) -> None:
    """A header is the question's id however a spreadsheet wrote it: refusing "Age" for "age"
    only sends the worker back to retype it."""
    from services.paper import stream_paper
    from services.pollfile import parse_poll

    poll = parse_poll(SIMPLE_POLL, "poll.yaml", {"en": "Prefer not to say"})
    data = header + b"\n13-15,North,Climate,Floods\n16-18,South,Jobs,\n"
    ballots = list(stream_paper(data, poll, 1, "2026-12-01"))
    assert [b.choices for b in ballots] == [
        (("age", "13-15", None), ("area", "north", None), ("priority", "climate", None)),
        (("age", "16-18", None), ("area", "south", None), ("priority", "jobs", None)),
    ]
    assert [len(b.texts) for b in ballots] == [1, 0]


def test_counts_headers_match_ignoring_case_spaces_and_bom() -> None:
    """The aggregated layout's names too, breakdown columns included."""
    from services.paper import stream_paper
    from services.pollfile import parse_poll

    poll = parse_poll(SIMPLE_POLL, "poll.yaml", {"en": "Prefer not to say"})
    data = b"\xef\xbb\xbf\xef\xbb\xbf Option , AREA,Count\nClimate,North,2\n"
    ballots = list(stream_paper(data, poll, 1, "2026-12-01"))
    assert [b.groups for b in ballots] == ["area=north&channel=paper"] * 2


def test_an_unknown_header_is_named_as_written() -> None:
    """The refusal still names the column as the file spells it."""
    from services.paper import PaperFileError, stream_paper
    from services.pollfile import parse_poll

    poll = parse_poll(SIMPLE_POLL, "poll.yaml", {"en": "Prefer not to say"})
    with pytest.raises(PaperFileError) as caught:
        list(stream_paper(b"Age,Area,Priority,Colour\n13-15,North,Jobs,red\n", poll, 1, "x"))
    assert "unknown column(s) ['Colour']" in caught.value.problems[0]
