"""Area-normalised peak shapes: pseudo-Voigt and the Thompson–Cox–Hastings (TCH) form.

x, centre and widths share one unit (deg 2θ in this package). Reference: Thompson, Cox &
Hastings, J. Appl. Cryst. 20 (1987) 79 (doi:10.1107/S0021889887087090).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["integral_breadth", "pseudo_voigt", "tch_fwhm_eta", "tch_profile"]


_LN2 = np.log(2.0)


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
