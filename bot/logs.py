"""Logging that never carries the token or anyone's identity."""

from __future__ import annotations

import logging
import traceback
from typing import Any


class RedactFilter(logging.Filter):
    """Replace secrets (the bot token) wherever they appear in a record."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        if self._secrets:
            msg = record.getMessage()
            if any(s in msg for s in self._secrets):
                for s in self._secrets:
                    msg = msg.replace(s, "<token>")
                record.msg, record.args = msg, None
        return True


class RedactingFormatter(logging.Formatter):
    """Redacts the formatted line, tracebacks included (exception text can hold a URL)."""

    def __init__(self, fmt: str, secrets: list[str]) -> None:
        super().__init__(fmt)
        self._secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self._secrets:
            text = text.replace(secret, "<token>")
        return text

    def formatException(self, ei: Any) -> str:
        """Where it failed, never what it said: an exception's message can quote what someone
        typed or sent (a KeyError of their answer, a decode error of their bytes), so only each
        frame's file, line and function, and the types of the exception and its causes."""
        error = ei[1]
        lines = ["Traceback (messages left out; each exception, then what caused it):"]
        seen: set[int] = set()
        while error is not None and id(error) not in seen:
            seen.add(id(error))
            lines.append(type(error).__qualname__)
            lines += [
                f'  File "{f.filename}", line {f.lineno}, in {f.name}'
                for f in traceback.extract_tb(error.__traceback__)
            ]
            error = error.__cause__ or error.__context__
        return "\n".join(lines)


def setup_logging(level: str, secrets: list[str] | None = None) -> None:
    """Plain lines on stderr; HTTP clients stay quiet (they log URLs, which hold the token)."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets or [])
    )
    handler.addFilter(RedactFilter(secrets or []))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "aiosqlite", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # PTB's debug output includes whole updates (names, ids): never below INFO.
    logging.getLogger("telegram").setLevel(max(logging.INFO, logging.getLevelName(level)))
