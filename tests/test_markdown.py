"""Markdown leaflet sources (tests/roots/library): front matter, segmentation,
heading attributes, and one-line errors naming file:line for bad sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOTS, polyleaf
from fixture_project import assert_one_line_error
from polyleaf import markdown
from polyleaf.errors import PolyleafError
from polyleaf.project import Project

FRONT = "---\ncode: PL-X-01\nrevision: 2026-12-01\n---\n"
#: The line of a body's first line in a source written by write_source.
BODY_LINE = 7


@pytest.fixture(scope="module")
def library() -> Project:
    return Project.load(ROOTS / "library")


def write_source(folder: Path, body: str, front: str = FRONT) -> Path:
    path = folder / "templates" / "x.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(front + "# Title\n\n" + body + "\n", encoding="utf-8")
    return path


def load(folder: Path, body: str) -> markdown.Document:
    return markdown.load(write_source(folder, body), "templates/x.md")


def test_alpha_is_segmented_one_message_per_block(library: Project) -> None:
    segments = [
        (s.context, s.id, s.kind, s.line) for s in library.leaflet("alpha").document.segments
    ]
    assert segments == [
        (None, "Alphacillin 100 mg tablets", "heading", 5),
        # two source lines, the soft line break joined by a space
        (
            None,
            "For people who have been prescribed alphacillin 100 mg, and for their families "
            "and carers.",
            "paragraph",
            8,
        ),
        # a {#id .safety} line of its own: the paragraph below is the section
        (
            "disclaimer",
            "This leaflet does not replace the advice of your doctor or pharmacist.",
            "paragraph",
            12,
        ),
        # {#how-to-take} without .safety gives no context
        (None, "How to take alphacillin", "heading", 14),
        (None, "Take 1 tablet twice a day with a full glass of water.", "paragraph", 16),
        # a safety section inside a ::: safety-box, ended by the box
        ("pregnancy-warning", "Pregnancy warning", "heading", 19),
        (
            "pregnancy-warning",
            "Do **not** take alphacillin if you are pregnant. Read the [pregnancy advice]"
            "(https://example.org/alpha/pregnancy) before you start.",
            "paragraph",
            21,
        ),
        (
            "pregnancy-warning",
            "Use contraception until 1 month after your last tablet.",
            "paragraph",
            23,
        ),
        (None, "Precautions", "heading", 26),
        # a safety section in an item of a {.points} list, ended by the item
        ("sunscreen", "Sunscreen", "heading", 29),
        (
            "sunscreen",
            "Your skin burns easily. Use a sunscreen of SPF 30 or higher.",
            "list item",
            31,
        ),
        (None, "Storage", "heading", 33),
        (
            None,
            "Keep the tablets below 25 °C, out of the sight and reach of children.",
            "list item",
            35,
        ),
    ]


def test_section_ids_are_per_leaflet(library: Project) -> None:
    alpha, beta = library.leaflet("alpha"), library.leaflet("beta")
    assert list(alpha.sections()) == ["disclaimer", "pregnancy-warning", "sunscreen"]
    assert list(beta.sections()) == ["disclaimer", "dose", "overdose"]
    assert alpha.sections()["disclaimer"] != beta.sections()["disclaimer"]
    assert library.catalog_path("alpha", library.locales[1]) != library.catalog_path(
        "beta", library.locales[1]
    )


def test_beta_note_after_a_box_is_outside_the_dose_section(library: Project) -> None:
    """## Get medical help (in a ::: serious box) ends ## How much to take: the
    ::: note after the box is in no section."""
    contexts = {s.id: s.context for s in library.leaflet("beta").document.segments}
    assert (
        contexts[
            "Take 1 or 2 tablets every 6 hours. Never take more than **8 tablets** in 24 hours."
        ]
        == "dose"
    )
    assert contexts["Get medical help at once"] == "overdose"
    assert contexts["If your skin or the whites of your eyes turn yellow."] == "overdose"
    assert contexts["Keep betamol below 25 °C."] is None


def test_masthead_is_the_title_and_the_paragraphs_under_it(library: Project) -> None:
    title, masthead, body = library.leaflet("alpha").document.render(lambda context, text: text)
    assert title == "Alphacillin 100 mg tablets"
    assert masthead.strip().startswith("<h1>Alphacillin 100 mg tablets</h1>")
    assert '<p class="audience">For people' in masthead
    assert '<p id="disclaimer" class="safety disclaimer">This leaflet' in masthead
    assert "<h2" not in masthead
    assert body.strip().startswith('<h2 id="how-to-take">How to take alphacillin</h2>')
    assert "audience" not in body and "<h1>" not in body
    assert '<div class="safety-box">\n<h2 id="pregnancy-warning" class="safety">' in body
    assert '<ol class="points">' in body
    assert '<a href="https://example.org/alpha/pregnancy">pregnancy advice</a>' in body


def test_render_swaps_in_each_translation_by_context(library: Project) -> None:
    seen: list[tuple[str | None, str]] = []

    def translate(context: str | None, text: str) -> str:
        seen.append((context, text))
        return f"[{context}] **x**" if context == "sunscreen" else text

    _, _, body = library.leaflet("alpha").document.render(translate)
    assert seen == [(s.context, s.id) for s in library.leaflet("alpha").document.segments]
    assert '<h3 id="sunscreen" class="safety">[sunscreen] <strong>x</strong></h3>' in body


@pytest.mark.parametrize(
    ("heading", "text", "attrs"),
    [
        (
            "## Dose {mg/kg} for children {#child-dose}",
            "Dose {mg/kg} for children",
            {"id": "child-dose"},
        ),
        ("## Step #2: C# {#step-2 .safety}", "Step #2: C#", {"id": "step-2", "class": "safety"}),
        (
            "Setext title {#setext .safety}\n---------",
            "Setext title",
            {"id": "setext", "class": "safety"},
        ),
        ("## Closed ## {#closed}", "Closed", {"id": "closed"}),
        ("## Escaped \\{#x\\}", "Escaped \\{#x\\}", {}),
        ("## Code `{#x}`", "Code `{#x}`", {}),
        ("## Glued{#x}", "Glued{#x}", {}),
        ("## Handler {#x onclick=...}", "Handler {#x onclick=...}", {}),
        ("## Unclosed {#x", "Unclosed {#x", {}),
    ],
)
def test_heading_attributes(tmp_path: Path, heading: str, text: str, attrs: dict[str, str]) -> None:
    document = load(tmp_path, heading)
    assert document.segments[1].id == text
    tokens = markdown._parser().parse(document.text, {})
    heading_token = [t for t in tokens if t.type == "heading_open"][1]
    assert heading_token.attrs == attrs
    if "safety" in attrs.get("class", ""):
        assert document.segments[1].context == attrs["id"]
    else:
        assert document.segments[1].context is None


def test_block_attributes_mark_a_box_whose_first_line_is_a_heading(tmp_path: Path) -> None:
    document = load(
        tmp_path,
        "{#box-points .safety}\n::: safety-box\n## Points\n\nText in the box.\n:::\n\n"
        "After the box.",
    )
    contexts = [(s.id, s.context) for s in document.segments[1:]]
    assert contexts == [
        ("Points", "box-points"),
        ("Text in the box.", "box-points"),
        ("After the box.", None),
    ]


def test_a_heading_inside_a_box_ends_a_section_of_its_level(tmp_path: Path) -> None:
    document = load(
        tmp_path,
        "## Outer {#outer .safety}\n\nOuter text.\n\n::: note\n### Deeper\n\nDeeper text.\n:::\n\n"
        "::: note\n## Same level\n\nSame-level text.\n:::\n\nTail.",
    )
    contexts = [(s.id, s.context) for s in document.segments[1:]]
    assert contexts == [
        ("Outer", "outer"),
        ("Outer text.", "outer"),
        ("Deeper", "outer"),
        ("Deeper text.", "outer"),
        ("Same level", None),
        ("Same-level text.", None),
        ("Tail.", None),
    ]


#: Bad sources: the body (after the title), the line the error names, what it says.
BAD_BODIES = [
    pytest.param("{.hidden}\nA paragraph.", BODY_LINE + 1, "unknown class 'hidden'", id="class"),
    pytest.param(
        "## Heading {#x .hidden}", BODY_LINE, "unknown class 'hidden'", id="heading-class"
    ),
    pytest.param("::: bogus\nText.\n:::", BODY_LINE, "unknown box 'bogus'", id="box"),
    pytest.param(
        '{style="display:none"}\nA paragraph.',
        BODY_LINE + 1,
        "attribute style not allowed",
        id="style",
    ),
    pytest.param(
        '{onclick="alert(1)"}\nA paragraph.',
        BODY_LINE + 1,
        "attribute onclick not allowed",
        id="onclick",
    ),
    pytest.param(
        '## Warning {#w .safety style="display:none"}',
        BODY_LINE,
        "attribute style not allowed",
        id="heading-style",
    ),
    pytest.param(
        '## Warning {#w onclick="alert(1)"}',
        BODY_LINE,
        "attribute onclick not allowed",
        id="heading-onclick",
    ),
    pytest.param(
        "## A {#same}\n\n## B {#same}", BODY_LINE + 2, "id 'same' is used twice", id="duplicate"
    ),
    pytest.param("## A {#Bad_Id .safety}", BODY_LINE, "id 'Bad_Id'", id="bad-id"),
]


@pytest.mark.parametrize(("body", "line", "problem"), BAD_BODIES)
def test_bad_source_is_one_line_naming_file_and_line(
    tmp_path: Path, body: str, line: int, problem: str
) -> None:
    with pytest.raises(PolyleafError) as raised:
        load(tmp_path, body)
    message = str(raised.value)
    assert message.startswith(f"templates/x.md:{line}: "), message
    assert problem in message and "\n" not in message


#: Bad front matter: the front matter, the line named, what it says.
BAD_FRONT = [
    pytest.param("", 1, "no front matter", id="missing"),
    pytest.param("---\ncode: PL-X-01\nrevision: 2026-13-45\n---\n", 1, "not a date", id="bad-date"),
    pytest.param("---\ncode: PL-X-01\n---\n", 1, "revision: Field required", id="no-revision"),
    pytest.param(
        "---\ncode: PL-X-01\nrevision: 2026-12-01\nauthor: me\n---\n", 1, "author", id="unknown-key"
    ),
    pytest.param(
        "---\ncode: [PL-X-01, PL-Y-01]\nrevision: 2026-12-01\n---\n",
        1,
        "code: must be a single value",
        id="list-value",
    ),
    pytest.param(
        "---\ncode: PL-X-01\nrevision: 2026-12-01\npaper: a3\n---\n",
        1,
        "paper: 'a3' unknown",
        id="paper",
    ),
    # YAML alone keeps the last of two values without a word
    pytest.param(
        "---\ncode: PL-X-01\nrevision: 2026-12-01\ncode: PL-Y-01\n---\n",
        4,
        "front matter: key 'code' written twice (first at line 2)",
        id="duplicate-key",
    ),
    pytest.param(
        "---\nrevision: 2026-12-01\ncode: PL-X-01\n'revision': 2026-12-02\n---\n",
        4,
        "key 'revision' written twice",
        id="duplicate-quoted-key",
    ),
    # the code is printed in every page footer: one non-blank printable line
    pytest.param(
        '---\ncode: " "\nrevision: 2026-12-01\n---\n', 1, "code: write the leaflet code", id="blank"
    ),
    pytest.param(
        '---\ncode: "PL-X\\n01"\nrevision: 2026-12-01\n---\n',
        1,
        "code: must be one line of printable characters; U+000A is not",
        id="code-newline",
    ),
    pytest.param(
        "---\ncode: |\n  PL-X\n  01\nrevision: 2026-12-01\n---\n", 1, "U+000A", id="code-block"
    ),
    pytest.param(
        '---\ncode: "PL-X\\x0701"\nrevision: 2026-12-01\n---\n', 1, "U+0007", id="code-control"
    ),
    pytest.param(
        '---\ncode: "PL-X\\u200b01"\nrevision: 2026-12-01\n---\n', 1, "U+200B", id="code-invisible"
    ),
    # the end of the front matter, where YAML finds the quote still open
    pytest.param("---\ncode: 'unclosed\nrevision: 2026-12-01\n---\n", 4, "front matter", id="yaml"),
]


@pytest.mark.parametrize("code", ["PL-ISO20-01", "PC-ISO-01", "PL ALPHA 01", "ÜB-Ä/2"])
def test_a_leaflet_code_of_printable_characters_is_kept(code: str) -> None:
    front = markdown.front_matter(f"---\ncode: {code}\nrevision: 2026-12-01\n---\n", "x.md")
    assert front.code == code


def test_a_jinja_leaflet_code_in_polyleaf_toml_follows_the_same_rule() -> None:
    from pydantic import ValidationError

    from polyleaf.project import LeafletConfig

    entry = {"template": "x.html", "revision": "2026-12-01"}
    assert LeafletConfig.model_validate({**entry, "code": "PL-ISO20-01"}).code == "PL-ISO20-01"
    with pytest.raises(ValidationError, match="U\\+000A is not"):
        LeafletConfig.model_validate({**entry, "code": "PL\nX"})


@pytest.mark.parametrize(("front", "line", "problem"), BAD_FRONT)
def test_bad_front_matter_is_one_line_naming_file_and_line(
    library_copy: Path, front: str, line: int, problem: str
) -> None:
    (library_copy / "templates" / "alpha.md").write_text(front + "# Alpha\n\nText.\n")
    project = Project.load(library_copy)  # one broken leaflet does not stop the library
    with pytest.raises(PolyleafError) as raised:
        project.leaflet("alpha").document  # noqa: B018
    message = str(raised.value)
    assert message.startswith(f"templates/alpha.md:{line}: "), message
    assert problem in message and "\n" not in message
    assert project.leaflet("beta").document.segments


def test_a_source_saved_with_a_byte_order_mark_reads_as_without(library_copy: Path) -> None:
    """Some editors on Windows save UTF-8 with a BOM; it was "no front matter"."""
    source = library_copy / "templates" / "alpha.md"
    source.write_bytes(b"\xef\xbb\xbf" + source.read_bytes())
    plain = Project.load(ROOTS / "library").leaflet("alpha")
    marked = Project.load(library_copy).leaflet("alpha")
    assert not marked.error and marked.code == plain.code == "PL-ALPHA-01"
    assert marked.document.segments == plain.document.segments
    with source.open("rb") as handle:  # what plain pybabel extract finds
        extracted = list(markdown.babel_extract(handle, None, [], {}))
    assert [message for _, _, message, _ in extracted][0] == "Alphacillin 100 mg tablets"
    run = polyleaf("--project", library_copy, "check", "--leaflet", "alpha")
    assert run.code == 0, run


@pytest.fixture
def library_copy(library: Project, tmp_path: Path) -> Path:
    from conftest import copy_root

    return copy_root("library", tmp_path / "library")


@pytest.mark.parametrize(("body", "line", "problem"), BAD_BODIES)
def test_bad_source_through_the_cli(library_copy: Path, body: str, line: int, problem: str) -> None:
    write_source(library_copy, body).rename(library_copy / "templates" / "alpha.md")
    run = polyleaf("--project", library_copy, "check")
    finding = assert_one_line_error(run, f"templates/alpha.md:{line} · ", problem)
    assert finding.startswith("error: alpha · en · - · - · ")
    assert not [line for line in run.stdout.splitlines() if "beta" in line], run.stdout


def test_bad_source_stops_extraction_with_one_line(library_copy: Path) -> None:
    write_source(library_copy, "::: bogus\nText.\n:::").rename(
        library_copy / "templates" / "alpha.md"
    )
    run = polyleaf("--project", library_copy, "i18n", "extract")
    assert_one_line_error(
        run, f"polyleaf: error: templates/alpha.md:{BODY_LINE}: unknown box 'bogus'"
    )
    run = polyleaf("--project", library_copy, "check", "--leaflet", "beta")
    assert run.code == 0, run  # the other leaflet is not held up


@pytest.mark.parametrize(("front", "line", "problem"), BAD_FRONT)
def test_bad_front_matter_through_the_cli(
    library_copy: Path, front: str, line: int, problem: str
) -> None:
    (library_copy / "templates" / "alpha.md").write_text(front + "# Alpha\n\nText.\n")
    run = polyleaf("--project", library_copy, "check")
    finding = assert_one_line_error(run, f"templates/alpha.md:{line} · ", problem)
    assert finding.startswith("error: alpha · en · - · - · ")
    assert not [text for text in run.stdout.splitlines() if "beta" in text], run.stdout
