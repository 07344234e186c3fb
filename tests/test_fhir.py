"""polyleaf export --format fhir: a FHIR document Bundle per leaflet and locale
that fhir.resources parses back, sections carrying the safety section ids, the
translated safety headings in the narrative, the same gate as the PDF."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from conftest import CARD, LEAFLET, polyleaf
from polyleaf.build import Builder
from polyleaf.catalogs import CatalogStore
from polyleaf.fhir import SAFETY_EXTENSION, SECTION_SYSTEM, export_fhir, plain
from polyleaf.options import LeafletOptions
from polyleaf.project import Project

bundle_module = pytest.importorskip("fhir.resources.bundle")


@pytest.fixture(scope="module")
def exported(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export")
    jobs = Builder(project).jobs(None, LeafletOptions())
    outcomes = export_fhir(project, jobs, out)
    assert all(o.ok for o in outcomes), [o.error for o in outcomes if not o.ok]
    return out / "fhir"


def sections(items: list[dict]) -> Iterator[dict]:
    for item in items:
        yield item
        yield from sections(item.get("section", []))


def composition(path: Path) -> dict:
    bundle = json.loads(path.read_text(encoding="utf-8"))
    return bundle["entry"][0]["resource"]


def test_one_bundle_per_leaflet_and_locale_parses_back(exported: Path, project: Project) -> None:
    expected = {
        (leaflet_id, locale.tag)
        for leaflet_id in project.leaflets
        for locale in project.leaflet_locales(leaflet_id)
    }
    found = {
        (path.parent.name, path.stem.removeprefix(f"{path.parent.name}-"))
        for path in exported.glob("*/*.json")
    }
    assert found == expected
    for leaflet_id, tag in sorted(expected):
        path = exported / leaflet_id / f"{leaflet_id}-{tag}.json"
        bundle = bundle_module.Bundle.model_validate_json(path.read_text(encoding="utf-8"))
        assert bundle.type == "document" and bundle.timestamp is not None
        first = bundle.entry[0].resource
        assert first.get_resource_type() == "Composition"
        assert bundle.entry[1].resource.get_resource_type() == "Organization"
        assert first.author[0].reference == bundle.entry[1].fullUrl
        leaflet = project.leaflet(leaflet_id)
        assert first.language == tag
        assert first.identifier[0].value == leaflet.code
        assert str(first.date) == leaflet.revision.isoformat() == first.version
        assert first.status == ("final" if tag == "en" else "preliminary")
        assert first.title


def test_sections_carry_every_safety_section_id(exported: Path, project: Project) -> None:
    for leaflet_id in (LEAFLET, CARD):
        wanted = set(project.leaflet(leaflet_id).sections())
        for locale in project.leaflet_locales(leaflet_id):
            found = list(
                sections(
                    composition(exported / leaflet_id / f"{leaflet_id}-{locale.tag}.json")[
                        "section"
                    ]
                )
            )
            ids = {s["id"] for s in found if "id" in s}
            assert wanted <= ids, (leaflet_id, locale.tag, wanted - ids)
            flagged = {
                s["id"]
                for s in found
                if any(
                    e["url"] == SAFETY_EXTENSION and e["valueBoolean"]
                    for e in s.get("extension", [])
                )
            }
            assert flagged == wanted
            for s in found:
                if "id" in s:
                    assert s["code"]["coding"] == [{"system": SECTION_SYSTEM, "code": s["id"]}]


def test_narrative_has_the_translated_safety_headings(exported: Path, project: Project) -> None:
    catalogs = CatalogStore(project)
    for leaflet_id in (LEAFLET, CARD):
        document = project.leaflet(leaflet_id).document
        for locale in project.leaflet_locales(leaflet_id):
            translations = catalogs.translations(leaflet_id, locale)
            found = {
                s["id"]: s
                for s in sections(
                    composition(exported / leaflet_id / f"{leaflet_id}-{locale.tag}.json")[
                        "section"
                    ]
                )
                if "id" in s
            }
            for section_id, section in document.sections.items():
                if section.heading is None:
                    continue
                heading = translations.markdown(section_id, section.heading).replace("*", "")
                div = found[section_id]["text"]["div"]
                assert div.startswith('<div xmlns="http://www.w3.org/1999/xhtml"')
                assert f'lang="{locale.tag}"' in div
                assert heading.strip() in plain(div), (leaflet_id, locale.tag, section_id)


def test_same_inputs_same_bytes(exported: Path, project: Project, tmp_path: Path) -> None:
    jobs = Builder(project).jobs(["ar", "zh_Hans"], LeafletOptions(), [CARD])
    export_fhir(project, jobs, tmp_path)
    for tag in ("ar", "zh-Hans"):
        name = f"{CARD}/{CARD}-{tag}.json"
        assert (tmp_path / "fhir" / name).read_bytes() == (exported / name).read_bytes()


def test_a_reviewed_catalog_is_final_with_its_reviewer(project_copy: Path, tmp_path: Path) -> None:
    signed = polyleaf(
        "--project", project_copy, "review", "sign", "--leaflet", CARD, "--locale", "es",
        "--by", "Dr Ana Ruiz, certified medical translator",
    )  # fmt: skip
    assert signed.code == 0, signed.stderr
    done = polyleaf(
        "--project", project_copy, "export", "--leaflet", CARD, "--locale", "es", "--out", tmp_path
    )
    assert done.code == 0, done.stderr
    found = composition(tmp_path / "fhir" / CARD / f"{CARD}-es.json")
    assert found["status"] == "final"
    party = found["attester"][0]["party"]["display"]
    assert party == "Dr Ana Ruiz, certified medical translator"
    assert found["attester"][0]["time"] == date.today().isoformat()


def test_a_locale_failing_the_gate_gets_no_bundle(project_copy: Path, tmp_path: Path) -> None:
    path = project_copy / "locales" / "es" / "LC_MESSAGES" / f"{CARD}.po"
    text = path.read_text(encoding="utf-8")
    start = text.index("msgstr ", text.index('msgctxt "pregnancy-warning"'))
    path.write_text(text[:start] + 'msgstr ""' + text[text.index("\n", start) :], encoding="utf-8")
    done = polyleaf(
        "--project", project_copy, "export", "--format", "fhir", "--leaflet", CARD,
        "--locale", "es", "--locale", "ar", "--out", tmp_path,
    )  # fmt: skip
    assert done.code == 1
    assert f"FAILED  {CARD} es" in done.stderr and "fails the safety gate" in done.stderr
    assert not (tmp_path / "fhir" / CARD / f"{CARD}-es.json").exists()
    assert (tmp_path / "fhir" / CARD / f"{CARD}-ar.json").is_file()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "xml"), "polyleaf: error: unknown export format 'xml'; available: fhir"),
        (("--leaflet", "nope"), "polyleaf: error: unknown leaflet 'nope'; available: "),
        (("--locale", "xx-Nope"), "polyleaf: error: unknown locale 'xx-Nope'; available: "),
    ],
)
def test_bad_input_is_one_line(args: tuple[str, ...], message: str, tmp_path: Path) -> None:
    done = polyleaf("export", *args, "--out", tmp_path)
    assert done.code == 1
    assert done.stderr.count("\n") == 1 and done.stderr.startswith(message), done.stderr
