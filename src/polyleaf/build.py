"""Every leaflet x every locale -> PDF files, with the safety gate in front.

A locale that fails the gate gets no PDF (and loses an old one, so nobody
prints yesterday's file thinking it is today's); the other locales still
build, and the run reports failure at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from polyleaf.catalogs import CatalogStore
from polyleaf.errors import PolyleafError
from polyleaf.gate import Finding, Gate
from polyleaf.html import LeafletOptions, Renderer
from polyleaf.locales import LocaleInfo
from polyleaf.project import Project


@dataclass(frozen=True)
class Job:
    leaflet: str
    locale: LocaleInfo
    options: LeafletOptions

    @property
    def name(self) -> str:
        return f"{self.leaflet} {self.locale.tag} {self.options.paper}"

    def output(self, out: Path) -> Path:
        tag = self.locale.tag
        return out / self.leaflet / tag / f"{self.leaflet}-{tag}-{self.options.paper}.pdf"


@dataclass
class Outcome:
    job: Job
    path: Path | None = None
    error: str = ""
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.path is not None


class Builder:
    """Gate, render and write leaflets of one project; reuses everything it loads."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.catalogs = CatalogStore(project)
        self.gate = Gate(project, self.catalogs)
        self.renderer = Renderer(project, self.catalogs)
        self._writer = None

    @property
    def writer(self):  # noqa: ANN201  (imported late: loading WeasyPrint takes a second)
        if self._writer is None:
            from polyleaf.pdf import PdfWriter

            self._writer = PdfWriter(self.project.root)
        return self._writer

    def jobs(self, locales: Iterable[LocaleInfo], options: LeafletOptions) -> list[Job]:
        return [
            Job(leaflet, locale, options)
            for leaflet in self.project.config.leaflets
            for locale in locales
        ]

    def build(self, job: Job, out: Path) -> Outcome:
        target = job.output(out)
        errors = self.gate.errors(job.locale)
        if errors:
            target.unlink(missing_ok=True)
            return Outcome(job, error="fails the safety gate", findings=errors)
        try:
            html = self.renderer.render(job.leaflet, job.locale, job.options)
            self.writer.write(html, target)
        except PolyleafError as error:
            target.unlink(missing_ok=True)
            return Outcome(job, error=str(error))
        return Outcome(job, path=target)

    def build_all(
        self, jobs: list[Job], out: Path, report: Callable[[Outcome], None] = lambda _: None
    ) -> list[Outcome]:
        self.renderer.check_templates()
        outcomes = []
        for job in jobs:
            outcome = self.build(job, out)
            report(outcome)
            outcomes.append(outcome)
        return outcomes
