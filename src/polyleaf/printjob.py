"""Print jobs of any size, written as a stream: leaflets x copies -> one PDF.

A print job repeats each leaflet's pages *copies* times (each copy padded to
an even page count, so that it starts on a front side when printed
double-sided). The batch runner allows 100,000 copies; 17,000 copies of a
6-page leaflet are 102,000 pages. Building that in memory with pypdf reads
back as ``LimitReachedError`` (one flat /Kids array), and appending pages one
by one with pikepdf takes minutes and gigabytes (see ../shared/PRINT-JOBS.md).

So the job is written in two parts, in one file:

1. the distinct pages of every leaflet, once, through pikepdf (fonts, images
   and content streams copied once);
2. appended to it as an incremental update, written line by line: one small
   page dictionary per page of every copy, sharing part 1's /Contents and
   /Resources; a page tree in balanced /Pages nodes of at most ``FANOUT``
   kids; a catalog; and the cross-reference section.

Memory is part 1 plus eight bytes per page (its offset); time is linear in
the number of pages. The SHA-256 is computed as the bytes are written.
"""

from __future__ import annotations

import hashlib
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pikepdf

from polyleaf.atomic import atomic_target

#: Kids per /Pages node: a 102,000-page job is a tree three levels deep.
FANOUT = 64
#: Page keys not carried into a copy: its place in the tree is new, and the
#: structure tree and links of the tagged leaflet are not part of a print job.
DROPPED = {"/Parent", "/StructParents", "/Annots", "/Tabs", "/B"}
#: Attributes a page may inherit from its /Pages ancestors (PDF 32000-1, 7.7.3.4).
INHERITED = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
BOXES = ("/MediaBox", "/TrimBox", "/BleedBox", "/CropBox")


@dataclass(frozen=True)
class Written:
    pages: int
    sha256: str


class _Sink:
    """A binary file that knows its offset and hashes what passes through."""

    def __init__(self, handle: BinaryIO, offset: int, digest: hashlib._Hash) -> None:
        self.handle, self.offset, self.digest = handle, offset, digest

    def write(self, data: bytes) -> None:
        self.handle.write(data)
        self.digest.update(data)
        self.offset += len(data)


def _inherited(page: pikepdf.Dictionary, key: str) -> pikepdf.Object | None:
    node: pikepdf.Object | None = page
    while node is not None:
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


def _page_body(page: pikepdf.Dictionary) -> bytes:
    """The page's entries but /Parent (and the dropped ones), as PDF syntax."""
    entries = {key: page[key] for key in sorted(page.keys()) if key not in DROPPED}
    for key in INHERITED:
        if key not in entries and (value := _inherited(page, key)) is not None:
            entries[key] = value
    return b" ".join(key.encode() + b" " + value.unparse() for key, value in entries.items())


def _blank_body(page: pikepdf.Dictionary) -> bytes:
    """A blank page of the same size and boxes as *page*, for padding."""
    parts = [b"/Type /Page", b"/Resources << >>"]
    for key in BOXES:
        if (value := _inherited(page, key) if key in INHERITED else page.get(key)) is not None:
            parts.append(key.encode() + b" " + value.unparse())
    return b" ".join(parts)


def _distinct_pages(temporary: Path, paths: list[Path]) -> list[int]:
    """Part 1: each leaflet's pages once, saved to *temporary*; their page counts."""
    job = pikepdf.new()
    sources = [pikepdf.open(path) for path in paths]
    try:
        for source in sources:
            job.pages.extend(source.pages)
        counts = [len(source.pages) for source in sources]
        job.save(
            temporary,
            object_stream_mode=pikepdf.ObjectStreamMode.disable,
            deterministic_id=True,
            min_version=max(source.pdf_version for source in sources),
        )
    finally:
        for source in sources:
            source.close()
        job.close()
    return counts


