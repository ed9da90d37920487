"""Benchmark: electronic stopping of p, He and U in Au for 10⁴ energies against pycatima.

Anchor: pycatima's array call ``dedx_from_range(projectile, energies, material)`` (CATIMA,
an optional benchmark dependency: ``pip install pycatima``), measured side by side with
:func:`axsuite.analysis.stopping.electronic_stopping` on the same 10⁴ energies (0.01–100
MeV/u): one warm-up call of each (CATIMA builds and caches its tables there), then
``rounds`` interleaved rounds; prints the median [min, max] of each and the ratio of the
medians (axsuite/CATIMA; ≤ 1 means not slower) and of the fastest rounds (less sensitive to a
busy machine). Without pycatima only axsuite is timed.
Run: ``python benchmarks/stopping.py [rounds]``; :func:`run` returns the numbers.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from axsuite.analysis.stopping import electronic_stopping

IONS = (("p", 1, 1.00728, 1), ("He", 2, 4.0026, 4), ("U", 92, 238.05, 238))


def _timed(fn) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def run(rounds: int = 9, n: int = 10_000) -> dict[str, dict[str, list[float] | float]]:
    """Times (s) per ion: {"axsuite": [...], "catima": [...] or [], "ratio", "ratio_min"}."""
    if rounds < 5:
        raise ValueError(f"rounds must be ≥ 5, got {rounds}")
    try:
        import pycatima as catima
    except ImportError:
        catima = None
    energies = np.geomspace(0.01, 100.0, n)
    out: dict[str, dict[str, list[float] | float]] = {}
    for name, z1, a1, a_int in IONS:

        def ours(z1=z1, a1=a1) -> None:
            electronic_stopping(z1, a1, "Au", energies)

        theirs = None
        if catima is not None:
            projectile, material = catima.Projectile(a_int, z1), catima.get_material(79)

            def theirs(p=projectile, m=material) -> None:
                catima.dedx_from_range(p, energies, m)

            theirs()
        ours()
        t_ours, t_theirs = [], []
        for _ in range(rounds):
            t_ours.append(_timed(ours))
            if theirs is not None:
                t_theirs.append(_timed(theirs))
        ratio = float(np.median(t_ours) / np.median(t_theirs)) if t_theirs else float("nan")
        ratio_min = float(np.min(t_ours) / np.min(t_theirs)) if t_theirs else float("nan")
        out[name] = {"axsuite": t_ours, "catima": t_theirs, "ratio": ratio, "ratio_min": ratio_min}
    return out


def _fmt(times: list[float]) -> str:
    if not times:
        return f"{'(no pycatima)':>26s}"
    t = np.array(times) * 1e3
    return f"{np.median(t):7.3f} [{t.min():6.3f}, {t.max():6.3f}]"


def main(rounds: int = 9) -> None:
    res = run(rounds)
    print(f"10^4 energies in Au, {rounds} interleaved rounds, ms: median [min, max]")
    print(f"{'ion':4s} {'axsuite':>26s} {'pycatima array call':>26s} {'ratio':>7s} {'(min)':>6s}")
    for name, r in res.items():
        print(
            f"{name:4s} {_fmt(r['axsuite'])} {_fmt(r['catima'])} {r['ratio']:7.2f} "
            f"{r['ratio_min']:6.2f}"
        )
    print("ratio = median axsuite / median pycatima; (min) = ratio of the fastest rounds")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 9)
