"""Review bound to content: sign, edit, re-check; who may sign; what survives which tool.

Every test builds a small catalog of its own; nothing here depends on the
project's layout.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tomllib
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from polyleaf import review
from polyleaf.catalogs import message_key
from polyleaf.errors import CatalogError, PolyleafError
from polyleaf.review import State, Status
from polyleaf.reviewfile import (
    FINGERPRINT_VERSION,
    Record,
    ReviewFile,
    dump_review,
    fingerprint,
    read_review,
    review_path,
)

REVIEWER = "Dr Ana Ruiz, certified medical translator"
DAY = date(2026, 12, 1)
PREGNANT = ("pregnancy", "Do not take isotretinoin if you are pregnant.")
SPF = ("sunscreen", "Use a sunscreen of SPF 30 or more.")


def make_catalog(translator: str = "Luis Gómez <luis@example.org>") -> Catalog:
    catalog = Catalog(locale="es", last_translator=translator, project="polyleaf leaflets")
    catalog.add(
        "Page %(page)s of %(pages)s",
        "Página %(page)s de %(pages)s",
        flags=["python-format"],
        locations=[("templates/base.html", 29)],
    )
    catalog.add(PREGNANT[1], "No tome isotretinoína si está embarazada.", context=PREGNANT[0])
    catalog.add(SPF[1], "Use un protector solar con FPS 30 o más.", context=SPF[0])
    catalog.add(
        ("Take %(n)s capsule a day.", "Take %(n)s capsules a day."),
        # Babel gives Spanish three forms (CLDR 46: one, many, other).
        (
            "Tome %(n)s cápsula al día.",
            "Tome %(n)s de cápsulas al día.",
            "Tome %(n)s cápsulas al día.",
        ),
        context="dose",
        flags=["python-format"],
    )
    catalog.add("Ask your pharmacist.", "Consulte a su farmacéutico.", context=None)
    return catalog


@pytest.fixture
def side(tmp_path: Path) -> Path:
    return review_path(tmp_path / "isotretinoin-20mg.po")


def current(catalog: Catalog, side: Path) -> review.ReviewSummary:
    return review.status(catalog, read_review(side))


def states(summary: review.ReviewSummary) -> dict:
    return {m.key: m.state for m in summary.messages}


def message(catalog: Catalog, key: tuple[str | None, str]):
    return catalog.get(key[1], context=key[0])


def test_side_file_sits_beside_the_catalog(tmp_path: Path) -> None:
    po = tmp_path / "es" / "LC_MESSAGES" / "isotretinoin-20mg.po"
    assert review_path(po) == po.with_name("isotretinoin-20mg.review.toml")


def test_one_status_vocabulary() -> None:
    assert [s.value for s in Status] == [
        "reviewed",
        "partly reviewed",
        "draft",
        "blocked by the gate",
    ]


def test_nothing_signed_is_a_draft(side: Path) -> None:
    summary = current(make_catalog(), side)
    assert summary.status is Status.DRAFT and summary.describe() == "draft"
    assert set(states(summary).values()) == {State.NEVER_SIGNED}


def test_signing_every_message_makes_the_catalog_reviewed(side: Path) -> None:
    catalog = make_catalog()
    result = review.sign(catalog, side, REVIEWER, today=DAY)
    assert len(result.signed) == 5 and not result.skipped and result.written
    summary = current(catalog, side)
    assert summary.status is Status.REVIEWED
    assert summary.reviewers == (review.Reviewer("Dr Ana Ruiz", "certified medical translator"),)
    assert summary.reviewed_on == DAY
    assert summary.describe() == (
        "reviewed by Dr Ana Ruiz, certified medical translator on 2026-12-01"
    )
    data = tomllib.loads(side.read_text(encoding="utf-8"))
    assert data["signature"] == [
        {
            "by": "Dr Ana Ruiz",
            "credential": "certified medical translator",
            "on": DAY,
            "messages": 5,
        }
    ]
    assert all(r["fingerprint"].startswith(f"{FINGERPRINT_VERSION}:") for r in data["message"])


def test_editing_a_translation_makes_that_message_unreviewed(side: Path) -> None:
    catalog = make_catalog()
    review.sign(catalog, side, REVIEWER, today=DAY)
    message(catalog, SPF).string = "Use un protector solar con FPS 15 o más."
    summary = current(catalog, side)
    assert summary.status is Status.PARTLY_REVIEWED
    assert summary.describe() == "partly reviewed: 4 of 5 messages"
    assert [(m.key, m.state) for m in summary.unreviewed] == [(SPF, State.TRANSLATION_CHANGED)]
    lines = review.render_diff(review.diff(summary))
    assert lines[0].startswith("sunscreen · ") and "translation changed" in lines[0]
    assert "signed by Dr Ana Ruiz, certified medical translator on 2026-12-01" in lines[0]
    assert lines[1] == f"  English:     {SPF[1]}"
    assert lines[2] == "  Translation: Use un protector solar con FPS [-30-]{+15+} o más."


def test_changing_it_back_restores_the_sign_off(side: Path) -> None:
    """The fingerprint is over the words: the signed words are reviewed, whoever typed them."""
    catalog = make_catalog()
    review.sign(catalog, side, REVIEWER, today=DAY)
    original = message(catalog, SPF).string
    message(catalog, SPF).string = "otra cosa"
    message(catalog, SPF).string = original
    assert current(catalog, side).status is Status.REVIEWED


def test_a_plural_form_edit_counts(side: Path) -> None:
    catalog = make_catalog()
    review.sign(catalog, side, REVIEWER, today=DAY)
    dose = catalog.get("Take %(n)s capsule a day.", context="dose")
    dose.string = (*dose.string[:2], "Tome %(n)s cápsulas por día.")
    summary = current(catalog, side)
    assert states(summary)[("dose", "Take %(n)s capsule a day.")] is State.TRANSLATION_CHANGED
    lines = review.render_diff(review.diff(summary))
    assert lines[2] == "  Form [0]:    Tome %(n)s cápsula al día."
    assert lines[4] == "  Form [2]:    Tome %(n)s cápsulas [-al-]{+por+} día."


def english_changed(catalog: Catalog, old: tuple[str, str], new_english: str) -> Catalog:
    """The same catalog after the template's English of *old* changed (as pybabel update does)."""
    template = Catalog(locale=None)
    for m in catalog:
        if m.id and (m.context, m.id) != old:
            template.add(m.id, context=m.context, flags=m.flags)
    template.add(new_english, context=old[0])
    catalog.update(template)
    return catalog


