"""Ballots per second: markbot against a bare PTB bot, through the same Bot API stand-in.

``python -m bench.journey [--voters 200] [--repeats 3] [--json out.json]``

N simulated voters each take the whole ballot (``/start code``, Start, three answers, Send my
answers), waiting for the bot's reply before each next tap as a person would. The bot runs in
its own process pinned to one core; the stand-in and the voters run here, pinned to the other.
Runs alternate bare, markbot, bare, markbot... after one untimed warm-up of each, and every run
gets a fresh stand-in, a fresh bot process and (for markbot) a fresh database, so each starts
from the same state.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.botproc import RESULT_PREFIX
from bench.poll import CODE, TOKEN, bench_poll
from prompts import load_catalog
from services import screens
from services.callbacks import Callback, decode
from services.pollfile import Poll
from standin import ApiCall, BotApiStandin, BotOutput, FakeUser

ROOT = Path(__file__).resolve().parent.parent
SIDES = ("bare", "markbot")  # the default run
ALL_SIDES = ("bare", "bareaio", "shared", "markbot")  # in the order each round runs them
MESSAGE_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})
FIRST_USER_ID = 700_000_000
READY_TIMEOUT = 30.0  # seconds for a bot process to start long polling
STOP_TIMEOUT = 20.0
SETTLE = 0.3  # seconds after the first getUpdates, so start-up work is not timed


class BenchError(Exception):
    """The benchmark could not run or a voter did not get the expected screens."""


@dataclass
class RunResult:
    """One timed (or warm-up) run of one side."""

    label: str
    side: str
    voters: int
    seconds: float
    calls: dict[str, int]
    screen_chars: int  # texts and keyboards the bot sent, to show both sides send the same
    bot_cpu: float = 0.0  # CPU seconds the bot process used while timed
    bot_loop_cpu: float = 0.0  # ... of which its main thread (the event loop; the rest: SQLite)
    harness_cpu: float = 0.0  # CPU seconds this process (stand-in + voters) used while timed
    writer: dict[str, int] = field(default_factory=dict)
    db: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.voters / self.seconds

    @property
    def calls_per_ballot(self) -> float:
        return sum(self.calls.values()) / self.voters

    @property
    def message_calls_per_ballot(self) -> float:
        return sum(n for m, n in self.calls.items() if m in MESSAGE_METHODS) / self.voters


# --------------------------------------------------------------------------- voters


def _actions(out: BotOutput) -> dict[str, list[tuple[str, Callback]]]:
    """The reply's buttons grouped by what they do (decoded, as bot/demo.py does)."""
    found: dict[str, list[tuple[str, Callback]]] = {}
    markup = (out.message or {}).get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            cb = decode(button.get("callback_data"))
            if cb is not None:
                found.setdefault(cb.action, []).append((button["callback_data"], cb))
    return found


async def _reply(user: FakeUser, method: str, timeout: float) -> BotOutput:
    out = await user.next_output(timeout)
    if out.method != method:
        raise BenchError(f"voter {user.id}: expected {method}, got {out.method}: {out.plain!r}")
    return out


async def _tap(user: FakeUser, out: BotOutput, data: str, timeout: float) -> BotOutput:
    assert out.message is not None
    await user.press_data(data, message_id=out.message["message_id"])
    return await _reply(user, "editMessageText", timeout)


def _only(out: BotOutput, action: str, user: FakeUser) -> str:
    buttons = _actions(out).get(action)
    if not buttons:
        raise BenchError(f"voter {user.id}: no {action!r} button on {out.plain[:80]!r}")
    return buttons[0][0]


async def vote(
    user: FakeUser, poll: Poll, rng: random.Random, thanks: str, timeout: float
) -> float:
    """One whole ballot, avoiding ineligible answers; returns when the thank-you arrived."""
    await user.send_command("start", poll.code)
    out = await _reply(user, "sendMessage", timeout)
    data = _only(out, "go", user)
    for index, q in enumerate(poll.questions):
        out = await _tap(user, out, data, timeout)
        options = [
            (d, cb)
            for d, cb in _actions(out).get("a", [])
            if cb.step == str(index) and q.options[cb.arg or 0].id not in q.ineligible
        ]
        if not options:
            raise BenchError(f"voter {user.id}: expected question {index + 1}: {out.plain!r}")
        data = rng.choice(options)[0]
    out = await _tap(user, out, data, timeout)
    out = await _tap(user, out, _only(out, "ok", user), timeout)
    if out.message is None or out.message["text"] != thanks:
        raise BenchError(f"voter {user.id}: expected the thank-you screen, got {out.plain!r}")
    return time.perf_counter()


# --------------------------------------------------------------------------- the bot process


