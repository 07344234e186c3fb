"""Every refusal and failure in one JSON shape: ``{"error": ..., "available": [...]}``.

A request that names something unknown hears what is available; a failure
says what could not be done and nothing about the server (no file-system
path, no exception text). The details go to the ``polyleaf.web`` log, which
names the leaflet and locale but never the client.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from polyleaf.web.headers import SECURITY_HEADERS

log = logging.getLogger("polyleaf.web")

#: Where a client that asked for an unknown address can start.
ENTRY_POINTS = ["/", "/leaflets", "/openapi.json"]


class ErrorBody(BaseModel):
    error: str
    available: list[str] = []


class ApiError(Exception):
    """A request the front desk refuses, with what it would accept instead."""

    def __init__(
        self,
        status: int,
        message: str,
        available: list[str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.available = available or []
        self.headers = dict(headers or {})


class Busy(ApiError):
    """No worker was free within the timeout."""

    def __init__(self) -> None:
        super().__init__(
            503, "all workers are busy; try again shortly", headers={"Retry-After": "5"}
        )


def error_response(
    status: int,
    message: str,
    available: list[str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(error=message, available=available or [])
    return JSONResponse(body.model_dump(), status_code=status, headers=dict(headers or {}))


async def refused(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return error_response(error.status, error.message, error.available, error.headers)


async def bad_request(request: Request, error: Exception) -> JSONResponse:
    """Malformed parameters: 422 with the same error body as every other refusal."""
    assert isinstance(error, RequestValidationError)
    first = error.errors()[0]
    if first.get("type") == "json_invalid":
        return error_response(422, "body: not valid JSON", [])
    where = ".".join(str(part) for part in first["loc"][1:]) or str(first["loc"][0])
    allowed = ["true", "false"] if first.get("type") == "bool_parsing" else []
    return error_response(422, f"{where}: {first['msg']}", allowed)


def _allowed_methods(request: Request) -> list[str]:
    """Every method the API documents at this path (Starlette's own Allow header
    names only the first route that matched the path: GET, not the POST beside it)."""
    methods: set[str] = set()
    for template, operations in request.app.openapi().get("paths", {}).items():
        pattern = "^" + re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, request.url.path):
            methods |= {method.upper() for method in operations}
    return sorted(methods)


async def http_error(request: Request, error: Exception) -> JSONResponse:
    """Starlette's own refusals: an unknown address (404), a wrong method (405)."""
    assert isinstance(error, HTTPException)
    headers = dict(error.headers or {})
    if error.status_code == 404:
        return error_response(404, f"no such address {request.url.path!r}", ENTRY_POINTS)
    if error.status_code == 400 and isinstance(error.__cause__, UnicodeDecodeError):
        # FastAPI answers malformed JSON with a validation error (422) but a
        # body that is not UTF-8 at all with a bare 400: one answer for both.
        return error_response(422, "body: not UTF-8 JSON text", [], headers)
    if error.status_code == 405:
        allowed = _allowed_methods(request) or [
            m.strip() for m in headers.get("Allow", "").split(",") if m.strip()
        ]
        headers["Allow"] = ", ".join(allowed)
        return error_response(405, f"method {request.method} not allowed", allowed, headers)
    return error_response(error.status_code, str(error.detail), [], headers)


async def internal_error(request: Request, error: Exception) -> JSONResponse:
    """A bug: the traceback goes to the log, the client hears only that it failed.

    Starlette answers with this from its outermost layer, past the security
    headers middleware, so the headers are added here.
    """
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=error)
    return error_response(
        500, "internal error; the details are in the server log", headers=SECURITY_HEADERS
    )


def install_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ApiError, refused)
    app.add_exception_handler(RequestValidationError, bad_request)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, internal_error)
