"""Compounds: composition of a target and Bragg additivity of stopping and of ln I.

Stopping of a compound is Σ w_i S_i over mass fractions w_i (W. H. Bragg and R. Kleeman,
Phil. Mag. 10 (1905) 318); :func:`~axsuite.analysis.stopping.electronic_stopping` applies it
to every model. Its I value follows ICRU Report 37 (1984) eq. 4.1.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..xray import atomic_weight
from ._common import mass_fractions, molar_mass_per_atom, target_composition
from .tables import MEAN_EXCITATION_EV

__all__ = [
    "mass_fractions",
    "mean_excitation_energy_eV",
    "molar_mass_per_atom",
    "target_composition",
]


def mean_excitation_energy_eV(target: str | int | Mapping[str, float]) -> float:
    """Mean excitation energy I in eV (tables of :mod:`.tables`).

    Compounds: Bragg additivity of ln I weighted by electrons,
    ln I = Σ w_i (Z_i/A_i) ln I_i / Σ w_i (Z_i/A_i) (ICRU Report 37, 1984, eq. 4.1).
    """
    w = mass_fractions(target_composition(target))
    num = sum(wi * z / atomic_weight(z) * np.log(MEAN_EXCITATION_EV[z]) for z, wi in w.items())
    den = sum(wi * z / atomic_weight(z) for z, wi in w.items())
    return float(np.exp(num / den))
