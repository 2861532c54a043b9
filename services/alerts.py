"""Safeguarding alerts that are never lost: queued with the answer, sent in the background.

An alert is sealed (AES-GCM, its own derived key) and written in the same transaction as the
answer's draft, before the young person is answered; a background sender posts it to the
safeguarding chat at the chat's own pace, retries after errors and restarts, and deletes it
once Telegram has it. The young person's reply never waits for the lead's chat. A crash in the
instant between Telegram's answer and the delete repeats that one alert; none is ever lost.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from datetime import UTC, datetime

from services.leases import SharedLock
from services.sealing import Cipher
from storage.contract import Store
from storage.records import DraftRow

CONTEXT = b"alert"
MESSAGE_UNITS = 4096  # a Telegram message, in UTF-16 code units (an emoji counts two)


def units(text: str) -> int:
    """The length Telegram counts: UTF-16 code units (a character outside the BMP is two)."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


def cut(text: str, limit: int) -> str:
    """``text`` itself if it is at most ``limit`` UTF-16 units, else its start with "…", so
    that a message quoting it still fits (Telegram refuses a longer one for ever)."""
    if units(text) <= limit:
        return text
    kept, used = [], 1  # the "…"
    for ch in text:
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            break
        kept.append(ch)
    return "".join(kept) + "…"


class AlertService:
    """Queues sealed alerts and hands them, oldest first, to whoever sends them."""

    def __init__(
        self,
        store: Store,
        cipher: Cipher,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._cipher = cipher
        self._clock = clock
        self._wake = asyncio.Event()
        # One sender at a time across processes, or two would post the same alert.
        self.sending = SharedLock(store, "safeguarding-alerts")

    def _seal(self, text: str) -> bytes:
        payload = {"text": text, "at": self._clock().timestamp()}
        return self._cipher.seal_bytes(json.dumps(payload).encode(), CONTEXT)

    async def queue_with_draft(self, draft: DraftRow, text: str) -> None:
        """The draft that holds the flagged answer and its alert, in one transaction."""
        today = self._clock().date().isoformat()
        await self._store.save_draft_with_alert(draft, self._seal(text), today)
        self._wake.set()

    async def pending(self) -> list[tuple[str, str]]:
        """(id, text) of every alert not yet delivered, oldest first, each cut to fit one
        message (one Telegram refused as too long would hold back every alert after it)."""
        opened = []
        for alert_id, sealed in await self._store.pending_alerts():
            payload = json.loads(self._cipher.open_bytes(sealed, CONTEXT))
            opened.append((float(payload["at"]), alert_id, str(payload["text"])))
        return [(alert_id, cut(text, MESSAGE_UNITS)) for _, alert_id, text in sorted(opened)]

    async def sent(self, alert_id: str) -> None:
        await self._store.alert_sent(alert_id)

    async def wait(self, timeout: float) -> None:
        """Until a new alert is queued, or ``timeout`` seconds pass."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
        self._wake.clear()
