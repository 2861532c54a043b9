"""The results site live from the web server: staff sign in with a single-use link from
/dashboard and see every poll, open ones too, with /results' stepped figures; the public sees a
poll only once it is closed and published, as the same pages as ``markbot site``, and an
unpublished poll is a 404 like one that does not exist. On SQLite and on PostgreSQL
(conftest's ``database_url``), but for the real browser's pages (SQLite: they are the same
pages, and a browser run costs seconds)."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer
from conftest import Harness, make_settings, start_markbot

from bot.app import Runtime, open_runtime
from bot.cli import main
from bot.settings import Settings
from handlers.web.server import build_web_app
from handlers.web.session import STAFF_COOKIE, Sessions
from services.dashboard import DashboardService
from services.identity import Hasher
from services.paper import PollPublished
from services.site import SiteService
from standin import BotApiStandin
from tests.browser import serve_markbot
from tests.langs import assert_poll_words_marked
from tests.stored import cast
from tests.test_site import (
    CODE,
    EMPTY,
    MIN_CELL,
    PLAN,
    POLL,
    _english_only,
    _english_words,
    cast_plan,
    small_counts,
)
from tests.webclient import Browser

if TYPE_CHECKING:
    from selenium.webdriver.remote.webdriver import WebDriver

OWNER = 9001
NOW = 1_795_000_000  # 2026-11-18, while the poll is open
SHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots" / "site-live"
PAGE = f"/results/en/{CODE}/index.html"
# the site tests' poll, still open now (it closes years ahead, not last November)
LIVE_POLL = POLL.replace("closes: 2026-11-27T17:00:00Z", "closes: 2036-11-27T17:00:00Z")
assert LIVE_POLL != POLL


async def _seed(rt: Runtime) -> None:
    """The site tests' poll (open, 48 ballots) and an empty draft poll."""
    await rt.services.polls.create(rt.services.polls.parse(EMPTY, "empty.yaml"))
    poll = rt.services.polls.parse(LIVE_POLL, "youth.yaml")
    await rt.services.polls.create(poll, status="open")
    n = 0
    for area, priority, (first, second), channel, count in PLAN:
        for _ in range(count):
            n += 1
            await _ballot(rt, n, area, priority, first, second, channel)


async def _ballot(
    rt: Runtime,
    n: int,
    area: str = "north",
    priority: str = "climate",
    first: str = "parks",
    second: str = "buses",
    channel: str = "telegram",
) -> None:
    row = await rt.store.get_poll(CODE)
    assert row is not None
    poll = rt.services.polls.parse(LIVE_POLL, "youth.yaml")
    choices = (("area", area, None), ("priority", priority, None))
    choices += (("order", first, 1), ("order", second, 2))
    await cast(rt.store, poll, row.id, choices, count=1, first=n, now=NOW, channel=channel)


def _settings(tmp: Path, database_url: str | None, **kw: Any) -> Settings:
    return make_settings(tmp, database_url, admins=(OWNER,), min_cell=MIN_CELL, **kw)


@pytest.fixture
async def rt(tmp_path: Path, database_url: str | None) -> AsyncIterator[Runtime]:
    runtime = await open_runtime(_settings(tmp_path, database_url))
    await _seed(runtime)
    try:
        yield runtime
    finally:
        await runtime.close()


@pytest.fixture
async def client(rt: Runtime) -> AsyncIterator[TestClient]:
    app = build_web_app(rt.services, rt.key, public_url=None)
    async with TestClient(TestServer(app)) as c:
        yield c


@pytest.fixture
async def another(client: TestClient) -> AsyncIterator[Browser]:
    """A second browser with cookies of its own (Browser(client) shares the client's jar)."""
    session = aiohttp.ClientSession(
        base_url=str(client.make_url("/")), cookie_jar=aiohttp.CookieJar(unsafe=True)
    )
    try:
        yield Browser(session)  # type: ignore[arg-type]
    finally:
        await session.close()


def _set_cookie(headers: Any, name: str) -> str:
    return next(v for v in headers.getall("Set-Cookie") if v.startswith(f"{name}="))


