"""``axs export UID --format xdi``: write an edge scan's μ(E) as an XDI file (and read it back).

XDI 1.0 (the XAS Data Interchange format, Ravel & Newville, https://github.com/XraySpectroscopy/
XAS-Data-Interchange, spec ``XDI/1.0``): ``# Namespace.tag: value`` header lines (Column.N,
Element.symbol, Element.edge, Mono.d_spacing, Mono.name, Scan.start_time, Scan.edge_energy,
Sample.name …), a ``# ///`` line before free comments, a ``#----`` line closing the header,
a line of column labels, then whitespace-separated columns.

Columns: energy (eV), i0, itrans, iref (counts), mutrans = ln(i0/itrans), muref =
ln(itrans/iref); and, when the catalog holds an ``absorption`` analysis of the run, the
measured f' and f'' (electrons) on the same energies.
"""

from __future__ import annotations

import argparse
import datetime
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from axsuite.analysis.xas_io import read_xdi_table as read_xdi  # noqa: F401 (re-export)

XDI_VERSION = "XDI/1.0"


def write_xdi(
    path: str | Path,
    columns: Mapping[str, tuple[np.ndarray, str | None]],
    header: Mapping[str, Any],
    comments: Sequence[str] = (),
) -> Path:
    """Write an XDI 1.0 file: ``columns`` name → (values, units or None), in order.

    ``header`` maps ``Namespace.tag`` → value (Element.symbol, Element.edge, Mono.d_spacing,
    …); Column.N lines are generated from ``columns``. The first column must be the energy.
    """
    names = list(columns)
    if not names:
        raise ValueError("XDI export needs at least one column")
    arrays = [np.asarray(columns[n][0], dtype=float).ravel() for n in names]
    if len({a.size for a in arrays}) != 1 or arrays[0].size == 0:
        raise ValueError("XDI columns must be non-empty and of equal length")
    for key in header:
        if "." not in key or " " in key:
            raise ValueError(f"XDI header keys are Namespace.tag, got {key!r}")
    from axsuite.analysis.provenance import axsuite_version

    lines = [f"# {XDI_VERSION} axsuite/{axsuite_version()}"]
    for i, name in enumerate(names, start=1):
        unit = columns[name][1]
        lines.append(f"# Column.{i}: {name}" + (f" {unit}" if unit else ""))
    lines += [f"# {k}: {v}" for k, v in header.items()]
    lines.append("# ///")
    lines += [f"# {c}" for c in comments]
    lines.append("#----")
    lines.append("# " + " ".join(names))
    data = np.column_stack(arrays)
    body = [" ".join(f"{x:.10g}" for x in row) for row in data]
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines + body) + "\n", encoding="utf-8")
    return out


def _absorption_analysis(catalog: Any, uid: str) -> Any | None:
    from tiled.queries import Key

    found = [
        r
        for r in catalog.search(Key("analysis") == "absorption").values()
        if uid in r.metadata["start"].get("raw_uids", [])
    ]
    return found[-1] if found else None


def export_xdi(catalog: Any, key: str, output: str | Path | None = None) -> Path:
    """Export the edge scan ``key`` (uid, prefix or scan_id) of ``catalog`` as XDI.

    The file goes to ``output`` (default ``<element>_<edge>_<uid8>.xdi`` in the current
    directory). Raises ``ValueError`` if the run is not an edge scan.
    """
    from .catalog import find_run

    run = find_run(catalog, key)
    start = run.metadata["start"]
    fields = start.get("fields", {})
    if "edge_energy_eV" not in start or not all(r in fields for r in ("energy", "i0", "it")):
        raise ValueError(
            f"run {start['uid'][:8]} ({start.get('plan_name')}) is not an edge scan: "
            "XDI export needs μ(E)"
        )
    ds = run["primary"].read()
    energy = np.asarray(ds[fields["energy"]], dtype=float)
    i0 = np.asarray(ds[fields["i0"]], dtype=float)
    it = np.asarray(ds[fields["it"]], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        cols: dict[str, tuple[np.ndarray, str | None]] = {
            "energy": (energy, "eV"),
            "i0": (i0, None),
            "itrans": (it, None),
            "mutrans": (np.log(i0 / it), None),
        }
        if fields.get("iref") in ds:
            iref = np.asarray(ds[fields["iref"]], dtype=float)
            cols["iref"] = (iref, None)
            cols["muref"] = (np.log(it / iref), None)
    analysis = _absorption_analysis(catalog, start["uid"])
    if analysis is not None:
        table = analysis["anomalous_factors"].read()
        e_a = np.asarray(table["energy"], dtype=float)
        for name in ("fp", "fpp"):
            values = np.interp(energy, e_a, np.asarray(table[name], dtype=float))
            values[(energy < e_a[0]) | (energy > e_a[-1])] = np.nan
            cols[name] = (values, "electrons")
    mono = start.get("calibrations", {}).get("mono", {})
    when = datetime.datetime.fromtimestamp(start.get("time", 0), tz=datetime.UTC)
    header = {
        "Element.symbol": start["element"],
        "Element.edge": start["edge"],
        "Mono.name": mono.get("crystal", ""),
        "Mono.d_spacing": mono.get("d_spacing_A", ""),
        "Scan.start_time": when.isoformat(timespec="seconds"),
        "Scan.edge_energy": f"{start['edge_energy_eV']} eV",
        "Sample.name": start.get("sample", ""),
        "Facility.name": "axsuite simulated beamline",
        "Beamline.name": start.get("profile", {}).get("name", ""),
        "Axsuite.uid": start["uid"],
        "Axsuite.mono_offset": f"{mono.get('offset_deg', '')} deg",
        "Axsuite.mono_calibration_date": mono.get("date", ""),
    }
    comments = [
        f"edge scan {start['uid']} ({start.get('plan_name')}), scan_id {start.get('scan_id')}"
    ]
    name = f"{start['element']}_{start['edge']}_{start['uid'][:8]}.xdi"
    return write_xdi(output or Path(name), cols, header, comments)


def configure_parser(p: argparse.ArgumentParser) -> None:
    """Arguments of ``axs export``."""
    p.add_argument("run", help="uid, uid prefix or scan_id of an edge scan")
    p.add_argument("--format", choices=["xdi"], default="xdi", help="output format")
    p.add_argument("-o", "--output", default=None, help="output file (default: derived name)")


def cmd_export(args: argparse.Namespace) -> int:
    """write a run as XDI (μ(E), Element.*, Mono.d_spacing, Column.N) and print the file name"""
    from .catalog import open_catalog, resolve_data_dir
    from .profile import load_profile

    prof = load_profile(args.profile)
    ddir = resolve_data_dir(args.data_dir)
    if prof.catalog.uri is None and not (ddir / "catalog.db").exists():
        raise ValueError(f"no catalog in {ddir} (run `axs demo` first or give --data-dir)")
    catalog = open_catalog(prof.catalog.uri, ddir, prof.catalog.api_key_env)
    try:
        path = export_xdi(catalog, args.run, args.output)
    except LookupError as exc:
        raise ValueError(str(exc)) from None
    print(f"export: wrote {path}")
    return 0
