"""``axs demo --quick``: the same plans and analyses on fewer points still find the truth.

The references are the simulator's own truth and the tables: the Cu K edge (xraylib
8978.9 eV), the hard-sphere plate's first S(Q) peak, the Al foil's true mean excitation
energy (profile: 170 eV) and the CeO2 crystallite size and strain of the profile.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from axsuite.session.demo import DEMO_STEPS, FULL, QUICK, run_demo


def test_quick_tour_is_smaller_than_the_campaign():
    assert QUICK.elements == ("Cu",) and len(QUICK.q_grid) < len(FULL.q_grid) / 3
    assert len(QUICK.stopping_energies_MeV) < len(FULL.stopping_energies_MeV)
    start, stop, step = QUICK.powder_two_theta
    assert (stop - start) / step < 1000 and not QUICK.textured_film


def test_quick_demo_finds_the_simulated_truth(session):
    lines: list[str] = []
    run_demo(session, echo=lines.append, quick=True)
    assert sum(line.startswith("== demo: ") for line in lines) == len(DEMO_STEPS)
    results = {cb.analysis_name: list(cb.results.values()) for cb in session.analyses}
    edges = [r for r in results["edge"] if r.element == "Cu"]
    assert len(edges) == 2  # the calibration scan and the edge scan
    assert edges[-1].e0_eV == pytest.approx(8978.9, abs=2.0)
    assert len(results["axs"]) == 1 and results["axs"][-1].partials is None  # one edge only
    stopping = results["stopping"][-1]
    assert stopping.i_fit_eV == pytest.approx(170.0, abs=3 * stopping.i_err_eV + 2.0)
    ceo2 = next(r for r in results["lineprofile"] if r.wh_size_A is not None)
    truth = session.bl.xrd.truth()
    assert ceo2.wh_size_A == pytest.approx(truth["size_A"], rel=0.05)
    assert ceo2.wh_strain == pytest.approx(truth["strain"], rel=0.1)
    report = lines[-1].removeprefix("== report: ")
    assert report.endswith(".html") and "CeO2" in Path(report).read_text(encoding="utf-8")
