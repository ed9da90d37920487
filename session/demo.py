"""``axs demo``: a whole campaign on the simulated beamline into the catalog.

Each step is a function ``step(session) -> None`` run in order by :func:`run_demo`; an
analysis adds its step to :data:`DEMO_STEPS`.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from .session import Session


def mono_calibration(s: Session) -> None:
    """Mono calibration on the Cu foil edge (DCM offset set so that E0 = tabulated edge)."""
    *_, uid = s.RE(s.plans.calibrate_mono("Cu"))  # the edge scan, then the record run
    cal = s.catalog[uid].metadata["start"]["mono_calibration"]
    print(
        f"calibrate_mono: measured Cu K E0 = {cal['e0_measured_eV']:.2f} eV "
        f"(tabulated {cal['e0_tabulated_eV']:.1f} eV); offset {cal['offset_old_deg']:+.5f}° → "
        f"{cal['offset_new_deg']:+.5f}° ({cal['date']})"
    )


def edge_scans(s: Session) -> None:
    """Edge scans of the Cu and Zr reference foils (E0 printed, μ(E) plots saved)."""
    for element in ("Cu", "Zr"):
        s.RE(s.plans.edge_scan(element))


def ion_stopping_scan(s: Session) -> None:
    """He energy-loss scan through the Al foil (2–40 MeV); prints the fitted I."""
    energies = [round(2.0 * 20.0 ** (k / 13), 3) for k in range(14)]
    s.RE(s.plans.stopping_scan("alpha", "Al", energies_MeV=energies, dwell_s=1.0))


def axs_scans(s: Session) -> None:
    """AXS of the Cu50Zr50 plate at E0 − 25 and E0 − 250 eV of both edges (measured E0)."""
    edge_cb = next(cb for cb in s.analyses if cb.analysis_name == "edge")
    q_grid = [round(0.4 + 0.05 * k, 4) for k in range(163)]
    for element in ("Cu", "Zr"):
        measured = [r for r in edge_cb.results.values() if r.element == element]
        if not measured:
            raise ValueError(f"demo: no measured {element} edge; run the edge scans first")
        e0 = measured[-1].e0_eV
        s.RE(s.plans.axs_scan(element, offsets_eV=[-25.0, -250.0], e0_eV=e0, q_grid=q_grid))
    axs_cb = next(cb for cb in s.analyses if cb.analysis_name == "axs")
    result = list(axs_cb.results.values())[-1]
    if result.partials is not None:
        truth = s.bl.scat.model().structure.coordination_numbers()
        els = s.bl.scat.model().structure.elements
        for pair, n in result.partials.coordination.items():
            a, b = pair.split("-")
            n_true = truth[els.index(a), els.index(b)]
            print(f"axs: coordination N_{pair} = {n:.2f} (simulation truth {n_true:.2f})")


def powder_scans(s: Session) -> None:
    """Instrument calibration on LaB6, then CeO2 and textured Cu powder scans (D, ε, r)."""
    uid = s.RE(s.plans.calibrate_instrument())[-1]
    cal = s.catalog[uid].metadata["start"]["instrument_calibration"]
    print(
        f"calibrate_instrument: U = {cal['U']:.2e}, V = {cal['V']:.2e}, W = {cal['W']:.2e} deg², "
        f"X = {cal['X']:.2e}, Y = {cal['Y']:.2e} deg from {cal['n_peaks']} LaB6 peaks "
        f"({cal['date']})"
    )
    cb = next(c for c in s.analyses if c.analysis_name == "lineprofile")
    (uid,) = s.RE(s.plans.powder_scan("CeO2"))
    truth = s.bl.xrd.truth()
    r = cb.results.get(uid)
    if r is not None and r.wh_size_A is not None:
        print(
            f"powder: CeO2 D = {r.wh_size_A:.1f} Å, ε = {r.wh_strain:.2e} "
            f"(simulation truth D = {truth['size_A']:.1f} Å, ε = {truth['strain']:.2e})"
        )
    s.RE(s.plans.powder_scan("Cu_film", md={"texture_axis": [1, 1, 1]}))


DEMO_STEPS: list[Callable[[Session], None]] = [
    mono_calibration,
    edge_scans,
    axs_scans,
    ion_stopping_scan,
    powder_scans,
]


def run_demo(s: Session, echo: Callable[[str], None] = print) -> None:
    """Run every demo step in order, then write the campaign's report page."""
    from .report import write_session_report

    started = time.time()
    for step in DEMO_STEPS:
        echo(f"== demo: {step.__doc__.splitlines()[0] if step.__doc__ else step.__name__}")
        step(s)
    echo(f"== demo finished: data, catalog and plots in {s.data_dir}")
    echo(f"== report: {write_session_report(s, since=started)}")
