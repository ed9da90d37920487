"""Benchmark: electronic stopping of p, He and U in Au for 10⁴ energies (vectorised).

Prints the wall time of one call on 10⁴ energies (0.01–100 MeV/u), the time per energy, and
the ratio to 100 scalar calls scaled to 10⁴ (what a per-energy loop would cost).
Run: ``python benchmarks/stopping.py``.
"""

from __future__ import annotations

import time

import numpy as np
from axsuite.analysis.stopping import electronic_stopping

IONS = (("p", 1, 1.00728), ("He", 2, 4.0026), ("U", 92, 238.05))


def _best_of(func, repeat: int = 5) -> float:
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        func()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    energies = np.geomspace(0.01, 100.0, 10_000)
    few = energies[:: len(energies) // 100][:100]
    electronic_stopping(1, 1.00728, "Au", energies)
    print(f"{'ion':4s} {'10^4 energies (ms)':>20s} {'per energy (µs)':>16s} {'loop/vector':>12s}")
    for name, z1, a1 in IONS:
        t_vec = _best_of(lambda z1=z1, a1=a1: electronic_stopping(z1, a1, "Au", energies))
        t_loop = _best_of(
            lambda z1=z1, a1=a1: [electronic_stopping(z1, a1, "Au", e) for e in few], repeat=2
        ) * (energies.size / few.size)
        print(
            f"{name:4s} {t_vec * 1e3:20.2f} {t_vec / energies.size * 1e6:16.3f} "
            f"{t_loop / t_vec:12.1f}"
        )


if __name__ == "__main__":
    main()
