"""Server mode (DESIGN §4, §10, §12): ``axs serve`` runs a tiled server over SQLite or
PostgreSQL that refuses clients without the API key; a session writes to it over HTTP and
the runs are found by scan_id and replay like embedded ones."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from axsuite.session.catalog import find_run
from axsuite.session.profile import PROFILE_DIR, profile_from_dict
from axsuite.session.replay import replay
from axsuite.session.session import build_session


def test_serve_refuses_to_start_without_a_key(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TILED_SINGLE_USER_API_KEY"}
    out = subprocess.run([sys.executable, "-m", "axsuite.session.cli", "serve", "--data-dir",
                          str(tmp_path)], env=env, capture_output=True, text=True)  # fmt: skip
    assert out.returncode == 2 and "TILED_SINGLE_USER_API_KEY" in out.stderr


def test_session_writes_to_the_server_and_replays(server, tmp_path, monkeypatch, http_status):
    uri, key = server
    assert http_status(f"{uri}/api/v1/search/", None) == 401
    assert http_status(f"{uri}/api/v1/search/", "wrong" + key) == 401
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


def test_serve_checks_the_key_before_starting(tmp_path):
    env = {**os.environ, "TILED_SINGLE_USER_API_KEY": "secret-with-dash"}
    cmd = [sys.executable, "-m", "axsuite.session.cli", "serve", "--data-dir", str(tmp_path)]
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "letters A-Z, a-z and digits 0-9" in out.stderr
    assert "secret-with-dash" not in out.stderr + out.stdout and "Traceback" not in out.stderr


def test_server_log_never_shows_the_key(server, tmp_path, http_status):
    uri, key = server
    assert http_status(f"{uri}/api/v1/?api_key={key}", None) == 200  # a key sent in the URL
    assert http_status(f"{uri}/api/v1/search/", key) == 200
    log = (tmp_path / "server.log").read_text()
    # tiled's start-up URL and the access-log line of the request both had the key in them
    assert log.count("api_key=<hidden>") >= 2
    assert key not in log
