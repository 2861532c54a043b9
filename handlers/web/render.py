"""Pages from templates: Jinja2 with autoescaping, texts from the catalog, nothing inline.

Catalog texts carry a little HTML (<b>, <i>) with their parameters escaped by the catalog, so
they are marked safe here and split into paragraphs; everything else is escaped by Jinja.
"""

from __future__ import annotations

import re
from typing import Any

from aiohttp import web
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from services.container import Services
from services.poll_words import PollWords
from services.pollfile import Poll

_BLANK = re.compile(r"\n\s*\n")
# A page shown in answer to a form has no address of its own to show again in the other
# language (a GET there is a 405): its language switch leads to the page for the same place.
_AFTER_POST = (
    (re.compile(r"^(/v/[^/]+)/send$"), r"\1/check"),
    (re.compile(r"^(/v/[^/]+)/(?:start|cancel)$"), r"\1"),
    (re.compile(r"^(/v/[^/]+/help)/(?:send|withdraw)$"), r"\1"),
    (re.compile(r"^/dashboard/logout$"), "/dashboard"),
)


def page_for_form(path: str) -> str | None:
    """The page a GET shows for the place a form's address (``path``) answers, or None when
    ``path`` is not a form's (see _AFTER_POST)."""
    for pattern, target in _AFTER_POST:
        if pattern.match(path):
            return pattern.sub(target, path)
    return None


def switch_url(request: web.Request, lang: str, keep: dict[str, str] | None = None) -> str:
    """The address of this page in ``lang``: the same one, or after a form the page a GET
    shows for the same place (see _AFTER_POST), with ``keep`` (what the form had that the
    page a GET shows can take back, such as a voting code typed) in its query."""
    url = request.rel_url
    if request.method != "GET":
        place = page_for_form(request.path)
        if place is not None:
            url = url.with_path(place)
    return str(url.update_query({**(keep or {}), "lang": lang}))


def paragraphs(text: str) -> Markup:
    """A catalog text as HTML paragraphs: blank lines part paragraphs, single newlines break
    lines, and a run of "• " lines becomes a list."""
    out = []
    for block in _BLANK.split(text.strip()):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        bullets = [line for line in lines if line.startswith("• ")]
        rest = [line for line in lines if not line.startswith("• ")]
        if rest:
            out.append("<p>" + "<br>".join(rest) + "</p>")
        if bullets:
            items = "".join(f"<li>{line[2:]}</li>" for line in bullets)
            out.append(f'<ul class="list">{items}</ul>')
    return Markup("\n".join(out))


class Renderer:
    """Renders a named template in a language, with the helpers every page uses."""

    def __init__(self, services: Services, contact: str | None = None) -> None:
        self._catalog = services.catalog
        self.contact = contact  # the council's, for the accessibility statement
        self._env = Environment(
            loader=PackageLoader("handlers.web", "templates"),
            autoescape=select_autoescape(default=True),
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def page(
        self,
        request: web.Request,
        template: str,
        lang: str,
        *,
        status: int = 200,
        poll: Poll | None = None,
        switch_keep: dict[str, str] | None = None,
        **values: Any,
    ) -> web.Response:
        catalog = self._catalog

        def t(key: str, **params: object) -> Markup:
            return Markup(catalog.t(lang, key, **params))

        def p(key: str, **params: object) -> Markup:
            return paragraphs(catalog.t(lang, key, **params))

        # Texts of a poll not wholly in Welsh stay English: say so to screen readers, on every
        # element a poll's words fill (lang="{{ text_lang(...) }}") or around them inside the
        # page's own sentence (poll_html).
        words = PollWords(poll, lang)
        other = "cy" if lang == "en" else "en"
        html = self._env.get_template(template).render(
            lang=lang,
            other_lang=other,
            switch_url=switch_url(request, other, switch_keep),
            t=t,
            p=p,
            poll=poll,
            poll_lang=words.poll_lang,
            poll_text=words.text,
            text_lang=words.lang,
            poll_html=words.html,
            paragraphs=paragraphs,
            escape=escape,
            contact=self.contact,
            **values,
        )
        return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")
