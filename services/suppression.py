"""Small-number suppression: what may be published from a poll's results.

The tables of one question are linked two-way tables. For each breakdown (a *family*: same
question, same breakdown question, same channel) the group tables are the rows and the options
the columns; the overall table gives the column totals and each group's respondents the row
totals ('Prefer not to say' and withheld groups are rows too; people who skipped the breakdown
make one more, unpublished row). A choice question's cells add up to the respondents along a
row, every question's cells add up to the overall count down a column, and a choice question's
overall counts add up to its respondents. A reader can do these sums, so hiding a small count is
not enough: it must not be possible to work it out again.

The rule (``min_cell`` = m > 0):

1. Primary: a count below m is hidden and shown as "<m", with its share. A rank question's cell
   publishes its count, first preferences and points together, and from them a reader works
   out how many put it 1st, 2nd and 3rd (a 2nd place is points - count - 2 x first of a top
   3): the cell is a unit, shown or hidden whole, and hidden when any of these counts per
   place is between 1 and m-1 (``small_cell``; with more than 3 places each is taken as
   published, which is safe but hides more). A breakdown group with fewer than m respondents
   is withheld: every figure in it is hidden.
   Complements: a multi or rank option (a theme tally too) is a yes/no question of its own,
   and how many did NOT tick, rank or mention it, its row's respondents less its count (in
   the overall table the question's respondents), is a count of people a reader works out by
   one subtraction ("Transport 14 of 15 answered": one did not). ONS-style disclosure control
   treats both sides of a binary count alike, so a count whose complement is between 1 and
   m-1 is hidden too (``small_complement``), and shown "[c]" when it is m or more (the
   marker stays true of the count). A choice count needs no such rule: its complement is the
   sum of its row's other cells, protected as they are. A zero complement (everyone ticked
   it) is published, as a zero may be worked out (below); ``protect_zeros`` protects it too.
2. Secondary: more figures are hidden, shown as "[c]", until every hidden count below m that is
   above zero (and every hidden figure of a withheld group, zeros included), and every hidden
   count whose complement is between 1 and m-1 (``_spare``), can take at least two values that
   agree with everything published (the row's size being published, a count with two values
   gives its complement two). "Published" is taken generously: the shown figures, every
   group's size (even a withheld group's: it follows from the others' respondents and
   shares), and what the markers say ("<m" is 0..m-1, a "[c]" count is m or
   more). Markers are chosen in one place (``shown``) and are true of the figure they stand
   for: "<m" only on a count (or first preferences) below m, "[c]" on any other hidden figure;
   points are never "<m" (4 people can give 12 points).
3. Last resort: when nothing else protects a small count above zero (or a small complement),
   the whole breakdown of that question is withheld (its figures then show "[c]", bounded
   only by the group sizes). If even that fails (in tiny polls, e.g. when every respondent
   chose one option) the count is listed in ``Plan.unprotected`` and a warning is logged.

How (2) is checked, exactly rather than by counting hidden cells per row: a family is a network
(row node -> column node, one arc per cell; a hub joins the rows whose sums are not known). Any
other non-negative integer table that agrees with the published figures differs from the true
one by cycles of hidden cells, so a hidden figure can take another value iff some cycle through
it can be pushed one unit within everyone's bounds: a path back from its head to its tail (or
the reverse) in the residual network. A count kept for its complement's sake is checked as a
small count is; a rank count moves with any of its places, so it is pinned only when it is
pinned in every place (and is then fixed in the place that holds most of it). The overall
counts are shared by all families of a question, so a cycle that changes them (for choice, +1
on one hidden overall count and -1 on another; for multi and rank also +-1 on one) is used
only if every other family can absorb the same change. The overall table is a row of its own
(this protects a single small overall count where its counts add up).

What a row adds up to (``_row_range``): a choice row to its respondents. A multi row holds from
1 to ``max`` ticks per respondent. A rank question is checked place by place (one network per
place, the cell's figure being how many put it there; its count, first preferences and points
all follow from these): first places add up to the respondents, and a row has no more 2nd
places than 1st and no fewer than 3rd. A row at either end of what it could hold (everyone
ticked all they may, or just one; everyone in it ranked a 2nd place) is taken as known, since a
reader may know it from the ballot or how it was run: then, when everyone answers in full,
every row adds up to a known multiple of its size. A change in one place moves the cell's count
too, so it stays within the count's marker and the row's size. A cycle found in one place, with
the others as they are, is a whole other table of counts per place that agrees with every
published figure, points and first preferences included; so the check is sound, if cautious (it
does not look for changes in two places at once).

When a hidden figure can be worked out, the cheapest cycle through it is hidden (a shortest path
in which a shown cell costs its count and a hidden one nothing), and everything is checked again
until nothing changes. Overall counts are hidden only smallest first (the smallest shown one,
then the two smallest, ...), so the overall counts that stay shown keep their true ranks. A
breakdown question's own counts are group sizes (public, above), so they are only protected as
a table of their own. Age-by-area and area-by-age are the same counts and are hidden alike.

Group sizes and counts of answers. A breakdown's group sizes add up to its ballots, and how many
of each group answered a question (an optional one's fewer than the group) add up to the
question's respondents: each is a table of its own (``sizes_table``), checked with the same
plan, and a size hidden there is hidden everywhere (the group's tables withheld, its count in
the breakdown's own table and in turnout hidden). A group cannot answer more often than it has
members, so sizes and counts are then checked together, exactly (``_Respondents``: the hidden
sizes add up to the total less the shown ones, and every hidden small size or count must keep
two values). Where every group's count of a question is hidden and the published sizes still
pin a small one (groups of 12, 10 and 8, of whom 12, 10 and 4 answered: 26 needs the third's
"<5" to be 4), more sizes of that breakdown are hidden, one at a time (the pinned group's, then
the smallest shown), until none is pinned: a reader then knows only what the hidden sizes add
up to (the 10 and the 8 hold 18: 14-16 may have 13 members who all answered, and 17-18 5, one of
whom did). Left, and logged ("the respondents of ... could still be worked out"): a count its
own question's sum and markers pin with no size involved (two groups "<5" and 8 answers: both
4), or one that every size of the breakdown hidden still pins (groups of 6, 5 and 5, all "[c]",
add up to 16, so none has more than 6: 15 answers with two "[c]" counts leave the "<5" at 4);
sizes are not hidden for nothing then. Only hiding the question's respondents, and every
breakdown that adds up to them, would close these; that is not done.

Every group of a breakdown (but those refused at the door) has its tables, whether or not
anyone in it answered (``build_results``): were a table there only when someone was in it, a
reader would know that its "<m" is 1..m-1, where the rule counts on 0..m-1 (two such groups
of a question 2 answered: both 1). An empty group's tables are published withheld, like a
small group's, but every check leaves them out, as if a reader knew they were empty: they
never cover a small count. The most a hidden group can hold is what the sizes' sum leaves it
(``_size_caps``).

Deliberate limits: a hidden zero in a group of m or more may be worked out (6 of a group of 6
chose one option, so the others are 0: that much is shown anyway); ``protect_zeros=True``
protects those too (counts per place included), at the cost of hiding more. Not checked:
combinations of three or more breakdowns; breakdowns within one channel (online by age). A
split by channel (tables of dimension 'channel', groups telegram, web and paper) is a family like
any other: telegram + web + paper = all.

Hidden cells are moved after the shown ones (in label order): ordered by size they would tell
which is bigger. Free-text answers lose the tags of groups with fewer than m ballots, and of
pairs of groups that fewer than m people share.
"""

from __future__ import annotations

import heapq
import itertools
import logging
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from prompts import load_catalog
from services.results import (
    Cell,
    Results,
    Table,
    TextAnswer,
    TurnoutRow,
    place_counts,
    small_cell,
)

log = logging.getLogger(__name__)

SECONDARY = "[c]"  # a figure hidden so that a small one cannot be worked out
BIG = 1 << 40  # no upper bound

