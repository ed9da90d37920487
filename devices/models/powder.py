"""Pure powder-diffraction pattern model (the physics behind the simulated powder detector).

Intensity of one phase at 2θ (deg)::

    y(2θ) = s Σ_hkl m |F|² LP P_MD(hkl) Φ(2θ − 2θ_hkl) + background(2θ)

* reflections, multiplicities, |F|² with f0(Q) + f' + i f'' at the beam energy and
  Debye–Waller factors, Lorentz–polarization: :mod:`axsuite.analysis.crystal`;
* Φ: TCH pseudo-Voigt (:func:`axsuite.analysis.lineprofile.tch_profile`) with the
  instrument Γ_G² = U tan²θ + V tanθ + W, Γ_L = X/cosθ + Y tanθ, plus sample broadening
  (Lorentzian, so that widths add linearly): size Γ = Kλ/(D cosθ) (Scherrer, K = 0.89 with
  FWHM) and microstrain Γ = 4ε tanθ (Stokes & Wilson, Proc. Phys. Soc. 56 (1944) 174);
  optional Gaussian strain ``strain_gaussian`` added in quadrature to Γ_G;
* March–Dollase preferred orientation averaged over the equivalents of each reflection
  (Dollase, J. Appl. Cryst. 19 (1986) 267);
* Chebyshev background over the model's 2θ range; Poisson noise from an injected
  ``numpy.random.Generator``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from axsuite.analysis.constants import HC_EV_A
from axsuite.analysis.crystal import (
    Crystal,
    StructureFactorCalculator,
    crystal_from_cif,
    crystal_from_dict,
    generate_reflections,
    lorentz_polarization,
    march_dollase_factors,
)
from axsuite.analysis.lineprofile import InstrumentFunction, pseudo_voigt, tch_fwhm_eta
from numpy.typing import ArrayLike

__all__ = [
    "PowderPhase",
    "PowderPatternModel",
    "phase_from_spec",
]


@dataclass(frozen=True)
class PowderPhase:
    """A powder sample phase: structure, crystallite size D (Å, None = no size broadening),
    microstrain ε (Lorentzian; dimensionless), optional Gaussian strain, March–Dollase r
    about ``texture_axis`` (hkl of the preferred-orientation axis), relative scale."""

    crystal: Crystal
    size_A: float | None = None
    strain: float = 0.0
    strain_gaussian: float = 0.0
    march_dollase_r: float = 1.0
    texture_axis: tuple[int, int, int] = (0, 0, 1)
    scale: float = 1.0

    def __post_init__(self) -> None:
        if self.size_A is not None and not self.size_A > 0:
            raise ValueError(f"{self.crystal.name}: crystallite size must be positive (Å)")
        if self.strain < 0 or self.strain_gaussian < 0:
            raise ValueError(f"{self.crystal.name}: microstrain must be non-negative")
        if not self.march_dollase_r > 0:
            raise ValueError(f"{self.crystal.name}: March–Dollase r must be positive")
        if not any(self.texture_axis):
            raise ValueError(f"{self.crystal.name}: texture axis cannot be (0, 0, 0)")
        if not self.scale > 0:
            raise ValueError(f"{self.crystal.name}: scale must be positive")


def phase_from_spec(spec: Mapping) -> PowderPhase:
    """PowderPhase from a profile mapping.

    Keys: ``structure`` (inline mapping) or ``cif`` (path); ``size_A``, ``strain``,
    ``strain_gaussian``, ``march_dollase_r``, ``texture_axis``, ``scale``.
    """
    allowed = {"structure", "cif", "size_A", "strain", "strain_gaussian", "march_dollase_r",
               "texture_axis", "scale"}  # fmt: skip
    unknown = set(spec) - allowed
    if unknown:
        raise ValueError(f"unknown powder-sample keys {sorted(unknown)}")
    if ("structure" in spec) == ("cif" in spec):
        raise ValueError("a powder sample needs exactly one of 'structure' or 'cif'")
    crystal = (
        crystal_from_dict(spec["structure"])
        if "structure" in spec
        else crystal_from_cif(spec["cif"])
    )
    size = spec.get("size_A")
    return PowderPhase(
        crystal=crystal,
        size_A=None if size is None else float(size),
        strain=float(spec.get("strain", 0.0)),
        strain_gaussian=float(spec.get("strain_gaussian", 0.0)),
        march_dollase_r=float(spec.get("march_dollase_r", 1.0)),
        texture_axis=tuple(int(v) for v in spec.get("texture_axis", (0, 0, 1))),
        scale=float(spec.get("scale", 1.0)),
    )


@dataclass
class _PhaseLines:
    two_theta: np.ndarray
    intensity: np.ndarray
    gamma_g: np.ndarray
    gamma_l: np.ndarray
    hkl: np.ndarray = field(repr=False)


class PowderPatternModel:
    """Expected counts of a powder pattern at a fixed beam energy (pure; no randomness inside
    except :meth:`sample`, which takes a Generator).

    ``counts_scale`` converts the per-cell intensity to counts per second;
    ``background`` are Chebyshev coefficients (counts/s) over [two_theta_min, two_theta_max].
    """

    def __init__(
        self,
        phases: Sequence[PowderPhase],
        energy_eV: float,
        instrument: InstrumentFunction,
        *,
        two_theta_min_deg: float = 5.0,
        two_theta_max_deg: float = 150.0,
        polarization: float = 0.95,
        counts_scale: float = 1.0,
        background: Sequence[float] = (20.0,),
    ) -> None:
        if not phases:
            raise ValueError("a powder pattern model needs at least one phase")
        if not energy_eV > 0:
            raise ValueError("beam energy must be positive (eV)")
        if not 0 < two_theta_min_deg < two_theta_max_deg < 180:
            raise ValueError("need 0 < 2θ_min < 2θ_max < 180 deg")
        self.phases = tuple(phases)
        self.energy_eV = float(energy_eV)
        self.wavelength_A = HC_EV_A / self.energy_eV
        self.instrument = instrument
        self.range = (float(two_theta_min_deg), float(two_theta_max_deg))
        self.polarization = float(polarization)
        self.counts_scale = float(counts_scale)
        self.background = np.asarray(background, dtype=float)
        self._lines = [self._phase_lines(p) for p in self.phases]

    def _phase_lines(self, phase: PowderPhase) -> _PhaseLines:
        lam = self.wavelength_A
        tt_hi = min(self.range[1] + 5.0, 179.0)
        d_min = lam / (2.0 * np.sin(np.deg2rad(tt_hi) / 2.0))
        refl = generate_reflections(phase.crystal, d_min)
        tt = 2.0 * np.rad2deg(np.arcsin(lam / (2.0 * refl.d_A)))
        calc = StructureFactorCalculator(phase.crystal, refl.hkl, lam)
        f2 = calc.f_squared(refl.d_A)
        lp = lorentz_polarization(tt, polarization=self.polarization)
        pmd = _march_dollase_average(
            refl, phase.crystal.cell, phase.texture_axis, phase.march_dollase_r
        )
        inten = phase.scale * refl.multiplicity * f2 * lp * pmd
        th = np.deg2rad(tt) / 2.0
        gl = self.instrument.lorentzian_fwhm(tt)
        if phase.size_A is not None:
            gl = gl + np.rad2deg(0.89 * lam / (phase.size_A * np.cos(th)))
        gl = gl + np.rad2deg(4.0 * phase.strain * np.tan(th))
        gg = np.sqrt(
            self.instrument.gaussian_fwhm(tt) ** 2
            + np.rad2deg(4.0 * phase.strain_gaussian * np.tan(th)) ** 2
        )
        if np.any(gg <= 0):
            raise ValueError("instrument Gaussian width is zero somewhere in the range")
        return _PhaseLines(tt, inten, gg, gl, refl.hkl)

    def reflections(self, phase_index: int = 0) -> dict[str, np.ndarray]:
        """Positions (deg), integrated intensities (counts·deg/s) and widths of one phase."""
        ln = self._lines[phase_index]
        return {
            "hkl": ln.hkl.copy(),
            "two_theta_deg": ln.two_theta.copy(),
            "intensity": ln.intensity * self.counts_scale,
            "gamma_g_deg": ln.gamma_g.copy(),
            "gamma_l_deg": ln.gamma_l.copy(),
        }

    def background_rate(self, two_theta_deg: ArrayLike) -> np.ndarray:
        """Chebyshev background (counts/s)."""
        lo, hi = self.range
        xn = (2.0 * np.asarray(two_theta_deg, dtype=float) - (lo + hi)) / (hi - lo)
        return np.polynomial.chebyshev.chebval(xn, self.background)

    def rate(self, two_theta_deg: ArrayLike) -> np.ndarray:
        """Expected count rate (counts/s) at 2θ (deg); every peak evaluated everywhere."""
        x = np.atleast_1d(np.asarray(two_theta_deg, dtype=float))
        if np.any((x <= 0) | (x >= 180)):
            raise ValueError("2θ must lie in (0, 180) deg")
        out = self.background_rate(x)
        for ln in self._lines:
            fwhm, eta = tch_fwhm_eta(ln.gamma_g, ln.gamma_l)
            for start in range(0, x.size, 2048):
                xs = x[start : start + 2048]
                prof = pseudo_voigt(xs[:, None], ln.two_theta[None, :], fwhm, eta, ln.intensity)
                out[start : start + 2048] += self.counts_scale * prof.sum(axis=1)
        return out if np.ndim(two_theta_deg) else out[0]

    def sample(
        self, two_theta_deg: ArrayLike, dwell_s: float, rng: np.random.Generator
    ) -> np.ndarray:
        """Poisson counts in ``dwell_s`` seconds at each 2θ (deg)."""
        if not dwell_s > 0:
            raise ValueError("dwell time must be positive (s)")
        return rng.poisson(self.rate(two_theta_deg) * dwell_s).astype(float)


def _march_dollase_average(refl, cell, axis, r: float) -> np.ndarray:
    """⟨P_MD(α)⟩ over the symmetry equivalents of every reflection (1 for r = 1)."""
    if r == 1.0:
        return np.ones(len(refl))
    return march_dollase_factors(refl, cell, axis, r)
