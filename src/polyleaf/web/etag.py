"""Entity tags: a PDF's or preview's ETag, and If-None-Match as RFC 9110 reads it.

Section 13.1.2: the field is ``*`` or a comma-separated list of entity tags;
``W/"x"`` is a weak tag, and If-None-Match compares weakly (``W/"x"`` matches
``"x"``). A value that is not that syntax matches nothing, so a malformed or
hostile header gives the full response rather than a 304 for something it did
not name (``garbage"<tag>"garbage`` is not a list of tags).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

#: One list element: optional whitespace, an optional entity tag, optional
#: whitespace, then a comma or the end. Empty elements (``a, , b``) are allowed,
#: as RFC 9110 section 5.6.1 asks of recipients.
_ELEMENT = re.compile(r'[ \t]*(?:(W/)?"([\x21\x23-\x7e\x80-\xff]*)")?[ \t]*(,|\Z)')

ANY: Literal["*"] = "*"


def etag_of(path: Path) -> str:
    """A strong tag from the file's content (the same document gives the same tag)."""
    return '"' + hashlib.sha256(path.read_bytes()).hexdigest()[:32] + '"'


def parse_entity_tags(value: str) -> Literal["*"] | list[str] | None:
    """``"*"``, the opaque tags of the list (quotes kept, ``W/`` dropped), or None if malformed."""
    if value.strip(" \t") == ANY:
        return ANY
    tags: list[str] = []
    position = 0
    while True:
        element = _ELEMENT.match(value, position)
        if element is None:
            return None
        if element.group(2) is not None:
            tags.append(f'"{element.group(2)}"')
        if not element.group(3):  # matched the end of the value
            return tags
        position = element.end()


def none_match(fields: Iterable[str], current: str) -> bool:
    """Whether If-None-Match *fields* (one or more header lines) match the *current* tag.

    A True answer means "the client has it": 304 for GET and HEAD.
    """
    opaque = current.removeprefix("W/")
    for field in fields:
        tags = parse_entity_tags(field)
        if tags == ANY or (tags is not None and opaque in tags):
            return True
    return False