async def _sign_in(rt: Runtime, client: TestClient, user_id: int = OWNER) -> Browser:
    """A browser signed in through a sign-in link, as staff do after /dashboard."""
    token = await rt.services.dashboard.login_token(user_id)
    browser = Browser(client)
    await browser.get(f"/dashboard/login/{token}")
    await browser.submit(f"/dashboard/login/{token}", {})
    assert browser.page is not None and browser.page.url == "/dashboard", browser.page
    return browser


async def _close(rt: Runtime) -> None:
    await rt.services.polls.set_status(CODE, "closed")


# --- signing in ----------------------------------------------------------------------------


async def test_a_sign_in_link_works_once(rt: Runtime, client: TestClient, another: Browser) -> None:
    token = await rt.services.dashboard.login_token(OWNER)
    browser = Browser(client)
    # a link previewer or scanner fetching the link uses nothing up
    for _ in range(2):
        shown = await browser.get(f"/dashboard/login/{token}")
        assert shown.status == 200 and "Sign in" in shown.plain
        assert shown.headers["Cache-Control"] == "no-store"
        assert "noindex" in shown.headers["X-Robots-Tag"]
    async with client.post(
        f"/dashboard/login/{token}", data=browser.page.hidden(), allow_redirects=False
    ) as resp:
        assert resp.status == 303 and resp.headers["Location"] == "/dashboard"
        cookie = _set_cookie(resp.headers, STAFF_COOKIE)
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "httponly" in flags and "samesite=strict" in flags and "path=/dashboard" in flags
    assert "max-age=28800" in flags  # 8 hours
    assert "secure" not in flags  # plain http here; see the https test
    dashboard = await browser.get("/dashboard")
    assert dashboard.status == 200 and "Results dashboard" in dashboard.plain
    assert CODE in dashboard.plain and "open" in dashboard.plain
    # the same link again, from this browser or another: refused kindly, nothing else changes
    for other in (browser, another):
        await other.get(f"/dashboard/login/{token}")
        again = await other.submit(f"/dashboard/login/{token}", {})
        assert again.status == 410
        assert "already been used, or more than 15 minutes" in again.plain
        assert "send /dashboard to the bot" in again.plain
    assert (await browser.get("/dashboard")).status == 200  # still signed in
    assert (await another.get("/dashboard")).status == 403  # the other one is not


async def test_a_sign_in_link_expires_after_15_minutes(rt: Runtime, client: TestClient) -> None:
    services = rt.services
    late = DashboardService(
        rt.store,
        Hasher(rt.key),
        services.staff,
        services.polls,
        services.reports,
        SiteService(services.reports, services.polls, services.catalog),
        min_cell=MIN_CELL,
        clock=lambda: time.time() - 15 * 60 - 1,  # made just over 15 minutes ago
    )
    token = await late.login_token(OWNER)
    browser = Browser(client)
    await browser.get(f"/dashboard/login/{token}")
    refused = await browser.submit(f"/dashboard/login/{token}", {})
    assert refused.status == 410 and STAFF_COOKIE not in client.session.cookie_jar.filter_cookies(
        client.make_url("/dashboard")
    )
    fresh = await services.dashboard.login_token(OWNER)
    await browser.get(f"/dashboard/login/{fresh}")
    assert (await browser.submit(f"/dashboard/login/{fresh}", {})).url == "/dashboard"


async def test_the_sign_in_needs_the_form_token(rt: Runtime, client: TestClient) -> None:
    """A cross-site POST (no session cookie, no CSRF token) can't redeem a link, and leaves it
    usable."""
    token = await rt.services.dashboard.login_token(OWNER)
    forged = await Browser(client).post(f"/dashboard/login/{token}", {"csrf": "x" * 32})
    assert forged.status == 400
    browser = Browser(client)
    await browser.get(f"/dashboard/login/{token}")  # a session cookie, but a forged token
    assert (await browser.post(f"/dashboard/login/{token}", {"csrf": "x" * 32})).status == 400
    await browser.get(f"/dashboard/login/{token}")
    assert (await browser.submit(f"/dashboard/login/{token}", {})).url == "/dashboard"


