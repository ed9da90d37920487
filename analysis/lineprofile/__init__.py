"""Diffraction line-profile analysis: profiles, peak fits, instrument function, size/strain.

Public API (DESIGN §7.4, §8)
----------------------------
pseudo_voigt(x, center, fwhm, eta, area=1), tch_fwhm_eta(gamma_g, gamma_l),
tch_profile(x, center, gamma_g, gamma_l, area=1) : area-normalised profiles (x in deg 2θ).
find_peaks(two_theta_deg, counts, ...) -> PeakSearch : candidate peak positions.
fit_peaks(two_theta_deg, counts, centers_deg, ...) -> tuple[PeakFit, ...] : TCH fits (lmfit).
InstrumentFunction, fit_instrument_function(two_theta_deg, gamma_g_deg, gamma_l_deg) :
    Caglioti Γ_G² = U tan²θ + V tanθ + W, Γ_L = X/cosθ + Y tanθ (deg).
deconvolve_tch(...) : per-component deconvolution (Lorentzian linear, Gaussian quadrature).
approximate_sample_breadth(beta_obs, beta_inst) : the labelled β_o − β_i²/β_o shortcut.
SCHERRER_K, scherrer_constant(shape, breadth, size), scherrer_size(fwhm_deg, two_theta_deg,
    wavelength_A, *, k=0.89) (Å).
williamson_hall(two_theta_deg, beta_deg, wavelength_A, *, k=0.89) -> WilliamsonHallResult.
march_dollase(alpha_deg, r), texture_coefficients(i_obs, i_ref), texture_sigma(tc).
analyze_peaks(...) -> LineProfileResult : fits, deconvolution, Scherrer per peak, WH;
size_strain_from_fits(fits, wavelength_A, instrument) : the same from existing fits.

References
----------
* Pseudo-Voigt and TCH width/mixing: Thompson, Cox & Hastings, J. Appl. Cryst. 20 (1987) 79
  (doi:10.1107/S0021889887087090).
* Caglioti et al., Nucl. Instrum. 3 (1958) 223 (doi:10.1016/0369-643X(58)90029-X).
* Scherrer constants: Langford & Wilson, J. Appl. Cryst. 11 (1978) 102
  (doi:10.1107/S0021889878012844).
* Williamson & Hall, Acta Metall. 1 (1953) 22 (doi:10.1016/0001-6160(53)90006-6).
* Voigt deconvolution per component: de Keijser et al., J. Appl. Cryst. 15 (1982) 308
  (doi:10.1107/S0021889882012035).
* Texture coefficient: Harris, Phil. Mag. 43 (1952) 113; March–Dollase: Dollase,
  J. Appl. Cryst. 19 (1986) 267 (doi:10.1107/S0021889886089458).
"""

from .fits import PeakFit, fit_peaks
from .instrument import (
    InstrumentFunction,
    approximate_sample_breadth,
    deconvolve_tch,
    fit_instrument_function,
)
from .peaks import PeakSearch, find_peaks
from .shapes import integral_breadth, pseudo_voigt, tch_fwhm_eta, tch_profile
from .size_strain import (
    SCHERRER_K,
    LineProfileResult,
    WilliamsonHallResult,
    analyze_peaks,
    scherrer_constant,
    scherrer_size,
    size_strain_from_fits,
    williamson_hall,
)
from .texture import march_dollase, texture_coefficients, texture_sigma

__all__ = [
    "SCHERRER_K",
    "InstrumentFunction",
    "LineProfileResult",
    "PeakFit",
    "PeakSearch",
    "WilliamsonHallResult",
    "analyze_peaks",
    "approximate_sample_breadth",
    "deconvolve_tch",
    "find_peaks",
    "fit_instrument_function",
    "fit_peaks",
    "integral_breadth",
    "march_dollase",
    "pseudo_voigt",
    "scherrer_constant",
    "scherrer_size",
    "size_strain_from_fits",
    "tch_fwhm_eta",
    "tch_profile",
    "texture_coefficients",
    "texture_sigma",
    "williamson_hall",
]
