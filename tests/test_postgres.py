"""What is particular to the PostgreSQL backend: its migrations against SQLite's, processes
starting together, stored order after ``compact``, deleted rows leaving the files, errors, the
choice of backend by URL, and the bytes on disk holding no identity (the conformance suite in
tests/test_store_contract.py covers every guarantee on both backends)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from bot.settings import Settings, SettingsError
from standin import BotApiStandin, FakeUser
from storage.migrations import MIGRATIONS
from storage.migrations_pg import MIGRATIONS_PG
from storage.open import describe, is_postgres, make_store, sqlite_path
from storage.postgres import PostgresStore
from storage.postgres_feature import TURN
from storage.records import CastResult, DraftRow, NewBallot, StorageError, StorageUnavailable
from storage.sqlite import SqliteStore
from tests.conftest import SIMPLE_POLL, TOKEN
from tests.pg import Cluster

NOW = 1_790_000_000
ROOT = Path(__file__).resolve().parent.parent


def _ballot(poll_id: int, why: str = "because") -> NewBallot:
    return NewBallot(
        poll_id=poll_id,
        cast_on="2026-11-25",
        choices=(("q", "a", None), ("area", "north", None)),
        texts=(("why", why),),
        groups="area=north",
    )


async def _files(cluster: Cluster, url: str) -> bytes:
    """Every byte of the database's own folder (its tables and indexes)."""
    conn = await asyncpg.connect(url)
    try:
        oid = await conn.fetchval("SELECT oid FROM pg_database WHERE datname = current_database()")
    finally:
        await conn.close()
    folder = cluster.folder / "data" / "base" / str(oid)
    return b"".join(p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file())


