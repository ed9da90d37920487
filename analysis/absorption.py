"""Absorption: XAS normalization, anomalous factors f', f'' from μ(E), absorption factors.

Public API (DESIGN §8):

* :func:`normalize_xas` — pre-edge/post-edge normalization (module :mod:`.preedge`)
* :func:`anomalous_factors_from_mu` — f'' by the optical theorem with MBACK-style matching
  (:mod:`.mback`) and f' by differential Kramers–Kronig (:mod:`.kk`)
* :func:`kramers_kronig_fp` — differential KK about Chantler (FFT, O(N log N))
* :func:`absorption_factor_reflection`, :func:`absorption_factor_transmission`,
  :func:`polarization_factor`, :func:`self_absorption_correction` (:mod:`.absfactors`)
* :func:`mono_offset_correction_deg` — DCM angle correction from a measured edge
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from . import xray
from .absfactors import (
    absorption_factor_reflection,
    absorption_factor_transmission,
    polarization_factor,
    self_absorption_correction,
)
from .kk import (
    DifferentialKK,
    differential_kk,
    kk_transform_direct,
    kk_transform_fft,
    kramers_kronig_fp,
)
from .mback import MbackResult, mback_fpp
from .preedge import (
    MIN_POINTS,
    XASNormalization,
    XASRangeWarning,
    clean_spectrum,
    find_e0,
    normalize_xas,
    usable_window,
)

__all__ = [
    "MIN_POINTS",
    "AnomalousFactors",
    "DifferentialKK",
    "MbackResult",
    "XASNormalization",
    "XASRangeWarning",
    "absorption_factor_reflection",
    "absorption_factor_transmission",
    "anomalous_factors_from_mu",
    "clean_spectrum",
    "differential_kk",
    "find_e0",
    "kk_transform_direct",
    "kk_transform_fft",
    "kramers_kronig_fp",
    "mback_fpp",
    "mono_offset_correction_deg",
    "normalize_xas",
    "polarization_factor",
    "self_absorption_correction",
]

FP_SENSITIVITY_FLAG = 0.1
"""f' changing by more than this (electrons) with the MBACK order is flagged."""

MAX_E0_SHIFT_EV = 50.0
"""Largest accepted distance (eV) between the measured and the tabulated edge."""


@dataclass(frozen=True)
class AnomalousFactors:
    """f'(E), f''(E) of the resonant element from a measured edge (electrons; energies in eV).

    Arrays ``fp``, ``fpp``, ``fp_tab``, ``fpp_tab`` (Chantler) are on ``energy_eV`` (the
    input grid), as is ``norm`` (normalized μ, Larch convention). ``e0_eV`` is the measured
    edge, ``e0_tab_eV`` the tabulated one (xraylib).
    ``fp_at``/``fpp_at`` are the factors at the extra energies ``at_eV`` (outside the scan
    f'' is Chantler's and the measured structure enters f' through the KK integral).
    ``ranges`` records every range used (eV relative to E0: pre1, pre2, norm1, norm2 of
    the normalization, nnorm, MBACK's mback_pre/mback_post boundaries, and the absolute
    window_lo/window_hi free of other edges); ``other_edges`` the edges avoided and
    ``flags`` the warnings about this result (empty when it can be trusted). Outside the
    window f'' is Chantler's (the measured one there belongs to another edge).
    ``fp_at_sensitivity`` is |Δf'| at ``at_eV`` (electrons) when the MBACK polynomial order
    is raised by one (lowered from 3): how well the matching ranges fix f'; above
    :data:`FP_SENSITIVITY_FLAG` e it is flagged (short pre- or post-edge ranges).
    """

    element: str
    edge: str
    energy_eV: np.ndarray
    norm: np.ndarray
    fp: np.ndarray
    fpp: np.ndarray
    fp_tab: np.ndarray
    fpp_tab: np.ndarray
    e0_eV: float
    e0_tab_eV: float
    edge_step: float
    fpp_scale: float
    mback_rms: float
    taper_eV: float
    at_eV: np.ndarray
    fp_at: np.ndarray
    fpp_at: np.ndarray
    ranges: dict[str, float] = field(default_factory=dict)
    other_edges: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()
    fp_at_sensitivity: np.ndarray = field(default_factory=lambda: np.zeros(0))


