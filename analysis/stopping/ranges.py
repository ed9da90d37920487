"""CSDA ranges, energy-loss straggling and SRIM-like stopping tables.

* CSDA range R(E) = ∫ A1 dE'/S(E') (electronic stopping only, no nuclear stopping).
* Bohr straggling Ω_B² = 4π e⁴ Z1² Z2 N t (N. Bohr, Mat. Fys. Medd. Dan. Vid. Selsk. 18 (1948)
  no. 8); Lindhard–Scharff: Ω² = Ω_B²·L(χ)/2 for χ < 3, Ω_B² above, L(χ) = 1.36χ^½ −
  0.016χ^(3/2), χ = v²/(v0² Z2) = E/(24.8 keV/u · Z2) (J. Lindhard and M. Scharff, Mat. Fys.
  Medd. Dan. Vid. Selsk. 27 (1953) no. 15; W. K. Chu, Phys. Rev. A 13 (1976) 2057).
  Compounds add Ω² over their atoms (Bragg's rule for straggling).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import xraylib
from numpy.typing import ArrayLike

from ..constants import ME_C2_EV, R_E_CM
from ._common import (
    E_MAX_MEV_U,
    E_MIN_MEV_U,
    check_a1,
    check_energy,
    check_z1,
    target_composition,
)
from .model import electronic_stopping
from .units import check_density, mev_cm2_g_to_ev_1e15

__all__ = [
    "StoppingTable",
    "bohr_straggling_keV",
    "csda_range_g_cm2",
    "lindhard_scharff_straggling_keV",
    "stopping_table",
]

#: e²/(4πε0) = r_e m_e c² in eV·cm (1.44 eV·nm).
E2_EV_CM = R_E_CM * ME_C2_EV
#: ½ u v0² in keV/u: χ = E/(V0_KEV_U · Z2).
V0_KEV_U = 24.8


def csda_range_g_cm2(
    z1: int,
    a1: float,
    target: str | int | Mapping[str, float],
    energy_MeV_u: ArrayLike,
    *,
    charge_model: str = "auto",
    points: int = 400,
) -> np.ndarray:
    """CSDA range (g/cm²): R(E) = ∫ A1 dE'/S(E') from 0 to E, electronic stopping only.

    Trapezoidal integration on a logarithmic grid from 1 keV/u; below 1 keV/u S ∝ v
    (velocity-proportional stopping), which contributes 2·A1·E_min/S(E_min).
    """
    m = check_a1(a1)
    e = check_energy(energy_MeV_u, lo=E_MIN_MEV_U, hi=E_MAX_MEV_U)
    if points < 50:
        raise ValueError(f"points must be ≥ 50, got {points}")
    e_min = 1e-3
    top = max(float(e.max()), e_min * 1.0001)
    grid = np.geomspace(e_min, top, int(points))
    s = electronic_stopping(z1, m, target, grid, charge_model=charge_model)
    f = m / s
    cum = np.concatenate(([0.0], np.cumsum(0.5 * (f[1:] + f[:-1]) * np.diff(grid))))
    cum = cum + 2.0 * m * e_min / s[0]
    low = (
        2.0
        * m
        * e
        / electronic_stopping(z1, m, target, np.minimum(e, e_min), charge_model=charge_model)
    )
    return np.where(e <= e_min, low, np.interp(np.log(e), np.log(grid), cum))


def _areal(areal_density_1e15_cm2: float) -> float:
    nt = float(areal_density_1e15_cm2)
    if not np.isfinite(nt) or nt <= 0:
        raise ValueError(
            f"areal density must be positive (10¹⁵ atoms/cm²), got {areal_density_1e15_cm2!r}"
        )
    return nt * 1e15


def bohr_straggling_keV(
    z1: int, target: str | int | Mapping[str, float], areal_density_1e15_cm2: float
) -> float:
    """Bohr energy-loss straggling σ (keV) of ion Z1 through N·t (10¹⁵ atoms/cm²) of target.

    Ω_B² = 4π e⁴ Z1² ⟨Z2⟩ N t, ⟨Z2⟩ the mean atomic number per atom; energy-independent.
    """
    z = check_z1(z1)
    nt = _areal(areal_density_1e15_cm2)
    mean_z2 = sum(x * z2 for z2, x in target_composition(target).items())
    return float(np.sqrt(4.0 * np.pi * E2_EV_CM**2 * z * z * mean_z2 * nt) * 1e-3)


def lindhard_scharff_straggling_keV(
    z1: int,
    target: str | int | Mapping[str, float],
    areal_density_1e15_cm2: float,
    energy_MeV_u: ArrayLike,
) -> np.ndarray:
    """Lindhard–Scharff straggling σ (keV) at ion energy E (MeV/u) (module docstring).

    Tends to the Bohr value at high energy (χ ≥ 3) and falls as χ^¼ at low energy.
    """
    z = check_z1(z1)
    nt = _areal(areal_density_1e15_cm2)
    e = check_energy(energy_MeV_u, lo=E_MIN_MEV_U, hi=E_MAX_MEV_U)
    omega2 = np.zeros_like(e)
    for z2, x in target_composition(target).items():
        chi = e * 1000.0 / (V0_KEV_U * z2)
        factor = np.where(chi < 3.0, 0.5 * (1.36 * np.sqrt(chi) - 0.016 * chi**1.5), 1.0)
        omega2 += 4.0 * np.pi * E2_EV_CM**2 * z * z * z2 * x * nt * factor
    return np.sqrt(omega2) * 1e-3


@dataclass(frozen=True)
class StoppingTable:
    """SRIM-like table of one ion in one target (arrays over the energies)."""

    ion_z1: int
    ion_a1: float
    target: str
    density_g_cm3: float | None
    energy_MeV_u: np.ndarray
    energy_MeV: np.ndarray
    stopping_MeV_cm2_g: np.ndarray
    stopping_keV_um: np.ndarray | None
    stopping_eV_1e15: np.ndarray
    range_g_cm2: np.ndarray
    range_um: np.ndarray | None


def stopping_table(
    z1: int,
    a1: float,
    target: str | int,
    energy_MeV_u: ArrayLike,
    *,
    density_g_cm3: float | None = None,
    charge_model: str = "auto",
) -> StoppingTable:
    """Electronic stopping in three units and CSDA range of ion (Z1, A1 u) at E (MeV/u).

    The density (g/cm³) defaults to xraylib's for an element; a compound needs it for the
    keV/µm and µm columns (they are None otherwise).
    """
    e = check_energy(energy_MeV_u, lo=E_MIN_MEV_U, hi=E_MAX_MEV_U).reshape(-1)
    m = check_a1(a1)
    comp = target_composition(target)
    if density_g_cm3 is not None:
        rho: float | None = check_density(density_g_cm3)
    elif len(comp) == 1:
        rho = float(xraylib.ElementDensity(next(iter(comp))))
    else:
        rho = None
    s = electronic_stopping(z1, m, target, e, charge_model=charge_model)
    r = csda_range_g_cm2(z1, m, target, e, charge_model=charge_model)
    return StoppingTable(
        int(z1),
        m,
        str(target),
        rho,
        e,
        e * m,
        s,
        None if rho is None else s * rho * 0.1,
        mev_cm2_g_to_ev_1e15(s, target),
        r,
        None if rho is None else r / rho * 1e4,
    )
