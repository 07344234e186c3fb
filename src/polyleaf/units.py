"""Units of measure after a number: "20 mg" must not become "20 g".

The numbers check sees the 20 in both; a changed unit is a thousandfold dose
error that only the unit shows. Every number or placeholder in a message that
carries a unit is counted per unit, in the English and in the translation, and
the two counts must agree. A translation may keep the English symbol ("20 mg"
in Hindi text) or write the unit as its language does: polyleaf knows the forms
its shipped languages use, and a project adds its own under ``[units.<unit>]``
in ``locales/glossary.toml`` (``ta = "மி.கி"``).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from functools import lru_cache

#: unit -> {"en": English forms, locale folder: that language's forms}.
KNOWN: dict[str, dict[str, tuple[str, ...]]] = {
    "mg": {
        "en": ("mg", "milligrams", "milligram"),
        "ar": ("ملغ", "مغ", "مليغرام", "ملليغرام"),
        "de": ("Milligramm",),
        "es": ("miligramos", "miligramo"),
        "fa": ("میلی\u200cگرم", "میلی گرم", "میلیگرم"),
        "fr": ("milligrammes", "milligramme"),
        "hi": ("मिलीग्राम",),
        "it": ("milligrammi", "milligrammo"),
        "ja": ("ミリグラム",),
        "ko": ("밀리그램",),
        "pt": ("miligramas", "miligrama"),
        "ru": ("мг",),
        "uk": ("мг",),
        "ur": ("ملی گرام", "ملیگرام"),
        "zh_Hans": ("毫克",),
        "zh_Hant": ("毫克",),
    },
    "microgram": {
        "en": ("micrograms", "microgram", "mcg", "µg", "μg"),
        "ar": ("ميكروغرام",),
        "bn": ("মাইক্রোগ্রাম",),
        "de": ("Mikrogramm",),
        "es": ("microgramos", "microgramo"),
        "fa": ("میکروگرم",),
        "fr": ("microgrammes", "microgramme"),
        "gu": ("માઇક્રોગ્રામ",),
        "hi": ("माइक्रोग्राम",),
        "ht": ("mikwogram",),
        "it": ("microgrammi", "microgrammo"),
        "ja": ("マイクログラム",),
        "ko": ("마이크로그램",),
        "pa": ("ਮਾਈਕ੍ਰੋਗ੍ਰਾਮ",),
        "pl": ("mikrogramów", "mikrogramy", "mikrogram"),
        "pt": ("microgramas", "micrograma"),
        "ro": ("micrograme", "microgram"),
        "ru": ("мкг",),
        "tl": ("mikrogramo",),
        "tr": ("mikrogram",),
        "uk": ("мкг",),
        "ur": ("مائیکروگرام",),
        "vi": ("microgam",),
        "zh_Hans": ("微克",),
        "zh_Hant": ("微克",),
    },
    "g": {
        "en": ("g", "grams", "gram"),
        "ar": ("غرام", "غ"),
        "de": ("Gramm",),
        "es": ("gramos", "gramo"),
        "fa": ("گرم",),
        "fr": ("grammes", "gramme"),
        "hi": ("ग्राम",),
        "it": ("grammi", "grammo"),
        "ja": ("グラム",),
        "ko": ("그램",),
        "pt": ("gramas", "grama"),
        "ru": ("г",),
        "uk": ("г",),
        "ur": ("گرام",),
        "zh_Hans": ("克",),
        "zh_Hant": ("克",),
    },
    "kg": {
        "en": ("kg", "kilograms", "kilogram"),
        "ar": ("كغ", "كيلوغرام"),
        "de": ("Kilogramm",),
        "es": ("kilogramos", "kilogramo"),
        "fa": ("کیلوگرم",),
        "fr": ("kilogrammes", "kilogramme"),
        "hi": ("किलोग्राम",),
        "it": ("chilogrammi", "chilogrammo"),
        "ja": ("キログラム",),
        "ko": ("킬로그램",),
        "pt": ("quilogramas", "quilograma"),
        "ru": ("кг",),
        "uk": ("кг",),
        "ur": ("کلوگرام",),
        "zh_Hans": ("千克", "公斤"),
        "zh_Hant": ("千克", "公斤"),
    },
    "mL": {
        "en": ("mL", "ml", "millilitres", "millilitre", "milliliters", "milliliter"),
        "ar": ("مل", "ملليلتر", "مليلتر"),
        "de": ("Milliliter",),
        "es": ("mililitros", "mililitro"),
        "fa": ("میلی\u200cلیتر", "میلی لیتر", "میلیلیتر"),
        "fr": ("millilitres", "millilitre"),
        "hi": ("मिलीलीटर",),
        "it": ("millilitri", "millilitro"),
        "ja": ("ミリリットル",),
        "ko": ("밀리리터",),
        "pt": ("mililitros", "mililitro"),
        "ru": ("мл",),
        "uk": ("мл",),
        "ur": ("ملی لیٹر", "ملیلیٹر"),
        "zh_Hans": ("毫升",),
        "zh_Hant": ("毫升",),
    },
    "L": {
        "en": ("L", "litres", "litre", "liters", "liter"),
        "ar": ("لتر",),
        "de": ("Liter",),
        "es": ("litros", "litro"),
        "fr": ("litres", "litre"),
        "hi": ("लीटर",),
        "it": ("litri", "litro"),
        "ja": ("リットル",),
        "ko": ("리터",),
        "pt": ("litros", "litro"),
        "ru": ("л",),
        "uk": ("л",),
        "zh_Hans": ("升",),
        "zh_Hant": ("升",),
    },
    "IU": {
        "en": ("IU",),
        "de": ("I.E.", "IE"),
        "es": ("UI",),
        "fr": ("UI",),
        "it": ("UI",),
        "pt": ("UI",),
        "ru": ("МЕ",),
        "uk": ("МО",),
        "zh_Hans": ("国际单位",),
        "zh_Hant": ("國際單位",),
    },
}

_SPACE = "[ \t\u00a0\u202f\u2060]*"
#: A number in any digits (or a placeholder), then the space, if any, before its unit.
_QUANTITY = rf"(?P<number>\d+(?:[.,\u066b]\d+)?|%\(\w+\)[sd]){_SPACE}"
#: Letters of the scripts a unit may be written in, which must not go on after
#: a form ("mg" is not the start of "mgh", "مل" not of "ملغ"); the scripts
#: written without spaces (CJK) have no such end.
_SCRIPTS = (
    ("A-Za-zÀ-ɏµμ", "A-Za-zÀ-ɏµμ"),
    ("\u0400-\u04ff", "\u0400-\u04ff"),
    # Arabic-script letters and marks, not its comma, question mark or full stop
    ("\u0600-\u06ff\u0750-\u077f", "\u0620-\u065f\u066e-\u06d3\u06d5\u06fa-\u06fc\u0750-\u077f"),
    ("\u0900-\u0dff", "\u0900-\u0963\u0966-\u0dff"),  # not the danda
)


def _end(form: str) -> str:
    for letters, following in _SCRIPTS:
        if re.match(f"[{letters}]", form[-1]):
            return f"(?![{following}])"
    return ""


@lru_cache(maxsize=256)
def _pattern(forms: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    """One pattern for every (unit, form): the quantity, then the longest form."""
    ordered = sorted(forms, key=lambda pair: len(pair[1]), reverse=True)

    def alternatives(prefix: str) -> str:
        return "|".join(
            f"(?P<{prefix}{index}>{re.escape(form)}{_end(form)})"
            for index, (_, form) in enumerate(ordered)
        )

    per = f"(?:{_SPACE}/{_SPACE}(?:{alternatives('p')}))?"
    return re.compile(f"{_QUANTITY}(?:{alternatives('u')}){per}", re.IGNORECASE)


def forms_for(
    locale: str, extra: Mapping[str, Mapping[str, str | Sequence[str]]] | None = None
) -> tuple[tuple[str, str], ...]:
    """(unit, form) of every form a text in *locale* may write a unit in: the
    English forms, polyleaf's forms for the language and the project's."""
    found: list[tuple[str, str]] = []
    units = {**KNOWN}
    for unit, table in (extra or {}).items():
        units[unit] = {**units.get(unit, {}), **{k: _tuple(v) for k, v in table.items()}}
    for unit, table in units.items():
        for key in dict.fromkeys(("en", locale)):
            found.extend((unit, form) for form in table.get(key, ()))
    return tuple(dict.fromkeys(found))


def _tuple(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def quantities(text: str, forms: tuple[tuple[str, str], ...]) -> Counter[tuple[str, str]]:
    """How many times *text* states each (number, unit): the unit tied to its
    number, so that "20 mg, 2 tablets" is not "20, 2 mg tablets". A number is
    written as the numbers check reads it (ASCII digits, "2,5" is "2.5"), a
    placeholder as itself. A unit per another ("20 mg/kg") is one unit,
    "mg/kg": a dose per kilogram of body weight that loses its "/kg" is
    another dose."""
    pattern = _pattern(forms)
    ordered = sorted(forms, key=lambda pair: len(pair[1]), reverse=True)
    found: Counter[tuple[str, str]] = Counter()
    for match in pattern.finditer(text):
        unit = "/".join(
            ordered[int(name[1:])][0]
            for name, value in match.groupdict().items()
            if value and name[0] in "up"
        )
        number = match.group("number")
        if not number.startswith("%"):
            number = "".join(str(unicodedata.decimal(ch)) if ch.isdigit() else "." for ch in number)
        found[number, unit] += 1
    return found


def describe(found: Counter[tuple[str, str]]) -> str:
    """ "20 mg ×1, %(value)s g ×2", or "none"."""
    return (
        ", ".join(f"{number} {unit} ×{count}" for (number, unit), count in sorted(found.items()))
        or "none"
    )
