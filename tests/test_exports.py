"""The renderers: JSON with literal expected output, the workbook cell by cell, the chart's size."""

from __future__ import annotations

import csv
import datetime
import json
import struct
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from services.exports import RENDERERS, _sheet_name, chart_size, headline, write_csv
from services.pollfile import dump_poll, parse_poll
from services.results import (
    Cell,
    Results,
    Table,
    TextAnswer,
    Turnout,
    TurnoutRow,
    build_results,
)
from services.suppression import apply_suppression
from storage.open import open_store
from storage.records import NewBallot, OptionCount, Respondents, TallyData
from tests.pg import Cluster

NOW = 1_790_000_000

POLL = """\
code: cyp-2026
title: Children and Young People's Plan 2026
questions:
  - id: age
    kind: choice
    text: How old are you?
    options: [10-12, 13-15, 16-18]
    breakdown: true
  - id: area
    kind: choice
    text: Where do you live?
    options: [North, South]
    breakdown: true
  - id: priority
    kind: choice
    text: Which one should be the top priority?
    options: [Mental health, Transport, Climate, Jobs]
  - id: order
    kind: rank
    max: 2
    text: Put these in order
    options: [Parks, Buses, Youth clubs]
  - id: why
    kind: text
    text: Why?
    optional: true
"""


# --- json ----------------------------------------------------------------------------------


def _small() -> Results:
    """Already suppressed by hand: Jobs 3 (<5) and Transport 6 ([c]) hidden; one group withheld."""
    overall = Table(
        "priority",
        "choice",
        "",
        "",
        "",
        20,
        (
            Cell("climate", "Climate", 11, 0.55),
            Cell("transport", "Transport", 6, 0.3, suppressed=True),
            Cell("jobs", "Jobs", 3, 0.15, suppressed=True),
        ),
    )
    north = Table(
        "priority",
        "choice",
        "area",
        "north",
        "North",
        17,
        (
            Cell("climate", "Climate", 9, 9 / 17),
            Cell("transport", "Transport", 5, 5 / 17, suppressed=True),
            Cell("jobs", "Jobs", 3, 3 / 17, suppressed=True),
        ),
    )
    south = Table(
        "priority",
        "choice",
        "area",
        "south",
        "South",
        3,
        (
            Cell("climate", "Climate", 2, 2 / 3, suppressed=True),
            Cell("jobs", "Jobs", 0, 0.0, suppressed=True),
            Cell("transport", "Transport", 1, 1 / 3, suppressed=True),
        ),
        withheld=True,
    )
    return Results(
        "p1",
        "Plan",
        20,
        5,
        (overall, north, south),
        generated="2026-11-25",
        questions=(("priority", "choice", "Top priority?"),),
        turnout=Turnout(
            (("2026-11-24", 8), ("2026-11-25", 12)),
            (
                TurnoutRow("area", "north", "North", 17, 200),
                TurnoutRow("area", "south", "South", 3, 150, suppressed=True),
            ),
        ),
        texts=(TextAnswer("why", "More buses", (("area", "North"),)),),
        rule="the rule",
    )


def test_json_literal(tmp_path: Path) -> None:
    path = tmp_path / "p1.json"
    RENDERERS["json"][1](_small(), path)
    data = json.loads(path.read_text(encoding="utf-8"))

    def cell(option: str, label: str, count: int | None, share: float | None, shown=None) -> dict:
        return {
            "option": option,
            "label": label,
            "count": count,
            "share": share,
            "first": None,
            "points": None,
            "suppressed": count is None,
            "shown": shown,
        }

    def table(group: str, label: str, n: int | None, cells: list, withheld=False) -> dict:
        return {
            "question": "priority",
            "kind": "choice",
            "dimension": "area" if group else "",
            "group": group,
            "group_label": label,
            "channel": "all",
            "respondents": n,
            "withheld": withheld,
            "cells": cells,
        }

    assert data == {
        "poll": "p1",
        "title": "Plan",
        "generated": "2026-11-25",
        "ballots": 20,
        "min_cell": 5,
        "rule": "the rule",
        "questions": [{"id": "priority", "kind": "choice", "text": "Top priority?"}],
        "tables": [
            table(
                "",
                "",
                20,
                [
                    cell("climate", "Climate", 11, 0.55),
                    cell("transport", "Transport", None, None, "[c]"),
                    cell("jobs", "Jobs", None, None, "<5"),
                ],
            ),
            table(
                "north",
                "North",
                17,
                [
                    cell("climate", "Climate", 9, 0.5294),
                    cell("transport", "Transport", None, None, "[c]"),
                    cell("jobs", "Jobs", None, None, "<5"),
                ],
            ),
            table(
                "south",
                "South",
                None,
                [
                    cell("climate", "Climate", None, None, "<5"),
                    cell("jobs", "Jobs", None, None, "<5"),
                    cell("transport", "Transport", None, None, "<5"),
                ],
                withheld=True,
            ),
        ],
        "turnout": {
            "by_day": [
                {"date": "2026-11-24", "ballots": 8, "suppressed": False, "shown": None},
                {"date": "2026-11-25", "ballots": 12, "suppressed": False, "shown": None},
            ],
            "by_group": [
                {
                    "dimension": "area",
                    "group": "north",
                    "group_label": "North",
                    "ballots": 17,
                    "population": 200,
                    "percent": 8.5,
                    "suppressed": False,
                },
                {
                    "dimension": "area",
                    "group": "south",
                    "group_label": "South",
                    "ballots": None,
                    "population": 150,
                    "percent": None,
                    "suppressed": True,
                },
            ],
        },
        "texts": [
            {
                "question": "why",
                "answer": "More buses",
                "groups": [{"dimension": "area", "group": "North"}],
                "lang": "und",
                "flagged": False,
                "review": False,
                "themes": [],
            }
        ],
        "review_by_theme": {},
    }


