"""The safety gate: no locale prints unless every safety message is faithful.

A leaflet that silently loses the pregnancy warning, or turns "1 month" into
"1 week", can harm a patient. For each locale the gate compares the catalog
with the messages the templates use now and reports, as one
:class:`Finding` each:

* errors, which stop the locale from building: a required section that the
  templates no longer contain; a safety message missing from the catalog,
  empty, fuzzy or identical to the English (names on the allow-list aside);
  placeholders that differ from the English, or a stray ``%``; a number of the
  English missing or changed (native digits such as Arabic-Indic count as the
  same number); a catalog out of step with the templates;
* translation QA, also errors: names of the glossary
  (``locales/glossary.toml``) not kept as written or the medicine not called
  by its local name; a run of four English words left in a translation; a
  character that none of the locale's pinned fonts can draw;
* the page furniture of the personalised box (the dose phrases) is required
  like a safety section: missing, empty or fuzzy is an error there, since a
  dose sentence half in English is one a patient may misread;
* warnings, which do not: an untranslated message outside safety sections
  (it prints in English).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from babel.messages.catalog import PYTHON_FORMAT, Message

from polyleaf import units
from polyleaf.catalogs import (
    CatalogStore,
    MessageKey,
    SourceMessage,
    furniture_messages,
    in_use,
    leaflet_messages,
    message_key,
    read_catalog,
)
from polyleaf.errors import CatalogError, PolyleafError, shortened
from polyleaf.fonts import coverage, families_for
from polyleaf.locales import LocaleInfo
from polyleaf.project import LAYOUTS, Project

if TYPE_CHECKING:
    from weasyprint import Document

    from polyleaf.html import Renderer
    from polyleaf.pdf import PdfWriter

Severity = Literal["error", "warning"]
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
WORD = re.compile(r"[^\W\d_]+")
#: This many consecutive words shared with the English source mean a sentence
#: was left untranslated (three would catch lists of brand names).
ENGLISH_RUN = 4
#: Unit symbols written alike in every language the leaflets use.
UNIT_SYMBOLS = frozenset({"mg", "g", "kg", "mcg", "µg", "mL", "ml", "IU"})
#: Layouts whose messages must all be translated, as a safety section's: the
#: personalised box composes a patient's dose from them.
REQUIRED_LAYOUTS = ("personal.html",)


@dataclass(frozen=True)
class Finding:
    leaflet: str
    locale: str
    section: str  #: required section id, or "-" outside safety sections
    message: str  #: the English message, shortened
    where: str  #: file:line of the catalog entry (or of the source, if missing)
    problem: str
    severity: Severity = "error"

    def __str__(self) -> str:
        fields = (self.leaflet, self.locale, self.section, self.message, self.where, self.problem)
        return " · ".join(_one_line(field) for field in fields)


#: Line breaks and other control characters, which a catalog's context or a
#: file's name can hold: a finding is one line.
_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _one_line(text: str) -> str:
    return _BREAKS.sub(lambda match: repr(match.group())[1:-1], text)


def numbers(text: str) -> Counter[str]:
    """The numbers in *text* as ASCII digits, whatever digits they were written in.

    Placeholders are left out; "1,5" and "1.5" are the same number.
    """
    text = PYTHON_FORMAT.sub("", text)
    found: Counter[str] = Counter()
    for match in NUMBER.finditer(text):
        ascii_digits = "".join(
            str(unicodedata.decimal(ch)) if ch.isdigit() else "." for ch in match.group()
        )
        found[ascii_digits] += 1
    return found


def placeholders(text: str) -> Counter[str]:
    return Counter(match.group(0) for match in PYTHON_FORMAT.finditer(text))


def stray_percent(text: str) -> bool:
    """A % that is not part of a placeholder breaks newstyle gettext at render time."""
    return "%" in PYTHON_FORMAT.sub("", text)


@lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Lower case without accents or marks, for matching terms loosely."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _forms(form: str | list[str]) -> list[str]:
    """A glossary entry's forms: one string, or several of which one must appear."""
    return [form] if isinstance(form, str) else form


#: A Markdown link's or image's target, and an autolink: kept exactly as the
#: English has them (the markup check sees to it), so they are not English prose.
LINK_TARGET = re.compile(r"\]\([^()]*\)|<[A-Za-z][A-Za-z0-9+.-]*:[^\s<>]*>")


