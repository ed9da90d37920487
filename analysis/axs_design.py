"""Optimal design of an AXS measurement: which energies, and how long at each.

The partial structure factors come from a linear least-squares problem per Q
(:func:`axsuite.analysis.axs.partial_structure_factors`): b_k(Q) = Σ_p W_kp(Q) x_p(Q) with
x_p = S_p − 1, W_kp = (2 − δ_ab) c_a c_b Re(f_a f_b*) at energy E_k, and counting variance
σ_k²(Q) = v_k(Q)/t_k (v_k: variance rate in e.u.²·s, t_k: counting time per Q point in s).
For counting times t the Fisher information per Q is

    F(Q; t) = Σ_k (t_k / v_k(Q)) w_k(Q) w_k(Q)ᵀ,   Cov[x(Q)] = F(Q; t)⁻¹,

and a design is a choice of energies and times with Σ_k t_k = budget. Criteria (Pukelsheim,
*Optimal Design of Experiments*, SIAM Classics 2006, ch. 6; Atkinson, Donev & Tobias,
*Optimum Experimental Designs, with SAS*, OUP 2007, ch. 10):

* ``"A"``: Σ_Q Σ_p λ_p [F(Q)⁻¹]_pp — the summed variance of S_ab(Q) over Q (λ_p = 1, or
  ``pair_weights``);
* ``"c"``: Σ_Q c_Q² [F(Q)⁻¹]_pp — the variance of one linear functional of one partial,
  e.g. a coordination number N_ab (:func:`coordination_functional`);
* ``"D"``: −Σ_Q ln det F(Q) — the volume of the confidence ellipsoids.

All three are convex in t. The continuous design over every candidate energy is found with
the multiplicative algorithm; it is rounded to K distinct energies (clusters of adjacent
candidates merged, the K heaviest kept), the K times are re-optimised with L-BFGS-B (scipy)
over a softmax parametrisation of the simplex (each energy keeps ≥ 10 %/K of the time),
and each energy is exchanged with its neighbouring candidates while that lowers the
criterion, the times then re-optimised.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize

from . import xray
from .axs import _composition, _grid, _pairs

CRITERIA = ("A", "c", "D")
#: Smallest share of the budget a chosen energy gets, divided by K.
MIN_SHARE = 0.1


@dataclass(frozen=True)
class AXSDesign:
    """A measurement design and what it predicts.

    ``energies_eV`` (K,), ``times_s`` (K,) counting time per Q point at each energy (s),
    ``q`` (Å⁻¹), ``pairs``, ``predicted_sigma`` (n_pairs × n_q) standard errors of S_ab(Q),
    ``condition_number`` (median over Q of the Faber–Ziman matrix rows divided by
    |⟨f⟩|², as in :func:`~axsuite.analysis.axs.partial_structure_factors`),
    ``criterion`` and its value ``objective``, ``budget_s`` = n_q · Σ t_k.
    """

    energies_eV: np.ndarray
    times_s: np.ndarray
    q: np.ndarray
    pairs: tuple[tuple[str, str], ...]
    predicted_sigma: np.ndarray
    condition_number: float
    criterion: str
    objective: float
    budget_s: float

    def as_dict(self) -> dict:
        """Plain-JSON form for start documents and reports (units in the keys)."""
        return {
            "energies_eV": [float(e) for e in self.energies_eV],
            "times_per_point_s": [float(t) for t in self.times_s],
            "criterion": self.criterion,
            "objective": float(self.objective),
            "condition_number": float(self.condition_number),
            "budget_s": float(self.budget_s),
            "pairs": ["-".join(p) for p in self.pairs],
            "predicted_rms_sigma": {
                "-".join(p): float(np.sqrt(np.mean(self.predicted_sigma[i] ** 2)))
                for i, p in enumerate(self.pairs)
            },
        }


@dataclass(frozen=True)
class _Problem:
    """Per-candidate weight rows and variance rates, and the criterion's weights."""

    q: np.ndarray
    pairs: tuple[tuple[str, str], ...]
    w: np.ndarray  # (n_cand, n_q, n_p): Faber–Ziman rows (2 − δ_ab) c_a c_b Re(f_a f_b*)
    v: np.ndarray  # (n_cand, n_q): variance rates, e.u.²·s
    cond_rows: np.ndarray  # (n_cand, n_q, n_p): rows of W / |⟨f⟩|²
    weights: np.ndarray  # (n_q, n_p) λ_p or c_Q² on the chosen pair
    criterion: str

    def subset(self, idx: np.ndarray) -> _Problem:
        return _Problem(
            self.q,
            self.pairs,
            self.w[idx],
            self.v[idx],
            self.cond_rows[idx],
            self.weights,
            self.criterion,
        )

    def fisher(self, t: np.ndarray) -> np.ndarray:
        f = np.einsum("kq,kqi,kqj->qij", t[:, None] / self.v, self.w, self.w, optimize=True)
        ridge = 1e-12 * np.trace(f, axis1=1, axis2=2)[:, None, None] / f.shape[1]
        return f + ridge * np.eye(f.shape[1])

    def value_and_grad(self, t: np.ndarray) -> tuple[float, np.ndarray]:
        """Criterion and its gradient in the times t (n_cand,)."""
        f = self.fisher(t)
        inv = np.linalg.inv(f)
        if self.criterion == "D":
            sign, logdet = np.linalg.slogdet(f)
            if np.any(sign <= 0):
                return np.inf, np.zeros_like(t)
            value, m = float(-logdet.sum()), inv
        else:
            lam_inv = self.weights[:, :, None] * inv  # Λ F⁻¹ (Λ diagonal per Q)
            value = float(np.einsum("qii->", lam_inv))
            m = np.einsum("qij,qjl->qil", inv, lam_inv)  # F⁻¹ Λ F⁻¹
        mw = np.einsum("qij,kqj->kqi", m, self.w, optimize=True)
        return value, -((mw * self.w).sum(axis=2) / self.v).sum(axis=1)

    def covariance(self, t: np.ndarray) -> np.ndarray:
        return np.linalg.inv(self.fisher(t))

    def condition(self, chosen: np.ndarray) -> float:
        rows = np.transpose(self.cond_rows[chosen], (1, 0, 2))
        sv = np.linalg.svd(rows, compute_uv=False)
        return float(np.median(sv[:, 0] / np.maximum(sv[:, -1], 1e-300)))


