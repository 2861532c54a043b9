"""Real-browser checks for markbot's web pages: headless Chromium driven by selenium, with axe-core.

A council's web pages must meet WCAG 2.2 AA, and only a real browser shows what a person gets:
the computed colours axe checks, where keyboard focus goes, whether a 320 px screen scrolls
sideways, what prints. This module is a pytest plugin (tests/conftest.py loads it): a test
uses the ``browser`` (session) or ``page`` (per test, reset) fixture and the helpers below.

Everything stays on this machine: Debian's ``/usr/bin/chromium`` and ``/usr/bin/chromedriver``
(selenium is handed both paths, so Selenium Manager never runs or downloads anything), axe-core
read from ``.browser/`` (or ``$MARKBOT_AXE_JS``), and a browser that sends every request for
another host to a closed port on 127.0.0.1 while the performance log records each request, so
a test can prove that a page asks no third party for anything.

Selenium calls block. A page served by an asyncio server on the test's own event loop would
never answer, so serve the app from another thread (``serve_app``, ``serve_directory``), or
call the browser through ``asyncio.to_thread`` from an async test.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import pytest
from aiohttp import web

from bot.app import Runtime, open_runtime
from bot.settings import Settings
from handlers.web.server import build_web_app

if TYPE_CHECKING:  # selenium is imported when a browser starts, so other tests don't pay for it
    from selenium.webdriver.remote.webdriver import WebDriver

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")  # what Debian's package installs (a launcher script)
# The browser itself, started without the launcher's /etc/chromium.d flags and Google API keys.
CHROMIUM_BINARY = Path("/usr/lib/chromium/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE_DEFAULT = ROOT / ".browser" / "node_modules" / "axe-core" / "axe.min.js"
AXE_VERSION = "4.14.1"  # the one .ci/run installs
AXE_TAGS = (
    "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice",
)  # fmt: skip
DESKTOP = (1280, 800)
TAB = "\ue004"  # selenium's Keys.TAB
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
NO_NETWORK_SCHEMES = frozenset({"data", "blob", "about"})

INSTALL_HINT = (
    "The browser tests need Debian's Chromium and chromedriver and axe-core: "
    "`apt-get install -y --no-install-recommends chromium chromium-driver` and "
    f"`npm install --prefix .browser axe-core@{AXE_VERSION}` "
    "(or set MARKBOT_AXE_JS to an axe.min.js); `bash .ci/run` does both when they are missing."
)

CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-dev-shm-usage",  # a container's small /dev/shm would crash the renderer
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-features=Translate,MediaRouter,OptimizationHints,AutofillServerCommunication",
    "--disable-extensions",
    "--disable-default-apps",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--metrics-recording-only",
    "--password-store=basic",
    "--lang=en-GB",
    "--force-device-scale-factor=1",
    "--hide-scrollbars",  # a 320 px page keeps its 320 px: no room taken by a scroll bar
    # Nothing leaves the machine: names other than localhost never resolve, and every request
    # for a host other than loopback goes to a proxy on a closed local port and fails at once.
    # The performance log still records it, so the page's own requests can be checked.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=127.0.0.1;localhost;[::1]",
)


def axe_path() -> Path:
    """Where axe.min.js is: ``$MARKBOT_AXE_JS`` if set, else the folder .ci/run installs into."""
    return Path(os.environ.get("MARKBOT_AXE_JS") or AXE_DEFAULT)


@functools.cache
def _axe_source(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def missing_tools() -> list[str]:
    """What the browser tests need and this machine lacks (empty when all is there)."""
    wanted = {"chromium": CHROMIUM, "chromedriver": CHROMEDRIVER, "axe-core": axe_path()}
    return [f"{name} ({path})" for name, path in wanted.items() if not path.is_file()]


def require_tools() -> None:
    """Fail in CI (a green run must not hide a missing browser), skip elsewhere."""
    missing = missing_tools()
    if not missing:
        return
    message = f"missing {', '.join(missing)}. {INSTALL_HINT}"
    if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def start_chromium(profile: Path) -> WebDriver:
    """A headless Chromium with a fresh profile, the performance log on and no way out."""
    os.environ.setdefault("SE_OFFLINE", "true")  # should Selenium Manager ever run: no downloads
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM_BINARY if CHROMIUM_BINARY.is_file() else CHROMIUM)
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile}")
    options.add_argument(f"--window-size={DESKTOP[0]},{DESKTOP[1]}")
    options.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    options.add_experimental_option(
        "perfLoggingPrefs", {"enableNetwork": True, "enablePage": False}
    )
    service = Service(executable_path=str(CHROMEDRIVER), log_output=os.devnull)
    driver = webdriver.Chrome(service=service, options=options)
    driver.set_page_load_timeout(30)
    driver.set_script_timeout(60)
    driver.execute_cdp_cmd("Network.enable", {})
    return driver


@pytest.fixture(scope="session")
def browser() -> Iterator[WebDriver]:
    """One headless Chromium for the whole run (starting one costs about a second)."""
    require_tools()
    profile = Path(tempfile.mkdtemp(prefix="markbot-chromium-"))
    driver = start_chromium(profile)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser: WebDriver) -> WebDriver:
    """The session's browser, reset: no cookies, desktop viewport, blank page, empty logs."""
    reset(browser)
    return browser


