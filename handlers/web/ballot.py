"""The web ballot's pages: decode the form, call the journey service, render or redirect.

Every rule (open or closed, eligibility, one ballot per person, scrubbing, safeguarding, the
cast itself) is the journey service's, shared with Telegram; this module only speaks HTTP.
Answers are posted, then redirected (303) to the page for the journey's next step, so Back,
reload and a double click all land on the journey as it really is.
"""

from __future__ import annotations

import asyncio
import html
import logging
import math
import re
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from markupsafe import Markup

from handlers.web.render import Renderer, paragraphs
from handlers.web.session import Browser, Sessions
from services.contact_requests import ASK, MAX_DETAIL_CHARS, SEND, LeadMessage
from services.container import Services
from services.journey import INELIGIBLE, CastResult, FormState, Person, complete, reachable
from services.pollfile import Poll, Question, pick
from services.screens import answer_text
from services.text_input import clean_text

log = logging.getLogger(__name__)

ContactSink = Callable[[LeadMessage], Awaitable[None]]
RECENT_CASTS = 10_000  # journey tokens just sent, so a double click shows the same page


@dataclass(slots=True)
class WebContext:
    """What the web pages share: services, cookie signing, templates and settings."""

    services: Services
    sessions: Sessions
    renderer: Renderer
    default_lang: str
    contact: ContactSink | None = None  # posts a contact request to the lead now (else later)
    recent: OrderedDict[str, str] | None = None

    def __post_init__(self) -> None:
        self.recent = OrderedDict()


CTX = web.AppKey("markbot.web", WebContext)


def _ctx(request: web.Request) -> WebContext:
    return request.app[CTX]


def _browser(request: web.Request) -> Browser:
    ctx = _ctx(request)
    browser = ctx.sessions.browser(request, ctx.default_lang)
    wanted = request.query.get("lang")
    if wanted in ("en", "cy") and wanted != browser.lang:
        browser = Browser(browser.id, wanted, new=browser.new)
    return browser


def _person(browser: Browser) -> Person:
    return Person(id=f"web:{browser.id}")


def _page(
    request: web.Request, browser: Browser, template: str, *, status: int = 200, **values: Any
) -> web.Response:
    ctx = _ctx(request)
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
) -> web.Response:
    """A page of catalog texts: errors, refusals, the end of a journey, privacy."""
    catalog = _ctx(request).services.catalog
    body = [paragraphs(catalog.t(browser.lang, key, **params)) for key, params in body_keys]
    return _page(
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
    )


def _redirect(request: web.Request, browser: Browser, location: str) -> web.Response:
    """Post/redirect/get: 303 to the page for where the journey now is."""
    response = web.Response(status=303, headers={"Location": location})
    _ctx(request).sessions.set_cookie(response, browser)
    response.headers["Cache-Control"] = "no-store"
    return response


async def _form(request: web.Request, browser: Browser) -> dict[str, Any] | web.Response:
    """The posted form, or the page that says why it can't be used (forged, stale, no cookie)."""
    try:
        form = await request.post()
    except (UnicodeDecodeError, ValueError):  # a broken client's bytes: not a form we can use
        form = None
    if browser.new:
        return message_page(
            request, browser, "web_refused_title", [("web_cookies_needed", {})], status=400
        )
    csrf = form.get("csrf") if form is not None else None
    if (
        form is None
        or not isinstance(csrf, str)
        or not _ctx(request).sessions.csrf_ok(browser, csrf)
    ):
        return message_page(
            request, browser, "web_refused_title", [("web_form_expired", {})], status=400
        )
    return {k: v for k, v in form.items() if isinstance(v, str)} | {
        "_all": [clean_text(v) for v in form.getall("answer", []) if isinstance(v, str)]
    }


async def _poll(request: web.Request) -> tuple[str, Poll] | None:
    code = request.match_info["code"]
    loaded = await _ctx(request).services.polls.by_code(code)
    if loaded is None:
        return None
    return loaded[0].code, loaded[1]


