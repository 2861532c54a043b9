"""Export renderers: one function per format, each writing a Results to a file.

Every renderer takes results that are already suppressed (``services.suppression``) and prints
what ``suppression.shown`` says of each cell: a figure, or the marker that replaces it ("<5", or
"[c]"). Which figure is published, and under which marker, is decided there and nowhere else.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import re
import secrets
import textwrap
import warnings
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from prompts import load_catalog
from services.results import Cell, Results, Table
from services.suppression import SECONDARY, group_size, rule_text, shown, turnout_ballots


def _words(lang: str) -> Callable[..., str]:
    """The downloads' own headers and labels in ``lang`` (``export_*`` in prompts/): English
    for staff exports, Welsh for the downloads of the Welsh pages."""
    catalog = load_catalog()
    return lambda key, **params: catalog.plain(lang, f"export_{key}", **params)


def csv_header(ranked: bool, lang: str = "en") -> tuple[str, ...]:
    """The CSV's column names: seven, and first preferences and points when a question is
    ranked."""
    names = tuple(_words(lang)("csv_columns").split("|"))
    return names if ranked else names[:7]


CSV_HEADER = csv_header(False)
CSV_RANK = csv_header(True)[7:]  # added when the export holds a rank question


def _rule(results: Results, lang: str) -> str:
    """The suppression rule as the results state it, in ``lang``."""
    if not results.rule or lang == "en":
        return results.rule
    return rule_text(results.min_cell, lang, combined=any(t.opaque for t in results.tables))


def write_csv(results: Results, path: Path, lang: str = "en") -> None:
    """The tidy table: one row per cell, in each table's order (a rank question's by points);
    hidden figures read as their markers and a hidden count has no share. When a question is
    ranked, two more columns give first preferences and points (empty for other questions).
    ``lang`` names the columns; every value is the same in each language."""
    ranked = any(t.kind == "rank" for t in results.tables)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(csv_header(ranked, lang))
        for table in results.tables:
            for cell in table.cells:
                fig = shown(table, cell, results.min_cell)
                row = [
                    _text(results.code),
                    table.question,
                    _text(cell.label),
                    table.dimension,
                    _text(table.group_label),
                    str(fig.count),
                    "" if fig.share is None else f"{fig.share:.4f}",
                ]
                if ranked:
                    row += ["" if fig.first is None else str(fig.first)]
                    row += ["" if fig.points is None else str(fig.points)]
                writer.writerow(row)


# --- shared helpers ------------------------------------------------------------------------


# A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters an xlsx file cannot hold (openpyxl refuses the whole workbook).
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _text(value: str, *, for_csv: bool = True) -> str:
    """Text from outside (labels, young people's words) as a spreadsheet cell that is never run
    as a formula. In CSV, a risky first character gets an apostrophe (OWASP's advice); in xlsx
    the cell is typed as a string instead (``_Sheet.cell``), so only characters XML cannot hold
    are dropped."""
    if for_csv:
        return "'" + value if value.startswith(_FORMULA_START) else value
    return _NOT_IN_XML.sub("", value)


def _question_order(results: Results) -> list[tuple[str, str, str]]:
    """(id, kind, text) of every question with tables, in poll order."""
    known = {q[0]: q for q in results.questions}
    order = [q[0] for q in results.questions]
    for t in results.tables:
        if t.question not in order:
            order.append(t.question)
    with_tables = {t.question for t in results.tables}
    out = []
    for qid in order:
        if qid in with_tables:
            kind = next(t.kind for t in results.tables if t.question == qid)
            out.append(known.get(qid, (qid, kind, qid)))
    return out


def _overall(results: Results, question: str) -> Table | None:
    for t in results.tables:
        if t.question == question and not t.dimension and t.channel == "all":
            return t
    return None


def _groups(results: Results, dim: str) -> list[Table]:
    """The group tables of one breakdown: of all ballots, or one per channel when the
    breakdown is the channel itself (telegram, web, paper)."""
    overall = {(t.question, t.channel) for t in results.tables if not t.dimension}
    return [
        t
        for t in results.tables
        if t.dimension == dim and (t.channel == "all" or (t.question, t.channel) not in overall)
    ]


def _dimensions(results: Results) -> list[str]:
    """Breakdown question ids, in poll order."""
    dims = {t.dimension for t in results.tables if t.dimension}
    return [q for q, _, _ in _question_order(results) if q in dims] + sorted(
        dims - {q for q, _, _ in _question_order(results)}
    )


def _date(text: str) -> date | str:
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return text


# --- json ----------------------------------------------------------------------------------


def _respondents(table: Table, min_cell: int) -> int | None:
    """A group's size, unless it is a group withheld for being smaller than the threshold."""
    size = group_size(table, min_cell)
    return size if isinstance(size, int) else None


def _number(value: int | str | None) -> int | None:
    return value if isinstance(value, int) else None


def _marker(value: int | str | None) -> str | None:
    return value if isinstance(value, str) else None


def _cell_json(cell: Cell, table: Table, min_cell: int) -> dict[str, Any]:
    fig = shown(table, cell, min_cell)
    out: dict[str, Any] = {
        "option": cell.option,
        "label": cell.label,
        "count": _number(fig.count),
        "share": None if fig.share is None else round(fig.share, 4),
        "first": _number(fig.first),
        "points": _number(fig.points),
        "suppressed": fig.hidden,
        "shown": _marker(fig.count),
    }
    if table.kind == "rank":  # what replaces each hidden figure
        out["first_shown"] = _marker(fig.first)
        out["points_shown"] = _marker(fig.points)
    return out


def _table_json(table: Table, min_cell: int) -> dict[str, Any]:
    return {
        "question": table.question,
        "kind": table.kind,
        "dimension": table.dimension,
        "group": table.group,
        "group_label": table.group_label,
        "channel": table.channel,
        "respondents": _respondents(table, min_cell),
        "withheld": table.withheld,
        "cells": [_cell_json(c, table, min_cell) for c in table.cells],
    }


def _turnout_json(results: Results) -> dict[str, Any]:
    return {
        "by_day": [
            {
                "date": day,
                "ballots": _number(n),
                "suppressed": isinstance(n, str),
                "shown": _marker(n),
            }
            for day, n in results.turnout.by_day
        ],
        "by_group": [
            {
                "dimension": r.dimension,
                "group": r.group,
                "group_label": r.group_label,
                "ballots": None if r.suppressed else r.ballots,
                "population": r.population,
                "percent": None if r.suppressed or r.percent is None else round(r.percent, 2),
                "suppressed": r.suppressed,
            }
            for r in results.turnout.by_group
        ],
    }


def _json_parts(results: Results) -> Iterator[str]:
    def dump(value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    head = {
        "poll": results.code,
        "title": results.title,
        "generated": results.generated,
        "ballots": results.ballots,
        "min_cell": results.min_cell,
        "rule": results.rule,
        "questions": [{"id": q, "kind": k, "text": t} for q, k, t in results.questions],
    }
    if results.web_modes:  # web ballots by how they kept to one per person
        head["web_ballots_by_mode"] = {
            mode: {"ballots": n, "suppressed": n is None} for mode, n in results.web_modes
        }
    yield "{\n"
    for key, value in head.items():
        yield f"  {dump(key)}: {dump(value)},\n"
    yield '  "tables": ['
    for i, table in enumerate(results.tables):
        yield ("," if i else "") + "\n    " + dump(_table_json(table, results.min_cell))
    yield "\n  ],\n"
    yield f'  "turnout": {dump(_turnout_json(results))},\n'
    yield '  "texts": ['
    for i, text in enumerate(results.texts):
        item = {
            "question": text.question,
            "answer": text.body,
            "groups": [{"dimension": d, "group": g} for d, g in text.groups],
            "lang": getattr(text, "lang", None),
            "flagged": text.flagged,
            "review": text.review,
            "themes": list(text.themes),
        }
        yield ("," if i else "") + "\n    " + dump(item)
    yield "\n  ],\n"
    yield f'  "review_by_theme": {dump(review_by_theme(results))}\n}}\n'


def review_by_theme(results: Results) -> dict[str, int]:
    """How many answers flagged for review (worries about others or the area) touch each theme
    ("" for none), most first: what a participation worker follows up by topic."""
    counts: dict[str, int] = {}
    for text in results.texts:
        if text.review:
            for theme in text.themes or ("",):
                counts[theme] = counts.get(theme, 0) + 1
    return dict(sorted(counts.items(), key=lambda x: (-x[1], x[0])))


def write_json(results: Results, path: Path, lang: str = "en") -> None:
    """Everything, with its metadata; a hidden count is null with ``"suppressed": true``. The
    keys are the same in every language; ``lang`` gives the rule's words."""
    results = replace(results, rule=_rule(results, lang))
    with path.open("w", encoding="utf-8") as fh:
        for part in _json_parts(results):
            fh.write(part)


# --- xlsx ----------------------------------------------------------------------------------

PERCENT = "0.0%"


def _sheet_name(text: str, used: set[str]) -> str:
    """A valid, unique sheet name of at most 31 characters."""
    base = re.sub(r"[\[\]:*?/\\]", " ", text).strip().strip("'") or "Sheet"
    base = re.sub(r"\s+", " ", base)[:31].rstrip()
    name, n = base, 2
    while name.casefold() in used:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)].rstrip() + suffix
        n += 1
    used.add(name.casefold())
    return name


class _Sheet:
    """A write-only worksheet with helpers for styled cells and column widths."""

    def __init__(self, wb: Any, title: str, used: set[str], landscape: bool = False) -> None:
        self.ws = wb.create_sheet(_sheet_name(title, used))
        # printed: as wide as the page, as many pages down as it takes
        self.ws.sheet_properties.pageSetUpPr.fitToPage = True
        self.ws.page_setup.fitToWidth = 1
        self.ws.page_setup.fitToHeight = 0
        if landscape:
            self.ws.page_setup.orientation = "landscape"

    def cell(
        self, value: Any, *, bold: bool = False, fmt: str | None = None, wrap: bool = False
    ) -> Any:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Alignment, Font

        if isinstance(value, str):
            value = _text(value, for_csv=False)
        c = value if hasattr(value, "number_format") else WriteOnlyCell(self.ws, value=value)
        if isinstance(value, str):
            c.data_type = "s"  # never a formula: young people's words and labels stay text
        if bold:
            c.font = Font(bold=True)
        if fmt:
            c.number_format = fmt
        if wrap:
            c.alignment = Alignment(wrap_text=True, vertical="top")
        return c

    def row(self, values: list[Any]) -> None:
        self.ws.append([self.cell(v) if isinstance(v, str) else v for v in values])


def _widths(ws: Any, widths: list[float]) -> None:
    """Column widths (in a write-only sheet, before the first row)."""
    from openpyxl.utils import get_column_letter

    for i, w in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(i)].width = w


