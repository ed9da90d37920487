"""Energy-resolving fluorescence discriminator (SDD + MCA): the spectrum that reaches it.

Lines emitted by a flat plate (incidence α, exit β from the surface) irradiated at photon
energy E, per incident photon, into solid angle Ω:

* elastic at E and Compton at E_C(2θ) from xraylib polarized differential cross sections
  ``DCSP_Rayl``/``DCSP_Compt`` (beam linearly polarized with horizontal fraction p_h;
  azimuth φ of the scattering plane measured from the horizontal);
* fluorescence of every element/shell whose edge is below E (``CS_FluorLine_Kissel_Cascade``),
  scaled for elements with a near-edge model by μ_photo(model)/μ_photo(Chantler);
* resonant Raman (RRS) below an edge: the Lorentzian tail of the K absorption,
  σ_RRS = σ_K⁺·(½ + arctan(2(E − E_K)/Γ_K)/π), emitted at E_line − (E_K − E)
  (Kα at E − E_L3, Kβ at E − E_M3).

Flat-plate yield per incident photon for a line at E_f produced with mass cross section σ:
``ρ w σ (Ω/4π) / sinα · [1 − exp(−(μ(E)/sinα + μ(E_f)/sinβ) t)] / (μ(E)/sinα + μ(E_f)/sinβ)``.

Detector: FWHM(E) = sqrt(noise² + 2.3548²·ε·F·E) (ε = 3.85 eV, F = 0.115), Gaussian
lines on an MCA of ``n_channels`` × ``ev_per_channel``, paralyzable dead time
(live fraction exp(−R·τ) for true rate R), Poisson counts per channel.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import xraylib
from axsuite.analysis import xray
from axsuite.analysis.constants import FWHM_PER_SIGMA
from scipy.special import ndtr

from .absorber import Absorber

K_LINES = (
    ("Ka1", xraylib.KA1_LINE, xraylib.L3_SHELL),
    ("Ka2", xraylib.KA2_LINE, xraylib.L2_SHELL),
    ("Kb1", xraylib.KB1_LINE, xraylib.M3_SHELL),
    ("Kb3", xraylib.KB3_LINE, xraylib.M2_SHELL),
)
L_LINES = (("La1", xraylib.LA1_LINE), ("Lb1", xraylib.LB1_LINE))


@dataclasses.dataclass(frozen=True)
class Line:
    """One spectral line: centre (eV), counts per incident photon, extra FWHM (eV)."""

    name: str
    energy_eV: float
    yield_per_photon: float
    extra_fwhm_eV: float = 0.0


@dataclasses.dataclass(frozen=True)
class DetectorResponse:
    """SDD response: electronic noise FWHM (eV), Fano factor, pair energy (eV), MCA, τ (s)."""

    noise_fwhm_eV: float = 100.0
    fano: float = 0.115
    pair_energy_eV: float = 3.85
    n_channels: int = 2048
    ev_per_channel: float = 20.0
    dead_time_s: float = 1e-6

    def fwhm_eV(self, energy_eV: np.ndarray | float) -> np.ndarray:
        """Energy resolution FWHM in eV at photon energy E (eV)."""
        e = np.asarray(energy_eV, dtype=float)
        return np.sqrt(
            self.noise_fwhm_eV**2 + FWHM_PER_SIGMA**2 * self.pair_energy_eV * self.fano * e
        )

    @property
    def channel_edges_eV(self) -> np.ndarray:
        """MCA channel boundaries in eV (n_channels + 1)."""
        return np.arange(self.n_channels + 1) * self.ev_per_channel

    @property
    def channel_centres_eV(self) -> np.ndarray:
        """MCA channel centres in eV."""
        return (np.arange(self.n_channels) + 0.5) * self.ev_per_channel


@dataclasses.dataclass(frozen=True)
class Geometry:
    """Scattering geometry: 2θ (deg), incidence/exit angles from the surface (deg),
    azimuth φ of the scattering plane from horizontal (deg), solid angle Ω (sr)."""

    two_theta_deg: float
    incidence_deg: float
    exit_deg: float
    phi_deg: float
    solid_angle_sr: float


def _slab_factor(absorber: Absorber, mu_in: float, e_out: float, geom: Geometry) -> float:
    """Depth integral of the flat-plate yield per unit production (cm)/ sinα."""
    sa = math.sin(math.radians(geom.incidence_deg))
    sb = math.sin(math.radians(geom.exit_deg))
    mu_out = float(absorber.mu_cm(e_out))
    mu_eff = mu_in / sa + mu_out / sb
    return (1.0 - math.exp(-mu_eff * absorber.thickness_cm)) / (mu_eff * sa)


def emission_lines(
    absorber: Absorber,
    energy_eV: float,
    geom: Geometry,
    polarization_h: float = 1.0,
    doppler_fraction: float = 0.015,
) -> list[Line]:
    """Lines reaching the detector per incident photon at ``energy_eV`` (see module doc)."""
    e_kev = energy_eV / 1000.0
    tth = math.radians(geom.two_theta_deg)
    phi = math.radians(geom.phi_deg)
    mu_in = float(absorber.mu_cm(energy_eV))
    rho = absorber.density_g_cm3
    omega = geom.solid_angle_sr
    lines: list[Line] = []
    e_c = float(xray.compton_energy_eV(energy_eV, geom.two_theta_deg))
    slab_el = _slab_factor(absorber, mu_in, energy_eV, geom)
    slab_c = _slab_factor(absorber, mu_in, e_c, geom)
    rayl = compt = 0.0
    for el, w in absorber.mass_fractions.items():
        z = xray.atomic_number(el)
        for ph, frac in ((phi, polarization_h), (phi + math.pi / 2, 1.0 - polarization_h)):
            rayl += w * frac * xraylib.DCSP_Rayl(z, e_kev, tth, ph)
            compt += w * frac * xraylib.DCSP_Compt(z, e_kev, tth, ph)
    lines.append(Line("elastic", energy_eV, rho * rayl * omega * slab_el))
    lines.append(Line("compton", e_c, rho * compt * omega * slab_c, doppler_fraction * e_c))
    for el, w in absorber.mass_fractions.items():
        lines.extend(_fluorescence_lines(absorber, el, w, energy_eV, mu_in, geom))
    return [ln for ln in lines if ln.yield_per_photon > 0.0]


def _fluorescence_lines(
    absorber: Absorber, el: str, w: float, energy_eV: float, mu_in: float, geom: Geometry
) -> list[Line]:
    z = xray.atomic_number(el)
    e_kev = energy_eV / 1000.0
    pre = absorber.density_g_cm3 * w * geom.solid_angle_sr / (4.0 * math.pi)
    out: list[Line] = []
    scale = 1.0
    if el in absorber.nearedge:
        chantler = float(xray.mu_photo_from_fpp(el, energy_eV, xray.chantler_fpp(el, energy_eV)))
        scale = float(absorber.element_photo_cm2_g(el, energy_eV)) / chantler
    e_k = xraylib.EdgeEnergy(z, xraylib.K_SHELL) * 1000.0
    if e_k < energy_eV:
        for name, line, _ in K_LINES:
            sigma = _safe(xraylib.CS_FluorLine_Kissel_Cascade, z, line, e_kev) * scale
            e_line = _safe(xraylib.LineEnergy, z, line) * 1000.0
            if sigma > 0 and e_line > 0:
                slab = _slab_factor(absorber, mu_in, e_line, geom)
                out.append(Line(f"{el}_{name}", e_line, pre * sigma * slab))
    elif e_k - energy_eV < 2000.0:
        out.extend(_rrs_lines(absorber, el, z, e_k, energy_eV, mu_in, geom, pre))
    for name, line in L_LINES:
        sigma = _safe(xraylib.CS_FluorLine_Kissel_Cascade, z, line, e_kev)
        e_line = _safe(xraylib.LineEnergy, z, line) * 1000.0
        if sigma > 0 and e_line > 0:
            slab = _slab_factor(absorber, mu_in, e_line, geom)
            out.append(Line(f"{el}_{name}", e_line, pre * sigma * slab))
    return out


def _rrs_lines(
    absorber: Absorber,
    el: str,
    z: int,
    e_k: float,
    energy_eV: float,
    mu_in: float,
    geom: Geometry,
    pre: float,
) -> list[Line]:
    """Resonant Raman lines below the K edge (Lorentzian tail of the K absorption)."""
    gamma_eV = xraylib.AtomicLevelWidth(z, xraylib.K_SHELL) * 1000.0
    sigma_k = xraylib.CS_Photo_Partial(z, xraylib.K_SHELL, e_k * 1.0005 / 1000.0)
    tail = 0.5 + math.atan(2.0 * (energy_eV - e_k) / gamma_eV) / math.pi
    omega_k = xraylib.FluorYield(z, xraylib.K_SHELL)
    out = []
    for name, line, shell in K_LINES:
        e_final = e_k - xraylib.EdgeEnergy(z, shell) * 1000.0
        e_rrs = energy_eV - xraylib.EdgeEnergy(z, shell) * 1000.0
        rate = _safe(xraylib.RadRate, z, line)
        if rate <= 0 or e_rrs <= 0 or e_final <= 0:
            continue
        slab = _slab_factor(absorber, mu_in, e_rrs, geom)
        out.append(Line(f"{el}_{name}_RRS", e_rrs, pre * sigma_k * tail * omega_k * rate * slab))
    return out


def _safe(fn, *args) -> float:
    try:
        return float(fn(*args))
    except ValueError:
        return 0.0


def expected_spectrum(
    lines: list[Line], response: DetectorResponse, incident_photons: float
) -> np.ndarray:
    """Mean counts per MCA channel (before dead time) for ``incident_photons`` photons."""
    edges = response.channel_edges_eV
    spec = np.zeros(response.n_channels)
    if not lines:
        return spec
    centres = np.array([ln.energy_eV for ln in lines])
    amps = np.array([ln.yield_per_photon for ln in lines]) * incident_photons
    fwhm = np.sqrt(
        response.fwhm_eV(centres) ** 2 + np.array([ln.extra_fwhm_eV for ln in lines]) ** 2
    )
    sigma = fwhm / FWHM_PER_SIGMA
    cdf = ndtr((edges[None, :] - centres[:, None]) / sigma[:, None])
    spec = (amps[:, None] * np.diff(cdf, axis=1)).sum(axis=0)
    return spec


def live_fraction(true_rate_cps: float, dead_time_s: float) -> float:
    """Paralyzable dead time: fraction of time live, exp(−R·τ)."""
    return math.exp(-true_rate_cps * dead_time_s)


def window_sum(
    spectrum: np.ndarray, low_eV: float, high_eV: float, response: DetectorResponse
) -> float:
    """Counts in channels whose centre lies in [low_eV, high_eV]."""
    c = response.channel_centres_eV
    return float(spectrum[(c >= low_eV) & (c <= high_eV)].sum())
