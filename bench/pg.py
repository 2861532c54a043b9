"""A throwaway PostgreSQL for benchmarks (initdb and pg_ctl on a temporary folder, a Unix
socket only), and a fresh database per run: ``async with databases(workdir) as fresh:
url = await fresh("postgresql", "name")``; ``fresh("sqlite", name)`` gives a new file, and
``fresh.cpu()`` the cluster's own CPU seconds so far. pg_stat_statements is loaded where the
server has it, to count statements (round trips) per update."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

Fresh = Callable[[str, str], Awaitable[str]]
SUPERUSER = "postgres"


def _bin(name: str) -> str:
    """initdb, pg_ctl...: on PATH, else in the newest /usr/lib/postgresql/N/bin."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in versions:
        if (folder / name).exists():
            return str(folder / name)
    raise RuntimeError(f"{name} not found: install PostgreSQL 15 (apt-get install postgresql)")


def _has_library(name: str) -> bool:
    """Whether the server's lib folder (beside initdb) has this extension's library."""
    return (Path(_bin("initdb")).resolve().parent.parent / "lib" / f"{name}.so").exists()


def cluster_cpu(sock: Path) -> float:
    """CPU seconds used so far by this cluster only: its postmaster (with the children it has
    reaped) and its live children. Other PostgreSQL servers on the machine (other jobs' test
    clusters) are not counted."""
    try:
        postmaster = int((sock.parent / "data" / "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            pid = int(stat.parent.name)
            if pid == postmaster:
                total += sum(int(f) for f in fields[11:15])  # utime stime cutime cstime
            elif int(fields[1]) == postmaster:
                total += int(fields[11]) + int(fields[12])
    return total / tick


def _as_owner() -> list[str]:
    """PostgreSQL refuses to run as root: then it runs as the postgres user."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


@contextlib.contextmanager
def cluster() -> Iterator[Path]:
    """Start a PostgreSQL cluster in a temporary folder (Unix socket only, superuser
    ``postgres``, trust on the socket); yields the socket folder."""
    folder = Path(tempfile.mkdtemp(prefix="markbot-pg-"))
    data, sock = folder / "data", folder / "sock"
    sock.mkdir()
    if os.geteuid() == 0:
        for path in (folder, sock):
            shutil.chown(path, "postgres", "postgres")
    subprocess.run(
        [*_as_owner(), _bin("initdb"), "-D", str(data), "-A", "trust", "-U", SUPERUSER, "-E",
         "UTF8", "--no-sync"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    options = f"-k {sock} -c listen_addresses='' -c max_connections=200"
    if _has_library("pg_stat_statements"):  # statements per tap (bench/webhook.py)
        options += " -c shared_preload_libraries=pg_stat_statements"
    subprocess.run(
        [*_as_owner(), _bin("pg_ctl"), "-D", str(data), "-o", options, "-w", "-l",
         str(folder / "log"), "start"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    try:
        yield sock
    finally:
        subprocess.run(
            [*_as_owner(), _bin("pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"],
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


class Databases:
    """The throwaway cluster's fresh databases (call it), and its CPU use."""

    def __init__(self, fresh: Fresh, sock: Path) -> None:
        self.fresh = fresh
        self.sock = sock

    async def __call__(self, backend: str, name: str) -> str:
        return await self.fresh(backend, name)

    def cpu(self) -> float:
        return cluster_cpu(self.sock)


@contextlib.asynccontextmanager
async def databases(workdir: Path) -> AsyncIterator[Databases]:
    with cluster() as sock:
        user = SUPERUSER

        async def fresh(backend: str, name: str) -> str:
            if backend == "sqlite":
                path = workdir / f"{name}.db"
                for suffix in ("", "-wal", "-shm", ".lock"):
                    with contextlib.suppress(FileNotFoundError):
                        os.remove(f"{path}{suffix}")
                return str(path)
            db = name.replace("-", "_").lower()
            proc = await asyncio.create_subprocess_exec(
                _bin("createdb"), "-h", str(sock), "-U", user, db,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
            )  # fmt: skip
            _, err = await proc.communicate()
            if proc.returncode != 0:
                raise RuntimeError(f"createdb {db}: {err.decode().strip()}")
            url = f"postgresql://{user}@/{db}?host={sock}"
            if _has_library("pg_stat_statements"):
                import asyncpg

                conn = await asyncpg.connect(url)
                try:
                    await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
                finally:
                    await conn.close()
            return url

        yield Databases(fresh, sock)
