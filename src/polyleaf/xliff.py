"""Exchange with translation agencies: XLIFF 1.2 out and back in, TMX out.

translate-toolkit's ``po2xliff``/``xliff2po`` drop every gettext context, write
XLIFF 1.1, leave ``%(page)s`` as translatable text and import damage (a changed
number, a deleted unit, malformed XML) without a word. So this is a small
bridge on Babel and lxml instead:

* export: one ``trans-unit`` per message, its id a hash of (context, English),
  the context as ``resname``, placeholders as ``<ph>``, ``state`` from the
  catalog (translated, fuzzy -> ``needs-review-translation``, empty -> ``new``)
  and ``approved="yes"`` for messages a reviewer signed (for information: an
  agency's approval never counts as a sign-off); plurals as a ``group`` with
  ``restype="x-gettext-plurals"``, one unit per form;
* import: the targets are merged into a copy of the *current* catalog (header,
  comments and obsolete entries never come from the file), and the whole
  import is refused, each problem named, on any unit missing or added, English
  or context changed, placeholder or number altered, markup added, malformed
  XML or another language. A translation that differs from the catalog is
  unreviewed afterwards, because its fingerprint no longer matches.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import PYTHON_FORMAT, Catalog, Message
from lxml import etree

from polyleaf import __version__
from polyleaf.catalogs import MessageKey, message_key, read_catalog, write_catalog
from polyleaf.errors import PolyleafError, shortened
from polyleaf.gate import markup_problems, numbers, placeholders
from polyleaf.review import ReviewSummary, message_id, texts

NS = "urn:oasis:names:tc:xliff:document:1.2"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PLURALS = "x-gettext-plurals"
PLACEHOLDER = "x-python-format"
#: Target states that mean "not final": imported as fuzzy.
_NEEDS = ("needs-", "new")
#: Elements whose content is text: never indented, every space in them counts.
_TEXT_ELEMENTS = {"source", "target", "note", "context"}


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _same_language(a: str | None, b: str) -> bool:
    return (a or "").replace("_", "-").casefold() == b.replace("_", "-").casefold()


# -- export -------------------------------------------------------------------


def _inline(element: etree._Element, text: str, ids: dict[str, list[str]]) -> None:
    """Put *text* into *element*, each placeholder as ``<ph>``; *ids* maps a
    placeholder to the ids the source gave it (filled in when writing the source)."""
    last: etree._Element | None = None
    position = 0
    seen: Counter[str] = Counter()
    pieces = [*PYTHON_FORMAT.finditer(text), None]
    for match in pieces:
        chunk = text[position : match.start() if match else len(text)]
        if last is None:
            element.text = (element.text or "") + chunk
        else:
            last.tail = (last.tail or "") + chunk
        if match is None:
            break
        value = match.group(0)
        known = ids.setdefault(value, [])
        if seen[value] >= len(known):
            known.append(str(sum(len(v) for v in ids.values()) + 1))
        last = etree.SubElement(element, _q("ph"), id=known[seen[value]], ctype=PLACEHOLDER)
        last.text = value
        seen[value] += 1
        position = match.end()


def _unit(parent, unit_id, context, source, target, state, approved) -> etree._Element:
    unit = etree.SubElement(parent, _q("trans-unit"), id=unit_id)
    if context is not None:
        unit.set("resname", context)
    unit.set(XML_SPACE, "preserve")
    if approved:
        unit.set("approved", "yes")
    ids: dict[str, list[str]] = {}
    _inline(etree.SubElement(unit, _q("source")), source, ids)
    _inline(etree.SubElement(unit, _q("target"), state=state), target, ids)
    return unit


def _annotate(element: etree._Element, message: Message) -> None:
    """Where the message is used and the developers' comments, for the translator to see."""
    for filename, line in message.locations:
        group = etree.SubElement(element, _q("context-group"), purpose="location")
        etree.SubElement(group, _q("context"), {"context-type": "sourcefile"}).text = filename
        if line:
            etree.SubElement(group, _q("context"), {"context-type": "linenumber"}).text = str(line)
    for comment in message.auto_comments:
        etree.SubElement(element, _q("note"), {"from": "developer"}).text = comment


def _state(message: Message) -> str:
    if not all(form.strip() for form in texts(message)[2]):
        return "new"
    return "needs-review-translation" if message.fuzzy else "translated"


