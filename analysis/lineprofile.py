"""Diffraction line-profile analysis: profiles, peak fits, instrument function, size/strain.

Public API (DESIGN §7.4, §8)
----------------------------
pseudo_voigt(x, center, fwhm, eta, area=1), tch_fwhm_eta(gamma_g, gamma_l),
tch_profile(x, center, gamma_g, gamma_l, area=1) : area-normalised profiles (x in deg 2θ).
find_peaks(two_theta_deg, counts, ...) -> PeakSearch : candidate peak positions.
fit_peaks(two_theta_deg, counts, centers_deg, ...) -> tuple[PeakFit, ...] : TCH fits (lmfit).
InstrumentFunction, fit_instrument_function(two_theta_deg, gamma_g_deg, gamma_l_deg) :
    Caglioti Γ_G² = U tan²θ + V tanθ + W, Γ_L = X/cosθ + Y tanθ (deg).
deconvolve_tch(...) : per-component deconvolution (Lorentzian linear, Gaussian quadrature).
approximate_sample_breadth(beta_obs, beta_inst) : the labelled β_o − β_i²/β_o shortcut.
SCHERRER_K, scherrer_constant(shape, breadth, size), scherrer_size(fwhm_deg, two_theta_deg,
    wavelength_A, *, k=0.89) (Å).
williamson_hall(two_theta_deg, beta_deg, wavelength_A, *, k=0.89) -> WilliamsonHallResult.
march_dollase(alpha_deg, r), texture_coefficients(i_obs, i_ref), texture_sigma(tc).
analyze_peaks(...) -> LineProfileResult : fits, deconvolution, Scherrer per peak, WH;
size_strain_from_fits(fits, wavelength_A, instrument) : the same from existing fits.

References
----------
* Pseudo-Voigt and TCH width/mixing: Thompson, Cox & Hastings, J. Appl. Cryst. 20 (1987) 79
  (doi:10.1107/S0021889887087090).
* Caglioti et al., Nucl. Instrum. 3 (1958) 223 (doi:10.1016/0369-643X(58)90029-X).
* Scherrer constants: Langford & Wilson, J. Appl. Cryst. 11 (1978) 102
  (doi:10.1107/S0021889878012844).
* Williamson & Hall, Acta Metall. 1 (1953) 22 (doi:10.1016/0001-6160(53)90006-6).
* Voigt deconvolution per component: de Keijser et al., J. Appl. Cryst. 15 (1982) 308
  (doi:10.1107/S0021889882012035).
* Texture coefficient: Harris, Phil. Mag. 43 (1952) 113; March–Dollase: Dollase,
  J. Appl. Cryst. 19 (1986) 267 (doi:10.1107/S0021889886089458).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import lmfit
import numpy as np
from numpy.typing import ArrayLike
from scipy import signal
from scipy.ndimage import percentile_filter, uniform_filter1d

__all__ = [
    "SCHERRER_K",
    "InstrumentFunction",
    "LineProfileResult",
    "PeakFit",
    "PeakSearch",
    "WilliamsonHallResult",
    "analyze_peaks",
    "approximate_sample_breadth",
    "deconvolve_tch",
    "find_peaks",
    "fit_instrument_function",
    "fit_peaks",
    "march_dollase",
    "pseudo_voigt",
    "scherrer_constant",
    "scherrer_size",
    "size_strain_from_fits",
    "tch_fwhm_eta",
    "tch_profile",
    "texture_coefficients",
    "texture_sigma",
    "williamson_hall",
]

_LN2 = np.log(2.0)


# --------------------------------------------------------------------------- profiles
def pseudo_voigt(
    x: ArrayLike, center: float, fwhm: ArrayLike, eta: ArrayLike, area: ArrayLike = 1.0
) -> np.ndarray:
    """Area-normalised pseudo-Voigt ηL + (1−η)G with a shared FWHM Γ (same units as x).

    L = (2/πΓ)/(1 + 4x²/Γ²), G = (2/Γ)√(ln2/π) exp(−4 ln2 x²/Γ²).
    """
    dx = np.asarray(x, dtype=float) - np.asarray(center, dtype=float)
    g = np.asarray(fwhm, dtype=float)
    if np.any(g <= 0):
        raise ValueError("pseudo-Voigt FWHM must be positive")
    z = 4.0 * dx**2 / g**2
    lor = 2.0 / (np.pi * g) / (1.0 + z)
    gau = 2.0 / g * np.sqrt(_LN2 / np.pi) * np.exp(-_LN2 * z)
    return np.asarray(area) * (eta * lor + (1.0 - eta) * gau)


def tch_fwhm_eta(gamma_g: ArrayLike, gamma_l: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Total FWHM Γ and mixing η of the TCH pseudo-Voigt from Gaussian and Lorentzian FWHMs.

    Γ⁵ = Γ_G⁵ + 2.69269Γ_G⁴Γ_L + 2.42843Γ_G³Γ_L² + 4.47163Γ_G²Γ_L³ + 0.07842Γ_GΓ_L⁴ + Γ_L⁵,
    η = 1.36603q − 0.47719q² + 0.11116q³, q = Γ_L/Γ (Thompson, Cox & Hastings 1987).
    """
    g = np.abs(np.asarray(gamma_g, dtype=float))
    lo = np.abs(np.asarray(gamma_l, dtype=float))
    f5 = (
        g**5
        + 2.69269 * g**4 * lo
        + 2.42843 * g**3 * lo**2
        + 4.47163 * g**2 * lo**3
        + 0.07842 * g * lo**4
        + lo**5
    )
    fwhm = f5**0.2
    q = np.divide(lo, fwhm, out=np.zeros_like(fwhm), where=fwhm > 0)
    eta = 1.36603 * q - 0.47719 * q**2 + 0.11116 * q**3
    return fwhm, eta


