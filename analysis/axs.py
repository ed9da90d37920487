"""Anomalous X-ray scattering: differential and partial structure factors, real space.

Public API (DESIGN §7.3, §8)
----------------------------
differential_structure_factor(q, i_e1, i_e2, composition, f_e1, f_e2) -> DifferentialStructureFactor
partial_structure_factors(q, intensities, composition, factors, ...) -> PartialStructureFactors
pair_distribution(q, s, r, *, density) -> g(r)
reduced_pair_distribution(q, s, r) -> G(r)
environmental_rdf(q, ds, r, *, density) -> 4πr²ρ0 g_A(r)
coordination_number(r, g, *, density, fraction, r_max, r_min=0) -> N
scattering_factors(q, composition, factors) -> complex f_a(Q) per element
laue_terms(q, composition, factors) -> (⟨|f|²⟩, ⟨f⟩)
The correction chain (dead time, I0, window/leakage, polarization, absorption, electron
units, Compton) is in :mod:`axsuite.analysis.axs_corrections` and re-exported here.

Conventions: Q in Å⁻¹, r in Å, ρ0 in atoms/Å³, f in electrons, intensities in electron
units per atom (coherent, after all corrections). ``composition`` maps element → atomic
fraction; ``factors`` map element → complex f' + i f'' (f0(Q) is added here).
Faber–Ziman partials (Faber & Ziman, Philos. Mag. 11, 153 (1965)): I = ⟨|f|²⟩ +
Σ_ab c_a c_b Re(f_a f_b*)(S_ab − 1). Differential structure factor: Waseda, *Anomalous
X-ray scattering for materials characterization* (Springer 2002), ch. 3; Fuoss et al.,
PRL 46, 1537 (1981), doi:10.1103/PhysRevLett.46.1537.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from . import xray
from .axs_corrections import (
    CorrectedIntensity,
    compton_absorption_ratio,
    compton_intensity,
    compton_window_ratio,
    correct_intensity,
    detector_fwhm_eV,
    high_q_factor,
    krogh_moe_norman_factor,
    rrs_leakage_ratio,
    window_fraction,
)

__all__ = [
    "CorrectedIntensity",
    "DifferentialStructureFactor",
    "PartialStructureFactors",
    "compton_absorption_ratio",
    "compton_intensity",
    "compton_window_ratio",
    "coordination_number",
    "correct_intensity",
    "detector_fwhm_eV",
    "differential_structure_factor",
    "environmental_rdf",
    "high_q_factor",
    "krogh_moe_norman_factor",
    "laue_terms",
    "pair_distribution",
    "partial_structure_factors",
    "reduced_pair_distribution",
    "rrs_leakage_ratio",
    "scattering_factors",
    "window_fraction",
]


def _grid(q: ArrayLike) -> np.ndarray:
    arr = np.asarray(q, dtype=float)
    if arr.ndim != 1 or arr.size < 2:
        raise ValueError("q must be a 1-D array of at least two points (Å⁻¹)")
    if np.any(~np.isfinite(arr)) or np.any(arr < 0) or np.any(np.diff(arr) <= 0):
        raise ValueError("q must be finite, non-negative and strictly increasing (Å⁻¹)")
    return arr


def _composition(composition: Mapping[str, float]) -> dict[str, float]:
    if not composition:
        raise ValueError("composition is empty")
    total = sum(float(v) for v in composition.values())
    if any(float(v) <= 0 for v in composition.values()) or abs(total - 1.0) > 1e-3:
        raise ValueError(f"atomic fractions must be positive and sum to 1, got {dict(composition)}")
    return {xray.element_symbol(k): float(v) / total for k, v in composition.items()}


def _factors(
    composition: Mapping[str, float], factors: Mapping[str, complex]
) -> dict[str, complex]:
    out = {xray.element_symbol(k): complex(v) for k, v in factors.items()}
    missing = [e for e in composition if e not in out]
    if missing:
        raise ValueError(f"no anomalous factors f' + i f'' for {missing}")
    return out


def scattering_factors(
    q: ArrayLike, composition: Mapping[str, float], factors: Mapping[str, complex]
) -> dict[str, np.ndarray]:
    """Complex f_a(Q, E) = f0_a(Q) + f'_a + i f''_a in electrons for every element."""
    qq = np.asarray(q, dtype=float)
    comp = _composition(composition)
    fac = _factors(comp, factors)
    return {el: xray.f0(el, qq) + fac[el] for el in comp}


