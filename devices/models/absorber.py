"""Pure models of what the beam passes through: samples/foils and ion-chamber fill gases.

Attenuation uses :func:`axsuite.analysis.xray.mass_attenuation_cm2_g` (photo part from
Chantler f'' by the optical theorem, plus xraylib Rayleigh + Compton). An element may be
given a near-edge model (any object with ``fpp(energy_eV) -> f''``) so that the simulated
absorption carries structure that no table has.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Protocol

import numpy as np
import xraylib
from axsuite.analysis import xray
from axsuite.analysis.constants import ATM_PA, GAS_CONSTANT_J_MOL_K
from numpy.typing import ArrayLike


class NearEdgeModel(Protocol):
    """Anything that gives f''(E) (electrons) of one element near its edge."""

    def fpp(self, energy_eV: ArrayLike) -> np.ndarray: ...


@dataclasses.dataclass(frozen=True)
class Absorber:
    """A homogeneous layer: atomic fractions, mass density (g/cm³), thickness (cm)."""

    composition: Mapping[str, float]
    density_g_cm3: float
    thickness_cm: float
    nearedge: Mapping[str, NearEdgeModel] = dataclasses.field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.density_g_cm3 <= 0 or self.thickness_cm < 0:
            raise ValueError("density must be positive (g/cm³) and thickness ≥ 0 (cm)")
        object.__setattr__(self, "composition", xray.parse_formula(self.composition))

    @property
    def mass_fractions(self) -> dict[str, float]:
        """Mass fractions of the elements."""
        return xray.mass_fractions(self.composition)

    def element_photo_cm2_g(self, element: str, energy_eV: ArrayLike) -> np.ndarray:
        """Photo-absorption of one element in cm²/g of that element (near-edge model if any)."""
        model = self.nearedge.get(element)
        fpp = model.fpp(energy_eV) if model is not None else xray.chantler_fpp(element, energy_eV)
        return xray.mu_photo_from_fpp(element, energy_eV, fpp)

    def photo_cm2_g(self, energy_eV: ArrayLike) -> np.ndarray:
        """Photo-absorption mass coefficient of the layer in cm²/g."""
        return sum(
            w * self.element_photo_cm2_g(el, energy_eV) for el, w in self.mass_fractions.items()
        )

    def mass_attenuation_cm2_g(self, energy_eV: ArrayLike) -> np.ndarray:
        """Total μ/ρ in cm²/g (photo + Rayleigh + Compton)."""
        scatter = sum(
            w * xray.scatter_cross_section_cm2_g(el, energy_eV)
            for el, w in self.mass_fractions.items()
        )
        return self.photo_cm2_g(energy_eV) + scatter

    def mu_cm(self, energy_eV: ArrayLike) -> np.ndarray:
        """Linear attenuation coefficient μ in cm⁻¹."""
        return self.density_g_cm3 * self.mass_attenuation_cm2_g(energy_eV)

    def transmission(self, energy_eV: ArrayLike) -> np.ndarray:
        """Transmitted fraction exp(−μt)."""
        return np.exp(-self.mu_cm(energy_eV) * self.thickness_cm)


def gas_absorber(
    gas: Mapping[str, float],
    length_cm: float,
    pressure_atm: float = 1.0,
    temperature_K: float = 293.15,
) -> Absorber:
    """Ideal-gas fill of an ion chamber: molecule formula → volume fraction, length in cm.

    Density ρ = P·M̄/(R·T) with M̄ the volume-weighted molar mass (g/mol).
    """
    atoms: dict[str, float] = {}
    molar_mass = 0.0
    for formula, fraction in gas.items():
        parsed = xray.parse_formula(formula)
        per_molecule = _atoms_per_molecule(formula)
        for el, frac in parsed.items():
            atoms[el] = atoms.get(el, 0.0) + fraction * frac * per_molecule
        molar_mass += fraction * sum(
            frac * per_molecule * xray.atomic_weight(el) for el, frac in parsed.items()
        )
    density = pressure_atm * ATM_PA * molar_mass / (GAS_CONSTANT_J_MOL_K * temperature_K) * 1e-6
    return Absorber(composition=atoms, density_g_cm3=density, thickness_cm=length_cm)


def _atoms_per_molecule(formula: str) -> float:
    return float(xraylib.CompoundParser(formula)["nAtomsAll"])


@dataclasses.dataclass(frozen=True)
class IonChamberModel:
    """Signal of a gas ion chamber: photons absorbed by photo-effect in the fill gas.

    Counts = N_incident · (μ_photo/μ_total) · (1 − exp(−μ_total·L)), Poisson distributed.
    """

    gas: Absorber

    def absorbed_fraction(self, energy_eV: ArrayLike) -> np.ndarray:
        """Fraction of incident photons converted to signal (photo-absorption in the gas)."""
        total = self.gas.mass_attenuation_cm2_g(energy_eV)
        photo = self.gas.photo_cm2_g(energy_eV)
        return photo / total * (1.0 - self.gas.transmission(energy_eV))

    def expected_counts(self, energy_eV: float, incident_photons: float) -> float:
        """Mean signal counts for ``incident_photons`` photons at ``energy_eV``."""
        return float(incident_photons * self.absorbed_fraction(energy_eV))
