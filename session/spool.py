"""Recovery: write into the catalog what the journal (or a worker's spool) holds and it lacks.

Two local stores of documents, both JSON Lines ``{"name": …, "doc": …}``, one file per run:

* ``<data-dir>/journal/<uid>.jsonl`` — the session's write-ahead journal
  (:mod:`axsuite.session.journal`), every document of every run; a file left behind means
  the catalog may lack (part of) that run (crash, ``kill -9``, catalog outage).
* ``<data-dir>/spool/<uid8>.jsonl`` — whole runs an ``axs worker``'s ``TiledWriter`` could
  not write (its ``backup_dictionary``, :class:`SpoolStore`).

:func:`backfill` (run at every session start and by ``axs backfill``) reads each file with
:func:`~axsuite.session.journal.read_journal` (complete lines kept, damaged lines reported),
keeps the last of every re-measured point (same stream and ``seq_num``), closes a run
without a stop with ``exit_status: "abort"`` and a reason, and writes it unless the
catalog already holds the whole run. One bad file never stops the others.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import Any

import numpy as np

from .journal import Journal, encode, json_default, read_journal

__all__ = ["SpoolStore", "backfill", "json_default", "pending", "prepare_run"]

#: ``reason`` of the stop written for a run recovered without one.
ABORT_REASON = (
    "the session ended without closing the run (crash, kill or power cut); "
    "closed when its journal was recovered"
)


class _SpoolFile:
    """Append-only JSON Lines file standing in for the list JSONDictWriter appends to."""

    def __init__(self, path: Path):
        self.path = path

    def append(self, record: dict) -> None:
        with open(self.path, "a") as f:
            f.write(encode(record["name"], record["doc"]))


class SpoolStore(MutableMapping):
    """Mapping run key → spool file, given to ``TiledWriter(backup_dictionary=...)``."""

    def __init__(self, spool_dir: str | Path):
        self.dir = Path(spool_dir)

    def _path(self, key: str) -> Path:
        return self.dir / f"{key}.jsonl"

    def __getitem__(self, key: str) -> _SpoolFile:
        if not self._path(key).exists():
            raise KeyError(key)
        return _SpoolFile(self._path(key))

    def __setitem__(self, key: str, value: list) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        spool_file = _SpoolFile(self._path(key))
        self._path(key).touch()
        for record in value:
            spool_file.append(record)

    def __delitem__(self, key: str) -> None:
        self._path(key).unlink()

    def __iter__(self) -> Iterator[str]:
        return (p.stem for p in pending(self.dir))

    def __len__(self) -> int:
        return len(pending(self.dir))


def pending(directory: str | Path) -> list[Path]:
    """Journal or spool files waiting for backfill, oldest first."""
    d = Path(directory)
    files = [
        p
        for p in (d.glob("*.jsonl") if d.is_dir() else [])
        if p.is_file() and p.resolve() not in Journal.open_paths
    ]
    return sorted(files, key=lambda p: p.stat().st_mtime)


def prepare_run(docs: list[tuple[str, dict]]) -> tuple[list[tuple[str, dict]], int, bool]:
    """Make a recovered document list writable: ``(docs, n_replaced, had_stop)``.

    Array fields are restored from their descriptors, a re-measured point (same
    descriptor and ``seq_num``) keeps only its last measurement, events follow their
    descriptors in ``seq_num`` order, and a run without a stop gets one with
    ``exit_status: "abort"``, :data:`ABORT_REASON` and the number of events per stream.
    """
    if not docs or docs[0][0] != "start":
        raise ValueError("does not begin with a start document")
    start = docs[0][1]
    head: list[tuple[str, dict]] = []
    events: dict[tuple[str, int], dict] = {}
    arrays: dict[str, dict[str, str]] = {}
    stream_of: dict[str, str] = {}
    stop = None
    n_seen = 0
    for name, doc in docs:
        if name == "event":
            n_seen += 1
            for key, dtype in arrays.get(doc["descriptor"], {}).items():
                if key in doc["data"]:
                    doc["data"][key] = np.asarray(doc["data"][key], dtype=dtype)
            events[(doc["descriptor"], int(doc["seq_num"]))] = doc
        elif name == "stop":
            stop = doc
        elif name in ("start", "descriptor") or doc.get("run_start") == start["uid"]:
            if name == "descriptor":
                stream_of[doc["uid"]] = doc.get("name", "primary")
                arrays[doc["uid"]] = {
                    k: v.get("dtype_numpy", "<f8")
                    for k, v in doc["data_keys"].items()
                    if v.get("dtype") == "array"
                }
            if name != "start" or not head:
                head.append((name, doc))
    ordered = [events[k] for k in sorted(events, key=lambda k: (k[0], k[1]))]
    had_stop = stop is not None
    if stop is None:
        counts: dict[str, int] = {}
        for ev in ordered:
            stream = stream_of.get(ev["descriptor"], "primary")
            counts[stream] = counts.get(stream, 0) + 1
        stop = {
            "uid": f"{start['uid']}-recovered-stop",
            "run_start": start["uid"],
            "time": max([start["time"], *(ev["time"] for ev in ordered)]),
            "exit_status": "abort",
            "reason": ABORT_REASON,
            "num_events": counts,
        }
    out = [*head, *(("event", ev) for ev in ordered), ("stop", stop)]
    return out, n_seen - len(ordered), had_stop


@dataclasses.dataclass
class Recovered:
    """What :func:`backfill` did with one file."""

    path: Path
    uid: str | None
    action: str  # "written", "already stored", "empty", "damaged"
    n_events: int = 0
    n_replaced: int = 0
    closed_as_abort: bool = False
    problems: list[str] = dataclasses.field(default_factory=list)

    def line(self) -> str:
        """One line for the user."""
        what = f"run {self.uid[:8]}" if self.uid else self.path.name
        extra = [f"{self.n_events} events"] if self.action == "written" else []
        if self.n_replaced:
            extra.append(f"{self.n_replaced} re-measured point(s) kept once")
        if self.closed_as_abort:
            extra.append('no stop: closed with exit_status "abort"')
        extra += self.problems
        return f"{what}: {self.action}" + (f" ({'; '.join(extra)})" if extra else "")


def _catalog_has_whole_run(catalog: Any, uid: str) -> bool:
    return uid in catalog and bool(catalog[uid].metadata.get("stop"))


def _recover_file(catalog: Any, path: Path, batch_size: int, journal: bool) -> Recovered:
    from .catalog import make_writer

    docs, problems = read_journal(path)
    if not docs and not problems:
        path.unlink()
        return Recovered(path, None, "empty")
    try:
        prepared, n_replaced, had_stop = prepare_run(docs)
    except ValueError as exc:
        damaged = path.parent / "damaged"
        damaged.mkdir(exist_ok=True)
        path.rename(damaged / path.name)
        return Recovered(path, None, "damaged", problems=[f"{exc}; moved to {damaged}", *problems])
    uid = prepared[0][1]["uid"]
    n_events = sum(1 for name, _ in prepared if name == "event")
    rec = Recovered(path, uid, "written", n_events, n_replaced, not had_stop, problems)
    if journal and _catalog_has_whole_run(catalog, uid):
        rec.action = "already stored"
    else:
        if uid in catalog:
            catalog.delete_contents(uid, recursive=True, external_only=False)
        writer = make_writer(catalog, batch_size=batch_size)
        for name, doc in prepared:
            writer(name, doc)
    if journal:
        path.unlink()
    else:
        done = path.parent / "done"
        done.mkdir(exist_ok=True)
        path.rename(done / path.name)
    return rec


def backfill(
    catalog: Any,
    data_dir: str | Path,
    *,
    batch_size: int = 1000,
    echo: Callable[[str], None] | None = None,
) -> list[Recovered]:
    """Write every journal and spool file of ``data_dir`` the catalog lacks; one record each.

    A file that fails (catalog refusing, unreadable file) stays where it is, is reported
    through ``echo`` and the next file is tried.
    """
    out = []
    d = Path(data_dir)
    for directory, journal in ((d / "journal", True), (d / "spool", False)):
        for path in pending(directory):
            t0 = time.perf_counter()
            try:
                rec = _recover_file(catalog, path, batch_size, journal)
            except Exception as exc:
                rec = Recovered(path, None, "failed", problems=[f"{type(exc).__name__}: {exc}"])
            out.append(rec)
            if echo is not None and rec.action != "empty":
                echo(f"backfill: {rec.line()} [{time.perf_counter() - t0:.1f} s]")
    return out
