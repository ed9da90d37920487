"""Default fit ranges (Larch rules), other edges inside the ranges, too short a pre-edge."""

import warnings

import numpy as np
import pytest
from axsuite.analysis import xray
from axsuite.analysis.absorption import (
    XASRangeWarning,
    anomalous_factors_from_mu,
    normalize_xas,
)
from scipy.special import erf


def _erf_edge(e, e0=8500.0, step=2.0, width=1.5):
    return 0.3 - 2e-4 * (e - e0) + step * 0.5 * (1.0 + erf((e - e0) / (np.sqrt(2.0) * width)))


def _grid(e0, lo, hi, fine=0.5, coarse=5.0):
    return np.unique(
        np.concatenate(
            [
                np.arange(e0 + lo, e0 - 20.0, coarse),
                np.arange(e0 - 20.0, e0 + 30.0, fine),
                np.arange(e0 + 30.0, e0 + hi + 1e-9, coarse),
            ]
        )
    )


def test_default_ranges_follow_larch_rules():
    """Rules as read from xraylarch 2026.3.1 pre_edge.py (tests/data/xas/SOURCES.md)."""
    e = _grid(8500.0, -150.0, 600.0)
    r = normalize_xas(e, _erf_edge(e))
    assert abs(r.e0_eV - 8500.0) < 0.1
    # second point at −145 eV → pre1 = 5·round(−145/5) = −145, pre2 = pre1/2
    assert r.pre1_eV == pytest.approx(-145.0, abs=0.1)
    assert r.pre2_eV == pytest.approx(r.pre1_eV / 2.0)
    # last point +600 → norm2 = 600 (rounded, ≤ data); norm1 = min(25, 5·round(600/15))
    assert r.norm2_eV == pytest.approx(600.0, abs=0.1)
    assert r.norm1_eV == 25.0
    assert r.nnorm == 2  # 575 eV ≥ 300
    assert r.flags == () and r.other_edges == ()


def test_short_post_edge_lowers_order_and_norm1():
    e = _grid(8500.0, -150.0, 100.0)
    r = normalize_xas(e, _erf_edge(e))
    assert r.norm2_eV == pytest.approx(100.0, abs=0.1)
    assert r.norm1_eV == 25.0  # min(25, 5·round(100/15) = 35)
    assert r.nnorm == 1  # 75 eV: ≥ 30, < 300


def test_scan_starting_20_eV_below_edge_is_flagged():
    e = _grid(8500.0, -20.0, 400.0)
    with pytest.warns(XASRangeWarning, match="pre-edge"):
        r = normalize_xas(e, _erf_edge(e))
    assert r.flags and "not reliable" in r.flags[0]
    with pytest.raises(ValueError, match="MBACK"):
        e_cu = _grid(8979.0, -20.0, 400.0)
        anomalous_factors_from_mu(e_cu, _erf_edge(e_cu, e0=8979.0), "Cu")


def _cu_zn_mu(e):
    """μ/ρ (cm²/g) of brass CuZn (Chantler photo + xraylib scatter): Zn K inside the scan."""
    return xray.compound_mass_attenuation_cm2_g({"Cu": 0.5, "Zn": 0.5}, e)


def test_other_elements_edge_in_post_edge_range_is_avoided():
    e = _grid(8979.0, -200.0, 1100.0)  # Zn K 9658.6 eV = Cu K + 680 eV
    mu = _cu_zn_mu(e)
    with pytest.warns(XASRangeWarning, match="Zn K"):
        r = normalize_xas(e, mu, element="Cu", other_elements=["Zn"])
    assert r.other_edges == ("Zn K 9658.6 eV",)
    assert r.e0_eV + r.norm2_eV <= 9658.6 - 20.0
    # reference: the same μ without Zn (Cu part only, same mass fraction) and same ranges
    w = xray.mass_fractions({"Cu": 0.5, "Zn": 0.5})
    cu_only = w["Cu"] * xray.mass_attenuation_cm2_g("Cu", e) + w["Zn"] * np.interp(
        e, [e[0], e[-1]], xray.mass_attenuation_cm2_g("Zn", [e[0], 9600.0])
    )
    ref = normalize_xas(e, cu_only, e0_eV=r.e0_eV, norm2=r.norm2_eV)
    err = abs(r.edge_step / ref.edge_step - 1.0)
    assert err < 0.01
    # without the fix the Zn jump enters the post-edge fit: step 5 % off
    blind = normalize_xas(e, mu)
    assert abs(blind.edge_step / ref.edge_step - 1.0) > 0.04


def test_other_elements_edge_keeps_fp_near_the_table():
    e = _grid(8979.0, -300.0, 1100.0)
    at = xray.edge_energy_eV("Cu") + np.array([-100.0, -30.0, -10.0])
    truth = xray.chantler_fp("Cu", at)
    with pytest.warns(XASRangeWarning):
        res = anomalous_factors_from_mu(e, _cu_zn_mu(e), "Cu", at_eV=at, other_elements=["Zn"])
    assert res.ranges["window_hi_eV"] == pytest.approx(9658.6 - 20.0)
    assert np.all(np.abs(res.fp_at - truth) < 0.3)
    assert res.other_edges and res.flags
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        blind = anomalous_factors_from_mu(e, _cu_zn_mu(e), "Cu", at_eV=at)
    assert np.max(np.abs(blind.fp_at - truth)) > 2 * np.max(np.abs(res.fp_at - truth))


def test_l3_spectrum_with_l2_in_range():
    """Ba L3 (5247 eV) scan reaching past L2 (5624 eV): ranges end 20 eV below L2."""
    e = _grid(5247.0, -200.0, 700.0)
    mu = xray.mass_attenuation_cm2_g("Ba", e)
    with pytest.warns(XASRangeWarning, match="Ba L2"):
        r = normalize_xas(e, mu, element="Ba", edge="L3")
    assert r.e0_eV + r.norm2_eV <= xray.edge_energy_eV("Ba", "L2") - 20.0
    at = xray.edge_energy_eV("Ba", "L3") + np.array([-100.0, -30.0])
    with pytest.warns(XASRangeWarning):
        res = anomalous_factors_from_mu(e, mu, "Ba", edge="L3", at_eV=at)
    assert np.all(np.abs(res.fp_at - xray.chantler_fp("Ba", at)) < 0.5)


def test_edges_too_close_to_separate_raise():
    e = _grid(932.7, -100.0, 150.0, fine=0.25, coarse=2.0)  # Cu L3, L2 only 20 eV above
    mu = xray.mass_attenuation_cm2_g("Cu", e)
    with pytest.raises(ValueError, match="cannot be separated"):
        normalize_xas(e, mu, e0_eV=932.7, element="Cu", edge="L3")


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"pre1": -30.0, "pre2": -150.0}, "pre1 = -30.0"),
        ({"norm1": 300.0, "norm2": 100.0}, "norm1"),
    ],
)
def test_explicit_ranges_must_be_ordered(kw, match):
    e = _grid(8500.0, -150.0, 600.0)
    with pytest.raises(ValueError, match=match):
        normalize_xas(e, _erf_edge(e), **kw)
