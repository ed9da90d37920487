"""NearEdgeModel: simulator truth with white line, EXAFS, causal f' and mono band pass."""

import numpy as np
import pytest
from axsuite.analysis import xray
from axsuite.analysis.absorption import find_e0, kk_transform_direct
from axsuite.analysis.kk import taper_window
from axsuite.devices.models.nearedge import NearEdgeModel


@pytest.fixture(scope="module")
def cu():
    return NearEdgeModel("Cu")


def test_e0_is_the_tabulated_edge(cu):
    e = np.arange(cu.e0_eV - 60.0, cu.e0_eV + 60.0, 0.05)
    assert abs(find_e0(e, cu.mu_photo_cm2_g(e)) - xray.edge_energy_eV("Cu")) < 0.05


def test_far_from_edge_equals_chantler(cu):
    e = cu.e0_eV + np.array([-900.0, -400.0, 400.0, 1900.0, 2500.0, -1500.0])
    assert np.allclose(cu.fpp(e), xray.chantler_fpp("Cu", e), rtol=0.01, atol=0.005)
    assert np.allclose(cu.fp(e), xray.chantler_fp("Cu", e), atol=0.03)


def test_white_line_and_exafs_are_present(cu):
    e = np.arange(cu.e0_eV - 20.0, cu.e0_eV + 400.0, 0.2)
    extra = cu.fpp(e) - xray.chantler_fpp("Cu", e)
    assert extra.max() > 0.25 * cu.edge_jump  # white line
    above = e > cu.e0_eV + 60.0
    sign_changes = np.count_nonzero(np.diff(np.sign(extra[above])))
    assert sign_changes >= 6  # oscillations


def test_fp_is_causal_partner_of_fpp(cu):
    """Independent direct KK of the model's f'' − Chantler reproduces its f' − Chantler.

    Away from the edge (|E − E0| > 15 eV), where the band-pass convolution of the smooth
    Chantler tables is negligible.
    """
    g = cu.energy_grid_eV[::5]
    delta = cu.fpp(g) - xray.chantler_fpp("Cu", g)
    delta *= taper_window(g, 50.0)
    t = cu.e0_eV + np.array([-300.0, -100.0, -30.0, -15.0, 30.0, 100.0])
    fp_kk = xray.chantler_fp("Cu", t) + kk_transform_direct(g, delta, t)
    assert np.allclose(fp_kk, cu.fp(t), atol=0.03)


def test_band_pass_broadens_the_edge():
    sharp = NearEdgeModel("Cu", bandwidth=0.0)
    broad = NearEdgeModel("Cu", bandwidth=1.4e-4)
    e = np.arange(sharp.e0_eV - 20.0, sharp.e0_eV + 20.0, 0.05)
    assert np.max(np.gradient(broad.fpp(e), e)) < 0.9 * np.max(np.gradient(sharp.fpp(e), e))
    # both place their max dμ/dE on the tabulated edge
    assert abs(find_e0(e, sharp.mu_photo_cm2_g(e)) - sharp.e0_eV) < 0.05


def test_scalar_and_outside_window(cu):
    assert isinstance(cu.fpp(8000.0), float) and isinstance(cu.fp(8000.0), float)
    assert cu.fp(20000.0) == pytest.approx(
        float(xray.chantler_fp("Cu", [20000.0, 20001.0])[0]), abs=0.01
    )
    mu = cu.mu_photo_cm2_g(np.array([8900.0, 9100.0]))
    assert mu[1] > 5 * mu[0] / 6  # the K jump


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"element": "Xx"}, "unknown element"),
        ({"element": "Cu", "bandwidth": -1e-4}, "bandwidth"),
        ({"element": "Cu", "white_line_width_eV": 0.0}, "white line"),
        ({"element": "Cu", "exafs": ((-1.0, 0.1, 0.01, 0.0),)}, "EXAFS"),
        ({"element": "Cu", "edge": "Z"}, "edge"),
    ],
)
def test_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        NearEdgeModel(**kwargs)


def test_energy_validation(cu):
    with pytest.raises(ValueError, match="positive"):
        cu.fpp([-1.0])
    with pytest.raises(ValueError, match="positive"):
        cu.fp([np.nan])
