"""Poll files: YAML in, a validated :class:`Poll` out, errors that name file, field and line."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

LANGUAGES = ("en", "cy")
PREFER_NOT_TO_SAY = "prefer-not-to-say"
SESSION_DIMENSION = "session"  # the extra breakdown for ballots cast through a session link
CHANNEL = "channel"  # web and paper ballots carry "channel=web|paper" in their groups
UK_TIME = ZoneInfo("Europe/London")
MAX_POPULATION = 1_000_000_000  # more people than the UK has, in any one group
MAX_LABEL = 200  # an option's full wording, as on a printed ballot: exports, the check screen
MAX_BUTTON = 48  # a button's text: Telegram shows one line, and a phone cuts a longer one
BUTTON_CUT = 40  # a long label's derived button text is cut at a word before this, with "…"
# Telegram messages hold 4,096 characters; the catalog's own text takes the rest.
NOTICE_BUDGET = 1_500
QUESTION_BUDGET = 3_300
CHECK_BUDGET = 3_500
SUMMARY_TEXT_CHARS = 150  # how much of a typed answer the check screen shows
SLUG = r"^[a-z0-9][a-z0-9_-]{0,31}$"


class PollFileError(Exception):
    """A poll file could not be used; ``problems`` lists each one as a readable line."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def units(text: str) -> int:
    """The length of ``text`` as Telegram counts it for its limits: UTF-16 units, so a
    character outside the Basic Multilingual Plane (an emoji, say) counts two."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def slugify(text: str) -> str:
    """An option id from its label: lower case, runs of other characters become '-'."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:32].rstrip("-") or "option"


