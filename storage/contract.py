"""The storage contract: every named operation services may ask of a database, and what each
one guarantees. Services type against ``Store``; a backend (``SqliteStore`` today, PostgreSQL
next, issue 12) implements it, and tests/test_store_contract.py checks the guarantees against
every backend.

Rules for a backend, whatever the engine:

- A ballot is counted exactly once per voter because a unique key refuses the second one, not
  because of a prior check; the ballot, its voter and the removal of its draft are one
  transaction, and the caller learns the result only after that transaction is durable.
- Ballot ids are random, and no column, sequence or stored order says when a ballot was cast
  or links it to a voter; ballots carry a date (``YYYY-MM-DD``), never a time.
- People appear only as keyed hashes (``bytes``) made by services with a key that is never in
  the database; chats and contact details arrive already encrypted or sealed.
- Nothing here is user-facing: errors are ``storage.records`` exceptions whose messages are for
  staff and logs.

Maintenance. ``checkpoint`` and ``compact`` are part of ``Store``, with backend-neutral meanings
("deleted data leaves the files", "stored order says nothing about time"), because services
rely on those privacy guarantees after deleting keyed hashes and closing polls. Engine
settings and counters (``pragmas``, ``writer_stats``) are only in the optional ``Diagnostics``:
benchmarks and tests check ``isinstance(store, Diagnostics)``; services never use them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol, runtime_checkable

from storage.records import (
    BroadcastRow,
    CastResult,
    ContactRow,
    DraftRow,
    NewBallot,
    PollRow,
    PollSummary,
    Settled,
    SharedNote,
    TableRows,
    TallyData,
    Target,
    UpdateClaim,
)


class BroadcastStore(Protocol):
    """Subscribers (keyed hash -> encrypted chat, language) and paced, resumable broadcasts,
    sent at most once per subscriber."""

    async def add_subscriber(self, person: bytes, chat: bytes, lang: str) -> bool:
        """Subscribe, or update chat and language; True only if ``person`` was not subscribed."""
        ...

    async def remove_subscriber(self, person: bytes) -> bool:
        """Unsubscribe and drop their still-pending sends in one transaction; True if found."""
        ...

    async def subscriber_count(self) -> int:
        """How many people are subscribed now."""
        ...

    async def subscriber_lang(self, person: bytes) -> str | None:
        """The subscriber's language, or None if ``person`` is not subscribed."""
        ...

    async def create_broadcast(
        self, poll_id: int, now: int, notify: bytes | None, lang: str
    ) -> tuple[int, int] | None:
        """One broadcast per poll, with a 'pending' send per current subscriber, in one
        transaction: (id, subscribers), None (nothing recorded) if nobody is subscribed;
        raises BroadcastExists if the poll was announced before."""
        ...

    async def unfinished_broadcasts(self) -> list[BroadcastRow]:
        """Broadcasts not yet finished (to resume on start-up), oldest first."""
        ...

    async def mark_unknown(self, broadcast_id: int) -> int:
        """Sends left 'sending' (by a crash) become 'unknown' and are never sent again; how
        many."""
        ...

    async def send_counts(self, broadcast_id: int) -> Counter[str]:
        """How many of the broadcast's sends are in each state."""
        ...

    async def pending_sends(self, broadcast_id: int, after: bytes, limit: int) -> list[bytes]:
        """Up to ``limit`` subscribers still 'pending', in key order after ``after`` (paging)."""
        ...

    async def claim_send(self, broadcast_id: int, person: bytes) -> Target | None:
        """Atomically move one send 'pending' -> 'sending', durable before returning, so of
        concurrent claims (any process) exactly one gets the Target; None if it was not pending
        or the person unsubscribed (then their pending send is dropped)."""
        ...

    async def release_send(self, broadcast_id: int, person: bytes) -> None:
        """Put a claimed ('sending') send back to 'pending' (refused for now, or stopping)."""
        ...

    async def settle_send(self, broadcast_id: int, person: bytes, state: Settled) -> None:
        """Record Telegram's answer; 'removed' also deletes the subscriber, in one transaction."""
        ...

    async def finish_broadcast(self, broadcast_id: int, now: int) -> Counter[str]:
        """Keep only the totals (pending and sending count as 'skipped'), forget every
        recipient and the staff chat, in one transaction; the totals."""
        ...


