"""Scripted faults against real session processes (issue 12): each prints points measured,
stored, lost and duplicated. CI runs few repetitions; ``python tests/faults/run_faults.py``
runs the long versions by hand."""

from __future__ import annotations

import os
import random

import pytest
from faultlib import report, run_until, spawn, tally

#: kills per test run (≥ 5 in CI); more with AXS_FAULT_KILLS=N.
N_KILLS = int(os.environ.get("AXS_FAULT_KILLS", "5"))
POINTS = 600


def kill9_chain(data_dir, n_kills: int, rng: random.Random) -> list:
    """``n_kills`` sessions each killed with SIGKILL at a random point of a 600-point scan
    (each start recovers the previous one's journal), then one that finishes."""
    measured = []
    for _ in range(n_kills):
        at = rng.randint(5, POINTS - 5)
        seen, _ = run_until(spawn("scan", data_dir, "--points", str(POINTS)), at)
        measured.append((at, seen))
    seen, lines = run_until(spawn("scan", data_dir, "--points", str(POINTS)), None)
    assert any(line.startswith("done ") for line in lines), lines[-5:]
    measured.append((None, seen))
    runs = report(data_dir)
    assert len(runs) == n_kills + 1
    tallies = []
    for (at, seen), run in zip(measured, runs, strict=True):
        t = tally(
            f"kill -9 at point {at}" if at else "after the kills",
            seen,
            run["seq_nums"],
            f"exit_status {run['exit_status']}",
        )
        tallies.append((t, run))
    return tallies


def test_kill9_at_random_points_loses_no_point(tmp_path):
    seed = random.randrange(1 << 30)
    tallies = kill9_chain(tmp_path / "data", N_KILLS, random.Random(seed))
    print(f"\nkill -9 chain (seed {seed}):")
    for t, _ in tallies:
        print("  " + t.line())
    scan_ids = [run["scan_id"] for _, run in tallies]
    assert scan_ids == list(range(1, N_KILLS + 2))
    for t, run in tallies[:-1]:
        assert t.lost == 0 and t.duplicated == 0, t.line()
        assert run["exit_status"] == "abort" and "journal" in run["reason"]
    final, run = tallies[-1]
    assert final.stored == POINTS and final.lost == 0 and run["exit_status"] == "success"


@pytest.mark.parametrize("n_dumps", [12])
def test_beam_dumps_during_catalog_writes(tmp_path, n_dumps):
    args = ("--points", "300", "--batch-size", "10", "--dumps", str(n_dumps))
    seen, lines = run_until(spawn("scan", tmp_path / "data", *args), None)
    dumps, suspensions = next(map(int, ln.split()[1::2]) for ln in lines if ln.startswith("dumps"))
    (run,) = report(tmp_path / "data")
    t = tally(f"{dumps} dumps during writes", seen, run["seq_nums"], f"{suspensions} suspensions")
    print("\n  " + t.line())
    assert dumps == n_dumps and suspensions >= dumps
    assert t.lost == 0 and t.duplicated == 0 and t.stored == 300
    assert run["min_ring_mA"] > 0, "a point measured without beam was stored"
