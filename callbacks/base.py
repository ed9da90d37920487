"""Base class of axsuite analysis callbacks: one class serves live, remote and replay.

An :class:`AnalysisCallback` is an ``event_model.DocumentRouter``: it learns field names
from the start document's ``fields`` map (role → event field), buffers per-event values
(O(1) work per event), calls :mod:`axsuite.analysis` when a block or the run completes, and
publishes its results as an *analysis run* (``event_model.compose_run``) whose start
document carries ``analysis``, ``raw_uids``, ``parameters`` and ``axsuite_version``.

Subclasses set ``analysis_name`` and implement :meth:`accepts`, :meth:`on_start`,
:meth:`on_event` and :meth:`on_stop`; ``on_stop`` returns the result object (a frozen
dataclass) or None, and calls :meth:`publish` with result streams.

An analysis that fails (an exception in ``on_start``/``on_event``/``on_stop``, or
:meth:`fail` called by the subclass) says so in one line (which analysis, which scan,
why) and records an analysis run whose stop has ``exit_status: "fail"`` and the reason;
the scan itself goes on. A plot directory that cannot be written is reported once and
plots are skipped: the analysis still runs and publishes.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar

import event_model
import numpy as np
from axsuite.analysis.provenance import axsuite_version

Publisher = Callable[[str, dict], None]

logger = logging.getLogger("axsuite.callbacks")


def _reason(exc: BaseException) -> str:
    """One line describing an exception: its message (first line) or its type."""
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _writable_dir(path: Path) -> bool:
    """True if ``path`` is (or can be created as) a directory this process can write into."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return False
    return os.access(path, os.W_OK | os.X_OK)


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _data_key(value: Any, units: str | None) -> dict[str, Any]:
    arr = np.asarray(value)
    if arr.dtype.kind in "US":
        key = {"dtype": "string", "shape": [], "source": "axsuite"}
    elif arr.ndim == 0:
        key = {
            "dtype": "integer" if arr.dtype.kind in "iub" else "number",
            "shape": [],
            "source": "axsuite",
        }
    else:
        key = {"dtype": "array", "shape": list(arr.shape), "source": "axsuite"}
        key["dtype_numpy"] = arr.dtype.str
    if units:
        key["units"] = units
    return key


