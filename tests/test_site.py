"""The results site (markbot site): literal figures from a small known poll, no small count in
any byte of it, links that resolve inside it, and real-browser checks (axe, screenshots, PDF).

The module's site is built once from a SQLite store; the same ballots in a fresh store of each
backend (conftest's ``database_url``) build the same files, so every figure checked here holds
on PostgreSQL too."""

from __future__ import annotations

import asyncio
import html
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
import yaml
from conftest import make_settings

from bot.app import open_runtime
from bot.cli import main
from bot.settings import Settings
from prompts import load_catalog
from tests.langs import assert_poll_words_marked
from tests.stored import cast, open_poll

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

    from services.pollfile import Poll
    from storage.contract import Store

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "build" / "screenshots" / "site"
CODE = "youth-2026"
MIN_CELL = 5
NOW = 1_795_000_000  # 2026-11-18, while the poll is open

POLL = """\
code: youth-2026
title:
  en: Youth Council priorities 2026
  cy: Blaenoriaethau'r Cyngor Ieuenctid 2026
intro:
  en: Young people in the county told us what matters most to them.
  cy: Dywedodd pobl ifanc yn y sir wrthym beth sy'n bwysig iddyn nhw.
outcome:
  en: The Youth Council will take the top three issues to Cabinet in January.
  cy: Bydd y Cyngor Ieuenctid yn mynd â'r tri mater pwysicaf i'r Cabinet ym mis Ionawr.
opens: 2026-11-16T09:00:00Z
closes: 2026-11-27T17:00:00Z
tags: [youth-voice]
questions:
  - id: area
    kind: choice
    text: {en: "Where do you live?", cy: "Ble rwyt ti'n byw?"}
    options:
      - {label: {en: North, cy: Gogledd}}
      - {label: {en: South, cy: De}}
    breakdown: true
    population: {north: 400, south: 600}
  - id: priority
    kind: choice
    text:
      en: Which one should be the top priority?
      cy: Pa un ddylai fod y flaenoriaeth bwysicaf?
    options:
      - {label: {en: Mental health, cy: Iechyd meddwl}}
      - {label: {en: Transport, cy: Trafnidiaeth}}
      - {label: {en: Climate, cy: Hinsawdd}}
      - {label: {en: Jobs, cy: Swyddi}}
  - id: order
    kind: rank
    max: 2
    text: {en: "Put these in order", cy: "Rho'r rhain mewn trefn"}
    options:
      - {label: {en: Parks, cy: Parciau}}
      - {label: {en: Buses, cy: Bysiau}}
      - {label: {en: Youth clubs, cy: Clybiau ieuenctid}}
"""

# (area, priority, ranking, channel, ballots). Jobs in the South has 3 votes: below the
# threshold, so "3" must never be published for it (nor any other count from 1 to 4).
PLAN = [
    ("north", "mental-health", ("parks", "buses"), "telegram", 12),
    ("north", "climate", ("buses", "parks"), "paper", 8),
    ("south", "mental-health", ("youth-clubs", "parks"), "telegram", 10),
    ("south", "transport", ("parks", "youth-clubs"), "web", 9),
    ("south", "jobs", ("parks", "buses"), "telegram", 3),
    ("north", "transport", ("buses", "youth-clubs"), "telegram", 6),
]


# A second poll of the same campaign: schools with populations, ballots through session links
# (one session and one school with 3 ballots), and an open question tagged with themes.
SCHOOLS = """\
code: schools-2026
title: {en: Schools vote 2026, cy: Pleidlais yr ysgolion 2026}
tags: [youth-voice]
questions:
  - id: school
    kind: choice
    text: {en: "Which school do you go to?", cy: "I ba ysgol rwyt ti'n mynd?"}
    options:
      - {id: aber, label: {en: Ysgol Aber, cy: Ysgol Aber}}
      - {id: bryn, label: {en: Ysgol Bryn, cy: Ysgol Bryn}}
      - {id: cwm, label: {en: Ysgol Cwm, cy: Ysgol Cwm}}
    breakdown: true
    population: {aber: 200, bryn: 150, cwm: 100}
  - id: issue
    kind: choice
    text: {en: "What matters most?", cy: "Beth sydd bwysicaf?"}
    options:
      - {label: {en: Mental health, cy: Iechyd meddwl}}
      - {label: {en: Transport, cy: Trafnidiaeth}}
      - {label: {en: Climate, cy: Hinsawdd}}
  - id: why
    kind: text
    optional: true
    text: {en: "Why does it matter?", cy: "Pam mae'n bwysig?"}
"""
# (school, issue, session, themes of the written answer, ballots)
SCHOOL_PLAN = [
    ("aber", "mental-health", "Year 9 Aber", "mental-health", 20),
    ("bryn", "transport", "Year 10 Bryn", "transport", 12),
    ("bryn", "mental-health", "Year 10 Bryn", "mental-health money", 6),
    ("cwm", "climate", "Cwm youth club", "climate", 3),
]
NATIONAL = """\
tag: youth-voice
title: {en: Make Your Mark 2026 (UK), cy: Gwneud dy Farc 2026 (y DU)}
source: {en: "British Youth Council, March 2026", cy: "Cyngor Ieuenctid Prydain, Mawrth 2026"}
issues:
  - {label: {en: Health and wellbeing, cy: Iechyd a lles}, percent: 21.3}
  - {label: {en: Crime and safety, cy: Troseddu a diogelwch}, percent: 17.0}
  - {label: {en: Culture and sport, cy: Diwylliant a chwaraeon}, percent: 14.2}
"""
SAID_DID_EN = """\
# What we did

- The Youth Council took **mental health** to Cabinet.
- [About the counting](methodology.html)
"""
SAID_DID_CY = """\
# Beth wnaethon ni

- Aeth y Cyngor Ieuenctid ag **iechyd meddwl** i'r Cabinet.
- [Am y cyfrif](methodology.html)
"""


EMPTY = """\
code: empty-2026
title: {en: A vote nobody has answered yet, cy: Pleidlais does neb wedi'i hateb eto}
questions:
  - id: pick
    kind: multi
    text: {en: "Pick any", cy: "Dewisa unrhyw rai"}
    options: [Alpha, Beta]
"""


def _site_settings(tmp: Path, database_url: str | None = None) -> Settings:
    """The site's database (``tmp/site.db`` on SQLite) and its key file, in ``tmp``."""
    return make_settings(tmp, database_url, db=tmp / "site.db", key_file=tmp / "site.key")


def _english_only(text: str) -> str:
    """A poll file with its Welsh taken out: every text in English only."""

    def strip(value: object) -> object:
        if isinstance(value, dict):
            if set(value) == {"en", "cy"}:
                return value["en"]
            return {k: strip(v) for k, v in value.items()}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    return yaml.safe_dump(strip(yaml.safe_load(text)), allow_unicode=True, sort_keys=False)


async def cast_plan(store: Store, poll: Poll, poll_id: int) -> int:
    """PLAN's ballots into the store; the next free journey number is returned."""
    n = 1
    for area, priority, (first, second), channel, count in PLAN:
        choices = (("area", area, None), ("priority", priority, None))
        choices += (("order", first, 1), ("order", second, 2))
        n = await cast(
            store, poll, poll_id, choices, count=count, first=n, now=NOW, channel=channel
        )
    return n


