"""Catalogs compared by content: a new Babel release is no change, a changed message is.

The fixture is a small Spanish catalog as Babel 2.18.0 wrote it; the same
content is built in memory here and written by whatever Babel is installed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import babel.messages.catalog
import pytest
from babel.messages.catalog import Catalog, Message

from conftest import ROOT
from polyleaf.catalogs import (
    catalog_differences,
    read_catalog,
    serialize_catalog,
    write_catalog,
)

HEADER_COMMENT = "# Spanish translation of a test leaflet.\n#\n# polyleaf-review: draft"

WRITTEN_BY_BABEL_2_18 = r"""# Spanish translation of a test leaflet.
#
# polyleaf-review: draft
msgid ""
msgstr ""
"Project-Id-Version: polyleaf leaflets 0.1.0\n"
"Report-Msgid-Bugs-To: EMAIL@ADDRESS\n"
"POT-Creation-Date: 2026-11-25 00:00+0000\n"
"PO-Revision-Date: 2026-11-25 00:00+0000\n"
"Last-Translator: draft, not yet reviewed\n"
"Language: es\n"
"Language-Team: Spanish\n"
"Plural-Forms: nplurals=2; plural=(n != 1);\n"
"MIME-Version: 1.0\n"
"Content-Type: text/plain; charset=utf-8\n"
"Content-Transfer-Encoding: 8bit\n"
"Generated-By: Babel 2.18.0\n"

#. The patient reads this first.
#: templates/leaflet.html:3
msgctxt "pregnancy-warning"
msgid "Do not take it if you are pregnant."
msgstr "No lo tome si está embarazada."

# Checked against the glossary.
#: templates/leaflet.html:7 templates/leaflet.html:9
#, python-format
msgid "Apply SPF %(spf)s sunscreen."
msgstr "Aplique protector solar FPS %(spf)s."

#: templates/leaflet.html:12
#, fuzzy
#| msgid "Take one capsule a day."
msgid "Take one capsule with food."
msgstr "Tome una cápsula al día."

#: templates/leaflet.html:15
#, python-format
msgid "%(num)s week"
msgid_plural "%(num)s weeks"
msgstr[0] "%(num)s semana"
msgstr[1] "%(num)s semanas"

#: templates/leaflet.html:18
msgid "Not translated yet."
msgstr ""

#~ msgid "An old message."
#~ msgstr "Un mensaje antiguo."

