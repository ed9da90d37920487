"""Optimal and given designs: the continuous optimum over every candidate (multiplicative
algorithm), rounding to K energies, the K times by L-BFGS-B, neighbour exchange."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize

from .problem import MIN_SHARE, AXSDesign, _Problem, _problem


def _optimise_times(prob: _Problem, idx: np.ndarray, total: float) -> np.ndarray:
    """Times (summing to ``total``) on candidates ``idx`` minimising the criterion, each at
    least :data:`MIN_SHARE`/K of the total (a chosen energy is measured, not skipped).

    The simplex is parametrised by a softmax, ξ = m + (1 − K m) exp(z)/Σ exp(z), and z found
    with L-BFGS-B (scipy); ∂Φ/∂z_j = s_j (g_j − Σ_i s_i g_i) (1 − K m), s the softmax.
    """
    n = idx.size
    sub = prob.subset(idx)
    floor = MIN_SHARE / n
    free = 1.0 - n * floor
    scale = abs(sub.value_and_grad(np.full(n, total / n))[0]) or 1.0

    def shares(z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        s = np.exp(z - z.max())
        s /= s.sum()
        return floor + free * s, s

    def fun(z: np.ndarray) -> tuple[float, np.ndarray]:
        xi, s = shares(z)
        val, grad = sub.value_and_grad(xi * total)
        g = grad * total * free / scale
        return val / scale, s * (g - s @ g)

    res = minimize(
        fun,
        np.zeros(n),
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": 300, "ftol": 1e-12, "gtol": 1e-8},
    )
    return shares(res.x)[0] * total


def _continuous_design(prob: _Problem, max_iter: int = 500, tol: float = 0.02) -> np.ndarray:
    """Optimal design weights ξ over all candidates (Σ ξ = 1) by the multiplicative
    algorithm ξ_k ← ξ_k (d_k/Σ_i ξ_i d_i)^ρ, d = −∂Φ/∂ξ, ρ = ½ for A/c and 1 for D
    (Silvey, Titterington & Torsney, Commun. Stat. A 7, 1379 (1978); monotone for these
    criteria: Yu, Ann. Stat. 38, 1593 (2010)); stops when max_k d_k/Σ ξ d − 1 < ``tol``
    (the equivalence theorem's optimality gap)."""
    n = prob.w.shape[0]
    xi = np.full(n, 1.0 / n)
    rho = 1.0 if prob.criterion == "D" else 0.5
    for _ in range(max_iter):
        _, grad = prob.value_and_grad(xi)
        d = np.maximum(-grad, 0.0)
        mean = float(xi @ d)
        if mean <= 0 or d.max() / mean - 1.0 < tol:
            break
        xi = xi * (d / mean) ** rho
        xi[xi < 1e-10] = 0.0
        xi /= xi.sum()
    return xi


def _clusters(weights: np.ndarray, energies: np.ndarray, threshold: float) -> list[np.ndarray]:
    """Runs of neighbouring candidates whose weight exceeds ``threshold``; a run ends where
    the energy gap exceeds 1.5 × the median candidate step (another edge's range)."""
    step = float(np.median(np.diff(energies))) if energies.size > 1 else 1.0
    out, run = [], []
    for i, w in enumerate(weights):
        if run and (w <= threshold or energies[i] - energies[run[-1]] > 1.5 * step):
            out.append(np.array(run))
            run = []
        if w > threshold:
            run.append(i)
    if run:
        out.append(np.array(run))
    return out


def _near(i: int, others: np.ndarray, energies: np.ndarray) -> bool:
    """Whether candidate ``i`` lies within 3 median steps of any of ``others``."""
    if others.size == 0:
        return False
    step = float(np.median(np.diff(energies))) if energies.size > 1 else 1.0
    return bool(np.min(np.abs(energies[others] - energies[i])) < 3 * step - 1e-9)


def optimal_design(
    q: ArrayLike,
    composition: Mapping[str, float],
    candidates_eV: ArrayLike,
    factors: Sequence[Mapping[str, complex]],
    variance_rate: ArrayLike,
    budget_s: float,
    *,
    n_energies: int | None = None,
    criterion: str = "A",
    pair_weights: Mapping[str, float] | None = None,
    functional: tuple[str, ArrayLike] | None = None,
    prior_information: ArrayLike | None = None,
) -> AXSDesign:
    """Energies and counting times minimising ``criterion`` for a beam-time budget.

    ``candidates_eV`` (n_cand,) energies allowed (see :func:`candidate_energies`), sorted;
    ``factors`` one mapping element → f' + i f'' (electrons) per candidate; ``variance_rate``
    (n_cand × n_q) v_k(Q) in e.u.²·s so that σ_k²(Q) = v_k(Q)/t_k
    (:func:`counting_variance_rate`); ``budget_s`` total counting time in s over all
    energies and Q points (t_k per point: Σ_k t_k = budget/n_q); ``n_energies`` K (default:
    as many as the continuous optimum supports, at least n_pairs). ``prior_information``
    (n_q × n_pairs × n_pairs) Fisher information already measured (adaptive designs: then
    fewer energies than partials may do). See the package docstring for the criteria.
    """
    cand = np.asarray(candidates_eV, dtype=float)
    if cand.ndim != 1 or cand.size != len(factors) or np.any(np.diff(cand) <= 0):
        raise ValueError("candidates_eV must be increasing, one per mapping in factors (eV)")
    if not np.isfinite(budget_s) or budget_s <= 0:
        raise ValueError(f"budget_s must be a positive time in s, got {budget_s}")
    prob = _problem(q, composition, factors, variance_rate, criterion, pair_weights, functional,
                    prior_information)  # fmt: skip
    n_min = _energies_needed(prob, cand.size, n_energies)
    per_point = budget_s / prob.q.size
    # ξ sums to 1: scale the variance rates so that ξ_k is the share of the per-point time
    # (the prior information is in absolute units)
    # (the support is found on every few Q points: ≤ 100 of them, enough to place energies)
    weights = _continuous_design(_every(dataclasses.replace(prob, v=prob.v / per_point), 100))
    groups = _clusters(weights, cand, 1e-3)
    groups.sort(key=lambda g: -weights[g].sum())
    k = max(n_min, len(groups)) if n_energies is None else int(n_energies)
    chosen = [int(g[np.argmax(weights[g])]) for g in groups[:k]]
    while len(chosen) < k:  # more energies than the optimum supports: add the most useful
        cur = np.array(sorted(chosen))
        gain = -prob.value_and_grad(_spread(_optimise_times(prob, cur, per_point), cur,
                                            cand.size))[1]  # fmt: skip
        free = np.array([not _near(i, cur, cand) for i in range(cand.size)])
        if not free.any():
            free = ~np.isin(np.arange(cand.size), cur)
        chosen.append(int(np.argmax(np.where(free, gain, -np.inf))))
    idx = _exchange(prob, cand, np.array(sorted(chosen)), per_point)
    times = _optimise_times(prob, idx, per_point)
    best = prob.value_and_grad(_spread(times, idx, cand.size))[0]
    return _design(prob, cand, idx, times, best)


def _every(prob: _Problem, n_max: int) -> _Problem:
    """The problem on every k-th Q point (at most ``n_max`` points; criterion weights × k so
    that the objective keeps its scale)."""
    k = -(-prob.q.size // n_max)
    if k <= 1:
        return prob
    sl = slice(None, None, k)
    return dataclasses.replace(
        prob, q=prob.q[sl], w=prob.w[:, sl], v=prob.v[:, sl], cond_rows=prob.cond_rows[:, sl],
        weights=prob.weights[sl] * k, prior=None if prob.prior is None else prob.prior[sl],
    )  # fmt: skip


def _energies_needed(prob: _Problem, n_cand: int, n_energies: int | None) -> int:
    """Fewest energies the design needs: the partials, less the rank the prior information
    already has everywhere; checks ``n_energies`` against it and the candidates."""
    n_min = len(prob.pairs)
    if prob.prior is not None:
        n_min = max(n_min - int(np.min(np.linalg.matrix_rank(prob.prior, hermitian=True))), 1)
    if n_cand < n_min:
        raise ValueError(f"{n_min} partials need at least {n_min} candidate energies, got {n_cand}")
    if n_energies is not None and not n_min <= int(n_energies) <= n_cand:
        raise ValueError(
            f"n_energies must be between {n_min} (the partials not yet determined) and the "
            f"number of candidates ({n_cand}), got {n_energies}"
        )
    return n_min


def _exchange(prob: _Problem, cand: np.ndarray, idx: np.ndarray, per_point: float) -> np.ndarray:
    """Move each chosen energy to a neighbouring candidate while that lowers the criterion
    (times kept; never within 3 steps of another chosen energy); sorted indices."""
    times = _optimise_times(prob, idx, per_point)
    best = prob.subset(idx).value_and_grad(times)[0]
    for _ in range(20):
        improved = False
        for j in range(idx.size):
            for step in (-1, 1):
                trial = idx.copy()
                trial[j] += step
                if not 0 <= trial[j] < cand.size or _near(trial[j], np.delete(idx, j), cand):
                    continue
                val = prob.subset(trial).value_and_grad(times)[0]
                if val < best * (1 - 1e-9):
                    idx, best, improved = trial, val, True
        if not improved:
            break
    return np.sort(idx)


def _spread(times: np.ndarray, idx: np.ndarray, n: int) -> np.ndarray:
    full = np.zeros(n)
    full[idx] = times
    return full


def _design(
    prob: _Problem, cand: np.ndarray, idx: np.ndarray, times: np.ndarray, value: float
) -> AXSDesign:
    cov = prob.covariance(_spread(times, idx, cand.size))
    sigma = np.sqrt(np.einsum("qii->qi", cov)).T
    return AXSDesign(
        energies_eV=cand[idx],
        times_s=np.asarray(times, dtype=float),
        q=prob.q,
        pairs=prob.pairs,
        predicted_sigma=sigma,
        condition_number=prob.condition(idx),
        criterion=prob.criterion,
        objective=float(value),
        budget_s=float(np.sum(times) * prob.q.size),
    )


def evaluate_design(
    q: ArrayLike,
    composition: Mapping[str, float],
    energies_eV: ArrayLike,
    times_s: ArrayLike,
    factors: Sequence[Mapping[str, complex]],
    variance_rate: ArrayLike,
    *,
    criterion: str = "A",
    pair_weights: Mapping[str, float] | None = None,
    functional: tuple[str, ArrayLike] | None = None,
) -> AXSDesign:
    """Predictions (σ of S_ab(Q), condition number, criterion) for a given design:
    ``energies_eV`` (K,) with ``times_s`` (K,) counting time per Q point, ``factors`` and
    ``variance_rate`` (K × n_q, e.u.²·s) at those energies."""
    e = np.asarray(energies_eV, dtype=float)
    t = np.asarray(times_s, dtype=float)
    if e.shape != t.shape or e.ndim != 1 or np.any(t <= 0):
        raise ValueError("energies_eV and times_s must be 1-D of equal length, times > 0 (s)")
    prob = _problem(q, composition, factors, variance_rate, criterion, pair_weights, functional)
    if e.size < len(prob.pairs):
        raise ValueError(f"{len(prob.pairs)} partials need at least as many energies")
    idx = np.arange(e.size)
    return _design(prob, e, idx, t, prob.value_and_grad(t)[0])


