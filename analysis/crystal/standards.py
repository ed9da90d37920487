"""Inline structures (the mapping form of :func:`crystal_from_dict`) of the powder standards
the suite simulates and calibrates with; shared by the tests and benchmarks.

* LaB6 (Pm-3m, a = 4.15689 Å, B at x = 0.1996): line-profile/position standard, cf. NIST
  SRM 660c (certificate a = 4.156826 Å; Black et al., Powder Diffr. 35 (2020) 17,
  doi:10.1017/S0885715620000068).
* CeO2 (Fm-3m, fluorite, a = 5.4113 Å): cf. NIST SRM 674b (a = 5.41165 Å).
U_iso (Å²) are typical room-temperature values.
"""

from __future__ import annotations

__all__ = ["CEO2", "LAB6"]

LAB6: dict = {
    "name": "LaB6",
    "spacegroup": "P m -3 m",
    "cell": [4.15689],
    "sites": [
        {"label": "La", "element": "La", "xyz": [0, 0, 0], "u_iso": 0.004},
        {"label": "B", "element": "B", "xyz": [0.1996, 0.5, 0.5], "u_iso": 0.005},
    ],
}
CEO2: dict = {
    "name": "CeO2",
    "spacegroup": "F m -3 m",
    "cell": [5.4113],
    "sites": [
        {"label": "Ce", "element": "Ce", "xyz": [0, 0, 0], "u_iso": 0.004},
        {"label": "O", "element": "O", "xyz": [0.25, 0.25, 0.25], "u_iso": 0.008},
    ],
}
