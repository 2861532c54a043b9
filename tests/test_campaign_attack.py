"""The combined ranking against a reader who holds every poll's own results beside it.

A campaign export (``ReportService.campaign``) adds up several polls' main questions; each
poll's own export is published too. The reader here holds, for every poll, its main question's
overall table as published (shown counts, first preferences and points; the markers, "<5" for
0..4 and "[c]" for 5 or more; shares; how many answered, or its marker; the ballots) and the
combined table as published (the same figures, each a sum over the polls). An exact integer
search over every poll's hidden counts per place then shows that no hidden small count of any
poll's own table (1..4), and no poll's hidden number of answers, takes only its true value.

The polls are real: parsed, opened and voted in through the store (SQLite: this is arithmetic,
not storage), and the figures are what ``ReportService.results`` and ``campaign`` publish.
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest

from bot.app import open_runtime
from services.paper import headline
from services.pollfile import Poll
from services.results import Results
from services.suppression import group_size, shown
from storage.contract import Store
from storage.records import NewBallot
from tests.conftest import make_settings
from tests.stored import cast, open_poll
from tests.test_suppression_attack import Model, Unsolved

M = 5
BIG = 1 << 20
Choices = tuple[tuple[str, str, int | None], ...]  # one ballot's answers

# Options the polls draw from: (key, its plain label, another poll's label with the key as tag)
POOL = [
    ("parks", "Parks", "Green spaces"),
    ("buses", "Buses", "Bus services"),
    ("clubs", "Clubs", "Youth clubs"),
    ("sport", "Sport", "Sports halls"),
    ("jobs", "Jobs", "Work and training"),
    ("libraries", "Libraries", "Places to study"),
]


def poll_file(rng: random.Random, code: str, kind: str) -> tuple[str, bool]:
    """A poll file whose main question has 2 to 5 of the pool's options, some under another
    label with a tag, and is sometimes optional; and whether it is."""
    picked = rng.sample(POOL, rng.randint(2, 5))
    lines = []
    for key, label, other in picked:
        lines.append(
            f"      - {{label: {other}, tag: {key}}}" if rng.random() < 0.3 else f"      - {label}"
        )
    limit = 1
    extra = ""
    if kind != "choice":
        limit = rng.randint(2, len(picked)) if len(picked) > 2 else 2
        if kind == "rank" and rng.random() < 0.2:
            limit = len(picked)  # no max: every option gets a place
        else:
            extra += f"    max: {limit}\n"
    optional = rng.random() < 0.35
    if optional:
        extra += "    optional: true\n"
    text = (
        f"code: {code}\n"
        "title: Campaign poll\n"
        "questions:\n"
        "  - id: area\n"
        "    kind: choice\n"
        "    text: Where do you live?\n"
        "    options: [North, South]\n"
        "    breakdown: true\n"
        "  - id: main\n"
        f"    kind: {kind}\n"
        "    text: What should the council do first?\n"
        "    options:\n" + "\n".join(lines) + "\n" + extra
    )
    return text, optional


def ballots_for(rng: random.Random, poll: Poll, kind: str, optional: bool) -> list[Choices]:
    """5 to 60 random ballots; options drawn with skewed weights (so small counts arise), an
    optional main question skipped at the poll's own rate."""
    q = headline(poll)
    assert q is not None
    ids = [o.id for o in q.options]
    w = [rng.random() ** 3 + 0.02 for _ in ids]
    skip = rng.choice([0.1, 0.5, 0.85, 0.97]) if optional else 0.0
    full = rng.random() < 0.4
    out: list[Choices] = []
    for _ in range(rng.randint(5, 60)):
        choices: list[tuple[str, str, int | None]] = [
            ("area", rng.choice(["north", "south"]), None)
        ]
        if rng.random() >= skip:
            k = 1 if kind == "choice" else q.limit if full else rng.randint(1, q.limit)
            picked: list[str] = []
            while len(picked) < k:
                o = rng.choices(ids, w)[0]
                if o not in picked:
                    picked.append(o)
            for r, o in enumerate(picked, 1):
                choices.append(("main", o, r if kind == "rank" else None))
        out.append(tuple(choices))
    return out


