"""``axs demo``: a whole campaign on the simulated beamline into the catalog.

Each step is a function ``step(session, tour) -> None`` run in order by :func:`run_demo`;
an analysis adds its step to :data:`DEMO_STEPS` (a step may also take the session only).
:data:`FULL` is the campaign of the README; :data:`QUICK` (``axs demo --quick``) runs the
same plans and analyses on fewer points — one edge, coarser grids, a shorter powder
range — as a tour of about a quarter of a minute on an idle machine.
"""

from __future__ import annotations

import dataclasses
import inspect
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from .session import Session


@dataclasses.dataclass(frozen=True)
class Tour:
    """How much each demo step measures: elements (edges scanned, AXS), edge-scan and
    calibration regions (eV from the edge, k in Å⁻¹; None: the plans' defaults), the AXS
    Q grid (Å⁻¹), the stopping energies (MeV) and powder 2θ ranges ([start, stop, step]
    deg; None: the profile's), and whether the textured Cu film is measured."""

    elements: tuple[str, ...] = ("Cu", "Zr")
    edge_regions: Sequence[dict[str, float]] | None = None
    calibration_regions: Sequence[dict[str, float]] | None = None
    q_grid: tuple[float, ...] = tuple(round(0.4 + 0.05 * k, 4) for k in range(163))
    stopping_energies_MeV: tuple[float, ...] = tuple(
        round(2.0 * 20.0 ** (k / 13), 3) for k in range(14)
    )
    standard_two_theta: tuple[float, float, float] | None = None
    powder_two_theta: tuple[float, float, float] | None = None
    textured_film: bool = True


#: The campaign of the README.
FULL = Tour()
#: ``axs demo --quick``: the same plans and analyses on fewer points.
QUICK = Tour(
    elements=("Cu",),
    edge_regions=(
        {"start": -320.0, "stop": -30.0, "step": 14.5},
        {"start": -30.0, "stop": 40.0, "step": 1.0},
        {"k_start": 3.3, "k_stop": 10.0, "k_step": 0.15},
    ),
    calibration_regions=(
        {"start": -80.0, "stop": -20.0, "step": 10.0},
        {"start": -20.0, "stop": 30.0, "step": 1.0},
        {"start": 34.0, "stop": 124.0, "step": 6.0},
    ),
    q_grid=tuple(round(0.5 + 0.2 * k, 4) for k in range(41)),
    stopping_energies_MeV=tuple(round(2.0 * 20.0 ** (k / 5), 3) for k in range(6)),
    standard_two_theta=(9.0, 26.0, 0.01),
    powder_two_theta=(9.0, 27.0, 0.02),
    textured_film=False,
)


def mono_calibration(s: Session, tour: Tour = FULL) -> None:
    """Mono calibration on the Cu foil edge (DCM offset set so that E0 = tabulated edge)."""
    # the edge scan, then the record run
    *_, uid = s.RE(s.plans.calibrate_mono("Cu", regions=tour.calibration_regions))
    cal = s.catalog[uid].metadata["start"]["mono_calibration"]
    print(
        f"calibrate_mono: measured Cu K E0 = {cal['e0_measured_eV']:.2f} eV "
        f"(tabulated {cal['e0_tabulated_eV']:.1f} eV); offset {cal['offset_old_deg']:+.5f}° → "
        f"{cal['offset_new_deg']:+.5f}° ({cal['date']})"
    )


def edge_scans(s: Session, tour: Tour = FULL) -> None:
    """Edge scans of the Cu and Zr reference foils (E0 printed, μ(E) plots saved)."""
    for element in tour.elements:
        s.RE(s.plans.edge_scan(element, regions=tour.edge_regions))


def axs_scans(s: Session, tour: Tour = FULL) -> None:
    """AXS of the Cu50Zr50 plate at E0 − 25 and E0 − 250 eV of both edges (measured E0)."""
    edge_cb = next(cb for cb in s.analyses if cb.analysis_name == "edge")
    for element in tour.elements:
        measured = [r for r in edge_cb.results.values() if r.element == element]
        if not measured:
            raise ValueError(f"demo: no measured {element} edge; run the edge scans first")
        e0 = measured[-1].e0_eV
        s.RE(
            s.plans.axs_scan(
                element, offsets_eV=[-25.0, -250.0], e0_eV=e0, q_grid=list(tour.q_grid)
            )
        )
    axs_cb = next(cb for cb in s.analyses if cb.analysis_name == "axs")
    result = list(axs_cb.results.values())[-1]
    if result.partials is not None:
        truth = s.bl.scat.model().structure.coordination_numbers()
        els = s.bl.scat.model().structure.elements
        for pair, n in result.partials.coordination.items():
            a, b = pair.split("-")
            n_true = truth[els.index(a), els.index(b)]
            print(f"axs: coordination N_{pair} = {n:.2f} (simulation truth {n_true:.2f})")


