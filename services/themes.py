"""Tag free-text answers with themes: the codebook's keywords (prompts/themes.yaml) and a model.

Keywords are what a council can read and change; the model (prompts/models/themes.json, built
by bench/textmodels_build.py from tests/data/themes_train.yaml) catches paraphrase ("cant afford
the bus" -> money, transport). Welsh keywords are matched in every mutated form, and the model
reads Welsh words under their radicals too (services/textmodel.py), so "gormod o waith cartref"
is school pressure like "gwaith cartref".
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

import yaml

from services import textmodel
from services.safeguarding import _trie, normalise

# radical start -> its mutated starts (soft, nasal, aspirate), longest radicals first
_MUTATED: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ch", ()),
    ("ph", ()),
    ("th", ()),
    ("dd", ()),
    ("ng", ()),
    ("ll", ("l",)),
    ("rh", ("r",)),
    ("c", ("g", "ch", "ngh")),
    ("p", ("b", "ph", "mh")),
    ("t", ("d", "th", "nh")),
    ("g", ("", "ng")),
    ("b", ("f", "m")),
    ("d", ("dd", "n")),
    ("m", ("f",)),
)
_MIN_MUTATED = 4  # "gang" -> "ang" would match "angry": short mutated forms are left out


def mutations(word: str) -> list[str]:
    """A Welsh keyword in every mutated form of its first letter(s), itself first."""
    forms = [word]
    for radical, starts in _MUTATED:
        if word.startswith(radical):
            rest = word[len(radical) :]
            forms += [s + rest for s in starts if len(s + rest) >= _MIN_MUTATED]
            break
    return forms


def _pattern(words: list[str]) -> re.Pattern[str]:
    """Keywords as one regex (a trie, so it stays fast): each a prefix ("bus" matches "buses")
    unless it ends with $ (a whole word: "pres$" must not match "pressure")."""
    prefixes = sorted({normalise(w) for w in words if not w.endswith("$")} - {""})
    whole = sorted({normalise(w.rstrip("$")) for w in words if w.endswith("$")} - {""})
    branches = []
    if prefixes:
        branches.append(r"\b" + _trie(prefixes))
    if whole:
        branches.append(r"\b" + _trie(whole) + r"\b")
    return re.compile("|".join(branches) or r"(?!)")


@cache
def codebook() -> dict[str, tuple[dict[str, str], re.Pattern[str]]]:
    """theme id -> (labels per language, one pattern over its words and their mutations)."""
    data = yaml.safe_load((resources.files("prompts") / "themes.yaml").read_text("utf-8"))
    book = {}
    for theme, entry in data.items():
        words = [str(w) for w in entry["words"].get("en", [])]
        for w in entry["words"].get("cy", []):
            words += mutations(str(w))
        book[str(theme)] = (dict(entry["label"]), _pattern(words))
    return book


def keyword_themes(text: str) -> list[str]:
    """The themes whose keywords the text contains, in codebook order."""
    normalised = normalise(text)
    return [theme for theme, (_, pattern) in codebook().items() if pattern.search(normalised)]


def themes_of(text: str) -> list[str]:
    """The themes an answer touches, in codebook order (zero or more): keywords or the model."""
    if not isinstance(text, str) or not text.strip():
        return []
    normalised = normalise(text[:5000])
    found = {t for t, (_, pattern) in codebook().items() if pattern.search(normalised)}
    model = textmodel.load("themes")
    limit = model.thresholds["theme"]
    for theme, p in model.probabilities(normalised).items():
        if p >= limit and theme != "none":
            found.add(theme)
    return [theme for theme in codebook() if theme in found]
