"""The web ballot's pages: decode the form, call the journey service, render or redirect.

Every rule (open or closed, eligibility, one ballot per person, scrubbing, safeguarding, the
cast itself) is the journey service's, shared with Telegram; this module only speaks HTTP.
Answers are posted, then redirected (303) to the page for the journey's next step, so Back,
reload and a double click all land on the journey as it really is.
"""

from __future__ import annotations

import html
import logging
import secrets
from typing import Any

from aiohttp import web
from markupsafe import Markup, escape

from handlers.web.common import (
    REFUSED,
    browser_of,
    ctx_of,
    done_url,
    help_url,
    journey_state,
    message_page,
    page,
    person_of,
    poll_of,
    read_form,
    read_posted,
    redirect,
    step_url,
    to_step,
    unknown,
)
from handlers.web.render import paragraphs
from handlers.web.session import Browser
from services.container import Services
from services.journey import (
    INELIGIBLE,
    CastResult,
    FormState,
    answers_seen,
    complete,
    reachable,
)
from services.journey_state import Journey
from services.poll_words import PollWords
from services.pollfile import Poll, Question
from services.screens import notice_text, outcome_text
from services.text_input import clean_text

log = logging.getLogger(__name__)


# --- the start ---------------------------------------------------------------------------


async def landing(request: web.Request) -> web.Response:
    """The privacy notice (the same words as Telegram's), the code field and Start."""
    browser = browser_of(request)
    found = await poll_of(request)
    if found is None:
        return unknown(request, browser)
    code, poll = found
    if poll.web == "off":
        return message_page(request, browser, REFUSED, [("web_not_offered", {})], poll=poll)
    not_open = await ctx_of(request).services.journey.not_open(code, browser.lang)
    if not_open is not None:  # closed, or not open yet: say so now, not after Start
        return message_page(request, browser, REFUSED, [not_open], poll=poll)
    typed = clean_text(request.query.get("code", ""))[:40]
    given = poll.web == "codes" and await _code_given(request, browser, code)
    return _landing(request, browser, code, poll, typed=typed, given=given)


async def _code_given(request: web.Request, browser: Browser, code: str) -> bool:
    """This browser's journey in poll ``code`` is under way with a voting code checked at
    Start: Back to the first page must not ask for the code again (WCAG 3.3.7)."""
    state = await ctx_of(request).services.journey.form_state(person_of(browser))
    return (
        state is not None
        and state.code == code
        and state.journey.voter is not None
        and not state.journey.preview
    )


def _landing(
    request: web.Request,
    browser: Browser,
    code: str,
    poll: Poll,
    *,
    typed: str = "",
    error: str | None = None,
    status: int = 200,
    given: bool = False,
) -> web.Response:
    services = ctx_of(request).services
    # The notice in the page's language, the poll's words in it marked with theirs
    notice = notice_text(services.catalog, poll, browser.lang, PollWords(poll, browser.lang))
    # The notice's title is the page's heading.
    head, _, rest = notice.partition("\n")
    title = head.replace("<b>", "").replace("</b>", "")  # escaped by the catalog
    notice_html = Markup(f"<h1>{title}</h1>") + paragraphs(rest)
    return page(
        request,
        browser,
        "landing.html",
        status=status,
        poll=poll,
        code=code,
        mode=poll.web,
        notice=notice_html,
        typed=typed,
        code_given=given,
        error=error,
        error_list=[("code", error)] if error else None,
        # a code field: the header's switch sends what was typed in it (see base.html), so a
        # code refused at Start, or half typed, stays in the box in the other language too
        switch_form=("start-form", f"/v/{code}/start", "web_start")
        if poll.web == "codes" and not given
        else None,
    )


async def start(request: web.Request) -> web.Response:
    """Start: check the code (codes mode), then begin the journey at question 1."""
    posted = await read_posted(request)
    if isinstance(posted, web.Response):
        return posted
    browser, form, code, poll = posted
    ctx = ctx_of(request)
    catalog = ctx.services.catalog
    voter = session = None
    if poll.web == "codes":
        typed = clean_text(form.get("code", ""))[:40]
        if form.get("switch"):  # the header's language switch (its ?lang= set the language):
            # the page again with the code typed, not checked (no try used up). With nothing
            # typed, or the poll closed since, the page's own address (a GET: Back and reload
            # work, and it says the poll closed)
            if not typed.strip() or await ctx.services.journey.not_open(code, browser.lang):
                return redirect(request, browser, f"/v/{code}")
            given = await _code_given(request, browser, code)
            return _landing(request, browser, code, poll, typed=typed, given=given)
        if not typed.strip():
            if await _code_given(request, browser, code):  # Back to the first page, then on
                return await to_step(request, browser)
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
    kept = None
    if poll.web == "open":  # one ballot per browser: its long-lived id, made on first Start
        kept = ctx.sessions.voter(request) or secrets.token_hex(16)
    refusal = await ctx.services.journey.begin(
        person_of(browser), code, browser.lang, voter=voter, session=session, browser=kept
    )
    if refusal is not None:
        key, params = refusal
        response = message_page(request, browser, REFUSED, [(key, params)], poll=poll)
    else:  # question 1, or where this voter's journey already was (Start again)
        response = await to_step(request, browser)
    if kept is not None:
        ctx.sessions.set_voter(response, kept)
    return response


