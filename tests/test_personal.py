"""The personalised edition: one patient's name, dose and note, and nothing of them kept."""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import ValidationError
from pypdf import PdfReader

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from conftest import LEAFLET, ROOT, polyleaf  # noqa: E402
from polyleaf.catalogs import catalog_differences, read_catalog  # noqa: E402
from polyleaf.i18n import FURNITURE_POT, furniture_template_catalog  # noqa: E402
from polyleaf.personal import Personalisation  # noqa: E402
from polyleaf.project import LAYOUTS, Project  # noqa: E402
from polyleaf.web.app import Settings, create_app  # noqa: E402

DOSE = {"form": "capsule", "count": 2, "strength": 20, "unit": "mg", "frequency": "twice_a_day"}


def body(name: str = "María José O'Brien", **dose: object) -> dict[str, object]:
    return {
        "patient_name": name,
        "prescriber": "Dr. Ana Ruiz",
        "dispensed_on": "2026-11-30",
        "dose": {**DOSE, "timing": "with_food", **dose},
        "pharmacist_note": "Start on Monday.",
    }


def text_of(pdf: bytes) -> str:
    """The first page's text with its line breaks and word joiners folded away."""
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("\u2060", "")
    return " ".join(text.split())


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    out = tmp_path_factory.mktemp("personal-web")
    app = create_app(Settings(project=ROOT, out=out, workers=1, timeout=120))
    with TestClient(app) as test_client:
        yield test_client


