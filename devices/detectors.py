"""Simulated detectors and stages of the AXS beamline (ophyd.sim style).

Every reading is a function of the current beamline state (delivered photon energy, what
sits in the beam, ring current, 2θ) evaluated at ``trigger()`` by the pure models in
:mod:`axsuite.devices.models`, with noise from an injected ``numpy.random.Generator``.
A positive ``count_time`` with ``simulate_time=True`` makes ``trigger`` take that long.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

import numpy as np
from axsuite.analysis import xray
from ophyd import Component as Cpt
from ophyd import Device, Kind, Signal, SoftPositioner
from ophyd.status import DeviceStatus

from .models.absorber import Absorber, IonChamberModel
from .models.spectrum import (
    DetectorResponse,
    Geometry,
    emission_lines,
    expected_spectrum,
    live_fraction,
    window_sum,
)
from .mono import DCM


class RingCurrent(Device):
    """Storage-ring current (mA) with scripted beam dumps and refills."""

    current = Cpt(Signal, value=400.0, kind=Kind.normal)
    nominal = Cpt(Signal, value=400.0, kind=Kind.config)

    def dump(self, duration_s: float) -> None:
        """Drop the current to 0 mA now and refill to nominal after ``duration_s`` seconds."""
        self.current.put(0.0)
        timer = threading.Timer(duration_s, self.refill)
        timer.daemon = True
        timer.start()

    def refill(self) -> None:
        """Restore the nominal current."""
        self.current.put(self.nominal.get())

    def flux_factor(self) -> float:
        """Photon flux relative to nominal (current / nominal current)."""
        return max(self.current.get(), 0.0) / self.nominal.get()


class SampleStage(Device):
    """Sample position (transmission, before ``It``): ``sample`` names a profile sample."""

    sample = Cpt(Signal, value="", kind=Kind.config)

    def __init__(self, *args, absorbers: Mapping[str, Absorber], **kwargs):
        super().__init__(*args, **kwargs)
        self.absorbers = dict(absorbers)

    def absorber(self) -> Absorber | None:
        """The absorber in the beam, or None when the position is empty."""
        name = self.sample.get()
        return self.absorbers.get(name) if name else None

    def transmission(self, energy_eV: float) -> float:
        """Transmitted fraction of the sample in the beam (1 if empty)."""
        ab = self.absorber()
        return 1.0 if ab is None else float(ab.transmission(energy_eV))


class Arm(Device):
    """2θ arm carrying the discriminator (and scattering detector); angle in deg."""

    two_theta = Cpt(SoftPositioner, init_pos=90.0, egu="deg", kind=Kind.hinted)

    def __init__(self, *args, limits_deg: tuple[float, float] = (-5.0, 150.0), **kwargs):
        super().__init__(*args, **kwargs)
        self.two_theta._limits = tuple(float(x) for x in limits_deg)


class _SimCounter(Device):
    """Base of the counting detectors: ``count_time`` (s) and a simulated dwell."""

    count_time = Cpt(Signal, value=1.0, kind=Kind.config)

    def __init__(self, *args, rng: np.random.Generator, simulate_time: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.rng = rng
        self.simulate_time = simulate_time

    def _compute(self) -> None:
        raise TypeError(f"{type(self).__name__} must define _compute()")

    def trigger(self) -> DeviceStatus:
        """Evaluate the model, then finish after the dwell if time is simulated."""
        status = DeviceStatus(self)
        self._compute()
        dwell = self.count_time.get() if self.simulate_time else 0.0
        if dwell > 0:
            timer = threading.Timer(dwell, status.set_finished)
            timer.daemon = True
            timer.start()
        else:
            status.set_finished()
        return status


class BeamPath:
    """Photon numbers along the beam: I0 gas → sample → It gas → reference foil → Iref gas."""

    def __init__(
        self,
        dcm: DCM,
        ring: RingCurrent,
        stage: SampleStage,
        ref: SampleStage,
        chambers: Mapping[str, IonChamberModel],
        flux_ph_s: float,
    ):
        self.dcm, self.ring, self.stage, self.ref = dcm, ring, stage, ref
        self.chambers = dict(chambers)
        self.flux_ph_s = flux_ph_s

    def incident_photons(self, position: str, dwell_s: float) -> tuple[float, float]:
        """(delivered energy in eV, photons reaching ``position``) for a dwell in s."""
        e = self.dcm.delivered_energy_eV()
        n = self.flux_ph_s * self.ring.flux_factor() * dwell_s
        order = ("I0", "sample", "It", "ref", "Iref")
        for step in order[: order.index(position)]:
            if step == "sample":
                n *= self.stage.transmission(e)
            elif step == "ref":
                n *= self.ref.transmission(e)
            else:
                n *= float(self.chambers[step].gas.transmission(e))
        return e, n


#: Relative amplifier gains (counts per photo-absorbed photon) of the chambers. The long
#: argon-filled It and Iref chambers absorb far more than the thin nitrogen I0 chamber, so
#: their current amplifiers are set 20× and 100× less sensitive, as a beamline sets gains
#: to keep every chamber in range; then ln(I0/It) is positive below the Cu and Zr edges as
#: on a beamline's plot. I0 keeps 1: one I0 count is one absorbed photon (the AXS
#: normalization and its test rely on it).
DEFAULT_GAINS: dict[str, float] = {"I0": 1.0, "It": 0.05, "Iref": 0.01}


class IonChamber(_SimCounter):
    """Gas ion chamber: photo-absorbed photons in the fill gas (Poisson) × amplifier gain.

    ``gain`` (config) is the relative gain of the current amplifier and V/F converter in
    counts per absorbed photon (default :data:`DEFAULT_GAINS` of the position); the noise
    stays the photons' shot noise, scaled.
    """

    counts = Cpt(Signal, value=0, kind=Kind.hinted)
    gas = Cpt(Signal, value="", kind=Kind.config)
    length_cm = Cpt(Signal, value=0.0, kind=Kind.config)
    gain = Cpt(Signal, value=1.0, kind=Kind.config)

    def __init__(self, *args, beam: BeamPath, position: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.beam = beam
        self.position = position
        self.gain.put(DEFAULT_GAINS.get(position, 1.0))

    def _compute(self) -> None:
        e, n = self.beam.incident_photons(self.position, self.count_time.get())
        mean = self.beam.chambers[self.position].expected_counts(e, n)
        self.counts.put(int(round(self.rng.poisson(mean) * float(self.gain.get()))))


class WindowedCounter(_SimCounter):
    """Energy-resolving counter: window counts, dead fraction and window bounds (eV)."""

    elastic = Cpt(Signal, value=0, kind=Kind.normal)
    compton = Cpt(Signal, value=0, kind=Kind.normal)
    fluorescence = Cpt(Signal, value=0, kind=Kind.normal)
    total = Cpt(Signal, value=0, kind=Kind.normal)
    dead_time = Cpt(Signal, value=0.0, kind=Kind.normal)
    saturated = Cpt(Signal, value=0, kind=Kind.normal)
    elastic_low = Cpt(Signal, value=0.0, kind=Kind.normal)
    elastic_high = Cpt(Signal, value=0.0, kind=Kind.normal)
    compton_low = Cpt(Signal, value=0.0, kind=Kind.normal)
    compton_high = Cpt(Signal, value=0.0, kind=Kind.normal)
    fluor_low = Cpt(Signal, value=0.0, kind=Kind.normal)
    fluor_high = Cpt(Signal, value=0.0, kind=Kind.normal)

    def _put_windows(self, w: Mapping[str, tuple[float, float]]) -> None:
        """Record window bounds (eV) for elastic, compton and fluorescence."""
        for name, short in (
            ("elastic", "elastic"),
            ("compton", "compton"),
            ("fluorescence", "fluor"),
        ):
            getattr(self, f"{short}_low").put(float(w[name][0]))
            getattr(self, f"{short}_high").put(float(w[name][1]))

    def _put_counts(self, counts: Mapping[str, float], dead_fraction: float, limit: float) -> None:
        """Record window counts, the dead fraction and the saturation flag (dead > limit)."""
        for name in ("elastic", "compton", "fluorescence", "total"):
            getattr(self, name).put(int(counts[name]))
        self.dead_time.put(float(dead_fraction))
        self.saturated.put(int(dead_fraction > limit))


class Discriminator(WindowedCounter):
    """SDD + MCA with windows: elastic (follows the mono), Compton, fluorescence ROI, total.

    Window bounds (eV) are readings, so replay knows the windows of every point. The
    elastic window is E ± ``elastic_halfwidth_fwhm``·FWHM(E) and is re-centred whenever
    the mono energy moves; the Compton window sits at E_C(2θ); the fluorescence window is
    the profile ROI named by ``roi`` (e.g. ``"Cu_K"``). ``dead_time`` is the paralyzable
    dead fraction 1 − exp(−R·τ); ``saturated`` is 1 when it exceeds the profile limit.
    """

    fluorescence = Cpt(Signal, value=0, kind=Kind.hinted)
    spectrum = Cpt(Signal, value=np.zeros(1), kind=Kind.omitted)
    roi = Cpt(Signal, value="", kind=Kind.config)
    phi_deg = Cpt(Signal, value=0.0, kind=Kind.config)

    def __init__(
        self,
        *args,
        beam: BeamPath,
        arm: Arm,
        response: DetectorResponse,
        rois: Mapping[str, tuple[float, float]],
        elastic_halfwidth_fwhm: float,
        compton_halfwidth_eV: float,
        polarization_h: float,
        doppler_fraction: float,
        solid_angle_sr: float,
        saturation_dead_fraction: float,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.beam, self.arm, self.response = beam, arm, response
        self.rois = dict(rois)
        self.elastic_halfwidth_fwhm = elastic_halfwidth_fwhm
        self.compton_halfwidth_eV = compton_halfwidth_eV
        self.polarization_h = polarization_h
        self.doppler_fraction = doppler_fraction
        self.solid_angle_sr = solid_angle_sr
        self.saturation_dead_fraction = saturation_dead_fraction
        self.beam.dcm.energy.subscribe(self._recentre, run=True)
        self.arm.two_theta.subscribe(self._recentre, run=False)
        self.roi.subscribe(self._recentre, run=False)

    def record_spectrum(self, enabled: bool = True) -> None:
        """Include the MCA spectrum (array, counts per channel) in every reading."""
        self.spectrum.kind = Kind.normal if enabled else Kind.omitted

    def windows_eV(self) -> dict[str, tuple[float, float]]:
        """Current window bounds in eV: elastic, compton, fluorescence."""
        e = float(self.beam.dcm.energy.position)
        half = self.elastic_halfwidth_fwhm * float(self.response.fwhm_eV(e))
        e_c = float(xray.compton_energy_eV(e, self.arm.two_theta.position))
        fl = self.rois.get(self.roi.get(), (0.0, 0.0))
        return {
            "elastic": (e - half, e + half),
            "compton": (e_c - self.compton_halfwidth_eV, e_c + self.compton_halfwidth_eV),
            "fluorescence": fl,
        }

    def _recentre(self, *args, **kwargs) -> None:
        self._put_windows(self.windows_eV())

    def geometry(self) -> Geometry:
        """Flat-plate geometry: symmetric reflection about the current 2θ."""
        tth = float(self.arm.two_theta.position)
        half = max(abs(tth) / 2.0, 0.5)
        return Geometry(tth, half, half, self.phi_deg.get(), self.solid_angle_sr)

    def _compute(self) -> None:
        dwell = self.count_time.get()
        e, n = self.beam.incident_photons("sample", dwell)
        ab = self.beam.stage.absorber()
        lines = (
            []
            if ab is None
            else emission_lines(ab, e, self.geometry(), self.polarization_h, self.doppler_fraction)
        )
        expected = expected_spectrum(lines, self.response, n)
        rate = expected.sum() / dwell if dwell > 0 else 0.0
        live = live_fraction(rate, self.response.dead_time_s)
        spec = self.rng.poisson(expected * live).astype(float)
        w = self.windows_eV()
        counts = {name: window_sum(spec, *w[name], self.response) for name in w}
        counts["total"] = spec.sum()
        self._put_counts(counts, 1.0 - live, self.saturation_dead_fraction)
        self.spectrum.put(spec)


class DwellTime(Signal):
    """Settable dwell time (s) that propagates to every counter's ``count_time``.

    Lets plans scan (energy, dwell) together with ``scan_nd`` over a cycler.
    """

    def __init__(self, *args, counters: list[_SimCounter] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.counters: list[_SimCounter] = list(counters or [])

    def put(self, value, **kwargs) -> None:
        """Set the dwell (s, > 0) on every registered counter."""
        if value <= 0:
            raise ValueError(f"dwell time must be positive, got {value} s")
        for c in self.counters:
            c.count_time.put(float(value))
        super().put(float(value), **kwargs)
