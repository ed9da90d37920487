"""Absorption factors (analytic limits + Monte Carlo), polarization, self-absorption."""

import numpy as np
import pytest
import xraylib
from axsuite.analysis import xray
from axsuite.analysis.absorption import (
    absorption_factor_reflection,
    absorption_factor_transmission,
    normalize_xas,
    polarization_factor,
    self_absorption_correction,
)
from scipy.special import erf


def test_reflection_limits():
    mu, tt = 250.0, np.array([20.0, 60.0, 120.0])
    theta = np.deg2rad(tt / 2)
    thick = absorption_factor_reflection(mu, tt, np.inf)
    assert np.allclose(thick, 1.0 / (2.0 * mu), rtol=1e-12)  # symmetric thick: 1/(2μ)
    t = 1e-3
    sym = absorption_factor_reflection(mu, tt, t)
    assert np.allclose(sym, (1 - np.exp(-2 * mu * t / np.sin(theta))) / (2 * mu), rtol=1e-12)
    thin = absorption_factor_reflection(1e-9, tt, 1e-4)  # μ → 0: illuminated volume t/sinα
    assert np.allclose(thin, 1e-4 / np.sin(theta), rtol=1e-6)
    asym = absorption_factor_reflection(mu, 60.0, np.inf, incidence_deg=10.0)
    sa, sb = np.sin(np.deg2rad(10.0)), np.sin(np.deg2rad(50.0))
    assert asym == pytest.approx(1.0 / (mu * (1.0 + sa / sb)), rel=1e-12)


def test_transmission_limits():
    mu, t, tt = 40.0, 0.02, np.array([10.0, 40.0, 80.0])
    theta = np.deg2rad(tt / 2)
    sym = absorption_factor_transmission(mu, tt, t)
    assert np.allclose(sym, t / np.cos(theta) * np.exp(-mu * t / np.cos(theta)), rtol=1e-12)
    normal = absorption_factor_transmission(mu, 30.0, t, incidence_deg=0.0)
    c2 = np.cos(np.deg2rad(30.0))
    assert normal == pytest.approx((np.exp(-mu * t / c2) - np.exp(-mu * t)) / (mu * (1 - 1 / c2)))
    thin = absorption_factor_transmission(1e-9, 30.0, t, incidence_deg=0.0)
    assert thin == pytest.approx(t, rel=1e-6)
    # near-symmetric: no cancellation, continuous through ψ1 = ψ2
    near = absorption_factor_transmission(mu, 40.0, t, incidence_deg=20.0 + 1e-7)
    assert near == pytest.approx(float(sym[1]), rel=1e-7)


def _mc_reflection(mu, t, alpha, beta, rng, n=200_000):
    """Photons: free path along the beam ~ Exp(μ); scatter there; escape toward β."""
    path = rng.exponential(1.0 / mu, n)
    depth = path * np.sin(alpha)
    escape = np.where(depth < t, np.exp(-mu * depth / np.sin(beta)), 0.0)
    return escape.mean() / mu  # A = (1/μ)·E[escape · 1(inside)]


def _mc_transmission(mu, t, psi1, psi2, rng, n=200_000):
    path = rng.exponential(1.0 / mu, n)
    depth = path * np.cos(psi1)
    escape = np.where(depth < t, np.exp(-mu * (t - depth) / np.cos(psi2)), 0.0)
    return escape.mean() / mu


