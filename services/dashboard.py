"""The results site live from the web server: staff sign-in links, publishing, and the pages.

Staff reach every poll's pages, open ones too, through a sign-in link the bot gives them
(/dashboard): single-use, valid for 15 minutes, kept only as a keyed hash with its expiry in
the database, so any process sharing it can redeem the link, and only one ever does. The
figures of an open poll are ReportService.staff_results', the ones /results shows, so they move
in the same steps of the threshold. The public sees a poll only once staff publish it, and
only while it is closed: published figures never move, so reopening a poll (owners only)
takes its public pages down until staff publish it again, and paper ballots are refused while
it is published.

The pages are those of ``markbot site`` (services/site.py), rendered by the same code with the
same suppression; only where they are served differs.
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from prompts import LANGUAGES
from services.exports import RENDERERS
from services.identity import Hasher
from services.polls import PollListing, PollService, poll_state
from services.reports import ReportService
from services.site import SiteService, download_names
from services.staff import StaffService
from storage.contract import Store

LOGIN_SECONDS = 15 * 60  # a sign-in link works once, within this time
SESSION_SECONDS = 8 * 3600  # a signed-in browser stays signed in this long (a working day)
PUBLIC_SECONDS = 60  # the public pages are rebuilt at most this often (and when publishing)
TYPES = {
    "csv": "text/csv",
    "json": "application/json",
    "png": "image/png",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True, slots=True)
class Download:
    name: str
    content_type: str
    body: bytes


@dataclass(frozen=True, slots=True)
class StaffPoll:
    """One line of the staff dashboard."""

    listing: PollListing
    title: dict[str, str]  # by language, as the poll file gives it
    published: str | None  # the date its results were published, if they were
    public: bool  # published and closed: its pages are public now


class DashboardService:
    """Sign-in links, publishing and the live pages, for the web server and staff commands."""

    def __init__(
        self,
        store: Store,
        hasher: Hasher,
        staff: StaffService,
        polls: PollService,
        reports: ReportService,
        site: SiteService,
        *,
        min_cell: int,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._hasher = hasher
        self._staff = staff
        self._polls = polls
        self._reports = reports
        self._site = site
        self._min_cell = min_cell
        self._clock = clock
        self._staff_cache: dict[str, tuple[object, dict[str, bytes]]] = {}
        self._public_cache: tuple[object, float, dict[str, bytes]] | None = None
        self._css: bytes | None = None
        self._building = asyncio.Lock()  # one rebuild of the public pages at a time

    # --- signing in ----------------------------------------------------------------------

    async def login_token(self, user_id: int) -> str:
        """A new single-use sign-in token for this staff member (put it in a link)."""
        token = secrets.token_urlsafe(24)
        now = int(self._clock())
        await self._store.add_login(
            self._hasher.login(token), self._hasher.staff(user_id), now + LOGIN_SECONDS, now
        )
        return token

    async def redeem(self, token: str) -> bytes | None:
        """Use a sign-in token: the staff member's keyed hash, or None for a used, expired or
        made-up one (or one of someone removed since)."""
        person = await self._store.redeem_login(self._hasher.login(token), int(self._clock()))
        if person is None or not await self.is_staff(person):
            return None
        return person

    async def is_staff(self, person: bytes) -> bool:
        """Whether a signed-in staff member still is one: a removed worker's session ends at
        their next page, whatever the cookie says."""
        owners = {self._hasher.staff(owner) for owner in self._staff.owners}
        return person in owners or await self._store.is_worker(person)

    def now(self) -> int:
        return int(self._clock())

    # --- publishing ----------------------------------------------------------------------

    async def publish(self, code: str) -> tuple[str, str]:
        """Publish a poll's results: ('published', date), ('already', date), ('not_closed',
        state), ('changed', ballots when first published) or ('unknown', ''). Only a closed
        poll can be published: public figures never move, so nobody can compare two looks a
        ballot apart. For the same reason a poll taken down and given more ballots (reopened,
        or paper added) cannot go public again: the two versions would show the new ballots."""
        loaded = await self._polls.by_code(code)
        if loaded is None:
            return "unknown", ""
        row = loaded[0]
        state = poll_state(row, datetime.fromtimestamp(self._clock(), UTC))
        if state != "closed":
            return "not_closed", state
        ballots = sum((await self._store.ballots_by_channel(row.id)).values())
        released = await self._store.record_release(row.id, ballots)
        if released != ballots:
            return "changed", str(released)
        today = datetime.fromtimestamp(self._clock(), UTC).date().isoformat()
        changed = await self._store.set_published(row.id, today)
        self._public_cache = None
        if changed:
            return "published", today
        return "already", (await self._store.published_polls()).get(row.code, today)

    async def unpublish(self, code: str) -> str:
        """Take a poll's public pages down: 'unpublished', 'not_published' or 'unknown'."""
        loaded = await self._polls.by_code(code)
        if loaded is None:
            return "unknown"
        changed = await self._store.set_published(loaded[0].id, None)
        self._public_cache = None
        return "unpublished" if changed else "not_published"

    async def staff_polls(self) -> list[StaffPoll]:
        """Every poll for the dashboard's first page, with whether its results are public."""
        published = await self._store.published_polls()
        polls = []
        for p in await self._polls.listing():
            loaded = await self._polls.by_code(p.code)
            title = dict(loaded[1].title) if loaded else {"en": p.title}
            public = p.code in published and p.state == "closed"
            polls.append(StaffPoll(p, title, published.get(p.code), public))
        return polls

    # --- the pages -----------------------------------------------------------------------

    async def staff_pages(self, code: str) -> dict[str, bytes] | None:
        """One poll's site for staff, open or not, with the figures /results shows (moving in
        steps of the threshold while it is open); None for an unknown poll."""
        loaded = await self._polls.by_code(code)
        if loaded is None:
            return None
        row, poll = loaded
        results, _ = await self._reports.staff_results(row.code, self._min_cell)
        cached = self._staff_cache.get(row.code)
        if cached is not None and (cached[0] is results or cached[0] == results):
            return cached[1]
        files = await self._site.pages([(row, poll, results)])
        self._staff_cache[row.code] = (results, files)
        return files

    async def public_pages(self) -> dict[str, bytes]:
        """The site of every published, closed poll (with its index pages), as the folder of
        ``markbot site`` would hold it; rebuilt when the published polls change, or once the
        last build is a minute old (paper ballots may still be added to a closed poll)."""
        codes = await self.public_codes()
        async with self._building:  # requests that arrive during a rebuild wait for it
            now = time.monotonic()
            cached = self._public_cache
            if cached is not None and cached[0] == codes and now - cached[1] < PUBLIC_SECONDS:
                return cached[2]
            polls = []
            for code in codes:
                loaded = await self._polls.by_code(code)
                if loaded is not None:
                    results = await self._reports.results(code, self._min_cell)
                    polls.append((loaded[0], loaded[1], results))
            files = await self._site.pages(polls)
            self._public_cache = (codes, now, files)
            return files

    async def public_codes(self) -> tuple[str, ...]:
        """The polls whose pages the public may see now: published and closed."""
        published = await self._store.published_polls()
        now = datetime.fromtimestamp(self._clock(), UTC)
        public = []
        for code in published:
            loaded = await self._polls.by_code(code)
            if loaded is not None and poll_state(loaded[0], now) == "closed":
                public.append(code)
        return tuple(sorted(public))

    async def stylesheet(self) -> bytes:
        """The site's stylesheet (the same file as the folder's site.css)."""
        if self._css is None:
            self._css = (await self._site.pages([]))["site.css"]
        return self._css

    async def download(self, name: str, *, staff: bool) -> Download | None:
        """A download the pages link to (``CODE.csv``...), made now without free text: for
        staff with /export's figures, for the public only of a public poll; else None.
        ``cy/CODE.csv``... is the Welsh pages' download: Welsh headers, the same figures."""
        lang, _, file = name.rpartition("/") if "/" in name else ("en", "", name)
        if lang not in LANGUAGES:
            return None
        for fmt, (suffix, _) in RENDERERS.items():
            if fmt not in TYPES or not file.endswith(suffix):
                continue
            code = file[: -len(suffix)]
            if not staff and code not in await self.public_codes():
                return None
            loaded = await self._polls.by_code(code)
            if loaded is None or loaded[0].code != code:
                return None
            results = (
                (await self._reports.staff_results(code, self._min_cell))[0]
                if staff
                else await self._reports.results(code, self._min_cell)
            )
            if (fmt, name) not in download_names(results, lang):
                return None
            with tempfile.TemporaryDirectory(prefix="markbot-download-") as tmp:
                path = await self._reports.export(
                    code, fmt, Path(tmp), self._min_cell, free_text=False, staff=staff, lang=lang
                )
                body = await asyncio.to_thread(path.read_bytes)
            return Download(file, TYPES[fmt], body)
        return None
