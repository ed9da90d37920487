"""Coefficient tables of :mod:`axsuite.analysis.stopping`, read from ``data/elements.csv``.

One row per element Z = 1…92 (columns: Z, symbol, I, its source, v_F/v0, ICRU 49 proton
A1…A5, Ziegler helium A1…A5); the tables below are dictionaries keyed by Z.

Tables
------
``ICRU49_PROTON``
    Andersen–Ziegler-form coefficients A1…A5 of ICRU Report 49 (1993), "Stopping Powers and
    Ranges for Protons and Alpha Particles", for protons in the elements Z = 1…92 (T in keV/u,
    S in eV/(10¹⁵ atoms/cm²)): S = A1·T^0.5 below 10 keV/u, otherwise
    1/S = 1/(A2·T^0.45) + 1/((A3/T)·ln(1 + A4/T + A5·T)). Transcribed from the published
    coefficient list as it is distributed with Geant4 (``G4BraggModel::ElectronicStoppingPower``,
    which carries the ICRU 49 entries for Ag and Au, not the older Andersen–Ziegler 1977 ones).
    These are published coefficients; nothing here was fitted to the PSTAR test data.
``ZIEGLER_HELIUM``
    Ziegler's 5-parameter helium coefficients, seed 003 (JAERI-M 83-223) Table III, quoting
    J. F. Ziegler, *Helium Stopping Powers and Ranges in All Elemental Matter* (Pergamon, 1977),
    Table 4: S_low = A1·E^A2 (E in keV), S_high = (A3/E')·ln(1 + A4/E' + A5·E') with
    E' = E/1000 (MeV), 1/S = 1/S_low + 1/S_high, S in eV/(10¹⁵ atoms/cm²), valid 1 keV–10 MeV.
    Read from the OCR text row by row (symbols checked against Z). Zn and Ga repeat Cu's
    A1…A4 in the source; that is how Ziegler's table reads and is kept.
``MEAN_EXCITATION_EV``
    Mean excitation energies I (eV). C 78 (graphite), Al 166, Si 173, Cu 322, Ag 470,
    Au 790 are the ICRU 37/49 values (DESIGN §7.5). All others come from seed 003 Table I
    (after Ahlen, Rev. Mod. Phys. 52 (1980) 121): the right-most (most recent) value of the row
    for the solid, else the unspecified, else the gas phase (H, N, O from the diatomic gas rows).
    Table I has no value for S (Z = 16): 183 eV is interpolated linearly in I/Z between
    P (180 eV) and Cl (185 eV). ``MEAN_EXCITATION_SOURCE`` names the origin of each value.
``ZBL_FERMI_VELOCITY``
    Fermi velocities v_F/v0 of the target electrons, J. F. Ziegler, J. P. Biersack and
    U. Littmark, *The Stopping and Range of Ions in Solids* (Pergamon, 1985), as distributed
    with Geant4 (``G4IonisParamElm``). Used for k_F = v_F/v0 (atomic units) in the
    Brandt–Kitagawa effective charge.
``BRANDT_REDUCED_VELOCITY_B126``, ``BRANDT_IONIZATION_Q``
    Seed 003 Table IV (Brandt, after ref. 65): ionisation fraction q = Z1*/Z1 against the
    reduced velocity v1/(v0·Z1^(2/3)) for b = 1.26. The b = 1.33 column is b/1.26 times the
    b = 1.26 column in every row but one, where the OCR reads 0.100 for 0.200; only the
    b = 1.26 column is stored and other b are obtained by that scaling.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

__all__ = [
    "BRANDT_IONIZATION_Q",
    "BRANDT_REDUCED_VELOCITY_B126",
    "ICRU49_PROTON",
    "MEAN_EXCITATION_EV",
    "MEAN_EXCITATION_SOURCE",
    "ZBL_FERMI_VELOCITY",
    "ZIEGLER_HELIUM",
]

_CSV = Path(__file__).resolve().parent / "data" / "elements.csv"


def _read() -> list[dict[str, str]]:
    with _CSV.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    if [int(r["z"]) for r in rows] != list(range(1, 93)):
        raise RuntimeError(f"{_CSV} must hold one row per Z = 1..92")
    return rows


def _five(row: dict[str, str], prefix: str) -> tuple[float, float, float, float, float]:
    a1, a2, a3, a4, a5 = (float(row[f"{prefix}_a{k}"]) for k in range(1, 6))
    return (a1, a2, a3, a4, a5)


_ROWS = _read()
ICRU49_PROTON: dict[int, tuple[float, float, float, float, float]] = {
    int(r["z"]): _five(r, "icru49_p") for r in _ROWS
}
ZIEGLER_HELIUM: dict[int, tuple[float, float, float, float, float]] = {
    int(r["z"]): _five(r, "ziegler_he") for r in _ROWS
}
MEAN_EXCITATION_EV: dict[int, float] = {int(r["z"]): float(r["i_eV"]) for r in _ROWS}
MEAN_EXCITATION_SOURCE: dict[int, str] = {int(r["z"]): r["i_source"] for r in _ROWS}
ZBL_FERMI_VELOCITY: dict[int, float] = {int(r["z"]): float(r["fermi_velocity_v0"]) for r in _ROWS}

BRANDT_IONIZATION_Q = np.array(
    [
        0.012,
        0.034,
        0.070,
        0.101,
        0.155,
        0.197,
        0.256,
        0.305,
        0.344,
        0.391,
        0.447,
        0.480,
        0.515,
        0.554,
        0.598,
        0.645,
        0.698,
        0.756,
        0.819,
        0.852,
        0.886,
        0.919,
        0.952,
        0.981,
    ]
)
BRANDT_REDUCED_VELOCITY_B126 = np.array(
    [
        0.023,
        0.050,
        0.093,
        0.129,
        0.189,
        0.238,
        0.312,
        0.375,
        0.432,
        0.504,
        0.600,
        0.660,
        0.731,
        0.816,
        0.924,
        1.057,
        1.233,
        1.474,
        1.824,
        2.092,
        2.432,
        2.936,
        3.767,
        5.620,
    ]
)