def _unknown(request: web.Request, browser: Browser) -> web.Response:
    return message_page(request, browser, "web_refused_title", [("poll_unknown", {})], status=404)


# --- the start ---------------------------------------------------------------------------


async def landing(request: web.Request) -> web.Response:
    """The privacy notice (the same words as Telegram's), the code field and Start."""
    browser = _browser(request)
    found = await _poll(request)
    if found is None:
        return _unknown(request, browser)
    code, poll = found
    if poll.web == "off":
        return message_page(
            request, browser, "web_refused_title", [("web_not_offered", {})], poll=poll
        )
    typed = clean_text(request.query.get("code", ""))[:40]
    return _landing(request, browser, code, poll, typed=typed)


def _landing(
    request: web.Request,
    browser: Browser,
    code: str,
    poll: Poll,
    *,
    typed: str = "",
    error: str | None = None,
    status: int = 200,
) -> web.Response:
    services = _ctx(request).services
    lang = browser.lang if browser.lang in poll.languages() else "en"
    notice = services.catalog.t(
        lang,
        "notice",
        title=pick(poll.title, lang),
        intro=pick(poll.intro, lang),
        outcome=pick(poll.outcome, lang)
        if poll.outcome
        else services.catalog.plain(lang, "outcome_default"),
        minutes=max(1, math.ceil(len(poll.questions) / 3)),
    )
    if poll.organiser:
        notice += "\n" + services.catalog.t(lang, "notice_organiser", organiser=poll.organiser)
    # The notice's title is the page's heading.
    head, _, rest = notice.partition("\n")
    title = head.replace("<b>", "").replace("</b>", "")  # escaped by the catalog
    notice_html = Markup(f"<h1>{title}</h1>") + paragraphs(rest)
    return _page(
        request,
        browser,
        "landing.html",
        status=status,
        poll=poll,
        code=code,
        mode=poll.web,
        notice=notice_html,
        typed=typed,
        error=error,
        error_list=[("code", error)] if error else None,
    )


async def start(request: web.Request) -> web.Response:
    """Start: check the code (codes mode), then begin the journey at question 1."""
    browser = _browser(request)
    form = await _form(request, browser)
    if isinstance(form, web.Response):
        return form
    found = await _poll(request)
    if found is None:
        return _unknown(request, browser)
    code, poll = found
    ctx = _ctx(request)
    catalog = ctx.services.catalog
    voter = session = None
    if poll.web == "codes":
        typed = clean_text(form.get("code", ""))[:40]
        if not typed.strip():
            error = catalog.plain(browser.lang, "web_code_missing")
            return _landing(request, browser, code, poll, error=error, status=400)
        loaded = await ctx.services.polls.by_code(code)
        assert loaded is not None
        check = await ctx.services.codes.check(
            loaded[0].id, code, typed, ctx.sessions.client(request)
        )
        if check.status != "ok":
            error = catalog.plain(browser.lang, f"web_code_{check.status}")
            status = 429 if check.status == "limited" else 400
            return _landing(request, browser, code, poll, typed=typed, error=error, status=status)
        voter, session = check.voter, check.session
    refusal = await ctx.services.journey.begin(
        _person(browser), code, browser.lang, voter=voter, session=session
    )
    if refusal is not None:
        key, params = refusal
        return message_page(request, browser, "web_refused_title", [(key, params)], poll=poll)
    return _redirect(request, browser, f"/v/{code}/q/0")


# --- questions ---------------------------------------------------------------------------


async def _state(request: web.Request, browser: Browser) -> FormState | web.Response:
    """This browser's journey in the poll of the URL, or the page saying it has gone."""
    found = await _poll(request)
    if found is None:
        return _unknown(request, browser)
    state = await _ctx(request).services.journey.form_state(_person(browser))
    if state is None or state.code != found[0]:
        return message_page(
            request,
            browser,
            "web_refused_title",
            [("web_expired_journey", {})],
            poll=found[1],
            link=(
                f"/v/{found[0]}",
                _ctx(request).services.catalog.plain(browser.lang, "web_start"),
            ),
        )
    return state


