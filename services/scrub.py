"""Remove personal details from free text before it is kept anywhere.

A first line of defence with well-understood rules; the person's own Telegram names are removed
too, since the bot knows them at that moment (and forgets them straight after).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_EMAIL = re.compile(
    r"[\w.+-]+\s*(?:@|\(at\)|\[at\]|\bat\b)\s*[\w-]+(?:\s*(?:\.|\(dot\)|\[dot\]|\bdot\b)\s*[\w-]+)+",
    re.IGNORECASE,
)
_URL = re.compile(r"(?:https?://|www\.|t\.me/|telegram\.me/)\S+", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@])@[A-Za-z][\w]{3,31}\b")
_PHONE = re.compile(r"(?<![\w])(?:\+|00)?\d[\d\s().-]{8,}\d(?![\w])")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.IGNORECASE)
_STREET = re.compile(
    r"\b\d{1,4}[a-z]?,?\s+(?:[A-Z][\w'-]*\s+){1,3}"
    r"(?:street|st|road|rd|avenue|ave|lane|ln|close|drive|dr|way|crescent|court|place|"
    r"grove|gardens|terrace|hill|park|square|walk|row|mews)\b\.?",
    re.IGNORECASE,
)
_NAME_INTRO = re.compile(
    r"\b(my name is|my name's|i am called|i'm called|call me|this is|"
    r"mr\.?|mrs\.?|ms\.?|miss|dr\.?)\s+([A-Z][a-z'-]+(?:\s+[A-Z][a-z'-]+)?)"
)

PLACEHOLDERS = ("[email]", "[link]", "[handle]", "[phone]", "[postcode]", "[address]", "[name]")


def scrub(text: str, own_names: Iterable[str] = ()) -> tuple[str, bool]:
    """Return the text with personal details replaced, and whether anything was replaced."""
    out = text
    out = _EMAIL.sub("[email]", out)
    out = _URL.sub("[link]", out)
    out = _HANDLE.sub("[handle]", out)
    out = _STREET.sub("[address]", out)
    out = _POSTCODE.sub("[postcode]", out)
    out = _PHONE.sub("[phone]", out)
    out = _NAME_INTRO.sub(lambda m: f"{m.group(1)} [name]", out)
    for name in sorted(
        {n.strip() for n in own_names if n and len(n.strip()) >= 2}, key=len, reverse=True
    ):
        out = re.sub(rf"(?<!\w)@?{re.escape(name)}(?!\w)", "[name]", out, flags=re.IGNORECASE)
    return out, out != text
