"""Load test of `polyleaf serve`, on loopback only, bounded in count and time.

    .venv/bin/python bench/load.py [--write bench/RESULTS.md]

Starts the server on 127.0.0.1 with two rendering processes, then:
1. cold: 50 simultaneous requests for 50 different documents (nothing cached);
   the page is requested in the middle of the burst to see it is not starved;
2. warm: 300 requests, 50 at a time, for documents already rendered.
Records requests per second, p50/p95 latency, status codes and the peak
memory of the server with its workers. Every request has a 120 s limit; the
whole run stops after 10 minutes at most.
"""

from __future__ import annotations

import argparse
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


def fetch(url: str) -> tuple[int, float]:
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=120) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0
    return status, time.perf_counter() - start


def burst(urls: list[str], concurrency: int) -> tuple[list[tuple[int, float]], float]:
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(fetch, urls))
    return results, time.perf_counter() - start


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
            describe("warm, 300 requests for rendered documents, 50 at a time", results, seconds)
        )
        lines.append(f"peak memory, server and its workers together: {peak[0]:.0f} MiB")
    finally:
        stop.set()
        server.terminate()
        server.wait(timeout=30)
    for line in lines:
        print(line)
    if args.write:
        text = args.write.read_text() if args.write.exists() else "# Benchmark results\n"
        marker = "\n## Front desk under load"
        text = (
            text.split(marker)[0].rstrip()
            + "\n"
            + marker
            + (
                "\n\nProduced by `bench/load.py` (loopback only).\n\n```\n"
                + "\n".join(lines)
                + "\n```\n"
            )
        )
        args.write.write_text(text)


if __name__ == "__main__":
    main()
