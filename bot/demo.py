"""``markbot demo``: a class of simulated young people votes through the real bot, offline.

Everything runs in this process: the Bot API stand-in on 127.0.0.1, the real handlers over
real HTTP, a throwaway database and key. Then the ranked tally is printed and a CSV written.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from pathlib import Path
from typing import IO

from bot.app import build_application, open_runtime, serve
from bot.settings import Settings
from prompts import template_paths
from services.callbacks import Callback, decode
from services.pollfile import Poll, pick
from standin import BotApiStandin, FakeUser

DEMO_TOKEN = "123456:DEMO-TOKEN"
FIRST_NAMES = ("Amara", "Ben", "Cerys", "Dylan", "Ella", "Finn", "Grace", "Harri", "Isla", "Jac")


class DemoError(Exception):
    pass


def _buttons(user: FakeUser) -> dict[str, list[tuple[str, Callback]]]:
    """The newest message's buttons, grouped by what they do (decoded, not read as words)."""
    msg = user.last_bot_message()
    by_action: dict[str, list[tuple[str, Callback]]] = {}
    markup = (msg or {}).get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            cb = decode(button.get("callback_data"))
            if cb is not None:
                by_action.setdefault(cb.action, []).append((button["callback_data"], cb))
    return by_action


REPLY_SECONDS = 30  # a demo is not a latency test: a busy machine may be slow to answer


async def _tap(user: FakeUser, data: str) -> None:
    await user.press_data(data)
    await user.next_output(timeout=REPLY_SECONDS)


async def _vote(user: FakeUser, poll: Poll, rng: random.Random) -> str:
    """One young person's journey, tapping like a person would; returns how it ended."""
    await user.send_command("start", poll.code)
    await user.next_output(timeout=REPLY_SECONDS)
    await _tap(user, _buttons(user)["go"][0][0])
    while True:
        buttons = _buttons(user)
        if "ok" in buttons:
            await _tap(user, buttons["ok"][0][0])
            return "counted"
        if not buttons:  # the polite end for an out-of-range answer
            return "ineligible"
        step = next(cb.step for group in buttons.values() for _, cb in group)
        q = poll.questions[int(step)]
        if q.kind == "text":
            if rng.random() < 0.6 or "sk" not in buttons:
                await user.send_text(rng.choice(DEMO_REASONS))
                await user.next_output(timeout=REPLY_SECONDS)
            else:
                await _tap(user, buttons["sk"][0][0])
        elif q.kind == "choice":
            # most of a class is in the age range; now and then someone is not. Telegram is
            # for 16 and over, so its voters pick answers that may use it.
            barred = set(q.ineligible) | set(q.not_on_telegram)
            eligible = [b for b in buttons["a"] if q.options[b[1].arg or 0].id not in barred]
            await _tap(user, rng.choice(buttons["a"] if rng.random() < 0.05 else eligible)[0])
        else:
            picks = rng.sample(buttons["a"], k=min(q.limit, len(buttons["a"]), rng.randint(1, 3)))
            for data, _ in picks:
                await _tap(user, data)
            await _tap(user, _buttons(user)["dn"][0][0])


DEMO_REASONS = (
    "Because lots of my friends feel stressed about exams",
    "There is nothing to do in my town after school",
    "The buses are too expensive and never on time",
    "I worry about the climate and the future",
    "People at school get picked on and nobody helps",
)


async def run_demo(voters: int, template: str, out_dir: Path | None, out: IO[str]) -> int:
    """Run the demo and print where its CSV went."""
    paths = {p.stem: p for p in template_paths()}
    if template not in paths:
        raise DemoError(f"no template {template!r}; choose from {', '.join(paths)}")
    folder = out_dir or Path(tempfile.mkdtemp(prefix="markbot-demo-"))
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "demo.db"
    for stale in folder.glob("demo.db*"):
        stale.unlink()
    async with BotApiStandin(DEMO_TOKEN) as standin:
        settings = Settings(db=db, api_url=standin.base_url, min_cell=5)
        runtime = await open_runtime(settings)
        try:
            poll = runtime.services.polls.load_file(paths[template])
            await runtime.services.polls.create(poll, status="open")
            app = build_application(settings, DEMO_TOKEN, runtime.services)
            stop = asyncio.Event()
            server = asyncio.create_task(serve(app, stop, poll_timeout=1))
            rng = random.Random(2026)
            users = [
                standin.user(10_000 + i, rng.choice(FIRST_NAMES), language_code="en")
                for i in range(voters)
            ]
            print(f"{voters} young people are voting in '{pick(poll.title, 'en')}'...", file=out)
            endings = await asyncio.gather(
                *(_vote(u, poll, random.Random(i)) for i, u in enumerate(users))
            )
            stop.set()
            await server
            results = await runtime.services.reports.results(poll.code, 0)
            csv_path = await runtime.services.reports.export(poll.code, "csv", folder, 5)
        finally:
            await runtime.close()
    counted = endings.count("counted")
    print(
        f"{counted} ballots counted, {endings.count('ineligible')} ended as out of age range",
        file=out,
    )
    for q in poll.questions:
        table = next((t for t in results.tables if t.question == q.id and not t.dimension), None)
        if table is None or q.breakdown:
            continue
        print(f"\n{pick(q.text, 'en')} ({table.respondents} answered)", file=out)
        for rank, cell in enumerate(table.cells, start=1):
            print(f"  {rank:>2}. {cell.label:<32} {cell.count:>4}  {cell.share:6.1%}", file=out)
    print(f"\nCSV (small numbers suppressed below 5): {csv_path}", file=out)
    print(f"Database: {db}", file=out)
    return 0
