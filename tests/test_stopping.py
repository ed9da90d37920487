"""Tests of axsuite.analysis.stopping against ICRU 49 / NIST tables and analytic limits.

Reference: tests/data/stopping/nist_reference.csv (PSTAR/ASTAR, electronic stopping,
total kinetic energy). The proton model uses the published ICRU 49 Andersen–Ziegler
coefficients up to 1 MeV (nothing was fitted to these rows) and pure Bethe–Bloch theory
from 10 MeV; the helium model uses the seed's Ziegler (1977) coefficients up to 2 MeV/u.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from axsuite.analysis import stopping as st
from scipy.integrate import quad

REF = Path(__file__).resolve().parent / "data" / "stopping" / "nist_reference.csv"
TARGETS = ("Al", "Si", "Cu", "Ag", "Au")


def _rows(ion: str, source: str) -> list[dict]:
    with REF.open() as fh:
        return [r for r in csv.DictReader(fh) if r["ion"] == ion and r["source"].startswith(source)]


def _deviations(
    ion: str, source: str, lo: float, hi: float
) -> dict[str, list[tuple[float, float]]]:
    z1, a1, mass = (
        (1, 1.00728, st.PROTON_MASS_U) if ion == "p" else (2, 4.0026, st.ALPHA_PARTICLE_MASS_U)
    )
    out: dict[str, list[tuple[float, float]]] = {}
    for r in _rows(ion, source):
        e = float(r["energy_MeV"])
        if r["target"] not in TARGETS or not lo <= e <= hi:
            continue
        ref = float(r["electronic_stopping_MeV_cm2_per_g"])
        model = float(st.electronic_stopping(z1, a1, r["target"], e / mass))
        out.setdefault(r["target"], []).append((e, model / ref - 1.0))
    return out


@pytest.mark.parametrize("target", TARGETS)
def test_protons_within_3_percent_of_pstar(target: str) -> None:
    dev = _deviations("p", "NIST PSTAR", 0.5, 100.0)[target]
    assert len(dev) >= 7
    worst = max(dev, key=lambda d: abs(d[1]))
    print(f"p in {target}: worst {worst[1]:+.2%} at {worst[0]} MeV")
    assert abs(worst[1]) < 0.03


@pytest.mark.parametrize("target", TARGETS)
def test_bethe_bloch_alone_matches_pstar_above_10_MeV(target: str) -> None:
    """Pure theory (no empirical coefficients): shell + Barkas + Bloch + density effect."""
    for r in _rows("p", "NIST PSTAR"):
        e = float(r["energy_MeV"])
        if r["target"] != target or e < 10.0:
            continue
        s = st.bethe_stopping(1, target, e / st.PROTON_MASS_U)
        assert abs(s / float(r["electronic_stopping_MeV_cm2_per_g"]) - 1.0) < 0.02


def test_bethe_without_corrections_is_high_at_2_to_10_MeV() -> None:
    """DESIGN §7.5: Bethe without shell/Barkas is several per cent high at 2–10 MeV."""
    for r in _rows("p", "NIST PSTAR"):
        e = float(r["energy_MeV"])
        if r["target"] != "Au" or not 2.0 <= e <= 10.0:
            continue
        t = st.bethe_terms(1.0, "Au", e / st.PROTON_MASS_U)
        bare = 0.307075 * 79 / st.atomic_weight(79) / t.beta**2 * (t.l0 + t.shell)
        assert bare / float(r["electronic_stopping_MeV_cm2_per_g"]) > 1.05


HE_LIMIT = {"Al": 0.05, "Cu": 0.05, "Ag": 0.05, "Au": 0.055, "Si": 0.105}


@pytest.mark.parametrize("target", TARGETS)
def test_helium_vs_astar_0p5_to_8_MeV(target: str) -> None:
    """Within 5 % except at 0.5 MeV in Si (+10 %) and Au (−5.1 %): there ICRU 49 departs
    from Ziegler's 1977 helium coefficients (seed Table III), which the model uses."""
    dev = _deviations("alpha", "NIST ASTAR", 0.5, 8.0)[target]
    worst = max(dev, key=lambda d: abs(d[1]))
    print(f"He in {target}: worst {worst[1]:+.2%} at {worst[0]} MeV")
    assert abs(worst[1]) < HE_LIMIT[target]
    assert all(abs(d) < 0.05 for e, d in dev if e >= 1.0)