async def test_the_staff_cookie_is_secure_over_https(rt: Runtime) -> None:
    app = build_web_app(rt.services, rt.key, public_url="https://votes.example.gov.uk")
    async with TestClient(TestServer(app)) as client:
        token = await rt.services.dashboard.login_token(OWNER)
        browser = Browser(client)
        await browser.get(f"/dashboard/login/{token}")
        # the session cookie is Secure too, so this http client would not send it: by hand
        session = _set_cookie(browser.page.headers, "mb").split(";")[0]  # type: ignore[union-attr]
        async with client.post(
            f"/dashboard/login/{token}",
            data=browser.page.hidden(),  # type: ignore[union-attr]
            headers={"Cookie": session},
            allow_redirects=False,
        ) as resp:
            assert resp.status == 303
            cookie = _set_cookie(resp.headers, STAFF_COOKIE)
    flags = [part.strip().lower() for part in cookie.split(";")]
    assert "secure" in flags and "httponly" in flags and "samesite=strict" in flags


async def test_no_staff_page_without_a_genuine_session(rt: Runtime, client: TestClient) -> None:
    pages = ("/dashboard", f"/dashboard/en/{CODE}/index.html", f"/dashboard/downloads/{CODE}.csv")
    for path in pages:
        page = await Browser(client).get(path)
        assert page.status == 403 and "send /dashboard to the bot" in page.plain, path
        assert page.headers["Cache-Control"] == "no-store"
    owner = Hasher(rt.key).staff(OWNER)
    now = int(time.time())

    def cookie_for(person: bytes, when: int, key: bytes = rt.key) -> str:
        from aiohttp import web

        response = web.Response()
        Sessions(key, secure=False, trust_proxy=False).set_staff(response, person, when, 3600)
        return response.cookies[STAFF_COOKIE].value

    good = cookie_for(owner, now)
    cases = {
        "expired": cookie_for(owner, now - 3601),
        "another key": cookie_for(owner, now, b"x" * 32),
        "a stranger": cookie_for(Hasher(rt.key).staff(1234), now),
        "edited": good.replace(good.split(".")[1], str(now + 10**6)),
    }
    for name, value in cases.items():
        async with client.get("/dashboard", headers={"Cookie": f"{STAFF_COOKIE}={value}"}) as r:
            assert r.status == 403, name
    async with client.get("/dashboard", headers={"Cookie": f"{STAFF_COOKIE}={good}"}) as r:
        assert r.status == 200


async def test_a_removed_worker_is_signed_out_at_the_next_page(
    rt: Runtime, client: TestClient
) -> None:
    staff, worker = rt.services.staff, 4242
    token = await staff.invite()
    assert await staff.begin_join(worker, token)
    assert await staff.finish_join(worker, "Sam") == "ok"
    browser = await _sign_in(rt, client, worker)
    assert (await browser.get("/dashboard")).status == 200
    (listed,) = await staff.workers()
    assert await staff.remove(listed.ref) == "Sam"
    assert (await browser.get("/dashboard")).status == 403
    # and a link made for someone who is not staff signs nobody in
    stranger = await rt.services.dashboard.login_token(1234)
    other = Browser(client)
    await other.get(f"/dashboard/login/{stranger}")
    assert (await other.submit(f"/dashboard/login/{stranger}", {})).status == 410


async def test_signing_out(rt: Runtime, client: TestClient) -> None:
    browser = await _sign_in(rt, client)
    out = await browser.submit("/dashboard/logout", {})
    assert out.status == 200 and "signed out" in out.plain
    assert (await browser.get("/dashboard")).status == 403


# --- what staff see ------------------------------------------------------------------------


