"""normalize_xas: analytic steps, Chantler μ of Cu, input cleaning and bad input."""

import numpy as np
import pytest
from axsuite.analysis import xray
from axsuite.analysis.absorption import find_e0, normalize_xas
from scipy.special import erf


def _erf_edge(e, e0=8500.0, step=2.0, width=1.5, slope=-2e-4, offset=0.3, post_slope=1e-4):
    """μ = pre-line + step·(1 + erf)/2·(1 + post_slope·(E − E0)) (inflection at e0)."""
    s = 0.5 * (1.0 + erf((e - e0) / (np.sqrt(2.0) * width)))
    return offset + slope * (e - e0) + step * s * (1.0 + post_slope * (e - e0))


def _scan_grid(e0, lo=-150.0, hi=600.0):
    return np.concatenate(
        [
            np.arange(e0 + lo, e0 - 20.0, 5.0),
            np.arange(e0 - 20.0, e0 + 30.0, 0.5),
            np.arange(e0 + 30.0, e0 + hi, 3.0),
        ]
    )


def test_erf_step_recovers_e0_step_and_lines():
    e = _scan_grid(8500.0)
    mu = _erf_edge(e)
    r = normalize_xas(e, mu)
    assert abs(r.e0_eV - 8500.0) < 0.1
    # post-edge = pre-line + step·(1 + 1e-4·x) is linear in x: fitted exactly (order ≥ 1)
    assert r.edge_step == pytest.approx(2.0, rel=1e-4)
    assert r.pre_coefs[0] == pytest.approx(-2e-4, rel=1e-3)
    pre = e < 8450.0
    assert np.allclose(r.norm[pre], 0.0, atol=1e-6)
    post = e > 8600.0
    assert np.allclose(r.flat[post], 1.0, atol=1e-4)
    assert np.allclose(r.norm[post], 1.0 + 1e-4 * (e[post] - 8500.0), atol=1e-4)
    assert r.nnorm == 2  # norm range 100…~600 eV > 300 eV


def test_short_scan_clips_ranges_and_lowers_order():
    e = _scan_grid(8500.0, lo=-60.0, hi=120.0)
    r = normalize_xas(e, _erf_edge(e))
    assert r.pre1_eV >= e[0] - r.e0_eV
    assert r.pre2_eV < 0.0
    assert r.norm2_eV <= e[-1] - r.e0_eV + 1e-9
    assert r.nnorm == 1
    assert r.edge_step == pytest.approx(2.0, rel=2e-3)


def test_cu_chantler_mu_e0_and_step():
    e0_tab = xray.edge_energy_eV("Cu")
    e = _scan_grid(e0_tab, lo=-200.0, hi=800.0)
    mu_rho = xray.mass_attenuation_cm2_g("Cu", e)
    r = normalize_xas(e, mu_rho)
    assert abs(r.e0_eV - 8979.0) < 1.5
    # independent: Chantler jump of the photo part just above vs below the edge (xraydb)
    jump = xray.mu_photo_from_fpp("Cu", 8990.0, xray.chantler_fpp("Cu", 8990.0)) - (
        xray.mu_photo_from_fpp("Cu", 8970.0, xray.chantler_fpp("Cu", 8970.0))
    )
    assert r.edge_step == pytest.approx(jump, rel=0.05)


def test_noisy_edge_e0_within_a_fraction_of_the_step():
    rng = np.random.default_rng(7)
    e = _scan_grid(8500.0)
    mu = _erf_edge(e) + rng.normal(0.0, 2e-3, e.size)
    r = normalize_xas(e, mu)
    assert abs(r.e0_eV - 8500.0) < 0.5
    assert r.edge_step == pytest.approx(2.0, rel=5e-3)


def test_cleaning_nan_unsorted_duplicates():
    e = _scan_grid(8500.0)
    mu = _erf_edge(e)
    ref = normalize_xas(e, mu)
    rng = np.random.default_rng(3)
    perm = rng.permutation(e.size)
    e2 = np.concatenate([e[perm], e[:5], [np.nan, 8600.0]])
    mu2 = np.concatenate([mu[perm], mu[:5], [1.0, np.nan]])
    r = normalize_xas(e2, mu2)
    assert np.array_equal(r.energy_eV, ref.energy_eV)
    assert np.allclose(r.norm, ref.norm, rtol=0, atol=1e-12)
    assert r.e0_eV == pytest.approx(ref.e0_eV, abs=1e-9)


def test_deterministic_replay():
    rng = np.random.default_rng(11)
    e = _scan_grid(8500.0)
    mu = _erf_edge(e) + rng.normal(0.0, 1e-3, e.size)
    a, b = normalize_xas(e, mu), normalize_xas(e.copy(), mu.copy())
    assert a.e0_eV == b.e0_eV and a.edge_step == b.edge_step
    assert np.array_equal(a.flat, b.flat)


def test_given_e0_is_used():
    e = _scan_grid(8500.0)
    r = normalize_xas(e, _erf_edge(e), e0_eV=8502.0)
    assert r.e0_eV == 8502.0


@pytest.mark.parametrize(
    ("energy", "mu", "match"),
    [
        (np.arange(5.0) + 8000, np.arange(5.0), "at least"),
        (np.arange(20.0) + 8000, np.r_[np.arange(19.0), np.inf], "infinite"),
        (np.arange(20.0) + 8000, np.arange(19.0), "differ"),
        (np.arange(20.0) - 5, np.arange(20.0), "positive"),
        (np.arange(50.0) + 8000, np.ones(50), "edge"),
    ],
)
def test_bad_input_raises(energy, mu, match):
    with pytest.raises(ValueError, match=match):
        normalize_xas(energy, mu)


def test_e0_outside_data_raises():
    e = _scan_grid(8500.0)
    with pytest.raises(ValueError, match="outside"):
        normalize_xas(e, _erf_edge(e), e0_eV=9500.0)


def test_find_e0_matches_normalize():
    e = _scan_grid(8500.0)
    mu = _erf_edge(e)
    assert find_e0(e, mu) == normalize_xas(e, mu).e0_eV
