"""Complements: a multi-answer option, a ranked option's "ranked it" count and a theme are each
a yes/no question of their own, so how many did NOT tick (rank, mention) it, the respondents
less the count, is a count of people a reader works out by one subtraction. When it is between
1 and m - 1 it tells as much as a small count does: "Transport 14 of 15 answered" says exactly
one person did not mention transport. Such a count is hidden ("[c]", since it is not below m)
and must keep at least two possible values, as a small count must. A choice question needs
nothing new (its complement is the sum of the other cells, already protected), and a zero
complement (everyone ticked it) is published, as a zero count is.

The attacker is the exact integer search of ``test_suppression_attack`` (which now also
targets complements): every published figure of a question at once, rows, columns, markers.
"""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

import pytest

from services.pollfile import Poll
from services.results import Cell, Results, Table, build_results
from services.suppression import SECONDARY, apply_suppression, plan_suppression, shown
from tests.test_suppression_attack import (
    AGES,
    AREAS,
    ONE,
    ORDER,
    TWO,
    Unsolved,
    attack,
    ballot,
    pinned,
    shown_small_complements,
    tally,
)
from tests.test_suppression_attack import poll as poll

M = 5
NOW = 1_795_000_000  # 2026-11-18


def _cells(counts: dict[str, int], n: int) -> tuple[Cell, ...]:
    cells = (Cell(o, o.title(), c, c / n if n else 0.0) for o, c in counts.items())
    return tuple(sorted(cells, key=lambda c: -c.count))


def _rank_cells(places: dict[str, tuple[int, int]], n: int) -> tuple[Cell, ...]:
    """A top 2: (1st, 2nd) per option."""
    cells = (
        Cell(o, o.title(), f + s, (f + s) / n, f, 2 * f + s, places=(f, s))
        for o, (f, s) in places.items()
    )
    return tuple(sorted(cells, key=lambda c: (-c.points, -c.first)))


def _results(tables: list[Table]) -> Results:
    return Results("p", "Poll", max(t.respondents for t in tables), M, tuple(tables))


def _hidden(res: Results) -> dict[tuple[str, str], set[str]]:
    return {(t.dimension, t.group): {c.option for c in t.cells if c.suppressed} for t in res.tables}


def _safe(res: Results, question: str, places: int) -> None:
    """No shown figure gives a small complement, and no hidden one can be worked out."""
    assert shown_small_complements(res, question) == []
    assert pinned(res, question, places, full=False) == []


# --- the reviewer's examples -----------------------------------------------------------------


def test_transport_14_of_15_answered_is_hidden_as_c() -> None:
    """Themes of an open question: 14 of 15 answers mention transport, so exactly one does
    not. Transport is hidden, and its marker is "[c]" (14 is not below 5). An answer may have
    no theme at all (``least`` 0), so the sum of the themes says nothing: nothing else goes
    (money's 0 is "<5", as every zero count is)."""
    counts = {"transport": 14, "mental-health": 9, "climate": 6, "money": 0}
    table = Table("why", "multi", "", "", "", 15, _cells(counts, 15), least=0)
    res = apply_suppression(_results([table]))
    assert _hidden(res) == {("", ""): {"transport", "money"}}
    out = res.tables[0]
    cell = next(c for c in out.cells if c.option == "transport")
    assert shown(out, cell, M).count == SECONDARY
    _safe(res, "why", 4)


def test_jobs_ranked_it_14_of_15_answered_is_hidden() -> None:
    """A top 2 of four, not everyone ranks two: Jobs is ranked by 14 of 15 (8 first, 6
    second), so exactly one did not rank it. Its count, first preferences and points go."""
    places = {"jobs": (8, 6), "parks": (7, 0), "buses": (0, 5), "clubs": (0, 0)}
    table = Table("order", "rank", "", "", "", 15, _rank_cells(places, 15), most=2)
    res = apply_suppression(_results([table]))
    assert _hidden(res) == {("", ""): {"jobs", "clubs"}}  # clubs: 0 is "<5"
    out = res.tables[0]
    fig = shown(out, next(c for c in out.cells if c.option == "jobs"), M)
    assert (fig.count, fig.first, fig.points) == (SECONDARY, SECONDARY, SECONDARY)
    _safe(res, "order", 2)


