"""Very large print jobs: time and peak memory against the number of copies.

    .venv/bin/python bench/print_jobs.py [--copies 1000 10000 17000 100000] [--leaflet PDF]

Each job is written by polyleaf.printjob.write_print_job in a fresh process,
so that the peak resident memory (getrusage) is that job's alone; the time is
the call's, measured inside that process with time.perf_counter. The leaflet
is the Spanish A4 one (5 pages, padded to 6 per copy), rendered once with
`polyleaf build` unless --leaflet names a PDF. The baseline is the same
process importing polyleaf.printjob and writing one copy.
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


def measure(leaflet: Path, copies: int, folder: Path) -> dict[str, float]:
    target = folder / f"job-{copies}.pdf"
    done = subprocess.run(
        [sys.executable, __file__, "--one", str(copies), str(leaflet), str(target)],
        check=True,
        capture_output=True,
        text=True,
    )
    target.unlink()
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, nargs="+", default=[1000, 10000, 17000, 100000])
    parser.add_argument("--leaflet", type=Path)
    parser.add_argument("--one", nargs=3, metavar=("COPIES", "LEAFLET", "TARGET"))
    args = parser.parse_args()
    if args.one:
        copies, leaflet, target = args.one
        one(Path(leaflet), int(copies), Path(target))
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


if __name__ == "__main__":
    main()
