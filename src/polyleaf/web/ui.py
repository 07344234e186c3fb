"""The page's own languages: which one a request gets, and a Jinja environment for each.

Why one environment per language: Jinja's i18n extension installs gettext on
the environment, and the page is rendered from a thread pool, so installing a
request's language on a shared environment lets a concurrent request render
in it. Each language's environment is built the first time it is asked for
(under a lock), keeps its compiled template, and is never changed again.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.core import get_global, negotiate_locale
from jinja2 import Environment, FileSystemLoader

from polyleaf.catalogs import read_catalog

HERE = Path(__file__).parent
UI_LOCALES = HERE / "locales"
TEMPLATES = HERE / "templates"

#: Accept-Language entries considered, at most (the header is the client's to fill).
MAX_PREFERENCES = 16


def preferences(header: str) -> list[str]:
    """The tags of an Accept-Language header, most wanted first (RFC 9110 12.5.4).

    Entries with q=0 or a malformed q are dropped; ``*`` says nothing useful
    here and is skipped; equal weights keep the header's order.
    """
    weighted: list[tuple[float, int, str]] = []
    for index, part in enumerate(header.split(",")[:MAX_PREFERENCES]):
        tag, _, parameters = part.partition(";")
        tag = tag.strip()
        weight = 1.0
        for parameter in parameters.split(";"):
            name, _, value = parameter.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        if tag and tag != "*" and 0 < weight <= 1:
            weighted.append((-weight, index, tag))
    return [tag for _, _, tag in sorted(weighted)]


def _with_script(tag: str) -> list[str]:
    """*tag*, then language-script forms Babel infers: zh-TW -> zh-Hant, zh -> zh-Hans."""
    forms = [tag]
    try:
        locale = Locale.parse(tag, sep="-")
    except (UnknownLocaleError, ValueError, TypeError):
        return forms
    script = locale.script
    if script is None:  # a bare language: its likely script (CLDR likely subtags)
        likely = get_global("likely_subtags").get(locale.language, "")
        script = next((part for part in likely.split("_")[1:] if len(part) == 4), None)
    if script:
        forms.append(f"{locale.language}-{script}")
    return forms


def negotiate(wanted: list[str], available: list[str]) -> str | None:
    """The first of *available* that a tag of *wanted* asks for, by Babel's negotiation.

    Case is ignored, a region falls back to its language (pt-BR -> pt), and a
    region or a bare language is read with its script (zh-Hant-TW, zh-TW and
    zh-HK -> zh-Hant; zh-CN and zh -> zh-Hans).
    """
    spelled = {tag.lower(): tag for tag in available}
    candidates = [form for tag in wanted for form in _with_script(tag)]
    found = negotiate_locale(candidates, available, sep="-", aliases=None)
    return spelled.get(found.lower()) if found else None


class UiLanguages:
    """The page's catalogs (web/locales) and one Jinja environment per language."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._catalogs = {
            path.parent.parent.name.replace("_", "-"): path
            for path in sorted(UI_LOCALES.glob("*/LC_MESSAGES/web.po"))
        }
        self.tags = [source, *self._catalogs]
        self._environments: dict[str, Environment] = {}
        self._lock = threading.Lock()

    def choose(self, ui: str, accept_language: str) -> str:
        """The page language: ``?ui=`` if it names one, else the browser's, else the source."""
        wanted = ([ui] if ui else []) + preferences(accept_language)
        return negotiate(wanted, self.tags) or self.source

    def environment(self, tag: str) -> Environment:
        """*tag*'s environment, built once; a tag the page does not speak gets the source's."""
        tag = tag if tag in self.tags else self.source
        with self._lock:
            env = self._environments.get(tag)
            if env is None:
                env = self._environments[tag] = self._build(tag)
        return env

    def _build(self, tag: str) -> Environment:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES), autoescape=True, extensions=["jinja2.ext.i18n"]
        )
        env.policies["ext.i18n.trimmed"] = True
        path = self._catalogs.get(tag)
        strings = _strings(read_catalog(path)) if path else {}
        env.install_gettext_callables(  # type: ignore[attr-defined]
            gettext=lambda message: strings.get(message, message), ngettext=None, newstyle=True
        )
        return env


def _strings(catalog: Any) -> dict[str, str]:
    """Usable translations only: fuzzy and empty entries fall back to English, as in gettext."""
    if catalog is None:
        return {}
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
