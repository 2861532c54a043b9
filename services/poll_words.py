"""A poll's own words as a page shows them, with the language they are in (WCAG 2.2 3.1.2,
language of parts; the Welsh Language Standards).

A page in a language the whole poll is written in shows the poll in that language; a Welsh
page of a poll not wholly in Welsh shows the poll's English (never a mix of the two within one
poll). Any single text without the chosen language (an option's description, say) falls back
to English. Wherever the words shown are not in the page's language, they are marked: an
element's ``lang`` attribute (``lang``), or a ``<span lang>`` inside the page's own sentence
(``html``). The web ballot, the results site and the dashboard all mark poll text through this.
"""

from __future__ import annotations

import unicodedata

from markupsafe import Markup, escape

from services.pollfile import Poll


def poll_language(poll: Poll | None, page_lang: str) -> str:
    """The language a page in ``page_lang`` shows ``poll``'s words in."""
    return page_lang if poll is None or page_lang in poll.languages() else "en"


def shown(text: dict[str, str] | None, lang: str) -> tuple[str, str]:
    """``text`` in ``lang``, English where it has none, and the language of what is given."""
    if not text:
        return "", lang
    if text.get(lang):
        return text[lang], lang
    return text["en"], "en"


def right_to_left(text: str) -> bool:
    """Whether ``text`` holds right-to-left letters (Hebrew, Arabic, Urdu...)."""
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def marked(text: str, text_lang: str, page_lang: str) -> Markup:
    """``text``, escaped, inside ``<span lang>`` when it is not in the page's language; in
    ``<bdi>`` when it holds right-to-left letters, so the sentence around it keeps its order
    (a figure after such words would otherwise join their right-to-left run)."""
    if not text:
        return escape(text)
    tag = "bdi" if right_to_left(text) else "span"
    if text_lang == page_lang:
        return Markup("<bdi>{}</bdi>").format(text) if tag == "bdi" else escape(text)
    return Markup('<{} lang="{}">{}</{}>').format(tag, text_lang, text, tag)


class PollWords:
    """A poll's texts for one page: what it shows, in which language, marked for the page."""

    def __init__(self, poll: Poll | None, page_lang: str) -> None:
        self.page_lang = page_lang
        self.poll_lang = poll_language(poll, page_lang)  # the poll's own language on the page

    def text(self, value: dict[str, str] | None) -> str:
        """The words of ``value`` the page shows (plain, not escaped)."""
        return shown(value, self.poll_lang)[0]

    def lang(self, value: dict[str, str] | None) -> str:
        """The language of those words: for the ``lang`` attribute of the element they fill."""
        return shown(value, self.poll_lang)[1]

    def html(self, value: dict[str, str] | None) -> Markup:
        """Those words for inside the page's own sentence: escaped, marked when they are in
        another language than the page."""
        return marked(*shown(value, self.poll_lang), self.page_lang)

    def plain_html(self, text: str) -> Markup:
        """A poll's text that has one language only (its organiser's name): the poll's."""
        return marked(text, self.poll_lang, self.page_lang)
