"""Powder diffraction: a 2θ step scan of a powder sample, and the instrument calibration.

``powder_scan`` moves the mono to ``energy_eV``, mounts the sample and steps the 2θ arm with
the powder detector. Its start document carries what the line-profile analysis needs:
``energy_eV``, ``wavelength_A``, ``phases`` (structures), ``instrument_calibration`` (the
dated calibration in use, or None) and the ``fields`` map (roles ``two_theta``,
``intensity``).

``calibrate_instrument`` scans the standard (LaB6), fits every peak with a TCH profile
(:func:`axsuite.analysis.lineprofile.fit_peaks`), fits Caglioti U, V, W and X, Y
(:func:`~axsuite.analysis.lineprofile.fit_instrument_function`), stores the dated result on
the detector (``xrd.calibration``) so that every later powder scan records it, and closes
with a short run whose start document holds the calibration record.
"""

from __future__ import annotations

import dataclasses
import datetime
import json
from collections.abc import Sequence
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import bluesky.preprocessors as bpp
import numpy as np
from axsuite.analysis.constants import HC_EV_A
from axsuite.analysis.lineprofile import find_peaks, fit_instrument_function, fit_peaks

from ._common import base_metadata, number, triple
from .steps import one_nd_step

#: Largest number of 2θ points in one scan.
MAX_POINTS = 50000

#: What a line-profile standard may show (NIST SRM 660c LaB6: µm crystallites, no
#: microstrain): the Lorentzian breadths of a calibration must not imply crystallites smaller
#: than this (Å; X/cosθ term) or a microstrain above MAX_STANDARD_STRAIN (Y tanθ term). The
#: simulated LaB6 gives 8400 Å and 2e-5; CeO2 (D = 200 Å, ε = 0.2 %) 218 Å and 2.0e-3.
MIN_STANDARD_SIZE_A = 1000.0
MAX_STANDARD_STRAIN = 5.0e-4


def check_standard_breadths(sample: str, inst: Any) -> None:
    """Refuse an instrument calibration whose fitted Lorentzian breadths belong to a
    size/strain-broadened sample, not a standard (ValueError naming the implied size/strain).

    ``inst`` is an :class:`~axsuite.analysis.lineprofile.InstrumentFunction` (X, Y in deg,
    Γ_L = X/cosθ + Y tanθ): size D = λ/(X·π/180) (Scherrer, K = 1), strain ε = Y·π/180/4.
    """
    x_rad, y_rad = np.deg2rad(inst.X), np.deg2rad(inst.Y)
    size_A = inst.wavelength_A / x_rad if x_rad > 0 else np.inf
    strain = y_rad / 4.0
    if size_A < MIN_STANDARD_SIZE_A or strain > MAX_STANDARD_STRAIN:
        raise ValueError(
            f"{sample} is not a line-profile standard: its peak breadths imply crystallites of "
            f"{size_A:.0f} Å and a microstrain of {strain:.1e} (a standard needs ≥ "
            f"{MIN_STANDARD_SIZE_A:.0f} Å and ≤ {MAX_STANDARD_STRAIN:.0e}); calibration not "
            "stored — measure LaB6 or Si"
        )


@dataclasses.dataclass(frozen=True)
class PowderScanRequest:
    """Validated powder scan: sample name, 2θ points (deg), energy (eV), dwell (s)."""

    sample: str
    two_theta_deg: np.ndarray
    energy_eV: float
    dwell_s: float


