"""Contact requests ("I'd like an adult to contact me"): every SQL statement for them.

A request holds only an encrypted detail (sealed by services/safeguarding_contacts.py) and
timestamps: no ballot id, no poll id in the clear, no Telegram id. While the young person is
still typing and confirming, it is found by a keyed hash (``waiting``); once they send it, that
hash is cleared. Deleting a request (handled, or withdrawn) overwrites it (secure_delete).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from storage.sqlite import SqliteStore


@dataclass(frozen=True, slots=True)
class ContactRow:
    id: int
    sealed: bytes | None
    lang: str
    created_at: int
    sent_at: int | None
    delivered: bool
    alert_message_id: int | None


_COLUMNS = "id, sealed, lang, created_at, sent_at, delivered, alert_message_id"


def _row(r: Any) -> ContactRow:
    return ContactRow(
        id=int(r[0]),
        sealed=bytes(r[1]) if r[1] is not None else None,
        lang=str(r[2]),
        created_at=int(r[3]),
        sent_at=int(r[4]) if r[4] is not None else None,
        delivered=bool(r[5]),
        alert_message_id=int(r[6]) if r[6] is not None else None,
    )


async def open_request(store: SqliteStore, waiting: bytes, lang: str, now: int) -> int:
    """Start (or restart) the request ``waiting`` is typing; any earlier typed detail goes."""

    def op(conn: sqlite3.Connection) -> int:
        conn.execute("DELETE FROM contact_requests WHERE waiting = ?", (waiting,))
        cur = conn.execute(
            "INSERT INTO contact_requests (waiting, lang, created_at) VALUES (?, ?, ?)",
            (waiting, lang, now),
        )
        return int(cur.lastrowid or 0)

    return int(await store._w.run(op))


async def waiting_request(store: SqliteStore, waiting: bytes) -> ContactRow | None:
    rows = await store._r.execute_fetchall(
        f"SELECT {_COLUMNS} FROM contact_requests WHERE waiting = ?", (waiting,)
    )
    return _row(next(iter(rows))) if rows else None


async def all_waiting(store: SqliteStore) -> list[bytes]:
    """The keyed hashes of everyone part-way through a request (read once at start-up)."""
    rows = await store._r.execute_fetchall(
        "SELECT waiting FROM contact_requests WHERE waiting IS NOT NULL"
    )
    return [bytes(r[0]) for r in rows]


async def set_detail(store: SqliteStore, request_id: int, sealed: bytes) -> bool:
    """Keep the typed (sealed) detail of a request still being confirmed; False if it is gone."""

    def op(conn: sqlite3.Connection) -> bool:
        cur = conn.execute(
            "UPDATE contact_requests SET sealed = ?"
            " WHERE id = ? AND waiting IS NOT NULL AND sent_at IS NULL",
            (sealed, request_id),
        )
        return cur.rowcount > 0

    return bool(await store._w.run(op))


async def mark_sent(store: SqliteStore, request_id: int, now: int) -> bool:
    """The young person pressed Send: forget who they are. False if already sent or gone."""

    def op(conn: sqlite3.Connection) -> bool:
        cur = conn.execute(
            "UPDATE contact_requests SET waiting = NULL, sent_at = ?"
            " WHERE id = ? AND sent_at IS NULL AND sealed IS NOT NULL",
            (now, request_id),
        )
        return cur.rowcount > 0

    return bool(await store._w.run(op))


async def mark_delivered(store: SqliteStore, request_id: int, message_id: int) -> None:
    def op(conn: sqlite3.Connection) -> None:
        conn.execute(
            "UPDATE contact_requests SET delivered = 1, alert_message_id = ? WHERE id = ?",
            (message_id, request_id),
        )

    await store._w.run(op)


async def get_request(store: SqliteStore, request_id: int) -> ContactRow | None:
    rows = await store._r.execute_fetchall(
        f"SELECT {_COLUMNS} FROM contact_requests WHERE id = ?", (request_id,)
    )
    return _row(next(iter(rows))) if rows else None


async def sent_requests(store: SqliteStore, *, undelivered_only: bool) -> list[ContactRow]:
    """Requests the young person sent and no lead has marked handled, oldest first."""
    where = "sent_at IS NOT NULL" + (" AND delivered = 0" if undelivered_only else "")
    rows = await store._r.execute_fetchall(
        f"SELECT {_COLUMNS} FROM contact_requests WHERE {where} ORDER BY id"
    )
    return [_row(r) for r in rows]


async def delete_request(store: SqliteStore, request_id: int) -> bool:
    def op(conn: sqlite3.Connection) -> bool:
        cur = conn.execute("DELETE FROM contact_requests WHERE id = ?", (request_id,))
        return cur.rowcount > 0

    return bool(await store._w.run(op))


async def drop_waiting(store: SqliteStore, waiting: bytes) -> bool:
    """The young person chose not to send: delete what they typed."""

    def op(conn: sqlite3.Connection) -> bool:
        cur = conn.execute(
            "DELETE FROM contact_requests WHERE waiting = ? AND sent_at IS NULL", (waiting,)
        )
        return cur.rowcount > 0

    return bool(await store._w.run(op))


async def drop_abandoned(store: SqliteStore, created_before: int) -> int:
    """Requests never sent, started before ``created_before``: deleted like stale drafts."""

    def op(conn: sqlite3.Connection) -> int:
        cur = conn.execute(
            "DELETE FROM contact_requests WHERE sent_at IS NULL AND created_at < ?",
            (created_before,),
        )
        return cur.rowcount

    return int(await store._w.run(op))
