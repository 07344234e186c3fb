"""Review and agency exchange on a copy of the real project, through every front:
the commands, the page furniture, production mode on build, batch, check and serve."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from conftest import CARD, LEAFLET, polyleaf
from polyleaf import review
from polyleaf.build import Builder, Job
from polyleaf.html import Renderer
from polyleaf.library import STATUSES, Library
from polyleaf.project import Project

REVIEWER = "Dr Ana Ruiz, certified medical translator"
ES = Path("locales") / "es" / "LC_MESSAGES" / f"{LEAFLET}.po"
PREGNANT = "Si usted puede quedar embarazada,"


def sign(project: Path, *messages: str, by: str = REVIEWER):
    return polyleaf(
        "--project", project, "review", "sign", "--leaflet", LEAFLET, "--locale", "es",
        "--by", by, *messages,
    )  # fmt: skip


def check(project: Path):
    return polyleaf(
        "--project", project, "check", "--require-reviewed", "--leaflet", LEAFLET, "--locale", "es"
    )


def edit_one_word(project: Path) -> None:
    path = project / ES
    text = path.read_text(encoding="utf-8")
    assert PREGNANT in text
    path.write_text(text.replace(PREGNANT, "Si usted puede quedar embarazadas,", 1), "utf-8")


def furniture(project: Path, locale: str = "es") -> list[str]:
    """The page furniture of the leaflet's HTML: the CSS content of the margin boxes."""
    loaded = Project.load(project)
    html = Renderer(loaded).render(LEAFLET, loaded.find_locale(locale))
    return re.findall(r'content: "([^"]*)"', html)


def test_one_vocabulary_for_every_front() -> None:
    assert set(STATUSES) == {"source"} | {status.value for status in review.Status}


def test_sign_makes_check_pass_and_one_changed_word_fails_it(project_copy: Path) -> None:
    run = check(project_copy)
    assert run.code == 1
    assert f"{LEAFLET} · es · - · - · {ES.as_posix()} · draft: none of" in run.stdout
    run = sign(project_copy)
    assert run.code == 0, run.stderr
    assert f"{LEAFLET} · es · reviewed by {REVIEWER} on {date.today()}" in run.stdout
    assert (project_copy / ES).with_name(f"{LEAFLET}.review.toml").is_file()
    run = check(project_copy)
    assert run.code == 0, run.stdout
    edit_one_word(project_copy)
    run = check(project_copy)
    assert run.code == 1
    [line] = [line for line in run.stdout.splitlines() if "not reviewed" in line]
    assert line.startswith(f"error: {LEAFLET} · es · important-safety-information · 'If you can")
    assert f"{ES.as_posix()}:" in line and line.endswith(")")
    assert "not reviewed: translation changed" in line


def test_the_footer_follows_the_review(project_copy: Path) -> None:
    draft = "Traducción en borrador, aún no revisada por un traductor médico calificado"
    assert draft in furniture(project_copy)
    assert sign(project_copy).code == 0
    signed = furniture(project_copy)
    assert draft not in signed
    day = f"{date.today().day} de"
    assert any(box.startswith(f"Traducción revisada por {REVIEWER} el {day}") for box in signed), (
        signed
    )
    edit_one_word(project_copy)
    total = len(Library(Project.load(project_copy)).status(LEAFLET, Project.load(project_copy)
                .find_locale("es")).review.messages)  # fmt: skip
    partly = f"Traducción en borrador: {total - 1} de {total} textos revisados"
    assert any(box.startswith(partly) for box in furniture(project_copy))


def test_the_spanish_pdf_loses_its_draft_notice_and_gets_it_back(
    project_copy: Path, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    def notice() -> bool:
        run = polyleaf(
            "--project", project_copy, "build", "--leaflet", LEAFLET, "--locale", "es",
            "--jobs", "1", "--out", tmp_path,
        )  # fmt: skip
        assert run.code == 0, run.stderr
        [pdf] = (tmp_path / LEAFLET / "es").glob("*.pdf")
        text = " ".join(" ".join(page.extract_text().split()) for page in PdfReader(pdf).pages)
        return "Traducción en borrador" in text

    assert sign(project_copy).code == 0
    assert not notice()  # the sign-off is an input: the PDF is rendered again
    edit_one_word(project_copy)
    assert notice()


def test_the_translator_cannot_sign(project_copy: Path) -> None:
    path = project_copy / ES
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace("Last-Translator: draft, not yet reviewed", "Last-Translator: Ana Ruiz <a@x>"),
        "utf-8",
    )
    run = sign(project_copy)
    assert run.code == 1
    assert run.stderr.count("\n") == 1 and "this catalog's translator" in run.stderr


