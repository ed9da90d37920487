"""Bad-input sweep, the ``axs`` CLI part (issue 12): every case exits 2 with ONE line on
stderr naming the bad value, and writes nothing (the data directory's files are unchanged and
the catalog still holds its one run). The API, plan and profile tables are in
tests/test_bad_input.py.
"""

from __future__ import annotations

import os

import pytest

XRD = os.path.join(os.path.dirname(__file__), "data", "xrd", "corundum.prn")
L = ["--wavelength", "1.5406"]


@pytest.fixture(scope="module")
def ddir(tmp_path_factory):
    """A data directory whose embedded catalog holds one run, plus bad files beside it."""
    import event_model
    from axsuite.session.catalog import open_catalog
    from bluesky_tiled_plugins import TiledWriter

    d = tmp_path_factory.mktemp("bad") / "data"
    d.mkdir()
    writer = TiledWriter(open_catalog(None, d))
    bundle = event_model.compose_run(metadata={"scan_id": 1, "plan_name": "count"})
    writer("start", bundle.start_doc)
    writer("stop", bundle.compose_stop())
    files = d.parent
    (files / "afile").write_text("x")
    (files / "bad.yaml").write_text("U: [1, 2\nV: {")
    (files / "list.yaml").write_text("- 1\n- 2\n")
    (files / "empty.xy").write_text("")
    (files / "junk.xy").write_text("this is not\na pattern\n")
    (files / "adir").mkdir()
    return d


def _fingerprint(root) -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, _, names in os.walk(root):
        for n in names:
            st = os.stat(os.path.join(dirpath, n))
            out[os.path.join(dirpath, n)] = (st.st_size, st.st_mtime_ns)
    return out


CLI = {
    "data dir is a file": (["runs", "--data-dir", "{f}/afile"], "is a file"),
    "data dir under a file": (["runs", "--data-dir", "{f}/afile/sub"], "is a file"),
    "demo: data dir is a file": (["demo", "--data-dir", "{f}/afile"], "is a file"),
    "shell: under a file": (["shell", "--data-dir", "{f}/afile/x"], "is a file"),
    "backfill: data dir is a file": (["backfill", "--data-dir", "{f}/afile"], "is a file"),
    "global option first": (["--data-dir", "{f}/afile", "runs"], "is a file"),
    "global option, unknown run": (["--data-dir", "{d}", "replay", "nosuchrun"], "no run"),
    "replay: unknown scan id": (["replay", "99999", "--data-dir", "{d}"], "no run '99999'"),
    "runs: no catalog": (["runs", "--data-dir", "{f}/adir"], "no catalog"),
    "runs: unknown profile": (["runs", "--profile", "nope", "--data-dir", "{d}"], "nope"),
    "runs: malformed profile": (["runs", "--profile", "{f}/bad.yaml", "--data-dir", "{d}"], "YAML"),
    "runs: list profile": (["runs", "--profile", "{f}/list.yaml", "--data-dir", "{d}"], "mapping"),
    "export: -o a directory": (["export", "1", "-o", "{f}/adir", "--data-dir", "{d}"], "directory"),
    "export: -o nowhere": (["export", "1", "-o", "{f}/no/x.xdi", "--data-dir", "{d}"], "not exist"),
    "export: no run": (["export", "nosuch", "-o", "{f}/x.xdi", "--data-dir", "{d}"], "no run"),
    "pattern: a directory": (["analyze-pattern", "{f}/adir"], "is a directory"),
    "pattern: missing": (["analyze-pattern", "{f}/missing.xy"], "no such file"),
    "pattern: empty file": (["analyze-pattern", "{f}/empty.xy", "--wavelength", "1.5"], "empty.xy"),
    "pattern: junk file": (["analyze-pattern", "{f}/junk.xy", "--wavelength", "1.5"], "junk.xy"),
    "pattern: --cif missing": (["analyze-pattern", XRD, *L, "--cif", "{f}/no.cif"], "no.cif"),
    "pattern: --cif a directory": (["analyze-pattern", XRD, *L, "--cif", "{f}/adir"], "directory"),
    "pattern: malformed --instrument": (
        ["analyze-pattern", XRD, "--wavelength", "1.5406", "--instrument", "{f}/bad.yaml"], "YAML",
    ),
    "pattern: --instrument a list": (
        ["analyze-pattern", XRD, "--wavelength", "1.5406", "--instrument", "{f}/list.yaml"],
        "mapping",
    ),
    "pattern: no instrument": (["analyze-pattern", XRD, "--instrument", "{f}/no.yml"], "no.yml"),
    "pattern: --standard missing": (["analyze-pattern", XRD, "--standard", "{f}/no.xy"], "no.xy"),
    "pattern: --wavelength 150": (["analyze-pattern", XRD, "--wavelength", "150"], "150"),
    "pattern: --wavelength 0": (["analyze-pattern", XRD, "--wavelength", "0"], "wavelength"),
    "pattern: --wavelength -1": (["analyze-pattern", XRD, "--wavelength", "-1"], "wavelength"),
    "pattern: --k -1": (["analyze-pattern", XRD, "--wavelength", "1.5406", "--k", "-1"], "--k"),
    "pattern: doublet": (["analyze-pattern", XRD, *L, "--doublet", "x"], "doublet"),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CLI), ids=list(CLI))
def test_cli_exit_2_one_line_nothing_written(ddir, capsys, case):
    from axsuite.session.cli import main

    argv, words = CLI[case]
    argv = [a.format(d=ddir, f=ddir.parent) for a in argv]
    before = _fingerprint(ddir.parent)
    code = main(argv)
    err = capsys.readouterr().err.strip()
    assert code == 2, err
    command = argv[2] if argv[0].startswith("-") else argv[0]
    assert len(err.splitlines()) == 1 and err.startswith(f"axs {command}: error: "), err
    assert words.lower() in err.lower(), err
    assert _fingerprint(ddir.parent) == before


def test_catalog_run_count_unchanged(ddir):
    from axsuite.session.catalog import open_catalog

    assert len(open_catalog(None, ddir)) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
@pytest.mark.parametrize("command", ["demo", "backfill"])
def test_read_only_data_dir(tmp_path, capsys, command):
    from axsuite.session.cli import main

    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    assert main([command, "--data-dir", str(ro / "data")]) == 2
    assert "read-only" in capsys.readouterr().err
    assert list(ro.iterdir()) == []


@pytest.mark.parametrize("command", ["demo", "shell", "backfill"])
def test_read_only_data_dir_as_the_os_reports_it(tmp_path, capsys, monkeypatch, command):
    """Same refusal where the test runs as root (which may write anywhere): the directory is
    reported read-only by ``os.access``, as it is for a normal user."""
    from axsuite.session.cli import main

    ro = tmp_path / "ro"
    ro.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(ro) else real(p, mode))
    assert main([command, "--data-dir", str(ro / "data")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "read-only" in err and str(ro) in err
    assert list(ro.iterdir()) == []
    assert main([command, "--data-dir", str(ro)]) == 2
    assert "is not writable" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["exprot", "1"], "invalid choice: 'exprot'"),
        (["stopping", "He", "Al"], "--energies"),
        (["demo", "--bogus"], "unrecognized arguments: --bogus"),
        (["export"], "required"),
    ],
)
def test_argument_errors_are_one_line(capsys, argv, needle):
    """argparse's own errors (unknown command or option, missing argument): one line naming
    the problem and where help is, exit 2 — not the usage block."""
    from axsuite.session.cli import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 2
    assert len(err.splitlines()) == 1 and needle in err and "--help" in err, err
