"""The long fault runs, by hand: ``python tests/faults/run_faults.py [--kills 8] [--dumps 44]``.

Runs the kill -9 chain with ``--kills`` kills at random points of 600-point scans and one
scan with ``--dumps`` beam dumps timed to land while the catalog writer writes a batch,
each in a fresh temporary data directory, and prints the fault table (points measured,
stored, lost, duplicated). CI runs the same scenarios with fewer repetitions
(tests/faults/test_faults.py).
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from faultlib import report, run_until, spawn, tally  # noqa: E402
from test_faults import kill9_chain  # noqa: E402


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kills", type=int, default=8)
    ap.add_argument("--dumps", type=int, default=44)
    ap.add_argument("--seed", type=int, default=None)
    args = ap.parse_args()
    seed = random.randrange(1 << 30) if args.seed is None else args.seed
    rows = []
    with tempfile.TemporaryDirectory(prefix="axs-faults-") as d:
        for t, _ in kill9_chain(Path(d) / "kill", args.kills, random.Random(seed)):
            rows.append(t)
        data = Path(d) / "dumps"
        points = max(600, 10 * args.dumps)
        cmd = ("--points", str(points), "--batch-size", "10", "--dumps", str(args.dumps))
        seen, lines = run_until(spawn("scan", data, *cmd), None)
        dumps, susp = next(map(int, ln.split()[1::2]) for ln in lines if ln.startswith("dumps"))
        (run,) = report(data)
        note = f"{susp} suspensions; lowest stored ring current {run['min_ring_mA']:.0f} mA"
        rows.append(tally(f"{dumps} dumps during writes", seen, run["seq_nums"], note))
    print(f"fault table (kill seed {seed}):")
    for t in rows:
        print("  " + t.line())
    return 1 if any(t.lost or t.duplicated for t in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
