"""TCH pseudo-Voigt peak fits (lmfit Levenberg–Marquardt) with a linear background,
overlapping neighbours and optional Kα2 companions (Thompson, Cox & Hastings 1987)."""

from __future__ import annotations

from dataclasses import dataclass

import lmfit
import numpy as np
from numpy.typing import ArrayLike

from .peaks import _clean_xy, _doublet_position, _estimate_fwhm
from .shapes import integral_breadth, tch_fwhm_eta, tch_profile

__all__ = ["PeakFit", "fit_peaks"]


@dataclass(frozen=True)
class PeakFit:
    """One fitted TCH peak: positions and widths in deg 2θ, ``area`` in intensity units × deg
    (counts·deg for a counting pattern). Errors are 1σ from the fit covariance (nan if
    unknown); ``redchi`` is the reduced χ² of the group fit."""

    center_deg: float
    center_err_deg: float
    area: float
    area_err: float
    gamma_g_deg: float
    gamma_g_err_deg: float
    gamma_l_deg: float
    gamma_l_err_deg: float
    fwhm_deg: float
    fwhm_err_deg: float
    eta: float
    integral_breadth_deg: float
    redchi: float


def _group_centers(centers: np.ndarray, gap: float, max_size: int = 4) -> list[np.ndarray]:
    """Chains of peaks closer than ``gap``, cut into groups of at most ``max_size``."""
    groups: list[list[float]] = []
    for c in np.sort(centers):
        if groups and c - groups[-1][-1] < gap and len(groups[-1]) < max_size:
            groups[-1].append(c)
        else:
            groups.append([c])
    return [np.array(g) for g in groups]


def fit_peaks(
    two_theta_deg: ArrayLike,
    counts: ArrayLike,
    centers_deg: ArrayLike,
    *,
    sigma: ArrayLike | None = None,
    fwhm_guess_deg: float | None = None,
    window_fwhm: float = 6.0,
    doublet: tuple[float, float, float] | None = None,
    gamma_g_min_deg: ArrayLike | None = None,
    max_fwhm_deg: float = 5.0,
    passes: int = 2,
    skip_failed: bool = False,
) -> tuple[PeakFit, ...]:
    """Fit TCH pseudo-Voigt peaks (Γ_G, Γ_L, area, center free) with a linear background.

    Each peak is fitted in a window of ±``window_fwhm``·FWHM; peaks closer than that are
    fitted together (groups of ≤ 4). From the second pass on, the tails of the other fitted
    peaks are included (held fixed), so overlapping neighbours do not bias widths. ``doublet`` =
    (λ1, λ2, I2/I1) adds a Kα2 companion to every peak at the same d-spacing (parameters
    refer to λ1). ``gamma_g_min_deg`` bounds Γ_G from below (e.g. the instrument's Gaussian
    width). σ defaults to √max(counts, 1). lmfit Levenberg–Marquardt; ValueError when a
    fit fails (unless ``skip_failed``: such peaks are left out of the result) or a peak lies
    outside the data.
    """
    x, y, s, centers, fwhm_guess_deg = _fit_inputs(
        two_theta_deg, counts, sigma, centers_deg, fwhm_guess_deg
    )
    gmin = np.zeros_like(centers) if gamma_g_min_deg is None else np.broadcast_to(
        np.asarray(gamma_g_min_deg, dtype=float), centers.shape
    )  # fmt: skip
    half = window_fwhm * fwhm_guess_deg
    groups = _group_centers(centers, half)
    fitted: dict[float, PeakFit] = {}
    failed: set[float] = set()
    for _ in range(max(1, passes)):
        for group in groups:
            lo = group[0] - half
            hi = group[-1] + half
            if doublet is not None:
                hi = float(_doublet_position(group[-1], doublet)) + half
            sel = (x >= lo) & (x <= hi)
            if sel.sum() < 5 + 4 * group.size:
                raise ValueError(f"too few points to fit the peak(s) near {group[0]:.3f} deg")
            others = np.zeros(int(sel.sum()))
            for c, pk in fitted.items():
                if c not in group:
                    others += _peak_curve(x[sel], pk, doublet)
            start = {c: fitted.get(c) for c in group}
            gm = gmin[np.searchsorted(centers, group)]
            try:
                fitted.update(
                    _fit_group(
                        x[sel],
                        y[sel] - others,
                        s[sel],
                        group,
                        start,
                        fwhm_guess_deg,
                        doublet,
                        max_fwhm_deg,
                        gm,
                    )  # fmt: skip
                )
            except ValueError:
                if not skip_failed:
                    raise
                failed.update(float(c) for c in group)
    return tuple(fitted[c] for c in centers if c in fitted and c not in failed)


