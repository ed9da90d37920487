"""Simulator truth for f'(E), f''(E) of one element near its absorption edge.

Public API: :class:`NearEdgeModel` (frozen; methods ``fpp``, ``fp``, ``mu_photo_cm2_g``) and
:func:`nearedge_model` (the same, cached by its parameters).

Construction (all energies in eV, f in electrons):

* atomic part: Chantler f'' (xraydb) with the edge replaced, within ±60 eV, by a
  Lorentzian-broadened step (arctan, FWHM Γ = core-hole width, xraylib
  ``AtomicLevelWidth``) between power laws fitted to the Chantler table below and above the
  edge (Chantler interpolates its sparse nodes across the edge);
* white line: a Lorentzian of height ``white_line_height`` × edge jump at
  ``white_line_offset_eV`` above the edge centre;
* EXAFS-like oscillations above the edge: jump × χ(k), χ(k) = Σ a_j sin(2kR_j + φ_j)·
  exp(−2σ_j²k²)·(1 − exp(−k²/k_c²))/k, k = √((E − E_c)/KTOE) (Sayers, Stern & Lytle,
  Phys. Rev. Lett. 27, 1204 (1971) form, unit-free amplitudes);
* f' = Chantler f' + KK[f'' − f''_Chantler] (differential Kramers–Kronig, Cross et al.,
  Phys. Rev. B 58, 11215 (1998)), so the added structure is causal;
* both are convolved with the Gaussian mono band pass, FWHM = ``bandwidth`` × E
  (Si(111): 1.4×10⁻⁴), by 16-point Gauss–Hermite quadrature;
* the edge centre E_c is shifted so that the maximum of dμ/dE of the convolved model (its
  E0) falls on the tabulated edge energy (xraylib), as for a real reference foil.

Outside the modelled window (E_edge − 1000 … E_edge + 2000 eV) f'' is Chantler's and f'
is Chantler's plus the KK integral of the structure (direct sum).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import xraylib
from axsuite.analysis import xray
from axsuite.analysis.constants import FWHM_PER_SIGMA, KTOE_EV_A2
from axsuite.analysis.kk import kk_transform_direct, kk_transform_fft, taper_window
from numpy.typing import ArrayLike

_GH_X, _GH_W = np.polynomial.hermite.hermgauss(16)
_BLEND_FLAT_EV = 20.0
_BLEND_EDGE_EV = 60.0
_K_ONSET_INV_A = 1.5

DEFAULT_EXAFS: tuple[tuple[float, float, float, float], ...] = (
    (2.55, 0.35, 0.008, -1.0),
    (3.61, 0.15, 0.012, -1.2),
    (4.43, 0.10, 0.015, -1.4),
)
"""(R in Å, amplitude a, σ² in Å², phase φ in rad) of the default EXAFS shells."""


def _power_law(e: np.ndarray, f: np.ndarray) -> tuple[float, float]:
    slope, icpt = np.polyfit(np.log(e), np.log(f), 1)
    return float(slope), float(icpt)


@dataclass(frozen=True)
class NearEdgeModel:
    """f'(E), f''(E) with a white line and EXAFS-like structure (see the module notes).

    Parameters
    ----------
    element, edge : absorbing element and edge ("K", "L3", …)
    white_line_height : white-line peak height as a fraction of the edge jump
    white_line_offset_eV, white_line_width_eV : peak position above the edge centre and FWHM
    core_hole_width_eV : FWHM of the edge step (default: xraylib level width)
    exafs : shells (R Å, amplitude, σ² Å², phase rad)
    bandwidth : mono band pass FWHM as a fraction of E (Gaussian); 0 for none
    grid_step_eV : spacing of the internal grid
    """

    element: str
    edge: str = "K"
    white_line_height: float = 0.4
    white_line_offset_eV: float = 6.0
    white_line_width_eV: float = 5.0
    core_hole_width_eV: float | None = None
    exafs: tuple[tuple[float, float, float, float], ...] = DEFAULT_EXAFS
    bandwidth: float = 1.4e-4
    grid_step_eV: float = 0.1
    window_eV: tuple[float, float] = (-1000.0, 2000.0)
    edge_energy_eV: float = dataclasses.field(init=False)
    edge_center_eV: float = dataclasses.field(init=False)
    edge_jump: float = dataclasses.field(init=False)
    energy_grid_eV: np.ndarray = dataclasses.field(init=False, repr=False)
    fpp_grid: np.ndarray = dataclasses.field(init=False, repr=False)
    fp_grid: np.ndarray = dataclasses.field(init=False, repr=False)
    delta_fpp_grid: np.ndarray = dataclasses.field(init=False, repr=False)

    def __post_init__(self) -> None:
        symbol = xray.element_symbol(self.element)
        e_tab = xray.edge_energy_eV(symbol, self.edge)
        if self.white_line_height < 0 or self.white_line_width_eV <= 0:
            raise ValueError("white line needs height ≥ 0 and a positive width (eV)")
        if not 0 <= self.bandwidth < 0.01:
            raise ValueError(f"bandwidth ΔE/E must be in [0, 0.01), got {self.bandwidth}")
        if self.grid_step_eV <= 0 or not self.window_eV[0] < -100 < 100 < self.window_eV[1]:
            raise ValueError("grid step must be positive and the window span ±100 eV at least")
        for shell in self.exafs:
            if len(shell) != 4 or shell[0] <= 0 or shell[2] < 0:
                raise ValueError(
                    f"EXAFS shell must be (R>0 Å, amplitude, σ²≥0 Å², phase), got {shell}"
                )
        gamma = self.core_hole_width_eV
        if gamma is None:
            gamma = 1000.0 * xraylib.AtomicLevelWidth(
                xray.atomic_number(symbol), xray.edge_shell(self.edge)
            )
        if gamma <= 0:
            raise ValueError(f"core-hole width must be positive, got {gamma} eV")
        set_ = object.__setattr__
        set_(self, "element", symbol)
        set_(self, "edge", self.edge.strip().upper())
        set_(self, "core_hole_width_eV", float(gamma))
        set_(self, "edge_energy_eV", e_tab)
        n = int(round((self.window_eV[1] - self.window_eV[0]) / self.grid_step_eV)) + 1
        grid = e_tab + np.linspace(self.window_eV[0], self.window_eV[1], n)
        set_(self, "energy_grid_eV", grid)
        centre = e_tab
        for _ in range(4):
            raw, _jump = self._raw_fpp(grid, centre)
            shift = e_tab - self._inflection(grid, self._convolve(grid, grid, raw), e_tab)
            centre += shift
            if abs(shift) < 1e-3:
                break
        fpp, fp, delta, jump = self._build(grid, centre)
        set_(self, "edge_center_eV", float(centre))
        set_(self, "edge_jump", jump)
        set_(self, "fpp_grid", fpp)
        set_(self, "fp_grid", fp)
        set_(self, "delta_fpp_grid", delta)

    # -- construction -------------------------------------------------------------------
    def _raw_fpp(self, e: np.ndarray, centre: float) -> tuple[np.ndarray, float]:
        """Unconvolved f''(E) and the edge jump (electrons) for edge centre ``centre``."""
        e_tab = self.edge_energy_eV
        nodes = np.linspace(e_tab - 200.0, e_tab - 20.0, 40)
        pre = _power_law(nodes, xray.chantler_fpp(self.element, nodes))
        nodes = np.linspace(e_tab + 20.0, e_tab + 200.0, 40)
        post = _power_law(nodes, xray.chantler_fpp(self.element, nodes))
        f_pre = np.exp(pre[1] + pre[0] * np.log(e))
        f_post = np.exp(post[1] + post[0] * np.log(e))
        step = 0.5 + np.arctan((e - centre) / (0.5 * self.core_hole_width_eV)) / np.pi
        atomic = f_pre + (f_post - f_pre) * step
        dist = np.abs(e - e_tab)
        blend = np.where(
            dist <= _BLEND_FLAT_EV,
            1.0,
            np.where(
                dist < _BLEND_EDGE_EV,
                0.5
                * (
                    1.0
                    + np.cos(np.pi * (dist - _BLEND_FLAT_EV) / (_BLEND_EDGE_EV - _BLEND_FLAT_EV))
                ),
                0.0,
            ),
        )
        chantler = xray.chantler_fpp(self.element, e)
        jump = float(
            np.exp(post[1] + post[0] * np.log(centre)) - np.exp(pre[1] + pre[0] * np.log(centre))
        )
        hw = 0.5 * self.white_line_width_eV
        white = (
            self.white_line_height
            * jump
            * hw**2
            / ((e - centre - self.white_line_offset_eV) ** 2 + hw**2)
        )
        k = np.sqrt(np.clip(e - centre, 0.0, None) / KTOE_EV_A2)
        chi = np.zeros_like(e)
        with np.errstate(divide="ignore", invalid="ignore"):
            for r, amp, sig2, phase in self.exafs:
                chi += amp * np.sin(2.0 * k * r + phase) * np.exp(-2.0 * sig2 * k**2)
            chi = np.where(k > 0, chi * -np.expm1(-((k / _K_ONSET_INV_A) ** 2)) / k, 0.0)
        return chantler + blend * (atomic - chantler) + white + f_post * step * chi, jump

    def _convolve(self, e: np.ndarray, grid: np.ndarray, values: np.ndarray) -> np.ndarray:
        if self.bandwidth == 0:
            return np.interp(e, grid, values)
        sigma = self.bandwidth * e / FWHM_PER_SIGMA
        pts = e[:, None] + np.sqrt(2.0) * sigma[:, None] * _GH_X[None, :]
        return np.interp(pts, grid, values) @ _GH_W / np.sqrt(np.pi)

    def _build(
        self, grid: np.ndarray, centre: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
        raw, jump = self._raw_fpp(grid, centre)
        delta = (raw - xray.chantler_fpp(self.element, grid)) * taper_window(grid, 50.0)
        fp_raw = xray.chantler_fp(self.element, grid) + kk_transform_fft(grid, delta)
        fpp = self._convolve(grid, grid, raw)
        fp = self._convolve(grid, grid, fp_raw)
        return fpp, fp, delta, jump

    @staticmethod
    def _inflection(grid: np.ndarray, fpp: np.ndarray, e_tab: float) -> float:
        """Energy of max dμ/dE (μ ∝ f''/E) within ±30 eV of e_tab, refined by a parabola."""
        d = np.gradient(fpp / grid, grid)
        j = int(np.argmax(np.where(np.abs(grid - e_tab) < 30.0, d, -np.inf)))
        h = grid[1] - grid[0]
        y0, y1, y2 = d[j - 1], d[j], d[j + 1]
        den = y0 - 2.0 * y1 + y2
        return float(grid[j] + (0.5 * h * (y0 - y2) / den if den < 0 else 0.0))

    # -- public ---------------------------------------------------------------------------
    @property
    def e0_eV(self) -> float:
        """Edge energy of the model in eV (max dμ/dE; equals the tabulated edge)."""
        return self.edge_energy_eV

    def fpp(self, energy_eV: ArrayLike) -> np.ndarray:
        """f''(E) in electrons (Chantler outside the modelled window)."""
        e = np.asarray(energy_eV, dtype=float)
        if np.any(~np.isfinite(e)) or np.any(e <= 0):
            raise ValueError("photon energies must be finite and positive (eV)")
        g = self.energy_grid_eV
        inside = (e >= g[0]) & (e <= g[-1])
        out = np.interp(e, g, self.fpp_grid)
        if np.any(~inside):
            out = np.where(inside, out, xray.chantler_fpp(self.element, np.where(inside, g[0], e)))
        return out if out.ndim else float(out)

    def fp(self, energy_eV: ArrayLike) -> np.ndarray:
        """f'(E) in electrons (Chantler + KK of the structure outside the window)."""
        e = np.asarray(energy_eV, dtype=float)
        if np.any(~np.isfinite(e)) or np.any(e <= 0):
            raise ValueError("photon energies must be finite and positive (eV)")
        g = self.energy_grid_eV
        flat = np.atleast_1d(e).ravel()
        out = np.interp(flat, g, self.fp_grid)
        outside = (flat < g[0]) | (flat > g[-1])
        if np.any(outside):
            out[outside] = xray.chantler_fp(self.element, flat[outside]) + kk_transform_direct(
                g, self.delta_fpp_grid, flat[outside]
            )
        out = out.reshape(np.shape(e))
        return out if out.ndim else float(out)

    def mu_photo_cm2_g(self, energy_eV: ArrayLike) -> np.ndarray:
        """Photo-absorption mass coefficient in cm²/g from f'' (optical theorem)."""
        return xray.mu_photo_from_fpp(self.element, energy_eV, self.fpp(energy_eV))


