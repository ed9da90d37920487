"""``axs analyze-pattern FILE``: line-profile analysis and Rietveld refinement of a pattern file.

Reads xy/xye/prn, GSAS (.gsas/.XRA/.fxye) or pdCIF files
(:func:`axsuite.analysis.readers.read_pattern`), finds and fits the peaks (TCH), and with an
instrument function (``--instrument``: GSAS ``.prm``, GSAS-II ``.instprm`` or a JSON/YAML
file with U, V, W, X, Y in deg; or ``--standard`` pattern of a standard measured at the same
wavelength) reports sample breadths, Scherrer sizes and Williamson–Hall size/strain. With
``--cif`` (one per phase; CIF or GSAS ``.EXP``) it refines the structures against the whole
pattern (:func:`axsuite.analysis.refinement.refine_pattern`): 2θ range, excluded regions,
polarization (instrument file or option), specimen displacement, background order,
per-phase scale and Lorentzian broadening; prints the refined parameters with esds, Rp, Rwp,
Rexp, χ² and correlation warnings; ``--write-cif`` writes the refined structures (gemmi).
Output: a table, or JSON with ``--json``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from axsuite.analysis.crystal import Crystal, crystal_from_cif
from axsuite.analysis.crystal.cif import write_cif
from axsuite.analysis.instrument_params import InstrumentParameters, read_instrument_parameters
from axsuite.analysis.lineprofile import (
    InstrumentFunction,
    find_peaks,
    fit_instrument_function,
    fit_peaks,
    size_strain_from_fits,
)
from axsuite.analysis.readers import read_gsas_exp_phase, read_pattern
from axsuite.analysis.refinement import PhaseModel, refine_pattern, weight_fractions

from .analyze_pattern_text import print_result

#: Plausible X-ray wavelengths (Å): below, no diffractometer; above, the value is not in Å.
WAVELENGTH_RANGE_A = (0.05, 6.0)
#: Scherrer constants of Langford & Wilson (1978) lie in 0.8–1.4; beyond 2 it is a typo.
K_RANGE = (0.0, 2.0)


def configure_parser(p: argparse.ArgumentParser) -> None:
    """Arguments of ``axs analyze-pattern``."""
    p.add_argument("file", help="pattern file (xy, xye, prn, GSAS .gsas/.XRA/.fxye, pdCIF)")
    p.add_argument("--wavelength", type=float, default=None, help="wavelength λ1 in Å")
    p.add_argument("--doublet", default=None, help="Kα2 as 'λ2,ratio' (e.g. 1.54443,0.5)")
    group = p.add_mutually_exclusive_group()
    group.add_argument(
        "--instrument", default=None,
        help="instrument file: GSAS .prm, GSAS-II .instprm, or JSON/YAML with U, V, W, X, Y",
    )  # fmt: skip
    group.add_argument("--standard", default=None, help="pattern of a line-profile standard")
    p.add_argument("--k", type=float, default=0.89, help="Scherrer constant (FWHM), default 0.89")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--no-peaks", action="store_true", help="skip peak fits (refinement only)")
    r = p.add_argument_group("whole-pattern refinement")
    r.add_argument(
        "--cif",
        action="append",
        default=None,
        help="structure of a phase (CIF or GSAS .EXP); repeat for more phases",
    )
    r.add_argument("--range", default=None, help="2θ range of the refinement 'min,max' (deg)")
    r.add_argument(
        "--exclude",
        action="append",
        default=[],
        help="excluded 2θ region 'min,max' (deg); repeatable",
    )
    r.add_argument(
        "--polarization",
        type=float,
        default=None,
        help="polarization fraction k in P = k + (1−k)cos²2θ (default: instrument file, else 0.5)",
    )
    r.add_argument(
        "--monochromator",
        type=float,
        default=None,
        help="2θ (deg) of a diffracted-beam monochromator",
    )
    r.add_argument(
        "--displacement", type=float, default=0.0, help="starting specimen displacement (mm)"
    )
    r.add_argument("--radius", type=float, default=240.0, help="goniometer radius (mm)")
    r.add_argument(
        "--texture", action="append", default=[],
        help="March–Dollase preferred-orientation axis 'h,k,l' (one phase) or 'PHASE=h,k,l'; "
        "refines r (group 'texture')",
    )  # fmt: skip
    r.add_argument(
        "--axial", type=float, default=0.0,
        help="starting effective axial divergence (deg; > 0 when 'asymmetry' is refined)",
    )  # fmt: skip
    r.add_argument(
        "--background-terms", type=int, default=6, help="Chebyshev background terms (default 6)"
    )
    r.add_argument(
        "--refine",
        default=None,
        help="comma-separated groups/parameters (default: scale, background, "
        "lattice, zero, profile; with --instrument: scale, background, "
        "lattice, displacement, lorentzian, uiso; more phases: phase_profile "
        "instead of profile/lorentzian)",
    )
    r.add_argument(
        "--cutoff-fwhm", type=float, default=40.0,
        help="peaks evaluated within ±this many FWHM (default 40; 15 is faster, loses 1.6 %% "
        "of a Lorentzian's area)",
    )  # fmt: skip
    r.add_argument("--write-cif", default=None, help="write the refined structure(s) here")


def _opt(args: argparse.Namespace, name: str, default=None):
    """An option that older callers' Namespaces may lack."""
    return getattr(args, name, default)


