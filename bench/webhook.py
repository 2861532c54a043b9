"""Ballots per second through Telegram webhooks: 1 and 2 markbot processes on PostgreSQL and 1
on SQLite, in the same run (issue 12, item 6).

``python -m bench.webhook [--voters 300] [--repeats 3] [--proxy] [--json out.json]``

Each run starts a fresh stand-in (which delivers updates by webhook, one request at a time per
chat, as Telegram does, taking turns over the processes as a round-robin proxy would; with
``--proxy`` through standin/proxy.py instead), N real ``markbot run --webhook`` processes on a
fresh database, and M simulated voters who each take the whole ballot, waiting for each reply
before the next tap. It reports ballots per second (M / time until the last thank-you), the
95th percentile of the time from a tap (or /start) to the bot's reply, statements (round
trips) per update on PostgreSQL, and the CPU each part used per ballot: the markbot
processes, the benchmark's own PostgreSQL cluster, the harness (this process: stand-in,
voters) and everything else on the machine ("other jobs"), with how many cores were busy.
Each round runs every set-up once, in a rotating order, after one untimed warm-up round; the
two ratios are taken round by round and reported with their spread. On a 2-core machine all of
these share the two cores: the figures say how much each took.
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
    postgres_cpu: float = 0.0  # the benchmark's PostgreSQL cluster's processes, while timed
    machine_cpu: float = 0.0  # every core's busy time while timed (/proc/stat)
    updates: int = 0  # updates answered 2xx by webhook
    retries: int = 0  # deliveries answered otherwise (tried again)
    statements: int = 0  # top-level statements run by the database (pg_stat_statements)
    load: tuple[float, float, float] = (0.0, 0.0, 0.0)  # load average before the run
    round: int = 0

    @property
    def other_cpu(self) -> float:
        """Busy core time that is neither markbot, its PostgreSQL, nor the harness: other
        jobs on the machine."""
        return max(0.0, self.machine_cpu - self.bot_cpu - self.postgres_cpu - self.harness_cpu)

    def per_ballot_ms(self, seconds: float) -> float:
        return 1000 * seconds / self.voters

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


def _machine_cpu() -> float:
    """Busy core-seconds so far on the whole machine (every process, every core)."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        fields = [int(f) for f in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = fields[3] + fields[4]  # idle, iowait
        return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")
    return 0.0


