"""Suppression against an attacker who uses every published figure of a question at once.

A rank cell publishes its count, first preferences and points together, and for up to 3 places
these give how many put the option 1st, 2nd and 3rd. When everyone answers in full (every
ballot ranks 3, every ballot ticks 2) each group's totals are known multiples of its size. The
attacker here knows all of that: the place counts of every shown cell, every group's size, the
markers ("<5" is 0..4, "[c]" a count of 5 or more), and that every row adds up in every place.
An exact integer search over the hidden place counts then shows that each hidden count below
the threshold (and each figure of a withheld group) can take more than one value.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from services.pollfile import Poll, parse_poll
from services.results import Cell, Results, Table, build_results
from services.suppression import apply_suppression, plan_suppression, table_key
from services.suppression import shown as shown_cell
from storage.records import GroupCount, OptionCount, Respondents, TallyData

PNTS = {"en": "Prefer not to say"}
M = 5

POLL = """\
code: atk
title: Attack
questions:
  - id: age
    kind: choice
    text: How old are you?
    options: [11-13, 14-16, 17-18]
    breakdown: true
  - id: area
    kind: choice
    text: Where do you live?
    options: [North, South]
    breakdown: true
  - id: one
    kind: choice
    text: Pick one
    options: [Mental health, Transport, Climate, Jobs]
  - id: two
    kind: multi
    max: 2
    text: Pick two
    options: [Parks, Buses, Clubs, Sport]
  - id: order
    kind: rank
    max: 3
    text: Put three in order
    options: [Youth work, Libraries, Bikes, Shops]
"""


@pytest.fixture
def poll() -> Poll:
    return parse_poll(POLL, "atk.yaml", PNTS)


Row = list[tuple[str, str, int | None]]


def tally(poll: Poll, ballots: list[Row]) -> TallyData:
    """What SqliteStore.tally returns for these ballots."""
    options: Counter[tuple] = Counter()
    resp: Counter[tuple] = Counter()
    groups: Counter[tuple] = Counter()
    dims = [q.id for q in poll.breakdowns]
    for b in ballots:
        options.update((q, o, r) for q, o, r in b)
        resp.update((q, "", "") for q in {q for q, _, _ in b})
        for d in dims:
            for g in {o for q, o, _ in b if q == d}:
                groups.update((q, o, r, d, g) for q, o, r in b if q != d)
                resp.update((q, d, g) for q in {q for q, _, _ in b if q != d})
    return TallyData(
        ballots=len(ballots),
        options=[OptionCount(*k, n) for k, n in options.items()],
        groups=[GroupCount(*k, n) for k, n in groups.items()],
        respondents=[Respondents(*k, n) for k, n in resp.items()],
    )


def ballot(age: str, area: str, one: str, two: tuple[str, ...], order: tuple[str, ...]) -> Row:
    return [
        ("age", age, None),
        ("area", area, None),
        ("one", one, None),
        *(("two", t, None) for t in two),
        *(("order", o, r) for r, o in enumerate(order, 1)),
    ]


# --- an exact solver -------------------------------------------------------------------------


class Unsolved(Exception):
    """The search took too long: that case proves nothing either way."""


Con = tuple[list[tuple[int, int]], int, int]  # ((variable, coefficient), ...), lo, hi


@dataclass
class Model:
    """Integer variables with bounds, and linear constraints lo <= sum(k * x) <= hi."""

    lo: list[int] = field(default_factory=list)
    hi: list[int] = field(default_factory=list)
    truth: list[int] = field(default_factory=list)
    cons: list[Con] = field(default_factory=list)

    def var(self, lo: int, hi: int, truth: int) -> int:
        self.lo.append(lo)
        self.hi.append(hi)
        self.truth.append(truth)
        return len(self.lo) - 1

    def add(self, terms: list[tuple[int, int]], lo: int, hi: int) -> None:
        self.cons.append((terms, lo, hi))

    def holds(self) -> bool:
        """The truth is a solution (else the model says something untrue)."""
        t = self.truth
        return all(lo <= h <= hi for lo, h, hi in zip(self.lo, t, self.hi, strict=True)) and all(
            lo <= sum(k * t[v] for v, k in terms) <= hi for terms, lo, hi in self.cons
        )

    def feasible(self, extra: Con, limit: int = 5_000) -> bool:
        """Is there an integer solution that also meets ``extra``? Bounds are propagated to a
        fixed point at every node (constraint by constraint, as variables change); the search
        branches on the smallest open domain, its true value first."""
        cons = [*self.cons, extra]
        watch: list[list[int]] = [[] for _ in self.lo]
        for i, (terms, _, _) in enumerate(cons):
            for v, _ in terms:
                watch[v].append(i)
        steps = 0

        def propagate(lo: list[int], hi: list[int], queue: set[int]) -> bool:
            while queue:
                i = queue.pop()
                terms, clo, chi = cons[i]
                smin = sum(k * (lo[v] if k > 0 else hi[v]) for v, k in terms)
                smax = sum(k * (hi[v] if k > 0 else lo[v]) for v, k in terms)
                if smin > chi or smax < clo:
                    return False
                for v, k in terms:
                    rest_min = smin - k * (lo[v] if k > 0 else hi[v])
                    rest_max = smax - k * (hi[v] if k > 0 else lo[v])
                    if k > 0:
                        top, bottom = (chi - rest_min) // k, -((rest_max - clo) // k)
                    else:
                        top, bottom = (clo - rest_max) // k, -((rest_min - chi) // k)
                    if top < hi[v] or bottom > lo[v]:
                        hi[v], lo[v] = min(hi[v], top), max(lo[v], bottom)
                        if lo[v] > hi[v]:
                            return False
                        queue.update(watch[v])
            return True

        def go(lo: list[int], hi: list[int], queue: set[int]) -> bool:
            nonlocal steps
            steps += 1
            if steps > limit:
                raise Unsolved
            if not propagate(lo, hi, queue):
                return False
            open_ = [v for v in range(len(lo)) if lo[v] < hi[v]]
            if not open_:
                return True
            v = min(open_, key=lambda v: hi[v] - lo[v])
            t = min(max(self.truth[v], lo[v]), hi[v])
            for a, b in ((t, t), (lo[v], t - 1), (t + 1, hi[v])):
                if a <= b:
                    nlo, nhi = list(lo), list(hi)
                    nlo[v], nhi[v] = a, b
                    if go(nlo, nhi, set(watch[v])):
                        return True
            return False

        return go(list(self.lo), list(self.hi), set(range(len(cons))))

    def other_value(self, terms: list[tuple[int, int]]) -> bool:
        """Can this figure (a sum of variables) be anything but its true value?"""
        value = sum(k * self.truth[v] for v, k in terms)
        # one way found is enough: a search that gives up one way may still succeed the other
        gave_up = False
        for lo, hi in ((-(1 << 40), value - 1), (value + 1, 1 << 40)):
            try:
                if self.feasible((terms, lo, hi)):
                    return True
            except Unsolved:
                gave_up = True
        if gave_up:
            raise Unsolved
        return False


# --- the attacker's model of one question ----------------------------------------------------


def places_of(cell: Cell, kind: str, n: int) -> list[int]:
    """A shown cell's count per place, as a reader works it out (exact up to 3 places)."""
    if kind != "rank":
        return [cell.count]
    if n == 1:
        return [cell.count]
    if n == 2:
        return [cell.first, cell.count - cell.first]
    assert n == 3
    second = cell.points - cell.count - 2 * cell.first
    return [cell.first, second, cell.count - cell.first - second]


