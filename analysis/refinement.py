"""Whole-pattern (Rietveld) refinement of powder patterns with lmfit.

Model (Rietveld, J. Appl. Cryst. 2 (1969) 65, doi:10.1107/S0021889869006558)::

    y_c(2θ) = b(2θ) + Σ_phases s_p Σ_hkl Σ_λ w_λ m |F|² LP P_MD Φ(2θ − 2θ_hkl,λ − Δ)

* |F|² with f0(Q) + f' + i f'' and Debye–Waller (U_iso) per site, occupancies
  (:mod:`axsuite.analysis.crystal`); LP for a flat specimen with optional diffracted-beam
  monochromator;
* Φ: TCH pseudo-Voigt, Γ_G² = U tan²θ + V tanθ + W, Γ_L = X/cosθ + Y tanθ (deg²/deg;
  Thompson, Cox & Hastings, J. Appl. Cryst. 20 (1987) 79);
* peak shift Δ = zero + Δ_s, specimen displacement s (mm) on a goniometer of radius R:
  Δ_s = −(2 s cosθ / R)·180/π deg (Klug & Alexander, *X-ray Diffraction Procedures*, 1974);
* axial-divergence asymmetry: ε = −(ψ²/2) cot 2θ for rays tilted by ψ ∈ [−Δ, Δ]
  (Pike 1957; Cheary & Coelho 1998), 6-point quadrature;
* March–Dollase preferred orientation averaged over equivalents (Dollase 1986);
* background: Chebyshev polynomial in 2θ mapped to [−1, 1];
* wavelength doublets (Kα1/Kα2 with intensity ratio) for laboratory data;
* constraints as lmfit ``expr``; restraints (expr, target, σ) as extra residuals.

Agreement factors (McCusker et al., J. Appl. Cryst. 32 (1999) 36,
doi:10.1107/S0021889898009856), w = 1/σ²: Rp = Σ|yo − yc|/Σyo,
Rwp = [Σw(yo − yc)²/Σw yo²]^½, Rexp = [(N − P)/Σw yo²]^½, χ² = (Rwp/Rexp)².
The correlation matrix of the varied parameters is reported and |ρ| > 0.9 is flagged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import lmfit
import numpy as np
from asteval import Interpreter
from numpy.typing import ArrayLike

from .crystal import (
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
from .lineprofile import InstrumentFunction, pseudo_voigt, tch_fwhm_eta

__all__ = [
    "PhaseModel",
    "RefinementError",
    "RefinementResult",
    "Restraint",
    "agreement_factors",
    "refine_pattern",
]

_GROUPS = ("scale", "background", "lattice", "zero", "displacement", "transparency",
           "asymmetry", "profile", "gaussian", "lorentzian", "uiso", "occupancy",
           "texture")  # fmt: skip


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


@dataclass(frozen=True)
class RefinementResult:
    """Outcome of :func:`refine_pattern`.

    ``values``/``errors``: every parameter (1σ errors, nan when fixed); ``varied``: names of
    the refined ones; ``correlation``: matrix over ``varied``; ``high_correlations``:
    (name, name, ρ) with |ρ| > 0.9; ``lattice``: per phase {a, b, c, alpha, beta, gamma}
    (Å, deg) and ``lattice_errors``; ``profile``: instrument function from U, V, W, X, Y.
    """

    values: dict[str, float]
    errors: dict[str, float]
    varied: tuple[str, ...]
    correlation: np.ndarray
    high_correlations: tuple[tuple[str, str, float], ...]
    warnings: tuple[str, ...]
    rp: float
    rwp: float
    rexp: float
    chi2: float
    n_points: int
    n_parameters: int
    two_theta_deg: np.ndarray
    y_obs: np.ndarray
    y_calc: np.ndarray
    y_background: np.ndarray
    sigma: np.ndarray
    lattice: dict[str, dict[str, float]]
    lattice_errors: dict[str, dict[str, float]]
    profile: InstrumentFunction
    reflections: dict[str, dict[str, np.ndarray]]
    nfev: int


def agreement_factors(
    y_obs: ArrayLike, y_calc: ArrayLike, sigma: ArrayLike, n_parameters: int
) -> tuple[float, float, float, float]:
    """(Rp, Rwp, Rexp, χ²) after McCusker et al. (1999), w = 1/σ²."""
    yo = np.asarray(y_obs, dtype=float)
    yc = np.asarray(y_calc, dtype=float)
    w = 1.0 / np.asarray(sigma, dtype=float) ** 2
    n = yo.size
    if n <= n_parameters:
        raise ValueError("more parameters than data points")
    rp = float(np.sum(np.abs(yo - yc)) / np.sum(yo))
    swy2 = float(np.sum(w * yo**2))
    rwp = float(np.sqrt(np.sum(w * (yo - yc) ** 2) / swy2))
    rexp = float(np.sqrt((n - n_parameters) / swy2))
    return rp, rwp, rexp, (rwp / rexp) ** 2


def _tag(name: str) -> str:
    t = re.sub(r"\W", "_", name)
    return t if re.match(r"[A-Za-z_]", t) else f"p_{t}"


class _PatternModel:
    """Evaluates y_c for a parameter set; holds the fixed reflection lists per phase."""

    def __init__(
        self, x, phases, wavelengths, polarization, mono_2theta, radius_mm, bkg_terms, cut
    ):
        self.x = x
        self.phases = phases
        self.wavelengths = wavelengths
        self.polarization = polarization
        self.mono = mono_2theta
        self.radius = radius_mm
        self.nbkg = bkg_terms
        self.cut = cut
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
                gl = v["X"] / np.cos(th) + v["Y"] * t
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


def refine_pattern(
    two_theta_deg: ArrayLike,
    counts: ArrayLike,
    phases: Sequence[PhaseModel | Crystal],
    *,
    wavelengths: Sequence[tuple[float, float]] | float,
    sigma: ArrayLike | None = None,
    refine: Sequence[str] = ("scale", "background", "lattice", "zero", "profile"),
    instrument: InstrumentFunction | None = None,
    zero_deg: float = 0.0,
    displacement_mm: float = 0.0,
    axial_divergence_deg: float = 0.0,
    goniometer_radius_mm: float = 240.0,
    polarization: float = 0.5,
    monochromator_two_theta_deg: float | None = None,
    background_terms: int = 6,
    two_theta_range: tuple[float, float] | None = None,
    constraints: Mapping[str, str] | None = None,
    restraints: Sequence[Restraint] = (),
    fix: Sequence[str] = (),
    cutoff_fwhm: float = 15.0,
    max_nfev: int | None = None,
    correlation_warning: float = 0.9,
) -> RefinementResult:
    """Rietveld refinement of one pattern (counts vs 2θ in deg) with lmfit (Levenberg–Marquardt).

    ``wavelengths``: λ in Å, or [(λ1, 1.0), (λ2, I2/I1)] for a Kα doublet. ``refine``: groups
    ("scale", "background", "lattice", "zero", "displacement", "transparency", "asymmetry"
    = axial divergence, "profile" = U,V,W,X,Y, "gaussian" = U,V,W, "lorentzian" = X,Y,
    "uiso", "occupancy", "texture") and/or
    individual parameter names; ``fix`` removes names again. Parameter names: ``U V W X Y``,
    ``zero`` (deg), ``displacement_mm``, ``transparency`` (deg), ``axial_deg`` (effective
    axial divergence Δ, deg; start it > 0 when refined — its derivative vanishes at 0),
    ``bkg0…``, and per phase
    (tag = phase name with non-word characters replaced by "_") ``{tag}_scale``, ``{tag}_a`` …,
    ``{tag}_uiso_{site}`` (Å²), ``{tag}_occ_{site}``, ``{tag}_md_r``. ``constraints`` maps a
    parameter to an lmfit expression; ``restraints`` add (expr − target)/σ residuals.
    Each peak is evaluated within ±``cutoff_fwhm``·FWHM; a Lorentzian loses the fraction
    1 − (2/π)·atan(2·cutoff) of its area beyond (1.6 % at 20): raise it for broad, strongly
    Lorentzian peaks (nanocrystalline samples), at a proportional cost in time.

    The refinement runs in stages (scale/background, + positions, + everything requested);
    RefinementError when it diverges (non-finite values, Rwp worse than the start, lattice
    moving by > 5 %, a scale ≤ 0, negative profile widths) or when the input is inconsistent.
    March–Dollase r refined from exactly 1 starts at 0.95 (dP/dr = 0 at r = 1 for cubic).
    """
    x, y, s = _prepare(two_theta_deg, counts, sigma, two_theta_range)
    if isinstance(wavelengths, (int, float)):
        wavelengths = [(float(wavelengths), 1.0)]
    wavelengths = [(float(lam), float(w)) for lam, w in wavelengths]
    if not wavelengths or any(lam <= 0 or w < 0 for lam, w in wavelengths):
        raise RefinementError("wavelengths must be positive (Å) with non-negative weights")
    if not phases:
        raise RefinementError("at least one phase is needed")
    phases = [p if isinstance(p, PhaseModel) else PhaseModel(p) for p in phases]
    if background_terms < 1:
        raise RefinementError("need at least one background term")
    if not goniometer_radius_mm > 0:
        raise RefinementError("goniometer radius must be positive (mm)")
    model = _PatternModel(
        x, phases, wavelengths, polarization, monochromator_two_theta_deg, goniometer_radius_mm,
        background_terms, cutoff_fwhm,
    )  # fmt: skip
    inst = instrument or _default_instrument(x)
    if not axial_divergence_deg >= 0:
        raise RefinementError("axial divergence must be ≥ 0 deg")
    params = _make_parameters(
        model, phases, inst, zero_deg, displacement_mm, axial_divergence_deg, y
    )
    wanted = _expand(refine, model, phases, params) - set(fix)
    for name, expr in (constraints or {}).items():
        if name not in params:
            raise RefinementError(f"constraint on unknown parameter {name!r}")
        params[name].set(expr=expr)
    interp = Interpreter()
    for r in restraints:
        _check_expr(r.expr, params, interp)

    def residual(p):
        v = p.valuesdict()
        res = (y - model(v)) / s
        if restraints:
            interp.symtable.update(v)
            extra = [(float(interp.eval(r.expr)) - r.target) / r.sigma for r in restraints]
            res = np.concatenate([res, extra])
        if not np.all(np.isfinite(res)):
            return np.full(res.shape, 1e10)
        return res

    _linear_start(model, params, y, s)
    _cell_search(model, params, wanted, y, s)
    start_rwp = agreement_factors(y, model(params.valuesdict()), s, 1)[1]
    positions = wanted & _expand(
        ["scale", "background", "lattice", "zero", "displacement"], model, phases, params
    )
    stages = [wanted & _expand(["scale", "background"], model, phases, params), positions, wanted]
    md_names = [n for n in wanted if n.endswith("_md_r")]
    for n in md_names:
        # dP/dr vanishes at r = 1 for cubic phases (isotropic second moment of the
        # equivalents), so a refinement started there cannot move: start slightly off.
        if params[n].value == 1.0:
            params[n].value = 0.95
    result = None
    nfev = 0
    for stage in stages:
        if not stage:
            continue
        for name, par in params.items():
            par.vary = name in stage and par.expr is None
        nfev = max_nfev or 100 * (len(stage) + 1)
        result = lmfit.minimize(residual, params, method="leastsq", max_nfev=nfev)
        params = result.params
    if result is None:
        raise RefinementError("nothing to refine")
    return _finish(result, model, phases, x, y, s, start_rwp, correlation_warning, nfev)


def _prepare(two_theta_deg, counts, sigma, rng):
    x = np.asarray(two_theta_deg, dtype=float).ravel()
    y = np.asarray(counts, dtype=float).ravel()
    if x.shape != y.shape:
        raise RefinementError(f"2θ and counts differ in length ({x.size} vs {y.size})")
    s = np.sqrt(np.maximum(y, 1.0)) if sigma is None else np.asarray(sigma, dtype=float).ravel()
    if s.shape != x.shape:
        raise RefinementError("sigma must have the length of the pattern")
    ok = np.isfinite(x) & np.isfinite(y) & np.isfinite(s) & (s > 0)
    if rng is not None:
        if not rng[0] < rng[1]:
            raise RefinementError("2θ range must be (min, max) with min < max")
        ok &= (x >= rng[0]) & (x <= rng[1])
    x, y, s = x[ok], y[ok], s[ok]
    order = np.argsort(x, kind="stable")
    x, y, s = x[order], y[order], s[order]
    if x.size < 50:
        raise RefinementError(f"only {x.size} usable points in the pattern (need ≥ 50)")
    if x[0] <= 0 or x[-1] >= 180:
        raise RefinementError("2θ must lie in (0, 180) deg")
    return x, y, s


def _default_instrument(x: np.ndarray) -> InstrumentFunction:
    step = float(np.median(np.diff(x)))
    w = (4 * step) ** 2
    return InstrumentFunction(U=0.0, V=0.0, W=w, X=2 * step, Y=0.0)


def _make_parameters(model, phases, inst, zero, disp, axial, y) -> lmfit.Parameters:
    # No bounds except where needed: lmfit maps bounded parameters through sin(), whose
    # finite-difference derivative vanishes at a bound and is tiny at the interval centre.
    p = lmfit.Parameters()
    p.add("U", value=inst.U)
    p.add("V", value=inst.V)
    p.add("W", value=max(inst.W, 1e-8))
    p.add("X", value=inst.X)
    p.add("Y", value=inst.Y)
    p.add("zero", value=zero)
    p.add("displacement_mm", value=disp)
    p.add("transparency", value=0.0)
    p.add("axial_deg", value=axial)
    for k in range(model.nbkg):
        p.add(f"bkg{k}", value=float(np.percentile(y, 10)) if k == 0 else 0.0)
    for i, ph in enumerate(phases):
        tag = model.tags[i]
        p.add(f"{tag}_scale", value=1.0 if ph.scale is None else ph.scale)
        cell = ph.crystal.cell
        full = dict(zip(("a", "b", "c", "alpha", "beta", "gamma"), cell, strict=True))
        for n in lattice_parameter_names(model.system[i]):
            p.add(f"{tag}_{n}", value=full[n])
        for site in ph.crystal.sites:
            st = _tag(site.label)
            p.add(f"{tag}_occ_{st}", value=site.occupancy)
            p.add(f"{tag}_uiso_{st}", value=site.u_iso_A2)
        if ph.texture_axis is not None:
            p.add(f"{tag}_md_r", value=ph.march_dollase_r)
    for par in p.values():
        par.vary = False
    return p


def _expand(refine, model, phases, params) -> set[str]:
    out: set[str] = set()
    for item in refine:
        if item in params:
            out.add(item)
            continue
        if item not in _GROUPS:
            raise RefinementError(
                f"unknown refinement group or parameter {item!r}; groups: {_GROUPS}"
            )
        if item == "background":
            out |= {f"bkg{k}" for k in range(model.nbkg)}
        elif item == "profile":
            out |= {"U", "V", "W", "X", "Y"}
        elif item == "gaussian":
            out |= {"U", "V", "W"}
        elif item == "lorentzian":
            out |= {"X", "Y"}
        elif item == "zero":
            out.add("zero")
        elif item == "displacement":
            out.add("displacement_mm")
        elif item == "transparency":
            out.add("transparency")
        elif item == "asymmetry":
            out.add("axial_deg")
        for i, ph in enumerate(phases):
            tag = model.tags[i]
            if item == "scale":
                out.add(f"{tag}_scale")
            elif item == "lattice":
                out |= {f"{tag}_{n}" for n in lattice_parameter_names(model.system[i])}
            elif item == "uiso":
                labels = ph.uiso_sites or [s.label for s in ph.crystal.sites]
                out |= {f"{tag}_uiso_{_tag(lb)}" for lb in labels}
            elif item == "occupancy":
                labels = ph.occupancy_sites or [s.label for s in ph.crystal.sites]
                out |= {f"{tag}_occ_{_tag(lb)}" for lb in labels}
            elif item == "texture" and ph.texture_axis is not None:
                out.add(f"{tag}_md_r")
    unknown = out - set(params)
    if unknown:
        raise RefinementError(f"unknown parameters {sorted(unknown)}")
    return out


def _check_expr(expr: str, params: lmfit.Parameters, interp: Interpreter) -> None:
    interp.symtable.update(params.valuesdict())
    interp.error = []
    val = interp.eval(expr)
    if interp.error or val is None or not np.isfinite(float(val)):
        raise RefinementError(f"restraint expression {expr!r} cannot be evaluated")


def _linear_solve(model, v: Mapping[str, float], y, s) -> tuple[np.ndarray, float]:
    """Background coefficients and phase scales by linear least squares at the profile and
    cells of ``v``; returns (coefficients, χ²)."""
    cols = [model.cheb[:, k] for k in range(model.nbkg)]
    for i in range(len(model.phases)):
        vi = dict(v)
        for j, tag in enumerate(model.tags):
            vi[f"{tag}_scale"] = 1.0 if j == i else 0.0
        cols.append(model.peaks_only(vi))
    a = np.column_stack(cols) / s[:, None]
    coef, *_ = np.linalg.lstsq(a, y / s, rcond=None)
    return coef, float(np.sum((a @ coef - y / s) ** 2))


def _linear_start(model, params, y, s) -> None:
    """Initial scales and background by linear least squares with the starting profile."""
    coef, _ = _linear_solve(model, params.valuesdict(), y, s)
    for k in range(model.nbkg):
        params[f"bkg{k}"].value = float(coef[k])
    for i, tag in enumerate(model.tags):
        if model.phases[i].scale is None:
            params[f"{tag}_scale"].value = max(float(coef[model.nbkg + i]), 1e-12)


def _cell_search(model, params, wanted: set[str], y, s) -> None:
    """Coarse search of an isotropic cell scale (1 + e, |e| ≤ 0.6 %, steps of 10⁻⁴) per phase
    whose lattice is refined, keeping the best χ² (scales and background solved linearly).

    Least squares only sees a peak that overlaps its calculated position; at high angles a
    cell 0.3 % off shifts peaks by several FWHM, so the minimizer would start in a false
    minimum. The start is kept unless a scaled cell fits better.
    """
    grid = np.linspace(-0.006, 0.006, 121)
    for i in range(len(model.phases)):
        tag = model.tags[i]
        names = [f"{tag}_{n}" for n in ("a", "b", "c") if f"{tag}_{n}" in wanted]
        if not names:
            continue
        v = params.valuesdict()
        base = {n: v[n] for n in names}
        chi2 = []
        for e in grid:
            v.update({n: val * (1.0 + e) for n, val in base.items()})
            chi2.append(_linear_solve(model, v, y, s)[1])
        best = float(grid[int(np.argmin(chi2))])
        for n, val in base.items():
            params[n].value = val * (1.0 + best)
    _linear_start(model, params, y, s)


def _lattice_source(system: str, name: str) -> str:
    """Independent parameter that a cell parameter follows (b = a for cubic etc.)."""
    if name in lattice_parameter_names(system):
        return name
    if name in ("b", "c") and system == "cubic":
        return "a"
    if name == "b" and system in ("tetragonal", "hexagonal", "trigonal"):
        return "a"
    return f"fixed_{name}"


def _finish(result, model, phases, x, y, s, start_rwp, warn_at, nfev_limit) -> RefinementResult:
    v = result.params.valuesdict()
    yc = model(v)
    ybk = model.background(v)
    varied = tuple(result.var_names)
    nvar = len(varied)
    if not np.all(np.isfinite(yc)) or not all(np.isfinite(val) for val in v.values()):
        raise RefinementError("refinement diverged: non-finite parameters or pattern")
    rp, rwp, rexp, chi2 = agreement_factors(y, yc, s, nvar)
    for tag in model.tags:
        if v[f"{tag}_scale"] <= 0:
            raise RefinementError(
                f"refinement diverged: {tag} scale became {v[f'{tag}_scale']:.3g}"
            )
    th = np.deg2rad(x) / 2.0
    t = np.tan(th)
    gg2 = v["U"] * t**2 + v["V"] * t + v["W"]
    gl = v["X"] / np.cos(th) + v["Y"] * t
    fwhm = tch_fwhm_eta(np.sqrt(np.maximum(gg2, 0.0)), np.maximum(gl, 0.0))[0]
    step = float(np.median(np.diff(x)))
    if np.any(gl < -1e-6) or np.any(fwhm < 0.1 * step) or np.any(fwhm > 0.25 * (x[-1] - x[0])):
        raise RefinementError(
            "refinement diverged: negative profile widths (U, V, W, X, Y = "
            f"{v['U']:.3g}, {v['V']:.3g}, {v['W']:.3g}, {v['X']:.3g}, {v['Y']:.3g})"
        )
    if rwp > start_rwp * 1.0001:
        raise RefinementError(f"refinement diverged: Rwp rose from {start_rwp:.4f} to {rwp:.4f}")
    lattice, lattice_err = {}, {}
    for i, ph in enumerate(phases):
        tag = model.tags[i]
        cell = model.phase_cell(i, v)
        if np.any(np.abs(np.array(cell[:3]) / np.array(ph.crystal.cell[:3]) - 1) > 0.05):
            raise RefinementError(f"refinement diverged: {ph.crystal.name} cell moved > 5 %")
        lattice[tag] = dict(zip(("a", "b", "c", "alpha", "beta", "gamma"), cell, strict=True))
        errs = {}
        for n in ("a", "b", "c", "alpha", "beta", "gamma"):
            par = result.params.get(f"{tag}_{_lattice_source(model.system[i], n)}")
            errs[n] = float(par.stderr) if par is not None and par.stderr is not None else 0.0
        lattice_err[tag] = errs
    errors = {
        n: (float(p.stderr) if p.stderr is not None else float("nan"))
        for n, p in result.params.items()
    }
    warnings: list[str] = []
    if np.any(gg2 < 0):
        warnings.append("U tan²θ + V tanθ + W < 0 in part of the range: Gaussian width set to 0")
    for name, val in v.items():
        if "_occ_" in name and not -1e-6 <= val <= 1 + 1e-6:
            warnings.append(f"{name} = {val:.3f} lies outside [0, 1]")
        if "_uiso_" in name and val < 0:
            warnings.append(f"{name} = {val:.4f} Å² is negative")
    corr = np.eye(nvar)
    if result.covar is not None and nvar:
        d = np.sqrt(np.abs(np.diag(result.covar)))
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = result.covar / np.outer(d, d)
    else:
        warnings.append("no covariance matrix: errors and correlations unavailable")
    high = []
    for i in range(nvar):
        for j in range(i + 1, nvar):
            if abs(corr[i, j]) > warn_at:
                high.append((varied[i], varied[j], float(corr[i, j])))
    for a, b, r in high:
        warnings.append(f"parameters {a} and {b} are correlated (ρ = {r:+.3f})")
    if result.nfev >= nfev_limit:
        warnings.append("stopped at the evaluation limit; may not be fully converged")
    _, _, _, _, info = model.peaks(v)
    refl = {}
    for tag, hkl, pos, inten, d in info:
        refl[tag] = {"hkl": hkl, "two_theta_deg": pos, "intensity": inten, "d_A": d}
    prof = InstrumentFunction(
        U=v["U"], V=v["V"], W=v["W"], X=v["X"], Y=v["Y"], wavelength_A=model.wavelengths[0][0],
        U_err=errors["U"], V_err=errors["V"], W_err=errors["W"], X_err=errors["X"],
        Y_err=errors["Y"],
    )  # fmt: skip
    return RefinementResult(
        values=dict(v), errors=errors, varied=varied, correlation=corr,
        high_correlations=tuple(high), warnings=tuple(warnings), rp=rp, rwp=rwp, rexp=rexp,
        chi2=chi2, n_points=int(x.size), n_parameters=nvar, two_theta_deg=x, y_obs=y,
        y_calc=yc, y_background=ybk, sigma=s, lattice=lattice, lattice_errors=lattice_err,
        profile=prof, reflections=refl, nfev=int(result.nfev),
    )  # fmt: skip