def reset(driver: WebDriver) -> None:
    """Forget what an earlier test left: cookies, viewport, the request log."""
    driver.get("about:blank")
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    set_viewport(driver, *DESKTOP)
    requests_seen(driver)


# --- serving pages -------------------------------------------------------------------------


@dataclass
class LiveServer:
    """An aiohttp app answering on 127.0.0.1 from a thread of its own."""

    url: str  # http://127.0.0.1:PORT, without a trailing slash
    loop: asyncio.AbstractEventLoop

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run ``coro`` on the server's loop (where its database connections live)."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(30)


@contextmanager
def serve_app(
    app: web.Application | Callable[[], Awaitable[web.Application]],
) -> Iterator[LiveServer]:
    """Serve ``app`` on 127.0.0.1 at a free port from another thread, so blocking selenium
    calls in the test thread get answers. ``app`` may be a coroutine function that makes it
    on the server's loop (markbot's runtime must be opened on the loop that serves it)."""
    loop = asyncio.new_event_loop()
    runners: list[web.AppRunner] = []
    started = threading.Event()
    port: list[int] = []

    def run() -> None:
        asyncio.set_event_loop(loop)

        async def start() -> None:
            made = app if isinstance(app, web.Application) else await app()
            runners.append(web.AppRunner(made, access_log=None))
            await runners[0].setup()
            site = web.TCPSite(runners[0], "127.0.0.1", 0)
            await site.start()
            port.append(runners[0].addresses[0][1])

        try:
            loop.run_until_complete(start())
        finally:
            started.set()
        loop.run_forever()
        for runner in runners:
            loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=run, name="browser-test-server", daemon=True)
    thread.start()
    started.wait(30)
    if not port:
        raise RuntimeError("the test server did not start")
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port[0]}", loop=loop)
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


@dataclass
class LiveMarkbot(LiveServer):
    """markbot's own web server (ballot, results, dashboard) and the runtime behind it."""

    runtime: Runtime


@contextmanager
def serve_markbot(
    settings: Settings, seed: Callable[[Runtime], Awaitable[None]]
) -> Iterator[LiveMarkbot]:
    """markbot's web application with a runtime opened on the serving loop and ``seed``
    (polls, ballots...) run before the first request; closed with the server."""
    opened: list[Runtime] = []

    async def make() -> web.Application:
        runtime = await open_runtime(settings)
        opened.append(runtime)
        await seed(runtime)
        app = build_web_app(runtime.services, runtime.key, public_url=None)

        async def close(_: web.Application) -> None:
            await runtime.close()

        app.on_cleanup.append(close)
        return app

    with serve_app(make) as server:
        yield LiveMarkbot(server.url, server.loop, opened[0])


