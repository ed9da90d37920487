"""What a session wires together: the analysis callbacks and the plans bound to devices.

To add an analysis: append its factory to :func:`analysis_callbacks`. To add a plan:
add it to :func:`bound_plans`. Both are used live and by replay.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

from axsuite import plans
from axsuite.callbacks.absorption import AbsorptionCallback
from axsuite.callbacks.axs import AXSCallback
from axsuite.callbacks.base import AnalysisCallback, Publisher
from axsuite.callbacks.edge import EdgeCallback
from axsuite.callbacks.figures.board import FigureBoard
from axsuite.callbacks.lineprofile import LineProfileCallback
from axsuite.callbacks.stopping import StoppingCallback


def analysis_callbacks(
    profile: Any,
    *,
    publish: Publisher | None,
    echo: Callable[[str], None] | None,
    plot_dir: Path | None,
    figures: FigureBoard | None = None,
) -> list[AnalysisCallback]:
    """Fresh instances of every analysis callback (live or replay); ``figures``: the live
    figure board they draw on (None: no live figures)."""
    kw = {"publish": publish, "echo": echo, "plot_dir": plot_dir, "figures": figures}
    return [
        EdgeCallback(**kw),
        AXSCallback(**kw),
        AbsorptionCallback(**kw),
        StoppingCallback(**kw),
        LineProfileCallback(**kw),
    ]


def bound_plans(
    beamline: Any,
    *,
    factor_source: Callable | None = None,
    progress_source: Callable | None = None,
) -> dict[str, Callable]:
    """Plans with ``beamline=`` bound, as the shell and the demo use them; ``factor_source``
    (element → latest measured f′/f″) and ``progress_source`` (design id → energies measured
    so far) feed the designed AXS scan."""
    return {
        "designed_axs_scan": functools.partial(
            plans.designed_axs_scan,
            beamline=beamline,
            factor_source=factor_source,
            progress_source=progress_source,
        ),
        "edge_scan": functools.partial(plans.edge_scan, beamline=beamline),
        "calibrate_mono": functools.partial(plans.calibrate_mono, beamline=beamline),
        "axs_scan": functools.partial(plans.axs_scan, beamline=beamline),
        "stopping_scan": functools.partial(plans.stopping_scan, beamline=beamline),
        "powder_scan": functools.partial(plans.powder_scan, beamline=beamline),
        "calibrate_instrument": functools.partial(plans.calibrate_instrument, beamline=beamline),
    }
