"""Two real `markbot run --webhook` processes on one PostgreSQL, behind a proxy, fed by the
stand-in's webhook delivery (issue 12, items 2, 3 and 5): the same update delivered to both
counts once; kill -9 of one process mid-vote loses no acknowledged ballot and counts none
twice; a broadcast with both running sends each subscriber one message, within Telegram's
overall rate."""

from __future__ import annotations

import asyncio
import os
import random
import signal
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bench.journey import _actions
from bench.poll import CODE, TOKEN, bench_poll
from bench.webhook import Fleet, markbots
from bot.app import Runtime, open_runtime
from bot.settings import Settings
from prompts import load_catalog
from services import screens
from services.broadcast import NOTIFY_CONTEXT
from services.identity import Hasher
from services.pollfile import Poll
from standin import BotApiStandin, FakeUser

OWNER = 9001
VOTED, THANKED, GAVE_UP = "voted before", "thanked", "gave up"


@pytest.fixture
async def standin() -> AsyncIterator[BotApiStandin]:
    async with BotApiStandin(TOKEN, bot_username="markbot_bench_bot") as server:
        yield server


async def persistent_vote(user: FakeUser, poll: Poll, seed: int, seconds: float = 90) -> str:
    """A voter who reacts to whatever screen arrives, and who, when the bot says nothing for a
    while (its process died with their tap), sends /start again, as a person would."""
    rng = random.Random(seed)
    thanks = screens.thanks(load_catalog(), poll, "en").text
    already = "already"
    deadline = time.monotonic() + seconds
    await user.send_command("start", poll.code)
    while time.monotonic() < deadline:
        try:
            out = await user.next_output(4.0)
        except TimeoutError:
            user.drain()
            await user.send_command("start", poll.code)
            continue
        if out.message is None:
            continue
        text = out.message.get("text", "")
        if text == thanks:
            return THANKED
        acts = _actions(out)
        message_id = out.message["message_id"]
        if "go" in acts:
            await user.press_data(acts["go"][0][0], message_id=message_id)
        elif "a" in acts:
            choices = [
                data
                for data, cb in acts["a"]
                if cb.step.isdigit()
                and poll.questions[int(cb.step)].options[cb.arg or 0].id
                not in poll.questions[int(cb.step)].ineligible
            ]
            await user.press_data(rng.choice(choices), message_id=message_id)
        elif "ok" in acts:
            await user.press_data(acts["ok"][0][0], message_id=message_id)
        elif already in text.lower():
            return VOTED
    return GAVE_UP


async def _runtime(pg_url: str, fleet: Fleet) -> Runtime:
    return await open_runtime(
        Settings(database_url=pg_url, key_file=fleet.key, _env_file=None)  # type: ignore[call-arg]
    )


async def _register(rt: Runtime) -> tuple[int, int]:
    """(ballots, voters) of the poll, read beside the processes."""
    loaded = await rt.services.polls.by_code(CODE)
    assert loaded is not None
    row = loaded[0]
    ballots = sum(n for _, n in await rt.store.ballots_by_day(row.id))
    channels = await rt.store.ballots_by_channel(row.id)
    assert sum(channels.values()) == ballots
    return ballots, row.id


async def test_the_same_update_delivered_to_both_processes_counts_once(
    standin: BotApiStandin, pg_url: str, tmp_path: Path
) -> None:
    poll = bench_poll()
    async with markbots(pg_url, 2, standin, tmp_path, "fan", fan_out=True) as fleet:
        users = [standin.user(720_000_000 + i, language_code="en") for i in range(10)]
        ends = await asyncio.gather(*(persistent_vote(u, poll, i) for i, u in enumerate(users)))
        await standin.wait_idle(10)
        rt = await _runtime(pg_url, fleet)
        try:
            ballots, poll_id = await _register(rt)
            hasher = Hasher(rt.key)
            for user in users:
                assert await rt.store.has_voted(poll_id, hasher.voter(CODE, user.id))
        finally:
            await rt.close()
        # each answers 200 (handled, or dropped as done) or 503 (the other is handling it now:
        # Telegram would retry, and the proxy passes on the other's 200)
        backends = Counter(b for b, status in fleet.proxy.forwarded if status in (200, 503))
    assert ends == [THANKED] * 10
    assert ballots == 10
    assert len(backends) == 2 and min(backends.values()) >= 10 * 6  # each had every update
    starts = Counter(c.params["chat_id"] for c in standin.calls_to("sendMessage"))
    assert set(starts.values()) == {1}  # no update answered twice, by either process
    edits = Counter(
        c.params["chat_id"]
        for c in standin.calls_to("editMessageText")
        if "Thank you" in str(c.params.get("text", ""))
    )
    assert set(edits.values()) == {1}


