"""Black-box review blackbox26 (issue 14): polls of shapes the other tests do not use,
scripted voters through Telegram (the stand-in), the web (HTTP) and paper, and every count an
officer or the public sees compared with tallies worked out here from what each voter did
(every test on SQLite and on PostgreSQL: conftest's ``database_url``)."""

from __future__ import annotations

import asyncio
import csv
import html
import io
import json
import re
import time
from collections import Counter, defaultdict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import Harness, make_settings, start_markbot

from services.site import SiteService
from standin import BotApiStandin, FakeUser
from tests.stored import count
from tests.webclient import Browser, Page, web_client

OWNER = 9026

# Breakdowns: age (with an ineligible band), respondent type and area; the option text "Parks"
# in three questions; a multi (optional, up to 2), a rank of 7 (top 3) and an optional text
# question. Partly Welsh: every question and option has Welsh, so Welsh speakers get Welsh.
MAIN_POLL = """\
code: bb26-main
title: {en: Our town 2026, cy: Ein tref 2026}
web: open
questions:
  - id: age
    kind: choice
    text: {en: "How old are you?", cy: "Faint yw dy oed di?"}
    options:
      - {id: under-11, label: {en: Under 11, cy: O dan 11}}
      - {id: 11-13, label: {en: 11-13, cy: 11-13}}
      - {id: 14-16, label: {en: 14-16, cy: 14-16}}
      - {id: 17-19, label: {en: 17-19, cy: 17-19}}
    ineligible: [Under 11]
    breakdown: true
  - id: who
    kind: choice
    text: {en: "Which best describes you?", cy: "Beth sy'n dy ddisgrifio di orau?"}
    options:
      - {id: pupil, label: {en: Pupil, cy: Disgybl}}
      - {id: worker, label: {en: Youth worker, cy: Gweithiwr ieuenctid}}
      - {id: carer, label: {en: Parent or carer, cy: Rhiant neu ofalwr}}
    breakdown: true
  - id: area
    kind: choice
    text: {en: "Where do you live?", cy: "Ble rwyt ti'n byw?"}
    options:
      - {id: north, label: {en: North, cy: Gogledd}}
      - {id: south, label: {en: South, cy: De}}
    breakdown: true
  - id: fav
    kind: choice
    text: {en: "Which one matters most?", cy: "Pa un sydd bwysicaf?"}
    options:
      - {id: parks, label: {en: Parks, cy: Parciau}}
      - {id: buses, label: {en: Buses, cy: Bysiau}}
      - {id: jobs, label: {en: Jobs, cy: Swyddi}}
  - id: picks
    kind: multi
    max: 2
    optional: true
    text: {en: "Pick up to two things to do", cy: "Dewis hyd at ddau beth i'w wneud"}
    options:
      - {id: parks, label: {en: Parks, cy: Parciau}}
      - {id: sport, label: {en: Sport, cy: Chwaraeon}}
      - {id: music, label: {en: Music, cy: Cerddoriaeth}}
      - {id: art, label: {en: Art, cy: Celf}}
  - id: order
    kind: rank
    max: 3
    text: {en: "Put your top 3 in order", cy: "Rho dy 3 uchaf mewn trefn"}
    options:
      - {id: parks, label: {en: Parks, cy: Parciau}}
      - {id: buses, label: {en: Buses, cy: Bysiau}}
      - {id: jobs, label: {en: Jobs, cy: Swyddi}}
      - {id: clubs, label: {en: Clubs, cy: Clybiau}}
      - {id: sport, label: {en: Sport, cy: Chwaraeon}}
      - {id: music, label: {en: Music, cy: Cerddoriaeth}}
      - {id: safety, label: {en: Safety, cy: Diogelwch}}
  - id: why
    kind: text
    optional: true
    text: {en: "Anything else?", cy: "Unrhyw beth arall?"}
"""

LABELS = {
    "age": {"11-13": "11-13", "14-16": "14-16", "17-19": "17-19", "prefer-not-to-say": ""},
    "who": {"pupil": "Pupil", "worker": "Youth worker", "carer": "Parent or carer"},
    "area": {"north": "North", "south": "South"},
    "fav": {"parks": "Parks", "buses": "Buses", "jobs": "Jobs"},
    "picks": {"parks": "Parks", "sport": "Sport", "music": "Music", "art": "Art"},
    "order": {
        "parks": "Parks",
        "buses": "Buses",
        "jobs": "Jobs",
        "clubs": "Clubs",
        "sport": "Sport",
        "music": "Music",
        "safety": "Safety",
    },
}
WELSH = {
    "Pupil": "Disgybl",
    "Youth worker": "Gweithiwr ieuenctid",
    "Parent or carer": "Rhiant neu ofalwr",
    "North": "Gogledd",
    "South": "De",
    "Parks": "Parciau",
    "Buses": "Bysiau",
    "Jobs": "Swyddi",
    "Clubs": "Clybiau",
    "Sport": "Chwaraeon",
    "Music": "Cerddoriaeth",
    "Art": "Celf",
    "Safety": "Diogelwch",
}
BREAKDOWNS = ("age", "who", "area")
PLACES = 3  # the rank question's max: Borda points are 3, 2, 1


@dataclass
class Ballot:
    """What one voter sent, by option id (the test's own record of the vote)."""

    channel: str  # telegram, web, paper
    age: str
    who: str
    area: str
    fav: str
    picks: list[str] = field(default_factory=list)
    order: list[str] = field(default_factory=list)
    why: str = ""


# --- the expected tallies, worked out from the ballots -----------------------------------


def expected(ballots: list[Ballot]) -> dict[tuple[str, str, str, str], dict[str, int]]:
    """(question, option, dimension, group) -> {"count", "first", "points"} for every option
    of every question, overall (dimension "") and per breakdown group and channel."""
    out: dict[tuple[str, str, str, str], dict[str, int]] = defaultdict(
        lambda: {"count": 0, "first": 0, "points": 0}
    )
    channels = {b.channel for b in ballots}
    for b in ballots:
        groups = [("", "")] + [(d, getattr(b, d)) for d in BREAKDOWNS]
        if len(channels) > 1:
            groups.append(("channel", b.channel))
        for dim, grp in groups:
            for q in ("age", "who", "area", "fav"):
                out[(q, getattr(b, q), dim, grp)]["count"] += 1
            for o in b.picks:
                out[("picks", o, dim, grp)]["count"] += 1
            for place, o in enumerate(b.order, start=1):
                cell = out[("order", o, dim, grp)]
                cell["count"] += 1
                cell["first"] += place == 1
                cell["points"] += PLACES + 1 - place
    return out


def respondents(ballots: list[Ballot], q: str, dim: str = "", grp: str = "") -> int:
    chosen = [b for b in ballots if not dim or _group_of(b, dim) == grp]
    if q == "picks":
        return sum(1 for b in chosen if b.picks)
    if q == "why":
        return sum(1 for b in chosen if b.why)
    return len(chosen)


def _group_of(b: Ballot, dim: str) -> str:
    return b.channel if dim == "channel" else str(getattr(b, dim))


# --- Telegram voters ------------------------------------------------------------------------


def _button(user: FakeUser, label: str) -> str:
    """The exact text of the newest keyboard's button for ``label`` (a multi's "☐ X" or
    "☑ X" too), so that "Parks" never presses a button that only contains it."""
    message = user.last_bot_message()
    assert message is not None
    texts = [t for row in message["buttons"] for t in row]
    for text in texts:
        if text == label or text in (f"☐ {label}", f"☑ {label}"):
            return text
    raise LookupError(f"no button {label!r} in {texts}")


async def tap(user: FakeUser, label: str) -> str:
    await user.press(_button(user, label))
    return (await user.next_output()).plain


async def settle(h: Harness, user: FakeUser) -> str:
    """Wait until the bot has done everything, then the newest bot message's text."""
    await h.standin.wait_idle()
    user.drain()
    user.drain_callback_answers()
    message = user.last_bot_message()
    assert message is not None
    return str(message.get("text", ""))


