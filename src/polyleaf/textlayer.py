"""A text layer that gives back the words of every script.

Why this exists: WeasyPrint 70 writes one ToUnicode entry per glyph id, and the
first place a glyph is drawn decides its text for the whole document. In
Indic scripts a glyph is drawn in clusters with different texts (the consonant
of "लि" is also the consonant of "ल"), and vowel signs such as ि are drawn
before their consonant, so the text layer comes back with letters swapped and
words split ("पहले" -> "पहलिे"). The ink is right; copy, search and screen
readers get the wrong words. See ../shared/TEXT-LAYER.md (measured facts) and
Kozea/WeasyPrint#2841.

What it does: before WeasyPrint draws a line, each glyph occurrence is given
the text it stands for in that cluster, in reading order (the cluster's text
spread over its glyphs that have width). Where the glyph id is already mapped
to other text, the occurrence gets a character code of its own above the
font's glyph count (an *alias*), whose ToUnicode entry is that text and which
a ``/CIDToGIDMap`` maps back to the real glyph, with the same width. The
appearance does not change: the same glyphs are drawn at the same places.

Marks drawn off the pen (Arabic harakat raised or lowered on their letter, a
Gurmukhi bindi drawn right of the pen) keep their ink but give their text to
a *carrier*: an alias of the font's space glyph, which has no ink, drawn on the
baseline just before the next glyph, with a move back by its width so the pen
ends where it was. Readers meet the mark's text right after its base letter;
poppler otherwise reads a glyph off the baseline as a word of its own. A
two-part vowel sign (Bengali ো) whose left half HarfBuzz puts in the
consonant's cluster is mapped with the vowel's cluster, so no glyph with
width is left without text.

WeasyPrint internals relied on (the releases tested are
``polyleaf.engine.SUPPORTED_WEASYPRINT``; nothing renders with another, and
tests fail on an upgrade that changes them):

* ``weasyprint.draw.text.draw_first_line`` (wrapped), the Pango glyph strings
  it reads (``glyphs[i].glyph``, ``log_clusters``, ``item.offset/length``,
  ``analysis.level``), ``Stream.add_font`` and ``Font.to_unicode``/``widths``;
* ``Font.clean`` (wrapped: subsetting keeps the aliased glyphs);
* ``weasyprint.pdf.fonts._build_vector_font_dictionary`` (wrapped: adds the
  ``/CIDToGIDMap`` to the CIDFontType2 dictionary it creates);
* the strings draw_first_line passes to ``Stream.show_text`` (TJ arrays of
  4-digit hex codes and moves) and its ``set_font_size``/``set_text_rise``
  calls, read while a line with carriers is drawn; WeasyPrint draws HTML text
  in fill mode only, so an inkless glyph stays inkless;
* ``Font.hb_font``, asked for the space glyph through HarfBuzz's
  ``hb_font_get_nominal_glyph`` (declared here on WeasyPrint's cffi handle).

Safety: a line whose glyph plan does not give back exactly the line's text
(for instance with ``text-overflow: ellipsis``, or an unknown glyph) is left
as WeasyPrint draws it and logged; the stage never writes a wrong mapping.
Only TrueType-outline fonts take aliases: CFF fonts (the CJK font) have no
``/CIDToGIDMap``, and their text layer is already exact.
"""

from __future__ import annotations

import logging
import math
import re
import struct
import unicodedata
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

import pydyf
from weasyprint.draw import text as draw_text
from weasyprint.pdf import fonts as pdf_fonts
from weasyprint.text.ffi import FROM_UNITS, ffi, harfbuzz, pango

LOGGER = logging.getLogger("polyleaf.textlayer")
#: A line whose glyphs this stage cannot map back to their text (a cluster split
#: in two, say): left to WeasyPrint, it would copy, search and read aloud wrong.
UNPLANNED = (
    "text layer: cannot map the glyphs of %r back to their letters, so the PDF would "
    "read as other words; report this line (and its locale) as a polyleaf bug"
)
EMPTY = pango.PANGO_GLYPH_EMPTY
UNKNOWN = pango.PANGO_GLYPH_UNKNOWN_FLAG
MAX_CODE = 0xFFFF
if not hasattr(harfbuzz, "hb_font_get_nominal_glyph"):  # not declared by WeasyPrint 70
    ffi.cdef(
        "hb_bool_t hb_font_get_nominal_glyph"
        " (hb_font_t *font, hb_codepoint_t unicode, hb_codepoint_t *glyph);"
    )


