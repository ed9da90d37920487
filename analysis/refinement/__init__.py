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

from .model import PhaseModel, RefinementError, Restraint
from .quantitative import weight_fractions
from .refine import refine_pattern
from .result import RefinementResult, agreement_factors

__all__ = [
    "PhaseModel",
    "RefinementError",
    "RefinementResult",
    "Restraint",
    "agreement_factors",
    "refine_pattern",
    "weight_fractions",
]
