"""The pages about the service: the start page, privacy and the accessibility statement."""

from __future__ import annotations

import logging
from typing import Any

from aiohttp import web

from handlers.web.common import (
    browser_of,
    ctx_of,
    message_page,
)

log = logging.getLogger(__name__)


# --- pages about the service ---------------------------------------------------------------


async def index(request: web.Request) -> web.Response:
    browser = browser_of(request)
    return message_page(request, browser, "web_service_name", [("web_index", {})])


async def privacy(request: web.Request) -> web.Response:
    browser = browser_of(request)
    return message_page(request, browser, "web_privacy_title", [("web_privacy", {})])


async def accessibility(request: web.Request) -> web.Response:
    browser = browser_of(request)
    ctx = ctx_of(request)
    body: list[tuple[str, dict[str, Any]]] = [("web_accessibility", {})]
    if ctx.renderer.contact:
        body.append(("web_accessibility_contact", {"contact": ctx.renderer.contact}))
    return message_page(request, browser, "web_accessibility_title", body)


def routes() -> list[web.RouteDef]:
    return [
        web.get("/", index),
        web.get("/privacy", privacy),
        web.get("/accessibility", accessibility),
    ]