async def test_staff_see_an_open_poll_in_the_steps_of_results(
    rt: Runtime, client: TestClient
) -> None:
    browser = await _sign_in(rt, client)
    page = await browser.get(f"/dashboard/en/{CODE}/index.html")
    assert page.status == 200 and page.headers["Cache-Control"] == "no-store"
    assert "noindex" in page.headers["X-Robots-Tag"]
    assert "Most people chose Mental health: 22 of 48 people (46%)." in page.plain
    # one more ballot: the figures stay as they were, as /results shows them
    await _ballot(rt, 1001, priority="mental-health")
    held = await browser.get(f"/dashboard/en/{CODE}/index.html")
    assert held.text == page.text
    summary, _ = await rt.services.reports.summary(CODE, MIN_CELL, "en")
    assert "48" in summary and "49" not in summary
    # once the threshold's worth of ballots are in, both move together
    for n in range(1002, 1006):
        await _ballot(rt, n, priority="mental-health")
    moved = await browser.get(f"/dashboard/en/{CODE}/index.html")
    assert "Most people chose Mental health: 27 of 53 people (51%)." in moved.plain
    summary, _ = await rt.services.reports.summary(CODE, MIN_CELL, "en")
    assert "53" in summary
    welsh = await browser.get(f"/dashboard/cy/{CODE}/index.html")
    assert "Dewisodd y nifer fwyaf o bobl Iechyd meddwl: 27 o 53 o bobl (51%)." in welsh.plain
    # the site's own links lead back to the dashboard, and the stylesheet is there
    assert (await browser.get("/dashboard/cy/index.html")).url == "/dashboard"
    css = await browser.get("/dashboard/site.css")
    assert css.status == 200 and ".chart" in css.text
    download = await browser.get(f"/dashboard/downloads/{CODE}.csv")
    assert download.status == 200 and "Mental health" in download.text
    welsh_csv = await browser.get(f"/dashboard/downloads/cy/{CODE}.csv")  # the Welsh pages'
    assert welsh_csv.status == 200 and welsh_csv.text.startswith("pleidlais,cwestiwn,ateb")
    assert "Iechyd meddwl" in welsh_csv.text and "Mental health" not in welsh_csv.text
    assert (await browser.get(f"/dashboard/downloads/fr/{CODE}.csv")).status == 404
    assert (await browser.get(f"/dashboard/en/{CODE}/nope.html")).status == 404
    assert (await browser.get("/dashboard/en/nope/index.html")).status == 404


# --- what the public sees ------------------------------------------------------------------


async def test_the_public_sees_a_poll_only_once_closed_and_published(
    rt: Runtime, client: TestClient
) -> None:
    dashboard = rt.services.dashboard
    assert (await Browser(client).get(PAGE)).status == 404
    assert await dashboard.publish(CODE) == ("not_closed", "open")
    assert (await Browser(client).get(PAGE)).status == 404
    await _close(rt)
    assert (await Browser(client).get(PAGE)).status == 404  # closed, not yet published
    outcome, day = await dashboard.publish(CODE)
    assert outcome == "published" and re.fullmatch(r"\d{4}-\d\d-\d\d", day)
    assert await dashboard.publish(CODE) == ("already", day)
    for lang in ("en", "cy"):
        page = await Browser(client).get(f"/results/{lang}/{CODE}/index.html")
        assert page.status == 200
        assert page.headers["Cache-Control"] == "public, max-age=60"
        assert "X-Robots-Tag" not in page.headers
    root = await Browser(client).get("/results/")
    assert root.status == 200 and CODE in root.text and "empty-2026" not in root.text
    csv = await Browser(client).get(f"/results/downloads/{CODE}.csv")
    assert csv.status == 200 and "Mental health" in csv.text
    welsh = await Browser(client).get(f"/results/downloads/cy/{CODE}.csv")
    assert welsh.status == 200 and "Iechyd meddwl" in welsh.text
    assert (await Browser(client).get(f"/results/downloads/de/{CODE}.csv")).status == 404
    # published figures never move: no paper ballots while public (found by review) ...
    with pytest.raises(PollPublished):
        await rt.services.paper.add(CODE, b"x", "late.csv")
    # ... and reopening (owners only) takes the pages down for good: closing again does not
    # bring them back with new figures; publishing again does, knowingly
    await rt.services.polls.set_status(CODE, "open")
    assert (await Browser(client).get(PAGE)).status == 404
    await _close(rt)
    assert (await Browser(client).get(PAGE)).status == 404
    assert await dashboard.unpublish(CODE) == "not_published"
    assert (await dashboard.publish(CODE))[0] == "published"
    assert (await Browser(client).get(PAGE)).status == 200
    assert await dashboard.unpublish(CODE) == "unpublished"
    assert await dashboard.unpublish(CODE) == "not_published"
    assert (await Browser(client).get(PAGE)).status == 404
    assert (await Browser(client).get(f"/results/downloads/{CODE}.csv")).status == 404
    assert await dashboard.publish("nope") == ("unknown", "")
    # taken down and given one more ballot, it never goes public again: whoever kept the first
    # pages would subtract them from the second and see how that one ballot voted
    await rt.services.polls.set_status(CODE, "open")
    await _ballot(rt, 999)
    await _close(rt)
    assert await dashboard.publish(CODE) == ("changed", "48")
    assert (await Browser(client).get(PAGE)).status == 404
    assert (await Browser(client).get(f"/results/downloads/{CODE}.csv")).status == 404


