"""``axs report``: a self-contained page of a small campaign (edge, AXS, stopping, powder)
holds every number ``axs replay --json`` gives, renders in headless Chromium with every
figure, and bad input is one line with exit status 2."""

import json
import math
import os
import re
import shutil
import subprocess
import time
from html.parser import HTMLParser

import numpy as np
import pytest

EDGE_REGIONS = [
    {"start": -350.0, "stop": -30.0, "step": 40.0},
    {"start": -30.0, "stop": 30.0, "step": 1.5},
    {"k_start": 3.3, "k_stop": 10.0, "k_step": 0.3},
]


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    """A short campaign run live; its page written as the demo writes it (live results)."""
    from axsuite.session.report import write_session_report
    from axsuite.session.session import build_session

    s = build_session(
        "default",
        data_dir=tmp_path_factory.mktemp("report") / "data",
        echo=None,
        safe_callbacks=False,
        progress=False,
    )
    started = time.time()
    uids = [
        *s.RE(s.plans.edge_scan("Cu", regions=EDGE_REGIONS, dwell_s=0.5)),
        *s.RE(
            s.plans.axs_scan("Cu", offsets_eV=[-25.0, -250.0], q_grid=list(np.linspace(1, 7, 25)))
        ),
        *s.RE(s.plans.stopping_scan("alpha", "Al", energies_MeV=[4.0, 8.0, 16.0, 32.0])),
        *s.RE(s.plans.powder_scan("CeO2", two_theta=(11.0, 20.0, 0.03))),
    ]
    page = write_session_report(s, since=started)
    yield s, uids, page
    s.close()


class PageValues(HTMLParser):
    """Collects ``data-path`` values: scalar cells and list items by their path, array
    table columns by their header's path (then the row index)."""

    def __init__(self):
        super().__init__()
        self.values: dict[str, str] = {}
        self._open: str | None = None
        self._text: list[str] = []
        self._columns: list[str] = []
        self._row: list[str] = []
        self._in_cell = False
        self._rows = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "table":
            self._columns, self._rows = [], 0
        elif tag == "th" and "data-path" in a:
            self._columns.append(a["data-path"])
        elif tag in ("td", "li") and "data-path" in a:
            self._open, self._text = a["data-path"], []
        elif tag == "td" and self._columns:
            self._in_cell, self._text = True, []

    def handle_endtag(self, tag):
        if tag in ("td", "li") and self._open is not None:
            self.values[self._open] = "".join(self._text)
            self._open = None
        elif tag == "td" and self._in_cell:
            self._row.append("".join(self._text))
            self._in_cell = False
        elif tag == "tr" and self._row:
            for path, text in zip(self._columns, self._row, strict=True):
                self.values[f"{path}[{self._rows}]"] = text
            self._rows += 1
            self._row = []

    def handle_data(self, data):
        if self._open is not None or self._in_cell:
            self._text.append(data)


def leaves(obj, path):
    """(path, value) of every scalar in a JSON structure, lists indexed as ``[i]``."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            yield from leaves(v, f"{path}.{k}" if not path.endswith("/") else f"{path}{k}")
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            yield from leaves(v, f"{path}[{i}]")
    else:
        yield path, obj


def same(text: str, value) -> bool:
    if value is None:
        return text == "null"
    if isinstance(value, bool):
        return text == json.dumps(value)
    if isinstance(value, (int, float)):
        number = float(text)
        return (math.isnan(number) and math.isnan(value)) or number == value
    return text == str(value)


def test_page_holds_every_number_of_replay_json(campaign, capsys):
    from axsuite.session.cli import main

    s, uids, page = campaign
    assert page.parent == s.data_dir / "reports" and page.exists()
    assert main(["replay", *uids, "--json", "--data-dir", str(s.data_dir)]) == 0
    replayed = json.loads(capsys.readouterr().out)["runs"]
    assert {r["uid"] for r in replayed} == set(uids)
    parser = PageValues()
    parser.feed(page.read_text(encoding="utf-8"))
    checked = 0
    for run in replayed:
        for path, value in leaves(run["results"], f"{run['uid']}/"):
            path = re.sub(r"^([^/]+/[^.\[]+)[.]", r"\1/", path)  # uid/analysis/key…
            assert path in parser.values, f"{path} missing from the page"
            assert same(parser.values[path], value), (path, parser.values[path], value)
            checked += 1
    analyses = {a for r in replayed for a in r["results"]}
    assert analyses == {"edge", "absorption", "axs", "stopping", "lineprofile"}
    assert checked > 1000


def test_page_is_self_contained_with_metadata_and_provenance(campaign):
    s, uids, page = campaign
    text = page.read_text(encoding="utf-8")
    assert not re.search(r"""(src|href)=["'](https?:|//|file:)""", text)
    assert text.count("data:image/png;base64,") == 4  # absorption, axs, stopping, powder
    for uid in uids:
        assert f'id="run-{uid}"' in text
    assert s.profile.content_hash in text and "Si(111)" in text
    # the stored analysis runs appear by uid in the provenance tables
    from tiled.queries import Key

    found = s.catalog.search(Key("analysis") == "stopping").values()
    stored = [r.metadata["start"]["uid"] for r in found]
    assert stored and all(u in text for u in stored)
    # units and uncertainties: the fitted mean excitation energy with its error in eV
    assert re.search(r"<th>i_fit_eV</th><td>[0-9.]+</td><td>± [0-9.]+</td><td>eV</td>", text)


