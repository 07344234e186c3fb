"""A layout or stylesheet cannot hide a safety message (polyleaf.visible).

The gate reads catalogs and the layout check reads the HTML; what a project's
own templates/leaflet.css does to the page is only known once WeasyPrint has
laid it out. Each trick below hides, shrinks, fades, clips or moves a safety
message of the fixture leaflet alpha; the build of that leaflet and locale
fails naming the section and the message, and writes no PDF. The same CSS on
a section that is not safety-required builds.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from conftest import polyleaf
from fixture_project import assert_one_line_error
from polyleaf import visible
from polyleaf.project import LAYOUTS

TRICKS = {
    "display-none": "#pregnancy-warning + p { display: none; }",
    "visibility": ".safety-box p { visibility: hidden; }",
    "font-size-0": ".safety-box p:first-of-type { font-size: 0; }",
    "tiny": ".safety-box p { font-size: 4pt; }",
    "white-on-white": ".safety-box p { color: #fff; background: #fff; }",
    "same-as-box": ".safety-box { background: #fff4f2; } .safety-box p { color: #fff0ee; }",
    "opacity": ".safety-box { opacity: 0.05; }",
    "transparent": ".safety-box p { color: transparent; }",
    "zero-height": ".safety-box { height: 12mm; overflow: hidden; }",
    "text-indent": "#pregnancy-warning + p { text-indent: -9999px; }",
    "off-page": ".safety-box { position: absolute; left: -400mm; }",
    "transform": ".safety-box p { transform: scale(0.01); }",
    "list-heading": "ol li p { display: none; }",
    "dark-page": "@page { background: #111; } .safety-box { background: none; }",
    "clip-rect": ".safety-box { position: absolute; clip: rect(0, 0, 0, 0); }",
    "painted-over": (
        ".safety-box { position: relative; } .safety-box::after { content: ''; "
        "position: absolute; inset: 0; background: #fff4f2; }"
    ),
    "later-box-over": "#precautions { position:absolute; top: 0; height: 80mm; background: #eee; }",
    "lines-on-one-another": ".safety-box p { line-height: 0; width: 50mm; }",
    "letters-crushed": ".safety-box p { letter-spacing: -0.6em; }",
    "words-run-together": ".safety-box p { word-spacing: -0.3em; }",
    "words-added": ".safety-box p::after { content: ' unless your doctor agrees'; }",
    "outline-over": ".safety-box p { outline: 30px solid #fff4f2; outline-offset: -30px; }",
    "underline-as-bar": (
        ".safety-box p { text-decoration: underline; text-decoration-thickness: 16px;"
        " text-underline-offset: -12px; text-decoration-color: #000; color: #111; }"
    ),
    "border-over": (
        ".safety-box { position: relative; } .safety-box::after { content: ''; position: absolute;"
        " top: 0; left: 0; border-left: 150mm solid #fff4f2; border-bottom: 40mm solid #fff4f2; }"
    ),
    "gradient-as-text": (
        ".safety-box p { background-image: linear-gradient(#a40000, #a40000); color: #a40000; }"
    ),
    "picture-behind": (
        ".safety-box { background-image: url('data:image/svg+xml,<svg "
        """xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'); }"""
    ),
}


def override_css(root: Path, css: str) -> None:
    shipped = (LAYOUTS / "leaflet.css").read_text(encoding="utf-8")
    (root / "templates" / "leaflet.css").write_text(shipped + "\n" + css + "\n", encoding="utf-8")


def build(root: Path, out: Path, *args: str):  # noqa: ANN201
    return polyleaf("--project", root, "build", "--leaflet", "alpha", "--out", out, *args)


@pytest.mark.parametrize("css", TRICKS.values(), ids=TRICKS.keys())
def test_a_stylesheet_that_hides_a_safety_message_fails_the_build(
    library: Path, tmp_path: Path, css: str
) -> None:
    override_css(library, css)
    out = tmp_path / "out"
    run = build(library, out, "--locale", "en")
    line = assert_one_line_error(run, "alpha · en · ", "templates/alpha.md:", "not visibly printed")
    assert any(section in line for section in ("pregnancy-warning", "sunscreen", "disclaimer"))
    assert not [p for p in out.rglob("*") if p.is_file() and p.suffix in (".pdf", ".part")]


def test_check_lays_the_source_language_out_and_finds_it_too(library: Path) -> None:
    override_css(library, TRICKS["white-on-white"])
    run = polyleaf("--project", library, "check", "--leaflet", "alpha")
    assert_one_line_error(run, "alpha · en · pregnancy-warning", "templates/alpha.md:21")
    assert "not visibly printed" in run.stdout + run.stderr


