"""The real-browser harness finds what it is for: axe violations, sideways scrolling, keyboard
traps and requests to third parties, on small pages made to have them (and not on a good one)."""

from __future__ import annotations

import asyncio
import re
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import web
from selenium.webdriver.remote.webdriver import WebDriver

from tests import browser as harness
from tests.browser import (
    LiveServer,
    assert_no_axe_violations,
    assert_no_third_party_requests,
    assert_reflows,
    axe_violations,
    network_events,
    no_horizontal_scroll,
    pdf_pages,
    print_pdf,
    requests_seen,
    screenshot,
    serve_app,
    serve_directory,
    set_viewport,
    set_zoom,
    tab_through,
    third_party_requests,
    too_wide,
)

CSP = "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

STYLE = """\
*, *::before, *::after { box-sizing: border-box; }
body { margin: 0; font: 1.1875rem/1.5 sans-serif; color: #0b0c0c; background: #fff; }
a { color: #1d70b8; }
a:focus, input:focus, button:focus { outline: 3px solid #fd0; box-shadow: 0 4px #0b0c0c; }
.skip { position: absolute; left: -9999px; }
.skip:focus { position: static; }
header, main, footer { padding: 1rem; max-width: 40rem; }
input { width: 100%; max-width: 20em; font: inherit; border: 2px solid #0b0c0c; padding: .3rem; }
button { font: inherit; color: #fff; background: #00703c; border: 0; padding: .5rem 1rem; }
@media print { .skip, nav, form { display: none; } }
"""

GOOD = """\
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Youth vote - markbot</title>
<link rel="stylesheet" href="/style.css">
</head>
<body>
<a class="skip" id="skip" href="#main">Skip to main content</a>
<header><nav aria-label="Language">
<a id="cy" href="/good?lang=cy" hreflang="cy" lang="cy">Cymraeg</a>
</nav></header>
<main id="main">
<h1>Which one should be the top priority?</h1>
<p>Pick the one that matters most to you. Nobody will know how you voted.</p>
<form method="post" action="/good">
<label for="why">Why does that matter to you?</label>
<input id="why" name="why" type="text" autocomplete="off">
<button id="send" type="submit">Continue</button>
</form>
{more}
</main>
<footer><p><a id="statement" href="/accessibility">Accessibility statement</a></p></footer>
</body>
</html>
"""

BAD = """\
<!doctype html>
<html>
<head><meta charset="utf-8"><title>Bad</title>
<style>
.faint { color: #bbb; }
#go { outline: none; }
#go:focus { outline: none; }
</style></head>
<body>
<h1>Vote</h1>
<p class="faint">This grey text is too faint to read.</p>
<input id="nolabel" type="text">
<img src="/pixel.png">
<button id="go">Go</button>
<div style="width: 600px">A box that does not fit a phone.</div>
</body>
</html>
"""

# The keyboard is stuck in this field: Tab does nothing once it has focus.
TRAP = """\
<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Trap</title></head>
<body><main><h1>Trap</h1><label for="t">Name</label><input id="t">
<script src="/trap.js"></script></main></body></html>
"""
TRAP_JS = "document.getElementById('t').addEventListener('keydown', e => {"
TRAP_JS += " if (e.key === 'Tab') e.preventDefault(); });"

# A page that asks third parties for an image, a style sheet and data: none of it may leave.
LEAKY = """\
<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Leaky</title>
<link rel="stylesheet" href="https://fonts.example.invalid/css?family=Roboto">
</head><body><main><h1>Leaky</h1>
<img src="http://example.invalid/x.png" alt="">
<img src="/pixel.png" alt="">
<script src="/leaky.js"></script></main></body></html>
"""
LEAKY_JS = "fetch('https://analytics.example.invalid/collect?page=1').catch(() => {});"

# A 1 x 1 transparent PNG.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)


# path: (body, content type, served with the strict CSP the web ballot will use)
FILES: dict[str, tuple[str | bytes, str, bool]] = {
    "/good": (GOOD, "text/html", True),
    "/bad": (BAD, "text/html", False),
    "/trap": (TRAP, "text/html", True),
    "/trap.js": (TRAP_JS, "text/javascript", True),
    "/leaky": (LEAKY, "text/html", False),
    "/leaky.js": (LEAKY_JS, "text/javascript", False),
    "/style.css": (STYLE, "text/css", True),
    "/pixel.png": (PIXEL, "image/png", True),
}


async def _serve(request: web.Request) -> web.Response:
    body, content_type, strict = FILES[request.path]
    if request.path == "/good":  # ?long: a page of many paragraphs, for screenshots and PDFs
        more = "".join(f"<p>Paragraph {i} of a long page.</p>" for i in range(120))
        body = str(body).replace("{more}", more if "long" in request.query else "")
    headers = {"Content-Security-Policy": CSP} if strict else {}
    data = body.encode() if isinstance(body, str) else body
    return web.Response(body=data, content_type=content_type, headers=headers)


