"""Edge callback: μ(E) of an edge scan → E0 and edge step (Larch ``pre_edge`` conventions).

Per event it stores energy, I0, It, Iref and the fluorescence window (O(1)); at the end it
forms μ_t = ln(I0/It), μ_ref = ln(It/Iref), μ_f = F/I0 and calls
:func:`axsuite.analysis.absorption.normalize_xas` on the sample and the reference.
With a figure board, the live edge figure shows μ_t as measured (the board throttles the
redraws; each one costs O(points), no analysis) and at the end the normalization and E0.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from axsuite.analysis.absorption import normalize_xas

from .base import AnalysisCallback
from .figures import edge as edge_figure
from .figures.board import FigureBoard


@dataclasses.dataclass(frozen=True)
class EdgeResult:
    """E0 (eV) and edge step of the sample (transmission) and of the reference foil."""

    element: str
    edge: str
    e0_eV: float
    edge_step: float
    e0_ref_eV: float | None
    edge_step_ref: float | None
    tabulated_e0_eV: float
    n_points: int


def mu_from_counts(i0: np.ndarray, it: np.ndarray) -> np.ndarray:
    """Absorbance ln(I0/It) (dimensionless, μt up to a constant); NaN where a count is ≤ 0."""
    i0 = np.asarray(i0, dtype=float)
    it = np.asarray(it, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((i0 > 0) & (it > 0), np.log(i0 / it), np.nan)


class EdgeCallback(AnalysisCallback):
    """E0 and edge step of every edge scan, live and on replay; publishes ``edge`` + ``xas``.

    ``plot_dir``: where PNGs go (None: none); ``figures``: live figure board (None: none).
    """

    analysis_name = "edge"

    def __init__(
        self,
        *,
        plot_dir: str | Path | None = None,
        figures: FigureBoard | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.plot_dir = Path(plot_dir) if plot_dir is not None else None
        self.figures = figures
        self._cols: dict[str, list[float]] = {}

    def accepts(self, start: Mapping) -> bool:
        fields = start.get("fields", {})
        return "edge_energy_eV" in start and all(r in fields for r in ("energy", "i0", "it"))

    def on_start(self, doc: Mapping) -> None:
        self._cols = {role: [] for role in ("energy", "i0", "it", "iref", "fluorescence")}
        title = f"scan {doc.get('scan_id', '')}: {doc.get('element', '')} {doc.get('edge', '')}"
        self._draw("clear", lambda v: v.clear(title), reset=True)

    def on_event(self, doc: Mapping, stream: str) -> None:
        if stream != "primary":
            return
        self.append_roles(doc, self._cols)
        if self.figures is not None:
            self._draw("measured", measured_mu_update(self._cols))

    def _draw(self, key: str, update, *, reset: bool = False) -> None:
        """Queue an update of the live figure (no-op without a figure board)."""
        if self.figures is not None:
            self.figures.post_view(edge_figure, key, update, reset=reset)

    def arrays(self) -> dict[str, np.ndarray]:
        """The buffered columns of the current run as arrays."""
        return {k: np.asarray(v, dtype=float) for k, v in self._cols.items()}

    def on_stop(self, doc: Mapping) -> EdgeResult | None:
        start = self.raw_start
        a = self.arrays()
        energy = a["energy"]
        mu_t = mu_from_counts(a["i0"], a["it"])
        mu_ref = mu_from_counts(a["it"], a["iref"])
        try:
            norm = normalize_xas(energy, mu_t)
        except ValueError as exc:
            self.say(f"edge: run {start['uid'][:8]}: no E0 ({exc})")
            return None
        try:
            ref = normalize_xas(energy, mu_ref)
            e0_ref, step_ref = float(ref.e0_eV), float(ref.edge_step)
        except ValueError:
            e0_ref = step_ref = None
        result = EdgeResult(
            element=start["element"],
            edge=start["edge"],
            e0_eV=float(norm.e0_eV),
            edge_step=float(norm.edge_step),
            e0_ref_eV=e0_ref,
            edge_step_ref=step_ref,
            tabulated_e0_eV=float(start["edge_energy_eV"]),
            n_points=int(len(energy)),
        )
        ref_txt = "" if e0_ref is None else f", reference E0 = {e0_ref:.2f} eV"
        self.say(
            f"edge: {result.element} {result.edge}  E0 = {result.e0_eV:.2f} eV "
            f"(tabulated {result.tabulated_e0_eV:.1f} eV), "
            f"edge step = {result.edge_step:.4f}{ref_txt}"
            + ("" if self.complete else "  [incomplete run]")
        )
        self.publish(
            [start["uid"]],
            {
                "edge": [
                    dataclasses.asdict(result)
                    | {"e0_ref_eV": e0_ref or np.nan, "edge_step_ref": step_ref or np.nan}
                ],
                "xas": [
                    {
                        "energy": energy,
                        "mu_trans": mu_t,
                        "mu_ref": mu_ref,
                        "mu_fluor": a["fluorescence"] / a["i0"],
                    }
                ],
            },
            units={"e0_eV": "eV", "e0_ref_eV": "eV", "tabulated_e0_eV": "eV", "energy": "eV"},
        )
        self._draw("measured", lambda v: v.measured(energy, mu_t))
        self._draw("normalized", lambda v: v.normalized(norm))
        if self.plot_dir is not None:
            self.save_plot(
                self.plot_dir / f"edge_{result.element}_{start['uid'][:8]}.png", energy, mu_t, norm
            )
        return result

    def save_plot(self, path: Path, energy: np.ndarray, mu: np.ndarray, norm) -> Path:
        """PNG of μ(E) with pre/post-edge lines and the normalized spectrum."""
        edge_figure.save_edge_png(path, energy, mu, norm)
        self.say(f"edge: plot saved to {path}")
        return path


def measured_mu_update(cols: Mapping[str, list[float]]):
    """An update drawing μ_t = ln(I0/It) of the points in ``cols`` (lists that the run
    keeps appending to; read when the figure is drawn, in the drawing thread)."""

    def update(view) -> None:
        n = min(len(cols["energy"]), len(cols["i0"]), len(cols["it"]))
        e = np.asarray(cols["energy"][:n], dtype=float)
        view.measured(e, mu_from_counts(cols["i0"][:n], cols["it"][:n]))

    return update
