"""axs_scan: validation before any message, the same Q grid at every energy, start document,
the scattering detector against its model, and the profile's axs section."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from axsuite.analysis import xray
from axsuite.plans import axs_scan, validate_axs_scan
from axsuite.session.profile import ProfileError, load_profile, profile_from_dict

Q_SHORT = np.linspace(1.0, 8.0, 12)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"element": "Xx"}, "unknown element"),
        ({"element": "Cu", "edge": "Q7"}, "unknown absorption edge"),
        ({"element": "U"}, "outside the monochromator range"),
        ({"element": "Ni"}, "not in the composition"),
        ({"element": "Cu", "composition": {"Cu": 0.5, "Zr": 0.6}}, "sum to"),
        ({"element": "Cu", "composition": {"Cu": 1.0}}, "at least two elements"),
        ({"element": "Cu", "composition": {"Cu": 0.5, "Qq": 0.5}}, "unknown element"),
        ({"element": "Cu", "composition": {"Cu": 1.2, "Zr": -0.2}}, "must be positive"),
        ({"element": "Cu", "energies_eV": [8950.0, 9000.0]}, "below the Cu K edge"),
        ({"element": "Cu", "offsets_eV": [-25.0, 10.0]}, "below the Cu K edge"),
        ({"element": "Cu", "offsets_eV": [-25.0], "energies_eV": [8900.0]}, "not both"),
        ({"element": "Cu", "offsets_eV": [-25.0, -25.0]}, "distinct"),
        ({"element": "Cu", "e0_eV": 9100.0}, "not within 50 eV"),
        ({"element": "Cu", "offsets_eV": [-25.0, -5000.0]}, "monochromator range"),
        ({"element": "Cu", "q_grid": np.linspace(1.0, 9.0, 12)}, "not reachable"),
        ({"element": "Cu", "q_grid": [1.0, 2.0, 3.0]}, "at least 10"),
        ({"element": "Cu", "q_grid": np.linspace(8.0, 1.0, 12)}, "increasing"),
        ({"element": "Cu", "q_grid": np.linspace(-1.0, 8.0, 12)}, "positive"),
        ({"element": "Cu", "dwell_s": 0.0}, "dwell_s must be a positive"),
        ({"element": "Cu", "dwell_s": float("nan")}, "dwell_s must be a positive"),
        ({"element": "Cu", "sample": "nothing"}, "not in the profile"),
    ],
)
def test_bad_input_raises_before_any_message(beamline, kwargs, match, message_recorder):
    rec = message_recorder
    kw = {"q_grid": Q_SHORT, **kwargs}
    with pytest.raises(ValueError, match=match):
        rec.run(axs_scan(beamline=beamline, **kw))
    assert rec.msgs == []


def test_beamline_without_axs_station_is_refused(profile, message_recorder):
    from axsuite.devices import make_beamline

    bl = make_beamline(dataclasses.replace(profile, axs=None))
    assert not hasattr(bl, "scat")
    rec = message_recorder
    with pytest.raises(ValueError, match="no axs section"):
        rec.run(axs_scan("Cu", beamline=bl, q_grid=Q_SHORT))
    assert rec.msgs == []


def test_reachability_limit_is_the_arm_limit():
    """Q_max = 4π sin(θ_max)/λ at the lowest energy; one step beyond it is refused."""
    e = 8978.9 - 250.0
    q_max = 4 * np.pi * np.sin(np.radians(75.0)) / (12398.419843 / e)
    kw = {
        "edge": "K",
        "offsets_eV": [-25.0, -250.0],
        "e0_eV": None,
        "energies_eV": None,
        "dwell_s": 1.0,
        "composition": {"Cu": 0.5, "Zr": 0.5},
        "energy_limits_eV": (4500.0, 30000.0),
        "two_theta_limits_deg": (-5.0, 150.0),
    }
    grid = validate_axs_scan("Cu", q_grid=np.linspace(1.0, q_max - 1e-6, 12), **kw)
    assert grid.two_theta_deg[1, -1] == pytest.approx(150.0, abs=1e-4)
    with pytest.raises(ValueError, match="not reachable"):
        validate_axs_scan("Cu", q_grid=np.linspace(1.0, q_max + 1e-3, 12), **kw)


def test_same_q_grid_at_every_energy(RE, beamline, collector):
    RE.subscribe(collector)
    (uid,) = RE(
        axs_scan("Cu", beamline=beamline, q_grid=Q_SHORT, offsets_eV=[-25.0, -250.0], dwell_s=2.0)
    )
    start = collector.docs("start")[0]
    events = collector.docs("event")
    f = start["fields"]
    assert start["uid"] == uid and start["plan_name"] == "axs_scan"
    assert len(events) == start["num_points"] == 2 * Q_SHORT.size
    e0 = xray.edge_energy_eV("Cu")
    assert np.allclose(start["energies_eV"], [e0 - 25.0, e0 - 250.0])
    assert np.allclose(start["q_grid"], Q_SHORT)
    for k, energy in enumerate(start["energies_eV"]):
        block = events[k * Q_SHORT.size : (k + 1) * Q_SHORT.size]
        e = np.array([ev["data"][f["energy"]] for ev in block])
        tth = np.array([ev["data"][f["two_theta"]] for ev in block])
        assert np.allclose(e, energy, rtol=1e-9)
        assert np.allclose(4 * np.pi * np.sin(np.radians(tth / 2)) * e / 12398.419843, Q_SHORT)
        lo = np.array([ev["data"][f["elastic_low"]] for ev in block])
        hi = np.array([ev["data"][f["elastic_high"]] for ev in block])
        assert np.allclose(0.5 * (lo + hi), energy)
        assert np.allclose(start["windows"][k]["elastic_eV"], [lo[0], hi[0]])
        assert all(ev["data"][f["i0"]] > 0 and ev["data"][f["elastic"]] > 0 for ev in block)
    for key in ("element", "edge", "geometry", "density_atoms_A3", "polarization", "composition"):
        assert key in start
    assert start["composition"] == {"Cu": 0.5, "Zr": 0.5}
    assert start["density_atoms_A3"] == pytest.approx(0.0572)
    assert start["polarization"]["scattering_plane"] == "vertical"
    assert start["geometry"]["kind"] == "reflection"
    assert "edge_energy_eV" not in start
    assert beamline.dwell.get() == 2.0


def test_scattering_detector_counts_follow_its_model(beamline):
    """Elastic-window counts of the device scatter about the model's expectation (Poisson)."""
    bl = beamline
    bl.disc.roi.put("Zr_K")
    bl.dcm.energy.set(17900.0)
    bl.arm.two_theta.set(40.0)
    bl.dwell.put(1.0)
    model = bl.scat.model()
    mean = model.window_counts(
        bl.dcm.delivered_energy_eV(),
        bl.scat.geometry(),
        bl.beam.incident_photons("sample", 1.0)[1],
        1.0,
        bl.disc.windows_eV(),
        bl.scat.response,
        polarization_h=bl.scat.polarization_h.get(),
        doppler_fraction=bl.scat.doppler_fraction,
    )
    counts = []
    for _ in range(40):
        bl.scat.trigger()
        counts.append(bl.scat.elastic.get())
    counts = np.array(counts, dtype=float)
    assert abs(counts.mean() - mean["elastic"]) < 4 * np.sqrt(mean["elastic"] / counts.size)
    assert 0.5 < counts.var(ddof=1) / mean["elastic"] < 1.7
    assert bl.scat.dead_time.get() == pytest.approx(mean["dead_time"])


