"""A static results site: already-suppressed Results rendered to HTML pages, in English and Welsh.

Safe to publish because every figure on a page comes from ``suppression.shown`` (or
``group_size``) applied to the Results the exports use: a hidden figure reaches a page only as
its marker ("<5", "[c]"), never as a number, in the text, the table or the chart. The pages
need nothing to run (no JavaScript, no fonts, no third-party requests): a council uploads the
folder as it is. Links are relative, so the folder works wherever it is put.
"""

from __future__ import annotations

import asyncio
import secrets
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup

from prompts import Catalog
from services.dates import day
from services.exports import RENDERERS
from services.paper import headline
from services.poll_words import PollWords, marked
from services.pollfile import (
    CHANNEL,
    PREFER_NOT_TO_SAY,
    SESSION_DIMENSION,
    Poll,
    Question,
    pick,
)
from services.polls import PollService
from services.reports import ExportError, ReportService, in_language, once
from services.results import Results, Table
from services.site_inputs import National, render_markdown
from services.suppression import group_size, shown, sizes_table, turnout_ballots
from services.themes import codebook
from storage.records import PollRow

LANGS = ("en", "cy")
CSS = Path(__file__).resolve().parent / "site_templates" / "site.css"
BASE_CSS = Path(__file__).resolve().parent / "style" / "markbot.css"  # the web ballot's look
CHART_ROW = 56  # px per option in a chart: the label above, the bar below
BAR_MAX = 96.0  # the longest bar's width in % of the chart
INSIDE = 45.0  # a bar at least this wide (in %) carries its figure inside
DOWNLOADS = "downloads"
Page = tuple[str, str]  # (place in the site's folder, HTML)
CAMPAIGNS = "campaigns"  # the folder of campaign pages, in each language's folder
TOP_ISSUES = 10  # places a campaign page shows per poll


@dataclass
class SitePoll:
    """What one poll's pages are made of: its definition, dates and suppressed results."""

    poll: Poll
    results: Results
    opens: datetime | None = None
    closes: datetime | None = None
    downloads: list[tuple[str, str]] = field(default_factory=list)  # (format, file name)
    said_did: dict[str, str] = field(default_factory=dict)  # language -> a worker's Markdown


def number(value: int | str) -> str:
    """A published figure: 1,234 for a count, or the marker as it is."""
    return f"{value:,}" if isinstance(value, int) else value


def percent(share: float | None) -> str:
    return "" if share is None else f"{share:.0%}"


