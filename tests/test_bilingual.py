"""The bilingual edition: the patient's language beside English, section by section,
each language tagged with its own /Lang and whole in the text layer."""

from __future__ import annotations

from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from conftest import LEAFLET, polyleaf
from polyleaf.build import Builder, run
from polyleaf.catalogs import CatalogStore, leaflet_messages
from polyleaf.options import LeafletOptions, parse_edition
from polyleaf.project import Project
from test_gate import _fuzzy, damage
from text_layer import CHARACTER_SCRIPTS, words

PAIRS = ["ar", "zh-Hans", "hi"]
WARNING = "pregnancy-warning"


@pytest.fixture(scope="module")
def bilingual(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    project = Project.load(Path(__file__).parent.parent)
    out = tmp_path_factory.mktemp("bilingual")
    jobs = Builder(project).jobs(
        [project.find_locale(tag).folder for tag in PAIRS],
        LeafletOptions(bilingual=True),
        [LEAFLET],
    )
    outcomes = run(project, jobs, out)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes]
    return {o.job.tag: o.path for o in outcomes}


def _languages(pdf: pikepdf.Pdf) -> dict[str, set[str]]:
    """Structure type -> the languages its elements are in (inherited from parents)."""
    found: dict[str, set[str]] = {}

    def walk(element: object, language: str) -> None:
        if not isinstance(element, pikepdf.Dictionary) or "/S" not in element:
            return
        language = str(element.get("/Lang", language))
        found.setdefault(str(element["/S"]), set()).add(language)
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            walk(kid, language)

    kids = pdf.Root.StructTreeRoot.K
    for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
        walk(kid, str(pdf.Root.Lang))
    return found


@pytest.mark.parametrize("tag", PAIRS)
def test_both_languages_are_tagged_each_with_its_own_lang(
    bilingual: dict[str, Path], tag: str
) -> None:
    with pikepdf.open(bilingual[tag]) as pdf:
        assert str(pdf.Root.Lang) == tag
        languages = _languages(pdf)
    for kind in ("/TD", "/H2", "/H3", "/P"):
        assert languages[kind] == {tag, "en"}, (kind, languages[kind])


@pytest.mark.parametrize("tag", PAIRS)
def test_both_pregnancy_warnings_come_back_whole(bilingual: dict[str, Path], tag: str) -> None:
    project = Project.load(Path(__file__).parent.parent)
    text = "\n".join(page.extract_text() for page in PdfReader(bilingual[tag]).pages)
    english = "Isotretinoin is known to cause severe birth defects. Women who are pregnant"
    by_character = project.find_locale(tag).script in CHARACTER_SCRIPTS
    extracted = words(text, by_character)
    assert not words(english) - words(text), "English pregnancy warning"
    msgid = next(
        msgid
        for context, msgid in leaflet_messages(project.leaflet(LEAFLET))
        if context == WARNING and msgid.startswith("Isotretinoin is known")
    )
    translated = (
        CatalogStore(project)
        .translations(LEAFLET, project.find_locale(tag))
        .markdown(WARNING, msgid)
    )
    assert not words(translated, by_character) - extracted, f"{tag} pregnancy warning"


def test_english_brackets_read_in_order_under_an_arabic_root(bilingual: dict[str, Path]) -> None:
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(bilingual["ar"]).pages).split())
    assert "sebum (oil)" in text and "sebum )oil(" not in text


def test_each_section_pairs_with_its_english(bilingual: dict[str, Path]) -> None:
    """Section by section: the English heading is on the same page as the Arabic one."""
    project = Project.load(Path(__file__).parent.parent)
    arabic = CatalogStore(project).translations(LEAFLET, project.find_locale("ar"))
    for heading in ("Pregnancy Warning", "Avoid Alcohol", "Dosage and Treatment Duration"):
        context = {"Pregnancy Warning": "pregnancy-warning", "Avoid Alcohol": "alcohol"}.get(
            heading, "dosage"
        )
        local = arabic.markdown(context, heading)
        pages = [p.extract_text() for p in PdfReader(bilingual["ar"]).pages]
        english_pages = {i for i, page in enumerate(pages) if heading in " ".join(page.split())}
        arabic_pages = {i for i, page in enumerate(pages) if not words(local) - words(page)}
        assert english_pages and english_pages == arabic_pages, heading


def test_editions_name_bilingual_and_large_print() -> None:
    assert LeafletOptions(paper="a5", large_print=True, bilingual=True).edition == (
        "a5-large-bilingual"
    )
    assert parse_edition("A5-large-bilingual") == ("a5", True, True)
    assert parse_edition("letter") == ("letter", False, False)


def test_large_print_a5_bilingual_builds(tmp_path: Path) -> None:
    args = ["build", "--leaflet", LEAFLET, "--locale", "ar", "--bilingual", "--out", tmp_path]
    run = polyleaf(*args, "--paper", "a5", "--large-print")
    assert run.code == 0, run.stderr
    assert (tmp_path / LEAFLET / "ar" / f"{LEAFLET}-ar-a5-large-bilingual.pdf").is_file()


def test_the_gate_holds_a_bilingual_edition(project_copy: Path, tmp_path: Path) -> None:
    project = Project.load(project_copy)
    damage(project_copy, project.find_locale("ar"), WARNING, "Pregnancy Warning", _fuzzy)
    run = polyleaf(
        "--project",
        project_copy,
        "build",
        "--bilingual",
        "--leaflet",
        LEAFLET,
        "--locale",
        "ar",
        "--out",
        tmp_path,
    )
    assert run.code == 1 and f"{LEAFLET} · ar · {WARNING}" in run.stderr
    assert not list(tmp_path.rglob("*.pdf"))


def test_a_bilingual_order_row(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(
        f"clinic,leaflet,locale,paper,copies\ndefault,{LEAFLET},zh-Hans,a4-bilingual,2\n"
    )
    run = polyleaf("batch", orders, "--out", tmp_path / "out", "--jobs", "1")
    assert run.code == 0, run.stderr
    assert (
        tmp_path / "out" / LEAFLET / "zh-Hans" / f"{LEAFLET}-zh-Hans-a4-bilingual.pdf"
    ).is_file()


def test_source_language_alone_is_no_bilingual_edition(tmp_path: Path) -> None:
    run = polyleaf(
        "build", "--leaflet", LEAFLET, "--locale", "en", "--bilingual", "--out", tmp_path
    )
    assert run.code == 0 and "0 built" in run.stderr
    assert not list(tmp_path.rglob("*.pdf"))
