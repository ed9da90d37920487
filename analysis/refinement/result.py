"""The outcome of a refinement: agreement factors (McCusker et al., J. Appl. Cryst. 32
(1999) 36, doi:10.1107/S0021889898009856), esds, correlations, divergence checks."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import ArrayLike

from ..crystal import Crystal, lattice_parameter_names
from ..lineprofile import InstrumentFunction, tch_fwhm_eta
from .model import RefinementError, _tag

__all__ = ["RefinementResult", "agreement_factors"]


@dataclass(frozen=True)
class RefinementResult:
    """Outcome of :func:`refine_pattern`.

    ``values``/``errors``: every parameter (1σ errors, nan when fixed); ``varied``: names of
    the refined ones; ``correlation``: matrix over ``varied``; ``high_correlations``:
    (name, name, ρ) with |ρ| > 0.9; ``lattice``: per phase {a, b, c, alpha, beta, gamma}
    (Å, deg) and ``lattice_errors``; ``profile``: instrument function from U, V, W, X, Y;
    ``crystals``: per phase the refined structure (cell, occupancies, U_iso) and
    ``uiso_errors`` the U_iso esds by site label (Å², nan when not refined).
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
    crystals: dict[str, Crystal]
    uiso_errors: dict[str, dict[str, float]]


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
    varied = tuple(result.var_names)
    if not np.all(np.isfinite(yc)) or not all(np.isfinite(val) for val in v.values()):
        raise RefinementError("refinement diverged: non-finite parameters or pattern")
    rp, rwp, rexp, chi2 = agreement_factors(y, yc, s, len(varied))
    gg2 = _check_divergence(v, model, phases, x, rwp, start_rwp)
    errors = {
        n: (float(p.stderr) if p.stderr is not None else float("nan"))
        for n, p in result.params.items()
    }
    lattice, lattice_err, crystals, uiso_err = {}, {}, {}, {}
    for i, ph in enumerate(phases):
        tag = model.tags[i]
        cell = model.phase_cell(i, v)
        lattice[tag] = dict(zip(_CELL, cell, strict=True))
        lattice_err[tag] = {
            n: _finite(errors.get(f"{tag}_{_lattice_source(model.system[i], n)}")) for n in _CELL
        }
        crystals[tag] = _refined_crystal(ph.crystal, tag, cell, v)
        uiso_err[tag] = {s.label: errors[f"{tag}_uiso_{_tag(s.label)}"] for s in ph.crystal.sites}
    corr, high, warnings = _correlations(result, varied, warn_at)
    warnings = _value_warnings(v, gg2) + warnings
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
        chi2=chi2, n_points=int(x.size), n_parameters=len(varied), two_theta_deg=x, y_obs=y,
        y_calc=yc, y_background=model.background(v), sigma=s, lattice=lattice,
        lattice_errors=lattice_err, profile=prof, reflections=refl, nfev=int(result.nfev),
        crystals=crystals, uiso_errors=uiso_err,
    )  # fmt: skip


_CELL = ("a", "b", "c", "alpha", "beta", "gamma")


def _finite(err: float | None) -> float:
    """esd of a varied parameter; 0 for a fixed one (lmfit stderr None or nan)."""
    return float(err) if err is not None and np.isfinite(err) else 0.0


def _check_divergence(v, model, phases, x, rwp, start_rwp) -> np.ndarray:
    """RefinementError when scales, widths, Rwp or cells ran away; returns Γ_G² (deg²) on x."""
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
    for i, ph in enumerate(phases):
        cell = model.phase_cell(i, v)
        if np.any(np.abs(np.array(cell[:3]) / np.array(ph.crystal.cell[:3]) - 1) > 0.05):
            raise RefinementError(f"refinement diverged: {ph.crystal.name} cell moved > 5 %")
    return gg2


def _refined_crystal(crystal: Crystal, tag: str, cell, v) -> Crystal:
    """The phase with refined cell, occupancies (clipped to [0, 1]) and U_iso (≥ 0, Å²)."""
    sites = [
        replace(
            site,
            occupancy=float(np.clip(v[f"{tag}_occ_{_tag(site.label)}"], 0.0, 1.0)),
            u_iso_A2=max(float(v[f"{tag}_uiso_{_tag(site.label)}"]), 0.0),
        )
        for site in crystal.sites
    ]
    return crystal.with_cell(cell).with_sites(sites)


def _value_warnings(v, gg2) -> list[str]:
    warnings = []
    if np.any(gg2 < 0):
        warnings.append("U tan²θ + V tanθ + W < 0 in part of the range: Gaussian width set to 0")
    for name, val in v.items():
        if "_occ_" in name and not -1e-6 <= val <= 1 + 1e-6:
            warnings.append(f"{name} = {val:.3f} lies outside [0, 1]")
        if "_uiso_" in name and val < 0:
            warnings.append(f"{name} = {val:.4f} Å² is negative")
    return warnings


def _correlations(result, varied, warn_at):
    """Correlation matrix, pairs with |ρ| > warn_at, and the warnings they give."""
    nvar = len(varied)
    corr = np.eye(nvar)
    warnings = []
    if result.covar is not None and nvar:
        d = np.sqrt(np.abs(np.diag(result.covar)))
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = result.covar / np.outer(d, d)
    else:
        warnings.append("no covariance matrix: errors and correlations unavailable")
    iu, ju = np.triu_indices(nvar, k=1)
    high = [
        (varied[i], varied[j], float(corr[i, j]))
        for i, j in zip(iu, ju, strict=True)
        if abs(corr[i, j]) > warn_at
    ]
    warnings += [f"parameters {a} and {b} are correlated (ρ = {r:+.3f})" for a, b, r in high]
    return corr, high, warnings
