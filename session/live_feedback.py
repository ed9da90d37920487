"""Live feedback of a session: the readable table and the live figures, from the profile.

The profile's optional ``live`` section (``table``: auto|lines|compact|off,
``long_scan_points``, ``table_every_points``, ``table_every_s``; ``plots``:
auto|screen|file|off) gives the defaults; ``build_session(table=…, plots=…)`` overrides
them (True: the profile's choice, False: none, or a mode name).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from axsuite.callbacks.figures.board import DrawWhileWaiting, FigureBoard, choose_mode
from axsuite.callbacks.live import ReadableTable

_DEFAULTS = {
    "table": "auto",
    "long_scan_points": 200,
    "table_every_points": 0,
    "table_every_s": 10.0,
    "plots": "auto",
}


def live_options(profile: Any) -> dict[str, Any]:
    """The profile's ``live`` options over the defaults."""
    section = getattr(profile, "live", None)
    if section is None:
        return dict(_DEFAULTS)
    get = section.get if isinstance(section, dict) else lambda k, d: getattr(section, k, d)
    return {k: get(k, v) for k, v in _DEFAULTS.items()}


def live_table(profile: Any, table: bool | str) -> ReadableTable | None:
    """The session's live table (None when switched off)."""
    opts = live_options(profile)
    mode = opts["table"] if table is True else table
    if mode in (False, None, "off"):
        return None
    return ReadableTable(
        str(mode),
        long_scan_points=int(opts["long_scan_points"]),
        every_points=int(opts["table_every_points"]),
        every_s=float(opts["table_every_s"]),
    )


def figure_board(profile: Any, plots: bool | str, data_dir: Path) -> FigureBoard | None:
    """Live figures: on a display when one works, else PNGs in ``<data_dir>/plots/live``."""
    opts = live_options(profile)
    mode = opts["plots"] if plots is True else plots
    if mode in (False, None, "off"):
        return None
    return FigureBoard(choose_mode(str(mode)), Path(data_dir) / "plots" / "live")


def run_engine_options(board: FigureBoard | None) -> dict[str, Any]:
    """RunEngine keyword arguments: with live figures, the main thread draws them while
    a plan runs (see :class:`~axsuite.callbacks.figures.board.DrawWhileWaiting`)."""
    return {} if board is None else {"during_task": DrawWhileWaiting(board)}
