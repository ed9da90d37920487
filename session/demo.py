"""``axs demo``: a whole campaign on the simulated beamline into the catalog.

Each step is a function ``step(session) -> None`` run in order by :func:`run_demo`; an
analysis adds its step to :data:`DEMO_STEPS`.
"""

from __future__ import annotations

from collections.abc import Callable

from .session import Session


def edge_scans(s: Session) -> None:
    """Edge scans of the Cu and Zr reference foils (E0 printed, μ(E) plots saved)."""
    for element in ("Cu", "Zr"):
        s.RE(s.plans.edge_scan(element))


DEMO_STEPS: list[Callable[[Session], None]] = [
    edge_scans,
]


def run_demo(s: Session, echo: Callable[[str], None] = print) -> None:
    """Run every demo step in order."""
    for step in DEMO_STEPS:
        echo(f"== demo: {step.__doc__.splitlines()[0] if step.__doc__ else step.__name__}")
        step(s)
    echo(f"== demo finished: data, catalog and plots in {s.data_dir}")
