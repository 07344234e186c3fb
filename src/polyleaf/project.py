"""A leaflet project: ``polyleaf.toml``, ``templates/`` and ``locales/``.

The repository root is one such project; a clinic can keep its own anywhere
and name it with ``--project DIR``. Everything polyleaf knows about a leaflet
(its template, code, revision date and which sections are safety-critical)
comes from ``polyleaf.toml``, validated here so that a typo in a key is an
error naming the file, not a silently ignored setting.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import cached_property
from pathlib import Path
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from polyleaf.errors import PolyleafError
from polyleaf.locales import LocaleInfo, locale_info, normalize

CONFIG_NAME = "polyleaf.toml"

ModelT = TypeVar("ModelT", bound=BaseModel)
SectionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]


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
    template: str = Field(description="file in templates/, e.g. isotretinoin-20mg.html")
    code: str = Field(description="leaflet code printed on every page")
    revision: dt.date = Field(description="revision date printed on every page")
    #: section id -> the English heading that names the section on the page.
    #: Messages of a section carry the id as their gettext context.
    required_sections: dict[SectionId, str]


class ProjectConfig(_Model):
    source_locale: str = "en"
    clinic: ClinicConfig = ClinicConfig()
    leaflets: dict[str, LeafletConfig]


class Glossary(_Model):
    """``locales/glossary.toml``: names kept as written, and each term's local form."""

    #: Names every translation keeps exactly as the English writes them.
    keep: list[str] = []
    #: term id -> {"en": English form, locale folder: local form, or several
    #: forms of which a translation must contain one}.
    terms: dict[str, dict[str, str | list[str]]] = {}


def load_toml(path: Path, model: type[ModelT]) -> ModelT:
    try:
        return model.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
    except tomllib.TOMLDecodeError as error:
        raise PolyleafError(f"{path}: {error}") from None
    except ValidationError as error:
        raise PolyleafError(_validation_message(path, error)) from None


def _validation_message(path: Path, error: ValidationError) -> str:
    first = error.errors()[0]
    key = ".".join(str(part) for part in first["loc"])
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{path}: {key}: {first['msg']}{more}"


class Project:
    """One leaflet project on disk, with its validated configuration."""

    def __init__(self, root: Path, config: ProjectConfig) -> None:
        self.root = root
        self.config = config

    @classmethod
    def load(cls, root: Path | str = ".") -> Project:
        root = Path(root).resolve()
        path = root / CONFIG_NAME
        if not path.is_file():
            raise PolyleafError(
                f"{path}: no {CONFIG_NAME} here; run polyleaf inside a leaflet project "
                "or name one with --project DIR"
            )
        project = cls(root, load_toml(path, ProjectConfig))
        for leaflet_id, leaflet in project.config.leaflets.items():
            if not (project.templates_dir / leaflet.template).is_file():
                raise PolyleafError(
                    f"{path}: leaflets.{leaflet_id}.template: "
                    f"{project.templates_dir / leaflet.template} does not exist"
                )
        return project

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def locales_dir(self) -> Path:
        return self.root / "locales"

    @property
    def pot_path(self) -> Path:
        return self.locales_dir / "messages.pot"

    def catalog_path(self, locale: LocaleInfo) -> Path:
        return self.locales_dir / locale.folder / "LC_MESSAGES" / "messages.po"

    @cached_property
    def glossary(self) -> Glossary:
        path = self.locales_dir / "glossary.toml"
        if not path.is_file():
            return Glossary()
        glossary = load_toml(path, Glossary)
        for term, forms in glossary.terms.items():
            if "en" not in forms:
                raise PolyleafError(f"{path}: terms.{term}: needs its English form, en = ...")
        return glossary

    @cached_property
    def source_locale(self) -> LocaleInfo:
        return locale_info(normalize(self.config.source_locale))

    @cached_property
    def locales(self) -> list[LocaleInfo]:
        """The source locale first, then every locale that has a catalog."""
        folders = sorted(
            path.parent.parent.name for path in self.locales_dir.glob("*/LC_MESSAGES/messages.po")
        )
        return [self.source_locale] + [
            locale_info(folder) for folder in folders if folder != self.source_locale.folder
        ]

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

    def section_contexts(self) -> dict[str, str]:
        """Every required section id (the gettext context) -> its heading."""
        sections: dict[str, str] = {}
        for leaflet in self.config.leaflets.values():
            sections.update(leaflet.required_sections)
        return sections
