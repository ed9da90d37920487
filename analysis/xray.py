"""X-ray tables and geometry: one wrapper around xraylib (keV, q = Q/4π) and xraydb.

Conventions of the suite: photon energy in eV, Q = 4π sinθ/λ in Å⁻¹, angles in degrees,
f in electrons, mass attenuation in cm²/g.

Tables used
-----------
* xraylib (Schoonjans et al., Spectrochim. Acta B 66 (2011) 776): f0 = ``FF_Rayl(Z, q)``,
  S_inc = ``SF_Compt(Z, q)`` (q ≥ 0.001), edge and line energies, fluorescence yields,
  Rayleigh/Compton cross sections, ``CompoundParser``. xraylib's ``Fi``/``Fii`` are smoothed
  across edges and are not used near an edge.
* xraydb Chantler tables (Chantler, J. Phys. Chem. Ref. Data 24 (1995) 71):
  ``f1_chantler`` returns f' (not Z + f'), ``f2_chantler`` returns f''. These are the
  near-edge tables of the suite.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence

import numpy as np
import xraydb
import xraylib
from numpy.typing import ArrayLike
from scipy.interpolate import PPoly, UnivariateSpline

from .constants import FPP_CONST_EV_CM2_G, HC_EV_A, ME_C2_EV

_EDGE_SHELLS = {
    "K": xraylib.K_SHELL,
    "L1": xraylib.L1_SHELL,
    "L2": xraylib.L2_SHELL,
    "L3": xraylib.L3_SHELL,
    "M1": xraylib.M1_SHELL,
    "M2": xraylib.M2_SHELL,
    "M3": xraylib.M3_SHELL,
    "M4": xraylib.M4_SHELL,
    "M5": xraylib.M5_SHELL,
}


def atomic_number(element: str | int) -> int:
    """Atomic number of an element given as symbol ("Cu") or Z; ValueError if unknown."""
    if isinstance(element, (int, np.integer)) and not isinstance(element, bool):
        z = int(element)
        if not 1 <= z <= 98:
            raise ValueError(f"atomic number {z} outside 1..98")
        return z
    if isinstance(element, str):
        sym = element.strip()
        if sym.isdigit():
            return atomic_number(int(sym))
        try:
            z = xraylib.SymbolToAtomicNumber(sym.capitalize())
        except ValueError:
            z = 0
        if z <= 0 or sym.capitalize() != sym:
            raise ValueError(f"unknown element symbol {element!r}")
        return int(z)
    raise ValueError(f"element must be a symbol or an atomic number, got {element!r}")


def element_symbol(element: str | int) -> str:
    """Chemical symbol of an element given as symbol or Z."""
    return str(xraylib.AtomicNumberToSymbol(atomic_number(element)))


def atomic_weight(element: str | int) -> float:
    """Standard atomic weight in g/mol."""
    return float(xraylib.AtomicWeight(atomic_number(element)))


def edge_shell(edge: str) -> int:
    """xraylib shell constant for an edge name ("K", "L3", …); ValueError if unknown."""
    try:
        return _EDGE_SHELLS[edge.strip().upper()]
    except (KeyError, AttributeError):
        raise ValueError(
            f"unknown absorption edge {edge!r}; use one of {sorted(_EDGE_SHELLS)}"
        ) from None


def edge_energy_eV(element: str | int, edge: str = "K") -> float:
    """Tabulated absorption-edge energy in eV (xraylib ``EdgeEnergy``; Cu K 8978.9 eV)."""
    z = atomic_number(element)
    try:
        e = xraylib.EdgeEnergy(z, edge_shell(edge))
    except ValueError:
        e = 0.0
    if e <= 0:
        raise ValueError(f"{element_symbol(z)} has no tabulated {edge} edge")
    return float(e) * 1000.0


def f0(element: str | int, q_invA: ArrayLike) -> np.ndarray:
    """Atomic form factor f0(Q) in electrons, Q in Å⁻¹ (xraylib ``FF_Rayl`` at q = Q/4π)."""
    z = atomic_number(element)
    q = np.atleast_1d(np.asarray(q_invA, dtype=float)) / (4.0 * np.pi)
    out = np.array([xraylib.FF_Rayl(z, float(x)) for x in q.ravel()]).reshape(q.shape)
    return out if np.ndim(q_invA) else out[0]


def s_inc(element: str | int, q_invA: ArrayLike) -> np.ndarray:
    """Incoherent scattering function S_inc(Q) in electrons, Q in Å⁻¹ (xraylib ``SF_Compt``)."""
    z = atomic_number(element)
    q = np.maximum(np.atleast_1d(np.asarray(q_invA, dtype=float)) / (4.0 * np.pi), 1e-3)
    out = np.array([xraylib.SF_Compt(z, float(x)) for x in q.ravel()]).reshape(q.shape)
    return out if np.ndim(q_invA) else out[0]


@functools.lru_cache(maxsize=128)
def _chantler_f1_table(symbol: str) -> tuple[np.ndarray, np.ndarray]:
    """Chantler f' table nodes (E in eV, f') of one element, read once from xraydb."""
    row = xraydb.get_xraydb().get_cache("Chantler", column="element", value=symbol)[0]
    return np.array(json.loads(row.energy), dtype=float), np.array(json.loads(row.f1), dtype=float)


@functools.lru_cache(maxsize=256)
def _chantler_f1_piecewise(symbol: str, lo: int, hi: int) -> PPoly:
    """xraydb's f1 spline through table nodes lo…hi, as a piecewise polynomial (cached)."""
    te, ty = _chantler_f1_table(symbol)
    y = np.where(np.abs(ty[lo : hi + 1]) < 1e-99, 1e-99, ty[lo : hi + 1])
    return PPoly.from_spline(UnivariateSpline(te[lo : hi + 1], y, s=0)._eval_args)


