"""The language each text of a page is marked as (WCAG 3.1.2, language of parts): for tests of
the web ballot, the results site and the dashboard."""

from __future__ import annotations

from html.parser import HTMLParser

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}


class _Langs(HTMLParser):
    """Each text of a page's body with the language it is marked as (the nearest lang=)."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[tuple[str, str]] = []
        self.texts: list[tuple[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            return
        lang = dict(attrs).get("lang") or (self.stack[-1][1] if self.stack else "")
        self.stack.append((tag, lang or ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # <path/> and the like in an SVG: no text, nothing to close

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or all(t != tag for t, _ in self.stack):
            return
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if data.strip() and not any(t in ("title", "style") for t, _ in self.stack):
            self.texts.append((" ".join(data.split()), self.stack[-1][1] if self.stack else ""))


def marked(page_html: str) -> list[tuple[str, str]]:
    """(text, language it is marked as) for every text outside <title> and <style>."""
    parser = _Langs()
    parser.feed(page_html)
    return parser.texts


def assert_poll_words_marked(page_html: str, words: list[str], lang: str, where: str) -> int:
    """Every text holding one of the poll's ``words`` sits in an element marked ``lang``;
    returns how many such texts the page has."""
    found = 0
    for text, marked_as in marked(page_html):
        if any(w in text for w in words):
            found += 1
            assert marked_as == lang, f"{where}: {text!r} is marked {marked_as!r}, not {lang!r}"
    return found
