"""Constants, input validation, targets and per-element constants shared by the subpackage.

Everything that does not depend on the ion energy is computed once per element (and I
value) in :func:`element_constants` and cached: mass, I, Fermi velocity, the K·Z2/A
prefactor, the shell-correction polynomial scaled by I²/I³, the Sternheimer–Peierls
density-effect parameters and the coefficient rows of the empirical fits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import xraylib
from numpy.typing import ArrayLike
from scipy import constants as _c

from ..constants import AVOGADRO, ME_C2_EV, R_E_CM
from ..xray import atomic_number, atomic_weight, element_symbol, parse_formula
from .tables import (
    ICRU49_PROTON,
    MEAN_EXCITATION_EV,
    ZBL_FERMI_VELOCITY,
    ZIEGLER_HELIUM,
)

#: 4π N_A r_e² m_e c² in MeV cm²/mol (0.307075).
K_MEV_CM2_MOL: float = 4.0 * np.pi * AVOGADRO * R_E_CM**2 * ME_C2_EV * 1e-6
#: Atomic mass unit energy equivalent in MeV.
AMU_MEV: float = _c.physical_constants["atomic mass constant energy equivalent in MeV"][0]
ALPHA: float = _c.fine_structure
PROTON_MASS_U: float = _c.physical_constants["proton mass in u"][0]
ALPHA_PARTICLE_MASS_U: float = _c.physical_constants["alpha particle mass in u"][0]
ME_C2_MEV: float = ME_C2_EV * 1e-6
ZMAX = 92
#: Energy range (MeV/u) of :func:`~axsuite.analysis.stopping.electronic_stopping`: from
#: 0.1 keV/u (velocity-proportional regime) to 10 GeV/u (no radiative or nuclear-size terms).
E_MIN_MEV_U = 1e-4
E_MAX_MEV_U = 1e4


# ----------------------------------------------------------------------------- validation
def check_z1(z1: int) -> int:
    """Projectile atomic number 1…92 (integers only)."""
    if isinstance(z1, bool) or not isinstance(z1, (int, np.integer)):
        raise ValueError(f"Z1 must be an integer atomic number 1..{ZMAX}, got {z1!r}")
    if not 1 <= int(z1) <= ZMAX:
        raise ValueError(f"Z1 must be 1..{ZMAX}, got {z1}")
    return int(z1)


def check_a1(a1: float) -> float:
    """Projectile mass in u, positive and finite."""
    try:
        a = float(a1)
    except (TypeError, ValueError):
        raise ValueError(f"ion mass A1 must be a positive number of u, got {a1!r}") from None
    if not np.isfinite(a) or a <= 0:
        raise ValueError(f"ion mass A1 must be a positive number of u, got {a1!r}")
    return a


def check_energy(
    energy: ArrayLike,
    name: str = "energy_MeV_u",
    *,
    lo: float | None = None,
    hi: float | None = None,
    unit: str = "MeV/u",
) -> np.ndarray:
    """Energies as a float array: finite, positive and (if given) within [lo, hi]."""
    e = np.asarray(energy, dtype=float)
    if e.size == 0:
        raise ValueError(f"{name} is empty")
    e_lo, e_hi = e.min(), e.max()  # nan propagates: the fast path is then not taken
    if e_lo > 0 and e_hi < np.inf and (lo is None or hi is None or lo <= e_lo and e_hi <= hi):
        return e
    bad = ~np.isfinite(e) | (e <= 0)
    if bad.any():
        allowed = f" within {lo:g}..{hi:g} {unit}" if lo is not None and hi is not None else ""
        raise ValueError(
            f"{name} must be finite and positive{allowed}, got {float(e[bad].reshape(-1)[0])!r}"
        )
    if lo is not None and hi is not None:
        out = (e < lo * (1.0 - 1e-12)) | (e > hi * (1.0 + 1e-12))
        if out.any():
            raise ValueError(
                f"{name} = {float(e[out].reshape(-1)[0])!r} {unit} is outside the model's range "
                f"{lo:g}..{hi:g} {unit}"
            )
    return e


def check_i(i_eV: float | None) -> float | None:
    """Mean excitation energy override (eV): None or positive and finite."""
    if i_eV is None:
        return None
    try:
        i = float(i_eV)
    except (TypeError, ValueError):
        raise ValueError(f"mean excitation energy I must be > 0 eV, got {i_eV!r}") from None
    if not np.isfinite(i) or i <= 0:
        raise ValueError(f"mean excitation energy I must be > 0 eV, got {i_eV!r}")
    return i


def element_z(target: str | int) -> int:
    """Atomic number of an element usable as a stopping target (Z2 = 1…92)."""
    z = atomic_number(target)
    if z > ZMAX:
        raise ValueError(f"stopping tables cover Z2 = 1..{ZMAX}, got {element_symbol(z)}")
    return z


def beta_from_energy(energy_MeV_u: ArrayLike) -> np.ndarray:
    """β = v/c of an ion of kinetic energy E (MeV/u): γ = 1 + E/(u c²)."""
    e = check_energy(energy_MeV_u)
    return _beta(e)


def _beta(e: np.ndarray) -> np.ndarray:
    g = 1.0 + e / AMU_MEV
    return np.sqrt(1.0 - 1.0 / (g * g))


# ----------------------------------------------------------------------------- targets
@lru_cache(maxsize=256)
def _composition_cached(target: str | int) -> tuple[tuple[int, float], ...]:
    if isinstance(target, (int, np.integer)) and not isinstance(target, bool):
        return ((element_z(int(target)), 1.0),)
    if isinstance(target, str):
        name = target.strip()
        if not name:
            raise ValueError("empty target: give an element, Z or a chemical formula")
        try:
            return ((element_z(name), 1.0),)
        except ValueError:
            pass
        try:
            frac = parse_formula(name)
        except ValueError:
            raise ValueError(
                f"unknown element or compound {target!r} (an element symbol, Z 1..{ZMAX} or "
                "a formula such as 'Al2O3')"
            ) from None
        return tuple((element_z(k), v) for k, v in frac.items() if v > 0)
    raise ValueError(f"target must be an element, Z, formula or mapping, got {target!r}")


def target_composition(target: str | int | Mapping[str, float]) -> dict[int, float]:
    """Atomic fractions {Z2: fraction} of an element (symbol or Z), formula or mapping.

    Raises ValueError for an unknown element or a formula that does not parse.
    """
    if isinstance(target, Mapping):
        frac = parse_formula(target)
        return {element_z(k): v for k, v in frac.items() if v > 0}
    if isinstance(target, bool) or not isinstance(target, (str, int, np.integer)):
        raise ValueError(f"target must be an element, Z, formula or mapping, got {target!r}")
    return dict(_composition_cached(target))


def mass_fractions(comp: Mapping[int, float]) -> dict[int, float]:
    """Mass fractions {Z2: w} of atomic fractions (Bragg's rule weights)."""
    m = {z: x * atomic_weight(z) for z, x in comp.items()}
    tot = sum(m.values())
    return {z: v / tot for z, v in m.items()}


def molar_mass_per_atom(comp: Mapping[int, float]) -> float:
    """Mean atomic mass (g/mol) of a composition given as atomic fractions."""
    return float(sum(x * atomic_weight(z) for z, x in comp.items()))


# ----------------------------------------------------------------------------- per element
@dataclass(frozen=True)
class ElementConstants:
    """Energy-independent constants of one target element (units in the field names)."""

    z: int
    mass_g_mol: float
    i_eV: float
    fermi_velocity_v0: float
    pref_MeV_cm2_g: float  # K Z2/A (times z²/β² L gives S)
    ev1e15_to_MeV_cm2_g: float
    shell_c2: float  # shell correction C/Z2 = c2/η² + c4/η⁴ + c6/η⁶
    shell_c4: float
    shell_c6: float
    dens_cbar: float
    dens_x0: float
    dens_x1: float
    dens_a: float
    icru49_proton: tuple[float, float, float, float, float]
    ziegler_helium: tuple[float, float, float, float, float]


@lru_cache(maxsize=512)
def element_constants(z2: int, i_eV: float | None = None) -> ElementConstants:
    """Constants of element Z2 with the tabulated I or the override ``i_eV`` (eV)."""
    z = element_z(z2)
    i = MEAN_EXCITATION_EV[z] if i_eV is None else check_i(i_eV)
    a = atomic_weight(z)
    # Barkas–Berger shell correction (NASA SP-3013, 1964), per atom, divided by Z2.
    i2, i3 = i * i * 1e-6, i**3 * 1e-9
    c2 = (0.422377 * i2 + 3.858019 * i3) / z
    c4 = (0.0304043 * i2 - 0.1667989 * i3) / z
    c6 = (-0.00038106 * i2 + 0.00157955 * i3) / z
    # Sternheimer–Peierls general formula (Phys. Rev. B 3 (1971) 3681), condensed phase.
    rho = float(xraylib.ElementDensity(z))
    hwp = 28.816 * np.sqrt(rho * z / a)
    cbar = 2.0 * np.log(i / hwp) + 1.0
    if i < 100.0:
        x1, x0 = 2.0, (0.2 if cbar < 3.681 else 0.326 * cbar - 1.0)
    else:
        x1, x0 = 3.0, (0.2 if cbar < 5.215 else 0.326 * cbar - 1.5)
    da = (cbar - 4.606 * x0) / (x1 - x0) ** 3
    return ElementConstants(
        z=z,
        mass_g_mol=a,
        i_eV=float(i),
        fermi_velocity_v0=ZBL_FERMI_VELOCITY[z],
        pref_MeV_cm2_g=K_MEV_CM2_MOL * z / a,
        ev1e15_to_MeV_cm2_g=AVOGADRO / (a * 1e21),
        shell_c2=c2,
        shell_c4=c4,
        shell_c6=c6,
        dens_cbar=float(cbar),
        dens_x0=float(x0),
        dens_x1=float(x1),
        dens_a=float(da),
        icru49_proton=ICRU49_PROTON[z],
        ziegler_helium=ZIEGLER_HELIUM[z],
    )
