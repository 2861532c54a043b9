"""The held-out corpora (tests/data/heldout) load and are well-formed.

They were written before any tuning and are scored elsewhere, once per change; this file checks
only their shape, so a broken edit cannot quietly change what a score means. It asserts no
detection rate on purpose.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

HELDOUT = Path(__file__).parent / "data" / "heldout"
LANGS = {"en", "cy"}
SAFEGUARDING_LABELS = {"disclosure", "worry", "ordinary"}
SCRUB_LABELS = {"personal", "clean"}
KINDS = {"name", "email", "phone", "url", "handle", "postcode", "address", "school"}
THEMES = {
    "mental-health",
    "bullying",
    "safe-places",
    "activities",
    "transport",
    "school-pressure",
    "money",
    "climate",
    "housing",
    "jobs",
    "community-safety",
}
THEME_CATEGORIES = {"single", "multi", "none"}
CATEGORY = re.compile(r"^[a-z][a-z0-9-]*$")
FILES = ("safeguarding", "scrub", "themes")


def _items(name: str) -> list[dict[str, Any]]:
    return yaml.safe_load((HELDOUT / f"{name}.yaml").read_text(encoding="utf-8"))["items"]


def _common(item: dict[str, Any]) -> None:
    assert isinstance(item["text"], str) and item["text"].strip() == item["text"] != ""
    assert item["lang"] in LANGS
    assert CATEGORY.match(item["category"]), item


@pytest.mark.parametrize("name", FILES)
def test_each_file_says_it_is_held_out_and_has_no_duplicate_texts(name: str) -> None:
    raw = (HELDOUT / f"{name}.yaml").read_text(encoding="utf-8")
    assert "never to be tuned on" in raw.split("items:")[0]
    texts = [" ".join(item["text"].lower().split()) for item in _items(name)]
    repeated = [text for text, n in Counter(texts).items() if n > 1]
    assert not repeated


def test_no_text_is_in_two_files() -> None:
    seen: dict[str, str] = {}
    for name in FILES:
        for item in _items(name):
            key = " ".join(item["text"].lower().split())
            assert seen.setdefault(key, name) == name, (key, seen[key], name)


def test_safeguarding_items() -> None:
    items = _items("safeguarding")
    for item in items:
        assert set(item) == {"text", "lang", "label", "category"}, item
        _common(item)
        assert item["label"] in SAFEGUARDING_LABELS
    by_label = Counter(item["label"] for item in items)
    welsh = Counter(item["label"] for item in items if item["lang"] == "cy")
    assert by_label["disclosure"] >= 80 and by_label["worry"] >= 50 and by_label["ordinary"] >= 80
    assert welsh["disclosure"] >= 0.3 * by_label["disclosure"]
    assert welsh["worry"] >= 0.25 * by_label["worry"]
    assert welsh["ordinary"] >= 0.25 * by_label["ordinary"]


def _mask(text: str, details: list[str]) -> str:
    """The text as a scrubber that removed exactly `details` would leave it."""
    for detail in sorted(details, key=len, reverse=True):
        text = text.replace(detail, "\0")
    return text


def test_scrub_items() -> None:
    items = _items("scrub")
    for item in items:
        assert set(item) == {"text", "lang", "label", "category", "details", "kinds"}, item
        _common(item)
        details, kinds = item["details"], item["kinds"]
        assert len(details) == len(kinds)
        assert set(kinds) <= KINDS, item
        assert item["label"] == ("personal" if details else "clean"), item
        for detail in details:
            assert detail and detail in item["text"], (detail, item["text"])
        # Every spelling of a detail is listed, so "the detail did not survive" is well defined.
        left = _mask(item["text"], details).lower()
        assert not [d for d in details if d.lower() in left], item["text"]
    by_label = Counter(item["label"] for item in items)
    assert by_label["personal"] >= 100 and by_label["clean"] >= 80


def test_theme_items() -> None:
    items = _items("themes")
    for item in items:
        assert set(item) == {"text", "lang", "themes", "category"}, item
        _common(item)
        themes = item["themes"]
        assert set(themes) <= THEMES and len(set(themes)) == len(themes), item
        assert item["category"] in THEME_CATEGORIES
        expected = "none" if not themes else "single" if len(themes) == 1 else "multi"
        assert item["category"] == expected, item
    assert len(items) >= 180
    assert sum(item["lang"] == "cy" for item in items) >= 0.3 * len(items)
    assert {t for item in items for t in item["themes"]} == THEMES


@pytest.mark.parametrize("name", FILES)
def test_readme_counts_match_the_file(name: str) -> None:
    readme = (HELDOUT / "README.md").read_text(encoding="utf-8")
    items = _items(name)
    english = sum(item["lang"] == "en" for item in items)
    section = readme.split(f"### {name}.yaml")[1]
    assert f"| **all** | {english} | {len(items) - english} | {len(items)} |" in section
