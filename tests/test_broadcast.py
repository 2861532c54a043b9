"""Opt-in messages about new polls: yes/no/stop at the end of a journey, and /broadcast, which
is paced, honours 429s, removes people who blocked the bot and resumes after a restart without
sending anyone the message twice (every test on SQLite and on PostgreSQL: conftest's
``database_url``)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any

import pytest
from conftest import SIMPLE_POLL, Harness, make_settings, start_markbot, vote

from bot.app import Runtime, open_runtime
from bot.keys import load_or_create_key
from bot.settings import Settings
from services.broadcast import (
    FAILED,
    LEASE,
    MAX_FLOOD_RETRIES,
    SENT,
    BroadcastService,
    Channel,
    Delivery,
    retry,
)
from services.identity import Hasher
from standin import ApiCall, BotApiStandin, BotOutput, FakeUser, Fault
from storage.open import open_store
from tests.stored import assert_nowhere, count, rows

OWNER = 9001
ANSWERS = ["13-15", "North", "Climate"]
DONE = "Finished telling subscribers"


@pytest.fixture
def staff_settings(standin: BotApiStandin, tmp_path: Path, database_url: str | None) -> Settings:
    """The harness's settings with an owner, on this run's backend."""
    return make_settings(
        tmp_path, database_url, api_url=standin.base_url, admins=(OWNER,), min_cell=5
    )


@pytest.fixture
async def staffed(standin: BotApiStandin, staff_settings: Settings) -> AsyncIterator[Harness]:
    harness = await start_markbot(standin, staff_settings)
    try:
        yield harness
    finally:
        await harness.shutdown()


async def _until_finished(user: FakeUser, timeout: float = 60.0) -> list[BotOutput]:
    """Everything the bot did in the staff chat up to and including the final count."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    seen = []
    while True:
        out = await user.next_output(timeout=max(0.1, deadline - loop.time()))
        seen.append(out)
        if out.method == "sendMessage" and DONE in out.plain:
            return seen


def _delivered(calls: Iterable[ApiCall], ids: set[int]) -> Counter[int]:
    """Broadcast messages Telegram accepted, per chat."""
    return Counter(
        c.params["chat_id"]
        for c in calls
        if c.method == "sendMessage" and c.status == 200 and c.params.get("chat_id") in ids
    )


def _busiest_second(times: list[float]) -> int:
    """The most calls in any 1-second window."""
    times = sorted(times)
    best, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def test_opt_in_yes_no_and_stop(staffed: Harness) -> None:
    await staffed.add_poll()
    subs = staffed.runtime.services.subscriptions
    yes = staffed.user(777_123_456, first_name="Sam")
    final = await vote(yes, "test-poll", ANSWERS)
    assert "Would you like a message from this bot" in final
    await yes.press("Yes, tell me")
    out = await yes.next_output()
    assert out.method == "editMessageText"
    assert "Thank you! Your answers are counted." in out.plain
    assert "I'll send you a message when there is a new poll" in out.plain
    assert "type /stop" in out.plain and "Would you like" not in out.plain
    assert out.buttons == []
    assert await subs.is_subscribed(777_123_456) and await subs.count() == 1

    no = staffed.user(777_654_321, first_name="Kai")
    await vote(no, "test-poll", ANSWERS)
    await no.press("No thanks")
    out = await no.next_output()
    assert "Thank you! Your answers are counted." in out.plain
    assert "OK. I won't send you messages about new polls." in out.plain and out.buttons == []
    assert not await subs.is_subscribed(777_654_321) and await subs.count() == 1

    await yes.send_command("stop")
    assert "You won't get any more messages" in (await yes.next_output()).plain
    await yes.send_command("stop")
    assert "nothing to stop" in (await yes.next_output()).plain
    await yes.expect_no_output(0.2)  # and no "unknown command" from the journey as well
    assert await subs.count() == 0


