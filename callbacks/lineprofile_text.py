"""Printed lines of the line-profile callback: sizes say when they are not resolved."""

from __future__ import annotations

from typing import Any

import numpy as np


def report_lines(r: Any, k: float) -> list[str]:
    """End-of-run lines of a ``LineProfileAnalysis`` (WH, texture, refinement, notes).

    A Williamson–Hall size that is nan (intercept ≤ 0, too few resolved peaks) or not larger
    than its error is reported as not resolved, not as a number; the analysis' notes say why.
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


def size_text(size_A: float, resolved: bool, size_limit_A: float) -> str:
    """Printed Scherrer size of one peak: the value when the instrument resolves the sample
    broadening (:func:`axsuite.analysis.lineprofile.size_strain_from_fits` decides), else
    the bound it gives (Å)."""
    if resolved and np.isfinite(size_A):
        return f", Scherrer D = {size_A:.0f} Å"
    if np.isfinite(size_limit_A):
        return f", Scherrer D > {size_limit_A:.0f} Å (broadening not resolved by the instrument)"
    return ", Scherrer D not resolved"
