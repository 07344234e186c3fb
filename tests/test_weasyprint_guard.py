"""Nothing renders with a WeasyPrint release the text-layer stage was not tested with."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from conftest import ROOT, polyleaf
from polyleaf import engine
from polyleaf.build import Builder, run
from polyleaf.errors import EngineError
from polyleaf.options import LeafletOptions
from polyleaf.project import Project


def test_the_installed_weasyprint_is_supported() -> None:
    engine.check_weasyprint()


@pytest.mark.parametrize(
    ("installed", "found"),
    [("71.0", "WeasyPrint 71.0 is installed"), (None, "WeasyPrint is not installed")],
)
def test_another_release_is_refused_naming_both_versions(
    monkeypatch: pytest.MonkeyPatch, installed: str | None, found: str
) -> None:
    monkeypatch.setattr(engine, "installed_weasyprint", lambda: installed)
    with pytest.raises(EngineError) as error:
        engine.check_weasyprint()
    message = str(error.value)
    assert message.startswith(f"{found}, but polyleaf's text layer is tested with WeasyPrint")
    assert all(version in message for version in engine.SUPPORTED_WEASYPRINT)
    assert "\n" not in message


def test_the_writer_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    from polyleaf.pdf import PdfWriter

    monkeypatch.setattr(engine, "installed_weasyprint", lambda: "71.0")
    with pytest.raises(EngineError, match="WeasyPrint 71.0"):
        PdfWriter(ROOT)


def _pretend_weasyprint_71() -> None:
    """Worker initializer: this process sees another WeasyPrint; the parent does not."""
    engine.installed_weasyprint = lambda: "71.0"


def test_a_worker_that_finds_another_release_stops_the_run(tmp_path: Path) -> None:
    project = Project.load(ROOT)
    jobs = Builder(project).jobs(["en", "es"], LeafletOptions())
    # Spawned, not forked: a forked worker would inherit this process's builders,
    # whose writers passed the check already (other tests render in this process),
    # while a worker of a real run starts with none.
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, spawn, initializer=_pretend_weasyprint_71) as executor:
        with pytest.raises(EngineError, match="WeasyPrint 71.0 is installed"):
            run(project, jobs, tmp_path, force=True, executor=executor)
    assert not list(tmp_path.rglob("*.pdf"))


@pytest.fixture
def weasyprint_71(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The metadata of WeasyPrint 71.0 ahead of the real one, for a fresh process."""
    info = tmp_path / "fake" / "weasyprint-71.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: weasyprint\nVersion: 71.0\n")
    path = os.pathsep.join(filter(None, [str(info.parent), os.environ.get("PYTHONPATH")]))
    monkeypatch.setenv("PYTHONPATH", path)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_build_with_another_release_is_one_line_and_exit_1(
    weasyprint_71: None, tmp_path: Path, jobs: str
) -> None:
    out = tmp_path / "out"
    result = polyleaf(
        "build", "--locale", "en", "--locale", "es", "--jobs", jobs, "--force", "--out", out
    )
    assert result.code == 1
    assert result.stderr.splitlines() == [
        "polyleaf: error: WeasyPrint 71.0 is installed, but polyleaf's text layer is tested "
        f"with WeasyPrint {' or '.join(engine.SUPPORTED_WEASYPRINT)} only; install the locked "
        f"versions with ./run (or pip install 'weasyprint=={engine.SUPPORTED_WEASYPRINT[-1]}')"
    ]
    assert not out.exists() or not list(out.rglob("*.pdf"))


def test_serve_with_another_release_is_one_line_and_exit_1(weasyprint_71: None) -> None:
    result = polyleaf("serve", "--port", "8765")
    assert result.code == 1
    assert len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith("polyleaf: error: WeasyPrint 71.0 is installed")