def laue_terms(
    q: ArrayLike, composition: Mapping[str, float], factors: Mapping[str, complex]
) -> tuple[np.ndarray, np.ndarray]:
    """(⟨|f|²⟩, ⟨f⟩) over the composition, electrons² and electrons (complex)."""
    comp = _composition(composition)
    f = scattering_factors(q, comp, factors)
    mean_sq = sum(c * np.abs(f[el]) ** 2 for el, c in comp.items())
    mean = sum(c * f[el] for el, c in comp.items())
    return mean_sq, mean


def _pairs(elements: Sequence[str]) -> list[tuple[str, str]]:
    return [
        (elements[i], elements[j]) for i in range(len(elements)) for j in range(i, len(elements))
    ]


def _pair_weights(
    q: np.ndarray, comp: dict[str, float], factors: Mapping[str, complex]
) -> np.ndarray:
    """(2 − δ_ab) c_a c_b Re(f_a f_b*) for a ≤ b, shape (n_pairs, n_q)."""
    f = scattering_factors(q, comp, factors)
    out = []
    for a, b in _pairs(list(comp)):
        mult = 1.0 if a == b else 2.0
        out.append(mult * comp[a] * comp[b] * np.real(f[a] * np.conj(f[b])))
    return np.array(out)


@dataclass(frozen=True)
class DifferentialStructureFactor:
    """ΔS_A(Q) between two energies: ``q`` (Å⁻¹), ``ds``, ``sigma`` (standard error or
    None), ``weights`` pair → W^Δ_ab(Q) (sum 1), ``pairs`` (a, b) with a ≤ b, and
    ``denominator`` Δ[|⟨f⟩|²] (electrons²)."""

    q: np.ndarray
    ds: np.ndarray
    sigma: np.ndarray | None
    weights: dict[str, np.ndarray]
    pairs: tuple[tuple[str, str], ...]
    denominator: np.ndarray


def differential_structure_factor(
    q: ArrayLike,
    i_e1: ArrayLike,
    i_e2: ArrayLike,
    composition: Mapping[str, float],
    f_e1: Mapping[str, complex],
    f_e2: Mapping[str, complex],
    *,
    sigma_e1: ArrayLike | None = None,
    sigma_e2: ArrayLike | None = None,
) -> DifferentialStructureFactor:
    """Differential structure factor ΔS_A(Q) = 1 + Δ[i]/Δ[|⟨f⟩|²] (DESIGN §7.3).

    ``i_e1``, ``i_e2``: coherent intensities (electron units per atom) at E1 and E2 on the
    grid ``q``; i = I − ⟨|f|²⟩; Δ[X] = X(E1) − X(E2). Weights W^Δ_ab =
    (2 − δ_ab) c_a c_b Δ[Re(f_a f_b*)]/Δ[|⟨f⟩|²] sum to 1 and give ΔS_A = Σ W^Δ_ab S_ab.
    Optional ``sigma_e1``/``sigma_e2`` (independent standard errors of the intensities)
    are propagated to ``sigma``.
    """
    qq = _grid(q)
    comp = _composition(composition)
    a1 = np.asarray(i_e1, dtype=float)
    a2 = np.asarray(i_e2, dtype=float)
    if a1.shape != qq.shape or a2.shape != qq.shape:
        raise ValueError("intensities must have the shape of q")
    m1, f1 = laue_terms(qq, comp, f_e1)
    m2, f2 = laue_terms(qq, comp, f_e2)
    denom = np.abs(f1) ** 2 - np.abs(f2) ** 2
    if np.any(np.abs(denom) < 1e-6 * np.abs(f1) ** 2):
        raise ValueError("no contrast: |⟨f⟩|² is the same at both energies")
    ds = 1.0 + ((a1 - m1) - (a2 - m2)) / denom
    w1 = _pair_weights(qq, comp, f_e1)
    w2 = _pair_weights(qq, comp, f_e2)
    pairs = tuple(_pairs(list(comp)))
    weights = {f"{a}-{b}": (w1[k] - w2[k]) / denom for k, (a, b) in enumerate(pairs)}
    sigma = None
    if sigma_e1 is not None and sigma_e2 is not None:
        s1 = np.broadcast_to(np.asarray(sigma_e1, dtype=float), qq.shape)
        s2 = np.broadcast_to(np.asarray(sigma_e2, dtype=float), qq.shape)
        sigma = np.sqrt(s1**2 + s2**2) / np.abs(denom)
    return DifferentialStructureFactor(qq, ds, sigma, weights, pairs, denom)


