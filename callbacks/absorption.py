"""Absorption callback: f'(E), f''(E) of the resonant element from an edge scan, live and replay.

Per event it stores energy, I0 and It (O(1)); an optional live plot (``live_plot=True``)
redraws μ, normalized μ, f' and f'' every ``plot_every`` events. At the end of the run it
forms μ = ln(I0/It) and calls :func:`axsuite.analysis.absorption.anomalous_factors_from_mu`
(normalization, E0, MBACK f'', differential-KK f'), prints f', f'' at E0 + ``offsets_eV``
(the measured E0), publishes an analysis run with the streams ``anomalous_factors`` (one
row per scan energy: energy, mu, norm, fp, fpp) and ``anomalous_at_offsets`` (one row per
offset: offset, energy, fp, fpp, E0, edge step; E0 and the step also in the start
document), and saves a PNG of μ, normalized μ, f' and f''.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
from axsuite.analysis.absorption import (
    AnomalousFactors,
    anomalous_factors_from_mu,
    clean_spectrum,
    normalize_xas,
)

from .base import AnalysisCallback, file_figure

#: Energies (eV relative to the measured E0) at which f', f'' are printed and published.
DEFAULT_OFFSETS_EV: tuple[float, ...] = (-300.0, -100.0, -30.0, -10.0)


@dataclasses.dataclass(frozen=True)
class AbsorptionResult:
    """Anomalous factors of one edge scan (energies in eV, f in electrons)."""

    element: str
    edge: str
    e0_eV: float
    e0_tab_eV: float
    edge_step: float
    energy_eV: np.ndarray
    mu: np.ndarray
    norm: np.ndarray
    fp: np.ndarray
    fpp: np.ndarray
    offsets_eV: np.ndarray
    fp_at: np.ndarray
    fpp_at: np.ndarray

    def factors_at(self, energy_eV) -> tuple[np.ndarray, np.ndarray]:
        """(f', f'') in electrons at energies (eV) inside the scan, by linear interpolation.

        For energies outside the scan use
        :func:`axsuite.analysis.absorption.anomalous_factors_from_mu` with ``at_eV``.
        """
        e = np.asarray(energy_eV, dtype=float)
        if np.any(e < self.energy_eV[0]) or np.any(e > self.energy_eV[-1]):
            raise ValueError(
                f"energies {energy_eV} eV outside the scan {self.energy_eV[0]:.1f}…"
                f"{self.energy_eV[-1]:.1f} eV"
            )
        return np.interp(e, self.energy_eV, self.fp), np.interp(e, self.energy_eV, self.fpp)


class AbsorptionCallback(AnalysisCallback):
    """f' and f'' from every edge scan's transmission μ(E) (see the module notes)."""

    analysis_name = "absorption"

    def __init__(
        self,
        *,
        offsets_eV: Sequence[float] = DEFAULT_OFFSETS_EV,
        plot_dir: str | Path | None = None,
        live_plot: bool = False,
        plot_every: int = 25,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.offsets_eV = tuple(float(x) for x in offsets_eV)
        self.plot_dir = Path(plot_dir) if plot_dir is not None else None
        self.live_plot = live_plot
        self.plot_every = max(1, int(plot_every))
        self._cols: dict[str, list[float]] = {}
        self._fig = None

    def parameters(self) -> dict:
        return {"offsets_eV": list(self.offsets_eV), "mu": "ln(I0/It)", "method": "fft"}

    def accepts(self, start: Mapping) -> bool:
        fields = start.get("fields", {})
        return (
            start.get("plan_name") == "edge_scan"
            and "edge_energy_eV" in start
            and "element" in start
            and all(r in fields for r in ("energy", "i0", "it"))
        )

    def on_start(self, doc: Mapping) -> None:
        self._cols = {"energy": [], "i0": [], "it": []}

    def on_event(self, doc: Mapping, stream: str) -> None:
        if stream != "primary":
            return
        self.append_roles(doc, self._cols)
        if self.live_plot and len(self._cols["energy"]) % self.plot_every == 0:
            self._draw_live()

    def _mu(self) -> tuple[np.ndarray, np.ndarray]:
        """μ = ln(I0/It) on sorted, distinct energies (re-measured points averaged)."""
        e = np.asarray(self._cols["energy"], dtype=float)
        i0 = np.asarray(self._cols["i0"], dtype=float)
        it = np.asarray(self._cols["it"], dtype=float)
        good = np.isfinite(e) & (i0 > 0) & (it > 0)
        return clean_spectrum(e[good], np.log(i0[good] / it[good]))

    def on_stop(self, doc: Mapping) -> AbsorptionResult | None:
        start = self.raw_start
        try:
            energy, mu = self._mu()
            e0_guess = normalize_xas(energy, mu).e0_eV
            res = anomalous_factors_from_mu(
                energy,
                mu,
                start["element"],
                edge=start["edge"],
                at_eV=e0_guess + np.asarray(self.offsets_eV),
            )
        except ValueError as exc:
            self.say(f"absorption: run {start['uid'][:8]}: no f', f'' ({exc})")
            return None
        result = AbsorptionResult(
            element=res.element,
            edge=res.edge,
            e0_eV=res.e0_eV,
            e0_tab_eV=res.e0_tab_eV,
            edge_step=res.edge_step,
            energy_eV=res.energy_eV,
            mu=mu,
            norm=res.norm,
            fp=res.fp,
            fpp=res.fpp,
            offsets_eV=np.asarray(self.offsets_eV),
            fp_at=res.fp_at,
            fpp_at=res.fpp_at,
        )
        self._report(result)
        self._publish(start, result)
        if self.plot_dir is not None:
            self.save_plot(
                self.plot_dir / f"absorption_{result.element}_{start['uid'][:8]}.png", result, res
            )
        return result

    def _report(self, r: AbsorptionResult) -> None:
        self.say(
            f"absorption: {r.element} {r.edge}  E0 = {r.e0_eV:.2f} eV, edge step = "
            f"{r.edge_step:.4f}" + ("" if self.complete else "  [incomplete run]")
        )
        for off, fp, fpp in zip(r.offsets_eV, r.fp_at, r.fpp_at, strict=True):
            self.say(f"absorption:   E0{off:+7.1f} eV  f' = {fp:+7.3f} e   f'' = {fpp:6.3f} e")

    def _publish(self, start: Mapping, r: AbsorptionResult) -> None:
        rows = [
            {
                "energy": float(e),
                "mu": float(m),
                "norm": float(n),
                "fp": float(fp),
                "fpp": float(fpp),
            }
            for e, m, n, fp, fpp in zip(r.energy_eV, r.mu, r.norm, r.fp, r.fpp, strict=True)
        ]
        at = [
            {
                "offset_eV": float(off),
                "energy": float(r.e0_eV + off),
                "fp": float(fp),
                "fpp": float(fpp),
                "e0_eV": r.e0_eV,
                "edge_step": r.edge_step,
            }
            for off, fp, fpp in zip(r.offsets_eV, r.fp_at, r.fpp_at, strict=True)
        ]
        self.publish(
            [start["uid"]],
            {"anomalous_factors": rows, "anomalous_at_offsets": at},
            units={
                "energy": "eV",
                "offset_eV": "eV",
                "e0_eV": "eV",
                "fp": "electrons",
                "fpp": "electrons",
            },
            extra_md={
                "element": r.element,
                "edge": r.edge,
                "e0_eV": r.e0_eV,
                "e0_tab_eV": r.e0_tab_eV,
                "edge_step": r.edge_step,
            },
        )

    def _draw_live(self) -> None:
        """Redraw μ, normalized μ, f' and f'' of the data so far (every ``plot_every`` events).

        The factors appear once the scan has passed the edge and the matching regions.
        """
        import matplotlib.pyplot as plt

        try:
            energy, mu = self._mu()
        except ValueError:
            return
        if self._fig is None:
            self._fig, axes = plt.subplots(2, 2, sharex=True, figsize=(10, 7))
            labels = ("μt = ln(I0/It)", "normalized μ", "f' (e)", "f'' (e)")
            self._lines = {}
            for ax, label in zip(axes.ravel(), labels, strict=True):
                ax.set_ylabel(label)
                (self._lines[label],) = ax.plot([], [], ".-", ms=2, lw=0.8)
        start = self.raw_start
        series = {"μt = ln(I0/It)": mu}
        try:
            res = anomalous_factors_from_mu(energy, mu, start["element"], edge=start["edge"])
            series["normalized μ"] = normalize_xas(energy, mu, e0_eV=res.e0_eV).norm
            series["f' (e)"], series["f'' (e)"] = res.fp, res.fpp
        except ValueError:
            pass
        for label, values in series.items():
            line = self._lines[label]
            line.set_data(energy, values)
            line.axes.relim()
            line.axes.autoscale_view()
        self._fig.canvas.draw_idle()
        self._fig.canvas.flush_events()

    def save_plot(self, path: Path, r: AbsorptionResult, res: AnomalousFactors) -> Path:
        """PNG with μ(E), normalized μ, f'(E) and f''(E) (measured and Chantler)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        fig = file_figure(figsize=(10, 7))
        axes = fig.subplots(2, 2, sharex=True)
        (a1, a2), (a3, a4) = axes
        a1.plot(r.energy_eV, r.mu, ".", ms=2)
        a1.set_ylabel("μt = ln(I0/It)")
        a2.plot(r.energy_eV, r.norm)
        a2.set_ylabel("normalized μ")
        a3.plot(r.energy_eV, r.fp, label="measured (diff. KK)")
        a3.plot(r.energy_eV, res.fp_tab, "--", label="Chantler")
        a3.set_ylabel("f' (e)")
        a4.plot(r.energy_eV, r.fpp, label="measured (MBACK)")
        a4.plot(r.energy_eV, res.fpp_tab, "--", label="Chantler")
        a4.set_ylabel("f'' (e)")
        for ax in axes.ravel():
            ax.axvline(r.e0_eV, color="k", lw=0.6)
        for ax in (a3, a4):
            ax.set_xlabel("photon energy (eV)")
            ax.legend(fontsize=8)
        fig.suptitle(f"{r.element} {r.edge}: E0 = {r.e0_eV:.2f} eV")
        fig.tight_layout()
        fig.savefig(path, dpi=100)
        self.say(f"absorption: plot saved to {path}")
        return path
