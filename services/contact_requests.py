""" "I'd like an adult to contact me": the one place markbot keeps a way to reach a young person.

Only offered after safeguarding signposting, and only when a safeguarding chat is set. Only
with that consent, and only after the young person has seen exactly what will be passed on and
pressed Send, is the detail they typed kept: encrypted (AES-GCM, a key derived from the key
file), in its own table with no link to any ballot, shown only in the safeguarding chat, and
deleted (there and here) when a lead marks it handled. Nothing here is ever scrubbed, logged
or exported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from prompts import Catalog
from services import screens
from services.identity import Hasher
from services.journey import Outcome, Person
from services.screens import Button, Screen
from services.sealing import Cipher, CipherError
from storage import contacts as db
from storage.sqlite import SqliteStore

PREFIX = "sg:"  # button data handled by handlers/safeguarding.py
ASK = screens.CONTACT_ASK  # optionally followed by ":<poll code>"
SEND = PREFIX + "send"
DONT = PREFIX + "no"
DONE = PREFIX + "done:"  # followed by the request id, in the safeguarding chat
MAX_DETAIL_CHARS = 500
ABANDONED_SECONDS = 24 * 3600  # a request typed but never sent is deleted, like a draft
LEAD_LANGUAGE = "en"
_POLL_CODE = re.compile(r"^[A-Za-z0-9-]{1,40}$")


@dataclass(frozen=True, slots=True)
class LeadMessage:
    """A contact request for the safeguarding chat (sent by the handler layer)."""

    request_id: int
    screen: Screen


class ContactRequestService:
    """Ask, type, check, send; and, for the lead, see and mark handled."""

    def __init__(
        self,
        store: SqliteStore,
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
        self._waiting: set[bytes] = set()  # who is typing a detail right now (keyed hashes)

    async def load(self) -> None:
        """Remember, after a restart, who was part-way through a request."""
        self._waiting = set(await db.all_waiting(self._store))

    def _now(self) -> int:
        return int(self._clock().timestamp())

    def _key(self, person: Person) -> bytes:
        return self._hasher.contact(person.id)

    def is_waiting(self, person: Person) -> bool:
        """Whether this person's next typed message is their contact detail."""
        return self._key(person) in self._waiting

    def _seal(self, request_id: int, payload: dict[str, str]) -> bytes:
        plain = json.dumps(payload, ensure_ascii=False).encode()
        return self._cipher.seal_bytes(plain, str(request_id).encode())

    def _open(self, request_id: int, sealed: bytes | None) -> dict[str, str]:
        if sealed is None:
            return {}
        try:
            data = json.loads(self._cipher.open_bytes(sealed, str(request_id).encode()))
        except (CipherError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    # --- the young person ----------------------------------------------------------------

    async def ask(self, person: Person, lang: str, data: str) -> Outcome:
        """The "I'd like an adult to contact me" button: explain, then wait for their detail."""
        if not self.available:
            return Outcome(toast=self._catalog.plain(lang, "stale_button"), alert=True)
        code = data.removeprefix(ASK).removeprefix(":")
        key = self._key(person)
        request_id = await db.open_request(self._store, key, lang, self._now())
        payload = {"poll": code} if _POLL_CODE.match(code) else {}
        await db.set_detail(self._store, request_id, self._seal(request_id, payload))
        self._waiting.add(key)
        rows = ((Button(self._catalog.plain(lang, "button_contact_dont"), DONT),),)
        return Outcome(
            Screen(self._catalog.t(lang, "contact_ask", max_length=MAX_DETAIL_CHARS), rows)
        )

    async def typed(self, person: Person, lang: str, text: str) -> Outcome | None:
        """Their typed detail: kept sealed, then shown back for them to check before Send.
        None if they aren't part-way through a request after all."""
        key = self._key(person)
        row = await db.waiting_request(self._store, key)
        if row is None:
            self._waiting.discard(key)
            return None
        lang = row.lang
        detail = text.strip()
        if not detail:
            return Outcome(screens.message(self._catalog, lang, "contact_empty"))
        if len(detail) > MAX_DETAIL_CHARS:
            return Outcome(
                screens.message(
                    self._catalog,
                    lang,
                    "contact_too_long",
                    length=len(detail),
                    max_length=MAX_DETAIL_CHARS,
                )
            )
        payload = self._open(row.id, row.sealed)
        payload["contact"] = detail
        await db.set_detail(self._store, row.id, self._seal(row.id, payload))
        rows = (
            (Button(self._catalog.plain(lang, "button_contact_send"), SEND),),
            (Button(self._catalog.plain(lang, "button_contact_dont"), DONT),),
        )
        return Outcome(Screen(self._catalog.t(lang, "contact_check", contact=detail), rows))

    async def send(self, person: Person, lang: str) -> tuple[Outcome, LeadMessage | None]:
        """Send: from now on the request no longer knows who sent it."""
        key = self._key(person)
        row = await db.waiting_request(self._store, key)
        if row is None:  # a double tap, or sent already
            return Outcome(toast=self._catalog.plain(lang, "contact_already_sent")), None
        payload = self._open(row.id, row.sealed)
        if not payload.get("contact"):
            return Outcome(toast=self._catalog.plain(row.lang, "contact_type_first")), None
        now = self._now()
        if not await db.mark_sent(self._store, row.id, now):
            return Outcome(toast=self._catalog.plain(lang, "contact_already_sent")), None
        self._waiting.discard(key)
        done = Outcome(screens.message(self._catalog, row.lang, "contact_sent"), edit=True)
        return done, self._lead_message(row.id, payload, now)

    async def withdraw(self, person: Person, lang: str) -> Outcome:
        """Don't send: whatever they typed is deleted."""
        key = self._key(person)
        await db.drop_waiting(self._store, key)
        self._waiting.discard(key)
        return Outcome(screens.message(self._catalog, lang, "contact_not_sent"), edit=True)

    # --- the safeguarding lead -----------------------------------------------------------

    def _lead_message(self, request_id: int, payload: dict[str, str], sent_at: int) -> LeadMessage:
        when = datetime.fromtimestamp(sent_at, UTC).strftime("%d %b %Y %H:%M UTC")
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
        return LeadMessage(request_id, Screen(text, ((button,),)))

    async def delivered(self, request_id: int, message_id: int) -> None:
        """The safeguarding chat has it (so the janitor stops retrying)."""
        await db.mark_delivered(self._store, request_id, message_id)

    async def to_deliver(self) -> list[LeadMessage]:
        """Sent requests the safeguarding chat hasn't had yet (a failure, or a crash)."""
        rows = await db.sent_requests(self._store, undelivered_only=True)
        return [self._lead_message(r.id, self._open(r.id, r.sealed), r.sent_at or 0) for r in rows]

    async def open_requests(self) -> list[LeadMessage]:
        """/contacts in the safeguarding chat: every request not yet marked handled."""
        rows = await db.sent_requests(self._store, undelivered_only=False)
        return [self._lead_message(r.id, self._open(r.id, r.sealed), r.sent_at or 0) for r in rows]

    async def handled(self, data: str) -> Screen | None:
        """A lead marked a request handled: delete it, and say so in place of the detail.
        None if the button data isn't a request id."""
        raw = data.removeprefix(DONE)
        if not raw.isdigit() or len(raw) > 12:
            return None
        request_id = int(raw)
        await db.delete_request(self._store, request_id)
        when = self._clock().strftime("%d %b %Y %H:%M UTC")
        return Screen(
            self._catalog.plain(LEAD_LANGUAGE, "contact_lead_handled", id=request_id, time=when)
        )

    async def purge_abandoned(self) -> int:
        """Delete requests typed but never sent, after a day (the person walked away)."""
        removed = await db.drop_abandoned(self._store, self._now() - ABANDONED_SECONDS)
        if removed:
            self._waiting = set(await db.all_waiting(self._store))
        return removed
