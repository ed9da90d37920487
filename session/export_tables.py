"""Column tables of stored runs for ``axs export --format csv|xye``.

A :class:`Table` is named columns with units plus header lines; the writers put the
column names and units in the header (CSV: ``#`` comment lines, then one line
``name (unit),…``; xye: ``#`` comment lines naming x, y, e with units, then three
whitespace-separated columns, as GSAS-II and Fullprof read them).

What a run gives: powder scans their pattern 2θ (deg), counts, σ = √counts; AXS scans I(Q)
per energy (e.u./atom), ΔS(Q), the partials S_ab(Q) and g_ab(r) from the stored
``axs`` analysis runs; stopping scans S(E) (MeV cm²/g) from the stored ``stopping``
analysis run; edge scans μ(E) with f′, f″ (CSV only).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import numpy as np


@dataclasses.dataclass(frozen=True)
class Table:
    """Columns (name, unit, values) of equal length; ``name`` goes into the file name."""

    name: str
    columns: tuple[tuple[str, str, np.ndarray], ...]
    header: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        sizes = {np.asarray(c[2]).size for c in self.columns}
        if len(sizes) != 1 or 0 in sizes:
            raise ValueError(f"table {self.name}: columns must be non-empty and of equal length")


def csv_text(t: Table) -> str:
    """CSV: ``#`` header lines, one line of ``name (unit)`` labels, then the rows."""
    head = [f"# {h}" for h in t.header]
    labels = ",".join(f"{n} ({u})" if u else n for n, u, _ in t.columns)
    data = np.column_stack([np.asarray(c[2], dtype=float) for c in t.columns])
    return "\n".join([*head, labels, *(",".join(f"{x:.10g}" for x in row) for row in data)]) + "\n"


def xye_text(t: Table) -> str:
    """xye: ``#`` header lines (naming x, y[, e] and units), then the columns (g(r) has
    no uncertainty from the analysis: x y only)."""
    if len(t.columns) not in (2, 3):
        raise ValueError(f"table {t.name}: xye needs x, y and optionally e columns")
    names = "  ".join(f"{n} ({u})" if u else n for n, u, _ in t.columns)
    head = [f"# {h}" for h in t.header] + [f"# columns: {names}"]
    data = np.column_stack([np.asarray(c[2], dtype=float) for c in t.columns])
    return "\n".join([*head, *(" ".join(f"{x:.10g}" for x in row) for row in data)]) + "\n"


def _analysis_runs(catalog: Any, name: str, uid: str) -> list[Any]:
    from tiled.queries import Key

    return [
        r
        for r in catalog.search(Key("analysis") == name).values()
        if uid in r.metadata["start"].get("raw_uids", [])
    ]


def _col(ds: Any, name: str) -> np.ndarray:
    return np.asarray(ds[name], dtype=float)


def powder_tables(run: Any) -> list[Table]:
    """The measured pattern: 2θ (deg), counts, σ = √counts (Poisson)."""
    start = run.metadata["start"]
    f = start["fields"]
    ds = run["primary"].read()
    tth, counts = _col(ds, f["two_theta"]), _col(ds, f["intensity"])
    head = (
        f"powder pattern of {start.get('sample')} (scan {start.get('scan_id')}, {start['uid']})",
        f"wavelength {start.get('wavelength_A')} A, energy {start.get('energy_eV')} eV",
    )
    cols = (("two_theta", "deg", tth), ("counts", "", counts), ("sigma", "", np.sqrt(counts)))
    return [Table("pattern", cols, head)]