def _pair(text: str, option: str) -> tuple[float, float]:
    try:
        lo, hi = (float(v) for v in str(text).split(","))
    except ValueError:
        raise ValueError(f"{option} {text!r} must be 'min,max' in deg, e.g. 15,130") from None
    if not 0 <= lo < hi <= 180:
        raise ValueError(f"{option} {text!r}: need 0 ≤ min < max ≤ 180 deg")
    return lo, hi


def _check_options(args: argparse.Namespace) -> None:
    lam = args.wavelength
    if lam is not None and not WAVELENGTH_RANGE_A[0] <= lam <= WAVELENGTH_RANGE_A[1]:
        raise ValueError(
            f"--wavelength {lam} is outside {WAVELENGTH_RANGE_A[0]}–{WAVELENGTH_RANGE_A[1]} Å "
            "(give λ in Å, e.g. 1.5406 for Cu Kα1)"
        )
    if not K_RANGE[0] < args.k <= K_RANGE[1]:
        raise ValueError(f"--k {args.k}: the Scherrer constant must lie in (0, 2] (0.89 usual)")
    pol = _opt(args, "polarization")
    if pol is not None and not 0.0 <= pol <= 1.0:
        raise ValueError(f"--polarization {pol} must lie in [0, 1]")
    if not 1 <= _opt(args, "background_terms", 6) <= 30:
        raise ValueError(f"--background-terms {args.background_terms} must lie in 1…30")
    if not _opt(args, "radius", 240.0) > 0:
        raise ValueError(f"--radius {args.radius} must be a positive length (mm)")
    if _opt(args, "range"):
        _pair(args.range, "--range")
    for region in _opt(args, "exclude", []) or []:
        _pair(region, "--exclude")
    if not 3 <= _opt(args, "cutoff_fwhm", 40.0) <= 200:
        raise ValueError(f"--cutoff-fwhm {args.cutoff_fwhm} must lie in 3…200")
    if not 0 <= _opt(args, "axial", 0.0) <= 10:
        raise ValueError(f"--axial {args.axial} must lie in 0…10 deg")


def _wavelengths(args, data, instp: InstrumentParameters | None) -> list[tuple[float, float]]:
    if args.wavelength is not None:
        lam = [(float(args.wavelength), 1.0)]
    elif instp is not None and instp.wavelengths:
        lam = [tuple(w) for w in instp.wavelengths]
    elif data.wavelengths:
        lam = [data.wavelengths[0]]
    else:
        raise ValueError(f"{data.source}: the file states no wavelength; give --wavelength (Å)")
    if args.doublet:
        try:
            l2, ratio = (float(v) for v in args.doublet.split(","))
        except ValueError:
            raise ValueError("--doublet must be 'λ2,ratio', e.g. 1.54443,0.5") from None
        if not WAVELENGTH_RANGE_A[0] <= l2 <= WAVELENGTH_RANGE_A[1] or not 0 <= ratio <= 1:
            raise ValueError("--doublet needs λ2 in Å (0.05–6) and 0 ≤ ratio ≤ 1")
        lam = [lam[0], (l2, ratio)]
    return lam


