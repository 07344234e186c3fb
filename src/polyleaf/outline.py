"""A leaflet body as an outline: each ``<h2>`` and what follows it in a ``<section>``.

The Markdown renderer writes a flat run of blocks, which suits print. A web
page is read with assistive technology that moves by region, and an export
for medicine information systems needs the same sections as data; both read
the outline from here, so the two cannot disagree about where a section ends.
The body comes from polyleaf's own renderer (translations escaped, raw HTML
off), so its top-level blocks are well-formed and safe to split.
"""

from __future__ import annotations

from dataclasses import dataclass
from html.parser import HTMLParser

from markupsafe import Markup

VOID = frozenset({"area", "br", "col", "embed", "hr", "img", "input", "source", "wbr"})


@dataclass(frozen=True)
class Block:
    """One top-level element of the body: its tag, attributes and HTML."""

    tag: str
    attrs: dict[str, str]
    html: str
    #: The first heading inside a box (``<div class="safety-box"><h2 ...>``), if any.
    inner_heading: str = ""


class _TopLevel(HTMLParser):
    """Splits HTML into its top-level elements (text between them is dropped:
    the renderer writes only newlines there)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=False)
        self.text = text
        starts = [0]
        for line in text.splitlines(keepends=True):
            starts.append(starts[-1] + len(line))
        self._line_starts = starts
        self.blocks: list[Block] = []
        self._depth = 0
        self._open: tuple[str, dict[str, str], int] | None = None
        self._inner = ""

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._depth == 0:
            self._open = (tag, {k: v or "" for k, v in attrs}, self._offset())
            self._inner = ""
            if tag in VOID:
                end = self._offset() + len(self.get_starttag_text() or "")
                self._close(end)
                return
        elif self._depth == 1 and not self._inner and tag in ("h2", "h3"):
            self._inner = tag
        if tag not in VOID:
            self._depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._depth == 0:
            self._open = (tag, {k: v or "" for k, v in attrs}, self._offset())
            self._close(self._offset() + len(self.get_starttag_text() or ""))

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        self._depth -= 1
        if self._depth == 0 and self._open:
            end = self.text.index(">", self._offset()) + 1
            self._close(end)

    def _close(self, end: int) -> None:
        assert self._open is not None
        tag, attrs, start = self._open
        self.blocks.append(Block(tag, attrs, self.text[start:end], self._inner))
        self._open = None


def blocks(html: str) -> list[Block]:
    """The top-level elements of *html*, in order."""
    parser = _TopLevel(str(html))
    parser.feed(str(html))
    parser.close()
    return parser.blocks


def _open_section(block: Block) -> str:
    heading = block.attrs.get("id", "")
    return f'<section aria-labelledby="{heading}">' if heading else "<section>"


def sectioned(html: str) -> Markup:
    """*html* with each ``<h2>`` and the blocks after it (up to the next) in a
    ``<section>`` named by the heading, and each box that opens with an ``<h2>``
    (``::: safety-box``) made a ``<section>`` of its own."""
    out: list[str] = []
    open_section = False
    for block in blocks(html):
        starts_box_section = block.tag == "div" and block.inner_heading == "h2"
        if block.tag == "h2" or starts_box_section:
            if open_section:
                out.append("</section>")
                open_section = False
        if block.tag == "h2":
            out.append(_open_section(block))
            open_section = True
            out.append(block.html)
        elif starts_box_section:
            inner = blocks(block.html[block.html.index(">") + 1 : block.html.rindex("<")])
            heading = next(b for b in inner if b.tag == "h2")
            classes = block.attrs.get("class", "")
            named = f' aria-labelledby="{heading.attrs["id"]}"' if heading.attrs.get("id") else ""
            body = block.html[block.html.index(">") + 1 : block.html.rindex("</div>")]
            out.append(f'<section class="{classes}"{named}>{body}</section>')
        else:
            out.append(block.html)
    if open_section:
        out.append("</section>")
    return Markup("\n".join(out))
