"""``axs runs`` on a 200-run catalog, ``axs --help`` and a full tiled catalog open (issue 12).

Builds (once, in a temporary directory) an embedded catalog of ``--runs`` small raw runs
written by the session's own ``TiledWriter``, then times, interleaved and after a warm-up
round, in fresh processes: a Python start-up anchor (``import json, sqlite3``), ``axs
--help``, ``axs runs`` and ``open_embedded_catalog`` + ``len`` (what ``axs replay`` pays
before reading a run). Prints wall and CPU (user + system) time, median [min, max], and
the ratio of each median to the anchor's. On a loaded machine compare CPU times.

Where the time went before (cProfile of ``axs runs``, 200 runs, load ≈ 11 on 2 cores,
83 s wall): 26 s loading the whole profile (device/analysis/callback imports), 21 s in
tiled's ``from_uri(init_if_not_exists=True)`` (a ``python -m tiled catalog init``
subprocess on every open), 15 s importing bluesky-tiled-plugins, 9 s building the tiled
app, ~1.6 s listing through the client. Now ``axs runs`` reads only the profile's catalog
section and the run metadata straight from ``catalog.db`` (read-only SQLite).

Usage: ``python benchmarks/catalog_open.py [--runs 200] [--rounds 7]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid


def build_catalog(data_dir: str, n_runs: int) -> None:
    """Write ``n_runs`` raw runs of 5 events each into the embedded catalog ``data_dir``."""
    from axsuite.session.catalog import make_writer, open_embedded_catalog

    catalog = open_embedded_catalog(data_dir)
    writer = make_writer(catalog, batch_size=100)
    t0 = time.time()
    for i in range(n_runs):
        run, desc = str(uuid.uuid4()), str(uuid.uuid4())
        writer(
            "start",
            {
                "uid": run,
                "time": t0 + i,
                "scan_id": i + 1,
                "plan_name": "count",
                "sample": "cu_foil",
                "element": "Cu",
            },
        )
        writer(
            "descriptor",
            {
                "uid": desc,
                "run_start": run,
                "time": t0 + i,
                "name": "primary",
                "data_keys": {"I0": {"dtype": "number", "shape": [], "source": "sim"}},
            },
        )
        for seq in range(1, 6):
            writer(
                "event",
                {
                    "uid": str(uuid.uuid4()),
                    "descriptor": desc,
                    "seq_num": seq,
                    "time": t0 + i,
                    "data": {"I0": float(seq)},
                    "timestamps": {"I0": t0 + i},
                },
            )
        writer(
            "stop",
            {
                "uid": str(uuid.uuid4()),
                "run_start": run,
                "time": t0 + i,
                "exit_status": "success",
                "num_events": {"primary": 5},
            },
        )


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall s, CPU s) of one command in a fresh process; raises if it fails."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{cmd} failed: {proc.stderr.read().decode()[-500:]}")
    return wall, usage.ru_utime + usage.ru_stime


def _summary(values: list[float]) -> str:
    return f"{statistics.median(values):6.2f} [{min(values):.2f}, {max(values):.2f}]"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--rounds", type=int, default=7)
    args = ap.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory(prefix="axs-catalog-bench-") as d:
        build_catalog(d, args.runs)
        axs = [py, "-m", "axsuite.session.cli"]
        opener = (
            "from axsuite.session.catalog import open_embedded_catalog;"
            f"print(len(open_embedded_catalog({d!r})))"
        )
        cases = {
            "anchor: python -c 'import json, sqlite3'": [py, "-c", "import json, sqlite3"],
            "axs --help": [*axs, "--help"],
            f"axs runs ({args.runs} runs)": [*axs, "runs", "--data-dir", d],
            "open_embedded_catalog + len": [py, "-c", opener],
        }
        for cmd in cases.values():  # warm-up: byte-code and file caches
            timed(cmd)
        results: dict[str, list[tuple[float, float]]] = {k: [] for k in cases}
        for _ in range(args.rounds):
            for label, cmd in cases.items():
                results[label].append(timed(cmd))
    anchor = statistics.median(w for w, _ in next(iter(results.values())))
    print(f"load average {os.getloadavg()[0]:.1f}; {args.rounds} rounds, interleaved")
    print(f"{'case':<44} {'wall s median [min, max]':<26} {'CPU s median [min, max]':<26} ×anchor")
    for label, rows in results.items():
        walls, cpus = [w for w, _ in rows], [c for _, c in rows]
        ratio = statistics.median(walls) / anchor
        print(f"{label:<44} {_summary(walls):<26} {_summary(cpus):<26} {ratio:6.1f}")


if __name__ == "__main__":
    main()
