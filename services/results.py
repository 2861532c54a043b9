"""Tallies: ranked counts and shares per question, overall and per breakdown group.

The store does the counting in SQL; this module ranks, labels and suppresses small numbers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from services.pollfile import Poll, Question, pick
from storage.records import TallyData


@dataclass(frozen=True, slots=True)
class Cell:
    """One option's count in one table, before or after suppression."""

    option: str  # option id
    label: str
    count: int
    share: float
    suppressed: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """One question's tally: overall (dimension '') or within one breakdown group."""

    question: str
    dimension: str  # breakdown question id, '' for overall
    group: str  # breakdown option id, '' for overall
    group_label: str
    respondents: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True, slots=True)
class Results:
    code: str
    title: str
    ballots: int
    min_cell: int
    tables: tuple[Table, ...]


def _ranked(q: Question, counts: dict[str, int], respondents: int, lang: str) -> tuple[Cell, ...]:
    order = {o.id: i for i, o in enumerate(q.options)}
    cells = [  # ineligible options end the journey, so they can never have a count
        Cell(
            o.id,
            pick(o.label, lang),
            counts.get(o.id, 0),
            counts.get(o.id, 0) / respondents if respondents else 0.0,
        )
        for o in q.options
        if o.id not in q.ineligible
    ]
    cells.sort(key=lambda c: (-c.count, order[c.option]))
    return tuple(cells)


def _suppress(table: Table, min_cell: int) -> Table:
    if min_cell <= 0:
        return table
    cells = tuple(
        Cell(c.option, c.label, c.count, c.share, suppressed=c.count < min_cell)
        for c in table.cells
    )
    return Table(
        table.question, table.dimension, table.group, table.group_label, table.respondents, cells
    )


def build_results(
    code: str, poll: Poll, data: TallyData, min_cell: int, lang: str = "en"
) -> Results:
    """Rank every choice/multi/rank question overall and within every breakdown group."""
    overall: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in data.options:
        overall[row.question][row.option] += row.count
    grouped: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for g in data.groups:
        grouped[(g.question, g.dimension, g.group)][g.option] += g.count
    respondents = {(r.question, r.dimension, r.group): r.count for r in data.respondents}

    tables: list[Table] = []
    for q in poll.questions:
        if q.kind == "text":
            continue
        n = respondents.get((q.id, "", ""), 0)
        tables.append(Table(q.id, "", "", "", n, _ranked(q, overall[q.id], n, lang)))
        for dim in poll.breakdowns:
            if dim.id == q.id:
                continue
            for group in dim.options:
                n = respondents.get((q.id, dim.id, group.id), 0)
                if n == 0:
                    continue
                counts = grouped[(q.id, dim.id, group.id)]
                tables.append(
                    Table(
                        q.id,
                        dim.id,
                        group.id,
                        pick(group.label, lang),
                        n,
                        _ranked(q, counts, n, lang),
                    )
                )
    return Results(
        code,
        pick(poll.title, lang),
        data.ballots,
        min_cell,
        tuple(_suppress(t, min_cell) for t in tables),
    )
