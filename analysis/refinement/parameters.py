"""Parameters of a refinement: input checks, the lmfit parameter set, refinement groups,
and the starting values (linear scales/background, coarse cell search)."""

from __future__ import annotations

from collections.abc import Mapping

import lmfit
import numpy as np
from asteval import Interpreter

from ..crystal import (
    lattice_parameter_names,
)
from ..lineprofile import InstrumentFunction
from .model import RefinementError, _tag

_GROUPS = ("scale", "background", "lattice", "zero", "displacement", "transparency",
           "asymmetry", "profile", "gaussian", "lorentzian", "uiso", "occupancy",
           "texture", "phase_profile")  # fmt: skip


def _prepare(two_theta_deg, counts, sigma, rng, exclude=()):
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
    for region in exclude:
        lo, hi = (float(v) for v in region)
        if not lo < hi:
            raise RefinementError(f"excluded region {region} must be (min, max) with min < max")
        ok &= (x < lo) | (x > hi)
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
        p.add(f"{tag}_LX", value=0.0)  # the phase's own Lorentzian broadening (deg), size
        p.add(f"{tag}_LY", value=0.0)  # and strain terms added to the instrument's X, Y
    for par in p.values():
        par.vary = False
    return p


_GLOBAL_GROUPS = {
    "profile": ("U", "V", "W", "X", "Y"),
    "gaussian": ("U", "V", "W"),
    "lorentzian": ("X", "Y"),
    "zero": ("zero",),
    "displacement": ("displacement_mm",),
    "transparency": ("transparency",),
    "asymmetry": ("axial_deg",),
}


def _phase_group(item: str, tag: str, system: str, ph) -> set[str]:
    """Parameter names of refinement group ``item`` for one phase."""
    if item == "scale":
        return {f"{tag}_scale"}
    if item == "lattice":
        return {f"{tag}_{n}" for n in lattice_parameter_names(system)}
    if item == "uiso":
        labels = ph.uiso_sites or [s.label for s in ph.crystal.sites]
        return {f"{tag}_uiso_{_tag(lb)}" for lb in labels}
    if item == "occupancy":
        labels = ph.occupancy_sites or [s.label for s in ph.crystal.sites]
        return {f"{tag}_occ_{_tag(lb)}" for lb in labels}
    if item == "texture" and ph.texture_axis is not None:
        return {f"{tag}_md_r"}
    if item == "phase_profile":
        return {f"{tag}_LX", f"{tag}_LY"}
    return set()


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
        out |= set(_GLOBAL_GROUPS.get(item, ()))
        for i, ph in enumerate(phases):
            out |= _phase_group(item, model.tags[i], model.system[i], ph)
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
