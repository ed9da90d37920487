"""Truth model of the ion beam line (DESIGN §5): source → foil (in/out) → particle detector.

Pure physics, no ophyd. The simulator's own stopping model is
:func:`axsuite.analysis.stopping.electronic_stopping` with the truth mean excitation energy of
the foil (``i_eV``) and effective-charge model held here; the transmitted energy is the integral
of dE/d(ρx) through the foil (4th-order Runge–Kutta in areal mass). The transmitted peak is
broadened by the source spread, Bohr energy-loss straggling
(:func:`axsuite.analysis.stopping.bohr_straggling_keV`: Ω_B² = 4π e⁴ Z1² Z2 N·t; N. Bohr, Mat.
Fys. Medd. Dan. Vid. Selsk. 18 (1948) no. 8; W. K. Chu, Phys. Rev. A 13 (1976) 2057) and the
detector resolution, all Gaussian and added in quadrature. Counts are Poisson; noise comes from
an injected seeded ``numpy.random.Generator``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from axsuite.analysis.constants import AVOGADRO, FWHM_PER_SIGMA
from axsuite.analysis.stopping import (
    ALPHA_PARTICLE_MASS_U,
    PROTON_MASS_U,
    bohr_straggling_keV,
    electronic_stopping,
    target_composition,
)
from axsuite.analysis.xray import atomic_number, atomic_weight, element_symbol
from scipy import constants as _c

_E_MIN_MEV_U = 1e-3

_NAMED_IONS = {
    "p": (1, PROTON_MASS_U),
    "proton": (1, PROTON_MASS_U),
    "H": (1, PROTON_MASS_U),
    "d": (1, _c.physical_constants["deuteron mass in u"][0]),
    "alpha": (2, ALPHA_PARTICLE_MASS_U),
    "He": (2, ALPHA_PARTICLE_MASS_U),
}


@dataclass(frozen=True)
class IonSpecies:
    """Projectile: display symbol, atomic number Z1 and mass A1 (u)."""

    symbol: str
    z1: int
    a1: float


def resolve_ion(ion: str | IonSpecies | Mapping[str, float]) -> IonSpecies:
    """Ion from a name ("p", "d", "alpha", "He", an element symbol) or a mapping {z1, a1}.

    Element symbols other than H/He use the standard atomic weight as mass (u).
    """
    if isinstance(ion, IonSpecies):
        return resolve_ion({"z1": ion.z1, "a1": ion.a1, "symbol": ion.symbol})
    if isinstance(ion, Mapping):
        try:
            z1, a1 = int(ion["z1"]), float(ion["a1"])
        except (KeyError, TypeError, ValueError):
            raise ValueError(f"ion mapping needs numeric 'z1' and 'a1', got {ion!r}") from None
        if not 1 <= z1 <= 92 or not a1 > 0:
            raise ValueError(f"ion needs 1 ≤ z1 ≤ 92 and a1 > 0, got {ion!r}")
        return IonSpecies(str(ion.get("symbol", element_symbol(z1))), z1, a1)
    if not isinstance(ion, str):
        raise ValueError(f"unknown ion {ion!r}")
    if ion in _NAMED_IONS:
        z1, a1 = _NAMED_IONS[ion]
        return IonSpecies(ion, z1, a1)
    try:
        z1 = atomic_number(ion)
    except ValueError:
        raise ValueError(f"unknown ion {ion!r}") from None
    if z1 > 92:
        raise ValueError(f"ion Z1 must be ≤ 92, got {ion!r}")
    return IonSpecies(ion, z1, atomic_weight(z1))


@dataclass(frozen=True)
class Foil:
    """Target foil: formula (element or compound) and areal density in 10¹⁵ atoms/cm²."""

    formula: str
    areal_density_1e15_cm2: float

    def __post_init__(self) -> None:
        target_composition(self.formula)
        if not np.isfinite(self.areal_density_1e15_cm2) or self.areal_density_1e15_cm2 <= 0:
            raise ValueError("foil areal density must be positive (10¹⁵ atoms/cm²)")

    @property
    def mean_atomic_mass(self) -> float:
        """Mean atomic mass per atom (g/mol)."""
        return float(sum(x * atomic_weight(z) for z, x in target_composition(self.formula).items()))

    @property
    def mean_z2(self) -> float:
        """Mean target atomic number per atom."""
        return float(sum(x * z for z, x in target_composition(self.formula).items()))

    @property
    def areal_mass_g_cm2(self) -> float:
        """Areal mass ρx in g/cm²."""
        return self.areal_density_1e15_cm2 * 1e15 * self.mean_atomic_mass / AVOGADRO


@dataclass(frozen=True)
class IonBeamTruth:
    """Physics parameters of the simulated line (the simulator's ground truth)."""

    ion: IonSpecies
    foil: Foil
    i_eV: float | None = None
    charge_model: str = "brandt-kitagawa"
    energy_spread_fwhm_keV: float = 5.0
    detector_fwhm_keV: float = 12.0
    rate_per_s: float = 2.0e4

    def stopping_MeV_cm2_g(self, energy_MeV: np.ndarray | float) -> np.ndarray:
        """True electronic stopping at total ion energy E (MeV)."""
        e_u = np.asarray(energy_MeV, dtype=float) / self.ion.a1
        return electronic_stopping(
            self.ion.z1,
            self.ion.a1,
            self.foil.formula,
            e_u,
            charge_model=self.charge_model,
            i_eV=self.i_eV,
        )

    def transmitted_energy_MeV(
        self, energy_MeV: np.ndarray | float, *, steps: int = 64
    ) -> np.ndarray:
        """Mean energy (MeV) after the foil; 0 where the ion stops inside it."""
        e = np.atleast_1d(np.asarray(energy_MeV, dtype=float)).copy()
        if np.any(~np.isfinite(e)) or np.any(e <= 0):
            raise ValueError("ion energy must be positive (MeV)")
        floor = _E_MIN_MEV_U * self.ion.a1
        h = self.foil.areal_mass_g_cm2 / steps
        alive = np.ones(e.shape, dtype=bool)

        def rate(x: np.ndarray) -> np.ndarray:
            return -self.stopping_MeV_cm2_g(np.maximum(x, floor))

        for _ in range(steps):
            x = e[alive]
            k1 = rate(x)
            k2 = rate(x + 0.5 * h * k1)
            k3 = rate(x + 0.5 * h * k2)
            k4 = rate(x + h * k3)
            x = x + h / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
            e[alive] = x
            alive &= e > floor
            if not alive.any():
                break
        return np.where(alive, e, 0.0).reshape(np.shape(energy_MeV))

    def stops_beam(self, energy_MeV: float) -> bool:
        """True when the foil stops (or nearly stops: < 10 % transmitted) the ion."""
        e_out = float(self.transmitted_energy_MeV(energy_MeV))
        return e_out < 0.1 * float(energy_MeV)

    @property
    def bohr_straggling_sigma_keV(self) -> float:
        """Bohr straggling σ (keV) of the energy loss in the foil (analysis.stopping)."""
        return bohr_straggling_keV(self.ion.z1, self.foil.formula, self.foil.areal_density_1e15_cm2)

    def peak_sigma_keV(self, foil_in: bool) -> float:
        """Total Gaussian σ (keV) of the detected peak."""
        s2 = (self.energy_spread_fwhm_keV / FWHM_PER_SIGMA) ** 2 + (
            self.detector_fwhm_keV / FWHM_PER_SIGMA
        ) ** 2
        if foil_in:
            s2 += self.bohr_straggling_sigma_keV**2
        return float(np.sqrt(s2))


@dataclass(frozen=True)
class DetectorReading:
    """Transmitted-ion peak: centroid (MeV), FWHM (keV), counts, optional spectrum."""

    centroid_MeV: float
    fwhm_keV: float
    counts: int
    spectrum: np.ndarray | None = None
    bin_edges_MeV: np.ndarray | None = None


def measure_peak(
    truth: IonBeamTruth,
    energy_MeV: float,
    *,
    foil_in: bool,
    dwell_s: float,
    rng: np.random.Generator,
    spectrum_bins: int = 0,
) -> DetectorReading:
    """Simulate one detector acquisition at source energy E (MeV) with the foil in or out."""
    if not dwell_s > 0:
        raise ValueError("dwell must be positive (s)")
    mean = float(truth.transmitted_energy_MeV(energy_MeV)) if foil_in else float(energy_MeV)
    n = int(rng.poisson(truth.rate_per_s * dwell_s)) if mean > 0 else 0
    if n < 2:
        return DetectorReading(float("nan"), float("nan"), n)
    sigma = truth.peak_sigma_keV(foil_in) * 1e-3
    e = rng.normal(mean, sigma, n)
    centroid = float(e.mean())
    fwhm = float(e.std(ddof=1) * FWHM_PER_SIGMA * 1e3)
    if spectrum_bins > 0:
        edges = np.linspace(mean - 5 * sigma, mean + 5 * sigma, spectrum_bins + 1)
        hist, _ = np.histogram(e, bins=edges)
        return DetectorReading(centroid, fwhm, n, hist, edges)
    return DetectorReading(centroid, fwhm, n)
