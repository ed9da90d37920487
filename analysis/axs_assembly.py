"""AXS results across energies and runs: ΔS_A per energy pair, Faber–Ziman partials.

Pure functions over :class:`EnergyIntensity` records (corrected I(Q) at one energy, in
electron units per atom, with the anomalous factors used): :func:`differential_between`
(ΔS_A(Q) and the environmental RDF of two energies of one run), :func:`same_plate_energies`
(the distinct energies measured on the same plate, composition and Q grid, from any number
of runs) and :func:`assemble_partials` (partials S_ab(Q) by weighted least squares, g_ab(r)
with a Lorch window and coordination numbers to the first minimum of g_ab).
Q in Å⁻¹, r in Å, densities in atoms/Å³, f in electrons.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping

import numpy as np

from . import axs

#: r grid (Å) of the published pair distributions.
R_GRID_A = np.round(np.arange(0.02, 10.0 + 1e-9, 0.02), 10)


@dataclasses.dataclass(frozen=True)
class EnergyIntensity:
    """Corrected coherent intensity at one energy (electron units per atom)."""

    run_uid: str
    element: str
    energy_eV: float
    q: np.ndarray
    intensity: np.ndarray
    sigma: np.ndarray
    normalization_factor: float
    leakage_fraction_max: float
    mu_cm: float
    mu_source: str
    factors: dict[str, tuple[float, float]]
    factor_source: dict[str, str]


@dataclasses.dataclass(frozen=True)
class Differential:
    """ΔS_A(Q) between ``energies_eV`` (E1 nearer the edge, E2) with standard errors."""

    element: str
    energies_eV: tuple[float, float]
    q: np.ndarray
    ds: np.ndarray
    sigma: np.ndarray
    weights: dict[str, np.ndarray]
    r: np.ndarray
    environmental_rdf: np.ndarray


@dataclasses.dataclass(frozen=True)
class Partials:
    """Faber–Ziman partials from ``energies_eV`` of ``run_uids``, their g(r) and N_ab.

    ``coordination`` maps "a-b" → N_ab (b neighbours of an a atom) integrated to
    ``r_max_A`` ["a-b"], the first minimum of the measured g_ab after its main peak.
    """

    run_uids: tuple[str, ...]
    energies_eV: tuple[float, ...]
    pairs: tuple[str, ...]
    q: np.ndarray
    s: np.ndarray
    sigma: np.ndarray
    condition_number: float
    chi2_reduced_median: float
    r: np.ndarray
    g: np.ndarray
    coordination: dict[str, float]
    r_max_A: dict[str, float]


def first_minimum(r: np.ndarray, g: np.ndarray) -> float:
    """First minimum (Å) of g(r) after its main peak: the lowest g in (r_peak, 1.8 r_peak]."""
    ip = int(np.argmax(g))
    window = (r > r[ip]) & (r <= 1.8 * r[ip])
    if not np.any(window):
        return float(r[-1])
    idx = np.nonzero(window)[0]
    return float(r[idx[int(np.argmin(g[idx]))]])


def differential_between(
    ei1: EnergyIntensity,
    ei2: EnergyIntensity,
    composition: Mapping[str, float],
    density_atoms_A3: float,
    r_grid_A: np.ndarray = R_GRID_A,
) -> Differential:
    """ΔS_A(Q) of energies ``ei1`` (nearer the edge) and ``ei2`` with its errors, and the
    environmental RDF (atoms/Å, Lorch window) on ``r_grid_A``."""
    f1 = {el: complex(*v) for el, v in ei1.factors.items()}
    f2 = {el: complex(*v) for el, v in ei2.factors.items()}
    d = axs.differential_structure_factor(
        ei1.q,
        ei1.intensity,
        ei2.intensity,
        composition,
        f1,
        f2,
        sigma_e1=ei1.sigma,
        sigma_e2=ei2.sigma,
    )
    rdf = axs.environmental_rdf(d.q, d.ds, r_grid_A, density=float(density_atoms_A3), lorch=True)
    return Differential(
        element=ei1.element,
        energies_eV=(ei1.energy_eV, ei2.energy_eV),
        q=d.q,
        ds=d.ds,
        sigma=d.sigma,
        weights=dict(d.weights),
        r=r_grid_A,
        environmental_rdf=rdf,
    )


def _design_id(start: Mapping) -> str | None:
    """Runs of one designed AXS measurement (issue 15) are analysed together, apart from
    other runs on the same plate."""
    design = start.get("design")
    return design.get("id") if isinstance(design, Mapping) else None


def same_plate_energies(
    measured: Iterable[tuple[Mapping, EnergyIntensity]], start: Mapping
) -> list[EnergyIntensity]:
    """The distinct energies (first measurement of each, in the given order) taken on the
    plate of run ``start``: same sample, composition, Q grid and design (if any). Within a
    designed measurement an energy measured again (adaptive designs) is combined with the
    earlier measurement by inverse-variance weighting.

    ``measured``: (start document of the run, intensity) pairs of every run seen.
    """
    q = np.asarray(start["q_grid"], dtype=float)
    comp = {el: float(c) for el, c in start["composition"].items()}
    entries: list[EnergyIntensity] = []
    for st, ei in measured:
        energy = ei.energy_eV
        same = (
            st.get("sample") == start.get("sample")
            and set(st["composition"]) == set(comp)
            and all(abs(float(st["composition"][el]) - c) < 1e-9 for el, c in comp.items())
            and len(st["q_grid"]) == q.size
            and np.allclose(st["q_grid"], q, rtol=1e-9, atol=0.0)
            and _design_id(st) == _design_id(start)
        )
        if not same:
            continue
        j = next((i for i, e in enumerate(entries)
                  if abs(energy - e.energy_eV) <= 1e-6 * energy), None)  # fmt: skip
        if j is None:
            entries.append(ei)
        elif _design_id(start) is not None:
            entries[j] = _combined(entries[j], ei)
    return entries


def _combined(a: EnergyIntensity, b: EnergyIntensity) -> EnergyIntensity:
    """Two measurements of I(Q) at one energy, inverse-variance weighted (e.u. per atom);
    the record keeps the first run's uid."""
    wa, wb = 1.0 / a.sigma**2, 1.0 / b.sigma**2
    return dataclasses.replace(
        a,
        intensity=(wa * a.intensity + wb * b.intensity) / (wa + wb),
        sigma=1.0 / np.sqrt(wa + wb),
        leakage_fraction_max=max(a.leakage_fraction_max, b.leakage_fraction_max),
    )


