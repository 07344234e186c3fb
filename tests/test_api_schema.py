"""The API answers as its own OpenAPI document says (property-based, schemathesis)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from conftest import ROOT  # noqa: E402
from polyleaf.web.app import Settings, create_app  # noqa: E402

APP = create_app(
    Settings(
        project=ROOT, out=Path(tempfile.mkdtemp(prefix="polyleaf-schema-")), workers=1, timeout=120
    )
)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@schema.parametrize()
# derandomize: CI runs the same examples every time (a random draw once failed CI on
# an undocumented 400 that a fixed example now covers in test_personal.py).
@settings(max_examples=50, derandomize=True, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_openapi_document(case: schemathesis.Case) -> None:
    if case.method == "POST":
        # A personalised copy refuses what JSON Schema cannot say: a character
        # that is unassigned, invisible or that none of the locale's fonts can
        # draw (a 422 naming it). Every other check still applies to it.
        from schemathesis.specs.openapi.checks import positive_data_acceptance

        case.call_and_validate(excluded_checks=[positive_data_acceptance])
    else:
        case.call_and_validate()
