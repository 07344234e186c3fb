"""A unit of measure cannot change in translation: "20 mg" is not "20 g"
(polyleaf.units, checked by the gate in every message, the dose phrases too)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from conftest import LEAFLET, polyleaf, translated_locales
from polyleaf import units
from polyleaf.catalogs import read_catalog, write_catalog
from polyleaf.gate import Gate
from polyleaf.locales import LocaleInfo
from polyleaf.project import LAYOUTS, Project

TRANSLATED = translated_locales()


def count(text: str, folder: str = "en") -> Counter[str]:
    found: Counter[str] = Counter()
    for (_, unit), times in units.quantities(text, units.forms_for(folder)).items():
        found[unit] += times
    return found


@pytest.mark.parametrize(
    ("text", "folder", "expected"),
    [
        ("Take 20 mg a day, not 20 g.", "en", {"mg": 1, "g": 1}),
        ("Isotretinoin 20mg", "en", {"mg": 1}),
        ("%(value)s micrograms", "en", {"microgram": 1}),
        ("2.5 mL or 1 litre", "en", {"mL": 1, "L": 1}),
        ("in 20 minutes, 1 month, 30 mgh", "en", {}),
        ("إيزوتريتينوين 20 ملغ، مرة", "ar", {"mg": 1}),
        ("ما هو إيزوتريتينوين 20 ملغ؟", "ar", {"mg": 1}),
        ("٢٠ مل", "ar", {"mL": 1}),
        ("۲۰ میلی\u200cگرم", "fa", {"mg": 1}),
        ("آئسوٹریٹینوئن 20 ملی گرام۔", "ur", {"mg": 1}),
        ("20 мг.", "ru", {"mg": 1}),
        ("20 г", "ru", {"g": 1}),
        ("이소트레티노인 20mg은", "ko", {"mg": 1}),
        ("%(value)s\u00a0Mikrogramm", "de", {"microgram": 1}),
        ("%(value)s微克", "zh_Hans", {"microgram": 1}),
        ("20 mg में", "hi", {"mg": 1}),
        ("20 मिलीग्राम, 1 ग्राम", "hi", {"mg": 1, "g": 1}),
        ("20 毫克，5 毫升，1 克", "zh_Hans", {"mg": 1, "mL": 1, "g": 1}),
        ("20 miligramos, 1000 UI, 2 litros", "es", {"mg": 1, "IU": 1, "L": 1}),
        ("1000 I.E. und 5 Milliliter", "de", {"IU": 1, "mL": 1}),
    ],
)
def test_units_are_counted_in_every_script(text: str, folder: str, expected: dict) -> None:
    assert count(text, folder) == Counter(expected)


def _same(english: str, translation: str, folder: str) -> bool:
    return units.quantities(english, units.forms_for("en")) == units.quantities(
        translation, units.forms_for(folder)
    )


def test_a_unit_belongs_to_its_number() -> None:
    """The same units in all may still be tied to other numbers: a unit moved
    from the dose to the tablet count is a changed dose."""
    assert not _same("Take 20 mg, 2 tablets a day.", "Tome 20, 2 mg comprimidos al día.", "es")
    assert not _same("20 mg once, then 10 g", "20 g una vez, luego 10 mg", "es")
    assert _same("2.5 mL, then 20 mg", "٢٫٥ مل، ثم ٢٠ ملغ", "ar")
    assert _same("%(value)s mg", "%(value)s мг", "ru")


def test_a_dose_per_kilogram_keeps_its_per() -> None:
    """ "20 mg/kg" is a dose per kilogram of body weight; "20 mg" is 70 times less."""
    assert not _same("20 mg/kg a day", "20 mg al día", "es")
    assert not _same("5 mg/mL", "5 mg/L", "es")
    assert _same("0.5 mg / kg", "٠٫٥ ملغ/كغ", "ar")


def _mg_to_g(root: Path, locale: LocaleInfo) -> tuple[str, int]:
    """Change the unit of the first translated message that states a dose in mg
    to grams, in the locale's own way of writing it; the message's id and line."""
    path = root / "locales" / locale.folder / "LC_MESSAGES" / f"{LEAFLET}.po"
    catalog = read_catalog(path, locale=locale.folder)
    forms = units.forms_for(locale.folder)
    grams = next(form for unit, form in reversed(forms) if unit == "g")
    for message in catalog:
        if (
            message.id
            and isinstance(message.string, str)
            and count(message.string, locale.folder)["mg"]
        ):
            pattern = units._pattern(tuple(pair for pair in forms if pair[0] == "mg"))
            match = pattern.search(message.string)
            assert match is not None
            quantity = match.group(0)
            unit = next(v for k, v in match.groupdict().items() if v and k != "number")
            changed = quantity[: len(quantity) - len(unit)] + grams
            message.string = message.string.replace(quantity, changed, 1)
            write_catalog(path, catalog)
            written = read_catalog(path, locale=locale.folder).get(message.id, message.context)
            return message.id, written.lineno
    raise AssertionError(f"no message states mg in {locale.tag}")


@pytest.mark.parametrize("locale", TRANSLATED, ids=[locale.tag for locale in TRANSLATED])
def test_mg_become_g_fails_the_gate_in_every_locale(project_copy: Path, locale: LocaleInfo) -> None:
    msgid, line = _mg_to_g(project_copy, locale)
    copy = Project.load(project_copy)
    errors = Gate(copy).errors(LEAFLET, copy.find_locale(locale.folder))
    hits = [f for f in errors if "units differ: English has" in f.problem and "mg ×1" in f.problem]
    assert hits, errors
    assert hits[0].where == f"locales/{locale.folder}/LC_MESSAGES/{LEAFLET}.po:{line}"
    assert "g ×1" in hits[0].problem


def test_a_dose_phrase_whose_unit_changes_fails_check(project_copy: Path) -> None:
    """The personalised dose ("%(value)s mg") in a project's own furniture catalog."""
    shipped = LAYOUTS / "locales" / "ru" / "LC_MESSAGES" / "polyleaf.po"
    own = project_copy / "locales" / "ru" / "LC_MESSAGES" / "polyleaf.po"
    text = shipped.read_text(encoding="utf-8")
    assert 'msgstr "%(value)s мг"' in text
    own.write_text(text.replace('msgstr "%(value)s мг"', 'msgstr "%(value)s г"'), encoding="utf-8")
    run = polyleaf("--project", project_copy, "check", "--leaflet", LEAFLET, "--locale", "ru")
    assert run.code == 1
    lines = [line for line in run.stdout.splitlines() if "units differ" in line]
    assert (
        lines and "'%(value)s mg'" in lines[0] and "locales/ru/LC_MESSAGES/polyleaf.po:" in lines[0]
    )