def _step_url(state: FormState) -> str:
    missing = complete(state.poll, state.journey)
    step = state.journey.step
    if step.isdigit():
        return f"/v/{state.code}/q/{step}"
    if missing is not None:
        return f"/v/{state.code}/q/{missing}"
    return f"/v/{state.code}/check"


def _index(request: web.Request, poll: Poll) -> int | None:
    raw = request.match_info["index"]
    if not raw.isdigit() or int(raw) >= len(poll.questions):
        return None
    return int(raw)


async def question_page(request: web.Request) -> web.Response:
    browser = _browser(request)
    state = await _state(request, browser)
    if isinstance(state, web.Response):
        return state
    index = _index(request, state.poll)
    if index is None or not reachable(state.poll, state.journey, index):
        return _redirect(request, browser, _step_url(state))
    return _question(request, browser, state, index)


def _question(
    request: web.Request,
    browser: Browser,
    state: FormState,
    index: int,
    *,
    error: str | None = None,
    current: list[str] | str | None = None,
    status: int = 200,
) -> web.Response:
    poll, j = state.poll, state.journey
    q = poll.questions[index]
    value = current if current is not None else j.answers.get(q.id)
    back = f"/v/{state.code}/q/{index - 1}" if index > 0 else f"/v/{state.code}"
    return _page(
        request,
        browser,
        "question.html",
        status=status,
        poll=poll,
        code=state.code,
        question=q,
        index=index,
        total=len(poll.questions),
        current=value,
        token=j.token,
        back_url=back,
        error=error,
        error_list=[("answer", error)] if error else None,
        notes=j.notes if error is None else None,
        help_url=_help_url(request, state),
    )


def _value(q: Question, form: dict[str, Any]) -> list[str] | str:
    """The answer as the journey service takes it: text, one option, or options in order."""
    if q.kind == "text":
        return clean_text(form.get("answer", ""))
    if q.kind == "rank":
        places = [clean_text(form.get(f"rank{n}", "")) for n in range(1, q.limit + 1)]
        while places and not places[-1]:
            places.pop()
        return places  # a gap ("" before a choice) is refused by the service as stale
    return list(form["_all"])


async def answer(request: web.Request) -> web.Response:
    browser = _browser(request)
    form = await _form(request, browser)
    if isinstance(form, web.Response):
        return form
    state = await _state(request, browser)
    if isinstance(state, web.Response):
        return state
    index = _index(request, state.poll)
    if index is None:
        return _redirect(request, browser, _step_url(state))
    ctx = _ctx(request)
    catalog = ctx.services.catalog
    q = state.poll.questions[index]
    value = _value(q, form)
    if q.kind == "rank" and isinstance(value, list) and "" in value:
        error = catalog.plain(browser.lang, "web_rank_gap")
        return _question(request, browser, state, index, error=error, current=value, status=400)
    result = await ctx.services.journey.answer(
        _person(browser), form.get("token", ""), index, value, lang=browser.lang
    )
    if result.ended is not None:
        key = "ineligible" if result.ended == INELIGIBLE else result.ended
        return message_page(request, browser, "web_ended_title", [(key, {})], poll=state.poll)
    if result.error in ("stale_page", "expired_journey"):
        fresh = await _state(request, browser)
        if isinstance(fresh, web.Response):
            return fresh
        return _redirect(request, browser, _step_url(fresh))
    if result.error is not None:
        web_key = f"web_{result.error}"
        key = web_key if web_key in catalog.keys("en") else result.error
        error = catalog.plain(browser.lang, key, **result.params)
        return _question(request, browser, state, index, error=error, current=value, status=400)
    fresh = await _state(request, browser)
    if isinstance(fresh, web.Response):
        return fresh
    return _redirect(request, browser, _step_url(fresh))


_background: set[asyncio.Task[None]] = set()


