"""Several markbot processes on one database (issue 12): nothing one process needs lives only
in another one's memory. Each test builds two sets of services over one store (as two
processes would have) and checks that what one did, the other sees: stepped results, what
staff were asked to type, a contact detail being checked, language choices, the broadcast
sender's lease. Those over ``rt`` run on SQLite and on PostgreSQL (conftest's
``database_url``)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from conftest import SIMPLE_POLL, make_settings

from bot.app import Runtime, open_runtime
from prompts import load_catalog
from services.broadcast import SENT, BroadcastService, Delivery
from services.contact_requests import ContactRequestService
from services.identity import Hasher
from services.journey import JourneyService, Person
from services.leases import SharedLock
from services.polls import PollService
from services.reports import ReportService
from services.results import results_from_json, results_to_json
from services.sealing import CONTACTS, Cipher
from services.staff import StaffService
from storage.records import NewBallot, UpdateClaim
from storage.sqlite import SqliteStore
from tests.stored import found_anywhere

KEY = b"k" * 32


class SharedSqlite(SqliteStore):
    """A SQLite store that says it is shared, as PostgreSQL does: services must then read what
    other processes wrote instead of trusting memory."""

    @property
    def single_process(self) -> bool:
        return False


@pytest.fixture
async def rt(tmp_path: Path, database_url: str | None) -> AsyncIterator[Runtime]:
    """markbot's services with the test poll open, on each backend in turn."""
    runtime = await open_runtime(make_settings(tmp_path, database_url))
    await runtime.services.polls.create(
        runtime.services.polls.parse(SIMPLE_POLL, "t.yaml"), status="open"
    )
    try:
        yield runtime
    finally:
        await runtime.close()


async def _cast(rt: Runtime, n: int, start: int = 0) -> None:
    loaded = await rt.services.polls.by_code("test-poll")
    assert loaded is not None
    row, poll = loaded
    for i in range(start, start + n):
        choices = (("age", "13-15", None), ("area", "north", None), ("priority", "jobs", None))
        ballot = NewBallot(row.id, "2026-12-01", choices=choices, groups=poll.group_key(choices))
        await rt.store.cast_ballot(ballot, f"v-{i}".encode(), None, 1_796_000_000)


async def test_stepped_results_agree_across_processes(rt: Runtime) -> None:
    """Staff ask one process, then another a ballot later: the second must show the same
    held figures, or the two looks together tell how that one person voted."""
    catalog = rt.services.catalog
    other = ReportService(rt.store, PollService(rt.store, catalog), catalog)
    await _cast(rt, 10)
    first, held = await rt.services.reports.staff_results("test-poll", 5)
    assert first.ballots == 10 and not held
    await _cast(rt, 1, start=10)
    again, held = await other.staff_results("test-poll", 5)
    assert held and again == first  # the same figures, from the database
    await _cast(rt, 4, start=11)
    moved, held = await other.staff_results("test-poll", 5)
    assert moved.ballots == 15 and not held
    assert (await rt.services.reports.staff_results("test-poll", 5))[0].ballots == 15
    assert await other.forget_shown() == 1  # `markbot purge` of texts reaches it


async def test_results_survive_json(rt: Runtime) -> None:
    await _cast(rt, 7)
    results = await rt.services.reports.results("test-poll", 5)
    assert results.tables and results.turnout.by_day
    assert results_from_json(results_to_json(results)) == results
    with pytest.raises(ValueError):
        results_from_json(b'{"code": "x"}')


async def test_what_staff_were_asked_is_seen_by_every_process(rt: Runtime) -> None:
    now = [1_800_000_000.0]
    a = StaffService(rt.store, Hasher(KEY), frozenset({1}), clock=lambda: now[0])
    b = StaffService(rt.store, Hasher(KEY), frozenset({1}), clock=lambda: now[0])
    await a.expect(42, "paper", "test-poll")
    assert await b.waiting_for(42) == ("paper", "test-poll")
    token = await a.invite()
    assert await a.begin_join(7, token)
    assert await b.finish_join(7, "Sam") == "ok"  # the name typed reached the other process
    assert await a.waiting_for(7) is None
    now[0] += 601  # ten minutes later the question has lapsed everywhere
    assert await b.waiting_for(42) is None


async def test_a_contact_detail_is_checked_in_one_process_and_sent_from_another(
    rt: Runtime,
) -> None:
    def service() -> ContactRequestService:
        return ContactRequestService(
            rt.store, Hasher(KEY), Cipher(KEY, CONTACTS), load_catalog(), available=True
        )

    a, b = service(), service()
    someone = Person(77)
    await a.ask(someone, "en", "sg:ask:test-poll")
    assert await b.is_waiting(someone)
    check = await b.typed(someone, "en", "07700 900123")
    assert check is not None and check.screen is not None
    send = check.screen.buttons[0][0].data
    assert await a.version(someone) == send.removeprefix("sg:send:")
    # two quick taps, one in each process: exactly one request is sent
    (_, lead_a), (_, lead_b) = await asyncio.gather(
        a.send(someone, "en", send), b.send(someone, "en", send)
    )
    assert [lead_a is None, lead_b is None].count(False) == 1
    assert not await a.is_waiting(someone)
    assert await found_anywhere(rt, "07700") == {}  # sealed, never in the clear


