"""Sample absorption factors, polarization factor and fluorescence self-absorption correction.

Public API: :func:`absorption_factor_reflection`, :func:`absorption_factor_transmission`,
:func:`polarization_factor`, :func:`self_absorption_correction`.

Absorption factors are the scattering volume weighted by the attenuation of the incident and
scattered beams, per unit beam cross-section (so they are lengths, in cm), for a flat plate
of thickness t and linear absorption coefficient μ (Milberg, J. Appl. Phys. 29, 64 (1958),
doi:10.1063/1.1722946; Warren, *X-ray Diffraction* (1969) §4.6; International Tables for
Crystallography Vol. C (2004) §6.3.3):

* reflection, incidence α and exit β from the surface (β = 2θ − α):
  A = [1 − exp(−μt(1/sinα + 1/sinβ))] / [μ(1 + sinα/sinβ)];
  symmetric (α = β = θ): (1 − e^(−2μt/sinθ))/(2μ); thick: 1/(2μ).
* transmission, incidence ψ1 and exit ψ2 from the plate normal (ψ2 = 2θ − ψ1):
  A = [e^(−μt/cosψ2) − e^(−μt/cosψ1)] / [μ(1 − cosψ1/cosψ2)];
  symmetric (ψ1 = ψ2 = θ): (t/cosθ)·e^(−μt/cosθ).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import xraylib
from numpy.typing import ArrayLike

from . import xray

_FLUORESCENCE_LINES = {
    "K": xraylib.KA1_LINE,
    "L1": xraylib.LB3_LINE,
    "L2": xraylib.LB1_LINE,
    "L3": xraylib.LA1_LINE,
}


def _relative_extinction(x: np.ndarray) -> np.ndarray:
    """g(x) = (1 − e^(−x))/x with g(0) = 1 (stable for small x, 0 for x = ∞)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        g = -np.expm1(-x) / x
    return np.where(x == 0, 1.0, np.where(np.isinf(x), 0.0, g))


def _check_mu_t(mu: np.ndarray, t: np.ndarray) -> None:
    if np.any(~np.isfinite(mu)) or np.any(mu < 0):
        raise ValueError("linear absorption coefficient mu_cm must be finite and ≥ 0 (1/cm)")
    if np.any(np.isnan(t)) or np.any(t <= 0):
        raise ValueError("thickness_cm must be positive (np.inf for a thick sample)")


def absorption_factor_reflection(
    mu_cm: ArrayLike,
    two_theta_deg: ArrayLike,
    thickness_cm: ArrayLike,
    *,
    incidence_deg: ArrayLike | None = None,
) -> np.ndarray:
    """Absorption factor (cm) of a flat plate in reflection geometry (see module formula).

    ``mu_cm`` is the linear absorption coefficient in 1/cm (at the measured energy),
    ``two_theta_deg`` the scattering angle, ``thickness_cm`` the plate thickness (``np.inf``
    for a thick sample), ``incidence_deg`` the angle α between beam and surface (default
    symmetric, α = θ); the exit angle is β = 2θ − α. Arrays broadcast.
    """
    mu = np.asarray(mu_cm, dtype=float)
    t = np.asarray(thickness_cm, dtype=float)
    tt = np.asarray(two_theta_deg, dtype=float)
    _check_mu_t(mu, t)
    if not np.all(np.isfinite(tt) & (tt > 0) & (tt < 180)):
        raise ValueError(f"two_theta_deg must lie in (0, 180) deg, got {two_theta_deg}")
    alpha = tt / 2.0 if incidence_deg is None else np.asarray(incidence_deg, dtype=float)
    beta = tt - alpha
    if np.any((alpha <= 0) | (alpha >= 180)) or np.any((beta <= 0) | (beta >= 180)):
        raise ValueError(
            "reflection needs 0 < incidence < 2θ (both beams above the surface), "
            f"got 2θ = {two_theta_deg}, incidence = {incidence_deg}"
        )
    sa, sb = np.sin(np.deg2rad(alpha)), np.sin(np.deg2rad(beta))
    k = 1.0 / sa + 1.0 / sb
    with np.errstate(invalid="ignore", divide="ignore"):
        finite = (t / sa) * _relative_extinction(mu * t * k)
        thick = 1.0 / (sa * mu * k)
    out = np.where(np.isinf(t), thick, finite)
    if np.any(~np.isfinite(out)):
        raise ValueError("a thick sample (thickness_cm = inf) needs mu_cm > 0")
    return out


def absorption_factor_transmission(
    mu_cm: ArrayLike,
    two_theta_deg: ArrayLike,
    thickness_cm: ArrayLike,
    *,
    incidence_deg: ArrayLike | None = None,
) -> np.ndarray:
    """Absorption factor (cm) of a flat plate in transmission geometry (see module formula).

    ``incidence_deg`` is ψ1, the angle between the incident beam and the plate normal
    (default symmetric, ψ1 = θ); the scattered beam leaves at ψ2 = 2θ − ψ1 from the normal
    and must leave through the back face (|ψ1|, |ψ2| < 90°). ``mu_cm`` in 1/cm,
    ``thickness_cm`` finite and positive. Arrays broadcast.
    """
    mu = np.asarray(mu_cm, dtype=float)
    t = np.asarray(thickness_cm, dtype=float)
    tt = np.asarray(two_theta_deg, dtype=float)
    _check_mu_t(mu, t)
    if np.any(np.isinf(t)):
        raise ValueError("transmission needs a finite thickness_cm")
    psi1 = tt / 2.0 if incidence_deg is None else np.asarray(incidence_deg, dtype=float)
    psi2 = tt - psi1
    if np.any(np.abs(psi1) >= 90) or np.any(np.abs(psi2) >= 90):
        raise ValueError(
            "transmission needs |incidence| < 90° and |2θ − incidence| < 90° from the normal, "
            f"got 2θ = {two_theta_deg}, incidence = {incidence_deg}"
        )
    c1, c2 = np.cos(np.deg2rad(psi1)), np.cos(np.deg2rad(psi2))
    a, b = mu * t / c1, mu * t / c2
    # A = (t/c1)·e^(−b)·g(a − b) with g(x) = (1 − e^(−x))/x; since g(−d) = e^d·g(d) this is
    # (t/c1)·e^(−min(a, b))·g(|a − b|), free of cancellation when ψ1 ≈ ψ2.
    return (t / c1) * np.exp(-np.minimum(a, b)) * _relative_extinction(np.abs(a - b))


