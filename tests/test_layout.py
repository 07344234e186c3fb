"""Layout in every script: nothing runs off the page, RTL sets from the right,
Korean keeps its words whole, Indic and Arabic text is shaped (not boxes)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from weasyprint.formatting_structure import boxes

from conftest import CARD, LEAFLET, PROJECT_FILES, ROOT, all_locales
from polyleaf import review
from polyleaf.catalogs import CatalogStore
from polyleaf.fonts import families_for
from polyleaf.html import Renderer, keep_hangul_words
from polyleaf.locales import LocaleInfo
from polyleaf.options import BAND_MM, PAPERS, LeafletOptions
from polyleaf.pdf import PdfWriter
from polyleaf.project import Project
from polyleaf.reviewfile import review_path

LOCALES = all_locales()


def walk(box: boxes.Box) -> Iterator[boxes.Box]:
    yield box
    for child in getattr(box, "children", None) or ():
        yield from walk(child)


@cache
def document(tag: str, leaflet: str = LEAFLET, options: LeafletOptions | None = None):  # noqa: ANN201
    project = Project.load(ROOT)
    locale = project.find_locale(tag)
    html = Renderer(project).render(leaflet, locale, options)
    return PdfWriter(project.root).document(html)


def assert_nothing_runs_off(document) -> None:  # noqa: ANN001
    """Every text between the side margins: a line in the margin is cut off at the trim."""
    for number, page in enumerate(document.pages, 1):
        page_box = page._page_box
        left = page_box.content_box_x()
        right = left + page_box.width
        for box in walk(page_box):
            if isinstance(box, boxes.TextBox) and box.text.strip():
                assert box.position_x >= left - 0.5, (number, box.text)
                assert box.position_x + box.width <= right + 0.5, (number, box.text)


@pytest.mark.parametrize("locale", LOCALES, ids=[locale.tag for locale in LOCALES])
def test_no_text_runs_off_the_page(locale: LocaleInfo) -> None:
    assert_nothing_runs_off(document(locale.tag))


#: Editions whose columns have the least room: the bilingual leaflet and the
#: A6 card, plain and bilingual, in each kind of script.
EDITIONS = [
    (leaflet, tag, LeafletOptions(paper=paper, large_print=large, bilingual=bilingual))
    for leaflet, paper in ((LEAFLET, "a4"), (CARD, "a6"))
    for tag in ("ar", "fa", "zh-Hans", "hi", "de")
    for bilingual, large in ((False, False), (True, False), (True, True))
    if (bilingual or leaflet == CARD) and not (large and leaflet == LEAFLET and tag != "ar")
]


@pytest.mark.parametrize(
    ("leaflet", "tag", "options"), EDITIONS, ids=[f"{e[0]}-{e[1]}-{e[2].edition}" for e in EDITIONS]
)
def test_no_text_runs_off_an_edition(leaflet: str, tag: str, options: LeafletOptions) -> None:
    assert_nothing_runs_off(document(tag, leaflet, options))


@pytest.mark.parametrize("tag", ["ar", "hi"])
def test_the_rule_of_the_bilingual_edition_runs_between_its_columns(tag: str) -> None:
    rows = [
        sorted(row.children, key=lambda cell: cell.position_x)
        for page in document(tag, LEAFLET, LeafletOptions(bilingual=True)).pages
        for row in walk(page._page_box)
        if isinstance(row, boxes.TableRowBox) and len(row.children) == 2
    ]
    assert rows
    for left, right in rows:
        assert left.border_left_width == right.border_right_width == 0, "a rule on the outside"
        assert left.border_right_width + right.border_left_width > 0, "no rule between"


@pytest.mark.parametrize("tag", ["ar", "zh-Hans", "hi"])
def test_the_english_of_the_bilingual_edition_is_set_in_its_own_font(tag: str) -> None:
    """Not in the Arabic, CJK or Devanagari font, whose Latin letters, hyphens and
    stops look wrong beside English set in Noto Sans."""
    families = {"en": set(), tag: set()}
    for page in document(tag, LEAFLET, LeafletOptions(bilingual=True)).pages:
        for cell in walk(page._page_box):
            if isinstance(cell, boxes.TableCellBox):
                language = "en" if cell.element.get("lang") == "en" else tag
                families[language] |= {
                    box.style["font_family"]
                    for box in walk(cell)
                    if isinstance(box, boxes.TextBox) and box.text.strip()
                }
    assert families["en"] == {("Noto Sans",)}
    assert families[tag] == {families_for(Project.load(ROOT).find_locale(tag))}


def test_korean_words_stay_whole(project: Project) -> None:
    assert keep_hangul_words("약 복용") == "약 복\u2060용"
    html = Renderer(project).render(LEAFLET, project.find_locale("ko"))
    whole_words = set(html.replace("\u2060", "").split())
    for page in document("ko").pages:
        for box in walk(page._page_box):
            if isinstance(box, boxes.LineBox):
                line = "".join(b.text for b in walk(box) if isinstance(b, boxes.TextBox))
                for word in line.replace("\u2060", "").split():
                    if "\uac00" <= word[-1] <= "\ud7a3" and "\uac00" <= word[0] <= "\ud7a3":
                        assert any(word in whole for whole in whole_words), word


def _h2_lines(tag: str) -> list[tuple[float, float, float, float]]:
    """(content left, content right, line left, line right) of each h2 on page 1."""
    found = []
    for box in walk(document(tag).pages[0]._page_box):
        if isinstance(box, boxes.BlockBox) and box.element_tag == "h2" and box.children:
            line, left = box.children[0], box.content_box_x()
            found.append((left, left + box.width, line.position_x, line.position_x + line.width))
    assert found
    return found


@pytest.mark.parametrize("tag", ["ar", "fa", "ur"])
def test_right_to_left_lines_start_at_the_right(tag: str) -> None:
    for left, right, line_left, line_right in _h2_lines(tag):
        assert line_right == pytest.approx(right, abs=0.5)
        assert line_left > left + 20


def test_left_to_right_lines_start_at_the_left() -> None:
    for left, right, line_left, line_right in _h2_lines("en"):
        assert line_left == pytest.approx(left, abs=0.5)
        assert line_right < right - 20


# -- the page furniture stays on the page -----------------------------------------


def _misplaced_text(pdf_document) -> list[str]:  # noqa: ANN001
    """Text drawn off the page, under the colour band at its top (where the
    draft notice, red on the band's colour, could not be read) or below 9 pt."""
    band = BAND_MM * 96 / 25.4
    misplaced = []
    for number, page in enumerate(pdf_document.pages, 1):
        page_box = page._page_box
        width, height = page_box.margin_width(), page_box.margin_height()
        for box in walk(page_box):
            if not (isinstance(box, boxes.TextBox) and box.text.strip()):
                continue
            x, y = box.position_x, box.position_y
            inside = -0.5 <= x and x + box.width <= width + 0.5 and y + box.height <= height + 0.5
            if y < band - 0.5 or not inside:
                misplaced.append(f"page {number}: {box.text!r} at ({x:.0f}, {y:.0f})")
            if box.style["font_size"] < 9 * 96 / 72 - 0.01:
                misplaced.append(f"page {number}: {box.text!r} at {box.style['font_size']}px")
    return misplaced


def _signed_copy(root: Path, messages: list[str] | None) -> Project:
    """A copy of the project at *root* with *messages* of the card (None: all)
    signed in every locale."""
    root.mkdir()
    for name in PROJECT_FILES:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
    project = Project.load(root)
    store = CatalogStore(project)
    for locale in project.locales[1:]:
        catalog = store.get(CARD, locale)
        path = review_path(project.catalog_path(CARD, locale))
        review.sign(catalog, path, "Dr Eva Sanz, medical translator", messages)
    return Project.load(root)


@pytest.fixture(scope="module")
def partly_reviewed(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of the project where one message of the card is signed in every
    locale, so each page carries the longer notice ("3 of 31 reviewed")."""
    return _signed_copy(tmp_path_factory.mktemp("partly") / "project", ["pregnancy-warning"])


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of the project where the card is reviewed in every locale, so its
    footer has three parts: code and revision, the review line, page X of Y."""
    return _signed_copy(tmp_path_factory.mktemp("reviewed") / "project", None)


@pytest.mark.parametrize("paper", sorted(PAPERS))
def test_the_draft_notice_and_footer_stay_on_the_page_and_off_the_band(
    partly_reviewed: Project, reviewed: Project, paper: str
) -> None:
    """Every locale, both draft notices (none reviewed, partly reviewed) and the
    review line, every paper: the card is short, and the furniture does not
    depend on the leaflet, nor on large print (whose body text is larger but
    whose furniture is not: the review line took the body's 16 pt)."""
    misplaced = {}
    for project in (Project.load(ROOT), partly_reviewed, reviewed):
        renderer = Renderer(project)
        for large_print in (False, True) if project is reviewed else (False,):
            options = LeafletOptions(paper=paper, large_print=large_print)
            for locale in project.locales:
                html = renderer.render(CARD, locale, options)
                found = _misplaced_text(PdfWriter(project.root).document(html))
                if found:
                    misplaced[f"{locale.tag} ({project.root.parent.name} {options.edition})"] = (
                        found[:2]
                    )
    assert not misplaced, misplaced
