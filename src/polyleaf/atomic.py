"""Files appear whole or not at all.

Every file polyleaf writes (PDFs, catalogs, manifests) is written to a
temporary file in the target folder and renamed over the target only when
complete, so a crash, Ctrl-C or full disk never leaves half a leaflet behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def atomic_target(target: Path) -> Iterator[Path]:
    """A temporary path beside *target*, renamed to it only on success."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o644)
        temporary.replace(target)
    finally:
        temporary.unlink(missing_ok=True)
