"""Shared fixtures: a bare RunEngine, the default profile, a fresh beamline, a session, and a
running ``axs serve`` (SQLite and PostgreSQL backends)."""

from __future__ import annotations

import logging
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
from bluesky import RunEngine

logging.getLogger("tiled").setLevel(logging.WARNING)


@pytest.fixture
def RE():
    """A RunEngine with no subscriptions (documents collected by the test)."""
    return RunEngine({})


@pytest.fixture(scope="session")
def profile():
    """The default profile."""
    from axsuite.session.profile import load_profile

    return load_profile("default")


@pytest.fixture
def beamline(profile):
    """A freshly built simulated beamline with the profile's seed."""
    from axsuite.devices import make_beamline

    return make_beamline(profile)


@pytest.fixture
def session(tmp_path):
    """A full session on an embedded catalog in a temporary directory (silent)."""
    from axsuite.session.session import build_session

    lines: list[str] = []
    s = build_session(
        "default",
        data_dir=tmp_path / "data",
        echo=lines.append,
        safe_callbacks=False,
        progress=False,
    )
    s.echo_lines = lines
    yield s
    s.close()


class MessageRecorder:
    """Iterate a plan like a RunEngine would, recording every message."""

    def __init__(self):
        self.msgs = []

    def run(self, plan):
        try:
            msg = next(plan)
            while True:
                self.msgs.append(msg)
                msg = plan.send(None)
        except StopIteration:
            pass


@pytest.fixture
def message_recorder():
    """A MessageRecorder: ``.run(plan)`` then ``.msgs`` (for validation-before-motion tests)."""
    return MessageRecorder()


class DocCollector:
    """Records (name, doc) pairs; ``docs("event")`` filters by name."""

    def __init__(self):
        self.items: list[tuple[str, dict]] = []

    def __call__(self, name, doc):
        self.items.append((name, doc))

    def docs(self, name):
        return [d for n, d in self.items if n == name]


@pytest.fixture
def collector():
    """A document collector."""
    return DocCollector()


PG = {"host": "127.0.0.1", "port": "5432", "user": "postgres"}


def _free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _http_status(url: str, key: str | None) -> int:
    """HTTP status of GET ``url`` with tiled's ``Apikey`` header (none if ``key`` is None)."""
    req = urllib.request.Request(url, headers={"Authorization": f"Apikey {key}"} if key else {})
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.fixture
def http_status():
    """``http_status(url, key)`` → HTTP status code."""
    return _http_status


def _psql(sql: str) -> subprocess.CompletedProcess:
    cmd = ["psql", "-h", PG["host"], "-p", PG["port"], "-U", PG["user"], "-d", "postgres",
           "-v", "ON_ERROR_STOP=1", "-c", sql]  # fmt: skip
    return subprocess.run(cmd, capture_output=True, text=True, timeout=30)


@pytest.fixture
def free_port():
    """``free_port()`` → a TCP port free on 127.0.0.1 now."""
    return _free_port


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
    with open(tmp_path / "server.log", "w") as log:  # the server keeps its own descriptor
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT)
    uri = f"http://127.0.0.1:{port}"
    try:
        for _ in range(360):  # a loaded CI machine can take minutes to import tiled
            if proc.poll() is not None:
                pytest.fail(f"server exited: {(tmp_path / 'server.log').read_text()[-2000:]}")
            try:
                if _http_status(f"{uri}/api/v1/", key) == 200:
                    break
            except OSError:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("server did not start within 180 s")
        yield uri, key
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        for db in databases:
            _psql(f"DROP DATABASE IF EXISTS {db} WITH (FORCE)")
