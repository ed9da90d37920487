"""AXS callback cost on a 2000-point Q grid: per event and at the end of each energy.

Records the documents of a Cu foil edge scan and of an ``axs_scan`` at E0 − 25 and
E0 − 250 eV on 2000 Q points (simulated beamline, no catalog), then feeds them to a fresh
:class:`~axsuite.callbacks.axs.AXSCallback` timing every call. Prints the per-event cost,
the end-of-energy cost (correction chain, normalization, ΔS when a pair completes) and
their ratios to the device time per point (the profile's dwell; and the simulator's own
compute time per point for reference).

Run: ``python benchmarks/axs_callback.py`` (about a minute on two cores).
"""

from __future__ import annotations

import time

import numpy as np
from axsuite.callbacks.axs import AXSCallback
from axsuite.devices import make_beamline
from axsuite.plans import axs_scan, edge_scan
from axsuite.session.profile import load_profile
from bluesky import RunEngine

N_Q = 2000


def record(plan, RE) -> tuple[list[tuple[str, dict]], float]:
    """Run ``plan``; return its documents and the wall time (s)."""
    docs: list[tuple[str, dict]] = []
    token = RE.subscribe(lambda name, doc: docs.append((name, doc)))
    t0 = time.perf_counter()
    RE(plan)
    dt = time.perf_counter() - t0
    RE.unsubscribe(token)
    return docs, dt


def main() -> None:
    profile = load_profile("default")
    bl = make_beamline(profile)
    RE = RunEngine({})
    edge_docs, _ = record(edge_scan("Cu", beamline=bl), RE)
    q = np.linspace(0.4, 8.5, N_Q)
    axs_docs, t_acq = record(axs_scan("Cu", beamline=bl, q_grid=q), RE)
    n_events = sum(1 for name, _ in axs_docs if name == "event")

    cb = AXSCallback(echo=None)
    for name, doc in edge_docs:
        cb(name, doc)
    per_event, block_end, stop_cost = [], [], 0.0
    k = 0
    for name, doc in axs_docs:
        t0 = time.perf_counter()
        cb(name, doc)
        dt = time.perf_counter() - t0
        if name == "event":
            k += 1
            (block_end if k % N_Q == 0 else per_event).append(dt)
        elif name == "stop":
            stop_cost = dt
    per_event = np.array(per_event)
    dwell = profile.axs.dwell_s
    sim_point = t_acq / n_events
    print(f"AXS callback on a {N_Q}-point Q grid, 2 energies ({n_events} events)")
    print(
        f"  per event:        mean {1e6 * per_event.mean():8.1f} µs   median "
        f"{1e6 * np.median(per_event):8.1f} µs   "
        f"99th pct {1e6 * np.percentile(per_event, 99):8.1f} µs"
    )
    for i, dt in enumerate(block_end):
        what = "correction chain + normalization" + (" + ΔS" if i == 1 else "")
        print(f"  end of energy {i + 1}:  {dt:8.3f} s   ({what})")
    print(f"  end of run (stop): {stop_cost:8.3f} s   (publish, no partials from one edge)")
    print(
        f"device time per point: dwell {dwell:g} s (profile); "
        f"simulator compute {sim_point * 1e3:.1f} ms"
    )
    print(
        f"ratios: per event / dwell = {per_event.mean() / dwell:.2e}; "
        f"per event / simulator compute = {per_event.mean() / sim_point:.2e}; "
        f"end of energy / energy acquisition ({N_Q} × dwell) = {max(block_end) / (N_Q * dwell):.2e}"
    )


if __name__ == "__main__":
    main()
