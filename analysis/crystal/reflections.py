"""Powder reflections of a crystal: metric, d-spacings, symmetry-unique reflections with
multiplicities and equivalents (gemmi ``make_miller_array``), March–Dollase averages.

* Metric tensor: Giacovazzo et al., *Fundamentals of Crystallography* (3rd ed., 2011) §2.
* March–Dollase: Dollase, J. Appl. Cryst. 19 (1986) 267 (doi:10.1107/S0021889886089458).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import gemmi
import numpy as np
from numpy.typing import ArrayLike

from ..lineprofile.texture import march_dollase
from .structure import Crystal

__all__ = [
    "Reflections",
    "d_spacing",
    "generate_reflections",
    "march_dollase_factors",
    "reciprocal_metric",
]


def reciprocal_metric(cell: Sequence[float]) -> np.ndarray:
    """Reciprocal metric tensor G* (Å⁻²) of a cell (a, b, c in Å; α, β, γ in deg)."""
    a, b, c = (float(v) for v in cell[:3])
    al, be, ga = np.deg2rad(np.asarray(cell[3:], dtype=float))
    g = np.array(
        [
            [a * a, a * b * np.cos(ga), a * c * np.cos(be)],
            [a * b * np.cos(ga), b * b, b * c * np.cos(al)],
            [a * c * np.cos(be), b * c * np.cos(al), c * c],
        ]
    )
    return np.linalg.inv(g)


def d_spacing(hkl: ArrayLike, cell: Sequence[float]) -> np.ndarray:
    """Interplanar spacings d (Å) of reflections hkl (n×3) for a cell: 1/d² = hᵀ G* h."""
    h = np.atleast_2d(np.asarray(hkl, dtype=float))
    inv_d2 = np.einsum("ni,ij,nj->n", h, reciprocal_metric(cell), h)
    if np.any(inv_d2 <= 0):
        raise ValueError("hkl = (0, 0, 0) has no d-spacing")
    return 1.0 / np.sqrt(inv_d2)


@dataclass(frozen=True)
class Reflections:
    """Symmetry-unique powder reflections of a crystal (Friedel pairs merged).

    ``hkl`` (n×3 int), ``multiplicity`` (n), ``d_A`` (n, for the generating cell),
    ``equiv_hkl`` (M×3, every distinct equivalent incl. −h) and ``equiv_index`` (M, the
    reflection each equivalent belongs to) for orientation averages (March–Dollase).
    """

    hkl: np.ndarray
    multiplicity: np.ndarray
    d_A: np.ndarray
    equiv_hkl: np.ndarray
    equiv_index: np.ndarray

    def __len__(self) -> int:
        return len(self.multiplicity)


def _rotations(sg: gemmi.SpaceGroup) -> np.ndarray:
    ops = sg.operations()
    rots = [np.array(op.rot, dtype=int) // gemmi.Op.DEN for op in ops.sym_ops]
    return np.array(rots)


def _equivalents(hkl: np.ndarray, rots: np.ndarray, span: int) -> tuple[np.ndarray, np.ndarray]:
    """h·R for every rotation R and Friedel mate −h (n × 2|R| × 3) and an integer key of each."""
    e = np.einsum("ni,rij->nrj", hkl, rots)
    e = np.concatenate([e, -e], axis=1)
    return e, ((e[..., 0] + span) * span + (e[..., 1] + span)) * span + (e[..., 2] + span)


def generate_reflections(crystal: Crystal, d_min_A: float) -> Reflections:
    """All symmetry-unique reflections with d ≥ d_min (Å), multiplicities from the space group.

    One reflection per reciprocal asymmetric unit of the Laue class without systematic
    absences (gemmi ``make_miller_array``); its equivalents are h·R over the point-group
    rotations R plus Friedel mates −h (powder rings merge h and −h), the multiplicity is their
    number. Representative: fewest negative indices, then the largest (h, k, l); ordered by
    decreasing d.
    """
    if not d_min_A > 0:
        raise ValueError("d_min must be positive (Å)")
    sg = crystal.gemmi_spacegroup
    cell = gemmi.UnitCell(*crystal.cell)
    unique = np.asarray(gemmi.make_miller_array(cell, sg, d_min_A * (1 - 1e-12)), dtype=int)
    if len(unique) == 0:
        raise ValueError(f"{crystal.name}: no reflection with d ≥ {d_min_A} Å")
    span = 2 * int(np.abs(unique).max()) + 3
    eq, keys = _equivalents(unique, _rotations(sg), span)
    by_key = np.argsort(keys.max(axis=1))  # a fixed order before the (stable) sort by d
    eq, keys = eq[by_key], keys[by_key]
    key_order = np.argsort(keys, axis=1)
    sorted_keys = np.take_along_axis(keys, key_order, axis=1)
    distinct = np.concatenate(
        [np.ones((len(unique), 1), bool), np.diff(sorted_keys, axis=1) != 0], axis=1
    )
    mult = distinct.sum(axis=1)
    n_neg = (eq < 0).sum(axis=2)
    rep = eq[np.arange(len(unique)), np.argmax(keys - n_neg * span**3, axis=1)]
    equiv = np.take_along_axis(eq, key_order[..., None], axis=1)[distinct]
    equiv_index = np.repeat(np.arange(len(unique)), mult)
    d = d_spacing(rep, crystal.cell)
    order = np.argsort(-d, kind="stable")
    remap = np.empty_like(order)
    remap[order] = np.arange(len(order))
    eorder = np.argsort(remap[equiv_index], kind="stable")
    return Reflections(
        hkl=rep[order],
        multiplicity=mult[order],
        d_A=d[order],
        equiv_hkl=equiv[eorder],
        equiv_index=remap[equiv_index][eorder],
    )


def march_dollase_factors(
    reflections: Reflections, cell: Sequence[float], axis: Sequence[int], r: float
) -> np.ndarray:
    """Mean March–Dollase factor ⟨P(α)⟩ over each reflection's symmetry equivalents.

    α is the angle between the reciprocal vectors h and the preferred-orientation axis H
    (hkl), cos α = hᵀG*H/(|h||H|) (Dollase 1986; averaging as in GSAS).
    """
    gstar = reciprocal_metric(cell)
    h = np.asarray(reflections.equiv_hkl, dtype=float)
    ax = np.asarray(axis, dtype=float)
    if ax.shape != (3,) or not np.any(ax):
        raise ValueError("preferred-orientation axis must be a non-zero hkl triple")
    nh = np.sqrt(np.einsum("ni,ij,nj->n", h, gstar, h))
    cosa = np.clip((h @ gstar @ ax) / (nh * np.sqrt(ax @ gstar @ ax)), -1.0, 1.0)
    p = march_dollase(np.rad2deg(np.arccos(cosa)), r)
    n = len(reflections)
    idx = reflections.equiv_index
    return np.bincount(idx, weights=p, minlength=n) / np.bincount(idx, minlength=n)
