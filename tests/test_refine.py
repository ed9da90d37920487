"""Whole-pattern refinement on real measured data and on simulated textured patterns."""

from pathlib import Path

import numpy as np
import pytest
from axsuite.analysis.constants import HC_EV_A
from axsuite.analysis.crystal import StructureFactorCalculator, crystal_from_cif, crystal_from_dict
from axsuite.analysis.crystal.standards import BRUCITE, CEO2, LAB6
from axsuite.analysis.lineprofile import InstrumentFunction
from axsuite.analysis.readers import read_gsas_exp_phase, read_gsas_instrument, read_pattern
from axsuite.analysis.refinement import (
    PhaseModel,
    RefinementError,
    Restraint,
    agreement_factors,
    refine_pattern,
)
from axsuite.devices.models.powder import PowderPatternModel, PowderPhase

DATA = Path(__file__).resolve().parent / "data" / "xrd"
CU_KA = [(1.5405929, 1.0), (1.5444274, 0.5)]  # Hölzer et al., PRA 56 (1997) 4554; I2/I1 = ½


def test_agreement_factors_follow_mccusker():
    yo = np.array([100.0, 200.0, 300.0, 400.0])
    yc = np.array([110.0, 190.0, 310.0, 380.0])
    s = np.sqrt(yo)
    rp, rwp, rexp, chi2 = agreement_factors(yo, yc, s, 1)
    w = 1 / yo
    assert rp == pytest.approx(50 / 1000)
    assert rwp == pytest.approx(np.sqrt(np.sum(w * (yo - yc) ** 2) / np.sum(w * yo**2)))
    assert rexp == pytest.approx(np.sqrt(3 / np.sum(w * yo**2)))
    assert chi2 == pytest.approx((rwp / rexp) ** 2)
    # NOT the seed's sqrt(chisqr/ndata): that is √(χ²/N), a different number
    assert rwp != pytest.approx(np.sqrt(np.sum(w * (yo - yc) ** 2) / 4))


def test_nist_srm660c_lattice_parameter():
    """NIST SRM 660c LaB6 certification data: a within 2e-4 Å of 4.156826 Å."""
    d = read_pattern(DATA / "nist_srm660c_100a.cif")
    lab6 = crystal_from_cif(DATA / "cod_1000055.cif", name="LaB6")  # COD cell 4.157597 Å
    r = refine_pattern(
        d.two_theta_deg, d.intensity, [lab6], wavelengths=CU_KA, sigma=d.sigma,
        refine=("scale", "background", "lattice", "displacement", "profile", "uiso",
                "asymmetry"),
        goniometer_radius_mm=217.5, axial_divergence_deg=2.0, two_theta_range=(20.0, 151.0),
    )  # fmt: skip
    a = r.lattice["LaB6"]["a"]
    assert abs(a - 4.156826) < 2e-4
    assert r.lattice_errors["LaB6"]["a"] < 2e-5
    # specimen displacement close to NIST's own value (−0.07877 mm)
    assert r.values["displacement_mm"] == pytest.approx(-0.07877, abs=0.02)
    assert np.isfinite([r.profile.U, r.profile.V, r.profile.W]).all()
    assert np.isfinite([r.profile.U_err, r.profile.V_err, r.profile.W_err]).all()
    assert r.rwp < 0.12 and r.correlation.shape == (r.n_parameters, r.n_parameters)


