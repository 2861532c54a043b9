"""Export at scale: markbot's whole export against the bare tally query, on a national ballot.

``python -m bench.export_scale [--ballots 1000000] [--db PATH] [--keep]``

Builds (or reuses) a SQLite file with markbot's own schema and a poll created through
``PollService``, fills it with N ballots written row for row as ``storage.sqlite._insert_ballot``
writes them (bulk ``executemany``, seeded, skewed), then times on that file: the bare tally query
(plain sqlite3), ``SqliteStore.tally``, ``ReportService.results`` and ``ReportService.export`` in
every format of ``services.exports.RENDERERS``. Each is run once to warm the OS cache, then timed
3 times (median). Peak RSS comes from a fresh child process per format (``--child FORMAT``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from services.pollfile import Poll

ROOT = Path(__file__).resolve().parent.parent
CODE = "bench-scale"
SEED = 2026
MIN_CELL = 5
REPEATS = 3
BATCH = 50_000  # ballots per build transaction
TARGET_RATIO = 2.0
TARGET_RSS_MB = 200

TALLY_SQL = (  # what SqliteStore.tally runs (without a channel)
    "SELECT question, grp, option, rank, count(*), sum(lead) FROM answers"
    " WHERE poll_id = ? GROUP BY question, grp, option, rank"
)
# The statements of storage.sqlite.cast_ballot / _insert_ballot, verbatim.
VOTER_SQL = "INSERT INTO voters (poll_id, voter) VALUES (?, ?)"
BALLOT_SQL = (
    "INSERT INTO ballots (id, poll_id, cast_on, channel, session_id, lang)"
    " VALUES (?, ?, ?, ?, ?, ?)"
)
ANSWER_SQL = (
    "INSERT INTO answers (ballot_id, poll_id, question, option, rank, grp, lead)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
)
# For the build step only: a benchmark fixture need not survive a power cut. markbot's own
# connections set their own pragmas (WAL, synchronous=FULL) when they open it afterwards.
BUILD_PRAGMAS = (
    "PRAGMA journal_mode = OFF",
    "PRAGMA synchronous = OFF",
    "PRAGMA cache_size = -2000000",  # 2 GB: random ballot ids make every insert a random one
    "PRAGMA temp_store = MEMORY",
)

TOPICS = (
    "Education and learning",
    "International relations",
    "Health and wellbeing",
    "Rights, equality and democracy",
    "Jobs, economy and benefits",
    "Crime and safety",
    "Culture, media and sport",
    "Climate and environment",
    "Transport",
    "Youth work and services",
)
POLL_YAML = f"""\
code: {CODE}
title: Make Your Mark at national scale (benchmark)
questions:
  - id: age
    kind: choice
    text: How old are you?
    options: [Under 11, 11-13, 14-16, 17-18, 19-25]
    ineligible: [Under 11]
    breakdown: true
  - id: area
    kind: choice
    text: Which area do you live in?
    options: [Northfield, Eastbrook, Southmoor, Westwick, City Centre, Riverside, Hillcrest,
              Harbourside]
    breakdown: true
  - id: type
    kind: choice
    text: Which describes you best?
    options: [At school, At college, Apprentice or working, Not in education or work]
    breakdown: true
  - id: priority
    kind: choice
    text: Which one of these issues matters most to you?
    options: {json.dumps(TOPICS)}
  - id: top3
    kind: multi
    text: Which three should come next?
    options: {json.dumps(TOPICS)}
    max: 3
    optional: true
