"""Readers of measured XAS files: XDI, Athena project files and plain column files (pure).

Public API: :func:`read_xas` (any of the three, by content), :func:`read_xdi_table`,
:func:`read_athena`, :func:`read_columns`, :func:`mu_from_columns`, :class:`XASData`.

* XDI 1.0/1.1 (Ravel & Newville, https://github.com/XraySpectroscopy/XAS-Data-Interchange):
  ``# Namespace.tag: value`` header lines; free comments after an optional ``# ///``; the
  header ends at a line of dashes (``#----``, ``# -------------`` …), which may be followed
  by a ``#`` line of column labels. Column names come from ``Column.N``.
* Athena project files (Demeter, gzip-compressed or not): Perl ``$old_group = …;``,
  ``@args = (…);``, ``@x = (…);``, ``@y = (…);`` records; every μ(E) group is returned.
* Plain columns: ``#`` comment lines, the last one before the data naming the columns when
  its word count matches; otherwise column 1 is the energy and column 2 is μ.

μ is chosen by :func:`mu_from_columns`: a μ column (``mutrans``, ``mu``, ``xmu`` …) when
present, else transmission ln(I0/It), else fluorescence If/I0. Energies are in eV (a
column labelled keV, or a plain file whose energies are all below 100, is converted).
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

_MU_NAMES = ("mutrans", "mu_trans", "mu", "xmu", "mu_t", "mut", "mufluor", "mu_fluor", "muf")
_I0_NAMES = ("i0", "io", "i_0", "izero", "mon", "monitor")
_IT_NAMES = ("itrans", "it", "i1", "i_t", "itr", "trans")
_IF_NAMES = ("ifluor", "if", "ifl", "fluor", "i_f", "iff", "fluo")
_IREF_NAMES = ("irefer", "iref", "i2", "i_ref", "ir")
_ENERGY_NAMES = ("energy", "e", "energy_ev", "enc", "en", "ev")
_DASHES = re.compile(r"^#\s*-{2,}\s*$")
_XDI_VERSION = re.compile(r"^#\s*XDI/(\d+\.\d+)")


@dataclass(frozen=True)
class XASData:
    """One μ(E) spectrum read from a file.

    ``energy_eV`` (eV, as in the file, not sorted), ``mu`` (μ in the file's units, or
    ln(I0/It), or If/I0), ``mu_source`` says which; ``element``/``edge``/``formula`` come
    from the header when it has them (else None); ``columns`` holds every column by name.
    """

    path: str
    label: str
    energy_eV: np.ndarray
    mu: np.ndarray
    mu_source: str
    element: str | None = None
    edge: str | None = None
    formula: str | None = None
    header: dict[str, str] = field(default_factory=dict)
    columns: dict[str, np.ndarray] = field(default_factory=dict)

    def reference(self) -> XASData:
        """The reference channel μ_ref = ln(It/Iref) (a foil after the sample) as a spectrum.

        Raises ``ValueError`` if the file has no It and Iref columns.
        """
        names = list(self.columns)
        it, ref = _find(names, _IT_NAMES), _find(names, _IREF_NAMES)
        if it is None or ref is None:
            raise ValueError(f"{self.path}: no reference channel (needs it and iref columns)")
        with np.errstate(divide="ignore", invalid="ignore"):
            mu = np.log(self.columns[it] / self.columns[ref])
        return XASData(
            self.path,
            f"{self.label} (reference)",
            self.energy_eV,
            mu,
            f"ln({it}/{ref})",
            self.element,
            self.edge,
            None,
            self.header,
            self.columns,
        )


def _find(names: list[str], candidates: tuple[str, ...]) -> str | None:
    lower = {n.lower(): n for n in names}
    return next((lower[c] for c in candidates if c in lower), None)


def mu_from_columns(columns: dict[str, np.ndarray]) -> tuple[np.ndarray, str]:
    """μ(E) from named columns and a note of how: μ column, ln(I0/It) or If/I0.

    Raises ``ValueError`` naming the columns when none of these can be formed.
    """
    names = list(columns)
    mu = _find(names, _MU_NAMES)
    if mu is not None:
        return np.asarray(columns[mu], dtype=float), mu
    i0 = _find(names, _I0_NAMES)
    it = _find(names, _IT_NAMES)
    fl = _find(names, _IF_NAMES)
    with np.errstate(divide="ignore", invalid="ignore"):
        if i0 is not None and it is not None:
            return np.log(columns[i0] / columns[it]), f"ln({i0}/{it})"
        if i0 is not None and fl is not None:
            return columns[fl] / columns[i0], f"{fl}/{i0}"
    raise ValueError(
        f"cannot form mu(E) from columns {names}: need a mu column ({', '.join(_MU_NAMES[:3])}…),"
        f" or i0 with itrans (transmission) or ifluor (fluorescence)"
    )


def _energy(columns: dict[str, np.ndarray], units: str) -> tuple[str, np.ndarray]:
    names = list(columns)
    name = _find(names, _ENERGY_NAMES) or names[0]
    e = np.asarray(columns[name], dtype=float)
    if units.lower() == "kev":
        e = e * 1000.0
    return name, e


def _numbers(lines: list[str], path: str | Path) -> np.ndarray:
    rows = []
    for n, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            rows.append([float(x) for x in line.replace(",", " ").split()])
        except ValueError:
            bad = line.strip()[:60]
            raise ValueError(f"{path}: line {n + 1} is not numeric: {bad!r}") from None
    if not rows or len({len(r) for r in rows}) != 1:
        raise ValueError(f"{path}: no data rows, or rows with different numbers of columns")
    return np.asarray(rows, dtype=float)


def read_xdi_table(path: str | Path) -> tuple[dict[str, str], list[str], np.ndarray]:
    """Read an XDI file: (header ``Namespace.tag`` → value, column names, rows × columns).

    Accepts XDI 1.0 and 1.1 version lines with or without a space after ``#``, any dashed
    header-end line, and ``# ///`` comment blocks. Raises ``ValueError`` if the version line
    is missing or the columns cannot be named.
    """
    text = _read_text(path).splitlines()
    if not text or not _XDI_VERSION.match(text[0]):
        raise ValueError(f"{path}: not an XDI file (first line {text[:1]})")
    header: dict[str, str] = {}
    labels: list[str] = []
    end = len(text)
    for n, line in enumerate(text[1:], start=1):
        if not line.startswith("#"):
            end = n
            break
        if _DASHES.match(line):
            nxt = text[n + 1] if n + 1 < len(text) else ""
            labels = nxt.lstrip("#").split() if nxt.startswith("#") else []
            end = n + 1
            break
        body = line.lstrip("#").strip()
        key, sep, value = body.partition(":")
        if sep and "." in key and " " not in key.strip():
            header.setdefault(key.strip(), value.strip())
    data = _numbers(text[end:], path)
    ncols = sorted(int(k.split(".")[1]) for k in header if re.fullmatch(r"Column\.\d+", k))
    if ncols and len(ncols) == data.shape[1]:
        names = [header[f"Column.{i}"].split()[0] for i in ncols]
    elif len(labels) == data.shape[1]:
        names = labels
    else:
        raise ValueError(
            f"{path}: {data.shape[1]} data columns but {len(ncols)} Column.N fields "
            f"and {len(labels)} labels"
        )
    return header, names, data


def _read_text(path: str | Path) -> str:
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return raw.decode("utf-8", errors="replace")


def _element_edge(header: dict[str, str]) -> tuple[str | None, str | None, str | None]:
    el = header.get("Element.symbol", "").strip() or None
    edge = header.get("Element.edge", "").strip().upper() or None
    formula = header.get("Sample.formula", "").strip() or None
    return el, edge, formula


def _from_table(
    path: str | Path, label: str, names: list[str], data: np.ndarray, header: dict[str, str]
) -> XASData:
    columns = {n: data[:, i] for i, n in enumerate(names)}
    ename = _find(names, _ENERGY_NAMES) or names[0]
    units = header.get(f"Column.{names.index(ename) + 1}", "").split()[1:2]
    _, energy = _energy(columns, units[0] if units else "eV")
    mu, how = mu_from_columns({k: v for k, v in columns.items() if k != ename})
    el, edge, formula = _element_edge(header)
    return XASData(str(path), label, energy, mu, how, el, edge, formula, header, columns)


def read_columns(path: str | Path) -> XASData:
    """Plain whitespace/comma columns (see the module notes); energies in eV."""
    lines = _read_text(path).splitlines()
    data = _numbers(lines, path)
    if data.shape[1] < 2:
        raise ValueError(f"{path}: need at least two columns (energy, mu)")
    comments = [ln for ln in lines if ln.lstrip().startswith("#")]
    labels = comments[-1].lstrip("#").replace(",", " ").split() if comments else []
    if len(labels) != data.shape[1] or len(set(labels)) != len(labels):
        labels = ["energy", "mu"] + [f"col{i + 1}" for i in range(2, data.shape[1])]
    columns = {n: data[:, i] for i, n in enumerate(labels)}
    ename = _find(labels, _ENERGY_NAMES) or labels[0]
    energy = np.asarray(columns[ename], dtype=float)
    if np.nanmax(energy) < 100.0:
        energy = energy * 1000.0
    rest = {k: v for k, v in columns.items() if k != ename}
    try:
        mu, how = mu_from_columns(rest)
    except ValueError:
        second = next(iter(rest))
        mu, how = np.asarray(rest[second], dtype=float), second
    return XASData(str(path), Path(path).stem, energy, mu, how, columns=columns)


_PERL_ARRAY = re.compile(r"^@(\w+)\s*=\s*\((.*)\);\s*$")
_PERL_SCALAR = re.compile(r"^\$old_group\s*=\s*'([^']*)';")


def _perl_items(text: str) -> list[str]:
    """Top-level comma-separated items of a Perl list, quotes removed (nested lists kept)."""
    items, buf, depth, quote, escape = [], [], 0, False, False
    for ch in text:
        if escape:
            buf.append(ch)
            escape = False
        elif ch == "\\" and quote:
            escape = True
        elif ch == "'":
            quote = not quote
            if depth:
                buf.append(ch)
        elif quote:
            buf.append(ch)
        elif ch in "[(":
            depth += 1
            buf.append(ch)
        elif ch in "])":
            depth -= 1
            buf.append(ch)
        elif ch == "," and depth == 0:
            items.append("".join(buf).strip())
            buf = []
        else:
            buf.append(ch)
    if "".join(buf).strip():
        items.append("".join(buf).strip())
    return items


def _athena_group(path: str | Path, name: str, args: dict, x: list, y: list) -> XASData | None:
    """One Athena group as :class:`XASData`, or None if it is not μ(E) (chi(k), …)."""
    flags = {k: str(args.get(k, d)).strip() for k, d in (("is_xmu", "1"), ("is_chi", "0"))}
    if flags["is_xmu"] in ("0", "0.0") or flags["is_chi"] not in ("0", "0.0") or not x:
        return None
    energy = np.asarray(x, dtype=float)
    mu = np.asarray(y, dtype=float)
    if energy.shape != mu.shape:
        raise ValueError(f"{path}: group {name!r} has {energy.size} energies and {mu.size} mu")
    label = str(args.get("label", name))
    header = {f"Athena.{k}": str(v) for k, v in args.items()}
    el = str(args.get("atsym") or args.get("bkg_z") or "").strip() or None
    edge = str(args.get("edge") or args.get("fft_edge") or "").strip().upper() or None
    cols = {"energy": energy, "mu": mu}
    return XASData(str(path), label, energy, mu, "athena", el, edge, None, header, cols)


def _perl_athena(path: str | Path, text: str) -> list[tuple[str, dict, list, list]]:
    groups: list[tuple[str, dict, list, list]] = []
    name, args, arrays = "", {}, {}
    for line in text.splitlines():
        m = _PERL_SCALAR.match(line)
        if m:
            name, args, arrays = m.group(1), {}, {}
            continue
        if line.startswith("[record]") and name:
            groups.append((name, args, arrays.get("x", []), arrays.get("y", [])))
            name = ""
            continue
        m = _PERL_ARRAY.match(line.strip())
        if not m or not name:
            continue
        values = _perl_items(m.group(2))
        if m.group(1) == "args":
            args = dict(zip(values[::2], values[1::2], strict=False))
        elif m.group(1) in ("x", "y"):
            arrays[m.group(1)] = [float(v) for v in values]
    return groups


def read_athena(path: str | Path) -> list[XASData]:
    """Every μ(E) group of an Athena project file (Perl or JSON style), in file order.

    Groups that are not μ(E) (``is_xmu`` 0 or ``is_chi`` 1) are skipped; ``mu_source`` is
    ``"athena"``; ``element``/``edge`` come from ``atsym``/``edge`` (or ``bkg_z``/``fft_edge``); all
    group arguments are in ``header`` as ``Athena.<name>``. Raises ``ValueError`` if the
    file holds no μ(E) group.
    """
    text = _read_text(path)
    if text.lstrip().startswith("{"):
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"{path}: unreadable JSON Athena project ({exc})") from None
        order = next((v for k, v in doc.items() if k.startswith("_____order")), [])
        raw = [(n, doc[n].get("args", {}), doc[n].get("x", []), doc[n].get("y", [])) for n in order]
    elif "Athena project file" in text[:500]:
        raw = _perl_athena(path, text)
    else:
        raise ValueError(f"{path}: not an Athena project file")
    out = [g for g in (_athena_group(path, *r) for r in raw) if g is not None]
    if not out:
        raise ValueError(f"{path}: no mu(E) group in the Athena project")
    return out


def read_xas(path: str | Path) -> list[XASData]:
    """Read an XDI, Athena project or plain column file (chosen by content): its spectra.

    Raises ``ValueError`` (naming the file) for unreadable content, ``OSError`` if the file
    cannot be opened.
    """
    head = _read_text(path)[:500]
    if "Athena project file" in head or head.lstrip().startswith("{"):
        return read_athena(path)
    if _XDI_VERSION.match(head):
        header, names, data = read_xdi_table(path)
        return [_from_table(path, Path(path).stem, names, data, header)]
    return [read_columns(path)]
