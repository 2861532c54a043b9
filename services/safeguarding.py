"""Spot answers that suggest a young person may not be safe, so they can be signposted to help.

This is not monitoring and it identifies no one: it reads only the (already scrubbed) text of
an answer as it is given, and a match never discards the answer or the vote.

How a text is read (the phrases in prompts/safeguarding.yaml are written for this form):
lower case; accents folded (ŵ -> w, â -> a); English contractions spelled out (don't -> do
not, I'm -> i am, they'll -> they will) and Welsh 'n, 'r too (mae'n -> mae yn, i'r -> i yr);
anything that is not a letter or a digit becomes a space; the text-speak and typos under
`spelling:` are spelled out (kms -> kill myself, wanna -> want to, dont -> do not, dwi -> dw
i). A letter typed three or more times is read both ways, squashed to one and to two
("dieeee" -> "die", "killll" -> "kill"). The figures of speech under `not:` are blanked out
before the phrases are looked for.

Speed: Python's re tries the branches of an alternation one by one at every word, so one regex
of all the phrases takes over a millisecond on 1,000 characters. So each word list is compiled
as a trie, and each phrase is filed under the two characters it can start with ("my", "i "): at
each word only the phrases for its first two characters are tried (about 0.4 ms).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from string import ascii_lowercase, digits

import yaml

_QUOTES = re.compile(r"[’‘`´ʼʹ′]")
_CONTRACTIONS = (  # English first (they're -> they are), then Welsh 'n and 'r, then any other '
    (re.compile(r"\bcan't\b"), "can not"),
    (re.compile(r"\bwon't\b"), "will not"),
    (re.compile(r"\bain't\b"), "is not"),
    (re.compile(r"n't\b"), " not"),
    (re.compile(r"'m\b"), " am"),
    (re.compile(r"'re\b"), " are"),
    (re.compile(r"'ve\b"), " have"),
    (re.compile(r"'ll\b"), " will"),
    (re.compile(r"'d\b"), " would"),
    (re.compile(r"'n\b"), " yn"),
    (re.compile(r"'r\b"), " yr"),
    (re.compile(r"'"), ""),
)
_NOT_WORD = re.compile(r"[^a-z0-9]+")
_REPEATED = re.compile(r"([a-z])\1{2,}")
_WORD_START = re.compile(r"\b[a-z0-9]")
_MACRO = re.compile(r"\{([a-z_]+)\}")
_WORD_LIST = re.compile(r"\(\?:([a-z0-9 |]+)\)")  # plain words: (?:dad|mum|step dad)
_KEY = 2  # phrases are filed under the first two characters they can start with ("my", "i ")
_CHARS = frozenset(ascii_lowercase + digits + " ")
_MAX_KEYS = 400  # beyond that, a phrase is simply tried at every word


@dataclass(frozen=True)
class _Rules:
    spelling: re.Pattern[str]
    spelled: dict[str, str]
    not_concerning: re.Pattern[str]
    phrases: tuple[str, ...]
    keys: tuple[frozenset[str] | None, ...]


def _expand(pattern: str, words: dict[str, str], depth: int = 0) -> str:
    """{name} -> (?:the alternatives listed under words: name), nested up to a few levels."""
    if depth > 5:
        raise ValueError(f"safeguarding words nest too deep: {pattern}")
    return _MACRO.sub(lambda m: f"(?:{_expand(words[m.group(1)], words, depth + 1)})", pattern)


def _trie(alternatives: list[str]) -> str:
    """The same alternatives as a trie: (?:dad|daddy|mum) -> (?:dad(?:dy)?|mum)."""
    root: dict[str, dict] = {}
    for word in alternatives:
        node = root
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        if len(branches) == 1 and "" not in node:
            return branches[0]
        return "(?:" + "|".join(branches) + ")" + ("?" if "" in node else "")

    return emit(root)


def _phrase(pattern: str, words: dict[str, str]) -> str:
    expanded = _expand(pattern, words)
    return _WORD_LIST.sub(lambda m: f"(?:{_trie(m.group(1).split('|'))})", expanded)


def _keys(pattern: str) -> frozenset[str] | None:
    """The first two characters a match of the pattern can start with (more than it really can
    is fine), or None when that isn't clear: then it is tried at every word."""
    try:
        from re import _parser  # the parser re itself uses; this is only an optimisation

        found = _starts(list(_parser.parse(pattern)), frozenset({""}))
    except Exception:
        return None
    if found is None or any(len(key) < _KEY for key in found):
        return None
    return frozenset(found)


