"""Live figures: one matplotlib figure per analysis, updated while a scan runs.

Analysis callbacks run in the RunEngine's thread (they must see every document in order
and feed the catalog writer without waiting for a GUI). They only *post* cheap update
closures to a :class:`FigureBoard`; the drawing happens in the main thread, which bluesky
leaves idle in the RunEngine's ``during_task`` hook while a plan runs. This is the pattern
of bluesky's ``QtAwareCallback`` + ``DefaultDuringTask`` (documents teleported to the main
thread, the GUI loop run while waiting), made backend-neutral (Tk, Qt or Agg files) and
paced: the board redraws at most every ``min_interval_s``, and only when its drawing time
(figure creation included) stays under ``max_busy_fraction`` of the wall time: a redraw
that took c seconds is followed by c / max_busy_fraction seconds without one (idle time
banks nothing). The RunEngine's thread then loses at most about
that fraction of its time to drawing (the GIL is shared).

Modes: ``"screen"`` (pyplot windows, one per analysis, re-used from run to run) or
``"file"`` (pyplot-free figures written to ``<directory>/<name>.png`` at every redraw,
for sessions without a display).
"""

from __future__ import annotations

import collections
import gc
import logging
import os
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bluesky.utils import DuringTask

logger = logging.getLogger("axsuite.figures")

#: An update applied to a figure view in the main thread.
Update = Callable[[Any], None]
#: Builds the view (axes and artists) of one analysis on a matplotlib Figure.
ViewFactory = Callable[[Any], Any]


_FILE_BACKENDS = ("agg", "pdf", "svg", "ps", "cairo", "template")


def display_available() -> bool:
    """True when a window system is reachable (X11/Wayland display, macOS or Windows)."""
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def choose_mode(preferred: str = "auto") -> str:
    """``"screen"`` if an interactive matplotlib backend works here, else ``"file"``.

    ``preferred``: ``auto`` (screen when a display is available and ``MPLBACKEND`` does
    not name a file backend such as Agg), ``screen`` (falls back to files, with a log
    message, when no display works) or ``file``.
    """
    if preferred not in ("auto", "screen", "file"):
        raise ValueError(f"live plots mode {preferred!r}: use auto, screen or file")
    forced = os.environ.get("MPLBACKEND", "").lower()
    if preferred == "file" or not display_available() or forced in _FILE_BACKENDS:
        if preferred == "screen":
            logger.warning("no display: live figures are written to files instead")
        return "file"
    import matplotlib
    import matplotlib.pyplot as plt

    candidates = [matplotlib.get_backend(), "QtAgg", "TkAgg"]
    for backend in candidates:
        if backend.lower() in _FILE_BACKENDS:
            continue
        try:
            plt.switch_backend(backend)
            plt.close(plt.figure())
        except Exception as exc:  # noqa: BLE001 - any failure means: try the next one
            logger.debug("backend %s unusable: %s", backend, exc)
            continue
        finally:
            gc.collect()  # GUI objects must die in the main thread (see _flush_events)
        plt.ion()
        return "screen"
    plt.switch_backend("agg")
    return "file"


