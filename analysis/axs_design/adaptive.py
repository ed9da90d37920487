"""Adaptive AXS design: after each measured energy, re-design the rest from what was
actually measured, and stop when the requested precision is reached.

The information of the energies already measured, F₀(Q) = Σ_m w_m w_mᵀ/σ_m²(Q) with the
σ the analysis propagated from the real counts, enters the re-design as prior information
(Bayesian/sequential optimal design: Chaloner & Verdinelli, Stat. Sci. 10, 273 (1995),
§2.2; Pronzato & Pázman, *Design of Experiments in Nonlinear Models*, Springer 2013,
ch. 9). The predicted variance rates of the candidates are scaled by what the measured
energies showed (median over Q of σ²t/v_pred: real count rates, leakage, dead time), so
the design follows the beamline rather than the model. A step is a pure function of the
measured energies, so replaying the stored runs reproduces every decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .optimise import optimal_design
from .problem import AXSDesign, _problem


@dataclass(frozen=True)
class MeasuredEnergy:
    """One energy already measured: ``energy_eV``, counting time per Q point ``time_s``
    (s), ``sigma`` (n_q) standard error of the corrected intensity (e.u. per atom) and the
    ``factors`` element → f' + i f'' (electrons) the analysis used there."""

    energy_eV: float
    time_s: float
    sigma: np.ndarray
    factors: Mapping[str, complex]


@dataclass(frozen=True)
class AdaptiveStep:
    """A decision: the ``next_energy_eV`` to measure for ``next_time_s`` per Q point (None:
    stop), why (``reason``), the rate calibration ``rate_scale`` (measured ÷ predicted
    variance), the RMS σ of each S_ab reached so far (``achieved_rms_sigma``; inf while
    the partials are not yet determined), the budget left (s) and the re-design."""

    step: int
    next_energy_eV: float | None
    next_time_s: float | None
    reason: str
    rate_scale: float
    achieved_rms_sigma: dict[str, float]
    remaining_budget_s: float
    design: AXSDesign | None

    def as_row(self) -> dict[str, float | int | str]:
        """Flat row for the ``design`` stream (NaN for 'none'; units in the names)."""
        row: dict[str, float | int | str] = {
            "design_step": self.step,
            "next_energy_eV": np.nan if self.next_energy_eV is None else self.next_energy_eV,
            "next_time_s": np.nan if self.next_time_s is None else self.next_time_s,
            "reason": self.reason,
            "rate_scale": self.rate_scale,
            "remaining_budget_s": self.remaining_budget_s,
        }
        for pair, s in self.achieved_rms_sigma.items():
            row[f"rms_sigma_{pair.replace('-', '_')}"] = s
        return row


def _information(q: np.ndarray, composition: Mapping[str, float],
                 measured: Sequence[MeasuredEnergy]) -> tuple[np.ndarray, list[str]]:
    """F₀(Q) from the measured energies (n_q × n_p × n_p) and the pair labels."""
    sig = np.array([m.sigma for m in measured])
    prob = _problem(q, composition, [m.factors for m in measured], sig**2, "A", None, None)
    f0 = np.einsum("kq,kqi,kqj->qij", 1.0 / sig**2, prob.w, prob.w)
    return f0, ["-".join(p) for p in prob.pairs]


def adaptive_step(
    q: ArrayLike,
    composition: Mapping[str, float],
    candidates_eV: ArrayLike,
    factors: Sequence[Mapping[str, complex]],
    variance_rate: ArrayLike,
    budget_s: float,
    measured: Sequence[MeasuredEnergy],
    *,
    n_energies: int | None = None,
    criterion: str = "A",
    target_rms_sigma: float | None = None,
) -> AdaptiveStep:
    """The next decision of an adaptive design (module docstring).

    ``candidates_eV``, ``factors``, ``variance_rate`` as for
    :func:`~axsuite.analysis.axs_design.optimal_design` (predicted, e.u.²·s); ``budget_s``
    the whole measurement's counting time (s, all energies and Q points); ``measured`` the
    energies done so far; ``target_rms_sigma`` stop when every S_ab has an RMS σ over Q at
    or below it. The next energy is the one the re-design gives most time; measured
    energies are not repeated.
    """
    qq = np.asarray(q, dtype=float)
    cand = np.asarray(candidates_eV, dtype=float)
    v = np.asarray(variance_rate, dtype=float)
    if target_rms_sigma is not None and not target_rms_sigma > 0:
        raise ValueError(f"target_rms_sigma must be positive, got {target_rms_sigma}")
    spent = sum(m.time_s for m in measured) * qq.size
    remaining = float(budget_s) - spent
    step = len(measured)
    scale = 1.0
    achieved: dict[str, float] = {}
    prior = None
    if measured:
        idx = [int(np.argmin(np.abs(cand - m.energy_eV))) for m in measured]
        ratios = [np.median(m.sigma**2 * m.time_s / v[i]) for m, i in zip(measured, idx,
                                                                         strict=True)]
        scale = float(np.median(ratios))
        prior, labels = _information(qq, composition, measured)
        if np.all(np.linalg.matrix_rank(prior) == prior.shape[1]):
            sd = np.sqrt(np.einsum("qii->qi", np.linalg.inv(prior)))
            achieved = {p: float(np.sqrt(np.mean(sd[:, j] ** 2))) for j, p in enumerate(labels)}
        else:
            achieved = dict.fromkeys(labels, float("inf"))
    if target_rms_sigma is not None and achieved and max(achieved.values()) <= target_rms_sigma:
        return AdaptiveStep(step, None, None, "target precision reached", scale, achieved,
                            remaining, None)
    if remaining <= 1e-9 * float(budget_s):
        return AdaptiveStep(step, None, None, "budget spent", scale, achieved, remaining, None)
    done = {round(m.energy_eV, 6) for m in measured}
    keep = np.array([round(float(e), 6) not in done for e in cand])
    left = None if n_energies is None else max(1, int(n_energies) - len(measured))
    design = optimal_design(
        qq, composition, cand[keep], [f for f, k in zip(factors, keep, strict=True) if k],
        v[keep] * scale, remaining, n_energies=left, criterion=criterion,
        prior_information=prior,
    )
    share = 1.0
    if target_rms_sigma is not None:
        chosen = np.searchsorted(cand, design.energies_eV)
        share = _share_for_target(qq, composition, [factors[i] for i in chosen],
                                  v[chosen] * scale, design.times_s, prior, target_rms_sigma)
    j = int(np.argmax(design.times_s))
    reason = "largest share of the re-design" + (
        f" ({share:.0%} of the remaining budget reaches the target)" if share < 1 else ""
    )
    return AdaptiveStep(step, float(design.energies_eV[j]), float(share * design.times_s[j]),
                        reason, scale, achieved, remaining, design)


def _share_for_target(q: np.ndarray, composition: Mapping[str, float],
                      factors: Sequence[Mapping[str, complex]], v: np.ndarray,
                      times: np.ndarray, prior: np.ndarray | None, target: float) -> float:
    """Smallest fraction α ∈ (0, 1] of the re-designed times whose predicted RMS σ of every
    S_ab is ≤ ``target`` (bisection; σ falls monotonically with α); 1 if none reaches it."""
    prob = _problem(q, composition, factors, v, "A", None, None, prior)

    def worst(alpha: float) -> float:
        sd = np.sqrt(np.einsum("qii->qi", prob.covariance(alpha * times)))
        return float(np.sqrt(np.mean(sd**2, axis=0)).max())

    if worst(1.0) > target:
        return 1.0
    lo, hi = 0.0, 1.0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if worst(mid) > target else (lo, mid)
    return hi
