"""A small browser for HTTP-level tests of the web ballot: keeps cookies, reads forms."""

from __future__ import annotations

import html
import re
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.app import Runtime
from handlers.web.server import build_web_app

_HIDDEN = re.compile(r'<input type="hidden" name="(\w+)" value="([^"]*)">')


@dataclass
class Page:
    status: int
    url: str
    text: str
    headers: Any

    def hidden(self) -> dict[str, str]:
        return {k: html.unescape(v) for k, v in _HIDDEN.findall(self.text)}

    @property
    def plain(self) -> str:
        body = re.sub(r"<[^>]+>", " ", self.text)
        return re.sub(r"\s+", " ", html.unescape(body)).strip()


class Browser:
    """One browser: its own cookie jar; ``submit`` posts the last page's hidden fields too."""

    def __init__(self, client: TestClient) -> None:
        self.client = client
        self.page: Page | None = None

    async def get(self, path: str, **kw: Any) -> Page:
        async with self.client.get(path, **kw) as resp:
            self.page = Page(resp.status, str(resp.url.path), await resp.text(), resp.headers)
        return self.page

    async def post(self, path: str, data: Any, **kw: Any) -> Page:
        async with self.client.post(path, data=data, **kw) as resp:
            self.page = Page(resp.status, str(resp.url.path), await resp.text(), resp.headers)
        return self.page

    async def submit(self, action: str, fields: dict[str, Any] | list[tuple[str, str]]) -> Page:
        assert self.page is not None
        data: list[tuple[str, str]] = list(self.page.hidden().items())
        data += list(fields.items()) if isinstance(fields, dict) else fields
        return await self.post(action, data)


@asynccontextmanager
async def web_client(runtime: Runtime, **kw: Any) -> AsyncIterator[TestClient]:
    app: web.Application = build_web_app(runtime.services, runtime.key, public_url=None, **kw)
    async with TestClient(TestServer(app)) as client:
        yield client


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now (for a server a test starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
