"""Tallies: ranked counts and shares per question, overall and per breakdown group.

The store does the counting in SQL; this module ranks, labels and suppresses small numbers.
- choice: ballots choosing each option; share of the question's respondents.
- multi: selections per option; share of respondents who chose it (shares add up past 100%).
- rank: how many ranked it at all (count, share), first preferences, and Borda points
  (N for a first place, N-1 for a second, ... with N the number of places); ranked by points.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from services.pollfile import Poll, Question, pick
from storage.records import OptionCount, Respondents, TallyData

# (option, rank) -> count, for one table
Counts = dict[tuple[str, int | None], int]


@dataclass(frozen=True, slots=True)
class Cell:
    """One option's figures in one table."""

    option: str  # option id
    label: str
    count: int
    share: float
    first: int = 0  # rank questions: first preferences
    points: int = 0  # rank questions: Borda points
    suppressed: bool = False


@dataclass(frozen=True, slots=True)
class Table:
    """One question's tally: overall (dimension '') or within one breakdown group."""

    question: str
    kind: str
    dimension: str  # breakdown question id, '' for overall
    group: str  # breakdown option id, '' for overall
    group_label: str
    respondents: int
    cells: tuple[Cell, ...]
    channel: str = "all"  # 'all' (online and paper together), 'online' or 'paper'
    withheld: bool = False  # a group smaller than the threshold: no figures shown at all


@dataclass(frozen=True, slots=True)
class TurnoutRow:
    """Ballots from one breakdown group, and the share of its population where known."""

    dimension: str
    group: str
    group_label: str
    ballots: int
    population: int | None = None
    suppressed: bool = False

    @property
    def percent(self) -> float | None:
        if not self.population:
            return None
        return 100.0 * self.ballots / self.population


@dataclass(frozen=True, slots=True)
class Turnout:
    by_day: tuple[tuple[str, int], ...] = ()  # (YYYY-MM-DD, ballots)
    by_group: tuple[TurnoutRow, ...] = ()


@dataclass(frozen=True, slots=True)
class TextAnswer:
    """One free-text answer as exported (already scrubbed when it was stored)."""

    question: str
    body: str
    groups: tuple[tuple[str, str], ...] = ()  # (breakdown question, group label)
    lang: str = "und"  # suggested language tag (services/language.py)
    flagged: bool = False  # matched a safeguarding phrase (services/safeguarding.py)
    themes: tuple[str, ...] = ()  # theme labels from the codebook (services/themes.py)
    review: bool = False  # a worry about others or the area, for review (not an alert)


@dataclass(frozen=True, slots=True)
class Results:
    code: str
    title: str
    ballots: int
    min_cell: int
    tables: tuple[Table, ...]
    generated: str = ""  # ISO date the export was made
    questions: tuple[tuple[str, str, str], ...] = ()  # (id, kind, text) in poll order
    turnout: Turnout = Turnout()
    texts: tuple[TextAnswer, ...] = ()
    rule: str = ""  # the suppression rule, in words, written into every export


def _cells(q: Question, counts: Counts, respondents: int, lang: str) -> tuple[Cell, ...]:
    order = {o.id: i for i, o in enumerate(q.options)}
    places = q.limit
    cells = []
    for o in q.options:
        if o.id in q.ineligible:  # ineligible options end the journey: never counted
            continue
        by_rank = {r: n for (oid, r), n in counts.items() if oid == o.id}
        total = sum(by_rank.values())
        first = by_rank.get(1, 0) if q.kind == "rank" else 0
        points = (
            sum((places - r + 1) * n for r, n in by_rank.items() if r is not None)
            if q.kind == "rank"
            else 0
        )
        share = total / respondents if respondents else 0.0
        cells.append(Cell(o.id, pick(o.label, lang), total, share, first, points))
    if q.kind == "rank":
        cells.sort(key=lambda c: (-c.points, -c.first, order[c.option]))
    else:
        cells.sort(key=lambda c: (-c.count, order[c.option]))
    return tuple(cells)


def suppress_table(table: Table, min_cell: int) -> Table:
    """Primary suppression: counts below ``min_cell`` are hidden (their shares too)."""
    if min_cell <= 0:
        return table
    cells = tuple(
        Cell(c.option, c.label, c.count, c.share, c.first, c.points, c.count < min_cell)
        for c in table.cells
    )
    return Table(
        table.question,
        table.kind,
        table.dimension,
        table.group,
        table.group_label,
        table.respondents,
        cells,
    )


def build_results(
    code: str,
    poll: Poll,
    data: TallyData,
    min_cell: int,
    lang: str = "en",
    extra_breakdowns: Sequence[Question] = (),
) -> Results:
    """Rank every choice/multi/rank question overall and within every breakdown group."""
    overall: dict[str, Counts] = defaultdict(lambda: defaultdict(int))
    for row in data.options:
        overall[row.question][(row.option, row.rank)] += row.count
    grouped: dict[tuple[str, str, str], Counts] = defaultdict(lambda: defaultdict(int))
    for g in data.groups:
        grouped[(g.question, g.dimension, g.group)][(g.option, g.rank)] += g.count
    respondents = {(r.question, r.dimension, r.group): r.count for r in data.respondents}

    tables: list[Table] = []
    for q in poll.questions:
        if q.kind == "text":
            continue
        n = respondents.get((q.id, "", ""), 0)
        tables.append(Table(q.id, q.kind, "", "", "", n, _cells(q, overall[q.id], n, lang)))
        for dim in (*poll.breakdowns, *extra_breakdowns):
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
                        q.kind,
                        dim.id,
                        group.id,
                        pick(group.label, lang),
                        n,
                        _cells(q, counts, n, lang),
                    )
                )
    return Results(
        code,
        pick(poll.title, lang),
        data.ballots,
        min_cell,
        tuple(suppress_table(t, min_cell) for t in tables),
    )


def split_paper(data: TallyData) -> tuple[TallyData, TallyData]:
    """(online, paper) tallies from one tally that was grouped by channel: paper ballots are
    the ``channel=paper`` group, and online is everything else."""
    paper_options: dict[tuple[str, str, int | None], int] = defaultdict(int)
    for g in data.groups:
        if g.dimension == "channel" and g.group == "paper":
            paper_options[(g.question, g.option, g.rank)] += g.count
    paper_respondents = {r.question: r.count for r in data.respondents if r.dimension == "channel"}
    paper_ballots = max(paper_respondents.values(), default=0)
    paper = TallyData(
        ballots=paper_ballots,
        options=[OptionCount(q, o, r, n) for (q, o, r), n in paper_options.items()],
        respondents=[Respondents(q, "", "", n) for q, n in paper_respondents.items()],
    )
    online = TallyData(
        ballots=data.ballots - paper_ballots,
        options=[
            OptionCount(
                o.question,
                o.option,
                o.rank,
                o.count - paper_options.get((o.question, o.option, o.rank), 0),
            )
            for o in data.options
        ],
        respondents=[
            Respondents(r.question, "", "", r.count - paper_respondents.get(r.question, 0))
            for r in data.respondents
            if not r.dimension
        ],
    )
    return online, paper
