"""Polls: create from a file, open, close, list, and look up (with parsed definitions cached)."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from prompts import Catalog, template_paths
from services.pollfile import (
    Poll,
    PollFileError,
    dump_poll,
    load_poll_file,
    parse_poll,
    parse_poll_bytes,
    pick,
    restore_poll,
)
from storage.contract import Store
from storage.records import PollExists, PollRow, PollSummary

__all__ = ["PollExists", "PollListing", "PollNotFound", "PollService", "poll_state"]
ROW_TTL_SECONDS = 2.0


class PollNotFound(Exception):
    """No poll has that code."""


def poll_state(row: PollRow | PollSummary, now: datetime) -> str:
    """'draft', 'scheduled' (open but before its opening time), 'open' or 'closed'."""
    ts = now.timestamp()
    if row.status == "closed" or (row.closes_at is not None and ts >= row.closes_at):
        return "closed"
    if row.status == "draft":
        return "draft"
    if row.opens_at is not None and ts < row.opens_at:
        return "scheduled"
    return "open"


@dataclass(frozen=True, slots=True)
class PollListing:
    code: str
    title: str
    state: str
    ballots: int
    today: int = 0


class PollService:
    """The rules for polls; the definition of a poll never changes once created."""

    def __init__(self, store: Store, catalog: Catalog) -> None:
        self._store = store
        self._catalog = catalog
        self._cache: dict[int, tuple[str, Poll]] = {}
        # /start looks the poll up by code; a busy class taps the same link within seconds.
        # Status can change from another process (the CLI), so rows are kept only briefly;
        # the submit step checks open/closed again inside its transaction anyway.
        self._rows: dict[str, tuple[float, PollRow]] = {}

    def parse(self, text: str, source: str) -> Poll:
        return parse_poll(text, source, self._catalog.both("option_prefer_not_to_say"))

    def parse_bytes(self, data: bytes, source: str) -> Poll:
        """A poll file's bytes as uploaded: UTF-8, or a PollFileError saying so."""
        return parse_poll_bytes(data, source, self._catalog.both("option_prefer_not_to_say"))

    def load_file(self, path: Path) -> Poll:
        return load_poll_file(path, self._catalog.both("option_prefer_not_to_say"))

    @staticmethod
    def template_names() -> list[str]:
        return [p.stem for p in template_paths()]

    @staticmethod
    def template(name: str) -> Path:
        """A shipped template's file; KeyError if there is none by that name."""
        for path in template_paths():
            if path.stem == name:
                return path
        raise KeyError(f"no template called {name!r}")

    def renamed(self, poll: Poll, code: str, title: str) -> Poll:
        """The poll with a new code (and title, if given), validated again."""
        data = poll.model_dump()
        data["code"] = code
        if title:  # a new English title; other languages keep the template's
            data["title"] = {**data["title"], "en": title}
        try:
            return Poll.model_validate(data)
        except ValidationError as exc:
            problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
            raise PollFileError("new poll", problems) from None

    async def session_link(self, code: str, label: str) -> str:
        """The deep-link payload for one class or group session of a poll (CODE_TOKEN)."""
        loaded = await self.by_code(code)
        if loaded is None:
            raise PollNotFound(code)
        row = loaded[0]
        token = await self._store.add_session(row.id, secrets.token_hex(4), label, int(time.time()))
        return f"{row.code}_{token}"

    async def create(self, poll: Poll, *, status: str = "draft") -> int:
        opens = int(poll.opens.timestamp()) if poll.opens else None
        closes = int(poll.closes.timestamp()) if poll.closes else None
        return await self._store.add_poll(
            poll.code, pick(poll.title, "en"), dump_poll(poll), opens, closes, status
        )

    async def by_code(self, code: str) -> tuple[PollRow, Poll] | None:
        key = code.strip().lower()[:64]
        now = time.monotonic()
        hit = self._rows.get(key)
        if hit is not None and now - hit[0] < ROW_TTL_SECONDS:
            row = hit[1]
        else:
            found = await self._store.get_poll(key)
            if found is None:
                return None
            row = found
            if len(self._rows) > 1000:
                self._rows.clear()
            self._rows[key] = (now, row)
        return row, self._parsed(row)

    async def by_id(self, poll_id: int) -> tuple[str, Poll] | None:
        cached = self._cache.get(poll_id)
        if cached is not None:
            return cached
        row = await self._store.get_poll_by_id(poll_id)
        if row is None:
            return None
        self._parsed(row)
        return self._cache[poll_id]

    def _parsed(self, row: PollRow) -> Poll:
        cached = self._cache.get(row.id)
        if cached is None:
            cached = (row.code, restore_poll(row.definition))
            self._cache[row.id] = cached
        return cached[1]

    async def set_status(self, code: str, status: str) -> None:
        """Published figures never move: reopening a poll takes its results off the public
        site for good (publish it again once it closes: its figures are new then)."""
        if not await self._store.set_poll_status(code, status):
            raise PollNotFound(code)
        self._rows.pop(code.strip().lower(), None)
        if status == "open":
            row = await self._store.get_poll(code.strip().lower())
            if row is not None:
                await self._store.set_published(row.id, None)
        if status == "closed":  # no new ballots: lay the file out again, forgetting the order
            await self._store.compact()

    def state(self, row: PollRow, now: datetime | None = None) -> str:
        return poll_state(row, now or datetime.now(UTC))

    async def checkpoint(self) -> None:
        """Empty the database's WAL (the janitor does this every ten minutes)."""
        await self._store.checkpoint()

    async def apply_schedule(self, now: datetime | None = None) -> tuple[list[str], list[str]]:
        """Open drafts whose opening time has come and close open polls whose closing time has
        passed; returns the codes (opened, closed)."""
        ts = int((now or datetime.now(UTC)).timestamp())
        opened, closed = await self._store.apply_schedule(ts)
        for code in opened + closed:
            self._rows.pop(code, None)
        if closed:
            await self._store.compact()
        return opened, closed

    async def listing_with_today(self, now: datetime | None = None) -> list[PollListing]:
        """Like listing, with ballots cast today (UTC date) for each poll."""
        now = now or datetime.now(UTC)
        return [
            PollListing(s.code, s.title, poll_state(s, now), s.ballots, s.today)
            for s in await self._store.list_polls(now.date().isoformat())
        ]

    async def listing(self, now: datetime | None = None) -> list[PollListing]:
        now = now or datetime.now(UTC)
        return [
            PollListing(s.code, s.title, poll_state(s, now), s.ballots)
            for s in await self._store.list_polls()
        ]
