"""Web ballots per second and page latency, beside the Telegram journey, in the same run.

    python -m bench.web [--voters 50] [--ballots 200] [--repeats 3] [--no-pin]

The web side is production code as a council runs it: ``markbot run`` with MARKBOT_WEB_PORT
and no token (the web alone), in a child process pinned to one core, on a fresh SQLite file
(WAL, synchronous=FULL). ``--voters`` browsers at once (each with its own cookie jar) cast
``--ballots`` whole ballots of bench/poll.py's three questions in open mode: the landing page,
Start, three questions, "Check your answers", Send and the confirmation page (every POST is
redirected to a GET, as a browser does: 12 requests a ballot). The Telegram side is
bench.journey's markbot run (the same poll, through the Bot API stand-in) in the same process
layout. Reported: ballots/s, the bot's CPU-seconds per ballot (the comparison that matters:
"a web ballot costs no more CPU than a Telegram ballot"), p50/p95 page latency (a POST and
the GET it redirects to count as one page), and the largest page.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from bench import journey
from bench.poll import POLL_YAML

CODE = "bench-poll"
WEB_POLL = POLL_YAML.replace(f"code: {CODE}\n", f"code: {CODE}\nweb: open\n")
ANSWERS = (("age", "14-16"), ("area", "north"), ("priority", "climate"))
_HIDDEN = re.compile(r'name="(csrf|token)" value="([^"]*)"')


@dataclass
class WebRun:
    label: str
    ballots: int
    seconds: float
    cpu: float  # the markbot process's CPU-seconds in the timed window
    latencies: list[float] = field(default_factory=list)
    largest_page: int = 0

    @property
    def per_second(self) -> float:
        return self.ballots / self.seconds

    @property
    def cpu_per_ballot(self) -> float:
        return self.cpu / self.ballots

    def p(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(db: Path) -> None:
    """Create the poll, open, through markbot's own CLI (what a worker does)."""
    folder = db.parent
    (folder / "poll.yaml").write_text(WEB_POLL, encoding="utf-8")
    env = {**os.environ, "MARKBOT_DB": str(db)}
    env.pop("MARKBOT_TOKEN", None)
    subprocess.run(
        [sys.executable, "-m", "bot.cli", "poll", "create", str(folder / "poll.yaml"), "--open"],
        env=env,
        check=True,
        capture_output=True,
    )


async def _start_web(db: Path, port: int, core: int | None, log: Path) -> Any:
    env = {
        **os.environ,
        "MARKBOT_DB": str(db),
        "MARKBOT_WEB_PORT": str(port),
        "MARKBOT_LOG_LEVEL": "INFO",
    }
    env.pop("MARKBOT_TOKEN", None)

    def pin() -> None:
        if core is not None:
            os.sched_setaffinity(0, {core})

    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env=env,
        stdout=log.open("wb"),
        stderr=asyncio.subprocess.STDOUT,
        preexec_fn=pin,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            async with aiohttp.ClientSession() as http, http.get(f"http://127.0.0.1:{port}/"):
                return proc
        except aiohttp.ClientError:
            await asyncio.sleep(0.1)
    proc.kill()
    raise journey.BenchError(f"the web server did not start:\n{journey._log_tail(log)}")


async def _ballot(base: str, run: WebRun) -> None:
    """One whole ballot in a new browser (its own cookie jar)."""
    jar = aiohttp.CookieJar(unsafe=True)
    async with aiohttp.ClientSession(cookie_jar=jar) as http:

        async def page(method: str, path: str, data: dict[str, str] | None = None) -> str:
            started = time.perf_counter()
            async with http.request(method, base + path, data=data) as resp:
                text = await resp.text()
                if resp.status != 200:
                    raise journey.BenchError(f"{method} {path}: {resp.status}")
            run.latencies.append(time.perf_counter() - started)
            run.largest_page = max(run.largest_page, len(text.encode()))
            return text

        text = await page("GET", f"/v/{CODE}")
        fields = dict(_HIDDEN.findall(text))
        text = await page("POST", f"/v/{CODE}/start", {"csrf": fields["csrf"]})
        for i, (_, answer) in enumerate(ANSWERS):
            fields = dict(_HIDDEN.findall(text))
            text = await page("POST", f"/v/{CODE}/q/{i}", {**fields, "answer": answer})
        if "Check your answers" not in text:
            raise journey.BenchError("the check page did not follow the last question")
        fields = dict(_HIDDEN.findall(text))
        text = await page("POST", f"/v/{CODE}/send", fields)
        if "Your answers have been sent" not in text:
            raise journey.BenchError("no confirmation page after Send")


