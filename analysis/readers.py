"""Readers for measured powder patterns and GSAS instrument/experiment files.

Public API
----------
PowderData : frozen pattern (2θ in deg, intensity, σ, wavelengths, metadata).
read_pattern(path, fmt=None) : dispatch by format ("xy", "xye", "prn", "gsas", "pdcif").
read_xy(path), read_gsas(path), read_pdcif(path, block=None) : the individual readers.
GsasInstrument, read_gsas_instrument(path) : λ1, λ2, zero, polarization, Kα2/Kα1 ratio,
    profile terms of a GSAS ``.prm``/``.PRM`` instrument parameter file.
read_gsas_exp_phase(path, phase=1) -> Crystal : structure from a GSAS-I ``.EXP`` file.

Formats
-------
* xy/xye/prn: whitespace or comma separated columns 2θ, I[, σ]; lines starting with
  ``#``, ``!``, ``;`` or non-numeric header lines are skipped.
* GSAS standard powder data (Larson & Von Dreele, *GSAS manual*, LAUR 86-748, 2004):
  title line, ``BANK n nchan nrec CONST bcoef1 bcoef2 0 0 STD|ESD`` (2θ start/step in
  centidegrees), STD = 10 fields of (I2 counters, F6 counts) per record, σ = √(I/NC)…;
  ESD = pairs (I, σ) in F8; ``FXYE`` = (2θ centideg, I, σ) triples.
* pdCIF (Toby, *IUCr CIF Vol. G* §4.2): loops with ``_pd_proc_2theta_corrected`` or
  ``_pd_meas_2theta_scan``, intensities from ``_pd_proc_intensity_total`` /
  ``_pd_meas_counts_total`` / ``_pd_meas_intensity_total``, weights ``_pd_proc_ls_weight``
  (σ = w^−½) or ``_pd_proc_intensity_total_su``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import gemmi
import numpy as np

from .crystal import AtomSite, Crystal, reciprocal_metric

__all__ = [
    "GsasInstrument",
    "PowderData",
    "read_gsas",
    "read_gsas_exp_phase",
    "read_gsas_instrument",
    "read_pattern",
    "read_pdcif",
    "read_xy",
]


@dataclass(frozen=True)
class PowderData:
    """A measured powder pattern: 2θ (deg), intensity (counts), σ (counts; None if unknown),
    wavelengths [(λ in Å, relative weight)] if the file states them, metadata."""

    two_theta_deg: np.ndarray
    intensity: np.ndarray
    sigma: np.ndarray | None
    wavelengths: tuple[tuple[float, float], ...] = ()
    source: str = ""
    metadata: dict = field(default_factory=dict)


def _path(path: str | Path) -> Path:
    p = Path(path)
    if not p.is_file():
        raise ValueError(f"cannot read {str(path)!r}: no such file")
    return p


def _text(p: Path) -> str:
    raw = p.read_bytes()
    if b"\x00" in raw[:4096]:
        raise ValueError(f"{p.name}: binary file, not a supported text pattern format")
    return raw.decode("latin-1")


def _finish(x, y, s, source, wavelengths=(), **meta) -> PowderData:
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    if x.size < 10:
        raise ValueError(f"{source}: only {x.size} data points read (need ≥ 10)")
    if x.shape != y.shape or (s is not None and np.shape(s) != x.shape):
        raise ValueError(f"{source}: columns of unequal length")
    if not np.all(np.isfinite(x)) or not np.all(np.isfinite(y)):
        raise ValueError(f"{source}: non-numeric or non-finite values in the data")
    if np.any((x <= 0) | (x >= 180)):
        raise ValueError(f"{source}: 2θ outside (0, 180) deg — not an angle-dispersive pattern")
    return PowderData(
        x, y, None if s is None else np.asarray(s, dtype=float), tuple(wavelengths), source, meta
    )


def read_xy(path: str | Path) -> PowderData:
    """Two- or three-column text (2θ deg, I[, σ]); also the CPD ``.prn`` files."""
    p = _path(path)
    rows = []
    for line in _text(p).splitlines():
        t = line.strip()
        if not t or t[0] in "#!;'\"":
            continue
        parts = re.split(r"[,\s]+", t)
        try:
            vals = [float(v) for v in parts]
        except ValueError:
            if rows:
                raise ValueError(
                    f"{p.name}: non-numeric line inside the data: {t[:60]!r}"
                ) from None
            continue
        rows.append(vals[:3])
    if not rows:
        raise ValueError(f"{p.name}: no numeric columns found")
    ncol = min(len(r) for r in rows)
    if ncol < 2:
        raise ValueError(f"{p.name}: need at least two columns (2θ, intensity)")
    a = np.array([r[:ncol] for r in rows])
    return _finish(a[:, 0], a[:, 1], a[:, 2] if ncol >= 3 else None, p.name)


def read_gsas(path: str | Path) -> PowderData:
    """GSAS standard powder data (CONST/CONS with STD or ESD, FXYE) for constant-wavelength
    2θ scans."""
    p = _path(path)
    lines = _text(p).splitlines()
    bank = next((i for i, ln in enumerate(lines) if ln.startswith("BANK")), None)
    if bank is None:
        raise ValueError(f"{p.name}: no BANK record — not a GSAS powder data file")
    head = lines[bank].split()
    try:
        nchan = int(head[2])
        binning = head[4].upper()
    except (IndexError, ValueError):
        raise ValueError(f"{p.name}: malformed BANK record {lines[bank]!r}") from None
    body = [ln for ln in lines[bank + 1 :] if ln.strip() and not ln.startswith("BANK")]
    meta = {"title": lines[0].strip(), "bank": lines[bank].strip()}
    fmt = head[-1].upper()
    try:
        if fmt == "FXYE":  # (2θ centideg, I, σ) triples; any binning keyword
            a = np.array([[float(v) for v in ln.split()[:3]] for ln in body[:nchan]])
            if a.ndim != 2 or a.shape != (nchan, 3):
                raise ValueError(f"{p.name}: {len(body)} of {nchan} FXYE points present")
            return _finish(a[:, 0] / 100.0, a[:, 1], a[:, 2], p.name, **meta)
        if binning not in ("CONST", "CONS"):
            raise ValueError(f"{p.name}: unsupported GSAS binning {binning!r} (CONST or FXYE)")
        start, step = float(head[5]) / 100.0, float(head[6]) / 100.0
        x = start + step * np.arange(nchan)
        if fmt == "ESD":
            vals = np.array([float(v) for ln in body for v in _fixed(ln, 8)])
            if vals.size < 2 * nchan:
                raise ValueError(f"{p.name}: {vals.size // 2} of {nchan} ESD points present")
            y, s = vals[0 : 2 * nchan : 2], vals[1 : 2 * nchan : 2]
        elif fmt in ("STD", "CONST", "CONS") or len(head) <= 9:
            y, s = _gsas_std(body, nchan, p.name)
        else:
            raise ValueError(f"{p.name}: unsupported GSAS data format {fmt!r}")
    except (IndexError, ValueError) as exc:
        if str(exc).startswith(p.name):
            raise
        raise ValueError(f"{p.name}: malformed GSAS data ({exc})") from None
    return _finish(x, y, s, p.name, **meta)


def _gsas_std(body: list[str], nchan: int, name: str) -> tuple[np.ndarray, np.ndarray]:
    """GSAS STD records: 10 fields of (I2 counter number, F6 counts); σ = √(I/NC)."""
    y, nc = [], []
    for ln in body:
        for fld in _fixed(ln, 8, raw=True):
            c = fld[:2].strip()
            nc.append(int(c) if c else 1)
            y.append(float(fld[2:]))
    if len(y) < nchan:
        raise ValueError(f"{name}: {len(y)} of {nchan} STD points present")
    counts = np.array(y[:nchan])
    ncount = np.array(nc[:nchan], dtype=float)
    if np.any(ncount <= 0):
        raise ValueError(f"{name}: STD record with a non-positive counter number")
    return counts, np.sqrt(np.maximum(counts, 1.0) / ncount)


def _fixed(line: str, width: int, raw: bool = False) -> list:
    out = []
    t = line.rstrip("\n")
    for i in range(0, len(t.rstrip()), width):
        fld = t[i : i + width]
        if not fld.strip():
            continue
        if raw:
            out.append(fld.rjust(width))
        else:
            out.append(float(fld))
    return out


def read_pdcif(path: str | Path, block: str | None = None) -> PowderData:
    """Measured pattern from a pdCIF file (the first block with 2θ data, or ``block``)."""
    p = _path(path)
    try:
        doc = gemmi.cif.read(str(p))
    except (RuntimeError, ValueError) as exc:
        raise ValueError(f"{p.name}: not a readable CIF ({exc})") from None
    x_tags = ("_pd_proc_2theta_corrected", "_pd_meas_2theta_scan", "_pd_meas_angle_2theta")
    y_tags = ("_pd_meas_counts_total", "_pd_meas_intensity_total", "_pd_proc_intensity_total")
    lam = []
    for b in doc:
        for tag in ("_diffrn_radiation_wavelength", "_pd_proc_wavelength"):
            v = b.find_value(tag)
            if v and _num(v) is not None:
                lam.append((_num(v), 1.0))
    for b in doc:
        if block is not None and b.name != block:
            continue
        xt = next((t for t in x_tags if b.find_values(t)), None)
        yt = next((t for t in y_tags if b.find_values(t)), None)
        if xt is None or yt is None:
            continue
        x = np.array([_num(v) for v in b.find_values(xt)], dtype=float)
        y = np.array([_num(v) for v in b.find_values(yt)], dtype=float)
        s = None
        if b.find_values("_pd_proc_ls_weight"):
            w = np.array([_num(v) for v in b.find_values("_pd_proc_ls_weight")], dtype=float)
            s = np.where(w > 0, 1.0 / np.sqrt(np.where(w > 0, w, 1.0)), np.inf)
        elif b.find_values("_pd_proc_intensity_total_su"):
            s = np.array([_num(v) for v in b.find_values("_pd_proc_intensity_total_su")], float)
        return _finish(x, y, s, p.name, lam[:1], block=b.name)
    raise ValueError(f"{p.name}: no pdCIF block with 2θ and intensity loops" + (
        f" named {block!r}" if block else ""))  # fmt: skip


def _num(v: str) -> float | None:
    """CIF number with optional s.u. in parentheses."""
    m = re.match(r"^\s*([-+]?[\d.]+(?:[eE][-+]?\d+)?)", v)
    return float(m.group(1)) if m else None


_EXT = {
    ".xy": "xy", ".xye": "xy", ".dat": "xy", ".txt": "xy", ".csv": "xy", ".prn": "xy",
    ".gsas": "gsas", ".gsa": "gsas", ".gss": "gsas", ".xra": "gsas", ".fxye": "gsas",
    ".cif": "pdcif",
}  # fmt: skip


def read_pattern(path: str | Path, fmt: str | None = None) -> PowderData:
    """Read a powder pattern; ``fmt`` one of "xy", "xye", "prn", "gsas", "pdcif" (default:
    from the file extension). ValueError for unknown formats or unreadable files."""
    p = _path(path)
    kind = (fmt or _EXT.get(p.suffix.lower(), "")).lower()
    kind = {"xye": "xy", "prn": "xy", "cif": "pdcif"}.get(kind, kind)
    if kind == "xy":
        return read_xy(p)
    if kind == "gsas":
        return read_gsas(p)
    if kind == "pdcif":
        return read_pdcif(p)
    raise ValueError(
        f"{p.name}: unknown pattern format {p.suffix or fmt!r}; use xy, xye, prn, gsas, pdcif"
    )


@dataclass(frozen=True)
class GsasInstrument:
    """GSAS instrument parameters (bank 1): wavelengths (Å), zero (centideg), polarization,
    Kα2/Kα1 ratio, profile type and terms (GSAS units: centideg)."""

    wavelength1_A: float
    wavelength2_A: float | None
    zero_centideg: float
    polarization: float
    ratio: float
    profile_type: int
    profile_terms: tuple[float, ...]

    @property
    def wavelengths(self) -> tuple[tuple[float, float], ...]:
        """[(λ1, 1), (λ2, ratio)] or [(λ, 1)]."""
        if self.wavelength2_A:
            return ((self.wavelength1_A, 1.0), (self.wavelength2_A, self.ratio))
        return ((self.wavelength1_A, 1.0),)


def read_gsas_instrument(path: str | Path, bank: int = 1) -> GsasInstrument:
    """Parse ``INS  n ICONS`` (λ1 λ2 zero · POLA IPOLA KRATIO) and ``PRCF`` records."""
    p = _path(path)
    rec = {}
    for ln in _text(p).splitlines():
        if ln.startswith("INS"):
            rec[ln[3:12].strip()] = ln[12:].rstrip()
    key = f"{bank} ICONS"
    if key not in rec:
        raise ValueError(f"{p.name}: no 'INS {bank} ICONS' record — not a GSAS instrument file")
    # fixed columns (F10 λ1, λ2, zero, ·, POLA, I5 IPOLA, F10 KRATIO): blank fields occur
    f = [rec[key][i : i + w].strip() for i, w in ((0, 10), (10, 10), (20, 10), (40, 10), (55, 10))]
    lam1, lam2 = float(f[0]), float(f[1] or 0.0)
    zero = float(f[2] or 0.0)
    pola = float(f[3]) if f[3] else 0.5
    ratio = float(f[4]) if f[4] else 0.5
    ptype, terms = 0, []
    head = rec.get(f"{bank}PRCF1")
    if head:
        ptype = int(head.split()[0])
        k = 1
        while f"{bank}PRCF1{k}" in rec:
            terms += [float(t) for t in rec[f"{bank}PRCF1{k}"].split()]
            k += 1
    return GsasInstrument(lam1, lam2 if lam2 > 0 else None, zero, pola, ratio, ptype, tuple(terms))


def read_gsas_exp_phase(path: str | Path, phase: int = 1) -> Crystal:
    """Crystal structure of phase ``phase`` from a GSAS-I experiment (``.EXP``) file:
    ``CRSn ABC``, ``ANGLES``, ``SG SYM``, ``AT iA`` (element, x, y, z, occupancy) and
    ``AT iB`` (U_iso, or U11…U23 when flagged "A", Å²) records; anisotropic sites get
    U_eq (Fischer & Tillmanns, Acta Cryst. C44 (1988) 775)."""
    p = _path(path)
    tag = f"CRS{phase}"
    rec: dict[str, str] = {}
    for ln in _text(p).splitlines():
        if ln.startswith(tag):
            rec[ln[len(tag) : 12].strip()] = ln[12:80]
    if "ABC" not in rec or "SG SYM" not in rec:
        raise ValueError(f"{p.name}: no phase {phase} (CRS{phase} ABC / SG SYM) in the file")
    a, b, c = (float(t) for t in rec["ABC"].split()[:3])
    al, be, ga = (float(t) for t in rec["ANGLES"].split()[:3])
    sites = []
    n = 1
    while f"AT{n:3d}A" in rec:
        ra = rec[f"AT{n:3d}A"]
        rb = rec.get(f"AT{n:3d}B", "")
        el = ra[0:10].strip()
        x, y, z, occ = (float(ra[k : k + 10]) for k in (10, 20, 30, 40))
        label = ra[50:60].strip() or f"{el}{n}"
        uiso = _exp_uiso(rb, (a, b, c, al, be, ga)) if rb.strip() else 0.005
        sites.append(AtomSite(label, el.capitalize(), x, y, z, occ, uiso))
        n += 1
    if not sites:
        raise ValueError(f"{p.name}: phase {phase} has no atoms")
    name = rec.get("PNAM", "").strip() or f"phase{phase}"
    return Crystal(name, (a, b, c, al, be, ga), rec["SG SYM"].strip(), tuple(sites))


def _exp_uiso(rec: str, cell: tuple[float, ...]) -> float:
    """U_iso (Å²) of an ``AT iB`` record: the value itself, or U_eq = ⅓ Σ U^ij a*_i a*_j a_i·a_j
    when the record carries the anisotropic flag "A" (six values U11 U22 U33 U12 U13 U23)."""
    if rec[62:63] != "A":
        return float(rec[0:10])
    u11, u22, u33, u12, u13, u23 = (float(rec[k : k + 10]) for k in range(0, 60, 10))
    u = np.array([[u11, u12, u13], [u12, u22, u23], [u13, u23, u33]])
    g = np.linalg.inv(reciprocal_metric(cell))  # direct metric a_i·a_j (Å²)
    astar = np.sqrt(np.diag(reciprocal_metric(cell)))
    return float(np.sum(u * np.outer(astar, astar) * g) / 3.0)
