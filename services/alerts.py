"""Safeguarding alerts that are never lost: queued with the answer, sent in the background.

An alert is sealed (AES-GCM, its own derived key) and written in the same transaction as the
answer's draft, before the young person is answered; a background sender posts it to the
safeguarding chat at the chat's own pace, retries after errors and restarts, and deletes it
once Telegram has it. The young person's reply never waits for the lead's chat.

None is ever lost, but one can arrive twice: the Bot API has no way to send a message only
once, so a crash (kill -9) in the instant between Telegram's answer and the delete, or a
timeout or lost connection after Telegram had posted it, repeats that alert. So a lead never
reads a repeat as a second disclosure, each send is recorded as in flight just before the
request leaves (after the wait for the group's pace: services/outgoing.py, bot/transport.py),
cleared when Telegram refuses it (429, 400, 403...) or no connection was made, and kept when
the outcome is unknown. An alert whose earlier send may have arrived is sent again under a
label saying so (``safeguarding_alert_again``); a first send, or one after a definite refusal,
carries none. The label's room is kept free when the alert is written (services/typed_answers),
so the whole message still fits Telegram's 4,096 UTF-16 units.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import NamedTuple

from prompts import Catalog
from services.leases import SharedLock
from services.outgoing import WATCH
from services.pollfile import units
from services.sealing import Cipher, CipherError
from storage.contract import Store
from storage.records import DraftRow

log = logging.getLogger("markbot.alerts")

CONTEXT = b"alert"
MESSAGE_UNITS = 4096  # a Telegram message, in UTF-16 code units (an emoji counts two)
ALERT_LANGUAGE = "en"  # the safeguarding chat's alerts
AGAIN = "safeguarding_alert_again"  # the label of an alert whose earlier send may have arrived


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


def with_label(label: str, text: str) -> str:
    """An alert under the label that says an earlier send of it may have arrived."""
    return f"{label}\n\n{text}"


class Pending(NamedTuple):
    """An alert waiting to be sent."""

    id: str
    text: str  # cut to one message, under the label when ``again``
    again: bool  # an earlier send may have reached the chat


@dataclass(slots=True)
class _InFlight:
    """services/outgoing.RequestWatch for one alert's send: the mark, before and after."""

    store: Store
    alert_id: str

    async def going(self) -> None:
        await self.store.alert_in_flight(self.alert_id, True)

    async def refused(self) -> None:
        await self.store.alert_in_flight(self.alert_id, False)


class AlertService:
    """Queues sealed alerts and hands them, oldest first, to whoever sends them."""

    def __init__(
        self,
        store: Store,
        cipher: Cipher,
        catalog: Catalog,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._store = store
        self._cipher = cipher
        self._label = catalog.plain(ALERT_LANGUAGE, AGAIN)
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

    async def pending(self) -> list[Pending]:
        """Every alert not yet delivered, oldest first, each cut to fit one message (one
        Telegram refused as too long would hold back every alert after it), under the label
        when an earlier send of it may have arrived."""
        opened = []
        for alert_id, sealed, again in await self._store.pending_alerts():
            try:
                payload = json.loads(self._cipher.open_bytes(sealed, CONTEXT))
                text, at = str(payload["text"]), float(payload["at"])
            except (CipherError, ValueError, KeyError, TypeError):
                # sealed with another key (before --new-key) or damaged: it can never be read,
                # and failing on it would hold back every alert after it, for ever
                log.error("a safeguarding alert that cannot be opened was dropped (another key?)")
                await self._store.alert_sent(alert_id)
                continue
            if again:
                text = with_label(self._label, text)
            opened.append((at, alert_id, text, again))
        return [Pending(i, cut(text, MESSAGE_UNITS), again) for _, i, text, again in sorted(opened)]

    @contextlib.contextmanager
    def watching(self, alert: Pending) -> Iterator[None]:
        """Around the Bot API call that sends ``alert``: its request marks it in flight as it
        leaves and clears the mark if Telegram refuses it. An alert already in flight keeps
        its mark whatever this send's outcome: its earlier send may have arrived."""
        token = WATCH.set(None if alert.again else _InFlight(self._store, alert.id))
        try:
            yield
        finally:
            WATCH.reset(token)

    async def sent(self, alert_id: str) -> None:
        await self._store.alert_sent(alert_id)

    async def wait(self, timeout: float) -> None:
        """Until a new alert is queued, or ``timeout`` seconds pass."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout)
        self._wake.clear()
