"""The library service: which documents exist, what state they are in, build them.

The command line, the batch runner and the front desk ask this one place
"which leaflets and locales are there, may this one be printed, and why not",
so the three fronts never learn about leaflets, catalogs or the gate on their
own. A document's state uses one vocabulary everywhere (``polyleaf locales``,
the API, the desk page, the batch manifest): see :data:`STATUSES`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from polyleaf import review
from polyleaf.catalogs import CatalogStore
from polyleaf.errors import CatalogError, PolyleafError
from polyleaf.gate import Finding, Gate
from polyleaf.i18n import count
from polyleaf.locales import LocaleInfo
from polyleaf.project import Project
from polyleaf.review import ReviewSummary

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
    reviewer: str = ""  #: who signed, when every message is reviewed
    reviewed_on: str = ""  #: the latest sign-off (ISO date), when every message is reviewed
    #: Each message's review (None for the source language or an unreadable catalog).
    review: ReviewSummary | None = field(default=None, compare=False)

    @property
    def available(self) -> bool:
        return self.status != "blocked by the gate"

    def refusal(self, require_reviewed: bool = False) -> str:
        """Why this document may not be printed, in one line; empty when it may.

        With *require_reviewed* (production: ``--require-reviewed`` or
        ``require_reviewed = true`` in polyleaf.toml) a document with any
        unreviewed message is refused as well as one the gate blocks.
        """
        where = f"{self.leaflet} · {self.locale.tag}"
        if not self.available:
            return f"{where} · blocked by the gate: {self.reason}"
        if not require_reviewed or self.status in ("source", "reviewed"):
            return ""
        summary = self.review
        first = summary.unreviewed[0] if summary and summary.unreviewed else None
        detail = summary.describe() if summary else self.status
        named = f"; first {first.id} {first.key[1][:40]!r}: {first.state}" if first else ""
        return (
            f"{where} · not reviewed ({detail}){named}; "
            f"see polyleaf review status --leaflet {self.leaflet} --locale {self.locale.tag}"
        )

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

    def __init__(
        self, project: Project, catalogs: CatalogStore | None = None, gate: Gate | None = None
    ) -> None:
        self.project = project
        self.catalogs = catalogs or CatalogStore(project)
        self.gate = gate or Gate(project, self.catalogs)

    def status(self, leaflet_id: str, locale: LocaleInfo) -> DocumentStatus:
        leaflet = self.project.leaflet(leaflet_id)
        try:
            sections = leaflet.sections()
        except PolyleafError:
            sections = {}
        errors = tuple(self.gate.errors(leaflet_id, locale))
        failing = {finding.section for finding in errors}
        complete = len(sections.keys() - failing) if "-" not in failing else 0
        summary = None
        try:
            source = self.gate.source(leaflet_id)
            percent = count(source, self.catalogs.get(leaflet_id, locale)).percent
        except (CatalogError, PolyleafError):  # reported by the gate as an error
            source, percent = None, 0
        if source is not None:
            try:
                summary = review.document_review(self.catalogs, leaflet_id, locale, source)
            except CatalogError as error:  # a broken review file: nobody can say what is signed
                where = f"{error.path}:{error.line}" if error.line else str(error.path)
                errors += (Finding(leaflet_id, locale.tag, "-", "-", where, error.detail),)
        status: Status
        if errors:
            status = "blocked by the gate"
        elif locale == self.project.source_locale or summary is None:
            status = "source"
        else:
            status = summary.status.value  # type: ignore[assignment]  (a subset of Status)
        reviewer = reviewed_on = ""
        if summary is not None and status == "reviewed":
            reviewer = "; ".join(str(r) for r in summary.reviewers)
            reviewed_on = summary.reviewed_on.isoformat() if summary.reviewed_on else ""
        return DocumentStatus(
            leaflet_id,
            locale,
            status,
            percent,
            complete,
            len(sections),
            errors,
            reviewer,
            reviewed_on,
            summary,
        )

    def matrix(self, leaflets: list[str] | tuple[str, ...] = ()) -> list[DocumentStatus]:
        """Every leaflet (or those named) x every locale it has."""
        return [
            self.status(leaflet.id, locale)
            for leaflet in self.project.select_leaflets(list(leaflets))
            for locale in self.project.leaflet_locales(leaflet.id)
        ]
