"""HTML -> tagged PDF/UA-1 through WeasyPrint, written atomically.

Three promises are kept here:

* **No network, no stray files.** WeasyPrint fetches stylesheets, images and
  fonts through :class:`ProjectFetcher`, which serves only files inside the
  leaflet project and the font files polyleaf pins. Anything else stops the
  render with an error naming the URL.
* **No silent glyph fallback.** WeasyPrint logs a warning for a missing glyph
  (a ".notdef" box), a font that cannot load and the like; every such warning
  fails the document.
* **No half-written file.** The PDF is written to a temporary file in the
  target folder and renamed over the target only when complete.

Before the rename, :func:`polyleaf.pdfua.repair` completes WeasyPrint's
structure tree (page furniture as pagination artifacts, the translation's
status line read first on page 1, list items as Lbl + LBody).
"""

from __future__ import annotations

import logging
import mimetypes
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlsplit

from polyleaf.atomic import atomic_target
from polyleaf.engine import check_weasyprint
from polyleaf.errors import RenderError
from polyleaf.fonts import isolate_fontconfig, pinned_font_paths
from polyleaf.project import LAYOUTS

check_weasyprint()  # before polyleaf.textlayer reaches into WeasyPrint's internals
isolate_fontconfig()

import weasyprint  # noqa: E402  (fontconfig must be isolated first)
from weasyprint.formatting_structure.boxes import MarginBox, TextBox  # noqa: E402
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse  # noqa: E402

from polyleaf import pdfua, tagging, textlayer  # noqa: E402

PDF_VARIANT = "pdf/ua-1"
textlayer.install()
tagging.install()

#: The page-margin boxes in which base.html prints the translation's status: the
#: draft notice (top centre) or the reviewer's line (bottom centre). Their text on
#: page 1 is the *notice* that polyleaf.pdfua keeps as content, read first.
NOTICE_BOXES = ("@top-center", "@bottom-center")


def notice(document: weasyprint.Document) -> str | None:
    """The text of the status line on the first page, as laid out, or None."""
    if not document.pages:
        return None
    for box in document.pages[0]._page_box.children:
        if isinstance(box, MarginBox) and box.at_keyword in NOTICE_BOXES:
            text = "".join(b.text for b in box.descendants() if isinstance(b, TextBox))
            if text.strip():
                return text
    return None


class RefusedURL(FatalURLFetchingError):
    """A fetch outside the project and pinned fonts: stops the render."""


#: How font files begin (TrueType, OpenType, Apple, a collection, WOFF, WOFF2).
_FONT_MAGIC = (b"\x00\x01\x00\x00", b"OTTO", b"true", b"ttcf", b"wOFF", b"wOF2")


class ProjectFetcher(URLFetcher):
    """Serves ``file:`` URLs inside *root*, polyleaf's layouts and the pinned fonts;
    refuses the rest, and any font file but the pinned ones."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file", "data"))
        self.root = root.resolve()
        self.fonts = pinned_font_paths()

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        parts = urlsplit(url)
        if parts.scheme == "data":
            response = super().fetch(url, headers)
            body = response.read()
            self._no_font(url, body)
            return URLFetcherResponse(url, body=body, headers=response.headers)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise RefusedURL(f"refused to fetch {url!r}: leaflets may use only project files")
        path = Path(unquote(parts.path)).resolve()
        if not (
            path.is_relative_to(self.root) or path.is_relative_to(LAYOUTS) or path in self.fonts
        ):
            raise RefusedURL(f"refused to fetch {url!r}: outside the leaflet project")
        try:
            body = path.read_bytes()
        except OSError as error:
            raise RefusedURL(f"cannot read {path}: {error.strerror}") from None
        if path not in self.fonts:
            self._no_font(url, body)
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), body=body, headers={"Content-Type": mime_type})

    @staticmethod
    def _no_font(url: str, body: bytes) -> None:
        """A font a project brings could draw nothing (or other letters) for the
        safety text, which no check of the laid-out text sees: leaflets print in
        polyleaf's pinned fonts only."""
        if body.startswith(_FONT_MAGIC):
            shown = url if len(url) < 80 else url[:77] + "..."
            raise RefusedURL(
                f"refused to use the font {shown!r}: leaflets print in polyleaf's pinned fonts"
            )


#: WeasyPrint warnings that say nothing about the document: without the system's
#: HarfBuzz subsetter (libharfbuzz-subset0) fonts are subset with fontTools,
#: which gives the same glyphs, only more slowly.
HARMLESS = ("Using fontTools instead of HarfBuzz-Subset",)


class _WarningsAreErrors(logging.Handler):
    """Collects WeasyPrint's (and the text-layer stage's) warnings while one
    document renders."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if not message.startswith(HARMLESS):
            self.messages.append(message.splitlines()[0])


@contextmanager
def _warnings_fail() -> Iterator[None]:
    weasyprint_logger = logging.getLogger("weasyprint")
    loggers = (weasyprint_logger, textlayer.LOGGER)
    handler = _WarningsAreErrors()
    for logger in loggers:
        logger.addHandler(handler)
    propagate, weasyprint_logger.propagate = weasyprint_logger.propagate, False
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
        weasyprint_logger.propagate = propagate
    if handler.messages:
        more = f" (and {len(handler.messages) - 1} more)" if len(handler.messages) > 1 else ""
        raise RenderError(f"{handler.messages[0]}{more}")


class PdfWriter:
    """Turns leaflet HTML into PDF files for one project.

    Why an object: WeasyPrint's FontConfiguration copies each @font-face file
    into fontconfig once and remembers it; keeping one for the whole process
    means the CJK fonts (16 MB each) are loaded once, not once per leaflet.
    """

    def __init__(self, root: Path) -> None:
        check_weasyprint()
        self.fetcher = ProjectFetcher(root)
        self.base_url = (root.resolve() / "templates").as_uri() + "/"
        self.font_config = FontConfiguration()

    def document(self, html: str) -> weasyprint.Document:
        try:
            with _warnings_fail():
                return weasyprint.HTML(
                    string=html, base_url=self.base_url, url_fetcher=self.fetcher
                ).render(font_config=self.font_config, pdf_variant=PDF_VARIANT)
        except RefusedURL as error:
            raise RenderError(str(error)) from None

    def pdf_bytes(self, document: weasyprint.Document) -> bytes:
        """The PDF of *document* (see document()) in memory, for one that must
        never reach a file (a patient's personalised copy). Its structure tree
        is repaired as a written PDF's is (the copy a patient takes home is read
        by the same screen readers)."""
        with _warnings_fail():
            data = document.write_pdf(pdf_variant=PDF_VARIANT)
        return pdfua.repair(data, notice(document))

    def write(self, html: str, target: Path) -> None:
        self.write_document(self.document(html), target)

    def write_document(self, document: weasyprint.Document, target: Path) -> None:
        """*document* (see document()) as a PDF/UA file at *target*, whole or not at all."""
        with atomic_target(target) as temporary, _warnings_fail():
            data = document.write_pdf(pdf_variant=PDF_VARIANT)
            temporary.write_bytes(pdfua.repair(data, notice(document)))
