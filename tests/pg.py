"""A throwaway PostgreSQL cluster for the tests: ``initdb`` and ``pg_ctl`` on a temporary
folder, as the ``postgres`` system user (PostgreSQL refuses to run as root), listening only on a
Unix socket in that folder, fsync on. One cluster per test session; each test gets a fresh
database copied from a migrated template (``CREATE DATABASE ... TEMPLATE``: milliseconds).

Without PostgreSQL's programs the PostgreSQL tests are skipped with the reason, except on CI
(``CI`` set), where a missing PostgreSQL fails the run: .ci/run installs it.
"""

from __future__ import annotations

import asyncio
import glob
import itertools
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

TEMPLATE = "markbot_template"
_names = itertools.count(1)


def pg_bin() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian's layout), or None."""
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4])
    )
    return Path(found[-1]).parent if found else None


@dataclass
class Cluster:
    folder: Path  # the data folder's parent, also the socket's folder
    bin: Path
    started_in: float  # seconds from initdb to a migrated template

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.folder}"

    def sql(self, statement: str) -> None:
        """Run one statement on the maintenance database (psql over the socket)."""
        done = subprocess.run(
            [
                str(self.bin / "psql"),
                "-X",
                "-q",
                "-v",
                "ON_ERROR_STOP=1",
                "-h",
                str(self.folder),
                "-U",
                "postgres",
                "-d",
                "postgres",
                "-c",
                statement,
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"psql failed: {done.stderr}")

    def new_database(self) -> str:
        """A fresh, migrated database's URL (a copy of the template)."""
        name = f"t{os.getpid()}_{next(_names)}"
        self.sql(f'CREATE DATABASE "{name}" TEMPLATE {TEMPLATE}')
        return self.url(name)

    @staticmethod
    def database(url: str) -> str:
        """The database a URL of ``url()`` names (before the query: its host is a path)."""
        return url.split("?", 1)[0].rsplit("/", 1)[1]

    def drop_database(self, url: str) -> None:
        self.sql(f'DROP DATABASE IF EXISTS "{self.database(url)}" WITH (FORCE)')


def _as_postgres(*cmd: str | Path) -> list[str]:
    args = [str(c) for c in cmd]
    if os.geteuid() == 0:  # initdb and postgres refuse root
        return ["runuser", "-u", "postgres", "--", *args]
    return args


def _run(*cmd: str | Path) -> None:
    done = subprocess.run(_as_postgres(*cmd), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd[:2]))} failed:\n{done.stdout}{done.stderr}")


def start_cluster(*, template: bool = True) -> Cluster:
    """initdb and start a cluster in a new temporary folder (with a migrated template unless
    asked not to); ``stop_cluster`` deletes it. Also used by bench/store_backends.py."""
    bin_ = pg_bin()
    if bin_ is None:
        raise FileNotFoundError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)")
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="markbot-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    data = folder / "data"
    try:
        _run(bin_ / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
             "--locale=C.UTF-8", "--no-instructions")  # fmt: skip
        options = (
            f"-c listen_addresses='' -c unix_socket_directories={folder} -c fsync=on"
            " -c max_connections=60 -c shared_buffers=32MB"
        )
        _run(bin_ / "pg_ctl", "-D", data, "-l", folder / "log", "-o", options, "-w", "start")
        cluster = Cluster(folder, bin_, 0.0)
        if template:
            # on a thread of its own: the first test to ask may already be in an event loop
            with ThreadPoolExecutor(1) as pool:
                pool.submit(lambda: asyncio.run(_make_template(cluster))).result()
        cluster.started_in = time.perf_counter() - started
    except BaseException:
        _stop(bin_, folder)
        raise
    return cluster


def stop_cluster(cluster: Cluster) -> None:
    """Stop the cluster and delete its folder."""
    _stop(cluster.bin, cluster.folder)


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """Start the session's cluster (skip, or fail on CI, without PostgreSQL)."""
    if pg_bin() is None:
        reason = "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)"
        if os.environ.get("CI"):
            pytest.fail(f"{reason}; CI must test both backends (.ci/run installs it)")
        pytest.skip(reason)
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        stop_cluster(cluster)


async def _make_template(cluster: Cluster) -> None:
    import asyncpg

    from storage.postgres import PostgresStore

    conn = await asyncpg.connect(cluster.url("postgres"))
    try:
        await conn.execute(f"CREATE DATABASE {TEMPLATE}")
    finally:
        await conn.close()
    store = PostgresStore(cluster.url(TEMPLATE))
    await store.open()  # migrated once; every test's database is a copy
    await store.close()


def _stop(bin_: Path, folder: Path) -> None:
    if (folder / "data" / "postmaster.pid").exists():
        subprocess.run(
            _as_postgres(bin_ / "pg_ctl", "-D", folder / "data", "-m", "immediate", "-w", "stop"),
            capture_output=True,
            check=False,
        )
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test, dropped afterwards."""
    url = pg_cluster.new_database()
    try:
        yield url
    finally:
        pg_cluster.drop_database(url)
