"""The safety gate: every locale complete, and every kind of damage caught."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from babel.messages.catalog import Message

from conftest import LEAFLET, polyleaf, translated_locales
from polyleaf.catalogs import leaflet_messages, read_catalog, write_catalog
from polyleaf.gate import Gate, numbers
from polyleaf.locales import LocaleInfo
from polyleaf.project import LAYOUTS, Project

TRANSLATED = translated_locales()
ids = [locale.tag for locale in TRANSLATED]


LEAFLETS = sorted(Project.load(Path(__file__).parent.parent).leaflets)


@pytest.mark.parametrize("leaflet", LEAFLETS)
@pytest.mark.parametrize("locale", TRANSLATED, ids=ids)
def test_every_required_section_is_complete(
    project: Project, locale: LocaleInfo, leaflet: str
) -> None:
    catalog = read_catalog(project.catalog_path(leaflet, locale), locale=locale.folder)
    source = leaflet_messages(project.leaflet(leaflet))
    sections = project.leaflet(leaflet).sections()
    assert sections, f"{leaflet} has no safety sections"
    for section in sections:
        keys = [key for key in source if key[0] == section]
        assert keys, f"section {section} has no messages in {leaflet}"
        for context, msgid in keys:
            message = catalog.get(msgid, context=context)
            assert message is not None, f"{locale.tag} · {section}: {msgid!r} missing"
            assert message.string and not message.fuzzy, f"{locale.tag} · {section}: {msgid!r}"
            assert message.string != msgid, f"{locale.tag} · {section}: {msgid!r} left in English"


@pytest.mark.parametrize("leaflet", LEAFLETS)
@pytest.mark.parametrize("locale", TRANSLATED, ids=ids)
def test_gate_passes(project: Project, locale: LocaleInfo, leaflet: str) -> None:
    assert Gate(project).errors(leaflet, locale) == []


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


def damage(
    root: Path,
    locale: LocaleInfo,
    context: str | None,
    msgid: str,
    how: Damage,
    leaflet: str = LEAFLET,
) -> int:
    """Apply *how* to one entry of the copied catalog; returns its line number."""
    path = root / "locales" / locale.folder / "LC_MESSAGES" / f"{leaflet}.po"
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


SECTIONS = [
    (leaflet.id, section, heading)
    for leaflet in Project.load(Path(__file__).parent.parent).leaflets.values()
    for section, heading in sorted(leaflet.sections().items())
]


@pytest.mark.parametrize("locale", TRANSLATED, ids=ids)
@pytest.mark.parametrize("kind", sorted(DAMAGE))
@pytest.mark.parametrize("section", SECTIONS, ids=[f"{s[0]}:{s[1]}" for s in SECTIONS])
def test_damaged_safety_message_fails_the_gate(
    project_copy: Path, locale: LocaleInfo, kind: str, section: tuple[str, str, str]
) -> None:
    leaflet, section_id, heading = section
    how, problem = DAMAGE[kind]
    line = damage(project_copy, locale, section_id, heading, how, leaflet)
    copy = Project.load(project_copy)
    errors = Gate(copy).errors(leaflet, copy.find_locale(locale.folder))
    hits = [f for f in errors if f.section == section_id and problem in f.problem]
    assert hits, errors
    finding = hits[0]
    assert (finding.leaflet, finding.locale) == (leaflet, locale.tag)
    expected_where = (
        f"locales/{locale.folder}/LC_MESSAGES/{leaflet}.po:{line}"
        if line
        else f"templates/{leaflet}.md:"
    )
    assert finding.where.startswith(expected_where)
    others = [other for other in LEAFLETS if other != leaflet]
    for other in others:  # one leaflet's damage never blocks another
        assert Gate(copy).errors(other, copy.find_locale(locale.folder)) == []


def test_check_output_names_locale_section_message_and_line(project_copy: Path) -> None:
    locale = Project.load(project_copy).find_locale("ar")
    source = "Your skin becomes more sensitive to UV rays while on Isotretinoin."
    copy = Project.load(project_copy)
    msgid = next(k[1] for k in leaflet_messages(copy.leaflet(LEAFLET)) if k[1].startswith(source))

    def spf_15(message: Message) -> None:
        message.string = message.string.replace("30", "15")

    line = damage(project_copy, locale, "sunscreen", msgid, spf_15)
    run = polyleaf("--project", project_copy, "check")
    assert run.code == 1
    lines = [ln for ln in run.stdout.splitlines() if ln.startswith("error:")]
    assert lines == [
        f"error: {LEAFLET} · ar · sunscreen · {msgid[:59]!r}"[:-1] + "…' · "
        f"locales/ar/LC_MESSAGES/{LEAFLET}.po:{line} · "
        "numbers differ: English has 30, translation has 15"
    ]


def test_native_digits_count_as_the_same_number(project_copy: Path) -> None:
    locale = Project.load(project_copy).find_locale("ar")
    source = leaflet_messages(Project.load(project_copy).leaflet(LEAFLET))
    msgid = next(k[1] for k in source if k[0] == "sunscreen" and "SPF" in k[1])

    def arabic_indic(message: Message) -> None:
        message.string = message.string.replace("30", "٣٠")

    damage(project_copy, locale, "sunscreen", msgid, arabic_indic)
    copy = Project.load(project_copy)
    assert Gate(copy).errors(LEAFLET, copy.find_locale("ar")) == []


def test_changed_placeholder_in_the_furniture_fails(project_copy: Path) -> None:
    """The project's own override of the page furniture is checked like any catalog."""
    shipped = LAYOUTS / "locales" / "es" / "LC_MESSAGES" / "polyleaf.po"
    own = project_copy / "locales" / "es" / "LC_MESSAGES" / "polyleaf.po"
    own.write_bytes(
        shipped.read_bytes().replace(
            b'"P\xc3\xa1gina %(page)s de %(pages)s"', b'"P\xc3\xa1gina %(page)s de %(page)s"'
        )
    )
    assert own.read_bytes() != shipped.read_bytes()
    run = polyleaf("--project", project_copy, "check")
    assert run.code == 1
    assert (
        f"{LEAFLET} · es · - · 'Page %(page)s of %(pages)s' · locales/es/LC_MESSAGES/polyleaf.po:"
        in run.stdout
    )
    assert "placeholders differ" in run.stdout