class SiteWriter:
    """Renders the pages of one or more polls into a folder (pure: Results in, files out)."""

    def __init__(self, catalog: Catalog, *, first_lang: str = "en") -> None:
        """``first_lang``: the council's first language (MARKBOT_WEB_LANGUAGE), which the one
        page in both languages, the site's home, shows first."""
        self._catalog = catalog
        self._first = first_lang if first_lang in LANGS else "en"
        self._env = Environment(
            loader=PackageLoader("services", "site_templates"),
            autoescape=select_autoescape(default=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def pages(self, polls: list[SitePoll], national: Sequence[National] = ()) -> dict[str, str]:
        """Every page of every poll, a campaign page per tag, and the stylesheet, as {place in
        the folder: text}: what ``write`` puts in a folder and the web server serves."""
        campaigns = campaigns_of(polls, national)
        base, extra = (p.read_text(encoding="utf-8") for p in (BASE_CSS, CSS))
        files = {"site.css": base + "\n" + extra}
        for lang in LANGS:
            files.update(
                [self._page(lang, "index.html", "index.html", polls=polls, campaigns=campaigns)]
            )
            for sp in polls:
                files.update(self._poll_pages(lang, sp))
            files.update(self._campaign_page(lang, c) for c in campaigns)
        files.update(
            [
                self._page(
                    self._first,
                    "index.html",
                    "root.html",
                    root=True,
                    polls=polls,
                    campaigns=campaigns,
                )
            ]
        )
        return files

    def write(
        self, polls: list[SitePoll], out: Path, national: Sequence[National] = ()
    ) -> list[Path]:
        """Write ``pages`` into ``out``; return the files written."""
        files = self.pages(polls, national)
        out.mkdir(parents=True, exist_ok=True)
        for lang in LANGS:  # a page left from an earlier build (a question since renamed) goes
            for sp in polls:
                shutil.rmtree(out / lang / sp.results.code, ignore_errors=True)
            shutil.rmtree(out / lang / CAMPAIGNS, ignore_errors=True)
        written = []
        for place, text in files.items():
            target = out / place
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            written.append(target)
        return written

    # --- one poll ------------------------------------------------------------------------

    def _poll_pages(self, lang: str, sp: SitePoll) -> list[Page]:
        poll, res = sp.poll, sp.results
        code = res.code
        questions = [q for q in poll.questions if q.kind != "text" and not q.breakdown]
        breakdowns = list(poll.breakdowns)
        # (page, text, whether the text is the poll's own: English where it has no Welsh)
        nav: list[tuple[str, str, bool]] = [
            ("index.html", self._t(lang, "site_nav_overview"), False)
        ]
        pl = self._poll_lang(sp, lang)  # the poll's own texts: English where it lacks Welsh
        nav += [(f"question-{q.id}.html", pick(q.text, pl), True) for q in questions]
        nav += [
            (
                f"by-{q.id}.html",
                self._t(lang, "site_nav_breakdown", question=marked(pick(q.text, pl), pl, lang)),
                False,
            )
            for q in breakdowns
        ]
        turnout_page = self._turnout_page(lang, sp)
        themes_page = self._themes_page(lang, sp)
        said_did = self._said_did(lang, sp)
        if turnout_page["leagues"] or turnout_page["sessions"]:
            nav.append(("turnout.html", self._t(lang, "site_nav_turnout"), False))
        if themes_page:
            nav.append(("themes.html", self._t(lang, "site_nav_themes"), False))
        if said_did:
            nav.append(("you-said-we-did.html", self._t(lang, "site_nav_said_did"), False))
        nav += [
            ("methodology.html", self._t(lang, "site_nav_methodology"), False),
            ("downloads.html", self._t(lang, "site_nav_downloads"), False),
        ]
        common = {"sp": sp, "nav": nav, "code": code, "title": pick(poll.title, pl)}
        pages = [
            self._page(
                lang,
                f"{code}/index.html",
                "overview.html",
                main=headline(poll),
                questions=[(q, self._chart(lang, sp, q)) for q in questions],
                channels=self._channels(lang, sp),
                turnout=self._turnout(lang, sp),
                dates=self._dates(lang, sp),
                said_did=said_did,
                **common,
            )
        ]
        pages += self._extra_pages(lang, turnout_page, themes_page, said_did, common)
        for q in questions:
            pages.append(
                self._page(
                    lang,
                    f"{code}/question-{q.id}.html",
                    "question.html",
                    question=q,
                    figure=self._chart(lang, sp, q),
                    groups=[
                        (b, self._breakdown(lang, sp, q, b)) for b in breakdowns if b.id != q.id
                    ],
                    **common,
                )
            )
        for b in breakdowns:
            pages.append(
                self._page(
                    lang,
                    f"{code}/by-{b.id}.html",
                    "breakdown.html",
                    breakdown=b,
                    tables=[
                        (q, self._breakdown(lang, sp, q, b)) for q in questions if q.id != b.id
                    ],
                    turnout=self._turnout(lang, sp, b.id),
                    **common,
                )
            )
        kinds: set[str] = {q.kind for q in questions}
        if themes_page:
            kinds.add("themes")
        pages.append(
            self._page(lang, f"{code}/methodology.html", "methodology.html", kinds=kinds, **common)
        )
        formats = {fmt for fmt, _ in sp.downloads}
        downloads = [(f, n) for f, n in download_names(sp.results, lang) if f in formats]
        pages.append(
            self._page(
                lang, f"{code}/downloads.html", "downloads.html", downloads=downloads, **common
            )
        )
        return pages

    # --- figures (only ever through shown / group_size) -----------------------------------

    def _labels(self, q: Question, lang: str) -> dict[str, str]:
        """A question's option labels in ``lang``: pass ``_poll_lang``'s, not the page's."""
        return {o.id: pick(o.label, lang) for o in q.options}

    @staticmethod
    def _poll_lang(sp: SitePoll, lang: str) -> str:
        """The language of a poll's own texts on a page in ``lang``: the page's if the whole
        poll is written in it, else English (as on the ballot), marked so on the page."""
        return lang if lang in sp.poll.languages() else "en"

    def _overall(self, res: Results, question: str) -> Table | None:
        return next(
            (
                t
                for t in res.tables
                if t.question == question and not t.dimension and t.channel == "all"
            ),
            None,
        )

    def _chart(
        self,
        lang: str,
        sp: SitePoll,
        q: Question,
        labels: dict[str, str] | None = None,
        kind: str | None = None,
    ) -> dict[str, Any] | None:
        """A ranked bar chart of one question: rows in the Results' order (hidden ones last),
        bars scaled to the largest shown figure (points for a rank question, else count).
        ``labels`` and ``kind`` for tallies that are not a question's options (themes)."""
        res = sp.results
        table = self._overall(res, q.id)
        if table is None:
            return None
        labels_given = labels  # themes: the page's own words
        labels = self._labels(q, self._poll_lang(sp, lang)) if labels is None else labels
        rank = table.kind == "rank"
        rows: list[dict[str, Any]] = []
        for cell in table.cells:
            s = shown(table, cell, res.min_cell)
            rows.append(
                {
                    "label": labels.get(cell.option, cell.label),
                    "count": number(s.count),
                    "share": percent(s.share),
                    "first": number(s.first) if s.first is not None else "",
                    "points": number(s.points) if s.points is not None else "",
                    "value": s.points if rank and s.points is not None else s.count,
                    "hidden": s.hidden,
                }
            )
        top = max((r["value"] for r in rows if not r["hidden"]), default=0)
        for i, r in enumerate(rows):
            r["y"] = i * CHART_ROW
            width = BAR_MAX * r["value"] / top if top and not r["hidden"] else 0.0
            r["width"] = f"{width:.2f}"
            # a long bar carries its figure inside (white on blue, 5.2:1), a short one after
            # it: either way the figure fits a 320 px screen
            r["inside"] = width >= INSIDE
            r["after"] = f"{width - 1.5:.2f}" if r["inside"] else f"{width + 1.5:.2f}"
            if r["hidden"]:
                r["text"] = self._t(lang, "site_chart_hidden", marker=r["count"])
            elif rank:
                r["text"] = self._t(lang, "site_chart_rank_value", points=r["points"])
            else:
                r["text"] = f"{r['count']} ({r['share']})"
        respondents = group_size(table, res.min_cell)
        own = self._poll_lang(sp, lang) if labels_given is None else lang
        summary = self._summary(
            lang, kind or table.kind, rows, number(respondents), res.ballots, own=own
        )
        markers = sorted(
            {r["count"] for r in rows if r["hidden"]}
            | {r["points"] for r in rows if r["hidden"] and r["points"]}
        )
        return {
            "id": q.id,
            "rank": rank,
            "rows": rows,
            "height": len(rows) * CHART_ROW,
            "summary": summary,
            "respondents": number(respondents),
            "markers": markers,
        }

    def _summary(
        self,
        lang: str,
        kind: str,
        rows: list[dict[str, Any]],
        respondents: str,
        ballots: int,
        *,
        own: str | None = None,
    ) -> Markup:
        """The chart in one sentence, from shown figures only. A tie at the top is said as a
        tie. A rank question's hidden option may have more points than the shown ones (it is
        hidden for its counts per place, not for being small), so then the sentence speaks
        only of the options shown."""
        shown_rows = [r for r in rows if not r["hidden"]]
        if ballots == 0 or respondents == "0":
            return self._t(lang, "site_summary_none")
        if not shown_rows:  # too few answered ("<m"), or hidden so nothing can be worked out
            few = respondents.startswith("<")
            return self._t(lang, "site_summary_hidden" if few else "site_summary_hidden_protected")
        top = shown_rows[0]
        tied = [r for r in shown_rows[1:] if r["value"] == top["value"]]
        key = f"site_summary_{kind}"
        if tied:
            key = {"rank": "site_summary_tie_rank", "theme": "site_summary_tie_theme"}.get(
                kind, "site_summary_tie"
            )
        elif kind == "rank" and len(shown_rows) < len(rows):
            key = "site_summary_rank_partial"
        # the poll's words in another language (English in a Welsh sentence): marked as such
        # (WCAG 3.1.2)
        own = own or lang
        return self._t(
            lang,
            key,
            label=marked(top["label"], own, lang),
            other=marked(tied[0]["label"], own, lang) if tied else "",
            count=top["count"],
            share=top["share"],
            first=top["first"],
            points=top["points"],
            respondents=respondents,
        )

    def _breakdown(
        self,
        lang: str,
        sp: SitePoll,
        q: Question,
        b: Question,
        labels: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """One question by the groups of one breakdown: a row per group, a column per option
        (in the overall ranking's order); a rank question's cells are its points."""
        res = sp.results
        labels = self._labels(q, self._poll_lang(sp, lang)) if labels is None else labels
        groups = self._labels(b, self._poll_lang(sp, lang))
        overall = self._overall(res, q.id)
        order = [c.option for c in overall.cells] if overall else [o.id for o in q.options]
        rank = q.kind == "rank"
        rows = []
        markers: set[str] = set()
        for table in res.tables:
            if table.question != q.id or table.dimension != b.id or table.channel != "all":
                continue
            by_option = {c.option: c for c in table.cells}
            cells = []
            for option in order:
                cell = by_option.get(option)
                if cell is None:
                    cells.append("")
                    continue
                s = shown(table, cell, res.min_cell)
                value = s.points if rank and s.points is not None else s.count
                if s.hidden:
                    markers.add(str(value))
                    cells.append(number(value))
                elif rank:
                    cells.append(number(value))
                else:
                    cells.append(f"{number(value)} ({percent(s.share)})")
            size = group_size(table, res.min_cell)
            if isinstance(size, str):
                markers.add(size)
            rows.append(
                {
                    "label": groups.get(table.group, table.group_label),
                    "size": number(size),
                    "cells": cells,
                }
            )
        return {
            "id": f"{q.id}-by-{b.id}",
            "options": [labels.get(o, o) for o in order],
            "rows": rows,
            "rank": rank,
            "markers": sorted(markers),
        }

    def _channels(self, lang: str, sp: SitePoll) -> list[tuple[str, str]]:
        """Who answered the main question, by how they voted (only when there was a split)."""
        q = headline(sp.poll)
        if q is None:
            return []
        return [
            (self._t(lang, f"site_channel_{t.group}"), number(group_size(t, sp.results.min_cell)))
            for t in sp.results.tables
            if t.question == q.id and t.dimension == CHANNEL and t.channel == t.group
        ]

    def _turnout(self, lang: str, sp: SitePoll, dimension: str | None = None) -> dict[str, Any]:
        """Ballots per group against the group's population, where the poll file gives one.
        A group's ballots are its count in the breakdown question's own table, so they are
        published as that table publishes them (``turnout_ballots``: "<5" or "[c]", no percentage
        then); a group the table lacks keeps the turnout's primary rule."""
        res = sp.results
        rows = []
        populations: dict[str, int] = {}  # per breakdown with a population for every group
        for row in res.turnout.by_group:
            if dimension is not None and row.dimension != dimension:
                continue
            q = sp.poll.question(row.dimension)
            pl = self._poll_lang(sp, lang)
            label = self._labels(q, pl).get(row.group, row.group_label) if q else row.group
            ballots = turnout_ballots(res, row)
            hidden = isinstance(ballots, str)
            pct = row.percent
            rows.append(
                {
                    "dimension": row.dimension,
                    "label": label,
                    "ballots": number(ballots),
                    "population": number(row.population) if row.population else "",
                    "percent": "" if hidden or pct is None else f"{pct:.1f}%",
                }
            )
            if row.population and populations.get(row.dimension, 0) >= 0:
                populations[row.dimension] = populations.get(row.dimension, 0) + row.population
            elif row.group != PREFER_NOT_TO_SAY:
                populations[row.dimension] = -1  # a group without one: no total
        has_population = any(r["population"] for r in rows)
        overall = share = ""
        total = next((n for n in populations.values() if n > 0), 0)
        if total and res.ballots:
            share = f"{100 * res.ballots / total:.1f}%"
            # everyone who voted is in the population, whatever they said of themselves
            overall = self._t(
                lang,
                "site_turnout_total",
                ballots=number(res.ballots),
                population=number(total),
                percent=share,
            )
        return {"rows": rows if has_population else [], "overall": overall, "percent": share}

    def _dates(self, lang: str, sp: SitePoll) -> str:
        if sp.opens and sp.closes:
            opens, closes = day(self._catalog, lang, sp.opens), day(self._catalog, lang, sp.closes)
            return self._t(lang, "site_dates", opens=opens, closes=closes)
        if sp.closes:
            return self._t(lang, "site_dates_closed", closes=day(self._catalog, lang, sp.closes))
        return ""

    # --- turnout league, sessions, themes, "you said, we did" ------------------------------

    def _extra_pages(
        self,
        lang: str,
        turnout_page: dict[str, Any],
        themes_page: list[Any],
        said_did: dict[str, Any] | None,
        common: dict[str, Any],
    ) -> list[Page]:
        """The poll's pages beyond the overview, questions and breakdowns (only those it has)."""
        code = common["code"]
        pages = []
        if turnout_page["leagues"] or turnout_page["sessions"]:
            pages.append(
                self._page(lang, f"{code}/turnout.html", "turnout.html", **turnout_page, **common)
            )
        if themes_page:
            pages.append(
                self._page(lang, f"{code}/themes.html", "themes.html", themes=themes_page, **common)
            )
        if said_did:
            pages.append(
                self._page(
                    lang,
                    f"{code}/you-said-we-did.html",
                    "said_did.html",
                    said_did=said_did,
                    **common,
                )
            )
        return pages

    def _ordinal(self, lang: str, n: int) -> str:
        """1st, 2nd... (1af, 2il...): a place in a ranking, never a bare count."""
        names = self._catalog.plain(lang, "site_ordinals").split()
        return names[n - 1] if 0 < n <= len(names) else f"{n:,}"

    def _ranked(self, lang: str, entries: list[dict[str, Any]]) -> None:
        """Give shown entries (already in order) their places, ties sharing one, as a league
        does; hidden entries get none (their place would say how big they are)."""
        place, last = 0, None
        for i, e in enumerate(entries):
            if e["value"] is None:
                e["place"] = "–"
                continue
            if e["value"] != last:
                place, last = i + 1, e["value"]
            e["place"] = self._ordinal(lang, place)

    def _turnout_page(self, lang: str, sp: SitePoll) -> dict[str, Any]:
        leagues = [(b, league) for b in sp.poll.breakdowns if (league := self._league(lang, sp, b))]
        return {"leagues": leagues, "sessions": self._sessions(lang, sp)}

    def _league(self, lang: str, sp: SitePoll, b: Question) -> dict[str, Any] | None:
        """Turnout of one breakdown's groups (areas, schools) as a share of each group's
        population, highest first, like Make Your Mark's league of councils. The figures are
        ``_turnout``'s (each group's ballots as the breakdown question's own suppressed table
        publishes them); a hidden group has no percentage and no place, and comes last."""
        view = self._turnout(lang, sp, b.id)
        if not view["rows"]:
            return None
        source = [r for r in sp.results.turnout.by_group if r.dimension == b.id]
        entries = []
        for published, row in zip(view["rows"], source, strict=True):
            if not row.population:  # 'Prefer not to say' has no population: not in a league
                continue
            value = row.percent if published["percent"] else None
            entries.append({**published, "value": value, "hidden": value is None})
        if not entries:
            return None
        entries.sort(
            key=lambda e: (e["value"] is None, -(e["value"] or 0.0), e["label"].casefold())
        )
        self._ranked(lang, entries)
        top = max((e["value"] for e in entries if e["value"] is not None), default=0.0)
        for i, e in enumerate(entries):
            e["y"] = i * CHART_ROW
            width = BAR_MAX * e["value"] / top if top and e["value"] is not None else 0.0
            e["width"] = f"{width:.2f}"
            e["inside"] = width >= INSIDE
            e["after"] = f"{width - 1.5:.2f}" if e["inside"] else f"{width + 1.5:.2f}"
            e["text"] = (
                self._t(lang, "site_chart_hidden", marker=e["ballots"])
                if e["hidden"]
                else self._t(
                    lang,
                    "site_league_value",
                    percent=e["percent"],
                    ballots=e["ballots"],
                    population=e["population"],
                )
            )
        shown_entries = [e for e in entries if not e["hidden"]]
        if not shown_entries:
            summary = self._t(lang, "site_league_hidden")
        else:
            first = shown_entries[0]
            tied = [e for e in shown_entries[1:] if e["value"] == first["value"]]
            summary = self._t(
                lang,
                "site_league_tie" if tied else "site_league_summary",
                label=marked(first["label"], self._poll_lang(sp, lang), lang),
                other=marked(tied[0]["label"], self._poll_lang(sp, lang), lang) if tied else "",
                percent=first["percent"],
                ballots=first["ballots"],
                population=first["population"],
            )
        markers = sorted({e["ballots"] for e in entries if e["hidden"]})
        return {
            "id": f"league-{b.id}",
            "rows": entries,
            "height": len(entries) * CHART_ROW,
            "summary": summary,
            "markers": markers,
        }

    def _sessions(self, lang: str, sp: SitePoll) -> dict[str, Any] | None:
        """Ballots by session (a class or school visit with its own link), most first.

        A session's ballots are its group size, published as the results publish it
        (``group_size``): the suppression checked the sessions' sizes as a table of their own
        (``sizes_table``), so a small session shows "<m", and another is hidden ("[c]") where
        the total would give it away, here and in every download alike."""
        res = sp.results
        sizes = sizes_table(res.tables, SESSION_DIMENSION, res.ballots)
        if sizes is None:
            return None
        biggest: dict[str, Table] = {}
        for t in res.tables:
            mine = t.dimension == SESSION_DIMENSION and t.channel == "all"
            if mine and (t.group not in biggest or t.respondents > biggest[t.group].respondents):
                biggest[t.group] = t
        entries: list[dict[str, Any]] = []
        for cell in sizes.cells:
            size = group_size(biggest[cell.option], res.min_cell)
            entries.append(
                {
                    "label": cell.label,
                    "ballots": number(size),
                    "value": size if isinstance(size, int) else None,
                }
            )
        hidden = sorted(
            (e for e in entries if e["value"] is None), key=lambda e: e["label"].casefold()
        )
        entries = [e for e in entries if e["value"] is not None] + hidden
        self._ranked(lang, entries)
        markers = sorted({e["ballots"] for e in entries if e["value"] is None})
        return {"rows": entries, "markers": markers}

    def _themes_page(self, lang: str, sp: SitePoll) -> list[Any]:
        """Per open question: how many answers touched each theme, overall and by group (the
        suppressed theme tallies the exports hold). Never an answer's own words."""
        labels = {t: label.get(lang, label["en"]) for t, (label, _) in codebook().items()}
        out = []
        for q in sp.poll.questions:
            if q.kind != "text":
                continue
            chart = self._chart(lang, sp, q, labels, "theme")
            if chart is None:
                continue
            groups = [(b, self._breakdown(lang, sp, q, b, labels)) for b in sp.poll.breakdowns]
            out.append((q, chart, groups))
        return out

    def _said_did(self, lang: str, sp: SitePoll) -> dict[str, Any] | None:
        """The worker's "You said, we did" in this language (else the other one, marked as
        such), rendered safely (``render_markdown``)."""
        text_lang = lang if sp.said_did.get(lang) else next(iter(sp.said_did), None)
        if text_lang is None:
            return None
        return {"html": render_markdown(sp.said_did[text_lang]), "lang": text_lang}

    # --- campaigns -----------------------------------------------------------------------

    def _campaign_page(self, lang: str, c: Campaign) -> Page:
        """The top issues of every poll sharing a tag, side by side (with the national list,
        when given). Each poll's own published figures, never added up: a total over polls
        minus one poll's shown count would give away another's hidden one."""
        columns = []
        partial = False
        for sp in c.polls:
            q = headline(sp.poll)
            table = self._overall(sp.results, q.id) if q else None
            entries = []
            if q is not None and table is not None and sp.results.ballots:
                labels = self._labels(q, self._poll_lang(sp, lang))
                for cell in table.cells:
                    s = shown(table, cell, sp.results.min_cell)
                    if s.hidden:
                        partial = True
                        continue
                    value = (
                        self._t(lang, "site_chart_rank_value", points=number(s.points or 0))
                        if table.kind == "rank"
                        else percent(s.share)
                    )
                    entries.append((labels.get(cell.option, cell.label), value))
            lang_of = lang if lang in sp.poll.languages() else "en"
            columns.append(
                {
                    "title": pick(sp.poll.title, lang_of),
                    "href": f"../{sp.results.code}/index.html",
                    "lang": lang_of,
                    "question": pick(q.text, lang_of) if q else "",
                    "entries": entries[:TOP_ISSUES],
                }
            )
        national = None
        if c.national is not None:
            n = c.national
            entries = []
            for issue in n.issues:
                if issue.percent is not None:
                    value = f"{issue.percent:.1f}%"
                elif issue.votes is not None:
                    value = self._t(lang, "site_campaign_votes", votes=number(issue.votes))
                else:
                    value = ""
                entries.append((pick(issue.label, lang), value))
            national = {
                "title": pick(n.title, lang),
                "lang": lang if lang in n.title else "en",
                "source": pick(n.source, lang) if n.source else "",
                "source_lang": lang if n.source and lang in n.source else "en",
                "entries": entries[:TOP_ISSUES],
            }
        depth = max(
            [len(col["entries"]) for col in columns] + [len(national["entries"]) if national else 0]
        )
        places = [self._ordinal(lang, i + 1) for i in range(depth)]
        return self._page(
            lang,
            f"{CAMPAIGNS}/{c.tag}.html",
            "campaign.html",
            campaign=c,
            columns=columns,
            national=national,
            places=places,
            partial=partial,
            title=c.tag,
        )

    # --- pages ---------------------------------------------------------------------------

    def _t(self, lang: str, key: str, /, **params: object) -> Markup:
        return Markup(self._catalog.t(lang, key, **params))

    def _page(self, lang: str, path: str, template: str, **values: Any) -> Page:
        """Render one page: its place in the folder (``lang/path``, or ``path`` for the root
        page) and its HTML."""
        root = bool(values.pop("root", False))
        target = path if root else f"{lang}/{path}"
        depth = path.count("/") + (0 if root else 1)
        up = "../" * depth
        other = "cy" if lang == "en" else "en"
        sp: SitePoll | None = values.get("sp")
        words = PollWords(sp.poll if sp else None, lang)  # the poll's own, marked (WCAG 3.1.2)
        html = self._env.get_template(template).render(
            lang=lang,
            other=other,
            up=up,
            here=path.rsplit("/", 1)[-1],
            switch=f"{up}{other}/{path}",
            t=lambda key, **p: self._t(lang, key, **p),
            tt=lambda key, **p: self._t(other, key, **p),
            root=root,  # the one page in both languages
            poll_text=words.text,  # plain: for <title> and attributes
            poll_html=words.html,  # inside the page's own sentences
            text_lang=words.lang,
            poll_lang=words.poll_lang,
            min_cell=sp.results.min_cell if sp else 0,
            downloads_dir=f"{up}{DOWNLOADS}",
            **values,
        )
        return target, html

    def render(self, polls: list[SitePoll]) -> dict[str, bytes]:
        """``pages`` as bytes, for the web server: its live pages are byte for byte the
        folder's, from the same code."""
        return {place: text.encode("utf-8") for place, text in self.pages(polls).items()}


@dataclass
class Campaign:
    """Polls that share a tag, and the national list given for it (if any)."""

    tag: str
    polls: list[SitePoll]
    national: National | None = None


def campaigns_of(polls: Sequence[SitePoll], national: Sequence[National] = ()) -> list[Campaign]:
    """A campaign per tag that two or more polls share, or that one poll shares with a
    national list (one poll alone has nothing to stand beside), in tag order."""
    by_tag: dict[str, list[SitePoll]] = {}
    for sp in polls:
        for tag in sp.poll.tags or ():
            by_tag.setdefault(tag, []).append(sp)
    lists = {n.tag: n for n in national}
    return [
        Campaign(tag, members, lists.get(tag))
        for tag, members in sorted(by_tag.items())
        if len(members) > 1 or tag in lists
    ]


class SiteService:
    """Builds the site from the store: the same suppressed Results and exports staff get."""

    def __init__(
        self,
        reports: ReportService,
        polls: PollService,
        catalog: Catalog,
        *,
        first_lang: str = "en",
    ) -> None:
        self._reports = reports
        self._polls = polls
        self._writer = SiteWriter(catalog, first_lang=first_lang)

    async def build(
        self,
        codes: list[str],
        out: Path,
        min_cell: int,
        *,
        national: Sequence[National] = (),
        said_did: dict[str, dict[str, str]] | None = None,
    ) -> list[Path]:
        """Write the pages of every poll in ``codes`` and its downloads (without free text:
        young people's own words are not published) into ``out``; a campaign page per tag
        (``national``: lists to put beside the polls of their tag); ``said_did``: poll code ->
        language -> Markdown.

        Each poll is tallied once: its pages and every download are rendered from the same
        suppressed Results (a download is the export ``markbot export`` writes, without free
        text), so the tally, not the pages, is what a big poll's build costs."""
        said_did = {code.lower(): texts for code, texts in (said_did or {}).items()}
        once(codes)
        loaded = []
        for code in codes:  # every input checked before anything is written
            found = await self._polls.by_code(code)
            if found is None:
                raise ExportError(f"no poll with code {code!r} (see 'markbot poll list')")
            loaded.append(found)
        unknown = sorted(set(said_did) - {row.code for row, _ in loaded})
        if unknown:
            raise ExportError(f"--said-did names {unknown}, not among the polls built")
        tags = {t for _, poll in loaded for t in poll.tags or ()}
        for n in national:
            if n.tag not in tags:
                raise ExportError(
                    f"the national list for {n.tag!r} has no poll with that tag "
                    "(give the poll file 'tags: [" + n.tag + "]')"
                )
            small = n.small_votes(min_cell)
            if small:
                raise ExportError(
                    f"the national list for {n.tag!r} gives fewer than {min_cell} votes for "
                    f"{', '.join(small)}; the site publishes no count under the threshold"
                )
        out.mkdir(parents=True, exist_ok=True)
        stage = out / f".markbot-build-{secrets.token_hex(4)}"  # the new build, beside the
        stage.mkdir()  # old one (on its disk): put in place only when every file is written
        try:
            polls = []
            for row, poll in loaded:
                results = await self._reports.results(row.code, min_cell)
                results = replace(results, texts=())  # never on a page, nor in a download
                downloads = download_names(results)
                for lang in LANGS:  # the Welsh pages link to Welsh downloads (downloads/cy/...)
                    localised = in_language(results, poll, lang)
                    for fmt, name in download_names(results, lang):
                        target = stage / DOWNLOADS / name
                        target.parent.mkdir(parents=True, exist_ok=True)
                        await asyncio.to_thread(RENDERERS[fmt][1], localised, target, lang)
                polls.append(
                    SitePoll(
                        poll,
                        results,
                        poll.opens or _when(row.opens_at),
                        poll.closes or _when(row.closes_at),
                        downloads,
                        said_did.get(row.code, {}),
                    )
                )
            written = await asyncio.to_thread(self._writer.write, polls, stage, national)
            await asyncio.to_thread(_put_in_place, stage, out, [sp.results.code for sp in polls])
        finally:
            shutil.rmtree(stage, ignore_errors=True)
        return [out / path.relative_to(stage) for path in written] + [
            out / DOWNLOADS / name
            for sp in polls
            for lang in LANGS
            for _, name in download_names(sp.results, lang)
        ]

    async def pages(self, polls: list[tuple[PollRow, Poll, Results]]) -> dict[str, bytes]:
        """The site of these polls from Results already made (the web server gives staff the
        stepped figures of ReportService.staff_results, the public the published ones), as
        {path relative to the site's folder: bytes}. Downloads are named as in the folder
        (``downloads/CODE.csv``...) but not made: the web server makes one when it is asked."""
        site = [
            SitePoll(
                poll,
                results,
                poll.opens or _when(row.opens_at),
                poll.closes or _when(row.closes_at),
                download_names(results),
            )
            for row, poll, results in polls
        ]
        return await asyncio.to_thread(self._writer.render, site)


def _put_in_place(stage: Path, out: Path, codes: list[str]) -> None:
    """Move a build made in ``stage`` into ``out``: each poll's folder (and the campaigns')
    replaces the old one whole, so no page of an earlier build lingers; every other file
    (the lists of polls, the stylesheet, the downloads) replaces its old copy. Renames on one
    disk: nothing here needs room for a page."""
    folders = list(dict.fromkeys(Path(lang) / n for lang in LANGS for n in (*codes, CAMPAIGNS)))
    replaced = stage / ".replaced"  # the old folders, deleted with the stage
    replaced.mkdir()
    for i, folder in enumerate(folders):
        new, old, gone = stage / folder, out / folder, replaced / str(i)
        if old.exists():
            old.rename(gone)
        try:
            if new.exists():
                old.parent.mkdir(parents=True, exist_ok=True)
                new.rename(old)
        except OSError:
            if gone.exists() and not old.exists():
                gone.rename(old)  # the old pages back, rather than none
            raise
    skip = {replaced, *(stage / f for f in folders)}
    for path in sorted(stage.rglob("*")):
        if path.is_file() and skip.isdisjoint(path.parents):
            target = out / path.relative_to(stage)
            target.parent.mkdir(parents=True, exist_ok=True)
            path.replace(target)


def download_names(results: Results, lang: str = "en") -> list[tuple[str, str]]:
    """(format, file name under downloads/) of the downloads a poll's pages in ``lang`` link
    to, as ``build`` makes them: ``CODE.csv``... for English (addresses already shared stay as
    they were), ``cy/CODE.csv``... for Welsh, with Welsh headers and the same figures."""
    folder = "" if lang == "en" else f"{lang}/"
    return [
        (fmt, f"{folder}{results.code}{RENDERERS[fmt][0]}")
        for fmt in ("csv", "xlsx", "json", "png")
        if fmt in RENDERERS and not (fmt == "png" and results.ballots == 0)
    ]


def _when(stamp: int | None) -> datetime | None:
    return datetime.fromtimestamp(stamp, UTC) if stamp else None
