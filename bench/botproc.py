"""One bot under test in its own process: ``python -m bench.botproc SIDE --api-url URL``.

Its own process so it has a core to itself (``--cpu``) while the stand-in and the voters run
in the benchmark's process. Both sides are served by markbot's own ``serve`` (same long-polling
settings) with production logging. SIGTERM or SIGINT stops it; the last stdout line is
``BOTPROC {json}`` with markbot's writer batching, which is only visible inside this process.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import ctypes
import json
import os
import signal
from pathlib import Path
from typing import Any

from bench.bare_bot import build_bare_application
from bench.poll import POLL_YAML, TOKEN, bench_poll
from bench.shared_bot import build_shared_application
from bot.app import build_application, open_runtime, serve
from bot.logs import setup_logging
from bot.settings import Settings

RESULT_PREFIX = "BOTPROC "


async def run(side: str, api_url: str, db: Path, poll_timeout: float) -> dict[str, Any]:
    """Serve until signalled; return what the benchmark should know about the run."""
    settings = Settings(
        db=db,
        key_file=db.with_name(db.name + ".key"),
        api_url=api_url,
        _env_file=None,  # type: ignore[call-arg]
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    result: dict[str, Any] = {"side": side, "concurrency": settings.concurrency}
    if side in ("bare", "bareaio"):
        bare = build_bare_application(
            TOKEN, api_url, bench_poll(), settings.concurrency, aiohttp=side == "bareaio"
        )
        await serve(bare, stop, poll_timeout=poll_timeout)
        return result
    if side == "shared":
        shared = build_shared_application(settings, TOKEN, bench_poll())
        await serve(shared, stop, poll_timeout=poll_timeout)
        return result
    runtime = await open_runtime(settings)
    try:
        poll = runtime.services.polls.parse(POLL_YAML, "bench")
        await runtime.services.polls.create(poll, status="open")
        before = runtime.store.writer_stats
        app = build_application(settings, TOKEN, runtime.services)
        await serve(app, stop, poll_timeout=poll_timeout)
        batches, operations = runtime.store.writer_stats
        result["writer_batches"] = batches - before[0]
        result["writer_operations"] = operations - before[1]
        result["pragmas"] = await runtime.store.pragmas()
    finally:
        await runtime.close()
    return result


def _die_with_parent() -> None:
    """Never outlive the benchmark, even if it is killed outright (Linux PR_SET_PDEATHSIG)."""
    parent = os.getppid()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)
    if os.getppid() != parent:  # it died before prctl took effect
        raise SystemExit(1)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.botproc", description=__doc__)
    parser.add_argument("side", choices=("markbot", "bare", "bareaio", "shared"))
    parser.add_argument("--api-url", required=True, help="the stand-in's base_url (ends in /bot)")
    parser.add_argument("--db", type=Path, required=True, help="SQLite file (markbot only)")
    parser.add_argument("--poll-timeout", type=float, default=30, help="long-poll seconds")
    parser.add_argument("--cpu", type=int, help="pin this process (and its threads) to one CPU")
    parser.add_argument("--profile", type=Path, help="write cProfile stats here")
    args = parser.parse_args(argv)
    _die_with_parent()
    os.environ.setdefault("PTB_TIMEDELTA", "1")  # as bot.app does: no RetryAfter warnings
    if args.cpu is not None:
        os.sched_setaffinity(0, {args.cpu})  # before any thread exists, so all inherit it
    setup_logging("INFO", [TOKEN])  # what 'markbot run' uses, for both sides
    profiler = cProfile.Profile() if args.profile else None
    with contextlib.ExitStack() as stack:
        if profiler is not None:
            stack.enter_context(profiler)
        result = asyncio.run(run(args.side, args.api_url, args.db, args.poll_timeout))
    if profiler is not None:
        profiler.dump_stats(args.profile)
    print(RESULT_PREFIX + json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
