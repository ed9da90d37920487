"""Beamline/server mode (DESIGN §4, §12): a tiled server over a catalog database.

``axs serve`` writes a tiled configuration for a catalog in PostgreSQL (or SQLite) with the
Bluesky spec and the json-seq exporter, and runs ``tiled serve config`` with it. The server
always requires an API key, read from the environment (``TILED_SINGLE_USER_API_KEY``);
nothing secret is written to the configuration file. Clients use the profile's
``catalog.uri`` (``http://host:port``) and their key from ``catalog.api_key_env``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import yaml

API_KEY_ENV = "TILED_SINGLE_USER_API_KEY"


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
    if not os.environ.get(API_KEY_ENV):
        raise ValueError(f"set the API key in the environment variable {API_KEY_ENV} first")
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
    print(f"serve: {' '.join(cmd)}", flush=True)
    if os.name == "posix":
        os.execv(cmd[0], cmd)  # the server replaces this process: signals reach it directly
    return subprocess.call(cmd)
