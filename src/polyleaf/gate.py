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
* warnings, which do not: an untranslated message outside safety sections
  (it prints in English).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Literal

from babel.messages.catalog import PYTHON_FORMAT, Message

from polyleaf.catalogs import (
    CatalogStore,
    MessageKey,
    SourceMessage,
    extract_messages,
    read_catalog,
)
from polyleaf.errors import CatalogError
from polyleaf.fonts import coverage, families_for
from polyleaf.locales import LocaleInfo
from polyleaf.project import Project

Severity = Literal["error", "warning"]
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
WORD = re.compile(r"[^\W\d_]+")
#: This many consecutive words shared with the English source mean a sentence
#: was left untranslated (three would catch lists of brand names).
ENGLISH_RUN = 4


@dataclass(frozen=True)
class Finding:
    locale: str
    section: str  #: required section id, or "-" outside safety sections
    message: str  #: the English message, shortened
    where: str  #: file:line of the catalog entry (or of the template, if missing)
    problem: str
    severity: Severity = "error"

    def __str__(self) -> str:
        return " · ".join((self.locale, self.section, self.message, self.where, self.problem))


def _short(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= width else flat[: width - 1] + "…")


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


def _words(text: str, keep: list[str]) -> list[str]:
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


class Gate:
    """Runs the checks for a project; holds the extracted template messages."""

    def __init__(self, project: Project, catalogs: CatalogStore | None = None) -> None:
        self.project = project
        self.catalogs = catalogs or CatalogStore(project)
        self.sections = project.section_contexts()

    @cached_property
    def source(self) -> dict[MessageKey, SourceMessage]:
        """The templates' messages, extracted when first needed (not for a no-change rebuild)."""
        return extract_messages(self.project)

    @cached_property
    def _template_findings(self) -> tuple[Finding, ...]:
        return tuple(self._find_template_problems())

    def template_findings(self) -> tuple[Finding, ...]:
        """Problems in the templates themselves, for every locale alike."""
        return self._template_findings

    def _find_template_problems(self) -> list[Finding]:
        findings = []
        source_tag = self.project.source_locale.tag
        contexts = {key[0] for key in self.source}
        for section, heading in self.sections.items():
            if section not in contexts:
                findings.append(
                    Finding(
                        source_tag,
                        section,
                        _short(heading),
                        "templates/",
                        "required section has no messages in the templates",
                    )
                )
            elif (section, heading) not in self.source:
                findings.append(
                    Finding(
                        source_tag,
                        section,
                        _short(heading),
                        "polyleaf.toml",
                        "the section's heading is not a message of that section",
                    )
                )
        findings.extend(self._pot_findings(source_tag))
        for context, msgid in self.source:
            if context is not None and context not in self.sections:
                message = self.source[(context, msgid)]
                findings.append(
                    Finding(
                        source_tag,
                        context,
                        _short(msgid),
                        message.where,
                        "unknown section context; declare it in polyleaf.toml "
                        "required_sections or remove it",
                    )
                )
        return findings

    def _pot_findings(self, source_tag: str) -> list[Finding]:
        pot = self.project.pot_path
        where = str(pot.relative_to(self.project.root))
        if not pot.is_file():
            return [Finding(source_tag, "-", "-", where, "missing; run polyleaf i18n extract")]
        keys = {(m.context, m.id) for m in read_catalog(pot) if m.id}
        return [
            Finding(
                source_tag,
                key[0] or "-",
                _short(key[1]),
                where,
                f"{what} in messages.pot; run polyleaf i18n extract",
            )
            for what, differing in (
                ("missing", self.source.keys() - keys),
                ("stale", keys - self.source.keys()),
            )
            for key in sorted(differing, key=str)
        ]

    def check(self, locale: LocaleInfo) -> list[Finding]:
        """The findings in one locale's catalog (template findings not included)."""
        findings: list[Finding] = []
        if locale == self.project.source_locale:
            return findings
        path = self.project.catalog_path(locale)
        relative = path.relative_to(self.project.root)
        try:
            catalog = self.catalogs.get(locale)
        except CatalogError as error:
            where = f"{relative}:{error.line}" if error.line else str(relative)
            return findings + [Finding(locale.tag, "-", "-", where, error.detail)]
        assert catalog is not None
        entries: dict[MessageKey, Message] = {
            (m.context, m.id): m for m in catalog if m.id and isinstance(m.id, str)
        }
        for key, source in self.source.items():
            message = entries.get(key)
            findings.extend(self._check_message(locale, relative, source, message))
        for key, message in entries.items():
            if key not in self.source:
                findings.append(
                    Finding(
                        locale.tag,
                        key[0] or "-",
                        _short(key[1]),
                        f"{relative}:{message.lineno}",
                        "stale: not in the templates any more; run polyleaf i18n update",
                    )
                )
        return findings

    def _check_message(
        self, locale: LocaleInfo, relative: object, source: SourceMessage, message: Message | None
    ) -> Iterable[Finding]:
        safety = source.context in self.sections
        section = source.context if safety else "-"
        short = _short(source.id)

        def finding(problem: str, severity: Severity = "error") -> Finding:
            where = f"{relative}:{message.lineno}" if message else source.where
            return Finding(locale.tag, section, short, where, problem, severity)

        if message is None:
            yield finding("missing from the catalog; run polyleaf i18n update")
            return
        text = message.string if isinstance(message.string, str) else " ".join(message.string)
        untranslated: Severity = "error" if safety else "warning"
        if not text.strip():
            yield finding("empty translation", untranslated)
            return
        if message.fuzzy:
            yield finding("fuzzy: marked as needing review", untranslated)
            return
        yield from (finding(problem) for problem in self._qa(locale, source.id, text))
        if text.strip() == source.id.strip() and not self._only_names(source.id):
            yield finding("identical to the English", untranslated)
        if placeholders(text) != placeholders(source.id):
            yield finding(
                f"placeholders differ: English has {_describe(placeholders(source.id))}, "
                f"translation has {_describe(placeholders(text))}"
            )
        elif stray_percent(text):
            yield finding("a '%' outside a placeholder; write it as '%%'")
        if numbers(text) != numbers(source.id):
            yield finding(
                f"numbers differ: English has {_describe(numbers(source.id))}, "
                f"translation has {_describe(numbers(text))}"
            )

    def check_all(self, locales: Iterable[LocaleInfo]) -> list[Finding]:
        """Template findings once, then each locale's."""
        findings = list(self.template_findings())
        for locale in locales:
            findings.extend(self.check(locale))
        return findings

    @cached_property
    def _english(self) -> frozenset[tuple[str, ...]]:
        return english_grams((msgid for _, msgid in self.source), self.project.glossary.keep)

    def _only_names(self, text: str) -> bool:
        for name in self.project.glossary.keep:
            text = text.replace(name, "")
        return not WORD.search(text)

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
        if text.strip() != source.strip():
            for run in english_runs(text, self._english, glossary.keep)[:1]:
                yield f"English left in the translation: {run!r}"
        families = families_for(locale)
        covered = coverage(families)
        for ch in sorted({ch for ch in set(text) if ord(ch) not in covered and _drawable(ch)}):
            name = unicodedata.name(ch, "unnamed")
            yield f"U+{ord(ch):04X} {ch!r} ({name}) is in none of the fonts: {', '.join(families)}"

    def errors(self, locale: LocaleInfo) -> list[Finding]:
        """What stops *locale* from building: its own errors and the templates'."""
        findings = [*self.template_findings(), *self.check(locale)]
        return [f for f in findings if f.severity == "error"]
