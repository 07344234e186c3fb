"""``polyleaf build --format html``: the HTML that would be printed, on disk.

For debugging a layout, and so that anyone can render the same input with
another engine (the benchmark renders it with the plain ``weasyprint``
command). Each HTML file sits next to the stylesheet it links; fonts and logos
are copied once into ``<out>/assets/`` and referred to by relative paths.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from polyleaf.atomic import atomic_target
from polyleaf.build import Job
from polyleaf.catalogs import CatalogStore
from polyleaf.confine import check_tree, inside
from polyleaf.errors import PolyleafError
from polyleaf.gate import Gate
from polyleaf.html import Renderer
from polyleaf.project import Project


def export_html(project: Project, jobs: list[Job], out: Path) -> list[Path]:
    """Write one HTML file per document; returns their paths."""
    assets = out / "assets"
    check_tree(project.templates_dir, project.root)
    written: list[Path] = []
    catalogs = CatalogStore(project)
    gate = Gate(project, catalogs)
    for job in jobs:
        target = job.output(out).with_suffix(".html")
        locale = project.find_locale(job.locale)
        if errors := gate.errors(job.leaflet, locale):
            raise PolyleafError(f"{job.name} fails the safety gate: {errors[0]}")

        def relative(path: Path, folder: Path = target.parent) -> str:
            copy = assets / path.name
            if not copy.exists() or copy.stat().st_size != path.stat().st_size:
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, copy)
            return Path(os.path.relpath(copy, folder)).as_posix()

        renderer = Renderer(project, catalogs, asset_url=relative)
        html = renderer.render(job.leaflet, locale, job.options)
        for asset in project.templates_dir.rglob("*"):
            if asset.is_file() and asset.suffix not in (".html", ".md"):
                source = inside(project.root, asset)  # never a link's target outside
                copy = target.parent / asset.relative_to(project.templates_dir)
                copy.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, copy)
        with atomic_target(target) as temporary:
            temporary.write_text(html, encoding="utf-8")
        written.append(target)
    return written