async def tg_answers(
    h: Harness, user: FakeUser, b: Ballot, *, welsh: bool = False, after: str | None = None
) -> None:
    """From the first question (or the one after ``after``) to the check screen, tapping as
    ``b`` says."""
    tr = (lambda s: WELSH.get(s, s)) if welsh else (lambda s: s)
    single = ("age", "who", "area", "fav")
    for q in single[single.index(after) + 1 :] if after else single:
        await tap(user, tr(LABELS[q][getattr(b, q)]))
    for o in b.picks:
        await tap(user, tr(LABELS["picks"][o]))
    await tap(user, _done(user))  # an optional multi left empty: Done (there is no Skip)
    for o in b.order:
        await tap(user, tr(LABELS["order"][o]))
    await tap(user, _done(user))
    if b.why:
        await user.send_text(b.why)
        await user.next_output()
    else:
        await tap(user, _skip(user))


def _done(user: FakeUser) -> str:
    """The keyboard's Done button (Wedi gorffen in Welsh)."""
    message = user.last_bot_message()
    assert message is not None
    return _one(message, lambda t: t in ("Done", "Wedi gorffen"))


def _skip(user: FakeUser) -> str:
    message = user.last_bot_message()
    assert message is not None
    return _one(message, lambda t: "Skip" in t or "Hepgor" in t)


def _one(message: dict[str, Any], wanted: Any) -> str:
    texts = [t for row in message["buttons"] for t in row]
    found = [t for t in texts if wanted(t)]
    assert found, (texts, str(message.get("text", ""))[:300])
    return str(found[0])


async def tg_start(user: FakeUser, payload: str = "bb26-main") -> str:
    await user.send_command("start", payload)
    await user.next_output()
    message = user.last_bot_message()
    assert message is not None
    return await tap(user, str(message["buttons"][0][0]))  # Start / Dechrau


async def tg_send(user: FakeUser) -> str:
    message = user.last_bot_message()
    assert message is not None
    assert message["buttons"], [m.get("text", "")[:80] for m in user.messages[-4:]]
    return await tap(user, str(message["buttons"][0][0]))  # Send my answers


# --- web voters -----------------------------------------------------------------------------


async def web_vote(
    client: Any, b: Ballot, code: str = "bb26-main", *, lang: str = "en", start: Any = None
) -> Page:
    br = Browser(client)
    page = await br.get(f"/v/{code}?lang={lang}")
    assert page.status == 200, page.plain[:300]
    page = await br.submit(f"/v/{code}/start", start or {})
    assert page.url == f"/v/{code}/q/0", page.plain[:300]
    await web_answers(br, b, code)
    return await br.submit(f"/v/{code}/send", {})


async def web_answers(br: Browser, b: Ballot, code: str = "bb26-main") -> Page:
    page = None
    for i, q in enumerate(("age", "who", "area", "fav")):
        page = await br.submit(f"/v/{code}/q/{i}", {"answer": getattr(b, q)})
    page = await br.submit(
        f"/v/{code}/q/4", [("answer", o) for o in b.picks] if b.picks else {"skip": "1"}
    )
    ranks = {f"rank{n}": o for n, o in enumerate(b.order, start=1)}
    page = await br.submit(f"/v/{code}/q/5", ranks)
    page = await br.submit(f"/v/{code}/q/6", {"answer": b.why} if b.why else {"skip": "1"})
    assert page.url == f"/v/{code}/check", (page.url, page.status, b, page.plain[300:1200])
    return page


# --- reading what officers and the public see --------------------------------------------


def read_csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _label_maps() -> dict[str, dict[str, str]]:
    """question -> label -> option id (English labels, as the staff CSV has them)."""
    maps = {q: {v: k for k, v in m.items() if v} for q, m in LABELS.items()}
    for dim in BREAKDOWNS:  # every breakdown offers it (added where the file lacks it)
        maps[dim]["Prefer not to say"] = "prefer-not-to-say"
    return maps


def _groups() -> dict[str, dict[str, str]]:
    g = _label_maps()
    return {
        "age": g["age"],
        "who": g["who"],
        "area": g["area"],
        "channel": {"telegram": "telegram", "web": "web", "paper": "paper"},
    }


def check_csv_exact(rows: list[dict[str, str]], ballots: list[Ballot]) -> int:
    """Every count in an unsuppressed CSV equals the tally worked out here; returns how many
    rows were compared."""
    want = expected(ballots)
    labels, groups = _label_maps(), _groups()
    compared = 0
    for row in rows:
        q = row["question"]
        if q not in labels:
            continue
        option = labels[q][row["option"]]
        dim = row["dimension"]
        grp = groups[dim][row["group"]] if dim else ""
        cell = want.get((q, option, dim, grp), {"count": 0, "first": 0, "points": 0})
        assert int(row["count"]) == cell["count"], (row, cell)
        answered = respondents(ballots, q, dim, grp)
        share = cell["count"] / answered if answered else 0.0
        assert abs(float(row["share"] or 0) - share) < 0.00006, (row, answered)
        if q == "order":
            assert int(row["first"]) == cell["first"], (row, cell)
            assert int(row["points"]) == cell["points"], (row, cell)
        compared += 1
    return compared


def check_csv_suppressed(rows: list[dict[str, str]], ballots: list[Ballot], floor: int) -> None:
    """A suppressed CSV: every figure shown is exact, no figure of 1 to floor-1 is shown, and a
    "<5" marker stands only for a figure under the floor."""
    want = expected(ballots)
    labels, groups = _label_maps(), _groups()
    for row in rows:
        q = row["question"]
        if q not in labels:
            continue
        dim = row["dimension"]
        grp = groups[dim][row["group"]] if dim else ""
        cell = want.get((q, labels[q][row["option"]], dim, grp), {"count": 0})
        for col in ("count", "first", "points") if q == "order" else ("count",):
            said, true = row[col], cell.get(col, 0)
            if said.isdigit():
                assert int(said) == true, (col, row, cell)
                assert not 0 < true < floor or col == "points", (col, row)
            elif said == f"<{floor}":
                assert 0 <= true < floor, (col, row, cell)
            else:
                assert said == "[c]", (col, row)


# --- fixtures --------------------------------------------------------------------------------


@pytest.fixture
async def bot(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Harness]:
    settings = make_settings(
        tmp_path, database_url, api_url=standin.base_url, admins=(OWNER,), min_cell=5
    )
    harness = await start_markbot(standin, settings)
    try:
        yield harness
    finally:
        await harness.shutdown()


# --- the tests ---------------------------------------------------------------------------------


