"""One aiohttp application for the web: the ballot's pages, its CSS, and the rules every
response keeps (security headers, size limits, error pages that never show a traceback).

No access log is written (it would hold IP addresses and user agents); no page asks any other
site for anything, so the Content-Security-Policy can allow 'self' only.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from importlib import resources

from aiohttp import web, web_protocol, web_server
from aiohttp.web_request import BaseRequest

from handlers.web import about, ballot, results
from handlers.web import contact as contact_request
from handlers.web.common import (
    CTX,
    ContactSink,
    WebContext,
    browser_of,
    ctx_of,
    message_page,
)
from handlers.web.render import Renderer, page_for_form
from handlers.web.session import LANGUAGES, Browser, Sessions
from handlers.web.telegram import UpdateSink, webhook_app
from services.container import Services

log = logging.getLogger(__name__)

MAX_REQUEST_BYTES = 64 * 1024  # the longest answer allowed (3,000 characters) fits many times
# On SIGTERM, requests in flight get this long to finish; aiohttp then cancels what is left and
# waits as long again (its own default is 60 s, twice: one request stuck that long held a
# stopping process past a minute). `docker stop` sends SIGKILL 10 s after SIGTERM. A webhook
# update cancelled here has its claim released, so Telegram delivers it again; a ballot
# counts once by its own key.
SHUTDOWN_GRACE_SECONDS = 4.0
CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every response: no framing, no referrer, no sniffing, 'self' only; HSTS over https."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        _protect(request, exc.headers)
        raise
    _protect(request, response.headers)
    return response


def _protect(request: web.Request, headers: MutableMapping[str, str]) -> None:
    headers["Content-Security-Policy"] = CSP
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), interest-cohort=()"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Server"] = "markbot"  # no versions of the software behind it
    if request.app[SECURE]:
        headers["Strict-Transport-Security"] = "max-age=31536000"


_PATH_LANG = re.compile(r"/(?:results|dashboard)/(en|cy)(?:/|$)")


@web.middleware
async def error_pages(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A clear page for every bad request; a traceback is never the user interface."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        browser = browser_of(request)
        if exc.status == 404:
            # an address under /results/cy/ or /dashboard/en/ names its page's language
            named = _PATH_LANG.match(request.path)  # unless ?lang= chose one (browser_of)
            said = browser
            if named is not None and request.query.get("lang") not in LANGUAGES:
                said = Browser(browser.id, named.group(1), new=browser.new)
            missing = message_page(
                request, said, "web_not_found_title", [("web_not_found", {})], status=404
            )
            if said is not browser:
                ctx_of(request).sessions.set_cookie(missing, browser)  # the choice stays theirs
            return missing
        if exc.status == 405:
            # A ballot form's address opened again (address bar, a restored tab): a way back
            opened = request.method in ("GET", "HEAD") and request.path.startswith("/v/")
            place = page_for_form(request.path) if opened else None
            back = ctx_of(request).services.catalog.plain(browser.lang, "web_contact_back")
            refused = message_page(
                request,
                browser,
                "web_try_again_title",
                [("web_bad_method", {})],
                status=405,
                link=(place, back) if place is not None else None,
            )
            if "Allow" in exc.headers:  # a 405 names the methods that are allowed
                refused.headers["Allow"] = exc.headers["Allow"]
            return refused
        if exc.status == 413:
            return message_page(
                request, browser, "web_try_again_title", [("web_too_large", {})], status=413
            )
        return message_page(
            request, browser, "web_try_again_title", [("web_bad_method", {})], status=exc.status
        )
    except Exception as exc:
        log.error("web page failed: %s", type(exc).__name__)  # no request detail: no identity
        browser = browser_of(request)
        return message_page(
            request, browser, "web_server_error_title", [("web_server_error", {})], status=500
        )


SECURE = web.AppKey("markbot.secure", bool)


async def stylesheet(request: web.Request) -> web.Response:
    # one stylesheet for the ballot and the results site (services/site.py adds its part)
    css = resources.files("services").joinpath("style/markbot.css").read_text("utf-8")
    response = web.Response(text=css, content_type="text/css", charset="utf-8")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def build_web_app(
    services: Services,
    key: bytes,
    *,
    public_url: str | None,
    default_lang: str = "en",
    trust_proxy: bool = False,
    contact: str | None = None,
    deliver: ContactSink | None = None,
    webhook: tuple[str, str, UpdateSink] | None = None,
) -> web.Application:
    """The web application; the Telegram webhook can be added to it as one more route."""
    secure = bool(public_url and public_url.startswith("https://"))
    # An address with a slash at the end (or a doubled one) that names a page leads to it: a
    # slip's address typed with a "/" added is not "Page not found".
    tidy_path = web.normalize_path_middleware(append_slash=False, remove_slash=True)
    app = web.Application(
        middlewares=[security_headers, error_pages, tidy_path], client_max_size=MAX_REQUEST_BYTES
    )
    app[SECURE] = secure
    app[CTX] = WebContext(
        services=services,
        sessions=Sessions(key, secure=secure, trust_proxy=trust_proxy),
        renderer=Renderer(services, contact),
        default_lang=default_lang,
        contact=deliver,
    )
    app.router.add_get("/static/markbot.css", stylesheet)
    for pages in (about, ballot, contact_request, results):
        app.add_routes(pages.routes())
    if webhook is not None:  # (path, secret, what handles an update)
        path, secret, process = webhook
        app.add_subapp(path.rstrip("/"), webhook_app(secret, process))
    return app


class _NoClientDetail(logging.Filter):
    """aiohttp logs a request it could not parse or answer ("Error handling request from
    <address>", with a traceback quoting the bytes sent: a path, a cookie, a user agent).
    Keep only the error's type: no address, nothing the client sent."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        record.msg = "an HTTP request was refused or failed before any page: %s"
        record.args = (type(error).__name__ if error is not None else "no detail",)
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def _server_log() -> logging.Logger:
    """The logger aiohttp's connection handlers use, its records stripped of client detail."""
    logger = logging.getLogger("markbot.web.http")
    if not any(isinstance(f, _NoClientDetail) for f in logger.filters):
        logger.addFilter(_NoClientDetail())
    return logger


def unreadable_page(services: Services, first: str = "en") -> bytes:
    """The page for a request aiohttp refuses before any handler runs (a URL or header over
    8 KB, bytes that are not HTTP): in both languages, since none was read, each with the same
    heading level (Welsh no less favourably), the web's ``first`` language first, and echoing
    nothing the client sent."""
    catalog = services.catalog
    second = "cy" if first == "en" else "en"
    title = {
        lang: html.escape(catalog.plain(lang, "web_try_again_title"), quote=False)
        for lang in ("en", "cy")
    }
    text = {
        lang: html.escape(catalog.plain(lang, "web_unreadable_request"), quote=False)
        for lang in ("en", "cy")
    }
    return (
        f'<!doctype html>\n<html lang="{first}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title[first]} / {title[second]}</title>"
        '<link rel="stylesheet" href="/static/markbot.css"></head><body><main>'
        f"<h1>{title[first]}</h1><p>{text[first]}</p>"
        f'<div lang="{second}"><h1>{title[second]}</h1><p>{text[second]}</p></div>'
        "</main></body></html>\n"
    ).encode()


class _Unreadable(web_protocol.RequestHandler):
    """aiohttp's connection handler, whose own error page (plain text quoting the client's
    bytes, its version in Server, no security headers) is replaced by markbot's."""

    page = b""

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        super().handle_error(request, status, exc, None)  # logs (stripped) and checks
        response = web.Response(status=status, body=self.page, content_type="text/html")
        response.charset = "utf-8"
        for name, value in _HEADERS.items():
            response.headers[name] = value
        response.force_close()
        return response


class _Server(web_server.Server):
    def __call__(self) -> web_protocol.RequestHandler:
        return _Unreadable(self, loop=self._loop, **self._kwargs)


class _Runner(web.AppRunner):
    async def _make_server(self) -> web_server.Server:
        server = await super()._make_server()
        server.__class__ = _Server  # the same server, handing out `_Unreadable` handlers
        return server


_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Server": "markbot",
    "Cache-Control": "no-store",
}


async def start_web(app: web.Application, host: str, port: int) -> web.AppRunner:
    """Serve ``app`` on host:port, with no access log (it would record addresses), and
    aiohttp's own error log without the client's address or bytes (``_NoClientDetail``), and
    its own error page replaced by `unreadable_page`."""
    _Unreadable.page = unreadable_page(app[CTX].services, app[CTX].default_lang)
    runner = _Runner(
        app,
        access_log=None,
        handle_signals=False,
        logger=_server_log(),
        shutdown_timeout=SHUTDOWN_GRACE_SECONDS,
    )
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    return runner