class FigureBoard:
    """Figures of the analyses (see module doc); :meth:`post` from any thread, :meth:`pump`
    from the main thread.

    Parameters
    ----------
    mode : ``"screen"`` or ``"file"``
    directory : where ``"file"`` mode writes ``<name>.png``
    min_interval_s : shortest time (s) between two redraws
    max_busy_fraction : upper bound of the drawing time over the wall time
    """

    def __init__(
        self,
        mode: str = "file",
        directory: str | Path | None = None,
        *,
        min_interval_s: float = 0.5,
        max_busy_fraction: float = 0.05,
    ):
        if mode not in ("screen", "file"):
            raise ValueError(f"figure board mode {mode!r}: use screen or file")
        if mode == "file" and directory is None:
            raise ValueError("file mode needs a directory for the PNG files")
        self.mode = mode
        self.directory = Path(directory) if directory is not None else None
        self.min_interval_s = float(min_interval_s)
        self.max_busy_fraction = float(max_busy_fraction)
        self._lock = threading.Lock()
        self._pending: dict[str, dict[str, Update]] = {}
        self._factories: dict[str, tuple[ViewFactory, tuple[float, float]]] = {}
        self._figures: dict[str, Any] = {}
        self._views: dict[str, Any] = {}
        self._last = 0.0  # perf_counter of the last redraw's end
        # pacing: drawing-time credit in s (≤ 0), earned at max_busy_fraction per s of wall
        # time; a redraw needs credit 0 and costs its drawing time
        self._credit = 0.0
        self._credit_t = time.perf_counter()
        self._resets_only: set[str] = set()  # figures whose queue holds only a reset
        #: (figure name, time.time(), update keys) of every redraw (the last 2000)
        self.log: collections.deque = collections.deque(maxlen=2000)
        self.busy_s = 0.0

    # ------------------------------------------------------------------ any thread
    def post(
        self,
        name: str,
        factory: ViewFactory,
        key: str,
        update: Update,
        *,
        reset: bool = False,
        figsize: tuple[float, float] = (10.0, 7.0),
    ) -> None:
        """Queue ``update(view)`` for figure ``name`` (built by ``factory(fig)``).

        A newer update with the same ``key`` replaces a pending one (only the latest state
        is drawn); ``reset`` drops every pending update of the figure first (a new run).
        """
        with self._lock:
            self._factories[name] = (factory, figsize)
            pending = self._pending.setdefault(name, {})
            if reset:
                pending.clear()
                self._resets_only.add(name)
            else:
                self._resets_only.discard(name)
            pending.pop(key, None)
            pending[key] = update

    def post_view(self, spec: Any, key: str, update: Update, *, reset: bool = False) -> None:
        """:meth:`post` for a figure module ``spec`` (its ``NAME``, ``VIEW``, ``FIGSIZE``)."""
        self.post(spec.NAME, spec.VIEW, key, update, reset=reset, figsize=spec.FIGSIZE)

    def pending(self) -> int:
        """Number of queued updates."""
        with self._lock:
            return sum(len(v) for v in self._pending.values())

    # ------------------------------------------------------------------ main thread
    def pump(self, force: bool = False) -> bool:
        """Apply queued updates and redraw, if the throttle allows (always if ``force``).

        Returns True if something was drawn. Errors of a figure are logged, never raised:
        a plot must not stop a scan.
        """
        if self.mode == "screen":
            self._flush_events()
        now = time.perf_counter()
        self._credit = min(self._credit + self.max_busy_fraction * (now - self._credit_t), 0.0)
        self._credit_t = now
        if not force and (self._credit < 0.0 or now - self._last < self.min_interval_s):
            return False
        with self._lock:
            # a new run's reset alone waits for its first data (unless forced)
            keep = set() if force else self._resets_only
            pending = {k: v for k, v in self._pending.items() if k not in keep}
            self._pending = {k: v for k, v in self._pending.items() if k in keep}
        if not pending:
            return False
        t0 = time.perf_counter()
        for name, updates in pending.items():
            try:
                view = self._view(name)
                for update in updates.values():
                    update(view)
                self._render(name)
            except Exception:  # noqa: BLE001 - logged: plots never abort a scan
                logger.exception("live figure %s: update failed", name)
                continue
            self.log.append((name, time.time(), tuple(updates)))
        t1 = time.perf_counter()
        cost = t1 - t0
        self.busy_s += cost
        self._credit -= cost
        self._credit_t = self._last = t1
        return True

    def flush(self) -> bool:
        """Draw every queued update now (end of a cell in the shell, session close)."""
        return self.pump(force=True)

    def figure(self, name: str) -> Any:
        """The matplotlib Figure of ``name`` (None before its first redraw)."""
        return self._figures.get(name)

    def view(self, name: str) -> Any:
        """The view object of ``name`` (None before its first redraw)."""
        return self._views.get(name)

    def redraws(self, name: str) -> int:
        """How many times ``name`` was redrawn (in the kept log)."""
        return sum(1 for n, *_ in self.log if n == name)

    def close(self) -> None:
        """Draw what is queued, close the figures (screen mode) and forget them."""
        self.flush()
        if self.mode == "screen":
            import matplotlib.pyplot as plt

            for fig in self._figures.values():
                plt.close(fig)
        self._figures.clear()
        self._views.clear()
        if self.mode == "screen":
            gc.collect()

    def _view(self, name: str) -> Any:
        fig = self._figures.get(name)
        if fig is not None and self.mode == "screen":
            import matplotlib.pyplot as plt

            if not plt.fignum_exists(fig.number):  # the user closed the window
                fig = None
        if fig is None:
            factory, figsize = self._factories[name]
            fig = self._new_figure(name, figsize)
            self._figures[name] = fig
            self._views[name] = factory(fig)
        return self._views[name]

    def _new_figure(self, name: str, figsize: tuple[float, float]) -> Any:
        if self.mode == "screen":
            import matplotlib.pyplot as plt

            return plt.figure(
                num=f"axsuite {name}", figsize=figsize, clear=True, layout="constrained"
            )
        from matplotlib.figure import Figure

        return Figure(figsize=figsize, layout="constrained")

    def _render(self, name: str) -> None:
        fig = self._figures[name]
        if self.mode == "screen":
            fig.canvas.draw_idle()
            fig.canvas.flush_events()
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = self.directory / f".{name}.png.part"
        fig.savefig(tmp, dpi=80, format="png")
        tmp.replace(self.directory / f"{name}.png")

    def _flush_events(self) -> None:
        """Process the windows' events; if one was closed, collect its GUI objects here.

        Tk (and Qt) objects must be deleted in the main thread: left to the garbage
        collector they may be freed in the RunEngine's thread, which aborts the process
        ("Tcl_AsyncDelete: async handler deleted by the wrong thread").
        """
        import matplotlib.pyplot as plt

        before = set(plt.get_fignums())
        for fig in list(self._figures.values()):
            try:
                fig.canvas.flush_events()
            except Exception:  # noqa: BLE001 - a closed window
                logger.debug("flush_events failed", exc_info=True)
        if set(plt.get_fignums()) != before:
            gc.collect()


class DrawWhileWaiting(DuringTask):
    """RunEngine ``during_task``: while a plan runs, the main thread pumps the board (and
    with it the GUI's events). What is still queued when the plan ends is drawn by the next
    pump or :meth:`FigureBoard.flush` (the shell flushes after every cell), so a plan's
    return is never delayed by a redraw."""

    def __init__(self, board: FigureBoard, poll_s: float = 0.05):
        self.board = board
        self.poll_s = float(poll_s)

    def block(self, blocking_event: threading.Event) -> None:
        while not blocking_event.wait(self.poll_s):
            self.board.pump()
