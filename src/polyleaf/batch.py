"""Print runs: an orders file -> leaflets, print jobs and a manifest.

``ORDERS.csv`` has the columns ``clinic,leaflet,locale,paper,copies``. Every
row is checked before anything is rendered, and all bad rows are reported at
once (the header is row 1). Each distinct (clinic, leaflet, locale, paper) is
rendered once, in parallel; a print job per clinic and paper then puts the
leaflets and their copies in order, each leaflet padded to an even number of
pages so that it starts on a front side when printed double-sided. Copies are
the same pages referenced again, not rendered again. ``manifest.json`` lists
every file with its SHA-256, page count, locale and copies.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

from polyleaf.atomic import atomic_target, sweep
from polyleaf.build import Job, Outcome, run
from polyleaf.clinics import clinic_ids, load_clinic
from polyleaf.errors import PolyleafError, shortened
from polyleaf.library import Library
from polyleaf.options import PAPERS, LeafletOptions, edition_names, parse_edition
from polyleaf.printjob import Written, write_print_job
from polyleaf.project import Project

COLUMNS = ["clinic", "leaflet", "locale", "paper", "copies"]
MAX_COPIES = 100_000
PRINT_JOBS = "print-jobs"


class OrdersError(PolyleafError):
    """Bad rows in an orders file, every one of them, one line each."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Order:
    row: int
    job: Job
    copies: int


def read_orders(
    project: Project, path: Path, bleed: str = "", marks: tuple[str, ...] = ()
) -> list[Order]:
    """Every row of *path* as an Order, or an OrdersError listing every bad row."""
    rows, unreadable = _rows(path)
    if not rows or [cell.strip() for cell in rows[0][1]] != COLUMNS:
        raise PolyleafError(unreadable or f"{path}:1: the header must be {','.join(COLUMNS)}")
    clinics = clinic_ids(project)
    locales = {locale.folder.lower(): locale.folder for locale in project.locales}
    problems: list[str] = []
    orders: list[Order] = []
    profile_problem = _profile_checker(project)
    for number, cells in rows[1:]:
        if not any(cell.strip() for cell in cells):
            continue
        where = f"{path}:{number}"
        if any("\n" in cell or "\r" in cell for cell in cells):
            problems.append(f"{where}: a cell runs on to the next line; is a quote left open?")
            continue
        if len(cells) != len(COLUMNS):
            problems.append(f"{where}: {len(cells)} columns, expected {len(COLUMNS)}")
            continue
        clinic, leaflet, locale, paper, copies = (cell.strip() for cell in cells)
        row_problems = []
        if clinic not in ("", "default") and clinic not in clinics:
            row_problems.append(
                f"clinic {_cell(clinic)} unknown; available: default, {', '.join(clinics)}"
            )
        elif problem := profile_problem(clinic):
            row_problems.append(problem)
        known = project.leaflets.get(leaflet)
        if known is None:
            row_problems.append(
                f"leaflet {_cell(leaflet)} unknown; available: {', '.join(project.leaflets)}"
            )
        folder = locales.get(locale.replace("-", "_").lower())
        if folder is None:
            available = ", ".join(loc.tag for loc in project.locales)
            row_problems.append(f"locale {_cell(locale)} unknown; available: {available}")
        elif known is not None and folder not in {
            loc.folder for loc in project.leaflet_locales(leaflet)
        }:
            row_problems.append(f"leaflet {leaflet!r} has no {locale} translation")
        base, large, bilingual = parse_edition(paper)
        if base not in PAPERS:
            papers = ", ".join(edition_names())
            row_problems.append(f"paper {_cell(paper)} unknown; available: {papers}")
        elif known is not None and known.paper and base != known.paper:
            row_problems.append(f"leaflet {leaflet!r} is printed on {known.paper} only")
        elif bilingual and known is not None and folder is not None:
            if problem := project.bilingual_problem(known, project.find_locale(folder)):
                row_problems.append(f"paper {paper!r}: {problem}")
        if not 1 <= _copies(copies) <= MAX_COPIES:
            row_problems.append(
                f"copies {_cell(copies)} is not a whole number from 1 to {MAX_COPIES}"
            )
        if row_problems:
            problems.extend(f"{where}: {problem}" for problem in row_problems)
            continue
        options = LeafletOptions(
            paper=base,
            large_print=large,
            bilingual=bilingual,
            bleed=bleed,
            marks=marks,
            clinic="" if clinic == "default" else clinic,
        )
        orders.append(Order(number, Job(leaflet, folder, options), _copies(copies)))
    if unreadable:
        problems.append(unreadable)
    if problems:
        raise OrdersError(problems)
    if not orders:
        raise PolyleafError(f"{path}: no orders")
    return orders


