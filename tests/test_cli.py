"""The command line: poll lifecycle, the CSV export with literal expected output, errors
(on SQLite and on PostgreSQL: conftest's ``database_url`` as MARKBOT_DATABASE_URL)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path
from typing import Any

import pypdfium2
import pytest
from conftest import SIMPLE_POLL

from bot.app import open_runtime
from bot.cli import main
from bot.settings import Settings
from storage.records import NewBallot
from tests import stored


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str | None) -> Path:
    """A folder with a poll file, and MARKBOT_* for this run's database (cli.db there, or
    PostgreSQL with the key file where SQLite's default would be)."""
    for name in ("TOKEN", "API_URL", "DB", "DATABASE_URL", "KEY_FILE", "ADMINS", "MIN_CELL"):
        monkeypatch.delenv(f"MARKBOT_{name}", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MARKBOT_DB", str(tmp_path / "cli.db"))
    if database_url:
        monkeypatch.setenv("MARKBOT_DATABASE_URL", database_url)
        monkeypatch.setenv("MARKBOT_KEY_FILE", str(tmp_path / "cli.db.key"))
    (tmp_path / "poll.yaml").write_text(SIMPLE_POLL, encoding="utf-8")
    return tmp_path


def _settings() -> Settings:
    """The settings the CLI runs with (env's MARKBOT_*)."""
    return Settings(_env_file=None)  # type: ignore[call-arg]


def rows(table: str, *columns: str) -> list[tuple[Any, ...]]:
    """The table's rows (tests/stored.py), read from outside an event loop."""
    return asyncio.run(stored.rows(_settings(), table, *columns))


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _cast(
    ballots: list[tuple[str, str, str]],
    day: str = "2026-11-25",
    why: str | None = None,
    voter: bytes | None = None,
) -> None:
    """Cast (age, area, priority) ballots straight into the store, as paper ballots would be
    (on ``day``, with ``why`` as the open answer and ``voter`` registered, if given)."""

    async def go() -> None:
        rt = await open_runtime(_settings())
        try:
            row = await rt.store.get_poll("test-poll")
            assert row is not None
            for age, area, priority in ballots:
                await rt.store.cast_ballot(
                    NewBallot(
                        row.id,
                        day,
                        choices=(
                            ("age", age, None),
                            ("area", area, None),
                            ("priority", priority, None),
                        ),
                        texts=(("why", why),) if why else (),
                        groups=f"age={age}&area={area}",
                    ),
                    voter,
                    None,
                    1_790_000_000,
                )
        finally:
            await rt.close()

    asyncio.run(go())


def test_poll_lifecycle(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "poll", "create", "poll.yaml")
    assert code == 0 and "created poll test-poll" in out and "draft" in out
    assert (env / "cli.db.key").exists()
    assert (env / "cli.db.key").stat().st_mode & 0o777 == 0o600
    code, out, _ = run(capsys, "poll", "list")
    assert out.splitlines()[1].split()[:3] == ["test-poll", "draft", "0"]
    assert run(capsys, "poll", "open", "test-poll")[0] == 0
    assert run(capsys, "poll", "list")[1].splitlines()[1].split()[:2] == ["test-poll", "open"]
    assert run(capsys, "poll", "close", "TEST-POLL")[0] == 0
    assert run(capsys, "poll", "list")[1].splitlines()[1].split()[:2] == ["test-poll", "closed"]


def test_create_from_template_with_code(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "poll", "create", "somerset-cypp", "--code", "sc-2026", "--open")
    assert code == 0 and "sc-2026" in out
    code, _, err = run(capsys, "poll", "create", "somerset-cypp", "--code", "sc-2026")
    assert code == 1 and err.startswith("markbot: a poll with code 'sc-2026' already exists")


def test_errors_are_one_line(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "poll", "open", "nope")
    assert code == 1 and err == "markbot: no poll with code 'nope' (see 'markbot poll list')\n"
    code, _, err = run(capsys, "export", "nope")
    assert code == 1 and err.count("\n") == 1
    code, _, err = run(capsys, "poll", "create", "missing.yaml")
    assert code == 1 and "no such file or template" in err
    run(capsys, "poll", "create", "poll.yaml")
    code, _, err = run(capsys, "export", "test-poll", "--out", "/nonexistent/dir/x.csv")
    assert code == 1 and err.startswith("markbot: cannot write /nonexistent/dir/x.csv")


def test_bad_poll_file_lists_problems(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (env / "bad.yaml").write_text(SIMPLE_POLL.replace("kind: text", "kind: essay"))
    code, _, err = run(capsys, "poll", "create", "bad.yaml")
    assert code == 1
    assert "bad.yaml is not a valid poll file" in err and "line 22" in err and "kind" in err
    assert "Traceback" not in err


def test_export_csv_literal(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "poll", "create", "poll.yaml", "--open")
    ballots = (
        [("13-15", "north", "climate")] * 6
        + [("16-18", "north", "transport")] * 2
        + [("16-18", "south", "climate")] * 5
        + [("10-12", "prefer-not-to-say", "jobs")]
    )
    _cast(ballots)
    code, out, _ = run(capsys, "export", "test-poll", "--min-cell", "0", "--out", "all.csv")
    assert code == 0 and out == "wrote all.csv\n"
    lines = (env / "all.csv").read_text().splitlines()
    assert lines[0] == "poll,question,option,dimension,group,count,share"
    priority = [line for line in lines if ",priority," in line]
    assert priority == [
        "test-poll,priority,Climate,,,11,0.7857",
        "test-poll,priority,Transport,,,2,0.1429",
        "test-poll,priority,Jobs,,,1,0.0714",
        "test-poll,priority,Mental health,,,0,0.0000",
        "test-poll,priority,Jobs,age,10-12,1,1.0000",
        "test-poll,priority,Mental health,age,10-12,0,0.0000",
        "test-poll,priority,Transport,age,10-12,0,0.0000",
        "test-poll,priority,Climate,age,10-12,0,0.0000",
        "test-poll,priority,Climate,age,13-15,6,1.0000",
        "test-poll,priority,Mental health,age,13-15,0,0.0000",
        "test-poll,priority,Transport,age,13-15,0,0.0000",
        "test-poll,priority,Jobs,age,13-15,0,0.0000",
        "test-poll,priority,Climate,age,16-18,5,0.7143",
        "test-poll,priority,Transport,age,16-18,2,0.2857",
        "test-poll,priority,Mental health,age,16-18,0,0.0000",
        "test-poll,priority,Jobs,age,16-18,0,0.0000",
        # groups no one is in have their tables like any other (with suppression, withheld)
        "test-poll,priority,Mental health,age,19-25,0,0.0000",
        "test-poll,priority,Transport,age,19-25,0,0.0000",
        "test-poll,priority,Climate,age,19-25,0,0.0000",
        "test-poll,priority,Jobs,age,19-25,0,0.0000",
        "test-poll,priority,Mental health,age,Prefer not to say,0,0.0000",
        "test-poll,priority,Transport,age,Prefer not to say,0,0.0000",
        "test-poll,priority,Climate,age,Prefer not to say,0,0.0000",
        "test-poll,priority,Jobs,age,Prefer not to say,0,0.0000",
        "test-poll,priority,Climate,area,North,6,0.7500",
        "test-poll,priority,Transport,area,North,2,0.2500",
        "test-poll,priority,Mental health,area,North,0,0.0000",
        "test-poll,priority,Jobs,area,North,0,0.0000",
        "test-poll,priority,Climate,area,South,5,1.0000",
        "test-poll,priority,Mental health,area,South,0,0.0000",
        "test-poll,priority,Transport,area,South,0,0.0000",
        "test-poll,priority,Jobs,area,South,0,0.0000",
        "test-poll,priority,Jobs,area,Prefer not to say,1,1.0000",
        "test-poll,priority,Mental health,area,Prefer not to say,0,0.0000",
        "test-poll,priority,Transport,area,Prefer not to say,0,0.0000",
        "test-poll,priority,Climate,area,Prefer not to say,0,0.0000",
    ]
    age = [line for line in lines if line.split(",")[1] == "age" and line.split(",")[3] == ""]
    assert age[0] == "test-poll,age,16-18,,,7,0.5000"
    assert not any("Under 10" in line or "Over 25" in line for line in lines)

    code, _, _ = run(capsys, "export", "test-poll")  # default threshold 5, default path
    suppressed = (env / "test-poll.csv").read_text().splitlines()
    assert "test-poll,priority,Climate,,,11,0.7857" in suppressed
    assert "test-poll,priority,Transport,,,<5," in suppressed
    assert "test-poll,priority,Climate,age,16-18,5,0.7143" in suppressed
    assert "test-poll,priority,Transport,age,16-18,<5," in suppressed
    assert "test-poll,priority,Jobs,area,Prefer not to say,<5," in suppressed


def test_demo_runs_offline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MARKBOT_TOKEN", raising=False)
    code, out, _ = run(capsys, "demo", "--voters", "12", "--out", str(tmp_path / "demo"))
    assert code == 0, out
    assert "ballots counted" in out
    csv_path = tmp_path / "demo" / "make-your-mark.csv"
    assert f"CSV (small numbers suppressed below 5): {csv_path}" in out
    assert csv_path.read_text().startswith("poll,question,option,dimension,group,count,share")


def test_campaign_export_combines_by_tag(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    north = SIMPLE_POLL.replace("code: test-poll", "code: north").replace(
        "options: [Mental health, Transport, Climate, Jobs]",
        "options: [{label: Mental health, tag: health}, {label: Buses, tag: transport}]",
    )
    south = SIMPLE_POLL.replace("code: test-poll", "code: south").replace(
        "options: [Mental health, Transport, Climate, Jobs]",
        "options: [{label: Feeling OK, tag: health}, {label: Trains, tag: transport}]",
    )
    (env / "n.yaml").write_text(north)
    (env / "s.yaml").write_text(south)
    for name in ("n.yaml", "s.yaml"):
        assert run(capsys, "poll", "create", name, "--open")[0] == 0
    (env / "n.csv").write_text("option,count\nMental health,6\nBuses,2\n")
    (env / "s.csv").write_text("option,count\nFeeling OK,1\nTrains,9\n")
    assert run(capsys, "paper", "add", "north", "n.csv")[0] == 0
    assert run(capsys, "paper", "add", "south", "s.csv")[0] == 0
    code, _out, _ = run(capsys, "export", "north", "south", "--min-cell", "0", "--out", "c.csv")
    assert code == 0
    rows = (env / "c.csv").read_text().splitlines()
    assert rows[1:] == [
        "campaign-north-south,campaign,transport,,,11,0.6111",
        "campaign-north-south,campaign,health,,,7,0.3889",
    ]


def test_purge(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    run(capsys, "poll", "create", "poll.yaml", "--open")
    (env / "p.csv").write_text("age,area,priority,why\n13-15,North,Jobs,new words\n")
    assert run(capsys, "paper", "add", "test-poll", "p.csv")[0] == 0
    code, _, err = run(capsys, "purge")
    assert code == 2 and "say what to purge" in err
    code, out, _ = run(capsys, "purge", "--text-older-than", "1")
    assert code == 0 and "deleted 0 free-text answers" in out
    # an old ballot with its words, and its voter in the register
    _cast([("13-15", "north", "jobs")], "2020-01-01", "old words", bytes(range(16)))
    code, out, _ = run(capsys, "purge", "--text-older-than", "30", "--voters-closed-days", "0")
    assert "deleted 1 free-text answers" in out and "dropped 0 voter-register" in out
    assert sorted(rows("text_answers", "body")) == [("",), ("new words",)]
    run(capsys, "poll", "close", "test-poll")
    import time

    time.sleep(1.1)
    code, out, _ = run(capsys, "purge", "--voters-closed-days", "0")
    assert "dropped 1 voter-register entries" in out
    code, out, _ = run(capsys, "export", "test-poll", "--min-cell", "0", "--out", "t.csv")
    assert "test-poll,priority,Jobs,,,2,1.0000" in (env / "t.csv").read_text()


def _raw_bytes(db: Path) -> bytes:
    """markbot.db, -wal and -shm as they are on disk."""
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*") if p.is_file())


def test_purge_zero_days_removes_todays_answers_from_every_byte(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ballots carry a date only, so "older than 0 days" must mean every answer up to now; on
    SQLite the words leave the file's every byte too, WAL included."""
    secret = "Quokkamarmalade whistles loudly"
    run(capsys, "poll", "create", "poll.yaml", "--open")
    lines = "".join(f"13-15,North,Jobs,{secret} {i}\n" for i in range(3))
    (env / "p.csv").write_text("age,area,priority,why\n" + lines)
    assert run(capsys, "paper", "add", "test-poll", "p.csv")[0] == 0
    settings = _settings()
    db = env / "cli.db"
    # On SQLite another connection stays open, as a running bot's would, so the -wal and -shm
    # files are still there to scan after the purge (the last connection to close would
    # remove them).
    watcher = None if settings.on_postgres else sqlite3.connect(db)
    if watcher:
        watcher.execute("PRAGMA schema_version").fetchone()  # it has read: the WAL is shared
    try:
        assert len(rows("text_answers", "body")) == 3
        assert asyncio.run(stored.found_anywhere(settings, "Quokkamarmalade"))  # seen before
        if watcher:
            assert secret.encode() in _raw_bytes(db)
        code, out, _ = run(capsys, "purge", "--text-older-than", "1")
        assert code == 0 and "deleted 0 free-text answers" in out  # today's stay with 1 day
        code, out, _ = run(capsys, "purge", "--text-older-than", "0")
        assert code == 0 and "deleted 3 free-text answers (every one up to now)" in out
        asyncio.run(stored.assert_nowhere(settings, "Quokkamarmalade"))
        if watcher:
            assert (env / "cli.db-wal").exists() and (env / "cli.db-shm").exists()
            raw = _raw_bytes(db)
            assert b"Quokkamarmalade" not in raw  # the file is UTF-8
            assert "Quokkamarmalade".encode("utf-16-le") not in raw
        bodies = rows("text_answers", "body")
    finally:
        if watcher:
            watcher.close()
    assert bodies == [("",)] * 3  # the answers' rows (and themes) stay, the words go
    code, out, _ = run(capsys, "export", "test-poll", "--min-cell", "0", "--out", "t.csv")
    assert "test-poll,priority,Jobs,,,3,1.0000" in (env / "t.csv").read_text()


def test_codes_write_a_printable_sheet_whose_codes_vote_once(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run(capsys, "poll", "create", "poll.yaml", "--open")[0] == 0
    code, _, err = run(capsys, "codes", "test-poll", "--count", "3")
    assert code == 2 and "MARKBOT_PUBLIC_URL" in err  # slips need the address people open
    monkeypatch.setenv("MARKBOT_PUBLIC_URL", "https://votes.example.gov.uk/")
    code, out, _ = run(
        capsys, "codes", "test-poll", "--count", "25", "--session", "Year 9, Hillside"
    )
    assert code == 0 and "25 voting codes" in out
    pdf = (env / "codes-test-poll-year-9-hillside.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
    assert len(pypdfium2.PdfDocument(pdf)) == 3  # 10 slips a page

    async def made() -> tuple[int, int]:
        rt = await open_runtime(_settings())
        try:
            row = await rt.store.get_poll("test-poll")
            assert row is not None
            return await rt.store.code_counts(row.id)
        finally:
            await rt.close()

    assert asyncio.run(made()) == (25, 0)
    code, _, err = run(capsys, "codes", "nope", "--count", "3")
    assert code == 1 and "no poll" in err
    code, _, err = run(capsys, "codes", "test-poll", "--count", "0")
    assert code == 2


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://markbot:Pa55/word@db.example/markbot",  # a "/" not percent-encoded
        "postgresql://markbot:Pa55word@db.example:54x2/markbot",
        "postgresql://markbot:Pa55word@db.example/markbot?sslmode=sometimes",
    ],
)
def test_a_malformed_postgresql_url_is_one_line_without_the_password(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    url: str,
) -> None:
    """A mistyped MARKBOT_DATABASE_URL (a bad port or option, a password with an unescaped
    character, which then reads as the port) gets one clear line, not a traceback, and no
    part of the password is printed."""
    for name in ("TOKEN", "API_URL", "DB", "DATABASE_URL", "KEY_FILE", "ADMINS", "MIN_CELL"):
        monkeypatch.delenv(f"MARKBOT_{name}", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MARKBOT_DATABASE_URL", url)
    monkeypatch.setenv("MARKBOT_KEY_FILE", str(tmp_path / "markbot.key"))
    code, _out, err = run(capsys, "poll", "list")
    assert code == 1
    assert err.count("\n") == 1 and "MARKBOT_DATABASE_URL" in err
    assert "Pa55" not in err


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "png"])
def test_an_export_that_fails_keeps_the_file_it_would_replace(
    env: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    """The disk fills half-way through an export over last week's file: the renderer wrote
    into the file itself, so the officer was left with neither (a truncated file where the
    good one was). Now the export goes to a new file beside it, put in place when whole."""
    from services import exports

    run(capsys, "poll", "create", "poll.yaml", "--open")
    _cast([("13-15", "north", "climate")] * 6)
    out = f"results.{fmt}"
    assert run(capsys, "export", "test-poll", "--format", fmt, "--out", out)[0] == 0
    before = (env / out).read_bytes()
    suffix, render = exports.RENDERERS[fmt]

    def half_then_full(results: Any, path: Path, lang: str = "en") -> None:
        render(results, path, lang)
        with path.open("r+b") as fh:
            fh.truncate(len(fh.read()) // 2)
        raise OSError(28, "No space left on device")

    with pytest.MonkeyPatch.context() as mp:
        mp.setitem(exports.RENDERERS, fmt, (suffix, half_then_full))
        code, _, err = run(capsys, "export", "test-poll", "--format", fmt, "--out", out)
    assert (code, err) == (1, f"markbot: cannot write {out}: No space left on device\n")
    assert (env / out).read_bytes() == before
    assert sorted(p.name for p in env.iterdir() if p.name.startswith(("results", "."))) == [out]
    code, _, err = run(capsys, "export", "test-poll", "--format", fmt, "--out", "new/x")
    assert (code, err) == (1, "markbot: cannot write new/x: No such file or directory\n")


def test_codes_that_cannot_be_written_say_so_and_none_are_made_blindly(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`markbot codes --out` a missing folder made the codes, then failed writing their only
    copy with a FileNotFoundError traceback; a folder gave IsADirectoryError. Now the folder
    is checked before any code is made, a folder gets the sheet inside it, and a write that
    fails after the codes were made says they are on no sheet."""
    assert run(capsys, "poll", "create", "poll.yaml", "--open")[0] == 0
    monkeypatch.setenv("MARKBOT_PUBLIC_URL", "https://votes.example.gov.uk")

    async def made() -> int:
        rt = await open_runtime(_settings())
        try:
            row = await rt.store.get_poll("test-poll")
            assert row is not None
            return (await rt.store.code_counts(row.id))[0]
        finally:
            await rt.close()

    code, _, err = run(capsys, "codes", "test-poll", "--count", "3", "--out", "none/x.pdf")
    assert (code, err) == (
        1,
        "markbot: cannot write none/x.pdf: No such file or directory (no codes were made)\n",
    )
    assert asyncio.run(made()) == 0
    (env / "sheets").mkdir()
    code, out, _ = run(capsys, "codes", "test-poll", "--count", "3", "--out", "sheets")
    assert code == 0 and "written to sheets/codes-test-poll.pdf" in out
    assert (env / "sheets" / "codes-test-poll.pdf").read_bytes().startswith(b"%PDF")
    assert [p.name for p in (env / "sheets").iterdir()] == ["codes-test-poll.pdf"]
    if Path("/dev/full").exists():
        code, _, err = run(capsys, "codes", "test-poll", "--count", "2", "--out", "/dev/full")
        assert code == 1 and err.count("\n") == 1
        assert err.startswith("markbot: cannot write /dev/full: No space left on device.")
        assert "The 2 codes just made are on no sheet, so nobody can use them" in err
    assert not [p for p in env.iterdir() if p.name.endswith(".part")]


def test_a_dotenv_file_not_in_utf8_is_one_line(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A .env saved by a Windows editor in cp1252 (a contact page with "é") stopped every
    command with a UnicodeDecodeError traceback; now one line and exit 2, as for any setting."""
    (env / ".env").write_bytes(b"MARKBOT_WEB_CONTACT=https://example.org/caf\xe9\n")
    code, out, err = run(capsys, "poll", "list")
    assert (code, out) == (2, "")
    assert err == f"markbot: .env in {env} is not UTF-8 text: save it as UTF-8\n"
    (env / ".env").write_text("MARKBOT_WEB_CONTACT=https://example.org/café\n", "utf-8")
    assert run(capsys, "poll", "list")[0] == 0


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("fails", ["download", "page"])
def test_a_site_build_that_fails_leaves_the_published_site_as_it_was(
    env: Path, capsys: pytest.CaptureFixture[str], fails: str
) -> None:
    """The disk fills while the site is rebuilt in the folder the council publishes: the
    downloads were rewritten in place (one cut short) and each poll's pages deleted before
    the new ones were written, so a failed build left a broken site. Now the build is made
    beside it, in the folder, and put in place only when every file is written."""
    from services import exports

    run(capsys, "poll", "create", "poll.yaml", "--open")
    _cast([("13-15", "north", "climate")] * 6)
    assert run(capsys, "site", "test-poll", "--out", "site")[0] == 0
    before = _tree(env / "site")
    assert "en/test-poll/index.html" in before and "downloads/cy/test-poll.png" in before
    _cast([("16-18", "south", "transport")] * 6)  # the new build's figures differ
    suffix, render = exports.RENDERERS["png"]

    def half_then_full(results: Any, path: Path, lang: str = "en") -> None:
        render(results, path, lang)
        with path.open("r+b") as fh:
            fh.truncate(100)
        raise OSError(28, "No space left on device")

    def full(self: Path, *args: Any, **kwargs: Any) -> int:
        if self.name == "methodology.html":
            raise OSError(28, "No space left on device")
        return write_text(self, *args, **kwargs)

    write_text = Path.write_text
    with pytest.MonkeyPatch.context() as mp:
        if fails == "download":
            mp.setitem(exports.RENDERERS, "png", (suffix, half_then_full))
        else:
            mp.setattr(Path, "write_text", full)
        code, _, err = run(capsys, "site", "test-poll", "--out", "site")
    assert (code, err) == (1, "markbot: cannot write site: No space left on device\n")
    assert _tree(env / "site") == before
    assert [p.name for p in (env / "site").iterdir() if p.name.startswith(".")] == []
    assert run(capsys, "site", "test-poll", "--out", "site")[0] == 0
    after = _tree(env / "site")
    assert after.keys() == before.keys() and after != before


def test_numbers_too_big_for_a_date_or_the_machine_are_refused_in_one_line(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`purge --text-older-than 1000000` (or --voters-closed-days) overflowed the date with
    an OverflowError traceback; `demo --voters 99999999999` ran out of memory."""
    for option in ("--text-older-than", "--voters-closed-days"):
        for days in ("1000000", "99999999999", "-1"):
            code, out, err = run(capsys, "purge", option, days)
            assert (code, out) == (2, "")
            assert err == "markbot: DAYS must be between 0 and 36,500 (100 years)\n"
    assert run(capsys, "purge", "--text-older-than", "36500")[0] == 0
    code, _, err = run(capsys, "demo", "--voters", "99999999999")
    assert (code, err) == (2, "markbot: --voters must be between 1 and 10,000\n")


def test_a_poll_named_twice_is_refused_not_counted_twice(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`markbot export CODE CODE` summed the poll with itself (every count doubled, in a
    file that looked like any campaign's), and `markbot site CODE CODE` put it beside itself."""
    run(capsys, "poll", "create", "poll.yaml", "--open")
    _cast([("13-15", "north", "climate")] * 6)
    for args in (("export", "test-poll", "TEST-POLL"), ("site", "test-poll", "test-poll")):
        code, out, err = run(capsys, *args, "--out", "x")
        assert (code, out) == (1, "")
        assert err == "markbot: poll 'test-poll' is named twice; name each poll once\n"
    assert not (env / "x").exists()


def test_out_cannot_be_the_database_or_its_key(
    env: Path, capsys: pytest.CaptureFixture[str], database_url: str | None
) -> None:
    """`markbot export CODE --out cli.db` (a typo away) replaced the database, every vote in
    it, with a CSV; `--out cli.db.key` the key. Both are refused; nothing is touched."""
    run(capsys, "poll", "create", "poll.yaml", "--open")
    _cast([("13-15", "north", "climate")] * 6)
    targets = ["cli.db.key", str(env / "cli.db.key")]
    if database_url is None:
        targets += ["cli.db", "./cli.db", "cli.db-wal"]
    files = {p.name: p.read_bytes() for p in env.iterdir() if p.is_file()}
    for target in targets:
        for args in (("export", "test-poll"), ("codes", "test-poll", "--count", "2")):
            code, out, err = run(capsys, *args, "--out", target)
            assert (code, out) == (2, "")
            assert err == (
                f"markbot: --out {Path(target)} is markbot's own database or key file; write "
                "somewhere else\n"
            )
    assert {p.name: p.read_bytes() for p in env.iterdir() if p.is_file()} == files
    assert rows("ballots", "poll_id")  # the votes are all there


@pytest.mark.sqlite_only("checks a file: no database of either kind is opened")
def test_poll_check_needs_no_database(
    env: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`markbot poll check FILE` opened the database first: in a folder of its own it made a
    markbot.db and a key file there, and with MARKBOT_DB in a missing folder (or PostgreSQL
    unreachable) it could not check a file at all. It reads only the file now."""
    monkeypatch.delenv("MARKBOT_DATABASE_URL", raising=False)
    monkeypatch.setenv("MARKBOT_DB", str(env / "missing" / "markbot.db"))
    before = sorted(p.name for p in env.iterdir())
    code, out, err = run(capsys, "poll", "check", "poll.yaml")
    assert (code, out, err) == (0, "poll.yaml: OK (test-poll, 4 questions)\n", "")
    code, out, err = run(capsys, "poll", "check", "make-your-mark")
    assert (code, out) == (0, "make-your-mark: OK (make-your-mark, 4 questions)\n")
    (env / "bad.yaml").write_text("code: x\n", encoding="utf-8")
    code, _, err = run(capsys, "poll", "check", "bad.yaml")
    assert code == 1 and err.startswith("markbot: bad.yaml is not a valid poll file:\n")
    assert sorted(p.name for p in env.iterdir()) == sorted([*before, "bad.yaml"])


@pytest.mark.sqlite_only("SQLite's own staging file and single writer")
@pytest.mark.parametrize("step", ["_flush_staging", "_publish_paper"])
def test_paper_on_a_full_disk_is_one_line_and_adds_nothing(
    env: Path, capsys: pytest.CaptureFixture[str], step: str
) -> None:
    """The disk fills while paper ballots are staged beside the database, or moved in: the
    import stopped with a sqlite3.OperationalError traceback. Now one line; nothing added,
    no staging file left, and the same file goes in once there is room."""
    import storage.sqlite

    run(capsys, "poll", "create", "poll.yaml", "--open")
    (env / "p.csv").write_text("age,area,priority\n13-15,North,Jobs\n16-18,South,Climate\n")

    def full(*_: Any) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(storage.sqlite, step, full)
        code, out, err = run(capsys, "paper", "add", "test-poll", "p.csv")
    assert (code, out) == (1, "")
    assert err == (
        "markbot: the paper ballots could not be written (database or disk is full); nothing "
        "was added, so the same file can be imported again\n"
    )
    assert rows("ballots", "poll_id") == []
    assert not [p for p in env.iterdir() if p.name.startswith(".markbot-paper-")]
    code, out, _ = run(capsys, "paper", "add", "test-poll", "p.csv")
    assert (code, out) == (0, "added 2 paper ballots to test-poll from p.csv\n")