async def test_a_language_chosen_in_one_process_is_used_by_another(tmp_path: Path) -> None:
    catalog = load_catalog()
    async with SharedSqlite(tmp_path / "l.db") as store:
        polls = PollService(store, catalog)
        a = JourneyService(store, Hasher(KEY), catalog, polls)
        b = JourneyService(store, Hasher(KEY), catalog, polls)
        await a.load_preferences()
        await b.load_preferences()
        person = Person(5, language_code="en")
        await b.refresh_language(person)
        assert b.language_for(person) == "en"
        await a.choose_language(person, "cy")
        await b.refresh_language(person)  # the next update, in the other process
        assert b.language_for(person) == "cy"


class _CountingStore(SharedSqlite):
    """Counts the reads an update makes before it is handled."""

    reads: Counter[str]

    async def language(self, person: bytes) -> str | None:
        self.reads["language"] += 1
        return await super().language(person)

    async def shared_get(self, kind: str, key: bytes, now: int) -> bytes | None:
        self.reads["shared_get"] += 1
        return await super().shared_get(kind, key, now)

    async def claim_update_and_read(
        self, update_id: int, now: int, lease: int, person: bytes, kind: str, key: bytes
    ) -> tuple[UpdateClaim, str | None, bytes | None]:
        self.reads["claim_update_and_read"] += 1
        claim = await SqliteStore.claim_update(self, update_id, now, lease)
        if claim is not UpdateClaim.HANDLE:
            return claim, None, None
        return (
            claim,
            await SqliteStore.language(self, person),
            await SqliteStore.shared_get(self, kind, key, now),
        )

    async def language_and_shared(
        self, person: bytes, kind: str, key: bytes, now: int
    ) -> tuple[str | None, bytes | None]:
        self.reads["language_and_shared"] += 1
        return await SqliteStore.language(self, person), await SqliteStore.shared_get(
            self, kind, key, now
        )


async def test_the_language_and_a_contact_request_are_read_in_one_trip(tmp_path: Path) -> None:
    """With several processes, an update reads its person's language choice and whether they
    are part-way through a contact request (made in another process) together, once."""
    catalog = load_catalog()
    async with _CountingStore(tmp_path / "c.db") as store:
        store.reads = Counter()
        journey = JourneyService(store, Hasher(KEY), catalog, PollService(store, catalog))
        cipher = Cipher(KEY, CONTACTS)
        contacts = [
            ContactRequestService(store, Hasher(KEY), cipher, catalog, available=True)
            for _ in range(2)
        ]
        someone = Person(77, language_code="en")
        read = await journey.refresh_language(someone, contacts[1].pending_key(someone))
        assert read is not None and not contacts[1].is_pending(read.value)
        await contacts[0].ask(someone, "en", "sg:ask:test-poll")  # in the other process
        await journey.choose_language(someone, "cy")
        store.reads.clear()
        read = await journey.refresh_language(someone, contacts[1].pending_key(someone))
        assert store.reads == Counter(language_and_shared=1)  # one read, not two
        assert read is not None and contacts[1].is_pending(read.value)
        assert journey.language_for(someone) == "cy"
        assert contacts[1].is_pending(read.value) == await contacts[1].is_waiting(someone)
        assert not contacts[1].is_pending(b"not sealed by this key")
        # a webhook update: the claim brings the same read (one round trip on PostgreSQL)
        await journey.choose_language(someone, "en")
        store.reads.clear()
        also = contacts[1].pending_key(someone)
        claim, read = await journey.claim_update(9, 1_000, 60, someone, also)
        assert claim is UpdateClaim.HANDLE and store.reads == Counter(claim_update_and_read=1)
        assert read is not None and contacts[1].is_pending(read.value)
        assert journey.language_for(someone) == "en"
        assert await journey.claim_update(9, 1_001, 60, someone, also) == (UpdateClaim.BUSY, None)


