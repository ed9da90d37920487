"""AXS callback: corrected I(Q) per energy, ΔS_A per energy pair, partials across runs.

Live and on replay (one instance sees runs one after another):

* per event (O(1)): store 2θ, elastic/fluorescence window counts, dead time, I0, windows;
* when an energy's Q grid is complete: the correction chain of
  :func:`axsuite.analysis.axs.correct_intensity` (dead time, I0, RRS/fluorescence leakage
  from the windows, polarization, flat-plate absorption, Krogh-Moe–Norman electron units,
  Compton inside the elastic window) → I(Q) in electron units per atom, published;
* when the energy nearest the edge and another energy of the run are complete: ΔS_A(Q)
  and the environmental RDF, published;
* at the end of a run, when the runs seen so far on the same plate and Q grid hold at
  least n_pairs energies: the Faber–Ziman partials S_ab(Q) (weighted SVD least squares),
  g_ab(r) (Lorch window) and coordination numbers, published.

μ(E) and anomalous factors: if an edge scan of the resonant element, taken with the same
mono calibration offset (same energy scale), was fed to this instance earlier (e.g. the
reference foil), :func:`axsuite.analysis.absorption.anomalous_factors_from_mu` gives the
resonant element's f' (differential Kramers–Kronig) and f'' (MBACK) at the AXS energies,
and its photo-absorption in μ(E) inside the scanned range (absorption factor, Compton and
RRS self-absorption). Elsewhere, for the other elements, without an edge run, or with
``factors_from_edge=False`` (f', f'' only), tables are used: Chantler f', f'' and photo
absorption plus xraylib scattering. Every result records which source it used.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
from axsuite.analysis import axs, xray
from axsuite.analysis.absorption import (
    absorption_factor_reflection,
    anomalous_factors_from_mu,
    polarization_factor,
)
from axsuite.analysis.constants import AVOGADRO

from .base import AnalysisCallback, file_figure
from .edge import mu_from_counts

#: r grid (Å) of the published pair distributions.
R_GRID_A = np.round(np.arange(0.02, 10.0 + 1e-9, 0.02), 10)


@dataclasses.dataclass(frozen=True)
class EnergyIntensity:
    """Corrected coherent intensity at one energy (electron units per atom)."""

    run_uid: str
    element: str
    energy_eV: float
    q: np.ndarray
    intensity: np.ndarray
    sigma: np.ndarray
    normalization_factor: float
    leakage_fraction_max: float
    mu_cm: float
    mu_source: str
    factors: dict[str, tuple[float, float]]
    factor_source: dict[str, str]


@dataclasses.dataclass(frozen=True)
class Differential:
    """ΔS_A(Q) between ``energies_eV`` (E1 nearer the edge, E2) with standard errors."""

    element: str
    energies_eV: tuple[float, float]
    q: np.ndarray
    ds: np.ndarray
    sigma: np.ndarray
    weights: dict[str, np.ndarray]
    r: np.ndarray
    environmental_rdf: np.ndarray


@dataclasses.dataclass(frozen=True)
class Partials:
    """Faber–Ziman partials from ``energies_eV`` of ``run_uids``, their g(r) and N_ab.

    ``coordination`` maps "a-b" → N_ab (b neighbours of an a atom) integrated to
    ``r_max_A`` ["a-b"], the first minimum of the measured g_ab after its main peak.
    """

    run_uids: tuple[str, ...]
    energies_eV: tuple[float, ...]
    pairs: tuple[str, ...]
    q: np.ndarray
    s: np.ndarray
    sigma: np.ndarray
    condition_number: float
    chi2_reduced_median: float
    r: np.ndarray
    g: np.ndarray
    coordination: dict[str, float]
    r_max_A: dict[str, float]


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


def _first_minimum(r: np.ndarray, g: np.ndarray) -> float:
    """First minimum of g(r) after its main peak: the lowest g in (r_peak, 1.8 r_peak]."""
    ip = int(np.argmax(g))
    window = (r > r[ip]) & (r <= 1.8 * r[ip])
    if not np.any(window):
        return float(r[-1])
    idx = np.nonzero(window)[0]
    return float(r[idx[int(np.argmin(g[idx]))]])


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
        **kwargs,
    ):
        super().__init__(**kwargs)
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
        self._roles = {
            k: self.field(k)
            for k in (
                "energy",
                "two_theta",
                "i0",
                "elastic",
                "fluorescence",
                "dead_time",
                "elastic_low",
                "elastic_high",
                "fluor_low",
                "fluor_high",
            )
        }
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

    def _factors_and_mu(
        self, start: Mapping, energy: float
    ) -> tuple[dict[str, complex], dict[str, str], Any, str]:
        comp = start["composition"]
        element = start["element"]
        af, source = self._measured_edge(start, np.array([energy]))
        factors, fsrc = {}, {}
        for el in comp:
            if af is not None and el == element and self.factors_from_edge:
                factors[el] = complex(float(af.fp_at[0]), float(af.fpp_at[0]))
                fsrc[el] = source
            else:
                e1 = np.array([energy])
                factors[el] = complex(
                    float(xray.chantler_fp(el, e1)[0]), float(xray.chantler_fpp(el, e1)[0])
                )
                fsrc[el] = "Chantler table (xraydb)"
        mean_a = sum(c * xray.atomic_weight(e) for e, c in comp.items())
        rho = float(start["density_atoms_A3"]) * 1e24 * mean_a / AVOGADRO
        w = xray.mass_fractions(comp)

        def mu_cm(e_eV):
            e_arr = np.asarray(e_eV, dtype=float)
            total = np.zeros_like(e_arr)
            for el, wi in w.items():
                fpp = xray.chantler_fpp(el, e_arr)
                if af is not None and el == element:
                    inside = (e_arr >= af.energy_eV[0]) & (e_arr <= af.energy_eV[-1])
                    fpp = np.where(inside, np.interp(e_arr, af.energy_eV, af.fpp), fpp)
                total = total + wi * xray.mass_attenuation_cm2_g(el, e_arr, fpp=fpp)
            return rho * total

        mu_src = (
            f"{element} photo part from {source} inside the scan, tables elsewhere"
            if af is not None
            else "tables (Chantler photo + xraylib scattering)"
        )
        return factors, fsrc, mu_cm, mu_src

    def _finish_energy(self, b: dict[str, np.ndarray]) -> None:
        start = self.raw_start
        energy = float(b["energy"][0])
        tth = b["two_theta"]
        det = start["detector"]
        res = {
            "noise_fwhm_eV": float(det["noise_fwhm_eV"]),
            "fano": float(det["fano"]),
            "pair_energy_eV": float(det["pair_energy_eV"]),
        }
        ev_ch = float(det["ev_per_channel"])
        thick = float(start["geometry"]["thickness_cm"])
        pol = start["polarization"]
        comp = start["composition"]
        factors, fsrc, mu_cm, mu_src = self._factors_and_mu(start, energy)
        mu_e = float(mu_cm(energy))
        e_c = xray.compton_energy_eV(energy, tth)
        el_win = (b["elastic_low"], b["elastic_high"])
        fl_win = (b["fluor_low"], b["fluor_high"])
        ratio = axs.compton_window_ratio(
            energy,
            tth,
            *el_win,
            doppler_fraction=float(det["doppler_fraction"]),
            ev_per_channel=ev_ch,
            **res,
        ) * axs.compton_absorption_ratio(mu_e, mu_cm(e_c), tth, thick)
        kappa = 0.0
        if self.leakage_correction:
            kappa = axs.rrs_leakage_ratio(
                start["element"],
                energy,
                tth,
                el_win,
                fl_win,
                mu_cm=mu_cm,
                thickness_cm=thick,
                ev_per_channel=ev_ch,
                **res,
            )
        ci = axs.correct_intensity(
            tth,
            energy,
            b["elastic"],
            b["i0"],
            comp,
            factors,
            density=float(start["density_atoms_A3"]),
            absorption=absorption_factor_reflection(mu_e, tth, thick),
            polarization=polarization_factor(
                tth,
                horizontal_fraction=float(pol["horizontal_fraction"]),
                azimuth_deg=float(pol["phi_deg"]),
            ),
            dead_time=b["dead_time"],
            fluorescence=b["fluorescence"],
            leakage_ratio=kappa,
            compton_ratio=ratio,
            method=self.method,
        )
        q_grid = np.asarray(start["q_grid"], dtype=float)
        order = np.argsort(ci.q)
        intensity = np.interp(q_grid, ci.q[order], ci.intensity[order])
        sigma = np.interp(q_grid, ci.q[order], ci.sigma[order])
        ei = EnergyIntensity(
            run_uid=start["uid"],
            element=start["element"],
            energy_eV=energy,
            q=q_grid,
            intensity=intensity,
            sigma=sigma,
            normalization_factor=float(ci.normalization_factor),
            leakage_fraction_max=float(np.max(ci.leakage_fraction)),
            mu_cm=mu_e,
            mu_source=mu_src,
            factors={el: (f.real, f.imag) for el, f in factors.items()},
            factor_source=fsrc,
        )
        self._done.append(ei)
        self.library[(start["uid"], energy)] = (start, ei)
        f_txt = ", ".join(
            f"{el}: f' = {f.real:+.3f}, f'' = {f.imag:.3f}" for el, f in factors.items()
        )
        self.say(
            f"axs: {start['element']} {energy:.1f} eV done ({self._n_q} Q points): "
            f"α = {ci.normalization_factor:.4g} e.u./count, leakage ≤ "
            f"{100 * ei.leakage_fraction_max:.1f} %, μ = {mu_e:.1f} cm⁻¹; {f_txt}"
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
            d = self._differential(start, by_e[e_near], ei2)
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

    def _differential(
        self, start: Mapping, ei1: EnergyIntensity, ei2: EnergyIntensity
    ) -> Differential:
        f1 = {el: complex(*v) for el, v in ei1.factors.items()}
        f2 = {el: complex(*v) for el, v in ei2.factors.items()}
        d = axs.differential_structure_factor(
            ei1.q,
            ei1.intensity,
            ei2.intensity,
            start["composition"],
            f1,
            f2,
            sigma_e1=ei1.sigma,
            sigma_e2=ei2.sigma,
        )
        rdf = axs.environmental_rdf(
            d.q, d.ds, R_GRID_A, density=float(start["density_atoms_A3"]), lorch=True
        )
        return Differential(
            element=ei1.element,
            energies_eV=(ei1.energy_eV, ei2.energy_eV),
            q=d.q,
            ds=d.ds,
            sigma=d.sigma,
            weights=dict(d.weights),
            r=R_GRID_A,
            environmental_rdf=rdf,
        )

    def _partials(self, start: Mapping) -> Partials | None:
        """Partials from every finished energy on the same plate, composition and Q grid."""
        q = np.asarray(start["q_grid"], dtype=float)
        comp = {el: float(c) for el, c in start["composition"].items()}
        entries = []
        for (_, energy), (st, ei) in sorted(self.library.items(), key=lambda kv: kv[0][1]):
            same = (
                st.get("sample") == start.get("sample")
                and set(st["composition"]) == set(comp)
                and all(abs(float(st["composition"][el]) - c) < 1e-9 for el, c in comp.items())
                and len(st["q_grid"]) == q.size
                and np.allclose(st["q_grid"], q, rtol=1e-9, atol=0.0)
            )
            if same and all(abs(energy - e.energy_eV) > 1e-6 * energy for e in entries):
                entries.append(ei)
        n_el = len(comp)
        n_pairs = n_el * (n_el + 1) // 2
        if len(entries) < n_pairs:
            return None
        data = np.array([ei.intensity for ei in entries])
        sig = np.array([ei.sigma for ei in entries])
        fac = [{el: complex(*v) for el, v in ei.factors.items()} for ei in entries]
        p = axs.partial_structure_factors(
            q, data, comp, fac, sigma=sig, regularization=self.regularization
        )
        rho = float(start["density_atoms_A3"])
        g = axs.pair_distribution(q, p.s, R_GRID_A, density=rho, lorch=True)
        coord, r_max = {}, {}
        for k, (a, b) in enumerate(p.pairs):
            rm = _first_minimum(R_GRID_A, g[k])
            for x, y in ((a, b), (b, a)) if a != b else ((a, b),):
                coord[f"{x}-{y}"] = axs.coordination_number(
                    R_GRID_A, g[k], density=rho, fraction=comp[y], r_max=rm
                )
                r_max[f"{x}-{y}"] = rm
        chi2 = p.chi2_reduced[np.isfinite(p.chi2_reduced)]
        result = Partials(
            run_uids=tuple(dict.fromkeys(ei.run_uid for ei in entries)),
            energies_eV=tuple(ei.energy_eV for ei in entries),
            pairs=tuple(f"{a}-{b}" for a, b in p.pairs),
            q=q,
            s=p.s,
            sigma=p.sigma,
            condition_number=float(p.condition_number),
            chi2_reduced_median=float(np.median(chi2)) if chi2.size else float("nan"),
            r=R_GRID_A,
            g=g,
            coordination=coord,
            r_max_A=r_max,
        )
        n_txt = ", ".join(f"N_{k} = {v:.2f}" for k, v in coord.items())
        self.say(
            f"axs: partials from {len(entries)} energies of {len(result.run_uids)} run(s), "
            f"condition number {result.condition_number:.0f}; {n_txt}"
        )
        return result

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
        path.parent.mkdir(parents=True, exist_ok=True)
        fig = file_figure(figsize=(10, 7))
        axes = fig.subplots(2, 2)
        ax = axes[0, 0]
        for ei in result.intensities:
            ax.plot(ei.q, ei.intensity, lw=1, label=f"{ei.energy_eV:.1f} eV")
        ax.set(xlabel="Q (Å⁻¹)", ylabel="I (e.u./atom)", title="corrected intensity")
        ax.legend(fontsize=7)
        ax = axes[0, 1]
        for d in result.differentials:
            ax.errorbar(d.q, d.ds, d.sigma, lw=0.8, label=f"ΔS_{d.element}")
        ax.set(xlabel="Q (Å⁻¹)", ylabel="ΔS(Q)", title="differential structure factor")
        ax.legend(fontsize=7)
        p = result.partials
        if p is not None:
            for k, pair in enumerate(p.pairs):
                axes[1, 0].plot(p.q, p.s[k], lw=1, label=pair)
                axes[1, 1].plot(p.r, p.g[k], lw=1, label=pair)
            axes[1, 0].legend(fontsize=7)
            axes[1, 1].legend(fontsize=7)
        axes[1, 0].set(xlabel="Q (Å⁻¹)", ylabel="S_ab(Q)", title="partial structure factors")
        axes[1, 1].set(xlabel="r (Å)", ylabel="g_ab(r)", title="pair distributions")
        fig.tight_layout()
        fig.savefig(path, dpi=90)
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
