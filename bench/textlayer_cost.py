"""Cost of the text-layer stage per page: write_pdf with and without it.

    .venv/bin/python bench/textlayer_cost.py [ROUNDS]

Renders the English, Hindi and Arabic leaflets and a dense page of Hindi once, then
writes each PDF ROUNDS times with the stage and ROUNDS times without,
alternating, and prints the median time per page and the difference.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from polyleaf import textlayer
from polyleaf.html import Renderer
from polyleaf.pdf import PDF_VARIANT, PdfWriter
from polyleaf.project import Project

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {"Latin leaflet (en)": "target <= +15%", "dense Hindi pages (8 pt)": "target <= +40%"}


def per_page(html: str, writer: PdfWriter, rounds: int) -> tuple[float, float, int]:
    timings: dict[bool, list[float]] = {True: [], False: []}
    pages = 0
    for _ in range(rounds):
        for stage in (True, False):
            (textlayer.install if stage else textlayer.uninstall)()
            document = writer.document(html)  # drawing happens in write_pdf
            pages = len(document.pages)
            start = time.perf_counter()
            document.write_pdf(pdf_variant=PDF_VARIANT)
            timings[stage].append((time.perf_counter() - start) / pages)
    textlayer.install()
    return statistics.median(timings[True]), statistics.median(timings[False]), pages


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    project = Project.load(ROOT)
    renderer, writer = Renderer(project), PdfWriter(project.root)
    hindi = project.find_locale("hi")
    leaflet = renderer.render("isotretinoin-20mg", hindi)
    body = leaflet.split("<body", 1)[1].split(">", 1)[1].split("</body>")[0]
    dense = leaflet.replace(body, f'<div style="font-size: 8pt">{body}</div>')
    cases = {
        "Latin leaflet (en)": renderer.render("isotretinoin-20mg", project.find_locale("en")),
        "Hindi leaflet (hi)": leaflet,
        "Arabic leaflet (ar)": renderer.render("isotretinoin-20mg", project.find_locale("ar")),
        "dense Hindi pages (8 pt)": dense,
    }
    for name, html in cases.items():
        with_stage, without, pages = per_page(html, writer, rounds)
        print(
            f"text-layer stage, {name}, {pages} pages: {1000 * with_stage:.1f} ms/page with, "
            f"{1000 * without:.1f} ms/page without: +{100 * (with_stage / without - 1):.0f}% "
            f"({TARGETS.get(name, 'no target')})"
        )


if __name__ == "__main__":
    main()
