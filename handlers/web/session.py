"""The one strictly necessary cookie, the forms' CSRF tokens and the opaque client key.

The cookie holds a random browser id and the chosen language, signed with a key derived from
the key file; the browser id is only ever used through keyed hashes (the draft's owner, the
voter in open mode). Nothing here is written to disk or logged.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from aiohttp import web

COOKIE = "mb"
VOTER_COOKIE = "mbv"  # open polls only: this browser's long-lived id, one ballot per browser
VOTER_DAYS = 183
STAFF_COOKIE = "mbs"  # a signed-in staff member on the results dashboard (handlers/web/results.py)
STAFF_PATH = "/dashboard"
LANGUAGES = ("en", "cy")


def _same(given: str, expected: str) -> bool:
    """A constant-time comparison of what a client sent with what it should be. Compared as
    bytes: hmac.compare_digest raises TypeError on a str with non-ASCII characters, which a
    forged cookie or form field may well have."""
    return hmac.compare_digest(
        given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape")
    )


@dataclass(frozen=True, slots=True)
class Browser:
    """Who is on the other end of a request: a random id and a language, from the cookie."""

    id: str
    lang: str
    new: bool  # no valid cookie came with the request: one is set on the response


class Sessions:
    """Signs and reads the cookie; makes and checks CSRF tokens; keys clients for limits."""

    def __init__(self, key: bytes, *, secure: bool, trust_proxy: bool) -> None:
        self._sign_key = hmac.new(key, b"markbot-web-cookie", hashlib.sha256).digest()
        self._csrf_key = hmac.new(key, b"markbot-web-csrf", hashlib.sha256).digest()
        self._staff_key = hmac.new(key, b"markbot-web-staff", hashlib.sha256).digest()
        self._client_key = secrets.token_bytes(32)  # per process: client keys never persist
        self._secure = secure
        self._trust_proxy = trust_proxy

    def _sign(self, value: str) -> str:
        return hmac.new(self._sign_key, value.encode(), hashlib.sha256).hexdigest()[:32]

    def browser(self, request: web.Request, default_lang: str) -> Browser:
        """The browser's id and language; a new id when the cookie is missing or forged."""
        raw = request.cookies.get(COOKIE, "")
        parts = raw.split(".")
        if len(parts) == 3 and _same(parts[2], self._sign(f"{parts[0]}.{parts[1]}")):
            lang = parts[1] if parts[1] in LANGUAGES else default_lang
            return Browser(parts[0], lang, new=False)
        return Browser(secrets.token_hex(16), default_lang, new=True)

    def set_cookie(self, response: web.StreamResponse, browser: Browser) -> None:
        """A session cookie (gone when the browser closes): HttpOnly, SameSite=Strict, and
        Secure when the site is served over https."""
        value = f"{browser.id}.{browser.lang}"
        response.set_cookie(
            COOKIE,
            f"{value}.{self._sign(value)}",
            httponly=True,
            samesite="Strict",
            secure=self._secure,
            path="/",
        )

    def voter(self, request: web.Request) -> str | None:
        """This browser's long-lived voter id (open polls), if it has a valid one."""
        raw = request.cookies.get(VOTER_COOKIE, "")
        value, _, sig = raw.partition(".")
        if value and _same(sig, self._sign(f"voter.{value}")):
            return value
        return None

    def set_voter(self, response: web.StreamResponse, value: str) -> None:
        """Kept for about six months, so closing the browser doesn't give another ballot in an
        open poll; it holds a random id and nothing else. Set only on a same-site POST, so a
        link followed from another site (which withholds SameSite=Strict cookies) can't
        replace it."""
        response.set_cookie(
            VOTER_COOKIE,
            f"{value}.{self._sign(f'voter.{value}')}",
            max_age=VOTER_DAYS * 24 * 3600,
            httponly=True,
            samesite="Strict",
            secure=self._secure,
            path="/",
        )

    def _staff_sign(self, value: str) -> str:
        return hmac.new(self._staff_key, value.encode(), hashlib.sha256).hexdigest()

    def staff(self, request: web.Request, now: int) -> bytes | None:
        """The signed-in staff member's keyed hash, if the cookie is genuine and not expired."""
        person, _, rest = request.cookies.get(STAFF_COOKIE, "").partition(".")
        until, _, sig = rest.partition(".")
        if not (person and until.isdigit() and sig):
            return None
        if not _same(sig, self._staff_sign(f"{person}.{until}")):
            return None
        if int(until) <= now:
            return None
        try:
            return bytes.fromhex(person)
        except ValueError:
            return None

    def set_staff(
        self, response: web.StreamResponse, person: bytes, now: int, seconds: int
    ) -> None:
        """Signed in for ``seconds``: the expiry is inside the signed value (a browser that keeps
        the cookie longer gains nothing), HttpOnly, SameSite=Strict, Secure over https, and
        sent only to the dashboard's pages."""
        value = f"{person.hex()}.{now + seconds}"
        response.set_cookie(
            STAFF_COOKIE,
            f"{value}.{self._staff_sign(value)}",
            max_age=seconds,
            httponly=True,
            samesite="Strict",
            secure=self._secure,
            path=STAFF_PATH,
        )

    def clear_staff(self, response: web.StreamResponse) -> None:
        response.del_cookie(STAFF_COOKIE, path=STAFF_PATH)

    def csrf(self, browser: Browser) -> str:
        """The token every form carries: bound to this browser's cookie."""
        return hmac.new(self._csrf_key, browser.id.encode(), hashlib.sha256).hexdigest()[:32]

    def csrf_ok(self, browser: Browser, token: str) -> bool:
        return not browser.new and _same(token or "", self.csrf(browser))

    def client(self, request: web.Request) -> str:
        """An opaque key for the client's network address, to count wrong codes in memory.
        The address itself is never stored or logged."""
        address = request.remote or ""
        if self._trust_proxy:
            forwarded = request.headers.get("X-Forwarded-For", "")
            if forwarded:
                address = forwarded.split(",")[-1].strip()
        return hmac.new(self._client_key, address.encode(), hashlib.sha256).hexdigest()[:24]
