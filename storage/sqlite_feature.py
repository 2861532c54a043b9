"""The base of the SQLite store's feature parts (``store.broadcasts``, ``store.contacts``)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiosqlite

from storage.writer import Writer

if TYPE_CHECKING:
    from storage.sqlite import SqliteStore


class SqliteFeature:
    """One feature's named operations over its store's single writer and read-only connection.

    A part of the store rather than functions taking it, so services see one contract
    (storage/contract.py) and a second backend supplies its own parts.
    """

    def __init__(self, store: SqliteStore) -> None:
        self._store = store

    @property
    def _w(self) -> Writer:
        return self._store._w

    @property
    def _r(self) -> aiosqlite.Connection:
        return self._store._r
