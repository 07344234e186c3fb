"""requirements.lock: hash-pinned, consistent with pyproject.toml, and what is installed."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import metadata

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from conftest import ROOT
from polyleaf.engine import SUPPORTED_WEASYPRINT

LOCK = ROOT / "requirements.lock"
_PIN = re.compile(r"^(?P<name>[A-Za-z0-9._-]+)==(?P<version>\S+)(?: ; (?P<marker>[^\\]+?))? \\$")


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    marker: Marker | None
    hashes: int

    @property
    def applies(self) -> bool:
        return self.marker is None or self.marker.evaluate()


def pins() -> dict[str, Pin]:
    found: dict[str, Pin] = {}
    lines = LOCK.read_text(encoding="utf-8").splitlines()
    for number, line in enumerate(lines):
        match = _PIN.match(line)
        if match:
            hashes = 0
            for following in lines[number + 1 :]:
                if not following.strip().startswith("--hash=sha256:"):
                    break
                hashes += 1
            marker = Marker(match["marker"]) if match["marker"] else None
            name = canonicalize_name(match["name"])
            found[name] = Pin(name, match["version"], marker, hashes)
    return found


def test_every_pin_has_hashes_and_no_index_is_written() -> None:
    text = LOCK.read_text(encoding="utf-8")
    assert pins() and all(pin.hashes for pin in pins().values())
    assert "--index-url" not in text and "--extra-index-url" not in text and "://" not in text


def test_the_lock_fits_pyproject_ranges() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        wanted += [spec for spec in extra if not spec.startswith("polyleaf")]
    locked = pins()
    for spec in map(Requirement, wanted):
        pin = locked.get(canonicalize_name(spec.name))
        assert pin is not None, f"{spec.name} is not in requirements.lock: run ./run lock"
        assert spec.specifier.contains(pin.version, prereleases=True), (
            f"requirements.lock pins {pin.name}=={pin.version}, outside {spec}: run ./run lock"
        )


def test_the_locked_weasyprint_is_supported() -> None:
    assert pins()["weasyprint"].version in SUPPORTED_WEASYPRINT


@pytest.mark.parametrize("name", ["babel", "weasyprint", "jinja2"])
def test_the_environment_is_the_lock(name: str) -> None:
    """./run installs exactly the lock; another environment says what differs."""
    pin = pins()[name]
    assert metadata.version(name) == pin.version, (
        f"{name} {metadata.version(name)} is installed, requirements.lock pins {pin.version}"
    )


def test_every_applicable_pin_is_installed_at_its_version() -> None:
    differ = {
        pin.name: (installed, pin.version)
        for pin in pins().values()
        if pin.applies and (installed := _installed(pin.name)) != pin.version
    }
    assert not differ, f"installed vs requirements.lock: {differ}"


def _installed(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
