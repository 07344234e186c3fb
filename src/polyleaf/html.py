"""Leaflet source + catalogs -> the HTML of one leaflet in one locale.

A Markdown leaflet is rendered by :mod:`polyleaf.markdown` and framed by its
layout; a Jinja leaflet is its own template. Layouts and Jinja leaflets run
in Jinja's sandbox with autoescape on (a clinic name containing ``<b>`` prints
as text, and so does markup in a translation) and the i18n extension in
newstyle mode, so that a translation's placeholders are filled by name and
escaped like any other value.
"""

from __future__ import annotations

import datetime as dt
import html as htmllib
import re
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from babel.dates import format_date
from jinja2 import (
    ChoiceLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    TemplateSyntaxError,
    meta,
)
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from polyleaf.catalogs import CatalogStore, CatalogTranslations, layout_files
from polyleaf.clinics import ClinicProfile, load_clinic
from polyleaf.confine import ProjectLoader
from polyleaf.errors import PolyleafError, RenderError
from polyleaf.fonts import families_for, font_face_css
from polyleaf.locales import LocaleInfo
from polyleaf.options import LeafletOptions
from polyleaf.outline import sectioned
from polyleaf.project import LAYOUTS, Leaflet, Project
from polyleaf.review import Status, document_review

if TYPE_CHECKING:
    from polyleaf.personal import Personalisation

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
#: Words written before their number ("SPF 30"); every other unit follows it.
UNITS_BEFORE = ("SPF",)
#: A space after a number (any digits) and before a word in any script or a
#: per cent sign ("100 mg", "20 ملغ", "६ महीने", "2 capsules", "50 %"), or
#: after a word of UNITS_BEFORE and before a number.
_NUMBER_WORD = re.compile(
    r"(?<=\d) (?=[^\W\d_]|%)|(?:"
    + "|".join(rf"(?<=\b{re.escape(word)})" for word in UNITS_BEFORE)
    + r") (?=\d)",
    re.IGNORECASE,
)


#: Scripts written without spaces, where a line may break between any two
#: characters: kana, CJK ideographs, Hangul.
_CJK = "\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
#: A number and the unit written right after it ("1个月", "20週", "1개월"):
#: the first two characters, which is where the unit is.
_NUMBER_CJK = re.compile(rf"(?<=\d)([{_CJK}]{{1,2}})")


def keep_numbers_with_units(text: str) -> str:
    """A number and the word after it stay on one line: "100 mg", "SPF 30",
    "6 months", in every locale and script, whatever the translator wrote for
    the unit (a list of units would miss "ملغ" or "мг"); in Chinese, Japanese
    and Korean, where lines break between characters, the number and the two
    characters after it ("1个月").

    A WORD JOINER after the space forbids a line break there (UAX #14, rule
    LB11) and, like the one between Hangul syllables, draws nothing and does
    not reach the text layer: the PDF still copies as "100 mg".
    """
    text = _NUMBER_WORD.sub("\\g<0>\u2060", text)
    return _NUMBER_CJK.sub(lambda unit: "\u2060" + "\u2060".join(unit.group(1)), text)


def typeset_body(
    html: str,
    locale: LocaleInfo,
    typesetting: dict[str, Callable[[str], str]] = TYPESETTING,
) -> str:
    """The per-language adjustments and the number-unit rule, in the body text only."""
    language = typesetting.get(locale.language)

    def typeset(match: re.Match[str]) -> str:
        text = keep_numbers_with_units(match.group(1))
        return f">{language(text) if language else text}<"

    head, tag, body = html.partition("<body")
    if not tag:
        raise RenderError("the layout renders no <body> element; frame a leaflet in base.html")
    return head + tag + _BODY_TEXT.sub(typeset, body)


#: What a reader never sees of a page: comments, the head (title, styles) and
#: the elements a browser or WeasyPrint does not draw.
_UNSEEN = re.compile(
    r"<!--.*?(?:-->|\Z)|<(head|style|script|template|noscript|textarea|title)\b.*?(?:</\1\s*>|\Z)",
    re.S | re.I,
)
_ANY_TAG = re.compile(r"<[^>]*>")


def page_text(html: str) -> str:
    """The text of *html* outside comments and undrawn elements, tags dropped,
    character references read, white space collapsed."""
    return " ".join(htmllib.unescape(_ANY_TAG.sub(" ", _UNSEEN.sub(" ", html))).split())


def check_shown(html: str, parts: dict[str, str]) -> None:
    """Each of *parts* (the leaflet's own text, as polyleaf rendered it) is on the
    page the layout made: a layout that leaves out ``{{ body }}``, cuts it short
    or comments it out would print a leaflet without its safety sections."""
    text = page_text(html)
    for name, part in parts.items():
        if page_text(part) not in text:
            raise RenderError(
                f"the layout does not print the leaflet's {name}; a leaflet layout "
                "shows masthead and body whole (see polyleaf's leaflet.html)"
            )


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


