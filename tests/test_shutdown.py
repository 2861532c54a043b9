"""Stopping: a request that never finishes can't hold a stopping markbot past the grace period
(`docker stop` kills 10 s after SIGTERM; aiohttp's own default wait is 60 s, and a process in
test_procreview25 once took longer than a minute to stop on SIGTERM)."""

from __future__ import annotations

import asyncio
import time

import aiohttp
from aiohttp import web
from conftest import Harness

from handlers.web.server import SHUTDOWN_GRACE_SECONDS, build_web_app, start_web


async def test_a_request_stuck_in_flight_is_cancelled_after_the_grace_period(
    markbot: Harness,
) -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def stuck(_request: web.Request) -> web.Response:
        started.set()
        try:
            await asyncio.sleep(600)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return web.Response(text="never")

    app = build_web_app(markbot.runtime.services, markbot.runtime.key, public_url=None)
    app.router.add_get("/stuck", stuck)
    runner = await start_web(app, "127.0.0.1", 0)
    url = f"http://127.0.0.1:{runner.addresses[0][1]}/stuck"
    async with aiohttp.ClientSession() as client:
        request = asyncio.create_task(client.get(url))
        await asyncio.wait_for(started.wait(), 10)
        began = time.monotonic()
        await runner.cleanup()
        took = time.monotonic() - began
        request.cancel()
    assert cancelled.is_set()  # the handler was stopped, not left running
    # the grace period, then the cancelled handler's own (aiohttp waits twice): under 10 s
    assert SHUTDOWN_GRACE_SECONDS - 1 < took < min(10, 2 * SHUTDOWN_GRACE_SECONDS + 1.5), took
