"""Line-profile analysis: profiles, Scherrer, Williamson–Hall, March–Dollase, Harris TC."""

import numpy as np
import pytest
from axsuite.analysis.lineprofile import (
    SCHERRER_K,
    InstrumentFunction,
    approximate_sample_breadth,
    deconvolve_tch,
    find_peaks,
    fit_instrument_function,
    fit_peaks,
    march_dollase,
    pseudo_voigt,
    scherrer_constant,
    scherrer_size,
    tch_fwhm_eta,
    tch_profile,
    texture_coefficients,
    texture_sigma,
    williamson_hall,
)
from scipy import integrate, signal, special


def test_pseudo_voigt_is_area_normalised_with_given_fwhm():
    x = np.linspace(-400, 400, 800001)
    for eta in (0.0, 0.4, 1.0):
        y = pseudo_voigt(x, 0.0, 0.7, eta)
        # Lorentzian tails beyond ±400 hold 2/π·atan(1/(2·400/0.7))... ≈ 5.6e-4 of the area
        assert integrate.trapezoid(y, x) == pytest.approx(1.0 - eta * 5.57e-4, abs=2e-5)
        half = y.max() / 2
        above = x[y >= half]
        assert above[-1] - above[0] == pytest.approx(0.7, abs=2e-3)


def test_tch_limits_and_voigt_fwhm():
    f, e = tch_fwhm_eta(1.0, 0.0)
    assert f == pytest.approx(1.0) and e == pytest.approx(0.0)
    f, e = tch_fwhm_eta(0.0, 1.0)
    assert f == pytest.approx(1.0) and e == pytest.approx(1.36603 - 0.47719 + 0.11116)
    # exact Voigt FWHM from scipy.special.voigt_profile (independent); TCH's Γ is the width
    # of the best pseudo-Voigt, within ~1 % of the Voigt FWHM (Thompson et al. 1987)
    for g, lo in [(1.0, 0.5), (0.3, 1.0), (1.0, 1.0)]:
        sig, gam = g / (2 * np.sqrt(2 * np.log(2))), lo / 2
        x = np.linspace(-5, 5, 200001)
        v = special.voigt_profile(x, sig, gam)
        above = x[v >= v.max() / 2]
        assert tch_fwhm_eta(g, lo)[0] == pytest.approx(above[-1] - above[0], rel=0.01)


def test_deconvolution_per_component_matches_numerical_convolution():
    """Convolving instrument and sample Voigts numerically: widths add as stated in §7.4."""
    x = np.linspace(-20, 20, 40001)
    dx = x[1] - x[0]
    inst = tch_profile(x, 0.0, 0.10, 0.05)
    samp = tch_profile(x, 0.0, 0.20, 0.30)
    obs = signal.fftconvolve(inst, samp, mode="same") * dx
    near = np.abs(x) < 3
    fits = fit_peaks(40 + x[near], 1e6 * obs[near], [40.0], sigma=np.ones(near.sum()))
    g_o, l_o = fits[0].gamma_g_deg, fits[0].gamma_l_deg
    assert l_o == pytest.approx(0.35, rel=0.03)
    assert g_o == pytest.approx(np.hypot(0.10, 0.20), rel=0.05)
    gs, ls, _ = deconvolve_tch(g_o, l_o, 0.10, 0.05)
    assert ls == pytest.approx(0.30, rel=0.05) and gs == pytest.approx(0.20, rel=0.08)


def test_parabolic_shortcut_is_only_approximate():
    # β_s = β_o − β_i²/β_o for a Lorentzian sample + Gaussian instrument: not exact
    bo, bi = tch_fwhm_eta(0.1, 0.2)[0], 0.1
    approx = approximate_sample_breadth(bo, bi)
    assert approx != pytest.approx(0.2, rel=0.01)
    assert abs(approx / 0.2 - 1) < 0.1


def test_scherrer_constants_and_size():
    assert scherrer_constant("sphere", "integral", "diameter") == pytest.approx(4 / 3)
    # V^(1/3) of a sphere of diameter D is (π/6)^(1/3) D: the constants must be consistent
    ratio = (np.pi / 6) ** (1 / 3)
    assert SCHERRER_K[("sphere", "integral", "cube_root_volume")] == pytest.approx(
        4 / 3 * ratio, rel=1e-3
    )
    assert SCHERRER_K[("sphere", "fwhm", "cube_root_volume")] == pytest.approx(
        1.1067 * ratio, rel=1e-3
    )
    assert scherrer_constant("cube_111", "fwhm", "edge") == 0.8551
    # D = Kλ/(β cosθ): 0.2° FWHM at 2θ = 40°, Cu Kα1
    d = scherrer_size(0.2, 40.0, 1.5406)
    assert d == pytest.approx(0.89 * 1.5406 / (np.deg2rad(0.2) * np.cos(np.deg2rad(20))))
    with pytest.raises(ValueError):
        scherrer_size(0.0, 40.0, 1.5406)
    with pytest.raises(ValueError):
        scherrer_constant("sphere", "fwhm", "edge")


