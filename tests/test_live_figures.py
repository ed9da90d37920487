"""Live figures: drawn while the scan runs, paced by their cost, on a display or in files.

The session scenario (an edge scan, then an AXS scan at two energies) runs twice: in this
process with the headless file fallback (always), and in a child process on a virtual X
display (Xvfb) with windows (skipped, with the reason, when Xvfb is not installed). Both
check, from the board's redraw log and the arrival time of each run's last event, that the figures
changed *while the scans measured* (μ(E) points, the first energy's I(Q) while the second
was measured) and that the end-of-run content (normalization, f′/f″, ΔS) arrived.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

REGIONS = [
    {"start": -150.0, "stop": -30.0, "step": 15.0},
    {"start": -30.0, "stop": 30.0, "step": 1.0},
    {"k_start": 3.3, "k_stop": 8.0, "k_step": 0.2},
]
Q = [round(float(q), 4) for q in np.linspace(0.6, 8.0, 40)]


def scenario(data_dir: str, plots: str) -> dict:
    """Edge + AXS scans in a session with live figures; returns what the checks need."""
    import matplotlib
    from axsuite.session.session import build_session

    lines: list[str] = []
    s = build_session(
        "default", data_dir=data_dir, echo=lines.append, progress=False, plots=plots,
        safe_callbacks=False, simulate_time=True,  # scans last their dwell, however loaded
    )  # fmt: skip
    board = s.figures
    # open the pacing (drawing may take half the time) so that redraws follow the data
    # closely on a loaded machine; the pacing itself has its own test below
    board.min_interval_s, board.max_busy_fraction = 0.2, 1.0
    last_event: dict[str, float] = {}  # run uid → arrival time of its latest event
    run = {}

    def clock(name, doc):
        if name == "start":
            run["uid"] = doc["uid"]
        elif name == "event":
            last_event[run["uid"]] = time.time()

    s.RE.subscribe(clock)
    (edge_uid,) = s.RE(s.plans.edge_scan("Cu", regions=REGIONS, dwell_s=0.1))
    edge = next(cb for cb in s.analyses if cb.analysis_name == "edge")
    e0 = edge.results[edge_uid].e0_eV
    axs = s.plans.axs_scan("Cu", offsets_eV=[-25.0, -250.0], e0_eV=e0, q_grid=Q, dwell_s=0.2)
    (axs_uid,) = s.RE(axs)
    board.flush()
    out = {
        "mode": board.mode,
        "backend": matplotlib.get_backend().lower(),
        "end_edge": last_event[edge_uid],
        "end_axs": last_event[axs_uid],
        "log": [[name, t, list(keys)] for name, t, keys in board.log],
        "edge_points": int(len(board.view("edge").mu.get_xdata())),
        "axs_curves": int(len(board.view("axs").ax_i.get_lines())),
        "files": sorted(p.name for p in (Path(data_dir) / "plots" / "live").glob("*.png")),
    }
    s.close()
    return out


def check(out: dict) -> None:
    """Figures updated while the scans measured (before their last event), end-of-run
    content present."""
    log = out["log"]
    edge_during = [t for name, t, keys in log if name == "edge" and "measured" in keys
                   and t < out["end_edge"]]  # fmt: skip
    assert edge_during, "μ(E) must be redrawn while the edge scan measures"
    edge_keys = {k for name, _, keys in log if name == "edge" for k in keys}
    assert {"normalized", "factors"} <= edge_keys  # normalization + f′, f″ at the end
    axs_during = [t for name, t, keys in log if name == "axs" and t < out["end_axs"]
                  and any(k.startswith("I ") for k in keys)]  # fmt: skip
    assert axs_during, "the first energy's I(Q) must appear while the second is measured"
    axs_keys = {k for name, _, keys in log if name == "axs" for k in keys}
    assert any(k.startswith("dS ") for k in axs_keys)  # ΔS_Cu once both energies are done
    assert out["axs_curves"] == 2  # one I(Q) per energy
    assert out["edge_points"] > 30  # every measured point is on the final μ(E)


def test_headless_file_fallback_draws_during_the_scan(tmp_path, monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    out = scenario(str(tmp_path / "data"), "auto")
    assert out["mode"] == "file"
    check(out)
    assert {"edge.png", "axs.png"} <= set(out["files"])


def _free_display() -> int:
    for n in range(90, 140):
        if not Path(f"/tmp/.X11-unix/X{n}").exists() and not Path(f"/tmp/.X{n}-lock").exists():
            return n
    raise RuntimeError("no free X display number")


@pytest.mark.skipif(
    shutil.which("Xvfb") is None, reason="Xvfb not installed (apt-get install xvfb)"
)
def test_windows_under_xvfb_update_during_the_scan(tmp_path):
    pytest.importorskip("tkinter", reason="no Tk: no interactive matplotlib backend to test")
    n = _free_display()
    xvfb = subprocess.Popen(
        ["Xvfb", f":{n}", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        for _ in range(100):
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                break
            time.sleep(0.1)
        env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
        env["DISPLAY"] = f":{n}"
        result = tmp_path / "result.json"
        proc = subprocess.run(
            [sys.executable, __file__, str(tmp_path / "data"), str(result)],
            env=env, capture_output=True, text=True, timeout=1200,
        )  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-3000:]
        out = json.loads(result.read_text())
    finally:
        xvfb.terminate()
        xvfb.wait(timeout=10)
    assert out["mode"] == "screen" and out["backend"] in ("tkagg", "qtagg")
    check(out)


def test_pacing_keeps_drawing_under_its_share_of_the_time():
    """A 50 ms update with max_busy_fraction 0.2 is redrawn about every 0.25 s, not at every
    post: drawing takes ≤ 20 % (+ one draw) of the wall time after the figure is built."""
    import matplotlib.pyplot as plt
    from axsuite.callbacks.figures.board import FigureBoard

    plt.switch_backend("agg")
    board = FigureBoard("screen", min_interval_s=0.0, max_busy_fraction=0.2)

    class View:
        def __init__(self, fig):
            self.fig = fig

    def slow(view):
        time.sleep(0.05)

    board.post("slow", View, "k", slow)
    board.pump()  # builds the figure (not paced)
    busy0, t0, posts = board.busy_s, time.perf_counter(), 0
    while time.perf_counter() - t0 < 3.0:
        board.post("slow", View, "k", slow)
        posts += 1
        board.pump()
        time.sleep(0.005)
    wall = time.perf_counter() - t0
    drawn = board.redraws("slow") - 1
    assert posts > 100 and 3 <= drawn < posts / 10
    assert board.busy_s - busy0 <= 0.2 * wall + 0.06
    board.close()


def test_updates_coalesce_reset_drops_and_errors_never_raise(tmp_path):
    from axsuite.callbacks.figures.board import FigureBoard

    board = FigureBoard("file", tmp_path, min_interval_s=0.0)
    seen: list[str] = []

    class View:
        def __init__(self, fig):
            self.fig = fig

    board.post("f", View, "a", lambda v: seen.append("a1"))
    board.post("f", View, "a", lambda v: seen.append("a2"))  # replaces a1
    board.post("f", View, "b", lambda v: 1 / 0)  # logged, not raised
    assert board.pending() == 2
    board.flush()
    assert seen == ["a2"] and not (tmp_path / "f.png").exists()  # failed redraw: no file
    board.post("f", View, "x", lambda v: seen.append("x"))
    board.post("f", View, "new run", lambda v: seen.append("new"), reset=True)
    board.flush()
    assert seen == ["a2", "new"] and (tmp_path / "f.png").stat().st_size > 0
    with pytest.raises(ValueError, match="mode 'window'"):
        FigureBoard("window", tmp_path)


if __name__ == "__main__":  # the Xvfb test's child process: scenario → JSON
    Path(sys.argv[2]).write_text(json.dumps(scenario(sys.argv[1], "screen")))
