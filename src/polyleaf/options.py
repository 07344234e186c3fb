"""What varies between two prints of the same leaflet in the same locale.

One model for the command line, the batch runner and the web app: a default
lives here and nowhere else. Each paper size is laid out for itself (its own
margins and type size), never scaled from another.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from polyleaf.errors import PolyleafError


@dataclass(frozen=True)
class Paper:
    css_size: str  #: the CSS page size
    width_mm: float
    margins_mm: tuple[float, float, float, float]  #: top, right, bottom, left
    body_pt: float  #: body text size; never below 9 pt
    #: A reviewed copy's margins, where its footer (code and revision, the review
    #: line, page X of Y side by side) needs more room than the paper's bottom
    #: margin: the top gives up the room the draft notice would take, so the
    #: text keeps its height and a copy keeps its pages when it is signed.
    reviewed_margins_mm: tuple[float, float, float, float] | None = None


PAPERS: dict[str, Paper] = {
    "a4": Paper("A4", 210, (18, 16, 20, 16), 11),
    "letter": Paper("letter", 215.9, (18, 16.5, 20, 16.5), 11),
    #: The top margin holds the colour band and the draft notice below it,
    #: which takes three lines of 9 pt in some languages on the narrow papers.
    "a5": Paper("A5", 148, (19, 11, 16, 11), 9.5),
    #: Pocket cards (an isotretinoin reminder card): declared by the leaflet.
    "a6": Paper("A6", 105, (19, 8, 17, 8), 9, reviewed_margins_mm=(12, 8, 24, 8)),
}
#: The clinic's colour band at the top of every page, inside the trimmed page.
BAND_MM = 4
#: The large-print edition's body text, on every paper.
LARGE_PRINT_PT = 16
MARKS = ("crop", "cross")
_LENGTH = re.compile(r"^(\d+(?:\.\d+)?)(mm|pt|in)$")
MAX_BLEED_MM = 10


LARGE = "-large"
BILINGUAL = "-bilingual"


def format_edition(paper: str, large_print: bool = False, bilingual: bool = False) -> str:
    return paper + (LARGE if large_print else "") + (BILINGUAL if bilingual else "")


def parse_edition(text: str) -> tuple[str, bool, bool]:
    """(paper, large print, bilingual) from an edition name such as "a4-large-bilingual";
    the paper is not checked here (LeafletOptions does)."""
    name = text.strip().lower()
    bilingual = name.endswith(BILINGUAL)
    name = name.removesuffix(BILINGUAL)
    large = name.endswith(LARGE)
    return name.removesuffix(LARGE), large, bilingual


def edition_names() -> list[str]:
    """Every edition name an order may ask for."""
    return [
        format_edition(paper, large, bilingual)
        for paper in PAPERS
        for bilingual in (False, True)
        for large in (False, True)
    ]


def _millimetres(length: str) -> float:
    match = _LENGTH.match(length.strip())
    if not match:
        raise PolyleafError(f"bad bleed {length!r}; write a length such as 3mm, 9pt or 0.125in")
    value, unit = float(match.group(1)), match.group(2)
    return value * {"mm": 1, "pt": 25.4 / 72, "in": 25.4}[unit]


@dataclass(frozen=True)
class LeafletOptions:
    paper: str = "a4"
    large_print: bool = False
    #: Bleed around the trimmed page, as a CSS length ("3mm"); "" for none.
    bleed: str = ""
    #: Printer's marks: "crop", "cross" or both.
    marks: tuple[str, ...] = field(default_factory=tuple)
    #: Clinic profile id (clinics/<id>.toml); "" for the project's default.
    clinic: str = ""
    #: Each section in the patient's language with the source language beside it.
    bilingual: bool = False

    def __post_init__(self) -> None:
        if self.paper not in PAPERS:
            raise PolyleafError(f"unknown paper {self.paper!r}; choose one of {', '.join(PAPERS)}")
        if self.bleed and not 0 <= _millimetres(self.bleed) <= MAX_BLEED_MM:
            raise PolyleafError(f"bleed {self.bleed!r} is more than {MAX_BLEED_MM}mm")
        for mark in self.marks:
            if mark not in MARKS:
                raise PolyleafError(f"unknown mark {mark!r}; choose crop and/or cross")
        object.__setattr__(self, "marks", tuple(sorted(set(self.marks))))

    @property
    def body_pt(self) -> float:
        return LARGE_PRINT_PT if self.large_print else PAPERS[self.paper].body_pt

    @property
    def edition(self) -> str:
        """A short name for file names and order rows: "a4", "a5-large", "a4-large-bilingual"."""
        return format_edition(self.paper, self.large_print, self.bilingual)

    def page_css(self, reviewed: bool = False) -> str:
        """The @page rule for this paper, bleed and marks; body size; the colour band.
        *reviewed*: for a reviewed translation (see ``Paper.reviewed_margins_mm``).

        The band is a fixed element (repeated on every page) reaching from the
        top edge of the bleed to BAND_MM inside the trimmed page, so a print
        shop can trim it without a white sliver.
        """
        paper = PAPERS[self.paper]
        margins = (reviewed and paper.reviewed_margins_mm) or paper.margins_mm
        top, right, bottom, left = margins
        bleed = _millimetres(self.bleed) if self.bleed else 0
        rules = [f"size: {paper.css_size}", f"margin: {top}mm {right}mm {bottom}mm {left}mm"]
        if self.bleed:
            rules.append(f"bleed: {self.bleed}")
        if self.marks:
            rules.append(f"marks: {' '.join(self.marks)}")
        band = (
            f".page-band {{ position: fixed; top: {-(top + bleed):.3f}mm; "
            f"left: {-(left + bleed):.3f}mm; width: {paper.width_mm + 2 * bleed:.3f}mm; "
            f"height: {BAND_MM + bleed:.3f}mm; }}"
        )
        return "\n".join(
            [
                "@page { " + "; ".join(rules) + "; }",
                f":root {{ font-size: {self.body_pt}pt; }}",
                band,
            ]
        )
