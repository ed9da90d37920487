"""Kramers–Kronig transform f'' → f' (direct and FFT) and the differential KK about Chantler.

Public API: :func:`kk_transform_direct`, :func:`kk_transform_fft`, :func:`differential_kk`,
:func:`kramers_kronig_fp`.

For a photon energy E (eV) the dispersion relation of the anomalous scattering factor is
(James, *The Optical Principles of the Diffraction of X-rays* (1948); Cross et al.,
Phys. Rev. B 58, 11215 (1998), doi:10.1103/PhysRevB.58.11215)::

    f'(E) = (2/π) P∫₀^∞ E' f''(E') / (E² − E'²) dE'
          = (1/π) [ P∫ f''(E')/(E − E') dE' − ∫ f''(E')/(E + E') dE' ].

Both transforms here treat f'' as the piecewise-linear interpolant of its samples on
[E_first, E_last] and zero outside, and integrate that *exactly*. With
G(E) = P∫ f''(E')/(E' − E) dE', slopes s_j on the segments, s₋₁ = s_{N−1} = 0 and
a_k = s_{k−1} − s_k::

    G(E) = −Σ_k a_k φ(x_k − E) + f''_{N−1} ln|x_{N−1} − E| − f''₀ ln|x₀ − E| + f''_{N−1} − f''₀,
    φ(d) = d ln|d|,            f'(E) = −[G(E) + G(−E)]/π.

:func:`kk_transform_direct` evaluates this sum for every target (O(N·M), the principal-value
reference). :func:`kk_transform_fft` resamples onto a uniform grid, where the sums become a
Toeplitz (G(E)) and a Hankel (G(−E)) matrix-vector product, computed as linear convolutions
by FFT with ≥ 2× zero padding (O(N log N)); it agrees with the direct sum to round-off on a
uniform grid and to the resampling error on a non-uniform one.

The differential KK (Cross et al. 1998; Larch ``diffkk``) transforms only the difference
between the measured f'' and the Chantler table (Chantler, J. Phys. Chem. Ref. Data 24
(1995) 71), tapered to zero at the ends of the data, and adds it to Chantler f'.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.fft import irfft, next_fast_len, rfft
from scipy.special import xlogy

from . import xray

MIN_KK_POINTS = 8
_MAX_FFT_POINTS = 2**17
_CHUNK = 2_000_000
_OVERSAMPLE = 8
_END_FLOOR = 1e-6
"""Distances to the grid ends are floored at this fraction of the grid step (log terms)."""


def _phi(d: np.ndarray) -> np.ndarray:
    """φ(d) = d·ln|d| with φ(0) = 0."""
    a = np.abs(d)
    return np.sign(d) * xlogy(a, a)


def _check_grid(
    energy_eV: ArrayLike, values: ArrayLike, name: str
) -> tuple[np.ndarray, np.ndarray]:
    e = np.asarray(energy_eV, dtype=float).ravel()
    v = np.asarray(values, dtype=float).ravel()
    if e.shape != v.shape:
        raise ValueError(f"energy ({e.size} values) and {name} ({v.size} values) differ in length")
    if e.size < MIN_KK_POINTS:
        raise ValueError(f"need at least {MIN_KK_POINTS} energies, got {e.size}")
    if not (np.all(np.isfinite(e)) and np.all(np.isfinite(v))):
        raise ValueError(f"energy and {name} must be finite (no NaN or inf)")
    if e[0] <= 0:
        raise ValueError("photon energies must be positive (eV)")
    if np.any(np.diff(e) <= 0):
        raise ValueError("energies must be strictly increasing (sorted, no duplicates)")
    return e, v


def _slope_jumps(e: np.ndarray, f: np.ndarray) -> np.ndarray:
    """a_k = s_{k−1} − s_k with s₋₁ = s_{N−1} = 0 (slope changes at the nodes)."""
    s = np.diff(f) / np.diff(e)
    return np.concatenate([[0.0], s]) - np.concatenate([s, [0.0]])


def _g_direct(e: np.ndarray, f: np.ndarray, a: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """G(targets) = P∫ f(E')/(E' − E) dE' for the piecewise-linear f (see module notes)."""
    out = np.empty(targets.size)
    rows = max(1, _CHUNK // e.size)
    for i in range(0, targets.size, rows):
        t = targets[i : i + rows, None]
        out[i : i + rows] = -(_phi(e[None, :] - t) @ a)
    floor = _END_FLOOR * float(np.min(np.diff(e)))
    last = xlogy(f[-1], np.maximum(np.abs(e[-1] - targets), floor))
    first = xlogy(f[0], np.maximum(np.abs(e[0] - targets), floor))
    return out + last - first + (f[-1] - f[0])


def kk_transform_direct(
    energy_eV: ArrayLike, fpp: ArrayLike, at_eV: ArrayLike | None = None
) -> np.ndarray:
    """f'(E) in electrons by the direct O(N·M) principal-value sum (reference method).

    ``fpp`` (electrons) is taken piecewise linear on ``energy_eV`` (eV, strictly increasing)
    and zero outside; f' is returned at ``at_eV`` (default: the input energies). If f'' is
    non-zero at an end of the grid, f' diverges logarithmically there (true for the
    truncated function: taper first); at the end node itself the distance is floored at
    10⁻⁶ of the grid step, so the result stays finite.
    """
    e, f = _check_grid(energy_eV, fpp, "fpp")
    t = e if at_eV is None else np.atleast_1d(np.asarray(at_eV, dtype=float)).ravel()
    if np.any(~np.isfinite(t)) or np.any(t <= 0):
        raise ValueError("target energies must be finite and positive (eV)")
    a = _slope_jumps(e, f)
    return -(_g_direct(e, f, a, t) + _g_direct(e, f, a, -t)) / np.pi


def _uniform_grid(e: np.ndarray, step_eV: float | None) -> np.ndarray:
    span = e[-1] - e[0]
    spacing = np.diff(e)
    if step_eV is None and np.allclose(spacing, spacing[0], rtol=1e-9, atol=0.0):
        return e
    h = float(np.min(np.diff(e))) / _OVERSAMPLE if step_eV is None else float(step_eV)
    if not np.isfinite(h) or h <= 0:
        raise ValueError(f"uniform step must be positive, got {step_eV}")
    h = max(h, span / (_MAX_FFT_POINTS - 1))
    n = int(np.ceil(span / h - 1e-9)) + 1
    return np.linspace(e[0], e[-1], n)


@functools.lru_cache(maxsize=4)
def _kernel_spectra(n: int, h: float, x0: float) -> tuple[int, np.ndarray, np.ndarray]:
    """FFT length L and the spectra of the two kernels on a uniform grid (cached).

    K = FFT of φ(m h), m = −(n−1)…n−1 (the Toeplitz part, G(x_i)); Q = FFT of
    φ(2x₀ + j h), j = 0…2n−2, times exp(−2πi k (n−1)/L) so that it multiplies conj(FFT(a))
    (the Hankel part, G(−x_i): a reversed ↔ conjugate spectrum with a phase).
    """
    # Only outputs n−1 … 2n−2 of the linear convolutions are used; a circular convolution of
    # length ≥ 2n − 1 leaves exactly those free of wrap-around.
    size = next_fast_len(2 * n - 1, real=True)
    kern = rfft(_phi(np.arange(-(n - 1), n) * h), size)
    psi = rfft(_phi(2.0 * x0 + np.arange(2 * n - 1) * h), size)
    phase = np.exp(-2j * np.pi * np.arange(size // 2 + 1) * (n - 1) / size)
    return size, kern, psi * phase


def _kk_uniform_fft(x: np.ndarray, f: np.ndarray) -> np.ndarray:
    """f' at the nodes of a uniform grid x by FFT convolutions (exact piecewise-linear PV).

    G(x_i) = Σ_k a_k φ((i − k)h) (a Toeplitz product) and G(−x_i) = −Σ_k a_k φ(2x₀ +
    (i + k)h) (a Hankel product) are linear convolutions of a and of reversed a; both are
    formed in one spectrum (one forward and one inverse real FFT per call; the kernels'
    spectra are cached per grid).
    """
    n = x.size
    h = (x[-1] - x[0]) / (n - 1)
    a = _slope_jumps(x, f)
    size, kern, psi = _kernel_spectra(n, float(h), float(x[0]))
    spec = rfft(a, size)
    g = irfft(spec * kern - np.conj(spec) * psi, size)[n - 1 : 2 * n - 1]
    floor = _END_FLOOR * h
    if f[-1] != 0.0:  # end terms vanish for a tapered difference (the usual case)
        g += xlogy(f[-1], np.maximum(np.abs(x[-1] - x), floor)) + xlogy(f[-1], x[-1] + x)
    if f[0] != 0.0:
        g -= xlogy(f[0], np.maximum(np.abs(x[0] - x), floor)) + xlogy(f[0], x[0] + x)
    g += 2.0 * (f[-1] - f[0])
    return -g / np.pi


def kk_transform_fft(
    energy_eV: ArrayLike,
    fpp: ArrayLike,
    at_eV: ArrayLike | None = None,
    *,
    step_eV: float | None = None,
) -> np.ndarray:
    """f'(E) in electrons by FFT convolution on a uniform grid (O(N log N)).

    ``fpp`` (electrons) on ``energy_eV`` (eV, strictly increasing) is resampled linearly
    onto a uniform grid of step ``step_eV`` (default: the input grid if it is uniform,
    else 1/8 of the smallest input spacing, at most 2¹⁷ points), transformed, and f' is
    interpolated linearly to ``at_eV`` (default: the input energies). Targets outside the
    data range are evaluated by the direct sum.
    """
    e, f = _check_grid(energy_eV, fpp, "fpp")
    t = e if at_eV is None else np.atleast_1d(np.asarray(at_eV, dtype=float)).ravel()
    if np.any(~np.isfinite(t)) or np.any(t <= 0):
        raise ValueError("target energies must be finite and positive (eV)")
    x = _uniform_grid(e, step_eV)
    fx = f if x is e else np.interp(x, e, f)
    fp_grid = _kk_uniform_fft(x, fx)
    same = t.size == x.size and np.array_equal(t, x)
    out = fp_grid.copy() if same else np.interp(t, x, fp_grid)
    outside = (t < e[0]) | (t > e[-1])
    if np.any(outside):
        out[outside] = kk_transform_direct(x, fx, t[outside])
    return out


def taper_window(
    energy_eV: np.ndarray, taper_eV: float, window_eV: tuple[float, float] | None = None
) -> np.ndarray:
    """Cosine (Tukey) window: 0 at the ends of the grid (or of ``window_eV`` = (lo, hi) in
    eV, and 0 outside it), 1 farther than taper_eV inside."""
    if taper_eV < 0:
        raise ValueError(f"taper width must be ≥ 0 eV, got {taper_eV}")
    lo, hi = (energy_eV[0], energy_eV[-1]) if window_eV is None else window_eV
    if taper_eV == 0:
        return ((energy_eV >= lo) & (energy_eV <= hi)).astype(float)
    dist = np.minimum(energy_eV - lo, hi - energy_eV)
    w = np.ones_like(dist)
    edge = dist < taper_eV
    w[edge] = 0.5 * (1.0 - np.cos(np.pi * np.maximum(dist[edge], 0.0) / taper_eV))
    w[dist < 0] = 0.0
    return w


@dataclass(frozen=True)
class DifferentialKK:
    """Result of :func:`differential_kk` (electrons, on ``energy_eV`` in eV).

    ``delta_fpp`` is the tapered f''_exp − f''_Chantler that was transformed; ``fp_at`` is
    f' at ``at_eV`` (empty if no extra energies were asked for).
    """

    energy_eV: np.ndarray
    fp: np.ndarray
    fp_tab: np.ndarray
    fpp_tab: np.ndarray
    delta_fpp: np.ndarray
    taper_eV: float
    at_eV: np.ndarray
    fp_at: np.ndarray


def _default_taper(e: np.ndarray) -> float:
    return float(min(50.0, 0.05 * (e[-1] - e[0])))


def differential_kk(
    energy_eV: ArrayLike,
    fpp: ArrayLike,
    element: str | int,
    *,
    taper_eV: float | None = None,
    method: str = "fft",
    at_eV: ArrayLike | None = None,
    window_eV: tuple[float, float] | None = None,
) -> DifferentialKK:
    """Differential KK: f' = f'_Chantler + KK[w·(f'' − f''_Chantler)] (Cross et al. 1998).

    ``fpp`` (electrons) on ``energy_eV`` (eV, strictly increasing); ``w`` is a cosine taper
    of width ``taper_eV`` at both ends (default min(50 eV, 5 % of the range)); ``method``
    is ``"fft"`` or ``"direct"``. ``at_eV`` asks for f' at further energies (inside or
    outside the data; outside it, the difference is taken as zero). ``window_eV`` = (lo,
    hi) in eV restricts the measured difference to that range (zero outside, tapered at
    its ends), e.g. to keep another element's edge out of the transform.
    """
    e, f = _check_grid(energy_eV, fpp, "fpp")
    if method not in ("fft", "direct"):
        raise ValueError(f"method must be 'fft' or 'direct', got {method!r}")
    taper = _default_taper(e) if taper_eV is None else float(taper_eV)
    fpp_tab = xray.chantler_fpp(element, e)
    fp_tab = xray.chantler_fp(element, e)
    delta = (f - fpp_tab) * taper_window(e, taper, window_eV)
    extra = np.zeros(0) if at_eV is None else np.atleast_1d(np.asarray(at_eV, dtype=float)).ravel()
    targets = np.concatenate([e, extra]) if extra.size else e
    transform = kk_transform_fft if method == "fft" else kk_transform_direct
    kk = transform(e, delta, targets)
    fp_extra = xray.chantler_fp(element, extra) + kk[e.size :] if extra.size else extra
    return DifferentialKK(
        energy_eV=e,
        fp=fp_tab + kk[: e.size],
        fp_tab=fp_tab,
        fpp_tab=fpp_tab,
        delta_fpp=delta,
        taper_eV=taper,
        at_eV=extra,
        fp_at=fp_extra,
    )


def kramers_kronig_fp(
    energy_eV: ArrayLike,
    fpp: ArrayLike,
    element: str | int,
    *,
    taper_eV: float | None = None,
    method: str = "fft",
) -> np.ndarray:
    """f' in electrons on ``energy_eV`` from f'' by differential KK about Chantler.

    See :func:`differential_kk` (which also returns the intermediate arrays).
    """
    return differential_kk(energy_eV, fpp, element, taper_eV=taper_eV, method=method).fp