def test_profile_axs_section_is_validated():
    prof = load_profile("default")
    assert prof.axs.samples["cuzr_glass"].packing_from_density() == pytest.approx(0.50, abs=1e-3)
    from axsuite.session.profile import _read_raw

    raw = _read_raw("default")
    bad = {**raw, "axs": {**raw["axs"], "samples": {"x": {**raw["axs"]["samples"]["cuzr_glass"]}}}}
    bad["axs"]["samples"]["x"]["packing"] = 0.45
    with pytest.raises(ProfileError, match="axs.samples.x.*packing"):
        profile_from_dict(bad)
    bad["axs"]["samples"]["x"] = {**raw["axs"]["samples"]["cuzr_glass"], "diameters_A": {"Cu": 2.2}}
    with pytest.raises(ProfileError, match="diameter"):
        profile_from_dict(bad)
    with pytest.raises(ProfileError, match="axs.solid_angle_sr"):
        profile_from_dict({**raw, "axs": {**raw["axs"], "solid_angle_sr": "big"}})
    with pytest.raises(ProfileError, match="sample 'nothing' is not one of"):
        profile_from_dict({**raw, "axs": {**raw["axs"], "sample": "nothing"}})


def test_second_composition_from_packing(profile):
    from axsuite.devices.scattering import make_axs_samples

    samples = make_axs_samples(profile.axs)
    hs = samples["cu64zr36_glass"].structure
    assert hs.composition == pytest.approx({"Cu": 0.64, "Zr": 0.36})
    assert hs.packing_fraction == pytest.approx(0.50, rel=1e-9)
    assert samples["cuzr_glass"].structure.density_atoms_A3 == pytest.approx(0.0572)
    cfg = profile.axs.samples["cu64zr36_glass"]
    assert cfg.number_density_atoms_A3() == pytest.approx(hs.density_atoms_A3, rel=1e-12)
