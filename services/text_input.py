"""What text markbot accepts from outside, decided once at the edge for every channel."""

from __future__ import annotations

import re

# Unpaired surrogates can't be encoded (they would fail a database write) and control
# characters other than tab and newline only ever come from broken or hostile clients.
_BAD = re.compile(r"[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """``text`` with unpaired surrogates replaced and stray control characters removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _BAD.sub(lambda m: "\ufffd" if "\ud800" <= m.group() <= "\udfff" else "", text)