def _fit_inputs(two_theta_deg, counts, sigma, centers_deg, fwhm_guess_deg):
    """Cleaned x, y, σ (√counts by default), sorted centres and the FWHM guess (deg);
    ValueError for centres outside the data or within 2 FWHM of its ends."""
    x, y, s = _clean_xy(two_theta_deg, counts, sigma)
    if s is None:
        s = np.sqrt(np.maximum(y, 1.0))
    centers = np.sort(np.atleast_1d(np.asarray(centers_deg, dtype=float)))
    if centers.size == 0:
        raise ValueError("no peak positions given")
    if np.any((centers < x[0]) | (centers > x[-1])):
        raise ValueError("a peak position lies outside the measured 2θ range")
    if fwhm_guess_deg is None:
        fwhm_guess_deg = _estimate_fwhm(x, y, centers)
    edge = (centers - x[0] < 2 * fwhm_guess_deg) | (x[-1] - centers < 2 * fwhm_guess_deg)
    if np.any(edge):
        raise ValueError(
            f"peak(s) at {centers[edge].round(3).tolist()} deg lie within 2 FWHM of the end of "
            "the data; the profile is truncated"
        )
    return x, y, s, centers, fwhm_guess_deg


def _peak_curve(x: np.ndarray, pk: PeakFit, doublet) -> np.ndarray:
    out = tch_profile(x, pk.center_deg, pk.gamma_g_deg, pk.gamma_l_deg, pk.area)
    if doublet is not None:
        c2 = float(_doublet_position(pk.center_deg, doublet))
        out = out + tch_profile(x, c2, pk.gamma_g_deg, pk.gamma_l_deg, pk.area * doublet[2])
    return out


def _fit_group(x, y, s, group, start, fwhm0, doublet, max_fwhm, gmin) -> dict[float, PeakFit]:
    params = lmfit.Parameters()
    b0 = float(np.percentile(y, 10))
    params.add("b0", value=b0)
    params.add("b1", value=0.0)
    xm = float(np.mean(x))
    for i, c in enumerate(group):
        near = np.abs(x - c) < fwhm0
        height = max(float(np.max(y[near])) - b0, 1.0) if near.any() else 1.0
        pk = start.get(c)
        if pk is None:
            c0, a0, g0, l0 = c, height * fwhm0, max(0.7 * fwhm0, 1.05 * gmin[i]), 0.3 * fwhm0
        else:  # previous pass, nudged off the bounds (zero derivative there)
            c0, a0 = pk.center_deg, pk.area
            g0 = max(pk.gamma_g_deg, 1.02 * gmin[i], 1e-4)
            l0 = max(pk.gamma_l_deg, 0.02 * fwhm0)
        # asymmetric window: lmfit's sin() transform has a tiny derivative at the centre
        params.add(f"c{i}", value=c0, min=c - fwhm0, max=c + 1.25 * fwhm0)
        params.add(f"a{i}", value=a0, min=0.0)
        params.add(f"g{i}", value=g0, min=max(gmin[i], 1e-5), max=max_fwhm)
        params.add(f"l{i}", value=l0, min=0.0, max=max_fwhm)

    def model(p):
        v = p.valuesdict()
        out = v["b0"] + v["b1"] * (x - xm)
        for i in range(group.size):
            out = out + tch_profile(x, v[f"c{i}"], v[f"g{i}"], v[f"l{i}"], v[f"a{i}"])
            if doublet is not None:
                c2 = float(_doublet_position(v[f"c{i}"], doublet))
                out = out + tch_profile(x, c2, v[f"g{i}"], v[f"l{i}"], v[f"a{i}"] * doublet[2])
        return out

    nfev = 200 * (len(params) + 1)
    res = lmfit.minimize(lambda p: (y - model(p)) / s, params, method="leastsq", max_nfev=nfev)
    if not np.isfinite(res.chisqr) or res.nfev >= nfev:
        raise ValueError(f"peak fit near {group[0]:.3f} deg did not converge: {res.message}")
    out = {}
    for i, c in enumerate(group):
        p = res.params
        g, lo = p[f"g{i}"].value, p[f"l{i}"].value
        fwhm, eta = tch_fwhm_eta(g, lo)
        fwhm_err = _fwhm_error(res, i, g, lo)
        out[c] = PeakFit(
            center_deg=p[f"c{i}"].value,
            center_err_deg=_err(p[f"c{i}"]),
            area=p[f"a{i}"].value,
            area_err=_err(p[f"a{i}"]),
            gamma_g_deg=float(g),
            gamma_g_err_deg=_err(p[f"g{i}"]),
            gamma_l_deg=float(lo),
            gamma_l_err_deg=_err(p[f"l{i}"]),
            fwhm_deg=float(fwhm),
            fwhm_err_deg=fwhm_err,
            eta=float(eta),
            integral_breadth_deg=float(integral_breadth(fwhm, eta)),
            redchi=float(res.redchi),
        )
    return out


def _fwhm_error(res: lmfit.minimizer.MinimizerResult, i: int, g: float, lo: float) -> float:
    """1σ of the TCH FWHM from the (Γ_G, Γ_L) covariance block (linear propagation)."""
    names = [f"g{i}", f"l{i}"]
    if res.covar is None or not all(n in res.var_names for n in names):
        return float("nan")
    idx = [res.var_names.index(n) for n in names]
    cov = res.covar[np.ix_(idx, idx)]
    h = 1e-6 * max(g + lo, 1e-6)
    f0 = tch_fwhm_eta(g, lo)[0]
    jac = np.array([(tch_fwhm_eta(g + h, lo)[0] - f0) / h, (tch_fwhm_eta(g, lo + h)[0] - f0) / h])
    return float(np.sqrt(max(jac @ cov @ jac, 0.0)))


def _err(par: lmfit.Parameter) -> float:
    return float(par.stderr) if par.stderr is not None else float("nan")
