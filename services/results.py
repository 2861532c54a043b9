"""Tallies: ranked counts and shares per question, overall and per breakdown group.

The store does the counting in SQL; this module ranks, labels and suppresses small numbers.
- choice: ballots choosing each option; share of the question's respondents.
- multi: selections per option; share of respondents who chose it (shares add up past 100%).
- rank: how many ranked it at all (count, share), first preferences, and Borda points
  (N for a first place, N-1 for a second, ... with N the number of places); ranked by points.
  Each cell also keeps how many put it in each place (``places``): suppression needs them,
  since a cell's count, first preferences and points together give them away (up to 3 places).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields, is_dataclass, replace
from types import UnionType
from typing import Any, get_args, get_origin, get_type_hints

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
    places: tuple[int, ...] = ()  # rank questions: how many put it 1st, 2nd, ... (not exported)


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
    channel: str = "all"  # 'all' (every channel together), 'telegram', 'web' or 'paper'
    withheld: bool = False  # a group smaller than the threshold: no figures shown at all
    size_hidden: bool = False  # the group's size is hidden in its breakdown's own table too
    opaque: bool = False  # every hidden figure shows [c], whatever its size (a combined ranking)
    least: int = 1  # options one respondent picks or ranks at least (theme tallies: 0)
    most: int = 0  # ... and at most (0: as many as there are options); a rank's places

    @property
    def places(self) -> int:
        """How many places a rank question has (how many options one answer can hold)."""
        return self.most or len(self.cells)


def place_counts(cell: Cell, places: int) -> tuple[int, ...]:
    """How many put a rank question's option 1st, 2nd, ...: kept by ``build_results``, else
    worked out from its count, first preferences and points, as a reader could (which is
    exact up to 3 places: a 2nd place is points - count - 2 x first of a top 3)."""
    if cell.places:
        return cell.places
    first = cell.first
    if places <= 1:
        return (cell.count,)
    if places == 2:
        return (first, cell.count - first)
    if places == 3:
        second = cell.points - cell.count - 2 * first
        return (first, second, cell.count - first - second)
    raise ValueError(f"option {cell.option!r}: the counts per place are needed for {places} places")


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
    # (YYYY-MM-DD, ballots, or the marker that replaces a hidden count: "<5", "[c]")
    by_day: tuple[tuple[str, int | str], ...] = ()
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
    # Web ballots by how they kept to one per person: ("codes", n), ("open", n); None where
    # hidden (either below the threshold hides both, as web = codes + open is published).
    web_modes: tuple[tuple[str, int | None], ...] = ()


def small_complement(table: Table, cell: Cell, min_cell: int, protect_zeros: bool = False) -> bool:
    """Is how many did NOT tick (rank, mention) a multi or rank option, the table's
    respondents less its count, between 1 and ``min_cell`` - 1 (with ``protect_zeros``, 0 too)?
    Each such option is a yes/no question of its own, so that count is worked out by one
    subtraction: "Transport 14 of 15 answered" says one person did not. A choice question's
    complement is the sum of its other cells, which are protected as they are."""
    if table.kind not in ("multi", "rank"):
        return False
    rest = table.respondents - cell.count
    return rest < min_cell and (rest > 0 or protect_zeros)


def small_cell(table: Table, cell: Cell, min_cell: int, protect_zeros: bool = False) -> bool:
    """Primary suppression: is a count below the threshold published with this cell?

    Its count, and for a rank question every count per place: from a shown cell's count, first
    preferences and points a reader works out how many put it 1st, 2nd and 3rd (a 2nd place is
    points - count - 2 x first of a top 3), so a cell is shown only when each of them is 0 or
    at least ``min_cell`` (with ``protect_zeros``, at least ``min_cell``). With more than 3
    places not every count per place follows from one cell, but with the row's totals some
    may: each is taken as published.

    And for a multi or rank question (theme tallies too) its complement, how many of the
    table's respondents did not tick (rank, mention) it (``small_complement``)."""
    if cell.count < min_cell or small_complement(table, cell, min_cell, protect_zeros):
        return True
    if table.kind != "rank":
        return False
    return any(v < min_cell and (v > 0 or protect_zeros) for v in place_counts(cell, table.places))


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
        ranks = tuple(by_rank.get(r, 0) for r in range(1, places + 1)) if q.kind == "rank" else ()
        cells.append(Cell(o.id, pick(o.label, lang), total, share, first, points, places=ranks))
    if q.kind == "rank":
        cells.sort(key=lambda c: (-c.points, -c.first, order[c.option]))
    else:
        cells.sort(key=lambda c: (-c.count, order[c.option]))
    return tuple(cells)