async def test_lease_one_holder_renewal_expiry_and_release(tmp_path: Path) -> None:
    async with SqliteStore(tmp_path / "lease.db") as store:
        assert await store.claim_lease("job", b"a", 100, 15)
        assert not await store.claim_lease("job", b"b", 110, 15)
        assert await store.claim_lease("job", b"a", 110, 15)  # renewed until 125
        assert not await store.claim_lease("job", b"b", 124, 15)
        assert await store.claim_lease("job", b"b", 125, 15)  # a's ran out
        await store.release_lease("job", b"a")  # not a's any more: nothing happens
        assert not await store.claim_lease("job", b"a", 126, 15)
        await store.release_lease("job", b"b")
        assert await store.claim_lease("job", b"a", 126, 15)
        claims = await asyncio.gather(
            *(store.claim_lease("other", bytes([i]), 200, 15) for i in range(10))
        )
        assert claims.count(True) == 1
        assert not await store.has_keyed_data()  # a lease names no one


class _Channel:
    """Records which process sent to whom."""

    def __init__(self, name: str, sent: list[tuple[str, int]], delay: float) -> None:
        self.name, self.sent, self.delay = name, sent, delay
        self.posts: list[str] = []

    @property
    def username(self) -> str:
        return "markbot_test_bot"

    async def send(self, chat_id: int, text: str, button: str, url: str) -> Delivery:
        await asyncio.sleep(self.delay)
        self.sent.append((self.name, chat_id))
        return SENT

    async def post(self, chat_id: int, text: str) -> int | None:
        self.posts.append(text)
        return len(self.posts)

    async def edit(self, chat_id: int, message_id: int, text: str) -> None:
        return None


async def test_one_broadcast_sender_across_processes_and_a_takeover(rt: Runtime) -> None:
    """Two processes running: a broadcast started in either is sent by one of them only, each
    subscriber once; when the sender dies, the other takes over once its lease runs out."""
    services = rt.services
    ids = list(range(6_000_000, 6_000_060))
    await asyncio.gather(*(services.subscriptions.add(uid, "en") for uid in ids))
    sent: list[tuple[str, int]] = []

    def process(name: str) -> BroadcastService:
        service = BroadcastService(
            rt.store,
            PollService(rt.store, services.catalog),
            services.subscriptions,
            services.catalog,
            rate=200,
            lease_seconds=1,
            renew_seconds=0.1,
        )
        service.attach(_Channel(name, sent, 0.005))
        return service

    a, b = process("a"), process("b")
    assert await a.resume() == 0 and await b.resume() == 0
    assert await b.start("test-poll", 9001, "en") == "started"
    for _ in range(200):  # let a few go out, then kill b (no clean shutdown)
        if len(sent) >= 10:
            break
        await asyncio.sleep(0.01)
    assert a.running == 0  # b is the sender; a only waits
    assert b._keeper is not None
    for task in [*b._tasks.values(), b._keeper]:
        task.cancel()
    await asyncio.gather(*b._tasks.values(), b._keeper, return_exceptions=True)
    by_b = len(sent)
    for _ in range(500):  # a takes over after the lease runs out (1-2 s) and finishes
        if len({chat for _, chat in sent}) == len(ids) and a.running == 0:
            break
        await asyncio.sleep(0.01)
    await a.close()
    with contextlib.suppress(Exception):
        await b.close()
    counts = Counter(chat for _, chat in sent)
    unknown = len(ids) - len(counts)
    assert max(counts.values()) == 1  # nobody twice
    assert unknown <= 8  # at most the sends on b's wire when it died (MAX_IN_FLIGHT)
    assert {name for name, _ in sent[:by_b]} == {"b"}
    assert {name for name, _ in sent[by_b:]} <= {"a"} and len(sent) > by_b


async def test_a_shared_lock_has_one_holder_across_processes(rt: Runtime) -> None:
    """Posting to the safeguarding chat from two processes at once would post twice."""
    a, b = SharedLock(rt.store, "post"), SharedLock(rt.store, "post")
    inside: list[str] = []
    most = 0

    async def job(lock: SharedLock, name: str) -> None:
        nonlocal most
        async with lock.hold() as held:
            assert held
            inside.append(name)
            most = max(most, len(inside))
            await asyncio.sleep(0.05)
            inside.remove(name)

    await asyncio.gather(*(job(lock, f"{i}") for i, lock in enumerate([a, b] * 3)))
    assert most == 1
    async with a.hold() as held, b.hold(wait=False) as other:
        assert held and not other
    async with b.hold(wait=False) as other:
        assert other  # released when a's block ended


async def test_a_shared_lock_held_longer_than_its_lease_is_kept(rt: Runtime) -> None:
    """Found by review: a job longer than the lease (a post held up by 429 waits) let another
    process take the lease and post the same thing again. The holder now renews it."""
    a, b = SharedLock(rt.store, "post", seconds=2), SharedLock(rt.store, "post", seconds=2)
    async with a.hold() as held:
        assert held
        await asyncio.sleep(3)  # longer than the 2 s lease
        async with b.hold(wait=False) as other:
            assert not other
    async with b.hold(wait=False) as other:
        assert other