@dataclass
class Target:
    key: tuple
    figure: str
    terms: list[tuple[int, int]]
    value: int


def attack(res: Results, question: str, places: int, full: bool) -> tuple[Model, list[Target]]:
    """Everything a reader knows of one question, as integer constraints; and the hidden
    figures that must not be pinned (small counts above zero, any figure of a small group).

    ``full``: the reader knows everyone answered in full (each ballot ranks ``places``, or
    ticks ``places``, or picks one), so every row adds up in every place."""
    m = res.min_cell
    tables = [t for t in res.tables if t.question == question and t.channel == "all"]
    overall = next(t for t in tables if not t.dimension)
    kind = overall.kind
    n = places if kind == "rank" else 1
    model = Model()
    targets: list[Target] = []
    options = [c.option for c in overall.cells]

    def cell_terms(t: Table, c: Cell) -> list[tuple[int, int]] | list[int]:
        """Variables (hidden) or known values (shown), one per place."""
        if not c.suppressed:
            return places_of(c, kind, n)
        truth = places_of(c, kind, n)  # the truth, for checking the model only
        size = t.respondents
        if t.withheld:
            lo, hi = 0, size
        elif c.count < m:
            lo, hi = 0, m - 1
        else:
            lo, hi = m, size
        vs = [model.var(0, min(size, hi), v) for v in truth]
        model.add([(v, 1) for v in vs], lo, hi)  # the count, by its marker
        small = t.respondents < m
        figures = [("count", [(v, 1) for v in vs], c.count)]
        if kind == "rank":
            figures.append(("first", [(vs[0], 1)], c.first))
            figures += [(f"place{p + 1}", [(vs[p], 1)], truth[p]) for p in range(n)]
        # counts of people below m above zero (any figure in a small group), and the points
        # of a cell that has one
        mine = [
            Target((table_key(t), c.option), name, terms, value)
            for name, terms, value in figures
            if value < m and (value > 0 or small)
        ]
        if mine and kind == "rank":
            weights = [(v, n - p) for p, v in enumerate(vs)]
            mine.append(Target((table_key(t), c.option), "points", weights, c.points))
        # a multi or rank option is a yes/no question of its own: how many did not tick (or
        # rank) it, the row's size less its count, is a count of people too
        if (
            kind != "choice"
            and 0 < size - c.count < m
            and not any(x.figure == "count" for x in mine)
        ):
            mine.append(Target((table_key(t), c.option), "complement", figures[0][1], c.count))
        targets.extend(mine)
        return [(v, 1) for v in vs]

    def grid(t: Table) -> list[list]:
        by = {c.option: c for c in t.cells}
        return [cell_terms(t, by[o]) for o in options]

    def row(t: Table, cells: list[list]) -> None:
        """Each place adds up to the answers holding it: one each, or known when in full."""
        size = t.respondents
        prev = None
        for p in range(n):
            terms: list[tuple[int, int]] = []
            known = 0
            for c in cells:
                item = c[p]
                if isinstance(item, tuple):
                    terms.append(item)
                else:
                    known += item
            if kind == "choice" or (kind == "rank" and (p == 0 or full)):
                lo = hi = size
            elif kind == "multi":  # themes: an answer may have none (``least`` 0)
                least = overall.least * size
                lo, hi = (places * size, places * size) if full else (least, places * size)
            else:
                lo, hi = 0, size
            total = model.var(lo, hi, 0)
            model.truth[total] = known + sum(model.truth[v] for v, _ in terms)
            model.add([*terms, (total, -1)], -known, -known)
            if kind == "rank" and prev is not None:
                model.add([(prev, 1), (total, -1)], 0, 1 << 40)  # 2nd places <= 1st ...
            prev = total

    top = grid(overall)
    row(overall, top)
    for dim in sorted({t.dimension for t in tables if t.dimension}):
        rows = [t for t in tables if t.dimension == dim]
        assert sum(t.respondents for t in rows) == overall.respondents  # no 'not stated'
        cells = [grid(t) for t in rows]
        for t, c in zip(rows, cells, strict=True):
            row(t, c)
        for j in range(len(options)):
            for p in range(n):
                terms, known = [], 0
                for c in cells:
                    item = c[j][p]
                    if isinstance(item, tuple):
                        terms.append(item)
                    else:
                        known += item
                over = top[j][p]
                if isinstance(over, tuple):
                    model.add([*terms, (over[0], -1)], -known, -known)
                else:
                    model.add(terms, over - known, over - known)
    assert model.holds()
    return model, targets


