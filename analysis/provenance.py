"""Provenance helpers recorded with every run and result."""

from __future__ import annotations

from importlib import metadata


def axsuite_version() -> str:
    """Installed axsuite version string ("unknown" when not installed)."""
    try:
        return metadata.version("axsuite")
    except metadata.PackageNotFoundError:
        return "unknown"