def test_the_api_refuses_a_hidden_warning_with_409(library: Path, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from polyleaf.web.app import Settings, create_app

    override_css(library, ":lang(es) .safety-box p { opacity: 0; }")
    app = create_app(Settings(project=library, out=tmp_path / "out", workers=1, timeout=60))
    with TestClient(app) as client:
        plain = client.get("/leaflets/alpha/es.pdf")
        personal = client.post("/leaflets/alpha/es.pdf", json={"patient_name": "Ana"})
        english = client.get("/leaflets/alpha/en.pdf")
    for response in (plain, personal):
        assert response.status_code == 409, response.text
        assert response.json()["error"].startswith("es fails the safety gate")
    assert english.status_code == 200
    assert not list((tmp_path / "out").rglob("alpha-es*.pdf"))


def test_a_trick_aimed_at_one_language_fails_only_that_language(
    library: Path, tmp_path: Path
) -> None:
    override_css(library, ":lang(es) .safety-box p { color: white; }")
    out = tmp_path / "out"
    run = build(library, out, "--locale", "en", "--locale", "es")
    output = run.stdout + run.stderr
    assert run.code == 1
    assert "alpha · es · pregnancy-warning" in output
    assert "locales/es/LC_MESSAGES/alpha.po:" in output  # the translation's file:line
    assert "alpha · en · " not in output
    assert (out / "alpha" / "en").exists() and not (out / "alpha" / "es").exists()


def test_the_english_half_of_a_bilingual_edition_cannot_be_hidden(
    library: Path, tmp_path: Path
) -> None:
    override_css(library, "td:last-child p { display: none; }")
    run = build(library, tmp_path / "out", "--locale", "ar", "--bilingual")
    line = assert_one_line_error(run, "alpha · en · ", "not visibly printed")
    assert "templates/alpha.md:" in line


def test_hiding_what_is_not_safety_required_still_builds(library: Path, tmp_path: Path) -> None:
    """Only the safety sections are checked: the layout is the clinic's to style."""
    override_css(
        library,
        "#how-to-take + p { display: none; } h1 { letter-spacing: 1pt; }"
        " .safety-box h2 { letter-spacing: -0.02em; word-spacing: -0.05em; }"
        " .safety-box p { outline: 1px dotted #a40000; outline-offset: 1mm; }"
        " .safety-box a { text-decoration-thickness: 2px; }",
    )
    out = tmp_path / "out"
    for edition in (["--locale", "en"], ["--locale", "ar", "--bilingual"]):
        run = build(library, out, *edition)
        assert run.code == 0, run
    assert len(list(out.rglob("*.pdf"))) == 2


def test_a_light_gradient_behind_a_warning_still_builds(library: Path, tmp_path: Path) -> None:
    """Each stop of a gradient must contrast with the text; light stops do."""
    override_css(library, ".safety-box { background-image: linear-gradient(#fff, #fee); }")
    assert build(library, tmp_path / "out", "--locale", "en").code == 0


@pytest.mark.parametrize("where", ["project file", "data url"])
def test_a_font_the_project_brings_is_refused(library: Path, tmp_path: Path, where: str) -> None:
    """A font that draws nothing (or other letters) would pass every check of
    the laid-out text: only polyleaf's pinned fonts print."""
    font = b"\x00\x01\x00\x00" + bytes(60)  # the start of any TrueType file
    if where == "project file":
        (library / "templates" / "brand.ttf").write_bytes(font)
        src = "url(brand.ttf)"
    else:
        src = f"url(data:font/ttf;base64,{base64.b64encode(font).decode()})"
    override_css(
        library, f"@font-face {{ font-family: Brand; src: {src}; }} p {{ font-family: Brand; }}"
    )
    run = build(library, tmp_path / "out", "--locale", "en")
    assert_one_line_error(run, "alpha", "refused to use the font", "pinned fonts")
    assert not list((tmp_path / "out").rglob("*.pdf"))


def test_contrast_is_wcags() -> None:
    assert visible.contrast((1, 1, 1), (0, 0, 0)) == pytest.approx(21)
    assert visible.contrast((0.5, 0.5, 0.5), (0.5, 0.5, 0.5)) == pytest.approx(1)
    assert 3.9 < visible.contrast((0.46, 0.46, 0.46), (1, 1, 1)) < 4.7


def test_comparable_text_ignores_line_breaks_hyphens_and_joiners() -> None:
    assert visible.comparable("Fehl‐\nbildungen 20 \u2060mg") == visible.comparable(
        "Fehlbildungen 20 mg"
    )
    assert visible.comparable("1 month") != visible.comparable("1 week")
