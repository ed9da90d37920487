"""AXS analysis on the simulated Cu50Zr50 plate: corrections, ΔS_A, partials, real space.

The data are simulated by :class:`AXSSample` (hard-sphere truth, Chantler f', f'', Compton
with the Breit–Dirac factor, resonant Raman lines, discriminator MCA windows, dead time,
Poisson noise); the analysis sees only counts, window bounds, I0, 2θ and tables.
Default counting: 1e9 photons/s (default profile) for 300 s per point.
"""

from __future__ import annotations

import numpy as np
import pytest
from axsuite.analysis import axs, xray
from axsuite.analysis.absorption import absorption_factor_reflection, polarization_factor
from axsuite.analysis.constants import R_E_CM
from axsuite.devices.models.absorber import IonChamberModel, gas_absorber
from axsuite.devices.models.axs_sample import AXSSample
from axsuite.devices.models.hardspheres import cu50zr50
from axsuite.devices.models.spectrum import DetectorResponse, Geometry

FLUX_PH_S = 1.0e9
DWELL_S = 300.0
SOLID_ANGLE_SR = 0.005
P_H, PHI_DEG, DOPPLER = 0.98, 0.0, 0.015
THICKNESS_CM = 0.005
ROIS = {"Cu": (7850.0, 8250.0), "Zr": (15500.0, 16000.0)}
Q = np.linspace(0.4, 8.5, 163)


def _energies():
    out = []
    for el in ("Cu", "Zr"):
        e0 = xray.edge_energy_eV(el)
        out += [(el, e0 - 25.0), (el, e0 - 250.0)]
    return out


def _measure(sample, element, energy, rng, *, dwell_s=DWELL_S):
    resp = DetectorResponse()
    i0_model = IonChamberModel(gas_absorber({"N2": 1.0}, 10.0))
    tth = xray.two_theta_from_q(Q, energy)
    half = float(resp.fwhm_eV(energy))
    windows = {"elastic": (energy - half, energy + half), "fluorescence": ROIS[element]}
    rows = []
    for t in tth:
        geom = Geometry(float(t), t / 2, t / 2, PHI_DEG, SOLID_ANGLE_SR)
        n = FLUX_PH_S * dwell_s
        w = sample.window_counts(
            energy,
            geom,
            n,
            dwell_s,
            windows,
            resp,
            polarization_h=P_H,
            doppler_fraction=DOPPLER,
            rng=rng,
        )
        i0 = i0_model.expected_counts(energy, n)
        rows.append(
            (w["elastic"], w["fluorescence"], w["dead_time"], rng.poisson(i0) if rng else i0)
        )
    counts = np.array(rows)
    return (
        tth,
        windows,
        counts,
        FLUX_PH_S * dwell_s / i0_model.expected_counts(energy, FLUX_PH_S * dwell_s),
    )


def _analyse(sample, element, energy, tth, windows, counts, *, leakage=True, method="krogh-moe"):
    """Analysis side: tables + measured quantities only (μ from Chantler-based tables)."""
    comp = sample.composition
    rho_mass = sample.mass_density_g_cm3
    mu = lambda e: rho_mass * xray.compound_mass_attenuation_cm2_g(comp, e)  # noqa: E731
    mu_e = float(mu(energy))
    e1 = np.array([energy])
    fac = {
        el: complex(np.ravel(xray.chantler_fp(el, e1))[0], np.ravel(xray.chantler_fpp(el, e1))[0])
        for el in comp
    }
    e_c = xray.compton_energy_eV(energy, tth)
    ratio = axs.compton_window_ratio(
        energy, tth, *windows["elastic"], doppler_fraction=DOPPLER, ev_per_channel=20.0
    )
    ratio = ratio * axs.compton_absorption_ratio(mu_e, mu(e_c), tth, THICKNESS_CM)
    kappa = 0.0
    if leakage:
        kappa = axs.rrs_leakage_ratio(
            element,
            energy,
            tth,
            windows["elastic"],
            windows["fluorescence"],
            mu_cm=mu,
            thickness_cm=THICKNESS_CM,
            ev_per_channel=20.0,
        )
    ci = axs.correct_intensity(
        tth,
        energy,
        counts[:, 0],
        counts[:, 3],
        comp,
        fac,
        density=sample.structure.density_atoms_A3,
        absorption=absorption_factor_reflection(mu_e, tth, THICKNESS_CM),
        polarization=polarization_factor(tth, horizontal_fraction=P_H, azimuth_deg=PHI_DEG),
        dead_time=counts[:, 2],
        fluorescence=counts[:, 1],
        leakage_ratio=kappa,
        compton_ratio=ratio,
        method=method,
    )
    return ci, fac