def test_monte_carlo_agrees():
    rng = np.random.default_rng(42)
    mu, t = 120.0, 0.01
    for inc, tt in [(10.0, 60.0), (30.0, 60.0), (50.0, 70.0)]:
        mc = _mc_reflection(mu, t, np.deg2rad(inc), np.deg2rad(tt - inc), rng)
        exact = absorption_factor_reflection(mu, tt, t, incidence_deg=inc)
        assert mc == pytest.approx(exact, rel=0.01)
    for inc, tt in [(0.0, 30.0), (15.0, 30.0), (-10.0, 40.0)]:
        mc = _mc_transmission(mu, t, np.deg2rad(inc), np.deg2rad(tt - inc), rng)
        exact = absorption_factor_transmission(mu, tt, t, incidence_deg=inc)
        assert mc == pytest.approx(exact, rel=0.01)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: absorption_factor_reflection(-1.0, 30.0, 0.1), "mu_cm"),
        (lambda: absorption_factor_reflection(1.0, 30.0, 0.0), "thickness"),
        (lambda: absorption_factor_reflection(1.0, 30.0, 0.1, incidence_deg=40.0), "incidence"),
        (lambda: absorption_factor_reflection(0.0, 30.0, np.inf), "thick"),
        (lambda: absorption_factor_transmission(1.0, 30.0, np.inf), "finite"),
        (lambda: absorption_factor_transmission(1.0, 150.0, 0.1, incidence_deg=0.0), "90"),
        (lambda: polarization_factor(30.0, horizontal_fraction=1.5), "horizontal_fraction"),
    ],
)
def test_bad_geometry_raises(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_polarization_limits():
    tt = np.array([0.0, 45.0, 90.0, 130.0])
    c2 = np.cos(np.deg2rad(tt)) ** 2
    assert np.allclose(polarization_factor(tt, horizontal_fraction=0.5), (1 + c2) / 2)
    assert np.allclose(polarization_factor(tt, horizontal_fraction=0.93), 0.93 + 0.07 * c2)
    horiz = polarization_factor(tt, horizontal_fraction=1.0, azimuth_deg=0.0)
    assert np.allclose(horiz, c2)  # scattering in the polarization plane: cos²2θ
    assert polarization_factor(90.0, horizontal_fraction=1.0) == pytest.approx(1.0)


def _thick_fluorescence(e, x, composition, element, alpha_deg, beta_deg):
    """Depth-integrated fluorescence of a thick slab, numerically, from Chantler-based μ.

    The absorber's edge part μ_as is Chantler μ minus a power law fitted below the edge;
    the edge part is modulated by the "true" normalized absorption x(E).
    """
    w = xray.mass_fractions(xray.parse_formula(composition))
    e_edge = xray.edge_energy_eV(element)
    pre = np.linspace(e_edge - 400.0, e_edge - 30.0, 30)
    slope, icpt = np.polyfit(np.log(pre), np.log(xray.mass_attenuation_cm2_g(element, pre)), 1)
    below = np.exp(icpt + slope * np.log(e))
    above = np.maximum(e, e_edge + 30.0)
    mu_as = w[element] * (
        xray.mass_attenuation_cm2_g(element, above) - np.exp(icpt + slope * np.log(above))
    )
    mu_tot = sum(wi * xray.mass_attenuation_cm2_g(el, e) for el, wi in w.items() if el != element)
    mu_tot = mu_tot + w[element] * below + x * mu_as
    e_fluor = 1000.0 * xraylib.LineEnergy(xray.atomic_number(element), xraylib.KA1_LINE)
    mu_f = float(xray.compound_mass_attenuation_cm2_g(composition, np.array([e_fluor]))[0])
    rho_z = np.linspace(0.0, 5.0, 8001)[:, None]  # g/cm² of depth: ≫ 1/μ
    sa, sb = np.sin(np.deg2rad(alpha_deg)), np.sin(np.deg2rad(beta_deg))
    integrand = np.exp(-(mu_tot[None, :] / sa + mu_f / sb) * rho_z)
    return x * mu_as * np.trapezoid(integrand, rho_z[:, 0], axis=0) / sa


def test_self_absorption_correction_recovers_amplitudes():
    """A concentrated Cu sample: raw fluorescence damps the white line and EXAFS."""
    e0 = xray.edge_energy_eV("Cu")
    e = np.concatenate([np.arange(e0 - 150, e0 - 20, 4.0), np.arange(e0 - 20, e0 + 600, 1.0)])
    s = 0.5 * (1 + erf((e - e0) / 1.5))
    k = np.sqrt(np.clip(e - e0, 0, None) / 3.81)
    x = s * (1 + 0.5 * np.exp(-(((e - e0 - 8) / 4) ** 2)) + 0.1 * np.sin(2 * 2.5 * k))
    i_f = _thick_fluorescence(e, x, "Cu1Al9", "Cu", 45.0, 45.0)
    raw = normalize_xas(e, i_f, e0_eV=e0)
    corrected = self_absorption_correction(e, raw.norm, "Cu1Al9", "Cu")
    truth = normalize_xas(e, x, e0_eV=e0).norm
    window = (e > e0 + 3) & (e < e0 + 300)
    raw_err = np.abs(raw.norm - truth)[window].max()
    cor_err = np.abs(corrected - truth)[window].max()
    assert raw_err > 0.05  # self-absorption is significant here
    assert cor_err < 0.1 < raw_err
    dilute = self_absorption_correction(e, raw.norm, "Cu1Al999", "Cu")
    assert np.allclose(dilute, raw.norm, atol=0.01)  # dilute limit: no correction


def test_self_absorption_bad_input():
    e = np.linspace(8900, 9100, 50)
    with pytest.raises(ValueError, match="not part"):
        self_absorption_correction(e, np.zeros(50), "Al2O3", "Cu")
    with pytest.raises(ValueError, match="equal length"):
        self_absorption_correction(e, np.zeros(49), "CuO", "Cu")