def key_of(poll: Poll, option: str) -> str:
    q = headline(poll)
    assert q is not None
    o = q.option(option)
    assert o is not None
    return (o.tag or o.label["en"]).casefold()


def bounds(value: int | str, top: int, opaque: bool = False) -> tuple[int, int]:
    """What a published figure says: itself, or its marker's range ("[c]" in an ``opaque``
    table, where every hidden figure shows it, says nothing)."""
    if isinstance(value, int):
        return value, value
    if value == f"<{M}":
        return 0, M - 1
    return (0, top) if opaque else (M, top)


@dataclass
class Target:
    what: tuple
    terms: list[tuple[int, int]]
    value: int


def model_of(
    polls: list[tuple[Poll, Results]], combined: Results | None
) -> tuple[Model, list[Target]]:
    """Everything the reader knows as integer constraints (each poll's own main table, and
    the combined table unless ``combined`` is None); and the figures that must not be pinned."""
    model = Model()
    targets: list[Target] = []
    by_key: dict[str, list[tuple[Poll, list[int]]]] = {}  # key -> (poll, place variables)
    answered: list[int] = []
    for poll, own in polls:
        q = headline(poll)
        assert q is not None
        main = next(
            t for t in own.tables if t.question == q.id and not t.dimension and t.channel == "all"
        )
        places = q.limit if q.kind == "rank" else 1
        top = own.ballots
        size = group_size(main, M)
        lo, hi = bounds(size, top)
        r = model.var(max(lo, size == f"<{M}"), min(hi, top), main.respondents)  # "<5": 1 to 4
        if not q.optional:  # a required question: every ballot answers it
            model.add([(r, 1)], top, top)
        answered.append(r)
        if not isinstance(size, int):
            targets.append(Target((poll.code, "answered"), [(r, 1)], main.respondents))
        rows: list[list[int]] = []
        for cell in main.cells:
            truth = list(cell.places) if q.kind == "rank" else [cell.count]
            vs = [model.var(0, top, v) for v in truth]
            rows.append(vs)
            by_key.setdefault(key_of(poll, cell.option), []).append((poll, vs))
            everything = [(v, 1) for v in vs]
            model.add([*everything, (r, -1)], -BIG, 0)  # one answer holds an option once
            seen = shown(main, cell, M)
            model.add(everything, *bounds(seen.count, top))
            if q.kind == "rank" and isinstance(seen.first, int):
                model.add([(vs[0], 1)], seen.first, seen.first)
            if q.kind == "rank" and isinstance(seen.points, int):
                model.add([(v, places - p) for p, v in enumerate(vs)], seen.points, seen.points)
            if seen.share and isinstance(seen.count, int):  # count / share: the answers
                model.add([(r, 1)], round(seen.count / seen.share), round(seen.count / seen.share))
            if cell.suppressed:
                figures = [("count", everything, cell.count)]
                if q.kind == "rank":
                    figures += [(f"place{p + 1}", [(v, 1)], truth[p]) for p, v in enumerate(vs)]
                targets += [
                    Target((poll.code, cell.option, name), terms, value)
                    for name, terms, value in figures
                    if 0 < value < M
                ]
        # each place adds up to the answers holding it
        prev = None
        for p in range(places):
            column = [(vs[p], 1) for vs in rows]
            total = model.var(0, BIG, sum(model.truth[v] for v, _ in column))
            model.add([*column, (total, -1)], 0, 0)
            if q.kind == "choice" or (q.kind == "rank" and p == 0):
                model.add([(total, 1), (r, -1)], 0, 0)
            elif q.kind == "multi":
                model.add([(total, 1), (r, -1)], 0, BIG)
                model.add([(total, 1), (r, -q.limit)], -BIG, 0)
            else:
                model.add([(prev, 1), (total, -1)], 0, BIG)  # 2nd places <= 1st ...
            prev = total
    if combined is not None:
        (table,) = combined.tables
        total_size = group_size(table, M)
        everyone = [(r, 1) for r in answered]
        model.add(everyone, *bounds(total_size, BIG, table.opaque))
        for cell in table.cells:
            parts = by_key[cell.option]
            seen = shown(table, cell, M)
            count = [(v, 1) for _, vs in parts for v in vs]
            model.add(count, *bounds(seen.count, BIG, table.opaque))
            if table.kind == "rank" and isinstance(seen.first, int):
                model.add([(vs[0], 1) for _, vs in parts], seen.first, seen.first)
            if table.kind == "rank" and isinstance(seen.points, int):
                points = [
                    (v, headline(poll).limit - p)  # type: ignore[union-attr]
                    for poll, vs in parts
                    for p, v in enumerate(vs)
                ]
                model.add(points, seen.points, seen.points)
            if seen.share and isinstance(seen.count, int):
                n = round(seen.count / seen.share)
                model.add(everyone, n, n)
    assert model.holds()
    return model, targets