def validate_powder_scan(
    beamline: Any,
    sample: str | None,
    two_theta: Sequence[float] | None,
    energy_eV: float | None,
    dwell_s: float | None,
) -> PowderScanRequest:
    """Check a powder-scan request; ValueError with a clear message (before any motion).

    ``two_theta`` is (start, stop, step) in deg (default: the profile's); checks the sample
    name, the arm limits, the mono range, a positive step and dwell, ≤ 50000 points.
    """
    cfg = getattr(beamline.profile, "powder", None)
    if cfg is None or getattr(beamline, "xrd", None) is None:
        raise ValueError(f"profile {beamline.profile.name!r} has no powder section")
    name = cfg.sample if sample is None else str(sample)
    if name not in cfg.samples:
        raise ValueError(f"unknown powder sample {name!r}; known: {sorted(cfg.samples)}")
    start, stop, step = triple(
        "two_theta", cfg.two_theta if two_theta is None else two_theta, "deg"
    )
    n = int(np.floor((stop - start) / step + 1e-9)) + 1
    if n > MAX_POINTS:
        raise ValueError(f"{n} points exceed the limit of {MAX_POINTS}; use a larger step")
    lo, hi = beamline.arm.two_theta.limits
    if start < lo or stop > hi or start <= 0:
        raise ValueError(f"2θ {start:g}–{stop:g} deg is outside the arm limits ({lo:g}, {hi:g})")
    energy = number("energy_eV", cfg.energy_eV if energy_eV is None else energy_eV, "eV")
    elo, ehi = beamline.dcm.energy.limits
    if not elo <= energy <= ehi:
        raise ValueError(f"energy {energy:g} eV is outside the mono range {elo:g}–{ehi:g} eV")
    dwell = number("dwell_s", cfg.dwell_s if dwell_s is None else dwell_s, "s", positive=True)
    return PowderScanRequest(name, start + step * np.arange(n), energy, dwell)


def powder_scan(
    sample: str | None = None,
    *,
    beamline: Any,
    two_theta: Sequence[float] | None = None,
    energy_eV: float | None = None,
    dwell_s: float | None = None,
    texture_axis: Sequence[int] | None = None,
    md: dict | None = None,
):
    """Step the 2θ arm over a powder sample at a fixed energy, counting with ``xrd``.

    Parameters
    ----------
    sample : powder sample name (profile ``powder.samples``; default the mounted one)
    beamline : namespace from :func:`axsuite.devices.make_beamline` (bound by the session)
    two_theta : (start, stop, step) in deg (default the profile's)
    energy_eV : photon energy (default the profile's)
    dwell_s : counting time per point (s)
    texture_axis : hkl of a suspected preferred-orientation axis; the analysis then refines
        a March–Dollase r about it (recorded as ``texture_axis`` in the start document)
    md : extra start-document metadata (wins over the plan's)

    Returns the run uid.
    """
    bl = beamline
    req = validate_powder_scan(bl, sample, two_theta, energy_eV, dwell_s)
    axis = _texture_axis(
        texture_axis if texture_axis is not None else (md or {}).get("texture_axis")
    )
    cfg = bl.profile.powder
    phase = bl.xrd.phases[req.sample]
    cal = bl.xrd.current_calibration()
    _md = base_metadata(bl, sample=req.sample, composition=phase.crystal.composition())
    _md["calibrations"]["instrument"] = (
        {"standard": cal.standard, "date": cal.date} if cal is not None else None
    )
    _md.update(
        {
            "plan_name": "powder_scan",
            "plan_args": {
                "sample": req.sample,
                "two_theta": [
                    float(req.two_theta_deg[0]),
                    float(req.two_theta_deg[-1]),
                    float(req.two_theta_deg[1] - req.two_theta_deg[0])
                    if req.two_theta_deg.size > 1
                    else 0.0,
                ],
                "energy_eV": req.energy_eV,
                "dwell_s": req.dwell_s,
            },  # fmt: skip
            "hints": {"dimensions": [([bl.arm.two_theta.name], "primary")]},
            "energy_eV": req.energy_eV,
            "wavelength_A": HC_EV_A / req.energy_eV,
            "phases": [{"name": phase.crystal.name, "structure": phase.crystal.to_dict()}],
            "polarization": float(bl.xrd.polarization),
            "instrument_calibration": cal.to_dict() if cal is not None else None,
            "standard": req.sample == cfg.standard,
            "num_points": int(req.two_theta_deg.size),
            "texture_axis": axis,
            "fields": {"two_theta": bl.arm.two_theta.name, "intensity": bl.xrd.counts.name},
        }
    )
    _md.update(md or {})
    yield from bps.mv(bl.dcm.energy, req.energy_eV)
    yield from bps.mv(bl.xrd.sample, req.sample, bl.xrd.count_time, req.dwell_s)
    tth = list(req.two_theta_deg)
    return (yield from bp.list_scan([bl.xrd], bl.arm.two_theta, tth, per_step=one_nd_step, md=_md))