async def _cast(settings: Settings, english_only: bool = False) -> None:
    """The module's ballots; with ``english_only``, into the same polls with no Welsh."""
    texts = {"empty": EMPTY, "poll": POLL, "schools": SCHOOLS}
    if english_only:
        texts = {name: _english_only(text) for name, text in texts.items()}
    rt = await open_runtime(settings)
    try:
        await rt.services.polls.create(rt.services.polls.parse(texts["empty"], "empty.yaml"))
        poll, poll_id = await open_poll(rt, texts["poll"], "youth.yaml")
        n = await cast_plan(rt.store, poll, poll_id)
        schools, schools_id = await open_poll(rt, texts["schools"], "schools.yaml")
        for school, issue, label, themes, count in SCHOOL_PLAN:
            session = await rt.store.session_id(schools_id, label, f"token-{label}", NOW)
            choices = (("school", school, None), ("issue", issue, None))
            why = (("why", "because it matters to me", "en", 1.0, False, themes),)
            n = await cast(
                rt.store,
                schools,
                schools_id,
                choices,
                count=count,
                first=n,
                now=NOW,
                session_id=session,
                texts=why,
            )
    finally:
        await rt.close()


def _database_env(mp: pytest.MonkeyPatch, settings: Settings) -> None:
    """The command line's environment for ``settings``' database and key file."""
    for name in ("TOKEN", "API_URL", "DATABASE_URL", "ADMINS", "MIN_CELL", "PUBLIC_URL"):
        mp.delenv(f"MARKBOT_{name}", raising=False)
    mp.setenv("MARKBOT_DB", str(settings.db))
    mp.setenv("MARKBOT_KEY_FILE", str(settings.key_path))
    if settings.database_url is not None:
        mp.setenv("MARKBOT_DATABASE_URL", settings.database_url)


