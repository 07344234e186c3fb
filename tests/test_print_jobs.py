"""Print jobs of the documented maximum: written as a stream, recorded in the manifest."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pikepdf
import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from conftest import LEAFLET, ROOT
from polyleaf import cli, fingerprint, printjob
from polyleaf.batch import read_orders, run_batch
from polyleaf.build import Builder, Job
from polyleaf.printjob import FANOUT, write_print_job
from polyleaf.project import Project

#: 17,000 copies of the 5-page Spanish leaflet, each padded to 6 pages: the job
#: that crashed the pypdf writer's read-back (issue 14).
COPIES = 17_000


@pytest.fixture(scope="module")
def spanish(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("leaflet")
    project = Project.load(ROOT)
    outcome = Builder(project).build(Job(LEAFLET, "es"), out)
    assert outcome.ok, outcome.error
    assert outcome.path is not None and len(PdfReader(outcome.path).pages) == 5
    return outcome.path


def _depth_and_widest(node: pikepdf.Dictionary) -> tuple[int, int]:
    if node.get("/Type") != "/Pages":
        return 0, 0
    below = [_depth_and_widest(kid) for kid in node.Kids]
    return 1 + max(d for d, _ in below), max([len(node.Kids)] + [w for _, w in below])


def test_the_largest_job_is_written_quickly_and_reads_back(spanish: Path, tmp_path: Path) -> None:
    target = tmp_path / "riverside-a4.pdf"
    started = time.perf_counter()
    written = write_print_job(target, [(spanish, COPIES)])
    elapsed = time.perf_counter() - started
    assert written.pages == COPIES * 6 == 102_000
    assert elapsed < 30, f"{elapsed:.1f} s"  # about 0.2 s on the 2-core test machine
    assert written.sha256 == hashlib.sha256(target.read_bytes()).hexdigest()
    assert target.stat().st_size < 300 * written.pages + 2 * spanish.stat().st_size
    with pikepdf.open(target) as job, pikepdf.open(spanish) as leaflet:
        assert len(job.pages) == written.pages
        depth, widest = _depth_and_widest(job.Root.Pages)
        assert depth == 3 and widest <= FANOUT
        for copy in (0, 1, COPIES // 2, COPIES - 1):
            pages = job.pages[copy * 6 : copy * 6 + 6]
            for page, original in zip(pages, leaflet.pages, strict=False):
                assert page.Contents.objgen == job.pages[page.index % 6].Contents.objgen
                assert page.trimbox == original.trimbox
                assert page.Contents.read_bytes() == original.Contents.read_bytes()
            blank = pages[5]
            assert "/Contents" not in blank and blank.trimbox == leaflet.pages[4].trimbox
    if shutil.which("pdftotext"):
        last_copy = subprocess.run(
            ["pdftotext", "-f", str(written.pages - 5), "-l", str(written.pages - 5), target, "-"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        assert "Isotretinoína 20 mg" in last_copy


def test_copies_of_several_leaflets_in_order(spanish: Path, tmp_path: Path) -> None:
    two = tmp_path / "two.pdf"
    write_print_job(two, [(spanish, 1)])
    even = tmp_path / "even.pdf"  # a 6-page leaflet: no padding
    shutil.copy(two, even)
    target = tmp_path / "job.pdf"
    written = write_print_job(target, [(spanish, 2), (even, 3), (spanish, 1)])
    assert written.pages == 2 * 6 + 3 * 6 + 6
    reader = PdfReader(target)
    texts = [page.extract_text() for page in reader.pages]
    leaflet = [page.extract_text() for page in PdfReader(spanish).pages] + [""]
    assert texts == leaflet * 6


def test_same_orders_same_bytes(spanish: Path, tmp_path: Path) -> None:
    """Also across processes, whose string hashing (and so set order) differs."""
    for name, seed in (("a", "1"), ("b", "2")):
        code = (
            "import sys; from pathlib import Path; from polyleaf.printjob import write_print_job; "
            "write_print_job(Path(sys.argv[1]), [(Path(sys.argv[2]), 300), (Path(sys.argv[2]), 2)])"
        )
        target = tmp_path / name / "job.pdf"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", code, target, spanish], check=True, env=env)
    assert (tmp_path / "a" / "job.pdf").read_bytes() == (tmp_path / "b" / "job.pdf").read_bytes()


def _rendered_run(spanish: Path, tmp_path: Path, copies: int) -> tuple[Path, Path]:
    """An orders file and an output folder where its one document is already current."""
    out = tmp_path / "run"
    rendered = out / LEAFLET / "es" / f"{LEAFLET}-es-a4.pdf"
    orders = tmp_path / "orders.csv"
    orders.write_text(f"clinic,leaflet,locale,paper,copies\ndefault,{LEAFLET},es,a4,{copies}\n")
    project = Project.load(ROOT)
    job = read_orders(project, orders)[0].job
    rendered.parent.mkdir(parents=True)
    shutil.copy(spanish, rendered)  # stands in for the render: only the job is under test
    fingerprint.record(rendered, Builder(project).inputs(job))
    return orders, out


def test_the_largest_job_in_the_manifest(spanish: Path, tmp_path: Path) -> None:
    orders, out = _rendered_run(spanish, tmp_path, COPIES)
    project = Project.load(ROOT)
    result = run_batch(project, read_orders(project, orders), out)
    assert not result.failed and result.outcomes[0].skipped
    entries = json.loads(result.manifest.read_text())["files"]
    job = next(entry for entry in entries if entry["kind"] == "print-job")
    path = out / job["file"]
    assert job["pages"] == 102_000 and job["copies"] == COPIES
    assert job["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert not list(out.rglob("*.part"))


def _disk_full(*_args: object) -> None:
    raise OSError(errno.ENOSPC, "No space left on device")


def test_disk_full_while_writing_a_print_job(
    spanish: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders, out = _rendered_run(spanish, tmp_path, 500)
    monkeypatch.setattr(printjob._Sink, "write", _disk_full)
    result = CliRunner().invoke(
        cli.main, ["--project", str(ROOT), "batch", str(orders), "--out", str(out)]
    )
    assert result.exit_code == 1, result.output
    job = out / "print-jobs" / "default-a4.pdf"
    assert result.output.splitlines()[-1] == (
        f"polyleaf: error: cannot write {job}: No space left on device"
    )
    assert "Traceback" not in result.output
    assert not job.exists() and not (out / "manifest.json").exists()
    assert not list(out.rglob("*.part"))


def test_disk_full_while_writing_the_manifest(
    spanish: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders, out = _rendered_run(spanish, tmp_path, 3)
    write_text = Path.write_text

    def full_for_the_manifest(self: Path, *args: object, **kwargs: object) -> int:
        if self.name.startswith(".manifest.json."):
            _disk_full()
        return write_text(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", full_for_the_manifest)
    result = CliRunner().invoke(
        cli.main, ["--project", str(ROOT), "batch", str(orders), "--out", str(out)]
    )
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[-1] == (
        f"polyleaf: error: cannot write {out / 'manifest.json'}: No space left on device"
    )
    assert not (out / "manifest.json").exists() and not list(out.rglob("*.part"))
    assert (out / "print-jobs" / "default-a4.pdf").is_file()  # finished files are kept
