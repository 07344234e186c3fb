"""Helpers for the tests on the fixture project tests/roots/library."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from babel.messages.catalog import Message

from conftest import Run
from polyleaf.catalogs import read_catalog, write_catalog

#: The Spanish pregnancy warning of alpha: bold, a link, in a safety section.
WARNING_ID = (
    "Do **not** take alphacillin if you are pregnant. Read the [pregnancy advice]"
    "(https://example.org/alpha/pregnancy) before you start."
)
WARNING_ES = (
    "**No** tome alfacilina si está embarazada. Lea los [consejos sobre el embarazo]"
    "(https://example.org/alpha/pregnancy) antes de empezar."
)


def catalog_path(root: Path, locale: str, leaflet: str) -> Path:
    return root / "locales" / locale / "LC_MESSAGES" / f"{leaflet}.po"


def edit_message(
    root: Path,
    locale: str,
    leaflet: str,
    msgid: str,
    change: Callable[[Message], None],
) -> Message:
    """Apply *change* to one entry of a fixture catalog and write it back."""
    path = catalog_path(root, locale, leaflet)
    catalog = read_catalog(path, locale)
    message = next(
        m for m in catalog if m.id and (m.id if isinstance(m.id, str) else m.id[0]) == msgid
    )
    change(message)
    write_catalog(path, catalog)
    return message


def set_translation(root: Path, locale: str, leaflet: str, msgid: str, text: str) -> None:
    def put(message: Message) -> None:
        message.string = text

    edit_message(root, locale, leaflet, msgid, put)


def line_of(path: Path, text: str) -> int:
    """The 1-based number of the first line of *path* that starts with *text*."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if line.startswith(text))


def assert_one_line_error(run: Run, *expected: str) -> str:
    """Exit status 1, no traceback, and all of *expected* on one line; that line."""
    assert run.code == 1, run
    output = run.stderr + run.stdout
    assert "Traceback" not in output, output
    lines = [line for line in output.splitlines() if all(text in line for text in expected)]
    assert lines, output
    return lines[0]
