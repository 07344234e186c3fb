"""The front desk API and page: serves, caches and refuses as documented."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from conftest import LEAFLET, ROOT  # noqa: E402
from polyleaf.web.app import Settings, create_app  # noqa: E402


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    out = tmp_path_factory.mktemp("web")
    app = create_app(Settings(project=ROOT, out=out, workers=1, timeout=120))
    with TestClient(app) as test_client:
        yield test_client


def test_catalogue_lists_leaflets_locales_and_status(client: TestClient) -> None:
    body = client.get("/leaflets").json()
    leaflet = body["leaflets"][0]
    assert leaflet["id"] == LEAFLET and leaflet["code"] == "PL-ISO20-01"
    statuses = {entry["tag"]: entry["status"] for entry in leaflet["locales"]}
    assert statuses["en"] == "source" and statuses["ar"] == "draft"
    assert all(entry["available"] for entry in leaflet["locales"])
    assert body["papers"] == ["a4", "letter", "a5", "a6"]
    card = next(entry for entry in body["leaflets"] if entry["id"] == "isotretinoin-reminder-card")
    assert card["paper"] == "a6" and len(card["locales"]) == len(leaflet["locales"])
    assert body["clinics"] == ["northgate", "riverside"]


def test_pdf_is_the_arabic_leaflet_with_etag_and_cache(client: TestClient) -> None:
    url = f"/leaflets/{LEAFLET}/ar.pdf?paper=a5&clinic=riverside"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["content-type"] == "application/pdf"
    etag = first.headers["etag"]
    pdf = PdfReader(__import__("io").BytesIO(first.content))
    assert pdf.trailer["/Root"]["/Lang"] == "ar"
    assert "Riverside Dermatology Clinic" in pdf.pages[0].extract_text()
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.headers["etag"] == etag
    assert client.get(url).content == first.content


def test_preview_is_a_png_of_the_first_page(client: TestClient) -> None:
    response = client.get(f"/leaflets/{LEAFLET}/zh-Hans/preview.png")
    assert response.status_code == 200 and response.content.startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("url", "status", "available"),
    [
        ("/leaflets/nope/ar.pdf", 404, LEAFLET),
        (f"/leaflets/{LEAFLET}/xx.pdf", 404, "zh-Hans"),
        (f"/leaflets/{LEAFLET}/ar.pdf?paper=a3", 422, "letter"),
        (f"/leaflets/{LEAFLET}/ar.pdf?clinic=nowhere", 404, "riverside"),
        (f"/leaflets/{LEAFLET}/ar.pdf?clinic=../../etc/passwd", 404, "riverside"),
        (f"/leaflets/{LEAFLET}/..%2F..%2Fpolyleaf.pdf", 404, None),
        ("/leaflets/..%2F..%2Fetc/passwd.pdf", 404, None),
    ],
)
def test_unknown_values_are_refused_with_what_is_available(
    client: TestClient, url: str, status: int, available: str | None
) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert not response.content.startswith(b"%PDF")
    if available is not None:
        assert available in response.json()["available"]


def test_locale_failing_the_gate_is_not_offered(project_copy: Path, tmp_path: Path) -> None:
    from polyleaf.project import Project
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
        entry = next(
            e for e in local.get("/leaflets").json()["leaflets"][0]["locales"] if e["tag"] == "ar"
        )
        assert not entry["available"] and "pregnancy-warning" in entry["reason"]
        refused = local.get(f"/leaflets/{LEAFLET}/ar.pdf")
        assert refused.status_code == 409 and "es" in refused.json()["available"]
        page = local.get("/").text
        assert "Languages not offered" in page
        offered = re.search(r'<option value="ar"[^>]*data-leaflets="([^"]*)"', page)
        # still offered for the reminder card, whose Arabic catalog is whole
        assert offered and offered.group(1).split() == ["isotretinoin-reminder-card"]


def test_page_offers_languages_in_their_own_names_and_drafts(client: TestClient) -> None:
    page = client.get("/").text
    assert 'lang="ar"' in page and "العربية" in page and "中文 (简体)" in page
    assert "draft translation" in page
    arabic_ui = client.get("/?ui=ar").text
    assert '<html lang="ar" dir="rtl">' in arabic_ui


def test_openapi_document_describes_the_api(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/leaflets" in schema["paths"] and "/leaflets/{leaflet}/{locale}.pdf" in schema["paths"]
