"""The WeasyPrint releases polyleaf renders with, checked before anything renders.

Why: :mod:`polyleaf.textlayer` replaces and wraps WeasyPrint internals (see
its docstring) that any WeasyPrint release may change without notice. With a
release the stage was not tested with, a PDF could look right and still copy,
search and read aloud as the wrong words. So nothing renders unless the
installed release is listed here. The version comes from the package
metadata: checking costs no import of WeasyPrint, and happens before
:mod:`polyleaf.textlayer` touches its internals.
"""

from __future__ import annotations

from importlib import metadata

from polyleaf.errors import EngineError

#: The WeasyPrint releases polyleaf.textlayer was written against and tested
#: with. To add one: install it, run the whole suite (the text-layer tests
#: compare every locale's words and pages), then list it here and in the lock.
SUPPORTED_WEASYPRINT = ("70.0",)


def installed_weasyprint() -> str | None:
    """The installed WeasyPrint release, or None."""
    try:
        return metadata.version("weasyprint")
    except metadata.PackageNotFoundError:
        return None


def check_weasyprint() -> None:
    """Raise :class:`EngineError` unless the installed WeasyPrint is supported."""
    installed = installed_weasyprint()
    if installed in SUPPORTED_WEASYPRINT:
        return
    found = f"WeasyPrint {installed} is installed" if installed else "WeasyPrint is not installed"
    raise EngineError(
        f"{found}, but polyleaf's text layer is tested with WeasyPrint "
        f"{' or '.join(SUPPORTED_WEASYPRINT)} only; install the locked versions with ./run "
        f"(or pip install 'weasyprint=={SUPPORTED_WEASYPRINT[-1]}')"
    )