def test_a_change_of_the_english_makes_the_message_unreviewed(side: Path) -> None:
    catalog = make_catalog()
    review.sign(catalog, side, REVIEWER, today=DAY)
    new = "Do not take isotretinoin if you are pregnant or breastfeeding."
    english_changed(catalog, PREGNANT, new)
    summary = current(catalog, side)
    assert states(summary)[(PREGNANT[0], new)] is State.FUZZY  # pybabel update's fuzzy match
    assert summary.reviewed_count == 4
    # The translator updates the translation and clears the fuzzy mark: still not reviewed.
    updated = message(catalog, (PREGNANT[0], new))
    updated.string = "No tome isotretinoína si está embarazada o amamantando."
    updated.flags.discard("fuzzy")
    summary = current(catalog, side)
    assert states(summary)[(PREGNANT[0], new)] is State.ENGLISH_CHANGED
    lines = review.render_diff(review.diff(summary))
    assert lines[1] == (
        "  English:     Do not take isotretinoin if you are pregnant{+ or breastfeeding+}."
    )
    assert lines[2] == (
        "  Translation: No tome isotretinoína si está embarazada{+ o amamantando+}."
    )


def test_a_message_moved_to_another_section_is_unreviewed(side: Path) -> None:
    catalog = make_catalog()
    review.sign(catalog, side, REVIEWER, today=DAY)
    old = message(catalog, SPF)
    catalog.delete(SPF[1], context=SPF[0])
    catalog.add(SPF[1], old.string, context="sun")
    assert states(current(catalog, side))[("sun", SPF[1])] is State.ENGLISH_CHANGED


def test_empty_and_fuzzy_messages_are_never_reviewed(side: Path) -> None:
    catalog = make_catalog()
    catalog.add("Keep out of reach of children.", "", context=None)
    result = review.sign(catalog, side, REVIEWER, today=DAY)
    assert result.skipped == (((None, "Keep out of reach of children."), State.UNTRANSLATED),)
    message(catalog, SPF).flags.add("fuzzy")
    summary = current(catalog, side)
    assert summary.status is Status.PARTLY_REVIEWED
    assert {m.key: m.state for m in summary.unreviewed} == {
        (None, "Keep out of reach of children."): State.UNTRANSLATED,
        SPF: State.FUZZY,
    }


