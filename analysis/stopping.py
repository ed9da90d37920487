"""Electronic stopping powers of ions in matter (seed 003, DESIGN §7.5).

Units: ion energy in MeV/u (kinetic energy per atomic mass unit; keV where a published
formula demands it), stopping in MeV cm²/g, with converters to eV/(10¹⁵ atoms/cm²) and
keV/µm. A ``target`` is an element symbol, an atomic number, a chemical formula or a mapping
element → amount; compounds follow Bragg's additivity rule (W. H. Bragg and R. Kleeman,
Phil. Mag. 10 (1905) 318) over mass fractions.

Models (coefficient tables and their provenance in :mod:`.stopping_tables`)
-------------------------------------------------------------------------
* Bethe–Bloch (seed eq. 1–4; S. P. Ahlen, Rev. Mod. Phys. 52 (1980) 121):
  S = (K Z2/A)(z²/β²)[L0(1 + z·b) + L_Bloch(z) + L_Mott(z)],
  L0 = ½ln(2mc²β²γ²W_max/I²) − β² − C/Z2 − δ/2 with the exact maximum energy transfer,
  shell correction C/Z2 of Barkas and Berger (NASA SP-3013, 1964; valid βγ ≥ 0.13),
  Barkas term b = 2F(V)/√Z2 with the Jackson–McCarthy function V²F(V) (Phys. Rev. B 6
  (1972) 4131, p. 4136; V = βγ/(α√Z2); seed eq. 3 form L1 = L0·F/√Z2), Bloch term
  ψ(1) − Re ψ(1 + iy), y = zα/β (negative, → −1.202 y²; DESIGN §13 on the seed's sign),
  lowest-order Mott term ½παzβ (Ahlen 1980) and the Sternheimer–Peierls density effect
  (Phys. Rev. B 3 (1971) 3681).
* Protons: ICRU 49 Andersen–Ziegler form up to 1 MeV, Bethe–Bloch from 10 MeV, and a cubic
  Hermite interpolation of ln S against ln T in between (values and slopes of both models
  matched), because the Barkas–Berger shell correction fails below βγ ≈ 0.13.
* Helium: Ziegler's 5-parameter formula (seed eq. 8–9, Table III) up to 2 MeV/u; from
  5 MeV/u the proton stopping number scaled to z = 2 with the Z1³ and Z1⁴ terms; a smooth
  weight (cosine in ln E) between.
* Heavier ions: effective charge × proton stopping at equal velocity (seed eq. 10–13), and
  from 10 MeV/u on a blend (complete at 30 MeV/u) towards the Bethe–Bloch stopping number of
  a point charge z = γZ1 with its own Barkas, Bloch and Mott terms.
* Brice's 3-parameter formula (seed eq. 7; D. K. Brice, Phys. Rev. A 6 (1972) 1791).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import xraylib
from numpy.typing import ArrayLike
from scipy import constants as _c
from scipy.optimize import least_squares
from scipy.special import psi

from .constants import AVOGADRO, KTOE_EV_A2, ME_C2_EV, R_E_CM
from .stopping_tables import (
    BRANDT_IONIZATION_Q,
    BRANDT_REDUCED_VELOCITY_B126,
    ICRU49_PROTON,
    MEAN_EXCITATION_EV,
    MEAN_EXCITATION_SOURCE,
    ZBL_FERMI_VELOCITY,
    ZIEGLER_HELIUM,
)
from .xray import atomic_number, atomic_weight, element_symbol, parse_formula

__all__ = [
    "AMU_MEV",
    "K_MEV_CM2_MOL",
    "BetheTerms",
    "FiveParameterFit",
    "MeanExcitationFit",
    "andersen_ziegler_proton",
    "barkas_correction",
    "beta_from_energy",
    "bethe_stopping",
    "bethe_terms",
    "bloch_correction",
    "brandt_ionization_fraction",
    "brice_stopping",
    "csda_range_g_cm2",
    "density_effect",
    "EnergyLossPoints",
    "effective_charge_from_stopping",
    "effective_charge_ratio",
    "electronic_stopping",
    "ev_1e15_to_mev_cm2_g",
    "fit_five_parameter",
    "fit_mean_excitation",
    "five_parameter_stopping",
    "kev_um_to_mev_cm2_g",
    "mean_excitation_energy_eV",
    "mev_cm2_g_to_ev_1e15",
    "mev_cm2_g_to_kev_um",
    "mott_correction",
    "proton_effective_charge_sq",
    "proton_stopping",
    "shell_correction",
    "stopping_from_energy_loss",
    "target_composition",
    "ziegler_helium",
    "zbl_ionization_fraction",
    "BRANDT_IONIZATION_Q",
    "BRANDT_REDUCED_VELOCITY_B126",
    "ICRU49_PROTON",
    "MEAN_EXCITATION_EV",
    "MEAN_EXCITATION_SOURCE",
    "ZBL_FERMI_VELOCITY",
    "ZIEGLER_HELIUM",
]

#: 4π N_A r_e² m_e c² in MeV cm²/mol (0.307075).
K_MEV_CM2_MOL: float = 4.0 * np.pi * AVOGADRO * R_E_CM**2 * ME_C2_EV * 1e-6
#: Atomic mass unit energy equivalent in MeV.
AMU_MEV: float = _c.physical_constants["atomic mass constant energy equivalent in MeV"][0]
ALPHA: float = _c.fine_structure
PROTON_MASS_U: float = _c.physical_constants["proton mass in u"][0]
ALPHA_PARTICLE_MASS_U: float = _c.physical_constants["alpha particle mass in u"][0]
ME_C2_MEV: float = ME_C2_EV * 1e-6
_ZMAX = 92
_MODELS = ("brown-moak", "anthony-lanford", "brandt-kitagawa")

# Regime limits (proton-equivalent kinetic energy in MeV for protons; MeV/u otherwise).
_P_AZ_MAX_MEV = 1.0
_P_BETHE_MIN_MEV = 10.0
_HE_FIT_MAX_MEV_U = 2.0
_HE_SCALED_MIN_MEV_U = 5.0
_HI_BETHE_START_MEV_U = 10.0
_HI_BETHE_FULL_MEV_U = 30.0


# ----------------------------------------------------------------------------- validation
def _z1(z1: int) -> int:
    if isinstance(z1, bool) or not isinstance(z1, (int, np.integer)):
        raise ValueError(f"Z1 must be an integer atomic number 1..{_ZMAX}, got {z1!r}")
    if not 1 <= int(z1) <= _ZMAX:
        raise ValueError(f"Z1 must be 1..{_ZMAX}, got {z1}")
    return int(z1)


def _a1(a1: float) -> float:
    a = float(a1)
    if not np.isfinite(a) or a <= 0:
        raise ValueError(f"ion mass A1 must be a positive number of u, got {a1!r}")
    return a


def _energy(energy: ArrayLike, name: str = "energy_MeV_u") -> np.ndarray:
    e = np.asarray(energy, dtype=float)
    if e.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.all(np.isfinite(e)) or np.any(e <= 0):
        raise ValueError(f"{name} must be finite and positive (got min {np.nanmin(e)!r})")
    return e


def _element_z(target: str | int) -> int:
    z = atomic_number(target)
    if z > _ZMAX:
        raise ValueError(f"stopping tables cover Z2 = 1..{_ZMAX}, got {element_symbol(z)}")
    return z


def target_composition(target: str | int | Mapping[str, float]) -> dict[int, float]:
    """Atomic fractions {Z2: fraction} of an element (symbol or Z), formula or mapping.

    Raises ValueError for an unknown element or a formula that does not parse.
    """
    if isinstance(target, (int, np.integer)) and not isinstance(target, bool):
        return {_element_z(int(target)): 1.0}
    if isinstance(target, str):
        name = target.strip()
        if not name:
            raise ValueError("empty target")
        try:
            return {_element_z(name): 1.0}
        except ValueError:
            pass
        try:
            frac = parse_formula(name)
        except ValueError:
            raise ValueError(f"unknown element or compound {target!r}") from None
    elif isinstance(target, Mapping):
        frac = parse_formula(target)
    else:
        raise ValueError(f"target must be an element, Z, formula or mapping, got {target!r}")
    return {_element_z(k): v for k, v in frac.items() if v > 0}


def _mass_fractions(comp: Mapping[int, float]) -> dict[int, float]:
    m = {z: x * atomic_weight(z) for z, x in comp.items()}
    tot = sum(m.values())
    return {z: v / tot for z, v in m.items()}


def _molar_mass_per_atom(comp: Mapping[int, float]) -> float:
    return float(sum(x * atomic_weight(z) for z, x in comp.items()))


# ----------------------------------------------------------------------------- kinematics
def beta_from_energy(energy_MeV_u: ArrayLike) -> np.ndarray:
    """β = v/c of an ion of kinetic energy E (MeV/u): γ = 1 + E/(u c²)."""
    e = _energy(energy_MeV_u)
    g = 1.0 + e / AMU_MEV
    return np.sqrt(1.0 - 1.0 / g**2)


# ----------------------------------------------------------------------------- I values
def mean_excitation_energy_eV(target: str | int | Mapping[str, float]) -> float:
    """Mean excitation energy I in eV (tables of :mod:`.stopping_tables`).

    Compounds: Bragg additivity of ln I weighted by electrons,
    ln I = Σ w_i (Z_i/A_i) ln I_i / Σ w_i (Z_i/A_i) (ICRU Report 37, 1984, eq. 4.1).
    """
    comp = target_composition(target)
    w = _mass_fractions(comp)
    num = sum(wi * z / atomic_weight(z) * np.log(MEAN_EXCITATION_EV[z]) for z, wi in w.items())
    den = sum(wi * z / atomic_weight(z) for z, wi in w.items())
    return float(np.exp(num / den))


# ----------------------------------------------------------------------------- corrections
def bloch_correction(y: ArrayLike) -> np.ndarray:
    """Bloch term Z1²L2 = ψ(1) − Re ψ(1 + iy), y = Z1α/β (F. Bloch, Ann. Phys. 16 (1933) 285).

    Always ≤ 0; equals −y² Σ 1/(n(n² + y²)) → −ζ(3) y² = −1.202 y² for small y.
    """
    yy = np.asarray(y, dtype=float)
    if np.any(yy < 0) or not np.all(np.isfinite(yy)):
        raise ValueError("Bloch parameter y must be finite and ≥ 0")
    return psi(1.0) - np.real(psi(1.0 + 1j * yy))


def mott_correction(z: ArrayLike, beta: ArrayLike) -> np.ndarray:
    """Lowest-order Mott term L_Mott = ½ π α z β (S. P. Ahlen, Rev. Mod. Phys. 52 (1980) 121)."""
    return 0.5 * np.pi * ALPHA * np.asarray(z, dtype=float) * np.asarray(beta, dtype=float)


_JM_V = np.array([1.0, 2.0, 3.0, 4.0])
_JM_V2F = np.array([0.33, 0.30, 0.26, 0.23])


def barkas_correction(z2: int, beta: ArrayLike) -> np.ndarray:
    """Barkas (Z1³) strength b per unit projectile charge: Z1·L1 = Z1·b·L0 (seed eq. 3).

    b = 2F(V)/√Z2 with V = βγ/(α√Z2) and the Jackson–McCarthy values V²F(V) = 0.33, 0.30,
    0.26, 0.23 at V = 1…4 (Phys. Rev. B 6 (1972) 4131, p. 4136), 0.45/√V above V = 4
    (their asymptote) and V²F ∝ V² below V = 1 (keeps b finite where Bethe does not apply).
    """
    b = np.asarray(beta, dtype=float)
    eta = b / np.sqrt(1.0 - b**2)
    v = eta / (ALPHA * np.sqrt(z2))
    v2f = np.where(
        v >= 4.0,
        0.45 / np.sqrt(np.maximum(v, 4.0)),
        np.where(v >= 1.0, np.interp(v, _JM_V, _JM_V2F), 0.33 * v**2),
    )
    return 2.0 * v2f / (np.maximum(v, 1e-12) ** 2 * np.sqrt(z2))


def shell_correction(i_eV: float, beta: ArrayLike) -> np.ndarray:
    """Shell correction C (per atom; the Bethe term is C/Z2) of Barkas and Berger.

    C = (0.422377η⁻² + 0.0304043η⁻⁴ − 0.00038106η⁻⁶)·10⁻⁶ I² +
        (3.858019η⁻² − 0.1667989η⁻⁴ + 0.00157955η⁻⁶)·10⁻⁹ I³,  η = βγ, I in eV
    (W. H. Barkas and M. J. Berger, NASA SP-3013 (1964); valid for η ≥ 0.13).
    """
    b = np.asarray(beta, dtype=float)
    eta2 = b**2 / (1.0 - b**2)
    e2, e4, e6 = 1.0 / eta2, 1.0 / eta2**2, 1.0 / eta2**3
    i = float(i_eV)
    return (0.422377 * e2 + 0.0304043 * e4 - 0.00038106 * e6) * 1e-6 * i**2 + (
        3.858019 * e2 - 0.1667989 * e4 + 0.00157955 * e6
    ) * 1e-9 * i**3


def density_effect(z2: int, beta: ArrayLike, *, i_eV: float | None = None) -> np.ndarray:
    """Density-effect correction δ (Sternheimer and Peierls, Phys. Rev. B 3 (1971) 3681).

    Condensed-phase general formula: ħω_p = 28.816 √(ρZ/A) eV (ρ from xraylib),
    C̄ = 2 ln(I/ħω_p) + 1, X = log10 βγ, m = 3; δ = 0 below X0.
    """
    z = _element_z(z2)
    b = np.asarray(beta, dtype=float)
    i = MEAN_EXCITATION_EV[z] if i_eV is None else float(i_eV)
    rho = float(xraylib.ElementDensity(z))
    hwp = 28.816 * np.sqrt(rho * z / atomic_weight(z))
    cbar = 2.0 * np.log(i / hwp) + 1.0
    if i < 100.0:
        x1, x0 = 2.0, (0.2 if cbar < 3.681 else 0.326 * cbar - 1.0)
    else:
        x1, x0 = 3.0, (0.2 if cbar < 5.215 else 0.326 * cbar - 1.5)
    a = (cbar - 4.606 * x0) / (x1 - x0) ** 3
    x = np.log10(b / np.sqrt(1.0 - b**2))
    mid = 4.606 * x - cbar + a * np.clip(x1 - x, 0.0, None) ** 3
    return np.where(x < x0, 0.0, np.where(x < x1, mid, 4.606 * x - cbar))


@dataclass(frozen=True)
class BetheTerms:
    """Stopping-number terms of the Bethe–Bloch formula at each energy (dimensionless).

    ``l0`` already contains ``-shell`` and ``-density/2``; total = l0·(1 + z·barkas) + bloch
    + mott.
    """

    energy_MeV_u: np.ndarray
    beta: np.ndarray
    l0: np.ndarray
    shell: np.ndarray
    density: np.ndarray
    barkas: np.ndarray
    bloch: np.ndarray
    mott: np.ndarray
    total: np.ndarray


def _l0(z2: int, beta: np.ndarray, i_eV: float, mass_u: float):
    g = 1.0 / np.sqrt(1.0 - beta**2)
    ratio = ME_C2_MEV / (mass_u * AMU_MEV)
    wmax = 2.0 * ME_C2_EV * beta**2 * g**2 / (1.0 + 2.0 * g * ratio + ratio**2)
    shell = shell_correction(i_eV, beta) / z2
    dens = density_effect(z2, beta, i_eV=i_eV)
    l0 = 0.5 * np.log(2.0 * ME_C2_EV * beta**2 * g**2 * wmax / i_eV**2) - beta**2
    return l0 - shell - 0.5 * dens, shell, dens


def bethe_terms(
    z: float,
    target_z: str | int,
    energy_MeV_u: ArrayLike,
    *,
    i_eV: float | None = None,
    mass_u: float = PROTON_MASS_U,
) -> BetheTerms:
    """Terms of the Bethe–Bloch stopping number for a point charge z in an element."""
    z2 = _element_z(target_z)
    if not np.isfinite(z) or z <= 0:
        raise ValueError(f"projectile charge must be positive, got {z!r}")
    e = _energy(energy_MeV_u)
    i = MEAN_EXCITATION_EV[z2] if i_eV is None else float(i_eV)
    if not np.isfinite(i) or i <= 0:
        raise ValueError(f"mean excitation energy must be positive (eV), got {i_eV!r}")
    beta = beta_from_energy(e)
    l0, shell, dens = _l0(z2, beta, i, _a1(mass_u))
    bark = barkas_correction(z2, beta)
    bl = bloch_correction(z * ALPHA / beta)
    mo = mott_correction(z, beta)
    total = l0 * (1.0 + z * bark) + bl + mo
    return BetheTerms(e, beta, l0, shell, dens, bark, bl, mo, total)


def _prefactor(z2: int, beta: np.ndarray) -> np.ndarray:
    """K Z2/(A β²) in MeV cm²/g."""
    return K_MEV_CM2_MOL * z2 / atomic_weight(z2) / beta**2


def bethe_stopping(
    z1: int,
    target: str | int | Mapping[str, float],
    energy_MeV_u: ArrayLike,
    *,
    i_eV: float | None = None,
    mass_u: float | None = None,
) -> np.ndarray:
    """Bethe–Bloch electronic stopping (MeV cm²/g) of a bare ion with all corrections.

    Valid where the Barkas–Berger shell correction holds (βγ ≥ 0.13, ≳ 8 MeV/u). ``i_eV``
    overrides the tabulated I (elemental targets only).
    """
    z = _z1(z1)
    e = _energy(energy_MeV_u)
    comp = target_composition(target)
    if i_eV is not None and len(comp) > 1:
        raise ValueError("an I override needs an elemental target")
    if mass_u is None:
        m = PROTON_MASS_U if z == 1 else ALPHA_PARTICLE_MASS_U if z == 2 else atomic_weight(z)
    else:
        m = _a1(mass_u)
    out = np.zeros_like(e)
    for z2, w in _mass_fractions(comp).items():
        t = bethe_terms(z, z2, e, i_eV=i_eV, mass_u=m)
        out = out + w * _prefactor(z2, t.beta) * z**2 * t.total
    return out


# ----------------------------------------------------------------------------- empirical fits
def five_parameter_stopping(
    energy_keV: ArrayLike, a1: float, a2: float, a3: float, a4: float, a5: float
) -> np.ndarray:
    """Ziegler's 5-parameter form (seed eq. 8–9), eV/(10¹⁵ atoms/cm²).

    S_low = A1 E^A2 (E in keV), S_high = (A3/E')ln(1 + A4/E' + A5 E') with E' = E/1000,
    1/S = 1/S_low + 1/S_high (C. Varelas and J. P. Biersack, Nucl. Instr. Meth. 79 (1970) 213;
    J. F. Ziegler, Helium Stopping Powers and Ranges in All Elemental Matter, 1977).
    """
    e = _energy(energy_keV, "energy_keV")
    s_low = a1 * e**a2
    ep = e / 1000.0
    s_high = a3 / ep * np.log(1.0 + a4 / ep + a5 * ep)
    return s_low * s_high / (s_low + s_high)


def ziegler_helium(target_z: str | int, energy_keV: ArrayLike) -> np.ndarray:
    """Electronic stopping of ⁴He in an element, eV/(10¹⁵ atoms/cm²), E = total He energy in keV.

    Ziegler's coefficients from seed 003 Table III (valid 1 keV–10 MeV).
    """
    z2 = _element_z(target_z)
    return five_parameter_stopping(energy_keV, *ZIEGLER_HELIUM[z2])


def andersen_ziegler_proton(target_z: str | int, energy_keV_u: ArrayLike) -> np.ndarray:
    """Proton electronic stopping, eV/(10¹⁵ atoms/cm²), ICRU 49 Andersen–Ziegler form.

    T in keV/u: S = A1 T^0.5 (T < 10 keV/u), else 1/S = 1/(A2 T^0.45) + 1/((A3/T)ln(1 + A4/T
    + A5 T)) (ICRU Report 49, 1993, eq. 3.1; H. H. Andersen and J. F. Ziegler, Hydrogen
    Stopping Powers and Ranges in All Elements, 1977). Intended for T ≲ 1 MeV/u.
    """
    z2 = _element_z(target_z)
    t = _energy(energy_keV_u, "energy_keV_u")
    a = ICRU49_PROTON[z2]
    tt = np.maximum(t, 10.0)
    s_low = a[1] * tt**0.45
    s_high = a[2] / tt * np.log(1.0 + a[3] / tt + a[4] * tt)
    s = s_low * s_high / (s_low + s_high)
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
    z = _z1(z1)
    z2 = _element_z(target_z)
    for name, val in (("z_param", z_param), ("a_param", a_param), ("n_param", n_param)):
        if not np.isfinite(val) or val <= 0:
            raise ValueError(f"Brice parameter {name} must be positive, got {val!r}")
    c1, c2, c3 = coefficients
    v_v0 = beta_from_energy(energy_MeV_u) / ALPHA
    eps = (v_v0 / (2.0 * z_param)) ** 2
    hbar2_m_ev_cm2 = 2.0 * KTOE_EV_A2 * 1e-16  # ħ²/m_e in eV·cm²
    pref = 0.8 * hbar2_m_ev_cm2 * 1e15
    se = pref * (
        np.sqrt(eps) * (c3 * eps**3 + c2 * eps**2 + c1 * eps + 21.0) / (3.0 * (1.0 + eps) ** 3)
        + (10.0 * eps + 1.0) * np.arctan(np.sqrt(eps))
    )
    f = 1.0 / (1.0 + (a_param * v_v0) ** n_param)
    return (z + z2) * se * f


# ----------------------------------------------------------------------------- unit converters
def mev_cm2_g_to_ev_1e15(
    s_MeV_cm2_g: ArrayLike, target: str | int | Mapping[str, float]
) -> np.ndarray:
    """MeV cm²/g → eV/(10¹⁵ atoms/cm²) (per atom of the target, mean atomic mass)."""
    m = _molar_mass_per_atom(target_composition(target))
    return np.asarray(s_MeV_cm2_g, dtype=float) * m * 1e21 / AVOGADRO


def ev_1e15_to_mev_cm2_g(
    s_eV_1e15: ArrayLike, target: str | int | Mapping[str, float]
) -> np.ndarray:
    """eV/(10¹⁵ atoms/cm²) → MeV cm²/g."""
    m = _molar_mass_per_atom(target_composition(target))
    return np.asarray(s_eV_1e15, dtype=float) * AVOGADRO / (m * 1e21)


def _density(density_g_cm3: float) -> float:
    d = float(density_g_cm3)
    if not np.isfinite(d) or d <= 0:
        raise ValueError(f"density must be positive (g/cm³), got {density_g_cm3!r}")
    return d


def mev_cm2_g_to_kev_um(s_MeV_cm2_g: ArrayLike, density_g_cm3: float) -> np.ndarray:
    """MeV cm²/g → keV/µm for a material of density ρ (g/cm³): ×ρ×0.1."""
    return np.asarray(s_MeV_cm2_g, dtype=float) * _density(density_g_cm3) * 0.1


def kev_um_to_mev_cm2_g(s_keV_um: ArrayLike, density_g_cm3: float) -> np.ndarray:
    """keV/µm → MeV cm²/g."""
    return np.asarray(s_keV_um, dtype=float) / (_density(density_g_cm3) * 0.1)


# ----------------------------------------------------------------------------- proton model
def _ev1e15_to_mev_cm2_g_z(z2: int) -> float:
    return AVOGADRO / (atomic_weight(z2) * 1e21)


def _proton_az(z2: int, t_mev: np.ndarray) -> np.ndarray:
    t_kev_u = t_mev * 1000.0 / PROTON_MASS_U
    return andersen_ziegler_proton(z2, t_kev_u) * _ev1e15_to_mev_cm2_g_z(z2)


def _proton_bethe(z2: int, t_mev: np.ndarray, i_eV: float) -> np.ndarray:
    e_u = t_mev / PROTON_MASS_U
    t = bethe_terms(1.0, z2, e_u, i_eV=i_eV, mass_u=PROTON_MASS_U)
    return _prefactor(z2, t.beta) * t.total


@lru_cache(maxsize=512)
def _hermite_ends(z2: int, i_eV: float) -> tuple[float, float, float, float]:
    h = 1e-4
    t1, t2 = _P_AZ_MAX_MEV, _P_BETHE_MIN_MEV
    f1 = np.log(_proton_az(z2, np.array([t1 * np.exp(-h), t1, t1 * np.exp(h)])))
    f2 = np.log(_proton_bethe(z2, np.array([t2 * np.exp(-h), t2, t2 * np.exp(h)]), i_eV))
    return (
        float(f1[1]),
        float((f1[2] - f1[0]) / (2 * h)),
        float(f2[1]),
        float((f2[2] - f2[0]) / (2 * h)),
    )


def _proton_element(z2: int, e_u: np.ndarray, i_eV: float | None) -> np.ndarray:
    i = MEAN_EXCITATION_EV[z2] if i_eV is None else float(i_eV)
    t = e_u * PROTON_MASS_U
    out = np.empty_like(t)
    lo = t <= _P_AZ_MAX_MEV
    hi = t >= _P_BETHE_MIN_MEV
    mid = ~(lo | hi)
    if np.any(lo):
        out[lo] = _proton_az(z2, t[lo])
    if np.any(hi):
        out[hi] = _proton_bethe(z2, t[hi], i)
    if np.any(mid):
        y1, d1, y2, d2 = _hermite_ends(z2, i)
        x1, x2 = np.log(_P_AZ_MAX_MEV), np.log(_P_BETHE_MIN_MEV)
        span = x2 - x1
        s = (np.log(t[mid]) - x1) / span
        h00, h10 = 2 * s**3 - 3 * s**2 + 1, s**3 - 2 * s**2 + s
        h01, h11 = -2 * s**3 + 3 * s**2, s**3 - s**2
        out[mid] = np.exp(h00 * y1 + h10 * span * d1 + h01 * y2 + h11 * span * d2)
    return out


def proton_stopping(
    target: str | int | Mapping[str, float], energy_MeV_u: ArrayLike, *, i_eV: float | None = None
) -> np.ndarray:
    """Electronic stopping of protons (MeV cm²/g) at the velocity of E (MeV/u).

    ICRU 49 fit to 1 MeV, Bethe–Bloch with corrections from 10 MeV, log–log cubic Hermite
    interpolation between (values and slopes of both ends matched).
    """
    e = _energy(energy_MeV_u)
    comp = target_composition(target)
    if i_eV is not None and len(comp) > 1:
        raise ValueError("an I override needs an elemental target")
    flat = e.reshape(-1)
    out = np.zeros_like(flat)
    for z2, w in _mass_fractions(comp).items():
        out = out + w * _proton_element(z2, flat, i_eV)
    return out.reshape(e.shape)


# ----------------------------------------------------------------------------- effective charge
def proton_effective_charge_sq(energy_MeV: ArrayLike) -> np.ndarray:
    """Brown–Moak proton effective charge γ_p² = (1 − e^(−150E))·exp(−0.835 e^(−14.5E)), E in MeV.

    (M. D. Brown and C. D. Moak, Phys. Rev. B 6 (1972) 90; seed eq. 10.)
    """
    e = _energy(energy_MeV, "energy_MeV")
    return (1.0 - np.exp(-150.0 * e)) * np.exp(-0.835 * np.exp(-14.5 * e))


def zbl_ionization_fraction(y_r: ArrayLike) -> np.ndarray:
    """Ionisation fraction q(y_r) = 1 − exp(0.803y^0.3 − 1.3167y^0.6 − 0.38157y − 0.008983y²).

    y_r = v_r/(v0 Z1^(2/3)) (Ziegler, Biersack and Littmark, The Stopping and Range of Ions
    in Solids, 1985, eq. 3-39: their fit to the Brandt–Kitagawa ionisation criterion).
    """
    y = np.maximum(np.asarray(y_r, dtype=float), 0.0)
    y3 = y**0.3
    return np.clip(
        1.0 - np.exp(0.803 * y3 - 1.3167 * y3**2 - 0.38157 * y - 0.008983 * y**2), 0.0, 1.0
    )


def brandt_ionization_fraction(reduced_velocity: ArrayLike, *, b: float = 1.33) -> np.ndarray:
    """q = Z1*/Z1 from seed Table IV (Brandt's Thomas–Fermi criterion) at v1/(v0 Z1^(2/3)).

    Linear interpolation; q → 0 at zero velocity; above the table q → 1 as
    1 − (1 − q_last) exp(−(x − x_last)/x_last).
    """
    x = np.asarray(reduced_velocity, dtype=float)
    xs = BRANDT_REDUCED_VELOCITY_B126 * (b / 1.26)
    qs = BRANDT_IONIZATION_Q
    inside = np.interp(x, np.r_[0.0, xs], np.r_[0.0, qs])
    tail = 1.0 - (1.0 - qs[-1]) * np.exp(-(x - xs[-1]) / xs[-1])
    return np.where(x > xs[-1], tail, inside)


def _relative_velocity(v1: np.ndarray, vf: float) -> np.ndarray:
    """ZBL relative velocity v_r of ion and target electrons (units of v0), ZBL 1985 eq. 3-34."""
    fast = v1 * (1.0 + vf**2 / (5.0 * np.maximum(v1, 1e-12) ** 2))
    slow = 0.75 * vf * (1.0 + 2.0 * v1**2 / (3.0 * vf**2) - v1**4 / (15.0 * vf**4))
    return np.where(v1 >= vf, fast, slow)


def _bk_gamma(z1: int, v1: np.ndarray, z2: int) -> np.ndarray:
    kf = ZBL_FERMI_VELOCITY[z2]
    q = zbl_ionization_fraction(_relative_velocity(v1, kf) / z1 ** (2.0 / 3.0))
    c0 = 0.240
    lam = 2.0 * c0 * (1.0 - q) ** (2.0 / 3.0) / (z1 ** (1.0 / 3.0) * (1.0 - (1.0 - q) / 7.0))
    pk = np.pi * kf
    c_kf = pk / ((1.0 + pk) * np.log(1.0 + pk) - pk) - 2.0 / pk
    return q + c_kf * (1.0 - q) * np.log(1.0 + (2.0 * kf * lam) ** 2)


def effective_charge_ratio(
    z1: int,
    energy_MeV_u: ArrayLike,
    *,
    model: str = "brown-moak",
    target_z: str | int | None = None,
) -> np.ndarray:
    """Effective-charge ratio γ = Z_eff/Z1 of an ion at E (MeV/u), clamped to [0, 1].

    * ``"brown-moak"``: γ = 1 − 1.034 exp(−v/(v0 Z1^0.688)) (seed eq. 10).
    * ``"anthony-lanford"``: γ = 1 − A exp(−λ v/(v0 Z1^(2/3))), A = 1.16 − 1.91·10⁻³Z2
      + 1.26·10⁻⁵Z2², λ = 1.18 − 7.5·10⁻³Z2 + 4.53·10⁻⁵Z2² (seed eq. 11, 13; J. M. Anthony
      and W. A. Lanford, Phys. Rev. A 25 (1982) 1868); needs ``target_z``.
    * ``"brandt-kitagawa"``: γ = q + C(k_F)(1 − q) ln(1 + (2k_FΛ)²),
      Λ = 2C0(1 − q)^(2/3)/(Z1^(1/3)(1 − (1 − q)/7)), C0 = 0.240, atomic units (seed eq. 12;
      W. Brandt and M. Kitagawa, Phys. Rev. B 25 (1982) 5631), q from the ZBL ionisation fit
      at the ZBL relative velocity, k_F = v_F/v0 from the ZBL table; needs ``target_z``.
    ``target_z`` is validated for every model (Brown–Moak does not use it).
    v0 = c/137.036, i.e. v/v0 = β/α.
    """
    z = _z1(z1)
    v1 = beta_from_energy(energy_MeV_u) / ALPHA
    key = str(model).lower()
    if key not in _MODELS:
        raise ValueError(f"unknown effective-charge model {model!r}; choose one of {_MODELS}")
    if key == "brown-moak":
        if target_z is not None:
            _element_z(target_z)  # validated; Brown–Moak itself does not depend on Z2
        g = 1.0 - 1.034 * np.exp(-v1 / z**0.688)
    else:
        if target_z is None:
            raise ValueError(f"model {model!r} needs target_z")
        z2 = _element_z(target_z)
        if key == "anthony-lanford":
            a = 1.16 - 1.91e-3 * z2 + 1.26e-5 * z2**2
            lam = 1.18 - 7.5e-3 * z2 + 4.53e-5 * z2**2
            g = 1.0 - a * np.exp(-lam * v1 / z ** (2.0 / 3.0))
        else:
            g = _bk_gamma(z, v1, z2)
    return np.clip(g, 0.0, 1.0)


# ----------------------------------------------------------------------------- ion model
def _smoothstep_log(e: np.ndarray, e0: float, e1: float) -> np.ndarray:
    """Weight 0 below e0, 1 above e1, ½(1 − cos πx) in x = ln(e/e0)/ln(e1/e0) between."""
    x = np.clip(np.log(e / e0) / np.log(e1 / e0), 0.0, 1.0)
    return 0.5 * (1.0 - np.cos(np.pi * x))


def _scaled_stopping_number(z2: int, e_u: np.ndarray, s_p: np.ndarray, z: np.ndarray) -> np.ndarray:
    """Stopping (MeV cm²/g) of a point charge z from the proton stopping number at equal velocity.

    L_p = S_p β² A/(K Z2) = L0(1 + b) + L_Bloch(1) + L_Mott(1) is solved for L0, then
    L(z) = L0(1 + z b) + L_Bloch(z) + L_Mott(z) and S = (K Z2/(Aβ²)) z² L(z).
    """
    beta = beta_from_energy(e_u)
    pref = _prefactor(z2, beta)
    lp = s_p / pref
    b = barkas_correction(z2, beta)
    l0 = (lp - bloch_correction(ALPHA / beta) - mott_correction(1.0, beta)) / (1.0 + b)
    lz = l0 * (1.0 + z * b) + bloch_correction(z * ALPHA / beta) + mott_correction(z, beta)
    return pref * z**2 * np.maximum(lz, 0.0)


def _helium_element(z2: int, e_u: np.ndarray, i_eV: float | None) -> np.ndarray:
    out = np.zeros_like(e_u)
    w = _smoothstep_log(e_u, _HE_FIT_MAX_MEV_U, _HE_SCALED_MIN_MEV_U)
    lo = w < 1.0
    hi = w > 0.0
    if np.any(lo):
        e_kev = e_u[lo] * ALPHA_PARTICLE_MASS_U * 1000.0
        out[lo] += (1.0 - w[lo]) * ziegler_helium(z2, e_kev) * _ev1e15_to_mev_cm2_g_z(z2)
    if np.any(hi):
        s_p = _proton_element(z2, e_u[hi], i_eV)
        out[hi] += w[hi] * _scaled_stopping_number(z2, e_u[hi], s_p, np.full(hi.sum(), 2.0))
    return out


def _heavy_element(z1: int, z2: int, e_u: np.ndarray, i_eV: float | None, model: str) -> np.ndarray:
    gamma = effective_charge_ratio(z1, e_u, model=model, target_z=z2)
    s_p = _proton_element(z2, e_u, i_eV)
    norm = 1.0 if model == "brandt-kitagawa" else proton_effective_charge_sq(e_u * PROTON_MASS_U)
    s_low = (gamma * z1) ** 2 * s_p / norm
    w = _smoothstep_log(e_u, _HI_BETHE_START_MEV_U, _HI_BETHE_FULL_MEV_U)
    out = s_low.copy()
    hi = w > 0.0
    if np.any(hi):
        s_high = _scaled_stopping_number(z2, e_u[hi], s_p[hi], gamma[hi] * z1)
        out[hi] = (1.0 - w[hi]) * s_low[hi] + w[hi] * s_high
    return out


def electronic_stopping(
    z1: int,
    a1: float,
    target: str | int | Mapping[str, float],
    energy_MeV_u: ArrayLike,
    *,
    charge_model: str = "brandt-kitagawa",
    i_eV: float | None = None,
) -> np.ndarray:
    """Electronic stopping power (MeV cm²/g) of ion (Z1, A1 in u) at E (MeV/u), vectorised.

    Best model per regime (module docstring): protons — ICRU 49 fit / Hermite bridge /
    Bethe–Bloch; helium — Ziegler's seed Table III fit blended into the z = 2 scaled proton
    stopping number; heavier ions — effective charge (``charge_model``, default
    Brandt–Kitagawa) × proton stopping at equal velocity, blended from 10 to 30 MeV/u into
    Bethe–Bloch for the charge γZ1. Compounds by Bragg's rule. Stopping depends on velocity
    only; A1 is validated (and enters ranges). ``i_eV`` overrides I of an elemental target in
    the Bethe part (used for fits of I).
    Expected accuracy: protons within 3 % of ICRU 49 (PSTAR) at 0.5–100 MeV; He within 5 %
    of ASTAR at 1–8 MeV (Ziegler 1977 is 10 % high in Si and 5 % low in Au at 0.5 MeV);
    heavy ions (C…U in C, Al, Cu, Ag, Au) against CATIMA/ATIMA: C–Ar within 5 % at
    1–100 MeV/u, Kr and Xe within 8 %, U within 5 % from 2 MeV/u but up to 18 % low at
    1 MeV/u in light targets (the effective charge of slow, very heavy ions).
    """
    z = _z1(z1)
    _a1(a1)
    e = _energy(energy_MeV_u)
    model = str(charge_model).lower()
    if model not in _MODELS:
        raise ValueError(
            f"unknown effective-charge model {charge_model!r}; choose one of {_MODELS}"
        )
    comp = target_composition(target)
    if i_eV is not None and len(comp) > 1:
        raise ValueError("an I override needs an elemental target")
    flat = e.reshape(-1)
    out = np.zeros_like(flat)
    for z2, w in _mass_fractions(comp).items():
        if z == 1:
            s = _proton_element(z2, flat, i_eV)
        elif z == 2:
            s = _helium_element(z2, flat, i_eV)
        else:
            s = _heavy_element(z, z2, flat, i_eV, model)
        out = out + w * s
    return out.reshape(e.shape)


def csda_range_g_cm2(
    z1: int,
    a1: float,
    target: str | int | Mapping[str, float],
    energy_MeV_u: ArrayLike,
    *,
    charge_model: str = "brandt-kitagawa",
    points: int = 400,
) -> np.ndarray:
    """CSDA range (g/cm²): R(E) = ∫ A1 dE'/S(E') from 0 to E, electronic stopping only.

    Trapezoidal integration on a logarithmic grid from 1 keV/u; below 1 keV/u S ∝ v
    (velocity-proportional stopping), which contributes 2·A1·E_min/S(E_min).
    """
    m = _a1(a1)
    e = _energy(energy_MeV_u)
    if points < 50:
        raise ValueError("points must be ≥ 50")
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


# ----------------------------------------------------------------------------- analysis of data
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
    z2 = _element_z(target)
    e = _energy(energy_MeV_u)
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
    e = _energy(energy_keV, "energy_keV")
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
    z = _z1(z1)
    e = _energy(energy_MeV_u)
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
    m = _a1(a1)
    e_in = _energy(energy_in_MeV, "energy_in_MeV")
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
