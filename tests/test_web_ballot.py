"""The web ballot over HTTP: whole journeys, codes, and every bad request changes nothing
(every test on SQLite and on PostgreSQL: conftest's ``database_url``)."""

from __future__ import annotations

import asyncio
import html
import logging
import re
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.app import Runtime, open_runtime
from bot.settings import Settings
from handlers.web.server import build_web_app, start_web
from services.codes import new_code
from tests.conftest import SIMPLE_POLL, make_settings
from tests.full_disk import FullDisk
from tests.langs import assert_poll_words_marked, marked
from tests.stored import assert_nowhere, count, rows
from tests.webclient import Browser, Page, web_client

OPEN_POLL = SIMPLE_POLL.replace("code: test-poll", "code: web-poll\nweb: open")
CODES_POLL = SIMPLE_POLL.replace("code: test-poll", "code: code-poll\nweb: codes")
RANK_POLL = """\
code: rank-poll
title: Rank poll
web: open
questions:
  - id: top
    kind: rank
    text: Put your top 2 in order
    max: 2
    options: [Parks, Buses, Jobs, Clubs]
"""


async def open_with_polls(settings: Settings, *polls: str) -> Runtime:
    """markbot's services on a fresh database with these polls open."""
    rt = await open_runtime(settings)
    for text in polls:
        await rt.services.polls.create(rt.services.polls.parse(text, "t.yaml"), status="open")
    return rt


@pytest.fixture
async def runtime(tmp_path: Path, database_url: str | None) -> AsyncIterator[Runtime]:
    """markbot's services with three web polls open, on each backend in turn."""
    rt = await open_with_polls(
        make_settings(tmp_path, database_url), OPEN_POLL, CODES_POLL, RANK_POLL
    )
    try:
        yield rt
    finally:
        await rt.close()


async def whole_ballot(
    b: Browser, code: str = "web-poll", start: dict[str, str] | None = None
) -> None:
    """Landing -> Start -> four questions -> check -> Send -> done."""
    page = await b.get(f"/v/{code}")
    assert page.status == 200
    page = await b.submit(f"/v/{code}/start", start or {})
    assert page.url == f"/v/{code}/q/0", page.plain
    page = await b.submit(f"/v/{code}/q/0", {"answer": "13-15"})
    assert page.url == f"/v/{code}/q/1"
    page = await b.submit(f"/v/{code}/q/1", {"answer": "north"})
    page = await b.submit(f"/v/{code}/q/2", {"answer": "climate"})
    page = await b.submit(f"/v/{code}/q/3", {"answer": "Floods near school"})
    assert page.url == f"/v/{code}/check"
    assert "Check your answers" in page.plain and "Floods near school" in page.plain
    page = await b.submit(f"/v/{code}/send", {})
    assert page.url == f"/v/{code}/done", page.plain
    assert "Your answers have been sent" in page.plain


async def test_a_whole_ballot_counts_once_as_web(runtime: Runtime) -> None:
    async with web_client(runtime) as client:
        b = Browser(client)
        await whole_ballot(b)
        assert await rows(runtime, "ballots", "channel") == [("web",)]
        assert await count(runtime, "voters") == 1
        assert await count(runtime, "drafts") == 0
        answers = await rows(runtime, "answers", "question", "option", "grp")
        assert ("priority", "climate", "age=13-15&area=north&channel=web") in answers
        assert await rows(runtime, "text_answers", "body") == [("Floods near school",)]


async def test_page_titles_name_the_page_then_the_service_once(runtime: Runtime) -> None:
    """WCAG 2.4.2: every title says what the page is; the home page is the service itself, so
    its title is the service's name once ("Have your say", not "Have your say – Have your
    say")."""
    async with web_client(runtime) as client:
        b = Browser(client)
        for path, title in (("/", "Have your say"), ("/?lang=cy", None), ("/v/web-poll", None)):
            page = await b.get(path)
            found = re.search(r"<title>(.*?)</title>", page.text, re.S)
            assert found is not None, path
            text = html.unescape(found.group(1)).strip()
            parts = [p.strip() for p in text.split("–")]
            assert len(parts) == len(set(parts)), text  # no part said twice
            if title is not None:
                assert text == title, text


def _title(page: Page) -> str:
    found = re.search(r"<title>(.*?)</title>", page.text, re.S)
    assert found is not None
    return html.unescape(found.group(1)).split("–")[0].strip()


async def test_refusal_pages_are_titled_by_their_reason(runtime: Runtime) -> None:
    """A screen reader says the title first: each refusal's names its reason ("Poll not
    found", "This poll has closed"), in the page's language, not one title for them all."""
    async with web_client(runtime) as client:
        b = Browser(client)
        assert _title(await b.get("/v/no-such-poll")) == "Poll not found"
        assert _title(await b.get("/v/no-such-poll?lang=cy")) == "Heb ddod o hyd i'r bleidlais"
        await runtime.services.polls.set_status("web-poll", "closed")
        assert _title(await b.get("/v/web-poll?lang=en")) == "This poll has closed"
        assert _title(await b.get("/v/web-poll?lang=cy")) == "Mae'r bleidlais hon wedi cau"


async def test_double_send_and_back_after_send_count_once(runtime: Runtime) -> None:
    async with web_client(runtime) as client:
        b = Browser(client)
        await _answer(b, ["16-18", "south", "jobs", ""])
        form = b.page.hidden() if b.page else {}
        first, second = await asyncio.gather(
            b.post("/v/web-poll/send", form), b.post("/v/web-poll/send", form)
        )
        assert first.url == second.url == "/v/web-poll/done"
        again = await b.post("/v/web-poll/send", form)  # Back to the check page, Send again
        assert again.url == "/v/web-poll/done"  # the same page, and still one ballot
        assert await count(runtime, "ballots") == 1
        # Back to the check page (or a question) after Send: the confirmation again, not
        # "your unfinished answers have gone", which reads as if the vote was lost
        back = await b.get("/v/web-poll/check")
        assert back.url == "/v/web-poll/done"
        assert "unfinished answers have gone" not in back.plain
        assert (await b.get("/v/web-poll/q/0")).url == "/v/web-poll/done"
        # Starting again in the same browser: one ballot per browser in open mode.
        await b.get("/v/web-poll")
        page = await b.submit("/v/web-poll/start", {})
        assert "already voted" in page.plain
        # ... also after the browser is closed, or a link from another site (which withholds
        # SameSite=Strict cookies) starts a new session: the voter cookie lasts.
        jar = client.session.cookie_jar
        kept = [c for c in jar if c.key == "mbv"]
        assert kept and kept[0]["max-age"]
        jar.clear(lambda c: c.key == "mb")
        await b.get("/v/web-poll")
        page = await b.submit("/v/web-poll/start", {})
        assert "already voted" in page.plain
        assert await count(runtime, "ballots") == 1


async def test_two_browsers_vote_separately_in_open_mode(runtime: Runtime) -> None:
    async with web_client(runtime) as one, web_client(runtime) as two:
        await whole_ballot(Browser(one))
        await whole_ballot(Browser(two))
    assert await rows(runtime, "ballots", "channel") == [("web",), ("web",)]


async def test_voting_codes(runtime: Runtime) -> None:
    codes = await runtime.services.codes.make("code-poll", 3, "Year 9, Hillside")
    assert len(set(codes)) == 3
    stored = await rows(runtime, "vote_codes", "code")
    assert len(stored) == 3 and all(c.encode() not in bytes(r[0]) for r in stored for c in codes)
    async with web_client(runtime) as client:
        b = Browser(client)
        await b.get("/v/code-poll")
        page = await b.submit("/v/code-poll/start", {"code": ""})
        assert page.status == 400 and "There is a problem" in page.plain
        assert 'href="#code"' in page.text
        page = await b.submit("/v/code-poll/start", {"code": "ABC"})
        assert page.status == 400 and "doesn't look right" in page.plain
        # The QR code's link carries the code; lower case and no hyphens are fine.
        typed = codes[0].replace("-", "").lower()
        page = await b.get(f"/v/code-poll?code={typed}")
        await whole_ballot(b, "code-poll", {"code": typed})
        session = [
            g for q, g in await rows(runtime, "answers", "question", "grp") if q == "priority"
        ]
        assert "session=" in session[0]
        # The same code again, in another browser: used.
        other = Browser(client)
        client.session.cookie_jar.clear()
        await other.get("/v/code-poll")
        page = await other.submit("/v/code-poll/start", {"code": codes[0]})
        assert page.status == 400 and "already been used" in page.plain
    assert await count(runtime, "ballots") == 1
    loaded = await runtime.services.polls.by_code("code-poll")
    assert loaded is not None
    assert await runtime.store.code_counts(loaded[0].id) == (3, 1)