def test_stray_percent_fails(project_copy: Path) -> None:
    locale = Project.load(project_copy).find_locale("es")

    def percent(message: Message) -> None:
        message.string += " 100%"

    damage(project_copy, locale, "alcohol", "Avoid Alcohol", percent)
    copy = Project.load(project_copy)
    problems = [f.problem for f in Gate(copy).errors(LEAFLET, copy.find_locale("es"))]
    assert any("'%' outside a placeholder" in p for p in problems), problems


def test_section_removed_from_the_source_makes_catalogs_out_of_date(project_copy: Path) -> None:
    source = project_copy / "templates" / f"{LEAFLET}.md"
    text = source.read_text()
    start = text.index("2. ### Avoid Alcohol")
    end = text.index("3. ### Use Sunscreen", start)
    source.write_text(text[:start] + text[end:])
    run = polyleaf("--project", project_copy, "check", "--leaflet", LEAFLET)
    assert run.code == 1
    assert (
        f"{LEAFLET} · en · alcohol · 'Avoid Alcohol' · locales/{LEAFLET}.pot · stale in "
        in run.stdout
    )
    assert f"{LEAFLET} · es · alcohol · 'Avoid Alcohol' · locales/es/" in run.stdout


def test_changed_english_makes_catalogs_out_of_date(project_copy: Path) -> None:
    source = project_copy / "templates" / f"{LEAFLET}.md"
    source.write_text(source.read_text().replace("SPF 30 or higher", "SPF 50 or higher"))
    run = polyleaf("--project", project_copy, "check")
    assert run.code == 1
    assert f"missing in {LEAFLET}.pot; run polyleaf i18n extract" in run.stdout
    assert "es · sunscreen · " in run.stdout and "missing from the catalog" in run.stdout
    assert "stale: not in the leaflet any more" in run.stdout
    card = "isotretinoin-reminder-card · es"
    assert card not in run.stdout  # the other leaflet is not touched


def test_build_skips_only_the_failing_locale(project_copy: Path, tmp_path: Path) -> None:
    locale = Project.load(project_copy).find_locale("es")
    damage(project_copy, locale, "pregnancy-warning", "Pregnancy Warning", _fuzzy)
    out = tmp_path / "out"
    run = polyleaf(
        "--project", project_copy, "build", "--locale", "es", "--locale", "en", "--out", out
    )
    assert run.code == 1
    assert f"{LEAFLET} · es · pregnancy-warning · 'Pregnancy Warning'" in run.stderr
    assert (out / "isotretinoin-20mg" / "en" / "isotretinoin-20mg-en-a4.pdf").is_file()
    assert not (out / "isotretinoin-20mg" / "es").exists() or not any(
        (out / "isotretinoin-20mg" / "es").iterdir()
    )
