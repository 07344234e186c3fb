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
