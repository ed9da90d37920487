"""Energy-loss (transmission) scan of an ion through a foil: foil out / foil in per energy."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import bluesky.plan_stubs as bps
import bluesky.plans as bp
import numpy as np
from axsuite.analysis.stopping import target_composition
from axsuite.analysis.xray import element_symbol
from axsuite.devices.models import ionbeam as ib
from cycler import cycler

from ._common import base_metadata, number
from .steps import one_nd_step


@dataclasses.dataclass(frozen=True)
class StoppingScanRequest:
    """Validated stopping scan: ion, foil name and model, energies (MeV), dwell (s)."""

    ion: ib.IonSpecies
    foil_name: str
    foil: ib.Foil
    energies_MeV: np.ndarray
    dwell_s: float


def _same_target(a: str, b: str) -> bool:
    ca, cb = target_composition(a), target_composition(b)
    return ca.keys() == cb.keys() and all(abs(ca[k] - cb[k]) < 1e-9 for k in ca)


def validate_stopping_scan(
    ion: str,
    target: str,
    energies_MeV: Sequence[float],
    dwell_s: float,
    *,
    source_limits_MeV: tuple[float, float],
    foils: Mapping[str, ib.Foil],
    true_i_eV: Mapping[str, float | None] | None = None,
    charge_model: str = "brandt-kitagawa",
) -> StoppingScanRequest:
    """Check a stopping-scan request; raises ValueError with a clear message.

    Checks: known ion; ``target`` names a loaded foil or is a formula of one (unknown element
    or compound → error); energies non-empty, finite, distinct (the analysis pairs foil-out
    and foil-in readings by energy), inside the source range; positive
    dwell; the foil does not stop (or transmit < 10 % of the energy of) the beam at any energy.
    """
    species = ib.resolve_ion(ion)
    if target in foils:
        name = target
    else:
        target_composition(target)
        matches = [n for n, f in foils.items() if _same_target(f.formula, target)]
        if not matches:
            raise ValueError(
                f"no foil of {target!r} in the holder; loaded foils: "
                + ", ".join(f"{n} ({f.formula})" for n, f in foils.items())
            )
        name = matches[0]
    if isinstance(energies_MeV, (str, bytes)) or not isinstance(
        energies_MeV, Sequence | np.ndarray
    ):
        raise ValueError(f"energies_MeV must be a list of energies (MeV), got {energies_MeV!r}")
    e = np.array([number("energies_MeV", v, "MeV") for v in energies_MeV], dtype=float)
    if e.size == 0:
        raise ValueError("energies_MeV is empty")
    if not np.all(np.isfinite(e)) or np.any(e <= 0):
        raise ValueError("energies_MeV must be finite and positive (MeV)")
    if np.unique(e).size != e.size:
        raise ValueError("energies_MeV contains repeated energies; give each energy once")
    lo, hi = source_limits_MeV
    if e.min() < lo or e.max() > hi:
        raise ValueError(
            f"energies {e.min():g}–{e.max():g} MeV leave the source range {lo:g}–{hi:g} MeV"
        )
    dwell_s = number("dwell_s", dwell_s, "s", positive=True)
    truth = ib.IonBeamTruth(
        species, foils[name], i_eV=(true_i_eV or {}).get(name), charge_model=charge_model
    )
    e_out = truth.transmitted_energy_MeV(e)
    thick = e[e_out < 0.1 * e]
    if thick.size:
        raise ValueError(
            f"foil {name} ({foils[name].formula}, {foils[name].areal_density_1e15_cm2:g}e15 "
            f"atoms/cm²) stops the {species.symbol} beam at {thick.min():g} MeV; "
            "use higher energies or a thinner foil"
        )
    return StoppingScanRequest(species, name, foils[name], e, float(dwell_s))


def stopping_scan(
    ion: str,
    target: str,
    *,
    beamline: Any,
    energies_MeV: Sequence[float],
    dwell_s: float = 1.0,
    md: dict | None = None,
):
    """Measure the transmitted-ion energy with the foil out and in at each source energy.

    Parameters
    ----------
    ion : projectile ("p", "d", "alpha", "He", an element symbol)
    target : a loaded foil's name or its formula ("Al")
    beamline : namespace from :func:`axsuite.devices.make_beamline` (bound by the session)
    energies_MeV : source kinetic energies (MeV, total ion energy)
    dwell_s : detector live time per reading (s)
    md : extra start-document metadata (wins over the plan's)

    Returns the run uid.
    """
    bl = beamline
    if getattr(bl, "pdet", None) is None:
        raise ValueError(f"profile {bl.profile.name!r} has no ion_beam section")
    req = validate_stopping_scan(
        ion,
        target,
        energies_MeV,
        dwell_s,
        source_limits_MeV=bl.ion_source.limits_MeV,
        foils=bl.foil.foils,
        true_i_eV=bl.foil.true_i_eV,
        charge_model=bl.pdet.charge_model,
    )
    composition = {
        element_symbol(z): float(x) for z, x in target_composition(req.foil.formula).items()
    }
    _md = base_metadata(bl, sample=req.foil_name, composition=composition)
    _md.update(
        {
            "plan_name": "stopping_scan",
            "plan_args": {
                "ion": ion,
                "target": target,
                "energies_MeV": [float(x) for x in req.energies_MeV],
                "dwell_s": req.dwell_s,
            },
            "hints": {"dimensions": [([bl.ion_source.energy.name], "primary")]},
            "ion": {"symbol": req.ion.symbol, "Z1": req.ion.z1, "A1": req.ion.a1},
            "target": req.foil.formula,
            "foil": req.foil_name,
            "areal_density_1e15_cm2": float(req.foil.areal_density_1e15_cm2),
            "energies_MeV": [float(x) for x in req.energies_MeV],
            "detector_resolution_fwhm_keV": float(bl.pdet.resolution_fwhm_keV.get()),
            "num_points": 2 * len(req.energies_MeV),
            "fields": {
                "energy": bl.ion_source.energy.name,
                "foil_in": bl.foil.inserted.name,
                "centroid": bl.pdet.centroid.name,
                "fwhm": bl.pdet.fwhm.name,
                "counts": bl.pdet.counts.name,
            },
        }
    )
    _md.update(md or {})
    yield from bps.mv(bl.ion_source.species, req.ion.symbol, bl.foil.foil, req.foil_name)
    yield from bps.mv(bl.pdet.count_time, req.dwell_s)
    traj = cycler(bl.ion_source.energy, list(req.energies_MeV)) * cycler(bl.foil.inserted, [0, 1])
    return (yield from bp.scan_nd([bl.pdet], traj, per_step=one_nd_step, md=_md))