@pytest.mark.parametrize("target", ["Al", "Cu", "Ag"])
def test_ziegler_helium_table_reproduces_astar(target: str) -> None:
    """DESIGN §7.5: seed Table III reproduces ASTAR within ~1 % for Al, Cu, Ag."""
    z2 = st.target_composition(target)
    (z,) = z2
    for r in _rows("alpha", "NIST ASTAR"):
        e = float(r["energy_MeV"])
        if r["target"] != target or e > 2.0:
            continue
        s = st.ev_1e15_to_mev_cm2_g(st.ziegler_helium(z, e * 1000.0), target)
        assert abs(s / float(r["electronic_stopping_MeV_cm2_per_g"]) - 1.0) < 0.01


def test_helium_coefficients_of_table_iii_read_correctly() -> None:
    assert st.ziegler_helium("Al", 1000.0) == pytest.approx(
        1.0 / (1.0 / (2.5 * 1000.0**0.625) + 1.0 / (45.7 * np.log(1.1 + 4.359))), rel=1e-12
    )
    assert st.ziegler_helium("U", 1000.0) > st.ziegler_helium("Au", 1000.0) * 0.9


def test_bloch_term_small_and_large_y() -> None:
    y = np.array([1e-3, 1e-2])
    assert np.allclose(st.bloch_correction(y) / y**2, -1.2020569, rtol=2e-4)
    big = 200.0
    assert st.bloch_correction(big) == pytest.approx(-(np.euler_gamma + np.log(big)), abs=1e-5)
    assert np.all(st.bloch_correction(np.linspace(0.1, 5, 20)) < 0)


def test_brown_moak_proton_effective_charge() -> None:
    g2 = st.proton_effective_charge_sq([0.01, 0.1, 1.0])
    assert np.allclose(g2, [0.377, 0.822, 1.000], atol=6e-4)


@pytest.mark.parametrize("model", ["brown-moak", "anthony-lanford", "brandt-kitagawa"])
def test_effective_charge_bounds_and_limits(model: str) -> None:
    e = np.geomspace(1e-4, 500.0, 200)
    g = st.effective_charge_ratio(54, e, model=model, target_z="Au")
    assert np.all((g >= 0.0) & (g <= 1.0))
    assert g[0] < 0.1
    assert g[-1] > 0.95
    assert np.all(np.diff(g) >= -1e-9)


def test_brown_moak_formula_value() -> None:
    e = 2.0
    v = st.beta_from_energy(e) / st.ALPHA
    expect = 1.0 - 1.034 * np.exp(-v / 92**0.688)
    assert st.effective_charge_ratio(92, e) == pytest.approx(expect, rel=1e-12)


def test_zbl_ionisation_fit_agrees_with_brandt_table_iv() -> None:
    x = st.BRANDT_REDUCED_VELOCITY_B126 * 1.33 / 1.26
    q_fit = st.zbl_ionization_fraction(x)
    sel = x >= 0.5
    assert np.max(np.abs(q_fit[sel] - st.BRANDT_IONIZATION_Q[sel])) < 0.04
    assert st.brandt_ionization_fraction(x[5]) == pytest.approx(st.BRANDT_IONIZATION_Q[5])


def test_effective_charge_needs_target_and_known_model() -> None:
    with pytest.raises(ValueError, match="target_z"):
        st.effective_charge_ratio(18, 1.0, model="anthony-lanford")
    with pytest.raises(ValueError, match="unknown effective-charge model"):
        st.effective_charge_ratio(18, 1.0, model="bohr")
    with pytest.raises(ValueError, match="Xx"):  # not silently ignored by Brown–Moak
        st.effective_charge_ratio(18, 1.0, target_z="Xx")


HEAVY = [(6, 12.0), (8, 16.0), (18, 40.0), (36, 84.0), (54, 132.0), (92, 238.0)]


@pytest.mark.parametrize("z1,a1", HEAVY)
@pytest.mark.parametrize("target", ["C", "Al", "Cu", "Ag", "Au"])
def test_heavy_ions_finite_smooth_and_fast_limit(z1: int, a1: float, target: str) -> None:
    e = np.geomspace(1.0, 100.0, 120)
    s = st.electronic_stopping(z1, a1, target, e)
    assert np.all(np.isfinite(s)) and np.all(s > 0)
    assert np.max(np.abs(np.diff(np.log(s)))) < 0.06
    if z1 <= 18:
        bare = st.bethe_stopping(z1, target, 100.0)
        assert s[-1] / bare == pytest.approx(1.0, abs=0.06)


