"""Ballots per second through Telegram webhooks: 1 and 2 markbot processes on PostgreSQL and 1
on SQLite, in the same run (issue 12, item 6).

``python -m bench.webhook [--voters 300] [--repeats 2] [--json out.json]``

Each run starts a fresh stand-in (which delivers updates by webhook, one request at a time per
chat, as Telegram does), a round-robin proxy (standin/proxy.py, in place of Caddy or nginx),
N real ``markbot run --webhook`` processes on a fresh database, and M simulated voters who each
take the whole ballot, waiting for each reply before the next tap. It reports ballots per
second (M / time until the last thank-you), the 95th percentile of the time from a tap (or
/start) to the bot's reply, and the CPU each side used. Configurations alternate run by run
after one untimed warm-up of each. On a 2-core machine the stand-in, the proxy and the voters
(this process) and PostgreSQL share the cores with the bot processes: say so with the numbers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import statistics
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.journey import _actions, _only
from bench.poll import POLL_YAML, TOKEN, bench_poll
from prompts import load_catalog
from services import screens
from services.pollfile import Poll
from standin import BotApiStandin, BotOutput, FakeUser
from standin.proxy import RoundRobinProxy

ROOT = Path(__file__).resolve().parent.parent
SECRET = "bench-webhook-secret-0123456789"
FIRST_USER_ID = 710_000_000
READY_TIMEOUT = 60.0
CONFIGS = (("sqlite", 1), ("postgresql", 1), ("postgresql", 2))


class BenchError(Exception):
    """The benchmark could not run, or a voter did not get the expected screens."""


@dataclass
class Run:
    label: str
    backend: str
    processes: int
    voters: int
    seconds: float
    latencies: list[float] = field(repr=False)
    bot_cpu: float = 0.0
    harness_cpu: float = 0.0
    ballots: int = 0
    postgres_cpu: float = 0.0  # the PostgreSQL server's processes, while timed

    @property
    def name(self) -> str:
        return f"{self.backend}x{self.processes}"

    @property
    def rate(self) -> float:
        return self.voters / self.seconds

    @property
    def p95_ms(self) -> float:
        return 1000 * statistics.quantiles(self.latencies, n=20)[18]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _cpu(pid: int) -> float:
    with contextlib.suppress(OSError):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return 0.0


def _postgres_cpu() -> float:
    """CPU seconds used so far by every PostgreSQL server process on this machine (the
    benchmark's cluster is the only busy one while it runs)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            text = stat.read_text()
            if "(postgres)" in text:
                fields = text.rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


# --------------------------------------------------------------------------- voters


async def _timed(user: FakeUser, method: str, timeout: float, lat: list[float]) -> BotOutput:
    """The next reply, with the time since the tap that asked for it."""
    start = time.perf_counter()
    out = await user.next_output(timeout)
    lat.append(time.perf_counter() - start)
    if out.method != method:
        raise BenchError(f"voter {user.id}: expected {method}, got {out.method}: {out.plain!r}")
    return out


async def vote(
    user: FakeUser, poll: Poll, rng: random.Random, thanks: str, timeout: float, lat: list[float]
) -> float:
    """One whole ballot (as bench/journey.py), timing each reply."""
    await user.send_command("start", poll.code)
    out = await _timed(user, "sendMessage", timeout, lat)
    data = _only(out, "go", user)

    async def tap(out: BotOutput, data: str) -> BotOutput:
        assert out.message is not None
        await user.press_data(data, message_id=out.message["message_id"])
        return await _timed(user, "editMessageText", timeout, lat)

    for index, q in enumerate(poll.questions):
        out = await tap(out, data)
        options = [
            (d, cb)
            for d, cb in _actions(out).get("a", [])
            if cb.step == str(index) and q.options[cb.arg or 0].id not in q.ineligible
        ]
        if not options:
            raise BenchError(f"voter {user.id}: expected question {index + 1}: {out.plain!r}")
        data = rng.choice(options)[0]
    out = await tap(out, data)
    out = await tap(out, _only(out, "ok", user))
    if out.message is None or out.message["text"] != thanks:
        raise BenchError(f"voter {user.id}: expected the thank-you screen, got {out.plain!r}")
    return time.perf_counter()


# --------------------------------------------------------------------------- processes


def _env(database: str, api_url: str, key: Path, port: int, hook: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKBOT_")}
    env.update(
        MARKBOT_TOKEN=TOKEN,
        MARKBOT_API_URL=api_url,
        MARKBOT_DATABASE_URL=database,
        MARKBOT_DB=database,  # before MARKBOT_DATABASE_URL existed: a SQLite path
        MARKBOT_KEY_FILE=str(key),
        MARKBOT_WEB_PORT=str(port),
        MARKBOT_WEBHOOK_URL=hook,
        MARKBOT_WEBHOOK_SECRET=SECRET,
        MARKBOT_LOG_LEVEL="WARNING",
        PTB_TIMEDELTA="1",
    )
    if database.startswith("postgresql"):
        env.pop("MARKBOT_DB")
    return env


PROFILE_DIR: Path | None = None  # --profile: each markbot process writes cProfile stats here


def _profiled(name: str) -> list[str]:
    if PROFILE_DIR is None:
        return []
    return ["-m", "cProfile", "-o", str(PROFILE_DIR / f"{name}.prof")]


async def _cli(env: dict[str, str], *args: str) -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    _out, err = await proc.communicate()
    if proc.returncode != 0:
        raise BenchError(f"markbot {' '.join(args)}: {err.decode()[-500:]}")


@dataclass
class Fleet:
    """Markbot processes behind one proxy."""

    procs: list[asyncio.subprocess.Process]
    proxy: RoundRobinProxy
    ports: list[int]
    key: Path


@contextlib.asynccontextmanager
async def markbots(
    database: str,
    n: int,
    standin: BotApiStandin,
    workdir: Path,
    label: str,
    *,
    fan_out: bool = False,
    extra_env: dict[str, str] | None = None,
    before_start: Callable[[Path], Awaitable[None]] | None = None,
) -> AsyncIterator[Fleet]:
    """N `markbot run --webhook` processes behind a round-robin proxy (or one that gives every
    update to all of them), with the benchmark's poll open, ready for updates. ``before_start``
    gets the key file's path once the poll exists and before any process starts."""
    ports = [_free_port() for _ in range(n)]
    proxy = RoundRobinProxy([f"http://127.0.0.1:{p}" for p in ports], fan_out=fan_out)
    await proxy.start()
    key = workdir / f"{label}.key"
    hook = f"{proxy.url}/telegram"
    procs: list[asyncio.subprocess.Process] = []
    logs = []
    try:
        poll_file = workdir / "bench-poll.yaml"
        poll_file.write_text(POLL_YAML, encoding="utf-8")
        await _cli(_env(database, standin.base_url, key, ports[0], hook), "poll", "create",
                   str(poll_file), "--open")  # fmt: skip
        if before_start is not None:
            await before_start(key)
        for i, port in enumerate(ports):
            log = (workdir / f"{label}-{i}.log").open("wb")
            logs.append(log)
            procs.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    *_profiled(f"{label}-{i}"),
                    "-m",
                    "bot",
                    "run",
                    "--webhook",
                    env=_env(database, standin.base_url, key, port, hook) | (extra_env or {}),
                    cwd=ROOT,
                    stdout=asyncio.subprocess.DEVNULL,
                    stderr=log,
                )
            )
        deadline = time.monotonic() + READY_TIMEOUT
        for port, proc in zip(ports, procs, strict=True):
            while True:
                if proc.returncode is not None:
                    raise BenchError(f"markbot exited with {proc.returncode} (see {label} logs)")
                with contextlib.suppress(OSError):
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.close()
                    break
                if time.monotonic() > deadline:
                    raise BenchError(f"markbot did not listen on {port} in {READY_TIMEOUT}s")
                await asyncio.sleep(0.05)
        while len(standin.calls_to("setWebhook")) < n:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # start-up work (menus) out of the timed part
        yield Fleet(procs, proxy, ports, key)
    finally:
        for proc in procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                await asyncio.wait_for(proc.wait(), 20)
            except TimeoutError:
                proc.kill()
                await proc.wait()
        for log in logs:
            log.close()
        await proxy.stop()