def _texture_axis(axis) -> list[int] | None:
    """Validated preferred-orientation axis (three integers, not all zero) or None."""
    if axis is None:
        return None
    try:
        hkl = [int(v) for v in axis]
    except (TypeError, ValueError):
        raise ValueError(f"texture_axis must be three integers (hkl), got {axis!r}") from None
    if len(hkl) != 3 or not any(hkl) or any(h != v for h, v in zip(hkl, axis, strict=True)):
        raise ValueError(f"texture_axis must be three integers (hkl), not all 0, got {axis!r}")
    return hkl


def calibrate_instrument(
    standard: str | None = None,
    *,
    beamline: Any,
    two_theta: Sequence[float] | None = None,
    energy_eV: float | None = None,
    dwell_s: float | None = None,
    md: dict | None = None,
):
    """Measure the standard, fit U, V, W, X, Y and store the dated instrument calibration.

    Raises ValueError before motion on bad input, and after the scan (nothing stored) if
    fewer than 4 peaks of the standard are found or the sample is size/strain-broadened
    (:func:`check_standard_breadths`). Returns the uid of the calibration record run.
    """
    bl = beamline
    cfg = getattr(bl.profile, "powder", None)
    name = (cfg.standard if cfg is not None else None) if standard is None else standard
    req = validate_powder_scan(bl, name, two_theta, energy_eV, dwell_s)
    x_name, y_name = bl.arm.two_theta.name, bl.xrd.counts.name
    xs: list[float] = []
    ys: list[float] = []

    def collect(kind: str, doc: dict) -> None:
        if kind == "event" and y_name in doc["data"]:
            xs.append(float(doc["data"][x_name]))
            ys.append(float(doc["data"][y_name]))

    scan = powder_scan(
        req.sample,
        beamline=bl,
        two_theta=(req.two_theta_deg[0], req.two_theta_deg[-1],
                   req.two_theta_deg[1] - req.two_theta_deg[0]),
        energy_eV=req.energy_eV,
        dwell_s=req.dwell_s,
        md={"purpose": "instrument calibration", **(md or {})},
    )  # fmt: skip
    scan_uid = yield from bpp.subs_wrapper(scan, {"all": [collect]})
    x, y = np.asarray(xs), np.asarray(ys)
    peaks = find_peaks(x, y)
    if peaks.two_theta_deg.size < 4:
        raise ValueError(
            f"only {peaks.two_theta_deg.size} peaks of {req.sample} found; need ≥ 4 for U, V, W"
        )
    fits = fit_peaks(x, y, peaks.two_theta_deg)
    date = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    inst = fit_instrument_function(
        [f.center_deg for f in fits],
        [f.gamma_g_deg for f in fits],
        [f.gamma_l_deg for f in fits],
        gamma_g_err_deg=[f.gamma_g_err_deg for f in fits],
        gamma_l_err_deg=[f.gamma_l_err_deg for f in fits],
        wavelength_A=HC_EV_A / req.energy_eV,
        standard=req.sample,
        date=date,
    )
    check_standard_breadths(req.sample, inst)
    old = bl.xrd.current_calibration()
    yield from bps.abs_set(bl.xrd.calibration, json.dumps(inst.to_dict()), wait=True)
    record = {**inst.to_dict(), "n_peaks": len(fits), "scan_uid": scan_uid}
    _md = base_metadata(bl, sample=req.sample, composition={})
    _md["calibrations"]["instrument"] = {"standard": inst.standard, "date": inst.date}
    _md.update(
        {
            "plan_name": "calibrate_instrument",
            "plan_args": {"standard": req.sample, "energy_eV": req.energy_eV},
            "instrument_calibration": record,
            "previous_instrument_calibration": old.to_dict() if old is not None else None,
            "hints": {},
        }
    )
    _md.update(md or {})
    return (yield from bp.count([bl.xrd], md=_md))
