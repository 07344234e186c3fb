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

from polyleaf import __version__, interrupts
from polyleaf import i18n as i18n_steps
from polyleaf.atomic import writable_folder
from polyleaf.build import Builder, Job, Outcome, run, split_current
from polyleaf.catalogs import CatalogStore
from polyleaf.clinics import load_clinic
from polyleaf.errors import PolyleafError
from polyleaf.gate import Gate
from polyleaf.library import Library
from polyleaf.locales import LocaleInfo
from polyleaf.options import MARKS, PAPERS, LeafletOptions
from polyleaf.project import Project
from polyleaf.review_commands import export_command, import_command, review_group

if TYPE_CHECKING:
    from concurrent.futures import Executor

stderr = Console(stderr=True, highlight=False, soft_wrap=True)
#: Tables: as wide as the terminal, and wide enough not to wrap in a pipe or log.
stdout = Console(highlight=False, width=None if sys.stdout.isatty() else 160)


class UserErrors(click.Group):
    """Turns a :class:`PolyleafError` from any command into one line and exit 1."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            with interrupts.terminate_as_interrupt():
                return super().invoke(ctx)
        except PolyleafError as error:
            click.echo(f"polyleaf: error: {error}", err=True)
            ctx.exit(1)
        except KeyboardInterrupt as interrupt:  # Ctrl-C, or SIGTERM (interrupts.Terminated)
            line, code = interrupts.describe(interrupt)
            click.echo(f"polyleaf: {line}", err=True)
            ctx.exit(code)


@click.group(cls=UserErrors)
@click.version_option(__version__, prog_name="polyleaf")
@click.option(
    "--project",
    "project_dir",
    type=click.Path(path_type=Path),  # checked by Project.load: exit 1, not a usage error
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
    type=click.Path(path_type=Path),  # checked by writable_folder: exit 1, not a usage error
    default=None,
    help="Output folder. Default: output/ in the project.",
)

leaflet_option = click.option(
    "--leaflet",
    "leaflets",
    multiple=True,
    metavar="ID",
    help="Only this leaflet (repeatable), e.g. --leaflet isotretinoin-20mg. Default: all.",
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
    click.option(
        "--bilingual",
        is_flag=True,
        help="Each section in the patient's language with the source language beside it.",
    ),
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


require_reviewed_option = click.option(
    "--require-reviewed",
    is_flag=True,
    help="Production: refuse any document with a message not reviewed by a qualified "
    "medical translator (also require_reviewed = true in polyleaf.toml).",
)


def _unreviewed(library: Library, leaflet_id: str, locale: LocaleInfo) -> list[str]:
    """Why a document that passes the gate is refused in production, one line per
    unreviewed message (one line for a draft nobody has signed); [] when reviewed."""
    document = library.status(leaflet_id, locale)
    summary = document.review
    if not document.available or summary is None or document.status == "reviewed":
        return []
    path = library.project.catalog_path(leaflet_id, locale).relative_to(library.project.root)
    where = f"{leaflet_id} · {locale.tag}"
    if not summary.reviewed_count:
        return [f"{where} · - · - · {path} · draft: none of {summary.total} messages reviewed"]
    lines = []
    for message in summary.unreviewed:
        line = f":{message.message.lineno}" if message.message else ""
        text = " ".join(message.key[1].split())
        text = text if len(text) <= 60 else text[:59] + "…"
        lines.append(
            f"{where} · {message.key[0] or '-'} · {text!r} · {path}{line} · not reviewed: "
            f"{message.state} ({message.id})"
        )
    return lines


def _refused(project: Project, jobs: list[Job], require_reviewed: bool) -> dict[Job, str]:
    """The documents production mode refuses, each with its one-line reason."""
    if not (require_reviewed or project.config.require_reviewed):
        return {}
    library = Library(project)
    reasons: dict[tuple[str, str], str] = {}  # per leaflet and locale, whatever the edition
    for job in jobs:
        key = (job.leaflet, job.locale)
        if key not in reasons:
            document = library.status(job.leaflet, project.find_locale(job.locale))
            # the gate's refusals are reported by the build itself
            reasons[key] = document.refusal(require_reviewed=True) if document.available else ""
    return {
        job: reasons[(job.leaflet, job.locale)]
        for job in jobs
        if reasons[(job.leaflet, job.locale)]
    }


@contextmanager
def _executor(jobs: int, count: int, scheduler: str = "") -> Iterator[Executor | None]:
    """None (this process) for one job; a process pool, or a Dask cluster, for more."""
    if scheduler:
        from polyleaf.distributed import dask_executor

        with dask_executor(scheduler) as executor:
            yield executor
    elif jobs > 1 and count > 1:
        with interrupts.process_pool(min(jobs, count)) as executor:
            yield executor
    else:
        yield None


@main.command()
@leaflet_option
@locale_option
@edition_options
@run_options
@click.option("--clinic", default="", metavar="ID", help="Clinic profile: clinics/ID.toml.")
@require_reviewed_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["pdf", "html", "site"]),
    default="pdf",
    show_default=True,
    help="html: the self-contained HTML that would be printed. site: the web edition "
    "(out/site/<leaflet>/<locale>.html beside its PDF, and indexes).",
)
@out_option
@click.pass_context
def build(
    ctx: click.Context,
    leaflets: tuple[str, ...],
    locales: tuple[str, ...],
    paper: str,
    large_print: bool,
    bilingual: bool,
    bleed: str,
    marks: tuple[str, ...],
    jobs: int,
    force: bool,
    clinic: str,
    require_reviewed: bool,
    output_format: str,
    out: Path | None,
) -> None:
    """Build every leaflet in every locale it has (or those named) as PDF.

    A leaflet that declares its paper (a reminder card on A6) is printed on it.

    Example: polyleaf build --leaflet isotretinoin-20mg --locale ar --paper letter
    --clinic riverside
    """
    project = _project(ctx)
    options = LeafletOptions(
        paper=paper,
        large_print=large_print,
        bleed=bleed,
        marks=marks,
        clinic=clinic,
        bilingual=bilingual,
    )
    load_clinic(project, clinic)
    project.select_leaflets(leaflets)
    folders = [locale.folder for locale in project.select_locales(locales)] if locales else None
    out = writable_folder(out or project.root / "output")
    todo = Builder(project).jobs(folders, options, leaflets)
    refused = _refused(project, todo, require_reviewed)
    for job, reason in refused.items():
        stderr.print(f"[red]REFUSED[/red] {job.name}: {reason}", markup=True, highlight=False)
    todo = [job for job in todo if job not in refused]
    if output_format == "html":
        from polyleaf.export import export_html

        for path in export_html(project, todo, out):
            stderr.print(f"wrote   {path}")
        if refused:
            ctx.exit(1)
        return
    if output_format == "site":
        from polyleaf.site import check_site

        check_site(project, todo)
    split = split_current(project, todo, out, force)
    pending = len(split[1])
    with _progress(pending) as report, _executor(jobs, pending) as executor:
        outcomes = run(
            project, todo, out, force=force, executor=executor, report=report, split=split
        )
    if output_format == "site":
        from polyleaf.site import write_site

        for path in write_site(project, outcomes, out):
            stderr.print(f"wrote   {path}")
    _summary(ctx, outcomes, len(refused))


def _counted(number: int, noun: str) -> str:
    """ "1 leaflet", "2 leaflets" (a summary line's English; the CLI is not translated)."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _summary(ctx: click.Context, outcomes: list[Outcome], refused: int = 0) -> None:
    failed = [o for o in outcomes if not o.ok]
    current = sum(o.skipped for o in outcomes)
    built = len(outcomes) - len(failed) - current
    peak = max((o.peak_mib for o in outcomes if not o.skipped), default=0)
    memory = f"; peak memory per rendering process {peak:.0f} MiB" if built else ""
    unreviewed = f", {refused} refused as not reviewed" if refused else ""
    stderr.print(
        f"{built} built, {current} already up to date, {len(failed)} failed{unreviewed}{memory}"
    )
    if failed or refused:
        ctx.exit(1)


@main.command()
@leaflet_option
@locale_option
@click.option(
    "--format",
    "output_format",
    default="fhir",
    show_default=True,
    metavar="fhir",
    help="fhir: a FHIR R5 document Bundle per leaflet and locale (HL7 ePI structure).",
)
@click.option("--clinic", default="", metavar="ID", help="Clinic profile as the author.")
@out_option
@click.pass_context
def export(
    ctx: click.Context,
    leaflets: tuple[str, ...],
    locales: tuple[str, ...],
    output_format: str,
    clinic: str,
    out: Path | None,
) -> None:
    """Export every leaflet in every locale (or those named) for other systems.

    Writes out/fhir/<leaflet>/<leaflet>-<locale>.json; a locale that fails the
    safety gate gets none. Example: polyleaf export --format fhir --locale ar
    """
    from polyleaf.fhir import check_format, export_fhir

    check_format(output_format)
    project = _project(ctx)
    project.select_leaflets(leaflets)
    folders = [locale.folder for locale in project.select_locales(locales)] if locales else None
    todo = Builder(project).jobs(folders, LeafletOptions(), leaflets)
    outcomes = export_fhir(project, todo, out or project.root / "output", clinic)
    for outcome in outcomes:
        if outcome.ok:
            stderr.print(f"wrote   {outcome.path}")
        else:
            _report(outcome)
    failed = [o for o in outcomes if not o.ok]
    stderr.print(f"{len(outcomes) - len(failed)} exported, {len(failed)} failed")
    if failed:
        ctx.exit(1)


@main.command()
@click.argument("orders", type=click.Path(path_type=Path))  # read_orders names a folder
@run_options
@click.option(
    "--scheduler",
    default="",
    metavar="tcp://HOST:PORT",
    help="Render on a Dask cluster instead of local processes (polyleaf[dask]).",
)
@require_reviewed_option
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
    require_reviewed: bool,
    out: Path | None,
) -> None:
    """A print run from ORDERS.csv (columns clinic,leaflet,locale,paper,copies).

    Writes one PDF per distinct document, one print job per clinic and paper
    (out/print-jobs/), and out/manifest.json. Each row names its paper (a4,
    letter, a5; a4-large for large print).

    With --require-reviewed, a row whose document has an unreviewed message
    is a bad row: each is reported and nothing renders.

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
    refused = _refused(project, list(dict.fromkeys(o.job for o in todo)), require_reviewed)
    for order in todo:
        if order.job in refused:
            click.echo(f"polyleaf: error: {orders}:{order.row}: {refused[order.job]}", err=True)
    if refused:
        ctx.exit(1)
    out = writable_folder(out or project.root / "output")
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
    type=click.Path(path_type=Path),  # checked by writable_folder: exit 1, not a usage error
    default=None,
    help="Where rendered PDFs are kept. Default: output/web/ in the project.",
)
@require_reviewed_option
@click.pass_context
def serve(
    ctx: click.Context,
    host: str,
    port: int,
    workers: int,
    timeout: float,
    cache: Path | None,
    require_reviewed: bool,
) -> None:
    """The front-desk web page and HTTP API (OpenAPI at /openapi.json).

    Binds 127.0.0.1 by default; for a clinic network put a reverse proxy in
    front (README: Behind a reverse proxy). Example: polyleaf serve --port 8080
    """
    from polyleaf.engine import check_weasyprint
    from polyleaf.web.app import Settings, create_app
    from polyleaf.web.server import run

    check_weasyprint()  # before serving a page that offers PDFs it could not render
    project = _project(ctx)
    settings = Settings(
        project=project.root,
        out=writable_folder(cache or project.root / "output" / "web", "--cache"),
        workers=workers,
        timeout=timeout,
        require_reviewed=require_reviewed,
    )
    app = create_app(settings)
    stderr.print(f"polyleaf: serving {project.root} on http://{host}:{port}/")
    run(app, host, port)


@main.command()
@leaflet_option
@locale_option
@require_reviewed_option
@click.pass_context
def check(
    ctx: click.Context, leaflets: tuple[str, ...], locales: tuple[str, ...], require_reviewed: bool
) -> None:
    """Run the safety gate without rendering; exit 1 on any error.

    Each finding reads: leaflet · locale · section · message · file:line · what is wrong.
    """
    project = _project(ctx)
    catalogs = CatalogStore(project)
    gate = Gate(project, catalogs)
    chosen = [leaflet.id for leaflet in project.select_leaflets(leaflets)]
    wanted = project.select_locales(locales) if locales else None
    findings = gate.check_all(chosen, wanted)
    errors: list[object] = [f for f in findings if f.severity == "error"]
    for finding in findings:
        click.echo(f"{finding.severity}: {finding}")
    checked = 0
    library = Library(project, catalogs, gate)  # the catalogs just checked, read once
    for leaflet_id in chosen:
        for locale in wanted or project.leaflet_locales(leaflet_id):
            checked += 1
            # what the gate cannot see but stops the document: a review file
            # that cannot be read (nobody can say what was signed)
            for finding in library.status(leaflet_id, locale).errors:
                if finding not in findings:
                    click.echo(f"error: {finding}")
                    errors.append(finding)
            if not (require_reviewed or project.config.require_reviewed):
                continue
            for line in _unreviewed(library, leaflet_id, locale):
                click.echo(f"error: {line}")
                errors.append(line)
    summary = (
        f"{_counted(len(chosen), 'leaflet')}, {_counted(checked, 'leaflet-locale')} checked, "
        f"{_counted(len(errors), 'error')}"
    )
    click.echo(summary, err=True)
    if errors:
        ctx.exit(1)


@main.command(name="locales")
@leaflet_option
@click.pass_context
def locales_command(ctx: click.Context, leaflets: tuple[str, ...]) -> None:
    """The leaflet x locale matrix: translated, safety sections complete, status."""
    from rich.table import Table

    project = _project(ctx)
    library = Library(project)
    table = Table("leaflet", "locale", "language", "dir", "translated", "safety sections", "status")
    styles = {"blocked by the gate": "red", "draft": "yellow", "partly reviewed": "yellow"}
    for document in library.matrix(leaflets):
        locale = document.locale
        status = document.status
        if status == "blocked by the gate" and document.errors:
            status += f": {document.reason}"
        elif document.reviewer:
            status += f" by {document.reviewer} on {document.reviewed_on}"
        elif status == "partly reviewed" and document.review is not None:
            status = document.review.describe()
        table.add_row(
            document.leaflet,
            locale.tag,
            locale.display_name,
            locale.direction,
            f"{document.translated_percent}%",
            f"{document.sections_complete}/{document.sections}",
            status,
            style=styles.get(document.status),
        )
    stdout.print(table)


@main.group()
def new() -> None:
    """Start a leaflet project, or add a leaflet to this one."""


@new.command(name="project")
@click.argument("directory", type=click.Path(path_type=Path))
def new_project(directory: Path) -> None:
    """A project that check and build pass on at once, e.g. polyleaf new project ../clinic."""
    from polyleaf.scaffold import new_project as make

    for path in make(directory):
        click.echo(f"created {path}")
    click.echo(f"next: polyleaf --project {directory} build", err=True)


@new.command(name="leaflet")
@click.argument("leaflet_id", metavar="ID")
@click.pass_context
def new_leaflet(ctx: click.Context, leaflet_id: str) -> None:
    """Add templates/ID.md with its catalogs, e.g. polyleaf new leaflet doxycycline-100mg."""
    from polyleaf.scaffold import new_leaflet as make

    for path in make(_project(ctx.parent), leaflet_id):
        click.echo(f"created {path}")
    click.echo(
        f"next: write templates/{leaflet_id}.md, then polyleaf i18n extract, "
        "polyleaf i18n update and polyleaf check",
        err=True,
    )


@main.group()
def i18n() -> None:
    """Translator workflow: extract, init, update, stats (pybabel, wired to the project)."""


@i18n.command()
@leaflet_option
@click.pass_context
def extract(ctx: click.Context, leaflets: tuple[str, ...]) -> None:
    """Write locales/<leaflet>.pot from each leaflet's source."""
    project = _project(ctx.parent)
    chosen = project.select_leaflets(leaflets)
    changed = i18n_steps.extract(project, chosen)
    for leaflet in chosen:
        path = project.pot_path(leaflet.id)
        click.echo(f"{path}: {'updated' if path in changed else 'already up to date'}")


