"""A hostile translator (issue 14, item 1) on the library fixture: every way to
hide, restyle or redirect a safety message is refused by the gate with a
finding naming it, and even with the gate bypassed a translation renders as
text. Plural entries are checked form by form."""

from __future__ import annotations

from pathlib import Path

import pytest

from fixture_project import WARNING_ES, WARNING_ID, catalog_path, line_of, set_translation
from polyleaf import i18n
from polyleaf.catalogs import read_catalog, write_catalog
from polyleaf.gate import Finding, Gate
from polyleaf.html import Renderer
from polyleaf.project import Project

LINK = "(https://example.org/alpha/pregnancy)"

#: (translation of alpha's pregnancy warning in es, what the finding says)
HOSTILE = [
    pytest.param(
        f'<span style="display:none">{WARNING_ES}</span>',
        "markup: HTML '<span style=\"display:none\">'",
        id="hidden-span",
    ),
    pytest.param(
        f'<SPAN STYLE="font-size:0">{WARNING_ES}</SPAN>',
        "markup: HTML '<SPAN STYLE=\"font-size:0\">'",
        id="upper-case-span",
    ),
    pytest.param(WARNING_ES.replace("**No**", "<b>No</b>"), "markup: HTML '<b>'", id="b-tag"),
    pytest.param(WARNING_ES.replace("**No**", "<b>No</b>"), "markup differs", id="b-not-bold"),
    pytest.param(f"<!-- {WARNING_ES} -->", "markup: HTML '<!--'", id="comment"),
    pytest.param(
        WARNING_ES + ' <img src="x.png" onerror="alert(1)">',
        'markup: HTML \'<img src="x.png" onerror="alert(1)">\'',
        id="img-tag",
    ),
    pytest.param(
        WARNING_ES.replace("embarazada", "emba&#8203;razada"),
        "a character reference '&#8203;'",
        id="decimal-reference",
    ),
    pytest.param(
        WARNING_ES.replace("embarazada", "emba&#x200B;razada"),
        "a character reference '&#x200B;'",
        id="hex-reference",
    ),
    pytest.param(
        WARNING_ES.replace("embarazada", "emba&shy;razada"),
        "a character reference '&shy;'",
        id="shy-entity",
    ),
    pytest.param(
        WARNING_ES.replace("**No**", "&lt;b&gt;No"),
        "a character reference '&lt;'",
        id="lt-entity",
    ),
    pytest.param(
        WARNING_ES.replace("**No** tome", "**No**\u202e emot"),
        "invisible U+202E (RIGHT-TO-LEFT OVERRIDE)",
        id="rlo",
    ),
    pytest.param(
        "\u2066" + WARNING_ES + "\u2069",
        "invisible U+2066 (LEFT-TO-RIGHT ISOLATE)",
        id="lri",
    ),
    pytest.param(
        "\u2067" + WARNING_ES + "\u2069",
        "invisible U+2069 (POP DIRECTIONAL ISOLATE)",
        id="rli-pdi",
    ),
    pytest.param(
        WARNING_ES.replace("**No**", "**N\u200bo**"),
        "invisible U+200B (ZERO WIDTH SPACE)",
        id="zwsp",
    ),
    pytest.param("\ufeff" + WARNING_ES, "invisible U+FEFF (ZERO WIDTH NO-BREAK SPACE)", id="bom"),
    pytest.param(
        WARNING_ES.replace("embarazada", "emba\u00adrazada"),
        "invisible U+00AD (SOFT HYPHEN)",
        id="soft-hyphen",
    ),
    # every format character and filler that draws nothing, not only a list of them
    pytest.param(
        WARNING_ES + "\U000e0041\U000e007f",
        "invisible U+E0041 (TAG LATIN CAPITAL LETTER A)",
        id="tag-characters",
    ),
    pytest.param(
        WARNING_ES.replace("**No**", "**N\u200eo**"),
        "invisible U+200E (LEFT-TO-RIGHT MARK)",
        id="lrm",
    ),
    pytest.param(
        WARNING_ES.replace("**No**", "**N\u061co**"),
        "invisible U+061C (ARABIC LETTER MARK)",
        id="alm",
    ),
    pytest.param(
        WARNING_ES.replace("**No**", "**N\u180eo**"),
        "invisible U+180E (MONGOLIAN VOWEL SEPARATOR)",
        id="mongolian-vowel-separator",
    ),
    pytest.param(
        WARNING_ES.replace("**No**", "**N\u034fo**"),
        "invisible U+034F (COMBINING GRAPHEME JOINER)",
        id="grapheme-joiner",
    ),
    pytest.param(
        WARNING_ES.replace("**No**", "**N\ufe0fo**"),
        "invisible U+FE0F (VARIATION SELECTOR-16)",
        id="variation-selector",
    ),
    pytest.param(
        WARNING_ES + "\u3164\u3164", "invisible U+3164 (HANGUL FILLER)", id="hangul-filler"
    ),
    pytest.param(WARNING_ES + " {.hidden}", "Markdown attributes '{.hidden}'", id="class-attr"),
    pytest.param(
        WARNING_ES + ' {#x style="display:none"}',
        "Markdown attributes '{#x style=\"display:none\"}'",
        id="style-attr",
    ),
    pytest.param(WARNING_ES.replace("**No**", "No"), "markup differs", id="dropped-bold"),
    pytest.param(WARNING_ES.replace("**No**", "**No"), "markup differs", id="half-bold"),
    pytest.param(
        WARNING_ES + " [Más](https://evil.example)",
        "link:https://evil.example",
        id="added-link",
    ),
    pytest.param(
        WARNING_ES.replace(LINK, "(https://evil.example)"),
        "link:https://evil.example",
        id="changed-link",
    ),
    pytest.param(
        WARNING_ES.replace(LINK, "(javascript:alert(1))"),
        "markup differs: English has link:https://example.org/alpha/pregnancy, strong",
        id="javascript-link",
    ),
    pytest.param(
        WARNING_ES + " <https://evil.example>",
        "markup: HTML '<https://evil.example>'",
        id="autolink",
    ),
    pytest.param(WARNING_ES + " ![](x.png)", "image", id="added-image"),
    pytest.param(WARNING_ES.replace("empezar", "*empezar*"), "em", id="added-italics"),
]


