"""Files appear whole or not at all.

Every file polyleaf writes (PDFs, catalogs, manifests) is written to a
temporary file in the target folder and renamed over the target only when
complete, so a crash, Ctrl-C or full disk never leaves half a leaflet behind.
A write that fails (full disk, read-only folder, a file where a folder should
be) is a :class:`~polyleaf.errors.PolyleafError` naming the target. A process
killed outright cannot remove its temporary file; the next run sweeps such
files from the folders it writes (:func:`sweep`).
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from polyleaf.errors import PolyleafError

#: The name :func:`atomic_target` gives a temporary file: ``.<target name>.`` and
#: tempfile's eight random characters, then ``.part``.
PART = re.compile(r"\..+\.[a-z0-9_]{8}\.part")

#: This process's temporary files being written now, removed by
#: :func:`remove_partial` when the process is told to stop.
_LIVE: set[Path] = set()


def _cannot_write(target: Path, error: OSError) -> PolyleafError:
    return PolyleafError(f"cannot write {target}: {error.strerror or error}")


@contextmanager
def atomic_target(target: Path) -> Iterator[Path]:
    """A temporary path beside *target*, renamed to it only on success."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
    except OSError as error:
        raise _cannot_write(target, error) from None
    os.close(handle)
    temporary = Path(name)
    _LIVE.add(temporary)
    try:
        try:
            yield temporary
            os.chmod(temporary, 0o644)
            temporary.replace(target)
        except OSError as error:  # full disk, quota, I/O error while writing
            raise _cannot_write(target, error) from None
    finally:
        temporary.unlink(missing_ok=True)
        _LIVE.discard(temporary)


def remove_partial() -> None:
    """Remove the temporary files this process is writing (it is about to die)."""
    for temporary in list(_LIVE):
        try:
            temporary.unlink(missing_ok=True)
        except OSError:
            pass


def sweep(folders: Iterable[Path]) -> list[Path]:
    """Remove the temporary files an earlier, killed run left in *folders*.

    Only files named as :func:`atomic_target` names them, directly in each
    folder (not below it), and none this process is writing now.
    """
    removed = []
    for folder in set(folders):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue  # not there (yet), or not a folder: nothing to sweep
        for entry in entries:
            path = Path(entry.path)
            if PART.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                if path not in _LIVE:
                    path.unlink(missing_ok=True)
                    removed.append(path)
    return sorted(removed)


def writable_folder(folder: Path, option: str = "--out") -> Path:
    """*folder*, created if need be and checked writable, before any work starts.

    So that ``--out`` (or the *option* that named it, ``--cache``) naming a file,
    a path under a file or a read-only folder is one error up front, not one
    failed document after another.
    """
    if folder.exists() and not folder.is_dir():
        raise PolyleafError(f"output folder {folder} is a file; name a folder with {option} DIR")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".polyleaf-probe.", suffix=".part", dir=folder)
        os.close(handle)
        os.unlink(name)
    except OSError as error:
        raise PolyleafError(
            f"cannot write to output folder {folder}: {error.strerror or error}; "
            f"name another with {option} DIR"
        ) from None
    return folder