def _spawn(job: Awaitable[None]) -> None:
    async def run() -> None:
        try:
            await job
        except Exception as exc:  # the lead's chat unreachable: logged, the answer is kept
            log.error("safeguarding alert from the web not sent: %s", type(exc).__name__)

    task = asyncio.get_running_loop().create_task(run())
    _background.add(task)
    task.add_done_callback(_background.discard)


# --- check, send, done ---------------------------------------------------------------------


async def check_page(request: web.Request) -> web.Response:
    browser = _browser(request)
    state = await _state(request, browser)
    if isinstance(state, web.Response):
        return state
    missing = complete(state.poll, state.journey)
    if missing is not None:
        return _redirect(request, browser, f"/v/{state.code}/q/{missing}")
    catalog = _ctx(request).services.catalog
    lang = browser.lang if browser.lang in state.poll.languages() else "en"
    rows = []
    for i, q in enumerate(state.poll.questions):
        value = state.journey.answers.get(q.id)
        lines: list[str] = []
        if isinstance(value, list) and q.kind == "rank" and value:
            labels = [pick(o.label, lang) if (o := q.option(oid)) else oid for oid in value]
            lines = [f"{n}. {label}" for n, label in enumerate(labels, start=1)]
        own = ""
        if isinstance(value, str) and value:
            tag = (state.journey.text_langs.get(q.id) or ["und"])[0]
            own = tag if tag in ("en", "cy") else browser.lang
            shown = value
        else:
            shown = answer_text(catalog, q, value, lang)
        rows.append(
            {
                "question": pick(q.text, lang),
                "answer": shown,
                "lines": lines,
                "own_words": own,
                "change_url": f"/v/{state.code}/q/{i}",
            }
        )
    last = len(state.poll.questions) - 1
    return _page(
        request,
        browser,
        "check.html",
        poll=state.poll,
        code=state.code,
        rows=rows,
        token=state.journey.token,
        back_url=f"/v/{state.code}/q/{last}",
        notes=state.journey.notes,
        help_url=_help_url(request, state),
    )


async def send(request: web.Request) -> web.Response:
    """Send my answers: counted once, whatever the clicks; then the confirmation page."""
    browser = _browser(request)
    form = await _form(request, browser)
    if isinstance(form, web.Response):
        return form
    found = await _poll(request)
    if found is None:
        return _unknown(request, browser)
    code, poll = found
    ctx = _ctx(request)
    assert ctx.recent is not None
    token = form.get("token", "")
    # Keyed by this browser and its journey: another browser's journey never matches.
    sent = f"{browser.id}:{token}"
    if ctx.recent.get(sent) == code:  # a second click on Send: the first one counted it
        return _redirect(request, browser, f"/v/{code}/done")
    result = await ctx.services.journey.submit(_person(browser), token, lang=browser.lang)
    if result in (CastResult.COUNTED, CastResult.ALREADY_VOTED):
        if result is CastResult.COUNTED:
            ctx.recent[sent] = code
            while len(ctx.recent) > RECENT_CASTS:
                ctx.recent.popitem(last=False)
            return _redirect(request, browser, f"/v/{code}/done")
        return message_page(
            request, browser, "web_refused_title", [("already_voted", {})], poll=poll
        )
    if result is CastResult.POLL_CLOSED:
        return message_page(
            request, browser, "web_refused_title", [("closed_before_submit", {})], poll=poll
        )
    if isinstance(result, int):
        return _redirect(request, browser, f"/v/{code}/q/{result}")
    if result == "submit_failed":  # nothing kept, and the answers are all still there
        back = (f"/v/{code}/check", ctx.services.catalog.plain(browser.lang, "web_check_title"))
        return message_page(
            request,
            browser,
            "web_refused_title",
            [("web_submit_failed", {})],
            status=503,
            link=back,
        )
    if ctx.recent.get(sent) == code:  # a click that waited for the first one to count it
        return _redirect(request, browser, f"/v/{code}/done")
    state = await _state(request, browser)
    if isinstance(state, web.Response):
        return state
    return _redirect(request, browser, _step_url(state))


