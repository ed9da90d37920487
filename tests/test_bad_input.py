"""Bad-input sweep (issue 12, DESIGN §10): every case gives ONE clear line naming the bad
value or what is allowed, the CLI exits 2, and nothing is written.

Tables: the public analysis API (DESIGN §8), the plans (checked before their first message),
profiles (dotted key); profile YAML is also fuzzed with Hypothesis. The ``axs`` CLI table (exit
2, one line on stderr, data directory and catalog run count unchanged) is in
tests/test_bad_input_cli.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import yaml
from axsuite.analysis.absorption import (
    absorption_factor_reflection,
    anomalous_factors_from_mu,
    kramers_kronig_fp,
    normalize_xas,
)
from axsuite.analysis.axs import (
    differential_structure_factor,
    pair_distribution,
    partial_structure_factors,
)
from axsuite.analysis.lineprofile import (
    march_dollase,
    scherrer_size,
    texture_coefficients,
    williamson_hall,
)
from axsuite.analysis.stopping import effective_charge_ratio, electronic_stopping, ziegler_helium
from axsuite.session.profile import PROFILE_DIR, load_profile

E = np.linspace(8800.0, 9300.0, 300)
MU = 1.0 / (1.0 + np.exp(-(E - 8979.0) / 2.0)) + 0.001 * (E - 8800.0)
Q = np.linspace(0.5, 8.0, 50)
ONE = np.ones_like(Q)
CZ = {"Cu": 0.5, "Zr": 0.5}
F1 = {"Cu": -5 + 0.5j, "Zr": -1 + 1j}
F2 = {"Cu": -2 + 0.5j, "Zr": -1 + 1j}
R = np.linspace(0.1, 10.0, 50)

API = {
    "normalize: pre1 > pre2": (lambda: normalize_xas(E, MU, pre1=-30, pre2=-150), "pre"),
    "normalize: 3 points": (lambda: normalize_xas(E[:3], MU[:3]), "at least 8"),
    "normalize: lengths": (lambda: normalize_xas(E, MU[:-1]), "differ in length"),
    "normalize: text": (lambda: normalize_xas("abc", MU), "abc"),
    "normalize: all NaN": (lambda: normalize_xas(E, MU * np.nan), "finite"),
    "normalize: e0 outside": (lambda: normalize_xas(E, MU, e0_eV=20000), "20000"),
    "factors: element": (lambda: anomalous_factors_from_mu(E, MU, "Xx"), "Xx"),
    "factors: edge": (lambda: anomalous_factors_from_mu(E, MU, "Cu", edge="Q"), "Q edge"),
    "factors: other edge": (lambda: anomalous_factors_from_mu(E, MU, "Zr"), "Zr K edge"),
    "kk: lengths": (lambda: kramers_kronig_fp(E, MU[:-1], "Cu"), "differ in length"),
    "kk: element": (lambda: kramers_kronig_fp(E, MU, "Xx"), "Xx"),
    "kk: NaN": (lambda: kramers_kronig_fp(E, MU * np.nan, "Cu"), "finite"),
    "absorption: mu < 0": (lambda: absorption_factor_reflection(-1.0, 30.0, 0.01), "mu_cm"),
    "absorption: 2θ 200": (lambda: absorption_factor_reflection(100.0, 200.0, 0.01), "200"),
    "absorption: t < 0": (lambda: absorption_factor_reflection(100.0, 30.0, -0.01), "thickness"),
    "absorption: α = 0": (
        lambda: absorption_factor_reflection(100.0, 30.0, 0.01, incidence_deg=0),
        "incidence",
    ),
    "ΔS: sum 0.8": (
        lambda: differential_structure_factor(Q, ONE, ONE, {"Cu": 0.4, "Zr": 0.4}, F1, F2),
        "sum to 1",
    ),
    "ΔS: element": (
        lambda: differential_structure_factor(
            Q, ONE, ONE, {"Cu": 0.5, "Xx": 0.5}, {"Cu": 1j, "Xx": 0}, {"Cu": 2j, "Xx": 0}
        ),
        "Xx",
    ),
    "ΔS: shape": (lambda: differential_structure_factor(Q, ONE[:-1], ONE, CZ, F1, F2), "shape"),
    "ΔS: no contrast": (lambda: differential_structure_factor(Q, ONE, ONE, CZ, F1, F1), "contrast"),
    "ΔS: factor missing": (
        lambda: differential_structure_factor(Q, ONE, ONE, CZ, {"Cu": 1j}, F2),
        "Zr",
    ),
    "partials: 2 energies": (
        lambda: partial_structure_factors(Q, np.ones((2, Q.size)), CZ, [F1, F2]),
        "at least 3",
    ),
    "partials: shape": (
        lambda: partial_structure_factors(Q, np.ones((3, Q.size - 1)), CZ, [F1] * 3),
        "n_q=50",
    ),
    "g(r): density < 0": (lambda: pair_distribution(Q, ONE, R, density=-0.05), "density"),
    "g(r): r < 0": (lambda: pair_distribution(Q, ONE, R - 1.0, density=0.05), "r must"),
    "g(r): shape": (lambda: pair_distribution(Q, ONE[:-1], R, density=0.05), "match q"),
    "scherrer: NaN": (lambda: scherrer_size(np.nan, 30.0, 1.54), "finite"),
    "scherrer: β < 0": (lambda: scherrer_size(-0.1, 30.0, 1.54), "breadth"),
    "scherrer: 2θ 0": (lambda: scherrer_size(0.1, 0.0, 1.54), "180"),
    "scherrer: 2θ 190": (lambda: scherrer_size(0.1, 190.0, 1.54), "180"),
    "scherrer: λ 0": (lambda: scherrer_size(0.1, 30.0, 0.0), "wavelength"),
    "scherrer: K < 0": (lambda: scherrer_size(0.1, 30.0, 1.54, k=-1), "K"),
    "scherrer: text": (lambda: scherrer_size("a", 30.0, 1.54), "'a'"),
    "WH: 1 peak": (lambda: williamson_hall([30.0], [0.1], 1.54), "3 peaks"),
    "WH: lengths": (lambda: williamson_hall([30.0, 40, 50], [0.1, 0.2], 1.54), "equal length"),
    "WH: β < 0": (lambda: williamson_hall([30.0, 40, 50], [0.1, -0.2, 0.1], 1.54), "breadths"),
    "WH: λ < 0": (lambda: williamson_hall([30.0, 40, 50], [0.1, 0.2, 0.1], -1.54), "wavelength"),
    "March–Dollase: r 0": (lambda: march_dollase([10.0], 0.0), "r must be positive"),
    "March–Dollase: r NaN": (lambda: march_dollase([10.0], np.nan), "r must be positive"),
    "texture: lengths": (lambda: texture_coefficients([1, 2, 3], [1, 2]), "reflections"),
    "texture: I_ref 0": (lambda: texture_coefficients([1, 2, 3], [1, 0, 1]), "positive"),
    "stopping: target": (lambda: electronic_stopping(1, 1.007, "Xx", [1.0]), "Xx"),
    "stopping: E < 0": (lambda: electronic_stopping(1, 1.007, "Al", [-1.0]), "positive"),
    "stopping: E 0": (lambda: electronic_stopping(1, 1.007, "Al", [0.0]), "positive"),
    "stopping: Z1 0": (lambda: electronic_stopping(0, 1.007, "Al", [1.0]), "1..92"),
    "stopping: A1 < 0": (lambda: electronic_stopping(1, -1.0, "Al", [1.0]), "A1"),
    "stopping: NaN": (lambda: electronic_stopping(1, 1.007, "Al", [np.nan]), "finite"),
    "stopping: I < 0": (lambda: electronic_stopping(2, 4.0026, "Al", [0.05], i_eV=-5), "-5"),
    "stopping: 1e6 MeV/u": (lambda: electronic_stopping(1, 1.007, "Al", [1e6]), "range"),
    "Ziegler He: Z 0": (lambda: ziegler_helium(0, [100.0]), "outside 1..98"),
    "Ziegler He: Z 200": (lambda: ziegler_helium(200, [100.0]), "outside 1..98"),
    "Ziegler He: E < 0": (lambda: ziegler_helium(13, [-100.0]), "positive"),
    "γ: model": (lambda: effective_charge_ratio(2, [1.0], model="nope"), "brown-moak"),
    "γ: E < 0": (lambda: effective_charge_ratio(2, [-1.0]), "positive"),
    "γ: Z1 0": (lambda: effective_charge_ratio(0, [1.0]), "1..92"),
}


def _one_line(exc: BaseException, words: str) -> None:
    text = str(exc).strip()
    assert text and len(text.splitlines()) == 1, f"not one line: {text!r}"
    assert words.lower() in text.lower(), f"{words!r} not in {text!r}"


@pytest.mark.parametrize("case", list(API), ids=list(API))
def test_analysis_api(case):
    call, words = API[case]
    with pytest.raises(ValueError) as err:
        call()
    _one_line(err.value, words)


SHORT = [{"start": -60.0, "stop": 60.0, "step": 4.0}]
QG = list(np.linspace(0.5, 8.0, 16))
PLANS = {
    "edge: element": ("edge_scan", {"element": "Xx"}, "Xx"),
    "edge: edge name": ("edge_scan", {"element": "Cu", "edge": "Q7"}, "Q7"),
    "edge: U outside mono": ("edge_scan", {"element": "U"}, "monochromator range"),
    "edge: no regions": ("edge_scan", {"element": "Cu", "regions": []}, "regions is empty"),
    "edge: regions text": ("edge_scan", {"element": "Cu", "regions": "abc"}, "'abc'"),
    "edge: region inverted": (
        "edge_scan", {"element": "Cu", "regions": [{"start": 10, "stop": -10, "step": 1}]},
        "inverted",
    ),
    "edge: step 0": (
        "edge_scan", {"element": "Cu", "regions": [{"start": -10, "stop": 10, "step": 0}]},
        "step must be positive",
    ),
    "edge: step 1e-6": (
        "edge_scan", {"element": "Cu", "regions": [{"start": -10, "stop": 10, "step": 1e-6}]},
        "limit of 20000",
    ),
    "edge: keys": ("edge_scan", {"element": "Cu", "regions": [{"from": -10}]}, "give either"),
    "edge: start text": (
        "edge_scan", {"element": "Cu", "regions": [{"start": "a", "stop": 10, "step": 1}]},
        "'a'",
    ),
    "edge: dwell 0": ("edge_scan", {"element": "Cu", "dwell_s": 0.0}, "dwell_s must be a positive"),
    "edge: dwell '1'": ("edge_scan", {"element": "Cu", "dwell_s": "1"}, "dwell_s must be a number"),
    "edge: dwell True": ("edge_scan", {"element": "Cu", "dwell_s": True}, "dwell_s"),
    "edge: dwell NaN": ("edge_scan", {"element": "Cu", "dwell_s": math.nan}, "dwell_s"),
    "edge: region dwell": (
        "edge_scan",
        {"element": "Cu", "regions": [{"start": -10, "stop": 10, "step": 1, "dwell_s": -2}]},
        "dwell_s",
    ),
    "edge: k beyond mono": (
        "edge_scan", {"element": "Zr", "regions": [{"k_start": 0, "k_stop": 200, "k_step": 1}]},
        "leaves the monochromator",
    ),
    "edge: sample": ("edge_scan", {"element": "Cu", "sample": "nothing"}, "not a sample"),
    "edge: arm": ("edge_scan", {"element": "Cu", "two_theta_deg": 170.0}, "arm limits"),
    "mono cal: element": ("calibrate_mono", {"element": "Xx"}, "Xx"),
    "mono cal: no foil": ("calibrate_mono", {"element": "Fe"}, "no reference foil"),
    "mono cal: dwell": ("calibrate_mono", {"element": "Cu", "dwell_s": -1.0}, "dwell_s"),
    "AXS: 0.001 eV below": ("axs_scan", {"element": "Cu", "offsets_eV": [-0.001, -250]}, "5 eV"),
    "AXS: at the edge": ("axs_scan", {"element": "Cu", "offsets_eV": [0.0, -250]}, "below"),
    "AXS: above": ("axs_scan", {"element": "Cu", "offsets_eV": [10.0]}, "above"),
    "AXS: both": (
        "axs_scan", {"element": "Cu", "offsets_eV": [-25], "energies_eV": [8900]}, "not both"
    ),
    "AXS: repeated": ("axs_scan", {"element": "Cu", "offsets_eV": [-25, -25]}, "distinct"),
    "AXS: short Q": ("axs_scan", {"element": "Cu", "q_grid": [1.0, 2.0]}, "at least 10"),
    "AXS: Q decreasing": ("axs_scan", {"element": "Cu", "q_grid": QG[::-1]}, "increasing"),
    "AXS: Q unreachable": (
        "axs_scan", {"element": "Cu", "q_grid": list(np.linspace(1, 20, 16))}, "not reachable"
    ),
    "AXS: sum 0.8": (
        "axs_scan", {"element": "Cu", "composition": {"Cu": 0.4, "Zr": 0.4}}, "sum to 0.8000"
    ),
    "AXS: element": (
        "axs_scan", {"element": "Cu", "composition": {"Cu": 0.5, "Xx": 0.5}}, "Xx"
    ),
    "AXS: not resonant": (
        "axs_scan", {"element": "Cu", "composition": {"Ni": 0.5, "Zr": 0.5}}, "not in the"
    ),
    "AXS: sample": ("axs_scan", {"element": "Cu", "sample": "nothing"}, "nothing"),
    "AXS: e0 far": ("axs_scan", {"element": "Cu", "e0_eV": 9500.0}, "within 50 eV"),
    "powder: sample": ("powder_scan", {"sample": "unobtainium"}, "unobtainium"),
    "powder: 2-tuple": ("powder_scan", {"two_theta": (10.0, 20.0)}, "(start, stop, step)"),
    "powder: text": ("powder_scan", {"two_theta": "10-20"}, "(start, stop, step)"),
    "powder: inverted": ("powder_scan", {"two_theta": (10.0, 5.0, 0.01)}, "stop > start"),
    "powder: step 0": ("powder_scan", {"two_theta": (10.0, 20.0, 0.0)}, "step > 0"),
    "powder: arm": ("powder_scan", {"two_theta": (10.0, 170.0, 0.01)}, "arm limits"),
    "powder: points": ("powder_scan", {"two_theta": (1.0, 100.0, 0.001)}, "exceed"),
    "powder: energy": ("powder_scan", {"energy_eV": 40000.0}, "mono range"),
    "powder: energy text": ("powder_scan", {"energy_eV": "17 keV"}, "'17 keV'"),
    "powder: dwell '1'": ("powder_scan", {"dwell_s": "1"}, "dwell_s must be a number"),
    "powder: dwell 0": ("powder_scan", {"dwell_s": 0.0}, "dwell_s"),
    "powder: texture": ("powder_scan", {"texture_axis": (1, 1)}, "texture_axis"),
    "instrument: standard": ("calibrate_instrument", {"standard": "nope"}, "nope"),
    "instrument: 2-tuple": ("calibrate_instrument", {"two_theta": (10.0, 20.0)}, "(start, stop"),
    "ions: ion": ("stopping_scan", {"ion": "Xq", "energies_MeV": [5.0]}, "unknown ion"),
    "ions: target": ("stopping_scan", {"target": "Qz", "energies_MeV": [5.0]}, "Qz"),
    "ions: no foil": ("stopping_scan", {"target": "Cu", "energies_MeV": [5.0]}, "no foil"),
    "ions: low": ("stopping_scan", {"energies_MeV": [0.1, 5.0]}, "source range"),
    "ions: high": ("stopping_scan", {"energies_MeV": [5.0, 80.0]}, "source range"),
    "ions: negative": ("stopping_scan", {"energies_MeV": [-1.0]}, "positive"),
    "ions: empty": ("stopping_scan", {"energies_MeV": []}, "empty"),
    "ions: repeated": ("stopping_scan", {"energies_MeV": [5.0, 6.0, 5.0]}, "repeated"),
    "ions: NaN": ("stopping_scan", {"energies_MeV": [math.nan]}, "energies_MeV"),
    "ions: text": ("stopping_scan", {"energies_MeV": "5"}, "'5'"),
    "ions: dwell '1'": ("stopping_scan", {"energies_MeV": [5.0], "dwell_s": "1"}, "dwell_s"),
    "ions: dwell 0": ("stopping_scan", {"energies_MeV": [5.0], "dwell_s": 0}, "dwell_s"),
}  # fmt: skip
PLAN_DEFAULTS = {
    "edge_scan": {"regions": SHORT},
    "axs_scan": {"q_grid": QG, "offsets_eV": [-25.0, -250.0]},
    "stopping_scan": {"ion": "alpha", "target": "Al"},
}


@pytest.fixture(scope="module")
def bl():
    from axsuite.devices import make_beamline

    return make_beamline(load_profile("default"))


@pytest.mark.parametrize("case", list(PLANS), ids=list(PLANS))
def test_plan_refuses_before_any_message(bl, case):
    import axsuite.plans as plans

    name, kwargs, words = PLANS[case]
    plan = getattr(plans, name)(beamline=bl, **{**PLAN_DEFAULTS.get(name, {}), **kwargs})
    with pytest.raises(ValueError) as err:
        next(plan)
    _one_line(err.value, words)


PROFILES = {
    "sample sum 0.8": (("samples", "cuzr_ribbon", "composition"), {"Cu": 0.4, "Zr": 0.4}),
    "sample element": (("samples", "cuzr_ribbon", "composition"), {"Cu": 0.5, "Xx": 0.5}),
    "formula element": (("samples", "cu_foil", "composition"), "Qq"),
    "gas element": (("ion_chambers", "I0", "gas"), {"Xx": 1.0}),
    "AXS sum 0.8": (("axs", "samples", "cuzr_glass", "composition"), {"Cu": 0.4, "Zr": 0.4}),
    "foil unknown": (("reference_foils", "Cu"), "nofoil"),
    "ROI inverted": (("discriminator", "rois", "Cu_K"), {"low_eV": 9000.0, "high_eV": 2.0}),
    "energy range": (("mono", "energy_min_eV"), 40000.0),
    "d-spacing text": (("mono", "d_spacing_A"), "abc"),
    "unknown key": (("mono", "colour"), "red"),
    "ion unknown": (("ion_beam", "ion"), "unobtainium"),
    "charge model": (("ion_beam", "charge_model"), "nope"),
    "dump above refill": (("source", "dump_threshold_mA"), 500.0),
    "date": (("mono", "calibration_date"), "yesterday"),
    "bandwidth": (("mono", "bandwidth"), -1.0),
    "seed text": (("seed",), "abc"),
}


def _default_raw() -> dict:
    return yaml.safe_load((PROFILE_DIR / "default.yaml").read_text())


def _set(raw: dict, path: tuple[str, ...], value) -> dict:
    node = raw
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return raw


@pytest.mark.parametrize("case", list(PROFILES), ids=list(PROFILES))
def test_profile_refused_naming_the_key(tmp_path, case):
    from axsuite.session.profile import ProfileError

    path, value = PROFILES[case]
    p = tmp_path / "bad.yaml"
    p.write_text(yaml.safe_dump(_set(_default_raw(), path, value)))
    with pytest.raises(ProfileError) as err:
        load_profile(p)
    _one_line(err.value, path[-1] if path[-1] not in ("Cu", "cu_foil") else ".".join(path[:2]))


hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies
LEAVES = [
    (path, value)
    for path, value in (
        (("mono", "d_spacing_A"), None),
        (("mono", "energy_max_eV"), None),
        (("source", "flux_ph_s"), None),
        (("samples", "cuzr_ribbon", "composition"), None),
        (("samples", "cu_foil", "thickness_cm"), None),
        (("discriminator", "rois", "Cu_K", "low_eV"), None),
        (("arm", "two_theta_max_deg"), None),
        (("ion_beam", "ion"), None),
        (("powder", "two_theta"), None),
        (("axs", "samples", "cuzr_glass", "packing"), None),
        (("catalog", "batch_size"), None),
        (("seed",), None),
    )
]
VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.lists(st.floats(-1e3, 1e3), max_size=4),
    st.dictionaries(st.sampled_from(["Cu", "Zr", "Xx", "N2", ""]), st.floats(-2, 2), max_size=3),
)


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(
    edits=st.lists(st.tuples(st.sampled_from([p for p, _ in LEAVES]), VALUES), max_size=3)
)
def test_fuzzed_profile_loads_or_names_the_problem(tmp_path_factory, edits):
    """Any YAML edit of the default profile loads or raises ONE ProfileError line."""
    from axsuite.session.profile import ProfileError

    raw = _default_raw()
    for path, value in edits:
        _set(raw, path, value)
    p = tmp_path_factory.mktemp("fuzz") / "p.yaml"
    p.write_text(yaml.safe_dump(raw))
    try:
        load_profile(p)
    except ProfileError as exc:
        assert len(str(exc).strip().splitlines()) == 1, str(exc)


@hypothesis.settings(max_examples=40, deadline=None)
@hypothesis.given(text=st.text(max_size=200))
def test_fuzzed_profile_text_is_refused_in_one_line(tmp_path_factory, text):
    from axsuite.session.profile import ProfileError

    p = tmp_path_factory.mktemp("fuzz") / "p.yaml"
    p.write_text(text)
    with pytest.raises(ProfileError) as err:
        load_profile(p)
    assert len(str(err.value).strip().splitlines()) == 1
