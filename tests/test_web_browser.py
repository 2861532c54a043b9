"""The web ballot in a real browser (headless Chromium): whole ballots by keyboard alone in
English and Welsh, axe-core on every page, no sideways scrolling at 320 px or 200% zoom, no
request to any third party, and the ballots counted in the export."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.remote.webdriver import WebDriver

from bot.app import Runtime
from bot.settings import Settings
from tests.browser import (
    LiveMarkbot,
    assert_no_axe_violations,
    assert_no_third_party_requests,
    assert_reflows,
    focused,
    press,
    screenshot,
    serve_markbot,
    small_targets,
)
from tests.conftest import SIMPLE_POLL
from tests.stored import rows

TAB, ENTER, SPACE, DOWN = "\ue004", "\ue007", " ", "\ue015"
SHOTS = Path(__file__).resolve().parent.parent / "build" / "screenshots" / "web"

WELSH_POLL = """\
code: cy-poll
title: {en: "Youth vote", cy: "Pleidlais ieuenctid"}
outcome:
  en: The youth forum will see the results.
  cy: Bydd y fforwm ieuenctid yn gweld y canlyniadau.
web: open
questions:
  - id: age
    kind: choice
    text: {en: "How old are you?", cy: "Faint yw dy oed di?"}
    options:
      - {id: under-10, label: {en: Under 10, cy: O dan 10}}
      - {id: 10-15, label: {en: 10-15, cy: 10-15}}
      - {id: 16-25, label: {en: 16-25, cy: 16-25}}
    ineligible: [under-10]
    breakdown: true
  - id: clubs
    kind: multi
    max: 2
    text: {en: "Which would you use?", cy: "Pa rai fyddet ti'n eu defnyddio?"}
    options:
      - {id: youth-club, label: {en: Youth club, cy: Clwb ieuenctid}}
      - {id: sports, label: {en: Sports, cy: Chwaraeon}}
      - {id: music, label: {en: Music, cy: Cerddoriaeth}}
  - id: top
    kind: rank
    max: 2
    text: {en: "Put your top 2 in order", cy: "Rho dy 2 uchaf mewn trefn"}
    options:
      - {id: buses, label: {en: Buses, cy: Bysiau}}
      - {id: parks, label: {en: Parks, cy: Parciau}}
      - {id: jobs, label: {en: Jobs, cy: Swyddi}}
  - id: why
    kind: text
    optional: true
    text: {en: "Why?", cy: "Pam?"}