def tch_profile(
    x: ArrayLike, center: float, gamma_g: float, gamma_l: float, area: float = 1.0
) -> np.ndarray:
    """Area-normalised TCH pseudo-Voigt for Gaussian/Lorentzian FWHMs Γ_G, Γ_L (units of x)."""
    fwhm, eta = tch_fwhm_eta(gamma_g, gamma_l)
    return pseudo_voigt(x, center, fwhm, eta, area)


def integral_breadth(fwhm: ArrayLike, eta: ArrayLike) -> np.ndarray:
    """Integral breadth β = area/height of a pseudo-Voigt (units of the FWHM)."""
    f = np.asarray(fwhm, dtype=float)
    e = np.asarray(eta, dtype=float)
    height = e * 2.0 / (np.pi * f) + (1.0 - e) * 2.0 / f * np.sqrt(_LN2 / np.pi)
    return 1.0 / height


# --------------------------------------------------------------------------- peak search
@dataclass(frozen=True)
class PeakSearch:
    """Candidate peaks: positions (deg 2θ), heights above background (counts), S/N."""

    two_theta_deg: np.ndarray
    height: np.ndarray
    snr: np.ndarray


def _clean_xy(x: ArrayLike, y: ArrayLike, sigma: ArrayLike | None = None):
    xa = np.asarray(x, dtype=float).ravel()
    ya = np.asarray(y, dtype=float).ravel()
    if xa.shape != ya.shape:
        raise ValueError(f"2θ and intensity differ in length ({xa.size} vs {ya.size})")
    sa = None if sigma is None else np.asarray(sigma, dtype=float).ravel()
    if sa is not None and sa.shape != xa.shape:
        raise ValueError("sigma must have the length of the pattern")
    ok = np.isfinite(xa) & np.isfinite(ya)
    if sa is not None:
        ok &= np.isfinite(sa) & (sa > 0)
    xa, ya = xa[ok], ya[ok]
    sa = None if sa is None else sa[ok]
    order = np.argsort(xa, kind="stable")
    xa, ya = xa[order], ya[order]
    sa = None if sa is None else sa[order]
    keep = np.concatenate([[True], np.diff(xa) > 0])
    xa, ya = xa[keep], ya[keep]
    sa = None if sa is None else sa[keep]
    if xa.size < 10:
        raise ValueError(f"pattern has only {xa.size} valid points (need ≥ 10)")
    if np.any((xa <= 0) | (xa >= 180)):
        raise ValueError("2θ values must lie in (0, 180) deg")
    return xa, ya, sa


