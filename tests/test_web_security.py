"""The front desk against hostile and careless clients (issue 14, items 5 and 6).

Security headers on every answer, errors in one JSON shape that names no file
of the server, If-None-Match as RFC 9110 says, a page in the language each
request asked for however many arrive at once, and connections that cannot be
held open by sending nothing.
"""

from __future__ import annotations

import json
import logging
import re
import selectors
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient  # noqa: E402

from conftest import LEAFLET, ROOT  # noqa: E402
from polyleaf.errors import PolyleafError  # noqa: E402
from polyleaf.web.app import Settings, create_app  # noqa: E402
from polyleaf.web.errors import Busy  # noqa: E402
from polyleaf.web.etag import none_match, parse_entity_tags  # noqa: E402
from polyleaf.web.server import LIMITS  # noqa: E402
from polyleaf.web.ui import negotiate, preferences  # noqa: E402

PDF = f"/leaflets/{LEAFLET}/es.pdf"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    return create_app(
        Settings(project=ROOT, out=tmp_path_factory.mktemp("web"), workers=1, timeout=120)
    )


@pytest.fixture(scope="module")
def client(app) -> Iterator[TestClient]:  # noqa: ANN001
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


def _is_error_shape(response) -> bool:  # noqa: ANN001
    body = response.json()
    return (
        response.headers["content-type"] == "application/json"
        and set(body) == {"error", "available"}
        and isinstance(body["error"], str)
        and isinstance(body["available"], list)
    )


# --- security headers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("GET", "/", 200),
        ("GET", "/leaflets", 200),
        ("GET", "/static/app.js", 200),
        ("GET", "/fonts.css", 200),
        ("GET", "/openapi.json", 200),
        ("GET", "/nowhere", 404),
        ("GET", "/static/nothing.js", 404),
        ("POST", "/leaflets", 405),
        ("GET", f"{PDF}?large_print=perhaps", 422),
        ("GET", f"/leaflets/{LEAFLET}/xx.pdf", 404),
    ],
)
def test_every_response_carries_the_security_headers(
    client: TestClient, method: str, url: str, status: int
) -> None:
    response = client.request(method, url)
    assert response.status_code == status
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["x-frame-options"] == "DENY"
    policy = response.headers["content-security-policy"]
    for directive in (
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'self'",
    ):
        assert directive in policy


def test_the_pdf_may_be_framed_only_by_this_site(client: TestClient) -> None:
    response = client.get(PDF)
    assert response.status_code == 200
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in response.headers["content-security-policy"]