def _summary(
    wb: Any, results: Results, used: set[str], questions: list, w: Callable[..., str]
) -> None:
    s = _Sheet(wb, w("sheet_summary"), used)
    ranked_any = any(k == "rank" for _, k, _ in questions)
    labels = [len(c.label) for t in results.tables if not t.dimension for c in t.cells]
    _widths(s.ws, [14, max([24, *labels]) + 2, 10, 10, *([18, 10] if ranked_any else [])])
    s.ws.freeze_panes = "A2"
    s.row([s.cell(results.title or results.code, bold=True)])
    s.row([s.cell(w("poll"), bold=True), results.code])
    s.row([s.cell(w("generated"), bold=True), s.cell(_date(results.generated), fmt="yyyy-mm-dd")])
    s.row([s.cell(w("ballots"), bold=True), results.ballots])
    s.row([s.cell(w("suppression"), bold=True), s.cell(results.rule, wrap=True)])
    for mode, n in results.web_modes:
        label = w("web_codes") if mode == "codes" else w("web_open")
        s.row([s.cell(label, bold=True), n if n is not None else "[c]"])
    for qid, kind, text in questions:
        table = _overall(results, qid)
        if table is None:
            continue
        s.row([])
        s.row([s.cell(text, bold=True)])
        head = [w("rank"), w("option"), w("count"), w("share")]
        if kind == "rank":
            head += [w("first"), w("points")]
        s.row([s.cell(h, bold=True) for h in head])
        rank = 0
        for c in table.cells:
            fig = shown(table, c, results.min_cell)
            if not fig.hidden:
                rank += 1
            share = None if fig.share is None else s.cell(fig.share, fmt=PERCENT)
            values = [None if fig.hidden else rank, c.label, fig.count, share]
            if kind == "rank":
                values += [fig.first, fig.points]
            s.row(values)
        s.row([None, s.cell(w("respondents"), bold=True), group_size(table, results.min_cell)])


