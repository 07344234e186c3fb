"""The review side file: who signed which message of a catalog, and its words then.

It lives beside the catalog (``messages.po`` -> ``messages.review.toml``), one
``[[message]]`` table per signed message and one ``[[signature]]`` table per
reviewer and day. Why a side file and not the ``.po``: PO editors, Babel,
``pybabel update`` and GNU gettext never touch it, so a save cannot change what
was signed; a translator comment in the ``.po`` also survives every tool, but
survives too well (it follows a fuzzy match onto another message), and custom
flags are dropped by ``msgcat``/``msgmerge``.

Each record keeps the text it was signed with, not only its fingerprint, so a
later change can be shown word by word. The file is written atomically and
sorted, so signing the same messages twice gives the same bytes, and it is read
strictly: a hand edit that breaks it is an error naming the file and line.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictInt,
    StrictStr,
    ValidationError,
)

from polyleaf.atomic import atomic_target
from polyleaf.catalogs import MessageKey
from polyleaf.errors import CatalogError
from polyleaf.project import parse_toml

FORMAT = 1
#: Prefix of every fingerprint; a new way of computing one gets a new prefix, so
#: an old record can never be mistaken for a match.
FINGERPRINT_VERSION = "v1"
SUFFIX = ".review.toml"


def review_path(catalog_path: Path) -> Path:
    """The side file of a catalog: ``es/LC_MESSAGES/messages.po`` -> ``messages.review.toml``."""
    return catalog_path.with_name(catalog_path.stem + SUFFIX)


def fingerprint(
    context: str | None, msgid: str, msgid_plural: str | None, msgstr: tuple[str, ...]
) -> str:
    """sha256 over the context, English and every translated form, exactly as parsed."""
    payload = json.dumps([context, msgid, msgid_plural, list(msgstr)], ensure_ascii=False)
    return f"{FINGERPRINT_VERSION}:{hashlib.sha256(payload.encode('utf-8')).hexdigest()}"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


_T = TypeVar("_T", bound=_Strict)


def _not_blank(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be empty")
    return text


# Strict types: TOML has its own booleans, integers and dates, so a hand edit
# that writes true, 1.5 or "2026-12-01" is a mistake, not something to convert.
_Name = Annotated[StrictStr, AfterValidator(_not_blank)]
_Date = Annotated[date, Strict()]


class Signature(_Strict):
    """One reviewer's sign-off on one day: the catalog-level record of who signed."""

    by: _Name
    credential: _Name
    on: _Date
    messages: StrictInt = Field(ge=0)


class Record(_Strict):
    """One signed message: its words when signed, their fingerprint, who signed and when."""

    context: StrictStr | None = None
    msgid: StrictStr
    msgid_plural: StrictStr | None = None
    msgstr: tuple[StrictStr, ...]
    fingerprint: StrictStr
    by: _Name
    credential: _Name
    on: _Date

    @property
    def key(self) -> MessageKey:
        return (self.context, self.msgid)

    def expected_fingerprint(self) -> str:
        return fingerprint(self.context, self.msgid, self.msgid_plural, self.msgstr)


@dataclass(frozen=True)
class ReviewFile:
    path: Path
    records: dict[MessageKey, Record] = field(default_factory=dict)
    signatures: tuple[Signature, ...] = ()
    #: The catalog's locale when signed: a side file copied to another locale's
    #: catalog along with its (identical) words does not make that one reviewed.
    locale: str | None = None


def _table_lines(text: str, name: str) -> list[int]:
    """Line numbers of the ``[[name]]`` headers, to place an error in a record."""
    header = re.compile(rf"\s*\[\[\s*{name}\s*\]\]")
    return [n for n, line in enumerate(text.splitlines(), 1) if header.match(line)]


