"""``axs analyze-xas FILE…``: E0, edge step, normalized μ, f' and f'' of measured XAS files.

Reads XDI (any header variant), Athena project files and plain columns
(:func:`axsuite.analysis.xas_io.read_xas`); normalizes with xraylarch's default ranges
(:func:`axsuite.analysis.absorption.normalize_xas`) and gives f'' (MBACK) and f'
(differential KK) with :func:`axsuite.analysis.absorption.anomalous_factors_from_mu`,
printing the ranges used and any warning (other edges avoided, short pre-edge). The
element and edge come from the file header (XDI ``Element.symbol``/``Element.edge``,
Athena ``atsym``/``edge``) unless given; the sample's other elements from
``Sample.formula`` or ``--formula``. ``--report`` writes a PNG plot and a JSON file per
spectrum; ``--catalog`` stores each result as an ``absorption`` analysis run.
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from axsuite.analysis import xray
from axsuite.analysis.absorption import (
    XASRangeWarning,
    anomalous_factors_from_mu,
    normalize_xas,
)
from axsuite.analysis.xas_io import XASData, read_xas

OFFSETS_EV = (-100.0, -30.0, -10.0)
"""Energies relative to the measured E0 (eV) at which f' and f'' are printed."""


def configure_parser(p: argparse.ArgumentParser) -> None:
    """Arguments of ``axs analyze-xas``."""
    p.add_argument("files", nargs="+", help="XDI, Athena project (.prj) or column files")
    p.add_argument("--element", default=None, help="absorbing element (default: file header)")
    p.add_argument("--edge", default=None, help="edge K, L1, L2, L3, M1…M5 (default: header)")
    p.add_argument("--formula", default=None, help="sample formula, e.g. CuZn (other edges)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--report", action="store_true", help="write <name>_xas.png and .json")
    p.add_argument("--output-dir", default=".", help="directory for --report files")
    p.add_argument("--catalog", action="store_true", help="store results as analysis runs")
    p.add_argument(
        "--reference", action="store_true", help="analyse the reference channel ln(It/Iref)"
    )
    p.add_argument(
        "--mback-order",
        type=int,
        choices=range(4),
        default=3,
        help="MBACK background polynomial order (default 3, as Larch diffkk, so that files "
        "from other instruments compare with Larch; the live edge analysis uses 2)",
    )


def _element_edge(args: argparse.Namespace, d: XASData) -> tuple[str, str]:
    element = args.element or d.element
    if element is None:
        raise ValueError(f"{d.path}: the file names no element; give --element (e.g. Cu)")
    symbol = xray.element_symbol(element)
    edge = (args.edge or d.edge or "K").strip().upper()
    xray.edge_shell(edge)
    return symbol, edge


def _others(formula: str | None, symbol: str) -> list[str]:
    if not formula:
        return []
    return [el for el in xray.parse_formula(formula) if el != symbol]


def analyze_spectrum(
    d: XASData, element: str, edge: str, formula: str | None, mback_order: int = 2
) -> dict[str, Any]:
    """Result of one spectrum as a JSON-able dict (energies eV, f in electrons)."""
    order = np.argsort(d.energy_eV, kind="stable")
    e, mu = d.energy_eV[order], d.mu[order]
    keep = np.isfinite(e) & np.isfinite(mu)
    e, mu = e[keep], mu[keep]
    e, first = np.unique(e, return_index=True)
    mu = mu[first]
    others = _others(formula, element)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XASRangeWarning)  # the result's flags carry them
        e0 = normalize_xas(e, mu, element=element, edge=edge, other_elements=others).e0_eV
        at = e0 + np.array(OFFSETS_EV)
        res = anomalous_factors_from_mu(
            e, mu, element, edge=edge, at_eV=at, other_elements=others, poly_order=mback_order
        )
    return {
        "file": d.path,
        "label": d.label,
        "mu_source": d.mu_source,
        "element": element,
        "edge": edge,
        "formula": formula,
        "e0_eV": res.e0_eV,
        "e0_tab_eV": res.e0_tab_eV,
        "edge_step": res.edge_step,
        "ranges": res.ranges,
        "mback_order": mback_order,
        "other_edges": list(res.other_edges),
        "flags": list(res.flags),
        "mback_rms": res.mback_rms,
        "at": [
            {
                "offset_eV": off,
                "energy_eV": float(en),
                "fp": float(fp),
                "fpp": float(fpp),
                "in_scan": bool(e[0] <= en <= e[-1]),
                "fp_sensitivity": float(sens),
            }
            for off, en, fp, fpp, sens in zip(
                OFFSETS_EV, res.at_eV, res.fp_at, res.fpp_at, res.fp_at_sensitivity, strict=True
            )
        ],
        "energy_eV": res.energy_eV.tolist(),
        "mu": mu.tolist(),
        "norm": res.norm.tolist(),
        "fp": res.fp.tolist(),
        "fpp": res.fpp.tolist(),
        "fp_tab": res.fp_tab.tolist(),
        "fpp_tab": res.fpp_tab.tolist(),
    }


