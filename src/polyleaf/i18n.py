"""The translator's workflow: extract, add a locale, update, statistics.

These are the pybabel steps wired to the project's layout, so a translator
needs no paths or flags. The files stay plain gettext ``.po`` files that any PO
editor (Poedit, Weblate, Lokalize) opens; polyleaf only adds the review-status
header fields (see :mod:`polyleaf.catalogs`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog

from polyleaf import __version__
from polyleaf.catalogs import (
    REVIEW_STATUS,
    REVIEWED_BY,
    REVIEWED_ON,
    MessageKey,
    SourceMessage,
    extract_messages,
    read_catalog,
    write_catalog,
)
from polyleaf.errors import PolyleafError
from polyleaf.locales import locale_info, normalize
from polyleaf.project import Project

DRAFT_COMMENT = f"""\
# {{language}} translation of the polyleaf leaflets.
#
# Leaflets built from a draft carry a "Draft translation" mark on every page.
# After a qualified medical translator has reviewed every message, change
# the status line below to "reviewed" and add two lines:
#   {REVIEWED_BY}: <name, qualification>
#   {REVIEWED_ON}: <YYYY-MM-DD>
#
# {REVIEW_STATUS}: draft"""


def template_catalog(project: Project) -> Catalog:
    """The messages.pot the templates call for now (dated by the newest leaflet revision)."""
    revisions = [leaflet.revision for leaflet in project.config.leaflets.values()]
    catalog = Catalog(
        project="polyleaf leaflets",
        version=__version__,
        fuzzy=False,
        msgid_bugs_address="",
        copyright_holder="",
    )
    newest = dt.datetime.combine(max(revisions), dt.time(), dt.UTC)
    catalog.creation_date = catalog.revision_date = newest  # reproducible, not now()
    for message in extract_messages(project).values():
        catalog.add(
            message.id,
            context=message.context,
            locations=message.locations,
            flags=("python-format",) if "%(" in message.id else (),
        )
    return catalog


def extract(project: Project) -> bool:
    """Write locales/messages.pot from the templates; True when it changed."""
    return write_catalog(project.pot_path, template_catalog(project))


def init(project: Project, name: str) -> Path:
    """Start a catalog for a new locale, marked draft."""
    locale = locale_info(normalize(name))
    path = project.catalog_path(locale)
    if path.exists():
        raise PolyleafError(f"{path}: already exists; use polyleaf i18n update")
    template = read_catalog(project.pot_path)
    catalog = Catalog(
        locale=locale.folder,
        fuzzy=False,
        project="polyleaf leaflets",
        version=__version__,
        header_comment=DRAFT_COMMENT.format(language=locale.english_name),
    )
    catalog.creation_date = template.creation_date
    catalog.revision_date = template.creation_date
    catalog.language_team = f"{locale.english_name}"
    catalog.last_translator = "draft, not yet reviewed"
    catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
    write_catalog(path, catalog)
    return path


def update(project: Project) -> list[Path]:
    """Bring every catalog in step with messages.pot; returns the files changed.

    As ``pybabel update``: a changed English message becomes fuzzy, so its
    translation must be looked at again before the gate lets it print.
    """
    template = read_catalog(project.pot_path)
    changed = []
    for locale in project.locales[1:]:
        path = project.catalog_path(locale)
        catalog = read_catalog(path, locale=locale.folder)
        catalog.update(template, update_creation_date=False)
        if write_catalog(path, catalog):
            changed.append(path)
    return changed


@dataclass(frozen=True)
class Counts:
    total: int
    translated: int
    fuzzy: int

    @property
    def untranslated(self) -> int:
        return self.total - self.translated - self.fuzzy

    @property
    def percent(self) -> int:
        return 100 * self.translated // max(self.total, 1)


def count(source: dict[MessageKey, SourceMessage], catalog: Catalog | None) -> Counts:
    """How many of the templates' messages *catalog* translates (None: the source)."""
    if catalog is None:
        return Counts(len(source), len(source), 0)
    translated = fuzzy = 0
    for context, msgid in source:
        message = catalog.get(msgid, context=context)
        if message is None or not message.string:
            continue
        if message.fuzzy:
            fuzzy += 1
        else:
            translated += 1
    return Counts(len(source), translated, fuzzy)