def chantler_fp(element: str | int, energy_eV: ArrayLike) -> np.ndarray:
    """Chantler f'(E) in electrons (anomalous real part).

    The same interpolation as xraydb ``f1_chantler`` (a cubic interpolating spline through
    the table nodes from 3 below to 3 above the requested energies), with the table and
    the spline built once per element and node range instead of on every call.
    """
    e = np.asarray(energy_eV, dtype=float)
    flat = np.atleast_1d(e).ravel()
    if flat.size == 0:
        return np.zeros(e.shape)
    if np.any(~np.isfinite(flat)) or np.any(flat <= 0) or np.any(flat > 1e6):
        raise ValueError("photon energy must be finite, positive and ≤ 1 MeV (eV)")
    symbol = element_symbol(element)
    te, _ = _chantler_f1_table(symbol)
    lo = max(0, -3 + int(np.searchsorted(te, flat.min(), side="right")) - 1)
    hi = min(te.size, 3 + int(np.searchsorted(te, flat.max(), side="right")) - 1)
    return _chantler_f1_piecewise(symbol, lo, hi)(flat).reshape(e.shape)


_ALL_EDGES = ("K", "L1", "L2", "L3", "M1", "M2", "M3", "M4", "M5")


def edges_between(
    elements: Sequence[str | int], lo_eV: float, hi_eV: float
) -> list[tuple[str, str, float]]:
    """Tabulated absorption edges (xraylib) of ``elements`` with lo_eV ≤ E ≤ hi_eV.

    Returns (symbol, edge, energy in eV) sorted by energy; edges K, L1–L3, M1–M5.
    """
    out = []
    for el in elements:
        sym = element_symbol(el)
        for edge in _ALL_EDGES:
            try:
                en = edge_energy_eV(sym, edge)
            except ValueError:
                continue
            if lo_eV <= en <= hi_eV:
                out.append((sym, edge, en))
    return sorted(out, key=lambda x: x[2])