async def _statements(database: str, *, reset: bool = False) -> int:
    """Top-level statements run so far in this database (each one round trip: BEGIN and COMMIT
    count too), from pg_stat_statements; 0 on SQLite or where it isn't loaded."""
    if not database.startswith("postgresql"):
        return 0
    import asyncpg

    conn = await asyncpg.connect(database)
    try:
        if reset:
            await conn.execute("SELECT pg_stat_statements_reset()")
            return 0
        value = await conn.fetchval(
            "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements"
            " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND query NOT LIKE '%pg_stat_statements%'"
        )
        return int(value)
    except asyncpg.PostgresError:
        return 0
    finally:
        await conn.close()


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
    direct: bool = False,
    extra_env: dict[str, str] | None = None,
    before_start: Callable[[Path], Awaitable[None]] | None = None,
) -> AsyncIterator[Fleet]:
    """N `markbot run --webhook` processes behind a round-robin proxy (or one that gives every
    update to all of them), with the benchmark's poll open, ready for updates. ``direct``: the
    stand-in takes turns over the processes itself (``webhook_spread``) and the proxy, though
    started, carries nothing, so the harness spends no CPU on a hop that a real deployment's
    nginx or Caddy would make in a process of its own. ``before_start`` gets the key file's
    path once the poll exists and before any process starts."""
    ports = [_free_port() for _ in range(n)]
    proxy = RoundRobinProxy([f"http://127.0.0.1:{p}" for p in ports], fan_out=fan_out)
    await proxy.start()
    key = workdir / f"{label}.key"
    hook = f"{proxy.url}/telegram"
    if direct:
        standin.webhook_spread = [f"http://127.0.0.1:{p}/telegram" for p in ports]
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
    backend: str, processes: int, label: str, voters: int, workdir: Path, fresh: Any,
    *, direct: bool = True, round_no: int = 0,
) -> Run:  # fmt: skip
    poll = bench_poll()
    thanks = screens.thanks(load_catalog(), poll, "en").text
    database = await fresh(backend, f"{label}-{backend}{processes}")
    name = f"{label}-{backend}{processes}"
    async with (
        BotApiStandin(TOKEN, bot_username="markbot_bench_bot") as standin,
        markbots(database, processes, standin, workdir, name, direct=direct) as fleet,
    ):
        procs = fleet.procs
        users = [standin.user(FIRST_USER_ID + i, language_code="en") for i in range(voters)]
        lat: list[float] = []
        await _statements(database, reset=True)
        load = os.getloadavg()
        cpu0, harness0 = sum(_cpu(p.pid) for p in procs), time.process_time()
        pg0, machine0 = fresh.cpu(), _machine_cpu()
        started = time.perf_counter()
        async with asyncio.TaskGroup() as group:
            tasks = [
                group.create_task(vote(u, poll, random.Random(i), thanks, 60.0, lat))
                for i, u in enumerate(users)
            ]
        seconds = max(t.result() for t in tasks) - started
        cpu = sum(_cpu(p.pid) for p in procs) - cpu0
        harness = time.process_time() - harness0
        pg_cpu, machine = fresh.cpu() - pg0, _machine_cpu() - machine0
        statements = await _statements(database)
        await standin.wait_idle(30)
        updates = sum(1 for _, status in standin.deliveries if 200 <= status < 300)
        retries = len(standin.deliveries) - updates
    ballots = await count_ballots(database)
    if ballots != voters:
        raise BenchError(f"{label} {backend}x{processes}: {ballots} ballots for {voters} voters")
    return Run(
        label, backend, processes, voters, seconds, lat, cpu, harness, ballots, pg_cpu,
        machine, updates, retries, statements, load, round_no,
    )  # fmt: skip


def _spread(values: list[float]) -> dict[str, float]:
    """Median, least and most of a few figures (the spread says what one figure is worth)."""
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "n": len(values),
    }


def summarise(runs: list[Run]) -> dict[str, Any]:
    """Medians per set-up, CPU per ballot by component, and the two ratios taken round by round
    (each round runs every set-up once, back to back, so they share the machine's load)."""
    timed = [r for r in runs if r.label != "warm-up"]
    names = [f"{b}x{n}" for b, n in CONFIGS]
    by = {n: [r for r in timed if r.name == n] for n in names}

    def med(name: str, value: Callable[[Run], float]) -> float:
        return statistics.median(value(r) for r in by[name])

    cpu = {
        n: {
            "markbot": med(n, lambda r: r.per_ballot_ms(r.bot_cpu)),
            "postgresql": med(n, lambda r: r.per_ballot_ms(r.postgres_cpu)),
            "harness": med(n, lambda r: r.per_ballot_ms(r.harness_cpu)),
            "other_jobs": med(n, lambda r: r.per_ballot_ms(r.other_cpu)),
        }
        for n in names
    }
    cores = os.cpu_count() or 1
    ceiling = {}
    for n, parts in cpu.items():
        ours = parts["markbot"] + parts["postgresql"] + parts["harness"]
        processes = int(n.rsplit("x", 1)[1])
        # the most the machine could give: all its cores over everything this run needs, and
        # each markbot process at most one core
        ceiling[n] = min(1000 * cores / ours, 1000 * processes / parts["markbot"])
    rounds = sorted({r.round for r in timed})

    def ratio(top: str, bottom: str) -> dict[str, float]:
        pairs = []
        for k in rounds:
            a = [r.rate for r in timed if r.round == k and r.name == top]
            b = [r.rate for r in timed if r.round == k and r.name == bottom]
            if a and b:
                pairs.append(a[0] / b[0])
        return _spread(pairs)

    return {
        "ballots_per_s": {n: _spread([r.rate for r in by[n]]) for n in names},
        "p95_reply_ms": {n: med(n, lambda r: r.p95_ms) for n in names},
        "cpu_ms_per_ballot": cpu,
        "machine_busy_cores": {n: med(n, lambda r: r.machine_cpu / r.seconds) for n in names},
        "ceiling_ballots_per_s": ceiling,
        "statements_per_update": {
            n: med(n, lambda r: r.statements / max(1, r.updates)) for n in names[1:]
        },
        "updates_per_ballot": med(names[0], lambda r: r.updates / r.voters),
        "retries": sum(r.retries for r in timed),
        "pg_over_sqlite": ratio("postgresqlx1", "sqlitex1"),
        "two_over_one_pg": ratio("postgresqlx2", "postgresqlx1"),
        "load_average": _spread([r.load[0] for r in timed]),
        "cores": cores,
    }


