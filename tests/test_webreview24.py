"""The web ballot and the results site seen from outside (review webreview24): each test is a
defect found by driving the real pages as a browser would (every test on SQLite and on
PostgreSQL: conftest's ``database_url``)."""

from __future__ import annotations

import html
import re
from pathlib import Path

from bot.app import Runtime
from tests.conftest import make_settings
from tests.stored import rows
from tests.test_web_ballot import (  # noqa: F401  (runtime: the three polls' fixture)
    OPEN_POLL,
    _answer,
    _to_contact_check,
    open_with_polls,
    runtime,
)
from tests.webclient import Browser, Page, web_client


async def test_send_from_a_check_page_another_tab_has_changed_counts_nothing(
    runtime: Runtime,  # noqa: F811
) -> None:
    """Two tabs of one browser: the first shows Check your answers (13-15); in the second the
    first answer is changed to 16-18. Send in the first tab counted 16-18, an answer that tab
    never showed for checking. Send from a check page whose answers have changed since leads
    back to Check your answers, as it now stands, and counts nothing until sent from there."""
    async with web_client(runtime) as client:
        first = Browser(client)
        checked = await _answer(first, ["13-15", "north", "jobs", ""])
        assert checked.url == "/v/web-poll/check" and "13-15" in checked.plain
        form = checked.hidden()
        second = Browser(client)  # the same cookie jar: another tab
        await second.get("/v/web-poll/q/0")
        page = await second.submit("/v/web-poll/q/0", {"answer": "16-18"})
        assert page.url == "/v/web-poll/check" and "16-18" in page.plain
        page = await first.post("/v/web-poll/send", form)  # the first tab's Send
        assert page.url == "/v/web-poll/check", page.plain
        assert "16-18" in page.plain and "13-15" not in page.plain
        assert await rows(runtime, "ballots", "channel") == []
        page = await first.submit("/v/web-poll/send", {})  # sent from the page as it is now
        assert page.url == "/v/web-poll/done", page.plain
    answers = await rows(runtime, "answers", "question", "option")
    assert ("age", "16-18") in answers and ("age", "13-15") not in answers


def _title(page: Page) -> str:
    found = re.search(r"<title>(.*?)</title>", page.text, re.S)
    assert found is not None
    return html.unescape(found.group(1)).strip()


async def test_the_contact_check_page_is_titled_as_its_heading(
    tmp_path: Path, database_url: str | None
) -> None:
    """The "I'd like an adult to contact me" page after Check it: its h1 is "Please check" but
    its title stayed the asking page's ("Someone to talk to"), so the title a screen reader
    says first did not tell the two pages apart (WCAG 2.4.2). It names the check now, in
    both languages."""
    settings = make_settings(tmp_path, database_url, safeguarding_chat=-100125)
    rt = await open_with_polls(settings, OPEN_POLL)
    try:
        async with web_client(rt) as client:
            b = Browser(client)
            await _to_contact_check(b, "Ring 07700 900123 after 4")
            for lang in ("en", "cy"):
                page = await b.get(f"/v/web-poll/help?lang={lang}")
                check = rt.services.catalog.plain(lang, "web_contact_check_title")
                headings = re.findall(r"<h1[^>]*>(.*?)</h1>", page.text, re.S)
                assert [html.unescape(h).strip() for h in headings] == [check], lang
                assert _title(page).startswith(check + " – "), (lang, _title(page))
    finally:
        await rt.close()


async def test_a_form_s_address_opened_again_has_a_way_back_to_the_poll(
    runtime: Runtime,  # noqa: F811
) -> None:
    """A page shown in answer to a form keeps the form's address (/v/CODE/start after a
    mistyped code, /v/CODE/send): opened again from the address bar, a restored tab or
    history, it was a 405 "Please use the buttons on the page" with no button or link but
    the footer's, a dead end. It still says so, and links to the page for the same place."""
    async with web_client(runtime) as client:
        b = Browser(client)
        for path, place in (
            ("/v/web-poll/start", "/v/web-poll"),
            ("/v/web-poll/send", "/v/web-poll/check"),
            ("/v/web-poll/cancel", "/v/web-poll"),
            ("/v/code-poll/start?lang=cy", "/v/code-poll"),
        ):
            page = await b.get(path)
            assert page.status == 405, path
            lang = "cy" if "lang=cy" in path else "en"
            said = runtime.services.catalog.plain(lang, "web_bad_method")
            back = runtime.services.catalog.plain(lang, "web_contact_back")
            assert said in page.plain and f'<html lang="{lang}"' in page.text
            main = page.text.split("<main", 1)[1].split("</main>", 1)[0]
            links = re.findall(r'<a href="([^"]*)">(.*?)</a>', main)
            assert [(u, html.unescape(t)) for u, t in links] == [(place, back)], (path, main)
        async with client.request("DELETE", "/v/web-poll") as resp:  # a poll's own page:
            text = await resp.text()  # nothing to lead back to
        assert resp.status == 405
        assert "<a " not in text.split("<main", 1)[1].split("</main>", 1)[0]


async def test_stop_on_an_old_page_of_another_poll_stops_nothing(
    runtime: Runtime,  # noqa: F811
) -> None:
    """A tab still showing web-poll's first question; in another tab the same browser started
    rank-poll. "Stop" in the first tab cancelled the rank-poll journey, which that page never
    showed. It now leads to where the browser's journey is, and cancels nothing."""
    async with web_client(runtime) as client:
        old = Browser(client)
        await old.get("/v/web-poll")
        page = await old.submit("/v/web-poll/start", {})
        assert page.url == "/v/web-poll/q/0"
        stale = page.hidden()
        other = Browser(client)  # the same cookie jar: another tab
        await other.get("/v/rank-poll")
        page = await other.submit("/v/rank-poll/start", {})
        assert page.url == "/v/rank-poll/q/0", page.plain
        page = await old.post("/v/web-poll/cancel", stale)
        assert page.url == "/v/rank-poll/q/0", page.plain
        page = await other.get("/v/rank-poll/q/0")
        assert page.url == "/v/rank-poll/q/0" and "Put your top 2" in page.plain