@i18n.command()
@click.argument("locale")
@leaflet_option
@click.pass_context
def init(ctx: click.Context, locale: str, leaflets: tuple[str, ...]) -> None:
    """Add a locale, e.g. polyleaf i18n init pt-BR (its catalogs start as drafts)."""
    project = _project(ctx.parent)
    for path in i18n_steps.init(project, locale, project.select_leaflets(leaflets)):
        click.echo(f"created {path}")
    click.echo("translate them in any PO editor, then run polyleaf check", err=True)


@i18n.command()
@leaflet_option
@click.pass_context
def update(ctx: click.Context, leaflets: tuple[str, ...]) -> None:
    """Bring each leaflet's catalogs in step with its .pot (changed messages turn fuzzy)."""
    project = _project(ctx.parent)
    changed = i18n_steps.update(project, project.select_leaflets(leaflets))
    for path in changed:
        click.echo(f"updated {path}")
    click.echo(f"{_counted(len(changed), 'catalog')} changed", err=True)


@i18n.command()
@leaflet_option
@click.pass_context
def stats(ctx: click.Context, leaflets: tuple[str, ...]) -> None:
    """Per leaflet and locale: translated, fuzzy and untranslated messages."""
    project = _project(ctx.parent)
    from rich.table import Table

    table = Table("leaflet", "locale", "translated", "fuzzy", "untranslated", "%")
    catalogs = CatalogStore(project)
    gate = Gate(project, catalogs)
    for leaflet in project.select_leaflets(leaflets):
        source = gate.source(leaflet.id)
        for locale in project.leaflet_locales(leaflet.id):
            s = i18n_steps.count(source, catalogs.get(leaflet.id, locale))
            table.add_row(
                leaflet.id,
                locale.tag,
                str(s.translated),
                str(s.fuzzy),
                str(s.untranslated),
                f"{s.percent}%",
            )
    stdout.print(table)


main.add_command(review_group)
i18n.add_command(export_command)
i18n.add_command(import_command)
