"""Crystal structures, structure factors and the powder simulator; size/strain acceptance."""

from pathlib import Path

import numpy as np
import pytest
import xraydb
import xraylib
from axsuite.analysis.constants import HC_EV_A
from axsuite.analysis.crystal import (
    StructureFactorCalculator,
    crystal_from_cif,
    crystal_from_dict,
    generate_reflections,
    lorentz_polarization,
    powder_intensities,
)
from axsuite.analysis.crystal.standards import CEO2, LAB6
from axsuite.analysis.lineprofile import (
    InstrumentFunction,
    analyze_peaks,
    find_peaks,
    fit_instrument_function,
    fit_peaks,
    texture_coefficients,
    texture_sigma,
)
from axsuite.devices.models.powder import PowderPatternModel, PowderPhase, phase_from_spec

ENERGY = 17000.0
INSTRUMENT = InstrumentFunction(U=0.004, V=-0.002, W=0.0009, X=0.004, Y=0.003)


def test_multiplicities_and_absences_from_the_space_group():
    cu = crystal_from_dict(
        {
            "name": "Cu",
            "spacegroup": "F m -3 m",
            "cell": [3.615],
            "sites": [{"element": "Cu", "xyz": [0, 0, 0]}],
        }
    )
    r = generate_reflections(cu, 1.0)
    assert r.hkl.tolist() == [[1, 1, 1], [2, 0, 0], [2, 2, 0], [3, 1, 1], [2, 2, 2]]
    assert r.multiplicity.tolist() == [8, 6, 12, 24, 8]
    hexa = crystal_from_dict(
        {
            "name": "h",
            "spacegroup": "P 63/m",
            "cell": [9.37, 6.88],
            "sites": [{"element": "Ca", "xyz": [0.1, 0.2, 0.3]}],
        }
    )
    r = generate_reflections(hexa, 2.0)
    m = {tuple(h): n for h, n in zip(r.hkl.tolist(), r.multiplicity, strict=True)}
    # Laue class 6/m (order 12): (h00) 6, (00l) 2, (hk0) 6, general (hkl) 12; 6_3: (001) absent
    assert m[(1, 0, 0)] == 6 and m[(0, 0, 2)] == 2 and m[(2, 1, 0)] == 6
    assert (0, 0, 1) not in m and m.get((2, 1, 1)) == 12
    assert len(r.equiv_hkl) == r.multiplicity.sum()


def test_structure_factor_against_independent_sum():
    """LaB6 F(hkl) by hand from xraylib f0 and xraydb f', f'' (anomalous) — Cu Kα1."""
    lab6 = crystal_from_dict(LAB6)
    lam = 1.5405929
    e = HC_EV_A / lam
    hkl = np.array([[1, 0, 0], [1, 1, 0], [2, 1, 1]])
    calc = StructureFactorCalculator(lab6, hkl, lam)
    d = 4.15689 / np.sqrt((hkl**2).sum(1))
    x = 0.1996
    b_pos = [(x, 0.5, 0.5), (-x, 0.5, 0.5), (0.5, x, 0.5)]
    b_pos += [(0.5, -x, 0.5), (0.5, 0.5, x), (0.5, 0.5, -x)]
    for h, dd, f2 in zip(hkl, d, calc.f_squared(d), strict=True):
        s = 1 / (2 * dd)
        fla = (
            xraylib.FF_Rayl(57, s) + xraydb.f1_chantler("La", e) + 1j * xraydb.f2_chantler("La", e)
        )
        fb = xraylib.FF_Rayl(5, s) + xraydb.f1_chantler("B", e) + 1j * xraydb.f2_chantler("B", e)
        f = fla * np.exp(-8 * np.pi**2 * 0.004 * s**2)
        f += (
            fb
            * np.exp(-8 * np.pi**2 * 0.005 * s**2)
            * sum(np.exp(2j * np.pi * np.dot(h, p)) for p in b_pos)
        )
        assert f2 == pytest.approx(abs(f) ** 2, rel=2e-3)  # f0 interpolated on a 0.01 Å⁻¹ grid


def test_cif_reader_and_lorentz_polarization():
    cif = Path(__file__).resolve().parent / "data/xrd/cod_1000055.cif"
    c = crystal_from_cif(cif, name="LaB6")
    assert c.spacegroup == "P m -3 m" and len(c.sites) == 2
    assert c.cell[0] == pytest.approx(4.157597)
    tt = np.array([30.0, 90.0])
    th = np.deg2rad(tt / 2)
    lp = lorentz_polarization(tt, polarization=0.5)
    assert np.allclose(lp, (1 + np.cos(2 * th) ** 2) / 2 / (np.sin(th) ** 2 * np.cos(th)))
    with pytest.raises(ValueError, match="unknown space group"):
        crystal_from_dict({**LAB6, "spacegroup": "X 9"})
    with pytest.raises(ValueError, match="incomplete"):
        crystal_from_dict({**LAB6, "cell": [4.1, 4.2]})


