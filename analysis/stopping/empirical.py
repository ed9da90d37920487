"""Empirical stopping formulas: Andersen–Ziegler/ICRU 49 protons, Ziegler helium, Brice.

All return eV/(10¹⁵ atoms/cm²) per target atom (coefficients in :mod:`.tables`).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ..constants import KTOE_EV_A2
from ._common import ALPHA, _beta, check_energy, check_z1, element_constants, element_z

__all__ = [
    "HELIUM_FIT_MAX_KEV",
    "HELIUM_FIT_MIN_KEV",
    "andersen_ziegler_proton",
    "brice_stopping",
    "five_parameter_stopping",
    "ziegler_helium",
]

#: Validity of Ziegler's 1977 helium coefficients (total He energy, keV).
HELIUM_FIT_MIN_KEV = 1.0
HELIUM_FIT_MAX_KEV = 1.0e4


def five_parameter_stopping(
    energy_keV: ArrayLike, a1: float, a2: float, a3: float, a4: float, a5: float
) -> np.ndarray:
    """Ziegler's 5-parameter form (seed eq. 8–9), eV/(10¹⁵ atoms/cm²).

    S_low = A1 E^A2 (E in keV), S_high = (A3/E')ln(1 + A4/E' + A5 E') with E' = E/1000,
    1/S = 1/S_low + 1/S_high (C. Varelas and J. P. Biersack, Nucl. Instr. Meth. 79 (1970) 213;
    J. F. Ziegler, Helium Stopping Powers and Ranges in All Elemental Matter, 1977).
    """
    return _five(check_energy(energy_keV, "energy_keV"), a1, a2, a3, a4, a5)


def _five(e: np.ndarray, a1: float, a2: float, a3: float, a4: float, a5: float) -> np.ndarray:
    s_low = a1 * e**a2
    ep = e * 1e-3
    s_high = a3 / ep * np.log(1.0 + a4 / ep + a5 * ep)
    return s_low * s_high / (s_low + s_high)


def ziegler_helium(target_z: str | int, energy_keV: ArrayLike) -> np.ndarray:
    """Electronic stopping of ⁴He in an element, eV/(10¹⁵ atoms/cm²), E = total He energy in keV.

    Ziegler's coefficients from seed 003 Table III, valid 1 keV–10 MeV (ValueError outside).
    """
    z2 = element_z(target_z)
    e = check_energy(
        energy_keV, "energy_keV", lo=HELIUM_FIT_MIN_KEV, hi=HELIUM_FIT_MAX_KEV, unit="keV"
    )
    return _five(e, *element_constants(z2).ziegler_helium)


def andersen_ziegler_proton(target_z: str | int, energy_keV_u: ArrayLike) -> np.ndarray:
    """Proton electronic stopping, eV/(10¹⁵ atoms/cm²), ICRU 49 Andersen–Ziegler form.

    T in keV/u: S = A1 T^0.5 (T < 10 keV/u), else 1/S = 1/(A2 T^0.45) + 1/((A3/T)ln(1 + A4/T
    + A5 T)) (ICRU Report 49, 1993, eq. 3.1; H. H. Andersen and J. F. Ziegler, Hydrogen
    Stopping Powers and Ranges in All Elements, 1977). Intended for T ≲ 1 MeV/u.
    """
    z2 = element_z(target_z)
    t = check_energy(energy_keV_u, "energy_keV_u")
    return az_proton(element_constants(z2).icru49_proton, t)


def az_proton(a: tuple[float, ...], t: np.ndarray) -> np.ndarray:
    """:func:`andersen_ziegler_proton` with coefficients ``a`` and T (keV/u), no validation."""
    tt = np.maximum(t, 10.0)
    s_low = a[1] * np.exp(0.45 * np.log(tt))
    s_high = a[2] / tt * np.log(1.0 + a[3] / tt + a[4] * tt)
    s = s_low * s_high / (s_low + s_high)
    if t.min() >= 10.0:
        return s
    return np.where(t < 10.0, a[0] * np.sqrt(t), s)


def brice_stopping(
    z1: int,
    target_z: str | int,
    energy_MeV_u: ArrayLike,
    *,
    z_param: float,
    a_param: float,
    n_param: float,
    coefficients: tuple[float, float, float] = (53.0, 30.0, 0.0),
) -> np.ndarray:
    """Brice's 3-parameter stopping formula (seed eq. 7), eV/(10¹⁵ atoms/cm²).

    S = (Z1 + Z2) Se(ε) f(a, n), Se = (4ħ²/5m)[ε^½ (C3ε³ + C2ε² + C1ε + 21)/(3(1 + ε)³)
    + (10ε + 1) arctan ε^½], f = [1 + (a v/v0)^n]⁻¹, ε = (v/(2 v0 Z))² with the fitted
    parameters Z (``z_param``), a, n of a given ion–target pair (D. K. Brice, Phys. Rev. A 6
    (1972) 1791; C1, C2, C3 = 53, 30, 0 as revised in 1975; (74, 83, 30) is the 1972 set).
    4ħ²/5m = 0.6097 eV·(10⁻¹⁵ cm²).
    """
    z = check_z1(z1)
    z2 = element_z(target_z)
    for name, val in (("z_param", z_param), ("a_param", a_param), ("n_param", n_param)):
        if not np.isfinite(val) or val <= 0:
            raise ValueError(f"Brice parameter {name} must be positive, got {val!r}")
    c1, c2, c3 = coefficients
    v_v0 = _beta(check_energy(energy_MeV_u)) / ALPHA
    eps = (v_v0 / (2.0 * z_param)) ** 2
    hbar2_m_ev_cm2 = 2.0 * KTOE_EV_A2 * 1e-16  # ħ²/m_e in eV·cm²
    pref = 0.8 * hbar2_m_ev_cm2 * 1e15
    se = pref * (
        np.sqrt(eps) * (c3 * eps**3 + c2 * eps**2 + c1 * eps + 21.0) / (3.0 * (1.0 + eps) ** 3)
        + (10.0 * eps + 1.0) * np.arctan(np.sqrt(eps))
    )
    f = 1.0 / (1.0 + (a_param * v_v0) ** n_param)
    return (z + z2) * se * f
