"""Very large print jobs: time and peak memory against the number of copies.

    .venv/bin/python bench/print_jobs.py [--copies 1000 10000 17000 100000] [--rows 100000]
                                         [--leaflet PDF]

Each job is written by polyleaf.printjob.write_print_job in a fresh process,
so that the peak resident memory (getrusage) is that job's alone; the time is
the call's, measured inside that process with time.perf_counter. The leaflet
is the Spanish A4 one (5 pages, padded to 6 per copy), rendered once with
`polyleaf build` unless --leaflet names a PDF. The baseline is the same
process importing polyleaf.printjob and writing one copy. --rows measures a
whole batch (orders file checked, print job and manifest written) of that many
one-copy rows of the same, already rendered, document.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEAFLET = "isotretinoin-20mg"


def one(leaflet: Path, copies: int, target: Path) -> None:
    """In the child: write the job, print what it cost as JSON."""
    from polyleaf.printjob import write_print_job

    start = time.perf_counter()
    written = write_print_job(target, [(leaflet, copies)])
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = target.stat().st_size
    print(json.dumps({"pages": written.pages, "seconds": seconds, "mib": peak, "bytes": size}))


def rows(leaflet: Path, count: int, folder: Path) -> None:
    """In the child: a whole batch of *count* one-copy rows (orders checked, job and
    manifest written), the one document already rendered; cost as JSON."""
    import shutil

    from polyleaf import fingerprint
    from polyleaf.batch import read_orders, run_batch
    from polyleaf.build import Builder
    from polyleaf.project import Project

    project = Project.load(ROOT)
    orders = folder / "orders.csv"
    row = f"default,{LEAFLET},es,a4,1\n"
    orders.write_text("clinic,leaflet,locale,paper,copies\n" + row * count)
    out = folder / "run"
    start = time.perf_counter()
    todo = read_orders(project, orders)
    rendered = todo[0].job.output(out)
    rendered.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(leaflet, rendered)
    fingerprint.record(rendered, Builder(project).inputs(todo[0].job))
    result = run_batch(project, todo, out)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = result.print_jobs[0].stat().st_size
    pages = json.loads(result.manifest.read_text())["files"][-1]["pages"]
    shutil.rmtree(out)
    print(json.dumps({"pages": pages, "seconds": seconds, "mib": peak, "bytes": size}))


def measure(leaflet: Path, copies: int, folder: Path, mode: str = "--one") -> dict[str, float]:
    target = folder / f"job-{copies}.pdf"
    done = subprocess.run(
        [sys.executable, __file__, mode, str(copies), str(leaflet), str(target)],
        check=True,
        capture_output=True,
        text=True,
    )
    target.unlink(missing_ok=True)
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[1000, 10000, 17000, 100000])
    parser.add_argument("--leaflet", type=Path)
    parser.add_argument("--rows", type=int, nargs="*", default=[100000])
    parser.add_argument("--one", nargs=3, metavar=("COPIES", "LEAFLET", "TARGET"))
    parser.add_argument("--batch", nargs=3, metavar=("ROWS", "LEAFLET", "TARGET"))
    args = parser.parse_args()
    if args.one:
        copies, leaflet, target = args.one
        one(Path(leaflet), int(copies), Path(target))
        return
    if args.batch:
        count, leaflet, target = args.batch
        rows(Path(leaflet), int(count), Path(target).parent)
        return
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        leaflet = args.leaflet
        if leaflet is None:
            subprocess.run(
                [sys.executable, "-m", "polyleaf", "--project", str(ROOT), "build"]
                + ["--locale", "es", "--jobs", "1", "--out", str(folder)],
                check=True,
                capture_output=True,
            )
            leaflet = folder / LEAFLET / "es" / f"{LEAFLET}-es-a4.pdf"
        print(f"machine: {platform.machine()}, Python {platform.python_version()}")
        base = measure(leaflet, 1, folder)
        print(
            f"baseline, 1 copy: {base['seconds']:.2f} s, peak {base['mib']:.0f} MiB "
            "(the process with pikepdf and polyleaf loaded)"
        )
        for copies in args.copies:
            cost = measure(leaflet, copies, folder)
            print(
                f"{copies:>7} copies = {cost['pages']:>7} pages: {cost['seconds']:6.2f} s, "
                f"peak {cost['mib']:4.0f} MiB (+{cost['mib'] - base['mib']:.0f}), "
                f"{cost['bytes'] / 2**20:6.1f} MiB file, "
                f"{(cost['bytes'] - base['bytes']) / max(cost['pages'] - 6, 1):.0f} bytes/page"
            )
        for count in args.rows:
            cost = measure(leaflet, count, folder, "--batch")
            print(
                f"batch of {count} one-copy rows = {cost['pages']} pages (orders read, job and "
                f"manifest written): {cost['seconds']:.2f} s, peak {cost['mib']:.0f} MiB"
            )


if __name__ == "__main__":
    main()