def test_a_projects_glossary_teaches_the_gate_a_local_form(project_copy: Path) -> None:
    path = project_copy / "locales" / "es" / "LC_MESSAGES" / f"{LEAFLET}.po"
    catalog = read_catalog(path, locale="es")
    message = next(m for m in catalog if m.id and isinstance(m.string, str) and "20 mg" in m.string)
    message.string = message.string.replace("20 mg", "20 mgr", 1)
    write_catalog(path, catalog)

    def unit_errors() -> list[str]:
        copy = Project.load(project_copy)
        found = Gate(copy).errors(LEAFLET, copy.find_locale("es"))
        return [f.problem for f in found if "units differ" in f.problem]

    assert unit_errors() and "[units.<unit>]" in unit_errors()[0]
    glossary = project_copy / "locales" / "glossary.toml"
    glossary.write_text(
        glossary.read_text(encoding="utf-8") + '\n[units.mg]\nes = ["mgr"]\n',
        encoding="utf-8",
    )
    assert unit_errors() == []


def test_an_empty_unit_form_in_the_glossary_is_an_error(project_copy: Path) -> None:
    glossary = project_copy / "locales" / "glossary.toml"
    glossary.write_text(
        glossary.read_text(encoding="utf-8") + '\n[units.mg]\nes = ""\n', encoding="utf-8"
    )
    run = polyleaf("--project", project_copy, "check")
    assert run.code == 1 and "Traceback" not in run.stderr
    assert "glossary" in run.stdout + run.stderr and "mg.es" in run.stdout + run.stderr
