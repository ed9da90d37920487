"""HTML pieces of ``axs report``: every number of a result dict, with units and uncertainties.

A result dict (``axs replay --json``) is flattened into leaves with dotted paths
(``partials.s[0]``). Scalars go into a summary table (value rounded to its uncertainty,
the unit, and the full-precision value); 1-D arrays of equal length of the same record
go into one data table (long ones folded in ``<details>``). Every full-precision cell
carries ``data-path`` = ``UID/analysis/path`` and holds the value as JSON text, so a
reader (or a test) can find each number of the replay in the page.
"""

from __future__ import annotations

import html
import json
import math
from collections.abc import Iterator, Mapping
from typing import Any

#: Arrays up to this length are shown open; longer ones are folded.
OPEN_ROWS = 40

#: Units of result keys that do not carry them in their names.
_UNITS = {
    "q": "Å⁻¹", "r": "Å", "fp": "e", "fpp": "e", "fp_at": "e", "fpp_at": "e", "factors": "e",
    "intensity": "e.u./atom", "mu": "ln(I0/It)", "mu_cm": "cm⁻¹", "normalization_factor":
    "e.u./count", "cell_a": "Å", "cell_b": "Å", "cell_c": "Å", "cell_alpha": "deg",
    "cell_beta": "deg", "cell_gamma": "deg", "U": "deg²", "V": "deg²", "W": "deg²", "X": "deg",
    "Y": "deg", "zero": "deg", "coordination": "atoms", "gamma2": "", "area": "counts·deg",
}  # fmt: skip
_SUFFIX_UNITS = (
    ("_MeV_cm2_g", "MeV cm²/g"), ("_MeV_u", "MeV/u"), ("_MeV", "MeV"), ("_keV", "keV"),
    ("_eV", "eV"), ("_deg", "deg"), ("_A", "Å"), ("_A3", "Å⁻³"), ("_cm", "cm"),
)  # fmt: skip
#: Scalars whose uncertainty key does not follow ``x_err`` / ``x_err_UNIT``.
_ERR_KEYS = {"i_fit_eV": "i_err_eV"}


def esc(text: Any) -> str:
    """HTML-escaped text."""
    return html.escape(str(text), quote=True)


def unit_of(path: str) -> str:
    """Unit of the result leaf ``path`` from its last key (and an ``_err`` partner's key)."""
    key = path.rsplit(".", 1)[-1].split("[", 1)[0]
    parent = path.rsplit(".", 2)[-2].split("[", 1)[0] if "." in path else ""
    base = key.replace("_err", "")
    for name in (key, base, parent):
        if name in _UNITS:
            return _UNITS[name]
    for suffix, unit in _SUFFIX_UNITS:
        if base.endswith(suffix):
            return unit
    return ""


def exact(value: Any) -> str:
    """A leaf as JSON text: full-precision numbers, ``null``, ``true``; strings as they are."""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return json.dumps(value)


