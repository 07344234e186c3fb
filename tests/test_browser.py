"""End to end: a receptionist gets the Arabic leaflet for their clinic in the real page.

Drives `polyleaf serve` in headless Debian Chromium through Playwright (the
browser comes from Debian's `chromium` package, installed by ./run; nothing is
downloaded).
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's chromium (./run)")
sync_api = pytest.importorskip("playwright.sync_api")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = free_port()
    cache = tmp_path_factory.mktemp("serve")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "polyleaf",
            "--project",
            str(ROOT),
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--cache",
            str(cache),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/leaflets", timeout=2).close()
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise AssertionError("polyleaf serve did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
        process.stderr.close()


def test_arabic_leaflet_for_the_clinic_in_three_clicks(server: str, tmp_path: Path) -> None:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        try:
            page = browser.new_page(accept_downloads=True, viewport={"width": 820, "height": 1180})
            page.goto(server + "/")
            page.fill("#language-search", "arab")  # typing to search is not a click
            page.select_option("#locale", "ar")  # click 1: the language
            page.select_option("#clinic", "riverside")  # click 2: the clinic
            page.wait_for_function(
                "() => document.getElementById('preview').complete"
                " && document.getElementById('preview').naturalWidth > 0"
                " && document.getElementById('preview').src.includes('/ar/preview.png')",
                timeout=120_000,
            )
            with page.expect_download(timeout=120_000) as download_info:
                page.click("#download")  # click 3: download
            target = tmp_path / "leaflet.pdf"
            download_info.value.save_as(target)
        finally:
            browser.close()
    pdf = PdfReader(target)
    assert pdf.trailer["/Root"]["/Lang"] == "ar"
    assert "Riverside Dermatology Clinic" in pdf.pages[0].extract_text()


def test_page_works_from_the_keyboard(server: str) -> None:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.goto(server + "/?ui=es")
            page.focus("#language-search")
            page.keyboard.type("中文")
            page.keyboard.press("ArrowDown")  # into the list
            assert page.evaluate("document.activeElement.id") == "locale"
            visible = page.evaluate(
                "[...document.querySelectorAll('#locale option')].filter(o => !o.hidden)"
                ".map(o => o.value)"
            )
            assert visible == ["zh-Hans", "zh-Hant"]
            assert page.evaluate("document.documentElement.lang") == "es"
        finally:
            browser.close()


def test_personalised_copy_from_the_keyboard_form(server: str) -> None:
    """Fill the Personalise fields (Spanish page, Spanish leaflet), press the print
    button, and read the PDF the page got back by POST."""
    import io

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 820, "height": 1400})
            page.goto(server + "/?ui=es")
            page.select_option("#locale", "es")
            page.fill("#patient_name", "Lucía Fernández")
            page.fill("#prescriber", "Dra. Ana Ruiz")
            page.fill("#dispensed_on", "2026-11-30")
            page.fill("#dose_count", "2")
            page.select_option("#dose_form", "capsule")
            page.fill("#dose_strength", "20")
            page.select_option("#dose_frequency", "twice_a_day")
            page.select_option("#dose_timing", "with_food")
            page.fill("#pharmacist_note", "Empiece el lunes.")
            answers: list[tuple[int, dict[str, str], bytes, str]] = []

            def keep(route: sync_api.Route) -> None:
                fetched = route.fetch()
                answers.append((fetched.status, fetched.headers, fetched.body(), route.request.url))
                route.fulfill(response=fetched)

            page.route(lambda url: url.endswith("/es.pdf?paper=a4"), keep)
            page.focus("#print-personal")
            page.keyboard.press("Enter")  # the button, from the keyboard
            page.wait_for_function(
                "() => document.getElementById('printer').src.startsWith('blob:')",
                timeout=120_000,
            )
        finally:
            browser.close()
    [(status, headers, pdf, url)] = answers
    assert status == 200 and headers["cache-control"] == "no-store"
    assert "Luc" not in url  # the name went in the body, not the address
    text = " ".join(
        PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace("\u2060", "").split()
    )
    assert "Paciente: Lucía Fernández" in text
    assert "Tome dos veces al día 2 cápsulas de 20 mg, con alimentos." in text
    assert "Empiece el lunes." in text