def assemble_partials(
    entries: list[EnergyIntensity],
    q: np.ndarray,
    composition: Mapping[str, float],
    density_atoms_A3: float,
    *,
    regularization: float = 0.0,
    r_grid_A: np.ndarray = R_GRID_A,
) -> Partials | None:
    """Faber–Ziman partials from intensities at distinct energies on the grid ``q`` (Å⁻¹), or None
    when there are fewer energies than pairs (n(n+1)/2 for n elements).

    Partials by weighted (Tikhonov-``regularization``) least squares
    (:func:`axsuite.analysis.axs.partial_structure_factors`), g_ab(r) with a Lorch window,
    N_ab integrated to the first minimum of g_ab.
    """
    comp = {el: float(c) for el, c in composition.items()}
    n_el = len(comp)
    if not entries or len(entries) < n_el * (n_el + 1) // 2:
        return None
    q = np.asarray(q, dtype=float)
    data = np.array([ei.intensity for ei in entries])
    sig = np.array([ei.sigma for ei in entries])
    fac = [{el: complex(*v) for el, v in ei.factors.items()} for ei in entries]
    p = axs.partial_structure_factors(q, data, comp, fac, sigma=sig, regularization=regularization)
    rho = float(density_atoms_A3)
    g = axs.pair_distribution(q, p.s, r_grid_A, density=rho, lorch=True)
    coord, r_max = {}, {}
    for k, (a, b) in enumerate(p.pairs):
        rm = first_minimum(r_grid_A, g[k])
        for x, y in ((a, b), (b, a)) if a != b else ((a, b),):
            coord[f"{x}-{y}"] = axs.coordination_number(
                r_grid_A, g[k], density=rho, fraction=comp[y], r_max=rm
            )
            r_max[f"{x}-{y}"] = rm
    chi2 = p.chi2_reduced[np.isfinite(p.chi2_reduced)]
    return Partials(
        run_uids=tuple(dict.fromkeys(ei.run_uid for ei in entries)),
        energies_eV=tuple(ei.energy_eV for ei in entries),
        pairs=tuple(f"{a}-{b}" for a, b in p.pairs),
        q=q,
        s=p.s,
        sigma=p.sigma,
        condition_number=float(p.condition_number),
        chi2_reduced_median=float(np.median(chi2)) if chi2.size else float("nan"),
        r=r_grid_A,
        g=g,
        coordination=coord,
        r_max_A=r_max,
    )