def _format_review_date(day: dt.date, locale: LocaleInfo) -> str:
    """A sign-off date in the locale's own format."""
    return format_date(day, "long", locale=locale.babel)


#: How long rendering one document's HTML may take before it fails: a bound
#: for templates that loop without end (layouts are content people exchange).
RENDER_SECONDS = 30.0


@contextmanager
def _time_limit(seconds: float, what: str) -> Iterator[None]:
    """Raise a RenderError in this thread if the block takes longer than *seconds*.

    Uses SIGALRM, so it applies in a main thread only (every rendering
    process renders in its main thread; elsewhere the block runs unbounded).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise RenderError(f"{what}: rendering took longer than {seconds:g} s; stopped")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def layout_environment(project: Project) -> ImmutableSandboxedEnvironment:
    """The Jinja environment for a project's layouts and Jinja leaflets.

    A sandbox (templates are content clinics exchange): no Python internals,
    no files, no processes, only the names polyleaf provides (the gettext
    functions and the css_content filter). The project's templates come
    first, polyleaf's layouts fill in any it does not have. ``sectioned``
    wraps a leaflet body's sections in ``<section>`` (the web edition).
    """
    env = ImmutableSandboxedEnvironment(
        loader=ChoiceLoader(
            [
                ProjectLoader(project.templates_dir, project.root),
                ProjectLoader(LAYOUTS, LAYOUTS),
            ]
        ),
        autoescape=True,
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
    )
    for name in ("range", "dict", "lipsum", "cycler", "joiner", "namespace"):
        env.globals.pop(name, None)  # only the gettext functions the i18n extension adds
    env.filters["css_content"] = css_content
    env.filters["sectioned"] = sectioned
    env.policies["ext.i18n.trimmed"] = True
    return env


class Renderer:
    """Renders leaflets of one project to HTML.

    Why an object: the Jinja environment (with its compiled templates) and the
    catalogs are loaded once and reused for every leaflet and locale of a run.
    Not thread-safe: it installs each document's translations before rendering.
    """

    def __init__(
        self,
        project: Project,
        catalogs: CatalogStore | None = None,
        asset_url: Callable[[Path], str] = Path.as_uri,
    ) -> None:
        self.project = project
        #: How the HTML refers to a font, stylesheet or logo file: a file URL for
        #: WeasyPrint, a relative path for the exported HTML (--format html).
        self.asset_url = asset_url
        self.catalogs = catalogs or CatalogStore(project)
        self.env = layout_environment(project)
        #: Clinic profiles by id, validated once per run.
        self._clinics: dict[str, ClinicProfile] = {}

    def check_templates(self, leaflets: list[str] | None = None) -> None:
        """Every layout the leaflets use, and each one it extends or includes,
        exists and parses."""
        chosen = self.project.select_leaflets(leaflets or [])
        pending = [(leaflet.layout, leaflet.relative) for leaflet in chosen]
        seen: set[str] = set()
        while pending:
            name, wanted_by = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            try:
                source, filename, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
                ast = self.env.parse(source, name)
            except TemplateNotFound:
                raise PolyleafError(
                    f"templates/{name}: no such layout (used by {wanted_by}); add "
                    f"templates/{name}, or name one of polyleaf's layouts "
                    f"({', '.join(sorted(p.name for p in LAYOUTS.glob('*.html')))})"
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
        leaflet = self.project.leaflet(leaflet_id)
        clinic = self.clinic(options.clinic)
        url = clinic.online_url(leaflet_id, locale.tag)
        summary = document_review(self.catalogs, leaflet_id, locale)
        reviewed = summary is not None and summary.status is Status.REVIEWED
        stylesheet = layout_files(self.project)["leaflet.css"]
        return {
            "locale": {
                "tag": locale.tag,
                "direction": locale.direction,
                "draft": summary is not None and not reviewed,
                "reviewed_messages": summary.reviewed_count if summary else 0,
                "messages": summary.total if summary else 0,
                "reviewer": "; ".join(map(str, summary.reviewers)) if reviewed else "",
                "reviewed_on": _format_review_date(summary.reviewed_on, locale)
                if reviewed and summary.reviewed_on
                else "",
            },
            "leaflet": {
                "id": leaflet_id,
                "code": leaflet.code,
                "revision": format_date(leaflet.revision, "long", locale=locale.babel),
                "revision_iso": leaflet.revision.isoformat(),
            },
            "paper": options.paper,
            "bilingual": None,
            "clinic": clinic,
            "logo": self._logo_url(clinic),
            "online": {"url": url, "qr": qr_data_uri(url)} if url else None,
            "stylesheet": self.asset_url(stylesheet.resolve()),
            "page_css": Markup(options.page_css(reviewed) + "\n" + _theme_css(clinic.accent)),
            "fonts_css": Markup(font_face_css(families_for(locale), self.asset_url)),
        }

    def _logo_url(self, clinic: ClinicProfile) -> str:
        if not clinic.logo:
            return ""
        return self.asset_url((self.project.root / clinic.logo).resolve())

    def title(self, leaflet_id: str, locale: LocaleInfo) -> str:
        """The leaflet's title in *locale*, as plain text."""
        leaflet = self.project.leaflet(leaflet_id)
        translations = self.catalogs.translations(leaflet_id, locale)
        if leaflet.kind == "markdown":
            return leaflet.document.title(translations.markdown)
        self.env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        template = self.env.get_template(leaflet.layout)
        block = template.blocks.get("title")
        return "".join(block(template.new_context({}))).strip() if block else leaflet_id

    def render(
        self,
        leaflet_id: str,
        locale: LocaleInfo,
        options: LeafletOptions | None = None,
        *,
        layout: str = "",
        extra: dict[str, object] | None = None,
        typesetting: dict[str, Callable[[str], str]] = TYPESETTING,
        personal: Personalisation | None = None,
    ) -> str:
        """The leaflet's HTML in *locale*: framed by its own layout, or by
        *layout* with *extra* added to its context (the web edition's page);
        with *personal*, one patient's copy (personal.html on page 1)."""
        leaflet = self.project.leaflet(leaflet_id)
        options = options or LeafletOptions()
        context = self.context(leaflet_id, locale, options)
        context["personal"] = personal.for_layout(locale) if personal and personal.filled else None
        translations = self.catalogs.translations(leaflet_id, locale)
        shown: dict[str, str] = {}  # the leaflet's own text, which the layout must print
        if options.bilingual:
            bilingual, shown = self._bilingual(leaflet, locale, translations)
            context.update(bilingual)
        elif leaflet.kind == "markdown":
            title, masthead, body = leaflet.document.render(translations.markdown)
            context.update(title=title, masthead=Markup(masthead), body=Markup(body))
            shown = {"masthead": masthead, "body": body}
        context.update(extra or {})
        self.env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
        layout = layout or leaflet.layout
        try:
            with _time_limit(RENDER_SECONDS, leaflet.relative):
                html = self.env.get_template(layout).render(context)
        except SecurityError as error:
            raise RenderError(
                f"{leaflet.relative} (layout {layout}): refused by the template sandbox: {error}"
            ) from None
        except RecursionError:
            raise RenderError(
                f"{leaflet.relative} (layout {layout}): templates call each other "
                "without end (recursion too deep)"
            ) from None
        except TemplateError as error:
            where = f"{getattr(error, 'filename', None) or layout}"
            where = Path(where).name if "/" in where else where
            line = getattr(error, "lineno", None)
            raise RenderError(f"templates/{where}{f':{line}' if line else ''}: {error}") from None
        try:
            typeset = typeset_body(html, locale, typesetting)
            check_shown(html, shown)
            return typeset
        except RenderError as error:
            raise RenderError(f"{leaflet.relative} (layout {layout}): {error}") from None

    def _bilingual(
        self, leaflet: Leaflet, locale: LocaleInfo, translations: CatalogTranslations
    ) -> tuple[dict[str, object], dict[str, str]]:
        """The bilingual edition's context, the patient's language beside the source's,
        and each cell of it by name (which the layout must print)."""
        source = self.project.source_locale
        if problem := self.project.bilingual_problem(leaflet, locale):
            raise PolyleafError(problem)
        pair = leaflet.document.bilingual(
            translations.markdown, self.catalogs.translations(leaflet.id, source).markdown
        )
        shown = {"masthead": pair.masthead[0], "source masthead": pair.masthead[1]}
        for number, (patient, english) in enumerate(pair.rows, 1):
            shown[f"section {number}"], shown[f"source section {number}"] = patient, english
        fonts = font_face_css(
            families_for(locale), self.asset_url, {source.tag: families_for(source)}
        )
        context: dict[str, object] = {
            "title": pair.title,
            "masthead": Markup(pair.masthead[0]),
            "fonts_css": Markup(fonts),
            "bilingual": {
                "source": {
                    "tag": source.tag,
                    "direction": source.direction,
                    "name": source.display_name,
                },
                "name": locale.display_name,
                "masthead": Markup(pair.masthead[1]),
                "rows": [(Markup(patient), Markup(english)) for patient, english in pair.rows],
            },
        }
        return context, shown
