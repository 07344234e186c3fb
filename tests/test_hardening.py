"""Hostile and careless input (issue 14, item 3): one line, exit status 1, no traceback,
and nothing partial left behind."""

from __future__ import annotations

import errno
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import ROOT, Run, polyleaf
from fixture_project import line_of
from polyleaf import atomic, cli
from polyleaf.batch import COLUMNS, OrdersError, read_orders
from polyleaf.catalogs import read_catalog
from polyleaf.clinics import load_clinic
from polyleaf.errors import CatalogError, PolyleafError
from polyleaf.project import Project
from test_cli import assert_one_line_error, no_partial_files

ES = Path("locales") / "es" / "LC_MESSAGES" / "isotretinoin-20mg.po"

# -- a catalog path that is a folder ---------------------------------------------------------


def test_a_catalog_that_is_a_folder(project_copy: Path, tmp_path: Path) -> None:
    catalog = project_copy / ES
    catalog.unlink()
    catalog.mkdir()
    where = (str(ES), "is a folder, not a catalog file")
    assert_one_line_error(polyleaf("--project", project_copy, "check", "--locale", "es"), *where)
    run = polyleaf("--project", project_copy, "build", "--locale", "es", "--out", tmp_path)
    assert_one_line_error(run, *where)
    assert not list((tmp_path / "isotretinoin-20mg").rglob("*.pdf"))
    # the other leaflet's Spanish catalog is whole: it still builds
    assert list((tmp_path / "isotretinoin-reminder-card").rglob("*.pdf"))
    listing = polyleaf("--project", project_copy, "locales")
    assert "Traceback" not in listing.stderr and "is a folder" in listing.stdout


# -- catalogs that GNU msgfmt -c rejects -----------------------------------------------------

HEADER = """msgid ""
msgstr ""
"Language: es\\n"
"Plural-Forms: {plural_forms}\\n"
"Content-Type: text/plain; charset=utf-8\\n"

"""
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"
GOOD = """msgctxt "dose"
msgid "Take one capsule"
msgstr "Tome una cápsula"

msgid "Take one capsule"
msgstr "Tome una cápsula (sin contexto)"

msgid "%(n)s day"
msgid_plural "%(n)s days"
msgstr[0] "%(n)s día"
msgstr[1] "%(n)s días"
"""
DUPLICATE = """
msgctxt "dose"
msgid ""
"Take one "
"capsule"
msgstr "Tome dos cápsulas"
"""


def _catalog(tmp_path: Path, body: str = GOOD, plural_forms: str = PLURAL_FORMS) -> Path:
    path = tmp_path / "messages.po"
    path.write_text(HEADER.format(plural_forms=plural_forms) + body, encoding="utf-8")
    return path


