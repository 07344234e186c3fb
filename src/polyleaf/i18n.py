"""The translator's workflow, per leaflet: extract, add a locale, update, statistics.

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
    MessageKey,
    SourceMessage,
    leaflet_messages,
    read_catalog,
    shipped_furniture_messages,
    write_catalog,
)
from polyleaf.errors import PolyleafError
from polyleaf.locales import locale_info, normalize
from polyleaf.project import FURNITURE, LAYOUTS, Leaflet, Project

DRAFT_COMMENT = """\
# {language} translation of a polyleaf leaflet.
#
# Leaflets built from it carry a "Draft translation" mark on every page until
# a qualified medical translator, not its translator, has reviewed and signed
# every message:
# polyleaf review sign --leaflet ID --locale LOCALE --by "Name, credential"
# Signing records each message's words beside this file (<leaflet>.review.toml);
# a message whose English or translation changes afterwards is a draft again."""


def template_catalog(project: Project, leaflet: Leaflet) -> Catalog:
    """The leaflet's .pot as its source calls for now (dated by its revision)."""
    catalog = Catalog(
        project=f"polyleaf leaflet {leaflet.id}",
        version=__version__,
        fuzzy=False,
        msgid_bugs_address="",
        copyright_holder="",
    )
    revision = dt.datetime.combine(leaflet.revision, dt.time(), dt.UTC)
    catalog.creation_date = catalog.revision_date = revision  # reproducible, not now()
    for message in leaflet_messages(leaflet).values():
        catalog.add(
            message.id if message.plural is None else (message.id, message.plural),
            context=message.context,
            locations=message.locations,
            flags=("python-format",) if "%(" in message.id else (),
        )
    return catalog


#: The template of polyleaf's own page-furniture catalogs (the ``polyleaf`` domain).
FURNITURE_POT = LAYOUTS / "locales" / f"{FURNITURE}.pot"


def furniture_template_catalog() -> Catalog:
    """The page furniture's .pot as polyleaf's layouts call for now, with the notes
    for translators they carry (dated as the .pot it replaces, so it is reproducible)."""
    catalog = Catalog(
        project="polyleaf page furniture",
        version=__version__,
        fuzzy=False,
        msgid_bugs_address="",
        copyright_holder="",
    )
    if FURNITURE_POT.is_file():
        catalog.creation_date = catalog.revision_date = read_catalog(FURNITURE_POT).creation_date
    for message in shipped_furniture_messages().values():
        catalog.add(
            message.id if message.plural is None else (message.id, message.plural),
            context=message.context,
            locations=[(file.removeprefix("polyleaf/"), line) for file, line in message.locations],
            auto_comments=message.comments,
            flags=("python-format",) if "%(" in message.id else (),
        )
    return catalog


def extract_furniture() -> bool:
    """Rewrite polyleaf's layouts/locales/polyleaf.pot; False when it says that already.

    For polyleaf's developers, after changing a layout's messages:
    ``python -c "from polyleaf import i18n; i18n.extract_furniture()"``
    (tests/test_personal.py fails while the shipped .pot is out of step).
    """
    return write_catalog(FURNITURE_POT, furniture_template_catalog())


def extract(project: Project, leaflets: list[Leaflet]) -> list[Path]:
    """Write each leaflet's locales/<leaflet>.pot from its source; the files changed."""
    return [
        project.pot_path(leaflet.id)
        for leaflet in leaflets
        if write_catalog(project.pot_path(leaflet.id), template_catalog(project, leaflet))
    ]


def _template(project: Project, leaflet: Leaflet) -> Catalog:
    path = project.pot_path(leaflet.id)
    if not path.is_file():
        raise PolyleafError(f"{path}: missing; run polyleaf i18n extract first")
    return read_catalog(path)


def init(project: Project, name: str, leaflets: list[Leaflet]) -> list[Path]:
    """Start catalogs of *leaflets* for a new locale, marked draft; the files made."""
    locale = locale_info(normalize(name))
    if locale == project.source_locale:
        raise PolyleafError(f"{locale.tag} is the source language; it needs no catalog")
    made = []
    for leaflet in leaflets:
        path = project.catalog_path(leaflet.id, locale)
        if path.exists():
            continue
        template = _template(project, leaflet)
        catalog = Catalog(
            locale=locale.folder,
            fuzzy=False,
            project=f"polyleaf leaflet {leaflet.id}",
            version=__version__,
            header_comment=DRAFT_COMMENT.format(language=locale.english_name),
        )
        catalog.creation_date = template.creation_date
        catalog.revision_date = template.creation_date
        catalog.language_team = f"{locale.english_name}"
        catalog.last_translator = "draft, not yet reviewed"
        catalog.update(template, no_fuzzy_matching=True, update_creation_date=False)
        write_catalog(path, catalog)
        made.append(path)
    if not made:
        raise PolyleafError(
            f"{locale.tag}: every leaflet named has a catalog already; use polyleaf i18n update"
        )
    return made


def update(project: Project, leaflets: list[Leaflet]) -> list[Path]:
    """Bring each leaflet's catalogs in step with its .pot; returns the files changed.

    As ``pybabel update``, per leaflet: a changed English message becomes
    fuzzy, so its translation must be looked at again before the gate lets it
    print. Catalogs are separate per leaflet, so a new leaflet's messages are
    never matched against another leaflet's translations.
    """
    changed = []
    for leaflet in leaflets:
        template = _template(project, leaflet)
        for locale in project.leaflet_locales(leaflet.id)[1:]:
            path = project.catalog_path(leaflet.id, locale)
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
