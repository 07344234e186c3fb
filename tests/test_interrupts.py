"""Ctrl-C, SIGTERM and SIGKILL on real `polyleaf` processes (issue 14, item 4): the run
stops at once, its rendering processes end, no partial file is left, a rerun sweeps what
a killed run left and finishes the rest."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import LEAFLET, ROOT, polyleaf

LOCALES = ("en", "es", "fr", "de", "it", "pt", "ro", "pl")
MESSAGE = "stopped; finished files are kept, no partial file is left; run the same command again"


def _children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _alive(pid: int) -> bool:
    """Running: not gone and not a zombie (one that lost its parent may never be reaped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


_STARTED: list[subprocess.Popen[str]] = []


def _start(*args: str | Path) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "polyleaf", "--project", str(ROOT), *map(str, args)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,  # its own process group, like a command run in a terminal
    )
    _STARTED.append(process)
    return process


@pytest.fixture(autouse=True)
def _end_started_processes() -> Iterator[None]:
    """Whatever a test asserts, the commands it started end and their pipes close."""
    yield
    while _STARTED:
        process = _STARTED.pop()
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if process.stderr is not None:
            process.stderr.close()


def _after_first_document(process: subprocess.Popen[str]) -> list[str]:
    """Read the run's lines until one document is built: the others are under way."""
    assert process.stderr is not None
    lines = []
    while line := process.stderr.readline():
        lines.append(line)
        if line.startswith("built"):
            return lines
    raise AssertionError(f"finished before any document was built: {lines}")


def _build_args(out: Path, jobs: int) -> list[str | Path]:
    locales = [arg for tag in LOCALES for arg in ("--locale", tag)]
    return ["build", "--leaflet", LEAFLET, *locales, "--jobs", str(jobs), "--out", out]


def _pdfs(out: Path) -> list[Path]:
    return sorted(out.rglob("*.pdf"))


@pytest.mark.parametrize(
    ("how", "jobs", "code"),
    [
        ("Ctrl-C", 2, 130),  # SIGINT to the whole process group, as a terminal sends it
        ("SIGINT", 2, 130),  # to the main process only
        ("SIGTERM", 2, 143),
        ("SIGTERM", 1, 143),  # rendering in the main process
    ],
)
def test_a_stopped_build(tmp_path: Path, how: str, jobs: int, code: int) -> None:
    out = tmp_path / "out"
    process = _start(*_build_args(out, jobs))
    _after_first_document(process)
    workers = _children(process.pid)
    assert len(workers) == (jobs if jobs > 1 else 0), workers
    signalled = time.monotonic()
    if how == "Ctrl-C":
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(getattr(signal, how))
    assert process.stderr is not None
    rest = process.stderr.read()
    assert process.wait(timeout=30) == code
    assert time.monotonic() - signalled < 10, "not prompt"
    assert "Traceback" not in rest
    assert rest.splitlines()[-1].startswith("polyleaf: ") and MESSAGE in rest.splitlines()[-1]
    assert [line for line in rest.splitlines() if not line.startswith("built")] == [
        rest.splitlines()[-1]
    ]
    deadline = time.monotonic() + 5
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_alive, workers)), "a rendering process outlived the run"
    assert len(_pdfs(out)) < len(LOCALES) - 1  # the rest was not rendered
    assert not list(out.rglob("*.part"))


def test_workers_die_with_a_killed_parent(tmp_path: Path) -> None:
    out = tmp_path / "out"
    process = _start(*_build_args(out, 2))
    _after_first_document(process)
    workers = _children(process.pid)
    assert len(workers) == 2
    process.kill()
    process.wait(timeout=10)
    deadline = time.monotonic() + 5
    while any(map(_alive, workers)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(map(_alive, workers)), "orphaned rendering processes"
    assert not list(out.rglob("*.part"))  # the workers removed theirs as they died


def test_a_rerun_sweeps_what_a_killed_run_left_and_finishes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    process = _start(*_build_args(out, 2))
    _after_first_document(process)
    os.killpg(process.pid, signal.SIGKILL)  # parent and workers: nobody cleans up
    process.wait(timeout=10)
    done = _pdfs(out)
    folder = out / LEAFLET / "es"
    folder.mkdir(parents=True, exist_ok=True)
    stale = [
        folder / f".{LEAFLET}-es-a4.pdf.k3_9x0qz.part",
        folder / f".{LEAFLET}-es-a4.pdf.inputs.a1b2c3d4.part",
        out / ".manifest.json.zz99yy88.part",
    ]
    kept = [
        folder / "notes.part",  # not polyleaf's naming
        folder / f".{LEAFLET}-es-a4.pdf.short.part",  # not tempfile's eight characters
        out / "elsewhere" / f".{LEAFLET}-es-a4.pdf.k3_9x0qz.part",  # not a folder it writes
    ]
    for path in stale + kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"%PDF-1.7 half a leaflet")
    run = polyleaf(*_build_args(out, 2))
    assert run.code == 0, run.stderr
    assert f"{len(LOCALES) - len(done)} built, {len(done)} already up to date" in run.stderr
    assert len(_pdfs(out)) == len(LOCALES)
    assert not any(path.exists() for path in stale)
    assert all(path.exists() for path in kept)


def test_a_stopped_batch_and_its_rerun(tmp_path: Path) -> None:
    orders = tmp_path / "orders.csv"
    rows = [f"riverside,{LEAFLET},{tag},a4,2" for tag in LOCALES]
    orders.write_text("clinic,leaflet,locale,paper,copies\n" + "\n".join(rows) + "\n")
    out = tmp_path / "out"
    process = _start("batch", orders, "--jobs", "2", "--out", out)
    _after_first_document(process)
    workers = _children(process.pid)
    process.send_signal(signal.SIGTERM)
    assert process.stderr is not None
    rest = process.stderr.read()
    assert process.wait(timeout=30) == 143 and "Traceback" not in rest
    assert MESSAGE in rest.splitlines()[-1]
    time.sleep(0.5)
    assert not any(map(_alive, workers))
    assert not (out / "manifest.json").exists() and not (out / "print-jobs").exists()
    assert not list(out.rglob("*.part"))
    stale = out / "print-jobs" / ".riverside-a4.pdf.ab12cd34.part"
    stale.parent.mkdir(parents=True)
    stale.write_bytes(b"half a print job")
    run = polyleaf("--project", ROOT, "batch", orders, "--jobs", "2", "--out", out)
    assert run.code == 0, run.stderr
    assert (out / "manifest.json").is_file() and not stale.exists()