# --- questions ---------------------------------------------------------------------------


def _index(request: web.Request, poll: Poll) -> int | None:
    raw = request.match_info["index"]
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses
    if not (raw.isascii() and raw.isdigit()) or int(raw) >= len(poll.questions):
        return None
    return int(raw)


async def question_page(request: web.Request) -> web.Response:
    browser = browser_of(request)
    state = await journey_state(request, browser)
    if isinstance(state, web.Response):
        return state
    index = _index(request, state.poll)
    if index is None or not reachable(state.poll, state.journey, index):
        return redirect(request, browser, step_url(state))
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
    field: str = "answer",
    notes: list[str] | None = None,
) -> web.Response:
    poll, j = state.poll, state.journey
    q = poll.questions[index]
    value = current if current is not None else j.answers.get(q.id)
    back = f"/v/{state.code}/q/{index - 1}" if index > 0 else f"/v/{state.code}"
    return page(
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
        error_list=[(field, error)] if error else None,
        error_field=field if error else None,
        notes=notes if notes is not None else j.notes if error is None else None,
        help_url=help_url(request, state),
        switch_form=("question-form", f"/v/{state.code}/q/{index}", "web_continue"),
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


def _place_field(place: int) -> str:
    """The id of a rank question's select for ``place`` (the first is the question's field)."""
    return "answer" if place == 1 else f"rank{place}"


def _rank_mistake(
    poll: Poll, q: Question, value: list[str] | str, services: Services, lang: str
) -> tuple[str, str] | None:
    """A gap, or an option in two places (the selects allow both): the place to change and
    what to do about it, so the error summary links to that select (WCAG 3.3.1, 3.3.3). The
    option is named as its select shows it: in English, marked so, on a Welsh page of a poll
    not wholly in Welsh."""
    catalog = services.catalog
    words = PollWords(poll, lang)
    places = value if isinstance(value, list) else [value]
    for place, option_id in enumerate(places, start=1):
        if not option_id:
            return _place_field(place), catalog.plain(lang, "web_rank_gap")
        option = q.option(option_id)
        if option is not None and option_id in places[: place - 1]:
            said = catalog.t(lang, "web_rank_repeat", option=words.html(option.label))
            return _place_field(place), Markup(said)
    return None


async def answer(request: web.Request) -> web.Response:
    browser = browser_of(request)
    form = await read_form(request, browser)
    if isinstance(form, web.Response):
        return form
    state = await journey_state(request, browser)
    if isinstance(state, web.Response):
        return state
    index = _index(request, state.poll)
    if (
        index is None
        or form.get("token") != state.journey.token
        or not reachable(state.poll, state.journey, index)
    ):  # an old page (as the service would say): where the journey is, before any mistake
        return redirect(request, browser, step_url(state))
    ctx = ctx_of(request)
    catalog = ctx.services.catalog
    q = state.poll.questions[index]
    skipped = q.optional and bool(form.get("skip"))  # "Skip this question": no answer
    empty: list[str] | str = [] if q.kind != "text" else ""  # no answer, as the service takes it
    value = empty if skipped else _value(q, form)
    if form.get("switch"):  # the header's language switch (its ?lang= set the language):
        # this question again, with what was typed or ticked, kept in the page and not saved;
        # nothing changed, the question's own address (a GET, as the link was: a page
        # answering a POST makes Back to it the browser's "Confirm Form Resubmission")
        if value == state.journey.answers.get(q.id, empty):
            return redirect(request, browser, f"/v/{state.code}/q/{index}")
        return _question(request, browser, state, index, current=value)
    mistake = (
        _rank_mistake(state.poll, q, value, ctx.services, browser.lang)
        if q.kind == "rank"
        else None
    )
    if mistake is not None:
        field, error = mistake
        return _question(
            request, browser, state, index, error=error, current=value, status=400, field=field
        )
    result = await ctx.services.journey.answer(
        person_of(browser), form.get("token", ""), index, value, lang=browser.lang
    )
    if result.ended is not None:
        key = "ineligible" if result.ended == INELIGIBLE else result.ended
        return message_page(request, browser, "web_ended_title", [(key, {})], poll=state.poll)
    if result.error in ("stale_page", "expired_journey"):
        return await to_step(request, browser)
    if result.error is not None:
        web_key = f"web_{result.error}"
        key = web_key if web_key in catalog.keys("en") else result.error
        error = catalog.plain(browser.lang, key, **result.params)
        status = 503 if result.unavailable else 400
        return _question(
            request,
            browser,
            state,
            index,
            error=error,
            current=value,
            status=status,
            notes=result.notes,
        )
    return await to_step(request, browser)


# --- check, send, done ---------------------------------------------------------------------


async def check_page(request: web.Request) -> web.Response:
    browser = browser_of(request)
    state = await journey_state(request, browser)
    if isinstance(state, web.Response):
        return state
    missing = complete(state.poll, state.journey)
    if missing is not None:
        return redirect(request, browser, f"/v/{state.code}/q/{missing}")
    services = ctx_of(request).services
    words = PollWords(state.poll, browser.lang)
    rows = []
    for i, q in enumerate(state.poll.questions):
        rows.append(
            {
                "question": words.text(q.text),
                "question_lang": words.lang(q.text),
                "question_html": words.html(q.text),  # inside the hidden "Change" sentence
                **_answer_lines(services, words, state.journey, q),
                "change_url": f"/v/{state.code}/q/{i}",
            }
        )
    last = len(state.poll.questions) - 1
    return page(
        request,
        browser,
        "check.html",
        poll=state.poll,
        code=state.code,
        rows=rows,
        token=state.journey.token,
        seen=answers_seen(state.journey),  # Send counts these answers only (another tab)
        back_url=f"/v/{state.code}/q/{last}",
        notes=state.journey.notes,
        help_url=help_url(request, state),
    )


def _answer_lines(services: Services, words: PollWords, j: Journey, q: Question) -> dict[str, Any]:
    """A check-page row's answer: its lines (each HTML, the poll's words marked where they
    are in another language than the page), and the language of their own typed words."""
    value = j.answers.get(q.id)
    page_lang = words.page_lang
    if not value:
        said = services.catalog.plain(page_lang, "no_answer")  # the service's words
        return {"lines": [escape(said)], "own_words": page_lang}
    if isinstance(value, str):  # their own words, in the language they were tagged with
        tag = str((j.text_langs.get(q.id) or ["und"])[0])
        # the language it was tagged with (Urdu, Polish...), else the page's (WCAG 3.1.2)
        own = tag if tag != "und" and tag.isascii() and tag.isalpha() else page_lang
        # shown on the lines it was typed on (HTML would fold them)
        return {"lines": [escape(line.strip()) for line in value.split("\n")], "own_words": own}
    labels = [words.html(o.label) if (o := q.option(oid)) else escape(oid) for oid in value]
    if q.kind == "rank":
        return {
            "lines": [Markup(f"{n}. ") + label for n, label in enumerate(labels, start=1)],
            "own_words": "",
        }
    return {"lines": [Markup(", ").join(labels)], "own_words": ""}


async def send(request: web.Request) -> web.Response:
    """Send my answers: counted once, whatever the clicks; then the confirmation page."""
    posted = await read_posted(request)
    if isinstance(posted, web.Response):
        return posted
    browser, form, code, poll = posted
    ctx = ctx_of(request)
    token = form.get("token", "")
    # Keyed by this browser and its journey (another browser's journey never matches), in
    # the database: with several processes the second click may reach another one.
    journey, person = ctx.services.journey, person_of(browser)
    if await journey.sent_poll(person, token) == code:  # a second click: the first counted it
        return redirect(request, browser, done_url(code, token))
    state = await journey.form_state(person)
    if state is not None and state.code != code:  # a form posted to another poll's address
        return await to_step(request, browser)
    seen = form.get("seen")  # the answers the check page showed (absent: not checked)
    result = await journey.submit(person, token, lang=browser.lang, seen=seen)
    if result in (CastResult.COUNTED, CastResult.ALREADY_VOTED):
        if result is CastResult.COUNTED:
            return redirect(request, browser, done_url(code, token))
        # With codes the voter is the code: another browser sent a ballot with it first.
        said = "web_code_used" if poll.web == "codes" else "already_voted"
        return message_page(request, browser, REFUSED, [(said, {})], poll=poll)
    if result is CastResult.POLL_CLOSED:
        return message_page(request, browser, REFUSED, [("closed_before_submit", {})], poll=poll)
    if isinstance(result, int):
        return redirect(request, browser, f"/v/{code}/q/{result}")
    if result == "submit_failed":  # nothing kept, and the answers are all still there
        back = (f"/v/{code}/check", ctx.services.catalog.plain(browser.lang, "web_check_title"))
        return message_page(
            request,
            browser,
            "web_try_again_title",
            [("web_submit_failed", {})],
            status=503,
            link=back,
        )
    if await journey.sent_poll(person, token) == code:  # waited for the first to count it
        return redirect(request, browser, done_url(code, token))
    return await to_step(request, browser)


async def done(request: web.Request) -> web.Response:
    """The "Your vote is counted" page, only to the browser whose journey was just counted here: an
    address typed, bookmarked or forged (or a journey not sent yet) goes where the browser
    really is, its unfinished journey or the poll's start page."""
    browser = browser_of(request)
    found = await poll_of(request)
    if found is None:
        return unknown(request, browser)
    code, poll = found
    services = ctx_of(request).services
    person = person_of(browser)
    token = request.query.get("j", "")
    if await services.journey.sent_poll(person, token) != code:
        state = await services.journey.form_state(person)
        if state is not None and state.code == code:
            return redirect(request, browser, step_url(state))
        return redirect(request, browser, f"/v/{code}")
    catalog = services.catalog
    # after signposting the offer stays to the end, on this page too (as in Telegram)
    offer = services.contacts.available and await services.journey.sent_with_help(person, token)
    offer_url = f"/v/{code}/help" if offer else None
    # The organiser line and the outcome in the page's language (as on the start page), the
    # poll's own words in them marked when in another language (WCAG 3.1.2).
    words = PollWords(poll, browser.lang)
    organiser = catalog.t(
        browser.lang, "notice_organiser", organiser=words.plain_html(poll.organiser)
    )
    outcome = outcome_text(catalog, poll, browser.lang, words)
    poll_words = (paragraphs(organiser) if poll.organiser else Markup("")) + paragraphs(
        outcome if isinstance(outcome, Markup) else html.escape(outcome, quote=False)
    )
    body = [
        paragraphs(f"<b>{catalog.t(browser.lang, 'web_done_next')}</b>"),
        poll_words,
        paragraphs(catalog.t(browser.lang, "web_done_close")),
    ]
    return page(
        request,
        browser,
        "message.html",
        poll=poll,
        title=catalog.plain(browser.lang, "web_done_title"),
        panel=True,
        panel_body=catalog.plain(browser.lang, "web_done"),
        body=body,
        link=None,
        help_url=offer_url,
    )


async def stop_page(request: web.Request) -> web.Response:
    """ "Stop and delete my answers" asks first: one press deleted every answer given, with no
    way back (WCAG 3.3.4). Yes posts to /cancel; No goes back to where the journey is."""
    browser = browser_of(request)
    state = await journey_state(request, browser)
    if isinstance(state, web.Response):
        return state
    return page(
        request,
        browser,
        "stop.html",
        poll=state.poll,
        code=state.code,
        back_url=step_url(state),
        help_url=help_url(request, state),  # after signposting, here too: they may be leaving
    )


async def cancel(request: web.Request) -> web.Response:
    browser = browser_of(request)
    form = await read_form(request, browser)
    if isinstance(form, web.Response):
        return form
    found = await poll_of(request)
    journey, person = ctx_of(request).services.journey, person_of(browser)
    state = await journey.form_state(person)
    if state is not None and found is not None and state.code != found[0]:
        # an old page of another poll (another tab): Stop there stops nothing; on to where
        # the browser's journey is
        return redirect(request, browser, step_url(state))
    await journey.cancel(person)
    link = None
    if found is not None:
        link = (f"/v/{found[0]}", ctx_of(request).services.catalog.plain(browser.lang, "web_start"))
    return message_page(request, browser, "web_cancelled_title", [("web_cancelled", {})], link=link)


def routes() -> list[web.RouteDef]:
    return [
        web.get(r"/v/{code}", landing),
        web.post(r"/v/{code}/start", start),
        web.get(r"/v/{code}/q/{index}", question_page),
        web.post(r"/v/{code}/q/{index}", answer),
        web.get(r"/v/{code}/check", check_page),
        web.post(r"/v/{code}/send", send),
        web.get(r"/v/{code}/done", done),
        web.get(r"/v/{code}/stop", stop_page),
        web.post(r"/v/{code}/cancel", cancel),
    ]