# Stopping (MeV cm²/g) of C, Ar and U in Al and Au at 1, 10 and 100 MeV/u from an independent
# code: pycatima 1.982 (CATIMA, the ATIMA physics of GSI; default configuration), computed once
# in a scratch environment. Nuclear stopping, included there, is < 1 % at these energies.
CATIMA = {
    (6, "Al"): (4378.9, 1190.6, 204.11),
    (6, "Au"): (1627.0, 641.55, 130.44),
    (18, "Al"): (19498.0, 9260.8, 1838.2),
    (18, "Au"): (7227.6, 4989.1, 1181.6),
    (92, "Al"): (74683.0, 1.0061e05, 39438.0),
    (92, "Au"): (27708.0, 54205.0, 25689.0),
}


@pytest.mark.parametrize("key", sorted(CATIMA))
def test_heavy_ions_against_catima(key: tuple[int, str]) -> None:
    """Stated accuracy: ≤ 20 % at 1 MeV/u (U in light targets worst), ≤ 6 % from 10 MeV/u."""
    z1, target = key
    a1 = {6: 12.0, 18: 39.96, 92: 238.05}[z1]
    s = st.electronic_stopping(z1, a1, target, np.array([1.0, 10.0, 100.0]))
    dev = s / np.array(CATIMA[key]) - 1.0
    print(f"Z1={z1} in {target}: {np.round(dev, 3)}")
    assert abs(dev[0]) < 0.20
    assert np.all(np.abs(dev[1:]) < 0.06)


def test_heavy_ion_low_energy_follows_brown_moak_scaling() -> None:
    e = np.array([1.0, 2.0, 5.0])
    s = st.electronic_stopping(36, 84.0, "Ag", e, charge_model="brown-moak")
    g = st.effective_charge_ratio(36, e)
    expect = (
        st.proton_stopping("Ag", e)
        * (36 * g) ** 2
        / st.proton_effective_charge_sq(e * st.PROTON_MASS_U)
    )
    assert np.allclose(s, expect, rtol=1e-12)


def test_bragg_rule_for_compounds() -> None:
    e = np.array([0.5, 5.0, 50.0])
    s = st.electronic_stopping(1, 1.00728, "Al2O3", e)
    w_al = 2 * st.atomic_weight(13) / (2 * st.atomic_weight(13) + 3 * st.atomic_weight(8))
    expect = w_al * st.electronic_stopping(1, 1.00728, "Al", e) + (
        1 - w_al
    ) * st.electronic_stopping(1, 1.00728, "O", e)
    assert np.allclose(s, expect, rtol=1e-12)
    i_h2o = st.mean_excitation_energy_eV("H2O")
    assert 18.8 < i_h2o < 97.7


def test_unit_converters() -> None:
    s = st.ev_1e15_to_mev_cm2_g(1.0, "Al")
    assert s == pytest.approx(6.02214076e23 / 26.9815385 * 1e-21, rel=1e-3)
    assert st.mev_cm2_g_to_ev_1e15(s, "Al") == pytest.approx(1.0)
    assert st.mev_cm2_g_to_kev_um(100.0, 2.33) == pytest.approx(23.3)
    assert st.kev_um_to_mev_cm2_g(23.3, 2.33) == pytest.approx(100.0)


def test_density_effect_plasma_energy_of_aluminium() -> None:
    """Asymptote δ → 2 ln(βγ ħω_p/I) − 1 with the PDG plasma energy of Al, 32.86 eV."""
    bg = 1e4
    beta = bg / np.sqrt(1 + bg**2)
    assert st.density_effect(13, beta) == pytest.approx(
        2 * np.log(bg * 32.86 / 166.0) - 1, abs=0.01
    )
    assert st.density_effect(13, 0.3) == 0.0


def test_csda_range_matches_quadrature() -> None:
    e = np.array([2.0, 20.0])
    r = st.csda_range_g_cm2(1, 1.00728, "Al", e)
    for ei, ri in zip(e, r, strict=True):
        val, _ = quad(
            lambda x: 1.00728 / float(st.electronic_stopping(1, 1.00728, "Al", x)),
            1e-3,
            ei,
            limit=200,
        )
        low = 2 * 1.00728 * 1e-3 / float(st.electronic_stopping(1, 1.00728, "Al", 1e-3))
        assert ri == pytest.approx(val + low, rel=3e-3)
    assert r[1] > r[0]


