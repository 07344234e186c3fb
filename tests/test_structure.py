"""Every PDF the tests build has a whole, well-formed PDF/UA structure tree.

The checker is tests/pdf_structure.py (pikepdf; the Matterhorn failure
conditions it covers are listed there and in the README). The fix it checks is
polyleaf.pdfua, applied by the writer; without it, today's WeasyPrint output
fails on both faults.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pikepdf
import pytest

from conftest import CARD, LEAFLET, Built, all_locales
from pdf_structure import check, kids
from polyleaf import pdf as pdf_module
from polyleaf import pdfua
from polyleaf.build import Builder, run
from polyleaf.errors import RenderError
from polyleaf.html import Renderer
from polyleaf.options import LeafletOptions
from polyleaf.pdf import PdfWriter
from polyleaf.personal import Personalisation
from polyleaf.project import Project

LOCALES = all_locales()
EDITION_LOCALES = ("en", "ar", "hi", "zh-Hans")
EDITIONS = {
    "clinic": LeafletOptions(clinic="riverside"),
    "large-print": LeafletOptions(paper="a5", large_print=True),
    "bleed-marks": LeafletOptions(bleed="3mm", marks=("crop", "cross")),
}


def assert_whole_tree(path: Path, lang: str, notice: bool) -> None:
    report = check(path, lang)
    assert not report.findings, "\n".join(report.findings[:20])
    with pikepdf.open(path) as pdf:
        assert pdf.check_pdf_syntax() == []  # qpdf --check
        pages = len(pdf.pages)
        document = kids(pdf.Root.StructTreeRoot)[0]
        first = kids(document)[0]
        page_one = pdf.pages[0].objgen
        # Leaflet code + revision, and Page X of Y, on every page (an artifact per
        # line); the notice too on every page but the first, where it is content.
        counts = [report.pagination.get(number, 0) for number in range(pages)]
        assert min(counts) >= 2, counts
        if notice and pages > 1:
            assert counts[0] < counts[1], counts
        if notice:
            assert first.S == "/P" and first.Pg.objgen == page_one


@pytest.mark.parametrize("locale", LOCALES, ids=[locale.tag for locale in LOCALES])
def test_every_locale_has_a_whole_tree(built: Built, locale) -> None:
    draft = locale != LOCALES[0]
    assert_whole_tree(built.paths[locale.tag], locale.tag, notice=draft)
    assert_whole_tree(built.cards[locale.tag], locale.tag, notice=draft)  # the A6 card


@pytest.fixture(scope="module")
def editions(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    out = tmp_path_factory.mktemp("editions")
    project = Project.load(Path(__file__).resolve().parent.parent)
    builder = Builder(project)
    jobs = [
        job
        for options in EDITIONS.values()
        for job in builder.jobs(
            [project.find_locale(tag).folder for tag in EDITION_LOCALES], options, [LEAFLET]
        )
    ]
    outcomes = run(project, jobs, out)
    assert all(outcome.ok for outcome in outcomes), [o.error for o in outcomes if not o.ok]
    names = {options: name for name, options in EDITIONS.items()}
    return {(names[o.job.options], o.job.tag): o.path for o in outcomes}


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("tag", EDITION_LOCALES)
def test_every_edition_has_a_whole_tree(editions, edition: str, tag: str) -> None:
    assert_whole_tree(editions[edition, tag], tag, notice=tag != "en")


def test_clinic_logo_and_qr_are_figures_with_alt(editions) -> None:
    with pikepdf.open(editions["clinic", "ar"]) as pdf:
        pending, figures = list(kids(pdf.Root.StructTreeRoot)), []
        while pending:
            element = pending.pop()
            if isinstance(element, pikepdf.Dictionary) and "/S" in element:
                if element.S == "/Figure":
                    figures.append(str(element.Alt))
                pending.extend(kids(element))
    assert len(figures) == 2 and all(figures), figures


def test_a_reviewed_translation_reads_its_review_line_first(project_copy: Path, tmp_path) -> None:
    from polyleaf import review
    from polyleaf.catalogs import read_catalog
    from polyleaf.reviewfile import review_path

    catalog = project_copy / "locales" / "es" / "LC_MESSAGES" / f"{LEAFLET}.po"
    signer = "Dr Ana Ruiz, certified medical translator"
    review.sign(read_catalog(catalog, locale="es"), review_path(catalog), signer)
    project = Project.load(project_copy)
    html = Renderer(project).render(LEAFLET, project.find_locale("es"))
    assert "@bottom-center" in html and "@top-center" not in html
    target = tmp_path / "es.pdf"
    PdfWriter(project.root).write(html, target)
    assert_whole_tree(target, "es", notice=True)


@pytest.mark.parametrize(
    ("leaflet", "tag", "options"),
    [
        (LEAFLET, "es", LeafletOptions()),
        (LEAFLET, "ar", LeafletOptions(paper="a5", large_print=True)),
        (LEAFLET, "ar", LeafletOptions(bilingual=True)),
        (CARD, "zh-Hans", LeafletOptions(paper="a6")),
    ],
    ids=["es", "ar-a5-large", "ar-bilingual", "card-zh-Hans"],
)
def test_a_personalised_copy_has_a_whole_tree(
    leaflet: str, tag: str, options: LeafletOptions, tmp_path: Path
) -> None:
    """Rendered in memory, never written by the build: repaired all the same."""
    project = Project.load(Path(__file__).resolve().parent.parent)
    builder = Builder(project)
    job = builder.jobs([project.find_locale(tag).folder], options, [leaflet])[0]
    personal = Personalisation.model_validate(
        {
            "patient_name": "Ana Ruiz",
            "dose": {
                "form": "capsule",
                "count": 2,
                "strength": 20,
                "unit": "mg",
                "frequency": "twice_a_day",
            },
        }
    )
    target = tmp_path / "copy.pdf"
    target.write_bytes(builder.personalised(job, personal))
    assert_whole_tree(target, tag, notice=True)


# -- the fix: what it repairs, and what it leaves alone ----------------------


@pytest.fixture(scope="module")
def unrepaired() -> dict[str, tuple[bytes, str | None]]:
    """Today's WeasyPrint output, before polyleaf.pdfua, with its notice."""
    project = Project.load(Path(__file__).resolve().parent.parent)
    renderer, writer = Renderer(project), PdfWriter(project.root)
    result = {}
    for tag in ("en", "ar"):
        document = writer.document(renderer.render(LEAFLET, project.find_locale(tag)))
        result[tag] = (
            document.write_pdf(pdf_variant=pdf_module.PDF_VARIANT),
            pdf_module.notice(document),
        )
    return result


