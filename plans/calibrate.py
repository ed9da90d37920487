"""Mono calibration: edge scan of a reference foil, then set the DCM offset from the edge.

The measured E0 (max dμ/dE of ln(I0/It), :func:`axsuite.analysis.absorption.normalize_xas`)
is compared with the tabulated edge (xraylib); the Bragg-angle difference
(:func:`axsuite.analysis.absorption.mono_offset_correction_deg`) is added to the DCM's
``offset`` and the calibration is dated. A second short run (``calibrate_mono``) records
the old and new offset, both edges and the edge-scan uid; every later run carries the new
calibration in its start document (``calibrations.mono``), as ``axs runs`` shows.
"""

from __future__ import annotations

import datetime
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import bluesky.preprocessors as bpp
import numpy as np
from axsuite.analysis import xray
from axsuite.analysis.absorption import mono_offset_correction_deg, normalize_xas

from ._common import base_metadata, field_map
from .edge import edge_scan, validate_edge_scan

#: Edge-scan regions used for calibration (eV from the tabulated edge): E0 needs the edge.
CALIBRATION_REGIONS: tuple[dict[str, float], ...] = (
    {"start": -80.0, "stop": -20.0, "step": 5.0},
    {"start": -20.0, "stop": 30.0, "step": 0.5},
    {"start": 32.0, "stop": 120.0, "step": 4.0},
)

#: Largest correction accepted (eV at the edge); a bigger one means no or the wrong edge.
MAX_CORRECTION_EV = 40.0


def validate_calibrate_mono(beamline: Any, element: str, edge: str, regions, dwell_s: float):
    """Check a calibration request (reference foil exists, edge scan valid); ValueError."""
    symbol = xray.element_symbol(element)
    foils = beamline.profile.reference_foils
    if symbol not in foils:
        raise ValueError(
            f"profile {beamline.profile.name!r} has no reference foil for {symbol} "
            f"(reference_foils: {sorted(foils)})"
        )
    grid = validate_edge_scan(
        symbol,
        edge,
        CALIBRATION_REGIONS if regions is None else regions,
        dwell_s,
        beamline.dcm.energy_limits_eV,
    )
    return symbol, foils[symbol], grid


def calibrate_mono(
    element: str = "Cu",
    edge: str = "K",
    *,
    beamline: Any,
    regions=None,
    dwell_s: float = 0.2,
    md: dict | None = None,
):
    """Calibrate the DCM on a reference foil's absorption edge.

    Parameters
    ----------
    element, edge : reference foil element (profile ``reference_foils``) and edge
    beamline : device namespace (bound by the session)
    regions : edge-scan regions (default :data:`CALIBRATION_REGIONS`, eV from the edge)
    dwell_s : dwell per point in s
    md : extra metadata for both runs

    Returns the uid of the ``calibrate_mono`` record run. Raises ValueError (before any
    motion) on bad input, and after the scan if the measured edge is more than
    :data:`MAX_CORRECTION_EV` from the tabulated one.
    """
    bl = beamline
    symbol, foil, grid = validate_calibrate_mono(bl, element, edge, regions, dwell_s)
    fields = field_map(bl)
    columns: dict[str, list[float]] = {"energy": [], "i0": [], "it": []}

    def collect(name: str, doc: dict) -> None:
        if name == "event" and fields["energy"] in doc["data"]:
            for role, values in columns.items():
                values.append(float(doc["data"][fields[role]]))

    scan = edge_scan(
        symbol,
        grid.edge,
        beamline=bl,
        regions=list(grid.regions),
        dwell_s=dwell_s,
        sample=foil,
        md={"purpose": "mono calibration", **(md or {})},
    )
    scan_uid = yield from bpp.subs_wrapper(scan, {"all": [collect]})
    energy = np.asarray(columns["energy"])
    i0, it = np.asarray(columns["i0"]), np.asarray(columns["it"])
    good = (i0 > 0) & (it > 0)
    e0 = normalize_xas(energy[good], np.log(i0[good] / it[good])).e0_eV
    if abs(e0 - grid.edge_energy_eV) > MAX_CORRECTION_EV:
        raise ValueError(
            f"measured {symbol} {grid.edge} edge at {e0:.2f} eV is "
            f"{e0 - grid.edge_energy_eV:+.2f} eV from the tabulated {grid.edge_energy_eV:.1f} eV: "
            "refusing to calibrate (wrong foil or mono far off)"
        )
    d_spacing = float(bl.dcm.d_spacing.get())
    old = float(bl.dcm.offset.get())
    new = old + mono_offset_correction_deg(e0, grid.edge_energy_eV, d_spacing)
    date = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    yield from bps.mv(
        bl.dcm.offset, new, bl.dcm.calibration_date, date, bl.dcm.calibration_run, scan_uid
    )
    record = {
        "element": symbol,
        "edge": grid.edge,
        "e0_measured_eV": float(e0),
        "e0_tabulated_eV": float(grid.edge_energy_eV),
        "offset_old_deg": old,
        "offset_new_deg": new,
        "d_spacing_A": d_spacing,
        "date": date,
        "edge_scan_uid": scan_uid,
    }
    composition = xray.parse_formula(bl.profile.samples[foil].composition)
    _md = base_metadata(bl, sample=foil, composition=composition)
    _md.update(
        {
            "plan_name": "calibrate_mono",
            "plan_args": {"element": symbol, "edge": grid.edge, "dwell_s": dwell_s},
            "element": symbol,
            "edge": grid.edge,
            "mono_calibration": record,
            "hints": {},
        }
    )
    _md.update(md or {})
    return (yield from bp.count([bl.dcm], md=_md))
