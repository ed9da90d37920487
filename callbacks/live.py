"""Live feedback callbacks: a progress bar over the points of a run."""

from __future__ import annotations

from bluesky.callbacks.core import CallbackBase
from tqdm.auto import tqdm


class ScanProgress(CallbackBase):
    """tqdm progress bar of primary events against the start document's ``num_points``."""

    def __init__(self, **tqdm_kwargs):
        super().__init__()
        self.tqdm_kwargs = {"leave": True, "unit": "pt", **tqdm_kwargs}
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
