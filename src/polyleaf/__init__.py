"""polyleaf: print-ready, safety-checked patient leaflets in many languages.

The path of the data is the layout of this package:

    project.py   the leaflet project (polyleaf.toml, templates/, locales/)
    locales.py   locale names: gettext folders, BCP 47 tags, script, direction
    catalogs.py  .po catalogs, read straight from disk, and strict translations
    gate.py      the safety gate: every required message present and faithful
    fonts/       the fonts polyleaf pins, and a fontconfig that sees only them
    html.py      Jinja2 templates + catalogs -> HTML
    pdf.py       HTML -> tagged PDF/UA-1 through WeasyPrint, written atomically
    build.py     every leaflet x locale, with the gate in front of each
    cli.py       the `polyleaf` command
"""

__version__ = "0.1.0"
