"""Printed lines of the line-profile callback: sizes say when they are not resolved."""

from __future__ import annotations

from typing import Any

import numpy as np
from axsuite.analysis.lineprofile import scherrer_size


def report_lines(r: Any, k: float) -> list[str]:
    """End-of-run lines of a ``LineProfileAnalysis`` (WH, texture, refinement, notes).

    A Williamson–Hall size whose intercept is ≤ 0 or not larger than its error is reported
    as not resolved, not as a number.
    """
    out = []
    if r.wh_size_A is not None:
        resolved = np.isfinite(r.wh_size_A) and r.wh_size_err_A < r.wh_size_A
        d_txt = (
            f"D = {r.wh_size_A:.1f} ± {r.wh_size_err_A:.1f} Å"
            if resolved
            else "D not resolved (intercept ≤ 0 or not above its error: size beyond what "
            "the instrument resolves)"
        )
        out.append(
            f"{r.sample} Williamson–Hall {d_txt}, ε = {r.wh_strain:.2e} ± "
            f"{r.wh_strain_err:.1e} (R² = {r.wh_r_squared:.4f}, K = {k})"
        )
    out.append(f"{r.sample} Harris texture σ = {r.texture_sigma:.3f}")
    if r.refinement is not None:
        ref = r.refinement
        md = f", March–Dollase r = {ref['march_dollase_r']:.3f}" if "march_dollase_r" in ref else ""
        out.append(
            f"{r.sample} refinement a = {ref['cell_a']:.5f} Å, "
            f"Rwp = {ref['rwp']:.4f}, χ² = {ref['chi2']:.2f}{md}"
        )
    out.extend(f"note: {note}" for note in r.notes)
    return out


def size_text(
    size_A: float, sample_fwhm_deg: float, fwhm_err_deg: float, two_theta_deg: float,
    wavelength_A: float, k: float,
) -> str:  # fmt: skip
    """Printed Scherrer size of one peak: the value when the sample broadening exceeds twice
    the fitted FWHM's error, else the lower bound that broadening of 2σ would give."""
    floor = 2.0 * fwhm_err_deg if np.isfinite(fwhm_err_deg) and fwhm_err_deg > 0 else 0.0
    if np.isfinite(size_A) and sample_fwhm_deg > floor:
        return f", Scherrer D = {size_A:.0f} Å"
    if floor > 0:
        lower = float(scherrer_size(floor, two_theta_deg, wavelength_A, k=k))
        return f", Scherrer D > {lower:.0f} Å (sample broadening < 2σ: not resolved)"
    return ", Scherrer D not resolved (no broadening beyond the instrument)"
