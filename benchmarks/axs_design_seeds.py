"""Designed vs habitual AXS on the simulated beamline over several seeds (issue 15).

For each seed: a fresh session (profile seed replaced), Cu and Zr edge scans, the habitual
AXS (E0 − 25 and E0 − 250 eV of both measured edges, the profile's dwell per point), then
``designed_axs_scan`` with the same total counting time and four energies. Prints, per seed
and overall, the RMS error of the partials S_ab(Q) against the simulator's hard-sphere truth
(1.5 ≤ Q ≤ 7.5 Å⁻¹), the condition numbers, the design's predicted RMS σ and the σ the
analysis propagated from the counts. Long (minutes per seed): run by hand,
``python benchmarks/axs_design_seeds.py [n_seeds]``.
"""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from pathlib import Path

import numpy as np
from axsuite.session.profile import load_profile
from axsuite.session.session import build_session

Q = np.round(np.linspace(0.5, 8.0, 60), 6)
EDGE_REGIONS = [
    {"start": -400.0, "stop": -30.0, "step": 10.0},
    {"start": -30.0, "stop": 40.0, "step": 1.0},
    {"k_start": 3.3, "k_stop": 10.0, "k_step": 0.1},
]


def one_seed(seed: int, data_dir: Path) -> dict[str, float]:
    """RMS errors, condition numbers and σ for one seed."""
    prof = dataclasses.replace(load_profile("default"), seed=seed)
    s = build_session(prof, data_dir=data_dir, echo=None, safe_callbacks=False, progress=False)
    try:
        edge = next(cb for cb in s.analyses if cb.analysis_name == "edge")
        axs = next(cb for cb in s.analyses if cb.analysis_name == "axs")
        e0 = {}
        for el in ("Cu", "Zr"):
            (uid,) = s.RE(s.plans.edge_scan(el, regions=EDGE_REGIONS))
            e0[el] = edge.results[uid].e0_eV
        dwell = float(s.profile.axs.dwell_s)
        for el in ("Cu", "Zr"):
            (habit_uid,) = s.RE(s.plans.axs_scan(el, offsets_eV=[-25.0, -250.0], e0_eV=e0[el],
                                                 q_grid=Q))  # fmt: skip
        designed = s.RE(s.plans.designed_axs_scan(["Cu", "Zr"], q_grid=Q,
                                                  budget_s=4 * Q.size * dwell, n_energies=4))
        truth = s.bl.scat.model().structure.partials_by_pair(Q)
        m = (Q >= 1.5) & (Q <= 7.5)
        out = {}
        for name, uid in (("habitual", habit_uid), ("designed", designed[-1])):
            p = axs.results[uid].partials
            out[f"rms_{name}"] = float(np.sqrt(np.mean((p.s - truth)[:, m] ** 2)))
            out[f"sigma_{name}"] = float(np.sqrt(np.mean(p.sigma[:, m] ** 2)))
            out[f"cond_{name}"] = float(p.condition_number)
        rec = s.catalog[designed[0]].metadata["start"]["design"]
        out["predicted_designed"] = float(np.sqrt(np.mean(np.square(
            list(rec["designed"]["predicted_rms_sigma"].values())))))  # fmt: skip
        return out
    finally:
        s.close()


def main(n_seeds: int = 3) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in range(1, n_seeds + 1):
            r = one_seed(seed, Path(tmp) / f"seed{seed}")
            rows.append(r)
            print(f"seed {seed}: RMS error designed {r['rms_designed']:.4f} vs habitual "
                  f"{r['rms_habitual']:.4f} (factor {r['rms_habitual'] / r['rms_designed']:.2f}); "
                  f"condition {r['cond_designed']:.0f} vs {r['cond_habitual']:.0f}; σ designed "
                  f"predicted {r['predicted_designed']:.4f}, from counts {r['sigma_designed']:.4f}")
    d = np.array([r["rms_designed"] for r in rows])
    h = np.array([r["rms_habitual"] for r in rows])
    print(f"overall RMS error designed {np.sqrt(np.mean(d**2)):.4f}, habitual "
          f"{np.sqrt(np.mean(h**2)):.4f}: factor {np.sqrt(np.mean(h**2) / np.mean(d**2)):.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