def _cpu_seconds(pid: int) -> tuple[float, float]:
    """User + system CPU of a process (all its threads) and of its main thread, from /proc."""

    def read(stat: str) -> float:
        fields = Path(stat).read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    return read(f"/proc/{pid}/stat"), read(f"/proc/{pid}/task/{pid}/stat")


def _log_tail(path: Path, lines: int = 15) -> str:
    with contextlib.suppress(OSError):
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    return ""


async def _wait_polling(
    standin: BotApiStandin, proc: asyncio.subprocess.Process, log: Path
) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + READY_TIMEOUT
    while not standin.calls_to("getUpdates"):
        if proc.returncode is not None:
            raise BenchError(f"the bot exited with {proc.returncode}:\n{_log_tail(log)}")
        if loop.time() > deadline:
            raise BenchError(
                f"the bot did not start polling in {READY_TIMEOUT}s:\n{_log_tail(log)}"
            )
        await asyncio.sleep(0.02)


async def _stop(proc: asyncio.subprocess.Process, log: Path) -> dict[str, Any]:
    """SIGTERM, wait for a clean exit and read the result line."""
    proc.send_signal(signal.SIGTERM)
    try:
        stdout, _ = await asyncio.wait_for(proc.communicate(), STOP_TIMEOUT)
    except TimeoutError:
        raise BenchError(f"the bot did not stop in {STOP_TIMEOUT}s:\n{_log_tail(log)}") from None
    if proc.returncode != 0:
        raise BenchError(f"the bot exited with {proc.returncode}:\n{_log_tail(log)}")
    for line in reversed(stdout.decode().splitlines()):
        if line.startswith(RESULT_PREFIX):
            return dict(json.loads(line[len(RESULT_PREFIX) :]))
    raise BenchError(f"the bot printed no result line:\n{_log_tail(log)}")


def _db_counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db.as_uri() + "?mode=ro", uri=True)
    try:
        ballots, voters = conn.execute(
            "SELECT (SELECT count(*) FROM ballots), (SELECT count(*) FROM voters)"
        ).fetchone()
    finally:
        conn.close()
    return {"ballots": int(ballots), "voters": int(voters)}


@dataclass
class Options:
    voters: int
    workdir: Path
    bot_core: int | None  # the core for the bot process; None: not pinned
    timeout: float
    profile_dir: Path | None = None


async def run_once(side: str, label: str, opts: Options) -> RunResult:
    """Start a fresh stand-in and bot process, let N voters vote, stop, check, count."""
    poll = bench_poll()
    thanks = screens.thanks(load_catalog(), poll, "en").text
    name = f"{label}-{side}"
    db, log = opts.workdir / f"{name}.db", opts.workdir / f"{name}.log"
    async with BotApiStandin(TOKEN, bot_username="markbot_bench_bot") as standin:
        users = [standin.user(FIRST_USER_ID + i, language_code="en") for i in range(opts.voters)]
        args = [side, "--api-url", standin.base_url, "--db", str(db)]
        if opts.bot_core is not None:
            args += ["--cpu", str(opts.bot_core)]
        if opts.profile_dir is not None:
            args += ["--profile", str(opts.profile_dir / f"{name}.prof")]
        with log.open("wb") as log_file:
            proc = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bench.botproc", *args,
                stdout=asyncio.subprocess.PIPE, stderr=log_file, cwd=ROOT,
            )  # fmt: skip
        try:
            await _wait_polling(standin, proc, log)
            await asyncio.sleep(SETTLE)
            first = len(standin.calls)
            (bot_cpu, loop_cpu), harness_cpu = _cpu_seconds(proc.pid), time.process_time()
            started = time.perf_counter()
            try:
                async with asyncio.TaskGroup() as group:
                    tasks = [
                        group.create_task(vote(u, poll, random.Random(i), thanks, opts.timeout))
                        for i, u in enumerate(users)
                    ]
            except ExceptionGroup as failed:
                first_error = failed.exceptions[0]
                raise BenchError(
                    f"{name}: {len(failed.exceptions)} voter(s) failed; the first: {first_error}"
                ) from None
            seconds = max(t.result() for t in tasks) - started
            (bot_end, loop_end), harness_end = _cpu_seconds(proc.pid), time.process_time()
            await standin.wait_idle(opts.timeout)  # the last taps' answerCallbackQuery
            # Read now: shutting down cancels the open long poll, which then records a 499.
            result = _result(side, label, opts.voters, seconds, standin.calls[first:])
            result.bot_cpu, result.bot_loop_cpu = bot_end - bot_cpu, loop_end - loop_cpu
            result.harness_cpu = harness_end - harness_cpu
            info = await _stop(proc, log)
        finally:
            if proc.returncode is None:
                proc.kill()
                await proc.wait()
    if side == "markbot":
        result.writer = {
            "batches": int(info["writer_batches"]),
            "operations": int(info["writer_operations"]),
        }
        result.db = _db_counts(db)
        if result.db != {"ballots": opts.voters, "voters": opts.voters}:
            raise BenchError(f"{name}: expected {opts.voters} ballots and voters, got {result.db}")
        pragmas = info["pragmas"]  # production durability: WAL, synchronous=FULL (2)
        if str(pragmas["journal_mode"]).lower() != "wal" or int(pragmas["synchronous"]) != 2:
            raise BenchError(f"{name}: markbot's database ran with {pragmas}")
    return result


