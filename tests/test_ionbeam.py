"""Tests of the ion-beam truth model and of the energy-loss analysis on simulated scans."""

from __future__ import annotations

import numpy as np
import pytest
from axsuite.analysis import stopping as st
from axsuite.devices.models import ionbeam as ib

HE_AL = ib.IonBeamTruth(ib.resolve_ion("alpha"), ib.Foil("Al", 2.0e18 / 1e15), i_eV=170.0)


def test_resolve_ion() -> None:
    assert ib.resolve_ion("p").z1 == 1
    assert ib.resolve_ion("alpha").a1 == pytest.approx(4.0015, abs=1e-3)
    u = ib.resolve_ion("U")
    assert (u.z1, round(u.a1)) == (92, 238)
    assert ib.resolve_ion({"z1": 8, "a1": 15.995}).symbol == "O"
    for bad in ("Xq", 5, {"z1": 0, "a1": 1}, {"a1": 4}):
        with pytest.raises(ValueError):
            ib.resolve_ion(bad)


def test_thin_foil_energy_loss_is_stopping_times_thickness() -> None:
    thin = ib.IonBeamTruth(ib.resolve_ion("p"), ib.Foil("Cu", 100.0))
    e = np.array([2.0, 20.0])
    de = e - thin.transmitted_energy_MeV(e)
    first_order = thin.stopping_MeV_cm2_g(e) * thin.foil.areal_mass_g_cm2
    assert np.allclose(de, first_order, rtol=2e-3)


def test_energy_loss_is_additive_over_foil_halves() -> None:
    half = ib.IonBeamTruth(
        HE_AL.ion, ib.Foil("Al", HE_AL.foil.areal_density_1e15_cm2 / 2), i_eV=170.0
    )
    e = np.array([3.0, 12.0])
    assert np.allclose(
        half.transmitted_energy_MeV(half.transmitted_energy_MeV(e)),
        HE_AL.transmitted_energy_MeV(e),
        rtol=1e-7,
    )


def test_thick_foil_stops_beam() -> None:
    thick = ib.IonBeamTruth(ib.resolve_ion("alpha"), ib.Foil("Au", 1e5))
    assert thick.stops_beam(2.0)
    assert thick.transmitted_energy_MeV(2.0) == 0.0
    assert not HE_AL.stops_beam(5.0)


def test_bohr_straggling_value() -> None:
    """Ω_B² = 4π e⁴ Z1² Z2 N t; e² = 1.44 eV·nm (Chu 1976)."""
    nt = 2.0e18
    expect = np.sqrt(4 * np.pi * (1.439964e-7) ** 2 * 4 * 13 * nt) * 1e-3
    assert HE_AL.bohr_straggling_sigma_keV == pytest.approx(expect, rel=1e-5)


def test_measure_peak_statistics_and_seed() -> None:
    r1 = ib.measure_peak(
        HE_AL, 8.0, foil_in=True, dwell_s=1.0, rng=np.random.default_rng(5), spectrum_bins=64
    )
    r2 = ib.measure_peak(
        HE_AL, 8.0, foil_in=True, dwell_s=1.0, rng=np.random.default_rng(5), spectrum_bins=64
    )
    assert r1.centroid_MeV == r2.centroid_MeV
    assert np.array_equal(r1.spectrum, r2.spectrum)
    assert r1.spectrum.sum() <= r1.counts
    expect_fwhm = HE_AL.peak_sigma_keV(True) * ib.FWHM_PER_SIGMA
    assert r1.fwhm_keV == pytest.approx(expect_fwhm, rel=0.03)
    truth = float(HE_AL.transmitted_energy_MeV(8.0))
    assert abs(r1.centroid_MeV - truth) < 5 * HE_AL.peak_sigma_keV(True) * 1e-3 / np.sqrt(r1.counts)
    with pytest.raises(ValueError):
        ib.measure_peak(HE_AL, 8.0, foil_in=True, dwell_s=0.0, rng=np.random.default_rng(1))


def _simulated_scan(truth: ib.IonBeamTruth, energies: np.ndarray, seed: int) -> st.EnergyLossPoints:
    rng = np.random.default_rng(seed)
    out = [ib.measure_peak(truth, e, foil_in=False, dwell_s=1.0, rng=rng) for e in energies]
    inn = [ib.measure_peak(truth, e, foil_in=True, dwell_s=1.0, rng=rng) for e in energies]

    def err(r: ib.DetectorReading) -> float:
        return r.fwhm_keV / ib.FWHM_PER_SIGMA * 1e-3 / np.sqrt(r.counts)

    return st.stopping_from_energy_loss(
        np.array([r.centroid_MeV for r in out]),
        np.array([r.centroid_MeV for r in inn]),
        np.array([err(r) for r in out]),
        np.array([err(r) for r in inn]),
        areal_density_1e15_cm2=truth.foil.areal_density_1e15_cm2,
        target=truth.foil.formula,
        a1=truth.ion.a1,
    )


def test_simulated_he_in_al_scan_is_consistent_with_truth_and_recovers_i() -> None:
    energies = np.geomspace(2.0, 40.0, 14)
    pts = _simulated_scan(HE_AL, energies, seed=11)
    truth = HE_AL.stopping_MeV_cm2_g(pts.energy_MeV)
    chi2_red = float(np.mean(((pts.stopping_MeV_cm2_g - truth) / pts.sigma_MeV_cm2_g) ** 2))
    assert 0.3 < chi2_red < 2.2
    fit = st.fit_mean_excitation(
        pts.energy_MeV_u,
        pts.stopping_MeV_cm2_g,
        pts.sigma_MeV_cm2_g,
        z1=2,
        a1=HE_AL.ion.a1,
        target="Al",
    )
    assert abs(fit.i_eV / 170.0 - 1.0) < 0.05
    assert fit.n_points >= 6


def test_stopping_from_energy_loss_validation() -> None:
    with pytest.raises(ValueError, match="below the incident"):
        st.stopping_from_energy_loss(
            [2.0], [2.5], [0.001], [0.001], areal_density_1e15_cm2=100.0, target="Al", a1=4.0
        )
    with pytest.raises(ValueError, match="areal density"):
        st.stopping_from_energy_loss(
            [2.0], [1.5], [0.001], [0.001], areal_density_1e15_cm2=0.0, target="Al", a1=4.0
        )


def test_ophyd_devices(beamline) -> None:
    src, foil, pdet = beamline.ion_source, beamline.foil, beamline.pdet
    src.species.put("p")
    assert (src.z1.get(), round(src.a1.get(), 4)) == (1, 1.0073)
    with pytest.raises(ValueError, match="unknown ion"):
        src.species.put("Qq")
    with pytest.raises(ValueError, match="unknown foil"):
        foil.foil.put("nope")
    foil.foil.put("au_foil")
    assert foil.formula.get() == "Au" and foil.areal_density.get() == 500.0
    with pytest.raises(ValueError, match="0 \\(out\\) or 1 \\(in\\)"):
        foil.inserted.put(2)
    src.energy.move(5.0)
    foil.inserted.put(1)
    pdet.record_spectrum(32)
    pdet.count_time.put(0.1)
    pdet.trigger()
    reading = pdet.read()
    assert reading["pdet_spectrum"]["value"].shape == (32,)
    assert reading["pdet_centroid"]["value"] < 5.0
    assert pdet.truth().foil.formula == "Au"
