"""Demo cost: wall time, CPU time and peak memory of ``axs demo`` (and ``--quick``).

Each round runs the demo in a fresh process with a fresh data directory, as a user would,
and reads the child's resource usage: wall time, CPU time (user + system of the demo and
the processes it waited for, such as tiled's catalog initialisation) and peak resident
memory. On a shared machine the wall time follows the load while the CPU time hardly
moves: compare CPU times between versions, wall times only on an idle machine. With
several rounds the full and quick demos alternate (interleaved) and the median and
[min, max] are printed.

Usage: ``python benchmarks/demo.py [--rounds N] [--quick-only] [--full-only]``.
From Python (``benchmarks/run.py``): :func:`measure_demo`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time


def measure_demo(quick: bool = False) -> dict[str, float]:
    """Run ``axs demo`` (``--quick``) once in a new process on a fresh data directory.

    Returns ``wall_s``, ``cpu_s`` (user + system, the demo and its waited-for children),
    ``peak_rss_MB`` (largest resident set of the demo or of a child it waited for) and
    ``load_1min`` (the machine's load average when it finished). Raises RuntimeError if
    the demo fails.
    """
    with tempfile.TemporaryDirectory(prefix="axs-demo-bench-") as d:
        cmd = [sys.executable, "-m", "axsuite.session.cli", "demo", "--data-dir", d, "--no-table"]
        if quick:
            cmd.append("--quick")
        with open(os.path.join(d, "stderr.txt"), "w+b") as err:
            t0 = time.perf_counter()
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - t0
            proc.returncode = os.waitstatus_to_exitcode(status)
            if proc.returncode != 0:
                err.seek(0)
                tail = err.read().decode(errors="replace").strip()[-500:]
                raise RuntimeError(f"axs demo failed ({proc.returncode}): {tail}")
    return {
        "wall_s": wall,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_rss_MB": usage.ru_maxrss / 1024.0,
        "load_1min": os.getloadavg()[0],
    }


def _summary(values: list[float], fmt: str) -> str:
    med = statistics.median(values)
    if len(values) == 1:
        return format(med, fmt)
    return f"{format(med, fmt)} [{format(min(values), fmt)}, {format(max(values), fmt)}]"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=1, help="interleaved rounds (median kept)")
    group = ap.add_mutually_exclusive_group()
    group.add_argument("--quick-only", action="store_true", help="only `axs demo --quick`")
    group.add_argument("--full-only", action="store_true", help="only the full demo")
    args = ap.parse_args()
    variants = [False] if args.full_only else [True] if args.quick_only else [True, False]
    runs: dict[bool, list[dict[str, float]]] = {v: [] for v in variants}
    for _ in range(max(1, args.rounds)):
        for quick in variants:
            runs[quick].append(measure_demo(quick))
    cores = os.cpu_count() or 1
    for quick in variants:
        rows = runs[quick]
        name = "axs demo --quick" if quick else "axs demo"
        print(
            f"{name:17s} wall {_summary([r['wall_s'] for r in rows], '.1f')} s, "
            f"CPU {_summary([r['cpu_s'] for r in rows], '.1f')} s, "
            f"peak RSS {_summary([r['peak_rss_MB'] for r in rows], '.0f')} MB "
            f"({len(rows)} run(s); load average {_summary([r['load_1min'] for r in rows], '.1f')}"
            f" on {cores} cores)"
        )


if __name__ == "__main__":
    main()
