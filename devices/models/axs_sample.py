"""Measured-intensity model of an AXS sample on the 2θ arm (flat plate, reflection).

Per incident photon, into the detector solid angle Ω, a line of the spectrum produced
with differential cross section dσ/dΩ per atom has the flat-plate yield

    n_at · dσ/dΩ · P(2θ) · Ω · A(E, E_out),
    A = [1 − exp(−(μ(E)/sinα + μ(E_out)/sinβ) t)] / [sinα · (μ(E)/sinα + μ(E_out)/sinβ)]

(beam cross-section 1; symmetric thick limit 1/(2μ)). The lines are

* coherent: dσ/dΩ = r_e² I_coh(Q, E), I_coh = ⟨|f|²⟩ + Σ_ab c_a c_b Re(f_a f_b*)(S_ab − 1)
  with Faber–Ziman partials of the hard-sphere truth and f = f0(Q) + f'(E) + i f''(E)
  (Chantler f', f'' unless a near-edge model gives f'');
* Compton: dσ/dΩ = r_e² Σ c_a S_inc,a(Q) (E_C/E)^k, Breit–Dirac exponent k = 2
  (Breit, Phys. Rev. 27, 362 (1926); photon counting, DESIGN §7.3), at E_C(2θ);
* fluorescence and resonant Raman lines of the absorber: the plug-in term, by default
  :func:`axsuite.devices.models.spectrum.emission_lines` without its independent-atom
  elastic and Compton lines;
* a flat background rate (counts/s per eV of spectrum) if set.

Polarization P from :func:`axsuite.analysis.absorption.polarization_factor` (DESIGN §7.2).
The detector (resolution, windows, dead time, Poisson noise) is the discriminator model of
:mod:`axsuite.devices.models.spectrum`.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping

import numpy as np
from axsuite.analysis import xray
from axsuite.analysis.absorption import polarization_factor
from axsuite.analysis.constants import AVOGADRO, FWHM_PER_SIGMA, R_E_CM
from numpy.typing import ArrayLike
from scipy.special import ndtr

from .absorber import Absorber
from .hardspheres import HardSphereMixture
from .spectrum import (
    DetectorResponse,
    Geometry,
    Line,
    emission_lines,
    live_fraction,
)

#: A plug-in for the non-scattering lines: (absorber, energy_eV, geometry, p_h) → lines.
LeakageModel = Callable[[Absorber, float, Geometry, float], list[Line]]


def absorber_lines(
    absorber: Absorber, energy_eV: float, geom: Geometry, polarization_h: float
) -> list[Line]:
    """Fluorescence and resonant-Raman lines of the discriminator model (no elastic/Compton)."""
    lines = emission_lines(absorber, energy_eV, geom, polarization_h)
    return [ln for ln in lines if ln.name not in ("elastic", "compton")]


@dataclasses.dataclass(frozen=True)
class AXSSample:
    """An amorphous flat plate with a hard-sphere truth, seen in symmetric reflection.

    ``structure`` gives composition, ρ0 (atoms/Å³) and the partials; ``thickness_cm`` the
    plate thickness; ``nearedge`` optional element → model with ``fpp(E)`` (f'' with
    near-edge structure) and optionally ``fp(E)`` (else f' stays Chantler);
    ``compton_exponent`` k of (E_C/E)^k; ``leakage`` the fluorescence/RRS plug-in;
    ``background_cps_per_eV`` a flat background.
    """

    structure: HardSphereMixture
    thickness_cm: float
    nearedge: Mapping[str, object] = dataclasses.field(default_factory=dict)
    compton_exponent: float = 2.0
    leakage: LeakageModel = absorber_lines
    background_cps_per_eV: float = 0.0
    _cache: dict = dataclasses.field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.thickness_cm <= 0:
            raise ValueError("plate thickness must be positive (cm)")
        if self.background_cps_per_eV < 0:
            raise ValueError("background rate must be ≥ 0 (counts/s/eV)")

    @property
    def composition(self) -> dict[str, float]:
        """Element → atomic fraction."""
        return self.structure.composition

    @property
    def mass_density_g_cm3(self) -> float:
        """ρ = ρ0 Σ c_a A_a / N_A in g/cm³ (ρ0 from Å⁻³ to cm⁻³)."""
        mean_a = sum(c * xray.atomic_weight(e) for e, c in self.composition.items())
        return self.structure.density_atoms_A3 * 1e24 * mean_a / AVOGADRO

    @property
    def absorber(self) -> Absorber:
        """The plate as an absorber (same composition, density, thickness, near-edge f'')."""
        if "absorber" not in self._cache:
            self._cache["absorber"] = Absorber(
                self.composition, self.mass_density_g_cm3, self.thickness_cm, dict(self.nearedge)
            )
        return self._cache["absorber"]

    def anomalous_factors(self, energy_eV: float) -> dict[str, complex]:
        """True f' + i f'' (electrons) of every element at ``energy_eV`` (cached per energy)."""
        key = ("factors", float(energy_eV))
        if key in self._cache:
            return dict(self._cache[key])
        e = np.atleast_1d(float(energy_eV))
        out = {}
        for el in self.structure.elements:
            model = self.nearedge.get(el)
            fpp = model.fpp(e) if model is not None else xray.chantler_fpp(el, e)
            fp = model.fp(e) if hasattr(model, "fp") else xray.chantler_fp(el, e)
            out[el] = complex(float(np.ravel(fp)[0]), float(np.ravel(fpp)[0]))
        if len(self._cache) > 256:
            self._cache.clear()
        self._cache[key] = dict(out)
        return out

    def coherent_intensity(self, q_invA: ArrayLike, energy_eV: float) -> np.ndarray:
        """True I_coh(Q, E) in electron units per atom."""
        q = np.atleast_1d(np.asarray(q_invA, dtype=float))
        fac = self.anomalous_factors(energy_eV)
        els = self.structure.elements
        c = self.structure.fractions
        f = [xray.f0(e, q) + fac[e] for e in els]
        s = self.structure.partial_structure_factors(q)
        n = len(els)
        out = sum(c[i] * np.abs(f[i]) ** 2 for i in range(n))
        for i in range(n):
            for j in range(n):
                out = out + c[i] * c[j] * np.real(f[i] * np.conj(f[j])) * (s[i, j] - 1.0)
        return out

    def incoherent_intensity(
        self, q_invA: ArrayLike, energy_eV: float, two_theta_deg: ArrayLike
    ) -> np.ndarray:
        """True Compton intensity Σ c_a S_inc,a(Q)·(E_C/E)^k in electron units per atom."""
        q = np.atleast_1d(np.asarray(q_invA, dtype=float))
        e_c = xray.compton_energy_eV(energy_eV, two_theta_deg)
        s = sum(c * xray.s_inc(e, q) for e, c in self.composition.items())
        return s * (e_c / energy_eV) ** self.compton_exponent

    def lines(
        self, energy_eV: float, geom: Geometry, polarization_h: float, doppler_fraction: float
    ) -> list[Line]:
        """Every line reaching the detector at one (E, 2θ), yields per incident photon."""
        ab = self.absorber
        tth = geom.two_theta_deg
        q = xray.q_from_two_theta(tth, energy_eV)
        e_c = float(xray.compton_energy_eV(energy_eV, tth))
        n_at = self.structure.density_atoms_A3 * 1e24
        pol = float(
            polarization_factor(tth, horizontal_fraction=polarization_h, azimuth_deg=geom.phi_deg)
        )
        pre = n_at * R_E_CM**2 * pol * geom.solid_angle_sr
        i_coh = float(self.coherent_intensity(q, energy_eV)[0])
        i_inc = float(self.incoherent_intensity(q, energy_eV, tth)[0])
        out = [
            Line("elastic", energy_eV, pre * i_coh * _slab(ab, energy_eV, energy_eV, geom)),
            Line(
                "compton",
                e_c,
                pre * i_inc * _slab(ab, energy_eV, e_c, geom),
                doppler_fraction * e_c,
            ),
        ]
        out.extend(self.leakage(ab, energy_eV, geom, polarization_h))
        return [ln for ln in out if ln.yield_per_photon > 0]

    def window_counts(
        self,
        energy_eV: float,
        geom: Geometry,
        incident_photons: float,
        dwell_s: float,
        windows: Mapping[str, tuple[float, float]],
        response: DetectorResponse,
        *,
        polarization_h: float,
        doppler_fraction: float,
        rng: np.random.Generator | None = None,
    ) -> dict[str, float]:
        """Counts in each window (eV bounds) plus ``total`` and the ``dead_time`` fraction.

        The MCA model of :mod:`~axsuite.devices.models.spectrum`: Gaussian lines binned into
        channels, a window sums the channels whose centre lies inside it, paralyzable dead
        time. With ``rng`` the channel counts are Poisson; else expected values are returned.
        """
        if incident_photons < 0 or dwell_s <= 0:
            raise ValueError("incident photons must be ≥ 0 and dwell positive (s)")
        lines = self.lines(energy_eV, geom, polarization_h, doppler_fraction)
        centres = np.array([ln.energy_eV for ln in lines])
        amps = np.array([ln.yield_per_photon for ln in lines]) * incident_photons
        fwhm = np.sqrt(
            response.fwhm_eV(centres) ** 2 + np.array([ln.extra_fwhm_eV for ln in lines]) ** 2
        )
        sigma = fwhm / FWHM_PER_SIGMA
        width = response.ev_per_channel
        bkg_per_channel = self.background_cps_per_eV * width * dwell_s
        total_expected = float(amps.sum()) + bkg_per_channel * response.n_channels
        live = live_fraction(total_expected / dwell_s, response.dead_time_s)
        centres_ch = response.channel_centres_eV
        in_any = np.zeros(response.n_channels, dtype=bool)
        masks = {}
        for name, (lo, hi) in windows.items():
            masks[name] = (centres_ch >= lo) & (centres_ch <= hi)
            in_any |= masks[name]
        idx = np.nonzero(in_any)[0]
        edges_lo = idx * width
        cdf_hi = ndtr((edges_lo[None, :] + width - centres[:, None]) / sigma[:, None])
        cdf_lo = ndtr((edges_lo[None, :] - centres[:, None]) / sigma[:, None])
        expected = ((amps[:, None] * (cdf_hi - cdf_lo)).sum(axis=0) + bkg_per_channel) * live
        rest = total_expected * live - float(expected.sum())
        if rng is not None:
            expected = rng.poisson(expected).astype(float)
            rest = float(rng.poisson(max(rest, 0.0)))
        spec = np.zeros(response.n_channels)
        spec[idx] = expected
        out = {name: float(spec[m].sum()) for name, m in masks.items()}
        out["total"] = float(expected.sum() + rest)
        out["dead_time"] = 1.0 - live
        return out

    def truth(self, q_invA: ArrayLike, r_A: ArrayLike) -> dict[str, np.ndarray]:
        """Ground truth for tests: Faber–Ziman S_ab(Q) by pair, g_ab(r) by pair, N_ab matrix."""
        n = len(self.structure.elements)
        g = self.structure.pair_distribution(r_A)
        return {
            "pairs": np.array(["-".join(p) for p in self.structure.pairs]),
            "s": self.structure.partials_by_pair(q_invA),
            "g": np.array([g[i, j] for i in range(n) for j in range(i, n)]),
            "coordination": self.structure.coordination_numbers(),
            "r_min_A": self.structure.first_minimum_A(),
        }


def _slab(ab: Absorber, energy_eV: float, e_out: float, geom: Geometry) -> float:
    """Flat-plate depth factor A(E, E_out) in cm (see module docstring)."""
    sa = math.sin(math.radians(geom.incidence_deg))
    sb = math.sin(math.radians(geom.exit_deg))
    mu_eff = float(ab.mu_cm(energy_eV)) / sa + float(ab.mu_cm(e_out)) / sb
    return (1.0 - math.exp(-mu_eff * ab.thickness_cm)) / (mu_eff * sa)