def _crosstab(
    wb: Any,
    results: Results,
    used: set[str],
    dim: str,
    dim_text: str,
    questions: list,
    w: Callable[..., str],
) -> None:
    """Rows: the groups and a Total; columns: the options in overall ranked order."""
    s = _Sheet(wb, w("sheet_breakdown", question=dim), used, landscape=True)
    groups = _groups(results, dim)
    widest = max((len(c.label) for t in groups for c in t.cells), default=8)
    first = max([len(t.group_label) for t in groups] + [len(dim_text), 12])
    n_opts = max((len(t.cells) for t in groups), default=0)
    _widths(s.ws, [min(first, 40) + 2, *([min(max(widest, 10), 30) + 2] * n_opts), 12])
    s.ws.freeze_panes = "B3"
    s.row([s.cell(w("breakdown", question=dim_text), bold=True)])
    s.row([s.cell(results.rule)])
    m = results.min_cell
    for qid, kind, text in questions:
        overall = _overall(results, qid)
        rows = [t for t in groups if t.question == qid]
        if overall is None or not rows:
            continue
        order = [c.option for c in overall.cells]
        labels = {c.option: c.label for c in overall.cells}
        blocks: list[tuple[str, Callable[[Table, Cell], Any], str | None]] = [
            ("block_count", lambda t, c: shown(t, c, m).count, None),
            ("block_share", lambda t, c: shown(t, c, m).share, PERCENT),
        ]
        if kind == "rank":
            blocks.append(("block_first", lambda t, c: shown(t, c, m).first, None))
            blocks.append(("block_points", lambda t, c: shown(t, c, m).points, None))
        for title, value, fmt in blocks:
            s.row([])
            s.row([s.cell(w(title, question=text), bold=True)])
            head = [dim_text, *(labels[o] for o in order), w("respondents")]
            s.row([s.cell(h, bold=True) for h in head])
            for t in [*rows, overall]:
                by = {c.option: c for c in t.cells}
                values: list[Any] = []
                for o in order:
                    v = value(t, by[o]) if o in by else ""
                    values.append(s.cell(v, fmt=fmt) if fmt and isinstance(v, float) else v)
                total = t is overall
                line = [w("total") if total else t.group_label, *values, group_size(t, m)]
                s.row([s.cell(v, bold=True) for v in line] if total else line)


