"""Effective charges of ions in matter (seed 003 eq. 10–13; ZBL 1985).

Models of γ = Z_eff/Z1 (velocities in units of v0 = c/137.036, i.e. v/v0 = β/α):

* ``"zbl"``: the Brandt–Kitagawa form with Ziegler, Biersack and Littmark's fits, as used by SRIM
  (J. F. Ziegler, J. P. Biersack and U. Littmark, *The Stopping and Range of Ions in Solids*,
  Pergamon 1985, ch. 3): relative velocity v_r of ion and target electrons (Fermi velocity
  v_F from the ZBL table), reduced velocity y_r = v_r/(v0 Z1^(2/3)) ≥ max(0.13, Z1^(−2/3)),
  ionisation fraction q = 1 − exp(0.803y^0.3 − 1.3167y^0.6 − 0.38157y − 0.008983y²),
  screening length Λ = 2a(1 − q)^(2/3)/(Z1^(1/3)(1 − (1 − q)/7)) with a = 0.24005 a0,
  γ = q + (1 − q) ln(1 + (4Λv_F/1.919)²)/(2v_F²), times ZBL's Z1³ term
  1 + (0.18 + 0.0015Z2) exp(−(7.6 − ln E)²)/Z1² (E in keV/u).
* ``"brandt-kitagawa"``: the original form γ = q + C(k_F)(1 − q) ln(1 + (2k_FΛ)²), C0 = 0.240
  (W. Brandt and M. Kitagawa, Phys. Rev. B 25 (1982) 5631; seed eq. 12), same q and v_r.
* ``"brown-moak"`` (seed eq. 10) and ``"anthony-lanford"`` (seed eq. 11, 13).
* ``"auto"`` (default of :func:`~axsuite.analysis.stopping.electronic_stopping`): ZBL up to
  1 MeV/u, where its fits were made (SRIM's regime), Brandt–Kitagawa from 2 MeV/u, a cosine
  blend in ln E between. Against CATIMA (C, O, Ar, Kr, Xe, U in C, Al, Cu, Ag, Au at 1–100
  MeV/u; tests/data/stopping) ZBL alone: rms 3.2 %, worst 17.3 % at 1 MeV/u and 7.6 % from
  2 MeV/u; Brandt–Kitagawa alone: rms 3.0 %, 17.9 % and 5.3 %; auto: rms 3.2 %, 17.3 % and
  5.3 %. Accuracy per regime is listed in ``electronic_stopping``.

For helium, :func:`helium_effective_charge_sq` is ZBL's fit of (Z_eff/2)².
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from ._common import ALPHA, _beta, check_energy, check_z1, element_z
from .tables import BRANDT_IONIZATION_Q, BRANDT_REDUCED_VELOCITY_B126, ZBL_FERMI_VELOCITY

__all__ = [
    "CHARGE_MODELS",
    "brandt_ionization_fraction",
    "effective_charge_ratio",
    "helium_effective_charge_sq",
    "proton_effective_charge_sq",
    "zbl_ionization_fraction",
]

CHARGE_MODELS = ("auto", "zbl", "brandt-kitagawa", "brown-moak", "anthony-lanford")
#: ``"auto"``: ZBL up to AUTO_ZBL_MAX_MEV_U, Brandt–Kitagawa from AUTO_BK_MIN_MEV_U (MeV/u).
AUTO_ZBL_MAX_MEV_U = 1.0
AUTO_BK_MIN_MEV_U = 2.0
#: ZBL 1985 helium effective-charge polynomial in ln(E/(keV/u)).
_ZBL_HE_COEFF = (0.2865, 0.1266, -0.001429, 0.02402, -0.01135, 0.001475)


def proton_effective_charge_sq(energy_MeV: ArrayLike) -> np.ndarray:
    """Brown–Moak proton effective charge γ_p² = (1 − e^(−150E))·exp(−0.835 e^(−14.5E)), E in MeV.

    (M. D. Brown and C. D. Moak, Phys. Rev. B 6 (1972) 90; seed eq. 10.)
    """
    e = check_energy(energy_MeV, "energy_MeV")
    return (1.0 - np.exp(-150.0 * e)) * np.exp(-0.835 * np.exp(-14.5 * e))


def helium_effective_charge_sq(target_z: str | int, energy_MeV_u: ArrayLike) -> np.ndarray:
    """ZBL helium effective charge ratio γ_He² = (Z_eff/2)² at E (MeV/u) in element Z2.

    γ_He² = [1 − exp(−Σ c_i (ln E)^i)]·[1 + (0.007 + 0.00005 Z2) exp(−(7.6 − ln E)²)]², E in
    keV/u (≥ 1), c = 0.2865, 0.1266, −0.001429, 0.02402, −0.01135, 0.001475 (ZBL 1985, ch. 3).
    """
    z2 = element_z(target_z)
    return _he_gamma_sq(z2, check_energy(energy_MeV_u))


def _he_gamma_sq(z2: int, e_u: np.ndarray) -> np.ndarray:
    x = np.log(np.maximum(e_u * 1000.0, 1.0))
    p = _ZBL_HE_COEFF[-1]
    for c in _ZBL_HE_COEFF[-2::-1]:
        p = c + x * p
    t = 1.0 + (0.007 + 0.00005 * z2) * np.exp(-((7.6 - x) ** 2))
    return (1.0 - np.exp(-p)) * t * t


def zbl_ionization_fraction(y_r: ArrayLike) -> np.ndarray:
    """Ionisation fraction q(y_r) = 1 − exp(0.803y^0.3 − 1.3167y^0.6 − 0.38157y − 0.008983y²).

    y_r = v_r/(v0 Z1^(2/3)) (Ziegler, Biersack and Littmark, The Stopping and Range of Ions
    in Solids, 1985, eq. 3-39: their fit to the Brandt–Kitagawa ionisation criterion).
    """
    return _q_zbl(np.maximum(np.asarray(y_r, dtype=float), 0.0))


def _q_zbl(y: np.ndarray) -> np.ndarray:
    y3 = np.exp(0.3 * np.log(np.maximum(y, 1e-300)))
    arg = y3 * (0.803 - 1.3167 * y3) - y * (0.38157 + 0.008983 * y)
    return np.clip(-np.expm1(arg), 0.0, 1.0)


def brandt_ionization_fraction(reduced_velocity: ArrayLike, *, b: float = 1.33) -> np.ndarray:
    """q = Z1*/Z1 from seed Table IV (Brandt's Thomas–Fermi criterion) at v1/(v0 Z1^(2/3)).

    Linear interpolation; q → 0 at zero velocity; above the table q → 1 as
    1 − (1 − q_last) exp(−(x − x_last)/x_last).
    """
    x = np.asarray(reduced_velocity, dtype=float)
    xs = BRANDT_REDUCED_VELOCITY_B126 * (b / 1.26)
    qs = BRANDT_IONIZATION_Q
    inside = np.interp(x, np.r_[0.0, xs], np.r_[0.0, qs])
    tail = 1.0 - (1.0 - qs[-1]) * np.exp(-(x - xs[-1]) / xs[-1])
    return np.where(x > xs[-1], tail, inside)


def _relative_velocity(v1: np.ndarray, vf: float) -> np.ndarray:
    """ZBL relative velocity v_r of ion and target electrons (units of v0), ZBL 1985 eq. 3-34."""
    if v1.min() >= vf:
        return v1 * (1.0 + vf * vf / (5.0 * v1 * v1))
    v2 = v1 * v1
    fast = v1 * (1.0 + vf * vf / (5.0 * np.maximum(v2, 1e-24)))
    u = v2 / (vf * vf)
    slow = 0.75 * vf * (1.0 + u * (2.0 / 3.0 - u / 15.0))
    return np.where(v1 >= vf, fast, slow)


def _bk_gamma(z1: int, v1: np.ndarray, z2: int) -> np.ndarray:
    kf = ZBL_FERMI_VELOCITY[z2]
    q = _q_zbl(_relative_velocity(v1, kf) / z1 ** (2.0 / 3.0))
    p = 1.0 - q
    c0 = 0.240
    lam = 2.0 * c0 * np.cbrt(p * p) / (z1 ** (1.0 / 3.0) * (1.0 - p / 7.0))
    pk = np.pi * kf
    c_kf = pk / ((1.0 + pk) * np.log(1.0 + pk) - pk) - 2.0 / pk
    return q + c_kf * p * np.log1p((2.0 * kf * lam) ** 2)


def zbl_gamma(z1: int, e_u: np.ndarray, z2: int, v1: np.ndarray | None = None) -> np.ndarray:
    """ZBL 1985 heavy-ion effective-charge ratio γ (module docstring), no validation."""
    vf = ZBL_FERMI_VELOCITY[z2]
    if v1 is None:
        v1 = _beta(e_u) / ALPHA
    z23 = z1 ** (2.0 / 3.0)
    y = np.maximum(_relative_velocity(v1, vf) / z23, max(0.13, 1.0 / z23))
    q = _q_zbl(y)
    p = 1.0 - q
    # (4Λv_F/1.919)² with Λ = 0.4801 (1 − q)^(2/3)/(Z1^(1/3)(1 − (1 − q)/7))
    c = (4.0 * 0.4801 * vf / (1.919 * z1 ** (1.0 / 3.0))) ** 2
    d = 1.0 - p / 7.0
    zeta = q + p / (2.0 * vf * vf) * np.log1p(c * p * np.cbrt(p) / (d * d))
    x = 7.6 - np.log(np.maximum(e_u * 1000.0, 1.0))
    return zeta * (1.0 + (0.18 + 0.0015 * z2) / (z1 * z1) * np.exp(-x * x))


def gamma(model: str, z1: int, z2: int, e_u: np.ndarray) -> np.ndarray:
    """γ of ``model`` (validated key) for Z1 in element Z2 at E (MeV/u), not clamped."""
    v1 = _beta(e_u) / ALPHA
    if model == "brown-moak":
        return 1.0 - 1.034 * np.exp(-v1 / z1**0.688)
    if model == "anthony-lanford":
        a = 1.16 - 1.91e-3 * z2 + 1.26e-5 * z2**2
        lam = 1.18 - 7.5e-3 * z2 + 4.53e-5 * z2**2
        return 1.0 - a * np.exp(-lam * v1 / z1 ** (2.0 / 3.0))
    if model == "brandt-kitagawa":
        return _bk_gamma(z1, v1, z2)
    if model == "zbl":
        return zbl_gamma(z1, e_u, z2, v1)
    out = np.empty_like(e_u)
    low = e_u < AUTO_BK_MIN_MEV_U
    high = ~low
    if low.any():
        out[low] = zbl_gamma(z1, e_u[low], z2, v1[low])
    if high.any():
        out[high] = _bk_gamma(z1, v1[high], z2)
    both = low & (e_u > AUTO_ZBL_MAX_MEV_U)
    if both.any():
        eb = e_u[both]
        x = np.log(eb / AUTO_ZBL_MAX_MEV_U) / np.log(AUTO_BK_MIN_MEV_U / AUTO_ZBL_MAX_MEV_U)
        w = 0.5 * (1.0 - np.cos(np.pi * x))
        out[both] = (1.0 - w) * out[both] + w * _bk_gamma(z1, v1[both], z2)
    return out


def check_model(model: str) -> str:
    """Lower-case effective-charge model name, ValueError naming the choices otherwise."""
    key = str(model).lower()
    if key not in CHARGE_MODELS:
        raise ValueError(f"unknown effective-charge model {model!r}; choose one of {CHARGE_MODELS}")
    return key


def effective_charge_ratio(
    z1: int,
    energy_MeV_u: ArrayLike,
    *,
    model: str = "brown-moak",
    target_z: str | int | None = None,
) -> np.ndarray:
    """Effective-charge ratio γ = Z_eff/Z1 of an ion at E (MeV/u), clamped to [0, 1].

    * ``"brown-moak"``: γ = 1 − 1.034 exp(−v/(v0 Z1^0.688)) (seed eq. 10).
    * ``"anthony-lanford"``: γ = 1 − A exp(−λ v/(v0 Z1^(2/3))), A = 1.16 − 1.91·10⁻³Z2
      + 1.26·10⁻⁵Z2², λ = 1.18 − 7.5·10⁻³Z2 + 4.53·10⁻⁵Z2² (seed eq. 11, 13; J. M. Anthony
      and W. A. Lanford, Phys. Rev. A 25 (1982) 1868); needs ``target_z``.
    * ``"brandt-kitagawa"``: γ = q + C(k_F)(1 − q) ln(1 + (2k_FΛ)²),
      Λ = 2C0(1 − q)^(2/3)/(Z1^(1/3)(1 − (1 − q)/7)), C0 = 0.240, atomic units (seed eq. 12;
      W. Brandt and M. Kitagawa, Phys. Rev. B 25 (1982) 5631), q from the ZBL ionisation fit
      at the ZBL relative velocity, k_F = v_F/v0 from the ZBL table; needs ``target_z``.
    * ``"zbl"``: ZBL 1985 as in SRIM (module docstring); needs ``target_z``. Its Z1³ term can
      lift γ a little above 1 near 2 MeV/u; the clamp keeps γ ≤ 1 here (the stopping model
      uses the unclamped value).
    ``target_z`` is validated for every model (Brown–Moak does not use it).
    v0 = c/137.036, i.e. v/v0 = β/α.
    """
    z = check_z1(z1)
    e = check_energy(energy_MeV_u)
    key = check_model(model)
    if key == "brown-moak":
        z2 = element_z(target_z) if target_z is not None else 1
    else:
        if target_z is None:
            raise ValueError(f"model {model!r} needs target_z")
        z2 = element_z(target_z)
    return np.clip(gamma(key, z, z2, e.reshape(-1)), 0.0, 1.0).reshape(e.shape)