def _rolling_background(y: np.ndarray, width: int) -> np.ndarray:
    """Smooth background: running 20th percentile, then running mean (width in points)."""
    width = max(3, width)
    low = percentile_filter(y, 20, size=width, mode="nearest")
    return uniform_filter1d(low, width, mode="nearest")


def find_peaks(
    two_theta_deg: ArrayLike,
    counts: ArrayLike,
    *,
    min_snr: float = 6.0,
    min_separation_deg: float = 0.05,
    background_width_deg: float = 2.0,
    smooth_points: int = 3,
    doublet: tuple[float, float, float] | None = None,
) -> PeakSearch:
    """Find diffraction peaks in a counting pattern (counts, Poisson statistics).

    A candidate is a local maximum of the smoothed counts that rises ``min_snr`` σ above a
    rolling background (``background_width_deg``; σ = √background) and whose prominence
    exceeds ``min_snr`` √counts at the maximum (rejects noise on the tails of strong peaks).
    Maxima within 3 FWHM of the ends of the data are dropped (truncated profiles), and with
    ``doublet`` = (λ1, λ2, I2/I1) the λ2 companions of stronger peaks.
    Raises ValueError if no peak is found.
    """
    x, y, _ = _clean_xy(two_theta_deg, counts)
    step = float(np.median(np.diff(x)))
    bkg = _rolling_background(y, int(round(background_width_deg / step)))
    if smooth_points > 1:
        ys = np.convolve(y, np.ones(smooth_points) / smooth_points, mode="same")
    else:
        ys = y
    noise = np.sqrt(np.maximum(bkg, 1.0))
    excess = ys - bkg
    idx, props = signal.find_peaks(
        excess,
        height=min_snr * noise,
        prominence=0.0,
        distance=max(1, int(round(min_separation_deg / step))),
    )
    keep = props["prominences"] >= min_snr * np.sqrt(np.maximum(ys[idx], 1.0))
    idx = idx[keep]
    if idx.size:  # drop maxima within 3 FWHM of the ends (truncated profiles, rising tails)
        w = _estimate_fwhm(x, y, x[idx])
        idx = idx[(x[idx] - x[0] >= 3 * w) & (x[-1] - x[idx] >= 3 * w)]
    if doublet is not None and idx.size > 1:
        # drop Kα2 companions: a maximum where a stronger peak's λ2 component falls
        w = _estimate_fwhm(x, y, x[idx])
        pos2 = _doublet_position(x[idx], doublet)
        companion = np.zeros(idx.size, bool)
        for j in range(idx.size):
            near = np.abs(x[idx] - pos2[j]) < 0.5 * w
            companion |= near & (excess[idx] < excess[idx[j]])
        idx = idx[~companion]
    if idx.size == 0:
        raise ValueError(f"no peaks found above {min_snr} σ of the background")
    return PeakSearch(x[idx], excess[idx], excess[idx] / noise[idx])


# --------------------------------------------------------------------------- peak fits
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


def _estimate_fwhm(x: np.ndarray, y: np.ndarray, centers: np.ndarray) -> float:
    """Median FWHM (deg) of the given peaks from half-maximum crossings above the background."""
    step = float(np.median(np.diff(x)))
    bkg = _rolling_background(y, int(round(2.0 / step)))
    ex = y - bkg
    widths = []
    for c in centers:
        i = int(np.clip(np.searchsorted(x, c), 1, x.size - 2))
        half = ex[i] / 2.0
        lo = i
        while lo > 0 and ex[lo] > half:
            lo -= 1
        hi = i
        while hi < x.size - 1 and ex[hi] > half:
            hi += 1
        widths.append(x[hi] - x[lo])
    return max(float(np.median(widths)), 3 * step)


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


