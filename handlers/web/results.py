"""The results site live: /results for published polls, /dashboard for signed-in staff.

The pages are the ones ``markbot site`` writes into a folder (services/site.py), served from
memory at the same relative paths, so their relative links work unchanged: /results/ is the
folder's root, /dashboard/ the same for staff with every poll. An unpublished poll and one
that does not exist get the same 404 page, so nobody can learn which polls exist.

Signing in: the bot's /dashboard gives a single-use link. Opening it (GET) only shows a page
with a button, so a link previewer or a mail scanner that fetches the URL does not use it up;
the button POSTs (with the CSRF token bound to the session cookie) and only then is the link
redeemed and the staff cookie set.
"""

from __future__ import annotations

import logging

from aiohttp import web

from handlers.web.common import (
    browser_of,
    ctx_of,
    message_page,
    page,
    read_form,
    redirect,
)
from handlers.web.session import Browser
from services.dashboard import SESSION_SECONDS

log = logging.getLogger(__name__)

PUBLIC_CACHE = "public, max-age=60"  # as often as the public pages may be rebuilt
TYPES = {".html": "text/html", ".css": "text/css"}
NOINDEX = "noindex, nofollow, noarchive"


def _file(body: bytes, name: str, cache: str, *, staff: bool) -> web.Response:
    suffix = name[name.rfind(".") :]
    response = web.Response(body=body, content_type=TYPES.get(suffix, "application/octet-stream"))
    if suffix in TYPES:
        response.charset = "utf-8"
    response.headers["Cache-Control"] = cache
    if staff:
        response.headers["X-Robots-Tag"] = NOINDEX
    return response


def _staff_headers(response: web.StreamResponse) -> web.StreamResponse:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = NOINDEX
    return response


# --- public --------------------------------------------------------------------------------


async def public_root(request: web.Request) -> web.StreamResponse:
    raise web.HTTPFound("/results/")


async def public_file(request: web.Request) -> web.StreamResponse:
    """A file of the public site; anything else (an unpublished or unknown poll) is a 404."""
    name = request.match_info.get("path") or "index.html"
    dashboard = ctx_of(request).services.dashboard
    if name.startswith("downloads/"):
        found = await dashboard.download(name.removeprefix("downloads/"), staff=False)
        if found is None:
            raise web.HTTPNotFound()
        response = web.Response(body=found.body, content_type=found.content_type)
        response.headers["Cache-Control"] = PUBLIC_CACHE
        return response
    files = await dashboard.public_pages()
    if name not in files:
        index = name.rstrip("/") + "/index.html"  # a folder: its page, as a web server
        if index in files:  # serving the static site would (relative links need the name)
            raise web.HTTPFound(f"/results/{index}")
        raise web.HTTPNotFound()
    return _file(files[name], name, PUBLIC_CACHE, staff=False)


# --- signing in ----------------------------------------------------------------------------


async def login_page(request: web.Request) -> web.StreamResponse:
    """The sign-in link's page: a button, nothing used up yet."""
    browser = browser_of(request)
    return _staff_headers(
        page(request, browser, "dashboard_login.html", action=request.path, signed_in=False)
    )


async def login(request: web.Request) -> web.StreamResponse:
    """Redeem the sign-in link (once), set the staff cookie, go to the dashboard."""
    browser = browser_of(request)
    form = await read_form(request, browser)
    if isinstance(form, web.Response):
        return _staff_headers(form)
    ctx = ctx_of(request)
    dashboard = ctx.services.dashboard
    person = await dashboard.redeem(request.match_info["token"])
    if person is None:
        log.info("a used, expired or unknown dashboard sign-in link was refused")
        return _staff_headers(
            message_page(
                request,
                browser,
                "dashboard_link_used_title",
                [("dashboard_link_used", {})],
                status=410,
            )
        )
    response = redirect(request, browser, "/dashboard")
    ctx.sessions.set_staff(response, person, dashboard.now(), SESSION_SECONDS)
    return _staff_headers(response)