def _words(text: str, keep: list[str]) -> list[str]:
    text = PYTHON_FORMAT.sub(" ", text)  # a placeholder's name is not an English word
    text = LINK_TARGET.sub("] ", text)
    for name in keep:
        text = text.replace(name, " ")
    return [fold(word) for word in WORD.findall(text)]


def english_grams(sources: Iterable[str], keep: list[str]) -> frozenset[tuple[str, ...]]:
    """Every run of ENGLISH_RUN words in the English messages, kept names aside."""
    grams = set()
    for source in sources:
        words = _words(source, keep)
        grams.update(tuple(words[i : i + ENGLISH_RUN]) for i in range(len(words) - ENGLISH_RUN + 1))
    return frozenset(grams)


def english_runs(translation: str, grams: frozenset[tuple[str, ...]], keep: list[str]) -> list[str]:
    """Runs of ENGLISH_RUN words of *translation* that stand in some English message."""
    words = _words(translation, keep)
    runs = (tuple(words[i : i + ENGLISH_RUN]) for i in range(len(words) - ENGLISH_RUN + 1))
    return [" ".join(run) for run in runs if run in grams]


def _drawable(ch: str) -> bool:
    """Characters that need a glyph (not spaces, not joiners and direction marks)."""
    return not ch.isspace() and unicodedata.category(ch) != "Cf"


def _describe(counter: Counter[str]) -> str:
    return ", ".join(sorted(counter.elements())) or "none"


#: Raw HTML, comments and character references: a translation is text, so a
#: translation that has any the English lacks is refused (it would print as
#: written, or it is an attempt to hide or restyle the words).
TAG = re.compile(r"<\s*[/!?]?[A-Za-z][^>]*>|<!--")
ENTITY = re.compile(r"&(?:#[0-9]+|#[xX][0-9A-Fa-f]+|[A-Za-z][A-Za-z0-9]*);")
#: Markdown attributes, which the renderer never reads from a translation.
ATTRIBUTES = re.compile(r"\{\s*[#.][^{}]*\}")
#: The two invisible characters a translation may add: Persian and the Indic
#: scripts need the zero-width non-joiner and joiner to spell their words.
JOINERS = frozenset("\u200c\u200d")
#: Characters that draw nothing yet are not format characters (category Cf):
#: the combining grapheme joiner, Hangul and Khmer fillers, Mongolian and other
#: variation selectors.
_BLANK = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0\U000e0100-\U000e01ef]"
)


def invisible(ch: str) -> bool:
    """A character that can reorder or hide the words without being seen: every
    format character (bidi marks, embeddings, overrides and isolates, zero-width
    spaces, the BOM, the soft hyphen, tag characters ...) but ZWNJ and ZWJ, and
    the other characters that draw nothing."""
    if ch in JOINERS:
        return False
    return unicodedata.category(ch) == "Cf" or _BLANK.match(ch) is not None


def _marked_digits(text: str) -> Counter[str]:
    """Each digit with the combining marks drawn on it ("3" + U+0336, struck through)."""
    return Counter(
        text[i : i + 2]
        for i, ch in enumerate(text[:-1])
        if ch.isdigit() and unicodedata.category(text[i + 1]) in ("Mn", "Me")
    )


def markup_problems(source: str, text: str, markdown: bool) -> Iterable[str]:
    """What markup *text* has that its English *source* does not (or lacks)."""
    for pattern, what in (
        (TAG, "HTML"),
        (ENTITY, "a character reference"),
        (ATTRIBUTES, "Markdown attributes"),
    ):
        added = Counter(pattern.findall(text)) - Counter(pattern.findall(source))
        for found in sorted(added):
            yield f"markup: {what} {found!r} that the English does not have; translations are text"
    for ch in sorted({ch for ch in text if invisible(ch)} - set(source)):
        name = unicodedata.name(ch, "unnamed")
        yield f"markup: invisible U+{ord(ch):04X} ({name}) can reorder or hide the words"
    for digit, mark in sorted(_marked_digits(text) - _marked_digits(source)):
        name = unicodedata.name(mark, "unnamed")
        yield f"markup: U+{ord(mark):04X} ({name}) drawn on the digit {digit!r} changes the number"
    if markdown:
        from polyleaf.markdown import inline_markup

        english, translated = inline_markup(source), inline_markup(text)
        if english != translated:
            yield (
                f"markup differs: English has {_describe(Counter(dict(english)))}, "
                f"translation has {_describe(Counter(dict(translated)))} (bold, links, code "
                "must stay as in the English)"
            )


