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
from axsuite.callbacks.base import AnalysisCallback, Publisher
from axsuite.callbacks.edge import EdgeCallback


def analysis_callbacks(
    profile: Any,
    *,
    publish: Publisher | None,
    echo: Callable[[str], None] | None,
    plot_dir: Path | None,
) -> list[AnalysisCallback]:
    """Fresh instances of every analysis callback (live or replay)."""
    return [
        EdgeCallback(publish=publish, echo=echo, plot_dir=plot_dir),
    ]


def bound_plans(beamline: Any) -> dict[str, Callable]:
    """Plans with ``beamline=`` bound, as the shell and the demo use them."""
    return {
        "edge_scan": functools.partial(plans.edge_scan, beamline=beamline),
    }