def test_fluorapatite_against_gsas():
    """FAP.XRA with INST_XRY.PRM, structure from FAP.EXP; start from a perturbed cell."""
    d = read_pattern(DATA / "FAP.XRA")
    inst = read_gsas_instrument(DATA / "INST_XRY.PRM")
    fap = read_gsas_exp_phase(DATA / "FAP.EXP")
    a0, c0 = fap.cell[0], fap.cell[2]
    start = fap.with_cell((a0 * 1.001, a0 * 1.001, c0 * 0.999, 90, 90, 120))
    k = 8 * np.log(2) * 1e-4  # GSAS σ² (centideg²) → FWHM² (deg²)
    r = refine_pattern(
        d.two_theta_deg, d.intensity, [start], wavelengths=inst.wavelengths, sigma=d.sigma,
        polarization=0.5,
        refine=("scale", "background", "lattice", "displacement", "lorentzian", "uiso"),
        instrument=InstrumentFunction(U=2 * k, V=-2 * k, W=5 * k, X=0.03, Y=0.02),
        background_terms=8, two_theta_range=(15.0, 129.99),  # FAP.EXP excludes ≥ 130°
    )  # fmt: skip
    assert r.lattice["fap"]["a"] == pytest.approx(9.371724, rel=2e-4)
    assert r.lattice["fap"]["c"] == pytest.approx(6.885867, rel=2e-4)
    assert r.rwp <= 0.12
    assert r.chi2 == pytest.approx((r.rwp / r.rexp) ** 2)
    # Lorentzian terms near GSAS LX = 3.35, LY = 2.49 centideg
    assert r.values["X"] == pytest.approx(0.0335, rel=0.1)


def test_brucite_preferred_orientation():
    """CPD round-robin brucite (platy, back-packed): March–Dollase r < 1 along (001)."""
    d = read_pattern(DATA / "brucite.prn")
    brucite = crystal_from_dict(BRUCITE)  # Catti et al., Phys. Chem. Miner. 22 (1995) 200
    r = refine_pattern(
        d.two_theta_deg, d.intensity, [PhaseModel(brucite, texture_axis=(0, 0, 1))],
        wavelengths=[(1.54056, 1.0), (1.54439, 0.5)], monochromator_two_theta_deg=26.6,
        refine=("scale", "background", "lattice", "displacement", "profile", "texture"),
        goniometer_radius_mm=173.0, two_theta_range=(15.0, 75.0),
    )  # fmt: skip
    r_md = r.values["brucite_md_r"]
    assert r_md < 1.0 and r_md < 1.0 - 5 * r.errors["brucite_md_r"]
    assert r.rwp < 0.25


def _cu_film(r_md, rng):
    cu = crystal_from_dict(
        {"name": "Cu", "spacegroup": "F m -3 m", "cell": [3.615],
         "sites": [{"label": "Cu", "element": "Cu", "xyz": [0, 0, 0], "u_iso": 0.007}]}
    )  # fmt: skip
    inst = InstrumentFunction(U=0.004, V=-0.002, W=0.0009, X=0.004, Y=0.003)
    phase = PowderPhase(cu, march_dollase_r=r_md, texture_axis=(1, 1, 1))
    model = PowderPatternModel([phase], 17000.0, inst, counts_scale=1e-2, background=[40.0])
    tt = np.arange(10.0, 80.0, 0.005)
    return cu, inst, model, tt, model.sample(tt, 1.0, rng)


def test_march_dollase_recovered_from_simulated_textured_film():
    cu, inst, model, tt, y = _cu_film(0.75, np.random.default_rng(7))
    r = refine_pattern(
        tt, y, [PhaseModel(cu.with_cell((3.62, 3.62, 3.62, 90, 90, 90)), texture_axis=(1, 1, 1))],
        wavelengths=model.wavelength_A, polarization=0.95, instrument=inst,
        refine=("scale", "background", "lattice", "texture", "uiso"), background_terms=3,
    )  # fmt: skip
    assert r.values["Cu_md_r"] == pytest.approx(0.75, abs=0.02)
    assert r.lattice["Cu"]["a"] == pytest.approx(3.615, abs=2e-4)
    assert r.values["Cu_uiso_Cu"] == pytest.approx(0.007, abs=0.001)


