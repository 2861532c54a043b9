"""A tiny reverse proxy for 127.0.0.1, standing in for Caddy or nginx in front of several
markbot processes: each POST goes to the next backend in turn (round robin), and a backend
that can't be reached answers 502, so the sender (the stand-in, like Telegram) delivers the
update again, to the next one. ``fan_out`` sends every request to every backend at once
(the same update delivered to two processes), answering 200 if any of them did.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import aiohttp
from aiohttp import web

_FORWARDED = ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")


class RoundRobinProxy:
    """Forwards POSTs on 127.0.0.1:``port`` to ``backends`` (base URLs, no trailing slash)."""

    def __init__(self, backends: list[str], *, port: int = 0, fan_out: bool = False) -> None:
        self.backends = list(backends)
        self.fan_out = fan_out
        self.port = port
        self.forwarded: list[tuple[str, int]] = []  # (backend, status; 0 = unreachable)
        self._turn = itertools.cycle(range(len(self.backends)))
        self._runner: web.AppRunner | None = None
        self._http: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_route("POST", "/{tail:.*}", self._handle)
        self._http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        server: Any = site._server
        self.port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._http is not None:
            await self._http.close()

    async def _forward(self, backend: str, path: str, body: bytes, headers: dict[str, str]) -> int:
        assert self._http is not None
        try:
            async with self._http.post(backend + path, data=body, headers=headers) as resp:
                await resp.read()
                status = resp.status
        except (aiohttp.ClientError, TimeoutError, ConnectionError):
            status = 0
        self.forwarded.append((backend, status))
        return status

    async def _handle(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {h: request.headers[h] for h in _FORWARDED if h in request.headers}
        path = request.path_qs
        if self.fan_out:
            statuses = await asyncio.gather(
                *(self._forward(b, path, body, headers) for b in self.backends)
            )
            ok = [s for s in statuses if 200 <= s < 300]
            return web.Response(status=ok[0] if ok else 502)
        status = await self._forward(self.backends[next(self._turn)], path, body, headers)
        return web.Response(status=status or 502)
