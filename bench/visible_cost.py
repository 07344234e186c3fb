"""Cost of the laid-out safety check (polyleaf.visible) per document.

    .venv/bin/python bench/visible_cost.py [ROUNDS]

Lays out the English, Arabic, Hindi and Simplified Chinese leaflets (and the
Arabic bilingual edition) once, then times the layout, the check of every
safety message against the laid-out text, and write_pdf, ROUNDS times each,
and prints the medians and the check's share of layout + write.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from polyleaf.gate import Gate
from polyleaf.html import Renderer
from polyleaf.options import LeafletOptions
from polyleaf.pdf import PDF_VARIANT, PdfWriter
from polyleaf.project import Project

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    project = Project.load(ROOT)
    renderer, writer, gate = Renderer(project), PdfWriter(project.root), Gate(project)
    editions = [(tag, False) for tag in ("en", "ar", "hi", "zh-Hans")] + [("ar", True)]
    for tag, bilingual in editions:
        locale = project.find_locale(tag)
        html = renderer.render("isotretinoin-20mg", locale, LeafletOptions(bilingual=bilingual))
        gate.hidden_findings("isotretinoin-20mg", locale, bilingual, writer.document(html))
        layouts, checks, writes = [], [], []
        for _ in range(rounds):
            start = time.perf_counter()
            document = writer.document(html)
            laid_out = time.perf_counter()
            hidden = gate.hidden_findings("isotretinoin-20mg", locale, bilingual, document)
            checked = time.perf_counter()
            document.write_pdf(pdf_variant=PDF_VARIANT)
            layouts.append(laid_out - start)
            checks.append(checked - laid_out)
            writes.append(time.perf_counter() - checked)
            assert not hidden, hidden
        layout, check, write = map(statistics.median, (layouts, checks, writes))
        name = f"{tag}{' bilingual' if bilingual else ''}"
        print(
            f"{name:12} {len(document.pages)} pages: layout {1000 * layout:.0f} ms, check "
            f"{1000 * check:.0f} ms, write_pdf {1000 * write:.0f} ms "
            f"(check +{100 * check / (layout + write):.1f}%)"
        )


if __name__ == "__main__":
    main()