def _indent(element: etree._Element, level: int = 0) -> None:
    """Indent the structure, never the inside of a source, target or note."""
    children = list(element)
    if not children or _local(element) in _TEXT_ELEMENTS:
        return
    element.text = "\n" + "  " * (level + 1)
    for child in children:
        _indent(child, level + 1)
        child.tail = "\n" + "  " * (level + 1)
    children[-1].tail = "\n" + "  " * level


def export_xliff(
    catalog: Catalog,
    source_locale_tag: str,
    target_locale_tag: str,
    original: str = "messages.po",
    review: ReviewSummary | None = None,
) -> bytes:
    """The catalog as an XLIFF 1.2 document, one unit per message (a group per plural)."""
    approved = {m.key for m in review.messages if m.reviewed} if review else set()
    root = etree.Element(_q("xliff"), version="1.2", nsmap={None: NS})
    file = etree.SubElement(
        root,
        _q("file"),
        {
            "original": original,
            "source-language": source_locale_tag,
            "target-language": target_locale_tag,
            "datatype": "po",
        },
    )
    header = etree.SubElement(file, _q("header"))
    etree.SubElement(
        header,
        _q("tool"),
        {"tool-id": "polyleaf", "tool-name": "polyleaf", "tool-version": __version__},
    )
    body = etree.SubElement(file, _q("body"))
    for message in catalog:
        if not message.id:
            continue
        key = message_key(message)
        msgid, plural, forms = texts(message)
        state, signed = _state(message), key in approved
        try:
            if plural is None:
                unit = _unit(body, message_id(key), message.context, msgid, forms[0], state, signed)
                _annotate(unit, message)
                continue
            group = etree.SubElement(body, _q("group"), id=message_id(key), restype=PLURALS)
            if message.context is not None:
                group.set("resname", message.context)
            _annotate(group, message)
            for index, form in enumerate(forms):
                source = msgid if index == 0 else plural
                unit_id = f"{message_id(key)}[{index}]"
                _unit(group, unit_id, message.context, source, form, state, signed)
        except ValueError as error:  # lxml refuses characters XML cannot carry
            raise PolyleafError(
                f"message {msgid[:40]!r} cannot be written as XML: {error}"
            ) from None
    _indent(root)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8") + b"\n"


def export_tmx(catalog: Catalog, source_locale_tag: str, target_locale_tag: str) -> bytes:
    """Translated, non-fuzzy messages as TMX 1.4 for an agency's translation memory,
    through translate-toolkit, with the gettext context as ``<prop type="x-context">``."""
    from translate.storage import tmx  # only for this export

    store = tmx.tmxfile(sourcelanguage=source_locale_tag, targetlanguage=target_locale_tag)
    for message in catalog:
        msgid, plural, forms = texts(message) if message.id else ("", None, ())
        if not message.id or message.fuzzy or not all(form.strip() for form in forms):
            continue
        for index, form in enumerate(forms):
            source = msgid if index == 0 or plural is None else plural
            store.addtranslation(
                source, source_locale_tag, form, target_locale_tag, context=message.context
            )
    return bytes(store)


# -- import -------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    unit: str  #: "resname · id" of the unit, or "file"
    problem: str

    def __str__(self) -> str:
        return f"{self.unit} · {self.problem}"


