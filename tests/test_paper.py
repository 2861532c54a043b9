"""Paper ballots: both layouts, every row checked, all or nothing, each file once."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import SIMPLE_POLL

from bot.cli import main


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("TOKEN", "API_URL", "DB", "KEY_FILE", "ADMINS", "MIN_CELL"):
        monkeypatch.delenv(f"MARKBOT_{name}", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MARKBOT_DB", str(tmp_path / "p.db"))
    (tmp_path / "poll.yaml").write_text(SIMPLE_POLL, encoding="utf-8")
    assert main(["poll", "create", "poll.yaml", "--open"]) == 0
    return tmp_path


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def count(env: Path, sql: str) -> int:
    db = sqlite3.connect(env / "p.db")
    try:
        return int(db.execute(sql).fetchone()[0])
    finally:
        db.close()


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
    assert count(env, "SELECT count(*) FROM ballots WHERE channel = 'paper'") == 3
    assert count(env, "SELECT count(*) FROM voters") == 0  # paper ballots have no online voter
    assert count(env, "SELECT count(*) FROM text_answers WHERE body LIKE '%07700%'") == 0
    code, _, err = run(capsys, "paper", "add", "test-poll", "paper.csv")
    assert code == 1 and "already imported" in err
    assert count(env, "SELECT count(*) FROM ballots") == 3


def test_aggregated_counts(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (env / "counts.csv").write_text(
        "option,area,count\nClimate,North,40\nJobs,South,12\nTransport,,3\n", encoding="utf-8"
    )
    capsys.readouterr()
    code, out, _ = run(capsys, "paper", "add", "test-poll", "counts.csv")
    assert code == 0 and "added 55 paper ballots" in out
    assert count(env, "SELECT count(*) FROM answers WHERE option = 'climate'") == 40
    assert count(env, "SELECT count(*) FROM answers WHERE question = 'area'") == 52
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
    assert count(env, "SELECT count(*) FROM ballots") == 0


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "empty"),
        (b"colour,size\nred,big\n", "unknown column"),
        (b"option,count\nClimate,lots\n", "not a whole number"),
        (b"option,count\nClimate,-4\n", "between 0"),
        (b"\xff\xfe\x00bad", "UTF-8"),
        (b"age,area,priority\n", "no ballots"),
        (b"priority,priority\nJobs,Climate\n", "more than once"),
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
    import asyncio

    from bot.app import open_runtime
    from bot.settings import Settings
    from storage.records import NewBallot

    async def online() -> None:
        rt = await open_runtime(Settings(db=env / "p.db", _env_file=None))  # type: ignore[call-arg]
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
        rt = await open_runtime(Settings(db=env / "p.db", _env_file=None))  # type: ignore[call-arg]
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
