"""Designed AXS: choose the energies and counting times that make the partials best, then
measure them (issue 15; the design is :mod:`axsuite.analysis.axs_design`).

The plan takes f′/f″ of each resonant element from ``factor_source`` (the session binds the
most recent edge analysis in the live callbacks or the catalog); for an element without
one it measures the edge first (``edge_scan``). It then computes the design, records it
(with the habitual E0 − 25/−250 eV design for comparison) in every start document under
``design``, and runs one ``axs_scan`` per resonant element with the designed energies and
a counting time per energy.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
from axsuite.analysis import xray
from axsuite.analysis.axs_design import AXSDesign, evaluate_design, optimal_design
from axsuite.analysis.axs_design.inputs import (
    candidate_energies,
    counting_variance_rate,
    design_factors,
    habitual_energies,
    sample_edges_eV,
)
from axsuite.analysis.constants import HC_EV_A

from .axs import axs_scan
from .edge import edge_scan

#: element → {"energy_eV", "fp", "fpp", "e0_eV"} of its latest edge analysis, or None.
FactorSource = Callable[[str], Mapping[str, Any] | None]


@dataclasses.dataclass(frozen=True)
class DesignRequest:
    """A validated request: resonant elements, composition, Q grid (Å⁻¹), budget (s)."""

    elements: tuple[str, ...]
    composition: dict[str, float]
    q_grid: np.ndarray
    budget_s: float
    n_energies: int | None
    criterion: str


def validate_designed_axs(
    elements: Sequence[str],
    *,
    composition: Mapping[str, float],
    q_grid: Sequence[float],
    budget_s: float,
    n_energies: int | None,
    criterion: str,
    energy_limits_eV: tuple[float, float],
    two_theta_max_deg: float,
) -> DesignRequest:
    """Check a designed-AXS request before anything moves; ValueError with a clear message.

    Elements known and in the sample, each with a K edge inside the mono range; the Q grid
    finite, positive, increasing, ≥ 10 points and reachable somewhere in the mono range
    below the arm limit; a positive budget; n_energies ≥ the number of partials.
    """
    if isinstance(elements, str):
        elements = [elements]
    els = tuple(xray.element_symbol(e) if isinstance(e, int) else str(e) for e in elements)
    if not els:
        raise ValueError("give at least one resonant element")
    for el in els:
        xray.atomic_number(el)
        if el not in composition:
            raise ValueError(f"resonant element {el} is not in the sample {sorted(composition)}")
        e0 = xray.edge_energy_eV(el, "K")
        if not energy_limits_eV[0] <= e0 <= energy_limits_eV[1]:
            raise ValueError(
                f"the {el} K edge ({e0:.0f} eV) is outside the mono range "
                f"{energy_limits_eV[0]:.0f}–{energy_limits_eV[1]:.0f} eV"
            )
    q = np.asarray(q_grid, dtype=float)
    if q.ndim != 1 or q.size < 10 or not np.all(np.isfinite(q)) or np.any(q <= 0) or np.any(
        np.diff(q) <= 0
    ):
        raise ValueError("q_grid must be ≥ 10 finite, positive, increasing values (Å⁻¹)")
    if isinstance(budget_s, bool) or not isinstance(budget_s, int | float) or not (
        np.isfinite(budget_s) and budget_s > 0
    ):
        raise ValueError(f"budget_s must be a positive time in s, got {budget_s!r}")
    n_pairs = len(composition) * (len(composition) + 1) // 2
    if n_energies is not None and int(n_energies) < n_pairs:
        raise ValueError(
            f"{n_pairs} partials need n_energies ≥ {n_pairs}, got {n_energies}"
        )
    q_reach = 4 * np.pi * np.sin(np.deg2rad(two_theta_max_deg / 2)) * energy_limits_eV[1] / HC_EV_A
    if q[-1] > q_reach:
        raise ValueError(
            f"Q = {q[-1]:.2f} Å⁻¹ is not reachable below the arm limit {two_theta_max_deg:g}° "
            f"at any energy of the mono (max {q_reach:.2f} Å⁻¹)"
        )
    return DesignRequest(els, dict(composition), q, float(budget_s),
                         None if n_energies is None else int(n_energies), criterion)


def compute_design(
    req: DesignRequest,
    measured: Mapping[str, Mapping[str, Any]],
    *,
    density_atoms_A3: float,
    beam: Mapping[str, float],
    energy_limits_eV: tuple[float, float],
    two_theta_max_deg: float,
    min_offset_eV: float,
    max_offset_eV: float,
    step_eV: float,
) -> tuple[AXSDesign, AXSDesign, list[str]]:
    """The optimal design, the habitual one with equal times, and the element each designed
    energy belongs to. ``measured`` element → edge analysis (energy_eV, fp, fpp, e0_eV);
    ``beam``: flux_photons_s, solid_angle_sr, thickness_cm, polarization_h."""
    edges = {el: float(measured[el]["e0_eV"]) for el in req.elements}
    meas = {el: (m["energy_eV"], m["fp"], m["fpp"]) for el, m in measured.items()}
    cand, labels = candidate_energies(
        edges, q_max_invA=float(req.q_grid[-1]), two_theta_max_deg=two_theta_max_deg,
        mono_range_eV=energy_limits_eV, min_offset_eV=min_offset_eV,
        max_offset_eV=max_offset_eV, step_eV=step_eV,
        avoid_edges_eV=[e for e in sample_edges_eV(req.composition)
                        if all(abs(e - e0) > 50 for e0 in edges.values())],
    )
    comp = req.composition
    fac = design_factors(cand, comp, meas)
    v = counting_variance_rate(req.q_grid, cand, comp, density_atoms_A3, fac, **beam)
    design = optimal_design(req.q_grid, comp, cand, fac, v, req.budget_s,
                            n_energies=req.n_energies, criterion=req.criterion)
    chosen = [labels[int(np.searchsorted(cand, e))] for e in design.energies_eV]
    habit_e = habitual_energies(edges)
    hfac = design_factors(habit_e, comp, meas)
    hv = counting_variance_rate(req.q_grid, habit_e, comp, density_atoms_A3, hfac, **beam)
    habit = evaluate_design(req.q_grid, comp, habit_e,
                            np.full(habit_e.size, req.budget_s / req.q_grid.size / habit_e.size),
                            hfac, hv, criterion="A" if req.criterion == "c" else req.criterion)
    return design, habit, chosen


def designed_axs_scan(
    elements: Sequence[str] | str,
    *,
    beamline: Any,
    q_grid: Sequence[float],
    budget_s: float,
    n_energies: int | None = None,
    criterion: str = "A",
    factor_source: FactorSource | None = None,
    min_offset_eV: float = 15.0,
    max_offset_eV: float = 500.0,
    step_eV: float = 5.0,
    sample: str | None = None,
    md: dict | None = None,
):
    """Designed AXS of ``elements`` (K edges): energies and counting times chosen to
    minimise the partials' variance (``criterion`` "A"/"D") within ``budget_s`` seconds of
    counting over all energies and Q points (Å⁻¹ grid ``q_grid``). Candidates lie between
    ``max_offset_eV`` and ``min_offset_eV`` below each measured edge, every ``step_eV``.
    Returns the uids of the AXS runs (one per element with designed energies).
    """
    bl = beamline
    cfg = bl.profile.axs
    sample = cfg.sample if sample is None else sample
    if sample not in cfg.samples:
        raise ValueError(f"AXS sample {sample!r} is not in the profile ({sorted(cfg.samples)})")
    scfg = cfg.samples[sample]
    limits = tuple(bl.dcm.energy_limits_eV)
    tth_max = float(bl.arm.two_theta.limits[1])
    req = validate_designed_axs(
        elements, composition=scfg.composition, q_grid=q_grid, budget_s=budget_s,
        n_energies=n_energies, criterion=criterion, energy_limits_eV=limits,
        two_theta_max_deg=tth_max,
    )
    if criterion not in ("A", "D"):
        raise ValueError(f"criterion must be 'A' or 'D', got {criterion!r}")
    source = factor_source or (lambda el: None)
    measured: dict[str, Mapping[str, Any]] = {}
    for el in req.elements:
        found = source(el)
        if found is None:
            yield from edge_scan(el, beamline=bl)
            found = source(el)
        if found is None:
            raise RuntimeError(f"no edge analysis of {el} after its edge scan")
        measured[el] = found
    beam = {
        "flux_photons_s": float(bl.profile.source.flux_ph_s),
        "solid_angle_sr": float(cfg.solid_angle_sr),
        "thickness_cm": float(scfg.thickness_cm),
        "polarization_h": float(bl.profile.source.polarization_h),
    }
    design, habit, chosen = compute_design(
        req, measured, density_atoms_A3=scfg.number_density_atoms_A3(), beam=beam,
        energy_limits_eV=limits, two_theta_max_deg=tth_max, min_offset_eV=min_offset_eV,
        max_offset_eV=max_offset_eV, step_eV=step_eV,
    )
    record = {
        "id": str(uuid.uuid4()),
        "designed": design.as_dict(),
        "habitual": habit.as_dict(),
        "elements": list(req.elements),
        "edges_eV": {el: float(m["e0_eV"]) for el, m in measured.items()},
        "candidates": {"min_offset_eV": min_offset_eV, "max_offset_eV": max_offset_eV,
                       "step_eV": step_eV},
    }
    uids = []
    for el in req.elements:
        mine = [i for i, lab in enumerate(chosen) if lab == el]
        if not mine:
            continue
        uid = yield from axs_scan(
            el,
            beamline=bl,
            q_grid=req.q_grid,
            energies_eV=design.energies_eV[mine].tolist(),
            dwell_s=design.times_s[mine].tolist(),
            e0_eV=float(measured[el]["e0_eV"]),
            sample=sample,
            md={"design": record, **(md or {})},
        )
        uids.append(uid)
    return uids
