"""Every user-facing text, per language, with named placeholders.

Texts are Telegram HTML. Placeholder values are escaped here, so a poll title or an answer can
never break the markup or inject a link.
"""

from __future__ import annotations

import html
import string
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

DEFAULT_LANGUAGE = "en"
LANGUAGES = ("en", "cy")


class Catalog:
    """Looks texts up by key and language, falling back to English."""

    def __init__(self, texts: dict[str, dict[str, str]]) -> None:
        self._texts = texts
        self.languages = tuple(lang for lang in LANGUAGES if lang in texts)

    def raw(self, lang: str, key: str) -> str:
        table = self._texts.get(lang) or self._texts[DEFAULT_LANGUAGE]
        text = table.get(key)
        if text is None:
            text = self._texts[DEFAULT_LANGUAGE][key]
        return text

    def t(self, lang: str, key: str, /, **params: object) -> str:
        """The text for ``key`` with HTML-escaped ``params`` filled in (a value that is HTML
        already, markupsafe's Markup, goes in as it is: a poll's words marked with their
        language, see services/poll_words.py)."""
        text = self.raw(lang, key)
        if not params:
            return text
        return text.format_map({k: _escaped(v) for k, v in params.items()})

    def plain(self, lang: str, key: str, /, **params: object) -> str:
        """The text for places without markup (buttons, CLI); params are not escaped."""
        return self.raw(lang, key).format_map(params) if params else self.raw(lang, key)

    def both(self, key: str) -> dict[str, str]:
        """The text in every language: for labels stored inside poll definitions."""
        return {lang: self.raw(lang, key) for lang in self.languages}

    def keys(self, lang: str) -> set[str]:
        return set(self._texts.get(lang, {}))


def _escaped(value: object) -> str:
    markup = getattr(value, "__html__", None)
    return markup() if callable(markup) else html.escape(str(value), quote=False)


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders in a text."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def _load(path: Path | resources.abc.Traversable) -> dict[str, str]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise ValueError(f"{path}: expected a mapping of key to text")
    return {str(k): v.strip() for k, v in data.items()}


@cache
def load_catalog() -> Catalog:
    """The shipped catalog (read once per process)."""
    root = resources.files(__name__)
    texts = {}
    for lang in LANGUAGES:
        res = root / f"{lang}.yaml"
        if res.is_file():
            texts[lang] = _load(res)
    return Catalog(texts)


def template_paths() -> list[Path]:
    """The poll templates shipped in prompts/polls/."""
    root = Path(str(resources.files(__name__) / "polls"))
    return sorted(root.glob("*.yaml"))
