"""Templates + catalogs -> the HTML of one leaflet in one locale.

Jinja2 with autoescape on (a clinic name containing ``<b>`` prints as text)
and the i18n extension in newstyle mode, so that a translation's placeholders
are filled by name and escaped like any other value.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path

from babel.dates import format_date
from jinja2 import (
    Environment,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    meta,
)
from markupsafe import Markup

from polyleaf.catalogs import CatalogStore, review_status
from polyleaf.clinics import ClinicProfile, load_clinic
from polyleaf.confine import ProjectLoader
from polyleaf.errors import PolyleafError, RenderError
from polyleaf.fonts import families_for, font_face_css
from polyleaf.locales import LocaleInfo
from polyleaf.options import LeafletOptions
from polyleaf.project import Project

#: Two Hangul syllables in a row, i.e. inside one Korean word.
_HANGUL_PAIR = re.compile("(?<=[\uac00-\ud7a3])(?=[\uac00-\ud7a3])")


def keep_hangul_words(text: str) -> str:
    """Korean breaks lines between words, not inside them.

    CSS says ``word-break: keep-all``, which WeasyPrint 70 does not support; a
    WORD JOINER (U+2060) between the syllables of each word does the same. It
    draws nothing and does not reach the PDF's text layer.
    """
    return _HANGUL_PAIR.sub("\u2060", text)


def arabic_comma_breaks_runs(text: str) -> str:
    """A list of Latin names in right-to-left text is read in its written order.

    Between two Latin words the Arabic comma is neutral, so the bidi algorithm
    sets "Accutane، Isotroin، Tretiva" as one left-to-right run, which a reader
    of Persian or Urdu reads backwards. A RIGHT-TO-LEFT MARK after the comma
    (invisible, not in the text layer) ends the run there.
    """
    return text.replace("\u060c", "\u060c\u200f")


#: Per-language adjustments to the text of the page body (not the title or
#: the metadata, which must stay the plain words).
TYPESETTING: dict[str, Callable[[str], str]] = {
    "ko": keep_hangul_words,
    "ar": arabic_comma_breaks_runs,
    "fa": arabic_comma_breaks_runs,
    "ur": arabic_comma_breaks_runs,
}
_BODY_TEXT = re.compile(r">([^<]+)<")


def _typeset_body(html: str, typeset: Callable[[str], str]) -> str:
    head, body = html.split("<body", 1)
    return head + "<body" + _BODY_TEXT.sub(lambda m: f">{typeset(m.group(1))}<", body)


def qr_data_uri(url: str) -> str:
    """A QR code for *url* as an SVG data URI (vector, so it prints sharp)."""
    import segno  # only when a clinic has a leaflet URL

    return segno.make(url, error="m").svg_data_uri(scale=4, border=0)


def _theme_css(accent: str) -> str:
    """The clinic's accent colour: headings, and a band at the top of every page
    that runs into the bleed when the print shop asks for one."""
    return (
        f".page-band {{ background: {accent}; }}\n"
        f"h2, .contact h2 {{ color: {accent}; border-color: {accent}; }}\n"
        f".contact {{ border-color: {accent}; }}"
    )


def css_string(text: str) -> str:
    """*text* as a quoted CSS string, safe inside a <style> element."""
    escaped = "".join(
        ch if ch.isalnum() or ch in " .,:;·-_()/?!'" or ord(ch) > 127 else f"\\{ord(ch):x} "
        for ch in text
    )
    return f'"{escaped}"'


def css_content(value: str) -> Markup:
    """A translated message as a CSS ``content`` value.

    ``{page}`` and ``{pages}`` in the message become the page counters, so
    that "Page %(page)s of %(pages)s" is translated as one sentence and the
    numbers land where each language puts them.
    """
    text = Markup(value).unescape() if isinstance(value, Markup) else str(value)
    parts: list[str] = []
    for chunk in text.replace("{pages}", "\0pages\0").replace("{page}", "\0page\0").split("\0"):
        if chunk in ("page", "pages"):
            parts.append(f"counter({chunk})")
        elif chunk:
            parts.append(css_string(chunk))
    return Markup(" ".join(parts) or '""')


def _format_review_date(text: str, locale: LocaleInfo) -> str:
    """A reviewer's ISO date in the locale's own format (as written, if not ISO)."""
    try:
        return format_date(dt.date.fromisoformat(text), "long", locale=locale.babel)
    except ValueError:
        return text


class Renderer:
    """Renders leaflets of one project to HTML.

    Why an object: the Jinja environment (with its compiled templates) and the
    catalogs are loaded once and reused for every leaflet and locale of a run.
    Not thread-safe: it installs each locale's translations before rendering.
    """

    def __init__(
        self,
        project: Project,
        catalogs: CatalogStore | None = None,
        asset_url: Callable[[Path], str] = Path.as_uri,
    ) -> None:
        self.project = project
        #: How the HTML refers to a font or logo file: a file URL for WeasyPrint,
        #: a relative path for the exported HTML (polyleaf build --format html).
        self.asset_url = asset_url
        self.catalogs = catalogs or CatalogStore(project)
        self.env = Environment(
            loader=ProjectLoader(project.templates_dir, project.root),
            autoescape=True,
            undefined=StrictUndefined,
            extensions=["jinja2.ext.i18n"],
        )
        self.env.policies["ext.i18n.trimmed"] = True
        self.env.filters["css_content"] = css_content
        #: Clinic profiles by id, validated once per run.
        self._clinics: dict[str, ClinicProfile] = {}

    def check_templates(self) -> None:
        """Every leaflet template and each one it extends or includes exists and parses."""
        seen: set[str] = set()
        pending = [
            (leaflet.template, "polyleaf.toml") for leaflet in self.project.config.leaflets.values()
        ]
        while pending:
            name, wanted_by = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            try:
                source = self.env.loader.get_source(self.env, name)[0]  # type: ignore[union-attr]
                ast = self.env.parse(source, name)
            except TemplateNotFound:
                raise PolyleafError(
                    f"templates/{name}: no such template (used by {wanted_by})"
                ) from None
            except TemplateSyntaxError as error:
                raise RenderError(f"templates/{name}:{error.lineno}: {error.message}") from None
            pending.extend(
                (child, f"templates/{name}")
                for child in meta.find_referenced_templates(ast)
                if child
            )

    def clinic(self, clinic_id: str) -> ClinicProfile:
        if clinic_id not in self._clinics:
            self._clinics[clinic_id] = load_clinic(self.project, clinic_id)
        return self._clinics[clinic_id]

    def context(
        self, leaflet_id: str, locale: LocaleInfo, options: LeafletOptions
    ) -> dict[str, object]:
        leaflet = self.project.config.leaflets[leaflet_id]
        clinic = self.clinic(options.clinic)
        url = clinic.online_url(leaflet_id, locale.tag)
        catalog = self.catalogs.get(locale)
        status = review_status(catalog)
        return {
            "locale": {
                "tag": locale.tag,
                "direction": locale.direction,
                "draft": not status.reviewed,
                "reviewer": "" if catalog is None else status.reviewer,
                "reviewed_on": _format_review_date(status.date, locale),
            },
            "leaflet": {
                "id": leaflet_id,
                "code": leaflet.code,
                "revision": format_date(leaflet.revision, "long", locale=locale.babel),
                "revision_iso": leaflet.revision.isoformat(),
            },
            "clinic": clinic,
            "logo": self._logo_url(clinic),
            "online": {"url": url, "qr": qr_data_uri(url)} if url else None,
            "page_css": Markup(options.page_css() + "\n" + _theme_css(clinic.accent)),
            "fonts_css": Markup(font_face_css(families_for(locale), self.asset_url)),
        }

    def _logo_url(self, clinic: ClinicProfile) -> str:
        if not clinic.logo:
            return ""
        return self.asset_url((self.project.root / clinic.logo).resolve())

    def render(
        self, leaflet_id: str, locale: LocaleInfo, options: LeafletOptions | None = None
    ) -> str:
        leaflet = self.project.config.leaflets.get(leaflet_id)
        if leaflet is None:
            known = ", ".join(self.project.config.leaflets)
            raise PolyleafError(f"unknown leaflet {leaflet_id!r}; available: {known}")
        context = self.context(leaflet_id, locale, options or LeafletOptions())
        self.env.install_gettext_translations(  # type: ignore[attr-defined]
            self.catalogs.translations(locale), newstyle=True
        )
        try:
            template = self.env.get_template(leaflet.template)
            html = template.render(context)
        except TemplateError as error:
            where = f"{getattr(error, 'filename', None) or leaflet.template}"
            line = getattr(error, "lineno", None)
            raise RenderError(f"templates/{where}{f':{line}' if line else ''}: {error}") from None
        typeset = TYPESETTING.get(locale.language)
        return _typeset_body(html, typeset) if typeset else html
