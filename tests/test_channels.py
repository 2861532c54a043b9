"""Every result shows Telegram, web and paper apart and together, with the same suppression,
and exports say how many web ballots came with a voting code or an open link."""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator
from pathlib import Path

import openpyxl
import pytest

from bot.app import Runtime, open_runtime
from services.codes import normalize
from storage.records import NewBallot
from tests.conftest import SIMPLE_POLL, make_settings


@pytest.fixture
async def rt(tmp_path: Path, database_url: str | None) -> AsyncIterator[Runtime]:
    """markbot's services with the test poll open, on each backend in turn."""
    runtime = await open_runtime(make_settings(tmp_path, database_url))
    await runtime.services.polls.create(
        runtime.services.polls.parse(SIMPLE_POLL, "t.yaml"), status="open"
    )
    try:
        yield runtime
    finally:
        await runtime.close()


async def _cast(rt: Runtime, channel: str, priority: str, n: int, code: str | None = None) -> None:
    loaded = await rt.services.polls.by_code("test-poll")
    assert loaded is not None
    row, poll = loaded
    for i in range(n):
        choices = (("age", "13-15", None), ("area", "north", None), ("priority", priority, None))
        ballot = NewBallot(
            row.id,
            "2026-12-01",
            channel=channel,
            choices=choices,
            groups=poll.group_key(choices, None, channel=channel, paper=channel == "paper"),
        )
        voter = (
            rt.services.journey._hasher.code("test-poll", normalize(code) or code)
            if code and i == 0
            else f"{channel}-{priority}-{i}".encode()
        )
        await rt.store.cast_ballot(ballot, voter, None, 1_796_000_000)


async def test_each_channel_apart_and_together(rt: Runtime, tmp_path: Path) -> None:
    codes = await rt.services.codes.make("test-poll", 6)
    await _cast(rt, "telegram", "jobs", 7)
    await _cast(rt, "telegram", "climate", 5)
    for code in codes:
        await _cast(rt, "web", "climate", 1, code)  # six with a voting code
    await _cast(rt, "web", "jobs", 6)  # six with the open link
    await _cast(rt, "paper", "jobs", 5)
    out = tmp_path / "r.csv"
    await rt.services.reports.export("test-poll", "csv", out, 5)
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    by = {
        (r["dimension"], r["group"], r["option"]): r["count"]
        for r in rows
        if r["question"] == "priority"
    }
    assert by[("", "", "Jobs")] == "18" and by[("", "", "Climate")] == "11"
    assert by[("channel", "telegram", "Jobs")] == "7"
    assert by[("channel", "telegram", "Climate")] == "5"
    assert by[("channel", "web", "Jobs")] == "6" and by[("channel", "web", "Climate")] == "6"
    assert by[("channel", "paper", "Jobs")] == "5"
    assert by[("channel", "paper", "Climate")] in ("0", "<5", "[c]")
    path = tmp_path / "r.json"
    await rt.services.reports.export("test-poll", "json", path, 5)
    modes = json.loads(path.read_text(encoding="utf-8"))["web_ballots_by_mode"]
    assert modes == {
        "codes": {"ballots": 6, "suppressed": False},
        "open": {"ballots": 6, "suppressed": False},
    }


