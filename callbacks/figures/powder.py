"""Figure of powder scans: the pattern with fitted peaks, the refined profile and the
difference curve (counts vs 2θ in deg), and the Williamson–Hall plot with error bars.

:class:`PowderView` is the live figure (points as measured, each group of peaks as soon as
it is fitted, the refinement and WH at the end) and the PNG of a run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from axsuite.analysis.lineprofile import tch_profile

from .common import autoscale, file_figure

NAME = "powder"
FIGSIZE = (11.0, 7.0)


class PowderView:
    """Pattern + fits (top left), difference (bottom left), Williamson–Hall (right)."""

    def __init__(self, fig: Any):
        self.fig = fig
        gs = fig.add_gridspec(2, 2, width_ratios=[2.6, 1.0], height_ratios=[3.0, 1.0])
        self.ax = fig.add_subplot(gs[0, 0])
        self.ax_diff = fig.add_subplot(gs[1, 0], sharex=self.ax)
        self.ax_wh = fig.add_subplot(gs[:, 1])
        self.clear("")

    def clear(self, title: str) -> None:
        """A new run: empty panels, axes labelled."""
        for ax in (self.ax, self.ax_diff, self.ax_wh):
            ax.clear()
        (self.points,) = self.ax.plot([], [], ".", ms=2, color="0.3", label="measured")
        (self.calc,) = self.ax.plot([], [], "-", lw=1, color="C1", label="refined profile")
        (self.diff,) = self.ax_diff.plot([], [], "-", lw=0.7, color="C2")
        self._peak_label = "fitted peaks"
        self.ax.set_ylabel("counts")
        self.ax_diff.set(xlabel="2θ (deg)", ylabel="obs − calc (counts)")
        self.ax_wh.set(xlabel="sin θ", ylabel="β cos θ (rad)", title="Williamson–Hall")
        self.fig.suptitle(title)

    def measured(self, two_theta_deg: np.ndarray, counts: np.ndarray) -> None:
        """The points measured so far."""
        self.points.set_data(two_theta_deg, counts)
        autoscale(self.ax)

    def peaks(self, x: np.ndarray, y: np.ndarray, hkl: list[str], centers: list[float]) -> None:
        """One fitted group: its model curve ``y`` (counts) on ``x`` and hkl labels."""
        self.ax.plot(x, y, "-", lw=1, color="C3", label=self._peak_label)
        self._peak_label = "_fitted peaks"
        top = float(np.max(y)) if len(y) else 0.0
        for h, c in zip(hkl, centers, strict=True):
            self.ax.annotate(h, (c, top), textcoords="offset points", xytext=(0, 4),
                             ha="center", fontsize=7)  # fmt: skip
        self.ax.legend(fontsize=7, loc="upper right")

    def refined(self, x: np.ndarray, y_obs: np.ndarray, y_calc: np.ndarray, text: str) -> None:
        """Whole-pattern refinement: calculated profile and difference curve."""
        self.calc.set_data(x, y_calc)
        self.diff.set_data(x, y_obs - y_calc)
        self.ax_diff.axhline(0.0, color="k", lw=0.5)
        self.ax.set_title(text, fontsize=9)
        self.ax.legend(fontsize=7, loc="upper right")
        autoscale(self.ax, self.ax_diff)

    def williamson_hall(self, r: Any, k: float) -> None:
        """WH points ±1σ (from the fitted FWHM errors), the line, limits from 0.

        ``r``: a ``LineProfileAnalysis`` (sample FWHM, errors and the WH fit); ``k``: the
        Scherrer constant of the fit.
        """
        th = np.deg2rad(np.asarray(r.two_theta_deg)) / 2.0
        x = np.sin(th)
        y = np.deg2rad(np.asarray(r.sample_fwhm_deg)) * np.cos(th)
        err = np.deg2rad(np.asarray(r.fwhm_err_deg)) * np.cos(th)
        ok = np.isfinite(y)
        if not np.any(ok):
            return
        self.ax_wh.errorbar(x[ok], y[ok], np.where(np.isfinite(err), err, 0.0)[ok], fmt="o",
                            ms=4, capsize=2, label="peaks (sample FWHM)")  # fmt: skip
        s = np.linspace(0.0, x[ok].max() * 1.05, 50)
        if r.wh_size_A is not None and np.isfinite(r.wh_size_A):
            line = k * r.wavelength_A / r.wh_size_A + 4 * r.wh_strain * s
            self.ax_wh.plot(s, line, "-", lw=1, label="fit")
            self.ax_wh.set_title(
                f"Williamson–Hall: D = {r.wh_size_A:.0f} ± {r.wh_size_err_A:.0f} Å\n"
                f"ε = {r.wh_strain:.2e} ± {r.wh_strain_err:.1e}, R² = {r.wh_r_squared:.2f}",
                fontsize=8,
            )
        top = np.nanmax(y[ok] + np.where(np.isfinite(err), err, 0.0)[ok])
        self.ax_wh.set_xlim(0.0, s[-1])
        self.ax_wh.set_ylim(0.0, 1.3 * top if top > 0 else 1.0)
        self.ax_wh.legend(fontsize=7, loc="lower right")


def save_powder_png(
    path: Path, r: Any, k: float, two_theta_deg, counts, fit_curve: tuple | None, title: str
) -> Path:
    """PNG of a ``LineProfileAnalysis``: pattern, refined profile, difference and WH."""
    fig = file_figure(figsize=FIGSIZE)
    view = PowderView(fig)
    view.clear(title)
    view.measured(np.asarray(two_theta_deg), np.asarray(counts))
    if fit_curve is not None:
        view.refined(*fit_curve, "")
    view.williamson_hall(r, k)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    return path


def measured_update(x: list[float], y: list[float]):
    """Figure update: the points measured so far (lists read when drawn)."""

    def update(view) -> None:
        n = min(len(x), len(y))
        view.measured(np.asarray(x[:n]), np.asarray(y[:n]))

    return update


def peaks_update(x: np.ndarray, y: np.ndarray, hkl: list[str], fits: tuple):
    """Figure update: a fitted group's TCH peaks (``PeakFit``) on a straight background
    through the window's ends (counts vs 2θ in deg)."""

    def update(view) -> None:
        peaks = sum(tch_profile(x, f.center_deg, f.gamma_g_deg, f.gamma_l_deg, f.area)
                    for f in fits)  # fmt: skip
        n = max(1, min(5, x.size // 10))
        x0, x1 = x[:n].mean(), x[-n:].mean()
        y0, y1 = (y - peaks)[:n].mean(), (y - peaks)[-n:].mean()
        background = y0 + (y1 - y0) * (x - x0) / (x1 - x0) if x1 > x0 else y0
        view.peaks(x, peaks + background, hkl, [f.center_deg for f in fits])

    return update


def end_update(r: Any, k: float, fit_curve: tuple | None):
    """Figure update at the end of a run: refined profile, difference, Williamson–Hall."""

    def update(view) -> None:
        if fit_curve is not None and r.refinement is not None:
            ref = r.refinement
            view.refined(*fit_curve, f"refinement Rwp = {ref['rwp']:.3f}, χ² = {ref['chi2']:.2f}")
        view.williamson_hall(r, k)

    return update


#: The view class of this figure (for :meth:`FigureBoard.post_view`).
VIEW = PowderView