TableKey = tuple[str, str, str, str]  # question, dimension, group, channel
CellKey = tuple[TableKey, str]  # table, option
Layer = tuple[str, int]  # ("count", 0), or ("place2", 2): how many put an option 2nd


def table_key(t: Table) -> TableKey:
    return (t.question, t.dimension, t.group, t.channel)


def marker(cell: Cell, min_cell: int, table: Table | None = None) -> str:
    """What a hidden count is shown as: ``<m`` when it is below the threshold, else ``[c]``.

    In a withheld group every figure is ``<m`` when the group is smaller than m, and ``[c]``
    (saying nothing of its size) when a whole breakdown was withheld. In an ``opaque`` table
    (a combined ranking) every hidden figure is ``[c]``, saying nothing of its size: its
    count adds up several polls' own, some hidden there, and "<m" or "[c]" on the sum would
    bound them (1 and 4 hidden as "<5" in two polls, each at most 1 and 4 by its own table:
    "[c]", 5 or more, on their sum would pin both).
    """
    if table is not None and table.opaque:
        return SECONDARY
    if table is not None and table.withheld:
        return f"<{min_cell}" if table.respondents < min_cell else SECONDARY
    return f"<{min_cell}" if cell.count < min_cell else SECONDARY


@dataclass(frozen=True, slots=True)
class Shown:
    """What is published of one cell: each figure, or the marker that replaces it.

    Decided here only; renderers (CSV, JSON, Excel, chart, and web pages) just format it. A
    marker describes the figure it stands for: ``<m`` only on a count of people below m (a
    hidden cell's count, and its first preferences, which are no more than its count); every
    other hidden figure is ``[c]``, including the points of a small count (points are not a
    count of people: 4 people can give 12 points). A hidden share is ``None`` (left blank), and
    so is every share of a table whose respondents are hidden (``size_hidden``).
    """

    count: int | str
    share: float | None
    first: int | str | None  # None: not a rank question
    points: int | str | None
    hidden: bool


def shown(table: Table, cell: Cell, min_cell: int) -> Shown:
    """The published figures of one cell of a suppressed table (see ``Shown``)."""
    rank = table.kind == "rank"
    if not cell.suppressed:
        return Shown(
            cell.count,
            None if table.size_hidden else cell.share,  # count / share would give the size
            cell.first if rank else None,
            cell.points if rank else None,
            False,
        )
    count = marker(cell, min_cell, table)
    return Shown(count, None, count if rank else None, SECONDARY if rank else None, True)


def group_size(table: Table, min_cell: int) -> int | str:
    """A table's respondents as published: a group withheld for being smaller than the
    threshold shows ``<m``, and so does a question fewer than m answered (an optional one: its
    respondents are a count like any other); a group whose size its breakdown's own table
    hides shows that table's marker; every other size is shown (a withheld whole
    breakdown's too). A combined ranking's hidden size is ``[c]``, whatever it is (``opaque``:
    see ``marker``)."""
    if min_cell > 0 and table.opaque and table.size_hidden:
        return SECONDARY
    if min_cell > 0 and 0 < table.respondents < min_cell:
        return f"<{min_cell}"
    if min_cell > 0 and (table.size_hidden or table.withheld):
        if table.respondents < min_cell:
            return f"<{min_cell}"
        if table.size_hidden:
            return SECONDARY
    return table.respondents


def turnout_ballots(results: Results, row: TurnoutRow) -> int | str:
    """A group's ballots in turnout as published: they are its count in the breakdown
    question's own table, so they are published as that table publishes them (its marker,
    "<m" or "[c]", when hidden there); a group the table lacks keeps turnout's primary rule.
    One rule for every place turnout is shown (the site, Excel)."""
    m = results.min_cell
    ballots: int | str = f"<{m}" if row.suppressed and m > 0 else row.ballots
    table = next(
        (
            t
            for t in results.tables
            if t.question == row.dimension and not t.dimension and t.channel == "all"
        ),
        None,
    )
    cell = next((c for c in table.cells if c.option == row.group), None) if table else None
    if table is not None and cell is not None:
        published = shown(table, cell, m)
        if published.hidden:
            ballots = published.count
    return ballots


def rule_text(min_cell: int, lang: str = "en", *, combined: bool = False) -> str:
    """The suppression rule in plain words (``prompts/``: ``export_rule``), written into every
    export; English unless a download is made for the Welsh pages. ``combined``: a combined
    ranking, whose every hidden figure is ``[c]`` (``Table.opaque``), says so."""
    catalog = load_catalog()
    if min_cell <= 0:
        return catalog.plain(lang, "export_rule_none")
    rule = catalog.plain(lang, "export_rule", m=min_cell, secondary=SECONDARY)
    if combined:
        rule += " " + catalog.plain(lang, "export_rule_combined", m=min_cell, secondary=SECONDARY)
    return rule


# --- the model -----------------------------------------------------------------------------


@dataclass
class _Family:
    """One breakdown of one question: the group tables are the rows."""

    dimension: str
    rows: list[Table]


@dataclass
class _Question:
    """One question in one channel: its overall table and its families."""

    overall: Table
    families: list[_Family]
    breakdown: bool  # the question is itself a breakdown: its counts are group sizes

    @property
    def layers(self) -> list[Layer]:
        """The counts checked: a rank question's counts per place (its count, first
        preferences and points all follow from them), anything else's counts."""
        if self.overall.kind == "rank":
            return [(f"place{p}", p) for p in range(1, self.overall.places + 1)]
        return [("count", 0)]


@dataclass
class _Fig:
    """One figure of a family network: an arc tail -> head carrying ``value``."""

    tail: int
    head: int
    value: int
    lo: int
    hi: int
    key: CellKey | None  # the table cell (None: a derived 'not stated' figure)
    hidden: bool
    cost: int  # what hiding it costs (its count); 0 when hidden already
    count: int = 0  # the cell's count (the value itself for a derived figure)
    small: bool = False  # in a group below the threshold: even a zero must not be pinned
    size: int = 0  # its row's respondents (the complement of a multi or rank count: size - count)


@dataclass
class _Net:
    rows: int
    cols: int
    figs: list[_Fig]
    row_sums: list[int]
    # what a reader knows of each row's sum: (lo, hi); a row with room has an arc to and from
    # the hub (lo == hi: the row adds up to a known total)
    row_range: list[tuple[int, int]]

    @property
    def hub(self) -> int:
        return self.rows + self.cols

    def col(self, j: int) -> int:
        return self.rows + j

    def arcs(self, with_cost: bool, skip: int = -1) -> list[list[tuple[int, int, tuple]]]:
        """Residual arcs: node -> [(to, cost, tag)]; shown figures only ``with_cost``."""
        adj: list[list[tuple[int, int, tuple]]] = [[] for _ in range(self.hub + 1)]
        for i, f in enumerate(self.figs):
            if i == skip or not (f.hidden or with_cost):
                continue
            if f.value < f.hi:
                adj[f.tail].append((f.head, f.cost, ("f", i)))
            if f.value > f.lo:
                adj[f.head].append((f.tail, f.cost, ("f", i)))
        for r, (lo, hi) in enumerate(self.row_range):
            if self.row_sums[r] < hi:
                adj[self.hub].append((r, 0, ("r", r)))
            if self.row_sums[r] > lo:
                adj[r].append((self.hub, 0, ("r", r)))
        return adj


@dataclass(frozen=True)
class _Delta:
    """A change to a question's hidden overall counts: +1 on ``up``, -1 on ``down``.

    ``None`` is the hub (the free sum of a multi or rank question's counts). In a family
    network the change is the arc col(up) -> col(down); a family absorbs it when it has a
    path back from col(down) to col(up).
    """

    up: int | None
    down: int | None


@dataclass
class Plan:
    """Which cells to hide and which groups to withhold."""

    hidden: set[CellKey] = field(default_factory=set)
    withheld: set[TableKey] = field(default_factory=set)
    # whole breakdowns withheld as a last resort: (question, dimension, channel)
    families: set[tuple[str, str, str]] = field(default_factory=set)
    # hidden figures that could still be worked out: (layer, cell, value), or ("complement",
    # cell, count) for a count whose small complement could; zeros, except in the rare tables
    # where not even a withheld breakdown helps (logged as a warning)
    unprotected: list[tuple[str, CellKey | None, int]] = field(default_factory=list)


