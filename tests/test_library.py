"""The leaflet library on the fixture project tests/roots/library: two leaflets
(alpha, beta) in en, es and ar. One leaflet's catalog never holds up another,
a new leaflet starts on its own catalogs, a rebuild renders only what changed,
a new project checks and builds at once, and numbers stay with their units."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import CARD, LEAFLET, ROOT, ROOTS, copy_root, polyleaf
from fixture_project import assert_one_line_error, catalog_path, line_of, set_translation
from polyleaf.build import Builder, run
from polyleaf.catalogs import read_catalog
from polyleaf.gate import Gate
from polyleaf.html import Renderer, keep_numbers_with_units
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
    one = polyleaf("--project", ROOTS / "library", "check", "--leaflet", "alpha", "--locale", "es")
    assert one.code == 0, one
    assert "1 leaflet, 1 leaflet-locale checked, 0 errors" in one.stderr


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
        ("Use SPF 30 or higher.", f"Use SPF {WJ}30 {WJ}or higher."),
        ("for 6 months after", f"for 6 {WJ}months after"),
        ("for 1 month", f"for 1 {WJ}month"),
        ("2.5 mL twice", f"2.5 {WJ}mL twice"),
        ("Isotretinoin 20mg", "Isotretinoin 20mg"),
        ("Take 2 tablets with water.", f"Take 2 {WJ}tablets with water."),
        ("the mg and the SPF of it", "the mg and the SPF of it"),
        ("spf 50 and 50 % of", f"spf {WJ}50 {WJ}and 50 {WJ}% of"),
        # whatever script the unit is written in, and native digits
        ("إيزوتريتينوين 20 ملغ يوميًا", f"إيزوتريتينوين 20 {WJ}ملغ يوميًا"),
        ("۲۰ میلی‌گرم", f"۲۰ {WJ}میلی‌گرم"),
        ("६ महीने तक", f"६ {WJ}महीने तक"),
        ("20 мг в день", f"20 {WJ}мг в день"),
        ("每天 20 毫克", f"每天 20 {WJ}毫克"),
        ("后至少1个月内", f"后至少1{WJ}个{WJ}月内"),
        ("15～20週", f"15～20{WJ}週"),
        ("최소 1개월 동안", f"최소 1{WJ}개{WJ}월 동안"),
        # a number is not joined to what comes before it, nor to another number
        ("take 20 or 40", f"take 20 {WJ}or 40"),
        ("from 1 to 2", f"from 1 {WJ}to 2"),
        ("in 2026 2027", "in 2026 2027"),
    ],
)
def test_keep_numbers_with_units(text: str, expected: str) -> None:
    assert keep_numbers_with_units(text) == expected


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
    assert f"SPF {WJ}30 {WJ}or higher" in english
    assert f"until 1 {WJ}month after" in english  # a time word of the glossary
    assert "<title>Alphacillin 100 mg tablets</title>" in english  # the title stays plain
    spanish = renderer.render("alpha", project.find_locale("es"))
    assert f"hasta 1 {WJ}mes después" in spanish  # the glossary's Spanish form
    assert f"alfacilina 100 {WJ}mg" in spanish


@pytest.mark.parametrize("leaflet", [LEAFLET, CARD])
def test_no_number_can_part_from_its_unit_in_any_locale_of_the_real_leaflets(
    leaflet: str,
) -> None:
    """Every locale, whatever script its units are written in ("20 ملغ", "20 мг")."""
    project = Project.load(ROOT)
    renderer = Renderer(project)
    loose: dict[str, list[str]] = {}
    joined = dict.fromkeys((locale.tag for locale in project.locales), 0)
    for locale in project.locales:
        body = renderer.render(leaflet, locale).split("<body", 1)[1]
        for text in re.findall(r">([^<]+)<", body):
            loose_here = re.findall(r"\d+ [^\W\d_]+|\d[\u3040-\u9fff\uac00-\ud7af]", text)
            if loose_here:
                loose.setdefault(locale.tag, []).extend(loose_here)
            joined[locale.tag] += len(re.findall(rf"\d {WJ}|\d{WJ}", text))
    assert not loose, loose
    assert all(joined.values()), joined


def test_pdf_text_layer_reads_plain_numbers_and_units(alpha_en: tuple[Project, Path]) -> None:
    _, pdf = alpha_en
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert WJ not in text
    flat = re.sub(r"\s+", " ", text)
    assert "Alphacillin 100 mg tablets" in flat
    assert "SPF 30 or higher" in flat
    assert "until 1 month after your last tablet" in flat
