"""Only files inside the leaflet project: a symbolic link out of it is refused.

Templates, stylesheets and images are content that clinics exchange. A link in
``templates/`` to ``/etc/passwd`` or to another project's files would print
that file in a leaflet, copy it into ``build --format html`` output, or hash it
into a fingerprint. Every place that reads a project file by its path checks
the path it really reaches; links that stay inside the project are fine.
"""

from __future__ import annotations

import os
from pathlib import Path

from jinja2 import Environment, FileSystemLoader

from polyleaf.errors import PolyleafError


def inside(root: Path, path: Path) -> Path:
    """*path* with its links resolved, if that is inside *root*; else a one-line error."""
    resolved = path.resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise PolyleafError(
            f"{path}: a symbolic link to {resolved}, outside the leaflet project; "
            "copy the file into the project instead"
        )
    return resolved


def check_tree(folder: Path, root: Path) -> None:
    """Every link under *folder* (files and folders, not followed) stays inside *root*."""
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            if path.is_symlink():
                inside(root, path)


class ProjectLoader(FileSystemLoader):
    """Jinja's file loader, refusing a template reached through a link out of *root*."""

    def __init__(self, searchpath: Path, root: Path) -> None:
        super().__init__(searchpath)
        self.root = root

    def get_source(self, environment: Environment, template: str):  # noqa: ANN201
        source, filename, uptodate = super().get_source(environment, template)
        inside(self.root, Path(filename))
        return source, filename, uptodate