@dataclass
class _Aliases:
    """Alias codes of one WeasyPrint Font: (glyph, text) -> code, code -> glyph."""

    codes: dict[tuple[int, str], int] = field(default_factory=dict)
    glyphs: dict[int, int] = field(default_factory=dict)


def _aliases(font: Any) -> _Aliases:
    if not hasattr(font, "polyleaf_aliases"):
        font.polyleaf_aliases = _Aliases()
    return font.polyleaf_aliases


@dataclass(slots=True)
class _Occurrence:
    glyphs: Any  #: the PangoGlyphString; its glyph *index* is replaced while drawing
    index: int
    glyph: int
    text: str
    width: int = 0  #: Pango's advance (0 for a mark placed on its base)
    x_offset: int = 0  #: Pango's horizontal offset
    drawn: int = -1  #: the code drawn instead of the glyph, when an alias
    carried: str = ""  #: a mark's text, carried on the baseline (see _carry_marks)
    carrier: int = -1  #: the code of the glyph that carries it
    font: str = ""  #: the hash of the WeasyPrint font drawing it

    def draw_as(self, code: int) -> None:
        self.glyphs.glyphs[self.index].glyph = self.drawn = code

    def restore(self) -> None:
        self.glyphs.glyphs[self.index].glyph = self.glyph


