"""The fonts polyleaf pins, and a fontconfig that sees nothing else.

Every glyph of every leaflet comes from a font shipped with polyleaf
(``polyleaf/fonts/``, static Noto instances with their licence) or from a
pinned PyPI font package. Fonts installed on the machine are never used: a
leaflet printed at one clinic must look like the same leaflet printed at
another, and a glyph that none of our fonts has must be an error, not a
silent fallback to whatever the machine happens to have.

Only static fonts are used: WeasyPrint re-instances a variable font on every
PDF, which costs about 1.5 s per document.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

from polyleaf.errors import PolyleafError
from polyleaf.locales import LocaleInfo

VENDORED = "polyleaf.fonts"


@dataclass(frozen=True)
class FontFace:
    family: str
    weight: int
    package: str  #: the Python package that ships the file
    filename: str

    @property
    def path(self) -> Path:
        try:
            return Path(str(files(self.package).joinpath(self.filename)))
        except ModuleNotFoundError:
            raise PolyleafError(
                f"font package {self.package} ({self.family}) is not installed; "
                "reinstall polyleaf with its dependencies (pip install -e .)"
            ) from None


FACES: tuple[FontFace, ...] = (
    FontFace("Noto Sans", 400, VENDORED, "NotoSans-Regular.ttf"),
    FontFace("Noto Sans", 700, VENDORED, "NotoSans-Bold.ttf"),
    FontFace("Noto Sans Devanagari", 400, VENDORED, "NotoSansDevanagari-Regular.ttf"),
    FontFace("Noto Sans Devanagari", 700, VENDORED, "NotoSansDevanagari-Bold.ttf"),
    FontFace("Noto Sans Bengali", 400, VENDORED, "NotoSansBengali-Regular.ttf"),
    FontFace("Noto Sans Bengali", 700, VENDORED, "NotoSansBengali-Bold.ttf"),
    FontFace("Noto Sans Gurmukhi", 400, VENDORED, "NotoSansGurmukhi-Regular.ttf"),
    FontFace("Noto Sans Gurmukhi", 700, VENDORED, "NotoSansGurmukhi-Bold.ttf"),
    FontFace("Noto Sans Gujarati", 400, VENDORED, "NotoSansGujarati-Regular.ttf"),
    FontFace("Noto Sans Gujarati", 700, VENDORED, "NotoSansGujarati-Bold.ttf"),
    FontFace("Noto Naskh Arabic", 400, VENDORED, "NotoNaskhArabic-Regular.ttf"),
    FontFace("Noto Naskh Arabic", 700, VENDORED, "NotoNaskhArabic-Bold.ttf"),
    FontFace("Noto Sans CJK", 400, "cvttf_NotoSansCJK_Regular", "NotoSansCJKtc-Regular.otf"),
    FontFace("Noto Sans CJK", 700, "cvttf_NotoSansCJK_Bold", "NotoSansCJKtc-Bold.otf"),
)

LATIN = "Noto Sans"

#: Font stack per ISO 15924 script; Latin text inside any script (names,
#: "SPF 30") falls through to Noto Sans.
SCRIPT_FAMILIES: dict[str, tuple[str, ...]] = {
    "Latn": (LATIN,),
    "Cyrl": (LATIN,),
    "Grek": (LATIN,),
    "Arab": ("Noto Naskh Arabic", LATIN),
    "Hans": ("Noto Sans CJK", LATIN),
    "Hant": ("Noto Sans CJK", LATIN),
    "Jpan": ("Noto Sans CJK", LATIN),
    "Kore": ("Noto Sans CJK", LATIN),
    "Deva": ("Noto Sans Devanagari", LATIN),
    "Beng": ("Noto Sans Bengali", LATIN),
    "Guru": ("Noto Sans Gurmukhi", LATIN),
    "Gujr": ("Noto Sans Gujarati", LATIN),
}

#: Where a language is not written like the rest of its script. Empty for now:
#: Urdu is set in Naskh (Noto Naskh Arabic covers every Urdu letter), not
#: Nastaliq, because WeasyPrint 70's text layer turns Noto Nastaliq Urdu into
#: the wrong letters (the shared-glyph problem of TEXT-LAYER.md) and a leaflet
#: must copy, search and read aloud as its real words. Noto Naskh Arabic is
#: also the Arabic-script font whose text layer came back best for ar, fa and
#: ur (99.4-99.6% of words, against 97.7-99.4% for IBM Plex Sans Arabic and
#: 96.8-99.3% for Amiri).
LANGUAGE_FAMILIES: dict[str, tuple[str, ...]] = {}


def families_for(locale: LocaleInfo) -> tuple[str, ...]:
    if locale.language in LANGUAGE_FAMILIES:
        return LANGUAGE_FAMILIES[locale.language]
    try:
        return SCRIPT_FAMILIES[locale.script]
    except KeyError:
        raise PolyleafError(
            f"{locale.tag}: polyleaf has no font for the {locale.script} script yet"
        ) from None


def faces_for(families: Iterable[str]) -> list[FontFace]:
    wanted = set(families)
    faces = [face for face in FACES if face.family in wanted]
    for face in faces:
        if not face.path.is_file():
            raise PolyleafError(
                f"font file missing: {face.path} ({face.family} {face.weight}); "
                "reinstall polyleaf with its font dependencies (pip install -e .)"
            )
    return faces


@cache
def _cmap(path: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    with TTFont(path, lazy=True) as font:
        # Glyph numbers stand in for glyph names: reading the names (the post
        # or CFF table) would take most of the time, and only code points count.
        font.setGlyphOrder([f"g{i}" for i in range(font["maxp"].numGlyphs)])
        return frozenset(font.getBestCmap())


@cache
def coverage(families: tuple[str, ...]) -> frozenset[int]:
    """Code points that every weight of the font stack *families* can draw.

    Cached: each locale asks for the same stack for every message it checks.
    """
    faces = faces_for(families)
    by_weight: dict[int, set[int]] = {}
    for face in faces:
        by_weight.setdefault(face.weight, set()).update(_cmap(face.path))
    return frozenset(set.intersection(*by_weight.values())) if by_weight else frozenset()


def pinned_font_paths() -> frozenset[Path]:
    """Every font file polyleaf pins, for the URL fetcher's allow-list."""
    return frozenset(face.path.resolve() for face in FACES)


