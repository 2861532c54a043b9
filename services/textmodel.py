"""A small linear text classifier that reads paraphrase, typos and Welsh mutations.

Why not only phrase lists: young people rarely use the keyword ("i just want to sleep and not
wake up", "dw i'n poeni am fy ffrind"). Why not a big model: nothing may be downloaded at run
time and a typed answer must be read in about a millisecond on one core.

So: the text is normalised as services/safeguarding.py reads it, then turned into features:
words, word pairs, the radical form of a Welsh word under each possible mutation ("nhad" ->
"tad", "ngwaith"/"waith" -> "gwaith", "fy mhen" -> "pen"), and character 3-5-grams inside each
word (so "sucidal", "hunanladdol" or "bwlian" still share most of their features with the
spelling the model was trained on). Each feature is 1, the vector is scaled to length 1, and a
model is a table feature -> one weight per class plus a bias per class (a multinomial logistic
regression trained by bench/textmodels_build.py on data written for this repository, stored as
JSON in prompts/models/). Reading it needs only numpy.

Paraphrase that shares no words with the training data is read through a static sentence
embedding (services/embedding.py: WordLlama's table, shipped in its package). A model whose JSON
has an "embedding" part holds a second logistic regression over that embedding, trained on the
same data, and its probabilities are the two models' averaged with the stored weight
(``probabilities``). Averaging measured better than one regression over both kinds of feature,
which grew over-confident (README "Free text").
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources

import numpy as np

from services import embedding

log = logging.getLogger(__name__)

_WORD = re.compile(r"[a-z0-9]+")

# Welsh initial mutations, written as (mutated start, radical start). A word is read as itself
# and as every radical it could come from; "g" also stands for a dropped g (soft mutation of g:
# "gwaith" -> "waith"), tried only for words that start with a vowel, w or r/l that could be
# mutated forms.
_MUTATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ngh", ("c",)),
    ("mh", ("p",)),
    ("nh", ("t",)),
    ("ng", ("g",)),
    ("ch", ("c",)),
    ("ph", ("p",)),
    ("th", ("t",)),
    ("dd", ("d",)),
    ("g", ("c",)),
    ("b", ("p",)),
    ("d", ("t",)),
    ("f", ("b", "m")),
    ("l", ("ll",)),
    ("r", ("rh",)),
    ("m", ("b",)),
    ("n", ("d",)),
)
_VOWEL_START = re.compile(r"^(?:[aeiouwy]|r[aeiouwy]|l[aeiouwy])")
# After "ei" (her), "eu" (their), "ein" (our) a vowel takes an h: "ei hysgol", "eu hiaith".
_H_PROTHESIS = re.compile(r"^h[aeiouwy]")


def radicals(word: str) -> list[str]:
    """The forms a Welsh word may have before mutation ("nghoes" -> ["coes"]); [] if none.

    Over-generates on purpose (English words get candidates too): a candidate that is not a word
    the model knows simply has no weight."""
    if len(word) < 3:
        return []
    found: list[str] = []
    for prefix, bases in _MUTATIONS:
        if word.startswith(prefix) and len(word) > len(prefix) + 1:
            found.extend(base + word[len(prefix) :] for base in bases)
            if len(prefix) > 1:
                break  # "nh" is not also "n" + "h..."
    if _VOWEL_START.match(word):
        found.append("g" + word)
    if _H_PROTHESIS.match(word):
        found.append(word[1:])  # "ei hysgol" (her school) -> "ysgol", "eu hiaith" -> "iaith"
    return found


@lru_cache(maxsize=50_000)
def _word_features(word: str) -> tuple[str, ...]:
    """A word's own features (itself, its radicals, its character n-grams), cached: answers
    reuse the same few thousand words."""
    feats = ["w:" + word] + ["r:" + radical for radical in radicals(word)]
    padded = f" {word} "
    for n in (3, 4, 5):
        feats += ["c:" + padded[k : k + n] for k in range(len(padded) - n + 1)]
    return tuple(feats)


@lru_cache(maxsize=64)
def features(normalised: str) -> tuple[str, ...]:
    """The distinct features of a normalised text (services.safeguarding.normalise), in a
    stable order (see the module docstring). Cached: the safeguarding and themes models read
    the same answer one after the other."""
    words = _WORD.findall(normalised)
    feats: dict[str, None] = {}
    for i, word in enumerate(words):
        feats.update(dict.fromkeys(_word_features(word)))
        if i:
            feats["b:" + words[i - 1] + " " + word] = None
    return tuple(feats)


def embedding_input(normalised: str) -> np.ndarray:
    """The sentence embedding the embedding part reads for a normalised text."""
    return embedding.embed(normalised)


@dataclass(frozen=True)
class Dense:
    """The embedding part: ``weight`` (its share of the averaged probabilities), one bias per
    class and one row of weights (one per class) per embedding number."""

    weight: float
    bias: np.ndarray
    rows: np.ndarray


@dataclass(frozen=True)
class LinearModel:
    """classes, one bias per class, one row of weights (one per class) per feature, and
    optionally the embedding part (``dense``)."""

    classes: tuple[str, ...]
    bias: np.ndarray
    index: dict[str, int]
    weights: np.ndarray
    thresholds: dict[str, float]
    dense: Dense | None = None

    def scores(self, normalised: str) -> dict[str, float]:
        """Each class's raw score (softmax or sigmoid them, as the model was trained)."""
        feats = features(normalised)
        rows = [i for i in map(self.index.get, feats) if i is not None]
        raw = self.bias.copy()
        if rows:
            raw += self.weights[rows].sum(axis=0) / math.sqrt(len(feats))
        return dict(zip(self.classes, (float(v) for v in raw), strict=True))

    def probabilities(self, normalised: str) -> dict[str, float]:
        """Each class's probability: the word model's softmax, averaged with the embedding
        part's when there is one."""
        p = softmax(self.scores(normalised))
        if self.dense is None or not normalised:
            return p
        raw = self.dense.bias + embedding_input(normalised) @ self.dense.rows
        q = softmax(dict(zip(self.classes, (float(v) for v in raw), strict=True)))
        w = self.dense.weight
        return {k: (1 - w) * p[k] + w * q[k] for k in self.classes}


