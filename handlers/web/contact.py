"""The web's "I'd like an adult to contact me": the same contact-request service as Telegram
(explain, type, check, send only what was checked), offered after signposting."""

from __future__ import annotations

import html
import logging
import re
from typing import Any

from aiohttp import web

from handlers.web.common import (
    browser_of,
    ctx_of,
    done_url,
    message_page,
    page,
    person_of,
    poll_of,
    read_posted,
    redirect,
    spawn,
    step_url,
)
from handlers.web.render import paragraphs
from handlers.web.session import Browser
from services.contact_requests import ASK, MAX_DETAIL_CHARS, SEND
from services.journey import Person
from services.text_input import clean_text

log = logging.getLogger(__name__)


# --- "I'd like an adult to contact me" ------------------------------------------------------

# The pages that end a request, by the name the language switch keeps in its address
# (``/v/CODE/help?said=not-sent&lang=cy``): the page a GET of /help would show is the form,
# asking again, so the switch names the page instead; with the link back each one offers.
_SAID = {
    "sent": ("contact_sent", "/v/{code}/done"),
    "not-sent": ("contact_not_sent", "/v/{code}"),
    "nothing-waiting": ("web_contact_nothing_waiting", "/v/{code}"),
}
_SAID_BY_KEY = {key: said for said, (key, _) in _SAID.items()}


async def _contact_page(
    request: web.Request,
    browser: Browser,
    code: str,
    *,
    detail: str = "",
    error: str | None = None,
    status: int = 200,
    unchecked: bool = False,
) -> web.Response:
    services = ctx_of(request).services
    person = person_of(browser)
    back = await _back(request, person, code, f"/v/{code}")
    # typed and not checked (a language switch carrying new words): no check page, whose Send
    # would send the version checked before
    checking = None if unchecked else await services.contacts.checking(person)
    version = checking[0] if checking is not None else None
    if checking is not None and not detail and not error:  # shown again: what Send sends
        detail = checking[1]
    said = services.catalog.t(browser.lang, "contact_ask", max_length=MAX_DETAIL_CHARS)
    # Its bold first line is Telegram's heading; here the page's h1 (web_contact_title) says it.
    head, _, rest = said.strip().partition("\n")
    ask = paragraphs(rest if head.startswith("<b>") and head.endswith("</b>") else said)
    return page(
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
        switch_form=("contact-form", f"/v/{code}/help", "web_contact_check_button"),
    )


async def _back(request: web.Request, person: Person, code: str, default: str) -> str:
    """Back to the poll: where the journey is, or the confirmation of the one just sent (with
    its token: /done without it leads to the poll's start page), or ``default``."""
    journey = ctx_of(request).services.journey
    state = await journey.form_state(person)
    if state is not None:
        return step_url(state)
    sent = await journey.sent_token(person, code)
    return done_url(code, sent) if sent is not None else default


async def contact_start(request: web.Request) -> web.Response:
    """The offer's link: explain who will see what, and ask how to reach them."""
    browser = browser_of(request)
    found = await poll_of(request)
    services = ctx_of(request).services
    if found is None or not services.contacts.available:
        raise web.HTTPNotFound()
    person = person_of(browser)
    said = await _said_again(request, person)
    if said is not None:  # the language switch on a page that ended a request
        key, back = _SAID[said]
        return await _contact_said(request, browser, key, back.format(code=found[0]))
    if await services.contacts.limit_reached(person):
        return message_page(request, browser, "web_contact_title", [("contact_limit", {})])
    if await services.contacts.version(person) is None:  # not part-way through one already
        await services.contacts.ask(person, browser.lang, f"{ASK}:{found[0]}")
    return await _contact_page(request, browser, found[0])


async def _said_again(request: web.Request, person: Person) -> str | None:
    """The ending page (``_SAID``) an address names, when it is still true for this person:
    nothing waiting, and for "passed on" a request sent today; else None (the form). So a
    link naming "passed on" never tells someone who sent nothing that an adult has it."""
    said = request.query.get("said", "")
    if said not in _SAID:
        return None
    contacts = ctx_of(request).services.contacts
    if await contacts.waiting(person):
        return None
    if said == "sent" and not await contacts.sent_today(person):
        return None
    return said


