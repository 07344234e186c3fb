"""The ``polyleaf`` command: build, check, locales.

Bad input (a broken catalog, an unknown locale, a missing template) is one
line on stderr and exit status 1, never a traceback; see :mod:`polyleaf.errors`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.console import Console

from polyleaf import __version__
from polyleaf import i18n as i18n_steps
from polyleaf.build import Builder, Outcome, run, split_current
from polyleaf.catalogs import CatalogStore, extract_messages, review_status
from polyleaf.clinics import load_clinic
from polyleaf.errors import CatalogError, PolyleafError
from polyleaf.gate import Gate
from polyleaf.options import MARKS, PAPERS, LeafletOptions
from polyleaf.project import Project

if TYPE_CHECKING:
    from concurrent.futures import Executor

stderr = Console(stderr=True, highlight=False, soft_wrap=True)
#: Tables: as wide as the terminal, and wide enough not to wrap in a pipe or log.
stdout = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


class UserErrors(click.Group):
    """Turns a :class:`PolyleafError` from any command into one line and exit 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except PolyleafError as error:
            click.echo(f"polyleaf: error: {error}", err=True)
            ctx.exit(1)


@click.group(cls=UserErrors)
@click.version_option(__version__, prog_name="polyleaf")
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The leaflet project (a folder with polyleaf.toml), e.g. --project ../clinic-leaflets",
)
@click.pass_context
def main(ctx: click.Context, project_dir: Path) -> None:
    """polyleaf: safety-checked, print-ready patient leaflets in many languages."""
    ctx.obj = project_dir


def _project(ctx: click.Context) -> Project:
    return Project.load(ctx.obj)


out_option = click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder. Default: output/ in the project.",
)

locale_option = click.option(
    "--locale",
    "locales",
    multiple=True,
    metavar="LOCALE",
    help="Only this locale (repeatable); zh-Hans and zh_Hans both work. Default: all.",
)


@contextmanager
def _progress(total: int) -> Iterator[Callable[[Outcome], None]]:
    """A progress bar on a terminal; plain lines elsewhere (CI, logs)."""
    if stderr.is_terminal and total > 1:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=stderr,
            transient=True,
        ) as progress:
            task = progress.add_task("rendering", total=total)

            def advance(outcome: Outcome) -> None:
                _report(outcome)
                progress.advance(task)

            yield advance
    else:
        yield _report


def _report(outcome: Outcome) -> None:
    if outcome.skipped:
        stderr.print(f"current {outcome.path}")
    elif outcome.ok:
        stderr.print(f"built   {outcome.path}")
    else:
        stderr.print(f"[red]FAILED[/red]  {outcome.job.name}: {outcome.error}")
        for finding in outcome.findings:
            stderr.print(f"        {finding}", markup=False)


def _options(*options: Callable) -> Callable[[Callable], Callable]:
    def apply(command: Callable) -> Callable:
        for option in reversed(options):
            command = option(command)
        return command

    return apply


#: Paper and edition of one document (a batch names them per row instead).
edition_options = _options(
    click.option("--paper", type=click.Choice(list(PAPERS)), default="a4", show_default=True),
    click.option("--large-print", is_flag=True, help="Body text 16 pt, same content reflowed."),
)

#: How a run renders (the fields of LeafletOptions the print shop asks for, and
#: the process options).
run_options = _options(
    click.option(
        "--bleed",
        default="",
        metavar="LENGTH",
        help="Bleed around the trimmed page for a print shop, e.g. --bleed 3mm.",
    ),
    click.option(
        "--marks",
        multiple=True,
        type=click.Choice(MARKS),
        help="Printer's marks (repeatable): --marks crop --marks cross.",
    ),
    click.option(
        "--jobs",
        type=click.IntRange(1, 64),
        default=os.cpu_count() or 1,
        show_default="number of cores",
        help="Documents rendered in parallel.",
    ),
    click.option(
        "--force",
        is_flag=True,
        help="Render everything, even documents whose inputs have not changed.",
    ),
)


@contextmanager
def _executor(jobs: int, count: int, scheduler: str = "") -> Iterator[Executor | None]:
    """None (this process) for one job; a process pool, or a Dask cluster, for more."""
    if scheduler:
        from polyleaf.distributed import dask_executor

        with dask_executor(scheduler) as executor:
            yield executor
    elif jobs > 1 and count > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(jobs, count)) as executor:
            yield executor
    else:
        yield None


