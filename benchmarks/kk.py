"""Benchmark: Kramers–Kronig f'' → f' by FFT convolution vs the direct O(N²) sum.

Prints, for N points on a uniform grid around the Cu K edge (default N = 10⁴), the FFT
time, the direct time, their ratio and the largest difference (electrons), and the same
on a typical non-uniform edge-scan grid. Run: ``python benchmarks/kk.py [N]``.
"""

from __future__ import annotations

import sys
import time

import numpy as np
from axsuite.analysis import xray
from axsuite.analysis.constants import KTOE_EV_A2
from axsuite.analysis.kk import kk_transform_direct, kk_transform_fft, taper_window
from axsuite.devices.models.nearedge import NearEdgeModel


def _best_time(fn, repeat: int) -> tuple[float, np.ndarray]:
    best, out = np.inf, None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def _compare(label: str, energy: np.ndarray, delta: np.ndarray) -> None:
    t_fft, fp_fft = _best_time(lambda: kk_transform_fft(energy, delta), 5)
    t_dir, fp_dir = _best_time(lambda: kk_transform_direct(energy, delta), 1)
    diff = float(np.max(np.abs(fp_fft - fp_dir)))
    print(
        f"{label:<28s} N={energy.size:6d}  FFT {t_fft * 1e3:9.2f} ms  direct {t_dir * 1e3:10.1f} ms"
        f"  ratio {t_dir / t_fft:8.0f}x  max|Δf'| {diff:.2e} e"
    )


def main(n: int = 10_000) -> None:
    model = NearEdgeModel("Cu")
    e0 = model.e0_eV
    uniform = np.linspace(e0 - 400.0, e0 + 1100.0, n)
    delta = (model.fpp(uniform) - xray.chantler_fpp("Cu", uniform)) * taper_window(uniform, 50.0)
    _compare("uniform grid", uniform, delta)
    k = np.arange(2.8, 14.0, 0.05)
    scan = np.unique(
        np.concatenate(
            [
                np.arange(e0 - 350.0, e0 - 30.0, 5.0),
                np.arange(e0 - 30.0, e0 + 30.0, 0.5),
                e0 + KTOE_EV_A2 * k**2,
            ]
        )
    )
    delta = (model.fpp(scan) - xray.chantler_fpp("Cu", scan)) * taper_window(scan, 50.0)
    _compare("edge-scan grid (non-uniform)", scan, delta)


if __name__ == "__main__":
    main(int(float(sys.argv[1])) if len(sys.argv) > 1 else 10_000)
