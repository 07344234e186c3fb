"""Cost of the PDF/UA structure repair (polyleaf.pdfua) per document.

    .venv/bin/python bench/pdfua_cost.py [ROUNDS]

Renders the English, Arabic, Hindi and Simplified Chinese leaflets once, then
times write_pdf and pdfua.repair on each ROUNDS times and prints the medians.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from polyleaf import pdfua
from polyleaf.html import Renderer
from polyleaf.pdf import PDF_VARIANT, PdfWriter, notice
from polyleaf.project import Project

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    project = Project.load(ROOT)
    renderer, writer = Renderer(project), PdfWriter(project.root)
    for tag in ("en", "ar", "hi", "zh-Hans"):
        document = writer.document(renderer.render("isotretinoin-20mg", project.find_locale(tag)))
        text = notice(document)
        writes, repairs = [], []
        for _ in range(rounds):
            start = time.perf_counter()
            data = document.write_pdf(pdf_variant=PDF_VARIANT)
            middle = time.perf_counter()
            pdfua.repair(data, text)
            writes.append(middle - start)
            repairs.append(time.perf_counter() - middle)
        write, repair = statistics.median(writes), statistics.median(repairs)
        print(
            f"{tag:8} {len(document.pages)} pages, {len(data) // 1024} KiB: write_pdf "
            f"{1000 * write:.0f} ms, repair {1000 * repair:.0f} ms (+{100 * repair / write:.0f}%)"
        )


if __name__ == "__main__":
    main()