class _Assets(HTMLParser):
    """What a page loads and runs: scripts, styles, inline handlers, outside URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "style":
            self.problems.append("inline <style>")
        if tag == "script" and "src" not in attributes:
            if attributes.get("type") != "application/json":
                self.problems.append("inline <script>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"{tag} {name}=")
            if name in ("src", "href") and value:
                self.sources.append(value)


def test_page_has_no_inline_script_or_style_and_only_its_own_assets(
    client: TestClient,
) -> None:
    parser = _Assets()
    parser.feed(client.get("/?ui=ar").text)
    assert parser.problems == []
    outside = [s for s in parser.sources if re.match(r"(?i)^(https?:)?//", s)]
    assert outside == []
    assert "/fonts.css" in parser.sources and "/static/app.js" in parser.sources
    for source in ("/fonts.css", "/static/app.css", "/static/app.js"):
        assert client.get(source).status_code == 200
    fonts = client.get("/fonts.css")
    assert fonts.headers["content-type"].startswith("text/css") and "@font-face" in fonts.text
    assert "http" not in fonts.text


def test_docs_pages_are_off_and_the_openapi_document_stays(client: TestClient) -> None:
    for url in ("/docs", "/redoc"):
        response = client.get(url)
        assert response.status_code == 404 and _is_error_shape(response)
        assert "cdn" not in response.text.lower()
    schema = client.get("/openapi.json").json()
    assert "/leaflets/{leaflet}/{locale}.pdf" in schema["paths"]


# --- errors: one shape, no internals ----------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "status", "available"),
    [
        ("GET", "/nowhere", 404, "/leaflets"),
        ("GET", "/leaflets/x/y/z/w", 404, "/leaflets"),
        ("GET", "/fonts/nothing.ttf", 404, None),
        ("DELETE", PDF, 405, "GET"),
        ("PUT", "/", 405, "GET"),
        ("GET", f"{PDF}?large_print=perhaps", 422, "true"),
        ("GET", f"{PDF}?paper=a3", 422, "a4"),
        ("GET", f"{PDF}?clinic=nowhere", 404, "riverside"),
    ],
)
def test_every_error_is_one_json_shape(
    client: TestClient, method: str, url: str, status: int, available: str | None
) -> None:
    response = client.request(method, url)
    assert response.status_code == status and _is_error_shape(response)
    if available is not None:
        assert available in response.json()["available"]


def test_render_failure_names_leaflet_and_locale_but_no_path(
    app, client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:  # noqa: ANN001
    secret = str(ROOT / "templates" / "base.html")

    async def fails(job: object) -> Path:
        raise PolyleafError(f"{secret}:12: could not render")

    monkeypatch.setattr(app.state.desk, "pdf", fails)
    with caplog.at_level(logging.ERROR, logger="polyleaf.web"):
        response = client.get(PDF)
    assert response.status_code == 500 and _is_error_shape(response)
    message = response.json()["error"]
    assert LEAFLET in message and "es" in message
    assert str(ROOT) not in response.text and "/" not in message.replace(LEAFLET, "")
    assert secret in caplog.text  # the details are for the server's log
    assert response.headers["x-content-type-options"] == "nosniff"


def test_a_bug_is_a_generic_500_with_the_headers(
    app, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    def broken() -> object:
        raise RuntimeError(f"internal state at {ROOT}")

    monkeypatch.setattr(app.state.desk, "catalogue", broken)
    response = client.get("/leaflets")
    assert response.status_code == 500 and _is_error_shape(response)
    assert str(ROOT) not in response.text and "RuntimeError" not in response.text
    assert response.headers["content-security-policy"].startswith("default-src 'none'")


def test_busy_workers_give_503_with_retry_after(
    app, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:  # noqa: ANN001
    async def busy(job: object) -> Path:
        raise Busy()

    monkeypatch.setattr(app.state.desk, "pdf", busy)
    response = client.get(PDF)
    assert response.status_code == 503 and _is_error_shape(response)
    assert response.headers["retry-after"] == "5"


def test_clinic_with_a_bad_leaflet_url_is_not_offered(project_copy: Path, tmp_path: Path) -> None:
    (project_copy / "clinics" / "broken.toml").write_text(
        'name = "Broken Clinic"\nleaflet_url = "https://example.org/{locale}/{nope}.pdf"\n'
    )
    app = create_app(Settings(project=project_copy, out=tmp_path, workers=1, timeout=120))
    with TestClient(app, raise_server_exceptions=False) as local:
        response = local.get(f"/leaflets/{LEAFLET}/es.pdf?clinic=broken")
        listed = local.get("/leaflets").json()["clinics"]
    assert response.status_code == 409 and _is_error_shape(response)
    assert str(project_copy) not in response.text and str(tmp_path) not in response.text
    assert "broken" in response.json()["error"] and "riverside" in response.json()["available"]
    assert "broken" not in listed


# --- ETag: RFC 9110 If-None-Match ------------------------------------------------------------

TAG = '"0123abcd"'


@pytest.mark.parametrize(
    ("field", "parsed"),
    [
        ("*", "*"),
        ("  *\t", "*"),
        ('"0123abcd"', ['"0123abcd"']),
        ('W/"0123abcd"', ['"0123abcd"']),
        ('"x", W/"y" ,"z"', ['"x"', '"y"', '"z"']),
        ('"x",, ,"y",', ['"x"', '"y"']),
        ('""', ['""']),
        ('"a,b"', ['"a,b"']),
        ("", []),
        ('garbage"0123abcd"garbage', None),
        ('"0123abcd"garbage', None),
        ('garbage"0123abcd"', None),
        ('"0123abcd" "x"', None),
        ('"0123abcd', None),
        ("0123abcd", None),
        ('w/"0123abcd"', None),
        ('W/ "0123abcd"', None),
        ('"012 3"', None),
        ('*, "x"', None),
        ('"x"\n', None),
    ],
)
def test_if_none_match_parser(field: str, parsed: object) -> None:
    assert parse_entity_tags(field) == parsed


@pytest.mark.parametrize(
    ("fields", "matches"),
    [
        (["*"], True),
        ([TAG], True),
        ([f"W/{TAG}"], True),
        ([f'"other", {TAG}'], True),
        (['"other"', TAG], True),  # two header lines
        (['"other"'], False),
        ([f"garbage{TAG}garbage"], False),
        ([f"{TAG}garbage"], False),
        ([TAG[:-2] + '"'], False),
        ([], False),
    ],
)
def test_if_none_match_compares_weakly(fields: list[str], matches: bool) -> None:
    assert none_match(fields, TAG) is matches
    assert none_match(fields, f"W/{TAG}") is matches


def test_if_none_match_on_the_pdf(client: TestClient) -> None:
    first = client.get(PDF)
    etag = first.headers["etag"]
    for field, status in [
        ("*", 304),
        (etag, 304),
        (f"W/{etag}", 304),
        (f'"nope", {etag}', 304),
        (f"garbage{etag}garbage", 200),
        ('"nope"', 200),
    ]:
        response = client.get(PDF, headers={"If-None-Match": field})
        assert response.status_code == status, field
        assert response.headers["etag"] == etag
        if status == 304:
            assert response.content == b""
        else:
            assert response.content == first.content


# --- item 6: one language per page, negotiated with Babel -------------------------------------

UI = ["en", "es", "de", "pt", "zh-Hans", "zh-Hant", "ar"]


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("zh-Hant-TW", "zh-Hant"),
        ("zh-TW", "zh-Hant"),
        ("zh-HK,en;q=0.5", "zh-Hant"),
        ("zh-CN", "zh-Hans"),
        ("zh", "zh-Hans"),
        ("pt-BR", "pt"),
        ("PT-br", "pt"),
        ("de-CH, de;q=0.9, en;q=0.8", "de"),
        ("en;q=0.2, es;q=0.9, de;q=0.5", "es"),
        ("fr, de;q=0.1", "de"),
        ("de;q=0, es;q=0.3", "es"),
        ("es;q=bad, de", "de"),
        ("*", None),
        ("xx-YY", None),
        ("", None),
        ("en-US,en;q=0.9", "en"),
    ],
)
def test_ui_language_negotiation(header: str, chosen: str | None) -> None:
    assert negotiate(preferences(header), UI) == chosen


def test_page_language_follows_query_then_accept_language(client: TestClient) -> None:
    def lang(url: str, header: str = "") -> str:
        html = client.get(url, headers={"Accept-Language": header} if header else {}).text
        return re.search(r'<html lang="([^"]+)"', html).group(1)

    assert lang("/", "zh-Hant-TW,zh;q=0.8") == "zh-Hant"
    assert lang("/", "pt-BR,pt;q=0.9") == "pt"
    assert lang("/", "fr-CA;q=0.4, ar;q=0.6") == "ar"
    assert lang("/?ui=zh-TW") == "zh-Hant"
    assert lang("/?ui=nonsense", "es") == "es"
    assert lang("/", "tlh") == "en"


def test_concurrent_pages_each_in_their_own_language(client: TestClient) -> None:
    """Many interleaved requests in two languages: each page is its own language's page."""
    expected = {tag: client.get(f"/?ui={tag}").text for tag in ("es", "de")}
    assert "Folletos para pacientes" in expected["es"] and "Idioma" in expected["es"]
    assert "Patienten-Merkblätter" in expected["de"] and "Sprache" in expected["de"]
    assert expected["es"] != expected["de"]
    requests = ["es", "de"] * 60

    def fetch(tag: str) -> tuple[str, str]:
        header = {"Accept-Language": "es-MX,es;q=0.9" if tag == "es" else "de-AT"}
        return tag, client.get("/", headers=header).text

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(fetch, requests))
    wrong = [tag for tag, html in results if html != expected[tag]]
    assert wrong == []