"""
# Weights in option order ('Prefer not to say' last; the ineligible 'Under 11' never counted).
BREAKDOWN_WEIGHTS = {
    "age": (0, 33, 38, 17, 5, 7),
    "area": (21, 16, 14, 12, 11, 9, 6, 4, 7),
    "type": (63, 19, 7, 4, 7),
}
# Headline topics, skewed like Make Your Mark 2024 (health, crime, culture on top); each age
# band tilts it (older: jobs and transport up, culture down).
TOPIC_WEIGHTS = (12.0, 3.0, 21.0, 8.0, 9.0, 17.0, 14.0, 7.0, 4.0, 5.0)
TOPIC_TILT = {4: 0.3, 8: 0.3, 6: -0.15}  # topic index -> change per age band
AGE_BAND = {"11-13": 0, "14-16": 1, "17-18": 2, "19-25": 3}  # others (PNTS) tilt as band 1
TOP3_PICKS = ((0, 1, 2, 3), (12, 15, 18, 55))  # how many a ballot ticks (0 = skipped)
FIRST_DAY = date(2026, 2, 2)
DAYS = 40


@dataclass(frozen=True, slots=True)
class Plan:
    """What a ballot can hold, with the cumulative weights to draw it."""

    poll_id: int
    breakdowns: tuple[tuple[str, tuple[str, ...], tuple[float, ...]], ...]
    groups: dict[tuple[str, ...], str]  # breakdown answers -> grp, from Poll.group_key
    topics: tuple[str, ...]
    topic_weights: dict[str, tuple[float, ...]]  # by age option
    days: tuple[str, ...]
    day_weights: tuple[float, ...]


def _cumulative(weights: list[float] | tuple[float, ...]) -> tuple[float, ...]:
    total, out = 0.0, []
    for w in weights:
        total += w
        out.append(total)
    return tuple(out)


def make_plan(poll: Poll, poll_id: int) -> Plan:
    """Precompute options, weights and every breakdown group key for the generator."""
    breakdowns: list[tuple[str, tuple[str, ...], tuple[float, ...]]] = []
    for q in poll.breakdowns:
        weights = BREAKDOWN_WEIGHTS[q.id]
        if len(weights) != len(q.options):
            raise SystemExit(f"weights for {q.id} do not match its {len(q.options)} options")
        breakdowns.append((q.id, tuple(o.id for o in q.options), _cumulative(weights)))
    combos: list[tuple[str, ...]] = [()]
    for _, options, _ in breakdowns:
        combos = [(*c, o) for c in combos for o in options]
    dims = [d for d, _, _ in breakdowns]
    groups = {
        c: poll.group_key([(d, o, None) for d, o in zip(dims, c, strict=True)]) for c in combos
    }
    priority = poll.question("priority")
    assert priority is not None
    topic_weights: dict[str, tuple[float, ...]] = {}
    for age in breakdowns[0][1]:
        band = AGE_BAND.get(age, 1)
        tilted = [w * (1 + TOPIC_TILT.get(i, 0.0) * band) for i, w in enumerate(TOPIC_WEIGHTS)]
        topic_weights[age] = _cumulative(tilted)
    days: list[str] = []
    day_weights: list[float] = []
    for i in range(DAYS):
        day = FIRST_DAY + timedelta(days=i)
        weight = (5.0 if day.weekday() < 5 else 1.0) * (1 + i / 20) * (2 if i >= DAYS - 7 else 1)
        days.append(day.isoformat())
        day_weights.append(weight)
    return Plan(
        poll_id,
        tuple(breakdowns),
        groups,
        tuple(o.id for o in priority.options),
        topic_weights,
        tuple(days),
        _cumulative(day_weights),
    )


Row = tuple[object, ...]


def generate(plan: Plan, rng: random.Random, n: int) -> tuple[list[Row], list[Row], list[Row]]:
    """Rows for n ballots: (voters, ballots, answers), as markbot's cast_ballot writes them."""
    voters: list[Row] = []
    ballots: list[Row] = []
    answers: list[Row] = []
    pid, topics = plan.poll_id, plan.topics
    days = rng.choices(plan.days, cum_weights=plan.day_weights, k=n)
    picked = [rng.choices(opts, cum_weights=cw, k=n) for _, opts, cw in plan.breakdowns]
    dims = [d for d, _, _ in plan.breakdowns]
    counts, count_weights = TOP3_PICKS[0], _cumulative(TOP3_PICKS[1])
    for i in range(n):
        ballot_id = rng.randbytes(10).hex()
        voters.append((pid, rng.randbytes(16)))
        ballots.append((ballot_id, pid, days[i], "online", None, "en"))
        combo = tuple(p[i] for p in picked)
        grp = plan.groups[combo]
        for dim, option in zip(dims, combo, strict=True):
            answers.append((ballot_id, pid, dim, option, None, grp, True))
        cw = plan.topic_weights[combo[0]]
        answers.append(
            (ballot_id, pid, "priority", rng.choices(topics, cum_weights=cw)[0], None, grp, True)
        )
        want = rng.choices(counts, cum_weights=count_weights)[0]
        chosen: list[str] = []
        while len(chosen) < want:
            topic = rng.choices(topics, cum_weights=cw)[0]
            if topic not in chosen:
                chosen.append(topic)
        for k, topic in enumerate(chosen):
            answers.append((ballot_id, pid, "top3", topic, None, grp, k == 0))
    return voters, ballots, answers


async def create_poll(path: Path) -> tuple[int, Poll]:
    """Create and migrate the file with markbot's store, and the poll through PollService."""
    from prompts import load_catalog
    from services.polls import PollService
    from storage.sqlite import SqliteStore

    store = SqliteStore(path)
    await store.open()
    try:
        polls = PollService(store, load_catalog())
        poll = polls.parse(POLL_YAML, "bench")
        poll_id = await polls.create(poll, status="open")
    finally:
        await store.close()
    return poll_id, poll


