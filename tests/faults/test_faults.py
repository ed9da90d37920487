"""Scripted faults against real session processes (issue 12): each prints points measured,
stored, lost and duplicated. CI runs few repetitions; ``python tests/faults/run_faults.py``
runs the long versions by hand."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest
from faultlib import report, run_until, set_read_only, spawn, tally

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


def test_second_session_on_the_data_dir_is_refused(tmp_path):
    data = tmp_path / "data"
    first = spawn("scan", data, "--points", "300", "--hold")
    assert first.stdout is not None and first.stdin is not None
    assert first.stdout.readline().strip() == "ready"  # the first session holds the data dir
    cli = [sys.executable, "-m", "axsuite.session.cli"]
    second = subprocess.run(
        [*cli, "backfill", "--data-dir", str(data)], capture_output=True, text=True, timeout=600
    )
    assert second.returncode == 2 and "Traceback" not in second.stderr, second.stderr[-2000:]
    assert f"in use by another axs session (PID {first.pid})" in second.stderr
    first.stdin.write("go\n")
    first.stdin.close()
    seen, lines = run_until(first, None)
    (run,) = report(data)
    t = tally("two sessions, one data dir", seen, run["seq_nums"], "second refused")
    print("\n  " + t.line())
    assert t.stored == 300 and t.lost == 0 and run["scan_id"] == 1


def test_read_only_catalog_is_told_and_every_point_recovered(tmp_path):
    data = tmp_path / "data"
    run_until(spawn("scan", data, "--points", "3"), None)  # creates the catalog
    locked = [data / "catalog.db", data / "tabular.db"]
    if not set_read_only(locked, True):
        pytest.skip("cannot make a file read-only here")
    try:
        seen, lines = run_until(spawn("scan", data, "--points", "200"), None)
    finally:
        set_read_only(locked, False)
    told = [line for line in lines if line.startswith("echo catalog:")]
    assert told and "read-only" in told[0], lines[:10]
    runs = report(data)
    t = tally("read-only catalog", seen, runs[-1]["seq_nums"], f"told: {told[0][5:60]}…")
    print("\n  " + t.line())
    assert t.stored == 200 and t.lost == 0 and t.duplicated == 0


def test_disk_full_mid_scan_pauses_and_every_point_is_recovered(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", str(disk)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here (not root or no permission)")
    data, filler = disk / "data", disk / "filler"
    state = {"filled": False, "told": ""}

    def on_line(line: str) -> None:
        if line == "seq 100" and not state["filled"]:
            state["filled"] = True
            with open(filler, "wb") as f:  # fill the disk to the last byte
                try:
                    while True:
                        f.write(b"\0" * (1 << 20))
                        f.flush()
                except OSError:
                    pass
        if line.startswith("echo storage: cannot write the journal") and filler.exists():
            state["told"] = line
            filler.unlink()  # space returns

    try:
        proc = spawn("scan", data, "--points", "400", "--min-free", "0", log_dir=tmp_path)
        seen, lines = run_until(proc, None, on_line)
        assert proc.returncode == 0, (tmp_path / proc.stderr_path.name).read_text()[-2000:]
        runs = report(data, log_dir=tmp_path)
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True)
    t = tally("disk full mid-scan", seen, runs[-1]["seq_nums"], "paused, resumed")
    print("\n  " + t.line())
    assert state["told"], "the user was not told that the disk is full"
    assert t.stored == 400 and t.lost == 0 and t.duplicated == 0


def test_ctrl_c_closes_the_run_as_abort_without_a_traceback(tmp_path):
    data = tmp_path / "data"
    proc = spawn("scan", data, "--points", "600")

    def interrupt(line: str) -> None:
        if line == "seq 50":
            proc.send_signal(signal.SIGINT)
            time.sleep(0.05)
            proc.send_signal(signal.SIGINT)

    seen, lines = run_until(proc, None, interrupt)
    err = proc.stderr_path.read_text()
    assert "interrupted" in lines and "Traceback" not in err, err[-2000:]
    (run,) = report(data)
    t = tally("Ctrl-C (pause, abort)", seen, run["seq_nums"], f"exit_status {run['exit_status']}")
    print("\n  " + t.line())
    assert run["exit_status"] == "abort" and t.lost == 0 and t.duplicated == 0