def errors(root: Path, leaflet: str = "alpha", locale: str = "es") -> list[Finding]:
    project = Project.load(root)
    findings = Gate(project).check(leaflet, project.find_locale(locale))
    return [finding for finding in findings if finding.severity == "error"]


def test_the_fixture_passes(library: Path) -> None:
    assert errors(library) == []
    assert errors(library, "alpha", "ar") == []


@pytest.mark.parametrize(("translation", "problem"), HOSTILE)
def test_hostile_translation_is_refused(library: Path, translation: str, problem: str) -> None:
    set_translation(library, "es", "alpha", WARNING_ID, translation)
    found = errors(library)
    assert found, "the gate let it through"
    assert all(f.section == "pregnancy-warning" for f in found), found
    assert any(problem in f.problem for f in found), [f.problem for f in found]
    assert str(found[0]).startswith("alpha · es · pregnancy-warning · 'Do **not** take alphacillin")
    line = line_of(catalog_path(library, "es", "alpha"), 'msgid "Do **not**')
    assert {f.where for f in found} == {f"locales/es/LC_MESSAGES/alpha.po:{line}"}


SUNSCREEN_ID = "Your skin burns easily. Use a sunscreen of SPF 30 or higher."


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("30\u0336", "U+0336 (COMBINING LONG STROKE OVERLAY) drawn on the digit '0'"),
        ("3\u03380", "U+0338 (COMBINING LONG SOLIDUS OVERLAY) drawn on the digit '3'"),
        ("30\u20e3", "U+20E3 (COMBINING ENCLOSING KEYCAP) drawn on the digit '0'"),
    ],
)
def test_a_mark_drawn_on_a_digit_is_refused(library: Path, number: str, problem: str) -> None:
    """ "SPF 30" struck through still has the digits 3 and 0: the number check alone passed it."""
    translation = f"Su piel se quema con facilidad. Use un protector solar de SPF {number} o más."
    set_translation(library, "es", "alpha", SUNSCREEN_ID, translation)
    found = errors(library)
    assert any(problem in f.problem and f.section == "sunscreen" for f in found), found


def test_the_joiners_persian_and_indic_spelling_need_pass(library: Path) -> None:
    translation = (
        "Su piel se quema con\u200cfacilidad. Use un protector solar de SPF 30 o\u200dmás."
    )
    set_translation(library, "es", "alpha", SUNSCREEN_ID, translation)
    assert not [f for f in errors(library) if "invisible" in f.problem]