async def vote(
    store: Store,
    poll: Poll,
    poll_id: int,
    rows: list[Choices],
    rng: random.Random,
) -> None:
    """The ballots into the store: one paper file (one transaction: quick), and in about half
    the polls a few of them through Telegram first (then results show each channel apart)."""
    online = rng.randint(1, max(1, len(rows) // 3)) if rng.random() < 0.5 else 0
    for n, choices in enumerate(rows[:online]):
        await cast(store, poll, poll_id, choices, count=1, first=n, now=1_790_000_000)
    paper = [
        NewBallot(
            poll_id,
            "2026-11-18",
            channel="paper",
            choices=choices,
            groups=poll.group_key(choices, None, channel="paper", paper=True),
        )
        for choices in rows[online:]
    ]
    if paper:
        await store.import_paper(poll_id, f"{poll_id:064x}", "paper.csv", paper, "2026-11-18")


@dataclass
class Tally:
    campaigns: int = 0
    targets: int = 0
    owned: int = 0  # pinned by a poll's own table alone, which its suppression warned of
    leaks: list[tuple] = field(default_factory=list)
    unsolved: int = 0


def attack(
    polls: list[tuple[Poll, Results]], combined: Results, warned: set[str], tally: Tally
) -> None:
    """Every target, with the combined table and (when pinned) without it: a figure the
    polls' own tables pin already is the poll's suppression's limit, and it must have said so
    (``warned``: the polls whose results logged that small counts could be worked out)."""
    full, targets = model_of(polls, combined)
    own, _ = model_of(polls, None)
    for t in targets:
        tally.targets += 1
        try:
            if full.other_value(t.terms):
                continue
            if not own.other_value(t.terms) and t.what[0] in warned:
                tally.owned += 1
                continue
        except Unsolved:
            tally.unsolved += 1
            continue
        tally.leaks.append((t.what, t.value))


class Warnings(logging.Handler):
    """Counts the suppression's warnings that small counts could still be worked out."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.seen += "could still be worked out" in record.getMessage()


async def run_campaigns(
    tmp_path: Path, database_url: str | None, seed: int, n: int, tally: Tally
) -> None:
    """``n`` random campaigns, each attacked (see ``attack``)."""
    rng = random.Random(seed)
    rt = await open_runtime(make_settings(tmp_path, database_url))
    warnings = Warnings()
    logging.getLogger("services.suppression").addHandler(warnings)
    try:
        reports = rt.services.reports
        for c in range(n):
            kind = rng.choice(["choice", "multi", "rank"])
            polls: list[tuple[Poll, Results]] = []
            warned: set[str] = set()
            for j in range(rng.randint(2, 4)):
                code = f"camp-{seed}-{c}-{j}"
                text, optional = poll_file(rng, code, kind)
                poll, poll_id = await open_poll(rt, text, f"{code}.yaml")
                await vote(rt.store, poll, poll_id, ballots_for(rng, poll, kind, optional), rng)
                before = warnings.seen
                polls.append((poll, await reports.results(code, M)))
                if warnings.seen > before:
                    warned.add(code)
            combined = await reports.campaign([p.code for p, _ in polls], M)
            tally.campaigns += 1
            attack(polls, combined, warned, tally)
    finally:
        logging.getLogger("services.suppression").removeHandler(warnings)
        await rt.close()


@pytest.mark.sqlite_only("the arithmetic of published figures: no storage behaviour")
async def test_random_campaigns_pin_no_poll_s_hidden_figure(
    tmp_path: Path, database_url: str | None
) -> None:
    """Random campaigns of 2 to 4 polls (choice, multi or rank; options some polls lack;
    optional questions skipped by many): every hidden small count and hidden number of
    answers of every poll keeps more than one value with the combined table beside them."""
    tally = Tally()
    await run_campaigns(tmp_path, database_url, 22, 120, tally)
    print(tally)
    assert tally.leaks == [], tally.leaks
    assert tally.campaigns == 120 and tally.targets >= 600, tally
    assert tally.unsolved <= tally.targets // 100 and tally.owned <= 3, tally


TWO_POLLS = [
    # (code, options, ballots per option): Clubs is 1 in one poll and 4 in the other, "<5" in
    # both; by its own table the first poll's Clubs is 0 or 1 (36 ballots, 35 shown), and the
    # second's at most 4 (Sport, "[c]", holds at least 5 of the 11 hidden)
    ("camp-a", ["Jobs", "Clubs", "Libraries", "Buses", "Sport"],
     {"jobs": 20, "buses": 15, "clubs": 1}),
    ("camp-b", ["Buses", "Clubs", "Libraries", "Sport"],
     {"buses": 23, "libraries": 12, "sport": 7, "clubs": 4}),
]  # fmt: skip


@pytest.mark.sqlite_only("the arithmetic of published figures: no storage behaviour")
async def test_a_combined_marker_pins_no_poll_s_hidden_count(
    tmp_path: Path, database_url: str | None
) -> None:
    """Found by the search above: Clubs added up to 5 and the combined table marked it "[c]",
    5 or more, so the two polls' hidden counts (at most 1 and at most 4 by their own tables)
    had to be 1 and 4. Every hidden figure of a combined table is now "[c]" whatever its size,
    which says nothing of the sum."""
    rt = await open_runtime(make_settings(tmp_path, database_url))
    try:
        polls = []
        for code, options, votes in TWO_POLLS:
            text = poll_file(random.Random(0), code, "choice")[0].split("    options:\n")[0]
            text += "    options: [" + ", ".join(options) + "]\n"
            poll, poll_id = await open_poll(rt, text, f"{code}.yaml")
            rows = [(("area", "north", None), ("main", o, None)) for o, n in votes.items()]
            await vote(rt.store, poll, poll_id, [r for r in rows for _ in range(votes[r[1][1]])],
                       random.Random(1))  # fmt: skip
            polls.append((poll, await rt.services.reports.results(code, M)))
        combined = await rt.services.reports.campaign([code for code, _, _ in TWO_POLLS], M)
        path = await rt.services.reports.export(["camp-a", "camp-b"], "json", tmp_path, M)
    finally:
        await rt.close()
    (table,) = combined.tables
    clubs = next(c for c in table.cells if c.option == "clubs")
    assert clubs.count == 5 and clubs.suppressed
    published = json.loads(path.read_text(encoding="utf-8"))["tables"][0]["cells"]
    assert {c["label"]: c["shown"] for c in published if c["count"] is None} == {
        "Clubs": "[c]",
        "Libraries": "[c]",  # 12, hidden as the first poll hides its 0
        "Sport": "[c]",
    }
    model, targets = model_of(polls, combined)
    small = [t for t in targets if t.what[1] == "clubs"]
    assert [t.value for t in small] == [1, 4]
    assert all(model.other_value(t.terms) for t in small)
    # with the markers read as sizes ("[c]": 5 or more), both were pinned
    before, _ = model_of(polls, replace(combined, tables=(replace(table, opaque=False),)))
    assert not any(before.other_value(t.terms) for t in small)
