"""Opt-in messages about new polls: who asked, kept apart from ballots and the voter register.

A young person chooses at the end of a journey (default: no). A subscriber is one row keyed by
a keyed hash of their Telegram id (so nobody is on the list twice and /stop finds them), holding
their chat id encrypted with AES-GCM under a key derived from the key file, and their language.
The database file on its own therefore names nobody; only a process with the key can send.
"""

from __future__ import annotations

from dataclasses import dataclass

from prompts import Catalog
from services import screens
from services.identity import Hasher
from services.journey import Outcome, Person
from services.screens import Button, Screen
from services.sealing import Cipher
from storage.contract import Store

# The last paragraph of the thank-you message is the offer; after a tap it is one of the others.
_CHOICE_KEYS = ("subscribe_offer", "subscribed", "subscribe_declined")


@dataclass(frozen=True, slots=True)
class Shown:
    """The message a button was on, as HTML and as displayed (to keep the thank-you part), and
    the buttons on it that are not the offer's (they stay)."""

    html: str
    plain: str
    keep: tuple[tuple[Button, ...], ...] = ()


class SubscriptionService:
    """Subscribe, unsubscribe, and decrypt whom to send to."""

    def __init__(
        self,
        store: Store,
        hasher: Hasher,
        cipher: Cipher,
        catalog: Catalog,
    ) -> None:
        self._store = store
        self._hasher = hasher
        self._cipher = cipher
        self._catalog = catalog

    @property
    def cipher(self) -> Cipher:
        """The same cipher protects the staff chat a broadcast reports to."""
        return self._cipher

    # --- the list ------------------------------------------------------------------------

    async def add(self, user_id: int, lang: str) -> bool:
        """Subscribe a Telegram user (their private chat id is their user id); True if new."""
        person = self._hasher.subscriber(user_id)
        sealed = self._cipher.seal(user_id, person)
        return await self._store.broadcasts.add_subscriber(person, sealed, lang)

    async def remove(self, user_id: int) -> bool:
        return await self._store.broadcasts.remove_subscriber(self._hasher.subscriber(user_id))

    async def is_subscribed(self, user_id: int) -> bool:
        lang = await self._store.broadcasts.subscriber_lang(self._hasher.subscriber(user_id))
        return lang is not None

    async def count(self) -> int:
        return await self._store.broadcasts.subscriber_count()

    def chat_id(self, person: bytes, chat: bytes) -> int:
        """The chat to send to, from a subscriber row (raises CipherError)."""
        return self._cipher.open(chat, person)

    # --- what the young person sees ------------------------------------------------------

    async def choose(self, person: Person, lang: str, yes: bool, shown: Shown | None) -> Outcome:
        """A tap on the thank-you screen's offer (``lang``: the person's language, which their
        messages will be in). "No" stores nothing, and also ends an earlier "yes": someone who
        says no to messages should not keep getting them."""
        if yes:
            await self.add(person.id, lang)
        else:
            await self.remove(person.id)
        key = "subscribed" if yes else "subscribe_declined"
        return Outcome(self._after_offer(shown, lang, key), edit=True)

    async def stop(self, person: Person, lang: str) -> Outcome:
        """/stop: leave the list (a reply either way)."""
        removed = await self.remove(person.id)
        key = "unsubscribed" if removed else "not_subscribed"
        return Outcome(screens.message(self._catalog, lang, key))

    def _after_offer(self, shown: Shown | None, lang: str, key: str) -> Screen:
        """The thank-you message with its last paragraph (the offer) replaced by the answer and
        the offer's buttons gone, so "your answers are counted" stays in the chat (and so does
        "I'd like an adult to contact me", when it was there)."""
        answer = self._catalog.t(lang, key)
        if shown is None:
            return Screen(answer)
        endings = {
            self._catalog.plain(other, k) for other in self._catalog.languages for k in _CHOICE_KEYS
        }
        head, sep, _ = shown.html.rpartition("\n\n")
        if sep and any(shown.plain.endswith(end) for end in endings):
            return Screen(f"{head}\n\n{answer}", shown.keep)
        return Screen(answer, shown.keep)