def test_nothing_is_signed_while_the_gate_fails(project_copy: Path) -> None:
    path = project_copy / ES
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("(SPF 30", "(SPF 15", 1), "utf-8")
    run = sign(project_copy)
    assert run.code == 1 and "blocked by the gate" in run.stderr and "fix it first" in run.stderr
    assert not path.with_name(f"{LEAFLET}.review.toml").exists()


def test_status_and_diff_name_each_changed_message(project_copy: Path) -> None:
    args = ("--project", project_copy, "review")
    where = ("--leaflet", LEAFLET, "--locale", "es")
    sign(project_copy, "sunscreen")
    run = polyleaf(*args, "status", *where)
    assert run.code == 0
    assert run.stdout.startswith(f"{LEAFLET} · es · partly reviewed: ")
    edit = project_copy / ES
    edit.write_text(
        edit.read_text("utf-8").replace("Aplíquese siempre", "Aplique siempre", 1), "utf-8"
    )
    run = polyleaf(*args, "diff", *where)
    assert run.code == 0
    lines = run.stdout.splitlines()
    assert lines[0].startswith("sunscreen · ") and "translation changed" in lines[0]
    assert "[-Aplíquese-]{+Aplique+} siempre" in lines[2]
    status = polyleaf(*args, "status", *where).stdout
    changed = lines[0].split(" · ")[1]
    assert f"  {changed} · sunscreen · translation changed · " in status
    run = polyleaf(*args, "sign", *where, "--by", REVIEWER, changed)
    assert run.code == 0 and "signed 1 messages" in run.stdout
    assert polyleaf(*args, "diff", *where).stdout == ""


def test_locales_shows_the_review(project_copy: Path) -> None:
    sign(project_copy, "sunscreen")
    run = polyleaf("--project", project_copy, "locales", "--leaflet", LEAFLET)
    row = next(line for line in run.stdout.splitlines() if " es " in line)
    assert "partly reviewed: " in row and " messages" in row


def test_export_then_import_changes_no_catalog(project_copy: Path, tmp_path: Path) -> None:
    before = {p: p.read_bytes() for p in (project_copy / "locales").rglob("*.po")}
    out = tmp_path / "es.xlf"
    run = polyleaf(
        "--project", project_copy, "i18n", "export", "--format", "xliff", "--leaflet", LEAFLET,
        "--locale", "es", "--out", out,
    )  # fmt: skip
    assert run.code == 0, run.stderr
    assert f'original="{ES.as_posix()}"' in out.read_text("utf-8")
    run = polyleaf("--project", project_copy, "i18n", "import", out)
    assert run.code == 0, run.stderr
    assert "already says what" in run.stdout
    assert {p: p.read_bytes() for p in (project_copy / "locales").rglob("*.po")} == before


