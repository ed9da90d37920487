"""Storage: the embedded tiled catalog (SQLite + files in the data directory) or a server.

The embedded catalog is created with the Bluesky spec and the json-seq exporter registered,
so runs are found by uid and scan_id and ``run.documents()`` works (DESIGN §12). An existing
catalog is opened without re-initialising it (tiled's ``init_if_not_exists`` starts a
``tiled catalog init`` subprocess), and a data directory that was moved or copied is
re-mapped on open (tiled stores absolute file and database URIs). :func:`list_runs` reads
the run metadata straight from the catalog's SQLite file, without the tiled server stack,
for ``axs runs``.
"""

from __future__ import annotations

import copy
import json
import logging
import os
import sqlite3
import warnings
from pathlib import Path
from typing import Any
from urllib.parse import quote

DEFAULT_DATA_DIR = "./axsuite-data"
#: tiled catalog schema revisions (alembic) whose ``nodes`` table :func:`list_runs` reads.
KNOWN_SCHEMA_REVISIONS = frozenset({"917dbbcfc4b1"})


class CatalogDamaged(ValueError):
    """The catalog database cannot be read (one line for the user)."""


def _connect(db: Path, *, readonly: bool) -> sqlite3.Connection:
    mode = "ro" if readonly else "rw"
    con = sqlite3.connect(f"file:{quote(str(db))}?mode={mode}", uri=True, timeout=10)
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.DatabaseError as exc:
        con.close()
        raise CatalogDamaged(f"{db}: damaged catalog database ({exc})") from None
    return con


def _remap_moved(d: Path) -> None:
    """Point the catalog's asset URIs at ``d`` when the data directory was moved or copied."""
    db = d / "catalog.db"
    con = _connect(db, readonly=True)
    try:
        rows = con.execute(
            "SELECT data_uri FROM assets WHERE data_uri LIKE 'sqlite://localhost/%/tabular.db'"
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        raise CatalogDamaged(f"{db}: damaged catalog database ({exc})") from None
    finally:
        con.close()
    old = {r[0][len("sqlite://localhost/") : -len("/tabular.db")] for r in rows}
    old.discard(str(d))
    if not old:
        return
    if not os.access(db, os.W_OK):
        raise CatalogDamaged(
            f"{db} was moved from {sorted(old)[0]} and is read-only: make it writable once so "
            "its file paths can be updated"
        )
    con = _connect(db, readonly=False)
    try:
        with con:
            for prev in old:
                for a, b in (
                    (f"sqlite://localhost/{prev}/", f"sqlite://localhost/{d}/"),
                    (f"file://localhost{prev}/", f"file://localhost{d}/"),
                    (f"file://localhost{quote(prev)}/", f"file://localhost{quote(str(d))}/"),
                ):
                    con.execute(
                        "UPDATE assets SET data_uri = ? || substr(data_uri, ?) "
                        "WHERE substr(data_uri, 1, ?) = ?",
                        (b, len(a) + 1, len(a), a),
                    )
    finally:
        con.close()
    logging.getLogger("axsuite.catalog").info("catalog moved from %s to %s: re-mapped", old, d)


def list_runs(data_dir: str | Path) -> list[tuple[str, dict]] | None:
    """``(uid, metadata)`` of every run of the embedded catalog, oldest first, read-only
    from its SQLite file (no tiled import: fast). None if the schema revision is unknown
    (then use the tiled client); :class:`CatalogDamaged` if the file cannot be read."""
    db = Path(data_dir) / "catalog.db"
    con = _connect(db, readonly=True)
    try:
        (rev,) = con.execute("SELECT version_num FROM alembic_version").fetchone() or ("",)
        if rev not in KNOWN_SCHEMA_REVISIONS:
            return None
        rows = con.execute(
            "SELECT key, metadata FROM nodes WHERE parent = "
            "(SELECT id FROM nodes WHERE parent IS NULL) ORDER BY id"
        ).fetchall()
    except sqlite3.DatabaseError as exc:
        raise CatalogDamaged(f"{db}: damaged catalog database ({exc})") from None
    finally:
        con.close()
    return [(key, json.loads(md)) for key, md in rows]


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
    d = Path(data_dir).resolve()
    (d / "data").mkdir(parents=True, exist_ok=True)
    exists = (d / "catalog.db").is_file() and (d / "catalog.db").stat().st_size > 0
    if exists:
        _remap_moved(d)
    reg = copy.deepcopy(tiled.media_type_registration.default_serialization_registry)
    reg.register(
        "BlueskyRun", "application/json-seq", bluesky_tiled_plugins.exporters.json_seq_exporter
    )
    adapter = from_uri(
        f"sqlite:///{d}/catalog.db",
        specs=[{"name": "CatalogOfBlueskyRuns", "version": "3.0"}],
        init_if_not_exists=not exists,
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


def catalog_config(profile: str | Path) -> Any:
    """Only the ``catalog`` section of a profile, validated (no device, analysis or tiled
    imports: what ``axs runs`` needs)."""
    from .profile import ProfileError, _read_raw
    from .profile_sections import CatalogConfig

    raw = _read_raw(profile).get("catalog") or {}
    try:
        return CatalogConfig(**raw)
    except (TypeError, ValueError) as exc:
        raise ProfileError(f"catalog: {str(exc).splitlines()[0]}") from None


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


def latest_mono_calibration(catalog: Any) -> dict | None:
    """The newest ``calibrate_mono`` record in the catalog (offset_new_deg, date,
    edge_scan_uid, …), or None."""
    from tiled.queries import Key

    found = catalog.search(Key("plan_name") == "calibrate_mono")
    if not len(found):
        return None
    return dict(found.values().last().metadata["start"]["mono_calibration"])


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
        matches = [uid for uid in catalog if uid.startswith(key)]
        if len(matches) == 1:
            return catalog[matches[0]]
        if len(matches) > 1:
            raise LookupError(f"run {key!r} is ambiguous: {len(matches)} uids start with it")
    raise LookupError(f"no run {key!r} in the catalog (give a uid, a uid prefix or a scan_id)")