def test_a_multi_breakdown_hides_a_small_complement_and_what_gives_it_back() -> None:
    """Groups of 20: 19 of A tick x (one did not). A's x is hidden, and B's (the cheapest) with
    it, since the overall 44 less B's 12 and C's 13 would give A's 19 back."""
    tables = [
        Table("two", "multi", "", "", "", 60, _cells({"x": 44, "y": 31}, 60)),
        Table("two", "multi", "area", "A", "A", 20, _cells({"x": 19, "y": 10}, 20)),
        Table("two", "multi", "area", "B", "B", 20, _cells({"x": 12, "y": 10}, 20)),
        Table("two", "multi", "area", "C", "C", 20, _cells({"x": 13, "y": 11}, 20)),
    ]
    res = apply_suppression(_results(tables))
    assert _hidden(res) == {
        ("", ""): set(),
        ("area", "A"): {"x"},
        ("area", "B"): {"x"},
        ("area", "C"): set(),
    }
    _safe(res, "two", 2)


def test_a_small_overall_complement_in_a_breakdown_is_protected() -> None:
    """27 of all 30 ticked x (three did not), 9 of A's 10 (one did not) and 18 of B's 20 (two
    did not): all three go, and whatever would give any of them back."""
    tables = [
        Table("two", "multi", "", "", "", 30, _cells({"x": 27, "y": 12}, 30)),
        Table("two", "multi", "area", "A", "A", 10, _cells({"x": 9, "y": 5}, 10)),
        Table("two", "multi", "area", "B", "B", 20, _cells({"x": 18, "y": 7}, 20)),
    ]
    res = apply_suppression(_results(tables))
    over = next(c for c in res.tables[0].cells if c.option == "x")
    assert over.suppressed
    _safe(res, "two", 2)


def test_ranked_it_in_a_breakdown() -> None:
    """A top 2 of three by area: 19 of the South's 22 rank youth clubs (3 did not); the rest is
    safe. Youth clubs is hidden in the South and whatever would give it back."""
    north = {"parks": (12, 8), "buses": (14, 12), "clubs": (0, 6)}
    south = {"parks": (12, 10), "buses": (0, 3), "clubs": (10, 9)}
    total = {o: (north[o][0] + south[o][0], north[o][1] + south[o][1]) for o in north}
    tables = [
        Table("order", "rank", "", "", "", 48, _rank_cells(total, 48), most=2),
        Table("order", "rank", "area", "north", "North", 26, _rank_cells(north, 26), most=2),
        Table("order", "rank", "area", "south", "South", 22, _rank_cells(south, 22), most=2),
    ]
    res = apply_suppression(_results(tables))
    assert "clubs" in _hidden(res)[("area", "south")]
    _safe(res, "order", 2)


def test_themes_by_group_are_protected() -> None:
    """Theme tallies by school (``least`` 0): 12 of Bryn's 13 answers mention transport."""
    tables = [
        Table("why", "multi", "", "", "", 33, _cells({"transport": 19, "money": 8}, 33), least=0),
        Table(
            "why",
            "multi",
            "school",
            "aber",
            "Aber",
            20,
            _cells({"transport": 7, "money": 6}, 20),
            least=0,
        ),
        Table(
            "why",
            "multi",
            "school",
            "bryn",
            "Bryn",
            13,
            _cells({"transport": 12, "money": 2}, 13),
            least=0,
        ),
    ]
    res = apply_suppression(_results(tables))
    assert "transport" in _hidden(res)[("school", "bryn")]
    _safe(res, "why", 2)


# --- nothing else changes ----------------------------------------------------------------------


def test_large_complements_hide_nothing_more() -> None:
    """Groups of 20: A's 2 is small (hidden, and B's 6 with it, as before); every complement is
    10 or more, so nothing else goes."""
    tables = [
        Table("two", "multi", "", "", "", 60, _cells({"x": 15, "y": 30, "z": 27}, 60)),
        Table("two", "multi", "area", "A", "A", 20, _cells({"x": 2, "y": 10, "z": 9}, 20)),
        Table("two", "multi", "area", "B", "B", 20, _cells({"x": 6, "y": 10, "z": 9}, 20)),
        Table("two", "multi", "area", "C", "C", 20, _cells({"x": 7, "y": 10, "z": 9}, 20)),
    ]
    res = apply_suppression(_results(tables))
    assert _hidden(res) == {
        ("", ""): set(),
        ("area", "A"): {"x"},
        ("area", "B"): {"x"},
        ("area", "C"): set(),
    }
    _safe(res, "two", 3)


def test_a_zero_complement_is_published() -> None:
    """Everyone ticked it (15 of 15): as publishable as a zero count."""
    table = Table("two", "multi", "", "", "", 15, _cells({"x": 15, "y": 8, "z": 6}, 15))
    assert _hidden(apply_suppression(_results([table]))) == {("", ""): set()}