def rounded(value: Any, err: Any = None) -> tuple[str, str]:
    """(value, uncertainty) rounded to two significant digits of the uncertainty."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return ("—" if value is None else str(value)), ""
    if isinstance(value, int):
        return str(value), ""
    if isinstance(err, (int, float)) and math.isfinite(err) and err > 0 and math.isfinite(value):
        decimals = max(0, 1 - int(math.floor(math.log10(err))))
        return f"{value:.{decimals}f}", f"{err:.{decimals}f}"
    return f"{value:.6g}", ""


def _is_scalar(v: Any) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


def flatten(obj: Any, path: str = "", record: str = "") -> Iterator[tuple[str, str, Any]]:
    """(record, path, leaf) for every scalar and every 1-D list of scalars in ``obj``.

    ``record`` is the path of the enclosing list element (or ``""``): arrays of one record
    and one length belong in one table.
    """
    if isinstance(obj, Mapping):
        for k, v in obj.items():
            yield from flatten(v, f"{path}.{k}" if path else str(k), record)
    elif isinstance(obj, (list, tuple)):
        if all(_is_scalar(v) for v in obj) and obj:
            yield record, path, list(obj)
        elif not obj:
            yield record, path, []
        elif all(isinstance(v, (list, tuple)) for v in obj):
            for i, v in enumerate(obj):
                yield from flatten(v, f"{path}[{i}]", record)
        else:
            for i, v in enumerate(obj):
                yield from flatten(v, f"{path}[{i}]", f"{path}[{i}]")
    else:
        yield record, path, obj


def _err_partner(key: str) -> list[str]:
    if key in _ERR_KEYS:
        return [_ERR_KEYS[key]]
    out = [f"{key}_err"]
    for suffix in ("_A", "_eV", "_deg"):
        if key.endswith(suffix):
            out.append(key[: -len(suffix)] + "_err" + suffix)
    return out


def scalar_table(prefix: str, leaves: list[tuple[str, Any]]) -> str:
    """Summary rows: quantity, value ± uncertainty (rounded), unit, full precision."""
    by_path = dict(leaves)
    used: set[str] = set()
    rows = []
    for path, value in leaves:
        if path in used:
            continue
        head, _, key = path.rpartition(".")
        err_path = next(
            (f"{head}.{e}" if head else e for e in _err_partner(key)
             if (f"{head}.{e}" if head else e) in by_path),
            None,
        )  # fmt: skip
        err = by_path.get(err_path) if err_path else None
        if err_path:
            used.add(err_path)
        v_txt, e_txt = rounded(value, err)
        err_cell = (
            f'<td class="x" data-path="{esc(prefix + err_path)}">{esc(exact(err))}</td>'
            if err_path
            else "<td></td>"
        )
        rows.append(
            f"<tr><th>{esc(path)}</th><td>{esc(v_txt)}</td><td>{'± ' + esc(e_txt) if e_txt else ''}"
            f"</td><td>{esc(unit_of(path))}</td>"
            f'<td class="x" data-path="{esc(prefix + path)}">{esc(exact(value))}</td>'
            f"{err_cell}</tr>"
        )
    if not rows:
        return ""
    return (
        '<table class="scalars"><tr><th>quantity</th><th>value</th><th>±</th><th>unit</th>'
        "<th>full precision</th><th>± full precision</th></tr>" + "".join(rows) + "</table>"
    )


def array_table(prefix: str, record: str, columns: list[tuple[str, list[Any]]]) -> str:
    """One table of equal-length arrays (columns), folded when long."""
    n = len(columns[0][1])
    start = len(record) + 1 if record else 0
    head = "".join(
        f'<th data-path="{esc(prefix + p)}">{esc(p[start:])}'
        + (f" ({esc(unit_of(p))})" if unit_of(p) else "")
        + "</th>"
        for p, _ in columns
    )
    body = "".join(
        "<tr>" + "".join(f"<td>{esc(exact(col[i]))}</td>" for _, col in columns) + "</tr>"
        for i in range(n)
    )
    table = f'<table class="array" data-rows="{n}"><tr>{head}</tr>{body}</table>'
    if n <= OPEN_ROWS:
        return table
    names = ", ".join(p[start:] for p, _ in columns)
    return f"<details><summary>data: {esc(names)} ({n} rows)</summary>{table}</details>"


def result_html(prefix: str, result: Mapping[str, Any]) -> str:
    """Every number of one analysis result: a summary table, then the data tables."""
    scalars: list[tuple[str, Any]] = []
    groups: dict[tuple[str, int], list[tuple[str, list[Any]]]] = {}
    for record, path, leaf in flatten(result):
        if isinstance(leaf, list):
            groups.setdefault((record, len(leaf)), []).append((path, leaf))
        else:
            scalars.append((path, leaf))
    parts = [scalar_table(prefix, scalars)]
    for (record, _), cols in groups.items():
        numeric = [c for c in cols if any(isinstance(v, (int, float)) for v in c[1])]
        if not numeric:  # string lists alone (notes, warnings, pairs): a list
            for path, values in cols:
                items = "".join(
                    f'<li data-path="{esc(prefix)}{esc(path)}[{i}]">{esc(v)}</li>'
                    for i, v in enumerate(values)
                )
                parts.append(f"<p>{esc(path)}:</p><ul>{items}</ul>")
            continue
        parts.append(array_table(prefix, record, cols))
    return "\n".join(p for p in parts if p)


def key_value_table(rows: list[tuple[str, Any]]) -> str:
    """A two-column table (name, value); mappings and lists as compact JSON."""
    cells = []
    for k, v in rows:
        text = v if isinstance(v, str) else json.dumps(v, default=str)
        cells.append(f"<tr><th>{esc(k)}</th><td>{esc(text)}</td></tr>")
    return '<table class="meta">' + "".join(cells) + "</table>"
