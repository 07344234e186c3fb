"""The web edition (polyleaf build --format site): a page for every leaflet and
locale beside its PDF, the same gate, indexes, semantic HTML, no scripts, and
no WCAG 2.2 AA violation that axe-core finds in Chromium."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import CARD, LEAFLET, ROOT, Built, polyleaf
from polyleaf.build import Builder, run
from polyleaf.catalogs import CatalogStore
from polyleaf.options import LeafletOptions
from polyleaf.project import Project
from polyleaf.site import write_site

CHROMIUM = Path("/usr/bin/chromium")
AXE = ROOT / "tests" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
#: An LTR, an RTL, a CJK and an Indic locale, as the issue asks.
SAMPLES = ("es", "ar", "zh-Hans", "hi")


@pytest.fixture(scope="module")
def site(built: Built, project: Project) -> Path:
    """The web edition of every leaflet in every locale, from the session's PDFs."""
    jobs = Builder(project).jobs(None, LeafletOptions())
    outcomes = run(project, jobs, built.out)  # every PDF is current: nothing renders
    assert all(o.ok for o in outcomes)
    write_site(project, outcomes, built.out)
    return built.out / "site"


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]


class Outline(HTMLParser):
    """Every element of a page, in order, with the text of each heading."""

    def __init__(self) -> None:
        super().__init__()
        self.elements: list[Element] = []
        self.headings: list[tuple[int, str]] = []
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append(Element(tag, {k: v or "" for k, v in attrs}))
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = [tag]

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._heading is not None and tag == self._heading[0]:
            level = int(tag[1])
            self.headings.append((level, "".join(self._heading[1:])))
            self._heading = None


def outline(path: Path) -> Outline:
    parser = Outline()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_a_page_and_its_pdf_for_every_leaflet_and_locale(site: Path, project: Project) -> None:
    catalogs = CatalogStore(project)
    for leaflet_id in (LEAFLET, CARD):
        leaflet = project.leaflet(leaflet_id)
        for locale in project.leaflet_locales(leaflet_id):
            page = site / leaflet_id / f"{locale.tag}.html"
            pdf = site / leaflet_id / f"{locale.tag}.pdf"
            assert pdf.read_bytes()[:5] == b"%PDF-"
            # without the invisible marks of the typesetting (word joiners, RLM)
            html = page.read_text(encoding="utf-8").replace("\u2060", "").replace("\u200f", "")
            assert f'<html lang="{locale.tag}" dir="{locale.direction}">' in html
            assert "<script" not in html.lower() and "javascript:" not in html.lower()
            assert f'href="{locale.tag}.pdf"' in html
            assert leaflet.code in html
            translations = catalogs.translations(leaflet_id, locale)
            if locale != project.source_locale:
                draft = "Draft translation, not yet reviewed by a qualified medical translator"
                assert str(translations.gettext(draft)) in html, locale.tag
            ids = {element.attrs.get("id") for element in outline(page).elements}
            assert set(leaflet.sections()) <= ids, (locale.tag, set(leaflet.sections()) - ids)


def test_the_draft_notice_comes_first(site: Path) -> None:
    page = outline(site / LEAFLET / "ar.html")
    tags = [element.tag for element in page.elements]
    body = tags.index("body")
    assert tags[body + 1 : body + 3] == ["header", "p"]
    notice = page.elements[body + 2]
    assert notice.attrs["class"] == "notice draft"


def test_semantic_structure_and_headings_in_order(site: Path, project: Project) -> None:
    for leaflet_id in (LEAFLET, CARD):
        for locale in project.leaflet_locales(leaflet_id):
            page = outline(site / leaflet_id / f"{locale.tag}.html")
            tags = [element.tag for element in page.elements]
            for landmark in ("header", "main", "section", "aside", "nav"):
                assert landmark in tags, (leaflet_id, locale.tag, landmark)
            assert tags.count("main") == 1 and tags.count("h1") == 1
            levels = [level for level, _ in page.headings]
            assert levels[0] == 1
            for before, after in zip(levels, levels[1:], strict=False):
                assert after <= before + 1, (leaflet_id, locale.tag, levels)
            assert "li" in tags and ("ul" in tags or "ol" in tags)


def test_the_leaflet_index_names_each_language_in_its_own_words(
    site: Path, project: Project
) -> None:
    for leaflet_id in (LEAFLET, CARD):
        html = (site / leaflet_id / "index.html").read_text(encoding="utf-8")
        for locale in project.leaflet_locales(leaflet_id):
            assert f'<li lang="{locale.tag}" dir="{locale.direction}">' in html
            assert f'<a href="{locale.tag}.html" hreflang="{locale.tag}">' in html
            assert f'<span class="name">{locale.display_name}</span>' in html
    front = (site / "index.html").read_text(encoding="utf-8")
    assert f'href="{LEAFLET}/index.html"' in front and f'href="{CARD}/index.html"' in front
    assert "<h1>Patient leaflets</h1>" in front


def test_pinned_fonts_are_in_the_site(site: Path) -> None:
    html = (site / LEAFLET / "hi.html").read_text(encoding="utf-8")
    urls = re.findall(r'url\("([^"]+)"\)', html)
    assert urls and all(url.startswith("../fonts/") for url in urls)
    for url in urls:
        assert (site / LEAFLET / url).resolve().is_file(), url
    assert "Noto Sans Devanagari" in html
    assert (site / "site.css").is_file()