def _msgfmt_rejects(path: Path) -> bool:
    done = subprocess.run(
        ["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    return done.returncode != 0


needs_msgfmt = pytest.mark.skipif(not shutil.which("msgfmt"), reason="GNU msgfmt not installed")


def test_a_well_formed_catalog_reads(tmp_path: Path) -> None:
    path = _catalog(tmp_path)
    assert len(read_catalog(path, locale="es")) == 3
    if shutil.which("msgfmt"):
        assert not _msgfmt_rejects(path)


def test_every_catalog_of_the_project_reads(project: Project) -> None:
    for leaflet in project.leaflets:
        for locale in project.leaflet_locales(leaflet)[1:]:
            read_catalog(project.catalog_path(leaflet, locale), locale=locale.folder)
        read_catalog(project.pot_path(leaflet))
    for locale in project.locales[1:]:
        for path in project.furniture_paths(locale):
            read_catalog(path, locale=locale.folder)


def test_a_duplicate_message_names_both_lines(tmp_path: Path) -> None:
    path = _catalog(tmp_path, GOOD + DUPLICATE)
    with pytest.raises(CatalogError) as raised:
        read_catalog(path, locale="es")
    assert str(raised.value) == (
        f"{path}:19: duplicate message 'Take one capsule' (context 'dose'), "
        "first defined at line 7; keep one of them"
    )
    if shutil.which("msgfmt"):
        assert _msgfmt_rejects(path)


def test_same_msgid_in_another_context_is_no_duplicate(tmp_path: Path) -> None:
    body = GOOD + '\nmsgctxt "alcohol"\nmsgid "Take one capsule"\nmsgstr "Tome"\n'
    assert len(read_catalog(_catalog(tmp_path, body), locale="es")) == 4


@needs_msgfmt
@pytest.mark.parametrize(
    ("plural_forms", "detail"),
    [
        ("nplurals=2; plural=(n!=1;", "plural expression '(n!=1' is invalid"),
        ("nplurals=0; plural=0;", "nplurals=0 must be at least 1"),
        ("nplurals=two; plural=(n != 1);", "nplurals 'two' is not a number"),
        ("nplurals=٢; plural=(n != 1);", "nplurals '٢' is not a number"),
        ("nplurals=2; plural=n ? 0 :;", "plural expression 'n ? 0 :' is invalid"),
        ("nplurals=2; plural=__import__('os');", "is invalid"),
        ("nplurals=2; plural=(n > 1) + (n > 5);", "gives form 2, but nplurals=2"),
        ("nplurals=2;", "plural expression '' is invalid"),
    ],
)
def test_broken_plural_forms(tmp_path: Path, plural_forms: str, detail: str) -> None:
    path = _catalog(tmp_path, plural_forms=plural_forms)
    with pytest.raises(CatalogError) as raised:
        read_catalog(path, locale="es")
    assert str(raised.value).startswith(f"{path}:4: Plural-Forms: "), raised.value
    assert detail in str(raised.value)
    assert "\n" not in str(raised.value)
    assert _msgfmt_rejects(path)


@needs_msgfmt
@pytest.mark.parametrize(
    ("plural_forms", "forms"),
    [
        ("nplurals=3; plural=(n==1 ? 0 : n==2 ? 1 : 2);", 2),  # a form missing
        ("nplurals=1; plural=0;", 2),  # a form too many
    ],
)
def test_plural_forms_must_match_each_message(
    tmp_path: Path, plural_forms: str, forms: int
) -> None:
    path = _catalog(tmp_path, plural_forms=plural_forms)
    with pytest.raises(CatalogError) as raised:
        read_catalog(path, locale="es")
    nplurals = plural_forms.split(";")[0]
    assert str(raised.value) == (
        f"{path}:14: message '%(n)s day' has {forms} plural forms (msgstr[...]), "
        f"but Plural-Forms says {nplurals}"
    )
    assert _msgfmt_rejects(path)


@pytest.mark.parametrize("charset", ["bogus-42", "utf-8 foo", "rot13", "latin-1", "utf-16"])
def test_a_charset_other_than_utf_8_names_the_header_line(tmp_path: Path, charset: str) -> None:
    """Babel decodes in the declared charset: an unknown one was a traceback, another
    one read the UTF-8 bytes polyleaf checked as other text ("25 Â°C")."""
    path = _catalog(tmp_path)
    path.write_text(
        path.read_text(encoding="utf-8").replace("charset=utf-8", f"charset={charset}"),
        encoding="utf-8",
    )
    with pytest.raises(CatalogError) as raised:
        read_catalog(path, locale="es")
    assert str(raised.value) == (
        f"{path}:5: Content-Type declares charset={charset!r}; polyleaf reads catalogs "
        "as UTF-8: save the file as UTF-8 and write charset=UTF-8"
    )


@pytest.mark.parametrize("charset", ["UTF-8", "utf8", "us-ascii", "CHARSET"])
def test_utf_8_under_any_name_reads(tmp_path: Path, charset: str) -> None:
    path = _catalog(tmp_path, body=GOOD.replace("á", "a").replace("í", "i"))
    path.write_text(
        path.read_text(encoding="utf-8").replace("charset=utf-8", f"charset={charset}"),
        encoding="utf-8",
    )
    assert len(read_catalog(path, locale="es")) == 3


def test_a_bogus_charset_in_the_project_is_one_line(library: Path, tmp_path: Path) -> None:
    catalog = library / "locales" / "es" / "LC_MESSAGES" / "alpha.po"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(text.replace("charset=utf-8", "charset=bogus-42"), encoding="utf-8")
    line = line_of(catalog, '"Content-Type')
    where = (f"alpha.po:{line}", "charset='bogus-42'")
    assert_one_line_error(polyleaf("--project", library, "check"), *where)
    run = polyleaf("--project", library, "build", "--locale", "es", "--out", tmp_path)
    assert_one_line_error(run, *where)
    assert not list((tmp_path / "alpha").rglob("*.pdf"))


@pytest.mark.parametrize("context", ["pregnancy-warning\\n", "pregnancy-\\rwarning", "x\u2028y"])
def test_a_context_with_a_line_break_is_still_one_line_per_finding(
    library: Path, context: str
) -> None:
    catalog = library / "locales" / "es" / "LC_MESSAGES" / "alpha.po"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(
        text.replace('msgctxt "pregnancy-warning"', f'msgctxt "{context}"'), encoding="utf-8"
    )
    run = polyleaf("--project", library, "check", "--locale", "es")
    assert run.code == 1 and "Traceback" not in run.stderr
    lines = (run.stdout + run.stderr).splitlines()
    assert all(line.startswith(("error: ", "warning: ", "2 leaflets")) for line in lines), lines
    assert any("alpha.po:" in line for line in lines)  # stale, or (U+2028) malformed


def test_duplicate_in_the_project_fails_check_and_build(project_copy: Path, tmp_path: Path) -> None:
    catalog = project_copy / ES
    text = catalog.read_text(encoding="utf-8")
    entry = 'msgctxt "alcohol"\nmsgid "Avoid Alcohol"\nmsgstr "Evite el alcohol"'
    catalog.write_text(text + "\n" + entry + "\n", encoding="utf-8")
    line = len(text.splitlines()) + 2  # a blank line, then msgctxt
    where = (f"{ES}:{line}", "duplicate message 'Avoid Alcohol'", "first defined at")
    run = polyleaf("--project", project_copy, "check", "--locale", "es")
    assert_one_line_error(run, *where)
    run = polyleaf("--project", project_copy, "build", "--locale", "es", "--out", tmp_path)
    assert_one_line_error(run, *where)


# -- TOML files: polyleaf.toml, locales/glossary.toml, clinics/*.toml, review files ----------

DEEP = "x = " + "[" * 5000 + "]" * 5000 + "\n"


def _clinic(library: Path) -> Path:
    (library / "clinics").mkdir()
    return library / "clinics" / "c.toml"


TOML_FILES = {
    "polyleaf.toml": lambda library: library / "polyleaf.toml",
    "glossary.toml": lambda library: library / "locales" / "glossary.toml",
    "clinics/c.toml": _clinic,
}


def _check_or_build(library: Path, name: str) -> Run:
    if not name.startswith("clinics/"):
        return polyleaf("--project", library, "check")
    return polyleaf(
        "--project", library, "build", "--clinic", "c", "--leaflet", "alpha", "--locale", "en",
        "--format", "html", "--out", library / "output",
    )  # fmt: skip


@pytest.mark.parametrize("name", TOML_FILES)
@pytest.mark.parametrize(
    ("damage", "detail"),
    [
        pytest.param(lambda path: path.write_text(DEEP), "nested too deeply", id="deep-nesting"),
        pytest.param(
            lambda path: path.write_bytes(b'name = "\xe9"\n'), "not UTF-8 text", id="latin-1"
        ),
        pytest.param(lambda path: path.mkdir(), "is a folder, not a TOML file", id="folder"),
        pytest.param(
            lambda path: path.symlink_to("/etc/hostname"),
            "a symbolic link to /etc/hostname, outside the leaflet project",
            id="link-out",
        ),
    ],
)
def test_a_damaged_toml_file_is_one_line(library: Path, name: str, damage, detail: str) -> None:
    """Each was a traceback (RecursionError, UnicodeDecodeError), silently ignored
    (a glossary folder) or read from outside the project (a link to /etc)."""
    path = TOML_FILES[name](library)
    if path.exists():
        path.unlink()
    damage(path)
    assert_one_line_error(_check_or_build(library, name), f"{path}: ", detail)


def test_a_deeply_nested_review_file_is_one_line(library: Path) -> None:
    side = library / "locales" / "es" / "LC_MESSAGES" / "alpha.review.toml"
    side.write_text(DEEP, encoding="utf-8")
    for run in (
        polyleaf("--project", library, "check", "--require-reviewed"),
        polyleaf("--project", library, "review", "status", "--leaflet", "alpha", "--locale", "es"),
        polyleaf("--project", library, "locales"),
    ):
        assert "Traceback" not in run.stdout + run.stderr, run
    assert_one_line_error(
        polyleaf("--project", library, "check", "--require-reviewed"),
        "alpha.review.toml",
        "nested too deeply",
    )


@pytest.mark.parametrize(
    ("glossary", "detail"),
    [
        ('keep = ["SPF", ""]', "keep.1: String should have at least 1 character"),
        ('[terms.month]\nen = "month"\nes = ""\nar = "شهر"', "month.es is empty"),
        ('[terms.month]\nen = []\nes = "mes"\nar = "شهر"', "month.en is empty"),
        ('[terms.month]\nen = "month"\nes = ["mes", " "]\nar = "شهر"', "month.es is empty"),
    ],
)
def test_an_empty_glossary_form_is_an_error(library: Path, glossary: str, detail: str) -> None:
    """An empty form is in every text: a term's check was silently off ("1 month"
    could become "1 week"), and an empty kept name failed every message."""
    path = library / "locales" / "glossary.toml"
    path.write_text(glossary + "\n", encoding="utf-8")
    assert_one_line_error(polyleaf("--project", library, "check"), str(path), detail)


# -- leaflet_url patterns --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "detail"),
    [
        ("https://x.example/{leaflet}/{locale}/{edition}.pdf", "{edition} is not allowed"),
        ("https://x.example/{0}/{locale}.pdf", "{0} is not allowed"),
        ("https://x.example/{}/{locale}.pdf", "{} is not allowed"),
        ("https://x.example/{leaflet.__class__}/{locale}", "{leaflet.__class__} is not allowed"),
        ("https://x.example/{locale[0]}/{locale}", "{locale[0]} is not allowed"),
        ("https://x.example/{locale!r}/{locale}", "{locale!r} is not allowed"),
        ("https://x.example/{locale:>999999999}", "{locale:>999999999} is not allowed"),
        ("https://x.example/{locale}/{leaflet", "expected '}' before end of string"),
        ("https://x.example/{locale}/}", "Single '}' encountered"),
    ],
)
def test_a_bad_leaflet_url_names_file_and_key(
    project_copy: Path, pattern: str, detail: str
) -> None:
    profile = project_copy / "clinics" / "riverside.toml"
    text = profile.read_text()
    start = text.index("leaflet_url = ")
    profile.write_text(text[:start] + f"leaflet_url = '{pattern}'\n")
    with pytest.raises(PolyleafError) as raised:
        load_clinic(Project.load(project_copy), "riverside")
    assert str(raised.value).startswith(f"{profile}: leaflet_url: "), raised.value
    assert detail in str(raised.value) and "\n" not in str(raised.value)


def test_a_bad_leaflet_url_is_one_line_in_build_and_batch(
    project_copy: Path, tmp_path: Path
) -> None:
    profile = project_copy / "clinics" / "riverside.toml"
    text = profile.read_text()
    profile.write_text(text.replace("/{locale}.", "/{locale}/{0}."))
    assert "{0}" in profile.read_text()
    where = f"{profile}: leaflet_url: Value error, {{0}} is not allowed"
    run = polyleaf(
        "--project", project_copy, "build", "--clinic", "riverside", "--out", tmp_path / "b"
    )
    assert_one_line_error(run, where)
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "clinic,leaflet,locale,paper,copies\nriverside,isotretinoin-20mg,es,a4,1\n"
        "northgate,isotretinoin-20mg,es,a4,1\n"
    )
    run = polyleaf("--project", project_copy, "batch", orders, "--out", tmp_path / "o")
    assert_one_line_error(run, f"{orders}:2: clinic 'riverside': {where}")
    assert not (tmp_path / "o").exists()