def pinned(res: Results, question: str, places: int, full: bool) -> list[tuple]:
    """The figures the attacker works out exactly: (cell, figure, value)."""
    model, targets = attack(res, question, places, full)
    return [(t.key, t.figure, t.value) for t in targets if not model.other_value(t.terms)]


def shown_small_complements(res: Results, question: str) -> list[tuple]:
    """Shown multi and rank counts that tell how many did not tick (or rank) an option, the
    table's respondents less the count, when that is between 1 and m - 1."""
    return [
        (table_key(t), c.option, t.respondents - c.count)
        for t in res.tables
        if t.question == question and t.kind != "choice"
        for c in t.cells
        if not c.suppressed and 0 < t.respondents - c.count < res.min_cell
    ]


def shown_small_places(res: Results, question: str, places: int) -> list[tuple]:
    """Shown rank cells whose figures tell a count per place between 1 and m - 1."""
    out = []
    for t in res.tables:
        if t.question != question:
            continue
        for c in t.cells:
            if c.suppressed:
                continue
            for p, v in enumerate(places_of(c, t.kind, places)):
                if 0 < v < res.min_cell:
                    out.append((table_key(t), c.option, p + 1, v))
    return out


# --- the cases -------------------------------------------------------------------------------

AGES = ["11-13", "14-16", "17-18"]
AREAS = ["north", "south"]
ONE = ["mental-health", "transport", "climate", "jobs"]
TWO = ["parks", "buses", "clubs", "sport"]
ORDER = ["youth-work", "libraries", "bikes", "shops"]


def random_poll(rng: random.Random, poll: Poll, n: int, full: bool) -> Results:
    w = [rng.random() ** 2 + 0.05 for _ in range(4)]

    def some(options: list[str], k: int) -> tuple[str, ...]:
        picked: list[str] = []
        while len(picked) < k:
            o = rng.choices(options, w)[0]
            if o not in picked:
                picked.append(o)
        return tuple(picked)

    ballots = [
        ballot(
            rng.choice(AGES),
            rng.choice(AREAS),
            rng.choices(ONE, w)[0],
            some(TWO, 2 if full else rng.randint(1, 2)),
            some(ORDER, 3 if full else rng.randint(1, 3)),
        )
        for _ in range(n)
    ]
    return build_results("atk", poll, tally(poll, ballots), M)


QUESTIONS = [("one", 1), ("two", 2), ("order", 3)]


def check(raw: Results, full: bool) -> int:
    """Suppress; nothing is pinned but zeros the plan owns up to. How many were searched."""
    res = apply_suppression(raw)
    plan = plan_suppression(raw.tables, raw.min_cell)
    owned = {key for _, key, value in plan.unprotected if value == 0}
    searched = 0
    for question, places in QUESTIONS:
        assert shown_small_places(res, question, places) == []
        assert shown_small_complements(res, question) == []
        try:
            found = pinned(res, question, places, full)
        except Unsolved:
            continue
        searched += 1
        assert all(value == 0 and key in owned for key, _, value in found), found
    return searched


