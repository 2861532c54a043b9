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
from tests.test_web_ballot import runtime, whole_ballot  # noqa: F401 (a fixture)
from tests.webclient import Browser, web_client

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
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert not errors, errors
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