@dataclass(frozen=True)
class PartialStructureFactors:
    """Faber–Ziman partials from several contrasts.

    ``q`` (Å⁻¹); ``pairs`` ((a, b), a ≤ b); ``s`` (n_pairs × n_q); ``sigma`` standard
    errors (n_pairs × n_q, from the counting covariance); ``covariance`` (n_q × n_pairs ×
    n_pairs); ``condition_numbers`` per Q of the Faber–Ziman weight matrix (rows divided
    by |⟨f⟩|²) and ``condition_number`` their median; ``chi2_reduced`` of the fit per Q
    (nan when the system is exactly determined); ``regularization`` the Tikhonov λ used.
    """

    q: np.ndarray
    pairs: tuple[tuple[str, str], ...]
    s: np.ndarray
    sigma: np.ndarray
    covariance: np.ndarray
    condition_numbers: np.ndarray
    condition_number: float
    chi2_reduced: np.ndarray
    regularization: float


def partial_structure_factors(
    q: ArrayLike,
    intensities: ArrayLike,
    composition: Mapping[str, float],
    factors: Sequence[Mapping[str, complex]],
    *,
    sigma: ArrayLike | None = None,
    regularization: float = 0.0,
) -> PartialStructureFactors:
    """S_ab(Q) by weighted least squares over K energies (DESIGN §7.3), via SVD per Q.

    Model: I_k − ⟨|f|²⟩_k = Σ_{a≤b} (2 − δ_ab) c_a c_b Re(f_a f_b*)|_k (S_ab − 1).
    ``intensities`` (K × n_q, electron units per atom); ``factors`` one mapping per energy;
    ``sigma`` (K × n_q) standard errors (default: unit weights). The weighted design
    matrix A = W/σ is decomposed A = U Σ Vᵀ; x = V diag(s/(s² + λ²)) Uᵀ b, covariance
    V diag(s/(s² + λ²))² Vᵀ (Tikhonov λ = ``regularization`` in units of the weighted
    singular values; 0 = plain least squares; Hansen, *Rank-deficient and discrete
    ill-posed problems*, SIAM 1998).
    """
    qq = _grid(q)
    comp = _composition(composition)
    data = np.asarray(intensities, dtype=float)
    n_e = len(factors)
    if data.shape != (n_e, qq.size):
        raise ValueError(
            f"intensities must be (n_energies={n_e}) × (n_q={qq.size}), got {data.shape}"
        )
    pairs = tuple(_pairs(list(comp)))
    n_p = len(pairs)
    if n_e < n_p:
        raise ValueError(f"{n_p} partials need at least {n_p} energies (contrasts), got {n_e}")
    if regularization < 0:
        raise ValueError("regularization must be ≥ 0")
    err = np.ones_like(data) if sigma is None else np.asarray(sigma, dtype=float)
    if err.shape != data.shape or np.any(err <= 0):
        raise ValueError("sigma must be positive with the shape of intensities")
    w = np.empty((qq.size, n_e, n_p))
    rhs = np.empty((qq.size, n_e))
    norm_rows = np.empty((qq.size, n_e, n_p))
    for k, fac in enumerate(factors):
        weights = _pair_weights(qq, comp, fac)
        mean_sq, mean = laue_terms(qq, comp, fac)
        w[:, k, :] = weights.T
        rhs[:, k] = data[k] - mean_sq
        norm_rows[:, k, :] = weights.T / (np.abs(mean) ** 2)[:, None]
    a = w / err.T[:, :, None]
    b = rhs / err.T
    u, s, vt = np.linalg.svd(a, full_matrices=False)
    filt = s / (s**2 + regularization**2)
    coeff = np.einsum("qkp,qk->qp", u, b) * filt
    x = np.einsum("qpj,qp->qj", vt, coeff)
    cov = np.einsum("qpi,qp,qpj->qij", vt, filt**2, vt)
    resid = b - np.einsum("qkp,qp->qk", a, x)
    dof = n_e - n_p
    chi2 = (resid**2).sum(axis=1) / dof if dof > 0 else np.full(qq.size, np.nan)
    sv = np.linalg.svd(norm_rows, compute_uv=False)
    cond = sv[:, 0] / sv[:, -1]
    return PartialStructureFactors(
        q=qq,
        pairs=pairs,
        s=(x + 1.0).T,
        sigma=np.sqrt(np.einsum("qii->qi", cov)).T,
        covariance=cov,
        condition_numbers=cond,
        condition_number=float(np.median(cond)),
        chi2_reduced=chi2,
        regularization=float(regularization),
    )


