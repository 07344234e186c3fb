"""The front desk: a web page and an HTTP API that hand out leaflets.

Same safety as the command line: a locale that fails the gate is not offered
(the page says why, the API answers 409), drafts are labelled, and every
request is checked against the known leaflets, locales, papers and clinics,
so nothing a request sends can reach a file outside the leaflet project or
make the server fetch a URL (the renderer's URL fetcher refuses both anyway).

Rendering runs in a bounded pool of worker processes, each keeping its own
Builder (fonts, catalogs, templates loaded once). A PDF whose inputs have not
changed is served from the output cache without touching the pool. Requests
that would wait longer than the timeout for a worker get a 503 with
Retry-After, never a hang.
"""

from __future__ import annotations

import asyncio
import hashlib
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup
from pydantic import BaseModel

from polyleaf import __version__, fingerprint
from polyleaf.build import Builder, Job, Outcome, build_in_worker
from polyleaf.catalogs import CatalogStore, read_catalog, review_status
from polyleaf.clinics import clinic_ids, load_clinic
from polyleaf.errors import PolyleafError
from polyleaf.fonts import FACES, VENDORED
from polyleaf.gate import Gate
from polyleaf.locales import LocaleInfo, locale_info
from polyleaf.options import PAPERS, LeafletOptions
from polyleaf.project import Project

HERE = Path(__file__).parent
UI_LOCALES = HERE / "locales"
DRAFT = "Draft translation, not yet reviewed by a qualified medical translator"


class LocaleEntry(BaseModel):
    tag: str
    name: str
    english_name: str
    direction: str
    status: str  #: "source", "draft" or "reviewed"
    available: bool
    reason: str = ""


class LeafletEntry(BaseModel):
    id: str
    title: str
    code: str
    revision: str
    locales: list[LocaleEntry]


class Catalogue(BaseModel):
    leaflets: list[LeafletEntry]
    papers: list[str]
    clinics: list[str]


class ErrorBody(BaseModel):
    error: str
    available: list[str] = []


@dataclass
class Edition:
    """The query parameters both document endpoints take (LeafletOptions' web face)."""

    paper: Annotated[str, Query(description="a4, letter or a5")] = "a4"
    clinic: Annotated[str, Query(description="clinic profile id; empty for none")] = ""
    large_print: Annotated[bool, Query(description="16 pt body text")] = False


@dataclass
class Settings:
    project: Path
    out: Path
    workers: int = 2
    timeout: float = 60.0
    queue: int = 8  #: requests rendering or waiting for a worker, at most


def _error(status: int, message: str, available: list[str] | None = None) -> JSONResponse:
    body = ErrorBody(error=message, available=available or [])
    return JSONResponse(body.model_dump(), status_code=status)


def _etag(path: Path) -> str:
    return '"' + hashlib.sha256(path.read_bytes()).hexdigest()[:32] + '"'


def render_preview(pdf: Path, target: Path) -> None:
    """The first page of *pdf* as a PNG (runs in a worker process)."""
    import pypdfium2

    from polyleaf.atomic import atomic_target

    document = pypdfium2.PdfDocument(pdf)
    try:
        image = document[0].render(scale=96 / 72).to_pil()
    finally:
        document.close()
    with atomic_target(target) as temporary:
        image.save(temporary, format="PNG", optimize=True)