# --- slow clients: real sockets on 127.0.0.1 --------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """`polyleaf serve` as a clinic would run it, on a free loopback port."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "polyleaf", "--project", str(ROOT), "serve", "--port", str(port),
         "--workers", "1", "--cache", str(tmp_path_factory.mktemp("serve"))],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(150):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("polyleaf serve did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=20)


def _get(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_silent_and_trickling_connections_are_closed_in_time(server: int) -> None:
    """15 connections that send nothing and one that sends a header line a second
    are all closed by the request deadline (10 s), while others are served."""
    bound = LIMITS.request_timeout + 2
    opened = time.monotonic()
    silent = [socket.create_connection(("127.0.0.1", server), timeout=5) for _ in range(15)]
    trickle = socket.create_connection(("127.0.0.1", server), timeout=5)
    trickle.sendall(b"GET /leaflets HTTP/1.1\r\nHost: x\r\n")
    selector = selectors.DefaultSelector()
    for sock in [*silent, trickle]:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
    answered = _get(server, b"GET /leaflets HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answered.startswith(b"HTTP/1.1 200")  # served while the others hang
    closed: dict[socket.socket, float] = {}
    next_line = time.monotonic()
    try:
        while len(closed) < 16 and time.monotonic() - opened < bound + 5:
            if trickle not in closed and time.monotonic() >= next_line:
                try:
                    trickle.send(b"X-Slow: 1\r\n")
                except OSError:
                    pass
                next_line += 1
            for key, _ in selector.select(timeout=0.2):
                sock = key.fileobj
                try:
                    data = sock.recv(4096)
                except ConnectionResetError:
                    data = b""
                if not data:
                    closed[sock] = time.monotonic() - opened
                    selector.unregister(sock)
    finally:
        for sock in [*silent, trickle]:
            sock.close()
    assert len(closed) == 16
    assert max(closed.values()) <= bound
    assert min(closed.values()) >= LIMITS.request_timeout - 1  # not before the deadline


def test_kept_alive_connection_closes_after_the_idle_timeout(server: int) -> None:
    with socket.create_connection(("127.0.0.1", server), timeout=LIMITS.keep_alive + 5) as sock:
        sock.sendall(b"GET /leaflets HTTP/1.1\r\nHost: x\r\n\r\n")
        started = time.monotonic()
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
        idle = time.monotonic() - started
    assert received.startswith(b"HTTP/1.1 200")
    assert LIMITS.keep_alive - 1 <= idle <= LIMITS.keep_alive + 2


def test_oversized_or_malformed_requests_get_a_json_refusal(server: int) -> None:
    huge = (
        b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (LIMITS.max_header_bytes + 1) + b"\r\n\r\n"
    )
    for request, status in ((huge, b"431"), (b"NOT HTTP AT ALL\r\n\r\n", b"400")):
        head, _, body = _get(server, request).partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 " + status)
        assert b"nosniff" in head and b"application/json" in head
        assert set(json.loads(body)) == {"error", "available"}


def test_connections_over_the_limit_are_refused_in_json() -> None:
    """The connection cap, on a small app in this process (a cap of 3)."""
    import uvicorn
    from fastapi import FastAPI

    from polyleaf.web.server import DeadlineProtocol, Limits

    limits = Limits(request_timeout=3, max_connections=3)
    protocol = type("Protocol", (DeadlineProtocol,), {"limits": limits})
    port = _free_port()
    config = uvicorn.Config(
        FastAPI(), host="127.0.0.1", port=port, http=protocol, ws="none", log_level="critical",
        lifespan="off",
    )  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(100):
            if server.started:
                break
            time.sleep(0.05)
        held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(3)]
        time.sleep(0.2)
        refused = _get(port, b"")
        assert refused.startswith(b"HTTP/1.1 503")
        assert b'"too many connections' in refused
        for sock in held:
            sock.close()
        time.sleep(0.2)
        assert (
            _get(port, b"GET /openapi.json HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")[:12]
            == b"HTTP/1.1 200"
        )
    finally:
        server.should_exit = True
        thread.join(timeout=10)
