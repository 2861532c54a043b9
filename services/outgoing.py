"""Whether a Bot API request may have reached Telegram, for a caller that must know.

The Bot API has no way to send a message only once: when a request times out, or the
connection drops after it went out, Telegram may or may not have posted the message. A caller
that sets ``WATCH`` (services/alerts.py does, for each safeguarding alert) hears from the
transport (bot/transport.py) about every request made under it:

- ``going()`` just before the request leaves, after any wait for the rate limiter (so a
  message still waiting for the group's pace has not gone anywhere yet);
- ``refused()`` when it certainly did not post: Telegram answered with a refusal (a 4xx
  status: 429 flood control, 400 bad request, 403 forbidden...) or no connection was ever
  made (refused, unreachable, timed out while connecting);
- nothing more on success, a timeout waiting for the answer, a connection lost after sending
  or a server error: then the message may have arrived.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Protocol


class RequestWatch(Protocol):
    async def going(self) -> None: ...

    async def refused(self) -> None: ...


WATCH: ContextVar[RequestWatch | None] = ContextVar("markbot_request_watch", default=None)
