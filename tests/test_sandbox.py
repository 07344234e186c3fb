"""Layouts are content clinics exchange (issue 14, item 2): a project's own
templates/leaflet.html runs in Jinja's sandbox. Whatever it reaches for, the
build fails with one line naming the template, reads and runs nothing, and
leaves no PDF and no partial file."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import polyleaf
from fixture_project import assert_one_line_error
from polyleaf import html
from polyleaf.errors import RenderError
from polyleaf.html import Renderer
from polyleaf.project import LAYOUTS, Project

SECRET = "polyleaf-test-secret-7f3a"


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file outside the project that no template may read."""
    path = tmp_path / "outside" / "secret.txt"
    path.parent.mkdir()
    path.write_text(SECRET + "\n")
    return path


def override_layout(root: Path, payload: str) -> Path:
    """templates/leaflet.html: polyleaf's own, with *payload* in its content block."""
    layout = (LAYOUTS / "leaflet.html").read_text(encoding="utf-8")
    head, tail = layout.rsplit("{% endblock %}", 1)
    path = root / "templates" / "leaflet.html"
    path.write_text(f"{head}{payload}\n{{% endblock %}}{tail}", encoding="utf-8")
    return path


def assert_refused(library: Path, tmp_path: Path, *expected: str) -> str:
    """Building alpha in English fails with one line; nothing is written."""
    out = tmp_path / "out"
    run = polyleaf(
        "--project", library, "build", "--leaflet", "alpha", "--locale", "en", "--out", out
    )
    line = assert_one_line_error(run, *expected)
    assert SECRET not in run.stdout + run.stderr
    written = list(out.rglob("*")) if out.exists() else []
    assert not [p for p in written if p.suffix in (".pdf", ".part") or ".part" in p.name], written
    assert not [p for p in written if p.is_file() and SECRET in p.read_text(errors="replace")]
    return line


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        pytest.param(
            '{{ lipsum.__globals__["__builtins__"]["open"]("SECRET_FILE").read() }}',
            "'lipsum' is undefined",
            id="lipsum-open",
        ),
        pytest.param(
            '{{ cycler.__init__.__globals__.os.popen("touch RAN_FILE").read() }}',
            "refused by the template sandbox: access to attribute '__init__'",
            id="cycler-popen",
        ),
        pytest.param(
            '{{ joiner.__init__.__globals__.os.popen("touch RAN_FILE").read() }}',
            "refused by the template sandbox",
            id="joiner-popen",
        ),
        pytest.param("{{ ''.__class__.__mro__ }}", "__class__", id="class-mro"),
        pytest.param(
            "{{ ''.__class__.__mro__[1].__subclasses__() }}", "__class__", id="subclasses"
        ),
        pytest.param("{{ self.__init__.__globals__ }}", "__init__", id="self-globals"),
        pytest.param(
            "{{ title.format.__globals__ }}", "refused by the template sandbox", id="format"
        ),
        pytest.param("{{ range(10**10)|list }}", "'range' is undefined", id="range"),
        pytest.param(
            "{% macro again(n) %}{{ again(n) }}{% endmacro %}{{ again(1) }}",
            "templates call each other without end",
            id="recursive-macro",
        ),
    ],
)
def test_layout_reaching_out_of_the_sandbox_fails_with_one_line(
    library: Path, tmp_path: Path, outside: Path, payload: str, expected: str
) -> None:
    ran = tmp_path / "ran"
    payload = payload.replace("SECRET_FILE", str(outside)).replace("RAN_FILE", str(ran))
    override_layout(library, payload)
    # the gate renders each leaflet once: check refuses the layout too, before any build
    check = polyleaf("--project", library, "check", "--leaflet", "alpha")
    assert "leaflet.html" in assert_one_line_error(check, "alpha · en · - · - · ", expected)
    line = assert_refused(library, tmp_path, expected)
    assert line.strip().startswith("alpha · en · - · - · templates/")
    assert "leaflet.html" in line  # the template is named
    assert not ran.exists()


@pytest.mark.parametrize(
    "include",
    [
        pytest.param("{% include 'SECRET_FILE' %}", id="absolute"),
        pytest.param("{% include '../../outside/secret.txt' %}", id="dot-dot"),
    ],
)
def test_layout_including_a_file_outside_fails(
    library: Path, tmp_path: Path, outside: Path, include: str
) -> None:
    override_layout(library, include.replace("SECRET_FILE", str(outside)))
    assert_refused(library, tmp_path, "polyleaf: error: templates/", "no such layout")