def _app() -> web.Application:
    app = web.Application()
    for path in FILES:
        app.router.add_get(path, _serve)
    return app


@pytest.fixture(scope="module")
def site() -> Iterator[LiveServer]:
    with serve_app(_app()) as server:
        yield server


def test_a_good_page_has_no_axe_violations_under_a_strict_csp(
    page: WebDriver, site: LiveServer
) -> None:
    assert_no_axe_violations(page, f"{site.url}/good")
    assert page.title == "Youth vote - markbot"  # the page really loaded
    # axe ran on it, under a CSP that allows no injected script: axe is there and found rules.
    assert page.execute_script("return axe.version") == harness.AXE_VERSION


async def test_a_server_on_the_tests_own_loop_is_reached_through_a_thread(page: WebDriver) -> None:
    """markbot serves its pages on the test's event loop: selenium, which blocks, must run in a
    thread (asyncio.to_thread) or the server could never answer. Here in Welsh."""

    async def welsh(_: web.Request) -> web.Response:
        body = GOOD.replace('lang="en"', 'lang="cy"').replace("{more}", "")
        return web.Response(
            text=body, content_type="text/html", headers={"Content-Security-Policy": CSP}
        )

    app = web.Application()
    app.router.add_get("/cy", welsh)
    app.router.add_get("/style.css", _serve)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        url = f"http://127.0.0.1:{runner.addresses[0][1]}/cy"
        await asyncio.to_thread(assert_no_axe_violations, page, url)
        assert (
            await asyncio.to_thread(page.execute_script, "return document.documentElement.lang")
            == "cy"
        )
        await asyncio.to_thread(assert_no_third_party_requests, page)
    finally:
        await runner.cleanup()


def test_a_bad_page_has_its_violations_found(page: WebDriver, site: LiveServer) -> None:
    page.get(f"{site.url}/bad")
    found = {v.id: v for v in axe_violations(page)}
    wcag = {"html-has-lang", "label", "color-contrast", "image-alt"}
    best_practice = {"landmark-one-main", "region"}
    assert wcag | best_practice <= set(found), found
    assert any("#nolabel" in node for node in found["label"].nodes)
    assert any('class="faint"' in node for node in found["color-contrast"].nodes)
    assert found["color-contrast"].impact == "serious"
    with pytest.raises(AssertionError) as failure:
        assert_no_axe_violations(page)
    assert "color-contrast (serious)" in str(failure.value)
    assert "#nolabel" in str(failure.value)


def test_zoom_emulation_gives_the_layout_of_real_zoom(page: WebDriver, site: LiveServer) -> None:
    page.get(f"{site.url}/good")
    size = "return [window.innerWidth, window.innerHeight, window.devicePixelRatio]"
    assert page.execute_script(size) == [1280, 800, 1]
    set_zoom(page, 200)
    assert page.execute_script(size) == [640, 400, 2]
    assert page.execute_script("return matchMedia('(max-width: 640px)').matches")
    set_viewport(page, 320, 640)
    assert page.execute_script(size) == [320, 640, 1]


def test_the_good_page_reflows_and_the_bad_one_scrolls_sideways_at_320px(
    page: WebDriver, site: LiveServer
) -> None:
    assert_reflows(page, f"{site.url}/good")
    page.get(f"{site.url}/bad")
    assert no_horizontal_scroll(page)  # fits a desktop window
    set_viewport(page, 320, 640)
    assert not no_horizontal_scroll(page)
    assert any(element.startswith("div right=") for element in too_wide(page))
    with pytest.raises(AssertionError, match="scrolls sideways at 320 px wide"):
        assert_reflows(page, f"{site.url}/bad")


def test_tab_goes_through_every_control_in_order_with_a_visible_focus(
    page: WebDriver, site: LiveServer
) -> None:
    page.get(f"{site.url}/good")
    stops = tab_through(page)
    assert [s.id for s in stops] == ["skip", "cy", "why", "send", "statement"]
    assert all(s.visible for s in stops), [str(s) for s in stops]
    assert stops[2].text == "Why does that matter to you?"  # a field is named by its label
    page.get(f"{site.url}/bad")
    stops = {s.id: s for s in tab_through(page)}
    assert set(stops) == {"nolabel", "go"}
    assert not stops["go"].visible  # outline: none is caught


def test_a_keyboard_trap_is_caught(page: WebDriver, site: LiveServer) -> None:
    page.get(f"{site.url}/trap")
    with pytest.raises(AssertionError, match="keyboard trap"):
        tab_through(page, limit=10)


