"""Exports: a poll's results through one of the renderers, to a file."""

from __future__ import annotations

import asyncio
from pathlib import Path

from services.exports import RENDERERS
from services.polls import PollService
from services.results import Results, build_results
from storage.sqlite import SqliteStore


class ExportError(Exception):
    """The export could not be written; the message says why in one line."""


class ReportService:
    """Builds results from the store's counts."""

    def __init__(self, store: SqliteStore, polls: PollService) -> None:
        self._store = store
        self._polls = polls

    async def results(self, code: str, min_cell: int) -> Results:
        loaded = await self._polls.by_code(code)
        if loaded is None:
            raise ExportError(f"no poll with code {code!r} (see 'markbot poll list')")
        row, poll = loaded
        data = await self._store.tally(row.id, [q.id for q in poll.breakdowns])
        return build_results(row.code, poll, data, min_cell)

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