def anomalous_factors_from_mu(
    energy_eV: ArrayLike,
    mu: ArrayLike,
    element: str | int,
    *,
    edge: str = "K",
    e0_eV: float | None = None,
    at_eV: ArrayLike | None = None,
    pre_edge_eV: float = -50.0,
    post_edge_eV: float = 100.0,
    poly_order: int = 2,
    taper_eV: float | None = None,
    method: str = "fft",
    other_elements: Sequence[str] = (),
) -> AnomalousFactors:
    """f' and f'' of ``element`` from its measured absorption edge μ(E).

    1. E0 and the edge step from :func:`normalize_xas` (unless ``e0_eV`` is given).
    2. f'' = s·E·μ − P(E − E0), matched to Chantler f'' below E0 + pre_edge_eV and above
       E0 + post_edge_eV (:func:`mback_fpp`; optical theorem, Weng et al. 2005).
    3. f' = f'_Chantler + KK[f'' − f''_Chantler] (:func:`differential_kk`; Cross et al.,
       Phys. Rev. B 58, 11215 (1998)).

    ``energy_eV`` must be strictly increasing (eV) and bracket the tabulated edge; ``mu``
    finite (any units). ``at_eV`` gives extra energies (eV) for ``fp_at``/``fpp_at``.
    ``other_elements`` are the sample's other elements: their tabulated edges (and the
    element's other edges) are kept out of every range (:func:`usable_window`, with an
    :class:`XASRangeWarning`). The MBACK polynomial order defaults to 2 (xraylarch
    ``diffkk`` uses 3 on s·μ; with the optical-theorem factor E in s·E·μ, 2 is closer to the
    simulator truth); ``fp_at_sensitivity`` reports the change with the other order.
    Raises ``ValueError`` on bad input, an unknown element or edge, a scan that does not
    contain the edge, or a measured E0 more than 50 eV from the tabulated edge.
    """
    symbol = xray.element_symbol(element)
    e0_tab = xray.edge_energy_eV(symbol, edge)
    e = np.asarray(energy_eV, dtype=float).ravel()
    m = np.asarray(mu, dtype=float).ravel()
    if e.shape != m.shape:
        raise ValueError(f"energy ({e.size} values) and mu ({m.size} values) differ in length")
    if e.size < MIN_POINTS:
        raise ValueError(f"need at least {MIN_POINTS} points, got {e.size}")
    if not (np.all(np.isfinite(e)) and np.all(np.isfinite(m))):
        raise ValueError("energy and mu must be finite (no NaN or inf)")
    if np.any(np.diff(e) <= 0):
        raise ValueError("energies must be strictly increasing (sorted, no duplicates)")
    if not e[0] < e0_tab < e[-1]:
        raise ValueError(
            f"the scan {e[0]:.1f}…{e[-1]:.1f} eV does not contain the {symbol} {edge} edge "
            f"({e0_tab:.1f} eV)"
        )
    norm = normalize_xas(
        e, m, e0_eV=e0_eV, element=symbol, edge=edge, other_elements=other_elements
    )
    if abs(norm.e0_eV - e0_tab) > MAX_E0_SHIFT_EV:
        raise ValueError(
            f"measured edge at {norm.e0_eV:.1f} eV is {norm.e0_eV - e0_tab:+.1f} eV from the "
            f"tabulated {symbol} {edge} edge ({e0_tab:.1f} eV): wrong element or mono setting?"
        )
    window = usable_window(e, norm.e0_eV, symbol, edge, other_elements)
    win = (window.lo_eV, window.hi_eV)
    mb = mback_fpp(
        e,
        m,
        symbol,
        e0_eV=norm.e0_eV,
        pre_edge_eV=pre_edge_eV,
        post_edge_eV=post_edge_eV,
        poly_order=poly_order,
        window_eV=win,
    )
    fpp = np.where((e >= win[0]) & (e <= win[1]), mb.fpp, mb.fpp_tab)
    dkk = differential_kk(
        e, fpp, symbol, taper_eV=taper_eV, method=method, at_eV=at_eV, window_eV=win
    )
    flags = list(norm.flags)
    if mb.pre_edge_eV != pre_edge_eV:
        flags.append(
            f"MBACK pre-edge matching moved up to E0{mb.pre_edge_eV:+.1f} eV (the scan starts "
            f"E0{e[0] - norm.e0_eV:+.1f} eV): f' less certain"
        )
    sensitivity = np.zeros(dkk.at_eV.size)
    if dkk.at_eV.size:
        low = mback_fpp(
            e,
            m,
            symbol,
            e0_eV=norm.e0_eV,
            pre_edge_eV=mb.pre_edge_eV,
            post_edge_eV=post_edge_eV,
            poly_order=poly_order + 1 if poly_order < 3 else poly_order - 1,
            window_eV=win,
        )
        fpp_low = np.where((e >= win[0]) & (e <= win[1]), low.fpp, low.fpp_tab)
        fp_low = differential_kk(
            e, fpp_low, symbol, taper_eV=taper_eV, method=method, at_eV=at_eV, window_eV=win
        ).fp_at
        sensitivity = np.abs(dkk.fp_at - fp_low)
        if sensitivity.max() > FP_SENSITIVITY_FLAG:
            flags.append(
                f"f' changes by up to {sensitivity.max():.2f} e with the MBACK polynomial "
                "order: the matching ranges are too short to fix it well"
            )
    extra = dkk.at_eV
    fpp_at = extra.copy()
    if extra.size:
        inside = (extra >= e[0]) & (extra <= e[-1])
        fpp_at = np.where(inside, np.interp(extra, e, fpp), xray.chantler_fpp(symbol, extra))
    return AnomalousFactors(
        element=symbol,
        edge=edge.strip().upper(),
        energy_eV=e,
        norm=norm.norm,
        fp=dkk.fp,
        fpp=mb.fpp,
        fp_tab=dkk.fp_tab,
        fpp_tab=mb.fpp_tab,
        e0_eV=norm.e0_eV,
        e0_tab_eV=e0_tab,
        edge_step=norm.edge_step,
        fpp_scale=mb.scale,
        mback_rms=mb.rms_residual,
        taper_eV=dkk.taper_eV,
        at_eV=extra,
        fp_at=dkk.fp_at,
        fpp_at=np.asarray(fpp_at, dtype=float),
        ranges={
            "pre1_eV": norm.pre1_eV,
            "pre2_eV": norm.pre2_eV,
            "norm1_eV": norm.norm1_eV,
            "norm2_eV": norm.norm2_eV,
            "nnorm": float(norm.nnorm),
            "mback_pre_eV": mb.pre_edge_eV,
            "mback_post_eV": mb.post_edge_eV,
            "window_lo_eV": win[0],
            "window_hi_eV": win[1],
        },
        other_edges=norm.other_edges,
        flags=tuple(flags),
        fp_at_sensitivity=sensitivity,
    )


def mono_offset_correction_deg(
    e0_measured_eV: float, e0_reference_eV: float, d_spacing_A: float
) -> float:
    """Bragg-angle correction (deg) that moves a measured edge onto its reference energy.

    The edge that appears at nominal energy E_m really sits at E_ref, so the crystals are
    off by Δθ = θ(E_ref) − θ(E_m) (Bragg's law, :func:`axsuite.analysis.xray.bragg_angle_deg`);
    add Δθ to the mono's calibration offset. Energies in eV, d-spacing in Å.
    """
    for name, value in (("e0_measured_eV", e0_measured_eV), ("e0_reference_eV", e0_reference_eV)):
        if not np.isfinite(value) or value <= 0:
            raise ValueError(f"{name} must be a positive energy in eV, got {value}")
    theta_ref = xray.bragg_angle_deg(e0_reference_eV, d_spacing_A)
    theta_meas = xray.bragg_angle_deg(e0_measured_eV, d_spacing_A)
    return float(theta_ref - theta_meas)
