"""Pattern readers on the real files of tests/data/xrd (formats per SOURCES.md)."""

from pathlib import Path

import numpy as np
import pytest
from axsuite.analysis.readers import (
    read_gsas_exp_phase,
    read_gsas_instrument,
    read_pattern,
    read_xy,
)

DATA = Path(__file__).resolve().parent / "data" / "xrd"


def test_gsas_std_fap():
    d = read_pattern(DATA / "FAP.XRA")
    # BANK 1 5753 576 CONST 1500 2 → 15.00° + 0.02° steps
    assert d.two_theta_deg.size == 5753
    assert d.two_theta_deg[0] == pytest.approx(15.0) and d.two_theta_deg[-1] == pytest.approx(
        130.04
    )
    assert d.intensity[:3].tolist() == [609.0, 612.0, 673.0]
    assert np.allclose(d.sigma, np.sqrt(np.maximum(d.intensity, 1.0)))
    assert d.intensity[-2:].tolist() == [0.0, 0.0]  # beyond 130°, excluded in FAP.EXP


def test_gsas_const_nist660():
    d = read_pattern(DATA / "NIST660CBI.gsas")
    assert d.two_theta_deg.size == 8378
    assert d.two_theta_deg[1] - d.two_theta_deg[0] == pytest.approx(0.0131303)
    assert d.intensity[0] == 2364.0


def test_pdcif_nist_measured_block():
    d = read_pattern(DATA / "nist_srm660c_100a.cif")
    assert d.two_theta_deg.size == 5332  # _pd_proc_number_of_points
    assert d.metadata["block"].endswith("_meas")
    assert d.two_theta_deg[0] == pytest.approx(20.30) and d.intensity[0] == 19.0
    assert d.sigma[0] == pytest.approx(1 / np.sqrt(0.103))  # σ = w^-1/2


def test_prn_and_xy(tmp_path):
    d = read_pattern(DATA / "brucite.prn")
    assert d.two_theta_deg.size == 7251 and d.sigma is None
    assert d.two_theta_deg[-1] == pytest.approx(150.0)
    f = tmp_path / "p.xye"
    f.write_text(
        "# 2theta I sigma\n10.0 5 2.2\n" + "".join(f"{10 + i / 10} 7 2.6\n" for i in range(1, 20))
    )
    d = read_xy(f)
    assert d.two_theta_deg.size == 20 and d.sigma[0] == 2.2


def test_gsas_instrument_and_exp():
    inst = read_gsas_instrument(DATA / "INST_XRY.PRM")
    assert inst.wavelengths == ((1.5405, 1.0), (1.5443, 0.5))
    assert inst.profile_type == 3 and inst.profile_terms[:3] == (2.0, -2.0, 5.0)
    fap = read_gsas_exp_phase(DATA / "FAP.EXP")
    assert fap.spacegroup == "P 63/m" and fap.cell[:3] == (9.371724, 9.371724, 6.885867)
    assert [s.element for s in fap.sites] == ["Ca", "Ca", "P", "F", "O", "O", "O"]
    assert fap.sites[6].z == pytest.approx(0.070641) and fap.sites[3].u_iso_A2 == 0.01385


def test_bad_input_is_reported(tmp_path):
    with pytest.raises(ValueError, match="no such file"):
        read_pattern(tmp_path / "missing.xy")
    with pytest.raises(ValueError, match="unknown pattern format"):
        read_pattern(DATA / "LaB6_Jan2018.raw")  # Bruker RAW binary is not supported
    with pytest.raises(ValueError, match="BANK"):
        read_pattern(DATA / "INST_XRY.PRM", fmt="gsas")
    with pytest.raises(ValueError, match="ICONS"):
        read_gsas_instrument(DATA / "FAP.XRA")
    bad = tmp_path / "bad.xy"
    bad.write_text("1 2\n3 4\n")
    with pytest.raises(ValueError, match="only 2"):
        read_pattern(bad)
    energy = tmp_path / "e.xy"
    energy.write_text("".join(f"{8000 + i} 5\n" for i in range(20)))
    with pytest.raises(ValueError, match="outside"):
        read_pattern(energy)


def test_gsas_fxye_and_cons_keyword(tmp_path):
    """FXYE triples (2θ in centidegrees) and the 'CONS' spelling of CONST (GSAS manual)."""
    tt = 10.0 + 0.05 * np.arange(12)
    rows = "".join(f"{100 * t:.2f} {100 + i} {10 + i / 10:.1f}\n" for i, t in enumerate(tt))
    fxye = tmp_path / "p.fxye"
    fxye.write_text("title\nBANK 1 12 12 CONS 1000.0 5.0 0 0 FXYE\n" + rows)
    d = read_pattern(fxye)
    assert np.allclose(d.two_theta_deg, tt) and d.intensity[3] == 103.0 and d.sigma[5] == 10.5
    std = tmp_path / "p.gsas"
    counts = "".join(f"{c:8d}" for c in range(200, 212))
    std.write_text(f"title\nBANK 1 12 2 CONS 1000 5 0 0 STD\n{counts[:80]}\n{counts[80:]}\n")
    d = read_pattern(std)
    assert np.allclose(d.two_theta_deg, tt) and d.intensity.tolist() == list(range(200, 212))
    bad = tmp_path / "bad.gsas"
    bad.write_text("title\nBANK 1 12 12 CONS 1000.0 5.0 0 0 FXYE\n1000 5\n" + rows[20:])
    with pytest.raises(ValueError, match="bad.gsas: malformed"):
        read_pattern(bad)


