"""Bethe–Bloch stopping with its corrections (seed 003 eq. 1–4; DESIGN §7.5).

S = (K Z2/A)(z²/β²)[L0(1 + z·b) + L_Bloch(z) + L_Mott(z)] (S. P. Ahlen, Rev. Mod. Phys. 52
(1980) 121), L0 = ½ln(2mc²β²γ²W_max/I²) − β² − C/Z2 − δ/2 with the exact maximum energy
transfer W_max, the Barkas–Berger shell correction C/Z2 (NASA SP-3013, 1964; valid βγ ≥ 0.13),
the Barkas strength b = 2F(V)/√Z2 of Jackson and McCarthy (Phys. Rev. B 6 (1972) 4131), the
Bloch term ψ(1) − Re ψ(1 + iy), y = zα/β (F. Bloch, Ann. Phys. 16 (1933) 285; negative,
→ −1.202 y²), the lowest-order Mott term ½παzβ and the Sternheimer–Peierls density effect.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields

import numpy as np
from numpy.typing import ArrayLike
from scipy.special import zeta

from ..xray import atomic_weight
from ._common import (
    ALPHA,
    ALPHA_PARTICLE_MASS_U,
    AMU_MEV,
    ME_C2_EV,
    ME_C2_MEV,
    PROTON_MASS_U,
    ElementConstants,
    _beta,
    check_a1,
    check_energy,
    check_i,
    check_z1,
    element_constants,
    element_z,
    mass_fractions,
    target_composition,
)

__all__ = [
    "BetheTerms",
    "barkas_correction",
    "bethe_stopping",
    "bethe_terms",
    "bloch_correction",
    "density_effect",
    "mott_correction",
    "shell_correction",
]

# ψ(w) ≈ ln w − 1/(2w) − Σ B_2k/(2k w^2k) for |w| ≥ 5: the coefficients B_2k/(2k), k = 1…7.
_PSI_SHIFT = 5
_PSI_ASYMPTOTIC = (
    1.0 / 12.0,
    -1.0 / 120.0,
    1.0 / 252.0,
    -1.0 / 240.0,
    1.0 / 132.0,
    -691.0 / 32760.0,
    1.0 / 12.0,
)


# Σ (−1)^k ζ(2k + 3) y^(2k), k = 0…9: the small-y series of the Bloch term divided by −y².
_ZETA_ODD = tuple(float(v) * (-1) ** k for k, v in enumerate(zeta(np.arange(3.0, 23.0, 2.0))))
_SERIES_MAX_Y = 0.15


def _bloch(y: np.ndarray) -> np.ndarray:
    """ψ(1) − Re ψ(1 + iy) in real/complex numpy arithmetic (no complex digamma).

    Re ψ(1 + iy) = Re ψ(N + iy) − Σ_{n<N} n/(n² + y²) with N = 5, then the asymptotic series
    of ψ to w⁻¹⁴ (truncation error < 3·10⁻¹²); for y < 0.15 the series −y² Σ(−1)^k ζ(2k+3) y^2k
    to k = 9 (relative error < 10⁻¹⁶), which keeps the relative accuracy as y → 0.
    """
    y2 = y * y
    if y.size and y.max() < _SERIES_MAX_Y:
        p = _ZETA_ODD[-1]
        for c in _ZETA_ODD[-2::-1]:
            p = c + y2 * p
        return -y2 * p
    shift = np.zeros_like(y)
    for n in range(1, _PSI_SHIFT):
        shift += n / (n * n + y2)
    n = float(_PSI_SHIFT)
    r2 = n * n + y2
    inv = (n - 1j * y) / r2
    inv2 = inv * inv
    series = _PSI_ASYMPTOTIC[-1]
    for c in _PSI_ASYMPTOTIC[-2::-1]:
        series = c + inv2 * series
    re_psi = 0.5 * np.log(r2) - 0.5 * n / r2 - (inv2 * series).real - shift
    out = -np.euler_gamma - re_psi
    small = y < _SERIES_MAX_Y
    if small.any():
        out[small] = _bloch(y[small])
    return out


def bloch_correction(y: ArrayLike) -> np.ndarray:
    """Bloch term Z1²L2 = ψ(1) − Re ψ(1 + iy), y = Z1α/β (F. Bloch, Ann. Phys. 16 (1933) 285).

    Always ≤ 0; equals −y² Σ 1/(n(n² + y²)) → −ζ(3) y² = −1.202 y² for small y.
    """
    yy = np.asarray(y, dtype=float)
    if np.any(yy < 0) or not np.all(np.isfinite(yy)):
        raise ValueError(f"Bloch parameter y must be finite and ≥ 0, got {y!r}")
    return _bloch(yy.reshape(-1)).reshape(yy.shape)


def mott_correction(z: ArrayLike, beta: ArrayLike) -> np.ndarray:
    """Lowest-order Mott term L_Mott = ½ π α z β (S. P. Ahlen, Rev. Mod. Phys. 52 (1980) 121)."""
    return 0.5 * np.pi * ALPHA * np.asarray(z, dtype=float) * np.asarray(beta, dtype=float)


_JM_V = np.array([1.0, 2.0, 3.0, 4.0])
_JM_V2F = np.array([0.33, 0.30, 0.26, 0.23])


def barkas_correction(z2: int, beta: ArrayLike) -> np.ndarray:
    """Barkas (Z1³) strength b per unit projectile charge: Z1·L1 = Z1·b·L0 (seed eq. 3).

    b = 2F(V)/√Z2 with V = βγ/(α√Z2) and the Jackson–McCarthy values V²F(V) = 0.33, 0.30,
    0.26, 0.23 at V = 1…4 (Phys. Rev. B 6 (1972) 4131, p. 4136), 0.45/√V above V = 4
    (their asymptote) and V²F ∝ V² below V = 1 (keeps b finite where Bethe does not apply).
    """
    b = np.asarray(beta, dtype=float)
    eta = b / np.sqrt(1.0 - b * b)
    return _barkas(float(z2), eta.reshape(-1)).reshape(b.shape)


def _barkas(z2: float, eta: np.ndarray) -> np.ndarray:
    sz = np.sqrt(z2)
    v = eta / (ALPHA * sz)
    v2f = np.interp(v, _JM_V, _JM_V2F)
    lo = v < 1.0
    if lo.any():
        v2f[lo] = 0.33 * v[lo] ** 2
    hi = v >= 4.0
    if hi.any():
        v2f[hi] = 0.45 / np.sqrt(v[hi])
    vv = np.maximum(v, 1e-12)
    return 2.0 * v2f / (vv * vv * sz)


def shell_correction(i_eV: float, beta: ArrayLike) -> np.ndarray:
    """Shell correction C (per atom; the Bethe term is C/Z2) of Barkas and Berger.

    C = (0.422377η⁻² + 0.0304043η⁻⁴ − 0.00038106η⁻⁶)·10⁻⁶ I² +
        (3.858019η⁻² − 0.1667989η⁻⁴ + 0.00157955η⁻⁶)·10⁻⁹ I³,  η = βγ, I in eV
    (W. H. Barkas and M. J. Berger, NASA SP-3013 (1964); valid for η ≥ 0.13).
    """
    i = check_i(i_eV)
    b = np.asarray(beta, dtype=float)
    e2 = (1.0 - b * b) / (b * b)
    i2, i3 = i * i * 1e-6, i**3 * 1e-9
    c2 = 0.422377 * i2 + 3.858019 * i3
    c4 = 0.0304043 * i2 - 0.1667989 * i3
    c6 = -0.00038106 * i2 + 0.00157955 * i3
    return e2 * (c2 + e2 * (c4 + e2 * c6))


def density_effect(z2: int, beta: ArrayLike, *, i_eV: float | None = None) -> np.ndarray:
    """Density-effect correction δ (Sternheimer and Peierls, Phys. Rev. B 3 (1971) 3681).

    Condensed-phase general formula: ħω_p = 28.816 √(ρZ/A) eV (ρ from xraylib),
    C̄ = 2 ln(I/ħω_p) + 1, X = log10 βγ, m = 3; δ = 0 below X0.
    """
    el = element_constants(element_z(z2), check_i(i_eV))
    b = np.asarray(beta, dtype=float)
    return _density(el, np.log10(b / np.sqrt(1.0 - b * b)).reshape(-1)).reshape(b.shape)


def _density(el: ElementConstants, x: np.ndarray) -> np.ndarray:
    """δ at X = log10 βγ from the cached parameters of one element."""
    out = np.zeros_like(x)
    on = x >= el.dens_x0
    if on.any():
        xs = x[on]
        d = 4.606 * xs - el.dens_cbar
        out[on] = d + el.dens_a * np.clip(el.dens_x1 - xs, 0.0, None) ** 3
    return out


@dataclass(frozen=True)
class BetheTerms:
    """Stopping-number terms of the Bethe–Bloch formula at each energy (dimensionless).

    ``l0`` already contains ``-shell`` and ``-density/2``; total = l0·(1 + z·barkas) + bloch
    + mott.
    """

    energy_MeV_u: np.ndarray
    beta: np.ndarray
    l0: np.ndarray
    shell: np.ndarray
    density: np.ndarray
    barkas: np.ndarray
    bloch: np.ndarray
    mott: np.ndarray
    total: np.ndarray


def _base(el: ElementConstants, e: np.ndarray, mass_u: float):
    """Charge-independent terms at E (MeV/u): β, L0 (with shell and density), shell, δ, b."""
    g = 1.0 + e / AMU_MEV
    g2 = g * g
    beta2 = 1.0 - 1.0 / g2
    beta = np.sqrt(beta2)
    eta2 = beta2 * g2
    ratio = ME_C2_MEV / (mass_u * AMU_MEV)
    wmax = 2.0 * ME_C2_EV * eta2 / (1.0 + 2.0 * g * ratio + ratio * ratio)
    inv = 1.0 / eta2
    shell = inv * (el.shell_c2 + inv * (el.shell_c4 + inv * el.shell_c6))
    dens = _density(el, 0.5 * np.log10(eta2))
    l0 = 0.5 * np.log(2.0 * ME_C2_EV * eta2 * wmax / el.i_eV**2) - beta2 - shell - 0.5 * dens
    bark = _barkas(float(el.z), np.sqrt(eta2))
    return beta, l0, shell, dens, bark


def _terms(el: ElementConstants, e: np.ndarray, z, mass_u: float) -> BetheTerms:
    """Bethe–Bloch terms of a point charge z (mass in u) in one element at E (MeV/u)."""
    beta, l0, shell, dens, bark = _base(el, e, mass_u)
    bl = _bloch(z * ALPHA / beta)
    mo = 0.5 * np.pi * ALPHA * z * beta
    total = l0 * (1.0 + z * bark) + bl + mo
    return BetheTerms(e, beta, l0, shell, dens, bark, bl, mo, total)


def bethe_pair(
    el: ElementConstants, e: np.ndarray, z: np.ndarray | float, mass_u: float
) -> tuple[np.ndarray, np.ndarray]:
    """Bethe–Bloch stopping (MeV cm²/g) of charges 1 and z from one evaluation of L0 and b.

    Equals (bethe_element(…, 1), scaled_stopping_number(…, z)) where S_p is Bethe–Bloch.
    """
    beta, l0, _, _, bark = _base(el, e, mass_u)
    pref = el.pref_MeV_cm2_g / (beta * beta)
    y = ALPHA / beta
    mott1 = 0.5 * np.pi * ALPHA * beta
    s_1 = pref * (l0 * (1.0 + bark) + _bloch(y) + mott1)
    lz = l0 * (1.0 + z * bark) + _bloch(z * y) + z * mott1
    return s_1, pref * z * z * np.maximum(lz, 0.0)


def bethe_terms(
    z: float,
    target_z: str | int,
    energy_MeV_u: ArrayLike,
    *,
    i_eV: float | None = None,
    mass_u: float = PROTON_MASS_U,
) -> BetheTerms:
    """Terms of the Bethe–Bloch stopping number for a point charge z in an element."""
    z2 = element_z(target_z)
    if not np.isfinite(z) or z <= 0:
        raise ValueError(f"projectile charge must be positive, got {z!r}")
    e = check_energy(energy_MeV_u)
    t = _terms(element_constants(z2, check_i(i_eV)), e.reshape(-1), float(z), check_a1(mass_u))
    return BetheTerms(*(np.reshape(getattr(t, f.name), e.shape) for f in fields(BetheTerms)))


def bethe_element(el: ElementConstants, e: np.ndarray, z: float, mass_u: float) -> np.ndarray:
    """Bethe–Bloch stopping (MeV cm²/g) of a point charge z in one element (no validation)."""
    t = _terms(el, e, z, mass_u)
    return el.pref_MeV_cm2_g / (t.beta * t.beta) * z * z * t.total


def scaled_stopping_number(
    el: ElementConstants, e: np.ndarray, s_p: np.ndarray, z: np.ndarray | float
) -> np.ndarray:
    """Stopping (MeV cm²/g) of a point charge z from the proton stopping S_p at equal velocity.

    L_p = S_p β² A/(K Z2) = L0(1 + b) + L_Bloch(1) + L_Mott(1) is solved for L0, then
    L(z) = L0(1 + z b) + L_Bloch(z) + L_Mott(z) and S = (K Z2/(Aβ²)) z² L(z).
    """
    beta = _beta(e)
    pref = el.pref_MeV_cm2_g / (beta * beta)
    b = _barkas(float(el.z), beta / np.sqrt(1.0 - beta * beta))
    y = ALPHA / beta
    mott1 = 0.5 * np.pi * ALPHA * beta
    l0 = (s_p / pref - _bloch(y) - mott1) / (1.0 + b)
    lz = l0 * (1.0 + z * b) + _bloch(z * y) + z * mott1
    return pref * z * z * np.maximum(lz, 0.0)


def bethe_stopping(
    z1: int,
    target: str | int | Mapping[str, float],
    energy_MeV_u: ArrayLike,
    *,
    i_eV: float | None = None,
    mass_u: float | None = None,
) -> np.ndarray:
    """Bethe–Bloch electronic stopping (MeV cm²/g) of a bare ion with all corrections.

    Valid where the Barkas–Berger shell correction holds (βγ ≥ 0.13, ≳ 8 MeV/u). ``i_eV``
    overrides the tabulated I (elemental targets only).
    """
    z = check_z1(z1)
    e = check_energy(energy_MeV_u)
    i = check_i(i_eV)
    comp = target_composition(target)
    if i is not None and len(comp) > 1:
        raise ValueError("an I override needs an elemental target")
    if mass_u is None:
        m = PROTON_MASS_U if z == 1 else ALPHA_PARTICLE_MASS_U if z == 2 else atomic_weight(z)
    else:
        m = check_a1(mass_u)
    flat = e.reshape(-1)
    out = np.zeros_like(flat)
    for z2, w in mass_fractions(comp).items():
        out += w * bethe_element(element_constants(z2, i), flat, float(z), m)
    return out.reshape(e.shape)
