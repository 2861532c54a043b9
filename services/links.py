"""Deep links and QR codes for posters and slides."""

from __future__ import annotations

import io

import segno


def deep_link(bot_username: str, payload: str) -> str:
    """``https://t.me/<bot>?start=<payload>``: opens the bot with /start <payload>."""
    return f"https://t.me/{bot_username}?start={payload}"


def qr_png(url: str) -> bytes:
    """A QR code as PNG, large enough to scan from the back of a classroom."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=12, border=4)
    return out.getvalue()