def _doublet(lam):
    return (lam[0][0], lam[1][0], lam[1][1]) if len(lam) > 1 else None


def _standard(path: str, lam) -> InstrumentFunction:
    std = read_pattern(path)
    centers = find_peaks(std.two_theta_deg, std.intensity, doublet=_doublet(lam)).two_theta_deg
    fits = fit_peaks(
        std.two_theta_deg, std.intensity, centers, sigma=std.sigma, doublet=_doublet(lam)
    )
    return fit_instrument_function(
        [f.center_deg for f in fits],
        [f.gamma_g_deg for f in fits],
        [f.gamma_l_deg for f in fits],
        wavelength_A=lam[0][0],
        standard=Path(path).name,
    )


def _line_profile(args, data, lam, inst) -> dict:
    """Peak search, TCH fits and (with an instrument function) sizes and strain."""
    x, y = data.two_theta_deg, data.intensity
    centers = find_peaks(x, y, doublet=_doublet(lam)).two_theta_deg
    fits = fit_peaks(x, y, centers, sigma=data.sigma, doublet=_doublet(lam), skip_failed=True)
    if not fits:
        raise ValueError(f"{data.source}: none of the {centers.size} peaks found could be fitted")
    fitted = np.array([f.center_deg for f in fits])
    tol = 0.5 * float(np.median([f.fwhm_deg for f in fits]))  # a fit belongs to a peak found
    out: dict = {
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
        ],  # fmt: skip
        "unfitted_peaks_deg": [float(c) for c in centers if np.min(np.abs(fitted - c)) > tol],
    }
    if inst is not None:
        ss = size_strain_from_fits(fits, lam[0][0], inst, k=args.k)
        for i, row in enumerate(out["peaks"]):
            d = ss.scherrer_size_A[i]
            row["sample_fwhm_deg"] = float(ss.fwhm_sample_deg[i])
            row["resolved"] = bool(ss.resolved[i])
            row["scherrer_size_A"] = float(d) if np.isfinite(d) else None
            row["size_limit_A"] = float(ss.size_limit_A[i])
        out["size_notes"] = list(ss.notes)
        wh = ss.williamson_hall
        out["williamson_hall"] = None if wh is None else {
            "size_A": wh.size_A, "size_err_A": wh.size_err_A, "strain": wh.strain,
            "strain_err": wh.strain_err, "r_squared": wh.r_squared,
            "negative_intercept": wh.negative_intercept, "k": wh.k, "reason": wh.reason,
        }  # fmt: skip
    return out


def _phase(path: str) -> Crystal:
    if Path(path).suffix.lower() == ".exp":
        return read_gsas_exp_phase(path)
    return crystal_from_cif(path)


def _groups(args, inst_from_file: bool, n_phases: int) -> tuple[str, ...]:
    if _opt(args, "refine"):
        return tuple(g.strip() for g in args.refine.split(",") if g.strip())
    groups = (
        ("scale", "background", "lattice", "displacement", "lorentzian", "uiso")
        if inst_from_file
        else ("scale", "background", "lattice", "zero", "profile")
    )
    if _opt(args, "texture"):
        groups = (*groups, "texture")
    if n_phases == 1:
        return groups
    # several phases: each its own Lorentzian terms instead of the shared X, Y (degenerate)
    return (*(g for g in groups if g not in ("profile", "lorentzian")), "phase_profile") + (
        () if inst_from_file else ("gaussian",)
    )


def _textures(specs: list[str], crystals: list[Crystal]) -> dict[str, tuple[int, int, int]]:
    """Phase name → March–Dollase axis from ``--texture`` values ('h,k,l' or 'NAME=h,k,l')."""
    names = [c.name for c in crystals]
    out = {}
    for spec in specs:
        name, _, hkl = spec.rpartition("=")
        if not name and len(names) > 1:
            raise ValueError(f"--texture {spec!r}: several phases; write NAME=h,k,l ({names})")
        name = name or names[0]
        if name not in names:
            raise ValueError(f"--texture {spec!r}: no phase {name!r}; phases are {names}")
        try:
            axis = tuple(int(v) for v in hkl.split(","))
        except ValueError:
            axis = ()
        if len(axis) != 3 or not any(axis):
            raise ValueError(f"--texture {spec!r}: the axis must be three integers h,k,l ≠ 0,0,0")
        out[name] = axis
    return out


