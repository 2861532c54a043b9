"""Dates in texts, with the month's name in the text's own language.

``strftime("%b")`` gives English month names whatever the text around them is in ("03 Dec"
inside Welsh); the names here come from the catalog (``site_months``), so a Welsh text reads
"3 Rhagfyr 2026" and an English one "3 December 2026". Times stay "HH:MM UTC".
"""

from __future__ import annotations

from datetime import date, datetime

from prompts import Catalog


def day(catalog: Catalog, lang: str, when: date | datetime, *, time: bool = False) -> str:
    """``when`` as "3 December 2026" in ``lang``; with ``time``, "3 December 2026 09:00 UTC"
    (``when`` is taken to be in UTC)."""
    months = catalog.plain(lang, "site_months").split()
    text = f"{when.day} {months[when.month - 1]} {when.year}"
    if time and isinstance(when, datetime):
        text += f" {when:%H:%M} UTC"
    return text