def _result(side: str, label: str, voters: int, seconds: float, calls: list[ApiCall]) -> RunResult:
    """Count the calls of a run; any failed call fails the run."""
    failed = [f"{c.method} {c.status} {c.error}" for c in calls if c.error]
    if failed:
        raise BenchError(f"{label}-{side}: {len(failed)} Bot API call(s) failed: {failed[:3]}")
    sent = [c for c in calls if c.method in MESSAGE_METHODS]
    return RunResult(
        label=label,
        side=side,
        voters=voters,
        seconds=seconds,
        calls=dict(Counter(c.method for c in calls)),
        screen_chars=sum(
            len(str(c.params.get("text", ""))) + len(json.dumps(c.params.get("reply_markup")))
            for c in sent
        ),
    )


# --------------------------------------------------------------------------- the whole run


@contextlib.contextmanager
def _pinned(enabled: bool) -> Iterator[int | None]:
    """Pin this process to one core and give the bot another; yields the bot's core."""
    cores = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    if not enabled or len(cores) < 2:
        yield None
        return
    os.sched_setaffinity(0, {cores[0]})
    try:
        yield cores[1]
    finally:
        os.sched_setaffinity(0, set(cores))


def _row(r: RunResult) -> str:
    writer = f"{r.writer['batches']}/{r.writer['operations']}" if r.writer else "-"
    return (
        f"{r.label:<8} {r.side:<8} {r.voters:>6} {r.seconds:>7.2f} {r.rate:>9.1f} "
        f"{r.calls_per_ballot:>7.2f} {r.message_calls_per_ballot:>6.2f} "
        f"{r.screen_chars / r.voters:>7.0f} {r.bot_cpu / r.seconds:>4.0%} "
        f"{r.bot_loop_cpu / r.seconds:>4.0%} {r.harness_cpu / r.seconds:>5.0%} "
        f"{r.bot_cpu:>6.2f} {1000 * r.bot_cpu / r.voters:>8.1f}  {writer}"
    )


HEADER = (
    f"{'run':<8} {'side':<8} {'voters':>6} {'seconds':>7} {'ballots/s':>9} "
    f"{'calls/b':>7} {'msg/b':>6} {'chars/b':>7} {'bot':>4} {'loop':>4} {'harn':>5} "
    f"{'cpu s':>6} {'cpu ms/b':>8}  commits/writes"
)


def summarise(runs: list[RunResult], sides: tuple[str, ...]) -> dict[str, Any]:
    """Medians per side; markbot against each reference, overall and run by run (pairs)."""
    timed = [r for r in runs if r.label != "warm-up"]
    by_side = {s: [r for r in timed if r.side == s] for s in sides}
    rates = {s: statistics.median(r.rate for r in by_side[s]) for s in sides}
    cpu = {s: statistics.median(r.bot_cpu for r in by_side[s]) for s in sides}
    cpu_ms = {s: statistics.median(1000 * r.bot_cpu / r.voters for r in by_side[s]) for s in sides}
    refs = [s for s in sides if s != "markbot"]
    pairs = {
        ref: [m.rate / b.rate for b, m in zip(by_side[ref], by_side["markbot"], strict=True)]
        for ref in refs
    }

    def per_ballot(side: str, methods: frozenset[str] | None = None) -> float:
        rs = by_side[side]
        total = sum(n for r in rs for m, n in r.calls.items() if methods is None or m in methods)
        return total / sum(r.voters for r in rs)

    marks = by_side["markbot"]
    return {
        "ballots_per_s": rates,
        "ratio": rates["markbot"] / rates["bare"],
        "pair_ratios": pairs["bare"],
        "ratios": {ref: rates["markbot"] / rates[ref] for ref in refs},
        "pairs": pairs,
        "bot_cpu_s": cpu,
        "bot_cpu_ms_per_ballot": cpu_ms,
        "calls_per_ballot": {s: per_ballot(s) for s in sides},
        "message_calls_per_ballot": {s: per_ballot(s, MESSAGE_METHODS) for s in sides},
        "writer_ops_per_batch": sum(r.writer["operations"] for r in marks)
        / max(1, sum(r.writer["batches"] for r in marks)),
    }


