"""AXS correction chain: counts in the discriminator windows → coherent I(Q) in electron units.

Order (DESIGN §7.3): dead time, I0, window/leakage (resonant-Raman and fluorescence
counts inside the elastic window, estimated from the fluorescence window), polarization,
absorption, normalization to electron units (Krogh-Moe–Norman or high-Q), Compton
subtraction (the part of the Compton line inside the elastic window).

Public API
----------
detector_fwhm_eV(energy_eV, *, noise_fwhm_eV, fano, pair_energy_eV) -> FWHM (eV)
window_fraction(line_eV, fwhm_eV, low_eV, high_eV, *, ev_per_channel=None) -> fraction
compton_window_ratio(...) -> fraction of the Compton line over that of the elastic line
compton_absorption_ratio(mu_cm, mu_compton_cm, two_theta_deg, thickness_cm) -> A_C/A
rrs_leakage_ratio(...) -> κ: RRS counts in the elastic window per count in the fluorescence window
compton_intensity(q, composition, energy_eV, two_theta_deg, *, exponent=2) -> e.u./atom
krogh_moe_norman_factor(q, intensity, composition, factors, *, density, incoherent) -> α
high_q_factor(q, intensity, composition, factors, *, incoherent, q_low) -> α
correct_intensity(...) -> CorrectedIntensity
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import xraylib
from numpy.typing import ArrayLike
from scipy.special import ndtr

from . import xray
from .constants import FWHM_PER_SIGMA

_RRS_LINES = (
    (xraylib.KA1_LINE, "L3"),
    (xraylib.KA2_LINE, "L2"),
    (xraylib.KB1_LINE, "M3"),
    (xraylib.KB3_LINE, "M2"),
)


def detector_fwhm_eV(
    energy_eV: ArrayLike,
    *,
    noise_fwhm_eV: float = 100.0,
    fano: float = 0.115,
    pair_energy_eV: float = 3.85,
) -> np.ndarray:
    """Energy-dispersive detector resolution FWHM(E) = sqrt(noise² + 2.3548²·ε·F·E) in eV
    (Fano statistics; Knoll, *Radiation Detection and Measurement*, 4th ed., ch. 11)."""
    e = np.asarray(energy_eV, dtype=float)
    if noise_fwhm_eV < 0 or fano <= 0 or pair_energy_eV <= 0:
        raise ValueError("noise FWHM must be ≥ 0 and Fano factor, pair energy > 0")
    return np.sqrt(noise_fwhm_eV**2 + FWHM_PER_SIGMA**2 * pair_energy_eV * fano * e)


def window_fraction(
    line_eV: ArrayLike,
    fwhm_eV: ArrayLike,
    low_eV: ArrayLike,
    high_eV: ArrayLike,
    *,
    ev_per_channel: float | None = None,
) -> np.ndarray:
    """Fraction of a Gaussian line (centre, FWHM in eV) counted in a window [low, high] eV.

    With ``ev_per_channel`` the window is the set of MCA channels (width w, channel i
    spanning [i·w, (i+1)·w]) whose centre lies inside [low, high], as a discriminator sums it.
    """
    c = np.asarray(line_eV, dtype=float)
    sig = np.asarray(fwhm_eV, dtype=float) / FWHM_PER_SIGMA
    lo = np.asarray(low_eV, dtype=float)
    hi = np.asarray(high_eV, dtype=float)
    if ev_per_channel is not None:
        w = float(ev_per_channel)
        if w <= 0:
            raise ValueError("channel width must be positive (eV)")
        first = np.ceil(lo / w - 0.5)
        last = np.floor(hi / w - 0.5)
        lo, hi = first * w, np.maximum(last + 1, first) * w
    return np.clip(ndtr((hi - c) / sig) - ndtr((lo - c) / sig), 0.0, 1.0)


def compton_window_ratio(
    energy_eV: float,
    two_theta_deg: ArrayLike,
    low_eV: ArrayLike,
    high_eV: ArrayLike,
    *,
    doppler_fraction: float = 0.015,
    ev_per_channel: float | None = None,
    **resolution: float,
) -> np.ndarray:
    """φ_C/φ_el: fraction of the Compton line inside the elastic window over that of the
    elastic line. The Compton line sits at E_C(2θ) with FWHM² = FWHM_det(E_C)² +
    (``doppler_fraction``·E_C)² (Doppler broadening by the electron momenta)."""
    e_c = xray.compton_energy_eV(energy_eV, two_theta_deg)
    fw_c = np.sqrt(detector_fwhm_eV(e_c, **resolution) ** 2 + (doppler_fraction * e_c) ** 2)
    fw_e = detector_fwhm_eV(energy_eV, **resolution)
    phi_c = window_fraction(e_c, fw_c, low_eV, high_eV, ev_per_channel=ev_per_channel)
    phi_e = window_fraction(energy_eV, fw_e, low_eV, high_eV, ev_per_channel=ev_per_channel)
    return phi_c / phi_e


def _slab_per_production(
    mu_in: float, mu_out: ArrayLike, sin_a: float, sin_b: ArrayLike, t: float
) -> np.ndarray:
    mu_eff = mu_in / sin_a + np.asarray(mu_out) / np.asarray(sin_b)
    return (1.0 - np.exp(-mu_eff * t)) / (mu_eff * sin_a)


def compton_absorption_ratio(
    mu_cm: float, mu_compton_cm: ArrayLike, two_theta_deg: ArrayLike, thickness_cm: float
) -> np.ndarray:
    """A_C/A for a flat plate in symmetric reflection: absorption factor of the Compton line
    (exit at μ(E_C)) over that of the elastic line (exit at μ(E)); A(μ_in, μ_out) =
    [1 − e^{−(μ_in + μ_out)t/sinθ}]/(μ_in + μ_out) (Milberg, J. Appl. Phys. 29, 64 (1958))."""
    sin_t = np.sin(np.deg2rad(np.asarray(two_theta_deg, dtype=float) / 2.0))
    if mu_cm <= 0 or thickness_cm <= 0:
        raise ValueError("mu_cm and thickness_cm must be positive")
    a_c = _slab_per_production(mu_cm, mu_compton_cm, sin_t, sin_t, thickness_cm)
    return a_c / _slab_per_production(mu_cm, mu_cm, sin_t, sin_t, thickness_cm)


def rrs_leakage_ratio(
    element: str,
    energy_eV: float,
    two_theta_deg: ArrayLike,
    elastic_window_eV: tuple[ArrayLike, ArrayLike],
    fluorescence_window_eV: tuple[ArrayLike, ArrayLike],
    *,
    mu_cm: Callable[[ArrayLike], np.ndarray],
    thickness_cm: float,
    ev_per_channel: float | None = None,
    **resolution: float,
) -> np.ndarray:
    """κ = (resonant-Raman counts in the elastic window)/(RRS counts in the fluorescence window).

    Below the K edge of ``element`` the K-shell resonant Raman lines are emitted at
    E − E_shell (Kα1: L3, Kα2: L2, Kβ1: M3, Kβ3: M2) with relative strengths of the
    radiative rates (xraylib ``RadRate``) and their own self-absorption in a flat plate in
    symmetric reflection (``mu_cm(E)``: linear attenuation, cm⁻¹; Eisenberger et al.,
    PRA 13, 2093 (1976), doi:10.1103/PhysRevA.13.2093 for the RRS kinematics). The Kβ RRS
    lies E_M3 below the elastic line and cannot be resolved; κ times the fluorescence
    window counts is the leakage to subtract. Returns 0 where the window sees no RRS.
    """
    z = xray.atomic_number(element)
    tth = np.asarray(two_theta_deg, dtype=float)
    sin_t = np.sin(np.deg2rad(np.maximum(np.abs(tth) / 2.0, 0.5)))
    mu_in = float(np.asarray(mu_cm(energy_eV)))
    el_num = np.zeros_like(tth)
    fl_num = np.zeros_like(tth)
    for line, shell in _RRS_LINES:
        e_line = energy_eV - xray.edge_energy_eV(z, shell)
        rate = float(xraylib.RadRate(z, line))
        fw = detector_fwhm_eV(e_line, **resolution)
        w = rate * _slab_per_production(
            mu_in, float(np.asarray(mu_cm(e_line))), sin_t, sin_t, thickness_cm
        )
        el_num = el_num + w * window_fraction(
            e_line, fw, *elastic_window_eV, ev_per_channel=ev_per_channel
        )
        fl_num = fl_num + w * window_fraction(
            e_line, fw, *fluorescence_window_eV, ev_per_channel=ev_per_channel
        )
    return np.where(fl_num > 1e-3 * el_num, el_num / np.maximum(fl_num, 1e-300), 0.0)


def compton_intensity(
    q: ArrayLike,
    composition: Mapping[str, float],
    energy_eV: float,
    two_theta_deg: ArrayLike,
    *,
    exponent: float = 2.0,
) -> np.ndarray:
    """I_inc = Σ c_a S_inc,a(Q)·(E_C/E)^k in electron units per atom (Breit–Dirac factor,
    k = 2 for photon counting; E_C = E/[1 + (E/m_ec²)(1 − cos 2θ)]; DESIGN §7.3)."""
    qq = np.asarray(q, dtype=float)
    e_c = xray.compton_energy_eV(energy_eV, two_theta_deg)
    s = sum(float(c) * xray.s_inc(el, qq) for el, c in composition.items())
    return s * (e_c / energy_eV) ** exponent


def _laue(
    q: np.ndarray, composition: Mapping[str, float], factors: Mapping[str, complex]
) -> tuple[np.ndarray, np.ndarray]:
    mean_sq = np.zeros_like(q)
    mean = np.zeros_like(q, dtype=complex)
    for el, c in composition.items():
        f = xray.f0(el, q) + complex(factors[el])
        mean_sq = mean_sq + c * np.abs(f) ** 2
        mean = mean + c * f
    return mean_sq, np.abs(mean) ** 2


def krogh_moe_norman_factor(
    q: ArrayLike,
    intensity: ArrayLike,
    composition: Mapping[str, float],
    factors: Mapping[str, complex],
    *,
    density: float,
    incoherent: ArrayLike,
    damping: float = 6.0,
) -> float:
    """Electron-unit factor α by the Krogh-Moe–Norman sum rule (Krogh-Moe, Acta Cryst. 9,
    951 (1956); Norman, Acta Cryst. 10, 370 (1957)).

    ∫₀^∞ Q² [S(Q) − 1] M(Q) dQ = −2π²ρ0 with S − 1 = (α I − ⟨|f|²⟩ − I_inc)/|⟨f⟩|², solved
    for α (linear). M(Q) = exp(−b Q²) with b = ``damping``/Q_max² (Norman's damping; its
    real-space kernel is narrower than the hard core, so g(r → 0) = 0 still holds);
    S is held at S(Q_min) below the first point. ``intensity`` is the corrected intensity
    (arbitrary units), ``incoherent`` the Compton intensity counted with it (e.u./atom).
    """
    qq = np.asarray(q, dtype=float)
    y = np.asarray(intensity, dtype=float)
    inc = np.broadcast_to(np.asarray(incoherent, dtype=float), qq.shape)
    if density <= 0 or damping <= 0:
        raise ValueError("density (atoms/Å³) and damping must be positive")
    if qq.shape != y.shape or qq.ndim != 1 or qq.size < 10:
        raise ValueError("q and intensity must be 1-D arrays of the same length (≥ 10)")
    mean_sq, mean2 = _laue(qq, composition, factors)
    b = damping / qq[-1] ** 2
    m = np.exp(-b * qq**2)
    a_term = np.trapezoid(qq**2 * m * y / mean2, qq)
    c_term = np.trapezoid(qq**2 * m * (mean_sq + inc) / mean2, qq)
    q_below = np.linspace(0.0, qq[0], 50)
    low = np.trapezoid(q_below**2 * np.exp(-b * q_below**2), q_below)
    a_term += low * y[0] / mean2[0]
    c_term += low * (mean_sq[0] + inc[0]) / mean2[0]
    alpha = (c_term - 2 * np.pi**2 * density) / a_term
    if not np.isfinite(alpha) or alpha <= 0:
        raise ValueError("Krogh-Moe–Norman normalization failed (non-positive factor)")
    return float(alpha)


def high_q_factor(
    q: ArrayLike,
    intensity: ArrayLike,
    composition: Mapping[str, float],
    factors: Mapping[str, complex],
    *,
    incoherent: ArrayLike,
    q_low: float,
) -> float:
    """Electron-unit factor α from the high-Q limit α I → ⟨|f|²⟩ + I_inc (S → 1), by
    integrals over Q ≥ ``q_low`` (Wagner, J. Non-Cryst. Solids 31, 1 (1978))."""
    qq = np.asarray(q, dtype=float)
    y = np.asarray(intensity, dtype=float)
    inc = np.broadcast_to(np.asarray(incoherent, dtype=float), qq.shape)
    sel = qq >= q_low
    if sel.sum() < 10:
        raise ValueError(f"fewer than 10 points above q_low = {q_low} Å⁻¹")
    mean_sq, _ = _laue(qq[sel], composition, factors)
    return float(np.trapezoid(mean_sq + inc[sel], qq[sel]) / np.trapezoid(y[sel], qq[sel]))


@dataclass(frozen=True)
class CorrectedIntensity:
    """Coherent intensity at one energy: ``q`` (Å⁻¹), ``intensity`` and ``sigma``
    (electron units per atom), ``normalization_factor`` α (e.u. per corrected count unit),
    ``incoherent`` Compton subtracted (e.u./atom), ``leakage_fraction`` RRS/fluorescence
    share of the elastic-window counts removed, ``method`` of normalization, ``energy_eV``."""

    q: np.ndarray
    intensity: np.ndarray
    sigma: np.ndarray
    normalization_factor: float
    incoherent: np.ndarray
    leakage_fraction: np.ndarray
    method: str
    energy_eV: float


def correct_intensity(
    two_theta_deg: ArrayLike,
    energy_eV: float,
    elastic: ArrayLike,
    i0: ArrayLike,
    composition: Mapping[str, float],
    factors: Mapping[str, complex],
    *,
    density: float,
    absorption: ArrayLike,
    polarization: ArrayLike,
    dead_time: ArrayLike | float = 0.0,
    fluorescence: ArrayLike | None = None,
    leakage_ratio: ArrayLike | float = 0.0,
    compton_ratio: ArrayLike | float = 1.0,
    background: ArrayLike | float = 0.0,
    compton_exponent: float = 2.0,
    method: str = "krogh-moe",
    q_low: float | None = None,
) -> CorrectedIntensity:
    """Coherent I(Q) in electron units per atom from elastic-window counts at one energy.

    1. dead time: N/(1 − d) (d = dead fraction, paralyzable live fraction 1 − d);
    2. leakage: N_el − κ·N_fl − background (κ from :func:`rrs_leakage_ratio`);
    3. I0, polarization P, absorption A (flat plate, from the measured μ): y = N/(I0·P·A);
    4. α from :func:`krogh_moe_norman_factor` or :func:`high_q_factor` with the Compton
       part inside the elastic window, I_inc·``compton_ratio`` (φ_C/φ_el · A_C/A);
    5. I_coh = α y − I_inc·``compton_ratio``.
    Standard errors from Poisson statistics of N_el and N_fl (α taken as exact).
    """
    tth = np.asarray(two_theta_deg, dtype=float)
    n_el = np.asarray(elastic, dtype=float)
    mon = np.asarray(i0, dtype=float)
    if n_el.shape != tth.shape or mon.shape != tth.shape or tth.ndim != 1:
        raise ValueError("two_theta, elastic and i0 must be 1-D arrays of the same length")
    if np.any(mon <= 0):
        raise ValueError("I0 counts must be positive")
    dt = np.broadcast_to(np.asarray(dead_time, dtype=float), tth.shape)
    if np.any((dt < 0) | (dt >= 1)):
        raise ValueError("dead-time fraction must be in [0, 1)")
    if method not in ("krogh-moe", "high-q"):
        raise ValueError(f"unknown normalization method {method!r}; use 'krogh-moe' or 'high-q'")
    comp = {xray.element_symbol(k): float(v) for k, v in composition.items()}
    fac = {xray.element_symbol(k): complex(v) for k, v in factors.items()}
    live = 1.0 - dt
    n_fl = np.zeros_like(n_el) if fluorescence is None else np.asarray(fluorescence, dtype=float)
    kappa = np.broadcast_to(np.asarray(leakage_ratio, dtype=float), tth.shape)
    leak = kappa * n_fl / live
    counts = n_el / live - leak - np.asarray(background, dtype=float)
    var = n_el / live**2 + kappa**2 * n_fl / live**2
    scale = mon * np.asarray(polarization, dtype=float) * np.asarray(absorption, dtype=float)
    y = counts / scale
    sy = np.sqrt(var) / scale
    q = xray.q_from_two_theta(tth, energy_eV)
    order = np.argsort(q)
    inc = compton_intensity(q, comp, energy_eV, tth, exponent=compton_exponent) * np.asarray(
        compton_ratio, dtype=float
    )
    if method == "krogh-moe":
        alpha = krogh_moe_norman_factor(
            q[order],
            y[order],
            comp,
            fac,
            density=density,
            incoherent=np.broadcast_to(inc, q.shape)[order],
        )
    else:
        ql = float(q.max() - 3.0) if q_low is None else q_low
        alpha = high_q_factor(
            q[order], y[order], comp, fac, incoherent=np.broadcast_to(inc, q.shape)[order], q_low=ql
        )
    with np.errstate(divide="ignore", invalid="ignore"):
        leak_frac = np.where(n_el > 0, leak * live / n_el, 0.0)
    return CorrectedIntensity(
        q=q,
        intensity=alpha * y - inc,
        sigma=alpha * sy,
        normalization_factor=alpha,
        incoherent=np.broadcast_to(inc, q.shape).copy(),
        leakage_fraction=leak_frac,
        method=method,
        energy_eV=float(energy_eV),
    )