async def test_three_channels_exact_counts_everywhere(bot: Harness, tmp_path: Path) -> None:
    """Telegram voters who double-tap, go back, restart and abandon; web voters who go back,
    send twice and abandon; a paper file: every count in the exports is what they did."""
    await bot.add_poll(MAIN_POLL)
    ballots: list[Ballot] = []

    # Telegram: straight through
    t1 = Ballot(
        "telegram",
        "14-16",
        "pupil",
        "north",
        "parks",
        ["parks", "sport"],
        ["parks", "jobs", "buses"],
        "More benches in the park",
    )
    u = bot.user(26001)
    await tg_start(u)
    await tg_answers(bot, u, t1)
    assert "counted" in await tg_send(u)
    ballots.append(t1)

    # Telegram: double taps on an answer and on Send
    t2 = Ballot(
        "telegram", "11-13", "pupil", "south", "buses", ["music"], ["safety", "clubs", "parks"]
    )
    u = bot.user(26002)
    await tg_start(u)
    button = _button(u, "11-13")
    await u.press(button)
    await u.press(button)  # the second tap is on the same (now old) screen
    await settle(bot, u)
    for q in ("who", "area", "fav"):
        await tap(u, LABELS[q][getattr(t2, q)])
    for o in t2.picks:
        await tap(u, LABELS["picks"][o])
    await tap(u, _done(u))
    for o in t2.order:
        await tap(u, LABELS["order"][o])
    await tap(u, _done(u))
    await tap(u, _skip(u))
    send = _button(u, "Send my answers")
    await u.press(send)
    await u.press(send)
    assert "counted" in await settle(bot, u)
    ballots.append(t2)

    # Telegram: goes back twice and changes area and fav; ranks only 2
    t3 = Ballot("telegram", "17-19", "worker", "south", "jobs", [], ["jobs", "clubs"])
    u = bot.user(26003)
    await tg_start(u)
    for label in ("17-19", "Youth worker", "North", "Parks"):
        await tap(u, label)
    await tap(u, "Back")
    await tap(u, "Back")
    await tap(u, "South")
    await tap(u, "Jobs")
    await tap(u, _done(u))
    for o in t3.order:
        await tap(u, LABELS["order"][o])
    await tap(u, _done(u))
    await tap(u, _skip(u))
    assert "counted" in await tg_send(u)
    ballots.append(t3)

    # Telegram: /start again part-way through, then carries on
    t4 = Ballot(
        "telegram",
        "14-16",
        "carer",
        "north",
        "parks",
        ["art", "parks"],
        ["music", "sport", "safety"],
    )
    u = bot.user(26004)
    await tg_start(u)
    await tap(u, "14-16")
    await tap(u, "Parent or carer")
    # /start again part-way: it carries on where they were (as the web's Start does)
    await u.send_command("start", "bb26-main")
    await u.next_output()
    resumed = u.last_bot_message()
    assert resumed is not None and "carry on where you were" in str(resumed.get("text", ""))
    await tg_answers(bot, u, t4, after="who")
    assert "counted" in await tg_send(u)
    ballots.append(t4)

    # Telegram: abandons at the rank question; another is under 11 (nothing kept)
    u = bot.user(26005)
    await tg_start(u)
    for label in ("14-16", "Pupil", "North", "Buses"):
        await tap(u, label)
    u = bot.user(26006)
    await tg_start(u)
    await tap(u, "Under 11")

    # Telegram, Welsh: in Welsh throughout
    t7 = Ballot(
        "telegram",
        "17-19",
        "pupil",
        "north",
        "buses",
        ["sport"],
        ["buses", "parks", "jobs"],
        "Mwy o fysiau gyda'r nos",
    )
    u = bot.user(26007, language_code="cy")
    await tg_start(u)
    await tg_answers(bot, u, t7, welsh=True)
    assert "cyfrif" in await tg_send(u)  # "counted", in Welsh
    ballots.append(t7)

    # Web voters
    web = [
        Ballot(
            "web",
            "11-13",
            "pupil",
            "north",
            "parks",
            ["parks", "art"],
            ["parks", "buses", "jobs"],
            "A skate park",
        ),
        Ballot("web", "11-13", "pupil", "south", "jobs", [], ["clubs", "parks", "sport"]),
        Ballot("web", "14-16", "worker", "north", "buses", ["music", "sport"], ["buses"]),
        Ballot(
            "web",
            "prefer-not-to-say",
            "pupil",
            "north",
            "parks",
            ["parks"],
            ["parks", "safety", "clubs"],
        ),
    ]
    async with web_client(bot.runtime) as client:
        done = await web_vote(client, web[0])
        assert done.url == "/v/bb26-main/done", done.plain[:300]
    async with web_client(bot.runtime) as client:
        done = await web_vote(client, web[1], lang="cy")
        assert done.url == "/v/bb26-main/done", done.plain[:300]
    async with web_client(bot.runtime) as client:  # goes back from the check page, changes
        br = Browser(client)
        await br.get("/v/bb26-main")
        await br.submit("/v/bb26-main/start", {})
        wrong = Ballot("web", "14-16", "worker", "south", "jobs", ["art"], ["jobs"])
        await web_answers(br, wrong)
        await br.get("/v/bb26-main/q/2")
        page = await br.submit("/v/bb26-main/q/2", {"answer": "north"})
        await br.get("/v/bb26-main/q/3")
        await br.submit("/v/bb26-main/q/3", {"answer": "buses"})
        await br.get("/v/bb26-main/q/4")
        await br.submit("/v/bb26-main/q/4", [("answer", "music"), ("answer", "sport")])
        await br.get("/v/bb26-main/q/5")
        page = await br.submit("/v/bb26-main/q/5", {"rank1": "buses"})
        page = await br.get("/v/bb26-main/check")
        assert page.url == "/v/bb26-main/check", page.plain[:300]
        form = page.hidden()
        first = await br.post("/v/bb26-main/send", form)
        again = await br.post("/v/bb26-main/send", form)  # a double click
        assert first.url == again.url == "/v/bb26-main/done", (first.url, again.url)
    async with web_client(bot.runtime) as client:
        done = await web_vote(client, web[3])
        assert done.url == "/v/bb26-main/done", done.plain[:300]
    async with web_client(bot.runtime) as client:  # abandons on the check page
        br = Browser(client)
        await br.get("/v/bb26-main")
        await br.submit("/v/bb26-main/start", {})
        await web_answers(br, Ballot("web", "17-19", "carer", "south", "jobs", [], ["jobs"]))
    ballots += web

    # Paper
    paper = [
        Ballot("paper", "14-16", "pupil", "south", "jobs", ["sport"], ["jobs", "parks", "clubs"]),
        Ballot("paper", "17-19", "carer", "south", "parks", [], ["parks"]),
        Ballot(
            "paper",
            "11-13",
            "worker",
            "north",
            "buses",
            ["art", "music"],
            ["safety", "music", "sport"],
        ),
    ]
    lines = ["age,who,area,fav,picks,order,why"]
    for b in paper:
        names = [LABELS["order"][o] for o in b.order]
        lines.append(
            f"{b.age},{LABELS['who'][b.who]},{LABELS['area'][b.area]},"
            f"{LABELS['fav'][b.fav]},{';'.join(b.picks)},{';'.join(names)},"
        )
    added = await bot.runtime.services.paper.add(
        "bb26-main", ("\n".join(lines) + "\n").encode(), "paper.csv"
    )
    assert added == len(paper)
    ballots += paper

    assert await count(bot, "ballots") == len(ballots)

    # The exports, exact (suppression off)
    reports = bot.runtime.services.reports
    path = await reports.export("bb26-main", "csv", tmp_path / "all.csv", 0)
    rows = read_csv(path.read_text(encoding="utf-8"))
    assert check_csv_exact(rows, ballots) > 100
    # respondents: every table's total in the JSON
    path = await reports.export("bb26-main", "json", tmp_path / "all.json", 0)
    data = json.loads(path.read_text(encoding="utf-8"))
    check_json_exact(data, ballots)
    path = await reports.export("bb26-main", "xlsx", tmp_path / "all.xlsx", 0)
    assert check_xlsx(openpyxl.load_workbook(path), ballots, 0) > 300
    path = await reports.export("bb26-main", "xlsx", tmp_path / "sup.xlsx", 5)
    check_xlsx(openpyxl.load_workbook(path), ballots, 5)

    # And suppressed, as officers get them by default
    path = await reports.export("bb26-main", "csv", tmp_path / "sup.csv", 5)
    check_csv_suppressed(read_csv(path.read_text(encoding="utf-8")), ballots, 5)

    # The results site, built from the same store, with suppression off, then on
    s = bot.runtime.services
    site = SiteService(s.reports, s.polls, s.catalog)
    await site.build(["bb26-main"], tmp_path / "site0", 0)
    assert check_site(read_site(tmp_path / "site0"), "bb26-main", ballots, 0) > 150
    await site.build(["bb26-main"], tmp_path / "site5", 5)
    check_site(read_site(tmp_path / "site5"), "bb26-main", ballots, 5)


def check_json_exact(data: dict[str, Any], ballots: list[Ballot]) -> None:
    """Every table's respondents and counts, turnout by group and day, ballots by web mode, in
    an unsuppressed JSON export."""
    assert data["ballots"] == len(ballots)
    web = sum(b.channel == "web" for b in ballots)
    assert data["web_ballots_by_mode"]["open"]["ballots"] == web
    assert sum(d["ballots"] for d in data["turnout"]["by_day"]) == len(ballots)
    for row in data["turnout"]["by_group"]:
        dim, grp = row["dimension"], row["group"]
        if dim in BREAKDOWNS:
            assert row["ballots"] == sum(_group_of(b, dim) == grp for b in ballots), row
    want = expected(ballots)
    seen = 0
    for t in data["tables"]:
        q, dim, grp = t["question"], t["dimension"], t["group"]
        if t["channel"] != "all":
            dim, grp = "channel", t["channel"]
        assert t["respondents"] == respondents(ballots, q, dim, grp), t
        if q == "why":
            continue
        for cell in t["cells"]:
            true = want.get((q, cell["option"], dim, grp), {"count": 0, "first": 0, "points": 0})
            assert cell["count"] == true["count"], (q, dim, grp, cell, true)
            if q == "order":
                assert (cell["first"], cell["points"]) == (true["first"], true["points"]), cell
        seen += 1
    assert seen > 60
    bodies = sorted(t["answer"] for t in data["texts"])
    assert bodies == sorted(b.why for b in ballots if b.why)


