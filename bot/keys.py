"""The secret key behind every keyed hash: created once, kept outside the database."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from bot.settings import SettingsError

KEY_BYTES = 32


def load_or_create_key(path: Path) -> bytes:
    """Return the key in ``path``, creating it (random, mode 0600) on first use.

    The file holds the key as hex so that it survives being copied through text tools.
    """
    try:
        raw = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return _create(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"MARKBOT_KEY_FILE cannot be read ({path}): {exc}") from None
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        raise SettingsError(
            f"MARKBOT_KEY_FILE is not a markbot key (hex expected): {path}"
        ) from None
    if len(key) < KEY_BYTES:
        raise SettingsError(f"MARKBOT_KEY_FILE holds a key shorter than {KEY_BYTES} bytes: {path}")
    return key


def _create(path: Path) -> bytes:
    key = secrets.token_bytes(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return load_or_create_key(path)
    except OSError as exc:
        raise SettingsError(f"MARKBOT_KEY_FILE cannot be created ({path}): {exc}") from None
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key.hex() + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return key
