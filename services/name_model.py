"""Names the scrub rules have no shape for, found by a small learned tagger.

Why: each batch of answers written by someone new for issue 14 showed the rules in
services/scrub.py removing only 73-92% of its personal details before a round of tuning, and
the misses were names in shapes no rule had yet ("cheers, Kerys (19, mum to one)"). A rule per
shape does not generalise; a model of what a name's neighbourhood looks like does better. So
each word of an answer is read with its own evidence (a listed first name or surname, an
everyday English word, a place, its capital, its length, its first two and last three
letters) and its neighbourhood (the words and marks either side, a closer such as "cheers" or
"diolch" before it, where in the line and the message it stands, whether the answer is Welsh),
and a logistic regression trained on the labelled development answers in tests/data/dev2
(never the held-out set) gives the chance it is a person's name.

It runs after the rules, on what they left, and replaces a word only when it is sure
(``THRESHOLD``, chosen out of fold: 0.9 took a few more names and twice the clean answers).
On batches nobody had tuned on, trained without them, it took the removed details from 54/74
to 59/74 (fresh10_scrub.yaml), 60/75 to 65/75 (fresh11) and 58/75 to 61/75 (fresh12), and
changed no more clean answers. Titles are the rules' business ("Mrs Potts from Beauty and
the Beast" is kept on purpose), and so is anything `_may_be_name` rules out.

The weights live in prompts/models/names.json (bench/names_model_build.py); reading needs only
the standard library, about 0.2 ms for an ordinary answer (the caller's Welsh check costs more).
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources

THRESHOLD = 0.95

PLACEHOLDER = re.compile(r"\[(?:name|school|email|link|handle|phone|postcode|address)\]")
_TOKEN = re.compile(PLACEHOLDER.pattern + r"|[^\W\d_][\w'’-]*")
_EMOJI = re.compile(r"[\U0001f000-\U0001faff\u2600-\u27bf]")


@dataclass(frozen=True)
class Lexicon:
    """What the scrub rules know about words, lent to the tagger (one source for both)."""

    given: frozenset[str]
    family: frozenset[str]
    everyday: Callable[[], frozenset[str]]
    places: frozenset[str]
    unmutated: Callable[[str], set[str]]
    closer: re.Pattern[str]  # a whole closer, "cheers" or "diolch yn fawr"
    welsh_ending: re.Pattern[str]
    never: frozenset[str]  # function words, months, closers, places, brands: never a name
    titles: frozenset[str]  # "mrs", "syr", "coach": what follows is the rules' business
    # figures named together ("mary", "joseph"; "mair", "joseff"): a pair is no two friends
    pairs: frozenset[tuple[str, str]] = frozenset()


Token = tuple[int, int, str]


def tokens(text: str) -> list[Token]:
    """Words (letters first, then letters, digits, hyphens, apostrophes and combining marks)
    and placeholders. A combining mark ("e" + U+0301, a Devanagari vowel sign) is no word
    character to ``re``: it would split "Renée" typed decomposed in two."""
    found: list[Token] = []
    for m in _TOKEN.finditer(text):
        start, end, word = m.start(), m.end(), m.group()
        if not PLACEHOLDER.fullmatch(word):
            if found and found[-1][1] == start and not PLACEHOLDER.fullmatch(found[-1][2]):
                start = found.pop()[0]  # only marks stood between: one word
            while end < len(text) and unicodedata.category(text[end])[0] == "M":
                end += 1
        found.append((start, end, text[start:end]))
    return found


def _low(word: str) -> str:
    """A word as the lists hold it: composed, lower case, no apostrophe or hyphen at its ends."""
    return unicodedata.normalize("NFC", word).lower().strip("'’-")


def _gap(text: str) -> str:
    """What stands between two words, as one of a few kinds."""
    if not text:
        return "none"
    if "\n" in text:
        return "nl"
    mark = text.strip()
    if not mark:
        return "sp"
    if set(mark) <= {","}:
        return "comma"
    if set(mark) <= set("-–—~"):
        return "dash"
    if set(mark) <= set(".!?"):
        return "stop"
    if mark in ("(", ")", ":", ";", "&", "+", "/"):
        return mark
    if _EMOJI.search(mark):
        return "emoji"
    if set(mark) <= set("0123456789 ,"):
        return "num"
    return "other"


def _ends_sentence(gap: str) -> bool:
    """Whether a gap ends in a stop or a new line, then only spaces; one pass (a regular
    expression searched again from every newline of a long blank run was quadratic)."""
    mark = gap.rstrip()
    return mark.endswith((".", "!", "?")) or "\n" in gap[len(mark) :]


def _shape(word: str) -> str:
    if word.isupper() and len(word) > 1:
        return "UP"
    if word[0].isupper():
        return "Cap"
    return "low" if word.islower() else "mix"


def _lists(low: str, lex: Lexicon) -> str:
    found = [
        name
        for name, known in (
            ("given", low in lex.given),
            ("family", low in lex.family),
            ("every", low in lex.everyday()),
            ("place", low in lex.places or any(u in lex.places for u in lex.unmutated(low))),
        )
        if known
    ]
    return "+".join(found) or "none"


def features(text: str, toks: list[Token], welsh: bool, lex: Lexicon) -> list[list[str]]:
    """One list of feature names per token (a placeholder has only "PH")."""
    lows = [_low(word) for _, _, word in toks]
    out: list[list[str]] = []
    n = len(toks)
    for i, (start, end, word) in enumerate(toks):
        if PLACEHOLDER.fullmatch(word):
            out.append(["PH"])
            continue
        low = lows[i]
        shape = _shape(word)
        known = _lists(low, lex)
        gap_before = text[toks[i - 1][1] if i else 0 : start]
        after_text = text[end : toks[i + 1][0] if i + 1 < n else len(text)]
        before, after = _gap(gap_before), _gap(after_text)
        p1 = lows[i - 1] if i else "<s>"
        p2 = lows[i - 2] if i > 1 else "<s>"
        n1 = lows[i + 1] if i + 1 < n else "</s>"
        n2 = lows[i + 2] if i + 2 < n else "</s>"
        where = "first" if i == 0 else "last" if i == n - 1 else "mid"
        rest = str(min(n - i - 1, 4))
        line_start = "\n" in gap_before or i == 0
        line_end = "\n" in after_text or i == n - 1
        feats = [
            "bias",
            f"sh={shape}",
            f"w={low}",
            f"lk={known}",
            f"lk={known}|cy={welsh}",
            f"len={min(len(low), 9)}",
            f"bs={before}",
            f"as={after}",
            f"bs={before}|sh={shape}",
            f"as={after}|sh={shape}",
            f"bs|as={before}|{after}",
            f"p1={p1}",
            f"p2={p2}",
            f"p2p1={p2}_{p1}",
            f"n1={n1}",
            f"n2={n2}",
            f"n1n2={n1}_{n2}",
            f"p1={p1}|sh={shape}",
            f"n1={n1}|sh={shape}",
            f"p1={p1}|lk={known}",
            f"n1={n1}|lk={known}",
            f"pos={where}",
            f"pos|sh|lk={where}{shape}{known}",
            f"line={line_start}{line_end}",
            f"ss={i == 0 or _ends_sentence(gap_before)}|sh={shape}",
            f"rest={rest}",
            f"rest={rest}|sh={shape}|lk={known}",
        ]
        # endings and start: "-ys", "-wen", "-ah" are names' more than words'
        feats += [f"suf2={low[-2:]}", f"suf3={low[-3:]}", f"pre2={low[:2]}"]
        feats.append(f"suf3|sh={low[-3:]}{'Cap' if word[:1].isupper() else 'low'}")
        for part in known.split("+"):
            feats += [f"l={part}", f"l={part}|sh={shape}"]
        if "-" in word:
            feats.append("hyph")
        if any(ord(c) > 127 for c in word):
            feats.append("accent")
        if i and lex.closer.fullmatch(p1):
            feats.append("after_closer")
        if i > 1 and lex.closer.fullmatch(f"{p2} {p1}"):
            feats.append("after_closer2")
        out.append(feats)
    return out


@dataclass(frozen=True)
class NameModel:
    """A logistic regression over feature names: weights and a bias."""

    weights: dict[str, float]
    bias: float

    def probability(self, feats: list[str]) -> float:
        z = self.bias + sum(self.weights.get(f, 0.0) for f in feats)
        return 1.0 / (1.0 + math.exp(-z)) if z > -30 else 0.0


@cache
def model() -> NameModel:
    """prompts/models/names.json as built by bench/names_model_build.py."""
    data = json.loads((resources.files("prompts") / "models" / "names.json").read_text("utf-8"))
    return NameModel(weights=data["weights"], bias=data["bias"])


def spans(text: str, welsh: bool, lex: Lexicon, tagger: NameModel | None = None) -> list[Token]:
    """The words of text the model (the shipped one by default) is sure are a person's name,
    without the apostrophes and hyphens a word may end in ("'Reece'", "Reece--")."""
    toks = tokens(text)
    lows = [unicodedata.normalize("NFC", word).lower() for _, _, word in toks]
    tagger = tagger or model()
    found = []
    for i, feats in enumerate(features(text, toks, welsh, lex)):
        if feats == ["PH"] or not _may_be_name(toks, lows, i, welsh, lex):
            continue
        if tagger.probability(feats) >= THRESHOLD:
            start, _, word = toks[i]
            word = word.rstrip("'’-")
            found.append((start, start + len(word), word))
    return found


# Public offices whose holder is named after them ("Prif Weinidog, Eluned Morgan"); the
# rules' titles (Mr, Dr...) are in the lexicon.
_OFFICES = frozenset(
    ("minister", "weinidog", "president", "arlywydd", "chancellor", "canghellor", "taoiseach")
)


# Words before an office that make it a private body's ("our minister", "the student union
# president"): its holder is a private person.
_PRIVATE_OFFICE = frozenset(
    (
        "my", "our", "your", "his", "her", "their", "fy", "ein", "eich", "ei", "eu", "union",
        "club", "council", "school", "student", "students", "youth", "class", "form", "church",
        "chapel", "capel", "eglwys", "society", "team",
    )
)  # fmt: skip


def _public_office(toks: list[Token], lows: list[str], j: int) -> bool:
    """Whether word ``j`` is a public office as written ("First Minister", "Prif Weinidog",
    "President"): capitalised, and not a chapel's minister or a club's president."""
    return (
        lows[j] in _OFFICES
        and toks[j][2][:1].isupper()
        and not (j and lows[j - 1] in _PRIVATE_OFFICE)
    )


# Animals a name after which is a pet's ("we take the dog, Bella, on the train", "y ci, Mabli,"):
# no person's, and the rules keep "a dog called Max" too. (Not "chi": "Caru chi, Freddie" is
# "love you", not "a dog".)
_PETS = frozenset(
    (
        "dog", "dogs", "cat", "cats", "puppy", "pup", "kitten", "hamster", "rabbit", "bunny",
        "pony", "horse", "budgie", "parrot", "tortoise", "ci", "gi", "cath", "gath",
        "chath", "ceffyl", "geffyl", "merlen", "ferlen", "cwningen", "gwningen",
    )
)  # fmt: skip


_PAIR_JOINS = frozenset(("and", "a", "ac", "&", "n"))


def _in_pair(lows: list[str], i: int, pairs: frozenset[tuple[str, str]]) -> bool:
    """Whether the word is one of a famous pair with its neighbour (a join between allowed)."""

    def neighbour(step: int) -> str:
        j = i + step
        if 0 <= j < len(lows) and lows[j] in _PAIR_JOINS:
            j += step
        return lows[j].strip("'’-") if 0 <= j < len(lows) else ""

    low = lows[i].strip("'’-")
    return (low, neighbour(1)) in pairs or (neighbour(-1), low) in pairs


def _may_be_name(toks: list[Token], lows: list[str], i: int, welsh: bool, lex: Lexicon) -> bool:
    """What the model may not overrule, since a wrong [name] can hide a word that matters
    (safeguarding reads the scrubbed text: "my sister burns herself" must keep "burns"):
    a word after a title (the rules know fictional and public figures), a word that is never a
    name, a lower-case word that is no listed first name or is an everyday English word ("burns"
    is a surname too), any lower-case word in a Welsh answer ("am lori", "am orie": Welsh words
    are in no list, and some are first names elsewhere), a pet's name after its animal and an
    unlisted word with a Welsh adjective's or noun's ending in one."""
    low = lows[i].strip("'’-")
    if (i and lows[i - 1].rstrip(".") in lex.titles) or low in lex.never:
        return False
    if any(_public_office(toks, lows, j) for j in range(max(0, i - 2), i)):
        return False  # "the First Minister, Eluned Morgan": a public figure by their office
    if i + 1 < len(lows) and lows[i + 1] in ("sant", "santes"):  # "Dewi Sant": a saint
        return False
    if i and lows[i - 1] in _PETS:
        return False  # a pet's name
    if _in_pair(lows, i, lex.pairs):
        return False  # "gyda Mair, Joseff a'r doethion": the nativity
    if toks[i][2].islower() and (welsh or low not in lex.given or low in lex.everyday()):
        return False
    listed = low in lex.given or low in lex.family
    return not (welsh and not listed and lex.welsh_ending.search(low))


def replace(text: str, welsh: bool, lex: Lexicon, tagger: NameModel | None = None) -> str:
    """text with every word the model is sure of replaced by [name]."""
    out = text
    for start, end, _ in reversed(spans(text, welsh, lex, tagger)):
        out = f"{out[:start]}[name]{out[end:]}"
    return out
