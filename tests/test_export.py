"""``axs export``: XDI with the dictionary's headers (read back by our reader and by Larch),
Athena projects (Larch), NeXus NXxas (h5py), CSV/xye of patterns, I(Q), S(Q), S(E); bad
input is one line with exit status 2 and leaves no file behind."""

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest
from axsuite.analysis.xas_io import read_athena, read_xas, read_xdi_table
from axsuite.session.cli import main

REGIONS = [
    {"start": -350.0, "stop": -30.0, "step": 40.0},
    {"start": -30.0, "stop": 30.0, "step": 1.5},
    {"k_start": 3.3, "k_stop": 10.0, "k_step": 0.3},
]
XDI_HEADERS = (
    "Facility.name", "Facility.xray_source", "Facility.current", "Beamline.name", "Detector.i0",
    "Detector.it", "Detector.ir", "Scan.start_time", "Scan.end_time", "Mono.name",
    "Mono.d_spacing", "Element.symbol", "Element.edge", "Element.reference", "Element.ref_edge",
    "Sample.name", "Sample.stoichiometry",
)  # fmt: skip
HAVE_LARCH = importlib.util.find_spec("larch") is not None
needs_larch = pytest.mark.skipif(
    not HAVE_LARCH, reason="xraylarch not installed ('axsuite[larch]')"
)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Edge scans (Cu, Zr), an AXS, a stopping and a powder scan, analysed live."""
    from axsuite.session.session import build_session

    s = build_session(
        "default",
        data_dir=tmp_path_factory.mktemp("export") / "data",
        echo=None,
        safe_callbacks=False,
        progress=False,
    )
    (cu,) = s.RE(s.plans.edge_scan("Cu", regions=REGIONS, dwell_s=0.5))
    (zr,) = s.RE(s.plans.edge_scan("Zr", regions=REGIONS, dwell_s=0.5))
    (axs,) = s.RE(
        s.plans.axs_scan("Cu", offsets_eV=[-25.0, -250.0], q_grid=list(np.linspace(1, 7, 25)))
    )
    (stop,) = s.RE(s.plans.stopping_scan("alpha", "Al", energies_MeV=[4.0, 8.0, 16.0, 32.0]))
    (powder,) = s.RE(s.plans.powder_scan("CeO2", two_theta=(11.0, 14.0, 0.05)))
    yield s, {"cu": cu, "zr": zr, "axs": axs, "stopping": stop, "powder": powder}
    s.close()


def _export(s, argv, capsys):
    code = main(["export", *argv, "--data-dir", str(s.data_dir)])
    captured = capsys.readouterr()
    paths = [line.split("wrote ", 1)[1] for line in captured.out.splitlines() if "wrote" in line]
    return code, paths, captured.err


def _primary(s, uid):
    start = s.catalog[uid].metadata["start"]
    return start, start["fields"], s.catalog[uid]["primary"].read()


def test_xdi_has_the_dictionary_headers_and_reads_back(runs, tmp_path, capsys):
    s, uids = runs
    code, (path,), _ = _export(s, [uids["cu"], "--format", "xdi", "--out", str(tmp_path)], capsys)
    assert code == 0
    start, f, ds = _primary(s, uids["cu"])
    header, names, data = read_xdi_table(path)
    for key in XDI_HEADERS:
        assert header.get(key), key
    assert header["Element.symbol"] == "Cu" and header["Element.edge"] == "K"
    assert float(header["Mono.d_spacing"]) == pytest.approx(3.1356)
    # ISO 8601 to the second, same zone: a short scan may end within its start second
    assert header["Scan.start_time"] <= header["Scan.end_time"]
    assert "N2" in header["Detector.i0"] and header["Facility.current"].endswith(" mA")
    assert names[:4] == ["energy", "i0", "itrans", "mutrans"] and "irefer" in names
    col = {n: data[:, i] for i, n in enumerate(names)}
    i0, it = np.asarray(ds[f["i0"]], float), np.asarray(ds[f["it"]], float)
    assert np.allclose(col["energy"], np.asarray(ds[f["energy"]], float), rtol=1e-9)
    assert np.allclose(col["mutrans"], np.log(i0 / it), rtol=1e-8)
    assert np.allclose(col["irefer"], np.asarray(ds[f["iref"]], float), rtol=1e-9)
    (spectrum,) = read_xas(path)  # the xas engineer's reader: μ column chosen from mutrans
    assert np.allclose(spectrum.mu, np.log(i0 / it), rtol=1e-8) and spectrum.element == "Cu"


@needs_larch
def test_larch_reads_our_xdi(runs, tmp_path, capsys):
    from larch.io import read_xdi

    s, uids = runs
    _, (path,), _ = _export(s, [uids["zr"], "--format", "xdi", "--out", str(tmp_path)], capsys)
    start, f, ds = _primary(s, uids["zr"])
    x = read_xdi(path)
    assert x.element == "Zr" and x.edge == "K"
    assert x.dspacing == pytest.approx(3.1356)
    assert x.attrs["scan"]["start_time"] and x.attrs["facility"]["name"]
    assert np.allclose(x.energy, np.asarray(ds[f["energy"]], float), rtol=1e-9)
    i0, it = np.asarray(ds[f["i0"]], float), np.asarray(ds[f["it"]], float)
    assert np.allclose(x.mutrans, np.log(i0 / it), rtol=1e-8)


@needs_larch
def test_athena_project_of_two_scans_reads_back_in_larch(runs, tmp_path, capsys):
    from larch.io import read_athena as larch_read_athena

    s, uids = runs
    out = tmp_path / "edges.prj"
    code, paths, _ = _export(
        s, [uids["cu"], uids["zr"], "--format", "athena", "-o", str(out)], capsys
    )
    assert code == 0 and paths == [str(out)]
    project = larch_read_athena(str(out))
    groups = list(project.groups.values()) if hasattr(project, "groups") else list(project)
    groups = [g for g in groups if hasattr(g, "energy")]
    assert len(groups) == 2
    ours = read_athena(out)  # the second reader agrees
    for g, spectrum, key in zip(groups, ours, ("cu", "zr"), strict=True):
        _, f, ds = _primary(s, uids[key])
        mu = np.log(np.asarray(ds[f["i0"]], float) / np.asarray(ds[f["it"]], float))
        assert np.allclose(g.energy, np.asarray(ds[f["energy"]], float), rtol=1e-9)
        assert np.allclose(g.mu, mu, rtol=1e-8)
        assert np.allclose(spectrum.mu, mu, rtol=1e-8)


def test_athena_without_larch_is_one_line(runs, tmp_path, capsys, monkeypatch):
    s, uids = runs
    monkeypatch.setitem(sys.modules, "larch", None)  # import larch → ImportError
    code, paths, err = _export(
        s, [uids["cu"], "--format", "athena", "--out", str(tmp_path)], capsys
    )
    assert code == 2 and paths == [] and "needs xraylarch" in err
    assert list(tmp_path.iterdir()) == []


def test_nexus_nxxas_holds_the_arrays(runs, tmp_path, capsys):
    h5py = pytest.importorskip("h5py")
    s, uids = runs
    code, (path,), _ = _export(s, [uids["cu"], "--format", "nexus", "--out", str(tmp_path)], capsys)
    assert code == 0
    start, f, ds = _primary(s, uids["cu"])
    with h5py.File(path, "r") as h:
        e = h["entry"]
        assert e.attrs["NX_class"] == "NXentry" and e["definition"][()].decode() == "NXxas"
        assert e["start_time"][()].decode().startswith("20")
        for group, cls in (("instrument", "NXinstrument"), ("instrument/source", "NXsource"),
                           ("instrument/monochromator", "NXmonochromator"),
                           ("instrument/incoming_beam", "NXdetector"),
                           ("instrument/absorbed_beam", "NXdetector"), ("sample", "NXsample"),
                           ("monitor", "NXmonitor"), ("data", "NXdata")):  # fmt: skip
            assert e[group].attrs["NX_class"] == cls, group
        assert e["instrument/source/probe"][()].decode() == "x-ray"
        energy = e["instrument/monochromator/energy"]
        assert energy.attrs["units"] == "eV"
        assert np.allclose(energy[()], np.asarray(ds[f["energy"]], float), rtol=1e-12)
        assert np.array_equal(e["instrument/incoming_beam/data"][()], np.asarray(ds[f["i0"]]))
        assert np.array_equal(e["instrument/absorbed_beam/data"][()], np.asarray(ds[f["it"]]))
        assert e["instrument/absorbed_beam/data"].attrs["signal"] == 1
        assert e["monitor/mode"][()].decode() == "timer" and e["monitor/preset"][()] == 0.5
        assert e["data"]["energy"] == energy  # linked, not copied
        assert e["data"].attrs["signal"] == "absorbed_beam"
        assert e["sample/name"][()].decode() == start["sample"]


def _table(path, delimiter=None):
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    head = [ln for ln in lines if ln.startswith("#")]
    body = [ln for ln in lines if not ln.startswith("#")]
    if delimiter == ",":
        labels, body = body[0].split(","), body[1:]
    else:
        labels = None
    data = np.array([[float(x) for x in ln.replace(",", " ").split()] for ln in body])
    return head, labels, data


def test_powder_xye_and_csv(runs, tmp_path, capsys):
    s, uids = runs
    _, f, ds = _primary(s, uids["powder"])
    tth, counts = np.asarray(ds[f["two_theta"]], float), np.asarray(ds[f["intensity"]], float)
    code, (xye,), _ = _export(
        s, [uids["powder"], "--format", "xye", "--out", str(tmp_path)], capsys
    )
    head, _, data = _table(xye)
    assert code == 0 and "two_theta (deg)" in head[-1] and "sigma" in head[-1]
    assert np.allclose(data[:, 0], tth) and np.allclose(data[:, 1], counts)
    assert np.allclose(data[:, 2], np.sqrt(counts))
    code, (csv,), _ = _export(
        s, [uids["powder"], "--format", "csv", "--out", str(tmp_path)], capsys
    )
    _, labels, data = _table(csv, ",")
    assert labels == ["two_theta (deg)", "counts", "sigma"] and np.allclose(data[:, 1], counts)


def test_stopping_and_axs_tables_hold_the_analysis(runs, tmp_path, capsys):
    s, uids = runs
    live = {cb.analysis_name: cb.results for cb in s.analyses}
    st = live["stopping"][uids["stopping"]]
    code, (xye,), _ = _export(
        s, [uids["stopping"], "--format", "xye", "--out", str(tmp_path)], capsys
    )
    head, _, data = _table(xye)
    assert code == 0 and "energy (MeV/u)" in head[-1] and "MeV cm2/g" in head[-1]
    assert np.allclose(data[:, 0], st.energy_MeV_u, rtol=1e-9)
    assert np.allclose(data[:, 1], st.stopping_MeV_cm2_g, rtol=1e-9)
    assert np.allclose(data[:, 2], st.sigma_MeV_cm2_g, rtol=1e-9)
    ax = live["axs"][uids["axs"]]
    code, paths, _ = _export(
        s, [uids["axs"], "--format", "csv", "--out", str(tmp_path / "a")], capsys
    )
    assert code == 0
    iq = sorted(p for p in paths if "_IQ_" in p)
    assert len(iq) == len(ax.intensities) == 2
    for ei in ax.intensities:
        (path,) = [p for p in iq if f"_IQ_{ei.energy_eV:.1f}eV" in p]
        _, labels, data = _table(path, ",")
        assert labels == ["q (1/A)", "intensity (e.u./atom)", "sigma (e.u./atom)"]
        assert np.allclose(data[:, 0], ei.q) and np.allclose(data[:, 1], ei.intensity, rtol=1e-9)
    (ds_path,) = [p for p in paths if "_dSQ_" in p]
    _, _, data = _table(ds_path, ",")
    assert np.allclose(data[:, 1], ax.differentials[0].ds, rtol=1e-9)


def test_bad_input_is_one_line_and_writes_nothing(runs, tmp_path, capsys, monkeypatch):
    s, uids = runs
    blocker = tmp_path / "afile"
    blocker.write_text("x")
    out = tmp_path / "out"
    cases = [
        ([uids["cu"], "--format", "pdf"], "unknown format 'pdf'"),
        ([uids["powder"], "--format", "xdi"], "not an edge scan"),
        ([uids["stopping"], "--format", "nexus"], "not an edge scan"),
        ([uids["cu"], "--format", "xye"], "it exports as xdi, csv, athena, nexus"),
        ([uids["cu"], "--format", "xdi", "--out", str(blocker / "sub")], "not writable"),
        (["nosuchrun", "--format", "csv"], "no run 'nosuchrun'"),
    ]
    for argv, message in cases:
        full = argv if "--out" in argv else [*argv, "--out", str(out)]
        code, paths, err = _export(s, full, capsys)
        lines = err.strip().splitlines()
        assert code == 2 and len(lines) == 1 and message in lines[0], (argv, lines)
        assert paths == []
    assert not out.exists() or list(out.iterdir()) == []
    # a failure in the middle of a several-file export leaves none of its files
    from axsuite.session import export_tables

    calls = []

    def failing(table):
        calls.append(table.name)
        if len(calls) == 2:
            raise OSError("disk full (simulated)")
        return "x\n"

    monkeypatch.setattr(export_tables, "csv_text", failing)
    code, paths, err = _export(s, [uids["axs"], "--format", "csv", "--out", str(out)], capsys)
    assert code == 2 and "disk full" in err and len(calls) == 2
    assert not out.exists() or list(out.iterdir()) == []
