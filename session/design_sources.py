"""What a designed AXS scan (issue 15) learns from the session: f′/f″ of each resonant
element (the latest absorption analysis, first in the live callbacks, then in the catalog),
the energies of an adaptive design measured so far (the live AXS analysis), and — after the
fact — every adaptive decision recomputed from the stored runs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
from axsuite.analysis.axs_design import MeasuredEnergy, adaptive_step, design_inputs
from axsuite.callbacks.absorption import AbsorptionCallback
from axsuite.callbacks.axs import AXSCallback


def _as_source(energy: Any, fp: Any, fpp: Any, e0: float, raw_uid: str) -> dict[str, Any]:
    return {
        "energy_eV": np.asarray(energy, dtype=float),
        "fp": np.asarray(fp, dtype=float),
        "fpp": np.asarray(fpp, dtype=float),
        "e0_eV": float(e0),
        "raw_uid": raw_uid,
    }


def anomalous_factor_source(
    analyses: Iterable[Any], catalog: Any | None
) -> Callable[[str], Mapping[str, Any] | None]:
    """A ``factor_source`` for :func:`axsuite.plans.designed_axs.designed_axs_scan`:
    element → {"energy_eV", "fp", "fpp" (electrons), "e0_eV"} or None when never measured."""
    callbacks = [cb for cb in analyses if isinstance(cb, AbsorptionCallback)]

    def source(element: str) -> Mapping[str, Any] | None:
        for cb in callbacks:
            for uid, res in reversed(list(cb.results.items())):
                if getattr(res, "element", None) == element:
                    return _as_source(res.energy_eV, res.fp, res.fpp, res.e0_eV, uid)
        if catalog is None:
            return None
        from tiled.queries import Key

        runs = catalog.search(Key("analysis") == "absorption").search(Key("element") == element)
        if not len(runs):
            return None
        run = runs.values().last()
        table = run["anomalous_factors"].read()
        start = run.metadata["start"]
        raw = start.get("raw_uids") or [""]
        return _as_source(table["energy"], table["fp"], table["fpp"], start["e0_eV"], raw[0])

    return source


def measured_energy(start: Mapping[str, Any], ei: Any) -> MeasuredEnergy:
    """A measured energy of a designed AXS run for the adaptive design: counting time per
    point from the run's ``dwell_s`` (one, or one per energy), σ and f′/f″ from the AXS
    analysis of that energy (an :class:`~axsuite.analysis.axs_assembly.EnergyIntensity`)."""
    dwell = start["dwell_s"]
    if isinstance(dwell, list):
        energies = [float(e) for e in start["energies_eV"]]
        dwell = dwell[int(np.argmin(np.abs(np.asarray(energies) - ei.energy_eV)))]
    factors = {el: complex(fp, fpp) for el, (fp, fpp) in ei.factors.items()}
    return MeasuredEnergy(float(ei.energy_eV), float(dwell), np.asarray(ei.sigma), factors)


def _design_order(item: tuple[Mapping[str, Any], Any]) -> tuple[int, float]:
    start, ei = item
    return int(start.get("design_step", 0)), float(ei.energy_eV)


def design_progress_source(analyses: Iterable[Any]) -> Callable[[str], list[MeasuredEnergy]]:
    """A ``progress_source`` for adaptive designed AXS: design id → the energies of that
    design the session's live AXS analysis has finished, in measurement order."""
    callbacks = [cb for cb in analyses if isinstance(cb, AXSCallback)]

    def source(design_id: str) -> list[MeasuredEnergy]:
        items = [
            (start, ei)
            for cb in callbacks
            for start, ei in cb.library.values()
            if (start.get("design") or {}).get("id") == design_id
        ]
        return [measured_energy(start, ei) for start, ei in sorted(items, key=_design_order)]

    return source


def replay_design_decisions(
    catalog: Any, design_id: str, profile: Any
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Every decision of an adaptive design, as recorded and as recomputed from the stored
    runs (the edge runs it used and its AXS runs replayed through fresh callbacks, the same
    analysis that fed the live decisions): a list of (recorded ``design`` event data,
    recomputed row), in step order."""
    from tiled.queries import Key

    from .catalog import find_run
    from .registry import analysis_callbacks
    from .replay import feed, read_checked

    runs = sorted(
        catalog.search(Key("design.id") == design_id).values(),
        key=lambda r: int(r.metadata["start"].get("design_step", 0)),
    )
    if not runs:
        raise LookupError(f"no runs of design {design_id}")
    record = runs[0].metadata["start"]["design"]
    edge_uids = [m["raw_uid"] for m in record["measured"].values() if m.get("raw_uid")]
    axs_runs = [r for r in runs if r.metadata["start"].get("plan_name") == "axs_scan"]
    callbacks = analysis_callbacks(profile, publish=None, echo=None, plot_dir=None)
    for key in [*edge_uids, *(r.metadata["start"]["uid"] for r in axs_runs)]:
        feed(read_checked(find_run(catalog, key), None)[0], callbacks, None)
    measured = design_progress_source(callbacks)(design_id)
    inputs = design_inputs(record)
    out = []
    for run in runs:
        table = run["design"].read()
        recorded = {k: _scalar(table[k]) for k in table}
        step = adaptive_step(
            inputs.q, inputs.composition, inputs.candidates_eV, inputs.factors,
            inputs.variance_rate, float(record["budget_s"]),
            measured[: int(recorded["design_step"])], n_energies=record["n_energies"],
            criterion=record["criterion"], target_rms_sigma=record["target_rms_sigma"],
            groups=inputs.labels,
        )  # fmt: skip
        out.append((recorded, step.as_row()))
    return out


def _scalar(column: Any) -> Any:
    value = np.asarray(column)[0]
    return value.item() if isinstance(value, np.generic) else value
