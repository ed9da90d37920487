"""``axs analyze-xas``: measured files in, Larch-consistent numbers and ranges out."""

import json
from pathlib import Path

import pytest
from axsuite.session.cli import main

DATA = Path(__file__).parent / "data" / "xas"
LARCH = json.loads((DATA / "larch_reference.json").read_text())["files"]


def test_json_output_element_from_header(capsys):
    name = "Se_CuSe_rt_01.xdi"
    assert main(["analyze-xas", str(DATA / name), "--json"]) == 0
    (out,) = json.loads(capsys.readouterr().out)
    assert out["element"] == "Se" and out["edge"] == "K" and out["formula"] == "CuSe"
    assert abs(out["e0_eV"] - LARCH[name]["e0_eV"]) < 0.5
    assert out["edge_step"] == pytest.approx(LARCH[name]["edge_step"], rel=0.01)
    assert out["ranges"]["pre1_eV"] == LARCH[name]["pre1_eV"]
    assert [a["offset_eV"] for a in out["at"]] == [-100.0, -30.0, -10.0]
    assert out["flags"] == []


def test_report_writes_plot_and_json_for_each_athena_group(tmp_path, capsys):
    args = ["analyze-xas", str(DATA / "cu_se_larch.prj"), "--report", "--output-dir"]
    assert main([*args, str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert text.count("plot: ") == 2 and "Se K" in text and "Cu K" in text
    pngs = sorted(tmp_path.glob("*.png"))
    assert len(pngs) == 2 and all(p.read_bytes()[:4] == b"\x89PNG" for p in pngs)
    saved = [json.loads(p.read_text()) for p in sorted(tmp_path.glob("*.json"))]
    assert {s["element"] for s in saved} == {"Cu", "Se"}


def test_other_edge_warning_is_printed(tmp_path, capsys):
    e0 = 8979.0
    lines = ["# energy mu"]
    from axsuite.analysis import xray

    energies = [e0 - 200.0 + 2.0 * i for i in range(651)]
    mu = xray.compound_mass_attenuation_cm2_g({"Cu": 0.5, "Zn": 0.5}, energies)
    lines += [f"{a} {b}" for a, b in zip(energies, mu, strict=True)]
    f = tmp_path / "brass.dat"
    f.write_text("\n".join(lines))
    assert main(["analyze-xas", str(f), "--element", "Cu", "--formula", "CuZn"]) == 0
    out = capsys.readouterr().out
    assert "WARNING" in out and "Zn K 9658.6 eV" in out


@pytest.mark.parametrize(
    ("extra", "match"),
    [
        ([], "names no element"),
        (["--element", "Qq"], "unknown element"),
        (["--element", "Cu", "--edge", "X7"], "unknown absorption edge"),
    ],
)
def test_user_errors_exit_2(tmp_path, capsys, extra, match):
    f = tmp_path / "plain.dat"
    f.write_text("\n".join(f"{8800 + i} {0.01 * i}" for i in range(100)))
    assert main(["analyze-xas", str(f), *extra]) == 2
    assert match in capsys.readouterr().err


def test_catalog_stores_an_analysis_run(tmp_path, capsys):
    name = "cu_metal_rt.xdi"
    assert main(["analyze-xas", str(DATA / name), "--catalog", "--data-dir", str(tmp_path)]) == 0
    assert "stored as analysis run" in capsys.readouterr().out
    from axsuite.session.catalog import open_catalog

    cat = open_catalog(None, tmp_path)
    (run,) = list(cat.values())
    start = run.metadata["start"]
    assert start["analysis"] == "absorption" and start["element"] == "Cu"
    assert abs(start["e0_eV"] - LARCH[name]["e0_eV"]) < 0.5
    table = run["anomalous_factors"].read()
    assert len(table["energy"]) == 408
    at = run["anomalous_at_offsets"].read()
    assert list(at["offset_eV"]) == [-100.0, -30.0, -10.0]
