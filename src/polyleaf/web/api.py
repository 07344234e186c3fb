"""The API router: the catalogue of leaflets, and each document as PDF or preview."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from polyleaf.build import Job
from polyleaf.errors import PolyleafError
from polyleaf.web.errors import ApiError, ErrorBody, log
from polyleaf.web.etag import etag_of, none_match
from polyleaf.web.headers import PDF_HEADERS
from polyleaf.web.models import Catalogue

ERRORS = {
    status: {"model": ErrorBody, "description": description}
    for status, description in [
        (404, "Unknown leaflet, locale or clinic"),
        (409, "The locale fails the safety gate"),
        (422, "Bad paper or parameter"),
        (500, "The document could not be prepared"),
        (503, "All workers busy (Retry-After)"),
    ]
}
NOT_MODIFIED = {304: {"description": "Not modified (If-None-Match)"}}

router = APIRouter(responses=ERRORS)


@dataclass
class Edition:
    """The query parameters both document endpoints take (LeafletOptions' web face)."""

    paper: Annotated[str, Query(description="a4, letter, a5 or a6")] = "a4"
    clinic: Annotated[str, Query(description="clinic profile id; empty for none")] = ""
    large_print: Annotated[bool, Query(description="16 pt body text")] = False
    bilingual: Annotated[
        bool, Query(description="each section with the source language beside it")
    ] = False


@router.get("/leaflets", response_model=Catalogue)
def leaflets(request: Request) -> Catalogue:
    """Leaflets, their locales (with review status and availability), papers, clinics."""
    return request.app.state.desk.catalogue()


@router.get(
    "/leaflets/{leaflet}/{locale}.pdf",
    responses={
        200: {"content": {"application/pdf": {}}, "description": "The leaflet as PDF"},
        **NOT_MODIFIED,
    },
)
async def leaflet_pdf(
    request: Request, leaflet: str, locale: str, edition: Annotated[Edition, Depends()]
) -> Response:
    desk = request.app.state.desk
    job = desk.job_for(leaflet, locale, edition)
    headers = {
        "Content-Disposition": f'inline; filename="{job.output(Path()).name}"',
        **PDF_HEADERS,
    }
    return await _serve(request, job, desk.pdf, "application/pdf", headers)


@router.get(
    "/leaflets/{leaflet}/{locale}/preview.png",
    responses={
        200: {"content": {"image/png": {}}, "description": "The first page as PNG"},
        **NOT_MODIFIED,
    },
)
async def leaflet_preview(
    request: Request, leaflet: str, locale: str, edition: Annotated[Edition, Depends()]
) -> Response:
    desk = request.app.state.desk
    job = desk.job_for(leaflet, locale, edition)
    return await _serve(request, job, desk.preview, "image/png", {"Content-Disposition": "inline"})


async def _serve(
    request: Request,
    job: Job,
    make: Callable[[Job], Awaitable[Path]],
    media_type: str,
    headers: dict[str, str],
) -> Response:
    try:
        path = await make(job)
    except ApiError:
        raise
    except Exception as error:
        # The error names files of this server: the log gets it, the client does not.
        log.error(
            "%s could not be prepared: %s",
            job.name,
            error,
            exc_info=not isinstance(error, PolyleafError),
        )
        raise ApiError(
            500,
            f"the leaflet {job.leaflet!r} in {job.tag} could not be prepared; "
            "the details are in the server log",
        ) from None
    etag = etag_of(path)
    headers = {"ETag": etag, "Cache-Control": "no-cache", **headers}
    if none_match(request.headers.getlist("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(path.read_bytes(), media_type=media_type, headers=headers)
