"""What every web page shares: the context, who is asking, pages, forms, redirects.

The ballot, the contact request and the pages about the service are built from these, so a
request is read and a page is written one way everywhere.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiohttp import web

from handlers.web.render import Renderer, paragraphs
from handlers.web.session import Browser, Sessions
from services.contact_requests import LeadMessage
from services.container import Services
from services.journey import FormState, Person, complete
from services.pollfile import Poll
from services.text_input import clean_text
from services.typed_answers import note_text

log = logging.getLogger(__name__)

ContactSink = Callable[[LeadMessage], Awaitable[None]]


@dataclass(slots=True)
class WebContext:
    """What the web pages share: services, cookie signing, templates and settings."""

    services: Services
    sessions: Sessions
    renderer: Renderer
    default_lang: str
    contact: ContactSink | None = None  # posts a contact request to the lead now (else later)


CTX = web.AppKey("markbot.web", WebContext)
REFUSED = "web_refused_title"  # a refusal's general title (see message_page)


def ctx_of(request: web.Request) -> WebContext:
    return request.app[CTX]


def browser_of(request: web.Request) -> Browser:
    ctx = ctx_of(request)
    browser = ctx.sessions.browser(request, ctx.default_lang)
    wanted = request.query.get("lang")
    if wanted in ("en", "cy") and wanted != browser.lang:
        browser = Browser(browser.id, wanted, new=browser.new)
    return browser


def person_of(browser: Browser) -> Person:
    return Person(id=f"web:{browser.id}")


def page(
    request: web.Request, browser: Browser, template: str, *, status: int = 200, **values: Any
) -> web.Response:
    ctx = ctx_of(request)
    if values.get("notes"):  # catalog keys (services/typed_answers.py): said in the page's
        catalog = ctx.services.catalog  # language, whatever it was when they were noted
        known = catalog.keys("en")
        values["notes"] = [
            note_text(catalog, browser.lang, note) if note in known else note
            for note in values["notes"]
        ]
    response = ctx.renderer.page(
        request, template, browser.lang, status=status, csrf=ctx.sessions.csrf(browser), **values
    )
    ctx.sessions.set_cookie(response, browser)
    response.headers["Cache-Control"] = "no-store"
    return response


def message_page(
    request: web.Request,
    browser: Browser,
    title_key: str,
    body_keys: list[tuple[str, dict[str, Any]]],
    *,
    status: int = 200,
    poll: Poll | None = None,
    panel: str | None = None,
    link: tuple[str, str] | None = None,
    switch_keep: dict[str, str] | None = None,
) -> web.Response:
    """A page of catalog texts: errors, refusals, the end of a journey, privacy. A refusal
    is titled by its reason where the catalog has a title for it (``web_title_<key>``: "This
    poll has closed"), so the title a screen reader says first tells pages apart (WCAG 2.4.2);
    any other keeps the general "You can't vote here right now"."""
    catalog = ctx_of(request).services.catalog
    if title_key == REFUSED and body_keys:
        own = f"web_title_{body_keys[0][0]}"
        title_key = own if own in catalog.keys("en") else title_key
    body = [paragraphs(catalog.t(browser.lang, key, **params)) for key, params in body_keys]
    return page(
        request,
        browser,
        "message.html",
        status=status,
        title=catalog.plain(browser.lang, title_key),
        body=body,
        poll=poll,
        panel=bool(panel),
        panel_body=catalog.plain(browser.lang, panel) if panel else None,
        link=link,
        switch_keep=switch_keep,
    )


def redirect(request: web.Request, browser: Browser, location: str) -> web.Response:
    """Post/redirect/get: 303 to the page for where the journey now is."""
    response = web.Response(status=303, headers={"Location": location})
    ctx_of(request).sessions.set_cookie(response, browser)
    response.headers["Cache-Control"] = "no-store"
    return response


async def read_form(request: web.Request, browser: Browser) -> dict[str, Any] | web.Response:
    """The posted form, or the page that says why it can't be used (forged, stale, no cookie)."""
    try:
        form = await request.post()
    except (UnicodeDecodeError, ValueError, LookupError):  # bytes or a charset we can't read
        form = None
    if browser.new:
        return message_page(request, browser, REFUSED, [("web_cookies_needed", {})], status=400)
    csrf = form.get("csrf") if form is not None else None
    if (
        form is None
        or not isinstance(csrf, str)
        or not ctx_of(request).sessions.csrf_ok(browser, csrf)
    ):
        return message_page(
            request, browser, "web_try_again_title", [("web_form_expired", {})], status=400
        )
    return {k: _lines(v) for k, v in form.items() if isinstance(v, str)} | {
        "_all": [clean_text(v) for v in form.getall("answer", []) if isinstance(v, str)]
    }


def _lines(value: str) -> str:
    """A field with its line breaks as one newline each. A browser sends a textarea's line
    breaks as CR LF (its maxlength counts each as one character); the CR would otherwise be
    counted against the answer's length and kept as a space (clean_text)."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if "\r" in value else value


async def poll_of(request: web.Request) -> tuple[str, Poll] | None:
    code = request.match_info["code"]
    loaded = await ctx_of(request).services.polls.by_code(code)
    if loaded is None:
        return None
    return loaded[0].code, loaded[1]


def unknown(request: web.Request, browser: Browser) -> web.Response:
    return message_page(request, browser, REFUSED, [("poll_unknown", {})], status=404)


async def journey_state(request: web.Request, browser: Browser) -> FormState | web.Response:
    """This browser's journey in the poll of the URL, or the page saying it has gone."""
    found = await poll_of(request)
    if found is None:
        return unknown(request, browser)
    journey = ctx_of(request).services.journey
    state = await journey.form_state(person_of(browser))
    if (
        state is not None
        and state.code == found[0]
        and await journey.not_open(found[0], browser.lang)
    ):
        # closed mid-journey: say so at the next page, not after every answer at Send
        return message_page(
            request, browser, REFUSED, [("closed_before_submit", {})], poll=found[1]
        )
    if state is None or state.code != found[0]:
        sent = await journey.sent_token(person_of(browser), found[0])
        if state is None and sent is not None:  # Back after Send: the confirmation again
            return redirect(request, browser, done_url(found[0], sent))
        return message_page(
            request,
            browser,
            REFUSED,
            [("web_expired_journey", {})],
            poll=found[1],
            link=(
                f"/v/{found[0]}",
                ctx_of(request).services.catalog.plain(browser.lang, "web_start"),
            ),
        )
    return state


def done_url(code: str, token: str) -> str:
    """The confirmation of the journey just counted (its token says which)."""
    return f"/v/{code}/done?{urlencode({'j': token})}"


def step_url(state: FormState) -> str:
    missing = complete(state.poll, state.journey)
    step = state.journey.step
    if step.isdigit():
        return f"/v/{state.code}/q/{step}"
    if missing is not None:
        return f"/v/{state.code}/q/{missing}"
    return f"/v/{state.code}/check"


_background: set[asyncio.Task[None]] = set()


def spawn(job: Awaitable[None]) -> None:
    async def run() -> None:
        try:
            await job
        except Exception as exc:  # the lead's chat unreachable: logged, the answer is kept
            log.error("safeguarding alert from the web not sent: %s", type(exc).__name__)

    task = asyncio.get_running_loop().create_task(run())
    _background.add(task)
    task.add_done_callback(_background.discard)


def help_url(request: web.Request, state: FormState) -> str | None:
    """After signposting, the offer stays on every page to the end (as in Telegram)."""
    if state.journey.ask_help and ctx_of(request).services.contacts.available:
        return f"/v/{state.code}/help"
    return None


async def read_posted(
    request: web.Request,
) -> tuple[Browser, dict[str, Any], str, Poll] | web.Response:
    """A form posted to a poll's page: (browser, form, poll code, poll), or the page that
    answers it (no cookie, a forged or expired form, an unknown poll)."""
    browser = browser_of(request)
    form = await read_form(request, browser)
    if isinstance(form, web.Response):
        return form
    found = await poll_of(request)
    if found is None:
        return unknown(request, browser)
    return browser, form, found[0], found[1]


async def to_step(request: web.Request, browser: Browser) -> web.Response:
    """A redirect to the page where this browser's journey really is (or the page saying it
    has gone): after an answer, an old page, or a click that changed nothing."""
    state = await journey_state(request, browser)
    if isinstance(state, web.Response):
        return state
    return redirect(request, browser, step_url(state))