def looks(text: str) -> str:
    """What a text looks like on a button: compatibility forms folded (NFKC: "Ｎorth" is
    "North"), case folded, invisible characters gone (zero-width spaces and joiners, soft
    hyphens, direction marks) and runs of spaces one. Two texts alike here read the same."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    visible = "".join(c for c in folded if unicodedata.category(c) != "Cf")
    return " ".join(visible.split())


_LOOKALIKE_SCRIPTS = ("LATIN", "CYRILLIC", "GREEK")


def mixed_alphabets(text: str) -> list[str]:
    """The alphabets a word of ``text`` mixes among Latin, Cyrillic and Greek, or none.

    Why: "Nоrth" with a Cyrillic "о" looks like "North" on a button but is another option,
    so one choice's votes would split unseen. Unicode's confusables table would fold it; a
    word whose letters come from two of these alphabets is never a real label in any
    language (Unicode TR39's mixed-script test), so such an option is refused instead."""
    for word in re.findall(r"\w+", text):
        scripts = set()
        for char in word:
            if char.isalpha():
                script = unicodedata.name(char, "").split(" ", 1)[0]
                if script in _LOOKALIKE_SCRIPTS:
                    scripts.add(script.title())
        if len(scripts) > 1:
            return sorted(scripts)
    return []


def _as_text(value: Any) -> Any:
    """A number where a text goes is the text it reads as (YAML makes ``2020`` an int): a year
    or a score is a word on a ballot. True and false stay what they are, and are refused."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return getattr(value, "written", None) or str(value)  # "10.50", "010" as written
    return value


def _localized(value: Any) -> Any:
    """A plain text is the English one; a number, plain or per language, is its text."""
    value = _as_text(value)
    if isinstance(value, str):
        return {"en": value}
    if isinstance(value, dict):
        return {lang: _as_text(text) for lang, text in value.items()}
    return value


def _texts_of(value: Any) -> Any:
    """A list of option names, where ``[2023]`` names the option ``2023``."""
    if isinstance(value, list | tuple):
        return [_as_text(item) for item in value]
    return value


def _check_localized(value: dict[str, str]) -> dict[str, str]:
    if "en" not in value:
        raise ValueError("needs an English text (key 'en')")
    unknown = set(value) - set(LANGUAGES)
    if unknown:
        raise ValueError(f"unknown language {sorted(unknown)}; use {', '.join(LANGUAGES)}")
    for lang, text in value.items():
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"the {lang} text is empty")
    return {k: v.strip() for k, v in value.items()}


Localized = Annotated[dict[str, str], BeforeValidator(_localized)]


def pick(text: dict[str, str] | None, lang: str) -> str:
    """The text in ``lang``, falling back to English."""
    if not text:
        return ""
    return text.get(lang) or text["en"]


class Option(BaseModel):
    """One answer a young person can tap."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(default="", pattern=r"^$|" + SLUG)
    label: Localized
    button: Localized | None = None  # a short text for the button when the label is long
    description: Localized | None = None
    tag: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        value = _as_text(value)  # a rating scale: options: [1, 2, 3, 4, 5]
        if isinstance(value, str):
            return {"label": value}
        return value

    @field_validator("label", "button", "description")
    @classmethod
    def _texts(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return None if value is None else _check_localized(value)

    @field_validator("label")
    @classmethod
    def _not_too_long(cls, value: dict[str, str]) -> dict[str, str]:
        for lang, text in value.items():
            if len(text) > MAX_LABEL:
                raise ValueError(
                    f"the {lang} label is {len(text)} characters; keep it to {MAX_LABEL} or "
                    "fewer and put the rest in 'description'"
                )
        return value

    @field_validator("button")
    @classmethod
    def _short(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        for lang, text in (value or {}).items():
            if len(text) > MAX_BUTTON:
                raise ValueError(
                    f"the {lang} button is {len(text)} characters; a button shows {MAX_BUTTON} "
                    "or fewer"
                )
        return value

    @model_validator(mode="after")
    def _default_id(self) -> Option:
        if self.button and set(self.button) - set(self.label):
            extra = sorted(set(self.button) - set(self.label))
            raise ValueError(f"'button' has a text in {extra} but 'label' has none")
        if not self.id:
            object.__setattr__(self, "id", slugify(self.label["en"]))
        return self

    def button_text(self, lang: str) -> str:
        """What the option's button says: its 'button', the label if it fits, else the label
        cut at a word (the question screen then lists the full label)."""
        lang = lang if lang in self.label else "en"
        if self.button and lang in self.button:
            return self.button[lang]
        label = self.label[lang]
        return label if len(label) <= MAX_BUTTON else shorten(label)

    def shortened(self, lang: str) -> bool:
        """Whether the button doesn't show the whole label (so the screen must)."""
        return self.button_text(lang) != pick(self.label, lang)


def shorten(text: str, limit: int = BUTTON_CUT) -> str:
    """``text`` cut at the last word that fits in ``limit`` characters, ending with "…"."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut and not text[limit - 1].isspace():
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:-–") + "…"


class Question(BaseModel):
    """One screen of the journey."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=SLUG)
    kind: Literal["choice", "multi", "rank", "text"]
    text: Localized
    help: Localized | None = None
    options: tuple[Option, ...] = ()
    ineligible: Annotated[tuple[str, ...], BeforeValidator(_texts_of)] = ()
    # Answers that may not use Telegram (its terms: 16 and over in the UK): told to use the web
    # ballot or paper instead, with nothing stored.
    not_on_telegram: Annotated[tuple[str, ...], BeforeValidator(_texts_of)] = ()
    breakdown: bool = False
    optional: bool = False
    max: int | None = Field(default=None, ge=1)
    max_length: int = Field(default=1000, ge=1, le=3000)
    # people per option, for turnout as a share of them: never negative
    population: dict[str, int] | None = None

    @field_validator("text", "help")
    @classmethod
    def _texts(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return None if value is None else _check_localized(value)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Question:
        # A poll kept before a rule below was added still loads (restore_poll).
        stored = bool(info.context and info.context.get("stored"))
        if self.kind == "text":
            if self.options or self.ineligible or self.breakdown or self.not_on_telegram:
                raise ValueError(
                    "a text question has no options, ineligible, not_on_telegram or breakdown"
                )
            return self
        if len(self.options) < 2:
            raise ValueError(f"a {self.kind} question needs at least 2 options")
        if len(self.options) > 20:
            raise ValueError("a question may have at most 20 options")
        ids = [o.id for o in self.options]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"two options have the same id {dupes}; give each an 'id'")
        for lang in LANGUAGES:
            shown = [o.button_text(lang) for o in self.options]
            keys = [b.casefold() if stored else looks(b) for b in shown]
            twins = zip(shown, keys, strict=True)
            same = sorted({b.casefold() for b, k in twins if keys.count(k) > 1})
            if same:
                raise ValueError(
                    f"two options would show the same button {same} ({lang}); give one a "
                    "shorter label or a 'button'"
                )
        for option in [] if stored else self.options:
            for text in [*option.label.values(), *(option.button or {}).values()]:
                mixed = mixed_alphabets(text)
                if mixed:
                    raise ValueError(
                        f"the option {text!r} mixes {' and '.join(mixed)} letters in one word, "
                        "so it looks like another option; type it again"
                    )
        if self.kind != "choice" and (self.ineligible or self.breakdown or self.not_on_telegram):
            raise ValueError(
                "only a choice question can have 'ineligible', 'not_on_telegram' or 'breakdown'"
            )
        if self.kind == "choice" and self.max is not None:
            raise ValueError("'max' is for multi and rank questions")
        if self.max is not None and self.max > len(self.options):
            raise ValueError(f"'max' is {self.max} but there are only {len(self.options)} options")
        by_label = {o.label["en"].casefold(): o.id for o in self.options}
        known = set(ids)
        for name in ("ineligible", "not_on_telegram"):
            resolved = []
            for item in getattr(self, name):
                oid = item if item in known else by_label.get(item.casefold())
                if oid is None:
                    raise ValueError(f"{name} names {item!r}, which is not one of the options")
                resolved.append(oid)
            object.__setattr__(self, name, tuple(resolved))
        if len(self.ineligible) >= len(self.options):
            raise ValueError("every option is ineligible")
        if self.breakdown and PREFER_NOT_TO_SAY not in known:
            raise ValueError("a breakdown question must offer 'Prefer not to say' as an option")
        if self.population is not None:
            unknown = sorted(set(self.population) - known)
            if unknown:
                raise ValueError(f"population names unknown options {unknown}")
            wrong = sorted(k for k, n in self.population.items() if not 0 <= n <= MAX_POPULATION)
            if wrong and not stored:  # a poll kept before this was checked still loads
                raise ValueError(
                    f"population of {wrong} must be a number from 0 to {MAX_POPULATION:,}"
                )
        return self

    @property
    def limit(self) -> int:
        """How many options a multi/rank answer takes at most."""
        if self.kind == "choice":
            return 1
        return self.max or len(self.options)

    def option(self, option_id: str) -> Option | None:
        for opt in self.options:
            if opt.id == option_id:
                return opt
        return None


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:  # a council writes local time: read it as UK time
        value = value.replace(tzinfo=UK_TIME)
    try:
        return value.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00-12:00 is after the last time Python can hold
        raise ValueError("is too far in the past or the future") from None


def session_breakdown(sessions: list[tuple[int, str]]) -> Question:
    """Session links as a breakdown question (built, not validated: labels are free text)."""
    options = tuple(
        Option.model_construct(
            id=str(sid), label={"en": label}, button=None, description=None, tag=None
        )
        for sid, label in sessions
    )
    return Question.model_construct(
        id=SESSION_DIMENSION,
        kind="choice",
        text={"en": "Session"},
        help=None,
        options=options,
        ineligible=(),
        breakdown=True,
        optional=False,
        max=None,
        max_length=1000,
        population=None,
    )


class Poll(BaseModel):
    """A validated poll file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(pattern=r"^[A-Za-z0-9-]{3,40}$")
    title: Localized
    intro: Localized | None = None
    outcome: Localized | None = None
    organiser: str | None = None
    opens: datetime | None = None
    closes: datetime | None = None
    questions: tuple[Question, ...] = Field(min_length=1, max_length=30)
    # How the web ballot keeps to one ballot per person: single-use voting codes handed out in
    # a session, one ballot per browser for anyone with the link, or no web ballot at all.
    web: Literal["codes", "open", "off"] = "codes"
    # Campaigns the poll belongs to (e.g. "make-your-mark-2026"): the results site puts the
    # top issues of every poll sharing a tag side by side. None, not (), so a poll file without
    # tags is stored exactly as before.
    tags: tuple[Annotated[str, Field(pattern=SLUG)], ...] | None = Field(
        default=None, max_length=10
    )

    @field_validator("code")
    @classmethod
    def _lower(cls, value: str) -> str:
        return value.lower()

    @field_validator("title", "intro", "outcome")
    @classmethod
    def _texts(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return None if value is None else _check_localized(value)

    @field_validator("opens", "closes")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return _aware(value)

    @model_validator(mode="after")
    def _consistent(self) -> Poll:
        self._fits_telegram()
        ids = [q.id for q in self.questions]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"two questions have the same id {dupes}")
        if self.opens and self.closes and self.closes <= self.opens:
            raise ValueError("'closes' must be after 'opens'")
        return self

    def _fits_telegram(self) -> None:
        """Every screen must fit one Telegram message (4,096 characters as Telegram counts
        them, in UTF-16 units: an emoji is two), or nobody could get past it: the notice, each
        question, and the check screen listing every answer."""
        for lang in LANGUAGES:
            notice = sum(units(pick(t, lang)) for t in (self.title, self.intro, self.outcome))
            if notice > NOTICE_BUDGET:
                raise ValueError(
                    f"title, intro and outcome together are {notice} characters ({lang}); "
                    f"keep them under {NOTICE_BUDGET} so the privacy notice fits one message"
                )
            check = 0
            for q in self.questions:
                described = sum(
                    units(pick(o.label, lang)) + units(pick(o.description, lang)) + 8
                    for o in q.options
                )
                screen = units(pick(q.text, lang)) + units(pick(q.help, lang)) + described
                if screen > QUESTION_BUDGET:
                    raise ValueError(
                        f"question {q.id!r} with its options is {screen} characters ({lang}); "
                        f"keep it under {QUESTION_BUDGET} so it fits one message"
                    )
                longest = max((units(pick(o.label, lang)) for o in q.options), default=0)
                answer = SUMMARY_TEXT_CHARS if q.kind == "text" else (longest + 5) * q.limit
                check += units(pick(q.text, lang)) + answer + 12
            if check > CHECK_BUDGET:
                raise ValueError(
                    f"the check-your-answers screen would be about {check} characters ({lang}); "
                    f"use fewer or shorter questions (under {CHECK_BUDGET})"
                )

    @property
    def breakdowns(self) -> tuple[Question, ...]:
        return tuple(q for q in self.questions if q.breakdown)

    def group_key(
        self,
        choices: Iterable[tuple[str, str, int | None]],
        session: int | None = None,
        *,
        paper: bool = False,
        channel: str | None = None,
    ) -> str:
        """A ballot's breakdown answers as stored with each answer: "age=13-15&area=north"
        (with "session=<id>" for a session link's ballot, "channel=paper" for a paper one and
        "channel=web" for a web one; Telegram ballots carry no channel part)."""
        dims = {q.id for q in self.breakdowns}
        parts = [f"{q}={o}" for q, o, _ in choices if q in dims]
        if session is not None:
            parts.append(f"{SESSION_DIMENSION}={session}")
        if paper:
            parts.append(f"{CHANNEL}=paper")
        elif channel is not None and channel != "telegram":
            parts.append(f"{CHANNEL}={channel}")
        return "&".join(sorted(parts))

    def question(self, question_id: str) -> Question | None:
        for q in self.questions:
            if q.id == question_id:
                return q
        return None

    def languages(self) -> tuple[str, ...]:
        """Languages the whole poll is written in (every text has them)."""
        return tuple(lang for lang in LANGUAGES if lang == "en" or self._all_have(lang))

    def _all_have(self, lang: str) -> bool:
        texts: list[dict[str, str] | None] = [self.title, self.intro, self.outcome]
        for q in self.questions:
            texts += [q.text, q.help, *(o.label for o in q.options)]
        return all(t is None or lang in t for t in texts)


# --- loading -----------------------------------------------------------------------------


def _yes(value: Any) -> bool:
    """A setting that the model will read as true (``true``, or the words it takes for it)."""
    return value is True or (isinstance(value, str) and value.lower() in ("yes", "on", "y", "t"))


def _with_prefer_not_to_say(data: Any, labels: dict[str, str]) -> Any:
    """Add the standard 'Prefer not to say' option to breakdown questions that lack it."""
    if not isinstance(data, dict) or not isinstance(data.get("questions"), list):
        return data
    for q in data["questions"]:
        if not (isinstance(q, dict) and _yes(q.get("breakdown"))):
            continue
        options = q.get("options")
        if not isinstance(options, list):
            continue
        ids = set()
        for opt in options:
            if isinstance(opt, str):
                ids.add(slugify(opt))
            elif isinstance(opt, dict):
                label = opt.get("label")
                en = label.get("en") if isinstance(label, dict) else label
                ids.add(opt.get("id") or (slugify(en) if isinstance(en, str) else ""))
        if PREFER_NOT_TO_SAY not in ids:
            q["options"] = [*options, {"id": PREFER_NOT_TO_SAY, "label": dict(labels)}]
    return data


def _line_map(text: str) -> dict[tuple[Any, ...], int]:
    """Map each YAML path (keys and list indexes) to the line it starts on (1-based)."""
    lines: dict[tuple[Any, ...], int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return lines

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                walk(value, (*path, key.value))
                lines[(*path, key.value)] = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    if root is not None:
        walk(root, ())
    return lines


def _describe(loc: tuple[Any, ...], data: Any) -> str:
    """'questions[2] (id: area).options' from a pydantic location."""
    parts: list[str] = []
    node = data
    for item in loc:
        if isinstance(item, int):
            label = f"[{item}]"
            if isinstance(node, list) and 0 <= item < len(node):
                node = node[item]
                if isinstance(node, dict) and "id" in node:
                    label += f" (id: {node['id']})"
            parts.append(label)
        else:
            parts.append(("." if parts else "") + str(item))
            node = node.get(item) if isinstance(node, dict) else None
    return "".join(parts) or "(top level)"


def _real_errors(errors: list[Any]) -> list[Any]:
    """Drop a list's "too short" when an item inside it failed: pydantic counts only the items
    that validated, so one bad question also reads as "questions: at least 1 item", which
    is not a second problem."""
    return [
        err
        for err in errors
        if err["type"] != "too_short"
        or not any(
            len(other["loc"]) > len(err["loc"])
            and tuple(other["loc"][: len(err["loc"])]) == tuple(err["loc"])
            for other in errors
        )
    ]


MAX_DEPTH = 20  # levels of nesting; a poll file needs 7 (questions, options, labels...)


class _PollLoader(yaml.SafeLoader):
    """safe_load without aliases: a poll file never needs them, and a few lines of nested
    aliases expand to millions of values that validation would walk for minutes (the bot
    parses an uploaded file on its event loop, so everyone would wait). Nesting is limited
    too: a few hundred ``[`` would exhaust Python's recursion limit in the parser."""

    _depth = 0
    what = "a poll file"

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, f"aliases (*name) are not allowed in {self.what}", mark
            )
        if self._depth >= MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, f"nested more than {MAX_DEPTH} levels deep", mark
            )
        self._depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        """A key given twice is refused: YAML itself would keep the last silently (a second
        ``questions:`` would drop every question above it)."""
        if isinstance(node, yaml.MappingNode):
            seen: set[str] = set()
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag.endswith(":merge"):
                    continue
                if key_node.value in seen:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"{key_node.value!r} is given twice", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_timestamp(self, node: Any) -> Any:
        """A date that does not exist (2026-02-30) is a problem in the file, not a crash."""
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError:
            raise yaml.constructor.ConstructorError(
                None, None, f"{node.value!r} is not a real date or time", node.start_mark
            ) from None


_PollLoader.add_constructor("tag:yaml.org,2002:timestamp", _PollLoader.construct_yaml_timestamp)


class _WrittenInt(int):
    """An int that remembers how the file wrote it: ``010`` is octal 8 to YAML 1.1 but the
    text "010" where a text goes (see _as_text)."""

    written: str


class _WrittenFloat(float):
    """A float that remembers how the file wrote it: ``10.50`` is "10.50" as a label."""

    written: str


def _construct_written(kind: type[_WrittenInt] | type[_WrittenFloat], base: Any) -> Any:
    def construct(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
        number = kind(base(loader, node))
        number.written = node.value
        return number

    return construct


_PollLoader.add_constructor(
    "tag:yaml.org,2002:int", _construct_written(_WrittenInt, yaml.SafeLoader.construct_yaml_int)
)
_PollLoader.add_constructor(
    "tag:yaml.org,2002:float",
    _construct_written(_WrittenFloat, yaml.SafeLoader.construct_yaml_float),
)

# YAML 1.1 reads yes, no, on and off (any case) as true and false: "options: [Yes, No]" and
# "web: off" would be booleans, refused with a puzzling message. As in YAML 1.2, only true and
# false are booleans; the other words are the text they are (a setting such as
# "breakdown: yes" still reads as true: the model takes yes/no/on/off for a boolean).
_TRUE_FALSE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
# YAML 1.1 also reads 21:30 as the base-60 number 1290, and a number where a text goes is its
# text ("options: [21:00, 21:30]" were "1260" and "1290"). As in YAML 1.2, a scalar with a
# colon is no number: no setting is written in base 60, and a time of day is the text it is.
_NUMBERS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


def _resolver(tag: str, regexp: re.Pattern[str]) -> re.Pattern[str]:
    if tag == "tag:yaml.org,2002:bool":
        return _TRUE_FALSE
    if tag in _NUMBERS:
        return re.compile("(?!.*:)" + regexp.pattern, regexp.flags)
    return regexp


_PollLoader.yaml_implicit_resolvers = {
    first: [
        (tag, _resolver(tag, regexp))
        for tag, regexp in resolvers
        if tag != "tag:yaml.org,2002:bool" or first in "tTfF"
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_poll(text: str, source: str, prefer_not_to_say: dict[str, str]) -> Poll:
    """Validate poll YAML; raise :class:`PollFileError` listing every problem with its line."""
    try:
        data = yaml.load(text, Loader=_PollLoader)  # a SafeLoader
    except yaml.YAMLError as exc:
        raise PollFileError(source, [_yaml_problem(exc)]) from None
    if not isinstance(data, dict):
        raise PollFileError(source, ["the file must be a YAML mapping with code, title, questions"])
    problems = [
        (loc, HALF_CHARACTER)
        for loc in _texts_matching(data, ())  # no UTF-8 to store: a traceback later
    ] + [
        (
            loc,
            "holds a control character (an escape such as \\e, \\0 or \\x07): no page"
            " or message can show it; remove it",
        )
        for loc in _texts_matching(data, (), _CONTROL)  # breaks the pages' HTML and a terminal
    ]
    if problems:
        lines = _line_map(text)
        raise PollFileError(
            source,
            [f"line {lines.get(loc, 1)}: {_describe(loc, data)}: {why}" for loc, why in problems],
        )
    data = _with_prefer_not_to_say(data, prefer_not_to_say)
    try:
        return Poll.model_validate(data)
    except ValidationError as exc:
        lines = _line_map(text)
        problems = []
        for err in _real_errors(exc.errors()):
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and "[" in p))
            line = None
            for n in range(len(loc), -1, -1):
                line = lines.get(loc[:n])
                if line is not None:
                    break
            msg = err["msg"].removeprefix("Value error, ")
            where = f"line {line}: " if line else ""
            problems.append(f"{where}{_describe(loc, data)}: {msg}")
        raise PollFileError(source, problems) from None


_SURROGATE = re.compile("[\ud800-\udfff]")
# C0 controls but tab, newline and carriage return; DEL; C1 controls: YAML's "\e", "\0"...
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


HALF_CHARACTER = (
    "a \\u escape between \\ud800 and \\udfff is half of a character; write the character itself"
)


def _yaml_problem(exc: yaml.YAMLError) -> str:
    """A YAML error in one line: where, and what is wrong."""
    mark = getattr(exc, "problem_mark", None)
    where = f"line {mark.line + 1}: " if mark is not None else ""
    problem = getattr(exc, "problem", None) or str(exc)
    return f"{where}not valid YAML ({problem})"


def _texts_matching(
    data: Any, path: tuple[Any, ...], pattern: re.Pattern[str] = _SURROGATE
) -> Iterator[tuple[Any, ...]]:
    """Where a text (a key or a value) holds a lone surrogate, which YAML's "\\ud800"
    escape makes and no file or database can hold (or another ``pattern``)."""
    if isinstance(data, str):
        if pattern.search(data):
            yield path
    elif isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and pattern.search(key):
                yield path
            yield from _texts_matching(value, (*path, key), pattern)
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _texts_matching(item, (*path, i), pattern)


NOT_UTF8 = "the file is not UTF-8 text: save it as UTF-8 (in Notepad: Save as, Encoding UTF-8)"


def parse_poll_bytes(data: bytes, source: str, prefer_not_to_say: dict[str, str]) -> Poll:
    """Validate a poll file's bytes (an upload): UTF-8 or refused, never read with characters
    replaced (a file saved as Windows-1252 would otherwise become a poll showing "caf\ufffd")."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PollFileError(source, [NOT_UTF8]) from None
    return parse_poll(text, source, prefer_not_to_say)


def load_poll_file(path: Path, prefer_not_to_say: dict[str, str]) -> Poll:
    """Read and validate a poll file from disk."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PollFileError(str(path), [f"cannot read the file ({exc})"]) from None
    return parse_poll_bytes(data, str(path), prefer_not_to_say)


def dump_poll(poll: Poll) -> str:
    """The JSON kept in the database for a poll."""
    return poll.model_dump_json(exclude_none=True)


def restore_poll(definition: str) -> Poll:
    """Rebuild a poll from the database's JSON (already validated once)."""
    return Poll.model_validate_json(definition, context={"stored": True})
