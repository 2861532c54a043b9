"""Results of a poll, online, paper and combined, through one of the renderers to a file."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from services.exports import RENDERERS
from services.pollfile import Poll, pick
from services.polls import PollService
from services.results import Results, Table, Turnout, TurnoutRow, build_results
from storage.records import PollRow
from storage.sqlite import SqliteStore


class ExportError(Exception):
    """The export could not be written; the message says why in one line."""


class ReportService:
    """Builds results from the store's counts."""

    def __init__(self, store: SqliteStore, polls: PollService) -> None:
        self._store = store
        self._polls = polls

    async def _poll(self, code: str) -> tuple[PollRow, Poll]:
        loaded = await self._polls.by_code(code)
        if loaded is None:
            raise ExportError(f"no poll with code {code!r} (see 'markbot poll list')")
        return loaded

    async def results(self, code: str, min_cell: int) -> Results:
        """Tables for all ballots, and per channel when there are paper ballots too."""
        row, poll = await self._poll(code)
        dims = [q.id for q in poll.breakdowns]
        data = await self._store.tally(row.id, dims)
        base = build_results(row.code, poll, data, min_cell)
        tables = list(base.tables)
        channels = await self._store.channels(row.id)
        if len(channels) > 1:
            for channel in channels:
                part = build_results(
                    row.code, poll, await self._store.tally(row.id, dims, channel), min_cell
                )
                tables += [_with_channel(t, channel) for t in part.tables]
        return Results(
            code=base.code,
            title=base.title,
            ballots=base.ballots,
            min_cell=min_cell,
            tables=tuple(tables),
            generated=datetime.now(UTC).date().isoformat(),
            questions=tuple((q.id, q.kind, pick(q.text, "en")) for q in poll.questions),
            turnout=await self._turnout(row.id, poll, min_cell),
        )

    async def _turnout(self, poll_id: int, poll: Poll, min_cell: int) -> Turnout:
        days, groups = await self._store.turnout(poll_id, [q.id for q in poll.breakdowns])
        rows = []
        counts = {(d, g): n for d, g, n in groups}
        for dim in poll.breakdowns:
            for option in dim.options:
                if option.id in dim.ineligible:
                    continue
                n = counts.get((dim.id, option.id), 0)
                population = (dim.population or {}).get(option.id)
                rows.append(
                    TurnoutRow(
                        dim.id,
                        option.id,
                        pick(option.label, "en"),
                        n,
                        population,
                        suppressed=min_cell > 0 and n < min_cell,
                    )
                )
        return Turnout(tuple(days), tuple(rows))

    async def export(self, code: str, fmt: str, out: Path | None, min_cell: int) -> Path:
        """Write the export and return where it went."""
        if fmt not in RENDERERS:
            raise ExportError(f"unknown format {fmt!r}; use one of {', '.join(sorted(RENDERERS))}")
        suffix, render = RENDERERS[fmt]
        results = await self.results(code, min_cell)
        path = out or Path(f"{results.code}{suffix}")
        if path.is_dir():
            path = path / f"{results.code}{suffix}"
        try:
            await asyncio.to_thread(render, results, path)
        except OSError as exc:
            raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
        return path


def _with_channel(table: Table, channel: str) -> Table:
    return replace(table, channel=channel)
