"""``polyleaf build --format site``: the web edition a clinic's QR code points at.

The site sits in ``<out>/site/`` and its paths are the ones a clinic's
``leaflet_url`` names (see the README, "Electronic edition")::

    index.html                      every leaflet
    <leaflet>/index.html            its languages, each in its own name
    <leaflet>/<locale>.html         the leaflet, as a web page
    <leaflet>/<locale>.pdf          the same leaflet as printed
    fonts/, site.css, assets/       the pinned fonts, the stylesheet, a clinic's logo

A page has the same text as the PDF and passes the same gate, because the PDF
is built first through :func:`polyleaf.build.run` and a document that fails
gets neither (an old page and PDF of it are removed). Pages are rendered by
the same :class:`~polyleaf.html.Renderer`, in the layout ``site.html``; they
have no script. The same inputs give the same bytes.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from babel.dates import format_date
from markupsafe import Markup

from polyleaf.atomic import atomic_target
from polyleaf.build import Job, Outcome
from polyleaf.catalogs import CatalogStore, CatalogTranslations, layout_files
from polyleaf.errors import PolyleafError
from polyleaf.fonts import LATIN, families_for, font_face_css, pinned_font_paths
from polyleaf.gate import Gate
from polyleaf.html import TYPESETTING, Renderer
from polyleaf.locales import LocaleInfo
from polyleaf.project import LAYOUTS, Project
from polyleaf.review import Status, document_review

SITE = "site"
PAGE = "site.html"
LEAFLET_INDEX = "site-leaflet.html"
INDEX = "site-index.html"
STYLESHEET = "site.css"
DRAFT = "Draft translation, not yet reviewed by a qualified medical translator"
#: Browsers keep Korean words whole with CSS (``word-break: keep-all``), so the
#: word joiners the print edition needs would only break find-in-page there.
SITE_TYPESETTING = {language: step for language, step in TYPESETTING.items() if language != "ko"}
#: How far the fonts stack falls back on an index, which shows every script:
#: Latin first, then the others in a fixed order (reproducible pages).
_FAMILY_ORDER = (LATIN, "Noto Naskh Arabic", "Noto Sans Devanagari", "Noto Sans Bengali")


def site_folder(out: Path) -> Path:
    return out / SITE


def page_path(out: Path, leaflet: str, locale: LocaleInfo) -> Path:
    return site_folder(out) / leaflet / f"{locale.tag}.html"


def pdf_path(out: Path, leaflet: str, locale: LocaleInfo) -> Path:
    return site_folder(out) / leaflet / f"{locale.tag}.pdf"


def check_site(project: Project, jobs: Iterable[Job]) -> None:
    """Refuse, before anything renders, a run the web edition cannot make."""
    for leaflet_id in dict.fromkeys(job.leaflet for job in jobs):
        leaflet = project.leaflet(leaflet_id)
        if leaflet.kind != "markdown":
            raise PolyleafError(
                f"{leaflet.relative}: a Jinja leaflet has no web edition yet; build it as "
                f"--format pdf, or leave it out with --leaflet"
            )


def write_file(target: Path, data: bytes) -> bool:
    """Write *data* to *target* atomically, unless it already holds them."""
    if target.is_file() and not target.is_symlink() and target.read_bytes() == data:
        return False
    with atomic_target(target) as temporary:
        temporary.write_bytes(data)
    return True


class SiteAssets:
    """The files pages refer to (fonts, stylesheet, a logo), copied into the site.

    Why an object: the renderer asks for a file's URL once per page; each file
    is checked (inside the project or one of polyleaf's own, never through a
    symlink that leaves them) when first asked for, and copied only if a
    written page refers to it. URLs are relative to :attr:`base`, the folder
    of the page being rendered.
    """

    def __init__(self, project: Project, site: Path) -> None:
        self.project = project
        self.site = site
        self.base = site
        self._wanted: dict[str, Path] = {}  #: path in the site -> source file

    def url(self, path: Path) -> str:
        """The URL of *path* from a page in :attr:`base`."""
        source = path.resolve()
        inside = _within(source, self.project.root.resolve(), LAYOUTS.resolve())
        if not (inside or source in pinned_font_paths()):
            raise PolyleafError(f"{path}: leads outside the leaflet project; refused")
        folder = "fonts" if source.suffix.lower() in (".ttf", ".otf", ".woff2") else "assets"
        self._wanted[f"{folder}/{source.name}"] = source
        return Path(os.path.relpath(self.site / folder / source.name, self.base)).as_posix()

    def copy(self, pages: Iterable[str]) -> list[Path]:
        """Copy every file one of *pages* (their HTML) refers to; the files changed."""
        text = "\n".join(pages)
        changed = []
        for name, source in sorted(self._wanted.items()):
            if f'{name}"' in text:
                target = self.site / name
                if write_file(target, source.read_bytes()):
                    changed.append(target)
        return changed


def _within(source: Path, *folders: Path) -> bool:
    return any(source.is_relative_to(folder) for folder in folders)


@dataclass
class SiteWriter:
    """Writes the pages, PDFs and indexes of one run of ``build --format site``."""

    project: Project
    out: Path
    catalogs: CatalogStore = field(init=False)
    written: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.site = site_folder(self.out)
        self.catalogs = CatalogStore(self.project)
        self.gate = Gate(self.project, self.catalogs)
        self.assets = SiteAssets(self.project, self.site)
        self.renderer = Renderer(self.project, self.catalogs, asset_url=self.assets.url)
        self._pages: list[str] = []

    def _write(self, target: Path, data: bytes) -> None:
        if write_file(target, data):
            self.written.append(target)

    def _write_page(self, target: Path, html: str) -> None:
        self._pages.append(html)
        self._write(target, html.encode("utf-8"))

    def write(self, outcomes: list[Outcome]) -> list[Path]:
        """Pages and PDFs for *outcomes*, then the indexes; the files written."""
        touched: list[str] = []
        for outcome in outcomes:
            job = outcome.job
            locale = self.project.find_locale(job.locale)
            if job.leaflet not in touched:
                touched.append(job.leaflet)
            if not outcome.ok:
                self._remove(job.leaflet, locale)
                continue
            assert outcome.path is not None
            self._write(pdf_path(self.out, job.leaflet, locale), outcome.path.read_bytes())
            self._write_page(page_path(self.out, job.leaflet, locale), self.page(job, locale))
        for leaflet_id in touched:
            self._write_page(self.site / leaflet_id / "index.html", self.leaflet_index(leaflet_id))
        self._write_page(self.site / "index.html", self.index())
        stylesheet = self._stylesheet()
        self._write(self.site / STYLESHEET, stylesheet.read_bytes())
        self.written.extend(self.assets.copy(self._pages))
        return self.written

    def _remove(self, leaflet_id: str, locale: LocaleInfo) -> None:
        """A document that fails the gate loses its page and PDF of an earlier run."""
        page_path(self.out, leaflet_id, locale).unlink(missing_ok=True)
        pdf_path(self.out, leaflet_id, locale).unlink(missing_ok=True)

    def _stylesheet(self) -> Path:
        path = layout_files(self.project).get(STYLESHEET)
        if path is None:
            raise PolyleafError(f"templates/{STYLESHEET}: no such stylesheet")
        if not _within(path.resolve(), self.project.root.resolve(), LAYOUTS.resolve()):
            raise PolyleafError(f"templates/{STYLESHEET}: leads outside the leaflet project")
        return path

    def page(self, job: Job, locale: LocaleInfo) -> str:
        self.assets.base = self.site / job.leaflet
        site = {
            "kind": "leaflet-page",
            "stylesheet": f"../{STYLESHEET}",
            "pdf": f"{locale.tag}.pdf",
            "index": "index.html",
        }
        extra = {"site": site, "online": None}
        return self.renderer.render(
            job.leaflet,
            locale,
            job.options,
            layout=PAGE,
            extra=extra,
            typesetting=SITE_TYPESETTING,
        )

    def languages(self, leaflet_id: str) -> list[LocaleInfo]:
        """The leaflet's locales with a page and PDF in the site that pass the gate
        now (this run's, and earlier runs' that still pass); others are removed."""
        listed = []
        for locale in self.project.leaflet_locales(leaflet_id):
            present = (
                page_path(self.out, leaflet_id, locale).is_file()
                and pdf_path(self.out, leaflet_id, locale).is_file()
            )
            if not present:
                continue
            if self.gate.errors(leaflet_id, locale):
                self._remove(leaflet_id, locale)
                continue
            listed.append(locale)
        return listed

    def _source_context(self, families: Iterable[str]) -> dict[str, object]:
        source = self.project.source_locale
        order = {family: i for i, family in enumerate(_FAMILY_ORDER)}
        stack = sorted(set(families), key=lambda f: (order.get(f, len(order)), f))
        translations = CatalogTranslations(
            self.catalogs.furniture(source), set(), source, translated=False
        )
        self.renderer.env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        return {
            "locale": {"tag": source.tag, "direction": source.direction},
            "fonts_css": Markup(font_face_css(stack, self.assets.url)),
        }

    def _leaflet_facts(self, leaflet_id: str) -> dict[str, str]:
        leaflet = self.project.leaflet(leaflet_id)
        return {
            "code": leaflet.code,
            "revision": format_date(
                leaflet.revision, "long", locale=self.project.source_locale.babel
            ),
        }

    def leaflet_index(self, leaflet_id: str) -> str:
        self.assets.base = self.site / leaflet_id
        languages = []
        families: set[str] = set(families_for(self.project.source_locale))
        for locale in self.languages(leaflet_id):
            families.update(families_for(locale))
            translations = self.catalogs.translations(leaflet_id, locale)
            review = document_review(self.catalogs, leaflet_id, locale)
            draft = review is not None and review.status is not Status.REVIEWED
            languages.append(
                {
                    "tag": locale.tag,
                    "direction": locale.direction,
                    "name": locale.display_name,
                    "title": self.renderer.title(leaflet_id, locale),
                    "notice": translations.gettext(DRAFT) if draft else "",
                    "href": f"{locale.tag}.html",
                }
            )
        context = self._source_context(families)
        context.update(
            title=self.renderer.title(leaflet_id, self.project.source_locale),
            leaflet=self._leaflet_facts(leaflet_id),
            site={
                "kind": "leaflet-index",
                "stylesheet": f"../{STYLESHEET}",
                "home": "../index.html",
                "languages": languages,
            },
        )
        return self.renderer.env.get_template(LEAFLET_INDEX).render(context)

    def index(self) -> str:
        self.assets.base = self.site
        entries = []
        for leaflet_id in self.project.leaflets:
            if not (self.site / leaflet_id / "index.html").is_file():
                continue
            if not self.languages(leaflet_id):
                continue
            title = self.renderer.title(leaflet_id, self.project.source_locale)
            entries.append(
                {"href": f"{leaflet_id}/index.html", "title": title}
                | self._leaflet_facts(leaflet_id)
            )
        context = self._source_context(families_for(self.project.source_locale))
        context["site"] = {"kind": "index", "stylesheet": STYLESHEET, "leaflets": entries}
        return self.renderer.env.get_template(INDEX).render(context)


def write_site(project: Project, outcomes: list[Outcome], out: Path) -> list[Path]:
    """The web edition for a build's *outcomes*; the files written or changed."""
    return SiteWriter(project, out).write(outcomes)
