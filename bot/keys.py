"""The secret key behind every keyed hash: created once, kept outside the database.

A key is created only for a database that holds nothing made with a key. If the database
already holds keyed data (a voter register, subscribers, workers, ...) and the key file is
missing, a new key would quietly let everyone who voted in an open poll vote again, so start-up
stops and says how to restore the key, or to pass ``--new-key`` on purpose. The database keeps
HMAC(key, "markbot-key-check"), which confirms a key in hand (a wrong key file is refused too)
and tells nothing about the key itself.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path

from bot.settings import SettingsError
from storage.contract import Store

log = logging.getLogger("markbot.keys")

KEY_BYTES = 32
_CHECK_LABEL = b"markbot-key-check"
LOST_WITH_A_NEW_KEY = (
    "people who already voted in a poll that is still open could vote again, and subscribers,"
    " workers, unfinished answers, language choices, unsent contact requests and safeguarding"
    " alerts are lost"
)


def check_value(key: bytes) -> bytes:
    """What the database keeps to recognise its key (see the module docstring)."""
    return hmac.new(key, _CHECK_LABEL, hashlib.sha256).digest()


async def open_key(
    path: Path, store: Store, *, new_key: bool = False, database: str = "in use"
) -> bytes:
    """The key for this database: read, checked against it, or created when that is safe
    (nothing keyed yet) or asked for (``new_key``). Raises SettingsError with one clear line;
    ``database`` names the database in it (a URL without its password)."""
    stored = await store.key_check()
    if not path.exists():
        if not new_key and await store.has_keyed_data():
            raise SettingsError(
                f"the key file {path} is missing, but the database {database} holds data made"
                " with it (voters, subscribers, workers...). Put the key file back from your"
                " backup (or point MARKBOT_KEY_FILE at it); to start a new key instead, run"
                f" 'markbot run --new-key': {LOST_WITH_A_NEW_KEY}"
            )
        if stored is not None and not new_key and not store.single_process:
            # other processes may be running on the key the check is of: a second key beside
            # it would hash each voter two ways
            raise SettingsError(
                f"the key file {path} is missing, but the database {database} already has a"
                " key, which other markbot processes may be using. Give every process the same"
                " key file (MARKBOT_KEY_FILE), or put it back from your backup; to start a new"
                f" key instead, stop every process and run 'markbot run --new-key':"
                f" {LOST_WITH_A_NEW_KEY}"
            )
        key = load_or_create_key(path)
        if stored is None:
            _refuse_other(await store.first_key_check(check_value(key)), key, path, database)
            return key
        if new_key:
            log.warning("started a new key file on purpose (--new-key): %s", LOST_WITH_A_NEW_KEY)
        await store.set_key_check(check_value(key))
        return key
    key = load_or_create_key(path)
    if stored is None:  # the first start with a check (or an older database)
        stored = await store.first_key_check(check_value(key))  # or another process's, first
    _refuse_other(stored, key, path, database, new_key=new_key)
    if new_key:
        log.warning("--new-key ignored: the key file is there and fits this database")
    return key


def _refuse_other(
    stored: bytes, key: bytes, path: Path, database: str, *, new_key: bool = False
) -> None:
    """SettingsError unless ``stored`` is the check of ``key``."""
    if not hmac.compare_digest(stored, check_value(key)):
        raise SettingsError(
            f"the key file {path} is not the key the database {database} was used with."
            " Put the right key file back (or point MARKBOT_KEY_FILE at it); nothing was changed"
            + (" (--new-key only starts a key when the key file is missing)" if new_key else "")
        )


def load_or_create_key(path: Path) -> bytes:
    """Return the key in ``path``, creating it (random, mode 0600) on first use.

    The file holds the key as hex so that it survives being copied through text tools.
    """
    try:
        raw = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return _create(path)
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(
            f"MARKBOT_KEY_FILE cannot be read ({path}): {exc}; check its owner and"
            " permissions, or restore it from your backup"
        ) from None
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
