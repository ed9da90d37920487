"""Ion beam line devices (DESIGN §5): ``IonSource``, ``Foil`` (in/out), ``ParticleDetector``.

The physics is :mod:`axsuite.devices.models.ionbeam`; the detector evaluates it at
``trigger()`` from the current source energy/species and foil state, with noise from the
injected generator. Ground truth for tests: :meth:`ParticleDetector.truth`.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from ophyd import Component as Cpt
from ophyd import Device, Kind, Signal, SoftPositioner

from .detectors import _SimCounter
from .models import ionbeam as ib


class _SpeciesSignal(Signal):
    """Ion species name; a put resolves it and updates the parent's Z1 and A1."""

    def put(self, value, **kwargs) -> None:
        ion = ib.resolve_ion(value)
        super().put(str(value), **kwargs)
        self.parent.z1.put(ion.z1)
        self.parent.a1.put(ion.a1)


class IonSource(Device):
    """Accelerator ion source: species (Z1, A1 in u) and kinetic energy setpoint (MeV)."""

    energy = Cpt(SoftPositioner, init_pos=1.0, egu="MeV", kind=Kind.hinted)
    species = Cpt(_SpeciesSignal, value="alpha", kind=Kind.config)
    z1 = Cpt(Signal, value=2, kind=Kind.config)
    a1 = Cpt(Signal, value=4.001506, kind=Kind.config)
    energy_spread_keV = Cpt(Signal, value=5.0, kind=Kind.config)

    def __init__(self, *args, limits_MeV: tuple[float, float] = (0.5, 60.0), **kwargs):
        super().__init__(*args, **kwargs)
        lo, hi = (float(x) for x in limits_MeV)
        if not 0 < lo < hi:
            raise ValueError("source energy limits need 0 < low < high (MeV)")
        self.energy._limits = (lo, hi)

    @property
    def limits_MeV(self) -> tuple[float, float]:
        """Energy range (MeV) of the source."""
        return tuple(self.energy.limits)

    def ion(self) -> ib.IonSpecies:
        """The current projectile."""
        return ib.IonSpecies(str(self.species.get()), int(self.z1.get()), float(self.a1.get()))


class _FoilNameSignal(Signal):
    """Name of the foil loaded in the holder; a put updates formula and areal density."""

    def put(self, value, **kwargs) -> None:
        foils = self.parent.foils
        if value not in foils:
            raise ValueError(f"unknown foil {value!r}; loaded foils: {sorted(foils)}")
        super().put(str(value), **kwargs)
        self.parent.formula.put(foils[value].formula)
        self.parent.areal_density.put(float(foils[value].areal_density_1e15_cm2))


class _InsertedSignal(Signal):
    """Foil state: 1 = in the beam, 0 = out."""

    def put(self, value, **kwargs) -> None:
        if value not in (0, 1, True, False):
            raise ValueError(f"foil state must be 0 (out) or 1 (in), got {value!r}")
        super().put(int(value), **kwargs)


class Foil(Device):
    """Foil actuator (in/out) with the foil's composition and areal density (10¹⁵ atoms/cm²)."""

    inserted = Cpt(_InsertedSignal, value=0, kind=Kind.normal)
    foil = Cpt(_FoilNameSignal, value="", kind=Kind.config)
    formula = Cpt(Signal, value="", kind=Kind.config)
    areal_density = Cpt(Signal, value=0.0, kind=Kind.config)

    def __init__(
        self, *args, foils: Mapping[str, ib.Foil], true_i_eV: Mapping[str, float | None], **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.foils = dict(foils)
        self.true_i_eV = dict(true_i_eV)

    def model(self) -> ib.Foil:
        """The loaded foil."""
        name = self.foil.get()
        if name not in self.foils:
            raise ValueError("no foil loaded in the holder")
        return self.foils[name]


class ParticleDetector(_SimCounter):
    """Silicon surface-barrier detector: centroid (MeV), FWHM (keV), counts of the peak.

    ``spectrum_bins`` > 0 adds the histogram (``spectrum``) to the readings.
    """

    centroid = Cpt(Signal, value=0.0, kind=Kind.hinted)
    fwhm = Cpt(Signal, value=0.0, kind=Kind.normal)
    counts = Cpt(Signal, value=0, kind=Kind.normal)
    spectrum = Cpt(Signal, value=np.zeros(1), kind=Kind.omitted)
    resolution_fwhm_keV = Cpt(Signal, value=12.0, kind=Kind.config)
    rate_per_s = Cpt(Signal, value=2.0e4, kind=Kind.config)
    spectrum_bins = Cpt(Signal, value=0, kind=Kind.config)

    def __init__(self, *args, source: IonSource, foil: Foil, charge_model: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        self.foil_holder = foil
        self.charge_model = charge_model

    def record_spectrum(self, bins: int) -> None:
        """Record a ``bins``-channel spectrum with every reading (0 switches it off)."""
        self.spectrum_bins.put(int(bins))
        self.spectrum.kind = Kind.normal if bins > 0 else Kind.omitted

    def truth(self) -> ib.IonBeamTruth:
        """Ground truth of the current configuration (tests only; analyses never read it)."""
        name = self.foil_holder.foil.get()
        return ib.IonBeamTruth(
            ion=self.source.ion(),
            foil=self.foil_holder.model(),
            i_eV=self.foil_holder.true_i_eV.get(name),
            charge_model=self.charge_model,
            energy_spread_fwhm_keV=float(self.source.energy_spread_keV.get()),
            detector_fwhm_keV=float(self.resolution_fwhm_keV.get()),
            rate_per_s=float(self.rate_per_s.get()),
        )

    def _compute(self) -> None:
        r = ib.measure_peak(
            self.truth(),
            float(self.source.energy.position),
            foil_in=bool(self.foil_holder.inserted.get()),
            dwell_s=float(self.count_time.get()),
            rng=self.rng,
            spectrum_bins=int(self.spectrum_bins.get()),
        )
        self.centroid.put(r.centroid_MeV)
        self.fwhm.put(r.fwhm_keV)
        self.counts.put(r.counts)
        if r.spectrum is not None:
            self.spectrum.put(r.spectrum)


def make_ion_beam(
    cfg, *, rng: np.random.Generator, simulate_time: bool = False
) -> dict[str, Device]:
    """Ion source, foil holder and particle detector from a profile ``ion_beam`` section."""
    source = IonSource(name="ion_source", limits_MeV=(cfg.energy_min_MeV, cfg.energy_max_MeV))
    source.species.put(cfg.ion)
    source.energy_spread_keV.put(cfg.energy_spread_fwhm_keV)
    source.energy.move(cfg.energy_min_MeV)
    foils = {n: ib.Foil(f.formula, f.areal_density_1e15_cm2) for n, f in cfg.foils.items()}
    true_i = {n: f.true_mean_excitation_eV for n, f in cfg.foils.items()}
    foil = Foil(name="foil", foils=foils, true_i_eV=true_i)
    foil.foil.put(cfg.foil)
    pdet = ParticleDetector(
        name="pdet",
        source=source,
        foil=foil,
        charge_model=cfg.charge_model,
        rng=rng,
        simulate_time=simulate_time,
    )
    pdet.resolution_fwhm_keV.put(cfg.detector_fwhm_keV)
    pdet.rate_per_s.put(cfg.rate_per_s)
    return {"ion_source": source, "foil": foil, "pdet": pdet}