def test_gsas_exp_anisotropic_site_gives_u_eq():
    """'A'-flagged AT iB records hold U11…U23; an isotropic tensor in a hexagonal cell
    (U11 = U22 = 2 U12 = U33) must give U_eq = U11; orthorhombic: the mean of U11, U22, U33."""
    from axsuite.analysis.readers import _exp_uiso

    hexa = "".join(f"{v:10.6f}" for v in (0.012, 0.012, 0.012, 0.006, 0, 0)) + "  A XU  "
    assert _exp_uiso(hexa, (9.37, 9.37, 6.88, 90, 90, 120)) == pytest.approx(0.012)
    ortho = "".join(f"{v:10.6f}" for v in (0.01, 0.02, 0.03, 0, 0, 0)) + "  A XU  "
    assert _exp_uiso(ortho, (5, 6, 7, 90, 90, 90)) == pytest.approx(0.02)
    iso = "  0.006079" + " " * 52 + "I XU  "
    assert _exp_uiso(iso, (5, 6, 7, 90, 90, 90)) == pytest.approx(0.006079)


def test_gsas_instrument_fixed_columns_with_a_blank_field():
    """11-BM .prm: ICONS has a blank 4th field; POLA = 0.990 sits in columns 41–50 (a
    whitespace split read IPOLA = 0 as the polarization before)."""
    g = read_gsas_instrument(DATA / "11bm_lab6_gsas.prm")
    assert g.wavelengths == ((0.413128, 1.0),)
    assert g.polarization == pytest.approx(0.99)
    assert g.profile_type == 3 and g.profile_terms[:3] == (1.163, -0.126, 0.063)


def test_instrument_parameter_files_convert_to_fwhm_in_deg(tmp_path):
    """GSAS σ² (centideg²) → Gaussian FWHM (deg): FWHM = √(8 ln2 σ²)/100 at every 2θ;
    GSAS-II .instprm the same, with its Lorentzian X, Y in centideg."""
    from axsuite.analysis.instrument_params import read_instrument_parameters

    tt = np.array([20.0, 60.0, 120.0])
    t = np.tan(np.deg2rad(tt) / 2)
    p = read_instrument_parameters(DATA / "INST_XRY.PRM")  # GU, GV, GW = 2, −2, 5
    sigma2 = 2 * t**2 - 2 * t + 5
    assert np.allclose(p.profile.gaussian_fwhm(tt), np.sqrt(8 * np.log(2) * sigma2) / 100)
    assert p.polarization == pytest.approx(0.7) and p.wavelengths[1] == (1.5443, 0.5)
    assert any("S/L" in n for n in p.notes)  # asymmetry terms have no counterpart: said so
    f = tmp_path / "lab.instprm"
    f.write_text(
        "#GSAS-II instrument parameter file; do not add/delete items!\nType:PXC\nBank:1.0\n"
        "Lam1:1.540500\nLam2:1.544300\nZero:0.01\nPolariz.:0.7\nAzimuth:0.0\n"
        "I(L2)/I(L1):0.5\nU:2.0\nV:-2.0\nW:5.0\nX:3.0\nY:2.0\nZ:0.0\nSH/L:0.002\n"
    )
    q = read_instrument_parameters(f)
    assert q.wavelengths == ((1.5405, 1.0), (1.5443, 0.5)) and q.zero_deg == 0.01
    assert np.allclose(q.profile.gaussian_fwhm(tt), p.profile.gaussian_fwhm(tt))
    th = np.deg2rad(tt) / 2
    assert np.allclose(q.profile.lorentzian_fwhm(tt), (3.0 / np.cos(th) + 2.0 * np.tan(th)) / 100)
    assert q.polarization == 0.7 and any("SH/L" in n for n in q.notes)
    (tmp_path / "bad.instprm").write_text("Type:PNC\nLam:1.5\n")
    with pytest.raises(ValueError, match="not an X-ray powder"):
        read_instrument_parameters(tmp_path / "bad.instprm")
    (tmp_path / "x.txt").write_text("U: 1")
    with pytest.raises(ValueError, match="allowed"):
        read_instrument_parameters(tmp_path / "x.txt")


def test_cif_esd_notation():
    """value(esd) with two significant digits of the esd (CIF convention)."""
    from axsuite.analysis.crystal.cif import format_esd

    assert format_esd(9.371724, 3.6e-5) == "9.371724(36)"
    assert format_esd(1.5, 0.0996) == "1.50(10)"
    assert format_esd(0.0061, 1.2e-4) == "0.00610(12)"
    assert format_esd(2.0, float("nan"), 3) == "2.000"