class FrontDesk:
    """State shared by the requests: the project, the gate's verdicts, the pool."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.project = Project.load(settings.project)
        self.builder = Builder(self.project)  # fingerprints only: no WeasyPrint here
        catalogs = CatalogStore(self.project)
        gate = Gate(self.project, catalogs)
        self.entries: dict[str, LocaleEntry] = {}
        for locale in self.project.locales:
            errors = gate.errors(locale)
            status = (
                "source"
                if locale == self.project.source_locale
                else (
                    "reviewed"
                    if not errors and review_status(catalogs.get(locale)).reviewed
                    else "draft"
                )
            )
            reason = f"{errors[0].section}: {errors[0].problem}" if errors else ""
            self.entries[locale.tag] = LocaleEntry(
                tag=locale.tag,
                name=locale.display_name,
                english_name=locale.english_name,
                direction=locale.direction,
                status=status,
                available=not errors,
                reason=reason,
            )
        self.translations = {
            tag: catalogs.translations(self.project.find_locale(tag))
            for tag, entry in self.entries.items()
            if entry.available
        }
        self.clinics = {cid: load_clinic(self.project, cid) for cid in clinic_ids(self.project)}
        self.pool: ProcessPoolExecutor | None = None
        self.slots = asyncio.Semaphore(settings.queue)

    def catalogue(self) -> Catalogue:
        leaflets = []
        for leaflet_id, leaflet in self.project.config.leaflets.items():
            title = self.title(leaflet_id, self.project.source_locale.tag)
            leaflets.append(
                LeafletEntry(
                    id=leaflet_id,
                    title=title,
                    code=leaflet.code,
                    revision=leaflet.revision.isoformat(),
                    locales=list(self.entries.values()),
                )
            )
        return Catalogue(leaflets=leaflets, papers=list(PAPERS), clinics=sorted(self.clinics))

    def title(self, leaflet_id: str, tag: str) -> str:
        """The leaflet's <title>, in *tag*'s language (rendering only the title block)."""
        template = self.builder.renderer.env.get_template(
            self.project.config.leaflets[leaflet_id].template
        )
        translations = (
            self.translations.get(tag) or self.translations[self.project.source_locale.tag]
        )
        self.builder.renderer.env.install_gettext_translations(translations, newstyle=True)
        context = template.new_context({})
        return "".join(template.blocks["title"](context)).strip()

    async def pdf(self, job: Job) -> Path:
        """The PDF for *job*: from the cache when current, else rendered in the pool."""
        target = job.output(self.settings.out)
        key = self.builder.inputs(job)
        if fingerprint.up_to_date(target, key):
            return target
        outcome: Outcome = await self._in_pool(
            partial(build_in_worker, self.project.root, job, self.settings.out, False)
        )
        if not outcome.ok:
            raise PolyleafError(
                outcome.error + (f": {outcome.findings[0]}" if outcome.findings else "")
            )
        return target

    async def preview(self, job: Job) -> Path:
        pdf = await self.pdf(job)
        target = pdf.with_name(f".{pdf.stem}.preview.png")
        key = fingerprint.sidecar(pdf).read_text().strip() + ":preview"
        if not fingerprint.up_to_date(target, key):
            await self._in_pool(partial(render_preview, pdf, target))
            fingerprint.record(target, key)
        return target

    async def _in_pool(self, call: Any) -> Any:
        loop = asyncio.get_running_loop()
        try:
            await asyncio.wait_for(self.slots.acquire(), timeout=self.settings.timeout)
        except TimeoutError:
            raise Busy() from None
        try:
            return await asyncio.wait_for(
                loop.run_in_executor(self.pool, call), timeout=self.settings.timeout
            )
        except TimeoutError:
            raise Busy() from None
        finally:
            self.slots.release()


class Busy(Exception):
    """No worker was free within the timeout."""


def create_app(settings: Settings) -> FastAPI:
    desk = FrontDesk(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # noqa: ANN202
        desk.pool = ProcessPoolExecutor(max_workers=settings.workers)
        try:
            yield
        finally:
            desk.pool.shutdown(cancel_futures=True)

    app = FastAPI(
        title="polyleaf",
        version=__version__,
        lifespan=lifespan,
        description="Safety-checked patient leaflets as PDF, in the patient's language.",
    )
    app.state.desk = desk

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, error: RequestValidationError) -> JSONResponse:
        """Malformed parameters: 422 with the same error body as every other refusal."""
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"][1:]) or "request"
        allowed = ["true", "false"] if first.get("type") == "bool_parsing" else []
        return _error(422, f"{where}: {first['msg']}", allowed)

    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    pages = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=True, extensions=["jinja2.ext.i18n"]
    )
    pages.policies["ext.i18n.trimmed"] = True
    ui_catalogs = {
        path.parent.parent.name.replace("_", "-"): path
        for path in UI_LOCALES.glob("*/LC_MESSAGES/web.po")
    }

    @cache
    def ui_catalog(tag: str) -> Any:
        """The page's own catalog for *tag*, read once (None for the source language)."""
        return read_catalog(ui_catalogs[tag]) if tag in ui_catalogs else None

    def job_for(leaflet: str, locale: str, edition: Edition) -> Job | JSONResponse:
        if leaflet not in desk.project.config.leaflets:
            return _error(404, f"unknown leaflet {leaflet!r}", list(desk.project.config.leaflets))
        entry = desk.entries.get(locale) or desk.entries.get(locale.replace("_", "-"))
        if entry is None:
            return _error(404, f"unknown locale {locale!r}", list(desk.entries))
        if not entry.available:
            offered = [e.tag for e in desk.entries.values() if e.available]
            return _error(409, f"{entry.tag} fails the safety gate ({entry.reason})", offered)
        if edition.paper not in PAPERS:
            return _error(422, f"unknown paper {edition.paper!r}", list(PAPERS))
        if edition.clinic and edition.clinic not in desk.clinics:
            return _error(404, f"unknown clinic {edition.clinic!r}", sorted(desk.clinics))
        folder = desk.project.find_locale(entry.tag).folder
        return Job(
            leaflet,
            folder,
            LeafletOptions(
                paper=edition.paper, large_print=edition.large_print, clinic=edition.clinic
            ),
        )

    errors = {
        404: {"model": ErrorBody},
        409: {"model": ErrorBody},
        422: {"model": ErrorBody},
        503: {"model": ErrorBody},
    }

    @app.get("/leaflets", response_model=Catalogue)
    def leaflets() -> Catalogue:
        """Leaflets, their locales (with review status and availability), papers, clinics."""
        return desk.catalogue()

    @app.get(
        "/leaflets/{leaflet}/{locale}.pdf",
        responses={
            200: {"content": {"application/pdf": {}}, "description": "The leaflet as PDF"},
            304: {"description": "Not modified (If-None-Match)"},
            **errors,
        },
    )
    async def leaflet_pdf(
        request: Request, leaflet: str, locale: str, edition: Annotated[Edition, Depends()]
    ) -> Response:
        job = job_for(leaflet, locale, edition)
        if isinstance(job, JSONResponse):
            return job
        disposition = f'inline; filename="{job.output(Path()).name}"'
        return await _serve(request, job, desk.pdf, "application/pdf", disposition)

    @app.get(
        "/leaflets/{leaflet}/{locale}/preview.png",
        responses={
            200: {"content": {"image/png": {}}, "description": "The first page as PNG"},
            304: {"description": "Not modified (If-None-Match)"},
            **errors,
        },
    )
    async def leaflet_preview(
        request: Request, leaflet: str, locale: str, edition: Annotated[Edition, Depends()]
    ) -> Response:
        job = job_for(leaflet, locale, edition)
        if isinstance(job, JSONResponse):
            return job
        return await _serve(request, job, desk.preview, "image/png", "inline")

    async def _serve(
        request: Request, job: Job, make: Any, media_type: str, disposition: str
    ) -> Response:
        try:
            path = await make(job)
        except Busy:
            return JSONResponse(
                ErrorBody(error="all workers are busy; try again shortly").model_dump(),
                status_code=503,
                headers={"Retry-After": "5"},
            )
        except PolyleafError as error:
            return _error(500, str(error))
        etag = _etag(path)
        headers = {"ETag": etag, "Cache-Control": "no-cache", "Content-Disposition": disposition}
        if etag in (request.headers.get("if-none-match") or ""):
            return Response(status_code=304, headers=headers)
        return Response(path.read_bytes(), media_type=media_type, headers=headers)

    web_fonts = {face.path.name: face for face in FACES if face.package == VENDORED}

    @app.get("/fonts/{name}", include_in_schema=False)
    def font(name: str) -> Response:
        """The vendored fonts, so every language name shows in its script on any tablet."""
        face = web_fonts.get(name)
        if face is None:
            return _error(404, f"unknown font {name!r}", sorted(web_fonts))
        return Response(
            face.path.read_bytes(),
            media_type="font/ttf",
            headers={"Cache-Control": "max-age=86400"},
        )

    fonts_css = "\n".join(
        f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
        f'src: url("/fonts/{name}"); }}'
        for name, face in web_fonts.items()
    )
    families = ", ".join(dict.fromkeys(f'"{face.family}"' for face in web_fonts.values()))

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page(request: Request, ui: str = "") -> HTMLResponse:
        tag = ui or _preferred(request.headers.get("accept-language", ""), list(ui_catalogs))
        tag = tag if tag in ui_catalogs else desk.project.source_locale.tag
        catalog = ui_catalog(tag)
        pages.install_gettext_callables(
            gettext=partial(_ui_text, catalog), ngettext=None, newstyle=True
        )  # type: ignore[arg-type]
        info: LocaleInfo = locale_info(tag.replace("-", "_"))
        locales = [
            dict(
                e.model_dump(),
                draft=e.status == "draft",
                search=f"{e.name} {e.english_name} {e.tag}".lower(),
            )
            for e in desk.entries.values()
        ]
        html = pages.get_template("index.html").render(
            fonts_css=Markup(f"{fonts_css}\n:root {{ font-family: {families}, sans-serif; }}"),
            ui={"tag": tag, "direction": info.direction},
            leaflets=[
                {"id": lid, "title": desk.title(lid, tag)} for lid in desk.project.config.leaflets
            ],
            locales=locales,
            unavailable=[e for e in desk.entries.values() if not e.available],
            papers=list(PAPERS),
            clinics=[{"id": cid, "name": c.name} for cid, c in sorted(desk.clinics.items())],
            ui_locales=[desk.entries[t] for t in ui_catalogs if t in desk.entries],
        )
        return HTMLResponse(html)

    return app


def _ui_text(catalog: Any, message: str) -> str:
    if catalog is not None:
        found = catalog.get(message)
        if found is not None and found.string and not found.fuzzy:
            return found.string
    return message


def _preferred(header: str, available: list[str]) -> str:
    """The first language of an Accept-Language header that the page speaks."""
    for part in header.split(","):
        tag = part.split(";")[0].strip()
        for candidate in (tag, tag.split("-")[0]):
            if candidate in available:
                return candidate
    return ""
