"""A leaflet project: ``polyleaf.toml``, ``templates/`` and ``locales/``.

The repository root is one such project; a clinic can keep its own anywhere
and name it with ``--project DIR``. The project is a library of leaflets:
every ``templates/<id>.md`` (its code, revision and paper in its front matter,
its safety sections marked where they are written), and any leaflet that needs
a layout of its own as a Jinja template declared in ``polyleaf.toml``. Each
leaflet has its own catalogs (``locales/<id>.pot``,
``locales/<locale>/LC_MESSAGES/<id>.po``), so one leaflet's translation stage
never blocks another. Configuration is validated here, so that a typo in a key
is an error naming the file, not a silently ignored setting.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)

from polyleaf.errors import PolyleafError
from polyleaf.locales import LocaleInfo, locale_info, normalize

if TYPE_CHECKING:
    from polyleaf.markdown import Document

CONFIG_NAME = "polyleaf.toml"

ModelT = TypeVar("ModelT", bound=BaseModel)
SectionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
#: A name or term form of the glossary: "" (or no form at all) would be found in
#: every text, and so silently turn its check off.
GlossaryForm = Annotated[str, StringConstraints(min_length=1, pattern=r"\S")]
LeafletId = SectionId
LEAFLET_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def _one_printable_line(code: str) -> str:
    """A leaflet code is printed in every page footer: blank, a line break, a control
    or an invisible character would print nothing, break the footer or hide."""
    if not code.strip():
        raise ValueError("write the leaflet code, e.g. PL-ISO20-01")
    if not code.isprintable():
        bad = next(c for c in code if not c.isprintable())
        raise ValueError(f"must be one line of printable characters; U+{ord(bad):04X} is not")
    return code


LeafletCode = Annotated[str, AfterValidator(_one_printable_line)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ClinicConfig(_Model):
    """The contact block printed on every leaflet; empty means a write-in block."""

    name: str = ""
    address: str = ""
    phone: str = ""
    emergency: str = ""
    website: str = ""


class LeafletConfig(_Model):
    """A leaflet kept as a Jinja template (one that needs a layout of its own).

    Markdown leaflets (``templates/<id>.md``) need no entry here: they say
    their code and revision in their front matter and mark their safety
    sections where they are written.
    """

    template: str = Field(description="file in templates/, e.g. isotretinoin-20mg.html")
    code: LeafletCode = Field(description="leaflet code printed on every page")
    revision: dt.date = Field(description="revision date printed on every page")
    paper: str | None = Field(None, description="the paper it is always printed on")
    #: section id -> the English heading that names the section on the page.
    #: Messages of a section carry the id as their gettext context.
    required_sections: dict[SectionId, str] = {}


class ProjectConfig(_Model):
    source_locale: str = "en"
    clinic: ClinicConfig = ClinicConfig()
    #: Refuse every document with an unreviewed message (production mode).
    require_reviewed: bool = False
    leaflets: dict[LeafletId, LeafletConfig] = {}


class Glossary(_Model):
    """``locales/glossary.toml``: names kept as written, and each term's local form."""

    #: Names every translation keeps exactly as the English writes them.
    keep: list[GlossaryForm] = []
    #: term id -> {"en": English form, locale folder: local form, or several
    #: forms of which a translation must contain one}.
    terms: dict[str, dict[str, str | list[str]]] = {}
    #: unit (mg, microgram, g, kg, mL, L, IU or a new one) -> {locale folder:
    #: the forms that language writes it in}, besides those polyleaf knows
    #: (polyleaf.units); "en" gives a new unit's English forms.
    units: dict[str, dict[str, str | list[str]]] = {}

    @field_validator("terms", "units")
    @classmethod
    def _no_empty_form(
        cls, terms: dict[str, dict[str, str | list[str]]]
    ) -> dict[str, dict[str, str | list[str]]]:
        for term, forms in terms.items():
            for locale, form in forms.items():
                written = [form] if isinstance(form, str) else form
                if not written or not all(word.strip() for word in written):
                    raise ValueError(
                        f"{term}.{locale} is empty, which every text contains; write the word"
                    )
        return terms


def parse_toml(text: str) -> dict[str, object]:
    """TOML *text* as data; nesting too deep for Python's parser (``x = [[[[...``)
    is a TOMLDecodeError like any other malformed file, not a RecursionError."""
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise tomllib.TOMLDecodeError("arrays or tables nested too deeply") from None


