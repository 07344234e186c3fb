"""Message catalogs: each leaflet's messages and each locale's ``.po`` file.

Catalogs are read straight from the ``.po`` files that translators edit; no
``.mo`` file is compiled or committed, so what is checked is what is printed.
Each leaflet has its own catalog per locale (``locales/<locale>/LC_MESSAGES/
<leaflet>.po``); the page furniture of the layouts has its own domain,
``polyleaf``, shipped with polyleaf and overridable by the project. A Markdown
leaflet's messages come from segmenting its source (:mod:`polyleaf.markdown`);
a Jinja leaflet's and the layouts' from Babel's Jinja extractor, the same
extraction ``pybabel extract`` runs.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from gettext import c2py
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import PoFileError, read_po, unescape, write_po
from markupsafe import escape

from polyleaf import pocheck
from polyleaf.atomic import atomic_target
from polyleaf.errors import CatalogError, PolyleafError, RenderError
from polyleaf.locales import LocaleInfo
from polyleaf.project import LAYOUTS, Leaflet, Project

MessageKey = tuple[str | None, str]  # (gettext context, English msgid)


def message_key(message: Message) -> MessageKey:
    return (message.context, message.id if isinstance(message.id, str) else message.id[0])


#: A .po line is blank, a comment, a keyword with a quoted string, or a quoted
#: continuation string. Babel's reader is lenient (an unterminated string reads
#: as empty); a catalog that feeds a safety leaflet must be exactly well-formed.
_PO_LINE = re.compile(
    r'\s*(?:#.*|(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)?\s*"(?:[^"\\]|\\.)*"\s*)?'
)


def _check_syntax(path: Path, data: bytes) -> None:
    for number, line in enumerate(data.decode("utf-8").splitlines(), 1):
        if not _PO_LINE.fullmatch(line):
            raise CatalogError(
                path,
                number,
                f"malformed catalog: {line.strip()[:60]!r} is not a "
                'keyword and "quoted string"; fix it in a PO editor or text editor',
            )


def _read_bytes(path: Path) -> bytes:
    """The file's bytes; a folder or unreadable file in its place is a CatalogError."""
    if path.is_dir():
        raise CatalogError(path, None, "is a folder, not a catalog file; remove or rename it")
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as error:
        raise CatalogError(path, None, f"cannot read catalog: {error.strerror}") from None


def _check_like_msgfmt(path: Path, data: bytes) -> None:
    """Duplicates, broken Plural-Forms and a charset other than the file's, which
    ``msgfmt -c`` rejects and Babel reads (or fails on with a traceback)."""
    text = data.decode("utf-8")
    pocheck.check_charset(path, text)
    pocheck.check_duplicates(path, text)
    pocheck.check_plural_forms(path, text)


def read_catalog(path: Path, locale: str | None = None) -> Catalog:
    """Read one ``.po``/``.pot`` file; a syntax error names the file and line."""
    try:
        data = _read_bytes(path)
        _check_syntax(path, data)
        _check_like_msgfmt(path, data)
        return read_po(io.BytesIO(data), locale=locale, abort_invalid=True)
    except FileNotFoundError:
        raise CatalogError(path, None, "no such catalog") from None
    except PoFileError as error:
        raise CatalogError(path, error.lineno, f"malformed catalog: {error}") from None
    except (UnicodeDecodeError, ValueError) as error:
        raise CatalogError(path, None, f"unreadable catalog: {error}") from None


#: Header fields that name the tool that wrote a catalog, not anything it says.
#: (Babel reads only the standard fields, so a PO editor's X-Generator is
#: already gone when a catalog is read; it is listed for catalogs built by hand.)
TOOL_FIELDS = frozenset({"Generated-By", "X-Generator"})
#: What polyleaf writes as ``Generated-By``: the same whichever Babel it runs on.
GENERATED_BY = "polyleaf"
_GENERATED_BY_LINE = re.compile(rb'^"Generated-By: [^"\n]*\\n"$', re.MULTILINE)

#: The parts of a message that the content of a catalog is made of.
_MESSAGE_FIELDS = (
    "id",  # with the plural id: (singular, plural)
    "string",  # a tuple of strings for a plural message
    "flags",
    "locations",
    "user_comments",
    "auto_comments",
    "previous_id",
)


