"""Remote analysis (DESIGN §11): a session streams its documents through bluesky's 0MQ proxy
to an ``axs worker`` process, which runs the same analysis callbacks and writes the analysis
run to the tiled server; the stored result equals a replay of the stored raw run."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import yaml
from axsuite.session.profile import PROFILE_DIR, ProfileError, load_profile, profile_from_dict
from axsuite.session.replay import replay
from axsuite.session.session import build_session
from axsuite.session.worker import Worker, jetstream_names, parse_stream_address
from tiled.queries import Key

REGIONS = [{"start": -60, "stop": 60, "step": 5}]


def _wait_for(log, text: str, proc: subprocess.Popen, timeout_s: float) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if text in log.read_text():
            return
        if proc.poll() is not None:
            pytest.fail(f"process exited ({proc.returncode}): {log.read_text()[-2000:]}")
        time.sleep(0.2)
    pytest.fail(f"no {text!r} within {timeout_s} s: {log.read_text()[-2000:]}")


def test_worker_analyses_streamed_runs_into_the_server(server, tmp_path, monkeypatch, free_port):
    uri, key = server
    port_in, port_out = free_port(), free_port()
    profile_yaml = tmp_path / "beamline.yaml"
    profile_yaml.write_text(
        yaml.safe_dump(
            {
                "extends": str(PROFILE_DIR / "default.yaml"),
                "catalog": {"uri": uri},
                "streaming": {"publish": f"zmq://127.0.0.1:{port_in}", "local_analysis": False},
            }
        )
    )
    env = {**os.environ, "TILED_API_KEY": key}
    procs = []
    try:
        for name, cmd in [
            ("proxy", ["-m", "bluesky.commandline.zmq_proxy", str(port_in), str(port_out)]),
            ("worker", ["-m", "axsuite.session.cli", "worker", f"zmq://127.0.0.1:{port_out}",
                        "--profile", str(profile_yaml), "--data-dir", str(tmp_path / "worker"),
                        "--max-runs", "2"]),
        ]:  # fmt: skip
            argv, err = [sys.executable, *cmd], subprocess.STDOUT
            with open(tmp_path / f"{name}.log", "w") as log:  # the child keeps its descriptor
                procs.append(subprocess.Popen(argv, env=env, stdout=log, stderr=err))
        worker, worker_log = procs[1], tmp_path / "worker.log"
        _wait_for(worker_log, "worker: listening", worker, 300)
        time.sleep(1.0)  # let the subscription reach the proxy (0MQ slow joiner)

        monkeypatch.setenv("TILED_API_KEY", key)
        s = build_session(load_profile(profile_yaml), data_dir=tmp_path / "client", echo=None,
                          progress=False, safe_callbacks=False)  # fmt: skip
        assert s.analyses == []  # local_analysis: false — the worker does it
        uids = [s.RE(s.plans.edge_scan(el, regions=REGIONS))[0] for el in ("Cu", "Zr")]
        assert worker.wait(timeout=300) == 0, worker_log.read_text()[-2000:]
        out = worker_log.read_text()
        assert "worker: analysed 2 run(s)" in out and "E0 = 8978" in out and "E0 = 1799" in out

        s.close()
        for uid in uids:
            stored = [
                r for r in s.catalog.search(Key("analysis") == "edge").values()
                if r.metadata["start"]["raw_uids"] == [uid]
            ]  # fmt: skip
            assert len(stored) == 1
            e0_worker = float(stored[0]["edge"].read()["e0_eV"][0])
            e0_replay = replay(s.catalog, [uid], s.profile, echo=None)[uid]["edge"]["e0_eV"]
            assert abs(e0_worker - e0_replay) < 1e-9
            assert np.isfinite(e0_worker)
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=30)


def test_max_runs_stops_an_in_process_worker_after_that_many_runs(RE, free_port, tmp_path):
    """The worker's own loop: documents from a Publisher through a proxy, stop after one run."""
    from axsuite.callbacks.edge import EdgeCallback
    from axsuite.session.worker import make_publisher
    from bluesky.plans import count
    from ophyd.sim import det

    port_in, port_out = free_port(), free_port()
    cmd = [sys.executable, "-m", "bluesky.commandline.zmq_proxy", str(port_in), str(port_out)]
    proxy = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    publisher = make_publisher(f"zmq://127.0.0.1:{port_in}")
    try:
        edge = EdgeCallback(echo=None)
        lines: list[str] = []
        worker = Worker(f"zmq://127.0.0.1:{port_out}", [edge], max_runs=1, echo=lines.append)
        got: list[list[str]] = []
        thread = threading.Thread(target=lambda: got.append(worker.run()), daemon=True)
        thread.start()
        time.sleep(2.0)  # proxy up, worker subscribed (0MQ slow joiner)
        assert lines == [f"worker: listening on zmq://127.0.0.1:{port_out}"]
        RE.subscribe(publisher)
        (uid,) = RE(count([det], num=3))
        thread.join(timeout=180)
        assert not thread.is_alive() and got == [[uid]]
        assert edge.results == {}  # a count is not an edge scan: accepted by no analysis
    finally:
        publisher.close()
        proxy.terminate()
        proxy.wait(timeout=30)


