"""AXS callback: routes and buffers ``axs_scan`` events; the physics is in analysis/.

Live and on replay (one instance sees runs one after another):

* per event (O(1)): store 2θ, elastic/fluorescence window counts, dead time, I0, windows;
* when an energy's Q grid is complete: the correction chain
  (:func:`axsuite.analysis.axs_chain.corrected_energy`) → I(Q) in electron units per atom;
* when the energy nearest the edge and another one are complete: ΔS_A(Q) and the
  environmental RDF (:func:`axsuite.analysis.axs_assembly.differential_between`);
* at the end of a run, when the runs seen so far on the same plate and Q grid hold at
  least n_pairs energies: partials S_ab(Q), g_ab(r), coordination numbers
  (:func:`axsuite.analysis.axs_assembly.assemble_partials`).
Each step is published as an analysis run and drawn on the live AXS figure, if any.

μ(E) and anomalous factors: if an edge scan of the resonant element, taken with the same
mono calibration offset (same energy scale), was fed to this instance earlier, it gives
the resonant element's f' (differential KK), f'' (MBACK) and photo-absorption inside the
scanned range (:func:`axsuite.analysis.axs_chain.factors_and_mu`); otherwise, and for the
other elements, tables. Every result records which source it used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from axsuite.analysis.absorption import anomalous_factors_from_mu
from axsuite.analysis.axs_assembly import (
    R_GRID_A,
    Differential,
    EnergyIntensity,
    Partials,
    assemble_partials,
    differential_between,
    same_plate_energies,
)
from axsuite.analysis.axs_chain import corrected_energy, factors_and_mu

from .base import AnalysisCallback
from .edge import mu_from_counts
from .figures import axs as axs_figure
from .figures.board import FigureBoard

__all__ = ["R_GRID_A", "AXSCallback", "AXSResult", "Differential", "EnergyIntensity", "Partials"]


@dataclasses.dataclass(frozen=True)
class AXSResult:
    """Everything one AXS run produced (and the partials available at its end)."""

    element: str
    edge: str
    sample: str
    energies_eV: tuple[float, ...]
    intensities: tuple[EnergyIntensity, ...]
    differentials: tuple[Differential, ...]
    partials: Partials | None


def _mono_offset(start: Mapping) -> float:
    """The run's DCM calibration offset (deg): edge and AXS runs share an energy scale only
    when it is the same."""
    return float(start.get("calibrations", {}).get("mono", {}).get("offset_deg", 0.0))


class AXSCallback(AnalysisCallback):
    """Anomalous-scattering analysis of ``axs_scan`` runs (see module doc).

    Parameters
    ----------
    method : electron-unit normalization, ``"krogh-moe"`` or ``"high-q"``
    leakage_correction : subtract the RRS/fluorescence leakage into the elastic window
    regularization : Tikhonov λ for the partials (0: plain weighted least squares)
    use_edge_runs : take μ(E) of the resonant element from an earlier edge scan
    factors_from_edge : take its f', f'' from that edge scan too (default: Chantler)
    plot_dir : directory for PNG plots (None: no plots)
    figures : live figure board (None: no live figure)
    """

    analysis_name = "axs"

    def __init__(
        self,
        *,
        method: str = "krogh-moe",
        leakage_correction: bool = True,
        regularization: float = 0.0,
        use_edge_runs: bool = True,
        factors_from_edge: bool = True,
        plot_dir: str | Path | None = None,
        figures: FigureBoard | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.figures = figures
        if method not in ("krogh-moe", "high-q"):
            raise ValueError(f"unknown normalization method {method!r}")
        if regularization < 0:
            raise ValueError("regularization must be ≥ 0")
        self.method = method
        self.leakage_correction = bool(leakage_correction)
        self.regularization = float(regularization)
        self.use_edge_runs = bool(use_edge_runs)
        self.factors_from_edge = bool(factors_from_edge)
        self.plot_dir = Path(plot_dir) if plot_dir is not None else None
        self.edges: dict[tuple[str, float], tuple[str, np.ndarray, np.ndarray]] = {}
        self.library: dict[tuple[str, float], tuple[Mapping, EnergyIntensity]] = {}
        self._mode = ""
        self._cols: dict[str, list[float]] = {}
        self._block: dict[str, list[float]] = {}
        self._done: list[EnergyIntensity] = []
        self._diffs: list[Differential] = []

    # ------------------------------------------------------------------ routing
    def accepts(self, start: Mapping) -> bool:
        fields = start.get("fields", {})
        if start.get("plan_name") == "axs_scan":
            return "q_grid" in start and "energies_eV" in start
        return (
            self.use_edge_runs
            and "edge_energy_eV" in start
            and "element" in start
            and all(r in fields for r in ("energy", "i0", "it"))
        )

    def parameters(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "leakage_correction": self.leakage_correction,
            "regularization": self.regularization,
            "use_edge_runs": self.use_edge_runs,
            "factors_from_edge": self.factors_from_edge,
            "lorch": True,
            "r_grid_A": [float(R_GRID_A[0]), float(R_GRID_A[-1]), 0.02],
        }

    def on_start(self, doc: Mapping) -> None:
        self._mode = "axs" if doc.get("plan_name") == "axs_scan" else "edge"
        if self._mode == "edge":
            self._cols = {"energy": [], "i0": [], "it": []}
            return
        roles = ("energy", "two_theta", "i0", "elastic", "fluorescence", "dead_time",
                 "elastic_low", "elastic_high", "fluor_low", "fluor_high")  # fmt: skip
        self._roles = {k: self.field(k) for k in roles}
        title = f"scan {doc.get('scan_id', '')}: AXS {doc['element']} {doc.get('sample', '')}"
        self._draw("clear", lambda v: v.clear(title), reset=True)
        self._n_q = len(doc["q_grid"])
        self._block = {k: [] for k in self._roles}
        self._done = []
        self._diffs = []

    def on_event(self, doc: Mapping, stream: str) -> None:
        if stream != "primary":
            return
        data = doc["data"]
        if self._mode == "edge":
            for role, values in self._cols.items():
                values.append(float(data[self.field(role)]))
            return
        energy = float(data[self._roles["energy"]])
        current = self._block["energy"]
        if current and abs(energy - current[0]) > 1e-6 * energy:
            self.say(
                f"axs: energy {current[0]:.1f} eV left after {len(current)} of "
                f"{self._n_q} points; not analysed"
            )
            self._block = {k: [] for k in self._roles}
        for role, name in self._roles.items():
            self._block[role].append(float(data[name]))
        if len(self._block["energy"]) == self._n_q:
            block = {k: np.asarray(v) for k, v in self._block.items()}
            self._block = {k: [] for k in self._roles}
            self._finish_energy(block)

    def on_stop(self, doc: Mapping) -> AXSResult | None:
        start = self.raw_start
        if self._mode == "edge":
            a = {k: np.asarray(v) for k, v in self._cols.items()}
            if a["energy"].size:
                mu = mu_from_counts(a["i0"], a["it"])
                key = (start["element"], _mono_offset(start))
                self.edges[key] = (start["uid"], a["energy"], mu)
            return None
        left = len(self._block["energy"])
        if left:
            self.say(f"axs: last energy has {left} of {self._n_q} points; not analysed")
        partials = self._partials(start)
        result = AXSResult(
            element=start["element"],
            edge=start["edge"],
            sample=start.get("sample", ""),
            energies_eV=tuple(float(e) for e in start["energies_eV"]),
            intensities=tuple(self._done),
            differentials=tuple(self._diffs),
            partials=partials,
        )
        self._publish_run(start, result)
        if self.plot_dir is not None and self._done:
            self.save_plot(self.plot_dir / f"axs_{result.element}_{start['uid'][:8]}.png", result)
        return result

    # ------------------------------------------------------------------ physics
    def _measured_edge(self, start: Mapping, at_eV: np.ndarray):
        """Anomalous factors of the resonant element from the last edge scan seen with the
        same mono calibration (same energy scale) as the AXS run, or None."""
        element = start["element"]
        key = (element, _mono_offset(start))
        if not self.use_edge_runs or key not in self.edges:
            return None, ""
        uid, energy, mu = self.edges[key]
        ok = np.isfinite(mu)
        order = np.argsort(energy[ok])
        e, m = energy[ok][order], mu[ok][order]
        keep = np.concatenate([[True], np.diff(e) > 0])
        try:
            af = anomalous_factors_from_mu(e[keep], m[keep], element, at_eV=at_eV)
        except ValueError as exc:
            self.say(f"axs: edge run {uid[:8]} of {element} unusable ({exc}); using tables")
            return None, ""
        return af, f"edge run {uid[:8]} (MBACK f'', differential KK f')"

    def _finish_energy(self, b: dict[str, np.ndarray]) -> None:
        start = self.raw_start
        energy = float(b["energy"][0])
        af, source = self._measured_edge(start, np.array([energy]))
        factors, fsrc, mu_cm, mu_src = factors_and_mu(
            start, energy, af, source, factors_from_edge=self.factors_from_edge
        )
        ei, ci = corrected_energy(
            start, b, factors, fsrc, mu_cm, mu_src,
            method=self.method, leakage_correction=self.leakage_correction,
        )  # fmt: skip
        self._done.append(ei)
        self.library[(start["uid"], energy)] = (start, ei)
        f_txt = ", ".join(
            f"{el}: f' = {f.real:+.3f}, f'' = {f.imag:.3f}" for el, f in factors.items()
        )
        self.say(
            f"axs: {start['element']} {energy:.1f} eV done ({self._n_q} Q points): "
            f"α = {ci.normalization_factor:.4g} e.u./count, leakage ≤ "
            f"{100 * ei.leakage_fraction_max:.1f} %, μ = {ei.mu_cm:.1f} cm⁻¹; {f_txt}"
        )
        if fsrc[start["element"]].startswith("Chantler"):
            self.say(
                f"axs: no {start['element']} edge run with this mono calibration seen: f', f'' "
                "and μ from tables (replay the edge scan with this run to use the measured edge)"
            )
        self.publish(
            [start["uid"]],
            {"intensity": [self._intensity_row(ei)]},
            units=_UNITS,
            extra_md={"checkpoint": "energy", "energy_eV": energy},
        )
        self._draw(f"I {energy}", lambda v: v.intensity(ei))
        self._pair_up(start)

    def _pair_up(self, start: Mapping) -> None:
        """ΔS_A between the planned energy nearest the edge and every other finished one."""
        near = max(float(e) for e in start["energies_eV"])
        by_e = {ei.energy_eV: ei for ei in self._done}
        e_near = next((e for e in by_e if abs(e - near) < 1e-6 * near), None)
        if e_near is None:
            return
        have = {d.energies_eV for d in self._diffs}
        for e2, ei2 in by_e.items():
            if e2 == e_near or (e_near, e2) in have:
                continue
            d = differential_between(
                by_e[e_near], ei2, start["composition"], float(start["density_atoms_A3"])
            )
            self._diffs.append(d)
            m = (d.q >= 1.5) & (d.q <= d.q[-1] - 0.5)
            peak = d.q[m][int(np.argmax(d.ds[m]))] if np.any(m) else float("nan")
            self.say(
                f"axs: ΔS_{d.element} ({d.energies_eV[0]:.1f} − {d.energies_eV[1]:.1f} eV): "
                f"first peak at Q = {peak:.2f} Å⁻¹, median σ = {np.median(d.sigma):.3f}"
            )
            self.publish(
                [start["uid"]],
                {"differential": [self._differential_row(d)]},
                units=_UNITS,
                extra_md={"checkpoint": "differential"},
            )
            self._draw(f"dS {d.energies_eV}", lambda v, d=d: v.differential(d))

    def _partials(self, start: Mapping) -> Partials | None:
        """Partials from every finished energy on the same plate, composition and Q grid."""
        measured = [v for _, v in sorted(self.library.items(), key=lambda kv: kv[0][1])]
        entries = same_plate_energies(measured, start)
        result = assemble_partials(
            entries,
            np.asarray(start["q_grid"], dtype=float),
            start["composition"],
            float(start["density_atoms_A3"]),
            regularization=self.regularization,
        )
        if result is None:
            return None
        n_txt = ", ".join(f"N_{k} = {v:.2f}" for k, v in result.coordination.items())
        self.say(
            f"axs: partials from {len(entries)} energies of {len(result.run_uids)} run(s), "
            f"condition number {result.condition_number:.0f}; {n_txt}"
        )
        self._draw("partials", lambda v: v.partials(result))
        return result

    def _draw(self, key: str, update, *, reset: bool = False) -> None:
        """Queue an update of the live AXS figure (no-op without a figure board)."""
        if self.figures is not None:
            self.figures.post_view(axs_figure, key, update, reset=reset)

    # ------------------------------------------------------------------ output
    @staticmethod
    def _intensity_row(ei: EnergyIntensity) -> dict[str, Any]:
        return {
            "energy_eV": ei.energy_eV,
            "q": ei.q,
            "intensity": ei.intensity,
            "sigma": ei.sigma,
            "normalization_factor": ei.normalization_factor,
            "leakage_fraction_max": ei.leakage_fraction_max,
            "mu_cm": ei.mu_cm,
            "mu_source": ei.mu_source,
            **{f"fp_{el}": v[0] for el, v in ei.factors.items()},
            **{f"fpp_{el}": v[1] for el, v in ei.factors.items()},
            **{f"factor_source_{el}": s for el, s in ei.factor_source.items()},
        }

    @staticmethod
    def _differential_row(d: Differential) -> dict[str, Any]:
        return {
            "element": d.element,
            "energy1_eV": d.energies_eV[0],
            "energy2_eV": d.energies_eV[1],
            "q": d.q,
            "ds": d.ds,
            "sigma": d.sigma,
            **{f"weight_{k}": v for k, v in d.weights.items()},
            "r": d.r,
            "environmental_rdf": d.environmental_rdf,
        }

    def _publish_run(self, start: Mapping, result: AXSResult) -> None:
        streams: dict[str, list[dict[str, Any]]] = {
            "intensity": [self._intensity_row(ei) for ei in result.intensities],
            "differential": [self._differential_row(d) for d in result.differentials],
        }
        raw = [start["uid"]]
        p = result.partials
        if p is not None:
            raw = list(dict.fromkeys([*p.run_uids, start["uid"]]))
            streams["partials"] = [
                {
                    "pair": pair,
                    "q": p.q,
                    "s": p.s[k],
                    "sigma": p.sigma[k],
                    "r": p.r,
                    "g": p.g[k],
                    "condition_number": p.condition_number,
                    "chi2_reduced_median": p.chi2_reduced_median,
                }
                for k, pair in enumerate(p.pairs)
            ]
            streams["coordination"] = [
                {"pair": k, "n": v, "r_max_A": p.r_max_A[k]} for k, v in p.coordination.items()
            ]
        self.publish(raw, streams, units=_UNITS, extra_md={"checkpoint": "run"})

    def save_plot(self, path: Path, result: AXSResult) -> Path:
        """PNG: I(Q) per energy, ΔS_A(Q), partials S_ab(Q) and g_ab(r) when available."""
        axs_figure.save_axs_png(path, result)
        self.say(f"axs: plot saved to {path}")
        return path


_UNITS = {
    "energy_eV": "eV",
    "energy1_eV": "eV",
    "energy2_eV": "eV",
    "q": "1/angstrom",
    "intensity": "electron units per atom",
    "sigma": "same as the value",
    "mu_cm": "1/cm",
    "r": "angstrom",
    "environmental_rdf": "atoms/angstrom",
    "r_max_A": "angstrom",
}
