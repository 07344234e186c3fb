"""The leaflet library on the fixture project tests/roots/library: two leaflets
(alpha, beta) in en, es and ar. One leaflet's catalog never holds up another,
a new leaflet starts on its own catalogs, a rebuild renders only what changed,
a new project checks and builds at once, and numbers stay with their units."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOTS, copy_root, polyleaf
from fixture_project import assert_one_line_error, catalog_path, line_of, set_translation
from polyleaf.build import Builder, run
from polyleaf.catalogs import read_catalog
from polyleaf.gate import Gate
from polyleaf.html import UNITS, Renderer, keep_numbers_with_units
from polyleaf.options import LeafletOptions
from polyleaf.project import Project

WJ = "\u2060"
DOSE_ID = "Take 1 or 2 tablets every 6 hours. Never take more than **8 tablets** in 24 hours."


def test_the_fixture_passes_the_gate_in_every_locale() -> None:
    project = Project.load(ROOTS / "library")
    assert [locale.tag for locale in project.locales] == ["en", "ar", "es"]
    findings = Gate(project).check_all(project.leaflets)
    assert [f for f in findings if f.severity == "error"] == []
    run = polyleaf("--project", ROOTS / "library", "check")
    assert run.code == 0, run
    assert "2 leaflets, 6 leaflet-locales checked, 0 errors" in run.stderr


# -- one leaflet's catalog never holds up another -------------------------------


def test_a_damaged_catalog_fails_only_its_leaflet_and_locale(library: Path, tmp_path: Path) -> None:
    set_translation(library, "es", "beta", DOSE_ID, "")
    line = line_of(catalog_path(library, "es", "beta"), 'msgid "Take 1 or 2')
    where = f"locales/es/LC_MESSAGES/beta.po:{line}"

    run = polyleaf("--project", library, "check", "--leaflet", "alpha")
    assert run.code == 0, run
    run = polyleaf("--project", library, "check", "--leaflet", "beta")
    finding = assert_one_line_error(run, "beta · es · dose · ", f" · {where} · ")
    assert finding == (
        f"error: beta · es · dose · 'Take 1 or 2 tablets every 6 hours. Never take more than "
        f"**8…' · {where} · empty translation"
    )
    assert [line for line in run.stdout.splitlines() if line.startswith("error:")] == [finding]

    out = tmp_path / "out"
    run = polyleaf("--project", library, "build", "--locale", "es", "--jobs", "1", "--out", out)
    assert_one_line_error(run, "FAILED  beta es a4: fails the safety gate")
    assert "1 built, 0 already up to date, 1 failed" in run.stderr
    assert (out / "alpha" / "es" / "alpha-es-a4.pdf").is_file()
    assert not (out / "beta").exists() or not list((out / "beta").rglob("*.pdf"))


def test_a_new_leaflet_starts_on_its_own_catalogs(library: Path) -> None:
    run = polyleaf("--project", library, "new", "leaflet", "gamma")
    assert run.code == 0, run
    for step in ("extract", "update"):
        assert polyleaf("--project", library, "i18n", step).code == 0
    # its disclaimer shares alpha's id and almost its words, yet nothing is carried over
    gamma_es = read_catalog(catalog_path(library, "es", "gamma"), "es")
    disclaimer = next(m for m in gamma_es if m.context == "disclaimer")
    assert disclaimer.string == "" and not disclaimer.fuzzy

    run = polyleaf("--project", library, "check", "--leaflet", "alpha", "--leaflet", "beta")
    assert run.code == 0, run
    run = polyleaf("--project", library, "check")
    assert run.code == 1, run
    errors = [line for line in run.stdout.splitlines() if line.startswith("error: ")]
    assert errors and all(line.startswith("error: gamma · ") for line in errors), errors
    for locale in ("es", "ar"):
        for section in ("disclaimer", "serious-side-effects"):
            assert any(
                line.startswith(f"error: gamma · {locale} · {section} · ")
                and f"locales/{locale}/LC_MESSAGES/gamma.po:" in line
                and line.endswith("empty translation")
                for line in errors
            ), (locale, section, errors)


# -- a rebuild renders only what changed ----------------------------------------


def _build(library: Path, out: Path) -> tuple[str, set[str]]:
    run = polyleaf(
        "--project", library, "build", "--locale", "en", "--locale", "es",
        "--jobs", "1", "--out", out,
    )  # fmt: skip
    assert run.code == 0, run
    built = {
        Path(line.split()[-1]).stem for line in run.stderr.splitlines() if line.startswith("built")
    }
    summary = next(line for line in run.stderr.splitlines() if "already up to date" in line)
    return summary, built


def test_editing_one_leaflet_or_catalog_rebuilds_only_its_documents(
    library: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    summary, built = _build(library, out)
    assert summary.startswith("4 built, 0 already up to date, 0 failed")
    assert built == {"alpha-en-a4", "alpha-es-a4", "beta-en-a4", "beta-es-a4"}

    summary, built = _build(library, out)
    assert summary == "0 built, 4 already up to date, 0 failed"

    source = library / "templates" / "beta.md"
    source.write_text(source.read_text().replace("code: PL-BETA-01", "code: PL-BETA-02"))
    summary, built = _build(library, out)
    assert summary.startswith("2 built, 2 already up to date, 0 failed")
    assert built == {"beta-en-a4", "beta-es-a4"}

    set_translation(library, "es", "alpha", "Precautions", "Precauciones generales")
    summary, built = _build(library, out)
    assert summary.startswith("1 built, 3 already up to date, 0 failed")
    assert built == {"alpha-es-a4"}


# -- a new project checks and builds at once ------------------------------------


def test_new_project_checks_and_builds_with_no_other_step(tmp_path: Path) -> None:
    target = tmp_path / "clinic"
    run = polyleaf("new", "project", target)
    assert run.code == 0, run
    run = polyleaf("--project", target, "check")
    assert run.code == 0, run
    run = polyleaf("--project", target, "build")
    assert run.code == 0, run
    pdf = target / "output" / "example-leaflet" / "en" / "example-leaflet-en-a4.pdf"
    text = PdfReader(pdf).pages[0].extract_text()
    assert "Example Leaflet" in text
    assert "This leaflet does not replace the advice of your doctor or pharmacist." in text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        pytest.param(
            ("new", "project", "{library}"),
            "exists and is not an empty folder; name a new one",
            id="project-in-a-full-folder",
        ),
        pytest.param(
            ("new", "project", "{library}/polyleaf.toml"),
            "polyleaf.toml: exists and is not an empty folder",
            id="project-on-a-file",
        ),
        pytest.param(
            ("--project", "{library}", "new", "leaflet", "Bad_Id"),
            "'Bad_Id': a leaflet id is lower-case words joined by hyphens",
            id="bad-leaflet-id",
        ),
        pytest.param(
            ("--project", "{library}", "new", "leaflet", "../escape"),
            "'../escape': a leaflet id is lower-case words joined by hyphens",
            id="path-as-leaflet-id",
        ),
        pytest.param(
            ("--project", "{library}", "new", "leaflet", "alpha"),
            "templates/alpha.md: the leaflet alpha exists already",
            id="existing-leaflet",
        ),
    ],
)
def test_scaffold_errors_are_one_line(library: Path, args: tuple[str, ...], expected: str) -> None:
    before = sorted(p.relative_to(library) for p in library.rglob("*"))
    run = polyleaf(*(arg.replace("{library}", str(library)) for arg in args))
    assert_one_line_error(run, "polyleaf: error: ", expected)
    assert sorted(p.relative_to(library) for p in library.rglob("*")) == before


# -- numbers stay with their units ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Take 100 mg a day.", f"Take 100 {WJ}mg a day."),
        ("Use SPF 30 or higher.", f"Use SPF {WJ}30 or higher."),
        ("for 6 months after", f"for 6 {WJ}months after"),
        ("for 1 month", f"for 1 {WJ}month"),
        ("2.5 mL twice", f"2.5 {WJ}mL twice"),
        ("Isotretinoin 20mg", "Isotretinoin 20mg"),
        ("Take 2 tablets with water.", "Take 2 tablets with water."),
        ("the mg and the SPF of it", "the mg and the SPF of it"),
    ],
)
def test_keep_numbers_with_units(text: str, expected: str) -> None:
    assert keep_numbers_with_units(text, (*UNITS, "month")) == expected


@pytest.fixture(scope="module")
def alpha_en(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Path]:
    """alpha in English, built once (in this process)."""
    root = copy_root("library", tmp_path_factory.mktemp("units") / "library")
    project = Project.load(root)
    out = root / "output"
    jobs = Builder(project).jobs(["en"], LeafletOptions(), ["alpha"])
    (outcome,) = run(project, jobs, out)
    assert outcome.ok, outcome
    return project, outcome.path


def test_rendered_html_keeps_numbers_with_units(alpha_en: tuple[Project, Path]) -> None:
    project, _ = alpha_en
    renderer = Renderer(project)
    english = renderer.render("alpha", project.source_locale)
    assert f"Alphacillin 100 {WJ}mg tablets" in english
    assert f"SPF {WJ}30 or higher" in english
    assert f"until 1 {WJ}month after" in english  # a time word of the glossary
    assert "<title>Alphacillin 100 mg tablets</title>" in english  # the title stays plain
    spanish = renderer.render("alpha", project.find_locale("es"))
    assert f"hasta 1 {WJ}mes después" in spanish  # the glossary's Spanish form
    assert f"alfacilina 100 {WJ}mg" in spanish


def test_pdf_text_layer_reads_plain_numbers_and_units(alpha_en: tuple[Project, Path]) -> None:
    _, pdf = alpha_en
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert WJ not in text
    flat = re.sub(r"\s+", " ", text)
    assert "Alphacillin 100 mg tablets" in flat
    assert "SPF 30 or higher" in flat
    assert "until 1 month after your last tablet" in flat
