"""Hostile requests the other fuzz tests don't make (issue 14): headers, cookies, query strings,
content types and methods of any kind, with a language oracle and exact counts afterwards.

Each example is one browser: it may first choose Welsh or English (``?lang=``), then sends
requests with generated query strings, cookies, headers and bodies. Every answer is a page in
the browser's language (``<html lang>``), never a 500 or internals; the ballots afterwards are
exactly the journeys completed in full; nothing the client sent reaches the log.
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import Runtime
from tests.stored import count
from tests.test_fuzz_web import LEAK
from tests.test_staff_e2e import staffed  # noqa: F401 (a fixture)
from tests.test_web_ballot import runtime, whole_ballot  # noqa: F401 (a fixture)
from tests.webclient import Browser, Page, web_client

FUZZ = settings(
    max_examples=60,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
HTML_LANG = re.compile(r'<html lang="(\w+)">')
PATHS = [
    "/", "/privacy", "/accessibility", "/v/web-poll", "/v/code-poll", "/v/web-poll/q/0",
    "/v/web-poll/check", "/v/web-poll/done", "/v/web-poll/start", "/v/web-poll/send",
    "/v/code-poll/start", "/v/web-poll/help", "/results", "/results/", "/results/x/index.html",
    "/results/downloads/x.csv", "/dashboard", "/dashboard/", "/dashboard/cy/index.html",
    "/dashboard/en/web-poll/index.html", "/dashboard/downloads/x.csv", "/dashboard/login/abc",
    "/dashboard/logout", "/v/%ff", "/v/%00/q/0", "/v/web-poll//q//0/", "/nope", "//",
    "/v/web-poll/q/0?x", "/static/markbot.css",
]  # fmt: skip
ODD = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        ["", "cy", "en", "CY", "cy-GB", "x" * 2000, "\x00", "é", "a=b; c", "%ff", "\r\nX: y"]
    ),
)
QUERY_KEYS = ["lang", "code", "j", "x", "LANG", "lang[]"]
COOKIE_NAMES = ["mb", "mbv", "mbs", "x"]
HEADERS = [
    "Accept-Language", "X-Forwarded-For", "Forwarded", "Content-Type", "Origin", "Referer",
    "If-None-Match", "Range", "Accept", "User-Agent", "X-Requested-With",
]  # fmt: skip
CONTENT_TYPES = [
    "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=zz",
    "application/json", "text/plain", "application/x-www-form-urlencoded; charset=utf-16",
    "application/x-www-form-urlencoded; charset=latin-1", "", "*/*",
]  # fmt: skip


def _header_value(value: str) -> str:
    """What an HTTP client can send in a header: no line breaks, latin-1 only."""
    flat = value.replace("\r", " ").replace("\n", " ")
    return flat.encode("latin-1", "replace").decode("latin-1")


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    query = draw(st.lists(st.tuples(st.sampled_from(QUERY_KEYS), ODD), max_size=3))
    headers = {
        name: _header_value(draw(ODD))
        for name in draw(st.lists(st.sampled_from(HEADERS), max_size=3, unique=True))
    }
    if draw(st.booleans()):
        headers["Content-Type"] = draw(st.sampled_from(CONTENT_TYPES))
    cookies = draw(st.lists(st.tuples(st.sampled_from(COOKIE_NAMES), ODD), max_size=2))
    return {
        "method": draw(st.sampled_from(["GET", "POST", "POST", "HEAD", "OPTIONS", "PATCH"])),
        "path": draw(st.sampled_from(PATHS)),
        "query": "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in query),
        "headers": headers,
        "cookies": "; ".join(f"{k}={_header_value(v)}" for k, v in cookies),
        "keep_form": draw(st.booleans()),
        "body": draw(st.one_of(st.none(), st.binary(max_size=80), st.text(max_size=40))),
    }


class HeaderRun:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.statuses: dict[int, int] = {}

    async def send(self, lang: str, steps: list[dict[str, Any]]) -> list[str]:
        problems: list[str] = []
        self.client.session.cookie_jar.clear()
        b = Browser(self.client)
        await b.get(f"/v/web-poll?lang={lang}")
        for step in steps:
            url = step["path"] + ("&" if "?" in step["path"] else "?") + step["query"]
            headers = dict(step["headers"])
            if step["cookies"]:
                # the browser's own cookies go too (a browser sends its jar with any extra)
                own = "; ".join(f"{c.key}={c.value}" for c in self.client.session.cookie_jar)
                headers["Cookie"] = "; ".join(x for x in (own, step["cookies"]) if x)
            data: Any = step["body"]
            if step["keep_form"] and b.page is not None:
                data = [*b.page.hidden().items(), ("answer", "13-15")]
            try:
                async with self.client.request(
                    step["method"], url, data=data, headers=headers, allow_redirects=True
                ) as resp:
                    text = await resp.text(errors="replace")
                    status, ctype = resp.status, resp.content_type
            except ValueError:  # the client itself would not send it
                continue
            self.statuses[status] = self.statuses.get(status, 0) + 1
            where = f"{step['method']} {url[:80]!r} {headers!r:.200}"
            if status >= 500:
                problems.append(f"{where} -> {status}")
            leak = LEAK.search(text)
            if leak:
                problems.append(f"{where} shows {leak.group()!r}")
            found = HTML_LANG.search(text)
            ours = "/results" not in step["path"]  # the site's files have their own language
            if ctype == "text/html" and found is None and step["method"] != "HEAD" and ours:
                problems.append(f"{where} -> {status} not a page")
            wanted = _wanted(step, lang) if ours and "/dashboard/" not in step["path"] else None
            if found is not None and wanted is not None and found.group(1) != wanted:
                problems.append(f"{where} -> {status} in {found.group(1)}, not {wanted}")
        return problems


def assert_clean_log(caplog: pytest.LogCaptureFixture) -> None:
    """No error, no traceback, no address or user agent in what markbot logged (aiohttp's
    access log is the test server's own: ``start_web`` writes none)."""
    for record in caplog.records:
        if record.name == "aiohttp.access":
            continue
        said = record.getMessage()
        assert record.levelno < logging.ERROR, said
        assert record.exc_info is None and record.exc_text is None, said
        assert "127.0.0.1" not in said and "aiohttp/" not in said, said
        assert not LEAK.search(said) or "Error" in said, said


def _wanted(step: dict[str, Any], lang: str) -> str | None:
    """The language the page should be in, when a forged cookie did not replace the session."""
    if re.search(r"(^|; )mb=", step["cookies"]):
        return None  # a forged session cookie: a new browser, the default language
    langs = re.findall(r"(?:^|&)lang=([^&]*)", step["query"])
    if langs and langs[0] in ("en", "cy"):
        return langs[0]
    return lang


@pytest.mark.timeout(300)
async def test_headers_cookies_and_queries_never_break(
    runtime: Runtime,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    loop = asyncio.get_running_loop()
    async with web_client(runtime, trust_proxy=True) as client:
        run = HeaderRun(client)

        @FUZZ
        @given(st.sampled_from(["en", "cy"]), st.lists(requests(), min_size=1, max_size=4))
        def fuzz(lang: str, steps: list[dict[str, Any]]) -> None:
            future = asyncio.run_coroutine_threadsafe(run.send(lang, steps), loop)
            problems = future.result(timeout=60)
            assert not problems, problems

        await asyncio.to_thread(fuzz)
        client.session.cookie_jar.clear()
        await whole_ballot(Browser(client))
        assert await count(runtime, "ballots") == 1
        assert_clean_log(caplog)
        print(f"\nheaders: {run.statuses}")


# --- settings ------------------------------------------------------------------------------

SETTING_VALUES = {
    "DB": ["", ".", "/", "..", "./", "x.db", "sub/x.db", "x\x01.db", " ", "~/x.db"],
    "DATABASE_URL": ["", " ", "sqlite:///.", "sqlite:///x.db", "sqlite://x", "mysql://x", "."],
    "KEY_FILE": ["", ".", "/", "k.key", "nowhere/k.key"],
    "ADMINS": ["", "1,2", "1,,2", "x", "-5", "99999999999999999999999", "1 2", "١٢"],
    "MIN_CELL": ["", "0", "-1", "5", "x", "1e3", "99999999999999999999999"],
    "SAFEGUARDING_CHAT": ["", "x", "-100123", "99999999999999999999999"],
    "LOG_LEVEL": ["", "info", "verbose", "DEBUG "],
    "CONCURRENCY": ["", "0", "1", "9999", "x"],
    "TEXT_LANGUAGES": ["", ",", "en,cy", "EN", "xx", "en,,cy"],
    "WEB_PORT": ["", "0", "80", "70000", "x"],
    "WEB_LANGUAGE": ["", "CY", "fr", " cy "],
    "PUBLIC_URL": ["", "votes.example", "https://", "https://votes.example/"],
    "API_URL": ["", "ftp://x/bot", "http://x/bot", "http://x/{token}"],
    "WEB_TRUST_PROXY": ["", "yes", "maybe", "1"],
}


@FUZZ
@given(
    st.fixed_dictionaries(
        {name: st.sampled_from([None] * 8 + values) for name, values in SETTING_VALUES.items()}
    )
)
def test_settings_are_used_or_refused_in_one_line(
    tmp_path_factory: pytest.TempPathFactory, picks: dict[str, str | None]
) -> None:
    """Any mix of missing and malformed settings: ``markbot poll list`` lists the polls or
    says in one ``markbot:`` line what is wrong; never a traceback."""
    import contextlib
    import io
    import os

    from bot.cli import main

    folder = tmp_path_factory.mktemp("settings")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKBOT_")}
    env |= {f"MARKBOT_{name}": value for name, value in picks.items() if value is not None}
    saved, cwd = dict(os.environ), os.getcwd()
    err = io.StringIO()
    try:
        os.environ.clear()
        os.environ.update(env)
        os.chdir(folder)
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(["poll", "list"])
    finally:
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(saved)
    said = err.getvalue()
    if code == 0:
        assert said == "", said
    else:
        assert code in (1, 2) and said.startswith("markbot: ") and said.count("\n") == 1, said


# --- interleavings of web steps ------------------------------------------------------------

ANSWERS = {0: ["13-15", "16-18", "under-10"], 1: ["north", "south"], 2: ["climate", "jobs"]}
ACTIONS = [
    "land", "start", "answer", "answer", "answer", "check", "send", "double_send", "back",
    "reload", "lang", "cancel", "forget", "walk", "journey", "journey", "journey", "race",
]  # fmt: skip
RACERS = ["send", "start", "walk", "cancel", "double_send", "journey"]
STEP_PATH = re.compile(r"^/v/([\w-]+)/q/(\d+)$")


class Tab:
    def __init__(self) -> None:
        self.poll = "web-poll"
        self.url = "/v/web-poll"
        self.hidden: dict[str, str] = {}


class Person:
    """One browser (its own client and cookie jar) with two tabs, and the language it chose."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.lang = "en"
        self.tabs = [Tab(), Tab()]


class Interleavings:
    def __init__(self, people: list[Person], codes: list[str]) -> None:
        self.people = people
        self.codes = codes
        self.done: dict[str, set[str]] = {"web-poll": set(), "code-poll": set()}
        self.steps = 0

    async def _go(
        self, person: Person, tab: Tab, method: str, url: str, data: Any = None
    ) -> tuple[int, str, str]:
        async with person.client.request(method, url, data=data) as resp:
            text = await resp.text(errors="replace")
            path, query = resp.url.path, resp.url.query
            status = resp.status
        if path.endswith("/done") and status == 200:
            self.done[path.split("/")[2]].add(query.get("j", ""))
        tab.url = path + (f"?{resp.url.query_string}" if resp.url.query_string else "")
        tab.url = re.sub(r"[?&]lang=\w+", "", tab.url)
        tab.hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', text))
        return status, path, text

    async def step(self, who: int, which: int, action: str, arg: int) -> list[str]:
        person = self.people[who]
        tab = person.tabs[which]
        poll = tab.poll
        form = list(tab.hidden.items())
        replies: list[tuple[int, str, str]] = []
        if action == "journey":  # land, start, answer to the check page (and send), in one step
            parts = ["land", "start", "walk"] + (["send"] if arg < 3 else [])
            for part in parts:
                problems = await self.step(who, which, part, arg)
                if problems:
                    return problems
            return []
        if action == "race":  # both tabs at once: what one does may undo what the other does
            first, second = RACERS[arg % len(RACERS)], RACERS[(arg * 7 + who) % len(RACERS)]
            found = await asyncio.gather(
                self.step(who, 0, first, arg), self.step(who, 1, second, arg + 1)
            )
            return [p for problems in found for p in problems]
        if action == "land":
            tab.poll = poll = ("web-poll", "code-poll")[arg % 2]
            replies.append(await self._go(person, tab, "GET", f"/v/{poll}"))
        elif action == "start":
            code = self.codes[(arg + 4 * who) % len(self.codes)]
            replies.append(
                await self._go(person, tab, "POST", f"/v/{poll}/start", [*form, ("code", code)])
            )
        elif action == "answer":
            found = STEP_PATH.match(tab.url.split("?")[0])
            index = int(found.group(2)) if found else arg % 4
            options = ANSWERS.get(index, ["Floods near school", ""])
            answer = options[arg % len(options)]
            url = f"/v/{poll}/q/{index}"
            replies.append(await self._go(person, tab, "POST", url, [*form, ("answer", answer)]))
        elif action == "walk":  # answer on from where the tab is, up to the check page
            for _ in range(5):
                found = STEP_PATH.match(tab.url.split("?")[0])
                if found is None:
                    break
                index = int(found.group(2))
                answer = ANSWERS.get(index, ["Floods near school"])[0]
                form = [*tab.hidden.items(), ("answer", answer)]
                replies.append(await self._go(person, tab, "POST", tab.url, form))
        elif action == "check":
            replies.append(await self._go(person, tab, "GET", f"/v/{poll}/check"))
        elif action == "send":
            replies.append(await self._go(person, tab, "POST", f"/v/{poll}/send", form))
        elif action == "double_send":
            other = Tab()
            replies += await asyncio.gather(
                self._go(person, tab, "POST", f"/v/{poll}/send", form),
                self._go(person, other, "POST", f"/v/{poll}/send", form),
            )
        elif action == "back":
            found = STEP_PATH.match(tab.url.split("?")[0])
            back = f"/v/{poll}/q/{int(found.group(2)) - 1}" if found else f"/v/{poll}/q/{arg % 4}"
            replies.append(await self._go(person, tab, "GET", back))
        elif action == "reload":
            replies.append(await self._go(person, tab, "GET", tab.url))
        elif action == "lang":
            person.lang = "cy" if person.lang == "en" else "en"
            joiner = "&" if "?" in tab.url else "?"
            replies.append(
                await self._go(person, tab, "GET", f"{tab.url}{joiner}lang={person.lang}")
            )
        elif action == "cancel":
            replies.append(await self._go(person, tab, "POST", f"/v/{poll}/cancel", form))
        elif action == "forget":
            person.client.session.cookie_jar.clear()
            person.lang = "en"
            person.tabs = [Tab(), Tab()]
        self.steps += 1
        problems = []
        for status, path, text in replies:
            where = f"{action} on {who}.{which} -> {status} {path}"
            if status >= 500:
                problems.append(where)
            if LEAK.search(text):
                problems.append(f"{where} shows {LEAK.search(text).group()!r}")  # type: ignore[union-attr]
            found = HTML_LANG.search(text)
            if found is None:
                problems.append(f"{where}: not a page")
            elif found.group(1) != person.lang:
                problems.append(f"{where}: in {found.group(1)}, the browser chose {person.lang}")
        return problems


@pytest.mark.timeout(300)
async def test_interleaved_web_steps_count_each_sent_journey_once(
    runtime: Runtime,  # noqa: F811
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Three browsers, two tabs each: land, start (with codes, some shared), answer, back,
    reload, switch language, cancel, send, double send, forget cookies, in any order. Every
    page in the browser's language; the ballots are exactly the journeys whose confirmation
    was shown (one token each), and with codes exactly the codes used."""
    caplog.set_level(logging.INFO)
    loop = asyncio.get_running_loop()
    codes = await runtime.services.codes.make("code-poll", 12)
    codes.append("ABCD-EFGH-JK")  # a wrong one
    async with web_client(runtime) as a, web_client(runtime) as b, web_client(runtime) as c:
        run = Interleavings([Person(a), Person(b), Person(c)], codes)

        @FUZZ
        @given(
            st.lists(
                st.tuples(
                    st.integers(0, 2),
                    st.integers(0, 1),
                    st.sampled_from(ACTIONS),
                    st.integers(0, 5),
                ),
                min_size=5,
                max_size=30,
            )
        )
        def fuzz(steps: list[tuple[int, int, str, int]]) -> None:
            for step in steps:
                future = asyncio.run_coroutine_threadsafe(run.step(*step), loop)
                problems = future.result(timeout=60)
                assert not problems, (step, problems)

        await asyncio.to_thread(fuzz)
    loaded = await runtime.services.polls.by_code("code-poll")
    assert loaded is not None
    _, used = await runtime.store.code_counts(loaded[0].id)
    ballots = await count(runtime, "ballots")
    shown = {poll: len(tokens) for poll, tokens in run.done.items()}
    assert ballots == sum(shown.values()), (ballots, shown)
    assert used == shown["code-poll"], (used, shown)
    assert_clean_log(caplog)
    print(f"\ninterleavings: {run.steps} steps, ballots {shown}")


# --- paper files written many ways -----------------------------------------------------------

PAPER_OPTIONS = {
    "age": [("10-12", "10-12"), ("13-15", "13-15"), ("16-18", "16-18"), ("19-25", "19-25")],
    "area": [("north", "North"), ("south", "South"), ("prefer-not-to-say", "Prefer not to say")],
    "priority": [
        ("mental-health", "Mental health"), ("transport", "Transport"), ("climate", "Climate"),
        ("jobs", "Jobs"),
    ],
}  # fmt: skip


@st.composite
def written_ballots(draw: st.DrawFn) -> tuple[bytes, list[tuple[tuple[str, str], ...]]]:
    """Valid ballots, and a CSV of them as a spreadsheet or a hand might write it: any column
    order, labels or ids in any case with spaces around, quoted or not, CRLF or LF, a BOM,
    blank lines, the optional text column there or not."""
    ballots = draw(
        st.lists(
            st.tuples(*(st.sampled_from(PAPER_OPTIONS[q]) for q in ("age", "area", "priority"))),
            min_size=1,
            max_size=8,
        )
    )
    columns = draw(st.permutations(["age", "area", "priority", "why"]))
    if draw(st.booleans()):
        columns = [c for c in columns if c != "why"]

    def write(value: tuple[str, str]) -> str:
        text = draw(st.sampled_from(value))
        text = draw(st.sampled_from([text, text.upper(), text.lower(), f" {text} ", f"{text}\t"]))
        return text

    quote_all = draw(st.booleans())
    lines = []
    for ballot in ballots:
        cells = dict(zip(("age", "area", "priority"), ballot, strict=True))
        row = [write(cells[c]) if c in cells else "" for c in columns]
        lines.append(row)
        if draw(st.integers(0, 5)) == 0:
            lines.append([""] * len(columns))  # a blank line a spreadsheet leaves
    header = [draw(st.sampled_from([c, f" {c} "])) for c in columns]
    end = draw(st.sampled_from(["\n", "\r\n"]))

    def line(row: list[str]) -> str:
        if quote_all:
            return ",".join('"' + cell + '"' for cell in row)
        return ",".join(row)

    text = end.join(line(r) for r in [header, *lines]) + draw(st.sampled_from(["", end]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig"]))
    expected = [
        tuple((q, b[i][0]) for i, q in enumerate(("age", "area", "priority"))) for b in ballots
    ]
    return text.encode(encoding), expected


@FUZZ
@given(written_ballots())
def test_a_paper_file_however_written_counts_each_row_as_written(
    written: tuple[bytes, list[tuple[tuple[str, str], ...]]],
) -> None:
    """The same ballots, written any of the ways a spreadsheet or a person writes a CSV, are
    read as exactly those ballots: none lost, none added, no answer changed."""
    from services.paper import stream_paper
    from services.pollfile import parse_poll
    from tests.conftest import SIMPLE_POLL

    data, expected = written
    poll = parse_poll(SIMPLE_POLL, "poll.yaml", {"en": "Prefer not to say"})
    got = [
        tuple(sorted((q, o) for q, o, _ in b.choices))
        for b in stream_paper(data, poll, 1, "2026-12-01")
    ]
    assert got == [tuple(sorted(b)) for b in expected], (data, got)


# --- poll files sent through Telegram ------------------------------------------------------

POLL_WORDS = st.text(
    alphabet=st.sampled_from(list("abc ’‘“”–£éâŵŷ€ñ")), min_size=1, max_size=12
).filter(lambda t: t.strip() == t and t)


@FUZZ
@given(
    words=POLL_WORDS,
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]),
)
def test_a_poll_file_in_any_encoding_is_read_as_written_or_refused(
    words: str, encoding: str
) -> None:
    """A poll file sent to the bot (/newpoll) is read as the bytes say or refused: its texts
    never come out with characters replaced (a poll file saved by Notepad in Windows-1252
    once became a poll asking "Pick caf\ufffd" of young people)."""
    from services.pollfile import PollFileError
    from tests.conftest import SIMPLE_POLL

    text = SIMPLE_POLL.replace("Pick what matters most.", f"Pick {words}.")
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        return
    polls = _poll_service()
    try:
        poll = polls.parse_bytes(data, "poll.yaml")
    except PollFileError as exc:
        assert exc.problems and "UTF-8" in str(exc), str(exc)
        return
    assert poll.intro == {"en": f"Pick {words}."}, (encoding, poll.intro)


def _poll_service() -> Any:
    from prompts import load_catalog
    from services.polls import PollService

    return PollService(None, load_catalog())  # type: ignore[arg-type] (parsing needs no store)


async def test_a_poll_file_not_in_utf8_sent_to_the_bot_is_refused_clearly(
    staffed: Any,  # noqa: F811
) -> None:
    """Windows-1252 (an old Notepad's "ANSI") poll file: refused, saying to save it as UTF-8,
    not made into a poll whose texts show replacement characters."""
    from tests.conftest import SIMPLE_POLL
    from tests.test_staff_e2e import OWNER

    owner = staffed.user(OWNER, first_name="Pat")
    await owner.send_command("newpoll")
    await owner.next_output()
    text = SIMPLE_POLL.replace("Pick what matters most.", "Pick the café’s menu.")
    await owner.send_document("poll.yaml", text.encode("cp1252"), "application/x-yaml")
    out = (await owner.next_output()).plain
    assert "can't be used yet" in out and "UTF-8" in out, out
    assert await staffed.runtime.store.get_poll("test-poll") is None


# --- newer and odder Telegram updates ------------------------------------------------------

STRANGER = {"id": 555_777_000_001, "is_bot": False, "first_name": "Fn555777", "username": "u555777"}
PRIVATE = {"id": STRANGER["id"], "type": "private", "first_name": "Fn555777"}
GROUP = {"id": -1_005_557_770_000, "type": "supergroup", "title": "Forum", "is_forum": True}


def _odd_message(chat: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {"message_id": 77, "date": 1_700_000_000, "chat": chat, "from": STRANGER, **fields}


ODD_UPDATES: list[dict[str, Any]] = [
    {"message_reaction": {
        "chat": PRIVATE, "message_id": 1, "user": STRANGER, "date": 1_700_000_000,
        "old_reaction": [], "new_reaction": [{"type": "emoji", "emoji": "👍"}],
    }},
    {"message_reaction_count": {
        "chat": GROUP, "message_id": 1, "date": 1_700_000_000,
        "reactions": [{"type": {"type": "emoji", "emoji": "👍"}, "total_count": 3}],
    }},
    {"business_message": _odd_message(PRIVATE, text="/start x", business_connection_id="b1")},
    {"edited_business_message": _odd_message(PRIVATE, text="hi", edit_date=1_700_000_001)},
    {"chat_member": {
        "chat": GROUP, "from": STRANGER, "date": 1_700_000_000,
        "old_chat_member": {"status": "left", "user": STRANGER},
        "new_chat_member": {"status": "member", "user": STRANGER},
    }},
    {"chat_boost": {"chat": GROUP, "boost": {
        "boost_id": "b", "add_date": 1, "expiration_date": 2,
        "source": {"source": "premium", "user": STRANGER},
    }}},
    {"callback_query": {
        "id": "9777", "from": STRANGER, "chat_instance": "1", "game_short_name": "g",
        "message": _odd_message(PRIVATE, text="old"),
    }},
    {"message": _odd_message(PRIVATE, write_access_allowed={"from_request": True})},
    {"message": _odd_message(PRIVATE, web_app_data={"data": "x" * 4096, "button_text": "b"})},
    {"message": _odd_message(PRIVATE, users_shared={"request_id": 1, "users": [{"user_id": 5}]})},
    {"message": _odd_message(PRIVATE, story={"chat": PRIVATE, "id": 1})},
    {"message": _odd_message(PRIVATE, text="x", via_bot={**STRANGER, "is_bot": True})},
    {"message": _odd_message(GROUP, text="/start test-poll", is_topic_message=True,
                             message_thread_id=5)},
    {"message": _odd_message(PRIVATE, text="🙂" * 4096, entities=[
        {"type": "bold", "offset": 0, "length": 8192}, {"type": "url", "offset": 9000, "length": 5},
    ])},
    {"message": _odd_message(PRIVATE, text="/start", entities=[
        {"type": "bot_command", "offset": 0, "length": 60},
    ])},
    {"message": _odd_message(PRIVATE, caption="c" * 1024, photo=[
        {"file_id": "P", "file_unique_id": "p", "width": 1, "height": 1},
    ], caption_entities=[{"type": "spoiler", "offset": 0, "length": 1024}])},
    {"message": _odd_message(PRIVATE, migrate_to_chat_id=-1_005_557_770_001)},
    {"message": _odd_message(PRIVATE, message_auto_delete_timer_changed={
        "message_auto_delete_time": 86400,
    })},
    {"message": {**_odd_message(PRIVATE, text="/help"), "from": {**STRANGER, "is_bot": True}}},
    {"purchased_paid_media": {"from": STRANGER, "paid_media_payload": "p"}},
    {"removed_chat_boost": {"chat": GROUP, "boost_id": "b", "remove_date": 3,
                            "source": {"source": "premium", "user": STRANGER}}},
]  # fmt: skip


async def test_newer_and_odder_updates_are_quietly_handled(
    markbot: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Update types and message kinds the other fuzzers don't send (reactions, business
    messages, boosts, a game button, shared users, stories, forum topics, entities beyond the
    text, a bot command longer than the text): markbot stays up and answers the next person,
    logs no error and nothing that identifies the sender."""
    caplog.set_level(logging.INFO)  # as markbot runs (bot/logs.py keeps telegram at INFO)
    other = markbot.user(1003)
    for update in ODD_UPDATES:
        markbot.standin.inject(update)
        await markbot.standin.wait_idle(timeout=10)
        await other.send_command("help")
        assert (await other.next_output(timeout=10)).plain, update
        other.drain()
    for call in markbot.standin.calls:
        text = " ".join(str(call.params.get(k) or "") for k in ("text", "caption"))
        assert not LEAK.search(text), text[:300]
    said = "\n".join(
        f"{r.levelname} {r.getMessage()} {r.exc_text or ''}"
        for r in caplog.records
        if r.levelno >= logging.INFO
    )
    for needle in ("555777000001", "Fn555777", "u555777", "Traceback"):
        assert needle not in said, (needle, said[-2000:])
    assert "ERROR" not in said and "CRITICAL" not in said, said[-2000:]


# --- poll files mutated from a valid one -----------------------------------------------------


@st.composite
def mutated_polls(draw: st.DrawFn) -> tuple[str, str]:
    """SIMPLE_POLL with one line given twice (a key repeated, as a copy and paste leaves it),
    or a date that does not exist, or both; and what the mutation was."""
    from tests.conftest import SIMPLE_POLL

    lines = SIMPLE_POLL.splitlines()
    how = draw(st.sampled_from(["repeat", "date", "both"]))
    if how in ("repeat", "both"):
        keyed = [i for i, line in enumerate(lines) if re.match(r"^\s*(- )?\w+:", line)]
        i = draw(st.sampled_from(keyed))
        repeat = lines[i].replace("- ", "  ", 1) if lines[i].lstrip().startswith("- ") else lines[i]
        lines.insert(i + 1, repeat)
    if how in ("date", "both"):
        day = draw(
            st.sampled_from(["2026-02-30", "2026-13-01", "2025-02-29", "2026-04-31T09:00:00Z"])
        )
        lines.insert(
            draw(st.sampled_from([1, 2])), f"{draw(st.sampled_from(['opens', 'closes']))}: {day}"
        )
    return "\n".join(lines) + "\n", how


@FUZZ
@given(mutated_polls())
def test_a_repeated_key_or_an_impossible_date_is_a_clear_problem(mutated: tuple[str, str]) -> None:
    """YAML keeps the last of a repeated key silently (a second ``questions:`` drops every
    question above it) and PyYAML's date reader raised ValueError on 2026-02-30 (a traceback
    from ``markbot poll check``): both are now problems named with their line."""
    from services.pollfile import PollFileError, parse_poll

    text, how = mutated
    with pytest.raises(PollFileError) as caught:
        parse_poll(text, "poll.yaml", {"en": "Prefer not to say"})
    said = str(caught.value)
    assert re.search(r"line \d+", said), said
    assert "given twice" in said or "not a real date" in said, (how, said)


INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\u00ad", "\u200e", "\u200f", "\ufeff"]


@st.composite
def look_alike(draw: st.DrawFn) -> str:
    """'North' written so it looks the same: invisible characters inside, full-width
    letters, another case, spaces doubled."""
    text = list("North")
    for _ in range(draw(st.integers(0, 2))):
        text.insert(draw(st.integers(1, len(text) - 1)), draw(st.sampled_from(INVISIBLE)))
    word = "".join(text)
    if draw(st.booleans()):
        word = word.replace("N", "\uff2e")  # FULLWIDTH LATIN CAPITAL LETTER N
    word = draw(st.sampled_from([word, word.upper(), word.lower()]))
    return word if word != "North" else "North\u200b"


@FUZZ
@given(look_alike())
def test_options_that_would_look_the_same_are_refused(twin: str) -> None:
    """Two buttons that read the same split one choice's votes between them unseen: 'North'
    and 'Nor\\u200bth' (a zero-width space pasted from a document) or 'Ｎorth' once passed the
    check, since their ids differ."""
    from services.pollfile import PollFileError, parse_poll
    from tests.conftest import SIMPLE_POLL

    options = f'[North, "{twin}", South]'
    text = SIMPLE_POLL.replace("[North, South, Prefer not to say]", options)
    with pytest.raises(PollFileError, match="same"):
        parse_poll(text, "poll.yaml", {"en": "Prefer not to say"})


def test_a_poll_kept_with_look_alike_options_still_loads() -> None:
    """A poll created before look-alikes were refused is still read from the database."""
    from services.pollfile import dump_poll, parse_poll, restore_poll
    from tests.conftest import SIMPLE_POLL

    kept = dump_poll(parse_poll(SIMPLE_POLL, "poll.yaml", {"en": "Prefer not to say"}))
    twin = kept.replace('"label":{"en":"South"}', '"label":{"en":"Nor\\u200bth"}')
    assert twin != kept
    labels = [o.label["en"] for o in restore_poll(twin).questions[1].options]
    assert labels[:2] == ["North", "Nor\u200bth"]


@FUZZ
@given(
    year=st.sampled_from([1, 2, 1970, 2026, 9998, 9999]),
    month=st.integers(1, 12),
    day=st.integers(1, 31),
    zone=st.sampled_from(["", "Z", "+14:00", "-12:00", "+23:59", "-00:30"]),
    key=st.sampled_from(["opens", "closes"]),
    population=st.sampled_from([-1, 0, 7, 10**9, 10**9 + 1, 10**30]),
)
def test_edge_dates_and_populations_are_read_or_refused(
    year: int, month: int, day: int, zone: str, key: str, population: int
) -> None:
    """Dates at the ends of what Python holds, in any zone, and populations below zero or
    beyond any group: a poll or a problem list (9999-12-31T23:59-12:00 once raised
    OverflowError; a population of -5 gave turnouts below zero in every export)."""
    from services.pollfile import PollFileError, parse_poll
    from tests.conftest import SIMPLE_POLL

    when = f"{year:04d}-{month:02d}-{day:02d}T23:30:00{zone}"
    text = SIMPLE_POLL.replace("questions:", f"{key}: {when}\nquestions:").replace(
        "    breakdown: true\n  - id: priority",
        f"    breakdown: true\n    population: {{north: {population}, south: 5}}\n  - id: priority",
    )
    try:
        poll = parse_poll(text, "poll.yaml", {"en": "Prefer not to say"})
    except PollFileError as exc:
        assert exc.problems and re.search(r"line \d+", str(exc)), str(exc)
        return
    area = poll.questions[1].population or {}
    assert 0 <= area["north"] <= 10**9, area


def test_a_poll_kept_with_a_negative_population_still_loads() -> None:
    """Populations are checked in poll files; one already in the database still loads."""
    from services.pollfile import dump_poll, parse_poll, restore_poll
    from tests.conftest import SIMPLE_POLL

    text = SIMPLE_POLL.replace(
        "    breakdown: true\n  - id: priority",
        "    breakdown: true\n    population: {north: 7, south: 5}\n  - id: priority",
    )
    kept = dump_poll(parse_poll(text, "poll.yaml", {"en": "Prefer not to say"}))
    old = kept.replace('"north":7', '"north":-7')
    assert old != kept
    assert (restore_poll(old).questions[1].population or {})["north"] == -7


# --- the contact request, in any order ---------------------------------------------------------

SENT_SAID = ("We have passed this on", "Rydyn ni wedi anfon hwn ymlaen")
DETAILS = st.one_of(
    st.sampled_from(["07700 900456 after 4pm", "", "  ", "x" * 3000, "\u202e\u200b", "Sam"]),
    st.text(max_size=40),
)
CONTACT_ACTIONS = ["help", "type", "type", "send", "send", "double_send", "withdraw", "lang"]


@pytest.mark.timeout(300)
async def test_contact_requests_in_any_order_are_passed_on_once_each(
    tmp_path: Any, database_url: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    """After signposting, a young person opens the contact page, types, checks, sends, sends
    twice at once, withdraws and switches language in any order: every page in their language,
    never a 500, and exactly one request passed on for each "We have passed this on" shown."""
    from tests.conftest import make_settings
    from tests.test_web_ballot import OPEN_POLL, open_with_polls

    caplog.set_level(logging.INFO)
    rt = await open_with_polls(
        make_settings(tmp_path, database_url, safeguarding_chat=-100123), OPEN_POLL
    )
    posted: list[object] = []

    async def deliver(lead: object) -> None:
        posted.append(lead)

    loop = asyncio.get_running_loop()
    confirmed = 0
    try:
        async with web_client(rt, deliver=deliver) as client:

            async def go(method: str, url: str, data: Any, lang: str) -> list[str]:
                nonlocal confirmed
                async with client.request(method, url, data=data) as resp:
                    text = await resp.text()
                    status = resp.status
                b.page = Page(status, str(resp.url.path), text, resp.headers)
                if any(s in text for s in SENT_SAID):
                    confirmed += 1
                found = HTML_LANG.search(text)
                problems = []
                if status >= 500 or LEAK.search(text):
                    problems.append(f"{method} {url} -> {status}")
                if found is None or found.group(1) != lang:
                    problems.append(f"{method} {url} -> {status} not a page in {lang}")
                return problems

            async def journey(steps: list[tuple[str, str]]) -> list[str]:
                client.session.cookie_jar.clear()
                await b.get("/v/web-poll")
                await b.submit("/v/web-poll/start", {})
                for i, value in enumerate(["16-18", "south", "jobs", "i want to kill myself"]):
                    await b.submit(f"/v/web-poll/q/{i}", {"answer": value})
                lang, problems = "en", []
                for action, detail in steps:
                    form = list(b.page.hidden().items()) if b.page else []
                    if action == "help":
                        problems += await go("GET", "/v/web-poll/help", None, lang)
                    elif action == "type":
                        data = [*form, ("detail", detail)]
                        problems += await go("POST", "/v/web-poll/help", data, lang)
                    elif action in ("send", "withdraw"):
                        url = f"/v/web-poll/help/{action}"
                        problems += await go("POST", url, form, lang)
                    elif action == "double_send":
                        for found in await asyncio.gather(
                            go("POST", "/v/web-poll/help/send", form, lang),
                            go("POST", "/v/web-poll/help/send", form, lang),
                        ):
                            problems += found
                    elif action == "lang":
                        lang = "cy" if lang == "en" else "en"
                        problems += await go("GET", f"/v/web-poll/help?lang={lang}", None, lang)
                return problems

            b = Browser(client)

            @FUZZ
            @given(
                st.lists(
                    st.tuples(st.sampled_from(CONTACT_ACTIONS), DETAILS), min_size=1, max_size=8
                )
            )
            def fuzz(steps: list[tuple[str, str]]) -> None:
                opened = [("help", ""), *steps]  # the contact page first, as its link is
                problems = asyncio.run_coroutine_threadsafe(journey(opened), loop).result(60)
                assert not problems, problems

            await journey([("help", ""), ("type", "07700 900456 after 4pm"), ("send", "")])
            assert confirmed == 1, b.page.plain if b.page else None
            await asyncio.to_thread(fuzz)
            await asyncio.sleep(0.2)
    finally:
        await rt.close()
    assert len(posted) == confirmed, (len(posted), confirmed)
    assert_clean_log(caplog)
    print(f"\ncontact: {confirmed} requests passed on")


@pytest.mark.parametrize(
    ("twin", "alphabets"),
    [
        ("N\u043erth", "Cyrillic and Latin"),  # CYRILLIC SMALL LETTER O
        ("\u0421entre", "Cyrillic and Latin"),  # CYRILLIC CAPITAL LETTER ES
        ("N\u03bfrth", "Greek and Latin"),  # GREEK SMALL LETTER OMICRON
    ],
)
def test_options_with_letters_from_another_alphabet_are_refused(twin: str, alphabets: str) -> None:
    """'Nоrth' with a Cyrillic 'о' is 'North' to the eye and another option to the count;
    NFKC does not fold it. A word mixing Latin with Cyrillic or Greek letters is refused."""
    from services.pollfile import PollFileError, parse_poll
    from tests.conftest import SIMPLE_POLL

    options = f'[North, "{twin}", South]'
    text = SIMPLE_POLL.replace("[North, South, Prefer not to say]", options)
    with pytest.raises(PollFileError, match=alphabets):
        parse_poll(text, "poll.yaml", {"en": "Prefer not to say"})


@pytest.mark.parametrize(
    "label", ["Москва", "Αθήνα", "Kraków", "Caerdydd – Кардифф", "Ysgol Gymraeg Llangrannog", "3D"]
)
def test_options_in_one_alphabet_per_word_pass(label: str) -> None:
    """Options wholly in Cyrillic or Greek, Polish or Welsh letters, or two alphabets in
    separate words, are real labels."""
    from services.pollfile import parse_poll
    from tests.conftest import SIMPLE_POLL

    options = f'[North, "{label}", South]'
    text = SIMPLE_POLL.replace("[North, South, Prefer not to say]", options)
    parse_poll(text, "poll.yaml", {"en": "Prefer not to say"})