async def done(request: web.Request) -> web.Response:
    browser = _browser(request)
    found = await _poll(request)
    if found is None:
        return _unknown(request, browser)
    _, poll = found
    catalog = _ctx(request).services.catalog
    lang = browser.lang if browser.lang in poll.languages() else "en"
    outcome = pick(poll.outcome, lang) if poll.outcome else catalog.plain(lang, "outcome_default")
    body = [
        paragraphs(f"<b>{catalog.t(browser.lang, 'web_done_next')}</b>"),
        paragraphs(catalog.t(lang, "notice_organiser", organiser=poll.organiser))
        if poll.organiser
        else paragraphs(""),
        paragraphs(escape_text(outcome)),
        paragraphs(catalog.t(browser.lang, "web_done_close")),
    ]
    return _page(
        request,
        browser,
        "message.html",
        poll=poll,
        title=catalog.plain(browser.lang, "web_done_title"),
        panel=True,
        panel_body=catalog.plain(browser.lang, "web_done"),
        body=body,
        link=None,
    )


def escape_text(text: str) -> str:
    return html.escape(text, quote=False)


async def cancel(request: web.Request) -> web.Response:
    browser = _browser(request)
    form = await _form(request, browser)
    if isinstance(form, web.Response):
        return form
    await _ctx(request).services.journey.cancel(_person(browser))
    found = await _poll(request)
    link = None
    if found is not None:
        link = (f"/v/{found[0]}", _ctx(request).services.catalog.plain(browser.lang, "web_start"))
    return message_page(request, browser, "web_cancelled_title", [("web_cancelled", {})], link=link)


# --- "I'd like an adult to contact me" ------------------------------------------------------


def _help_url(request: web.Request, state: FormState) -> str | None:
    """After signposting, the offer stays on every page to the end (as in Telegram)."""
    if state.journey.ask_help and _ctx(request).services.contacts.available:
        return f"/v/{state.code}/help"
    return None


async def _contact_page(
    request: web.Request,
    browser: Browser,
    code: str,
    *,
    detail: str = "",
    error: str | None = None,
    status: int = 200,
) -> web.Response:
    services = _ctx(request).services
    person = _person(browser)
    state = await services.journey.form_state(person)
    back = _step_url(state) if state is not None else f"/v/{code}/done"
    version = services.contacts.version(person)
    ask = paragraphs(services.catalog.t(browser.lang, "contact_ask", max_length=MAX_DETAIL_CHARS))
    return _page(
        request,
        browser,
        "contact.html",
        status=status,
        code=code,
        ask=ask,
        detail=detail,
        checking=version is not None and not error,
        version=version or "",
        max_length=MAX_DETAIL_CHARS,
        error=error,
        error_list=[("detail", error)] if error else None,
        back_url=back,
    )


async def contact_start(request: web.Request) -> web.Response:
    """The offer's link: explain who will see what, and ask how to reach them."""
    browser = _browser(request)
    found = await _poll(request)
    services = _ctx(request).services
    if found is None or not services.contacts.available:
        raise web.HTTPNotFound()
    person = _person(browser)
    if services.contacts.limit_reached(person):
        return message_page(request, browser, "web_contact_title", [("contact_limit", {})])
    if services.contacts.version(person) is None:  # not part-way through one already
        await services.contacts.ask(person, browser.lang, f"{ASK}:{found[0]}")
    return await _contact_page(request, browser, found[0])


async def _contact_form(request: web.Request) -> tuple[Browser, dict[str, Any], str] | web.Response:
    """A contact-request form posted: (browser, form, poll code), or the page that answers it
    (no cookie, a forged form); a poll or a lead that isn't there is a page not found."""
    browser = _browser(request)
    form = await _form(request, browser)
    if isinstance(form, web.Response):
        return form
    found = await _poll(request)
    if found is None or not _ctx(request).services.contacts.available:
        raise web.HTTPNotFound()
    return browser, form, found[0]


