"""Instrument parameter files of GSAS and GSAS-II, converted to the suite's units.

Public API
----------
InstrumentParameters : wavelengths [(λ Å, weight)], zero (deg 2θ), polarization fraction,
    profile (:class:`~axsuite.analysis.lineprofile.InstrumentFunction`, FWHM units: deg²/deg),
    notes on terms that have no counterpart here.
read_instrument_parameters(path) : by suffix — GSAS ``.prm``/``.ins`` (via
    :func:`~axsuite.analysis.readers.read_gsas_instrument`), GSAS-II ``.instprm``, or a
    YAML/JSON mapping of U, V, W, X, Y (deg) with optional ``wavelength_A``/``polarization``.

Conversions (GSAS manual, Larson & Von Dreele, LAUR 86-748, 2004, CW profile functions 2–4;
GSAS-II ``G2pwd.getFWHM``, Toby & Von Dreele, J. Appl. Cryst. 46 (2013) 544): GSAS(-II) GU,
GV, GW give the Gaussian *variance* σ² = GU tan²θ + GV tanθ + GW in centideg², so the
Gaussian FWHM² (deg²) has U = 8 ln2 · GU · 10⁻⁴ (same for V, W); LX, LY (GSAS) and X, Y
(GSAS-II) are Lorentzian FWHM terms in centideg, X = LX/100. Polarization: both programs use
P = k + (1 − k) cos²2θ with k = POLA (GSAS, IPOLA = 0) or ``Polariz.`` (GSAS-II), the
convention of :func:`~axsuite.analysis.crystal.lorentz_polarization`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from .lineprofile import InstrumentFunction
from .readers import read_gsas_instrument

__all__ = ["InstrumentParameters", "read_instrument_parameters", "SIGMA2_CENTIDEG_TO_FWHM2_DEG"]

#: Gaussian σ² in centideg² → FWHM² in deg²: 8 ln 2 × 10⁻⁴.
SIGMA2_CENTIDEG_TO_FWHM2_DEG = 8.0 * np.log(2.0) * 1e-4

# GSAS CW profile functions: index of GU, GV, GW, LX, LY among the PRCF terms.
_GSAS_TERMS = {2: (0, 1, 2, 3, 4), 3: (0, 1, 2, 4, 5), 4: (0, 1, 2, 4, 5)}


@dataclass(frozen=True)
class InstrumentParameters:
    """Instrument description read from a file (units of the suite: Å, deg)."""

    wavelengths: tuple[tuple[float, float], ...]
    zero_deg: float
    polarization: float | None
    profile: InstrumentFunction | None
    source: str
    notes: tuple[str, ...] = ()


def read_instrument_parameters(path: str | Path) -> InstrumentParameters:
    """Read a GSAS ``.prm``, a GSAS-II ``.instprm`` or a YAML/JSON instrument file (by suffix)."""
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"cannot read instrument file {str(path)!r}")
    suffix = p.suffix.lower()
    if suffix == ".instprm":
        return _read_instprm(p)
    if suffix in (".prm", ".ins", ".inst", ".iparm"):
        return _from_gsas(p)
    if suffix in (".yaml", ".yml", ".json"):
        return _read_mapping(p)
    raise ValueError(
        f"{p.name}: unknown instrument file type {suffix!r}; allowed: .prm/.ins (GSAS), "
        ".instprm (GSAS-II), .yaml/.json (U, V, W, X, Y in deg)"
    )


def _profile(gu, gv, gw, lx, ly, wavelength_A: float, source: str) -> InstrumentFunction:
    k = SIGMA2_CENTIDEG_TO_FWHM2_DEG
    return InstrumentFunction(
        U=gu * k, V=gv * k, W=gw * k, X=lx / 100.0, Y=ly / 100.0, wavelength_A=wavelength_A,
        standard=source,
    )  # fmt: skip


def _from_gsas(p: Path) -> InstrumentParameters:
    g = read_gsas_instrument(p)
    notes = []
    profile = None
    idx = _GSAS_TERMS.get(g.profile_type)
    if idx is not None and len(g.profile_terms) > max(idx):
        gu, gv, gw, lx, ly = (g.profile_terms[i] for i in idx)
        profile = _profile(gu, gv, gw, lx, ly, g.wavelength1_A, p.name)
        if g.profile_type in (3, 4) and len(g.profile_terms) > 7:
            gp, sl, hl = g.profile_terms[3], g.profile_terms[6], g.profile_terms[7]
            if gp:
                notes.append(f"GP = {gp} centideg² (Gaussian 1/cos²θ term) is not used")
            if sl or hl:
                notes.append(
                    f"S/L = {sl}, H/L = {hl} (Finger–Cox–Jephcoat asymmetry) have no "
                    "counterpart; refine 'asymmetry' (axial divergence) instead"
                )
    elif g.profile_type:
        notes.append(f"GSAS profile function {g.profile_type} is not converted; profile not used")
    return InstrumentParameters(
        g.wavelengths, g.zero_centideg / 100.0, g.polarization, profile, p.name, tuple(notes)
    )


def _read_instprm(p: Path) -> InstrumentParameters:
    """GSAS-II ``key:value`` lines (``#`` comments); ``Lam``, or ``Lam1``, ``Lam2``, ``I(L2)/I(L1)``
    for a doublet."""
    rec: dict[str, str] = {}
    for ln in p.read_text(errors="replace").splitlines():
        if ln.strip().startswith("#") or ":" not in ln:
            continue
        key, _, val = ln.partition(":")
        rec[key.strip()] = val.strip()

    def num(key: str, default: float | None = None) -> float:
        if key not in rec:
            if default is None:
                raise ValueError(f"{p.name}: GSAS-II instrument file lacks {key!r}")
            return default
        try:
            return float(rec[key])
        except ValueError:
            raise ValueError(f"{p.name}: {key} = {rec[key]!r} is not a number") from None

    typ = rec.get("Type", "")
    if not typ.startswith("PX"):
        raise ValueError(f"{p.name}: Type {typ!r} is not an X-ray powder instrument (PXC)")
    if "Lam" in rec:
        lam: tuple[tuple[float, float], ...] = ((num("Lam"), 1.0),)
    else:
        lam = ((num("Lam1"), 1.0), (num("Lam2"), num("I(L2)/I(L1)", 0.5)))
    notes = []
    if num("SH/L", 0.0) > 0:
        notes.append(
            f"SH/L = {num('SH/L')} (Finger–Cox–Jephcoat asymmetry) has no counterpart; "
            "refine 'asymmetry' (axial divergence) instead"
        )
    if num("Z", 0.0) != 0:
        notes.append(f"Z = {num('Z')} centideg (constant Lorentzian) is not used")
    profile = _profile(
        num("U"), num("V"), num("W"), num("X", 0.0), num("Y", 0.0), lam[0][0], p.name
    )
    return InstrumentParameters(
        lam, num("Zero", 0.0), num("Polariz.", 0.5), profile, p.name, tuple(notes)
    )


def _read_mapping(p: Path) -> InstrumentParameters:
    text = p.read_text()
    data = json.loads(text) if p.suffix.lower() == ".json" else yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{p.name}: expected a mapping with U, V, W, X, Y")
    data = dict(data)
    pol = data.pop("polarization", None)
    lam = data.get("wavelength_A")
    wavelengths = ((float(lam), 1.0),) if lam is not None and float(lam) > 0 else ()
    return InstrumentParameters(
        wavelengths, 0.0, None if pol is None else float(pol),
        InstrumentFunction.from_dict(data), p.name,
    )  # fmt: skip