async def test_journey_subscribers_get_the_poll_in_their_language_and_the_file_names_nobody(
    standin: BotApiStandin, staff_settings: Settings
) -> None:
    staffed = await start_markbot(standin, staff_settings)
    try:
        await _announce_next_poll(staffed)
    finally:
        await staffed.shutdown()
    # the database holds no Telegram id, in any common encoding
    forms = [
        form
        for uid in (880_000_001, 880_000_002)
        for form in (
            uid,
            uid.to_bytes(4, "big"),
            uid.to_bytes(4, "little"),
            uid.to_bytes(8, "big"),
            uid.to_bytes(8, "little"),
        )
    ]
    await assert_nowhere(staff_settings, *forms)
    langs = sorted(lang for (lang,) in await rows(staff_settings, "subscribers", "lang"))
    done = await rows(staff_settings, "broadcasts", "status", "notify", "sent")
    left = await count(staff_settings, "broadcast_sends")
    assert langs == ["cy", "en"]
    assert done == [("done", None, 2)] and left == 0  # only the totals are kept


async def _announce_next_poll(staffed: Harness) -> None:
    await staffed.add_poll()
    await staffed.add_poll(code="next-poll", title="Next poll")
    await staffed.add_poll(code="later-poll", title="Later poll", status="draft")
    english = staffed.user(880_000_001, first_name="Ari")
    welsh = staffed.user(880_000_002, first_name="Elin", language_code="cy")
    for user in (english, welsh):
        await vote(user, "test-poll", ANSWERS)
        await user.press("Yes, tell me")
        await user.next_output()
    owner = staffed.user(OWNER, first_name="Pat")

    # refusals, politely; and the command looks unknown to everyone else
    await english.send_command("broadcast", "next-poll")
    assert "don't know that command" in (await english.next_output()).plain
    await owner.send_command("broadcast")
    assert "like this: /broadcast CODE" in (await owner.next_output()).plain
    await owner.send_command("broadcast", "nope")
    assert "no poll with the code nope" in (await owner.next_output()).plain
    await owner.send_command("broadcast", "later-poll")
    assert "isn't open" in (await owner.next_output()).plain

    await owner.send_command("broadcast", "next-poll")
    outputs = await _until_finished(owner, timeout=10)
    assert "Telling subscribers about next-poll" in outputs[0].plain
    assert "Sent: 2\nFailed: 0\nRemoved (they blocked the bot or left Telegram): 0" in (
        outputs[-1].plain
    )
    link = "https://t.me/markbot_test_bot?start=next-poll"
    for user, heading, button in (
        (english, "A new poll is open: Next poll", "Take part"),
        (welsh, "Mae pleidlais newydd ar agor: Next poll", "Cymryd rhan"),
    ):
        message = await user.next_output()
        assert heading in message.plain and "/stop" in message.plain
        assert message.buttons == [[button]]
        assert message.params["reply_markup"]["inline_keyboard"][0][0]["url"] == link
        await user.expect_no_output(0.1)

    await owner.send_command("broadcast", "next-poll")
    assert "already been told about poll next-poll" in (await owner.next_output()).plain


