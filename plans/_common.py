"""Start-document pieces shared by all plans (DESIGN §6 schema)."""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
from axsuite.analysis import xray
from axsuite.analysis.provenance import axsuite_version


def number(name: str, value: Any, unit: str, *, positive: bool = False) -> float:
    """``value`` as a finite float; ValueError naming ``name``, the bad value and the unit
    for text, booleans, arrays, NaN/inf (and values ≤ 0 when ``positive``)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(
            f"{name} must be a number ({unit}), got {value!r} ({type(value).__name__})"
        )
    v = float(value)
    if v != v or v in (float("inf"), float("-inf")) or (positive and v <= 0):
        what = "a positive number" if positive else "a finite number"
        raise ValueError(f"{name} must be {what} ({unit}), got {value!r}")
    return v


def triple(name: str, value: Any, unit: str) -> tuple[float, float, float]:
    """A (start, stop, step) request as three finite floats with stop > start and step > 0;
    ValueError naming ``name`` and the bad value otherwise."""
    if not isinstance(value, Sequence | np.ndarray) or isinstance(value, str) or len(value) != 3:
        raise ValueError(f"{name} must be (start, stop, step) in {unit}, got {value!r}")
    start, stop, step = (number(f"{name} {k}", v, unit) for k, v in
                         zip(("start", "stop", "step"), value, strict=True))  # fmt: skip
    if step <= 0 or stop <= start:
        raise ValueError(
            f"{name} must be (start, stop, step) in {unit} with stop > start and step > 0, "
            f"got {tuple(value)!r}"
        )
    return start, stop, step


def check_edge(
    element: str | int, edge: str, energy_limits_eV: tuple[float, float]
) -> tuple[str, float]:
    """Validate an element/edge pair inside the mono range; returns (symbol, edge energy eV).

    ValueError for an unknown element or edge, or an edge outside ``energy_limits_eV``.
    """
    symbol = xray.element_symbol(element) if isinstance(element, int) else str(element)
    xray.atomic_number(symbol)
    xray.edge_shell(edge)
    e0 = xray.edge_energy_eV(symbol, edge)
    lo, hi = energy_limits_eV
    if not lo <= e0 <= hi:
        raise ValueError(
            f"the {symbol} {edge} edge at {e0:.1f} eV is outside the monochromator range "
            f"{lo:.0f}–{hi:.0f} eV"
        )
    return symbol, e0


def field_map(bl: Any) -> dict[str, str]:
    """Role → event-field name for the spine devices of a beamline namespace."""
    return {
        "energy": bl.dcm.energy.name,
        "i0": bl.I0.counts.name,
        "it": bl.It.counts.name,
        "iref": bl.Iref.counts.name,
        "elastic": bl.disc.elastic.name,
        "compton": bl.disc.compton.name,
        "fluorescence": bl.disc.fluorescence.name,
        "total": bl.disc.total.name,
        "dead_time": bl.disc.dead_time.name,
        "saturated": bl.disc.saturated.name,
        "dwell": bl.dwell.name,
        "ring_current": bl.ring.current.name,
        "two_theta": bl.arm.two_theta.name,
    }


def base_metadata(bl: Any, *, sample: str, composition: dict[str, float]) -> dict[str, Any]:
    """Metadata every run carries: sample, composition, profile, version, calibrations."""
    p = bl.profile
    return {
        "sample": sample,
        "composition": dict(composition),
        "profile": {"name": p.name, "hash": p.content_hash},
        "axsuite_version": axsuite_version(),
        "calibrations": {
            "mono": {
                "crystal": p.mono.crystal,
                "d_spacing_A": float(bl.dcm.d_spacing.get()),
                "offset_deg": float(bl.dcm.offset.get()),
                "date": str(bl.dcm.calibration_date.get()),
                "run_uid": str(bl.dcm.calibration_run.get()),
            },
        },
    }