def _problem(
    q: ArrayLike,
    composition: Mapping[str, float],
    factors: Sequence[Mapping[str, complex]],
    variance_rate: ArrayLike,
    criterion: str,
    pair_weights: Mapping[str, float] | None,
    functional: tuple[str, ArrayLike] | None,
) -> _Problem:
    qq = _grid(q)
    comp = _composition(composition)
    pairs = tuple(_pairs(list(comp)))
    labels = ["-".join(p) for p in pairs]
    v = np.asarray(variance_rate, dtype=float)
    if v.shape != (len(factors), qq.size):
        raise ValueError(
            f"variance_rate must be (n_candidates={len(factors)}) × (n_q={qq.size}) in "
            f"e.u.²·s, got {v.shape}"
        )
    if np.any(~np.isfinite(v)) or np.any(v <= 0):
        raise ValueError("variance_rate must be finite and positive (e.u.²·s)")
    if criterion not in CRITERIA:
        raise ValueError(f"criterion must be one of {CRITERIA}, got {criterion!r}")
    els = list(comp)
    f0 = np.array([xray.f0(el, qq) for el in els])  # (a, q)
    try:
        anom = np.array([[complex(fac[el]) for el in els] for fac in factors])  # (k, a)
    except KeyError as exc:
        raise ValueError(f"no anomalous factors f' + i f'' for {exc.args[0]}") from None
    f = f0[None, :, :] + anom[:, :, None]  # (k, a, q)
    c = np.array([comp[el] for el in els])
    w = np.stack(
        [
            (1.0 if a == b else 2.0) * c[a] * c[b] * np.real(f[:, a] * np.conj(f[:, b]))
            for a, b in ((els.index(x), els.index(y)) for x, y in pairs)
        ],
        axis=-1,
    )  # (k, q, p)
    mean = np.abs(np.einsum("a,kaq->kq", c, f)) ** 2
    weights = np.ones((qq.size, len(pairs)))
    if criterion == "c":
        if functional is None:
            raise ValueError("criterion 'c' needs functional=(pair, coefficients per Q)")
        pair, coeff = functional
        if pair not in labels:
            raise ValueError(f"functional pair {pair!r} is not one of {labels}")
        c = np.asarray(coeff, dtype=float)
        if c.shape != qq.shape:
            raise ValueError("functional coefficients must have the shape of q")
        weights = np.zeros_like(weights)
        weights[:, labels.index(pair)] = c**2
    elif pair_weights is not None:
        unknown = set(pair_weights) - set(labels)
        if unknown or any(float(x) < 0 for x in pair_weights.values()):
            raise ValueError(f"pair_weights need pairs from {labels} and weights ≥ 0")
        weights = np.tile([float(pair_weights.get(p, 0.0)) for p in labels], (qq.size, 1))
    return _Problem(qq, pairs, w, v, w / mean[:, :, None], weights, criterion)


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


