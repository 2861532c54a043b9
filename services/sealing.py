"""Encryption for the few things markbot must be able to read back: chat ids and contact details.

AES-256-GCM under keys derived (HKDF-SHA256) from the markbot key file, one derived key per
purpose, so the database file on its own names nobody. A row's own keyed hash or id is bound
in as associated data, so a ciphertext copied onto another row does not decrypt.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

SUBSCRIBERS = b"markbot subscribers"
CONTACTS = b"markbot contact requests"
ALERTS = b"markbot safeguarding alerts"
NONCE_BYTES = 12


class CipherError(Exception):
    """A stored value could not be decrypted (another key file, or a damaged row)."""


class Cipher:
    """AES-256-GCM keyed by HKDF-SHA256 from the markbot key, for one purpose (``info``).

    A derived key (not the HMAC key itself) keeps encryption and hashing apart.
    """

    __slots__ = ("_aead",)

    def __init__(self, key: bytes, info: bytes = SUBSCRIBERS) -> None:
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(key)
        self._aead = AESGCM(derived)

    def __repr__(self) -> str:
        return "Cipher(<secret>)"

    def seal_bytes(self, plain: bytes, context: bytes) -> bytes:
        """A fresh random nonce followed by the ciphertext and tag."""
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._aead.encrypt(nonce, plain, context)

    def open_bytes(self, blob: bytes, context: bytes) -> bytes:
        try:
            return self._aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], context)
        except InvalidTag:
            raise CipherError("a stored value does not decrypt with this key") from None

    def seal(self, chat_id: int, context: bytes) -> bytes:
        """A chat id, sealed."""
        return self.seal_bytes(str(chat_id).encode("ascii"), context)

    def open(self, blob: bytes, context: bytes) -> int:
        return int(self.open_bytes(blob, context).decode("ascii"))
