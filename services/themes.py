"""Tag free-text answers with themes from the codebook in prompts/themes.yaml."""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml


@cache
def codebook() -> dict[str, tuple[dict[str, str], re.Pattern[str]]]:
    """theme id -> (labels per language, one pattern over its words)."""
    data = yaml.safe_load((resources.files("prompts") / "themes.yaml").read_text("utf-8"))
    book = {}
    for theme, entry in data.items():
        words = sorted((str(w) for w in entry["words"]), key=len, reverse=True)
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + ")", re.I)
        book[str(theme)] = (dict(entry["label"]), pattern)
    return book


def themes_of(text: str) -> list[str]:
    """The themes an answer touches, in codebook order (zero or more)."""
    return [theme for theme, (_, pattern) in codebook().items() if pattern.search(text)]
