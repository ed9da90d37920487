"""Adaptive AXS design: after each measured energy, re-design the rest from what was
actually measured, and stop when the requested precision is reached.

The information of the energies already measured, F₀(Q) = Σ_m w_m w_mᵀ/σ_m²(Q) with the
σ the analysis propagated from the real counts, enters the re-design as prior information
(Bayesian/sequential optimal design: Chaloner & Verdinelli, Stat. Sci. 10, 273 (1995),
§2.2; Pronzato & Pázman, *Design of Experiments in Nonlinear Models*, Springer 2013,
ch. 9). The predicted variance rates of the candidates are scaled by what the measured
energies showed (median over Q of σ²t/v_pred: real count rates, leakage, dead time; per
resonant edge once that edge has a measured energy), so the design follows the beamline
rather than the model. A step is a pure function of the
measured energies, so replaying the stored runs reproduces every decision.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .optimise import optimal_design
from .problem import AXSDesign, _problem

#: The re-design aims this far below the target so that the counting noise of the measured
#: σ does not leave the measurement just above it (approaching it in ever smaller steps).
AIM = 0.95


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


def _calibrated(cand: np.ndarray, v: np.ndarray, measured: Sequence[MeasuredEnergy],
                groups: Sequence[str] | None) -> tuple[np.ndarray, float]:
    """Variance rates scaled by measured ÷ predicted (median over Q, then over energies;
    per group where the group has a measured energy) and the overall scale."""
    if not measured:
        return v, 1.0
    idx = [int(np.argmin(np.abs(cand - m.energy_eV))) for m in measured]
    ratios = np.array([np.median(m.sigma**2 * m.time_s / v[i])
                       for m, i in zip(measured, idx, strict=True)])  # fmt: skip
    scale = float(np.median(ratios))
    scales = np.full(cand.size, scale)
    if groups is not None:
        labels = np.asarray(groups)
        for g in set(labels[idx]):
            scales[labels == g] = float(np.median(ratios[labels[idx] == g]))
    return v * scales[:, None], scale


def _information(q: np.ndarray, composition: Mapping[str, float],
                 measured: Sequence[MeasuredEnergy]) -> tuple[np.ndarray | None, dict[str, float]]:
    """F₀(Q) of the measured energies (n_q × n_p × n_p; None before any) and the RMS σ of
    each S_ab it gives (inf while not every partial is determined)."""
    if not measured:
        return None, {}
    sig = np.array([m.sigma for m in measured])
    prob = _problem(q, composition, [m.factors for m in measured], sig**2, "A", None, None)
    f0 = np.einsum("kq,kqi,kqj->qij", 1.0 / sig**2, prob.w, prob.w)
    labels = ["-".join(p) for p in prob.pairs]
    if not np.all(np.linalg.matrix_rank(f0) == f0.shape[1]):
        return f0, dict.fromkeys(labels, float("inf"))
    sd = np.sqrt(np.einsum("qii->qi", np.linalg.inv(f0)))
    return f0, {p: float(np.sqrt(np.mean(sd[:, j] ** 2))) for j, p in enumerate(labels)}


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
    groups: Sequence[str] | None = None,
) -> AdaptiveStep:
    """The next decision of an adaptive design (module docstring).

    ``candidates_eV``, ``factors``, ``variance_rate`` as for
    :func:`~axsuite.analysis.axs_design.optimal_design` (predicted, e.u.²·s); ``budget_s``
    the whole measurement's counting time (s, all energies and Q points); ``measured`` the
    energies done so far; ``target_rms_sigma`` stop when every S_ab has an RMS σ over Q at
    or below it; ``groups`` a label per candidate (e.g. the resonant element): the rate
    calibration is made per group where the group has a measured energy. The next energy
    is, among the re-design's energies not measured yet (else among all of them), the one it
    gives most time; with a target, for the share of the re-designed times that reaches it.
    An energy already measured may be measured again: its information adds up.
    """
    qq = np.asarray(q, dtype=float)
    cand = np.asarray(candidates_eV, dtype=float)
    v = np.asarray(variance_rate, dtype=float)
    if target_rms_sigma is not None and not target_rms_sigma > 0:
        raise ValueError(f"target_rms_sigma must be positive, got {target_rms_sigma}")
    spent = sum(m.time_s for m in measured) * qq.size
    remaining = float(budget_s) - spent
    step = len(measured)
    v, scale = _calibrated(cand, v, measured, groups)
    prior, achieved = _information(qq, composition, measured)
    if target_rms_sigma is not None and achieved and max(achieved.values()) <= target_rms_sigma:
        return AdaptiveStep(step, None, None, "target precision reached", scale, achieved,
                            remaining, None)
    if remaining <= 1e-9 * float(budget_s):
        return AdaptiveStep(step, None, None, "budget spent", scale, achieved, remaining, None)
    left = None
    if n_energies is not None:  # energies not yet measured that the design may still add
        left = max(1, int(n_energies) - len({round(m.energy_eV, 6) for m in measured}))
    def redesign(budget: float) -> tuple[AXSDesign, float]:
        d = optimal_design(qq, composition, cand, factors, v, budget, n_energies=left,
                           criterion=criterion, prior_information=prior)  # fmt: skip
        if target_rms_sigma is None:
            return d, 1.0
        chosen = np.searchsorted(cand, d.energies_eV)
        return d, _share_for_target(qq, composition, [factors[i] for i in chosen], v[chosen],
                                    d.times_s, prior, AIM * target_rms_sigma)  # fmt: skip

    # the budget that reaches the target: re-design at the reduced budget until the share
    # needed settles (a design for the whole remaining budget, scaled down, is not optimal
    # once the measured information counts)
    needed = remaining
    design, share = redesign(needed)
    for _ in range(4):
        if share > 0.98:
            break
        needed *= share
        design, share = redesign(needed)
    seen = {round(m.energy_eV, 6) for m in measured}
    pool = [i for i, e in enumerate(design.energies_eV) if round(float(e), 6) not in seen]
    j = max(pool or range(design.energies_eV.size), key=lambda i: design.times_s[i])
    reason = ("largest share of the re-design" + (" not yet measured" if pool else "")) + (
        f" ({share * needed / remaining:.0%} of the remaining budget reaches the target)"
        if needed * share < remaining else ""
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
