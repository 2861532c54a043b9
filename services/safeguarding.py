"""Spot answers that suggest a young person may not be safe, so they can be signposted to help.

This is not monitoring and it identifies no one: it reads only the (already scrubbed) text of
an answer as it is given, and a match never discards the answer or the vote.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml


@cache
def _patterns() -> re.Pattern[str]:
    data = yaml.safe_load(
        (resources.files("prompts") / "safeguarding.yaml").read_text(encoding="utf-8")
    )
    phrases = [p for lang in sorted(data) for p in data[lang]]
    return re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in phrases) + r")\b", re.IGNORECASE)


def concerning(text: str) -> bool:
    """Whether the text matches any phrase in prompts/safeguarding.yaml."""
    normalised = re.sub(r"[’`´]", "'", text)
    return _patterns().search(normalised) is not None