@pytest.fixture(scope="module")
def sample():
    return AXSSample(cu50zr50(), THICKNESS_CM)


@pytest.fixture(scope="module")
def measured(sample):
    rng = np.random.default_rng(20261121)
    return [(el, e, *_measure(sample, el, e, rng)) for el, e in _energies()]


@pytest.fixture(scope="module")
def corrected(sample, measured):
    return [_analyse(sample, el, e, tth, w, c) for el, e, tth, w, c, _ in measured]


def test_normalization_factor_recovered_within_one_percent(sample, measured, corrected):
    from axsuite.analysis.axs_corrections import window_fraction

    resp = DetectorResponse()
    n_at = sample.structure.density_atoms_A3 * 1e24
    for (_, e, _, w, _, photons_per_i0), (ci, _) in zip(measured, corrected, strict=True):
        phi_el = window_fraction(e, resp.fwhm_eV(e), *w["elastic"], ev_per_channel=20.0)
        alpha_true = 1.0 / (n_at * R_E_CM**2 * SOLID_ANGLE_SR * phi_el * photons_per_i0)
        assert ci.normalization_factor == pytest.approx(alpha_true, rel=0.01)


def test_corrected_intensity_matches_truth_within_errors(sample, corrected):
    for ci, _ in corrected:
        truth = sample.coherent_intensity(Q, ci.energy_eV)
        assert np.allclose(ci.q, Q, rtol=1e-10)
        pull = (ci.intensity - truth) / ci.sigma
        assert 0.5 < np.mean(pull**2) < 2.0


def _differential(sample, corrected, i, j):
    (c1, f1), (c2, f2) = corrected[i], corrected[j]
    d = axs.differential_structure_factor(
        Q,
        c1.intensity,
        c2.intensity,
        sample.composition,
        f1,
        f2,
        sigma_e1=c1.sigma,
        sigma_e2=c2.sigma,
    )
    s = sample.structure.partials_by_pair(Q)
    truth = sum(d.weights[f"{a}-{b}"] * s[k] for k, (a, b) in enumerate(d.pairs))
    return d, truth


@pytest.mark.parametrize(("i", "j"), [(0, 1), (2, 3)])
def test_differential_structure_factor_rms(sample, corrected, i, j):
    d, truth = _differential(sample, corrected, i, j)
    assert np.allclose(sum(d.weights.values()), 1.0)
    m = (Q >= 1.5) & (Q <= Q[-1] - 0.5)
    assert np.sqrt(np.mean((d.ds - truth)[m] ** 2)) <= 0.05
    assert 0.5 < np.mean(((d.ds - truth) / d.sigma)[m] ** 2) < 2.0


def _partials(sample, corrected):
    data = np.array([ci.intensity for ci, _ in corrected])
    sig = np.array([ci.sigma for ci, _ in corrected])
    return axs.partial_structure_factors(
        Q, data, sample.composition, [f for _, f in corrected], sigma=sig
    )


def test_partials_from_four_energies_rms_and_honest_errors(sample, corrected):
    p = _partials(sample, corrected)
    truth = sample.structure.partials_by_pair(Q)
    m = (Q >= 2.0) & (Q <= 8.0)
    assert [f"{a}-{b}" for a, b in p.pairs] == ["Cu-Cu", "Cu-Zr", "Zr-Zr"]
    assert p.condition_number > 50
    for k in range(3):
        assert np.sqrt(np.mean((p.s[k] - truth[k])[m] ** 2)) <= 0.15
        assert 0.5 <= np.mean(((p.s[k] - truth[k]) / p.sigma[k])[m] ** 2) <= 2.0


