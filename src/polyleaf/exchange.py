"""Agency exchange wired to a project: which catalog a file belongs to, and the gate on import.

:mod:`polyleaf.xliff` knows catalogs and files; this module knows the project:
an exported XLIFF names its catalog (``original``, relative to the project)
and its language, so ``polyleaf i18n import FILE`` needs nothing else, and the
merged catalog passes the safety gate before a byte is written.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from lxml import etree

from polyleaf import review, xliff
from polyleaf.catalogs import CatalogStore
from polyleaf.errors import PolyleafError
from polyleaf.gate import Gate
from polyleaf.locales import LocaleInfo
from polyleaf.project import Project
from polyleaf.reviewfile import read_review, review_path


def _document(project: Project, leaflet_id: str, locale: LocaleInfo) -> Path:
    project.leaflet(leaflet_id)
    if locale == project.source_locale:
        raise PolyleafError(f"{locale.tag} is the source language: there is nothing to exchange")
    if locale not in project.leaflet_locales(leaflet_id):
        raise PolyleafError(
            f"{leaflet_id} has no {locale.tag} catalog; add one: polyleaf i18n init {locale.tag}"
        )
    return project.catalog_path(leaflet_id, locale)


def export(project: Project, leaflet_id: str, locale: LocaleInfo, fmt: str) -> bytes:
    """The leaflet's catalog in *locale* as XLIFF 1.2 (reviewed units approved) or TMX 1.4."""
    path = _document(project, leaflet_id, locale)
    catalogs = CatalogStore(project)
    catalog = catalogs.get(leaflet_id, locale)
    assert catalog is not None
    source = project.source_locale.tag
    if fmt == "tmx":
        return xliff.export_tmx(catalog, source, locale.tag)
    summary = review.status(catalog, read_review(review_path(path)))
    original = path.relative_to(project.root).as_posix()
    return xliff.export_xliff(catalog, source, locale.tag, original=original, review=summary)


def identify(project: Project, file: Path, data: bytes) -> tuple[str, LocaleInfo]:
    """The leaflet and locale an exported XLIFF file belongs to, from its ``<file>``."""
    if xliff.has_doctype(data):
        raise PolyleafError(f"{file}: a DOCTYPE is not allowed in an XLIFF file; nothing imported")
    try:
        root = etree.fromstring(data, xliff.safe_parser())
    except etree.XMLSyntaxError as error:
        raise PolyleafError(
            f"{file}:{error.lineno}: malformed XML: {error.msg}; nothing imported"
        ) from None
    element = root.find(f"{{{xliff.NS}}}file")
    if element is None:
        raise PolyleafError(f"{file}: not an XLIFF 1.2 file written by polyleaf i18n export")
    original, language = element.get("original", ""), element.get("target-language", "")
    for leaflet_id in project.leaflets:
        for locale in project.leaflet_locales(leaflet_id):
            path = project.catalog_path(leaflet_id, locale)
            if path.relative_to(project.root).as_posix() == original:
                return leaflet_id, locale
    raise PolyleafError(
        f"{file}: <file original={original!r} target-language={language!r}> names no catalog "
        "of this project; export it with polyleaf i18n export --leaflet ID --locale L"
    )


class _Merged(CatalogStore):
    """The project's catalogs, with the merged one in place of the file it would replace."""

    def __init__(self, project: Project, path: Path, catalog: Catalog) -> None:
        super().__init__(project)
        self._path, self._merged = path, catalog

    def read(self, path: Path, locale: LocaleInfo) -> Catalog:
        return self._merged if path == self._path else super().read(path, locale)


def import_file(project: Project, file: Path) -> tuple[Path, xliff.ImportResult]:
    """Merge an agency's XLIFF into its catalog; written only if the bridge's checks
    and the safety gate find nothing wrong."""
    try:
        data = file.read_bytes()
    except OSError as error:
        raise PolyleafError(f"{file}: {error.strerror}") from None
    leaflet_id, locale = identify(project, file, data)
    path = _document(project, leaflet_id, locale)

    def gate(merged: Catalog) -> list[str]:
        errors = Gate(project, _Merged(project, path, merged)).errors(leaflet_id, locale)
        return [str(finding) for finding in errors]

    result = xliff.import_into(data, path, project.source_locale.tag, locale.tag, checks=gate)
    return path, result
