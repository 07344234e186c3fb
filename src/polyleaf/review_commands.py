"""``polyleaf review status|diff|sign`` and ``polyleaf i18n export|import``.

Registered on the main command group by :mod:`polyleaf.cli`. Bad input is a
:class:`~polyleaf.errors.PolyleafError`, which the group prints as one line.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from polyleaf import exchange, review
from polyleaf.atomic import atomic_target
from polyleaf.errors import PolyleafError
from polyleaf.library import DocumentStatus, Library
from polyleaf.project import Project
from polyleaf.reviewfile import review_path

leaflet_required = click.option(
    "--leaflet",
    "leaflet_id",
    required=True,
    metavar="ID",
    help="The leaflet, e.g. --leaflet isotretinoin-20mg.",
)
locale_required = click.option(
    "--locale",
    "locale_name",
    required=True,
    metavar="LOCALE",
    help="The locale, e.g. --locale es (zh-Hans and zh_Hans both work).",
)


def _document(
    ctx: click.Context, leaflet_id: str, locale_name: str
) -> tuple[Library, DocumentStatus]:
    project = Project.load(ctx.find_root().obj)
    project.leaflet(leaflet_id)
    locale = project.find_locale(locale_name)
    if locale == project.source_locale:
        raise PolyleafError(f"{locale.tag} is the source language: there is nothing to review")
    if locale not in project.leaflet_locales(leaflet_id):
        raise PolyleafError(f"{leaflet_id} has no {locale.tag} catalog; see polyleaf locales")
    library = Library(project)
    document = library.status(leaflet_id, locale)
    if document.review is None:  # a catalog or review file that cannot be read
        raise PolyleafError(f"{leaflet_id} · {locale.tag} · {document.reason}")
    return library, document


def _headline(document: DocumentStatus) -> str:
    where = f"{document.leaflet} · {document.locale.tag}"
    if not document.available:
        return f"{where} · blocked by the gate: {document.reason}"
    return f"{where} · {document.review.describe() if document.review else document.status}"


@click.group(name="review")
def review_group() -> None:
    """Per-message review by a qualified medical translator: status, diff, sign."""


@review_group.command(name="status")
@leaflet_required
@locale_required
@click.option("--all", "show_all", is_flag=True, help="List the reviewed messages too.")
@click.pass_context
def status_command(ctx: click.Context, leaflet_id: str, locale_name: str, show_all: bool) -> None:
    """Which messages are reviewed, and why the others are not.

    Each message line reads: id · section · state · English. Name messages by
    id (or section) to polyleaf review sign.
    """
    _, document = _document(ctx, leaflet_id, locale_name)
    click.echo(_headline(document))
    assert document.review is not None  # _document refuses the rest
    for message in document.review.messages:
        if message.reviewed and not show_all:
            continue
        state = str(message.state)
        if message.reviewed and message.record:
            state += f" by {message.record.by} on {message.record.on}"
        english = " ".join(message.key[1].split())
        english = english if len(english) <= 60 else english[:59] + "…"
        click.echo(f"  {message.id} · {message.key[0] or '-'} · {state} · {english!r}")


@review_group.command(name="diff")
@leaflet_required
@locale_required
@click.pass_context
def diff_command(ctx: click.Context, leaflet_id: str, locale_name: str) -> None:
    """What changed since each message was signed: English and translation,
    as signed and now ([-removed-]{+added+})."""
    _, document = _document(ctx, leaflet_id, locale_name)
    assert document.review is not None
    changes = review.diff(document.review)
    for line in review.render_diff(changes):
        click.echo(line)
    click.echo(f"{len(changes)} signed messages changed since their sign-off", err=True)


@review_group.command(name="sign")
@leaflet_required
@locale_required
@click.option(
    "--by",
    required=True,
    metavar='"NAME, CREDENTIAL"',
    help='The reviewer, e.g. --by "Dr Ana Ruiz, certified medical translator".',
)
@click.argument("messages", nargs=-1, metavar="[MESSAGE...]")
@click.pass_context
def sign_command(
    ctx: click.Context, leaflet_id: str, locale_name: str, by: str, messages: tuple[str, ...]
) -> None:
    """Sign every message (or those named by id, English text or section) as reviewed.

    The catalog's translator cannot sign, and nothing is signed while the
    leaflet fails the safety gate in that locale.
    Example: polyleaf review sign --leaflet isotretinoin-20mg --locale es
    --by "Dr Ana Ruiz, certified medical translator"
    """
    library, document = _document(ctx, leaflet_id, locale_name)
    if not document.available:
        raise PolyleafError(
            f"{_headline(document)}; fix it first (polyleaf check --leaflet {leaflet_id} "
            f"--locale {document.locale.tag}), then sign"
        )
    project, locale = library.project, document.locale
    catalog = library.catalogs.get(leaflet_id, locale)
    assert catalog is not None
    side = review_path(project.catalog_path(leaflet_id, locale))
    result = review.sign(catalog, side, by, list(messages) or None, today=date.today())
    click.echo(f"signed {len(result.signed)} messages in {side.relative_to(project.root)}")
    for key, state in result.skipped:
        click.echo(f"  not signed: {review.message_id(key)} {key[1][:50]!r}: {state}", err=True)
    click.echo(_headline(Library(project).status(leaflet_id, locale)))


@click.command(name="export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xliff", "tmx"]),
    default="xliff",
    show_default=True,
    help="xliff: XLIFF 1.2 for a CAT tool (memoQ, Trados, Phrase); tmx: TMX 1.4 memory.",
)
@leaflet_required
@locale_required
@click.option(
    "--out",
    type=click.Path(path_type=Path),  # a folder is refused below: exit 1, not a usage error
    required=True,
    help="The file to write, e.g. --out es.xlf",
)
@click.pass_context
def export_command(
    ctx: click.Context, fmt: str, leaflet_id: str, locale_name: str, out: Path
) -> None:
    """One leaflet's catalog in one locale, for a translation agency.

    Example: polyleaf i18n export --leaflet isotretinoin-20mg --locale es --out es.xlf
    """
    project = Project.load(ctx.find_root().obj)
    if out.is_dir():
        raise PolyleafError(f"{out} is a folder; name the file to write, e.g. --out es.xlf")
    data = exchange.export(project, leaflet_id, project.find_locale(locale_name), fmt)
    with atomic_target(out) as temporary:
        temporary.write_bytes(data)
    click.echo(f"wrote {out}")


@click.command(name="import")
@click.argument("file", type=click.Path(path_type=Path))  # import_file names a folder
@click.pass_context
def import_command(ctx: click.Context, file: Path) -> None:
    """Merge an agency's XLIFF back into its catalog, or refuse it whole.

    Refused, with every problem named and nothing written: a unit missing or
    added, English changed, placeholder or number altered, markup added,
    malformed XML, another language, or a merged catalog that fails the safety
    gate. Changed translations are unreviewed until signed again.
    """
    project = Project.load(ctx.find_root().obj)
    path, result = exchange.import_file(project, file)
    where = path.relative_to(project.root)
    if not result.ok:
        for problem in result.problems:
            click.echo(f"polyleaf: error: {file} · {problem}", err=True)
        click.echo(
            f"{len(result.problems)} problems: nothing imported, {where} unchanged", err=True
        )
        ctx.exit(1)
    if not result.changed:
        click.echo(f"{where}: already says what {file} says")
        return
    click.echo(
        f"{where}: {len(result.changed)} translations changed; they are unreviewed until "
        "signed (polyleaf review sign)"
    )