def save_plot(result: dict[str, Any], path: Path) -> Path:
    """PNG of normalized μ (with the fit ranges) and f', f'' (with Chantler's)."""
    from matplotlib.figure import Figure

    e = np.asarray(result["energy_eV"])
    e0 = result["e0_eV"]
    fig = Figure(figsize=(7.0, 6.0), layout="constrained")
    ax1, ax2 = fig.subplots(2, 1, sharex=True)
    ax1.plot(e, result["norm"], lw=1.0, label="normalized μ")
    r = result["ranges"]
    ax1.axvspan(e0 + r["pre1_eV"], e0 + r["pre2_eV"], color="C1", alpha=0.2, label="pre-edge")
    ax1.axvspan(e0 + r["norm1_eV"], e0 + r["norm2_eV"], color="C2", alpha=0.15, label="post")
    ax1.axvline(e0, color="k", lw=0.8, ls=":")
    ax1.set_ylabel("normalized μ")
    ax1.set_title(f"{result['label']}: {result['element']} {result['edge']}, E0 = {e0:.2f} eV")
    ax1.legend(fontsize=8)
    ax2.plot(e, result["fp"], label="f′ (diff. KK)")
    ax2.plot(e, result["fpp"], label="f″ (MBACK)")
    ax2.plot(e, result["fp_tab"], "k--", lw=0.7, label="Chantler")
    ax2.plot(e, result["fpp_tab"], "k--", lw=0.7)
    ax2.set_xlabel("energy (eV)")
    ax2.set_ylabel("electrons")
    ax2.legend(fontsize=8)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path


def _store(catalog: Any, result: dict[str, Any]) -> str:
    """Write one result as an ``absorption`` analysis run (streams as the live callback)."""
    import time

    import event_model
    from axsuite.analysis.provenance import axsuite_version

    from .catalog import make_writer

    md = {
        "analysis": "absorption",
        "plan_name": "analysis:absorption",
        "raw_uids": [],
        "source_file": str(Path(result["file"]).resolve()),
        "parameters": {"ranges": result["ranges"], "formula": result["formula"]},
        "axsuite_version": axsuite_version(),
        "complete": True,
        "flags": result["flags"],
        **{k: result[k] for k in ("element", "edge", "e0_eV", "e0_tab_eV", "edge_step")},
    }
    writer = make_writer(catalog, batch_size=1000)
    bundle = event_model.compose_run(metadata=md)
    writer("start", bundle.start_doc)
    units = {
        "energy": "eV",
        "fp": "electrons",
        "fpp": "electrons",
        "offset_eV": "eV",
        "e0_eV": "eV",
    }
    rows = {
        "anomalous_factors": {
            "energy": result["energy_eV"],
            "mu": result["mu"],
            "norm": result["norm"],
            "fp": result["fp"],
            "fpp": result["fpp"],
        },
        "anomalous_at_offsets": {
            "offset_eV": [a["offset_eV"] for a in result["at"]],
            "energy": [a["energy_eV"] for a in result["at"]],
            "fp": [a["fp"] for a in result["at"]],
            "fpp": [a["fpp"] for a in result["at"]],
            "e0_eV": [result["e0_eV"]] * len(result["at"]),
            "edge_step": [result["edge_step"]] * len(result["at"]),
        },
    }
    for name, cols in rows.items():
        keys = {
            k: {
                "dtype": "number",
                "shape": [],
                "source": "analyze-xas",
                **({"units": units[k]} if k in units else {}),
            }
            for k in cols
        }
        desc = bundle.compose_descriptor(name=name, data_keys=keys)
        writer("descriptor", desc.descriptor_doc)
        n = len(next(iter(cols.values())))
        now = time.time()
        page = desc.compose_event_page(
            data={k: list(map(float, v)) for k, v in cols.items()},
            timestamps={k: [now] * n for k in cols},
            seq_num=list(range(1, n + 1)),
        )
        writer("event_page", page)
    writer("stop", bundle.compose_stop())
    return bundle.start_doc["uid"]


