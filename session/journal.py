"""Write-ahead journal of documents (DESIGN §14): nothing measured is lost.

Every document of a run is appended, as one JSON line ``{"name": …, "doc": …}``, to
``<data-dir>/journal/<run uid>.jsonl`` before the catalog writer sees it: flushed to the
operating system per document, ``fsync``'d at least every :data:`FSYNC_INTERVAL_S` and at
every stop. The file is removed once the catalog holds the whole run; files left behind (a
crash, ``kill -9``, a catalog outage) are written into the catalog on the next start or by
``axs backfill`` (:mod:`axsuite.session.spool`).

:func:`read_journal` keeps every complete line of a file and reports what it skipped (a
line cut by a crash or a full disk, a damaged line in the middle); an empty file is fine.
"""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

#: Longest time (s) a flushed document may wait before it is fsync'd to the disk.
FSYNC_INTERVAL_S = 1.0


def json_default(obj: Any) -> Any:
    """``json.dumps`` fallback for documents: numpy arrays → lists, numpy scalars → Python."""
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"cannot serialise a {type(obj).__name__} in a document")


def encode(name: str, doc: dict) -> str:
    """One journal line (with its newline) for a document."""
    return json.dumps({"name": name, "doc": doc}, default=json_default) + "\n"


class Journal:
    """Append-only per-run JSON-lines journal in ``directory`` (thread-safe).

    ``append`` raises ``OSError`` when the disk refuses the line (full, read-only); the
    caller decides what to do (the session pauses the plan, see :mod:`.storage`).
    """

    #: Journal files this process has open (a session in the same process must not
    #: "recover" another's run in progress).
    open_paths: set[Path] = set()

    def __init__(self, directory: str | Path):
        self.dir = Path(directory)
        self._files: dict[str, int] = {}  # run uid → file descriptor (O_APPEND)
        self._cut: set[str] = set()  # runs whose last write failed part-way
        self._run_of: dict[str, str] = {}  # descriptor uid → run uid
        self._dirty: set[str] = set()
        self._last_sync = time.monotonic()
        self._lock = threading.Lock()

    def path(self, run_uid: str) -> Path:
        """The journal file of a run."""
        return self.dir / f"{run_uid}.jsonl"

    def run_uid(self, name: str, doc: dict) -> str | None:
        """The run a document belongs to (None for documents of unknown runs)."""
        if name == "start":
            return doc["uid"]
        if name in ("stop", "descriptor"):
            return doc.get("run_start")
        if name in ("event", "event_page"):
            return self._run_of.get(doc.get("descriptor", ""))
        if name in ("resource", "stream_resource"):
            return doc.get("run_start")
        return None

    def append(self, name: str, doc: dict) -> None:
        """Write one document straight to the file (no user-space buffer); fsync at a stop
        and at least every second. A write cut short by the disk leaves a damaged line,
        which the next write closes with a newline so that later lines stay readable."""
        data = encode(name, doc).encode()
        with self._lock:
            uid = self.run_uid(name, doc)
            if uid is None:
                return
            if name == "descriptor":
                self._run_of[doc["uid"]] = uid
            fd = self._files.get(uid)
            if fd is None:
                self.dir.mkdir(parents=True, exist_ok=True)
                flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
                fd = self._files[uid] = os.open(self.path(uid), flags, 0o644)
                Journal.open_paths.add(self.path(uid).resolve())
            if uid in self._cut:
                data = b"\n" + data
            self._cut.add(uid)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            self._cut.discard(uid)
            self._dirty.add(uid)
            if name == "stop":
                self._sync(uid)
                os.close(fd)
                del self._files[uid]
                Journal.open_paths.discard(self.path(uid).resolve())
                self._run_of = {d: r for d, r in self._run_of.items() if r != uid}
            elif time.monotonic() - self._last_sync >= FSYNC_INTERVAL_S:
                self._sync_all()

    def _sync(self, uid: str) -> None:
        fd = self._files.get(uid)
        if fd is not None and uid in self._dirty:
            os.fsync(fd)
        self._dirty.discard(uid)

    def _sync_all(self) -> None:
        for uid in list(self._dirty):
            self._sync(uid)
        self._last_sync = time.monotonic()

    def sync_if_due(self) -> None:
        """fsync files with unsynced lines older than :data:`FSYNC_INTERVAL_S` (timer thread)."""
        with self._lock:
            if self._dirty and time.monotonic() - self._last_sync >= FSYNC_INTERVAL_S:
                self._sync_all()

    def discard(self, run_uid: str) -> None:
        """Remove a run's journal file: the catalog holds the whole run."""
        with self._lock:
            if run_uid in self._files:
                return
            self.path(run_uid).unlink(missing_ok=True)

    def close(self) -> None:
        """fsync and close every open file (runs still open stay in the journal)."""
        with self._lock:
            self._sync_all()
            for uid, fd in self._files.items():
                os.close(fd)
                Journal.open_paths.discard(self.path(uid).resolve())
            self._files.clear()


def read_journal(path: str | Path) -> tuple[list[tuple[str, dict]], list[str]]:
    """The complete documents of a journal (or spool) file and the problems found.

    Returns ``(docs, problems)``: ``docs`` is every line that parses as a document, in
    order; ``problems`` has one sentence per skipped line (``"damaged tail …"`` for a last
    line cut short, ``"damaged line N"`` otherwise). An empty file gives ``([], [])``.
    """
    docs: list[tuple[str, dict]] = []
    problems: list[str] = []
    raw = Path(path).read_bytes()
    lines = raw.split(b"\n")
    complete_end = raw.endswith(b"\n")
    for i, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        last = i == len(lines) or (i == len(lines) - 1 and complete_end)
        try:
            rec = json.loads(line)
            name, doc = rec["name"], rec["doc"]
            if not isinstance(name, str) or not isinstance(doc, dict):
                raise ValueError("not a document")
        except (ValueError, KeyError, TypeError):
            where = "damaged tail" if last else f"damaged line {i}"
            problems.append(f"{where} ({len(line)} bytes) skipped")
            continue
        docs.append((name, doc))
    return docs, problems