@main.command()
@locale_option
@edition_options
@run_options
@click.option("--clinic", default="", metavar="ID", help="Clinic profile: clinics/ID.toml.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["pdf", "html"]),
    default="pdf",
    show_default=True,
    help="html: the self-contained HTML that would be printed.",
)
@out_option
@click.pass_context
def build(
    ctx: click.Context,
    locales: tuple[str, ...],
    paper: str,
    large_print: bool,
    bleed: str,
    marks: tuple[str, ...],
    jobs: int,
    force: bool,
    clinic: str,
    output_format: str,
    out: Path | None,
) -> None:
    """Build every leaflet in every locale (or those named) as PDF.

    Example: polyleaf build --locale ar --locale zh-Hans --paper letter --clinic riverside
    """
    project = _project(ctx)
    options = LeafletOptions(
        paper=paper, large_print=large_print, bleed=bleed, marks=marks, clinic=clinic
    )
    load_clinic(project, clinic)
    folders = [locale.folder for locale in project.select_locales(locales)]
    out = out or project.root / "output"
    if output_format == "html":
        from polyleaf.export import export_html

        for path in export_html(project, folders, options, out):
            stderr.print(f"wrote   {path}")
        return
    todo = Builder(project).jobs(folders, options)
    split = split_current(project, todo, out, force)
    pending = len(split[1])
    with _progress(pending) as report, _executor(jobs, pending) as executor:
        outcomes = run(
            project, todo, out, force=force, executor=executor, report=report, split=split
        )
    _summary(ctx, outcomes)


def _summary(ctx: click.Context, outcomes: list[Outcome]) -> None:
    failed = [o for o in outcomes if not o.ok]
    current = sum(o.skipped for o in outcomes)
    built = len(outcomes) - len(failed) - current
    peak = max((o.peak_mib for o in outcomes if not o.skipped), default=0)
    memory = f"; peak memory per rendering process {peak:.0f} MiB" if built else ""
    stderr.print(f"{built} built, {current} already up to date, {len(failed)} failed{memory}")
    if failed:
        ctx.exit(1)


@main.command()
@click.argument("orders", type=click.Path(dir_okay=False, path_type=Path))
@run_options
@click.option(
    "--scheduler",
    default="",
    metavar="tcp://HOST:PORT",
    help="Render on a Dask cluster instead of local processes (polyleaf[dask]).",
)
@out_option
@click.pass_context
def batch(
    ctx: click.Context,
    orders: Path,
    bleed: str,
    marks: tuple[str, ...],
    jobs: int,
    force: bool,
    scheduler: str,
    out: Path | None,
) -> None:
    """A print run from ORDERS.csv (columns clinic,leaflet,locale,paper,copies).

    Writes one PDF per distinct document, one print job per clinic and paper
    (out/print-jobs/), and out/manifest.json. Each row names its paper (a4,
    letter, a5; a4-large for large print).

    Example: polyleaf batch orders.csv --bleed 3mm --marks crop --out run-2026-12
    """
    from polyleaf.batch import OrdersError, read_orders, run_batch

    project = _project(ctx)
    try:
        todo = read_orders(project, orders, bleed=bleed, marks=marks)
    except OrdersError as error:
        for problem in error.problems:
            click.echo(f"polyleaf: error: {problem}", err=True)
        ctx.exit(1)
    out = out or project.root / "output"
    distinct = list(dict.fromkeys(order.job for order in todo))
    count = len(split_current(project, distinct, out, force)[1])
    with _progress(count) as report, _executor(jobs, count, scheduler) as executor:
        result = run_batch(project, todo, out, force=force, executor=executor, report=report)
    for path in result.print_jobs:
        stderr.print(f"job     {path}")
    stderr.print(f"manifest {result.manifest}")
    _summary(ctx, result.outcomes)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=os.cpu_count() or 1,
    show_default="number of cores",
    help="Rendering processes.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(1, 600),
    default=60,
    show_default=True,
    help="Seconds a request may wait for a rendering process before a 503.",
)
@click.option(
    "--cache",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where rendered PDFs are kept. Default: output/web/ in the project.",
)
@click.pass_context
def serve(
    ctx: click.Context, host: str, port: int, workers: int, timeout: float, cache: Path | None
) -> None:
    """The front-desk web page and HTTP API (OpenAPI at /openapi.json).

    Example: polyleaf serve --host 0.0.0.0 --port 8080
    """
    import uvicorn

    from polyleaf.engine import check_weasyprint
    from polyleaf.web.app import Settings, create_app

    check_weasyprint()  # before serving a page that offers PDFs it could not render
    project = _project(ctx)
    settings = Settings(
        project=project.root,
        out=cache or project.root / "output" / "web",
        workers=workers,
        timeout=timeout,
    )
    app = create_app(settings)
    stderr.print(f"polyleaf: serving {project.root} on http://{host}:{port}/")
    uvicorn.run(app, host=host, port=port, log_level="warning")