def _previous_ids(message: Message) -> list[str]:
    """The previous msgid (and msgid_plural) of a fuzzy message.

    Babel's reader does not parse ``#| msgid "..."`` lines: they come back as
    the translator comment ``| msgid "..."``, while a catalog that Babel
    updated in memory has them in ``previous_id``. Both spellings, wrapped or
    not, count as the same previous id.
    """
    ids = list(message.previous_id)
    for comment in message.user_comments:
        if not comment.startswith("|"):
            continue
        text = comment[1:].strip()
        if text.startswith('"') and ids:  # a wrapped line continues the last one
            ids[-1] += unescape(text)
        else:
            _keyword, _, quoted = text.partition(" ")
            ids.append(unescape(quoted.strip()))
    return ids


def _field(message: Message, field: str) -> object:
    if field == "previous_id":
        return _previous_ids(message)
    if field in ("user_comments", "auto_comments"):
        # comments as their words: Babel's writer wraps them at 76 columns
        comments = [c for c in getattr(message, field) if not c.startswith("|")]
        return " ".join(" ".join(comments).split())
    value = getattr(message, field)
    if field == "string" and not any(value if isinstance(value, tuple) else (value,)):
        return ""  # untranslated: None in a catalog built in memory, "" when read
    return value


def _entries(catalog: Catalog) -> dict[tuple[str, MessageKey], Message]:
    entries = {("", message_key(m)): m for m in catalog if m.id}
    entries.update({("obsolete ", message_key(m)): m for m in catalog.obsolete.values()})
    return entries


def _header(catalog: Catalog) -> dict[str, object]:
    fields: dict[str, object] = {
        name: value.strip() for name, value in catalog.mime_headers if name not in TOOL_FIELDS
    }
    fields["header comment"] = catalog.header_comment
    fields["fuzzy header"] = catalog.fuzzy
    return fields


def catalog_differences(old: Catalog, new: Catalog) -> list[str]:
    """What *new* says differently from *old*, one line per difference; [] when equal.

    Compared: every message (live and obsolete) by context and id, with its
    plural id, translations, flags, locations, translator and extracted
    comments and previous id; and the header, field by field, with its comment
    (where the review status lives) and fuzzy flag. Not compared: the order of
    messages and how lines are wrapped (a PO editor may reflow a file), and
    :data:`TOOL_FIELDS`, so that a catalog written by one Babel release equals
    the same content written by the next. Both headers are rendered by the
    installed Babel from what it read, so a change in how Babel formats a date
    is no difference either.
    """
    old_header, new_header = _header(old), _header(new)
    differences = [
        f"header {name}: {old_header.get(name)!r} -> {new_header.get(name)!r}"
        for name in old_header.keys() | new_header.keys()
        if old_header.get(name) != new_header.get(name)
    ]
    before, after = _entries(old), _entries(new)
    for key in before.keys() | after.keys():
        kind, (context, msgid) = key
        where = f"{kind}message {msgid[:50]!r}" + (f" (context {context!r})" if context else "")
        if key not in after:
            differences.append(f"{where}: removed")
        elif key not in before:
            differences.append(f"{where}: added")
        else:
            differences += [
                f"{where}: {field} differs"
                for field in _MESSAGE_FIELDS
                if _field(before[key], field) != _field(after[key], field)
            ]
    return sorted(differences)


def serialize_catalog(catalog: Catalog) -> bytes:
    """A catalog as .po text, unwrapped, grouped by template like pybabel writes it,
    with ``Generated-By: polyleaf`` (see :func:`write_catalog`)."""
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, sort_by_file=True, include_previous=True)
    stable = f'"Generated-By: {GENERATED_BY}\\n"'.encode()
    return _GENERATED_BY_LINE.sub(lambda _: stable, buffer.getvalue(), count=1)


def write_catalog(path: Path, catalog: Catalog) -> bool:
    """Write *catalog* to *path* atomically; False, and nothing written, when the
    file there already has the same content (see :func:`catalog_differences`).

    Why content, not bytes: the file may have been written by another Babel
    release (whose ``Generated-By`` names it), by plain ``pybabel`` or by a PO
    editor that wraps lines; rewriting every catalog for that would be a
    diff with nothing in it, and a catalog changed without a reason is one
    more for a translator to look at.

    The header, when a file is written: ``Generated-By: polyleaf`` whatever
    Babel runs underneath, so the next Babel release changes no byte.
    ``POT-Creation-Date`` and ``PO-Revision-Date`` are what *catalog* says:
    polyleaf dates the template by the newest leaflet revision, never the
    clock, and ``i18n update`` keeps each catalog's dates, so they are
    content (compared like any other field) and stay as they are until a
    leaflet's revision date changes.
    """
    if path.is_file():
        try:
            if not catalog_differences(read_catalog(path), catalog):
                return False
        except CatalogError:
            pass  # unreadable: replaced by a well-formed one
    with atomic_target(path) as temporary:
        temporary.write_bytes(serialize_catalog(catalog))
    return True


