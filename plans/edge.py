"""Energy scans through an absorption edge (XAFS-style regions: pre-edge, edge, k-space)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import numpy as np
from axsuite.analysis import xray
from axsuite.analysis.constants import KTOE_EV_A2
from cycler import cycler

from ._common import base_metadata, check_edge, field_map, number
from .steps import one_nd_step

#: Largest number of energy points in one edge scan (a 1e-6 eV step is a typo, not a plan).
MAX_POINTS = 20000

#: Default regions relative to the tabulated edge: energies in eV, k in Å⁻¹, dwell in s.
DEFAULT_REGIONS: tuple[dict[str, float], ...] = (
    {"start": -400.0, "stop": -30.0, "step": 10.0},
    {"start": -30.0, "stop": 40.0, "step": 0.5},
    {"k_start": 3.3, "k_stop": 12.0, "k_step": 0.05},
)


@dataclasses.dataclass(frozen=True)
class EdgeScanGrid:
    """Validated edge-scan grid: absolute energies (eV), dwell per point (s), edge (eV)."""

    element: str
    edge: str
    edge_energy_eV: float
    energies_eV: np.ndarray
    dwell_s: np.ndarray
    regions: tuple[dict[str, float], ...]


def _region_points(region: Mapping[str, float], e0: float, index: int) -> np.ndarray:
    keys = set(region) - {"dwell_s"}
    if keys == {"start", "stop", "step"}:
        start, stop, step = (
            number(f"region {index} {k}", region[k], "eV") for k in ("start", "stop", "step")
        )
        to_e = lambda x: e0 + x  # noqa: E731
    elif keys == {"k_start", "k_stop", "k_step"}:
        start, stop, step = (
            number(f"region {index} {k}", region[k], "Å⁻¹") for k in ("k_start", "k_stop", "k_step")
        )
        if start < 0:
            raise ValueError(f"region {index}: k_start must be ≥ 0 Å⁻¹, got {start}")
        to_e = lambda k: e0 + KTOE_EV_A2 * k**2  # noqa: E731
    else:
        raise ValueError(
            f"region {index}: give either start/stop/step (eV from the edge) or "
            f"k_start/k_stop/k_step (Å⁻¹), optionally dwell_s; got keys {sorted(region)}"
        )
    if not np.all(np.isfinite([start, stop, step])):
        raise ValueError(f"region {index}: start, stop and step must be finite numbers")
    if step <= 0:
        raise ValueError(f"region {index}: step must be positive, got {step}")
    if stop <= start:
        raise ValueError(
            f"region {index}: stop ({stop}) must be above start ({start}): empty or inverted region"
        )
    n = int(np.floor((stop - start) / step + 1e-9)) + 1
    if n > MAX_POINTS:
        raise ValueError(
            f"region {index}: step {step:g} from {start:g} to {stop:g} gives {n} points, more "
            f"than the limit of {MAX_POINTS}; use a larger step"
        )
    return to_e(start + step * np.arange(n))


def validate_edge_scan(
    element: str,
    edge: str,
    regions: Sequence[Mapping[str, float]] | None,
    dwell_s: float,
    energy_limits_eV: tuple[float, float],
) -> EdgeScanGrid:
    """Check an edge scan request and build its grid; raises ValueError with a clear message.

    Checks: known element and edge, edge inside the mono range, regions non-empty, ordered,
    non-overlapping and inside the mono range, positive dwell times.
    """
    symbol, e0 = check_edge(element, edge, energy_limits_eV)
    lo, hi = energy_limits_eV
    dwell_s = number("dwell_s", dwell_s, "s", positive=True)
    if regions is not None and (
        isinstance(regions, (str, bytes, Mapping))
        or not all(isinstance(r, Mapping) for r in regions)
    ):
        raise ValueError(f"regions must be a list of mappings (start/stop/step …), got {regions!r}")
    regions = DEFAULT_REGIONS if regions is None else tuple(dict(r) for r in regions)
    if not regions:
        raise ValueError("regions is empty: give at least one region")
    energies, dwells = [], []
    for i, region in enumerate(regions):
        pts = _region_points(region, e0, i)
        d = number(f"region {i}: dwell_s", region.get("dwell_s", dwell_s), "s", positive=True)
        if energies and pts[0] <= energies[-1][-1] - 1e-6:
            raise ValueError(
                f"region {i} starts at {pts[0]:.2f} eV, below the end of region {i - 1}"
            )
        if energies and abs(pts[0] - energies[-1][-1]) < 1e-6:
            pts = pts[1:]
        energies.append(pts)
        dwells.append(np.full(len(pts), d))
    grid = np.concatenate(energies)
    if grid.size > MAX_POINTS:
        raise ValueError(
            f"the regions give {grid.size} points, more than the limit of {MAX_POINTS}; "
            "use larger steps"
        )
    if grid.min() < lo or grid.max() > hi:
        raise ValueError(
            f"scan range {grid.min():.1f}–{grid.max():.1f} eV leaves the monochromator range "
            f"{lo:.0f}–{hi:.0f} eV"
        )
    return EdgeScanGrid(symbol, edge.upper(), e0, grid, np.concatenate(dwells), tuple(regions))


def edge_scan(
    element: str,
    edge: str = "K",
    *,
    beamline: Any,
    regions=None,
    dwell_s: float = 0.5,
    sample: str | None = None,
    reference: str | None = None,
    two_theta_deg: float = 90.0,
    md: dict | None = None,
):
    """Scan the photon energy through an absorption edge, reading I0, It, Iref, discriminator.

    Parameters
    ----------
    element, edge : absorbing element symbol and edge name ("K", "L3", …)
    beamline : namespace from :func:`axsuite.devices.make_beamline` (bound by the session)
    regions : list of {start, stop, step} (eV relative to the tabulated edge) or
        {k_start, k_stop, k_step} (Å⁻¹) mappings, each with optional ``dwell_s``;
        default :data:`DEFAULT_REGIONS`
    dwell_s : default dwell per point in s
    sample : profile sample in the transmission position (default: the element's reference
        foil); reference : sample in the Iref position (default: the element's reference foil)
    two_theta_deg : discriminator angle (deg) during the scan
    md : extra start-document metadata (wins over the plan's)

    Returns the run uid.
    """
    bl = beamline
    grid = validate_edge_scan(element, edge, regions, dwell_s, bl.dcm.energy_limits_eV)
    foil = bl.profile.reference_foils.get(grid.element, "")
    sample = foil if sample is None else sample
    reference = foil if reference is None else reference
    for label, name in (("sample", sample), ("reference", reference)):
        if name and name not in bl.stage.absorbers:
            raise ValueError(f"{label} {name!r} is not a sample of profile {bl.profile.name!r}")
    if not sample:
        raise ValueError(f"no sample given and profile has no reference foil for {grid.element}")
    lo, hi = bl.arm.two_theta.limits
    if not lo <= two_theta_deg <= hi:
        raise ValueError(f"two_theta_deg {two_theta_deg} outside the arm limits {lo}–{hi} deg")
    roi = f"{grid.element}_{grid.edge}"
    detectors = [bl.I0, bl.It, bl.Iref, bl.disc, bl.ring]
    composition = xray.parse_formula(bl.profile.samples[sample].composition)
    _md = base_metadata(bl, sample=sample, composition=composition)
    _md.update(
        {
            "plan_name": "edge_scan",
            "plan_args": {
                "element": grid.element,
                "edge": grid.edge,
                "regions": list(grid.regions),
                "dwell_s": dwell_s,
                "sample": sample,
                "reference": reference,
                "two_theta_deg": two_theta_deg,
            },
            "hints": {"dimensions": [([bl.dcm.energy.name], "primary")]},
            "element": grid.element,
            "edge": grid.edge,
            "edge_energy_eV": grid.edge_energy_eV,
            "regions": list(grid.regions),
            "reference": reference,
            "roi": {"name": roi, "window_eV": list(bl.disc.rois.get(roi, (0.0, 0.0)))},
            "num_points": len(grid.energies_eV),
            "fields": field_map(bl),
        }
    )
    _md.update(md or {})
    yield from bps.mv(bl.stage.sample, sample, bl.ref_wheel.sample, reference, bl.disc.roi, roi)
    yield from bps.mv(bl.arm.two_theta, two_theta_deg)
    traj = cycler(bl.dcm.energy, list(grid.energies_eV)) + cycler(bl.dwell, list(grid.dwell_s))
    return (yield from bp.scan_nd(detectors, traj, per_step=one_nd_step, md=_md))
