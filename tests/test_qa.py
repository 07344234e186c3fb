"""Translation QA in the gate: glossary, English left over, font coverage, sync."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Message

from conftest import CARD, LEAFLET, polyleaf
from polyleaf import i18n
from polyleaf.catalogs import catalog_differences, read_catalog
from polyleaf.gate import Finding, Gate, english_grams, english_runs
from polyleaf.project import Project
from test_gate import damage

BRANDS = "Isotretinoin is available under various brand names, such as Accutane, Isotroin, Tretiva, and Sotret, but they all contain the same active ingredient. The 20mg dosage is often prescribed for moderate to severe acne or as part of a stepped-up treatment plan."  # noqa: E501
SUNSCREEN = "Your skin becomes more sensitive to UV rays while on Isotretinoin. Always apply sunscreen (SPF 30 or higher) before stepping outdoors."  # noqa: E501


def errors_after(root: Path, tag: str, context: str | None, msgid: str, edit) -> list[Finding]:  # noqa: ANN001
    project = Project.load(root)
    locale = project.find_locale(tag)
    damage(root, locale, context, msgid, edit)
    copy = Project.load(root)
    return Gate(copy).errors(LEAFLET, copy.find_locale(tag))


def test_brand_name_must_stay_as_written(project_copy: Path) -> None:
    def rename(message: Message) -> None:
        message.string = message.string.replace("Accutane", "Akutan")

    errors = errors_after(project_copy, "es", None, BRANDS, rename)
    assert [(f.locale, f.problem) for f in errors] == [
        ("es", "glossary: keep 'Accutane' as written")
    ]
    assert errors[0].where.startswith(f"locales/es/LC_MESSAGES/{LEAFLET}.po:")


@pytest.mark.parametrize("tag", ["ru", "tr", "zh-Hans"])
def test_medicine_must_keep_its_local_name(project_copy: Path, tag: str) -> None:
    project = Project.load(project_copy)
    local = project.glossary.terms["isotretinoin"][project.find_locale(tag).folder]

    def drop_name(message: Message) -> None:
        import re

        message.string = re.sub(re.escape(local), "X", message.string, flags=re.IGNORECASE)

    errors = errors_after(project_copy, tag, "sunscreen", SUNSCREEN, drop_name)
    assert any(
        f.section == "sunscreen" and f.problem == f"glossary: 'isotretinoin' is {local!r} in {tag}"
        for f in errors
    ), errors


BLOOD = "Do not donate blood while you take isotretinoin and for at least 1 month after you stop."


@pytest.mark.parametrize("tag", ["ar", "de", "hi", "ko", "tr", "zh-Hans"])
def test_one_month_turned_into_one_week_fails(project_copy: Path, tag: str) -> None:
    """Same number, other unit: the numbers check cannot see it, the glossary can."""
    project = Project.load(project_copy)
    folder = project.find_locale(tag).folder
    months, week = project.glossary.terms["month"][folder], project.glossary.terms["week"][folder]

    def month_to_week(message: Message) -> None:
        for month in [months] if isinstance(months, str) else months:
            message.string = message.string.replace(month, week)

    errors = errors_after(project_copy, tag, "important-safety-information", BLOOD, month_to_week)
    assert [(f.section, f.problem) for f in errors] == [
        ("important-safety-information", f"glossary: 'month' is {_said(months)} in {tag}")
    ], errors


def _said(forms: str | list[str]) -> str:
    return " or ".join(repr(form) for form in ([forms] if isinstance(forms, str) else forms))


def test_english_sentence_left_in_a_translation(project_copy: Path) -> None:
    def half_english(message: Message) -> None:
        message.string = "Ne partagez jamais. Do not adjust the dose on your own."

    errors = errors_after(
        project_copy,
        "fr",
        "never-share-dose",
        "Never share your medication with others.",
        half_english,
    )
    assert any(
        f.section == "never-share-dose" and "English left in the translation" in f.problem
        for f in errors
    ), errors


def test_english_runs_ignore_kept_names() -> None:
    keep = ["Accutane", "Isotroin", "Tretiva", "Sotret"]
    grams = english_grams([BRANDS, "Do not adjust the dose"], keep)
    assert english_runs("Marcas: Accutane, Isotroin, Tretiva, and Sotret.", grams, keep) == []
    assert english_runs("Bitte: do not adjust the dose", grams, keep) == [
        "do not adjust the",
        "not adjust the dose",
    ]


@pytest.mark.parametrize(("tag", "char"), [("es", "ก"), ("ar", "ㄱ"), ("hi", "ক")])
def test_character_the_fonts_cannot_draw(project_copy: Path, tag: str, char: str) -> None:
    def add_char(message: Message) -> None:
        message.string += char

    errors = errors_after(project_copy, tag, "alcohol", "Avoid Alcohol", add_char)
    expected = f"U+{ord(char):04X} {char!r}"
    assert any(f.section == "alcohol" and f.problem.startswith(expected) for f in errors), errors


@pytest.mark.parametrize("leaflet", [LEAFLET, CARD])
def test_messages_pot_is_what_the_templates_extract(project: Project, leaflet: str) -> None:
    pot = read_catalog(project.pot_path(leaflet))
    extracted = i18n.template_catalog(project, project.leaflet(leaflet))
    assert catalog_differences(pot, extracted) == [], (
        f"locales/{leaflet}.pot is out of date: run polyleaf i18n extract"
    )


def test_update_leaves_catalogs_in_sync_untouched(project_copy: Path) -> None:
    project = Project.load(project_copy)
    before = {path: path.read_bytes() for path in project_copy.glob("locales/*/*/*.po")}
    # by content (catalog_differences), whatever Babel wrote
    assert i18n.update(project, list(project.leaflets.values())) == []
    assert {path: path.read_bytes() for path in before} == before


def test_init_adds_a_draft_catalog_that_fails_until_translated(project_copy: Path) -> None:
    run = polyleaf("--project", project_copy, "i18n", "init", "pt-BR")
    assert run.code == 0, run.stderr
    for leaflet in (LEAFLET, CARD):
        path = project_copy / "locales" / "pt_BR" / "LC_MESSAGES" / f"{leaflet}.po"
        catalog = read_catalog(path)
        assert "polyleaf review sign" in catalog.header_comment
    run = polyleaf("--project", project_copy, "check", "--locale", "pt-BR")
    assert run.code == 1
    assert f"{LEAFLET} · pt-BR · pregnancy-warning · 'Pregnancy Warning'" in run.stdout
    assert f"{CARD} · pt-BR · pregnancy-warning · 'Pregnancy Warning'" in run.stdout
    run = polyleaf("--project", project_copy, "locales")
    assert "pt-BR" in run.stdout and "draft" in run.stdout


def test_update_turns_a_changed_message_fuzzy(project_copy: Path) -> None:
    source = project_copy / "templates" / f"{LEAFLET}.md"
    source.write_text(source.read_text().replace("SPF 30 or higher", "SPF 50 or higher"))
    project = Project.load(project_copy)
    leaflets = list(project.leaflets.values())
    assert i18n.extract(project, leaflets) == [project.pot_path(LEAFLET)]
    assert len(i18n.update(project, leaflets)) == len(project.leaflet_locales(LEAFLET)) - 1
    run = polyleaf("--project", project_copy, "check", "--locale", "es")
    assert run.code == 1
    assert "es · sunscreen · " in run.stdout and "fuzzy" in run.stdout
