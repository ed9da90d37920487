"""calibrate_mono: a 3 eV mis-set DCM is brought back onto the tabulated edge."""

import numpy as np
import pytest
from axsuite.analysis import xray
from axsuite.analysis.absorption import normalize_xas
from axsuite.plans import calibrate_mono, edge_scan

EDGE_REGIONS = [
    {"start": -60.0, "stop": -20.0, "step": 10.0},
    {"start": -12.0, "stop": 15.0, "step": 0.5},
    {"start": 18.0, "stop": 80.0, "step": 6.0},
]


def _mis_set(bl, delta_eV):
    """Crystals off so that nominal E_edge delivers E_edge + delta_eV (simulation truth)."""
    e_tab = xray.edge_energy_eV("Cu")
    d = bl.dcm.d_spacing.get()
    bl.dcm.true_offset_deg = float(
        xray.bragg_angle_deg(e_tab + delta_eV, d) - xray.bragg_angle_deg(e_tab, d)
    )


def _measured_e0(RE, bl, collector):
    collector.items.clear()
    RE(edge_scan("Cu", beamline=bl, regions=EDGE_REGIONS, dwell_s=0.1), collector)
    fields = collector.docs("start")[0]["fields"]
    ev = collector.docs("event")
    e = np.array([d["data"][fields["energy"]] for d in ev])
    mu = np.log([d["data"][fields["i0"]] / d["data"][fields["it"]] for d in ev])
    return normalize_xas(e, mu).e0_eV


@pytest.mark.parametrize("delta_eV", [3.0, -3.0])
def test_calibration_corrects_a_3_eV_mis_set(RE, beamline, collector, delta_eV):
    bl = beamline
    e_tab = xray.edge_energy_eV("Cu")
    _mis_set(bl, delta_eV)
    RE(calibrate_mono("Cu", beamline=bl, regions=EDGE_REGIONS, dwell_s=0.1), collector)
    starts = collector.docs("start")
    assert [s["plan_name"] for s in starts] == ["edge_scan", "calibrate_mono"]
    record = starts[1]["mono_calibration"]
    assert record["edge_scan_uid"] == starts[0]["uid"]
    assert starts[1]["calibrations"]["mono"]["offset_deg"] == pytest.approx(
        record["offset_new_deg"]
    )
    assert starts[1]["calibrations"]["mono"]["date"] == record["date"] != ""
    assert bl.dcm.offset.get() == pytest.approx(bl.dcm.true_offset_deg, abs=2e-4)
    after = _measured_e0(RE, bl, collector)
    assert abs(after - e_tab) < 0.3
    bl.dcm.energy.set(e_tab).wait()
    assert abs(bl.dcm.delivered_energy_eV() - e_tab) < 0.3


def test_bad_requests_raise_before_motion(RE, beamline):
    with pytest.raises(ValueError, match="reference foil"):
        RE(calibrate_mono("Ge", beamline=beamline))
    with pytest.raises(ValueError, match="dwell_s"):
        RE(calibrate_mono("Cu", beamline=beamline, dwell_s=-1.0))
    with pytest.raises(ValueError, match="unknown element"):
        RE(calibrate_mono("Qq", beamline=beamline))
    assert beamline.dcm.offset.get() == 0.0


def test_wrong_foil_is_refused(RE, beamline):
    """An edge 45 eV from where it should be: refused, the offset is left alone."""
    bl = beamline
    _mis_set(bl, 45.0)  # far beyond MAX_CORRECTION_EV
    with pytest.raises(ValueError, match="refusing to calibrate"):
        RE(calibrate_mono("Cu", beamline=bl, regions=EDGE_REGIONS, dwell_s=0.1))
    assert bl.dcm.offset.get() == 0.0
