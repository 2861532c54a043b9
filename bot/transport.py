"""PTB's network layer on aiohttp instead of httpx: the same Bot API calls for less CPU.

Profiling a ballot showed about half of the bot's CPU in httpx, httpcore, anyio and h11, and a
good part of that in httpcore's connection pool, which looks at every connection (and asks the
socket whether it is readable) each time a request starts or ends. aiohttp (already a
dependency, for the stand-in) parses HTTP in C and keeps its pool as a free list. Everything
above the wire is PTB's own: ``BaseRequest`` turns status codes into ``RetryAfter``,
``Forbidden``, ``BadRequest``... exactly as with ``HTTPXRequest``; only transport failures are
mapped here (timeouts to ``TimedOut``, the rest to ``NetworkError``). A caller that must know
whether a request may have reached Telegram (safeguarding alerts) hears it here, where the
facts are: see services/outgoing.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit
from urllib.request import getproxies, proxy_bypass

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

from services.outgoing import WATCH

MEDIA_WRITE_TIMEOUT = 20.0  # as HTTPXRequest: uploads get longer than other calls


class AiohttpRequest(BaseRequest):
    """A ``BaseRequest`` on one ``aiohttp.ClientSession`` (opened in ``initialize``)."""

    def __init__(
        self,
        connection_pool_size: int = 1,
        *,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read = read_timeout
        self._write = write_timeout
        self._connect = connect_timeout
        self._pool = pool_timeout
        self._session: aiohttp.ClientSession | None = None
        self._headers = {"User-Agent": self.USER_AGENT}
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}
        self._proxies: dict[str, str] = {}  # HTTP(S)_PROXY, as httpx would honour them

    @property
    def read_timeout(self) -> float | None:
        return self._read

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
                cookie_jar=aiohttp.DummyCookieJar(),  # the Bot API sets no cookies
                # trust_env=True would look for a proxy (and read ~/.netrc) on a worker thread
                # for every request: the proxy variables are read once, here, instead.
                trust_env=False,
            )
            self._proxies = {
                scheme: url for scheme, url in getproxies().items() if scheme in ("http", "https")
            }

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def _timeout(
        self, read: float | None, write: float | None, connect: float | None, pool: float | None
    ) -> aiohttp.ClientTimeout:
        """aiohttp has no write timeout: sending counts against ``total`` instead, together
        with the wait for a pooled connection (``connect``) and the reply (``sock_read``)."""
        key = (read, write, connect, pool)
        found = self._timeouts.get(key)
        if found is None:
            parts = (read, write, connect, pool)
            total = None if None in parts else sum(p for p in parts if p is not None)
            acquire = None if connect is None or pool is None else connect + pool
            found = aiohttp.ClientTimeout(
                total=total, connect=acquire, sock_connect=connect, sock_read=read
            )
            self._timeouts[key] = found
        return found

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        has_files = request_data is not None and request_data.contains_files
        files = request_data.multipart_data if request_data is not None and has_files else None
        data: Any = request_data.json_parameters if request_data else None
        if files:
            form = aiohttp.FormData(quote_fields=False)
            for name, value in (data or {}).items():
                form.add_field(name, value)
            for name, (filename, content, mimetype) in files.items():
                form.add_field(name, content, filename=filename, content_type=mimetype)
            data = form
        read = self._read if isinstance(read_timeout, DefaultValue) else read_timeout
        connect = self._connect if isinstance(connect_timeout, DefaultValue) else connect_timeout
        pool = self._pool if isinstance(pool_timeout, DefaultValue) else pool_timeout
        write = write_timeout
        if isinstance(write, DefaultValue):
            write = MEDIA_WRITE_TIMEOUT if files else self._write
        proxy = None
        if self._proxies:
            parts = urlsplit(url)
            if not proxy_bypass(parts.hostname or ""):
                proxy = self._proxies.get(parts.scheme)
        watch = WATCH.get()
        if watch is not None:
            await watch.going()
        try:
            async with session.request(
                method,
                url,
                data=data or None,
                headers=self._headers,
                timeout=self._timeout(read, write, connect, pool),
                proxy=proxy,
            ) as response:
                status, body = response.status, await response.read()
        except TimeoutError as err:  # aiohttp's timeouts are TimeoutError too
            if watch is not None and isinstance(err, aiohttp.ConnectionTimeoutError):
                await watch.refused()  # no connection in time (pool or connect): nothing sent
            raise TimedOut from err
        except aiohttp.ClientError as err:
            if watch is not None and isinstance(err, aiohttp.ClientConnectorError):
                await watch.refused()  # the connection was never made: nothing sent
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
        if watch is not None and 400 <= status < 500:
            await watch.refused()  # Telegram's own refusal (429, 400, 403...): not posted
        return status, body
