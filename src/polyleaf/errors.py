"""The two kinds of failure polyleaf knows.

A :class:`PolyleafError` is a problem with the user's input (a catalog, a
template, a config file, a command-line value). The command line prints it as
one line and exits with status 1, never with a traceback. Anything else that
escapes is a bug in polyleaf and keeps its traceback.
"""


def shortened(text: str, width: int = 60) -> str:
    """*text* quoted for a one-line message: white space runs as one space, and
    cut to *width* characters with "…" (a cell of 5000 digits is not repeated)."""
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= width else flat[: width - 1] + "…")


class PolyleafError(Exception):
    """Bad input: shown to the user as one line naming what to fix."""


class RenderError(PolyleafError):
    """A leaflet could not be rendered (missing glyph, refused URL, template error)."""


class GateError(PolyleafError):
    """A document the safety gate refuses (a finding in its catalog, or a safety
    message its layout does not visibly print)."""


class EngineError(PolyleafError):
    """The installed WeasyPrint is not a release polyleaf renders with: no
    document can render, so a run stops at once instead of failing each one."""


class CatalogError(PolyleafError):
    """A catalog that cannot be read, with the file and line where it goes wrong."""

    def __init__(self, path: object, line: int | None, detail: str) -> None:
        self.path, self.line, self.detail = path, line, detail
        where = f"{path}:{line}" if line else f"{path}"
        super().__init__(f"{where}: {detail}")