def test_issue_example_a_second_place_of_three_is_hidden() -> None:
    """Top 3 of four, everyone ranks three. B has count 13, first 5 and points 26: 26 - 13 -
    2 x 5 = 3 put it second, a small count, though each figure alone is 5 or more. B is hidden,
    and so is C: 17 of 20 rank it, so 3 do not (a small complement); that also keeps 20 second
    places less the shown ones from giving B's 3 back (before complements were protected, D
    went, the smallest shown count)."""
    places = {"a": (15, 0, 5), "b": (5, 3, 5), "c": (0, 12, 5), "d": (0, 5, 5)}
    cells = tuple(
        Cell(o, o.upper(), sum(p), sum(p) / 20, p[0], 3 * p[0] + 2 * p[1] + p[2])
        for o, p in places.items()
    )
    assert (cells[1].count, cells[1].first, cells[1].points) == (13, 5, 26)
    raw = Results("p", "P", 20, M, (Table("q", "rank", "", "", "", 20, cells, most=3),))
    out = apply_suppression(raw).tables[0]
    assert [c.option for c in out.cells if c.suppressed] == ["b", "c"]
    assert shown_small_places(apply_suppression(raw), "q", 3) == []
    model, targets = attack(apply_suppression(raw), "q", 3, full=True)
    assert {t.figure for t in targets} == {"place2", "points", "complement"}
    assert all(model.other_value(t.terms) for t in targets)


def test_random_polls_answered_in_full(poll: Poll) -> None:
    """Every ballot ranks three and ticks two, and the attacker knows it: no hidden small count
    (nor any figure of a withheld group) can be worked out."""
    rng = random.Random(151)
    searched = sum(check(random_poll(rng, poll, rng.randint(8, 60), True), True) for _ in range(12))
    assert searched >= 30


def test_random_polls_answered_in_part(poll: Poll) -> None:
    """Ballots rank one to three and tick one or two: rows add up only as far as that goes."""
    rng = random.Random(152)
    searched = sum(
        check(random_poll(rng, poll, rng.randint(8, 60), False), False) for _ in range(12)
    )
    assert searched >= 30


def published_sizes(res: Results, dimension: str) -> dict[str, set[int | str]]:
    """Every figure any table publishes as a group's size (its respondents) in a breakdown."""
    from services.suppression import group_size

    out: dict[str, set[int | str]] = {}
    for t in res.tables:
        if t.dimension == dimension:
            out.setdefault(t.group, set()).add(group_size(t, res.min_cell))
    return out


def test_a_small_group_cannot_be_taken_from_the_total(poll: Poll) -> None:
    """Everyone answers age, so the age groups add up to the ballots (41 = 20 + 18 + 3). The
    group of 3 is withheld ("<5"); if the group of 18 still published its size in its own
    tables, 41 - 20 - 18 would give the 3. It is hidden as the age question's own table hides
    it, and withheld everywhere, so no two published sizes leave one small group over."""
    ballots = (
        [ballot("11-13", "North", "Jobs", ("Parks", "Buses"), ("Bikes", "Shops", "Libraries"))] * 20
        + [ballot("14-16", "South", "Climate", ("Clubs", "Sport"), ("Shops", "Bikes"))] * 18
        + [ballot("17-18", "South", "Transport", ("Parks",), ("Youth work",))] * 3
    )
    res = apply_suppression(build_results("atk", poll, tally(poll, ballots), M))
    sizes = published_sizes(res, "age")
    numbers = {g: {v for v in vs if isinstance(v, int)} for g, vs in sizes.items()}
    assert numbers["17-18"] == set() and sizes["17-18"] == {"<5"}
    assert numbers["14-16"] == set() and sizes["14-16"] == {"[c]"}
    assert numbers["11-13"] == {20}
    # and the 18's figures are withheld too: its cells would add up to its size
    for t in res.tables:
        if t.dimension == "age" and t.group == "14-16":
            assert t.withheld and all(c.suppressed for c in t.cells)


def test_random_polls_leave_no_small_group_to_the_total(poll: Poll) -> None:
    """For random polls: in every breakdown everyone answers, the hidden group sizes are none,
    or two or more groups together of at least the threshold (never one small one alone)."""
    rng = random.Random(7)
    for _ in range(60):
        raw = random_poll(rng, poll, rng.randint(12, 60), True)
        res = apply_suppression(raw)
        for dim in ("age", "area"):
            sizes = published_sizes(res, dim)
            true = {t.group: t.respondents for t in raw.tables if t.dimension == dim}
            hidden = [g for g, vs in sizes.items() if not any(isinstance(v, int) for v in vs)]
            left = raw.ballots - sum(true[g] for g in sizes if g not in hidden)
            assert not (len(hidden) == 1 and 0 < left < M), (dim, sizes)
            assert left == sum(true[g] for g in hidden)


def test_people_outside_a_breakdown_leave_a_gap_the_check_handles(poll: Poll) -> None:
    """6 of 40 skipped the area question: the 'not stated' row of every area family. Found by
    review: a choice or multi question's gap row crashed the check (zip of places that only
    rank questions count), so results, exports and the site failed for such a poll."""
    rng = random.Random(11)
    ballots = []
    for i in range(40):
        row = ballot(rng.choice(AGES), rng.choice(AREAS), rng.choice(ONE),
                     tuple(rng.sample(TWO, 2)), tuple(rng.sample(ORDER, 3)))  # fmt: skip
        ballots.append([a for a in row if a[0] != "area"] if i < 6 else row)
    raw = build_results("atk", poll, tally(poll, ballots), M)
    assert raw.ballots == 40
    res = apply_suppression(raw)  # raised ValueError before
    for question, places in QUESTIONS:
        assert shown_small_places(res, question, places) == []
    area = next(t for t in res.tables if t.question == "area" and not t.dimension)
    assert area.respondents == 34


