"""The text-layer stage changes what the PDF says, never what it shows."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import weasyprint

from conftest import LEAFLET
from polyleaf import textlayer
from polyleaf.engine import SUPPORTED_WEASYPRINT
from polyleaf.errors import RenderError
from polyleaf.html import Renderer
from polyleaf.pdf import PdfWriter
from polyleaf.project import Project

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="poppler-utils not installed (./run installs it)"
)


def test_weasyprint_is_the_tested_release() -> None:
    """The stage relies on WeasyPrint internals: another release must be re-tested."""
    assert weasyprint.__version__ in SUPPORTED_WEASYPRINT, (
        f"WeasyPrint {weasyprint.__version__}: re-test polyleaf/textlayer.py, then update "
        "SUPPORTED_WEASYPRINT (polyleaf/engine.py) and the lock"
    )
    from weasyprint.draw import text
    from weasyprint.pdf import fonts

    assert text.draw_first_line is textlayer.draw_first_line
    assert fonts._build_vector_font_dictionary is textlayer.build_vector_font_dictionary


def _pages(pdf: Path, folder: Path) -> list[bytes]:
    folder.mkdir()
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(pdf), str(folder / "p")], check=True)
    return [page.read_bytes() for page in sorted(folder.glob("*.png"))]


@needs_poppler
@pytest.mark.parametrize("tag", ["hi", "bn", "pa", "gu", "ar", "fa", "ur", "en"])
def test_pages_look_the_same_with_and_without_the_stage(
    project: Project, tmp_path: Path, tag: str
) -> None:
    html = Renderer(project).render(LEAFLET, project.find_locale(tag))
    with_stage = tmp_path / "with.pdf"
    stock = tmp_path / "stock.pdf"
    PdfWriter(project.root).write(html, with_stage)
    textlayer.uninstall()
    try:
        PdfWriter(project.root).write(html, stock)
    finally:
        textlayer.install()
    assert with_stage.read_bytes() != stock.read_bytes() or tag == "en"
    assert _pages(with_stage, tmp_path / "a") == _pages(stock, tmp_path / "b")


def test_a_mark_whose_carrier_cannot_be_drawn_fails_the_document(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Never a text layer that silently lost a mark: the document is refused."""
    monkeypatch.setattr(textlayer._LineWriter, "_with_carriers", lambda self, text: text)
    html = Renderer(project).render(LEAFLET, project.find_locale("ar"))
    target = tmp_path / "ar.pdf"
    with pytest.raises(RenderError, match="marks drawn without their text"):
        PdfWriter(project.root).write(html, target)
    assert not target.exists()
