"""Instrument function and its removal from observed widths.

* Caglioti et al., Nucl. Instrum. 3 (1958) 223 (doi:10.1016/0369-643X(58)90029-X):
  Γ_G² = U tan²θ + V tanθ + W; Lorentzian Γ_L = X/cosθ + Y tanθ (deg 2θ).
* Voigt deconvolution per component: de Keijser et al., J. Appl. Cryst. 15 (1982) 308
  (doi:10.1107/S0021889882012035).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .shapes import tch_fwhm_eta

__all__ = [
    "InstrumentFunction",
    "approximate_sample_breadth",
    "deconvolve_tch",
    "fit_instrument_function",
]


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
