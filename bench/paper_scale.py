"""Paper import at national scale: ``markbot paper add`` against a bare insert of the same file.

``python -m bench.paper_scale [--ballots 1000000] [--repeats 1] [--workdir DIR]``

Writes a per-ballot paper CSV of N ballots for the Make Your Mark-sized poll of
``bench/export_scale.py`` (three breakdowns, a 10-topic headline, an optional "top 3"; about 6.2
answers per ballot), then, each in a fresh child process on a fresh copy of the same empty
database, alternating: ``bare`` (plain sqlite3, no checks, the best order for SQLite: see
``bare``) and ``markbot`` (``bot.cli.main(["paper", "add", ...])``,
exactly what ``markbot paper add`` runs). Each child reports its wall time, CPU time and peak RSS
(VmHWM); the parent checks that both databases hold the same ballots and answers.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from bench.export_scale import CODE, create_poll, generate, make_plan, peak_kb

ROOT = Path(__file__).resolve().parent.parent
SEED = 2027
CHUNK = 50_000  # ballots generated at a time while writing the CSV
BARE_BATCH = 5_000
TARGET_SECONDS = 60.0
TARGET_RSS_MB = 200
PRAGMAS = ("PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL", "PRAGMA foreign_keys = ON")
COLUMNS = ("age", "area", "type", "priority", "top3")


def write_csv(path: Path, db: Path, n: int) -> None:
    """N ballots as an officer would send them: option labels, "top 3" separated by ';'."""
    poll_id, poll = asyncio.run(create_poll(db))
    plan = make_plan(poll, poll_id)
    labels = {(q.id, o.id): o.label["en"] for q in poll.questions for o in q.options}
    rng = random.Random(SEED)
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f)
        out.writerow(COLUMNS)
        done = 0
        while done < n:
            k = min(CHUNK, n - done)
            _, ballots, answers = generate(plan, rng, k)
            by_ballot: dict[object, dict[str, list[str]]] = {b[0]: {} for b in ballots}
            for ballot_id, _, q, o, *_ in answers:
                by_ballot[ballot_id].setdefault(str(q), []).append(labels[(str(q), str(o))])
            for cells in by_ballot.values():
                out.writerow([";".join(cells.get(c, [])) for c in COLUMNS])
            done += k


def bare(csv_path: Path, db: Path) -> int:
    """The floor: plain sqlite3, no checks, the best order SQLite could ask for.

    Cells are looked up in a dict, ballot ids count up (every insert is an append), and the
    tally index is dropped first and built again at the end, in one transaction.
    """
    conn = sqlite3.connect(db, isolation_level=None)
    for pragma in PRAGMAS:
        conn.execute(pragma)
    poll_id, definition = conn.execute(
        "SELECT id, definition FROM polls WHERE code = ?", (CODE,)
    ).fetchone()
    (index_sql,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'answers_tally'"
    ).fetchone()
    questions = json.loads(definition)["questions"]
    lookup = {q["id"]: {o["label"]["en"]: o["id"] for o in q["options"]} for q in questions}
    dims = [q["id"] for q in questions if q.get("breakdown")]
    n = 0
    ballots: list[tuple[object, ...]] = []
    answers: list[tuple[object, ...]] = []
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("DROP INDEX answers_tally")
    with csv_path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        for row in reader:
            ballot_id = f"{n:020x}"
            ballots.append((ballot_id, poll_id, "2026-12-01", "paper", None, None))
            picked = [
                (q, [lookup[q][v] for v in cell.split(";")])
                for q, cell in zip(header, row, strict=True)
                if cell
            ]
            grp = "&".join(
                sorted([f"{q}={ids[0]}" for q, ids in picked if q in dims] + ["channel=paper"])
            )
            for q, ids in picked:
                for i, o in enumerate(ids):
                    answers.append((ballot_id, poll_id, q, o, None, grp, i == 0))
            n += 1
            if len(ballots) >= BARE_BATCH:
                _bare_flush(conn, ballots, answers)
    _bare_flush(conn, ballots, answers)
    conn.execute(index_sql)
    conn.execute("COMMIT")
    conn.close()
    return n


def _bare_flush(
    conn: sqlite3.Connection, ballots: list[tuple[object, ...]], answers: list[tuple[object, ...]]
) -> None:
    conn.executemany(
        "INSERT INTO ballots (id, poll_id, cast_on, channel, session_id, lang)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        ballots,
    )
    conn.executemany(
        "INSERT INTO answers (ballot_id, poll_id, question, option, rank, grp, lead)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        answers,
    )
    ballots.clear()
    answers.clear()


class RunQueue(threading.Thread):
    """How long this process's threads waited for a free core (Linux schedstat, sampled).

    /proc/self/task/<tid>/schedstat holds each thread's time on a core and time ready but
    waiting for one; threads that have ended drop out, so each thread's last reading is kept.
    On a busy machine that wait, not disk, is most of the gap between wall and CPU time.
    """

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.last: dict[str, int] = {}
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(0.2):
            self.read()

    def read(self) -> None:
        for task in Path("/proc/self/task").iterdir():
            with contextlib.suppress(OSError, ValueError, IndexError):
                self.last[task.name] = int((task / "schedstat").read_text().split()[1])

    def seconds(self) -> float:
        self.done.set()
        self.read()
        return sum(self.last.values()) / 1e9


def child(side: str, csv_path: Path, db: Path) -> None:
    """One import in this fresh process; print seconds, CPU seconds and peak RSS as JSON."""
    held: list[float] = []
    queue = RunQueue()
    queue.start()
    start, cpu = time.perf_counter(), time.process_time()
    if side == "bare":
        bare(csv_path, db)
    else:
        import storage.sqlite
        from bot.cli import main

        publish = storage.sqlite._publish_paper

        def timed(*args: object) -> int:  # how long the writer is held (votes wait that long)
            began = time.perf_counter()
            try:
                return publish(*args)  # type: ignore[arg-type]
            finally:
                held.append(time.perf_counter() - began)

        storage.sqlite._publish_paper = timed  # type: ignore[assignment]
        os.environ["MARKBOT_DB"] = str(db)
        os.environ["MARKBOT_KEY_FILE"] = str(db.with_suffix(".key"))
        code = main(["paper", "add", CODE, str(csv_path)])
        if code != 0:
            raise SystemExit(f"markbot paper add exited with {code}")
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    result = {
        "seconds": seconds,
        "cpu": cpu,
        "peak_kb": peak_kb(),
        "held": sum(held),
        "queued": queue.seconds(),
    }
    print(json.dumps(result))


def run_child(side: str, csv_path: Path, db: Path) -> dict[str, float]:
    cmd = [sys.executable, "-m", "bench.paper_scale", "--child", side]
    cmd += ["--csv", str(csv_path), "--db", str(db)]
    done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child {side} failed with exit code {done.returncode}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def contents(db: Path) -> tuple[int, int, list[tuple[object, ...]]]:
    """(ballots, answers, tally) of a database, for comparing the two sides."""
    conn = sqlite3.connect(db)
    try:
        (b,) = conn.execute("SELECT count(*) FROM ballots WHERE channel = 'paper'").fetchone()
        (a,) = conn.execute("SELECT count(*) FROM answers").fetchone()
        tally = conn.execute(
            "SELECT question, grp, option, count(*), sum(lead) FROM answers"
            " GROUP BY question, grp, option ORDER BY 1, 2, 3"
        ).fetchall()
        return int(b), int(a), tally
    finally:
        conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="keep the CSV and databases here")
    parser.add_argument("--child", choices=("bare", "markbot"), help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.csv, args.db)
        return
    began = time.perf_counter()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="markbench-paper-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        empty, csv_path, marker = work / "empty.db", work / "paper.csv", work / "paper.csv.n"
        if marker.exists() and marker.read_text() == str(args.ballots) and empty.exists():
            print(f"reusing {csv_path} ({args.ballots:,} ballots)", flush=True)
        else:
            for p in (empty, csv_path, marker):
                p.unlink(missing_ok=True)
            print(f"writing {args.ballots:,} ballots to {csv_path} ...", flush=True)
            write_csv(csv_path, empty, args.ballots)
            marker.write_text(str(args.ballots))
        size = csv_path.stat().st_size
        print(f"  {size / 1e6:.0f} MB in {time.perf_counter() - began:.0f} s", flush=True)
        runs: dict[str, list[dict[str, float]]] = {"bare": [], "markbot": []}
        seen: dict[str, tuple[int, int, list[tuple[object, ...]]]] = {}
        print(
            f"\n{'run':<4} {'side':<8} {'seconds':>8} {'cpu s':>7} {'queued s':>9}"
            f" {'peak RSS':>9} {'writer held s':>14}"
        )
        for r in range(1, args.repeats + 1):
            for side in ("bare", "markbot"):
                db = work / f"{side}.db"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
                shutil.copy(empty, db)
                result = run_child(side, csv_path, db)
                runs[side].append(result)
                seen[side] = contents(db)
                held = f"{result.get('held', 0.0):.1f}" if side == "markbot" else "-"
                print(
                    f"{r:<4} {side:<8} {result['seconds']:8.1f} {result['cpu']:7.1f}"
                    f" {result.get('queued', 0.0):9.1f} {result['peak_kb'] / 1024:6.0f} MB"
                    f" {held:>14}",
                    flush=True,
                )
        if seen["bare"] != seen["markbot"] or seen["bare"][0] != args.ballots:
            raise SystemExit("the two sides stored different ballots or answers")
        med = {s: statistics.median(r["seconds"] for r in runs[s]) for s in runs}
        cpu = {s: statistics.median(r["cpu"] for r in runs[s]) for s in runs}
        rss = {s: max(r["peak_kb"] for r in runs[s]) / 1024 for s in runs}
        ok_time = med["markbot"] <= TARGET_SECONDS
        ok_rss = rss["markbot"] < TARGET_RSS_MB
        print(
            f"\n{args.ballots:,} ballots ({seen['bare'][1]:,} answers, CSV {size / 1e6:.0f} MB):"
            f" markbot {med['markbot']:.1f} s, bare {med['bare']:.1f} s"
            f" ({med['markbot'] / med['bare']:.2f}x); CPU markbot {cpu['markbot']:.1f} s,"
            f" bare {cpu['bare']:.1f} s ({cpu['markbot'] / cpu['bare']:.2f}x);"
            f" peak RSS markbot {rss['markbot']:.0f} MB,"
            f" bare {rss['bare']:.0f} MB; markbot held the writer (votes wait) for"
            f" {statistics.median(r.get('held', 0.0) for r in runs['markbot']):.1f} s"
        )
        print(
            f"targets: {TARGET_SECONDS:.0f} s: {'met' if ok_time else 'NOT met'};"
            f" under {TARGET_RSS_MB} MB: {'met' if ok_rss else 'NOT met'}"
        )
        print(
            f"whole run {time.perf_counter() - began:.0f} s; {os.cpu_count()} cores,"
            f" Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version};"
            f" load average {os.getloadavg()[0]:.1f}"
        )
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
