"""Ion stopping scan: plan validation, documents, live analysis vs device truth, replay."""

from __future__ import annotations

import numpy as np
import pytest
from axsuite.callbacks.base import result_dict
from axsuite.callbacks.stopping import StoppingCallback
from axsuite.session.replay import replay

ENERGIES = [round(2.0 * 20.0 ** (k / 11), 3) for k in range(12)]


def _first_message(plan):
    return next(iter(plan))


@pytest.mark.parametrize(
    "ion,target,energies,match",
    [
        ("Xq", "Al", [5.0], "unknown ion"),
        ("alpha", "Qz", [5.0], "unknown element or compound"),
        ("alpha", "Cu", [5.0], "no foil of 'Cu'"),
        ("alpha", "Al", [0.1, 5.0], "source range"),
        ("alpha", "Al", [5.0, 80.0], "source range"),
        ("alpha", "Al", [-1.0], "positive"),
        ("alpha", "Al", [], "empty"),
        ("alpha", "Al", [5.0, 6.0, 5.0], "repeated"),
    ],
)
def test_validation_before_first_message(beamline, ion, target, energies, match) -> None:
    from axsuite.plans import stopping_scan

    with pytest.raises(ValueError, match=match):
        _first_message(stopping_scan(ion, target, beamline=beamline, energies_MeV=energies))
    assert beamline.foil.inserted.get() == 0


def test_foil_that_stops_the_beam_is_refused(beamline) -> None:
    from axsuite.devices.models.ionbeam import Foil
    from axsuite.plans import stopping_scan

    beamline.foil.foils["thick_au"] = Foil("Au", 2.0e5)
    plan = stopping_scan("alpha", "thick_au", beamline=beamline, energies_MeV=[0.6, 5.0])
    with pytest.raises(ValueError, match="stops the alpha beam at 0.6 MeV"):
        _first_message(plan)


def test_bad_dwell_raises(beamline) -> None:
    from axsuite.plans import stopping_scan

    with pytest.raises(ValueError, match="dwell_s"):
        _first_message(
            stopping_scan("alpha", "Al", beamline=beamline, energies_MeV=[5.0], dwell_s=0)
        )


def test_scan_documents(RE, beamline, collector) -> None:
    from axsuite.plans import stopping_scan

    RE(stopping_scan("p", "Al", beamline=beamline, energies_MeV=[2.0, 4.0], dwell_s=0.2), collector)
    (start,) = collector.docs("start")
    assert start["ion"]["Z1"] == 1 and start["target"] == "Al"
    assert start["areal_density_1e15_cm2"] == 2000.0
    events = collector.docs("event")
    assert len(events) == 4
    assert [e["data"]["foil_inserted"] for e in events] == [0, 1, 0, 1]
    assert all(e["data"]["pdet_centroid"] > 0 for e in events)
    assert events[1]["data"]["pdet_centroid"] < events[0]["data"]["pdet_centroid"]


def test_he_in_al_scan_live_matches_truth_and_replay(session) -> None:
    (uid,) = session.RE(session.plans.stopping_scan("alpha", "Al", energies_MeV=ENERGIES))
    cb = next(c for c in session.analyses if isinstance(c, StoppingCallback))
    res = cb.results[uid]
    truth = session.bl.pdet.truth()
    s_true = truth.stopping_MeV_cm2_g(res.energy_MeV)
    chi2 = float(np.mean(((res.stopping_MeV_cm2_g - s_true) / res.sigma_MeV_cm2_g) ** 2))
    assert 0.3 < chi2 < 2.5
    assert res.i_fit_eV == pytest.approx(truth.i_eV, rel=0.05)
    assert any("fitted I" in line for line in session.echo_lines)
    again = replay(session.catalog, [uid], session.profile, echo=None)
    assert again[uid]["stopping"] == result_dict(res)
    stored = [
        k
        for k in session.catalog
        if session.catalog[k].metadata["start"].get("analysis") == "stopping"
    ]
    assert stored
