"""Line-profile callback: powder scans → peak fits (live), size/strain, texture, refinement.

Per event it stores (2θ, counts) (O(1)). The expected reflections come from the phases in
the start document (:func:`axsuite.analysis.crystal.powder_intensities`); as soon as the
arm has passed a group of reflections by ``window_deg`` the group is fitted with TCH
profiles (:func:`axsuite.analysis.lineprofile.fit_peaks`) and printed. At the end all peaks
are refitted jointly on the whole pattern (neighbours' tails included), then: instrument
deconvolution with the run's instrument calibration, Scherrer per peak and Williamson–Hall
(:func:`~axsuite.analysis.lineprofile.size_strain_from_fits`), Harris texture coefficients
against I0 computed from the structure, and a whole-pattern refinement
(:func:`axsuite.analysis.refinement.refine_pattern`). Results are published as streams
``peaks``, ``size_strain`` and ``refinement``; plots (pattern + fit + difference, WH) are
saved when ``plot_dir`` is set. Live and replayed results are identical (same events, same
block boundaries).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

import numpy as np
from axsuite.analysis.crystal import crystal_from_dict, powder_intensities
from axsuite.analysis.lineprofile import (
    InstrumentFunction,
    PeakFit,
    fit_peaks,
    size_strain_from_fits,
    texture_coefficients,
    texture_sigma,
)
from axsuite.analysis.peak_groups import ReflectionGroup, group_reflections
from axsuite.analysis.refinement import PhaseModel, RefinementError, refine_pattern

from .base import AnalysisCallback
from .figures import powder as powder_figure
from .figures.board import FigureBoard
from .lineprofile_text import report_lines, size_text


@dataclasses.dataclass(frozen=True)
class LineProfileAnalysis:
    """Result of one powder scan (angles in deg 2θ, sizes in Å)."""

    sample: str
    wavelength_A: float
    hkl: tuple[str, ...]
    two_theta_deg: np.ndarray
    area: np.ndarray
    fwhm_deg: np.ndarray
    fwhm_err_deg: np.ndarray
    gamma_g_deg: np.ndarray
    gamma_l_deg: np.ndarray
    sample_fwhm_deg: np.ndarray
    scherrer_size_A: np.ndarray
    texture_coefficient: np.ndarray
    texture_sigma: float
    wh_size_A: float | None
    wh_size_err_A: float | None
    wh_strain: float | None
    wh_strain_err: float | None
    wh_r_squared: float | None
    wh_negative_intercept: bool | None
    refinement: dict | None
    instrument_calibration: dict | None
    notes: tuple[str, ...]


#: Reflections closer than this fraction of ``window_deg`` to an end of the scan are not
#: fitted (too little of the peak measured); farther ones are fitted on a cut window.
EDGE_MARGIN = 0.25


class LineProfileCallback(AnalysisCallback):
    """Analyses every ``powder_scan`` live and on replay.

    Parameters
    ----------
    window_deg : half-width (deg 2θ) of the region fitted around a group of reflections
    min_relative_intensity : reflections weaker than this fraction of the strongest are
        not fitted individually
    k : Scherrer constant (with the FWHM)
    refine : run the whole-pattern refinement at the end
    plot_dir : where plots go (None: no plots)
    figures : live figure board (None: no live figure)
    """

    analysis_name = "lineprofile"

    def __init__(
        self,
        *,
        window_deg: float = 1.2,
        min_relative_intensity: float = 0.01,
        k: float = 0.89,
        refine: bool = True,
        plot_dir: str | Path | None = None,
        figures: FigureBoard | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.figures = figures
        if not window_deg > 0 or not 0 <= min_relative_intensity < 1 or not k > 0:
            raise ValueError("need window_deg > 0, 0 ≤ min_relative_intensity < 1 and k > 0")
        self.window_deg = float(window_deg)
        self.min_relative_intensity = float(min_relative_intensity)
        self.k = float(k)
        self.refine = bool(refine)
        self.plot_dir = Path(plot_dir) if plot_dir is not None else None
        self._x: list[float] = []
        self._y: list[float] = []
        self._groups: list[ReflectionGroup] = []
        self._next = 0
        self._notes: list[str] = []
        self._fit_curve: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    def parameters(self) -> dict:
        return {
            "window_deg": self.window_deg,
            "min_relative_intensity": self.min_relative_intensity,
            "k": self.k,
            "refine": self.refine,
        }

    def accepts(self, start: Mapping) -> bool:
        fields = start.get("fields", {})
        return (
            start.get("plan_name") == "powder_scan"
            and "wavelength_A" in start
            and bool(start.get("phases"))
            and all(r in fields for r in ("two_theta", "intensity"))
        )

    # ------------------------------------------------------------------ live part
    def on_start(self, doc: Mapping) -> None:
        self._x, self._y, self._notes = [], [], []
        self._next = 0
        self._fit_curve = None
        lam = float(doc["wavelength_A"])
        args = doc.get("plan_args", {}).get("two_theta", [1.0, 179.0, 0.0])
        lo_scan, hi_scan = float(args[0]), float(args[1])
        crystal = crystal_from_dict(doc["phases"][0]["structure"])
        refl = powder_intensities(
            crystal,
            lam,
            min(hi_scan + 1.0, 179.0),
            polarization=float(doc.get("polarization", 0.5)),
        )
        tt = refl.two_theta_deg
        strong = refl.intensity >= self.min_relative_intensity * refl.intensity.max()
        margin = EDGE_MARGIN * self.window_deg
        inside = (tt > lo_scan + margin) & (tt < hi_scan - margin)
        for h, t in zip(refl.hkl[strong & ~inside], tt[strong & ~inside], strict=True):
            if lo_scan <= t <= hi_scan:
                self._notes.append(
                    f"reflection ({''.join(str(int(v)) for v in h)}) at 2θ = {t:.2f}° is within "
                    f"{margin:.2f}° of the scan's end: not fitted"
                )
        keep = strong & inside
        self._groups = group_reflections(tt[keep], refl.intensity[keep], refl.hkl[keep],
                                         self.window_deg)  # fmt: skip
        step = abs(float(args[2])) if len(args) > 2 else 0.0
        for g in self._groups:  # windows cut at the scan's ends (fitted at the last point)
            g.lo = max(g.lo, lo_scan)
            g.hi = min(g.hi, hi_scan - 0.5 * step)
        title = f"scan {doc.get('scan_id', '')}: {doc.get('sample', '')} (λ = {lam:.4f} Å)"
        self._draw("clear", lambda v: v.clear(title), reset=True)

    def on_event(self, doc: Mapping, stream: str) -> None:
        if stream != "primary":
            return
        d = doc["data"]
        x = float(d[self.field("two_theta")])
        self._x.append(x)
        self._y.append(float(d[self.field("intensity")]))
        if self.figures is not None:
            self._draw("measured", powder_figure.measured_update(self._x, self._y))
        while self._next < len(self._groups) and x >= self._groups[self._next].hi:
            self._fit_group(self._groups[self._next])
            self._next += 1

    def _fit_group(self, g: ReflectionGroup) -> None:
        g.done = True
        x = np.asarray(self._x)
        y = np.asarray(self._y)
        sel = (x >= g.lo) & (x <= g.hi)
        try:
            g.fits = fit_peaks(x[sel], y[sel], g.centers)
        except ValueError as exc:
            self._notes.append(f"peaks {'/'.join(g.hkl)}: not fitted ({exc})")
            return
        sizes = [""] * len(g.fits)
        cal = self.raw_start.get("instrument_calibration")
        if cal:  # preliminary Scherrer size per peak (the final values come at the stop)
            lam = float(self.raw_start["wavelength_A"])
            ss = size_strain_from_fits(g.fits, lam, InstrumentFunction.from_dict(cal), k=self.k)
            sizes = [
                size_text(d, ok, lim)
                for d, ok, lim in zip(
                    ss.scherrer_size_A, ss.resolved, ss.size_limit_A, strict=True
                )  # fmt: skip
            ]
        self._draw(f"peaks {g.lo}", powder_figure.peaks_update(x[sel], y[sel], g.hkl, g.fits))
        for h, f, size in zip(g.hkl, g.fits, sizes, strict=True):
            self.say(
                f"lineprofile: ({h}) 2θ = {f.center_deg:.4f}°, FWHM = {f.fwhm_deg:.4f}°, "
                f"η = {f.eta:.2f}{size}"
            )

    # ------------------------------------------------------------------ end of run
    def on_stop(self, doc: Mapping) -> LineProfileAnalysis | None:
        start = self.raw_start
        for g in self._groups[self._next :]:
            if self._x and max(self._x) >= g.hi:
                self._fit_group(g)
        groups = [g for g in self._groups if g.fits]
        if not groups:
            self.say(f"lineprofile: run {start['uid'][:8]}: no peak could be fitted")
            return None
        lam = float(start["wavelength_A"])
        hkl = tuple(h for g in groups for h in g.hkl)
        fits = self._joint_refit([f for g in groups for f in g.fits])
        i0 = np.concatenate([g.i0 for g in groups])
        tt = np.array([f.center_deg for f in fits])
        area = np.array([f.area for f in fits])
        tc = texture_coefficients(area, i0) if len(fits) >= 2 else np.ones(len(fits))
        cal = start.get("instrument_calibration")
        ss = None
        lam_cal = float((cal or {}).get("wavelength_A", float("nan")))
        if np.isfinite(lam_cal) and abs(lam_cal / lam - 1.0) > 1e-4:
            self._notes.append(
                f"instrument calibrated at λ = {lam_cal:.5f} Å, scan at λ = {lam:.5f} Å: "
                "the Caglioti widths (deg 2θ) transfer only approximately"
            )
        if cal:
            ss = size_strain_from_fits(fits, lam, InstrumentFunction.from_dict(cal), k=self.k)
            self._notes.extend(ss.notes)  # unresolved sizes, why WH gave no size
        else:
            self._notes.append("no instrument calibration: sizes and strain not computed")
        wh = ss.williamson_hall if ss is not None else None
        refinement = self._refine(start, cal) if self.refine else None
        nan = np.full(len(fits), np.nan)
        result = LineProfileAnalysis(
            sample=str(start.get("sample", "")),
            wavelength_A=lam,
            hkl=hkl,
            two_theta_deg=tt,
            area=area,
            fwhm_deg=np.array([f.fwhm_deg for f in fits]),
            fwhm_err_deg=np.array([f.fwhm_err_deg for f in fits]),
            gamma_g_deg=np.array([f.gamma_g_deg for f in fits]),
            gamma_l_deg=np.array([f.gamma_l_deg for f in fits]),
            sample_fwhm_deg=ss.fwhm_sample_deg if ss is not None else nan,
            scherrer_size_A=ss.scherrer_size_A if ss is not None else nan,
            texture_coefficient=tc,
            texture_sigma=texture_sigma(tc),
            wh_size_A=None if wh is None else wh.size_A,
            wh_size_err_A=None if wh is None else wh.size_err_A,
            wh_strain=None if wh is None else wh.strain,
            wh_strain_err=None if wh is None else wh.strain_err,
            wh_r_squared=None if wh is None else wh.r_squared,
            wh_negative_intercept=None if wh is None else wh.negative_intercept,
            refinement=refinement,
            instrument_calibration=cal,
            notes=tuple(self._notes),
        )
        self._report(result)
        self._publish(result)
        self._draw("end", powder_figure.end_update(result, self.k, self._fit_curve))
        if self.plot_dir is not None:
            self._plot(result, start)
        return result

    def _draw(self, key: str, update, *, reset: bool = False) -> None:
        """Queue an update of the live figure (no-op without a figure board)."""
        if self.figures is not None:
            self.figures.post_view(powder_figure, key, update, reset=reset)

    def _joint_refit(self, fits: list[PeakFit]) -> list[PeakFit]:
        """Refit all live-fitted peaks together on the whole pattern (starting at their
        centres): each peak then includes its neighbours' tails, which the windowed live fits
        absorb into a linear background (biasing areas and widths of Lorentzian peaks by a
        few per cent). Falls back to the live fits, with a note, if the joint fit fails."""
        centers = np.array([f.center_deg for f in fits])
        if centers.size > 1 and not np.all(np.diff(centers) > 0):
            self._notes.append("fitted peaks out of order: live window fits used")
            return fits
        try:
            return list(fit_peaks(np.asarray(self._x), np.asarray(self._y), centers))
        except ValueError as exc:
            self._notes.append(f"joint peak refit failed ({exc}); live window fits used")
            return fits

    def _refine(self, start: Mapping, cal: Mapping | None) -> dict | None:
        crystal = crystal_from_dict(start["phases"][0]["structure"])
        axis = start.get("texture_axis")
        phase = PhaseModel(crystal, texture_axis=tuple(axis) if axis else None)
        refine = ["scale", "background", "lattice", "zero", "profile"]
        if axis:
            refine.append("texture")
        try:
            r = refine_pattern(
                np.asarray(self._x), np.asarray(self._y), [phase],
                wavelengths=float(start["wavelength_A"]),
                polarization=float(start.get("polarization", 0.5)),
                instrument=InstrumentFunction.from_dict(cal) if cal else None,
                refine=refine, background_terms=4, cutoff_fwhm=40.0,
            )  # fmt: skip
        except (RefinementError, ValueError) as exc:
            self._notes.append(f"refinement failed: {exc}")
            return None
        tag = next(iter(r.lattice))
        out = {
            "phase": tag,
            "rp": r.rp,
            "rwp": r.rwp,
            "rexp": r.rexp,
            "chi2": r.chi2,
            **{f"cell_{k}": v for k, v in r.lattice[tag].items()},
            **{f"cell_{k}_err": v for k, v in r.lattice_errors[tag].items()},
            **{p: r.values[p] for p in ("U", "V", "W", "X", "Y", "zero")},
            "warnings": list(r.warnings),
        }
        if axis:
            out["march_dollase_r"] = r.values[f"{tag}_md_r"]
            out["march_dollase_r_err"] = r.errors[f"{tag}_md_r"]
        self._fit_curve = (r.two_theta_deg, r.y_obs, r.y_calc)
        return out

    def _report(self, r: LineProfileAnalysis) -> None:
        for line in report_lines(r, self.k):
            self.say(f"lineprofile: {line}")

    def _publish(self, r: LineProfileAnalysis) -> None:
        rows = [
            {
                "hkl": r.hkl[i],
                "two_theta": float(r.two_theta_deg[i]),
                "area": float(r.area[i]),
                "fwhm": float(r.fwhm_deg[i]),
                "gamma_g": float(r.gamma_g_deg[i]),
                "gamma_l": float(r.gamma_l_deg[i]),
                "sample_fwhm": float(r.sample_fwhm_deg[i]),
                "scherrer_size": float(r.scherrer_size_A[i]),
                "texture_coefficient": float(r.texture_coefficient[i]),
            }
            for i in range(len(r.hkl))
        ]
        streams: dict[str, list] = {"peaks": rows}
        if r.wh_size_A is not None:
            streams["size_strain"] = [
                {
                    "wh_size": float(r.wh_size_A),
                    "wh_size_err": float(r.wh_size_err_A),
                    "wh_strain": float(r.wh_strain),
                    "wh_strain_err": float(r.wh_strain_err),
                    "wh_r_squared": float(r.wh_r_squared),
                    "texture_sigma": float(r.texture_sigma),
                }
            ]
        if r.refinement is not None:
            streams["refinement"] = [
                {k: float(v) for k, v in r.refinement.items() if isinstance(v, (int, float))}
            ]
        units = {
            "two_theta": "deg", "fwhm": "deg", "gamma_g": "deg", "gamma_l": "deg",
            "sample_fwhm": "deg", "scherrer_size": "Å", "wh_size": "Å", "wh_size_err": "Å",
            "cell_a": "Å", "cell_b": "Å", "cell_c": "Å", "zero": "deg", "U": "deg²",
            "V": "deg²", "W": "deg²", "X": "deg", "Y": "deg",
        }  # fmt: skip
        self.publish([self.raw_start["uid"]], streams, units=units)

    def _plot(self, r: LineProfileAnalysis, start: Mapping) -> None:
        path = self.plot_dir / f"lineprofile_{r.sample}_{start['uid'][:8]}.png"
        title = f"scan {start.get('scan_id', '')}: {r.sample} (λ = {r.wavelength_A:.4f} Å)"
        powder_figure.save_powder_png(path, r, self.k, self._x, self._y, self._fit_curve, title)
        self.say(f"lineprofile: plot saved to {path}")
