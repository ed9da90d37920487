"""Scattering detector on the 2θ arm for anomalous X-ray scattering (DESIGN §5, §7.3).

An SDD with the discriminator's response (resolution, MCA, paralyzable dead time) that
looks at the AXS plate mounted on the diffractometer (flat plate, symmetric reflection:
incidence = exit = 2θ/2). At ``trigger()`` it evaluates
:meth:`axsuite.devices.models.axs_sample.AXSSample.window_counts` at the delivered photon
energy, the arm's 2θ and the discriminator's current windows (elastic E ± k·FWHM, re-centred
with the mono; Compton at E_C(2θ); fluorescence ROI), with Poisson noise from the injected
generator. Window bounds (eV) are readings, so every point records what it counted.

Public API: :class:`ScatteringDetector`, :func:`make_axs_samples`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
from ophyd import Component as Cpt
from ophyd import Kind, Signal

from .detectors import Arm, BeamPath, Discriminator, WindowedCounter
from .models.axs_sample import AXSSample
from .models.hardspheres import HardSphereMixture
from .models.spectrum import DetectorResponse, Geometry


def make_axs_samples(
    config: Any, nearedge: Mapping[str, Any] | None = None
) -> dict[str, AXSSample]:
    """AXS sample models (hard-sphere truth) from a profile ``axs`` section (AXSConfig).

    ρ0 is the profile's ``density_atoms_A3`` if given, else it follows from the packing
    fraction η = (π/6) ρ0 Σ c_a σ_a³. ``nearedge`` (element → near-edge truth model with
    ``fpp``/``fp``, as the foils get) gives the plate's f', f'' near the edges.
    """
    edges = dict(nearedge or {})
    out = {}
    for name, s in config.samples.items():
        if s.density_atoms_A3 is not None:
            els = tuple(s.composition)
            hs = HardSphereMixture(
                els,
                tuple(s.composition[e] for e in els),
                tuple(s.diameters_A[e] for e in els),
                s.density_atoms_A3,
            )
        else:
            hs = HardSphereMixture.from_packing(s.composition, s.diameters_A, s.packing)
        out[name] = AXSSample(
            hs,
            s.thickness_cm,
            nearedge={el: m for el, m in edges.items() if el in s.composition},
            background_cps_per_eV=config.background_cps_per_eV,
        )
    return out


class ScatteringDetector(WindowedCounter):
    """SDD on the 2θ arm counting the AXS plate: elastic, Compton, fluorescence, total windows.

    ``dead_time`` is the paralyzable dead fraction 1 − exp(−R·τ) of the true rate R;
    ``saturated`` is 1 when it exceeds the profile limit. ``sample`` names the mounted plate;
    ``solid_angle`` (sr) and ``phi_deg`` (scattering-plane azimuth from horizontal, deg) and
    ``polarization_h`` are configuration.
    """

    elastic = Cpt(Signal, value=0, kind=Kind.hinted)
    sample = Cpt(Signal, value="", kind=Kind.config)
    solid_angle = Cpt(Signal, value=0.02, kind=Kind.config)
    phi_deg = Cpt(Signal, value=90.0, kind=Kind.config)
    polarization_h = Cpt(Signal, value=0.98, kind=Kind.config)

    def __init__(
        self,
        *args,
        beam: BeamPath,
        arm: Arm,
        disc: Discriminator,
        samples: Mapping[str, AXSSample],
        response: DetectorResponse,
        doppler_fraction: float,
        saturation_dead_fraction: float,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.beam, self.arm, self.disc, self.response = beam, arm, disc, response
        self.samples = dict(samples)
        self.doppler_fraction = doppler_fraction
        self.saturation_dead_fraction = saturation_dead_fraction

    def model(self) -> AXSSample:
        """The mounted plate's model (simulation truth; analyses must not read it)."""
        name = self.sample.get()
        if name not in self.samples:
            raise ValueError(f"no AXS sample {name!r} mounted (known: {sorted(self.samples)})")
        return self.samples[name]

    def geometry(self) -> Geometry:
        """Flat plate in symmetric reflection about the arm's current 2θ."""
        tth = float(self.arm.two_theta.position)
        half = max(abs(tth) / 2.0, 0.5)
        return Geometry(tth, half, half, float(self.phi_deg.get()), float(self.solid_angle.get()))

    def _compute(self) -> None:
        dwell = float(self.count_time.get())
        e, n = self.beam.incident_photons("sample", dwell)
        w = self.disc.windows_eV()
        counts = self.model().window_counts(
            e,
            self.geometry(),
            n,
            dwell,
            w,
            self.response,
            polarization_h=float(self.polarization_h.get()),
            doppler_fraction=self.doppler_fraction,
            rng=self.rng,
        )
        self._put_counts(counts, float(counts["dead_time"]), self.saturation_dead_fraction)
        self._put_windows(w)

    def truth(self, q_invA: np.ndarray, r_A: np.ndarray) -> dict[str, np.ndarray]:
        """Ground truth of the mounted plate (S_ab, g_ab, N_ab) for tests."""
        return self.model().truth(q_invA, r_A)
