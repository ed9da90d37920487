"""Text report of ``axs analyze-pattern`` (the JSON-ready dict of
:func:`axsuite.session.analyze_pattern.analyze`)."""

from __future__ import annotations

import numpy as np
from axsuite.analysis.crystal.cif import format_esd


def print_result(out: dict) -> None:
    """Peaks, sizes, Williamson–Hall and refinement of one pattern, as plain text."""
    print(f"{out['file']}: {len(out['peaks'])} peaks, λ = {out['wavelengths_A'][0][0]} Å")
    for note in out.get("instrument_notes", []):
        print(f"  instrument file: {note}")
    if out["peaks"]:
        _print_peaks(out)
    ref = out.get("refinement")
    if ref:
        _print_refinement(ref)


def _print_peaks(out: dict) -> None:
    if out["unfitted_peaks_deg"]:
        print(f"peaks found but not fitted (overlap/convergence): {out['unfitted_peaks_deg']}")
    print(f"{'2θ (deg)':>10} {'FWHM':>8} {'η':>5} {'sample FWHM':>12} {'Scherrer D (Å)':>15}")
    for p in out["peaks"]:
        fs = p.get("sample_fwhm_deg")
        d = p.get("scherrer_size_A")
        if d is not None:
            size = f"{d:.1f}"
        elif p.get("resolved") is False:
            size = f"> {p['size_limit_A']:.0f} (unres.)"
        else:
            size = ""
        print(
            f"{p['two_theta_deg']:10.4f} {p['fwhm_deg']:8.4f} {p['eta']:5.2f} "
            f"{'' if fs is None else f'{fs:.4f}':>12} {size:>15}"
        )
    for note in out.get("size_notes", []):
        print(f"note: {note}")
    wh = out.get("williamson_hall")
    if wh and not wh["reason"] and not wh["size_err_A"] < 0.5 * wh["size_A"]:
        print(
            f"Williamson–Hall: ε = {wh['strain']:.3e} ± {wh['strain_err']:.1e}; D not "
            f"significant ({wh['size_A']:.0f} ± {wh['size_err_A']:.0f} Å), R² = "
            f"{wh['r_squared']:.2f}"
        )
    elif wh and not wh["reason"]:
        print(
            f"Williamson–Hall: D = {wh['size_A']:.1f} ± {wh['size_err_A']:.1f} Å, "
            f"ε = {wh['strain']:.3e} ± {wh['strain_err']:.1e}, R² = {wh['r_squared']:.4f}"
        )
    elif wh:
        print(f"Williamson–Hall: ε = {wh['strain']:.3e} ± {wh['strain_err']:.1e}; no size")
    elif out["instrument"] is None:
        print("no instrument function (--instrument or --standard): sizes not computed")


def _print_refinement(ref: dict) -> None:
    cells = ref["lattice"] if "phase" not in ref else {ref["phase"]: ref["lattice"]}
    errs = ref["lattice_errors"] if "phase" not in ref else {ref["phase"]: ref["lattice_errors"]}
    for tag, cell in cells.items():
        text = ", ".join(f"{k} = {format_esd(v, errs[tag].get(k))}" for k, v in cell.items())
        print(f"refinement ({tag}): {text}")
    print(
        f"Rp = {ref['rp']:.4f}, Rwp = {ref['rwp']:.4f}, Rexp = {ref['rexp']:.4f}, "
        f"χ² = {ref['chi2']:.2f} ({ref['n_points']} points, {ref['n_parameters']} parameters, "
        f"polarization {ref['polarization']})"
    )
    for tag, w in ref.get("weight_fractions", {}).items():
        print(f"weight fraction {tag}: {format_esd(100 * w['value'], 100 * w['esd'], 2)} wt%")
    print(f"{'parameter':>24} {'value(esd)':>18}")
    for name, p in ref["parameters"].items():
        esd = p["esd"] if p["esd"] is not None and np.isfinite(p["esd"]) else None
        print(f"{name:>24} {format_esd(p['value'], esd):>18}")
    for w in ref["warnings"]:
        print(f"  warning: {w}")
    if ref.get("cif"):
        print(f"refined structure written to {ref['cif']}")
