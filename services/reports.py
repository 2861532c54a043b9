"""Results of a poll, by channel (Telegram, web, paper) and combined, rendered to a file."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prompts import Catalog, load_catalog
from services.alerts import MESSAGE_UNITS, units
from services.exports import RENDERERS, write_whole
from services.paper import headline
from services.pollfile import CHANNEL, Poll, Question, pick, session_breakdown
from services.polls import PollService, poll_state
from services.results import (
    Cell,
    Results,
    Table,
    TextAnswer,
    Turnout,
    TurnoutRow,
    build_results,
    results_from_json,
    results_to_json,
    split_channels,
    suppress_table,
)
from services.suppression import SECONDARY, apply_suppression, group_size, rule_text
from services.suppression import shown as published
from services.themes import codebook
from storage.contract import Store
from storage.records import PollRow

SHOWN = "results-shown"  # shared_state kind: what staff last saw of an open poll
SHOWN_SECONDS = 366 * 24 * 3600  # kept while the poll is open (dropped when staff look after
# it closed, and by `markbot purge --text-older-than`)
REVIEW_SHOWN = 15  # answers in one /review message (Telegram's limit is 4,096 characters)
REVIEW_CHARS = 220


class ExportError(Exception):
    """The export could not be written; the message says why in one line."""


class ReportService:
    """Builds results from the store's counts."""

    def __init__(self, store: Store, polls: PollService, catalog: Catalog) -> None:
        self._store = store
        self._polls = polls
        self._catalog = catalog

    @staticmethod
    def staff_formats() -> list[str]:
        """What /export sends: the Excel workbook (when available) and the CSV."""
        return [fmt for fmt in ("xlsx", "csv") if fmt in RENDERERS]

    async def staff_results(self, code: str, min_cell: int) -> tuple[Results, bool]:
        """Results for /results and /export, and whether they are held back.

        While a poll is open, comparing two looks a ballot apart would show how that one
        person voted (a worker watching a young person tap Send, say). So the figures staff
        see move only in steps of at least ``min_cell`` ballots: until that many more are in,
        the last figures shown are shown again. Closed polls, and the command line, always get
        the current figures."""
        row, _ = await self._poll(code)
        key = row.code.encode()
        if min_cell <= 0 or poll_state(row, datetime.now(UTC)) == "closed":
            await self._store.shared_drop(SHOWN, key)
            return await self.results(code, min_cell), False
        current = sum(n for _, n in await self._store.ballots_by_day(row.id))
        now = int(time.time())
        raw = await self._store.shared_get(SHOWN, key, now)
        shown = None
        if raw is not None:
            with contextlib.suppress(ValueError):
                shown = results_from_json(raw)
        if (
            shown is not None
            and shown.min_cell == min_cell
            and shown.ballots <= current < shown.ballots + min_cell
        ):
            return shown, current != shown.ballots
        results = await self.results(code, min_cell)
        # Kept in the database, not in memory: every process must hold back the same figures.
        await self._store.shared_put(SHOWN, key, results_to_json(results), now + SHOWN_SECONDS)
        return results, False

    async def forget_shown(self) -> int:
        """Forget what staff were last shown of every poll (it holds free-text answers: the
        purge of texts must reach it too); how many were kept."""
        dropped = 0
        for listing in await self._polls.listing():
            dropped += await self._store.shared_drop(SHOWN, listing.code.encode())
        return dropped

    async def summary(self, code: str, min_cell: int, lang: str) -> tuple[str, bytes | None]:
        """The main question's ranked top lines as chat text, and the chart as PNG bytes."""
        results, held = await self.staff_results(code, min_cell)
        _, poll = await self._poll(code)
        q = headline(poll)
        t = self._catalog.t
        words = in_language(results, poll, lang)  # the title and options in the chat's language
        table = next(
            (
                x
                for x in words.tables
                if q and x.question == q.id and not x.dimension and x.channel == "all"
            ),
            None,
        )
        lines = [
            t(
                lang,
                "admin_results_header",
                title=words.title,
                ballots=results.ballots,
                question=pick(q.text, lang) if q else "",
            )
        ]
        channels = self._by_channel(results, q.id if q else "", lang)
        if channels:
            lines.append(t(lang, "admin_results_channels", channels=channels))
        if held:
            lines.append(t(lang, "admin_results_held", min_cell=min_cell))
        if table is None or results.ballots == 0:
            lines.append(t(lang, "admin_results_none"))
        else:
            lines += [
                self._line(lang, table, rank, cell, min_cell)
                for rank, cell in enumerate(table.cells[:10], start=1)
            ]
        chart = None
        if "png" in RENDERERS and results.ballots:
            _, render = RENDERERS["png"]
            with tempfile.TemporaryDirectory(prefix="markbot-chart-") as tmp:
                path = Path(tmp) / "chart.png"
                await asyncio.to_thread(render, results, path)
                chart = path.read_bytes()
        return "\n".join(lines), chart

    def _line(self, lang: str, table: Table, rank: int, cell: Cell, min_cell: int) -> str:
        """One option's /results line, from the figures the site and exports publish: hidden
        (small, or protected by secondary suppression), points for a ranked question (as the
        site says it), or count and share (a hidden table size hides the share)."""
        t = self._catalog.t
        if cell.suppressed:
            key = "admin_results_hidden" if cell.count < min_cell else "admin_results_protected"
            return t(lang, key, label=cell.label, min_cell=min_cell)  # no place: hidden come last
        figures = published(table, cell, min_cell)
        if table.kind == "rank":
            return t(
                lang,
                "admin_results_line_rank",
                rank=rank,
                label=cell.label,
                points=figures.points,
                first=figures.first,
                count=figures.count,
            )
        share = SECONDARY if figures.share is None else f"{figures.share:.0%}"
        return t(
            lang,
            "admin_results_line",
            rank=rank,
            label=cell.label,
            count=figures.count,
            share=share,
        )

    async def review(self, code: str, lang: str, limit: int = REVIEW_SHOWN) -> str:
        """/review CODE: the answers flagged for review (worries about others or the area), as
        stored (scrubbed), with their themes, counted by theme; at most ``limit`` shown (the
        export has them all). Disclosures are not listed: they went to the safeguarding chat."""
        row, poll = await self._poll(code)
        flagged = await self._store.review_answers(row.id)
        t = self._catalog.t
        if not flagged:
            return t(lang, "admin_review_none", code=row.code)
        book = codebook()
        none = self._catalog.plain(lang, "review_no_theme")

        def names(themes: str) -> str:
            labels = [book[x][0].get(lang, book[x][0]["en"]) for x in themes.split() if x in book]
            return ", ".join(labels) or none

        counts: dict[str, int] = {}
        for _, _, themes in flagged:
            for theme in themes.split() or [""]:
                counts[theme] = counts.get(theme, 0) + 1
        by_theme = ", ".join(
            f"{names(theme)} {n}" for theme, n in sorted(counts.items(), key=lambda x: -x[1])
        )
        lines = [
            t(
                lang,
                "admin_review_header_one" if len(flagged) == 1 else "admin_review_header",
                title=pick(poll.title, lang),
                count=len(flagged),
                themes=by_theme,
            )
        ]
        used, shown = units(lines[0]), 0
        for n, (question, body, themes) in enumerate(flagged[:limit], start=1):
            text = body if len(body) <= REVIEW_CHARS else body[: REVIEW_CHARS - 1] + "…"
            line = t(
                lang, "admin_review_line", n=n, question=question, text=text, themes=names(themes)
            )
            rest = len(flagged) - n
            more = t(lang, "admin_review_more", more=rest, code=row.code) if rest else ""
            # one Telegram message (counted with its markup: never less than Telegram counts)
            if used + 2 + units(line) + (2 + units(more) if more else 0) > MESSAGE_UNITS - 8:
                break
            lines.append(line)
            used, shown = used + 2 + units(line), n
        if len(flagged) > shown:
            lines.append(t(lang, "admin_review_more", more=len(flagged) - shown, code=row.code))
        return "\n\n".join(lines)

    async def _poll(self, code: str) -> tuple[PollRow, Poll]:
        loaded = await self._polls.by_code(code)
        if loaded is None:
            raise ExportError(f"no poll with code {code!r} (see 'markbot poll list')")
        return loaded

    async def results(self, code: str, min_cell: int) -> Results:
        """Tables for all ballots, and for each channel apart (Telegram, web, paper) when
        ballots came in more than one way; turnout and free text. All from one scan of the
        answers (see Store.tally): web and paper ballots carry ``channel=web`` /
        ``channel=paper`` in their groups, and Telegram is the rest."""
        row, poll = await self._poll(code)
        sessions = await self._store.list_sessions(row.id)
        extra = [session_breakdown(sessions)] if sessions else []
        dims = [q.id for q in (*poll.breakdowns, *extra)]
        channels = await self._store.ballots_by_channel(row.id)
        split = sum(1 for n in channels.values() if n) > 1
        data = await self._store.tally(row.id, [*dims, CHANNEL] if split else dims)
        base = build_results(row.code, poll, data, min_cell, extra_breakdowns=extra)
        tables = list(base.tables)
        if split:
            # every channel, one with no ballots too (see build_results: a table that is there
            # only when someone is in it tells a reader its "<5" is not 0)
            for channel, part in split_channels(data, channels).items():
                built = build_results(row.code, poll, part, min_cell)
                tables += [
                    replace(
                        t, dimension=CHANNEL, group=channel, group_label=channel, channel=channel
                    )
                    for t in built.tables
                    if not t.dimension  # a channel's part is tallied overall only
                ]
        groups = {(o.question, o.option): o.count for o in data.options if o.question in dims}
        days = await self._store.ballots_by_day(row.id)
        texts, theme_tables = await self._texts(row.id, poll, groups, min_cell)
        tables += theme_tables
        return _turnout_as_tables(
            apply_suppression(
                Results(
                    code=base.code,
                    title=base.title,
                    ballots=base.ballots,
                    min_cell=min_cell,
                    tables=tuple(tables),
                    generated=datetime.now(UTC).date().isoformat(),
                    questions=tuple((q.id, q.kind, pick(q.text, "en")) for q in poll.questions),
                    turnout=_turnout(poll, days, groups, min_cell),
                    texts=texts,
                    web_modes=await self._web_modes(row.id, channels.get("web", 0), min_cell),
                )
            )
        )

    def _by_channel(self, results: Results, question: str, lang: str) -> str:
        """ "Telegram 12 · web 9 · paper <5": who answered the main question each way, when
        ballots came in more than one way, each size as every export publishes it
        (``group_size``: "<5" only on a channel below 5)."""
        parts = []
        for table in results.tables:
            if table.question == question and table.dimension == CHANNEL:
                shown = str(group_size(table, results.min_cell))
                name = self._catalog.plain(lang, f"channel_{table.group}")
                parts.append(f"{name} {shown}")
        return " · ".join(parts)

    async def _web_modes(self, poll_id: int, web: int, min_cell: int) -> tuple[Any, ...]:
        """Web ballots cast with a voting code and in open mode. Web = codes + open is
        published, so one below the threshold hides both."""
        if not web:
            return ()
        _, used = await self._store.code_counts(poll_id)
        modes = (("codes", used), ("open", web - used))
        if min_cell and any(0 < n < min_cell for _, n in modes):
            return tuple((mode, None) for mode, _ in modes)
        return modes

    async def _texts(
        self, poll_id: int, poll: Poll, groups: dict[tuple[str, str], int], min_cell: int
    ) -> tuple[tuple[TextAnswer, ...], list[Table]]:
        """Free-text answers, and theme tallies per open question (overall and by every
        breakdown). An answer names its groups only when a group has at least ``min_cell``
        ballots, so it can't be pinned on a tiny group."""
        labels = {(q.id, o.id): pick(o.label, "en") for q in poll.breakdowns for o in q.options}
        book = codebook()
        answers = []
        counts: dict[tuple[str, str, str], dict[str, int]] = {}
        respondents: dict[tuple[str, str, str], int] = {}
        for question, body, lang, grp, flagged, themes, review in await self._store.text_answers(
            poll_id
        ):
            tags = themes.split()
            keys = [(question, "", "")]
            shown = []
            for part in grp.split("&") if grp else ():
                dim, _, group = part.partition("=")
                if (dim, group) in labels:
                    keys.append((question, dim, group))
                    if groups.get((dim, group), 0) >= min_cell:
                        shown.append((dim, labels[(dim, group)]))
            for key in keys:
                respondents[key] = respondents.get(key, 0) + 1
                tally = counts.setdefault(key, {})
                for tag in tags:
                    tally[tag] = tally.get(tag, 0) + 1
            if body:  # purged answers keep their themes, not their words
                names = tuple(book[t][0]["en"] for t in tags if t in book)
                answers.append(
                    TextAnswer(question, body, tuple(shown), lang, flagged, names, review)
                )
        # every open question has its tables, overall and for every group, answered or not:
        # a table there only when someone answered would tell a reader its "<5" is not 0
        for q in poll.questions:
            if q.kind == "text":
                respondents.setdefault((q.id, "", ""), 0)
                for dim in poll.breakdowns:
                    for o in dim.options:
                        if o.id not in dim.ineligible:
                            respondents.setdefault((q.id, dim.id, o.id), 0)
        tables = []
        for (question, dim, group), n in respondents.items():
            tally = counts.get((question, dim, group), {})
            cells = sorted(
                (
                    Cell(t, label["en"], tally.get(t, 0), tally.get(t, 0) / n if n else 0.0)
                    for t, (label, _) in book.items()
                ),
                key=lambda c: -c.count,
            )
            group_label = labels.get((dim, group), "") if dim else ""
            # an answer may have no theme at all: a row holds 0 or more themes per answer
            tables.append(
                Table(question, "multi", dim, group, group_label, n, tuple(cells), least=0)
            )
        order = {q.id: i for i, q in enumerate(poll.questions)}
        dims = {q.id: i for i, q in enumerate(poll.breakdowns)}
        tables.sort(key=lambda t: (order.get(t.question, 0), dims.get(t.dimension, -1), t.group))
        return tuple(answers), tables

    async def campaign(self, codes: list[str], min_cell: int) -> Results:
        """One ranking over several polls' main questions, options matched by ``tag`` (or, with
        no tag, by their English label), e.g. the same ballot run by several districts."""
        merged: dict[str, dict[str, int]] = {}
        labels: dict[str, str] = {}
        kinds: set[str] = set()
        places: dict[str, list[int]] = {}  # rank: how many put it 1st, 2nd, ... (all polls)
        most = 0
        respondents = ballots = 0
        hidden: set[str] = set()  # options a poll's own published results hide
        secret = False  # a poll's own published results hide how many answered its question
        once(codes)

        def key_of(q: Question, cell: Cell) -> str:
            option = q.option(cell.option)
            return (option.tag if option and option.tag else cell.label).casefold()

        for code in codes:
            row, poll = await self._poll(code)
            q = headline(poll)
            if q is None:
                raise ExportError(f"poll {row.code!r} has no choice, multi or rank question")
            kinds.add(q.kind)
            most = max(most, q.limit)
            data = await self._store.tally(row.id, [])
            part = build_results(row.code, poll, data, 0)
            table = next(t for t in part.tables if t.question == q.id and not t.dimension)
            respondents += table.respondents
            ballots += data.ballots
            if min_cell > 0:
                own = await self.results(row.code, min_cell)
                main = next(
                    t
                    for t in own.tables
                    if t.question == q.id and not t.dimension and t.channel == "all"
                )
                hidden |= {key_of(q, c) for c in main.cells if c.suppressed}
                secret |= not isinstance(group_size(main, min_cell), int)
            for cell in table.cells:
                option = q.option(cell.option)
                key = key_of(q, cell)
                labels.setdefault(key, option.tag if option and option.tag else cell.label)
                totals = merged.setdefault(key, {"count": 0, "first": 0, "points": 0})
                totals["count"] += cell.count
                totals["first"] += cell.first
                totals["points"] += cell.points
                mine = places.setdefault(key, [])
                for p, n in enumerate(cell.places):
                    mine.extend([0] * (p + 1 - len(mine)))
                    mine[p] += n
        if len(kinds) > 1:
            raise ExportError(f"these polls ask different kinds of question ({sorted(kinds)})")
        kind = kinds.pop()
        cells = [
            Cell(
                key,
                labels[key],
                t["count"],
                t["count"] / respondents if respondents else 0.0,
                t["first"],
                t["points"],
                places=tuple(places[key]),
            )
            for key, t in merged.items()
        ]
        if kind == "rank":
            cells.sort(key=lambda c: (-c.points, -c.first, c.label))
        else:
            cells.sort(key=lambda c: (-c.count, c.label))
        name = "campaign-" + "-".join(c.lower() for c in codes)[:60]
        if kind == "rank":  # every cell holds a count for each place, the longest ballot's
            cells = [replace(c, places=c.places + (0,) * (most - len(c.places))) for c in cells]
        table = Table("campaign", kind, "", "", "", respondents, tuple(cells), most=most)
        results = apply_suppression(
            Results(
                code=name,
                title=self._catalog.plain(
                    "en", "export_combined_title", codes=", ".join(c.lower() for c in codes)
                ),
                ballots=ballots,
                min_cell=min_cell,
                tables=(suppress_table(table, min_cell),),
                generated=datetime.now(UTC).date().isoformat(),
                questions=(("campaign", kind, self._catalog.plain("en", "export_combined")),),
            )
        )
        return _hide_combined(results, hidden, secret)

    async def export(
        self,
        codes: str | list[str],
        fmt: str,
        out: Path | None,
        min_cell: int,
        *,
        free_text: bool = True,
        staff: bool = False,
        lang: str = "en",
    ) -> Path:
        """Write the export (of one poll, or the combined ranking of several); say where.
        ``free_text=False`` leaves young people's own words out (for files sent through
        Telegram: free text is personal data and stays on the council's machine);
        ``staff=True`` gives the figures /results shows (see staff_results); ``lang="cy"``
        writes the headers, labels and the poll's own words in Welsh (the Welsh pages' download;
        staff exports stay English)."""
        if fmt not in RENDERERS:
            raise ExportError(f"unknown format {fmt!r}; use one of {', '.join(sorted(RENDERERS))}")
        suffix, render = RENDERERS[fmt]
        codes = [codes] if isinstance(codes, str) else codes
        if len(codes) == 1 and staff:
            results, _ = await self.staff_results(codes[0], min_cell)
        elif len(codes) == 1:
            results = await self.results(codes[0], min_cell)
        else:
            results = await self.campaign(codes, min_cell)
        if not free_text:
            results = replace(results, texts=())
        if lang != "en" and len(codes) == 1:
            results = in_language(results, (await self._poll(codes[0]))[1], lang)
        path = out or Path(f"{results.code}{suffix}")
        if path.is_dir():
            path = path / f"{results.code}{suffix}"
        try:
            await asyncio.to_thread(write_whole, render, results, path, lang)
        except OSError as exc:
            raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
        return path


