"""Analysis of measured stopping data: fits of I and of Ziegler's 5 coefficients, effective
charges from measured stopping, and stopping from foil energy losses (seed §4)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import least_squares

from ._common import check_a1, check_energy, check_z1, element_z
from .empirical import five_parameter_stopping
from .model import electronic_stopping, proton_stopping
from .tables import MEAN_EXCITATION_EV
from .units import ev_1e15_to_mev_cm2_g

__all__ = [
    "EnergyLossPoints",
    "FiveParameterFit",
    "MeanExcitationFit",
    "effective_charge_from_stopping",
    "fit_five_parameter",
    "fit_mean_excitation",
    "stopping_from_energy_loss",
]


@dataclass(frozen=True)
class MeanExcitationFit:
    """Fit of I (eV) to stopping data; chi2_red over the ``n_points`` used."""

    i_eV: float
    i_err_eV: float
    chi2_red: float
    n_points: int
    energy_MeV_u: np.ndarray
    residuals: np.ndarray


def fit_mean_excitation(
    energy_MeV_u: ArrayLike,
    stopping_MeV_cm2_g: ArrayLike,
    sigma_MeV_cm2_g: ArrayLike,
    *,
    z1: int,
    a1: float,
    target: str | int,
    min_energy_MeV_u: float = 2.0,
    i0_eV: float | None = None,
) -> MeanExcitationFit:
    """Least-squares fit of the mean excitation energy I from S(E) at E ≥ ``min_energy_MeV_u``.

    Model: :func:`electronic_stopping` with I free (the Bethe–Bloch part carries the I
    dependence). Weighted by 1/σ²; the error of I is scaled by √χ²_red when χ²_red > 1.
    """
    z2 = element_z(target)
    e = check_energy(energy_MeV_u)
    s = np.asarray(stopping_MeV_cm2_g, dtype=float)
    sig = np.asarray(sigma_MeV_cm2_g, dtype=float)
    if s.shape != e.shape or sig.shape != e.shape:
        raise ValueError("energy, stopping and sigma must have the same shape")
    if np.any(~np.isfinite(s)) or np.any(~(sig > 0)):
        raise ValueError("stopping values must be finite and sigmas positive")
    sel = e >= float(min_energy_MeV_u)
    if sel.sum() < 2:
        raise ValueError(f"need ≥ 2 points above {min_energy_MeV_u} MeV/u to fit I")
    es, ss, sg = e[sel], s[sel], sig[sel]
    start = MEAN_EXCITATION_EV[z2] if i0_eV is None else float(i0_eV)

    def resid(p: np.ndarray) -> np.ndarray:
        model = electronic_stopping(z1, a1, z2, es, i_eV=float(np.exp(p[0])))
        return (ss - model) / sg

    res = least_squares(resid, [np.log(start)], x_scale=[0.1])
    r = resid(res.x)
    dof = max(len(es) - 1, 1)
    chi2 = float(np.sum(r**2) / dof)
    jtj = float(res.jac[:, 0] @ res.jac[:, 0])
    err_log = np.sqrt(1.0 / jtj) * (np.sqrt(chi2) if chi2 > 1 else 1.0)
    i_fit = float(np.exp(res.x[0]))
    return MeanExcitationFit(i_fit, i_fit * float(err_log), chi2, int(len(es)), es, r)


@dataclass(frozen=True)
class FiveParameterFit:
    """Ziegler 5-parameter coefficients A1…A5 (keV, eV/(10¹⁵ atoms/cm²)) with errors."""

    coefficients: tuple[float, float, float, float, float]
    errors: tuple[float, float, float, float, float]
    chi2_red: float
    n_points: int


def fit_five_parameter(
    energy_keV: ArrayLike,
    stopping_eV_1e15: ArrayLike,
    sigma_eV_1e15: ArrayLike,
    *,
    p0: tuple[float, float, float, float, float],
    vary: tuple[bool, bool, bool, bool, bool] = (True, True, True, True, True),
) -> FiveParameterFit:
    """Weighted fit of :func:`five_parameter_stopping` (positive A1, A3, A4, A5) to data.

    Start from ``p0`` (e.g. the seed Table III row of the target); coefficients with
    ``vary`` False stay at ``p0`` (e.g. A1, A2 when no point lies below the stopping
    maximum). Errors from the Jacobian (0 for fixed ones), scaled by √χ²_red when
    χ²_red > 1; with no degrees of freedom χ²_red is reported as nan.
    """
    e = check_energy(energy_keV, "energy_keV")
    s = np.asarray(stopping_eV_1e15, dtype=float)
    sig = np.asarray(sigma_eV_1e15, dtype=float)
    if s.shape != e.shape or sig.shape != e.shape:
        raise ValueError("energy, stopping and sigma must have the same shape")
    if np.any(~(sig > 0)) or np.any(~np.isfinite(s)):
        raise ValueError("stopping values must be finite and sigmas positive")
    if len(p0) != 5 or any(p <= 0 for p in (p0[0], p0[2], p0[3], p0[4])):
        raise ValueError("p0 must hold 5 coefficients with A1, A3, A4, A5 > 0")
    free = np.array([bool(v) for v in vary])
    if free.size != 5 or not free.any():
        raise ValueError("vary must hold 5 flags with at least one True")
    if e.size < 2 or e.size < free.sum():
        raise ValueError(f"need ≥ {max(2, int(free.sum()))} points for this fit")
    x_all = np.array([np.log(p0[0]), p0[1], np.log(p0[2]), np.log(p0[3]), np.log(p0[4])])

    def unpack(p_free: np.ndarray) -> tuple[float, ...]:
        p = x_all.copy()
        p[free] = p_free
        return (np.exp(p[0]), p[1], np.exp(p[2]), np.exp(p[3]), np.exp(p[4]))

    def resid(p_free: np.ndarray) -> np.ndarray:
        return (s - five_parameter_stopping(e, *unpack(p_free))) / sig

    res = least_squares(resid, x_all[free])
    r = resid(res.x)
    dof = e.size - int(free.sum())
    chi2 = float(np.sum(r**2) / dof) if dof > 0 else float("nan")
    coeffs = unpack(res.x)
    cov = np.linalg.pinv(res.jac.T @ res.jac)
    scale = np.sqrt(chi2) if dof > 0 and chi2 > 1 else 1.0
    perr = np.zeros(5)
    perr[free] = np.sqrt(np.clip(np.diag(cov), 0.0, None)) * scale
    jac_t = np.array([coeffs[0], 1.0, coeffs[2], coeffs[3], coeffs[4]])
    errs = tuple(float(v) for v in perr * jac_t)
    return FiveParameterFit(tuple(float(c) for c in coeffs), errs, chi2, int(e.size))


def effective_charge_from_stopping(
    z1: int,
    energy_MeV_u: ArrayLike,
    stopping_MeV_cm2_g: ArrayLike,
    target: str | int | Mapping[str, float],
) -> np.ndarray:
    """Measured effective-charge ratio γ² = S_ion/(Z1² S_p) at equal velocity (seed §4.1).

    S_p is this module's proton stopping at the same E (MeV/u).
    """
    z = check_z1(z1)
    e = check_energy(energy_MeV_u)
    s = np.asarray(stopping_MeV_cm2_g, dtype=float)
    if s.shape != e.shape:
        raise ValueError("energy and stopping must have the same shape")
    return s / (z**2 * proton_stopping(target, e))


@dataclass(frozen=True)
class EnergyLossPoints:
    """Stopping points from foil energy losses, evaluated at the mean energy in the foil."""

    energy_MeV: np.ndarray
    energy_MeV_u: np.ndarray
    energy_loss_MeV: np.ndarray
    stopping_MeV_cm2_g: np.ndarray
    sigma_MeV_cm2_g: np.ndarray
    stopping_eV_1e15: np.ndarray
    sigma_eV_1e15: np.ndarray


def stopping_from_energy_loss(
    energy_in_MeV: ArrayLike,
    energy_out_MeV: ArrayLike,
    sigma_in_MeV: ArrayLike,
    sigma_out_MeV: ArrayLike,
    *,
    areal_density_1e15_cm2: float,
    target: str | int | Mapping[str, float],
    a1: float,
) -> EnergyLossPoints:
    """S = ΔE/(N·t) from beam energies before/after a thin foil (transmission method).

    S is assigned to the mean energy (E_in + E_out)/2, exact to first order in ΔE
    (the error is ΔE²·S''/24 relative terms); σ_S = √(σ_in² + σ_out²)/(N·t). Energies are total
    ion energies (MeV); ``a1`` (u) converts to MeV/u. N·t in 10¹⁵ atoms/cm².
    """
    m = check_a1(a1)
    e_in = check_energy(energy_in_MeV, "energy_in_MeV")
    e_out = np.asarray(energy_out_MeV, dtype=float)
    s_in = np.asarray(sigma_in_MeV, dtype=float)
    s_out = np.asarray(sigma_out_MeV, dtype=float)
    if not (e_out.shape == e_in.shape == s_in.shape == s_out.shape):
        raise ValueError("energies and sigmas must have the same shape")
    if np.any(~np.isfinite(e_out)) or np.any(e_out <= 0) or np.any(e_out >= e_in):
        raise ValueError("transmitted energies must be positive and below the incident energies")
    if np.any(~(s_in >= 0)) or np.any(~(s_out >= 0)):
        raise ValueError("energy sigmas must be ≥ 0")
    nt = float(areal_density_1e15_cm2)
    if not np.isfinite(nt) or nt <= 0:
        raise ValueError("areal density must be positive (10¹⁵ atoms/cm²)")
    de = e_in - e_out
    s_ev = de * 1e6 / nt
    sig_ev = np.sqrt(s_in**2 + s_out**2) * 1e6 / nt
    e_mid = 0.5 * (e_in + e_out)
    return EnergyLossPoints(
        e_mid,
        e_mid / m,
        de,
        ev_1e15_to_mev_cm2_g(s_ev, target),
        ev_1e15_to_mev_cm2_g(sig_ev, target),
        s_ev,
        sig_ev,
    )