@functools.lru_cache(maxsize=128)
def _chantler_f2_table(symbol: str) -> tuple[np.ndarray, np.ndarray]:
    """Chantler f'' table nodes (log E in eV, log f'') of one element, read once."""
    te = np.asarray(xraydb.chantler_energies(symbol), dtype=float)
    ty = np.maximum(np.asarray(xraydb.f2_chantler(symbol, te), dtype=float), 1e-99)
    return np.log(te), np.log(ty)


def chantler_fpp(element: str | int, energy_eV: ArrayLike) -> np.ndarray:
    """Chantler f''(E) in electrons.

    The same log–log interpolation of the Chantler nodes as xraydb ``f2_chantler``, with
    the table cached (xraydb re-reads it on every call, ~2 ms).
    """
    e = np.asarray(energy_eV, dtype=float)
    if np.any(e <= 0):
        raise ValueError("photon energy must be positive (eV)")
    log_e, log_f = _chantler_f2_table(element_symbol(element))
    return np.exp(np.interp(np.log(e), log_e, log_f))


def fpp_from_mu_photo(
    element: str | int, energy_eV: ArrayLike, mu_rho_cm2_g: ArrayLike
) -> np.ndarray:
    """f'' in electrons from a photo-absorption mass coefficient (cm²/g) (optical theorem).

    f'' = E·(μ/ρ)·A / (N_A·2hc·r_e), with N_A·2hc·r_e = 4.20804×10⁷ eV·cm²/mol.
    """
    e = np.asarray(energy_eV, dtype=float)
    return e * np.asarray(mu_rho_cm2_g, dtype=float) * atomic_weight(element) / FPP_CONST_EV_CM2_G


def mu_photo_from_fpp(element: str | int, energy_eV: ArrayLike, fpp: ArrayLike) -> np.ndarray:
    """Photo-absorption mass coefficient in cm²/g from f'' (inverse of ``fpp_from_mu_photo``)."""
    e = np.asarray(energy_eV, dtype=float)
    return np.asarray(fpp, dtype=float) * FPP_CONST_EV_CM2_G / (e * atomic_weight(element))


def scatter_cross_section_cm2_g(element: str | int, energy_eV: ArrayLike) -> np.ndarray:
    """Rayleigh + Compton mass cross section in cm²/g (xraylib ``CS_Rayl`` + ``CS_Compt``)."""
    z = atomic_number(element)
    e = np.atleast_1d(np.asarray(energy_eV, dtype=float)) / 1000.0
    out = np.array([xraylib.CS_Rayl(z, float(x)) + xraylib.CS_Compt(z, float(x)) for x in e])
    return out if np.ndim(energy_eV) else out[0]


def mass_attenuation_cm2_g(
    element: str | int, energy_eV: ArrayLike, *, fpp: ArrayLike | None = None
) -> np.ndarray:
    """Total mass attenuation coefficient μ/ρ in cm²/g with a near-edge-correct photo part.

    Photo-absorption from f'' by the optical theorem (Chantler f'' unless ``fpp`` is
    given, e.g. a model with near-edge structure) plus xraylib Rayleigh + Compton.
    """
    e = np.asarray(energy_eV, dtype=float)
    f2 = chantler_fpp(element, e) if fpp is None else np.asarray(fpp, dtype=float)
    return mu_photo_from_fpp(element, e, f2) + scatter_cross_section_cm2_g(element, e)


def parse_formula(formula: str | Mapping[str, float]) -> dict[str, float]:
    """Atomic fractions (sum 1) of a formula ("Cu50Zr50", "SiO2") or an element→amount map."""
    if isinstance(formula, Mapping):
        amounts = {element_symbol(k): float(v) for k, v in formula.items()}
    else:
        try:
            parsed = xraylib.CompoundParser(str(formula))
        except ValueError:
            raise ValueError(f"cannot parse chemical formula {formula!r}") from None
        amounts = {
            element_symbol(z): float(n)
            for z, n in zip(parsed["Elements"], parsed["nAtoms"], strict=True)
        }
    if any(v < 0 for v in amounts.values()) or sum(amounts.values()) <= 0:
        raise ValueError(f"formula {formula!r} needs non-negative amounts with a positive sum")
    total = sum(amounts.values())
    return {k: v / total for k, v in amounts.items()}


