"""A full disk, switched on and off inside SQLite's single writer (storage/writer.py).

The fault tests of both channels use it: a commit then fails as SQLite fails when the disk is
full ("database or disk is full"), and the next one after ``full = False`` goes through.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from storage.contract import Store


class FullDisk:
    """Installed on a SqliteStore's writer; every commit fails while ``full`` is True."""

    def __init__(self, store: Store) -> None:
        writer = store._w  # type: ignore[attr-defined]
        self._commit = writer._commit
        self.full = False
        writer._commit = self._run

    def _run(self, ops: list[Any]) -> list[Any]:
        if self.full:
            raise sqlite3.OperationalError("database or disk is full")
        return self._commit(ops)