def _spread(text: str, count: int) -> list[str]:
    """*text* split over *count* glyphs in reading order, none empty if possible."""
    if len(text) < count:
        decomposed = unicodedata.normalize("NFD", text)
        if len(decomposed) > len(text):
            text = decomposed
    return [text[i * len(text) // count : (i + 1) * len(text) // count] for i in range(count)]


#: Scripts whose clusters can hold several glyphs or reorder them (Hebrew,
#: Arabic, Indic, South-East Asian), and the brackets a right-to-left run draws
#: mirrored: there the glyph of ")" carries the text "(", and WeasyPrint's
#: first-use mapping would then read an English "(oil)" in an Arabic document
#: (a bilingual leaflet) as ")oil(". Runs without them keep WeasyPrint's
#: mapping, which is exact for them, and cost nothing.
COMPLEX = re.compile("[\u0590-\u0dff\u0e00-\u0fff\u1000-\u109f\u1780-\u17ff()\\[\\]{}«»‹›]")
_GLYPH_INFO = struct.Struct(f"=Iiii{ffi.sizeof('PangoGlyphInfo') - 16}x")


def _read_glyphs(glyphs: Any) -> tuple[list[int], list[int], list[int]]:
    """Glyph ids, widths and x offsets of a Pango glyph string, read in one go."""
    data = ffi.buffer(glyphs.glyphs, _GLYPH_INFO.size * glyphs.num_glyphs)
    rows = list(_GLYPH_INFO.iter_unpack(data))
    return [row[0] for row in rows], [row[1] for row in rows], [row[2] for row in rows]


def _plan_run(glyph_item: Any, utf8: bytes, known: dict[int, str]) -> list[_Occurrence] | None:
    """Text per glyph occurrence of one run, or None when the run can't be planned.

    *known*: the font's glyph -> text mapping so far.
    """
    item, glyphs = glyph_item.item, glyph_item.glyphs
    ids, widths, offsets = _read_glyphs(glyphs)
    clusters = ffi.unpack(glyphs.log_clusters, glyphs.num_glyphs)
    rtl = item.analysis.level % 2 == 1
    # Pango keeps a cluster's glyphs together: consecutive indexes, one start each.
    count = len(clusters)
    firsts = [i for i in range(count) if i == 0 or clusters[i] != clusters[i - 1]]
    starts = [clusters[i] for i in firsts]
    ordered = sorted(starts)
    if len(set(ordered)) != len(ordered):
        return None  # a cluster split in two: not what this stage knows how to map
    ends = dict(zip(ordered, [*ordered[1:], item.length], strict=True))
    base = item.offset
    run_bytes = utf8[base : base + item.length]
    try:
        clustered: list[tuple[str, Sequence[int]]] = [
            (run_bytes[start : ends[start]].decode(), range(first, last))
            for start, first, last in zip(starts, firsts, [*firsts[1:], count], strict=True)
        ]
    except UnicodeDecodeError:
        return None
    if not rtl and any(len(indexes) > len(text) for text, indexes in clustered):
        clustered = _merge_split_vowels(clustered, widths)
    planned: list[_Occurrence] = []
    for text, indexes in clustered:
        if len(indexes) == 1:  # the common case: one glyph carries the cluster's text
            index = indexes[0]
            if ids[index] & UNKNOWN:
                return None
            # Most glyphs already stand for their text: nothing to plan for them.
            if ids[index] != EMPTY and not (widths[index] > 0 and known.get(ids[index]) == text):
                planned.append(
                    _Occurrence(glyphs, index, ids[index], text, widths[index], offsets[index])
                )
            continue
        if any(ids[i] & UNKNOWN for i in indexes):
            return None
        reading = sorted((i for i in indexes if ids[i] != EMPTY), reverse=rtl)
        wide = [i for i in reading if widths[i] > 0]
        # As WeasyPrint does, the last glyph in reading order carries the
        # cluster's text, except that the text goes to the glyphs that take up
        # width, spread over them in reading order (a zero-width mark carrying
        # the text makes readers see a word gap), and that in right-to-left
        # clusters the marks that end the text go to the zero-width glyphs.
        parts = _rtl_parts(text, reading, wide) if rtl else None
        if parts is None:
            carriers = wide if (wide and not rtl) else reading[-1:]
            parts = dict(zip(carriers, _spread(text, len(carriers)), strict=True))
        if "".join(parts.values()) not in (text, unicodedata.normalize("NFD", text), ""):
            return None
        planned.extend(
            _Occurrence(glyphs, i, ids[i], parts.get(i, ""), widths[i], offsets[i]) for i in reading
        )
    if rtl or any(o.width == 0 and o.x_offset > 0 for o in planned):
        drawn_wide = zip(ids, widths, strict=True)
        last_wide = max(
            (i for i, (glyph, width) in enumerate(drawn_wide) if width > 0 and glyph != EMPTY),
            default=-1,
        )
        _carry_marks(planned, rtl, last_wide)
    return planned


def _rtl_parts(text: str, reading: list[int], wide: list[int]) -> dict[int, str] | None:
    """Text per glyph of a right-to-left cluster such as "أُ" (alef, damma).

    The letters go to the glyphs with width, each trailing mark to a
    zero-width glyph, in reading order; None when the cluster is not letters
    followed by marks.
    """
    letters = text.rstrip("".join(ch for ch in text if unicodedata.category(ch) == "Mn"))
    marks = text[len(letters) :]
    zero = [i for i in reading if i not in wide]
    if not wide or not letters or len(marks) > len(zero) or len(letters) < len(wide):
        return None
    parts = dict(zip(wide, _spread(letters, len(wide)), strict=True))
    parts.update(zip(zero, marks, strict=False))
    return parts


def _carry_marks(drawn: list[_Occurrence], rtl: bool, last_wide: int) -> None:
    """Marks drawn off the pen give their text to a carrier on the baseline.

    An Arabic mark (shadda, damma, tanween, the Persian hamza, the Urdu zer) is
    drawn raised or lowered, on its base letter. Poppler reads a glyph off the
    baseline as a word of its own and puts it where its left edge falls, so
    "يُعدّ" came back as "ُي ّعد". Each such glyph keeps its ink but no text;
    its text goes to a carrier (see _LineWriter) drawn on the baseline just
    before the next glyph, so both readers meet it right after its base letter.
    In right-to-left runs this is every zero-advance glyph with a base after
    it in drawing order (the alef Noto Naskh draws over its lam too); in
    left-to-right runs, zero-advance marks drawn right of the pen (a Gurmukhi
    bindi), since _mark_span already places those drawn left of it.
    *last_wide*: the index of the run's last glyph with width.
    """
    for occurrence in drawn:
        if (
            occurrence.width == 0
            and occurrence.index < last_wide  # a mark is drawn before the glyph after it
            and occurrence.text
            and not occurrence.text.isspace()
            and (rtl or occurrence.x_offset > 0)
        ):
            occurrence.carried, occurrence.text = occurrence.text, ""


def _merge_split_vowels(
    clustered: list[tuple[str, Sequence[int]]], widths: list[int]
) -> list[tuple[str, Sequence[int]]]:
    """Clusters joined where one has more glyphs with width than characters.

    A two-part vowel sign (Bengali ো = ে + া) is drawn on both sides of its
    consonant, and HarfBuzz puts its left part in the consonant's cluster: "স"
    then has two glyphs with width and one character, and a glyph without
    text leaves a gap that readers turn into a space ("সো" read as " সো").
    Joined with the next cluster of the same word, the text ("সো", decomposed
    স ে া) covers each glyph.
    """
    merged: list[tuple[str, Sequence[int]]] = []
    for text, indexes in clustered:
        if merged:
            previous_text, previous = merged[-1]
            short = len(previous) > len(previous_text) and len(
                unicodedata.normalize("NFD", previous_text)
            ) < sum(1 for i in previous if widths[i] > 0)
            if short and not any(ch.isspace() for ch in text):
                merged[-1] = (previous_text + text, [*previous, *indexes])
                continue
        merged.append((text, indexes))
    return merged


def _width(stream: Any, pango_font: Any, font: Any, font_size: float, glyph: int) -> int:
    if glyph not in font.widths:
        pango.pango_font_get_glyph_extents(pango_font, glyph, stream.ink_rect, stream.logical_rect)
        font.widths[glyph] = round(stream.logical_rect.width * 1000 * FROM_UNITS / font_size)
    return font.widths[glyph]


def _assign(stream: Any, textbox: Any, run: Any, occurrences: list[_Occurrence]) -> None:
    """Map each occurrence's glyph (or an alias of it) to its text, before drawing."""
    pango_font = run.item.analysis.font
    font, font_size = stream.add_font(pango_font)
    if pango.pango_version() < 14802 or font.png:
        font_size = textbox.style["font_size"]
    aliases = _aliases(font)
    for occurrence in occurrences:
        glyph, text = occurrence.glyph, occurrence.text
        if occurrence.carried:
            _assign_carrier(stream, font, font_size, pango_font, occurrence)
            continue
        span = _mark_span(occurrence, font, font_size, stream, pango_font)
        if span is not None:
            code = aliases.codes.get((glyph, f"{text}\0{span}"))
            if code is None:
                code = _new_alias(font, aliases, glyph, f"{text}\0{span}", text, span)
            if code is not None:
                occurrence.draw_as(code)
            continue
        known = font.to_unicode.get(glyph)
        if known is None:
            font.to_unicode[glyph] = text
            continue
        if known == text:
            continue
        code = aliases.codes.get((glyph, text))
        if code is None:
            width = _width(stream, pango_font, font, font_size, glyph)
            code = _new_alias(font, aliases, glyph, text, text, width)
        if code is not None:
            occurrence.draw_as(code)


#: A carrier's width, in thousandths of an em: enough for poppler to place
#: it before the base letter's left edge, too little to be read as a gap.
CARRIER_WIDTH = 20


def _space_glyph(font: Any) -> int | None:
    if not hasattr(font, "polyleaf_space"):
        glyph = ffi.new("hb_codepoint_t *")
        found = harfbuzz.hb_font_get_nominal_glyph(font.hb_font, 0x20, glyph)
        font.polyleaf_space = glyph[0] if found else None
    return font.polyleaf_space


def _assign_carrier(
    stream: Any, font: Any, font_size: float, pango_font: Any, occurrence: _Occurrence
) -> None:
    """Codes for a mark drawn without text and for the carrier of its text."""
    aliases = _aliases(font)
    glyph, text = occurrence.glyph, occurrence.carried
    space = _space_glyph(font)
    mark = aliases.codes.get((glyph, "\0mark"))
    if mark is None and space is not None:
        width = _width(stream, pango_font, font, font_size, glyph)
        mark = _new_alias(font, aliases, glyph, "\0mark", "", width)
    carrier = aliases.codes.get((space, f"{text}\0carrier")) if space is not None else None
    if carrier is None and mark is not None:
        carrier = _new_alias(font, aliases, space, f"{text}\0carrier", text, CARRIER_WIDTH)
    if mark is None or carrier is None:  # no space glyph or no codes left: text on the mark
        occurrence.text, occurrence.carried = text, ""
        code = aliases.codes.get((glyph, text)) or _new_alias(
            font, aliases, glyph, text, text, _width(stream, pango_font, font, font_size, glyph)
        )
        if code is not None:
            occurrence.draw_as(code)
        return
    occurrence.draw_as(mark)
    occurrence.carrier, occurrence.font = carrier, font.hash


def _new_alias(
    font: Any, aliases: _Aliases, glyph: int, key: str, text: str, width: int
) -> int | None:
    code = max(font.glyph_count + len(font.missing), max(font.to_unicode, default=0) + 1)
    if code > MAX_CODE:
        LOGGER.warning(
            "text layer: no character codes left in %s for its glyphs' own text; "
            "the PDF would read as other letters",
            font.family,
        )
        return None
    aliases.codes[(glyph, key)] = code
    aliases.glyphs[code] = glyph
    font.to_unicode[code] = text
    font.widths[code] = width
    return code


def _mark_span(
    occurrence: _Occurrence, font: Any, font_size: float, stream: Any, pango_font: Any
) -> int | None:
    """The PDF width to give a mark drawn to the left of the pen, or None.

    A zero-advance mark (a vowel sign on its consonant) is drawn after a move to
    the left; readers see its end short of the next glyph and put a space there
    ("आइसोट्रे टिनॉइन"). Given a width that spans that move, it ends where the
    next glyph starts. WeasyPrint's following move subtracts the width it
    declares, so the pen ends where it did; S is chosen on the same side of
    the move as the glyph's own width so the truncated moves are the same too.
    """
    if occurrence.width != 0 or occurrence.x_offset >= 0:
        return None
    offset = occurrence.x_offset / font_size
    logical = _width(stream, pango_font, font, font_size, occurrence.glyph)
    span = math.ceil(-offset) if logical + offset >= 0 else math.floor(-offset)
    return span if span > 0 else None


#: A number between two glyph strings of a TJ array (or before the first).
_TJ_MOVE = re.compile(r"(?:(?<=>)|^)(-?\d{3,}(?:\.\d+)?)(?=<)")
SMALL_MOVE = 99


def _small_moves(match: re.Match[str]) -> str:
    """A TJ move as steps under 100 thousandths of an em, the same distance in all.

    Readers take one large move inside a word (the pen going back after a
    mark drawn with an offset) for a word gap and insert a space; pypdf does so
    above about 100 units. A series of small moves draws the same thing.
    """
    move = float(match.group(1))
    if abs(move) < 100:
        return match.group(1)
    step = SMALL_MOVE if move > 0 else -SMALL_MOVE
    count = int(abs(move) // SMALL_MOVE)
    rest = round(move - step * count, 6)
    steps = [str(step)] * count + ([f"{rest:g}"] if rest else [])
    return " ".join(steps)


def draw_first_line(
    stream: Any, textbox: Any, text_overflow: str, block_ellipsis: str, matrix: Any
) -> Any:
    """WeasyPrint's draw_first_line, with each glyph occurrence mapped to its text."""
    if COMPLEX.search(textbox.text) is None:
        return _original_draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix)
    changed: list[_Occurrence] = []
    if text_overflow != "ellipsis" and block_ellipsis == "none":
        changed = _prepare_line(stream, textbox)
    writer = _LineWriter(stream, [o for o in changed if o.carrier >= 0])
    try:
        return _original_draw_first_line(stream, textbox, text_overflow, block_ellipsis, matrix)
    finally:
        writer.close()
        for occurrence in changed:
            occurrence.restore()


class _LineWriter:
    """What WeasyPrint writes for one line, with small moves and mark carriers.

    Each mark that gave its text away (see _carry_marks) is followed, before
    the next glyph drawn on the baseline in its font, by its carrier: a move
    back by the carriers' width, then the carriers, so the pen ends where it
    was. A raised mark is drawn in a TJ of its own with a text rise, so the
    carrier waits for the next TJ drawn without one.
    """

    _GROUP = re.compile("<([0-9a-f]*)>")

    def __init__(self, stream: Any, carried: list[_Occurrence]) -> None:
        self.stream = stream
        self.queue = deque(carried)
        self.marks = {(o.font, o.drawn) for o in carried}
        self.pending: list[int] = []
        self.pending_font = ""
        self.font = ""
        self.rise = 0.0
        self._show_text = stream.show_text
        stream.show_text = self.show_text
        if carried:
            self._set_font_size = stream.set_font_size
            self._set_text_rise = stream.set_text_rise
            stream.set_font_size = self.set_font_size
            stream.set_text_rise = self.set_text_rise

    def set_font_size(self, font: str, size: float) -> None:
        self.font = font
        self._set_font_size(font, size)

    def set_text_rise(self, rise: float) -> None:
        self.rise = rise
        self._set_text_rise(rise)

    def show_text(self, text: str) -> None:
        if self.queue or self.pending:
            text = self._with_carriers(text)
        self._show_text(_TJ_MOVE.sub(_small_moves, text))

    def _with_carriers(self, text: str) -> str:
        pieces, done = [], 0
        for group in self._GROUP.finditer(text):
            for start in range(group.start(1), group.end(1), 4):
                code = int(text[start : start + 4], 16)
                if (self.font, code) in self.marks and self.queue and self.queue[0].drawn == code:
                    self.pending.append(self.queue.popleft().carrier)
                    self.pending_font = self.font
                elif self.pending and self.rise == 0 and self.font == self.pending_font:
                    move = len(self.pending) * CARRIER_WIDTH
                    codes = "".join(f"{carrier:04x}" for carrier in self.pending)
                    pieces += [text[done:start], f">{move}<{codes}"]
                    done, self.pending = start, []
        return "".join([*pieces, text[done:]])

    def close(self) -> None:
        for name in ("show_text", "set_font_size", "set_text_rise"):
            self.stream.__dict__.pop(name, None)
        if self.queue or self.pending:  # never seen; fails the document (see polyleaf.pdf)
            LOGGER.warning(
                "text layer: %d marks drawn without their text", len(self.queue) + len(self.pending)
            )


def _prepare_line(stream: Any, textbox: Any) -> list[_Occurrence]:
    # WeasyPrint's draw_first_line sets this first; setting it later would make
    # Pango lay the line out again and drop the glyph strings changed here.
    pango.pango_layout_set_single_paragraph_mode(textbox.pango_layout.layout, True)
    first_line, _ = textbox.pango_layout.get_first_line()
    utf8 = textbox.pango_layout.text.encode()
    plans = []
    run = first_line.runs
    while run != ffi.NULL:
        glyph_item = run.data
        run = run.next
        item = glyph_item.item
        if not COMPLEX.search(
            utf8[item.offset : item.offset + item.length].decode(errors="replace")
        ):
            continue
        font, _ = stream.add_font(item.analysis.font)
        if font.bitmap or font.type == "otf":
            continue
        plan = _plan_run(glyph_item, utf8, font.to_unicode)
        if plan is None:
            # WeasyPrint's own text layer would copy and read aloud as other
            # letters: a warning, which fails the document (polyleaf.pdf).
            LOGGER.warning(UNPLANNED, textbox.text[:60])
            return []
        plans.append((glyph_item, plan))
    changed = []
    for glyph_item, plan in plans:
        _assign(stream, textbox, glyph_item, plan)
        changed.extend(sorted((o for o in plan if o.drawn >= 0), key=lambda o: o.index))
    return changed


def clean(font: Any, to_unicode: dict[int, str], hinting: bool) -> None:
    """Font.clean, subsetting the real glyphs behind alias codes."""
    aliases = _aliases(font).glyphs
    real = {code: text for code, text in to_unicode.items() if code not in aliases}
    for code in to_unicode:
        if code in aliases:
            real.setdefault(aliases[code], "")
    _original_clean(font, real, hinting)


def build_vector_font_dictionary(
    font_dictionary: Any,
    pdf: Any,
    font: Any,
    widths: Any,
    compress: bool,
    reference: Any,
    pdf_version: Any,
) -> None:
    """_build_vector_font_dictionary, adding a /CIDToGIDMap for alias codes."""
    _original_build_vector(font_dictionary, pdf, font, widths, compress, reference, pdf_version)
    aliases = _aliases(font).glyphs
    if not aliases:
        return
    last = max(max(widths), max(aliases))
    gids = bytearray()
    for code in range(last + 1):
        gids += aliases.get(code, code if code < font.glyph_count else 0).to_bytes(2, "big")
    stream = pydyf.Stream([bytes(gids)], compress=compress)
    pdf.add_object(stream)
    subfont_number = int(font_dictionary["DescendantFonts"][0].split()[0])
    pdf.objects[subfont_number]["CIDToGIDMap"] = stream.reference


_original_draw_first_line = draw_text.draw_first_line
_original_clean = pdf_fonts.Font.clean
_original_build_vector = pdf_fonts._build_vector_font_dictionary


def install() -> None:
    """Put the stage into WeasyPrint (idempotent)."""
    draw_text.draw_first_line = draw_first_line
    pdf_fonts.Font.clean = wraps(_original_clean)(clean)
    pdf_fonts._build_vector_font_dictionary = build_vector_font_dictionary


def uninstall() -> None:
    """Stock WeasyPrint again (for comparing with and without the stage)."""
    draw_text.draw_first_line = _original_draw_first_line
    pdf_fonts.Font.clean = _original_clean
    pdf_fonts._build_vector_font_dictionary = _original_build_vector