def test_json_numbers_are_numbers_and_text_is_utf8(tmp_path: Path) -> None:
    res = replace(_small(), title="Cynllun Plant a Phobl Ifanc — 2026")
    path = tmp_path / "p.json"
    RENDERERS["json"][1](res, path)
    text = path.read_text(encoding="utf-8")
    assert "Cynllun Plant a Phobl Ifanc — 2026" in text
    first = json.loads(text)["tables"][0]["cells"][0]
    assert isinstance(first["count"], int) and isinstance(first["share"], float)


def test_csv_marks_secondary_and_withheld_cells(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    write_csv(_small(), path)
    lines = path.read_text().splitlines()
    assert lines[0] == "poll,question,option,dimension,group,count,share"
    assert lines[1:4] == [
        "p1,priority,Climate,,,11,0.5500",
        "p1,priority,Transport,,,[c],",
        "p1,priority,Jobs,,,<5,",
    ]
    assert "p1,priority,Climate,area,South,<5," in lines


def test_registry() -> None:
    assert {k: v[0] for k, v in RENDERERS.items()} == {
        "csv": ".csv",
        "json": ".json",
        "xlsx": ".xlsx",
        "png": ".png",
    }


# --- a real poll through the store ---------------------------------------------------------


async def _results(tmp_path: Path, min_cell: int = 5, pg_url: str | None = None) -> Results:
    """6 aged 13-15 in the north chose climate and ranked buses first; 7 aged 16-18 in the
    south chose climate (5) or transport (2) and ranked parks first; 3 aged 10-12 in the north
    chose jobs."""
    poll = parse_poll(POLL, "t.yaml", {"en": "Prefer not to say"})
    ballots = (
        [("13-15", "north", "climate", ("buses", "parks"))] * 6
        + [("16-18", "south", "climate", ("parks",))] * 5
        + [("16-18", "south", "transport", ("parks", "buses"))] * 2
        + [("10-12", "north", "jobs", ("youth-clubs",))] * 3
    )
    store = await open_store(pg_url or tmp_path / "t.db")
    try:
        pid = await store.add_poll(poll.code, "T", dump_poll(poll), None, None, "open")
        for i, (age, area, priority, order) in enumerate(ballots):
            choices = (
                ("age", age, None),
                ("area", area, None),
                ("priority", priority, None),
                *(("order", o, r) for r, o in enumerate(order, 1)),
            )
            ballot = NewBallot(pid, "2026-11-25", choices=choices, groups=poll.group_key(choices))
            await store.cast_ballot(ballot, bytes([i]) * 16, None, NOW)
        data = await store.tally(pid, [q.id for q in poll.breakdowns])
    finally:
        await store.close()
    res = build_results(poll.code, poll, data, min_cell)
    res = replace(
        res,
        generated="2026-11-25",
        questions=tuple((q.id, q.kind, q.text["en"]) for q in poll.questions),
        turnout=Turnout(
            (("2026-11-24", 4), ("2026-11-25", 12)),
            (
                TurnoutRow("area", "north", "North", 9, 300),
                TurnoutRow("area", "south", "South", 7, 250),
            ),
        ),
        texts=(TextAnswer("why", "Buses are too dear", (("area", "North"),)),),
    )
    return apply_suppression(res)


async def test_the_same_results_from_postgresql(tmp_path: Path, pg_cluster: Cluster) -> None:
    """The same ballots give the same suppressed results (every count, every group) on
    either backend: the tally is the contract's, the arithmetic is the services'. (The
    renderers below take Results, whichever backend they came from: SQLite's will do.)"""
    for min_cell in (0, 5):
        (tmp_path / f"lite-{min_cell}").mkdir()
        lite = await _results(tmp_path / f"lite-{min_cell}", min_cell)
        url = pg_cluster.new_database()
        try:
            assert await _results(tmp_path, min_cell, url) == lite
        finally:
            pg_cluster.drop_database(url)


async def test_xlsx_workbook(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    res = await _results(tmp_path)
    path = tmp_path / "out.xlsx"
    RENDERERS["xlsx"][1](res, path)
    wb = load_workbook(path)
    assert wb.sheetnames == ["Summary", "By age", "By area", "Turnout", "Free text"]

    summary = wb["Summary"]
    assert summary.freeze_panes == "A2"
    assert summary["A1"].value == "Children and Young People's Plan 2026"
    assert summary["A1"].font.b
    assert (summary["A2"].value, summary["B2"].value) == ("Poll", "cyp-2026")
    assert summary["B3"].value == datetime.datetime(2026, 11, 25)
    assert summary["B3"].is_date
    assert (summary["A4"].value, summary["B4"].value) == ("Ballots", 16)
    assert summary["B5"].value == res.rule
    rows = [[c.value for c in row] for row in summary.iter_rows()]
    start = rows.index(["Which one should be the top priority?", *[None] * 5])
    assert rows[start + 1][:4] == ["Rank", "Option", "Count", "Share"]
    assert rows[start + 2][:4] == [1, "Climate", 11, 11 / 16]
    share = summary.cell(row=start + 3, column=4)
    assert share.number_format == "0.0%" and share.data_type == "n"
    # transport 2 and jobs 3 are small; mental health 0: all "<5", unranked, no share
    assert [r[:4] for r in rows[start + 3 : start + 6]] == [
        [None, "Jobs", "<5", None],
        [None, "Mental health", "<5", None],
        [None, "Transport", "<5", None],
    ]
    assert rows[start + 6][1:3] == ["Respondents", 16]
    order = rows.index(["Put these in order", *[None] * 5])
    assert rows[order + 1] == ["Rank", "Option", "Count", "Share", "First preferences", "Points"]
    # parks: 13 of 16 ranked it, so 3 did not (a small complement): hidden, as "[c]" (13 is
    # not below 5); youth clubs (3, first choice of 3) is small; buses goes too, as everyone
    # has one first choice (16 - 7 - 6 would give youth clubs' first preferences away)
    # each hidden figure shows a marker that is true of it: "<5" on a count (and first
    # preferences) below 5, "[c]" on anything else, points included
    assert rows[order + 2] == [None, "Buses", "[c]", None, "[c]", "[c]"]
    assert rows[order + 3] == [None, "Parks", "[c]", None, "[c]", "[c]"]
    assert rows[order + 4] == [None, "Youth clubs", "<5", None, "<5", "[c]"]

    by_area = wb["By area"]
    assert by_area.freeze_panes == "B3"
    assert by_area.page_setup.orientation == "landscape" and by_area.page_setup.fitToWidth == 1
    assert by_area["A1"].value == "Breakdown: Where do you live?" and by_area["A1"].font.b
    grid = [[c.value for c in row] for row in by_area.iter_rows()]
    top = grid.index(["Which one should be the top priority? (count)", *[None] * 5])
    assert grid[top + 1] == [
        "Where do you live?",
        "Climate",
        "Jobs",
        "Mental health",
        "Transport",
        "Respondents",
    ]
    assert all(by_area.cell(row=top + 2, column=c).font.b for c in range(1, 7))
    north, south, nobody, total = grid[top + 2 : top + 6]
    assert north[0] == "North" and north[-1] == 9
    assert south[0] == "South" and south[-1] == 7
    # a group no one is in has its row like any other (withheld: "<5" all through)
    assert nobody == ["Prefer not to say", "<5", "<5", "<5", "<5", "<5"]
    assert total == ["Total", 11, "<5", "<5", "<5", 16]
    assert by_area.cell(row=top + 6, column=1).font.b
    # every figure is a number or a marker
    for row in by_area.iter_rows(min_row=top + 3, max_row=top + 6, min_col=2):
        for c in row:
            assert c.data_type == "n" or c.value in ("<5", "[c]")
    assert by_area.column_dimensions["A"].width >= len("Where do you live?")

    turnout = wb["Turnout"]
    assert turnout.freeze_panes == "A2"
    assert [c.value for c in turnout[1]][:2] == ["Date", "Ballots"]
    assert turnout["A2"].is_date and turnout["B2"].value == "<5"  # 4 ballots that day
    assert turnout["B3"].value == "[c]"  # 12, which with the 16 in all would give the 4
    assert turnout["E2"].value == "North" and turnout["F2"].value == 9
    assert turnout["H2"].value == pytest.approx(0.03) and turnout["H2"].number_format == "0.0%"

    free = wb["Free text"]
    assert [c.value for c in free[1]] == [
        "Question",
        "Answer",
        "Safeguarding",
        "Themes",
        "Where do you live?",
    ]
    assert [c.value for c in free[2]] == ["Why?", "Buses are too dear", None, None, "North"]


async def test_no_free_text_sheet_without_texts(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    res = replace(await _results(tmp_path), texts=())
    RENDERERS["xlsx"][1](res, tmp_path / "x.xlsx")
    assert "Free text" not in load_workbook(tmp_path / "x.xlsx").sheetnames


def test_sheet_names_are_short_valid_and_unique() -> None:
    used: set[str] = set()
    long = "By what-is-your-favourite-thing-about-where-you-live"
    names = [_sheet_name(long, used), _sheet_name(long, used), _sheet_name("a/b:c?", used)]
    assert all(len(n) <= 31 for n in names)
    assert len({n.casefold() for n in names}) == 3
    assert names[1].endswith("(2)") and names[2] == "a b c"


# --- png -----------------------------------------------------------------------------------


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_png_chart(tmp_path: Path) -> None:
    res = await _results(tmp_path)
    table = headline(res)
    assert table is not None and table.question == "priority"  # not age or area
    path = tmp_path / "chart.png"
    RENDERERS["png"][1](res, path)
    assert _png_size(path) == chart_size(res) == (1200, 100 + 60 * 4)


async def test_png_long_title_and_rank(tmp_path: Path) -> None:
    res = await _results(tmp_path)
    long = "Which of these should the partnership board put first " * 3
    questions = tuple(
        (q, "rank" if q == "order" else k, long if q == "order" else t)
        for q, k, t in res.questions
        if q != "priority"
    )
    res = replace(res, questions=questions)
    assert headline(res).question == "order"  # type: ignore[union-attr]
    path = tmp_path / "rank.png"
    RENDERERS["png"][1](res, path)
    # three options, a title of three lines: 100 + 3 * 60 + 2 * 38
    assert _png_size(path) == chart_size(res) == (1200, 100 + 3 * 60 + 2 * 38)


def test_png_without_results(tmp_path: Path) -> None:
    res = Results("p", "Empty", 0, 5, ())
    RENDERERS["png"][1](res, tmp_path / "e.png")
    assert _png_size(tmp_path / "e.png") == (1200, 160)


def test_free_text_never_becomes_an_excel_formula(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from services.exports import write_xlsx
    from services.results import Results, TextAnswer

    results = Results(
        code="p",
        title="P",
        ballots=0,
        min_cell=5,
        tables=(),
        generated="2026-11-25",
        texts=(TextAnswer("why", '=WEBSERVICE("x")'), TextAnswer("why", "=1+2")),
    )
    path = tmp_path / "f.xlsx"
    write_xlsx(results, path)
    ws = load_workbook(path)["Free text"]
    values = [(c.value, c.data_type) for row in ws.iter_rows() for c in row if c.value]
    assert ("=1+2", "s") in values and ('=WEBSERVICE("x")', "s") in values


# --- rank questions: first preferences and points, and markers that are true ---------------


def test_csv_rank_issue_example(tmp_path: Path) -> None:
    """Top 2 of A/B/C, ballots A;B, B;C and A;C: each is ranked twice, but first preferences
    are 2/1/0 and points 4/3/2, and the CSV says so (ordered by points)."""
    poll = parse_poll(
        "code: rnk\ntitle: R\nquestions:\n  - id: q\n    kind: rank\n    max: 2\n    text: Order\n"
        "    options: [A, B, C]\n",
        "r.yaml",
        {"en": "Prefer not to say"},
    )
    counts = {("a", 1): 2, ("b", 1): 1, ("b", 2): 1, ("c", 2): 2}
    data = TallyData(
        ballots=3,
        options=[OptionCount("q", o, r, n) for (o, r), n in counts.items()],
        respondents=[Respondents("q", "", "", 3)],
    )
    path = tmp_path / "r.csv"
    write_csv(apply_suppression(build_results("rnk", poll, data, 0)), path)
    assert path.read_text().splitlines() == [
        "poll,question,option,dimension,group,count,share,first,points",
        "rnk,q,A,,,2,0.6667,2,4",
        "rnk,q,B,,,2,0.6667,1,3",
        "rnk,q,C,,,2,0.6667,0,2",
    ]


async def test_csv_rank_overall_and_in_every_crosstab(tmp_path: Path) -> None:
    """First preferences and points in every table, ordered by points (then first
    preferences); other questions leave the two columns empty; with suppression, each hidden
    figure reads as its own marker."""
    (tmp_path / "all").mkdir()
    raw = await _results(tmp_path / "all", min_cell=0)
    path = tmp_path / "all.csv"
    write_csv(raw, path)
    lines = path.read_text().splitlines()
    assert lines[0] == "poll,question,option,dimension,group,count,share,first,points"
    assert "cyp-2026,priority,Climate,,,11,0.6875,," in lines
    assert [line for line in lines if ",order," in line] == [
        "cyp-2026,order,Parks,,,13,0.8125,7,20",
        "cyp-2026,order,Buses,,,8,0.5000,6,14",
        "cyp-2026,order,Youth clubs,,,3,0.1875,3,6",
        "cyp-2026,order,Youth clubs,age,10-12,3,1.0000,3,6",
        "cyp-2026,order,Parks,age,10-12,0,0.0000,0,0",
        "cyp-2026,order,Buses,age,10-12,0,0.0000,0,0",
        "cyp-2026,order,Buses,age,13-15,6,1.0000,6,12",
        "cyp-2026,order,Parks,age,13-15,6,1.0000,0,6",
        "cyp-2026,order,Youth clubs,age,13-15,0,0.0000,0,0",
        "cyp-2026,order,Parks,age,16-18,7,1.0000,7,14",
        "cyp-2026,order,Buses,age,16-18,2,0.2857,0,2",
        "cyp-2026,order,Youth clubs,age,16-18,0,0.0000,0,0",
        "cyp-2026,order,Parks,age,Prefer not to say,0,0.0000,0,0",
        "cyp-2026,order,Buses,age,Prefer not to say,0,0.0000,0,0",
        "cyp-2026,order,Youth clubs,age,Prefer not to say,0,0.0000,0,0",
        "cyp-2026,order,Buses,area,North,6,0.6667,6,12",
        "cyp-2026,order,Youth clubs,area,North,3,0.3333,3,6",
        "cyp-2026,order,Parks,area,North,6,0.6667,0,6",
        "cyp-2026,order,Parks,area,South,7,1.0000,7,14",
        "cyp-2026,order,Buses,area,South,2,0.2857,0,2",
        "cyp-2026,order,Youth clubs,area,South,0,0.0000,0,0",
        "cyp-2026,order,Parks,area,Prefer not to say,0,0.0000,0,0",
        "cyp-2026,order,Buses,area,Prefer not to say,0,0.0000,0,0",
        "cyp-2026,order,Youth clubs,area,Prefer not to say,0,0.0000,0,0",
    ]

    (tmp_path / "five").mkdir()
    path = tmp_path / "five.csv"
    write_csv(await _results(tmp_path / "five"), path)
    rows = list(csv.DictReader(path.read_text().splitlines()))
    order = [r for r in rows if r["question"] == "order" and r["dimension"] in ("", "area")]
    # 13 of 16 ranked parks and 6 of the North's 9 parks and buses: 3 did not (small
    # complements), so they are hidden as "[c]"; all 7 of the South ranked parks (0 did not)
    assert [tuple(r.values())[2:] for r in order] == [
        ("Buses", "", "", "[c]", "", "[c]", "[c]"),
        ("Parks", "", "", "[c]", "", "[c]", "[c]"),
        ("Youth clubs", "", "", "<5", "", "<5", "[c]"),
        ("Buses", "area", "North", "[c]", "", "[c]", "[c]"),
        ("Parks", "area", "North", "[c]", "", "[c]", "[c]"),
        ("Youth clubs", "area", "North", "<5", "", "<5", "[c]"),
        ("Parks", "area", "South", "7", "1.0000", "7", "14"),
        ("Buses", "area", "South", "<5", "", "<5", "[c]"),
        ("Youth clubs", "area", "South", "<5", "", "<5", "[c]"),
        ("Buses", "area", "Prefer not to say", "<5", "", "<5", "[c]"),
        ("Parks", "area", "Prefer not to say", "<5", "", "<5", "[c]"),
        ("Youth clubs", "area", "Prefer not to say", "<5", "", "<5", "[c]"),
    ]
    # a script can read the ranking back: shown points never rise down a table
    tables: dict[tuple[str, str], list[int]] = {}
    for r in rows:
        if r["question"] == "order" and r["points"].isdigit():
            tables.setdefault((r["dimension"], r["group"]), []).append(int(r["points"]))
    assert tables and all(p == sorted(p, reverse=True) for p in tables.values())


def _grid(ws: Any) -> list[list[Any]]:
    return [[c.value for c in row] for row in ws.iter_rows()]


def _block(grid: list[list[Any]], title: str) -> list[list[Any]]:
    """The header and rows of one block of a cross-tab sheet (up to the blank row)."""
    start = next(i for i, row in enumerate(grid) if row[0] == title)
    end = next((i for i in range(start + 1, len(grid)) if not any(grid[i])), len(grid))
    return grid[start + 1 : end]


async def test_xlsx_breakdowns_have_first_preferences_and_true_markers(tmp_path: Path) -> None:
    """Each cross-tab of a rank question has a first-preferences block beside count, share and
    points, with the same markers as the counts."""
    from openpyxl import load_workbook

    (tmp_path / "all").mkdir()
    truth = await _results(tmp_path / "all", min_cell=0)
    res = await _results(tmp_path)
    RENDERERS["xlsx"][1](truth, tmp_path / "all.xlsx")
    RENDERERS["xlsx"][1](res, tmp_path / "five.xlsx")
    plain, wb = load_workbook(tmp_path / "all.xlsx"), load_workbook(tmp_path / "five.xlsx")

    first = _block(_grid(plain["By area"]), "Put these in order (first preferences)")
    assert first == [
        ["Where do you live?", "Parks", "Buses", "Youth clubs", "Respondents", None],
        ["North", 0, 6, 3, 9, None],
        ["South", 7, 0, 0, 7, None],
        ["Prefer not to say", 0, 0, 0, 0, None],
        ["Total", 7, 6, 3, 16, None],
    ]
    # parks is hidden overall and in the North (13 of 16 and 6 of 9 ranked it: 3 did not),
    # so it moves after the shown columns
    first = _block(_grid(wb["By area"]), "Put these in order (first preferences)")
    assert first == [
        ["Where do you live?", "Buses", "Parks", "Youth clubs", "Respondents", None],
        ["North", "[c]", "[c]", "<5", 9, None],
        ["South", "<5", 7, "<5", 7, None],
        ["Prefer not to say", "<5", "<5", "<5", "<5", None],
        ["Total", "[c]", "[c]", "<5", 16, None],
    ]


def _cells_by_label(grid: list[list[Any]]) -> dict[tuple[Any, ...], Any]:
    """A sheet's cells keyed by the heading above, their row's label and their column's
    header (not by place: hidden rows and columns move after the shown ones)."""
    out: dict[tuple[Any, ...], Any] = {}
    heading: Any = None
    header: list[Any] = []
    after_heading = False
    for line in grid:
        if line and isinstance(line[0], str) and all(v is None for v in line[1:]):
            heading, after_heading = line[0], True
            continue
        if after_heading and any(isinstance(v, str) for v in line):
            header, after_heading = line, False
            continue
        label = next((v for v in line if isinstance(v, str) and v not in ("<5", "[c]")), None)
        for c, value in enumerate(line):
            out[(heading, label, header[c] if c < len(header) else c)] = value
    return out


async def test_xlsx_markers_are_true_of_their_figures(tmp_path: Path) -> None:
    """A marker describes the figure it replaces: no points figure carries a count's "<5"
    (youth clubs in the north: 3 people, 6 points), and every "<5" in the workbook stands on a
    figure that really is below 5."""
    from openpyxl import load_workbook

    (tmp_path / "all").mkdir()
    truth = await _results(tmp_path / "all", min_cell=0)
    res = await _results(tmp_path)
    RENDERERS["xlsx"][1](truth, tmp_path / "all.xlsx")
    RENDERERS["xlsx"][1](res, tmp_path / "five.xlsx")
    plain, wb = load_workbook(tmp_path / "all.xlsx"), load_workbook(tmp_path / "five.xlsx")
    points = _block(_grid(wb["By area"]), "Put these in order (points)")
    assert points[1:] == [  # buses, parks, youth clubs (parks: a small complement)
        ["North", "[c]", "[c]", "[c]", 9, None],
        ["South", "[c]", 14, "[c]", 7, None],
        ["Prefer not to say", "[c]", "[c]", "[c]", "<5", None],
        ["Total", "[c]", "[c]", "[c]", 16, None],
    ]
    checked = 0
    for name in wb.sheetnames:
        if name in ("Turnout", "Free text"):
            continue
        hidden, shown = _grid(wb[name]), _grid(plain[name])
        assert len(hidden) == len(shown)
        truth_of = _cells_by_label(shown)
        for key, value in _cells_by_label(hidden).items():
            if value == "<5":
                real = truth_of[key]
                assert isinstance(real, int) and real < 5, (name, key, real)
                checked += 1
    assert checked >= 20


async def test_no_published_count_gives_a_small_complement(tmp_path: Path) -> None:
    """How many did not rank an option (a table's respondents less a shown count) is never
    1 to 4 in the JSON (which has every table), nor in the CSV; unsuppressed, it is (13 of 16
    ranked parks), so the check can see one."""

    def small_complements(res: Results) -> list[tuple[str, str, str, int]]:
        RENDERERS["json"][1](res, tmp_path / "r.json")
        data = json.loads((tmp_path / "r.json").read_text())
        return [
            (t["question"], t["group"], c["option"], t["respondents"] - c["count"])
            for t in data["tables"]
            if t["kind"] in ("multi", "rank") and isinstance(t["respondents"], int)
            for c in t["cells"]
            if not c["suppressed"] and 0 < t["respondents"] - c["count"] < 5
        ]

    (tmp_path / "all").mkdir()
    assert ("order", "", "parks", 3) in small_complements(
        await _results(tmp_path / "all", min_cell=0)
    )
    res = await _results(tmp_path)
    assert small_complements(res) == []
    write_csv(res, tmp_path / "r.csv")
    rows = list(csv.DictReader((tmp_path / "r.csv").read_text().splitlines()))
    assert {r["count"] for r in rows if r["question"] == "order" and r["option"] == "Parks"} <= {
        "[c]",
        "<5",
        "7",  # the South: 7 of 7 ranked it
    }


async def test_json_rank_markers(tmp_path: Path) -> None:
    res = await _results(tmp_path)
    RENDERERS["json"][1](res, tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text())
    overall = next(t for t in data["tables"] if t["question"] == "order" and not t["dimension"])
    by = {c["option"]: c for c in overall["cells"]}
    # 13 of 16 ranked parks, so 3 did not: hidden, and "[c]" is true of each figure
    assert (by["parks"]["count"], by["parks"]["suppressed"]) == (None, True)
    assert (by["parks"]["shown"], by["parks"]["first_shown"], by["parks"]["points_shown"]) == (
        "[c]",
        "[c]",
        "[c]",
    )
    # all 7 of the South ranked parks (none did not): shown
    south = next(
        t
        for t in data["tables"]
        if t["question"] == "order" and t["dimension"] == "area" and t["group"] == "south"
    )
    shown_parks = next(c for c in south["cells"] if c["option"] == "parks")
    assert shown_parks | {"share": 0} == {
        "option": "parks",
        "label": "Parks",
        "count": 7,
        "share": 0,
        "first": 7,
        "points": 14,
        "suppressed": False,
        "shown": None,
        "first_shown": None,
        "points_shown": None,
    }
    assert {k: by["youth-clubs"][k] for k in ("count", "first", "points")} == dict.fromkeys(
        ("count", "first", "points")
    )
    assert (
        by["youth-clubs"]["shown"],
        by["youth-clubs"]["first_shown"],
        by["youth-clubs"]["points_shown"],
    ) == ("<5", "<5", "[c]")
    choice = next(t for t in data["tables"] if t["question"] == "priority")
    assert "first_shown" not in choice["cells"][0]


def test_turnout_markers_are_those_of_the_breakdown_table(tmp_path: Path) -> None:
    """A group's ballots hidden in turnout carry the marker its breakdown question's table
    gives that count: South (17, hidden so that East's 3 can't be worked out) is "[c]" in the
    Excel turnout sheet as on the site, never "<5", which would say it is below 5."""
    from openpyxl import load_workbook

    area = Table(
        "area",
        "choice",
        "",
        "",
        "",
        40,
        (
            Cell("north", "North", 20, 0.5),
            Cell("east", "East", 3, 0.075, suppressed=True),
            Cell("south", "South", 17, 0.425, suppressed=True),
        ),
    )
    res = replace(
        _small(),
        ballots=40,
        tables=(area,),
        questions=(("area", "choice", "Where?"),),
        turnout=Turnout(
            (("2026-11-25", 40),),
            (
                TurnoutRow("area", "north", "North", 20, 200),
                TurnoutRow("area", "east", "East", 3, 100, suppressed=True),
                TurnoutRow("area", "south", "South", 17, 150, suppressed=True),
            ),
        ),
    )
    RENDERERS["xlsx"][1](res, tmp_path / "r.xlsx")
    rows = _grid(load_workbook(tmp_path / "r.xlsx")["Turnout"])
    ballots = {row[4]: row[5] for row in rows[1:] if row[4]}
    assert ballots == {"North": 20, "East": "<5", "South": "[c]"}


def test_a_question_fewer_than_min_cell_answered_says_so_not_how_many(tmp_path: Path) -> None:
    """An optional question 3 people answered: its respondents are a count below 5 like any
    other, "<5" wherever a respondents figure is published (JSON, Excel, the chart's n)."""
    from openpyxl import load_workbook

    extra = Table(
        "extra",
        "choice",
        "",
        "",
        "",
        3,
        (
            Cell("x", "X", 3, 1.0, suppressed=True),
            Cell("y", "Y", 0, 0.0, suppressed=True),
        ),
    )
    res = replace(_small(), tables=(*_small().tables, extra))
    res = replace(res, questions=(*res.questions, ("extra", "choice", "Optional extra?")))
    RENDERERS["json"][1](res, tmp_path / "r.json")
    data = json.loads((tmp_path / "r.json").read_text())
    table = next(t for t in data["tables"] if t["question"] == "extra")
    assert table["respondents"] is None
    RENDERERS["xlsx"][1](res, tmp_path / "r.xlsx")
    grid = _grid(load_workbook(tmp_path / "r.xlsx")["Summary"])
    start = next(i for i, row in enumerate(grid) if row[0] == "Optional extra?")
    respondents = next(row for row in grid[start:] if row[1] == "Respondents")
    assert respondents[2] == "<5"
    overall = next(row for row in grid if row[1] == "Respondents")
    assert overall[2] == 20  # a question most answered keeps its figure


def test_ballots_by_day_are_suppressed_like_any_count(tmp_path: Path) -> None:
    """A day is a group of ballots like any other (a school's visit on its day gives that
    session's size away): 2 ballots on the last day are "<5", and the day that would give
    them away from the total is hidden too ("[c]"), in JSON and Excel alike. A poll of one
    day keeps its figure: it is the number of ballots, published anyway."""
    from openpyxl import load_workbook

    base = replace(_small(), ballots=42)
    days = (("2026-11-24", 40), ("2026-11-25", 2))
    res = apply_suppression(replace(base, turnout=replace(base.turnout, by_day=days)))
    RENDERERS["json"][1](res, tmp_path / "r.json")
    by_day = json.loads((tmp_path / "r.json").read_text())["turnout"]["by_day"]
    assert by_day == [
        {"date": "2026-11-24", "ballots": None, "suppressed": True, "shown": "[c]"},
        {"date": "2026-11-25", "ballots": None, "suppressed": True, "shown": "<5"},
    ]
    RENDERERS["xlsx"][1](res, tmp_path / "r.xlsx")
    rows = _grid(load_workbook(tmp_path / "r.xlsx")["Turnout"])
    assert [row[1] for row in rows[1:3]] == ["[c]", "<5"]
    one = apply_suppression(replace(base, turnout=replace(base.turnout, by_day=days[1:])))
    assert one.turnout.by_day == days[1:]


def test_png_notes_in_welsh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The chart's own words come from prompts/ in the language asked for; markers stay."""
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    written: list[str] = []
    for cls in (Figure, Axes):
        original = cls.text

        def text(self: Any, *args: Any, _original: Any = original, **kwargs: Any) -> Any:
            written.append(str(args[2]))
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(cls, "text", text)
    res = _small()
    RENDERERS["png"][1](res, tmp_path / "cy.png", lang="cy")
    cy = " ".join(written)
    assert "<5: llai na 5" in cy and "[c]: wedi'i guddio i ddiogelu niferoedd bach" in cy
    written.clear()
    RENDERERS["png"][1](res, tmp_path / "en.png")
    en = " ".join(written)
    assert "<5: fewer than 5" in en and "[c]: hidden to protect small numbers" in en
    assert _png_size(tmp_path / "cy.png") == _png_size(tmp_path / "en.png")


def test_staff_exports_stay_english_and_the_welsh_csv_has_the_same_figures(
    tmp_path: Path,
) -> None:
    res = _small()
    write_csv(res, tmp_path / "en.csv")
    write_csv(res, tmp_path / "cy.csv", lang="cy")
    en = list(csv.reader((tmp_path / "en.csv").read_text("utf-8").splitlines()))
    cy = list(csv.reader((tmp_path / "cy.csv").read_text("utf-8").splitlines()))
    assert en[0] == ["poll", "question", "option", "dimension", "group", "count", "share"]
    assert cy[0] == ["pleidlais", "cwestiwn", "ateb", "dadansoddiad", "grŵp", "nifer", "cyfran"]
    assert en[1:] == cy[1:]  # the labels are the poll's: in_language translates them


def _drawn(res: Any, path: Path) -> list[Any]:
    """The matplotlib figures the PNG renderer saved while writing res to path."""
    from matplotlib.figure import Figure

    figures: list[Figure] = []
    original = Figure.savefig

    def savefig(self: Figure, *args: Any, **kwargs: Any) -> None:
        figures.append(self)
        original(self, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(Figure, "savefig", savefig)
        RENDERERS["png"][1](res, path)
    return figures


def test_dollar_signs_are_drawn_as_written(tmp_path: Path) -> None:
    """Matplotlib reads text between two "$" as TeX: a label "a $x^$ b" made the chart (and
    so `markbot export --format png` and `markbot site`) fail with a ValueError traceback, and
    "Tr$ansport$" lost its "$". Every text of the chart is drawn as it is written."""
    from matplotlib.text import Text

    res = _small()
    cells = tuple(
        replace(c, label=label)
        for c, label in zip(
            res.tables[0].cells, ("a $x^$ b", "$\\frac$", "Tr$ansport$"), strict=True
        )
    )
    res = replace(
        res,
        title="Cost $5 or $\\frac{1}",
        tables=(replace(res.tables[0], cells=cells), *res.tables[1:]),
        questions=(("priority", "choice", "Top $priority$ =1+1"),),
    )
    figures = _drawn(res, tmp_path / "p.png")
    drawn = [t for f in figures for t in f.findobj(Text) if "$" in t.get_text()]
    assert {t.get_text() for t in drawn} == {
        "a $x^$ b",
        "$\\frac$",
        "Tr$ansport$",
        "Top $priority$ =1+1",
    }
    assert not any(t.get_parse_math() for t in drawn)
    assert _png_size(tmp_path / "p.png") == chart_size(res)


def test_an_emoji_the_font_lacks_is_drawn_quietly(tmp_path: Path) -> None:
    """An emoji in a label made matplotlib warn "Glyph ... missing from font(s)", with a
    source path, on the stderr of `markbot export --format png` and `markbot site` (and
    fail under this suite's warnings-as-errors), and drew it as an empty box ("☐ Sport").
    Characters the font lacks are now left out of the chart's words ("⚽️ Sport" is drawn
    "Sport"); a label of nothing else keeps them, so its bar still has a name."""
    from matplotlib.text import Text

    from services.exports import _font_chars

    res = _small()
    cells = tuple(replace(c, label=f"⚽️ {c.label} 🌍🎉") for c in res.tables[0].cells)
    res = replace(
        res,
        title="🗳️ Make Your Mark",
        tables=(replace(res.tables[0], cells=cells), *res.tables[1:]),
        questions=(("priority", "choice", "🏀 What matters most? 👨‍👩‍👧"),),
    )
    figures = _drawn(res, tmp_path / "e.png")  # filterwarnings = error: a warning fails
    drawn = [t.get_text() for f in figures for t in f.findobj(Text) if t.get_text()]
    assert "What matters most?" in drawn
    assert {c.label.removeprefix("⚽️ ").removesuffix(" 🌍🎉") for c in cells} <= set(drawn)
    assert all(ord(ch) in _font_chars() for text in drawn for ch in text if ch not in "\n ")
    assert _png_size(tmp_path / "e.png") == chart_size(res)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
async def test_a_full_disk_fails_the_workbook_in_one_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writing a workbook to a full disk raised its OSError (the CLI said "cannot write ...")
    and then printed a dozen "Exception ignored in ... Traceback" blocks from openpyxl's
    unfinished sheets as they were collected. Now only the OSError."""
    import gc
    import sys

    unraisable: list[Any] = []
    monkeypatch.setattr(sys, "unraisablehook", unraisable.append)
    res = await _results(tmp_path)
    with pytest.raises(OSError, match="No space left"):
        RENDERERS["xlsx"][1](res, Path("/dev/full"))
    gc.collect()
    assert [str(u.exc_value) for u in unraisable] == []
    # the temporary folder fills while the sheets stream their rows there
    from openpyxl.worksheet import _writer

    rows = 0
    write_row = _writer.WorksheetWriter.write_row

    def full(self: Any, *args: Any) -> None:
        nonlocal rows
        rows += 1
        if rows == 30:
            raise OSError(28, "No space left on device")
        write_row(self, *args)

    monkeypatch.setattr(_writer.WorksheetWriter, "write_row", full)
    temporary = list(_writer.ALL_TEMP_FILES)
    with pytest.raises(OSError, match="No space left"):
        RENDERERS["xlsx"][1](res, tmp_path / "w.xlsx")
    gc.collect()
    assert [str(u.exc_value) for u in unraisable] == []
    assert temporary == _writer.ALL_TEMP_FILES  # each sheet's own file is gone too
    assert not (tmp_path / "w.xlsx").exists()


def test_long_option_labels_have_room_on_the_chart(tmp_path: Path) -> None:
    """An option's full wording (up to 200 characters) wraps to 6 lines beside its bar, but
    each bar had 60 pixels: the labels were drawn over each other and over the "n = ..."
    line, unreadable in a Cabinet report. Each row is now as tall as its label."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    res = _small()
    words = "Better buses to school, college and work for young people in every village "
    cells = tuple(
        replace(c, label=(f"{i}. " + words * 3)[:200]) for i, c in enumerate(res.tables[0].cells)
    )
    res = replace(res, tables=(replace(res.tables[0], cells=cells), *res.tables[1:]))
    (fig,) = _drawn(res, tmp_path / "long.png")
    renderer = FigureCanvasAgg(fig).get_renderer()
    texts = [t for t in fig.findobj(Text) if t.get_text().strip() and t.get_visible()]
    labels = [t for t in texts if t.get_text()[:3] in ("0. ", "1. ", "2. ")]
    note = next(t for t in texts if t.get_text().startswith("n = "))
    assert len(labels) == 3
    boxes = [t.get_window_extent(renderer) for t in (note, *labels)]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert a.y1 <= b.y0 or b.y1 <= a.y0, (a, b)  # one above the other, never over
    assert all(b.y0 >= 0 for b in boxes)  # and on the picture
    assert _png_size(tmp_path / "long.png") == chart_size(res)
    assert chart_size(_small()) == (1200, 100 + 60 * 3)  # short labels: as before