def _chromium() -> str | None:
    found = [shutil.which(name) for name in ("chromium", "chromium-browser")]
    return next((path for path in found if path), None)


def test_page_renders_in_headless_chromium(campaign):
    browser = _chromium()
    if browser is None:
        pytest.skip("no chromium installed (Debian: apt-get install chromium)")
    s, _, page = campaign
    shot = s.data_dir / "reports" / "screenshot.png"
    flags = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
             "--enable-logging=stderr", "--virtual-time-budget=10000"]  # fmt: skip
    url = page.as_uri()
    dom = subprocess.run(
        [*flags, "--dump-dom", url], capture_output=True, text=True, timeout=180, check=True
    )
    figures = re.search(r'data-figures="(\d+)/(\d+)"', dom.stdout)
    assert figures, "the page's check script did not run"
    assert figures.group(1) == figures.group(2) == "4"
    assert 'data-rendered="no"' not in dom.stdout
    assert "Failed to load resource" not in dom.stderr
    subprocess.run(
        [*flags, "--window-size=1400,2400", f"--screenshot={shot}", url],
        capture_output=True,
        timeout=180,
        check=True,
    )
    from matplotlib.image import imread

    pixels = imread(shot)
    assert pixels.shape[0] == 2400 and pixels.shape[1] == 1400
    assert pixels[..., :3].std() > 0.05  # not a blank page


def test_cli_report_and_bad_input(campaign, tmp_path, capsys):
    from axsuite.session.cli import main
    from tiled.queries import Key

    s, uids, _ = campaign
    ddir = ["--data-dir", str(s.data_dir)]
    # one run: a page of its own, from a replay
    assert main(["report", uids[2][:8], "--out", str(tmp_path / "one"), *ddir]) == 0
    out = capsys.readouterr().out
    path = tmp_path / "one" / f"report_{uids[2][:8]}.html"
    assert str(path) in out and path.exists()
    assert "i_fit_eV" in path.read_text(encoding="utf-8")
    # two campaigns starting with the same run get two pages (no silent overwrite)
    for keys in ([uids[0], uids[1]], [uids[0], uids[2]]):
        assert main(["report", *keys, "--out", str(tmp_path / "two"), *ddir]) == 0
    assert len(list((tmp_path / "two").glob("campaign_*.html"))) == 2
    capsys.readouterr()
    analysis_uid = next(iter(s.catalog.search(Key("analysis") == "stopping")))
    blocker = tmp_path / "file"
    blocker.write_text("x")
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    cases = [
        (["report", "nosuchrun"], "no run 'nosuchrun'"),
        (["report", analysis_uid], "is an analysis run"),
        (["report", uids[0], "--out", str(blocker)], "not a directory"),
    ]
    if os.geteuid() != 0:  # root writes anywhere
        cases.append((["report", uids[0], "--out", str(locked / "sub")], "not writable"))
    for argv, message in cases:
        code = main([*argv, *ddir])
        err = capsys.readouterr().err.strip().splitlines()
        assert code == 2 and len(err) == 1 and message in err[0], (argv, err)
    assert not list(locked.iterdir())
