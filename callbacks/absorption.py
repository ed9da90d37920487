"""Absorption callback: f'(E), f''(E) of the resonant element from an edge scan, live and replay.

Per event it stores energy, I0 and It (O(1)). With a figure board (``figures``, as in a
session) it adds f' and f'' to the live edge figure at the end of the run; on its own,
``live_plot=True`` draws that figure itself: μ as measured every ``plot_every`` events (no
analysis while the scan runs: each redraw costs O(points)), then normalized μ, E0, f' and
f'' at the end. At the end of the run it
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

from .base import AnalysisCallback
from .edge import measured_mu_update
from .figures import edge as edge_figure
from .figures.board import FigureBoard

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
        figures: FigureBoard | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.offsets_eV = tuple(float(x) for x in offsets_eV)
        self.plot_dir = Path(plot_dir) if plot_dir is not None else None
        self.live_plot = live_plot
        self.plot_every = max(1, int(plot_every))
        self._cols: dict[str, list[float]] = {}
        self._own = figures is None and live_plot
        self.figures = FigureBoard("screen", min_interval_s=0.0) if self._own else figures

    @property
    def _fig(self):
        """The live edge figure (None before it is drawn)."""
        return None if self.figures is None else self.figures.figure(edge_figure.NAME)

    @property
    def _lines(self) -> dict:
        """The live figure's curves by label (μ, normalized μ, f', f'')."""
        v = None if self.figures is None else self.figures.view(edge_figure.NAME)
        if v is None:
            return {}
        return {"μt = ln(I0/It)": v.mu, "normalized μ": v.norm, "f' (e)": v.fp, "f'' (e)": v.fpp}

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
        if self._own:
            title = f"scan {doc.get('scan_id', '')}: {doc['element']} {doc['edge']}"
            self._draw("clear", lambda v: v.clear(title), reset=True)

    def on_event(self, doc: Mapping, stream: str) -> None:
        if stream != "primary":
            return
        self.append_roles(doc, self._cols)
        if self._own and len(self._cols["energy"]) % self.plot_every == 0:
            self._draw("measured", measured_mu_update(self._cols))

    def _draw(self, key: str, update, *, reset: bool = False) -> None:
        """Queue a live edge-figure update; on its own board, draw it now."""
        if self.figures is None:
            return
        self.figures.post_view(edge_figure, key, update, reset=reset)
        if self._own:
            self.figures.pump(force=True)

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
        if self._own:
            self._draw("normalized", lambda v: v.normalized(normalize_xas(energy, mu)))
        self._draw(
            "factors", lambda v: v.factors(res.energy_eV, res.fp, res.fpp, res.fp_tab, res.fpp_tab)
        )
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

    def save_plot(self, path: Path, r: AbsorptionResult, res: AnomalousFactors) -> Path:
        """PNG with μ(E), normalized μ, f'(E) and f''(E) (measured and Chantler)."""
        edge_figure.save_absorption_png(path, r, res)
        self.say(f"absorption: plot saved to {path}")
        return path