@dataclass(frozen=True)
class SourceMessage:
    context: str | None
    id: str
    locations: tuple[tuple[str, int], ...]  #: (source path relative to project, line)
    plural: str | None = None  #: msgid_plural, for ngettext messages
    #: Notes for translators: ``{# Translators: ... #}`` comments before the call.
    comments: tuple[str, ...] = ()

    @property
    def where(self) -> str:
        file, line = self.locations[0]
        return f"{file}:{line}"


#: How Babel's Jinja extractor reads templates: the policy polyleaf's renderer sets.
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trimmed": "true"}
#: A Jinja comment starting with this before a gettext call is a note for translators.
TRANSLATOR_COMMENT = "Translators:"


def _extract_jinja(paths: list[tuple[Path, str]]) -> dict[MessageKey, SourceMessage]:
    from babel.messages.extract import extract_from_file  # not needed for a no-change rebuild

    messages: dict[MessageKey, SourceMessage] = {}
    for path, relative in paths:
        try:
            found = list(
                extract_from_file(
                    "jinja2",
                    str(path),
                    options=JINJA_OPTIONS,
                    comment_tags=(TRANSLATOR_COMMENT,),
                    strip_comment_tags=True,
                )
            )
        except OSError as error:
            raise PolyleafError(f"{relative}: cannot read: {error.strerror}") from None
        except Exception as error:  # Jinja syntax errors and the like
            raise PolyleafError(f"{relative}: cannot extract messages: {error}") from None
        for lineno, msgid, comments, context in found:
            text = msgid if isinstance(msgid, str) else msgid[0]
            plural = None if isinstance(msgid, str) else msgid[1]
            key = (context, text)
            previous = messages.get(key)
            locations = (previous.locations if previous else ()) + ((relative, lineno),)
            notes = tuple(dict.fromkeys((previous.comments if previous else ()) + tuple(comments)))
            messages[key] = SourceMessage(context, text, locations, plural, notes)
    return messages


def leaflet_messages(leaflet: Leaflet) -> dict[MessageKey, SourceMessage]:
    """The messages a leaflet's source uses now, by (context, msgid), in order."""
    if leaflet.kind == "jinja":
        return _extract_jinja([(leaflet.source, leaflet.relative)])
    messages: dict[MessageKey, SourceMessage] = {}
    for segment in leaflet.document.segments:
        key = (segment.context, segment.id)
        previous = messages.get(key)
        location = (leaflet.relative, segment.line)
        locations = (previous.locations if previous else ()) + (location,)
        messages[key] = SourceMessage(segment.context, segment.id, locations)
    return messages


def layout_files(project: Project) -> dict[str, Path]:
    """The layouts in use, by name: the project's ``templates/*.html`` and
    ``*.css`` that are not leaflets, and polyleaf's own where the project has
    none of that name. A project file that is a symlink leaving the project is
    an error: it would be read into the fingerprint, the extraction and the
    exported HTML's assets."""
    leaflet_sources = {leaflet.source for leaflet in project.leaflets.values()}
    files: dict[str, Path] = {}
    for folder in (LAYOUTS, project.templates_dir):
        for path in sorted(folder.glob("*")):
            if path.suffix in (".html", ".css") and path not in leaflet_sources:
                if folder == project.templates_dir:
                    project.inside(path, f"templates/{path.name}")
                files[path.name] = path
    return files


def furniture_messages(project: Project) -> dict[MessageKey, SourceMessage]:
    """The page furniture's messages: those of the layouts in use."""
    paths = []
    for name, path in layout_files(project).items():
        if path.suffix == ".html":
            own = path.is_relative_to(project.root)
            paths.append((path, f"templates/{name}" if own else f"polyleaf/layouts/{name}"))
    return _extract_jinja(paths)


def shipped_furniture_messages() -> dict[MessageKey, SourceMessage]:
    """The messages of polyleaf's own layouts, whatever a project overrides:
    what polyleaf's furniture catalogs (``polyleaf.pot``) translate."""
    paths = [(path, f"polyleaf/layouts/{path.name}") for path in sorted(LAYOUTS.glob("*.html"))]
    return _extract_jinja(paths)


def in_use(message: Message) -> bool:
    """Whether the renderer takes *message* from its catalog (the first catalog with
    such an entry wins): translated and not fuzzy. A plural entry with a form left
    empty is still taken, and then prints the English, so the gate checks that
    entry, never a complete one further down the list."""
    return bool(message.id and message.string and not message.fuzzy)


