"""Keyed hashes that stand in for Telegram ids wherever something must be remembered.

Each purpose has its own label, so the hash that marks "has voted in poll P" cannot be matched
with the hash that keys an unfinished draft, and none can be reversed without the key file.
"""

from __future__ import annotations

import hashlib
import hmac

DIGEST_BYTES = 16


class Hasher:
    """HMAC-SHA256 of (purpose, scope, telegram id), truncated to 128 bits."""

    __slots__ = ("_key",)

    def __init__(self, key: bytes) -> None:
        if len(key) < 32:
            raise ValueError("hash key must be at least 32 bytes")
        self._key = key

    def __repr__(self) -> str:
        return "Hasher(<secret>)"

    def _digest(self, purpose: str, scope: str, user_id: int) -> bytes:
        msg = f"{purpose}\x00{scope}\x00{user_id}".encode()
        return hmac.new(self._key, msg, hashlib.sha256).digest()[:DIGEST_BYTES]

    def voter(self, poll_code: str, user_id: int) -> bytes:
        """The voter-register entry: one per person per poll, unlinkable to the ballot."""
        return self._digest("voter", poll_code, user_id)

    def staff(self, user_id: int) -> bytes:
        """A participation worker's entry in the staff list."""
        return self._digest("staff", "", user_id)

    def secret(self, token: str) -> bytes:
        """What is kept of a one-time invite token (the token itself is only in the link)."""
        msg = f"invite\x00{token}".encode()
        return hmac.new(self._key, msg, hashlib.sha256).digest()[:DIGEST_BYTES]

    def login(self, token: str) -> bytes:
        """What is kept of a staff sign-in link's token (the token itself is only in the link),
        apart from invites so one can never be used as the other."""
        msg = f"login\x00{token}".encode()
        return hmac.new(self._key, msg, hashlib.sha256).digest()[:DIGEST_BYTES]

    def code(self, poll_code: str, code: str) -> bytes:
        """What is kept of a single-use voting code (give it ``services.codes.normalize``'s
        form): found again when typed, scoped to its poll, never turned back into the code."""
        msg = f"code\x00{poll_code}\x00{code}".encode()
        return hmac.new(self._key, msg, hashlib.sha256).digest()[:DIGEST_BYTES]

    def preference(self, user_id: int) -> bytes:
        """Keys a remembered language choice."""
        return self._digest("preference", "", user_id)

    def owner(self, user_id: int) -> bytes:
        """Keys the person's unfinished answers and preferences, never a ballot."""
        return self._digest("owner", "", user_id)

    def subscriber(self, user_id: int) -> bytes:
        """Keys the opt-in list for news of polls: one row per person, found again by /stop."""
        return self._digest("subscriber", "", user_id)

    def contact(self, user_id: int) -> bytes:
        """Finds a contact request only while its young person types and checks it."""
        return self._digest("contact", "", user_id)
