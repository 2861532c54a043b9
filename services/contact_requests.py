""" "I'd like an adult to contact me": the one place markbot keeps a way to reach a young person.

Offered only after safeguarding signposting, and only when a safeguarding chat is set. While
the young person checks the detail they typed, it is kept sealed (AES-GCM, a key derived from
the key file) in the database's short-lived shared state, so that any markbot process can take
their next tap, and deleted when they send, withdraw or after ``WAIT_SECONDS``; only when they
press Send on the version they were shown is it kept as a request: encrypted (the same way)
with the poll code, dated but not timed, in its own table with nothing that points to a
ballot. It is shown only in the safeguarding chat, and deleted (there and here) when a lead
marks it handled, or after ``KEEP_DAYS`` if nobody does. Nothing here is scrubbed, logged or
exported.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta

from prompts import Catalog
from services import screens
from services.dates import day
from services.identity import Hasher
from services.journey import Outcome, Person
from services.leases import SharedLock
from services.screens import Button, Screen
from services.sealing import Cipher, CipherError
from storage.contract import Store
from storage.records import ContactRow

PREFIX = "sg:"  # button data handled by handlers/safeguarding.py
ASK = screens.CONTACT_ASK  # optionally followed by ":<poll code>"
SEND = PREFIX + "send:"  # followed by the version of the detail shown on that screen
DONT = PREFIX + "no"
DONE = PREFIX + "done:"  # followed by the request number, in the safeguarding chat
MAX_DETAIL_CHARS = 500
WAIT_SECONDS = 30 * 60  # after this, typed text is an answer again, not a contact detail
KEEP_DAYS = 30  # a sent request nobody marks handled is deleted after this (see the DPIA)
MAX_PER_DAY = 3  # requests one person can send in a day (keeps a prank from flooding leads)
LEAD_LANGUAGE = "en"
_POLL_CODE = re.compile(r"^[A-Za-z0-9-]{1,40}$")
_NUMBER = re.compile(r"^[0-9]{1,12}$")


PENDING = "contact-pending"  # shared_state kinds: the sealed _Pending, and sends today
SENDS = "contact-sends"
_PENDING_CONTEXT = b"contact pending"


@dataclass(slots=True)
class _Pending:
    """Someone typing and checking a detail (kept sealed in the shared state, see above)."""

    lang: str
    since: int
    poll: str = ""
    detail: str | None = None
    version: str = ""


@dataclass(frozen=True, slots=True)
class LeadMessage:
    """A contact request for the safeguarding chat (sent by the handler layer).
    ``replaces``: an earlier message about the same request, to be emptied of the detail."""

    request_id: int
    screen: Screen
    replaces: int | None = None


class ContactRequestService:
    """Ask, type, check, send; and, for the lead, see and mark handled."""

    def __init__(
        self,
        store: Store,
        hasher: Hasher,
        cipher: Cipher,
        catalog: Catalog,
        *,
        available: bool,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._hasher = hasher
        self._cipher = cipher
        self._catalog = catalog
        self._clock = clock
        self.available = available  # a safeguarding chat is set: someone can act on it
        # one poster at a time, in every process: a request is never posted twice
        self.delivery = SharedLock(store, "safeguarding-post")

    def _now(self) -> int:
        return int(self._clock().timestamp())

    def _key(self, person: Person) -> bytes:
        return self._hasher.contact(person.id)

    async def _waiting(self, person: Person) -> _Pending | None:
        raw = await self._store.shared_get(PENDING, self._key(person), self._now())
        return self._unseal(raw) if raw is not None else None

    def _unseal(self, raw: bytes) -> _Pending | None:
        try:
            data = json.loads(self._cipher.open_bytes(raw, _PENDING_CONTEXT))
            pending = _Pending(**data)
        except (CipherError, ValueError, TypeError):
            return None
        return pending if pending.since >= self._now() - WAIT_SECONDS else None

    async def _keep(self, key: bytes, pending: _Pending) -> None:
        """Keep (or replace) what someone is part-way through, sealed, until it expires."""
        plain = json.dumps(asdict(pending), ensure_ascii=False).encode()
        sealed = self._cipher.seal_bytes(plain, _PENDING_CONTEXT)
        await self._store.shared_put(PENDING, key, sealed, pending.since + WAIT_SECONDS)
        await self._store.contacts.start_waiting(key, pending.since)

    async def is_waiting(self, person: Person) -> bool:
        """Whether this person's next typed message is their contact detail."""
        return await self._waiting(person) is not None

    def pending_key(self, person: Person) -> tuple[str, bytes]:
        """Where what this person is part-way through is kept (the shared value's kind and
        key), so that it can be read with their language choice, in one round trip."""
        return PENDING, self._key(person)

    def is_pending(self, raw: bytes | None) -> bool:
        """is_waiting, from the value under pending_key read for this update."""
        return raw is not None and self._unseal(raw) is not None

    async def stop_waiting(self, person: Person) -> None:
        """They went back to the poll (a command, another button): typing is answers again."""
        key = self._key(person)
        if await self._store.shared_drop(PENDING, key):
            await self._store.contacts.stop_waiting(key)
            await self._store.checkpoint()  # the keyed hash leaves the WAL too

    def _seal(self, payload: dict[str, str]) -> bytes:
        plain = json.dumps(payload, ensure_ascii=False).encode()
        return self._cipher.seal_bytes(plain, b"contact request")

    def _open(self, row: ContactRow) -> dict[str, str]:
        try:
            data = json.loads(self._cipher.open_bytes(row.sealed, b"contact request"))
        except (CipherError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def _message(self, lang: str, key: str, *, edit: bool = False, **params: object) -> Outcome:
        return Outcome(screens.message(self._catalog, lang, key, **params), edit=edit)

    # --- the young person ----------------------------------------------------------------

    async def ask(self, person: Person, lang: str, data: str) -> Outcome:
        """The "I'd like an adult to contact me" button: explain, then wait for their detail."""
        if not self.available:
            return Outcome(toast=self._catalog.plain(lang, "stale_button"), alert=True)
        key = self._key(person)
        if await self._sends_today(key) >= MAX_PER_DAY:
            return self._message(lang, "contact_limit")
        code = data.removeprefix(ASK).removeprefix(":")
        await self._keep(key, _Pending(lang, self._now(), code if _POLL_CODE.match(code) else ""))
        rows = ((Button(self._catalog.plain(lang, "button_contact_dont"), DONT),),)
        text = self._catalog.t(lang, "contact_ask", max_length=MAX_DETAIL_CHARS)
        return Outcome(Screen(text, rows))

    async def limit_reached(self, person: Person) -> bool:
        """They have sent as many requests today as one person may."""
        return await self._sends_today(self._key(person)) >= MAX_PER_DAY

    async def waiting(self, person: Person) -> bool:
        """They are part-way through a request (asked, typed or checking): a page that says
        nothing is waiting would not be true."""
        return await self._waiting(person) is not None

    async def sent_today(self, person: Person) -> bool:
        """They sent a request today: only then may a page say it was passed on."""
        return await self._sends_today(self._key(person)) > 0

    async def version(self, person: Person) -> str | None:
        """The version of the detail now shown to check (what Send must name), if any: the web
        puts it in its form as Telegram puts it in the Send button."""
        checking = await self.checking(person)
        return checking[0] if checking is not None else None

    async def checking(self, person: Person) -> tuple[str, str] | None:
        """The version and the detail now shown to check, if any: a web page showing the
        check again (a reload, the language switch) shows what Send would send."""
        pending = await self._waiting(person)
        if pending is None or not pending.detail:
            return None
        return pending.version, pending.detail

    async def typed(
        self, person: Person, lang: str, text: str, *, as_page: bool = False
    ) -> Outcome | None:
        """Their typed detail, shown back to check before Send (kept in memory only).
        None if they aren't part-way through a request after all. Said in the language the
        request began in, or with ``as_page`` in ``lang`` (a web page's own language) and in a
        page's words (pressed, not tapped)."""
        pending = await self._waiting(person)
        if pending is None:
            return None
        lang = lang if as_page else pending.lang or lang
        detail = text.strip()
        if not detail:  # a page has no button to tap: it says press
            return self._message(lang, "web_contact_empty" if as_page else "contact_empty")
        if len(detail) > MAX_DETAIL_CHARS:
            return self._message(
                lang, "contact_too_long", length=len(detail), max_length=MAX_DETAIL_CHARS
            )
        pending.detail, pending.version, pending.since = detail, secrets.token_hex(3), self._now()
        await self._keep(self._key(person), pending)  # the clock restarts
        rows = (
            (Button(self._catalog.plain(lang, "button_contact_send"), SEND + pending.version),),
            (Button(self._catalog.plain(lang, "button_contact_dont"), DONT),),
        )
        return Outcome(Screen(self._catalog.t(lang, "contact_check", contact=detail), rows))

    async def send(
        self, person: Person, lang: str, data: str
    ) -> tuple[Outcome, LeadMessage | None]:
        """Send, on the screen showing the detail that goes: from now on the request no longer
        knows who sent it."""
        pending = await self._waiting(person)
        if pending is None:  # sent already, withdrawn, or waited too long
            return self._message(lang, "contact_nothing_waiting", edit=True), None
        lang = pending.lang or lang
        if pending.detail is None:
            return Outcome(toast=self._catalog.plain(lang, "contact_type_first"), alert=True), None
        if data.removeprefix(SEND) != pending.version:  # an older check screen
            return Outcome(toast=self._catalog.plain(lang, "contact_old_version"), alert=True), None
        key = self._key(person)
        now = self._clock()
        payload = {"contact": pending.detail, "poll": pending.poll}
        # Taken atomically: of two quick taps (in any process) only one finds it to send.
        taken = await self._store.shared_take(PENDING, key, self._now())
        if taken is None or self._unseal(taken) != pending:
            return self._message(lang, "contact_nothing_waiting", edit=True), None
        try:
            request_id = await self._store.contacts.add_request(
                key, self._seal(payload), now.date().isoformat()
            )
        except Exception:
            await self._keep(key, pending)  # not sent: they can tap Send again
            raise
        await self._count_send(key)
        await self._store.checkpoint()  # the keyed hash leaves the WAL too
        lead = self._lead_message(request_id, payload, self._day(now, time=True))
        return self._message(lang, "contact_sent", edit=True), lead

    async def withdraw(self, person: Person, lang: str) -> Outcome:
        """Don't send: whatever they typed is forgotten."""
        pending = await self._waiting(person)
        if pending is None:
            return self._message(lang, "contact_nothing_waiting", edit=True)
        await self.stop_waiting(person)
        return self._message(pending.lang or lang, "contact_not_sent", edit=True)

    def _day_key(self, key: bytes) -> tuple[bytes, int]:
        """The shared-state key of today's count, and when it expires (tomorrow, UTC)."""
        today = self._clock().date()
        tomorrow = datetime.combine(today + timedelta(days=1), datetime.min.time(), UTC)
        return key + today.isoformat().encode(), int(tomorrow.timestamp())

    async def _sends_today(self, key: bytes) -> int:
        day_key, _ = self._day_key(key)
        raw = await self._store.shared_get(SENDS, day_key, self._now())
        return int(raw) if raw is not None else 0

    async def _count_send(self, key: bytes) -> None:
        """One more request today (read then written: two sends at the very same moment from
        one person could count once, which only loosens a prank limit)."""
        day_key, expires = self._day_key(key)
        sent = await self._sends_today(key) + 1
        await self._store.shared_put(SENDS, day_key, str(sent).encode(), expires)

    # --- the safeguarding lead -----------------------------------------------------------

    def _lead_message(
        self, request_id: int, payload: dict[str, str], when: str, replaces: int | None = None
    ) -> LeadMessage:
        text = self._catalog.plain(
            LEAD_LANGUAGE,
            "contact_lead",
            id=request_id,
            poll=payload.get("poll") or "-",
            time=when,
            contact=payload.get("contact", ""),
        )
        label = self._catalog.plain(LEAD_LANGUAGE, "button_contact_handled")
        button = Button(label, f"{DONE}{request_id}")
        return LeadMessage(request_id, Screen(text, ((button,),)), replaces)

    def _day(self, when: date | datetime, *, time: bool = False) -> str:
        """A date in the lead's messages, the month named in their language."""
        return day(self._catalog, LEAD_LANGUAGE, when, time=time)

    def _from_row(self, row: ContactRow) -> LeadMessage:
        when = self._day(date.fromisoformat(row.sent_on[:10]))
        return self._lead_message(row.id, self._open(row), when, row.alert_message_id)

    async def delivered(self, request_id: int, message_id: int) -> None:
        """The safeguarding chat has it (so it isn't sent again)."""
        await self._store.contacts.mark_delivered(request_id, message_id)

    async def is_delivered(self, request_id: int) -> bool:
        row = await self._store.contacts.get_request(request_id)
        return row is None or row.delivered

    async def to_deliver(self) -> list[LeadMessage]:
        """Sent requests the safeguarding chat hasn't had yet (a failure, or a crash)."""
        rows = await self._store.contacts.open_requests(undelivered_only=True)
        return [self._from_row(r) for r in rows]

    async def open_requests(self) -> list[LeadMessage]:
        """/contacts in the safeguarding chat: every request not yet marked handled."""
        rows = await self._store.contacts.open_requests(undelivered_only=False)
        return [self._from_row(r) for r in rows]

    def shown_again(self, request_id: int) -> Screen:
        """What an earlier message about a request says once it has been shown again."""
        return Screen(self._catalog.plain(LEAD_LANGUAGE, "contact_lead_moved", id=request_id))

    async def handled(
        self, data: str, message_id: int, *, on_it: bool
    ) -> tuple[Screen, int | None] | None:
        """A lead marked a request handled: delete it, and say so in place of the detail.

        ``on_it``: the button was seen on the tapped message (Telegram leaves out an old
        message's buttons; then the message must be the one the request was posted as).
        Returns the new text and the request's other message (if it was shown again), or None
        for a button that isn't this message's."""
        raw = data.removeprefix(DONE)
        if not _NUMBER.match(raw):
            return None
        row = await self._store.contacts.get_request(int(raw))
        if row is None:  # handled already, maybe from another copy: empty this one too
            if not on_it:
                return None
            text = self._catalog.plain(LEAD_LANGUAGE, "contact_lead_already_handled", id=raw)
            return Screen(text), None
        if not on_it and row.alert_message_id != message_id:
            return None
        row = await self._store.contacts.delete_request(row.id)
        if row is None:  # a lead beside them was quicker
            text = self._catalog.plain(LEAD_LANGUAGE, "contact_lead_already_handled", id=raw)
            return Screen(text), None
        await self._store.checkpoint()
        when = self._day(self._clock(), time=True)
        text = self._catalog.plain(LEAD_LANGUAGE, "contact_lead_handled", id=row.id, time=when)
        return Screen(text), row.alert_message_id

    async def tidy(self) -> list[tuple[int, Screen]]:
        """Forget stale waiting marks, and delete requests nobody marked handled in KEEP_DAYS.
        Returns (message id, new text) for the lead messages that showed deleted details."""
        now = self._now()
        await self._store.contacts.drop_waiting_before(now - WAIT_SECONDS)
        await self._store.shared_purge(now)
        cutoff = (self._clock() - timedelta(days=KEEP_DAYS)).date().isoformat()
        expired = await self._store.contacts.delete_sent_before(cutoff)
        if expired:
            await self._store.checkpoint()
        text = "contact_lead_expired"
        return [
            (row.alert_message_id, Screen(self._catalog.plain(LEAD_LANGUAGE, text, id=row.id)))
            for row in expired
            if row.alert_message_id is not None
        ]