def test_a_choice_question_is_unchanged() -> None:
    """14 of 15 chose a: the one who did not is b's 1 (hidden, "<5") plus c's 0 (hidden with
    it): a stays shown, as before this rule."""
    table = Table("one", "choice", "", "", "", 15, _cells({"a": 14, "b": 1, "c": 0}, 15))
    res = apply_suppression(_results([table]))
    assert _hidden(res) == {("", ""): {"b", "c"}}
    plan = plan_suppression([table], M)
    assert plan.unprotected == []


# --- random polls where most tick the same option -----------------------------------------------


def _lopsided(rng: random.Random, poll: Poll, n: int) -> Results:
    """Ballots where nearly everyone ticks Parks and ranks Youth work: small complements."""

    def some(options: list[str], k: int, favourite: float) -> tuple[str, ...]:
        first = [options[0]] if rng.random() < favourite else []
        rest = [o for o in options[1:] if o not in first]
        rng.shuffle(rest)
        return tuple((first + rest)[:k])

    ballots = [
        ballot(
            rng.choice(AGES),
            rng.choice(AREAS),
            rng.choice(ONE),
            some(TWO, rng.randint(1, 2), 0.9),
            some(ORDER, rng.randint(1, 3), 0.9),
        )
        for _ in range(n)
    ]
    return build_results("atk", poll, tally(poll, ballots), M)


@pytest.mark.parametrize("seed", [241, 242])
def test_random_lopsided_polls_leave_no_complement_to_work_out(poll: Poll, seed: int) -> None:
    rng = random.Random(seed)
    searched = 0
    for _ in range(8):
        raw = _lopsided(rng, poll, rng.randint(10, 50))
        res = apply_suppression(raw)
        for question, places in (("two", 2), ("order", 3)):
            assert shown_small_complements(res, question) == []
            model, targets = attack(res, question, places, full=False)
            try:
                left = [
                    t.key
                    for t in targets
                    if t.figure == "complement" and not model.other_value(t.terms)
                ]
            except Unsolved:
                continue
            searched += 1
            assert left == []
    assert searched >= 10


# --- through the reports, as the site, the exports and the web pages get them -------------------

REVIEWED = """\
code: reviewed-2026
title: The reviewer's poll
questions:
  - id: order
    kind: rank
    max: 2
    text: Put two in order
    options: [Jobs, Parks, Buses]
  - id: why
    kind: text
    optional: true
    text: Why?
"""


def test_the_reviewers_poll_through_the_reports(tmp_path: Path) -> None:
    """The published test poll's two cases, counted from ballots the way every page and file
    gets them (``ReportService.results``; themes are tallied there, in ``_texts``): 14 of 15
    answers mention transport, and 14 of 15 rank Jobs. Neither 14 is published."""
    from conftest import make_settings

    from bot.app import open_runtime
    from tests.stored import cast, open_poll

    async def go() -> Results:
        settings = make_settings(tmp_path, None)
        rt = await open_runtime(settings)
        try:
            poll, poll_id = await open_poll(rt, REVIEWED, "reviewed.yaml")
            plan = [
                (("jobs", "parks"), "transport", 14),
                (("parks", "buses"), "money", 1),
            ]
            n = 1
            for (first, second), theme, count in plan:
                choices = (("order", first, 1), ("order", second, 2))
                why = (("why", "it matters", "en", 1.0, False, theme),)
                n = await cast(
                    rt.store, poll, poll_id, choices, count=count, first=n, now=NOW, texts=why
                )
            return await rt.services.reports.results("reviewed-2026", M)
        finally:
            await rt.close()

    res = asyncio.run(go())
    themes = next(t for t in res.tables if t.question == "why" and not t.dimension)
    order = next(t for t in res.tables if t.question == "order" and not t.dimension)
    assert (themes.respondents, order.respondents) == (15, 15)
    transport = next(c for c in themes.cells if c.option == "transport")
    jobs = next(c for c in order.cells if c.option == "jobs")
    assert (transport.count, jobs.count) == (14, 14)
    assert shown(themes, transport, M).count == SECONDARY
    assert shown(order, jobs, M).count == SECONDARY
    assert shown_small_complements(res, "why") == []
    assert shown_small_complements(res, "order") == []
    assert pinned(res, "order", 2, full=False) == []
    assert pinned(res, "why", len(themes.cells), full=False) == []
