"""What the API answers with (the OpenAPI document is generated from these)."""

from __future__ import annotations

from pydantic import BaseModel


class LocaleEntry(BaseModel):
    tag: str
    name: str
    english_name: str
    direction: str
    status: str  #: "source", "draft" or "reviewed"
    available: bool
    reason: str = ""


class LeafletEntry(BaseModel):
    id: str
    title: str
    code: str
    revision: str
    locales: list[LocaleEntry]


class Catalogue(BaseModel):
    leaflets: list[LeafletEntry]
    papers: list[str]
    clinics: list[str]