async def test_kill_9_of_one_process_mid_vote_loses_no_acknowledged_ballot(
    standin: BotApiStandin, pg_url: str, tmp_path: Path
) -> None:
    poll = bench_poll()
    # a short lease: an update the killed process had claimed is taken over within seconds
    lease = {"MARKBOT_WEBHOOK_LEASE_SECONDS": "3"}
    async with markbots(pg_url, 2, standin, tmp_path, "kill", extra_env=lease) as fleet:
        users = [standin.user(730_000_000 + i, language_code="en") for i in range(30)]
        voting = [asyncio.create_task(persistent_vote(u, poll, i)) for i, u in enumerate(users)]
        while sum(1 for c in standin.calls_to("editMessageText")) < 40:
            await asyncio.sleep(0.02)  # well into the vote: taps in flight in both processes
        os.kill(fleet.procs[0].pid, signal.SIGKILL)
        ends = await asyncio.gather(*voting)
        await standin.wait_idle(10)
        assert fleet.procs[0].returncode is None or fleet.procs[0].returncode == -9
        rt = await _runtime(pg_url, fleet)
        try:
            ballots, poll_id = await _register(rt)
            hasher = Hasher(rt.key)
            counted = [await rt.store.has_voted(poll_id, hasher.voter(CODE, u.id)) for u in users]
        finally:
            await rt.close()
    thanked = [u for u, end in zip(users, ends, strict=True) if end == THANKED]
    assert GAVE_UP not in ends
    # every ballot the bot acknowledged is counted; nobody is counted twice (one ballot per
    # registered voter); a ballot cast just before the kill, whose thank-you never came, is
    # counted once too ("voted before" when they tried again)
    assert all(c for u, c in zip(users, counted, strict=True) if u in thanked)
    assert ballots == sum(counted) == len(users)
    assert ends.count(VOTED) + len(thanked) == len(users)
    assert any(status == 0 for _, status in fleet.proxy.forwarded)  # the kill was felt


async def test_a_broadcast_with_two_processes_reaches_each_subscriber_once(
    standin: BotApiStandin, pg_url: str, tmp_path: Path
) -> None:
    ids = list(range(740_000_000, 740_000_080))
    for uid in ids:
        standin.user(uid)
    async with markbots(
        pg_url, 2, standin, tmp_path, "bc", extra_env={"MARKBOT_ADMINS": str(OWNER)}
    ) as fleet:
        rt = await _runtime(pg_url, fleet)
        try:
            await asyncio.gather(*(rt.services.subscriptions.add(uid, "en") for uid in ids))
        finally:
            await rt.close()
        owner = standin.user(OWNER, first_name="Pat")
        since = len(standin.calls)
        await owner.send_command("broadcast", CODE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            out = await owner.next_output(timeout=max(0.1, deadline - time.monotonic()))
            if "Finished telling subscribers" in out.plain:
                break
        await standin.wait_idle(10)
    sends = [
        c
        for c in standin.calls[since:]
        if c.method == "sendMessage" and c.params.get("chat_id") in set(ids)
    ]
    per_chat = Counter(c.params["chat_id"] for c in sends)
    assert per_chat == Counter(dict.fromkeys(ids, 1))
    times = sorted(c.at for c in sends)
    busiest = max(
        sum(1 for t in times if start <= t < start + 1.0) for start in times
    )  # any one-second window, across both processes
    assert busiest <= 30


async def test_two_processes_resuming_one_broadcast_send_it_once_and_at_one_rate(
    standin: BotApiStandin, pg_url: str, tmp_path: Path
) -> None:
    """A broadcast left unfinished (a restart of every process, say): both processes find it
    when they start, but only the holder of the lease sends it: each subscriber once, within
    Telegram's rate, and one final count for the staff."""
    ids = list(range(750_000_000, 750_000_300))
    for uid in ids:
        standin.user(uid)

    async def unfinished(key: Path) -> None:
        settings = Settings(database_url=pg_url, key_file=key, _env_file=None)  # type: ignore[call-arg]
        rt = await open_runtime(settings)
        try:
            await asyncio.gather(*(rt.services.subscriptions.add(uid, "en") for uid in ids))
            loaded = await rt.services.polls.by_code(CODE)
            assert loaded is not None
            notify = rt.services.subscriptions.cipher.seal(OWNER, NOTIFY_CONTEXT)
            made = await rt.store.broadcasts.create_broadcast(loaded[0].id, 1, notify, "en")
            assert made is not None and made[1] == len(ids)
        finally:
            await rt.close()

    owner = standin.user(OWNER, first_name="Pat")
    since = len(standin.calls)
    async with markbots(pg_url, 2, standin, tmp_path, "resume", before_start=unfinished):
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            sent = {
                c.params.get("chat_id")
                for c in standin.calls[since:]
                if c.method == "sendMessage" and c.status == 200
            }
            if set(ids) <= sent:
                break
            await asyncio.sleep(0.2)
        await standin.wait_idle(10)
    sends = [
        c
        for c in standin.calls[since:]
        if c.method == "sendMessage" and c.params.get("chat_id") in set(ids)
    ]
    assert Counter(c.params["chat_id"] for c in sends) == Counter(dict.fromkeys(ids, 1))
    times = sorted(c.at for c in sends)
    busiest = max(sum(1 for t in times if start <= t < start + 1.0) for start in times)
    assert busiest <= 30, busiest
    # One sender: one progress message and one final count for the staff, not one per process.
    finals = [o for o in owner.drain() if "Finished telling subscribers" in o.plain]
    assert len(finals) == 1
    assert f"Sent: {len(ids)}" in finals[0].plain