def _line(run: Run) -> str:
    ms = run.per_ballot_ms
    return (
        f"{run.label:<8} {run.name:<13} {run.voters:>4} voters {run.seconds:>6.2f} s "
        f"{run.rate:>6.1f} ballots/s  p95 {run.p95_ms:>6.0f} ms  CPU ms/ballot: markbot "
        f"{ms(run.bot_cpu):>5.1f} PostgreSQL {ms(run.postgres_cpu):>4.1f} harness "
        f"{ms(run.harness_cpu):>4.1f} other jobs {ms(run.other_cpu):>5.1f}  busy "
        f"{run.machine_cpu / run.seconds:.2f} cores  statements/update "
        f"{run.statements / max(1, run.updates):.2f}  load {run.load[0]:.1f}"
    )


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    from bench.pg import databases  # a throwaway PostgreSQL, and fresh databases in it

    workdir = Path(args.workdir or ".bench-webhook")
    workdir.mkdir(parents=True, exist_ok=True)
    runs: list[Run] = []
    chosen = [c for c in CONFIGS if not args.only or f"{c[0]}x{c[1]}" in args.only.split(",")]
    async with databases(workdir) as fresh:
        labels = ["warm-up"] + [f"run{i + 1}" for i in range(args.repeats)]
        for k, label in enumerate(labels):
            # each round in another order, so no set-up always runs first or last
            order = chosen[k % len(chosen) :] + chosen[: k % len(chosen)]
            for backend, n in order:
                voters = max(20, args.voters // 5) if label == "warm-up" else args.voters
                run = await run_once(
                    backend, n, label, voters, workdir, fresh, direct=not args.proxy, round_no=k
                )
                runs.append(run)
                print(_line(run), flush=True)
    summary = summarise(runs) if not args.only else {}
    print(json.dumps(summary, indent=2))
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "summary": summary,
                    "runs": [asdict(r) | {"p95_ms": r.p95_ms, "latencies": None} for r in runs],
                },
                indent=2,
            ),
            encoding="utf-8",
        )
    return summary


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.webhook", description=__doc__)
    parser.add_argument("--voters", type=int, default=300)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--json", type=Path)
    parser.add_argument(
        "--only", help="run just these, e.g. sqlitex1,postgresqlx2 (no summary ratios)"
    )
    parser.add_argument("--profile", type=Path, help="write each process's cProfile here")
    parser.add_argument(
        "--proxy",
        action="store_true",
        help="send updates through standin/proxy.py (its CPU counted as the harness's)",
    )
    args = parser.parse_args(argv)
    if args.profile:
        global PROFILE_DIR
        args.profile.mkdir(parents=True, exist_ok=True)
        PROFILE_DIR = args.profile.resolve()
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
