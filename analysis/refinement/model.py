"""The calculated pattern y_c(2θ) of a Rietveld refinement and its inputs (phases, restraints).

Peak positions, Lorentz–polarization, |F|², March–Dollase, TCH widths per reflection and
wavelength; peak shifts (zero, specimen displacement, transparency); axial divergence by
quadrature; Chebyshev background. Formulas and references: :mod:`axsuite.analysis.refinement`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ..crystal import (
    Crystal,
    Reflections,
    StructureFactorCalculator,
    cell_from_parameters,
    d_spacing,
    generate_reflections,
    lattice_parameter_names,
    lorentz_polarization,
    march_dollase_factors,
)
from ..lineprofile import pseudo_voigt, tch_fwhm_eta

__all__ = ["PhaseModel", "RefinementError", "Restraint"]


class RefinementError(ValueError):
    """A refinement diverged or could not start (bad input)."""


@dataclass(frozen=True)
class PhaseModel:
    """A phase to refine: structure, initial scale (None = estimated), optional March–Dollase
    axis (hkl) with initial r, and which sites' U_iso / occupancies may be refined (labels;
    empty = all sites when the group is refined)."""

    crystal: Crystal
    scale: float | None = None
    texture_axis: tuple[int, int, int] | None = None
    march_dollase_r: float = 1.0
    uiso_sites: tuple[str, ...] = ()
    occupancy_sites: tuple[str, ...] = ()


@dataclass(frozen=True)
class Restraint:
    """Soft restraint: (value of ``expr`` − ``target``)/``sigma`` added to the residuals."""

    expr: str
    target: float
    sigma: float

    def __post_init__(self) -> None:
        if not self.sigma > 0:
            raise ValueError(f"restraint {self.expr!r}: sigma must be positive")


def _tag(name: str) -> str:
    t = re.sub(r"\W", "_", name)
    return t if re.match(r"[A-Za-z_]", t) else f"p_{t}"


class _PatternModel:
    """Evaluates y_c for a parameter set; holds the fixed reflection lists per phase."""

    def __init__(
        self, x, phases, wavelengths, polarization, mono_2theta, radius_mm, bkg_terms, cut
    ):
        self.x, self.phases, self.wavelengths = x, phases, wavelengths
        self.polarization, self.mono, self.radius = polarization, mono_2theta, radius_mm
        self.nbkg, self.cut = bkg_terms, cut
        self.xn = (2.0 * x - (x[0] + x[-1])) / (x[-1] - x[0])
        self.cheb = np.polynomial.chebyshev.chebvander(self.xn, bkg_terms - 1)
        lam_max = max(lam for lam, _ in wavelengths)
        lam_min = min(lam for lam, _ in wavelengths)
        self.tags, self.refl, self.calc, self.system = [], [], [], []
        for ph in phases:
            tag = _tag(ph.crystal.name)
            if tag in self.tags:
                raise RefinementError(f"two phases share the name {ph.crystal.name!r}")
            hi = min(x[-1] + 3.0, 179.0)
            d_min = lam_max / (2 * np.sin(np.deg2rad(hi) / 2)) * 0.98
            refl = generate_reflections(ph.crystal, d_min)
            d_max = lam_min / (2 * np.sin(np.deg2rad(max(x[0] - 3.0, 0.5)) / 2)) * 1.02
            keep = refl.d_A <= d_max
            if not keep.any():
                raise RefinementError(f"{ph.crystal.name}: no reflection in the 2θ range")
            refl = _subset(refl, keep)
            self.tags.append(tag)
            self.refl.append(refl)
            self.calc.append(
                {
                    lam: StructureFactorCalculator(ph.crystal, refl.hkl, lam)
                    for lam, _ in wavelengths
                }
            )
            self.system.append(ph.crystal.crystal_system)

    def phase_cell(self, i: int, v: Mapping[str, float]) -> tuple:
        tag = self.tags[i]
        names = lattice_parameter_names(self.system[i])
        return cell_from_parameters(
            self.system[i], {n: v[f"{tag}_{n}"] for n in names}, self.phases[i].crystal.cell
        )

    def peaks(self, v: Mapping[str, float]):
        """Peak positions, areas, FWHM, η (all phases, all wavelengths) and per-phase info."""
        cen, area, fw, et, info = [], [], [], [], []
        for i, ph in enumerate(self.phases):
            tag = self.tags[i]
            refl = self.refl[i]
            cell = self.phase_cell(i, v)
            d = d_spacing(refl.hkl, cell)
            occ = [v[f"{tag}_occ_{_tag(s.label)}"] for s in ph.crystal.sites]
            uis = [v[f"{tag}_uiso_{_tag(s.label)}"] for s in ph.crystal.sites]
            if ph.texture_axis is not None:
                pmd = march_dollase_factors(
                    refl, cell, ph.texture_axis, max(v[f"{tag}_md_r"], 1e-3)
                )
            else:
                pmd = 1.0
            for lam, wgt in self.wavelengths:
                # Every array is computed over the full reflection list and masked once: which
                # reflections lie below 2θ_max changes as the lattice moves.
                s = lam / (2.0 * d)
                ok = s < _SIN_THETA_MAX
                tt = 2.0 * np.rad2deg(np.arcsin(s[ok]))
                f2 = self.calc[i][lam].f_squared(d, occupancies=occ, u_iso_A2=uis)[ok]
                lp = lorentz_polarization(
                    tt, polarization=self.polarization, monochromator_two_theta_deg=self.mono
                )
                inten = v[f"{tag}_scale"] * wgt * refl.multiplicity[ok] * f2 * lp
                inten = inten * (pmd[ok] if np.ndim(pmd) else pmd)
                pos = tt + self.shift(tt, v)
                th = np.deg2rad(tt) / 2.0
                t = np.tan(th)
                gg2 = v["U"] * t**2 + v["V"] * t + v["W"]
                gl = (v["X"] + v[f"{tag}_LX"]) / np.cos(th) + (v["Y"] + v[f"{tag}_LY"]) * t
                gg = np.sqrt(np.maximum(gg2, 1e-10))
                f, e = tch_fwhm_eta(gg, np.maximum(gl, 0.0))
                cen.append(pos)
                area.append(inten)
                fw.append(f)
                et.append(e)
                if lam == self.wavelengths[0][0]:
                    info.append((tag, refl.hkl[ok], pos, inten, d[ok]))
        return (np.concatenate(cen), np.concatenate(area), np.concatenate(fw),
                np.concatenate(et), info)  # fmt: skip

    def shift(self, tt: np.ndarray, v: Mapping[str, float]) -> np.ndarray:
        th = np.deg2rad(tt) / 2.0
        disp = -2.0 * v["displacement_mm"] * np.cos(th) / self.radius
        return v["zero"] + np.rad2deg(disp) + v["transparency"] * np.sin(2 * th)

    def background(self, v: Mapping[str, float]) -> np.ndarray:
        return self.cheb @ np.array([v[f"bkg{k}"] for k in range(self.nbkg)])

    def peaks_only(self, v: Mapping[str, float]) -> np.ndarray:
        cen, area, fw, et, _ = self.peaks(v)
        delta = np.deg2rad(abs(v["axial_deg"]))
        if delta == 0.0:
            return _accumulate(self.x, cen, area, fw, et, self.cut)
        # axial divergence: a ray tilted by ψ out of the equatorial plane appears at
        # 2θ + ε, ε = −(ψ²/2) cot 2θ (Pike, J. Sci. Instrum. 34 (1957) 355; Cheary & Coelho,
        # J. Appl. Cryst. 31 (1998) 851); ψ triangular on [−Δ, Δ], Gauss–Legendre nodes.
        cot = 1.0 / np.tan(np.deg2rad(cen))
        out = np.zeros_like(self.x)
        for u, w in zip(_GL_U, _GL_W, strict=True):
            eps = -np.rad2deg(0.5 * (u * delta) ** 2 * cot)
            out += _accumulate(self.x, cen + eps, area * w, fw, et, self.cut)
        return out

    def __call__(self, v: Mapping[str, float]) -> np.ndarray:
        return self.background(v) + self.peaks_only(v)


_SIN_THETA_MAX = np.sin(np.deg2rad(179.0) / 2.0)  # reflections beyond 2θ = 179° are dropped


_GL_X, _GL_WX = np.polynomial.legendre.leggauss(6)


_GL_U = 0.5 * (_GL_X + 1.0)  # ψ/Δ on [0, 1]


_GL_W = 0.5 * _GL_WX * 2.0 * (1.0 - _GL_U)  # triangular density 2(1 − u), weights sum to 1


def _subset(refl: Reflections, keep: np.ndarray) -> Reflections:
    new_index = np.cumsum(keep) - 1
    ek = keep[refl.equiv_index]
    return Reflections(
        hkl=refl.hkl[keep],
        multiplicity=refl.multiplicity[keep],
        d_A=refl.d_A[keep],
        equiv_hkl=refl.equiv_hkl[ek],
        equiv_index=new_index[refl.equiv_index[ek]],
    )


def _accumulate(x, cen, area, fwhm, eta, cut) -> np.ndarray:
    """Σ peaks on x, each evaluated within ±cut·FWHM of its centre."""
    lo = np.searchsorted(x, cen - cut * fwhm)
    hi = np.searchsorted(x, cen + cut * fwhm)
    n = hi - lo
    total = int(n.sum())
    if total == 0:
        return np.zeros_like(x)
    pk = np.repeat(np.arange(cen.size), n)
    idx = np.arange(total) - np.repeat(np.cumsum(n) - n, n) + np.repeat(lo, n)
    vals = pseudo_voigt(x[idx], cen[pk], fwhm[pk], eta[pk], area[pk])
    return np.bincount(idx, weights=vals, minlength=x.size)
