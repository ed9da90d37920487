"""Inline structures (the mapping form of :func:`crystal_from_dict`) of the powder standards
the suite simulates and calibrates with; shared by the tests and benchmarks.

* LaB6 (Pm-3m, a = 4.15689 Å, B at x = 0.1996): line-profile/position standard, cf. NIST
  SRM 660c (certificate a = 4.156826 Å; Black et al., Powder Diffr. 35 (2020) 17,
  doi:10.1017/S0885715620000068).
* CeO2 (Fm-3m, fluorite, a = 5.4113 Å): cf. NIST SRM 674b (a = 5.41165 Å).
* Brucite Mg(OH)2 (P-3m1, a = 3.142, c = 4.766 Å): Catti et al., Phys. Chem. Miner. 22
  (1995) 200; platy crystallites, the preferred-orientation test case (IUCr CPD round robin).
U_iso (Å²) are typical room-temperature values.
"""

from __future__ import annotations

__all__ = ["BRUCITE", "CEO2", "LAB6"]


def _cubic(name: str, spacegroup: str, a_A: float, *sites: tuple) -> dict:
    """Inline mapping of a cubic structure; sites as (label, x, y, z, U_iso Å²)."""
    return {
        "name": name,
        "spacegroup": spacegroup,
        "cell": [a_A],
        "sites": [
            {"label": lb, "element": lb, "xyz": [x, y, z], "u_iso": u} for lb, x, y, z, u in sites
        ],
    }


LAB6: dict = _cubic(
    "LaB6", "P m -3 m", 4.15689, ("La", 0, 0, 0, 0.004), ("B", 0.1996, 0.5, 0.5, 0.005)
)
CEO2: dict = _cubic(
    "CeO2", "F m -3 m", 5.4113, ("Ce", 0, 0, 0, 0.004), ("O", 0.25, 0.25, 0.25, 0.008)
)
BRUCITE: dict = {
    "name": "brucite",
    "spacegroup": "P -3 m 1",
    "cell": [3.142, 4.766],
    "sites": [
        {"label": "Mg", "element": "Mg", "xyz": [0, 0, 0], "u_iso": 0.006},
        {"label": "O", "element": "O", "xyz": [1 / 3, 2 / 3, 0.2216], "u_iso": 0.008},
        {"label": "H", "element": "H", "xyz": [1 / 3, 2 / 3, 0.413], "u_iso": 0.02},
    ],
}