def _build(settings: Settings, tmp: Path, out: Path, min_cell: int) -> tuple[int, str]:
    with pytest.MonkeyPatch.context() as mp:
        _database_env(mp, settings)
        national = tmp / "national.yaml"
        national.write_text(NATIONAL, encoding="utf-8")
        (tmp / "said-did.md").write_text(SAID_DID_EN, encoding="utf-8")
        (tmp / "said-did.cy.md").write_text(SAID_DID_CY, encoding="utf-8")
        code = main(
            [
                "site",
                CODE,
                "empty-2026",
                "schools-2026",
                "--out",
                str(out),
                "--min-cell",
                str(min_cell),
                "--national",
                str(national),
                "--said-did",
                f"{CODE}={tmp / 'said-did.md'}",
                "--said-did",
                f"{CODE.upper()}={tmp / 'said-did.cy.md'}",
            ]
        )
    return code, ""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The poll's ballots, and the site built by the command line with and without
    suppression (the second only to prove the byte scan can see a small count)."""
    tmp = tmp_path_factory.mktemp("site")
    settings = _site_settings(tmp)
    asyncio.run(_cast(settings))
    sites = {}
    for name, min_cell in (("safe", MIN_CELL), ("raw", 0)):
        out = tmp / name
        code, _ = _build(settings, tmp, out, min_cell)
        assert code == 0
        sites[name] = out
    return sites


def _files(site: Path) -> dict[str, object]:
    """Every file of a site by its path: its bytes, or a workbook's cell values (an .xlsx, a
    zip, also holds the time it was written)."""
    from openpyxl import load_workbook

    found: dict[str, object] = {}
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        where = path.relative_to(site).as_posix()
        if path.suffix == ".xlsx":
            book = load_workbook(path, read_only=True)
            found[where] = [
                (sheet.title, [[c.value for c in line] for line in sheet.iter_rows()])
                for sheet in book.worksheets
            ]
            book.close()
        else:
            found[where] = path.read_bytes()
    return found


def test_the_same_ballots_build_the_same_site_on_each_backend(
    tmp_path: Path, database_url: str | None, built: dict[str, Path]
) -> None:
    """The site is a function of the ballots alone: cast again into a fresh database of this
    run's backend, they build the module's site file for file, suppressed and raw (so the
    figures the other tests read off the SQLite build are PostgreSQL's too)."""
    settings = _site_settings(tmp_path, database_url)
    asyncio.run(_cast(settings))
    for name, min_cell in (("safe", MIN_CELL), ("raw", 0)):
        code, _ = _build(settings, tmp_path, tmp_path / name, min_cell)
        assert code == 0
        mine, theirs = _files(tmp_path / name), _files(built[name])
        assert sorted(mine) == sorted(theirs)
        assert [f for f in theirs if mine[f] != theirs[f]] == [], name


@pytest.fixture(scope="module")
def site(built: dict[str, Path]) -> Path:
    return built["safe"]


def text_of(path: Path) -> str:
    """A page's text as a reader gets it: tags out, entities decoded, spaces made one."""
    body = re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8"))
    return " ".join(html.unescape(body).split())


def rows(path: Path) -> list[list[str]]:
    """Every table row of a page, as the texts of its cells."""

    class Rows(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.rows: list[list[str]] = []
            self.cell: list[str] | None = None

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag == "tr":
                self.rows.append([])
            elif tag in ("td", "th"):
                self.cell = []

        def handle_endtag(self, tag: str) -> None:
            if tag in ("td", "th") and self.cell is not None:
                self.rows[-1].append(" ".join("".join(self.cell).split()))
                self.cell = None

        def handle_data(self, data: str) -> None:
            if self.cell is not None:
                self.cell.append(data)

    parser = Rows()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.rows


# --- the figures ---------------------------------------------------------------------------


def test_the_command_writes_every_page_in_both_languages(site: Path) -> None:
    pages = {p.relative_to(site).as_posix() for p in site.rglob("*.html")}
    for lang in ("en", "cy"):
        for page in (
            "index.html",
            f"{CODE}/index.html",
            f"{CODE}/question-priority.html",
            f"{CODE}/question-order.html",
            f"{CODE}/by-area.html",
            f"{CODE}/methodology.html",
            f"{CODE}/downloads.html",
        ):
            assert f"{lang}/{page}" in pages
            head = (site / lang / page).read_text(encoding="utf-8")[:200]
            assert f'<html lang="{lang}">' in head
    assert "index.html" in pages and (site / "site.css").is_file()
    for page in site.rglob("*.html"):  # every placeholder filled in, every text found
        text = text_of(page)
        assert "{" not in text and "site_" not in text, page
    downloads = sorted(p.name for p in (site / "downloads").iterdir() if p.is_file())
    # the Welsh pages' downloads: the same files, in downloads/cy/
    assert sorted(p.name for p in (site / "downloads" / "cy").iterdir()) == downloads
    assert downloads == [
        "empty-2026.csv",
        "empty-2026.json",
        "empty-2026.xlsx",  # no chart of nothing
        "schools-2026.csv",
        "schools-2026.json",
        "schools-2026.png",
        "schools-2026.xlsx",
        f"{CODE}.csv",
        f"{CODE}.json",
        f"{CODE}.png",
        f"{CODE}.xlsx",
    ]
    root = text_of(site / "index.html")
    assert "Youth Council priorities 2026" in root and "A vote nobody has answered yet" in root
    assert "Pleidlais does neb wedi'i hateb eto" in root
    # young people's own words are never published, not even in the downloads
    assert json.loads((site / "downloads" / f"{CODE}.json").read_text())["texts"] == []


def test_known_figures_on_the_overview(site: Path) -> None:
    en = text_of(site / "en" / CODE / "index.html")
    assert "Voting was open from 16 November 2026 to 27 November 2026." in en
    assert "48 ballots counted" in en
    assert "48 of 1,000 young people voted (4.8%)." in en
    assert "Most people chose Mental health: 22 of 48 people (46%)." in en
    assert "Parks came top with 66 points; 24 people put it first." in en
    table = rows(site / "en" / CODE / "index.html")
    assert ["Telegram", "31"] in table and ["Website", "9"] in table and ["Paper", "8"] in table
    assert ["North", "26", "400", "6.5%"] in table and ["South", "22", "600", "3.7%"] in table
    # the main question: two shown, Jobs (3) below the threshold, Climate hidden to protect it
    assert ["Mental health", "22", "46%"] in table and ["Transport", "15", "31%"] in table
    assert ["Jobs", "<5", "–"] in table and ["Climate", "[c]", "–"] in table
    # ranked: points, first choices, how many ranked it, share
    assert ["Parks", "66", "24", "42", "88%"] in table
    assert ["Buses", "43", "14", "29", "60%"] in table
    assert ["Youth clubs", "35", "10", "25", "52%"] in table

    cy = text_of(site / "cy" / CODE / "index.html")
    assert "Roedd y bleidlais ar agor o 16 Tachwedd 2026 tan 27 Tachwedd 2026." in cy
    assert "Pleidleisiodd 48 o 1,000 o bobl ifanc (4.8%)." in cy
    assert "Dewisodd y nifer fwyaf o bobl Iechyd meddwl: 22 o 48 o bobl (46%)." in cy
    assert (
        "Parciau a ddaeth i'r brig, gyda 66 o bwyntiau; rhoddodd 24 o bobl yr opsiwn hwn yn gyntaf."
        in cy
    )
    table = rows(site / "cy" / CODE / "index.html")
    assert ["Gwefan", "9"] in table and ["Papur", "8"] in table
    assert ["Swyddi", "<5", "–"] in table and ["Gogledd", "26", "400", "6.5%"] in table


def test_a_poll_without_ballots_says_so(site: Path) -> None:
    en = text_of(site / "en" / "empty-2026" / "index.html")
    assert "0 ballots counted" in en and "Nobody has answered this question yet." in en
    cy = text_of(site / "cy" / "empty-2026" / "index.html")
    assert "Does neb wedi ateb y cwestiwn hwn eto." in cy


def test_known_figures_by_area(site: Path) -> None:
    table = rows(site / "en" / CODE / "by-area.html")
    header = ["Group", "People in group", "Mental health", "Transport", "Climate", "Jobs"]
    assert header in table
    north = next(r for r in table if r[0] == "North" and len(r) == len(header))
    south = next(r for r in table if r[0] == "South" and len(r) == len(header))
    assert north[:2] == ["North", "26"] and south[:2] == ["South", "22"]
    assert south[5] == "<5"  # the 3 who chose Jobs
    # whatever else is hidden, each shown cell is the true count and share of its group
    truth = {
        ("North", "Mental health"): "12 (46%)",
        ("North", "Transport"): "6 (23%)",
        ("North", "Climate"): "8 (31%)",
        ("South", "Mental health"): "10 (45%)",
        ("South", "Transport"): "9 (41%)",
    }
    for row in (north, south):
        for option, value in zip(header[2:], row[2:], strict=True):
            if value not in ("<5", "[c]"):
                assert truth.get((row[0], option), "0 (0%)") == value
    # South's row adds up to 22: Jobs must not be worked out by taking away the others
    assert sum(1 for v in south[2:] if v in ("<5", "[c]")) >= 2


def test_the_methodology_explains_borda_and_the_markers(site: Path) -> None:
    en = text_of(site / "en" / CODE / "methodology.html")
    assert "We never publish a count smaller than 5" in en
    assert "<5 Fewer than 5 people (but it could be none)." in en
    assert "[c] A figure hidden to protect a smaller number elsewhere. It is 5 or more" in en
    assert "Borda points" in en and "down to one point for the last place" in en
    cy = text_of(site / "cy" / CODE / "methodology.html")
    assert "Dydyn ni byth yn cyhoeddi cyfrif sy'n llai na 5" in cy
    assert "Pwyntiau Borda" in cy


def test_turnout_league_ranks_groups_by_share_of_their_population(site: Path) -> None:
    """Like Make Your Mark's league: highest turnout first, places as ordinals; Ysgol Cwm's 3
    ballots are hidden, so it has no percentage and no place, and comes last. Everyone named a
    school (20 + 18 + 3 = 41 ballots), so Bryn's 18 would give Cwm's 3 away: it is hidden too
    ("[c]"), as the school question's own table and the session table hide it."""
    table = rows(site / "en" / "schools-2026" / "turnout.html")
    assert table[:4] == [
        ["Place", "Group", "Ballots", "Young people", "Turnout"],
        ["1st", "Ysgol Aber", "20", "200", "10.0%"],
        ["–", "Ysgol Bryn", "[c]", "150", "–"],
        ["–", "Ysgol Cwm", "<5", "100", "–"],
    ]
    en = text_of(site / "en" / "schools-2026" / "turnout.html")
    assert "Turnout was highest in Ysgol Aber: 10.0% of young people there voted (20 of 200)." in en
    assert "3%" not in en and "3.0%" not in en  # Cwm's 3 of 100
    assert "12.0%" not in en and "18" not in en  # nor Bryn's 18 of 150
    cy = rows(site / "cy" / "schools-2026" / "turnout.html")
    assert ["1af", "Ysgol Aber", "20", "200", "10.0%"] in cy
    assert ["–", "Ysgol Bryn", "[c]", "150", "–"] in cy
    cy_text = text_of(site / "cy" / "schools-2026" / "turnout.html")
    assert "Roedd y gyfran a bleidleisiodd uchaf yn Ysgol Aber: pleidleisiodd 10.0%" in cy_text
    youth = rows(site / "en" / CODE / "turnout.html")
    assert ["1st", "North", "26", "400", "6.5%"] in youth
    assert ["2nd", "South", "22", "600", "3.7%"] in youth
    # 'Prefer not to say' has no population: it is not in the league
    assert not any("Prefer not to say" in r for r in youth)


def test_ballots_by_session_hide_a_small_session_and_what_would_give_it_away(site: Path) -> None:
    """Every ballot came through a session link: 20 + 18 + 3 = 41, all published. With the
    3 hidden, 18 would give it away (41 - 20 - 18), so it is hidden too ("[c]")."""
    table = rows(site / "en" / "schools-2026" / "turnout.html")
    sessions = table[table.index(["Place", "Session", "Ballots"]) :]
    assert sessions == [
        ["Place", "Session", "Ballots"],
        ["1st", "Year 9 Aber", "20"],
        ["–", "Cwm youth club", "<5"],  # hidden ones last, in label order, not by size
        ["–", "Year 10 Bryn", "[c]"],
    ]
    assert rows(site / "cy" / "schools-2026" / "turnout.html")[4][1:] == ["Sesiwn", "Pleidleisiau"]
    # a poll without sessions has no session table
    assert "Ballots by session" not in text_of(site / "en" / CODE / "turnout.html")


def test_themes_are_counted_overall_and_by_group_never_quoted(site: Path) -> None:
    table = rows(site / "en" / "schools-2026" / "themes.html")
    assert ["Mental health", "26", "63%"] in table  # 20 in Aber, 6 in Bryn
    assert ["Transport", "12", "29%"] in table
    assert ["Money and cost of living", "6", "15%"] in table
    assert ["Climate and environment", "<5", "–"] in table  # Cwm's 3
    by_school = next(r for r in table if r[0] == "Ysgol Aber")
    assert by_school[:3] == ["Ysgol Aber", "20", "20 (100%)"]
    assert next(r for r in table if r[0] == "Ysgol Cwm")[1] == "<5"  # a group of 3: withheld
    en = text_of(site / "en" / "schools-2026" / "themes.html")
    assert "The theme raised most often was Mental health: in the answers of 26 of 41" in en
    cy = rows(site / "cy" / "schools-2026" / "themes.html")
    assert ["Iechyd meddwl", "26", "63%"] in cy and cy[0][0] == "Thema"
    # what people wrote is in no file of the site, pages or downloads
    for path in site.rglob("*"):
        if path.is_file() and path.suffix != ".xlsx":
            assert b"because it matters" not in path.read_bytes(), path
    assert "Themâu yn yr hyn a ysgrifennodd pobl" in text_of(
        site / "cy" / "schools-2026" / "methodology.html"
    )


def test_campaign_page_puts_the_polls_of_a_tag_beside_the_national_list(site: Path) -> None:
    page = site / "en" / "campaigns" / "youth-voice.html"
    assert rows(page) == [
        ["Place", "Youth Council priorities 2026", "Schools vote 2026", "Make Your Mark 2026 (UK)"],
        ["1st", "Mental health (46%)", "Mental health (63%)", "Health and wellbeing (21.3%)"],
        ["2nd", "Transport (31%)", "–", "Crime and safety (17.0%)"],
        ["3rd", "–", "–", "Culture and sport (14.2%)"],
    ]
    text = text_of(page)
    assert "Options whose figures are hidden in a vote are not listed for that vote." in text
    assert "British Youth Council, March 2026" in text
    # each poll's figures as it published them: never a total over polls (which, less one
    # poll's shown count, would give another poll's hidden one away)
    assert "Climate" not in text and "Jobs" not in text
    cy = rows(site / "cy" / "campaigns" / "youth-voice.html")
    assert cy[1] == ["1af", "Iechyd meddwl (46%)", "Iechyd meddwl (63%)", "Iechyd a lles (21.3%)"]
    for index in ("en/index.html", "cy/index.html", "index.html"):
        assert 'campaigns/youth-voice.html"' in (site / index).read_text(encoding="utf-8")
    assert not (site / "en" / "campaigns" / "empty.html").exists()


def test_you_said_we_did_in_english_and_welsh(site: Path) -> None:
    en = (site / "en" / CODE / "you-said-we-did.html").read_text(encoding="utf-8")
    assert "<h2>What we did</h2>" in en and "<strong>mental health</strong>" in en
    assert '<a href="methodology.html">About the counting</a>' in en
    cy = (site / "cy" / CODE / "you-said-we-did.html").read_text(encoding="utf-8")
    assert "<h2>Beth wnaethon ni</h2>" in cy and "<strong>iechyd meddwl</strong>" in cy
    assert "Dywedoch chi, gwnaethon ni" in text_of(site / "cy" / CODE / "index.html")
    assert "Aeth y Cyngor Ieuenctid" in text_of(site / "cy" / CODE / "index.html")
    # only the poll it was given for
    assert not (site / "en" / "schools-2026" / "you-said-we-did.html").exists()


def test_markdown_from_a_worker_cannot_run_or_fetch_anything(tmp_path: Path) -> None:
    from services.site_inputs import render_markdown

    attack = """\
# News
<script>alert(1)</script>
<img src=x onerror=alert(2)>
[a](javascript:alert(3)) [b](JaVaScRiPt:alert(4)) [c](&#106;avascript:alert(5))
[d](data:text/html;base64,PHNjcmlwdD4=) [e](//evil.example/x) [f](vbscript:msgbox)
<javascript:alert(6)> ![g](https://evil.example/pixel.png)
[council](https://www.example.gov.uk/youth) [ours](methodology.html) [top](#main-content)
"""
    out = str(render_markdown(attack))
    tags = re.findall(r"<([a-z0-9]+)", out)
    assert set(tags) <= {"h2", "p", "a"}, tags  # no script, img, iframe...
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out  # shown as text, inert
    assert "&lt;img src=x onerror=alert(2)&gt;" in out
    hrefs = re.findall(r'href="([^"]*)"', out)
    assert hrefs == [
        "https://evil.example/pixel.png",  # an image becomes a plain link: nothing is fetched
        "https://www.example.gov.uk/youth",
        "methodology.html",
        "#main-content",
    ]
    assert 'rel="noopener noreferrer"' in out
    assert "<h2>News</h2>" in out  # under the page's own h1

    from prompts import load_catalog
    from services.pollfile import parse_poll
    from services.results import Results
    from services.site import SitePoll, SiteWriter

    poll = parse_poll(SMALL_POLL, "tiny.yaml", {"en": "Prefer not to say"})
    sp = SitePoll(poll, Results("tiny", "Tiny poll", 0, MIN_CELL, ()), said_did={"en": attack})
    SiteWriter(load_catalog()).write([sp], tmp_path)
    for lang in ("en", "cy"):  # no Welsh given: the English, marked as English
        page = (tmp_path / lang / "tiny" / "you-said-we-did.html").read_text(encoding="utf-8")
        assert "<script" not in page and "<img" not in page
        assert not re.search(r'(href|src)="\s*(javascript|data|vbscript):', page, re.I)
    cy = (tmp_path / "cy" / "tiny" / "you-said-we-did.html").read_text(encoding="utf-8")
    assert '<div class="said-did" lang="en">' in cy


def test_site_inputs_are_checked_before_anything_is_written(
    tmp_path: Path, database_url: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = _site_settings(tmp_path, database_url)
    asyncio.run(_cast(settings))  # the tag's polls are looked up in the store
    bad = tmp_path / "national.yaml"
    cases = [
        (NATIONAL.replace("percent: 21.3", "percent: 210"), "issues[0].percent"),
        (NATIONAL.replace("tag: youth-voice", "tag: Youth Voice"), "line 1: tag:"),
        (NATIONAL.replace("percent: 21.3", "votes: 3"), "fewer than 5 votes"),
        (NATIONAL.replace("tag: youth-voice", "tag: nobody-has-it"), "has no poll with that"),
    ]
    with pytest.MonkeyPatch.context() as mp:
        _database_env(mp, settings)
        for text, message in cases:
            bad.write_text(text, encoding="utf-8")
            out = tmp_path / "out"
            args = ["site", CODE, "schools-2026", "--out", str(out), "--national", str(bad)]
            assert main(args) == 1, text
            assert message in capsys.readouterr().err
            assert not out.exists()  # nothing written, not even a download
        args = ["site", CODE, "--out", str(tmp_path / "o"), "--said-did", "nocode.md"]
        assert main(args) == 2
        assert "--said-did takes CODE=FILE" in capsys.readouterr().err
        args = ["site", CODE, "--out", str(tmp_path / "o"), "--said-did", f"other={bad}"]
        assert main(args) == 1
        assert "--said-did names ['other']" in capsys.readouterr().err


# --- safe to publish: no small count in any byte ---------------------------------------------

SMALL = re.compile(r"(?<![\w.,/%-])([1-4])(?![\w.,%/-])")  # a lone 1..4, not part of 12 or 3%
DATE = re.compile(r"\b\d{1,2} [A-Z][a-z]+ \d{4}\b")


class Published(HTMLParser):
    """What a page says to anyone: its text, and the attributes read out (labels, titles)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("aria-label", "title", "alt") and value:
                self.parts.append(value)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def small_counts(site: Path) -> list[str]:
    """Every published number from 1 to 4 in the site, with where it is. Dates are not counts;
    the stylesheet and the PNG hold no figures (the chart's numbers are the CSV's)."""
    found = []
    for path in sorted(site.rglob("*")):
        where = path.relative_to(site).as_posix()
        if path.suffix == ".html":
            parser = Published()
            parser.feed(path.read_text(encoding="utf-8"))
            for part in parser.parts:
                found += [f"{where}: {part.strip()!r}" for _ in SMALL.findall(DATE.sub("", part))]
        elif path.suffix == ".csv":
            for line in path.read_text(encoding="utf-8").splitlines()[1:]:
                cells = line.split(",")
                found += [f"{where}: {line}" for c in cells[5:] if SMALL.fullmatch(c)]
        elif path.suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8"))
            for table in data["tables"]:
                for cell in table["cells"]:
                    for key in ("count", "first", "points"):
                        if cell[key] in (1, 2, 3, 4):
                            found.append(f"{where}: {table['question']} {cell}")
        elif path.suffix == ".xlsx":
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True)
            for sheet in book.worksheets:
                for line in sheet.iter_rows():
                    for cell in line:
                        if (
                            isinstance(cell.value, int)
                            and 1 <= cell.value < MIN_CELL
                            and "%" not in cell.number_format  # 1 is a share of 100%
                            # the Summary sheet's first column numbers the places: 1st, 2nd...
                            and not (sheet.title in ("Summary", "Crynodeb") and cell.column == 1)
                        ):
                            found.append(f"{where}:{sheet.title}!{cell.coordinate} {cell.value}")
            book.close()
    return found


def test_no_count_under_the_threshold_appears_in_any_file(built: dict[str, Path]) -> None:
    assert small_counts(built["safe"]) == []
    # the scan sees a small count when one is published: built without suppression, the 3
    # who chose Jobs in the South are there, on the pages and in the downloads
    raw = small_counts(built["raw"])
    assert any("by-area.html: '3 (14%)'" in f for f in raw)
    assert any(f.endswith(".csv: youth-2026,priority,Jobs,area,South,3,0.1364,,") for f in raw)
    assert any(f.endswith(".xlsx:By area!E7 3") for f in raw), raw
    # ... and on the new pages: Ysgol Cwm's 3 ballots, its session's, its 3 'climate' answers
    for page in ("turnout.html", "themes.html"):
        assert any(f.startswith(f"en/schools-2026/{page}: '3") for f in raw), page
    scanned = {p.relative_to(built["safe"]).as_posix() for p in built["safe"].rglob("*.html")}
    for lang in ("en", "cy"):
        assert {
            f"{lang}/schools-2026/turnout.html",
            f"{lang}/schools-2026/themes.html",
            f"{lang}/{CODE}/turnout.html",
            f"{lang}/{CODE}/you-said-we-did.html",
            f"{lang}/campaigns/youth-voice.html",
        } <= scanned


def test_hidden_cells_render_as_their_markers(site: Path) -> None:
    svg = (site / "en" / CODE / "index.html").read_text(encoding="utf-8")
    assert "&lt;5 (hidden)" in svg and "[c] (hidden)" in svg
    assert "&lt;5 (wedi'i guddio)" in (site / "cy" / CODE / "index.html").read_text("utf-8")
    page = (site / "en" / CODE / "by-area.html").read_text(encoding="utf-8")
    assert ">3<" not in page and ">3 (" not in page and "3 votes" not in page


# --- links ---------------------------------------------------------------------------------


class Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)
            if name == "id" and value:
                self.ids.add(value)


def test_every_link_resolves_inside_the_site(site: Path) -> None:
    checked = 0
    for page in site.rglob("*.html"):
        parser = Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.links:
            parts = urlsplit(link)
            assert not parts.scheme and not parts.netloc, f"{page}: {link} leaves the site"
            if not parts.path:
                assert parts.fragment in parser.ids, f"{page}: {link}"
                continue
            target = (page.parent / parts.path).resolve()
            assert target.is_file(), f"{page}: {link} -> {target}"
            assert site.resolve() in target.parents, f"{page}: {link} leaves the site"
            checked += 1
    assert checked > 100


def test_the_language_switch_leads_to_the_same_page(site: Path) -> None:
    page = (site / "en" / CODE / "by-area.html").read_text(encoding="utf-8")
    assert f'href="../../cy/{CODE}/by-area.html" lang="cy" hreflang="cy"' in page
    page = (site / "cy" / CODE / "question-order.html").read_text(encoding="utf-8")
    assert f'href="../../en/{CODE}/question-order.html" lang="en" hreflang="en"' in page


def test_unknown_poll_is_one_clear_line(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    database_url: str | None,
) -> None:
    _database_env(monkeypatch, _site_settings(tmp_path, database_url))
    assert main(["site", "nope", "--out", str(tmp_path / "out")]) == 1
    assert "no poll with code 'nope'" in capsys.readouterr().err


# --- in a real browser ---------------------------------------------------------------------


def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def test_every_page_passes_axe_and_looks_right_at_two_widths(page: WebDriver, site: Path) -> None:
    from tests.browser import (
        assert_no_axe_violations,
        assert_no_third_party_requests,
        screenshot,
        serve_directory,
        set_viewport,
    )

    with serve_directory(site) as server:
        for name in _pages(site):
            url = f"{server.url}/{name}"
            assert_no_third_party_requests(page, url)
            assert_no_axe_violations(page)
            shot = name.removesuffix(".html").replace("/", "-")
            for width in (360, 1280):
                set_viewport(page, width, 800)
                page.get(url)
                screenshot(page, SHOTS / f"{shot}-{width}.png")
            set_viewport(page, 1280, 800)
    assert len(list(SHOTS.glob("*-360.png"))) >= 15


def test_every_target_is_at_least_24_px(page: WebDriver, site: Path) -> None:
    """WCAG 2.5.8 on every page at 1280 and 320 px: the language switch, the section links
    and the footer's are targets of at least 24 x 24 CSS px, not only spaced apart."""
    from tests.browser import serve_directory, set_viewport, small_targets

    found = {}
    with serve_directory(site) as server:
        try:
            for width in (1280, 320):
                set_viewport(page, width, 800)
                for name in _pages(site):
                    page.get(f"{server.url}/{name}")
                    if small := small_targets(page):
                        found[f"{name} at {width}"] = small
        finally:
            set_viewport(page, 1280, 800)
    assert found == {}


def test_pages_reflow_at_320_px_and_zoom(page: WebDriver, site: Path) -> None:
    from tests.browser import assert_reflows, serve_directory

    with serve_directory(site) as server:
        for name in (
            "en/youth-2026/index.html",
            "cy/youth-2026/by-area.html",
            "cy/youth-2026/question-order.html",
            "cy/schools-2026/turnout.html",
            "en/schools-2026/themes.html",
            "cy/campaigns/youth-voice.html",
        ):
            assert_reflows(page, f"{server.url}/{name}")


def test_the_overview_prints_to_a_readable_a4_pdf(page: WebDriver, site: Path) -> None:
    from tests.browser import pdf_pages, print_pdf, serve_directory

    with serve_directory(site) as server:
        for lang, sentence in (
            ("en", "Most people chose Mental health: 22 of 48 people (46%)."),
            ("cy", "Dewisodd y nifer fwyaf o bobl Iechyd meddwl: 22 o 48 o bobl (46%)."),
        ):
            page.get(f"{server.url}/{lang}/{CODE}/index.html")
            pdf = print_pdf(page, SHOTS / f"{lang}-overview.pdf")
            text = " ".join(pdf_pages(pdf))
            assert 1 <= len(pdf_pages(pdf)) <= 4
            assert sentence in text
            # the print stylesheet drops the screen-only navigation and language switch
            nav = "How we counted" if lang == "en" else "Sut y gwnaethom gyfrif"
            assert nav not in text


# --- the one-sentence summaries (pure rendering, no database) --------------------------------

SMALL_POLL = """\
code: tiny
title: {en: Tiny poll, cy: Pleidlais fach}
questions:
  - id: pick
    kind: choice
    text: {en: "Pick one", cy: "Dewisa un"}
    options: [Alpha, Beta, Gamma]
  - id: order
    kind: rank
    max: 2
    text: {en: "Order them", cy: "Rho nhw mewn trefn"}
    options: [Xray, Yankee, Zulu]
"""


def test_a_tie_is_said_as_a_tie_and_a_hidden_rank_option_is_not_outranked(tmp_path: Path) -> None:
    from prompts import load_catalog
    from services.pollfile import parse_poll
    from services.results import build_results
    from services.site import SitePoll, SiteWriter
    from services.suppression import apply_suppression
    from storage.records import OptionCount, Respondents, TallyData

    poll = parse_poll(SMALL_POLL, "tiny.yaml", {"en": "Prefer not to say"})
    # Xray has the most points (37) but 3 put it second: it is hidden, so the sentence may
    # not call Zulu or Yankee the top
    places = {"xray": (17, 3), "yankee": (6, 10), "zulu": (5, 15)}
    options = [OptionCount("pick", o, None, n) for o, n in (("alpha", 10), ("beta", 10))]
    options.append(OptionCount("pick", "gamma", None, 6))
    for option, counts in places.items():
        options += [OptionCount("order", option, r, n) for r, n in enumerate(counts, start=1)]
    data = TallyData(
        ballots=28,
        options=options,
        respondents=[Respondents("pick", "", "", 26), Respondents("order", "", "", 28)],
    )
    results = apply_suppression(build_results("tiny", poll, data, MIN_CELL))
    SiteWriter(load_catalog()).write([SitePoll(poll, results)], tmp_path)
    en = text_of(tmp_path / "en" / "tiny" / "index.html")
    assert "Alpha and Beta were chosen most often, by 10 of 26 people each (38%)." in en
    order = rows(tmp_path / "en" / "tiny" / "question-order.html")
    assert ["Xray", "[c]", "[c]", "[c]", "–"] in order
    assert "came top" not in en
    assert (
        "Of the options whose figures can be shown, Zulu has the most points (25); "
        "5 people put it first." in en
    )
    cy = text_of(tmp_path / "cy" / "tiny" / "index.html")
    assert "Alpha a Beta a gafodd eu dewis amlaf, gan 10 o 26 o bobl yr un (38%)." in cy


def test_turnout_publishes_a_group_as_its_own_table_does(tmp_path: Path) -> None:
    """A group count hidden in the breakdown question's table ("[c]") stays hidden in the
    turnout table, with no percentage that would give it away."""
    from prompts import load_catalog
    from services.pollfile import parse_poll
    from services.results import Cell, Results, Table, Turnout, TurnoutRow
    from services.site import SitePoll, SiteWriter

    text = """\
code: towns
title: Towns
questions:
  - id: town
    kind: choice
    text: Where do you live?
    options: [Aber, Bryn]
    breakdown: true
    population: {aber: 500, bryn: 700}
"""
    poll = parse_poll(text, "towns.yaml", {"en": "Prefer not to say"})
    area = Table(
        "town",
        "choice",
        "",
        "",
        "",
        27,
        (
            Cell("aber", "Aber", 20, 20 / 27),
            Cell("bryn", "Bryn", 6, 6 / 27, suppressed=True),
            Cell("prefer-not-to-say", "Prefer not to say", 1, 1 / 27, suppressed=True),
        ),
    )
    turnout = Turnout(
        by_group=(
            TurnoutRow("town", "aber", "Aber", 20, 500),
            TurnoutRow("town", "bryn", "Bryn", 6, 700),
            TurnoutRow("town", "prefer-not-to-say", "Prefer not to say", 1, None, True),
        )
    )
    results = Results("towns", "Towns", 27, MIN_CELL, (area,), turnout=turnout)
    stale = tmp_path / "en" / "towns" / "question-renamed.html"  # from an earlier build
    stale.parent.mkdir(parents=True)
    stale.write_text("old figures", encoding="utf-8")
    SiteWriter(load_catalog()).write([SitePoll(poll, results)], tmp_path)
    assert not stale.exists()
    # a poll with no Welsh keeps its English texts on the Welsh pages, marked as English
    assert '<h1 lang="en">Towns</h1>' in (tmp_path / "cy" / "towns" / "index.html").read_text()
    table = rows(tmp_path / "en" / "towns" / "by-town.html")
    assert ["Aber", "20", "500", "4.0%"] in table
    assert ["Bryn", "[c]", "700", "–"] in table  # not 6, and not 0.9%
    assert ["Prefer not to say", "<5", "–", "–"] in table
    assert "0.9%" not in (tmp_path / "en" / "towns" / "by-town.html").read_text("utf-8")


def test_the_root_page_is_bilingual_throughout(site: Path) -> None:
    """The root page serves both languages: its title, skip link, site name and footer are in
    Welsh as well as English (Welsh no less favourably), the Welsh marked lang="cy"."""
    page = html.unescape((site / "index.html").read_text(encoding="utf-8"))  # tags stay
    catalog = load_catalog()
    for key in ("site_footer", "web_skip_link", "site_name"):
        en, cy = catalog.plain("en", key), catalog.plain("cy", key)
        assert en in page, key
        assert re.search(rf'lang="cy"[^>]*>[^<]*{re.escape(cy)}', page), key
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title and catalog.plain("cy", "site_index_title") in title.group(1)


def test_the_root_page_puts_the_councils_first_language_first(tmp_path: Path) -> None:
    """MARKBOT_WEB_LANGUAGE=cy makes the site's home Welsh first (the page's language, its
    first column and title), English marked lang="en"; the default stays English first."""
    from services.pollfile import parse_poll
    from services.results import build_results
    from services.site import SitePoll, SiteWriter
    from services.suppression import apply_suppression
    from storage.records import TallyData

    poll = parse_poll(SMALL_POLL, "tiny.yaml", {"en": "Prefer not to say"})
    data = TallyData(ballots=0, options=[], respondents=[])
    sp = SitePoll(poll, apply_suppression(build_results("tiny", poll, data, MIN_CELL)))
    for first, second in (("en", "cy"), ("cy", "en")):
        page = SiteWriter(load_catalog(), first_lang=first).pages([sp])["index.html"]
        assert f'<html lang="{first}">' in page
        assert page.index(f'id="in-{first}"') < page.index(f'id="in-{second}"')
        assert f'<section aria-labelledby="in-{second}" lang="{second}">' in page
        assert f'href="{second}/tiny/index.html"' in page
        assert f'<section aria-labelledby="in-{first}">' in page


# --- the Welsh downloads -------------------------------------------------------------------

# The poll's own words are translated (title, questions, options, groups, theme names) and the
# files' own words; everything else, every figure and marker, is the English file's.
TRANSLATED = {"label", "group_label", "title", "text", "rule"}


def _same_but_words(en: object, cy: object, where: str = "") -> None:
    """The Welsh JSON is the English one, key for key and figure for figure; only the values
    of the translated keys may differ."""
    assert type(en) is type(cy), where
    if isinstance(en, dict):
        assert isinstance(cy, dict) and list(en) == list(cy), where
        for key in en:
            if key in TRANSLATED and isinstance(en[key], str):
                continue
            _same_but_words(en[key], cy[key], f"{where}.{key}")
    elif isinstance(en, list):
        assert isinstance(cy, list) and len(en) == len(cy), where
        for i, (a, b) in enumerate(zip(en, cy, strict=True)):
            _same_but_words(a, b, f"{where}[{i}]")
    else:
        assert en == cy, where


def test_the_welsh_downloads_have_welsh_headers_and_the_same_figures(site: Path) -> None:
    """Found by review: the Welsh pages linked to English-only downloads."""
    import csv

    from openpyxl import load_workbook

    en_dir, cy_dir = site / "downloads", site / "downloads" / "cy"
    catalog = load_catalog()
    # CSV: Welsh column names, then row for row, the figures (and markers) of the English file
    en_rows = list(csv.reader((en_dir / f"{CODE}.csv").read_text("utf-8").splitlines()))
    cy_rows = list(csv.reader((cy_dir / f"{CODE}.csv").read_text("utf-8").splitlines()))
    assert cy_rows[0] == catalog.plain("cy", "export_csv_columns").split("|")
    assert cy_rows[0][:3] == ["pleidlais", "cwestiwn", "ateb"] and en_rows[0][0] == "poll"
    assert len(en_rows) == len(cy_rows) > 10
    for en, cy in zip(en_rows[1:], cy_rows[1:], strict=True):
        assert en[:2] + en[3:4] + en[5:] == cy[:2] + cy[3:4] + cy[5:]  # all but the labels
    labels = {row[2] for row in cy_rows[1:]}
    assert {"Iechyd meddwl", "Swyddi", "Parciau"} <= labels and "Mental health" not in labels
    assert {"Gogledd", "De", "Gwefan", "Papur"} <= {row[4] for row in cy_rows[1:]}
    assert any(row[5] == "<5" for row in cy_rows) and any(row[5] == "[c]" for row in cy_rows)
    # JSON: the same keys and figures; the poll's words and the rule in Welsh
    en_json = json.loads((en_dir / f"{CODE}.json").read_text(encoding="utf-8"))
    cy_json = json.loads((cy_dir / f"{CODE}.json").read_text(encoding="utf-8"))
    _same_but_words(en_json, cy_json)
    assert cy_json["title"] == "Blaenoriaethau'r Cyngor Ieuenctid 2026"
    assert cy_json["rule"].startswith("Mae niferoedd llai na 5")
    # the workbook: the same sheets, every number and date in the same cell; words in Welsh
    en_book = load_workbook(en_dir / f"{CODE}.xlsx", read_only=True)
    cy_book = load_workbook(cy_dir / f"{CODE}.xlsx", read_only=True)
    assert len(en_book.worksheets) == len(cy_book.worksheets)
    assert cy_book.worksheets[0].title == "Crynodeb"
    words = set()
    for en_sheet, cy_sheet in zip(en_book.worksheets, cy_book.worksheets, strict=True):
        en_cells = [[c.value for c in r] for r in en_sheet.iter_rows()]
        cy_cells = [[c.value for c in r] for r in cy_sheet.iter_rows()]
        assert len(en_cells) == len(cy_cells), cy_sheet.title
        for en_row, cy_row in zip(en_cells, cy_cells, strict=True):
            assert len(en_row) == len(cy_row)
            for a, b in zip(en_row, cy_row, strict=True):
                if isinstance(a, str) and a not in ("<5", "[c]"):
                    assert isinstance(b, str)  # a word, perhaps translated
                    words.add(b)
                else:
                    assert a == b, cy_sheet.title  # a figure, a date or a marker
    en_book.close()
    cy_book.close()
    for key in ("first", "points", "respondents", "total", "rank", "count", "share", "ballots"):
        assert catalog.plain("cy", f"export_{key}") in words, key
    assert not words & {"First preferences", "Respondents", "Total", "Summary", "Ballots"}
    # the chart: a PNG of the same size (its notes' words: test_exports.py)
    en_png, cy_png = (en_dir / f"{CODE}.png").read_bytes(), (cy_dir / f"{CODE}.png").read_bytes()
    assert cy_png[:8] == b"\x89PNG\r\n\x1a\n" and cy_png[16:24] == en_png[16:24]


def test_the_welsh_downloads_page_links_to_the_welsh_downloads(site: Path) -> None:
    cy = (site / "cy" / CODE / "downloads.html").read_text(encoding="utf-8")
    en = (site / "en" / CODE / "downloads.html").read_text(encoding="utf-8")
    for suffix in (".csv", ".xlsx", ".json", ".png"):
        assert f'href="../../downloads/cy/{CODE}{suffix}"' in cy
        assert f'href="../../downloads/{CODE}{suffix}"' in en  # English addresses unchanged
        assert (site / "downloads" / "cy" / f"{CODE}{suffix}").is_file()
    assert "downloads/cy/" not in en
    assert html.escape(load_catalog().plain("cy", "site_downloads_language"), quote=False) in cy


def test_a_chart_hidden_whole_gives_the_true_reason() -> None:
    """A chart whose every figure is hidden said 'because too few people answered it' beside
    '53 people answered this question': figures are hidden whole also when enough answered,
    so that a small count cannot be worked out. The reason given must fit the count shown."""
    from services.site import SiteWriter

    writer = SiteWriter(load_catalog())
    hidden = [{"hidden": True, "value": 0, "label": "Transport"}]
    for lang in ("en", "cy"):
        few = str(writer._summary(lang, "theme", hidden, "<5", 53))
        many = str(writer._summary(lang, "theme", hidden, "53", 53))
        assert few != many, lang
        assert "too few" not in many and "rhy ychydig" not in many, lang
        assert "too few" in str(writer._summary("en", "choice", hidden, "<5", 53))
        assert "too few" not in str(writer._summary("en", "choice", hidden, "[c]", 53))


CHANNEL_POLL = """\
code: channels-2026
title: By channel
questions:
  - id: pick
    kind: choice
    text: Pick one
    options: [Alpha, Beta]
"""


def test_a_small_channel_cannot_be_worked_out_from_the_others_and_the_total(
    tmp_path: Path, database_url: str | None
) -> None:
    """14 ballots by Telegram, 35 on the web and 2 on paper: the overview said "Telegram 14,
    Website 35, Paper <5" under "51 ballots counted", so paper was 51 - 14 - 35 = 2. The
    channels' sizes are a table of their own, as a breakdown's are (and the web's codes and
    open ballots, which add up to the web's, are hidden when the web's size is)."""
    from services.pollfile import CHANNEL
    from services.suppression import group_size

    settings = _site_settings(tmp_path, database_url)

    async def go() -> tuple[list[int | str], int, tuple]:
        rt = await open_runtime(settings)
        try:
            poll, poll_id = await open_poll(rt, CHANNEL_POLL, "c.yaml")
            n = 1
            for channel, pick, count in (
                ("telegram", "alpha", 14),
                ("web", "beta", 35),
                ("paper", "alpha", 2),
            ):
                choices = (("pick", pick, None),)
                n = await cast(
                    rt.store, poll, poll_id, choices, count=count, first=n, now=NOW, channel=channel
                )
            res = await rt.services.reports.results("channels-2026", MIN_CELL)
            sizes = [
                group_size(t, MIN_CELL)
                for t in res.tables
                if t.question == "pick" and t.dimension == CHANNEL
            ]
            return sizes, res.ballots, res.web_modes
        finally:
            await rt.close()

    sizes, ballots, web_modes = asyncio.run(go())
    assert ballots == 51 and len(sizes) == 3
    assert f"<{MIN_CELL}" in sizes
    hidden = [s for s in sizes if not isinstance(s, int)]
    assert len(hidden) >= 2, sizes  # one hidden size would be the total less the others
    if not isinstance(dict(zip(("telegram", "web", "paper"), sizes, strict=True))["web"], int):
        assert all(n is None for _, n in web_modes), web_modes


PART_WELSH = """\
code: part-cy
title: {en: Partly translated, cy: Wedi'i gyfieithu'n rhannol}
questions:
  - id: pick
    kind: choice
    text: {en: Pick one, cy: Dewisa un}
    options:
      - {id: a, label: {en: Alpha, cy: Alffa}}
      - {id: b, label: {en: Beta}}
"""


def test_a_poll_partly_in_welsh_is_english_on_the_welsh_pages_and_marked_so(
    tmp_path: Path,
) -> None:
    """A poll whose texts are not all in Welsh is written in English, so its texts are marked
    lang="en" on the Welsh pages; they were marked so but picked in Welsh where a text had
    Welsh ("Dewisa un" and "Alffa" read out by an English voice: WCAG 3.1.2)."""
    from services.pollfile import parse_poll
    from services.results import Cell, Results, Table
    from services.site import SitePoll, SiteWriter

    poll = parse_poll(PART_WELSH, "p.yaml", {"en": "Prefer not to say"})
    cells = (Cell("a", "Alpha", 12, 0.6), Cell("b", "Beta", 8, 0.4))
    table = Table("pick", "choice", "", "", "", 20, cells)
    sp = SitePoll(poll, Results("part-cy", "Partly translated", 20, MIN_CELL, (table,)))
    SiteWriter(load_catalog()).write([sp], tmp_path)
    for page in [
        tmp_path / "cy" / "index.html",
        *sorted((tmp_path / "cy" / "part-cy").glob("*.html")),
    ]:
        text = page.read_text(encoding="utf-8")
        for welsh in ("Dewisa un", "Alffa", "Wedi'i gyfieithu"):
            assert welsh not in html.unescape(text), (page.name, welsh)
    page = (tmp_path / "cy" / "part-cy" / "question-pick.html").read_text(encoding="utf-8")
    assert '<h1 lang="en">Pick one</h1>' in page and 'lang="en">Alpha<' in page
    # ... and inside a Welsh sentence too ("Dewisodd y rhan fwyaf o bobl Alpha")
    summary = re.search(r'<figcaption id="summary-pick"[^>]*>(.*?)</figcaption>', page)
    assert summary and '<span lang="en">Alpha</span>' in summary.group(1), page
    english = (tmp_path / "en" / "part-cy" / "question-pick.html").read_text(encoding="utf-8")
    assert "<span lang" not in english


def _english_words(*texts: str) -> list[str]:
    """The poll's own words (titles, intros, outcomes, questions, options) in English."""
    words: list[str] = []
    for text in texts:
        data = yaml.safe_load(_english_only(text))
        words += [data[k] for k in ("title", "intro", "outcome") if k in data]
        for q in data["questions"]:
            words.append(q["text"])
            words += [o["label"] if isinstance(o, dict) else o for o in q.get("options", [])]
    return words


def test_the_welsh_pages_of_english_only_polls_mark_every_poll_text_english(
    tmp_path: Path,
) -> None:
    """WCAG 3.1.2 on the results site: the same polls written only in English. On every Welsh
    page (overview, questions, breakdowns, turnout, themes, campaign, downloads, methodology,
    the index and the root page) each text holding the polls' words is inside an element
    marked lang="en": the navigation's "By the answer to: ...", tables' captions and headers,
    charts' summaries included."""
    settings = _site_settings(tmp_path)
    asyncio.run(_cast(settings, english_only=True))
    code, _ = _build(settings, tmp_path, tmp_path / "out", MIN_CELL)
    assert code == 0
    words = _english_words(POLL, SCHOOLS, EMPTY)
    pages = sorted((tmp_path / "out" / "cy").rglob("*.html"))
    assert len(pages) > 10
    found = 0
    for page in pages:
        where = page.relative_to(tmp_path / "out").as_posix()
        found += assert_poll_words_marked(page.read_text(encoding="utf-8"), words, "en", where)
    assert found > 50


def test_right_to_left_words_in_a_sentence_are_isolated(tmp_path: Path) -> None:
    """An option in Hebrew or Arabic put in a page's own sentence ("Most people chose
    ירושלים: 34 of 120 people") took the figure after it into its right-to-left run, so the
    sentence read "Most people chose 34 :ירושלים of 120 people". Such words are now in
    <bdi> (with their lang where they are not the page's language); others are as before."""
    import re

    from prompts import load_catalog
    from services.pollfile import parse_poll
    from services.results import build_results
    from services.site import SitePoll, SiteWriter
    from services.suppression import apply_suppression
    from storage.records import OptionCount, Respondents, TallyData

    text = """\
code: rtl
title: {en: Places, cy: Lleoedd}
questions:
  - id: pick
    kind: choice
    text: {en: "Pick one", cy: "Dewisa un"}
    options:
      - {id: jerusalem, label: {en: "ירושלים והסביבה", cy: "ירושלים והסביבה"}}
      - {id: cairo, label: {en: "القاهرة", cy: "القاهرة"}}
      - {id: bala, label: {en: "Bala", cy: "Y Bala"}}
"""
    poll = parse_poll(text, "rtl.yaml", {"en": "Prefer not to say", "cy": "Gwell gen i beidio"})
    counts = (("jerusalem", 34), ("cairo", 20), ("bala", 12))
    data = TallyData(
        ballots=66,
        options=[OptionCount("pick", o, None, n) for o, n in counts],
        respondents=[Respondents("pick", "", "", 66)],
    )
    results = apply_suppression(build_results("rtl", poll, data, MIN_CELL))
    SiteWriter(load_catalog()).write([SitePoll(poll, results)], tmp_path)
    for lang, chose in (("en", "Most people chose "), ("cy", "")):
        page = (tmp_path / lang / "rtl" / "index.html").read_text(encoding="utf-8")
        (caption,) = re.findall(r'<figcaption id="summary-pick"[^>]*>(.*?)</figcaption>', page)
        assert "<bdi>ירושלים והסביבה</bdi>" in caption, caption
        assert caption.startswith(chose)
    # Latin words are untouched: no <bdi> for Bala anywhere
    assert "<bdi>" not in (tmp_path / "en" / "index.html").read_text(encoding="utf-8")


def test_said_did_headings_never_skip_a_level() -> None:
    """A worker's "### Buses" became an h4 straight under the page's h1 (or the overview's h2):
    a skipped heading level, which a screen reader's list of headings shows as a gap (axe's
    heading-order). Each heading is now at most one level below the one before it."""
    import re

    from services.site_inputs import render_markdown

    text = (
        "### Buses\n\nMore.\n\n###### Times\n\nLater.\n\n# What we did\n\n## Parks\n\n#### Gates\n"
    )
    levels = [int(n) for n in re.findall(r"<h([1-6])>", str(render_markdown(text)))]
    assert levels == [2, 3, 2, 3, 4]
    assert [int(n) for n in re.findall(r"<h([1-6])>", str(render_markdown("# A\n## B")))] == [2, 3]
