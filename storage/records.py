"""Plain records that cross the storage boundary (no aiosqlite types leak out)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any


class StorageError(Exception):
    """The store could not be opened or used; the message says what to do."""


class PollExists(StorageError):
    """A poll with that code is already in the database."""


class AlreadyImported(StorageError):
    """This exact file of paper ballots was imported into this poll before."""


class CastResult(enum.Enum):
    """What happened to a submitted ballot."""

    COUNTED = "counted"
    ALREADY_VOTED = "already_voted"
    POLL_CLOSED = "poll_closed"


@dataclass(frozen=True, slots=True)
class PollRow:
    id: int
    code: str
    title: str
    status: str
    definition: str
    opens_at: int | None
    closes_at: int | None
    created_at: int


@dataclass(frozen=True, slots=True)
class PollSummary:
    code: str
    title: str
    status: str
    opens_at: int | None
    closes_at: int | None
    ballots: int
    today: int = 0  # ballots cast on the day asked about


@dataclass(frozen=True, slots=True)
class DraftRow:
    """Unfinished answers, keyed by a hash of the person (never their id)."""

    owner: bytes
    token: str
    poll_id: int
    state: str
    updated_at: int


@dataclass(frozen=True, slots=True)
class NewBallot:
    """A finished ballot: random id, coarse date, and the answers."""

    poll_id: int
    cast_on: str
    channel: str = "online"
    session_id: int | None = None
    lang: str | None = None
    choices: tuple[tuple[str, str, int | None], ...] = ()  # (question, option, rank)
    # (question, body[, language, confidence[, flagged by safeguarding[, themes[, for review]]]])
    texts: tuple[tuple[Any, ...], ...] = ()
    groups: str = ""  # the ballot's breakdown answers, "dim=option&dim=option" (see migrations)


@dataclass(frozen=True, slots=True)
class OptionCount:
    question: str
    option: str
    rank: int | None  # the place given on a rank question; None for choice and multi
    count: int


@dataclass(frozen=True, slots=True)
class GroupCount:
    question: str
    option: str
    rank: int | None
    dimension: str
    group: str
    count: int


@dataclass(frozen=True, slots=True)
class Respondents:
    """How many ballots answered each question, overall (group '') or per breakdown group."""

    question: str
    dimension: str
    group: str
    count: int


@dataclass(slots=True)
class TallyData:
    """Everything a tally needs, read in one consistent snapshot."""

    ballots: int = 0
    options: list[OptionCount] = field(default_factory=list)
    groups: list[GroupCount] = field(default_factory=list)
    respondents: list[Respondents] = field(default_factory=list)