def test_endless_loop_is_stopped_by_the_time_limit(
    library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(html, "RENDER_SECONDS", 1)
    override_layout(
        library, '{% for a in "x"*100000 %}{% for b in "x"*100000 %}{% endfor %}{% endfor %}'
    )
    project = Project.load(library)
    with pytest.raises(RenderError) as raised:
        Renderer(project).render("alpha", project.source_locale)
    assert str(raised.value) == "templates/alpha.md: rendering took longer than 1 s; stopped"


def test_symlinked_layout_leaving_the_project_is_refused(
    library: Path, tmp_path: Path, outside: Path
) -> None:
    (library / "templates" / "leaflet.html").symlink_to(outside)
    assert_refused(
        library,
        tmp_path,
        "templates/leaflet.html: a symbolic link to",
        "outside the leaflet project",
    )


def test_symlinked_include_leaving_the_project_is_refused(
    library: Path, tmp_path: Path, outside: Path
) -> None:
    (library / "templates" / "extra.html").symlink_to(outside)
    override_layout(library, "{% include 'extra.html' %}")
    assert_refused(
        library, tmp_path, "templates/extra.html: a symbolic link to", "outside the leaflet project"
    )


def test_symlinked_stylesheet_is_not_copied_into_exported_html(
    library: Path, tmp_path: Path, outside: Path
) -> None:
    (library / "templates" / "leaflet.css").symlink_to(outside)
    out = tmp_path / "out"
    for output_format in ("html", "pdf"):
        run = polyleaf(
            "--project", library, "build", "--leaflet", "alpha", "--locale", "en",
            "--format", output_format, "--out", out,
        )  # fmt: skip
        assert_one_line_error(run, "templates/leaflet.css: ", "outside the leaflet project")
    assert not out.exists() or not [p for p in out.rglob("*") if p.is_file()]


def test_symlinked_leaflet_source_leaving_the_project_is_refused(
    library: Path, outside: Path
) -> None:
    source = outside.with_name("gamma.md")
    source.write_text((library / "templates" / "alpha.md").read_text())
    (library / "templates" / "gamma.md").symlink_to(source)
    run = polyleaf("--project", library, "check")
    assert_one_line_error(run, "polyleaf: error: templates/gamma.md: ", "leads outside")


# -- a layout that leaves the leaflet's text out ---------------------------------------------


def _layout_without_body(library: Path, change: str) -> None:
    layout = (LAYOUTS / "leaflet.html").read_text(encoding="utf-8")
    assert layout.count("{{ body }}") == 1
    (library / "templates" / "leaflet.html").write_text(
        layout.replace("{{ body }}", change), encoding="utf-8"
    )


@pytest.mark.parametrize(
    "change",
    [
        pytest.param("", id="left-out"),
        pytest.param("<!-- {{ body }} -->", id="commented-out"),
        pytest.param("{{ body|truncate(200) }}", id="cut-short"),
        pytest.param("<template>{{ body }}</template>", id="undrawn-element"),
    ],
)
def test_a_layout_that_leaves_out_the_body_fails_check_and_build(
    library: Path, tmp_path: Path, change: str
) -> None:
    """The safety sections are in the body: a layout without it printed a PDF
    with none of them, and the gate passed."""
    _layout_without_body(library, change)
    expected = ("templates/alpha.md (layout leaflet.html)", "does not print the leaflet's body")
    assert_one_line_error(polyleaf("--project", library, "check", "--leaflet", "alpha"), *expected)
    assert_refused(library, tmp_path, *expected)


@pytest.mark.parametrize(
    ("layout", "problem"),
    [
        ("base.html", "does not print the leaflet's masthead"),
        ("leaflet.css", "renders no <body> element"),  # was a traceback
    ],
)
def test_a_front_matter_layout_that_is_no_leaflet_layout(
    library: Path, tmp_path: Path, layout: str, problem: str
) -> None:
    source = library / "templates" / "alpha.md"
    text = source.read_text(encoding="utf-8")
    source.write_text(text.replace("---\n#", f"layout: {layout}\n---\n#", 1), encoding="utf-8")
    expected = (f"templates/alpha.md (layout {layout})", problem)
    assert_one_line_error(polyleaf("--project", library, "check", "--leaflet", "alpha"), *expected)
    assert_refused(library, tmp_path, *expected)