def _path(
    adj: list[list[tuple[int, int, tuple]]],
    src: int,
    dst: int,
    extra: Sequence[tuple[int, int, int, tuple]] = (),
) -> tuple[int, list[tuple]] | None:
    """Cheapest path src -> dst (Dijkstra); ``extra`` arcs are (from, to, cost, tag)."""
    more: dict[int, list[tuple[int, int, tuple]]] = {}
    for a, b, c, tag in extra:
        more.setdefault(a, []).append((b, c, tag))
    best = {src: 0}
    back: dict[int, tuple[int, tuple]] = {}
    heap = [(0, 0, src)]
    n = 0
    while heap:
        d, _, u = heapq.heappop(heap)
        if d > best.get(u, BIG):
            continue
        if u == dst:
            tags: list[tuple] = []
            while u != src:
                u, tag = back[u]
                tags.append(tag)
            return d, tags[::-1]
        for v, c, tag in (*adj[u], *more.get(u, ())):
            nd = d + c
            if nd < best.get(v, BIG):
                best[v] = nd
                back[v] = (u, tag)
                n += 1
                heapq.heappush(heap, (nd, n, v))
    return None


class _Protector:
    def __init__(self, tables: Iterable[Table], min_cell: int, protect_zeros: bool) -> None:
        self.m = min_cell
        self.protect_zeros = protect_zeros
        self.plan = Plan()
        tables = list(tables)
        self.tables = tables
        dims = {t.dimension for t in tables if t.dimension}
        overall = {(t.question, t.channel): t for t in tables if not t.dimension}
        fams: dict[tuple[str, str, str], list[Table]] = {}
        # each group table's family: (question, dimension, channel of the overall table)
        self.family_of: dict[TableKey, tuple[str, str, str]] = {}
        for t in tables:
            if not t.dimension:
                continue
            # a split by channel (dimension 'channel', groups telegram, web, paper, each with its
            # own channel) adds up to the overall table of all ballots
            channel = t.channel if (t.question, t.channel) in overall else "all"
            if (t.question, channel) in overall:
                fams.setdefault((t.question, channel, t.dimension), []).append(t)
                self.family_of[table_key(t)] = (t.question, t.dimension, channel)
        self.questions: dict[tuple[str, str], _Question] = {}
        for (q, ch), t in overall.items():
            families = [
                _Family(d, rows) for (fq, fch, d), rows in fams.items() if (fq, fch) == (q, ch)
            ]
            self.questions[(q, ch)] = _Question(t, families, q in dims)
        # age-by-area and area-by-age are the same counts
        self.twins: dict[CellKey, CellKey] = {}
        for t in tables:
            if t.dimension and t.dimension in dims and t.question in dims:
                for c in t.cells:
                    self.twins[(table_key(t), c.option)] = (
                        (t.dimension, t.question, c.option, t.channel),
                        t.group,
                    )
        self.skip: set[tuple] = set()
        self.touched: set[tuple[str, str]] = set()  # questions changed by a withheld breakdown

    # --- primary ---------------------------------------------------------------------------

    def primary(self) -> None:
        for t in self.tables:
            key = table_key(t)
            withheld = bool(t.dimension) and t.respondents < self.m
            if withheld:
                self.plan.withheld.add(key)
            for c in t.cells:
                if withheld or small_cell(t, c, self.m, self.protect_zeros):
                    self.plan.hidden.add((key, c.option))
        self._sync_twins()

    def _sync_twins(self) -> set[tuple[str, str]]:
        touched = set()
        for key, twin in self.twins.items():
            if key in self.plan.hidden and twin not in self.plan.hidden:
                self.plan.hidden.add(twin)
                touched.add((twin[0][0], twin[0][3]))
        return touched

    # --- bounds and networks ---------------------------------------------------------------

    def _value(self, q: _Question, c: Cell, layer: Layer) -> int:
        """A cell's figure in a layer: its count, or how many put it in one place."""
        if layer[1] == 0:
            return c.count
        return place_counts(c, q.overall.places)[layer[1] - 1]

    def _placed(self, q: _Question, cells: Iterable[Cell]) -> list[int]:
        """How many of a row's answers hold each place (rank questions): 1st, 2nd, ..."""
        n = q.overall.places
        out = [0] * n
        for c in cells:
            for p, v in enumerate(place_counts(c, n)):
                out[p] += v
        return out

    def _row_range(
        self, q: _Question, layer: Layer, size: int, total: int, placed: Sequence[int]
    ) -> tuple[int, int]:
        """What a reader knows of a row's sum in a layer (the other layers as they are).

        A choice row adds up to its respondents, and so do a rank row's first places. A multi
        row holds from ``least`` to ``most`` answers per respondent. A rank row has no more
        2nd places than 1st (nobody has a 2nd choice without a 1st), and no fewer than 3rd.
        A row at either end of what it could hold (everyone ticked all they may, or just one;
        everyone in it has a 2nd place) may be known to a reader, from the ballot's wording or
        how it was run: its total is taken as known. So when everyone answers in full every
        row adds up to a known multiple of its size, as a choice row does."""
        t = q.overall
        place = layer[1]
        if t.kind == "choice" or 0 < place <= max(t.least, 1):
            return total, total
        if place == 0:
            lo, hi = t.least * size, (t.most or len(t.cells)) * size
        else:
            lo, hi = 0, size
        if total <= lo or total >= hi:
            return total, total
        if place:
            hi = placed[place - 2]
            lo = placed[place] if place < len(placed) else 0
        return min(lo, total), max(hi, total)

    def _bounds(
        self, c: Cell, layer: Layer, value: int, cap: int, withheld: bool = False
    ) -> tuple[int, int]:
        """What a reader knows of a hidden figure from its count's marker and its row's size;
        a count per place moves with the cell's count (the other places as they are)."""
        if withheld:  # no marker: anything up to the group's size
            lo, hi = 0, cap
        elif c.count < self.m:
            lo, hi = 0, self.m - 1
        else:
            lo, hi = self.m, BIG
        hi = min(hi, max(cap, lo))
        if layer[1] == 0:
            return lo, hi
        return max(0, value - (c.count - lo)), value + max(hi - c.count, 0)

    def _needs(self, value: int, small: bool = False) -> bool:
        """Must this hidden figure keep two possible values? Small counts must (a zero only in
        a small group); a count of m or more hidden to protect them need not."""
        if value >= self.m:
            return False
        return value >= 1 or small or self.protect_zeros

    def _spare(self, q: _Question, count: int, size: int, small: bool = False) -> bool:
        """Must this hidden count keep two values for its complement's sake? How many of its
        row did not tick (rank) a multi or rank option, ``size - count``, is a count of people
        too, protected like one (``_needs``). Not asked where the count is protected anyway
        (below m, or in a group below the threshold: a count with two values gives its
        complement two), nor of a choice count, whose complement is the sum of the other
        cells in its row, which the row's network protects already."""
        if q.overall.kind not in ("multi", "rank") or small or count < self.m:
            return False
        return self._needs(size - count)

    def _net(self, q: _Question, fam: _Family, layer: Layer) -> _Net:
        options = [c.option for c in q.overall.cells]
        rows = len(fam.rows)
        figs: list[_Fig] = []
        col_sums = [0] * len(options)
        counts = [0] * len(options)  # the cells' counts, down each column
        placed = [0] * (q.overall.places if layer[1] else 0)
        row_sums, ranges = [], []
        for r, t in enumerate(fam.rows):
            by = {c.option: c for c in t.cells}
            total = 0
            for j, o in enumerate(options):
                c = by.get(o)
                if c is None:
                    continue
                v = self._value(q, c, layer)
                total += v
                col_sums[j] += v
                counts[j] += c.count
                key = (table_key(t), o)
                hidden = key in self.plan.hidden
                withheld = table_key(t) in self.plan.withheld
                lo, hi = self._bounds(c, layer, v, t.respondents, withheld)
                small = t.respondents < self.m
                figs.append(
                    _Fig(
                        r,
                        rows + j,
                        v,
                        lo,
                        hi,
                        key,
                        hidden,
                        0 if hidden else c.count,
                        c.count,
                        small,
                        t.respondents,
                    )
                )
            row_sums.append(total)
            mine = self._placed(q, t.cells) if placed else []
            placed = [a + b for a, b in zip(placed, mine, strict=True)]
            ranges.append(self._row_range(q, layer, t.respondents, total, mine))
        # people in the question but in no group of the breakdown ('not stated')
        values = [self._value(q, c, layer) for c in q.overall.cells]
        gap = [v - s for v, s in zip(values, col_sums, strict=True)]
        gap_total = q.overall.respondents - sum(t.respondents for t in fam.rows)
        has_gap = all(g >= 0 for g in gap) and (any(g > 0 for g in gap) or gap_total > 0)
        if has_gap:
            small = 0 < gap_total < self.m
            for j, g in enumerate(gap):
                room = max(gap_total - (q.overall.cells[j].count - counts[j]), 0)
                figs.append(
                    _Fig(rows, rows + 1 + j, g, 0, g + room, None, True, 0, g, small, gap_total)
                )
            row_sums.append(sum(gap))
            left = (
                [a - b for a, b in zip(self._placed(q, q.overall.cells), placed, strict=True)]
                if placed  # places are only counted for rank questions
                else []
            )
            ranges.append(self._row_range(q, layer, gap_total, sum(gap), left))
            rows += 1
            for f in figs[: len(figs) - len(gap)]:
                f.head += 1
        return _Net(rows, len(options), figs, row_sums, ranges)

    def _overall(self, q: _Question, layer: Layer) -> list[tuple[int, int, int, bool, int]]:
        """(value, lo, hi, hidden, count) of each overall count."""
        key = table_key(q.overall)
        out = []
        for c in q.overall.cells:
            v = self._value(q, c, layer)
            lo, hi = self._bounds(c, layer, v, q.overall.respondents)
            out.append((v, lo, hi, (key, c.option) in self.plan.hidden, c.count))
        return out

    def _deltas(self, q: _Question, layer: Layer, also: Sequence[int] = ()) -> list[_Delta]:
        """Every one-step change to the hidden overall counts that their bounds allow (with
        ``also``: only the changes that involve those shown counts, as if they were hidden).
        A change of their sum (the hub) only within what the overall sum may be."""
        figs = self._overall(q, layer)
        total = sum(f[0] for f in figs)
        placed = self._placed(q, q.overall.cells) if layer[1] else []
        lo_t, hi_t = self._row_range(q, layer, q.overall.respondents, total, placed)
        hidden = [j for j, f in enumerate(figs) if f[3] or j in also]
        out = []
        for j in hidden:
            v, lo, hi, _, _ = figs[j]
            for k in hidden:
                if k != j and v < hi and figs[k][0] > figs[k][1]:
                    out.append(_Delta(j, k))
            if v < hi and total < hi_t:
                out.append(_Delta(j, None))
            if v > lo and total > lo_t:
                out.append(_Delta(None, j))
        if also:
            out = [d for d in out if d.up in also or d.down in also]
        return out

    @staticmethod
    def _ends(net: _Net, d: _Delta) -> tuple[int, int]:
        """The delta as an arc a -> b in ``net``."""
        a = net.hub if d.up is None else net.col(d.up)
        b = net.hub if d.down is None else net.col(d.down)
        return a, b

    # --- checks ----------------------------------------------------------------------------

    def _absorb(
        self, q: _Question, layer: Layer, nets: list[_Net], deltas: list[_Delta], with_cost: bool
    ) -> list[list[tuple[int, list[tuple]] | None]]:
        """For each family and delta: the cheapest path that absorbs it (None: none)."""
        out = []
        for net in nets:
            adj = net.arcs(with_cost)
            row = []
            for d in deltas:
                a, b = self._ends(net, d)
                row.append(_path(adj, b, a))
            out.append(row)
        return out

    def _extra(
        self,
        net: _Net,
        deltas: list[_Delta],
        absorb: list[list[tuple[int, list[tuple]] | None]],
        family: int,
        with_cost: bool,
        kind: str = "d",
        cost0: int = 0,
    ) -> list[tuple[int, int, int, tuple]]:
        """Delta arcs usable in one family: those every other family absorbs."""
        extra = []
        for i, d in enumerate(deltas):
            cost = cost0
            for f, row in enumerate(absorb):
                if f == family:
                    continue
                found = row[i]
                if found is None or (found[0] and not with_cost):
                    break
                cost += found[0]
            else:
                a, b = self._ends(net, d)
                extra.append((a, b, cost, (kind, i)))
        return extra

    def _exposed(self, q: _Question) -> tuple | None:
        """The first hidden figure that the published figures pin down: a count per place
        above zero (``_needs``), or a count whose complement must not be pinned (``_spare``;
        exposures of these end in "c"). A rank count's complement moves with any of its
        places, so it is pinned only when it is pinned in every place; it is then fixed in
        the place that holds most of it."""
        spare: dict[tuple, tuple[bool, int, tuple]] = {}  # figure -> (free, value, exposure)

        def note(name: tuple, free: bool, value: int, exposure: tuple) -> None:
            old = spare.get(name)
            if old is None or value > old[1]:
                spare[name] = (free or (old is not None and old[0]), value, exposure)
            elif free:
                spare[name] = (True, old[1], old[2])

        for layer in q.layers:
            nets = [self._net(q, f, layer) for f in q.families]
            deltas = self._deltas(q, layer)
            linked = not q.breakdown and bool(nets)
            absorb = self._absorb(q, layer, nets, deltas, False) if linked else []
            for j, (v, _, _, hidden, count) in enumerate(self._overall(q, layer)):
                small = q.overall.respondents < self.m
                if not hidden:
                    continue
                tag = ("o", q.overall.question, q.overall.channel, layer, j)
                need = self._needs(v, small) and tag not in self.skip
                comp = (
                    self._spare(q, count, q.overall.respondents, small)
                    and (*tag, "c") not in self.skip
                )
                if not (need or comp):
                    continue
                ok = False
                for i, d in enumerate(deltas):
                    if j in (d.up, d.down) and (
                        not linked or all(row[i] is not None and not row[i][0] for row in absorb)
                    ):
                        ok = True
                        break
                if need and not ok:
                    return ("overall", layer, j)
                if comp:
                    note(("o", j), ok, v, ("overall", layer, j, "c"))
            for fi, net in enumerate(nets):
                extra = self._extra(net, deltas, absorb, fi, False) if linked else []
                for i, f in enumerate(net.figs):
                    if not f.hidden:
                        continue
                    tag = ("i", q.overall.question, q.overall.channel, layer, fi, f.key, i)
                    need = self._needs(f.value, f.small) and tag not in self.skip
                    comp = self._spare(q, f.count, f.size, f.small) and (*tag, "c") not in self.skip
                    if not (need or comp):
                        continue
                    ok = self._free(net, i, extra)
                    if need and not ok:
                        return ("inner", layer, fi, i)
                    if comp:
                        note(("i", fi, i), ok, f.value, ("inner", layer, fi, i, "c"))
        return next((exposure for free, _, exposure in spare.values() if not free), None)

    @staticmethod
    def _free(net: _Net, i: int, extra: list[tuple[int, int, int, tuple]]) -> bool:
        f = net.figs[i]
        adj = net.arcs(False, skip=i)
        up = f.value < f.hi and _path(adj, f.head, f.tail, extra) is not None
        return up or (f.value > f.lo and _path(adj, f.tail, f.head, extra) is not None)

    # --- fixes -----------------------------------------------------------------------------

    def _hide_tags(
        self,
        nets: list[_Net],
        family: int,
        tags: list[tuple],
        absorb: dict[str, list[list[tuple[int, list[tuple]] | None]]],
    ) -> None:
        """Hide the shown cells along a path, and along the paths that absorb its deltas."""
        net = nets[family]
        for tag in tags:
            if tag[0] == "f" and net.figs[tag[1]].key is not None:
                self.plan.hidden.add(net.figs[tag[1]].key)  # type: ignore[arg-type]
            elif tag[0] in absorb:
                for f, row in enumerate(absorb[tag[0]]):
                    found = row[tag[1]]
                    if f != family and found is not None:
                        self._hide_tags(nets, f, found[1], {})

    def _prefixes(self, q: _Question, layer: Layer, value: int) -> list[list[int]]:
        """Which shown overall counts may be hidden too: the smallest, then the two smallest,
        and so on (only for a count above zero), so the shown ones always keep their ranks."""
        figs = self._overall(q, layer)
        shown = sorted(
            (k for k, f in enumerate(figs) if not f[3]),
            key=lambda k: (q.overall.cells[k].count, -k),
        )
        most = len(shown) if value >= 1 else min(1, len(shown))
        return [shown[:n] for n in range(1, most + 1)]

    def _fix(self, q: _Question, exposure: tuple) -> None:
        """Hide the cheapest cycle through an exposed figure."""
        layer = exposure[1]
        nets = [self._net(q, f, layer) for f in q.families]
        linked = not q.breakdown and bool(nets)
        comp = exposure[-1] == "c"  # a count whose complement is pinned (``_spare``)
        if exposure[0] == "overall":
            self._fix_overall(q, layer, exposure[2], nets, linked, comp)
            return
        fi, i = exposure[2], exposure[3]
        net = nets[fi]
        f = net.figs[i]
        deltas = self._deltas(q, layer)
        absorb = self._absorb(q, layer, nets, deltas, True) if linked else []
        base = self._extra(net, deltas, absorb, fi, True) if linked else []
        adj = net.arcs(True, skip=i)
        overall = table_key(q.overall)
        value = max(f.value, 1) if comp else f.value  # a complement is a count above zero
        for prefix in [[], *(self._prefixes(q, layer, value) if linked else [])]:
            extra, more = list(base), []
            if prefix:
                news = self._deltas(q, layer, also=prefix)
                more = self._absorb(q, layer, nets, news, True)
                cost = sum(q.overall.cells[k].count for k in prefix)
                extra += self._extra(net, news, more, fi, True, "n", cost)
            options = []
            if f.value < f.hi:
                options.append(_path(adj, f.head, f.tail, extra))
            if f.value > f.lo:
                options.append(_path(adj, f.tail, f.head, extra))
            found = [o for o in options if o is not None]
            if found:
                _, tags = min(found, key=lambda o: o[0])
                if any(tag[0] == "n" for tag in tags):
                    self.plan.hidden.update((overall, q.overall.cells[k].option) for k in prefix)
                self._hide_tags(nets, fi, tags, {"d": absorb, "n": more})
                return
        if value >= 1 and self._withhold(q, q.families[fi]):
            return  # last resort: the whole breakdown of this question
        tag = ("i", q.overall.question, q.overall.channel, layer, fi, f.key, i)
        self.skip.add((*tag, "c") if comp else tag)
        self._unprotected(("complement", f.key, f.count) if comp else (layer[0], f.key, f.value))

    def _unprotected(self, entry: tuple[str, CellKey | None, int]) -> None:
        """Own up to a figure left pinned (a rank count's complement once, whichever of its
        places was tried)."""
        if entry[0] != "complement" or entry not in self.plan.unprotected:
            self.plan.unprotected.append(entry)

    def _withhold(self, q: _Question, fam: _Family) -> bool:
        """Withhold every group of a breakdown (and its mirror, for two breakdown questions);
        False when it is withheld already."""
        name = (q.overall.question, fam.dimension, q.overall.channel)
        if name in self.plan.families:
            return False
        names = [name, (fam.dimension, name[0], name[2])] if q.breakdown else [name]
        for question, dimension, channel in names:
            self.plan.families.add((question, dimension, channel))
            self.touched.add((question, channel))
            for t in self.tables:
                # by the family, not the table's own channel: a split by channel's tables each
                # have their group's channel (telegram, web, paper), their family "all"
                if self.family_of.get(table_key(t)) == (question, dimension, channel):
                    self.plan.withheld.add(table_key(t))
                    self.plan.hidden.update((table_key(t), c.option) for c in t.cells)
        return True

    def _fix_overall(
        self, q: _Question, layer: Layer, j: int, nets: list[_Net], linked: bool, comp: bool
    ) -> None:
        figs = self._overall(q, layer)
        v = figs[j][0]
        key = table_key(q.overall)
        rounds = [[], *self._prefixes(q, layer, max(v, 1) if comp else v)]
        for prefix in rounds:
            cost0 = sum(q.overall.cells[k].count for k in prefix)
            choices = [d for d in self._deltas(q, layer, also=prefix) if j in (d.up, d.down)]
            best: tuple[int, list] | None = None
            for d in choices:
                cost, paths = cost0, []
                for net in nets if linked else []:
                    a, b = self._ends(net, d)
                    found = _path(net.arcs(True), b, a)
                    if found is None:
                        break
                    cost += found[0]
                    paths.append(found[1])
                else:
                    if best is None or cost < best[0]:
                        best = (cost, paths)
            if best is not None:
                self.plan.hidden.update((key, q.overall.cells[k].option) for k in prefix)
                for fi, tags in enumerate(best[1]):
                    self._hide_tags(nets, fi, tags, {})
                return
        tag = ("o", q.overall.question, q.overall.channel, layer, j)
        self.skip.add((*tag, "c") if comp else tag)
        cell = q.overall.cells[j]
        self._unprotected(
            ("complement", (key, cell.option), cell.count)
            if comp
            else (layer[0], (key, cell.option), v)
        )

    # --- the loop --------------------------------------------------------------------------

    def run(self) -> Plan:
        self.primary()
        work = deque(self.questions)
        queued = set(work)
        while work:
            name = work.popleft()
            queued.discard(name)
            q = self.questions[name]
            while (exposure := self._exposed(q)) is not None:
                self._fix(q, exposure)
                touched, self.touched = self._sync_twins() | self.touched, set()
                for other in touched:
                    if other != name and other in self.questions and other not in queued:
                        work.append(other)
                        queued.add(other)
        return self.plan