def test_attributes_added_to_a_translated_heading_are_refused(library: Path) -> None:
    set_translation(library, "es", "alpha", "Pregnancy warning", "Advertencia {.hidden}")
    found = errors(library)
    assert [f.problem for f in found] == [
        "markup: Markdown attributes '{.hidden}' that the English does not have; "
        "translations are text"
    ]


def test_markup_the_english_has_is_accepted(library: Path) -> None:
    """Bold and the same link in another order and words pass."""
    set_translation(
        library,
        "es",
        "alpha",
        WARNING_ID,
        f"Lea los [consejos]{LINK} antes de empezar: **no** tome alfacilina si está embarazada.",
    )
    assert errors(library) == []


#: What a bypassed gate would let through, and what the HTML must show instead.
ESCAPED = [
    pytest.param(
        f'<span style="display:none">{WARNING_ES}</span>',
        '<span style="display:none">',
        "&lt;span style=&quot;display:none&quot;&gt;",
        id="span",
    ),
    pytest.param(f"<!-- {WARNING_ES} -->", "<!--", "&lt;!-- <strong>No</strong>", id="comment"),
    pytest.param(
        WARNING_ES + ' <script>alert("x")</script>', "<script>", "&lt;script&gt;", id="script"
    ),
]


@pytest.mark.parametrize(("translation", "tag", "text"), ESCAPED)
def test_markup_renders_as_text_even_with_the_gate_bypassed(
    library: Path, translation: str, tag: str, text: str
) -> None:
    set_translation(library, "es", "alpha", WARNING_ID, translation)
    project = Project.load(library)
    html = Renderer(project).render("alpha", project.find_locale("es"))
    assert tag not in html
    assert text in html
    assert "antes de empezar." in html  # the warning's words are still on the page


def test_attributes_in_a_translated_heading_render_as_text(library: Path) -> None:
    set_translation(library, "es", "alpha", "Pregnancy warning", "Advertencia {.hidden}")
    project = Project.load(library)
    html = Renderer(project).render("alpha", project.find_locale("es"))
    assert '<h2 id="pregnancy-warning" class="safety">Advertencia {.hidden}</h2>' in html


# -- plural entries: a Jinja leaflet declared in polyleaf.toml ------------------

CARD = """\
{% extends "base.html" %}
{% block title %}{% trans "doses" %}Doses{% endtrans %}{% endblock %}
{% block content %}
<h1>{% trans "doses" %}Doses{% endtrans %}</h1>
<p>{% trans "doses" days=7 %}Take 100 mg for {{ days }} day.{% pluralize %}Take 100 mg for \
{{ days }} days.{% endtrans %}</p>
{% endblock %}
"""
CARD_CONFIG = """
[leaflets.card]
template = "card.html"
code = "PC-CARD-01"
revision = 2026-12-01

[leaflets.card.required_sections]
doses = "Doses"
"""
SINGULAR = "Take 100 mg for %(days)s day."
FORMS = {
    # Babel's es has three forms: one, many (a million ...), other
    "es": (
        "Dosis",
        [
            "Tome 100 mg durante %(days)s día.",
            "Tome 100 mg durante %(days)s de días.",
            "Tome 100 mg durante %(days)s días.",
        ],
    ),
    "ar": (
        "الجرعات",
        [
            "تناول 100 ملغ لمدة %(days)s يوم.",
            "تناول 100 ملغ لمدة يوم واحد (%(days)s).",
            "تناول 100 ملغ لمدة يومين (%(days)s).",
            "تناول 100 ملغ لمدة %(days)s أيام.",
            "تناول 100 ملغ لمدة %(days)s يومًا.",
            "تناول 100 ملغ لمدة %(days)s يوم.",
        ],
    ),
}


@pytest.fixture
def card(library: Path) -> Path:
    """The library with a Jinja leaflet whose dose is an ngettext message, translated."""
    with (library / "polyleaf.toml").open("a", encoding="utf-8") as config:
        config.write(CARD_CONFIG)
    (library / "templates" / "card.html").write_text(CARD, encoding="utf-8")
    project = Project.load(library)
    i18n.extract(project, [project.leaflet("card")])
    for locale, (heading, forms) in FORMS.items():
        i18n.init(project, locale, [project.leaflet("card")])
        set_plural(library, locale, forms, heading)
    return library


