"""``axs report UID|SCAN_ID… [--out DIR]``: one self-contained HTML page per run or campaign.

The page holds, per raw run: its metadata (sample, element, edge, energies, calibrations,
profile hash, versions), every analysis result with units and uncertainties, the figures
(PNG embedded as base64 data URIs: no file, no network), and the provenance (raw uid,
the stored analysis runs with their uids and parameters). The results are those of
:func:`axsuite.session.replay.replay` — the same numbers as ``axs replay --json`` — or,
for the demo, the live callbacks' results (identical by design, DESIGN §3). A small
inline script marks every figure that rendered (``data-rendered``) for headless checks.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import importlib.metadata
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .report_html import esc, key_value_table, result_html

#: Start-document keys shown as the run's metadata, in this order.
META_KEYS = (
    "scan_id", "uid", "plan_name", "sample", "composition", "element", "edge",
    "edge_energy_eV", "tabulated_e0_eV", "e0_eV", "offsets_eV", "energies_eV", "energy_eV",
    "wavelength_A", "q_grid", "regions", "ion", "target", "areal_density_1e15_cm2",
    "energies_MeV", "phases", "standard", "texture_axis", "geometry", "density_atoms_A3",
    "polarization", "calibrations", "instrument_calibration", "mono_calibration", "profile",
    "axsuite_version", "versions", "plan_args", "design_step",
)  # fmt: skip
PACKAGES = ("axsuite", "bluesky", "ophyd", "tiled", "event-model", "numpy", "scipy", "lmfit",
            "xraylib", "xraydb", "gemmi", "matplotlib")  # fmt: skip

_STYLE = """
body{font-family:sans-serif;margin:1.5em;max-width:1400px;color:#222}
h1{font-size:1.5em}.warn{color:#b00}h2{border-bottom:2px solid #357;margin-top:2em}h3{color:#357}
table{border-collapse:collapse;margin:.5em 0;font-size:.85em}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;vertical-align:top}
th{background:#eef}td.x{font-family:monospace;color:#555}
table.meta td{max-width:900px;overflow-wrap:anywhere;font-family:monospace}
img{max-width:100%;border:1px solid #ddd}details{margin:.3em 0}
"""
_CHECK_SCRIPT = """<script>
window.addEventListener('load', function () {
  var imgs = Array.prototype.slice.call(document.images), ok = 0;
  imgs.forEach(function (im) {
    var good = im.complete && im.naturalWidth > 0;
    im.setAttribute('data-rendered', good ? 'yes' : 'no');
    if (good) { ok += 1; }
  });
  document.body.setAttribute('data-figures', ok + '/' + imgs.length);
});
</script>"""


def software_versions() -> dict[str, str]:
    """Installed versions of the suite and the packages the numbers depend on."""
    out = {}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def _iso(t: float | None) -> str:
    if not t:
        return ""
    return datetime.datetime.fromtimestamp(t, tz=datetime.UTC).isoformat(timespec="seconds")


def provenance(catalog: Any, raw_uids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Raw uid → start documents of the stored analysis runs that analysed it."""
    from tiled.queries import Key

    wanted = set(raw_uids)
    out: dict[str, list[dict[str, Any]]] = {uid: [] for uid in wanted}
    names = ("edge", "absorption", "axs", "stopping", "lineprofile")
    for name in names:
        for run in catalog.search(Key("analysis") == name).values():
            start = run.metadata["start"]
            for uid in start.get("raw_uids", []):
                if uid in wanted:
                    out[uid].append(dict(start))
    return out


def _figure_html(analysis: str, result: Mapping[str, Any], run: Any) -> str:
    from . import report_figures as rf

    if analysis == "absorption":
        fig = rf.absorption_figure(result)
    elif analysis == "axs":
        fig = rf.axs_figure(result)
    elif analysis == "stopping":
        fig = rf.stopping_figure(result)
    elif analysis == "lineprofile":
        fields = run.metadata["start"].get("fields", {})
        x = y = None
        if "two_theta" in fields and "intensity" in fields:
            ds = run["primary"].read()
            x, y = ds[fields["two_theta"]].values, ds[fields["intensity"]].values
        fig = rf.lineprofile_figure(result, x, y)
    else:
        return ""
    alt = f"{analysis} figure"
    return f'<figure><img alt="{esc(alt)}" src="{rf.png_data_uri(fig)}"></figure>'


def _design_html(design: Mapping[str, Any]) -> str:
    """Designed AXS (issue 15): the chosen design beside the habitual E0 − 25/−250 eV one."""
    cols = [("designed", design.get("designed") or {}), ("habitual", design.get("habitual") or {})]
    pairs = sorted({p for _, d in cols for p in d.get("predicted_rms_sigma", {})})
    rows = [
        ("energies (eV)", [", ".join(f"{e:.1f}" for e in d.get("energies_eV", [])) or
                           d.get("unavailable", "—") for _, d in cols]),
        ("counting time per point (s)",
         [", ".join(f"{x:.2f}" for x in d.get("times_per_point_s", [])) for _, d in cols]),
        ("condition number", [f"{d['condition_number']:.0f}" if "condition_number" in d else ""
                              for _, d in cols]),
        *[(f"predicted RMS σ of S_{p}", [f"{d['predicted_rms_sigma'][p]:.4f}"
                                         if p in d.get("predicted_rms_sigma", {}) else ""
                                         for _, d in cols]) for p in pairs],
    ]  # fmt: skip
    body = "".join(f"<tr><td>{esc(k)}</td>" + "".join(f"<td>{esc(v)}</td>" for v in vals)
                   + "</tr>" for k, vals in rows)  # fmt: skip
    mode = "adaptive" if design.get("adaptive") else "fixed"
    return (f"<h3>design ({esc(mode)}, criterion {esc(design.get('criterion', ''))}, budget "
            f"{esc(design.get('budget_s', ''))} s, id {esc(str(design.get('id', ''))[:8])})</h3>"
            '<table class="meta"><tr><th></th><th>designed</th><th>habitual</th></tr>'
            f"{body}</table>")  # fmt: skip


def _run_section(
    run: Any, results: Mapping[str, Any], analyses: Sequence[Mapping[str, Any]]
) -> str:
    start = run.metadata["start"]
    stop = run.metadata.get("stop") or {}
    uid = start["uid"]
    title = " · ".join(
        str(x)
        for x in (
            f"scan {start.get('scan_id', '?')}",
            start.get("plan_name"),
            start.get("sample"),
            start.get("element"),
        )  # fmt: skip
        if x
    )
    meta = [(k, start[k]) for k in META_KEYS if k in start]
    meta += [
        ("start_time (UTC)", _iso(start.get("time"))),
        ("end_time (UTC)", _iso(stop.get("time"))),
        ("exit_status", stop.get("exit_status", "no stop document")),
        ("num_events", stop.get("num_events", {})),
    ]
    parts = [f'<section id="run-{esc(uid)}"><h2>{esc(title)}</h2>', key_value_table(meta)]
    if isinstance(start.get("design"), Mapping):
        parts.append(_design_html(start["design"]))
    for analysis, result in results.items():
        if analysis == "integrity":  # replay's note on an incomplete or damaged run
            parts.append('<h3 class="warn">integrity: incomplete or damaged run</h3>')
            parts.append(result_html(f"{uid}/{analysis}/", result))
            continue
        parts.append(f"<h3>{esc(analysis)}</h3>")
        parts.append(_figure_html(analysis, result, run))
        parts.append(result_html(f"{uid}/{analysis}/", result))
    if not results:
        parts.append("<p>No analysis applies to this run.</p>")
    rows = "".join(
        f"<tr><td>{esc(a['uid'])}</td><td>{esc(a.get('analysis'))}</td>"
        f"<td>{esc(a.get('checkpoint', ''))}</td><td>{esc(_iso(a.get('time')))}</td>"
        f"<td>{esc(a.get('axsuite_version', ''))}</td>"
        f"<td>{esc(', '.join(u[:8] for u in a.get('raw_uids', [])))}</td>"
        f"<td>{esc(a.get('parameters', {}))}</td></tr>"
        for a in analyses
    )
    parts.append(
        f"<h3>provenance</h3><p>raw run uid: <code>{esc(uid)}</code>; stored analysis runs:</p>"
        + '<table class="meta"><tr><th>analysis-run uid</th><th>analysis</th><th>checkpoint</th>'
        "<th>time (UTC)</th><th>axsuite</th><th>raw uids</th><th>parameters</th></tr>"
        + rows + "</table></section>"
    )  # fmt: skip
    return "\n".join(p for p in parts if p)


def build_report(
    catalog: Any,
    runs: Sequence[Any],
    results: Mapping[str, Mapping[str, Any]],
    *,
    title: str,
) -> str:
    """The HTML page of ``runs`` (catalog run clients) with ``results`` (raw uid →
    analysis → result dict, as :func:`axsuite.session.replay.replay` returns)."""
    uids = [r.metadata["start"]["uid"] for r in runs]
    prov = provenance(catalog, uids)
    index = "".join(
        f"<tr><td>{esc(r.metadata['start'].get('scan_id', ''))}</td>"
        f'<td><a href="#run-{esc(u)}">{esc(u[:8])}</a></td>'
        f"<td>{esc(r.metadata['start'].get('plan_name', ''))}</td>"
        f"<td>{esc(r.metadata['start'].get('sample', ''))}</td>"
        f"<td>{esc(', '.join(results.get(u, {})))}</td></tr>"
        for r, u in zip(runs, uids, strict=True)
    )
    sections = [
        _run_section(r, results.get(u, {}), prov[u]) for r, u in zip(runs, uids, strict=True)
    ]
    versions = key_value_table(list(software_versions().items()))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc(title)}</title><style>{_STYLE}</style></head><body>"
        f"<h1>{esc(title)}</h1><p>generated {esc(_iso(datetime.datetime.now().timestamp()))}"
        " by axs report; results are the analysis callbacks' (as <code>axs replay --json</code>)"
        "; units in brackets, uncertainties are one standard error.</p>"
        "<h2>runs</h2><table><tr><th>scan_id</th><th>uid</th><th>plan</th><th>sample</th>"
        f"<th>analyses</th></tr>{index}</table><h2>software</h2>{versions}"
        + "\n".join(sections)
        + _CHECK_SCRIPT
        + "</body></html>\n"
    )


def write_atomically(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file and a rename (never half-written)."""
    from .export import staged

    with staged([path]) as (tmp,):
        tmp.write_text(text, encoding="utf-8")
    return path


def write_report(
    catalog: Any,
    keys: Sequence[str],
    profile: Any,
    out_dir: str | Path,
    *,
    results: Mapping[str, Mapping[str, Any]] | None = None,
) -> Path:
    """Write the report of the runs ``keys`` (uids, prefixes, scan_ids) into ``out_dir``.

    ``results`` (raw uid → analysis → result dict) defaults to a replay of the runs, in
    order, through fresh analysis callbacks. Returns the page's path.
    """
    from .catalog import find_run
    from .replay import replay

    runs = [find_run(catalog, k) for k in keys]
    uids = [r.metadata["start"]["uid"] for r in runs]
    raw = [u for r, u in zip(runs, uids, strict=True) if "analysis" not in r.metadata["start"]]
    if len(raw) != len(uids):
        bad = next(u for u in uids if u not in raw)
        raise ValueError(f"run {bad[:8]} is an analysis run; report the raw runs it analysed")
    if results is None:
        results = replay(catalog, uids, profile, echo=None)
    ids = [str(r.metadata["start"].get("scan_id", u[:8])) for r, u in zip(runs, uids, strict=True)]
    title = (
        f"axsuite report: scan {ids[0]} ({uids[0][:8]})"
        if len(runs) == 1
        else f"axsuite campaign report: scans {', '.join(ids)}"
    )
    # a campaign page is named after every run in it, so another set never overwrites it
    tag = hashlib.sha1("".join(uids).encode()).hexdigest()[:6]
    name = f"report_{uids[0][:8]}.html" if len(runs) == 1 else f"campaign_{uids[0][:8]}_{tag}.html"
    html_text = build_report(catalog, runs, results, title=title)
    return write_atomically(Path(out_dir) / name, html_text)


def write_session_report(session: Any, *, since: float) -> Path:
    """The campaign report of every raw run ``session`` stored since ``since`` (epoch s),
    from the live callbacks' results (no replay); in ``<data dir>/reports``."""
    from axsuite.callbacks.base import result_dict

    from .catalog import find_run

    raw = [
        uid
        for uid, run in session.catalog.items()
        if "analysis" not in run.metadata["start"] and run.metadata["start"]["time"] >= since
    ]
    results: dict[str, dict[str, Any]] = {}
    for cb in session.analyses:
        for uid, result in cb.results.items():
            results.setdefault(uid, {})[cb.analysis_name] = result_dict(result)
    runs = [find_run(session.catalog, u) for u in raw]
    return write_report(
        session.catalog,
        [r.metadata["start"]["uid"] for r in runs],
        session.profile,
        session.data_dir / "reports",
        results=results,
    )


def configure(p: argparse.ArgumentParser) -> None:
    """Arguments of ``axs report``."""
    p.add_argument("runs", nargs="+", help="uid, uid prefix or scan_id (several: one page)")
    p.add_argument("--out", default=None, help="output directory (default <data-dir>/reports)")


def cmd_report(args: argparse.Namespace) -> int:
    """write one self-contained HTML page of the runs and print its path"""
    from .catalog import open_catalog, resolve_data_dir
    from .profile import load_profile

    prof = load_profile(args.profile)
    ddir = resolve_data_dir(args.data_dir)
    if prof.catalog.uri is None and not (ddir / "catalog.db").exists():
        raise ValueError(f"no catalog in {ddir} (run `axs demo` first or give --data-dir)")
    out = Path(args.out) if args.out else ddir / "reports"
    if out.exists() and not out.is_dir():
        raise ValueError(f"--out {out} is not a directory")
    if not os.access(out if out.exists() else _existing_parent(out), os.W_OK):
        raise ValueError(f"--out {out}: directory is not writable")
    catalog = open_catalog(prof.catalog.uri, ddir, prof.catalog.api_key_env)
    try:
        path = write_report(catalog, args.runs, prof, out)
    except LookupError as exc:
        raise ValueError(str(exc)) from None
    print(f"report: wrote {path}")
    return 0


def _existing_parent(path: Path) -> Path:
    for p in path.absolute().parents:
        if p.exists():
            return p
    return Path("/")
