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

import bluesky.plan_stubs as bps
import bluesky.preprocessors as bpp
import numpy as np
from axsuite.analysis import xray
from axsuite.analysis.axs_design import (
    AXSDesign,
    DesignInputs,
    MeasuredEnergy,
    adaptive_step,
    candidate_energies,
    counting_variance_rate,
    design_factors,
    design_inputs,
    evaluate_design,
    habitual_energies,
    optimal_design,
)
from axsuite.analysis.constants import HC_EV_A
from ophyd import Signal

from ._common import base_metadata
from .axs import axs_scan
from .edge import edge_scan

#: element → {"energy_eV", "fp", "fpp", "e0_eV"} of its latest edge analysis, or None.
FactorSource = Callable[[str], Mapping[str, Any] | None]
#: design id → the energies of that design measured so far (adaptive mode).
ProgressSource = Callable[[str], Sequence[MeasuredEnergy]]


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
    min_offset_eV: float = 15.0,
    max_offset_eV: float = 500.0,
    step_eV: float = 5.0,
) -> DesignRequest:
    """Check a designed-AXS request before anything moves; ValueError with a clear message.

    Elements known and in the sample, each with a K edge inside the mono range and with
    candidate energies below it (tabulated edge; mono range, arm limit at the largest Q,
    minimum edge distance); together at least as many candidates as partials; the Q grid
    finite, positive, increasing, ≥ 10 points; a positive budget; n_energies ≥ the number
    of partials.
    """
    if isinstance(elements, str):
        elements = [elements]
    els = tuple(xray.element_symbol(e) if isinstance(e, int) else str(e) for e in elements)
    if not els:
        raise ValueError("give at least one resonant element")
    _check_elements(els, composition, energy_limits_eV)
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
    total = sum(
        _candidates_below(el, q, two_theta_max_deg, energy_limits_eV, min_offset_eV,
                          max_offset_eV, step_eV)  # fmt: skip
        for el in els
    )
    if total < n_pairs:
        raise ValueError(f"{n_pairs} partials need ≥ {n_pairs} candidate energies, found {total}")
    return DesignRequest(els, dict(composition), q, float(budget_s),
                         None if n_energies is None else int(n_energies), criterion)


def _check_elements(
    els: Sequence[str], composition: Mapping[str, float], energy_limits_eV: tuple[float, float]
) -> None:
    """Every resonant element known, in the sample, with its K edge in the mono range."""
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


def _candidates_below(el: str, q: np.ndarray, two_theta_max_deg: float,
                      energy_limits_eV: tuple[float, float], min_offset_eV: float,
                      max_offset_eV: float, step_eV: float) -> int:
    """Number of candidate energies below the tabulated K edge of ``el``; ValueError naming
    the element when there is none."""
    try:
        cand, _ = candidate_energies(
            {el: xray.edge_energy_eV(el, "K")}, q_max_invA=float(q[-1]),
            two_theta_max_deg=two_theta_max_deg, mono_range_eV=energy_limits_eV,
            min_offset_eV=min_offset_eV, max_offset_eV=max_offset_eV, step_eV=step_eV,
        )  # fmt: skip
    except ValueError as exc:
        raise ValueError(f"{el}: {exc}") from None
    return int(cand.size)


def compute_design(
    record: Mapping[str, Any], inputs: DesignInputs, req: DesignRequest
) -> tuple[AXSDesign, AXSDesign]:
    """The optimal design of ``req`` and the habitual one (E0 − 25/−250 eV of every edge,
    equal times) with the same models, for comparison."""
    design = compute_design_only(inputs, req)
    habit_e = habitual_energies(inputs.edges_eV)
    meas = {el: (m["energy_eV"], m["fp"], m["fpp"]) for el, m in record["measured"].items()}
    hfac = design_factors(habit_e, inputs.composition, meas)
    hv = counting_variance_rate(inputs.q, habit_e, inputs.composition,
                                float(record["density_atoms_A3"]), hfac, **record["beam"])
    habit = evaluate_design(
        inputs.q, inputs.composition, habit_e,
        np.full(habit_e.size, req.budget_s / inputs.q.size / habit_e.size), hfac, hv,
        criterion=req.criterion,
    )  # fmt: skip
    return design, habit


