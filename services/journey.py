"""The young person's journey: the rules behind every tap and message.

Handlers hand over a :class:`Person` (the Telegram id is hashed here and goes no further) and get
back an :class:`Outcome` to show. The database only ever sees keyed hashes and answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any
from weakref import WeakValueDictionary

from prompts import Catalog
from services import screens
from services.alerts import AlertService
from services.callbacks import Callback, decode
from services.dates import day
from services.identity import Hasher
from services.journey_state import Journey
from services.language import DEFAULT_EXPECTED
from services.pollfile import Poll, Question
from services.polls import PollService, poll_state
from services.screens import Screen
from services.text_input import is_blank
from services.themes import themes_of
from services.typed_answers import Taken, TypedAnswers
from storage.contract import Store
from storage.records import (
    CastResult,
    DraftRow,
    NewBallot,
    PollRow,
    SharedNote,
    StorageError,
    UpdateClaim,
)

DRAFT_TTL_SECONDS = 24 * 3600
SESSION_SEPARATOR = "_"  # a session link's payload is CODE_TOKEN (codes never hold "_")
INELIGIBLE = "ineligible"  # _commit_choice's answer for an option that ends the journey
NOT_ON_TELEGRAM = "not_on_telegram"
log = logging.getLogger(__name__)
# Journeys counted lately (shared_state, every process sees them): a second tap or click on
# Send, or a tap after Telegram lost the thank-you screen, brings the thank-you back instead of
# "we deleted your unfinished answers".
SENT = "sent"
_IN_POLL = b"\x00poll:"  # a SENT key's middle: the poll a browser sent a journey in
SENT_SECONDS = 600


@dataclass(frozen=True, slots=True)
class Person:
    """Who is talking to the bot, for the length of one update only."""

    id: int | str  # a Telegram user id, or "web:<random>" for a web browser's session
    language_code: str | None = None
    names: tuple[str, ...] = ()  # used to scrub their own names from free text; never stored


@dataclass(frozen=True, slots=True)
class Outcome:
    """What to show: a screen (edited in place or sent new) and/or a short toast."""

    screen: Screen | None = None
    edit: bool = False
    toast: str | None = None
    alert: bool = False
    remove_message: bool = False  # delete the person's own message (a location they sent)


def _same_link(j: Journey, poll_id: int, session: int | None) -> bool:
    """Whether this unfinished journey was opened from the same link (poll and session), not
    a staff preview."""
    return j.poll_id == poll_id and j.session == session and not j.preview


def _resumable(j: Journey, poll_id: int, session: int | None) -> bool:
    """Whether a /start of this poll (and session) carries on this unfinished journey: the same
    link, past the privacy notice (nothing to lose before it)."""
    return _same_link(j, poll_id, session) and j.step != "n"


@dataclass(slots=True)
class _Ctx:
    owner: bytes
    journey: Journey
    poll: Poll
    code: str


@dataclass(frozen=True)
class AlsoRead:
    """A shared value read with the language choice (see JourneyService.refresh_language)."""

    value: bytes | None


class JourneyService:
    """Starts journeys, applies taps and typed answers, and casts ballots exactly once."""

    def __init__(
        self,
        store: Store,
        hasher: Hasher,
        catalog: Catalog,
        polls: PollService,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        *,
        languages: Sequence[str] = DEFAULT_EXPECTED,
        contact_help: bool = False,
        web_url: str | None = None,
        alerts: AlertService | None = None,
    ) -> None:
        self._store = store
        self._alerts = alerts  # queues safeguarding alerts for the lead (None: no lead chat)
        self._web_url = web_url  # the web ballot's address, for those too young for Telegram
        self._hasher = hasher
        self._catalog = catalog
        self._polls = polls
        self._clock = clock
        self._typed = TypedAnswers(
            catalog, languages, contact_help=contact_help, clock=lambda: self._clock()
        )
        self._locks: WeakValueDictionary[bytes, asyncio.Lock] = WeakValueDictionary()
        self._languages: dict[bytes, str] = {}  # keyed hash -> chosen language
        # (owner hash, journey token) -> (poll id, language, ask_help) of journeys sent, in
        # memory only: Telegram can lose the thank-you screen after the ballot is committed,
        # and the person, still looking at "Check your answers", taps Send again.

    # --- one person at a time ------------------------------------------------------------
    # PTB handles up to MARKBOT_CONCURRENCY updates at once, so one person's quick taps can
    # overlap. Each person's updates run one after another: no tap overwrites another, and a
    # tap after "Send" sees the draft already gone.

    # With several processes on one database (webhooks behind a proxy), the store's
    # person_turn holds the person's turn across processes too (PostgreSQL: an advisory lock
    # on the owner hash); the in-process lock keeps waiting updates from each holding a
    # database connection.

    @contextlib.asynccontextmanager
    async def _lock(self, person: Person) -> AsyncIterator[None]:
        owner = self._hasher.owner(person.id)
        lock = self._locks.get(owner)
        if lock is None:
            lock = asyncio.Lock()
            self._locks[owner] = lock
        async with lock, self._store.person_turn(owner):
            yield

    async def start(self, person: Person, code: str | None, *, preview: bool = False) -> Outcome:
        """Open a poll from its deep link (see _start_unlocked)."""
        async with self._lock(person):
            return await self._start_unlocked(person, code, preview=preview)

    async def cancel(self, person: Person) -> Outcome:
        """/cancel: delete the unfinished answers."""
        async with self._lock(person):
            return await self._cancel_unlocked(person)

    async def press(self, person: Person, data: str | None) -> Outcome:
        """A button tap (see _press_unlocked)."""
        async with self._lock(person):
            return await self._press_unlocked(person, data)

    async def text(self, person: Person, text: str, message_id: int | None = None) -> Outcome:
        """A typed message (see _text_unlocked)."""
        async with self._lock(person):
            return await self._text_unlocked(person, text, message_id)

    async def edited(self, person: Person, text: str, message_id: int) -> Outcome | None:
        """A typed answer edited before "Send": the answer changes too. None when the edited
        message wasn't an answer still waiting to be sent (nothing to say about it)."""
        async with self._lock(person):
            ctx = await self._load(person)
            if ctx is None:
                return None
            j = ctx.journey
            qid = j.text_msgs.get(str(message_id))
            q = ctx.poll.question(qid) if qid else None
            body = text.strip()
            if q is None or is_blank(body):
                return None
            if len(body) > q.max_length:  # the answer stays as it was: say so
                params = {"length": len(body), "max_length": q.max_length}
                return self._say(j.lang, "text_edit_too_long", **params)
            was_flagged = q.id in j.flagged
            taken = await self._typed.take(j, ctx.poll, q, body, person.names)
            if was_flagged:  # signposted already, for this answer
                taken = replace(taken, concern=False)
            note = f"<i>{self._catalog.t(j.lang, 'text_edited')}</i>"
            return await self._with_notes(ctx, taken, first=note)

    async def other_message(self, person: Person) -> Outcome:
        """A sticker, photo, voice note or file (see _other_message_unlocked)."""
        async with self._lock(person):
            return await self._other_message_unlocked(person)

    # --- helpers -------------------------------------------------------------------------

    async def load_preferences(self) -> None:
        """Read remembered language choices once, at start-up (one process: memory is then
        the truth; with several, each update reads its person's choice, see refresh_language)."""
        if self._store.single_process:
            self._languages = await self._store.languages()

    async def refresh_language(
        self, person: Person, also: tuple[str, bytes] | None = None
    ) -> AlsoRead | None:
        """Before an update is handled: with several processes on one database, read the
        person's language choice again (another process may have taken it), so that
        language_for answers from the database, not from what this process last saw.
        ``also`` (a shared value's kind and key) is read in the same round trip, and returned;
        None when nothing was read (one process: memory is the truth)."""
        if self._store.single_process:
            return None
        key = self._hasher.preference(person.id)
        if also is None:
            chosen, value = await self._store.language(key), None
        else:
            chosen, value = await self._store.language_and_shared(key, *also, self._now())
        self._remember_read(key, chosen)
        return AlsoRead(value) if also is not None else None

    async def claim_update(
        self,
        update_id: int,
        now: int,
        lease: int,
        person: Person | None = None,
        also: tuple[str, bytes] | None = None,
    ) -> tuple[UpdateClaim, AlsoRead | None]:
        """A webhook update's claim (Store.claim_update), with what refresh_language(person,
        also) would read for it next, in the claim's round trip where the store folds them
        (several processes); the read is None where refresh_language would read nothing (one
        process), for an update from nobody, or when the claim is not HANDLE."""
        if self._store.single_process or person is None or also is None:
            return await self._store.claim_update(update_id, now, lease), None
        key = self._hasher.preference(person.id)
        claim, chosen, value = await self._store.claim_update_and_read(
            update_id, now, lease, key, *also
        )
        if claim is not UpdateClaim.HANDLE:
            return claim, None
        self._remember_read(key, chosen)
        return claim, AlsoRead(value)

    def _remember_read(self, key: bytes, chosen: str | None) -> None:
        """The language choice just read from the database is this process's truth now."""
        if chosen is None:
            self._languages.pop(key, None)
        else:
            self._languages[key] = chosen

    async def choose_language(self, person: Person, lang: str) -> Outcome:
        """/language: remember the choice (under a keyed hash) and use it from now on,
        in a journey already under way too when the poll has that language."""
        if lang not in self._catalog.languages:
            return self._toast(self.language_for(person), "stale_button", alert=True)
        await self._remember_language(person, lang)
        done = screens.message(self._catalog, lang, "language_set")
        async with self._lock(person):
            ctx = await self._load(person)
            if ctx is not None and lang in ctx.poll.languages():
                ctx.journey.lang = lang
                await self._save(ctx)
                # the screen they are on, again in the new language (and its buttons, which
                # work as the old message's do): else nothing showed the switch until later
                shown = screens.screen_for(self._catalog, ctx.poll, ctx.journey)
                done = Screen(f"{done.text}\n\n{shown.text}", shown.buttons)
        return Outcome(done, edit=True)

    async def _remember_language(self, person: Person, lang: str) -> None:
        """Keep a chosen language, under a keyed hash, for this and later visits."""
        key = self._hasher.preference(person.id)
        await self._store.set_language(key, lang)
        self._languages[key] = lang

    def language_menu(self, person: Person) -> Outcome:
        lang = self.language_for(person)
        return Outcome(screens.language_menu(self._catalog, lang))

    def language_for(self, person: Person) -> str:
        chosen = self._languages.get(self._hasher.preference(person.id))
        if chosen is not None:
            return chosen
        code = (person.language_code or "").lower()
        for lang in self._catalog.languages:
            if code == lang or code.startswith(lang + "-"):
                return lang
        return "en"

    def _say(self, lang: str, key: str, **params: object) -> Outcome:
        return Outcome(screens.message(self._catalog, lang, key, **params))

    def _toast(self, lang: str, key: str, *, alert: bool = False) -> Outcome:
        return Outcome(toast=self._catalog.plain(lang, key), alert=alert)

    def _now(self) -> int:
        return int(self._clock().timestamp())

    async def _save(self, ctx: _Ctx, *, alert: str | None = None) -> None:
        """Keep the draft; with a safeguarding alert, both go in one transaction now (the
        alert must exist before the young person is answered), else the draft is written
        behind."""
        draft = DraftRow(
            ctx.owner, ctx.journey.token, ctx.journey.poll_id, ctx.journey.dumps(), self._now()
        )
        if alert is not None and self._alerts is not None:
            await self._alerts.queue_with_draft(draft, alert)
        else:
            await self._store.save_draft(draft)

    async def _load(self, person: Person) -> _Ctx | None:
        owner = self._hasher.owner(person.id)
        row = await self._store.load_draft(owner)
        if row is None or row.updated_at < self._now() - DRAFT_TTL_SECONDS:
            return None
        journey = Journey.loads(row.state)
        loaded = await self._polls.by_id(row.poll_id) if journey else None
        if journey is None or loaded is None:
            return None
        code, poll = loaded
        return _Ctx(owner, journey, poll, code)

    def _show(self, ctx: _Ctx, *, edit: bool = True, toast: str | None = None) -> Outcome:
        return Outcome(
            screens.screen_for(self._catalog, ctx.poll, ctx.journey), edit=edit, toast=toast
        )

    # --- entry points --------------------------------------------------------------------

    def welcome(self, person: Person) -> Outcome:
        return self._say(self.language_for(person), "welcome")

    def help(self, person: Person) -> Outcome:
        return self._say(self.language_for(person), "help")

    def privacy(self, person: Person) -> Outcome:
        return self._say(self.language_for(person), "privacy")

    def say(self, person: Person, key: str, **params: object) -> Outcome:
        """Any catalog message in the person's language (unknown command, group chat, ...)."""
        return self._say(self.language_for(person), key, **params)

    def toast(self, person: Person, key: str) -> str:
        """A catalog text without markup, for a tap's pop-up answer."""
        return self._catalog.plain(self.language_for(person), key)

    async def _start_unlocked(
        self, person: Person, code: str | None, *, preview: bool = False
    ) -> Outcome:
        """Open a poll from its deep link (``CODE`` or a session link's ``CODE_TOKEN``):
        checks, then the privacy notice. A staff preview skips the checks and never counts."""
        lang = self.language_for(person)
        if not code:
            return self.welcome(person)
        session: int | None = None
        if SESSION_SEPARATOR in code:
            code, _, token = code.partition(SESSION_SEPARATOR)
            found = await self._store.get_session(token[:32])
            loaded = await self._polls.by_code(code)
            if found is None or loaded is None or found[1] != loaded[0].id:
                return self._say(lang, "poll_unknown")
            session = found[0]
        loaded = await self._polls.by_code(code)
        if loaded is None:
            return self._say(lang, "poll_unknown")
        row, poll = loaded
        if preview:
            journey = Journey.new(row.id, lang if lang in poll.languages() else "en")
            journey.preview = True
            ctx = _Ctx(self._hasher.owner(person.id), journey, poll, row.code)
            await self._save(ctx)
            return self._show(ctx, edit=False)
        refusal = await self._refusal(row, self._hasher.voter(row.code, person.id), lang)
        if refusal is not None:
            return self._say(lang, refusal[0], **refusal[1])
        current = await self._load(person)
        if current is not None and _resumable(current.journey, row.id, session):
            # The link opened again mid-poll (a QR code scanned twice, the link from a class
            # sheet): carry on where they were, as the web's Start does, and say so. The new
            # message is the journey's only live one: a new token makes the old message's
            # buttons stale (two live copies could each be sent, each thanked)
            current.journey.renew_token()
            await self._save(current)
            screen = screens.screen_for(self._catalog, current.poll, current.journey)
            note = self._catalog.t(current.journey.lang, "resumed")
            return Outcome(replace(screen, text=f"<i>{note}</i>\n\n{screen.text}"))
        journey = Journey.new(row.id, lang if lang in poll.languages() else "en")
        journey.session = session
        if current is not None and _same_link(current.journey, row.id, session):
            # the privacy notice again: its earlier message comes back to life on a tap, as
            # a resumed journey's does, if this one never arrives
            journey.follows(current.journey)
        ctx = _Ctx(self._hasher.owner(person.id), journey, poll, row.code)
        await self._save(ctx)
        return self._show(ctx, edit=False)

    def _not_open(self, row: PollRow, lang: str) -> tuple[str, dict[str, str]] | None:
        """Why nobody can start this poll now (closed, not open yet), or None; a date in it
        names the month in ``lang``, the language it will be said in."""
        state = poll_state(row, self._clock())
        if state == "closed":
            return "poll_closed", {}
        if state == "scheduled" and row.opens_at is not None:
            opens = datetime.fromtimestamp(row.opens_at, UTC)
            when = day(self._catalog, lang, opens, time=True, uk=True)  # their clock's time
            return "poll_not_open_until", {"when": when}
        if state != "open":
            return "poll_not_open", {}
        return None

    async def not_open(self, code: str, lang: str) -> tuple[str, dict[str, str]] | None:
        """Why nobody can start the poll with this code now (a catalog key and parameters),
        or None: what the web's start page says at once instead of offering Start."""
        loaded = await self._polls.by_code(code)
        return self._not_open(loaded[0], lang) if loaded is not None else ("poll_unknown", {})

    async def _refusal(
        self, row: PollRow, voter: bytes, lang: str
    ) -> tuple[str, dict[str, str]] | None:
        """Why this person can't start this poll now (a catalog key and its parameters), or
        None. The same rules for every channel; the ballot's own key still decides at Send."""
        not_open = self._not_open(row, lang)
        if not_open is not None:
            return not_open
        if await self._store.has_voted(row.id, voter):
            return "already_voted", {}
        return None

    async def _cancel_unlocked(self, person: Person) -> Outcome:
        lang = self.language_for(person)
        dropped = await self._store.drop_draft(self._hasher.owner(person.id))
        return self._say(lang, "cancelled" if dropped else "nothing_to_cancel")

    async def _press_unlocked(self, person: Person, data: str | None) -> Outcome:
        """A button tap: anything stale, forged or out of turn gets a toast and changes nothing."""
        lang = self.language_for(person)
        cb = decode(data)
        if cb is None:
            return self._toast(lang, "stale_button", alert=True)
        ctx = await self._load(person)
        if ctx is None or cb.token != ctx.journey.token:
            sent = await self._thanks_again(person, cb.token)
            if sent is not None:  # a journey sent already, its thank-you screen lost
                return sent
        if ctx is None:
            return self._toast(lang, "expired_journey", alert=True)
        if cb.token in ctx.journey.earlier:
            # This journey's message from before the link was opened again. The newer one may
            # never have reached the person (Telegram failed on the way): this message becomes
            # the live one (a new token: the newer one stops working) and shows where they are.
            # Two things are answered as the live message would: "Yes, delete my answers"
            # (asked for twice: nothing is ever counted by it) and a poll closed meanwhile.
            if cb.action == "xy" or await self._closed_meanwhile(ctx):
                return await self._stop_or_closed(ctx, cb, person)
            ctx.journey.renew_token()
            await self._save(ctx)
            return self._show(ctx, toast=self._catalog.plain(ctx.journey.lang, "stale_message"))
        if cb.token != ctx.journey.token:  # a message from an earlier journey
            return self._toast(ctx.journey.lang, "stale_button", alert=True)
        if cb.step != ctx.journey.step:
            # This journey's message, an earlier screen of it (a double tap, or a tap the bot
            # lost in a crash): show where the person really is.
            return self._show(ctx, toast=self._catalog.plain(ctx.journey.lang, "stale_button"))
        if cb.action != "xy" and await self._closed_meanwhile(ctx):
            return await self._stop_or_closed(ctx, cb, person)
        if cb.action == "sw":
            return await self._switch_language(ctx, person, cb)
        if cb.action not in ("x", "xn"):  # Stop's question and its No are a detour: No
            # shows the screen Stop was pressed on as it was, its offer too (nothing is saved)
            ctx.journey.offer_lang = None  # the offer stands for the screen it came with
        return await self._apply(ctx, cb, person)

    async def _stop_or_closed(self, ctx: _Ctx, cb: Callback, person: Person) -> Outcome:
        """Stop's Yes, or any other tap once the poll has closed. The closing is said at once,
        not after every question and the check screen; typed answers are still taken (one may
        need signposting) and Send is refused in its transaction. Stop too, as the web's stop
        page: "Delete your answers?" would suggest No could still count them; only a Yes
        already asked for is answered "cancelled"."""
        if cb.action == "xy":
            return await self._apply(ctx, cb, person)
        await self._store.drop_draft(ctx.owner)
        lang = ctx.journey.lang
        return Outcome(screens.message(self._catalog, lang, "closed_before_submit"), edit=True)

    async def _closed_meanwhile(self, ctx: _Ctx) -> bool:
        """Whether the poll of this journey (not a staff preview) has closed since it began."""
        if ctx.journey.preview:
            return False
        loaded = await self._polls.by_code(ctx.code)
        return loaded is None or poll_state(loaded[0], self._clock()) == "closed"

    async def _text_unlocked(
        self, person: Person, text: str, message_id: int | None = None
    ) -> Outcome:
        """A typed message: the answer to a text question, or a nudge towards the buttons."""
        ctx = await self._load(person)
        if ctx is None:
            return self._say(self.language_for(person), "no_journey")
        j = ctx.journey
        q = ctx.poll.questions[j.index] if j.index is not None else None
        if q is None or q.kind != "text":
            return self._say(j.lang, "use_buttons")
        body = text.strip()
        if is_blank(body):
            return self._say(j.lang, "text_empty")
        if len(body) > q.max_length:
            return self._say(j.lang, "text_too_long", length=len(body), max_length=q.max_length)
        taken = await self._typed.take(j, ctx.poll, q, body, person.names)
        if message_id is not None:  # so an edit of this message can change the answer
            j.text_msgs = {k: v for k, v in j.text_msgs.items() if v != q.id}
            j.text_msgs[str(message_id)] = q.id
        self._advance(ctx)
        return await self._with_notes(ctx, taken)

    async def _with_notes(self, ctx: _Ctx, taken: Taken, *, first: str | None = None) -> Outcome:
        """Keep the answer (with its alert for the lead, if any), then the next screen (sent
        new, below the typed answer) with what to say about it."""
        notes, alert = self._typed.notes(ctx.journey, ctx.code, taken)
        try:
            await self._save(ctx, alert=alert)
        except StorageError as exc:
            if not taken.concern:
                raise
            # Nothing was kept (neither the answer nor its alert), but where to get help
            # can't wait for the disk: signposting now, and the answer asked for again.
            log.warning("%s; the person was signposted and asked to send it again", exc)
            lang = ctx.journey.lang
            help_now = [self._catalog.t(lang, k) for k in ("signpost_help", "answer_not_kept")]
            return Outcome(Screen("\n\n".join(help_now)))
        shown = self._show(ctx, edit=False)
        assert shown.screen is not None
        text = "\n\n".join([*([first] if first else []), *notes, shown.screen.text])
        return Outcome(Screen(text, shown.screen.buttons))

    async def _switch_language(self, ctx: _Ctx, person: Person, cb: Callback) -> Outcome:
        """The offer to carry on in the language they typed in: taken, and remembered."""
        j, languages = ctx.journey, self._catalog.languages
        lang = languages[cb.arg] if cb.arg is not None and cb.arg < len(languages) else None
        if lang is None or lang not in ctx.poll.languages():
            return self._toast(j.lang, "stale_button", alert=True)
        await self._remember_language(person, lang)
        j.lang, j.offer_lang = lang, None
        await self._save(ctx)
        return self._show(ctx)

    async def _other_message_unlocked(self, person: Person) -> Outcome:
        """A sticker, photo, voice note or file: never kept, kindly redirected."""
        ctx = await self._load(person)
        if ctx is None:
            return self._say(self.language_for(person), "no_journey")
        j = ctx.journey
        q = ctx.poll.questions[j.index] if j.index is not None else None
        return self._say(j.lang, "type_answer" if q and q.kind == "text" else "use_buttons")

    def location_or_contact(self, person: Person) -> Outcome:
        """Never asked for; deleted from the chat and not kept."""
        out = self._say(self.language_for(person), "location_discarded")
        return Outcome(out.screen, remove_message=True)

    async def purge_stale(self) -> int:
        """Delete unfinished answers untouched for 24 hours."""
        return await self._store.drop_stale_drafts(self._now() - DRAFT_TTL_SECONDS)

    # --- taps ----------------------------------------------------------------------------

    async def _apply(self, ctx: _Ctx, cb: Callback, person: Person) -> Outcome:
        j, poll = ctx.journey, ctx.poll
        action = cb.action
        if action == "x":  # asks first: nothing is kept, the screen says what Yes and No do
            return Outcome(screens.stop_confirm(self._catalog, poll, j), edit=True)
        if action == "xy":
            await self._store.drop_draft(ctx.owner)
            return Outcome(screens.message(self._catalog, j.lang, "cancelled"), edit=True)
        if action == "xn":  # the step never changed: the screen Stop was pressed on
            return self._show(ctx)
        if j.step == "n":
            if action == "go":
                j.step, j.privacy_open = "0", False
            elif action in ("pv", "nt"):
                j.privacy_open = action == "pv"
            else:
                return self._toast(j.lang, "stale_button", alert=True)
            await self._save(ctx)
            return self._show(ctx)
        if j.step == "c":
            if action == "ok":
                return await self._submit(ctx, person)
            if action == "ch":
                j.step = "e"
                await self._save(ctx)
                return self._show(ctx)
            return self._toast(j.lang, "stale_button", alert=True)
        if j.step == "e":
            if action == "ed" and cb.arg is not None and cb.arg < len(poll.questions):
                j.step, j.back_to_confirm, j.pending = str(cb.arg), True, None
            elif action == "bk":
                j.step = "c"
            else:
                return self._toast(j.lang, "stale_button", alert=True)
            await self._save(ctx)
            return self._show(ctx)
        return await self._question_tap(ctx, cb)

    async def _question_tap(self, ctx: _Ctx, cb: Callback) -> Outcome:
        j, poll = ctx.journey, ctx.poll
        index = j.index
        if index is None or index >= len(poll.questions):
            return self._toast(j.lang, "stale_button", alert=True)
        q = poll.questions[index]
        action, arg = cb.action, cb.arg
        if action == "bk":
            if j.back_to_confirm:
                j.step, j.back_to_confirm, j.pending = "c", False, None
            else:
                j.step, j.pending = (str(index - 1) if index > 0 else "n"), None
        elif action == "sk" and q.optional:
            j.answers[q.id] = "" if q.kind == "text" else []
            self._advance(ctx)
        elif action == "a" and arg is not None and arg < len(q.options) and q.kind != "text":
            option = q.options[arg]
            if q.kind == "choice":
                error = await self._commit_choice(ctx, q, [option.id])
                if error is not None:
                    return Outcome(self._ended(ctx, error), edit=True)
                self._advance(ctx)
            else:
                chosen = list(j.pending if j.pending is not None else j.answers.get(q.id) or [])
                if option.id in chosen:
                    if q.kind == "multi":
                        chosen.remove(option.id)
                    else:  # ranked already: tapping again takes it (and what follows) off
                        chosen = chosen[: chosen.index(option.id)]
                elif len(chosen) >= q.limit:
                    return Outcome(toast=self._catalog.plain(j.lang, "pick_limit", max=q.limit))
                else:
                    chosen.append(option.id)
                j.pending = chosen
        elif action == "un" and q.kind == "rank":
            chosen = list(j.pending if j.pending is not None else j.answers.get(q.id) or [])
            j.pending = chosen[:-1]
        elif action == "dn" and q.kind in ("multi", "rank"):
            chosen = list(j.pending if j.pending is not None else j.answers.get(q.id) or [])
            error = await self._commit_choice(ctx, q, chosen)
            if error is not None:
                return Outcome(toast=self._catalog.plain(j.lang, error, max=q.limit))
            self._advance(ctx)
        else:
            return self._toast(j.lang, "stale_button", alert=True)
        await self._save(ctx)
        return self._show(ctx)

    async def _commit_choice(self, ctx: _Ctx, q: Question, chosen: list[str]) -> str | None:
        """Set the answer to a choice, multi or rank question after the rules every channel
        shares; None when it is set, else a catalog key saying why not. INELIGIBLE and
        NOT_ON_TELEGRAM end the journey: the draft is gone and nothing is kept."""
        j = ctx.journey
        if any(q.option(oid) is None for oid in chosen) or len(set(chosen)) != len(chosen):
            return "stale_button"
        if not chosen and not q.optional:
            return "pick_at_least_one" if q.kind != "choice" else "pick_one"
        if q.kind == "choice" and len(chosen) > 1:
            return "pick_one"
        if len(chosen) > q.limit:
            return "pick_limit"
        ends = None
        picked = chosen[0] if q.kind == "choice" and chosen else None  # an optional one skipped
        if picked in q.ineligible:
            ends = INELIGIBLE
        elif j.channel == "telegram" and picked in q.not_on_telegram:
            ends = NOT_ON_TELEGRAM
        if ends is not None:  # a staff preview sees the same polite end
            await self._store.drop_draft(ctx.owner)
            return ends
        j.answers[q.id] = chosen
        return None

    def _ended(self, ctx: _Ctx, why: str) -> Screen:
        """The polite end of a journey that can't go on here (nothing was kept)."""
        lang = ctx.journey.lang
        if why == NOT_ON_TELEGRAM:
            if self._web_url and ctx.poll.web != "off":  # no web ballot to send them to
                link = f"{self._web_url}/v/{ctx.code}"
                return screens.message(self._catalog, lang, "not_on_telegram_web", link=link)
            return screens.message(self._catalog, lang, "not_on_telegram_paper")
        return screens.message(self._catalog, lang, why)

    def _advance(self, ctx: _Ctx) -> None:
        """Move to the next question, or back to the check screen after a change."""
        j = ctx.journey
        j.pending = None
        index = j.index or 0
        if j.back_to_confirm or index + 1 >= len(ctx.poll.questions):
            j.step, j.back_to_confirm = "c", False
        else:
            j.step = str(index + 1)

    async def _submit(self, ctx: _Ctx, person: Person) -> Outcome:
        j = ctx.journey
        try:
            result = await self._cast(ctx, person)
        except StorageError as exc:  # a full disk, a lock: nothing kept, the draft remains
            log.warning("%s; the person was asked to send it again", exc)
            return self._toast(j.lang, "submit_failed", alert=True)
        if isinstance(result, int):  # a required answer is missing: show that question
            return self._show(ctx)
        if result is None:  # a staff preview: show the end, keep nothing
            return Outcome(screens.message(self._catalog, j.lang, "preview_done"), edit=True)
        if result is CastResult.POLL_CLOSED:
            return Outcome(
                screens.message(self._catalog, j.lang, "closed_before_submit"), edit=True
            )
        # COUNTED, or ALREADY_VOTED from a double tap or a redelivered update: the same screen,
        # so a second edit is "not modified" and the person sees one consistent answer. (A
        # counted ballot's note was written with it, see _cast.)
        if result is CastResult.ALREADY_VOTED:
            await self._remember_sent(ctx)
        thanks = screens.thanks(self._catalog, ctx.poll, j.lang, ask_help=j.ask_help)
        return Outcome(thanks, edit=True)

    async def _thanks_again(self, person: Person, token: str) -> Outcome | None:
        """The thank-you screen again for a tap on a journey whose ballot is committed (the
        first one was lost on the way to Telegram), instead of "we deleted your unfinished
        answers"; None when this person sent no such journey lately (or before a restart)."""
        sent = await self._sent(person, token)
        loaded = await self._polls.by_id(sent["poll"]) if sent is not None else None
        if sent is None or loaded is None:
            return None
        _, poll = loaded
        thanks = screens.thanks(self._catalog, poll, sent["lang"], ask_help=sent["ask_help"])
        return Outcome(thanks, edit=True)

    def _sent_notes(self, ctx: _Ctx) -> tuple[SharedNote, ...]:
        """That this journey was counted, kept for 10 to 20 minutes: a tap or click waiting
        behind the Send (in whichever process), or redelivered after a crash, shows the
        thank-you again, not "your unfinished answers were deleted"; on the web, also which
        journey the poll's Back button sent."""
        j = ctx.journey
        value = {"poll": j.poll_id, "code": ctx.code, "lang": j.lang, "ask_help": j.ask_help}
        until = (self._now() // SENT_SECONDS + 2) * SENT_SECONDS  # not the time it was cast
        notes = [SharedNote(SENT, ctx.owner + j.token.encode(), json.dumps(value).encode(), until)]
        if j.channel == "web":
            notes.append(
                SharedNote(SENT, ctx.owner + _IN_POLL + ctx.code.encode(), j.token.encode(), until)
            )
        return tuple(notes)

    async def _remember_sent(self, ctx: _Ctx) -> None:
        """The notes of `_sent_notes` after the fact, for a Send that found the ballot already
        cast (a double tap). Never fails the answer: the ballot is committed."""
        try:
            for note in self._sent_notes(ctx):
                await self._store.shared_put(note.kind, note.key, note.value, note.expires_at)
        except StorageError as exc:
            log.warning("could not note a counted journey (%s); a second Send says so", exc)

    async def sent_token(self, person: Person, code: str) -> str | None:
        """The journey this person sent in the poll in the last 10 to 20 minutes, or None: a
        page of it opened again (the browser's Back button) shows the confirmation, not "your
        answers have gone" (which reads as if the vote was lost)."""
        found = await self._store.shared_get(
            SENT, self._hasher.owner(person.id) + _IN_POLL + code.encode(), self._now()
        )
        return found.decode() if found is not None else None

    async def sent_with_help(self, person: Person, token: str) -> bool:
        """Whether the journey this person just sent (``token``) brought signposting: its
        confirmation keeps "I'd like an adult to contact me", as Telegram's thank-you does."""
        sent = await self._sent(person, token)
        return bool(sent and sent.get("ask_help"))

    async def _sent(self, person: Person, token: str) -> dict[str, Any] | None:
        key = self._hasher.owner(person.id) + token.encode()
        found = await self._store.shared_get(SENT, key, self._now())
        return json.loads(found) if found is not None else None

    async def _cast(self, ctx: _Ctx, person: Person) -> CastResult | int | None:
        """Cast the ballot, for every channel: the index of the first required question left
        unanswered (the journey is moved there), None for a staff preview (nothing kept), or
        the store's answer. The voter key is the person's, or the voting code's on the web."""
        j, poll = ctx.journey, ctx.poll
        for i, q in enumerate(poll.questions):
            if not q.optional and not j.answers.get(q.id):
                j.step = str(i)
                await self._save(ctx)
                return i
        choices: list[tuple[str, str, int | None]] = []
        texts: list[tuple[str, str, str, float, bool, str, bool]] = []
        for q in poll.questions:
            value = j.answers.get(q.id)
            if not value:
                continue
            if isinstance(value, str):
                if q.id in j.flagged and self._alerts is not None:
                    # A disclosure went to the lead in its alert, who may learn who wrote it (a
                    # contact request): kept with the ballot, its words or its flag would lead
                    # the lead to that person's votes. The lead holds the only copy.
                    continue
                lang, confidence = j.text_langs.get(q.id) or ("und", 0.0)
                texts.append(
                    (
                        q.id,
                        value,
                        str(lang),
                        float(confidence),
                        q.id in j.flagged,
                        " ".join(themes_of(value)),
                        q.id in j.review,
                    )
                )
            else:
                for n, oid in enumerate(value, start=1):
                    if q.option(oid) is not None:
                        choices.append((q.id, oid, n if q.kind == "rank" else None))
        if j.preview:
            await self._store.drop_draft(ctx.owner)
            return None
        now = self._clock()
        ballot = NewBallot(
            poll_id=j.poll_id,
            cast_on=now.date().isoformat(),
            channel=j.channel,  # no language: it would pick out a class's one Welsh speaker
            choices=tuple(choices),
            texts=tuple(texts),
            groups=poll.group_key(choices, j.session, channel=j.channel),
            session_id=j.session,
        )
        voter = bytes.fromhex(j.voter) if j.voter else self._hasher.voter(ctx.code, person.id)
        # the note that it was counted goes in the ballot's own transaction: a crash just after
        # the commit can't leave a counted ballot whose redelivered Send says "deleted"
        return await self._store.cast_ballot(
            ballot, voter, ctx.owner, int(now.timestamp()), self._sent_notes(ctx)
        )

    # --- forms: the web channel ----------------------------------------------------------
    # The web asks one question per page and posts whole answers, so it has no buttons to
    # decode; these operations apply the same rules as the taps above (_refusal,
    # _commit_choice, the typed-answer checks, _cast) to a whole answer at a time.

    async def begin(
        self,
        person: Person,
        code: str,
        lang: str,
        *,
        voter: bytes | None = None,
        session: int | None = None,
        browser: str | None = None,
    ) -> tuple[str, dict[str, str]] | None:
        """Start a web journey after the privacy notice (read on the page before): a catalog
        key and parameters saying why not, or None when the first question is next (or, when
        the same voter starts again part-way through, the step their journey is at). ``voter``
        is a voting code's keyed hash; without one the browser is the voter (``browser``: the
        long-lived id an open poll keeps one ballot per browser by)."""
        async with self._lock(person):
            loaded = await self._polls.by_code(code)
            if loaded is None:
                return "poll_unknown", {}
            row, poll = loaded
            if poll.web == "off":
                return "web_not_offered", {}
            if voter is None:
                who = f"web-browser:{browser}" if browser else person.id
                voter = self._hasher.voter(row.code, who)
            refusal = await self._refusal(row, voter, lang)
            if refusal is not None:
                return refusal
            kept = await self._load(person)
            if (
                kept is not None
                and kept.code == row.code
                and kept.journey.channel == "web"
                and not kept.journey.preview
                and kept.journey.voter == voter.hex()
            ):  # Start again, by the same voter: carry on where they were, nothing lost
                if lang in poll.languages():
                    kept.journey.lang = lang
                await self._save(kept)
                return None
            journey = Journey.new(row.id, lang if lang in poll.languages() else "en")
            journey.channel, journey.session, journey.step = "web", session, "0"
            journey.voter = voter.hex() if voter is not None else None
            await self._save(_Ctx(self._hasher.owner(person.id), journey, poll, row.code))
            return None

    async def form_state(self, person: Person) -> FormState | None:
        """The web journey under way for this browser, if any (to render a page from)."""
        ctx = await self._load(person)
        if ctx is None or ctx.journey.channel != "web":
            return None
        return FormState(ctx.code, ctx.poll, ctx.journey)

    async def answer(
        self, person: Person, token: str, index: int, value: list[str] | str, *, lang: str = "en"
    ) -> Answered:
        """A whole answer to question ``index`` from a form: checked like a tap or a typed
        message, then the journey moves on (to the next question, or to the check page when
        every question has an answer)."""
        async with self._lock(person):
            ctx = await self._load(person)
            if ctx is None or ctx.journey.channel != "web":
                return Answered(error="expired_journey")
            j, poll = ctx.journey, ctx.poll
            if (
                token != j.token
                or not 0 <= index < len(poll.questions)
                or not reachable(poll, j, index)
            ):
                return Answered(error="stale_page")
            q = poll.questions[index]
            if lang in poll.languages():  # the page's language switch applies to the ballot
                j.lang = lang
            j.notes = []
            alert = None
            if q.kind == "text":
                body = value.strip() if isinstance(value, str) else ""
                body = "" if is_blank(body) else body
                if len(body) > q.max_length:
                    params = {"length": str(len(body)), "max_length": str(q.max_length)}
                    return Answered(error="text_too_long", params=params)
                if not body:
                    if not q.optional:
                        return Answered(error="text_empty")
                    j.answers[q.id] = ""
                    j.flagged = [f for f in j.flagged if f != q.id]
                    j.review = [f for f in j.review if f != q.id]
                else:
                    taken = await self._typed.take(j, poll, q, body, person.names)
                    j.offer_lang = None  # the web has its own language switch on every page
                    j.notes, alert = self._typed.note_keys(
                        j, ctx.code, taken, offer="web_safeguarding_contact_offer"
                    )
            else:
                chosen = [value] if isinstance(value, str) else list(value)
                error = await self._commit_choice(ctx, q, chosen)
                if error in (INELIGIBLE, NOT_ON_TELEGRAM):
                    return Answered(ended=error)
                if error is not None:
                    return Answered(error=error, params={"max": str(q.limit)})
            j.step = next_step(poll, j, index)
            try:
                await self._save(ctx, alert=alert)
            except StorageError as exc:
                if alert is None:
                    raise
                # as in Telegram (_with_notes): nothing kept, yet signposted now
                log.warning("%s; the person was signposted and asked to send it again", exc)
                help_now = ["signpost_help"]  # a catalog key, said in the page's language
                return Answered(error="answer_not_kept", notes=help_now, unavailable=True)
            return Answered()

    async def submit(
        self, person: Person, token: str, *, lang: str = "en", seen: str | None = None
    ) -> CastResult | int | str:
        """The "Send my answers" button: the store's answer, the index of a question
        still to answer, or a catalog key (the journey is gone or the page is old). ``seen``
        is :func:`answers_seen` of the check page the button was on: answers changed since
        (in another tab) are not sent unchecked ("stale_page")."""
        async with self._lock(person):
            ctx = await self._load(person)
            if ctx is None or ctx.journey.channel != "web":
                return "expired_journey"
            if token != ctx.journey.token:
                return "stale_page"
            if seen is not None and seen != answers_seen(ctx.journey):
                return "stale_page"
            if lang in ctx.poll.languages():
                ctx.journey.lang = lang
            try:
                result = await self._cast(ctx, person)
            except StorageError as exc:  # e.g. a full disk: nothing kept, answers still here
                log.warning("%s; the person was asked to send it again", exc)
                return "submit_failed"
            # (a counted ballot's note, which sent_poll reads, was written with it: see _cast)
            return "preview_done" if result is None else result

    async def sent_poll(self, person: Person, token: str) -> str | None:
        """The poll a journey was just counted for (a double click on Send, which may reach
        another process), or None."""
        sent = await self._sent(person, token)
        return str(sent["code"]) if sent is not None else None


@dataclass(frozen=True, slots=True)
class FormState:
    """A web journey as it stands: what a page is rendered from."""

    code: str
    poll: Poll
    journey: Journey


@dataclass(frozen=True, slots=True)
class Answered:
    """What became of an answer sent from a form."""

    error: str | None = None  # a catalog key: the same page again, with this error
    params: dict[str, str] = field(default_factory=dict)
    ended: str | None = None  # INELIGIBLE or NOT_ON_TELEGRAM: a polite end, nothing kept
    notes: list[str] | None = None  # shown above the page again with the error (markup)
    unavailable: bool = False  # the database could not write: try again in a minute


def reachable(poll: Poll, j: Journey, index: int) -> bool:
    """A question page can be shown once every question before it has an answer (skipped
    optional ones have an empty one), so the browser's Back button works but no page is
    skipped."""
    return all(q.id in j.answers for q in poll.questions[:index])


def complete(poll: Poll, j: Journey) -> int | None:
    """The first question still to answer, or None when the check page can be shown."""
    for i, q in enumerate(poll.questions):
        if q.id not in j.answers or (not q.optional and not j.answers[q.id]):
            return i
    return None


def answers_seen(j: Journey) -> str:
    """A short fingerprint of a journey's answers, carried by the check page's Send form: two
    tabs share one journey, so a Send from a check page whose answers another tab has changed
    since would otherwise send answers that page never showed."""
    shown = json.dumps(j.answers, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(shown.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def next_step(poll: Poll, j: Journey, index: int) -> str:
    """After an answer: the next question not yet answered, else the check page."""
    for i in range(index + 1, len(poll.questions)):
        if poll.questions[i].id not in j.answers:
            return str(i)
    missing = complete(poll, j)
    return "c" if missing is None else str(missing)