def plan_suppression(
    tables: Iterable[Table], min_cell: int, *, protect_zeros: bool = False
) -> Plan:
    """Which cells to hide (primary and secondary) and which groups to withhold."""
    if min_cell <= 0:
        return Plan()
    plan = _Protector(tables, min_cell, protect_zeros).run()
    exposed = sum(1 for _, _, value in plan.unprotected if value)
    if exposed:
        log.warning(
            "%d small count(s) could still be worked out from the published figures; "
            "raise the threshold or drop a breakdown before publishing",
            exposed,
        )
    return plan


# --- applying the plan ---------------------------------------------------------------------


def _apply(t: Table, plan: Plan) -> Table:
    key = table_key(t)
    cells = [replace(c, suppressed=(key, c.option) in plan.hidden) for c in t.cells]
    # hidden cells go last, in label order: the order by count would rank them
    shown = [c for c in cells if not c.suppressed]
    hidden = sorted(
        (c for c in cells if c.suppressed), key=lambda c: (c.label.casefold(), c.option)
    )
    return replace(t, cells=(*shown, *hidden), withheld=key in plan.withheld)


def _group_sizes(tables: Sequence[Table]) -> dict[tuple[str, str], int]:
    """(breakdown question, group label) -> ballots, from the breakdown's overall table."""
    return {
        (t.question, c.label): c.count
        for t in tables
        if not t.dimension and t.channel == "all"
        for c in t.cells
    }


