"""Bad input: one line, exit status 1, no traceback, no partial PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from conftest import LEAFLET, Run, all_locales, polyleaf
from polyleaf import cli, fonts
from polyleaf.atomic import atomic_target
from polyleaf.project import LAYOUTS


def assert_one_line_error(run: Run, *expected: str) -> None:
    """Exit status 1, no traceback, and all of *expected* on one line of output."""
    assert run.code == 1, run
    assert "Traceback" not in run.stderr + run.stdout
    lines = (run.stderr + run.stdout).splitlines()
    assert any(all(text in line for text in expected) for line in lines), run


def no_partial_files(out: Path) -> None:
    assert not list(out.rglob("*.part")), list(out.rglob("*.part"))


def test_version() -> None:
    run = polyleaf("--version")
    assert run.code == 0 and "polyleaf" in run.stdout


def test_malformed_po_names_file_and_line(project_copy: Path, tmp_path: Path) -> None:
    catalog = project_copy / "locales" / "es" / "LC_MESSAGES" / f"{LEAFLET}.po"
    lines = catalog.read_text().splitlines()
    broken_at = next(i for i, line in enumerate(lines) if line.startswith("msgstr") and i > 20)
    lines[broken_at] = 'msgstr "unterminated'
    catalog.write_text("\n".join(lines) + "\n")
    run = polyleaf("--project", project_copy, "check", "--locale", "es", "--leaflet", LEAFLET)
    where = f"locales/es/LC_MESSAGES/{LEAFLET}.po:{broken_at + 1}"
    assert_one_line_error(run, f"{LEAFLET} · es · - · - · ", where, "malformed catalog")
    out = tmp_path / "out"
    run = polyleaf(
        "--project", project_copy, "build", "--locale", "es", "--leaflet", LEAFLET, "--out", out
    )
    assert_one_line_error(run, where, "malformed catalog")
    assert not list(out.rglob("*.pdf"))
    no_partial_files(out)


def test_unknown_locale_lists_the_available_ones() -> None:
    run = polyleaf("build", "--locale", "xx-YY")
    available = ", ".join(locale.tag for locale in all_locales())
    assert available.startswith("en, ar, bn, de, es")
    assert_one_line_error(run, f"unknown locale 'xx-YY'; available: {available}")


def test_both_spellings_of_a_locale_work(tmp_path: Path) -> None:
    for name in ("zh-Hans", "zh_Hans"):
        run = polyleaf("build", "--locale", name, "--out", tmp_path / name)
        assert run.code == 0, run.stderr
        assert (tmp_path / name / LEAFLET / "zh-Hans" / f"{LEAFLET}-zh-Hans-a4.pdf").is_file()


def test_missing_jinja_leaflet_template(project_copy: Path) -> None:
    config = project_copy / "polyleaf.toml"
    config.write_text(
        config.read_text()
        + '\n[leaflets.special]\ntemplate = "special.html"\ncode = "X"\nrevision = 2026-12-01\n'
    )
    run = polyleaf("--project", project_copy, "build")
    assert_one_line_error(run, "leaflets.special.template", "special.html does not exist")


def test_missing_layout_names_it_and_what_to_do(project_copy: Path, tmp_path: Path) -> None:
    source = project_copy / "templates" / f"{LEAFLET}.md"
    source.write_text(
        source.read_text().replace(
            "revision: 2026-11-25", "revision: 2026-11-25\nlayout: fancy.html"
        )
    )
    run = polyleaf("--project", project_copy, "build", "--locale", "en", "--out", tmp_path)
    assert_one_line_error(run, "templates/fancy.html: no such layout", f"templates/{LEAFLET}.md")
    assert not list((tmp_path / LEAFLET).rglob("*.pdf"))


def test_not_a_project(tmp_path: Path) -> None:
    run = polyleaf("--project", tmp_path, "check")
    assert_one_line_error(run, "no polyleaf.toml here")


def test_unknown_config_key_is_an_error(project_copy: Path) -> None:
    config = project_copy / "polyleaf.toml"
    config.write_text(config.read_text().replace('phone = ""', 'phone = ""\nfax = ""'))
    run = polyleaf("--project", project_copy, "check")
    assert_one_line_error(run, "polyleaf.toml: clinic.fax: Extra inputs are not permitted")


def test_missing_font(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    missing = fonts.FontFace("Noto Sans", 400, fonts.VENDORED, "NotoSans-Gone.ttf")
    monkeypatch.setattr(fonts, "FACES", (missing,))
    result = CliRunner().invoke(cli.main, ["build", "--locale", "en", "--out", str(tmp_path)])
    assert result.exit_code == 1
    assert "font file missing" in result.output and "NotoSans-Gone.ttf" in result.output
    assert not list(tmp_path.rglob("*.pdf"))


def test_clinic_name_with_html_prints_as_text(project_copy: Path, tmp_path: Path) -> None:
    config = project_copy / "polyleaf.toml"
    name = "<b>Dr Ada</b> & <script>x()</script> Clinic"
    text = config.read_text().replace('name = ""', f"name = '{name}'", 1)
    config.write_text(text.replace('phone = ""', 'phone = "+44 20 7946 0000"', 1))
    run = polyleaf("--project", project_copy, "build", "--locale", "en", "--out", tmp_path)
    assert run.code == 0, run.stderr
    pdf = PdfReader(tmp_path / LEAFLET / "en" / f"{LEAFLET}-en-a4.pdf")
    text = " ".join(page.extract_text() for page in pdf.pages)
    assert name in " ".join(text.split())
    assert "+44 20 7946 0000" in text


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/logo.png",
        "http://127.0.0.1:9/logo.png",
        "file:///etc/hostname",
        "../../../../etc/hostname",
    ],
)
def test_template_asking_for_a_url_outside_the_project_is_refused(
    project_copy: Path, tmp_path: Path, url: str
) -> None:
    _override_layout(project_copy, f'<img src="{url}" alt="logo">')
    run = polyleaf("--project", project_copy, "build", "--locale", "en", "--out", tmp_path)
    assert_one_line_error(run, "refused to fetch")
    assert not list(tmp_path.rglob("*.pdf"))
    no_partial_files(tmp_path)


def test_a_project_file_may_be_used(project_copy: Path, tmp_path: Path) -> None:
    (project_copy / "templates" / "dot.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">'
        '<rect width="4" height="4"/></svg>'
    )
    _override_layout(project_copy, '<img src="dot.svg" alt="dot">')
    run = polyleaf("--project", project_copy, "build", "--locale", "en", "--out", tmp_path)
    assert run.code == 0, run.stderr


@pytest.mark.parametrize("url", ["https://example.com/x.png", "../../../../etc/hostname"])
def test_markdown_image_outside_the_project_is_refused(
    project_copy: Path, tmp_path: Path, url: str
) -> None:
    source = project_copy / "templates" / f"{LEAFLET}.md"
    source.write_text(
        source.read_text().replace("## Final Thoughts", f"![x]({url})\n\n## Final Thoughts")
    )
    assert polyleaf("--project", project_copy, "i18n", "extract").code == 0
    run = polyleaf(
        "--project",
        project_copy,
        "build",
        "--locale",
        "en",
        "--leaflet",
        LEAFLET,
        "--out",
        tmp_path,
    )
    assert_one_line_error(run, "refused to fetch")
    assert not list(tmp_path.rglob("*.pdf"))


def _override_layout(project: Path, markup: str) -> None:
    """The project's own copy of polyleaf's leaflet layout, with *markup* in its masthead."""
    shipped = (LAYOUTS / "leaflet.html").read_text()
    assert '<header class="masthead">' in shipped
    (project / "templates" / "leaflet.html").write_text(
        shipped.replace('<header class="masthead">', f'<header class="masthead">{markup}')
    )


def test_interrupted_write_leaves_nothing(tmp_path: Path) -> None:
    target = tmp_path / "leaflet.pdf"
    with pytest.raises(KeyboardInterrupt), atomic_target(target) as temporary:
        temporary.write_bytes(b"%PDF-1.7 half a leaflet")
        raise KeyboardInterrupt
    assert list(tmp_path.iterdir()) == []


def test_bad_paper_is_a_usage_error() -> None:
    run = polyleaf("build", "--paper", "a3")
    assert run.code == 2 and "Traceback" not in run.stderr and "'a3' is not one of" in run.stderr