def mass_fractions(composition: Mapping[str, float]) -> dict[str, float]:
    """Mass fractions from atomic fractions (element → fraction)."""
    frac = parse_formula(composition)
    masses = {k: v * atomic_weight(k) for k, v in frac.items()}
    total = sum(masses.values())
    return {k: m / total for k, m in masses.items()}


def compound_mass_attenuation_cm2_g(
    composition: Mapping[str, float] | str, energy_eV: ArrayLike
) -> np.ndarray:
    """μ/ρ in cm²/g of a compound (mixture rule over mass fractions, near-edge photo part)."""
    w = mass_fractions(parse_formula(composition) if isinstance(composition, str) else composition)
    return sum(wi * mass_attenuation_cm2_g(el, energy_eV) for el, wi in w.items())


def bragg_energy_eV(theta_deg: ArrayLike, d_A: float, order: int = 1) -> np.ndarray:
    """Photon energy in eV diffracted at Bragg angle θ (deg) by planes of spacing d (Å).

    E = n·hc / (2 d sinθ). The single implementation of Bragg's law in the suite.
    """
    s = np.sin(np.deg2rad(np.asarray(theta_deg, dtype=float)))
    if np.any(s <= 0) or d_A <= 0:
        raise ValueError("Bragg angle must be in (0, 180) deg and d-spacing positive")
    return order * HC_EV_A / (2.0 * d_A * s)


def bragg_angle_deg(energy_eV: ArrayLike, d_A: float, order: int = 1) -> np.ndarray:
    """Bragg angle θ in deg for photon energy E (eV) and d-spacing d (Å); inverse of above."""
    e = np.asarray(energy_eV, dtype=float)
    s = order * HC_EV_A / (2.0 * d_A * e)
    if np.any((s <= 0) | (s > 1)):
        raise ValueError(f"energy {energy_eV} eV is not reachable with d = {d_A} Å")
    return np.rad2deg(np.arcsin(s))


def q_from_two_theta(two_theta_deg: ArrayLike, energy_eV: ArrayLike) -> np.ndarray:
    """Momentum transfer Q = 4π sinθ/λ in Å⁻¹ for scattering angle 2θ (deg) at energy E (eV)."""
    lam = HC_EV_A / np.asarray(energy_eV, dtype=float)
    return 4.0 * np.pi * np.sin(np.deg2rad(np.asarray(two_theta_deg, dtype=float)) / 2.0) / lam


def two_theta_from_q(q_invA: ArrayLike, energy_eV: ArrayLike) -> np.ndarray:
    """Scattering angle 2θ in deg for Q (Å⁻¹) at energy E (eV); ValueError if unreachable."""
    lam = HC_EV_A / np.asarray(energy_eV, dtype=float)
    s = np.asarray(q_invA, dtype=float) * lam / (4.0 * np.pi)
    if np.any((s < 0) | (s > 1)):
        raise ValueError("Q is not reachable at this energy (Qλ/4π > 1)")
    return 2.0 * np.rad2deg(np.arcsin(s))


def compton_energy_eV(energy_eV: ArrayLike, two_theta_deg: ArrayLike) -> np.ndarray:
    """Compton-scattered photon energy in eV: E_C = E / [1 + (E/m_e c²)(1 − cos 2θ)]."""
    e = np.asarray(energy_eV, dtype=float)
    c = np.cos(np.deg2rad(np.asarray(two_theta_deg, dtype=float)))
    return e / (1.0 + (e / ME_C2_EV) * (1.0 - c))