@contextmanager
def serve_directory(folder: Path) -> Iterator[LiveServer]:
    """Serve a folder of files (a static site) as a web host would; ``/`` gives index.html."""

    async def index(_: web.Request) -> web.FileResponse:
        return web.FileResponse(folder / "index.html")

    app = web.Application()
    app.router.add_get("/", index)
    app.router.add_static("/", folder)
    with serve_app(app) as server:
        yield server


# --- axe-core ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Violation:
    """One axe rule a page breaks, with the elements that break it."""

    id: str  # the axe rule, e.g. "label", "color-contrast", "html-has-lang"
    impact: str  # minor, moderate, serious, critical
    help: str
    help_url: str
    nodes: tuple[str, ...]  # "selector: html" of each failing element

    def __str__(self) -> str:
        lines = [f"{self.id} ({self.impact}): {self.help} <{self.help_url}>"]
        lines += [f"    {node}" for node in self.nodes]
        return "\n".join(lines)


_AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
  .then(r => done(JSON.stringify(r.violations)), e => done(JSON.stringify({error: String(e)})));
"""


def axe_violations(driver: WebDriver, tags: tuple[str, ...] = AXE_TAGS) -> list[Violation]:
    """Run axe-core on the page now loaded (WCAG 2.0-2.2 A and AA and best practice)."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        # Injected through the DevTools protocol, so a page's strict CSP does not block it.
        driver.execute_script(_axe_source(axe_path()))
    raw = json.loads(driver.execute_async_script(_AXE_RUN, list(tags)))
    if isinstance(raw, dict):
        raise RuntimeError(f"axe-core failed on {driver.current_url}: {raw['error']}")
    return [
        Violation(
            id=v["id"],
            impact=v.get("impact") or "",
            help=v["help"],
            help_url=v["helpUrl"],
            nodes=tuple(
                f"{' '.join(map(str, n['target']))}: {n['html'][:200]}" for n in v["nodes"]
            ),
        )
        for v in raw
    ]


def format_violations(violations: list[Violation]) -> str:
    """A readable list for an assertion message."""
    return "\n".join(str(v) for v in violations) or "no violations"


def assert_no_axe_violations(driver: WebDriver, url: str | None = None) -> None:
    """Load ``url`` (or keep the page as it is) and fail with axe's findings if it has any."""
    if url is not None:
        driver.get(url)
    violations = axe_violations(driver)
    assert not violations, f"axe-core on {driver.current_url}:\n{format_violations(violations)}"


# --- viewport, zoom and reflow -------------------------------------------------------------


def set_viewport(driver: WebDriver, width: int, height: int, scale: float = 1) -> None:
    """Make the page's layout viewport exactly ``width`` x ``height`` CSS px.

    ``scale`` is the device pixel ratio. Browser zoom at N% on a W px window is a W*100/N CSS
    px layout viewport drawn at N/100 device pixels per CSS px, which is what this sets (see
    ``set_zoom``); media queries and layout see the same widths as under real zoom.
    """
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": scale, "mobile": False},
    )


def set_zoom(driver: WebDriver, percent: int, window: tuple[int, int] = DESKTOP) -> None:
    """Browser zoom: a ``window`` px screen at ``percent``% (200% of 1280 x 800 is 640 x 400)."""
    factor = percent / 100
    set_viewport(driver, round(window[0] / factor), round(window[1] / factor), factor)


def no_horizontal_scroll(driver: WebDriver) -> bool:
    """True when nothing on the page is wider than the viewport (WCAG 1.4.10 reflow)."""
    return bool(
        driver.execute_script(
            "const e = document.scrollingElement || document.documentElement;"
            "return e.scrollWidth <= e.clientWidth;"
        )
    )


def too_wide(driver: WebDriver) -> list[str]:
    """The elements whose right edge is past the viewport, to say why a page scrolls sideways."""
    return driver.execute_script(
        """
        const width = document.documentElement.clientWidth, out = [];
        for (const el of document.body.querySelectorAll('*')) {
          const r = el.getBoundingClientRect();
          if (r.right > width + 0.5 && r.width > 0)
            out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                     + ' right=' + Math.round(r.right) + ' > ' + width);
        }
        return out.slice(0, 20);
        """
    )


