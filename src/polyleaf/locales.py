"""Locale names, in the three spellings polyleaf meets.

Catalog folders use gettext names (``zh_Hans``), HTML ``lang``, PDF language
and file names use BCP 47 tags (``zh-Hans``), and Babel knows each locale's
display name, direction and script. A :class:`LocaleInfo` carries all three, so
no other module converts between them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.core import get_global

from polyleaf.errors import PolyleafError


@dataclass(frozen=True)
class LocaleInfo:
    folder: str  #: gettext spelling, the folder under locales/: "zh_Hans"
    babel: Locale

    @property
    def tag(self) -> str:
        """BCP 47 tag for HTML lang, PDF /Lang and file names: "zh-Hans"."""
        return self.folder.replace("_", "-")

    @property
    def direction(self) -> Literal["ltr", "rtl"]:
        return "rtl" if self.babel.text_direction == "rtl" else "ltr"

    @property
    def script(self) -> str:
        """ISO 15924 script code ("Latn", "Arab", "Hans", "Deva" ...)."""
        if self.babel.script:
            return self.babel.script
        likely = get_global("likely_subtags")
        full = likely.get(str(self.babel)) or likely.get(self.babel.language, "und_Latn")
        return full.split("_")[1]

    @property
    def language(self) -> str:
        """The language subtag as written in the folder name ("tl", not Babel's "fil")."""
        return self.folder.split("_")[0]

    @property
    def display_name(self) -> str:
        """The language in its own name and script: "العربية", "中文 (简体)"."""
        return self.babel.get_display_name() or self.folder

    @property
    def english_name(self) -> str:
        return self.babel.get_display_name("en") or self.folder


def normalize(name: str) -> str:
    """Turn a BCP 47 tag or gettext name into the gettext folder spelling."""
    return name.strip().replace("-", "_")


def locale_info(folder: str) -> LocaleInfo:
    """Describe the locale whose catalog folder is *folder*."""
    try:
        return LocaleInfo(folder=folder, babel=Locale.parse(folder))
    except (UnknownLocaleError, ValueError) as error:
        raise PolyleafError(
            f"locales/{folder}: not a locale Babel knows ({error}); "
            "name catalog folders like 'es' or 'zh_Hans'"
        ) from None