def softmax(raw: dict[str, float]) -> dict[str, float]:
    top = max(raw.values())
    exps = {k: math.exp(v - top) for k, v in raw.items()}
    total = sum(exps.values())
    return {k: v / total for k, v in exps.items()}


@cache
def load(name: str) -> LinearModel:
    """prompts/models/<name>.json as built by bench/textmodels_build.py."""
    data = json.loads((resources.files("prompts") / "models" / f"{name}.json").read_text("utf-8"))
    names = list(data["weights"])
    part = data.get("embedding")
    dense = None
    if part is not None:
        wanted = (embedding.NAME, embedding.POOLING)
        if (part["name"], part["pooling"]) != wanted:
            raise ValueError(f"{name}.json was trained on {part['name']}, not {wanted}")
        try:
            embedding.warm()
        except Exception as exc:  # any failure to read the shipped table
            # A broken install must not take safeguarding down with it: the phrase list and the
            # word model still read every answer (the embedding part only refines them).
            log.error(
                "%s: the embedding part is off (%s); the word model alone reads answers",
                name,
                type(exc).__name__,
            )
            part = None
    if part is not None:
        dense = Dense(
            weight=float(part["weight"]),
            bias=np.array(part["bias"], dtype=np.float64),
            rows=np.array(part["rows"], dtype=np.float64),
        )
    return LinearModel(
        classes=tuple(data["classes"]),
        bias=np.array(data["bias"], dtype=np.float64),
        index={name: i for i, name in enumerate(names)},
        weights=np.array([data["weights"][n] for n in names], dtype=np.float64),
        thresholds={str(k): float(v) for k, v in data["thresholds"].items()},
        dense=dense,
    )


def warm() -> None:
    """Load both models (and the embedding table they read) now, at start-up, so the first
    typed answer does not wait about a second for them; the safeguarding phrase list and the
    themes codebook too (compiling the phrases takes a second or two)."""
    from services import safeguarding, themes  # they import this module

    load("safeguarding")
    load("themes")
    safeguarding.matched_phrase("warm")
    themes.themes_of("warm")