async def count_ballots(database: str) -> int:
    from storage.open import open_store

    store = await open_store(database)
    try:
        return sum(p.ballots for p in await store.list_polls())
    finally:
        await store.close()


async def run_once(
    backend: str, processes: int, label: str, voters: int, workdir: Path, fresh: Any
) -> Run:
    poll = bench_poll()
    thanks = screens.thanks(load_catalog(), poll, "en").text
    database = await fresh(backend, f"{label}-{backend}{processes}")
    async with (
        BotApiStandin(TOKEN, bot_username="markbot_bench_bot") as standin,
        markbots(database, processes, standin, workdir, f"{label}-{backend}{processes}") as fleet,
    ):
        procs = fleet.procs
        users = [standin.user(FIRST_USER_ID + i, language_code="en") for i in range(voters)]
        lat: list[float] = []
        cpu0, harness0 = sum(_cpu(p.pid) for p in procs), time.process_time()
        pg0 = _postgres_cpu()
        started = time.perf_counter()
        async with asyncio.TaskGroup() as group:
            tasks = [
                group.create_task(vote(u, poll, random.Random(i), thanks, 60.0, lat))
                for i, u in enumerate(users)
            ]
        seconds = max(t.result() for t in tasks) - started
        cpu = sum(_cpu(p.pid) for p in procs) - cpu0
        harness = time.process_time() - harness0
        pg_cpu = _postgres_cpu() - pg0
        await standin.wait_idle(30)
    ballots = await count_ballots(database)
    if ballots != voters:
        raise BenchError(f"{label} {backend}x{processes}: {ballots} ballots for {voters} voters")
    return Run(label, backend, processes, voters, seconds, lat, cpu, harness, ballots, pg_cpu)