def _habitual_or_none(
    record: Mapping[str, Any], inputs: DesignInputs, req: DesignRequest
) -> tuple[AXSDesign, dict[str, Any]]:
    """The design and the habitual comparison as a record entry (or why there is none:
    E0 − 25/−250 eV may lie outside the mono range or below the arm limit's energy)."""
    try:
        design, habit = compute_design(record, inputs, req)
    except ValueError as exc:
        if "reachable" not in str(exc):
            raise
        design = compute_design_only(inputs, req)
        return design, {"unavailable": str(exc)}
    return design, habit.as_dict()


def compute_design_only(inputs: DesignInputs, req: DesignRequest) -> AXSDesign:
    """The optimal design alone."""
    return optimal_design(inputs.q, inputs.composition, inputs.candidates_eV, inputs.factors,
                          inputs.variance_rate, req.budget_s, n_energies=req.n_energies,
                          criterion=req.criterion)  # fmt: skip


def _design_stream(row: Mapping[str, Any]) -> list[Signal]:
    """Soft signals holding one decision (one event of the ``design`` stream)."""
    return [Signal(name=k, value=v) for k, v in row.items()]


def _record_decision(signals: list[Signal]):
    yield from bps.create("design")
    for sig in signals:
        yield from bps.read(sig)
    yield from bps.save()


def _with_decision(plan, row: Mapping[str, Any]):
    """Run ``plan`` with the decision that chose it recorded as a ``design`` event right
    after its run opens."""
    signals = _design_stream(row)

    def after_open(msg):
        if msg.command == "open_run":
            return None, _record_decision(signals)
        return None, None

    return (yield from bpp.plan_mutator(plan, after_open))


def designed_axs_scan(
    elements: Sequence[str] | str,
    *,
    beamline: Any,
    q_grid: Sequence[float],
    budget_s: float,
    n_energies: int | None = None,
    criterion: str = "A",
    adaptive: bool = False,
    target_rms_sigma: float | None = None,
    factor_source: FactorSource | None = None,
    progress_source: ProgressSource | None = None,
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

    ``adaptive``: measure one energy per run and re-design the rest from what was measured
    (``progress_source`` gives the measured energies of this design; the session binds the
    live AXS analysis), stopping when every S_ab reaches ``target_rms_sigma`` (RMS over Q)
    or the budget is spent; each run records the decision that chose it as a ``design``
    event, and a last ``designed_axs_decision`` run records why it stopped.
    Returns the uids of the runs.
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
        two_theta_max_deg=tth_max, min_offset_eV=min_offset_eV, max_offset_eV=max_offset_eV,
        step_eV=step_eV,
    )  # fmt: skip
    _check_options(criterion, target_rms_sigma, adaptive, progress_source)
    measured = yield from _known_edges(bl, req.elements, factor_source or (lambda el: None))
    record = {
        "id": str(uuid.uuid4()),
        "elements": list(req.elements),
        "q_grid": req.q_grid.tolist(),
        "composition": req.composition,
        "budget_s": req.budget_s,
        "n_energies": req.n_energies,
        "criterion": req.criterion,
        "adaptive": bool(adaptive),
        "target_rms_sigma": target_rms_sigma,
        "measured": {el: _plain(m) for el, m in measured.items()},
        "density_atoms_A3": scfg.number_density_atoms_A3(),
        "beam": {
            "flux_photons_s": float(bl.profile.source.flux_ph_s),
            "solid_angle_sr": float(cfg.solid_angle_sr),
            "thickness_cm": float(scfg.thickness_cm),
            "polarization_h": float(bl.scat.polarization_h.get()),
            "azimuth_deg": float(bl.scat.phi_deg.get()),
        },
        "energy_limits_eV": list(limits),
        "two_theta_max_deg": tth_max,
        "min_offset_eV": min_offset_eV,
        "max_offset_eV": max_offset_eV,
        "step_eV": step_eV,
    }
    inputs = design_inputs(record)
    design, record["habitual"] = _habitual_or_none(record, inputs, req)
    record["designed"] = design.as_dict()
    run = _Runner(bl, record, inputs, sample, md)
    if not adaptive:
        return (yield from run.design(design))
    return (yield from run.adaptively(progress_source))


