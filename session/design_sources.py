"""Where a designed AXS scan finds f′/f″ of each resonant element (issue 15): the latest
absorption analysis of that element, first in the session's live callbacks, then in the
catalog (the newest stored ``absorption`` analysis run)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np
from axsuite.callbacks.absorption import AbsorptionCallback


def _as_source(energy: Any, fp: Any, fpp: Any, e0: float) -> dict[str, Any]:
    return {
        "energy_eV": np.asarray(energy, dtype=float),
        "fp": np.asarray(fp, dtype=float),
        "fpp": np.asarray(fpp, dtype=float),
        "e0_eV": float(e0),
    }


def anomalous_factor_source(
    analyses: Iterable[Any], catalog: Any | None
) -> Callable[[str], Mapping[str, Any] | None]:
    """A ``factor_source`` for :func:`axsuite.plans.designed_axs.designed_axs_scan`:
    element → {"energy_eV", "fp", "fpp" (electrons), "e0_eV"} or None when never measured."""
    callbacks = [cb for cb in analyses if isinstance(cb, AbsorptionCallback)]

    def source(element: str) -> Mapping[str, Any] | None:
        for cb in callbacks:
            for res in reversed(list(cb.results.values())):
                if getattr(res, "element", None) == element:
                    return _as_source(res.energy_eV, res.fp, res.fpp, res.e0_eV)
        if catalog is None:
            return None
        from tiled.queries import Key

        runs = catalog.search(Key("analysis") == "absorption").search(Key("element") == element)
        if not len(runs):
            return None
        run = runs.values().last()
        table = run["anomalous_factors"].read()
        e0 = run.metadata["start"]["e0_eV"]
        return _as_source(table["energy"], table["fp"], table["fpp"], e0)

    return source