def published_answered(res: Results, question: str, dimension: str) -> dict[str, int | str]:
    """What each group's table of one question publishes as its respondents: how many of the
    group answered it (an optional question's differ from the group's size)."""
    from services.suppression import group_size

    return {
        t.group: group_size(t, res.min_cell)
        for t in res.tables
        if t.question == question and t.dimension == dimension and t.channel in ("all", t.group)
    }


def skipping(rng: random.Random, poll: Poll, n: int, skip: dict[str, float]) -> Results:
    """A random poll in which each age group skips the optional question "one" at its own
    rate (``skip``: age -> chance of skipping)."""
    ballots = []
    for _ in range(n):
        age = rng.choice(AGES)
        row = ballot(age, rng.choice(AREAS), rng.choice(ONE), tuple(rng.sample(TWO, 2)),
                     tuple(rng.sample(ORDER, 3)))  # fmt: skip
        if rng.random() < skip[age]:
            row = [a for a in row if a[0] != "one"]
        ballots.append(row)
    return build_results("atk", poll, tally(poll, ballots), M)


def test_every_group_has_its_tables_so_none_says_it_is_not_empty(poll: Poll) -> None:
    """20 aged 11-13, one 14-16, one 17-18, no one "prefer not to say". Were a group's tables
    there only when someone was in it, a reader would know the two "<5" groups hold at least
    one each, and with 22 - 20 = 2 for them, exactly one each. Every group has its tables
    (the empty one withheld like the others), so the three "<5" look alike: 2, 0, 0 or 1, 0,
    1 fit as well. The rule itself still gives the empty group no cover."""
    ballots = [ballot("11-13", "North", "Jobs", ("Parks", "Buses"), ("Bikes", "Shops"))] * 20 + [
        ballot(age, "South", "Climate", ("Clubs",), ("Shops",)) for age in ("14-16", "17-18")
    ]
    raw = build_results("atk", poll, tally(poll, ballots), M)
    res = apply_suppression(raw)
    everyone = {*AGES, "prefer-not-to-say"}
    for question in ("one", "two", "order", "area"):
        groups = {t.group for t in res.tables if t.question == question and t.dimension == "age"}
        assert groups == everyone, (question, groups)
    sizes = published_sizes(res, "age")
    assert sizes["14-16"] == sizes["17-18"] == sizes["prefer-not-to-say"] == {"<5"}
    empty = [t for t in res.tables if t.dimension == "age" and t.group == "prefer-not-to-say"]
    assert all(t.withheld and all(c.suppressed for c in t.cells) for t in empty)


def random_skipping(
    poll: Poll, seed: int, n: int, caplog: pytest.LogCaptureFixture
) -> Iterator[tuple[Results, Results]]:
    """``n`` random polls (``skipping``, each age group at its own rate), raw and as
    published, with the log of each one's suppression alone in ``caplog``."""
    rng = random.Random(seed)
    for _ in range(n):
        skip = {age: rng.choice([0.0, 0.2, 0.6, 0.9]) for age in AGES}
        raw = skipping(rng, poll, rng.randint(12, 60), skip)
        caplog.clear()
        yield raw, apply_suppression(raw)


def test_a_small_group_of_answers_cannot_be_taken_from_the_question_total(poll: Poll) -> None:
    """Found by review17: 10 of each age group voted, and all of 11-13 and 17-18 answered the
    optional question "one", but only 3 of 14-16 did. The 14-16 row of "one" is withheld
    ("<5"), but the question's 23 respondents less the other groups' 10 and 10 gave the 3
    back. A question's respondents by group are checked as a table of their own, as the
    group sizes are: one more group's respondents to that question is hidden ("[c]")."""
    ballots = []
    for age, area, answered in (("11-13", "North", 10), ("14-16", "South", 3),
                                ("17-18", "South", 10)):  # fmt: skip
        for i in range(10):
            row = ballot(age, area, "Jobs", ("Parks", "Buses"), ("Bikes", "Shops", "Libraries"))
            ballots.append(row if i < answered else [a for a in row if a[0] != "one"])
    res = apply_suppression(build_results("atk", poll, tally(poll, ballots), M))
    one = next(t for t in res.tables if t.question == "one" and not t.dimension)
    assert one.respondents == 23
    answered = published_answered(res, "one", "age")
    assert answered["14-16"] == "<5"
    numbers = [v for v in answered.values() if isinstance(v, int)]
    assert len(numbers) < 2, answered  # 23 - 10 - 10 = 3 before
    # the age groups' own sizes (10 each) are not small, and stay shown
    assert published_sizes(res, "age")["14-16"] >= {10}


