"""The personalised edition: one patient's name, prescriber, dose and note on the leaflet.

What a pharmacist types at the counter is validated here, once, by one model.
The dose is structured, never free text: the sentence "Take 1 capsule (20 mg)
twice a day, with food." is composed in the layout (``personal.html``) from
translated phrases only, each chosen from a fixed list and checked by the
gate in every plural form, so no wrong number or English phrase can reach a
patient through it. Names and the note print as typed.

Nothing here is written anywhere: the values travel from the request to a
rendering process and back as PDF bytes (see :meth:`polyleaf.build.Builder.personalised`).
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal

from babel.dates import format_date
from babel.numbers import format_decimal
from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, field_validator

from polyleaf.fonts import coverage, families_for
from polyleaf.gate import invisible
from polyleaf.locales import LocaleInfo


class Frequency(StrEnum):
    once_a_day = "once_a_day"
    twice_a_day = "twice_a_day"
    three_times_a_day = "three_times_a_day"
    four_times_a_day = "four_times_a_day"
    every_other_day = "every_other_day"
    once_a_week = "once_a_week"


class Timing(StrEnum):
    with_food = "with_food"
    before_food = "before_food"
    after_food = "after_food"
    at_bedtime = "at_bedtime"
    in_the_morning = "in_the_morning"


#: The English phrase (furniture msgid) of each choice, as personal.html prints it
#: and the desk page offers it (in the page's language, from the same catalogs).
FREQUENCY_PHRASES: dict[Frequency, str] = {
    Frequency.once_a_day: "once a day",
    Frequency.twice_a_day: "twice a day",
    Frequency.three_times_a_day: "three times a day",
    Frequency.four_times_a_day: "four times a day",
    Frequency.every_other_day: "every other day",
    Frequency.once_a_week: "once a week",
}
TIMING_PHRASES: dict[Timing, str] = {
    Timing.with_food: "with food",
    Timing.before_food: "before food",
    Timing.after_food: "after food",
    Timing.at_bedtime: "at bedtime",
    Timing.in_the_morning: "in the morning",
}

#: Longest name and note accepted: a line on the leaflet, a short paragraph.
NAME_CHARS = 80
NOTE_CHARS = 400
#: Strength of one capsule or tablet, at most (in any unit).
MAX_STRENGTH = Decimal(10000)


class Dose(BaseModel):
    """One dose: "Take <count> <form>(s) (<strength> <unit>) <frequency>[, <timing>]"."""

    model_config = ConfigDict(extra="forbid")

    form: Literal["capsule", "tablet"]
    count: Annotated[int, Field(ge=1, le=20, strict=True, description="capsules or tablets")]
    strength: Annotated[
        Decimal,
        Field(gt=0, le=MAX_STRENGTH, decimal_places=3, description="of one capsule or tablet"),
        # a JSON number (e.g. 20 or 0.5): the schema says so, not "number or string"
        WithJsonSchema(
            {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": float(MAX_STRENGTH),
                "multipleOf": 0.001,
            }
        ),
    ]
    unit: Literal["mg", "micrograms", "mL"]
    frequency: Frequency
    timing: Timing | None = None


def _typed_text(value: str | None, newlines: bool) -> str | None:
    """Text as typed, trimmed; refused if it holds a control or invisible character.

    Invisible is the gate's rule for translations (polyleaf.gate.invisible): a
    name is printed as typed, so a bidi override, a zero-width space or a BOM
    would print as whatever it makes of it; ZWJ and ZWNJ, which Persian and
    Indic names need, are allowed. The message names the character's code
    point, never the text, which is personal data.
    """
    if value is None:
        return None
    value = unicodedata.normalize("NFC", value.strip())
    for ch in value:
        if (ch == "\n" and newlines) or ch == " ":
            continue
        if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") or invisible(ch):
            name = unicodedata.name(ch, "a control character")
            raise ValueError(f"U+{ord(ch):04X} ({name}) cannot be printed; remove it")
    return value or None


def first_strong_direction(text: str, locale: LocaleInfo) -> str:
    """The direction of the first strong letter of *text* (HTML's dir="auto"), else the locale's."""
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind == "L":
            return "ltr"
        if kind in ("R", "AL"):
            return "rtl"
    return locale.direction


class Personalisation(BaseModel):
    """What makes one patient's copy: all optional, none of it kept."""

    model_config = ConfigDict(extra="forbid")

    patient_name: Annotated[str | None, Field(max_length=NAME_CHARS)] = None
    prescriber: Annotated[str | None, Field(max_length=NAME_CHARS)] = None
    dispensed_on: dt.date | None = None
    dose: Dose | None = None
    pharmacist_note: Annotated[
        str | None, Field(max_length=NOTE_CHARS, description="printed as typed, untranslated")
    ] = None

    @field_validator("patient_name", "prescriber")
    @classmethod
    def _name(cls, value: str | None) -> str | None:
        return _typed_text(value, newlines=False)

    @field_validator("pharmacist_note")
    @classmethod
    def _note(cls, value: str | None) -> str | None:
        return _typed_text(value, newlines=True)

    @property
    def filled(self) -> bool:
        """Whether anything is set (an empty personalisation prints no box)."""
        return any(value is not None for value in self.__dict__.values())

    def undrawable(self, locale: LocaleInfo) -> list[str]:
        """One sentence per typed field holding a character that none of
        *locale*'s pinned fonts can draw (it would print as a box)."""
        families = families_for(locale)
        covered = coverage(families)
        problems = []
        for field in ("patient_name", "prescriber", "pharmacist_note"):
            text = getattr(self, field) or ""
            for ch in dict.fromkeys(text):
                if ord(ch) in covered or ch.isspace() or unicodedata.category(ch) == "Cf":
                    continue
                name = unicodedata.name(ch, "unnamed")
                problems.append(
                    f"{field}: U+{ord(ch):04X} ({name}) is in none of the fonts for "
                    f"{locale.tag} ({', '.join(families)}); it would print as a box"
                )
                break
        return problems

    def for_layout(self, locale: LocaleInfo) -> dict[str, object]:
        """The values personal.html prints, with dates and numbers in *locale*'s format."""
        dose = self.dose
        return {
            "patient_name": self.patient_name,
            "prescriber": self.prescriber,
            "dispensed": (
                format_date(self.dispensed_on, "long", locale=locale.babel)
                if self.dispensed_on
                else None
            ),
            "note": self.pharmacist_note,
            "note_direction": first_strong_direction(self.pharmacist_note or "", locale),
            "dose": None
            if dose is None
            else {
                "form": dose.form,
                "count": dose.count,
                "count_text": format_decimal(dose.count, locale=locale.babel),
                "strength_text": format_decimal(dose.strength, locale=locale.babel),
                "unit": dose.unit,
                "frequency": dose.frequency.value,
                "timing": dose.timing.value if dose.timing else None,
            },
        }
