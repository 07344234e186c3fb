"""The ``polyleaf`` command: build, check, locales.

Bad input (a broken catalog, an unknown locale, a missing template) is one
line on stderr and exit status 1, never a traceback; see :mod:`polyleaf.errors`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from polyleaf import __version__
from polyleaf import i18n as i18n_steps
from polyleaf.build import Builder, Outcome
from polyleaf.catalogs import CatalogStore, extract_messages, review_status
from polyleaf.errors import CatalogError, PolyleafError
from polyleaf.gate import Gate
from polyleaf.html import PAPER_SIZES, LeafletOptions
from polyleaf.project import Project

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


locale_option = click.option(
    "--locale",
    "locales",
    multiple=True,
    metavar="LOCALE",
    help="Only this locale (repeatable); zh-Hans and zh_Hans both work. Default: all.",
)


@contextmanager
def _progress(total: int) -> Iterator[callable]:
    """A progress bar on a terminal; plain lines elsewhere (CI, logs)."""
    if stderr.is_terminal:
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=stderr,
            transient=True,
        ) as progress:
            task = progress.add_task("building", total=total)

            def advance(outcome: Outcome) -> None:
                _report(outcome)
                progress.advance(task)

            yield advance
    else:
        yield _report


def _report(outcome: Outcome) -> None:
    if outcome.ok:
        stderr.print(f"built   {outcome.path}")
        return
    stderr.print(f"[red]FAILED[/red]  {outcome.job.name}: {outcome.error}")
    for finding in outcome.findings:
        stderr.print(f"        {finding}", markup=False)


@main.command()
@locale_option
@click.option("--paper", type=click.Choice(sorted(PAPER_SIZES)), default="a4", show_default=True)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder. Default: output/ in the project.",
)
@click.pass_context
def build(ctx: click.Context, locales: tuple[str, ...], paper: str, out: Path | None) -> None:
    """Build every leaflet in every locale (or those named) as PDF.

    Example: polyleaf build --locale ar --locale zh-Hans --paper letter
    """
    project = _project(ctx)
    builder = Builder(project)
    jobs = builder.jobs(project.select_locales(locales), LeafletOptions(paper=paper))
    out = out or project.root / "output"
    with _progress(len(jobs)) as report:
        outcomes = builder.build_all(jobs, out, report)
    failed = [o for o in outcomes if not o.ok]
    stderr.print(f"{len(outcomes) - len(failed)} built, {len(failed)} failed")
    if failed:
        ctx.exit(1)


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
    table = Table("locale", "translated", "fuzzy", "untranslated", "%")
    source = extract_messages(project)
    catalogs = CatalogStore(project)
    for locale in project.locales:
        s = i18n_steps.count(source, catalogs.get(locale))
        table.add_row(
            locale.tag, str(s.translated), str(s.fuzzy), str(s.untranslated), f"{s.percent}%"
        )
    stdout.print(table)
