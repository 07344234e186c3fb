"""Clinic profiles: ``clinics/<id>.toml`` in the leaflet project.

A profile fills the contact block (name, address, phone, emergency number,
website, logo) and colours the leaflet; its ``leaflet_url`` puts a QR code to
the electronic version of the same leaflet on the page. A typo in a key, a bad
colour or a logo that is missing or outside the project is an error naming
the file and the key. Without ``--clinic`` the project's ``[clinic]`` table is
used: neutral, with lines to write a clinic in.
"""

from __future__ import annotations

from pathlib import Path
from string import Formatter

from pydantic import Field, field_validator

from polyleaf.errors import PolyleafError
from polyleaf.project import ClinicConfig, Project, load_toml

CLINICS = "clinics"
LOGO_TYPES = (".png", ".svg")


class ClinicProfile(ClinicConfig):
    logo: str = Field("", description="PNG or SVG file inside the leaflet project")
    accent: str = Field("#2b5c8a", pattern=r"^#[0-9a-fA-F]{6}$", description="#RRGGBB")
    leaflet_url: str = Field(
        "", description="URL of the leaflet online, with {leaflet} and {locale}"
    )

    @field_validator("leaflet_url")
    @classmethod
    def _url_pattern(cls, value: str) -> str:
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("must start with https:// (or http://)")
        _check_url_fields(value)
        if value and "{locale}" not in value:
            raise ValueError("must contain {locale} (and usually {leaflet})")
        return value

    def online_url(self, leaflet: str, locale_tag: str) -> str:
        return (
            self.leaflet_url.format(leaflet=leaflet, locale=locale_tag) if self.leaflet_url else ""
        )


#: The fields a leaflet_url may name, each plain: {leaflet}, {locale}.
URL_FIELDS = ("leaflet", "locale")


def _check_url_fields(pattern: str) -> None:
    """Only {leaflet} and {locale}, so that formatting the URL cannot fail or reach
    into Python objects ({0}, {leaflet.__class__}, {locale[0]}, {locale!r:>9})."""
    try:
        fields = [(name, spec, conv) for _, name, spec, conv in Formatter().parse(pattern)]
    except ValueError as error:  # unbalanced braces
        raise ValueError(f"{error}; write a literal brace as {{{{ or }}}}") from None
    for name, spec, conversion in fields:
        if name is None:
            continue
        if name not in URL_FIELDS or spec or conversion:
            shown = (
                "{"
                + name
                + (f"!{conversion}" if conversion else "")
                + (f":{spec}" if spec else "")
                + "}"
            )
            raise ValueError(
                f"{shown} is not allowed; use only {{leaflet}} and {{locale}}, as they are"
            )


def clinic_ids(project: Project) -> list[str]:
    return sorted(path.stem for path in (project.root / CLINICS).glob("*.toml"))


def load_clinic(project: Project, clinic_id: str) -> ClinicProfile:
    """The profile *clinic_id*, validated; "" gives the project's default clinic."""
    if not clinic_id:
        return ClinicProfile(**project.config.clinic.model_dump())
    path = project.root / CLINICS / f"{clinic_id}.toml"
    if "/" in clinic_id or not (path.exists() or path.is_symlink()):
        available = ", ".join(clinic_ids(project)) or "none"
        raise PolyleafError(f"unknown clinic {clinic_id!r}; available: {available}")
    profile = load_toml(path, ClinicProfile, project.root)
    if profile.logo:
        logo_path(project, path, profile.logo)
    return profile


def logo_path(project: Project, source: Path, logo: str) -> Path:
    """The logo file, checked to be a PNG or SVG inside the project."""
    path = (project.root / logo).resolve()
    if not path.is_relative_to(project.root):
        raise PolyleafError(f"{source}: logo: {logo!r} is outside the leaflet project")
    if path.suffix.lower() not in LOGO_TYPES:
        raise PolyleafError(f"{source}: logo: {logo!r} is not a PNG or SVG file")
    if not path.is_file():
        raise PolyleafError(f"{source}: logo: {logo!r} does not exist")
    return path