async def test_broadcast_to_500_is_paced_retries_429_and_removes_blocked(
    staffed: Harness,
) -> None:
    await staffed.add_poll()
    standin = staffed.standin
    subs = staffed.runtime.services.subscriptions
    ids = list(range(2_000_000, 2_000_500))
    for uid in ids:
        standin.user(uid)
    await asyncio.gather(*(subs.add(uid, "en") for uid in ids))
    blocked = set(ids[7::25])  # 20 people who blocked the bot
    for uid in blocked:
        standin.user(uid).blocked = True
    flooded = set(ids[3::125])  # 4 sends answered 429 (retry after 1 s) the first time
    refused: set[int] = set()

    def fault(method: str, params: dict[str, Any]) -> Fault | None:
        chat = params.get("chat_id")
        if method == "sendMessage" and chat in flooded and chat not in refused:
            refused.add(chat)
            return Fault.flood(1)
        return None

    standin.fault = fault
    owner = staffed.user(OWNER, first_name="Pat")
    since = len(standin.calls)
    started = time.monotonic()
    await owner.send_command("broadcast", "test-poll")

    # a young person's taps are not held up while the broadcast runs
    await asyncio.sleep(1.0)
    voting = time.monotonic()
    assert "Thank you!" in await vote(staffed.user(555), "test-poll", ANSWERS)
    journey_seconds = time.monotonic() - voting

    outputs = await _until_finished(owner, timeout=60)
    seconds = time.monotonic() - started
    calls = standin.calls[since:]
    everyone = set(ids)
    delivered = _delivered(calls, everyone)
    assert {uid for uid in ids if delivered[uid] != 1} == blocked  # nobody twice, nobody missed
    assert not any(delivered[uid] for uid in blocked)
    floods = [c for c in calls if c.status == 429]
    assert {c.params["chat_id"] for c in floods} == flooded and len(floods) == len(flooded)
    assert await subs.count() == 500 - len(blocked)
    assert "Sent: 480\nFailed: 0\nRemoved (they blocked the bot or left Telegram): 20" in (
        outputs[-1].plain
    )
    # progress is edited every few seconds, not per send
    edits = [o for o in outputs if o.method == "editMessageText"]
    assert 1 <= len(edits) <= seconds / 3 + 2
    # pacing: every call of the broadcast (sends, 429s, 403s, staff messages) in any 1 s window
    paced = [c.at for c in calls if c.params.get("chat_id") in everyone | {OWNER}]
    busiest = _busiest_second(paced)
    print(
        f"\n500 subscribers in {seconds:.1f} s; busiest second: {busiest} calls;"
        f" a whole journey took {journey_seconds:.2f} s meanwhile"
    )
    assert busiest <= 30
    assert journey_seconds < 3.0


async def test_restart_resumes_without_sending_twice(
    standin: BotApiStandin, staff_settings: Settings
) -> None:
    settings = staff_settings
    first = await start_markbot(standin, settings)
    await first.add_poll()
    ids = list(range(3_000_000, 3_000_060))
    everyone = set(ids)
    for uid in ids:
        standin.user(uid)
    await asyncio.gather(*(first.runtime.services.subscriptions.add(uid, "en") for uid in ids))
    owner = first.user(OWNER, first_name="Pat")
    await owner.send_command("broadcast", "test-poll")
    while sum(_delivered(standin.calls, everyone).values()) < 20:
        await asyncio.sleep(0.02)
    await first.shutdown()  # mid-way
    before = _delivered(standin.calls, everyone)
    assert 20 <= sum(before.values()) < len(ids) and max(before.values()) == 1

    store = await open_store(settings.database)
    try:
        (broadcast,) = await store.broadcasts.unfinished_broadcasts()
        states = await store.broadcasts.send_counts(broadcast.id)
        # a clean shutdown leaves nothing half-sent ...
        assert "sending" not in states and states["sent"] == sum(before.values())
        # ... a kill -9 can: three sends claimed ('sending') whose answer never came back
        hasher = Hasher(load_or_create_key(settings.key_path))
        crashed = [uid for uid in ids if uid not in before][:3]
        for uid in crashed:
            assert await store.broadcasts.claim_send(broadcast.id, hasher.subscriber(uid))
    finally:
        await store.close()
    owner.drain()

    second = await start_markbot(standin, settings)
    try:
        outputs = await _until_finished(owner, timeout=20)
        assert "restarted while telling subscribers about test-poll" in outputs[0].plain
        after = _delivered(standin.calls, everyone)
        assert {uid: n for uid, n in after.items() if n != 1} == {}
        assert set(after) == everyone - set(crashed)  # unknown ones are not sent again
        final = outputs[-1].plain
        assert f"Sent: {len(ids) - 3}\nFailed: 0" in final and "Not known: 3" in final
    finally:
        await second.shutdown()


