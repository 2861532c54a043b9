"""The one codec for button data: ``1:<journey>:<step>:<action>[:<arg>]``.

Short (Telegram allows 64 bytes), versioned, and validated in one place: anything that does not
decode is ``None``, never an exception, so a forged button gets a friendly answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION = "1"
ACTIONS = frozenset(
    {
        "go",  # start the questions from the privacy notice
        "pv",  # show the privacy details on the notice
        "nt",  # back to the notice
        "a",  # answer: arg = option index (choice: pick; multi: toggle; rank: add)
        "dn",  # done with a multi or rank question
        "un",  # undo the last ranked option
        "sk",  # skip an optional question
        "bk",  # back to the previous question
        "ok",  # submit
        "ch",  # choose an answer to change
        "ed",  # edit question number arg
        "x",  # stop: ask "Delete your answers?" first (the step stays: one tap loses nothing)
        "xy",  # yes, delete the unfinished answers
        "xn",  # no: back to the screen Stop was pressed on
        "sw",  # switch to the language the person typed in: arg = index in the catalog
    }
)
_TOKEN = re.compile(r"^[a-z0-9]{4,12}$")
_STEP = re.compile(r"^(?:n|c|e|[0-9]{1,2})$")


@dataclass(frozen=True, slots=True)
class Callback:
    token: str
    step: str
    action: str
    arg: int | None = None

    def encode(self) -> str:
        parts = [VERSION, self.token, self.step, self.action]
        if self.arg is not None:
            parts.append(str(self.arg))
        return ":".join(parts)


def decode(data: str | None) -> Callback | None:
    """Parse button data, or None if it is not ours or not well formed."""
    if not data or len(data) > 64:
        return None
    parts = data.split(":")
    if len(parts) not in (4, 5) or parts[0] != VERSION:
        return None
    _, token, step, action, *rest = parts
    if not _TOKEN.match(token) or not _STEP.match(step) or action not in ACTIONS:
        return None
    arg = None
    if rest:
        # ASCII digits only: str.isdigit() also accepts "²", which int() refuses
        if not (rest[0].isascii() and rest[0].isdigit()) or len(rest[0]) > 2:
            return None
        arg = int(rest[0])
    return Callback(token, step, action, arg)
