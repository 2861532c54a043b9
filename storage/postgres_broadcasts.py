"""Subscribers and broadcasts on PostgreSQL: every SQL statement for them (``BroadcastStore``).

The same guarantees as storage/sqlite_broadcasts.py, for sends claimed by any of several
processes: a claim is one ``UPDATE ... WHERE state = 'pending'`` (PostgreSQL locks the row, so
of two concurrent claims the second finds it no longer pending), committed before it returns.
"""

from __future__ import annotations

from collections import Counter

import asyncpg

from storage.postgres_feature import PostgresFeature
from storage.records import BroadcastExists, BroadcastRow, Settled, Target


class PostgresBroadcasts(PostgresFeature):
    """``BroadcastStore`` over PostgreSQL (see storage/contract.py for the guarantees)."""

    # --- subscribers --------------------------------------------------------------------------

    async def add_subscriber(self, person: bytes, chat: bytes, lang: str) -> bool:
        """Upsert; ``xmax = 0`` on the returned row only when it was inserted, not updated."""
        async with self._tx() as conn:
            inserted = await conn.fetchval(
                "INSERT INTO subscribers (person, chat, lang) VALUES ($1, $2, $3)"
                " ON CONFLICT (person) DO UPDATE SET chat = excluded.chat, lang = excluded.lang"
                " RETURNING (xmax = 0)",
                person,
                chat,
                lang,
            )
        return bool(inserted)

    async def remove_subscriber(self, person: bytes) -> bool:
        async with self._tx() as conn:
            await conn.execute(
                "DELETE FROM broadcast_sends WHERE subscriber = $1 AND state = 'pending'", person
            )
            status = await conn.execute("DELETE FROM subscribers WHERE person = $1", person)
        return status != "DELETE 0"

    async def subscriber_count(self) -> int:
        return int(await self._fetchval("SELECT count(*) FROM subscribers"))

    async def subscriber_lang(self, person: bytes) -> str | None:
        lang = await self._fetchval("SELECT lang FROM subscribers WHERE person = $1", person)
        return str(lang) if lang is not None else None

    # --- broadcasts ---------------------------------------------------------------------------

    async def create_broadcast(
        self, poll_id: int, now: int, notify: bytes | None, lang: str
    ) -> tuple[int, int] | None:
        try:
            async with self._tx() as conn:
                if await conn.fetchval("SELECT 1 FROM broadcasts WHERE poll_id = $1", poll_id):
                    raise BroadcastExists(f"poll {poll_id} was announced before")
                total = int(await conn.fetchval("SELECT count(*) FROM subscribers"))
                if total == 0:
                    return None
                broadcast_id = int(
                    await conn.fetchval(
                        "INSERT INTO broadcasts (poll_id, created_at, notify, lang, total)"
                        " VALUES ($1, $2, $3, $4, $5) RETURNING id",
                        poll_id,
                        now,
                        notify,
                        lang,
                        total,
                    )
                )
                await conn.execute(
                    "INSERT INTO broadcast_sends (broadcast_id, subscriber)"
                    " SELECT $1, person FROM subscribers",
                    broadcast_id,
                )
                return broadcast_id, total
        except asyncpg.UniqueViolationError:  # another process announced it meanwhile
            raise BroadcastExists(f"poll {poll_id} was announced before") from None

    async def unfinished_broadcasts(self) -> list[BroadcastRow]:
        rows = await self._fetch(
            "SELECT id, poll_id, notify, lang, total FROM broadcasts WHERE status = 'running'"
            " ORDER BY id"
        )
        return [
            BroadcastRow(r[0], r[1], bytes(r[2]) if r[2] is not None else None, r[3], r[4])
            for r in rows
        ]

    async def mark_unknown(self, broadcast_id: int) -> int:
        return await self._execute(
            "UPDATE broadcast_sends SET state = 'unknown'"
            " WHERE broadcast_id = $1 AND state = 'sending'",
            broadcast_id,
        )

    async def send_counts(self, broadcast_id: int) -> Counter[str]:
        rows = await self._fetch(
            "SELECT state, count(*) FROM broadcast_sends WHERE broadcast_id = $1 GROUP BY state",
            broadcast_id,
        )
        return Counter({str(state): int(n) for state, n in rows})

    async def pending_sends(self, broadcast_id: int, after: bytes, limit: int) -> list[bytes]:
        rows = await self._fetch(
            "SELECT subscriber FROM broadcast_sends"
            " WHERE broadcast_id = $1 AND subscriber > $2 AND state = 'pending'"
            " ORDER BY subscriber LIMIT $3",
            broadcast_id,
            after,
            limit,
        )
        return [bytes(r[0]) for r in rows]

    async def claim_send(self, broadcast_id: int, person: bytes) -> Target | None:
        async with self._tx() as conn:
            found = await conn.fetchrow(
                "SELECT chat, lang FROM subscribers WHERE person = $1", person
            )
            if found is None:
                await conn.execute(
                    "DELETE FROM broadcast_sends WHERE broadcast_id = $1 AND subscriber = $2"
                    " AND state = 'pending'",
                    broadcast_id,
                    person,
                )
                return None
            claimed = await conn.fetchval(
                "UPDATE broadcast_sends SET state = 'sending'"
                " WHERE broadcast_id = $1 AND subscriber = $2 AND state = 'pending' RETURNING 1",
                broadcast_id,
                person,
            )
        return Target(bytes(found[0]), str(found[1])) if claimed else None

    async def release_send(self, broadcast_id: int, person: bytes) -> None:
        await self._execute(
            "UPDATE broadcast_sends SET state = 'pending'"
            " WHERE broadcast_id = $1 AND subscriber = $2 AND state = 'sending'",
            broadcast_id,
            person,
        )

    async def settle_send(self, broadcast_id: int, person: bytes, state: Settled) -> None:
        async with self._tx() as conn:
            await conn.execute(
                "UPDATE broadcast_sends SET state = $1 WHERE broadcast_id = $2 AND subscriber = $3",
                state,
                broadcast_id,
                person,
            )
            if state == "removed":
                await conn.execute("DELETE FROM subscribers WHERE person = $1", person)

    async def finish_broadcast(self, broadcast_id: int, now: int) -> Counter[str]:
        async with self._tx() as conn:
            rows = await conn.fetch(
                "SELECT state, count(*) FROM broadcast_sends WHERE broadcast_id = $1"
                " GROUP BY state",
                broadcast_id,
            )
            counts: Counter[str] = Counter({str(state): int(n) for state, n in rows})
            counts["skipped"] = counts.pop("pending", 0) + counts.pop("sending", 0)
            await conn.execute(
                "UPDATE broadcasts SET status = 'done', notify = NULL, sent = $1, failed = $2,"
                " removed = $3, unknown = $4, skipped = $5, finished_at = $6 WHERE id = $7",
                counts["sent"],
                counts["failed"],
                counts["removed"],
                counts["unknown"],
                counts["skipped"],
                now,
                broadcast_id,
            )
            await conn.execute("DELETE FROM broadcast_sends WHERE broadcast_id = $1", broadcast_id)
        return counts