@pytest.mark.parametrize("tag", ["en", "ar"])
def test_the_check_fails_without_the_fix(unrepaired, tag: str, tmp_path: Path) -> None:
    path = tmp_path / "raw.pdf"
    path.write_bytes(unrepaired[tag][0])
    findings = check(path, tag).findings
    assert any(f.startswith("01-005") and "not reachable from the root" in f for f in findings)
    assert any(f.startswith("09-005") and "P inside LI" in f for f in findings)
    if tag == "ar":
        assert any(f.startswith("09-005") and "Lbl inside LBody" in f for f in findings)


def test_repair_is_idempotent(unrepaired) -> None:
    raw, notice = unrepaired["ar"]
    once = pdfua.repair(raw, notice)
    assert once != raw
    assert pdfua.repair(once, notice) == once
    assert pdfua.repair(raw, notice) == once  # same inputs, same bytes


@pytest.mark.parametrize("notice", ["Not the notice", "Page"])
def test_a_notice_that_is_not_there_fails(unrepaired, notice: str) -> None:
    with pytest.raises(RenderError, match="found 0 times on page 1"):
        pdfua.repair(unrepaired["ar"][0], notice)


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils not installed")
@pytest.mark.parametrize("tag", ["en", "ar"])
def test_repair_keeps_text_layer_and_pages(unrepaired, tag: str, tmp_path: Path) -> None:
    raw, notice = unrepaired[tag]
    outputs = {}
    for name, data in (("raw", raw), ("repaired", pdfua.repair(raw, notice))):
        path = tmp_path / f"{name}.pdf"
        path.write_bytes(data)
        text = subprocess.run(["pdftotext", path, "-"], capture_output=True, check=True).stdout
        subprocess.run(["pdftoppm", "-png", "-r", "60", path, tmp_path / name], check=True)
        pages = [png.read_bytes() for png in sorted(tmp_path.glob(f"{name}-*.png"))]
        outputs[name] = text, pages
    assert outputs["raw"] == outputs["repaired"]
