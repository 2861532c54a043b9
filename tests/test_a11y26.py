"""Accessibility review a11y26: what axe cannot see, measured in a real Chromium (forced
colours, redundant entry, page titles after an action, the bilingual error page). Each test is
a defect found on a page a person can reach; see tests/browser.py for how the browser runs."""

from __future__ import annotations

import asyncio
import html
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from bot.app import Runtime
from tests.browser import LiveMarkbot, assert_no_axe_violations, serve_directory, serve_markbot
from tests.conftest import make_settings
from tests.test_site import MIN_CELL, _build, _cast, _site_settings
from tests.test_web_browser import CODES_POLL, WELSH_POLL, to_cy_poll_check, wait_for


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """test_site's results site (its polls and ballots), suppressed as published."""
    tmp = tmp_path_factory.mktemp("a11y26-site")
    settings = _site_settings(tmp)
    asyncio.run(_cast(settings))
    code, _ = _build(settings, tmp, tmp / "site", MIN_CELL)
    assert code == 0
    return tmp / "site"


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveMarkbot]:
    """The web ballot with an open poll and a voting-code poll, and a safeguarding lead."""
    folder = tmp_path_factory.mktemp("a11y26-web")
    settings = make_settings(folder, None, safeguarding_chat=-100126)

    async def seed(rt: Runtime) -> None:
        for text in (WELSH_POLL, CODES_POLL):
            await rt.services.polls.create(rt.services.polls.parse(text, "t.yaml"), status="open")

    with serve_markbot(settings, seed) as server:
        yield server


# --- forced colours (Windows contrast themes) ----------------------------------------------

_RGB = re.compile(r"rgba?\((\d+), (\d+), (\d+)")


def _luminance(colour: str) -> float:
    found = _RGB.match(colour)
    assert found is not None, colour
    channels = []
    for value in found.groups():
        c = int(value) / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, two: str) -> float:
    """WCAG's contrast ratio of two computed colours ("rgb(r, g, b)")."""
    a, b = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (a + 0.05) / (b + 0.05)


_CHART_COLOURS = """
const page = getComputedStyle(document.body).backgroundColor, out = [];
for (const svg of document.querySelectorAll('svg.chart')) {
  for (const el of svg.querySelectorAll('text, rect')) {
    const cls = el.getAttribute('class');
    // a value drawn inside its bar sits on the bar; everything else on the page
    const bar = el.previousElementSibling;
    const under = cls.includes('chart-value--inside') ? getComputedStyle(bar).fill
                : cls.includes('chart-value--hidden') ? getComputedStyle(bar).fill : page;
    // a hidden figure's box is seen by its dashed edge
    const paint = cls === 'chart-hidden' ? getComputedStyle(el).stroke : getComputedStyle(el).fill;
    out.push([cls, (el.textContent || '').trim(), paint, under]);
  }
}
return out;
"""


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_chart_words_and_bars_stay_visible_in_forced_colours(
    page: WebDriver, site: Path, scheme: str
) -> None:
    """WCAG 1.4.3/1.4.11 under a Windows contrast theme (forced-colors: active). The page's
    text and background take the theme's colours, but an SVG's fills are kept: under a dark
    theme the option names and the figures beside the bars stayed near-black (#0b0c0c) on a
    black page (contrast 1.1:1), invisible. Every chart text must keep 4.5:1 against what it
    is drawn on, and every bar 3:1 against the page, in a dark and in a light theme."""
    with serve_directory(site) as server:
        page.execute_cdp_cmd(
            "Emulation.setEmulatedMedia",
            {
                "features": [
                    {"name": "forced-colors", "value": "active"},
                    {"name": "prefers-color-scheme", "value": scheme},
                ]
            },
        )
        try:
            faults = []
            for name in ("en/youth-2026/index.html", "cy/schools-2026/turnout.html"):
                page.get(f"{server.url}/{name}")
                assert page.execute_script("return matchMedia('(forced-colors: active)').matches")
                drawn = page.execute_script(_CHART_COLOURS)
                assert drawn, f"no chart on {name}"
                for cls, text, fill, under in drawn:
                    need = 3.0 if text == "" else 4.5  # a bar or box; a word or figure
                    if contrast(fill, under) < need:
                        faults.append(f"{name}: {cls} {text!r} {fill} on {under}")
        finally:
            page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
    assert faults == []


