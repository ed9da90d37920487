"""Beamline/server mode (DESIGN §4, §12): a tiled server over a catalog database.

``axs serve`` writes a tiled configuration for a catalog in PostgreSQL (or SQLite) with the
Bluesky spec and the json-seq exporter, and runs ``tiled serve config`` with it. The server
always requires an API key, read from the environment (``TILED_SINGLE_USER_API_KEY``) and
checked before the server starts (tiled accepts letters and digits only); nothing secret is
written to the configuration file, and the server's output (tiled prints
``…?api_key=<key>`` at start, the access log shows query strings) passes through a filter
that hides the key. Clients use the profile's ``catalog.uri`` (``http://host:port``) and
their key from ``catalog.api_key_env``, sent in the ``Authorization`` header.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
from pathlib import Path

import yaml

API_KEY_ENV = "TILED_SINGLE_USER_API_KEY"
HIDDEN = "<hidden>"
_QUERY_KEY = re.compile(r"(api_key=)[^&\s\"']+")


def check_api_key(key: str | None) -> str:
    """The server's API key if tiled will accept it (ASCII letters and digits); else a
    ``ValueError`` that does not repeat the key."""
    if not key:
        raise ValueError(f"set the API key in the environment variable {API_KEY_ENV} first")
    if not re.fullmatch(r"[A-Za-z0-9]+", key):
        raise ValueError(
            f"the API key in {API_KEY_ENV} may contain only letters A-Z, a-z and digits 0-9 "
            "(tiled refuses others); e.g. python -c 'import secrets; print(secrets.token_hex(32))'"
        )
    return key


def redact(line: str, key: str) -> str:
    """``line`` with the API key and any ``api_key=…`` query value hidden."""
    return _QUERY_KEY.sub(rf"\g<1>{HIDDEN}", line).replace(key, HIDDEN)


def server_config(catalog_uri: str, tabular_uri: str, data_dir: str | Path) -> dict:
    """Tiled server configuration (a mapping) for a Bluesky catalog.

    ``catalog_uri``: catalog database (``postgresql+asyncpg://…`` or ``sqlite:///…``);
    ``tabular_uri``: database for event tables (``postgresql://…`` or ``sqlite:///…``);
    ``data_dir``: directory for array data.
    """
    d = Path(data_dir).resolve()
    return {
        "trees": [
            {
                "path": "/",
                "tree": "catalog",
                "args": {
                    "uri": catalog_uri,
                    "specs": [{"name": "CatalogOfBlueskyRuns", "version": "3.0"}],
                    "writable_storage": [str(d / "data"), tabular_uri],
                    "init_if_not_exists": True,
                },
            }
        ],
        "media_types": {
            "BlueskyRun": {
                "application/json-seq": "bluesky_tiled_plugins.exporters:json_seq_exporter"
            }
        },
    }


def serve_command(config_path: Path, host: str, port: int) -> list[str]:
    """The ``tiled serve config`` command line for a written configuration."""
    tiled = Path(sys.executable).with_name("tiled")
    exe = [str(tiled)] if tiled.exists() else [sys.executable, "-m", "tiled"]
    return [*exe, "serve", "config", str(config_path), "--host", host, "--port", str(port)]


def prepare(args: argparse.Namespace) -> list[str]:
    """Validate ``axs serve`` arguments, write the configuration, return the command."""
    check_api_key(os.environ.get(API_KEY_ENV))
    if not 0 < args.port < 65536:
        raise ValueError(f"--port must be within 1..65535, got {args.port}")
    data_dir = Path(args.data_dir or "./axsuite-server").resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    catalog_uri = args.catalog_uri or f"sqlite:///{data_dir}/catalog.db"
    tabular_uri = args.tabular_uri or f"sqlite:///{data_dir}/tabular.db"
    config_path = data_dir / "tiled-config.yml"
    config_path.write_text(yaml.safe_dump(server_config(catalog_uri, tabular_uri, data_dir)))
    return serve_command(config_path, args.host, args.port)


def configure(p: argparse.ArgumentParser) -> None:
    """Arguments of ``axs serve``."""
    p.add_argument(
        "--catalog-uri",
        default=None,
        help="catalog database, e.g. postgresql+asyncpg://user@host/axsuite "
        "(default: SQLite in the data directory)",
    )
    p.add_argument(
        "--tabular-uri",
        default=None,
        help="event-table database, e.g. postgresql://user@host/axsuite_tables",
    )
    p.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="TCP port (default 8000)")


def cmd_serve(args: argparse.Namespace) -> int:
    """run a tiled server for the catalog (API key from $TILED_SINGLE_USER_API_KEY)"""
    cmd = prepare(args)
    key = os.environ[API_KEY_ENV]
    print(f"serve: {' '.join(cmd)}", flush=True)
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda signum, frame: proc.send_signal(signum))
    assert proc.stdout is not None
    for line in proc.stdout:
        sys.stdout.write(redact(line, key))
        sys.stdout.flush()
    return proc.wait()
