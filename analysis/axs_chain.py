"""AXS at one energy: the anomalous factors and μ(E) used, then the correction chain.

:func:`factors_and_mu` chooses f′, f″ of every element (the resonant one from a measured
edge when given, else Chantler) and builds the sample's μ(E) (cm⁻¹);
:func:`corrected_energy` runs :func:`axsuite.analysis.axs.correct_intensity` (dead time,
I0, RRS/fluorescence leakage, polarization, flat-plate absorption, Krogh-Moe–Norman
electron units, Compton inside the elastic window) on the Q grid of one energy.

``run`` is the AXS run's metadata: ``element``, ``composition`` (element → atomic
fraction), ``density_atoms_A3``, ``detector`` (noise_fwhm_eV, fano, pair_energy_eV,
ev_per_channel, doppler_fraction), ``geometry.thickness_cm``, ``polarization``
(horizontal_fraction, phi_deg), ``q_grid`` (Å⁻¹) and ``uid``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from . import axs, xray
from .absorption import absorption_factor_reflection, polarization_factor
from .axs_assembly import EnergyIntensity
from .constants import AVOGADRO


def factors_and_mu(
    run: Mapping, energy_eV: float, edge: Any = None, edge_source: str = "", *,
    factors_from_edge: bool = True,
) -> tuple[dict[str, complex], dict[str, str], Callable[[Any], np.ndarray], str]:  # fmt: skip
    """(f′ + i f″ per element in electrons, their sources, μ(E) in cm⁻¹, μ's source).

    ``edge``: ``AnomalousFactors`` of the resonant element from a measured edge at
    ``energy_eV`` (or None: tables); its f″ also replaces Chantler's in μ inside the scan.
    """
    comp = run["composition"]
    element = run["element"]
    factors, fsrc = {}, {}
    for el in comp:
        if edge is not None and el == element and factors_from_edge:
            factors[el] = complex(float(edge.fp_at[0]), float(edge.fpp_at[0]))
            fsrc[el] = edge_source
        else:
            e1 = np.array([energy_eV])
            factors[el] = complex(
                float(xray.chantler_fp(el, e1)[0]), float(xray.chantler_fpp(el, e1)[0])
            )
            fsrc[el] = "Chantler table (xraydb)"
    mean_a = sum(c * xray.atomic_weight(e) for e, c in comp.items())
    rho = float(run["density_atoms_A3"]) * 1e24 * mean_a / AVOGADRO
    w = xray.mass_fractions(comp)

    def mu_cm(e_eV):
        e_arr = np.asarray(e_eV, dtype=float)
        total = np.zeros_like(e_arr)
        for el, wi in w.items():
            fpp = xray.chantler_fpp(el, e_arr)
            if edge is not None and el == element:
                inside = (e_arr >= edge.energy_eV[0]) & (e_arr <= edge.energy_eV[-1])
                fpp = np.where(inside, np.interp(e_arr, edge.energy_eV, edge.fpp), fpp)
            total = total + wi * xray.mass_attenuation_cm2_g(el, e_arr, fpp=fpp)
        return rho * total

    mu_src = (
        f"{element} photo part from {edge_source} inside the scan, tables elsewhere"
        if edge is not None
        else "tables (Chantler photo + xraylib scattering)"
    )
    return factors, fsrc, mu_cm, mu_src


def corrected_energy(
    run: Mapping,
    b: Mapping[str, np.ndarray],
    factors: dict[str, complex],
    fsrc: dict[str, str],
    mu_cm: Callable[[Any], np.ndarray],
    mu_src: str,
    *,
    method: str = "krogh-moe",
    leakage_correction: bool = True,
) -> tuple[EnergyIntensity, Any]:
    """Corrected I(Q) on the run's Q grid from one energy's block of readings ``b``
    (arrays: energy, two_theta, i0, elastic, fluorescence, dead_time and the window
    bounds elastic_low/high, fluor_low/high in eV). Returns the record and the
    ``CorrectedIntensity`` of the chain."""
    energy = float(b["energy"][0])
    tth = b["two_theta"]
    det = run["detector"]
    res = {
        "noise_fwhm_eV": float(det["noise_fwhm_eV"]),
        "fano": float(det["fano"]),
        "pair_energy_eV": float(det["pair_energy_eV"]),
    }
    ev_ch = float(det["ev_per_channel"])
    thick = float(run["geometry"]["thickness_cm"])
    pol = run["polarization"]
    mu_e = float(mu_cm(energy))
    e_c = xray.compton_energy_eV(energy, tth)
    el_win = (b["elastic_low"], b["elastic_high"])
    fl_win = (b["fluor_low"], b["fluor_high"])
    ratio = axs.compton_window_ratio(
        energy, tth, *el_win, doppler_fraction=float(det["doppler_fraction"]),
        ev_per_channel=ev_ch, **res,
    ) * axs.compton_absorption_ratio(mu_e, mu_cm(e_c), tth, thick)  # fmt: skip
    kappa = 0.0
    if leakage_correction:
        kappa = axs.rrs_leakage_ratio(
            run["element"], energy, tth, el_win, fl_win, mu_cm=mu_cm, thickness_cm=thick,
            ev_per_channel=ev_ch, **res,
        )  # fmt: skip
    ci = axs.correct_intensity(
        tth,
        energy,
        b["elastic"],
        b["i0"],
        run["composition"],
        factors,
        density=float(run["density_atoms_A3"]),
        absorption=absorption_factor_reflection(mu_e, tth, thick),
        polarization=polarization_factor(
            tth,
            horizontal_fraction=float(pol["horizontal_fraction"]),
            azimuth_deg=float(pol["phi_deg"]),
        ),
        dead_time=b["dead_time"],
        fluorescence=b["fluorescence"],
        leakage_ratio=kappa,
        compton_ratio=ratio,
        method=method,
    )
    q_grid = np.asarray(run["q_grid"], dtype=float)
    order = np.argsort(ci.q)
    ei = EnergyIntensity(
        run_uid=run["uid"],
        element=run["element"],
        energy_eV=energy,
        q=q_grid,
        intensity=np.interp(q_grid, ci.q[order], ci.intensity[order]),
        sigma=np.interp(q_grid, ci.q[order], ci.sigma[order]),
        normalization_factor=float(ci.normalization_factor),
        leakage_fraction_max=float(np.max(ci.leakage_fraction)),
        mu_cm=mu_e,
        mu_source=mu_src,
        factors={el: (f.real, f.imag) for el, f in factors.items()},
        factor_source=fsrc,
    )
    return ei, ci
