"""Grouping of expected powder reflections for fitting while a scan runs.

Reflections closer than 0.02° 2θ are merged into one peak (hkl joined with "+"); peaks
closer than ``window`` (deg 2θ) form one group, fitted over [first − window, last + window].
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .lineprofile import PeakFit


@dataclasses.dataclass
class ReflectionGroup:
    """Reflections fitted together: hkl labels, centres (deg 2θ), relative intensities
    from the structure and the fitted window [lo, hi] (deg 2θ); ``fits`` once fitted."""

    hkl: list[str]
    centers: np.ndarray
    i0: np.ndarray
    lo: float
    hi: float
    fits: tuple[PeakFit, ...] | None = None
    done: bool = False


def group_reflections(
    tt: np.ndarray, inten: np.ndarray, hkl: np.ndarray, window: float
) -> list[ReflectionGroup]:
    """Merge coincident reflections (< 0.02°) and group neighbours closer than ``window``."""
    order = np.argsort(tt)
    peaks: list[tuple[float, float, str]] = []
    for i in order:
        sep = "" if np.max(np.abs(hkl[i])) < 10 else ","
        h = sep.join(str(int(v)) for v in hkl[i])
        if peaks and tt[i] - peaks[-1][0] < 0.02:
            c, a, name = peaks[-1]
            peaks[-1] = (c, a + inten[i], f"{name}+{h}")
        else:
            peaks.append((float(tt[i]), float(inten[i]), h))
    groups: list[ReflectionGroup] = []
    for c, a, name in peaks:
        if groups and c - groups[-1].centers[-1] < window:
            g = groups[-1]
            g.centers = np.append(g.centers, c)
            g.i0 = np.append(g.i0, a)
            g.hkl.append(name)
            g.hi = c + window
        else:
            groups.append(
                ReflectionGroup([name], np.array([c]), np.array([a]), c - window, c + window)
            )
    return groups
