"""Leaflets x locales x editions -> PDF files, with the safety gate in front.

A locale that fails the gate gets no PDF (and loses an old one, so nobody
prints yesterday's file thinking it is today's); the other documents still
build, and the run reports failure at the end. A document whose inputs have
not changed since its PDF was written is not rendered again (see
:mod:`polyleaf.fingerprint`). Documents render in parallel processes through
any :class:`concurrent.futures.Executor`; each process keeps one
:class:`Builder` per project, so fonts, catalogs and the Jinja environment are
loaded once per process, not once per document.
"""

from __future__ import annotations

import resource
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from polyleaf import atomic, confine, fingerprint
from polyleaf.catalogs import CatalogStore, layout_files
from polyleaf.clinics import CLINICS
from polyleaf.engine import check_weasyprint
from polyleaf.errors import EngineError, GateError, PolyleafError, RenderError
from polyleaf.gate import Gate
from polyleaf.options import LeafletOptions
from polyleaf.project import Project
from polyleaf.reviewfile import review_path

if TYPE_CHECKING:
    from concurrent.futures import Executor

    from polyleaf.html import Renderer
    from polyleaf.personal import Personalisation


@dataclass(frozen=True)
class Job:
    """One document: a leaflet in a locale (gettext folder name) and an edition."""

    leaflet: str
    locale: str
    options: LeafletOptions = LeafletOptions()

    @property
    def tag(self) -> str:
        return self.locale.replace("_", "-")

    @property
    def name(self) -> str:
        clinic = f" {self.options.clinic}" if self.options.clinic else ""
        return f"{self.leaflet} {self.tag} {self.options.edition}{clinic}"

    def output(self, out: Path) -> Path:
        """out/<leaflet>/<locale>/<leaflet>-<locale>-<edition>[-<clinic>].pdf"""
        stem = "-".join(
            filter(None, (self.leaflet, self.tag, self.options.edition, self.options.clinic))
        )
        return out / self.leaflet / self.tag / f"{stem}.pdf"


@dataclass
class Outcome:
    job: Job
    path: Path | None = None
    skipped: bool = False  #: up to date: inputs unchanged since the PDF was written
    error: str = ""
    findings: list[str] = field(default_factory=list)
    #: Peak resident memory of the process that built it so far, in MiB.
    peak_mib: float = 0.0

    @property
    def ok(self) -> bool:
        return self.path is not None


class Builder:
    """Gate, render and write documents of one project; reuses everything it loads."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.catalogs = CatalogStore(project)
        self.gate = Gate(project, self.catalogs)
        self._writer = None
        self._checked_templates: set[str] = set()

    @cached_property
    def renderer(self) -> Renderer:
        from polyleaf.html import Renderer  # imported late: a no-change rebuild needs no Jinja

        return Renderer(self.project, self.catalogs)

    @property
    def writer(self):  # noqa: ANN201  (imported late: loading WeasyPrint takes a second)
        if self._writer is None:
            from polyleaf.pdf import PdfWriter

            self._writer = PdfWriter(self.project.root)
        return self._writer

    def jobs(
        self,
        locales: Iterable[str] | None,
        options: LeafletOptions,
        leaflets: Iterable[str] = (),
    ) -> list[Job]:
        """The documents to make: each leaflet (all, or those named) in each
        locale named that it has a catalog for (every one it has, for None),
        on the paper it declares or else the paper of *options*."""
        wanted = None if locales is None else list(locales)
        jobs = []
        for leaflet in self.project.select_leaflets(list(leaflets)):
            own = [locale.folder for locale in self.project.leaflet_locales(leaflet.id)]
            chosen = own if wanted is None else [folder for folder in wanted if folder in own]
            if options.bilingual:  # a translation beside its source: not the source alone
                chosen = [folder for folder in chosen if folder != own[0]]
            edition = replace(options, paper=leaflet.paper) if leaflet.paper else options
            jobs.extend(Job(leaflet.id, folder, edition) for folder in chosen)
        return jobs

    def inputs(self, job: Job) -> str:
        """The fingerprint of everything *job*'s PDF depends on: its own source
        and catalogs, the layouts, never another leaflet's files."""
        root = self.project.root
        leaflet = self.project.leaflet(job.leaflet)
        files = [leaflet.source, *layout_files(self.project).values()]
        files += [root / "polyleaf.toml", self.project.locales_dir / "glossary.toml"]
        locale = self.project.find_locale(job.locale)
        if locale != self.project.source_locale:
            catalog = self.project.catalog_path(job.leaflet, locale)
            files += [catalog, review_path(catalog)]  # a sign-off changes the footer
            files.extend(self.project.furniture_paths(locale))
        if job.options.clinic:
            files.append(root / CLINICS / f"{job.options.clinic}.toml")
            logo = self.renderer.clinic(job.options.clinic).logo
            if logo:
                files.append(root / logo)
        parts = {"leaflet": job.leaflet, "locale": job.locale, "options": job.options}
        return fingerprint.fingerprint(root, parts, files)

    def build(self, job: Job, out: Path, force: bool = False) -> Outcome:
        target = job.output(out)
        try:
            key = self.inputs(job)
            if not force and fingerprint.up_to_date(target, key):
                return Outcome(job, path=target, skipped=True)
            locale = self.project.find_locale(job.locale)
            errors = self.gate.errors(job.leaflet, locale)
            if errors:
                target.unlink(missing_ok=True)
                return Outcome(job, error="fails the safety gate", findings=list(map(str, errors)))
            if job.leaflet not in self._checked_templates:
                self.renderer.check_templates([job.leaflet])
                self._checked_templates.add(job.leaflet)
            html = self.renderer.render(job.leaflet, locale, job.options)
            document = self.writer.document(html)
            hidden = self.gate.hidden_findings(job.leaflet, locale, job.options.bilingual, document)
            if hidden:
                target.unlink(missing_ok=True)
                return Outcome(job, error="fails the safety gate", findings=list(map(str, hidden)))
            self.writer.write_document(document, target)
            fingerprint.record(target, key)
        except EngineError:
            raise  # no document can render: the run stops (see run())
        except PolyleafError as error:
            target.unlink(missing_ok=True)
            return Outcome(job, error=str(error))
        return Outcome(job, path=target)

    def personalised(self, job: Job, personal: Personalisation) -> bytes:
        """One patient's copy of *job*, as PDF bytes: gated like any document, but
        rendered in memory only (no output file, no fingerprint, no cache), so
        nothing of the patient outlives the response."""
        locale = self.project.find_locale(job.locale)
        if self.gate.errors(job.leaflet, locale):
            raise GateError(f"{job.name}: fails the safety gate; run polyleaf check")
        if job.leaflet not in self._checked_templates:
            self.renderer.check_templates([job.leaflet])
            self._checked_templates.add(job.leaflet)
        html = self.renderer.render(job.leaflet, locale, job.options, personal=personal)
        if personal.filled and 'class="personal"' not in html:
            layout = self.project.leaflet(job.leaflet).layout
            raise RenderError(
                f"templates/{layout}: has no personalised box; include personal.html "
                "as polyleaf's leaflet.html does"
            )
        document = self.writer.document(html)
        hidden = self.gate.hidden_findings(job.leaflet, locale, job.options.bilingual, document)
        if hidden:
            raise GateError(f"{job.name}: fails the safety gate: {hidden[0]}")
        return self.writer.pdf_bytes(document)


