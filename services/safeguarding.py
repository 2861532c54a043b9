"""Spot answers that suggest a young person may not be safe, so they can be signposted to help.

This is not monitoring and it identifies no one: it reads only the (already scrubbed) text of
an answer as it is given, and a match never discards the answer or the vote.

Two levels (``assess``): a *disclosure* about the young person (signposting and an alert) and a
*worry* about someone else or the community (a "for review" flag, no alarm). The phrase list
below decides first (a match is a disclosure); otherwise a small model
(prompts/models/safeguarding.json, services/textmodel.py) reads paraphrase, typos and Welsh
mutations that no list can enumerate.

How a text is read (the phrases in prompts/safeguarding.yaml are written for this form):
lower case; accents folded (ŵ -> w, â -> a); English contractions spelled out (don't -> do
not, I'm -> i am, they'll -> they will) and Welsh 'n, 'r too (mae'n -> mae yn, i'r -> i yr);
anything that is not a letter or a digit becomes a space; the text-speak and typos under
`spelling:` are spelled out (kms -> kill myself, wanna -> want to, dont -> do not, dwi -> dw
i). A letter typed three or more times is read both ways, squashed to one and to two
("dieeee" -> "die", "killll" -> "kill"). The figures of speech under `not:` are blanked out
before the phrases are looked for.

Speed: all the phrases are one regex, with each word list compiled as a trie ((?:dad|daddy) ->
(?:dad(?:dy)?)), about a millisecond on a 1,000-character answer: plenty for one check per
typed answer.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

from services import textmodel

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
_MACRO = re.compile(r"\{([a-z_]+)\}")
_WORD_LIST = re.compile(r"\(\?:([a-z0-9 |]+)\)")  # plain words: (?:dad|mum|step dad)


@dataclass(frozen=True)
class _Someone:
    who: re.Pattern[str]
    home: re.Pattern[str]
    told: re.Pattern[str] | None
    others: re.Pattern[str] | None
    harmed: re.Pattern[str] | None
    hushed: re.Pattern[str] | None


@dataclass(frozen=True)
class _Rules:
    spelling: re.Pattern[str]
    spelled: dict[str, str]
    not_concerning: re.Pattern[str]
    phrases: re.Pattern[str]
    # A past the writer says is over (prompts/safeguarding.yaml `resolved:`): past, now,
    # ongoing, and how often (ongoing unless a marker of the past is just before it).
    resolved: (
        tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str] | None] | None
    ) = None
    # A story the answer is about, before the match (`story:`), a game's world (`game: in`)
    # and the home that is never in one (`game: real`).
    story: re.Pattern[str] | None = None
    game: tuple[re.Pattern[str], re.Pattern[str]] | None = None
    # A laugh, the words of a phrase about dying, and words that say it is no joke (`joking:`).
    joking: tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]] | None = None
    # Someone else the answer names just before the match, the home words that keep a match
    # the writer's, the "told me" that passes on someone's news, harm done to oneself said of
    # someone else ("herself", "ei hun"), that harm as it names someone before a match ("cuts
    # his arms"), and the secret kept that is how news came after one ("told me not to tell")
    # (`someone:`).
    someone: _Someone | None = None
    # Harm to someone else said so plainly that no model is needed to see a worry (`worry:`).
    worry: re.Pattern[str] | None = None
    # An "if" before a phrase about dying, and the "if i am honest" that is not one (`if:`).
    condition: tuple[re.Pattern[str], re.Pattern[str]] | None = None


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


# What the phrases read: _normalise leaves letters, digits and spaces; _matches adds " . ".
_READ = frozenset("abcdefghijklmnopqrstuvwxyz0123456789 .")


def _first(items: list[tuple[Any, Any]]) -> tuple[frozenset[str], bool]:
    """The characters a parsed pattern can start with, and whether it can match nothing."""
    from re import _constants as c  # type: ignore[attr-defined]

    found: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            return frozenset(found | {chr(av)}), False
        if op is c.IN:
            chars: set[str] = set()
            for kind, value in av:
                if kind is c.LITERAL:
                    chars.add(chr(value))
                elif kind is c.RANGE:
                    chars.update(chr(x) for x in range(value[0], value[1] + 1))
                else:  # a category or a negated set: anything
                    return _READ, False
            return frozenset(found | chars), False
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):  # zero width: the next item starts it
            continue
        if op is c.SUBPATTERN:
            sub, empty = _first(list(av[-1]))
        elif op is c.BRANCH:
            parts = [_first(list(b)) for b in av[1]]
            sub = frozenset().union(*(x for x, _ in parts))
            empty = any(e for _, e in parts)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", None)):
            sub, empty = _first(list(av[2]))
            empty = empty or av[0] == 0
        else:  # anything else (., a back reference): no gate
            return _READ, False
        found |= sub
        if not empty:
            return frozenset(found), False
    return frozenset(found), True


def _gated(phrases: tuple[str, ...]) -> str:
    """The phrases as one alternation, with the same match, gated by the first character: at
    each word only the phrases that can start with its letter are tried (a lookahead each),
    in their own order, instead of all of them (an answer of "i am i am ..." was ~40 ms)."""
    from re import _parser  # type: ignore[attr-defined]

    by_char: dict[str, list[str]] = {}
    for phrase in phrases:
        chars, empty = _first(list(_parser.parse(phrase)))
        for ch in sorted(_READ if empty else chars & _READ):
            by_char.setdefault(ch, []).append(phrase)
    return "|".join(
        f"(?={re.escape(ch)})(?:{'|'.join(group)})" for ch, group in sorted(by_char.items())
    )


@cache
def _rules() -> _Rules:
    data = yaml.safe_load(
        (resources.files("prompts") / "safeguarding.yaml").read_text(encoding="utf-8")
    )
    words = {str(k): str(v) for k, v in data.get("words", {}).items()}
    spelled = {str(k): str(v) for k, v in data.get("spelling", {}).items()}
    phrases = tuple(_phrase(p, words) for lang in ("en", "cy") for p in data.get(lang, []))
    exclusions = "|".join(f"(?:{_phrase(p, words)})" for p in data.get("not", []))
    resolved = data.get("resolved")
    joking = data.get("joking")
    condition = data.get("if")
    someone = data.get("someone")
    game = data.get("game")

    def either(patterns: list[str]) -> re.Pattern[str]:
        alternatives = "|".join(f"(?:{_phrase(p, words)})" for p in patterns)
        return re.compile(r"\b(?:" + alternatives + r")\b")

    return _Rules(
        spelling=re.compile(r"\b(?:" + _trie(list(spelled)) + r")\b"),
        spelled=spelled,
        not_concerning=re.compile(r"\b(?:" + exclusions + r")\b"),
        phrases=re.compile(r"\b(?:" + _gated(phrases) + r")\b"),
        resolved=None
        if not resolved
        else (
            either(resolved["past"]),
            either(resolved["now"]),
            either(resolved["ongoing"]),
            either(resolved["habitual"]) if resolved.get("habitual") else None,
        ),
        story=either(data["story"]) if data.get("story") else None,
        game=None if not game else (either(game["in"]), either([game["real"]])),
        joking=None
        if not joking
        else (either([joking["laugh"]]), either([joking["phrase"]]), either([joking["serious"]])),
        someone=None
        if not someone
        else _Someone(
            either(someone["who"]),
            either([someone["not"]]),
            either([someone["told"]]) if someone.get("told") else None,
            either([someone["others"]]) if someone.get("others") else None,
            either([someone["harmed"]]) if someone.get("harmed") else None,
            either([someone["hushed"]]) if someone.get("hushed") else None,
        ),
        condition=None
        if not condition
        else (either([condition["if"]]), either([condition["not"]])),
        worry=either(data["worry"]) if data.get("worry") else None,
    )


def _normalise(text: str) -> str:
    text = _QUOTES.sub("'", text)
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = text.lower()
    if "'" in text:
        for pattern, replacement in _CONTRACTIONS:
            text = pattern.sub(replacement, text)
    return _NOT_WORD.sub(" ", text).strip()


def _matches(text: str, rules: _Rules) -> str | None:
    """The words a phrase matched (as read: normalised, text-speak spelled out), or None."""
    text = rules.spelling.sub(lambda m: rules.spelled[m.group()], text)
    text = rules.not_concerning.sub(" . ", text)
    for found in rules.phrases.finditer(text + " "):
        # each match on its own: "i used to self harm but got help. my dad hits me" hands the
        # first to the model and is still a disclosure by the second
        if _resolved(text, found, rules):
            continue
        if _story(text, found, rules) and not _FIRST_PERSON.search(found.group()):
            continue  # "a book where the main character cuts herself", not "... my dad hits me"
        if _joking(text, found.group(), rules) or _conditional(text, found, rules):
            continue
        if _someone_else(text, found, rules):
            continue  # "a kid who ran away from home", "my friend cuts herself"
        return found.group().strip() or text.strip()
    return None


# The writer in the words a phrase matched (English, and Welsh "fy", "fi", "dw i", "mi"): a
# story hands over only what it says of someone else. Not "am": Welsh "am" is "about" or "for"
# ("yn gofyn am lunia"), and English "am" comes with its "i". Nor Welsh "i" (to) before a
# verb ("cael ei gorfodi i briodi"), which English never puts after "i"; but the "i" of "nes i
# redeg" (I did run), "es i", "ges i", "alla i", "o'n i" is the writer's before any verb, and
# so is the one after a word nasally mutated by "fy" (my): "maen nhw'n fy ngorfodi i gario".
_FIRST_PERSON = re.compile(
    r"\b(?:i(?! (?:briodi|fynd|wneud|neud|ddweud|ddeud|gael|weld|gysgu|fwyta|redeg|adael|ddod"
    r"|dalu|brynu|gadw|werthu|dorri|gario|symud|aros|helpu|siarad|ffwrdd|rywun|bawb)\b)"
    r"|(?:nes|wnes|es|ces|ges|gaf|ga|ca|cha|wna|af|alla|galla|fedra|medra|on|own|wen|oeddwn"
    r"|roeddwn|baswn|faswn|hoffwn|dylwn|sa|bydda|fydda|wnaf) i"
    r"|(?!nhw\b)(?:ng|nh|mh)[a-z]+ i"
    r"|me|my|myself|mine|fy|fi|mi|dw)\b"
)


# The writer's own life said between a story and a match: the story is theirs ("a play about my
# life"), or the match is set against it ("we did a play about bullying but at home ...").
_REAL_LIFE = re.compile(
    r"\b(?:(?:about|of|on) (?:my|our) (?:life|lives|family|house|home)"
    r"|but (?:at|in) (?:home|my house|our house)|in real life|irl"
    r"|am fy (?:mywyd|nheulu)|ond (?:adre|adra|gartre|gartref|yn y ty))\b"
)


def _story(text: str, found: re.Match[str], rules: _Rules) -> bool:
    """Whether the match comes after a story the answer says it is about (`story:`): a book,
    film, show, drama piece or lesson starting in the 80 characters before it, or up to 120
    with nothing of the writer or their home between ("... a boy who gets put in care. it was
    ok i suppose. at home there is never any food" is the writer's); or a game's world
    (`game:`) the match does not bring home into. Left to the model."""
    if rules.story is None:
        return False
    start = found.start()
    real = rules.game[1] if rules.game is not None else None
    # the story may end inside the match ("a documentary on county lines"), so it only has to
    # start before it
    ends = text.find(" ", start + 1)
    ends = len(text) if ends < 0 else ends
    stories = list(rules.story.finditer(text, max(0, start - 120), ends))
    if rules.game is not None and not rules.game[1].search(found.group()):
        stories += rules.game[0].finditer(text, max(0, start - 120), ends)
    for story in stories:
        if story.start() >= start:
            continue
        between = text[story.end() : start]
        if _REAL_LIFE.search(text, story.start(), start):
            continue  # "the play about my life, dad beats us", "... but at home dad beats us"
        if start - story.start() <= 80:
            return True
        if not _FIRST_PERSON.search(between) and not (real is not None and real.search(between)):
            return True
    return False


def _joking(text: str, matched: str, rules: _Rules) -> bool:
    """Whether a phrase about dying sits in an answer that laughs and does not say it is no joke
    (`joking:`). Left to the model."""
    if rules.joking is None:
        return False
    laugh, dying, serious = rules.joking
    return bool(dying.search(matched) and laugh.search(text) and not serious.search(text))


# The writer joined to the person named, right before them: "me and my brother", "fi a ffrind".
_WITH_ME = re.compile(r"\b(?:me|i|fi|myself) (?:and|an|n|a|ac) (?:my |fy |me )?$")


def _someone_else(text: str, found: re.Match[str], rules: _Rules) -> bool:
    """Whether the words matched are about a friend, a sibling or a child the answer names in the
    50 characters before them, with nothing of the writer's (no "i", "my", no one at home) in
    the match or between, and nothing done to the writer in the 40 characters after
    (`someone:`): "a kid who ran away from home", "my mate keeps cutting herself and i dont
    know what to do"; not "my friend said i want to die" or "my brother
    owes them and they said its on me now". How the news came ("my mate told me she ...") is
    not the writer's; and harm someone does to themselves ("burns himself", "torri ei hun")
    is someone else's wherever they were named. Left to the model, which knows a worry."""
    if rules.someone is None:
        return False
    some = rules.someone
    if _FIRST_PERSON.search(found.group()) or some.home.search(found.group()):
        return False
    if some.others is not None and some.others.search(found.group()):
        return True  # "she cuts herself": done to themselves, so never the writer's
    before = text[max(0, found.start() - 50) : found.start()]
    # named just before, or harm done to themselves by someone not at home ("scratching his
    # wrists with the compass ... till they bleed"; not "my mum cuts her arms and leaves us")
    # (not with the writer joined to them: "me and my brother got kicked out")
    named = [
        m.end() for m in some.who.finditer(before) if not _WITH_ME.search(before, 0, m.start())
    ]
    if some.harmed is not None:
        named += [
            m.end()
            for m in some.harmed.finditer(before)
            if not some.home.search(before, 0, m.start())
        ]
    if not named:
        return False
    between = before[max(named) :]  # "told me (that)", "deud wrtha i": whose news, not who
    if _FIRST_PERSON.search(some.told.sub(" ", between) if some.told is not None else between):
        return False
    # "... and he told me not to tell sir", "... she told me at lunch" is how the news came;
    # "... told me i owe it now", "told me to come with her" is said to the writer
    after = text[found.end() : found.end() + 40]
    if some.hushed is not None:
        after = some.hushed.sub(" ", after)
    if some.told is not None:
        after = some.told.sub(lambda m: m.group() if _TOLD_TO.match(after, m.end()) else " ", after)
    return not _ME.search(after)


# What someone told the writer that is about the writer: "told me (that) i ...", "told me to
# ...", "told me if i ...", "deud wrtha i bod rhaid i fi" (its "fi" is the writer anyway).
_TOLD_TO = re.compile(r" (?:that )?(?:i|to|if|we|us)\b")


# The writer as the one something is done to, after a match ("... and they said its on me now",
# "... lluniau ohona i"), or in the same state ("she is scared to go home and so am i"); "and i
# dont know what to do" after a friend's harm is a worry.
_ME = re.compile(
    r"\b(?:me|my|myself|mine|fi|fy|ohona i|arna i|ata i|i fi"
    r"|(?:so|as|nor|neither) (?:am|was|do|did|have|had) i|i (?:am|was|do|have) (?:too|as well))\b"
)


def _conditional(text: str, found: re.Match[str], rules: _Rules) -> bool:
    """Whether a phrase about dying follows an "if" in the 60 characters before it (`if:`): "if
    they cut the 52 bus again im gonna die" is hyperbole as often as not. Left to the model
    ("if nothing changes i want to die" is still a disclosure there); "if i am honest" is no
    condition."""
    if rules.condition is None or rules.joking is None:
        return False
    condition, honest = rules.condition
    if not rules.joking[1].search(found.group()):
        return False
    start = max(0, found.start() - 60)
    ifs = condition.finditer(text, start, found.start())
    return any(not honest.match(text, m.start()) for m in ifs)


def _resolved(text: str, found: re.Match[str], rules: _Rules) -> bool:
    """Whether the match tells of a past the answer says is over: a marker of the past near it
    (up to 100 characters before, or just after: "hurt mam years ago"), one of it being over
    after it, and nothing in the answer of it going on (prompts/safeguarding.yaml `resolved:`;
    how often it was, "every day", says it goes on only with no marker of the past just before
    it). Such a match is left to the model, trained on resolved pasts and on pasts that are
    not."""
    if rules.resolved is None:
        return False
    past, now, ongoing, habitual = rules.resolved
    near = past.search(text, max(0, found.start() - 100), found.end() + 60)
    if not (near and now.search(text, found.start())) or ongoing.search(text):
        return False
    # "used to beat me up every day": how often it was, not that it goes on
    return habitual is None or all(
        past.search(text, max(0, m.start() - 60), m.start()) for m in habitual.finditer(text)
    )


def normalise(text: str) -> str:
    """The text as the phrases and the models read it: normalised, text-speak spelled out, a
    letter typed three or more times squashed to two ("pleeease" -> "pleease")."""
    if not isinstance(text, str) or not text:
        return ""
    rules = _rules()
    text = _REPEATED.sub(r"\1\1", _normalise(text))
    return rules.spelling.sub(lambda m: rules.spelled[m.group()], text)


def matched_phrase(text: str) -> str | None:
    """The words of the text that a phrase in prompts/safeguarding.yaml matched, as read
    (lower case, text-speak spelled out), or None (never raises)."""
    if not isinstance(text, str) or not text:
        return None
    rules = _rules()
    normalised = _normalise(text)
    found = _matches(normalised, rules)
    if found is not None or _REPEATED.search(normalised) is None:
        return found
    return _matches(_REPEATED.sub(r"\1", normalised), rules) or _matches(
        _REPEATED.sub(r"\1\1", normalised), rules
    )


def concerning(text: str) -> bool:
    """Whether the text matches any phrase in prompts/safeguarding.yaml (never raises)."""
    return matched_phrase(text) is not None


Level = Literal["none", "worry", "disclosure"]


@dataclass(frozen=True, slots=True)
class Assessment:
    """What an answer needs: ``disclosure`` (about the young person: signposting in the same
    reply and an alert), ``worry`` (about someone else or the community: a "for review" flag, no
    alarm to the young person) or ``none``. ``reason`` says why, for the alert and the review
    list: "phrase" (a phrase in prompts/safeguarding.yaml; the words it matched in ``matched``)
    or "model" (prompts/models/safeguarding.json, with its probability in ``score``)."""

    level: Level
    reason: str = ""
    score: float = 0.0
    themes: tuple[str, ...] = ()
    matched: str = ""

    @property
    def concern(self) -> bool:
        return self.level == "disclosure"

    @property
    def review(self) -> bool:
        return self.level == "worry"


NONE = Assessment("none")


def _model_probabilities(normalised: str) -> dict[str, float]:
    return textmodel.load("safeguarding").probabilities(normalised)


def _language(text: str, lang: str | None) -> str:
    """The answer's language as the thresholds want it: the tag the caller already has
    (services/language.py, as the bot stores it), else detected here among English and Welsh."""
    if lang is None:
        from services.language import detect_language

        lang = detect_language(text, ("en", "cy"))[0]
    return lang


def assess(text: str, lang: str | None = None) -> Assessment:
    """Read one (scrubbed) answer: the phrase list first, then the model (never raises).

    A phrase match is a disclosure whatever the model says (the list is the council's to review
    and extend). Otherwise the model's probability of a disclosure, or of a worry or worse,
    against the thresholds stored with it for the answer's language: ``lang`` is the tag the
    caller gave the answer (services/language.detect_language), detected here when None. Each
    language's thresholds keep its own out-of-fold false alarms in bounds; a language without
    its own ("und", Polish, ...) gets the stricter pair."""
    if not isinstance(text, str) or not text.strip():
        return NONE
    from services.themes import themes_of  # themes read the same normalised text

    themes = tuple(themes_of(text))
    phrase = matched_phrase(text)
    if phrase is not None:
        return Assessment("disclosure", "phrase", 1.0, themes, phrase[:120])
    normalised = normalise(text[:5000])
    if not normalised:
        return NONE
    p = _model_probabilities(normalised)
    limits = textmodel.load("safeguarding").thresholds
    tag = _language(text[:5000], lang)
    if p["disclosure"] >= limits.get(f"disclosure:{tag}", limits["disclosure"]):
        return Assessment("disclosure", "model", round(p["disclosure"], 3), themes)
    if p["worry"] + p["disclosure"] >= limits.get(f"worry:{tag}", limits["worry"]):
        return Assessment("worry", "model", round(p["worry"] + p["disclosure"], 3), themes)
    worry = _worry_phrase(normalised)
    if worry is not None:
        return Assessment("worry", "phrase", 1.0, themes, worry[:120])
    return Assessment("none", "", 0.0, themes)


def _worry_phrase(normalised: str) -> str | None:
    """The words of a `worry:` phrase in the answer ("a man online is grooming my little
    sister"), unless a story, a joke or a past that is over; the model missed "idk how to tell
    if he is grooming my little sister", and a worker would want to see it."""
    rules = _rules()
    if rules.worry is None:
        return None
    for found in rules.worry.finditer(normalised):
        if _resolved(normalised, found, rules) or _story(normalised, found, rules):
            continue
        if _joking(normalised, found.group(), rules):
            continue
        return found.group()
    return None
