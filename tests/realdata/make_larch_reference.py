"""Regenerate tests/data/xas/larch_reference.json: Larch's numbers for every XDI file there.

Run once with xraylarch installed (``python tests/realdata/make_larch_reference.py``); the
tests compare with the stored numbers and never need Larch. For each file, independently
of axsuite's readers (Larch ``read_xdi``): μ is the file's ``mutrans`` column when it has
one, else ln(i0/itrans); then Larch ``pre_edge`` with its defaults (E0, edge step, ranges)
and ``diffkk(energy, mu, z, edge).kk()`` with its defaults (MBACK order 3, Chantler
tables, MacLaurin-series KK on a ≈1 eV grid), f' interpolated linearly at E0 − 100, −30
and −10 eV (E0 from ``pre_edge``; offsets outside the data are left out).
"""

from __future__ import annotations

import datetime
import json
import sys
from pathlib import Path

import numpy as np

OFFSETS_EV = (-100.0, -30.0, -10.0)
DATA = Path(__file__).resolve().parents[1] / "data" / "xas"


def _mu(group) -> tuple[np.ndarray, np.ndarray, str]:
    labels = [lab.lower() for lab in group.array_labels]
    energy = np.asarray(group.energy, dtype=float)
    if "mutrans" in labels:
        return energy, np.asarray(group.mutrans, dtype=float), "mutrans"
    i0 = np.asarray(group.i0, dtype=float)
    it = np.asarray(group.itrans, dtype=float)
    return energy, np.log(i0 / it), "ln(i0/itrans)"


def main() -> int:
    import larch
    import xraydb
    from larch.io import read_xdi
    from larch.xafs import diffkk, pre_edge
    from larch.xafs.pre_edge import preedge

    out: dict[str, object] = {
        "provenance": {
            "generator": "tests/realdata/make_larch_reference.py",
            "xraylarch": larch.__version__,
            "xraydb": xraydb.__version__,
            "numpy": np.__version__,
            "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d"),
            "pre_edge": "larch.xafs.pre_edge(energy, mu, group) with all defaults",
            "diffkk": "larch.xafs.diffkk(energy, mu, z=Z, edge=EDGE).kk() with all defaults",
            "fp_at": "f' (electrons) linearly interpolated on the data grid at E0 + offset",
        },
        "files": {},
    }
    for path in sorted(DATA.glob("*.xdi")):
        g = read_xdi(str(path))
        energy, mu, how = _mu(g)
        order = np.argsort(energy)
        energy, mu = energy[order], mu[order]
        grp = larch.Group()
        pre_edge(energy, mu, group=grp)
        details = preedge(energy, mu)
        element = str(g.attrs["element"]["symbol"]).strip()
        edge = str(g.attrs["element"]["edge"]).strip()
        z = xraydb.atomic_number(element)
        dkk = diffkk(energy, mu, z=z, edge=edge)
        dkk.kk()
        fp_at = {}
        for off in OFFSETS_EV:
            e = grp.e0 + off
            if energy[0] <= e <= energy[-1]:
                fp_at[f"{off:+.0f}"] = {
                    "energy_eV": float(e),
                    "fp": float(np.interp(e, energy, dkk.fp)),
                }
        out["files"][path.name] = {
            "element": element,
            "edge": edge,
            "mu": how,
            "e0_eV": float(grp.e0),
            "edge_step": float(grp.edge_step),
            "pre1_eV": details["pre1"],
            "pre2_eV": details["pre2"],
            "norm1_eV": details["norm1"],
            "norm2_eV": details["norm2"],
            "nnorm": int(details["nnorm"]),
            "fp_at": fp_at,
        }
        print(path.name, out["files"][path.name], file=sys.stderr)
    (DATA / "larch_reference.json").write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
