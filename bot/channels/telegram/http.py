"""python-telegram-bot's transport on aiohttp's client, the HTTP stack the rest of kopsehat already uses.

PTB's default transport is httpx. On this service's hot path (a reply per update) it costs several times the CPU of
aiohttp's client: httpcore looks for the optional `sniffio` module on every request, which means a search of the
import path each time. PTB supports other transports through `telegram.request.BaseRequest`; this is one.
Parameters go as a JSON body (nested objects as such); with files, as multipart with each value JSON-encoded,
as PTB's own transport sends them. Telegram accepts both.
"""

from __future__ import annotations

import asyncio
import io
import json

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_JSON_HEADERS = {"Content-Type": "application/json"}  # aiohttp copies a request's headers into its own


class AiohttpRequest(BaseRequest):
    """One aiohttp session with a bounded connection pool; timeouts as PTB gives them per call."""

    def __init__(
        self,
        *,
        connection_pool_size: int = 32,
        connect_timeout: float | None = 5.0,
        read_timeout: float | None = 10.0,
        write_timeout: float | None = 10.0,
        media_write_timeout: float | None = 30.0,
        pool_timeout: float | None = 3.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._media_write_timeout = media_write_timeout
        self._pool_timeout = pool_timeout
        # post_json's timeouts are this transport's own: made once (an aiohttp.ClientTimeout is about 2 µs a send)
        self._json_timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout)
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self._read_timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size)
            self._session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": self.USER_AGENT})

    async def shutdown(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

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
        files = request_data.multipart_data if request_data is not None else None
        read = _given(read_timeout, self._read_timeout)
        write = _given(write_timeout, self._media_write_timeout if files else self._write_timeout)
        timeout = self._timeout(
            read, write, _given(connect_timeout, self._connect_timeout), _given(pool_timeout, self._pool_timeout)
        )
        body: aiohttp.FormData | bytes | None = None
        headers: dict[str, str] = {}
        if request_data is not None and files:
            form = aiohttp.FormData()
            for name, value in request_data.json_parameters.items():
                form.add_field(name, value)
            for name, (filename, content, mime) in files.items():
                # as a stream: aiohttp warns that a large body given as bytes may hold the event loop
                upload = io.BytesIO(content) if isinstance(content, bytes) else content
                form.add_field(name, upload, filename=filename, content_type=mime)
            body = form
        elif request_data is not None:
            body = json.dumps(request_data.parameters, ensure_ascii=False).encode()
            headers["Content-Type"] = "application/json"
        return await self._exchange(method, url, body, headers, timeout)

    async def post_json(self, url: str, body: bytes) -> tuple[int, bytes]:
        """POST a JSON body with this transport's own timeouts: what `do_request` does for PTB's `post` of a
        request without files, without PTB's parameter objects (`direct.send_text`). The status and the body."""
        return await self._exchange("POST", url, body, _JSON_HEADERS, self._json_timeout)

    @staticmethod
    def _timeout(
        read: float | None, write: float | None, connect: float | None, pool: float | None
    ) -> aiohttp.ClientTimeout:
        # aiohttp has no write timeout of its own: sending the body counts towards reading the answer
        return aiohttp.ClientTimeout(
            total=None,
            connect=pool,  # waiting for a free connection of the pool
            sock_connect=connect,
            sock_read=None if read is None or write is None else read + write,
        )

    async def _exchange(
        self,
        method: str,
        url: str,
        body: aiohttp.FormData | bytes | None,
        headers: dict[str, str],
        limits: aiohttp.ClientTimeout,
    ) -> tuple[int, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        try:
            async with self._session.request(method, url, data=body, headers=headers, timeout=limits) as response:
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut(f"aiohttp: {type(exc).__name__}") from exc
        except (aiohttp.ClientError, asyncio.IncompleteReadError, OSError) as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


def _given(value: ODVInput[float], default: float | None) -> float | None:
    """PTB passes DEFAULT_NONE for "use this transport's default"."""
    return default if isinstance(value, DefaultValue) else value