def summarise(runs: list[Run]) -> dict[str, Any]:
    timed = [r for r in runs if r.label != "warm-up"]
    names = [f"{b}x{n}" for b, n in CONFIGS]
    rate = {n: statistics.median(r.rate for r in timed if r.name == n) for n in names}
    p95 = {n: statistics.median(r.p95_ms for r in timed if r.name == n) for n in names}
    cpu = {
        n: statistics.median(1000 * r.bot_cpu / r.voters for r in timed if r.name == n)
        for n in names
    }
    pg_cpu = {
        n: statistics.median(1000 * r.postgres_cpu / r.voters for r in timed if r.name == n)
        for n in names
    }
    return {
        "ballots_per_s": rate,
        "postgres_cpu_ms_per_ballot": pg_cpu,
        "p95_reply_ms": p95,
        "bot_cpu_ms_per_ballot": cpu,
        "two_over_one_pg": rate["postgresqlx2"] / rate["postgresqlx1"],
        "pg_over_sqlite": rate["postgresqlx1"] / rate["sqlitex1"],
        "cores": os.cpu_count(),
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    from bench.pg import databases  # a throwaway PostgreSQL, and fresh databases in it

    workdir = Path(args.workdir or ".bench-webhook")
    workdir.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    async with databases(workdir) as fresh:
        labels = ["warm-up"] + [f"run{i + 1}" for i in range(args.repeats)]
        for label in labels:
            for backend, n in CONFIGS:
                if args.only and f"{backend}x{n}" not in args.only.split(","):
                    continue
                voters = max(20, args.voters // 5) if label == "warm-up" else args.voters
                run = await run_once(backend, n, label, voters, workdir, fresh)
                runs.append(run)
                print(
                    f"{label:<8} {run.name:<14} {run.voters:>5} voters {run.seconds:>6.2f} s "
                    f"{run.rate:>7.1f} ballots/s  p95 {run.p95_ms:>6.1f} ms  bot CPU "
                    f"{1000 * run.bot_cpu / run.voters:>5.1f} ms/ballot  PostgreSQL CPU "
                    f"{1000 * run.postgres_cpu / run.voters:>5.1f} ms/ballot  harness CPU "
                    f"{run.harness_cpu / run.seconds:>4.0%}",
                    flush=True,
                )
    summary = summarise(runs) if not args.only else {}
    print(json.dumps(summary, indent=2))
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {"summary": summary, "runs": [asdict(r) | {"p95_ms": r.p95_ms} for r in runs]},
                indent=2,
            ),
            encoding="utf-8",
        )
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.webhook", description=__doc__)
    parser.add_argument("--voters", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--only", help="run just these, e.g. sqlitex1,postgresqlx2 (no summary ratios)"
    )
    parser.add_argument("--profile", type=Path, help="write each process's cProfile here")
    args = parser.parse_args(argv)
    if args.profile:
        global PROFILE_DIR
        args.profile.mkdir(parents=True, exist_ok=True)
        PROFILE_DIR = args.profile.resolve()
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