def _starts(items: list, partial: frozenset[str]) -> frozenset[str] | None:
    """Each of `partial` (strings shorter than _KEY) continued by the sequence `items`, cut at
    _KEY characters; None if the sequence can start with anything or there are too many."""
    done = frozenset(p for p in partial if len(p) >= _KEY)
    todo = partial - done
    for op, av in items:
        if not todo:
            break
        name = str(op)
        if name in ("AT", "ASSERT", "ASSERT_NOT"):  # zero width
            continue
        if name == "LITERAL":
            todo = frozenset(p + chr(av) for p in todo)
        elif name == "IN":
            chars: set[str] = set()
            for kind, value in av:
                if str(kind) == "LITERAL":
                    chars.add(chr(value))
                elif str(kind) == "RANGE":
                    chars |= {chr(c) for c in range(value[0], value[1] + 1)}
                else:  # NEGATE, CATEGORY (\w, \d)
                    return None
            todo = frozenset(p + c for p in todo for c in chars & _CHARS)
        elif name == "BRANCH":
            out: set[str] = set()
            for branch in av[1]:
                more = _starts(list(branch), todo)
                if more is None:
                    return None
                out |= more
            todo = frozenset(out)
        elif name == "SUBPATTERN":
            more = _starts(list(av[3]), todo)
            if more is None:
                return None
            todo = more
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, high, sub = av[0], av[1], list(av[2])
            out = set(todo) if low == 0 else set()
            current: frozenset[str] | None = todo
            for count in range(1, min(high, _KEY) + 1):
                current = _starts(sub, current)
                if current is None:
                    return None
                if count >= low:
                    out |= current
            todo = frozenset(out)
        else:  # ANY, NOT_LITERAL, GROUPREF...
            return None
        if len(todo) > _MAX_KEYS:
            return None
        done |= {p for p in todo if len(p) >= _KEY}
        todo = frozenset(p for p in todo if len(p) < _KEY)
    return done | todo


@cache
def _rules() -> _Rules:
    data = yaml.safe_load(
        (resources.files("prompts") / "safeguarding.yaml").read_text(encoding="utf-8")
    )
    words = {str(k): str(v) for k, v in data.get("words", {}).items()}
    spelled = {str(k): str(v) for k, v in data.get("spelling", {}).items()}
    phrases = tuple(_phrase(p, words) for lang in ("en", "cy") for p in data.get(lang, []))
    exclusions = "|".join(f"(?:{_phrase(p, words)})" for p in data.get("not", []))
    return _Rules(
        spelling=re.compile(r"\b(?:" + _trie(list(spelled)) + r")\b"),
        spelled=spelled,
        not_concerning=re.compile(r"\b(?:" + exclusions + r")\b"),
        phrases=phrases,
        keys=tuple(_keys(p) for p in phrases),
    )


@cache
def _phrases_starting(key: str) -> re.Pattern[str] | None:
    """The phrases that can match at a word starting with these two characters."""
    rules = _rules()
    mine = tuple(i for i, keys in enumerate(rules.keys) if keys is None or key in keys)
    return _compiled(mine) if mine else None


@cache
def _compiled(indices: tuple[int, ...]) -> re.Pattern[str]:
    """One regex for these phrases (many keys share the same few phrases: ~150 regexes)."""
    return re.compile(r"\b(?:" + "|".join(_rules().phrases[i] for i in indices) + r")\b")


def _normalise(text: str) -> str:
    text = _QUOTES.sub("'", text)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = text.lower()
    if "'" in text:
        for pattern, replacement in _CONTRACTIONS:
            text = pattern.sub(replacement, text)
    return _NOT_WORD.sub(" ", text).strip()


def _matches(text: str, rules: _Rules) -> bool:
    text = rules.spelling.sub(lambda m: rules.spelled[m.group()], text)
    text = rules.not_concerning.sub(" . ", text)
    text += " "
    for start in _WORD_START.finditer(text):
        at = start.start()
        phrases = _phrases_starting(text[at : at + _KEY])
        if phrases is not None and phrases.match(text, at):
            return True
    return False


def concerning(text: str) -> bool:
    """Whether the text matches any phrase in prompts/safeguarding.yaml (never raises)."""
    if not isinstance(text, str) or not text:
        return False
    rules = _rules()
    normalised = _normalise(text)
    if _matches(normalised, rules):
        return True
    if _REPEATED.search(normalised) is None:
        return False
    return _matches(_REPEATED.sub(r"\1", normalised), rules) or _matches(
        _REPEATED.sub(r"\1\1", normalised), rules
    )