def build(path: Path, n: int) -> float:
    """Fill a new file with n ballots; return the seconds it took."""
    start = time.perf_counter()
    poll_id, poll = asyncio.run(create_poll(path))
    plan = make_plan(poll, poll_id)
    rng = random.Random(SEED)
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in BUILD_PRAGMAS:
            conn.execute(pragma)
        done = 0
        while done < n:
            k = min(BATCH, n - done)
            voters, ballots, answers = generate(plan, rng, k)
            conn.execute("BEGIN")
            conn.executemany(VOTER_SQL, voters)
            conn.executemany(BALLOT_SQL, ballots)
            conn.executemany(ANSWER_SQL, answers)
            conn.execute("COMMIT")
            done += k
            if done % (10 * BATCH) == 0 or done == n:
                took = time.perf_counter() - start
                print(f"  built {done:,} of {n:,} ballots ({took:.0f} s)", flush=True)
        conn.execute("PRAGMA journal_mode = WAL")  # as markbot leaves it
    finally:
        conn.close()
    return time.perf_counter() - start


def remove_db(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)


def existing(path: Path) -> tuple[str, int] | None:
    """(poll definition, ballots) of the benchmark poll in an existing file, else None."""
    if not path.exists():
        return None
    conn = sqlite3.connect(path)
    try:
        row = conn.execute("SELECT id, definition FROM polls WHERE code = ?", (CODE,)).fetchone()
        if row is None:
            return None
        (n,) = conn.execute("SELECT count(*) FROM ballots WHERE poll_id = ?", (row[0],)).fetchone()
        return row[1], n
    except sqlite3.DatabaseError:
        return None
    finally:
        conn.close()


def prepare(path: Path, n: int) -> str:
    """Reuse the file if it holds this poll with n ballots, else (re)build it; say which."""
    from prompts import load_catalog
    from services.pollfile import dump_poll, parse_poll

    poll = parse_poll(POLL_YAML, "bench", load_catalog().both("option_prefer_not_to_say"))
    found = existing(path)
    if found == (dump_poll(poll), n):
        return f"reused {path} ({n:,} ballots)"
    if found is None and path.exists():
        raise SystemExit(f"{path} exists and is not a benchmark database; not touching it")
    remove_db(path)
    print(f"building {n:,} ballots in {path} ...", flush=True)
    seconds = build(path, n)
    return f"built {path} ({n:,} ballots) in {seconds:.0f} s"


def poll_id_of(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT id FROM polls WHERE code = ?", (CODE,)).fetchone()[0])
    finally:
        conn.close()


def bare_query(path: Path, poll_id: int) -> int:
    """The tally's SQL with plain sqlite3, fetched completely; returns the row count."""
    conn = sqlite3.connect(path)
    try:
        return len(conn.execute(TALLY_SQL, (poll_id,)).fetchall())
    finally:
        conn.close()


Step = Callable[[], Awaitable[object]]


async def measure(path: Path, out_dir: Path) -> tuple[dict[str, list[float]], dict[str, int]]:
    """Warm every step once, then time each REPEATS times (interleaved); also output sizes."""
    from prompts import load_catalog
    from services.exports import RENDERERS
    from services.polls import PollService
    from services.reports import ReportService
    from storage.sqlite import SqliteStore

    store = SqliteStore(path)
    await store.open()
    try:
        catalog = load_catalog()
        polls = PollService(store, catalog)
        reports = ReportService(store, polls, catalog)
        found = await polls.by_code(CODE)
        assert found is not None
        row, poll = found
        dims = [q.id for q in poll.breakdowns]

        async def bare() -> int:
            return bare_query(path, row.id)

        def export(fmt: str) -> Step:
            return lambda: reports.export(
                CODE, fmt, out_dir / f"{CODE}{RENDERERS[fmt][0]}", MIN_CELL
            )

        steps: dict[str, Step] = {
            "bare": bare,
            # where an export's time goes: the store calls ReportService.results makes
            "tally": lambda: store.tally(row.id, dims),
            "has_paper": lambda: store.has_paper(row.id),
            "by_day": lambda: store.ballots_by_day(row.id),
            "results": lambda: reports.results(CODE, MIN_CELL),
        }
        steps |= {fmt: export(fmt) for fmt in RENDERERS}
        times: dict[str, list[float]] = {name: [] for name in steps}
        for repeat in range(REPEATS + 1):  # the first round warms the OS cache, untimed
            for name, step in steps.items():
                start = time.perf_counter()
                await step()
                if repeat:
                    times[name].append(time.perf_counter() - start)
        sizes = {fmt: (out_dir / f"{CODE}{RENDERERS[fmt][0]}").stat().st_size for fmt in RENDERERS}
        return times, sizes
    finally:
        await store.close()


async def export_once(path: Path, fmt: str, out_dir: Path) -> None:
    """One export as `markbot export` would make it: open the store, export, close."""
    from prompts import load_catalog
    from services.exports import RENDERERS
    from services.polls import PollService
    from services.reports import ReportService
    from storage.sqlite import SqliteStore

    store = SqliteStore(path)
    await store.open()
    try:
        catalog = load_catalog()
        reports = ReportService(store, PollService(store, catalog), catalog)
        await reports.export(CODE, fmt, out_dir / f"{CODE}{RENDERERS[fmt][0]}", MIN_CELL)
    finally:
        await store.close()


def child(fmt: str, path: Path) -> None:
    """Run one step in this (fresh) process; print its seconds and peak RSS as JSON."""
    with tempfile.TemporaryDirectory(prefix="markbench-out-") as tmp:
        start = time.perf_counter()
        if fmt == "bare":
            bare_query(path, poll_id_of(path))
        else:
            asyncio.run(export_once(path, fmt, Path(tmp)))
        seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "peak_kb": peak_kb()}))