def _invalid(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"])
    # a validator's own sentence, without pydantic's "Value error, " before it
    problem = str(first["ctx"]["error"]) if first["type"] == "value_error" else first["msg"]
    return f"{where}: {problem.lower()}" if where else problem.lower()


def read_review(path: Path) -> ReviewFile:
    """The side file at *path*; no file means nothing is signed yet."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return ReviewFile(path)
    except (OSError, UnicodeDecodeError) as error:
        raise CatalogError(path, None, f"unreadable review file: {error}") from None
    try:
        data = parse_toml(text)
    except tomllib.TOMLDecodeError as error:
        found = re.search(r"\(at line (\d+), column \d+\)", str(error))
        detail = str(error).replace(found.group(0), "").strip() if found else str(error)
        raise CatalogError(
            path,
            int(found.group(1)) if found else None,
            f"malformed review file: {detail}; restore it from version control or sign again",
        ) from None
    unknown = set(data) - {"format", "locale", "signature", "message"}
    if unknown:
        raise CatalogError(path, None, f"unknown key {sorted(unknown)[0]!r} in the review file")
    if type(data.get("format")) is not int or data["format"] != FORMAT:  # not true, not 1.0
        raise CatalogError(
            path, 1, f"review file format {data.get('format')!r}; this polyleaf reads {FORMAT}"
        )
    locale = data.get("locale")
    if locale is not None and not isinstance(locale, str):
        raise CatalogError(path, None, "'locale' must be a string such as \"es\"")
    signatures = _parse(path, text, data, "signature", Signature)
    records: dict[MessageKey, Record] = {}
    lines = _table_lines(text, "message")
    for index, record in enumerate(_parse(path, text, data, "message", Record)):
        line = lines[index] if index < len(lines) else None
        if not record.fingerprint.startswith(f"{FINGERPRINT_VERSION}:"):
            raise CatalogError(path, line, f"unknown fingerprint {record.fingerprint[:12]!r}")
        if record.fingerprint != record.expected_fingerprint():
            raise CatalogError(
                path, line, "fingerprint does not match the recorded text; sign the message again"
            )
        if record.key in records:
            raise CatalogError(path, line, f"message {record.msgid[:40]!r} is recorded twice")
        records[record.key] = record
    return ReviewFile(path, records, tuple(signatures), locale)


def _parse(path: Path, text: str, data: dict, name: str, model: type[_T]) -> list[_T]:
    tables = data.get(name, [])
    if not isinstance(tables, list):
        raise CatalogError(path, None, f"{name!r} must be a list of [[{name}]] tables")
    lines = _table_lines(text, name)
    parsed = []
    for index, table in enumerate(tables):
        try:
            parsed.append(model.model_validate(table))
        except ValidationError as error:
            line = lines[index] if index < len(lines) else None
            raise CatalogError(path, line, f"[[{name}]] {_invalid(error)}") from None
    return parsed


_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _string(text: str) -> str:
    """A TOML basic string: control characters escaped, every other character as itself."""
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


HEADER = """\
# Review of {catalog} by qualified medical translators, message by message.
# Written by `polyleaf review sign`. A message counts as reviewed only while the
# fingerprint below matches its context, English and translation in the catalog.
"""


def dump_review(review: ReviewFile, catalog_name: str) -> str:
    """The side file's text: signatures by date, then messages by context and English."""
    lines = [HEADER.format(catalog=catalog_name) + f"format = {FORMAT}"]
    if review.locale is not None:
        lines[0] += f"\nlocale = {_string(review.locale)}"
    for signature in sorted(review.signatures, key=lambda s: (s.on, s.by, s.credential)):
        lines.append(
            f"\n[[signature]]\nby = {_string(signature.by)}\n"
            f"credential = {_string(signature.credential)}\n"
            f"on = {signature.on.isoformat()}\nmessages = {signature.messages}"
        )
    for record in sorted(review.records.values(), key=_order):
        table = ["\n[[message]]"]
        if record.context is not None:
            table.append(f"context = {_string(record.context)}")
        table.append(f"msgid = {_string(record.msgid)}")
        if record.msgid_plural is not None:
            table.append(f"msgid_plural = {_string(record.msgid_plural)}")
        table.append(f"msgstr = [{', '.join(_string(form) for form in record.msgstr)}]")
        table.append(f"fingerprint = {_string(record.fingerprint)}")
        table.append(f"by = {_string(record.by)}\ncredential = {_string(record.credential)}")
        table.append(f"on = {record.on.isoformat()}")
        lines.append("\n".join(table))
    return "\n".join(lines) + "\n"


def _order(record: Record) -> tuple[bool, str, str]:
    return (record.context is not None, record.context or "", record.msgid)


def write_review(review: ReviewFile, catalog_name: str) -> bool:
    """Write the side file atomically; False when it already says that."""
    text = dump_review(review, catalog_name).encode("utf-8")
    if review.path.is_file() and review.path.read_bytes() == text:
        return False
    with atomic_target(review.path) as temporary:
        temporary.write_bytes(text)
    return True