async def test_a_small_channel_is_suppressed_like_any_group(rt: Runtime, tmp_path: Path) -> None:
    codes = await rt.services.codes.make("test-poll", 2)
    await _cast(rt, "telegram", "jobs", 9)
    await _cast(rt, "telegram", "climate", 6)
    for code in codes:
        await _cast(rt, "web", "climate", 1, code)
    await _cast(rt, "web", "jobs", 4)
    path = tmp_path / "r.json"
    await rt.services.reports.export("test-poll", "json", path, 5)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["web_ballots_by_mode"] == {
        "codes": {"ballots": None, "suppressed": True},
        "open": {"ballots": None, "suppressed": True},
    }
    out = tmp_path / "r.csv"
    await rt.services.reports.export("test-poll", "csv", out, 5)
    text = out.read_text(encoding="utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    web = {r["option"]: r["count"] for r in rows if r["group"] == "web"}
    assert web["Climate"] == "<5" and web["Jobs"] == "<5"  # 2 and 4
    assert web["13-15"] == "6"  # the channel's own size is not small
    tg = {r["option"]: r["count"] for r in rows if r["group"] == "telegram"}
    overall = {r["option"]: r["count"] for r in rows if not r["dimension"]}
    for option in ("Jobs", "Climate"):  # all = telegram + web: one more hidden in each row
        assert "[c]" in (tg[option], overall[option]), (option, tg, overall)


async def test_results_in_telegram_name_each_channel(rt: Runtime) -> None:
    await _cast(rt, "telegram", "jobs", 7)
    await _cast(rt, "web", "climate", 6)
    await _cast(rt, "paper", "jobs", 2)
    text, _ = await rt.services.reports.summary("test-poll", 5, "en")
    # "web 6" beside "15 ballots" would give paper away (15 - 7 - 6 = 2): hidden too
    assert "15 ballots" in text
    assert "By channel: Telegram 7 · web [c] · paper &lt;5" in text  # Telegram HTML
    text, _ = await rt.services.reports.summary("test-poll", 5, "cy")
    assert "Fesul sianel: Telegram 7 · gwe [c] · papur &lt;5" in text


async def test_turnout_hides_what_the_breakdown_table_hides(rt: Runtime, tmp_path: Path) -> None:
    """3 'prefer not to say' ballots are hidden in the area table, and so is the count that
    would give them away; turnout by group must not publish that count either."""
    loaded = await rt.services.polls.by_code("test-poll")
    assert loaded is not None
    row, poll = loaded
    for n, area in enumerate(["north"] * 26 + ["south"] * 22 + ["prefer-not-to-say"] * 3):
        choices = (("age", "13-15", None), ("area", area, None), ("priority", "jobs", None))
        ballot = NewBallot(row.id, "2026-12-01", choices=choices, groups=poll.group_key(choices))
        await rt.store.cast_ballot(ballot, f"t-{n}".encode(), None, 1_796_000_000)
    path = tmp_path / "r.json"
    await rt.services.reports.export("test-poll", "json", path, 5)
    data = json.loads(path.read_text(encoding="utf-8"))
    area = next(t for t in data["tables"] if t["question"] == "area" and not t["dimension"])
    hidden = {c["option"] for c in area["cells"] if c.get("count") is None}
    assert "prefer-not-to-say" in hidden and len(hidden) >= 2
    text = path.read_text(encoding="utf-8")
    turnout = json.loads(text)["turnout"]
    shown = {r["group"]: r["ballots"] for r in turnout["by_group"] if r.get("dimension") == "area"}
    assert shown["north"] == 26 or "north" in hidden  # shown rows carry their count
    for option in hidden:
        assert option in shown and shown[option] is None, (option, shown)


def test_each_channel_s_marker_is_true_of_its_size() -> None:
    """ "By channel" in /results: a channel withheld for being small is "<5"; one hidden so
    another can't be worked out is "[c]" (5 or more); one withheld only because its whole
    breakdown had to be shows its size. Never "<5" on a channel of 17 or 30."""
    from prompts import load_catalog
    from services.pollfile import CHANNEL
    from services.reports import ReportService
    from services.results import Cell, Results, Table

    def table(channel: str, n: int, **flags: bool) -> Table:
        cells = (Cell("jobs", "Jobs", n, 1.0, suppressed=True),)
        return Table("priority", "choice", CHANNEL, channel, channel, n, cells, channel, **flags)

    results = Results(
        "p",
        "P",
        50,
        5,
        (
            table("telegram", 30, withheld=True),
            table("web", 17, withheld=True, size_hidden=True),
            table("paper", 3, withheld=True, size_hidden=True),
        ),
    )
    reports = ReportService(None, None, load_catalog())  # type: ignore[arg-type]
    line = reports._by_channel(results, "priority", "en")
    assert line == "Telegram 30 · web [c] · paper <5", line


async def test_results_in_telegram_give_no_place_to_a_hidden_count(rt: Runtime) -> None:
    """/results numbers the options it shows, 1st, 2nd...; a hidden one gets no number (hidden
    ones come last in label order, so a number there would be a place it may not have: a
    count hidden to protect another can be the largest)."""
    await _cast(rt, "telegram", "climate", 9)
    await _cast(rt, "telegram", "transport", 7)
    await _cast(rt, "telegram", "jobs", 3)
    text, _ = await rt.services.reports.summary("test-poll", 5, "en")
    lines = [s for s in text.splitlines() if "Jobs" in s or "Climate" in s or "Transport" in s]
    assert lines[0].startswith("1. ")
    hidden = [s for s in lines if "fewer than" in s or "hidden" in s]
    assert hidden and not any(s[:1].isdigit() for s in hidden), hidden


async def test_a_combined_ranking_gives_away_no_poll_s_hidden_count(
    rt: Runtime, tmp_path: Path
) -> None:
    """Jobs is 3 in test-poll (hidden there) and 6 in other-poll (shown): a combined count of
    9 would give the 3 away (9 - 6), so an option any poll hides is hidden combined too."""
    other = SIMPLE_POLL.replace("code: test-poll", "code: other-poll")
    await rt.services.polls.create(rt.services.polls.parse(other, "o.yaml"), status="open")
    await _cast(rt, "telegram", "climate", 9)
    await _cast(rt, "telegram", "transport", 7)
    await _cast(rt, "telegram", "jobs", 3)
    loaded = await rt.services.polls.by_code("other-poll")
    assert loaded is not None
    row, poll = loaded
    for n, priority in enumerate(
        ["jobs"] * 6 + ["climate"] * 8 + ["transport"] * 6 + ["mental-health"] * 5
    ):
        choices = (("age", "13-15", None), ("area", "north", None), ("priority", priority, None))
        ballot = NewBallot(row.id, "2026-12-01", choices=choices, groups=poll.group_key(choices))
        await rt.store.cast_ballot(ballot, f"o-{n}".encode(), None, 1_796_000_000)
    own = tmp_path / "own.csv"
    await rt.services.reports.export("test-poll", "csv", own, 5)
    mine = {
        r["option"]: r["count"]
        for r in csv.DictReader(own.read_text().splitlines())
        if r["question"] == "priority" and not r["dimension"]
    }
    assert mine["Jobs"] == "<5"
    out = tmp_path / "c.csv"
    await rt.services.reports.export(["test-poll", "other-poll"], "csv", out, 5)
    combined = {r["option"]: r["count"] for r in csv.DictReader(out.read_text().splitlines())}
    for label, count in mine.items():
        if count in ("<5", "[c]"):  # hidden in its own poll: hidden in the combination too
            assert combined[label] in ("<5", "[c]"), (label, combined)
    assert combined["Climate"] == "17"  # shown in every poll: the sum says nothing new


async def _cast_in(rt: Runtime, code: str, priorities: list[str | None]) -> None:
    """One Telegram ballot per entry into poll ``code`` (None: the question left out)."""
    loaded = await rt.services.polls.by_code(code)
    assert loaded is not None
    row, poll = loaded
    for n, priority in enumerate(priorities):
        choices: tuple[tuple[str, str, None], ...] = (
            ("age", "13-15", None),
            ("area", "north", None),
        )
        if priority:
            choices += (("priority", priority, None),)
        ballot = NewBallot(row.id, "2026-12-01", choices=choices, groups=poll.group_key(choices))
        await rt.store.cast_ballot(ballot, f"{code}-{n}".encode(), None, 1_796_000_000)


async def test_a_combined_ranking_gives_away_no_poll_s_hidden_number_of_answers(
    rt: Runtime, tmp_path: Path
) -> None:
    """An optional main question 3 of 20 answered: its own results say "<5" answered. The
    combined respondents (3 + 25 = 28) less the other poll's 25 would give the 3 away, and so
    would any count over its share: so the combined respondents and every share are hidden."""
    optional = SIMPLE_POLL.replace("code: test-poll", "code: opt-poll").replace(
        "options: [Mental health, Transport, Climate, Jobs]\n",
        "options: [Mental health, Transport, Climate, Jobs]\n    optional: true\n",
    )
    other = SIMPLE_POLL.replace("code: test-poll", "code: big-poll")
    for text, name in ((optional, "o.yaml"), (other, "b.yaml")):
        await rt.services.polls.create(rt.services.polls.parse(text, name), status="open")
    await _cast_in(rt, "opt-poll", ["jobs", "jobs", "climate"] + [None] * 17)
    await _cast_in(rt, "big-poll", ["jobs"] * 6 + ["climate"] * 8 + ["transport"] * 11)
    own = tmp_path / "own.json"
    await rt.services.reports.export("opt-poll", "json", own, 5)
    (main,) = [
        t
        for t in json.loads(own.read_text())["tables"]
        if t["question"] == "priority" and not t["dimension"] and t["channel"] == "all"
    ]
    assert main["respondents"] is None  # "<5" answered
    out = tmp_path / "c.json"
    await rt.services.reports.export(["opt-poll", "big-poll"], "json", out, 5)
    data = json.loads(out.read_text())
    (table,) = data["tables"]
    assert table["respondents"] is None
    assert "In this combined ranking every hidden figure is shown as [c]" in data["rule"]
    await rt.services.reports.export(["opt-poll", "big-poll"], "json", out, 5, lang="cy")
    assert "Yn y rhestr gyfunol hon" in json.loads(out.read_text())["rule"]
    await rt.services.reports.export(["opt-poll", "big-poll"], "json", out, 5)
    counts = {c["label"]: c["count"] for c in table["cells"]}
    # every count of opt-poll's question is hidden there (zeros too), so every combined one is
    assert set(counts.values()) == {None}
    assert all(c["share"] is None for c in table["cells"])
    csv_out = tmp_path / "c.csv"
    await rt.services.reports.export(["opt-poll", "big-poll"], "csv", csv_out, 5)
    assert "28" not in csv_out.read_text()
    assert {r["share"] for r in csv.DictReader(csv_out.read_text().splitlines())} == {""}
    xlsx = tmp_path / "c.xlsx"
    await rt.services.reports.export(["opt-poll", "big-poll"], "xlsx", xlsx, 5)
    book = openpyxl.load_workbook(xlsx)
    assert 28 not in {c.value for ws in book for row in ws.iter_rows() for c in row}
    png = tmp_path / "c.png"
    await rt.services.reports.export(["opt-poll", "big-poll"], "png", png, 5)
    assert png.read_bytes().startswith(b"\x89PNG")
    # with both polls' answers published in full, the size and shares come back
    await _cast(rt, "telegram", "climate", 9)
    await rt.services.reports.export(["test-poll", "big-poll"], "json", out, 5)
    (table,) = json.loads(out.read_text())["tables"]
    assert table["respondents"] == 34
    assert any(c["share"] for c in table["cells"])
