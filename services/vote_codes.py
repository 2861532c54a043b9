"""Single-use voting codes for the web ballot: made for a session, checked, used once.

A code is kept only as a keyed hash; the same hash becomes its voter-register entry when its
ballot is cast (one transaction, see Store.cast_ballot), so a code casts one ballot and
nothing points from a code to the ballot it cast. Guesses are limited per client here, where the
rule lives; the web layer only says who the client is (an opaque, unstored key).
"""

from __future__ import annotations

import asyncio
import re
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from prompts import Catalog
from services.code_sheet import render_sheet
from services.codes import new_code, normalize
from services.identity import Hasher
from services.polls import PollNotFound, PollService
from storage.contract import Store
from storage.records import DuplicateCode

MAX_CODES_PER_BATCH = 2000
GUESSES_PER_WINDOW = 10  # wrong codes one client may try ...
MAKE_ATTEMPTS = 3  # a batch that repeats an earlier code (vanishingly rare) is made again
GUESS_WINDOW_SECONDS = 600  # ... in ten minutes; a class typing slips never gets near it
MAX_CLIENTS_TRACKED = 50_000


class CodesError(Exception):
    """Codes can't be made for this poll: ``key`` names the catalog text that says why and what
    to do (prompts/, in English and Welsh), ``params`` fills it in; str() is the English."""

    def __init__(self, key: str, **params: object) -> None:
        self.key, self.params = key, params
        super().__init__(key)

    def say(self, catalog: Catalog, lang: str) -> str:
        return catalog.plain(lang, self.key, **self.params)


@dataclass(frozen=True, slots=True)
class CodeCheck:
    """What a typed code turned out to be: ``status`` is ok, malformed, unknown, used or
    limited (too many wrong guesses from this client; try again later)."""

    status: str
    voter: bytes | None = None
    session: int | None = None


class GuessLimiter:
    """A sliding count of wrong codes per client, in memory only (never written anywhere).

    Per process on purpose: with N markbot processes behind a proxy a client may get up to
    N x GUESSES_PER_WINDOW guesses a window (the web's client key is per process too). That
    keeps an address off the disk; the odds stay tiny (see the DPIA on guessing codes)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._misses: OrderedDict[str, list[float]] = OrderedDict()

    def blocked(self, client: str) -> bool:
        recent = self._recent(client)
        return len(recent) >= GUESSES_PER_WINDOW

    def miss(self, client: str) -> None:
        recent = self._recent(client)
        recent.append(self._clock())
        self._misses[client] = recent
        self._misses.move_to_end(client)
        while len(self._misses) > MAX_CLIENTS_TRACKED:
            self._misses.popitem(last=False)

    def _recent(self, client: str) -> list[float]:
        since = self._clock() - GUESS_WINDOW_SECONDS
        return [t for t in self._misses.get(client, []) if t > since]


class VoteCodeService:
    """Makes codes for a poll (and session), and checks a typed one."""

    def __init__(
        self,
        store: Store,
        hasher: Hasher,
        polls: PollService,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        limiter: GuessLimiter | None = None,
    ) -> None:
        self._store = store
        self._hasher = hasher
        self._polls = polls
        self._clock = clock
        self._limiter = limiter or GuessLimiter()

    async def make(self, code: str, count: int, session: str | None = None) -> list[str]:
        """``count`` new codes for poll ``code`` (for one class or group session if named).
        The codes themselves are returned once, for the printed sheet, and never kept."""
        if not 1 <= count <= MAX_CODES_PER_BATCH:
            raise CodesError("codes_count", most=MAX_CODES_PER_BATCH)
        loaded = await self._polls.by_code(code)
        if loaded is None:
            raise PollNotFound(code)
        row, poll = loaded
        if poll.web != "codes":
            raise CodesError("codes_not_used", code=row.code, web=poll.web)
        now = self._clock()
        session_id = None
        if session:
            token = secrets.token_hex(4)
            session_id = await self._store.session_id(
                row.id, session.strip()[:100], token, int(now.timestamp())
            )
        for _ in range(MAKE_ATTEMPTS):
            codes: list[str] = []
            seen: set[str] = set()
            while len(codes) < count:
                c = new_code()
                if c not in seen:
                    seen.add(c)
                    codes.append(c)
            hashes = [self._hasher.code(row.code, normalize(c) or c) for c in codes]
            try:
                await self._store.add_codes(row.id, hashes, session_id, now.date().isoformat())
            except DuplicateCode:  # a new code equal to one made before: none was kept
                continue
            return codes
        raise CodesError("codes_repeat")

    async def sheet(
        self,
        code: str,
        count: int,
        session: str | None,
        base_url: str | None,
        languages: tuple[str, ...] = ("en",),
    ) -> tuple[bytes, str]:
        """Make ``count`` codes and their printable A4 sheet (a PDF, and a file name for it).
        The codes exist only on that sheet; they can't be printed again."""
        if not base_url:
            raise CodesError("codes_no_public_url")
        loaded = await self._polls.by_code(code)
        if loaded is None:
            raise PollNotFound(code)
        row, poll = loaded
        codes = await self.make(code, count, session)
        start = f"{base_url}/v/{row.code}"
        pdf = await asyncio.to_thread(
            render_sheet,
            codes,
            title=poll.title,
            link_for=lambda c: f"{start}?code={c}",
            short_url=start,
            session=session,
            languages=languages,
        )
        slug = re.sub(r"[^a-z0-9]+", "-", (session or "").lower()).strip("-")
        name = f"codes-{row.code}{'-' + slug if slug else ''}.pdf"
        return pdf, name

    async def check(self, poll_id: int, poll_code: str, typed: str, client: str) -> CodeCheck:
        """A code typed (or carried in a QR link) by ``client`` (an opaque key for the
        browser's network address, used only to count wrong guesses in memory)."""
        if self._limiter.blocked(client):
            return CodeCheck("limited")
        code = normalize(typed)
        # A slip the check character catches is no guess at any code (a guesser computes the
        # check anyway), so it costs nothing: a school's classes behind one address are not
        # locked out by their typos.
        if code is None:
            return CodeCheck("malformed")
        voter = self._hasher.code(poll_code, code)
        found = await self._store.find_code(poll_id, voter)
        if found is None:
            self._limiter.miss(client)
            return CodeCheck("unknown")
        session, used = found
        if used:
            return CodeCheck("used")
        return CodeCheck("ok", voter, session)
