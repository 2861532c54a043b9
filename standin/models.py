"""Plain data types shared by the stand-in server and the fake users."""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ApiCall:
    """One request the bot made. ``status`` is 0 while the request is still in flight
    (a long poll), then the HTTP status it was answered with."""

    method: str
    params: dict[str, Any]
    at: float
    status: int
    error: str | None = None  # the error description, for readable failure messages


@dataclass
class Fault:
    """What the ``fault`` hook can do to one request instead of answering it normally.

    ``kind`` "error" answers with ``status``/``description`` and does nothing else; "hold"
    answers only after ``seconds`` (past the client's read timeout, it never sees the answer);
    "reset" closes the connection without a whole answer. For "hold" and "reset", ``applied``
    says whether Telegram did the thing before the trouble (the message is sent, the tap
    answered: only the answer was lost) or not (lost on the way in; a held request that the
    client gave up on is never done).
    """

    status: int
    description: str
    retry_after: int | None = None
    kind: str = "error"  # "error", "hold" or "reset"
    seconds: float = 0.0
    applied: bool = False
    migrate_to_chat_id: int | None = None

    @classmethod
    def migrated(cls, new_chat_id: int) -> Fault:
        """A group upgraded to a supergroup: its old id is refused, naming the new one."""
        description = "Bad Request: group chat was upgraded to a supergroup chat"
        return cls(400, description, migrate_to_chat_id=new_chat_id)

    @classmethod
    def flood(cls, retry_after: int = 1) -> Fault:
        return cls(429, f"Too Many Requests: retry after {retry_after}", retry_after)

    @classmethod
    def blocked(cls) -> Fault:
        return cls(403, "Forbidden: bot was blocked by the user")

    @classmethod
    def server_error(cls, status: int = 502) -> Fault:
        """Telegram's front end failing (500, 502, 503, 504): nothing was done."""
        names = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}
        return cls(status, names.get(status, "Gateway Timeout"))

    @classmethod
    def hold(cls, seconds: float, *, applied: bool = True) -> Fault:
        """A slow answer: held for ``seconds`` (done first when ``applied``)."""
        return cls(0, "held", kind="hold", seconds=seconds, applied=applied)

    @classmethod
    def reset(cls, *, applied: bool = True) -> Fault:
        """The connection closed mid-answer (after doing it, when ``applied``) or before."""
        return cls(0, "connection reset", kind="reset", applied=applied)


@dataclass
class BotOutput:
    """One thing the bot did to a chat; ``message`` is the message as it looked right after."""

    method: str
    message: dict[str, Any] | None
    params: dict[str, Any]

    @property
    def plain(self) -> str:
        """The message text without markup ("" when there is no message)."""
        return self.message["plain"] if self.message else ""

    @property
    def buttons(self) -> list[list[str]]:
        return self.message["buttons"] if self.message else []


@dataclass
class SentFile:
    """A file the bot sent (upload, file_id or URL)."""

    method: str
    chat_id: int
    filename: str | None
    content: bytes = field(repr=False)
    caption: str | None


@dataclass
class Upload:
    """A file part of a multipart request; kept in ``ApiCall.params`` without its bytes in repr."""

    filename: str | None
    content_type: str | None
    content: bytes = field(repr=False)

    @property
    def size(self) -> int:
        return len(self.content)


@dataclass
class StoredFile:
    """A file that getFile and the file URL can serve."""

    file_id: str
    file_unique_id: str
    kind: str  # document, photo, sticker, voice
    filename: str | None
    mime_type: str | None
    content: bytes = field(repr=False)
    file_path: str = ""


class ApiError(Exception):
    """Raised by method handlers; turned into a Bot API error response."""

    def __init__(
        self,
        status: int,
        description: str,
        retry_after: int | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id


def bad_request(what: str) -> ApiError:
    return ApiError(400, f"Bad Request: {what}")


@dataclass
class StoredMessage:
    """A message as the chat currently shows it. ``api`` is the Bot API Message dict; it is
    replaced (never mutated) on edits, so dicts handed out earlier stay valid snapshots."""

    api: dict[str, Any]
    text: str  # text or caption as sent (with markup)
    plain: str  # text or caption as displayed
    from_bot: bool
    kind: str
    reply_markup: dict[str, Any] | None  # as sent: inline keyboard, reply keyboard, removal...

    @property
    def message_id(self) -> int:
        return int(self.api["message_id"])

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]] | None:
        markup = self.reply_markup
        return markup.get("inline_keyboard") if markup else None

    def view(self) -> dict[str, Any]:
        """The test-friendly dict used in ``messages`` and ``BotOutput.message``."""
        return {
            "message_id": self.message_id,
            "text": self.text,
            "plain": self.plain,
            "reply_markup": self.reply_markup,
            "buttons": button_texts(self.reply_markup),
            "from_bot": self.from_bot,
            "kind": self.kind,
            "date": self.api["date"],
            "api": self.api,
        }


def button_texts(markup: dict[str, Any] | None) -> list[list[str]]:
    """Rows of button labels of an inline or reply keyboard."""
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [[b if isinstance(b, str) else str(b.get("text", "")) for b in row] for row in rows]


class ChatState:
    """Everything the stand-in knows about one chat."""

    def __init__(self, info: dict[str, Any]) -> None:
        self.info = info  # the Bot API Chat dict
        self.id: int = info["id"]
        self.last_message_id = 0
        self.messages: dict[int, StoredMessage] = {}
        self.outputs: deque[BotOutput] = deque()
        self.output_event = asyncio.Event()
        self.blocked = False
        self.reply_keyboard: dict[str, Any] | None = None

    def next_message_id(self) -> int:
        self.last_message_id += 1
        return self.last_message_id

    def add_output(self, output: BotOutput) -> None:
        self.outputs.append(output)
        self.output_event.set()