def polarization_factor(
    two_theta_deg: ArrayLike,
    *,
    horizontal_fraction: float = 1.0,
    azimuth_deg: ArrayLike = 90.0,
) -> np.ndarray:
    """Polarization factor P of Thomson scattering (dimensionless, 1 at 2θ = 0).

    P = p_h(1 − sin²2θ cos²φ) + (1 − p_h)(1 − sin²2θ sin²φ), with p_h the horizontally
    polarized fraction of the beam and φ the azimuth of the scattered beam from the
    horizontal plane (φ = 90°: vertical scattering plane, P = p_h + (1 − p_h)cos²2θ;
    unpolarized p_h = 0.5: P = (1 + cos²2θ)/2). Azároff, Acta Cryst. 8, 701 (1955),
    doi:10.1107/S0365110X55002156.
    """
    if not 0.0 <= horizontal_fraction <= 1.0:
        raise ValueError(f"horizontal_fraction must be in [0, 1], got {horizontal_fraction}")
    s2 = np.sin(np.deg2rad(np.asarray(two_theta_deg, dtype=float))) ** 2
    phi = np.deg2rad(np.asarray(azimuth_deg, dtype=float))
    p = horizontal_fraction
    return p * (1.0 - s2 * np.cos(phi) ** 2) + (1.0 - p) * (1.0 - s2 * np.sin(phi) ** 2)


def _mu_compound_xraylib(w: Mapping[str, float], energy_keV: np.ndarray) -> np.ndarray:
    return np.array(
        [
            sum(wi * xraylib.CS_Total(xray.atomic_number(el), float(x)) for el, wi in w.items())
            for x in energy_keV
        ]
    )


def self_absorption_correction(
    energy_eV: ArrayLike,
    norm: ArrayLike,
    composition: str | Mapping[str, float],
    element: str | int,
    *,
    edge: str = "K",
    incidence_deg: float = 45.0,
    exit_deg: float = 45.0,
) -> np.ndarray:
    """Correct normalized fluorescence XAS of a thick sample for self-absorption.

    For a thick sample the fluorescence is I ∝ μ_a/(μ_a + α), α = μ_b(E) + g·μ_t(E_f),
    g = sin(incidence)/sin(exit) (angles from the surface), μ_b the absorption of everything
    but the absorber's edge, E_f the main fluorescence line. With the normalized data N (0
    below, 1 far above the edge) and β = α/μ_as (μ_as: the absorber's edge jump, xraylib
    ``CS_Photo_Partial``), the normalized absorption is x = N·β/(β + 1 − N) (Tröger et al.,
    Phys. Rev. B 46, 3283 (1992), doi:10.1103/PhysRevB.46.3283; Haskel's FLUO, as in Larch
    ``fluo_corr``). ``composition`` is a formula or element → atomic fraction; tables from
    xraylib ``CS_Total``. Returns the corrected normalized μ on ``energy_eV``.
    """
    e = np.asarray(energy_eV, dtype=float).ravel()
    n = np.asarray(norm, dtype=float).ravel()
    if e.shape != n.shape or e.size == 0:
        raise ValueError("energy_eV and norm must be non-empty and of equal length")
    if not (np.all(np.isfinite(e)) and np.all(np.isfinite(n))) or np.any(e <= 0):
        raise ValueError("energy_eV must be positive and finite, norm finite")
    if not (0 < incidence_deg < 180 and 0 < exit_deg < 180):
        raise ValueError("incidence_deg and exit_deg must be in (0, 180) from the surface")
    symbol = xray.element_symbol(element)
    shell = xray.edge_shell(edge)
    key = edge.strip().upper()
    if key not in _FLUORESCENCE_LINES:
        raise ValueError(f"no fluorescence line defined for the {edge} edge")
    frac = xray.parse_formula(composition)
    if symbol not in frac:
        raise ValueError(f"absorber {symbol} is not part of the composition {composition!r}")
    w = xray.mass_fractions(frac)
    e_edge_keV = xray.edge_energy_eV(symbol, edge) / 1000.0
    z = xray.atomic_number(symbol)
    e_fluor_keV = xraylib.LineEnergy(z, _FLUORESCENCE_LINES[key])
    e_keV = np.maximum(e / 1000.0, e_edge_keV * (1.0 + 1e-4))
    mu_as = w[symbol] * np.array([xraylib.CS_Photo_Partial(z, shell, float(x)) for x in e_keV])
    mu_t = _mu_compound_xraylib(w, e_keV)
    mu_f = float(_mu_compound_xraylib(w, np.array([e_fluor_keV]))[0])
    g = np.sin(np.deg2rad(incidence_deg)) / np.sin(np.deg2rad(exit_deg))
    beta = (mu_t - mu_as + g * mu_f) / mu_as
    denom = beta + 1.0 - n
    if np.any(denom <= 0):
        raise ValueError("normalized data reach 1 + β: the sample is too concentrated to correct")
    return n * beta / denom
