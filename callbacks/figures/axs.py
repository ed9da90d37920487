"""Figure of AXS scans: I(Q) per energy, ΔS_A(Q), partials S_ab(Q) with error bands, g_ab(r).

:class:`AXSView` is the live figure (an energy's I(Q) appears when it completes, ΔS_A when
a pair is complete, partials and g_ab(r) at the end) and the PNG of a run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .common import autoscale, file_figure

NAME = "axs"
FIGSIZE = (10.0, 7.0)


def _band(ax: Any, x, y, sigma, label: str) -> None:
    (line,) = ax.plot(x, y, lw=1, label=label)
    ax.fill_between(x, y - sigma, y + sigma, color=line.get_color(), alpha=0.25, lw=0)


class AXSView:
    """2×2 axes: I(Q) per energy, ΔS_A(Q) ± σ, S_ab(Q) ± σ, g_ab(r)."""

    def __init__(self, fig: Any):
        self.fig = fig
        axes = fig.subplots(2, 2)
        self.ax_i, self.ax_ds = axes[0]
        self.ax_s, self.ax_g = axes[1]
        self._label()

    def _label(self) -> None:
        self.ax_i.set(xlabel="Q (Å⁻¹)", ylabel="I (e.u./atom)", title="corrected intensity")
        self.ax_ds.set(
            xlabel="Q (Å⁻¹)", ylabel="ΔS_A(Q) (e.u./atom)", title="differential structure factor"
        )
        self.ax_s.set(xlabel="Q (Å⁻¹)", ylabel="S_ab(Q)", title="partial structure factors")
        self.ax_g.set(xlabel="r (Å)", ylabel="g_ab(r)", title="pair distributions")

    def clear(self, title: str) -> None:
        """A new AXS run: empty I(Q) and ΔS panels (partials stay until new ones come)."""
        for ax in (self.ax_i, self.ax_ds):
            ax.clear()
        self._label()
        self.fig.suptitle(title)

    def intensity(self, ei: Any) -> None:
        """Add one energy's I(Q) (an ``EnergyIntensity``)."""
        self.ax_i.plot(ei.q, ei.intensity, lw=1, label=f"{ei.element} {ei.energy_eV:.1f} eV")
        self.ax_i.legend(fontsize=7)
        autoscale(self.ax_i)

    def differential(self, d: Any) -> None:
        """Add ΔS_A(Q) with its ±1σ band (a ``Differential``)."""
        e1, e2 = d.energies_eV
        _band(self.ax_ds, d.q, d.ds, d.sigma, f"ΔS_{d.element} ({e1:.0f} − {e2:.0f} eV)")
        self.ax_ds.legend(fontsize=7)
        autoscale(self.ax_ds)

    def partials(self, p: Any) -> None:
        """Partials S_ab(Q) ± σ and g_ab(r) (a ``Partials``)."""
        for ax in (self.ax_s, self.ax_g):
            ax.clear()
        self._label()
        for k, pair in enumerate(p.pairs):
            _band(self.ax_s, p.q, p.s[k], p.sigma[k], pair)
            self.ax_g.plot(p.r, p.g[k], lw=1, label=pair)
        self.ax_s.legend(fontsize=7)
        self.ax_g.legend(fontsize=7)
        n_txt = ", ".join(f"N_{k} = {v:.2f}" for k, v in p.coordination.items())
        self.ax_g.set_title(f"pair distributions\n{n_txt}", fontsize=8)


def save_axs_png(path: Path, result: Any) -> Path:
    """PNG of an ``AXSResult``: I(Q) per energy, ΔS_A(Q), S_ab(Q) and g_ab(r) if available."""
    fig = file_figure(figsize=FIGSIZE)
    view = AXSView(fig)
    view.clear(f"AXS {result.element} {result.edge} {result.sample}")
    for ei in result.intensities:
        view.intensity(ei)
    for d in result.differentials:
        view.differential(d)
    if result.partials is not None:
        view.partials(result.partials)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    return path


#: The view class of this figure (for :meth:`FigureBoard.post_view`).
VIEW = AXSView
