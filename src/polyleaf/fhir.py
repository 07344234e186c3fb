"""``polyleaf export --format fhir``: each leaflet and locale as a FHIR document.

The shape follows the HL7 ePI implementation guide (Electronic Medicinal
Product Information, FHIR R5; "type 1", text only, no product data): a
``Bundle`` of type ``document`` whose first entry is a ``Composition`` with the
leaflet's language, title, code (``identifier``), revision (``version`` and
``date``), review status (``preliminary`` for a draft, ``final`` once
reviewed) and an ``Organization`` as author; its ``section``s nest as the
leaflet's headings do, each with its title and its text as XHTML narrative.
A section polyleaf knows by id carries it as ``section.id`` and as a
``section.code`` of polyleaf's code system, and a safety section also the
extension :data:`SAFETY_EXTENSION`, so a medicine information system can find
the pregnancy warning in every language without reading headings.

The resources are built and validated with ``fhir.resources`` (its default
FHIR release, R5). Identical inputs give identical files: ids are UUID 5 of
the leaflet and locale, timestamps the leaflet's revision date, never the clock.
A leaflet-locale that fails the safety gate gets no Bundle.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from polyleaf.atomic import atomic_target
from polyleaf.build import Job, Outcome
from polyleaf.catalogs import CatalogStore
from polyleaf.clinics import load_clinic
from polyleaf.errors import PolyleafError
from polyleaf.gate import Gate
from polyleaf.locales import LocaleInfo
from polyleaf.outline import Block, blocks
from polyleaf.project import Project
from polyleaf.review import Status, document_review

FORMATS = ("fhir",)
FHIR = "fhir"
#: polyleaf's own URIs (a receiving system may map them to its own terms).
BASE = "urn:polyleaf:fhir"
SECTION_SYSTEM = f"{BASE}:section"  #: codes: the section ids of the leaflet source
LEAFLET_SYSTEM = f"{BASE}:leaflet-code"
DOCUMENT_SYSTEM = f"{BASE}:document"
DOCUMENT_TYPE = {
    "coding": [
        {"system": f"{BASE}:document-type", "code": "patient-leaflet", "display": "Patient leaflet"}
    ],
    "text": "Patient information leaflet",
}
SAFETY_EXTENSION = f"{BASE}:safety-section"
XHTML = "http://www.w3.org/1999/xhtml"
_SPACE = re.compile("[ \t\n\r\f]+")
#: The namespace every id is derived from (uuid5 of it and "leaflet/locale/part").
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:polyleaf")


def fhir_models():  # noqa: ANN201  (the fhir.resources classes, imported when needed)
    try:
        from fhir.resources.bundle import Bundle
    except ModuleNotFoundError:
        raise PolyleafError(
            "polyleaf export --format fhir needs fhir.resources; pip install fhir.resources"
        ) from None
    return Bundle


def check_format(name: str) -> None:
    if name not in FORMATS:
        raise PolyleafError(f"unknown export format {name!r}; available: {', '.join(FORMATS)}")


def bundle_path(out: Path, leaflet: str, locale: LocaleInfo) -> Path:
    return out / FHIR / leaflet / f"{leaflet}-{locale.tag}.json"


def stable_id(leaflet: str, locale: LocaleInfo, part: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{leaflet}/{locale.tag}/{part}"))


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    # only markup's white space collapses: a no-break space ("Important\u00a0:") is text
    return _SPACE.sub(" ", "".join(parser.parts)).strip(" ")


@dataclass
class Node:
    """A section of the outline being built: its heading block and its blocks."""

    level: int  #: 1 for the masthead, 2 for an h2, 3 for an h3, 4 for a block of its own
    id: str = ""
    title: str = ""
    safety: bool = False
    html: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)


def _flat(html: str) -> list[Block]:
    """Top-level blocks, with each box opened up into the blocks inside it."""
    flat: list[Block] = []
    for block in blocks(html):
        if block.tag == "div" and not block.attrs.get("id"):
            inner = block.html[block.html.index(">") + 1 : block.html.rindex("</div>")]
            flat.extend(_flat(inner))
        else:
            flat.append(block)
    return flat


def outline(masthead: str, body: str, title: str, sections: set[str]) -> list[Node]:
    """The leaflet as nested sections: the masthead, then one per h2 (with its
    h3s inside), and a section of its own for each block marked with an id."""
    root = Node(0)
    stack = [root]

    def open_node(node: Node) -> None:
        while stack[-1].level >= node.level:
            stack.pop()
        stack[-1].children.append(node)
        stack.append(node)

    open_node(Node(1, title=title))
    for block in _flat(masthead) + _flat(body):
        element_id = block.attrs.get("id", "")
        heading = block.tag in ("h2", "h3")
        if block.tag == "h1":
            stack[-1].html.append(block.html)
            continue
        if heading:
            level = int(block.tag[1])
            open_node(Node(level, element_id, plain(block.html), element_id in sections))
            stack[-1].html.append(block.html)
            continue
        if block.tag == "ol" and "points" in block.attrs.get("class", "").split():
            stack[-1].children.extend(_points(block, sections))
            continue
        if element_id:  # a paragraph, list or box with an id: a section of its own
            inner = blocks(_inner(block))
            named = next((plain(b.html) for b in inner if b.tag in ("h2", "h3")), "")
            node = Node(4, element_id, named, element_id in sections, [block.html])
            stack[-1].children.append(node)
            continue
        stack[-1].html.append(block.html)
    return root.children


def _inner(block: Block) -> str:
    return block.html[block.html.index(">") + 1 : block.html.rindex("<")]


def _points(block: Block, sections: set[str]) -> list[Node]:
    """Numbered points with a heading each (``{.points}``): a section per point."""
    nodes = []
    for item in blocks(_inner(block)):
        inner = blocks(_inner(item))
        heading = next((b for b in inner if b.tag in ("h2", "h3", "h4")), None)
        element_id = heading.attrs.get("id", "") if heading else ""
        title = plain(heading.html) if heading else ""
        nodes.append(Node(3, element_id, title, element_id in sections, [_inner(item)]))
    return nodes


def _ids(nodes: list[Node]) -> set[str]:
    return {node.id for node in nodes if node.id} | {
        found for node in nodes for found in _ids(node.children)
    }


def narrative(parts: list[str], locale: LocaleInfo) -> dict[str, str]:
    div = (
        f'<div xmlns="{XHTML}" lang="{locale.tag}" xml:lang="{locale.tag}" '
        f'dir="{locale.direction}">{"".join(parts)}</div>'
    )
    ElementTree.fromstring(div)  # well-formed XHTML, or a bug to see
    return {"status": "additional", "div": div}


def section(node: Node, locale: LocaleInfo) -> dict[str, object]:
    """One Composition.section (and those under it)."""
    entry: dict[str, object] = {}
    if node.id:
        entry["id"] = node.id
        if node.safety:
            entry["extension"] = [{"url": SAFETY_EXTENSION, "valueBoolean": True}]
        entry["code"] = {"coding": [{"system": SECTION_SYSTEM, "code": node.id}]}
    if node.title:
        entry["title"] = node.title
    if node.html:
        entry["text"] = narrative(node.html, locale)
    if node.children:
        entry["section"] = [section(child, locale) for child in node.children]
    return entry


class BundleWriter:
    """Builds and writes the Bundles of one export; reuses catalogs and the gate."""

    def __init__(self, project: Project, clinic: str = "") -> None:
        self.project = project
        self.catalogs = CatalogStore(project)
        self.gate = Gate(project, self.catalogs)
        self.clinic = load_clinic(project, clinic)

    def bundle(self, leaflet_id: str, locale: LocaleInfo) -> dict[str, object]:
        """The Bundle as FHIR JSON, validated by fhir.resources."""
        leaflet = self.project.leaflet(leaflet_id)
        if leaflet.kind != "markdown":
            raise PolyleafError(f"{leaflet.relative}: a Jinja leaflet has no FHIR export yet")
        translations = self.catalogs.translations(leaflet_id, locale)
        title, masthead, body = leaflet.document.render(translations.markdown)
        review = document_review(self.catalogs, leaflet_id, locale)  # None: the source
        reviewed = review is None or review.status is Status.REVIEWED
        revision = leaflet.revision.isoformat()
        timestamp = dt.datetime.combine(leaflet.revision, dt.time(), dt.UTC)
        composition_id = stable_id(leaflet_id, locale, "composition")
        organization_id = stable_id(leaflet_id, locale, "author")
        nodes = outline(masthead, body, title, set(leaflet.sections()))
        if missing := set(leaflet.sections()) - _ids(nodes):
            raise RuntimeError(f"{leaflet_id}: safety sections lost in the outline: {missing}")
        composition: dict[str, object] = {
            "resourceType": "Composition",
            "id": composition_id,
            "language": locale.tag,
            "identifier": [{"system": LEAFLET_SYSTEM, "value": leaflet.code}],
            "version": revision,
            "status": "final" if reviewed else "preliminary",
            "type": DOCUMENT_TYPE,
            "date": revision,
            "author": [
                {"reference": f"urn:uuid:{organization_id}", "display": self._author_name()}
            ],
            "title": title,
            "section": [section(node, locale) for node in nodes],
        }
        if reviewed and review is not None:
            attester: dict[str, object] = {
                "mode": {
                    "coding": [
                        {
                            "system": "http://hl7.org/fhir/composition-attestation-mode",
                            "code": "professional",
                        }
                    ]
                },
                "party": {"display": "; ".join(map(str, review.reviewers))},
            }
            if review.reviewed_on:
                attester["time"] = review.reviewed_on.isoformat()
            composition["attester"] = [attester]
        bundle = {
            "resourceType": "Bundle",
            "id": stable_id(leaflet_id, locale, "bundle"),
            "language": locale.tag,
            "identifier": {"system": DOCUMENT_SYSTEM, "value": f"{leaflet.code}-{locale.tag}"},
            "type": "document",
            "timestamp": timestamp.isoformat().replace("+00:00", "Z"),
            "entry": [
                {"fullUrl": f"urn:uuid:{composition_id}", "resource": composition},
                {
                    "fullUrl": f"urn:uuid:{organization_id}",
                    "resource": self._author(organization_id),
                },
            ],
        }
        model = fhir_models().model_validate(bundle)
        return json.loads(model.model_dump_json())

    def _author_name(self) -> str:
        return self.clinic.name or "polyleaf"

    def _author(self, organization_id: str) -> dict[str, object]:
        organization: dict[str, object] = {
            "resourceType": "Organization",
            "id": organization_id,
            "name": self._author_name(),
        }
        contact = []
        if self.clinic.phone:
            contact.append({"system": "phone", "value": self.clinic.phone})
        if self.clinic.website:
            contact.append({"system": "url", "value": self.clinic.website})
        if contact:
            organization["contact"] = [{"telecom": contact}]
        return organization

    def write(self, job: Job, out: Path) -> Outcome:
        locale = self.project.find_locale(job.locale)
        target = bundle_path(out, job.leaflet, locale)
        errors = self.gate.errors(job.leaflet, locale)
        if errors:
            target.unlink(missing_ok=True)
            return Outcome(job, error="fails the safety gate", findings=list(map(str, errors)))
        try:
            data = self.bundle(job.leaflet, locale)
        except PolyleafError as error:
            target.unlink(missing_ok=True)
            return Outcome(job, error=str(error))
        text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
        if not (target.is_file() and target.read_text(encoding="utf-8") == text):
            with atomic_target(target) as temporary:
                temporary.write_text(text, encoding="utf-8")
        return Outcome(job, path=target)


def export_fhir(project: Project, jobs: list[Job], out: Path, clinic: str = "") -> list[Outcome]:
    """One Bundle per job (leaflet and locale); the outcomes, in job order."""
    fhir_models()
    writer = BundleWriter(project, clinic)
    return [writer.write(job, out) for job in jobs]
