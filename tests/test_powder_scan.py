"""Powder scans on the simulated beamline: validation, calibration, analysis, replay, CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from argparse import Namespace
from pathlib import Path

import numpy as np
import pytest
from axsuite.callbacks.base import result_dict
from axsuite.session.analyze_pattern import analyze
from axsuite.session.replay import replay


def _first_message(plan):
    return next(iter(plan))


@pytest.mark.parametrize(
    "kwargs,match",
    [
        ({"sample": "unobtainium"}, "unknown powder sample"),
        ({"two_theta": (10.0, 5.0, 0.01)}, "stop > start"),
        ({"two_theta": (10.0, 20.0, 0.0)}, "step > 0"),
        ({"two_theta": (10.0, 170.0, 0.01)}, "arm limits"),
        ({"two_theta": (1.0, 100.0, 0.001)}, "exceed"),
        ({"energy_eV": 40000.0}, "mono range"),
        ({"dwell_s": 0.0}, "dwell_s"),
    ],
)
def test_validation_before_first_message(beamline, kwargs, match):
    from axsuite.plans import calibrate_instrument, powder_scan

    with pytest.raises(ValueError, match=match):
        _first_message(powder_scan(beamline=beamline, **kwargs))
    cal_kwargs = {("standard" if k == "sample" else k): v for k, v in kwargs.items()}
    with pytest.raises(ValueError, match=match):
        _first_message(calibrate_instrument(beamline=beamline, **cal_kwargs))


@pytest.mark.parametrize("axis", [(1, 1), (0, 0, 0), (1.5, 0, 0), "111"])
def test_bad_texture_axis_is_refused(beamline, axis):
    from axsuite.plans import powder_scan

    with pytest.raises(ValueError, match="texture_axis"):
        _first_message(powder_scan("Cu_film", beamline=beamline, texture_axis=axis))


def test_scan_documents(RE, beamline, collector):
    from axsuite.plans import powder_scan

    RE(powder_scan("LaB6", beamline=beamline, two_theta=(10.0, 10.2, 0.01)), collector)
    (start,) = collector.docs("start")
    assert start["plan_name"] == "powder_scan" and start["sample"] == "LaB6"
    assert start["wavelength_A"] == pytest.approx(12398.419843 / 17000.0, rel=1e-8)
    assert start["phases"][0]["structure"]["spacegroup"] == "P m -3 m"
    assert start["fields"] == {"two_theta": "arm_two_theta", "intensity": "xrd_counts"}
    assert start["composition"] == pytest.approx({"La": 1 / 7, "B": 6 / 7})
    events = collector.docs("event")
    assert len(events) == 21
    counts = np.array([e["data"]["xrd_counts"] for e in events])
    # LaB6 (100) at 2θ = 2 asin(λ/2a) = 10.065°: the peak is in the scanned window
    assert np.argmax(counts) == pytest.approx(6, abs=1)


def test_calibration_size_strain_replay(session):
    s = session
    uid_cal = s.RE(s.plans.calibrate_instrument(two_theta=(9.0, 26.0, 0.015)))[-1]
    cal = s.catalog[uid_cal].metadata["start"]["instrument_calibration"]
    truth = s.bl.xrd.instrument
    tt = np.array([12.0, 20.0, 25.0])
    fitted = s.bl.xrd.current_calibration()
    assert fitted.date == cal["date"] and cal["n_peaks"] >= 5
    assert np.allclose(fitted.gaussian_fwhm(tt), truth.gaussian_fwhm(tt), rtol=0.03)
    assert np.allclose(fitted.lorentzian_fwhm(tt), truth.lorentzian_fwhm(tt), rtol=0.1)

    (uid,) = s.RE(s.plans.powder_scan("CeO2", two_theta=(11.0, 30.0, 0.03)))
    start = s.catalog[uid].metadata["start"]
    assert start["instrument_calibration"]["date"] == cal["date"]
    assert start["calibrations"]["instrument"] == {"standard": "LaB6", "date": cal["date"]}
    cb = next(c for c in s.analyses if c.analysis_name == "lineprofile")
    live = cb.results[uid]
    t = s.bl.xrd.truth()
    assert live.wh_size_A == pytest.approx(t["size_A"], rel=0.03)
    assert live.wh_strain == pytest.approx(t["strain"], rel=0.05)
    assert np.all(np.abs(live.texture_coefficient - 1) < 0.05)  # random powder
    assert live.refinement["cell_a"] == pytest.approx(5.4113, abs=5e-4)
    assert any("Williamson–Hall D =" in line for line in s.echo_lines)
    assert any("Scherrer D =" in line for line in s.echo_lines)  # per peak, live
    # the analysis run is in the catalog
    runs = [r for r in s.catalog.values() if r.metadata["start"].get("analysis") == "lineprofile"]
    assert any(uid in r.metadata["start"]["raw_uids"] for r in runs)
    # replay through a fresh callback: identical results
    replayed = replay(s.catalog, [uid], s.profile, echo=None)[uid]["lineprofile"]
    assert replayed == result_dict(live)


def test_textured_film_march_dollase(session):
    s = session
    (uid,) = s.RE(
        s.plans.powder_scan("Cu_film", two_theta=(17.0, 40.0, 0.02), texture_axis=(1, 1, 1))
    )
    cb = next(c for c in s.analyses if c.analysis_name == "lineprofile")
    r = cb.results[uid]
    assert r.refinement["march_dollase_r"] == pytest.approx(0.7, abs=0.02)
    # (111) enhanced relative to (200) by texture: Harris TC
    i111, i200 = r.hkl.index("111"), r.hkl.index("200")
    assert r.texture_coefficient[i111] > 1.1 > 0.9 > r.texture_coefficient[i200]


def _simulated_file(tmp_path):
    from axsuite.analysis.crystal import crystal_from_dict
    from axsuite.analysis.lineprofile import InstrumentFunction
    from axsuite.devices.models.powder import PowderPatternModel, PowderPhase
    from axsuite.session.profile import load_profile

    inst = InstrumentFunction(U=0.004, V=-0.002, W=0.002, X=0.005, Y=0.004)
    ceo2 = crystal_from_dict(load_profile("default").powder.samples["CeO2"].structure)
    model = PowderPatternModel(
        [PowderPhase(ceo2, size_A=300.0, strain=1e-3)], 17000.0, inst,
        counts_scale=1e-2, background=[50.0],
    )  # fmt: skip
    tt = np.arange(10.0, 35.0, 0.01)
    y = model.sample(tt, 1.0, np.random.default_rng(4))
    f = tmp_path / "ceo2.xy"
    np.savetxt(f, np.column_stack([tt, y]), header="2theta counts")
    ins = tmp_path / "inst.json"
    ins.write_text(json.dumps(inst.to_dict()))
    return f, ins, model.wavelength_A


def test_analyze_pattern_cli(tmp_path, capsys):
    from axsuite.session.cli import main

    f, ins, lam = _simulated_file(tmp_path)
    args = Namespace(
        file=str(f), wavelength=lam, doublet=None, instrument=str(ins), standard=None,
        cif=None, k=0.89, json=True,
    )  # fmt: skip
    out = analyze(args)
    assert out["williamson_hall"]["size_A"] == pytest.approx(300.0, rel=0.05)
    assert out["williamson_hall"]["strain"] == pytest.approx(1e-3, rel=0.1)
    # the installed entry point, end to end (one subprocess): a user error exits with 2
    cmd = [sys.executable, "-m", "axsuite.session.cli", "analyze-pattern", str(f), "--data-dir",
           str(tmp_path)]  # fmt: skip
    missing = subprocess.run(cmd, capture_output=True, text=True)
    assert missing.returncode == 2 and "give --wavelength" in missing.stderr
    # the same CLI in-process (no interpreter start-up per case)
    capsys.readouterr()
    raw = Path(__file__).resolve().parent / "data/xrd/LaB6_Jan2018.raw"
    assert main(["analyze-pattern", str(raw), "--wavelength", "1.54"]) == 2
    assert "unknown pattern format" in capsys.readouterr().err
    ok = main([*cmd[3:], "--wavelength", str(lam), "--instrument", str(ins), "--json"])
    assert ok == 0
    assert json.loads(capsys.readouterr().out)["williamson_hall"]["size_A"] == pytest.approx(
        300.0, rel=0.05
    )