class _FakeChannel:
    """A channel that fails some sends, floods one for ever, and closes the poll mid-way."""

    username = "markbot_test_bot"

    def __init__(self, on_send: Any) -> None:
        self.attempts: Counter[int] = Counter()
        self.posts: list[str] = []
        self._on_send = on_send

    async def send(self, chat_id: int, text: str, button: str, url: str) -> Delivery:
        self.attempts[chat_id] += 1
        return await self._on_send(chat_id, sum(self.attempts.values()))

    async def post(self, chat_id: int, text: str) -> int | None:
        self.posts.append(text)
        return len(self.posts)

    async def edit(self, chat_id: int, message_id: int, text: str) -> None:
        return None


async def _open_to(runtime: Runtime, subscribers: Iterable[int]) -> None:
    """The test poll open, and these people subscribed (in English)."""
    services = runtime.services
    poll = services.polls.parse(SIMPLE_POLL, "test.yaml")
    await services.polls.create(poll, status="open")
    await asyncio.gather(*(services.subscriptions.add(uid, "en") for uid in subscribers))


async def _finish(service: BroadcastService) -> None:
    """Let the service send all it has started or taken up, then close it."""
    while service.running:
        await asyncio.sleep(0.01)
    await service.close()


def _service(runtime: Runtime, channel: Channel, **options: Any) -> BroadcastService:
    """A broadcast service of its own (another process's, or a restarted one) on the store."""
    s = runtime.services
    made = BroadcastService(runtime.store, s.polls, s.subscriptions, s.catalog, **options)
    made.attach(channel)
    return made


async def test_failures_unsubscribes_and_a_closing_poll(settings: Settings) -> None:
    """Service level, unpaced: errors count as failed, endless 429s give up, someone who
    unsubscribes meanwhile gets nothing, and once the poll closes the rest are skipped."""
    runtime = await open_runtime(settings)
    try:
        services = runtime.services
        ids = list(range(4_000_000, 4_000_250))
        await _open_to(runtime, ids)
        hasher = Hasher(load_or_create_key(settings.key_path))
        in_order = sorted(ids, key=hasher.subscriber)  # the order sends are made in
        failing, flooded, leaving = set(in_order[10:15]), in_order[20], in_order[30]

        async def on_send(chat_id: int, calls: int) -> Delivery:
            if calls == 1:  # the first page is read; their turn has not come yet
                await services.subscriptions.remove(leaving)
            if calls == 150:
                await services.polls.set_status("test-poll", "closed")
            if chat_id == flooded:
                return retry(0.0)
            return FAILED if chat_id in failing else SENT

        channel = _FakeChannel(on_send)
        service = _service(runtime, channel, rate=5000)
        assert await service.start("test-poll", OWNER, "en") == "started"
        await _finish(service)
    finally:
        await runtime.close()
    assert leaving not in channel.attempts
    assert channel.attempts[flooded] == MAX_FLOOD_RETRIES + 1
    assert max(n for uid, n in channel.attempts.items() if uid != flooded) == 1
    # pages of 100: the close is seen before the third page, so its 50 are skipped
    assert set(channel.attempts) == set(in_order[:200]) - {leaving}
    assert "Sent: 193\nFailed: 6\nRemoved" in channel.posts[-1]
    assert "Not sent: 50 (the poll closed before their turn)." in channel.posts[-1]


