"""Replay stored runs through the same analysis callbacks that ran live."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from axsuite.callbacks.base import AnalysisCallback, Publisher, result_dict

from .catalog import find_run
from .profile import Profile
from .registry import analysis_callbacks


def feed(
    documents: Iterable[tuple[str, dict]],
    callbacks: list[AnalysisCallback],
    echo: Callable[[str], None] | None = print,
) -> bool:
    """Send one run's documents to every callback; returns False if the run had no stop.

    A run without a stop document (crashed or still running) is finished with a synthetic
    stop whose ``exit_status`` is ``"incomplete"``, and the callbacks are told so.
    """
    start_uid = None
    stopped = False
    for name, doc in documents:
        if name == "start":
            start_uid = doc["uid"]
        if name == "stop":
            stopped = True
        for cb in callbacks:
            cb(name, doc)
    if start_uid is not None and not stopped:
        if echo is not None:
            echo(
                f"replay: run {start_uid[:8]} has no stop document (incomplete); "
                "analysing the events it has"
            )
        stop = {
            "uid": f"{start_uid}-incomplete",
            "run_start": start_uid,
            "time": time.time(),
            "exit_status": "incomplete",
            "reason": "no stop document in the catalog",
            "num_events": {},
        }
        for cb in callbacks:
            cb("stop", stop)
    return stopped


def replay(
    catalog: Any,
    keys: Iterable[str],
    profile: Profile,
    *,
    echo: Callable[[str], None] | None = print,
    publish: Publisher | None = None,
    plot_dir: Path | None = None,
) -> dict[str, dict[str, Any]]:
    """Replay runs (uids, prefixes or scan_ids), in order, through fresh analysis callbacks.

    Runs are fed one after the other to the same callback instances, so analyses that
    combine runs (e.g. two edges) see all of them. Returns ``{raw uid: {analysis: result}}``.
    """
    callbacks = analysis_callbacks(profile, publish=publish, echo=echo, plot_dir=plot_dir)
    for key in keys:
        run = find_run(catalog, key)
        feed(run.documents(), callbacks, echo)
    out: dict[str, dict[str, Any]] = {}
    for cb in callbacks:
        for uid, result in cb.results.items():
            out.setdefault(uid, {})[cb.analysis_name] = result_dict(result)
    return out
