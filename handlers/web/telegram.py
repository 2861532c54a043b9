"""Telegram's webhook on the web server: each update handled inside its own request.

The answer (200) goes back only after the update was handled and its writes committed, so
Telegram's per-chat ordering holds (it sends a chat's next update after this answer) and a
crash means Telegram delivers the update again rather than losing it. The secret Telegram
sends back is checked in constant time; anything else gets 403 and changes nothing.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1024 * 1024  # a 4,096-character text, escaped, with entities fits easily
BUSY_RETRY_SECONDS = 5
UpdateSink = Callable[[dict[str, Any]], Awaitable[bool]]  # False: busy elsewhere, retry later


def webhook_app(secret: str, process: UpdateSink) -> web.Application:
    """A sub-application (mounted at the webhook's path) that takes Telegram's POSTs."""
    expected = secret.encode()

    async def receive(request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            return web.Response(status=403, text="forbidden")
        try:
            # A sub-application's client_max_size is not used (aiohttp sizes every request by
            # the main application's, the pages' 64 KB): this route reads up to its own.
            data = await request.clone(client_max_size=MAX_UPDATE_BYTES).json()
        except ValueError:
            return web.Response(status=400, text="not JSON")
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return web.Response(status=400, text="not an update")
        # An exception here answers 500, and False (another delivery of this update is being
        # handled now) 503: either way Telegram delivers it again later.
        if not await process(data):
            return web.Response(status=503, headers={"Retry-After": str(BUSY_RETRY_SECONDS)})
        return web.Response(status=200)

    app = web.Application()
    app.router.add_post("", receive)
    app.router.add_post("/", receive)
    return app
