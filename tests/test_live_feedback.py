"""Live feedback a person reads: the table of points, ion-chamber gains, the shell's
namespace and banner, and result lines that say when a size is not resolved."""

from __future__ import annotations

import dataclasses
import re

import numpy as np
import pytest
from axsuite.callbacks.live import ReadableTable
from axsuite.plans import edge_scan, powder_scan


def _table(RE, plan, **kwargs) -> list[str]:
    lines: list[str] = []
    RE(plan, ReadableTable(write=lines.append, **kwargs))
    return lines


def test_short_scan_one_line_per_point_with_units_and_integer_counts(RE, beamline):
    regions = [{"start": -20.0, "stop": 20.0, "step": 5.0}]
    lines = _table(RE, edge_scan("Cu", beamline=beamline, regions=regions, dwell_s=0.1))
    head, rows = lines[1], lines[2:]
    assert len(rows) == 9  # (20 − (−20))/5 + 1 points, one line each
    for col in ("E (eV)", "I0 (cts)", "It (cts)", "fluor (cts)"):
        assert col in head
    i0 = head.split().index("I0")  # a count column holds integers ("55", not "55.000")
    assert all(re.fullmatch(r"\d+", r.split()[i0 - 1]) for r in rows)  # "(eV)" shifts by one
    assert rows[-1].split()[0] == "9/9"


def test_long_scan_prints_a_few_compact_lines(RE, beamline):
    plan = powder_scan("CeO2", beamline=beamline, two_theta=(11.0, 15.0, 0.01))  # 401 points
    lines = _table(RE, plan)
    assert "401 points, a line every 41 points" in lines[0] and "2θ (deg)" in lines[1]
    rows = [r for r in lines[2:] if re.match(r"\s*\d+/401", r)]
    # every 41st point (9 lines) and the last one; a slow run adds one per 10 s at most
    assert 10 <= len(rows) <= 10 + 2
    assert rows[-1].split()[0] == "401/401" and lines[-1].endswith("401 points, success")
    lines = _table(RE, powder_scan("CeO2", beamline=beamline, two_theta=(11.0, 15.0, 0.01)),
                   mode="lines")  # fmt: skip
    assert len(lines) == 2 + 401


def test_runs_without_a_role_map_print_no_table(RE, beamline):
    from bluesky.plans import count

    assert _table(RE, count([beamline.I0], num=3)) == []  # e.g. a calibration record run


def test_bad_table_options_are_one_line_errors():
    with pytest.raises(ValueError, match="mode 'wide'"):
        ReadableTable("wide")
    with pytest.raises(ValueError, match="every_s > 0 \\(got 0"):
        ReadableTable(every_s=0)


def test_chamber_gains_make_ln_i0_it_positive_below_the_edges(RE, beamline):
    """Amplifier gains I0 : It : Iref = 1 : 1/20 : 1/100 (DEFAULT_GAINS): ln(I0/It) > 0
    below and above the Cu and Zr K edges, and the gain is in the run's configuration."""
    from axsuite.devices.detectors import DEFAULT_GAINS

    rows, config = [], {}

    def collect(name, doc):
        if name == "descriptor":
            config.update(doc["configuration"]["It"]["data"])
        if name == "event":
            d = doc["data"]
            rows.append((d["I0_counts"], d["It_counts"], d["Iref_counts"]))

    for el in ("Cu", "Zr"):
        regions = [{"start": -200.0, "stop": 200.0, "step": 100.0}]
        RE(edge_scan(el, beamline=beamline, regions=regions, dwell_s=0.1), collect)
    a = np.array(rows, dtype=float)
    assert np.all(np.log(a[:, 0] / a[:, 1]) > 0) and np.all(np.log(a[:, 1] / a[:, 2]) > 0)
    assert config["It_gain"] == DEFAULT_GAINS["It"] == 0.05


def test_shell_namespace_has_numpy_and_banner_names_what_is_there(session):
    from axsuite.session.shell import shell_banner, shell_config, shell_namespace

    ns = shell_namespace(session)
    assert ns["np"] is np and ns["RE"] is session.RE and "edge_scan" in ns and "I0" in ns
    banner = shell_banner(session)
    assert "np" in banner and "axs_scan" in banner and "live figures off" in banner
    assert shell_config(session).TerminalInteractiveShell.banner1 == banner


def test_unresolved_sizes_are_reported_as_bounds_not_numbers():
    """Peaks as narrow as the instrument (a 4 µm-crystallite film would give 417,380 Å):
    the analysis marks them unresolved and the printed lines give its bound, no number."""
    from types import SimpleNamespace

    from axsuite.analysis.lineprofile import (
        InstrumentFunction,
        PeakFit,
        size_strain_from_fits,
        tch_fwhm_eta,
    )
    from axsuite.callbacks.lineprofile_text import report_lines, size_text

    inst = InstrumentFunction(U=0.004, V=-0.002, W=0.002, X=0.005, Y=0.004)
    lam, tt = 0.7293, np.array([13.4, 15.5, 22.0, 25.8])
    g, lo = inst.gaussian_fwhm(tt), inst.lorentzian_fwhm(tt)
    fits = [
        PeakFit(c, 1e-4, 1e4, 10.0, gg, 1e-4, ll * 1.001, 1e-4, 0.0, 2e-4, 0.5, 0.0, 1.0)
        for c, gg, ll in zip(tt, g, lo, strict=True)
    ]
    fits = [dataclasses.replace(f, fwhm_deg=float(tch_fwhm_eta(f.gamma_g_deg, f.gamma_l_deg)[0]))
            for f in fits]  # fmt: skip
    ss = size_strain_from_fits(fits, lam, inst)
    assert not ss.resolved.any()
    per_peak = zip(ss.scherrer_size_A, ss.resolved, ss.size_limit_A, strict=True)
    texts = [size_text(d, ok, lim) for d, ok, lim in per_peak]
    for text, lim in zip(texts, ss.size_limit_A, strict=True):
        assert text == f", Scherrer D > {lim:.0f} Å (broadening not resolved by the instrument)"
    assert size_text(300.0, True, 5000.0) == ", Scherrer D = 300 Å"
    r = SimpleNamespace(
        sample="film", wh_size_A=float("nan"), wh_size_err_A=float("nan"), wh_strain=1e-3,
        wh_strain_err=2e-4, wh_r_squared=0.3, texture_sigma=0.1, refinement=None,
        notes=ss.notes,
    )  # fmt: skip
    lines = report_lines(r, 0.89)
    assert "D not resolved" in lines[0] and "nan" not in lines[0].split("ε")[0]
    assert any("not broadened beyond the instrument" in line for line in lines)


def test_axs_shell_opens_with_banner_numpy_table_and_figures(tmp_path):
    """`axs shell` (stdin piped, no display): banner, `np`, a scan prints its table, and its
    live figure is written headless into the data dir."""
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    cells = (
        "print('n =', np.linspace(0, 1, 3).size)\n"
        "RE(edge_scan('Cu', regions=[{'start': -20.0, 'stop': 20.0, 'step': 10.0}], "
        "dwell_s=0.1))\n"
    )
    data = tmp_path / "data"
    proc = subprocess.run(
        [sys.executable, "-m", "axsuite.session.cli", "shell", "--data-dir", str(data)],
        input=cells, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    out = proc.stdout
    assert "axsuite shell" in out and "np; plans:" in out and "n = 3" in out, out[-2000:]
    assert "E (eV)" in out and "5/5" in out  # the readable table, one line per point
    assert (data / "plots" / "live" / "edge.png").stat().st_size > 0
