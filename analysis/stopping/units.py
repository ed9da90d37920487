"""Unit converters of stopping powers: MeV cm²/g ↔ eV/(10¹⁵ atoms/cm²) ↔ keV/µm."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from numpy.typing import ArrayLike

from ..constants import AVOGADRO
from ._common import molar_mass_per_atom, target_composition

__all__ = [
    "ev_1e15_to_mev_cm2_g",
    "kev_um_to_mev_cm2_g",
    "mev_cm2_g_to_ev_1e15",
    "mev_cm2_g_to_kev_um",
]


def mev_cm2_g_to_ev_1e15(
    s_MeV_cm2_g: ArrayLike, target: str | int | Mapping[str, float]
) -> np.ndarray:
    """MeV cm²/g → eV/(10¹⁵ atoms/cm²) (per atom of the target, mean atomic mass)."""
    m = molar_mass_per_atom(target_composition(target))
    return np.asarray(s_MeV_cm2_g, dtype=float) * m * 1e21 / AVOGADRO


def ev_1e15_to_mev_cm2_g(
    s_eV_1e15: ArrayLike, target: str | int | Mapping[str, float]
) -> np.ndarray:
    """eV/(10¹⁵ atoms/cm²) → MeV cm²/g."""
    m = molar_mass_per_atom(target_composition(target))
    return np.asarray(s_eV_1e15, dtype=float) * AVOGADRO / (m * 1e21)


def check_density(density_g_cm3: float) -> float:
    """Density in g/cm³, positive and finite."""
    try:
        d = float(density_g_cm3)
    except (TypeError, ValueError):
        raise ValueError(f"density must be positive (g/cm³), got {density_g_cm3!r}") from None
    if not np.isfinite(d) or d <= 0:
        raise ValueError(f"density must be positive (g/cm³), got {density_g_cm3!r}")
    return d


def mev_cm2_g_to_kev_um(s_MeV_cm2_g: ArrayLike, density_g_cm3: float) -> np.ndarray:
    """MeV cm²/g → keV/µm for a material of density ρ (g/cm³): ×ρ×0.1."""
    return np.asarray(s_MeV_cm2_g, dtype=float) * check_density(density_g_cm3) * 0.1


def kev_um_to_mev_cm2_g(s_keV_um: ArrayLike, density_g_cm3: float) -> np.ndarray:
    """keV/µm → MeV cm²/g."""
    return np.asarray(s_keV_um, dtype=float) / (check_density(density_g_cm3) * 0.1)