def _pairs(tables: Sequence[Table]) -> dict[tuple[str, str, str, str], int]:
    """(question, label, dimension, group label) -> count, from the cross-tabs."""
    return {
        (t.question, c.label, t.dimension, t.group_label): c.count
        for t in tables
        if t.dimension and t.channel == "all"
        for c in t.cells
    }


def _safe_text(
    a: TextAnswer, sizes: dict[tuple[str, str], int], pairs: dict[tuple, int], m: int
) -> TextAnswer:
    kept: list[tuple[str, str]] = []
    for dim, label in a.groups:
        if sizes.get((dim, label), 0) < m:
            continue
        crossed = [
            min(
                [pairs[k] for k in ((d, lab, dim, label), (dim, label, d, lab)) if k in pairs],
                default=0,
            )
            for d, lab in kept
        ]
        if any(n < m for n in crossed):
            continue
        kept.append((dim, label))
    return replace(a, groups=tuple(kept))


def sizes_table(
    tables: Sequence[Table], dimension: str, total: int, question: str | None = None
) -> Table | None:
    """A breakdown's group sizes as one table, for checking them as a table of their own: each
    group's size is the most respondents any of its tables has. The table adds up to the sum
    of the sizes, taken as known: the ballots in no group (outside every session, or who
    skipped the question) are never shown, but may be known from elsewhere (paper ballots by
    channel), so they are not counted on to hide anything. With ``question``: how many of
    each group answered that one question (its tables' respondents, which add up to the
    question's respondents; an optional question's are fewer than the group's size). None if
    nothing is grouped."""
    sizes: dict[str, Cell] = {}
    for t in tables:
        # a channel's tables are its own ballots alone (channel == group); the others all's
        if (
            t.dimension == dimension
            and t.channel in ("all", t.group)
            and question in (None, t.question)
        ):
            old = sizes.get(t.group)
            if old is None or t.respondents > old.count:
                share = t.respondents / total if total else 0.0
                sizes[t.group] = Cell(t.group, t.group_label, t.respondents, share)
    if not sizes:
        return None
    cells = sorted(sizes.values(), key=lambda c: (-c.count, c.label.casefold(), c.option))
    return Table(dimension, "choice", "", "", "", sum(c.count for c in cells), tuple(cells))


