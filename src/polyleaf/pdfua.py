"""A whole, well-formed PDF/UA structure tree: WeasyPrint 70's PDF, repaired.

WeasyPrint 70 leaves two faults in every tagged PDF it writes (causes in its
``pdf/tags.py``, upstream Kozea/WeasyPrint#1836):

* **Margin-box text is orphaned.** The running furniture ("Leaflet ... Revised
  ...", "Page X of Y") and the translation's status line get marked-content ids
  and ``NonStruct`` elements whose parent is the Document element, but the
  Document does not list them: no reader reaching the tree from its root finds
  them, and the content is not an artifact either.
* **List items break ISO 32000-1 Table 336.** Block children of an ``li`` (the
  ``p`` after an ``h3``) sit directly in ``LI``, and an inside marker (the
  right-to-left lists) puts its ``Lbl`` inside the ``LBody``.
* **Unknown inline elements are grouping elements.** A ``br`` (and any element
  WeasyPrint has no tag for, such as ``strong`` or ``em``) becomes ``NonStruct``,
  a grouping element, even inside a paragraph.

:func:`repair` fixes both on the finished file, touching no WeasyPrint
internals: the furniture becomes ``/Artifact <</Type /Pagination /Subtype
/Header>>`` (or ``/Footer``) marked content with its parent-tree entries
removed; the status line, found by its *text* (the *notice* the caller passes
in), becomes a ``P`` at the start of the Document on page 1, so assistive
technology reads "draft translation" first, and an artifact on the other pages;
each ``LI`` becomes ``Lbl`` + one ``LBody``; a ``NonStruct`` inside a
paragraph, heading, label or inline element becomes a ``Span``. Only marked-content tags change in
the page content, so the pages and the text layer stay as they were. A file
with nothing to repair comes back as the same bytes, so repairing twice changes
nothing, and the repair stops doing anything once WeasyPrint's output is right.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO

import pikepdf
from pikepdf import Array, Dictionary, Name

from polyleaf.errors import RenderError

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


def repair(data: bytes, notice: str | None = None) -> bytes:
    """*data* (a tagged PDF from WeasyPrint) with a whole, well-formed tree.

    *notice* is the text polyleaf prints as the translation's status (the draft
    notice or the review line) in a page margin, or None when it prints none;
    it must be found exactly once on page 1.
    """
    with pikepdf.open(BytesIO(data)) as pdf:
        if "/StructTreeRoot" not in pdf.Root:
            return data
        tree = _Tree(pdf)
        changed = _repair_margins(pdf, tree, notice)
        changed |= _repair_lists(pdf, tree)
        changed |= _repair_inline(tree)
        if not changed:
            return data
        out = BytesIO()
        pdf.save(
            out,
            deterministic_id=True,  # same inputs, same bytes
            stream_decode_level=pikepdf.StreamDecodeLevel.none,  # fonts and images untouched
            fix_metadata_version=False,
        )
        return out.getvalue()


# -- the tree ---------------------------------------------------------------


def kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    """The /K entry of a structure element as a list (it may be one object)."""
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, Array) else [k]


def is_element(kid: pikepdf.Object) -> bool:
    """A structure element, not a marked-content id, MCR or OBJR."""
    return isinstance(kid, Dictionary) and "/S" in kid


class _Tree:
    """The structure tree: which elements the root reaches, and the parent tree."""

    def __init__(self, pdf: pikepdf.Pdf) -> None:
        self.root = pdf.Root.StructTreeRoot
        self.reached: set[tuple[int, int]] = set()
        #: Every element the root reaches, each before its children.
        self.elements: list[pikepdf.Object] = []
        pending = [kid for kid in kids(self.root) if is_element(kid)]
        while pending:
            element = pending.pop()
            if element.objgen not in self.reached:
                self.reached.add(element.objgen)
                self.elements.append(element)
                pending.extend(kid for kid in kids(element) if is_element(kid))
        nums = self.root.ParentTree.get("/Nums", Array())
        #: StructParents key -> array (index: marked-content id -> owning element).
        self.parents: dict[int, pikepdf.Object] = {
            int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)
        }

    def owners(self, page: pikepdf.Page) -> pikepdf.Object | None:
        key = page.obj.get("/StructParents")
        return None if key is None else self.parents.get(int(key))


# -- margin boxes -----------------------------------------------------------


@dataclass
class _Orphan:
    """An element the root does not reach, with its marked content on one page."""

    top: pikepdf.Object
    mcids: list[int] = field(default_factory=list)
    text: str = ""
    y: float | None = None  #: baseline of its first text, from the page's bottom


def _repair_margins(pdf: pikepdf.Pdf, tree: _Tree, notice: str | None) -> bool:
    changed = False
    for number, page in enumerate(pdf.pages):
        owners = tree.owners(page)
        if owners is None:
            continue
        orphans = _orphans(tree, owners)
        if not orphans:  # nothing to repair (or repaired before)
            continue
        needs_text = number == 0 and bool(notice)
        _read_marked_text(page, orphans, needs_text)
        content = []
        if needs_text:
            content = _match_notice(orphans, notice)
            _prepend_paragraph(pdf, tree, page, owners, content)
        kept = {id(orphan) for orphan in content}
        artifacts = {
            mcid: _pagination(page, orphan)
            for orphan in orphans
            if id(orphan) not in kept
            for mcid in orphan.mcids
        }
        stream = _retag(page.obj.Contents.read_bytes(), artifacts)
        page.obj.Contents = pdf.make_stream(zlib.compress(stream), Filter=Name.FlateDecode)
        for mcid in artifacts:
            owners[mcid] = None
        changed = True
    return changed


_TAGGED = re.compile(rb"/[^\s/<>\[\]()%]+\s*<<\s*/MCID\s+(\d+)\s*>>\s*BDC")


def _retag(stream: bytes, artifacts: dict[int, str]) -> bytes:
    """*stream* with each ``/Tag <</MCID n>> BDC`` of *artifacts* retagged as its
    artifact; every other byte stays as WeasyPrint wrote it."""
    found: list[int] = []

    def replace(match: re.Match[bytes]) -> bytes:
        mcid = int(match.group(1))
        if mcid not in artifacts:
            return match.group(0)
        found.append(mcid)
        return b"/Artifact <</Type /Pagination /Subtype /" + artifacts[mcid].encode() + b">> BDC"

    stream = _TAGGED.sub(replace, stream)
    if sorted(found) != sorted(artifacts):
        raise RenderError("PDF/UA: page furniture's marked content not found once in its page")
    return stream


def _orphans(tree: _Tree, owners: pikepdf.Object) -> list[_Orphan]:
    """The unreached elements with marked content on this page, in content order."""
    found: dict[tuple[int, int], _Orphan] = {}
    for mcid, owner in enumerate(owners):
        if not isinstance(owner, Dictionary) or owner.objgen in tree.reached:
            continue
        top = owner
        while "/P" in top and top.P.objgen not in tree.reached and "/S" in top.P:
            top = top.P
        found.setdefault(top.objgen, _Orphan(top)).mcids.append(mcid)
    return sorted(found.values(), key=lambda orphan: orphan.mcids[0])


def _pagination(page: pikepdf.Page, orphan: _Orphan) -> str:
    """Header above the middle of the page, Footer below."""
    box = [float(v) for v in page.obj.get("/TrimBox", page.mediabox)]
    middle = (box[1] + box[3]) / 2
    return "Header" if orphan.y is not None and orphan.y > middle else "Footer"


#: What _read_marked_text looks at: the graphics state, marked content, text.
_POSITION_OPERATORS = "q Q cm BT Tm Td BDC BMC EMC"
_TEXT_OPERATORS = " Tf Tj TJ ' \""


def _read_marked_text(page: pikepdf.Page, orphans: list[_Orphan], text: bool) -> None:
    """Each orphan's position and, if *text*, its text (through ToUnicode)."""
    by_mcid = {mcid: orphan for orphan in orphans for mcid in orphan.mcids}
    fonts = page.obj.get("/Resources", Dictionary()).get("/Font", Dictionary())
    maps: dict[tuple[int, int], tuple[dict[bytes, str], int]] = {}
    ctm, stack, text_matrix = IDENTITY, [], IDENTITY
    font: pikepdf.Object | None = None
    current: list[_Orphan | None] = []
    operators = _POSITION_OPERATORS + (_TEXT_OPERATORS if text else "")
    for instruction in pikepdf.parse_content_stream(page, operators):
        operator, operands = str(instruction.operator), instruction.operands
        if operator == "q":
            stack.append(ctm)
        elif operator == "Q" and stack:
            ctm = stack.pop()
        elif operator == "cm":
            ctm = _multiply(tuple(map(float, operands)), ctm)
        elif operator == "BDC":
            properties = operands[1] if len(operands) == 2 else None
            mcid = properties.get("/MCID") if isinstance(properties, Dictionary) else None
            current.append(None if mcid is None else by_mcid.get(int(mcid)))
        elif operator == "BMC":
            current.append(None)
        elif operator == "EMC" and current:
            current.pop()
        elif operator == "BT":
            text_matrix = IDENTITY
        elif operator in ("Tm", "Td"):
            values = tuple(map(float, operands))
            text_matrix = (
                values if operator == "Tm" else _multiply((1, 0, 0, 1, *values), text_matrix)
            )
            orphan = next((o for o in reversed(current) if o is not None), None)
            if orphan is not None and orphan.y is None:
                orphan.y = _multiply(text_matrix, ctm)[5]
        elif operator == "Tf":
            font = fonts.get(operands[0])
        elif font is not None:  # a text-showing operator
            orphan = next((o for o in reversed(current) if o is not None), None)
            if orphan is None:
                continue
            if font.objgen not in maps:
                maps[font.objgen] = _to_unicode(font)
            strings = operands[0] if operator == "TJ" else operands[-1:]
            for string in strings:
                if isinstance(string, pikepdf.String):
                    orphan.text += _decode(bytes(string), maps[font.objgen])


