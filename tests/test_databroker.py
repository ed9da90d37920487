"""Users' scripts reach runs through databroker: the v2 client and the v1-style ``Broker``.

The test writes a small catalog itself (embedded catalog and catalog writer of the suite,
a 5-point scan of ophyd's simulated detector), then reads it back through databroker's
own APIs, as README's snippet does, and compares with the documents the RunEngine emitted.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from bluesky import plans as bp
from ophyd.sim import det, motor


@pytest.fixture
def small_catalog(tmp_path, RE):
    """Embedded catalog with one 5-point scan; returns (data_dir, uid, the emitted events)."""
    from axsuite.session.catalog import make_writer, open_embedded_catalog

    catalog = open_embedded_catalog(tmp_path)
    events = []
    RE.subscribe(make_writer(catalog, batch_size=2))
    RE.subscribe(lambda name, doc: events.append(doc) if name == "event" else None)
    (uid,) = RE(bp.scan([det], motor, -1.0, 1.0, 5), sample="test", scan_id=7)
    return tmp_path, uid, events


def test_v2_client_reads_the_run(small_catalog):
    from axsuite.session.catalog import open_embedded_catalog
    from databroker.client import BlueskyRun, CatalogOfBlueskyRuns
    from databroker.queries import Key, ScanID

    data_dir, uid, events = small_catalog
    catalog = open_embedded_catalog(data_dir)  # a new client on the files, as a script would
    assert isinstance(catalog, CatalogOfBlueskyRuns)
    run = catalog[uid]
    assert isinstance(run, BlueskyRun) and run.metadata["start"]["sample"] == "test"
    data = run["primary"].read()
    expected = [e["data"]["det"] for e in sorted(events, key=lambda e: e["seq_num"])]
    np.testing.assert_allclose(data["det"].values, expected, rtol=0, atol=0)
    assert list(catalog.search(ScanID(7))) == [uid]
    assert list(catalog.search(Key("sample") == "test")) == [uid]
    assert len(catalog.search(Key("sample") == "other")) == 0


def test_v1_broker_for_old_scripts(small_catalog):
    """``db[-1].table()`` as old scripts do, in an interpreter of its own: databroker's v1
    shim changes process-wide state that later readers in the same process (replay through
    ``run.documents()``) would inherit."""
    data_dir, uid, events = small_catalog
    script = textwrap.dedent(
        f"""
        import json
        from axsuite.session.catalog import open_embedded_catalog
        from databroker import Broker

        db = Broker(open_embedded_catalog({str(data_dir)!r}))
        header = db[-1]
        table = db[-1].table()
        print(json.dumps({{
            "uid": header.start["uid"], "exit_status": header.stop["exit_status"],
            "rows": len(table),
            "motor": {{int(k): float(v) for k, v in table["motor"].to_dict().items()}},
            "found": [h.start["uid"] for h in db(sample="test")],
            "names": [name for name, _ in header.documents()],
        }}))
        """
    )
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         timeout=600)  # fmt: skip
    assert res.returncode == 0, res.stderr
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["uid"] == uid and out["exit_status"] == "success"
    assert out["rows"] == 5
    expected = {e["seq_num"]: e["data"]["motor"] for e in events}
    assert {int(k): v for k, v in out["motor"].items()} == pytest.approx(expected)
    assert out["found"] == [uid]
    names = out["names"]
    assert names[0] == "start" and names[-1] == "stop" and names.count("event") == 5
