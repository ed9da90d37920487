"""XAS file readers: every measured file equals a plain column read; header variants; Athena."""

from pathlib import Path

import numpy as np
import pytest
from axsuite.analysis.xas_io import read_athena, read_columns, read_xas, read_xdi_table

DATA = Path(__file__).parent / "data" / "xas"

# file → (energy column, i0 column, it column, mu column or None), 0-based, read from the
# files' own Column.N lines by eye (independent of the reader's name matching)
COLUMNS = {
    "cu_metal_rt.xdi": (0, 1, 2, 3),
    "Cu_Foil_rt_2016Foils.xdi": (0, 2, 1, None),
    "CuO_tenorite_13K_01.xdi": (0, 1, 2, None),
    "Se_CuSe_rt_01.xdi": (0, 2, 1, None),
    "cr2o3_rt_001.xdi": (0, 1, 2, None),
    "Hansel2001_Fe_foil_xanes_001.xdi": (0, 2, 1, None),
}
ELEMENTS = {
    "cu_metal_rt.xdi": "Cu",
    "Cu_Foil_rt_2016Foils.xdi": "Cu",
    "Se_CuSe_rt_01.xdi": "Se",
    "CuO_tenorite_13K_01.xdi": "Cu",
    "cr2o3_rt_001.xdi": "Cr",
    "Hansel2001_Fe_foil_xanes_001.xdi": "Fe",
}


def test_every_measured_file_is_covered():
    assert sorted(p.name for p in DATA.glob("*.xdi")) == sorted(COLUMNS)


@pytest.mark.parametrize("name", sorted(COLUMNS))
def test_xdi_equals_plain_column_read(name):
    raw = np.loadtxt(DATA / name, comments="#")
    ie, i0, it, imu = COLUMNS[name]
    (d,) = read_xas(DATA / name)
    assert np.array_equal(d.energy_eV, raw[:, ie])
    expected = raw[:, imu] if imu is not None else np.log(raw[:, i0] / raw[:, it])
    assert np.allclose(d.mu, expected, rtol=0, atol=1e-12)
    assert d.element == ELEMENTS[name] and d.edge == "K"


def test_mutrans_column_agrees_with_ln_i0_it():
    raw = np.loadtxt(DATA / "cu_metal_rt.xdi", comments="#")
    assert np.allclose(raw[:, 3], np.log(raw[:, 1] / raw[:, 2]), atol=1e-6)


def _variant(tmp_path, text, version, dashes, slashes):
    lines = text.splitlines()
    lines[0] = version
    out = []
    for line in lines:
        if line.startswith("#----"):
            out.append(dashes)
        elif line.strip() == "# ///":
            out.extend([slashes] if slashes else [])
        else:
            out.append(line)
    p = tmp_path / "variant.xdi"
    p.write_text("\n".join(out) + "\n")
    return p


@pytest.mark.parametrize(
    ("version", "dashes", "slashes"),
    [
        ("#XDI/1.1  GSE/2.0", "# -------------", "# ///"),
        ("# XDI/1.0", "#----", None),
        ("# XDI/1.0 GSE/1.0", "#-------------------------", "#///"),
    ],
)
def test_header_variants_read_the_same(tmp_path, version, dashes, slashes):
    src = DATA / "cu_metal_rt.xdi"
    (ref,) = read_xas(src)
    p = _variant(tmp_path, src.read_text(), version, dashes, slashes)
    (d,) = read_xas(p)
    assert np.array_equal(d.energy_eV, ref.energy_eV) and np.array_equal(d.mu, ref.mu)
    assert d.header["Element.symbol"] == "Cu"


def test_fluorescence_columns_and_kev(tmp_path):
    e = np.linspace(8.9, 9.1, 30)
    i0 = np.full(30, 1000.0)
    fl = np.linspace(10.0, 40.0, 30)
    p = tmp_path / "fluo.xdi"
    p.write_text(
        "# XDI/1.0\n# Column.1: energy keV\n# Column.2: i0\n# Column.3: ifluor\n"
        "# Element.symbol: Cu\n#----\n# energy i0 ifluor\n"
        + "\n".join(f"{a} {b} {c}" for a, b, c in zip(e, i0, fl, strict=True))
    )
    (d,) = read_xas(p)
    assert np.allclose(d.energy_eV, e * 1000.0)
    assert np.allclose(d.mu, fl / i0) and d.mu_source == "ifluor/i0"


def test_plain_columns_with_and_without_labels(tmp_path):
    e = np.linspace(8900.0, 9100.0, 20)
    mu = np.linspace(0.1, 1.0, 20)
    p = tmp_path / "a.dat"
    p.write_text("# my scan\n" + "\n".join(f"{a},{b}" for a, b in zip(e, mu, strict=True)))
    d = read_columns(p)
    assert np.allclose(d.energy_eV, e) and np.allclose(d.mu, mu)
    q = tmp_path / "b.txt"
    q.write_text("# energy it i0\n" + "\n".join(f"{a} {b} 2.0" for a, b in zip(e, mu, strict=True)))
    (d2,) = read_xas(q)
    assert np.allclose(d2.mu, np.log(2.0 / mu))


def test_athena_project_matches_the_xdi_files():
    groups = read_athena(DATA / "cu_se_larch.prj")
    assert [g.label for g in groups] == ["cu_metal_rt.xdi", "Se_CuSe_rt_01.xdi"]
    for g in groups:
        (x,) = read_xas(DATA / g.label)
        assert g.element == x.element and g.edge == "K"
        assert np.allclose(g.energy_eV, x.energy_eV) and np.allclose(g.mu, x.mu, atol=1e-9)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("# XDI/1.0\n# Column.1: energy\n# Column.2: i0\n#----\n1 2\n3 x\n", "not numeric"),
        ("# XDI/1.0\n# Column.1: energy\n# Column.2: i0\n#----\n1 2\n3 4\n", "cannot form mu"),
        ("# XDI/1.0\n# Column.1: energy\n#----\n1 2 3\n", "3 data columns"),
        ("# Athena project file -- Demeter version 0.9\n", "no mu"),
    ],
)
def test_bad_files_raise_naming_the_problem(tmp_path, text, match):
    p = tmp_path / "bad.xdi"
    p.write_text(text)
    with pytest.raises(ValueError, match=match):
        read_xas(p)


def test_xdi_table_from_export_module_is_the_same_reader():
    from axsuite.session.export import read_xdi

    assert read_xdi is read_xdi_table


def test_reference_channel():
    raw = np.loadtxt(DATA / "CuO_tenorite_13K_01.xdi", comments="#")
    (d,) = read_xas(DATA / "CuO_tenorite_13K_01.xdi")
    ref = d.reference()
    assert np.allclose(ref.mu, np.log(raw[:, 2] / raw[:, 3]))
    assert ref.mu_source == "ln(itrans/irefer)" and ref.element == "Cu"
    (no_ref,) = read_xas(DATA / "Se_CuSe_rt_01.xdi")
    with pytest.raises(ValueError, match="reference channel"):
        no_ref.reference()
