"""A PDF/UA structure check with pikepdf: what a validator's machine checks see.

veraPDF cannot be installed here (Java, from Maven only), so this checks the
Matterhorn Protocol 1.1 failure conditions that concern the structure tree and
the page content, each finding prefixed with its checkpoint number:

* 01-003/01-004/01-005: every painting operator inside tagged content (a
  marked-content sequence with an MCID that the tree reaches) or an artifact,
  never one inside the other; every MCID on a page reachable from the
  StructTreeRoot, and every MCID an element claims present on its page;
* 02-001/02-004: structure types standard, or role-mapped to a standard type;
* 09-004/09-005/09-006 and 09-002 where it is mechanical: the parent/child rules
  of ISO 32000-1 Tables 333-337 (grouping, block-level, inline-level, lists,
  tables, TOC);
* 11-001: the document language set, and every /Lang a language tag;
* 13-004/17-002: Figure and Formula with alternative text;
* 14-002/14-003/14-006/14-007: heading levels;
* 18: pagination artifacts typed Header, Footer or Watermark.

:func:`check` returns the findings as lines; an empty list is a pass.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary

GROUPING = {
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption",
    "TOC", "TOCI", "Index", "NonStruct", "Private",
}  # fmt: skip
HEADINGS = {"H", "H1", "H2", "H3", "H4", "H5", "H6"}
PARAGRAPHS = {"P"} | HEADINGS
LIST = {"L", "LI", "Lbl", "LBody"}
TABLE = {"Table", "TR", "TH", "TD", "THead", "TBody", "TFoot"}
INLINE = {
    "Span", "Quote", "Note", "Reference", "BibEntry", "Code", "Link", "Annot",
    "Ruby", "RB", "RT", "RP", "Warichu", "WT", "WP",
}  # fmt: skip
ILLUSTRATIONS = {"Figure", "Formula", "Form"}
STANDARD = GROUPING | PARAGRAPHS | LIST | TABLE | INLINE | ILLUSTRATIONS

#: Elements that may hold each kind of child (ISO 32000-1, 14.8.4): a block
#: element holds only inline content; grouping elements hold blocks, not text.
INLINE_CONTENT = INLINE | ILLUSTRATIONS
BLOCKS = GROUPING - {"TOCI"} | PARAGRAPHS | {"L", "Table"} | ILLUSTRATIONS
ALLOWED_CHILDREN: dict[str, set[str]] = {
    **{name: BLOCKS for name in GROUPING - {"TOC", "TOCI", "Caption"}},
    "Caption": BLOCKS | INLINE_CONTENT,
    **{name: INLINE_CONTENT for name in PARAGRAPHS | INLINE},
    # Table 333
    "TOC": {"TOC", "TOCI", "Caption"},
    "TOCI": {"Lbl", "Reference", "NonStruct", "P", "TOC"},
    # Table 336
    "L": {"L", "LI", "Caption"},
    "LI": {"Lbl", "LBody"},
    "Lbl": INLINE_CONTENT,
    "LBody": BLOCKS | INLINE_CONTENT,
    # Table 337
    "Table": {"TR", "THead", "TBody", "TFoot", "Caption"},
    "THead": {"TR"},
    "TBody": {"TR"},
    "TFoot": {"TR"},
    "TR": {"TH", "TD"},
    "TH": BLOCKS | INLINE_CONTENT,
    "TD": BLOCKS | INLINE_CONTENT,
    **{name: INLINE_CONTENT for name in ILLUSTRATIONS},
}
#: Elements that only these parents may hold.
REQUIRED_PARENT: dict[str, set[str]] = {
    "LI": {"L"},
    "LBody": {"LI"},
    "Lbl": {"LI", "TOCI", "BibEntry", "Note", "Reference"},
    "TR": {"Table", "THead", "TBody", "TFoot"},
    "TH": {"TR"},
    "TD": {"TR"},
    "THead": {"Table"},
    "TBody": {"Table"},
    "TFoot": {"Table"},
    "TOCI": {"TOC"},
}
#: Whether an element may hold marked content (text, images) directly.
HOLDS_CONTENT = PARAGRAPHS | INLINE | ILLUSTRATIONS | {"Lbl", "LBody", "TH", "TD", "Caption"}

PAINTING = {"Tj", "TJ", "'", '"', "Do", "f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "sh"}
INLINE_IMAGE = "INLINE IMAGE"
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
PAGINATION = {"/Header", "/Footer", "/Watermark"}


@dataclass
class Report:
    findings: list[str] = field(default_factory=list)
    #: Pagination artifacts per page (0-based), a figure the tests look at.
    pagination: dict[int, int] = field(default_factory=dict)

    def add(self, code: str, message: str) -> None:
        self.findings.append(f"{code} {message}")


def check(source: Path | pikepdf.Pdf, lang: str | None = None) -> Report:
    """Every finding in the tagged PDF *source*; *lang* the expected document language."""
    pdf = source if isinstance(source, pikepdf.Pdf) else pikepdf.open(source)
    report = Report()
    root = pdf.Root.get("/StructTreeRoot")
    if root is None:
        report.add("01-005", "no StructTreeRoot: nothing is tagged")
        return report
    pages = {page.objgen: number for number, page in enumerate(pdf.pages)}
    role_map = {str(k)[1:]: str(v)[1:] for k, v in root.get("/RoleMap", Dictionary()).items()}
    claimed = _walk_tree(root, pages, role_map, report)
    _check_language(pdf, root, lang, report)
    _check_parent_tree(pdf, root, claimed, report)
    for number, page in enumerate(pdf.pages):
        marked = _check_content(page, number, report)
        for mcid in sorted(marked - set(claimed.get(number, {}))):
            report.add("01-005", f"page {number + 1}: MCID {mcid} not reachable from the root")
        for mcid in sorted(set(claimed.get(number, {})) - marked):
            report.add("01-005", f"page {number + 1}: MCID {mcid} claimed but not in the page")
    return report


def kids(element: pikepdf.Object) -> list[pikepdf.Object]:
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, Array) else [k]


def is_element(kid: object) -> bool:
    return isinstance(kid, Dictionary) and "/S" in kid


def _standard(name: str, role_map: dict[str, str], report: Report) -> str:
    seen = [name]
    while name not in STANDARD:
        if name not in role_map:
            report.add("02-001", f"structure type {seen[0]} is not mapped to a standard type")
            return name
        name = role_map[name]
        if name in seen:
            report.add("02-003", f"circular role mapping {' -> '.join(seen + [name])}")
            return name
        seen.append(name)
    return name


def _walk_tree(
    root: pikepdf.Object, pages: dict, role_map: dict[str, str], report: Report
) -> dict[int, dict[int, tuple[int, int]]]:
    """Checks every element; returns page -> MCID -> the element that claims it."""
    for name in role_map:
        if name in STANDARD:
            report.add("02-004", f"standard type {name} is role-mapped")
    claimed: dict[int, dict[int, tuple[int, int]]] = {}
    headings: list[str] = []
    seen: set[tuple[int, int]] = set()

    def visit(element: pikepdf.Object, parent: str, path: str) -> None:
        if element.objgen in seen:
            report.add("09-002", f"{path}: element reached twice")
            return
        seen.add(element.objgen)
        role = _standard(str(element.S)[1:], role_map, report)
        where = f"{path}/{role}"
        if role in REQUIRED_PARENT and parent not in REQUIRED_PARENT[role]:
            report.add(_rule_code(role), f"{where}: {role} inside {parent}")
        if role in ("Figure", "Formula") and "/Alt" not in element and "/ActualText" not in element:
            report.add("13-004" if role == "Figure" else "17-002", f"{where}: no /Alt")
        if role in HEADINGS:
            headings.append(role)
        children = kids(element)
        roles = []
        h_count = 0
        for kid in children:
            if is_element(kid):
                kid_role = _standard(str(kid.S)[1:], role_map, report)
                roles.append(kid_role)
                h_count += kid_role == "H"
                allowed = ALLOWED_CHILDREN.get(role, STANDARD)
                if kid_role not in allowed:
                    report.add(_rule_code(role, kid_role), f"{where}: {kid_role} inside {role}")
                if "/P" not in kid or kid.P.objgen != element.objgen:
                    report.add("09-002", f"{where}/{kid_role}: /P is not its parent")
                visit(kid, role, where)
            else:
                mcid, page = _content_item(kid, element)
                if mcid is None:
                    continue
                if role not in HOLDS_CONTENT:
                    report.add("09-002", f"{where}: marked content directly in {role}")
                number = pages.get(page.objgen) if page is not None else None
                if number is None:
                    report.add("01-005", f"{where}: MCID {mcid} on no page")
                    continue
                claimed.setdefault(number, {})[mcid] = element.objgen
        if h_count > 1:
            report.add("14-006", f"{where}: {h_count} H children")
        if role == "LI":
            if roles.count("LBody") > 1 or roles.count("Lbl") > 1:
                report.add("09-005", f"{where}: children {roles}, expected Lbl + one LBody")
            if "Lbl" in roles and "LBody" in roles and roles.index("Lbl") > roles.index("LBody"):
                report.add("09-005", f"{where}: Lbl after LBody")
        if role == "L" and "LI" not in roles:
            report.add("09-005", f"{where}: a list without LI")

    for kid in kids(root):
        if is_element(kid):
            visit(kid, "StructTreeRoot", "")
            if _standard(str(kid.S)[1:], role_map, report) not in GROUPING:
                report.add("09-002", f"{kid.S} directly under the StructTreeRoot")
    numbered = [h for h in headings if h != "H"]
    if numbered and "H" in headings:
        report.add("14-007", "both H and H1-H6 headings")
    if numbered and numbered[0] != "H1":
        report.add("14-002", f"the first heading is {numbered[0]}, not H1")
    for before, after in zip(numbered, numbered[1:], strict=False):
        if int(after[1]) > int(before[1]) + 1:
            report.add("14-003", f"{after} follows {before}")
    return claimed


def _rule_code(role: str, child: str = "") -> str:
    if role in LIST or child in LIST:
        return "09-005"
    if role in TABLE or child in TABLE:
        return "09-004"
    if role in ("TOC", "TOCI") or child in ("TOC", "TOCI"):
        return "09-006"
    return "09-002"


def _content_item(kid: object, element: pikepdf.Object) -> tuple[int | None, pikepdf.Object]:
    """(MCID, page) of a content item: an integer, or a marked-content reference."""
    if isinstance(kid, int):
        return kid, element.get("/Pg")
    if isinstance(kid, Dictionary) and "/MCID" in kid and "/Stm" not in kid:
        return int(kid.MCID), kid.get("/Pg", element.get("/Pg"))
    return None, None


def _check_language(pdf: pikepdf.Pdf, root: pikepdf.Object, lang: str | None, report: Report):
    document_lang = str(pdf.Root.get("/Lang", ""))
    if not document_lang:
        report.add("11-001", "the catalog has no /Lang")
    elif lang is not None and document_lang != lang:
        report.add("11-001", f"the catalog's /Lang is {document_lang!r}, expected {lang!r}")
    for element in _elements(root):
        if "/Lang" in element and not LANGUAGE_TAG.match(str(element.Lang)):
            report.add("11-001", f"{element.S}: /Lang {str(element.Lang)!r} is not a language tag")


def _elements(root: pikepdf.Object) -> Iterator[pikepdf.Object]:
    pending = [kid for kid in kids(root) if is_element(kid)]
    seen = set()
    while pending:
        element = pending.pop()
        if element.objgen in seen:
            continue
        seen.add(element.objgen)
        yield element
        pending.extend(kid for kid in kids(element) if is_element(kid))


def _check_parent_tree(pdf: pikepdf.Pdf, root: pikepdf.Object, claimed: dict, report: Report):
    """Each page's parent-tree entries name the element that claims the MCID."""
    nums = root.get("/ParentTree", Dictionary()).get("/Nums", Array())
    tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    for number, page in enumerate(pdf.pages):
        key = page.obj.get("/StructParents")
        owners = tree.get(int(key)) if key is not None else None
        for mcid, owner in claimed.get(number, {}).items():
            entry = owners[mcid] if owners is not None and mcid < len(owners) else None
            if not isinstance(entry, Dictionary) or entry.objgen != owner:
                report.add("01-005", f"page {number + 1}: ParentTree misses MCID {mcid}")
        if isinstance(owners, Array):
            for mcid, entry in enumerate(owners):
                if isinstance(entry, Dictionary) and mcid not in claimed.get(number, {}):
                    report.add(
                        "01-005", f"page {number + 1}: ParentTree lists unreachable MCID {mcid}"
                    )


