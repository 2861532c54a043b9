"""Results site at scale: `markbot site` against `markbot export --format csv`, same poll, same run.

``python -m bench.site_scale [--ballots 1000000] [--db PATH]``

The poll and its ballots are those of ``bench/export_scale.py`` (three breakdowns: age, area,
respondent type; a 10-topic headline and an optional "top 3"), built the same way and reused
from ``--db`` when it holds them. The one difference is in the poll's definition: the area
question gives a population per district and the poll a campaign tag, so the build writes the
turnout league too (the definition is updated in place; the ballots do not change).

In one process, each step once to warm the OS cache, then 3 timed rounds, interleaved, median:

- ``csv``: ``ReportService.export(code, "csv", ...)``, what ``markbot export`` does.
- ``site``: ``SiteService.build([code], out, ...)``, what ``markbot site`` does: every page in
  English and Welsh, and the downloads (csv, xlsx, json, png) in English and in Welsh.

Peak RSS of each comes from a fresh child process (``--child csv|site``), as in
``export_scale``. Targets: the site within 2x the CSV export's time, and within the exports'
memory bound (200 MB).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import export_scale as ex

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 2.0
TARGET_RSS_MB = ex.TARGET_RSS_MB
# young people aged 11-25 per district (made up: national scale, about 1 in 4.5 voted)
POPULATION = (
    "    population: {northfield: 945000, eastbrook: 720000, southmoor: 630000, westwick: 540000,"
    " city-centre: 495000, riverside: 405000, hillcrest: 270000, harbourside: 180000}\n"
)


def site_poll_yaml() -> str:
    """export_scale's poll, with populations for the areas and a campaign tag."""
    text = ex.POLL_YAML.replace("\nquestions:\n", "\ntags: [bench]\nquestions:\n", 1)
    anchor = "              Harbourside]\n    breakdown: true\n"
    if anchor not in text:
        raise SystemExit("bench/export_scale.py's poll changed: update POPULATION's anchor")
    return text.replace(anchor, anchor + POPULATION, 1)


def prepare(path: Path, n: int) -> str:
    """export_scale's database (built or reused), with the site's poll definition."""
    from prompts import load_catalog
    from services.pollfile import dump_poll, parse_poll

    labels = load_catalog().both("option_prefer_not_to_say")
    wanted = dump_poll(parse_poll(site_poll_yaml(), "bench", labels))
    if ex.existing(path) == (wanted, n):
        return f"reused {path} ({n:,} ballots)"
    found = ex.existing(path)
    if found is not None and found[1] == n:
        said = f"reused {path} ({n:,} ballots)"
    else:
        if found is not None:  # another definition or size: export_scale's own rules apply
            conn = sqlite3.connect(path)
            try:  # the export poll's definition, so export_scale.prepare sees its own file
                conn.execute(
                    "UPDATE polls SET definition = ? WHERE code = ?",
                    (dump_poll(parse_poll(ex.POLL_YAML, "bench", labels)), ex.CODE),
                )
                conn.commit()
            finally:
                conn.close()
        said = ex.prepare(path, n)
    conn = sqlite3.connect(path)
    try:
        conn.execute("UPDATE polls SET definition = ? WHERE code = ?", (wanted, ex.CODE))
        conn.commit()
    finally:
        conn.close()
    return said + "; the poll given populations and a tag"


async def _open(path: Path):  # type: ignore[no-untyped-def]
    from prompts import load_catalog
    from services.polls import PollService
    from services.reports import ReportService
    from services.site import SiteService
    from storage.sqlite import SqliteStore

    store = SqliteStore(path)
    await store.open()
    catalog = load_catalog()
    polls = PollService(store, catalog)
    reports = ReportService(store, polls, catalog)
    return store, reports, SiteService(reports, polls, catalog)


