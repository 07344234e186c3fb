"""A page that mixes scripts, bold, justified text, lists and numbers inside
right-to-left text: its text layer gives back its words in both readers."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT
from polyleaf.fonts import font_face_css
from polyleaf.pdf import PdfWriter
from text_layer import BIDI_SPACE, body_text, recall

PARAGRAPHS = {
    "en": "Take <b>one capsule</b> of Isotretinoin 20mg twice daily with food, for 15 to 20 weeks.",
    "hi": (
        "आइसोट्रेटिनॉइन 20mg दिन में <b>दो बार</b> भोजन के साथ लें। गर्भावस्था में इसे "
        "कभी न लें। सनस्क्रीन (SPF 30 या अधिक) रोज़ लगाएँ और शराब से बचें।"
    ),
    "ar": (
        "تناول كبسولة <b>إيزوتريتينوين 20 ملغ</b> مرتين يوميًا مع الطعام لمدة 15 إلى 20 "
        "أسبوعًا. استخدم واقي الشمس SPF 30 أو أعلى، ولا تتبرع بالدم."
    ),
}
ITEMS = {
    "en": ["Dry lips", "Nosebleeds"],
    "hi": ["होंठ सूखना", "नाक से खून आना", "सिरदर्द या चक्कर"],
    "ar": ["جفاف الشفاه", "نزيف الأنف", "الصداع 2 أو 3 مرات"],
}


def mixed_html() -> str:
    sections = []
    for lang, text in PARAGRAPHS.items():
        direction = "rtl" if lang == "ar" else "ltr"
        items = "".join(f"<li>{item}</li>" for item in ITEMS[lang])
        sections.append(
            f'<section lang="{lang}" dir="{direction}"><h2>{lang}</h2>'
            f'<p style="text-align: justify">{text} {text}</p><ul>{items}</ul></section>'
        )
    css = font_face_css(("Noto Sans", "Noto Sans Devanagari", "Noto Naskh Arabic"))
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Mixed</title>'
        f"<style>{css} @page {{ size: A5 }} body {{ font-size: 11pt }}</style></head>"
        f"<body><h1>Mixed scripts</h1>{''.join(sections)}</body></html>"
    )


@pytest.fixture(scope="module")
def mixed_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("mixed") / "mixed.pdf"
    PdfWriter(ROOT).write(mixed_html(), target)
    return target


def _words_of(lang: str) -> str:
    return body_text(f"<body>{PARAGRAPHS[lang]} {PARAGRAPHS[lang]} {' '.join(ITEMS[lang])}</body>")


def _extracted(pdf: Path, reader: str) -> str:
    if reader == "pypdf":
        return "\n".join(page.extract_text() for page in PdfReader(pdf).pages)
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.parametrize("reader", ["pypdf", "poppler"])
@pytest.mark.parametrize("lang", sorted(PARAGRAPHS))
def test_every_word_comes_back(mixed_pdf: Path, reader: str, lang: str) -> None:
    """Every word, in both readers; in Arabic, words beside the numbers and Latin
    names come back with the space moved (text_layer.BIDI_SPACE), as counted."""
    if reader == "poppler" and shutil.which("pdftotext") is None:
        pytest.skip("needs poppler-utils (./run)")
    result = recall(_words_of(lang), _extracted(mixed_pdf, reader), False, rtl=lang == "ar")
    assert not result.missing, result
    assert set(result.excused) <= {BIDI_SPACE}


def test_mixed_page_is_tagged(mixed_pdf: Path) -> None:
    root = PdfReader(mixed_pdf).trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"] == True  # noqa: E712
