"""Plain records that cross the storage boundary (no aiosqlite types leak out)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Literal


class StorageError(Exception):
    """The store could not be opened or used; the message says what to do."""


class StorageUnavailable(StorageError):
    """The database could not write just now (disk full, locked, I/O error): nothing of the
    operation was kept, and trying again later may work."""


class PollExists(StorageError):
    """A poll with that code is already in the database."""


class AlreadyImported(StorageError):
    """This exact file of paper ballots was imported into this poll before."""

    @classmethod
    def of(cls, name: str, day: str) -> AlreadyImported:
        """The refusal both backends give, naming the earlier import."""
        return cls(f"this file was already imported on {day} (as {name}); nothing was added")


class CastResult(enum.Enum):
    """What happened to a submitted ballot."""

    COUNTED = "counted"
    ALREADY_VOTED = "already_voted"
    POLL_CLOSED = "poll_closed"


class UpdateClaim(enum.Enum):
    """What to do with a delivery of a Telegram update (see Store.claim_update)."""

    HANDLE = "handle"  # first delivery, or a claim left by a process that died: handle it
    DONE = "done"  # handled before (Telegram did not get our answer): drop it
    BUSY = "busy"  # another delivery of it is being handled now: ask Telegram to retry


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
    channel: str = "telegram"  # or "web", "paper"
    session_id: int | None = None
    # Never set by markbot: a ballot keeps no language (nothing counts by it, and the one voter
    # of a class who used Welsh would be picked out by it). The column stays, always NULL.
    lang: str | None = None
    choices: tuple[tuple[str, str, int | None], ...] = ()  # (question, option, rank)
    # (question, body[, language, confidence[, flagged by safeguarding[, themes[, for review]]]])
    texts: tuple[tuple[Any, ...], ...] = ()
    groups: str = ""  # the ballot's breakdown answers, "dim=option&dim=option" (see migrations)


@dataclass(frozen=True, slots=True)
class SharedNote:
    """A short-lived shared_state entry written in a ballot's own transaction: the note that a
    journey was counted exists exactly when its ballot does, through a crash between the two."""

    kind: str
    key: bytes
    value: bytes
    expires_at: int


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


# --- subscribers and broadcasts ---------------------------------------------------------------

Settled = Literal["sent", "failed", "removed"]
COUNTED_STATES = ("sent", "failed", "removed", "unknown")


class BroadcastExists(StorageError):
    """This poll has been announced to subscribers already (one broadcast per poll)."""


@dataclass(frozen=True, slots=True)
class BroadcastRow:
    """An unfinished broadcast, as found on start-up."""

    id: int
    poll_id: int
    notify: bytes | None  # the staff chat, encrypted like subscribers' chats
    lang: str
    total: int


@dataclass(frozen=True, slots=True)
class Target:
    """What a claimed send needs: the encrypted chat and the language."""

    chat: bytes
    lang: str


# --- contact requests -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ContactRow:
    """A sent contact request: the sealed detail and the date, nothing else."""

    id: int
    sealed: bytes
    sent_on: str
    delivered: bool
    alert_message_id: int | None


class DuplicateCode(StorageError):
    """A voting code in the batch is already kept for the poll (nothing of the batch was)."""


# One batch of a database copy (Store.dump -> Store.load): table, column names, rows.
TableRows = tuple[str, tuple[str, ...], list[tuple[Any, ...]]]
