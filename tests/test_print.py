"""Print production: papers, large print, bleed and marks, clinic profiles, QR codes."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader
from weasyprint.formatting_structure import boxes

from conftest import LEAFLET, ROOT, polyleaf
from polyleaf.clinics import load_clinic
from polyleaf.errors import PolyleafError
from polyleaf.html import Renderer
from polyleaf.options import LeafletOptions
from polyleaf.pdf import PdfWriter
from polyleaf.project import Project

MM = 72 / 25.4
SIZES = {"a4": (210, 297), "letter": (215.9, 279.4), "a5": (148, 210)}
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="needs poppler-utils")


def walk(box: boxes.Box) -> Iterator[boxes.Box]:
    yield box
    for child in getattr(box, "children", None) or ():
        yield from walk(child)


def body_sizes(project: Project, options: LeafletOptions, tag: str = "en") -> list[float]:
    """Font sizes (pt) of the running text (paragraphs and list items) on every page."""
    html = Renderer(project).render(LEAFLET, project.find_locale(tag), options)
    document = PdfWriter(project.root).document(html)
    sizes = []
    for page in document.pages:
        for box in walk(page._page_box):
            if isinstance(box, boxes.TextBox) and box.element_tag in ("p", "li"):
                sizes.append(box.style["font_size"] * 0.75)  # CSS px -> pt
    return sizes


@pytest.mark.parametrize("paper", sorted(SIZES))
def test_each_paper_has_its_own_size_and_readable_text(
    project: Project, tmp_path: Path, paper: str
) -> None:
    run = polyleaf("build", "--locale", "fr", "--paper", paper, "--out", tmp_path)
    assert run.code == 0, run.stderr
    pdf = PdfReader(tmp_path / LEAFLET / "fr" / f"{LEAFLET}-fr-{paper}.pdf")
    width, height = SIZES[paper]
    for page in pdf.pages:
        assert float(page.mediabox.width) == pytest.approx(width * MM, abs=0.5)
        assert float(page.mediabox.height) == pytest.approx(height * MM, abs=0.5)
    assert min(body_sizes(project, LeafletOptions(paper=paper))) >= 9


def test_large_print_reflows_at_16pt(project: Project) -> None:
    normal = body_sizes(project, LeafletOptions(paper="a4"))
    large = body_sizes(project, LeafletOptions(paper="a4", large_print=True))
    assert min(large) >= 16 > max(normal)


@needs_poppler
def test_bleed_and_crop_marks(tmp_path: Path) -> None:
    run = polyleaf(
        "build",
        "--locale",
        "es",
        "--paper",
        "a5",
        "--clinic",
        "riverside",
        "--bleed",
        "3mm",
        "--marks",
        "crop",
        "--out",
        tmp_path,
    )
    assert run.code == 0, run.stderr
    path = tmp_path / LEAFLET / "es" / f"{LEAFLET}-es-a5-riverside.pdf"
    page = PdfReader(path).pages[0]
    trim, media = page.trimbox, page.mediabox
    assert float(trim.width) == pytest.approx(148 * MM, abs=0.5)
    assert float(media.width) == pytest.approx((148 + 6) * MM, abs=0.5)
    assert float(media.height) == pytest.approx((210 + 6) * MM, abs=0.5)
    subprocess.run(
        ["pdftoppm", "-r", "72", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "p")],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("RGB")
    accent = (0x1D, 0x6B, 0x4F)
    assert image.getpixel((image.width // 2, 1)) == accent  # the band runs into the bleed
    assert image.getpixel((image.width // 2, image.height // 2)) != accent


def write_profile(root: Path, text: str) -> None:
    (root / "clinics" / "test.toml").write_text(text)


@pytest.mark.parametrize(
    ("profile", "expected"),
    [
        ('name = "A"\nfax = "1"\n', "clinics/test.toml: fax: Extra inputs are not permitted"),
        (
            'name = "A"\naccent = "green"\n',
            "clinics/test.toml: accent: String should match pattern",
        ),
        (
            'name = "A"\nlogo = "clinics/none.svg"\n',
            "clinics/test.toml: logo: 'clinics/none.svg' does not exist",
        ),  # noqa: E501
        (
            'name = "A"\nlogo = "../../etc/hosts.svg"\n',
            "clinics/test.toml: logo: '../../etc/hosts.svg' is outside",
        ),  # noqa: E501
        (
            'name = "A"\nlogo = "polyleaf.toml"\n',
            "clinics/test.toml: logo: 'polyleaf.toml' is not a PNG or SVG",
        ),  # noqa: E501
        (
            'name = "A"\nleaflet_url = "ftp://x/{locale}"\n',
            "clinics/test.toml: leaflet_url: Value error, must start with https://",
        ),  # noqa: E501
    ],
)
def test_bad_clinic_profiles_name_file_and_key(
    project_copy: Path, profile: str, expected: str
) -> None:
    write_profile(project_copy, profile)
    with pytest.raises(PolyleafError) as error:
        load_clinic(Project.load(project_copy), "test")
    assert expected in str(error.value)
    run = polyleaf("--project", project_copy, "build", "--clinic", "test", "--locale", "en")
    assert run.code == 1 and expected in run.stderr and "Traceback" not in run.stderr


def test_unknown_clinic_lists_the_profiles() -> None:
    run = polyleaf("build", "--clinic", "nowhere", "--locale", "en")
    assert (
        run.code == 1 and "unknown clinic 'nowhere'; available: northgate, riverside" in run.stderr
    )


def test_clinic_profile_fills_the_contact_block_and_qr_code(project: Project) -> None:
    options = LeafletOptions(clinic="riverside")
    html = Renderer(project).render(LEAFLET, project.find_locale("ar"), options)
    clinic = load_clinic(project, "riverside")
    assert clinic.name in html and clinic.phone in html and clinic.emergency in html
    assert "https://riverside.example.org/leaflets/isotretinoin-20mg/ar.html" in html
    assert 'class="qr" src="data:image/svg+xml' in html
    assert (ROOT / clinic.logo).resolve().as_uri() in html


def test_no_qr_code_without_a_leaflet_url(project: Project) -> None:
    for clinic in ("northgate", ""):
        html = Renderer(project).render(
            LEAFLET, project.find_locale("en"), LeafletOptions(clinic=clinic)
        )
        assert 'class="qr"' not in html


def test_default_profile_is_neutral(project: Project) -> None:
    html = Renderer(project).render(LEAFLET, project.find_locale("en"))
    assert "Ask your doctor, nurse or pharmacist." in html and 'class="blank"' in html


def test_bad_bleed_and_marks() -> None:
    with pytest.raises(PolyleafError, match="bad bleed 'three'"):
        LeafletOptions(bleed="three")
    with pytest.raises(PolyleafError, match="more than 10mm"):
        LeafletOptions(bleed="2in")
    run = polyleaf("build", "--bleed", "lots", "--locale", "en")
    assert run.code == 1 and "bad bleed 'lots'" in run.stderr


def test_html_format_renders_the_same_with_the_weasyprint_command(tmp_path: Path) -> None:
    run = polyleaf(
        "build", "--locale", "hi", "--leaflet", LEAFLET, "--format", "html", "--out", tmp_path
    )
    assert run.code == 0, run.stderr
    html = tmp_path / LEAFLET / "hi" / f"{LEAFLET}-hi-a4.html"
    assert (tmp_path / "assets" / "leaflet.css").is_file()
    assert (tmp_path / "assets" / "NotoSansDevanagari-Regular.ttf").is_file()
    text = html.read_text()
    assert "file://" not in text and "../../assets/NotoSansDevanagari-Regular.ttf" in text
    weasyprint = Path(
        shutil.which("weasyprint") or Path(__import__("sys").executable).parent / "weasyprint"
    )
    subprocess.run(
        [str(weasyprint), "-q", str(html), str(tmp_path / "plain.pdf")], check=True, cwd=html.parent
    )
    pdf = PdfReader(tmp_path / "plain.pdf")
    ours = PdfReader(polyleaf_pdf(tmp_path, "hi"))
    assert len(pdf.pages) == len(ours.pages)


def polyleaf_pdf(tmp_path: Path, tag: str) -> Path:
    out = tmp_path / "pdf"
    assert polyleaf("build", "--locale", tag, "--out", out).code == 0
    return out / LEAFLET / tag / f"{LEAFLET}-{tag}-a4.pdf"