async def test_a_crash_leaves_unknown_only_the_sends_on_the_wire(settings: Settings) -> None:
    """kill -9 during a flood wait: three sends are on the wire (no answer will come), the
    others were refused with 429 or wait for their turn. Only those three may be 'unknown'
    after the restart; the ones that never reached Telegram are still sent."""
    runtime = await open_runtime(settings)
    hung = asyncio.Event()  # never set: these three never get an answer
    try:
        ids = list(range(5_000_000, 5_000_040))
        await _open_to(runtime, ids)

        async def on_send(chat_id: int, calls: int) -> Delivery:
            if calls <= 3:
                await hung.wait()
            return retry(60.0)  # then everybody waits a minute

        channel = _FakeChannel(on_send)
        service = _service(runtime, channel, rate=1000)
        assert await service.start("test-poll", OWNER, "en") == "started"
        for _ in range(500):
            if sum(channel.attempts.values()) >= 4:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.3)  # the other sends queue up at the paused Pacer
        assert sum(channel.attempts.values()) >= 4
        for task in list(service._tasks.values()):  # the crash: nothing more is recorded
            task.cancel()
        await asyncio.gather(*service._tasks.values(), return_exceptions=True)
        # ... and its lease runs out (here at once, rather than after LEASE_SECONDS)
        await runtime.store.release_lease(LEASE, service._holder)
        hung_ids = set(list(channel.attempts)[:3])
        (broadcast,) = await runtime.store.broadcasts.unfinished_broadcasts()
        states = await runtime.store.broadcasts.send_counts(broadcast.id)
        assert states.get("sending", 0) == 3, states  # the flooded ones were put back

        # restart: only the three on the wire are unknown, everyone else gets the message
        again = _FakeChannel(lambda chat_id, calls: _sent())
        second = _service(runtime, again, rate=1000)
        assert await second.resume() == 1
        await _finish(second)
    finally:
        hung.set()
        await runtime.close()
    assert set(again.attempts) == set(ids) - hung_ids  # the flooded ones too, once
    assert max(again.attempts.values()) == 1
    assert "Not known: 3" in again.posts[-1] and f"Sent: {len(ids) - 3}" in again.posts[-1]


async def _sent() -> Delivery:
    return SENT


async def test_a_database_blip_mid_broadcast_skips_nobody(settings: Settings) -> None:
    """The database refuses a few sends' claims for a moment (a restart, a failover): those
    subscribers were never sent anything, so they are tried again before the broadcast
    finishes, rather than counted as "not sent" as if the poll had closed."""
    from storage.records import StorageUnavailable

    runtime = await open_runtime(settings)
    try:
        ids = list(range(6_000_000, 6_000_030))
        await _open_to(runtime, ids)
        sends = runtime.store.broadcasts
        real_claim, refused = sends.claim_send, []

        async def blip(broadcast_id: int, person: bytes) -> Any:
            if len(refused) < 3:  # the first three claims meet a database going down
                refused.append(person)
                raise StorageUnavailable("the database did not answer (ConnectionResetError)")
            return await real_claim(broadcast_id, person)

        sends.claim_send = blip  # type: ignore[method-assign]
        channel = _FakeChannel(lambda chat_id, calls: _sent())
        service = _service(runtime, channel, rate=1000, renew_seconds=0.2)
        assert await service.start("test-poll", OWNER, "en") == "started"
        for _ in range(1000):
            if channel.posts and DONE in channel.posts[-1]:
                break
            await asyncio.sleep(0.02)
        await service.close()
    finally:
        await runtime.close()
    assert len(refused) == 3
    assert set(channel.attempts) == set(ids)  # the three refused ones too
    assert max(channel.attempts.values()) == 1
    assert f"Sent: {len(ids)}\n" in channel.posts[-1]
    assert "Not sent" not in channel.posts[-1]


async def test_a_broadcast_started_in_another_process_is_not_called_resumed(
    settings: Settings,
) -> None:
    """Behind webhooks /broadcast lands on any process and the lease holder sends it: its
    progress message must not say markbot restarted, since nothing did."""
    runtime = await open_runtime(settings)
    try:
        await _open_to(runtime, range(1, 6))
        holder = b"the-sending-process"
        assert await runtime.store.claim_lease(LEASE, holder, int(time.time()), 600)

        starter = _service(runtime, _FakeChannel(lambda chat_id, calls: _sent()), rate=1000)
        assert await starter.start("test-poll", OWNER, "en") == "started"
        assert not starter.running  # the lease is the other process's
        await starter.close()
        await runtime.store.release_lease(LEASE, holder)  # (the holder, as it renews)

        channel = _FakeChannel(lambda chat_id, calls: _sent())
        sender = _service(runtime, channel, rate=1000)
        assert await sender.resume() == 1
        await _finish(sender)
    finally:
        await runtime.close()
    assert len(channel.attempts) == 5
    assert channel.posts and not any("restarted" in post for post in channel.posts)
