"""Tell subscribers that a poll is open: paced, resumable, and never sent twice.

Pacing. Telegram allows about 30 bulk messages a second per bot. Every call a broadcast makes
(sends to subscribers, and the staff's progress messages) first waits its turn at one
:class:`Pacer`, shared by all broadcasts: at most ``RATE`` (25) a second, which leaves room for
replies to young people (those are not paced here). A 429 pauses the Pacer for its
``retry_after``, so every broadcast waits, and that subscriber is tried again.

At most once. A send first waits for its turn at the Pacer, then is marked 'sending',
committed, just before Telegram is asked, and marked 'sent', 'failed' or 'removed' once
Telegram has answered. If the process dies in between (kill -9, power cut), nobody can tell
whether Telegram delivered that message: on start-up such rows become 'unknown', are counted in
the staff's totals, and are not sent again. The issue asks that nobody gets the message twice;
the price is that after a hard crash the sends that were on the wire (at most
``MAX_IN_FLIGHT``, usually the one or two of the last tenth of a second) may miss this one
message. Sends still waiting for their turn (a flood wait holds them all) stay 'pending'.
A clean shutdown loses nobody: it lets the sends already on the wire finish and be recorded;
those still waiting were never claimed, so the next start carries on.

Outcomes. A 403 (blocked the bot, deactivated account) removes the subscriber. Other errors
count as failed and are not retried, since Telegram may have delivered a message whose answer
was lost.

The sending runs as background tasks owned by this service, so a broadcast never holds up the
handling of young people's taps; ``close`` stops them at shutdown.

One sender. With several markbot processes on one database (webhooks behind a proxy), only the
process holding the database lease ``broadcasts`` sends, so the pacing above is the pacing of
all of them together. A broadcast started in any process is recorded and sent by the holder;
the holder renews the lease every ``RENEW_SECONDS`` while it has work and gives it up when it
has none or stops. If it dies, the lease runs out after ``LEASE_SECONDS`` and another process
takes over, counting the dead one's 'sending' rows as 'unknown' as a restart would. A holder
that cannot renew in time stops sending (the sends on its wire finish), so two senders overlap
by at most those.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, Protocol

from prompts import Catalog
from services.links import deep_link
from services.pollfile import Poll, pick
from services.polls import PollService
from services.sealing import CipherError
from services.subscriptions import SubscriptionService
from storage.contract import Store
from storage.records import COUNTED_STATES, BroadcastExists, Settled

log = logging.getLogger("markbot.broadcast")

RATE = 25.0  # calls a second, all broadcasts together (Telegram's bulk limit is about 30)
MAX_IN_FLIGHT = 8  # enough to keep RATE with slow answers; also the most a hard crash can lose
PAGE = 100  # pending sends read at a time
PROGRESS_SECONDS = 3.0  # the staff's progress message is edited at most this often
MAX_FLOOD_RETRIES = 5  # 429s for one subscriber before it counts as failed
STOP_GRACE_SECONDS = 10.0  # how long shutdown waits for sends already on the wire
NOTIFY_CONTEXT = b"broadcast notify"  # associated data for the encrypted staff chat
LEASE = "broadcasts"  # the database lease whose holder is the one sender
LEASE_SECONDS = 15  # a dead holder's lease runs out after this
RENEW_SECONDS = 5.0  # how often the holder renews, and others look for work

StartResult = Literal["started", "no_poll", "not_open", "already", "no_subscribers"]


@dataclass(frozen=True, slots=True)
class Delivery:
    """What Telegram said to one send: 'sent', 'failed', 'gone' (403) or 'retry' (429)."""

    result: Literal["sent", "failed", "gone", "retry"]
    retry_after: float = 0.0


SENT = Delivery("sent")
FAILED = Delivery("failed")
GONE = Delivery("gone")
_SETTLED: dict[str, Settled] = {"sent": "sent", "failed": "failed", "gone": "removed"}


def retry(after: float) -> Delivery:
    """Telegram said 429: wait ``after`` seconds, then try that subscriber again."""
    return Delivery("retry", after)


class Channel(Protocol):
    """How broadcasts reach Telegram; implemented in handlers/, so services import no telegram.

    ``send`` never raises for a Telegram error: it maps it to a :class:`Delivery`. ``post`` and
    ``edit`` are for the staff's messages and swallow errors (a report must not stop sending).
    """

    @property
    def username(self) -> str: ...

    async def send(self, chat_id: int, text: str, button: str, url: str) -> Delivery: ...

    async def post(self, chat_id: int, text: str) -> int | None: ...

    async def edit(self, chat_id: int, message_id: int, text: str) -> None: ...


class Pacer:
    """Spaces calls at least ``1/rate`` seconds apart, and holds every call during a flood wait.

    Turns are given in arrival order (asyncio.Lock is fair) and spaced from the moment each is
    given, so there is no burst to catch up after a pause or an idle spell.
    """

    def __init__(self, rate: float) -> None:
        self._interval = 1.0 / rate
        self._next = 0.0
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody goes before ``seconds`` from now."""
        until = asyncio.get_running_loop().time() + max(seconds, 0.0)
        self._paused_until = max(self._paused_until, until)

    async def wait(self, stop: asyncio.Event) -> bool:
        """Wait for this call's turn; False (and no turn used) if ``stop`` is set first."""
        loop = asyncio.get_running_loop()
        async with self._lock:
            while not stop.is_set():
                now = loop.time()
                due = max(self._next, self._paused_until)
                if due <= now:
                    self._next = now + self._interval
                    return True
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), due - now)
            return False


