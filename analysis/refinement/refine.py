"""``refine_pattern``: staged Levenberg–Marquardt refinement (lmfit) of a powder pattern."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import lmfit
import numpy as np
from asteval import Interpreter
from numpy.typing import ArrayLike

from ..crystal import Crystal
from ..lineprofile import InstrumentFunction
from .model import PhaseModel, RefinementError, Restraint, _PatternModel
from .parameters import (
    _cell_search,
    _check_expr,
    _default_instrument,
    _expand,
    _linear_start,
    _make_parameters,
    _prepare,
)
from .result import RefinementResult, _finish, agreement_factors

__all__ = ["refine_pattern"]


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
    exclude: Sequence[tuple[float, float]] = (),
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
    "phase_profile" = each phase's own Lorentzian terms, "uiso", "occupancy", "texture")
    and/or individual parameter names; ``fix`` removes names again. Parameter names:
    ``U V W X Y``, ``zero`` (deg), ``displacement_mm``, ``transparency`` (deg), ``axial_deg``
    (effective axial divergence Δ, deg; start it > 0 when refined — its derivative vanishes
    at 0), ``bkg0…``, and per phase (tag = phase name with non-word characters replaced by
    "_") ``{tag}_scale``, ``{tag}_a`` …, ``{tag}_uiso_{site}`` (Å²), ``{tag}_occ_{site}``,
    ``{tag}_md_r``, ``{tag}_LX``, ``{tag}_LY`` (deg; Γ_L of the phase = (X + LX)/cosθ +
    (Y + LY) tanθ). ``constraints`` maps a parameter to an lmfit expression; ``restraints``
    add (expr − target)/σ residuals. ``two_theta_range`` (deg) limits the fit and
    ``exclude`` removes (min, max) regions (deg) from it.
    Each peak is evaluated within ±``cutoff_fwhm``·FWHM; a Lorentzian loses the fraction
    1 − (2/π)·atan(2·cutoff) of its area beyond (1.6 % at 20): raise it for broad, strongly
    Lorentzian peaks (nanocrystalline samples), at a proportional cost in time.

    Start: scales and background by linear least squares, then a coarse search of an
    isotropic cell scale (±0.6 %) when the lattice is refined. The refinement runs in stages
    (scale/background, + positions, + everything requested); RefinementError when it
    diverges (non-finite values, Rwp worse than the start, lattice moving by > 5 %, a scale
    ≤ 0, negative profile widths) or when the input is inconsistent. March–Dollase r refined
    from exactly 1 starts at 0.95 (dP/dr = 0 at r = 1 for cubic).
    """
    x, y, s = _prepare(two_theta_deg, counts, sigma, two_theta_range, exclude)
    wavelengths = _check_inputs(
        wavelengths, phases, background_terms, goniometer_radius_mm, axial_divergence_deg
    )
    phases = [p if isinstance(p, PhaseModel) else PhaseModel(p) for p in phases]
    model = _PatternModel(
        x, phases, wavelengths, polarization, monochromator_two_theta_deg, goniometer_radius_mm,
        background_terms, cutoff_fwhm,
    )  # fmt: skip
    inst = instrument or _default_instrument(x)
    params = _make_parameters(
        model, phases, inst, zero_deg, displacement_mm, axial_divergence_deg, y
    )
    wanted = _expand(refine, model, phases, params) - set(fix)
    _check_degenerate(model, wanted)
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
    for n in wanted:
        # dP/dr vanishes at r = 1 for cubic phases (isotropic second moment of the
        # equivalents), so a refinement started there cannot move: start slightly off.
        if n.endswith("_md_r") and params[n].value == 1.0:
            params[n].value = 0.95
    positions = ["scale", "background", "lattice", "zero", "displacement"]
    stages = [
        wanted & _expand(["scale", "background"], model, phases, params),
        wanted & _expand(positions, model, phases, params),
        wanted,
    ]
    result, nfev = None, 0
    for stage in (st for st in stages if st):
        for name, par in params.items():
            par.vary = name in stage and par.expr is None
        nfev = max_nfev or 100 * (len(stage) + 1)
        result = lmfit.minimize(residual, params, method="leastsq", max_nfev=nfev)
        params = result.params
    if result is None:
        raise RefinementError("nothing to refine")
    return _finish(result, model, phases, x, y, s, start_rwp, correlation_warning, nfev)


def _check_degenerate(model, wanted: set[str]) -> None:
    """RefinementError when X, Y and every phase's LX, LY are all refined (one redundant)."""
    own = {f"{t}_LX" for t in model.tags} | {f"{t}_LY" for t in model.tags}
    if own <= wanted and wanted & {"X", "Y"}:
        raise RefinementError(
            "X, Y and every phase's LX, LY together are degenerate (Γ_L = (X + LX)/cosθ + "
            "(Y + LY) tanθ): refine 'phase_profile' with 'gaussian', or 'lorentzian'"
        )


def _check_inputs(wavelengths, phases, background_terms, radius_mm, axial_deg):
    """Validated [(λ Å, weight)]; RefinementError naming the first bad input."""
    if isinstance(wavelengths, (int, float)):
        wavelengths = [(float(wavelengths), 1.0)]
    wavelengths = [(float(lam), float(w)) for lam, w in wavelengths]
    if not wavelengths or any(not lam > 0 or not w >= 0 for lam, w in wavelengths):
        raise RefinementError("wavelengths must be positive (Å) with non-negative weights")
    if not phases:
        raise RefinementError("at least one phase is needed")
    if background_terms < 1:
        raise RefinementError("need at least one background term")
    if not radius_mm > 0:
        raise RefinementError("goniometer radius must be positive (mm)")
    if not axial_deg >= 0:
        raise RefinementError("axial divergence must be ≥ 0 deg")
    return wavelengths