class Gate:
    """Runs the checks of a project, per leaflet and locale.

    Holds each leaflet's extracted messages, so that checking many locales
    extracts each source once. A locale of one leaflet that fails never
    affects another leaflet or locale.
    """

    def __init__(self, project: Project, catalogs: CatalogStore | None = None) -> None:
        self.project = project
        self.catalogs = catalogs or CatalogStore(project)
        self._sources: dict[str, dict[MessageKey, SourceMessage]] = {}
        self._leaflet_findings: dict[str, tuple[Finding, ...]] = {}
        self._furniture: dict[str, tuple[Finding, ...]] = {}
        self._units: dict[str, tuple[tuple[str, str], ...]] = {}

    def source(self, leaflet_id: str) -> dict[MessageKey, SourceMessage]:
        """The leaflet's messages, extracted when first needed (not for a no-change rebuild)."""
        if leaflet_id not in self._sources:
            self._sources[leaflet_id] = leaflet_messages(self.project.leaflet(leaflet_id))
        return self._sources[leaflet_id]

    @cached_property
    def _layouts(self) -> Renderer:
        """One renderer for every leaflet's layout check (its Jinja environment
        parses each layout once), made only when the gate first needs it."""
        from polyleaf.html import Renderer

        return Renderer(self.project, self.catalogs)

    @cached_property
    def _writer(self) -> PdfWriter:
        """One PDF writer (its font configuration loads the pinned fonts once) for
        every leaflet that check lays out."""
        from polyleaf.pdf import PdfWriter

        return PdfWriter(self.project.root)

    @cached_property
    def furniture_source(self) -> dict[MessageKey, SourceMessage]:
        return furniture_messages(self.project)

    def leaflet_findings(self, leaflet_id: str) -> tuple[Finding, ...]:
        """Problems in the leaflet's source itself, for every locale alike."""
        if leaflet_id not in self._leaflet_findings:
            self._leaflet_findings[leaflet_id] = tuple(self._find_source_problems(leaflet_id))
        return self._leaflet_findings[leaflet_id]

    def _find_source_problems(self, leaflet_id: str) -> list[Finding]:
        leaflet = self.project.leaflet(leaflet_id)
        tag = self.project.source_locale.tag
        try:
            source = self.source(leaflet_id)
            sections = leaflet.sections()
        except PolyleafError as error:
            where, _, problem = str(error).partition(": ")
            return [Finding(leaflet_id, tag, "-", "-", where, problem)]
        findings = []
        try:
            self._layouts.check_templates([leaflet_id])
            # rendered once, in the source language: the layout prints the leaflet whole
            self._layouts.render(leaflet_id, self.project.source_locale)
        except PolyleafError as error:
            where, _, problem = str(error).partition(": ")
            findings.append(Finding(leaflet_id, tag, "-", "-", where, problem))
        contexts = {key[0] for key in source}
        if leaflet.kind == "jinja":
            for section, heading in sections.items():
                if section not in contexts:
                    findings.append(
                        Finding(
                            leaflet_id,
                            tag,
                            section,
                            shortened(heading),
                            leaflet.relative,
                            "required section has no messages in the template",
                        )
                    )
                elif (section, heading) not in source:
                    findings.append(
                        Finding(
                            leaflet_id,
                            tag,
                            section,
                            shortened(heading),
                            "polyleaf.toml",
                            "the section's heading is not a message of that section",
                        )
                    )
            for (context, msgid), message in source.items():
                if context is not None and context not in sections:
                    findings.append(
                        Finding(
                            leaflet_id,
                            tag,
                            context,
                            shortened(msgid),
                            message.where,
                            "unknown section context; declare it in polyleaf.toml "
                            "required_sections or remove it",
                        )
                    )
        for section in sections:
            if not any(context == section for context, _ in source):
                findings.append(
                    Finding(
                        leaflet_id,
                        tag,
                        section,
                        "-",
                        leaflet.relative,
                        "safety section has no text",
                    )
                )
        findings.extend(self._pot_findings(leaflet_id, tag, source))
        return findings

    def _pot_findings(
        self, leaflet_id: str, tag: str, source: dict[MessageKey, SourceMessage]
    ) -> list[Finding]:
        pot = self.project.pot_path(leaflet_id)
        where = str(pot.relative_to(self.project.root))
        if not pot.is_file():
            return [Finding(leaflet_id, tag, "-", "-", where, "missing; run polyleaf i18n extract")]
        try:
            keys = {message_key(m) for m in read_catalog(pot) if m.id}
        except CatalogError as error:
            return [Finding(leaflet_id, tag, "-", "-", where, error.detail)]
        return [
            Finding(
                leaflet_id,
                tag,
                key[0] or "-",
                shortened(key[1]),
                where,
                f"{what} in {pot.name}; run polyleaf i18n extract",
            )
            for what, differing in (
                ("missing", source.keys() - keys),
                ("stale", keys - source.keys()),
            )
            for key in sorted(differing, key=str)
        ]

    def check(self, leaflet_id: str, locale: LocaleInfo) -> list[Finding]:
        """The findings in one leaflet's catalog in one locale, and in the page
        furniture's catalogs for that locale (the source's own findings not included)."""
        if locale == self.project.source_locale:
            return []
        leaflet = self.project.leaflet(leaflet_id)
        path = self.project.catalog_path(leaflet_id, locale)
        relative = path.relative_to(self.project.root).as_posix()
        if not path.exists():
            return [
                Finding(
                    leaflet_id,
                    locale.tag,
                    "-",
                    "-",
                    relative,
                    f"no catalog; run polyleaf i18n init {locale.tag} --leaflet {leaflet_id}",
                )
            ]
        try:
            catalog = self.catalogs.get(leaflet_id, locale)
            source = self.source(leaflet_id)
            sections = leaflet.sections()
        except CatalogError as error:
            where = f"{relative}:{error.line}" if error.line else relative
            return [Finding(leaflet_id, locale.tag, "-", "-", where, error.detail)]
        except PolyleafError:
            return []  # the source's own finding says what is wrong
        assert catalog is not None
        findings: list[Finding] = []
        entries = {message_key(m): m for m in catalog if m.id}
        markdown = leaflet.kind == "markdown"
        for key, message in source.items():
            findings.extend(
                self._check_message(
                    leaflet_id, locale, relative, message, entries.get(key), sections, markdown
                )
            )
        for key, message in entries.items():
            if key not in source:
                findings.append(
                    Finding(
                        leaflet_id,
                        locale.tag,
                        key[0] or "-",
                        shortened(key[1]),
                        f"{relative}:{message.lineno}",
                        "stale: not in the leaflet any more; run polyleaf i18n update",
                    )
                )
        findings.extend(
            replace(finding, leaflet=leaflet_id) for finding in self._furniture_findings(locale)
        )
        return findings

    def hidden_findings(
        self, leaflet_id: str, locale: LocaleInfo, bilingual: bool, document: Document
    ) -> list[Finding]:
        """The safety messages that *document*, as laid out, does not visibly print
        (a layout or stylesheet hid, shrank, moved or faded them; polyleaf.visible).
        Both languages of a bilingual edition. Markdown leaflets only: a Jinja
        leaflet's messages are the template's own markup."""
        from polyleaf import visible

        leaflet = self.project.leaflet(leaflet_id)
        if leaflet.kind != "markdown":
            return []
        locales = [locale]
        if bilingual and locale != self.project.source_locale:
            locales.append(self.project.source_locale)
        messages: list[tuple[Finding, str]] = []
        for each in locales:
            translate = self.catalogs.translations(leaflet_id, each).markdown
            catalog = self.catalogs.get(leaflet_id, each)
            relative = self._where(self.project.catalog_path(leaflet_id, each))
            for segment, text in leaflet.document.safety_texts(translate):
                entry = catalog.get(segment.id, context=segment.context) if catalog else None
                where = (
                    f"{relative}:{entry.lineno}" if entry else f"{leaflet.relative}:{segment.line}"
                )
                finding = Finding(
                    leaflet_id,
                    each.tag,
                    segment.context or "-",
                    shortened(segment.id),
                    where,
                    "not visibly printed: the layout or stylesheet hides, shrinks, fades or "
                    f"moves it off the page ({leaflet.layout}, leaflet.css)",
                )
                if visible.comparable(text):
                    messages.append((finding, text))
        return visible.hidden(document, messages)

    def _furniture_findings(self, locale: LocaleInfo) -> tuple[Finding, ...]:
        """The page furniture's findings in *locale*, found once for all leaflets."""
        if locale.folder in self._furniture:
            return self._furniture[locale.folder]
        findings: list[Finding] = []
        try:
            catalogs = list(
                zip(
                    self.project.furniture_paths(locale),
                    self.catalogs.furniture(locale),
                    strict=True,
                )
            )
            source = self.furniture_source
        except CatalogError as error:
            where = f"{error.path}:{error.line}" if error.line else str(error.path)
            catalogs, source = [], {}
            findings.append(Finding("-", locale.tag, "-", "-", where, error.detail))
        except PolyleafError as error:
            catalogs, source = [], {}
            findings.append(Finding("-", locale.tag, "-", "-", "templates/", str(error)))
        for key, message in source.items():
            found = [
                (path, c[key[1], key[0]])
                for path, c in catalogs
                if c.get(key[1], context=key[0]) is not None
            ]
            usable = [(path, m) for path, m in found if in_use(m)]
            path, entry = (usable or found or [(None, None)])[0]
            where = self._where(path) if path else "-"
            required = any(Path(file).name in REQUIRED_LAYOUTS for file, _ in message.locations)
            findings.extend(
                self._check_message("-", locale, where, message, entry, {}, False, required)
            )
        self._furniture[locale.folder] = tuple(findings)
        return self._furniture[locale.folder]

    def _where(self, path: Path) -> str:
        if path.is_relative_to(self.project.root):
            return path.relative_to(self.project.root).as_posix()
        return "polyleaf/" + path.relative_to(LAYOUTS.parent).as_posix()

    def _check_message(
        self,
        leaflet_id: str,
        locale: LocaleInfo,
        relative: str,
        source: SourceMessage,
        message: Message | None,
        sections: dict[str, str],
        markdown: bool,
        required: bool = False,
    ) -> Iterable[Finding]:
        """*required*: a furniture message of REQUIRED_LAYOUTS (missing, empty or
        fuzzy is an error; left as the English, as "%(value)s mg" may well be, is not)."""
        safety = source.context in sections
        section = source.context if safety else "-"
        short = shortened(source.id)

        def finding(problem: str, severity: Severity = "error") -> Finding:
            where = f"{relative}:{message.lineno}" if message else source.where
            return Finding(leaflet_id, locale.tag, section, short, where, problem, severity)

        same_as_english: Severity = "error" if safety else "warning"
        untranslated: Severity = "error" if safety or required else "warning"
        if message is None:
            yield finding("missing from the catalog; run polyleaf i18n update", untranslated)
            return
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        plural = source.plural or (message.id[1] if isinstance(message.id, tuple) else None)
        if not any(form.strip() for form in forms):
            yield finding("empty translation", untranslated)
            return
        if message.fuzzy:
            yield finding("fuzzy: marked as needing review", untranslated)
            return
        if plural is not None:
            wanted = self._plural_count(locale)
            for index in range(wanted):
                if index >= len(forms) or not forms[index].strip():
                    yield finding(
                        f"plural form {index}: missing; {locale.tag} needs {wanted} forms, "
                        "all filled in"
                    )
            if len(forms) > wanted:
                yield finding(
                    f"plural forms: {locale.tag} has {wanted}, the catalog has {len(forms)}"
                )
        english = [source.id] if plural is None else [source.id, plural]
        for index, text in enumerate(forms):
            label = f"plural form {index}: " if plural is not None else ""
            if not text.strip():
                continue
            yield from (finding(label + p) for p in self._qa(locale, source.id, text))
            yield from (finding(label + p) for p in markup_problems(source.id, text, markdown))
            if text.strip() in (e.strip() for e in english) and not self._only_names(source.id):
                yield finding(label + "identical to the English", same_as_english)
            if not any(placeholders(text) == placeholders(e) for e in english):
                expected = _describe(placeholders(english[-1]))
                yield finding(
                    f"{label}placeholders differ: English has {expected}, "
                    f"translation has {_describe(placeholders(text))}"
                )
            elif stray_percent(text):
                yield finding(label + "a '%' outside a placeholder; write it as '%%'")
            if not any(numbers(text) == numbers(e) for e in english):
                yield finding(
                    f"{label}numbers differ: English has {_describe(numbers(source.id))}, "
                    f"translation has {_describe(numbers(text))}"
                )

    @staticmethod
    def _plural_count(locale: LocaleInfo) -> int:
        from babel.messages.plurals import get_plural

        return get_plural(locale.folder).num_plurals

    def laid_out_findings(self, leaflet_id: str) -> list[Finding]:
        """The source-language document laid out as the PDF would be: a safety
        message the project's layout or stylesheet does not visibly print. (A
        build checks every document so; this is what `check` can see at the cost
        of one layout per leaflet. CSS aimed at one language shows at build.)"""
        source = self.project.source_locale
        try:
            html = self._layouts.render(leaflet_id, source)
            document = self._writer.document(html)
        except PolyleafError:
            return []  # leaflet_findings says what is wrong
        return self.hidden_findings(leaflet_id, source, False, document)

    def check_all(
        self, leaflets: Iterable[str], locales: Iterable[LocaleInfo] | None = None
    ) -> list[Finding]:
        """Each leaflet's own findings once, then each of its locales' (those named,
        or every locale it has)."""
        chosen = list(locales) if locales is not None else None
        findings = []
        for leaflet_id in leaflets:
            findings.extend(self.leaflet_findings(leaflet_id) or self.laid_out_findings(leaflet_id))
            for locale in (
                chosen if chosen is not None else self.project.leaflet_locales(leaflet_id)
            ):
                findings.extend(self.check(leaflet_id, locale))
        return findings

    @cached_property
    def _english(self) -> frozenset[tuple[str, ...]]:
        texts = [msgid for source in self._all_sources() for _, msgid in source]
        return english_grams(texts, self.project.glossary.keep)

    def _all_sources(self) -> list[dict[MessageKey, SourceMessage]]:
        sources = []
        for leaflet_id in self.project.leaflets:
            try:
                sources.append(self.source(leaflet_id))
            except PolyleafError:
                continue
        sources.append(self.furniture_source)
        return sources

    def _unit_forms(self, folder: str) -> tuple[tuple[str, str], ...]:
        if folder not in self._units:
            self._units[folder] = units.forms_for(folder, self.project.glossary.units)
        return self._units[folder]

    def _only_names(self, text: str) -> bool:
        """Whether *text* is only placeholders, kept names and unit symbols, which a
        translation may rightly leave as they are ("%(value)s mg")."""
        text = PYTHON_FORMAT.sub("", text)
        for name in self.project.glossary.keep:
            text = text.replace(name, "")
        return not any(word not in UNIT_SYMBOLS for word in WORD.findall(text))

    def _qa(self, locale: LocaleInfo, source: str, text: str) -> Iterable[str]:
        glossary = self.project.glossary
        for name in glossary.keep:
            if name in source and name not in text:
                yield f"glossary: keep {name!r} as written"
        for term, forms in glossary.terms.items():
            english = forms["en"]
            if not any(fold(form) in fold(source) for form in _forms(english)):
                continue
            local = forms.get(locale.folder)
            if local is None:
                yield f"glossary: no {locale.folder} form for {term!r} in locales/glossary.toml"
            elif not any(fold(form) in fold(text) for form in _forms(local)):
                said = " or ".join(repr(form) for form in _forms(local))
                yield f"glossary: {term!r} is {said} in {locale.tag}"
        english_units = units.quantities(source, self._unit_forms("en"))
        local_units = units.quantities(text, self._unit_forms(locale.folder))
        if english_units != local_units:
            yield (
                f"units differ: English has {units.describe(english_units)}, translation has "
                f"{units.describe(local_units)} (another way {locale.tag} writes a unit goes "
                "in locales/glossary.toml under [units.<unit>])"
            )
        if text.strip() != source.strip():
            for run in english_runs(text, self._english, glossary.keep)[:1]:
                yield f"English left in the translation: {run!r}"
        families = families_for(locale)
        covered = coverage(families)
        for ch in sorted({ch for ch in set(text) if ord(ch) not in covered and _drawable(ch)}):
            name = unicodedata.name(ch, "unnamed")
            yield f"U+{ord(ch):04X} {ch!r} ({name}) is in none of the fonts: {', '.join(families)}"

    def errors(self, leaflet_id: str, locale: LocaleInfo) -> list[Finding]:
        """What stops *leaflet_id* in *locale* from building: its own errors and its source's."""
        findings = [*self.leaflet_findings(leaflet_id), *self.check(leaflet_id, locale)]
        return [f for f in findings if f.severity == "error"]
