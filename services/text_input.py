"""What text markbot accepts from outside: every string that arrives (a Telegram update now, a
web form later) passes through :func:`clean_text` before anything else sees it.

- An unpaired surrogate (JSON can carry ``"\\ud800"``; no database, file or Telegram message
  can hold one) becomes U+FFFD, the replacement character.
- A control character other than newline and tab becomes a space: it has no place in an answer
  or a name, and some break the tools that read exports.

Both keep the text's length in UTF-16 code units, so Telegram's entity offsets (commands,
links) still point at the right characters. Everything else (right-to-left text, zero-width
joiners, combining marks, emoji) is left as it is.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_text(text: str) -> str:
    """``text`` with unpaired surrogates replaced and control characters made spaces."""
    if text.isascii():
        return _CONTROL.sub(" ", text) if not text.isprintable() else text
    return _CONTROL.sub(" ", _SURROGATE.sub("\ufffd", text))


def clean_data(value: Any) -> Any:
    """Every string in decoded JSON (dicts, lists, strings) cleaned by :func:`clean_text`."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {key: clean_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clean_data(item) for item in value]
    return value


def is_blank(text: str) -> bool:
    """Whether ``text`` shows nothing: only whitespace and invisible format characters
    (zero-width spaces and joiners, direction marks, a byte-order mark). An answer like that
    is empty, however long; the text itself is never changed (an emoji flag's tag characters
    are invisible on their own but belong to the flag)."""
    return all(c.isspace() or unicodedata.category(c) == "Cf" for c in text)
