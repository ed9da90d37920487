"""The design problem: Faber–Ziman rows and variance rates per candidate energy, the
criterion (A, c, D) with its gradient in the counting times, and the design record."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from .. import xray
from ..axs import _composition, _grid, _pairs

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
    prior: np.ndarray | None = None  # (n_q, n_p, n_p): information already measured

    def subset(self, idx: np.ndarray) -> _Problem:
        return dataclasses.replace(
            self, w=self.w[idx], v=self.v[idx], cond_rows=self.cond_rows[idx]
        )

    def fisher(self, t: np.ndarray) -> np.ndarray:
        f = np.einsum("kq,kqi,kqj->qij", t[:, None] / self.v, self.w, self.w, optimize=True)
        if self.prior is not None:
            f = f + self.prior
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
    prior_information: ArrayLike | None = None,
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
    weights = _criterion_weights(criterion, qq, labels, pair_weights, functional)
    prior = None
    if prior_information is not None:
        prior = np.asarray(prior_information, dtype=float)
        if prior.shape != (qq.size, len(pairs), len(pairs)):
            raise ValueError(
                f"prior_information must be (n_q, n_pairs, n_pairs) = "
                f"{(qq.size, len(pairs), len(pairs))}, got {prior.shape}"
            )
    return _Problem(qq, pairs, w, v, w / mean[:, :, None], weights, criterion, prior)


def _criterion_weights(
    criterion: str,
    q: np.ndarray,
    labels: list[str],
    pair_weights: Mapping[str, float] | None,
    functional: tuple[str, ArrayLike] | None,
) -> np.ndarray:
    """(n_q × n_pairs) weights of the variances: λ_p for A (default 1), c_Q² on one pair
    for c, ones for D (unused)."""
    weights = np.ones((q.size, len(labels)))
    if criterion == "c":
        if functional is None:
            raise ValueError("criterion 'c' needs functional=(pair, coefficients per Q)")
        pair, coeff = functional
        if pair not in labels:
            raise ValueError(f"functional pair {pair!r} is not one of {labels}")
        c = np.asarray(coeff, dtype=float)
        if c.shape != q.shape:
            raise ValueError("functional coefficients must have the shape of q")
        weights = np.zeros_like(weights)
        weights[:, labels.index(pair)] = c**2
    elif pair_weights is not None:
        unknown = set(pair_weights) - set(labels)
        if unknown or any(float(x) < 0 for x in pair_weights.values()):
            raise ValueError(f"pair_weights need pairs from {labels} and weights ≥ 0")
        weights = np.tile([float(pair_weights.get(p, 0.0)) for p in labels], (q.size, 1))
    return weights


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