def test_third_party_requests_are_seen_and_go_nowhere(page: WebDriver, site: LiveServer) -> None:
    assert_no_third_party_requests(page, f"{site.url}/good")
    requests_seen(page)
    page.get(f"{site.url}/leaky")
    page.execute_script("return new Promise(r => setTimeout(r, 300))")  # let fetch() go out
    events = network_events(page)
    urls = [e["params"]["request"]["url"] for e in events if e["method"].endswith("WillBeSent")]
    assert f"{site.url}/pixel.png" in urls  # the page's own requests are seen too
    outside = [u for u in urls if not harness.is_local(u)]
    assert sorted(outside) == [
        "http://example.invalid/x.png",
        "https://analytics.example.invalid/collect?page=1",
        "https://fonts.example.invalid/css?family=Roboto",
    ]
    # Each one failed inside the browser, at the closed local proxy: nothing left the machine.
    ids = {e["params"]["requestId"] for e in events if e["method"].endswith("WillBeSent")
           and not harness.is_local(e["params"]["request"]["url"])}  # fmt: skip
    failed = {
        e["params"]["requestId"]: e["params"]["errorText"]
        for e in events
        if e["method"] == "Network.loadingFailed"
    }
    assert ids <= set(failed), (ids, failed)
    assert {failed[i] for i in ids} == {"net::ERR_PROXY_CONNECTION_FAILED"}
    # And the helpers say so.
    page.get(f"{site.url}/good")
    assert third_party_requests(page) == []
    with pytest.raises(AssertionError, match=re.escape("http://example.invalid/x.png")):
        assert_no_third_party_requests(page, f"{site.url}/leaky")


def test_a_static_site_is_served_from_its_folder(page: WebDriver, tmp_path: Path) -> None:
    """As `markbot site` will write it: files in a folder, index.html at the top."""
    (tmp_path / "style.css").write_text(STYLE)
    (tmp_path / "index.html").write_text(GOOD.replace("{more}", ""))
    (tmp_path / "q").mkdir()
    (tmp_path / "q" / "bad.html").write_text(BAD)
    with serve_directory(tmp_path) as site:
        assert_no_axe_violations(page, f"{site.url}/")
        assert page.title == "Youth vote - markbot"
        page.get(f"{site.url}/q/bad.html")
        assert "label" in {v.id for v in axe_violations(page)}


def _png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_screenshots_are_the_whole_page_at_the_width_asked(
    page: WebDriver, site: LiveServer, tmp_path: Path
) -> None:
    set_viewport(page, 360, 640)
    page.get(f"{site.url}/good?long")
    width, height = _png_size(screenshot(page, tmp_path / "360.png"))
    assert width == 360 and height > 640 * 3
    width, height = _png_size(screenshot(page, tmp_path / "view.png", full_page=False))
    assert (width, height) == (360, 640)


def test_print_to_pdf_makes_an_a4_pdf(page: WebDriver, site: LiveServer, tmp_path: Path) -> None:
    page.get(f"{site.url}/good?long")
    pdf = print_pdf(page, tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert len(boxes) >= 3  # 120 paragraphs do not fit one page
    for width, height in boxes:  # A4 is 595.3 x 841.9 pt
        assert abs(float(width) - 595.3) < 1 and abs(float(height) - 841.9) < 1, (width, height)
    page.get(f"{site.url}/good")
    short = print_pdf(page, tmp_path / "short.pdf")
    assert len(re.findall(rb"/Type /Page\b", short.read_bytes())) == 1
    [text] = pdf_pages(short)
    assert "Which one should be the top priority?" in text  # readable text, not a picture
    assert "Cymraeg" not in text and "Continue" not in text  # the print stylesheet hid them
    assert "Cymraeg" in page.find_element("tag name", "body").text  # the screen shows them


@pytest.mark.parametrize(("ci", "outcome"), [("true", "Failed"), ("", "Skipped")])
def test_a_missing_browser_fails_in_ci_and_skips_elsewhere(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ci: str, outcome: str
) -> None:
    monkeypatch.setattr(harness, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("CI", ci)
    with pytest.raises(BaseException) as stopped:
        harness.require_tools()
    assert type(stopped.value).__name__ == outcome
    assert "chromium" in str(stopped.value) and "apt-get install" in str(stopped.value)


def test_axe_is_found_where_ci_puts_it_or_where_the_setting_says(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("MARKBOT_AXE_JS", raising=False)
    assert harness.axe_path() == harness.ROOT / ".browser/node_modules/axe-core/axe.min.js"
    monkeypatch.setenv("MARKBOT_AXE_JS", str(tmp_path / "axe.min.js"))
    assert harness.axe_path() == tmp_path / "axe.min.js"
    assert "axe-core" in " ".join(harness.missing_tools())


def test_ci_installs_the_axe_core_the_tests_expect() -> None:
    ci = (harness.ROOT / ".ci" / "run").read_text()
    assert f"AXE_VERSION={harness.AXE_VERSION}\n" in ci
    assert "apt-get install" in ci and "chromium chromium-driver" in ci
    readme = (harness.ROOT / "README.md").read_text()
    assert f"axe-core@{harness.AXE_VERSION}" in readme