@pytest.mark.parametrize(
    ("url", "match"),
    [
        ("tcp://127.0.0.1:5577", "zmq://host:port"),
        ("amqp://127.0.0.1:5672", "nats://host:port"),
        ("zmq://127.0.0.1", "port"),
        ("zmq://127.0.0.1:70000", "port"),
    ],
)
def test_bad_stream_addresses_raise(url, match):
    with pytest.raises(ValueError, match=match):
        parse_stream_address(url)


def test_profile_streaming_is_validated():
    raw = yaml.safe_load((PROFILE_DIR / "default.yaml").read_text())
    raw["streaming"] = {"publish": None, "local_analysis": False}
    with pytest.raises(ProfileError, match="streaming.*needs publish"):
        profile_from_dict(raw)
    raw["streaming"] = {"publish": "udp://x:1"}
    with pytest.raises(ProfileError, match="streaming"):
        profile_from_dict(raw)


def test_worker_cli_rejects_a_bad_address(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "axsuite.session.cli", "worker", "tcp://x:1", "--data-dir",
         str(tmp_path)], capture_output=True, text=True)  # fmt: skip
    assert out.returncode == 2 and "zmq://host:port" in out.stderr and "Traceback" not in out.stderr


def _nats_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 4222), timeout=2):
            return True
    except OSError:
        return False


def _delete_stream(url: str, prefix: str) -> None:
    import asyncio

    import nats

    async def delete() -> None:
        nc = await nats.connect(url)
        await nc.jetstream().delete_stream(jetstream_names(prefix)[0])
        await nc.close()

    asyncio.run(delete())


def test_nats_worker_resumes_where_its_durable_name_stopped(tmp_path):
    """JetStream keeps the documents of a run taken while the worker was down; the worker
    restarted under the same durable name analyses that run (and only that one)."""
    if not _nats_up():
        pytest.skip("no NATS server on 127.0.0.1:4222")
    from axsuite.callbacks.edge import EdgeCallback

    url, prefix = "nats://127.0.0.1:4222", f"axstest{secrets.token_hex(4)}"
    raw = yaml.safe_load((PROFILE_DIR / "default.yaml").read_text())
    raw["streaming"] = {"publish": url, "prefix": prefix}
    s = build_session(profile_from_dict(raw), data_dir=tmp_path, echo=None, progress=False,
                      safe_callbacks=False)  # fmt: skip
    live = next(cb for cb in s.analyses if cb.analysis_name == "edge")

    def start_worker() -> tuple[EdgeCallback, threading.Thread, list]:
        edge, lines, got = EdgeCallback(echo=None), [], []
        worker = Worker(url, [edge], prefix=prefix, max_runs=1, durable="w1", echo=lines.append)
        thread = threading.Thread(target=lambda: got.append(worker.run()), daemon=True)
        thread.start()
        for _ in range(100):
            if lines:
                break
            time.sleep(0.1)
        assert lines == [f"worker: listening on {url}"]
        return edge, thread, got

    try:
        edge1, thread1, got1 = start_worker()
        (uid1,) = s.RE(s.plans.edge_scan("Cu", regions=REGIONS))
        thread1.join(timeout=180)
        assert got1 == [[uid1]] and edge1.results[uid1].e0_eV == live.results[uid1].e0_eV

        (uid2,) = s.RE(s.plans.edge_scan("Zr", regions=REGIONS))  # no worker running
        edge2, thread2, got2 = start_worker()
        thread2.join(timeout=180)
        assert got2 == [[uid2]] and list(edge2.results) == [uid2]
        assert edge2.results[uid2].e0_eV == live.results[uid2].e0_eV
    finally:
        s.close()
        _delete_stream(url, prefix)


def test_nats_publisher_reports_an_unreachable_server(free_port):
    from axsuite.session.worker import make_publisher

    with pytest.raises(ConnectionError, match="cannot reach the NATS server"):
        make_publisher(f"nats://127.0.0.1:{free_port()}")