def answers_pinned(
    shown: dict[str, int | str], true: dict[str, int], sizes: dict[str, int], total: int
) -> list[str]:
    """The hidden small counts of one question's respondents by group that a reader pins: the
    groups add up to the question's respondents, each hidden count lies within its marker
    ("<5": 0..4, "[c]": 5 or more) and within its group's size (where it is published, else
    its marker). One sum with bounds:
    each count's range is exact."""
    hidden = [g for g, v in shown.items() if not isinstance(v, int)]
    rest = total - sum(v for v in shown.values() if isinstance(v, int))
    bounds = {
        g: (0, min(M - 1, sizes[g])) if shown[g] == f"<{M}" else (M, sizes[g]) for g in hidden
    }
    out = []
    for g in hidden:
        if not 0 < true[g] < M:
            continue
        others = [b for h, b in bounds.items() if h != g]
        lo = max(bounds[g][0], rest - sum(hi for _, hi in others))
        hi = min(bounds[g][1], rest - sum(lo for lo, _ in others))
        if lo >= hi:
            out.append(g)
    return out


def answering(poll: Poll, plan: tuple[tuple[str, int, int], ...]) -> Results:
    """The raw results of a poll where, per (age group, ballots, answered), only the first
    ``answered`` of a group's ballots answer the optional question "one"."""
    ballots = []
    for age, n, answered in plan:
        for i in range(n):
            row = ballot(age, "North", "Jobs", ("Parks", "Buses"), ("Bikes", "Shops", "Libraries"))
            ballots.append(row if i < answered else [a for a in row if a[0] != "one"])
    return build_results("atk", poll, tally(poll, ballots), M)


def test_a_small_group_of_answers_cannot_be_pinned_by_the_group_sizes(poll: Poll) -> None:
    """Found by review17 after the fix above: 14, 10 and 8 voted by age; 12, 10 and 4 of them
    answered "one" (26). With only 14-16 ("[c]") and 17-18 ("<5") hidden, they hold 26 - 12
    = 14, and as 14-16 has only 10 members (its size is published), 17-18 has at least 4:
    pinned. Hiding 11-13's 12 too lets 17-18 be 2, 3 or 4."""
    raw = answering(poll, (("11-13", 14, 12), ("14-16", 10, 10), ("17-18", 8, 4)))
    res = apply_suppression(raw)
    shown = published_answered(res, "one", "age")
    true = {
        t.group: t.respondents for t in raw.tables if t.question == "one" and t.dimension == "age"
    }
    sizes = {"11-13": 14, "14-16": 10, "17-18": 8, "prefer-not-to-say": 0}
    assert answers_pinned(shown, true, sizes, 26) == []
    # the empty "prefer not to say" is published withheld like any group (no cover, though)
    assert shown == {"11-13": "[c]", "14-16": "[c]", "17-18": "<5", "prefer-not-to-say": "<5"}


def test_random_polls_leave_no_small_group_of_answers_to_the_total(
    poll: Poll, caplog: pytest.LogCaptureFixture
) -> None:
    """Random polls with an optional question skipped more by some groups: in every breakdown
    of every question, no hidden small count of its respondents by group is pinned by the
    question's respondents, the shown counts, the markers and the group sizes. Where every
    group's count was hidden and the published sizes still pinned one, sizes are hidden now
    (5 breakdowns here were only logged before, 2 of them such). A pin is left only where no
    hiding of sizes or counts could free it (``left_pinned``: two groups "<5" and 8 answers,
    so both 4), and a warning names it."""
    found = unresolved = left = 0
    for raw, res in random_skipping(poll, 17, 60, caplog):
        for question in ("one", "two", "order", "age", "area"):
            total = next(
                t.respondents
                for t in raw.tables
                if t.question == question and not t.dimension and t.channel == "all"
            )
            for dim in ("age", "area"):
                if dim == question:
                    continue
                true = {
                    t.group: t.respondents
                    for t in raw.tables
                    if t.question == question and t.dimension == dim
                }
                own = next(
                    t for t in res.tables if t.question == dim and not t.dimension
                )  # the breakdown's own table: each group's size, or its marker
                sizes = {}
                for c in own.cells:
                    size = shown_cell(own, c, M).count
                    sizes[c.option] = (
                        size if isinstance(size, int) else M - 1 if size == f"<{M}" else 1 << 40
                    )
                shown = published_answered(res, question, dim)
                found += any(0 < true[g] < M for g in shown if not isinstance(shown[g], int))
                for g in answers_pinned(shown, true, sizes, total):
                    owned = owned_up_to(raw, res, dim, (question, g), caplog.text)
                    left, unresolved = left + owned, unresolved + (not owned)
    assert found >= 5  # the case arose
    assert unresolved == 0, unresolved  # 2 before sizes were hidden for it
    assert left <= 5, left  # 5, in 3 breakdowns


# --- the same attack on what is published, from ballots in a store ---------------------------

OPTIONAL_POLL = """\
code: optional-2026
title: Optional questions
questions:
  - id: area
    kind: choice
    text: Where do you live?
    options: [North, South]
    breakdown: true
  - id: extra
    kind: choice
    optional: true
    text: Anything else?
    options: [Parks, Buses]
  - id: why
    kind: text
    optional: true
    text: Why?
"""
# (area, channel, answers "extra", writes "why", ballots): 12 of 14 Telegram ballots, all 10
# web ones and 4 of the 8 paper ones answer "extra" (26: with Telegram's 12 shown, web (10
# ballots) and paper ("<5") would hold 14, so 10 and 4), and 3 in the South write an answer
# (12 + 3 = 15)
OPTIONAL_PLAN = [
    ("north", "telegram", True, True, 12),
    ("north", "telegram", False, False, 2),
    ("south", "web", True, False, 7),
    ("south", "web", True, True, 3),
    ("north", "paper", True, False, 4),
    ("north", "paper", False, False, 1),
    ("south", "paper", False, False, 3),
]


