"""Powder intensities: structure factors with anomalous scattering and Debye–Waller factors,
Lorentz–polarization, integrated intensities I0 = m |F|² LP.

* Structure factor and Debye–Waller factor: International Tables for Crystallography
  Vol. C (2006), §6.1.1 (doi:10.1107/97809553602060000103);
  F(h) = Σ_j o_j f_j(Q) exp(2πi h·x_j) exp(−8π² U_j sin²θ/λ²).
* Lorentz–polarization for a flat powder specimen: Pecharsky & Zavalij, *Fundamentals of
  Powder Diffraction* (2nd ed., 2009) §8.6.4; L = 1/(sin²θ cosθ),
  P = k + (1 − k) cos²2θ (k = 0.5 unpolarized; k = horizontal polarized fraction for a
  vertical scattering plane, DESIGN §7.2) and, with a diffracted-beam monochromator at 2θ_M,
  P = (1 + cos²2θ_M cos²2θ)/(1 + cos²2θ_M) for an unpolarized beam.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from ..constants import HC_EV_A
from ..xray import chantler_fp, chantler_fpp, f0
from .reflections import generate_reflections
from .structure import Crystal, _unit_cell_images

__all__ = [
    "PowderReflections",
    "StructureFactorCalculator",
    "lorentz_polarization",
    "powder_intensities",
]


def lorentz_polarization(
    two_theta_deg: ArrayLike,
    *,
    polarization: float = 0.5,
    monochromator_two_theta_deg: float | None = None,
) -> np.ndarray:
    """Lorentz–polarization factor for a flat powder specimen (dimensionless).

    LP = P / (sin²θ cosθ) with P = k + (1 − k) cos²2θ, ``polarization`` = k (0.5 for an
    unpolarized laboratory tube; the horizontal polarized fraction for a synchrotron beam
    with a vertical scattering plane, ≈1). With ``monochromator_two_theta_deg`` (diffracted-
    beam monochromator, unpolarized source) P = (1 + cos²2θ_M cos²2θ)/(1 + cos²2θ_M).
    """
    tt = np.deg2rad(np.asarray(two_theta_deg, dtype=float))
    if np.any((tt <= 0) | (tt >= np.pi)):
        raise ValueError("2θ must lie in (0, 180) deg")
    if not 0.0 <= polarization <= 1.0:
        raise ValueError("polarization fraction must lie in [0, 1]")
    c2 = np.cos(tt) ** 2
    if monochromator_two_theta_deg is None:
        p = polarization + (1.0 - polarization) * c2
    else:
        cm = np.cos(np.deg2rad(monochromator_two_theta_deg)) ** 2
        p = (1.0 + cm * c2) / (1.0 + cm)
    th = tt / 2.0
    return p / (np.sin(th) ** 2 * np.cos(th))


class StructureFactorCalculator:
    """|F(h)|² of a crystal's reflections as a function of occupancies and U_iso.

    f_j = f0_j(Q) + f'_j(E) + i f''_j(E) (xraylib f0; Chantler f', f'' at E = hc/λ);
    F(h) = Σ_sites o_s f_s T_s Σ_images exp(2πi h·x); T_s = exp(−2π² U_s/d²) (= exp(−8π²U
    sin²θ/λ²)). Powder rings merge h and −h, so |F|² = (|F(h)|² + |F(−h)|²)/2 (differs from
    |F(h)|² only for non-centrosymmetric structures with f'' ≠ 0).
    """

    def __init__(
        self,
        crystal: Crystal,
        hkl: ArrayLike,
        wavelength_A: float,
        *,
        anomalous: bool = True,
    ) -> None:
        if not wavelength_A > 0:
            raise ValueError("wavelength must be positive (Å)")
        self.crystal = crystal
        self.hkl = np.atleast_2d(np.asarray(hkl, dtype=float))
        images = _unit_cell_images(crystal)
        phases = []
        for s in crystal.sites:
            arg = 2.0 * np.pi * self.hkl @ images[s.label].T
            phases.append(np.exp(1j * arg).sum(axis=1))
        self.site_phase = np.array(phases)  # (n_sites, n_refl)
        energy = HC_EV_A / wavelength_A
        self.elements = [s.element for s in crystal.sites]
        self._anom = {}
        for el in set(self.elements):
            if anomalous:
                self._anom[el] = complex(
                    float(np.ravel(chantler_fp(el, [energy]))[0]),
                    float(np.ravel(chantler_fpp(el, [energy]))[0]),
                )
            else:
                self._anom[el] = 0j
        self._qgrid = np.linspace(0.0, 25.0, 2501)
        self._f0 = {el: f0(el, self._qgrid) for el in set(self.elements)}

    def f_atomic(self, d_A: np.ndarray) -> np.ndarray:
        """Complex atomic scattering factors (n_sites × n_refl) at Q = 2π/d."""
        q = 2.0 * np.pi / np.asarray(d_A, dtype=float)
        if np.any(q > self._qgrid[-1]):
            raise ValueError("reflection beyond Q = 25 Å⁻¹ (d < 0.25 Å)")
        return np.array(
            [np.interp(q, self._qgrid, self._f0[el]) + self._anom[el] for el in self.elements]
        )

    def f_squared(
        self,
        d_A: ArrayLike,
        *,
        occupancies: ArrayLike | None = None,
        u_iso_A2: ArrayLike | None = None,
    ) -> np.ndarray:
        """Powder-averaged |F|² (electrons²) per reflection for given site occupancies, U_iso."""
        d = np.asarray(d_A, dtype=float)
        occ = np.array(
            [s.occupancy for s in self.crystal.sites] if occupancies is None else occupancies, float
        )
        u = np.array(
            [s.u_iso_A2 for s in self.crystal.sites] if u_iso_A2 is None else u_iso_A2, float
        )
        if d.shape != (self.site_phase.shape[1],):
            raise ValueError(
                f"need one d-spacing per reflection ({self.site_phase.shape[1]}), got {d.shape}"
            )
        fat = self.f_atomic(d)
        dw = np.exp(-2.0 * np.pi**2 * u[:, None] / d[None, :] ** 2)
        w = occ[:, None] * fat * dw
        f_plus = np.sum(w * self.site_phase, axis=0)
        f_minus = np.sum(w * np.conj(self.site_phase), axis=0)
        return 0.5 * (np.abs(f_plus) ** 2 + np.abs(f_minus) ** 2)


@dataclass(frozen=True)
class PowderReflections:
    """Computed powder intensities of a crystal at one wavelength (Harris I0).

    ``intensity`` = m |F|² LP (electrons² per cell, arbitrary overall scale), on reflections
    with 2θ ≤ two_theta_max (deg).
    """

    hkl: np.ndarray
    multiplicity: np.ndarray
    d_A: np.ndarray
    two_theta_deg: np.ndarray
    f_squared: np.ndarray
    lp: np.ndarray
    intensity: np.ndarray
    wavelength_A: float


def powder_intensities(
    crystal: Crystal,
    wavelength_A: float,
    two_theta_max_deg: float,
    *,
    two_theta_min_deg: float = 0.0,
    polarization: float = 0.5,
    monochromator_two_theta_deg: float | None = None,
    anomalous: bool = True,
) -> PowderReflections:
    """Integrated powder intensities I0 = m |F|² LP of all reflections up to 2θ_max (deg)."""
    if not wavelength_A > 0:
        raise ValueError("wavelength must be positive (Å)")
    if not 0 < two_theta_max_deg < 180:
        raise ValueError("2θ_max must lie in (0, 180) deg")
    d_min = wavelength_A / (2.0 * np.sin(np.deg2rad(two_theta_max_deg) / 2.0))
    refl = generate_reflections(crystal, d_min)
    tt = 2.0 * np.rad2deg(np.arcsin(wavelength_A / (2.0 * refl.d_A)))
    keep = tt >= two_theta_min_deg
    calc = StructureFactorCalculator(crystal, refl.hkl[keep], wavelength_A, anomalous=anomalous)
    f2 = calc.f_squared(refl.d_A[keep])
    lp = lorentz_polarization(
        tt[keep], polarization=polarization, monochromator_two_theta_deg=monochromator_two_theta_deg
    )
    return PowderReflections(
        hkl=refl.hkl[keep],
        multiplicity=refl.multiplicity[keep],
        d_A=refl.d_A[keep],
        two_theta_deg=tt[keep],
        f_squared=f2,
        lp=lp,
        intensity=refl.multiplicity[keep] * f2 * lp,
        wavelength_A=float(wavelength_A),
    )
