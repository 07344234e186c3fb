"""Each structure element in the language it is written in (``/Lang``).

WeasyPrint 70 writes the document's language on the catalog only: a
``<td lang="en">`` inside an Arabic leaflet (the bilingual edition) is tagged
as Arabic down to every span, so a screen reader reads the English in an
Arabic voice. Each box knows its language (``box.style["lang"]``, inherited);
this stage wraps ``weasyprint.pdf.tags._build_box_tree`` (which calls itself
through the module, so the wrapper sees every box) and sets ``/Lang`` on an
element where its box's language differs from the language around it. The
elements inside inherit it, as ISO 32000-1 (14.9.2) says.

Internals relied on, checked by :func:`install`: ``_build_box_tree(box,
parent, ...)`` is a generator yielding the ``pydyf.Dictionary`` structure
elements it creates, each with ``P`` set to its parent's reference.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import pydyf
from weasyprint.pdf import tags

from polyleaf.errors import PolyleafError

_original = tags._build_box_tree
#: The language of the box being tagged, innermost last (tagging is depth first).
_languages: list[str | None] = []


def _build_box_tree(box: Any, parent: Any, *args: Any, **kwargs: Any) -> Iterator[Any]:
    style = getattr(getattr(box, "_box", box), "style", None)
    language = style["lang"] if style is not None else None
    around = _languages[-1] if _languages else language
    _languages.append(language or around)
    try:
        for element in _original(box, parent, *args, **kwargs):
            if (
                language
                and language != around
                and isinstance(element, pydyf.Dictionary)
                and "Lang" not in element
            ):
                element["Lang"] = pydyf.String(language)
            yield element
    finally:
        _languages.pop()


def install() -> None:
    """Put the stage into WeasyPrint (idempotent), after checking what it relies on."""
    if tags._build_box_tree is _build_box_tree:
        return
    parameters = list(inspect.signature(_original).parameters)
    if parameters[:2] != ["box", "parent"] or not inspect.isgeneratorfunction(_original):
        raise PolyleafError(
            "this WeasyPrint's weasyprint.pdf.tags._build_box_tree is not the one polyleaf's "
            "per-element language tagging was written for; install the WeasyPrint the lock names"
        )
    tags._build_box_tree = _build_box_tree