def test_constraints_restraints_and_divergence():
    cu, inst, model, tt, y = _cu_film(1.0, np.random.default_rng(8))
    two = crystal_from_dict(
        {"name": "Cu2", "spacegroup": "F m -3 m", "cell": [3.615],
         "sites": [{"label": "A", "element": "Cu", "xyz": [0, 0, 0], "occupancy": 0.5},
                   {"label": "B", "element": "Cu", "xyz": [0, 0, 0], "occupancy": 0.5}]}
    )  # fmt: skip
    r = refine_pattern(
        tt, y, [two], wavelengths=model.wavelength_A, polarization=0.95, instrument=inst,
        refine=("scale", "background", "occupancy", "uiso"), background_terms=3,
        constraints={"Cu2_occ_B": "1 - Cu2_occ_A", "Cu2_uiso_B": "Cu2_uiso_A"},
        restraints=[Restraint("Cu2_occ_A - Cu2_occ_B", 0.2, 0.01)],
    )  # fmt: skip
    occ_a, occ_b = r.values["Cu2_occ_A"], r.values["Cu2_occ_B"]
    assert occ_a + occ_b == pytest.approx(1.0, abs=1e-12)
    # identical scatterers: the data cannot tell A from B, the restraint decides
    assert occ_a - occ_b == pytest.approx(0.2, abs=0.01)
    with pytest.raises(RefinementError, match="unknown"):
        refine_pattern(tt, y, [cu], wavelengths=model.wavelength_A, refine=("nonsense",))
    with pytest.raises(RefinementError, match="constraint"):
        refine_pattern(tt, y, [cu], wavelengths=model.wavelength_A, constraints={"q": "1"})
    with pytest.raises(RefinementError, match="restraint"):
        refine_pattern(
            tt, y, [cu], wavelengths=model.wavelength_A, restraints=[Restraint("nope + 1", 0, 1)]
        )
    with pytest.raises(RefinementError, match="positive"):
        refine_pattern(tt, y, [cu], wavelengths=-1.0)
    # a wrong phase far from the data cannot be fitted: scale and widths run away
    wrong = cu.with_cell((3.9, 3.9, 3.9, 90, 90, 90))
    with pytest.raises(RefinementError, match="diverged"):
        refine_pattern(
            tt[:4000], y[:4000], [wrong], wavelengths=model.wavelength_A,
            refine=("scale", "background", "lattice", "profile"), instrument=inst,
        )  # fmt: skip


def _lab6_doublet_to_165(rng):
    """LaB6 simulated with Cu Kα1 + Kα2 (I2/I1 = ½) over 2θ = 15…165°."""
    lab6 = crystal_from_cif(DATA / "cod_1000055.cif", name="LaB6")
    inst = InstrumentFunction(U=0.004, V=-0.002, W=0.0009, X=0.004, Y=0.003)
    tt = np.arange(15.0, 165.0, 0.03)
    rate = np.zeros_like(tt)
    for i, (lam, w) in enumerate(CU_KA):
        model = PowderPatternModel(
            [PowderPhase(lab6, scale=w)], HC_EV_A / lam, inst, two_theta_min_deg=10.0,
            two_theta_max_deg=170.0, polarization=0.5, counts_scale=1e-3,
            background=[30.0] if i == 0 else [0.0],
        )  # fmt: skip
        rate += model.rate(tt)
    return lab6, inst, tt, rng.poisson(rate).astype(float)


@pytest.mark.parametrize("start", [0.997, 1.003])
def test_wide_range_doublet_refines_while_reflections_cross_sin_theta_1(start):
    """Issue 11 item 1: LaB6 (520)/(432) has sin θ = 1.0003 for Kα2 at a = 4.1576 Å but < 1
    at a + 0.3 %; the refinement from a cell 0.3 % off moves it across that limit (this
    raised a broadcasting ValueError before)."""
    lab6, inst, tt, y = _lab6_doublet_to_165(np.random.default_rng(11))
    a0 = lab6.cell[0]
    s2 = CU_KA[1][0] * np.sqrt(29) / (2 * a0)
    assert s2 > 1 > s2 / 1.003  # the test really crosses the limit
    r = refine_pattern(
        tt, y, [lab6.with_cell((a0 * start,) * 3 + (90, 90, 90))], wavelengths=CU_KA,
        polarization=0.5, instrument=inst, refine=("scale", "background", "lattice", "zero"),
        background_terms=3,
    )  # fmt: skip
    assert r.lattice["LaB6"]["a"] == pytest.approx(a0, abs=5 * r.lattice_errors["LaB6"]["a"])
    assert r.lattice_errors["LaB6"]["a"] < 2e-5
    assert r.chi2 == pytest.approx(1.0, abs=0.1)  # the model that simulated the data
    hkl = r.reflections["LaB6"]["hkl"]
    assert len(hkl) == len(r.reflections["LaB6"]["two_theta_deg"])
    assert r.reflections["LaB6"]["two_theta_deg"].max() > 160.0


