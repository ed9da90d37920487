"""f''(E) from a measured absorption spectrum by MBACK-style matching to the Chantler table.

Public API: :func:`mback_fpp`, :class:`MbackResult`.

The optical theorem gives f'' = E·(μ/ρ)_photo·A/(N_A·2hc·r_e) (e.g. Als-Nielsen &
McMorrow, *Elements of Modern X-ray Physics*, 2nd ed. (2011) §3.3), so f'' is proportional
to E·μ(E). A measured μ(E) (e.g. ln(I0/It)) has an unknown scale (thickness, density) and a
smooth additive background (other elements, scattering, detector/gas efficiencies). As in
MBACK (Weng, Waldo & Penner-Hahn, J. Synchrotron Rad. 12 (2005) 506,
doi:10.1107/S0909049505013452; Larch ``mback``) the scale s and a polynomial P are found by
linear least squares so that

    f''_exp(E) = s·E·μ(E) − P(E − E0)

matches the tabulated (Chantler) f'' below E0 + pre_edge_eV and above E0 + post_edge_eV,
with the two regions weighted equally. Near the edge f''_exp then carries the sample's own
structure (white line, EXAFS) that no table contains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from . import xray

_MIN_REGION_POINTS = 3
CLOSEST_PRE_MATCH_EV = -20.0
"""The pre-edge matching region may be moved up to, but not beyond, E0 − 20 eV."""
_POLY_SCALE_EV = 1000.0


@dataclass(frozen=True)
class MbackResult:
    """Result of :func:`mback_fpp` (energies in eV, f'' in electrons).

    ``scale`` is s in electrons per (eV·μ unit); ``poly_coefs`` are P's coefficients in
    powers of (E − E0)/1000 eV, lowest first; ``rms_residual`` is the weighted rms misfit
    (electrons) over the matching regions.
    """

    energy_eV: np.ndarray
    fpp: np.ndarray
    fpp_tab: np.ndarray
    e0_eV: float
    scale: float
    poly_coefs: tuple[float, ...]
    pre_edge_eV: float
    post_edge_eV: float
    rms_residual: float


def mback_fpp(
    energy_eV: ArrayLike,
    mu: ArrayLike,
    element: str | int,
    *,
    e0_eV: float,
    pre_edge_eV: float = -50.0,
    post_edge_eV: float = 100.0,
    poly_order: int = 2,
    window_eV: tuple[float, float] | None = None,
) -> MbackResult:
    """f'' in electrons from μ(E) matched to Chantler f'' away from the edge (see module).

    Parameters
    ----------
    energy_eV : strictly increasing photon energies in eV
    mu : measured absorption (any units, e.g. ln(I0/It)); only its shape matters
    element : absorbing element (symbol or Z)
    e0_eV : edge energy in eV (normally the measured one)
    pre_edge_eV, post_edge_eV : the matching regions are E < E0 + pre_edge_eV and
        E > E0 + post_edge_eV (eV relative to E0)
    poly_order : order of the background polynomial P (0…3)
    window_eV : (lo, hi) absolute energies in eV outside which nothing is matched (another
        edge beyond them; see :func:`axsuite.analysis.preedge.usable_window`)

    If fewer than 3 points lie below E0 + pre_edge_eV, the boundary moves up to the third
    point when that stays ≤ E0 − 20 eV (the boundary used is in the result); otherwise,
    or with fewer than 3 points above E0 + post_edge_eV, ``ValueError``.
    """
    e = np.asarray(energy_eV, dtype=float).ravel()
    m = np.asarray(mu, dtype=float).ravel()
    if e.shape != m.shape:
        raise ValueError(f"energy ({e.size} values) and mu ({m.size} values) differ in length")
    if not (np.all(np.isfinite(e)) and np.all(np.isfinite(m))):
        raise ValueError("energy and mu must be finite (no NaN or inf)")
    if np.any(np.diff(e) <= 0):
        raise ValueError("energies must be strictly increasing (sorted, no duplicates)")
    if not 0 <= poly_order <= 3:
        raise ValueError(f"poly_order must be 0…3, got {poly_order}")
    if not pre_edge_eV < 0 < post_edge_eV:
        raise ValueError("need pre_edge_eV < 0 < post_edge_eV (eV relative to E0)")
    fpp_tab = xray.chantler_fpp(element, e)
    lo, hi = (e[0], e[-1]) if window_eV is None else window_eV
    inside = (e >= lo) & (e <= hi)
    rel = e - e0_eV
    pre_pts = rel[inside & (rel < 0)]
    if np.sum(pre_pts < pre_edge_eV) < _MIN_REGION_POINTS and pre_pts.size > _MIN_REGION_POINTS:
        third = float(pre_pts[_MIN_REGION_POINTS - 1])
        if third <= CLOSEST_PRE_MATCH_EV:
            pre_edge_eV = float(np.nextafter(third, np.inf))
    x = rel / _POLY_SCALE_EV
    pre = inside & (rel < pre_edge_eV)
    post = inside & (rel > post_edge_eV)
    if pre.sum() < _MIN_REGION_POINTS or post.sum() < _MIN_REGION_POINTS:
        raise ValueError(
            f"MBACK matching needs ≥ {_MIN_REGION_POINTS} points below E0{pre_edge_eV:+g} eV "
            f"and above E0{post_edge_eV:+g} eV (E0 = {e0_eV:.1f} eV); got {int(pre.sum())} "
            f"and {int(post.sum())}: extend the scan"
        )
    fit = pre | post
    weight = np.where(pre, 1.0 / pre.sum(), 0.0) + np.where(post, 1.0 / post.sum(), 0.0)
    sw = np.sqrt(weight[fit])
    design = np.column_stack([e * m] + [-(x**j) for j in range(poly_order + 1)])
    col_norm = np.linalg.norm(design[fit], axis=0)
    col_norm[col_norm == 0] = 1.0
    a = design[fit] / col_norm * sw[:, None]
    sol, *_ = np.linalg.lstsq(a, fpp_tab[fit] * sw, rcond=None)
    coef = sol / col_norm
    fpp = design @ coef
    resid = (fpp - fpp_tab)[fit]
    rms = float(np.sqrt(np.sum(weight[fit] * resid**2) / np.sum(weight[fit])))
    if coef[0] <= 0:
        raise ValueError(
            "matched scale is not positive: mu(E) does not look like an absorption edge"
        )
    return MbackResult(
        energy_eV=e,
        fpp=fpp,
        fpp_tab=fpp_tab,
        e0_eV=float(e0_eV),
        scale=float(coef[0]),
        poly_coefs=tuple(float(c) for c in coef[1:]),
        pre_edge_eV=float(pre_edge_eV),
        post_edge_eV=float(post_edge_eV),
        rms_residual=rms,
    )