def _refinement(args, data, lam, inst, instp) -> dict:
    crystals = [_phase(p) for p in args.cif]
    axes = _textures(_opt(args, "texture", []) or [], crystals)
    phases = [PhaseModel(c, texture_axis=axes.get(c.name)) for c in crystals]
    pol = _opt(args, "polarization")
    if pol is None:
        pol = instp.polarization if instp is not None and instp.polarization is not None else 0.5
    rng = _opt(args, "range")
    r = refine_pattern(
        data.two_theta_deg, data.intensity, phases, wavelengths=lam, sigma=data.sigma,
        instrument=inst, refine=_groups(args, instp is not None, len(phases)),
        zero_deg=instp.zero_deg if instp is not None else 0.0,
        displacement_mm=_opt(args, "displacement", 0.0),
        axial_divergence_deg=_opt(args, "axial", 0.0),
        goniometer_radius_mm=_opt(args, "radius", 240.0), polarization=pol,
        monochromator_two_theta_deg=_opt(args, "monochromator"),
        background_terms=_opt(args, "background_terms", 6),
        two_theta_range=None if rng is None else _pair(rng, "--range"),
        exclude=[_pair(e, "--exclude") for e in _opt(args, "exclude", []) or []],
        cutoff_fwhm=_opt(args, "cutoff_fwhm", 40.0),
    )  # fmt: skip
    out = {
        "phases": list(r.lattice), "lattice": r.lattice, "lattice_errors": r.lattice_errors,
        "rp": r.rp, "rwp": r.rwp, "rexp": r.rexp, "chi2": r.chi2, "n_points": r.n_points,
        "n_parameters": r.n_parameters, "polarization": pol,
        "parameters": {n: {"value": r.values[n], "esd": r.errors[n]} for n in r.varied},
        "profile": {k: r.values[k] for k in "UVWXY"}, "warnings": list(r.warnings),
    }  # fmt: skip
    if len(phases) > 1:  # Hill & Howard (1987) from the scales
        out["weight_fractions"] = {
            t: {"value": w, "esd": e} for t, (w, e) in weight_fractions(r).items()
        }
    if len(phases) == 1:  # single phase: flat lattice mappings, as in earlier versions
        tag = out["phase"] = out["phases"][0]
        out["lattice"], out["lattice_errors"] = r.lattice[tag], r.lattice_errors[tag]
    if _opt(args, "write_cif"):
        path = write_cif(
            list(r.crystals.values()), args.write_cif,
            cell_esds={c.name: r.lattice_errors[t] for t, c in r.crystals.items()},
            uiso_esds={c.name: r.uiso_errors[t] for t, c in r.crystals.items()},
            comment=f"axsuite refine_pattern, Rwp = {r.rwp:.4f}",
        )  # fmt: skip
        out["cif"] = str(path)
    return out


def analyze(args: argparse.Namespace) -> dict:
    """Run the analysis; returns a JSON-ready dict (ValueError on bad input)."""
    _check_options(args)
    data = read_pattern(args.file)
    instp = inst = None
    if args.instrument:
        instp = read_instrument_parameters(args.instrument)
        inst = instp.profile
    lam = _wavelengths(args, data, instp)
    if args.standard:
        inst = _standard(args.standard, lam)
    out: dict = {
        "file": str(args.file),
        "wavelengths_A": lam,
        "instrument": inst.to_dict() if inst is not None else None,
        "instrument_notes": list(instp.notes) if instp is not None else [],
        "peaks": [],
        "unfitted_peaks_deg": [],
    }
    if not _opt(args, "no_peaks", False):
        out.update(_line_profile(args, data, lam, inst))
    if args.cif:
        out["refinement"] = _refinement(args, data, lam, inst, instp)
    return out


def cmd_analyze_pattern(args: argparse.Namespace) -> int:
    """peak fits, size/strain and Rietveld refinement of a pattern file (no scan needed)"""
    out = analyze(args)
    if args.json:
        print(json.dumps(out, indent=1, default=float))
    else:
        print_result(out)
    return 0
