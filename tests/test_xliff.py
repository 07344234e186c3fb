"""XLIFF 1.2 and TMX exchange: valid files, exact round trips, damage refused whole."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from lxml import etree

from polyleaf import review, xliff
from polyleaf.catalogs import read_catalog, serialize_catalog, write_catalog
from polyleaf.review import State
from polyleaf.reviewfile import read_review, review_path

DATA = Path(__file__).parent / "data" / "xliff"
ROOT = Path(__file__).resolve().parent.parent
NS = {"x": xliff.NS}
SPF = ("sunscreen", "Use a sunscreen of SPF 30 or more.")
SPF_ID = review.message_id(SPF)


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(DATA / "xliff-core-1.2-strict.xsd")))


def make_catalog() -> Catalog:
    catalog = Catalog(locale="es", last_translator="Luis Gómez <luis@example.org>")
    catalog.add(
        "Page %(page)s of %(pages)s",
        "Página %(page)s de %(pages)s",
        flags=["python-format"],
        locations=[("templates/base.html", 29)],
        auto_comments=["Page furniture, on every page."],
    )
    catalog.add(SPF[1], "Use un protector solar con FPS 30 o más.", context=SPF[0])
    catalog.add("Take it with food.", "Tómelo con comida.", context="dose")
    catalog.add(
        "Take it with food.", "Tómelo con alimentos.", context="food"
    )  # one msgid, two contexts
    catalog.add("Avoid alcohol.", "Evite el alcohol.", context="alcohol", flags=["fuzzy"])
    catalog.add("Keep out of reach of children.", "", context=None)
    catalog.add("Line one\nline two, <not a tag> & more", "Línea uno\nlínea dos, <not a tag> & más")
    catalog.add("  spaced  ", "  espaciado  ")
    catalog.add(
        ("%(n)s capsule", "%(n)s capsules"),
        ("%(n)s cápsula", "%(n)s de cápsulas", "%(n)s cápsulas"),
        context="dose",
        flags=["python-format"],
    )
    return catalog


def roundtrip(catalog: Catalog, data: bytes | None = None) -> xliff.ImportResult:
    data = xliff.export_xliff(catalog, "en", "es") if data is None else data
    return xliff.import_xliff(data, catalog, "en", "es")


def units(data: bytes) -> dict[str, etree._Element]:
    root = etree.fromstring(data)
    return {u.get("id"): u for u in root.iterfind(".//x:trans-unit", NS)}


def test_export_is_valid_xliff_1_2(schema: etree.XMLSchema) -> None:
    data = xliff.export_xliff(make_catalog(), "en", "es", original="isotretinoin-20mg.po")
    document = etree.fromstring(data)
    assert schema.validate(document), schema.error_log
    file = document.find("x:file", NS)
    assert (file.get("source-language"), file.get("target-language")) == ("en", "es")
    assert file.get("original") == "isotretinoin-20mg.po"


def test_every_project_catalog_exports_valid_xliff(schema: etree.XMLSchema) -> None:
    catalogs = sorted((ROOT / "locales").rglob("*.po"))
    assert catalogs
    for path in catalogs:
        tag = path.parent.parent.name.replace("_", "-")
        data = xliff.export_xliff(read_catalog(path), "en", tag)
        assert schema.validate(etree.fromstring(data)), (path, schema.error_log)


def test_units_carry_context_placeholders_and_state() -> None:
    catalog = make_catalog()
    found = units(xliff.export_xliff(catalog, "en", "es"))
    page = found[review.message_id((None, "Page %(page)s of %(pages)s"))]
    assert page.get("resname") is None
    source, target = page.find("x:source", NS), page.find("x:target", NS)
    assert [(ph.get("id"), ph.text) for ph in source] == [("1", "%(page)s"), ("2", "%(pages)s")]
    assert [(ph.get("id"), ph.text) for ph in target] == [("1", "%(page)s"), ("2", "%(pages)s")]
    assert source.text == "Page " and target.text == "Página "
    assert page.find("x:note", NS).text == "Page furniture, on every page."
    spf = found[review.message_id(SPF)]
    assert spf.get("resname") == "sunscreen"
    assert spf.find("x:target", NS).get("state") == "translated"
    alcohol = found[review.message_id(("alcohol", "Avoid alcohol."))]
    assert alcohol.find("x:target", NS).get("state") == "needs-review-translation"
    empty = found[review.message_id((None, "Keep out of reach of children."))]
    assert empty.find("x:target", NS).get("state") == "new"
    assert "approved" not in spf.attrib  # nothing is signed


def test_plurals_are_a_group_of_one_unit_per_form() -> None:
    data = xliff.export_xliff(make_catalog(), "en", "es")
    group = etree.fromstring(data).find(".//x:group", NS)
    assert group.get("restype") == "x-gettext-plurals" and group.get("resname") == "dose"
    forms = group.findall("x:trans-unit", NS)
    assert [u.get("id") for u in forms] == [f"{group.get('id')}[{i}]" for i in range(3)]
    assert ["".join(u.find("x:source", NS).itertext()) for u in forms] == [
        "%(n)s capsule",
        "%(n)s capsules",
        "%(n)s capsules",
    ]


def test_approved_only_for_messages_a_reviewer_signed(tmp_path: Path) -> None:
    catalog = make_catalog()
    side = review_path(tmp_path / "es.po")
    review.sign(catalog, side, "Dr Ana Ruiz, certified medical translator", ["sunscreen"])
    summary = review.status(catalog, read_review(side))
    found = units(xliff.export_xliff(catalog, "en", "es", review=summary))
    approved = [u.get("resname") for u in found.values() if u.get("approved") == "yes"]
    assert approved == ["sunscreen"]


def test_po_to_xliff_to_po_changes_nothing() -> None:
    catalog = make_catalog()
    result = roundtrip(catalog)
    assert result.ok and result.changed == ()
    assert serialize_catalog(result.catalog) == serialize_catalog(catalog)


def test_every_project_catalog_round_trips_unchanged(tmp_path: Path) -> None:
    for path in sorted((ROOT / "locales").rglob("*.po")):
        copy = tmp_path / path.relative_to(ROOT)
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(path.read_bytes())
        tag = path.parent.parent.name.replace("_", "-")
        data = xliff.export_xliff(read_catalog(copy), "en", tag)
        result = xliff.import_into(data, copy, "en", tag)
        assert result.ok and result.changed == (), (path, result.problems)
        assert copy.read_bytes() == path.read_bytes()


def edit(data: bytes, old: str, new: str, count: int = 1) -> bytes:
    text = data.decode("utf-8")
    assert old in text, old
    return text.replace(old, new, count).encode("utf-8")


def test_an_agency_translation_is_merged_and_unreviewed(tmp_path: Path) -> None:
    catalog = make_catalog()
    side = review_path(tmp_path / "es.po")
    review.sign(catalog, side, "Dr Ana Ruiz, certified medical translator")
    data = xliff.export_xliff(catalog, "en", "es", review=review.status(catalog, read_review(side)))
    data = edit(
        data, "Use un protector solar con FPS 30 o más.", "Aplique protector solar FPS 30 o más."
    )
    data = edit(data, 'state="needs-review-translation"', 'state="translated"')
    result = roundtrip(catalog, data)
    assert result.ok, result.problems
    assert set(result.changed) == {SPF, ("alcohol", "Avoid alcohol.")}
    merged = result.catalog.get(SPF[1], context=SPF[0])
    assert merged.string == "Aplique protector solar FPS 30 o más."
    assert not result.catalog.get("Avoid alcohol.", context="alcohol").fuzzy
    assert catalog.get(SPF[1], context=SPF[0]).string.startswith("Use un")  # the input is a copy
    # The file said approved="yes" for the unit; that is the agency's claim, not a sign-off.
    assert b'approved="yes"' in data
    summary = review.status(result.catalog, read_review(side))
    assert {m.key: m.state for m in summary.unreviewed}[SPF] is State.TRANSLATION_CHANGED


def test_a_unit_marked_for_review_comes_back_fuzzy() -> None:
    catalog = make_catalog()
    data = xliff.export_xliff(catalog, "en", "es")
    unit_id = review.message_id(SPF)
    pattern = rf'(<trans-unit id="{unit_id}".*?<target) state="translated"'
    data = re.sub(pattern, r'\1 state="needs-review-translation"', data.decode(), flags=re.S)
    result = roundtrip(catalog, data.encode())
    assert result.ok and result.changed == (SPF,)
    assert result.catalog.get(SPF[1], context=SPF[0]).fuzzy


def test_cat_tool_segment_markers_are_read_through() -> None:
    catalog = make_catalog()
    data = edit(
        xliff.export_xliff(catalog, "en", "es"),
        '<target state="translated">Use un protector solar con FPS 30 o más.</target>',
        '<target state="translated"><mrk mtype="seg" mid="1">Use un protector solar con FPS 30 '
        "o más.</mrk></target>",
    )
    result = roundtrip(catalog, data)
    assert result.ok and result.changed == ()


SPF_TARGET = "Use un protector solar con FPS 30 o más."


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        pytest.param(
            lambda d: edit(d, SPF_TARGET, "Use un protector solar con FPS 15 o más."),
            "sunscreen · {spf} · numbers differ: English has 30, file has 15",
            id="SPF 30 -> SPF 15",
        ),
        pytest.param(
            lambda d: re.sub(
                rf'<trans-unit id="{SPF_ID}".*?</trans-unit>'.encode(), b"", d, flags=re.S
            ),
            "sunscreen · {spf} · unit missing: 'Use a sunscreen of SPF 30 or more.' is in the "
            "catalog",
            id="dropped unit",
        ),
        pytest.param(
            lambda d: edit(
                d,
                "</body>",
                '<trans-unit id="extra1" resname="pregnancy"><source>Stop now.</source>'
                "<target>Pare ya.</target></trans-unit></body>",
            ),
            "pregnancy · extra1 · unit added",
            id="added unit",
        ),
        pytest.param(
            lambda d: edit(
                d, "<source>Use a sunscreen of SPF 30", "<source>Use a sunscreen of SPF 15"
            ),
            "sunscreen · {spf} · source changed: English is 'Use a sunscreen of SPF 30 or more.', "
            "file has 'Use a sunscreen of SPF 15 or more.'",
            id="changed source",
        ),
        pytest.param(
            lambda d: edit(
                d, SPF_TARGET, 'Use un <g id="b1">protector</g> solar con FPS 30 o más.'
            ),
            "sunscreen · {spf} · markup added: <g>",
            id="added <g>",
        ),
        pytest.param(
            lambda d: edit(
                d, SPF_TARGET, "Use un &lt;b&gt;protector&lt;/b&gt; solar con FPS 30 o más."
            ),
            "sunscreen · {spf} · markup: HTML '</b>' that the English does not have",
            id="added <b> as text",
        ),
        pytest.param(
            lambda d: edit(d, SPF_TARGET, "Use un **protector** solar con FPS 30 o más."),
            "sunscreen · {spf} · markup differs: English has none, translation has strong",
            id="added Markdown",
        ),
        pytest.param(
            lambda d: edit(d, SPF_TARGET, "Use un protector solar con FPS 30 o más &amp;amp; ya."),
            "sunscreen · {spf} · markup: a character reference '&amp;' that the English does",
            id="added entity",
        ),
        pytest.param(
            lambda d: edit(
                d,
                '<ph id="2" ctype="x-python-format">%(pages)s</ph></target>',
                '<ph id="2" ctype="x-python-format">%(pgs)s</ph></target>',
            ),
            "- · {page} · placeholders differ: English has %(page)s, %(pages)s, file has "
            "%(page)s, %(pgs)s",
            id="placeholder renamed",
        ),
        pytest.param(
            lambda d: edit(
                d, '<ph id="1" ctype="x-python-format">%(page)s</ph> de', "la página de"
            ),
            "- · {page} · placeholders differ",
            id="placeholder dropped",
        ),
        pytest.param(
            lambda d: edit(d, "</trans-unit>", "</trans-unt>"),
            "file · malformed XML at line",
            id="malformed XML",
        ),
        pytest.param(
            lambda d: edit(d, 'target-language="es"', 'target-language="pt"'),
            "file · target language 'pt', expected 'es'",
            id="wrong target language",
        ),
        pytest.param(
            lambda d: edit(d, SPF_TARGET, ""),
            "sunscreen · {spf} · translation removed",
            id="translation removed",
        ),
    ],
)
def test_damage_is_refused_and_the_catalog_left_byte_identical(
    tmp_path: Path, damage, expected: str
) -> None:
    path = tmp_path / "es" / "LC_MESSAGES" / "isotretinoin-20mg.po"
    write_catalog(path, make_catalog())
    before = path.read_bytes()
    data = damage(xliff.export_xliff(read_catalog(path, locale="es"), "en", "es"))
    result = xliff.import_into(data, path, "en", "es")
    assert not result.ok
    spf = review.message_id(SPF)
    page = review.message_id((None, "Page %(page)s of %(pages)s"))
    wanted = expected.format(spf=spf, page=page)
    assert any(str(p).startswith(wanted) for p in result.problems), result.problems
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]


@pytest.mark.parametrize(
    ("old", "new", "name"),
    [
        (f"{SPF_TARGET}</target>", f"{SPF_TARGET}</target>\n<target>FPS 15.</target>", "target"),
        ("30 or more.</source>", "30 or more.</source>\n<source>SPF 15.</source>", "source"),
    ],
)
def test_a_second_target_or_source_in_a_unit_is_refused(
    tmp_path: Path, old: str, new: str, name: str
) -> None:
    """The second <target> was silently ignored: which translation did the agency mean?"""
    path = tmp_path / "es" / "LC_MESSAGES" / "isotretinoin-20mg.po"
    write_catalog(path, make_catalog())
    before = path.read_bytes()
    data = edit(xliff.export_xliff(read_catalog(path, locale="es"), "en", "es"), old, new)
    line = data.decode("utf-8")[: data.decode("utf-8").index(new)].count("\n") + 2
    result = xliff.import_into(data, path, "en", "es")
    assert not result.ok
    assert [str(p) for p in result.problems] == [
        f"sunscreen · {review.message_id(SPF)} · line {line}: a second <{name}> in one unit"
    ]
    assert path.read_bytes() == before


def test_every_problem_is_named_at_once() -> None:
    catalog = make_catalog()
    data = xliff.export_xliff(catalog, "en", "es")
    data = edit(data, SPF_TARGET, "Use un protector solar con FPS 15 o más.")
    data = edit(data, "Evite el alcohol.", "Evite el <b>alcohol</b>.")
    result = roundtrip(catalog, data)
    assert [p.unit.split(" · ")[0] for p in result.problems] == ["sunscreen", "alcohol"]


@pytest.mark.parametrize(
    "document",
    [
        # An external entity (XXE) that would read a local file.
        b'<?xml version="1.0"?><!DOCTYPE xliff [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.2"><file original="a"'
        b' source-language="en" target-language="es" datatype="po"><body><trans-unit id="a">'
        b"<source>a</source><target>&x;</target></trans-unit></body></file></xliff>",
        # Billion laughs.
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            b'<!ENTITY lol%d "%s">' % (n, (b"&lol%d;" % (n - 1) if n > 1 else b"&lol;") * 10)
            for n in range(1, 10)
        )
        + b"]><xliff>&lol9;</xliff>",
        # A DTD fetched over the network.
        b'<?xml version="1.0"?><!DOCTYPE xliff SYSTEM "http://example.invalid/x.dtd"><xliff/>',
    ],
    ids=["xxe", "billion laughs", "external dtd"],
)
def test_hostile_xml_is_refused_without_expanding_anything(document: bytes) -> None:
    result = roundtrip(make_catalog(), document)
    assert not result.ok
    assert len(result.problems) == 1 and result.problems[0].unit == "file"
    assert "root:" not in str(result.problems[0])


def test_the_merged_catalog_runs_the_callers_checks_before_writing(tmp_path: Path) -> None:
    path = tmp_path / "es.po"
    write_catalog(path, make_catalog())
    before = path.read_bytes()
    data = edit(xliff.export_xliff(read_catalog(path), "en", "es"), SPF_TARGET, "Use FPS 30.")

    def gate(catalog: Catalog) -> list[str]:
        return ["sunscreen · glossary: 'protector solar' is missing"]

    result = xliff.import_into(data, path, "en", "es", checks=gate)
    assert [str(p) for p in result.problems] == [
        "gate · sunscreen · glossary: 'protector solar' is missing"
    ]
    assert path.read_bytes() == before
    result = xliff.import_into(data, path, "en", "es", checks=lambda catalog: [])
    assert result.ok and result.changed == (SPF,)
    assert read_catalog(path).get(SPF[1], context=SPF[0]).string == "Use FPS 30."


def test_tmx_is_valid_with_bcp47_codes_and_contexts() -> None:
    catalog = make_catalog()
    data = xliff.export_tmx(catalog, "en", "zh-Hans")
    dtd = etree.DTD(str(DATA / "tmx14.dtd"))
    document = etree.fromstring(data, etree.XMLParser(load_dtd=False, resolve_entities=False))
    assert dtd.validate(document), dtd.error_log
    tus = document.findall(".//tu")
    languages = {
        tuv.get("{http://www.w3.org/XML/1998/namespace}lang") for tuv in document.iter("tuv")
    }
    assert languages == {"en", "zh-Hans"}
    sources = [tu.find("tuv/seg").text for tu in tus]
    assert "Avoid alcohol." not in sources  # fuzzy
    assert "Keep out of reach of children." not in sources  # untranslated
    contexts = [
        tu.findtext("prop[@type='x-context']")
        for tu in tus
        if tu.find("tuv/seg").text == "Take it with food."
    ]
    assert contexts == ["dose", "food"]
    assert sources.count("%(n)s capsules") == 2  # the plural English for each later form
    assert data == xliff.export_tmx(catalog, "en", "zh-Hans")  # no clock in the file


def test_characters_xml_cannot_carry_are_a_one_line_error() -> None:
    catalog = Catalog(locale="es")
    catalog.add("Bell \x07", "Campana \x07")
    with pytest.raises(xliff.PolyleafError, match="cannot be written as XML"):
        xliff.export_xliff(catalog, "en", "es")


def test_a_carriage_return_survives() -> None:
    catalog = Catalog(locale="es", revision_date=date(2026, 1, 1))
    catalog.add("One\r\ntwo", "Uno\r\ndos")
    result = roundtrip(catalog)
    assert result.ok and result.changed == ()


def test_a_sign_off_survives_an_unchanged_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "es.po"
    write_catalog(path, make_catalog())
    side = review_path(path)
    review.sign(read_catalog(path), side, "Dr Ana Ruiz, certified medical translator")
    before = review.status(read_catalog(path), read_review(side))
    data = xliff.export_xliff(read_catalog(path), "en", "es", review=before)
    assert xliff.import_into(data, path, "en", "es").ok
    after = review.status(read_catalog(path), read_review(side))
    assert after.reviewed_count == before.reviewed_count == 7  # the fuzzy and the empty one aside
