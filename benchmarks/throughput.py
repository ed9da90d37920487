"""Scan throughput: bare RunEngine vs + catalog writer vs + writer and live callbacks.

Runs the same 2000-point Cu edge scan on the simulated beamline three times in one process
and prints events/s and the ratios to the bare RunEngine (target: writer + callbacks
≥ 0.8 × bare). Usage: ``python benchmarks/throughput.py [--points N] [--batch-size B]``.
"""

from __future__ import annotations

import argparse
import logging
import tempfile
import time

import numpy as np
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
    ap.add_argument("--rounds", type=int, default=3, help="interleaved repetitions (median kept)")
    args = ap.parse_args()
    prof = load_profile("default")
    batch = args.batch_size or prof.catalog.batch_size
    labels = ("bare RunEngine", "+ catalog writer", "+ writer + live callbacks")
    rates: dict[str, list[float]] = {label: [] for label in labels}
    with tempfile.TemporaryDirectory() as d:
        catalog = open_embedded_catalog(d)
        for _ in range(args.rounds):
            for label in labels:
                RE = RunEngine({})
                bl = make_beamline(prof)
                if label != "bare RunEngine":
                    writer = make_writer(catalog, batch_size=batch)
                    RE.subscribe(writer)
                    if "callbacks" in label:
                        for cb in analysis_callbacks(
                            prof, publish=writer, echo=None, plot_dir=None
                        ):
                            RE.subscribe(cb)
                rates[label].append(timed_scan(RE, bl, args.points))
    results = {label: float(np.median(r)) for label, r in rates.items()}
    bare = results["bare RunEngine"]
    print(
        f"{args.points}-point edge scan, simulated devices, TiledWriter batch_size={batch}, "
        f"median of {args.rounds} interleaved rounds"
    )
    for label, rate in results.items():
        print(f"  {label:28s} {rate:8.1f} events/s   ratio to bare {rate / bare:5.3f}")


if __name__ == "__main__":
    main()
