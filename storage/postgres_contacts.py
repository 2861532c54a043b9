"""Contact requests on PostgreSQL: every SQL statement for them (``ContactStore``), with the
same guarantees as storage/sqlite_contacts.py. A request's number is an identity column, never
reused; deleting a request is one ``DELETE ... RETURNING``, so of two leads marking it handled
at once (in any processes) exactly one gets it back."""

from __future__ import annotations

from typing import Any

from storage.postgres_feature import PostgresFeature
from storage.records import ContactRow

_COLUMNS = "id, sealed, sent_on, delivered, alert_message_id"


def _row(r: Any) -> ContactRow:
    return ContactRow(
        id=int(r[0]),
        sealed=bytes(r[1]),
        sent_on=str(r[2]),
        delivered=bool(r[3]),
        alert_message_id=int(r[4]) if r[4] is not None else None,
    )


class PostgresContacts(PostgresFeature):
    """``ContactStore`` over PostgreSQL (see storage/contract.py for the guarantees)."""

    async def start_waiting(self, person: bytes, now: int) -> None:
        await self._execute(
            "INSERT INTO contact_waiting (person, since) VALUES ($1, $2)"
            " ON CONFLICT (person) DO UPDATE SET since = excluded.since",
            person,
            now,
        )

    async def stop_waiting(self, person: bytes) -> bool:
        return await self._execute("DELETE FROM contact_waiting WHERE person = $1", person) > 0

    async def all_waiting(self) -> list[tuple[bytes, int]]:
        rows = await self._fetch("SELECT person, since FROM contact_waiting")
        return [(bytes(r[0]), int(r[1])) for r in rows]

    async def drop_waiting_before(self, since: int) -> int:
        return await self._execute("DELETE FROM contact_waiting WHERE since < $1", since)

    async def add_request(self, person: bytes, sealed: bytes, sent_on: str) -> int:
        async with self._tx() as conn:
            await conn.execute("DELETE FROM contact_waiting WHERE person = $1", person)
            return int(
                await conn.fetchval(
                    "INSERT INTO contact_requests (sealed, sent_on) VALUES ($1, $2) RETURNING id",
                    sealed,
                    sent_on,
                )
            )

    async def mark_delivered(self, request_id: int, message_id: int) -> None:
        await self._execute(
            "UPDATE contact_requests SET delivered = 1, alert_message_id = $1 WHERE id = $2",
            message_id,
            request_id,
        )

    async def get_request(self, request_id: int) -> ContactRow | None:
        row = await self._fetchrow(
            f"SELECT {_COLUMNS} FROM contact_requests WHERE id = $1", request_id
        )
        return _row(row) if row is not None else None

    async def open_requests(self, *, undelivered_only: bool) -> list[ContactRow]:
        where = " WHERE delivered = 0" if undelivered_only else ""
        rows = await self._fetch(f"SELECT {_COLUMNS} FROM contact_requests{where} ORDER BY id")
        return [_row(r) for r in rows]

    async def delete_request(self, request_id: int) -> ContactRow | None:
        row = await self._fetchrow(
            f"DELETE FROM contact_requests WHERE id = $1 RETURNING {_COLUMNS}", request_id
        )
        self._count_write()
        return _row(row) if row is not None else None

    async def delete_sent_before(self, day: str) -> list[ContactRow]:
        rows = await self._fetch(
            f"DELETE FROM contact_requests WHERE sent_on < $1 RETURNING {_COLUMNS}", day
        )
        self._count_write()
        return sorted((_row(r) for r in rows), key=lambda r: r.id)
