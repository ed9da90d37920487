"""Figures of ``axs report``, drawn from result dicts (as ``axs replay --json`` gives them).

Each function takes one analysis result (plus, for patterns, the measured arrays) and
returns a matplotlib ``Figure`` that is not managed by pyplot; :func:`png_data_uri`
turns it into an embeddable ``data:image/png;base64,…`` string. Axes carry units.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np


def _figure(n_axes: int, width: float = 10.0, height: float = 3.6) -> tuple[Any, list[Any]]:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(1, n_axes, squeeze=False)[0]
    return fig, list(axes)


def png_data_uri(fig: Any, dpi: int = 90) -> str:
    """The figure as a base64 PNG data URI (self-contained, no file)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")


def _a(values: Any) -> np.ndarray:
    return np.asarray([np.nan if v is None else v for v in values], dtype=float)


def absorption_figure(r: Mapping[str, Any]) -> Any:
    """Normalized μ(E) with E0 marked, and f′, f″ (electrons) with the offsets used."""
    fig, (ax1, ax2) = _figure(2)
    e = _a(r["energy_eV"])
    ax1.plot(e, _a(r["norm"]), lw=1)
    ax1.axvline(r["e0_eV"], color="0.5", ls="--", lw=0.8, label=f"E0 = {r['e0_eV']:.2f} eV")
    ax1.set(xlabel="energy (eV)", ylabel="normalized μ(E)", title=f"{r['element']} {r['edge']}")
    ax1.legend(fontsize=8)
    ax2.plot(e, _a(r["fp"]), lw=1, label="f′")
    ax2.plot(e, _a(r["fpp"]), lw=1, label="f″")
    at = r["e0_eV"] + _a(r["offsets_eV"])
    ax2.plot(at, _a(r["fp_at"]), "o", ms=4, color="C0")
    ax2.plot(at, _a(r["fpp_at"]), "s", ms=4, color="C1")
    ax2.set(xlabel="energy (eV)", ylabel="f′, f″ (electrons)", title="anomalous factors")
    ax2.legend(fontsize=8)
    return fig


def axs_figure(r: Mapping[str, Any]) -> Any:
    """I(Q) per energy, ΔS(Q), partials S_ab(Q) ± σ and g_ab(r) when present."""
    partials = r.get("partials")
    fig, axes = _figure(4 if partials else 2, width=14.0 if partials else 10.0)
    ax = axes[0]
    for ei in r["intensities"]:
        q, i, s = _a(ei["q"]), _a(ei["intensity"]), _a(ei["sigma"])
        ax.plot(q, i, lw=1, label=f"{ei['energy_eV']:.1f} eV")
        ax.fill_between(q, i - s, i + s, alpha=0.3)
    ax.set(xlabel="Q (Å⁻¹)", ylabel="I(Q) (e.u./atom)", title=f"{r['element']} {r['edge']} I(Q)")
    ax.legend(fontsize=8)
    ax = axes[1]
    for d in r["differentials"]:
        q, ds, s = _a(d["q"]), _a(d["ds"]), _a(d["sigma"])
        e1, e2 = d["energies_eV"]
        ax.plot(q, ds, lw=1, label=f"ΔS_{d['element']} ({e1:.0f} − {e2:.0f} eV)")
        ax.fill_between(q, ds - s, ds + s, alpha=0.3)
    ax.set(xlabel="Q (Å⁻¹)", ylabel="ΔS(Q)", title="differential structure factor")
    if r["differentials"]:
        ax.legend(fontsize=8)
    if partials:
        q = _a(partials["q"])
        for k, pair in enumerate(partials["pairs"]):
            s, sig = _a(partials["s"][k]), _a(partials["sigma"][k])
            axes[2].plot(q, s, lw=1, label=f"S_{pair}")
            axes[2].fill_between(q, s - sig, s + sig, alpha=0.3)
            axes[3].plot(_a(partials["r"]), _a(partials["g"][k]), lw=1, label=f"g_{pair}")
        axes[2].set(xlabel="Q (Å⁻¹)", ylabel="S_ab(Q)", title="partial structure factors")
        axes[3].set(xlabel="r (Å)", ylabel="g_ab(r)", title="partial pair distributions")
        axes[2].legend(fontsize=8)
        axes[3].legend(fontsize=8)
    return fig


def stopping_figure(r: Mapping[str, Any]) -> Any:
    """Measured S(E) ± σ against the model, and the effective-charge ratio γ²."""
    fig, (ax1, ax2) = _figure(2)
    e = _a(r["energy_MeV_u"])
    ax1.errorbar(e, _a(r["stopping_MeV_cm2_g"]), _a(r["sigma_MeV_cm2_g"]), fmt="o", ms=3,
                 label="measured")  # fmt: skip
    ax1.plot(e, _a(r["model_MeV_cm2_g"]), "-", lw=1, label="model")
    ax1.set(xscale="log", xlabel="E (MeV/u)", ylabel="S (MeV cm²/g)",
            title=f"{r['ion']} in {r['target']}")  # fmt: skip
    ax1.legend(fontsize=8)
    ax2.plot(e, _a(r["gamma2"]), "o-", ms=3, lw=1)
    ax2.set(xscale="log", xlabel="E (MeV/u)", ylabel="γ² = S/(Z1² S_p)", title="effective charge")
    return fig


def lineprofile_figure(
    r: Mapping[str, Any], two_theta_deg: Sequence[float] | None, counts: Sequence[float] | None
) -> Any:
    """The measured pattern with the fitted peak positions, and the Williamson–Hall plot
    (β cosθ against 4 sinθ, β the sample FWHM in rad, with its error bars)."""
    fig, (ax1, ax2) = _figure(2)
    if two_theta_deg is not None and counts is not None:
        ax1.plot(_a(two_theta_deg), _a(counts), lw=0.7, color="k")
    peaks = _a(r["two_theta_deg"])
    for x in peaks:
        ax1.axvline(x, color="C3", lw=0.6, alpha=0.6)
    ax1.set(xlabel="2θ (deg)", ylabel="counts", title=f"{r['sample']} ({len(peaks)} peaks)")
    theta = np.radians(peaks / 2)
    beta = np.radians(_a(r["sample_fwhm_deg"]))
    err = np.radians(_a(r["fwhm_err_deg"]))
    ok = np.isfinite(beta) & (beta > 0)
    ax2.errorbar(4 * np.sin(theta[ok]), beta[ok] * np.cos(theta[ok]), err[ok] * np.cos(theta[ok]),
                 fmt="o", ms=4)  # fmt: skip
    title = "Williamson–Hall"
    if r.get("wh_size_A") is not None:
        title += f": D = {r['wh_size_A']:.0f} Å, ε = {r['wh_strain']:.2e}"
    ax2.set(xlabel="4 sinθ", ylabel="β cosθ (rad)", title=title)
    return fig