async def test_an_unpublished_poll_is_the_same_404_as_none(rt: Runtime, client: TestClient) -> None:
    await rt.services.polls.set_status("empty-2026", "closed")
    await rt.services.dashboard.publish("empty-2026")  # so the site exists at all
    browser = Browser(client)
    await browser.get("/")  # one session cookie for every request below
    for kind in ("index.html", "by-area.html", "methodology.html"):
        unpublished = await browser.get(f"/results/en/{CODE}/{kind}")
        unknown = await browser.get(f"/results/en/no-such-poll/{kind}")
        assert unpublished.status == unknown.status == 404
        # the same page, but for the address itself (in its language switch)
        assert unpublished.text.replace(CODE, "?") == unknown.text.replace("no-such-poll", "?")
        assert "Page not found" in unknown.plain
    unpublished = await browser.get(f"/results/downloads/{CODE}.csv")
    unknown = await browser.get("/results/downloads/no-such-poll.csv")
    assert unpublished.status == unknown.status == 404
    assert unpublished.text.replace(CODE, "?") == unknown.text.replace("no-such-poll", "?")
    assert (await browser.get("/results/en/empty-2026/index.html")).status == 200


async def test_a_404_under_a_language_folder_is_in_that_language(
    rt: Runtime, client: TestClient
) -> None:
    """The results site's and dashboard's addresses name their language (/results/cy/...): a
    page missing there says so in that language, whatever the cookie last chose; elsewhere
    the cookie's language stands."""
    await rt.services.polls.set_status("empty-2026", "closed")
    await rt.services.dashboard.publish("empty-2026")
    browser = Browser(client)
    await browser.get("/privacy?lang=en")  # the cookie says English
    welsh = await browser.get("/results/cy/no-such-poll/index.html")
    assert welsh.status == 404 and '<html lang="cy">' in welsh.text
    assert "Heb ddod o hyd i'r dudalen" in welsh.plain
    await browser.get("/privacy?lang=cy")  # the cookie says Welsh
    english = await browser.get("/results/en/no-such-poll/index.html")
    assert english.status == 404 and "Page not found" in english.plain
    elsewhere = await browser.get("/results/no-such-folder/x.html")
    assert elsewhere.status == 404 and '<html lang="cy">' in elsewhere.text


async def test_a_results_folder_s_address_leads_to_its_index_page(
    rt: Runtime, client: TestClient
) -> None:
    """A published poll's folder typed without index.html (/results/en/CODE/, as a council's
    own web server would serve the static site's folder) was "Page not found"; it leads to the
    folder's index page, whose relative links then work. An unpublished poll's folder is the
    same 404 as one that does not exist."""
    browser = Browser(client)
    await browser.get("/")  # one session cookie for every request below
    for address in (f"/results/en/{CODE}/", f"/results/en/{CODE}"):
        unpublished = await browser.get(address)
        unknown = await browser.get(address.replace(CODE, "no-such-poll"))
        assert unpublished.status == unknown.status == 404
        assert unpublished.text.replace(CODE, "?") == unknown.text.replace("no-such-poll", "?")
    await _close(rt)
    await rt.services.dashboard.publish(CODE)
    for lang in ("en", "cy"):
        for address in (f"/results/{lang}/{CODE}/", f"/results/{lang}/{CODE}", f"/results/{lang}/"):
            page = await browser.get(address)
            assert page.status == 200, address
            assert page.url == address.rstrip("/") + "/index.html", (address, page.url)
            assert f'<html lang="{lang}"' in page.text
    assert (await browser.get("/results/en/no-such-poll/")).status == 404