REFLOW_CHECKS = (
    ("320 px wide", lambda d: set_viewport(d, 320, 640)),
    ("200% zoom of 1280 x 800", lambda d: set_zoom(d, 200)),
    ("400% zoom of 1280 x 1024", lambda d: set_zoom(d, 400, (1280, 1024))),
)


SMALL_TARGETS = """
const out = [];
for (const el of document.querySelectorAll('a, button, input, select, textarea, summary')) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 || el.closest('p, li, td, th, figcaption')) continue;  // in a sentence
  if (r.width < 24 || r.height < 24)
    out.push(`${el.tagName} "${(el.innerText || el.value || '').trim().slice(0, 30)}" `
             + `${Math.round(r.width)}x${Math.round(r.height)}`);
}
return out;
"""


def small_targets(driver: WebDriver) -> list[str]:
    """Targets that stand alone (not a link in a sentence, list item or table cell) smaller
    than 24 x 24 CSS px (WCAG 2.5.8), each as tag, text and size."""
    return list(driver.execute_script(SMALL_TARGETS))


def assert_reflows(driver: WebDriver, url: str) -> None:
    """At 320 px wide and at 200% and 400% zoom, ``url`` needs no sideways scrolling."""
    try:
        for name, apply in REFLOW_CHECKS:
            apply(driver)
            driver.get(url)
            assert no_horizontal_scroll(driver), (
                f"{url} scrolls sideways at {name}: {too_wide(driver)}"
            )
    finally:
        set_viewport(driver, *DESKTOP)


# --- screenshots and PDF -------------------------------------------------------------------


def _content_size(driver: WebDriver) -> tuple[float, float] | None:
    """The page's whole size in CSS px. Just after a viewport change Chromium can report a
    width of 0 for a moment (on a busy machine), and a screenshot clipped to it fails: ask
    again for up to 2 s, then fall back to the viewport (None: a plain screenshot)."""
    for _ in range(20):
        metrics = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})
        size = metrics.get("cssContentSize") or {}
        if size.get("width", 0) >= 1 and size.get("height", 0) >= 1:
            return float(size["width"]), float(size["height"])
        time.sleep(0.1)
    view = metrics.get("cssLayoutViewport") or {}
    if view.get("clientWidth", 0) >= 1 and view.get("clientHeight", 0) >= 1:
        return float(view["clientWidth"]), float(view["clientHeight"])
    return None


def screenshot(driver: WebDriver, path: Path, full_page: bool = True) -> Path:
    """A PNG of the page (the whole length of it, unless ``full_page`` is False)."""
    params: dict[str, Any] = {"format": "png"}
    if full_page:
        size = _content_size(driver)
        if size is not None:
            params["captureBeyondViewport"] = True
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
    data = driver.execute_cdp_cmd("Page.captureScreenshot", params)["data"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(data))
    return path


A4_INCHES = (8.27, 11.69)


def print_pdf(driver: WebDriver, path: Path) -> Path:
    """Print the page as Chromium would to an A4 PDF (print stylesheet applied, backgrounds on)."""
    result = driver.execute_cdp_cmd(
        "Page.printToPDF",
        {
            "paperWidth": A4_INCHES[0],
            "paperHeight": A4_INCHES[1],
            "printBackground": True,
            "displayHeaderFooter": False,
        },
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(result["data"]))
    return path