async def measure(
    path: Path, out: Path, repeats: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """Warm each step once, then time each ``repeats`` times, interleaved: wall seconds, and
    CPU seconds of the whole process (every thread: SQLite runs on aiosqlite's), which a
    machine shared with other jobs disturbs much less."""
    store, reports, site = await _open(path)
    try:
        steps = {
            "csv": lambda: reports.export(ex.CODE, "csv", out / "export.csv", ex.MIN_CELL),
            "site": lambda: site.build([ex.CODE], out / "site", ex.MIN_CELL),
        }
        times: dict[str, list[float]] = {name: [] for name in steps}
        cpu: dict[str, list[float]] = {name: [] for name in steps}
        for repeat in range(repeats + 1):
            for name, step in steps.items():
                start, start_cpu = time.perf_counter(), time.process_time()
                await step()
                if repeat:
                    times[name].append(time.perf_counter() - start)
                    cpu[name].append(time.process_time() - start_cpu)
        return times, cpu
    finally:
        await store.close()


async def _once(path: Path, step: str, out: Path) -> int:
    store, reports, site = await _open(path)
    try:
        if step == "csv":
            await reports.export(ex.CODE, "csv", out / "export.csv", ex.MIN_CELL)
            return 1
        return len(await site.build([ex.CODE], out / "site", ex.MIN_CELL))
    finally:
        await store.close()


def child(step: str, path: Path) -> None:
    """One step in this fresh process: print its seconds, files and peak RSS as JSON."""
    with tempfile.TemporaryDirectory(prefix="markbench-site-") as tmp:
        start = time.perf_counter()
        files = asyncio.run(_once(path, step, Path(tmp)))
        seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "files": files, "peak_kb": ex.peak_kb()}))


def in_child(step: str, path: Path) -> dict[str, float]:
    cmd = [sys.executable, "-m", "bench.site_scale", "--child", step, "--db", str(path)]
    done = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"child {step} failed with exit code {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.site_scale", description=__doc__)
    parser.add_argument("--ballots", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="database file (kept; reused if it fits)")
    parser.add_argument("--repeats", type=int, default=ex.REPEATS)
    parser.add_argument("--child", metavar="STEP", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        if args.db is None:
            parser.error("--child needs --db")
        child(args.child, args.db)
        return 0
    tmp = Path(tempfile.mkdtemp(prefix="markbench-site-"))
    path = (args.db or tmp / "scale.db").resolve()
    try:
        started = time.perf_counter()
        print(prepare(path, args.ballots), flush=True)
        times, cpu = asyncio.run(measure(path, tmp, args.repeats))
        fresh = {step: in_child(step, path) for step in ("csv", "site")}
        csv_s, site_s = (statistics.median(times[s]) for s in ("csv", "site"))
        csv_c, site_c = (statistics.median(cpu[s]) for s in ("csv", "site"))
        print(
            f"\n{'step':<5} {'median s':>9} {'x csv':>6} {'cpu s':>6} {'x csv':>6}  "
            f"{'runs (s)':<30} {'peak RSS':>9} {'fresh s':>8} {'files':>6}"
        )
        for step, med, med_cpu in (("csv", csv_s, csv_c), ("site", site_s, site_c)):
            f = fresh[step]
            print(
                f"{step:<5} {med:>9.2f} {med / csv_s:>5.2f}x {med_cpu:>6.2f} "
                f"{med_cpu / csv_c:>5.2f}x  {' '.join(f'{t:.2f}' for t in times[step]):<30} "
                f"{ex.mb(int(f['peak_kb'])):>9} {f['seconds']:>8.2f} {int(f['files']):>6}"
            )
        csv_kb, site_kb = (int(fresh[s]["peak_kb"]) for s in ("csv", "site"))
        print(
            f"\n{args.ballots:,} ballots: csv export {csv_s:.2f} s ({csv_c:.2f} s CPU), "
            f"site {site_s:.2f} s ({site_c:.2f} s CPU): {site_s / csv_s:.2f}x wall, "
            f"{site_c / csv_c:.2f}x CPU; peak RSS csv {ex.mb(csv_kb)}, site {ex.mb(site_kb)}"
        )
        slow = site_s > TARGET_RATIO * csv_s
        big = site_kb > TARGET_RSS_MB * 1024
        print(
            f"targets: site within {TARGET_RATIO:g}x of the csv export: "
            f"{'missed' if slow else 'met'}; peak RSS under {TARGET_RSS_MB} MB: "
            f"{'missed' if big else 'met'}"
        )
        print(
            f"whole run {time.perf_counter() - started:.0f} s; {os.cpu_count()} cores, "
            f"Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
