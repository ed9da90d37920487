"""Electronic stopping powers of ions in matter (seed 003, DESIGN §7.5 and §8).

Units: ion energy in MeV/u (kinetic energy per atomic mass unit; keV where a published
formula demands it), stopping in MeV cm²/g, with converters to eV/(10¹⁵ atoms/cm²) and
keV/µm. A ``target`` is an element symbol, an atomic number, a chemical formula or a mapping
element → amount; compounds follow Bragg's additivity rule.

Modules (every public name is re-exported here):

* :mod:`.bethe` — Bethe–Bloch with shell, Barkas, Bloch, Mott and density-effect terms;
* :mod:`.empirical` — ICRU 49 / Andersen–Ziegler protons, Ziegler 1977 helium, Brice;
* :mod:`.effective_charge` — ZBL 1985, Brandt–Kitagawa, Brown–Moak, Anthony–Lanford;
* :mod:`.model` — :func:`electronic_stopping` and :func:`proton_stopping` (model per regime);
* :mod:`.compounds` — target composition, Bragg's rule for I;
* :mod:`.ranges` — CSDA range, Bohr and Lindhard–Scharff straggling, SRIM-like tables;
* :mod:`.fits` — fits of I and of Ziegler coefficients, stopping from foil energy losses;
* :mod:`.units` — unit converters; :mod:`.tables` — coefficient tables (``data/elements.csv``).
"""

from __future__ import annotations

from ..xray import atomic_weight
from ._common import (
    ALPHA,
    ALPHA_PARTICLE_MASS_U,
    AMU_MEV,
    E_MAX_MEV_U,
    E_MIN_MEV_U,
    K_MEV_CM2_MOL,
    PROTON_MASS_U,
    beta_from_energy,
)
from .bethe import (
    BetheTerms,
    barkas_correction,
    bethe_stopping,
    bethe_terms,
    bloch_correction,
    density_effect,
    mott_correction,
    shell_correction,
)
from .compounds import mean_excitation_energy_eV, target_composition
from .effective_charge import (
    CHARGE_MODELS,
    brandt_ionization_fraction,
    effective_charge_ratio,
    helium_effective_charge_sq,
    proton_effective_charge_sq,
    zbl_ionization_fraction,
)
from .empirical import (
    andersen_ziegler_proton,
    brice_stopping,
    five_parameter_stopping,
    ziegler_helium,
)
from .fits import (
    EnergyLossPoints,
    FiveParameterFit,
    MeanExcitationFit,
    effective_charge_from_stopping,
    fit_five_parameter,
    fit_mean_excitation,
    stopping_from_energy_loss,
)
from .model import HELIUM_MODELS, electronic_stopping, proton_stopping
from .ranges import (
    StoppingTable,
    bohr_straggling_keV,
    csda_range_g_cm2,
    lindhard_scharff_straggling_keV,
    stopping_table,
)
from .tables import (
    BRANDT_IONIZATION_Q,
    BRANDT_REDUCED_VELOCITY_B126,
    ICRU49_PROTON,
    MEAN_EXCITATION_EV,
    MEAN_EXCITATION_SOURCE,
    ZBL_FERMI_VELOCITY,
    ZIEGLER_HELIUM,
)
from .units import (
    ev_1e15_to_mev_cm2_g,
    kev_um_to_mev_cm2_g,
    mev_cm2_g_to_ev_1e15,
    mev_cm2_g_to_kev_um,
)

__all__ = [
    "ALPHA",
    "ALPHA_PARTICLE_MASS_U",
    "AMU_MEV",
    "BRANDT_IONIZATION_Q",
    "BRANDT_REDUCED_VELOCITY_B126",
    "CHARGE_MODELS",
    "E_MAX_MEV_U",
    "E_MIN_MEV_U",
    "HELIUM_MODELS",
    "ICRU49_PROTON",
    "K_MEV_CM2_MOL",
    "MEAN_EXCITATION_EV",
    "MEAN_EXCITATION_SOURCE",
    "PROTON_MASS_U",
    "ZBL_FERMI_VELOCITY",
    "ZIEGLER_HELIUM",
    "BetheTerms",
    "EnergyLossPoints",
    "FiveParameterFit",
    "MeanExcitationFit",
    "StoppingTable",
    "andersen_ziegler_proton",
    "atomic_weight",
    "barkas_correction",
    "beta_from_energy",
    "bethe_stopping",
    "bethe_terms",
    "bloch_correction",
    "bohr_straggling_keV",
    "brandt_ionization_fraction",
    "brice_stopping",
    "csda_range_g_cm2",
    "density_effect",
    "effective_charge_from_stopping",
    "effective_charge_ratio",
    "electronic_stopping",
    "ev_1e15_to_mev_cm2_g",
    "fit_five_parameter",
    "fit_mean_excitation",
    "five_parameter_stopping",
    "helium_effective_charge_sq",
    "kev_um_to_mev_cm2_g",
    "lindhard_scharff_straggling_keV",
    "mean_excitation_energy_eV",
    "mev_cm2_g_to_ev_1e15",
    "mev_cm2_g_to_kev_um",
    "mott_correction",
    "proton_effective_charge_sq",
    "proton_stopping",
    "shell_correction",
    "stopping_from_energy_loss",
    "stopping_table",
    "target_composition",
    "zbl_ionization_fraction",
    "ziegler_helium",
]