async def test_published_pages_are_the_static_sites_files(
    rt: Runtime, client: TestClient, tmp_path: Path
) -> None:
    """Byte for byte: the same code, the same suppressed figures, the same relative links."""
    await _close(rt)
    await rt.services.dashboard.publish(CODE)
    out = tmp_path / "static"
    services = rt.services
    site = SiteService(services.reports, services.polls, services.catalog)
    await site.build([CODE], out, MIN_CELL)
    files = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert len(files) >= 20
    browser = Browser(client)
    for name in files:
        async with client.get(f"/results/{name}") as resp:
            assert resp.status == 200, name
            body = await resp.read()
        if name.startswith("downloads/") and not name.endswith((".csv", ".json")):
            continue  # a workbook or picture records when it was made
        assert body == (out / name).read_bytes(), name
    assert (await browser.get("/results/en/index.html")).status == 200


async def _mirror(client: TestClient, prefix: str, names: list[str], into: Path) -> Path:
    for name in names:
        async with client.get(f"{prefix}{name}") as resp:
            assert resp.status == 200, name
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(await resp.read())
    return into


async def test_no_small_count_in_any_live_byte(
    rt: Runtime, client: TestClient, tmp_path: Path
) -> None:
    """The site tests' byte scan over what the server sends: staff pages of the open poll,
    then the public pages once it is closed and published (downloads included)."""
    browser = await _sign_in(rt, client)
    files = await rt.services.dashboard.staff_pages(CODE)
    assert files is not None
    pages = [n for n in files if n.startswith(("en/", "cy/")) and f"/{CODE}/" in n]
    for name in pages:
        page = await browser.get(f"/dashboard/{name}")
        target = tmp_path / "staff" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(page.text, encoding="utf-8")
    for fmt in ("csv", "json", "xlsx"):
        for lang in ("", "cy/"):
            async with browser.client.get(f"/dashboard/downloads/{lang}{CODE}.{fmt}") as resp:
                assert resp.status == 200
                name = f"{lang.replace('/', '-')}{CODE}.{fmt}"
                (tmp_path / "staff" / name).write_bytes(await resp.read())
    assert len(pages) >= 12
    assert small_counts(tmp_path / "staff") == []
    await _close(rt)
    await rt.services.dashboard.publish(CODE)
    public = await rt.services.dashboard.public_pages()
    names = sorted(public) + [
        f"downloads/{lang}{CODE}.{fmt}" for fmt in ("csv", "json", "xlsx") for lang in ("", "cy/")
    ]
    await _mirror(client, "/results/", names, tmp_path / "public")
    assert small_counts(tmp_path / "public") == []
    # the scan does see a small count in the same pages made without suppression
    unsafe = await rt.services.reports.results(CODE, 0)
    row, poll = await rt.services.polls.by_code(CODE)  # type: ignore[misc]
    site = SiteService(rt.services.reports, rt.services.polls, rt.services.catalog)
    for name, body in (await site.pages([(row, poll, unsafe)])).items():
        (tmp_path / "raw" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "raw" / name).write_bytes(body)
    assert any("by-area.html: '3 (14%)'" in f for f in small_counts(tmp_path / "raw"))


# --- Telegram and the command line ---------------------------------------------------------


@pytest.fixture
async def staffed(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None
) -> AsyncIterator[Harness]:
    settings = _settings(
        tmp_path,
        database_url,
        api_url=standin.base_url,
        public_url="https://votes.example.gov.uk",
    )
    harness = await start_markbot(standin, settings)
    try:
        yield harness
    finally:
        await harness.shutdown()