def test_structure_factor_calculator_rejects_mismatched_d_spacings():
    lab6 = crystal_from_cif(DATA / "cod_1000055.cif", name="LaB6")
    calc = StructureFactorCalculator(lab6, [[1, 0, 0], [1, 1, 0]], 1.54)
    with pytest.raises(ValueError, match="one d-spacing per reflection"):
        calc.f_squared([4.15])


def test_two_phases_own_broadening_scales_and_excluded_region():
    """CeO2 (D = 300 Å, Lorentzian size broadening) + LaB6 (none), simulated at 17 keV, plus a
    foreign peak at 2θ = 17.0° (no reflection of either phase there) that is excluded.
    Each phase's own Lorentzian term: Γ_L = (X + LX)/cosθ with LX = Kλ/D (rad → deg)."""
    ceo2, lab6 = crystal_from_dict(CEO2), crystal_from_dict(LAB6)
    inst = InstrumentFunction(U=0.004, V=-0.002, W=0.0009, X=0.004, Y=0.003)
    model = PowderPatternModel(
        [PowderPhase(ceo2, size_A=300.0), PowderPhase(lab6, scale=0.5)], 17000.0, inst,
        counts_scale=1e-2, background=[40.0],
    )  # fmt: skip
    tt = np.arange(10.0, 40.0, 0.01)
    y = model.sample(tt, 1.0, np.random.default_rng(5))
    y += np.random.default_rng(6).poisson(3000 * np.exp(-0.5 * ((tt - 17.0) / 0.05) ** 2))
    r = refine_pattern(
        tt, y, [ceo2, lab6], wavelengths=model.wavelength_A, polarization=0.95, instrument=inst,
        refine=("scale", "background", "lattice", "phase_profile"), background_terms=3,
        exclude=[(16.6, 17.4)], cutoff_fwhm=40.0,
    )  # fmt: skip
    lam = model.wavelength_A
    assert r.values["CeO2_LX"] == pytest.approx(np.rad2deg(0.89 * lam / 300.0), rel=0.05)
    assert abs(r.values["LaB6_LX"]) < 0.05 * r.values["CeO2_LX"]
    assert r.values["LaB6_scale"] / r.values["CeO2_scale"] == pytest.approx(0.5, rel=0.03)
    assert not np.any((r.two_theta_deg > 16.6) & (r.two_theta_deg < 17.4))
    # the foreign peak is gone from the fit; what is left of χ² − 1 is the simulator's
    # Lorentzian tails beyond ±40 FWHM (0.8 % of each CeO2 peak's area), not the 3000-count peak
    assert r.chi2 < 2.5
    assert r.crystals["CeO2"].cell[0] == pytest.approx(r.lattice["CeO2"]["a"])
    with pytest.raises(RefinementError, match="excluded region"):
        refine_pattern(tt, y, [ceo2], wavelengths=lam, exclude=[(18.0, 17.0)])
    with pytest.raises(RefinementError, match="degenerate"):  # X + every LX: one redundant
        refine_pattern(tt, y, [ceo2, lab6], wavelengths=lam, refine=("profile", "phase_profile"))


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--wavelength", "150"], "outside 0.05–6.0 Å"),
        (["--k", "-1"], "Scherrer constant"),
        (["--polarization", "1.5"], "--polarization"),
        (["--range", "130,15"], "min < max"),
        (["--exclude", "20"], "'min,max'"),
        (["--background-terms", "0"], "--background-terms"),
        (["--texture", "0,0"], "three integers"),
        (["--texture", "apatite=0,0,1"], "no phase 'apatite'"),
    ],
)
def test_analyze_pattern_rejects_bad_options(option, message, capsys):
    from axsuite.session.cli import main

    argv = ["analyze-pattern", str(DATA / "FAP.XRA"), "--wavelength", "1.5405", "--no-peaks"]
    argv += ["--cif", str(DATA / "FAP.EXP"), *option]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