def suppress_table(table: Table, min_cell: int) -> Table:
    """Primary suppression: counts below ``min_cell`` are hidden (their shares too), and
    rank cells whose counts per place are (see ``small_cell``)."""
    if min_cell <= 0:
        return table
    cells = tuple(replace(c, suppressed=small_cell(table, c, min_cell)) for c in table.cells)
    return replace(table, cells=cells)


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
        most = q.limit
        tables.append(
            Table(q.id, q.kind, "", "", "", n, _cells(q, overall[q.id], n, lang), most=most)
        )
        for dim in (*poll.breakdowns, *extra_breakdowns):
            if dim.id == q.id:
                continue
            for group in dim.options:
                # every group has its tables, those none of whom answered too: were a group's
                # tables there only when one of it answered, a reader would know that a "<5"
                # there is 1..4, where the rule counts on 0..4 (two such groups and 2 answers:
                # both 1). Not a group refused at the door (no ballots by design).
                if group.id in dim.ineligible:
                    continue
                n = respondents.get((q.id, dim.id, group.id), 0)
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
                        most=most,
                    )
                )
    return Results(
        code,
        pick(poll.title, lang),
        data.ballots,
        min_cell,
        tuple(suppress_table(t, min_cell) for t in tables),
    )


CHANNELS = ("telegram", "web", "paper")  # how a ballot came in: ballots.channel


def split_channels(data: TallyData, ballots: dict[str, int]) -> dict[str, TallyData]:
    """One tally per channel, from one tally grouped by channel: web and paper ballots carry
    ``channel=web`` / ``channel=paper`` in their groups, and Telegram is everything else.
    ``ballots`` is the number of ballots per channel (from the ballots themselves)."""
    parts: dict[str, dict[tuple[str, str, int | None], int]] = {
        c: defaultdict(int) for c in CHANNELS if c != "telegram"
    }
    answered: dict[str, dict[str, int]] = {c: defaultdict(int) for c in parts}
    for g in data.groups:
        if g.dimension == "channel" and g.group in parts:
            parts[g.group][(g.question, g.option, g.rank)] += g.count
    for r in data.respondents:
        if r.dimension == "channel" and r.group in answered:
            answered[r.group][r.question] += r.count
    out: dict[str, TallyData] = {}
    for channel, options in parts.items():
        out[channel] = TallyData(
            ballots=ballots.get(channel, 0),
            options=[OptionCount(q, o, r, n) for (q, o, r), n in options.items()],
            respondents=[Respondents(q, "", "", n) for q, n in answered[channel].items()],
        )
    taken: dict[tuple[str, str, int | None], int] = defaultdict(int)
    for options in parts.values():
        for key, n in options.items():
            taken[key] += n
    out["telegram"] = TallyData(
        ballots=ballots.get("telegram", 0),
        options=[
            OptionCount(
                o.question, o.option, o.rank, o.count - taken.get((o.question, o.option, o.rank), 0)
            )
            for o in data.options
        ],
        respondents=[
            Respondents(
                r.question,
                "",
                "",
                r.count - sum(a.get(r.question, 0) for a in answered.values()),
            )
            for r in data.respondents
            if not r.dimension
        ],
    )
    return {c: out[c] for c in CHANNELS}


def results_to_json(results: Results) -> bytes:
    """Results as JSON, to keep what staff were shown where every process can read it."""
    return json.dumps(asdict(results), ensure_ascii=False, separators=(",", ":")).encode()


def results_from_json(raw: bytes) -> Results:
    """The Results that results_to_json wrote (ValueError if it is not that)."""
    try:
        loaded = _decode(Results, json.loads(raw))
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"not stored results: {type(exc).__name__}") from None
    assert isinstance(loaded, Results)
    return loaded


def _decode(tp: Any, value: Any) -> Any:
    """JSON back into the dataclasses and tuples of Results, led by their type hints."""
    if is_dataclass(tp) and isinstance(tp, type):
        hints = get_type_hints(tp)
        return tp(**{f.name: _decode(hints[f.name], value[f.name]) for f in fields(tp)})
    args = get_args(tp)
    if get_origin(tp) is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], v) for v in value)
        return tuple(_decode(a, v) for a, v in zip(args, value, strict=True))
    if isinstance(tp, UnionType):
        if value is None:
            return None
        return _decode(next(a for a in args if a is not type(None)), value)
    return value
