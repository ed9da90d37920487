"""XAS pre-edge subtraction and normalization (Athena/Larch ``pre_edge`` conventions).

Public API: :func:`clean_spectrum`, :func:`find_e0`, :func:`normalize_xas`,
:class:`XASNormalization`.

Algorithm (Ravel & Newville, J. Synchrotron Rad. 12 (2005) 537,
doi:10.1107/S0909049505012719; Larch ``xafs.pre_edge``):

1. E0 is the energy of the maximum of dμ/dE. A first pass on the raw derivative (ignoring
   the first and last 5 % of the points and isolated one-point spikes) finds the region;
   a second pass on a uniform grid, Gaussian-smoothed over the local point spacing, locates
   the maximum and refines it with a three-point parabola.
2. A line is fitted to μ(E) on [E0 + pre1, E0 + pre2] (the pre-edge line).
3. A polynomial is fitted to μ − pre-edge on [E0 + norm1, E0 + norm2]; its order is 2 if
   norm2 − norm1 > 300 eV, 1 if > 30 eV, otherwise 0. post-edge = pre-edge + polynomial.
4. edge_step = post(E0) − pre(E0); norm = (μ − pre)/edge_step.
5. flat: a polynomial of the same order fitted to ``norm`` over the normalization range is
   subtracted above E0 (keeping its value at E0), leaving norm unchanged below E0.

All fits are linear least squares: the results are deterministic functions of the input.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.ndimage import gaussian_filter1d

MIN_POINTS = 8
"""Fewest distinct energies accepted by the XAS functions."""

_FIRST_PASS_HALF_WINDOW = 75
_MAX_UNIFORM_POINTS = 20000


@dataclass(frozen=True)
class XASNormalization:
    """Result of :func:`normalize_xas` (all arrays on the cleaned grid ``energy_eV``).

    Attributes
    ----------
    energy_eV : cleaned, strictly increasing energies in eV
    mu : μ(E) on that grid (duplicates averaged), in the input's units
    e0_eV : edge energy in eV (maximum of dμ/dE unless given)
    edge_step : post(E0) − pre(E0), in μ units
    norm, flat : normalized and flattened μ (dimensionless; 0 below, ≈1 above the edge)
    pre_edge, post_edge : fitted pre-edge line and post-edge curve, in μ units
    pre_coefs : (slope per eV, intercept) of the pre-edge line
    norm_coefs : post-edge polynomial coefficients of μ − pre-edge, highest power first,
        in powers of (E − E0) in eV
    pre1_eV, pre2_eV, norm1_eV, norm2_eV : fit ranges relative to E0 in eV, as used
    nnorm : order of the post-edge polynomial
    """

    energy_eV: np.ndarray
    mu: np.ndarray
    e0_eV: float
    edge_step: float
    norm: np.ndarray
    flat: np.ndarray
    pre_edge: np.ndarray
    post_edge: np.ndarray
    pre_coefs: tuple[float, float]
    norm_coefs: tuple[float, ...]
    pre1_eV: float
    pre2_eV: float
    norm1_eV: float
    norm2_eV: float
    nnorm: int


def clean_spectrum(energy_eV: ArrayLike, mu: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Clean an XAS spectrum: drop NaN pairs, sort by energy, average duplicate energies.

    Raises ``ValueError`` on mismatched shapes, infinite values, non-positive energies or
    fewer than :data:`MIN_POINTS` distinct energies after cleaning.
    """
    e = np.asarray(energy_eV, dtype=float).ravel()
    m = np.asarray(mu, dtype=float).ravel()
    if e.shape != m.shape:
        raise ValueError(f"energy ({e.size} values) and mu ({m.size} values) differ in length")
    if np.any(np.isinf(e)) or np.any(np.isinf(m)):
        raise ValueError("energy or mu contains infinite values")
    keep = ~(np.isnan(e) | np.isnan(m))
    e, m = e[keep], m[keep]
    if np.any(e <= 0):
        raise ValueError("photon energies must be positive (eV)")
    order = np.argsort(e, kind="stable")
    e, m = e[order], m[order]
    uniq, start, counts = np.unique(e, return_index=True, return_counts=True)
    if uniq.size != e.size:
        m = np.add.reduceat(m, start) / counts
        e = uniq
    if e.size < MIN_POINTS:
        raise ValueError(
            f"need at least {MIN_POINTS} distinct finite (energy, mu) points, got {e.size}"
        )
    return e, m


