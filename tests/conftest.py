"""Shared fixtures: the repository's own leaflet project, copies of it to damage,
and the leaflets built once per test session."""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from polyleaf.build import Builder, run
from polyleaf.locales import LocaleInfo
from polyleaf.options import LeafletOptions
from polyleaf.project import Project

ROOT = Path(__file__).resolve().parent.parent
#: Small fixture projects (as Sphinx's tests/roots/): tests/roots/<name>/.
ROOTS = Path(__file__).resolve().parent / "roots"
PROJECT_FILES = ("polyleaf.toml", "templates", "locales", "clinics")
LEAFLET = "isotretinoin-20mg"
CARD = "isotretinoin-reminder-card"


def _project() -> Project:
    return Project.load(ROOT)


def all_locales() -> list[LocaleInfo]:
    return _project().locales


def translated_locales() -> list[LocaleInfo]:
    return _project().locales[1:]


@pytest.fixture(scope="session")
def project() -> Project:
    return _project()


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the leaflet project that a test may damage."""
    target = tmp_path / "project"
    target.mkdir()
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy2(source, target / name)
    return target


def copy_root(name: str, target: Path) -> Path:
    """A copy of the fixture project tests/roots/<name> at *target*, to damage."""
    shutil.copytree(ROOTS / name, target, ignore=shutil.ignore_patterns("output"))
    return target


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A copy of tests/roots/library: two leaflets (alpha, beta) in en, es and ar."""
    return copy_root("library", tmp_path / "library")


@dataclass(frozen=True)
class Built:
    """Every leaflet x locale, built once for the session (A4; the card on A6)."""

    out: Path
    paths: dict[str, Path]  # BCP 47 tag -> PDF of the isotretinoin leaflet
    cards: dict[str, Path]  # BCP 47 tag -> PDF of the reminder card


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    out = tmp_path_factory.mktemp("output")
    project = _project()
    jobs = Builder(project).jobs(None, LeafletOptions())
    outcomes = run(project, jobs, out)
    failed = [f"{o.job.name}: {o.error} {o.findings}" for o in outcomes if not o.ok]
    assert not failed, failed
    by_leaflet = {
        leaflet: {o.job.tag: o.path for o in outcomes if o.job.leaflet == leaflet}
        for leaflet in (LEAFLET, CARD)
    }
    return Built(out, by_leaflet[LEAFLET], by_leaflet[CARD])


@dataclass(frozen=True)
class Run:
    code: int
    stdout: str
    stderr: str


def polyleaf(*args: str | Path, cwd: Path | None = None) -> Run:
    """The real command, in a fresh process, as a user would run it."""
    done = subprocess.run(
        [sys.executable, "-m", "polyleaf", *map(str, args)],
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the text-layer figure of every locale measured in this run."""
    from test_text_layer import FIGURES, POPPLER_FIGURES

    for title, figures in (("pypdf", FIGURES), ("poppler pdftotext", POPPLER_FIGURES)):
        if figures:
            terminalreporter.section(
                f"text layer: words (characters for zh, ja) extracted by {title}"
            )
            for tag, figure in sorted(figures.items()):
                terminalreporter.write_line(f"{tag:8} {figure}")


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Drop the cached builders (and their WeasyPrint font configurations) while the
    interpreter is still whole; collected at exit, WeasyPrint prints a traceback."""
    import gc

    from polyleaf import build

    build._BUILDERS.clear()
    gc.collect()
