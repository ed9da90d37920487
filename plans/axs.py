"""Anomalous X-ray scattering scan: the same Q grid at several energies below an edge.

For each energy the mono moves (the discriminator's elastic window re-centres with it),
then the 2θ arm steps through 2θ = 2 asin(Qλ/4π) so that every energy measures the same
Q grid (DESIGN §6). Reads I0, the scattering detector on the arm and the ring current.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import numpy as np
from axsuite.analysis import xray
from axsuite.analysis.constants import wavelength_A
from cycler import cycler

from ._common import base_metadata, check_edge, field_map, number
from .steps import one_nd_step

#: Default energies below the edge, relative to E0 (eV; DESIGN §7.3).
DEFAULT_OFFSETS_EV: tuple[float, ...] = (-25.0, -250.0)

#: Closest approach to the edge (eV below E0). Closer, the beam's tail (Si(111) bandwidth
#: ≈ 1.3 eV at Cu K, K-hole width ≈ 1.5 eV) excites fluorescence that the elastic window
#: cannot reject (simulated leakage 71 % at E0 − 3 eV, 87 % at E0 − 1 eV, 2.7 % at E0 − 250 eV)
#: and f′ is at its logarithmic singularity.
MIN_EDGE_DISTANCE_EV = 5.0


@dataclasses.dataclass(frozen=True)
class AXSScanGrid:
    """Validated AXS grid: energies (eV), their offsets from ``e0_eV``, the Q grid (Å⁻¹) and
    the arm angles 2θ (deg, n_energies × n_q) that realise it at each energy."""

    element: str
    edge: str
    e0_eV: float
    tabulated_e0_eV: float
    energies_eV: np.ndarray
    offsets_eV: np.ndarray
    q_grid: np.ndarray
    two_theta_deg: np.ndarray
    composition: dict[str, float]
    dwell_s: float
    dwells_s: tuple[float, ...] = ()


def _composition(composition: Mapping[str, float], element: str) -> dict[str, float]:
    if not isinstance(composition, Mapping) or not composition:
        raise ValueError("composition must be a non-empty mapping element → atomic fraction")
    comp: dict[str, float] = {}
    for el, c in composition.items():
        symbol = xray.element_symbol(el) if isinstance(el, int) else str(el)
        xray.atomic_number(symbol)
        c = float(c)
        if not np.isfinite(c) or c <= 0:
            raise ValueError(f"composition: fraction of {symbol} must be positive, got {c}")
        comp[symbol] = c
    total = sum(comp.values())
    if abs(total - 1.0) > 1e-3:
        raise ValueError(f"composition: atomic fractions sum to {total:.4f}, not 1")
    if element not in comp:
        raise ValueError(f"resonant element {element} is not in the composition {sorted(comp)}")
    if len(comp) < 2:
        raise ValueError("AXS needs at least two elements in the composition")
    return comp


def _energies(
    energies_eV: Sequence[float] | None,
    offsets_eV: Sequence[float] | None,
    e0: float,
    edge_name: str,
    energy_limits_eV: tuple[float, float],
) -> np.ndarray:
    """Absolute energies (eV): distinct, ≥ MIN_EDGE_DISTANCE_EV below ``e0``, in the mono range."""
    if (energies_eV is None) == (offsets_eV is None):
        if energies_eV is None:
            offsets_eV = DEFAULT_OFFSETS_EV
        else:
            raise ValueError("give either energies_eV or offsets_eV, not both")
    if energies_eV is not None:
        energies = np.atleast_1d(np.asarray(energies_eV, dtype=float))
    else:
        energies = e0 + np.atleast_1d(np.asarray(offsets_eV, dtype=float))
    if energies.ndim != 1 or energies.size < 1 or not np.all(np.isfinite(energies)):
        raise ValueError("energies must be a non-empty list of finite numbers (eV)")
    if np.unique(np.round(energies, 3)).size != energies.size:
        raise ValueError(f"energies must be distinct, got {energies.tolist()}")
    above = energies[energies >= e0]
    if above.size:
        raise ValueError(
            f"AXS energies must lie below the {edge_name} edge ({e0:.1f} eV): "
            f"{above.tolist()} eV are at or above it"
        )
    near = energies[energies > e0 - MIN_EDGE_DISTANCE_EV]
    if near.size:
        raise ValueError(
            f"AXS energies must lie at least {MIN_EDGE_DISTANCE_EV:g} eV below the {edge_name} "
            f"edge ({e0:.1f} eV): {[round(float(e), 3) for e in near]} eV "
            f"{'is' if near.size == 1 else 'are'} only "
            f"{', '.join(f'{e0 - e:.3g}' for e in near)} eV below it"
        )
    lo, hi = energy_limits_eV
    if energies.min() < lo or energies.max() > hi:
        raise ValueError(f"energies leave the monochromator range {lo:.0f}–{hi:.0f} eV")
    return energies


def _q_grid(q_grid: Sequence[float]) -> np.ndarray:
    q = np.asarray(q_grid, dtype=float)
    if q.ndim != 1 or q.size < 10:
        raise ValueError("q_grid must be a 1-D list of at least 10 values (Å⁻¹)")
    if not np.all(np.isfinite(q)) or np.any(q <= 0) or np.any(np.diff(q) <= 0):
        raise ValueError("q_grid must be finite, positive and strictly increasing (Å⁻¹)")
    return q


def _dwells(dwell_s: float | Sequence[float], n_energies: int) -> np.ndarray:
    """Dwell per point (s) for each energy: one positive time, or one per energy."""
    if isinstance(dwell_s, Sequence | np.ndarray) and not isinstance(dwell_s, str):
        if len(dwell_s) != n_energies:
            raise ValueError(
                f"dwell_s must be one time or one per energy ({n_energies}), got {dwell_s!r}"
            )
        return np.array([number("dwell_s", d, "s", positive=True) for d in dwell_s])
    return np.full(n_energies, number("dwell_s", dwell_s, "s", positive=True))


def _two_theta_rows(
    q: np.ndarray, energies: np.ndarray, two_theta_limits_deg: tuple[float, float]
) -> list[np.ndarray]:
    """2θ (deg) of the Q grid at each energy; ValueError if the arm cannot reach it."""
    tth_lo, tth_hi = two_theta_limits_deg
    rows = []
    for e in energies:
        lam = float(wavelength_A(e))
        q_max = 4 * math.pi * math.sin(math.radians(tth_hi / 2.0)) / lam
        if q[-1] > q_max:
            raise ValueError(
                f"Q = {q[-1]:.3f} Å⁻¹ is not reachable at {e:.1f} eV: the arm limit "
                f"2θ ≤ {tth_hi:g}° allows Q ≤ {q_max:.3f} Å⁻¹"
            )
        tth = np.asarray(xray.two_theta_from_q(q, e), dtype=float)
        if tth[0] < max(tth_lo, 0.0):
            raise ValueError(f"Q = {q[0]:.3f} Å⁻¹ needs 2θ below the arm limit {tth_lo:g}°")
        rows.append(tth)
    return rows


def validate_axs_scan(
    element: str,
    edge: str,
    *,
    energies_eV: Sequence[float] | None,
    offsets_eV: Sequence[float] | None,
    e0_eV: float | None,
    q_grid: Sequence[float],
    dwell_s: float | Sequence[float],
    composition: Mapping[str, float],
    energy_limits_eV: tuple[float, float],
    two_theta_limits_deg: tuple[float, float],
) -> AXSScanGrid:
    """Check an AXS request and build its grid; raises ValueError with a clear message.

    Checks: known element and edge inside the mono range; the composition (known elements,
    positive fractions summing to 1, contains the resonant element); exactly one of
    ``energies_eV``/``offsets_eV`` (offsets from ``e0_eV``, default the tabulated edge);
    energies distinct, below the edge and inside the mono range; the Q grid (Å⁻¹) finite,
    positive, increasing, ≥ 10 points and reachable at every energy within the arm limits;
    positive dwell (one time, or one per energy: s per point).
    """
    symbol, e_tab = check_edge(element, edge, energy_limits_eV)
    comp = _composition(composition, symbol)
    e0 = e_tab if e0_eV is None else float(e0_eV)
    if not np.isfinite(e0) or abs(e0 - e_tab) > 50.0:
        raise ValueError(
            f"e0_eV = {e0_eV} is not within 50 eV of the tabulated {symbol} {edge} edge "
            f"({e_tab:.1f} eV)"
        )
    energies = _energies(energies_eV, offsets_eV, e0, f"{symbol} {edge}", energy_limits_eV)
    q = _q_grid(q_grid)
    dwells = _dwells(dwell_s, energies.size)
    rows = _two_theta_rows(q, energies, two_theta_limits_deg)
    return AXSScanGrid(
        element=symbol,
        edge=edge.upper(),
        e0_eV=e0,
        tabulated_e0_eV=e_tab,
        energies_eV=energies,
        offsets_eV=energies - e0,
        q_grid=q,
        two_theta_deg=np.array(rows),
        composition=comp,
        dwell_s=float(dwells.max()),
        dwells_s=tuple(float(x) for x in dwells),
    )


def _dwell_md(grid: AXSScanGrid) -> float | list[float]:
    """Dwell per point (s): one number, or one per energy when they differ."""
    return grid.dwell_s if len(set(grid.dwells_s)) <= 1 else list(grid.dwells_s)


def axs_scan(
    element: str,
    *,
    beamline: Any,
    q_grid: Sequence[float],
    energies_eV: Sequence[float] | None = None,
    offsets_eV: Sequence[float] | None = None,
    e0_eV: float | None = None,
    edge: str = "K",
    dwell_s: float | None = None,
    sample: str | None = None,
    composition: Mapping[str, float] | None = None,
    md: dict | None = None,
):
    """Measure the scattered intensity on the same Q grid at several energies below an edge.

    Parameters
    ----------
    element, edge : resonant element and its edge ("K")
    beamline : namespace from :func:`axsuite.devices.make_beamline` with an AXS station
    q_grid : scattering vectors Q in Å⁻¹ (increasing), measured at every energy
    energies_eV : absolute photon energies (eV), or
    offsets_eV : energies relative to ``e0_eV`` (eV, negative); default (−25, −250)
    e0_eV : the measured edge (eV) the offsets refer to (default: tabulated edge)
    dwell_s : counting time per point in s, one or one per energy (default: the profile's
        ``axs.dwell_s``)
    sample : AXS plate to mount (default: the profile's ``axs.sample``)
    composition : nominal composition for the analysis (default: the plate's profile entry)
    md : extra start-document metadata (wins over the plan's)

    Returns the run uid.
    """
    bl = beamline
    scat = getattr(bl, "scat", None)
    if scat is None:
        raise ValueError(f"profile {bl.profile.name!r} has no axs section (no scattering detector)")
    cfg = bl.profile.axs
    sample = cfg.sample if sample is None else sample
    if sample not in scat.samples:
        raise ValueError(
            f"AXS sample {sample!r} is not in the profile (known: {sorted(scat.samples)})"
        )
    scfg = cfg.samples[sample]
    dwell = cfg.dwell_s if dwell_s is None else dwell_s
    grid = validate_axs_scan(
        element,
        edge,
        energies_eV=energies_eV,
        offsets_eV=offsets_eV,
        e0_eV=e0_eV,
        q_grid=q_grid,
        dwell_s=dwell,
        composition=scfg.composition if composition is None else composition,
        energy_limits_eV=bl.dcm.energy_limits_eV,
        two_theta_limits_deg=tuple(bl.arm.two_theta.limits),
    )
    roi = f"{grid.element}_{grid.edge}"
    if roi not in bl.disc.rois:
        raise ValueError(f"the discriminator has no fluorescence window {roi!r} in the profile")
    d = bl.profile.discriminator
    half = d.elastic_halfwidth_fwhm
    windows = [
        {
            "energy_eV": float(e),
            "elastic_eV": [
                float(e - half * bl.disc.response.fwhm_eV(e)),
                float(e + half * bl.disc.response.fwhm_eV(e)),
            ],
            "fluorescence_eV": list(bl.disc.rois[roi]),
            "compton_halfwidth_eV": d.compton_halfwidth_eV,
        }
        for e in grid.energies_eV
    ]
    fields = {
        **field_map(bl),
        **{
            role: getattr(scat, role).name
            for role in ("elastic", "compton", "fluorescence", "total", "dead_time", "saturated")
        },
        "elastic_low": scat.elastic_low.name,
        "elastic_high": scat.elastic_high.name,
        "fluor_low": scat.fluor_low.name,
        "fluor_high": scat.fluor_high.name,
    }
    for role in ("it", "iref"):
        fields.pop(role, None)
    p_h = float(scat.polarization_h.get())
    phi = float(scat.phi_deg.get())
    _md = base_metadata(bl, sample=sample, composition=grid.composition)
    _md.update(
        {
            "plan_name": "axs_scan",
            "plan_args": {
                "element": grid.element,
                "edge": grid.edge,
                "energies_eV": grid.energies_eV.tolist(),
                "q_grid": grid.q_grid.tolist(),
                "e0_eV": grid.e0_eV,
                "dwell_s": _dwell_md(grid),
                "sample": sample,
            },
            "hints": {"dimensions": [([bl.arm.two_theta.name], "primary")]},
            "element": grid.element,
            "edge": grid.edge,
            "e0_eV": grid.e0_eV,
            "e0_source": "tabulated" if e0_eV is None else "measured",
            "tabulated_e0_eV": grid.tabulated_e0_eV,
            "energies_eV": grid.energies_eV.tolist(),
            "offsets_eV": grid.offsets_eV.tolist(),
            "wavelengths_A": [float(wavelength_A(e)) for e in grid.energies_eV],
            "q_grid": grid.q_grid.tolist(),
            "two_theta_deg": grid.two_theta_deg.tolist(),
            "dwell_s": _dwell_md(grid),
            "geometry": {
                "kind": "reflection",
                "symmetric": True,
                "incidence": "2θ/2 (exit 2θ/2)",
                "thickness_cm": scfg.thickness_cm,
            },
            "density_atoms_A3": scfg.number_density_atoms_A3(),
            "polarization": {
                "horizontal_fraction": p_h,
                "phi_deg": phi,
                "scattering_plane": "vertical" if abs(abs(phi) - 90.0) < 1e-9 else f"φ = {phi:g}°",
            },
            "detector": {
                "solid_angle_sr": float(scat.solid_angle.get()),
                "noise_fwhm_eV": d.noise_fwhm_eV,
                "fano": d.fano,
                "pair_energy_eV": d.pair_energy_eV,
                "ev_per_channel": d.ev_per_channel,
                "n_channels": d.n_channels,
                "dead_time_s": d.dead_time_s,
                "doppler_fraction": d.doppler_fraction,
            },
            "roi": {"name": roi, "window_eV": list(bl.disc.rois[roi])},
            "windows": windows,
            "num_points": int(grid.two_theta_deg.size),
            "fields": fields,
        }
    )
    _md.update(md or {})
    yield from bps.mv(scat.sample, sample, bl.disc.roi, roi, bl.dwell, grid.dwell_s)
    n_q = grid.q_grid.size
    traj = cycler(bl.dcm.energy, list(np.repeat(grid.energies_eV, n_q))) + cycler(
        bl.arm.two_theta, list(grid.two_theta_deg.ravel())
    )
    if len(set(grid.dwells_s)) > 1:  # a counting time per energy (designed AXS)
        traj = traj + cycler(bl.dwell, list(np.repeat(grid.dwells_s, n_q)))
    return (yield from bp.scan_nd([bl.I0, scat, bl.ring], traj, per_step=one_nd_step, md=_md))
