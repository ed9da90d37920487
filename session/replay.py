"""Replay stored runs through the same analysis callbacks that ran live.

Before a run is replayed its stored documents are checked (:func:`check_run`): a missing
stop, fewer events than the stop's ``num_events``, gaps or duplicates in ``seq_num`` and
NULL values make it *incomplete/damaged*; replay says so on the screen and in the result
(``"integrity"``), keeps the last of any duplicated point and closes the run for the
callbacks with ``exit_status: "incomplete"``. A run whose stored data cannot be read at
all gives one line (:class:`~.catalog.CatalogDamaged`).
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from axsuite.callbacks.base import AnalysisCallback, Publisher, result_dict

from .catalog import CatalogDamaged, find_run
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


def stored_seq_nums(run: Any) -> dict[str, list[int]]:
    """The ``seq_num`` column of every stream's stored event table, row by row (duplicates
    included: the exporter behind ``run.documents()`` keeps only the last of each)."""
    out = {}
    for stream in run:
        try:
            table = run[stream].base["internal"]
        except KeyError:
            continue
        out[stream] = [int(v) for v in table.read(columns=["seq_num"])["seq_num"]]
    return out


def check_run(
    stop: dict | None,
    documents: list[tuple[str, dict]],
    stored: dict[str, list[int]] | None = None,
) -> list[str]:
    """Integrity problems of one stored run (empty: complete and intact).

    ``stop`` is the stop document the catalog holds (None: there is none); ``documents``
    what the catalog returns for the run (its exporter always appends a stop, so that one
    cannot be trusted); ``stored`` the raw ``seq_num`` rows per stream
    (:func:`stored_seq_nums`), else those of the events.
    """
    problems = []
    if not stop:
        problems.append("no stop document (the run never finished)")
    streams = {d["uid"]: d.get("name", "primary") for n, d in documents if n == "descriptor"}
    seqs: dict[str, list[int]] = {}
    nulls = 0
    for name, doc in documents:
        if name != "event":
            continue
        seqs.setdefault(streams.get(doc["descriptor"], "?"), []).append(int(doc["seq_num"]))
        if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in doc["data"].values()):
            nulls += 1
    seqs.update(stored or {})
    expected = (stop or {}).get("num_events") or {}
    for stream in sorted(set(seqs) | set(expected)):
        got = seqs.get(stream, [])
        unique = set(got)
        if stream in expected and len(unique) < int(expected[stream]):
            problems.append(f"{stream}: stop says {expected[stream]} events, {len(unique)} stored")
        missing = set(range(1, max(unique, default=0) + 1)) - unique
        if missing:
            problems.append(f"{stream}: {len(missing)} seq_num gap(s), first at {min(missing)}")
        repeated = sum(c - 1 for c in Counter(got).values() if c > 1)
        if repeated:
            problems.append(f"{stream}: {repeated} duplicated seq_num row(s) (last one kept)")
    if nulls:
        problems.append(f"{nulls} event(s) with NULL values")
    return problems


def _without_duplicates(documents: list[tuple[str, dict]]) -> list[tuple[str, dict]]:
    """Keep the last event of each (descriptor, seq_num), in place of the first."""
    last = {
        (d["descriptor"], d["seq_num"]): i for i, (n, d) in enumerate(documents) if n == "event"
    }
    return [
        (n, d)
        for i, (n, d) in enumerate(documents)
        if n != "event" or last[(d["descriptor"], d["seq_num"])] == i
    ]


def read_checked(run: Any, echo: Callable[[str], None] | None = print) -> tuple[list, list[str]]:
    """The documents of a stored run, checked: ``(documents, problems)``.

    A damaged run's duplicated points are dropped (last kept) and its stop is replaced by
    one with ``exit_status: "incomplete"`` naming the problems; ``echo`` gets one line.
    """
    uid = run.metadata["start"]["uid"]
    try:
        documents = list(run.documents())
        stored = stored_seq_nums(run)
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CatalogDamaged(f"run {uid[:8]}: its stored data cannot be read ({first})") from None
    stop = run.metadata.get("stop")
    problems = check_run(stop, documents, stored)
    if not problems:
        return documents, problems
    if echo is not None:
        echo(f"replay: run {uid[:8]} is incomplete/damaged: {'; '.join(problems)}")
    documents = [(n, d) for n, d in _without_duplicates(documents) if n != "stop"]
    documents.append(
        (
            "stop",
            {
                **(stop or {}),
                "uid": (stop or {}).get("uid", f"{uid}-incomplete"),
                "run_start": uid,
                "time": (stop or {}).get("time", time.time()),
                "exit_status": "incomplete",
                "reason": "; ".join(problems),
                "num_events": (stop or {}).get("num_events", {}),
            },
        )
    )
    return documents, problems


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
    combine runs (e.g. two edges) see all of them. Returns ``{raw uid: {analysis: result}}``;
    an incomplete or damaged run also has ``"integrity": {"complete": False, "problems": […]}``.
    """
    callbacks = analysis_callbacks(profile, publish=publish, echo=echo, plot_dir=plot_dir)
    out: dict[str, dict[str, Any]] = {}
    for key in keys:
        run = find_run(catalog, key)
        documents, problems = read_checked(run, echo)
        if problems:
            uid = run.metadata["start"]["uid"]
            out.setdefault(uid, {})["integrity"] = {"complete": False, "problems": problems}
        feed(documents, callbacks, echo)
    for cb in callbacks:
        for uid, result in cb.results.items():
            out.setdefault(uid, {})[cb.analysis_name] = result_dict(result)
    return out