def test_coordination_numbers_within_ten_percent(sample, corrected):
    p = _partials(sample, corrected)
    hs = sample.structure
    rmin, n_true = hs.first_minimum_A(), hs.coordination_numbers()
    r = np.arange(0.02, 6.0, 0.01)
    g = axs.pair_distribution(Q, p.s, r, density=hs.density_atoms_A3, lorch=True)
    for k, (a, b) in enumerate(p.pairs):
        i, j = hs.elements.index(a), hs.elements.index(b)
        n = axs.coordination_number(
            r, g[k], density=hs.density_atoms_A3, fraction=hs.fractions[j], r_max=rmin[i, j]
        )
        assert n == pytest.approx(n_true[i, j], rel=0.10)


def test_without_leakage_correction_the_cu_differential_is_biased(sample, measured, corrected):
    plain = [
        _analyse(sample, el, e, tth, w, c, leakage=False) for el, e, tth, w, c, _ in measured[:2]
    ]
    d_ok, truth = _differential(sample, corrected, 0, 1)
    d_bad, _ = _differential(sample, plain, 0, 1)
    m = (Q >= 1.5) & (Q <= Q[-1] - 0.5)
    rms_ok = np.sqrt(np.mean((d_ok.ds - truth)[m] ** 2))
    rms_bad = np.sqrt(np.mean((d_bad.ds - truth)[m] ** 2))
    assert rms_bad > 0.2 > 0.05 >= rms_ok
    assert np.max(corrected[0][0].leakage_fraction) > 0.3


def test_noise_free_chain_is_exact_to_table_precision(sample):
    el, e = _energies()[0]
    tth, w, counts, _ = _measure(sample, el, e, None, dwell_s=1.0)
    ci, _ = _analyse(sample, el, e, tth, w, counts)
    assert np.allclose(ci.intensity, sample.coherent_intensity(Q, e), rtol=2e-3)


def test_partials_exact_inversion_and_tikhonov_shrinks_errors(sample):
    factors = [sample.anomalous_factors(e) for _, e in _energies()]
    data = np.array([sample.coherent_intensity(Q, e) for _, e in _energies()])
    p = axs.partial_structure_factors(Q, data, sample.composition, factors)
    assert np.allclose(p.s, sample.structure.partials_by_pair(Q), atol=1e-8)
    reg = axs.partial_structure_factors(Q, data, sample.composition, factors, regularization=5.0)
    assert np.all(reg.sigma <= p.sigma + 1e-12)
    assert np.mean(reg.sigma) < 0.5 * np.mean(p.sigma)


def test_real_space_transforms_agree():
    q = np.linspace(0.05, 20.0, 800)
    from axsuite.devices.models.hardspheres import percus_yevick_one_component

    s = percus_yevick_one_component(q, 2.5, 0.45)
    rho = 0.45 / (np.pi / 6 * 2.5**3)
    r = np.linspace(0.2, 8.0, 300)
    g = axs.pair_distribution(q, s, r, density=rho, lorch=True)
    big_g = axs.reduced_pair_distribution(q, s, r, lorch=True)
    assert np.allclose(big_g, 4 * np.pi * rho * r * (g - 1), atol=1e-10)
    assert np.max(np.abs(g[r < 2.2])) < 0.05
    rdf = axs.environmental_rdf(q, s, r, density=rho, lorch=True)
    assert np.allclose(rdf, 4 * np.pi * r**2 * rho * g)


def test_validation_errors(sample):
    comp = sample.composition
    fac = sample.anomalous_factors(8900.0)
    with pytest.raises(ValueError, match="increasing"):
        axs.differential_structure_factor(Q[::-1], Q, Q, comp, fac, fac)
    with pytest.raises(ValueError, match="no contrast"):
        axs.differential_structure_factor(Q, Q, Q, comp, fac, fac)
    with pytest.raises(ValueError, match="at least 3 energies"):
        axs.partial_structure_factors(Q, np.ones((2, Q.size)), comp, [fac, fac])
    with pytest.raises(ValueError, match="sum to 1"):
        axs.differential_structure_factor(Q, Q, Q, {"Cu": 0.5, "Zr": 0.7}, fac, fac)
    with pytest.raises(ValueError, match="no anomalous factors"):
        axs.differential_structure_factor(Q, Q, Q, comp, {"Cu": 0j}, fac)
    with pytest.raises(ValueError, match="method"):
        axs.correct_intensity(
            [10.0, 20.0],
            8900.0,
            [1, 2],
            [1, 1],
            comp,
            fac,
            density=0.05,
            absorption=1.0,
            polarization=1.0,
            method="magic",
        )
