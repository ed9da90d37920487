"""Benchmark: time to compute a designed AXS measurement (issue 15) against the time it
plans for — one energy's counting time.

Problem: a ternary Cu45Zr45Ni10 glass (3 resonant K edges, 6 partials), 400 Q points
(0.5–8.0 Å⁻¹), ~230 candidate energies below the three edges, A-optimal, the default
profile's flux and detector. Times the design alone (inputs prepared once: their cost,
xraylib/Chantler look-ups, is printed separately), after one warm-up, over ``rounds``
rounds; prints median [min, max] and the ratio to the counting time of one designed energy
(the anchor: the shortest time the design asks the beamline to spend at one energy).
Run: ``python benchmarks/axs_design.py [rounds]``; :func:`run` returns the numbers.
"""

from __future__ import annotations

import os
import sys
import time

import numpy as np
from axsuite.analysis import xray
from axsuite.analysis.axs_design import (
    candidate_energies,
    counting_variance_rate,
    design_factors,
    optimal_design,
    sample_edges_eV,
)

COMP = {"Cu": 0.45, "Zr": 0.45, "Ni": 0.10}
Q = np.linspace(0.5, 8.0, 400)
BEAM = {"flux_photons_s": 1e9, "solid_angle_sr": 0.02, "thickness_cm": 0.005}
BUDGET_S = 4 * 400 * 90.0  # the habitual two-energies-per-edge budget of the demo's dwell


def run(rounds: int = 5) -> dict[str, float | list[float]]:
    """Design times (s), input preparation time (s), candidates, and the anchor (s)."""
    if rounds < 5:
        raise ValueError(f"rounds must be ≥ 5, got {rounds}")
    t0 = time.perf_counter()
    edges = {el: xray.edge_energy_eV(el) for el in COMP}
    cand, _ = candidate_energies(edges, q_max_invA=Q[-1], two_theta_max_deg=150.0,
                                 mono_range_eV=(4500.0, 30000.0), step_eV=5.0,
                                 avoid_edges_eV=sample_edges_eV(COMP))  # fmt: skip
    fac = design_factors(cand, COMP)
    v = counting_variance_rate(Q, cand, COMP, 0.0572, fac, **BEAM)
    prep = time.perf_counter() - t0
    optimal_design(Q, COMP, cand, fac, v, BUDGET_S)  # warm-up
    times, design = [], None
    for _ in range(rounds):
        t0 = time.perf_counter()
        design = optimal_design(Q, COMP, cand, fac, v, BUDGET_S)
        times.append(time.perf_counter() - t0)
    anchor = float(design.times_s.min() * Q.size)
    return {"design_s": times, "prepare_s": prep, "candidates": int(cand.size),
            "energies": int(design.energies_eV.size), "anchor_s": anchor}


def main(rounds: int = 5) -> None:
    r = run(rounds)
    t = np.array(r["design_s"])
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    print(f"designed AXS, 3 elements (6 partials), {Q.size} Q points, {r['candidates']} candidate "
          f"energies → {r['energies']} energies")
    print(f"  inputs (candidates, f′/f″, variance rates): {r['prepare_s']:.2f} s (once)")
    print(f"  design: median {np.median(t):.3f} s [{t.min():.3f}, {t.max():.3f}] over {rounds} "
          "rounds")
    print(f"  anchor — shortest counting time at one designed energy: {r['anchor_s']:.0f} s; "
          f"ratio {np.median(t) / r['anchor_s']:.2e}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
