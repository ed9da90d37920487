"""Remote plan submission (DESIGN §11): ``axs queue-server`` runs bluesky-queueserver's RE
Manager (queue in Redis) on the session's devices and plans; a queued edge scan lands in the
catalog with its live analysis, and a queued plan with a bad element fails with the plan's
own message before any motion."""

from __future__ import annotations

import inspect
import secrets
import socket
import subprocess
import sys
import time

import pytest
from axsuite.session.qserver import plan_for_queue
from tiled.queries import Key

qapi = pytest.importorskip("bluesky_queueserver_api.zmq")
from bluesky_queueserver_api import BPlan  # noqa: E402

REDIS = ("127.0.0.1", 6379)


def _redis_up() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=2):
            return True
    except OSError:
        return False


def _redis_delete(prefix: str) -> None:
    with socket.create_connection(REDIS, timeout=5) as s:
        s.sendall(f"EVAL \"for _,k in ipairs(redis.call('keys', ARGV[1])) do "
                  f"redis.call('del', k) end return 0\" 0 {prefix}*\r\n".encode())  # fmt: skip
        s.recv(1024)


def test_plans_for_the_queue_hide_the_beamline_argument(beamline):
    from axsuite import plans

    queued = plan_for_queue(plans.edge_scan, beamline)
    params = inspect.signature(queued).parameters
    assert "beamline" not in params and list(params)[:2] == ["element", "edge"]
    assert inspect.isgeneratorfunction(queued) and queued.__name__ == "edge_scan"
    msgs = list(queued("Cu", regions=[{"start": -10, "stop": 10, "step": 5}]))
    assert any(m.command == "open_run" for m in msgs)


def test_queue_server_runs_a_submitted_edge_scan(tmp_path, free_port):
    if not _redis_up():
        pytest.skip("no Redis server on 127.0.0.1:6379")
    prefix = f"axs_test_{secrets.token_hex(4)}"
    control, info = f"tcp://127.0.0.1:{free_port()}", f"tcp://127.0.0.1:{free_port()}"
    data = tmp_path / "data"
    cmd = [sys.executable, "-m", "axsuite.session.cli", "queue-server", "--data-dir", str(data),
           "--redis-prefix", prefix, "--zmq-control-addr", control,
           "--zmq-info-addr", info]  # fmt: skip
    log = tmp_path / "manager.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    RM = qapi.REManagerAPI(zmq_control_addr=control, zmq_info_addr=info, timeout_recv=10)
    try:
        for _ in range(120):
            if proc.poll() is not None:
                pytest.fail(f"manager exited: {log.read_text()[-3000:]}")
            try:
                RM.status()
                break
            except Exception:
                time.sleep(0.5)
        else:
            pytest.fail(f"manager did not answer within 60 s: {log.read_text()[-3000:]}")
        RM.environment_open()
        RM.wait_for_idle(timeout=240)
        assert RM.status()["worker_environment_exists"], log.read_text()[-3000:]
        allowed = set(RM.plans_allowed()["plans_allowed"])
        assert {"edge_scan", "calibrate_mono", "axs_scan", "stopping_scan"} <= allowed
        assert "dcm" in RM.devices_allowed()["devices_allowed"]

        regions = [{"start": -60, "stop": 60, "step": 5}]
        RM.item_add(BPlan("edge_scan", "Cu", regions=regions))
        RM.item_add(BPlan("edge_scan", "Xx", regions=regions))
        RM.queue_start()
        RM.wait_for_idle(timeout=240)
        good, bad = RM.history_get()["items"][-2:]
        assert good["result"]["exit_status"] == "completed", good["result"]
        (uid,) = good["result"]["run_uids"]
        assert bad["result"]["exit_status"] == "failed"
        assert "Xx" in bad["result"]["msg"] and bad["result"]["run_uids"] == []
        RM.environment_close()
        RM.wait_for_idle(timeout=120)
    finally:
        RM.close()
        proc.terminate()
        proc.wait(timeout=60)
        _redis_delete(prefix)

    from axsuite.session.catalog import find_run, open_embedded_catalog

    catalog = open_embedded_catalog(data)
    run = find_run(catalog, uid)
    assert run.metadata["stop"]["exit_status"] == "success"
    assert len(run["primary"].read()["dcm_energy"]) == 25
    edges = [
        r for r in catalog.search(Key("analysis") == "edge").values()
        if r.metadata["start"]["raw_uids"] == [uid]
    ]  # fmt: skip
    assert len(edges) == 1 and 8976.0 < float(edges[0]["edge"].read()["e0_eV"][0]) < 8982.0