def set_plural(root: Path, locale: str, forms: list[str], heading: str | None = None) -> None:
    path = catalog_path(root, locale, "card")
    catalog = read_catalog(path, locale)
    for message in catalog:
        if isinstance(message.id, tuple):
            message.string = tuple(forms)
        elif message.id and heading is not None:
            message.string = heading
    write_catalog(path, catalog)


def test_plural_message_is_extracted_with_both_english_forms(card: Path) -> None:
    pot = read_catalog(card / "locales" / "card.pot")
    message = pot.get(SINGULAR, context="doses")
    assert message is not None
    assert message.id == (SINGULAR, "Take 100 mg for %(days)s days.")


@pytest.mark.parametrize("locale", ["es", "ar"])
def test_translated_plural_forms_pass(card: Path, locale: str) -> None:
    assert errors(card, "card", locale) == []


def _damaged(locale: str, index: int, text: str) -> list[str]:
    forms = list(FORMS[locale][1])
    forms[index] = text
    return forms


@pytest.mark.parametrize(
    ("locale", "forms", "problem"),
    [
        pytest.param(
            "es",
            _damaged("es", 1, "Tome 100 mg durante varios días."),
            "plural form 1: placeholders differ: English has %(days)s, translation has none",
            id="dropped-placeholder",
        ),
        pytest.param(
            "es",
            _damaged("es", 2, "Tome 100 mg durante %(dias)s días."),
            "plural form 2: placeholders differ",
            id="renamed-placeholder",
        ),
        pytest.param(
            "es",
            _damaged("es", 0, "Tome 10 mg durante %(days)s día."),
            "plural form 0: numbers differ: English has 100, translation has 10",
            id="changed-number",
        ),
        pytest.param(
            "ar",
            _damaged("ar", 4, "تناول ملغ لمدة %(days)s يومًا."),
            "plural form 4: numbers differ",
            id="ar-dropped-number",
        ),
        pytest.param(
            "ar",
            _damaged("ar", 3, ""),
            "plural form 3: missing; ar needs 6 forms, all filled in",
            id="ar-empty-form",
        ),
        pytest.param(
            "ar",
            FORMS["ar"][1][:5],
            "plural form 5: missing; ar needs 6 forms, all filled in",
            id="ar-five-forms",
        ),
        pytest.param(
            "ar",
            _damaged("ar", 2, '<span style="display:none">تناول 100 ملغ %(days)s</span>'),
            "plural form 2: markup: HTML",
            id="ar-hidden-form",
        ),
    ],
)
def test_damaged_plural_form_fails_naming_it(
    card: Path, locale: str, forms: list[str], problem: str
) -> None:
    set_plural(card, locale, forms)
    found = errors(card, "card", locale)
    assert any(problem in f.problem for f in found), [f.problem for f in found]
    assert all(f.section == "doses" and f.leaflet == "card" for f in found), found
    assert errors(card, "alpha", locale) == []  # another leaflet in that locale still passes


# -- the page furniture: a project's own polyleaf.po overrides polyleaf's ---------

FURNITURE = """\
msgid ""
msgstr ""
"Language: es\\n"
"Content-Type: text/plain; charset=utf-8\\n"

#, python-format
msgid "Page %(page)s of %(pages)s"
msgstr "{text}"
"""


def override_furniture(root: Path, text: str) -> Path:
    path = root / "locales" / "es" / "LC_MESSAGES" / "polyleaf.po"
    path.write_text(FURNITURE.format(text=text), encoding="utf-8")
    return path


def test_project_furniture_override_wins(library: Path) -> None:
    override_furniture(library, "Hoja %(page)s de %(pages)s")
    assert errors(library, "beta", "es") == []
    project = Project.load(library)
    html = Renderer(project).render("beta", project.find_locale("es"))
    assert '"Hoja " counter(page) " de " counter(pages)' in html
    assert '"Página "' not in html


def test_project_furniture_override_is_checked_for_every_leaflet(library: Path) -> None:
    path = override_furniture(library, "Página %(page)s de %(total)s")
    line = line_of(path, 'msgid "Page')
    for leaflet in ("alpha", "beta"):
        (finding,) = errors(library, leaflet, "es")
        assert str(finding) == (
            f"{leaflet} · es · - · 'Page %(page)s of %(pages)s' · "
            f"locales/es/LC_MESSAGES/polyleaf.po:{line} · placeholders differ: English has "
            "%(page)s, %(pages)s, translation has %(page)s, %(total)s"
        )
    assert errors(library, "alpha", "ar") == []
