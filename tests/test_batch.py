"""Batch print runs: validation, outputs, copies, failures, incremental, reproducible, Dask."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import LEAFLET, ROOT, polyleaf
from polyleaf.batch import OrdersError, read_orders, run_batch, write_print_job
from polyleaf.options import edition_names
from polyleaf.project import Project
from test_gate import _fuzzy, damage

ORDERS = """clinic,leaflet,locale,paper,copies
riverside,isotretinoin-20mg,es,a4,3
riverside,isotretinoin-20mg,ar,a4,2
northgate,isotretinoin-20mg,zh-Hans,a5,1
default,isotretinoin-20mg,en,a4-large,1
riverside,isotretinoin-20mg,es,a4,2
"""


def orders(tmp_path: Path, text: str = ORDERS) -> Path:
    path = tmp_path / "orders.csv"
    path.write_text(text)
    return path


def test_every_bad_row_is_reported_and_nothing_rendered(tmp_path: Path) -> None:
    bad = orders(
        tmp_path,
        ORDERS
        + "\n".join(
            [
                "riverside,isotretinoin-20mg,xx,a4,3",
                "nowhere,isotretinoin-20mg,ar,a3,0",
                "riverside,isotretinoin-20mg,es,a4",
                "riverside,other-leaflet,es,a4,1",
            ]
        )
        + "\n",
    )
    out = tmp_path / "out"
    run = polyleaf("batch", bad, "--out", out)
    assert run.code == 1 and "Traceback" not in run.stderr
    lines = run.stderr.splitlines()
    assert lines == [
        f"polyleaf: error: {bad}:7: locale 'xx' unknown; available: "
        + ", ".join(loc.tag for loc in Project.load(ROOT).locales),
        f"polyleaf: error: {bad}:8: clinic 'nowhere' unknown; available: default, northgate, riverside",  # noqa: E501
        f"polyleaf: error: {bad}:8: paper 'a3' unknown; available: {', '.join(edition_names())}",  # noqa: E501
        f"polyleaf: error: {bad}:8: copies '0' is not a whole number from 1 to 100000",
        f"polyleaf: error: {bad}:9: 4 columns, expected 5",
        f"polyleaf: error: {bad}:10: leaflet 'other-leaflet' unknown; available: isotretinoin-20mg, isotretinoin-reminder-card",  # noqa: E501
    ]
    assert not out.exists()


ROW = "default,isotretinoin-20mg,es,a4,"


@pytest.mark.parametrize(
    ("rows", "problems"),
    [
        # a lenient reader took "1 to the end of the file, and the order as 1 copy
        pytest.param([ROW + '"1'], ["2: a quote opened in this row is never closed"], id="last"),
        pytest.param(
            [ROW + "xx", ROW + '"1', ROW + "2"],
            [
                "2: copies 'xx' is not a whole number from 1 to 100000",
                "3: a quote opened in this row is never closed",
            ],
            id="rows-before-are-checked",
        ),
        pytest.param(
            [ROW + '"1', ROW + '2"'],
            ["2: a cell runs on to the next line; is a quote left open?"],
            id="closed-on-the-next-line",
        ),
        pytest.param(
            [ROW + '"1"2', ROW + "2"], ["2: not a CSV row: ',' expected after '\"'"], id="after"
        ),
    ],
)
def test_a_quote_left_open_names_its_row(
    tmp_path: Path, rows: list[str], problems: list[str]
) -> None:
    path = orders(tmp_path, "clinic,leaflet,locale,paper,copies\n" + "\n".join(rows) + "\n")
    with pytest.raises(OrdersError) as raised:
        read_orders(Project.load(ROOT), path)
    assert raised.value.problems == [f"{path}:{problem}" for problem in problems]


def test_a_bilingual_order_in_the_source_locale_is_a_bad_row(tmp_path: Path) -> None:
    """It failed only when its turn came to render, after the other rows had."""
    path = orders(
        tmp_path,
        "clinic,leaflet,locale,paper,copies\n"
        "default,isotretinoin-20mg,es,a4-bilingual,1\n"
        "default,isotretinoin-20mg,en,a4-bilingual,1\n"
        "default,isotretinoin-20mg,EN,a5-large-bilingual,1\n"
        "default,isotretinoin-20mg,en,a4,1\n",
    )
    out = tmp_path / "out"
    run = polyleaf("batch", path, "--out", out)
    assert run.code == 1 and "Traceback" not in run.stderr
    pairs = "the bilingual edition pairs a translation with en; choose another locale than en"
    assert run.stderr.splitlines() == [
        f"polyleaf: error: {path}:3: paper 'a4-bilingual': {pairs}",
        f"polyleaf: error: {path}:4: paper 'a5-large-bilingual': {pairs}",
    ]
    assert not out.exists()


def test_bad_header(tmp_path: Path) -> None:
    run = polyleaf("batch", orders(tmp_path, "clinic,leaflet,locale\n"))
    assert (
        run.code == 1
        and "orders.csv:1: the header must be clinic,leaflet,locale,paper,copies" in run.stderr
    )


@pytest.fixture(scope="module")
def batch_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("batch")
    run = polyleaf(
        "batch",
        orders(out),
        "--out",
        out / "run",
        "--jobs",
        "2",
        "--bleed",
        "3mm",
        "--marks",
        "crop",
    )
    assert run.code == 0, run.stderr
    return out / "run"


def test_outputs_and_manifest(batch_run: Path) -> None:
    manifest = json.loads((batch_run / "manifest.json").read_text())["files"]
    leaflets = [f for f in manifest if f["kind"] == "leaflet"]
    jobs = {f["file"]: f for f in manifest if f["kind"] == "print-job"}
    assert [(f["locale"], f["clinic"], f["paper"], f["copies"]) for f in leaflets] == [
        ("es", "riverside", "a4", 5),
        ("ar", "riverside", "a4", 2),
        ("zh-Hans", "northgate", "a5", 1),
        ("en", "default", "a4-large", 1),
    ]
    assert sorted(jobs) == [
        "print-jobs/default-a4-large.pdf",
        "print-jobs/northgate-a5.pdf",
        "print-jobs/riverside-a4.pdf",
    ]
    for entry in manifest:
        path = batch_run / entry["file"]
        assert hashlib.sha256(path.read_bytes()).hexdigest() == entry["sha256"]
        assert len(PdfReader(path).pages) == entry["pages"]


def test_print_job_pads_each_copy_to_an_even_page_count(batch_run: Path) -> None:
    manifest = json.loads((batch_run / "manifest.json").read_text())["files"]
    job = next(f for f in manifest if f["file"] == "print-jobs/riverside-a4.pdf")
    pages = PdfReader(batch_run / job["file"]).pages
    expected, start = 0, 0
    for item in job["leaflets"]:
        leaflet = PdfReader(batch_run / item["file"]).pages
        padded = len(leaflet) + len(leaflet) % 2
        for copy in range(item["copies"]):
            first = pages[start + copy * padded]
            assert first.extract_text() == leaflet[0].extract_text()  # starts on a front side
            if len(leaflet) % 2:
                blank = pages[start + copy * padded + padded - 1]
                assert blank.extract_text() == "" and blank.trimbox == leaflet[-1].trimbox
        start += item["copies"] * padded
        expected += item["copies"] * padded
    assert len(pages) == expected == job["pages"]


def test_copies_reuse_the_rendered_pages(batch_run: Path, tmp_path: Path) -> None:
    single = batch_run / LEAFLET / "ar" / f"{LEAFLET}-ar-a4-riverside.pdf"
    one, many = tmp_path / "one.pdf", tmp_path / "many.pdf"
    write_print_job(one, [(single, 1)])
    write_print_job(many, [(single, 200)])
    assert len(PdfReader(many).pages) == 200 * len(PdfReader(one).pages)
    assert many.stat().st_size <= 1.2 * single.stat().st_size + 2048 * 200


def test_a_failing_document_does_not_stop_the_run(project_copy: Path, tmp_path: Path) -> None:
    project = Project.load(project_copy)
    damage(
        project_copy, project.find_locale("ar"), "pregnancy-warning", "Pregnancy Warning", _fuzzy
    )
    out = tmp_path / "out"
    run = polyleaf(
        "--project", project_copy, "batch", orders(tmp_path), "--out", out, "--jobs", "1"
    )
    assert run.code == 1
    assert "FAILED  isotretinoin-20mg ar a4 riverside: fails the safety gate" in run.stderr
    assert (out / LEAFLET / "es" / f"{LEAFLET}-es-a4-riverside.pdf").is_file()
    assert not (out / LEAFLET / "ar").exists() or not list((out / LEAFLET / "ar").glob("*.pdf"))
    manifest = json.loads((out / "manifest.json").read_text())["files"]
    assert "ar" not in {f.get("locale") for f in manifest}


def test_unchanged_inputs_are_not_rendered_again(project_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    args = ("--project", project_copy, "batch", orders(tmp_path), "--out", out, "--jobs", "1")
    first = polyleaf(*args)
    assert "4 built, 0 already up to date" in first.stderr
    again = polyleaf(*args)
    assert "0 built, 4 already up to date" in again.stderr
    catalog = project_copy / "locales" / "ar" / "LC_MESSAGES" / f"{LEAFLET}.po"
    catalog.write_text(catalog.read_text() + "\n")
    changed = polyleaf(*args)
    assert "1 built, 3 already up to date" in changed.stderr
    forced = polyleaf(*args, "--force")
    assert "4 built, 0 already up to date" in forced.stderr


def test_same_orders_same_bytes(tmp_path: Path) -> None:
    digests = []
    for name in ("a", "b"):
        out = tmp_path / name
        assert polyleaf("batch", orders(tmp_path), "--out", out, "--jobs", "1").code == 0
        digests.append(
            sorted(
                (p.relative_to(out).as_posix(), hashlib.sha256(p.read_bytes()).hexdigest())
                for p in out.rglob("*")
                if p.is_file() and not p.name.startswith(".")
            )
        )
    assert digests[0] == digests[1]


def test_batch_on_a_local_dask_cluster(tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster:
        run = polyleaf(
            "batch",
            orders(tmp_path),
            "--out",
            tmp_path / "out",
            "--scheduler",
            cluster.scheduler_address,
        )
    assert run.code == 0, run.stderr
    assert "4 built" in run.stderr
    assert (tmp_path / "out" / "print-jobs" / "riverside-a4.pdf").is_file()


def test_orders_api_with_any_executor(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    project = Project.load(ROOT)
    todo = read_orders(
        project,
        orders(tmp_path, ORDERS.splitlines()[0] + "\n" + "default,isotretinoin-20mg,fr,a5,2\n"),
    )
    with ThreadPoolExecutor(max_workers=1) as executor:
        result = run_batch(project, todo, tmp_path / "out", executor=executor)
    assert not result.failed and len(result.print_jobs) == 1
