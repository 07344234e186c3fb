"""The library service: which documents exist, what state they are in, build them.

The command line, the batch runner and the front desk ask this one place
"which leaflets and locales are there, may this one be printed, and why not",
so the three fronts never learn about leaflets, catalogs or the gate on their
own. A document's state uses one vocabulary everywhere (``polyleaf locales``,
the API, the desk page, the batch manifest): see :data:`STATUSES`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from polyleaf.catalogs import CatalogStore, review_status
from polyleaf.errors import CatalogError, PolyleafError
from polyleaf.gate import Finding, Gate
from polyleaf.i18n import count
from polyleaf.locales import LocaleInfo
from polyleaf.project import Project

Status = Literal["source", "reviewed", "partly reviewed", "draft", "blocked by the gate"]
#: What each status means, for people: the one vocabulary of every front.
STATUSES: dict[str, str] = {
    "source": "the language the leaflet is written in",
    "reviewed": "every message reviewed by a qualified medical translator",
    "partly reviewed": "some messages reviewed; printed with the draft notice",
    "draft": "not yet reviewed; printed with the draft notice",
    "blocked by the gate": "fails the safety gate; not printed",
}


@dataclass(frozen=True)
class DocumentStatus:
    """One leaflet in one locale, as every front reports it."""

    leaflet: str
    locale: LocaleInfo
    status: Status
    translated_percent: int
    sections_complete: int
    sections: int
    errors: tuple[Finding, ...] = ()
    reviewer: str = ""

    @property
    def available(self) -> bool:
        return self.status != "blocked by the gate"

    @property
    def reason(self) -> str:
        """Why it is blocked, in one line (the first error)."""
        if not self.errors:
            return ""
        first = self.errors[0]
        more = f" (and {len(self.errors) - 1} more)" if len(self.errors) > 1 else ""
        return f"{first.section}: {first.problem}{more}"


class Library:
    """A project's leaflets and their states; reuses one gate and catalog store."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.catalogs = CatalogStore(project)
        self.gate = Gate(project, self.catalogs)

    def status(self, leaflet_id: str, locale: LocaleInfo) -> DocumentStatus:
        leaflet = self.project.leaflet(leaflet_id)
        try:
            sections = leaflet.sections()
        except PolyleafError:
            sections = {}
        errors = tuple(self.gate.errors(leaflet_id, locale))
        failing = {finding.section for finding in errors}
        complete = len(sections.keys() - failing) if "-" not in failing else 0
        try:
            catalog = self.catalogs.get(leaflet_id, locale)
            percent = count(self.gate.source(leaflet_id), catalog).percent
        except (CatalogError, PolyleafError):
            catalog, percent = None, 0
        status: Status
        reviewer = ""
        if errors:
            status = "blocked by the gate"
        elif locale == self.project.source_locale:
            status = "source"
        else:
            review = review_status(catalog)
            status = "reviewed" if review.reviewed else "draft"
            reviewer = review.reviewer
        return DocumentStatus(
            leaflet_id, locale, status, percent, complete, len(sections), errors, reviewer
        )

    def matrix(self, leaflets: list[str] | tuple[str, ...] = ()) -> list[DocumentStatus]:
        """Every leaflet (or those named) x every locale it has."""
        return [
            self.status(leaflet.id, locale)
            for leaflet in self.project.select_leaflets(list(leaflets))
            for locale in self.project.leaflet_locales(leaflet.id)
        ]
