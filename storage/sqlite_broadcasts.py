"""Subscribers and broadcasts on SQLite: every SQL statement for them (``BroadcastStore``).

The SQLite store exposes this as ``store.broadcasts``. Writes go through the store's single
writer, reads through its read-only connection, like every other named operation.

People appear only as keyed hashes (``person``/``subscriber``) next to an encrypted chat id;
nothing here can tell who anyone is.
"""

from __future__ import annotations

import sqlite3
from collections import Counter

from storage.records import BroadcastExists, BroadcastRow, Settled, Target
from storage.sqlite_feature import SqliteFeature


class SqliteBroadcasts(SqliteFeature):
    """``BroadcastStore`` over one SQLite file (see storage/contract.py for the guarantees)."""

    # --- subscribers --------------------------------------------------------------------------

    async def add_subscriber(self, person: bytes, chat: bytes, lang: str) -> bool:
        """Subscribe (or update the language of) ``person``; True if they were not subscribed."""

        def op(conn: sqlite3.Connection) -> bool:
            known = conn.execute("SELECT 1 FROM subscribers WHERE person = ?", (person,)).fetchone()
            conn.execute(
                "INSERT INTO subscribers (person, chat, lang) VALUES (?, ?, ?)"
                " ON CONFLICT (person) DO UPDATE SET chat = excluded.chat, lang = excluded.lang",
                (person, chat, lang),
            )
            return known is None

        return bool(await self._w.run(op))

    async def remove_subscriber(self, person: bytes) -> bool:
        """Unsubscribe ``person``, and drop the messages still waiting for them; True if found."""

        def op(conn: sqlite3.Connection) -> bool:
            conn.execute(
                "DELETE FROM broadcast_sends WHERE subscriber = ? AND state = 'pending'", (person,)
            )
            return conn.execute("DELETE FROM subscribers WHERE person = ?", (person,)).rowcount > 0

        return bool(await self._w.run(op))

    async def subscriber_count(self) -> int:
        rows = await self._r.execute_fetchall("SELECT count(*) FROM subscribers")
        return int(next(iter(rows))[0])

    async def subscriber_lang(self, person: bytes) -> str | None:
        rows = await self._r.execute_fetchall(
            "SELECT lang FROM subscribers WHERE person = ?", (person,)
        )
        return str(next(iter(rows))[0]) if rows else None

    # --- broadcasts ---------------------------------------------------------------------------

    async def create_broadcast(
        self, poll_id: int, now: int, notify: bytes | None, lang: str
    ) -> tuple[int, int] | None:
        """Record a broadcast with one 'pending' send per current subscriber, in one transaction.

        Returns (broadcast id, number of subscribers), or None when there is nobody to tell (then
        nothing is recorded). Raises BroadcastExists if this poll was announced before.
        """

        def op(conn: sqlite3.Connection) -> tuple[int, int] | None:
            if conn.execute("SELECT 1 FROM broadcasts WHERE poll_id = ?", (poll_id,)).fetchone():
                raise BroadcastExists(f"poll {poll_id} was announced before")
            total = int(conn.execute("SELECT count(*) FROM subscribers").fetchone()[0])
            if total == 0:
                return None
            cur = conn.execute(
                "INSERT INTO broadcasts (poll_id, created_at, notify, lang, total)"
                " VALUES (?, ?, ?, ?, ?)",
                (poll_id, now, notify, lang, total),
            )
            broadcast_id = int(cur.lastrowid or 0)
            conn.execute(
                "INSERT INTO broadcast_sends (broadcast_id, subscriber)"
                " SELECT ?, person FROM subscribers",
                (broadcast_id,),
            )
            return broadcast_id, total

        result = await self._w.run(op)
        return None if result is None else (int(result[0]), int(result[1]))

    async def unfinished_broadcasts(self) -> list[BroadcastRow]:
        rows = await self._r.execute_fetchall(
            "SELECT id, poll_id, notify, lang, total FROM broadcasts WHERE status = 'running'"
            " ORDER BY id"
        )
        return [BroadcastRow(*r) for r in rows]

    async def mark_unknown(self, broadcast_id: int) -> int:
        """On start-up: sends left 'sending' by a crash become 'unknown' (never retried)."""

        def op(conn: sqlite3.Connection) -> int:
            return conn.execute(
                "UPDATE broadcast_sends SET state = 'unknown'"
                " WHERE broadcast_id = ? AND state = 'sending'",
                (broadcast_id,),
            ).rowcount

        return int(await self._w.run(op, savepoint=False))

    async def send_counts(self, broadcast_id: int) -> Counter[str]:
        """How many sends of this broadcast are in each state."""
        rows = await self._r.execute_fetchall(
            "SELECT state, count(*) FROM broadcast_sends WHERE broadcast_id = ? GROUP BY state",
            (broadcast_id,),
        )
        return Counter({str(state): int(n) for state, n in rows})

    async def pending_sends(self, broadcast_id: int, after: bytes, limit: int) -> list[bytes]:
        """The next ``limit`` subscribers still waiting, in key order after ``after``."""
        rows = await self._r.execute_fetchall(
            "SELECT subscriber FROM broadcast_sends"
            " WHERE broadcast_id = ? AND subscriber > ? AND state = 'pending'"
            " ORDER BY subscriber LIMIT ?",
            (broadcast_id, after, limit),
        )
        return [bytes(r[0]) for r in rows]

    async def claim_send(self, broadcast_id: int, person: bytes) -> Target | None:
        """Mark one waiting send 'sending' (committed before Telegram is asked) and return whom to
        send to; None if it is no longer waiting or the person has unsubscribed since."""

        def op(conn: sqlite3.Connection) -> Target | None:
            found = conn.execute(
                "SELECT chat, lang FROM subscribers WHERE person = ?", (person,)
            ).fetchone()
            if found is None:
                conn.execute(
                    "DELETE FROM broadcast_sends WHERE broadcast_id = ? AND subscriber = ?"
                    " AND state = 'pending'",
                    (broadcast_id, person),
                )
                return None
            claimed = conn.execute(
                "UPDATE broadcast_sends SET state = 'sending'"
                " WHERE broadcast_id = ? AND subscriber = ? AND state = 'pending'",
                (broadcast_id, person),
            ).rowcount
            return Target(bytes(found[0]), str(found[1])) if claimed else None

        result = await self._w.run(op)
        return result if isinstance(result, Target) else None

    async def release_send(self, broadcast_id: int, person: bytes) -> None:
        """Put a claimed send back to 'pending': Telegram refused it (429) or we are stopping."""

        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE broadcast_sends SET state = 'pending'"
                " WHERE broadcast_id = ? AND subscriber = ? AND state = 'sending'",
                (broadcast_id, person),
            )

        await self._w.run(op, savepoint=False)

    async def settle_send(self, broadcast_id: int, person: bytes, state: Settled) -> None:
        """Record what Telegram said; 'removed' also deletes the subscriber (blocked or gone)."""

        def op(conn: sqlite3.Connection) -> None:
            conn.execute(
                "UPDATE broadcast_sends SET state = ? WHERE broadcast_id = ? AND subscriber = ?",
                (state, broadcast_id, person),
            )
            if state == "removed":
                conn.execute("DELETE FROM subscribers WHERE person = ?", (person,))

        await self._w.run(op)

    async def finish_broadcast(self, broadcast_id: int, now: int) -> Counter[str]:
        """Close a broadcast: keep only its totals, forget who it went to and the staff chat.

        Sends still 'pending' (the poll closed before their turn) are counted as 'skipped'.
        """

        def op(conn: sqlite3.Connection) -> Counter[str]:
            counts: Counter[str] = Counter(
                {
                    str(state): int(n)
                    for state, n in conn.execute(
                        "SELECT state, count(*) FROM broadcast_sends WHERE broadcast_id = ?"
                        " GROUP BY state",
                        (broadcast_id,),
                    )
                }
            )
            counts["skipped"] = counts.pop("pending", 0) + counts.pop("sending", 0)
            conn.execute(
                "UPDATE broadcasts SET status = 'done', notify = NULL, sent = ?, failed = ?,"
                " removed = ?, unknown = ?, skipped = ?, finished_at = ? WHERE id = ?",
                (
                    counts["sent"],
                    counts["failed"],
                    counts["removed"],
                    counts["unknown"],
                    counts["skipped"],
                    now,
                    broadcast_id,
                ),
            )
            conn.execute("DELETE FROM broadcast_sends WHERE broadcast_id = ?", (broadcast_id,))
            return counts

        return Counter(await self._w.run(op))