def _turnout(
    wb: Any, results: Results, used: set[str], questions: list, w: Callable[..., str]
) -> None:
    s = _Sheet(wb, w("sheet_turnout"), used)
    s.ws.freeze_panes = "A2"
    _widths(s.ws, [12, 10, 4, 24, 24, 10, 12, 14])
    text = {q: t for q, _, t in questions}
    head = [
        w("date"),
        w("ballots"),
        "",
        w("breakdown_column"),
        w("group"),
        w("ballots"),
        w("population"),
        w("percent_population"),
    ]
    s.row([s.cell(h, bold=True) if h else None for h in head])
    days = list(results.turnout.by_day)
    groups = list(results.turnout.by_group)
    for i in range(max(len(days), len(groups))):
        line: list[Any] = [None] * 8
        if i < len(days):
            day, n = days[i]
            line[0], line[1] = s.cell(_date(day), fmt="yyyy-mm-dd"), n
        if i < len(groups):
            r = groups[i]
            line[3], line[4] = text.get(r.dimension, r.dimension), r.group_label
            line[5] = turnout_ballots(results, r)
            line[6] = r.population
            if r.percent is not None and isinstance(line[5], int):
                line[7] = s.cell(r.percent / 100, fmt=PERCENT)
        s.row(line)


def _free_text(
    wb: Any, results: Results, used: set[str], questions: list, w: Callable[..., str]
) -> None:
    s = _Sheet(wb, w("sheet_free_text"), used)
    s.ws.freeze_panes = "A2"
    text = {q: t for q, _, t in [*results.questions, *questions]}
    dims: list[str] = []
    for a in results.texts:
        for d, _ in a.groups:
            if d not in dims:
                dims.append(d)
    _widths(s.ws, [30, 80, 12, 30, *([20] * len(dims))])
    headers = [
        w("question"),
        w("answer"),
        w("safeguarding"),
        w("themes"),
        *(text.get(d, d) for d in dims),
    ]
    s.row([s.cell(h, bold=True) for h in headers])
    for a in results.texts:
        tags = dict(a.groups)
        s.row(
            [
                s.cell(text.get(a.question, a.question), wrap=True),
                s.cell(a.body, wrap=True),
                w("flagged") if a.flagged else w("for_review") if a.review else "",
                ", ".join(a.themes),
                *(tags.get(d, "") for d in dims),
            ]
        )
    counts = review_by_theme(results)
    if counts:
        s.row([])
        s.row([s.cell(w("review_by_theme"), bold=True), w("answers")])
        for theme, n in counts.items():
            s.row([theme or w("no_theme"), n])


