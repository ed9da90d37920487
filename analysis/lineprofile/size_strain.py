"""Crystallite size and microstrain from sample breadths: Scherrer and Williamson–Hall.

* Scherrer constants: Langford & Wilson, J. Appl. Cryst. 11 (1978) 102
  (doi:10.1107/S0021889878012844).
* Williamson & Hall, Acta Metall. 1 (1953) 22 (doi:10.1016/0001-6160(53)90006-6).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .fits import PeakFit, fit_peaks
from .instrument import InstrumentFunction, _wlsq, deconvolve_tch
from .peaks import find_peaks
from .shapes import tch_fwhm_eta

__all__ = [
    "LineProfileResult",
    "SCHERRER_K",
    "WilliamsonHallResult",
    "analyze_peaks",
    "scherrer_constant",
    "scherrer_size",
    "size_strain_from_fits",
    "williamson_hall",
]


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
    if not (np.all(np.isfinite(b)) and np.all(np.isfinite(tt))):
        raise ValueError(
            f"breadth and 2θ must be finite numbers (deg), got {fwhm_deg} and {two_theta_deg}"
        )
    if np.any(b <= 0):
        raise ValueError("sample breadth must be positive (deg); no broadening → no size")
    if np.any((tt <= 0) | (tt >= 180)):
        raise ValueError("2θ must lie in (0, 180) deg")
    out = k * wavelength_A / (np.deg2rad(b) * np.cos(np.deg2rad(tt) / 2.0))
    return out if out.ndim else float(out)


@dataclass(frozen=True)
class WilliamsonHallResult:
    """β cosθ = Kλ/D + 4ε sinθ fit. ``size_A`` is nan when the intercept is not positive;
    ``reason`` then says why (empty when the size is defined)."""

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
    reason: str = ""


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
    reason = (
        f"intercept Kλ/D = {icpt:.2e} ≤ 0: the breadths extrapolate to no size broadening "
        "(strain-dominated, or the instrument function is overestimated); size undefined"
        if neg
        else ""
    )
    return WilliamsonHallResult(
        size_A=size, size_err_A=size_err, strain=float(slope), strain_err=float(eslope),
        intercept=float(icpt), slope=float(4 * slope), r_squared=r2,
        negative_intercept=bool(neg), x=xv / 4.0, y=yv, k=float(k),
        wavelength_A=float(wavelength_A), reason=reason,
    )  # fmt: skip


@dataclass(frozen=True)
class LineProfileResult:
    """Per-peak fits, sample breadths, Scherrer sizes and the Williamson–Hall result.

    ``resolved``: the peak is broadened beyond the instrument by more than the resolution
    limit (see :func:`size_strain_from_fits`); for the others ``scherrer_size_A`` is nan and
    the size is only known to exceed ``size_limit_A`` (Å, the largest size the instrument
    resolves at that 2θ). ``notes`` explain unresolved peaks and a missing WH result.
    """

    peaks: tuple[PeakFit, ...]
    gamma_g_sample_deg: np.ndarray
    gamma_l_sample_deg: np.ndarray
    fwhm_sample_deg: np.ndarray
    scherrer_size_A: np.ndarray
    williamson_hall: WilliamsonHallResult | None
    wavelength_A: float
    k: float
    resolved: np.ndarray | None = None
    size_limit_A: np.ndarray | None = None
    notes: tuple[str, ...] = ()


#: A sample broadening is resolved when the observed FWHM exceeds the instrument's by more
#: than this fraction of the instrument FWHM (and by more than 2σ of the fitted FWHM): below,
#: the excess is within what calibration at other angles, specimen transparency and
#: displacement change (Langford & Louër, Rep. Prog. Phys. 59 (1996) 131, §4).
RESOLUTION_FRACTION = 0.1


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
    constant ``k`` on resolved peaks only (observed FWHM above the instrument's by more than
    ``RESOLUTION_FRACTION`` of it and 2σ); WH runs when ≥ 3 peaks are resolved, weighted by
    the fitted FWHM errors (poorly resolved, overlapping peaks count less). ``notes`` say
    which sizes are lower limits and why WH gave no size.
    """
    if not wavelength_A > 0:
        raise ValueError("wavelength must be given and positive (Å)")
    fits = tuple(fits)
    if not fits:
        raise ValueError("no fitted peaks")
    tt = np.array([p.center_deg for p in fits])
    gi, li = instrument.gaussian_fwhm(tt), instrument.lorentzian_fwhm(tt)
    gs, ls, fs = deconvolve_tch(
        [p.gamma_g_deg for p in fits], [p.gamma_l_deg for p in fits], gi, li
    )
    resolved, limit = _resolution(fits, tt, gi, li, wavelength_A, k)
    sizes = np.full(tt.shape, np.nan)
    use = resolved & (fs > 0)
    if use.any():
        sizes[use] = scherrer_size(fs[use], tt[use], wavelength_A, k=k)
    notes = []
    if (~use).any():
        notes.append(
            f"{int((~use).sum())} of {tt.size} peaks not broadened beyond the instrument's "
            f"resolution: sizes there are only known to exceed {np.min(limit[~use]):.0f}–"
            f"{np.max(limit[~use]):.0f} Å (the instrument's limit at those 2θ)"
        )
    wh = None
    if use.sum() >= 3:
        err = np.array([p.fwhm_err_deg for p in fits])[use]
        use_err = np.all(np.isfinite(err) & (err > 0))
        wh = williamson_hall(
            tt[use], fs[use], wavelength_A, k=k, beta_err_deg=err if use_err else None
        )
        if wh.reason:
            notes.append(f"Williamson–Hall: {wh.reason}")
        elif not wh.size_err_A < 0.5 * wh.size_A:
            notes.append(
                f"Williamson–Hall size {wh.size_A:.0f} ± {wh.size_err_A:.0f} Å is not "
                f"significant (σ > D/2; R² = {wh.r_squared:.2f})"
            )
    else:
        notes.append(f"Williamson–Hall needs ≥ 3 resolved peaks ({int(use.sum())} here)")
    return LineProfileResult(
        fits, gs, ls, fs, sizes, wh, float(wavelength_A), float(k), use, limit, tuple(notes)
    )


def _resolution(fits, tt, gi, li, wavelength_A: float, k: float):
    """Which peaks are broadened beyond the instrument, and the largest resolvable size (Å).

    Resolved: f_obs > f_inst (1 + RESOLUTION_FRACTION) and f_obs − f_inst > 2σ(f_obs). The
    size limit is Scherrer's D for the Lorentzian sample breadth that widens the instrument's
    TCH FWHM by RESOLUTION_FRACTION (bisection; size broadening is Lorentzian-like).
    """
    f_inst = tch_fwhm_eta(gi, li)[0]
    f_obs = np.array([p.fwhm_deg for p in fits])
    err = np.array([p.fwhm_err_deg for p in fits])
    excess = RESOLUTION_FRACTION * f_inst
    significant = f_obs - f_inst > 2 * np.nan_to_num(err, nan=0.0)
    resolved = (f_obs > f_inst + excess) & significant
    lo, hi = np.zeros_like(f_inst), 2 * excess + 1e-9
    for _ in range(50):
        mid = 0.5 * (lo + hi)
        above = tch_fwhm_eta(gi, li + mid)[0] - f_inst > excess
        hi, lo = np.where(above, mid, hi), np.where(above, lo, mid)
    limit = k * wavelength_A / (np.deg2rad(hi) * np.cos(np.deg2rad(tt) / 2.0))
    return resolved, limit