def _pinned_answer(answered: Table, hidden: set[str], caps: dict[str, int], m: int) -> bool:
    """Does a small hidden count of ``answered`` (how many of each group answered one
    question) have just one value a reader could give it? The reader knows the sum (the
    question's respondents), the shown counts, each hidden one's marker ("<m": 0..m-1,
    "[c]": m or more) and that no group answered more often than it has members (its size,
    known where it is published, else only its marker)."""
    bounds = {
        c.option: (0, min(m - 1, caps[c.option])) if c.count < m else (m, caps[c.option])
        for c in answered.cells
        if c.option in hidden
    }
    rest = sum(c.count for c in answered.cells if c.option in hidden)
    for c in answered.cells:
        if c.option not in hidden or not 0 < c.count < m:
            continue
        others = [b for o, b in bounds.items() if o != c.option]
        lo = max(bounds[c.option][0], rest - sum(hi for _, hi in others))
        hi = min(bounds[c.option][1], rest - sum(lo for lo, _ in others))
        if lo >= hi:
            return True
    return False


def _hidden_answers(tables: Sequence[Table], hidden: set[tuple[str, str]], m: int) -> set[TableKey]:
    """Group tables whose respondents may not be published. A group's tables of one question
    publish how many of the group answered it, and these add up to the question's
    respondents (published too): so for every question and breakdown they are a table of
    their own (``sizes_table`` with the question), as the group sizes are. Without this, an
    optional question answered by 3 of one group (withheld, "<5") and 10 of each of two more
    gave the 3 back as 23 - 10 - 10. A group cannot answer more often than it has members,
    and a reader knows its size where it is published: so while a small hidden count is
    pinned by the sizes too (26 answered, 12 shown: a "[c]" group of 10 members and a "<5"
    one hold 14, so 10 and 4), the smallest shown count is hidden as well. Where even every
    group's count hidden leaves one pinned (12, 10 and 4 of groups of 12, 10 and 8: the 26
    leave the third at least 4), ``_settle`` hides sizes. A table whose respondents are hidden
    is withheld whole (its size "[c]", or "<m")."""
    out: set[TableKey] = set()
    for question, dim in {(t.question, t.dimension) for t in tables if t.dimension}:
        answered = sizes_table(tables, dim, 0, question)
        if answered is None:
            continue
        checked = _apply(answered, plan_suppression([answered], m))
        groups = {c.option for c in checked.cells if c.suppressed}
        sizes = sizes_table(tables, dim, 0)
        caps = _size_caps(sizes, dim, hidden, m)
        shown = sorted(
            (c for c in answered.cells if c.option not in groups),
            key=lambda c: (c.count, c.label.casefold(), c.option),
        )
        while groups and shown and _pinned_answer(answered, groups, caps, m):
            groups.add(shown.pop(0).option)
        out |= {
            table_key(t)
            for t in tables
            if (t.question, t.dimension) == (question, dim)
            and t.group in groups
            and t.channel in ("all", t.group)
        }
    return out


def _size_caps(
    sizes: Table | None, dim: str, hidden: set[tuple[str, str]], m: int
) -> dict[str, int]:
    """The most members a reader can give each group: its size where shown, else the least of
    its marker's top and what the sizes' sum leaves it (a group of 0 with tables like any
    other, "<m", is 0 when the shown sizes take the whole sum)."""
    if sizes is None:
        return {}
    known = {c.option: c.count for c in sizes.cells if (dim, c.option) not in hidden}
    marks = {
        c.option: (0, m - 1) if c.count < m else (m, BIG)
        for c in sizes.cells
        if (dim, c.option) in hidden
    }
    rest = sizes.respondents - sum(known.values())
    floor = sum(lo for lo, _ in marks.values())
    return known | {g: min(hi, rest - (floor - lo)) for g, (lo, hi) in marks.items()}


def _hidden_groups(tables: Sequence[Table], total: int, m: int) -> set[tuple[str, str]]:
    """(breakdown, group) whose size may not be published. Every group table publishes its
    respondents (a choice question's cells add up to them), every group has its tables (one
    with no ballots too, withheld like a small one: see ``build_results``), and the sizes add
    up to the ballots with those who skipped
    the breakdown: so a breakdown's sizes are a table of their own (``sizes_table``), and a
    size hidden there (small, or hidden so that "total - the other groups" can't give a small
    one) is hidden everywhere, as is one its own question's table hides."""
    own = {t.question: t for t in tables if not t.dimension and t.channel == "all"}
    hidden: set[tuple[str, str]] = set()
    for dim in {t.dimension for t in tables if t.dimension}:
        if dim in own:
            hidden |= {(dim, c.option) for c in own[dim].cells if c.suppressed and c.count}
        sizes = sizes_table(tables, dim, total)
        if sizes is not None:
            checked = _apply(sizes, plan_suppression([sizes], m))
            hidden |= {(dim, c.option) for c in checked.cells if c.suppressed}
    return hidden