def test_source_keys_count_messages_the_catalog_lacks(side: Path) -> None:
    catalog = make_catalog()
    review.sign(catalog, side, REVIEWER, today=DAY)
    keys = [*(message_key(m) for m in catalog if m.id), ("alcohol", "Avoid alcohol.")]
    summary = review.status(catalog, read_review(side), keys)
    assert summary.status is Status.PARTLY_REVIEWED
    assert [(m.key, m.state) for m in summary.unreviewed] == [
        (("alcohol", "Avoid alcohol."), State.MISSING)
    ]


def test_a_stale_sign_off_is_not_kept_by_signing_other_messages(side: Path) -> None:
    catalog = make_catalog()
    review.sign(catalog, side, REVIEWER, today=DAY)
    message(catalog, SPF).string = "Use un protector solar con FPS 15 o más."
    pregnancy_id = review.message_id(PREGNANT)
    result = review.sign(catalog, side, "Dr Eva Sanz, MD", [pregnancy_id], today=date(2026, 12, 2))
    assert result.signed == (PREGNANT,)
    summary = current(catalog, side)
    assert states(summary)[SPF] is State.TRANSLATION_CHANGED
    record = next(m.record for m in summary.messages if m.key == PREGNANT)
    assert (record.by, record.on) == ("Dr Eva Sanz", date(2026, 12, 2))
    # Naming the changed message (here by its section) signs its new words.
    review.sign(catalog, side, "Dr Eva Sanz, MD", ["sunscreen"], today=date(2026, 12, 2))
    summary = current(catalog, side)
    assert summary.status is Status.REVIEWED
    assert summary.reviewers[0].name == "Dr Ana Ruiz"  # signed more of the current messages
    assert summary.reviewed_on == date(2026, 12, 2)
    signed = {(s.by, s.messages) for s in read_review(side).signatures}
    assert signed == {("Dr Ana Ruiz", 5), ("Dr Eva Sanz", 2)}


def test_messages_are_named_by_id_text_or_section(side: Path) -> None:
    catalog = make_catalog()
    review.sign(catalog, side, REVIEWER, ["Ask your pharmacist.", "pregnancy"], today=DAY)
    assert current(catalog, side).reviewed_count == 2
    with pytest.raises(PolyleafError, match="names no message"):
        review.sign(catalog, side, REVIEWER, ["no such thing"], today=DAY)
    message(catalog, SPF).flags.add("fuzzy")
    with pytest.raises(PolyleafError, match="is marked fuzzy; it cannot be signed yet"):
        review.sign(catalog, side, REVIEWER, [review.message_id(SPF)[:8]], today=DAY)


def test_signing_all_sweeps_records_of_messages_gone_from_the_catalog(side: Path) -> None:
    catalog = make_catalog()
    review.sign(catalog, side, REVIEWER, today=DAY)
    catalog.delete("Ask your pharmacist.")
    review.sign(catalog, side, REVIEWER, today=DAY)
    assert (None, "Ask your pharmacist.") not in read_review(side).records
    assert len(read_review(side).records) == 4


@pytest.mark.parametrize(
    "by",
    [
        "Luis Gómez, certified medical translator",
        "luis   GOMEZ, MD",
        "Dr. Luis Gomez, PhD",
    ],
)
def test_the_translator_cannot_sign(side: Path, by: str) -> None:
    catalog = make_catalog(translator="Luis Gómez <luis@example.org>")
    with pytest.raises(PolyleafError) as refused:
        review.sign(catalog, side, by, today=DAY)
    assert "\n" not in str(refused.value)
    assert "this catalog's translator" in str(refused.value)
    assert not side.exists()


def test_a_translator_credited_in_the_header_comment_cannot_sign(side: Path) -> None:
    catalog = make_catalog(translator="")
    catalog.header_comment = "# Spanish translation.\n# Marta Díaz <marta@example.org>, 2026."
    with pytest.raises(PolyleafError, match="Marta Díaz"):
        review.sign(catalog, side, "Marta Diaz, certified translator", today=DAY)


def test_a_messages_own_translator_cannot_sign_it(side: Path) -> None:
    catalog = make_catalog(translator="")
    message(catalog, SPF).user_comments.append("translator: Eva Sanz")
    with pytest.raises(PolyleafError, match="Eva Sanz translated 1 of these messages"):
        review.sign(catalog, side, "Dr Eva Sanz, MD", today=DAY)
    review.sign(catalog, side, "Dr Eva Sanz, MD", ["pregnancy"], today=DAY)
    assert current(catalog, side).reviewed_count == 1


