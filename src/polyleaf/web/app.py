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

The parts: this module (settings, the FrontDesk state, the app factory),
api.py and page.py (the two routers), errors.py (the one error shape),
headers.py (security headers), etag.py (If-None-Match), ui.py (the page's
languages) and server.py (uvicorn with limits for slow clients).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import ProcessPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from polyleaf import __version__, fingerprint
from polyleaf.build import Builder, Job, Outcome, build_in_worker, personalised_in_worker
from polyleaf.clinics import clinic_ids, load_clinic
from polyleaf.errors import GateError, PolyleafError
from polyleaf.library import Library
from polyleaf.options import PAPERS, LeafletOptions
from polyleaf.personal import Personalisation
from polyleaf.project import Project
from polyleaf.web import api, page
from polyleaf.web.errors import ApiError, Busy, install_handlers, log
from polyleaf.web.headers import BodyLimit, SecurityHeaders
from polyleaf.web.models import Catalogue, LeafletEntry, LocaleEntry
from polyleaf.web.ui import UiLanguages

HERE = Path(__file__).parent
LOG = logging.getLogger("polyleaf.web")


#: A document the gate refuses as laid out; the log, not the client, gets the finding.
GATE_REFUSAL = "fails the safety gate; polyleaf build names the finding"


@dataclass
class Settings:
    project: Path
    out: Path
    workers: int = 2
    timeout: float = 60.0
    queue: int = 8  #: requests rendering or waiting for a worker, at most
    #: Production: offer no document with a message not reviewed by a qualified
    #: medical translator (--require-reviewed, or require_reviewed in polyleaf.toml).
    require_reviewed: bool = False


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
        library = Library(self.project)
        #: leaflet id -> locale tag -> what the API says about it
        self.entries: dict[str, dict[str, LocaleEntry]] = {}
        strict = settings.require_reviewed or self.project.config.require_reviewed
        for document in library.matrix():
            locale = document.locale
            refusal = document.refusal(require_reviewed=strict)
            self.entries.setdefault(document.leaflet, {})[locale.tag] = LocaleEntry(
                tag=locale.tag,
                name=locale.display_name,
                english_name=locale.english_name,
                direction=locale.direction,
                status=document.status,
                available=not refusal,
                reason=document.reason if not document.available else refusal,
            )
        #: Clinic profiles that load; one with an error is not offered (logged), as a
        #: locale failing the gate is not: the desk still serves every other clinic.
        self.clinics = {}
        self.broken_clinics: dict[str, str] = {}
        for clinic_id in clinic_ids(self.project):
            try:
                self.clinics[clinic_id] = load_clinic(self.project, clinic_id)
            except PolyleafError as error:
                self.broken_clinics[clinic_id] = str(error)
                LOG.warning("clinic %s not offered: %s", clinic_id, error)
        self.pool: ProcessPoolExecutor | None = None
        self.slots = asyncio.Semaphore(settings.queue)
        #: Leaflet titles by (leaflet, language): rendering a Jinja leaflet's
        #: title installs that language's translations on the Builder's shared
        #: Jinja environment, so titles are made one at a time, once each, and kept.
        self._titles: dict[tuple[str, str], str] = {}
        self._titles_lock = threading.Lock()

    def locales(self) -> list[LocaleEntry]:
        """Every locale of any leaflet, once (the first leaflet's entry for it)."""
        seen: dict[str, LocaleEntry] = {}
        for entries in self.entries.values():
            for tag, entry in entries.items():
                seen.setdefault(tag, entry)
        return list(seen.values())

    def catalogue(self) -> Catalogue:
        leaflets = []
        for leaflet_id, leaflet in self.project.leaflets.items():
            title = self.title(leaflet_id, self.project.source_locale.tag)
            leaflets.append(
                LeafletEntry(
                    id=leaflet_id,
                    title=title,
                    code=leaflet.code,
                    revision=leaflet.revision.isoformat(),
                    paper=leaflet.paper,
                    locales=list(self.entries[leaflet_id].values()),
                )
            )
        return Catalogue(leaflets=leaflets, papers=list(PAPERS), clinics=sorted(self.clinics))

    def title(self, leaflet_id: str, tag: str) -> str:
        """The leaflet's title in *tag*'s language (the source's, where it is not available)."""
        entry = self.entries[leaflet_id].get(tag)
        if entry is None or not entry.available:
            tag = self.project.source_locale.tag
        with self._titles_lock:
            title = self._titles.get((leaflet_id, tag))
            if title is None:
                locale = self.project.find_locale(tag)
                title = self.builder.renderer.title(leaflet_id, locale)
                self._titles[(leaflet_id, tag)] = title
        return title

    def job_for(self, leaflet: str, locale: str, edition: api.Edition) -> Job:
        """The document a request names, or the refusal that says what is available."""
        if leaflet not in self.entries:
            raise ApiError(404, f"unknown leaflet {leaflet!r}", list(self.entries))
        entries = self.entries[leaflet]
        entry = entries.get(locale) or entries.get(locale.replace("_", "-"))
        if entry is None:
            raise ApiError(404, f"unknown locale {locale!r} for {leaflet}", list(entries))
        if not entry.available:
            offered = [e.tag for e in entries.values() if e.available]
            if entry.status == "blocked by the gate":
                raise ApiError(409, f"{entry.tag} fails the safety gate ({entry.reason})", offered)
            raise ApiError(409, f"{entry.tag} is not reviewed ({entry.reason})", offered)
        if edition.paper not in PAPERS:
            raise ApiError(422, f"unknown paper {edition.paper!r}", list(PAPERS))
        if edition.bilingual and entry.tag == self.project.source_locale.tag:
            others = [e.tag for e in entries.values() if e.available and e.status != "source"]
            raise ApiError(422, "a bilingual leaflet pairs a translation with the source", others)
        if edition.clinic in self.broken_clinics:
            raise ApiError(
                409,
                f"clinic {edition.clinic!r} is not offered: its profile has an error",
                sorted(self.clinics),
            )
        if edition.clinic and edition.clinic not in self.clinics:
            raise ApiError(404, f"unknown clinic {edition.clinic!r}", sorted(self.clinics))
        folder = self.project.find_locale(entry.tag).folder
        paper = self.project.leaflet(leaflet).paper or edition.paper
        return Job(
            leaflet,
            folder,
            LeafletOptions(
                paper=paper,
                large_print=edition.large_print,
                clinic=edition.clinic,
                bilingual=edition.bilingual,
            ),
        )

    async def pdf(self, job: Job) -> Path:
        """The PDF for *job*: from the cache when current, else rendered in the pool."""
        target = job.output(self.settings.out)
        key = self.builder.inputs(job)
        if fingerprint.up_to_date(target, key):
            return target
        outcome: Outcome = await self._in_pool(
            partial(build_in_worker, self.project.root, job, self.settings.out, False)
        )
        if not outcome.ok and outcome.findings:
            # refused by the gate as laid out (a layout hid a safety message)
            log.error("%s fails the safety gate: %s", job.name, outcome.findings[0])
            raise ApiError(
                409, f"{job.tag} fails the safety gate; polyleaf build names the finding"
            )
        if not outcome.ok:
            raise PolyleafError(
                outcome.error + (f": {outcome.findings[0]}" if outcome.findings else "")
            )
        return target

    async def personalised(self, job: Job, personal: Personalisation) -> bytes:
        """One patient's copy of *job*, rendered in the pool, in memory.

        Never cached, never written, never logged with its values: a failure is
        logged by the document's name and the error's kind only, since an
        error's text could quote what was typed.
        """
        problems = personal.undrawable(self.project.find_locale(job.locale))
        if problems:
            raise ApiError(422, problems[0])
        try:
            return await self._in_pool(
                partial(personalised_in_worker, self.project.root, job, personal)
            )
        except ApiError:
            raise
        except GateError:
            log.error("personalised %s fails the safety gate", job.name)
            raise ApiError(
                409, f"{job.tag} fails the safety gate; polyleaf build names the finding"
            ) from None
        except Exception as error:
            log.error("personalised %s could not be prepared (%s)", job.name, type(error).__name__)
            raise ApiError(
                500,
                f"the personalised leaflet {job.leaflet!r} in {job.tag} could not be prepared; "
                "the server log names the kind of error",
            ) from None

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


def create_app(settings: Settings) -> FastAPI:
    """The front desk: API router, page router, static files, one JSON error shape.

    No /docs or /redoc: FastAPI's load their scripts from a public CDN (which
    the page's CSP would block anyway). /openapi.json describes the API for
    any OpenAPI viewer.
    """
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
        docs_url=None,
        redoc_url=None,
    )
    app.state.desk = desk
    app.state.ui = UiLanguages(desk.project.source_locale.tag)
    install_handlers(app)
    app.add_middleware(BodyLimit)
    app.add_middleware(SecurityHeaders)
    app.include_router(api.router)
    app.include_router(page.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app