# --- redundant entry (WCAG 3.3.7) ----------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_back_to_the_start_does_not_ask_for_the_voting_code_again(
    page: WebDriver, live: LiveMarkbot, lang: str
) -> None:
    """WCAG 3.3.7 redundant entry. A young person starts with their code (typed, or from the
    QR code's link), answers question 1, then goes Back past it to the first page: the code
    box there was empty, and Start with it empty said "Enter your voting code", so the 12
    characters from the slip had to be typed again in the same process. The first page of a
    journey already under way keeps the code given: no box, a word saying so, and the button
    carries on where the journey was, the answer given kept."""
    (code,) = live.run(live.runtime.services.codes.make("code-poll", 1, "Year 9"))  # type: ignore[misc]
    page.get(f"{live.url}/v/code-poll?lang={lang}&code={code}")
    page.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(page, "/q/0")
    page.find_element(By.CSS_SELECTOR, "label[for='answer-2']").click()
    page.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(page, "/q/1")
    page.find_element(By.CSS_SELECTOR, ".back-link").click()
    wait_for(page, "/q/0")
    page.find_element(By.CSS_SELECTOR, ".back-link").click()
    wait_for(page, "/v/code-poll")
    boxes = page.find_elements(By.ID, "code")
    assert not boxes or boxes[0].get_attribute("value"), "the code must not be asked for again"
    said = live.runtime.services.catalog.plain(lang, "web_code_given")
    assert said in page.find_element(By.TAG_NAME, "main").text
    assert_no_axe_violations(page)
    page.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(page, "/q/1")  # where the journey was
    assert not page.find_elements(By.CSS_SELECTOR, ".error-summary")
    page.find_element(By.CSS_SELECTOR, ".back-link").click()
    wait_for(page, "/q/0")
    assert page.find_element(By.ID, "answer-2").is_selected()  # the answer kept


# --- page titles after an action (WCAG 2.4.2, 2.4.6) ---------------------------------------


async def test_the_pages_after_a_contact_request_say_what_happened_in_title_and_heading(
    tmp_path: Path, database_url: str | None
) -> None:
    """The "I'd like an adult to contact me" pages: after Send it, and after Don't send
    anything, the page was titled and headed "Someone to talk to", as the form before it
    was: a screen reader's first words after pressing Send were the same as before pressing
    it, and the page saying the message went and the page saying nothing went had one title.
    Each now says what happened, in English and Welsh."""
    from tests.test_web_ballot import OPEN_POLL, _to_contact_check, open_with_polls
    from tests.test_webreview24 import _title
    from tests.webclient import Browser, web_client

    settings = make_settings(tmp_path, database_url, safeguarding_chat=-100126)
    rt = await open_with_polls(settings, OPEN_POLL)
    catalog = rt.services.catalog
    try:
        async with web_client(rt) as client:
            for lang, then, key in (
                ("en", "/v/web-poll/help/send", "web_title_contact_sent"),
                ("cy", "/v/web-poll/help/withdraw", "web_title_contact_not_sent"),
            ):
                b = Browser(client)
                await _to_contact_check(b, "Ring 07700 900123 after 4")
                await b.get(f"/v/web-poll/help?lang={lang}")
                page = await b.submit(then, {})
                wanted = catalog.plain(lang, key)
                assert wanted != catalog.plain(lang, "web_contact_title")
                headings = re.findall(r"<h1[^>]*>(.*?)</h1>", page.text, re.S)
                assert [html.unescape(h).strip() for h in headings] == [wanted], (lang, headings)
                assert _title(page).startswith(wanted + " – "), (lang, _title(page))
    finally:
        await rt.close()


# --- Welsh no less favourably --------------------------------------------------------------


@pytest.mark.parametrize("first", ["en", "cy"])
def test_the_page_for_an_unreadable_request_gives_welsh_the_same_standing(
    live: LiveMarkbot, first: str
) -> None:
    """The page for a request aiohttp cannot read is in both languages (none was read), but
    the English was its h1 and the Welsh an h2 beneath it, always second, even for a
    Welsh-first council (MARKBOT_WEB_LANGUAGE=cy): Welsh treated less favourably (Welsh
    Language Standards) and, to a screen reader's heading list, a subsection of the English.
    Each language now has the same heading level, the web's first language first."""
    from handlers.web.server import unreadable_page

    text = unreadable_page(live.runtime.services, first).decode()
    second = "cy" if first == "en" else "en"
    catalog = live.runtime.services.catalog
    assert text.count("<h1") == 2 and "<h2" not in text
    titles = [catalog.plain(lang, "web_try_again_title") for lang in (first, second)]
    at = [text.index(html.escape(title, quote=False)) for title in titles]
    assert at[0] < at[1], "the first language comes first"
    assert f'<html lang="{first}">' in text and f'<div lang="{second}">' in text


# --- target size (WCAG 2.5.8, the project's 24 x 24 rule) ---------------------------------


def test_the_dashboard_s_links_are_at_least_24_px(page: WebDriver, tmp_path: Path) -> None:
    """The staff dashboard: each published poll's "Published on ...: see the public pages"
    link stands alone in its row (not in a sentence), and was 21 px high at 1280 px wide,
    under the 24 x 24 CSS px every other standalone link here keeps (the language switch,
    Back, Change, the footer's)."""
    from tests.browser import set_viewport, small_targets
    from tests.test_site_live import CODE, LIVE_POLL, OWNER, _seed, _settings

    async def seed(rt: Runtime) -> None:
        await _seed(rt)
        closed = LIVE_POLL.replace(f"code: {CODE}", "code: closed-2026")
        await rt.services.polls.create(rt.services.polls.parse(closed, "c.yaml"))
        await rt.services.polls.set_status("closed-2026", "closed")
        assert (await rt.services.dashboard.publish("closed-2026"))[0] == "published"

    found = {}
    with serve_markbot(_settings(tmp_path, None), seed) as server:
        token = server.run(server.runtime.services.dashboard.login_token(OWNER))
        page.get(f"{server.url}/dashboard/login/{token}")
        page.find_element(By.CSS_SELECTOR, "form button").click()
        wait_for(page, "/dashboard")
        try:
            for lang in ("en", "cy"):
                for width in (1280, 320):
                    set_viewport(page, width, 800)
                    page.get(f"{server.url}/dashboard?lang={lang}")
                    assert page.find_elements(By.CSS_SELECTOR, ".summary-value a")
                    if small := small_targets(page):
                        found[f"{lang} at {width}"] = small
        finally:
            set_viewport(page, 1280, 800)
    assert found == {}