"""
CODES_POLL = SIMPLE_POLL.replace("code: test-poll", "code: code-poll\nweb: codes")


@dataclass
class Live(LiveMarkbot):
    db: Path  # the SQLite file (its folder takes the exports the tests write)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """markbot's web server on its own loop and thread (selenium blocks the test's)."""
    folder = tmp_path_factory.mktemp("web")
    settings = Settings(
        db=folder / "markbot.db",
        key_file=folder / "k" / "key",
        _env_file=None,  # type: ignore[call-arg]
    )

    async def seed(rt: Runtime) -> None:
        for text in (WELSH_POLL, CODES_POLL):
            await rt.services.polls.create(rt.services.polls.parse(text, "t.yaml"), status="open")

    with serve_markbot(settings, seed) as server:
        yield Live(server.url, server.loop, server.runtime, settings.db)


def tab_to(driver: WebDriver, wanted: Callable[[object], bool], limit: int = 60) -> None:
    """Press Tab until the focused element is the one wanted, as a keyboard user would."""
    driver.execute_script("document.activeElement && document.activeElement.blur()")
    for _ in range(limit):
        press(driver, TAB)
        now = focused(driver)
        if now is not None and wanted(now):
            assert now.visible, f"focus on {now} can't be seen"
            return
    raise AssertionError(f"Tab never reached the element wanted on {driver.current_url}")


def by_id(element_id: str) -> Callable[[object], bool]:
    return lambda f: getattr(f, "id", "") == element_id


def button(text: str) -> Callable[[object], bool]:
    return lambda f: getattr(f, "tag", "") == "button" and getattr(f, "text", "") == text


def check_page(driver: WebDriver, name: str, lang: str) -> None:
    """axe, reflow at 320 px and 200%/400% zoom, nothing third-party, and a screenshot."""
    url = driver.current_url
    assert driver.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
    assert_no_axe_violations(driver)
    assert_no_third_party_requests(driver)
    screenshot(driver, SHOTS / f"{lang}-{name}.png")
    if driver.execute_script("return document.forms.length") == 0 or "/q/" in url:
        assert_reflows(driver, url)  # reloads: only for pages a GET shows again as they were


TEXTS = {
    "en": {
        "start": "Start now",
        "continue": "Continue",
        "send": "Send my answers",
        "done": "Your answers have been sent",
    },
    "cy": {
        "start": "Dechrau nawr",
        "continue": "Parhau",
        "send": "Anfon fy atebion",
        "done": "Mae dy atebion wedi cael eu hanfon",
    },
}


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_a_whole_ballot_by_keyboard_with_no_accessibility_faults(
    page: WebDriver, live: Live, lang: str
) -> None:
    words = TEXTS[lang]
    before = _web_ballots(live)
    page.get(f"{live.url}/v/cy-poll?lang={lang}")
    check_page(page, "landing", lang)
    tab_to(page, button(words["start"]))
    press(page, ENTER)
    # A choice: the first radio, then Continue.
    wait_for(page, "/q/0")
    check_page(page, "q-choice", lang)
    tab_to(page, by_id("answer"))  # radios: Tab reaches the group, an arrow moves and picks
    press(page, DOWN)  # 10-15
    tab_to(page, button(words["continue"]))
    press(page, ENTER)
    # A multi question sent with nothing ticked: the error summary, linked to the field.
    wait_for(page, "/q/1")
    tab_to(page, button(words["continue"]))
    press(page, ENTER)
    # (the page comes back at its own address: wait for the summary, not for the address,
    # which the page before already had)
    wait_for_element(page, ".error-summary a[href='#answer']")
    check_page(page, "q-multi-error", lang)
    tab_to(page, by_id("answer"))
    press(page, SPACE)
    tab_to(page, by_id("answer-3"))
    press(page, SPACE)
    tab_to(page, button(words["continue"]))
    press(page, ENTER)
    # A ranked question, without JavaScript: a list per place.
    wait_for(page, "/q/2")
    check_page(page, "q-rank", lang)
    tab_to(page, by_id("answer"))
    press(page, DOWN)  # the first issue
    tab_to(page, by_id("rank2"))
    press(page, DOWN, DOWN)
    tab_to(page, button(words["continue"]))
    press(page, ENTER)
    wait_for(page, "/q/3")
    check_page(page, "q-text", lang)
    tab_to(page, by_id("answer"))
    press(page, "more buses after school please")
    tab_to(page, button(words["continue"]))
    press(page, ENTER)
    wait_for(page, "/check")
    summary = page.find_element(By.CSS_SELECTOR, ".summary").text
    assert "1. " in summary and "1. 1." not in summary  # the ranked answer, in order
    check_page(page, "check", lang)
    tab_to(page, button(words["send"]))
    press(page, ENTER)
    wait_for(page, "/done")
    assert words["done"] in page.find_element(By.TAG_NAME, "h1").text
    check_page(page, "done", lang)
    assert _web_ballots(live) == before + 1
    out = live.db.with_name(f"export-{lang}.csv")
    live.run(live.runtime.services.reports.export("cy-poll", "csv", out, 0))
    rows = [line.split(",") for line in out.read_text(encoding="utf-8").splitlines()]
    overall = {(r[1], r[2]): r[5] for r in rows[1:] if r[3] == ""}
    assert overall[("age", "10-15")] == str(before + 1)  # every ballot here picked 10-15


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_other_pages_have_no_accessibility_faults(page: WebDriver, live: Live, lang: str) -> None:
    for name, path in [
        ("privacy", "/privacy"),
        ("accessibility", "/accessibility"),
        ("not-found", "/nowhere"),
        ("unknown-poll", "/v/nope"),
        ("codes-landing", "/v/code-poll"),
    ]:
        page.get(f"{live.url}{path}?lang={lang}")
        check_page(page, name, lang)
    # A mistyped code: the error summary, then the field, by keyboard.
    page.get(f"{live.url}/v/code-poll?lang={lang}")
    tab_to(page, by_id("code"))
    press(page, "abc")
    press(page, ENTER)
    wait_for(page, "/start")
    assert page.find_elements(By.CSS_SELECTOR, ".error-summary a[href='#code']")
    check_page(page, "code-error", lang)
    # Ineligible: a polite end, nothing kept.
    page.get(f"{live.url}/v/cy-poll?lang={lang}")
    tab_to(page, button(TEXTS[lang]["start"]))
    press(page, ENTER)
    wait_for(page, "/q/0")
    tab_to(page, by_id("answer"))
    press(page, SPACE)
    tab_to(page, button(TEXTS[lang]["continue"]))
    press(page, ENTER)
    wait_for(page, "/q/0")
    check_page(page, "ineligible", lang)


def wait_for(driver: WebDriver, path: str) -> None:
    for _ in range(100):
        if (
            driver.current_url.split("?")[0].endswith(path)
            and driver.execute_script("return document.readyState") == "complete"
        ):
            return
        time.sleep(0.05)
    raise AssertionError(f"expected {path}, at {driver.current_url}")


def wait_for_element(driver: WebDriver, css: str) -> None:
    """Wait until an element matching ``css`` is in a page that has finished loading: a form
    sent back to its own address can't be waited for by the address."""
    for _ in range(100):
        if driver.execute_script(
            "return document.readyState"
        ) == "complete" and driver.find_elements(By.CSS_SELECTOR, css):
            return
        time.sleep(0.05)
    raise AssertionError(f"no {css} at {driver.current_url}")


