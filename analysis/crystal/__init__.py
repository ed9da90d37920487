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

Modules: :mod:`.structure` (sites, cells, CIF/mapping input), :mod:`.reflections` (metric,
gemmi reflection lists, March–Dollase averages), :mod:`.intensity` (|F|², Lorentz–
polarization, I0 — with the references for each formula), :mod:`.cif` (CIF output with
esds), :mod:`.standards` (inline LaB6, CeO2, brucite structures shared by tests/benchmarks).
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
