"""Stopping callback: energy losses of a ``stopping_scan`` → S(E), fitted I, 5-parameter fit.

Per event it stores the source energy, foil state and the transmitted-peak centroid, FWHM
and counts (O(1)). At the end it pairs foil-out/foil-in readings per energy, forms
S = ΔE/(N·t) with errors σ_E = FWHM/(2.3548·√N) per centroid
(:func:`axsuite.analysis.stopping.stopping_from_energy_loss`), fits the mean excitation
energy I from the high-energy points (:func:`~axsuite.analysis.stopping.fit_mean_excitation`),
Ziegler's 5-parameter form to all points, and the effective-charge ratio
γ² = S/(Z1² S_p) at equal velocity; publishes ``stopping`` and ``stopping_fit`` streams.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from axsuite.analysis import stopping as st
from axsuite.analysis.constants import FWHM_PER_SIGMA

from .base import AnalysisCallback
from .figures import stopping as stopping_figure
from .figures.board import FigureBoard

#: Below this energy (MeV/u, under the stopping maximum) data constrain S_low = A1·E^A2;
#: without such points A1 and A2 stay at the Table III values.
_LOW_ENERGY_MEV_U = 0.5


@dataclasses.dataclass(frozen=True)
class StoppingResult:
    """S(E) points (MeV cm²/g at the mean energy in the foil) and fits of one stopping scan."""

    ion: str
    z1: int
    a1: float
    target: str
    energy_MeV: np.ndarray
    energy_MeV_u: np.ndarray
    stopping_MeV_cm2_g: np.ndarray
    sigma_MeV_cm2_g: np.ndarray
    model_MeV_cm2_g: np.ndarray
    gamma2: np.ndarray
    i_fit_eV: float | None
    i_err_eV: float | None
    i_chi2_red: float | None
    i_points: int
    i_tabulated_eV: float
    five_parameter: tuple[float, ...] | None
    five_parameter_chi2_red: float | None
    chi2_red_vs_model: float


class StoppingCallback(AnalysisCallback):
    """Analyses every ``stopping_scan`` live and on replay.

    Parameters
    ----------
    min_fit_energy_MeV_u : lowest energy (MeV/u) used in the fit of I (Bethe regime)
    plot_dir : where to save the S(E) plot (None: no plot)
    figures : live figure board (None: no live figure)
    """

    analysis_name = "stopping"

    def __init__(
        self,
        *,
        min_fit_energy_MeV_u: float = 2.0,
        plot_dir: str | Path | None = None,
        figures: FigureBoard | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.figures = figures
        if not min_fit_energy_MeV_u > 0:
            raise ValueError("min_fit_energy_MeV_u must be positive")
        self.min_fit_energy_MeV_u = float(min_fit_energy_MeV_u)
        self.plot_dir = Path(plot_dir) if plot_dir is not None else None
        self._rows: list[tuple[float, int, float, float, int]] = []

    def parameters(self) -> dict:
        return {"min_fit_energy_MeV_u": self.min_fit_energy_MeV_u}

    def accepts(self, start: Mapping) -> bool:
        fields = start.get("fields", {})
        return (
            "areal_density_1e15_cm2" in start
            and "ion" in start
            and all(r in fields for r in ("energy", "foil_in", "centroid", "fwhm", "counts"))
        )

    def on_start(self, doc: Mapping) -> None:
        self._rows = []
        title = f"scan {doc.get('scan_id', '')}: {doc['ion'].get('symbol', '')} in {doc['target']}"
        self._draw("clear", lambda v: v.clear(title, doc["ion"].get("symbol", "ion")), reset=True)

    def _draw(self, key: str, update, *, reset: bool = False) -> None:
        """Queue an update of the live figure (no-op without a figure board)."""
        if self.figures is not None:
            self.figures.post_view(stopping_figure, key, update, reset=reset)

    def on_event(self, doc: Mapping, stream: str) -> None:
        if stream != "primary":
            return
        d = doc["data"]
        self._rows.append(
            (
                float(d[self.field("energy")]),
                int(d[self.field("foil_in")]),
                float(d[self.field("centroid")]),
                float(d[self.field("fwhm")]),
                int(d[self.field("counts")]),
            )
        )
        if self.figures is not None and self._rows[-1][1]:  # a foil-in reading: maybe a pair
            self._draw("points", _points_update(self._rows, self.raw_start))

    def _pairs(self) -> tuple[np.ndarray, ...]:
        """Per energy (in acquisition order): out/in centroids and their σ (MeV)."""
        return _pairs(self._rows)

    def on_stop(self, doc: Mapping) -> StoppingResult | None:
        start = self.raw_start
        ion = start["ion"]
        z1, a1, target = int(ion["Z1"]), float(ion["A1"]), str(start["target"])
        e_out, e_in, s_out, s_in = self._pairs()
        if e_out.size < 2:
            self.say(f"stopping: run {start['uid'][:8]}: fewer than 2 complete energy points")
            return None
        pts = st.stopping_from_energy_loss(
            e_out,
            e_in,
            s_out,
            s_in,
            areal_density_1e15_cm2=float(start["areal_density_1e15_cm2"]),
            target=target,
            a1=a1,
        )
        model = st.electronic_stopping(z1, a1, target, pts.energy_MeV_u)
        gamma2 = st.effective_charge_from_stopping(
            z1, pts.energy_MeV_u, pts.stopping_MeV_cm2_g, target
        )
        chi2_model = float(np.mean(((pts.stopping_MeV_cm2_g - model) / pts.sigma_MeV_cm2_g) ** 2))
        elemental = len(st.target_composition(target)) == 1
        i_tab = st.mean_excitation_energy_eV(target)
        i_fit = i_err = i_chi2 = None
        n_i = int(np.sum(pts.energy_MeV_u >= self.min_fit_energy_MeV_u))
        if elemental and n_i >= 2:
            fit = st.fit_mean_excitation(
                pts.energy_MeV_u,
                pts.stopping_MeV_cm2_g,
                pts.sigma_MeV_cm2_g,
                z1=z1,
                a1=a1,
                target=target,
                min_energy_MeV_u=self.min_fit_energy_MeV_u,
            )
            i_fit, i_err, i_chi2 = fit.i_eV, fit.i_err_eV, fit.chi2_red
        five = five_chi2 = None
        if elemental and pts.energy_MeV.size >= 6:
            (z2,) = st.target_composition(target)
            p0 = st.ZIEGLER_HELIUM[z2]
            try:
                low = bool(np.any(pts.energy_MeV_u < _LOW_ENERGY_MEV_U))
                f5 = st.fit_five_parameter(
                    pts.energy_MeV * 1e3,
                    pts.stopping_eV_1e15,
                    pts.sigma_eV_1e15,
                    p0=p0,
                    vary=(low, low, True, True, True),
                )
                five, five_chi2 = f5.coefficients, f5.chi2_red
            except (ValueError, np.linalg.LinAlgError) as exc:
                self.say(f"stopping: 5-parameter fit failed ({exc})")
        result = StoppingResult(
            ion=str(ion["symbol"]),
            z1=z1,
            a1=a1,
            target=target,
            energy_MeV=pts.energy_MeV,
            energy_MeV_u=pts.energy_MeV_u,
            stopping_MeV_cm2_g=pts.stopping_MeV_cm2_g,
            sigma_MeV_cm2_g=pts.sigma_MeV_cm2_g,
            model_MeV_cm2_g=model,
            gamma2=gamma2,
            i_fit_eV=i_fit,
            i_err_eV=i_err,
            i_chi2_red=i_chi2,
            i_points=n_i,
            i_tabulated_eV=i_tab,
            five_parameter=five,
            five_parameter_chi2_red=five_chi2,
            chi2_red_vs_model=chi2_model,
        )
        self._report(result)
        self._publish(result, start["uid"])
        self._draw("points", lambda v: v.points(pts.energy_MeV, pts.stopping_MeV_cm2_g,
                                                pts.sigma_MeV_cm2_g, model))  # fmt: skip
        self._draw("models", lambda v: v.models(result))
        if self.plot_dir is not None:
            self.save_plot(
                self.plot_dir / f"stopping_{result.ion}_{target}_{start['uid'][:8]}.png", result
            )
        return result

    def _report(self, r: StoppingResult) -> None:
        tail = "" if self.complete else "  [incomplete run]"
        self.say(
            f"stopping: {r.ion} in {r.target}: {r.energy_MeV.size} points "
            f"{r.energy_MeV.min():.2f}–{r.energy_MeV.max():.2f} MeV, "
            f"χ²_red vs tabulated model = {r.chi2_red_vs_model:.2f}{tail}"
        )
        if r.i_fit_eV is not None:
            self.say(
                f"stopping: fitted I = {r.i_fit_eV:.1f} ± {r.i_err_eV:.1f} eV from {r.i_points} "
                f"points ≥ {self.min_fit_energy_MeV_u:g} MeV/u (χ²_red = {r.i_chi2_red:.2f}; "
                f"tabulated {r.i_tabulated_eV:.0f} eV)"
            )
        if r.five_parameter is not None:
            coeffs = ", ".join(f"{c:.4g}" for c in r.five_parameter)
            self.say(
                f"stopping: 5-parameter fit A1…A5 = {coeffs} "
                f"(χ²_red = {r.five_parameter_chi2_red:.2f})"
            )
        if r.z1 > 2:
            self.say(
                f"stopping: effective-charge ratio γ² = {r.gamma2.min():.3f}–{r.gamma2.max():.3f}"
            )

    def _publish(self, r: StoppingResult, uid: str) -> None:
        rows = [
            {
                "energy_MeV": float(r.energy_MeV[k]),
                "energy_MeV_u": float(r.energy_MeV_u[k]),
                "stopping_MeV_cm2_g": float(r.stopping_MeV_cm2_g[k]),
                "sigma_MeV_cm2_g": float(r.sigma_MeV_cm2_g[k]),
                "model_MeV_cm2_g": float(r.model_MeV_cm2_g[k]),
                "gamma2": float(r.gamma2[k]),
            }
            for k in range(r.energy_MeV.size)
        ]
        nan = float("nan")
        fit = {
            "ion": r.ion,
            "target": r.target,
            "i_fit_eV": nan if r.i_fit_eV is None else r.i_fit_eV,
            "i_err_eV": nan if r.i_err_eV is None else r.i_err_eV,
            "i_chi2_red": nan if r.i_chi2_red is None else r.i_chi2_red,
            "i_tabulated_eV": r.i_tabulated_eV,
            **{f"A{k + 1}": (r.five_parameter[k] if r.five_parameter else nan) for k in range(5)},
            "chi2_red_vs_model": r.chi2_red_vs_model,
        }
        self.publish(
            [uid],
            {"stopping": rows, "stopping_fit": [fit]},
            units={
                "energy_MeV": "MeV",
                "energy_MeV_u": "MeV/u",
                "stopping_MeV_cm2_g": "MeV cm2/g",
                "sigma_MeV_cm2_g": "MeV cm2/g",
                "model_MeV_cm2_g": "MeV cm2/g",
                "i_fit_eV": "eV",
                "i_err_eV": "eV",
                "i_tabulated_eV": "eV",
            },
        )

    def save_plot(self, path: Path, r: StoppingResult) -> Path:
        """PNG of measured S(E) with the tabulated and fitted-I models and the 5-parameter fit."""
        stopping_figure.save_stopping_png(path, r, f"{r.ion} in {r.target}")
        self.say(f"stopping: plot saved to {path}")
        return path


def _pairs(rows: list[tuple[float, int, float, float, int]]) -> tuple[np.ndarray, ...]:
    """Per energy (in acquisition order): out/in centroids and their σ (MeV) from readings
    (energy, foil_in, centroid MeV, FWHM keV, counts); energies without both are left out."""
    out: dict[float, tuple[float, float]] = {}
    inn: dict[float, tuple[float, float]] = {}
    for energy, foil_in, centroid, fwhm, counts in rows:
        if counts < 2 or not np.isfinite(centroid):
            continue
        sigma = fwhm * 1e-3 / FWHM_PER_SIGMA / np.sqrt(counts)
        (inn if foil_in else out)[energy] = (centroid, sigma)
    keys = [e for e in dict.fromkeys(r[0] for r in rows) if e in out and e in inn]
    keys = [e for e in keys if inn[e][0] < out[e][0]]
    arr = lambda d, i: np.array([d[e][i] for e in keys], dtype=float)  # noqa: E731
    return arr(out, 0), arr(inn, 0), arr(out, 1), arr(inn, 1)


def _points_update(rows: list, start: Mapping):
    """Figure update: S(E) of the energy pairs complete so far against the tabulated model
    (rows read when drawn, in the drawing thread)."""
    ion = start["ion"]
    z1, a1, target = int(ion["Z1"]), float(ion["A1"]), str(start["target"])

    def update(view) -> None:
        e_out, e_in, s_out, s_in = _pairs(rows[: len(rows)])
        if e_out.size == 0:
            return
        pts = st.stopping_from_energy_loss(
            e_out, e_in, s_out, s_in, target=target, a1=a1,
            areal_density_1e15_cm2=float(start["areal_density_1e15_cm2"]),
        )  # fmt: skip
        model = st.electronic_stopping(z1, a1, target, pts.energy_MeV_u)
        view.points(pts.energy_MeV, pts.stopping_MeV_cm2_g, pts.sigma_MeV_cm2_g, model)

    return update