class ContactStore(Protocol):
    """Consented contact requests for the safeguarding lead: who is part-way through one (keyed
    hash), and sent requests (sealed detail and a date, nothing that says who sent it)."""

    async def start_waiting(self, person: bytes, now: int) -> None:
        """Mark ``person`` as typing a detail since ``now`` (replacing any earlier mark)."""
        ...

    async def stop_waiting(self, person: bytes) -> bool:
        """Forget that ``person`` was typing a detail; True if they were."""
        ...

    async def all_waiting(self) -> list[tuple[bytes, int]]:
        """Everyone part-way through a request, with since when."""
        ...

    async def drop_waiting_before(self, since: int) -> int:
        """Forget everyone waiting since before ``since``; how many."""
        ...

    async def add_request(self, person: bytes, sealed: bytes, sent_on: str) -> int:
        """Store a sealed request and forget that ``person`` was waiting, in one transaction;
        the new request's number. The request row holds nothing that identifies ``person``."""
        ...

    async def mark_delivered(self, request_id: int, message_id: int) -> None:
        """Record that the lead's alert for the request was delivered, as ``message_id``."""
        ...

    async def get_request(self, request_id: int) -> ContactRow | None:
        """One request, or None if there is none (handled or expired)."""
        ...

    async def open_requests(self, *, undelivered_only: bool) -> list[ContactRow]:
        """Requests not yet handled (optionally only undelivered ones), in the order sent."""
        ...

    async def delete_request(self, request_id: int) -> ContactRow | None:
        """Delete a request exactly once: what it was, or None if already gone (so two leads
        marking it handled at once get one success)."""
        ...

    async def delete_sent_before(self, day: str) -> list[ContactRow]:
        """Delete every request sent before ``day`` (ISO date), in one transaction; those."""
        ...


