"""Peak search in a counting pattern (2θ in deg, Poisson counts) and the helpers the peak
fits share: input cleaning, rolling background, FWHM estimate, Kα2 positions."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import signal
from scipy.ndimage import percentile_filter, uniform_filter1d

__all__ = ["PeakSearch", "find_peaks"]


@dataclass(frozen=True)
class PeakSearch:
    """Candidate peaks: positions (deg 2θ), heights above background (counts), S/N."""

    two_theta_deg: np.ndarray
    height: np.ndarray
    snr: np.ndarray


def _clean_xy(x: ArrayLike, y: ArrayLike, sigma: ArrayLike | None = None):
    xa = np.asarray(x, dtype=float).ravel()
    ya = np.asarray(y, dtype=float).ravel()
    if xa.shape != ya.shape:
        raise ValueError(f"2θ and intensity differ in length ({xa.size} vs {ya.size})")
    sa = None if sigma is None else np.asarray(sigma, dtype=float).ravel()
    if sa is not None and sa.shape != xa.shape:
        raise ValueError("sigma must have the length of the pattern")
    ok = np.isfinite(xa) & np.isfinite(ya)
    if sa is not None:
        ok &= np.isfinite(sa) & (sa > 0)
    xa, ya = xa[ok], ya[ok]
    sa = None if sa is None else sa[ok]
    order = np.argsort(xa, kind="stable")
    xa, ya = xa[order], ya[order]
    sa = None if sa is None else sa[order]
    keep = np.concatenate([[True], np.diff(xa) > 0])
    xa, ya = xa[keep], ya[keep]
    sa = None if sa is None else sa[keep]
    if xa.size < 10:
        raise ValueError(f"pattern has only {xa.size} valid points (need ≥ 10)")
    if np.any((xa <= 0) | (xa >= 180)):
        raise ValueError("2θ values must lie in (0, 180) deg")
    return xa, ya, sa


def _rolling_background(y: np.ndarray, width: int) -> np.ndarray:
    """Smooth background: running 20th percentile, then running mean (width in points)."""
    width = max(3, width)
    low = percentile_filter(y, 20, size=width, mode="nearest")
    return uniform_filter1d(low, width, mode="nearest")


def find_peaks(
    two_theta_deg: ArrayLike,
    counts: ArrayLike,
    *,
    min_snr: float = 6.0,
    min_separation_deg: float = 0.05,
    background_width_deg: float = 2.0,
    smooth_points: int = 3,
    doublet: tuple[float, float, float] | None = None,
) -> PeakSearch:
    """Find diffraction peaks in a counting pattern (counts, Poisson statistics).

    A candidate is a local maximum of the smoothed counts that rises ``min_snr`` σ above a
    rolling background (``background_width_deg``; σ = √background) and whose prominence
    exceeds ``min_snr`` √counts at the maximum (rejects noise on the tails of strong peaks).
    Maxima within 3 FWHM of the ends of the data are dropped (truncated profiles), and with
    ``doublet`` = (λ1, λ2, I2/I1) the λ2 companions of stronger peaks.
    Raises ValueError if no peak is found.
    """
    x, y, _ = _clean_xy(two_theta_deg, counts)
    step = float(np.median(np.diff(x)))
    bkg = _rolling_background(y, int(round(background_width_deg / step)))
    if smooth_points > 1:
        ys = np.convolve(y, np.ones(smooth_points) / smooth_points, mode="same")
    else:
        ys = y
    noise = np.sqrt(np.maximum(bkg, 1.0))
    excess = ys - bkg
    idx, props = signal.find_peaks(
        excess,
        height=min_snr * noise,
        prominence=0.0,
        distance=max(1, int(round(min_separation_deg / step))),
    )
    keep = props["prominences"] >= min_snr * np.sqrt(np.maximum(ys[idx], 1.0))
    idx = idx[keep]
    if idx.size:  # drop maxima within 3 FWHM of the ends (truncated profiles, rising tails)
        w = _estimate_fwhm(x, y, x[idx])
        idx = idx[(x[idx] - x[0] >= 3 * w) & (x[-1] - x[idx] >= 3 * w)]
    if doublet is not None and idx.size > 1:
        # drop Kα2 companions: a maximum where a stronger peak's λ2 component falls
        w = _estimate_fwhm(x, y, x[idx])
        pos2 = _doublet_position(x[idx], doublet)
        companion = np.zeros(idx.size, bool)
        for j in range(idx.size):
            near = np.abs(x[idx] - pos2[j]) < 0.5 * w
            companion |= near & (excess[idx] < excess[idx[j]])
        idx = idx[~companion]
    if idx.size == 0:
        raise ValueError(f"no peaks found above {min_snr} σ of the background")
    return PeakSearch(x[idx], excess[idx], excess[idx] / noise[idx])


def _estimate_fwhm(x: np.ndarray, y: np.ndarray, centers: np.ndarray) -> float:
    """Median FWHM (deg) of the given peaks from half-maximum crossings above the background."""
    step = float(np.median(np.diff(x)))
    bkg = _rolling_background(y, int(round(2.0 / step)))
    ex = y - bkg
    widths = []
    for c in centers:
        i = int(np.clip(np.searchsorted(x, c), 1, x.size - 2))
        half = ex[i] / 2.0
        lo = i
        while lo > 0 and ex[lo] > half:
            lo -= 1
        hi = i
        while hi < x.size - 1 and ex[hi] > half:
            hi += 1
        widths.append(x[hi] - x[lo])
    return max(float(np.median(widths)), 3 * step)


def _doublet_position(tt1: ArrayLike, doublet: tuple[float, float, float]) -> np.ndarray:
    lam1, lam2, _ = doublet
    s = np.sin(np.deg2rad(np.asarray(tt1)) / 2.0) * lam2 / lam1
    return 2.0 * np.rad2deg(np.arcsin(np.clip(s, -1, 1)))
