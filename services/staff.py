"""Who may run polls from the chat: owners (MARKBOT_ADMINS) and the workers they invite.

Workers are kept by keyed hash with the name they chose, for staff eyes only. Invites are
one-time deep links that expire after 48 hours; only a keyed hash of the token is stored.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from services.identity import Hasher
from storage.contract import Store

INVITE_SECONDS = 48 * 3600
NAME_WAIT_SECONDS = 600
INVITE_PREFIX = "join_"
MAX_NAME = 40
WAITING = "staff-waiting"  # shared_state kind


@dataclass(frozen=True, slots=True)
class Worker:
    ref: str  # a short handle for buttons: the first hex digits of the keyed hash
    name: str
    added_at: int


class StaffService:
    """Roles, invites and the worker list."""

    def __init__(
        self,
        store: Store,
        hasher: Hasher,
        owners: frozenset[int],
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._store = store
        self._hasher = hasher
        self._owners = owners
        self._clock = clock

    # What a staff member's next message answers: ("name", invite token), ("poll-file", ""),
    # ("code-title", template name) or ("paper", poll code). It is kept in the database (under
    # the staff member's keyed hash, for ten minutes), not in this process's memory: with
    # several processes their next message may reach another one.

    @property
    def owners(self) -> frozenset[int]:
        """Owner ids from MARKBOT_ADMINS (used to give them the staff command menu)."""
        return self._owners

    def is_owner(self, user_id: int) -> bool:
        return user_id in self._owners

    async def is_staff(self, user_id: int) -> bool:
        return self.is_owner(user_id) or await self._store.is_worker(self._hasher.staff(user_id))

    async def invite(self) -> str:
        """A new one-time invite token (put it in a deep link)."""
        token = secrets.token_urlsafe(18)
        now = int(self._clock())
        await self._store.add_invite(self._hasher.secret(token), now, now + INVITE_SECONDS)
        return token

    async def expect(self, user_id: int, kind: str, detail: str = "") -> None:
        """Remember what this person's next message is an answer to (for ten minutes)."""
        value = json.dumps([kind, detail]).encode()
        expires = int(self._clock()) + NAME_WAIT_SECONDS
        await self._store.shared_put(WAITING, self._hasher.staff(user_id), value, expires)

    async def waiting_for(self, user_id: int) -> tuple[str, str] | None:
        """(kind, detail) if we asked this person for something recently."""
        raw = await self._store.shared_get(WAITING, self._hasher.staff(user_id), int(self._clock()))
        if raw is None:
            return None
        kind, detail = json.loads(raw)
        return str(kind), str(detail)

    async def done_waiting(self, user_id: int) -> None:
        await self._store.shared_drop(WAITING, self._hasher.staff(user_id))

    async def begin_join(self, user_id: int, token: str) -> bool:
        """Someone opened an invite link: if it can still be used, wait for the name they want
        staff to see. False (and nothing remembered) for a used, expired or made-up link."""
        if not await self._store.invite_usable(self._hasher.secret(token), int(self._clock())):
            return False
        await self.expect(user_id, "name", token)
        return True

    async def finish_join(self, user_id: int, name: str) -> str:
        """Redeem the pending invite with this name: 'ok', 'used', 'expired' or 'unknown'."""
        pending = await self.waiting_for(user_id)
        await self.done_waiting(user_id)
        person = self._hasher.staff(user_id)
        token = pending[1] if pending and pending[0] == "name" else ""
        clean = " ".join(name.split())[:MAX_NAME]
        return await self._store.redeem_invite(
            self._hasher.secret(token), person, clean, int(self._clock())
        )

    async def workers(self) -> list[Worker]:
        return [
            Worker(person.hex()[:12], name, added)
            for person, name, added in await self._store.list_workers()
        ]

    async def remove(self, ref: str) -> str | None:
        """Remove the worker whose handle is ``ref``; their name, or None if not found."""
        for person, name, _ in await self._store.list_workers():
            if person.hex()[:12] == ref and await self._store.remove_worker(person):
                return name
        return None