# --- a class session with voting codes, a session link, two polls open, a restart, a close --

CLASS_POLL = """\
code: bb26-class
title: {en: Class vote, cy: Pleidlais y dosbarth}
web: codes
questions:
  - id: year
    kind: choice
    text: {en: "Which year are you in?", cy: "Ym mha flwyddyn wyt ti?"}
    options:
      - {id: y7, label: {en: Year 7, cy: Blwyddyn 7}}
      - {id: y8, label: {en: Year 8, cy: Blwyddyn 8}}
      - {id: y9, label: {en: Year 9, cy: Blwyddyn 9}}
    breakdown: true
  - id: top
    kind: choice
    text: {en: "What should we fix first?", cy: "Beth ddylen ni ei drwsio gyntaf?"}
    options:
      - {id: parks, label: {en: Parks, cy: Parciau}}
      - {id: buses, label: {en: Buses, cy: Bysiau}}
      - {id: jobs, label: {en: Jobs, cy: Swyddi}}
  - id: also
    kind: multi
    max: 3
    text: {en: "What else? Pick up to 3", cy: "Beth arall? Dewis hyd at 3"}
    options:
      - {id: parks, label: {en: Parks, cy: Parciau}}
      - {id: buses, label: {en: Buses, cy: Bysiau}}
      - {id: jobs, label: {en: Jobs, cy: Swyddi}}
      - {id: clubs, label: {en: Clubs, cy: Clybiau}}
"""
CLASS_LABELS = {
    "year": {"y7": "Year 7", "y8": "Year 8", "y9": "Year 9"},
    "top": {"parks": "Parks", "buses": "Buses", "jobs": "Jobs"},
    "also": {"parks": "Parks", "buses": "Buses", "jobs": "Jobs", "clubs": "Clubs"},
}


@dataclass
class ClassBallot:
    channel: str
    session: str  # the session's label, or ""
    year: str
    top: str
    also: list[str]


def class_expected(ballots: list[ClassBallot]) -> Counter[tuple[str, str, str, str]]:
    """(question, option, dimension, group label or channel) -> count."""
    out: Counter[tuple[str, str, str, str]] = Counter()
    for b in ballots:
        groups = [("", ""), ("year", CLASS_LABELS["year"][b.year]), ("channel", b.channel)]
        if b.session:
            groups.append(("session", b.session))
        for dim, grp in groups:
            out[("year", CLASS_LABELS["year"][b.year], dim, grp)] += 1
            out[("top", CLASS_LABELS["top"][b.top], dim, grp)] += 1
            for o in b.also:
                out[("also", CLASS_LABELS["also"][o], dim, grp)] += 1
    return out


async def class_tg(user: FakeUser, b: ClassBallot, payload: str, *, send: bool = True) -> str:
    await tg_start(user, payload)
    await tap(user, CLASS_LABELS["year"][b.year])
    await tap(user, CLASS_LABELS["top"][b.top])
    for o in b.also:
        await tap(user, CLASS_LABELS["also"][o])
    said = await tap(user, _done(user))
    return await tg_send(user) if send else said


async def class_web(br: Browser, b: ClassBallot, code: str) -> Page:
    page = await br.get("/v/bb26-class")
    page = await br.submit("/v/bb26-class/start", {"code": code})
    assert page.url == "/v/bb26-class/q/0", page.plain[:300]
    await br.submit("/v/bb26-class/q/0", {"answer": b.year})
    await br.submit("/v/bb26-class/q/1", {"answer": b.top})
    page = await br.submit("/v/bb26-class/q/2", [("answer", o) for o in b.also])
    assert page.url == "/v/bb26-class/check", page.plain[:300]
    return await br.submit("/v/bb26-class/send", {})


def _cycle(n: int, items: list[str]) -> str:
    return items[n % len(items)]