# -- copies that are digits to str.isdigit() but not to the print shop -----------------------


@pytest.mark.parametrize(
    "copies",
    ["²", "٣", "１２", "३", "1²", "+3", "3.0", "1_000", "-1", "0", "100001", "9" * 5000],
)
def test_copies_must_be_ascii_digits(tmp_path: Path, copies: str) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(
        f"clinic,leaflet,locale,paper,copies\ndefault,isotretinoin-20mg,es,a4,{copies}\n",
        encoding="utf-8",
    )
    with pytest.raises(OrdersError) as raised:
        read_orders(Project.load(ROOT), orders)
    shown = repr(copies if len(copies) <= 20 else copies[:20] + "…")
    assert raised.value.problems == [
        f"{orders}:2: copies {shown} is not a whole number from 1 to 100000"
    ]


def test_a_long_cell_is_quoted_shortened(tmp_path: Path) -> None:
    """A 5000-character cell was repeated whole in its row's one line."""
    orders = tmp_path / "orders.csv"
    cells = ["x" * 5000, "y" * 5000, "z" * 5000, "a4" * 2500, "9" * 5000]
    orders.write_text(",".join(COLUMNS) + "\n" + ",".join(cells) + "\n", encoding="utf-8")
    with pytest.raises(OrdersError) as raised:
        read_orders(Project.load(ROOT), orders)
    problems = raised.value.problems
    assert [problem.split(" ")[2] for problem in problems] == [
        repr("x" * 20 + "…"),
        repr("y" * 20 + "…"),
        repr("z" * 20 + "…"),
        repr("a4" * 10 + "…"),
        repr("9" * 20 + "…"),
    ]
    assert all(len(problem) < len(str(orders)) + 400 for problem in problems), problems


