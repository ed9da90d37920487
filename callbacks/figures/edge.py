"""Figures of edge scans: μ(E) as measured, normalized μ with E0, f′ and f″ (eV, electrons).

:class:`EdgeView` is the live figure (re-used from run to run) and the absorption PNG;
:func:`save_edge_png` the edge callback's μ(E) + normalization PNG.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from .common import autoscale, file_figure

NAME = "edge"
FIGSIZE = (10.0, 7.0)
MU_LABEL = "μt = ln(I0/It)"


class EdgeView:
    """2×2 axes: μt(E) with pre/post-edge lines, normalized μ, f′(E), f″(E); E0 marked."""

    def __init__(self, fig: Any):
        self.fig = fig
        axes = fig.subplots(2, 2, sharex=True)
        self.ax_mu, self.ax_norm = axes[0]
        self.ax_fp, self.ax_fpp = axes[1]
        (self.mu,) = self.ax_mu.plot([], [], ".", ms=3, label="measured")
        (self.pre,) = self.ax_mu.plot([], [], "--", lw=0.8, label="pre-edge line")
        (self.post,) = self.ax_mu.plot([], [], "--", lw=0.8, label="post-edge curve")
        (self.norm,) = self.ax_norm.plot([], [], "-", lw=1, label="normalized")
        (self.flat,) = self.ax_norm.plot([], [], "-", lw=0.8, label="flattened")
        (self.fp,) = self.ax_fp.plot([], [], "-", lw=1, label="measured (diff. KK)")
        (self.fp_tab,) = self.ax_fp.plot([], [], "--", lw=0.8, label="Chantler")
        (self.fpp,) = self.ax_fpp.plot([], [], "-", lw=1, label="measured (MBACK)")
        (self.fpp_tab,) = self.ax_fpp.plot([], [], "--", lw=0.8, label="Chantler")
        self.e0_lines = [ax.axvline(np.nan, color="k", lw=0.6) for ax in axes.ravel()]
        self.ax_mu.set_ylabel(MU_LABEL)
        self.ax_norm.set_ylabel("normalized μ")
        self.ax_fp.set_ylabel("f′ (e)")
        self.ax_fpp.set_ylabel("f″ (e)")
        for ax in (self.ax_fp, self.ax_fpp):
            ax.set_xlabel("photon energy (eV)")

    def clear(self, title: str) -> None:
        """A new run: empty every curve, title the figure."""
        for line in (self.mu, self.pre, self.post, self.norm, self.flat, self.fp, self.fp_tab,
                     self.fpp, self.fpp_tab):  # fmt: skip
            line.set_data([], [])
        for line in self.e0_lines:
            line.set_xdata([np.nan, np.nan])
        self.fig.suptitle(title)

    def measured(self, energy_eV: np.ndarray, mu: np.ndarray) -> None:
        """The points measured so far."""
        self.mu.set_data(energy_eV, mu)
        autoscale(self.ax_mu)

    def normalized(self, norm: Any) -> None:
        """Pre-/post-edge lines, normalized and flattened μ, E0 (an ``XASNormalization``)."""
        e = norm.energy_eV
        self.pre.set_data(e, norm.pre_edge)
        self.post.set_data(e, norm.post_edge)
        self.norm.set_data(e, norm.norm)
        self.flat.set_data(e, norm.flat)
        self.mark_e0(float(norm.e0_eV))
        self.ax_mu.legend(fontsize=7, loc="best")
        self.ax_norm.legend(fontsize=7, loc="best")
        autoscale(self.ax_mu, self.ax_norm)

    def factors(self, energy_eV, fp, fpp, fp_tab, fpp_tab) -> None:
        """Measured and tabulated f′, f″ (electrons) on ``energy_eV``."""
        self.fp.set_data(energy_eV, fp)
        self.fp_tab.set_data(energy_eV, fp_tab)
        self.fpp.set_data(energy_eV, fpp)
        self.fpp_tab.set_data(energy_eV, fpp_tab)
        self.ax_fp.legend(fontsize=7, loc="best")
        self.ax_fpp.legend(fontsize=7, loc="best")
        autoscale(self.ax_fp, self.ax_fpp)

    def mark_e0(self, e0_eV: float) -> None:
        """Vertical line at E0 (eV) on every panel."""
        for line in self.e0_lines:
            line.set_xdata([e0_eV, e0_eV])
        self.ax_norm.set_title(f"E0 = {e0_eV:.2f} eV", fontsize=9)


def save_absorption_png(path: Path, r: Any, res: Any) -> Path:
    """PNG of μ(E), normalized μ, f′(E), f″(E) (measured and Chantler), E0 marked.

    ``r``: an ``AbsorptionResult``; ``res``: the ``AnomalousFactors`` it came from.
    """
    fig = file_figure(figsize=FIGSIZE)
    view = EdgeView(fig)
    view.clear(f"{r.element} {r.edge}: E0 = {r.e0_eV:.2f} eV")
    view.measured(r.energy_eV, r.mu)
    view.norm.set_data(r.energy_eV, r.norm)
    view.mark_e0(r.e0_eV)
    view.factors(r.energy_eV, r.fp, r.fpp, res.fp_tab, res.fpp_tab)
    autoscale(view.ax_norm)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    return path


def save_edge_png(path: Path, energy: np.ndarray, mu: np.ndarray, norm: Any) -> Path:
    """PNG of μ(E) with pre/post-edge lines and E0, and the normalized spectrum."""
    fig = file_figure(figsize=(7, 6))
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    ax1.plot(energy, mu, ".", ms=3, label=MU_LABEL)
    ax1.plot(norm.energy_eV, norm.pre_edge, "--", label="pre-edge line")
    ax1.plot(norm.energy_eV, norm.post_edge, "--", label="post-edge curve")
    ax1.axvline(norm.e0_eV, color="k", lw=0.8, label=f"E0 = {norm.e0_eV:.2f} eV")
    ax1.set_ylabel("μt")
    ax1.legend(fontsize=8)
    ax2.plot(norm.energy_eV, norm.norm, label="normalized")
    ax2.plot(norm.energy_eV, norm.flat, label="flattened")
    ax2.set_xlabel("photon energy (eV)")
    ax2.set_ylabel("normalized μ")
    ax2.legend(fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    return path


#: The view class of this figure (for :meth:`FigureBoard.post_view`).
VIEW = EdgeView
