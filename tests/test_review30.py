"""review30: the header's language switch that sends the page's form (a button bound to it,
handlers/web/templates/base.html), over HTTP and in Chromium."""

from __future__ import annotations

import re
from pathlib import Path

from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from bot.app import Runtime
from tests.browser import assert_no_axe_violations, tab_through
from tests.conftest import make_settings
from tests.test_web_ballot import (  # runtime: three web polls, on each backend in turn
    OPEN_POLL,
    _answer,
    _form_switch,
    open_with_polls,
    runtime,  # noqa: F401
)
from tests.test_web_browser import Live, live, wait_for, wait_for_element  # noqa: F401
from tests.webclient import Browser, web_client

# --- a switch that carries nothing unsaved is a GET again (Back and reload work) ----------------


async def test_a_switch_with_nothing_typed_leads_to_the_page_itself(runtime: Runtime) -> None:  # noqa: F811
    """Answered with the page itself, a switch leaves a POST in the history: Back to it from the
    next page is the browser's "Confirm Form Resubmission" (ERR_CACHE_MISS, measured in
    Chromium), and reload asks to send the form again. A Welsh speaker switches first, with
    nothing typed yet: then there is nothing to keep, and the switch leads (303) to the page's
    own address, as the link did."""
    async with web_client(runtime) as client:
        b = Browser(client)
        page = await b.get("/v/code-poll")
        page = await b.submit(_form_switch(page, "start-form"), {"code": "", "switch": "cy"})
        assert page.status == 200 and page.url == "/v/code-poll", page.url
        assert '<html lang="cy">' in page.text
        await b.get("/v/web-poll")
        page = await b.submit("/v/web-poll/start", {})
        assert (
            _form_switch(page, "question-form") == "/v/web-poll/q/0?lang=en"
        )  # Welsh since the switch
        page = await b.submit(
            _form_switch(page, "question-form"), {"switch": "en"}
        )  # nothing ticked
        assert page.url == "/v/web-poll/q/0" and '<html lang="en">' in page.text
        page = await b.submit("/v/web-poll/q/0", {"answer": "13-15"})
        page = await b.get("/v/web-poll/q/0")  # Back: the answer saved, unchanged, switched
        page = await b.submit(
            _form_switch(page, "question-form"), {"answer": "13-15", "switch": "cy"}
        )
        assert page.url == "/v/web-poll/q/0" and '<html lang="cy">' in page.text
        assert re.search(r'value="13-15" checked', page.text)
        # something new ticked is kept in the page answering the POST, as before
        page = await b.submit(
            _form_switch(page, "question-form"), {"answer": "16-18", "switch": "en"}
        )
        assert '<html lang="en">' in page.text and 'value="16-18" checked' in page.text
        page = await b.get("/v/web-poll/q/0")  # and not saved
        assert 'value="13-15" checked' in page.text
        # a ranked question with no place chosen: its own address too
        await b.get("/v/rank-poll")
        page = await b.submit("/v/rank-poll/start", {})
        form = {**page.hidden(), "rank1": "", "rank2": "", "switch": "cy"}
        moved = await b.post(_form_switch(page, "question-form"), form, allow_redirects=False)
        assert moved.status == 303 and moved.headers["Location"] == "/v/rank-poll/q/0"
        form = {**page.hidden(), "rank1": "jobs", "switch": "cy"}  # a place chosen: kept
        page = await b.post(_form_switch(page, "question-form"), form, allow_redirects=False)
        assert page.status == 200 and re.search(r'value="jobs"[^>]*selected', page.text)


def test_back_after_a_switch_on_the_first_page_is_no_resubmission(
    page: WebDriver,
    live: Live,  # noqa: F811
) -> None:
    """In Chromium: the switch on a question with nothing ticked yet, then an answer and
    Continue; Back from the next page shows the question again, not the browser's "Confirm
    Form Resubmission" (ERR_CACHE_MISS)."""
    page.get(f"{live.url}/v/cy-poll?lang=en")
    page.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(page, "/q/0")
    page.find_element(By.CSS_SELECTOR, "header .language").click()  # nothing ticked
    wait_for_element(page, "html[lang='cy'] #answer-2")
    page.find_element(By.CSS_SELECTOR, "label[for='answer-2']").click()
    page.find_element(By.CSS_SELECTOR, "#question-form > button.button").click()
    wait_for(page, "/q/1")
    page.back()
    wait_for_element(page, "html[lang='cy'] #answer-2:checked")
    assert "ERR_CACHE_MISS" not in page.page_source