def write_xlsx(results: Results, path: Path, lang: str = "en") -> None:
    """A workbook for people: a summary, one cross-tab sheet per breakdown, turnout, free text;
    its sheet names, headers and labels in ``lang``, its figures the same in each."""
    from openpyxl import Workbook

    w = _words(lang)
    results = replace(results, rule=_rule(results, lang))
    wb = Workbook(write_only=True)
    buffer = io.BytesIO()  # zipped in memory (smaller than the results it holds), so a full
    try:  # disk fails the write below, not openpyxl half-way through its sheets
        used: set[str] = set()
        questions = _question_order(results)
        texts = {q: t for q, _, t in questions}
        _summary(wb, results, used, questions, w)
        for dim in _dimensions(results):
            shown = [q for q in questions if q[0] != dim]
            _crosstab(wb, results, used, dim, texts.get(dim, dim), shown, w)
        _turnout(wb, results, used, questions, w)
        if results.texts:
            _free_text(wb, results, used, questions, w)
        wb.save(buffer)
    except BaseException:
        _discard(wb)
        raise
    with path.open("wb") as fh:
        fh.write(buffer.getbuffer())


def _discard(wb: Any) -> None:
    """Close, quietly, the sheets a failed save left open (each streams its rows to a
    temporary file, then into the workbook): otherwise each prints an "Exception ignored"
    traceback when it is collected, and its temporary file stays until the process ends."""
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        for step in (getattr(ws, "_rows", None), getattr(writer, "xf", None)):
            if step is not None:
                with contextlib.suppress(Exception):
                    step.close()
        if writer is not None:
            with contextlib.suppress(Exception):
                writer.cleanup()


# --- png -----------------------------------------------------------------------------------