def _clusters(weights: np.ndarray, threshold: float) -> list[np.ndarray]:
    """Runs of adjacent candidates (index order) whose weight exceeds ``threshold``."""
    out, run = [], []
    for i, w in enumerate(weights):
        if w > threshold:
            run.append(i)
        elif run:
            out.append(np.array(run))
            run = []
    if run:
        out.append(np.array(run))
    return out


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
) -> AXSDesign:
    """Energies and counting times minimising ``criterion`` for a beam-time budget.

    ``candidates_eV`` (n_cand,) energies allowed (see :func:`candidate_energies`), sorted;
    ``factors`` one mapping element → f' + i f'' (electrons) per candidate; ``variance_rate``
    (n_cand × n_q) v_k(Q) in e.u.²·s so that σ_k²(Q) = v_k(Q)/t_k
    (:func:`counting_variance_rate`); ``budget_s`` total counting time in s over all
    energies and Q points (t_k per point: Σ_k t_k = budget/n_q); ``n_energies`` K (default:
    as many as the continuous optimum supports, at least n_pairs). See the module docstring
    for the criteria.
    """
    cand = np.asarray(candidates_eV, dtype=float)
    if cand.ndim != 1 or cand.size != len(factors) or np.any(np.diff(cand) <= 0):
        raise ValueError("candidates_eV must be increasing, one per mapping in factors (eV)")
    if not np.isfinite(budget_s) or budget_s <= 0:
        raise ValueError(f"budget_s must be a positive time in s, got {budget_s}")
    prob = _problem(q, composition, factors, variance_rate, criterion, pair_weights, functional)
    n_p = len(prob.pairs)
    if cand.size < n_p:
        raise ValueError(f"{n_p} partials need at least {n_p} candidate energies, got {cand.size}")
    if n_energies is not None and not n_p <= int(n_energies) <= cand.size:
        raise ValueError(
            f"n_energies must be between the number of partials ({n_p}) and the number of "
            f"candidates ({cand.size}), got {n_energies}"
        )
    per_point = budget_s / prob.q.size
    weights = _continuous_design(prob)
    groups = _clusters(weights, 1e-3)
    groups.sort(key=lambda g: -weights[g].sum())
    k = max(n_p, len(groups)) if n_energies is None else int(n_energies)
    chosen = [int(g[np.argmax(weights[g])]) for g in groups[:k]]
    while len(chosen) < k:  # more energies than the optimum supports: add the most useful
        cur = np.array(sorted(chosen))
        gain = -prob.value_and_grad(_spread(_optimise_times(prob, cur, per_point), cur, cand.size))[
            1
        ]
        gain[np.abs(np.arange(cand.size)[:, None] - cur[None, :]).min(axis=1) <= 1] = -np.inf
        chosen.append(
            int(np.argmax(gain))
            if np.isfinite(gain.max())
            else int(np.argmin(np.where(np.isin(np.arange(cand.size), cur), np.inf, -weights)))
        )
    idx = np.array(sorted(chosen))
    times = _optimise_times(prob, idx, per_point)
    best = prob.value_and_grad(_spread(times, idx, cand.size))[0]
    for _ in range(20):  # exchange each energy with a neighbouring candidate, times kept
        improved = False
        for j in range(idx.size):
            for step in (-1, 1):
                trial = idx.copy()
                trial[j] += step
                if not 0 <= trial[j] < cand.size or trial[j] in idx:
                    continue
                val = prob.value_and_grad(_spread(times, trial, cand.size))[0]
                if val < best * (1 - 1e-9):
                    idx, best, improved = trial, val, True
        if not improved:
            break
    order = np.argsort(idx)
    idx = idx[order]
    times = _optimise_times(prob, idx, per_point)
    best = prob.value_and_grad(_spread(times, idx, cand.size))[0]
    return _design(prob, cand, idx, times, best)


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


def coordination_functional(
    q: ArrayLike, fraction_b: float, r_min_A: float, r_max_A: float
) -> np.ndarray:
    """Coefficients c_Q with N_ab = N_ab(S ≡ 1) + Σ_Q c_Q (S_ab(Q) − 1) (trapezoid in Q).

    From N_ab = 4πρ0 c_b ∫ r² g_ab dr and g = 1 + (2π²ρ0 r)⁻¹ ∫ Q (S − 1) sin(Qr) dQ:
    c_Q = (2 c_b/π) Q ΔQ ∫_{r_min}^{r_max} r sin(Qr) dr (ρ0 cancels; Å⁻¹, Å).
    """
    qq = _grid(q)
    if not 0 < fraction_b <= 1 or not 0 <= r_min_A < r_max_A:
        raise ValueError("need 0 < fraction_b ≤ 1 and 0 ≤ r_min_A < r_max_A (Å)")
    dq = np.empty_like(qq)
    dq[1:-1] = 0.5 * (qq[2:] - qq[:-2])
    dq[0] = 0.5 * (qq[1] - qq[0])
    dq[-1] = 0.5 * (qq[-1] - qq[-2])
    qs = np.maximum(qq, 1e-12)

    def antideriv(r: float) -> np.ndarray:
        return (np.sin(qs * r) - qs * r * np.cos(qs * r)) / qs**2

    return 2 * fraction_b / np.pi * qq * dq * (antideriv(r_max_A) - antideriv(r_min_A))
