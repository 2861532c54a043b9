"""The web ballot's forms under hypothesis (issue 13 item 2).

Random methods, paths and fields, huge, empty and odd-Unicode values (invalid UTF-8 too),
missing or forged csrf and journey tokens, posted over HTTP to the real aiohttp app, beside real
voters. Never a 500, never internals in a page, and no ballot unless a whole valid journey was
sent: the ballots are exactly the real voters' plus any journey the fuzzer completed in full.
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
from tests.test_web_ballot import runtime, whole_ballot  # noqa: F401 (a fixture)
from tests.webclient import Browser, Page, web_client

EXAMPLES = 100  # per round; three rounds
LEAK = re.compile(
    r"Traceback|\b[A-Z]\w*(?:Exception|Error)\b(?!:)|File \"|\.py\b|/work/|site-packages|"
    r"sqlite|NoneType|jinja2|aiohttp\."
)
CODES = ["web-poll", "code-poll", "rank-poll", "WEB-POLL", "nope", "x" * 300, "%00", "..%2f.."]
PATHS = [
    "/", "/privacy", "/accessibility", "/v/{c}", "/v/{c}/start", "/v/{c}/q/{i}",
    "/v/{c}/check", "/v/{c}/send", "/v/{c}/done", "/v/{c}/stop", "/v/{c}/cancel", "/v/{c}/help",
    "/v/{c}/help/send", "/v/{c}/help/withdraw", "/static/markbot.css", "/v/{c}/q/{i}/x",
    "/static/../../etc/passwd", "/v/{c}/q/",
    # the header's language switch posts a page's form here (the page again, nothing saved)
    "/v/{c}/q/{i}?lang=cy", "/v/{c}/start?lang=cy", "/v/{c}/help?lang=en", "/v/{c}/q/{i}?lang=xx",
]  # fmt: skip
INDEXES = ["0", "1", "2", "3", "4", "-1", "99", "999999999999999999999", "x", "٣", "0x1"]
FIELDS = [
    "csrf", "token", "answer", "rank1", "rank2", "code", "detail", "version", "lang", "zz",
    "switch", "switch", "skip",
]  # fmt: skip
VALUES = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "", "13-15", "north", "climate", "parks", "=HYPERLINK(\"http://x\",\"y\")",
            "\u202e\u200b", "👩\u200d👩\u200d👧", "e\u0301\u0302", "x" * 70_000, "\x00",
            "<script>alert(1)</script>", "{{ 7*7 }}", "I want to kill myself",
        ]
    ),
)  # fmt: skip


@st.composite
def requests(draw: st.DrawFn) -> dict[str, Any]:
    """One request: a method, a path, and a form that may keep or forge the page's fields."""
    path = draw(st.sampled_from(PATHS)).format(
        c=quote(draw(st.sampled_from(CODES)), safe="%"), i=draw(st.sampled_from(INDEXES))
    )
    fields = draw(st.lists(st.tuples(st.sampled_from(FIELDS), VALUES), max_size=5))
    return {
        "method": draw(st.sampled_from(["GET", "GET", *["POST"] * 5, "PUT", "DELETE", "HEAD"])),
        "path": path,
        "keep_hidden": draw(st.booleans()),  # send the last page's csrf and token too
        "forge": draw(st.sampled_from([None, "csrf", "token"])),
        "fields": fields,
        "raw": draw(st.one_of(st.none(), st.binary(max_size=60))),  # invalid UTF-8 and all
    }


class WebRun:
    def __init__(self, client: Any) -> None:
        self.client = client
        self.requests = 0
        self.statuses: dict[int, int] = {}
        self.completed = 0

    async def send(self, steps: list[dict[str, Any]]) -> list[str]:
        """Send one browser's requests; return what broke the oracle."""
        b = Browser(self.client)
        self.client.session.cookie_jar.clear()
        problems: list[str] = []
        if steps and steps[0]["keep_hidden"]:  # start from a real page, with its csrf
            await b.get("/v/web-poll")
        for step in steps:
            hidden = b.page.hidden() if b.page is not None and step["keep_hidden"] else {}
            if step["forge"] in hidden:
                value = hidden[step["forge"]]
                hidden[step["forge"]] = value[:-1] + ("A" if value[-1:] != "A" else "B")
            data: Any = [*hidden.items(), *step["fields"]]
            headers = {}
            if step["raw"] is not None:
                data = step["raw"]
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            async with self.client.request(
                step["method"], step["path"], data=data, headers=headers, allow_redirects=True
            ) as resp:
                text = await resp.text(errors="replace")
                b.page = Page(resp.status, str(resp.url.path), text, resp.headers)
            self.requests += 1
            self.statuses[resp.status] = self.statuses.get(resp.status, 0) + 1
            if resp.status >= 500:
                problems.append(f"{step['method']} {step['path']} -> {resp.status}")
            leak = LEAK.search(text)
            if leak:
                problems.append(f"{step['path']} shows {leak.group()!r}")
            if step["path"].endswith("/send") and b.page.url.endswith("/done"):
                self.completed += 1
        return problems