def _levels(pages: int) -> list[int]:
    """How many /Pages nodes each level of the tree has, leaves first, root last."""
    levels = [-(-pages // FANOUT)]
    while levels[-1] > 1:
        levels.append(-(-levels[-1] // FANOUT))
    return levels


def write_print_job(target: Path, orders: list[tuple[Path, int]]) -> Written:
    """One PDF with each leaflet's pages *copies* times, each copy padded to even."""
    paths = list(dict.fromkeys(path for path, _ in orders))
    with atomic_target(target) as temporary:
        counts = _distinct_pages(temporary, paths)
        with pikepdf.open(temporary) as part:
            bodies: dict[Path, list[bytes]] = {}
            index = 0
            for path, count in zip(paths, counts, strict=True):
                pages = [part.pages[index + i].obj for i in range(count)]
                index += count
                bodies[path] = [_page_body(page) for page in pages]
                if count % 2:
                    bodies[path].append(_blank_body(pages[-1]))
            size = int(part.trailer.Size)
            file_id = part.trailer.get("/ID")
            id_entry = b" /ID " + file_id.unparse() if file_id is not None else b""
        digest, length, tail = _digest(temporary)
        previous = int(re.findall(rb"startxref\s+(\d+)", tail)[-1])
        total = sum(len(bodies[path]) * copies for path, copies in orders)
        with temporary.open("ab") as handle:
            sink = _Sink(handle, length, digest)
            _append_job(sink, size, total, _pages(orders, bodies), target.stem, previous, id_entry)
        return Written(total, digest.hexdigest())


def _digest(path: Path) -> tuple[hashlib._Hash, int, bytes]:
    """SHA-256 of the file so far, its length and its last kilobyte."""
    digest, length, tail = hashlib.sha256(), 0, b""
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            length += len(chunk)
            tail = (tail + chunk)[-1024:]
    return digest, length, tail


def _pages(orders: list[tuple[Path, int]], bodies: dict[Path, list[bytes]]) -> Iterator[bytes]:
    for path, copies in orders:
        for _ in range(copies):
            yield from bodies[path]


def _append_job(
    sink: _Sink,
    first: int,
    total: int,
    pages: Iterator[bytes],
    title: str,
    previous: int,
    id_entry: bytes,
) -> None:
    """Part 2: page objects, the balanced page tree, catalog, info, xref, trailer."""
    levels = _levels(total)
    level_start = [first + total]  # the object number of each level's first node
    for count in levels[:-1]:
        level_start.append(level_start[-1] + count)
    info = level_start[-1] + levels[-1]
    catalog = info + 1
    offsets = array("Q")

    def obj(number: int, body: bytes) -> None:
        offsets.append(sink.offset)
        sink.write(b"%d 0 obj\n<< %s >>\nendobj\n" % (number, body))

    for number, body in enumerate(pages):
        obj(first + number, body + b" /Parent %d 0 R" % (level_start[0] + number // FANOUT))
    below, below_start = total, first  # the level under the one being written
    for level, count in enumerate(levels):
        span = FANOUT ** (level + 1)  # pages under one node of this level
        for node in range(count):
            kids = range(below_start + node * FANOUT, below_start + min((node + 1) * FANOUT, below))
            pages_under = min((node + 1) * span, total) - node * span
            parent = (
                b" /Parent %d 0 R" % (level_start[level + 1] + node // FANOUT)
                if level + 1 < len(levels)
                else b""
            )
            refs = b" ".join(b"%d 0 R" % kid for kid in kids)
            obj(
                level_start[level] + node,
                b"/Type /Pages /Kids [ %s ] /Count %d%s" % (refs, pages_under, parent),
            )
        below, below_start = count, level_start[level]
    obj(info, b"/Title " + pikepdf.String(title).unparse() + b" /Producer (polyleaf)")
    obj(catalog, b"/Type /Catalog /Pages %d 0 R" % (level_start[-1]))
    xref = sink.offset
    sink.write(b"xref\n%d %d\n" % (first, len(offsets)))
    chunk = 4096
    for start in range(0, len(offsets), chunk):
        sink.write(
            b"".join(b"%010d 00000 n \n" % offset for offset in offsets[start : start + chunk])
        )
    sink.write(
        b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /Prev %d%s >>\nstartxref\n%d\n%%%%EOF\n"
        % (catalog + 1, catalog, info, previous, id_entry, xref)
    )