CHART_WIDTH = 1200
BAR_HEIGHT = 60  # pixels per option
TITLE_WRAP = 60  # characters per title line
TITLE_LINE = 38  # pixels per title line
LABEL_WRAP = 34  # characters per line of an option's label, beside its bar
LABEL_LINE = 25  # pixels per line of a label (15 pt)


def headline(results: Results) -> Table | None:
    """The first question that is not a breakdown (choice, multi or rank), overall."""
    dims = {t.dimension for t in results.tables if t.dimension}
    candidates = [q for q, k, _ in _question_order(results) if k in ("choice", "multi", "rank")]
    for qid in [q for q in candidates if q not in dims] + candidates:
        table = _overall(results, qid)
        if table is not None:
            return table
    return None


def _title_lines(results: Results, table: Table | None) -> list[str]:
    text = {q: t for q, _, t in results.questions}
    title = (text.get(table.question, "") if table else "") or results.title or results.code
    return textwrap.wrap(_drawable(title), TITLE_WRAP) or [""]


def _label(cell: Cell) -> str:
    return textwrap.fill(_drawable(cell.label), LABEL_WRAP)


# What joins or styles an emoji (zero-width joiner, variation selectors, keycap): in the font,
# but nothing without the emoji it belonged to.
_EMOJI_GLUE = frozenset("\u200d\ufe0e\ufe0f\u20e3")