def summary_lines(s: dict[str, Any]) -> list[str]:
    rates, msg, cpu = s["ballots_per_s"], s["message_calls_per_ballot"], s["bot_cpu_ms_per_ballot"]
    lines = []
    for ref, ratio in s["ratios"].items():
        pairs = " ".join(f"{p:.2f}" for p in s["pairs"][ref])
        lines.append(
            f"markbot {rates['markbot']:.1f} ballots/s, {ref} {rates[ref]:.1f} ballots/s, "
            f"ratio {ratio:.2f} (pairs: {pairs}); bot CPU per ballot: markbot "
            f"{cpu['markbot']:.1f} ms, {ref} {cpu[ref]:.1f} ms "
            f"({cpu['markbot'] / cpu[ref]:.2f}x)"
        )
    lines.append(
        "message calls per ballot: " + ", ".join(f"{side} {n:.1f}" for side, n in msg.items())
    )
    lines.append(
        "calls per ballot (all methods, incl. getUpdates): "
        + ", ".join(f"{side} {n:.2f}" for side, n in s["calls_per_ballot"].items())
        + f"; markbot writer: {s['writer_ops_per_batch']:.1f} operations per batch (commit)"
    )
    return lines


async def bench(repeats: int, sides: tuple[str, ...], opts: Options) -> list[RunResult]:
    # SIGTERM, like Ctrl-C, cancels the run, so each run_once stops its bot process.
    task = asyncio.current_task()
    assert task is not None
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, task.cancel)
    plan = [("warm-up", side) for side in sides]
    plan += [(str(n), side) for n in range(1, repeats + 1) for side in sides]
    runs = []
    print(HEADER, flush=True)
    for label, side in plan:
        result = await run_once(side, label, opts)
        runs.append(result)
        print(_row(result), flush=True)
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.journey", description=__doc__)
    parser.add_argument("--voters", type=int, default=200, help="concurrent voters per run")
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per side (>= 1)")
    parser.add_argument("--json", type=Path, help="write every run and the summary here")
    parser.add_argument("--no-pin", action="store_true", help="do not pin processes to cores")
    parser.add_argument("--timeout", type=float, default=60, help="seconds to wait per reply")
    parser.add_argument("--workdir", type=Path, help="keep databases and bot logs here")
    parser.add_argument("--profile", type=Path, help="folder for cProfile stats of each bot")
    parser.add_argument(
        "--sides",
        default=",".join(SIDES),
        help="comma-separated, from: bare (PTB as it comes), bareaio (the same on markbot's "
        "aiohttp transport), shared (markbot's PTB settings and renderer, no storage), markbot",
    )
    args = parser.parse_args(argv)
    if args.voters < 1 or args.repeats < 1:
        parser.error("--voters and --repeats must be at least 1")
    unknown = set(args.sides.split(",")) - set(ALL_SIDES)
    if unknown or not {"bare", "markbot"} <= set(args.sides.split(",")):
        parser.error(f"--sides: bare and markbot, and any of {ALL_SIDES} (not {unknown or ''})")
    os.environ.setdefault("PTB_TIMEDELTA", "1")
    with contextlib.ExitStack() as stack:
        workdir = args.workdir
        if workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="markbench-")))
        workdir.mkdir(parents=True, exist_ok=True)
        if args.profile is not None:
            args.profile.mkdir(parents=True, exist_ok=True)
        bot_core = stack.enter_context(_pinned(not args.no_pin))
        sides = tuple(s for s in ALL_SIDES if s in args.sides.split(","))
        opts = Options(args.voters, workdir, bot_core, args.timeout, args.profile)
        print(
            f"{args.voters} voters x 3 questions, {args.repeats} timed runs per side; "
            f"{os.cpu_count()} cores, bot pinned to core {bot_core}; database in {workdir}",
            flush=True,
        )
        try:
            runs = asyncio.run(bench(args.repeats, sides, opts))
        except BenchError as exc:
            print(f"bench: {exc}", file=sys.stderr)
            return 1
        except (KeyboardInterrupt, asyncio.CancelledError):  # the bot process is stopped
            print("bench: interrupted", file=sys.stderr)
            return 130
        summary = summarise(runs, sides)
        for line in summary_lines(summary):
            print(line)
    if args.json is not None:
        report = {
            "machine": {"cores": os.cpu_count(), "python": platform.python_version()},
            "options": {"voters": args.voters, "repeats": args.repeats, "code": CODE,
                        "pinned": bot_core is not None, "sides": sides},
            "runs": [asdict(r) | {"ballots_per_s": r.rate} for r in runs],
            "summary": summary,
        }  # fmt: skip
        args.json.write_text(json.dumps(report, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