class AnalysisCallback(event_model.DocumentRouter):
    """Document consumer that computes and publishes one analysis (see module doc).

    Parameters
    ----------
    publish : where analysis-run documents go (e.g. the catalog writer); None keeps them
        only in :attr:`published` (replay without storing).
    echo : called with one line of text per printed result (``print`` live; None silent).
    """

    analysis_name: ClassVar[str] = ""
    #: Validate every published event against the schema (True) or only the first event of
    #: each stream, composing the others unvalidated with the same keys (default; the
    #: documents are identical, see tests/test_analysis_publish.py).
    validate_every_event: ClassVar[bool] = False

    def __init__(
        self, *, publish: Publisher | None = None, echo: Callable[[str], None] | None = print
    ):
        super().__init__()
        self.publish_to = publish
        self.echo = echo
        self.results: dict[str, Any] = {}
        self.published: list[tuple[str, dict]] = []
        self.raw_start: dict | None = None
        self.fields: dict[str, str] = {}
        self._stream_of: dict[str, str] = {}
        self.complete = True
        #: raw uid → one-line reason of every failed analysis (also published as a fail run)
        self.failures: dict[str, str] = {}
        self._failure: str | None = None

    # ----------------------------------------------------------------- subclass API
    def accepts(self, start: Mapping) -> bool:
        """True if this callback analyses runs like ``start``."""
        return False

    def on_start(self, doc: Mapping) -> None:
        """New accepted run: reset per-run buffers."""

    def on_event(self, doc: Mapping, stream: str) -> None:
        """One event of an accepted run (O(1) work only)."""

    def on_stop(self, doc: Mapping) -> Any:
        """Run finished: compute, publish, return a result object or None."""
        return None

    def parameters(self) -> dict[str, Any]:
        """Analysis parameters recorded in the analysis-run start document."""
        return {}

    # ----------------------------------------------------------------- routing
    def start(self, doc):
        if self.accepts(doc):
            self.raw_start = dict(doc)
            self.fields = dict(doc.get("fields", {}))
            self._stream_of = {}
            self.complete = True
            self._failure = None
            self._check_plot_dir()
            self._guard("on_start", self.on_start, doc)
        else:
            self.raw_start = None
        return doc

    def descriptor(self, doc):
        if self.raw_start is not None:
            self._stream_of[doc["uid"]] = doc.get("name", "primary")
        return doc

    def event(self, doc):
        if (
            self.raw_start is not None
            and self._failure is None
            and doc["descriptor"] in self._stream_of
        ):
            self._guard("on_event", self.on_event, doc, self._stream_of[doc["descriptor"]])
        return doc

    def stop(self, doc):
        if self.raw_start is not None:
            self.complete = doc.get("exit_status") != "incomplete"
            result = None
            if self._failure is None:
                result = self._guard("on_stop", self.on_stop, doc)
            if self._failure is not None:
                self._publish_failure(self._failure)
            elif result is not None:
                self.results[self.raw_start["uid"]] = result
            self.raw_start = None
        return doc

    def _guard(self, stage: str, method: Callable[..., Any], *args: Any) -> Any:
        """Call a subclass hook; an exception becomes this run's failure (see :meth:`fail`)."""
        try:
            return method(*args)
        except Exception as exc:  # a failing analysis must not stop the scan
            logger.debug("%s %s failed", self.analysis_name, stage, exc_info=True)
            self.fail(f"{type(exc).__name__} in {stage}: {_reason(exc)}")
            return None

    def fail(self, reason: str) -> None:
        """Mark the current run's analysis as failed: one line now, a fail run at the stop.

        Subclasses call it (then return None from ``on_stop``) when their analysis cannot
        give a result; exceptions raised by the hooks end up here too.
        """
        if self.raw_start is None or self._failure is not None:
            return
        self._failure = reason
        start = self.raw_start
        line = (
            f"{self.analysis_name or type(self).__name__} analysis FAILED for scan "
            f"{start.get('scan_id', '?')} ({str(start.get('uid', ''))[:8]}): {reason}"
        )
        if self.echo is not None:
            self.echo(line)
        else:
            logger.warning(line)

    def _publish_failure(self, reason: str) -> None:
        uid = self.raw_start["uid"]
        self.failures[uid] = reason
        md = self._run_metadata([uid], {"failure": reason})
        bundle = event_model.compose_run(metadata=md)
        self._emit("start", bundle.start_doc)
        self._emit("stop", bundle.compose_stop(exit_status="fail", reason=reason))

    def _check_plot_dir(self) -> None:
        plot_dir = getattr(self, "plot_dir", None)
        if plot_dir is not None and not _writable_dir(Path(plot_dir)):
            self.say(
                f"{self.analysis_name}: cannot write plots to {plot_dir} (not a writable "
                "directory); analysing without plots"
            )
            self.plot_dir = None

    # ----------------------------------------------------------------- helpers
    def field(self, role: str) -> str:
        """Event-field name of a role from the start document's ``fields`` map."""
        try:
            return self.fields[role]
        except KeyError:
            raise KeyError(
                f"{type(self).__name__}: the run's start document has no field for role {role!r}"
            ) from None

    def append_roles(self, doc: Mapping, columns: Mapping[str, list[float]]) -> None:
        """Append this event's value of every role in ``columns`` (NaN if absent)."""
        data = doc["data"]
        for role, values in columns.items():
            name = self.fields.get(role)
            values.append(float(data[name]) if name in data else np.nan)

    def say(self, text: str) -> None:
        """Print one line of results (if echo is set)."""
        if self.echo is not None:
            self.echo(text)

    def publish(
        self,
        raw_uids: Sequence[str],
        streams: Mapping[str, Sequence[Mapping[str, Any]]],
        units: Mapping[str, str] | None = None,
        extra_md: Mapping[str, Any] | None = None,
    ) -> str:
        """Emit an analysis run: start, one descriptor + events per stream, stop.

        ``streams`` maps stream name → rows (mappings field → value, arrays allowed);
        ``units`` maps field → unit string. Returns the analysis run uid.
        """
        units = dict(units or {})
        bundle = event_model.compose_run(metadata=self._run_metadata(raw_uids, extra_md))
        self._emit("start", bundle.start_doc)
        for name, rows in streams.items():
            rows = list(rows)
            if not rows:
                continue
            data_keys = {k: _data_key(v, units.get(k)) for k, v in rows[0].items()}
            desc = bundle.compose_descriptor(name=name, data_keys=data_keys)
            self._emit("descriptor", desc.descriptor_doc)
            now = time.time()
            for i, row in enumerate(rows):
                if row.keys() != data_keys.keys():
                    raise ValueError(
                        f"{self.analysis_name}: stream {name!r} row {i} has fields "
                        f"{sorted(row)}, expected {sorted(data_keys)}"
                    )
                data = {k: v.item() if isinstance(v, np.generic) else v for k, v in row.items()}
                ev = desc.compose_event(
                    data=data,
                    timestamps=dict.fromkeys(data, now),
                    validate=self.validate_every_event or i == 0,
                )
                self._emit("event", ev)
        self._emit("stop", bundle.compose_stop())
        return bundle.start_doc["uid"]

    def _run_metadata(
        self, raw_uids: Sequence[str], extra_md: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        md = {
            "analysis": self.analysis_name,
            "plan_name": f"analysis:{self.analysis_name}",
            "raw_uids": list(raw_uids),
            "parameters": _jsonable(self.parameters()),
            "axsuite_version": axsuite_version(),
            "complete": self.complete,
        }
        md.update(_jsonable(dict(extra_md or {})))
        return md

    def _emit(self, name: str, doc: dict) -> None:
        self.published.append((name, doc))
        if self.publish_to is not None:
            self.publish_to(name, doc)


def file_figure(**kwargs: Any) -> Any:
    """A matplotlib ``Figure`` not managed by pyplot, for PNG files: saving plots never
    switches or touches the interactive backend of a live session."""
    from matplotlib.figure import Figure

    return Figure(**kwargs)


def result_dict(result: Any) -> dict[str, Any]:
    """A frozen-dataclass result as a JSON-ready dict (arrays → lists)."""
    if dataclasses.is_dataclass(result):
        return _jsonable(dataclasses.asdict(result))
    return _jsonable(result)