async def _contact_said(
    request: web.Request, browser: Browser, key: str, back_default: str
) -> web.Response:
    """Say ``key``, with a link back to where the journey is (or ``back_default``)."""
    services = _ctx(request).services
    state = await services.journey.form_state(_person(browser))
    back = _step_url(state) if state is not None else back_default
    label = services.catalog.plain(browser.lang, "web_contact_back")
    return message_page(request, browser, "web_contact_title", [(key, {})], link=(back, label))


async def contact_typed(request: web.Request) -> web.Response:
    """Their detail, shown back to check (kept in memory only until Send)."""
    posted = await _contact_form(request)
    if isinstance(posted, web.Response):
        return posted
    browser, form, code = posted
    services = _ctx(request).services
    detail = clean_text(form.get("detail", ""))
    outcome = await services.contacts.typed(_person(browser), browser.lang, detail)
    if outcome is None:
        return await _contact_said(request, browser, "contact_nothing_waiting", f"/v/{code}")
    if services.contacts.version(_person(browser)) is None or not detail.strip():
        text = outcome.screen.text if outcome.screen else ""
        error = re.sub(r"<[^>]+>", "", html.unescape(text))
        return await _contact_page(request, browser, code, detail=detail, error=error, status=400)
    return await _contact_page(request, browser, code, detail=detail.strip())


async def contact_send(request: web.Request) -> web.Response:
    """Send it: only the version on the check page goes; then it no longer knows who sent it."""
    posted = await _contact_form(request)
    if isinstance(posted, web.Response):
        return posted
    browser, form, code = posted
    ctx = _ctx(request)
    version = SEND + form.get("version", "")
    outcome, lead = await ctx.services.contacts.send(_person(browser), browser.lang, version)
    if lead is None:
        if outcome.toast:  # an older version: show the newest to check again
            return await _contact_page(request, browser, code)
        return await _contact_said(request, browser, "contact_nothing_waiting", f"/v/{code}")
    if ctx.contact is not None:
        _spawn(ctx.contact(lead))  # else the janitor's next round posts it
    return await _contact_said(request, browser, "contact_sent", f"/v/{code}/done")


async def contact_withdraw(request: web.Request) -> web.Response:
    """Don't send anything: what they typed is forgotten."""
    posted = await _contact_form(request)
    if isinstance(posted, web.Response):
        return posted
    browser, _, code = posted
    await _ctx(request).services.contacts.withdraw(_person(browser), browser.lang)
    return await _contact_said(request, browser, "contact_not_sent", f"/v/{code}")


# --- pages about the service ---------------------------------------------------------------


async def index(request: web.Request) -> web.Response:
    browser = _browser(request)
    return message_page(request, browser, "web_service_name", [("web_index", {})])


async def privacy(request: web.Request) -> web.Response:
    browser = _browser(request)
    return message_page(request, browser, "web_privacy_title", [("web_privacy", {})])


async def accessibility(request: web.Request) -> web.Response:
    browser = _browser(request)
    ctx = _ctx(request)
    body: list[tuple[str, dict[str, Any]]] = [("web_accessibility", {})]
    if ctx.renderer.contact:
        body.append(("web_accessibility_contact", {"contact": ctx.renderer.contact}))
    return message_page(request, browser, "web_accessibility_title", body)


def routes() -> list[web.RouteDef]:
    return [
        web.get("/", index),
        web.get("/privacy", privacy),
        web.get("/accessibility", accessibility),
        web.get(r"/v/{code}", landing),
        web.post(r"/v/{code}/start", start),
        web.get(r"/v/{code}/q/{index}", question_page),
        web.post(r"/v/{code}/q/{index}", answer),
        web.get(r"/v/{code}/check", check_page),
        web.post(r"/v/{code}/send", send),
        web.get(r"/v/{code}/done", done),
        web.post(r"/v/{code}/cancel", cancel),
        web.get(r"/v/{code}/help", contact_start),
        web.post(r"/v/{code}/help", contact_typed),
        web.post(r"/v/{code}/help/send", contact_send),
        web.post(r"/v/{code}/help/withdraw", contact_withdraw),
    ]
