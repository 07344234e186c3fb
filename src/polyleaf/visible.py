"""Is each safety message visibly on the page, as laid out?

The gate reads the catalogs and a layout check reads the HTML; neither sees
the stylesheets. A project's ``leaflet.css`` or layout can still hide a
warning (``display: none``, ``visibility: hidden``, ``font-size: 0``, white
on white, ``opacity``, a zero-height box with ``overflow: hidden``, text moved
off the page, a ``transform`` that shrinks it). So after WeasyPrint lays the
document out, and before any PDF is written, the text of every safety message
must be found in text that is drawn: visible, at least 9 pt, not set so tight
that letters or words run together, inside the page
and every clipping box around it, untransformed, and with a contrast of at
least 3:1 against the background behind it (WCAG's minimum for large text).

Nor may anything else paint where the text is: a later or positioned box,
generated content or another line (``line-height: 0``) over it is found by
geometry, whatever the painting order, unless it is an ancestor (the box the
text is drawn on).

What this does not see: fonts that draw nothing; polyleaf.pdf refuses every
font file but the pinned ones, from the project or a data: URL.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from weasyprint import Document
from weasyprint.formatting_structure import boxes
from weasyprint.layout.percent import percentage

#: The smallest text polyleaf prints (the README's promise), in CSS px.
MIN_SIZE_PX = 9 * 96 / 72
#: WCAG 2.2's minimum contrast for large text and user-interface parts.
MIN_CONTRAST = 3.0
#: The tightest letter- and word-spacing, in em, that keeps letters and words
#: apart (a space is about a quarter of an em; headings are rarely set tighter
#: than -0.05em).
MIN_LETTER_SPACING = -0.1
MIN_WORD_SPACING = -0.15
#: The thickest underline or overline, in em, that stays a line under the text.
MAX_DECORATION = 0.2
_WHITE = (1.0, 1.0, 1.0)
#: What may differ between a message and its laid-out text: line breaks and
#: spaces, hyphens added where a word was broken, and invisible format
#: characters polyleaf adds (WORD JOINER between a number and its unit).
_HYPHENS = frozenset("-\u2010\u2011\u00ad")
Label = TypeVar("Label")
#: The pseudo-elements a stylesheet writes text into (a list's ::marker is
#: the layout's numbering, not words).
_GENERATED = ("::before", "::after")
Rect = tuple[float, float, float, float]  #: left, top, right, bottom
#: How far, in CSS px, two things may touch before one is over the other.
_TOLERANCE = 1.0


@dataclass(frozen=True)
class _Paint:
    """What is known, on the way down the box tree, about how a box is drawn."""

    #: Every colour the text may sit on: one, or each stop of a gradient.
    backgrounds: tuple[tuple[float, float, float], ...]
    opacity: float
    clip: tuple[float, float, float, float]  #: left, top, right, bottom
    transformed: bool


def _srgb(color: object) -> tuple[tuple[float, float, float], float]:
    converted = color.to("srgb")  # type: ignore[attr-defined]
    red, green, blue = (min(max(value, 0.0), 1.0) for value in converted.coordinates)
    return (red, green, blue), float(converted.alpha)


def _blend(
    top: tuple[float, float, float], alpha: float, under: tuple[float, float, float]
) -> tuple[float, float, float]:
    return tuple(alpha * t + (1 - alpha) * u for t, u in zip(top, under, strict=True))  # type: ignore[return-value]


def _luminance(rgb: tuple[float, float, float]) -> float:
    def linear(value: float) -> float:
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = map(linear, rgb)
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(one: tuple[float, float, float], two: tuple[float, float, float]) -> float:
    """WCAG 2 contrast ratio of two opaque colours."""
    light, dark = sorted((_luminance(one), _luminance(two)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _drawn_text(
    box: boxes.Box, paint: _Paint, block: object, ancestors: frozenset[int]
) -> Iterator[tuple[object, boxes.TextBox, frozenset[int]]]:
    """(the block element it is in, the box, its ancestors' ids) of each text
    box drawn in *box*."""
    style = box.style
    opacity = paint.opacity * float(style["opacity"])
    backgrounds = _backgrounds(style, paint.backgrounds)
    if backgrounds is None:
        return  # an image behind the text: its contrast cannot be known
    clip = paint.clip
    if style["overflow"] != "visible" and hasattr(box, "padding_box_x"):
        left, top = box.padding_box_x(), box.padding_box_y()
        right, bottom = left + box.padding_width(), top + box.padding_height()
        clip = _within(clip, (left, top, right, bottom))
    if style["clip"] and box.is_absolutely_positioned():
        clip = _within(clip, _clip_rect(box))
    paint = _Paint(backgrounds, opacity, clip, paint.transformed or bool(style["transform"]))
    if isinstance(box, boxes.TextBox):
        if _seen(box, paint):
            yield block, box, ancestors
        return
    if isinstance(box, boxes.BlockContainerBox):
        block = box.element
    ancestors = ancestors | {id(box)}
    for child in getattr(box, "children", None) or ():
        yield from _drawn_text(child, paint, block, ancestors)


def _ink(box: boxes.TextBox) -> Rect:
    """Where a line of text has its ink for sure: from its baseline up half its
    font size, over its width (its box is taller than the line it is on)."""
    baseline = box.position_y + box.baseline
    return (
        box.position_x,
        baseline - box.style["font_size"] / 2,
        box.position_x + box.width,
        baseline,
    )


def _painters(box: boxes.Box) -> Iterator[tuple[Rect, int]]:
    """(rectangle, box id) of all that paints on a page: text, pictures, and
    boxes with a background colour or image or a border."""
    style = box.style
    if isinstance(box, boxes.TextBox):
        if style["visibility"] == "visible" and box.text.strip():
            yield _ink(box), id(box)
        return
    painted = (
        isinstance(box, boxes.ReplacedBox)
        or _srgb(style["background_color"])[1] > 0
        or any(image is not None for _, image in style["background_image"])
        or any(
            style[f"border_{side}_width"] > 0 and style[f"border_{side}_style"] != "none"
            for side in ("top", "right", "bottom", "left")
        )
    )
    if style["visibility"] == "visible" and hasattr(box, "border_box_x"):
        left, top = box.border_box_x(), box.border_box_y()
        right, bottom = left + box.border_width(), top + box.border_height()
        if painted:
            yield (left, top, right, bottom), id(box)
        if style["outline_style"] not in ("none", "hidden") and style["outline_width"] > 0:
            yield from _outline((left, top, right, bottom), style)
    for child in getattr(box, "children", None) or ():
        yield from _painters(child)


def _outline(border: Rect, style: object) -> Iterator[tuple[Rect, int]]:
    """The four sides of a box's outline, which is painted over everything,
    the box's own text too (so it is no one's ancestor: owner 0)."""
    outer = style["outline_offset"] + style["outline_width"]  # type: ignore[index]
    inner = style["outline_offset"]  # type: ignore[index]
    left, top, right, bottom = (
        border[0] - outer,
        border[1] - outer,
        border[2] + outer,
        border[3] + outer,
    )
    in_left, in_top = border[0] - inner, border[1] - inner
    in_right, in_bottom = border[2] + inner, border[3] + inner
    for side in (
        (left, top, right, in_top),
        (left, in_bottom, right, bottom),
        (left, top, in_left, bottom),
        (in_right, top, right, bottom),
    ):
        yield side, 0


def _covered(
    text: boxes.TextBox, ancestors: frozenset[int], painters: list[tuple[Rect, int]]
) -> bool:
    """Whether something that is not behind *text* by nesting (a later or
    positioned box, generated content, another line) paints where it is: the
    text could be drawn over, or drawn over something it cannot be read on."""
    left, top, right, bottom = _ink(text)
    for (p_left, p_top, p_right, p_bottom), owner in painters:
        if owner == id(text) or owner in ancestors:
            continue
        overlap_x = min(right, p_right) - max(left, p_left)
        overlap_y = min(bottom, p_bottom) - max(top, p_top)
        if overlap_x > _TOLERANCE and overlap_y > _TOLERANCE:
            return True
    return False


def _within(
    one: tuple[float, float, float, float], two: tuple[float, float, float, float]
) -> tuple[float, float, float, float]:
    return max(one[0], two[0]), max(one[1], two[1]), min(one[2], two[2]), min(one[3], two[3])


def _clip_rect(box: boxes.Box) -> tuple[float, float, float, float]:
    """The rectangle ``clip: rect()`` leaves drawn, read as WeasyPrint draws it
    (weasyprint.draw: the right offset is the left edge, the left the width)."""
    top, right, bottom, left = box.style["clip"]
    top = 0 if top == "auto" else top
    right = 0 if right == "auto" else right
    bottom = box.border_height() if bottom == "auto" else bottom
    left = box.border_width() if left == "auto" else left
    x, y = box.border_box_x() + right, box.border_box_y() + top
    width, height = left - right, bottom - top  # a PDF rectangle may run backwards
    return min(x, x + width), min(y, y + height), max(x, x + width), max(y, y + height)


def _spacing(style: object, name: str) -> float:
    value = style[name]  # type: ignore[index]
    return 0.0 if value == "normal" else float(value)


def _decoration(style: object) -> float:
    """How thick, in CSS px, the underline or overline under the text is drawn
    (a stylesheet may set it; the line-through is the font's own)."""
    lines = style["text_decoration_line"]  # type: ignore[index]
    thickness = style["text_decoration_thickness"]  # type: ignore[index]
    if not {"underline", "overline"} & set(lines or ()) or thickness in ("auto", "from-font"):
        return 0.0
    return percentage(thickness, style, style["font_size"])  # type: ignore[index]


def _seen(box: boxes.TextBox, paint: _Paint) -> bool:
    style = box.style
    if style["visibility"] != "visible" or paint.transformed:
        return False
    if style["font_size"] < MIN_SIZE_PX - 0.01:
        return False
    if _spacing(style, "letter_spacing") < MIN_LETTER_SPACING * style["font_size"]:
        return False  # the letters are drawn over one another
    if _spacing(style, "word_spacing") < MIN_WORD_SPACING * style["font_size"]:
        return False  # the words run into one another
    if _decoration(style) > MAX_DECORATION * style["font_size"]:
        return False  # an underline or overline as broad as a bar behind the letters
    left, top, right, bottom = paint.clip
    x, y = box.position_x, box.position_y
    if x < left - 1 or y < top - 1 or x + box.width > right + 1 or y + box.height > bottom + 1:
        return False
    color, alpha = _srgb(style["color"])
    return all(
        contrast(_blend(color, alpha * paint.opacity, under), under) >= MIN_CONTRAST
        for under in paint.backgrounds
    )


def _backgrounds(
    style: object, under: tuple[tuple[float, float, float], ...]
) -> tuple[tuple[float, float, float], ...] | None:
    """The colours behind a box's content: its background colour over *under*,
    then each stop of each gradient over that; None for an image (a picture's
    colours are not known, so neither is the contrast of text on it)."""
    own, alpha = _srgb(style["background_color"])  # type: ignore[index]
    if alpha > 0:
        under = tuple(_blend(own, alpha, colour) for colour in under)
    for _, image in reversed(style["background_image"]):  # type: ignore[index]
        if image is None:
            continue
        if not hasattr(image, "colors"):
            return None
        stops = [_srgb(stop) for stop in image.colors]
        under = tuple(_blend(top, a, colour) for top, a in stops for colour in under)
    return under


def drawn_blocks(document: Document) -> list[str]:
    """The text of each block (paragraph, list item, heading, table cell) of the
    page content that WeasyPrint laid out where a reader can see it, whatever
    pages the block runs over (the page furniture left out), made comparable.
    A block the stylesheet adds words to (``p::after { content: " unless ..." }``)
    is left out too: a safety message's own paragraph says only what it says."""
    blocks: dict[object, list[str]] = {}
    altered: set[object] = set()  # blocks the stylesheet adds words to
    for page in document.pages:
        page_box = page._page_box
        width, height = page_box.margin_width(), page_box.margin_height()
        backgrounds = _backgrounds(page_box.style, (_WHITE,))
        if backgrounds is None:
            continue
        paint = _Paint(backgrounds, 1.0, (0, 0, width, height), False)
        painters = [painter for child in page_box.children for painter in _painters(child)]
        for child in page_box.children:
            if not isinstance(child, boxes.MarginBox):
                for block, text, ancestors in _drawn_text(child, paint, None, frozenset()):
                    if text.element_tag.endswith(_GENERATED):
                        altered.add(block)
                    if not _covered(text, ancestors, painters):
                        blocks.setdefault(block, []).append(text.text)
    return [comparable("".join(texts)) for block, texts in blocks.items() if block not in altered]


def comparable(text: str) -> str:
    """*text* without what layout may add or take away (see _HYPHENS)."""
    return "".join(
        ch
        for ch in unicodedata.normalize("NFC", text).casefold()
        if not ch.isspace() and ch not in _HYPHENS and unicodedata.category(ch) != "Cf"
    )


def hidden(document: Document, messages: Iterable[tuple[Label, str]]) -> list[Label]:
    """The labels of those *messages* (label, plain text) whose text is not drawn."""
    blocks = drawn_blocks(document)
    return [
        label for label, text in messages if not any(comparable(text) in block for block in blocks)
    ]