def test_williamson_hall_exact_line_and_negative_intercept():
    lam, d, eps = 0.7293, 250.0, 1.5e-3
    tt = np.array([12.0, 20.0, 28.0, 35.0, 44.0, 52.0])
    th = np.deg2rad(tt / 2)
    beta = np.rad2deg((0.89 * lam / d + 4 * eps * np.sin(th)) / np.cos(th))
    wh = williamson_hall(tt, beta, lam)
    assert wh.size_A == pytest.approx(d, rel=1e-9) and wh.strain == pytest.approx(eps, rel=1e-9)
    assert wh.r_squared == pytest.approx(1.0) and not wh.negative_intercept
    neg = williamson_hall(tt, np.rad2deg((-1e-4 + 4 * eps * np.sin(th)) / np.cos(th)), lam)
    assert neg.negative_intercept and np.isnan(neg.size_A)
    with pytest.raises(ValueError, match="≥ 3"):
        williamson_hall(tt[:2], beta[:2], lam)


def test_march_dollase_limits_and_sphere_average():
    for r in (0.5, 0.7, 1.0, 1.6):
        assert march_dollase(0.0, r) == pytest.approx(r**-3)
        assert march_dollase(90.0, r) == pytest.approx(r**1.5)
        # average over the sphere: ∫0^π/2 P(α) sinα dα = 1
        val, _ = integrate.quad(
            lambda a, r=r: march_dollase(np.rad2deg(a), r) * np.sin(a), 0, np.pi / 2
        )
        assert val == pytest.approx(1.0, abs=1e-9)
    assert march_dollase(0.0, 0.7) == pytest.approx(2.915, abs=1e-3)  # DESIGN §13, not 0.5832
    with pytest.raises(ValueError):
        march_dollase(0.0, 0.0)


def test_texture_coefficients():
    i_ref = np.array([100.0, 45.0, 20.0, 17.0])
    assert np.allclose(texture_coefficients(3.0 * i_ref, i_ref), 1.0)
    tc = texture_coefficients(i_ref * [2.0, 1.0, 1.0, 1.0], i_ref)
    assert tc[0] == pytest.approx(1.6) and tc.mean() == pytest.approx(1.0)
    assert texture_sigma(tc) > 0.2 and texture_sigma(np.ones(4)) == 0.0
    with pytest.raises(ValueError):
        texture_coefficients([1.0, 2.0], [1.0, 0.0])


def test_instrument_function_fit_recovers_caglioti():
    truth = InstrumentFunction(U=0.004, V=-0.002, W=0.0009, X=0.004, Y=0.003)
    tt = np.linspace(10, 120, 12)
    fit = fit_instrument_function(tt, truth.gaussian_fwhm(tt), truth.lorentzian_fwhm(tt))
    for k in "UVWXY":
        assert getattr(fit, k) == pytest.approx(getattr(truth, k), rel=1e-6, abs=1e-12)
    again = InstrumentFunction.from_dict(fit.to_dict())
    assert again == fit
    with pytest.raises(ValueError, match="≥ 4"):
        fit_instrument_function(tt[:3], tt[:3], tt[:3])
    with pytest.raises(ValueError, match="unknown"):
        InstrumentFunction.from_dict({"U": 1, "V": 0, "W": 0, "Q": 2})


def test_peak_search_and_bad_input():
    rng = np.random.default_rng(3)
    x = np.arange(10, 60, 0.01)
    y = 100 + 5000 * tch_profile(x, 25.0, 0.08, 0.04) + 2000 * tch_profile(x, 41.0, 0.09, 0.05)
    found = find_peaks(x, rng.poisson(y))
    assert np.allclose(found.two_theta_deg, [25.0, 41.0], atol=0.02)
    with pytest.raises(ValueError, match="no peaks"):
        find_peaks(x, rng.poisson(np.full(x.size, 100.0)))
    with pytest.raises(ValueError, match="length"):
        find_peaks(x, y[:-1])
    with pytest.raises(ValueError, match="outside"):
        fit_peaks(x, y, [70.0])


def test_axcsas_linear_split_of_pseudo_voigt_is_wrong():
    """DESIGN §13: f_L = ηΓ, f_G = (1 − η)Γ does not recover the Voigt components."""
    g, lo = 0.10, 0.10
    fwhm, eta = tch_fwhm_eta(g, lo)
    assert eta * fwhm != pytest.approx(lo, rel=0.05)
    assert (1 - eta) * fwhm != pytest.approx(g, rel=0.05)
    # a TCH fit of the same profile returns the components themselves
    x = np.arange(30.0, 50.0, 0.005)
    fit = fit_peaks(x, 1e6 * tch_profile(x, 40.0, g, lo) + 10.0, [40.0], sigma=np.ones(x.size))
    assert fit[0].gamma_g_deg == pytest.approx(g, rel=1e-3)
    assert fit[0].gamma_l_deg == pytest.approx(lo, rel=1e-3)