# --- the hidden default button: rendered, for WebKit before Safari 16.4 ---------------------


def test_the_default_button_is_rendered_yet_out_of_reach(
    page: WebDriver,
    live: Live,  # noqa: F811
) -> None:
    """Enter (iOS: Go) in a field presses the form's first submit button. WebKit before Safari
    16.4 (iOS 15, 16.0-16.3: older iPhones) pressed only one with a renderer
    (``HTMLFormElement::submitImplicitly``: ``if (formElement.renderer())``); a ``hidden``
    button has none, so it went on to the next, the header's language switch: Go after a
    voting code switched language instead of Start. So the default button is rendered (out
    of sight), and still out of the tab order and the accessibility tree."""
    page.get(f"{live.url}/v/code-poll?lang=en")
    default = page.find_element(By.CSS_SELECTOR, "button[form='start-form']:not([name])")
    assert page.execute_script("return arguments[0].getClientRects().length", default) > 0
    assert default.get_attribute("aria-hidden") == "true"
    assert default.get_attribute("tabindex") == "-1"
    assert default.size["width"] <= 1 and default.size["height"] <= 1
    assert_no_axe_violations(page)
    order = tab_through(page)
    assert order[0].tag == "a" and "skip" in (order[0].element.get_attribute("class") or "")
    assert not [f for f in order if "default-button" in (f.element.get_attribute("class") or "")]
    assert [f.tag for f in order].count("button") == 2  # the switch and Start, once each
    page.find_element(By.ID, "code").send_keys("N43T\ue007")  # Enter: Start (a wrong code)
    wait_for_element(page, ".error-summary a[href='#code']")
    assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"


# --- a poll closed while its start page was open -----------------------------------------------


async def test_the_switch_on_a_closed_polls_start_page_says_it_closed(runtime: Runtime) -> None:  # noqa: F811
    """The start page of a codes poll, left open while the poll closed: the switch (a code
    half typed) said nothing of it and showed the code field again, where a GET of the page
    says it has closed."""
    async with web_client(runtime) as client:
        b = Browser(client)
        page = await b.get("/v/code-poll")
        await runtime.services.polls.set_status("code-poll", "closed")
        page = await b.submit(_form_switch(page, "start-form"), {"code": "N43T", "switch": "cy"})
        assert '<html lang="cy">' in page.text
        closed = runtime.services.catalog.plain("cy", "web_title_poll_closed")
        assert 'id="code"' not in page.text, page.plain
        assert closed in page.plain, page.plain


async def test_the_contact_switch_with_nothing_new_leads_to_the_form_itself(
    tmp_path: Path, database_url: str | None
) -> None:
    """The contact form switched with nothing typed, or with the very words on the check page:
    the form's own address (a GET), the check page still checking what Send sends."""
    settings = make_settings(tmp_path, database_url, safeguarding_chat=-100130)
    rt = await open_with_polls(settings, OPEN_POLL)
    try:
        async with web_client(rt) as client:
            b = Browser(client)
            await _answer(b, ["16-18", "south", "jobs", "i want to kill myself"])
            page = await b.get("/v/web-poll/help")
            form = {**page.hidden(), "detail": "", "switch": "cy"}
            moved = await b.post(_form_switch(page, "contact-form"), form, allow_redirects=False)
            assert moved.status == 303 and moved.headers["Location"] == "/v/web-poll/help"
            page = await b.get("/v/web-poll/help")
            assert '<html lang="cy">' in page.text
            page = await b.submit("/v/web-poll/help", {"detail": "07700 900458"})
            assert 'name="version"' in page.text
            form = {**page.hidden(), "detail": "07700 900458", "switch": "en"}
            moved = await b.post(_form_switch(page, "contact-form"), form, allow_redirects=False)
            assert moved.status == 303 and moved.headers["Location"] == "/v/web-poll/help"
            page = await b.get("/v/web-poll/help")
            assert '<html lang="en">' in page.text
            assert 'name="version"' in page.text and "07700 900458</textarea>" in page.text
    finally:
        await rt.close()