def _check_options(criterion: str, target: Any, adaptive: bool, progress: Any) -> None:
    if criterion not in ("A", "D"):
        raise ValueError(f"criterion must be 'A' or 'D', got {criterion!r}")
    if target is not None and not (isinstance(target, int | float) and target > 0):
        raise ValueError(f"target_rms_sigma must be a positive number, got {target!r}")
    if adaptive and progress is None:
        raise ValueError("adaptive designs need a progress_source (the session binds one)")


def _known_edges(bl: Any, elements: Sequence[str], source: FactorSource):
    """f′/f″ of every element from ``source``, measuring an edge first where there is none."""
    measured: dict[str, Mapping[str, Any]] = {}
    for el in elements:
        found = source(el)
        if found is None:
            yield from edge_scan(el, beamline=bl)
            found = source(el)
        if found is None:
            raise RuntimeError(f"no edge analysis of {el} after its edge scan")
        measured[el] = found
    return measured


def _plain(m: Mapping[str, Any]) -> dict[str, Any]:
    """An edge analysis as plain JSON for the design record."""
    return {
        "energy_eV": np.asarray(m["energy_eV"], dtype=float).tolist(),
        "fp": np.asarray(m["fp"], dtype=float).tolist(),
        "fpp": np.asarray(m["fpp"], dtype=float).tolist(),
        "e0_eV": float(m["e0_eV"]),
        "raw_uid": str(m.get("raw_uid", "")),
    }


@dataclasses.dataclass
class _Runner:
    """Measures a design: one ``axs_scan`` per element, or adaptively one energy per run."""

    bl: Any
    record: dict[str, Any]
    inputs: DesignInputs
    sample: str
    md: dict | None

    def _scan(self, energies: list[float], dwells: list[float], extra: Mapping[str, Any]):
        label = dict(zip(self.inputs.candidates_eV.tolist(), self.inputs.labels, strict=True))
        el = label[energies[0]]
        return axs_scan(
            el, beamline=self.bl, q_grid=self.inputs.q, e0_eV=self.inputs.edges_eV[el],
            sample=self.sample, energies_eV=energies, dwell_s=dwells,
            md={"design": self.record, **extra, **(self.md or {})},
        )  # fmt: skip

    def design(self, design: AXSDesign):
        uids = []
        labels = dict(zip(self.inputs.candidates_eV.tolist(), self.inputs.labels, strict=True))
        for el in self.record["elements"]:
            mine = [i for i, e in enumerate(design.energies_eV) if labels[float(e)] == el]
            if mine:
                uids.append((yield from self._scan(design.energies_eV[mine].tolist(),
                                                   design.times_s[mine].tolist(), {})))
        return uids

    def adaptively(self, progress_source: ProgressSource):
        rec, inp = self.record, self.inputs
        uids: list[str] = []
        done: list[MeasuredEnergy] = []
        for _ in range(inp.candidates_eV.size + 1):
            step = adaptive_step(
                inp.q, inp.composition, inp.candidates_eV, inp.factors, inp.variance_rate,
                rec["budget_s"], done, n_energies=rec["n_energies"], criterion=rec["criterion"],
                target_rms_sigma=rec["target_rms_sigma"], groups=inp.labels,
            )  # fmt: skip
            row = step.as_row()
            if step.next_energy_eV is None:
                uids.append((yield from _decision_run(self.bl, rec, row, self.sample, self.md)))
                return uids
            scan = self._scan([step.next_energy_eV], [step.next_time_s],
                              {"design_step": step.step})
            uids.append((yield from _with_decision(scan, row)))
            done = list(progress_source(rec["id"]))
            if len(done) != step.step + 1 or abs(done[-1].energy_eV - step.next_energy_eV) > 1e-3:
                raise RuntimeError(
                    f"the live AXS analysis has {len(done)} energies of design {rec['id'][:8]} "
                    f"after step {step.step} ({step.next_energy_eV:.1f} eV): adaptive design "
                    "stopped (see the analysis failure above; the runs taken are stored)"
                )
        return uids


def _decision_run(bl: Any, record: Mapping, row: Mapping, sample: str, md: dict | None):
    """A run holding only the final decision (why the adaptive design stopped)."""
    _md = base_metadata(bl, sample=sample, composition=record["composition"])
    _md.update({"plan_name": "designed_axs_decision", "design": record,
                "design_step": row["design_step"], **(md or {})})  # fmt: skip
    return (yield from bpp.run_wrapper(_record_decision(_design_stream(row)), md=_md))
