"""What a rendered leaflet depends on, as one hash: unchanged inputs, no re-render.

A document's fingerprint covers the templates, the locale's catalog, the
project configuration and glossary, the clinic profile and its logo, the font
files (by size and time), the options and polyleaf's version. It is stored beside the PDF; a
build that finds the PDF with the same fingerprint keeps it.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path

from polyleaf import __version__
from polyleaf.confine import inside
from polyleaf.fonts import FACES
from polyleaf.project import LAYOUTS

SIDECAR = ".inputs"


def _digest_files(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path).encode())
        digest.update(path.read_bytes() if path.is_file() else b"<missing>")
    return digest.hexdigest()


@cache
def _fonts_digest() -> str:
    """The pinned font files, by name, size and modification time.

    Reading them (the CJK font alone is 16 MB twice) took a fifth of a
    no-change rebuild; installing another release of a font package or
    replacing a vendored file changes its size or time.
    """
    digest = hashlib.sha256()
    for path in sorted({face.path for face in FACES}):
        stat = path.stat() if path.is_file() else None
        state = f"{stat.st_size}:{stat.st_mtime_ns}" if stat else "missing"
        digest.update(f"{path}:{state}".encode())
    return digest.hexdigest()


def fingerprint(root: Path, parts: dict[str, object], files: list[Path]) -> str:
    """Hash of *parts* (options, ids) and the contents of *files*, fonts and version."""
    digest = hashlib.sha256()
    digest.update(json.dumps(parts, sort_keys=True, default=str).encode())
    digest.update(__version__.encode())
    digest.update(_fonts_digest().encode())
    own = [path if path.is_relative_to(LAYOUTS) else inside(root, path) for path in files]
    digest.update(_digest_files(own).encode())
    return digest.hexdigest()


def sidecar(target: Path) -> Path:
    return target.with_name(f".{target.name}{SIDECAR}")


def up_to_date(target: Path, key: str) -> bool:
    marker = sidecar(target)
    return target.is_file() and marker.is_file() and marker.read_text().strip() == key


def record(target: Path, key: str) -> None:
    from polyleaf.atomic import atomic_target

    with atomic_target(sidecar(target)) as temporary:
        temporary.write_text(key + "\n")