class CatalogTranslations:
    """gettext callables over a leaflet's catalog and the page furniture's.

    Fuzzy and empty entries are not used, as in GNU gettext. Outside safety
    sections a missing message falls back to the English source; inside one
    it raises, so that a leaflet can never print English in a safety section
    of a translated leaflet, even if the gate was bypassed.

    Every string handed to a Jinja template is escaped: a translation is text,
    and ``<span style="display:none">`` in one prints as those characters.
    Markdown leaflets take their translations through :meth:`markdown`, whose
    result markdown-it parses with raw HTML off.
    """

    def __init__(
        self,
        catalogs: list[Catalog],
        safety_contexts: set[str],
        locale: LocaleInfo,
        translated: bool = True,
    ) -> None:
        self._safety = safety_contexts
        self._locale = locale
        self._translated = translated
        self._plural_func = c2py(catalogs[0].plural_expr) if catalogs else None
        self._strings: dict[MessageKey, str | tuple[str, ...]] = {}
        for catalog in reversed(catalogs):  # the first catalog wins
            for m in catalog:
                if in_use(m):
                    self._strings[message_key(m)] = m.string

    def _refuse(self, context: str | None, message: str) -> None:
        if self._translated and context in self._safety:
            raise RenderError(
                f"{self._locale.tag} · {context} · {message[:60]!r}: no usable translation "
                "in a safety section; run polyleaf check"
            )

    def _lookup(self, context: str | None, message: str) -> str | tuple[str, ...]:
        found = self._strings.get((context, message))
        if found:
            return found
        self._refuse(context, message)
        return message

    def markdown(self, context: str | None, message: str) -> str:
        """A Markdown leaflet's message, as inline Markdown."""
        found = self._lookup(context, message)
        return found if isinstance(found, str) else found[0]

    def gettext(self, message: str) -> str:
        return self.pgettext(None, message)

    def pgettext(self, context: str | None, message: str) -> str:
        found = self._lookup(context, message)
        return escape(found if isinstance(found, str) else found[0])

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.npgettext(None, singular, plural, n)

    def npgettext(self, context: str | None, singular: str, plural: str, n: int) -> str:
        found = self._strings.get((context, singular))
        if isinstance(found, tuple) and self._plural_func is not None and all(found):
            return escape(found[self._plural_func(n)])
        self._refuse(context, singular)
        return escape(singular if n == 1 else plural)


def confined(root: Path, path: Path) -> Path:
    """*path* if it stays inside the project; a catalog (or a review file beside
    one) reached through a symbolic link out of it is a CatalogError, so that
    the gate reports it like any unreadable catalog."""
    from polyleaf.confine import inside

    try:
        return inside(root, path)
    except PolyleafError as error:
        detail = str(error).split(": ", 1)[1]
        raise CatalogError(path.relative_to(root), None, detail) from None


class CatalogStore:
    """Each catalog of a project, read once per process.

    Why: the gate and the renderer both need a leaflet's catalog and the page
    furniture's, and a build of many documents asks for the same ones again
    and again; parsing a ``.po`` file each time would be wasted work. Read
    errors are raised each time asked.
    """

    def __init__(self, project: Project) -> None:
        self.project = project
        self._catalogs: dict[Path, Catalog] = {}

    def read(self, path: Path, locale: LocaleInfo) -> Catalog:
        if path not in self._catalogs:
            if not path.is_relative_to(LAYOUTS):
                confined(self.project.root, path)
            self._catalogs[path] = read_catalog(path, locale=locale.folder)
        return self._catalogs[path]

    def get(self, leaflet_id: str, locale: LocaleInfo) -> Catalog | None:
        """The leaflet's catalog in *locale*; ``None`` for the source language."""
        if locale == self.project.source_locale:
            return None
        return self.read(self.project.catalog_path(leaflet_id, locale), locale)

    def furniture(self, locale: LocaleInfo) -> list[Catalog]:
        """The page furniture's catalogs for *locale*, the project's own first."""
        if locale == self.project.source_locale:
            return []
        return [self.read(path, locale) for path in self.project.furniture_paths(locale)]

    def translations(self, leaflet_id: str, locale: LocaleInfo) -> CatalogTranslations:
        leaflet = self.project.leaflet(leaflet_id)
        catalog = self.get(leaflet_id, locale)
        catalogs = ([catalog] if catalog is not None else []) + self.furniture(locale)
        return CatalogTranslations(
            catalogs, set(leaflet.sections()), locale, translated=catalog is not None
        )