def _peak_curve(x: np.ndarray, pk: PeakFit, doublet) -> np.ndarray:
    out = tch_profile(x, pk.center_deg, pk.gamma_g_deg, pk.gamma_l_deg, pk.area)
    if doublet is not None:
        c2 = float(_doublet_position(pk.center_deg, doublet))
        out = out + tch_profile(x, c2, pk.gamma_g_deg, pk.gamma_l_deg, pk.area * doublet[2])
    return out


def _doublet_position(tt1: ArrayLike, doublet: tuple[float, float, float]) -> np.ndarray:
    lam1, lam2, _ = doublet
    s = np.sin(np.deg2rad(np.asarray(tt1)) / 2.0) * lam2 / lam1
    return 2.0 * np.rad2deg(np.arcsin(np.clip(s, -1, 1)))


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


# --------------------------------------------------------------------------- instrument
@dataclass(frozen=True)
class InstrumentFunction:
    """Caglioti instrument function (deg 2θ): Γ_G² = U tan²θ + V tanθ + W, Γ_L = X/cosθ + Y tanθ.

    U, V, W in deg², X, Y in deg; ``wavelength_A`` at which it was measured; ``standard``
    and ``date`` (ISO) identify the calibration; ``*_err`` are 1σ fit errors.
    """

    U: float
    V: float
    W: float
    X: float = 0.0
    Y: float = 0.0
    wavelength_A: float = float("nan")
    standard: str = ""
    date: str = ""
    U_err: float = float("nan")
    V_err: float = float("nan")
    W_err: float = float("nan")
    X_err: float = float("nan")
    Y_err: float = float("nan")

    def gaussian_fwhm(self, two_theta_deg: ArrayLike) -> np.ndarray:
        """Instrument Gaussian FWHM (deg); clipped at 0 where the quadratic turns negative."""
        t = np.tan(np.deg2rad(np.asarray(two_theta_deg, dtype=float)) / 2.0)
        return np.sqrt(np.maximum(self.U * t**2 + self.V * t + self.W, 0.0))

    def lorentzian_fwhm(self, two_theta_deg: ArrayLike) -> np.ndarray:
        """Instrument Lorentzian FWHM (deg)."""
        th = np.deg2rad(np.asarray(two_theta_deg, dtype=float)) / 2.0
        return np.maximum(self.X / np.cos(th) + self.Y * np.tan(th), 0.0)

    def to_dict(self) -> dict:
        """Plain mapping for storage (profile YAML, start documents)."""
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: Mapping) -> InstrumentFunction:
        """Inverse of :meth:`to_dict`; ValueError on unknown or missing keys."""
        unknown = set(data) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown instrument-function keys {sorted(unknown)}")
        missing = {"U", "V", "W"} - set(data)
        if missing:
            raise ValueError(f"instrument function is missing {sorted(missing)}")
        values = {}
        for k, v in data.items():
            if k in ("standard", "date"):
                values[k] = str(v)
                continue
            try:
                values[k] = float("nan") if v is None else float(v)
            except (TypeError, ValueError):
                raise ValueError(f"instrument-function {k} must be a number, got {v!r}") from None
        for k in ("U", "V", "W"):
            if not np.isfinite(values[k]):
                raise ValueError(f"instrument-function {k} must be finite")
        return cls(**values)


