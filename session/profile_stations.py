"""Profile sections of the experimental stations: ion beam, AXS, powder diffraction.

Pydantic v2 frozen dataclasses like :mod:`axsuite.session.profile_sections`; the simulated
truth of each station (hard-sphere plates, powder phases, stopping foils) is validated
here, before a device is built.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, Literal

from pydantic.dataclasses import dataclass

from .profile_types import (
    SECTION,
    AtomicFractions,
    Element,
    FieldError,
    Formula,
    Fraction,
    Int,
    NonNegativeNum,
    Num,
    PositiveNum,
    SolidAngle,
    number,
)

#: Random close packing: a hard-sphere packing fraction must stay below it.
PACKING_MAX = 0.64
#: Relative tolerance between a given density and a given packing fraction.
PACKING_TOLERANCE = 0.01


def _one_of(key: str, name: str, names: Any, what: str) -> None:
    if name not in names:
        raise FieldError(key, f"{what} {name!r} is not one of {sorted(names)}")


@dataclass(frozen=True, config=SECTION)
class IonFoilConfig:
    """A stopping foil: formula, areal density in 10¹⁵ atoms/cm², and the simulator's true
    mean excitation energy in eV (None: the tabulated value; elemental foils only)."""

    formula: Formula
    areal_density_1e15_cm2: PositiveNum
    true_mean_excitation_eV: PositiveNum | None = None


@dataclass(frozen=True, config=SECTION)
class IonBeamConfig:
    """Ion beam line (DESIGN §5): source species and energy range (MeV), energy spread and
    detector resolution (FWHM, keV), detected rate (1/s), effective-charge model of the
    simulator, foils by name and the foil loaded at start."""

    ion: str
    energy_min_MeV: PositiveNum
    energy_max_MeV: PositiveNum
    foils: dict[str, IonFoilConfig]
    foil: str
    energy_spread_fwhm_keV: NonNegativeNum = 5.0
    detector_fwhm_keV: PositiveNum = 12.0
    rate_per_s: PositiveNum = 2.0e4
    charge_model: Literal["auto", "zbl", "brown-moak", "anthony-lanford", "brandt-kitagawa"] = (
        "brandt-kitagawa"
    )

    def __post_init__(self) -> None:
        from axsuite.devices.models.ionbeam import resolve_ion

        try:
            resolve_ion(self.ion)
        except ValueError as exc:
            raise FieldError("ion", f"{exc} (p, d, alpha or an element symbol)") from None
        if not self.energy_min_MeV < self.energy_max_MeV:
            raise FieldError(
                "energy_max_MeV", f"must exceed energy_min_MeV ({self.energy_min_MeV} MeV)"
            )
        _one_of("foil", self.foil, self.foils, "foil")


@dataclass(frozen=True, config=SECTION)
class AXSSampleConfig:
    """An AXS plate (simulation truth: additive hard spheres, Percus–Yevick): composition
    (element → atomic fraction), number density ρ0 in atoms/Å³ and/or packing fraction η
    (consistent within 1 % if both), hard-sphere diameters in Å, thickness in cm, geometry
    ``reflection`` (flat plate, symmetric)."""

    composition: AtomicFractions
    diameters_A: dict[Element, PositiveNum]
    thickness_cm: PositiveNum
    density_atoms_A3: PositiveNum | None = None
    packing: number(gt=0, lt=PACKING_MAX) | None = None
    geometry: Literal["reflection"] = "reflection"
    description: str = ""

    def __post_init__(self) -> None:
        missing = sorted(set(self.composition) - set(self.diameters_A))
        if missing:
            raise FieldError("diameters_A", f"needs a positive diameter (Å) for {missing}")
        if self.density_atoms_A3 is None and self.packing is None:
            raise FieldError("density_atoms_A3", "give density_atoms_A3 (atoms/Å³) or packing")
        if self.density_atoms_A3 is not None and self.packing is not None:
            eta = self.packing_from_density()
            if abs(eta / self.packing - 1.0) > PACKING_TOLERANCE:
                raise FieldError(
                    "packing",
                    f"density_atoms_A3 gives packing {eta:.4f}, not {self.packing} (1 % tolerance)",
                )

    def _sphere_volume_A3(self) -> float:
        """(π/6) Σ c_a σ_a³ in Å³."""
        s3 = sum(c * self.diameters_A[e] ** 3 for e, c in self.composition.items())
        return math.pi / 6.0 * s3

    def packing_from_density(self) -> float:
        """η = (π/6) ρ0 Σ c_a σ_a³ (requires density_atoms_A3)."""
        return float(self.density_atoms_A3 or 0.0) * self._sphere_volume_A3()

    def number_density_atoms_A3(self) -> float:
        """ρ0 in atoms/Å³: the given density, else from the packing, ρ0 = η/((π/6) Σ c_a σ_a³)."""
        if self.density_atoms_A3 is not None:
            return float(self.density_atoms_A3)
        return float(self.packing or 0.0) / self._sphere_volume_A3()


@dataclass(frozen=True, config=SECTION)
class AXSConfig:
    """Anomalous scattering station: AXS plates by name and the one mounted at start, the
    scattering detector on the 2θ arm (SDD with the discriminator's response and windows)
    with its solid angle in sr, scattering-plane azimuth φ in deg (90: vertical plane),
    polarized fraction (None: the source's), flat background (counts/s/eV) and the default
    dwell per Q point in s."""

    samples: dict[str, AXSSampleConfig]
    sample: str
    solid_angle_sr: SolidAngle
    phi_deg: Num = 90.0
    polarization_h: Fraction | None = None
    background_cps_per_eV: NonNegativeNum = 0.0
    dwell_s: PositiveNum = 90.0

    def __post_init__(self) -> None:
        _one_of("sample", self.sample, self.samples, "sample")


@dataclass(frozen=True, config=SECTION)
class PowderSampleConfig:
    """A powder sample of the simulated diffractometer (simulation truth): ``structure``
    (inline: name, spacegroup, cell, sites) or ``cif`` (path), crystallite size in Å (None:
    no size broadening), Lorentzian and Gaussian microstrain, March–Dollase r about
    ``texture_axis`` (hkl), relative scale."""

    structure: dict[str, Any] | None = None
    cif: str | None = None
    size_A: PositiveNum | None = None
    strain: NonNegativeNum = 0.0
    strain_gaussian: NonNegativeNum = 0.0
    march_dollase_r: PositiveNum = 1.0
    texture_axis: list[Int] = dataclasses.field(default_factory=lambda: [0, 0, 1])
    scale: PositiveNum = 1.0
    description: str = ""

    def spec(self) -> dict[str, Any]:
        """Mapping for :func:`axsuite.devices.models.powder.phase_from_spec`."""
        keys = ("size_A", "strain", "strain_gaussian", "march_dollase_r", "texture_axis", "scale")
        out = {k: getattr(self, k) for k in keys}
        out.update({"structure": self.structure} if self.structure else {"cif": self.cif})
        return out

    def __post_init__(self) -> None:
        from axsuite.devices.models.powder import phase_from_spec

        if (self.structure is None) == (self.cif is None):
            raise FieldError("structure", "give exactly one of structure (inline) or cif (path)")
        if len(self.texture_axis) != 3 or not any(self.texture_axis):
            raise FieldError(
                "texture_axis", f"expected [h, k, l] ≠ [0, 0, 0], got {self.texture_axis}"
            )
        phase_from_spec(self.spec())


@dataclass(frozen=True, config=SECTION)
class PowderConfig:
    """Powder diffraction on the 2θ arm: samples by name and the mounted one, the standard
    used by ``calibrate_instrument``, the simulated instrument's true Caglioti U, V, W (deg²)
    and X, Y (deg), count-rate scale (counts/s per unit of m|F|²LP), Chebyshev background
    (counts/s), default scan (energy eV, 2θ [start, stop, step] deg, dwell s) and an optional
    stored instrument calibration (U, V, W, X, Y, wavelength_A, standard, date)."""

    samples: dict[str, PowderSampleConfig]
    sample: str
    instrument: dict[Literal["U", "V", "W", "X", "Y"], Num]
    standard: str = "LaB6"
    counts_scale: PositiveNum = 0.01
    background: list[Num] = dataclasses.field(default_factory=lambda: [50.0])
    energy_eV: PositiveNum = 17000.0
    two_theta: list[Num] = dataclasses.field(default_factory=lambda: [8.0, 40.0, 0.01])
    dwell_s: PositiveNum = 1.0
    calibration: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        _one_of("sample", self.sample, self.samples, "powder sample")
        _one_of("standard", self.standard, self.samples, "powder sample")
        if len(self.instrument) != 5:
            raise FieldError("instrument", "needs exactly U, V, W (deg²), X, Y (deg)")
        start, stop, step = (*self.two_theta, 0.0, 0.0, 0.0)[:3]
        if len(self.two_theta) != 3 or not step > 0 or not start < stop:
            raise FieldError(
                "two_theta", f"expected [start, stop, step] (deg), step > 0, got {self.two_theta}"
            )
