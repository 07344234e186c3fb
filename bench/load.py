"""Load test of `polyleaf serve`, on loopback only, bounded in count and time.

    .venv/bin/python bench/load.py [--write bench/RESULTS.md]

Starts the server on 127.0.0.1 with two rendering processes, then:
1. cold: 50 simultaneous requests for 50 different documents (nothing cached);
   the page is requested in the middle of the burst to see it is not starved;
2. warm: 300 requests, 50 at a time, for documents already rendered.
Records requests per second, p50/p95 latency, status codes and the peak
memory of the server with its workers.

With --personal, it measures personalised copies instead (POST, rendered in
memory on every request, never cached): after a warm-up, 30 one at a time
(p50/p95; target p95 <= 1 s on a 2-core machine), then 20 at once (all 200
or a clean 503), with peak memory; written under its own heading. Every
request has a 120 s limit; the whole run stops after 10 minutes at most.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LEAFLET = "isotretinoin-20mg"
LOCALES = [
    "en",
    "ar",
    "bn",
    "de",
    "es",
    "fa",
    "fr",
    "gu",
    "hi",
    "ht",
    "it",
    "ja",
    "ko",
    "pa",
    "pl",
    "pt",
    "ro",
    "ru",
    "tl",
    "tr",
    "uk",
    "ur",
    "vi",
    "zh-Hans",
    "zh-Hant",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tree_rss_mib(pid: int) -> float:
    """Resident memory of *pid* and its children, from /proc."""
    total = 0
    pids = [pid]
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[1]) == pid:
                    pids.append(int(entry.name))
            except (OSError, IndexError):
                pass
    for each in pids:
        try:
            for line in (Path("/proc") / str(each) / "status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


PERSONAL = {
    "patient_name": "Bench Patient",
    "prescriber": "Dr. Bench",
    "dispensed_on": "2026-11-30",
    "dose": {
        "form": "capsule",
        "count": 2,
        "strength": 20,
        "unit": "mg",
        "frequency": "twice_a_day",
        "timing": "with_food",
    },
    "pharmacist_note": "Start on Monday.",
}


def fetch(url: str, body: dict[str, object] | None = None) -> tuple[int, float]:
    start = time.perf_counter()
    request = urllib.request.Request(url)
    if body is not None:
        request = urllib.request.Request(
            url,
            data=json.dumps(body).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0
    return status, time.perf_counter() - start


def burst(
    urls: list[str], concurrency: int, body: dict[str, object] | None = None
) -> tuple[list[tuple[int, float]], float]:
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(lambda url: fetch(url, body), urls))
    return results, time.perf_counter() - start


def personal_runs(base: str, lines: list[str]) -> None:
    """Personalised copies: warm-up, 30 one at a time, then 20 at once."""
    locales = ["es", "ar", "zh-Hans", "hi", "ru", "fr"]
    urls = [f"{base}/leaflets/{LEAFLET}/{locale}.pdf" for locale in locales]
    for url in urls * 2:  # warm: every worker has loaded WeasyPrint and these fonts
        fetch(url, PERSONAL)
    one_by_one = [urls[i % len(urls)] for i in range(30)]
    results, seconds = burst(one_by_one, 1, PERSONAL)
    lines.append(
        describe(f"personalised, warm, 30 one at a time ({', '.join(locales)})", results, seconds)
    )
    results, seconds = burst([urls[i % len(urls)] for i in range(20)], 20, PERSONAL)
    lines.append(describe("personalised, 20 at once", results, seconds))


def describe(name: str, results: list[tuple[int, float]], seconds: float) -> str:
    latencies = sorted(latency for _, latency in results)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    codes = ", ".join(
        f"{code}: {count}"
        for code, count in sorted(Counter(status for status, _ in results).items())
    )
    return (
        f"{name}: {len(results)} requests in {seconds:.1f} s = {len(results) / seconds:.1f} "
        f"req/s; latency p50 {statistics.median(latencies) * 1000:.0f} ms, p95 "
        f"{p95 * 1000:.0f} ms; status {codes}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", type=Path, default=None)
    parser.add_argument("--personal", action="store_true", help="personalised copies only")
    args = parser.parse_args()
    port = free_port()
    cache = tempfile.mkdtemp(prefix="polyleaf-load-")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "polyleaf",
            "--project",
            str(ROOT),
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--timeout",
            "20",
            "--cache",
            cache,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    lines = [f"machine: {os.cpu_count()} cores; server: 2 rendering processes, 20 s queue timeout"]
    peak = [0.0]
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], tree_rss_mib(server.pid))
            time.sleep(0.2)

    watcher = threading.Thread(target=watch, daemon=True)
    try:
        deadline = time.time() + 60
        while fetch(f"{base}/leaflets")[0] != 200:
            if time.time() > deadline:
                raise SystemExit("server did not start")
            time.sleep(0.3)
        watcher.start()
        if args.personal:
            personal_runs(base, lines)
        else:
            documents = [
                f"{base}/leaflets/{LEAFLET}/{locale}.pdf?paper={paper}"
                for paper in ("a4", "a5")
                for locale in LOCALES
            ][:50]
            page_latency: list[float] = []
            timer = threading.Timer(3.0, lambda: page_latency.append(fetch(f"{base}/")[1]))
            timer.start()
            results, seconds = burst(documents, 50)
            timer.join()
            lines.append(describe("cold, 50 distinct documents at once", results, seconds))
            lines.append(f"page requested during the cold burst: {page_latency[0] * 1000:.0f} ms")
            rendered = [
                url for url, (status, _) in zip(documents, results, strict=True) if status == 200
            ]
            warm = (rendered * (300 // max(len(rendered), 1) + 1))[:300]
            results, seconds = burst(warm, 50)
            lines.append(
                describe(
                    "warm, 300 requests for rendered documents, 50 at a time", results, seconds
                )
            )
        lines.append(f"peak memory, server and its workers together: {peak[0]:.0f} MiB")
        load = ", ".join(f"{figure:.1f}" for figure in os.getloadavg())
        lines.append(f"load average at the end (1, 5, 15 min; other processes included): {load}")
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
    for line in lines:
        print(line)
    if args.write:
        text = args.write.read_text() if args.write.exists() else "# Benchmark results\n"
        marker = (
            "\n## Personalised copies under load" if args.personal else "\n## Front desk under load"
        )
        before, _, after = text.partition(marker)
        rest = after[after.find("\n## ") :] if "\n## " in after else ""
        text = (
            before.rstrip()
            + "\n"
            + marker
            + (
                f"\n\nProduced by `bench/load.py{' --personal' if args.personal else ''}` "
                "(loopback only).\n\n```\n" + "\n".join(lines) + "\n```\n"
            )
            + rest
        )
        args.write.write_text(text)


if __name__ == "__main__":
    main()