def fit_instrument_function(
    two_theta_deg: ArrayLike,
    gamma_g_deg: ArrayLike,
    gamma_l_deg: ArrayLike,
    *,
    gamma_g_err_deg: ArrayLike | None = None,
    gamma_l_err_deg: ArrayLike | None = None,
    wavelength_A: float = float("nan"),
    standard: str = "",
    date: str = "",
) -> InstrumentFunction:
    """Fit Caglioti U, V, W to Γ_G² and X, Y to Γ_L of a standard's peaks (weighted linear LSQ).

    Needs ≥ 4 peaks. Weights 1/σ² with σ(Γ_G²) = 2Γ_G σ(Γ_G) when errors are given.
    """
    tt = np.asarray(two_theta_deg, dtype=float)
    gg = np.asarray(gamma_g_deg, dtype=float)
    gl = np.asarray(gamma_l_deg, dtype=float)
    if not (tt.shape == gg.shape == gl.shape) or tt.ndim != 1:
        raise ValueError("2θ, Γ_G and Γ_L must be 1-D arrays of equal length")
    if tt.size < 4:
        raise ValueError(f"need ≥ 4 peaks of the standard for U, V, W (got {tt.size})")
    if not np.all(np.isfinite(np.concatenate([tt, gg, gl]))) or np.any((tt <= 0) | (tt >= 180)):
        raise ValueError("2θ (in (0, 180) deg), Γ_G and Γ_L must be finite numbers")
    th = np.deg2rad(tt) / 2.0
    t = np.tan(th)
    sg = None if gamma_g_err_deg is None else 2.0 * gg * np.asarray(gamma_g_err_deg, dtype=float)
    sl = None if gamma_l_err_deg is None else np.asarray(gamma_l_err_deg, dtype=float)
    (u, v, w), (eu, ev, ew) = _wlsq(np.column_stack([t**2, t, np.ones_like(t)]), gg**2, sg)
    (xx, yy), (ex, ey) = _wlsq(np.column_stack([1.0 / np.cos(th), t]), gl, sl)
    return InstrumentFunction(
        U=u, V=v, W=w, X=xx, Y=yy, wavelength_A=float(wavelength_A), standard=standard,
        date=date, U_err=eu, V_err=ev, W_err=ew, X_err=ex, Y_err=ey,
    )  # fmt: skip


def _wlsq(a: np.ndarray, b: np.ndarray, sigma: np.ndarray | None):
    """Weighted linear least squares; returns (coefficients, 1σ errors scaled by √χ²_ν)."""
    if sigma is not None:
        ok = np.isfinite(sigma) & (sigma > 0)
        if ok.sum() < a.shape[1] + 1:
            sigma = None
    wts = (
        np.ones_like(b)
        if sigma is None
        else np.where(np.isfinite(sigma) & (sigma > 0), 1 / sigma, 0)
    )
    aw = a * wts[:, None]
    bw = b * wts
    coef, *_ = np.linalg.lstsq(aw, bw, rcond=None)
    dof = max(len(b) - a.shape[1], 1)
    chi2 = float(np.sum((bw - aw @ coef) ** 2)) / dof
    cov = np.linalg.pinv(aw.T @ aw) * (chi2 if sigma is None or chi2 > 1 else 1.0)
    return [float(c) for c in coef], [float(e) for e in np.sqrt(np.abs(np.diag(cov)))]