def _fit(center, gamma_g, gamma_l, fwhm_err):
    from axsuite.analysis.lineprofile import PeakFit

    fwhm, eta = tch_fwhm_eta(gamma_g, gamma_l)
    nan = float("nan")
    return PeakFit(center, 1e-4, 100.0, 1.0, gamma_g, nan, gamma_l, nan, float(fwhm),
                   fwhm_err, float(eta), float(fwhm), 1.0)  # fmt: skip


def test_sizes_beyond_the_instrument_resolution_are_flagged_not_reported():
    """Peaks as wide as the instrument (+0.5 %) give no Scherrer size but a lower limit; the
    limit is the Scherrer size of the Lorentzian breadth that widens the instrument's FWHM by
    RESOLUTION_FRACTION (10 %), checked here by forward TCH convolution."""
    from axsuite.analysis.lineprofile import size_strain_from_fits
    from axsuite.analysis.lineprofile.size_strain import RESOLUTION_FRACTION

    inst = InstrumentFunction(U=0.004, V=-0.002, W=0.002, X=0.005, Y=0.004)
    tt = np.array([20.0, 40.0, 60.0, 80.0])
    gi, li = inst.gaussian_fwhm(tt), inst.lorentzian_fwhm(tt)
    lam, k = 1.5406, 0.89
    narrow = [_fit(t, g * 1.005, lo, 1e-4) for t, g, lo in zip(tt, gi, li, strict=True)]
    r = size_strain_from_fits(narrow, lam, inst, k=k)
    assert not r.resolved.any() and np.all(np.isnan(r.scherrer_size_A))
    assert r.williamson_hall is None
    assert any("resolution" in n for n in r.notes) and any("≥ 3 resolved" in n for n in r.notes)
    ls = np.rad2deg(k * lam / (r.size_limit_A * np.cos(np.deg2rad(tt) / 2)))
    f_inst = tch_fwhm_eta(gi, li)[0]
    widened = tch_fwhm_eta(gi, li + ls)[0]
    assert np.allclose(widened - f_inst, RESOLUTION_FRACTION * f_inst, rtol=1e-6)
    # 300 Å crystallites (Lorentzian Kλ/(D cosθ)) are resolved and sized
    size = np.rad2deg(k * lam / (300.0 * np.cos(np.deg2rad(tt) / 2)))
    broad = [_fit(t, g, lo + s, 1e-4) for t, g, lo, s in zip(tt, gi, li, size, strict=True)]
    r = size_strain_from_fits(broad, lam, inst, k=k)
    assert r.resolved.all() and r.williamson_hall.size_A == pytest.approx(300.0, rel=0.02)
    assert r.williamson_hall.reason == ""


def test_williamson_hall_says_why_there_is_no_size():
    tt = np.array([20.0, 40.0, 60.0, 80.0])
    th = np.deg2rad(tt) / 2
    beta = np.rad2deg((4 * 2e-3 * np.sin(th) - 1e-4) / np.cos(th))  # negative intercept
    wh = williamson_hall(tt, beta, 1.5406)
    assert np.isnan(wh.size_A) and wh.negative_intercept
    assert "≤ 0" in wh.reason and "size undefined" in wh.reason


def test_analyze_pattern_text_never_prints_an_unresolved_or_insignificant_size(capsys):
    from axsuite.session.analyze_pattern_text import print_result

    peak = {"two_theta_deg": 20.0, "fwhm_deg": 0.1, "eta": 0.5, "sample_fwhm_deg": 0.01,
            "scherrer_size_A": None, "resolved": False, "size_limit_A": 5634.0}  # fmt: skip
    wh = {"size_A": 2087.0, "size_err_A": 2470.0, "strain": 3e-5, "strain_err": 2.6e-4,
          "r_squared": -0.16, "reason": ""}  # fmt: skip
    out = {"file": "f", "wavelengths_A": [[1.54, 1.0]], "peaks": [peak], "instrument": {},
           "unfitted_peaks_deg": [], "size_notes": [], "williamson_hall": wh}  # fmt: skip
    print_result(out)
    text = capsys.readouterr().out
    assert "> 5634 (unres.)" in text and "D not significant" in text
    assert "D = 2087" not in text and "nan" not in text
    wh.update(size_A=float("nan"), size_err_A=float("nan"), reason="intercept ≤ 0")
    print_result(out)
    text = capsys.readouterr().out
    assert "no size" in text and "nan" not in text