def once(codes: list[str]) -> None:
    """Refuse a poll named twice: it would be counted twice in a combined ranking (every
    count doubled), and stand beside itself on a campaign page."""
    seen: set[str] = set()
    for code in codes:
        if code.lower() in seen:
            raise ExportError(f"poll {code.lower()!r} is named twice; name each poll once")
        seen.add(code.lower())


def in_language(results: Results, poll: Poll, lang: str) -> Results:
    """The same results with the poll's own words (title, questions, options, groups, theme
    names) in ``lang`` where the poll file gives them: the downloads of the Welsh pages. Ids,
    figures and markers are untouched, so each cell is the English download's cell."""
    if lang == "en":
        return results
    questions = {q.id: q for q in poll.questions}
    options = {(q.id, o.id): pick(o.label, lang) for q in poll.questions for o in q.options}
    themes = {t: label.get(lang, label["en"]) for t, (label, _) in codebook().items()}
    catalog = load_catalog()
    channels = {c: catalog.plain(lang, f"site_channel_{c}") for c in ("telegram", "web", "paper")}

    def label(question: str, option: str, current: str) -> str:
        if question == CHANNEL:  # the ballots by channel: Telegram, Gwefan, Papur
            return channels.get(option, current)
        return options.get((question, option)) or themes.get(option) or current

    def table(t: Table) -> Table:
        cells = tuple(replace(c, label=label(t.question, c.option, c.label)) for c in t.cells)
        group = label(t.dimension, t.group, t.group_label) if t.dimension else t.group_label
        return replace(t, cells=cells, group_label=group)

    turnout = replace(
        results.turnout,
        by_group=tuple(
            replace(r, group_label=label(r.dimension, r.group, r.group_label))
            for r in results.turnout.by_group
        ),
    )
    return replace(
        results,
        title=pick(poll.title, lang) or results.title,
        questions=tuple(
            (qid, kind, pick(questions[qid].text, lang) if qid in questions else text)
            for qid, kind, text in results.questions
        ),
        tables=tuple(table(t) for t in results.tables),
        turnout=turnout,
    )