def _check_content(page: pikepdf.Page, number: int, report: Report) -> set[int]:
    """The MCIDs in the page content; paint outside tagged content or an artifact."""
    marked: set[int] = set()
    stack: list[str] = []  # "tagged", "artifact" or "other", innermost last
    outside = 0
    for instruction in pikepdf.parse_content_stream(page):
        operator = str(instruction.operator)
        if operator in ("BMC", "BDC"):
            tag = str(instruction.operands[0])
            properties = instruction.operands[1] if operator == "BDC" else None
            if tag == "/Artifact":
                if "tagged" in stack:
                    report.add("01-003", f"page {number + 1}: an artifact inside tagged content")
                if isinstance(properties, Dictionary) and properties.get("/Type") == "/Pagination":
                    report.pagination[number] = report.pagination.get(number, 0) + 1
                    if properties.get("/Subtype") not in PAGINATION:
                        report.add("18-002", f"page {number + 1}: pagination artifact untyped")
                stack.append("artifact")
            elif isinstance(properties, Dictionary) and "/MCID" in properties:
                if "artifact" in stack:
                    report.add("01-004", f"page {number + 1}: tagged content inside an artifact")
                mcid = int(properties.MCID)
                if mcid in marked:
                    report.add("01-005", f"page {number + 1}: MCID {mcid} used twice")
                marked.add(mcid)
                stack.append("tagged")
            else:
                stack.append("other")
        elif operator == "EMC":
            if stack:
                stack.pop()
            else:
                report.add("01-005", f"page {number + 1}: EMC without BMC/BDC")
        elif operator in PAINTING or operator == INLINE_IMAGE:
            if "tagged" not in stack and "artifact" not in stack:
                outside += 1
    if stack:
        report.add("01-005", f"page {number + 1}: {len(stack)} marked-content sequences not closed")
    if outside:
        report.add("01-005", f"page {number + 1}: {outside} painting operators outside "
                   "tagged content and artifacts")  # fmt: skip
    return marked
