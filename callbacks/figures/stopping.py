"""Figure of stopping scans: S(E) points ±1σ against the model curves, and the residuals.

:class:`StoppingView` is the live figure (points as each energy's foil-in/foil-out pair
completes, fits at the end) and the PNG of a run. Energies in MeV (log axis with plain
labels), S in MeV cm²/g.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from axsuite.analysis import stopping as st

from .common import autoscale, file_figure

NAME = "stopping"
FIGSIZE = (7.5, 6.5)


def _log_energy_axis(ax: Any) -> None:
    """Log x axis with plain-number labels at 1, 2, 5 × 10ⁿ only (no overlapping minor labels)."""
    from matplotlib.ticker import LogLocator, NullFormatter, ScalarFormatter

    ax.set_xscale("log")
    ax.xaxis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
    fmt = ScalarFormatter()
    fmt.set_scientific(False)
    ax.xaxis.set_major_formatter(fmt)
    ax.xaxis.set_minor_formatter(NullFormatter())


class StoppingView:
    """S(E) with models (top, log E) and measured/model − 1 in % (bottom)."""

    def __init__(self, fig: Any):
        self.fig = fig
        self.ax, self.ax_res = fig.subplots(
            2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 1]}
        )
        self.clear("")

    def clear(self, title: str, ion: str = "ion") -> None:
        """A new run: empty panels, axes labelled."""
        for ax in (self.ax, self.ax_res):
            ax.clear()
        _log_energy_axis(self.ax)
        self.ax.set_ylabel("S (MeV cm²/g)")
        self.ax_res.set(xlabel=f"{ion} energy (MeV)", ylabel="meas/model − 1 (%)")
        self.ax_res.axhline(0.0, color="k", lw=0.8)
        self.ax.set_title(title)
        self._points = None

    def points(self, energy_MeV, s, sigma, model) -> None:
        """Measured S ± σ and the residuals against the tabulated model at the same energies."""
        for art in self._points or ():
            art.remove()
        e = np.asarray(energy_MeV)
        p1 = self.ax.errorbar(e, s, sigma, fmt="o", ms=4, color="C0", label="measured")
        p2 = self.ax_res.errorbar(e, 100 * (s / model - 1.0), 100 * sigma / model, fmt="o",
                                  ms=3, color="C0")  # fmt: skip
        self._points = (p1, p2)
        autoscale(self.ax, self.ax_res)

    def models(self, r: Any) -> None:
        """Model curves of a ``StoppingResult``: tabulated I, fitted I, 5-parameter fit."""
        grid = np.geomspace(r.energy_MeV_u.min() * 0.8, r.energy_MeV_u.max() * 1.2, 200)
        e = grid * r.a1
        self.ax.plot(e, st.electronic_stopping(r.z1, r.a1, r.target, grid), color="C1",
                     label="model (tabulated I)")  # fmt: skip
        if r.i_fit_eV is not None:
            s_fit = st.electronic_stopping(r.z1, r.a1, r.target, grid, i_eV=r.i_fit_eV)
            self.ax.plot(e, s_fit, "--", color="C2", label=f"model, I = {r.i_fit_eV:.1f} eV")
        if r.five_parameter is not None:
            s5 = st.ev_1e15_to_mev_cm2_g(
                st.five_parameter_stopping(e * 1e3, *r.five_parameter), r.target
            )
            self.ax.plot(e, s5, ":", color="C3", label="5-parameter fit")
        self.ax.legend(fontsize=8)
        autoscale(self.ax)


def save_stopping_png(path: Path, r: Any, title: str) -> Path:
    """PNG of a ``StoppingResult``: S(E) ± σ, model curves, residuals."""
    fig = file_figure(figsize=FIGSIZE)
    view = StoppingView(fig)
    view.clear(title, r.ion)
    view.points(r.energy_MeV, r.stopping_MeV_cm2_g, r.sigma_MeV_cm2_g, r.model_MeV_cm2_g)
    view.models(r)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    return path


#: The view class of this figure (for :meth:`FigureBoard.post_view`).
VIEW = StoppingView
