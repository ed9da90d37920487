"""Server mode (DESIGN §4, §10, §12): ``axs serve`` runs a tiled server over SQLite or
PostgreSQL that refuses clients without the API key; a session writes to it over HTTP and
the runs are found by scan_id and replay like embedded ones."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
import yaml
from axsuite.session.catalog import find_run
from axsuite.session.profile import PROFILE_DIR, profile_from_dict
from axsuite.session.replay import replay
from axsuite.session.session import build_session

PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _psql(sql: str) -> subprocess.CompletedProcess:
    cmd = ["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", "postgres",
           "-v", "ON_ERROR_STOP=1", "-c", sql]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30)


def _status(url: str, key: str | None) -> int:
    req = urllib.request.Request(url, headers={"Authorization": f"Apikey {key}"} if key else {})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request, tmp_path):
    """A running ``axs serve`` with a random API key; yields (uri, key)."""
    args = []
    databases = []
    if request.param == "postgresql":
        if shutil.which("psql") is None or _psql("select 1").returncode != 0:
            pytest.skip("no PostgreSQL server reachable on 127.0.0.1:5432")
        name = f"axsuite_test_{secrets.token_hex(4)}"
        databases = [name, f"{name}_tables"]
        for db in databases:
            assert _psql(f"CREATE DATABASE {db}").returncode == 0
        base = f"{PG['user']}@{PG['host']}:{PG['port']}"
        args = ["--catalog-uri", f"postgresql+asyncpg://{base}/{databases[0]}",
                "--tabular-uri", f"postgresql://{base}/{databases[1]}"]  # fmt: skip
    key = secrets.token_hex(16)
    port = _free_port()
    env = {**os.environ, "TILED_SINGLE_USER_API_KEY": key}
    srv = tmp_path / "srv"
    cmd = [sys.executable, "-m", "axsuite.session.cli", "serve", "--data-dir", str(srv),
           "--port", str(port), *args]  # fmt: skip
    log = open(tmp_path / "server.log", "w")  # closed in the finally block
    proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    uri = f"http://127.0.0.1:{port}"
    try:
        for _ in range(120):
            if proc.poll() is not None:
                pytest.fail(f"server exited: {(tmp_path / 'server.log').read_text()[-2000:]}")
            try:
                if _status(f"{uri}/api/v1/", key) == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("server did not start within 60 s")
        yield uri, key
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
        for db in databases:
            _psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")


def test_serve_refuses_to_start_without_a_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TILED_SINGLE_USER_API_KEY"}
    out = subprocess.run([sys.executable, "-m", "axsuite.session.cli", "serve", "--data-dir",
                          str(tmp_path)], env=env, capture_output=True, text=True)  # fmt: skip
    assert out.returncode == 2 and "TILED_SINGLE_USER_API_KEY" in out.stderr


def test_session_writes_to_the_server_and_replays(server, tmp_path, monkeypatch):
    uri, key = server
    assert _status(f"{uri}/api/v1/search/", None) == 401
    assert _status(f"{uri}/api/v1/search/", "wrong" + key) == 401
    raw = yaml.safe_load((PROFILE_DIR / "default.yaml").read_text())
    raw["catalog"]["uri"] = uri
    monkeypatch.setenv("TILED_API_KEY", key)
    s = build_session(profile_from_dict(raw), data_dir=tmp_path / "client", echo=None,
                      progress=False, safe_callbacks=False)  # fmt: skip
    regions = [{"start": -60, "stop": 60, "step": 5}]
    (uid,) = s.RE(s.plans.edge_scan("Cu", regions=regions))
    run = find_run(s.catalog, "1")
    assert run.metadata["start"]["uid"] == uid
    assert len(run["primary"].read()["dcm_energy"]) == 25
    live = s.analyses[0].results[uid]
    again = replay(s.catalog, [uid], s.profile, echo=None)[uid]["edge"]
    assert abs(again["e0_eV"] - live.e0_eV) < 1e-9
    monkeypatch.delenv("TILED_API_KEY")
    with pytest.raises(ValueError, match="API key"):
        build_session(profile_from_dict(raw), data_dir=tmp_path / "nokey", echo=None)
