"""Analysis callbacks: a failing analysis is said in one line and stored as a fail run; the
rows published with schema validation once per stream are identical, once stored, to rows
validated one by one (issue 16)."""

from __future__ import annotations

import event_model
import numpy as np
import pytest
from axsuite.callbacks.base import AnalysisCallback


class Failing(AnalysisCallback):
    analysis_name = "failing"

    def accepts(self, start):
        return True

    def on_stop(self, doc):
        raise ZeroDivisionError("division by zero in the fit")


class Rows(AnalysisCallback):
    analysis_name = "rows"

    def accepts(self, start):
        return True

    def on_stop(self, doc):
        rng = np.random.default_rng(5)
        rows = [{"energy": 8000.0 + i, "mu": rng.normal(), "n": i, "spec": rng.normal(size=4)}
                for i in range(300)]  # fmt: skip
        self.publish([self.raw_start["uid"]], {"table": rows, "one": [{"e0_eV": 8979.1}]},
                     units={"energy": "eV", "e0_eV": "eV"})  # fmt: skip
        return len(rows)


def _raw_run():
    bundle = event_model.compose_run(metadata={"scan_id": 7})
    return [("start", bundle.start_doc), ("stop", bundle.compose_stop())]


def test_failing_analysis_is_one_line_and_a_fail_run(tmp_path):
    lines: list[str] = []
    cb = Failing(echo=lines.append)
    cb.plot_dir = tmp_path / "file"
    cb.plot_dir.write_text("not a directory")
    docs = _raw_run()
    for name, doc in docs:
        cb(name, doc)
    uid = docs[0][1]["uid"]
    assert any("cannot write plots" in line for line in lines)
    fail = [line for line in lines if "FAILED" in line]
    assert len(fail) == 1 and "failing" in fail[0] and "scan 7" in fail[0]
    assert "division by zero in the fit" in fail[0] and "\n" not in fail[0]
    names = [name for name, _ in cb.published]
    assert names == ["start", "stop"]
    start, stop = cb.published[0][1], cb.published[1][1]
    assert start["raw_uids"] == [uid] and start["analysis"] == "failing"
    assert stop["exit_status"] == "fail" and "division by zero" in stop["reason"]
    assert cb.failures == {uid: fail[0].split(": ", 1)[1]}
    assert uid not in cb.results


@pytest.fixture(scope="module")
def catalog(tmp_path_factory):
    from axsuite.session.catalog import open_catalog

    return open_catalog(None, tmp_path_factory.mktemp("pub"))


def _stored(catalog, validate_every_event: bool):
    from bluesky_tiled_plugins import TiledWriter

    writer = TiledWriter(catalog, batch_size=100, max_array_size=0)  # as the session's
    cls = type("RowsV", (Rows,), {"validate_every_event": validate_every_event})
    cb = cls(publish=writer, echo=None)
    for name, doc in _raw_run():
        cb(name, doc)
    uid = cb.published[0][1]["uid"]
    run = catalog[uid]
    return {s: run[s].read() for s in ("table", "one")}, cb.published


def test_validated_once_stores_the_same_runs(catalog):
    before, docs_before = _stored(catalog, True)
    after, docs_after = _stored(catalog, False)
    assert [n for n, _ in docs_before] == [n for n, _ in docs_after]
    for stream in ("table", "one"):
        assert set(before[stream].data_vars) == set(after[stream].data_vars)
        for field in before[stream].data_vars:
            if field.startswith("ts_") or field == "time":
                continue
            a, b = np.asarray(before[stream][field]), np.asarray(after[stream][field])
            assert a.dtype == b.dtype and np.array_equal(a, b), field
    assert np.asarray(after["table"]["spec"]).shape == (300, 4)