def pdf_pages(path: Path) -> list[str]:
    """The text of each page of a PDF, every run of spaces and line breaks made one space (so a
    test can look for a sentence wherever the lines wrap)."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(path)
    try:
        pages = []
        for page in pdf:
            text = page.get_textpage()
            pages.append(" ".join(text.get_text_bounded().split()))
            text.close()
            page.close()
        return pages
    finally:
        pdf.close()


# --- keyboard ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Focus:
    """The element keyboard focus reached, as a person and a test would name it."""

    tag: str  # "a", "input", "button"...
    id: str
    name: str  # the form field's name
    type: str  # an input's type
    text: str  # its visible text or value, or its label's text
    href: str
    visible: bool  # it shows a focus indicator (outline or box-shadow), WCAG 2.4.7
    element: Any = field(compare=False, repr=False)  # selenium's WebElement, to act on it

    def __str__(self) -> str:
        bits = [self.tag] + [
            f"{k}={v!r}"
            for k, v in (("id", self.id), ("name", self.name), ("text", self.text))
            if v
        ]
        return " ".join(bits)


_ACTIVE = """
const el = document.activeElement;
if (!el || el === document.body || el === document.documentElement) return null;
const style = getComputedStyle(el);
const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
const label = el.labels && el.labels.length ? el.labels[0].innerText : '';
return {
  element: el, tag: el.tagName.toLowerCase(), id: el.id || '', name: el.getAttribute('name') || '',
  type: el.getAttribute('type') || '', href: el.getAttribute('href') || '',
  text: (label || el.innerText || el.value || el.getAttribute('aria-label') || '').trim()
        .replace(/\\s+/g, ' ').slice(0, 80),
  visible: outline || style.boxShadow !== 'none',
};
"""


def focused(driver: WebDriver) -> Focus | None:
    """The element that has keyboard focus now (None: the page itself)."""
    info = driver.execute_script(_ACTIVE)
    return None if info is None else Focus(**info)


def press(driver: WebDriver, *keys: str) -> None:
    """Press keys as a keyboard would, to the element with focus (``Keys.TAB``, ``" "``...)."""
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(driver).send_keys(*keys).perform()


def tab_through(driver: WebDriver, limit: int = 100) -> list[Focus]:
    """Press Tab from the top of the page until focus leaves it: the order a keyboard user meets
    the page's links and controls in. Fails on a keyboard trap: Tab that leaves focus where it
    is, or focus that never leaves the page within ``limit`` presses."""
    driver.execute_script(
        "if (document.activeElement) document.activeElement.blur(); window.scrollTo(0, 0);"
    )
    stops: list[Focus] = []
    for _ in range(limit):
        press(driver, TAB)
        now = focused(driver)
        if now is not None and stops and now.element == stops[-1].element:
            raise AssertionError(f"Tab does not leave {now}: a keyboard trap")
        if now is None or (stops and now.element == stops[0].element):
            return stops  # past the last control (or round to the first again)
        stops.append(now)
    raise AssertionError(f"focus did not leave the page after {limit} Tabs: a keyboard trap?")


# --- network -------------------------------------------------------------------------------


def network_events(driver: WebDriver) -> list[dict[str, Any]]:
    """The DevTools Network events since the last call (this drains Chromium's log)."""
    events = (json.loads(entry["message"])["message"] for entry in driver.get_log("performance"))
    return [e for e in events if e.get("method", "").startswith("Network.")]


def requests_seen(driver: WebDriver) -> list[str]:
    """Every URL the browser asked for since the last call (this drains Chromium's log)."""
    return [
        e["params"]["request"]["url"]
        for e in network_events(driver)
        if e["method"] == "Network.requestWillBeSent"
    ]


def is_local(url: str) -> bool:
    """A URL that stays on this machine: loopback, or no network at all (data:, blob:)."""
    parts = urlsplit(url)
    return parts.scheme in NO_NETWORK_SCHEMES or parts.hostname in LOCAL_HOSTS


def third_party_requests(driver: WebDriver) -> list[str]:
    """The URLs requested since the last look that went, or tried to go, off this machine."""
    return [url for url in requests_seen(driver) if not is_local(url)]


def assert_no_third_party_requests(driver: WebDriver, url: str | None = None) -> None:
    """Load ``url`` (or look at what the page asked for since the last look) and fail if any
    request, of the page or its scripts, styles, fonts or images, went beyond 127.0.0.1."""
    if url is not None:
        requests_seen(driver)
        driver.get(url)
    outside = third_party_requests(driver)
    assert not outside, f"{driver.current_url} asked third parties for: {outside}"
