"""A young person's unfinished answers, as kept (under a keyed hash) between taps."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

Answer = list[str] | str
EARLIER_KEPT = 4  # a journey's earlier tokens a tap may still bring back (renew_token)


def _token() -> str:
    """A journey's token: which message's buttons are live (six hex digits in callback data)."""
    return secrets.token_hex(3)


@dataclass(slots=True)
class Journey:
    """Where someone is in a poll and what they have answered so far.

    ``step`` is "n" (privacy notice), a question index as text, "c" (check and send) or "e"
    (choose an answer to change). ``pending`` holds a multi/rank answer being built.
    """

    token: str
    poll_id: int
    lang: str
    step: str = "n"
    answers: dict[str, Answer] = field(default_factory=dict)
    pending: list[str] | None = None
    back_to_confirm: bool = False
    privacy_open: bool = False
    session: int | None = None  # the class or group session link it was opened from
    text_langs: dict[str, list[Any]] = field(default_factory=dict)  # question -> [lang, conf]
    flagged: list[str] = field(default_factory=list)  # questions whose answer needs signposting
    review: list[str] = field(default_factory=list)  # questions whose answer is a worry to review
    text_msgs: dict[str, str] = field(default_factory=dict)  # typed message id -> question
    preview: bool = False  # staff trying the poll: nothing is ever cast
    offer_lang: str | None = None  # typed text looked like this language: offer to switch
    offered: list[str] = field(default_factory=list)  # languages offered once already
    ask_help: bool = False  # after signposting: offer "I'd like an adult to contact me"
    channel: str = "telegram"  # where the ballot is being cast: telegram or web
    voter: str | None = None  # a voting code's keyed hash (hex), when a code opened it (web)
    notes: list[str] = field(default_factory=list)  # web: catalog keys of what to say above
    # the next page (said in that page's language; a draft kept before this may hold words)
    earlier: list[str] = field(default_factory=list)  # tokens this journey's messages had
    # before the link was opened again (see renew_token)

    @classmethod
    def new(cls, poll_id: int, lang: str) -> Journey:
        return cls(token=_token(), poll_id=poll_id, lang=lang)

    def renew_token(self) -> None:
        """Give the journey a new token, so that only the message about to be shown works:
        two live copies of one screen could each be sent and thanked. The old token is kept
        (the last EARLIER_KEPT): if the new message never reaches the person (Telegram failed),
        a tap on an older one brings the journey back to that message instead of leaving the
        person with no message that works."""
        self.follows(self)
        self.token = _token()

    def follows(self, before: Journey) -> None:
        """Keep ``before``'s tokens among this journey's earlier ones (see renew_token)."""
        self.earlier = [*before.earlier, before.token][-EARLIER_KEPT:]

    def dumps(self) -> str:
        data = {name: getattr(self, name) for name in self.__slots__}  # type: ignore[attr-defined]
        return json.dumps(data, separators=(",", ":"), ensure_ascii=False)

    @classmethod
    def loads(cls, text: str) -> Journey | None:
        """Parse stored state; None if it is damaged (the person simply starts again)."""
        try:
            data = json.loads(text)
            if isinstance(data, dict):  # a field a newer version added (processes on one
                # database are upgraded one at a time) is left out, not the whole draft
                data = {k: v for k, v in data.items() if k in cls.__slots__}  # type: ignore[attr-defined]
            journey = cls(**data)
        except (ValueError, TypeError):
            return None
        if not isinstance(journey.answers, dict):
            return None
        return journey

    @property
    def index(self) -> int | None:
        return int(self.step) if self.step.isdigit() else None