def _window(q: np.ndarray, lorch: bool) -> np.ndarray:
    return np.sinc(q / q[-1]) if lorch else np.ones_like(q)


def _sine_transform(
    q: ArrayLike, s: ArrayLike, r: ArrayLike, lorch: bool
) -> tuple[np.ndarray, np.ndarray]:
    qq = _grid(q)
    ss = np.asarray(s, dtype=float)
    if ss.shape[-1] != qq.size:
        raise ValueError("the last axis of s must match q")
    rr = np.atleast_1d(np.asarray(r, dtype=float))
    if np.any(rr <= 0):
        raise ValueError("r must be positive (Å)")
    # trapezoid weights on the (possibly non-uniform) grid
    dq = np.empty_like(qq)
    dq[1:-1] = 0.5 * (qq[2:] - qq[:-2])
    dq[0] = 0.5 * (qq[1] - qq[0])
    dq[-1] = 0.5 * (qq[-1] - qq[-2])
    kern = np.sin(np.outer(rr, qq)) * (qq * _window(qq, lorch) * dq)
    return rr, (ss - 1.0) @ kern.T


def reduced_pair_distribution(
    q: ArrayLike, s: ArrayLike, r: ArrayLike, *, lorch: bool = False
) -> np.ndarray:
    """G(r) = (2/π) ∫ Q [S(Q) − 1] M(Q) sin(Qr) dQ in Å⁻² (M = Lorch function if ``lorch``;
    Lorch, J. Phys. C 2, 229 (1969)). ``s`` may carry leading axes (e.g. n_pairs × n_q)."""
    _, ft = _sine_transform(q, s, r, lorch)
    return 2.0 / np.pi * ft


def pair_distribution(
    q: ArrayLike, s: ArrayLike, r: ArrayLike, *, density: float, lorch: bool = False
) -> np.ndarray:
    """g(r) = 1 + (1/(2π²ρ0 r)) ∫ Q [S(Q) − 1] M(Q) sin(Qr) dQ (ρ0 = ``density`` atoms/Å³)."""
    if density <= 0:
        raise ValueError("density must be positive (atoms/Å³)")
    rr, ft = _sine_transform(q, s, r, lorch)
    return 1.0 + ft / (2 * np.pi**2 * density * rr)


def environmental_rdf(
    q: ArrayLike, ds: ArrayLike, r: ArrayLike, *, density: float, lorch: bool = False
) -> np.ndarray:
    """Environmental RDF around the resonant element: 4πr²ρ0 g_A(r) (atoms/Å) with g_A the
    transform of ΔS_A(Q) (Waseda 2002, ch. 3): Σ_b W^Δ_Ab-weighted neighbour density."""
    rr = np.atleast_1d(np.asarray(r, dtype=float))
    return 4 * np.pi * rr**2 * density * pair_distribution(q, ds, rr, density=density, lorch=lorch)


def coordination_number(
    r: ArrayLike, g: ArrayLike, *, density: float, fraction: float, r_max: float, r_min: float = 0.0
) -> float:
    """N_ab = 4π ρ0 c_b ∫_{r_min}^{r_max} r² g_ab(r) dr (b neighbours of an a atom).

    ``r`` (Å, increasing) and ``g`` on it; ``fraction`` c_b; trapezoidal rule.
    """
    rr = np.asarray(r, dtype=float)
    gg = np.asarray(g, dtype=float)
    if rr.shape != gg.shape or rr.ndim != 1 or np.any(np.diff(rr) <= 0):
        raise ValueError("r must be increasing and g must have its shape")
    if density <= 0 or not 0 < fraction <= 1 or not r_min < r_max:
        raise ValueError("need density > 0, 0 < fraction ≤ 1 and r_min < r_max")
    m = (rr >= r_min) & (rr <= r_max)
    if m.sum() < 2:
        raise ValueError("fewer than two r points between r_min and r_max")
    return float(4 * np.pi * density * fraction * np.trapezoid(rr[m] ** 2 * gg[m], rr[m]))