def load_toml(path: Path, model: type[ModelT], root: Path) -> ModelT:
    """The TOML file at *path* of the project at *root*, validated by *model*.

    Every way the file can be wrong is one line naming it: a folder in its
    place, not UTF-8, unreadable, a symbolic link out of the project,
    malformed, or not what *model* allows.
    """
    from polyleaf.confine import inside

    if path.is_dir():
        raise PolyleafError(f"{path}: is a folder, not a TOML file; remove or rename it")
    inside(root, path)
    try:
        return model.model_validate(parse_toml(path.read_text(encoding="utf-8")))
    except UnicodeDecodeError as error:
        raise PolyleafError(f"{path}: not UTF-8 text ({error.reason}); save it as UTF-8") from None
    except OSError as error:
        raise PolyleafError(f"{path}: cannot read: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise PolyleafError(f"{path}: {error}") from None
    except ValidationError as error:
        raise PolyleafError(_validation_message(path, error)) from None


def _validation_message(path: Path, error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"])
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{path}: {key}: {first['msg']}{more}"


#: polyleaf's own layouts (base.html, contact.html, leaflet.html, leaflet.css)
#: and the translations of their page furniture, used wherever a project has
#: no file of the same name.
LAYOUTS = Path(__file__).parent / "layouts"
#: The gettext domain of the page furniture (footer, page X of Y, draft
#: notice, contact block), shipped with polyleaf in every language it has.
FURNITURE = "polyleaf"


@dataclass
class Leaflet:
    """One leaflet of a project's library: a Markdown source or a Jinja template."""

    id: str
    source: Path  #: the file the pharmacist edits
    kind: Literal["markdown", "jinja"]
    code: str
    revision: dt.date
    paper: str | None
    layout: str  #: the Jinja template that frames it (the template itself, for jinja)
    root: Path
    #: A Jinja leaflet's required sections, from polyleaf.toml.
    declared_sections: dict[str, str] = field(default_factory=dict)
    #: Why the source cannot be used (bad front matter), or "".
    error: str = ""

    @property
    def relative(self) -> str:
        return self.source.relative_to(self.root).as_posix()

    @cached_property
    def document(self) -> Document:
        """The parsed Markdown source (parsed when first needed, then kept)."""
        from polyleaf import markdown

        assert self.kind == "markdown"
        if self.error:
            raise PolyleafError(self.error)
        return markdown.load(self.source, self.relative)

    def sections(self) -> dict[str, str]:
        """Every safety-required section id -> its heading (or first words)."""
        if self.kind == "jinja":
            return dict(self.declared_sections)
        sections = {}
        for section in self.document.sections.values():
            if section.heading is not None:
                sections[section.id] = section.heading
            else:
                first = next((s.id for s in self.document.segments if s.context == section.id), "")
                sections[section.id] = first
        return sections


class Project:
    """One leaflet project on disk, with its validated configuration."""

    def __init__(self, root: Path, config: ProjectConfig) -> None:
        self.root = root
        self.config = config

    @classmethod
    def load(cls, root: Path | str = ".") -> Project:
        root = Path(root).resolve()
        if root.exists() and not root.is_dir():
            raise PolyleafError(
                f"{root} is a file, not a leaflet project; name its folder with --project DIR"
            )
        path = root / CONFIG_NAME
        if not path.exists() and not path.is_symlink():
            raise PolyleafError(
                f"{path}: no {CONFIG_NAME} here; run polyleaf inside a leaflet project "
                "or name one with --project DIR (polyleaf new project DIR makes one)"
            )
        project = cls(root, load_toml(path, ProjectConfig, root))
        project.leaflets  # noqa: B018  (validated now: a bad source is an error at once)
        return project

    @cached_property
    def leaflets(self) -> dict[str, Leaflet]:
        """The library: every ``templates/*.md`` and every Jinja leaflet of polyleaf.toml."""
        from polyleaf import markdown

        found: dict[str, Leaflet] = {}
        for source in sorted(self.templates_dir.glob("*.md")):
            relative = source.relative_to(self.root).as_posix()
            self.inside(source, relative)
            if not LEAFLET_ID.match(source.stem):
                raise PolyleafError(
                    f"{relative}: leaflet file names are lower-case words joined by hyphens, "
                    "e.g. doxycycline-100mg.md"
                )
            try:
                front = markdown.front_matter(markdown.read_source(source, relative), relative)
                paper = self._paper(f"{relative}:1", front.paper)
            except PolyleafError as error:
                # One leaflet's broken source never blocks another: it is kept,
                # and every document of it fails the gate with this error.
                found[source.stem] = Leaflet(
                    source.stem, source, "markdown", "-", dt.date(1970, 1, 1), None,
                    "leaflet.html", self.root, error=str(error),
                )  # fmt: skip
                continue
            found[source.stem] = Leaflet(
                source.stem,
                source,
                "markdown",
                front.code,
                front.revision,
                paper,
                front.layout,
                self.root,
            )
        for leaflet_id, config in self.config.leaflets.items():
            where = f"{CONFIG_NAME}: leaflets.{leaflet_id}"
            if leaflet_id in found:
                raise PolyleafError(f"{where}: templates/{leaflet_id}.md is a leaflet already")
            source = self.templates_dir / config.template
            if not source.is_file():
                raise PolyleafError(f"{where}.template: {source} does not exist")
            self.inside(source, where)
            leaflet = Leaflet(
                leaflet_id,
                source,
                "jinja",
                config.code,
                config.revision,
                self._paper(where, config.paper),
                config.template,
                self.root,
                dict(config.required_sections),
            )
            found[leaflet_id] = leaflet
        return found

    def _paper(self, where: str, paper: str | None) -> str | None:
        from polyleaf.options import PAPERS

        if paper is not None and paper not in PAPERS:
            raise PolyleafError(
                f"{where}: paper: {paper!r} unknown; use one of {', '.join(PAPERS)}"
            )
        return paper

    def inside(self, path: Path, where: str) -> Path:
        """*path*, resolved, if it stays inside the project (symlinks followed)."""
        resolved = path.resolve()
        if not resolved.is_relative_to(self.root):
            raise PolyleafError(f"{where}: {path.name} leads outside the leaflet project")
        return resolved

    def leaflet(self, leaflet_id: str) -> Leaflet:
        found = self.leaflets.get(leaflet_id)
        if found is None:
            known = ", ".join(self.leaflets) or "none (polyleaf new leaflet ID adds one)"
            raise PolyleafError(f"unknown leaflet {leaflet_id!r}; available: {known}")
        return found

    def select_leaflets(self, names: list[str] | tuple[str, ...]) -> list[Leaflet]:
        """The leaflets named, in the order given; all of them when none is named."""
        if not names:
            return list(self.leaflets.values())
        return list({name: self.leaflet(name) for name in names}.values())

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    def pot_path(self, leaflet_id: str) -> Path:
        return self.locales_dir / f"{leaflet_id}.pot"

    def catalog_path(self, leaflet_id: str, locale: LocaleInfo) -> Path:
        return self.locales_dir / locale.folder / "LC_MESSAGES" / f"{leaflet_id}.po"

    def furniture_paths(self, locale: LocaleInfo) -> list[Path]:
        """The page furniture's catalogs for *locale*: the project's own first (it
        overrides), then polyleaf's; those that exist."""
        name = Path(locale.folder) / "LC_MESSAGES" / f"{FURNITURE}.po"
        return [
            path for path in (self.locales_dir / name, LAYOUTS / "locales" / name) if path.is_file()
        ]

    @cached_property
    def glossary(self) -> Glossary:
        path = self.locales_dir / "glossary.toml"
        if not path.exists() and not path.is_symlink():
            return Glossary()
        glossary = load_toml(path, Glossary, self.root)
        for term, forms in glossary.terms.items():
            if "en" not in forms:
                raise PolyleafError(f"{path}: terms.{term}: needs its English form, en = ...")
        return glossary

    @cached_property
    def source_locale(self) -> LocaleInfo:
        return locale_info(normalize(self.config.source_locale))

    def leaflet_locales(self, leaflet_id: str) -> list[LocaleInfo]:
        """The source locale first, then every locale with a catalog of the leaflet."""
        folders = sorted(
            path.parent.parent.name
            for path in self.locales_dir.glob(f"*/LC_MESSAGES/{leaflet_id}.po")
        )
        return [self.source_locale] + [
            locale_info(folder) for folder in folders if folder != self.source_locale.folder
        ]

    @cached_property
    def locales(self) -> list[LocaleInfo]:
        """The source locale first, then every locale that has a catalog of any leaflet."""
        folders = sorted(
            {
                locale.folder
                for leaflet_id in self.leaflets
                for locale in self.leaflet_locales(leaflet_id)[1:]
            }
        )
        return [self.source_locale] + [locale_info(folder) for folder in folders]

    def bilingual_problem(self, leaflet: Leaflet, locale: LocaleInfo) -> str:
        """Why the bilingual edition of *leaflet* cannot be made in *locale*, or "":
        it pairs a translation of a Markdown leaflet with its source. Asked by the
        renderer and, before anything is rendered, by the batch runner."""
        source = self.source_locale
        if leaflet.kind != "markdown":
            return f"{leaflet.relative}: the bilingual edition is made from Markdown leaflets only"
        if locale == source:
            return (
                f"the bilingual edition pairs a translation with {source.tag}; "
                f"choose another locale than {source.tag}"
            )
        return ""

    def find_locale(self, name: str) -> LocaleInfo:
        """The locale called *name* ("zh-Hans" or "zh_Hans"), or a clear error."""
        wanted = normalize(name).lower()
        for locale in self.locales:
            if locale.folder.lower() == wanted:
                return locale
        available = ", ".join(locale.tag for locale in self.locales)
        raise PolyleafError(f"unknown locale {name!r}; available: {available}")

    def select_locales(self, names: list[str] | tuple[str, ...]) -> list[LocaleInfo]:
        """The locales named, in the order given; all of them when none is named."""
        if not names:
            return list(self.locales)
        chosen: list[LocaleInfo] = []
        for name in names:
            locale = self.find_locale(name)
            if locale not in chosen:
                chosen.append(locale)
        return chosen