def _print(result: dict[str, Any]) -> None:
    r = result["ranges"]
    print(f"{result['label']}: {result['element']} {result['edge']}  (μ = {result['mu_source']})")
    print(
        f"  E0 = {result['e0_eV']:.2f} eV (table {result['e0_tab_eV']:.1f}), "
        f"edge step = {result['edge_step']:.5g}"
    )
    print(
        f"  ranges (eV from E0): pre {r['pre1_eV']:.1f}…{r['pre2_eV']:.1f}, norm "
        f"{r['norm1_eV']:.1f}…{r['norm2_eV']:.1f} (order {int(r['nnorm'])}); MBACK below "
        f"{r['mback_pre_eV']:+.1f} and above {r['mback_post_eV']:+.1f}"
    )
    for a in result["at"]:
        where = "" if a["in_scan"] else "  (outside the scan: f'' tabulated)"
        print(
            f"  E0{a['offset_eV']:+7.1f} eV: f' = {a['fp']:+7.3f} e "
            f"(Δ with MBACK order {a['fp_sensitivity']:.3f})  "
            f"f'' = {a['fpp']:6.3f} e{where}"
        )
    for flag in result["flags"]:
        print(f"  WARNING: {flag}")


def _write_reports(results: list[dict], out: Path) -> None:
    """A PNG and a JSON file per result in ``out``."""
    for res in results:
        stem = Path(res["file"]).stem + (
            ""
            if res["label"] == Path(res["file"]).stem
            else "_" + "".join(c if c.isalnum() else "_" for c in res["label"])
        )
        res["plot"] = str(save_plot(res, out / f"{stem}_xas.png"))
        (out / f"{stem}_xas.json").write_text(json.dumps(res, indent=1) + "\n")


def _store_all(args: argparse.Namespace, results: list[dict]) -> None:
    """Each result as an ``absorption`` analysis run in the profile's catalog."""
    from .catalog import open_catalog, resolve_data_dir
    from .profile import load_profile

    prof = load_profile(args.profile)
    ddir = resolve_data_dir(args.data_dir)
    catalog = open_catalog(prof.catalog.uri, ddir, prof.catalog.api_key_env)
    for res in results:
        res["analysis_uid"] = _store(catalog, res)


def cmd_analyze_xas(args: argparse.Namespace) -> int:
    """E0, edge step, normalized μ, f' and f'' of XAS files (no scan needed)"""
    for f in args.files:
        path = Path(f)
        if not path.is_file():
            raise ValueError(f"{f}: no such file")
    results = []
    for f in args.files:
        for d in read_xas(f):
            if args.reference:
                d = d.reference()
            element, edge = _element_edge(args, d)
            formula = args.formula or d.formula
            results.append(analyze_spectrum(d, element, edge, formula, args.mback_order))
    if args.report:
        _write_reports(results, Path(args.output_dir))
    if args.catalog:
        _store_all(args, results)
    if args.json:
        brief = [
            {
                k: v
                for k, v in r.items()
                if k not in ("mu", "norm", "fp", "fpp", "fp_tab", "fpp_tab", "energy_eV")
            }
            for r in results
        ]
        print(json.dumps(brief, indent=1))
        return 0
    for res in results:
        _print(res)
        if "plot" in res:
            print(f"  plot: {res['plot']}")
        if "analysis_uid" in res:
            print(f"  stored as analysis run {res['analysis_uid'][:8]}")
    return 0