async def run_web(label: str, voters: int, ballots: int, core: int | None) -> WebRun:
    folder = Path(tempfile.mkdtemp(prefix="markbench-web-"))
    db = folder / "markbot.db"
    _prepare(db)
    port = _free_port()
    proc = await _start_web(db, port, core, folder / "web.log")
    base = f"http://127.0.0.1:{port}"
    try:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for n in range(ballots):
            queue.put_nowait(n)
        run = WebRun(label, ballots, 0.0, 0.0)

        async def voter() -> None:
            while not queue.empty():
                queue.get_nowait()
                await _ballot(base, run)

        cpu0 = journey._cpu_seconds(proc.pid)[0]
        started = time.perf_counter()
        await asyncio.gather(*(voter() for _ in range(voters)))
        run.seconds = time.perf_counter() - started
        run.cpu = journey._cpu_seconds(proc.pid)[0] - cpu0
    finally:
        proc.terminate()
        await proc.wait()
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        counted = conn.execute("SELECT count(*) FROM ballots WHERE channel = 'web'").fetchone()[0]
    if counted != ballots:
        raise journey.BenchError(f"{counted} web ballots in the database, expected {ballots}")
    return run


async def bench(voters: int, ballots: int, repeats: int, pin: bool) -> dict[str, Any]:
    """Warm-up, then telegram, web, telegram, web, ... in one run; medians and ratios."""
    workdir = Path(tempfile.mkdtemp(prefix="markbench-"))
    rows: list[dict[str, Any]] = []
    with journey._pinned(pin) as core:
        for i in range(repeats + 1):
            label = "warm-up" if i == 0 else f"run {i}"
            opts = journey.Options(voters=ballots, workdir=workdir, bot_core=core, timeout=60)
            tg = await journey.run_once("markbot", label.replace(" ", ""), opts)
            web = await run_web(label, voters, ballots, core)
            row = {
                "label": label,
                "telegram_ballots_s": round(tg.rate, 1),
                "telegram_cpu_ms_per_ballot": round(1000 * tg.bot_cpu / tg.voters, 2),
                "web_ballots_s": round(web.per_second, 1),
                "web_cpu_ms_per_ballot": round(1000 * web.cpu_per_ballot, 2),
                "web_p50_ms": round(web.p(0.5), 1),
                "web_p95_ms": round(web.p(0.95), 1),
                "web_largest_page_bytes": web.largest_page,
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    timed = rows[1:]

    def med(key: str) -> float:
        return float(statistics.median(r[key] for r in timed))

    summary = {
        "voters_at_once": voters,
        "ballots_per_run": ballots,
        "runs": repeats,
        "telegram_cpu_ms_per_ballot": med("telegram_cpu_ms_per_ballot"),
        "web_cpu_ms_per_ballot": med("web_cpu_ms_per_ballot"),
        "web_over_telegram_cpu": round(
            med("web_cpu_ms_per_ballot") / med("telegram_cpu_ms_per_ballot"), 2
        ),
        "pairs": [
            round(r["web_cpu_ms_per_ballot"] / r["telegram_cpu_ms_per_ballot"], 2) for r in timed
        ],
        "web_ballots_s": med("web_ballots_s"),
        "telegram_ballots_s": med("telegram_ballots_s"),
        "web_p95_ms": med("web_p95_ms"),
        "web_largest_page_bytes": max(r["web_largest_page_bytes"] for r in timed),
        "rows": rows,
    }
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=50, help="browsers at once (default 50)")
    parser.add_argument("--ballots", type=int, default=200, help="ballots per run (default 200)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-pin", action="store_true", help="don't pin processes to cores")
    parser.add_argument("--json", type=Path, help="also write the summary here")
    args = parser.parse_args(argv)
    summary = asyncio.run(bench(args.voters, args.ballots, args.repeats, not args.no_pin))
    shown = {k: v for k, v in summary.items() if k != "rows"}
    print(json.dumps(shown, indent=2))
    if args.json:
        args.json.write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
