"""Powder-diffraction point detector on the 2θ arm (ophyd, simulated).

At ``trigger()`` it evaluates :class:`axsuite.devices.models.powder.PowderPatternModel` of
the mounted sample at the delivered mono energy and the arm's 2θ, scales by the ring's flux
factor and the count time, and draws Poisson counts from the injected generator. The
instrument calibration in use (Caglioti U, V, W, X, Y; date; standard; wavelength) lives in
``config`` signals, set by ``calibrate_instrument`` and recorded in every run's descriptor.
Ground truth for tests: :meth:`PowderDetector.truth`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import numpy as np
from axsuite.analysis.lineprofile import InstrumentFunction
from ophyd import Component as Cpt
from ophyd import Kind, Signal

from .detectors import _SimCounter
from .models.powder import PowderPatternModel, PowderPhase, phase_from_spec


class _SampleSignal(Signal):
    """Name of the mounted powder sample; a put checks it."""

    def put(self, value, **kwargs) -> None:
        if value not in self.parent.phases:
            raise ValueError(
                f"unknown powder sample {value!r}; known: {sorted(self.parent.phases)}"
            )
        super().put(str(value), **kwargs)


class PowderDetector(_SimCounter):
    """Scintillator on the 2θ arm counting a powder pattern point by point.

    Parameters
    ----------
    dcm, arm, ring : the spine's monochromator, 2θ arm and ring-current devices
    phases : sample name → :class:`PowderPhase` (simulation truth)
    instrument : true instrument function of the simulated diffractometer
    counts_scale : counts/s per unit of m|F|²LP; background : Chebyshev coefficients (counts/s)
    polarization : horizontal polarized fraction (vertical scattering plane)
    """

    counts = Cpt(Signal, value=0.0, kind=Kind.hinted)
    sample = Cpt(_SampleSignal, value="", kind=Kind.config)
    calibration = Cpt(Signal, value="", kind=Kind.config)

    def __init__(
        self,
        *args,
        dcm,
        arm,
        ring,
        phases: Mapping[str, PowderPhase],
        instrument: InstrumentFunction,
        counts_scale: float,
        background,
        polarization: float,
        **kwargs,
    ):
        self.phases = dict(phases)
        super().__init__(*args, **kwargs)
        self.dcm, self.arm, self.ring = dcm, arm, ring
        self.instrument = instrument
        self.counts_scale = float(counts_scale)
        self.background = tuple(float(b) for b in background)
        self.polarization = float(polarization)
        self._models: dict[tuple[str, float], PowderPatternModel] = {}

    def model(self) -> PowderPatternModel:
        """Pattern model of the mounted sample at the delivered energy (cached)."""
        name = str(self.sample.get())
        if name not in self.phases:
            raise ValueError("no powder sample mounted (put a name into the sample signal)")
        energy = round(float(self.dcm.delivered_energy_eV()), 4)
        key = (name, energy)
        if key not in self._models:
            lo, hi = self.arm.two_theta.limits
            self._models[key] = PowderPatternModel(
                [self.phases[name]],
                energy,
                self.instrument,
                two_theta_min_deg=max(float(lo), 0.5),
                two_theta_max_deg=min(float(hi), 170.0),
                polarization=self.polarization,
                counts_scale=self.counts_scale,
                background=self.background,
            )
        return self._models[key]

    def _compute(self) -> None:
        tt = float(self.arm.two_theta.position)
        rate = float(self.model().rate(tt)) * self.ring.flux_factor()
        self.counts.put(float(self.rng.poisson(max(rate, 0.0) * float(self.count_time.get()))))

    def set_calibration(self, instrument: InstrumentFunction) -> None:
        """Store the instrument calibration in use (JSON in the ``calibration`` signal)."""
        self.calibration.put(json.dumps(instrument.to_dict()))

    def current_calibration(self) -> InstrumentFunction | None:
        """The stored instrument calibration, or None."""
        text = str(self.calibration.get())
        return InstrumentFunction.from_dict(json.loads(text)) if text else None

    def truth(self) -> dict:
        """Simulation truth of the mounted sample (tests only)."""
        ph = self.phases[str(self.sample.get())]
        return {
            "size_A": ph.size_A,
            "strain": ph.strain,
            "march_dollase_r": ph.march_dollase_r,
            "texture_axis": ph.texture_axis,
            "instrument": self.instrument,
        }


def make_powder(profile, *, dcm, arm, ring, rng: np.random.Generator, simulate_time=False):
    """The powder detector from a profile's ``powder`` section (sample mounted, calibration
    loaded if the profile stores one)."""
    cfg = profile.powder
    phases = {name: phase_from_spec(s.spec()) for name, s in cfg.samples.items()}
    det = PowderDetector(
        name="xrd",
        dcm=dcm,
        arm=arm,
        ring=ring,
        phases=phases,
        instrument=InstrumentFunction(**cfg.instrument),
        counts_scale=cfg.counts_scale,
        background=cfg.background,
        polarization=profile.source.polarization_h,
        rng=rng,
        simulate_time=simulate_time,
    )
    det.sample.put(cfg.sample)
    if cfg.calibration:
        det.set_calibration(InstrumentFunction.from_dict(cfg.calibration))
    return det
