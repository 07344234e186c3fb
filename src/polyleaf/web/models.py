"""What the API answers with (the OpenAPI document is generated from these)."""

from __future__ import annotations

from pydantic import BaseModel


class LocaleEntry(BaseModel):
    tag: str
    name: str
    english_name: str
    direction: str
    #: "source", "reviewed", "partly reviewed", "draft" or "blocked by the gate"
    status: str
    available: bool
    reason: str = ""


class LeafletEntry(BaseModel):
    id: str
    title: str
    code: str
    revision: str
    #: The paper the leaflet is always printed on (a reminder card: a6), or None.
    paper: str | None = None
    locales: list[LocaleEntry]


class Catalogue(BaseModel):
    leaflets: list[LeafletEntry]
    papers: list[str]
    clinics: list[str]