"""

PREGNANCY = ("Do not take it if you are pregnant.", "pregnancy-warning")
SUNSCREEN = "Apply SPF %(spf)s sunscreen."
CAPSULE = "Take one capsule with food."
WEEKS = ("%(num)s week", "%(num)s weeks")


def same_content() -> Catalog:
    """What the fixture says, built from scratch (and so written by this Babel)."""
    catalog = Catalog(
        locale="es",
        project="polyleaf leaflets",
        version="0.1.0",
        header_comment=HEADER_COMMENT,
        fuzzy=False,
    )
    catalog.creation_date = catalog.revision_date = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)
    # As the file says; Babel 2.19's CLDR data gives Spanish three plural forms.
    catalog.mime_headers = [("Plural-Forms", "nplurals=2; plural=(n != 1);")]
    catalog.language_team = "Spanish"
    catalog.last_translator = "draft, not yet reviewed"
    catalog.add(
        PREGNANCY[0],
        "No lo tome si está embarazada.",
        locations=[("templates/leaflet.html", 3)],
        auto_comments=["The patient reads this first."],
        context=PREGNANCY[1],
    )
    catalog.add(
        SUNSCREEN,
        "Aplique protector solar FPS %(spf)s.",
        locations=[("templates/leaflet.html", 7), ("templates/leaflet.html", 9)],
        user_comments=["Checked against the glossary."],
    )
    catalog.add(
        CAPSULE,
        "Tome una cápsula al día.",
        locations=[("templates/leaflet.html", 12)],
        flags=["fuzzy"],
        previous_id="Take one capsule a day.",
    )
    catalog.add(
        WEEKS, ("%(num)s semana", "%(num)s semanas"), locations=[("templates/leaflet.html", 15)]
    )
    catalog.add("Not translated yet.", locations=[("templates/leaflet.html", 18)])
    catalog.obsolete["An old message."] = Message("An old message.", "Un mensaje antiguo.")
    return catalog


@pytest.fixture
def on_disk(tmp_path: Path) -> Path:
    path = tmp_path / "messages.po"
    path.write_text(WRITTEN_BY_BABEL_2_18, encoding="utf-8")
    return path


def test_a_catalog_written_by_another_babel_release_has_the_same_content(on_disk: Path) -> None:
    assert catalog_differences(read_catalog(on_disk), same_content()) == []
    assert catalog_differences(same_content(), read_catalog(on_disk)) == []


def test_write_catalog_leaves_a_file_with_the_same_content_untouched(on_disk: Path) -> None:
    before = on_disk.read_bytes()
    assert write_catalog(on_disk, same_content()) is False
    assert write_catalog(on_disk, read_catalog(on_disk)) is False
    assert on_disk.read_bytes() == before


def test_reflowed_lines_and_message_order_are_not_content(on_disk: Path) -> None:
    text = WRITTEN_BY_BABEL_2_18.replace(
        'msgstr "Aplique protector solar FPS %(spf)s."',
        'msgstr ""\n"Aplique protector solar "\n"FPS %(spf)s."',
    )
    text = text.replace(
        '#| msgid "Take one capsule a day."', '#| msgid ""\n#| "Take one capsule "\n#| "a day."'
    )
    first, _, rest = text.partition("\n#: templates/leaflet.html:18\n")
    untranslated, _, obsolete = rest.partition("\n#~ ")
    header, _, messages = first.partition("\n\n")
    on_disk.write_text(
        f"{header}\n\n#: templates/leaflet.html:18\n{untranslated}\n{messages}\n#~ {obsolete}",
        encoding="utf-8",
    )
    assert catalog_differences(read_catalog(on_disk), same_content()) == []


def _message(catalog: Catalog, msgid: str | tuple[str, str], context: str | None = None) -> Message:
    message = catalog.get(msgid if isinstance(msgid, str) else msgid[0], context=context)
    assert message is not None
    return message


def _set(field: str, value: object, msgid: str | tuple = SUNSCREEN, context: str | None = None):  # noqa: ANN202
    return lambda catalog: setattr(_message(catalog, msgid, context), field, value)


CHANGES: dict[str, tuple[Callable[[Catalog], object], str]] = {
    "gained a message": (
        lambda c: c.add("Keep out of reach of children.", locations=[("t.html", 20)]),
        "message 'Keep out of reach of children.': added",
    ),
    "lost a message": (
        lambda c: c.delete(SUNSCREEN),
        "message 'Apply SPF %(spf)s sunscreen.': removed",
    ),
    "lost a message in a context": (
        lambda c: c.delete(*PREGNANCY),
        "message 'Do not take it if you are pregnant.' (context 'pregnancy-warning'): removed",
    ),
    "changed a translation": (
        _set("string", "Aplique protector solar FPS 15."),
        "message 'Apply SPF %(spf)s sunscreen.': string differs",
    ),
    "translated an empty message": (
        _set("string", "Aún no traducido.", "Not translated yet."),
        "message 'Not translated yet.': string differs",
    ),
    "changed one plural form": (
        _set("string", ("%(num)s semana", "%(num)s meses"), WEEKS),
        "message '%(num)s week': string differs",
    ),
    "changed a plural id": (
        _set("id", ("%(num)s week", "%(num)s weeks long"), WEEKS),
        "message '%(num)s week': id differs",
    ),
    "lost its fuzzy flag": (
        _set("flags", set(), CAPSULE),
        "message 'Take one capsule with food.': flags differs",
    ),
    "changed a location": (
        _set("locations", [("templates/leaflet.html", 8), ("templates/leaflet.html", 9)]),
        "message 'Apply SPF %(spf)s sunscreen.': locations differs",
    ),
    "changed a translator comment": (
        _set("user_comments", ["Not checked."]),
        "message 'Apply SPF %(spf)s sunscreen.': user_comments differs",
    ),
    "changed an extracted comment": (
        _set("auto_comments", [], *PREGNANCY),
        "message 'Do not take it if you are pregnant.' (context 'pregnancy-warning'): "
        "auto_comments differs",
    ),
    "changed a previous id": (
        _set("previous_id", ["Take two capsules a day."], CAPSULE),
        "message 'Take one capsule with food.': previous_id differs",
    ),
    "lost an obsolete message": (
        lambda c: c.obsolete.clear(),
        "obsolete message 'An old message.': removed",
    ),
    "marked reviewed in the header comment": (
        lambda c: setattr(c, "header_comment", HEADER_COMMENT.replace("draft", "reviewed")),
        "header header comment: ",
    ),
    "changed a header field": (
        lambda c: setattr(c, "language_team", "Spanish <es@example.org>"),
        "header Language-Team: 'Spanish' -> 'Spanish <es@example.org>'",
    ),
    "changed the template's date": (
        lambda c: setattr(c, "creation_date", dt.datetime(2027, 1, 5, tzinfo=dt.UTC)),
        "header POT-Creation-Date: '2026-11-25 00:00+0000' -> '2027-01-05 00:00+0000'",
    ),
}


@pytest.mark.parametrize("change", CHANGES, ids=list(CHANGES))
def test_a_changed_catalog_is_not_equal_and_is_written(on_disk: Path, change: str) -> None:
    edit, expected = CHANGES[change]
    catalog = same_content()
    edit(catalog)
    differences = catalog_differences(read_catalog(on_disk), catalog)
    assert len(differences) == 1 and differences[0].startswith(expected), differences
    assert write_catalog(on_disk, catalog) is True
    assert catalog_differences(read_catalog(on_disk), catalog) == []


def test_a_written_catalog_names_polyleaf_not_the_babel_release(
    on_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = same_content()
    catalog.add("Keep out of reach of children.", locations=[("templates/leaflet.html", 20)])
    written = serialize_catalog(catalog)
    assert b'"Generated-By: polyleaf\\n"' in written and b"Babel" not in written
    assert b'"POT-Creation-Date: 2026-11-25 00:00+0000\\n"' in written  # as the catalog says
    monkeypatch.setattr(babel.messages.catalog, "VERSION", "2.99.0")
    assert serialize_catalog(catalog) == written  # the next Babel release changes no byte
    assert write_catalog(on_disk, catalog) is True
    assert on_disk.read_bytes() == written


def test_an_unreadable_file_is_replaced(on_disk: Path) -> None:
    on_disk.write_text('msgid "broken\n', encoding="utf-8")
    assert write_catalog(on_disk, same_content()) is True
    assert catalog_differences(read_catalog(on_disk), same_content()) == []


@pytest.mark.parametrize(
    "path",
    [
        ROOT / "locales" / "es" / "LC_MESSAGES" / "isotretinoin-20mg.po",
        ROOT / "locales" / "ar" / "LC_MESSAGES" / "isotretinoin-reminder-card.po",
    ],
    ids=["es", "ar-card"],
)
def test_rewriting_a_real_catalog_keeps_its_header_comment_as_committed(
    path: Path, tmp_path: Path
) -> None:
    """An edit that rewrites the file (import, update, a fix by polyleaf) changes
    that message only, not the header's wording or layout."""
    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    catalog = read_catalog(copy, locale=path.parent.parent.name)
    message = next(m for m in catalog if m.id and isinstance(m.string, str))
    message.string += " (edited)"
    write_catalog(copy, catalog)

    def header(file: Path) -> str:
        return file.read_text(encoding="utf-8").split('msgid ""', 1)[0]

    assert header(copy) == header(path)
    assert copy.read_bytes() != path.read_bytes()
