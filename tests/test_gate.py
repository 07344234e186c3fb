"""The safety gate: every locale complete, and every kind of damage caught."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.catalog import Message

from conftest import polyleaf, translated_locales
from polyleaf.catalogs import extract_messages, read_catalog, write_catalog
from polyleaf.gate import Gate, numbers
from polyleaf.locales import LocaleInfo
from polyleaf.project import Project

TRANSLATED = translated_locales()
ids = [locale.tag for locale in TRANSLATED]


@pytest.mark.parametrize("locale", TRANSLATED, ids=ids)
def test_every_required_section_is_complete(project: Project, locale: LocaleInfo) -> None:
    catalog = read_catalog(project.catalog_path(locale), locale=locale.folder)
    source = extract_messages(project)
    for section in project.section_contexts():
        keys = [key for key in source if key[0] == section]
        assert keys, f"section {section} has no messages in the templates"
        for context, msgid in keys:
            message = catalog.get(msgid, context=context)
            assert message is not None, f"{locale.tag} · {section}: {msgid!r} missing"
            assert message.string and not message.fuzzy, f"{locale.tag} · {section}: {msgid!r}"
            assert message.string != msgid, f"{locale.tag} · {section}: {msgid!r} left in English"


@pytest.mark.parametrize("locale", TRANSLATED, ids=ids)
def test_gate_passes(project: Project, locale: LocaleInfo) -> None:
    assert Gate(project).errors(locale) == []


def test_check_command_passes() -> None:
    run = polyleaf("check")
    assert run.code == 0, run.stdout + run.stderr
    assert "0 errors" in run.stderr


def test_numbers_compare_values_across_digit_systems() -> None:
    assert numbers("SPF 30, 15 to 20 weeks") == numbers("٣٠ SPF، ١٥ إلى ٢٠ أسبوعًا")
    assert numbers("SPF 30") == numbers("SPF ۳۰")  # Persian digits
    assert numbers("SPF 30") != numbers("SPF 15")
    assert numbers("Page %(page)s of %(pages)s") == numbers("Página %(page)s")


# -- damage one message of a copied project and expect the gate to name it ----

Damage = Callable[[Message], None]


def _remove(message: Message) -> None:
    raise LookupError  # handled by damage(): the entry is deleted


def _empty(message: Message) -> None:
    message.string = ""


def _fuzzy(message: Message) -> None:
    message.flags.add("fuzzy")


def _english(message: Message) -> None:
    message.string = message.id


def _extra_number(message: Message) -> None:
    message.string = f"{message.string} 7"


DAMAGE: dict[str, tuple[Damage, str]] = {
    "missing": (_remove, "missing from the catalog"),
    "empty": (_empty, "empty translation"),
    "fuzzy": (_fuzzy, "fuzzy"),
    "english": (_english, "identical to the English"),
    "number": (_extra_number, "numbers differ"),
}


def damage(root: Path, locale: LocaleInfo, context: str | None, msgid: str, how: Damage) -> int:
    """Apply *how* to one entry of the copied catalog; returns its line number."""
    path = root / "locales" / locale.folder / "LC_MESSAGES" / "messages.po"
    catalog = read_catalog(path, locale=locale.folder)
    message = catalog.get(msgid, context=context)
    assert message is not None
    try:
        how(message)
    except LookupError:
        catalog.delete(msgid, context=context)
    write_catalog(path, catalog)
    changed = read_catalog(path, locale=locale.folder).get(msgid, context=context)
    return changed.lineno if changed else 0


SECTIONS = sorted(Project.load(Path(__file__).parent.parent).section_contexts().items())


@pytest.mark.parametrize("locale", TRANSLATED, ids=ids)
@pytest.mark.parametrize("kind", sorted(DAMAGE))
@pytest.mark.parametrize("section", SECTIONS, ids=[s[0] for s in SECTIONS])
def test_damaged_safety_message_fails_the_gate(
    project_copy: Path, locale: LocaleInfo, kind: str, section: tuple[str, str]
) -> None:
    section_id, heading = section
    how, problem = DAMAGE[kind]
    line = damage(project_copy, locale, section_id, heading, how)
    copy = Project.load(project_copy)
    errors = Gate(copy).errors(copy.find_locale(locale.folder))
    hits = [f for f in errors if f.section == section_id and problem in f.problem]
    assert hits, errors
    finding = hits[0]
    assert finding.locale == locale.tag
    expected_where = (
        f"locales/{locale.folder}/LC_MESSAGES/messages.po:{line}"
        if line
        else "templates/isotretinoin-20mg.html:"
    )
    assert finding.where.startswith(expected_where)


def test_check_output_names_locale_section_message_and_line(project_copy: Path) -> None:
    locale = Project.load(project_copy).find_locale("ar")
    source = "Your skin becomes more sensitive to UV rays while on Isotretinoin."
    msgid = next(
        k[1] for k in extract_messages(Project.load(project_copy)) if k[1].startswith(source)
    )

    def spf_15(message: Message) -> None:
        message.string = message.string.replace("30", "15")

    line = damage(project_copy, locale, "sunscreen", msgid, spf_15)
    run = polyleaf("--project", project_copy, "check")
    assert run.code == 1
    lines = [ln for ln in run.stdout.splitlines() if ln.startswith("error:")]
    assert lines == [
        f"error: ar · sunscreen · {msgid[:59]!r}"[:-1] + "…' · "
        f"locales/ar/LC_MESSAGES/messages.po:{line} · "
        "numbers differ: English has 30, translation has 15"
    ]


def test_native_digits_count_as_the_same_number(project_copy: Path) -> None:
    locale = Project.load(project_copy).find_locale("ar")
    source = extract_messages(Project.load(project_copy))
    msgid = next(k[1] for k in source if k[0] == "sunscreen" and "SPF" in k[1])

    def arabic_indic(message: Message) -> None:
        message.string = message.string.replace("30", "٣٠")

    damage(project_copy, locale, "sunscreen", msgid, arabic_indic)
    copy = Project.load(project_copy)
    assert Gate(copy).errors(copy.find_locale("ar")) == []


def test_changed_placeholder_fails(project_copy: Path) -> None:
    locale = Project.load(project_copy).find_locale("es")

    def misspelt(message: Message) -> None:
        message.string = message.string.replace("%(pages)s", "%(page)s")

    damage(project_copy, locale, None, "Page %(page)s of %(pages)s", misspelt)
    run = polyleaf("--project", project_copy, "check")
    assert run.code == 1
    assert (
        "es · - · 'Page %(page)s of %(pages)s' · locales/es/LC_MESSAGES/messages.po:" in run.stdout
    )
    assert "placeholders differ" in run.stdout


def test_stray_percent_fails(project_copy: Path) -> None:
    locale = Project.load(project_copy).find_locale("es")

    def percent(message: Message) -> None:
        message.string += " 100%"

    damage(project_copy, locale, "alcohol", "Avoid Alcohol", percent)
    copy = Project.load(project_copy)
    problems = [f.problem for f in Gate(copy).errors(copy.find_locale("es"))]
    assert any("'%' outside a placeholder" in p for p in problems), problems


def test_section_removed_from_template_fails(project_copy: Path) -> None:
    template = project_copy / "templates" / "isotretinoin-20mg.html"
    text = template.read_text()
    start = text.index('<li id="alcohol">')
    end = text.index("</li>", start) + len("</li>")
    template.write_text(text[:start] + text[end:])
    run = polyleaf("--project", project_copy, "check")
    assert run.code == 1
    assert (
        "en · alcohol · 'Avoid Alcohol' · templates/ · required section has no messages"
        in run.stdout
    )


def test_changed_english_makes_catalogs_out_of_date(project_copy: Path) -> None:
    template = project_copy / "templates" / "isotretinoin-20mg.html"
    template.write_text(template.read_text().replace("SPF 30 or higher", "SPF 50 or higher"))
    run = polyleaf("--project", project_copy, "check")
    assert run.code == 1
    assert "missing in messages.pot; run polyleaf i18n extract" in run.stdout
    assert "es · sunscreen · " in run.stdout and "missing from the catalog" in run.stdout
    assert "stale: not in the templates any more" in run.stdout


def test_build_skips_only_the_failing_locale(project_copy: Path, tmp_path: Path) -> None:
    locale = Project.load(project_copy).find_locale("es")
    damage(project_copy, locale, "pregnancy-warning", "Pregnancy Warning", _fuzzy)
    out = tmp_path / "out"
    run = polyleaf(
        "--project", project_copy, "build", "--locale", "es", "--locale", "en", "--out", out
    )
    assert run.code == 1
    assert "es · pregnancy-warning · 'Pregnancy Warning'" in run.stderr
    assert (out / "isotretinoin-20mg" / "en" / "isotretinoin-20mg-en-a4.pdf").is_file()
    assert not (out / "isotretinoin-20mg" / "es").exists() or not any(
        (out / "isotretinoin-20mg" / "es").iterdir()
    )
