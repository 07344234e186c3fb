"""The PDF's text layer gives back the leaflet's words, in every script.

For every locale, every word of the leaflet body (as rendered to HTML) must
come back out of the PDF, in pypdf and in poppler's pdftotext; Chinese and
Japanese character by character. The only words allowed to come back
otherwise are those that text_layer names as reader quirks (a space moved
beside a left-to-right run in a right-to-left line, poppler dropping a
hyphen at a line end, a word hyphenated across a page break); they are
counted and printed with the figures at the end of the test run. (Without
polyleaf's text-layer stage, stock WeasyPrint 70 gave bn 24%, pa 63%, gu 67%
and hi 79% in pypdf; test_stock_weasyprint_loses_words shows the check sees
that damage.)
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import LEAFLET, Built, all_locales
from polyleaf import textlayer
from polyleaf.html import Renderer
from polyleaf.locales import LocaleInfo
from polyleaf.pdf import PdfWriter
from polyleaf.project import Project
from text_layer import (
    BIDI_SPACE,
    CHARACTER_SCRIPTS,
    LINE_END_HYPHEN,
    PAGE_BREAK_HYPHEN,
    Recall,
    body_text,
    recall,
)

FIGURES: dict[str, str] = {}
POPPLER_FIGURES: dict[str, str] = {}
LOCALES = all_locales()
needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="needs poppler-utils (./run)"
)


def pypdf_text(pdf: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)


def poppler_text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


def _measure(project: Project, locale: LocaleInfo, pdf_text: str) -> Recall:
    html = Renderer(project).render(LEAFLET, locale)
    by_character = locale.script in CHARACTER_SCRIPTS
    return recall(body_text(html), pdf_text, by_character, locale.direction == "rtl")


def _figure(result: Recall, locale: LocaleInfo) -> str:
    unit = "characters" if locale.script in CHARACTER_SCRIPTS else "words"
    quirks = "; ".join(f"{reason}: {count}" for reason, count in sorted(result.excused.items()))
    return f"{result.percent:6.2f}% {result.found}/{result.total} {unit} ({locale.script})" + (
        f"  [{quirks}]" if quirks else ""
    )


@pytest.mark.parametrize("locale", LOCALES, ids=[locale.tag for locale in LOCALES])
def test_pypdf_gives_back_every_word(project: Project, built: Built, locale: LocaleInfo) -> None:
    result = _measure(project, locale, pypdf_text(built.paths[locale.tag]))
    FIGURES[locale.tag] = _figure(result, locale)
    assert not result.missing, f"{locale.tag}: missing {result.missing.most_common(8)}"
    assert LINE_END_HYPHEN not in result.excused  # a poppler quirk only


@needs_poppler
@pytest.mark.parametrize("locale", LOCALES, ids=[locale.tag for locale in LOCALES])
def test_poppler_gives_back_every_word(project: Project, built: Built, locale: LocaleInfo) -> None:
    result = _measure(project, locale, poppler_text(built.paths[locale.tag]))
    POPPLER_FIGURES[locale.tag] = _figure(result, locale)
    assert not result.missing, f"{locale.tag}: missing {result.missing.most_common(8)}"


@pytest.mark.parametrize(
    ("tag", "reader"), [("hi", pypdf_text), ("bn", pypdf_text), ("ar", poppler_text)]
)
def test_stock_weasyprint_loses_words(
    project: Project, tmp_path: Path, tag: str, reader: Callable[[Path], str]
) -> None:
    """The check sees the damage the stage repairs: without it, words go missing
    (Arabic in Noto Naskh loses its marks in poppler; pypdf reads it whole)."""
    if reader is poppler_text and shutil.which("pdftotext") is None:
        pytest.skip("needs poppler-utils (./run)")
    locale = project.find_locale(tag)
    html = Renderer(project).render(LEAFLET, locale)
    textlayer.uninstall()
    try:
        PdfWriter(project.root).write(html, tmp_path / "stock.pdf")
    finally:
        textlayer.install()
    result = _measure(project, locale, reader(tmp_path / "stock.pdf"))
    assert sum(result.missing.values()) > 10, result


# The named quirks excuse a word only where the text shows that case.


def test_words_joined_beside_a_number_are_excused_in_right_to_left_text() -> None:
    result = recall("خذ 20 ملغ مرتين", "خذ 20 ملغمرتين", False, rtl=True)
    assert not result.missing and result.excused == {BIDI_SPACE: 2}


def test_words_joined_on_a_line_without_left_to_right_text_are_missing() -> None:
    result = recall("خذ كبسولة مرتين\nيوميًا 20", "خذ كبسولةمرتين\nيوميًا 20", False, rtl=True)
    assert result.missing == {"كبسولة": 1, "مرتين": 1}


def test_a_latin_name_split_from_its_arabic_prefix_is_excused_only_in_right_to_left_text() -> None:
    expected, extracted = "مثل Accutane وSotret", "مثل Accutaneو Sotret"
    assert not recall(expected, extracted, False, rtl=True).missing
    assert recall(expected, extracted, False, rtl=False).missing == {"Accutane": 1, "وSotret": 1}


def test_a_word_cut_in_two_is_missing_unless_hyphenated_at_a_page_break() -> None:
    assert recall("lasting skin", "last ing skin", False).missing == {"lasting": 1}
    result = recall("lasting skin", "last\u2010\nPage 1 of 2\ning skin", False)
    assert not result.missing and result.excused == {PAGE_BREAK_HYPHEN: 1}


def test_a_dropped_hyphen_is_excused_only_where_the_text_has_one() -> None:
    assert not recall("over-the-counter", "over-thecounter", False).missing
    assert recall("over the counter", "over thecounter", False).missing == {
        "the": 1,
        "counter": 1,
    }
