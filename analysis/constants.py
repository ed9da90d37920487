"""Physical constants and unit conversions used across axsuite (one place only).

All values derive from :mod:`scipy.constants` (CODATA 2018).

Public names
------------
HC_EV_A : h·c in eV·Å (12398.4198…)
R_E_A : classical electron radius in Å
R_E_CM : classical electron radius in cm
ME_C2_EV : electron rest energy in eV
AVOGADRO : Avogadro constant in 1/mol
FPP_CONST_EV_CM2_G : N_A·2·h·c·r_e in eV·cm²/mol (4.20804×10⁷), so that
    f'' = E[eV]·(μ/ρ)[cm²/g]·A[g/mol] / FPP_CONST_EV_CM2_G (optical theorem)
KTOE_EV_A2 : ħ²/2mₑ in eV·Å² (E − E0 = KTOE_EV_A2·k²)
FWHM_PER_SIGMA : 2√(2 ln 2) = 2.35482…, FWHM of a Gaussian in units of its σ
GAS_CONSTANT_J_MOL_K : molar gas constant R in J/(mol·K)
ATM_PA : standard atmosphere in Pa
wavelength_A, energy_eV_from_wavelength : photon energy (eV) ↔ wavelength (Å)
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import constants as _c

HC_EV_A: float = _c.h * _c.c / _c.e * 1e10
R_E_CM: float = _c.physical_constants["classical electron radius"][0] * 100.0
R_E_A: float = R_E_CM * 1e8
ME_C2_EV: float = _c.physical_constants["electron mass energy equivalent in MeV"][0] * 1e6
AVOGADRO: float = _c.N_A
FPP_CONST_EV_CM2_G: float = 2.0 * HC_EV_A * 1e-8 * R_E_CM * AVOGADRO
BARN_CM2: float = 1e-24
#: ħ²/(2 m_e) in eV·Å²: photoelectron E − E0 = KTOE_EV_A2 · k² (k in Å⁻¹)
KTOE_EV_A2: float = _c.hbar**2 / (2.0 * _c.m_e) / _c.e * 1e20
#: FWHM of a Gaussian in units of its standard deviation, 2√(2 ln 2)
FWHM_PER_SIGMA: float = 2.0 * float(np.sqrt(2.0 * np.log(2.0)))
#: Molar gas constant R in J/(mol·K) (ideal-gas densities of ion-chamber fills)
GAS_CONSTANT_J_MOL_K: float = _c.R
#: One standard atmosphere in Pa
ATM_PA: float = _c.atm


def wavelength_A(energy_eV: ArrayLike) -> np.ndarray:
    """Photon wavelength in Å for a photon energy in eV (λ = hc/E)."""
    e = np.asarray(energy_eV, dtype=float)
    if np.any(e <= 0):
        raise ValueError("photon energy must be positive (eV)")
    return HC_EV_A / e


def energy_eV_from_wavelength(wavelength: ArrayLike) -> np.ndarray:
    """Photon energy in eV for a wavelength in Å (E = hc/λ)."""
    lam = np.asarray(wavelength, dtype=float)
    if np.any(lam <= 0):
        raise ValueError("wavelength must be positive (Å)")
    return HC_EV_A / lam
