"""``axs analyze-pattern FILE``: line-profile analysis of a pattern that did not come from a scan.

Reads xy/xye/prn, GSAS (.gsas/.XRA/.fxye) or pdCIF files
(:func:`axsuite.analysis.readers.read_pattern`), finds and fits the peaks (TCH), and with an
instrument function (``--instrument`` JSON/YAML file with U, V, W, X, Y, or ``--standard``
pattern of a standard measured at the same wavelength) reports sample breadths, Scherrer
sizes and Williamson–Hall size/strain. With ``--cif`` it also refines the structure against
the whole pattern (scale, background, lattice, zero, profile). ``--doublet λ2,ratio`` adds a
Kα2 component. Output: a table, or JSON with ``--json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import yaml
from axsuite.analysis.crystal import crystal_from_cif
from axsuite.analysis.lineprofile import (
    InstrumentFunction,
    find_peaks,
    fit_instrument_function,
    fit_peaks,
    size_strain_from_fits,
)
from axsuite.analysis.readers import read_pattern
from axsuite.analysis.refinement import refine_pattern


def configure_parser(p: argparse.ArgumentParser) -> None:
    """Arguments of ``axs analyze-pattern``."""
    p.add_argument("file", help="pattern file (xy, xye, prn, GSAS .gsas/.XRA/.fxye, pdCIF)")
    p.add_argument("--wavelength", type=float, default=None, help="wavelength λ1 in Å")
    p.add_argument("--doublet", default=None, help="Kα2 as 'λ2,ratio' (e.g. 1.54443,0.5)")
    group = p.add_mutually_exclusive_group()
    group.add_argument("--instrument", default=None, help="instrument function (JSON/YAML)")
    group.add_argument("--standard", default=None, help="pattern of a line-profile standard")
    p.add_argument("--cif", default=None, help="structure (CIF) for a whole-pattern refinement")
    p.add_argument("--k", type=float, default=0.89, help="Scherrer constant (FWHM), default 0.89")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")


def _wavelengths(args: argparse.Namespace, data) -> list[tuple[float, float]]:
    if args.wavelength is not None:
        if not args.wavelength > 0:
            raise ValueError("--wavelength must be positive (Å)")
        lam = [(float(args.wavelength), 1.0)]
    elif data.wavelengths:
        lam = [data.wavelengths[0]]
    else:
        raise ValueError(f"{data.source}: the file states no wavelength; give --wavelength (Å)")
    if args.doublet:
        try:
            l2, ratio = (float(v) for v in args.doublet.split(","))
        except ValueError:
            raise ValueError("--doublet must be 'λ2,ratio', e.g. 1.54443,0.5") from None
        if l2 <= 0 or ratio < 0:
            raise ValueError("--doublet needs λ2 > 0 and ratio ≥ 0")
        lam.append((l2, ratio))
    return lam


def _doublet(lam):
    return (lam[0][0], lam[1][0], lam[1][1]) if len(lam) > 1 else None


def _instrument(args: argparse.Namespace, lam) -> InstrumentFunction | None:
    if args.instrument:
        path = Path(args.instrument)
        if not path.is_file():
            raise ValueError(f"cannot read instrument file {args.instrument!r}")
        data = yaml.safe_load(path.read_text())
        if not isinstance(data, dict):
            raise ValueError(f"{path.name}: expected a mapping with U, V, W, X, Y")
        return InstrumentFunction.from_dict(data)
    if args.standard:
        std = read_pattern(args.standard)
        centers = find_peaks(std.two_theta_deg, std.intensity, doublet=_doublet(lam)).two_theta_deg
        fits = fit_peaks(
            std.two_theta_deg, std.intensity, centers, sigma=std.sigma, doublet=_doublet(lam)
        )
        return fit_instrument_function(
            [f.center_deg for f in fits],
            [f.gamma_g_deg for f in fits],
            [f.gamma_l_deg for f in fits],
            wavelength_A=lam[0][0],
            standard=Path(args.standard).name,
        )
    return None


def analyze(args: argparse.Namespace) -> dict:
    """Run the analysis; returns a JSON-ready dict (ValueError on bad input)."""
    data = read_pattern(args.file)
    lam = _wavelengths(args, data)
    inst = _instrument(args, lam)
    x, y = data.two_theta_deg, data.intensity
    centers = find_peaks(x, y, doublet=_doublet(lam)).two_theta_deg
    fits = fit_peaks(x, y, centers, sigma=data.sigma, doublet=_doublet(lam), skip_failed=True)
    if not fits:
        raise ValueError(f"{data.source}: none of the {centers.size} peaks found could be fitted")
    fitted = np.array([f.center_deg for f in fits])
    tol = 0.5 * float(np.median([f.fwhm_deg for f in fits]))  # a fit belongs to a peak found
    out: dict = {
        "file": str(args.file),
        "wavelengths_A": lam,
        "peaks": [
            {
                "two_theta_deg": f.center_deg,
                "area": f.area,
                "fwhm_deg": f.fwhm_deg,
                "gamma_g_deg": f.gamma_g_deg,
                "gamma_l_deg": f.gamma_l_deg,
                "eta": f.eta,
            }
            for f in fits
        ],
        "instrument": inst.to_dict() if inst is not None else None,
        "unfitted_peaks_deg": [float(c) for c in centers if np.min(np.abs(fitted - c)) > tol],
    }
    if inst is not None:
        ss = size_strain_from_fits(fits, lam[0][0], inst, k=args.k)
        for row, fs, d in zip(out["peaks"], ss.fwhm_sample_deg, ss.scherrer_size_A, strict=True):
            row["sample_fwhm_deg"] = float(fs)
            row["scherrer_size_A"] = float(d) if np.isfinite(d) else None
        wh = ss.williamson_hall
        out["williamson_hall"] = None if wh is None else {
            "size_A": wh.size_A, "size_err_A": wh.size_err_A, "strain": wh.strain,
            "strain_err": wh.strain_err, "r_squared": wh.r_squared,
            "negative_intercept": wh.negative_intercept, "k": wh.k,
        }  # fmt: skip
    if args.cif:
        crystal = crystal_from_cif(args.cif)
        r = refine_pattern(
            x, y, [crystal], wavelengths=lam, sigma=data.sigma, instrument=inst,
            refine=("scale", "background", "lattice", "zero", "profile"), cutoff_fwhm=40.0,
        )  # fmt: skip
        tag = next(iter(r.lattice))
        out["refinement"] = {
            "phase": tag, "lattice": r.lattice[tag], "lattice_errors": r.lattice_errors[tag],
            "rp": r.rp, "rwp": r.rwp, "rexp": r.rexp, "chi2": r.chi2,
            "profile": {k: r.values[k] for k in "UVWXY"}, "warnings": list(r.warnings),
        }  # fmt: skip
    return out


def cmd_analyze_pattern(args: argparse.Namespace) -> int:
    """peak fits, size/strain, texture and refinement of a pattern file (no scan needed)"""
    out = analyze(args)
    if args.json:
        print(json.dumps(out, indent=1, default=float))
        return 0
    print(f"{out['file']}: {len(out['peaks'])} peaks, λ = {out['wavelengths_A'][0][0]} Å")
    if out["unfitted_peaks_deg"]:
        print(f"peaks found but not fitted (overlap/convergence): {out['unfitted_peaks_deg']}")
    print(f"{'2θ (deg)':>10} {'FWHM':>8} {'η':>5} {'sample FWHM':>12} {'Scherrer D (Å)':>15}")
    for p in out["peaks"]:
        fs = p.get("sample_fwhm_deg")
        d = p.get("scherrer_size_A")
        print(
            f"{p['two_theta_deg']:10.4f} {p['fwhm_deg']:8.4f} {p['eta']:5.2f} "
            f"{'' if fs is None else f'{fs:.4f}':>12} {'' if d is None else f'{d:.1f}':>15}"
        )
    wh = out.get("williamson_hall")
    if wh:
        print(
            f"Williamson–Hall: D = {wh['size_A']:.1f} ± {wh['size_err_A']:.1f} Å, "
            f"ε = {wh['strain']:.3e} ± {wh['strain_err']:.1e}, R² = {wh['r_squared']:.4f}"
        )
    elif out["instrument"] is None:
        print("no instrument function (--instrument or --standard): sizes not computed")
    ref = out.get("refinement")
    if ref:
        cell = ", ".join(f"{k} = {v:.6f}" for k, v in ref["lattice"].items())
        print(
            f"refinement ({ref['phase']}): {cell}; Rwp = {ref['rwp']:.4f}, χ² = {ref['chi2']:.2f}"
        )
        for w in ref["warnings"]:
            print(f"  warning: {w}")
    return 0
