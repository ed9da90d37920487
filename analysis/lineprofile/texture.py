"""Preferred orientation: March–Dollase factor and Harris texture coefficients.

Harris, Phil. Mag. 43 (1952) 113; Dollase, J. Appl. Cryst. 19 (1986) 267
(doi:10.1107/S0021889886089458).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["march_dollase", "texture_coefficients", "texture_sigma"]


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
