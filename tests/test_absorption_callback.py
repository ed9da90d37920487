"""AbsorptionCallback in a session: f', f'' vs the simulator truth, live == replay, storage."""

import numpy as np
import pytest
from axsuite.plans import edge_scan
from axsuite.session.replay import replay

REGIONS = [
    {"start": -350.0, "stop": -30.0, "step": 40.0},
    {"start": -30.0, "stop": 30.0, "step": 1.5},
    {"k_start": 3.3, "k_stop": 10.0, "k_step": 0.3},
]
OFFSETS = np.array([-300.0, -100.0, -30.0, -10.0])


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    """One session for the module (an edge scan takes seconds; the tests only read it)."""
    from axsuite.session.session import build_session

    lines: list[str] = []
    s = build_session(
        "default",
        data_dir=tmp_path_factory.mktemp("absorption") / "data",
        echo=lines.append,
        safe_callbacks=False,
        progress=False,
    )
    s.echo_lines = lines
    yield s
    s.close()


@pytest.fixture(scope="module")
def cu_scan(session):
    (uid,) = session.RE(session.plans.edge_scan("Cu", regions=REGIONS, dwell_s=0.5))
    cb = next(c for c in session.analyses if c.analysis_name == "absorption")
    return uid, cb.results[uid]


def test_live_factors_match_simulator_truth(session, cu_scan):
    _, live = cu_scan
    truth = session.bl.stage.absorbers["cu_foil"].nearedge["Cu"]
    energies = live.e0_eV + OFFSETS
    assert np.array_equal(live.offsets_eV, OFFSETS)
    assert np.all(np.abs(live.fp_at - truth.fp(energies)) < 0.3)
    assert np.all(np.abs(live.fpp_at - truth.fpp(energies)) < 0.1)
    assert abs(live.e0_eV - truth.e0_eV) < 0.3
    fp, fpp = live.factors_at(energies[1:])  # inside the scan: interpolated
    assert np.all(np.abs(fp - truth.fp(energies[1:])) < 0.3)
    assert np.all(np.abs(fpp - truth.fpp(energies[1:])) < 0.1)
    with pytest.raises(ValueError, match="outside the scan"):
        live.factors_at(live.e0_eV - 1000.0)
    assert any("f' =" in line for line in session.echo_lines)


def test_replay_reproduces_live_exactly(session, cu_scan):
    uid, live = cu_scan
    again = replay(session.catalog, [uid], session.profile, echo=None)[uid]["absorption"]
    assert abs(again["e0_eV"] - live.e0_eV) < 1e-9
    for key in ("fp", "fpp", "norm", "fp_at", "fpp_at"):
        assert np.allclose(np.asarray(again[key]), getattr(live, key), rtol=0, atol=1e-9)


def test_analysis_run_is_stored(session, cu_scan):
    from tiled.queries import Key

    uid, live = cu_scan
    runs = [
        r
        for r in session.catalog.search(Key("analysis") == "absorption").values()
        if uid in r.metadata["start"]["raw_uids"]
    ]
    assert len(runs) == 1
    table = runs[0]["anomalous_factors"].read()
    assert np.allclose(np.asarray(table["fp"]), live.fp)
    assert np.allclose(np.asarray(table["energy"]), live.energy_eV)
    at = runs[0]["anomalous_at_offsets"].read()
    assert np.allclose(np.asarray(at["fpp"]), live.fpp_at)
    assert np.allclose(np.asarray(at["offset_eV"]), OFFSETS)
    assert runs[0].metadata["start"]["e0_eV"] == pytest.approx(live.e0_eV)


def test_xdi_export_reads_back(session, cu_scan, tmp_path, capsys):
    from axsuite.session.cli import main
    from axsuite.session.export import read_xdi

    uid, live = cu_scan
    out = tmp_path / "cu.xdi"
    code = main(
        ["export", uid[:8], "--format", "xdi", "-o", str(out), "--data-dir", str(session.data_dir)]
    )
    assert code == 0 and out.exists() and str(out) in capsys.readouterr().out
    header, names, data = read_xdi(out)
    assert header["Element.symbol"] == "Cu" and header["Element.edge"] == "K"
    assert float(header["Mono.d_spacing"]) == pytest.approx(3.1356)
    assert header["Column.1"] == "energy eV"
    assert names[:4] == ["energy", "i0", "itrans", "mutrans"] and "fp" in names
    col = {n: data[:, i] for i, n in enumerate(names)}
    assert np.allclose(col["mutrans"], np.log(col["i0"] / col["itrans"]), rtol=1e-8)
    assert np.allclose(col["energy"], live.energy_eV, rtol=1e-9)
    assert np.allclose(col["fp"], live.fp, atol=1e-6)


def test_xdi_export_refuses_other_runs(session, cu_scan, tmp_path, capsys):
    from axsuite.session.cli import main
    from tiled.queries import Key

    analysis_uid = next(iter(session.catalog.search(Key("analysis") == "absorption")))
    code = main(
        ["export", analysis_uid, "-o", str(tmp_path / "x.xdi"), "--data-dir", str(session.data_dir)]
    )
    assert code == 2 and "not an edge scan" in capsys.readouterr().err


def test_short_or_failed_scan_is_reported_not_raised(RE, beamline):
    from axsuite.callbacks.absorption import AbsorptionCallback

    lines: list[str] = []
    cb = AbsorptionCallback(publish=None, echo=lines.append)
    regions = [{"start": -10.0, "stop": 10.0, "step": 5.0}]
    (uid,) = RE(edge_scan("Cu", beamline=beamline, regions=regions, dwell_s=0.1), cb)
    assert uid not in cb.results and cb.published == []
    assert "no f', f''" in lines[0] and "at least" in lines[0]


def test_throttled_live_plot_shows_mu_and_factors(RE, beamline):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from axsuite.callbacks.absorption import AbsorptionCallback

    cb = AbsorptionCallback(publish=None, echo=None, live_plot=True, plot_every=20)
    RE(edge_scan("Cu", beamline=beamline, regions=REGIONS, dwell_s=0.1), cb)
    lines = cb._lines
    n_mu = len(lines["μt = ln(I0/It)"].get_xdata())
    assert n_mu >= 60 and n_mu % 20 == 0  # redrawn every 20 events, not every event
    assert len(lines["f' (e)"].get_xdata()) > 0  # factors appeared once past the edge
    plt.close(cb._fig)