def _first_pass_index(e: np.ndarray, m: np.ndarray) -> int:
    """Index of max dμ/dE ignoring the ends and one-point spikes (Larch ``_finde0``)."""
    dmu = np.gradient(m, e)
    dmu[~np.isfinite(dmu)] = -np.inf
    n = e.size
    nmin = max(2, int(0.05 * n))
    inner = dmu[nmin : n - nmin] if n - 2 * nmin >= 3 else dmu
    peak = np.max(inner)
    if not np.isfinite(peak) or peak <= 0:
        raise ValueError("mu(E) does not rise anywhere: no absorption edge in the data")
    high = dmu > 0.1 * peak
    best, best_val = -1, -np.inf
    for i in np.flatnonzero(high):
        if i < nmin or i >= n - nmin or i == 0 or i == n - 1:
            continue
        if high[i - 1] and high[i + 1] and dmu[i] > best_val:
            best, best_val = int(i), dmu[i]
    if best < 0:
        best = int(np.argmax(np.where(np.isfinite(dmu), dmu, -np.inf)))
    return best


def find_e0(energy_eV: ArrayLike, mu: ArrayLike) -> float:
    """Edge energy E0 in eV: maximum of dμ/dE (two passes, see the module notes).

    The input is cleaned with :func:`clean_spectrum`.
    """
    e, m = clean_spectrum(energy_eV, mu)
    i0 = _first_pass_index(e, m)
    lo = max(0, i0 - _FIRST_PASS_HALF_WINDOW)
    hi = min(e.size, i0 + _FIRST_PASS_HALF_WINDOW + 1)
    ew, mw = e[lo:hi], m[lo:hi]
    local = np.diff(e[max(0, i0 - 3) : min(e.size, i0 + 4)])
    spacing = float(np.median(local))
    h = max(float(np.min(np.diff(ew))) / 2.0, (ew[-1] - ew[0]) / _MAX_UNIFORM_POINTS)
    grid = ew[0] + h * np.arange(int(np.floor((ew[-1] - ew[0]) / h)) + 1)
    smooth = gaussian_filter1d(np.interp(grid, ew, mw), sigma=spacing / h, mode="nearest")
    deriv = np.gradient(smooth, h)
    margin = min(int(np.ceil(2.0 * spacing / h)), max(0, (grid.size - 3) // 2))
    inner = deriv[margin : grid.size - margin]
    j = margin + int(np.argmax(inner))
    e0 = grid[j]
    if 0 < j < grid.size - 1:
        y0, y1, y2 = deriv[j - 1], deriv[j], deriv[j + 1]
        denom = y0 - 2.0 * y1 + y2
        if denom < 0:
            e0 = grid[j] + 0.5 * h * (y0 - y2) / denom
    return float(e0)


def _range_slice(e: np.ndarray, lo: float, hi: float, min_points: int) -> np.ndarray:
    """Indices with lo ≤ e ≤ hi, widened symmetrically to at least ``min_points`` points."""
    idx = np.flatnonzero((e >= lo) & (e <= hi))
    if idx.size >= min_points:
        return idx
    centre = int(np.searchsorted(e, 0.5 * (lo + hi)))
    start = max(0, min(centre - min_points // 2, e.size - min_points))
    return np.arange(start, start + min_points)


def _default_order(span_eV: float) -> int:
    return 2 if span_eV > 300.0 else (1 if span_eV > 30.0 else 0)


def normalize_xas(
    energy_eV: ArrayLike,
    mu: ArrayLike,
    *,
    e0_eV: float | None = None,
    pre1: float | None = None,
    pre2: float | None = None,
    norm1: float | None = None,
    norm2: float | None = None,
    nnorm: int | None = None,
) -> XASNormalization:
    """Pre-edge subtraction and normalization of μ(E) (Larch ``pre_edge`` conventions).

    Parameters
    ----------
    energy_eV, mu : photon energies in eV and absorption μ(E) (any units, e.g. ln(I0/It))
    e0_eV : edge energy in eV; default: maximum of dμ/dE (:func:`find_e0`)
    pre1, pre2 : pre-edge fit range in eV relative to E0; defaults: pre1 = second data
        point − E0 (the first point is often bad), pre2 = −50 eV, or pre1/3 when the data
        start less than 100 eV below E0
    norm1, norm2 : post-edge fit range in eV relative to E0; defaults: norm2 = last point
        − E0, norm1 = min(100 eV, norm2/3)
    nnorm : post-edge polynomial order (0…3); default 2 if norm2 − norm1 > 300 eV, 1 if
        > 30 eV, else 0

    Ranges are clipped to the data; a range with fewer than 2 (pre) or nnorm + 2 (post)
    points is widened around its centre. Raises ``ValueError`` on bad input (see
    :func:`clean_spectrum`), an E0 outside the data, or data without an edge.
    """
    e, m = clean_spectrum(energy_eV, mu)
    if e0_eV is None:
        e0 = find_e0(e, m)
    else:
        e0 = float(e0_eV)
        if not np.isfinite(e0) or not e[0] < e0 < e[-1]:
            raise ValueError(f"e0_eV = {e0_eV} eV lies outside the data ({e[0]}…{e[-1]} eV)")
    below = e[e < e0]
    above = e[e > e0]
    if below.size < 2 or above.size < 2:
        raise ValueError(f"E0 = {e0:.2f} eV needs at least two data points on each side")

    lo_rel, hi_rel = e[0] - e0, e[-1] - e0
    p1 = (below[1] - e0 if below.size > 2 else lo_rel) if pre1 is None else float(pre1)
    p2 = (-50.0 if p1 <= -100.0 else p1 / 3.0) if pre2 is None else float(pre2)
    p1, p2 = sorted((p1, p2))
    p1, p2 = max(p1, lo_rel), min(p2, 0.0)
    n2 = hi_rel if norm2 is None else float(norm2)
    n2 = min(n2, hi_rel)
    n1 = min(100.0, n2 / 3.0) if norm1 is None else float(norm1)
    n1, n2 = sorted((n1, n2))
    n1 = max(n1, 0.0)
    order = _default_order(n2 - n1) if nnorm is None else int(nnorm)
    if not 0 <= order <= 3:
        raise ValueError(f"nnorm must be 0…3, got {nnorm}")

    x = e - e0
    ipre = _range_slice(x, p1, p2, 2)
    pre_coefs = np.polyfit(x[ipre], m[ipre], 1)
    pre_edge = np.polyval(pre_coefs, x)
    ipost = _range_slice(x, n1, n2, order + 2)
    norm_coefs = np.polyfit(x[ipost], (m - pre_edge)[ipost], order)
    post_edge = pre_edge + np.polyval(norm_coefs, x)
    step = float(np.polyval(norm_coefs, 0.0))
    if not np.isfinite(step) or step == 0.0:
        raise ValueError("edge step is zero or undefined: no absorption edge in the data")
    norm = (m - pre_edge) / step
    flat_coefs = np.polyfit(x[ipost], norm[ipost], order)
    flat = norm - (np.polyval(flat_coefs, x) - np.polyval(flat_coefs, 0.0))
    flat = np.where(x < 0.0, norm, flat)
    slope, intercept = pre_coefs
    return XASNormalization(
        energy_eV=e,
        mu=m,
        e0_eV=e0,
        edge_step=step,
        norm=norm,
        flat=flat,
        pre_edge=pre_edge,
        post_edge=post_edge,
        pre_coefs=(float(slope), float(intercept - slope * e0)),
        norm_coefs=tuple(float(c) for c in norm_coefs),
        pre1_eV=float(p1),
        pre2_eV=float(p2),
        norm1_eV=float(n1),
        norm2_eV=float(n2),
        nnorm=order,
    )