@main.command()
@locale_option
@click.option(
    "--require-reviewed",
    is_flag=True,
    help="Also fail on catalogs still marked draft (for production print runs).",
)
@click.pass_context
def check(ctx: click.Context, locales: tuple[str, ...], require_reviewed: bool) -> None:
    """Run the safety gate without rendering; exit 1 on any error.

    Each finding reads: locale · section · message · file:line · what is wrong.
    """
    project = _project(ctx)
    catalogs = CatalogStore(project)
    gate = Gate(project, catalogs)
    chosen = project.select_locales(locales)
    findings = gate.check_all(chosen)
    errors: list[object] = [f for f in findings if f.severity == "error"]
    for finding in findings:
        click.echo(f"{finding.severity}: {finding}")
    if require_reviewed:
        for locale in chosen:
            try:
                status = review_status(catalogs.get(locale))
            except CatalogError:
                continue  # already reported as an error above
            if not status.reviewed:
                where = project.catalog_path(locale).relative_to(project.root)
                click.echo(
                    f"error: {locale.tag} · - · - · {where} · draft: not yet reviewed "
                    "by a qualified medical translator"
                )
                errors.append(where)
    summary = f"{len(chosen)} locales checked, {len(errors)} errors"
    click.echo(summary, err=True)
    if errors:
        ctx.exit(1)


@main.command(name="locales")
@click.pass_context
def locales_command(ctx: click.Context) -> None:
    """List the locales with their translation and review status."""
    project = _project(ctx)
    catalogs = CatalogStore(project)
    gate = Gate(project, catalogs)
    sections = project.section_contexts()
    from rich.table import Table

    table = Table("locale", "language", "dir", "translated", "safety sections", "status")
    for locale in project.locales:
        row = [locale.tag, locale.display_name, locale.direction]
        try:
            catalog = catalogs.get(locale)
        except CatalogError as error:
            table.add_row(*row, "-", "-", f"unreadable: {error}")
            continue
        counts = i18n_steps.count(gate.source, catalog)
        failing = {f.section for f in gate.check(locale) if f.severity == "error"}
        complete = len(sections.keys() - failing)
        status = review_status(catalog)
        table.add_row(
            *row,
            f"{counts.percent}%",
            f"{complete}/{len(sections)}",
            str(status),
            style=None if status.reviewed else "yellow",
        )
    stdout.print(table)


@main.group()
def i18n() -> None:
    """Translator workflow: extract, init, update, stats (pybabel, wired to the project)."""


@i18n.command()
@click.pass_context
def extract(ctx: click.Context) -> None:
    """Write locales/messages.pot from the templates."""
    project = _project(ctx.parent)
    changed = i18n_steps.extract(project)
    click.echo(f"{project.pot_path}: {'updated' if changed else 'already up to date'}")


@i18n.command()
@click.argument("locale")
@click.pass_context
def init(ctx: click.Context, locale: str) -> None:
    """Add a locale, e.g. polyleaf i18n init pt-BR (its catalog starts as a draft)."""
    path = i18n_steps.init(_project(ctx.parent), locale)
    click.echo(f"created {path}; translate it in any PO editor, then run polyleaf check")


@i18n.command()
@click.pass_context
def update(ctx: click.Context) -> None:
    """Bring every catalog in step with messages.pot (changed messages turn fuzzy)."""
    changed = i18n_steps.update(_project(ctx.parent))
    for path in changed:
        click.echo(f"updated {path}")
    click.echo(f"{len(changed)} catalogs changed", err=True)


@i18n.command()
@click.pass_context
def stats(ctx: click.Context) -> None:
    """Per-locale counts of translated, fuzzy and untranslated messages."""
    project = _project(ctx.parent)
    from rich.table import Table

    table = Table("locale", "translated", "fuzzy", "untranslated", "%")
    source = extract_messages(project)
    catalogs = CatalogStore(project)
    for locale in project.locales:
        s = i18n_steps.count(source, catalogs.get(locale))
        table.add_row(
            locale.tag, str(s.translated), str(s.fuzzy), str(s.untranslated), f"{s.percent}%"
        )
    stdout.print(table)