async def test_a_batch_repeating_an_earlier_code_is_made_again(
    runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store refuses a batch holding a code it already keeps (DuplicateCode, nothing
    kept); making codes draws a new batch, and says so if it keeps colliding."""
    import services.vote_codes
    from services.vote_codes import CodesError

    first = await runtime.services.codes.make("code-poll", 1)
    fresh = services.vote_codes.new_code()
    draws = iter([first[0], fresh])
    monkeypatch.setattr(services.vote_codes, "new_code", lambda: next(draws))
    assert await runtime.services.codes.make("code-poll", 1) == [fresh]  # after `first` again
    assert await count(runtime, "vote_codes") == 2
    monkeypatch.setattr(services.vote_codes, "new_code", lambda: first[0])
    with pytest.raises(CodesError) as refused:
        await runtime.services.codes.make("code-poll", 1)
    assert await count(runtime, "vote_codes") == 2
    catalog = runtime.services.catalog
    assert "try again" in refused.value.say(catalog, "en")
    assert "rhowch gynnig arall arni" in refused.value.say(catalog, "cy")  # the same, in Welsh


async def test_wrong_codes_are_rate_limited(runtime: Runtime) -> None:
    """Well-formed codes that are not this poll's are guesses: ten from one address in ten
    minutes, then it waits. A typing slip (its check character fails) is no guess and costs
    nothing, so a school of classes behind one address is not locked out by their typos."""
    (real,) = await runtime.services.codes.make("code-poll", 1)
    async with web_client(runtime) as client:
        b = Browser(client)
        await b.get("/v/code-poll")
        slip = real[:-1] + ("7" if real[-1] != "7" else "8")  # one character wrong
        for _ in range(30):  # slips: every one told to check the code, never made to wait
            page = await b.submit("/v/code-poll/start", {"code": slip})
            assert page.status == 400 and "doesn't look right" in page.plain
        statuses = []
        for _ in range(12):
            page = await b.submit("/v/code-poll/start", {"code": new_code()})
            statuses.append(page.status)
        assert statuses[:10] == [400] * 10 and statuses[10:] == [429, 429]
        assert "Too many wrong codes" in page.plain
        page = await b.submit("/v/code-poll/start", {"code": real})
        assert page.status == 429  # the address waits, whatever it types


async def test_ineligible_and_closed_and_unknown_store_nothing(runtime: Runtime) -> None:
    async with web_client(runtime) as client:
        b = Browser(client)
        await b.get("/v/web-poll")
        await b.submit("/v/web-poll/start", {})
        page = await b.submit("/v/web-poll/q/0", {"answer": "under-10"})
        assert "different group of people" in page.plain
        assert await count(runtime, "drafts") == 0
        await runtime.store.flush_drafts()
        assert await count(runtime, "drafts") == 0
        page = await b.get("/v/no-such-poll")
        assert page.status == 404 and "can't find that poll" in page.plain
        await b.get("/v/web-poll")  # a start page opened before the poll closed
        await runtime.services.polls.set_status("web-poll", "closed")
        page = await b.submit("/v/web-poll/start", {})
        assert "has closed" in page.plain
        page = await b.get("/v/web-poll")  # opened after: it says so at once, with no Start
        assert "has closed" in page.plain and "/v/web-poll/start" not in page.text
        assert "Before you start" not in page.plain
    assert await count(runtime, "ballots") == 0


async def test_forged_and_stale_forms_change_nothing(runtime: Runtime) -> None:
    async with web_client(runtime) as client:
        b = Browser(client)
        await b.get("/v/web-poll")
        page = await b.post("/v/web-poll/start", {"csrf": "forged"})
        assert page.status == 400 and "form had expired" in page.plain
        await b.get("/v/web-poll")
        await b.submit("/v/web-poll/start", {})
        good = b.page.hidden() if b.page else {}
        page = await b.post("/v/web-poll/q/0", {**good, "answer": "not-an-option"})
        assert page.status == 400 and "Choose from the answers" in page.plain
        page = await b.post("/v/web-poll/q/0", {**good, "token": "000000", "answer": "13-15"})
        assert page.url == "/v/web-poll/q/0"  # an old page: shown where they really are
        page = await b.post("/v/web-poll/q/2", {**good, "answer": "jobs"})  # skipping ahead
        assert page.url == "/v/web-poll/q/0"
        page = await b.get("/v/web-poll/q/3")
        assert page.url == "/v/web-poll/q/0"
        page = await b.post("/v/web-poll/q/0", {**good, "answer": ["13-15", "16-18"]})
        assert page.status == 400
        page = await b.get("/v/web-poll/send")
        assert page.status == 405 and "use the buttons" in page.plain
        page = await b.post("/v/web-poll/q/0", {**good, "answer": "x" * 200_000})
        assert page.status == 413 and "too much" in page.plain
        # No cookie at all (cookies blocked): a clear page.
        client.session.cookie_jar.clear()
        page = await b.post("/v/web-poll/start", {"csrf": good["csrf"]})
        assert page.status == 400 and "needs a cookie" in page.plain
    assert await count(runtime, "ballots") == 0


async def test_text_answers_are_scrubbed_signposted_and_alerted(
    tmp_path: Path, database_url: str | None
) -> None:
    settings = make_settings(tmp_path, database_url, safeguarding_chat=-100777)
    rt = await open_with_polls(settings, OPEN_POLL)
    try:
        async with web_client(rt) as client:
            b = Browser(client)
            await _answer(b, ["16-18", "south", "jobs"])
            page = await b.submit("/v/web-poll/q/3", {"answer": "x" * 1001})
            assert page.status == 400 and "1001 characters" in page.plain
            page = await b.submit(
                "/v/web-poll/q/3", {"answer": "call me on 07700 900123, i want to kill myself"}
            )
            assert page.url == "/v/web-poll/check"
            assert "Childline" in page.plain and "took some personal details out" in page.plain
            assert "07700" not in page.text
            # The alert waits, sealed, in the outbox for the lead's chat (sent by the bot).
            assert rt.services.alerts is not None
            pending = await rt.services.alerts.pending()
            assert len(pending) == 1 and "kill myself" in pending[0][1]
            assert "07700" not in pending[0][1] and "web-poll" in pending[0][1]
            await b.submit("/v/web-poll/send", {})
        assert len(await rows(rt, "ballots", "id")) == 1
        assert await rows(rt, "text_answers", "flagged") == []  # the alert holds the only copy
        sealed = await rows(rt, "alert_outbox", "sealed")
        assert len(sealed) == 1 and b"kill myself" not in bytes(sealed[0][0])
    finally:
        await rt.close()


async def test_rank_question_without_javascript(runtime: Runtime) -> None:
    async with web_client(runtime) as client:
        b = Browser(client)
        await b.get("/v/rank-poll")
        page = await b.submit("/v/rank-poll/start", {})
        assert page.text.count("<select") == 2 and 'for="answer"' in page.text
        page = await b.submit("/v/rank-poll/q/0", {"rank1": "", "rank2": "buses"})
        assert page.status == 400 and "in order" in page.plain
        page = await b.submit("/v/rank-poll/q/0", {"rank1": "jobs", "rank2": "jobs"})
        assert page.status == 400
        page = await b.submit("/v/rank-poll/q/0", {"rank1": "jobs", "rank2": "parks"})
        assert page.url == "/v/rank-poll/check" and "1. Jobs" in page.plain
        await b.submit("/v/rank-poll/send", {})
    ranks = sorted(await rows(runtime, "answers", "option", "rank"), key=lambda r: r[1])
    assert ranks == [("jobs", 1), ("parks", 2)]


async def test_long_ranking_choices_are_listed_in_full_above_the_menus(
    runtime: Runtime,
) -> None:
    """A closed menu cuts a long option name on a phone (a11y26): when a choice is long, the
    page lists every choice in full once above the menus; short ones need no list."""
    long_poll = RANK_POLL.replace("code: rank-poll", "code: long-rank").replace(
        "[Parks, Buses, Jobs, Clubs]",
        "[Parks, Buses, Somewhere safe to go in the evenings that isn't the street, Jobs]",
    )
    await runtime.services.polls.create(
        runtime.services.polls.parse(long_poll, "t.yaml"), status="open"
    )
    async with web_client(runtime) as client:
        b = Browser(client)
        await b.get("/v/long-rank")
        page = await b.submit("/v/long-rank/start", {})
        listed = page.text.split("<select", 1)[0]
        assert "The choices, in full:" in listed
        long_name = "Somewhere safe to go in the evenings that isn&#39;t the street"
        assert f'<li lang="en">{long_name}</li>' in listed
        assert '<li lang="en">Parks</li>' in listed
        await b.get("/v/rank-poll")
        page = await b.submit("/v/rank-poll/start", {})
        assert "The choices, in full:" not in page.text


async def test_welsh_pages_and_security_headers(runtime: Runtime) -> None:
    async with web_client(runtime) as client:
        b = Browser(client)
        page = await b.get("/v/web-poll?lang=cy")
        assert '<html lang="cy">' in page.text and "Dechrau nawr" in page.text
        assert 'lang="en"' in page.text  # the poll has no Welsh: its texts are marked English
        page = await b.get("/privacy")  # the choice is remembered by the cookie
        assert "Dy breifatrwydd" in page.plain
        headers = page.headers
        assert "default-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "no-referrer"
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "aiohttp" not in headers.get("Server", "")
        cookie = headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        for path in ("/accessibility", "/", "/nowhere"):
            page = await b.get(path)
            assert '<html lang="cy">' in page.text
            assert "https://" not in page.text.replace("https://www", "")  # nothing third-party


async def test_no_address_or_user_agent_in_database_or_logs(
    tmp_path: Path, database_url: str | None, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(tmp_path, database_url)
    rt = await open_with_polls(settings, OPEN_POLL)
    app = build_web_app(rt.services, rt.key, public_url=None)
    runner = await start_web(app, "127.0.0.1", 0)
    port = runner.addresses[0][1]
    agent = "Mozilla/5.0 (DistinctiveAgent 9.99)"
    caplog.set_level(logging.DEBUG)
    try:
        jar = aiohttp.CookieJar(unsafe=True)  # cookies from an IP address (127.0.0.1)
        async with aiohttp.ClientSession(headers={"User-Agent": agent}, cookie_jar=jar) as http:
            base = f"http://127.0.0.1:{port}"

            async def get(path: str) -> str:
                async with http.get(base + path) as r:
                    return await r.text()

            text = await get("/v/web-poll")
            csrf = text.split('name="csrf" value="')[1].split('"')[0]
            async with http.post(base + "/v/web-poll/start", data={"csrf": csrf}) as r:
                text = await r.text()
            token = text.split('name="token" value="')[1].split('"')[0]
            for i, v in enumerate(["13-15", "north", "jobs", "parks please"]):
                data = {"csrf": csrf, "token": token, "answer": v}
                async with http.post(f"{base}/v/web-poll/q/{i}", data=data) as r:
                    await r.text()
            async with http.post(base + "/v/web-poll/send", data={"csrf": csrf, "token": token}):
                pass
    finally:
        await runner.cleanup()
        await rt.close()
    assert "127.0.0.1" not in caplog.text and "DistinctiveAgent" not in caplog.text
    assert await count(settings, "ballots") == 1
    await assert_nowhere(settings, "127.0.0.1", "DistinctiveAgent")


async def test_an_adult_can_be_asked_to_make_contact(
    tmp_path: Path, database_url: str | None
) -> None:
    settings = make_settings(tmp_path, database_url, safeguarding_chat=-100123)
    rt = await open_with_polls(settings, OPEN_POLL)
    posted = []

    async def deliver(lead: object) -> None:
        posted.append(lead)

    try:
        async with web_client(rt, deliver=deliver) as client:
            b = Browser(client)
            await b.get("/v/web-poll")
            await b.submit("/v/web-poll/start", {})
            page = await b.get("/v/web-poll/q/0")
            assert "/v/web-poll/help" not in page.text  # offered only after signposting
            for i, value in enumerate(["16-18", "south", "jobs", "i want to kill myself"]):
                page = await b.submit(f"/v/web-poll/q/{i}", {"answer": value})
            assert "I'd like an adult to contact me" in page.plain
            page = await b.get("/v/web-poll/help")
            assert "Someone to talk to" in page.plain
            page = await b.submit("/v/web-poll/help", {"detail": "  "})
            assert page.status == 400 and "looks empty" in page.plain
            page = await b.submit("/v/web-poll/help", {"detail": "07700 900456 after 4pm"})
            assert "This is what the adult will see" in page.plain
            assert "07700 900456 after 4pm" in page.plain
            sent_form = page.hidden()
            page = await b.submit("/v/web-poll/help/send", {})
            assert "We have passed this on" in page.plain
            await asyncio.sleep(0.05)
            assert len(posted) == 1
            page = await b.post("/v/web-poll/help/send", sent_form)  # again: nothing twice
            assert "nothing waiting" in page.plain
            await b.get("/v/web-poll/check")
            page = await b.submit("/v/web-poll/send", {})
            assert page.url == "/v/web-poll/done"
    finally:
        await rt.close()
    assert await count(settings, "contact_requests") == 1
    await assert_nowhere(settings, "900456")  # sealed


async def test_every_page_is_small(runtime: Runtime) -> None:
    """Under 30 KB a page (with its one stylesheet), for a school's slow Wi-Fi or a phone."""
    sizes = {}
    async with web_client(runtime) as client:
        b = Browser(client)
        css = await b.get("/static/markbot.css")
        sizes["css"] = len(css.text.encode())
        for path in ("/", "/privacy", "/accessibility", "/v/web-poll", "/v/rank-poll"):
            sizes[path] = len((await b.get(path)).text.encode())
        await b.get("/v/web-poll")
        page = await b.submit("/v/web-poll/start", {})
        for i, value in enumerate(["16-18", "south", "jobs", "parks"]):
            sizes[page.url] = len(page.text.encode())
            page = await b.submit(f"/v/web-poll/q/{i}", {"answer": value})
        sizes[page.url] = len(page.text.encode())
        page = await b.submit("/v/web-poll/send", {})
        sizes[page.url] = len(page.text.encode())
    assert len(sizes) == 12
    assert all(size + sizes["css"] < 30_000 for size in sizes.values()), sizes


OPTIONAL_CHOICE = """\
code: opt-poll
title: Optional poll
web: open
questions:
  - id: club
    kind: choice
    optional: true
    text: Which club do you go to?
    options: [Youth club, Scouts]
  - id: top
    kind: choice
    text: What matters most?
    options: [Parks, Buses]
"""


async def test_an_optional_choice_can_be_left_empty(
    tmp_path: Path, database_url: str | None
) -> None:
    rt = await open_with_polls(make_settings(tmp_path, database_url), OPTIONAL_CHOICE)
    try:
        async with web_client(rt) as client:
            b = Browser(client)
            await b.get("/v/opt-poll")
            await b.submit("/v/opt-poll/start", {})
            page = await b.submit("/v/opt-poll/q/0", {})  # nothing chosen: skipped
            assert page.status == 200 and page.url == "/v/opt-poll/q/1"
            page = await b.submit("/v/opt-poll/q/1", {"answer": "buses"})
            assert page.url == "/v/opt-poll/check" and "(skipped)" in page.plain
            page = await b.submit("/v/opt-poll/send", {})
            assert page.url == "/v/opt-poll/done"
    finally:
        await rt.close()


async def test_a_malformed_request_logs_no_address_or_what_was_sent(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """aiohttp answers a request it cannot parse itself (a line or header too long, a bad
    header) and logs it: that log must name neither the client's address nor its bytes."""
    rt = await open_with_polls(make_settings(tmp_path, None), OPEN_POLL)
    runner = await start_web(build_web_app(rt.services, rt.key, public_url=None), "127.0.0.1", 0)
    port = runner.addresses[0][1]
    caplog.set_level(logging.DEBUG)
    agent = "DistinctiveAgent/" + "z" * 9000
    requests = [
        f"GET /v/web-poll HTTP/1.1\r\nHost: x\r\nUser-Agent: {agent}\r\n\r\n",
        "GET /v/" + "q" * 9000 + " HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /v/web-poll HTTP/1.1\r\nHost: x\r\nBad Header Name: DistinctiveAgent\r\n\r\n",
    ]
    try:
        for raw in requests:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(raw.encode())
            await writer.drain()
            answer = await reader.read(65536)
            assert answer.startswith(b"HTTP/1.") and b" 400 " in answer.split(b"\r\n")[0]
            assert b"Traceback" not in answer
            # markbot's page in both languages, not aiohttp's text quoting the bytes sent
            head, _, body = answer.partition(b"\r\n\r\n")
            assert b"DistinctiveAgent" not in answer and b"qqqq" not in answer
            assert b"aiohttp" not in head and b"Python" not in head
            assert b"Content-Security-Policy" in head and b"text/html" in head
            page = body.decode()
            assert '<html lang="en">' in page and '<div lang="cy">' in page
            assert "couldn't read" in page and "Doedd dim modd darllen" in page
            writer.close()
    finally:
        await runner.cleanup()
        await rt.close()
    assert "127.0.0.1" not in caplog.text
    assert "DistinctiveAgent" not in caplog.text and "qqqq" not in caplog.text


async def test_the_confirmation_is_shown_only_to_a_browser_whose_ballot_counted(
    runtime: Runtime,
) -> None:
    """/done typed, bookmarked or forged by a browser that sent nothing (or hasn't sent yet)
    never says "Your vote is counted"; after a real Send it does, in either language."""
    async with web_client(runtime) as client:
        stranger = Browser(client)
        page = await stranger.get("/v/web-poll/done")
        assert "counted" not in page.plain and "have been sent" not in page.plain
        assert page.url == "/v/web-poll"  # the poll's start page instead
        b = Browser(client)
        await b.get("/v/web-poll")
        await b.submit("/v/web-poll/start", {})
        await b.submit("/v/web-poll/q/0", {"answer": "13-15"})
        page = await b.get("/v/web-poll/done?j=forged")
        assert "counted" not in page.plain and page.url == "/v/web-poll/q/1"
        for i, value in [(1, "north"), (2, "jobs"), (3, "")]:
            await b.submit(f"/v/web-poll/q/{i}", {"answer": value})
        page = await b.submit("/v/web-poll/send", {})
        assert page.url == "/v/web-poll/done" and "Your vote is counted" in page.plain
        switch = html.unescape(page.text.split('class="language" href="')[1].split('"')[0])
        welsh = await b.get(switch)  # the language switch keeps the confirmation
        assert welsh.url == "/v/web-poll/done" and "wedi cael ei chyfrif" in welsh.plain
        other = Browser(client)  # the same address in another browser
        await other.get("/v/web-poll")
        async with client.get("/v/web-poll/done", allow_redirects=False) as resp:
            assert resp.status == 303


async def test_a_welsh_confirmation_marks_the_english_poll_s_words_as_english(
    tmp_path: Path, database_url: str | None
) -> None:
    """A Welsh page of a poll with no Welsh: the organiser's name and the outcome come in the
    poll's English, so they carry lang="en" (WCAG 3.1.2); the page's own words stay Welsh,
    "Organiser:" too."""
    poll = OPEN_POLL.replace("code: web-poll", "code: web-poll\norganiser: Youth Forum")
    rt = await open_with_polls(make_settings(tmp_path, database_url), poll)
    try:
        async with web_client(rt) as client:
            b = Browser(client)
            await _answer(b, ["13-15", "north", "climate", ""], lang="cy")
            page = await b.submit("/v/web-poll/send", {})
            assert page.url == "/v/web-poll/done" and '<html lang="cy">' in page.text
            english = re.findall(r'<span lang="en">(.*?)</span>', page.text, re.S)
            assert english, page.text
            marked = " ".join(english)
            assert "Youth Forum" in marked and "results in January" in marked
            assert "Diolch" in page.plain and "Trefnydd: " in page.plain
    finally:
        await rt.close()


async def test_a_rank_mistake_is_named_and_its_summary_links_to_the_place(
    runtime: Runtime,
) -> None:
    """The same option in two places (the selects allow it) is said as such, with what to do,
    and the error summary links to the place to change (WCAG 3.3.1, 3.3.3); so is a gap."""
    async with web_client(runtime) as client:
        for lang, said in (("en", "more than once"), ("cy", "fwy nag unwaith")):
            b = Browser(client)
            await b.get(f"/v/rank-poll?lang={lang}")
            await b.submit("/v/rank-poll/start", {})
            page = await b.submit("/v/rank-poll/q/0", {"rank1": "jobs", "rank2": "jobs"})
            assert page.status == 400 and said in page.plain and "Jobs" in page.plain
            assert '<li><a href="#rank2">' in page.text
            assert 'id="rank2" name="rank2" aria-describedby="answer-error"' in page.text
            page = await b.submit("/v/rank-poll/q/0", {"rank1": "", "rank2": "buses"})
            assert page.status == 400 and '<li><a href="#answer">' in page.text
    assert await count(runtime, "ballots") == 0


async def test_a_full_disk_at_send_on_the_web_says_try_again_and_counts_once(
    tmp_path: Path,
) -> None:
    """The database can't write at Send: a page that says to try again (not "You can't vote
    here"), with the way back to Check your answers; nothing half-counted; then counted once.
    An expired form, a wrong method and a too-large post are titled the same way. (SQLite's
    single writer is made to fail, so this one runs on SQLite only.)"""
    runtime = await open_with_polls(make_settings(tmp_path, None), OPEN_POLL)
    try:
        await _full_disk_at_send(runtime)
    finally:
        await runtime.close()


async def _answer(b: Browser, values: list[str], *, lang: str | None = None) -> Page:
    """Open web-poll (in ``lang``), start, and answer its questions in order: the last page."""
    await b.get("/v/web-poll" + (f"?lang={lang}" if lang else ""))
    page = await b.submit("/v/web-poll/start", {})
    for i, value in enumerate(values):
        page = await b.submit(f"/v/web-poll/q/{i}", {"answer": value})
    return page


async def _to_contact_check(b: Browser, detail: str) -> Page:
    """Answer web-poll so that it signposts, ask for an adult to make contact and give
    ``detail``: the check page ("This is what the adult will see")."""
    await _answer(b, ["16-18", "south", "jobs", "i want to kill myself"])
    await b.get("/v/web-poll/help")
    page = await b.submit("/v/web-poll/help", {"detail": detail})
    assert "This is what the adult will see" in page.plain
    return page


def _ballots_in_file(runtime: Runtime) -> int:
    """Ballots in the SQLite file, read beside the (failing) writer."""
    path = runtime.store.path  # type: ignore[attr-defined]
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return int(conn.execute("SELECT count(*) FROM ballots").fetchone()[0])


async def _full_disk_at_send(runtime: Runtime) -> None:
    disk = FullDisk(runtime.store)
    async with web_client(runtime) as client:
        b = Browser(client)
        await _answer(b, ["16-18", "south", "jobs", ""], lang="cy")
        disk.full = True
        page = await b.submit("/v/web-poll/send", {})
        assert page.status == 503 and "wnaeth hynna ddim gweithio" in page.plain
        assert "Alli di ddim pleidleisio" not in page.plain
        assert 'href="/v/web-poll/check"' in page.text
        assert _ballots_in_file(runtime) == 0
        disk.full = False
        await b.get("/v/web-poll/check")
        page = await b.submit("/v/web-poll/send", {})
        assert page.url == "/v/web-poll/done"
        assert _ballots_in_file(runtime) == 1
        for lang, title in (("cy", "wnaeth hynna ddim gweithio"), ("en", "that didn't work")):
            await b.get(f"/privacy?lang={lang}")
            for path, data in (
                ("/v/web-poll/start", {"csrf": "forged"}),
                ("/privacy", {"a": "b"}),
                ("/v/web-poll/start", {"a": "x" * 100_000}),
            ):
                page = await b.post(path, data)
                assert page.status in (400, 405, 413) and title in page.plain, (lang, path)


async def test_the_language_switch_on_a_page_that_answers_a_post_leads_to_a_page(
    runtime: Runtime,
) -> None:
    """A page shown in answer to a form (Send, Stop, an error) has a language switch too;
    following it (a GET) gives that page's place in Welsh, never a 405. A page with a field
    (a question, a wrong code), an error or not, has the switch that sends its form."""
    async with web_client(runtime) as client:
        b = Browser(client)
        await b.get("/v/code-poll")
        page = await b.submit("/v/code-poll/start", {"code": "nope"})
        assert page.status == 400 and _form_switch(page, "start-form")  # a field: a button
        switches = []
        await b.get("/v/web-poll")
        await b.submit("/v/web-poll/start", {})
        error = await b.submit("/v/web-poll/q/0", {})
        assert error.status == 400 and _form_switch(error) == "/v/web-poll/q/0?lang=cy"
        for i, value in enumerate(["16-18", "south", "jobs", ""]):
            await b.submit(f"/v/web-poll/q/{i}", {"answer": value})
        switches.append(await b.submit("/v/web-poll/cancel", {}))
        switches.append(await b.post("/privacy", {"a": "b"}))
        for shown in switches:
            found = re.search(r'<a class="language" href="([^"]+)"', shown.text)
            assert found, shown.url
            href = html.unescape(found.group(1))
            again = await b.get(href)
            assert again.status in (200, 404) and '<html lang="cy">' in again.text, href
            assert "wnaeth hynna ddim gweithio" not in again.plain, href
            await b.get(href.replace("lang=cy", "lang=en"))


def _form_switch(page: Page, form: str = "question-form") -> str:
    """The address the header's language switch sends ``form`` to (a button, not a link)."""
    found = re.search(
        r'<button class="language" type="submit" form="([^"]+)" formaction="([^"]+)"'
        r' name="switch" value="(en|cy)" lang="(en|cy)">',
        page.text,
    )
    assert found is not None, page.plain
    assert found.group(1) == form and '<a class="language"' not in page.text
    # Enter in a field presses the form's first submit button in the page: Continue, not this
    default = re.search(
        rf'<button class="default-button" type="submit" form="{form}" tabindex="-1"'
        r' aria-hidden="true">',
        page.text,
    )
    assert default is not None and default.start() < found.start()
    return html.unescape(found.group(2))


async def test_the_language_switch_on_a_question_keeps_what_was_ticked_or_typed(
    runtime: Runtime,
) -> None:
    """The header's language switch was a link: an answer ticked or typed and not yet sent
    was lost on the way to the other language (there is no JavaScript to keep it). On a
    question it now sends the question's form: the same question in the other language,
    with the option ticked, the places chosen or the text typed (half a line, or more than
    may be sent) still there, and nothing saved until Continue."""
    async with web_client(runtime) as client:
        b = Browser(client)
        await b.get("/v/web-poll")
        await b.submit("/v/web-poll/start", {})
        page = await b.submit("/v/web-poll/q/0", {"answer": "13-15"})
        assert page.url == "/v/web-poll/q/1"
        switch = _form_switch(page)
        assert switch == "/v/web-poll/q/1?lang=cy"
        page = await b.submit(switch, {"answer": "north", "switch": "cy"})
        assert page.status == 200 and '<html lang="cy">' in page.text
        assert re.search(r'value="north" checked', page.text), page.text
        assert "There is a problem" not in page.plain and "Mae problem" not in page.plain
        assert _form_switch(page) == "/v/web-poll/q/1?lang=en"
        later = await b.get("/v/web-poll/q/2")  # not saved: question 2 is not reached yet
        assert later.url == "/v/web-poll/q/1" and "checked" not in later.text
        assert '<html lang="cy">' in later.text  # the language chosen is kept
        await b.submit("/v/web-poll/q/1", {"answer": "north"})
        page = await b.submit("/v/web-poll/q/2", {"answer": "jobs"})
        assert page.url == "/v/web-poll/q/3"
        typed = "Mwy o fysiau\nar ôl ysgol " + "x" * 3000  # more than may be sent
        page = await b.submit(_form_switch(page), {"answer": typed, "switch": "en"})
        assert page.status == 200 and '<html lang="en">' in page.text
        assert html.escape(typed, quote=False) + "</textarea>" in page.text
        check = await b.get("/v/web-poll/check")
        assert check.url == "/v/web-poll/q/3"  # still unanswered
        page = await b.submit("/v/web-poll/q/3", {"answer": "Mwy o fysiau"})
        assert page.url == "/v/web-poll/check" and "Mwy o fysiau" in page.plain
        # a ranked question: the places chosen, a gap and a repeat too, come back as chosen
        await b.get("/v/rank-poll")
        page = await b.submit("/v/rank-poll/start", {})
        places = {"rank1": "jobs", "rank2": "jobs", "switch": "cy"}
        page = await b.submit(_form_switch(page), places)
        assert page.status == 200 and '<html lang="cy">' in page.text
        assert len(re.findall(r'<option value="jobs"[^>]*selected', page.text)) == 2
    assert await count(runtime, "ballots") == 0


async def test_the_language_switch_on_an_old_question_leads_where_the_journey_is(
    runtime: Runtime,
) -> None:
    """The switch from an old page (another journey's token, a question not reached) is an
    old page like any other: the page where the journey is, in the language chosen; a
    forged form (no CSRF token) is refused as any form is, and nothing is saved."""
    async with web_client(runtime) as client:
        b = Browser(client)
        await b.get("/v/web-poll")
        page = await b.submit("/v/web-poll/start", {})
        form = page.hidden()
        page = await b.post("/v/web-poll/q/2?lang=cy", {**form, "answer": "jobs", "switch": "cy"})
        assert page.url == "/v/web-poll/q/0" and '<html lang="cy">' in page.text
        page = await b.post("/v/web-poll/q/0?lang=en", {"answer": "13-15", "switch": "en"})
        expired = runtime.services.catalog.plain("en", "web_form_expired").split("\n")[0]
        assert page.status == 400 and expired in page.plain
    assert await count(runtime, "ballots") == 0


async def test_the_language_switch_on_the_contact_form_keeps_what_was_typed(
    tmp_path: Path, database_url: str | None
) -> None:
    """How to be contacted, typed and not yet checked, survives the language switch; on the
    check page, a detail changed and then switched is shown to check again, never above a
    Send button that would send the version checked before."""
    settings = make_settings(tmp_path, database_url, safeguarding_chat=-100130)
    rt = await open_with_polls(settings, OPEN_POLL)
    check_cy = rt.services.catalog.plain("cy", "web_contact_check_title")
    try:
        async with web_client(rt) as client:
            b = Browser(client)
            await _answer(b, ["16-18", "south", "jobs", "i want to kill myself"])
            page = await b.get("/v/web-poll/help")
            switch = _form_switch(page, "contact-form")
            assert switch == "/v/web-poll/help?lang=cy"
            page = await b.submit(switch, {"detail": "07700 900458 ar ol 4", "switch": "cy"})
            assert page.status == 200 and '<html lang="cy">' in page.text
            assert "07700 900458 ar ol 4</textarea>" in page.text and check_cy not in page.plain
            page = await b.submit("/v/web-poll/help", {"detail": "07700 900458 ar ol 4"})
            assert check_cy in page.plain and 'name="version"' in page.text
            same = await b.submit(_form_switch(page, "contact-form"), {
                "detail": "07700 900458 ar ol 4", "switch": "en"})  # fmt: skip
            assert "This is what the adult will see" in same.plain and 'name="version"' in same.text
            changed = await b.submit(_form_switch(same, "contact-form"), {
                "detail": "email instead", "switch": "cy"})  # fmt: skip
            assert "email instead</textarea>" in changed.text
            assert check_cy not in changed.plain and 'name="version"' not in changed.text
    finally:
        await rt.close()


async def test_stop_asks_before_it_deletes_the_answers(runtime: Runtime) -> None:
    """ "Stop and delete my answers" on Check your answers leads to a page that asks (WCAG
    3.3.4): No keeps every answer; Yes deletes them; with nothing left to delete, the page
    says the answers have gone instead of asking."""
    catalog = runtime.services.catalog
    async with web_client(runtime) as client:
        b = Browser(client)
        await b.get("/v/web-poll")
        await b.submit("/v/web-poll/start", {})
        for i, value in enumerate(["16-18", "south", "jobs", ""]):
            page = await b.submit(f"/v/web-poll/q/{i}", {"answer": value})
        assert page.url == "/v/web-poll/check"
        assert 'href="/v/web-poll/stop"' in page.text and "/cancel" not in page.text
        page = await b.get("/v/web-poll/stop")
        assert catalog.plain("en", "web_stop_title") in page.plain
        assert 'action="/v/web-poll/cancel"' in page.text
        assert 'href="/v/web-poll/check"' in page.text
        page = await b.get("/v/web-poll/check")  # No: the answers are all still there
        assert page.url == "/v/web-poll/check" and "South" in page.plain
        await b.get("/v/web-poll/stop")
        page = await b.submit("/v/web-poll/cancel", {})
        assert catalog.plain("en", "web_cancelled_title") in page.plain
        page = await b.get("/v/web-poll/stop")
        assert catalog.plain("en", "web_stop_title") not in page.plain
        assert 'action="/v/web-poll/cancel"' not in page.text


async def test_a_poll_closed_mid_journey_is_said_at_the_next_page(runtime: Runtime) -> None:
    """A form still open when the poll closes: the next page says it closed and nothing was
    counted (not three questions later, at Send); nothing is kept as a ballot."""
    async with web_client(runtime) as client:
        b = Browser(client)
        await b.get("/v/web-poll?lang=cy")
        await b.submit("/v/web-poll/start", {})
        await b.submit("/v/web-poll/q/0", {"answer": "13-15"})
        form = b.page.hidden() if b.page else {}
        await runtime.services.polls.set_status("web-poll", "closed")
        page = await b.submit("/v/web-poll/q/1", {"answer": "north"})
        assert "caeodd y bleidlais hon" in page.plain and "Cwestiwn 3" not in page.plain
        for path in ("/v/web-poll/q/1", "/v/web-poll/check"):
            assert "caeodd y bleidlais hon" in (await b.get(path)).plain
        page = await b.post("/v/web-poll/send", form)
        assert "caeodd y bleidlais hon" in page.plain
    assert await count(runtime, "ballots") == 0


async def test_a_poll_not_open_yet_gives_its_date_in_welsh_too(
    tmp_path: Path, database_url: str | None
) -> None:
    """The opening date was written with English month names ("10 December 2099") inside
    Welsh text, then as numbers only; it now names the month in the page's language."""
    later = OPEN_POLL.replace("code: web-poll", "code: web-poll\nopens: 2099-12-10T09:00:00Z")
    rt = await open_with_polls(make_settings(tmp_path, database_url), later)
    try:
        async with web_client(rt) as client:
            b = Browser(client)
            page = await b.get("/v/web-poll?lang=cy")
            assert "Bydd hi'n agor ar 10 Rhagfyr 2099 09:00." in page.plain
            assert "December" not in page.plain
            page = await b.get("/v/web-poll?lang=en")
            assert "10 December 2099 09:00." in page.plain
            assert "Rhagfyr" not in page.plain
    finally:
        await rt.close()


async def test_a_poll_opening_in_summer_gives_the_time_on_the_clock(
    tmp_path: Path, database_url: str | None
) -> None:
    """A council writes local time ("09:00" in July is BST); a young person is told "09:00",
    not the "08:00 UTC" it is stored as."""
    later = OPEN_POLL.replace("code: web-poll", "code: web-poll\nopens: 2099-07-10T09:00:00")
    rt = await open_with_polls(make_settings(tmp_path, database_url), later)
    try:
        async with web_client(rt) as client:
            page = await Browser(client).get("/v/web-poll?lang=en")
            assert "It opens on 10 July 2099 09:00." in page.plain, page.plain
            assert "08:00" not in page.plain and "UTC" not in page.plain
    finally:
        await rt.close()


async def test_a_disclosure_on_a_full_disk_is_still_signposted_on_the_web(
    tmp_path: Path,
) -> None:
    """As in Telegram: the answer and its alert can't be written, yet the page says where to
    get help (not only "something went wrong"), keeps what was typed, and asks to send it
    again; once the disk has room the answer and its alert are kept. (SQLite only: its
    single writer is made to fail.)"""
    settings = make_settings(tmp_path, None, safeguarding_chat=-100777)
    rt = await open_with_polls(settings, OPEN_POLL)
    try:
        disk = FullDisk(rt.store)
        async with web_client(rt) as client:
            b = Browser(client)
            await _answer(b, ["16-18", "south", "jobs"])
            disk.full = True
            page = await b.submit("/v/web-poll/q/3", {"answer": "my dad hits me every night"})
            assert page.status == 503 and "Childline" in page.plain and "999" in page.plain
            assert "send it again" in page.plain and "We have kept your answer" not in page.plain
            assert "my dad hits me every night" in page.text  # what they typed is still there
            disk.full = False
            page = await b.submit("/v/web-poll/q/3", {"answer": "my dad hits me every night"})
            assert page.url == "/v/web-poll/check" and "Childline" in page.plain
        assert rt.services.alerts is not None and len(await rt.services.alerts.pending()) == 1
    finally:
        await rt.close()


async def test_a_worry_on_the_web_is_flagged_for_review_without_an_alarm(
    tmp_path: Path, database_url: str | None
) -> None:
    """The same rules as in Telegram: a worry about others brings no signposting and no alert,
    and is kept "for review" with its themes; a disclosure changed to an ordinary answer loses
    its flag (its alert has gone to the lead already)."""
    settings = make_settings(tmp_path, database_url, safeguarding_chat=-100777)
    rt = await open_with_polls(settings, OPEN_POLL)
    try:
        for n, text in enumerate(
            (
                "older lads are getting year 7s to carry drugs round the estate",
                "\u200fmy dad hits me every night\u200d",
            )
        ):
            async with web_client(rt) as client:  # two people, two browsers
                b = Browser(client)
                await _answer(b, ["16-18", "south", "jobs"])
                page = await b.submit("/v/web-poll/q/3", {"answer": text})
                assert page.url == "/v/web-poll/check"
                assert ("Childline" in page.plain) == (n == 1)
                if n == 1:  # changed before Send: no longer flagged
                    page = await b.submit("/v/web-poll/q/3", {"answer": "more buses please"})
                    assert page.url == "/v/web-poll/check"
                page = await b.submit("/v/web-poll/send", {})
                assert page.url == "/v/web-poll/done"
        stored = sorted(await rows(rt, "text_answers", "flagged", "review", "themes"))
        assert [s[:2] for s in stored] == [(0, 0), (0, 1)]
        assert "community-safety" in stored[1][2]
        assert rt.services.alerts is not None and len(await rt.services.alerts.pending()) == 1
    finally:
        await rt.close()


PART_WELSH_RANK = """\
code: part-cy
title: {en: Partly translated, cy: Wedi'i gyfieithu'n rhannol}
web: open
questions:
  - id: top
    kind: rank
    max: 2
    text: {en: Put your top 2 in order, cy: Rho dy 2 uchaf mewn trefn}
    options:
      - {id: parks, label: {en: Parks, cy: Parciau}}
      - {id: buses, label: {en: Buses}}
      - {id: jobs, label: {en: Jobs}}
"""


async def test_a_rank_mistake_names_the_option_as_the_page_shows_it(runtime: Runtime) -> None:
    """A poll not wholly in Welsh is in English on a Welsh page, its options too: the error
    named the option in Welsh ("Parciau") beside a select that shows "Parks"."""
    poll = runtime.services.polls.parse(PART_WELSH_RANK, "p.yaml")
    await runtime.services.polls.create(poll, status="open")
    async with web_client(runtime) as client:
        b = Browser(client)
        await b.get("/v/part-cy?lang=cy")
        await b.submit("/v/part-cy/start", {})
        page = await b.submit("/v/part-cy/q/0", {"rank1": "parks", "rank2": "parks"})
        assert page.status == 400 and "fwy nag unwaith" in page.plain
        assert 'lang="en" selected>Parks<' in page.text
        assert "Parciau" not in page.plain
        assert '<span lang="en">Parks</span>' in page.text  # English in a Welsh sentence
    assert await count(runtime, "ballots") == 0


async def test_a_question_number_in_other_digits_is_not_a_server_error(
    runtime: Runtime,
) -> None:
    """A typed or forged address with a digit Python's int() can't read ("²", which
    str.isdigit() accepts) leads to the page where the journey is, not "something went
    wrong"; the answer posted there changes nothing."""
    async with web_client(runtime) as client:
        b = Browser(client)
        await b.get("/v/web-poll")
        await b.submit("/v/web-poll/start", {})
        form = b.page.hidden() if b.page else {}
        for odd in ("%C2%B2", "%E2%91%A0", "%D9%A3"):  # ², ①, Arabic-Indic 3
            page = await b.get(f"/v/web-poll/q/{odd}")
            assert page.status == 200 and page.url == "/v/web-poll/q/0", odd
            page = await b.post(f"/v/web-poll/q/{odd}", {**form, "answer": "13-15"})
            assert page.status == 200 and page.url == "/v/web-poll/q/0", odd
    assert await count(runtime, "ballots") == 0


async def test_line_breaks_in_a_typed_answer_count_as_the_browser_counts_them(
    runtime: Runtime,
) -> None:
    """A browser sends each line break in a textarea as CR LF, while a person (and the hint's
    limit) counts it as one character: an answer of 1,000 with its line breaks is taken, and
    kept with plain line breaks (no carriage return turned into a stray space)."""
    lines = ["Buses to the college stop at six"] * 10
    typed = "\n".join(lines)
    typed += "x" * (1000 - len(typed))  # exactly the box's limit, counted as the browser does
    async with web_client(runtime) as client:
        b = Browser(client)
        await _answer(b, ["16-18", "south", "jobs"])
        page = await b.submit("/v/web-poll/q/3", {"answer": typed.replace("\n", "\r\n")})
        assert page.url == "/v/web-poll/check", page.plain
        await b.submit("/v/web-poll/send", {})
    [(body,)] = await rows(runtime, "text_answers", "body")
    assert "\r" not in body and " \n" not in body and body.count("\n") == 9


async def test_a_pasted_answer_over_the_limit_is_kept_and_the_limit_said(
    runtime: Runtime,
) -> None:
    """The box has no maxlength: a browser cut a pasted answer at the limit without a word, so
    the end of what someone wrote was lost unseen. Over the limit, the page says how long it
    is and what the limit is, and keeps every character in the box to shorten."""
    typed = "The buses stop too early. " * 50  # 1,300 characters, the limit is 1,000
    async with web_client(runtime) as client:
        b = Browser(client)
        await _answer(b, ["16-18", "south", "jobs"])
        assert "maxlength" not in b.page.text
        page = await b.submit("/v/web-poll/q/3", {"answer": typed})
        assert page.status == 400 and page.url == "/v/web-poll/q/3"
        said = page.plain.replace(",", "")
        assert f"{len(typed.strip())} characters" in said and "limit is 1000" in said
        assert html.escape(typed.strip(), quote=False) in page.text
    assert await rows(runtime, "text_answers", "body") == []


async def test_one_code_in_two_browsers_at_once_says_the_code_was_used(
    runtime: Runtime,
) -> None:
    """Two pupils start with the same slip at once (both pass the check: the code is used
    only when a ballot is cast). The second Send counts nothing and says the code has been
    used, in its own language, not "you have already voted" (they haven't)."""
    [code] = await runtime.services.codes.make("code-poll", 1, "Year 8")
    async with web_client(runtime) as first, web_client(runtime) as second:
        browsers = [Browser(first), Browser(second)]
        for b, lang in zip(browsers, ("en", "cy"), strict=True):
            await b.get(f"/v/code-poll?lang={lang}")
            page = await b.submit("/v/code-poll/start", {"code": code})
            assert page.url == "/v/code-poll/q/0", page.plain
            for i, value in enumerate(["13-15", "north", "jobs", ""]):
                page = await b.submit(f"/v/code-poll/q/{i}", {"answer": value})
            assert page.url == "/v/code-poll/check"
        page = await browsers[0].submit("/v/code-poll/send", {})
        assert page.url == "/v/code-poll/done"
        page = await browsers[1].submit("/v/code-poll/send", {})
        cy = runtime.services.catalog.plain("cy", "web_code_used")
        assert cy in page.plain and "pleidleisio yn y bleidlais hon" not in page.plain
    assert await count(runtime, "ballots") == 1


async def test_the_contact_request_pages_each_have_one_heading(
    tmp_path: Path, database_url: str | None
) -> None:
    """The page for "I'd like an adult to contact me": the page that asks (and the same page with an
    error) has one h1 naming it, in its language, as the check page has (WCAG 1.3.1, 2.4.6);
    the catalog's bold first line, Telegram's heading, is not said twice."""
    settings = make_settings(tmp_path, database_url, safeguarding_chat=-100124)
    rt = await open_with_polls(settings, OPEN_POLL)
    try:
        async with web_client(rt) as client:
            b = Browser(client)
            await _answer(b, ["16-18", "south", "jobs", "i want to kill myself"], lang="cy")
            for lang in ("cy", "en"):
                title = rt.services.catalog.plain(lang, "web_contact_title")
                asked = await b.get(f"/v/web-poll/help?lang={lang}")
                wrong = await b.submit("/v/web-poll/help", {"detail": ""})
                assert wrong.status == 400
                for page in (asked, wrong):
                    headings = re.findall(r"<h1[^>]*>(.*?)</h1>", page.text, re.S)
                    assert [html.unescape(h).strip() for h in headings] == [title], lang
                    assert page.plain.count(title) == 2, lang  # the title and the h1 only
    finally:
        await rt.close()


WELSH_TOO = """\
code: cy-too
title: {en: Youth vote, cy: Pleidlais ieuenctid}
web: open
questions:
  - id: why
    kind: text
    text: {en: "What would help?", cy: "Beth fyddai'n helpu?"}
"""


async def test_signposting_on_the_web_is_in_the_page_s_language(
    tmp_path: Path, database_url: str | None
) -> None:
    """Childline and Shout, and the note that details were taken out, are said in the language
    of the page showing them: on a Welsh page of a poll only in English (its questions stay
    English, the catalog's words need not), and after the language switch on the next page."""
    settings = make_settings(tmp_path, database_url, safeguarding_chat=-100778)
    rt = await open_with_polls(settings, OPEN_POLL, WELSH_TOO)
    catalog = rt.services.catalog
    said = {
        lang: [
            catalog.plain(lang, key).splitlines()[0].split("<")[0].strip()
            for key in ("safeguarding_signpost", "web_safeguarding_contact_offer", "text_scrubbed")
        ]
        for lang in ("en", "cy")
    }
    disclosure = "my step dad hits me, ring me on 07700 900125"
    try:
        async with web_client(rt) as client:
            b = Browser(client)
            page = await _answer(b, ["16-18", "south", "jobs", disclosure], lang="cy")
            assert page.url == "/v/web-poll/check"
            assert all(line in page.plain for line in said["cy"]), page.plain
            assert not any(line in page.plain for line in said["en"])
        async with web_client(rt) as client:
            b = Browser(client)
            await b.get("/v/cy-too")
            await b.submit("/v/cy-too/start", {})
            page = await b.submit("/v/cy-too/q/0", {"answer": disclosure})
            assert page.url == "/v/cy-too/check"
            assert all(line in page.plain for line in said["en"])
            page = await b.get("/v/cy-too/check?lang=cy")
            assert all(line in page.plain for line in said["cy"]), page.plain
            assert not any(line in page.plain for line in said["en"])
    finally:
        await rt.close()


async def test_start_again_from_the_first_page_keeps_the_answers_given(
    runtime: Runtime,
) -> None:
    """Back to the poll's first page (its Back link from question 1, or the browser's Back)
    and Start again: the journey carries on where it was, its answers kept, rather than
    silently starting over; with codes only for the same code (another code is another
    person: a new journey, nothing of the first shown)."""
    [first, other] = await runtime.services.codes.make("code-poll", 2, "Year 7")
    async with web_client(runtime) as client:
        b = Browser(client)
        await b.get("/v/web-poll")
        await b.submit("/v/web-poll/start", {})
        await b.submit("/v/web-poll/q/0", {"answer": "13-15"})
        await b.submit("/v/web-poll/q/1", {"answer": "north"})
        await b.get("/v/web-poll?lang=cy")
        page = await b.submit("/v/web-poll/start", {})
        assert page.url == "/v/web-poll/q/2" and 'lang="cy"' in page.text
        page = await b.submit("/v/web-poll/q/2", {"answer": "jobs"})
        page = await b.submit("/v/web-poll/q/3", {"answer": ""})
        assert page.url == "/v/web-poll/check" and "13-15" in page.plain
        await b.get("/v/code-poll")
        await b.submit("/v/code-poll/start", {"code": first})
        await b.submit("/v/code-poll/q/0", {"answer": "16-18"})
        await b.get("/v/code-poll")
        page = await b.submit("/v/code-poll/start", {"code": first.lower()})
        assert page.url == "/v/code-poll/q/1"
        await b.get("/v/code-poll")
        page = await b.submit("/v/code-poll/start", {"code": other})
        assert page.url == "/v/code-poll/q/0" and "checked" not in page.text
    assert await count(runtime, "ballots") == 0


async def test_send_posted_to_another_poll_s_address_counts_nothing(runtime: Runtime) -> None:
    """A Send form (its token and CSRF genuine) posted to another poll's address: that poll
    has no journey of this browser's, so nothing is counted anywhere; the journey is still
    there to send from its own page."""
    async with web_client(runtime) as client:
        b = Browser(client)
        page = await _answer(b, ["16-18", "south", "jobs", ""])
        assert page.url == "/v/web-poll/check"
        form = page.hidden()
        page = await b.post("/v/rank-poll/send", form)
        assert page.url != "/v/rank-poll/done" and "/v/rank-poll" in page.text
        assert await count(runtime, "ballots") == 0
        page = await b.get("/v/web-poll/check")
        page = await b.submit("/v/web-poll/send", {})
        assert page.url == "/v/web-poll/done"
    assert await rows(runtime, "ballots", "channel") == [("web",)]


async def test_the_language_switch_after_a_wrong_code_keeps_the_code_typed(
    runtime: Runtime,
) -> None:
    """A code refused at Start, then the language switch: the code typed is still in the box
    (as the QR code's link keeps it), to correct rather than type again. The switch sends the
    code field with it, so a code half typed is kept too, and switching is no try at a code
    (a class behind one address is never locked out by it)."""
    (good,) = await runtime.services.codes.make("code-poll", 1, "Year 9")
    async with web_client(runtime) as client:
        b = Browser(client)
        page = await b.get("/v/code-poll")
        assert _form_switch(page, "start-form") == "/v/code-poll/start?lang=cy"
        page = await b.submit("/v/code-poll/start", {"code": "N43T-MKHJ-962Z"})
        assert page.status == 400
        switch = _form_switch(page, "start-form")
        page = await b.submit(switch, {"code": "N43T-MKHJ-962Z", "switch": "cy"})
        assert page.status == 200 and '<html lang="cy">' in page.text
        assert 'value="N43T-MKHJ-962Z"' in page.text and "Mae problem" not in page.plain
        for _ in range(12):  # more than the ten wrong codes an address may try
            lang = "en" if '<html lang="cy">' in page.text else "cy"
            page = await b.submit(
                _form_switch(page, "start-form"), {"code": "N43T", "switch": lang}
            )
            assert page.status == 200 and 'value="N43T"' in page.text
        page = await b.submit("/v/code-poll/start", {"code": good})
        assert page.url == "/v/code-poll/q/0", page.plain


async def test_an_answer_in_another_language_is_marked_as_that_language(
    runtime: Runtime,
) -> None:
    """On "Check your answers" an answer typed in Urdu or Polish is marked as such (its tag),
    not as the page's language, and may run right to left (WCAG 3.1.2)."""
    said = {
        "ur": "ہمیں اسکول کے بعد مزید بسوں کی ضرورت ہے",
        "pl": "Potrzebujemy więcej autobusów po szkole, bo wracamy późno do domu",
    }
    for lang, typed in said.items():
        async with web_client(runtime) as client:
            b = Browser(client)
            page = await _answer(b, ["16-18", "south", "jobs", typed], lang="cy")
            assert page.url == "/v/web-poll/check"
            cell = re.search(r'<dd class="summary-value"([^>]*)>' + re.escape(typed), page.text)
            assert cell is not None and f'lang="{lang}"' in cell.group(1), page.text
            assert 'dir="auto"' in cell.group(1)


async def test_a_typed_answer_s_lines_stay_lines_on_the_check_page(runtime: Runtime) -> None:
    """An answer typed on several lines is shown back on several lines to check, not run
    together into one (HTML folds a newline into a space)."""
    async with web_client(runtime) as client:
        b = Browser(client)
        page = await _answer(b, ["16-18", "south", "jobs", "More buses\r\n\r\nLater trains"])
        assert page.url == "/v/web-poll/check"
        assert re.search(r">More buses<br>\s*(<br>\s*)?Later trains<", page.text), page.text


async def test_the_contact_check_page_again_shows_what_was_typed_in_its_language(
    tmp_path: Path, database_url: str | None
) -> None:
    """The contact detail's check page shown again (the language switch, a reload, Back) still
    shows the detail that Send would send, not an empty box above a live Send button; and a
    mistake is said in the language of the page, not the one the request began in."""
    settings = make_settings(tmp_path, database_url, safeguarding_chat=-100125)
    rt = await open_with_polls(settings, OPEN_POLL)
    try:
        async with web_client(rt) as client:
            b = Browser(client)
            await _to_contact_check(b, "07700 900457 after 4pm")
            page = await b.get("/v/web-poll/help?lang=cy")
            check = rt.services.catalog.plain("cy", "web_contact_check_title")
            assert check in page.plain and "07700 900457 after 4pm" in page.plain
            assert "07700 900457 after 4pm</textarea>" in page.text
            page = await b.submit("/v/web-poll/help", {"detail": " "})
            assert page.status == 400 and '<html lang="cy">' in page.text
            empty = rt.services.catalog.plain("cy", "web_contact_empty").split("<")[0].strip()
            assert empty in page.plain and "looks empty" not in page.plain
    finally:
        await rt.close()


async def test_a_rank_form_from_an_old_page_leads_where_the_journey_is(runtime: Runtime) -> None:
    """A ranked question's form from an old page (another journey's token, or a question not
    reached yet) is an old page like any other, even with a choice in two places: the page
    where the journey is, not an error about a question that isn't being asked."""
    poll = RANK_POLL.replace("code: rank-poll", "code: rank-two").replace(
        "questions:\n",
        "questions:\n  - id: area\n    kind: choice\n    text: Where?\n"
        "    options: [North, South]\n",
    )
    await runtime.services.polls.create(runtime.services.polls.parse(poll, "r.yaml"), status="open")
    async with web_client(runtime) as client:
        b = Browser(client)
        await b.get("/v/rank-two")
        page = await b.submit("/v/rank-two/start", {})
        form = page.hidden()
        twice = {"rank1": "jobs", "rank2": "jobs"}
        page = await b.post("/v/rank-two/q/1", {**form, **twice})  # not reached yet
        assert page.status == 200 and page.url == "/v/rank-two/q/0", page.plain
        await b.submit("/v/rank-two/q/0", {"answer": "north"})
        page = await b.post("/v/rank-two/q/1", {**form, **twice, "token": "000000"})
        assert page.status == 200 and page.url == "/v/rank-two/q/1"
        assert "There is a problem" not in page.plain
    assert await count(runtime, "ballots") == 0


async def test_an_address_with_a_trailing_slash_leads_to_the_page(runtime: Runtime) -> None:
    """The address typed from a slip with a slash at the end (or a doubled one) leads to the
    page it names, not "Page not found"; the results site's own folders keep theirs."""
    async with web_client(runtime) as client:
        for typed, meant in (
            ("/v/web-poll/", "/v/web-poll"),
            ("/v/web-poll/?lang=cy", "/v/web-poll?lang=cy"),
            ("/privacy/", "/privacy"),
            ("/v//web-poll", "/v/web-poll"),
        ):
            async with client.get(typed, allow_redirects=False) as resp:
                assert resp.status in (301, 308), typed
                assert resp.headers["Location"] == meant, typed
                assert resp.headers["Content-Security-Policy"]
        page = await Browser(client).get("/v/web-poll/")
        assert page.status == 200 and page.url == "/v/web-poll"
        async with client.get("/results/", allow_redirects=False) as resp:
            assert resp.status not in (301, 308)


async def test_a_skipped_question_is_said_in_the_page_s_language(runtime: Runtime) -> None:
    """On a Welsh "Check your answers" of a poll only in English, a question left empty is
    said in Welsh and marked so: the words are the service's, not the poll's."""
    welsh = runtime.services.catalog.plain("cy", "no_answer")
    english = runtime.services.catalog.plain("en", "no_answer")
    async with web_client(runtime) as client:
        b = Browser(client)
        page = await _answer(b, ["16-18", "south", "jobs", ""], lang="cy")
        assert page.url == "/v/web-poll/check"
        cell = rf'<dd class="summary-value" lang="cy"[^>]*>{re.escape(welsh)}<'
        assert re.search(cell, page.text)
        assert english not in page.plain


async def test_an_optional_choice_once_chosen_can_be_skipped_again(
    tmp_path: Path, database_url: str | None
) -> None:
    """A radio can't be unticked without JavaScript: an optional choice question says it may
    be skipped and has a "Skip this question" button (as in Telegram), so an answer given,
    then regretted on "Check your answers", can be taken back; a required one has neither."""
    rt = await open_with_polls(make_settings(tmp_path, database_url), OPTIONAL_CHOICE)
    catalog = rt.services.catalog
    try:
        async with web_client(rt) as client:
            b = Browser(client)
            await b.get("/v/opt-poll?lang=cy")
            page = await b.submit("/v/opt-poll/start", {})
            skip = catalog.plain("cy", "button_skip")
            assert skip in page.plain
            assert catalog.plain("cy", "answer_hint_text_optional") in page.plain
            await b.submit("/v/opt-poll/q/0", {"answer": "scouts"})
            page = await b.submit("/v/opt-poll/q/1", {"answer": "buses"})
            assert page.url == "/v/opt-poll/check" and "Scouts" in page.plain
            page = await b.get("/v/opt-poll/q/0")
            assert 'value="scouts" checked' in page.text
            page = await b.submit("/v/opt-poll/q/0", {"answer": "scouts", "skip": "1"})
            assert page.url == "/v/opt-poll/check" and "Scouts" not in page.plain
            page = await b.get("/v/opt-poll/q/1")
            assert skip not in page.plain
            page = await b.get("/v/opt-poll/check")
            await b.submit("/v/opt-poll/send", {})
        answers = await rows(rt, "answers", "question", "option")
        assert ("top", "buses") in answers and not [a for a in answers if a[0] == "club"]
    finally:
        await rt.close()


async def test_a_contact_detail_on_several_lines_is_checked_on_several_lines(
    tmp_path: Path, database_url: str | None
) -> None:
    """On "This is what the adult will see", a detail typed on two lines is shown on two, as the
    safeguarding chat will show it, not folded into one by HTML."""
    settings = make_settings(tmp_path, database_url, safeguarding_chat=-100126)
    rt = await open_with_polls(settings, OPEN_POLL)
    try:
        async with web_client(rt) as client:
            b = Browser(client)
            page = await _to_contact_check(b, "07700 900458\r\nafter 4pm")
            assert "07700 900458<br>after 4pm" in page.text
    finally:
        await rt.close()


ENGLISH_ONLY = """\
code: en-only
title: Lantern Street survey
intro: Tell us about the Lantern Street youth hub.
outcome: The hub committee reads every answer in March.
organiser: Lantern Street Youth Hub
web: open
questions:
  - id: visits
    kind: choice
    text: How often do you visit the hub?
    help: Count the last school term.
    options:
      - {id: weekly, label: Every single week, description: Most weeks of the term}
      - {id: rarely, label: Hardly ever at all}
  - id: likes
    kind: multi
    max: 2
    text: Which rooms do you use most?
    options: [The music studio, The quiet library, The sports hall]
  - id: order
    kind: rank
    max: 2
    text: Put the new activities in order
    options: [Cookery evenings, Coding club nights, Climbing trips away]
  - id: ideas
    kind: text
    text: What would make the hub better?
    optional: true
"""


ENGLISH_WORDS = [
    "Lantern Street survey",
    "Tell us about the Lantern Street youth hub.",
    "The hub committee reads every answer in March.",
    "Lantern Street Youth Hub",
    "How often do you visit the hub?",
    "Count the last school term.",
    "Every single week",
    "Most weeks of the term",
    "Hardly ever at all",
    "Which rooms do you use most?",
    "The music studio",
    "The quiet library",
    "The sports hall",
    "Put the new activities in order",
    "Cookery evenings",
    "Coding club nights",
    "Climbing trips away",
    "What would make the hub better?",
]


async def test_a_welsh_ballot_of_an_english_poll_marks_every_poll_text_english(
    tmp_path: Path, database_url: str | None
) -> None:
    """WCAG 3.1.2: on the Welsh pages of a poll written only in English, the poll's English
    (title, intro, questions, help, options, descriptions, the check page's rows and its
    hidden "Change" words, the confirmation) is inside an element with lang="en"; the
    pages' own words stay Welsh."""
    rt = await open_with_polls(make_settings(tmp_path, database_url), ENGLISH_ONLY)
    try:
        async with web_client(rt) as client:
            b = Browser(client)
            pages = {"start": await b.get("/v/en-only?lang=cy")}
            assert '<html lang="cy">' in pages["start"].text
            pages["choice"] = await b.submit("/v/en-only/start", {})
            pages["multi"] = await b.submit("/v/en-only/q/0", {"answer": "weekly"})
            pages["too many"] = await b.submit(
                "/v/en-only/q/1",
                [
                    ("answer", "the-music-studio"),
                    ("answer", "the-sports-hall"),
                    ("answer", "the-quiet-library"),
                ],
            )
            pages["rank"] = await b.submit(
                "/v/en-only/q/1", [("answer", "the-music-studio"), ("answer", "the-sports-hall")]
            )
            pages["rank mistake"] = await b.submit(
                "/v/en-only/q/2", {"rank1": "cookery-evenings", "rank2": "cookery-evenings"}
            )
            pages["text"] = await b.submit(
                "/v/en-only/q/2", {"rank1": "climbing-trips-away", "rank2": "cookery-evenings"}
            )
            pages["check"] = await b.submit("/v/en-only/q/3", {"answer": "Mwy o gerddoriaeth"})
            pages["thank you"] = await b.submit("/v/en-only/send", {})
            urls = {where: (page.url, page.status) for where, page in pages.items()}
            assert urls == {
                "start": ("/v/en-only", 200),
                "choice": ("/v/en-only/q/0", 200),
                "multi": ("/v/en-only/q/1", 200),
                "too many": ("/v/en-only/q/1", 400),
                "rank": ("/v/en-only/q/2", 200),
                "rank mistake": ("/v/en-only/q/2", 400),
                "text": ("/v/en-only/q/3", 200),
                "check": ("/v/en-only/check", 200),
                "thank you": ("/v/en-only/done", 200),
            }
            for where, page in pages.items():
                assert '<html lang="cy">' in page.text, where
                assert assert_poll_words_marked(page.text, ENGLISH_WORDS, "en", where), where
            assert ("Cyn i ti ddechrau", "cy") in marked(pages["start"].text)  # notice: Welsh
            check = marked(pages["check"].text)
            for question in ("How often do you visit the hub?", "What would make the hub better?"):
                assert sum(question in text for text, _ in check) == 2  # the row, and Change
            assert ("Mwy o gerddoriaeth", "cy") in check  # their own words, in Welsh
    finally:
        await rt.close()


WELSH_BUT_ONE = """\
code: cy-most
title: {en: Hub survey, cy: Arolwg yr hyb}
web: open
questions:
  - id: visits
    kind: choice
    text: {en: "How often do you come?", cy: "Pa mor aml wyt ti'n dod?"}
    options:
      - {id: weekly, label: {en: Weekly, cy: Bob wythnos}, description: {en: Most weeks of term}}
      - {id: rarely, label: {en: Rarely, cy: Anaml}}
"""


async def test_a_text_without_welsh_in_a_welsh_poll_is_marked_english(
    tmp_path: Path, database_url: str | None
) -> None:
    """A poll in Welsh but for one option's description: the Welsh page shows the poll in
    Welsh, and that description in English, marked lang="en" (it was marked "cy"); the English
    page marks nothing."""
    rt = await open_with_polls(make_settings(tmp_path, database_url), WELSH_BUT_ONE)
    try:
        async with web_client(rt) as client:
            b = Browser(client)
            await b.get("/v/cy-most?lang=cy")
            page = await b.submit("/v/cy-most/start", {})
            texts = marked(page.text)
            assert ("Most weeks of term", "en") in texts
            assert ("Bob wythnos", "cy") in texts and ("Pa mor aml wyt ti'n dod?", "cy") in texts
            page = await b.get("/v/cy-most/q/0?lang=en")
            texts = marked(page.text)
            assert ("Most weeks of term", "en") in texts and ("Weekly", "en") in texts
            switch = ("Cymraeg", "Newid yr iaith i'r Gymraeg:")
            assert {lang for text, lang in texts if text not in switch} == {"en"}, texts
    finally:
        await rt.close()


async def test_signposting_on_a_welsh_page_of_an_english_poll_is_in_welsh(
    tmp_path: Path, database_url: str | None
) -> None:
    """The notes after a typed answer (signposting, "personal details taken out", the contact
    offer) are the service's own words: on a Welsh page they are Welsh, even for a poll
    written only in English (they came in English, unmarked, inside the Welsh page)."""
    settings = make_settings(tmp_path, database_url, safeguarding_chat=-100777)
    rt = await open_with_polls(settings, OPEN_POLL)
    try:
        async with web_client(rt) as client:
            b = Browser(client)
            await _answer(b, ["16-18", "south", "jobs"], lang="cy")
            page = await b.submit(
                "/v/web-poll/q/3", {"answer": "call me on 07700 900123, i want to kill myself"}
            )
            assert page.url == "/v/web-poll/check" and '<html lang="cy">' in page.text
            texts = marked(page.text)
            assert any("Does dim rhaid i ti ddelio" in t and lang == "cy" for t, lang in texts)
            assert any("tynnu rhai manylion personol" in t for t, _ in texts)
            assert any("Hoffwn i oedolyn gysylltu" in t for t, _ in texts)
            assert "It sounds like" not in page.plain and "personal details" not in page.plain
    finally:
        await rt.close()


# Telegram's words for pressing a button: "tap", "tapped"; "tapia", "tapio", "thapio".
_TAPS = re.compile(r"\b(?:t|th)ap", re.IGNORECASE)


async def test_the_contact_pages_say_what_a_web_page_does_not_tap(
    tmp_path: Path, database_url: str | None
) -> None:
    """The web's contact-request pages (an empty form, nothing waiting to be sent) say press
    and use the link, in English and Welsh, as the rest of the web ballot does; Telegram's
    texts keep their taps."""
    settings = make_settings(tmp_path, database_url, safeguarding_chat=-100126)
    rt = await open_with_polls(settings, OPEN_POLL)
    catalog = rt.services.catalog
    try:
        async with web_client(rt) as client:
            b = Browser(client)
            await _answer(b, ["16-18", "south", "jobs", "i want to kill myself"])
            for lang in ("en", "cy"):
                await b.get(f"/v/web-poll/help?lang={lang}")
                empty = await b.submit("/v/web-poll/help", {"detail": " "})
                assert empty.status == 400 and f'<html lang="{lang}">' in empty.text
                said = catalog.plain(lang, "web_contact_empty")
                assert said in empty.plain and not _TAPS.search(empty.plain), empty.plain
                form = empty.hidden()
                await b.submit("/v/web-poll/help/withdraw", {})
                gone = await b.post("/v/web-poll/help/send", {**form, "version": "abc123"})
                said = catalog.plain(lang, "web_contact_nothing_waiting")
                assert said in gone.plain and not _TAPS.search(gone.plain), gone.plain
    finally:
        await rt.close()
    for lang in ("en", "cy"):  # Telegram's own stay as they were
        assert _TAPS.search(catalog.plain(lang, "contact_empty"))
        assert _TAPS.search(catalog.plain(lang, "contact_nothing_waiting"))


async def test_the_language_switch_after_a_contact_request_keeps_the_page(
    tmp_path: Path, database_url: str | None
) -> None:
    """ "Nothing was sent" (and "passed on", and "nothing waiting") switched to the other
    language is the same page in that language, not the contact form asking again; an address
    naming such a page for someone whose request is still waiting, or who sent nothing,
    shows the form, never a page that says what did not happen."""
    settings = make_settings(tmp_path, database_url, safeguarding_chat=-100127)
    rt = await open_with_polls(settings, OPEN_POLL)
    catalog = rt.services.catalog
    form_title = catalog.plain("cy", "web_contact_label")

    async def switched(page: Page, title_key: str, body_key: str, to: str = "cy") -> Page:
        found = re.search(r'<a class="language" href="([^"]+)"', page.text)
        assert found is not None
        again = await b.get(html.unescape(found.group(1)))
        assert again.status == 200 and f'<html lang="{to}">' in again.text, again.plain
        assert catalog.plain(to, title_key) in again.plain
        assert re.sub(r"<[^>]+>", "", catalog.plain(to, body_key).split("\n")[0]) in again.plain
        assert "<textarea" not in again.text, again.plain
        return again

    try:
        async with web_client(rt) as client:
            b = Browser(client)
            form = (await _to_contact_check(b, "07700 900458")).hidden()
            page = await b.submit("/v/web-poll/help/withdraw", {})
            assert catalog.plain("en", "web_title_contact_not_sent") in page.plain
            page = await switched(page, "web_title_contact_not_sent", "contact_not_sent")
            assert "said=not-sent" in page.text  # and back again from there

            page = await b.post("/v/web-poll/help", {**form, "detail": "x"})  # not asked again
            assert '<html lang="cy">' in page.text  # the language chosen is kept
            await switched(page, "web_contact_title", "web_contact_nothing_waiting", "en")

            await b.get("/v/web-poll/help?lang=en")
            page = await b.submit("/v/web-poll/help", {"detail": "07700 900459"})
            page = await b.submit("/v/web-poll/help/send", {})
            await switched(page, "web_title_contact_sent", "contact_sent")

            client.session.cookie_jar.clear()  # someone else, who sent nothing: a link
            other = Browser(client)  # naming "passed on" asks them instead
            await _answer(other, ["16-18", "south", "jobs", "i want to kill myself"])
            page = await other.get("/v/web-poll/help?said=sent&lang=cy")
            assert form_title in page.plain and "<textarea" in page.text
            page = await other.get("/v/web-poll/help?said=not-sent&lang=cy")  # still waiting
            assert form_title in page.plain and "<textarea" in page.text
    finally:
        await rt.close()