@pytest.mark.parametrize("by", ["Ana Ruiz", "Ana Ruiz,", ", translator", "  "])
def test_a_reviewer_gives_name_and_credential(side: Path, by: str) -> None:
    with pytest.raises(PolyleafError, match="give the reviewer as 'Name, credential'"):
        review.sign(make_catalog(), side, by, today=DAY)


def test_a_side_file_copied_to_another_locale_signs_nothing(side: Path, tmp_path: Path) -> None:
    review.sign(make_catalog(), side, REVIEWER, today=DAY)
    assert 'locale = "es"' in side.read_text(encoding="utf-8")
    copied = make_catalog()
    copied.locale = "pt_BR"
    with pytest.raises(CatalogError, match="signed for locale 'es', but its catalog is 'pt_BR'"):
        review.status(copied, read_review(side))


# -- the side file -------------------------------------------------------------


def test_the_side_file_is_deterministic_and_written_whole(side: Path) -> None:
    catalog = make_catalog()
    review.sign(catalog, side, REVIEWER, today=DAY)
    first = side.read_bytes()
    assert review.sign(catalog, side, REVIEWER, today=DAY).written is False
    assert side.read_bytes() == first
    assert sorted(p.name for p in side.parent.iterdir()) == [side.name]  # no temporary left
    contexts = [r.context or "" for r in read_review(side).records.values()]
    assert contexts == sorted(contexts)


def test_text_of_every_kind_survives_the_side_file(tmp_path: Path) -> None:
    strings = ['quote " and \\ backslash', "line\nbreak\ttab\r", "del \x7f bell \x07", "لا تتناول"]
    records = {}
    for index, text in enumerate(strings):
        forms = (text, text + "!")
        record = Record(
            context=text,
            msgid=f"{index} {text}",
            msgid_plural=text,
            msgstr=forms,
            fingerprint=fingerprint(text, f"{index} {text}", text, forms),
            by="Ana",
            credential="MD",
            on=DAY,
        )
        records[record.key] = record
    path = tmp_path / "x.review.toml"
    path.write_text(dump_review(ReviewFile(path, records), "x.po"), encoding="utf-8")
    assert read_review(path).records == records


def _in_first_message(text: str, by: str) -> str:
    """*text* with the reviewer of its first [[message]] table replaced by *by*."""
    start = text.index("[[message]]")
    return text[:start] + re.sub(r'^by = ".*"$', by, text[start:], count=1, flags=re.M)


@pytest.mark.parametrize(
    ("damage", "line", "detail"),
    [
        (lambda t: t.replace('msgid = "Ask', "msgid = Ask", 1), None, "malformed review file"),
        (
            lambda t: t.replace("on = 2026-12-01\n\n[[message]]", "\n[[message]]", 1),
            None,
            "on: field required",
        ),
        (
            lambda t: t.replace("Consulte", "Consulten", 1),
            None,
            "fingerprint does not match the recorded text",
        ),
        (
            lambda t: t.replace("[[message]]\n", "[[message]]\ncolour = 1\n", 1),
            None,
            "colour: extra inputs are not permitted",
        ),
        (lambda t: t.replace("format = 1", "format = 2"), 1, "review file format 2"),
        # strict: TOML has its own types, so true is not 1 and "1" is not a number
        (lambda t: t.replace("format = 1", "format = true"), 1, "review file format True"),
        (lambda t: t.replace("format = 1", "format = 1.0"), 1, "review file format 1.0"),
        (
            lambda t: re.sub(r"messages = \d+", "messages = -1", t),
            None,
            "[[signature]] messages: input should be greater than or equal to 0",
        ),
        (
            lambda t: re.sub(r"messages = \d+", "messages = true", t),
            None,
            "[[signature]] messages: input should be a valid integer",
        ),
        (lambda t: _in_first_message(t, 'by = ""'), None, "[[message]] by: must not be empty"),
        (
            lambda t: _in_first_message(t, 'by = "  "'),
            None,
            "[[message]] by: must not be empty",
        ),
        (
            lambda t: t.replace('credential = "certified', 'credential = " "\n# "', 1),
            None,
            "[[signature]] credential: must not be empty",
        ),
        (
            lambda t: t.replace("on = 2026-12-01", 'on = "2026-12-01"', 1),
            None,
            "[[signature]] on: input should be a valid date",
        ),
    ],
)
def test_a_damaged_side_file_is_one_line_naming_file_and_line(side, damage, line, detail) -> None:
    review.sign(make_catalog(), side, REVIEWER, today=DAY)
    text = damage(side.read_text(encoding="utf-8"))
    side.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as error:
        read_review(side)
    message = str(error.value)
    assert "\n" not in message and detail in message
    assert message.startswith(f"{side}:")
    assert error.value.line  # every one of these is placed on a line
    if line:
        assert error.value.line == line


