"""Crystal structures: sites, cells and space groups (gemmi), from CIF or inline mappings.

Crystal systems and independent lattice parameters follow International Tables for
Crystallography Vol. A (2016) §2.1; unit-cell images of the sites come from gemmi
``SmallStructure``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import gemmi
import numpy as np

from ..xray import atomic_weight, element_symbol

__all__ = [
    "AtomSite",
    "Crystal",
    "cell_from_parameters",
    "crystal_from_cif",
    "crystal_from_dict",
    "lattice_parameter_names",
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

    def cell_content(self) -> dict[str, float]:
        """Atoms of each element in the unit cell (site images × occupancy)."""
        images = _unit_cell_images(self)
        amounts: dict[str, float] = {}
        for site in self.sites:
            n = len(images[site.label]) * site.occupancy
            amounts[site.element] = amounts.get(site.element, 0.0) + n
        return amounts

    def cell_mass_u(self) -> float:
        """Mass of the unit-cell content ZM in u (= g/mol of cells), xraylib atomic weights."""
        return float(sum(n * atomic_weight(el) for el, n in self.cell_content().items()))

    def volume_A3(self) -> float:
        """Unit-cell volume (Å³)."""
        return float(gemmi.UnitCell(*self.cell).volume)

    def composition(self) -> dict[str, float]:
        """Atomic fractions of the unit-cell content (site images × occupancy)."""
        amounts = self.cell_content()
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
