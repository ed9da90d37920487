"""Local spool of runs the catalog could not take, and backfill when it is back (DESIGN §10).

The session's ``TiledWriter`` gets a :class:`SpoolStore` as its backup: when a write to
the catalog fails, the whole run (every document, buffered ones included) goes to a JSON
Lines file ``<uid8>.jsonl`` in ``<data-dir>/spool`` (numpy arrays written as lists).
:func:`backfill` writes those runs into the catalog (array fields restored from their
descriptors), replacing any partial copy, and moves the files to ``spool/done``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, MutableMapping
from pathlib import Path
from typing import Any

import numpy as np


def json_default(obj: Any) -> Any:
    """``json.dumps`` fallback for documents: numpy arrays → lists, numpy scalars → Python."""
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, np.generic):
        return obj.item()
    raise TypeError(f"cannot serialise a {type(obj).__name__} in a document")


class _SpoolFile:
    """Append-only JSON Lines file standing in for the list JSONDictWriter appends to."""

    def __init__(self, path: Path):
        self.path = path

    def append(self, record: dict) -> None:
        with open(self.path, "a") as f:
            f.write(json.dumps(record, default=json_default) + "\n")


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


def pending(spool_dir: str | Path) -> list[Path]:
    """Spooled run files waiting for backfill, oldest first."""
    d = Path(spool_dir)
    return sorted(d.glob("*.jsonl"), key=lambda p: p.stat().st_mtime) if d.is_dir() else []


def read_spooled_run(path: str | Path) -> list[tuple[str, dict]]:
    """The (name, document) pairs of one spooled run; ValueError if it has no start."""
    docs = []
    with open(path) as f:
        for line in f:
            if line.strip():
                rec = json.loads(line)
                docs.append((rec["name"], rec["doc"]))
    if not docs or docs[0][0] != "start":
        raise ValueError(f"spool file {path} does not begin with a start document")
    arrays: dict[str, dict[str, str]] = {}
    for name, doc in docs:
        if name == "descriptor":
            arrays[doc["uid"]] = {
                k: v.get("dtype_numpy", "<f8")
                for k, v in doc["data_keys"].items()
                if v.get("dtype") == "array"
            }
        elif name == "event":
            for key, dtype in arrays.get(doc["descriptor"], {}).items():
                doc["data"][key] = np.asarray(doc["data"][key], dtype=dtype)
    return docs


def backfill(catalog: Any, spool_dir: str | Path, *, batch_size: int = 100) -> list[str]:
    """Write every spooled run into ``catalog``; returns the uids written."""
    from .catalog import make_writer

    done_dir = Path(spool_dir) / "done"
    written = []
    for path in pending(spool_dir):
        docs = read_spooled_run(path)
        uid = docs[0][1]["uid"]
        if uid in catalog:
            catalog.delete_contents(uid, recursive=True, external_only=False)
        writer = make_writer(catalog, batch_size=batch_size)
        for name, doc in docs:
            writer(name, doc)
        done_dir.mkdir(parents=True, exist_ok=True)
        path.rename(done_dir / path.name)
        written.append(uid)
    return written
