"""Running markbot as a real process against the Bot API stand-in: its settings and
environment, a one-off CLI call, and waiting until it polls. Shared by the process tests
(test_process.py) and the crash review's (test_crash27.py)."""

from __future__ import annotations

import asyncio
import os
import struct
import sys
from pathlib import Path

from conftest import TOKEN, make_settings

from bot.settings import Settings
from standin import BotApiStandin, FakeUser

ROOT = Path(__file__).resolve().parent.parent


def process_settings(tmp_path: Path, database_url: str | None) -> Settings:
    """The database and key file the processes of ``process_env`` use, to read what they
    stored."""
    return make_settings(tmp_path, database_url, key_file=tmp_path / "key" / "markbot.key")


def process_env(
    standin: BotApiStandin, tmp_path: Path, database_url: str | None = None, **extra: str
) -> dict[str, str]:
    """A clean environment for ``python -m bot``: no MARKBOT_ setting of the machine's, the
    stand-in as Telegram, DEBUG logs (so a test can search them for identities)."""
    settings = process_settings(tmp_path, database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARKBOT_")}
    env.update(
        MARKBOT_TOKEN=TOKEN,
        MARKBOT_API_URL=standin.base_url,
        MARKBOT_DB=str(settings.db),
        MARKBOT_KEY_FILE=str(settings.key_path),
        MARKBOT_LOG_LEVEL="DEBUG",
        PYTHONPATH=str(ROOT),
    )
    if database_url is not None:
        env["MARKBOT_DATABASE_URL"] = database_url
    env.update(extra)
    return env


async def run_cli(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """``python -m bot ARGS`` to its end, from the database's folder: exit code, out, err."""
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=env["MARKBOT_DB"].rsplit("/", 1)[0],
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await proc.communicate()
    return proc.returncode or 0, out.decode(), err.decode()


async def wait_polling(standin: BotApiStandin, since: int, timeout: float = 30) -> None:
    """Until a new process has asked for updates (stand-in calls after index ``since``)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while loop.time() < end:
        if any(c.method == "getUpdates" for c in standin.calls[since:]):
            return
        await asyncio.sleep(0.05)
    raise TimeoutError("markbot run did not start polling")


def identity_bytes(users: list[FakeUser]) -> list[bytes]:
    """Each user's id and names as they could sit in a file: text in UTF-8 (as typed and in
    lower case) and UTF-16, the id packed as 8- and 4-byte integers both ways round."""
    found: list[bytes] = []
    for u in users:
        for text in (str(u.id), u.username, u.first_name, u.last_name):
            if text:
                found += [text.encode(), text.lower().encode(), text.encode("utf-16-le")]
        found += [
            struct.pack("<q", u.id),
            struct.pack(">q", u.id),
            u.id.to_bytes(4, "big"),
            u.id.to_bytes(4, "little"),
        ]
    return found