def _hide_combined(results: Results, hidden: set[str], secret: bool) -> Results:
    """A combined count is the sum of the polls' own, each published in its poll's export: so
    an option any poll hides is hidden combined too (its count minus the other polls' shown
    ones would give the hidden one away). What stays shown is a sum of shown figures, which
    tells nothing new; hiding more never undoes the combined table's own suppression. The
    combined respondents add up the polls' respondents, and the hidden options together hold
    the respondents less the shown counts, which each poll publishes of itself; but where a
    poll hides how many answered (an optional question fewer than the threshold answered),
    the sum less the other polls' would give it away: then the combined respondents are
    hidden (``size_hidden``), and with them every share (a count over its share is the
    size). Every hidden figure is marked ``[c]`` whatever its size (``opaque``): "<m" or
    "[c]" on a sum bounds the polls' hidden counts it adds up (two polls' 1 and 4, "<5" in
    each and at most 1 and 4 by their own tables, are both pinned by "[c]" on their 5)."""
    (t,) = results.tables
    cells = [replace(c, suppressed=c.suppressed or c.option in hidden) for c in t.cells]
    shown = [c for c in cells if not c.suppressed]
    rest = sorted((c for c in cells if c.suppressed), key=lambda c: (c.label.casefold(), c.option))
    table = replace(t, cells=(*shown, *rest), size_hidden=t.size_hidden or secret, opaque=True)
    rule = rule_text(results.min_cell, combined=True) if results.rule else results.rule
    return replace(results, tables=(table,), rule=rule)


def _turnout_as_tables(results: Results) -> Results:
    """Turnout by group publishes the same counts as each breakdown question's own table, so
    a count hidden there (small, or hidden so a small one can't be worked out) is hidden in
    turnout too."""
    hidden = {
        (t.question, c.option)
        for t in results.tables
        if not t.dimension and t.channel == "all"
        for c in t.cells
        if c.suppressed
    }
    rows = tuple(
        replace(r, suppressed=True) if (r.dimension, r.group) in hidden else r
        for r in results.turnout.by_group
    )
    return replace(results, turnout=replace(results.turnout, by_group=rows))


def _turnout(
    poll: Poll, days: list[tuple[str, int]], groups: dict[tuple[str, str], int], min_cell: int
) -> Turnout:
    """Ballots per day and per breakdown group (with the group's population where known)."""
    rows = []
    for dim in poll.breakdowns:
        for option in dim.options:
            if option.id in dim.ineligible:
                continue
            n = groups.get((dim.id, option.id), 0)
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
