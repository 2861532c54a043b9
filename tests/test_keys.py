"""The key file (beside the SQLite file; MARKBOT_KEY_FILE on PostgreSQL) and the key check the
database keeps: never silently replaced once the database holds data made with it; a wrong key
is refused; ``markbot run --new-key`` starts a new one on purpose. Each test runs on both
backends (conftest's ``database_url``)."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path

import pytest
import stored
from conftest import SIMPLE_POLL

from bot.app import open_runtime
from bot.cli import main
from bot.keys import check_value
from bot.settings import Settings


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str | None) -> Path:
    """The environment the CLI reads: this run's database, its key file at ``k.db.key`` (beside
    the SQLite file by default; named by MARKBOT_KEY_FILE on PostgreSQL, which has no file)."""
    for name in ("TOKEN", "API_URL", "DB", "DATABASE_URL", "KEY_FILE", "ADMINS", "MIN_CELL"):
        monkeypatch.delenv(f"MARKBOT_{name}", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MARKBOT_DB", str(tmp_path / "k.db"))
    if database_url is not None:
        monkeypatch.setenv("MARKBOT_DATABASE_URL", database_url)
        monkeypatch.setenv("MARKBOT_KEY_FILE", str(tmp_path / "k.db.key"))
    monkeypatch.setenv("MARKBOT_TOKEN", "123456:TEST-TOKEN")
    monkeypatch.setenv("MARKBOT_API_URL", "http://127.0.0.1:9/bot")  # nothing listens there
    return tmp_path


def _settings() -> Settings:
    """What the CLI reads from ``env``'s environment."""
    return Settings(_env_file=None)  # type: ignore[call-arg]


def _with_a_voter(env: Path) -> bytes:
    """A poll and a subscriber (keyed data); returns the key file's bytes."""

    async def go() -> bytes:
        rt = await open_runtime(_settings())
        try:
            poll = rt.services.polls.parse(SIMPLE_POLL, "t.yaml")
            await rt.services.polls.create(poll, status="open")
            await rt.services.subscriptions.add(777, "en")
            assert await rt.store.has_keyed_data()
        finally:
            await rt.close()
        return (env / "k.db.key").read_bytes()

    return asyncio.run(go())


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().err


def test_a_new_database_gets_a_key_and_its_check(env: Path) -> None:
    async def go() -> None:
        rt = await open_runtime(_settings())
        try:
            assert not await rt.store.has_keyed_data()
            key = bytes.fromhex((env / "k.db.key").read_text())
            assert await rt.store.key_check() == check_value(key)
        finally:
            await rt.close()
        await stored.assert_nowhere(_settings(), key, key.hex())  # only its check is kept

    asyncio.run(go())


@pytest.mark.parametrize("command", [("run",), ("poll", "list"), ("export", "test-poll")])
def test_a_missing_key_beside_keyed_data_stops_with_one_line(
    env: Path, capsys: pytest.CaptureFixture[str], command: tuple[str, ...]
) -> None:
    _with_a_voter(env)
    (env / "k.db.key").unlink()
    code, err = run(capsys, *command)
    assert code == 2
    assert err.count("\n") == 1 and "k.db.key is missing" in err
    assert "backup" in err and "markbot run --new-key" in err and "vote again" in err
    assert not (env / "k.db.key").exists()  # no new key was made


def test_a_wrong_key_is_refused_and_left_alone(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _with_a_voter(env)
    other = secrets.token_bytes(32).hex() + "\n"
    (env / "k.db.key").write_text(other)
    code, err = run(capsys, "poll", "list")
    assert code == 2 and err.count("\n") == 1
    assert "is not the key the database" in err
    assert (env / "k.db.key").read_text() == other
    code, err = run(capsys, "run", "--new-key")  # --new-key never overwrites a key file
    assert code == 2 and "only starts a key when the key file is missing" in err


def test_new_key_starts_a_key_on_purpose(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = _with_a_voter(env)
    (env / "k.db.key").unlink()
    code, err = run(capsys, "run", "--new-key")
    assert "cannot reach the Bot API" in err and code == 1  # it got past the key
    new = (env / "k.db.key").read_bytes()
    assert new != old
    code, err = run(capsys, "poll", "list")  # the new key is the database's key now
    assert code == 0, err


def test_processes_with_different_key_files_on_one_postgresql_are_refused(
    pg_url: str, tmp_path: Path
) -> None:
    """Several processes share a PostgreSQL database, and every keyed hash (the voter register
    above all) must come from one key. A process whose key file differs from the one the
    database was started with is refused, even before anything keyed is stored: when two
    processes start at the same moment, each with its own key file, and when a process's key
    file is missing (it would make a new key and replace the check, leaving a running process
    on the old key: a voter hashed two ways votes twice)."""
    from bot.keys import open_key
    from bot.settings import SettingsError
    from storage.open import make_store

    paths = [tmp_path / f"p{i}" / "markbot.key" for i in range(3)]

    async def go() -> list[bytes | BaseException]:
        async with make_store(pg_url) as store:
            both = await asyncio.gather(
                *(open_key(path, store) for path in paths[:2]), return_exceptions=True
            )
            keys = [k for k in both if isinstance(k, bytes)]
            assert len(keys) == 1, [
                type(k).__name__ for k in both
            ]  # two keys at once: one process is refused
            assert await store.key_check() == check_value(keys[0])
            with pytest.raises(SettingsError, match="key"):
                await open_key(paths[2], store)  # missing, a key in use: none is made
            assert await store.key_check() == check_value(keys[0])
            assert not paths[2].exists()
            assert await open_key(paths[both.index(keys[0])], store) == keys[0]
        return both

    both = asyncio.run(go())
    assert sum(isinstance(k, SettingsError) for k in both) == 1