class Store(Protocol):
    """Every storage operation services use (see the module docstring for the rules)."""

    @property
    def broadcasts(self) -> BroadcastStore:
        """Subscribers and broadcasts, over the same database and transactions."""
        ...

    @property
    def contacts(self) -> ContactStore:
        """Contact requests, over the same database and transactions."""
        ...

    # --- lifecycle --------------------------------------------------------------------------

    async def open(self) -> None:
        """Connect, create and migrate the schema (the same named migrations on every engine),
        or raise StorageError saying what to do."""
        ...

    async def close(self) -> None:
        """Make every saved draft durable, then release connections; idempotent."""
        ...

    async def schema_version(self) -> list[str]:
        """The names of the migrations applied, sorted."""
        ...

    async def has_keyed_data(self) -> bool:
        """Whether anything was made with the key file (voter register, codes, drafts,
        subscribers, workers, sealed rows): then a new key would silently break it."""
        ...

    async def key_check(self) -> bytes | None:
        """The check value (an HMAC) of the key this database was used with; None before it
        was first set. It confirms a key in hand and reveals nothing of it."""
        ...

    async def set_key_check(self, value: bytes) -> None:
        """Record the key's check value (there is one per database), replacing any other."""
        ...

    async def first_key_check(self, value: bytes) -> bytes:
        """Record the key's check value unless the database has one already, atomically;
        return the value it holds now: ``value``, or the one another process (with another
        key file) recorded first."""
        ...

    async def flush_drafts(self) -> int:
        """After it returns, every draft saved so far survives a crash; how many were written
        (0 for a backend that writes drafts through)."""
        ...

    # --- polls ------------------------------------------------------------------------------

    async def add_poll(
        self,
        code: str,
        title: str,
        definition: str,
        opens_at: int | None,
        closes_at: int | None,
        status: str = "draft",
    ) -> int:
        """A new poll's id; raises PollExists if ``code`` is taken (codes are unique)."""
        ...

    async def get_poll(self, code: str) -> PollRow | None:
        """The poll with this code (case-insensitive), or None."""
        ...

    async def get_poll_by_id(self, poll_id: int) -> PollRow | None:
        """The poll with this id, or None."""
        ...

    async def list_polls(self, today: str = "") -> list[PollSummary]:
        """Every poll, newest first, with its ballots in total and cast on ``today``."""
        ...

    async def set_poll_status(self, code: str, status: str) -> bool:
        """Set 'draft', 'open' or 'closed' (recording when it closed); False if no such poll."""
        ...

    async def apply_schedule(self, now: int) -> tuple[list[str], list[str]]:
        """Mark open polls whose closing time is at or before ``now`` closed, atomically;
        (opened, closed) codes, and nothing is ever opened here."""
        ...

    # --- the journey ------------------------------------------------------------------------

    async def load_draft(self, owner: bytes) -> DraftRow | None:
        """The last draft saved under this keyed hash (even if not yet flushed), or None."""
        ...

    async def save_draft(self, draft: DraftRow) -> None:
        """Replace the owner's draft; durable by the next flush (at most ~0.5 s later on
        SQLite); never a ballot."""
        ...

    async def drop_draft(self, owner: bytes) -> bool:
        """Delete the owner's draft everywhere it is kept; True if there was one."""
        ...

    async def drop_stale_drafts(self, updated_before: int) -> int:
        """Delete every draft last saved before ``updated_before``; how many."""
        ...

    async def has_voted(self, poll_id: int, voter: bytes) -> bool:
        """Whether this keyed hash is in the poll's voter register (a hint: only cast_ballot's
        key decides)."""
        ...

    async def cast_ballot(
        self,
        ballot: NewBallot,
        voter: bytes | None,
        owner: bytes | None,
        now: int,
        notes: Sequence[SharedNote] = (),
    ) -> CastResult:
        """Exactly once per (poll, voter) by the voter register's primary key, in one durable
        transaction that also deletes ``owner``'s draft and checks the poll open at ``now``
        (POLL_CLOSED, nothing counted); the ballot gets a random id and only its date.
        ``voter`` None (paper) registers nobody. ``notes`` are put in shared_state (as
        ``shared_put``) in the same transaction, only when the ballot is COUNTED."""
        ...

    # --- paper ballots ----------------------------------------------------------------------

    async def refuse_imported(self, poll_id: int, digest: str) -> None:
        """Raise AlreadyImported if this file (by digest) is already in the poll (a quick early
        answer; import_paper still refuses it by key)."""
        ...

    async def import_paper(
        self,
        poll_id: int,
        digest: str,
        filename: str,
        ballots: Iterable[NewBallot],
        today: str,
    ) -> int:
        """All of a file's ballots or none (``ballots`` is consumed once, and if it raises
        nothing is added), and each file (by digest) once per poll: raises AlreadyImported,
        adding nothing, for a file seen before; how many were added."""
        ...

    async def has_paper(self, poll_id: int) -> bool:
        """Whether any paper ballots were imported into the poll."""
        ...

    # --- retention --------------------------------------------------------------------------

    async def checkpoint(self) -> None:
        """Soon make rows deleted so far unrecoverable from the files the backend controls (no
        log or journal keeps their old images); best effort, never fails the caller."""
        ...

    async def compact(self) -> None:
        """Rewrite the stored data so its physical order says nothing about when rows were
        added, and free the space of deleted rows; may pause writes; never fails the caller."""
        ...

    async def purge_texts(self, cast_before: str | None = None) -> int:
        """Blank the words of free-text answers of ballots cast before the date, or of every
        ballot when None (themes and tallies stay); how many."""
        ...

    async def purge_voters(self, closed_before: int) -> int:
        """Delete the voter register of polls closed before the time, so nothing links their
        ballots to a keyed hash; how many entries."""
        ...

    # --- preferences ------------------------------------------------------------------------

    async def languages(self) -> dict[bytes, str]:
        """Every remembered language choice, keyed hash -> language."""
        ...

    async def set_language(self, person: bytes, lang: str) -> None:
        """Remember (or replace) a person's language choice."""
        ...

    # --- session links ----------------------------------------------------------------------

    async def add_session(self, poll_id: int, token: str, label: str, now: int) -> str:
        """A session link's token for (poll, label): ``token`` if new, else the existing one."""
        ...

    async def get_session(self, token: str) -> tuple[int, int, str] | None:
        """(session id, poll id, label) for a token, or None."""
        ...

    async def list_sessions(self, poll_id: int) -> list[tuple[int, str]]:
        """(session id, label) of the poll's sessions, in the order made."""
        ...

    # --- voting codes (web ballot) ----------------------------------------------------------

    async def session_id(self, poll_id: int, label: str, token: str, now: int) -> int:
        """The id of the poll's session with ``label``, made with ``token`` if new; the same id
        for the same label, even when asked concurrently."""
        ...

    async def add_codes(
        self, poll_id: int, codes: Sequence[bytes], session_id: int | None, today: str
    ) -> int:
        """Keep a batch of voting codes (keyed hashes), all or none: a code already kept for
        the poll (or twice in the batch) raises DuplicateCode and keeps none; how many."""
        ...

    async def find_code(self, poll_id: int, code: bytes) -> tuple[int | None, bool] | None:
        """(session id, used) for a code's keyed hash, used meaning the same hash is in the
        voter register; None if no such code."""
        ...

    async def code_counts(self, poll_id: int) -> tuple[int, int]:
        """(codes made, codes used) for the poll, without saying which were used."""
        ...

    async def ballots_by_channel(self, poll_id: int) -> dict[str, int]:
        """Ballots per channel ('telegram', 'web', 'paper'); absent channels left out."""
        ...

    # --- safeguarding alerts ----------------------------------------------------------------

    async def save_draft_with_alert(self, draft: DraftRow, sealed: bytes, today: str) -> str:
        """Save the draft and queue its sealed alert in one durable transaction before
        returning: no alert without the answer that raised it, and no answer without its
        alert (on ``StorageUnavailable`` neither is kept: the draft is as it was before the
        call, in memory too); the alert's random id."""
        ...

    async def pending_alerts(self) -> list[tuple[str, bytes, bool]]:
        """(id, sealed, in flight) of every alert not yet marked sent; in flight when a send
        was recorded as started (``alert_in_flight``) and not as refused since."""
        ...

    async def alert_in_flight(self, alert_id: str, in_flight: bool) -> None:
        """Record durably, before returning, that a send of the alert is starting (True: its
        outcome is not known until Telegram answers) or was refused (False); a deleted alert
        is left deleted."""
        ...

    async def alert_sent(self, alert_id: str) -> None:
        """Delete a delivered alert (nothing left of it); a second call changes nothing."""
        ...

    # --- webhook updates --------------------------------------------------------------------

    async def claim_update(self, update_id: int, now: int, lease: int) -> UpdateClaim:
        """Claim a Telegram update for handling, atomically and durably: HANDLE for exactly
        one of any number of concurrent claims of the same id (any process); DONE once
        ``finish_update`` recorded it handled; BUSY while another claim is younger than
        ``lease`` seconds. An unfinished claim older than that was left by a process that died
        mid-update: the next claim takes it over (HANDLE), so a crash means redelivery, not
        loss."""
        ...

    async def claim_update_and_read(
        self, update_id: int, now: int, lease: int, person: bytes, kind: str, key: bytes
    ) -> tuple[UpdateClaim, str | None, bytes | None]:
        """``claim_update``, and when it says HANDLE, ``language_and_shared(person, kind, key,
        now)``: what an update's handling reads first when several processes share the
        database, in the claim's own round trip on PostgreSQL (one instead of two). The claim
        is exactly as ``claim_update``'s; the read halves are None unless it is HANDLE."""
        ...

    async def finish_update(self, update_id: int) -> None:
        """The claimed update was handled (its writes committed): later deliveries are DONE."""
        ...

    async def release_update(self, update_id: int) -> None:
        """Give up a claim whose handling failed, so Telegram's redelivery is handled."""
        ...

    async def forget_updates(self, seen_before: int) -> int:
        """Forget updates claimed before ``seen_before``; how many."""
        ...

    # --- what several processes share (issue 12) ---------------------------------------------

    @property
    def single_process(self) -> bool:
        """True when only one process may serve the database at a time (SQLite): memory may
        then hold the truth (caches, the write-behind drafts). False (PostgreSQL): whatever
        another process needs must be read from the database each time."""
        ...

    def person_turn(self, person: bytes) -> AbstractAsyncContextManager[None]:
        """Hold ``person``'s turn (a keyed hash) while the body runs: across every process
        sharing the database, one holder at a time, in the order asked where the engine can.
        A process that dies lets go. The single-process backend may hold nothing (callers keep
        an in-process lock too)."""
        ...

    async def language(self, person: bytes) -> str | None:
        """One person's remembered language choice, or None."""
        ...

    async def language_and_shared(
        self, person: bytes, kind: str, key: bytes, now: int
    ) -> tuple[str | None, bytes | None]:
        """``language(person)`` and ``shared_get(kind, key, now)`` in one read: what an update
        must know about its person before it is handled when several processes share the
        database (one round trip on PostgreSQL instead of two). Each half is as fresh as the
        operation it stands for."""
        ...

    async def shared_put(self, kind: str, key: bytes, value: bytes, expires_at: int) -> None:
        """Keep ``value`` under (kind, key) until ``expires_at``, replacing what was there."""
        ...

    async def shared_get(self, kind: str, key: bytes, now: int) -> bytes | None:
        """The value under (kind, key), or None if there is none or it expired by ``now``."""
        ...

    async def shared_take(self, kind: str, key: bytes, now: int) -> bytes | None:
        """Delete and return the value under (kind, key) atomically: of concurrent takers (any
        process) at most one gets it; None if there was none or it had expired."""
        ...

    async def shared_drop(self, kind: str, key: bytes) -> bool:
        """Delete the value under (kind, key); True if there was one."""
        ...

    async def shared_purge(self, now: int) -> int:
        """Delete every value (and lease) expired by ``now``; how many."""
        ...

    async def claim_lease(self, name: str, holder: bytes, now: int, seconds: int) -> bool:
        """Atomically take or renew the lease ``name`` for ``holder`` until ``now + seconds``:
        True if it was free, expired at ``now`` or already ``holder``'s; else False and
        nothing changes. Of concurrent claims (any process) at most one holder wins."""
        ...

    async def release_lease(self, name: str, holder: bytes) -> None:
        """Give the lease up if ``holder`` has it (another holder's lease is left alone)."""
        ...

    async def forget_claims(self) -> int:
        """At `markbot run`'s start: drop every lease and unfinished update claim when this
        process is the database's only one (SQLite, under run's lock): they were left by a
        process that died (kill -9), and would hold alerts, broadcasts and redelivered updates
        back for up to a lease (60-90 s). A store other processes share (PostgreSQL) keeps them
        (they may be live) and returns 0; else how many were dropped."""
        ...

    # --- moving to another database (`markbot db copy`) ---------------------------------------

    def dump(self) -> AsyncIterator[TableRows]:
        """Every row of every table in storage.migrations.COPY_TABLES, in that order, each
        table in the order of its key (random ids and keyed hashes: nothing about when), in
        batches, from one consistent snapshot; unflushed drafts included."""
        ...

    async def load(self, batches: AsyncIterable[TableRows]) -> int:
        """Write another database's dump into this one, all in one transaction (all or
        nothing), keeping every value (ids included) as it was; raises StorageError, writing
        nothing, if this database already holds any row of those tables; how many rows."""
        ...

    # --- staff ------------------------------------------------------------------------------

    async def is_worker(self, person: bytes) -> bool:
        """Whether the keyed hash belongs to a worker."""
        ...

    async def list_workers(self) -> list[tuple[bytes, str, int]]:
        """(keyed hash, name, added at) of every worker, by name, case-insensitively."""
        ...

    async def remove_worker(self, person: bytes) -> bool:
        """Remove a worker; True if they were one."""
        ...

    async def add_invite(self, token: bytes, created_at: int, expires_at: int) -> None:
        """Keep an invite (its token's keyed hash only) until ``expires_at``."""
        ...

    async def invite_usable(self, token: bytes, now: int) -> bool:
        """Whether the invite exists, is unused and has not expired at ``now``."""
        ...

    async def redeem_invite(self, token: bytes, person: bytes, name: str, now: int) -> str:
        """Use an invite exactly once, making ``person`` a worker in the same transaction:
        'ok', or 'used', 'expired', 'unknown' (nothing changed)."""
        ...

    async def add_login(self, token: bytes, person: bytes, expires_at: int, now: int) -> None:
        """Keep a staff sign-in link (its token's keyed hash, and the keyed hash of the staff
        member it was made for) until ``expires_at``; links already expired at ``now`` go."""
        ...

    async def redeem_login(self, token: bytes, now: int) -> bytes | None:
        """Use a sign-in link exactly once: the staff member's keyed hash if the link exists
        and has not expired at ``now``, else None. The link is gone afterwards either way, so
        of two redeemers at once (any processes) only one gets the person."""
        ...

    # --- published results ------------------------------------------------------------------

    async def set_published(self, poll_id: int, day: str | None) -> bool:
        """Publish a poll's results as of ``day`` (ISO date, no time), or take them down with
        None; True if that changed anything (publishing again keeps the first date)."""
        ...

    async def published_polls(self) -> dict[str, str]:
        """Poll code -> the date its results were published, for every published poll."""
        ...

    async def record_release(self, poll_id: int, ballots: int) -> int:
        """Remember that a poll's results went public with ``ballots`` ballots, unless they
        went public before; returns the number remembered (the first release's). Taking the
        pages down keeps it, so a later publication can be checked against it."""
        ...

    # --- results ----------------------------------------------------------------------------

    async def tally(
        self, poll_id: int, dimensions: Sequence[str], channel: str | None = None
    ) -> TallyData:
        """Counts per option (and place), overall and per group of each breakdown dimension,
        and respondents, all from one consistent snapshot; optionally one channel only."""
        ...

    async def ballots_by_day(self, poll_id: int) -> list[tuple[str, int]]:
        """(date, ballots) per day cast, by date."""
        ...

    async def text_answers(self, poll_id: int) -> list[tuple[str, str, str, str, bool, str, bool]]:
        """(question, body, language, groups, flagged, themes, review) of every free-text
        answer, in an order that says nothing about when each was given."""
        ...

    async def review_answers(self, poll_id: int) -> list[tuple[str, str, str]]:
        """(question, body, themes) of the answers flagged for review (a worry about others),
        in an order that says nothing about when they were given; purged ones left out."""
        ...


@runtime_checkable
class Diagnostics(Protocol):
    """Optional, engine-specific readings for benchmarks and tests; services never use them."""

    @property
    def writer_stats(self) -> tuple[int, int]:
        """(transactions, operations) committed so far: how well writes are batched."""
        ...

    async def pragmas(self) -> dict[str, object]:
        """The engine's durability settings in force (names are the engine's own)."""
        ...
