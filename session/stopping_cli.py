"""``axs stopping ION TARGET --energies …``: a SRIM-like table of electronic stopping and range.

Columns: energy (MeV/u and MeV), electronic stopping in MeV cm²/g, keV/µm and
eV/(10¹⁵ atoms/cm²), and the CSDA range (µm and mg/cm²) from
:func:`axsuite.analysis.stopping.stopping_table`. ``ION`` is p, d, alpha or an element symbol
(standard atomic weight); ``TARGET`` an element or a formula (a compound needs
``--density`` for the keV/µm and µm columns). ``--json`` prints the same numbers as JSON.
"""

from __future__ import annotations

import argparse
import json

import numpy as np
from axsuite.analysis.stopping import CHARGE_MODELS, stopping_table
from axsuite.devices.models.ionbeam import resolve_ion


def configure(p: argparse.ArgumentParser) -> None:
    """Arguments of ``axs stopping``."""
    p.add_argument("ion", help="ion: p, d, alpha or an element symbol (e.g. U)")
    p.add_argument("target", help="target element or formula (e.g. Au, Al2O3)")
    p.add_argument(
        "--energies",
        nargs="+",
        required=True,
        help="ion energies in MeV/u (space or comma separated), e.g. 1 2 5 or 1,2,5",
    )
    p.add_argument("--total", action="store_true", help="--energies are total ion energies in MeV")
    p.add_argument("--density", type=float, default=None, help="target density in g/cm³")
    p.add_argument(
        "--charge-model",
        default="auto",
        choices=CHARGE_MODELS,
        help="effective-charge model of heavy ions (default auto: ZBL → Brandt–Kitagawa)",
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")


def parse_energies(values: list[str]) -> np.ndarray:
    """Energies from command-line words ("1 2 5" or "1,2,5"); ValueError naming a bad one."""
    out = []
    for word in values:
        for item in word.split(","):
            if not item.strip():
                continue
            try:
                out.append(float(item))
            except ValueError:
                raise ValueError(f"--energies: {item!r} is not a number") from None
    if not out:
        raise ValueError("--energies: give at least one energy")
    return np.asarray(out, dtype=float)


def cmd_stopping(args: argparse.Namespace) -> int:
    """electronic stopping and CSDA range of an ion in a target (SRIM-like table)"""
    ion = resolve_ion(args.ion)
    e = parse_energies(args.energies)
    e_u = e / ion.a1 if args.total else e
    tab = stopping_table(
        ion.z1,
        ion.a1,
        args.target,
        e_u,
        density_g_cm3=args.density,
        charge_model=args.charge_model,
    )
    rows = []
    for k in range(tab.energy_MeV_u.size):
        rows.append(
            {
                "energy_MeV_u": float(tab.energy_MeV_u[k]),
                "energy_MeV": float(tab.energy_MeV[k]),
                "stopping_MeV_cm2_g": float(tab.stopping_MeV_cm2_g[k]),
                "stopping_keV_um": None
                if tab.stopping_keV_um is None
                else float(tab.stopping_keV_um[k]),
                "stopping_eV_1e15_atoms_cm2": float(tab.stopping_eV_1e15[k]),
                "range_um": None if tab.range_um is None else float(tab.range_um[k]),
                "range_mg_cm2": float(tab.range_g_cm2[k] * 1e3),
            }
        )
    if args.json:
        head = {"ion": ion.symbol, "z1": ion.z1, "a1_u": ion.a1, "target": args.target}
        head |= {"density_g_cm3": tab.density_g_cm3, "charge_model": args.charge_model}
        print(json.dumps(head | {"rows": rows}, indent=1))
        return 0
    rho = "n/a (give --density)" if tab.density_g_cm3 is None else f"{tab.density_g_cm3:g} g/cm³"
    print(
        f"{ion.symbol} (Z1 = {ion.z1}, {ion.a1:.4f} u) in {args.target}, density {rho}; "
        "electronic stopping, CSDA range"
    )
    print(
        f"{'MeV/u':>10} {'MeV':>10} {'MeV cm2/g':>11} {'keV/um':>10} "
        f"{'eV/(1e15/cm2)':>14} {'range um':>11} {'range mg/cm2':>13}"
    )

    def fmt(v: float | None, width: int) -> str:
        return f"{'-':>{width}}" if v is None else f"{v:{width}.4g}"

    for r in rows:
        print(
            f"{r['energy_MeV_u']:10.4g} {r['energy_MeV']:10.4g} "
            f"{r['stopping_MeV_cm2_g']:11.4g} {fmt(r['stopping_keV_um'], 10)} "
            f"{r['stopping_eV_1e15_atoms_cm2']:14.4g} {fmt(r['range_um'], 11)} "
            f"{r['range_mg_cm2']:13.4g}"
        )
    return 0