@pytest.mark.timeout(600)
async def test_web_forms_never_break(runtime: Runtime, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    caplog.set_level(logging.INFO)
    loop = asyncio.get_running_loop()
    async with web_client(runtime) as client:
        run = WebRun(client)
        real = 0

        @settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(st.lists(requests(), min_size=1, max_size=6))
        def fuzz(steps: list[dict[str, Any]]) -> None:
            future = asyncio.run_coroutine_threadsafe(run.send(steps), loop)
            problems = future.result(timeout=60)
            assert not problems, problems

        for _ in range(3):  # real voters before, between and after the fuzzing
            client.session.cookie_jar.clear()
            await whole_ballot(Browser(client))
            real += 1
            await asyncio.to_thread(fuzz)
        ballots = await count(runtime, "ballots")
        assert ballots == real + run.completed, (ballots, real, run.completed)
        assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
        print(f"\nweb: {run.requests} requests {run.statuses}; {ballots} ballots")


async def test_a_body_that_is_not_utf8_is_refused_kindly(runtime: Runtime) -> None:  # noqa: F811
    """Bytes that are not UTF-8 once failed the form's decoding with a 500."""
    async with web_client(runtime) as client:
        b = Browser(client)
        await b.get("/v/web-poll")
        csrf = b.page.hidden()["csrf"] if b.page else ""
        body = f"csrf={csrf}&answer=".encode() + b"\x80\xff"
        page = await b.post(
            "/v/web-poll/start",
            body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert page.status == 400 and "nothing was changed" in page.plain


async def test_a_token_or_cookie_that_is_not_ascii_is_refused_kindly(runtime: Runtime) -> None:  # noqa: F811
    """hmac.compare_digest refuses str with non-ASCII characters (a TypeError): a forged csrf
    token, staff cookie or voter cookie written in other letters once answered with a 500."""
    async with web_client(runtime) as client:
        b = Browser(client)
        await b.get("/v/web-poll")
        page = await b.post("/v/web-poll/start", [("csrf", "é" * 32)])
        assert page.status == 400 and "nothing was changed" in page.plain
        for cookie in ("mbs=ab.9999999999.é", "mbs=ab.9999999999.\udcff"):
            async with client.get("/dashboard", headers={"Cookie": cookie}) as resp:
                assert resp.status == 403, cookie
        await b.get("/v/web-poll")
        client.session.cookie_jar.update_cookies({"mbv": "abc.é"})
        page = await b.submit("/v/web-poll/start", {})
        assert page.status == 200 and page.url == "/v/web-poll/q/0"
        assert await count(runtime, "ballots") == 0


async def test_a_form_in_an_unknown_charset_is_refused_kindly(runtime: Runtime) -> None:  # noqa: F811
    """A charset Python has no codec for once failed the form's decoding (LookupError): 500."""
    async with web_client(runtime) as client:
        b = Browser(client)
        await b.get("/v/web-poll")
        csrf = b.page.hidden()["csrf"] if b.page else ""
        page = await b.post(
            "/v/web-poll/start",
            f"csrf={csrf}".encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=no-such"},
        )
        assert page.status == 400 and "nothing was changed" in page.plain


async def test_a_method_not_allowed_says_which_are(runtime: Runtime) -> None:  # noqa: F811
    """A 405 must name the methods the resource allows (RFC 9110 15.5.6)."""
    async with web_client(runtime) as client, client.request("DELETE", "/v/web-poll") as resp:
        assert resp.status == 405
        assert "GET" in resp.headers.get("Allow", "")