@functools.lru_cache(maxsize=32)
def nearedge_model(element: str, edge: str = "K", **params: Any) -> NearEdgeModel:
    """A cached :class:`NearEdgeModel` (building one takes ~0.5 s); params as keywords.

    Tuple-valued parameters (``exafs``, ``window_eV``) must be given as tuples (hashable).
    """
    return NearEdgeModel(element, edge, **params)


#: Near-edge parameters a profile entry gives by name (``NearEdgeConfig``).
PROFILE_PARAMETERS = (
    "white_line_height",
    "white_line_offset_eV",
    "white_line_width_eV",
    "core_hole_width_eV",
)


def nearedge_models(configs: Mapping[str, Any], bandwidth: float) -> dict[str, NearEdgeModel]:
    """Element → cached model from profile entries (``NearEdgeConfig``-like objects).

    ``bandwidth`` is the mono ΔE/E (FWHM); ``exafs_scale`` multiplies the default EXAFS
    amplitudes.
    """
    out = {}
    for element, c in configs.items():
        exafs = tuple((r, a * c.exafs_scale, s2, ph) for r, a, s2, ph in DEFAULT_EXAFS)
        shape = {name: getattr(c, name) for name in PROFILE_PARAMETERS}
        out[xray.element_symbol(element)] = nearedge_model(
            element, c.edge, exafs=exafs, bandwidth=bandwidth, **shape
        )
    return out
