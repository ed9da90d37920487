"""Storage: the embedded tiled catalog (SQLite + files in the data directory) or a server.

The embedded catalog is created with the Bluesky spec and the json-seq exporter registered,
so runs are found by uid and scan_id and ``run.documents()`` works (DESIGN §12).
"""

from __future__ import annotations

import copy
import logging
import os
import warnings
from pathlib import Path
from typing import Any

DEFAULT_DATA_DIR = "./axsuite-data"


def resolve_data_dir(data_dir: str | Path | None) -> Path:
    """Data directory: argument, else ``$AXSUITE_DATA``, else ``./axsuite-data``."""
    return (
        Path(data_dir or os.environ.get("AXSUITE_DATA") or DEFAULT_DATA_DIR).expanduser().resolve()
    )


def open_embedded_catalog(data_dir: str | Path) -> Any:
    """Open (creating if needed) the embedded catalog in ``data_dir``; returns a tiled client."""
    import bluesky_tiled_plugins
    import tiled.media_type_registration
    from tiled.catalog import from_uri
    from tiled.client import Context, from_context
    from tiled.server.app import build_app

    logging.getLogger("tiled.server.app").setLevel(logging.WARNING)
    d = Path(data_dir)
    (d / "data").mkdir(parents=True, exist_ok=True)
    reg = copy.deepcopy(tiled.media_type_registration.default_serialization_registry)
    reg.register(
        "BlueskyRun", "application/json-seq", bluesky_tiled_plugins.exporters.json_seq_exporter
    )
    adapter = from_uri(
        f"sqlite:///{d}/catalog.db",
        specs=[{"name": "CatalogOfBlueskyRuns", "version": "3.0"}],
        init_if_not_exists=True,
        writable_storage=[f"{d}/data", f"sqlite:///{d}/tabular.db"],
    )
    with warnings.catch_warnings():
        # tiled's in-process client uses starlette's TestClient, which warns on import
        warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
        context = Context.from_app(build_app(adapter, serialization_registry=reg))
    return from_context(context)


def make_writer(catalog: Any, *, batch_size: int, spool: Any = None) -> Any:
    """The catalog writer: ``TiledWriter`` writing ``batch_size`` events per request.

    Every array field goes to array storage (``max_array_size=0``): the embedded SQLite
    tables cannot hold short list columns. ``spool`` (a mapping such as
    :class:`axsuite.session.spool.SpoolStore`) receives whole runs the catalog refused.
    """
    from bluesky_tiled_plugins import TiledWriter

    return TiledWriter(catalog, batch_size=batch_size, max_array_size=0, backup_dictionary=spool)


def open_catalog(uri: str | None, data_dir: str | Path, api_key_env: str = "TILED_API_KEY") -> Any:
    """Open the profile's catalog: embedded when ``uri`` is None, else a tiled server."""
    if uri is None:
        return open_embedded_catalog(data_dir)
    from tiled.client import from_uri

    api_key = os.environ.get(api_key_env)
    if not api_key:
        raise ValueError(
            f"catalog {uri} needs an API key in the environment variable {api_key_env}"
        )
    return from_uri(uri, api_key=api_key)


def find_run(catalog: Any, key: str) -> Any:
    """A run by uid, uid prefix or scan_id (the newest run with that scan_id)."""
    from tiled.queries import Key

    key = str(key).strip()
    if key.lstrip("-").isdigit():
        results = catalog.search(Key("scan_id") == int(key))
        if len(results):
            return results.values().last()
    if len(key) >= 5:
        try:
            return catalog[key]
        except (KeyError, ValueError):
            pass
    if len(key) >= 4:
        matches = [uid for uid in catalog.keys() if uid.startswith(key)]
        if len(matches) == 1:
            return catalog[matches[0]]
        if len(matches) > 1:
            raise LookupError(f"run {key!r} is ambiguous: {len(matches)} uids start with it")
    raise LookupError(f"no run {key!r} in the catalog (give a uid, a uid prefix or a scan_id)")
