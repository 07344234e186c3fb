"""Security headers on every response, the page's and the API's, errors included;
and a bound on request bodies.

The page loads only its own script, stylesheets, fonts and previews, and is
never framed by another site. The PDF is the exception: the page prints it from
a hidden same-origin frame, and a browser's PDF viewer must not be starved by a
``default-src 'none'`` meant for HTML, so a PDF answer carries its own policy.
"""

from __future__ import annotations

import json

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The page's Content-Security-Policy: nothing but its own assets.
PAGE_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        # the hidden frame that prints the PDF (blob: the personalised copy, fetched by POST)
        "frame-src 'self' blob:",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ]
)

#: A PDF may be framed by this site's page (to print it), by no other.
PDF_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'self'; base-uri 'none'; form-action 'none'",
    "X-Frame-Options": "SAMEORIGIN",
}

#: A personalised PDF is one patient's: no cache (browser, proxy) may keep it.
PERSONAL_PDF_HEADERS = {
    **PDF_HEADERS,
    "Cache-Control": "no-store",
    "Content-Disposition": 'inline; filename="leaflet.pdf"',
}

#: Sent with every response unless the route set the header itself.
SECURITY_HEADERS = {
    "Content-Security-Policy": PAGE_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class SecurityHeaders:
    """ASGI middleware: add SECURITY_HEADERS to each HTTP response start."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers)


#: The largest request body accepted: a personalisation is a few hundred bytes.
MAX_BODY_BYTES = 8 * 1024


class BodyLimit:
    """ASGI middleware: a request body over MAX_BODY_BYTES gets 413, whether it
    says its length (refused before it is read) or not (refused once it is over)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length", "0")
        if not length.isdigit() or int(length) > MAX_BODY_BYTES:
            await _too_large(send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY_BYTES:
                    raise HTTPException(413, f"request body over {MAX_BODY_BYTES} bytes")
            return message

        await self.app(scope, counting_receive, send)


async def _too_large(send: Send) -> None:
    body = json.dumps(
        {"error": f"request body over {MAX_BODY_BYTES} bytes", "available": []}
    ).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})