# --- consistent help (WCAG 3.2.6) ----------------------------------------------------------


def _signposted_to_check(driver: WebDriver, url: str, lang: str) -> None:
    """cy-poll answered to Check your answers, its free text bringing signposting."""
    to_cy_poll_check(driver, url, f"?lang={lang}", why="i want to kill myself")


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_the_offer_of_an_adult_stays_on_the_page_after_send(
    page: WebDriver, live: LiveMarkbot, lang: str
) -> None:
    """After an answer that brings signposting, "I'd like an adult to contact me" is at the
    foot of every page of the journey (as Telegram keeps its button to the end, the thank-you
    screen too), but the web's "Your answers have been sent" page dropped it: the help was
    gone from the last page, just when a young person might decide to ask. It stays there,
    in the same place, and leads to the contact request."""
    _signposted_to_check(page, live.url, lang)
    offer = live.runtime.services.catalog.plain(lang, "web_contact_link")
    assert page.find_element(By.CSS_SELECTOR, ".help-link a").text == offer
    page.find_element(By.CSS_SELECTOR, "form[action$='/send'] button").click()
    wait_for(page, "/done")
    links = page.find_elements(By.CSS_SELECTOR, "main .help-link a")
    assert [a.text for a in links] == [offer]
    links[0].click()
    wait_for(page, "/v/cy-poll/help")
    assert page.find_element(By.ID, "detail")  # the contact request, after the vote


# --- error prevention (WCAG 3.3.4) ---------------------------------------------------------


def _to_check(driver: WebDriver, url: str) -> None:
    """cy-poll answered to Check your answers, by clicks."""
    to_cy_poll_check(driver, url, "?lang=en")


def test_stop_and_delete_asks_before_deleting_the_answers(
    page: WebDriver, live: LiveMarkbot
) -> None:
    """One press of "Stop and delete my answers" (a full-width button just below Send my
    answers on a phone) deleted every answer given, irreversibly (WCAG 3.3.4). It now asks
    first, on a page of its own (so its language switch keeps the place): No goes back to the
    answers, still there to send; Yes deletes them."""
    catalog = live.runtime.services.catalog
    _to_check(page, live.url)
    page.find_element(By.CSS_SELECTOR, "main a[href$='/stop']").click()
    wait_for(page, "/stop")
    assert page.find_element(By.TAG_NAME, "h1").text == catalog.plain("en", "web_stop_title")
    assert_no_axe_violations(page)
    page.find_element(By.CSS_SELECTOR, "header a.language").click()  # Cymraeg: still asking
    wait_for(page, "/stop")
    assert page.find_element(By.TAG_NAME, "h1").text == catalog.plain("cy", "web_stop_title")
    assert_no_axe_violations(page)
    page.find_element(By.LINK_TEXT, catalog.plain("cy", "web_stop_no")).click()
    wait_for(page, "/check")
    assert page.find_element(By.TAG_NAME, "h1").text == catalog.plain("cy", "web_check_title")
    page.find_element(By.CSS_SELECTOR, "main a[href$='/stop']").click()
    wait_for(page, "/stop")
    page.find_element(By.CSS_SELECTOR, "form[action$='/cancel'] button").click()
    time.sleep(0.3)
    heading = page.find_element(By.TAG_NAME, "h1").text
    assert heading == catalog.plain("cy", "web_cancelled_title"), heading


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_back_from_the_contact_request_after_send_returns_to_the_confirmation(
    page: WebDriver, live: LiveMarkbot, lang: str
) -> None:
    """From "Your answers have been sent", "I'd like an adult to contact me", then its "Back
    to the poll": the link was /v/POLL/done without the journey's token, which redirected
    to the poll's start page (Start there: "you have already voted"), not the page the young
    person came from. It leads back to the confirmation."""
    _signposted_to_check(page, live.url, lang)
    page.find_element(By.CSS_SELECTOR, "form[action$='/send'] button").click()
    wait_for(page, "/done")
    page.find_element(By.CSS_SELECTOR, "main .help-link a").click()
    wait_for(page, "/v/cy-poll/help")
    page.find_element(By.CSS_SELECTOR, ".back-link").click()
    wait_for(page, "/done")
    done = live.runtime.services.catalog.plain(lang, "web_done_title")
    assert page.find_element(By.TAG_NAME, "h1").text == done
