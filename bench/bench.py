"""polyleaf's benchmark: ratios against baselines run side by side.

    .venv/bin/python bench/bench.py [--repeat 3] [--write bench/RESULTS.md]

Whole commands are timed from outside with time.perf_counter; A and B runs
alternate (A B A B ...) and the median of each is compared, so drift in the
machine's speed hits both. Peak memory per rendering process is what polyleaf
reports at the end of a run (each worker's getrusage maximum resident set).

(a) cold `polyleaf build` of every locale  vs  (b) the `weasyprint` command
    once per HTML file of `polyleaf build --format html`
(c) a rebuild with nothing changed  vs  (a)
(d) a batch of 200 distinct documents with --jobs 1  vs  --jobs 2
(e) a print job of 200 copies of one leaflet  vs  one copy (time and size)
(f) the text-layer stage: write_pdf with and without it, per page, for a
    Latin leaflet and a dense Hindi one
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POLYLEAF = [sys.executable, "-m", "polyleaf", "--project", str(ROOT)]
LEAFLET = "isotretinoin-20mg"


def timed(
    command: list[str] | None = None, *, call=None, cwd: Path | None = None
) -> tuple[float, str]:
    """(seconds, what the command wrote to stderr) for one run of *command* or *call*."""
    start = time.perf_counter()
    log = ""
    if command is not None:
        done = subprocess.run(
            command,
            check=True,
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        log = done.stderr
    else:
        call()
    return time.perf_counter() - start, log


def paired(a, b, repeat: int) -> tuple[float, float]:
    """Median seconds of callables *a* and *b*, run alternately."""
    times_a, times_b = [], []
    for _ in range(repeat):
        times_a.append(a())
        times_b.append(b())
    return statistics.median(times_a), statistics.median(times_b)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", type=Path, default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="polyleaf-bench-"))
    lines: list[str] = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    say(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.platform()}"
    )

    # (a) vs (b)
    html_out = work / "html"
    subprocess.run(
        [*POLYLEAF, "build", "--format", "html", "--out", str(html_out)],
        check=True,
        stderr=subprocess.DEVNULL,
    )
    html_files = sorted(html_out.rglob("*.html"))

    def cold_build() -> float:
        shutil.rmtree(work / "pdf", ignore_errors=True)
        return timed([*POLYLEAF, "build", "--out", str(work / "pdf")])[0]

    def naive() -> float:
        def each() -> None:
            for html in html_files:
                subprocess.run(
                    [str(BIN / "weasyprint"), "-q", str(html), str(html.with_suffix(".pdf"))],
                    check=True,
                    cwd=html.parent,
                )

        return timed(call=each)[0]

    a, b = paired(cold_build, naive, args.repeat)
    say(
        f"(a) cold build, {len(html_files)} leaflets: {a:.2f} s; (b) weasyprint per HTML file: "
        f"{b:.2f} s; b/a = {b / a:.1f}x (target >= 4x)"
    )

    # (c)
    def rebuild() -> float:
        return timed([*POLYLEAF, "build", "--out", str(work / "pdf")])[0]

    c = statistics.median(rebuild() for _ in range(args.repeat))
    say(f"(c) rebuild with no changes: {c:.2f} s = {100 * c / a:.1f}% of (a) (target <= 5%)")

    # (d)
    orders = work / "orders.csv"
    clinics = ["default", "riverside", "northgate"]
    papers = ["a4", "a5", "letter"]
    locales = sorted({p.parent.name for p in html_files})
    rows = [(c_, l_, p_) for p_ in papers for c_ in clinics for l_ in locales][:200]
    orders.write_text(
        "clinic,leaflet,locale,paper,copies\n"
        + "".join(f"{c_},{LEAFLET},{l_},{p_},1\n" for c_, l_, p_ in rows)
    )
    memory = {}

    def batch(jobs: int):
        def go() -> float:
            out = work / f"batch{jobs}"
            shutil.rmtree(out, ignore_errors=True)
            seconds, log = timed(
                [*POLYLEAF, "batch", str(orders), "--out", str(out), "--jobs", str(jobs)]
            )
            memory[jobs] = float(log.split("peak memory per rendering process ")[1].split()[0])
            return seconds

        return go

    d1, d2 = paired(batch(1), batch(2), 1)
    say(
        f"(d) batch of {len(rows)} distinct documents: --jobs 1 {d1:.1f} s, --jobs 2 {d2:.1f} s; "
        f"speed-up {d1 / d2:.2f}x (target >= 1.8x)"
    )
    say(
        "    peak memory per rendering process (polyleaf's own report, getrusage): "
        f"{memory[1]:.0f} MiB (--jobs 1), {memory[2]:.0f} MiB (largest worker of --jobs 2) "
        "(target <= 200 MiB)"
    )

    # (e)
    def copies(n: int):
        def go() -> float:
            path = work / f"copies{n}.csv"
            path.write_text(f"clinic,leaflet,locale,paper,copies\nriverside,{LEAFLET},hi,a4,{n}\n")
            return timed(
                [
                    *POLYLEAF,
                    "batch",
                    str(path),
                    "--out",
                    str(work / f"c{n}"),
                    "--force",
                    "--jobs",
                    "1",
                ]
            )[0]

        return go

    e200, e1 = paired(copies(200), copies(1), args.repeat)
    single = work / "c1" / "print-jobs" / "riverside-a4.pdf"
    many = work / "c200" / "print-jobs" / "riverside-a4.pdf"
    leaflet = next((work / "c1").rglob(f"{LEAFLET}-hi-a4-riverside.pdf"))
    limit = 1.2 * leaflet.stat().st_size + 2048 * 200
    say(
        f"(e) 200 copies vs 1: {e200:.2f} s vs {e1:.2f} s = {e200 / e1:.2f}x (target <= 2x); "
        f"print job {many.stat().st_size / 1024:.0f} KiB vs single leaflet "
        f"{leaflet.stat().st_size / 1024:.0f} KiB (limit {limit / 1024:.0f} KiB; one copy's job "
        f"{single.stat().st_size / 1024:.0f} KiB)"
    )

    # (f)
    stage = subprocess.run(
        [sys.executable, str(Path(__file__).parent / "textlayer_cost.py"), str(args.repeat * 5)],
        check=True,
        capture_output=True,
        text=True,
    )
    for line in stage.stdout.splitlines():
        say(f"(f) {line}")

    shutil.rmtree(work, ignore_errors=True)
    if args.write:
        args.write.write_text(
            "# Benchmark results\n\nProduced by `bench/bench.py`; ratios are medians of runs "
            "that alternate A and B.\n\n```\n" + "\n".join(lines) + "\n```\n"
        )


if __name__ == "__main__":
    main()
