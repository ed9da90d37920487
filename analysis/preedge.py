"""XAS pre-edge subtraction and normalization (xraylarch 2026.3.1 ``pre_edge`` defaults).

Public API: :func:`clean_spectrum`, :func:`find_e0`, :func:`normalize_xas`,
:class:`XASNormalization`.

Algorithm (Ravel & Newville, J. Synchrotron Rad. 12 (2005) 537,
doi:10.1107/S0909049505012719; Larch ``xafs.pre_edge``):

1. E0 is the energy of the maximum of dμ/dE, found as xraylarch ``find_e0`` finds it
   (:mod:`.e0`) and refined between the neighbouring points by a parabola.
2. A line is fitted to μ(E) on [E0 + pre1, E0 + pre2] (the pre-edge line).
3. A polynomial is fitted to μ − pre-edge on [E0 + norm1, E0 + norm2]; its order is 2 if
   norm2 − norm1 ≥ 300 eV, 1 if ≥ 30 eV, otherwise 0. post-edge = pre-edge + polynomial.
4. edge_step = post(E0) − pre(E0); norm = (μ − pre)/edge_step.
5. flat: a polynomial of the same order fitted to ``norm`` over the normalization range is
   subtracted above E0 (keeping its value at E0), leaving norm unchanged below E0.

Default ranges are those of xraylarch 2026.3.1 ``larch.xafs.pre_edge.preedge`` (its code;
its docstring is older): pre1 = second data point − E0 rounded to 5 eV (2 eV when E0 is
within the first 21 points), pre2 = pre1/2, norm2 = last point − E0 rounded to 5 eV (at
most the data), norm1 = min(25 eV, 5·round(norm2/15)).

Given the absorbing ``element`` (and the sample's ``other_elements``), tabulated edges
(xraylib) other than the analysed one that fall near the fit ranges are avoided
(:func:`usable_window`): the ranges are shortened to stay ≥ 50 eV above a lower edge and
≥ 20 eV below a higher one, with a warning and a note in ``flags``; if too few points
remain, ``ValueError``. A pre-edge range that starts less than 30 eV below E0 or holds
fewer than 3 points gives a flagged result (``flags``) and a warning, never a silent one.

All fits are linear least squares: the results are deterministic functions of the input.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from . import xray
from .e0 import refine_e0

MIN_POINTS = 8
"""Fewest distinct energies accepted by the XAS functions."""

LARCH_VERSION = "2026.3.1"
"""xraylarch version whose ``pre_edge`` default ranges are followed."""
MIN_PRE_EDGE_EV = 30.0
"""A pre-edge range must start at least this far below E0 (eV) to be trusted."""
MIN_PRE_POINTS = 3
"""Fewest points accepted in the pre-edge fit range without a flag."""
ABOVE_OTHER_EDGE_EV = 50.0
"""Ranges stay this far above another (lower) edge (eV): its XANES is excluded."""
BELOW_OTHER_EDGE_EV = 20.0
"""Ranges stay this far below another (higher) edge (eV): its pre-edge is excluded."""


class XASRangeWarning(UserWarning):
    """Fit ranges were shortened around another edge, or the pre-edge is too short."""


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
    other_edges : tabulated edges near the data avoided by the ranges, e.g. "Cu L2 951.0 eV"
    flags : warnings about this result (shortened ranges, too short a pre-edge); empty
        when the result can be trusted
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
    other_edges: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()


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


def find_e0(energy_eV: ArrayLike, mu: ArrayLike) -> float:
    """Edge energy E0 in eV: maximum of dμ/dE as xraylarch ``find_e0``, refined (:mod:`.e0`).

    The input is cleaned with :func:`clean_spectrum`. Raises ``ValueError`` if μ never rises.
    """
    e, m = clean_spectrum(energy_eV, mu)
    if not np.any(np.diff(m) > 0):
        raise ValueError("mu(E) does not rise anywhere: no absorption edge in the data")
    return refine_e0(e, m)


def _range_slice(e: np.ndarray, lo: float, hi: float, min_points: int) -> np.ndarray:
    """Indices with lo ≤ e ≤ hi, widened symmetrically to at least ``min_points`` points."""
    idx = np.flatnonzero((e >= lo) & (e <= hi))
    if idx.size >= min_points:
        return idx
    centre = int(np.searchsorted(e, 0.5 * (lo + hi)))
    start = max(0, min(centre - min_points // 2, e.size - min_points))
    return np.arange(start, start + min_points)


def _default_order(span_eV: float) -> int:
    return 2 if span_eV >= 300.0 else (1 if span_eV >= 30.0 else 0)


def _round_to(value: float, step: float) -> float:
    return step * round(value / step)


@dataclass(frozen=True)
class UsableWindow:
    """Energies (eV, absolute) between which no other tabulated edge interferes."""

    lo_eV: float
    hi_eV: float
    edges: tuple[tuple[str, str, float], ...]

    def describe(self) -> tuple[str, ...]:
        """The avoided edges as "Cu L2 951.0 eV" strings."""
        return tuple(f"{el} {ed} {en:.1f} eV" for el, ed, en in self.edges)


def usable_window(
    energy_eV: np.ndarray,
    e0_eV: float,
    element: str | int | None,
    edge: str = "K",
    other_elements: Sequence[str] = (),
) -> UsableWindow:
    """The part of the scan free of edges other than ``element``'s ``edge`` (xraylib table).

    Edges of ``element`` and of ``other_elements`` inside the scan (other than the analysed
    one) limit the window to ≥ 50 eV above the nearest lower edge and ≥ 20 eV below the
    nearest higher one. Raises ``ValueError`` when such an edge is too close to E0 for
    any window (e.g. Cu L2 20 eV above Cu L3).
    """
    e = np.asarray(energy_eV, dtype=float)
    lo, hi = float(e[0]), float(e[-1])
    if element is None:
        return UsableWindow(lo, hi, ())
    symbol = xray.element_symbol(element)
    own = (symbol, edge.strip().upper())
    names = {symbol, *(xray.element_symbol(x) for x in other_elements)}
    found = [
        x
        for x in xray.edges_between(
            sorted(names), lo - ABOVE_OTHER_EDGE_EV, hi + BELOW_OTHER_EDGE_EV
        )
        if (x[0], x[1]) != own
    ]
    used = []
    for el, ed, en in found:
        lo_new = max(lo, en + ABOVE_OTHER_EDGE_EV) if en <= e0_eV else lo
        hi_new = min(hi, en - BELOW_OTHER_EDGE_EV) if en > e0_eV else hi
        if lo_new >= e0_eV or hi_new <= e0_eV:
            raise ValueError(
                f"the {el} {ed} edge at {en:.1f} eV is too close to E0 = {e0_eV:.1f} eV (E0 "
                f"must be ≥ {ABOVE_OTHER_EDGE_EV:g} eV above a lower edge and ≥ "
                f"{BELOW_OTHER_EDGE_EV:g} eV below a higher one): the edges cannot be separated"
            )
        if lo_new > lo or hi_new < hi:
            used.append((el, ed, en))
        lo, hi = lo_new, hi_new
    return UsableWindow(lo, hi, tuple(used))


def _warn(flags: list[str], text: str) -> None:
    flags.append(text)
    warnings.warn(text, XASRangeWarning, stacklevel=3)


def _pre_range(e: np.ndarray, e0: float, pre1: float | None, pre2: float | None,
               lo_rel: float, window: Any, flags: list[str]) -> tuple[float, float]:
    """Pre-edge range (eV from E0): Larch's defaults, kept above another edge's window."""
    ie0 = int(np.argmin(np.abs(e - e0)))
    if pre1 is None:
        p1 = _round_to(e[1] - e0, 5.0 if ie0 > 20 else 2.0)
        p1 = max(p1, e[0] - e0)
    else:
        p1 = float(pre1)
    p2 = 0.5 * p1 if pre2 is None else float(pre2)
    if pre1 is not None and pre2 is not None and p1 >= p2:
        raise ValueError(
            f"pre-edge range: pre1 = {p1:g} eV must lie below pre2 = {p2:g} eV (both from E0)"
        )
    p1, p2 = sorted((p1, p2))
    if p1 < lo_rel:
        p1 = lo_rel
        p2 = p2 if p2 > p1 + 5.0 else 0.5 * p1
        _warn(flags, f"pre-edge range starts at E0{p1:+.1f} eV to avoid {window.describe()}")
    return p1, min(p2, 0.0)


def _post_range(e: np.ndarray, e0: float, norm1: float | None, norm2: float | None,
                nnorm: int | None, hi_rel: float, window: Any,
                flags: list[str]) -> tuple[float, float, int]:
    """Post-edge range (eV from E0) and polynomial order: Larch's defaults, kept below
    another edge's window."""
    n2 = _round_to(e[-1] - e0, 5.0) if norm2 is None else float(norm2)
    n2 = min(n2, e[-1] - e0)
    n1 = min(25.0, 5.0 * round(n2 / 15.0)) if norm1 is None else float(norm1)
    n1, n2 = sorted((n1, n2))
    if n2 > hi_rel:
        n2 = hi_rel
        n1 = min(n1, n2 / 3.0)
        _warn(flags, f"post-edge range ends at E0{n2:+.1f} eV to avoid {window.describe()}")
    n1 = max(min(n1, n2 - 2.0), 0.0)
    order = _default_order(n2 - n1) if nnorm is None else int(nnorm)
    if not 0 <= order <= 3:
        raise ValueError(f"nnorm must be 0…3, got {nnorm}")
    return n1, n2, order


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
    element: str | int | None = None,
    edge: str = "K",
    other_elements: Sequence[str] = (),
) -> XASNormalization:
    """Pre-edge subtraction and normalization of μ(E) (xraylarch 2026.3.1 ``pre_edge``).

    Parameters
    ----------
    energy_eV, mu : photon energies in eV and absorption μ(E) (any units, e.g. ln(I0/It))
    e0_eV : edge energy in eV; default: maximum of dμ/dE (:func:`find_e0`)
    pre1, pre2 : pre-edge fit range in eV relative to E0; defaults (Larch 2026.3.1):
        pre1 = second data point − E0 rounded to 5 eV, pre2 = pre1/2
    norm1, norm2 : post-edge fit range in eV relative to E0; defaults: norm2 = last point
        − E0 rounded to 5 eV, norm1 = min(25 eV, 5·round(norm2/15))
    nnorm : post-edge polynomial order (0…3); default 2 if norm2 − norm1 ≥ 300 eV, 1 if
        ≥ 30 eV, else 0
    element, edge, other_elements : the absorbing element and edge and the sample's other
        elements; when given, the ranges avoid their other tabulated edges (see module)

    Explicit ranges must be ordered (pre1 < pre2, norm1 < norm2). Ranges are clipped to the
    data; the ranges used are in the result (``pre1_eV`` …),
    with ``flags`` saying what was shortened or is doubtful. Raises ``ValueError`` on bad
    input (see :func:`clean_spectrum`), an E0 outside the data, data without an edge, or
    another edge leaving too few points.
    """
    for lo, hi, a, b in ((pre1, pre2, "pre1", "pre2"), (norm1, norm2, "norm1", "norm2")):
        if lo is not None and hi is not None and not float(lo) < float(hi):
            raise ValueError(f"{a} = {lo} eV must be below {b} = {hi} eV (relative to E0)")
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
    flags: list[str] = []
    window = usable_window(e, e0, element, edge, other_elements)
    lo_rel, hi_rel = window.lo_eV - e0, window.hi_eV - e0

    p1, p2 = _pre_range(e, e0, pre1, pre2, lo_rel, window, flags)
    n1, n2, order = _post_range(e, e0, norm1, norm2, nnorm, hi_rel, window, flags)

    x = e - e0
    n_pre = int(np.count_nonzero((x >= p1) & (x <= p2)))
    if window.edges and n_pre < 2:
        raise ValueError(
            f"only {n_pre} pre-edge points between {window.describe()} and E0 = {e0:.1f} eV:"
            " give pre1/pre2 explicitly or measure further below the edge"
        )
    if p1 > -MIN_PRE_EDGE_EV or n_pre < MIN_PRE_POINTS:
        _warn(
            flags,
            f"pre-edge range E0{p1:+.1f}…E0{p2:+.1f} eV has {n_pre} points and starts less "
            f"than {MIN_PRE_EDGE_EV:g} eV below E0 (or has < {MIN_PRE_POINTS} points): the "
            "edge step is not reliable; measure further below the edge",
        )
    n_post = int(np.count_nonzero((x >= n1) & (x <= n2)))
    if window.edges and n_post < order + 2:
        if n_post < 2:
            raise ValueError(
                f"only {n_post} post-edge points between E0 = {e0:.1f} eV and "
                f"{window.describe()}: give norm1/norm2 explicitly"
            )
        order = n_post - 2
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
        other_edges=window.describe(),
        flags=tuple(flags),
    )