async def test_dashboard_and_publish_from_the_chat(staffed: Harness) -> None:
    rt = staffed.runtime
    await _seed(rt)
    stranger = staffed.user(1234)
    await stranger.send_command("frobnicate")
    unknown = (await stranger.next_output()).plain
    for command in ("dashboard", "publish", "unpublish"):
        await stranger.send_command(command, CODE)
        assert (await stranger.next_output()).plain == unknown, command
    assert await rt.store.published_polls() == {}

    owner = staffed.user(OWNER)
    await owner.send_command("dashboard")
    text = (await owner.next_output()).plain
    assert "works once, for the next 15 minutes" in text
    found = re.search(r"https://votes\.example\.gov\.uk(/dashboard/login/[\w-]+)", text)
    assert found, text
    path = found.group(1)  # the web server behind that address
    async with TestClient(TestServer(build_web_app(rt.services, rt.key, public_url=None))) as c:
        browser = Browser(c)
        await browser.get(path)
        assert (await browser.submit(path, {})).url == "/dashboard"
        assert CODE in browser.page.plain  # type: ignore[union-attr]
        other = Browser(c)
        await other.get(path)
        assert (await other.submit(path, {})).status == 410  # it worked once, above

    await owner.send_command("publish", CODE)
    refused = (await owner.next_output()).plain
    assert "is open" in refused and f"/close {CODE}" in refused
    await owner.send_command("close", CODE)
    await owner.next_output()
    await owner.send_command("publish", CODE)
    done = (await owner.next_output()).plain
    assert f"https://votes.example.gov.uk/results/en/{CODE}/index.html" in done
    assert CODE in await rt.store.published_polls()
    await owner.send_command("unpublish", CODE)
    assert "no longer on the public website" in (await owner.next_output()).plain
    assert await rt.store.published_polls() == {}