@functools.cache
def _font_chars() -> frozenset[int]:
    """The code points the chart's font (matplotlib's own DejaVu Sans) can draw."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font

    path = font_manager.findfont(font_manager.FontProperties())
    return frozenset(FT2Font(path).get_charmap())


def _drawable(text: str) -> str:
    """text without the characters the font lacks, which matplotlib draws as empty boxes: "⚽
    Sport" is drawn "Sport", not "☐ Sport" (an emoji joiner or variation selector goes with
    them). A label that is nothing but such characters stays as it is: boxes, but a bar with
    a name."""
    chars = _font_chars()
    kept = "".join(
        c for c in text if (ord(c) in chars and c not in _EMOJI_GLUE) or c in "\n\t "
    )
    kept = re.sub(r"[ \t]{2,}", " ", kept).strip()
    return kept if kept else text


def _row_heights(table: Table | None) -> list[int]:
    """Pixels of each option's row: 60, or as tall as its label (an option's full wording
    wraps to up to 6 lines, which 60 pixels would draw over its neighbours)."""
    cells = table.cells if table else ()
    return [max(BAR_HEIGHT, LABEL_LINE * (_label(c).count("\n") + 1) + 8) for c in cells]


def chart_size(results: Results) -> tuple[int, int]:
    """Pixel size of the PNG: 1200 wide, 100 + 60 per option (more for a label of 3 lines or
    more) + 38 per extra title line."""
    table = headline(results)
    bars = sum(_row_heights(table)) or BAR_HEIGHT
    return CHART_WIDTH, 100 + bars + TITLE_LINE * (len(_title_lines(results, table)) - 1)


def write_png(results: Results, path: Path, lang: str = "en") -> None:
    """A ranked bar chart of the headline question, readable on a phone and in a report; its
    notes in ``lang``. Every text is drawn as written (``parse_math=False``: matplotlib would
    read "$...$" in a label as TeX, and fail on some)."""
    from matplotlib.figure import Figure

    w = _words(lang)
    table = headline(results)
    width, height = chart_size(results)
    cells = list(table.cells) if table else []
    rank = table is not None and table.kind == "rank"
    fig = Figure(figsize=(width / 100, height / 100), dpi=100)
    lines = _title_lines(results, table)
    top = 14 + TITLE_LINE * len(lines) + 38  # pixels above the bars: title and the n line
    fig.text(
        0.02,
        1 - 16 / height,
        "\n".join(lines),
        fontsize=22,
        weight="bold",
        va="top",
        ha="left",
        parse_math=False,
    )
    n = group_size(table, results.min_cell) if table else 0
    sub = f"n = {n} · {results.generated}" if results.generated else f"n = {n}"
    if rank:
        sub += " · " + w("chart_rank_note")
    elif table is not None and table.kind == "multi":
        sub += " · " + w("chart_multi_note")
    figs = [shown(table, c, results.min_cell) for c in cells] if table else []
    # the figure on each bar: points for a rank question, else the share (and count)
    markers = {f.points if rank else f.count for f in figs if f.hidden}
    if f"<{results.min_cell}" in markers:
        sub += " · " + w("chart_small", marker=f"<{results.min_cell}", m=results.min_cell)
    if SECONDARY in markers:
        sub += " · " + w("chart_secondary", marker=SECONDARY)
    fig.text(
        0.02,
        1 - (top - 10) / height,
        sub,
        fontsize=15,
        color="#444444",
        va="bottom",
        parse_math=False,
    )
    left = 0.36
    heights = _row_heights(table)
    bars_px = sum(heights) or BAR_HEIGHT
    # y in rows of 60 pixels; a taller row's bar sits in the middle of its row
    starts = [sum(heights[:i]) / BAR_HEIGHT for i in range(len(heights))]
    ys = [s + h / BAR_HEIGHT / 2 - 0.5 for s, h in zip(starts, heights, strict=True)]
    ax = fig.add_axes((left, (height - top - bars_px) / height, 0.56, bars_px / height))
    # a bar's length is its share, or its count where the shares are hidden with the size
    values = [
        0.0
        if f.hidden
        else float(c.points if rank else (c.count if f.share is None else c.share * 100))
        for c, f in zip(cells, figs, strict=True)
    ]
    xmax = max([*values, 1.0])
    ax.set_xlim(0, xmax * 1.15)
    ax.set_ylim(bars_px / BAR_HEIGHT - 0.5, -0.5) if cells else ax.set_ylim(0.5, -0.5)
    for y, c, v, f in zip(ys, cells, values, figs, strict=True):
        if f.hidden:
            ax.barh(y, xmax * 0.05, height=0.64, fill=False, hatch="///", edgecolor="#888888")
            label, at = str(f.points if rank else f.count), xmax * 0.06
        else:
            ax.barh(y, v, height=0.64, color="#1f5f99")
            label = (
                w("chart_points", points=c.points)
                if rank
                else str(c.count)
                if f.share is None
                else f"{v:.0f}%  ({c.count})"
            )
            at = v + xmax * 0.01
        ax.text(at, y, label, va="center", ha="left", fontsize=16, parse_math=False)
    ax.set_yticks(ys)
    ax.set_yticklabels([_label(c) for c in cells], fontsize=15, parse_math=False)
    ax.tick_params(axis="y", length=0)
    ax.set_xticks([])
    for side in ("top", "right", "bottom"):
        ax.spines[side].set_visible(False)
    if not cells:
        ax.set_yticks([])
    with warnings.catch_warnings():  # an emoji the font lacks is drawn as a box, quietly
        warnings.filterwarnings("ignore", r"Glyph \d+ .*missing from font", UserWarning)
        fig.savefig(path, dpi=100, format="png")


def write_whole(
    render: Callable[..., None], results: Results, path: Path, lang: str = "en"
) -> None:
    """``render`` into a new file beside ``path``, then put it in place: a write that fails
    (a full disk) leaves what was at ``path`` as it was (an earlier export, a page already
    published) and no part-written file. A path that is not a plain file (``/dev/stdout``, a
    pipe) is written as it is."""
    if path.exists() and not path.is_file():
        render(results, path, lang)
        return
    part = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
    try:
        part.touch(exist_ok=False)  # an ordinary new file: the folder's usual permissions
        render(results, part, lang)
        part.replace(path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


# Each renderer is called as render(results, path) for English, or with lang="cy".
RENDERERS: dict[str, tuple[str, Callable[..., None]]] = {
    "csv": (".csv", write_csv),
    "json": (".json", write_json),
    "xlsx": (".xlsx", write_xlsx),
    "png": (".png", write_png),
}