def _multiply(m: Matrix, n: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (
        a * p + b * r,
        a * q + b * s,
        c * p + d * r,
        c * q + d * s,
        e * p + f * r + t,
        e * q + f * s + u,
    )


_BFCHAR = re.compile(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>")


def _to_unicode(font: pikepdf.Object) -> tuple[dict[bytes, str], int]:
    """A font's character codes -> text (WeasyPrint writes bfchar entries only)."""
    width = 2 if font.get("/Subtype") == "/Type0" else 1
    mapping: dict[bytes, str] = {}
    if "/ToUnicode" in font:
        cmap = font.ToUnicode.read_bytes()
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
            for code, text in _BFCHAR.findall(block):
                mapping[bytes.fromhex(code.decode())] = bytes.fromhex(text.decode()).decode(
                    "utf-16-be", "replace"
                )
    return mapping, width


def _decode(codes: bytes, font: tuple[dict[bytes, str], int]) -> str:
    mapping, width = font
    return "".join(mapping.get(codes[i : i + width], "") for i in range(0, len(codes), width))


def letters(text: str) -> Counter[str]:
    """The characters of *text* without spaces and invisible formatting marks.

    Compared as a multiset: a right-to-left line's glyphs are drawn (and so
    read back from the content stream) in visual order, and a line break drops
    the space where it falls.
    """
    return Counter(
        ch
        for ch in unicodedata.normalize("NFC", text)
        if not ch.isspace() and unicodedata.category(ch) != "Cf"
    )


#: How closely a run of lines must agree with the notice, letter for letter.
#: With polyleaf's text-layer stage the text reads back exactly (1.0); stock
#: WeasyPrint reads some Indic letters back wrong (0.83 for the Bengali notice),
#: while the other margin lines agree at most 0.4.
AGREEMENT = 0.8


def agreement(found: Counter[str], wanted: Counter[str]) -> float:
    """The share of letters two texts have in common (1.0: the same letters)."""
    total = max(sum(found.values()), sum(wanted.values()))
    return sum((found & wanted).values()) / total if total else 0.0


def _match_notice(orphans: list[_Orphan], notice: str) -> list[_Orphan]:
    """The run of consecutive orphans (a wrapped notice has one per line) whose
    text is *notice*; exactly one must match."""
    wanted = letters(notice)
    candidates = []  # (agreement, start, end)
    for start in range(len(orphans)):
        seen: Counter[str] = Counter()
        best, best_end = 0.0, start
        for end in range(start, len(orphans)):
            seen += letters(orphans[end].text)
            score = agreement(seen, wanted)
            if score <= best:
                break
            best, best_end = score, end
        if best >= AGREEMENT:
            candidates.append((best, start, best_end))
    # Overlapping runs are the same lines (the notice, or its tail): the best counts.
    matches: list[list[_Orphan]] = []
    taken: set[int] = set()
    for _, start, end in sorted(candidates, key=lambda c: (-c[0], c[1])):
        if not taken & set(range(start, end + 1)):
            taken |= set(range(start, end + 1))
            matches.append(orphans[start : end + 1])
    if len(matches) != 1:
        raise RenderError(
            f"PDF/UA: the notice {notice!r} is found {len(matches)} times on page 1, "
            "expected exactly once"
        )
    return matches[0]


def _prepend_paragraph(
    pdf: pikepdf.Pdf,
    tree: _Tree,
    page: pikepdf.Page,
    owners: pikepdf.Object,
    orphans: list[_Orphan],
) -> None:
    """The notice as a P, the first child of the Document element."""
    document = orphans[0].top.P
    paragraph = pdf.make_indirect(
        Dictionary(Type=Name.StructElem, S=Name.P, P=document, Pg=page.obj, K=Array())
    )
    for orphan in orphans:
        for mcid in orphan.mcids:
            owner = owners[mcid]
            if owner.objgen == orphan.top.objgen:  # marked content right in the top
                owner.S = Name.Span
            if not any(kid.objgen == owner.objgen for kid in paragraph.K):
                owner.P = paragraph
                paragraph.K.append(owner)
    document.K = Array([paragraph, *kids(document)])
    tree.reached.add(paragraph.objgen)


# -- lists ------------------------------------------------------------------


def _repair_lists(pdf: pikepdf.Pdf, tree: _Tree) -> bool:
    """Every LI as (Lbl) + one LBody, its other children moved into the LBody."""
    changed = False
    for element in tree.elements:
        if element.S == "/LI" and _repair_item(pdf, tree, element, kids(element)):
            changed = True
    return changed


def _role(kid: pikepdf.Object) -> str | None:
    return str(kid.S) if is_element(kid) else None


def _repair_item(
    pdf: pikepdf.Pdf, tree: _Tree, item: pikepdf.Object, children: list[pikepdf.Object]
) -> bool:
    roles = [_role(kid) for kid in children]
    bodies = [kid for kid in children if _role(kid) == "/LBody"]
    misplaced = any(_role(inner) == "/Lbl" for body in bodies for inner in kids(body))
    if roles in (["/Lbl", "/LBody"], ["/LBody"], ["/Lbl"]) and not misplaced:
        return False
    body = (
        bodies[0]
        if bodies
        else pdf.make_indirect(
            Dictionary(Type=Name.StructElem, S=Name.LBody, P=item, Pg=item.get("/Pg"), K=Array())
        )
    )
    tree.reached.add(body.objgen)
    labels, contents = [], []
    for kid in children:
        for moved in kids(kid) if _role(kid) == "/LBody" else [kid]:
            if _role(moved) == "/Lbl":
                labels.append(moved)
                moved.P = item
            elif is_element(moved):
                moved.P = body
                contents.append(moved)
            elif is_element(kid) and kid.objgen == body.objgen:  # stays with its owner
                contents.append(moved)
            else:
                raise RenderError("PDF/UA: a list item holds marked content outside its LBody")
    body.K = Array(contents)
    item.K = Array([*labels, body])
    return True


# -- inline content ---------------------------------------------------------

#: Elements whose children must be inline-level (ISO 32000-1, 14.8.4.3).
INLINE_PARENTS = {"/P", "/H", "/H1", "/H2", "/H3", "/H4", "/H5", "/H6", "/Lbl", "/Span", "/Link"}


def _repair_inline(tree: _Tree) -> bool:
    """A NonStruct (WeasyPrint's tag for br, strong, em ...) in inline context is a Span."""
    changed = False
    for element in tree.elements:
        if element.S == "/NonStruct" and "/P" in element and element.P.get("/S") in INLINE_PARENTS:
            element.S = Name.Span  # parents come first: a NonStruct in it follows
            changed = True
    return changed