def test_an_xliff_whose_spf_30_became_15_is_refused(project_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "es.xlf"
    polyleaf(
        "--project", project_copy, "i18n", "export", "--leaflet", LEAFLET, "--locale", "es",
        "--out", out,
    )  # fmt: skip
    text = out.read_text("utf-8")
    target = re.search(r"<target[^>]*>[^<]*\(SPF 30", text)
    assert target
    out.write_text(text.replace(target.group(0), target.group(0).replace("30", "15")), "utf-8")
    before = (project_copy / ES).read_bytes()
    run = polyleaf("--project", project_copy, "i18n", "import", out)
    assert run.code == 1
    assert (
        "sunscreen · " in run.stderr and "numbers differ: English has 30, file has 15" in run.stderr
    )
    assert "nothing imported" in run.stderr
    assert (project_copy / ES).read_bytes() == before


def test_an_import_the_gate_refuses_writes_nothing(project_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "es.xlf"
    polyleaf(
        "--project", project_copy, "i18n", "export", "--leaflet", LEAFLET, "--locale", "es",
        "--out", out,
    )  # fmt: skip
    text = out.read_text("utf-8")
    out.write_text(text.replace("isotretinoína", "Accutane x", 1), "utf-8")
    before = (project_copy / ES).read_bytes()
    run = polyleaf("--project", project_copy, "i18n", "import", out)
    assert run.code == 1 and "· gate · " in run.stderr and "glossary" in run.stderr
    assert (project_copy / ES).read_bytes() == before


def test_tmx_export_uses_bcp47(project_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "zh.tmx"
    run = polyleaf(
        "--project", project_copy, "i18n", "export", "--format", "tmx", "--leaflet", CARD,
        "--locale", "zh_Hans", "--out", out,
    )  # fmt: skip
    assert run.code == 0, run.stderr
    assert 'xml:lang="zh-Hans"' in out.read_text("utf-8")


def test_build_refuses_unreviewed_documents_one_line_each(project_copy: Path, tmp_path) -> None:
    args = ("--project", project_copy, "build", "--format", "html", "--out", tmp_path)
    run = polyleaf(*args, "--locale", "es", "--locale", "de", "--require-reviewed")
    assert run.code == 1
    refused = [line for line in run.stderr.splitlines() if line.startswith("REFUSED")]
    assert len(refused) == 4  # two leaflets x two locales
    assert any(f"{LEAFLET} · es · not reviewed (draft)" in line for line in refused)
    sign(project_copy)
    run = polyleaf(*args, "--locale", "es", "--leaflet", LEAFLET, "--require-reviewed")
    assert run.code == 0, run.stderr
    assert (tmp_path / LEAFLET / "es").is_dir()


def test_require_reviewed_in_the_project_file(project_copy: Path, tmp_path: Path) -> None:
    config = project_copy / "polyleaf.toml"
    text = config.read_text("utf-8")
    assert "require_reviewed" not in text
    config.write_text("require_reviewed = true\n" + text, "utf-8")
    run = polyleaf(
        "--project", project_copy, "build", "--format", "html", "--out", tmp_path,
        "--leaflet", LEAFLET, "--locale", "es",
    )  # fmt: skip
    assert run.code == 1 and "REFUSED" in run.stderr
    assert check(project_copy).code == 1


def test_batch_refuses_unreviewed_rows_before_rendering(project_copy: Path, tmp_path) -> None:
    orders = tmp_path / "orders.csv"
    orders.write_text(
        f"clinic,leaflet,locale,paper,copies\ndefault,{LEAFLET},en,a4,2\ndefault,{LEAFLET},es,a4,3\n"
    )
    out = tmp_path / "run"
    run = polyleaf(
        "--project", project_copy, "batch", orders, "--require-reviewed", "--out", out
    )  # fmt: skip
    assert run.code == 1
    assert f"{orders}:3: {LEAFLET} · es · not reviewed (draft)" in run.stderr
    assert f"{orders}:2" not in run.stderr
    assert not out.exists()


def test_the_desk_in_production_offers_only_reviewed_documents(
    project_copy: Path, tmp_path
) -> None:
    pytest.importorskip("fastapi")
    from polyleaf.web.api import Edition
    from polyleaf.web.app import FrontDesk, Settings
    from polyleaf.web.errors import ApiError

    assert sign(project_copy).code == 0
    desk = FrontDesk(Settings(project=project_copy, out=tmp_path, require_reviewed=True))
    entries = desk.entries[LEAFLET]
    assert entries["es"].available and entries["es"].status == "reviewed"
    assert entries["en"].available
    assert not entries["de"].available and "not reviewed (draft)" in entries["de"].reason
    with pytest.raises(ApiError) as refused:
        desk.job_for(LEAFLET, "de", Edition())
    assert refused.value.status == 409 and "es" in refused.value.available


def test_a_sign_off_is_an_input_of_the_document(project_copy: Path) -> None:
    project = Project.load(project_copy)
    job = Job(LEAFLET, "es")
    before = Builder(project).inputs(job)
    assert sign(project_copy, "sunscreen").code == 0
    assert Builder(project).inputs(job) != before


def test_the_batch_manifest_says_each_documents_status(project_copy: Path, tmp_path) -> None:
    import json

    sign(project_copy)
    orders = tmp_path / "orders.csv"
    orders.write_text(
        "clinic,leaflet,locale,paper,copies\n"
        f"default,{LEAFLET},en,a4,1\ndefault,{LEAFLET},es,a4,1\ndefault,{LEAFLET},de,a4,1\n"
    )
    run = polyleaf(
        "--project", project_copy, "batch", orders, "--jobs", "1", "--out", tmp_path / "run"
    )
    assert run.code == 0, run.stderr
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())["files"]
    statuses = {f["locale"]: f["status"] for f in manifest if f["kind"] == "leaflet"}
    assert statuses == {"en": "source", "es": "reviewed", "de": "draft"}
