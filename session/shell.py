"""What ``axs shell`` opens with: the namespace (RE, devices, plans, catalog, ``np``), the
banner, and IPython's GUI event loop when the live figures are on a display."""

from __future__ import annotations

from typing import Any

import numpy as np

from .session import Session


def shell_namespace(s: Session) -> dict[str, Any]:
    """Names of the shell: ``np``, ``RE``, ``bl`` and its devices, the bound plans,
    ``catalog``, ``session``, ``profile``, ``figures`` (the live figure board or None)."""
    return {
        "np": np,
        **vars(s.bl),
        **vars(s.plans),
        "RE": s.RE,
        "bl": s.bl,
        "catalog": s.catalog,
        "session": s,
        "profile": s.profile,
        "figures": s.figures,
    }


def shell_banner(s: Session) -> str:
    """The banner: what is defined, an example, where the live figures go."""
    if s.figures is None:
        plots = "live figures off"
    elif s.figures.mode == "screen":
        plots = "live figures in windows (one per analysis)"
    else:
        plots = f"no display: live figures written to {s.figures.directory}"
    return (
        f"axsuite shell — profile {s.profile.name}, data in {s.data_dir}\n"
        "  RE, bl (devices), catalog, np; plans: " + ", ".join(sorted(vars(s.plans))) + "\n"
        f"  {plots}\n"
        "  e.g. RE(edge_scan('Cu'))   RE(axs_scan('Cu', offsets_eV=[-25, -250], "
        "q_grid=np.linspace(0.5, 8.5, 161)))\n"
    )


def shell_config(s: Session) -> Any:
    """IPython configuration: the banner, and the GUI event loop of the figures' backend
    (windows stay responsive between scans)."""
    from traitlets.config import Config

    c = Config()
    c.TerminalInteractiveShell.banner1 = shell_banner(s)
    if s.figures is not None:  # after each cell: draw what the last scan left queued
        c.InteractiveShellApp.exec_lines = [
            "get_ipython().events.register('post_run_cell', lambda _: session.figures.flush())"
        ]
    if s.figures is not None and s.figures.mode == "screen":
        import matplotlib

        backend = matplotlib.get_backend().lower()
        c.InteractiveShellApp.matplotlib = "qt" if "qt" in backend else "tk"
    return c
