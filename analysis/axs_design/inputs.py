"""Inputs of an AXS design: candidate energies, f′/f″ there, and counting variances.

* :func:`candidate_energies` — energies below each resonant edge that the beamline can
  use: inside the mono range, far enough below every tabulated edge of the sample for the
  discriminator to keep the resonant-Raman line out of the elastic window, and low enough
  in wavelength that the largest Q of the grid is reached below the arm limit.
* :func:`design_factors` — f′ + i f″ per candidate: measured (an edge scan's differential-KK
  result) where the candidate lies inside the measured range, Chantler elsewhere.
* :func:`counting_variance_rate` — v_k(Q) in e.u.²·s (σ² = v/t) from the incident flux,
  the flat-plate absorption and polarization factors and the expected intensity
  (coherent from a prior S_ab, Compton in the elastic window, a background).
* :func:`habitual_energies` — the habit this design is compared with: E0 − 25 and
  E0 − 250 eV at every resonant edge (DESIGN §6).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from .. import xray
from ..absfactors import absorption_factor_reflection, polarization_factor
from ..axs import _composition, _grid, _pair_weights, laue_terms
from ..axs_corrections import compton_intensity
from ..constants import AVOGADRO, HC_EV_A, R_E_CM

#: Edges whose neighbourhood a candidate must avoid (every element of the sample).
AVOIDED_EDGES = ("K", "L1", "L2", "L3")


def sample_edges_eV(composition: Mapping[str, float]) -> list[float]:
    """Tabulated K, L1, L2, L3 edge energies (eV, xraylib) of every element of the sample."""
    out = []
    for el in composition:
        for edge in AVOIDED_EDGES:
            try:
                e = xray.edge_energy_eV(el, edge)
            except ValueError:
                continue
            if e > 0:
                out.append(float(e))
    return sorted(out)


def min_energy_for_q_eV(q_max_invA: float, two_theta_max_deg: float) -> float:
    """Lowest photon energy (eV) at which Q = ``q_max_invA`` is reached with 2θ ≤ the arm
    limit: E = hc·Q/(4π sin θ_max)."""
    if q_max_invA <= 0 or not 0 < two_theta_max_deg < 180:
        raise ValueError("need q_max > 0 (Å⁻¹) and 0 < two_theta_max < 180 (deg)")
    return HC_EV_A * q_max_invA / (4 * np.pi * np.sin(np.deg2rad(two_theta_max_deg / 2)))


def candidate_energies(
    edges_eV: Mapping[str, float],
    *,
    q_max_invA: float,
    two_theta_max_deg: float,
    mono_range_eV: tuple[float, float],
    min_offset_eV: float = 15.0,
    max_offset_eV: float = 500.0,
    step_eV: float = 5.0,
    avoid_edges_eV: Sequence[float] = (),
) -> tuple[np.ndarray, list[str]]:
    """Allowed energies (eV, increasing) and the resonant element each lies below.

    ``edges_eV``: element → measured edge E0 (eV); candidates run from E0 − ``min_offset_eV``
    down to E0 − ``max_offset_eV`` in steps of ``step_eV``; kept if inside ``mono_range_eV``,
    at or above :func:`min_energy_for_q_eV` and not within ``min_offset_eV`` below (or at)
    any energy of ``avoid_edges_eV`` (other edges of the sample). Raises if none is left.
    """
    if not edges_eV:
        raise ValueError("no resonant element: give at least one element → edge energy (eV)")
    lo_mono, hi_mono = (float(x) for x in mono_range_eV)
    if not 0 < lo_mono < hi_mono:
        raise ValueError(f"mono_range_eV must be (low, high), 0 < low < high; got {mono_range_eV}")
    if not 0 < min_offset_eV < max_offset_eV or step_eV <= 0:
        raise ValueError("need 0 < min_offset_eV < max_offset_eV and step_eV > 0 (eV)")
    e_arm = min_energy_for_q_eV(q_max_invA, two_theta_max_deg)
    avoid = np.asarray(list(avoid_edges_eV) + [float(e) for e in edges_eV.values()], dtype=float)
    energies: dict[float, str] = {}
    for el, e0 in edges_eV.items():
        offsets = -np.arange(min_offset_eV, max_offset_eV + 1e-9, step_eV)[::-1]
        for e in np.round(float(e0) + offsets, 6):
            near = np.any((avoid - e >= -1e-9) & (avoid - e < min_offset_eV))
            if lo_mono <= e <= hi_mono and e >= e_arm and not near:
                energies.setdefault(float(e), xray.element_symbol(el))
    if not energies:
        raise ValueError(
            f"no usable energy below {dict(edges_eV)} eV: the mono range {mono_range_eV} eV, "
            f"the arm limit (Q = {q_max_invA} Å⁻¹ needs E ≥ {e_arm:.0f} eV) and the minimum "
            f"edge distance {min_offset_eV} eV leave nothing"
        )
    keys = sorted(energies)
    return np.array(keys), [energies[k] for k in keys]


def habitual_energies(
    edges_eV: Mapping[str, float], offsets_eV: Sequence[float] = (-25.0, -250.0)
) -> np.ndarray:
    """The habitual choice: E0 + each offset (default −25 and −250 eV) for every edge (eV)."""
    return np.array(sorted(float(e0) + float(o) for e0 in edges_eV.values() for o in offsets_eV))


def design_factors(
    energies_eV: ArrayLike,
    composition: Mapping[str, float],
    measured: Mapping[str, tuple[ArrayLike, ArrayLike, ArrayLike]] | None = None,
) -> list[dict[str, complex]]:
    """f′ + i f″ (electrons) of every element at each energy: ``measured`` element →
    (energy_eV, fp, fpp) arrays from an edge analysis, used inside their energy range
    (linear interpolation); Chantler (xraydb) elsewhere and for other elements."""
    e = np.atleast_1d(np.asarray(energies_eV, dtype=float))
    measured = {xray.element_symbol(k): v for k, v in (measured or {}).items()}
    cols: dict[str, np.ndarray] = {}
    for el in composition:
        sym = xray.element_symbol(el)
        fp = np.asarray(xray.chantler_fp(sym, e), dtype=float)
        fpp = np.asarray(xray.chantler_fpp(sym, e), dtype=float)
        if sym in measured:
            me, mfp, mfpp = (np.asarray(a, dtype=float) for a in measured[sym])
            order = np.argsort(me)
            me, mfp, mfpp = me[order], mfp[order], mfpp[order]
            inside = (e >= me[0]) & (e <= me[-1])
            fp = np.where(inside, np.interp(e, me, mfp), fp)
            fpp = np.where(inside, np.interp(e, me, mfpp), fpp)
        cols[sym] = fp + 1j * fpp
    return [{el: complex(cols[el][i]) for el in cols} for i in range(e.size)]


def counting_variance_rate(
    q: ArrayLike,
    energies_eV: ArrayLike,
    composition: Mapping[str, float],
    density_atoms_A3: float,
    factors: Sequence[Mapping[str, complex]],
    *,
    flux_photons_s: float,
    solid_angle_sr: float,
    thickness_cm: float,
    polarization_h: float = 1.0,
    azimuth_deg: float = 90.0,
    efficiency: float = 1.0,
    s_prior: ArrayLike | None = None,
    compton_in_window: float = 1.0,
    background_eu: float = 0.0,
) -> np.ndarray:
    """v_k(Q) = σ²·t of the corrected coherent intensity, e.u.²·s, shape (n_E × n_q).

    Counts per second per electron unit: g = Φ ε n_at r_e² P(2θ) Ω A(E, 2θ) with A the
    flat-plate symmetric-reflection absorption factor (cm) and n_at = ρ0 (cm⁻³); counted
    intensity I_tot = I_coh + φ_C I_inc + background (e.u.); Poisson counting gives
    σ²(I) = I_tot/(g t), so v = I_tot/g. I_coh = ⟨|f|²⟩ + Σ_p W_p (S_p − 1) with the prior
    ``s_prior`` (n_pairs × n_q; default S ≡ 1). μ(E) from xraylib/Chantler mass attenuation.
    """
    qq = _grid(q)
    comp = _composition(composition)
    e = np.atleast_1d(np.asarray(energies_eV, dtype=float))
    if len(factors) != e.size:
        raise ValueError("one factors mapping per energy is needed")
    for name, val in (
        ("flux_photons_s", flux_photons_s),
        ("solid_angle_sr", solid_angle_sr),
        ("thickness_cm", thickness_cm),
        ("density_atoms_A3", density_atoms_A3),
        ("efficiency", efficiency),
    ):
        if not np.isfinite(val) or val <= 0:
            raise ValueError(f"{name} must be positive, got {val}")
    n_at = density_atoms_A3 * 1e24
    rho = n_at * sum(c * xray.atomic_weight(el) for el, c in comp.items()) / AVOGADRO
    out = np.empty((e.size, qq.size))
    for k, (energy, fac) in enumerate(zip(e, factors, strict=True)):
        tth = xray.two_theta_from_q(qq, energy)
        mu = float(xray.compound_mass_attenuation_cm2_g(comp, energy)) * rho
        gain = (
            flux_photons_s
            * efficiency
            * n_at
            * R_E_CM**2
            * solid_angle_sr
            * polarization_factor(tth, horizontal_fraction=polarization_h, azimuth_deg=azimuth_deg)
            * absorption_factor_reflection(mu, tth, thickness_cm)
        )
        i_coh = laue_terms(qq, comp, fac)[0]
        if s_prior is not None:
            i_coh = i_coh + np.sum(_pair_weights(qq, comp, fac) * (np.asarray(s_prior) - 1), 0)
        i_inc = compton_intensity(qq, comp, energy, tth)
        out[k] = (np.maximum(i_coh, 0) + compton_in_window * i_inc + background_eu) / gain
    return out


@dataclass(frozen=True)
class DesignInputs:
    """Everything a design is computed from: Q grid (Å⁻¹), composition, candidate energies
    (eV) with their resonant element, f′ + i f″ and variance rates (e.u.²·s) there, and the
    measured edges E0 (eV)."""

    q: np.ndarray
    composition: dict[str, float]
    candidates_eV: np.ndarray
    labels: list[str]
    factors: list[dict[str, complex]]
    variance_rate: np.ndarray
    edges_eV: dict[str, float]


def design_inputs(record: Mapping[str, Any]) -> DesignInputs:
    """Design inputs from a plain (JSON) record, the same live and in replay.

    Keys: ``q_grid`` (Å⁻¹), ``composition``, ``measured`` element → {energy_eV, fp, fpp,
    e0_eV} (an edge analysis), ``density_atoms_A3``, ``beam`` (keyword arguments of
    :func:`counting_variance_rate`), ``energy_limits_eV``, ``two_theta_max_deg``,
    ``min_offset_eV``, ``max_offset_eV``, ``step_eV``. Other edges of the sample within
    50 eV of a measured edge are that edge (tabulated vs measured) and not avoided twice.
    """
    q = np.asarray(record["q_grid"], dtype=float)
    comp = {str(k): float(c) for k, c in record["composition"].items()}
    measured = record["measured"]
    edges = {el: float(m["e0_eV"]) for el, m in measured.items()}
    cand, labels = candidate_energies(
        edges,
        q_max_invA=float(q[-1]),
        two_theta_max_deg=float(record["two_theta_max_deg"]),
        mono_range_eV=tuple(record["energy_limits_eV"]),
        min_offset_eV=float(record["min_offset_eV"]),
        max_offset_eV=float(record["max_offset_eV"]),
        step_eV=float(record["step_eV"]),
        avoid_edges_eV=[e for e in sample_edges_eV(comp)
                        if all(abs(e - e0) > 50.0 for e0 in edges.values())],
    )
    fac = design_factors(
        cand, comp, {el: (m["energy_eV"], m["fp"], m["fpp"]) for el, m in measured.items()}
    )
    v = counting_variance_rate(q, cand, comp, float(record["density_atoms_A3"]), fac,
                               **record["beam"])
    return DesignInputs(q, comp, cand, labels, fac, v, edges)
