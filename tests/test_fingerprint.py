"""A document's fingerprint changes when what it depends on changes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from polyleaf import fingerprint


@pytest.fixture
def one_font(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    font = tmp_path / "Font-Regular.ttf"
    font.write_bytes(b"glyphs")
    monkeypatch.setattr(fingerprint, "FACES", [SimpleNamespace(path=font)])
    fingerprint._fonts_digest.cache_clear()
    yield font
    fingerprint._fonts_digest.cache_clear()


def _key(root: Path) -> str:
    fingerprint._fonts_digest.cache_clear()
    return fingerprint.fingerprint(root, {"locale": "ar"}, [])


def test_a_replaced_font_file_changes_the_fingerprint(one_font: Path, tmp_path: Path) -> None:
    before = _key(tmp_path)
    assert _key(tmp_path) == before
    one_font.write_bytes(b"other glyphs")
    assert _key(tmp_path) != before


def test_a_font_file_written_again_changes_the_fingerprint(one_font: Path, tmp_path: Path) -> None:
    before = _key(tmp_path)
    stat = one_font.stat()
    os.utime(one_font, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert _key(tmp_path) != before


def test_a_missing_font_file_changes_the_fingerprint(one_font: Path, tmp_path: Path) -> None:
    before = _key(tmp_path)
    one_font.unlink()
    assert _key(tmp_path) != before


def test_a_changed_input_file_changes_the_fingerprint(tmp_path: Path) -> None:
    catalog = tmp_path / "messages.po"
    catalog.write_text('msgid "a"\nmsgstr "b"\n')
    before = fingerprint.fingerprint(tmp_path, {}, [catalog])
    catalog.write_text('msgid "a"\nmsgstr "c"\n')
    assert fingerprint.fingerprint(tmp_path, {}, [catalog]) != before