@dataclass
class _Respondents:
    """One breakdown's group sizes and how many of each group answered each question, as a
    reader sees them (``_respondents``): a shown figure is known, a hidden one lies within its
    marker ("<m": 0..m-1, "[c]": m or more). The hidden sizes add up to the sizes' total less
    the shown ones, each question's counts to its respondents in the breakdown (both taken as
    known), and no group answers a question more often than it has members."""

    m: int
    sizes: dict[str, int]  # every group's size (the truth)
    free: dict[str, tuple[int, int]]  # hidden sizes: their markers' bounds
    budget: int  # what the hidden sizes add up to
    # question -> group -> (count, lo, hi, shown); a group without a table answered 0
    counts: dict[str, dict[str, tuple[int, int, int, bool]]]
    steps: int = 0

    def _fits(self, over: dict[tuple[str, str], tuple[int, int]]) -> bool | None:
        """Do the published figures allow a table with the figures in ``over`` (("", group):
        a hidden size; (question, group): a hidden count) within the bounds given? None when
        the search gives up (taken as no)."""
        self.steps = 0
        lo_c = {g: over.get(("", g), b)[0] for g, b in self.free.items()}
        hi_c = {g: min(over.get(("", g), b)[1], self.budget) for g, b in self.free.items()}
        needs: list[tuple[int, list[tuple[str, int]]]] = []
        for q, cells in self.counts.items():
            low = most = 0
            room: list[tuple[str, int]] = []
            for g, (v, lo, hi, shown) in cells.items():
                lo, hi = (v, v) if shown else over.get((q, g), (lo, hi))
                low += lo
                if g in self.free:
                    lo_c[g] = max(lo_c[g], lo)
                    room.append((g, hi))
                elif min(hi, self.sizes[g]) < lo:
                    return False
                else:
                    most += min(hi, self.sizes[g])
            total = sum(v for v, *_ in cells.values())
            if low > total:
                return False
            if total > most:
                needs.append((total - most, room))
        if any(lo_c[g] > hi_c[g] for g in self.free):
            return False
        if not sum(lo_c.values()) <= self.budget <= sum(hi_c.values()):
            return False
        # a size above every count it caps helps no question: search up to that, and give
        # the rest of the budget to any group with room (more room only helps)
        use = {
            g: min(hi_c[g], max([lo_c[g], *(hi for n in needs for h, hi in n[1] if h == g)]))
            for g in self.free
        }
        order = list(self.free)
        left = [sum(lo_c[g] for g in order[i:]) for i in range(len(order) + 1)]

        def go(i: int, spent: int, covered: list[int]) -> bool:
            self.steps += 1
            if self.steps > 200_000:
                raise _GiveUp
            for (need, room), got in zip(needs, covered, strict=True):
                more = sum(min(hi, use[g]) for g, hi in room if g in order[i:])
                if got + min(more, self.budget - spent) < need:
                    return False
            if i == len(order):
                return True
            g = order[i]
            for c in range(min(use[g], self.budget - spent - left[i + 1]), lo_c[g] - 1, -1):
                mine = [
                    got + sum(min(hi, c) for h, hi in room if h == g)
                    for (_, room), got in zip(needs, covered, strict=True)
                ]
                if go(i + 1, spent + c, mine):
                    return True
            return False

        try:
            return go(0, 0, [0] * len(needs))
        except _GiveUp:
            return None

    def _alone(self, key: tuple[str, str], value: int, lo: int, hi: int) -> bool:
        """Can the figure take another value by its own table's sum and markers alone (a
        question's counts with no size known, or the sizes)?"""
        q, g = key
        if q:
            cells = self.counts[q]
            rest = sum(v for v, *_ in cells.values())
            others = [(v, v) if s else (a, b) for h, (v, a, b, s) in cells.items() if h != g]
        else:
            rest = self.budget
            others = [b for h, b in self.free.items() if h != g]
        rest -= sum(a for a, _ in others)
        top = sum(b - a for a, b in others)
        return max(lo, rest - top) < min(hi, rest)

    def pinned(self) -> list[tuple[tuple[str, str], bool]]:
        """The hidden small counts (and sizes) with one possible value: (("", group) or
        (question, group), pinned by its own sum and markers alone)."""
        out = []
        targets = [(("", g), self.sizes[g], *b) for g, b in self.free.items()]
        targets += [
            ((q, g), v, lo, hi)
            for q, cells in self.counts.items()
            for g, (v, lo, hi, shown) in cells.items()
            if not shown
        ]
        for key, value, lo, hi in targets:
            if not 0 < value < self.m:
                continue
            if not self._alone(key, value, lo, hi):
                out.append((key, True))
                continue
            if self._near(key, value, lo, hi):
                continue
            if lo < value and self._fits({key: (lo, value - 1)}):
                continue
            if value < hi and self._fits({key: (value + 1, hi)}):
                continue
            out.append((key, False))
        return out

    def _holds(self, caps: dict[str, int], over: dict[tuple[str, str], tuple[int, int]]) -> bool:
        """Do the counts fit these sizes (every count of every question within its bounds and
        its group's size, adding up to its question's total)?"""
        for q, cells in self.counts.items():
            low = most = 0
            for g, (v, lo, hi, shown) in cells.items():
                lo, hi = (v, v) if shown else over.get((q, g), (lo, hi))
                hi = min(hi, caps[g])
                if hi < lo:
                    return False
                low, most = low + lo, most + hi
            if not low <= sum(v for v, *_ in cells.values()) <= most:
                return False
        return True

    def _near(self, key: tuple[str, str], value: int, lo: int, hi: int) -> bool:
        """A quick witness that a figure can take another value: a count one more or less
        with every size as it is, or a hidden size one more or less and another one less or
        more. (False: none found this way; ``_fits`` searches them all.)"""
        q, g = key
        if q:
            return any(
                self._holds(self.sizes, {key: (v, v)})
                for v in (value - 1, value + 1)
                if lo <= v <= hi
            )
        for other, (olo, ohi) in self.free.items():
            n = self.sizes[other]
            for d in (-1, 1):
                if other != g and lo <= value + d <= hi and olo <= n - d <= ohi:
                    caps = {**self.sizes, g: value + d, other: n - d}
                    if self._holds(caps, {}):
                        return True
        return False


class _GiveUp(Exception):
    """The search for another table took too long."""


def _respondents(
    tables: Sequence[Table],
    dim: str,
    hidden: set[tuple[str, str]],
    answers: set[TableKey],
    m: int,
) -> _Respondents | None:
    """What a reader knows of a breakdown's sizes and counts of answers (``_Respondents``),
    once the sizes in ``hidden`` and the tables in ``answers`` are withheld."""
    sizes = sizes_table(tables, dim, 0)
    if sizes is None:
        return None
    true = {c.option: c.count for c in sizes.cells}
    free = {g: (0, m - 1) if n < m else (m, BIG) for g, n in true.items() if (dim, g) in hidden}
    best: dict[tuple[str, str], Table] = {}
    for t in tables:
        if t.dimension == dim and t.channel in ("all", t.group):
            old = best.get((t.question, t.group))
            if old is None or t.respondents > old.respondents:
                best[(t.question, t.group)] = t
    counts: dict[str, dict[str, tuple[int, int, int, bool]]] = {}
    for (q, g), t in sorted(best.items()):
        n = t.respondents
        if (dim, g) in hidden or table_key(t) in answers:
            published: int | str = f"<{m}" if n < m else SECONDARY
        else:
            published = group_size(t, m)
        if isinstance(published, int):
            counts.setdefault(q, {})[g] = (n, n, n, True)
        else:
            counts.setdefault(q, {})[g] = (n, *((0, m - 1) if n < m else (m, BIG)), False)
    budget = sum(true[g] for g in free)
    return _Respondents(m, true, free, budget, counts)


def _by_sizes(found: list[tuple[tuple[str, str], bool]]) -> int:
    """How many pinned figures the sizes pin (not their own sums and markers alone)."""
    return sum(1 for _, alone in found if not alone)