async def test_a_class_session_two_polls_a_restart_and_a_close(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    """Twelve pupils vote on the web with their class's codes, eight young people through a
    session link in Telegram and three through the plain link, while a second poll is open
    and some of them vote in it too; markbot restarts with journeys part-way, and the poll
    closes with three voters part-way (none of theirs counted). Then /results, the exports
    and the published pages say exactly what they did."""
    settings = make_settings(
        tmp_path, database_url, api_url=standin.base_url, admins=(OWNER,), min_cell=5
    )
    h = await start_markbot(standin, settings)
    try:
        await h.add_poll(CLASS_POLL)
        await h.add_poll(MAIN_POLL)  # open at the same time; some vote in both
        codes = await h.runtime.services.codes.make("bb26-class", 14, "Year 9 Hillside")
        link = await h.runtime.services.polls.session_link("bb26-class", "Year 8 Ashgrove")
        ballots: list[ClassBallot] = []
        tops, years = ["parks", "parks", "buses", "jobs"], ["y7", "y8", "y9"]
        alsos = [["clubs"], ["parks", "jobs"], ["buses", "jobs", "clubs"], ["jobs"]]

        # the class on the web, one code each (the 13th code is tried twice)
        async with web_client(h.runtime) as client:
            for n in range(12):
                client.session.cookie_jar.clear()
                b = ClassBallot("web", "Year 9 Hillside", "y9", _cycle(n, tops), _cycle(n, alsos))
                done = await class_web(Browser(client), b, codes[n])
                assert done.url == "/v/bb26-class/done", done.plain[:300]
                ballots.append(b)
            client.session.cookie_jar.clear()
            again = Browser(client)
            await again.get("/v/bb26-class")
            used = await again.submit("/v/bb26-class/start", {"code": codes[0]})
            assert used.status == 400 and "already been used" in used.plain
            # one pupil votes in the other poll too, in the same browser
            other = Ballot("web", "11-13", "pupil", "north", "jobs", ["art"], ["jobs"])
            assert (await web_vote(client, other)).url == "/v/bb26-main/done"

        # Telegram through the session link, and through the plain link
        for n in range(8):
            b = ClassBallot(
                "telegram",
                "Year 8 Ashgrove",
                _cycle(n, years),
                _cycle(n + 1, tops),
                _cycle(n + 2, alsos),
            )
            assert "counted" in await class_tg(h.user(26100 + n), b, link)
            ballots.append(b)
        for n in range(3):
            b = ClassBallot("telegram", "", "y7", "parks", ["clubs", "buses"])
            assert "counted" in await class_tg(h.user(26200 + n), b, "bb26-class")
            ballots.append(b)
        # one of them votes in the other poll as well
        both = Ballot("telegram", "14-16", "pupil", "south", "buses", [], ["buses"])
        u = h.user(26200)
        await tg_start(u)
        await tg_answers(h, u, both)
        assert "counted" in await tg_send(u)

        # part-way through when markbot restarts: Telegram and web both carry on after
        waiting = ClassBallot("telegram", "", "y8", "jobs", ["parks"])
        tg_wait = h.user(26300)
        await tg_start(tg_wait, "bb26-class")
        await tap(tg_wait, "Year 8")
        web_wait = ClassBallot("web", "Year 9 Hillside", "y9", "buses", ["buses", "clubs"])
        async with web_client(h.runtime) as client:
            br = Browser(client)
            await br.get("/v/bb26-class")
            await br.submit("/v/bb26-class/start", {"code": codes[12]})
            await br.submit("/v/bb26-class/q/0", {"answer": "y9"})
            cookies = {c.key: c.value for c in client.session.cookie_jar}
            kept_page = br.page
        await h.shutdown()
        h = await start_markbot(standin, settings)
        await tap(tg_wait, "Jobs")
        await tap(tg_wait, "Parks")
        await tap(tg_wait, _done(tg_wait))
        assert "counted" in await tg_send(tg_wait)
        ballots.append(waiting)
        async with web_client(h.runtime) as client:
            client.session.cookie_jar.update_cookies(cookies)
            br = Browser(client)
            br.page = kept_page
            page = await br.submit("/v/bb26-class/q/1", {"answer": "buses"})
            assert page.url == "/v/bb26-class/q/2", (page.url, page.plain[:300])
            await br.submit("/v/bb26-class/q/2", [("answer", "buses"), ("answer", "clubs")])
            done = await br.submit("/v/bb26-class/send", {})
            assert done.url == "/v/bb26-class/done", done.plain[:300]
            ballots.append(web_wait)

        # part-way when the poll closes: two in Telegram (one on the check screen), one web
        late = [h.user(26400), h.user(26401)]
        await class_tg(
            late[0], ClassBallot("telegram", "", "y7", "jobs", ["jobs"]), "bb26-class", send=False
        )
        await tg_start(late[1], "bb26-class")
        await tap(late[1], "Year 7")
        async with web_client(h.runtime) as client:
            br = Browser(client)
            await br.get("/v/bb26-class")
            await br.submit("/v/bb26-class/start", {"code": codes[13]})
            await br.submit("/v/bb26-class/q/0", {"answer": "y9"})
            owner = h.user(OWNER, first_name="Pat")
            await owner.send_command("close", "bb26-class")
            await owner.next_output()
            page = await br.submit("/v/bb26-class/q/1", {"answer": "jobs"})
            assert "closed" in page.plain, page.plain[:300]
        assert "closed" in await tg_send(late[0])
        assert "closed" in await tap(late[1], "Parks")

        # Paper ballots from the class's absent pupils, sent in the chat after the close
        paper = [
            ClassBallot("paper", "", "y9", "jobs", ["jobs", "clubs"]),
            ClassBallot("paper", "", "y8", "parks", ["parks"]),
            ClassBallot("paper", "", "y9", "jobs", ["buses"]),
        ]
        body = "year,top,also\n" + "".join(
            f"{CLASS_LABELS['year'][b.year]},{b.top},{';'.join(b.also)}\n" for b in paper
        )
        await owner.send_command("paper", "bb26-class")
        await owner.next_output()
        await owner.send_document("absent.csv", body.encode(), "text/csv")
        assert "3" in (await owner.next_output()).plain
        ballots += paper

        # What the owner sees in Telegram
        want = class_expected(ballots)
        await owner.send_command("results", "bb26-class")
        said = (await owner.next_output()).plain
        assert f"{len(ballots)} ballots" in said, said
        channels = Counter(b.channel for b in ballots)
        by_channel = re.search(r"By channel: (.+)", said)
        assert by_channel, said
        for part in by_channel.group(1).split(" · "):
            name, _, figure = part.rpartition(" ")
            channel = {"Telegram": "telegram", "web": "web", "paper": "paper"}[name]
            same_or_hidden(figure, channels[channel], 5, (part, said))
        assert "paper <5" in said, said  # 3 paper ballots: a small number
        lines = [x for x in said.splitlines() if re.match(r"\d+\. ", x)]
        tops_seen = {}
        for line in lines:
            found = re.match(r"\d+\. (.+): (\d+) \(", line)
            assert found, line
            tops_seen[found.group(1)] = int(found.group(2))
        assert tops_seen == {
            label: want[("top", label, "", "")] for label in CLASS_LABELS["top"].values()
        }, said

        # The CSV export, exact and suppressed
        reports = h.runtime.services.reports
        path = await reports.export("bb26-class", "csv", tmp_path / "class.csv", 0)
        rows = read_csv(path.read_text(encoding="utf-8"))
        for row in rows:
            key = (row["question"], row["option"], row["dimension"], row["group"])
            assert int(row["count"]) == want[key], (row, want[key])
        sessions = {r["group"] for r in rows if r["dimension"] == "session"}
        assert sessions == {"Year 9 Hillside", "Year 8 Ashgrove"}
        path = await reports.export("bb26-class", "csv", tmp_path / "class5.csv", 5)
        for row in read_csv(path.read_text(encoding="utf-8")):
            key = (row["question"], row["option"], row["dimension"], row["group"])
            same_or_hidden(row["count"], want[key], 5, row)
        # the other poll kept its own two ballots
        path = await reports.export("bb26-main", "csv", tmp_path / "main.csv", 0)
        assert check_csv_exact(read_csv(path.read_text(encoding="utf-8")), [other, both]) > 50

        # /export in the chat: the CSV and the workbook, suppressed as the command line does
        await owner.send_command("export", "bb26-class")
        files: dict[str, bytes] = {}
        for _ in range(6):
            out = await owner.next_output()
            doc = out.params.get("document")
            if doc is not None and hasattr(doc, "content"):
                files[str(doc.filename)] = doc.content
            if len(files) == 2:
                break
        await h.standin.wait_idle()
        owner.drain()
        sent = next(v for k, v in files.items() if k.endswith(".csv"))
        for row in read_csv(sent.decode("utf-8-sig")):
            key = (row["question"], row["option"], row["dimension"], row["group"])
            same_or_hidden(row["count"], want[key], 5, row)
        book = openpyxl.load_workbook(
            io.BytesIO(next(v for k, v in files.items() if k.endswith(".xlsx")))
        )
        summary = [[c for c in r if c is not None] for r in book.worksheets[0].values]
        at = summary.index(["What should we fix first?"])
        section = summary[at + 2 : at + 2 + len(CLASS_LABELS["top"])]  # Rank, Option, Count
        for label in CLASS_LABELS["top"].values():
            row = next(r for r in section if label in r[:2])
            said = row[2] if isinstance(row[0], int) else row[1]
            same_or_hidden(str(said), want[("top", label, "", "")], 5, row)

        # Published: the public pages
        await h.standin.wait_idle()
        owner.drain()  # the chart that follows the /results text
        await owner.send_command("publish", "bb26-class")
        assert "published" in (await owner.next_output()).plain
        async with web_client(h.runtime) as client:
            page = await Browser(client).get("/results/en/bb26-class/question-top.html")
            assert page.status == 200, page.plain[:300]
            tables = site_tables(page.text)
            for label in CLASS_LABELS["top"].values():
                cell = next(iter(tables[0][2][label].values()))
                same_or_hidden(cell, want[("top", label, "", "")], 5, label)
            by_year = next(t for t in tables if "Which year" in t[0])[2]
            for ylabel, row in by_year.items():
                for label in CLASS_LABELS["top"].values():
                    same_or_hidden(row[label], want[("top", label, "year", ylabel)], 5, row)
            page = await Browser(client).get("/results/en/bb26-class/turnout.html")
            assert page.status == 200, page.plain[:300]
            by_session = next(t for t in site_tables(page.text) if "Year 8 Ashgrove" in t[2])
            sessions_seen = Counter(b.session for b in ballots if b.session)
            for label, row in by_session[2].items():
                said = list(row.values())[-1]  # place, then ballots
                same_or_hidden(said, sessions_seen[label], 5, (label, row))
            page = await Browser(client).get("/results/downloads/bb26-class.csv")
            assert page.status == 200
            for row in read_csv(page.text):
                key = (row["question"], row["option"], row["dimension"], row["group"])
                same_or_hidden(row["count"], want[key], 5, row)
        assert await count(h, "ballots") == len(ballots) + 2
    finally:
        await h.shutdown()


# --- the workbook ----------------------------------------------------------------------------

QUESTION_OF = {
    "Which one matters most?": "fav",
    "Pick up to two things to do": "picks",
    "Put your top 3 in order": "order",
}
SHEETS = {"By age": "age", "By who": "who", "By area": "area", "By channel": "channel"}
BLOCKS = {"(count)": "count", "(first preferences)": "first", "(points)": "points"}


def check_xlsx(book: Any, ballots: list[Ballot], floor: int) -> int:
    """Every cross-tab sheet's counts, first preferences and points (group rows, and the Total
    row, which is the overall figure), and the group sizes; returns how many were compared."""
    want = expected(ballots)
    labels, groups = _label_maps(), _groups()
    compared = 0
    for title, dim in SHEETS.items():
        rows = [[c for c in r if c is not None] for r in book[title].values]
        for at, row in enumerate(rows):
            if len(row) != 1 or not isinstance(row[0], str):
                continue
            question, _, block = row[0].rpartition(" ")
            q, key = QUESTION_OF.get(question), BLOCKS.get(block)
            if q is None or key is None:
                continue
            head = rows[at + 1]
            for line in rows[at + 2 :]:
                if not line:
                    break
                group = "" if line[0] == "Total" else groups[dim][str(line[0])]
                for label, said in zip(head[1:-1], line[1:-1], strict=True):
                    cell = want.get((q, labels[q][label], dim if group else "", group), {})
                    same_or_hidden(str(said), cell.get(key, 0), floor, (title, q, key, line))
                    compared += 1
                if key == "count":  # the Respondents column
                    size = respondents(ballots, q, dim if group else "", group)
                    same_or_hidden(str(line[-1]), size, floor, (title, q, "size", line))
    return compared


# --- the results site (static folder, dashboard and public pages: the same renderer) ---------

QUESTION_TEXT = {
    "age": "How old are you?",
    "who": "Which best describes you?",
    "area": "Where do you live?",
}
WELSH_GROUPS = {
    "How old are you?": "Faint yw dy oed di?",
    "Which best describes you?": "Beth sy'n dy ddisgrifio di orau?",
    "Where do you live?": "Ble rwyt ti'n byw?",
    "Prefer not to say": "Gwell gen i beidio â dweud",
}


def _plain(fragment: str) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


def site_tables(page: str) -> list[tuple[str, list[str], dict[str, dict[str, str]]]]:
    """Each table of a page: its caption, its column heads, and row label -> column -> text."""
    found = []
    for table in re.findall(r"<table.*?</table>", page, re.S):
        caption = re.findall(r"<caption.*?</caption>", table, re.S)
        heads = [_plain(h) for h in re.findall(r'<th scope="col".*?</th>', table, re.S)]
        rows: dict[str, dict[str, str]] = {}
        for tr in re.findall(r"<tr>.*?</tr>", table, re.S):
            label = re.findall(r'<th scope="row".*?</th>', tr, re.S)
            if not label:
                continue
            cells = re.findall(r"<td([^>]*)>(.*?)</td>", tr, re.S)
            named = {}
            for n, (attrs, value) in enumerate(cells):
                key = re.findall(r'data-label="([^"]*)"', attrs)
                named[html.unescape(key[0]) if key else str(n)] = _plain(value)
            rows[_plain(label[0])] = named
        found.append((_plain(caption[0]) if caption else "", heads, rows))
    return found


def same_or_hidden(said: str, true: int, floor: int, what: Any) -> None:
    """A site figure: exactly the true one, or a marker that is true of it."""
    said = said.replace(",", "").split(" ")[0]  # "5 (42%)": the count, then its share
    if said.isdigit():
        assert int(said) == true, (what, said, true)
        assert floor == 0 or not 0 < true < floor or "points" in str(what), (what, said)
    elif floor and said == f"<{floor}":
        assert 0 <= true < floor, (what, said, true)
    else:
        assert floor and said in ("[c]", "–", "-", ""), (what, said, true)


def check_site(pages: dict[str, str], code: str, ballots: list[Ballot], floor: int) -> int:
    """The question pages (overall and by every breakdown) and the overview's channels, in
    English and Welsh, against the tallies; returns how many figures were compared."""
    want = expected(ballots)
    compared = 0
    for lang in ("en", "cy"):
        tr = (lambda s: WELSH.get(s, WELSH_GROUPS.get(s, s))) if lang == "cy" else (lambda s: s)
        for q in ("fav", "picks", "order"):
            page = pages[f"{lang}/{code}/question-{q}.html"]
            tables = site_tables(page)
            overall = tables[0][2]
            for oid, label in LABELS[q].items():
                row = overall[tr(label)]
                cell = want.get((q, oid, "", ""), {"count": 0, "first": 0, "points": 0})
                if q == "order":
                    cols = list(row)  # Points, First choices, Ranked it, Share (in order)
                    for col, key in zip(cols[:3], ("points", "first", "count"), strict=True):
                        same_or_hidden(row[col], cell[key], floor, (lang, q, oid, key))
                else:
                    same_or_hidden(next(iter(row.values())), cell["count"], floor, (lang, q, oid))
                compared += 1
            for dim in BREAKDOWNS:
                caption = tr(QUESTION_TEXT[dim])
                table = next(t for t in tables[1:] if caption in t[0])
                groups = {tr(v if v else "Prefer not to say"): k for k, v in LABELS[dim].items()}
                groups[tr("Prefer not to say")] = "prefer-not-to-say"
                for glabel, row in table[2].items():
                    grp = groups[glabel]
                    values = list(row.values())
                    size = respondents(ballots, q, dim, grp)
                    same_or_hidden(values[0], size, floor, (lang, q, dim, grp, "size"))
                    for oid, label in LABELS[q].items():
                        cell = want.get((q, oid, dim, grp), {"count": 0, "points": 0})
                        key = "points" if q == "order" else "count"
                        text = row.get(tr(label), "")
                        same_or_hidden(text, cell[key], floor, (lang, q, dim, grp, oid, key))
                        compared += 1
    overview = site_tables(pages[f"en/{code}/index.html"])
    ways = next(t for t in overview if "Telegram" in t[2])[2]
    channels = Counter(b.channel for b in ballots)
    for name, channel in (("Telegram", "telegram"), ("Website", "web"), ("Paper", "paper")):
        same_or_hidden(next(iter(ways[name].values())), channels[channel], floor, name)
        compared += 1
    return compared


def read_site(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): p.read_text(encoding="utf-8") for p in folder.rglob("*.html")
    }