async def _superuser(url: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(url)
    try:
        return list(await conn.fetch(sql))
    finally:
        await conn.close()


# --- migrations --------------------------------------------------------------------------------


def test_the_same_migration_names_in_the_same_order() -> None:
    assert [n for n, _ in MIGRATIONS_PG] == [n for n, _ in MIGRATIONS]


async def test_both_backends_report_the_same_schema_version(tmp_path: Path, pg_url: str) -> None:
    async with SqliteStore(tmp_path / "s.db") as lite, PostgresStore(pg_url) as pg:
        names = await lite.schema_version()
        assert names == await pg.schema_version() == sorted(n for n, _ in MIGRATIONS)


async def test_both_backends_have_the_same_tables_and_columns(tmp_path: Path, pg_url: str) -> None:
    import sqlite3

    async with SqliteStore(tmp_path / "s.db"):
        pass
    lite = sqlite3.connect(tmp_path / "s.db")
    try:
        tables = [r[0] for r in lite.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        want = {(t, r[1]) for t in tables for r in lite.execute(f"PRAGMA table_info({t})")} - {
            ("sqlite_sequence", "name"),
            ("sqlite_sequence", "seq"),
        }
    finally:
        lite.close()
    got = await _superuser(
        pg_url,
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = 'public'",
    )
    assert {(r[0], r[1]) for r in got} == want


async def test_processes_starting_together_migrate_once(pg_cluster: Cluster) -> None:
    pg_cluster.sql("CREATE DATABASE markbot_race")  # empty: no tables at all
    url = pg_cluster.url("markbot_race")
    try:
        stores = [PostgresStore(url) for _ in range(4)]
        await asyncio.gather(*(s.open() for s in stores))  # all at once, none fails
        for s in stores:
            assert await s.schema_version() == [n for n, _ in MIGRATIONS_PG]
        applied = await _superuser(url, "SELECT count(*) FROM schema_migrations")
        assert applied[0][0] == len(MIGRATIONS_PG)
        await asyncio.gather(*(s.close() for s in stores))
    finally:
        pg_cluster.drop_database(url)


def test_each_test_database_is_dropped_after_its_test(pg_cluster: Cluster) -> None:
    """tests/pg.py drops a test's database by the name in its URL, which comes before the
    query (the host after it is a path, with slashes of its own)."""
    url = pg_cluster.new_database()
    name = url.split("?", 1)[0].rsplit("/", 1)[1]
    pg_cluster.drop_database(url)
    with pytest.raises(RuntimeError, match="does not exist"):
        pg_cluster.sql(f'ALTER DATABASE "{name}" SET work_mem = 1024')


# --- stored order and deleted rows -------------------------------------------------------------


async def test_compact_rewrites_ballots_and_voters_in_key_order(pg_url: str) -> None:
    async with PostgresStore(pg_url) as store:
        pid = await store.add_poll("p1", "T", "{}", None, None, "open")
        for i in range(60):
            voter = bytes([i * 37 % 256]) * 16
            assert await store.cast_ballot(_ballot(pid), voter, None, NOW) is CastResult.COUNTED
        cast = [r[0] for r in await _superuser(pg_url, "SELECT id FROM ballots ORDER BY ctid")]
        # A heap keeps rows as written: before compact, the stored order is the cast order...
        assert cast != sorted(cast)
        await store.compact()
        for table, key in (
            ("ballots", "id"),
            ("answers", "ballot_id, question, option"),
            ("text_answers", "ballot_id, question"),
            ("voters", "poll_id, voter"),
        ):
            stored = await _superuser(pg_url, f"SELECT {key} FROM {table} ORDER BY ctid")
            assert [tuple(r) for r in stored] == sorted(tuple(r) for r in stored), table
        # ... and after it, the key order: nothing says which ballot came when.
        assert (await store.tally(pid, [])).ballots == 60
        # nor does the transaction that wrote each row, which a ballot shared with its voter
        # (found by review: CLUSTER keeps xmin, so a join on it paired voters with ballots)
        xmins = await _superuser(
            pg_url,
            "SELECT count(DISTINCT xmin::text) FROM (SELECT xmin FROM ballots UNION ALL"
            " SELECT xmin FROM voters UNION ALL SELECT xmin FROM answers) AS rows",
        )
        assert xmins[0][0] == 1


async def test_a_deleted_draft_leaves_the_table_files(pg_cluster: Cluster, pg_url: str) -> None:
    marker = "Quillfeather-draft-marker-5521"
    owner = b"\x07" * 16
    async with PostgresStore(pg_url) as store:
        pid = await store.add_poll("p1", "T", "{}", None, None, "open")
        await store.save_draft(DraftRow(owner, "tok", pid, f'{{"why": "{marker}"}}', NOW))
        await _superuser(pg_url, "CHECKPOINT")  # (the cluster's superuser) on disk now
        assert marker.encode() in await _files(pg_cluster, pg_url)  # the check can see it
        assert await store.drop_draft(owner)
        await _superuser(pg_url, "CHECKPOINT")
        assert marker.encode() in await _files(pg_cluster, pg_url)  # a DELETE leaves it...
        await store.checkpoint()
        await _superuser(pg_url, "CHECKPOINT")
        assert marker.encode() not in await _files(pg_cluster, pg_url)  # ... checkpoint doesn't
        assert await store.load_draft(owner) is None


async def test_purged_words_leave_the_table_files_after_compact(
    pg_cluster: Cluster, pg_url: str
) -> None:
    marker = "Zephyrine-lives-on-Marigold-Lane"
    async with PostgresStore(pg_url) as store:
        pid = await store.add_poll("p1", "T", "{}", None, None, "open")
        for i in range(5):
            why = marker if i == 2 else f"more buses {i}"
            await store.cast_ballot(_ballot(pid, why), bytes([i]) * 16, None, NOW)
        assert await store.purge_texts(None) == 5
        await _superuser(pg_url, "CHECKPOINT")
        assert marker.encode() in await _files(pg_cluster, pg_url)  # the old row version
        await store.compact()
        await _superuser(pg_url, "CHECKPOINT")
        assert marker.encode() not in await _files(pg_cluster, pg_url)
        assert (await store.tally(pid, [])).ballots == 5


async def test_a_draft_the_database_refuses_fails_no_tap(
    pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    async with PostgresStore(pg_url) as store:
        pid = await store.add_poll("p1", "T", "{}", None, None, "open")
        for n in range(3):
            state = '{"a":"\ud800"}' if n == 1 else f'{{"a":"{n}"}}'  # a lone surrogate
            await store.save_draft(DraftRow(bytes([n]) * 16, f"t{n}", pid, state, NOW))
        assert await store.load_draft(bytes([0]) * 16) is not None
        assert await store.load_draft(bytes([2]) * 16) is not None
        assert await store.load_draft(bytes([1]) * 16) is None
    assert any("could not be written" in r.getMessage() for r in caplog.records)


async def test_a_paper_file_that_fails_to_read_raises_its_own_error(pg_url: str) -> None:
    """An OSError reading the file is the file's, not "the database did not answer"."""

    def unreadable() -> Iterator[NewBallot]:
        yield _ballot(pid)
        raise OSError("the USB stick was pulled out")

    async with PostgresStore(pg_url) as store:
        pid = await store.add_poll("p1", "T", "{}", None, None, "open")
        with pytest.raises(OSError, match="USB stick"):
            await store.import_paper(pid, "d1", "p.csv", unreadable(), "2026-11-25")
        assert (await store.tally(pid, [])).ballots == 0
        assert not await store.has_paper(pid)
        assert await store.import_paper(pid, "d1", "p.csv", [_ballot(pid)], "2026-11-25") == 1


# --- errors ------------------------------------------------------------------------------------


async def test_no_server_is_a_clear_error_without_the_password(tmp_path: Path) -> None:
    url = f"postgresql://markbot:s3cret-pw@/markbot?host={tmp_path}"  # no socket there
    with pytest.raises(StorageError, match="cannot open the database") as caught:
        await PostgresStore(url).open()
    assert "s3cret-pw" not in str(caught.value)
    assert "postgresql://markbot@/markbot" in str(caught.value)


async def test_a_lost_connection_is_storage_unavailable_then_recovers(pg_url: str) -> None:
    """The server ends the store's connection while a ballot waits on a lock (as a restart or
    failover would): StorageUnavailable, nothing kept, and the next try works."""
    async with PostgresStore(pg_url, max_size=1) as store:
        pid = await store.add_poll("p1", "T", "{}", None, None, "open")
        admin = await asyncpg.connect(pg_url)
        try:
            tx = admin.transaction()
            await tx.start()
            await admin.execute("LOCK TABLE voters IN ACCESS EXCLUSIVE MODE")
            cast = asyncio.create_task(store.cast_ballot(_ballot(pid), b"v" * 16, None, NOW))
            for _ in range(200):  # until the ballot waits for the lock
                waiting = await admin.fetchval(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock'"
                )
                if waiting:
                    break
                await asyncio.sleep(0.02)
            await admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            await tx.rollback()
            with pytest.raises(StorageUnavailable):
                await cast
        finally:
            await admin.close()
        assert not await store.has_voted(pid, b"v" * 16)  # nothing was kept
        assert await store.cast_ballot(_ballot(pid), b"v" * 16, None, NOW) is CastResult.COUNTED
        assert (await store.tally(pid, [])).ballots == 1


async def test_a_turn_runs_its_operations_on_the_connection_that_holds_the_lock(
    pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Inside person_turn the draft's read and write and the ballot use the connection holding
    the person's advisory lock (one taken from the pool per turn, not one per operation), each
    still committed on its own; other tasks and other stores still use the pool."""
    person = b"p" * 32
    async with PostgresStore(pg_url) as store, PostgresStore(pg_url) as other:
        pid = await store.add_poll("p1", "T", "{}", None, None, "open")
        holder = "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
        async with store.person_turn(person):
            locker = await store._fetchval(holder)
            assert await store._fetchval("SELECT pg_backend_pid()") == locker
            bad = DraftRow(person, "t0", pid, '{"a":"\ud800"}', NOW)
            await store.save_draft(bad)  # written before the read below: refused and logged
            assert await store.load_draft(person) is None  # the connection stays usable
            await store.save_draft(DraftRow(person, "t1", pid, "{}", NOW))
            assert (await store.load_draft(person)).token == "t1"  # type: ignore[union-attr]
            # committed on its own, not when the turn ends: another connection sees it
            assert (await other.load_draft(person)).token == "t1"  # type: ignore[union-attr]
            cast = await store.cast_ballot(_ballot(pid), b"v" * 16, person, NOW)
            assert cast is CastResult.COUNTED
            assert await other.has_voted(pid, b"v" * 16)
            assert await other._fetchval("SELECT pg_backend_pid()") != locker
            elsewhere = asyncio.create_task(store._fetchval("SELECT pg_backend_pid()"))
            assert await elsewhere != locker  # another task takes its own connection
        assert await store._fetchval(holder) is None  # the turn's lock is gone
    assert any("could not be written" in r.getMessage() for r in caplog.records)


async def test_a_turn_reads_the_draft_with_its_lock_after_the_last_holder_wrote(
    pg_url: str,
) -> None:
    """The lock and the draft come in one round trip, and the draft is read after the lock is
    granted: a second process that started waiting before the holder's last write sees it."""
    person = b"p" * 32
    async with PostgresStore(pg_url) as store, PostgresStore(pg_url) as other:
        pid = await store.add_poll("p1", "T", "{}", None, None, "open")
        seen: list[str | None] = []

        async def no_read(*args: object) -> None:
            raise AssertionError("the draft should have come with the lock")

        async def second() -> None:
            async with other.person_turn(person):
                reader, other._fetchrow = other._fetchrow, no_read  # type: ignore[method-assign]
                try:
                    draft = await other.load_draft(person)
                finally:
                    other._fetchrow = reader  # type: ignore[method-assign]
                seen.append(draft.token if draft else None)
                again = await other.load_draft(person)  # handed out once: read now
                seen.append(again.token if again else None)

        async with store.person_turn(person):
            await store.save_draft(DraftRow(person, "old", pid, "{}", NOW))
            waiting = asyncio.create_task(second())
            for _ in range(200):  # until the second process waits for the lock
                if await store._fetchval(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                ):
                    break
                await asyncio.sleep(0.02)
            else:
                raise AssertionError("the second turn never waited")
            await store.save_draft(DraftRow(person, "new", pid, "{}", NOW))
        await waiting
        assert seen == ["new", "new"]


async def test_a_draft_saved_in_a_turn_is_written_with_its_unlock(
    pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A turn's last draft goes to the server with the unlock, in one round trip (a procedure
    that commits the draft, then unlocks); a refused one is logged and the lock still goes."""
    person = b"p" * 32
    async with PostgresStore(pg_url) as store, PostgresStore(pg_url) as other:
        pid = await store.add_poll("p1", "T", "{}", None, None, "open")
        statements: list[str] = []

        def record(query: asyncpg.connection.LoggedQuery) -> None:
            statements.append(query.query)

        for state, token in (("{}", "t1"), ('{"a":"\ud800"}', "t2")):
            async with store.person_turn(person):
                turn = TURN.get()
                assert turn is not None
                turn.conn.add_query_logger(record)  # a set: once per connection
                await asyncio.sleep(0.05)
                statements.clear()
                await store.save_draft(DraftRow(person, token, pid, state, NOW))
                await asyncio.sleep(0.05)
                assert statements == []  # not yet: with the unlock
            advisory = "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
            assert await other._fetchval(advisory) == 0
            assert (await other.load_draft(person)).token == "t1"  # type: ignore[union-attr]
            await asyncio.sleep(0.05)  # asyncpg calls query loggers soon after, not at once
            ends = [q.split("(")[0] for q in statements if "markbot_turn(" not in q]
            if token == "t1":
                assert ends == ["CALL pg_temp.markbot_turn_end"]
            else:  # refused by the server: logged, then unlocked on its own
                assert ends == ["CALL pg_temp.markbot_turn_end", "SELECT pg_advisory_unlock"]
    assert any("could not be written" in r.getMessage() for r in caplog.records)


async def test_a_turn_works_without_its_temporary_function(pg_url: str) -> None:
    person = b"p" * 32
    async with PostgresStore(pg_url, max_size=1) as store:  # one connection, reused
        pid = await store.add_poll("p1", "T", "{}", None, None, "open")
        async with store.person_turn(person):
            await store._execute("DROP FUNCTION pg_temp.markbot_turn(bigint, bytea)")
            await store.save_draft(DraftRow(person, "t1", pid, "{}", NOW))
        async with store.person_turn(person):  # lock, then a read of its own
            assert (await store.load_draft(person)).token == "t1"  # type: ignore[union-attr]
        assert (
            await store._fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'") == 0
        )


# --- choosing the backend ----------------------------------------------------------------------


def test_the_url_chooses_the_backend_and_is_printed_without_its_password(tmp_path: Path) -> None:
    url = "postgresql://markbot:pw@db.example:5433/votes?statement_cache_size=0&pool_max=4"
    store = make_store(url)
    assert isinstance(store, PostgresStore)
    assert store.url == "postgresql://markbot:pw@db.example:5433/votes"  # options taken out
    assert store._statement_cache_size == 0 and store._sizes == (1, 4)
    assert describe(url) == "postgresql://markbot@db.example:5433/votes"
    assert is_postgres("postgres://u@h/d") and not is_postgres(tmp_path / "x.db")
    assert isinstance(make_store(tmp_path / "a.db"), SqliteStore)
    assert sqlite_path("sqlite:///rel/a.db") == Path("rel/a.db")
    assert sqlite_path("sqlite:////abs/a.db") == Path("/abs/a.db")
    with pytest.raises(StorageError, match="must be a file path"):
        make_store("mysql://u:pw@h/d")


def test_settings_pick_the_database_and_need_a_key_file_for_postgresql(tmp_path: Path) -> None:
    plain = Settings(db=tmp_path / "m.db", _env_file=None)  # type: ignore[call-arg]
    assert plain.database == tmp_path / "m.db" and not plain.on_postgres
    assert plain.key_path == tmp_path / "m.db.key"
    lite = Settings(
        db=tmp_path / "ignored.db",
        database_url=f"sqlite:///{tmp_path}/u.db",
        _env_file=None,  # type: ignore[call-arg]
    )
    assert lite.key_path == tmp_path / "u.db.key"  # beside the file the URL names
    pg = Settings(database_url="postgresql://m:pw@h/d", _env_file=None)  # type: ignore[call-arg]
    assert pg.on_postgres and pg.database_name == "postgresql://m@h/d"
    with pytest.raises(SettingsError, match="MARKBOT_KEY_FILE is not set"):
        _ = pg.key_path
    keyed = Settings(
        database_url="postgresql://m:pw@h/d",
        key_file=tmp_path / "k",
        _env_file=None,  # type: ignore[call-arg]
    )
    assert keyed.key_path == tmp_path / "k"


def test_several_webhook_processes_may_share_postgresql_but_not_a_sqlite_file(
    tmp_path: Path,
) -> None:
    from bot.cli import CliError, _single_instance

    pg = Settings(
        database_url="postgresql://m@h/d",
        key_file=tmp_path / "k",
        _env_file=None,  # type: ignore[call-arg]
    )
    with _single_instance(pg, TOKEN, webhook=True), _single_instance(pg, TOKEN, webhook=True):
        pass  # two webhook processes on one PostgreSQL database
    with (
        _single_instance(pg, TOKEN),
        pytest.raises(CliError, match="already running"),
        _single_instance(pg, TOKEN),  # long polling: Telegram allows one per token
    ):
        pass
    lite = Settings(db=tmp_path / "m.db", _env_file=None)  # type: ignore[call-arg]
    with (
        _single_instance(lite, "", webhook=True),
        pytest.raises(CliError),
        _single_instance(lite, "", webhook=True),  # one writer per SQLite file
    ):
        pass


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_markbot_migrate_applies_and_prints_the_schema(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from bot.cli import main

    if backend == "postgres":
        cluster: Cluster = request.getfixturevalue("pg_cluster")
        cluster.sql("CREATE DATABASE markbot_cli")  # empty: migrate makes every table
        url = cluster.url("markbot_cli")
        request.addfinalizer(lambda: cluster.drop_database(url))
    else:
        url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.chdir(tmp_path)
    for name in [k for k in os.environ if k.startswith("MARKBOT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("MARKBOT_DATABASE_URL", url)
    for _ in range(2):  # a second run finds nothing to do
        assert main(["migrate"]) == 0
        out = capsys.readouterr().out
        assert f"is at schema {MIGRATIONS[-1][0]} ({len(MIGRATIONS)} migrations applied)" in out
    if backend == "sqlite":
        assert (tmp_path / "cli.db").exists()


# --- nothing identifying on disk ---------------------------------------------------------------


async def _wait_ready(standin: BotApiStandin, timeout: float = 30) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if any(c.method == "getUpdates" for c in standin.calls):
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("markbot run did not start polling")


async def _cli(env: dict[str, str], cwd: Path, *args: str) -> int:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, cwd=cwd,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    return await proc.wait()


def _needles(users: list[FakeUser]) -> list[bytes]:
    """Each person's id, names and username as text (UTF-8, lower case, UTF-16) and as an
    8-byte integer: in a cluster's many megabytes a 4-byte form would turn up by chance."""
    found: list[bytes] = []
    for u in users:
        for text in (str(u.id), u.username, u.first_name, u.last_name):
            if text:
                found += [text.encode(), text.lower().encode(), text.encode("utf-16-le")]
        found += [u.id.to_bytes(8, "big"), u.id.to_bytes(8, "little")]
    return found


async def test_no_identity_in_the_postgresql_files_wal_or_logs(
    standin: BotApiStandin, tmp_path: Path, pg_cluster: Cluster, pg_url: str
) -> None:
    """``markbot run`` on PostgreSQL, six people voting with their names in their answers:
    neither the database's files, nor the server's write-ahead log and log, nor markbot's
    log hold an id, a name or a username."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKBOT_")}
    env.update(
        MARKBOT_TOKEN=TOKEN,
        MARKBOT_API_URL=standin.base_url,
        MARKBOT_DATABASE_URL=pg_url,
        MARKBOT_KEY_FILE=str(tmp_path / "key" / "markbot.key"),
        MARKBOT_LOG_LEVEL="DEBUG",
        PYTHONPATH=str(ROOT),
    )
    (tmp_path / "poll.yaml").write_text(SIMPLE_POLL, encoding="utf-8")
    assert await _cli(env, tmp_path, "poll", "create", "poll.yaml", "--open") == 0
    log = tmp_path / "bot.log"
    with log.open("ab") as fh:
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=tmp_path, stdout=fh, stderr=fh
        )
    users = [
        standin.user(
            734_219_500 + i,
            f"Zephyrine{i}",
            last_name=f"Quillfeather{i}",
            username=f"zq_pg_tester_{i}",
            language_code="en",
        )
        for i in range(4)
    ]
    try:
        await _wait_ready(standin)

        async def journey(u: FakeUser) -> str:
            await u.send_command("start", "test-poll")
            await u.next_output(timeout=20)
            for label in ("Start", "13-15", "North", "Climate"):
                await u.press(label)
                await u.next_output(timeout=20)
            await u.send_text(f"my name is {u.first_name} {u.last_name}, I'm @{u.username}")
            await u.next_output(timeout=20)
            await u.press("Send my answers")
            return (await u.next_output(timeout=20)).plain

        assert all("counted" in e for e in await asyncio.gather(*map(journey, users)))
    finally:
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), 30) == 0
    await _superuser(pg_url, "CHECKPOINT")  # everything written is in the files now
    data = pg_cluster.folder / "data"
    raw = await _files(pg_cluster, pg_url)
    wal = b"".join(p.read_bytes() for p in (data / "pg_wal").iterdir() if p.is_file())
    server_log = (pg_cluster.folder / "log").read_bytes()
    logs = log.read_bytes()
    assert b"zq_pg_tester" not in logs and TOKEN.encode() not in logs
    for needle in _needles(users):
        for where, blob in (("tables", raw), ("wal", wal), ("server log", server_log)):
            assert needle not in blob, (where, needle)
        assert needle not in logs, needle
    rows = await _superuser(pg_url, "SELECT body FROM text_answers")
    assert len(rows) == 4 and all("[name]" in r[0] for r in rows)


async def test_a_stop_does_not_wait_forever_for_a_connection_in_use(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """asyncpg's pool.close() waits, with no limit, for every connection to come back: one
    held by a background task stopped SIGTERM from ending markbot. Now it waits CLOSE_SECONDS,
    then closes them."""
    import storage.postgres

    monkeypatch.setattr(storage.postgres, "CLOSE_SECONDS", 0.5)
    store = PostgresStore(pg_url)
    await store.open()
    await store._db.pool.acquire()  # a task that never gives it back
    started = asyncio.get_running_loop().time()
    await asyncio.wait_for(store.close(), 10)
    assert asyncio.get_running_loop().time() - started < 5