def test_copies_with_leading_zeros_are_the_number(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(
        f"clinic,leaflet,locale,paper,copies\ndefault,isotretinoin-20mg,es,a4,{'0' * 5000}2\n",
        encoding="utf-8",
    )
    assert [order.copies for order in read_orders(Project.load(ROOT), orders)] == [2]


def test_copies_unicode_digit_from_the_command_line(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "clinic,leaflet,locale,paper,copies\ndefault,isotretinoin-20mg,es,a4,²\n", encoding="utf-8"
    )
    run = polyleaf("batch", orders, "--out", tmp_path / "out")
    assert_one_line_error(run, f"{orders}:2: copies '²' is not a whole number")


# -- --out that cannot be written ------------------------------------------------------------


@pytest.mark.parametrize("command", ["build", "batch"])
def test_out_naming_a_file(tmp_path: Path, command: str) -> None:
    file = tmp_path / "taken.pdf"
    file.write_bytes(b"not a folder")
    args = ["build", "--locale", "en"] if command == "build" else ["batch", _orders(tmp_path)]
    run = polyleaf(*args, "--out", file)
    assert_one_line_error(run, f"output folder {file} is a file; name a folder with --out DIR")
    assert file.read_bytes() == b"not a folder"


@pytest.mark.parametrize("command", ["build", "batch"])
def test_out_under_a_file(tmp_path: Path, command: str) -> None:
    file = tmp_path / "taken"
    file.write_bytes(b"")
    args = ["build", "--locale", "en"] if command == "build" else ["batch", _orders(tmp_path)]
    run = polyleaf(*args, "--out", file / "sub" / "out")
    assert_one_line_error(
        run, f"cannot write to output folder {file / 'sub' / 'out'}: Not a directory"
    )


def _orders(tmp_path: Path, rows: str = "default,isotretinoin-20mg,en,a4,2\n") -> Path:
    orders = tmp_path / "orders.csv"
    orders.write_text("clinic,leaflet,locale,paper,copies\n" + rows)
    return orders


def _read_only(*_args: object, **_kwargs: object) -> None:
    raise OSError(errno.EROFS, "Read-only file system")


@pytest.mark.parametrize("command", ["build", "batch"])
def test_out_on_a_read_only_file_system(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    # root may write into a chmod 555 folder, so the file system's refusal is simulated
    monkeypatch.setattr(atomic.tempfile, "mkstemp", _read_only)
    out = tmp_path / "out"
    args = ["build", "--locale", "en"] if command == "build" else ["batch", str(_orders(tmp_path))]
    result = CliRunner().invoke(cli.main, ["--project", str(ROOT), *args, "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        f"polyleaf: error: cannot write to output folder {out}: Read-only file system; "
        "name another with --out DIR"
    ]


@pytest.mark.skipif(atomic.os.geteuid() == 0, reason="root writes into read-only folders")
def test_out_in_a_read_only_folder(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o555)
    run = polyleaf("build", "--locale", "en", "--out", folder)
    assert_one_line_error(run, f"cannot write to output folder {folder}: Permission denied")


def _disk_full(*_args: object, **_kwargs: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_disk_full_while_writing_a_leaflet(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import weasyprint

    monkeypatch.setattr(weasyprint.Document, "write_pdf", _disk_full)
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli.main,
        ["--project", str(ROOT), "build", "--locale", "en", "--jobs", "1", "--out", str(out)],
    )
    assert result.exit_code == 1, result.output
    target = out / "isotretinoin-20mg" / "en" / "isotretinoin-20mg-en-a4.pdf"
    assert (
        f"isotretinoin-20mg en a4: cannot write {target}: No space left on device" in result.output
    )
    assert "Traceback" not in result.output and not target.exists()
    no_partial_files(out)


# -- a file where a folder belongs, a folder where a file belongs ---------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--project", "{file}", "check"), "is a file, not a leaflet project"),
        (("--project", "{missing}", "check"), "no polyleaf.toml here"),
        (("--project", "{library}", "batch", "{folder}"), "cannot read orders"),
        (("--project", "{library}", "i18n", "import", "{folder}"), "Is a directory"),
        (
            ("--project", "{library}", "i18n", "export", "--leaflet", "alpha", "--locale", "es",
             "--out", "{folder}"),
            "is a folder; name the file to write",
        ),
        (("--project", "{library}", "serve", "--cache", "{file}"),
         "is a file; name a folder with --cache DIR"),
        (("--project", "{library}", "serve", "--cache", "{file}/sub"),
         "Not a directory; name another with --cache DIR"),
    ],
)  # fmt: skip
def test_a_path_of_the_wrong_kind_is_one_line_not_a_usage_error(
    library: Path, tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    """click's file_okay/dir_okay checks exited 2 with a usage message."""
    (tmp_path / "a-file").write_text("x")
    (tmp_path / "a-folder").mkdir()
    names = {
        "file": tmp_path / "a-file",
        "missing": tmp_path / "missing",
        "folder": tmp_path / "a-folder",
        "library": library,
    }
    assert_one_line_error(polyleaf(*(arg.format(**names) for arg in args)), expected)


# -- the text-layer stage (item 7) -----------------------------------------------------------


def test_a_line_the_text_layer_cannot_map_fails_the_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from polyleaf import textlayer
    from polyleaf.build import Builder, Job

    monkeypatch.setattr(textlayer, "_plan_run", lambda *_args: None)  # as for a split cluster
    outcome = Builder(Project.load(ROOT)).build(
        Job("isotretinoin-20mg", "hi"), tmp_path, force=True
    )
    assert not outcome.ok
    assert outcome.error.startswith("text layer: cannot map the glyphs of '"), outcome.error
    assert "back to their letters" in outcome.error and "\n" not in outcome.error
    assert not list(tmp_path.rglob("*.pdf"))
    no_partial_files(tmp_path)


# -- symbolic links out of the project (item 2) ----------------------------------------------


def _outside(tmp_path: Path, name: str, text: str) -> Path:
    target = tmp_path / "elsewhere" / name
    target.parent.mkdir(exist_ok=True)
    target.write_text(text)
    return target


def test_a_stylesheet_linked_from_outside_is_refused(project_copy: Path, tmp_path: Path) -> None:
    from polyleaf.project import LAYOUTS

    css = project_copy / "templates" / "leaflet.css"  # the project's own stylesheet, a link out
    outside = _outside(tmp_path, "leaflet.css", (LAYOUTS / "leaflet.css").read_text())
    css.symlink_to(outside)
    for args in (["--out", tmp_path / "pdf"], ["--format", "html", "--out", tmp_path / "html"]):
        run = polyleaf("--project", project_copy, "build", "--locale", "en", *args)
        assert_one_line_error(
            run, f"{css}: a symbolic link to {outside}, outside the leaflet project"
        )
    assert not list(tmp_path.glob("pdf/**/*.pdf")) and not list(tmp_path.glob("html/**/*.*"))


def test_export_never_copies_a_link_target_from_outside(project_copy: Path, tmp_path: Path) -> None:
    secret = _outside(tmp_path, "secret.txt", "SECRET from outside the project")
    folder = tmp_path / "elsewhere"
    (project_copy / "templates" / "notes.txt").symlink_to(secret)
    (project_copy / "templates" / "shared").symlink_to(folder, target_is_directory=True)
    out = tmp_path / "html"
    run = polyleaf(
        "--project", project_copy, "build", "--locale", "en", "--format", "html", "--out", out
    )
    assert_one_line_error(run, "a symbolic link to", "outside the leaflet project")
    copied = [p for p in out.rglob("*") if p.is_file()] if out.exists() else []
    assert not any("SECRET" in p.read_text(errors="replace") for p in copied)


def test_a_template_linked_from_outside_is_refused(project_copy: Path, tmp_path: Path) -> None:
    from polyleaf.html import Renderer
    from polyleaf.project import LAYOUTS

    base = project_copy / "templates" / "base.html"  # a project's own layout, as a link out
    outside = _outside(tmp_path, "base.html", (LAYOUTS / "base.html").read_text())
    base.symlink_to(outside)
    with pytest.raises(PolyleafError) as raised:
        Renderer(Project.load(project_copy)).check_templates()
    assert str(raised.value) == (
        f"{base}: a symbolic link to {outside}, outside the leaflet project; "
        "copy the file into the project instead"
    )


def test_the_fetcher_and_the_fingerprint_refuse_links_out(
    project_copy: Path, tmp_path: Path
) -> None:
    from polyleaf import fingerprint
    from polyleaf.pdf import ProjectFetcher, RefusedURL

    link = project_copy / "clinics" / "logo.svg"
    link.symlink_to(_outside(tmp_path, "logo.svg", "<svg/>"))
    with pytest.raises(RefusedURL, match="outside the leaflet project"):
        ProjectFetcher(project_copy).fetch(link.as_uri())
    with pytest.raises(PolyleafError, match=f"{link}: a symbolic link to .*, outside"):
        fingerprint.fingerprint(project_copy, {}, [project_copy / "polyleaf.toml", link])


def test_a_link_inside_the_project_is_fine(project_copy: Path, tmp_path: Path) -> None:
    from polyleaf.project import LAYOUTS

    css = project_copy / "templates" / "leaflet.css"
    moved = project_copy / "clinics" / "leaflet.css"
    moved.write_text((LAYOUTS / "leaflet.css").read_text())
    css.symlink_to(Path("..") / "clinics" / "leaflet.css")
    run = polyleaf("--project", project_copy, "build", "--locale", "en", "--out", tmp_path)
    assert run.code == 0, run.stderr


@pytest.mark.parametrize("name", ["isotretinoin-20mg.po", "isotretinoin-20mg.review.toml"])
def test_a_catalog_or_review_file_linked_from_outside_is_refused(
    project_copy: Path, tmp_path: Path, name: str
) -> None:
    """check, review and build all refuse it, in one line, and print nothing of it."""
    outside = tmp_path / "outside.txt"
    outside.write_text('secret = "SECRET-CONTENT"\nmsgid "SECRET-CONTENT"\nmsgstr ""\n')
    link = project_copy / "locales" / "es" / "LC_MESSAGES" / name
    link.unlink(missing_ok=True)
    link.symlink_to(outside)
    where = f"locales/es/LC_MESSAGES/{name} · a symbolic link to"
    run = polyleaf("--project", project_copy, "check", "--leaflet", "isotretinoin-20mg")
    assert run.code == 1 and where in run.stdout and "SECRET" not in run.stdout + run.stderr
    run = polyleaf(
        "--project", project_copy, "review", "status",
        "--leaflet", "isotretinoin-20mg", "--locale", "es",
    )  # fmt: skip
    assert_one_line_error(run, "a symbolic link to", "outside the leaflet project")
    assert "SECRET" not in run.stdout + run.stderr
    out = tmp_path / "out"
    run = polyleaf("--project", project_copy, "build", "--locale", "es", "--out", out)
    assert run.code == 1 and not list((out / "isotretinoin-20mg").rglob("*.pdf"))
    assert list((out / "isotretinoin-reminder-card").rglob("*.pdf"))  # the other leaflet builds
