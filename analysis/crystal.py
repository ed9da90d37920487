"""Crystal structures, powder reflections and structure factors (gemmi + xraylib/xraydb).

Public API
----------
AtomSite, Crystal : frozen descriptions of a structure (cell in Å/deg, fractional sites,
    chemical occupancies, U_iso in Å²).
crystal_from_cif(path_or_text), crystal_from_dict(mapping) : constructors (CIF via gemmi,
    inline mappings as in the beamline profile).
reciprocal_metric(cell), d_spacing(hkl, cell) : 1/d² = hᵀ G* h (Å).
generate_reflections(crystal, d_min_A) -> Reflections : all symmetry-unique reflections of
    the space group with powder multiplicities (Friedel pairs merged) and their equivalents.
StructureFactorCalculator : |F|² with f = f0(Q) + f' + i f'' at the beam energy and
    Debye–Waller factors, fast for refinement (per-site phase sums precomputed).
lorentz_polarization(two_theta_deg, *, polarization=0.5, monochromator_two_theta_deg=None)
powder_intensities(crystal, wavelength_A, two_theta_max_deg, ...) -> PowderReflections :
    computed integrated intensities I0 = m |F|² LP (used for Harris texture coefficients).

References
----------
* Structure factor and Debye–Waller factor: International Tables for Crystallography
  Vol. C (2006), §6.1.1 (doi:10.1107/97809553602060000103);
  F(h) = Σ_j o_j f_j(Q) exp(2πi h·x_j) exp(−8π² U_j sin²θ/λ²).
* Lorentz–polarization for a flat powder specimen: Pecharsky & Zavalij, *Fundamentals of
  Powder Diffraction* (2nd ed., 2009) §8.6.4; L = 1/(sin²θ cosθ),
  P = k + (1 − k) cos²2θ (k = 0.5 unpolarized; k = horizontal polarized fraction for a
  vertical scattering plane, DESIGN §7.2) and, with a diffracted-beam monochromator at 2θ_M,
  P = (1 + cos²2θ_M cos²2θ)/(1 + cos²2θ_M) for an unpolarized beam.
* March–Dollase: Dollase, J. Appl. Cryst. 19 (1986) 267 (doi:10.1107/S0021889886089458).
* Metric tensor: Giacovazzo et al., *Fundamentals of Crystallography* (3rd ed., 2011) §2.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import gemmi
import numpy as np
from numpy.typing import ArrayLike

from .constants import HC_EV_A
from .lineprofile import march_dollase
from .xray import chantler_fp, chantler_fpp, element_symbol, f0

__all__ = [
    "AtomSite",
    "Crystal",
    "PowderReflections",
    "Reflections",
    "StructureFactorCalculator",
    "crystal_from_cif",
    "crystal_from_dict",
    "d_spacing",
    "generate_reflections",
    "lattice_parameter_names",
    "lorentz_polarization",
    "march_dollase_factors",
    "powder_intensities",
    "reciprocal_metric",
]


@dataclass(frozen=True)
class AtomSite:
    """One crystallographic site: fractional x, y, z; chemical occupancy; U_iso in Å²."""

    label: str
    element: str
    x: float
    y: float
    z: float
    occupancy: float = 1.0
    u_iso_A2: float = 0.005

    def __post_init__(self) -> None:
        object.__setattr__(self, "element", element_symbol(self.element))
        if not 0.0 <= self.occupancy <= 1.0 + 1e-9:
            raise ValueError(f"site {self.label}: occupancy {self.occupancy} outside [0, 1]")
        if not np.isfinite(self.u_iso_A2) or self.u_iso_A2 < 0:
            raise ValueError(f"site {self.label}: U_iso must be a non-negative number (Å²)")


@dataclass(frozen=True)
class Crystal:
    """A crystal structure: cell (a, b, c in Å; α, β, γ in deg), space group (H-M), sites."""

    name: str
    cell: tuple[float, float, float, float, float, float]
    spacegroup: str
    sites: tuple[AtomSite, ...]

    def __post_init__(self) -> None:
        cell = tuple(float(v) for v in self.cell)
        if len(cell) != 6 or any(v <= 0 for v in cell[:3]):
            raise ValueError(f"{self.name}: cell needs a, b, c > 0 (Å) and α, β, γ (deg)")
        if any(not 0 < v < 180 for v in cell[3:]):
            raise ValueError(f"{self.name}: cell angles must lie in (0, 180) deg")
        object.__setattr__(self, "cell", cell)
        sg = gemmi.find_spacegroup_by_name(str(self.spacegroup))
        if sg is None:
            raise ValueError(f"{self.name}: unknown space group {self.spacegroup!r}")
        object.__setattr__(self, "spacegroup", sg.xhm())
        if not self.sites:
            raise ValueError(f"{self.name}: a crystal needs at least one atom site")
        labels = [s.label for s in self.sites]
        if len(set(labels)) != len(labels):
            raise ValueError(f"{self.name}: duplicate site labels {labels}")
        object.__setattr__(self, "sites", tuple(self.sites))

    @property
    def gemmi_spacegroup(self) -> gemmi.SpaceGroup:
        return gemmi.find_spacegroup_by_name(self.spacegroup)

    @property
    def crystal_system(self) -> str:
        return self.gemmi_spacegroup.crystal_system_str()

    def with_cell(self, cell: Sequence[float]) -> Crystal:
        """Copy with another cell."""
        return Crystal(self.name, tuple(cell), self.spacegroup, self.sites)

    def with_sites(self, sites: Sequence[AtomSite]) -> Crystal:
        """Copy with other sites."""
        return Crystal(self.name, self.cell, self.spacegroup, tuple(sites))

    def to_small_structure(self) -> gemmi.SmallStructure:
        """gemmi ``SmallStructure`` with cell images set up."""
        st = gemmi.SmallStructure()
        st.name = self.name
        st.cell = gemmi.UnitCell(*self.cell)
        st.spacegroup_hm = self.spacegroup
        for s in self.sites:
            site = gemmi.SmallStructure.Site()
            site.label = s.label
            site.type_symbol = s.element
            site.element = gemmi.Element(s.element)
            site.fract = gemmi.Fractional(s.x, s.y, s.z)
            site.occ = s.occupancy
            site.u_iso = s.u_iso_A2
            st.add_site(site)
        st.determine_and_set_spacegroup("2")  # "2": from the H-M symbol set above
        if st.spacegroup is None or st.spacegroup.xhm() != self.spacegroup:
            raise ValueError(f"{self.name}: gemmi could not set space group {self.spacegroup}")
        st.setup_cell_images()
        return st

    def composition(self) -> dict[str, float]:
        """Atomic fractions of the unit-cell content (site images × occupancy)."""
        images = _unit_cell_images(self)
        amounts: dict[str, float] = {}
        for site in self.sites:
            n = len(images[site.label]) * site.occupancy
            amounts[site.element] = amounts.get(site.element, 0.0) + n
        total = sum(amounts.values())
        if total <= 0:
            raise ValueError(f"{self.name}: all occupancies are zero")
        return {k: v / total for k, v in amounts.items()}

    def to_dict(self) -> dict:
        """Plain mapping (the inline form accepted by :func:`crystal_from_dict`)."""
        return {
            "name": self.name,
            "cell": list(self.cell),
            "spacegroup": self.spacegroup,
            "sites": [
                {
                    "label": s.label,
                    "element": s.element,
                    "xyz": [s.x, s.y, s.z],
                    "occupancy": s.occupancy,
                    "u_iso": s.u_iso_A2,
                }
                for s in self.sites
            ],
        }


def crystal_from_cif(source: str | Path, *, name: str | None = None) -> Crystal:
    """Crystal from a CIF file path or CIF text (the block that has a cell and atom sites).

    Uses gemmi; occupancies are read as chemical occupancies, U_iso from
    ``_atom_site_U_iso_or_equiv`` (or B/8π²); a site without one gets U_iso = 0.005 Å² (a
    typical room-temperature value; refine it). Raises ValueError if no block has a structure.
    """
    text = str(source)
    try:
        if "\n" not in text and Path(text).exists():
            doc = gemmi.cif.read(text)
        else:
            doc = gemmi.cif.read_string(text)
    except (RuntimeError, ValueError) as exc:
        raise ValueError(f"cannot read CIF {str(source)[:80]!r}: {exc}") from None
    for block in doc:
        if not block.find_values("_atom_site_fract_x"):
            continue
        st = gemmi.make_small_structure_from_block(block)
        sg = st.spacegroup or gemmi.find_spacegroup_by_name(st.spacegroup_hm)
        if sg is None:
            raise ValueError(f"CIF block {block.name}: no recognisable space group")
        sites = []
        for i, s in enumerate(st.sites):
            u = s.u_iso if s.u_iso > 0 else 0.005
            label = s.label or f"{s.element.name}{i + 1}"
            sites.append(AtomSite(label, s.element.name, s.fract.x, s.fract.y, s.fract.z, s.occ, u))
        c = st.cell
        return Crystal(
            name or st.name or block.name,
            (c.a, c.b, c.c, c.alpha, c.beta, c.gamma),
            sg.xhm(),
            tuple(sites),
        )
    raise ValueError(f"no CIF block with atom sites in {str(source)[:80]!r}")


def crystal_from_dict(spec: Mapping) -> Crystal:
    """Crystal from an inline mapping (profile YAML).

    Keys: ``name``, ``spacegroup`` (H-M), ``cell`` ([a, b, c, α, β, γ] in Å/deg, or a
    shorter list completed by the crystal system: [a] cubic, [a, c] tetragonal/hexagonal/
    trigonal), ``sites``: list of {label, element, xyz, occupancy=1, u_iso=0.005 Å²}.
    """
    if not isinstance(spec, Mapping):
        raise ValueError("crystal specification must be a mapping")
    unknown = set(spec) - {"name", "spacegroup", "cell", "sites"}
    if unknown:
        raise ValueError(f"unknown crystal keys {sorted(unknown)}")
    for key in ("spacegroup", "cell", "sites"):
        if key not in spec:
            raise ValueError(f"crystal specification is missing {key!r}")
    sg = gemmi.find_spacegroup_by_name(str(spec["spacegroup"]))
    if sg is None:
        raise ValueError(f"unknown space group {spec['spacegroup']!r}")
    cell = _complete_cell([float(v) for v in spec["cell"]], sg.crystal_system_str())
    sites = []
    for i, s in enumerate(spec["sites"]):
        extra = set(s) - {"label", "element", "xyz", "occupancy", "u_iso"}
        if extra:
            raise ValueError(f"site {i}: unknown keys {sorted(extra)}")
        if "element" not in s or "xyz" not in s or len(s["xyz"]) != 3:
            raise ValueError(f"site {i}: needs 'element' and 'xyz' (3 fractional coordinates)")
        x, y, z = (float(v) for v in s["xyz"])
        sites.append(
            AtomSite(
                str(s.get("label", f"{s['element']}{i + 1}")),
                s["element"],
                x,
                y,
                z,
                float(s.get("occupancy", 1.0)),
                float(s.get("u_iso", 0.005)),
            )
        )
    return Crystal(str(spec.get("name", "phase")), tuple(cell), sg.xhm(), tuple(sites))


def _complete_cell(values: list[float], system: str) -> list[float]:
    if len(values) == 6:
        return values
    if system == "cubic" and len(values) == 1:
        return [values[0]] * 3 + [90.0] * 3
    if system == "tetragonal" and len(values) == 2:
        return [values[0], values[0], values[1], 90.0, 90.0, 90.0]
    if system in ("hexagonal", "trigonal") and len(values) == 2:
        return [values[0], values[0], values[1], 90.0, 90.0, 120.0]
    if system == "orthorhombic" and len(values) == 3:
        return [*values, 90.0, 90.0, 90.0]
    raise ValueError(f"cell {values} is incomplete for a {system} space group (give 6 values)")


def lattice_parameter_names(system: str) -> tuple[str, ...]:
    """Independent lattice parameters of a crystal system (hexagonal setting for trigonal)."""
    return {
        "cubic": ("a",),
        "tetragonal": ("a", "c"),
        "hexagonal": ("a", "c"),
        "trigonal": ("a", "c"),
        "orthorhombic": ("a", "b", "c"),
        "monoclinic": ("a", "b", "c", "beta"),
        "triclinic": ("a", "b", "c", "alpha", "beta", "gamma"),
    }[system]


def cell_from_parameters(system: str, p: Mapping[str, float], cell0: Sequence[float]) -> tuple:
    """Full cell (a, b, c, α, β, γ) from the independent parameters of a crystal system."""
    a, b, c, al, be, ga = cell0
    a = p.get("a", a)
    if system == "cubic":
        return (a, a, a, 90.0, 90.0, 90.0)
    if system == "tetragonal":
        return (a, a, p.get("c", c), 90.0, 90.0, 90.0)
    if system in ("hexagonal", "trigonal"):
        return (a, a, p.get("c", c), 90.0, 90.0, 120.0)
    if system == "orthorhombic":
        return (a, p.get("b", b), p.get("c", c), 90.0, 90.0, 90.0)
    if system == "monoclinic":
        return (a, p.get("b", b), p.get("c", c), al, p.get("beta", be), ga)
    return (
        a,
        p.get("b", b),
        p.get("c", c),
        p.get("alpha", al),
        p.get("beta", be),
        p.get("gamma", ga),
    )


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


def generate_reflections(crystal: Crystal, d_min_A: float) -> Reflections:
    """All symmetry-unique reflections with d ≥ d_min (Å), multiplicities from the space group.

    Equivalents are h·R over the point-group rotations R of the space group plus Friedel
    mates −h (powder rings merge h and −h); systematic absences from the centring and screw/
    glide operations are removed (gemmi ``GroupOps.systematic_absences``).
    """
    if not d_min_A > 0:
        raise ValueError("d_min must be positive (Å)")
    cell = crystal.cell
    gstar = reciprocal_metric(cell)
    hmax = np.floor(np.sqrt(np.diag(np.linalg.inv(gstar))) / d_min_A).astype(int) + 1
    rng = [np.arange(-m, m + 1) for m in hmax]
    hkl = np.stack(np.meshgrid(*rng, indexing="ij"), axis=-1).reshape(-1, 3)
    hkl = hkl[np.any(hkl != 0, axis=1)]
    inv_d2 = np.einsum("ni,ij,nj->n", hkl.astype(float), gstar, hkl.astype(float))
    hkl = hkl[inv_d2 <= 1.0 / d_min_A**2 * (1 + 1e-12)]
    if len(hkl) == 0:
        raise ValueError(f"{crystal.name}: no reflection with d ≥ {d_min_A} Å")
    sg = crystal.gemmi_spacegroup
    absent = np.asarray(sg.operations().systematic_absences(hkl.astype(np.int32)), dtype=bool)
    hkl = hkl[~absent]
    rots = _rotations(sg)
    span = 2 * int(hmax.max()) + 3

    def equivalents(h: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        e = np.einsum("ni,rij->nrj", h, rots)
        e = np.concatenate([e, -e], axis=1)
        return e, ((e[..., 0] + span) * span + (e[..., 1] + span)) * span + (e[..., 2] + span)

    canon = np.empty(len(hkl), dtype=np.int64)
    for i0 in range(0, len(hkl), 20000):  # bounded memory for large cells
        canon[i0 : i0 + 20000] = equivalents(hkl[i0 : i0 + 20000])[1].max(axis=1)
    _, first = np.unique(canon, return_index=True)
    rep_eq, rep_keys_raw = equivalents(hkl[first])
    rep_keys = np.sort(rep_keys_raw, axis=1)
    distinct = np.concatenate(
        [np.ones((len(first), 1), bool), np.diff(rep_keys, axis=1) != 0], axis=1
    )
    mult = distinct.sum(axis=1)
    # representative: fewest negative indices, then the largest (h, k, l)
    n_neg = (rep_eq < 0).sum(axis=2)
    rep_idx = np.argmax(rep_keys_raw - n_neg * span**3, axis=1)
    rep = rep_eq[np.arange(len(first)), rep_idx]
    sorted_eq = np.take_along_axis(rep_eq, np.argsort(rep_keys_raw, axis=1)[..., None], axis=1)
    equiv = sorted_eq[distinct]
    equiv_index = np.repeat(np.arange(len(first)), mult)
    d = d_spacing(rep, cell)
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


def lorentz_polarization(
    two_theta_deg: ArrayLike,
    *,
    polarization: float = 0.5,
    monochromator_two_theta_deg: float | None = None,
) -> np.ndarray:
    """Lorentz–polarization factor for a flat powder specimen (dimensionless).

    LP = P / (sin²θ cosθ) with P = k + (1 − k) cos²2θ, ``polarization`` = k (0.5 for an
    unpolarized laboratory tube; the horizontal polarized fraction for a synchrotron beam
    with a vertical scattering plane, ≈1). With ``monochromator_two_theta_deg`` (diffracted-
    beam monochromator, unpolarized source) P = (1 + cos²2θ_M cos²2θ)/(1 + cos²2θ_M).
    """
    tt = np.deg2rad(np.asarray(two_theta_deg, dtype=float))
    if np.any((tt <= 0) | (tt >= np.pi)):
        raise ValueError("2θ must lie in (0, 180) deg")
    if not 0.0 <= polarization <= 1.0:
        raise ValueError("polarization fraction must lie in [0, 1]")
    c2 = np.cos(tt) ** 2
    if monochromator_two_theta_deg is None:
        p = polarization + (1.0 - polarization) * c2
    else:
        cm = np.cos(np.deg2rad(monochromator_two_theta_deg)) ** 2
        p = (1.0 + cm * c2) / (1.0 + cm)
    th = tt / 2.0
    return p / (np.sin(th) ** 2 * np.cos(th))


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


class StructureFactorCalculator:
    """|F(h)|² of a crystal's reflections as a function of occupancies and U_iso.

    f_j = f0_j(Q) + f'_j(E) + i f''_j(E) (xraylib f0; Chantler f', f'' at E = hc/λ);
    F(h) = Σ_sites o_s f_s T_s Σ_images exp(2πi h·x); T_s = exp(−2π² U_s/d²) (= exp(−8π²U
    sin²θ/λ²)). Powder rings merge h and −h, so |F|² = (|F(h)|² + |F(−h)|²)/2 (differs from
    |F(h)|² only for non-centrosymmetric structures with f'' ≠ 0).
    """

    def __init__(
        self,
        crystal: Crystal,
        hkl: ArrayLike,
        wavelength_A: float,
        *,
        anomalous: bool = True,
    ) -> None:
        if not wavelength_A > 0:
            raise ValueError("wavelength must be positive (Å)")
        self.crystal = crystal
        self.hkl = np.atleast_2d(np.asarray(hkl, dtype=float))
        images = _unit_cell_images(crystal)
        phases = []
        for s in crystal.sites:
            arg = 2.0 * np.pi * self.hkl @ images[s.label].T
            phases.append(np.exp(1j * arg).sum(axis=1))
        self.site_phase = np.array(phases)  # (n_sites, n_refl)
        energy = HC_EV_A / wavelength_A
        self.elements = [s.element for s in crystal.sites]
        self._anom = {}
        for el in set(self.elements):
            if anomalous:
                self._anom[el] = complex(
                    float(np.ravel(chantler_fp(el, [energy]))[0]),
                    float(np.ravel(chantler_fpp(el, [energy]))[0]),
                )
            else:
                self._anom[el] = 0j
        self._qgrid = np.linspace(0.0, 25.0, 2501)
        self._f0 = {el: f0(el, self._qgrid) for el in set(self.elements)}

    def f_atomic(self, d_A: np.ndarray) -> np.ndarray:
        """Complex atomic scattering factors (n_sites × n_refl) at Q = 2π/d."""
        q = 2.0 * np.pi / np.asarray(d_A, dtype=float)
        if np.any(q > self._qgrid[-1]):
            raise ValueError("reflection beyond Q = 25 Å⁻¹ (d < 0.25 Å)")
        return np.array(
            [np.interp(q, self._qgrid, self._f0[el]) + self._anom[el] for el in self.elements]
        )

    def f_squared(
        self,
        d_A: ArrayLike,
        *,
        occupancies: ArrayLike | None = None,
        u_iso_A2: ArrayLike | None = None,
    ) -> np.ndarray:
        """Powder-averaged |F|² (electrons²) per reflection for given site occupancies, U_iso."""
        d = np.asarray(d_A, dtype=float)
        occ = np.array(
            [s.occupancy for s in self.crystal.sites] if occupancies is None else occupancies, float
        )
        u = np.array(
            [s.u_iso_A2 for s in self.crystal.sites] if u_iso_A2 is None else u_iso_A2, float
        )
        if d.shape != (self.site_phase.shape[1],):
            raise ValueError(
                f"need one d-spacing per reflection ({self.site_phase.shape[1]}), got {d.shape}"
            )
        fat = self.f_atomic(d)
        dw = np.exp(-2.0 * np.pi**2 * u[:, None] / d[None, :] ** 2)
        w = occ[:, None] * fat * dw
        f_plus = np.sum(w * self.site_phase, axis=0)
        f_minus = np.sum(w * np.conj(self.site_phase), axis=0)
        return 0.5 * (np.abs(f_plus) ** 2 + np.abs(f_minus) ** 2)


def _unit_cell_images(crystal: Crystal) -> dict[str, np.ndarray]:
    """Distinct fractional positions (n×3) of every site in the unit cell, by site label.

    gemmi ``SmallStructure.setup_cell_images`` + ``get_all_unit_cell_sites`` (duplicates on
    special positions removed), so occupancies stay chemical occupancies.
    """
    st = crystal.to_small_structure()
    out: dict[str, list] = {s.label: [] for s in crystal.sites}
    for site in st.get_all_unit_cell_sites():
        out[site.label].append([site.fract.x, site.fract.y, site.fract.z])
    return {k: np.array(v) for k, v in out.items()}


@dataclass(frozen=True)
class PowderReflections:
    """Computed powder intensities of a crystal at one wavelength (Harris I0).

    ``intensity`` = m |F|² LP (electrons² per cell, arbitrary overall scale), on reflections
    with 2θ ≤ two_theta_max (deg).
    """

    hkl: np.ndarray
    multiplicity: np.ndarray
    d_A: np.ndarray
    two_theta_deg: np.ndarray
    f_squared: np.ndarray
    lp: np.ndarray
    intensity: np.ndarray
    wavelength_A: float


def powder_intensities(
    crystal: Crystal,
    wavelength_A: float,
    two_theta_max_deg: float,
    *,
    two_theta_min_deg: float = 0.0,
    polarization: float = 0.5,
    monochromator_two_theta_deg: float | None = None,
    anomalous: bool = True,
) -> PowderReflections:
    """Integrated powder intensities I0 = m |F|² LP of all reflections up to 2θ_max (deg)."""
    if not wavelength_A > 0:
        raise ValueError("wavelength must be positive (Å)")
    if not 0 < two_theta_max_deg < 180:
        raise ValueError("2θ_max must lie in (0, 180) deg")
    d_min = wavelength_A / (2.0 * np.sin(np.deg2rad(two_theta_max_deg) / 2.0))
    refl = generate_reflections(crystal, d_min)
    tt = 2.0 * np.rad2deg(np.arcsin(wavelength_A / (2.0 * refl.d_A)))
    keep = tt >= two_theta_min_deg
    calc = StructureFactorCalculator(crystal, refl.hkl[keep], wavelength_A, anomalous=anomalous)
    f2 = calc.f_squared(refl.d_A[keep])
    lp = lorentz_polarization(
        tt[keep], polarization=polarization, monochromator_two_theta_deg=monochromator_two_theta_deg
    )
    return PowderReflections(
        hkl=refl.hkl[keep],
        multiplicity=refl.multiplicity[keep],
        d_A=refl.d_A[keep],
        two_theta_deg=tt[keep],
        f_squared=f2,
        lp=lp,
        intensity=refl.multiplicity[keep] * f2 * lp,
        wavelength_A=float(wavelength_A),
    )