# --- real browsers ------------------------------------------------------------------------------


def _browser_vote(driver: Any, url: str, b: Ballot, lang: str, *, back: bool = False) -> None:
    """One ballot in Chromium by clicks: radios, checkboxes, the rank's lists, Send."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    def go(path: str) -> None:
        for _ in range(100):
            here = driver.current_url.split("?")[0]
            ready = driver.execute_script("return document.readyState") == "complete"
            if here.endswith(path) and ready:
                return
            time.sleep(0.05)
        raise AssertionError(f"expected {path}, at {driver.current_url}")

    def submit() -> None:
        driver.find_element(By.CSS_SELECTOR, "main form button[type=submit]").click()

    def radio(value: str) -> None:
        driver.find_element(By.CSS_SELECTOR, f"input[type=radio][value='{value}']").click()
        submit()

    driver.get(f"{url}/v/bb26-main?lang={lang}")
    submit()
    go("/q/0")
    radio(b.age)
    go("/q/1")
    radio(b.who)
    go("/q/2")
    radio("south" if back else b.area)
    go("/q/3")
    if back:  # the browser's own Back, then the right answer
        driver.back()
        go("/q/2")
        radio(b.area)
        go("/q/3")
    radio(b.fav)
    go("/q/4")
    if b.picks:
        for o in b.picks:
            driver.find_element(By.CSS_SELECTOR, f"input[type=checkbox][value='{o}']").click()
        submit()
    else:
        driver.find_element(By.CSS_SELECTOR, "button[name=skip]").click()
    go("/q/5")
    for n, o in enumerate(b.order, start=1):
        Select(driver.find_element(By.NAME, f"rank{n}")).select_by_value(o)
    submit()
    go("/q/6")
    driver.find_element(By.NAME, "answer").send_keys(b.why)  # empty: no answer
    submit()
    go("/check")
    submit()
    go("/done")


def test_real_browsers_vote_and_are_counted_exactly(page: Any, tmp_path: Path) -> None:
    """Three voters in Chromium (one in Welsh, one who uses the browser's Back button): each
    counted once, exactly as they chose, in the export."""
    from tests.browser import serve_markbot

    settings = make_settings(tmp_path, None)

    async def seed(rt: Any) -> None:
        await rt.services.polls.create(rt.services.polls.parse(MAIN_POLL, "t.yaml"), status="open")

    voters = [
        (Ballot("web", "14-16", "carer", "north", "jobs", ["art"], ["clubs", "jobs"]), "en"),
        (Ballot("web", "11-13", "pupil", "south", "buses", [], ["safety"], "Goleuadau"), "cy"),
        (
            Ballot(
                "web",
                "17-19",
                "worker",
                "north",
                "parks",
                ["parks", "music"],
                ["parks", "sport", "buses"],
            ),
            "en",
        ),
    ]
    with serve_markbot(settings, seed) as live:
        for n, (b, lang) in enumerate(voters):
            page.delete_all_cookies()
            _browser_vote(page, live.url, b, lang, back=n == 2)
        path = live.run(live.runtime.services.reports.export("bb26-main", "csv", tmp_path, 0))
        rows = read_csv(path.read_text(encoding="utf-8"))
    assert check_csv_exact(rows, [b for b, _ in voters]) > 50


def _results_lines(said: str) -> tuple[int, dict[str, str]]:
    """/results' ballots and its lines: label -> count, or the line's words when hidden."""
    ballots = re.search(r"(\d+) ballots", said)
    assert ballots, said
    shown: dict[str, str] = {}
    for line in said.splitlines():
        found = re.match(r"\d+\. (.+): (\d+) \(", line)
        if found:
            shown[found.group(1)] = found.group(2)
        hidden = re.match(r"• (.+): (.+)", line)
        if hidden:
            shown[hidden.group(1)] = "hidden"
    return int(ballots.group(1)), shown


async def test_staff_figures_move_in_steps_then_are_exact(bot: Harness) -> None:
    """While the poll is open, /results and the dashboard show the same figures, those of a
    moment at least 5 ballots apart, each exact for the ballots in by then; once closed, every
    figure is exact."""
    await bot.add_poll(MAIN_POLL)
    owner = bot.user(OWNER, first_name="Pat")
    favs = ["parks", "parks", "buses", "parks", "jobs", "parks", "buses", "parks", "parks"]
    favs += ["buses", "parks", "jobs"]
    ballots = [
        Ballot("web", _cycle(n, ["11-13", "14-16"]), "pupil", "north", fav, [], ["jobs"])
        for n, fav in enumerate(favs)
    ]

    async def results() -> tuple[int, dict[str, str]]:
        await owner.send_command("results", "bb26-main")
        said = (await owner.next_output()).plain
        await bot.standin.wait_idle()
        owner.drain()
        return _results_lines(said)

    def agrees(shown: dict[str, str], upto: list[Ballot]) -> None:
        tally = Counter(b.fav for b in upto)
        for oid, label in LABELS["fav"].items():
            if shown[label] != "hidden":
                assert int(shown[label]) == tally[oid] >= 5, (label, shown, tally)
            else:
                assert tally[oid] < 5 or tally[oid] > len(upto) - 5, (label, shown, tally)

    async with web_client(bot.runtime) as client:
        for b in ballots[:6]:
            client.session.cookie_jar.clear()
            assert (await web_vote(client, b)).url == "/v/bb26-main/done"
        n, shown = await results()
        assert n == 6
        agrees(shown, ballots[:6])
        for b in ballots[6:9]:
            client.session.cookie_jar.clear()
            assert (await web_vote(client, b)).url == "/v/bb26-main/done"
        assert await results() == (6, shown)  # held: fewer than 5 more since
        # the dashboard shows the same held figures
        client.session.cookie_jar.clear()
        staff = Browser(client)
        token = await bot.runtime.services.dashboard.login_token(OWNER)
        await staff.get(f"/dashboard/login/{token}")
        assert (await staff.submit(f"/dashboard/login/{token}", {})).url == "/dashboard"
        page = await staff.get("/dashboard/en/bb26-main/question-fav.html")
        assert page.status == 200, page.plain[:300]
        table = site_tables(page.text)[0][2]
        for label, said in shown.items():
            cell = next(iter(table[label].values()))
            assert (cell.split(" ")[0] if said != "hidden" else "hidden") == (
                said if cell[0].isdigit() else "hidden"
            ), (label, cell, said)
        for b in ballots[9:]:
            staff.client.session.cookie_jar.clear()
            assert (await web_vote(client, b)).url == "/v/bb26-main/done"
        n, shown = await results()
        assert n == 12
        agrees(shown, ballots)
    await owner.send_command("close", "bb26-main")
    await owner.next_output()
    await bot.standin.wait_idle()
    owner.drain()
    n, shown = await results()
    assert n == 12
    agrees(shown, ballots)


async def test_many_pupils_send_at_once_and_a_code_twice(bot: Harness) -> None:
    """A class of 25 sends within the same moment, each with their code; one code is used in
    two browsers that both reach Send together: 26 ballots, each counted as chosen."""
    await bot.add_poll(CLASS_POLL)
    codes = await bot.runtime.services.codes.make("bb26-class", 26, "Year 9 Hillside")
    ballots = [
        ClassBallot(
            "web",
            "Year 9 Hillside",
            _cycle(n, ["y7", "y8", "y9"]),
            _cycle(n, ["parks", "buses", "jobs", "parks"]),
            _cycle(n, [["clubs"], ["parks", "jobs"], ["buses", "jobs", "clubs"]]),
        )
        for n in range(25)
    ]

    async def one(b: ClassBallot, code: str) -> Page:
        async with web_client(bot.runtime) as client:
            return await class_web(Browser(client), b, code)

    pages = await asyncio.gather(*(one(b, codes[n]) for n, b in enumerate(ballots)))
    assert [p.url for p in pages] == ["/v/bb26-class/done"] * 25
    twin = ClassBallot("web", "Year 9 Hillside", "y7", "jobs", ["jobs"])
    twins = await asyncio.gather(one(twin, codes[25]), one(twin, codes[25]))
    assert sorted(p.url for p in twins) == ["/v/bb26-class/done", "/v/bb26-class/send"]
    assert any("already been used" in p.plain for p in twins)
    ballots.append(twin)
    want = class_expected(ballots)
    results = await bot.runtime.services.reports.results("bb26-class", 0)
    assert results.ballots == 26
    compared = 0
    for t in results.tables:
        if t.channel != "all" or t.question not in CLASS_LABELS:
            continue
        grp = t.group_label if t.dimension else ""
        for cell in t.cells:
            assert cell.count == want[(t.question, cell.label, t.dimension, grp)], (t, cell)
            compared += 1
    assert compared > 20


async def test_a_poll_that_closes_by_its_clock_mid_journey(bot: Harness) -> None:
    """A poll file's own closing time passes while one young person is on the check screen
    in Telegram and another on the web: neither is counted, the one before is, and /results
    says so exactly at once (before the bot's 20-second sweep marks it closed)."""
    closes = (datetime.now(UTC) + timedelta(seconds=4)).strftime("%Y-%m-%dT%H:%M:%SZ")
    await bot.add_poll(CLASS_POLL.replace("web: codes", f"web: codes\ncloses: {closes}"))
    codes = await bot.runtime.services.codes.make("bb26-class", 2)
    first = ClassBallot("telegram", "", "y8", "buses", ["clubs"])
    assert "counted" in await class_tg(bot.user(26500), first, "bb26-class")
    late = bot.user(26501)
    await class_tg(
        late, ClassBallot("telegram", "", "y7", "jobs", ["jobs"]), "bb26-class", send=False
    )
    async with web_client(bot.runtime) as client:
        br = Browser(client)
        await br.get("/v/bb26-class")
        await br.submit("/v/bb26-class/start", {"code": codes[0]})
        await br.submit("/v/bb26-class/q/0", {"answer": "y9"})
        await br.submit("/v/bb26-class/q/1", {"answer": "parks"})
        check = await br.submit("/v/bb26-class/q/2", [("answer", "parks")])
        assert check.url == "/v/bb26-class/check"
        await asyncio.sleep(
            max(0.0, (datetime.fromisoformat(closes) - datetime.now(UTC)).total_seconds()) + 0.5
        )
        page = await br.submit("/v/bb26-class/send", {})
        assert "closed" in page.plain, page.plain[:300]
    assert "closed" in await tg_send(late)
    assert await count(bot, "ballots") == 1
    owner = bot.user(OWNER, first_name="Pat")
    await owner.send_command("results", "bb26-class")
    n, shown = _results_lines((await owner.next_output()).plain)
    assert n == 1 and set(shown.values()) == {"hidden"}


RANKED_POLL = """\
code: bb26-ranked
title: {en: Ranked, cy: Wedi'u rhestru}
questions:
  - id: order
    kind: rank
    max: 3
    text: {en: "Put your top 3 in order", cy: "Rho dy 3 uchaf mewn trefn"}
    options:
      - {id: parks, label: {en: Parks, cy: Parciau}}
      - {id: buses, label: {en: Buses, cy: Bysiau}}
      - {id: jobs, label: {en: Jobs, cy: Swyddi}}
      - {id: safety, label: {en: Safety, cy: Diogelwch}}
"""


async def test_results_of_a_ranked_main_question_give_its_points(bot: Harness) -> None:
    """/results for a poll whose main question is ranked listed the options by Borda points
    but gave each its "ranked it" count and share, so its figures contradicted its order:
    "3. Parks: 9 (31%)" above "4. Safety: 20 (69%)". It now gives what the order is by,
    the points, with first choices, as the results site and the exports do. In Welsh it
    gave the question in Welsh but the poll's title and options in English; they are now in
    the chat's language where the poll file has them."""
    await bot.add_poll(RANKED_POLL)
    rows = ["Parks;Buses"] * 9 + ["Buses;Jobs;Safety"] * 12 + ["Jobs;Buses;Safety"] * 8
    body = "order\n" + "\n".join(rows) + "\n"
    await bot.runtime.services.paper.add("bb26-ranked", body.encode(), "p.csv")
    # points, first choices, ranked it: Parks is above Safety with fewer who ranked it
    want = {"Buses": (70, 12, 29), "Jobs": (48, 8, 20), "Parks": (27, 9, 9), "Safety": (20, 0, 20)}
    owner = bot.user(OWNER, first_name="Pat")
    await owner.send_command("close", "bb26-ranked")
    await owner.next_output()
    for lang, points_word, names in (
        (
            "en",
            "{} points",
            {"Buses": "Buses", "Jobs": "Jobs", "Parks": "Parks", "Safety": "Safety"},
        ),
        (
            "cy",
            "{} o bwyntiau",
            {"Buses": "Bysiau", "Jobs": "Swyddi", "Parks": "Parciau", "Safety": "Diogelwch"},
        ),
    ):
        await bot.standin.wait_idle()
        owner.drain()
        if lang == "cy":
            await owner.send_command("language")
            await owner.next_output()
            await owner.press("Cymraeg")
            await owner.next_output()
        await owner.send_command("results", "bb26-ranked")
        said = (await owner.next_output()).plain
        assert ("Wedi'u rhestru" if lang == "cy" else "Ranked") in said, said
        lines = [x for x in said.splitlines() if re.match(r"\d+\. ", x)]
        assert [x.split(". ", 1)[1].split(":")[0] for x in lines] == [
            names[k] for k in ("Buses", "Jobs", "Parks", "Safety")
        ], said
        for line in lines:
            label = next(k for k, v in names.items() if line.split(". ", 1)[1].startswith(v))
            points, first, ranked = want[label]
            assert points_word.format(points) in line, (line, want[label])
            figures = [int(n) for n in re.findall(r"\d+", line.split(":", 1)[1])]
            assert figures == [points, first, ranked], (line, want[label])


async def test_under_16s_of_a_poll_without_a_web_ballot_are_sent_to_paper(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> None:
    """A poll with `web: off` (Telegram and paper only) whose age question sends under-16s
    away from Telegram told them to vote on the web with a link, when the bot had a web
    address: the link led to "this poll doesn't use the web ballot", a dead end. They are
    now told about paper, as when there is no web ballot at all; a poll with a web ballot
    still gives its link. Nothing is kept either way."""
    settings = make_settings(
        tmp_path, database_url, api_url=standin.base_url, public_url="https://votes.example.gov.uk"
    )
    h = await start_markbot(standin, settings)
    try:
        for web in ("off", "open"):
            await h.add_poll(
                f"code: bb26-age-{web}\ntitle: Ages\nweb: {web}\nquestions:\n"
                "  - id: age\n    kind: choice\n    text: How old are you?\n"
                "    options: [11-15, 16-18]\n    not_on_telegram: [11-15]\n"
                "  - id: top\n    kind: choice\n    text: Which?\n    options: [Parks, Buses]\n"
            )
            u = h.user(26600 if web == "off" else 26601)
            await tg_start(u, f"bb26-age-{web}")
            said = await tap(u, "11-15")
            link = f"votes.example.gov.uk/v/bb26-age-{web}"
            if web == "off":
                assert link not in said and "paper" in said, said
            else:
                assert link in said, said
            web_page = await _web_offered(h, f"bb26-age-{web}")
            assert web_page == (web != "off")
        assert await count(h, "ballots") == 0 and await count(h, "drafts") == 0
    finally:
        await h.shutdown()


async def _web_offered(h: Harness, code: str) -> bool:
    async with web_client(h.runtime) as client:
        page = await Browser(client).get(f"/v/{code}")
        return "Start" in page.plain and page.status == 200 and "doesn't" not in page.plain


YES_NO_POLL = """\
code: bb26-yes-no
title: Feeling safe
web: off
questions:
  - id: area
    kind: choice
    text: Where do you live?
    options: [North, South]
    breakdown: yes
  - id: safe
    kind: choice
    text: Do you feel safe in your area at night?
    options: [Yes, No, Not sure]
  - id: tried
    kind: multi
    optional: on
    text: Have you used any of these?
    options: [Off-peak buses, On-demand taxi, Night bus, None]
  - id: rating
    kind: choice
    text: How good are the buses, from 1 to 5?
    options: [1, 2, 3, 4, 5]
"""


async def test_a_yes_no_question_and_web_off_as_the_readme_writes_them(bot: Harness) -> None:
    """`options: [Yes, No, Not sure]` (the commonest question in a youth survey) and
    `web: off` (as the README documents it) were refused: YAML 1.1 reads yes, no, on and off
    as true and false, so the file said "Input should be a valid dictionary or instance of
    Option" and "web: Input should be 'codes', 'open' or 'off'" to a worker who wrote just
    that. A poll file now reads them as the words they are (a yes/no setting still works).
    A rating scale, `options: [1, 2, 3, 4, 5]`, was refused the same way (numbers, not
    text); its options are now the numbers as written."""
    poll = await bot.add_poll(YES_NO_POLL)
    assert poll.web == "off" and poll.questions[0].breakdown and poll.questions[2].optional
    assert [o.label["en"] for o in poll.questions[1].options] == ["Yes", "No", "Not sure"]
    votes = [("North", "Yes"), ("South", "No"), ("North", "Not sure"), ("North", "Yes")]
    for n, (area, safe) in enumerate(votes):
        u = bot.user(26700 + n)
        await tg_start(u, "bb26-yes-no")
        await tap(u, area)
        await tap(u, safe)
        await tap(u, "Night bus")
        await tap(u, _done(u))
        await tap(u, str(n + 2))  # the rating: 2, 3, 4, 5
        assert "counted" in await tg_send(u)
    results = await bot.runtime.services.reports.results("bb26-yes-no", 0)
    safe_table = next(t for t in results.tables if t.question == "safe" and not t.dimension)
    assert {c.label: c.count for c in safe_table.cells} == {"Yes": 2, "No": 1, "Not sure": 1}
    north = next(t for t in results.tables if t.question == "safe" and t.group == "north")
    assert {c.label: c.count for c in north.cells} == {"Yes": 2, "No": 0, "Not sure": 1}
    rating = next(t for t in results.tables if t.question == "rating" and not t.dimension)
    assert {c.label: c.count for c in rating.cells} == {"1": 0, "2": 1, "3": 1, "4": 1, "5": 1}
    assert not await _web_offered(bot, "bb26-yes-no")
