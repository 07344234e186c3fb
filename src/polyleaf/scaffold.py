"""``polyleaf new project DIR`` and ``polyleaf new leaflet ID``.

A new project is one that ``check`` and ``build`` pass on at once: polyleaf's
own layouts and page furniture (nothing to copy), a sample Markdown leaflet
with one safety section, a glossary, a neutral clinic. A new leaflet is a
Markdown file with its ``.pot`` and a draft catalog in every locale the
project already has, so the gate shows at once what is left to translate.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from polyleaf import i18n
from polyleaf.atomic import atomic_target
from polyleaf.errors import PolyleafError
from polyleaf.project import CONFIG_NAME, LEAFLET_ID, Project

PROJECT_CONFIG = """\
# A polyleaf leaflet project. Leaflets are the Markdown files in templates/;
# polyleaf check runs the safety gate, polyleaf build makes the PDFs.
source_locale = "en"

# Printed on every leaflet; left empty, the leaflet prints
# "Ask your doctor, nurse or pharmacist" with lines to write a clinic in.
# Other keys: address, emergency, website. Clinic profiles: clinics/<id>.toml.
[clinic]
name = ""
phone = ""
"""

BABEL_CFG = """\
# For plain pybabel: Markdown leaflets through polyleaf's extractor, layouts
# through Jinja's. polyleaf i18n extract does the same, one .pot per leaflet.
[polyleaf_markdown: templates/*.md]

[jinja2: templates/**.html]
extensions = jinja2.ext.i18n
trimmed = true
"""

GLOSSARY = """\
# Terminology every translation must respect; checked by polyleaf check.
# Names kept exactly as the English writes them (brand names ...):
keep = []

# A term's local form in each locale (catalog folder names); a translation of
# a message that says the English form must say the local one:
# [terms.month]
# en = "month"
# es = "mes"
"""

LEAFLET = """\
---
# The leaflet code and revision date are printed on every page. Mark a
# section safety-required with {{#an-id .safety}} after its heading: the gate
# then refuses any translation that loses, empties or alters it.
code: {code}
revision: {revision}
---
# {title}

{{.audience}}
For people who have been prescribed this medicine, and for their families and carers.

{{#disclaimer .safety .disclaimer}}
This leaflet does not replace the advice of your doctor or pharmacist.
Read the package leaflet that comes with your medicine.

## How to take it {{#how-to-take}}

Write what the patient needs to know in short paragraphs and lists.

::: serious
## Get medical help at once if {{#serious-side-effects .safety}}

- you have trouble breathing, or your face, lips or throat swell
- you have a skin rash with blisters
:::
"""


def _title(leaflet_id: str) -> str:
    return " ".join(word.capitalize() for word in leaflet_id.split("-"))


def _code(leaflet_id: str) -> str:
    letters = re.sub(r"[^A-Z0-9]", "", leaflet_id.upper())[:8]
    return f"PL-{letters}-01"


def _write(path: Path, text: str) -> None:
    with atomic_target(path) as temporary:
        temporary.write_text(text, encoding="utf-8")


def new_project(target: Path, today: dt.date | None = None) -> list[Path]:
    """Make a leaflet project in *target* (new or empty); the files written."""
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise PolyleafError(f"{target}: exists and is not an empty folder; name a new one")
    try:
        target.mkdir(parents=True, exist_ok=True)
        files = {
            target / CONFIG_NAME: PROJECT_CONFIG,
            target / "babel.cfg": BABEL_CFG,
            target / "locales" / "glossary.toml": GLOSSARY,
        }
        for path, text in files.items():
            _write(path, text)
        (target / "clinics").mkdir(exist_ok=True)
    except OSError as error:
        raise PolyleafError(f"{target}: cannot write: {error.strerror}") from None
    written = list(files)
    written += new_leaflet(Project.load(target), "example-leaflet", today)
    return written


def new_leaflet(project: Project, leaflet_id: str, today: dt.date | None = None) -> list[Path]:
    """Add templates/<id>.md, its .pot and a draft catalog per existing locale."""
    if not LEAFLET_ID.match(leaflet_id):
        raise PolyleafError(
            f"{leaflet_id!r}: a leaflet id is lower-case words joined by hyphens, "
            "e.g. doxycycline-100mg"
        )
    source = project.templates_dir / f"{leaflet_id}.md"
    if leaflet_id in project.leaflets or source.exists():
        raise PolyleafError(f"{source}: the leaflet {leaflet_id} exists already")
    text = LEAFLET.format(
        code=_code(leaflet_id),
        revision=(today or dt.date.today()).isoformat(),
        title=_title(leaflet_id),
    )
    locales = project.locales[1:]
    try:
        _write(source, text)
    except OSError as error:
        raise PolyleafError(f"{source}: cannot write: {error.strerror}") from None
    project = Project.load(project.root)
    leaflet = project.leaflet(leaflet_id)
    written = [source, *i18n.extract(project, [leaflet])]
    for locale in locales:
        written += i18n.init(project, locale.folder, [leaflet])
    return written