def deconvolve_tch(
    gamma_g_obs_deg: ArrayLike,
    gamma_l_obs_deg: ArrayLike,
    gamma_g_inst_deg: ArrayLike,
    gamma_l_inst_deg: ArrayLike,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sample Gaussian and Lorentzian FWHMs (deg) and total sample FWHM (TCH), per component.

    Voigt convolution: Lorentzian widths add, Gaussian widths add in quadrature
    (de Keijser et al. 1982), so Γ_L,s = Γ_L,o − Γ_L,i and Γ_G,s = √(Γ_G,o² − Γ_G,i²);
    components narrower than the instrument are set to 0.
    """
    go = np.asarray(gamma_g_obs_deg, dtype=float)
    lo = np.asarray(gamma_l_obs_deg, dtype=float)
    gi = np.asarray(gamma_g_inst_deg, dtype=float)
    li = np.asarray(gamma_l_inst_deg, dtype=float)
    gs = np.sqrt(np.maximum(go**2 - gi**2, 0.0))
    ls = np.maximum(lo - li, 0.0)
    fwhm, _ = tch_fwhm_eta(gs, ls)
    return gs, ls, fwhm


def approximate_sample_breadth(beta_obs: ArrayLike, beta_inst: ArrayLike) -> np.ndarray:
    """APPROXIMATION β_s = β_o − β_i²/β_o (parabolic; off by −7 %…+5 % vs. Voigt deconvolution).

    Offered for comparison with the literature only; use :func:`deconvolve_tch`.
    """
    bo = np.asarray(beta_obs, dtype=float)
    bi = np.asarray(beta_inst, dtype=float)
    if np.any(bo <= 0):
        raise ValueError("observed breadths must be positive")
    return bo - bi**2 / bo


# --------------------------------------------------------------------------- size / strain
SCHERRER_K: dict[tuple[str, str, str], float] = {
    ("sphere", "integral", "diameter"): 4.0 / 3.0,
    ("sphere", "fwhm", "diameter"): 1.1067,
    ("sphere", "integral", "cube_root_volume"): 1.0747,
    ("sphere", "fwhm", "cube_root_volume"): 0.8920,
    ("any", "integral", "volume_weighted_column"): 1.0,
    ("cube_100", "fwhm", "edge"): 0.8859,
    ("cube_110", "fwhm", "edge"): 0.8340,
    ("cube_111", "fwhm", "edge"): 0.8551,
    ("cube_311", "fwhm", "edge"): 0.9082,
}
"""Exact Scherrer constants (Langford & Wilson 1978) by (shape, breadth, size definition).

``breadth``: "fwhm" or "integral"; size: sphere "diameter", "cube_root_volume" (V^⅓),
cube "edge", or the volume-weighted column length ⟨L⟩_v (K = 1 with integral breadth, by
definition). The customary K = 0.89 (FWHM) is an approximation close to the sphere V^⅓ value.
"""


def scherrer_constant(shape: str, breadth: str, size: str) -> float:
    """Scherrer K for a crystallite shape, breadth definition and size definition."""
    key = (shape.lower(), breadth.lower(), size.lower())
    if key[2] == "volume_weighted_column" and key[1] == "integral":
        return 1.0
    if key not in SCHERRER_K:
        raise ValueError(f"no Scherrer constant for {key}; known: {sorted(SCHERRER_K)}")
    return SCHERRER_K[key]


def scherrer_size(
    fwhm_deg: ArrayLike, two_theta_deg: ArrayLike, wavelength_A: float, *, k: float = 0.89
) -> np.ndarray:
    """Crystallite size D = Kλ/(β cosθ) in Å from the *sample* breadth β (deg 2θ).

    β must already be corrected for the instrument. The default K = 0.89 goes with the FWHM;
    pick K from :data:`SCHERRER_K` for another breadth/size definition.
    """
    b = np.asarray(fwhm_deg, dtype=float)
    tt = np.asarray(two_theta_deg, dtype=float)
    if not wavelength_A > 0 or not k > 0:
        raise ValueError("wavelength (Å) and K must be positive")
    if np.any(b <= 0):
        raise ValueError("sample breadth must be positive (deg); no broadening → no size")
    if np.any((tt <= 0) | (tt >= 180)):
        raise ValueError("2θ must lie in (0, 180) deg")
    out = k * wavelength_A / (np.deg2rad(b) * np.cos(np.deg2rad(tt) / 2.0))
    return out if out.ndim else float(out)


@dataclass(frozen=True)
class WilliamsonHallResult:
    """β cosθ = Kλ/D + 4ε sinθ fit. ``size_A`` is nan when the intercept is not positive."""

    size_A: float
    size_err_A: float
    strain: float
    strain_err: float
    intercept: float
    slope: float
    r_squared: float
    negative_intercept: bool
    x: np.ndarray
    y: np.ndarray
    k: float
    wavelength_A: float


def williamson_hall(
    two_theta_deg: ArrayLike,
    beta_deg: ArrayLike,
    wavelength_A: float,
    *,
    k: float = 0.89,
    beta_err_deg: ArrayLike | None = None,
) -> WilliamsonHallResult:
    """Williamson–Hall analysis of *sample* breadths β (deg 2θ, after deconvolution).

    Straight line β cosθ = Kλ/D + 4ε sinθ (β in rad) by (weighted) least squares; size
    D = Kλ/intercept (Å), strain ε = slope/4; errors 1σ; R² of the line. Needs ≥ 3 peaks.
    """
    tt = np.asarray(two_theta_deg, dtype=float).ravel()
    b = np.asarray(beta_deg, dtype=float).ravel()
    if tt.shape != b.shape:
        raise ValueError("2θ and β must have equal length")
    if tt.size < 3:
        raise ValueError(f"Williamson–Hall needs ≥ 3 peaks (got {tt.size})")
    if not wavelength_A > 0:
        raise ValueError("wavelength must be positive (Å)")
    if np.any(~np.isfinite(b)) or np.any(b < 0):
        raise ValueError("breadths must be finite and non-negative")
    th = np.deg2rad(tt) / 2.0
    xv = 4.0 * np.sin(th)
    yv = np.deg2rad(b) * np.cos(th)
    sy = None
    if beta_err_deg is not None:
        sy = np.deg2rad(np.asarray(beta_err_deg, dtype=float).ravel()) * np.cos(th)
    (slope, icpt), (eslope, eicpt) = _wlsq(np.column_stack([xv, np.ones_like(xv)]), yv, sy)
    pred = slope * xv + icpt
    ss_res = float(np.sum((yv - pred) ** 2))
    ss_tot = float(np.sum((yv - yv.mean()) ** 2))
    r2 = 1.0 - ss_res / ss_tot if ss_tot > 0 else float("nan")
    neg = icpt <= 0
    size = float("nan") if neg else k * wavelength_A / icpt
    size_err = float("nan") if neg else size * eicpt / icpt
    return WilliamsonHallResult(
        size_A=size, size_err_A=size_err, strain=float(slope), strain_err=float(eslope),
        intercept=float(icpt), slope=float(4 * slope), r_squared=r2,
        negative_intercept=bool(neg), x=xv / 4.0, y=yv, k=float(k),
        wavelength_A=float(wavelength_A),
    )  # fmt: skip


# --------------------------------------------------------------------------- texture
def march_dollase(alpha_deg: ArrayLike, r: float) -> np.ndarray:
    """March–Dollase P(α) = (r² cos²α + sin²α/r)^(−3/2) (Dollase 1986).

    α (deg) is the angle between the scattering vector and the preferred-orientation axis.
    P(0) = r⁻³, P(90°) = r^(3/2), spherical average 1; r < 1 (platelets) enhances α = 0.
    """
    if not np.isfinite(r) or r <= 0:
        raise ValueError("March–Dollase r must be positive")
    a = np.deg2rad(np.asarray(alpha_deg, dtype=float))
    return (r**2 * np.cos(a) ** 2 + np.sin(a) ** 2 / r) ** -1.5


def texture_coefficients(i_obs: ArrayLike, i_ref: ArrayLike) -> np.ndarray:
    """Harris texture coefficients TC_i = (I_i/I0_i) / ((1/N) Σ_j I_j/I0_j).

    I and I0 must be the same measure (integrated areas, with I0 computed from the structure
    at the same wavelength and Lorentz–polarization factor). TC = 1 for a random powder.
    """
    io = np.asarray(i_obs, dtype=float).ravel()
    ir = np.asarray(i_ref, dtype=float).ravel()
    if io.shape != ir.shape or io.size < 2:
        raise ValueError("need ≥ 2 reflections with observed and reference intensities")
    if np.any(ir <= 0) or np.any(~np.isfinite(io)) or np.any(io < 0):
        raise ValueError("reference intensities must be positive and observed ones ≥ 0")
    ratio = io / ir
    return ratio / ratio.mean()


def texture_sigma(tc: ArrayLike) -> float:
    """Texture index σ = √(Σ(TC − 1)²/N) (0 for a random powder)."""
    t = np.asarray(tc, dtype=float)
    return float(np.sqrt(np.mean((t - 1.0) ** 2)))


# --------------------------------------------------------------------------- pipeline
@dataclass(frozen=True)
class LineProfileResult:
    """Per-peak fits, sample breadths, Scherrer sizes and the Williamson–Hall result."""

    peaks: tuple[PeakFit, ...]
    gamma_g_sample_deg: np.ndarray
    gamma_l_sample_deg: np.ndarray
    fwhm_sample_deg: np.ndarray
    scherrer_size_A: np.ndarray
    williamson_hall: WilliamsonHallResult | None
    wavelength_A: float
    k: float


def analyze_peaks(
    two_theta_deg: ArrayLike,
    counts: ArrayLike,
    wavelength_A: float,
    instrument: InstrumentFunction,
    *,
    centers_deg: Sequence[float] | None = None,
    sigma: ArrayLike | None = None,
    k: float = 0.89,
    min_snr: float = 5.0,
    fwhm_guess_deg: float | None = None,
    doublet: tuple[float, float, float] | None = None,
) -> LineProfileResult:
    """Peak search (unless ``centers_deg``), TCH fits, instrument deconvolution, Scherrer, WH.

    See :func:`size_strain_from_fits` for the deconvolution, Scherrer and WH steps.
    """
    if not wavelength_A > 0:
        raise ValueError("wavelength must be given and positive (Å)")
    if centers_deg is None:
        centers_deg = find_peaks(two_theta_deg, counts, min_snr=min_snr).two_theta_deg
    fits = fit_peaks(
        two_theta_deg,
        counts,
        centers_deg,
        sigma=sigma,
        fwhm_guess_deg=fwhm_guess_deg,
        doublet=doublet,
    )
    return size_strain_from_fits(fits, wavelength_A, instrument, k=k)


def size_strain_from_fits(
    fits: Sequence[PeakFit],
    wavelength_A: float,
    instrument: InstrumentFunction,
    *,
    k: float = 0.89,
) -> LineProfileResult:
    """Instrument deconvolution per component, Scherrer per peak and Williamson–Hall.

    Sample FWHM = TCH combination of the deconvolved components; Scherrer uses it with
    constant ``k``; WH runs when ≥ 3 peaks are broadened beyond the instrument, weighted by
    the fitted FWHM errors (poorly resolved, overlapping peaks count less).
    """
    if not wavelength_A > 0:
        raise ValueError("wavelength must be given and positive (Å)")
    fits = tuple(fits)
    if not fits:
        raise ValueError("no fitted peaks")
    tt = np.array([p.center_deg for p in fits])
    gs, ls, fs = deconvolve_tch(
        [p.gamma_g_deg for p in fits],
        [p.gamma_l_deg for p in fits],
        instrument.gaussian_fwhm(tt),
        instrument.lorentzian_fwhm(tt),
    )
    sizes = np.full(tt.shape, np.nan)
    broad = fs > 0
    if broad.any():
        sizes[broad] = scherrer_size(fs[broad], tt[broad], wavelength_A, k=k)
    wh = None
    if broad.sum() >= 3:
        err = np.array([p.fwhm_err_deg for p in fits])[broad]
        use_err = np.all(np.isfinite(err) & (err > 0))
        wh = williamson_hall(
            tt[broad], fs[broad], wavelength_A, k=k, beta_err_deg=err if use_err else None
        )
    return LineProfileResult(fits, gs, ls, fs, sizes, wh, float(wavelength_A), float(k))
