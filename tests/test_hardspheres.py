"""Percus–Yevick hard-sphere mixtures: limits, sum rules and the default Cu50Zr50 truth."""

from __future__ import annotations

import numpy as np
import pytest
from axsuite.devices.models.hardspheres import (
    HardSphereMixture,
    cu50zr50,
    cu64zr36,
    percus_yevick_one_component,
)


@pytest.mark.parametrize("fractions", [(0.5, 0.5), (0.2, 0.8)])
def test_equal_sizes_reduce_to_wertheim_thiele(fractions):
    q = np.linspace(0.01, 25.0, 700)
    mix = HardSphereMixture(("Cu", "Zr"), fractions, (2.6, 2.6), 0.055)
    s1 = percus_yevick_one_component(q, 2.6, mix.packing_fraction)
    fz = mix.partial_structure_factors(q)
    assert np.allclose(fz, s1[None, None, :], atol=1e-9)
    c = np.asarray(fractions)
    al = mix.ashcroft_langreth(q)
    expect = np.eye(2)[None] + np.sqrt(np.outer(c, c))[None] * (s1 - 1)[:, None, None]
    assert np.allclose(al, expect, atol=1e-9)


def test_one_component_long_wavelength_limit_is_py_compressibility():
    # S(0) = (1 − η)⁴/(1 + 2η)² (Percus–Yevick compressibility route)
    for eta in (0.1, 0.3, 0.5):
        s0 = percus_yevick_one_component(1e-4, 2.5, eta)
        assert s0 == pytest.approx((1 - eta) ** 4 / (1 + 2 * eta) ** 2, rel=1e-6)


def _beta_p_py(rho_i, sig):
    # PY compressibility equation of state of the mixture (Lebowitz & Rowlinson 1964)
    xi = [np.pi / 6 * np.sum(rho_i * sig**m) for m in range(4)]
    d = 1 - xi[3]
    return 6 / np.pi * (xi[0] / d + 3 * xi[1] * xi[2] / d**2 + 3 * xi[2] ** 3 / d**3)


@pytest.mark.parametrize("model", [cu50zr50, cu64zr36])
def test_mixture_k0_limit_matches_py_compressibility_equation(model):
    m = model()
    rho_i = m.density_atoms_A3 * np.asarray(m.fractions)
    sig = np.asarray(m.diameters_A)
    a0 = np.linalg.inv(m.ashcroft_langreth(np.array([0.0]))[0])
    for j in range(2):
        h = 1e-6 * rho_i[j]
        up, dn = rho_i.copy(), rho_i.copy()
        up[j] += h
        dn[j] -= h
        dpdrho = (_beta_p_py(up, sig) - _beta_p_py(dn, sig)) / (2 * h)
        kb = sum(np.sqrt(rho_i[i] / rho_i[j]) * a0[i, j] for i in range(2))
        assert kb == pytest.approx(dpdrho, rel=1e-6)


def test_core_condition_and_contact_region():
    m = cu50zr50()
    r = np.linspace(0.3, 12.0, 1200)
    g = m.pair_distribution(r)
    sig = np.asarray(m.diameters_A)
    for i in range(2):
        for j in range(2):
            contact = 0.5 * (sig[i] + sig[j])
            assert np.max(np.abs(g[i, j, r < contact - 0.1])) < 0.02
            assert np.max(g[i, j]) > 3.0
            assert abs(r[np.argmax(g[i, j])] - contact) < 0.08
    assert np.allclose(g[:, :, r > 10.0], 1.0, atol=0.05)


def test_default_cu50zr50_coordination_numbers():
    m = cu50zr50()
    assert m.packing_fraction == pytest.approx(0.50, abs=1e-3)
    n = m.coordination_numbers()
    assert n[0, 0] == pytest.approx(4.9, abs=0.15)
    assert n[0, 1] == pytest.approx(6.0, abs=0.15)
    assert n[1, 1] == pytest.approx(7.3, abs=0.15)


def test_second_composition_partial_coordination_symmetry():
    m = cu64zr36()
    assert m.packing_fraction == pytest.approx(0.50, abs=1e-9)
    n = m.coordination_numbers()
    c = m.fractions
    assert c[0] * n[0, 1] == pytest.approx(c[1] * n[1, 0], rel=1e-9)
    assert n[0, 1] < cu50zr50().coordination_numbers()[0, 1]


def test_validation():
    with pytest.raises(ValueError, match="sum to 1"):
        HardSphereMixture(("Cu", "Zr"), (0.5, 0.6), (2.2, 2.8), 0.05)
    with pytest.raises(ValueError, match="random close packing"):
        HardSphereMixture(("Cu", "Zr"), (0.5, 0.5), (2.2, 2.8), 0.2)
    with pytest.raises(ValueError, match="unknown element"):
        HardSphereMixture(("Cu", "Xx"), (0.5, 0.5), (2.2, 2.8), 0.05)
    with pytest.raises(ValueError):
        percus_yevick_one_component([1.0], 2.5, 1.2)