def to_cy_poll_check(driver: WebDriver, url: str, query: str = "", why: str = "") -> None:
    """cy-poll answered to Check your answers by clicks (``why`` typed in its free text)."""
    driver.get(f"{url}/v/cy-poll{query}")
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(driver, "/q/0")
    for path, field in (("/q/1", "answer-2"), ("/q/2", "answer-2")):
        driver.find_element(By.CSS_SELECTOR, f"label[for='{field}']").click()
        driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
        wait_for(driver, path)
    driver.find_element(By.CSS_SELECTOR, "select#answer option[value='parks']").click()
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(driver, "/q/3")
    if why:
        driver.find_element(By.ID, "answer").send_keys(why)
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(driver, "/check")


def _web_ballots(live: Live) -> int:
    """How many web ballots are stored (tests/stored.py, on the server's loop)."""
    return [c for (c,) in live.run(rows(live.runtime, "ballots", "channel"))].count("web")


def test_a_ballot_with_a_voting_code_from_its_qr_link(page: WebDriver, live: Live) -> None:
    """The QR code's link carries the code: Start, answer, send; the code is then used."""
    (code,) = live.run(live.runtime.services.codes.make("code-poll", 1, "Year 9"))  # type: ignore[misc]
    page.get(f"{live.url}/v/code-poll?code={code}")
    assert page.find_element(By.ID, "code").get_attribute("value") == code
    tab_to(page, button("Start now"))
    press(page, ENTER)
    # Radios by keyboard: Tab reaches the first; each arrow moves down one and picks it.
    for index, downs in enumerate((2, 0, 1)):  # 13-15, North, Transport
        wait_for(page, f"/q/{index}")
        tab_to(page, by_id("answer"))
        press(page, *([DOWN] * downs or [SPACE]))
        tab_to(page, button("Continue"))
        press(page, ENTER)
    wait_for(page, "/q/3")
    tab_to(page, button("Continue"))  # the optional text question, left empty
    press(page, ENTER)
    wait_for(page, "/check")
    tab_to(page, button("Send my answers"))
    press(page, ENTER)
    wait_for(page, "/done")
    poll = live.run(live.runtime.store.get_poll("code-poll"))
    assert poll is not None
    stored = live.run(rows(live.runtime, "answers", "poll_id", "question", "grp"))
    (grp,) = [g for p, q, g in stored if p == poll.id and q == "priority"]
    assert grp.startswith("age=13-15&area=north") and "session=" in grp
    page.get(f"{live.url}/v/code-poll?code={code}")  # the same slip again
    tab_to(page, button("Start now"))
    press(page, ENTER)
    wait_for(page, "/start")
    assert "already been used" in page.find_element(By.CSS_SELECTOR, ".error-summary").text


def test_every_target_is_at_least_24_px(page: WebDriver, live: Live) -> None:
    """WCAG 2.5.8: the language switch, Back, Change and the footer links are each at least
    24 x 24 CSS px at any width, not only far enough from the next one."""
    to_cy_poll_check(page, live.url)
    try:
        for path in ("/q/3", "/check"):
            page.get(f"{live.url}/v/cy-poll{path}")
            for width in (1280, 320):
                page.set_window_size(width, 800)
                assert small_targets(page) == [], (path, width)
    finally:
        page.set_window_size(1280, 800)


