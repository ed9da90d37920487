"""edge_scan: documents emitted, and every bad input raises before any message."""

from __future__ import annotations

import numpy as np
import pytest
from axsuite.analysis.constants import KTOE_EV_A2
from axsuite.plans import edge_scan, validate_edge_scan

SHORT = [{"start": -60.0, "stop": 60.0, "step": 4.0}]


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"element": "Xx"}, "unknown element"),
        ({"element": "Cu", "edge": "Q7"}, "unknown absorption edge"),
        ({"element": "U"}, "outside the monochromator range"),
        ({"element": "Cu", "regions": []}, "regions is empty"),
        ({"element": "Cu", "regions": [{"start": 10, "stop": -10, "step": 1}]}, "inverted"),
        (
            {"element": "Cu", "regions": [{"start": -10, "stop": 10, "step": 0}]},
            "step must be positive",
        ),
        ({"element": "Cu", "regions": [{"from": -10}]}, "give either"),
        ({"element": "Cu", "dwell_s": 0.0}, "dwell_s must be a positive"),
        ({"element": "Cu", "dwell_s": -1.0}, "dwell_s must be a positive"),
        (
            {"element": "Cu", "regions": [{"start": -10, "stop": 10, "step": 1, "dwell_s": -2}]},
            "dwell_s",
        ),
        (
            {
                "element": "Cu",
                "regions": [
                    {"start": -10, "stop": 10, "step": 1},
                    {"start": 0, "stop": 20, "step": 1},
                ],
            },
            "below the end",
        ),
        (
            {"element": "Zr", "regions": [{"k_start": 0, "k_stop": 200, "k_step": 1}]},
            "leaves the monochromator",
        ),
        ({"element": "Cu", "sample": "nothing"}, "not a sample"),
        ({"element": "Cu", "two_theta_deg": 170.0}, "arm limits"),
    ],
)
def test_bad_input_raises_before_any_message(beamline, kwargs, match, message_recorder):
    rec = message_recorder
    kw = {"regions": SHORT, **kwargs}
    with pytest.raises(ValueError, match=match):
        rec.run(edge_scan(beamline=beamline, **kw))
    assert rec.msgs == []


def test_grid_regions_and_k_space():
    grid = validate_edge_scan(
        "Cu",
        "K",
        [{"start": -20, "stop": 0, "step": 10}, {"k_start": 2.0, "k_stop": 3.0, "k_step": 0.5}],
        1.0,
        (4500, 30000),
    )
    e0 = grid.edge_energy_eV
    expected = np.concatenate(
        [e0 + np.array([-20.0, -10.0, 0.0]), e0 + KTOE_EV_A2 * np.array([4.0, 6.25, 9.0])]
    )
    assert np.allclose(grid.energies_eV, expected)
    assert np.all(np.diff(grid.energies_eV) > 0)


def test_edge_scan_documents(RE, beamline, collector):
    RE.subscribe(collector)
    (uid,) = RE(edge_scan("Cu", beamline=beamline, regions=SHORT, dwell_s=0.2))
    start = collector.docs("start")[0]
    events = collector.docs("event")
    assert start["uid"] == uid and start["plan_name"] == "edge_scan"
    assert start["element"] == "Cu" and start["edge"] == "K"
    assert start["edge_energy_eV"] == pytest.approx(8978.9)
    assert start["composition"] == {"Cu": 1.0} and start["sample"] == "cu_foil"
    assert start["calibrations"]["mono"]["d_spacing_A"] == pytest.approx(3.1356)
    assert len(events) == start["num_points"] == 31
    f = start["fields"]
    for role in ("energy", "i0", "it", "iref", "fluorescence", "elastic", "dead_time"):
        assert f[role] in events[0]["data"]
    energies = [ev["data"][f["energy"]] for ev in events]
    assert energies == pytest.approx(list(8978.9 + np.arange(-60.0, 60.1, 4.0)))
    assert all(ev["data"]["dwell"] == pytest.approx(0.2) for ev in events)
    assert collector.docs("stop")[0]["exit_status"] == "success"