def test_fit_mean_excitation_recovers_i() -> None:
    e = np.geomspace(2.0, 10.0, 8)
    truth = st.electronic_stopping(2, 4.0026, "Al", e, i_eV=180.0)
    sig = truth * 0.002
    rng = np.random.default_rng(3)
    fit = st.fit_mean_excitation(e, truth + rng.normal(0, sig), sig, z1=2, a1=4.0026, target="Al")
    assert fit.i_eV == pytest.approx(180.0, abs=4 * fit.i_err_eV)
    assert fit.i_err_eV < 5.0
    assert 0.1 < fit.chi2_red < 4.0


def test_fit_five_parameter_recovers_table_row() -> None:
    e = np.geomspace(20.0, 9000.0, 30)
    coeff = st.ZIEGLER_HELIUM[29]
    s = st.five_parameter_stopping(e, *coeff)
    start = tuple(c * f for c, f in zip(coeff, (1.2, 0.95, 0.8, 1.3, 1.2), strict=True))
    fit = st.fit_five_parameter(e, s, s * 1e-3, p0=start)
    assert np.allclose(st.five_parameter_stopping(e, *fit.coefficients), s, rtol=2e-3)


def test_effective_charge_from_stopping_inverts_model() -> None:
    e = np.array([3.0, 30.0])
    s = st.electronic_stopping(8, 16.0, "Cu", e, charge_model="brandt-kitagawa")
    g2 = st.effective_charge_from_stopping(8, e, s, "Cu")
    assert np.all((g2 > 0.8) & (g2 < 1.2))


def test_brice_formula_velocity_proportional_at_low_energy() -> None:
    e = np.array([1e-5, 4e-5])
    s = st.brice_stopping(1, 13, e, z_param=1.0, a_param=0.01, n_param=4.0)
    assert s[1] / s[0] == pytest.approx(2.0, rel=2e-3)
    s72 = st.brice_stopping(
        1, 13, 0.05, z_param=1.0, a_param=0.01, n_param=4.0, coefficients=(74.0, 83.0, 30.0)
    )
    assert s72 != pytest.approx(
        st.brice_stopping(1, 13, 0.05, z_param=1.0, a_param=0.01, n_param=4.0)
    )


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: st.electronic_stopping(1, 1.0, "Xx", 1.0), "unknown element or compound"),
        (lambda: st.electronic_stopping(0, 1.0, "Al", 1.0), "Z1"),
        (lambda: st.electronic_stopping(True, 1.0, "Al", 1.0), "Z1"),
        (lambda: st.electronic_stopping(1, 1.0, "Al", -1.0), "positive"),
        (lambda: st.electronic_stopping(1, 1.0, "Al", [1.0, np.nan]), "positive"),
        (lambda: st.electronic_stopping(1, 1.0, "Qz2O3", 1.0), "unknown element or compound"),
        (lambda: st.electronic_stopping(1, -4.0, "Al", 1.0), "mass"),
        (lambda: st.electronic_stopping(1, 1.0, 99, 1.0), "outside|Z2"),
        (lambda: st.ziegler_helium("Al", -5.0), "positive"),
        (lambda: st.electronic_stopping(1, 1.0, "SiO2", 1.0, i_eV=100.0), "elemental"),
    ],
)
def test_bad_input_raises_clear_value_error(call, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_vectorised_shape_is_kept() -> None:
    e = np.geomspace(0.01, 100.0, 12).reshape(3, 4)
    assert st.electronic_stopping(2, 4.0026, "Au", e).shape == (3, 4)


def test_fit_five_parameter_with_fixed_low_energy_terms() -> None:
    e = np.geomspace(2000.0, 40000.0, 12)
    coeff = st.ZIEGLER_HELIUM[13]
    s = st.five_parameter_stopping(e, *coeff)
    start = (coeff[0], coeff[1], coeff[2] * 1.1, coeff[3] * 2.0, coeff[4] * 0.9)
    fit = st.fit_five_parameter(e, s, s * 1e-3, p0=start, vary=(False, False, True, True, True))
    assert fit.coefficients[:2] == (coeff[0], coeff[1])
    assert fit.errors[:2] == (0.0, 0.0)
    assert np.allclose(st.five_parameter_stopping(e, *fit.coefficients), s, rtol=2e-3)
    with pytest.raises(ValueError, match="vary"):
        st.fit_five_parameter(e, s, s * 1e-3, p0=start, vary=(False,) * 5)