@pytest.mark.parametrize("lang", ["en", "cy"])
def test_a_page_with_a_mistake_puts_focus_on_its_error_summary(
    page: WebDriver, live: Live, lang: str
) -> None:
    """A form sent with a mistake comes back with an error summary, styled for focus
    (tabindex=-1, a yellow outline) but never given it: a keyboard user started again at the
    top of the page and a screen magnifier showed the header, not the problem (the GOV.UK
    pattern moves focus to the summary). It takes focus as the page loads, with no script."""
    page.get(f"{live.url}/v/code-poll?lang={lang}")
    tab_to(page, button(TEXTS[lang]["start"]))
    press(page, ENTER)  # no code typed
    wait_for(page, "/start")
    now = focused(page)
    # (its :focus outline is markbot.css's; headless Chromium matches :focus only once keys
    # are pressed in the page, so where focus is is what is checked here)
    assert now is not None and "error-summary" in (now.element.get_attribute("class") or ""), now
    assert page.find_element(By.CSS_SELECTOR, ".error-summary a[href='#code']")


def test_the_language_switch_keeps_what_was_typed_and_enter_still_continues(
    page: WebDriver, live: Live
) -> None:
    """The header's language switch was a link: what was ticked or typed and not yet sent was
    lost (there is no JavaScript to keep it). On a question it now sends the question's form
    with it: the same question in the other language, the answer still in place, nothing
    saved until Continue. Enter in a field still means Continue, never a language switch."""
    page.get(f"{live.url}/v/cy-poll?lang=en")
    page.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(page, "/q/0")
    page.find_element(By.CSS_SELECTOR, "label[for='answer-2']").click()  # 10-15
    page.find_element(By.CSS_SELECTOR, "header .language").click()  # Cymraeg
    wait_for_element(page, "html[lang='cy'] #answer-2:checked")
    assert page.find_element(By.TAG_NAME, "h1").text == "Faint yw dy oed di?"
    assert_no_axe_violations(page)
    page.find_element(By.ID, "answer-2").send_keys(ENTER)  # Enter on the radio: Parhau
    wait_for(page, "/q/1")
    assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "cy"
    assert "/q/1" in page.current_url and "lang" not in page.current_url
    # The free text, by keyboard: typed, then the switch (Tab to it, Enter) back to English.
    page.find_element(By.CSS_SELECTOR, "label[for='answer']").click()
    page.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(page, "/q/2")
    page.find_element(By.CSS_SELECTOR, "select#answer option[value='parks']").click()
    page.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    wait_for(page, "/q/3")
    tab_to(page, by_id("answer"))
    press(page, "mwy o fysiau\nar ôl ysgol")
    tab_to(page, lambda f: getattr(f, "name", "") == "switch")  # the header's "English"
    press(page, ENTER)
    wait_for_element(page, "html[lang='en'] textarea#answer")
    assert page.find_element(By.ID, "answer").get_attribute("value") == "mwy o fysiau\nar ôl ysgol"
    assert page.find_element(By.TAG_NAME, "h1").text == "Why?"
    assert_no_axe_violations(page)
    page.get(f"{live.url}/v/cy-poll/q/3")  # not saved until Continue
    assert page.find_element(By.ID, "answer").get_attribute("value") == ""


def test_the_language_switch_keeps_a_code_half_typed(page: WebDriver, live: Live) -> None:
    """A voting code half typed, then the switch: the page in Welsh with the code still in the
    box; Enter in the box is still Start (a wrong code's error), never a language switch."""
    page.get(f"{live.url}/v/code-poll?lang=en")
    page.find_element(By.ID, "code").send_keys("N43T-MK")
    page.find_element(By.CSS_SELECTOR, "header .language").click()
    wait_for_element(page, "html[lang='cy'] #code")
    assert page.find_element(By.ID, "code").get_attribute("value") == "N43T-MK"
    assert not page.find_elements(By.CSS_SELECTOR, ".error-summary")
    assert_no_axe_violations(page)
    page.find_element(By.ID, "code").send_keys(ENTER)
    wait_for_element(page, ".error-summary a[href='#code']")
    assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "cy"