def _settle(
    tables: Sequence[Table], hidden: set[tuple[str, str]], m: int
) -> tuple[set[tuple[str, str]], set[TableKey]]:
    """The group sizes and tables of answers to withhold, checked together (``_Respondents``).
    Where every group's count of a question is hidden and the published sizes still pin a
    small one (groups of 12, 10 and 8; 12, 10 and 4 of them answered: 26 leave the third at
    least 4), more sizes of that breakdown are hidden, one at a time (the pinned group's
    first, then the smallest shown), until none is pinned. A hidden size is hidden
    everywhere (``_withhold``, ``_hide_sizes``), so the reader knows only what the hidden ones
    add up to, and a "[c]" group may hold more answers. Hiding more never shows anything new:
    the checks made before still hold. A count pinned by its own question's sum and markers
    alone (two groups "<5" and 8 answers: both 4) no size can help, and where every size
    hidden leaves as much pinned none is hidden more; these are logged."""
    Settled = tuple[set[tuple[str, str]], set[TableKey], list[tuple[tuple[str, str], bool]]]

    def pinned_in(dim: str, hidden: set[tuple[str, str]], answers: set[TableKey]) -> Settled:
        model = _respondents(tables, dim, hidden, answers, m)
        return hidden, answers, model.pinned() if model else []

    answers = _hidden_answers(tables, hidden, m)
    left: dict[str, list[tuple[tuple[str, str], bool]]] = {}
    for dim in sorted({t.dimension for t in tables if t.dimension}):
        hidden, answers, found = before = pinned_in(dim, hidden, answers)
        sizes = sizes_table(tables, dim, 0)
        while sizes is not None and _by_sizes(found):
            pinned = {g for (_, g), alone in found if not alone}
            order = sorted(
                (c for c in sizes.cells if (dim, c.option) not in hidden),
                key=lambda c: (c.option not in pinned, c.count, c.label.casefold(), c.option),
            )
            if not order:
                break
            # one more hidden size that is enough, if there is one; else the first in order,
            # and go on
            trials = (
                pinned_in(dim, trial, _hidden_answers(tables, trial, m))
                for trial in (hidden | {(dim, c.option)} for c in order)
            )
            first = next(trials)
            hidden, answers, found = next(
                (t for t in itertools.chain([first], trials) if not _by_sizes(t[2])), first
            )
        if _by_sizes(found) >= _by_sizes(before[2]):
            # even every size hidden leaves as much pinned: the sizes' markers and total pin
            # it (groups of 6, 5 and 5, all "[c]", add up to 16, so none has more than 6);
            # hiding them would cost figures for nothing
            hidden, answers, found = before
        left[dim] = found
    for dim, found in left.items():
        for question in sorted({q for (q, _), _ in found if q}):
            log.warning("the respondents of %s by %s could still be worked out", question, dim)
        if any(not q and not alone for (q, _), alone in found):
            log.warning("the group sizes of %s could still be worked out", dim)
    return hidden, answers


def _withhold(t: Table) -> Table:
    cells = sorted(
        (replace(c, suppressed=True) for c in t.cells), key=lambda c: (c.label.casefold(), c.option)
    )
    return replace(t, cells=tuple(cells), withheld=True, size_hidden=True)


def _hide_sizes(t: Table, hidden: set[tuple[str, str]]) -> Table:
    """A breakdown question's own table with every hidden group size hidden in it too."""
    if t.dimension or not any((t.question, c.option) in hidden for c in t.cells):
        return t
    cells = [
        replace(c, suppressed=c.suppressed or (t.question, c.option) in hidden) for c in t.cells
    ]
    shown = [c for c in cells if not c.suppressed]
    rest = sorted((c for c in cells if c.suppressed), key=lambda c: (c.label.casefold(), c.option))
    return replace(t, cells=(*shown, *rest))


def _hide_twins(tables: tuple[Table, ...]) -> tuple[Table, ...]:
    """Age by area and area by age are the same counts: a cell hidden in one (a group
    withheld for its size) is hidden in the other."""
    hidden = {
        (t.question, t.dimension, t.group, t.channel, c.option)
        for t in tables
        if t.dimension
        for c in t.cells
        if c.suppressed
    }
    out = []
    for t in tables:
        twins = {
            c.option
            for c in t.cells
            if t.dimension
            and not c.suppressed
            and (t.dimension, t.question, c.option, t.channel, t.group) in hidden
        }
        if twins:
            cells = [replace(c, suppressed=c.suppressed or c.option in twins) for c in t.cells]
            shown = [c for c in cells if not c.suppressed]
            rest = sorted(
                (c for c in cells if c.suppressed), key=lambda c: (c.label.casefold(), c.option)
            )
            t = replace(t, cells=(*shown, *rest))
        out.append(t)
    return tuple(out)


def _days(by_day: tuple[tuple[str, int | str], ...], m: int) -> tuple[tuple[str, int | str], ...]:
    """Ballots per day as published. A day is a group of ballots like any other (a school's
    visit on its day would give that session's size away), so a day below m is "<m" and
    another is hidden ("[c]") where the total would give it away, as a breakdown's sizes are
    (``sizes_table``). One day is the number of ballots, published anyway."""
    counts = [(day, n) for day, n in by_day if isinstance(n, int)]
    if len(counts) < 2 or len(counts) != len(by_day):
        return by_day
    total = sum(n for _, n in counts)
    cells = tuple(Cell(day, day, n, n / total) for day, n in counts)
    days = Table("ballots-by-day", "choice", "", "", "", total, cells)
    table = _apply(days, plan_suppression([days], m))
    hidden = {c.option: marker(c, m, table) for c in table.cells if c.suppressed}
    # Only days someone voted on are listed, so a reader knows a listed "<m" is 1..m-1, where
    # the plan counts on 0..m-1 (10, "<5" and "<5" of 12 ballots: one each). More days are
    # hidden, smallest first, until every small one can take two values.
    while _day_pinned(counts, hidden, m):
        rest = [(n, day) for day, n in counts if day not in hidden]
        if not rest:
            log.warning("the ballots of a small day could still be worked out")
            break
        hidden[min(rest)[1]] = SECONDARY
    return tuple((day, hidden.get(day, n)) for day, n in counts)


def _day_pinned(counts: Sequence[tuple[str, int]], hidden: dict[str, str], m: int) -> bool:
    """Does the total pin a hidden day below m, each listed day having 1 or more ballots? The
    hidden days add up to the total less the shown ones; a small one ("<m") holds 1..m-1, a
    "[c]" one m or more."""
    left = sum(n for day, n in counts if day in hidden)
    small = [day for day in hidden if hidden[day] != SECONDARY]
    big = len(hidden) - len(small)
    if not small:
        return False
    # one small day's range, the others at their least and then at their most
    most = min(m - 1, left - (len(small) - 1) - big * m)
    least = 1 if big else max(1, left - (len(small) - 1) * (m - 1))
    return most <= least


def apply_suppression(results: Results, *, protect_zeros: bool = False) -> Results:
    """The results as they may be published: small counts hidden, the rule written down."""
    m = results.min_cell
    if m <= 0:
        return replace(results, rule=rule_text(m))
    # A group's table none of whom answered is published withheld, as a small one is (so a
    # table's being there says nothing), but left out of every check: a reader is taken to
    # know it is empty, so it never hides a small count (its "<m" is no cover).
    empty = {table_key(t) for t in results.tables if t.dimension and not t.respondents}
    live = [t for t in results.tables if table_key(t) not in empty]
    plan = plan_suppression(live, m, protect_zeros=protect_zeros)
    tables = tuple(_apply(t, plan) for t in live)
    hidden, answers = _settle(tables, _hidden_groups(tables, results.ballots, m), m)
    done = {
        table_key(t): t
        for t in _hide_twins(
            tuple(
                _withhold(t)
                if (t.dimension, t.group) in hidden or table_key(t) in answers
                else _hide_sizes(t, hidden)
                for t in tables
            )
        )
    }
    tables = tuple(
        _withhold(t) if table_key(t) in empty else done[table_key(t)] for t in results.tables
    )
    web_modes = results.web_modes
    if ("channel", "web") in hidden:  # codes + open = web: hidden with the web's size
        web_modes = tuple((mode, None) for mode, _ in web_modes)
    turnout = replace(
        results.turnout,
        by_day=_days(results.turnout.by_day, m),
        by_group=tuple(
            replace(r, suppressed=r.suppressed or r.ballots < m) for r in results.turnout.by_group
        ),
    )
    sizes, pairs = _group_sizes(results.tables), _pairs(results.tables)
    texts = tuple(_safe_text(a, sizes, pairs, m) for a in results.texts)
    return replace(
        results,
        tables=tables,
        turnout=turnout,
        texts=texts,
        rule=rule_text(m),
        web_modes=web_modes,
    )


__all__ = [
    "SECONDARY",
    "Plan",
    "Shown",
    "apply_suppression",
    "group_size",
    "marker",
    "plan_suppression",
    "rule_text",
    "shown",
    "small_cell",
    "table_key",
    "turnout_ballots",
]