def peak_kb() -> int:
    """This process image's peak RSS (VmHWM, KB).

    Not ru_maxrss: Linux carries that across fork and exec, so a child started by this (big)
    process reports at least the parent's size (the first version read 51 MB for the bare
    query, the parent's own size).
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise SystemExit("no VmHWM in /proc/self/status (Linux only)")


def in_child(fmt: str, path: Path) -> tuple[int, float]:
    """(peak RSS in KB, seconds) of one step in a fresh child process."""
    cmd = [sys.executable, "-m", "bench.export_scale", "--child", fmt, "--db", str(path)]
    done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child {fmt} failed with exit code {done.returncode}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return int(result["peak_kb"]), float(result["seconds"])


def mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB"


def report(
    n: int, times: dict[str, list[float]], sizes: dict[str, int], rss: dict[str, tuple[int, float]]
) -> None:
    """The table and the one-line summary."""
    bare = statistics.median(times["bare"])
    print(
        f"\n{'step':<8} {'median s':>9} {'x bare':>7}  {'runs (s)':<20} {'peak RSS':>9} "
        f"{'fresh s':>8} {'output':>10}"
    )
    for name, runs in times.items():
        med = statistics.median(runs)
        kb, fresh = rss.get(name, (0, 0.0))
        print(
            f"{name:<8} {med:>9.2f} {med / bare:>6.2f}x  {' '.join(f'{t:.2f}' for t in runs):<20} "
            f"{mb(kb) if kb else '-':>9} {f'{fresh:.2f}' if kb else '-':>8} "
            f"{f'{sizes[name] / 1024:.0f} KB' if name in sizes else '-':>10}"
        )
    formats = list(sizes)
    parts = [
        f"{f} {statistics.median(times[f]):.2f} s ({statistics.median(times[f]) / bare:.2f}x)"
        for f in formats
    ]
    peaks = ", ".join(f"{name} {mb(rss[name][0])}" for name in ("bare", *formats))
    print(f"\n{n:,} ballots: bare query {bare:.2f} s; {', '.join(parts)}; peak RSS {peaks}")
    slow = [f for f in formats if statistics.median(times[f]) > TARGET_RATIO * bare]
    big = [f for f in formats if rss[f][0] > TARGET_RSS_MB * 1024]
    print(
        f"targets: within {TARGET_RATIO:g}x of bare: {_verdict(slow)}; "
        f"peak RSS under {TARGET_RSS_MB} MB: {_verdict(big)}"
    )


def _verdict(missed: list[str]) -> str:
    return "missed by " + ", ".join(missed) if missed else "met"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.export_scale", description=__doc__)
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="database file (kept; reused if it fits)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database")
    parser.add_argument("--child", metavar="FORMAT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        if args.db is None:
            parser.error("--child needs --db")
        child(args.child, args.db)
        return 0
    if args.ballots < 1:
        parser.error("--ballots must be at least 1")
    tmp = Path(tempfile.mkdtemp(prefix="markbench-scale-"))
    path = (args.db or tmp / "scale.db").resolve()
    try:
        started = time.perf_counter()
        print(prepare(path, args.ballots), flush=True)
        times, sizes = asyncio.run(measure(path, tmp))
        rss = {name: in_child(name, path) for name in ("bare", *sizes)}
        report(args.ballots, times, sizes, rss)
        print(
            f"whole run {time.perf_counter() - started:.0f} s; "
            f"{os.cpu_count()} cores, Python {sys.version.split()[0]}, "
            f"SQLite {sqlite3.sqlite_version}"
        )
    finally:
        if args.keep and args.db is None:
            print(f"kept {path}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