def _simulate(phase, rng, tt, counts_scale=1e-2):
    model = PowderPatternModel(
        [phase], ENERGY, INSTRUMENT, counts_scale=counts_scale, background=[50.0]
    )
    return model, model.sample(tt, 1.0, rng)


@pytest.fixture(scope="module")
def lab6_calibration():
    tt = np.arange(5.0, 90.0, 0.005)
    model, y = _simulate(PowderPhase(crystal_from_dict(LAB6)), np.random.default_rng(11), tt)
    peaks = find_peaks(tt, y)
    fits = fit_peaks(tt, y, peaks.two_theta_deg)
    return fit_instrument_function(
        [f.center_deg for f in fits],
        [f.gamma_g_deg for f in fits],
        [f.gamma_l_deg for f in fits],
        gamma_g_err_deg=[f.gamma_g_err_deg for f in fits],
        gamma_l_err_deg=[f.gamma_l_err_deg for f in fits],
        wavelength_A=model.wavelength_A,
        standard="LaB6",
    )


def test_lab6_calibration_recovers_instrument(lab6_calibration):
    tt = np.array([15.0, 40.0, 80.0])
    assert np.allclose(lab6_calibration.gaussian_fwhm(tt), INSTRUMENT.gaussian_fwhm(tt), rtol=0.01)
    assert np.allclose(
        lab6_calibration.lorentzian_fwhm(tt), INSTRUMENT.lorentzian_fwhm(tt), rtol=0.05
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_ceo2_size_and_strain_from_williamson_hall(lab6_calibration, seed):
    size, strain = 200.0, 2.0e-3
    phase = PowderPhase(crystal_from_dict(CEO2), size_A=size, strain=strain)
    tt = np.arange(8.0, 62.0, 0.005)
    model, y = _simulate(phase, np.random.default_rng(seed), tt)
    res = analyze_peaks(tt, y, model.wavelength_A, lab6_calibration)
    wh = res.williamson_hall
    assert len(res.peaks) >= 15
    assert wh.size_A == pytest.approx(size, rel=0.03)
    assert wh.strain == pytest.approx(strain, rel=0.05)
    assert wh.r_squared > 0.98


def test_harris_texture_coefficients_of_random_powder_are_one():
    phase = PowderPhase(crystal_from_dict(CEO2), size_A=600.0)
    tt = np.arange(8.0, 50.0, 0.005)
    model, y = _simulate(phase, np.random.default_rng(5), tt)
    i0 = powder_intensities(phase.crystal, model.wavelength_A, 50.0, polarization=0.95)
    fits = fit_peaks(tt, y, find_peaks(tt, y).two_theta_deg)
    obs, ref = [], []
    for f in fits:
        same = np.abs(i0.two_theta_deg - f.center_deg) < 0.05  # (333)/(511) coincide: sum
        obs.append(f.area)
        ref.append(i0.intensity[same].sum())
    tc = texture_coefficients(obs, ref)
    assert np.all(np.abs(tc - 1) < 0.05)
    assert texture_sigma(tc) < 0.03


def test_textured_film_enhances_axis_reflection():
    cu = {
        "name": "Cu",
        "spacegroup": "F m -3 m",
        "cell": [3.615],
        "sites": [{"element": "Cu", "xyz": [0, 0, 0]}],
    }
    random = phase_from_spec({"structure": cu})
    film = phase_from_spec({"structure": cu, "march_dollase_r": 0.7, "texture_axis": [1, 1, 1]})
    ref_r = PowderPatternModel([random], ENERGY, INSTRUMENT).reflections()
    ref_t = PowderPatternModel([film], ENERGY, INSTRUMENT).reflections()
    ratio = ref_t["intensity"] / ref_r["intensity"]
    # (111): 2 of 8 equivalents along the axis (α = 0), 6 at 70.53°; (200): all at 54.74°
    p111 = (2 * 0.7**-3 + 6 * (0.49 * (1 / 9) + (8 / 9) / 0.7) ** -1.5) / 8
    p200 = (0.49 / 3 + (2 / 3) / 0.7) ** -1.5
    assert ratio[0] == pytest.approx(p111) and ratio[1] == pytest.approx(p200)
    assert ratio[0] > 1 > ratio[1]  # r < 1 enhances reflections along the axis
    with pytest.raises(ValueError, match="unknown powder-sample keys"):
        phase_from_spec({"structure": cu, "size": 3})
    with pytest.raises(ValueError, match="exactly one"):
        phase_from_spec({})
