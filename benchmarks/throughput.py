"""Scan throughput: bare RunEngine vs + catalog writer vs + writer and live callbacks vs
+ the same with live figures (drawn into PNG files, as without a display).

Runs the same Cu edge scan on the simulated beamline in every configuration, interleaved
over ``--rounds`` rounds in one process, and prints events/s (median [min, max]) and the
ratios to the bare RunEngine and, for live figures, to the same configuration without them
(issue 10: live plots cost ≤ 5 %). Usage: ``python benchmarks/throughput.py [--points N]
[--batch-size B] [--rounds R]``.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time
from pathlib import Path

import numpy as np
from axsuite.callbacks.figures.board import DrawWhileWaiting, FigureBoard
from axsuite.devices import make_beamline
from axsuite.plans import edge_scan
from axsuite.session.catalog import make_writer, open_embedded_catalog
from axsuite.session.profile import load_profile
from axsuite.session.registry import analysis_callbacks
from bluesky import RunEngine


def timed_scan(RE: RunEngine, bl, n: int) -> float:
    regions = [{"start": -500.0, "stop": -500.0 + (n - 1) * 1.0, "step": 1.0}]
    t0 = time.perf_counter()
    RE(edge_scan("Cu", beamline=bl, regions=regions, dwell_s=0.1))
    return n / (time.perf_counter() - t0)


def main() -> None:
    logging.getLogger("tiled").setLevel(logging.WARNING)
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--points", type=int, default=2000)
    ap.add_argument("--batch-size", type=int, default=None, help="default: the profile's")
    ap.add_argument("--rounds", type=int, default=5, help="interleaved rounds (median kept)")
    args = ap.parse_args()
    prof = load_profile("default")
    batch = args.batch_size or prof.catalog.batch_size
    labels = ("bare RunEngine", "+ catalog writer", "+ writer + live callbacks",
              "+ writer + callbacks + live figures")  # fmt: skip
    rates: dict[str, list[float]] = {label: [] for label in labels}
    with tempfile.TemporaryDirectory() as d:
        catalog = open_embedded_catalog(d)
        for k in range(args.rounds + 1):  # round 0 warms up (imports, tables, first figure)
            for label in labels[k % len(labels):] + labels[: k % len(labels)]:
                board = FigureBoard("file", Path(d) / "live") if "figures" in label else None
                RE = RunEngine({}, **({"during_task": DrawWhileWaiting(board)} if board else {}))
                bl = make_beamline(prof)
                if label != "bare RunEngine":
                    writer = make_writer(catalog, batch_size=batch)
                    RE.subscribe(writer)
                    if "callbacks" in label:
                        for cb in analysis_callbacks(
                            prof, publish=writer, echo=None, plot_dir=None, figures=board
                        ):
                            RE.subscribe(cb)
                rate = timed_scan(RE, bl, args.points)
                if k:
                    rates[label].append(rate)
    bare = float(np.median(rates["bare RunEngine"]))
    print(
        f"{args.points}-point edge scan, simulated devices, TiledWriter batch_size={batch}, "
        f"{args.rounds} interleaved rounds after a warm-up (median [min, max])"
    )
    for label, r in rates.items():
        print(f"  {label:36s} {np.median(r):8.1f} [{min(r):.1f}, {max(r):.1f}] events/s   "
              f"ratio to bare {np.median(r) / bare:5.3f}")
    paired = np.array(rates[labels[3]]) / np.array(rates[labels[2]])
    print(f"  live figures ÷ without (per round): median {np.median(paired):.3f} "
          f"[{paired.min():.3f}, {paired.max():.3f}]")


if __name__ == "__main__":
    main()
