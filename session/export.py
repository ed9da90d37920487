"""``axs export RUN… --format xdi|csv|xye|athena|nexus``: stored runs in the field's formats.

* ``xdi`` (edge scans): XDI 1.0 (Ravel & Newville, https://github.com/XraySpectroscopy/
  XAS-Data-Interchange, spec and dictionary ``XDI/1.0``) with the dictionary's headers for
  what the suite knows: ``Facility.*``, ``Beamline.name``, ``Mono.name``/``d_spacing`` (Å),
  ``Detector.i0``/``it``/``ir``/``if``, ``Sample.name``/``stoichiometry``,
  ``Scan.start_time``/``end_time`` (ISO 8601, UTC)/``edge_energy``, ``Element.symbol``/
  ``edge``/``reference``/``ref_edge``; columns with the dictionary's labels: energy (eV),
  i0, itrans, irefer, ifluor (counts), mutrans = ln(i0/itrans), murefer = ln(itrans/irefer)
  and, when an ``absorption`` analysis is stored, f′ and f″ (electrons).
* ``csv``, ``xye``: see :mod:`axsuite.session.export_tables` (patterns, I(Q), S(Q), g(r),
  S(E); edge scans' μ(E) as CSV).
* ``athena``, ``nexus``: see :mod:`axsuite.session.export_xas`.

Every file is written to a temporary name in the target directory and renamed when all
of the export's files are complete: a failure leaves nothing half-written.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import functools
import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from axsuite.analysis.xas_io import read_xdi_table as read_xdi  # noqa: F401 (re-export)

XDI_VERSION = "XDI/1.0"
FORMATS = ("xdi", "csv", "xye", "athena", "nexus")
#: Formats each kind of run can be exported to.
KIND_FORMATS = {
    "edge": ("xdi", "csv", "athena", "nexus"),
    "axs": ("csv", "xye"),
    "powder": ("csv", "xye"),
    "stopping": ("csv", "xye"),
}


def xdi_text(
    columns: Mapping[str, tuple[np.ndarray, str | None]],
    header: Mapping[str, Any],
    comments: Sequence[str] = (),
) -> str:
    """XDI 1.0 text: ``columns`` name → (values, units or None), in order, the first being
    the energy; ``header`` maps ``Namespace.tag`` → value; Column.N lines are generated."""
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
    lines += [f"# {k}: {v}" for k, v in header.items() if v not in ("", None)]
    lines.append("# ///")
    lines += [f"# {c}" for c in comments]
    lines.append("#----")
    lines.append("# " + " ".join(names))
    data = np.column_stack(arrays)
    return "\n".join(lines + [" ".join(f"{x:.10g}" for x in row) for row in data]) + "\n"


def write_xdi(
    path: str | Path,
    columns: Mapping[str, tuple[np.ndarray, str | None]],
    header: Mapping[str, Any],
    comments: Sequence[str] = (),
) -> Path:
    """Write an XDI 1.0 file (see :func:`xdi_text`) atomically; returns its path."""
    out = Path(path)
    with staged([out]) as (tmp,):
        tmp.write_text(xdi_text(columns, header, comments), encoding="utf-8")
    return out


@contextlib.contextmanager
def staged(paths: Sequence[Path]) -> Iterator[list[Path]]:
    """Temporary paths beside ``paths``; renamed onto them only if the block succeeds."""
    tmps = []
    try:
        for p in paths:
            p.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=f".{p.name}.", suffix=".tmp")
            os.close(fd)
            tmps.append(Path(tmp))
            os.chmod(tmp, 0o666 & ~_umask())  # as open() would create it
        yield tmps
        for tmp, p in zip(tmps, paths, strict=True):
            os.replace(tmp, p)
    finally:
        for tmp in tmps:
            tmp.unlink(missing_ok=True)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def run_kind(start: Mapping[str, Any]) -> str | None:
    """``edge``, ``axs``, ``powder``, ``stopping`` or None from a start document."""
    fields = start.get("fields", {})
    if "analysis" in start:
        return None
    if "edge_energy_eV" in start and all(r in fields for r in ("energy", "i0", "it")):
        return "edge"
    if "q_grid" in start and "energies_eV" in start:
        return "axs"
    if start.get("plan_name") == "powder_scan" or "intensity" in fields and "two_theta" in fields:
        return "powder"
    if "energies_MeV" in start and "target" in start:
        return "stopping"
    return None


def _absorption_analysis(catalog: Any, uid: str) -> Any | None:
    from .export_tables import _analysis_runs

    found = _analysis_runs(catalog, "absorption", uid)
    return found[-1] if found else None


def edge_columns(catalog: Any, run: Any) -> dict[str, tuple[np.ndarray, str | None]]:
    """XDI-dictionary columns of an edge scan (plus f′, f″ from a stored analysis)."""
    start = run.metadata["start"]
    fields = start["fields"]
    ds = run["primary"].read()

    def col(role: str) -> np.ndarray:
        return np.asarray(ds[fields[role]], dtype=float)

    energy, i0, it = col("energy"), col("i0"), col("it")
    cols: dict[str, tuple[np.ndarray, str | None]] = {
        "energy": (energy, "eV"),
        "i0": (i0, None),
        "itrans": (it, None),
    }
    with np.errstate(divide="ignore", invalid="ignore"):
        cols["mutrans"] = (np.log(i0 / it), None)
        if fields.get("iref") in ds:
            iref = col("iref")
            cols["irefer"] = (iref, None)
            cols["murefer"] = (np.log(it / iref), None)
        if fields.get("fluorescence") in ds:
            cols["ifluor"] = (col("fluorescence"), None)
    analysis = _absorption_analysis(catalog, start["uid"])
    if analysis is not None:
        table = analysis["anomalous_factors"].read()
        e_a = np.asarray(table["energy"], dtype=float)
        for name in ("fp", "fpp"):
            values = np.interp(energy, e_a, np.asarray(table[name], dtype=float))
            values[(energy < e_a[0]) | (energy > e_a[-1])] = np.nan
            cols[name] = (values, "electrons")
    return cols


def _iso(t: float | None) -> str:
    return datetime.datetime.fromtimestamp(t or 0, tz=datetime.UTC).isoformat(timespec="seconds")


def _detector(configuration: Mapping[str, Any], name: str, what: str) -> str:
    cfg = configuration.get(name, {}).get("data", {})
    gas, length = cfg.get(f"{name}_gas"), cfg.get(f"{name}_length_cm")
    if gas is None:
        return ""
    return f"{what}: ion chamber, {length:g} cm, gas {gas} (fractions)"


def xdi_header(run: Any, columns: Mapping[str, Any]) -> dict[str, Any]:
    """The XDI dictionary headers the suite knows for an edge scan."""
    start = run.metadata["start"]
    stop = run.metadata.get("stop") or {}
    mono = start.get("calibrations", {}).get("mono", {})
    fields = start["fields"]
    desc = run["primary"].descriptors[0]
    config = desc.get("configuration", {})
    ds = run["primary"].read()
    ring = fields.get("ring_current")
    current = float(np.asarray(ds[ring])[0]) if ring in ds else None
    composition = start.get("composition", {})
    ref = start.get("reference")
    roi = start.get("roi", {})
    header = {
        "Element.symbol": start["element"],
        "Element.edge": start["edge"],
        "Mono.name": mono.get("crystal", ""),
        "Mono.d_spacing": mono.get("d_spacing_A", ""),
        "Facility.name": "axsuite simulated beamline",
        "Facility.xray_source": "simulated (axsuite devices)",
        "Facility.current": f"{current:.3f} mA" if current is not None else "",
        "Beamline.name": start.get("profile", {}).get("name", ""),
        "Detector.i0": _detector(config, "I0", "incident flux"),
        "Detector.it": _detector(config, "It", "transmitted flux"),
        "Detector.ir": _detector(config, "Iref", "reference flux") if "irefer" in columns else "",
        "Detector.if": (
            f"fluorescence: SDD window {roi['window_eV'][0]:g}-{roi['window_eV'][1]:g} eV"
            if "ifluor" in columns and roi.get("window_eV")
            else ""
        ),
        "Sample.name": start.get("sample", ""),
        "Sample.stoichiometry": "".join(
            el if x == 1 else f"{el}{x:g}" for el, x in composition.items()
        ),
        "Scan.start_time": _iso(start.get("time")),
        "Scan.end_time": _iso(stop.get("time")) if stop else "",
        "Scan.edge_energy": f"{start['edge_energy_eV']} eV",
        "Axsuite.uid": start["uid"],
        "Axsuite.scan_id": start.get("scan_id", ""),
        "Axsuite.mono_offset": f"{mono.get('offset_deg', '')} deg",
        "Axsuite.mono_calibration_date": mono.get("date", ""),
        "Axsuite.profile_hash": start.get("profile", {}).get("hash", ""),
    }
    if "irefer" in columns and ref:
        header["Element.reference"] = start["element"]
        header["Element.ref_edge"] = start["edge"]
    return header


def export_xdi(catalog: Any, key: str, output: str | Path | None = None) -> Path:
    """Export the edge scan ``key`` (uid, prefix or scan_id) of ``catalog`` as XDI.

    The file goes to ``output`` (default ``<element>_<edge>_<uid8>.xdi`` in the current
    directory). Raises ``ValueError`` if the run is not an edge scan.
    """
    (path,) = export_runs(catalog, [key], "xdi", output)
    return path


def _edge_xdi(catalog: Any, run: Any) -> str:
    start = run.metadata["start"]
    cols = edge_columns(catalog, run)
    comments = [
        f"edge scan {start['uid']} ({start.get('plan_name')}), scan_id {start.get('scan_id')}"
    ]
    return xdi_text(cols, xdi_header(run, cols), comments)


def _stem(start: Mapping[str, Any]) -> str:
    what = start.get("element") or start.get("sample") or start.get("plan_name", "run")
    return f"{start.get('plan_name', 'run')}_{what}_{start['uid'][:8]}"


def _outputs(
    runs: Sequence[Any], fmt: str, output: str | Path | None, catalog: Any
) -> list[tuple[Path, Any]]:
    """(path, content) per file: text, or a function ``f(path)`` that writes the file."""
    from . import export_tables as et
    from .export_xas import write_athena, write_nxxas

    def target(default: str) -> Path:
        return Path(output) if output is not None else Path(default)

    if fmt == "athena":
        scans = [_athena_scan(catalog, r) for r in runs]
        name = f"{_stem(runs[0].metadata['start'])}.prj"
        return [(target(name), functools.partial(write_athena, scans=scans))]
    if len(runs) > 1 and output is not None:
        raise ValueError("-o names one file: give one run, or use --out DIR for several")
    out: list[tuple[Path, Any]] = []
    for run in runs:
        start = run.metadata["start"]
        kind, stem = run_kind(start), _stem(start)
        if fmt == "xdi":
            name = f"{start['element']}_{start['edge']}_{start['uid'][:8]}.xdi"
            out.append((target(name), _edge_xdi(catalog, run)))
        elif fmt == "nexus":
            stop = run.metadata.get("stop") or {}
            cols = edge_columns(catalog, run)
            ds = run["primary"].read()
            dwell = np.asarray(ds[start["fields"]["dwell"]], dtype=float)
            data = {"energy": cols["energy"][0], "i0": cols["i0"][0], "it": cols["itrans"][0]}
            data["dwell_s"] = dwell
            writer = functools.partial(write_nxxas, start=start, stop=stop, data=data)
            out.append((target(f"{stem}.nxs"), writer))
        else:
            if kind == "edge":
                cols = edge_columns(catalog, run)
                tables = [et.edge_table(run, [(n, u, v) for n, (v, u) in cols.items()])]
            elif kind == "powder":
                tables = et.powder_tables(run)
            elif kind == "stopping":
                tables = et.stopping_tables(catalog, run)
            else:
                tables = et.axs_tables(catalog, run)
            if fmt == "xye":
                tables = [t for t in tables if len(t.columns) <= 3]
            render = et.csv_text if fmt == "csv" else et.xye_text
            many = len(tables) > 1
            base = target(f"{stem}.{fmt}")
            for t in tables:
                path = base.with_name(f"{base.stem}_{t.name}{base.suffix}") if many else base
                out.append((path, render(t)))
    return out


def _athena_scan(catalog: Any, run: Any) -> dict[str, Any]:
    from axsuite.analysis.absorption import normalize_xas

    start = run.metadata["start"]
    cols = edge_columns(catalog, run)
    energy, mu = cols["energy"][0], cols["mutrans"][0]
    norm = normalize_xas(energy, mu)
    return {
        "label": f"{start['element']}_{start['edge']}_scan{start.get('scan_id')}",
        "energy": energy,
        "mu": mu,
        "i0": cols["i0"][0],
        "e0_eV": norm.e0_eV,
        "edge_step": norm.edge_step,
        "element": start["element"],
        "edge": start["edge"],
    }


def export_runs(
    catalog: Any, keys: Sequence[str], fmt: str, output: str | Path | None = None,
    out_dir: str | Path | None = None,
) -> list[Path]:  # fmt: skip
    """Export runs ``keys`` in ``fmt``; returns the files written (all or none)."""
    from .catalog import find_run

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    runs = [find_run(catalog, k) for k in keys]
    for run in runs:
        start = run.metadata["start"]
        kind = run_kind(start)
        allowed = KIND_FORMATS.get(kind or "", ())
        if fmt not in allowed:
            hint = f"; it exports as {', '.join(allowed)}" if allowed else ""
            name = f"run {start['uid'][:8]} ({start.get('plan_name')})"
            if fmt in KIND_FORMATS["edge"] and fmt not in ("csv",):
                raise ValueError(f"{name} is not an edge scan: {fmt} holds μ(E){hint}")
            raise ValueError(
                f"{name} is not an edge, AXS, powder or stopping scan: nothing to {fmt}{hint}"
            )
    plan = _outputs(runs, fmt, output, catalog)
    if out_dir is not None:
        plan = [(Path(out_dir) / p if not p.is_absolute() else p, w) for p, w in plan]
    for parent in {p.parent.absolute() for p, _ in plan}:
        probe = parent
        while not probe.exists():
            probe = probe.parent
        if not probe.is_dir() or not os.access(probe, os.W_OK):
            raise ValueError(f"output directory {parent} is not writable")
    paths = [p for p, _ in plan]
    with staged(paths) as tmps:
        for tmp, (_, content) in zip(tmps, plan, strict=True):
            if isinstance(content, str):
                tmp.write_text(content, encoding="utf-8")
            else:
                content(tmp)
    return paths


def configure_parser(p: argparse.ArgumentParser) -> None:
    """Arguments of ``axs export``."""
    p.add_argument("run", nargs="+", help="uid, uid prefix or scan_id (athena: several scans)")
    p.add_argument("--format", default="xdi", help=f"output format: {', '.join(FORMATS)}")
    p.add_argument("-o", "--output", default=None, help="output file (default: derived name)")
    p.add_argument("--out", default=None, help="output directory (default: current)")


def cmd_export(args: argparse.Namespace) -> int:
    """write runs as XDI, CSV, xye, Athena project or NeXus NXxas and print the file names"""
    from .catalog import open_catalog, resolve_data_dir
    from .profile import load_profile

    if args.format not in FORMATS:
        raise ValueError(f"unknown format {args.format!r}; formats: {', '.join(FORMATS)}")
    prof = load_profile(args.profile)
    ddir = resolve_data_dir(args.data_dir)
    if prof.catalog.uri is None and not (ddir / "catalog.db").exists():
        raise ValueError(f"no catalog in {ddir} (run `axs demo` first or give --data-dir)")
    catalog = open_catalog(prof.catalog.uri, ddir, prof.catalog.api_key_env)
    try:
        paths = export_runs(catalog, args.run, args.format, args.output, args.out)
    except LookupError as exc:
        raise ValueError(str(exc)) from None
    for path in paths:
        print(f"export: wrote {path}")
    return 0