# --- the model ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"dose": {**DOSE, "count": 0}}, "dose.count"),
        ({"dose": {**DOSE, "count": 21}}, "dose.count"),
        ({"dose": {**DOSE, "count": "2"}}, "dose.count"),
        ({"dose": {**DOSE, "frequency": "hourly"}}, "dose.frequency"),
        ({"dose": {**DOSE, "timing": "whenever"}}, "dose.timing"),
        ({"dose": {**DOSE, "unit": "g"}}, "dose.unit"),
        ({"dose": {**DOSE, "strength": 0}}, "dose.strength"),
        ({"dose": {**DOSE, "strength": 1e9}}, "dose.strength"),
        ({"dose": {**DOSE, "form": "drops"}}, "dose.form"),
        ({"dose": {**DOSE, "colour": "red"}}, "dose.colour"),
        ({"patient_name": "Ana\x07 Ruiz"}, "patient_name"),
        ({"prescriber": "Dr.\u202eziuR"}, "prescriber"),
        ({"patient_name": "Ana\nRuiz"}, "patient_name"),
        ({"patient_name": "A" * 81}, "patient_name"),
        ({"pharmacist_note": "x" * 401}, "pharmacist_note"),
        ({"dispensed_on": "30/11/2026"}, "dispensed_on"),
        ({"address": "1 High Street"}, "address"),
    ],
)
def test_bad_personalisations_are_refused(data: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as raised:
        Personalisation.model_validate(data)
    assert [".".join(map(str, e["loc"])) for e in raised.value.errors()] == [field]


def test_a_name_refuses_every_character_the_gate_calls_invisible() -> None:
    """One rule with the gate (a soft hyphen, a tag character, the combining
    grapheme joiner were let through by a list of its own); ZWNJ and ZWJ stay."""
    from polyleaf.gate import invisible

    hidden = [chr(code) for code in range(0x110000) if invisible(chr(code))]
    assert {"\u00ad", "\u034f", "\u202e", "\ufeff", "\U000e0041"} <= set(hidden)
    for ch in hidden:
        with pytest.raises(ValidationError, match=f"U\\+{ord(ch):04X} "):
            Personalisation(patient_name=f"Ana{ch}Ruiz")
    for joiner in ("\u200c", "\u200d"):
        assert Personalisation(patient_name=f"Ana{joiner}Ruiz").patient_name == f"Ana{joiner}Ruiz"


def test_a_note_may_have_lines_and_a_name_is_kept_as_typed() -> None:
    personal = Personalisation.model_validate(
        {"patient_name": "  Zoë <b>O'Brien</b> ", "pharmacist_note": "Line one\nline two"}
    )
    assert personal.patient_name == "Zoë <b>O'Brien</b>"
    assert personal.pharmacist_note == "Line one\nline two"
    assert not Personalisation().filled


@pytest.mark.parametrize(
    ("data", "where"),
    [
        ({"dose": {**DOSE, "count": 25}}, "dose.count"),
        ({"dose": {**DOSE, "frequency": "hourly"}}, "dose.frequency"),
        ({"patient_name": "Secretname\x1b[31m"}, "patient_name"),
        ({"patient_name": "Secretname " + "x" * 90}, "patient_name"),
    ],
)
def test_api_refuses_bad_values_with_422_naming_the_field_not_the_value(
    client: TestClient, data: dict[str, object], where: str
) -> None:
    response = client.post(f"/leaflets/{LEAFLET}/es.pdf", json=data)
    assert response.status_code == 422
    error = response.json()
    assert set(error) == {"error", "available"} and error["error"].startswith(where)
    assert "Secretname" not in response.text and "hourly" not in response.text


def test_a_character_no_pinned_font_draws_is_a_422_naming_it(client: TestClient) -> None:
    response = client.post(f"/leaflets/{LEAFLET}/es.pdf", json={"patient_name": "王小明"})
    assert response.status_code == 422
    message = response.json()["error"]
    assert message.startswith("patient_name: U+738B (CJK UNIFIED IDEOGRAPH-738B)")
    assert "王" not in message
    # the same name prints in a Chinese leaflet, whose fonts draw it
    assert "王小明" in text_of(
        client.post(f"/leaflets/{LEAFLET}/zh-Hans.pdf", json={"patient_name": "王小明"}).content
    )


@pytest.mark.parametrize("content", [b"\xff\xfe", b'{"patient_name": "Jos\xe9"}', b"{", b"[1]"])
def test_a_body_that_is_not_json_text_is_a_422(client: TestClient, content: bytes) -> None:
    response = client.post(
        f"/leaflets/{LEAFLET}/es.pdf", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert set(response.json()) == {"error", "available"}
    assert response.json()["error"].startswith("body")


def test_a_body_too_large_is_refused(client: TestClient) -> None:
    response = client.post(
        f"/leaflets/{LEAFLET}/es.pdf",
        content=b'{"pharmacist_note": "' + b"x" * 10_000 + b'"}',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413 and "error" in response.json()


# --- what is printed ---------------------------------------------------------


def test_spanish_copy_carries_name_and_dose_and_is_not_cached(client: TestClient) -> None:
    response = client.post(f"/leaflets/{LEAFLET}/es.pdf?paper=a5", json=body())
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert response.headers["cache-control"] == "no-store"
    assert "etag" not in response.headers
    assert response.headers["content-disposition"] == 'inline; filename="leaflet.pdf"'
    text = text_of(response.content)
    assert "Paciente: María José O'Brien" in text
    assert "Recetado por: Dr. Ana Ruiz" in text
    assert "30 de noviembre de 2026" in text
    assert "Tome dos veces al día 2 cápsulas de 20 mg, con alimentos." in text
    assert "Nota del farmacéutico (sin traducir) Start on Monday." in text
    one = client.post(f"/leaflets/{LEAFLET}/es.pdf", json=body(count=1, timing=None))
    assert "Tome dos veces al día 1 cápsula de 20 mg." in text_of(one.content)
    decimal = client.post(
        f"/leaflets/{LEAFLET}/es.pdf",
        json={"dose": {**DOSE, "form": "tablet", "strength": 2.5, "unit": "mL"}},
    )
    assert "2 comprimidos de 2,5 mL" in text_of(decimal.content)


def test_a_bilingual_copy_carries_name_and_dose(client: TestClient) -> None:
    """The desk page offers both switches; together they were a 500."""
    response = client.post(f"/leaflets/{LEAFLET}/es.pdf?bilingual=true", json=body())
    assert response.status_code == 200 and response.headers["cache-control"] == "no-store"
    text = text_of(response.content)
    assert "Paciente: María José O'Brien" in text
    assert "Tome dos veces al día 2 cápsulas de 20 mg, con alimentos." in text
    assert "Pregnancy Warning" in " ".join(
        page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages
    )


def _html(locale: str, personal: dict[str, object]) -> str:
    from polyleaf.html import Renderer

    project = Project.load(ROOT)
    html = Renderer(project).render(
        LEAFLET, project.find_locale(locale), personal=Personalisation.model_validate(personal)
    )
    box = re.search(r'<section class="personal">.*?</section>', html, re.S)
    assert box, "no personalised box"
    return box.group(0).replace("\u2060", "")


@pytest.mark.parametrize(
    ("count", "capsules"),
    [
        (1, "1 كبسولة"),  # one
        (2, "2 كبسولتين"),  # two
        (3, "3 كبسولات"),  # few (3-10)
        (10, "10 كبسولات"),
        (11, "11 كبسولة"),  # many (11-99)
        (20, "20 كبسولة"),
    ],
)
def test_arabic_dose_takes_the_plural_form_of_each_category(count: int, capsules: str) -> None:
    box = _html("ar", {"dose": {**DOSE, "count": count}})
    assert f"تناول {capsules} (20 ملغ) مرتين يوميًا." in box


def test_names_are_isolated_and_escaped_in_right_to_left_text() -> None:
    box = _html(
        "ar", {"patient_name": "<b>O'Brien</b> (Jr.)", "pharmacist_note": "Call us <i>today</i>"}
    )
    assert "<bdi>&lt;b&gt;O&#39;Brien&lt;/b&gt; (Jr.)</bdi>" in box
    assert "<b>" not in box and "<i>" not in box
    assert re.search(r'class="personal-note-text note-ltr" dir="auto">Call us &lt;i&gt;', box)


def test_arabic_pdf_reads_name_and_dose(client: TestClient, tmp_path: Path) -> None:
    """Read in logical order by poppler (pypdf gives right-to-left lines in visual order)."""
    if not shutil.which("pdftotext"):
        pytest.skip("needs poppler's pdftotext")
    response = client.post(f"/leaflets/{LEAFLET}/ar.pdf", json=body(count=11))
    (tmp_path / "ar.pdf").write_bytes(response.content)
    done = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(tmp_path / "ar.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    # poppler moves spaces around the embedding marks it adds: compare without either
    text = "".join(ch for ch in done.stdout if not ch.isspace() and ch not in "\u202a\u202b\u202c")
    for expected in (
        "María José O'Brien",
        "Dr. Ana Ruiz",
        "تناول 11 كبسولة (20 ملغ) مرتين يوميًا",
        "ملاحظة الصيدلي (غير مترجمة)",
    ):
        assert expected.replace(" ", "") in text, expected


# --- the gate ----------------------------------------------------------------

OVERRIDE = """\
msgid ""
msgstr ""
"Language: es\\n"
"Plural-Forms: nplurals=3; plural=(n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2);\\n"
"Content-Type: text/plain; charset=utf-8\\n"

{entry}
"""


@pytest.mark.parametrize(
    ("entry", "problem"),
    [
        (
            'msgid "%(num)s capsule"\nmsgid_plural "%(num)s capsules"\n'
            'msgstr[0] "%(num)s cápsula"\nmsgstr[1] "%(num)s de cápsulas"\n'
            'msgstr[2] "2 cápsulas"',
            "plural form 2: placeholders differ",
        ),
        (
            'msgid "%(num)s tablet"\nmsgid_plural "%(num)s tablets"\n'
            'msgstr[0] "%(num)s comprimido"\nmsgstr[1] "%(num)s de comprimidos"\n'
            'msgstr[2] "%(num)s comprimidos (10)"',
            "plural form 2: numbers differ",
        ),
        (
            'msgid "%(num)s capsule"\nmsgid_plural "%(num)s capsules"\n'
            'msgstr[0] "%(num)s cápsula"\nmsgstr[1] "%(num)s cápsulas"',
            "has 2 plural forms (msgstr[...]), but Plural-Forms says nplurals=3",
        ),
        ('msgid "%(value)s mg"\nmsgstr "%(value)s0 mg"', "numbers differ"),
        (
            'msgid "Take %(amount)s (%(strength)s) %(frequency)s."\n'
            'msgstr "Tome %(frequency)s %(amount)s."',
            "placeholders differ",
        ),
        (
            'msgid "Take %(amount)s (%(strength)s) %(frequency)s, %(timing)s."\n'
            'msgstr "Tome %(frequency)s %(amount)s de %(strength)s, %(timing)s, 2 veces."',
            "numbers differ",
        ),
    ],
)
def test_a_damaged_dose_phrase_fails_polyleaf_check(
    project_copy: Path, entry: str, problem: str
) -> None:
    override = project_copy / "locales" / "es" / "LC_MESSAGES" / "polyleaf.po"
    override.write_text(OVERRIDE.format(entry=entry))
    run = polyleaf("--project", project_copy, "check", "--locale", "es")
    assert run.code == 1
    errors = [line for line in run.stdout.splitlines() if line.startswith("error:")]
    assert errors and all("locales/es/LC_MESSAGES/polyleaf.po" in line for line in errors)
    assert any(problem in line for line in errors), run.stdout


def test_shipped_furniture_pot_is_in_step_with_the_layouts() -> None:
    """After changing a layout's messages, run polyleaf.i18n.extract_furniture()."""
    assert catalog_differences(read_catalog(FURNITURE_POT), furniture_template_catalog()) == []
    shipped = {m.id if isinstance(m.id, str) else m.id[0] for m in read_catalog(FURNITURE_POT)}
    assert {"Your dose", "%(num)s capsule", "once a week", "in the morning"} <= shipped
    assert (LAYOUTS / "personal.html").is_file()


def test_a_locale_failing_the_gate_gets_no_personalised_copy(
    project_copy: Path, tmp_path: Path
) -> None:
    from test_gate import _fuzzy, damage

    damage(
        project_copy,
        Project.load(project_copy).find_locale("ar"),
        "pregnancy-warning",
        "Pregnancy Warning",
        _fuzzy,
    )
    app = create_app(Settings(project=project_copy, out=tmp_path, workers=1))
    with TestClient(app) as local:
        refused = local.post(f"/leaflets/{LEAFLET}/ar.pdf", json=body())
    assert refused.status_code == 409 and "es" in refused.json()["available"]


# --- nothing kept ------------------------------------------------------------


def _files_since(folder: Path, since: float) -> Iterator[Path]:
    for directory, dirnames, filenames in os.walk(folder):
        dirnames[:] = [d for d in dirnames if d not in (".git", ".venv", "node_modules")]
        for name in filenames:
            path = Path(directory) / name
            try:
                if path.is_file() and not path.is_symlink() and path.stat().st_mtime >= since:
                    yield path
            except OSError:
                continue


def _mentions(path: Path, name: str) -> bool:
    """Whether *path* holds *name*: as bytes (UTF-8 or UTF-16), or in a PDF's text."""
    try:
        if path.stat().st_size > 64 * 1024 * 1024:
            return False
        data = path.read_bytes()
    except OSError:
        return False
    if any(form in data for form in (name.encode(), name.encode("utf-16-le"))):
        return True
    if data.startswith(b"%PDF"):
        try:
            return any(name in (page.extract_text() or "") for page in PdfReader(path).pages)
        except Exception:
            return False
    return False


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_no_patient_data_is_kept_on_disk_or_in_the_logs(tmp_path: Path) -> None:
    started = time.time() - 1
    name = f"Zyxq{uuid.uuid4().hex[:10]} Personal"  # a name found nowhere before this test
    cache = tmp_path / "cache"
    stdout, stderr = tmp_path / "serve.out", tmp_path / "serve.err"

    app = create_app(Settings(project=ROOT, out=cache, workers=1, timeout=120))
    with TestClient(app) as local:
        answered = local.post(f"/leaflets/{LEAFLET}/es.pdf", json=body(name))
        assert answered.status_code == 200 and name in text_of(answered.content)
        undrawable = local.post(f"/leaflets/{LEAFLET}/es.pdf", json={"patient_name": name + "王"})
        assert undrawable.status_code == 422 and name not in undrawable.text
    port = free_port()
    with stdout.open("wb") as out, stderr.open("wb") as err:
        server = subprocess.Popen(
            [sys.executable, "-m", "polyleaf", "--project", str(ROOT), "serve"]
            + ["--port", str(port), "--workers", "1", "--cache", str(cache)],
            stdout=out,
            stderr=err,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(150):
                try:
                    urllib.request.urlopen(f"{base}/leaflets", timeout=2).close()
                    break
                except OSError:
                    time.sleep(0.2)
            else:
                raise AssertionError("polyleaf serve did not start")
            for locale, data in [
                ("ar", body(name)),
                ("es", body(name, count=3)),
                ("es", {"patient_name": name, "dose": {**DOSE, "count": 99}}),  # 422
                ("es", {"patient_name": name + "\x00"}),  # 422
            ]:
                request = urllib.request.Request(
                    f"{base}/leaflets/{LEAFLET}/{locale}.pdf",
                    data=__import__("json").dumps(data).encode(),
                    headers={"Content-Type": "application/json"},
                    method="POST",
                )
                try:
                    with urllib.request.urlopen(request, timeout=120) as response:
                        assert response.headers["Cache-Control"] == "no-store"
                        assert name in text_of(response.read())
                except urllib.error.HTTPError as error:
                    assert error.code == 422 and name.encode() not in error.read()
        finally:
            server.terminate()
            server.wait(timeout=30)

    searched = [ROOT, cache, Path(tempfile.gettempdir())]
    found = [
        str(path)
        for folder in searched
        for path in _files_since(folder, started)
        if path not in (stdout, stderr) and _mentions(path, name)
    ]
    assert not found, f"the patient's name was kept in {found}"
    for log in (stdout, stderr):
        assert name not in log.read_text(errors="replace"), log
    assert not list(cache.rglob("*.pdf")), "a personalised copy reached the render cache"


# --- the desk page -----------------------------------------------------------


def test_desk_page_has_the_personalise_fields_in_its_language(client: TestClient) -> None:
    page = client.get("/?ui=es").text
    assert "<legend>Personalizar</legend>" in page
    for field in ("patient_name", "prescriber", "dispensed_on", "dose_count", "dose_strength"):
        assert re.search(rf'<label for="{field}">[^<]+</label>', page), field
    # the frequencies and timings are the phrases the Spanish leaflet prints
    assert '<option value="twice_a_day">dos veces al día</option>' in page
    assert '<option value="with_food">con alimentos</option>' in page
    arabic = client.get("/?ui=ar").text
    assert (
        "اسم المريض" in arabic
        and "frame-src 'self' blob:" in client.get("/").headers["content-security-policy"]
    )


def test_every_page_language_translates_every_page_message() -> None:
    from polyleaf.web.ui import UI_LOCALES

    wanted = {m.id for m in read_catalog(UI_LOCALES / "web.pot") if m.id}
    assert "Print personalised copy" in wanted
    for po in sorted(UI_LOCALES.glob("*/LC_MESSAGES/web.po")):
        catalog = read_catalog(po)
        missing = [m for m in wanted if not (catalog.get(m) and catalog.get(m).string)]
        assert not missing, f"{po.parent.parent.name}: {missing}"


def test_the_page_offers_the_phrases_personal_html_prints() -> None:
    from polyleaf.personal import FREQUENCY_PHRASES, TIMING_PHRASES

    template = (LAYOUTS / "personal.html").read_text()
    for key, phrase in {**FREQUENCY_PHRASES, **TIMING_PHRASES}.items():
        assert f'== "{key.value}" %}}\n' in template and f'_("{phrase}")' in template
