"""What a worker hands the results site besides the polls: a national top-issues list, and a
"You said, we did" text in Markdown.

Both come from outside the database, so both are checked here before they reach a page: the
national list is validated like a poll file (errors name the field and the line), and the
Markdown is rendered with raw HTML off, images off and only http(s), mailto-free, relative or
in-page links, so a pasted ``<script>`` or ``javascript:`` link ends up as inert text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from services.pollfile import (
    HALF_CHARACTER,
    SLUG,
    Localized,
    _check_localized,
    _describe,
    _line_map,
    _PollLoader,
    _texts_matching,
    _yaml_problem,
)

MAX_SAID_DID = 50_000  # characters: a page of news, not a book
MAX_ISSUES = 30


class InputError(Exception):
    """A site input could not be used; the message says which file and why, in one line."""


# --- the national list ---------------------------------------------------------------------


class NationalIssue(BaseModel):
    """One issue of a national (or regional) vote, as its organisers published it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: Localized
    votes: int | None = Field(default=None, ge=0)
    percent: float | None = Field(default=None, ge=0, le=100)

    @field_validator("label")
    @classmethod
    def _texts(cls, value: dict[str, str]) -> dict[str, str]:
        return _check_localized(value)


class National(BaseModel):
    """A national top-issues list for one campaign tag, placed beside the local polls."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tag: str = Field(pattern=SLUG)
    title: Localized
    source: Localized | None = None  # who published it, when: shown as text, never a link
    issues: tuple[NationalIssue, ...] = Field(min_length=1, max_length=MAX_ISSUES)

    @field_validator("title", "source")
    @classmethod
    def _texts(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return None if value is None else _check_localized(value)

    @model_validator(mode="after")
    def _figures(self) -> National:
        missing = [i for i, issue in enumerate(self.issues) if issue.votes is issue.percent is None]
        if missing and len(missing) != len(self.issues):
            raise ValueError(
                f"issues {missing} have neither 'votes' nor 'percent'; give them for every "
                "issue or for none (then only the order is shown)"
            )
        return self

    def small_votes(self, min_cell: int) -> list[str]:
        """Issues whose vote count is under the threshold: the site publishes none."""
        return [
            i.label["en"] for i in self.issues if i.votes is not None and 0 < i.votes < min_cell
        ]


class _NationalLoader(_PollLoader):
    """A poll file's loader (no aliases, no deep nesting), for a national list."""

    what = "a national list"


def load_national(path: Path) -> National:
    """Read and validate a national list (YAML); raise InputError naming file, field, line."""
    try:
        text = path.read_text(encoding="utf-8")
        data: Any = yaml.load(text, Loader=_NationalLoader)  # a SafeLoader
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the file ({exc})") from None
    except yaml.YAMLError as exc:  # one line, as a poll file's: where, and what is wrong
        raise InputError(f"{path}: {_yaml_problem(exc)}") from None
    broken = list(_texts_matching(data, ()))
    if broken:  # "\ud800" in quotes: half a character, which no page can hold
        lines = _line_map(text)
        where = ", ".join(f"line {lines.get(loc, 1)}" for loc in broken)
        raise InputError(f"{path}: {where}: {HALF_CHARACTER}")
    try:
        return National.model_validate(data)
    except ValidationError as exc:
        lines = _line_map(text)
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            line = next((lines[loc[:n]] for n in range(len(loc), -1, -1) if loc[:n] in lines), 0)
            where = f"line {line}: " if line else ""
            msg = err["msg"].removeprefix("Value error, ")
            problems.append(f"{where}{_describe(loc, data)}: {msg}")
        raise InputError(f"{path}: " + "; ".join(problems)) from None


# --- "You said, we did" ----------------------------------------------------------------------


def _safe_link(url: str) -> bool:
    """Only web links (http, https), links inside the site and in-page anchors: no
    ``javascript:``, ``data:``, ``vbscript:``, ``file:`` or protocol-relative ``//host``."""
    url = url.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    if parts.scheme:
        return parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
    return not parts.netloc and not url.startswith(("//", "\\"))


def _markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.disable("image")  # an image is a request to someone else's server
    md.validateLink = _safe_link  # type: ignore[method-assign]

    def shift_headings(state: Any) -> None:
        """'# Heading' sits under the page's own h1: every heading one level down, and at
        most one below the heading before it ("### Buses" first is an h2, not an h4 under
        the h1: a screen reader's list of headings would show a gap)."""
        level = 1  # the page's h1 (on the overview, the section's h2 takes an h2 beside it)
        for token in state.tokens:
            if token.type == "heading_open":
                level = min(int(token.tag[1]) + 1, level + 1, 6)
                token.tag = f"h{level}"
            elif token.type == "heading_close":
                token.tag = f"h{level}"

    md.core.ruler.push("shift_headings", shift_headings)

    def link_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
        href = str(tokens[idx].attrGet("href") or "")
        if urlsplit(href).scheme:  # a page elsewhere: it gets nothing of ours
            tokens[idx].attrSet("rel", "noopener noreferrer")
        return str(self.renderToken(tokens, idx, options, env))

    md.add_render_rule("link_open", link_open)
    return md


_MD = _markdown()


def render_markdown(text: str) -> Markup:
    """A worker's Markdown as HTML that cannot run or fetch anything (see the module doc)."""
    if len(text) > MAX_SAID_DID:
        raise InputError(f"the text is {len(text):,} characters; keep it under {MAX_SAID_DID:,}")
    return Markup(_MD.render(text))


def read_said_did(path: Path) -> tuple[str, str]:
    """(language, Markdown) of a "You said, we did" file: ``NAME.cy.md`` is Welsh, any other
    name English. The text is checked (and rendered once) so a bad file fails before writing."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the file ({exc})") from None
    try:
        render_markdown(text)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None
    lang = "cy" if path.name.lower().endswith((".cy.md", ".cy.markdown", ".cy.txt")) else "en"
    return lang, text
