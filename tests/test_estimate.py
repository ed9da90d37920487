"""``axs estimate``: point counts equal the plans' real event counts; durations within 20 %
of runs with simulated dwell time; nothing moves; bad input is one line, exit 2."""

import time

import numpy as np
import pytest
from axsuite.plans.edge import validate_edge_scan
from axsuite.session.estimate import estimate_plan, format_estimate, parse_plan_args

EDGE_REGIONS = [
    {"start": -60.0, "stop": -20.0, "step": 10.0},
    {"start": -20.0, "stop": 20.0, "step": 4.0, "dwell_s": 0.3},
]


def _run(session, plan):
    """Run ``plan`` for real; (number of primary events, wall time in s of the run)."""
    (uid,) = session.RE(plan)
    md = session.catalog[uid].metadata
    return md["stop"]["num_events"]["primary"], md["stop"]["time"] - md["start"]["time"]


@pytest.mark.parametrize(
    "name, args",
    [
        ("edge_scan", (["Cu"], {"regions": EDGE_REGIONS, "dwell_s": 0.2})),
        ("stopping_scan", (["alpha", "Al"], {"energies_MeV": [4.0, 8.0, 16.0]})),
        ("powder_scan", (["CeO2"], {"two_theta": (12.0, 14.0, 0.05)})),
        (
            "axs_scan",
            (["Cu"], {"offsets_eV": [-25.0, -250.0], "q_grid": list(np.linspace(1, 3, 11))}),
        ),
    ],
)
def test_point_count_matches_the_run(session, name, args):
    pos, kw = args
    est = estimate_plan(getattr(session.plans, name)(*pos, **kw))
    n_real, _ = _run(session, getattr(session.plans, name)(*pos, **kw))
    assert est.n_points == n_real > 0
    assert est.plan_name == name
    assert format_estimate(est)[0].startswith(f"estimate: {name}: {n_real} points")


def test_estimate_moves_nothing(beamline):
    from axsuite.session.registry import bound_plans

    plans = bound_plans(beamline)
    before = beamline.dcm.energy.position
    est = estimate_plan(plans["edge_scan"]("Zr", regions=EDGE_REGIONS))
    assert beamline.dcm.energy.position == before
    energies = est.positions["dcm_energy"]
    # the visited energies: the regions around the tabulated Zr K edge (17997.6 eV)
    assert energies.min() == pytest.approx(17997.6 - 60.0, abs=0.2)
    assert energies.max() == pytest.approx(17997.6 + 20.0, abs=0.2)
    # dwell: the plan's own grid (default 0.5 s, 0.3 s in the second region)
    grid = validate_edge_scan("Zr", "K", EDGE_REGIONS, 0.5, beamline.dcm.energy_limits_eV)
    assert est.n_points == grid.energies_eV.size
    assert est.dwell_s == pytest.approx(float(np.sum(grid.dwell_s)))
    assert 0.5 in grid.dwell_s and 0.3 in grid.dwell_s


def test_duration_within_20_percent_of_a_run_with_simulated_time(tmp_path):
    from axsuite.session.session import build_session

    s = build_session(
        "default",
        data_dir=tmp_path / "data",
        echo=None,
        safe_callbacks=False,
        progress=False,
        simulate_time=True,
    )
    try:
        regions = [{"start": -30.0, "stop": 30.0, "step": 6.0, "dwell_s": 1.0}]
        est = estimate_plan(s.plans.edge_scan("Cu", regions=regions))
        t0 = time.time()
        n_real, run_s = _run(s, s.plans.edge_scan("Cu", regions=regions))
        assert time.time() - t0 >= run_s
    finally:
        s.close()
    assert est.n_points == n_real == 11
    assert est.dwell_s == pytest.approx(11 * 1.0)
    assert abs(est.duration_s - run_s) <= 0.2 * run_s, (est.duration_s, run_s)


def test_cli_prints_points_duration_and_grid(capsys):
    from axsuite.session.cli import main

    code = main(
        ["estimate", "axs_scan", "Cu", "offsets_eV=[-25, -250]", "q_grid=linspace(0.5, 8.5, 161)"]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "axs_scan: 322 points" in out
    assert "q_grid: 161 settings" in out and "0.5 … 8.5 Å⁻¹" in out
    assert "energies_eV: " in out


@pytest.mark.parametrize(
    "argv, message",
    [
        (["estimate", "nothing"], "unknown plan 'nothing'"),
        (["estimate", "edge_scan", "Xx"], "Xx"),
        (["estimate", "edge_scan", "Cu", "speed=2"], "unexpected keyword argument 'speed'"),
        (["estimate", "calibrate_mono", "Cu"], "chooses its steps from the data"),
        (["estimate", "edge_scan", "Cu", "--overhead-s", "-1"], "overhead must be ≥ 0"),
    ],
)
def test_bad_input_is_one_line_exit_2(argv, message, capsys):
    from axsuite.session.cli import main

    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_argument_parsing():
    args, kwargs = parse_plan_args(["Cu", "K", "dwell_s=0.5", "q_grid=np.arange(1, 2, 0.5)"])
    assert args == ["Cu", "K"]
    assert kwargs == {"dwell_s": 0.5, "q_grid": [1.0, 1.5]}
    with pytest.raises(ValueError, match="after keyword"):
        parse_plan_args(["dwell_s=1", "Cu"])
