"""Quantitative phase analysis from Rietveld scale factors (Hill & Howard, J. Appl. Cryst. 20
(1987) 467, doi:10.1107/S0021889887086199).

With |F|² per unit cell, the scale s_p of phase p is proportional to its volume fraction over
V_p², so the weight fraction is W_p = s_p (ZMV)_p / Σ_i s_i (ZMV)_i, ZM the mass of the cell
content (u) and V the cell volume (Å³). Valid for a sample without microabsorption contrast
and amorphous content (Madsen et al., J. Appl. Cryst. 34 (2001) 409).
"""

from __future__ import annotations

import numpy as np

from .result import RefinementResult

__all__ = ["weight_fractions"]


def weight_fractions(result: RefinementResult) -> dict[str, tuple[float, float]]:
    """Weight fraction and its esd (from the scale esds, uncorrelated) of every refined phase."""
    tags = list(result.crystals)
    zmv = np.array(
        [result.crystals[t].cell_mass_u() * result.crystals[t].volume_A3() for t in tags]
    )
    s = np.array([result.values[f"{t}_scale"] for t in tags])
    ds = np.array([result.errors.get(f"{t}_scale", np.nan) for t in tags])
    ds = np.where(np.isfinite(ds), ds, 0.0)
    a = s * zmv
    total = a.sum()
    w = a / total
    # ∂W_p/∂a_j = (δ_pj Σ − a_p)/Σ²
    jac = (np.eye(len(tags)) * total - a[:, None]) / total**2
    err = np.sqrt((jac**2) @ (ds * zmv) ** 2)
    return {t: (float(w[i]), float(err[i])) for i, t in enumerate(tags)}