def test_a_damaged_record_is_placed_on_its_own_line(side: Path) -> None:
    review.sign(make_catalog(), side, REVIEWER, today=DAY)
    lines = side.read_text(encoding="utf-8").splitlines()
    third = [n for n, line in enumerate(lines, 1) if line == "[[message]]"][2]
    lines[third] = lines[third].replace("context", "contxt")
    side.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CatalogError) as error:
        read_review(side)
    assert error.value.line == third


# -- what survives which tool ---------------------------------------------------


def babel_resave(catalog: Catalog, **options) -> Catalog:
    buffer = io.BytesIO()
    write_po(buffer, catalog, **options)
    return read_po(io.BytesIO(buffer.getvalue()), locale="es")


def po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_po(buffer, catalog)
    return buffer.getvalue()


@pytest.fixture
def signed(side: Path) -> Catalog:
    catalog = make_catalog()
    catalog.add(
        "A long safety sentence that any PO editor will wrap at seventy-six or eighty "
        'columns, with "quotes", a backslash \\ and a tab\tinside.',
        "Una frase de seguridad larga que cualquier editor de PO partirá en setenta y seis u "
        'ochenta columnas, con "comillas", una barra \\ y un tabulador\tdentro.',
        context="pregnancy",
    )
    catalog.add("Line one\nline two", "Línea uno\nlínea dos", context="alcohol")
    review.sign(catalog, side, REVIEWER, today=DAY)
    return catalog


def test_survives_babel_write_and_read(signed: Catalog, side: Path) -> None:
    for options in ({}, {"width": 0}, {"width": 20}, {"sort_output": True}):
        assert current(babel_resave(signed, **options), side).status is Status.REVIEWED


def test_survives_a_translate_toolkit_save(signed: Catalog, side: Path) -> None:
    """translate-toolkit's PO store is what Weblate (and pot2po, pofilter) read and write."""
    from translate.storage.po import pofile

    store = pofile.parsestring(po_bytes(signed))
    saved = bytes(store)
    assert saved != po_bytes(signed)  # it does rewrite the file ...
    resaved = read_po(io.BytesIO(saved), locale="es")
    assert current(resaved, side).status is Status.REVIEWED  # ... but not the words
    unit = next(u for u in store.units if u.source == SPF[1])
    unit.target = "Use un protector solar con FPS 50 o más."  # an editor's change
    edited = read_po(io.BytesIO(bytes(store)), locale="es")
    assert [m.key for m in current(edited, side).unreviewed] == [SPF]


def test_survives_pybabel_update_when_the_english_is_unchanged(signed: Catalog, side) -> None:
    template = Catalog()
    for m in signed:
        if m.id:
            template.add(
                m.id, context=m.context, flags=m.flags, locations=[("templates/x.html", 1)]
            )
    template.add("A new message.", context=None)
    signed.update(template)
    summary = current(babel_resave(signed), side)
    assert [(m.key, m.state) for m in summary.unreviewed] == [
        ((None, "A new message."), State.UNTRANSLATED)
    ]
    assert summary.reviewed_count == summary.total - 1


@pytest.mark.skipif(not shutil.which("msgcat"), reason="GNU gettext not installed")
def test_survives_gnu_msgcat_and_msgmerge(signed: Catalog, side: Path, tmp_path: Path) -> None:
    po, pot = tmp_path / "es.po", tmp_path / "x.pot"
    po.write_bytes(po_bytes(signed))
    template = Catalog()
    for m in signed:
        if m.id:
            template.add(m.id, context=m.context, flags=m.flags)
    buffer = io.BytesIO()
    write_po(buffer, template)
    pot.write_bytes(buffer.getvalue())
    for command in (
        ["msgcat", "--width=20", "-o", str(po), str(po)],
        ["msgmerge", "--quiet", "--update", "--backup=none", str(po), str(pot)],
    ):
        subprocess.run(command, check=True, capture_output=True, timeout=60)
        with po.open("rb") as handle:
            catalog = read_po(handle, locale="es")
        assert current(catalog, side).status is Status.REVIEWED, command
