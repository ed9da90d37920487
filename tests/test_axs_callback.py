"""AXS end to end on the simulated beamline: edge scans of the Cu and Zr foils, then
axs_scan at E0 − 25 and E0 − 250 eV (measured E0) of both edges on the Cu50Zr50 plate
(default profile: 90 s per point, SDD of 0.02 sr), analysed live by the session's
AXSCallback and compared with the simulator's truth (hard-sphere partials, near-edge f', f'').

The Q grid is coarser than the demo's (120 points, 0.4–8.5 Å⁻¹) to keep the run short; the
per-point statistics are those of the default counting time.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from axsuite.analysis import axs
from axsuite.analysis.axs_corrections import window_fraction
from axsuite.analysis.constants import R_E_CM
from axsuite.callbacks.axs import AXSCallback
from axsuite.callbacks.base import result_dict
from axsuite.session.replay import feed, replay

Q = np.round(np.linspace(0.4, 8.5, 120), 6)
EDGE_REGIONS = [
    {"start": -400.0, "stop": -30.0, "step": 10.0},
    {"start": -30.0, "stop": 40.0, "step": 1.0},
    {"k_start": 3.3, "k_stop": 10.0, "k_step": 0.1},
]


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    """One session: Cu and Zr foil edges, then AXS at both edges; plus a second callback
    without the leakage correction fed the same documents live."""
    from axsuite.session.session import build_session

    lines: list[str] = []
    s = build_session(
        "default",
        data_dir=tmp_path_factory.mktemp("axs") / "data",
        echo=lines.append,
        safe_callbacks=False,
        progress=False,
    )
    plain = AXSCallback(leakage_correction=False, echo=None)
    token = s.RE.subscribe(plain)
    edge_cb = next(cb for cb in s.analyses if cb.analysis_name == "edge")
    uids = {}
    for el in ("Cu", "Zr"):
        (uids[f"edge_{el}"],) = s.RE(s.plans.edge_scan(el, regions=EDGE_REGIONS))
    for el in ("Cu", "Zr"):
        e0 = edge_cb.results[uids[f"edge_{el}"]].e0_eV
        (uids[el],) = s.RE(s.plans.axs_scan(el, offsets_eV=[-25.0, -250.0], e0_eV=e0, q_grid=Q))
    s.RE.unsubscribe(token)
    s.lines = lines
    s.uids = uids
    s.plain = plain
    s.axs_cb = next(cb for cb in s.analyses if cb.analysis_name == "axs")
    yield s
    s.close()


def _intensities(s):
    return [ei for el in ("Cu", "Zr") for ei in s.axs_cb.results[s.uids[el]].intensities]


def test_electron_unit_factor_recovered_within_one_percent(campaign):
    """α_true = 1/(n_at r_e² Ω φ_el · photons on the sample per I0 count)."""
    s = campaign
    model = s.bl.scat.model()
    n_at = model.structure.density_atoms_A3 * 1e24
    omega = s.profile.axs.solid_angle_sr
    i0 = s.bl.beam.chambers["I0"]
    resp = s.bl.scat.response
    eis = _intensities(s)
    assert len(eis) == 4
    for ei in eis:
        e = ei.energy_eV
        half = float(resp.fwhm_eV(e))
        phi_el = window_fraction(e, resp.fwhm_eV(e), e - half, e + half, ev_per_channel=20.0)
        per_i0 = float(i0.gas.transmission(e)) / float(i0.absorbed_fraction(e))
        alpha_true = 1.0 / (n_at * R_E_CM**2 * omega * phi_el * per_i0)
        assert ei.normalization_factor == pytest.approx(alpha_true, rel=0.01)


def test_factors_from_the_measured_edge_and_sources_recorded(campaign):
    s = campaign
    model = s.bl.scat.model()
    for ei in _intensities(s):
        true = model.anomalous_factors(ei.energy_eV)
        fp, fpp = ei.factors[ei.element]
        assert fp == pytest.approx(true[ei.element].real, abs=0.1)
        assert fpp == pytest.approx(true[ei.element].imag, abs=0.05)
        assert ei.factor_source[ei.element].startswith("edge run")
        other = next(el for el in ei.factors if el != ei.element)
        assert ei.factor_source[other].startswith("Chantler")
        assert "edge run" in ei.mu_source


def _true_differential(model, d):
    e1, e2 = d.energies_eV
    return axs.differential_structure_factor(
        Q,
        model.coherent_intensity(Q, e1),
        model.coherent_intensity(Q, e2),
        model.composition,
        model.anomalous_factors(e1),
        model.anomalous_factors(e2),
    ).ds


@pytest.mark.parametrize("element", ["Cu", "Zr"])
def test_differential_structure_factor_rms_and_errors(campaign, element):
    s = campaign
    model = s.bl.scat.model()
    (d,) = s.axs_cb.results[s.uids[element]].differentials
    assert d.energies_eV[0] > d.energies_eV[1]
    truth = _true_differential(model, d)
    m = (Q >= 1.5) & (Q <= Q[-1] - 0.5)
    rms = np.sqrt(np.mean((d.ds - truth)[m] ** 2))
    chi2 = np.mean(((d.ds - truth) / d.sigma)[m] ** 2)
    assert rms <= 0.05
    assert 0.5 <= chi2 <= 2.0


def test_partials_rms_honest_errors_and_coordination(campaign):
    s = campaign
    hs = s.bl.scat.model().structure
    assert s.axs_cb.results[s.uids["Cu"]].partials is None
    p = s.axs_cb.results[s.uids["Zr"]].partials
    assert p is not None and len(p.energies_eV) == 4
    assert set(p.run_uids) == {s.uids["Cu"], s.uids["Zr"]}
    assert p.pairs == ("Cu-Cu", "Cu-Zr", "Zr-Zr")
    assert p.condition_number > 50
    truth = hs.partials_by_pair(Q)
    m = (Q >= 2.0) & (Q <= 8.0)
    for k in range(3):
        assert np.sqrt(np.mean((p.s[k] - truth[k])[m] ** 2)) <= 0.15
        assert 0.5 <= np.mean(((p.s[k] - truth[k]) / p.sigma[k])[m] ** 2) <= 2.0
    n_true = hs.coordination_numbers()
    for pair, n in p.coordination.items():
        a, b = pair.split("-")
        assert n == pytest.approx(n_true[hs.elements.index(a), hs.elements.index(b)], rel=0.10)
    assert any("N_Cu-Zr" in line for line in s.lines)


def test_without_leakage_correction_the_cu_differential_is_biased(campaign):
    s = campaign
    model = s.bl.scat.model()
    (good,) = s.axs_cb.results[s.uids["Cu"]].differentials
    (bad,) = s.plain.results[s.uids["Cu"]].differentials
    truth = _true_differential(model, good)
    m = (Q >= 1.5) & (Q <= Q[-1] - 0.5)
    rms_good = np.sqrt(np.mean((good.ds - truth)[m] ** 2))
    rms_bad = np.sqrt(np.mean((bad.ds - truth)[m] ** 2))
    assert rms_bad > 0.05 >= rms_good
    assert rms_bad > 4 * rms_good
    near = s.axs_cb.results[s.uids["Cu"]].intensities[0]
    assert near.leakage_fraction_max > 0.1


def test_replay_equals_live_exactly(campaign):
    s = campaign
    keys = [s.uids["edge_Cu"], s.uids["edge_Zr"], s.uids["Cu"], s.uids["Zr"]]
    out = replay(s.catalog, keys, s.profile, echo=None)
    for el in ("Cu", "Zr"):
        live = result_dict(s.axs_cb.results[s.uids[el]])
        again = out[s.uids[el]]["axs"]
        assert json.dumps(again, sort_keys=True) == json.dumps(live, sort_keys=True)


def test_two_runs_combine_in_a_fresh_callback_from_the_catalog(campaign):
    """`axs replay UID1 UID2`: the AXS runs alone (no edge runs) still give the partials,
    then with Chantler factors, and say so."""
    s = campaign
    cb = AXSCallback(echo=None)
    for el in ("Cu", "Zr"):
        feed(s.catalog[s.uids[el]].documents(), [cb], echo=None)
    res = cb.results[s.uids["Zr"]]
    assert res.partials is not None and len(res.partials.energies_eV) == 4
    assert all(src.startswith("Chantler") for src in res.intensities[0].factor_source.values())


def test_analysis_runs_are_published_and_searchable(campaign):
    from tiled.queries import Key

    s = campaign
    found = s.catalog.search(Key("analysis") == "axs")
    kinds = [r.metadata["start"].get("checkpoint") for r in found.values()]
    assert kinds.count("energy") == 4
    assert kinds.count("differential") == 2
    assert kinds.count("run") == 2
    final = [r for r in found.values() if r.metadata["start"].get("checkpoint") == "run"][-1]
    assert set(final.metadata["start"]["raw_uids"]) == {s.uids["Cu"], s.uids["Zr"]}
    part = final["partials"].read()
    assert list(part["pair"]) == ["Cu-Cu", "Cu-Zr", "Zr-Zr"]
    assert np.asarray(part["s"]).shape == (3, Q.size)


def _docs(s, key):
    return [(name, dict(doc)) for name, doc in s.catalog[key].documents()]


def test_interrupted_energy_is_reported_and_skipped(campaign):
    """An energy whose Q grid is not complete when the energy changes is not analysed."""
    s = campaign
    docs = _docs(s, s.uids["Cu"])
    events = [i for i, (name, _) in enumerate(docs) if name == "event"]
    drop = set(events[Q.size - 3 : Q.size])
    lines: list[str] = []
    cb = AXSCallback(echo=lines.append, use_edge_runs=False)
    feed([d for i, d in enumerate(docs) if i not in drop], [cb], echo=None)
    res = cb.results[s.uids["Cu"]]
    assert [round(ei.energy_eV, 3) for ei in res.intensities] == [round(res.energies_eV[1], 3)]
    assert res.differentials == ()
    assert any(f"after {Q.size - 3} of {Q.size} points" in line for line in lines)


def test_edge_run_with_another_mono_calibration_is_not_used(campaign):
    s = campaign
    edge = _docs(s, s.uids["edge_Cu"])
    start = edge[0][1]
    start["calibrations"] = {"mono": {**start["calibrations"]["mono"], "offset_deg": 0.01}}
    cb = AXSCallback(echo=None)
    feed(edge, [cb], echo=None)
    feed(_docs(s, s.uids["Cu"]), [cb], echo=None)
    ei = cb.results[s.uids["Cu"]].intensities[0]
    assert ei.factor_source["Cu"].startswith("Chantler")
    assert ei.mu_source.startswith("tables")