def stopping_tables(catalog: Any, run: Any) -> list[Table]:
    """S(E) per energy from the stored ``stopping`` analysis run (MeV/u, MeV cm²/g)."""
    start = run.metadata["start"]
    found = _analysis_runs(catalog, "stopping", start["uid"])
    if not found:
        raise ValueError(f"run {start['uid'][:8]} has no stored stopping analysis to export")
    a = found[-1]
    ds = a["stopping"].read()
    head = (
        f"{start.get('ion', {}).get('symbol')} in {start.get('target')} "
        f"(scan {start.get('scan_id')}, "
        f"{start['uid']}); analysis run {a.metadata['start']['uid']}",
    )
    cols = (
        ("energy", "MeV/u", _col(ds, "energy_MeV_u")),
        ("stopping", "MeV cm2/g", _col(ds, "stopping_MeV_cm2_g")),
        ("sigma", "MeV cm2/g", _col(ds, "sigma_MeV_cm2_g")),
    )
    extra = (
        ("energy_total", "MeV", _col(ds, "energy_MeV")),
        ("model", "MeV cm2/g", _col(ds, "model_MeV_cm2_g")),
        ("gamma2", "", _col(ds, "gamma2")),
    )
    return [Table("stopping", cols, head), Table("stopping_all", cols + extra, head)]


def _rows(stream: Any) -> list[dict[str, np.ndarray]]:
    ds = stream.read()
    n = ds.sizes.get("time", 1)
    return [{k: np.asarray(ds[k].values[i]) for k in ds.data_vars} for i in range(n)]


def axs_tables(catalog: Any, run: Any) -> list[Table]:
    """I(Q) per energy, ΔS(Q) per energy pair, S_ab(Q) and g_ab(r) (stored ``axs`` runs)."""
    start = run.metadata["start"]
    uid = start["uid"]
    runs = [
        r
        for r in _analysis_runs(catalog, "axs", uid)
        if r.metadata["start"].get("checkpoint") == "run"
    ]
    if not runs:
        raise ValueError(f"run {uid[:8]} has no stored AXS analysis to export")
    own = [r for r in runs if r.metadata["start"]["raw_uids"] == [uid]] or runs
    a = own[-1]
    src = f"scan {start.get('scan_id')} ({uid}); analysis run {a.metadata['start']['uid']}"
    tables = []
    for row in _rows(a["intensity"]):
        e = float(row["energy_eV"])
        cols = (("q", "1/A", row["q"]), ("intensity", "e.u./atom", row["intensity"]),
                ("sigma", "e.u./atom", row["sigma"]))  # fmt: skip
        tables.append(Table(f"IQ_{e:.1f}eV", cols, (f"I(Q) at {e:.3f} eV, {src}",)))
    for row in _rows(a["differential"]):
        e1, e2 = float(row["energy1_eV"]), float(row["energy2_eV"])
        cols = (("q", "1/A", row["q"]), ("dS", "", row["ds"]), ("sigma", "", row["sigma"]))
        title = f"differential structure factor dS_{row['element']}(Q), {e1:.1f} - {e2:.1f} eV"
        tables.append(Table(f"dSQ_{e1:.0f}_{e2:.0f}eV", cols, (title, src)))
    partials = [r for r in runs if "partials" in r]
    if partials:
        p = partials[-1]
        psrc = f"analysis run {p.metadata['start']['uid']} of {p.metadata['start']['raw_uids']}"
        for row in _rows(p["partials"]):
            pair = str(row["pair"])
            cols = (("q", "1/A", row["q"]), ("S", "", row["s"]), ("sigma", "", row["sigma"]))
            tables.append(Table(f"SQ_{pair}", cols, (f"partial S_{pair}(Q) (Faber-Ziman)", psrc)))
            g = np.asarray(row["g"], dtype=float)
            cols = (("r", "A", row["r"]), ("g", "", g))
            tables.append(Table(f"gr_{pair}", cols, (f"partial g_{pair}(r)", psrc)))
    return tables


def edge_table(run: Any, columns: Sequence[tuple[str, str | None, np.ndarray]]) -> Table:
    """μ(E) columns of an edge scan (the XDI columns) as one table."""
    start = run.metadata["start"]
    head = (
        f"{start['element']} {start['edge']} edge scan {start.get('scan_id')} ({start['uid']})",
    )
    return Table("mu", tuple((n, u or "", v) for n, u, v in columns), head)