async def _optional_json(settings: object, out: Path) -> dict:
    from bot.app import open_runtime
    from tests.stored import cast, open_poll

    rt = await open_runtime(settings)  # type: ignore[arg-type]
    try:
        poll, poll_id = await open_poll(rt, OPTIONAL_POLL, "optional.yaml")
        n = 1
        for area, channel, extra, why, count in OPTIONAL_PLAN:
            choices: tuple = (("area", area, None),)
            if extra:
                choices += (("extra", "parks", None),)
            texts = (("why", "the buses are late", "en", 1.0, False, "transport"),) if why else ()
            n = await cast(
                rt.store, poll, poll_id, choices, count=count, first=n, now=1_790_000_000,
                channel=channel, texts=texts,
            )  # fmt: skip
        path = await rt.services.reports.export("optional-2026", "json", out, M, free_text=False)
        return json.loads(path.read_text(encoding="utf-8"))
    finally:
        await rt.close()


def test_published_respondents_of_optional_questions_leave_no_small_group(
    tmp_path: Path, database_url: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    """The JSON download (the site's figures are the same suppressed Results): for each
    question and each breakdown (area, channel; theme tallies too), the respondents a reader
    cannot see must not be one group alone with a small remainder."""
    from conftest import make_settings

    settings = make_settings(tmp_path, database_url, min_cell=M)
    data = asyncio.run(_optional_json(settings, tmp_path / "out.json"))
    tables = data["tables"]
    checked = 0
    for question in {t["question"] for t in tables}:
        total = next(
            t["respondents"]
            for t in tables
            if t["question"] == question and not t["dimension"] and t["channel"] == "all"
        )
        for dim in {t["dimension"] for t in tables if t["question"] == question} - {""}:
            rows = [
                t
                for t in tables
                if t["question"] == question
                and t["dimension"] == dim
                and t["channel"] in ("all", t["group"])
            ]
            hidden = [t["group"] for t in rows if t["respondents"] is None]
            shown = sum(t["respondents"] for t in rows if t["respondents"] is not None)
            checked += 1
            if total is not None and len(hidden) == 1:
                assert not 0 < total - shown < M, (question, dim, hidden, total - shown)
    assert checked >= 4  # extra by area and channel, why's themes by area, area by channel
    extra = {
        t["group"]: t["respondents"]
        for t in tables
        if t["question"] == "extra" and t["dimension"] == "channel"
    }
    assert extra == {"telegram": None, "web": None, "paper": None}
    # Telegram may hold 12 to 14 of the 26, so paper 2 to 4: nothing left to warn about
    assert "could still be worked out" not in caplog.text


def test_a_count_pinned_by_the_group_sizes_is_protected(
    poll: Poll, caplog: pytest.LogCaptureFixture
) -> None:
    """Groups of 12, 10 and 8 (sizes published); 12, 10 and 4 of them answered "one". Even
    with all three counts hidden, 26 answers needed the third group's "<5" to be 4 (12 + 10 +
    4 is the most the groups can hold): this was only logged. Now the sizes of 17-18 (the
    pinned group) and 14-16 (the smallest shown) are hidden too: a reader knows only that
    they add up to 18, so 17-18 may hold 1 answer of 5 members and 14-16 13 of 13."""
    raw = answering(poll, (("11-13", 12, 12), ("14-16", 10, 10), ("17-18", 8, 4)))
    true = {"11-13": 12, "14-16": 10, "17-18": 4}
    everything = {g: "[c]" for g in true} | {"17-18": "<5"}
    # what the rule hid before: pinned by the sizes
    assert answers_pinned(everything, true, {"11-13": 12, "14-16": 10, "17-18": 8}, 26) == ["17-18"]
    res = apply_suppression(raw)
    assert published_answered(res, "one", "age") == {
        "11-13": 12,
        "14-16": "[c]",
        "17-18": "<5",
        "prefer-not-to-say": "<5",  # empty, published withheld like any group
    }
    numbers = {
        g: {v for v in vs if isinstance(v, int)} for g, vs in published_sizes(res, "age").items()
    }
    assert numbers == {"11-13": {12}, "14-16": set(), "17-18": set(), "prefer-not-to-say": set()}
    model, hidden = sizes_and_answers(raw, res, "age")
    v, value = hidden[("one", "17-18")]
    assert value == 4 and model.other_value([(v, 1)])
    assert all(model.other_value([(v, 1)]) for v, value in hidden.values() if 0 < value < M)
    assert "could still be worked out" not in caplog.text


def sizes_and_answers(
    raw: Results, res: Results, dim: str, every_hidden: bool = False
) -> tuple[Model, dict[tuple[str, str], tuple[int, int]]]:
    """Group sizes and each question's respondents by group, solved together as a reader
    could: a hidden size or count is a variable within its marker; the sizes add up to the
    ballots (everyone answers the breakdown), each question's counts to its respondents, and
    no group answers a question more often than it has members. The hidden figures: ("size",
    group) or (question, group) -> (variable, true value). ``every_hidden``: as if every size
    and every count were hidden (zeros stay known): what no hiding of them can change."""
    model = Model()
    hidden: dict[tuple[str, str], tuple[int, int]] = {}

    def var(value: int | str, truth: int, key: tuple[str, str]) -> int | tuple:
        if every_hidden:  # zeros stay known, an empty group's "<5" too (the rule's own view)
            value = (f"<{M}" if truth < M else "[c]") if truth else 0
        if isinstance(value, int):
            return ("known", value)
        lo, hi = (0, M - 1) if value == f"<{M}" else (M, 1 << 20)
        v = model.var(lo, hi, truth)
        hidden[key] = (v, truth)
        return v

    own = next(t for t in res.tables if t.question == dim and not t.dimension)
    true_own = next(t for t in raw.tables if t.question == dim and not t.dimension)
    truth = {c.option: c.count for c in true_own.cells}
    sizes = {
        c.option: var(shown_cell(own, c, M).count, truth[c.option], ("size", c.option))
        for c in own.cells
    }
    known = sum(v[1] for v in sizes.values() if isinstance(v, tuple))
    free = [v for v in sizes.values() if isinstance(v, int)]
    model.add([(v, 1) for v in free], raw.ballots - known, raw.ballots - known)
    for question in ("one", "two", "order", "area", "age"):
        if question == dim:
            continue
        total = next(
            t.respondents
            for t in raw.tables
            if t.question == question and not t.dimension and t.channel == "all"
        )
        true = {
            t.group: t.respondents
            for t in raw.tables
            if t.question == question and t.dimension == dim
        }
        shown = published_answered(res, question, dim)
        mine = {g: var(value, true[g], (question, g)) for g, value in shown.items()}
        terms, rest = [], total
        for g, v in mine.items():
            size = sizes[g]
            if isinstance(v, tuple):
                rest -= v[1]
                if isinstance(size, int):  # a size is at least any count of its group
                    model.add([(size, 1)], v[1], 1 << 40)
                continue
            terms.append((v, 1))
            if isinstance(size, int):
                model.add([(v, 1), (size, -1)], -(1 << 40), 0)
            else:
                model.add([(v, 1)], 0, size[1])
        model.add(terms, rest, rest)
        if total == raw.ballots:  # everyone answered: each group's count is its size
            for g, v in mine.items():
                size = sizes[g]
                if isinstance(v, int) and isinstance(size, int):
                    model.add([(v, 1), (size, -1)], 0, 0)
                elif isinstance(v, int):
                    model.add([(v, 1)], size[1], size[1])
                elif isinstance(size, int):
                    model.add([(size, 1)], v[1], v[1])
    assert model.holds()
    return model, hidden


def left_pinned(raw: Results, res: Results, dim: str, key: tuple[str, str]) -> bool:
    """A small count the published figures pin: is it one no hiding of sizes or counts could
    free (pinned even with every size and every count of the breakdown hidden)?"""
    model, hidden = sizes_and_answers(raw, res, dim, every_hidden=True)
    return not model.other_value([(hidden[key][0], 1)])


def owned_up_to(raw: Results, res: Results, dim: str, key: tuple[str, str], log: str) -> bool:
    """A pinned figure the rule owns up to: no hiding of sizes or counts could free it
    (``left_pinned``), and the warning names it (asserted). False: it could have been freed."""
    if not left_pinned(raw, res, dim, key):
        return False
    name, g = key
    warning = (
        "small count(s) could still be worked out"
        if name == "size"
        else f"the respondents of {name} by {dim} could still be worked out"
    )
    assert warning in log, (dim, name, g)
    return True


def test_random_polls_sizes_and_answers_together(
    poll: Poll, caplog: pytest.LogCaptureFixture
) -> None:
    """Group sizes and each question's respondents by group solved together
    (``sizes_and_answers``): every hidden small size or count keeps two values, every
    question's included (those whose every count is hidden were left out before, and 7
    breakdowns the rule owned up to were skipped, 1 of them pinned by the sizes). A pin is
    left only where no hiding of sizes or counts could free it (``left_pinned``: tiny polls,
    e.g. three groups "<5" of 12 ballots, so all 4), and a warning says so."""
    searched = unresolved = left = 0
    for raw, res in random_skipping(poll, 1717, 120, caplog):
        for dim in ("age", "area"):
            model, hidden = sizes_and_answers(raw, res, dim)
            for (name, g), (v, value) in hidden.items():
                if not 0 < value < M:
                    continue
                try:
                    other = model.other_value([(v, 1)])
                except Unsolved:
                    continue
                searched += 1
                if other:
                    continue
                owned = owned_up_to(raw, res, dim, (name, g), caplog.text)
                left, unresolved = left + owned, unresolved + (not owned)
    assert searched >= 100, searched
    assert unresolved == 0, unresolved  # 1 before sizes were hidden for it
    assert left <= 20, left  # 20, in 4 polls