def _rows(path: Path) -> tuple[list[tuple[int, list[str]]], str]:
    """Each row of *path* with the line it starts on, up to a row the csv module
    cannot read, and that row's problem ("" when every row reads).

    Read strictly: a lenient reader takes an unclosed quote, ``"1``, to the end
    of the file, and a row that breaks the CSV rules is read as something."""
    rows: list[tuple[int, list[str]]] = []
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.reader(handle, strict=True)
            start = 1
            try:
                for cells in reader:
                    rows.append((start, cells))
                    start = reader.line_num + 1
            except csv.Error as error:
                if str(error) == "unexpected end of data":
                    return rows, f"{path}:{start}: a quote opened in this row is never closed"
                return rows, f"{path}:{start}: not a CSV row: {error}"
    except (OSError, UnicodeDecodeError) as error:
        raise PolyleafError(f"{path}: cannot read orders: {error}") from None
    return rows, ""


def _profile_checker(project: Project) -> Callable[[str], str]:
    """Loads each clinic profile named in the orders once: "" if it is valid, else
    the error, so that a bad profile is a bad row, not a failure per document."""
    problems: dict[str, str] = {}

    def problem(clinic: str) -> str:
        if clinic not in problems:
            try:
                load_clinic(project, "" if clinic == "default" else clinic)
                problems[clinic] = ""
            except PolyleafError as error:
                problems[clinic] = f"clinic {clinic!r}: {error}"
        return problems[clinic]

    return problem


def _cell(text: str) -> str:
    """A cell as quoted in a row's problem: the first 20 characters of a long one."""
    return shortened(text, 21)


def _copies(text: str) -> int:
    """The number *text* writes in digits 0-9 only, or 0: str.isdigit() also accepts
    '²' and '٣', which int() refuses or reads as another number than the print shop
    sees, and int() refuses more than 4300 digits with a ValueError."""
    if not text.isascii() or not text.isdigit():
        return 0
    digits = text.lstrip("0")
    return int(digits or "0") if len(digits) <= len(str(MAX_COPIES)) else MAX_COPIES + 1


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


@dataclass
class BatchResult:
    outcomes: list[Outcome]
    print_jobs: list[Path]
    manifest: Path

    @property
    def failed(self) -> list[Outcome]:
        return [outcome for outcome in self.outcomes if not outcome.ok]


def run_batch(
    project: Project,
    orders: list[Order],
    out: Path,
    *,
    force: bool = False,
    executor: Executor | None = None,
    report: Callable[[Outcome], None] = lambda _: None,
) -> BatchResult:
    """Render each distinct document once, then the print jobs and the manifest."""
    jobs = list(dict.fromkeys(order.job for order in orders))
    sweep([out / PRINT_JOBS])  # temporary files of a killed run; run() sweeps the rest
    outcomes = run(project, jobs, out, force=force, executor=executor, report=report)
    done = {outcome.job: outcome.path for outcome in outcomes if outcome.ok}
    groups: dict[tuple[str, str], list[tuple[Path, int]]] = {}
    for order in orders:
        if order.job in done:
            key = (order.job.options.clinic or "default", order.job.options.edition)
            groups.setdefault(key, []).append((done[order.job], order.copies))
    entries = []
    copies_of: dict[Job, int] = {}
    for order in orders:
        copies_of[order.job] = copies_of.get(order.job, 0) + order.copies
    library = Library(project)
    statuses: dict[tuple[str, str], str] = {}  # one review per leaflet and locale, not per copy
    for job, path in done.items():
        entry = _entry(out, path, "leaflet", job, copies_of[job])
        if (job.leaflet, job.locale) not in statuses:
            document = library.status(job.leaflet, project.find_locale(job.locale))
            statuses[(job.leaflet, job.locale)] = document.status
        entry["status"] = statuses[(job.leaflet, job.locale)]
        entries.append(entry)
    print_jobs = []
    for (clinic, edition), items in sorted(groups.items()):
        target = out / PRINT_JOBS / f"{clinic}-{edition}.pdf"
        written = write_print_job(target, items)
        print_jobs.append(target)
        entry = _entry(out, target, "print-job", None, sum(copies for _, copies in items), written)
        entry["clinic"], entry["paper"] = clinic, edition
        entry["leaflets"] = [
            {"file": path.relative_to(out).as_posix(), "copies": copies} for path, copies in items
        ]
        entries.append(entry)
    manifest = out / "manifest.json"
    with atomic_target(manifest) as temporary:
        temporary.write_text(json.dumps({"files": entries}, indent=2, ensure_ascii=False) + "\n")
    return BatchResult(outcomes, print_jobs, manifest)


def _entry(
    out: Path, path: Path, kind: str, job: Job | None, copies: int, written: Written | None = None
) -> dict[str, object]:
    """A manifest entry; a print job's page count and hash are known from writing it."""
    entry: dict[str, object] = {
        "file": path.relative_to(out).as_posix(),
        "kind": kind,
        "sha256": written.sha256 if written else sha256(path),
        "pages": written.pages if written else len(PdfReader(path).pages),
        "copies": copies,
    }
    if job is not None:
        entry.update(
            leaflet=job.leaflet,
            locale=job.tag,
            paper=job.options.edition,
            clinic=job.options.clinic or "default",
        )
    return entry