@dataclass(frozen=True)
class ImportResult:
    catalog: Catalog  #: the current catalog with the file's translations merged in
    changed: tuple[MessageKey, ...]  #: translations (or fuzzy marks) that differ now
    problems: tuple[Problem, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Unit:
    label: str
    resname: str | None
    sources: list[str]
    targets: list[str | None]
    states: list[str | None]
    line: int
    problems: list[Problem] = field(default_factory=list)  #: markup, reported in catalog order


def has_doctype(data: bytes) -> bool:
    """A DOCTYPE before the root: the way to entity expansion and external files."""
    return b"<!DOCTYPE" in data.split(b"<xliff", 1)[0]


def safe_parser() -> etree.XMLParser:
    """No entity expansion, no DTD, no network: an XLIFF file is data, never instructions."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_pis=True
    )


def _text(element: etree._Element, label: str, problems: list[Problem]) -> str:
    """The text of a source or target, placeholders put back, anything else refused."""
    parts = [element.text or ""]
    for child in element:
        if isinstance(child, etree._Entity):
            problems.append(Problem(label, f"markup added: entity {child.text!r}"))
        elif isinstance(child, etree._Comment):
            pass
        elif child.tag == _q("ph") and len(child) == 0:
            if not PYTHON_FORMAT.fullmatch(child.text or ""):
                problems.append(Problem(label, f"placeholder altered: <ph>{child.text or ''}</ph>"))
            parts.append(child.text or "")
        elif child.tag == _q("mrk") and child.get("mtype") == "seg":
            parts.append(_text(child, label, problems))  # a CAT tool's segment marker
        else:
            problems.append(Problem(label, f"markup added: <{_local(child) or child.tag}>"))
        parts.append(child.tail or "")
    return "".join(parts)


def _units(body: etree._Element, problems: list[Problem]) -> Iterator[tuple[str, _Unit]]:
    for element in body:
        name = _local(element)
        if name == "trans-unit":
            yield element.get("id", ""), _read_units(element.get("resname"), [element])
        elif name == "group" and element.get("restype") == PLURALS:
            units = [child for child in element if _local(child) == "trans-unit"]
            yield element.get("id", ""), _read_units(element.get("resname"), units)
        elif name == "group":
            yield from _units(element, problems)
        elif isinstance(element.tag, str):
            problems.append(Problem("file", f"line {element.sourceline}: unexpected <{name}>"))


def _read_units(resname: str | None, units: list) -> _Unit:
    label = f"{resname or '-'} · {(units[0].get('id', '?') if units else '?').split('[')[0]}"
    unit = _Unit(label, resname, [], [], [], units[0].sourceline if units else 0)
    problems = unit.problems
    for element in units:
        for name in ("source", "target"):  # find() reads the first; which one is meant?
            extra = element.findall(_q(name))[1:]
            if extra:
                problems.append(
                    Problem(label, f"line {extra[0].sourceline}: a second <{name}> in one unit")
                )
        source = element.find(_q("source"))
        target = element.find(_q("target"))
        unit.sources.append(_text(source, label, problems) if source is not None else "")
        unit.targets.append(_text(target, label, problems) if target is not None else None)
        unit.states.append(target.get("state") if target is not None else None)
    return unit


def _short(text: str) -> str:
    return shortened(text, 50)


def _list(counter: Counter[str]) -> str:
    return ", ".join(sorted(counter.elements())) or "none"


def _check_target(label: str, english: str, new: str, plural: bool) -> Iterator[Problem]:
    """The bridge's own checks of one translated form against its English."""
    have, want = placeholders(new), placeholders(english)
    if (have - want) if plural else (have != want):
        yield Problem(
            label, f"placeholders differ: English has {_list(want)}, file has {_list(have)}"
        )
    have, want = numbers(new), numbers(english)
    if (have - want) if plural else (have != want):
        yield Problem(label, f"numbers differ: English has {_list(want)}, file has {_list(have)}")
    # The gate's rule: tags, character references, Markdown attributes, invisible
    # characters or inline Markdown (bold, links, code) other than the English's.
    yield from (Problem(label, problem) for problem in markup_problems(english, new, True))


def import_xliff(
    data: bytes, catalog: Catalog, source_locale_tag: str, target_locale_tag: str
) -> ImportResult:
    """Merge an XLIFF file's translations into a copy of *catalog*, checking everything first."""
    merged = copy.deepcopy(catalog)
    problems: list[Problem] = []

    def refused(problem: str) -> ImportResult:
        return ImportResult(merged, (), (Problem("file", problem),))

    if has_doctype(data):  # refused before any entity is parsed
        return refused("a DOCTYPE is not allowed in an XLIFF file")
    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as error:
        return refused(f"malformed XML at line {error.lineno}: {error.msg}")
    if root.getroottree().docinfo.doctype:
        return refused("a DOCTYPE is not allowed in an XLIFF file")
    if root.tag != _q("xliff") or root.get("version") != "1.2":
        return refused(f"not an XLIFF 1.2 document ({root.tag}); export it again from polyleaf")
    files = root.findall(_q("file"))
    if len(files) != 1 or files[0].find(_q("body")) is None:
        return refused(f"{len(files)} <file> elements with a body; polyleaf writes exactly one")
    file = files[0]
    if not _same_language(file.get("source-language"), source_locale_tag):
        problems.append(
            Problem(
                "file",
                f"source language {file.get('source-language')!r}, expected {source_locale_tag!r}",
            )
        )
    if not _same_language(file.get("target-language"), target_locale_tag):
        problems.append(
            Problem(
                "file",
                f"target language {file.get('target-language')!r}, expected {target_locale_tag!r}",
            )
        )
    for target in file.iter(_q("target")):
        if target.get(XML_LANG) and not _same_language(target.get(XML_LANG), target_locale_tag):
            problems.append(
                Problem(
                    "file",
                    f"line {target.sourceline}: a target in "
                    f"{target.get(XML_LANG)!r}, expected {target_locale_tag!r}",
                )
            )
    found: dict[str, _Unit] = {}
    for unit_id, unit in _units(file.find(_q("body")), problems):
        if unit_id in found:
            problems.append(Problem(unit.label, f"line {unit.line}: unit id repeated"))
        found[unit_id] = unit

    changed: list[MessageKey] = []
    for message in merged:
        if not message.id:
            continue
        key = message_key(message)
        unit = found.pop(message_id(key), None)
        if unit is None:
            problems.append(
                Problem(
                    f"{key[0] or '-'} · {message_id(key)}",
                    f"unit missing: {_short(key[1])} is in the catalog",
                )
            )
            continue
        problems.extend(unit.problems or _merge(message, unit, changed))
    for unit_id, unit in found.items():
        problems.extend(unit.problems)
        english = _short(unit.sources[0]) if unit.sources else "?"
        problems.append(
            Problem(
                unit.label,
                f"unit added (line {unit.line}): {english} is not in the catalog (id {unit_id!r})",
            )
        )
    return ImportResult(merged, tuple(changed), tuple(problems))


def _merge(message: Message, unit: _Unit, changed: list[MessageKey]) -> list[Problem]:
    msgid, plural, forms = texts(message)
    english = [msgid] if plural is None else [msgid] + [plural] * (len(forms) - 1)
    label = unit.label
    problems = []
    if unit.resname != message.context:
        problems.append(Problem(label, f"context changed: {message.context!r} in the catalog"))
    if len(unit.sources) != len(english):
        return [
            *problems,
            Problem(label, f"{len(unit.sources)} forms, the catalog has {len(english)}"),
        ]
    for source, expected in zip(unit.sources, english, strict=True):
        if source != expected:
            problems.append(
                Problem(
                    label,
                    f"source changed: English is {_short(expected)}, file has {_short(source)}",
                )
            )
    new_forms = []
    for index, (target, old) in enumerate(zip(unit.targets, forms, strict=True)):
        if not target:
            if old:
                problems.append(Problem(label, "translation removed: the target is empty"))
            new_forms.append(old)
            continue
        problems.extend(_check_target(label, english[index], target, plural is not None))
        new_forms.append(target)
    if problems:
        return problems
    states = [state for state, target in zip(unit.states, unit.targets, strict=True) if target]
    fuzzy = any(state and state.startswith(_NEEDS) for state in states) if states else message.fuzzy
    if tuple(new_forms) != forms or fuzzy != message.fuzzy:
        changed.append(message_key(message))
        message.string = new_forms[0] if plural is None else tuple(new_forms)
        if fuzzy:
            message.flags.add("fuzzy")
        else:
            message.flags.discard("fuzzy")
    return []


def import_into(
    data: bytes,
    catalog_path: Path,
    source_locale_tag: str,
    target_locale_tag: str,
    checks: Callable[[Catalog], list[str]] | None = None,
) -> ImportResult:
    """Import into the catalog file at *catalog_path*: written only when nothing is wrong.

    *checks* runs on the merged catalog (the safety gate, for the command line)
    and returns problems; any problem, the bridge's or theirs, leaves the file as it was.
    """
    current = read_catalog(catalog_path, locale=target_locale_tag.replace("-", "_"))
    result = import_xliff(data, current, source_locale_tag, target_locale_tag)
    if result.ok and checks is not None:
        extra = tuple(Problem("gate", problem) for problem in checks(result.catalog))
        result = ImportResult(result.catalog, result.changed, extra)
    if result.ok and result.changed:
        write_catalog(catalog_path, result.catalog)
    return result
