"""Crystal structures, powder reflections and structure factors (gemmi + xraylib/xraydb).

Public API
----------
AtomSite, Crystal : frozen descriptions of a structure (cell in Å/deg, fractional sites,
    chemical occupancies, U_iso in Å²).
crystal_from_cif(path_or_text), crystal_from_dict(mapping) : constructors (CIF via gemmi,
    inline mappings as in the beamline profile).
reciprocal_metric(cell), d_spacing(hkl, cell) : 1/d² = hᵀ G* h (Å).
generate_reflections(crystal, d_min_A) -> Reflections : all symmetry-unique reflections of
    the space group with powder multiplicities (Friedel pairs merged) and their equivalents.
StructureFactorCalculator : |F|² with f = f0(Q) + f' + i f'' at the beam energy and
    Debye–Waller factors, fast for refinement (per-site phase sums precomputed).
lorentz_polarization(two_theta_deg, *, polarization=0.5, monochromator_two_theta_deg=None)
powder_intensities(crystal, wavelength_A, two_theta_max_deg, ...) -> PowderReflections :
    computed integrated intensities I0 = m |F|² LP (used for Harris texture coefficients).

References
----------
* Structure factor and Debye–Waller factor: International Tables for Crystallography
  Vol. C (2006), §6.1.1 (doi:10.1107/97809553602060000103);
  F(h) = Σ_j o_j f_j(Q) exp(2πi h·x_j) exp(−8π² U_j sin²θ/λ²).
* Lorentz–polarization for a flat powder specimen: Pecharsky & Zavalij, *Fundamentals of
  Powder Diffraction* (2nd ed., 2009) §8.6.4; L = 1/(sin²θ cosθ),
  P = k + (1 − k) cos²2θ (k = 0.5 unpolarized; k = horizontal polarized fraction for a
  vertical scattering plane, DESIGN §7.2) and, with a diffracted-beam monochromator at 2θ_M,
  P = (1 + cos²2θ_M cos²2θ)/(1 + cos²2θ_M) for an unpolarized beam.
* March–Dollase: Dollase, J. Appl. Cryst. 19 (1986) 267 (doi:10.1107/S0021889886089458).
* Metric tensor: Giacovazzo et al., *Fundamentals of Crystallography* (3rd ed., 2011) §2.
"""

from .intensity import (
    PowderReflections,
    StructureFactorCalculator,
    lorentz_polarization,
    powder_intensities,
)
from .reflections import (
    Reflections,
    d_spacing,
    generate_reflections,
    march_dollase_factors,
    reciprocal_metric,
)
from .structure import (
    AtomSite,
    Crystal,
    cell_from_parameters,
    crystal_from_cif,
    crystal_from_dict,
    lattice_parameter_names,
)

__all__ = [
    "AtomSite",
    "Crystal",
    "PowderReflections",
    "Reflections",
    "StructureFactorCalculator",
    "cell_from_parameters",
    "crystal_from_cif",
    "crystal_from_dict",
    "d_spacing",
    "generate_reflections",
    "lattice_parameter_names",
    "lorentz_polarization",
    "march_dollase_factors",
    "powder_intensities",
    "reciprocal_metric",
]