def _stack(families: Iterable[str]) -> str:
    return ", ".join(f'"{family}"' for family in families)


def font_face_css(
    families: Iterable[str],
    url: Callable[[Path], str] = Path.as_uri,
    languages: Mapping[str, tuple[str, ...]] | None = None,
) -> str:
    """@font-face rules for *families* and the body font stack; *url* locates a file.

    *languages* gives elements in another language (``lang="en"`` cells of the
    bilingual edition) their own stack: under the Arabic or CJK stack, English
    would take its punctuation, hyphens and even letters from the Arabic or CJK font.
    """
    families = tuple(families)
    languages = languages or {}
    wanted = set(families).union(*languages.values())
    rules = [
        f'@font-face {{ font-family: "{face.family}"; font-weight: {face.weight}; '
        f'src: url("{url(face.path.resolve())}"); }}'
        for face in faces_for(wanted)
    ]
    rules.append(f":root {{ font-family: {_stack(families)}; }}")
    rules += [
        f'[lang="{tag}"] {{ font-family: {_stack(stack)}; }}' for tag, stack in languages.items()
    ]
    return "\n".join(rules)


FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <dir>{fonts}</dir>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""


@cache
def isolate_fontconfig() -> None:
    """Point fontconfig at polyleaf's own fonts only, before WeasyPrint loads.

    Must run before the first ``import weasyprint`` in the process: fontconfig
    reads ``FONTCONFIG_FILE`` once, when it initializes. The fonts of the
    machine are then invisible, so Pango can fall back only to pinned fonts.
    """
    folder = Path(tempfile.gettempdir()) / f"polyleaf-fontconfig-{os.getuid()}"
    (folder / "cache").mkdir(parents=True, exist_ok=True)
    config = folder / "fonts.conf"
    text = FONTCONFIG.format(fonts=files(VENDORED), cache=folder / "cache")
    if not config.is_file() or config.read_text() != text:
        temporary = config.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(text)
        temporary.replace(config)
    os.environ["FONTCONFIG_FILE"] = str(config)
