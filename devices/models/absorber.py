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


#: Scalar energies whose attenuation an :class:`Absorber` remembers (a scan revisits each
#: point's energy once per detector; a powder scan stays at one energy).
MEMO_ENERGIES = 4096


@dataclasses.dataclass(frozen=True)
class Absorber:
    """A homogeneous layer: atomic fractions, mass density (g/cm³), thickness (cm).

    The layer is immutable, so its mass fractions are computed once and the photo and
    scatter coefficients at a scalar energy are remembered (up to :data:`MEMO_ENERGIES`).
    """

    composition: Mapping[str, float]
    density_g_cm3: float
    thickness_cm: float
    nearedge: Mapping[str, NearEdgeModel] = dataclasses.field(default_factory=dict)
    _weights: dict[str, float] = dataclasses.field(init=False, repr=False, compare=False)
    _memo: dict[float, tuple[float, float]] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        if self.density_g_cm3 <= 0 or self.thickness_cm < 0:
            raise ValueError("density must be positive (g/cm³) and thickness ≥ 0 (cm)")
        object.__setattr__(self, "composition", xray.parse_formula(self.composition))
        object.__setattr__(self, "_weights", xray.mass_fractions(self.composition))

    @property
    def mass_fractions(self) -> dict[str, float]:
        """Mass fractions of the elements."""
        return dict(self._weights)

    def element_photo_cm2_g(self, element: str, energy_eV: ArrayLike) -> np.ndarray:
        """Photo-absorption of one element in cm²/g of that element (near-edge model if any)."""
        model = self.nearedge.get(element)
        fpp = model.fpp(energy_eV) if model is not None else xray.chantler_fpp(element, energy_eV)
        return xray.mu_photo_from_fpp(element, energy_eV, fpp)

    def _photo(self, energy_eV: ArrayLike) -> np.ndarray:
        return sum(w * self.element_photo_cm2_g(el, energy_eV) for el, w in self._weights.items())

    def _scatter(self, energy_eV: ArrayLike) -> np.ndarray:
        return sum(
            w * xray.scatter_cross_section_cm2_g(el, energy_eV) for el, w in self._weights.items()
        )

    def _remembered(self, energy_eV: float) -> tuple[float, float]:
        """(photo, scatter) in cm²/g at one energy, computed once."""
        key = float(energy_eV)
        hit = self._memo.get(key)
        if hit is None:
            if len(self._memo) >= MEMO_ENERGIES:
                self._memo.clear()
            hit = self._memo[key] = (float(self._photo(key)), float(self._scatter(key)))
        return hit

    def photo_cm2_g(self, energy_eV: ArrayLike) -> np.ndarray:
        """Photo-absorption mass coefficient of the layer in cm²/g."""
        if np.ndim(energy_eV) == 0:
            return np.float64(self._remembered(energy_eV)[0])
        return self._photo(energy_eV)

    def mass_attenuation_cm2_g(self, energy_eV: ArrayLike) -> np.ndarray:
        """Total μ/ρ in cm²/g (photo + Rayleigh + Compton)."""
        if np.ndim(energy_eV) == 0:
            photo, scatter = self._remembered(energy_eV)
            return np.float64(photo + scatter)
        return self._photo(energy_eV) + self._scatter(energy_eV)

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