async def logout(request: web.Request) -> web.StreamResponse:
    browser = browser_of(request)
    form = await read_form(request, browser)
    if isinstance(form, web.Response):
        return _staff_headers(form)
    response = message_page(
        request, browser, "dashboard_signed_out_title", [("dashboard_signed_out", {})]
    )
    ctx_of(request).sessions.clear_staff(response)
    return _staff_headers(response)


async def _signed_in(request: web.Request, browser: Browser) -> web.Response | None:
    """None if a staff member is signed in (and still staff), else the page that says how."""
    ctx = ctx_of(request)
    person = ctx.sessions.staff(request, ctx.services.dashboard.now())
    if person is not None and await ctx.services.dashboard.is_staff(person):
        return None
    response = message_page(
        request, browser, "dashboard_sign_in_title", [("dashboard_sign_in", {})], status=403
    )
    ctx.sessions.clear_staff(response)
    return response


# --- staff ---------------------------------------------------------------------------------


async def dashboard(request: web.Request) -> web.StreamResponse:
    """Every poll, open ones too, with its state, ballots and whether it is public."""
    browser = browser_of(request)
    refused = await _signed_in(request, browser)
    if refused is not None:
        return _staff_headers(refused)
    services = ctx_of(request).services
    polls = await services.dashboard.staff_polls()
    return _staff_headers(
        page(
            request,
            browser,
            "dashboard.html",
            polls=polls,
            min_cell=services.min_cell,
            signed_in=True,
        )
    )


async def dashboard_index(request: web.Request) -> web.StreamResponse:
    """The site's own index pages (en/index.html, index.html) lead to the dashboard."""
    lang = request.match_info.get("lang")
    location = f"/dashboard?lang={lang}" if lang else "/dashboard"
    return _staff_headers(web.Response(status=303, headers={"Location": location}))


async def staff_file(request: web.Request) -> web.StreamResponse:
    """One page of one poll's site, for staff: open polls too, with /results' figures."""
    browser = browser_of(request)
    refused = await _signed_in(request, browser)
    if refused is not None:
        return _staff_headers(refused)
    dashboard = ctx_of(request).services.dashboard
    lang, code, name = (request.match_info[k] for k in ("lang", "code", "page"))
    files = await dashboard.staff_pages(code)
    path = f"{lang}/{code}/{name}"
    if files is None or path not in files:
        raise web.HTTPNotFound()
    return _file(files[path], path, "no-store", staff=True)


async def staff_css(request: web.Request) -> web.StreamResponse:
    body = await ctx_of(request).services.dashboard.stylesheet()
    return _file(body, "site.css", "no-store", staff=True)


async def staff_download(request: web.Request) -> web.StreamResponse:
    browser = browser_of(request)
    refused = await _signed_in(request, browser)
    if refused is not None:
        return _staff_headers(refused)
    lang = request.match_info.get("lang")  # the Welsh pages' downloads: downloads/cy/CODE.csv
    name = f"{lang}/{request.match_info['name']}" if lang else request.match_info["name"]
    found = await ctx_of(request).services.dashboard.download(name, staff=True)
    if found is None:
        raise web.HTTPNotFound()
    response = web.Response(body=found.body, content_type=found.content_type)
    return _staff_headers(response)


def routes() -> list[web.RouteDef]:
    return [
        web.get("/results", public_root),
        web.get("/results/", public_file),
        web.get("/results/{path:.+}", public_file),
        web.get("/dashboard", dashboard),
        web.get("/dashboard/", dashboard_index),
        web.get("/dashboard/index.html", dashboard_index),
        web.get("/dashboard/{lang:en|cy}/index.html", dashboard_index),
        web.get("/dashboard/site.css", staff_css),
        web.get("/dashboard/login/{token}", login_page),
        web.post("/dashboard/login/{token}", login),
        web.post("/dashboard/logout", logout),
        web.get("/dashboard/downloads/{name}", staff_download),
        web.get("/dashboard/downloads/{lang:cy}/{name}", staff_download),
        web.get("/dashboard/{lang:en|cy}/{code}/{page}", staff_file),
    ]
