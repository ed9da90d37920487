"""Edge energy E0 of a μ(E) spectrum: the maximum of dμ/dE, as xraylarch ``find_e0`` finds it.

Public API: :func:`find_e0_index` (the data point xraylarch 2026.3.1 ``find_e0`` returns)
and :func:`refine_e0` (that point refined between its neighbours).

Algorithm (xraylarch 2026.3.1, ``larch/xafs/pre_edge.py``: ``find_e0`` and ``_finde0``,
re-implemented here so that E0 agrees with what users compare against):

1. First pass on the raw derivative dμ/dE = gradient(μ)/gradient(E), scaled to [0, 1]
   ignoring the outer 2 % (≥ 3 points): among points above 0.6 whose two neighbours are
   also above 0.6, the largest (one-point glitches cannot win).
2. Second pass on ±75 points around it (the whole scan if the first pass fell in the first
   5 %), with the derivative convolved with a Lorentzian of half-width ``estep`` = mean of
   the typical energy step and E/25000 (each clipped to 0.01…1 eV), same rule.
3. Guard (not in Larch): if the raw derivative somewhere else, at a point with a neighbour
   at least half as high (a one-point glitch has none), is more than twice that at the
   chosen point, that steeper rise is the edge: an edge falling between two coarse points
   or within the ignored ends would otherwise lose to a post-edge wiggle.
4. :func:`refine_e0` puts a parabola through the smoothed derivative at that point and its
   neighbours, so E0 is not tied to the grid (used for simulated, finely sampled data).
"""

from __future__ import annotations

import numpy as np
from scipy.signal import fftconvolve

_HALF_WINDOW = 75


def _energy_step(e: np.ndarray) -> float:
    """Typical step (eV): mean of the 10 smallest steps after the smallest 1 % (Larch)."""
    nskip = int(0.01 * e.size)
    d = np.sort(np.diff(e[nskip : e.size - nskip] if nskip else e))
    return float(d[nskip : nskip + 10].mean())


def _lorentz_smooth(x: np.ndarray, y: np.ndarray, step: float) -> np.ndarray:
    """y convolved with a Lorentzian of half-width ``step`` on a uniform grid (Larch ``smooth``)."""
    xmin = step * int((x.min() - 5 * step) / step)
    xmax = step * int((x.max() + 5 * step) / step)
    npts = min(1 + int(abs(xmax - xmin + 0.1 * step) / step), 50 * x.size)
    x0 = np.linspace(xmin, xmax, npts)
    y0 = np.interp(x0, x, y)
    win = 1.0 / (1.0 + (np.arange(2 * npts) - npts) ** 2)
    y1 = np.concatenate((y0[npts:0:-1], y0, y0[-1 : -npts - 1 : -1]))
    y2 = fftconvolve(y1, win / win.sum(), mode="valid")[:npts]
    return np.interp(x, x0, y2)


def _pick(e: np.ndarray, m: np.ndarray, step: float | None) -> tuple[int, np.ndarray]:
    """Index of the highest derivative point with high neighbours, and the scaled dμ/dE."""
    n = e.size
    nmin = max(3, int(0.02 * n))
    dmu = np.gradient(m) / np.gradient(e)
    if step is not None:
        dmu = _lorentz_smooth(e, dmu, step)
    dmu[~np.isfinite(dmu)] = -1.0
    inner = dmu[nmin : n - nmin] if n > 2 * nmin else dmu
    dmu = (dmu - inner.min()) / max(1e-10, float(np.ptp(inner)))
    dhigh = 0.6 if n > 20 else 0.3
    high = dmu > dhigh
    for _ in range(2):
        if high.sum() > 3:
            break
        dhigh *= 0.5
        high = dmu > dhigh
    if high.sum() < 3:
        high = np.isfinite(dmu)
    best, best_val = 0, 0.0
    for i in np.flatnonzero(high):
        if i < nmin or i > n - nmin or i + 1 >= n or i == 0:
            continue
        if dmu[i] > best_val and high[i + 1] and high[i - 1]:
            best, best_val = int(i), float(dmu[i])
    return best, dmu


def find_e0_index(energy_eV: np.ndarray, mu: np.ndarray) -> tuple[int, np.ndarray, slice]:
    """Index of E0 on a clean, strictly increasing grid (eV), as xraylarch ``find_e0``.

    Also returns the smoothed, scaled derivative on the window and the window's slice.
    """
    e, m = energy_eV, mu
    n = e.size
    i1, _ = _pick(e, m, None)
    e1 = float(e[i1])
    lo, hi = max(3, i1 - _HALF_WINDOW), min(i1 + _HALF_WINDOW, n - 3)
    if i1 < 0.05 * n:
        e1 = float(e.mean())
        lo, hi = max(3, i1 - 20), n - 3
    if hi - lo < 5:
        lo, hi = 0, n
    step = 0.5 * (max(0.01, min(1.0, _energy_step(e))) + max(0.01, min(1.0, e1 / 25000.0)))
    j, dmu = _pick(e[lo:hi], m[lo:hi], step)
    if j < 1:
        j = 2
    raw = np.gradient(m) / np.gradient(e)
    raw[~np.isfinite(raw)] = -np.inf
    inner = raw[1:-1]
    paired = np.maximum(raw[:-2], raw[2:]) >= 0.5 * inner
    cand = 1 + int(np.argmax(np.where(paired & (inner > 0), inner, -np.inf)))
    if raw[cand] > 2.0 * max(raw[lo + j], 0.0):
        return cand, raw / raw[cand], slice(0, n)
    return lo + j, dmu, slice(lo, hi)


def refine_e0(energy_eV: np.ndarray, mu: np.ndarray) -> float:
    """E0 in eV: the Larch point refined by a parabola through the smoothed derivative."""
    i, dmu, window = find_e0_index(energy_eV, mu)
    e = energy_eV[window]
    j = i - window.start
    if not 0 < j < e.size - 1:
        return float(energy_eV[i])
    x = e[j - 1 : j + 2] - e[j]
    c2, c1, _ = np.polyfit(x, dmu[j - 1 : j + 2], 2)
    if c2 >= 0:
        return float(energy_eV[i])
    return float(e[j] + np.clip(-c1 / (2.0 * c2), x[0], x[2]))