#: One Builder per project in each worker process (see the module docstring).
_BUILDERS: dict[Path, Builder] = {}


def _worker_builder(root: Path) -> Builder:
    builder = _BUILDERS.get(root)
    if builder is None:
        builder = _BUILDERS[root] = Builder(Project.load(root))
    return builder


def build_in_worker(root: Path, job: Job, out: Path, force: bool) -> Outcome:
    """Entry point for a worker process: build *job* with this process's Builder."""
    outcome = _worker_builder(root).build(job, out, force)
    outcome.peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return outcome


def personalised_in_worker(root: Path, job: Job, personal: Personalisation) -> bytes:
    """Entry point for a worker process: one patient's copy of *job*, as PDF bytes."""
    return _worker_builder(root).personalised(job, personal)


def split_current(
    project: Project, jobs: list[Job], out: Path, force: bool = False
) -> tuple[list[Outcome], list[Job]]:
    """Outcomes of the jobs whose PDF is current, and the jobs left to render.

    Checked in this process before any worker starts, so a rebuild with no
    changes starts no process and loads no WeasyPrint.
    """
    if force:
        return [], list(jobs)
    builder = _BUILDERS.get(project.root) or _BUILDERS.setdefault(project.root, Builder(project))
    current, todo = [], []
    for job in jobs:
        target = job.output(out)
        try:
            fresh = fingerprint.up_to_date(target, builder.inputs(job))
        except PolyleafError:
            fresh = False
        (current.append(Outcome(job, path=target, skipped=True)) if fresh else todo.append(job))
    return current, todo


def run(
    project: Project,
    jobs: list[Job],
    out: Path,
    *,
    force: bool = False,
    executor: Executor | None = None,
    report: Callable[[Outcome], None] = lambda _: None,
    split: tuple[list[Outcome], list[Job]] | None = None,
) -> list[Outcome]:
    """Build *jobs*, in this process or through *executor*; outcomes in job order.

    Documents whose PDF is current are settled here first (or in *split*, the
    caller's split_current of the same jobs); only the others reach the
    executor, so a rebuild with no changes starts no worker and loads no
    WeasyPrint. An unsupported WeasyPrint (:class:`EngineError`) is raised,
    before any document renders, or as soon as a worker reports it: every
    document would fail the same way.
    """
    atomic.sweep({job.output(out).parent for job in jobs} | {out})  # left by a killed run
    confine.check_tree(project.templates_dir, project.root)  # one error, not one per document
    current, todo = split or split_current(project, jobs, out, force)
    results: dict[Job, Outcome] = {outcome.job: outcome for outcome in current}
    for outcome in current:
        report(outcome)
    if todo:
        from polyleaf.html import Renderer

        check_weasyprint()
        # one clear error before any work is shared out
        Renderer(project).check_templates(sorted({job.leaflet for job in todo}))
    if executor is None:
        for job in todo:
            results[job] = build_in_worker(project.root, job, out, force)
            report(results[job])
    else:
        from concurrent.futures import as_completed

        futures = {
            executor.submit(build_in_worker, project.root, job, out, force): job for job in todo
        }
        for future in as_completed(futures):
            job = futures[future]
            try:
                results[job] = future.result()
            except EngineError:
                for pending in futures:
                    pending.cancel()
                raise
            except Exception as error:  # a worker that died: report it, keep the run going
                results[job] = Outcome(job, error=f"worker failed: {error!r}")
            report(results[job])
    return [results[job] for job in jobs if job in results]
