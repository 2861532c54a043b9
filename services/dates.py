"""Dates in texts, with the month's name in the text's own language.

``strftime("%b")`` gives English month names whatever the text around them is in ("03 Dec"
inside Welsh); the names here come from the catalog (``site_months``), so a Welsh text reads
"3 Rhagfyr 2026" and an English one "3 December 2026". Times for staff stay "HH:MM UTC";
times for young people are UK time ("09:00" as the poll file said it, BST or GMT), the clock
on their wall.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from prompts import Catalog

UK_TIME = ZoneInfo("Europe/London")


def day(
    catalog: Catalog, lang: str, when: date | datetime, *, time: bool = False, uk: bool = False
) -> str:
    """``when`` as "3 December 2026" in ``lang``; with ``time``, "3 December 2026 09:00 UTC"
    (``when`` is taken to be in UTC), or with ``uk`` too, "3 December 2026 09:00" in UK time
    (``when`` must then carry its time zone)."""
    if uk and isinstance(when, datetime):
        when = when.astimezone(UK_TIME)
    months = catalog.plain(lang, "site_months").split()
    text = f"{when.day} {months[when.month - 1]} {when.year}"
    if time and isinstance(when, datetime):
        text += f" {when:%H:%M}" if uk else f" {when:%H:%M} UTC"
    return text
