"""Live feedback callbacks: a progress bar over the points of a run."""

from __future__ import annotations

import sys

from bluesky.callbacks.core import CallbackBase
from tqdm.auto import tqdm


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
