"""What a reader of the PDF gets: the sections, the page furniture, the tags,
the language, the fonts, the direction. Built once per session (conftest)."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from conftest import CARD, LEAFLET, Built, all_locales
from polyleaf.catalogs import CatalogStore
from polyleaf.fonts import FACES
from polyleaf.html import Renderer
from polyleaf.locales import LocaleInfo
from polyleaf.pdf import PdfWriter
from polyleaf.project import Project
from polyleaf.review import Status, document_review
from text_layer import CHARACTER_SCRIPTS, words

LOCALES = all_locales()
ids = [locale.tag for locale in LOCALES]


def squash(text: str) -> str:
    """Text without white space: line breaks fall differently in each script."""
    return re.sub(r"\s+", "", text)


def has_words(text: str, expected: str, by_character: bool = False) -> bool:
    """Every word of *expected* is in *text*.

    Word by word, because pypdf gives mixed right-to-left and left-to-right
    runs ("الصفحة 1 من 4") in the order they are drawn, not read.
    """
    return not words(expected, by_character) - words(text, by_character)


@cache
def reader(path: Path) -> PdfReader:
    return PdfReader(path)


@cache
def page_texts(path: Path) -> tuple[str, ...]:
    return tuple(page.extract_text() for page in reader(path).pages)


def translate(
    project: Project, locale: LocaleInfo, context: str | None, msgid: str, leaflet: str = LEAFLET
) -> str:
    return CatalogStore(project).translations(leaflet, locale).markdown(context, msgid)


def _pdf(built: Built, leaflet: str, tag: str) -> Path:
    return (built.paths if leaflet == LEAFLET else built.cards)[tag]


@pytest.mark.parametrize("leaflet", [LEAFLET, CARD])
@pytest.mark.parametrize("locale", LOCALES, ids=ids)
def test_every_required_section_heading_is_in_the_pdf(
    project: Project, built: Built, locale: LocaleInfo, leaflet: str
) -> None:
    by_character = locale.script in CHARACTER_SCRIPTS
    extracted = words("\n".join(page_texts(_pdf(built, leaflet, locale.tag))), by_character)
    for section, heading in project.leaflet(leaflet).sections().items():
        translated = translate(project, locale, section, heading, leaflet)
        missing = words(translated, by_character) - extracted
        assert not missing, f"{locale.tag} · {section}: {translated!r} lacks {list(missing)}"


@pytest.mark.parametrize("leaflet_id", [LEAFLET, CARD])
@pytest.mark.parametrize("locale", LOCALES, ids=ids)
def test_every_page_has_code_revision_and_page_x_of_y(
    project: Project, built: Built, locale: LocaleInfo, leaflet_id: str
) -> None:
    pages = page_texts(_pdf(built, leaflet_id, locale.tag))
    leaflet = project.leaflet(leaflet_id)
    page_of = translate(project, locale, None, "Page %(page)s of %(pages)s")
    draft = translate(
        project,
        locale,
        None,
        "Draft translation, not yet reviewed by a qualified medical translator",
    )
    review = document_review(CatalogStore(project), leaflet_id, locale)
    is_draft = review is not None and review.status is not Status.REVIEWED
    assert len(pages) >= 2
    for number, text in enumerate(pages, 1):
        flat = squash(text)
        assert leaflet.code in flat, f"page {number}"
        by_character = locale.script in CHARACTER_SCRIPTS
        page_x = page_of % {"page": number, "pages": len(pages)}
        assert has_words(text, page_x, by_character), f"page {number}"
        assert has_words(text, draft, by_character) == is_draft, f"page {number}: draft mark"


@pytest.mark.parametrize("locale", LOCALES, ids=ids)
def test_pdf_is_tagged_with_language_and_title(
    project: Project, built: Built, locale: LocaleInfo
) -> None:
    pdf = reader(built.paths[locale.tag])
    root = pdf.trailer["/Root"]
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712  (a pypdf BooleanObject)
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == locale.tag
    assert root["/ViewerPreferences"]["/DisplayDocTitle"] == True  # noqa: E712
    title = translate(
        project, locale, None, "Isotretinoin 20mg: The Ultimate Solution for Severe Acne"
    )
    assert pdf.metadata.title == title
    assert b"pdfuaid:part" in root["/Metadata"].get_data()


@cache
def pinned_font_names() -> frozenset[str]:
    """The names WeasyPrint gives the pinned faces in a PDF: "Noto-Sans-Bold"."""
    names = set()
    for face in FACES:
        family = face.family.replace(" ", "-")
        names |= {family, f"{family}-Bold"}
    return frozenset(names)


def _fonts(pdf: PdfReader) -> list[DictionaryObject]:
    fonts = []
    for page in pdf.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.extend(d.get_object() for d in font.get("/DescendantFonts", [font]))
    return fonts


@pytest.mark.parametrize("locale", LOCALES, ids=ids)
def test_every_font_is_embedded_and_pinned(built: Built, locale: LocaleInfo) -> None:
    fonts = _fonts(reader(built.paths[locale.tag]))
    assert fonts
    for font in fonts:
        descriptor = font["/FontDescriptor"]
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]
        name = str(font["/BaseFont"]).lstrip("/").split("+")[-1]
        assert name in pinned_font_names(), f"{name} is not a font polyleaf pins"


def _heading_levels(html: str) -> list[int]:
    return [int(level) for level in re.findall(r"<h([1-6])\b", html)]


@pytest.mark.parametrize("locale", LOCALES, ids=ids)
def test_headings_never_skip_a_level(project: Project, locale: LocaleInfo) -> None:
    levels = _heading_levels(Renderer(project).render(LEAFLET, locale))
    assert levels[0] == 1 and levels.count(1) == 1
    for before, after in zip(levels, levels[1:], strict=False):
        assert after <= before + 1, levels


def test_arabic_pdf_is_marked_right_to_left(project: Project, built: Built) -> None:
    html = Renderer(project).render(LEAFLET, project.find_locale("ar"))
    assert '<html lang="ar" dir="rtl">' in html
    assert reader(built.paths["ar"]).trailer["/Root"]["/Lang"] == "ar"


def test_same_inputs_same_bytes(project: Project, built: Built, tmp_path: Path) -> None:
    locale = project.find_locale("zh-Hans")
    target = tmp_path / "again.pdf"
    PdfWriter(project.root).write(Renderer(project).render(LEAFLET, locale), target)
    assert target.read_bytes() == built.paths["zh-Hans"].read_bytes()