def test_same_inputs_same_bytes(site: Path, project: Project, built: Built, tmp_path: Path) -> None:
    jobs = Builder(project).jobs(["ar", "hi"], LeafletOptions(), [CARD])
    again = tmp_path / "again"
    outcomes = run(project, jobs, built.out)
    write_site(project, outcomes, again)
    for name in ("ar.html", "hi.html", "ar.pdf"):
        assert (again / "site" / CARD / name).read_bytes() == (site / CARD / name).read_bytes()


def _break_safety_message(project_dir: Path, locale: str) -> None:
    path = project_dir / "locales" / locale / "LC_MESSAGES" / f"{CARD}.po"
    text = path.read_text(encoding="utf-8")
    marker = 'msgctxt "pregnancy-warning"'
    start = text.index(marker)
    msgstr = text.index("msgstr ", start)
    end = text.index("\n", msgstr)
    path.write_text(text[:msgstr] + 'msgstr ""' + text[end:], encoding="utf-8")


def test_a_locale_failing_the_gate_gets_no_page(project_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    first = polyleaf(
        "--project", project_copy, "build", "--format", "site", "--leaflet", CARD,
        "--locale", "es", "--locale", "en", "--out", out, "--jobs", "1",
    )  # fmt: skip
    assert first.code == 0, first.stderr
    assert (out / "site" / CARD / "es.html").is_file()
    _break_safety_message(project_copy, "es")
    second = polyleaf(
        "--project", project_copy, "build", "--format", "site", "--leaflet", CARD,
        "--locale", "es", "--locale", "en", "--out", out, "--jobs", "1",
    )  # fmt: skip
    assert second.code == 1
    assert f"FAILED  {CARD} es" in second.stderr and "fails the safety gate" in second.stderr
    assert not (out / "site" / CARD / "es.html").exists()
    assert not (out / "site" / CARD / "es.pdf").exists()
    assert (out / "site" / CARD / "en.html").is_file()
    index = (out / "site" / CARD / "index.html").read_text(encoding="utf-8")
    assert 'lang="es"' not in index and 'lang="en"' in index


def test_a_stylesheet_outside_the_project_is_refused(project_copy: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.css"
    outside.write_text("body { color: red }")
    (project_copy / "templates" / "site.css").symlink_to(outside)
    done = polyleaf(
        "--project", project_copy, "build", "--format", "site", "--leaflet", CARD,
        "--locale", "en", "--out", tmp_path / "out", "--jobs", "1",
    )  # fmt: skip
    assert done.code == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("polyleaf: error: ") and "templates/site.css" in last
    assert "outside the leaflet project" in done.stderr


def test_unknown_leaflet_is_one_line(tmp_path: Path) -> None:
    done = polyleaf("build", "--format", "site", "--leaflet", "nope", "--out", tmp_path)
    assert done.code == 1
    assert done.stderr.count("\n") == 1 and "unknown leaflet 'nope'" in done.stderr


# --- WCAG 2.2 AA in Chromium, with axe-core from npm --------------------------------


def _axe_unavailable() -> str:
    """Why the browser check cannot run ("" when it can); installs axe-core from
    tests/package-lock.json when npm is there and ./run has not done it yet."""
    if not CHROMIUM.exists():
        return "needs Debian's chromium (./run installs it as root)"
    if not AXE.is_file():
        npm = shutil.which("npm")
        if npm is None:
            return "needs axe-core from npm in tests/node_modules, and npm is not installed"
        subprocess.run(
            [npm, "ci", "--prefix", str(AXE.parents[2]), "--no-audit", "--no-fund"],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return ""


@pytest.fixture(scope="module")
def browser():  # noqa: ANN201
    reason = _axe_unavailable()
    if reason:
        pytest.skip(reason)
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield browser
        finally:
            browser.close()


def axe_violations(browser, page_path: Path, width: int = 1024) -> list[dict]:  # noqa: ANN001
    page = browser.new_page(viewport={"width": width, "height": 900})
    try:
        page.goto(page_path.as_uri())
        page.evaluate("document.fonts.ready.then(() => true)")
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
            " resultTypes: ['violations']})",
            WCAG_22_AA,
        )
    finally:
        page.close()
    return result["violations"]


def _describe(violations: list[dict]) -> str:
    return "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}: "
        + "; ".join(node["target"][0] for node in v["nodes"][:3])
        for v in violations
    )


@pytest.mark.parametrize("tag", SAMPLES)
@pytest.mark.parametrize("width", [1024, 360])
def test_leaflet_page_has_no_wcag_22_aa_violation(
    browser, site: Path, tag: str, width: int
) -> None:  # noqa: ANN001
    violations = axe_violations(browser, site / LEAFLET / f"{tag}.html", width)
    assert not violations, _describe(violations)


@pytest.mark.parametrize("name", ["index.html", f"{LEAFLET}/index.html", f"{CARD}/ar.html"])
def test_indexes_have_no_wcag_22_aa_violation(browser, site: Path, name: str) -> None:  # noqa: ANN001
    violations = axe_violations(browser, site / name)
    assert not violations, _describe(violations)
