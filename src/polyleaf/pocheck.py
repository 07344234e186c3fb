"""The checks ``msgfmt -c`` makes that Babel's reader does not.

Babel reads a catalog with a duplicate message (it keeps the last one) or a
broken ``Plural-Forms`` header (``plural=(n!=1;``, ``nplurals=0``) without a
word; GNU ``msgfmt -c`` rejects both, and so does polyleaf, naming the file and
line. The catalog's text is scanned here directly, because the line numbers
and the ``msgstr[N]`` counts that these checks need are gone once Babel has
built its Catalog.
"""

from __future__ import annotations

import codecs
import gettext
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.pofile import unescape

from polyleaf.errors import CatalogError

_KEYWORD = re.compile(r'\s*(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s*(".*")\s*$')
_CONTINUATION = re.compile(r'\s*(".*")\s*$')
#: Values of n tried against a plural expression: enough to reach every form
#: of every language's rule (Arabic's 100-based forms, Slavic 11-14 ...).
_PLURAL_PROBES = range(0, 1001)


@dataclass
class _Entry:
    line: int
    context: str | None = None
    msgid: str = ""
    plural: bool = False
    forms: list[int] = field(default_factory=list)  #: the N of each msgstr[N]
    msgstr: str = ""


def _entries(text: str) -> Iterator[_Entry]:
    """The catalog's live (not obsolete) entries, in order, with their first line."""
    entry: _Entry | None = None
    keyword = previous = ""
    for number, line in enumerate(text.splitlines(), 1):
        if line.lstrip().startswith("#") or not line.strip():
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, quoted = match.group(1), match.group(2), match.group(3)
            if keyword == "msgctxt" or (keyword == "msgid" and previous != "msgctxt"):
                if entry is not None:
                    yield entry
                entry = _Entry(number)
            previous = keyword
            if entry is None:
                entry = _Entry(number)
            value = unescape(quoted)
            if keyword == "msgctxt":
                entry.context = value
            elif keyword == "msgid":
                entry.msgid = value
            elif keyword == "msgid_plural":
                entry.plural = True
            elif keyword.startswith("msgstr"):
                if index is not None:
                    entry.forms.append(int(index))
                entry.msgstr += value
            continue
        match = _CONTINUATION.match(line)
        if match and entry is not None:
            value = unescape(match.group(1))
            if keyword == "msgctxt":
                entry.context = (entry.context or "") + value
            elif keyword == "msgid":
                entry.msgid += value
            elif keyword.startswith("msgstr"):
                entry.msgstr += value
    if entry is not None:
        yield entry


def check_duplicates(path: Path, text: str) -> None:
    """A message defined twice (same context and msgid) is an error at the second."""
    first: dict[tuple[str | None, str], int] = {}
    for entry in _entries(text):
        key = (entry.context, entry.msgid)
        if key in first:
            context = f" (context {entry.context!r})" if entry.context is not None else ""
            raise CatalogError(
                path,
                entry.line,
                f"duplicate message {entry.msgid[:60]!r}{context}, first defined at line "
                f"{first[key]}; keep one of them",
            )
        first[key] = entry.line


def _header_field(entries: list[_Entry], text: str, field: str) -> tuple[str, int] | None:
    """The value of the header field *field* and the line it is on, if the catalog has it."""
    header = next((e for e in entries if e.msgid == "" and e.context is None), None)
    if header is None:
        return None
    for value_line in header.msgstr.splitlines():
        name, colon, value = value_line.partition(":")
        if colon and name.strip().lower() == field.lower():
            lines = text.splitlines()[header.line - 1 :]
            line = header.line + next((i for i, raw in enumerate(lines) if field in raw), 0)
            return value.strip(), line
    return None


#: Charsets a catalog may declare: polyleaf reads every catalog as UTF-8 (and
#: writes it so); "CHARSET" is the placeholder of a template that xgettext wrote.
_UTF8_CHARSETS = frozenset({"utf-8", "ascii", "charset"})


def check_charset(path: Path, text: str) -> None:
    """The charset of ``Content-Type`` is UTF-8 (or ASCII, a part of it).

    Babel decodes the file in the charset it declares: another one (or a name
    no codec has) would read the bytes polyleaf checked as UTF-8 as other text.
    """
    found = _header_field(list(_entries(text)), text, "Content-Type")
    if found is None:
        return
    value, line = found
    charset = next(
        (
            part.partition("=")[2].strip().strip('"')
            for part in value.split(";")
            if part.partition("=")[0].strip().lower() == "charset"
        ),
        None,
    )
    if charset is None:
        return
    try:
        name = charset if charset.lower() == "charset" else codecs.lookup(charset).name
    except LookupError:
        name = None
    if name is None or name.lower() not in _UTF8_CHARSETS:
        raise CatalogError(
            path,
            line,
            f"Content-Type declares charset={charset!r}; polyleaf reads catalogs as UTF-8: "
            "save the file as UTF-8 and write charset=UTF-8",
        )


def check_plural_forms(path: Path, text: str) -> None:
    """``Plural-Forms`` is well-formed, and every plural message has that many forms."""
    entries = list(_entries(text))
    found = _header_field(entries, text, "Plural-Forms")
    if found is None:
        return
    value, line = found
    fix = "; write it as e.g. Plural-Forms: nplurals=2; plural=(n != 1);"
    params = {
        name.strip(): setting.strip()
        for name, _, setting in (part.partition("=") for part in value.split(";"))
        if name.strip()
    }
    nplurals_text, expression = params.get("nplurals", ""), params.get("plural", "")
    if (nplurals_text, expression) == ("INTEGER", "EXPRESSION"):
        return  # a template's placeholder, as xgettext writes it
    if not nplurals_text.isascii() or not nplurals_text.isdigit():
        raise CatalogError(
            path, line, f"Plural-Forms: nplurals {nplurals_text!r} is not a number{fix}"
        )
    nplurals = int(nplurals_text)
    if nplurals < 1:
        raise CatalogError(path, line, f"Plural-Forms: nplurals={nplurals} must be at least 1{fix}")
    try:
        plural = gettext.c2py(expression)
        values = {plural(n) for n in _PLURAL_PROBES}
    except (ValueError, SyntaxError, RecursionError, ZeroDivisionError, TypeError) as error:
        raise CatalogError(
            path, line, f"Plural-Forms: plural expression {expression!r} is invalid ({error}){fix}"
        ) from None
    if max(values) >= nplurals or min(values) < 0:
        raise CatalogError(
            path,
            line,
            f"Plural-Forms: plural expression {expression!r} gives form {max(values)}, "
            f"but nplurals={nplurals}",
        )
    for entry in entries:
        if entry.plural and sorted(entry.forms) != list(range(nplurals)):
            raise CatalogError(
                path,
                entry.line,
                f"message {entry.msgid[:60]!r} has {len(entry.forms)} plural forms "
                f"(msgstr[...]), but Plural-Forms says nplurals={nplurals}",
            )