async def _contact_form(request: web.Request) -> tuple[Browser, dict[str, Any], str] | web.Response:
    """A contact-request form posted: (browser, form, poll code), or the page that answers it
    (no cookie, a forged form); a poll or a lead that isn't there is a page not found."""
    posted = await read_posted(request)
    if isinstance(posted, web.Response):
        return posted
    if not ctx_of(request).services.contacts.available:
        raise web.HTTPNotFound()
    browser, form, code, _ = posted
    return browser, form, code


async def _contact_said(
    request: web.Request, browser: Browser, key: str, back_default: str
) -> web.Response:
    """Say ``key``, with a link back to where the journey is (or ``back_default``)."""
    services = ctx_of(request).services
    code = request.match_info["code"]
    back = await _back(request, person_of(browser), code, back_default)
    label = services.catalog.plain(browser.lang, "web_contact_back")
    # titled by what happened where the catalog says it ("Nothing was sent"), so the first
    # words a screen reader says after Send it are not the form's again (WCAG 2.4.2)
    own = f"web_title_{key}"
    title = own if own in services.catalog.keys("en") else "web_contact_title"
    said = _SAID_BY_KEY.get(key)
    return message_page(
        request,
        browser,
        title,
        [(key, {})],
        link=(back, label),
        # its address is a form's (or /help, the form): the switch names this page instead
        switch_keep={"said": said} if said else None,
    )


async def contact_typed(request: web.Request) -> web.Response:
    """Their detail, shown back to check (kept in memory only until Send)."""
    posted = await _contact_form(request)
    if isinstance(posted, web.Response):
        return posted
    browser, form, code = posted
    services = ctx_of(request).services
    detail = clean_text(form.get("detail", ""))
    if form.get("switch"):  # the header's language switch (its ?lang= set the language): the
        # form again, with what was typed, kept in the page and not checked or saved; nothing
        # typed, or the very words being checked, the form's own address (a GET: Back works)
        checking = await services.contacts.checking(person_of(browser))
        if detail.strip() == (checking[1].strip() if checking is not None else ""):
            return redirect(request, browser, f"/v/{code}/help")
        return await _contact_page(request, browser, code, detail=detail, unchecked=True)
    outcome = await services.contacts.typed(person_of(browser), browser.lang, detail, as_page=True)
    if outcome is None:
        return await _contact_said(request, browser, "web_contact_nothing_waiting", f"/v/{code}")
    if await services.contacts.version(person_of(browser)) is None or not detail.strip():
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
    ctx = ctx_of(request)
    version = SEND + form.get("version", "")
    outcome, lead = await ctx.services.contacts.send(person_of(browser), browser.lang, version)
    if lead is None:
        if outcome.toast:  # an older version: show the newest to check again
            return await _contact_page(request, browser, code)
        return await _contact_said(request, browser, "web_contact_nothing_waiting", f"/v/{code}")
    if ctx.contact is not None:
        spawn(ctx.contact(lead))  # else the janitor's next round posts it
    return await _contact_said(request, browser, "contact_sent", f"/v/{code}/done")


async def contact_withdraw(request: web.Request) -> web.Response:
    """Don't send anything: what they typed is forgotten."""
    posted = await _contact_form(request)
    if isinstance(posted, web.Response):
        return posted
    browser, _, code = posted
    await ctx_of(request).services.contacts.withdraw(person_of(browser), browser.lang)
    return await _contact_said(request, browser, "contact_not_sent", f"/v/{code}")


def routes() -> list[web.RouteDef]:
    return [
        web.get(r"/v/{code}/help", contact_start),
        web.post(r"/v/{code}/help", contact_typed),
        web.post(r"/v/{code}/help/send", contact_send),
        web.post(r"/v/{code}/help/withdraw", contact_withdraw),
    ]
