"""Live feedback callbacks: a progress bar and a readable table of the points of a run.

Both print through tqdm (:func:`write_line`), so table rows and results never share a line
with the progress bar.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Mapping
from typing import Any

from bluesky.callbacks.core import CallbackBase
from tqdm.auto import tqdm

#: Table columns by role (start document ``fields``): header and unit if the descriptor
#: gives none. Integer readings print as integers.
COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("energy", "E", ""),
    ("two_theta", "2θ", "deg"),
    ("foil_in", "foil", ""),
    ("i0", "I0", "cts"),
    ("it", "It", "cts"),
    ("iref", "Iref", "cts"),
    ("elastic", "elastic", "cts"),
    ("fluorescence", "fluor", "cts"),
    ("intensity", "counts", "cts"),
    ("centroid", "centroid", "MeV"),
    ("fwhm", "FWHM", "keV"),
    ("counts", "counts", "cts"),
)
TABLE_MODES = ("auto", "lines", "compact", "off")


def write_line(text: str) -> None:
    """Print one line on stdout without breaking a tqdm progress bar."""
    tqdm.write(text, file=sys.stdout)


class ScanProgress(CallbackBase):
    """tqdm progress bar of primary events against the start document's ``num_points``.

    On a terminal the bar redraws every 0.1 s; into a log file (stderr not a TTY) at most every
    10 s, so logs hold a few progress lines per scan rather than one per point.
    """

    def __init__(self, **tqdm_kwargs):
        super().__init__()
        interval = 0.1 if sys.stderr.isatty() else 10.0
        self.tqdm_kwargs = {"leave": True, "unit": "pt", "mininterval": interval, **tqdm_kwargs}
        self.bar = None
        self._primary: set[str] = set()

    def start(self, doc):
        total = doc.get("num_points")
        self.bar = tqdm(
            total=total,
            desc=f"scan {doc.get('scan_id', '')} {doc.get('plan_name', '')}",
            **self.tqdm_kwargs,
        )
        self._primary = set()

    def descriptor(self, doc):
        if doc.get("name") == "primary":
            self._primary.add(doc["uid"])

    def event(self, doc):
        if self.bar is not None and doc["descriptor"] in self._primary:
            self.bar.update(1)

    def stop(self, doc):
        if self.bar is not None:
            self.bar.set_postfix_str(doc.get("exit_status", ""))
            self.bar.close()
            self.bar = None


class ReadableTable(CallbackBase):
    """A table of the main readings a person can read while a scan runs.

    One line per point for short scans; for scans of more than ``long_scan_points`` points
    (mode ``auto``) or always (mode ``compact``) a line every ``every_points`` points (0:
    about ten lines per scan) or every ``every_s`` seconds, whichever comes first, and the
    point count at the end. Columns (point, scan axis, main counts) carry their units; counts
    print as integers. Mode ``lines`` prints every point; ``off`` nothing. A run without
    these readings in its role map (``fields``), e.g. a calibration record, prints nothing.

    Parameters
    ----------
    mode : ``auto``, ``lines``, ``compact`` or ``off``
    long_scan_points : above this, ``auto`` prints compact lines
    every_points, every_s : compact line interval in points (0: auto) and seconds
    write : where lines go (default: :func:`write_line`)
    """

    def __init__(
        self,
        mode: str = "auto",
        *,
        long_scan_points: int = 200,
        every_points: int = 0,
        every_s: float = 10.0,
        write: Callable[[str], None] = write_line,
    ):
        super().__init__()
        check_table_options(mode, long_scan_points, every_points, every_s)
        self.mode = mode
        self.long_scan_points = int(long_scan_points)
        self.every_points = int(every_points)
        self.every_s = float(every_s)
        self.write = write
        self._reset()

    def _reset(self) -> None:
        self._primary: str | None = None
        self._cols: list[tuple[str, str, str, bool]] = []
        self._widths: list[int] = []
        self._n = 0
        self._total: int | None = None
        self._every = 1
        self._last_t = 0.0
        self._last_n = 0
        self._start: Mapping = {}
        self._compact = False

    def start(self, doc):
        self._reset()
        self._start = doc
        self._total = doc.get("num_points")
        compact = self.mode == "compact" or (
            self.mode == "auto" and (self._total or 0) > self.long_scan_points
        )
        self._every = (
            (self.every_points or max(1, math.ceil((self._total or 100) / 10))) if compact else 1
        )
        self._compact = compact

    def descriptor(self, doc):
        if self.mode == "off" or doc.get("name") != "primary" or self._primary is not None:
            return
        self._primary = doc["uid"]
        keys = doc.get("data_keys", {})
        fields = self._start.get("fields", {})
        cols = []
        for role, head, unit in COLUMNS:
            name = fields.get(role)
            if name in keys:
                key = keys[name]
                unit = key.get("units") or unit
                cols.append((name, f"{head} ({unit})" if unit else head, unit,
                             key.get("dtype") == "integer"))  # fmt: skip
        if not cols:  # a run without readings of a scan (e.g. a calibration record): no table
            self._primary = ""
            return
        self._cols = cols
        self._widths = [max(len(c[1]), 10) for c in cols]
        every = (
            f", a line every {self._every} points or {self.every_s:g} s" if self._compact else ""
        )
        self.write(
            f"scan {self._start.get('scan_id', '')} {self._start.get('plan_name', '')}: "
            f"{self._total or '?'} points{every}"
        )
        heads = [c[1].rjust(w) for c, w in zip(cols, self._widths, strict=True)]
        head = [f"{'point':>9}", *heads]
        self.write("  ".join(head))
        self._last_t = time.monotonic()

    def event(self, doc):
        if self.mode == "off" or not self._primary or doc["descriptor"] != self._primary:
            return
        self._n += 1
        now = time.monotonic()
        due = self._n - self._last_n >= self._every or (
            self._compact and now - self._last_t >= self.every_s
        )
        if due or self._n == self._total:
            self._line(doc["data"])
            self._last_n, self._last_t = self._n, now

    def stop(self, doc):
        if self.mode != "off" and self._primary and self._compact:
            self.write(
                f"scan {self._start.get('scan_id', '')}: {self._n} points, "
                f"{doc.get('exit_status', '')}"
            )
        self._primary = None

    def _line(self, data: Mapping[str, Any]) -> None:
        point = f"{self._n}/{self._total}" if self._total else str(self._n)
        cells = [f"{point:>9}"]
        for (name, _, _, integer), w in zip(self._cols, self._widths, strict=True):
            v = data.get(name)
            cells.append(_cell(v, integer).rjust(w))
        self.write("  ".join(cells))


def _cell(value: Any, integer: bool) -> str:
    if value is None:
        return "-"
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if integer or (v.is_integer() and abs(v) >= 1000):
        return f"{int(round(v)):d}"
    return f"{v:.6g}" if abs(v) < 1e6 else f"{v:.4e}"


def check_table_options(
    mode: str, long_scan_points: int, every_points: int, every_s: float
) -> None:
    """Raise ValueError (one line naming the value) on bad live-table options."""
    if mode not in TABLE_MODES:
        raise ValueError(f"live table mode {mode!r}: use one of {', '.join(TABLE_MODES)}")
    if long_scan_points < 1 or every_points < 0 or not every_s > 0:
        raise ValueError(
            f"live table: need long_scan_points ≥ 1 (got {long_scan_points}), every_points ≥ 0 "
            f"(got {every_points}) and every_s > 0 (got {every_s})"
        )