def test_publish_from_the_command_line(
    tmp_path: Path,
    database_url: str | None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings = _settings(tmp_path, database_url)

    async def seed() -> None:
        runtime = await open_runtime(settings)
        try:
            await _seed(runtime)
        finally:
            await runtime.close()

    asyncio.run(seed())
    for name in (
        "TOKEN",
        "API_URL",
        "ADMINS",
        "MIN_CELL",
        "PUBLIC_URL",
        "WEB_PORT",
        "DATABASE_URL",
    ):
        monkeypatch.delenv(f"MARKBOT_{name}", raising=False)
    monkeypatch.setenv("MARKBOT_DB", str(settings.db))
    monkeypatch.setenv("MARKBOT_KEY_FILE", str(settings.key_file))
    if database_url:
        monkeypatch.setenv("MARKBOT_DATABASE_URL", database_url)
    assert main(["poll", "publish", CODE]) == 1
    assert "is open: results are published only once a poll has closed" in capsys.readouterr().err
    assert main(["poll", "close", CODE]) == 0
    assert main(["poll", "publish", CODE]) == 0
    assert f"published poll {CODE}" in capsys.readouterr().out
    assert main(["poll", "publish", CODE]) == 0
    assert "has been published since" in capsys.readouterr().out
    assert main(["poll", "unpublish", CODE]) == 0
    assert "no longer on the public pages" in capsys.readouterr().out
    assert main(["poll", "unpublish", CODE]) == 0
    assert "was not published" in capsys.readouterr().out
    assert main(["poll", "publish", "nope"]) == 1


# --- in a real browser ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any, Runtime]]:
    """markbot's web server on its own loop and thread (selenium blocks the test's), with the
    poll open and a second one closed and published."""
    folder = tmp_path_factory.mktemp("live")

    async def seed(runtime: Runtime) -> None:
        await _seed(runtime)
        closed = LIVE_POLL.replace(f"code: {CODE}", "code: closed-2026")
        await runtime.services.polls.create(runtime.services.polls.parse(closed, "c.yaml"))
        await runtime.services.polls.set_status("closed-2026", "closed")
        assert (await runtime.services.dashboard.publish("closed-2026"))[0] == "published"

    with serve_markbot(_settings(folder, None), seed) as server:
        yield server.url, server.loop, server.runtime


def _arrive(page: Any, address: str) -> None:
    """Wait for the browser to show ``address``, fully loaded (up to 10 s)."""
    for _ in range(200):
        loaded = page.execute_script("return document.readyState") == "complete"
        if page.current_url == address and loaded:
            return
        time.sleep(0.05)
    raise AssertionError(f"expected {address}, at {page.current_url}")


def test_dashboard_and_public_pages_pass_axe_in_both_languages(
    page: WebDriver, live: tuple[str, Any, Runtime]
) -> None:
    from selenium.webdriver.common.by import By

    from tests.browser import (
        assert_no_axe_violations,
        assert_no_third_party_requests,
        screenshot,
    )

    url, loop, rt = live
    token = asyncio.run_coroutine_threadsafe(rt.services.dashboard.login_token(OWNER), loop)
    link = f"{url}/dashboard/login/{token.result(30)}"
    page.get(link)
    assert_no_axe_violations(page)
    page.find_element(By.CSS_SELECTOR, "form button").click()
    _arrive(page, f"{url}/dashboard")  # a click returns before the POST's redirect lands
    cookie = page.get_cookie(STAFF_COOKIE)
    assert cookie is not None and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    checked = [
        ("dashboard-en", f"{url}/dashboard?lang=en"),
        ("dashboard-cy", f"{url}/dashboard?lang=cy"),
        ("staff-overview-en", f"{url}/dashboard/en/{CODE}/index.html"),
        ("staff-by-area-cy", f"{url}/dashboard/cy/{CODE}/by-area.html"),
        ("public-overview-en", f"{url}/results/en/closed-2026/index.html"),
        ("public-overview-cy", f"{url}/results/cy/closed-2026/index.html"),
        ("public-index-cy", f"{url}/results/cy/index.html"),
        ("not-found", f"{url}/results/en/{CODE}/index.html"),
    ]
    for name, address in checked:
        assert_no_third_party_requests(page, address)
        assert_no_axe_violations(page)
        screenshot(page, SHOTS / f"{name}.png")
    page.get(f"{url}/dashboard?lang=cy")
    assert "Dangosfwrdd canlyniadau" in page.page_source
    assert "Blaenoriaethau&#39;r Cyngor Ieuenctid 2026" in page.page_source.replace("'", "&#39;")
    # the dashboard links to each poll's live pages, which link back
    page.find_element(By.CSS_SELECTOR, f'a[href="/dashboard/cy/{CODE}/index.html"]').click()
    _arrive(page, f"{url}/dashboard/cy/{CODE}/index.html")
    assert "Iechyd meddwl" in page.page_source


async def test_the_welsh_dashboard_marks_an_english_only_poll_s_words_english(
    tmp_path: Path, database_url: str | None
) -> None:
    """WCAG 3.1.2 on the dashboard: the same poll written only in English. On the Welsh list
    of polls and on each Welsh staff page of it, every text holding the poll's words is inside
    an element marked lang="en" (the page's own sentences around them stay Welsh)."""
    runtime = await open_runtime(_settings(tmp_path, database_url))
    try:
        english = _english_only(LIVE_POLL)
        poll = runtime.services.polls.parse(english, "youth.yaml")
        await runtime.services.polls.create(poll, status="open")
        row = await runtime.store.get_poll(CODE)
        assert row is not None
        await cast_plan(runtime.store, poll, row.id)
        app = build_web_app(runtime.services, runtime.key, public_url=None)
        async with TestClient(TestServer(app)) as client:
            browser = await _sign_in(runtime, client)
            words = _english_words(LIVE_POLL)
            listing = await browser.get("/dashboard?lang=cy")
            assert '<html lang="cy">' in listing.text
            assert assert_poll_words_marked(listing.text, words, "en", "dashboard")
            found = 0
            for name in ("index", "question-priority", "question-order", "by-area", "turnout"):
                page = await browser.get(f"/dashboard/cy/{CODE}/{name}.html")
                assert page.status == 200, name
                found += assert_poll_words_marked(page.text, words, "en", name)
            assert found > 20
    finally:
        await runtime.close()