@dataclass(slots=True)
class _Job:
    """One running broadcast, as this process knows it."""

    id: int
    code: str
    notify: int | None  # the staff chat that gets progress and the final count
    lang: str  # the staff's language
    total: int
    url: str
    texts: dict[str, tuple[str, str]]  # language -> (message, button label)
    counts: Counter[str] = field(default_factory=Counter)
    prefix: str = ""  # "resumed after a restart", on the progress message
    message_id: int | None = None
    shown: int = -1
    next_progress: float = 0.0
    missed: bool = False  # a send of this pass was not claimed or not recorded (see _send_all)

    @property
    def done(self) -> int:
        return sum(self.counts[state] for state in COUNTED_STATES)


class BroadcastService:
    """Starts, resumes and stops broadcasts (see the module docstring for the guarantees)."""

    def __init__(
        self,
        store: Store,
        polls: PollService,
        subscriptions: SubscriptionService,
        catalog: Catalog,
        *,
        rate: float = RATE,
        clock: Callable[[], float] = time.time,
        lease_seconds: int = LEASE_SECONDS,
        renew_seconds: float = RENEW_SECONDS,
    ) -> None:
        self._store = store
        self._polls = polls
        self._subs = subscriptions
        self._catalog = catalog
        self._clock = clock
        self._pacer = Pacer(rate)
        # Claims take a commit each, of varying length, between a turn and its send; this
        # second Pacer (never paused) keeps the moments sends reach Telegram 1/rate apart too.
        self._wire = Pacer(rate)
        self._never = asyncio.Event()
        self._channel: Channel | None = None
        self._tasks: dict[int, asyncio.Task[None]] = {}
        self._stopping = asyncio.Event()  # shutting down
        self._halt = asyncio.Event()  # shutting down, or the lease was lost: no new sends
        self._holder = secrets.token_bytes(16)  # this process, as a lease holder
        self._lease_seconds = lease_seconds
        self._renew_seconds = renew_seconds
        self._keeper: asyncio.Task[None] | None = None

    def attach(self, channel: Channel) -> None:
        """Give the service its way to Telegram (once the bot is initialised)."""
        self._channel = channel

    @property
    def running(self) -> int:
        return len(self._tasks)

    # --- entry points --------------------------------------------------------------------

    async def start(self, code: str, notify: int, lang: str) -> StartResult:
        """Announce an open poll to every subscriber, in the background; ``notify`` is the
        staff chat for progress. Each poll is announced once (a second /broadcast, or a
        redelivered update, can't message anyone twice)."""
        self._channel_or_fail()
        loaded = await self._polls.by_code(code)
        if loaded is None:
            return "no_poll"
        row, poll = loaded
        if self._polls.state(row) != "open":
            return "not_open"
        sealed = self._subs.cipher.seal(notify, NOTIFY_CONTEXT)
        try:
            created = await self._store.broadcasts.create_broadcast(
                row.id, int(self._clock()), sealed, lang
            )
        except BroadcastExists:
            return "already"
        if created is None:
            return "no_subscribers"
        broadcast_id, total = created
        log.info("broadcast %d for %s started: %d subscribers", broadcast_id, row.code, total)
        self._keep()  # renews the lease while this sends (and picks up others' broadcasts)
        if await self._claim():
            self._launch(self._job(broadcast_id, row.code, poll, notify, lang, total))
        else:  # another process is the sender: it picks this one up within RENEW_SECONDS
            log.info("broadcast %d will be sent by the process holding the lease", broadcast_id)
        return "started"

    async def resume(self) -> int:
        """On start-up (and then every RENEW_SECONDS, in the background): if this process
        holds or can take the lease, carry on every unfinished broadcast it isn't sending yet;
        sends a crash left 'sending' become 'unknown' (counted, never resent). Returns how
        many were resumed."""
        self._channel_or_fail()
        self._keep()
        return await self._resume_unfinished()

    def _keep(self) -> None:
        """Start the task that renews the lease and looks for work (once)."""
        if self._keeper is None and not self._stopping.is_set():
            self._keeper = asyncio.create_task(self._keep_lease(), name="markbot-broadcast-lease")

    async def _resume_unfinished(self) -> int:
        unfinished = await self._store.broadcasts.unfinished_broadcasts()
        rows = [r for r in unfinished if r.id not in self._tasks]
        if not rows or self._halt.is_set() or not await self._claim():
            return 0
        resumed = 0
        for row in rows:
            if row.id in self._tasks:  # launched meanwhile (start, in this process)
                continue
            # Only the lease holder sends, so 'sending' rows of a broadcast it isn't running
            # were left by a process that died (or lost the lease) mid-send.
            unknown = await self._store.broadcasts.mark_unknown(row.id)
            loaded = await self._polls.by_id(row.poll_id)
            if loaded is None:
                continue
            code, poll = loaded
            notify = self._open_notify(row.notify)
            job = self._job(row.id, code, poll, notify, row.lang, row.total)
            job.counts = await self._store.broadcasts.send_counts(row.id)
            if job.done:  # begun by a process that stopped (else it was only started elsewhere)
                job.prefix = self._catalog.t(row.lang, "broadcast_resumed", code=code) + "\n\n"
            log.info("broadcast %d taken up (%d unknown after a crash)", row.id, unknown)
            self._launch(job)
            resumed += 1
        return resumed

    async def _claim(self) -> bool:
        """Take or renew the lease that makes this process the one sender."""
        return await self._store.claim_lease(
            LEASE, self._holder, int(self._clock()), self._lease_seconds
        )

    async def _keep_lease(self) -> None:
        """Renew the lease while sending (stop sending if it was lost), pick up broadcasts
        started elsewhere, and give the lease up when there is nothing to send."""
        while not self._stopping.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self._renew_seconds)
            if self._stopping.is_set():
                return
            try:
                if self._tasks and not await self._claim():
                    log.warning("broadcast lease lost: another process sends from now on")
                    self._halt.set()
                    await asyncio.gather(*self._tasks.values(), return_exceptions=True)
                    self._halt.clear()
                    continue
                if not await self._resume_unfinished() and not self._tasks:
                    await self._store.release_lease(LEASE, self._holder)
            except Exception as exc:  # the database is unreachable: try again next round
                log.error("broadcast lease check failed: %s", type(exc).__name__)

    async def close(self) -> None:
        """Stop cleanly: no new sends; those on the wire finish and are recorded; the lease is
        given up so another process can carry on at once."""
        self._stopping.set()
        self._halt.set()
        if self._keeper is not None:
            await asyncio.gather(self._keeper, return_exceptions=True)
            self._keeper = None
        tasks = list(self._tasks.values())
        if tasks:
            _, late = await asyncio.wait(tasks, timeout=STOP_GRACE_SECONDS)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        with contextlib.suppress(Exception):  # a dead database: the lease simply runs out
            await self._store.release_lease(LEASE, self._holder)

    # --- the work ------------------------------------------------------------------------

    def _channel_or_fail(self) -> Channel:
        if self._channel is None:
            raise RuntimeError("broadcasts have no channel yet (attach() at start-up)")
        return self._channel

    def _job(
        self, broadcast_id: int, code: str, poll: Poll, notify: int | None, lang: str, total: int
    ) -> _Job:
        texts = {
            language: (
                self._catalog.t(language, "broadcast_message", title=pick(poll.title, language)),
                self._catalog.plain(language, "button_broadcast_open"),
            )
            for language in self._catalog.languages
        }
        url = deep_link(self._channel_or_fail().username, code)
        return _Job(broadcast_id, code, notify, lang, total, url, texts)

    def _open_notify(self, sealed: bytes | None) -> int | None:
        if sealed is None:
            return None
        try:
            return self._subs.cipher.open(sealed, NOTIFY_CONTEXT)
        except CipherError:
            log.warning("the staff chat of a broadcast does not decrypt; no progress reports")
            return None

    def _launch(self, job: _Job) -> None:
        if job.id in self._tasks:  # one job per broadcast in a process
            return
        task = asyncio.create_task(self._run(job), name=f"markbot-broadcast-{job.id}")
        self._tasks[job.id] = task
        task.add_done_callback(lambda _: self._tasks.pop(job.id, None))

    async def _run(self, job: _Job) -> None:
        try:
            await self._report(job)
            if await self._poll_open(job.code):
                await self._send_all(job)
            if self._halt.is_set():
                return  # the next start resumes it
            counts = await self._store.broadcasts.finish_broadcast(job.id, int(self._clock()))
            log.info(
                "broadcast %d finished: %d sent, %d failed, %d removed, %d unknown, %d skipped",
                job.id,
                counts["sent"],
                counts["failed"],
                counts["removed"],
                counts["unknown"],
                counts["skipped"],
            )
            await self._report(job)
            await self._final(job, counts)
        except Exception as exc:  # left 'running': the next start tries again
            log.error("broadcast %d stopped: %s", job.id, type(exc).__name__, exc_info=True)

    async def _poll_open(self, code: str) -> bool:
        loaded = await self._polls.by_code(code)
        return loaded is not None and self._polls.state(loaded[0]) == "open"

    async def _send_all(self, job: _Job) -> None:
        """Send to everyone waiting, a pass at a time (see _send_pass). A send the database
        refused to claim or record (it went away for a moment) makes another pass once the
        sends on the wire are done: the ones never sent are still 'pending' and go then (not
        counted as skipped at the end, as if the poll had closed), and one sent but not
        recorded stays 'sending', which becomes 'unknown' (counted, never sent again)."""
        while True:
            job.missed = False
            await self._send_pass(job)
            if not job.missed or self._halt.is_set():
                return
            job.counts["unknown"] += await self._store.broadcasts.mark_unknown(job.id)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._halt.wait(), self._renew_seconds)

    async def _send_pass(self, job: _Job) -> None:
        """Page through the waiting sends, at most MAX_IN_FLIGHT at a time; stop if the poll
        closes (the rest are counted as skipped)."""
        slots = asyncio.Semaphore(MAX_IN_FLIGHT)
        in_flight: set[asyncio.Task[None]] = set()
        after = b""
        try:
            while not self._halt.is_set():
                page = await self._store.broadcasts.pending_sends(job.id, after, PAGE)
                if not page or not await self._poll_open(job.code):
                    break
                for person in page:
                    await slots.acquire()
                    if self._halt.is_set():
                        slots.release()
                        break
                    task = asyncio.create_task(self._send_one(job, person))
                    in_flight.add(task)
                    task.add_done_callback(in_flight.discard)
                    task.add_done_callback(lambda _: slots.release())
                after = page[-1]
        except asyncio.CancelledError:
            for task in in_flight:
                task.cancel()
            raise
        finally:
            await asyncio.gather(*in_flight, return_exceptions=True)

    async def _send_one(self, job: _Job, person: bytes) -> None:
        """Wait for a turn, claim, send, record; a 429 puts it back and tries again.

        The turn comes before the claim: a send is marked 'sending' only when it is about to
        be handed to Telegram, so a crash leaves 'unknown' only the sends really on the wire,
        not the ones still queued at the Pacer (during a flood wait, that is all of them).
        """
        assert self._channel is not None
        try:
            for _ in range(MAX_FLOOD_RETRIES + 1):
                if not await self._pacer.wait(self._halt):
                    return  # still 'pending': the next start carries on
                target = await self._store.broadcasts.claim_send(job.id, person)
                if target is None:  # unsubscribed meanwhile (the turn goes unused)
                    return
                try:
                    chat_id = self._subs.chat_id(person, target.chat)
                except CipherError:
                    await self._settle(job, person, "failed")
                    return
                text, button = job.texts.get(target.lang) or job.texts["en"]
                await self._wire.wait(self._never)
                try:
                    delivery = await self._channel.send(chat_id, text, button, job.url)
                except Exception as exc:  # a bug in the channel: count it, keep going
                    log.error("broadcast send failed: %s", type(exc).__name__)
                    delivery = FAILED
                if delivery.result != "retry":
                    await self._settle(job, person, _SETTLED[delivery.result])
                    return
                self._pacer.pause(delivery.retry_after)
                await self._store.broadcasts.release_send(job.id, person)
            await self._settle(job, person, "failed")  # refused with 429 too many times
        except Exception as exc:  # e.g. the database: left as it is, the next pass sorts it
            job.missed = True
            log.error("broadcast %d: a send could not be recorded: %s", job.id, type(exc).__name__)

    async def _settle(self, job: _Job, person: bytes, state: Settled) -> None:
        await self._store.broadcasts.settle_send(job.id, person, state)
        job.counts[state] += 1
        now = asyncio.get_running_loop().time()
        if now >= job.next_progress:
            job.next_progress = now + PROGRESS_SECONDS
            await self._report(job)

    # --- what the staff see --------------------------------------------------------------

    async def _report(self, job: _Job) -> None:
        """Post the progress message, or edit it if the count moved (paced like sends)."""
        channel = self._channel
        if channel is None or job.notify is None or job.done == job.shown:
            return
        if not await self._pacer.wait(self._halt):
            return
        job.shown = job.done
        job.next_progress = asyncio.get_running_loop().time() + PROGRESS_SECONDS
        text = job.prefix + self._catalog.t(
            job.lang, "broadcast_progress", code=job.code, done=job.done, total=job.total
        )
        if job.message_id is None:
            job.message_id = await channel.post(job.notify, text)
        else:
            await channel.edit(job.notify, job.message_id, text)

    async def _final(self, job: _Job, counts: Counter[str]) -> None:
        if self._channel is None or job.notify is None:
            return
        t, lang = self._catalog.t, job.lang
        lines = [
            t(
                lang,
                "broadcast_done",
                code=job.code,
                sent=counts["sent"],
                failed=counts["failed"],
                removed=counts["removed"],
            )
        ]
        if counts["unknown"]:
            lines.append(t(lang, "broadcast_done_unknown", unknown=counts["unknown"]))
        if counts["skipped"]:
            lines.append(t(lang, "broadcast_done_skipped", skipped=counts["skipped"]))
        if await self._pacer.wait(self._halt):
            await self._channel.post(job.notify, "\n".join(lines))
