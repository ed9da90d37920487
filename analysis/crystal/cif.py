"""CIF output of crystal structures (gemmi ``cif.Document``), with standard uncertainties.

Numbers carry their esd in the CIF convention, value(esd) with the esd's two leading
digits (Hall, Allen & Brown, Acta Cryst. A47 (1991) 655, "The Crystallographic Information
File"); core CIF dictionary names (``_cell_length_a``, ``_atom_site_fract_x`` …).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import gemmi

from .structure import Crystal

__all__ = ["format_esd", "write_cif"]

_CELL_KEYS = ("a", "b", "c", "alpha", "beta", "gamma")
_CELL_TAGS = ("_cell_length_a", "_cell_length_b", "_cell_length_c", "_cell_angle_alpha",
              "_cell_angle_beta", "_cell_angle_gamma")  # fmt: skip


def format_esd(value: float, esd: float | None = None, digits: int = 6) -> str:
    """``value(esd)`` with the esd rounded to two significant digits (CIF convention).

    Without a usable esd (None, nan, ≤ 0) the value is given with ``digits`` decimals.
    """
    if esd is None or not math.isfinite(esd) or esd <= 0:
        return f"{value:.{digits}f}"
    decimals = max(0, 1 - math.floor(math.log10(esd)))
    scaled = round(esd * 10**decimals)
    if scaled >= 100:  # rounding carried to a third digit (e.g. 0.0996 → 100)
        decimals = max(decimals - 1, 0)
        scaled = round(esd * 10**decimals)
    return f"{value:.{decimals}f}({scaled})"


def write_cif(
    crystals: Sequence[Crystal],
    path: str | Path,
    *,
    cell_esds: Mapping[str, Mapping[str, float]] | None = None,
    uiso_esds: Mapping[str, Mapping[str, float]] | None = None,
    comment: str = "",
) -> Path:
    """Write one CIF data block per crystal (cell, space group, sites, U_iso in Å²).

    ``cell_esds[name]`` maps a, b, c, alpha, beta, gamma to esds (Å, deg);
    ``uiso_esds[name]`` maps site labels to esds of U_iso (Å²). Returns the path written.
    """
    if not crystals:
        raise ValueError("no structure to write")
    doc = gemmi.cif.Document()
    for crystal in crystals:
        block = doc.add_new_block(re.sub(r"\W", "_", crystal.name) or "phase")
        if comment:
            block.set_pair("_computing_structure_refinement", gemmi.cif.quote(comment))
        cesd = (cell_esds or {}).get(crystal.name, {})
        for key, tag, val in zip(_CELL_KEYS, _CELL_TAGS, crystal.cell, strict=True):
            block.set_pair(tag, format_esd(val, cesd.get(key), 6 if key in "abc" else 4))
        sg = crystal.gemmi_spacegroup
        block.set_pair("_space_group_name_H-M_alt", gemmi.cif.quote(sg.xhm()))
        block.set_pair("_space_group_IT_number", str(sg.number))
        uesd = (uiso_esds or {}).get(crystal.name, {})
        loop = block.init_loop(
            "_atom_site_",
            ["label", "type_symbol", "fract_x", "fract_y", "fract_z", "occupancy",
             "U_iso_or_equiv", "adp_type"],
        )  # fmt: skip
        for s in crystal.sites:
            loop.add_row(
                [s.label, s.element, f"{s.x:.6f}", f"{s.y:.6f}", f"{s.z:.6f}",
                 f"{s.occupancy:.4f}", format_esd(s.u_iso_A2, uesd.get(s.label), 6), "Uiso"]
            )  # fmt: skip
    out = Path(path)
    doc.write_file(str(out))
    return out
