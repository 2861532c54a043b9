"""Contact requests ("I'd like an adult to contact me") on SQLite: every SQL statement for them
(``ContactStore``; the SQLite store exposes this as ``store.contacts``).

``contact_waiting`` marks, by keyed hash, someone typing and checking a detail (so a restart
doesn't turn their detail into a poll answer); the detail itself is never written before Send.
``contact_requests`` holds sent requests: the detail sealed by services/contact_requests.py
and the date, nothing else. Deleted rows are overwritten (secure_delete).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from storage.records import ContactRow
from storage.sqlite_feature import SqliteFeature

_COLUMNS = "id, sealed, sent_on, delivered, alert_message_id"


def _row(r: Any) -> ContactRow:
    return ContactRow(
        id=int(r[0]),
        sealed=bytes(r[1]),
        sent_on=str(r[2]),
        delivered=bool(r[3]),
        alert_message_id=int(r[4]) if r[4] is not None else None,
    )


class SqliteContacts(SqliteFeature):
    """``ContactStore`` over one SQLite file (see storage/contract.py for the guarantees)."""

    # --- someone typing a detail --------------------------------------------------------------

    async def start_waiting(self, person: bytes, now: int) -> None:
        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                "INSERT INTO contact_waiting (person, since) VALUES (?, ?)"
                " ON CONFLICT (person) DO UPDATE SET since = excluded.since",
                (person, now),
            )

        await self._w.run(op)

    async def stop_waiting(self, person: bytes) -> bool:
        def op(conn: sqlite3.Connection) -> bool:
            cur = conn.execute("DELETE FROM contact_waiting WHERE person = ?", (person,))
            return cur.rowcount > 0

        return bool(await self._w.run(op))

    async def all_waiting(self) -> list[tuple[bytes, int]]:
        """Everyone part-way through a request, with since when (read once at start-up)."""
        rows = await self._r.execute_fetchall("SELECT person, since FROM contact_waiting")
        return [(bytes(r[0]), int(r[1])) for r in rows]

    async def drop_waiting_before(self, since: int) -> int:
        def op(conn: sqlite3.Connection) -> int:
            return conn.execute("DELETE FROM contact_waiting WHERE since < ?", (since,)).rowcount

        return int(await self._w.run(op))

    # --- sent requests ------------------------------------------------------------------------

    async def add_request(self, person: bytes, sealed: bytes, sent_on: str) -> int:
        """Record a sent request and forget who sent it, in one transaction; the new number."""

        def op(conn: sqlite3.Connection) -> int:
            conn.execute("DELETE FROM contact_waiting WHERE person = ?", (person,))
            cur = conn.execute(
                "INSERT INTO contact_requests (sealed, sent_on) VALUES (?, ?)", (sealed, sent_on)
            )
            return int(cur.lastrowid or 0)

        return int(await self._w.run(op))

    async def mark_delivered(self, request_id: int, message_id: int) -> None:
        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE contact_requests SET delivered = 1, alert_message_id = ? WHERE id = ?",
                (message_id, request_id),
            )

        await self._w.run(op)

    async def get_request(self, request_id: int) -> ContactRow | None:
        rows = await self._r.execute_fetchall(
            f"SELECT {_COLUMNS} FROM contact_requests WHERE id = ?", (request_id,)
        )
        return _row(next(iter(rows))) if rows else None

    async def open_requests(self, *, undelivered_only: bool) -> list[ContactRow]:
        """Requests no lead has marked handled yet, oldest first."""
        where = " WHERE delivered = 0" if undelivered_only else ""
        rows = await self._r.execute_fetchall(
            f"SELECT {_COLUMNS} FROM contact_requests{where} ORDER BY id"
        )
        return [_row(r) for r in rows]

    async def delete_request(self, request_id: int) -> ContactRow | None:
        """Delete a request; what it was, or None if there was none (handled already)."""

        def op(conn: sqlite3.Connection) -> ContactRow | None:
            found = conn.execute(
                f"SELECT {_COLUMNS} FROM contact_requests WHERE id = ?", (request_id,)
            ).fetchone()
            if found is None:
                return None
            conn.execute("DELETE FROM contact_requests WHERE id = ?", (request_id,))
            return _row(found)

        result = await self._w.run(op)
        return result if isinstance(result, ContactRow) else None

    async def delete_sent_before(self, day: str) -> list[ContactRow]:
        """Delete requests sent before ``day`` (ISO date) that no lead marked handled."""

        def op(conn: sqlite3.Connection) -> list[ContactRow]:
            rows = conn.execute(
                f"SELECT {_COLUMNS} FROM contact_requests WHERE sent_on < ?", (day,)
            ).fetchall()
            conn.execute("DELETE FROM contact_requests WHERE sent_on < ?", (day,))
            return [_row(r) for r in rows]

        return list(await self._w.run(op))