def designed_axs(s: Session, tour: Tour = FULL) -> None:
    """Designed AXS of the same plate with the habitual scan's counting time (issue 15)."""
    if len(tour.elements) < 2:
        return  # three partials need both edges
    q = list(tour.q_grid)
    budget = 2 * len(tour.elements) * len(q) * float(s.profile.axs.dwell_s)
    uids = s.RE(s.plans.designed_axs_scan(list(tour.elements), q_grid=q, budget_s=budget,
                                          n_energies=2 * len(tour.elements)))  # fmt: skip
    design = s.catalog[uids[0]].metadata["start"]["design"]
    axs_cb = next(cb for cb in s.analyses if cb.analysis_name == "axs")
    partials = {"designed": axs_cb.results[uids[-1]].partials}
    habitual = [r for u, r in axs_cb.results.items() if u not in uids and r.partials is not None]
    partials["habitual"] = habitual[-1].partials if habitual else None
    truth = s.bl.scat.model().structure.partials_by_pair(np.asarray(q))
    for name in ("designed", "habitual"):
        d, p = design[name], partials[name]
        if p is None or "energies_eV" not in d:
            continue
        rms_err = float(np.sqrt(np.mean((p.s - truth) ** 2)))
        print(
            f"axs design: {name:8s} {', '.join(f'{e:.0f}' for e in d['energies_eV'])} eV, "
            f"condition {p.condition_number:.0f}; predicted RMS σ(S) "
            f"{np.sqrt(np.mean(np.square(list(d['predicted_rms_sigma'].values())))):.4f}, "
            f"achieved {float(np.sqrt(np.mean(p.sigma**2))):.4f} (error vs truth {rms_err:.4f})"
        )


def ion_stopping_scan(s: Session, tour: Tour = FULL) -> None:
    """He energy-loss scan through the Al foil (2–40 MeV); prints the fitted I."""
    energies = list(tour.stopping_energies_MeV)
    s.RE(s.plans.stopping_scan("alpha", "Al", energies_MeV=energies, dwell_s=1.0))


def powder_scans(s: Session, tour: Tour = FULL) -> None:
    """Instrument calibration on LaB6, then CeO2 and textured Cu powder scans (D, ε, r)."""
    uid = s.RE(s.plans.calibrate_instrument(two_theta=tour.standard_two_theta))[-1]
    cal = s.catalog[uid].metadata["start"]["instrument_calibration"]
    print(
        f"calibrate_instrument: U = {cal['U']:.2e}, V = {cal['V']:.2e}, W = {cal['W']:.2e} deg², "
        f"X = {cal['X']:.2e}, Y = {cal['Y']:.2e} deg from {cal['n_peaks']} LaB6 peaks "
        f"({cal['date']})"
    )
    cb = next(c for c in s.analyses if c.analysis_name == "lineprofile")
    (uid,) = s.RE(s.plans.powder_scan("CeO2", two_theta=tour.powder_two_theta))
    truth = s.bl.xrd.truth()
    r = cb.results.get(uid)
    if r is not None and r.wh_size_A is not None:
        print(
            f"powder: CeO2 D = {r.wh_size_A:.1f} Å, ε = {r.wh_strain:.2e} "
            f"(simulation truth D = {truth['size_A']:.1f} Å, ε = {truth['strain']:.2e})"
        )
    if tour.textured_film:
        s.RE(s.plans.powder_scan("Cu_film", md={"texture_axis": [1, 1, 1]}))


DEMO_STEPS: list[Callable[..., None]] = [
    mono_calibration,
    edge_scans,
    axs_scans,
    designed_axs,
    ion_stopping_scan,
    powder_scans,
]


def _run_step(step: Callable[..., Any], s: Session, tour: Tour) -> None:
    """``step(s, tour)``, or ``step(s)`` for a step that takes the session only."""
    if len(inspect.signature(step).parameters) >= 2:
        step(s, tour)
    else:
        step(s)


def run_demo(s: Session, echo: Callable[[str], None] = print, *, quick: bool = False) -> None:
    """Run every demo step in order (``quick``: the :data:`QUICK` tour), each with its wall
    time, then write the campaign's report page."""
    from .report import write_session_report

    tour = QUICK if quick else FULL
    started = time.time()
    for step in DEMO_STEPS:
        echo(f"== demo: {step.__doc__.splitlines()[0] if step.__doc__ else step.__name__}")
        t0 = time.perf_counter()
        _run_step(step, s, tour)
        echo(f"   ({time.perf_counter() - t0:.1f} s)")
    took = time.time() - started
    echo(f"== demo finished in {took:.0f} s: data, catalog and plots in {s.data_dir}")
    echo(f"== report: {write_session_report(s, since=started)}")
