"""Running the front desk under uvicorn, with limits that slow clients cannot outlast.

uvicorn's h11 server has a keep-alive timeout (between requests) but none
for receiving a request: a connection that sends nothing, or one byte of its
headers every few seconds, is held for ever, and a few hundred such
connections use up the process's file descriptors. ``DeadlineProtocol`` gives
each request a deadline, from the connection's first moment (or the first
byte after a previous response) until the whole request has arrived; a
connection that misses it is closed. Rendering time is not counted: the
deadline ends when the request is in.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from http import HTTPStatus

import h11
import uvicorn
from fastapi import FastAPI
from uvicorn.protocols.http.h11_impl import H11Protocol

from polyleaf.web.headers import SECURITY_HEADERS


@dataclass(frozen=True)
class Limits:
    """What one client connection may cost the server."""

    #: Seconds to send a complete request (line, headers, body), from the
    #: connection's opening or the first byte after the previous response.
    request_timeout: float = 10.0
    #: Seconds an idle keep-alive connection stays open between requests.
    keep_alive: int = 5
    #: Bytes of request line and headers, at most (431 beyond).
    max_header_bytes: int = 16 * 1024
    #: Open connections, at most; more are answered 503 and closed at once.
    max_connections: int = 200


LIMITS = Limits()


def _answer(status: int, message: str, *extra: tuple[str, str]) -> bytes:
    """A whole HTTP response in the API's one error shape, for refusals made below the app."""
    body = json.dumps({"error": message, "available": []}).encode()
    headers = [
        ("content-type", "application/json"),
        ("content-length", str(len(body))),
        *SECURITY_HEADERS.items(),
        *extra,
        ("connection", "close"),
    ]
    head = f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n" + "".join(
        f"{name}: {value}\r\n" for name, value in headers
    )
    return head.encode("latin-1") + b"\r\n" + body


#: The answer to a connection over the limit.
_BUSY = _answer(503, "too many connections; try again shortly", ("retry-after", "5"))
#: The answer to a request h11 cannot parse.
_MALFORMED = _answer(400, "invalid HTTP request")
#: The answer to a request line and headers over Limits.max_header_bytes. (h11's
#: own limit, h11_max_incomplete_event_size, holds only while the headers are
#: incomplete: a long head that arrives in one read passes it.)
_TOO_LARGE = _answer(431, "request headers too large")


class DeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol with a request deadline, a connection limit, JSON refusals."""

    limits = LIMITS

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._deadline: asyncio.TimerHandle | None = None
        self._head_bytes = 0
        if len(self.connections) > self.limits.max_connections:
            self._refuse(_BUSY)
            return
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self.conn.their_state is h11.IDLE:  # still reading a request line and headers
            if self._deadline is None:
                self._arm()  # the first byte of a request on a kept-alive connection
            end = data.find(b"\r\n\r\n")
            self._head_bytes += len(data) if end < 0 else end
            if self._head_bytes > self.limits.max_header_bytes:
                self._refuse(_TOO_LARGE)
                return
        super().data_received(data)
        if self.conn.their_state in (h11.DONE, h11.MUST_CLOSE, h11.CLOSED, h11.ERROR):
            self._disarm()  # the request is in (or refused): rendering is not timed here

    def on_response_complete(self) -> None:
        super().on_response_complete()  # arms the keep-alive timer for the idle wait
        if self.conn.their_state is not h11.IDLE:
            return
        if self.conn.trailing_data[0]:  # a pipelined request already waiting
            self._arm()

    def send_400_response(self, msg: str) -> None:
        """uvicorn answers text/plain here; this answers in the one JSON shape."""
        self._refuse(_MALFORMED)

    def _refuse(self, answer: bytes) -> None:
        self._disarm()
        self.transport.write(answer)
        self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        self._disarm()
        self._head_bytes = 0
        self._deadline = self.loop.call_later(self.limits.request_timeout, self._expired)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _expired(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.logger.info("closing a connection that did not send its request in time")
            self.transport.close()


def run(app: FastAPI, host: str, port: int, limits: Limits = LIMITS) -> None:
    """Serve *app* on *host*:*port* with *limits* (see README: Behind a reverse proxy)."""
    protocol = type("Protocol", (DeadlineProtocol,), {"limits": limits})
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol,
        ws="none",
        timeout_keep_alive=limits.keep_alive,
        h11_max_incomplete_event_size=limits.max_header_bytes,
        server_header=False,
        log_level="warning",
    )
    uvicorn.Server(config).run()
