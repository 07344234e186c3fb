"""The leaflet library's costs, as ratios against a baseline run side by side.

    .venv/bin/python bench/library.py [--repeat 3] [--write bench/RESULTS.md]

On a copy of this project (both leaflets, every locale, already built once):

(g) editing one catalog (the Spanish reminder card) and rebuilding everything
    vs a rebuild with nothing changed: how many documents render, and the time;
(h) editing one leaflet's source (the card's Markdown, a word outside its
    safety sections, catalogs brought in step) and rebuilding vs the same;
(i) the bilingual edition of every translated locale vs the plain edition of
    the same locales (cold, --force, both with --jobs 2).

Whole commands are timed from outside with time.perf_counter; A and B runs
alternate and the median of each is compared.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CARD = "isotretinoin-reminder-card"
SUMMARY = re.compile(r"(\d+) built, (\d+) already up to date, (\d+) failed")


def polyleaf(project: Path, *args: str) -> tuple[float, tuple[int, int, int]]:
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "polyleaf", "--project", str(project), *args],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    seconds = time.perf_counter() - start
    match = SUMMARY.search(done.stderr)
    if done.returncode != 0 or match is None:
        raise SystemExit(f"polyleaf {' '.join(args)} failed:\n{done.stderr[-2000:]}")
    built, current, failed = (int(group) for group in match.groups())
    return seconds, (built, current, failed)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--write", type=Path, default=None)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="polyleaf-library-"))
    project = work / "project"
    project.mkdir()
    for name in ("polyleaf.toml", "templates", "locales", "clinics"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, project / name)
    out = str(work / "out")
    lines: list[str] = []

    def say(text: str) -> None:
        print(text, flush=True)
        lines.append(text)

    polyleaf(project, "build", "--out", out)  # every document once
    catalog = project / "locales" / "es" / "LC_MESSAGES" / f"{CARD}.po"
    source = project / "templates" / f"{CARD}.md"

    def unchanged() -> float:
        seconds, counts = polyleaf(project, "build", "--out", out)
        assert counts[0] == 0, counts
        return seconds

    edits = {"catalog": 0}

    def one_catalog() -> float:
        edits["catalog"] += 1
        catalog.write_text(catalog.read_text() + f"\n# edit {edits['catalog']}\n")
        seconds, counts = polyleaf(project, "build", "--out", out)
        edits["counts"] = counts
        return seconds

    def one_source() -> float:
        text = source.read_text()
        old, new = "Keep this card with you.", "Keep this card with you!"
        source.write_text(text.replace(old, new) if old in text else text.replace(new, old))
        for step in (("i18n", "extract"), ("i18n", "update")):
            subprocess.run(
                [sys.executable, "-m", "polyleaf", "--project", str(project), *step],
                check=True,
                capture_output=True,
            )
        seconds, counts = polyleaf(project, "build", "--out", out)
        edits["source counts"] = counts
        return seconds

    changed, same = _paired(one_catalog, unchanged, args.repeat)
    built, current, _ = edits["counts"]
    say(
        f"- (g) one catalog edited (es card), whole library rebuilt: {changed:.2f} s, "
        f"{built} document rendered, {current} kept; nothing changed: {same:.2f} s "
        f"(ratio {changed / same:.1f})"
    )
    changed, same = _paired(one_source, unchanged, args.repeat)
    built, current, failed = edits["source counts"]
    say(
        f"- (h) one leaflet's source edited (the card), catalogs in step: {changed:.2f} s, "
        f"{built} rendered, {failed} failed, {current} kept (the edited sentence is outside "
        f"the safety sections: fuzzy in every translation, it prints in English until "
        f"reviewed); nothing changed: {same:.2f} s"
    )

    shutil.rmtree(project / "templates")
    shutil.copytree(ROOT / "templates", project / "templates")
    shutil.rmtree(project / "locales")
    shutil.copytree(ROOT / "locales", project / "locales")
    locales = [
        arg
        for path in sorted((ROOT / "locales").glob("*/LC_MESSAGES/isotretinoin-20mg.po"))
        for arg in ("--locale", path.parent.parent.name)
    ]
    common = ["build", "--leaflet", "isotretinoin-20mg", *locales, "--force", "--jobs", "2"]
    times = {"plain": [], "bilingual": []}
    for _ in range(args.repeat):
        times["plain"].append(polyleaf(project, *common, "--out", out)[0])
        times["bilingual"].append(polyleaf(project, *common, "--bilingual", "--out", out)[0])
    plain, both = (statistics.median(times[k]) for k in ("plain", "bilingual"))
    count = len(locales) // 2
    say(
        f"- (i) isotretinoin-20mg in {count} translated locales, cold (--force, --jobs 2): "
        f"bilingual {both:.1f} s vs plain {plain:.1f} s (ratio {both / plain:.2f})"
    )
    shutil.rmtree(work, ignore_errors=True)
    if args.write:
        text = args.write.read_text() if args.write.is_file() else ""
        heading = "## The leaflet library (bench/library.py)"
        block = "\n".join([heading, "", *lines, ""])
        if heading in text:
            start = text.index(heading)
            end = text.find("\n## ", start + len(heading))
            text = text[:start] + block + (text[end + 1 :] if end != -1 else "")
        else:
            text = text.rstrip() + "\n\n" + block
        args.write.write_text(text)


def _paired(a, b, repeat: int) -> tuple[float, float]:
    times_a, times_b = [], []
    for _ in range(repeat):
        times_a.append(a())
        times_b.append(b())
    return statistics.median(times_a), statistics.median(times_b)


if __name__ == "__main__":
    main()
