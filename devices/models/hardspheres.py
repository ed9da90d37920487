"""Additive hard-sphere mixtures in the Percus–Yevick approximation: the AXS ground truth.

Partial structure factors of an n-component additive hard-sphere fluid from Baxter's
factorization of the Ornstein–Zernike equation with the analytic Percus–Yevick solution
(Lebowitz, Phys. Rev. 133, A895 (1964); Baxter, J. Chem. Phys. 52, 4559 (1970),
doi:10.1063/1.1673684), presented as Ashcroft–Langreth partials (Ashcroft & Langreth,
Phys. Rev. 156, 685 (1967), doi:10.1103/PhysRev.156.685) and converted to Faber–Ziman
partials (Faber & Ziman, Philos. Mag. 11, 153 (1965)). The one-component limit is the
Wertheim–Thiele solution (Wertheim, PRL 10, 321 (1963); Thiele, J. Chem. Phys. 39, 474
(1963)).

Public API
----------
HardSphereMixture : frozen model with ``partial_structure_factors(q)`` (Faber–Ziman),
    ``ashcroft_langreth(q)``, ``pair_distribution(r)``, ``coordination_numbers()``
percus_yevick_one_component(q_invA, diameter_A, packing) : analytic S(Q)
cu50zr50, cu64zr36 : the default and a second composition of the simulator
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from axsuite.analysis.xray import element_symbol
from numpy.typing import ArrayLike

#: Wave-vector grid used for the real-space truth (Å⁻¹): wide enough that the Lorch-damped
#: transform resolves the contact discontinuity to ≈ π/Q_max ≈ 0.03 Å.
_TRUTH_Q_MAX = 100.0
_TRUTH_DQ = 0.01


def percus_yevick_one_component(q_invA: ArrayLike, diameter_A: float, packing: float) -> np.ndarray:
    """Analytic Percus–Yevick S(Q) of one-component hard spheres (Wertheim 1963, Thiele 1963).

    ``q_invA`` in Å⁻¹, ``diameter_A`` σ in Å, ``packing`` η = πρσ³/6. With x = Qσ,
    ρĉ(x) = −24η/x⁶ [α x³(sin x − x cos x) + β x²(2x sin x − (x² − 2)cos x − 2)
    + γ((4x³ − 24x) sin x − (x⁴ − 12x² + 24) cos x + 24)], α = (1+2η)²/(1−η)⁴,
    β = −6η(1+η/2)²/(1−η)⁴, γ = ηα/2, and S = 1/(1 − ρĉ).
    """
    if diameter_A <= 0 or not 0 < packing < 1:
        raise ValueError("diameter must be positive (Å) and packing fraction in (0, 1)")
    x = np.atleast_1d(np.asarray(q_invA, dtype=float)) * diameter_A
    eta = packing
    alpha = (1 + 2 * eta) ** 2 / (1 - eta) ** 4
    beta = -6 * eta * (1 + eta / 2) ** 2 / (1 - eta) ** 4
    gamma = eta * alpha / 2
    out = np.empty_like(x)
    small = x < 0.05
    xs = x[small]
    # series of −ρĉ/(24η) for small x: ∫₀¹ u²(α + βu + γu³) sin(xu)/(xu) du to O(x⁴)
    m = [
        alpha / 3 + beta / 4 + gamma / 6,
        alpha / 5 + beta / 6 + gamma / 8,
        alpha / 7 + beta / 8 + gamma / 10,
    ]
    rc_small = -24 * eta * (m[0] - m[1] * xs**2 / 6 + m[2] * xs**4 / 120)
    xl = x[~small]
    s, c = np.sin(xl), np.cos(xl)
    bracket = (
        alpha * xl**3 * (s - xl * c)
        + beta * xl**2 * (2 * xl * s - (xl**2 - 2) * c - 2)
        + gamma * ((4 * xl**3 - 24 * xl) * s - (xl**4 - 12 * xl**2 + 24) * c + 24)
    )
    rc_large = -24 * eta * bracket / xl**6
    out[small] = 1.0 / (1.0 - rc_small)
    out[~small] = 1.0 / (1.0 - rc_large)
    return out if np.ndim(q_invA) else out[0]


def _poly_fourier(k: np.ndarray, lo: float, hi: float, p: tuple[float, float, float]) -> np.ndarray:
    """∫_lo^hi e^{ikr}(p0 + p1 r + p2 r²) dr for each k (closed form; Taylor series at small k)."""
    p0, p1, p2 = p
    out = np.empty(k.shape, dtype=complex)
    rmax = max(abs(lo), abs(hi), 1e-12)
    small = k * rmax < 1.0
    ks = k[small]
    if ks.size:
        acc = np.zeros(ks.shape, dtype=complex)
        term = np.ones(ks.shape, dtype=complex)
        for n in range(30):
            mom = sum(
                pc * (hi ** (n + j + 1) - lo ** (n + j + 1)) / (n + j + 1) for j, pc in enumerate(p)
            )
            acc += term * mom
            term = term * (1j * ks) / (n + 1)
        out[small] = acc
    kl = k[~small]
    if kl.size:
        ik = 1j * kl

        def anti(r: float) -> np.ndarray:
            poly = p0 + p1 * r + p2 * r * r
            d1 = p1 + 2 * p2 * r
            return np.exp(ik * r) * (poly / ik - d1 / ik**2 + 2 * p2 / ik**3)

        out[~small] = anti(hi) - anti(lo)
    return out


@dataclass(frozen=True)
class HardSphereMixture:
    """n-component additive hard-sphere fluid (Percus–Yevick), the AXS sample truth.

    Attributes
    ----------
    elements : element symbols, in the order of every matrix index
    fractions : atomic fractions c_a (sum 1)
    diameters_A : hard-sphere diameters σ_a in Å
    density_atoms_A3 : total number density ρ0 in atoms/Å³
    """

    elements: tuple[str, ...]
    fractions: tuple[float, ...]
    diameters_A: tuple[float, ...]
    density_atoms_A3: float
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        n = len(self.elements)
        if n < 1 or len(self.fractions) != n or len(self.diameters_A) != n:
            raise ValueError("elements, fractions and diameters must have the same non-zero length")
        object.__setattr__(self, "elements", tuple(element_symbol(e) for e in self.elements))
        if len(set(self.elements)) != n:
            raise ValueError(f"duplicate element in {self.elements}")
        c = np.asarray(self.fractions, dtype=float)
        if np.any(c <= 0) or abs(c.sum() - 1.0) > 1e-6:
            raise ValueError(
                f"atomic fractions must be positive and sum to 1, got {self.fractions}"
            )
        if np.any(np.asarray(self.diameters_A, dtype=float) <= 0):
            raise ValueError("hard-sphere diameters must be positive (Å)")
        if self.density_atoms_A3 <= 0:
            raise ValueError("number density must be positive (atoms/Å³)")
        object.__setattr__(self, "fractions", tuple(float(x) for x in c / c.sum()))
        object.__setattr__(self, "diameters_A", tuple(float(x) for x in self.diameters_A))
        if self.packing_fraction >= 0.64:
            raise ValueError(
                f"packing fraction {self.packing_fraction:.3f} is beyond random close packing"
            )

    @classmethod
    def from_packing(
        cls, composition: Mapping[str, float], diameters_A: Mapping[str, float], packing: float
    ) -> HardSphereMixture:
        """Mixture at packing fraction η = (π/6) ρ0 Σ c_a σ_a³ (density follows)."""
        if not 0 < packing < 0.64:
            raise ValueError("packing fraction must be in (0, 0.64)")
        els = tuple(composition)
        missing = [e for e in els if e not in diameters_A]
        if missing:
            raise ValueError(f"no hard-sphere diameter for {missing}")
        c = np.array([composition[e] for e in els], dtype=float)
        c = c / c.sum()
        s = np.array([diameters_A[e] for e in els], dtype=float)
        rho = packing / (np.pi / 6 * float(np.sum(c * s**3)))
        return cls(els, tuple(c), tuple(s), rho)

    @property
    def composition(self) -> dict[str, float]:
        """Element → atomic fraction."""
        return dict(zip(self.elements, self.fractions, strict=True))

    @property
    def packing_fraction(self) -> float:
        """η = (π/6) ρ0 Σ c_a σ_a³ (dimensionless)."""
        c = np.asarray(self.fractions)
        s = np.asarray(self.diameters_A)
        return float(np.pi / 6 * self.density_atoms_A3 * np.sum(c * s**3))

    @property
    def pairs(self) -> tuple[tuple[str, str], ...]:
        """Unordered pairs (a ≤ b) in matrix order, e.g. (("Cu","Cu"), ("Cu","Zr"), ("Zr","Zr"))."""
        n = len(self.elements)
        return tuple((self.elements[i], self.elements[j]) for i in range(n) for j in range(i, n))

    def ashcroft_langreth(self, q_invA: ArrayLike) -> np.ndarray:
        """Ashcroft–Langreth partials S_ab(Q) = δ_ab + √(ρ_aρ_b) h̃_ab(Q), shape (n_q, n, n).

        Baxter: I − ρ^½ Ĉ(k) ρ^½ = Q̂ᴴ(k) Q̂(k), Q̂_ab = δ_ab − 2π√(ρ_aρ_b) ∫ e^{ikr} Q_ab(r) dr
        over (σ_a − σ_b)/2 < r < σ_ab, Q_ab(r) = ½A_a(r² − σ_ab²) + B_a(r − σ_ab),
        A_a = (1 − ξ3 + 3σ_a ξ2)/(1 − ξ3)², B_a = −(3/2)σ_a² ξ2/(1 − ξ3)², ξ_m = (π/6)Σρ_cσ_c^m.
        """
        k = np.abs(np.atleast_1d(np.asarray(q_invA, dtype=float)))
        rho = self.density_atoms_A3 * np.asarray(self.fractions)
        sig = np.asarray(self.diameters_A)
        xi2 = np.pi / 6 * np.sum(rho * sig**2)
        xi3 = np.pi / 6 * np.sum(rho * sig**3)
        a = (1 - xi3 + 3 * sig * xi2) / (1 - xi3) ** 2
        b = -1.5 * sig**2 * xi2 / (1 - xi3) ** 2
        n = len(sig)
        qh = np.zeros((k.size, n, n), dtype=complex)
        for i in range(n):
            for j in range(n):
                big_r = 0.5 * (sig[i] + sig[j])
                lo = 0.5 * (sig[i] - sig[j])
                p = (-0.5 * a[i] * big_r**2 - b[i] * big_r, b[i], 0.5 * a[i])
                qh[:, i, j] = float(i == j) - 2 * np.pi * np.sqrt(rho[i] * rho[j]) * _poly_fourier(
                    k, lo, big_r, p
                )
        one_minus_c = np.conj(np.swapaxes(qh, 1, 2)) @ qh
        return np.linalg.inv(one_minus_c.real)

    def partial_structure_factors(self, q_invA: ArrayLike) -> np.ndarray:
        """Faber–Ziman partials S_ab(Q) = 1 + ρ0 h̃_ab(Q), shape (n, n, n_q)."""
        s_al = self.ashcroft_langreth(q_invA)
        c = np.asarray(self.fractions)
        fz = 1.0 + (s_al - np.eye(len(c))) / np.sqrt(np.outer(c, c))
        return np.moveaxis(fz, 0, -1)

    def partials_by_pair(self, q_invA: ArrayLike) -> np.ndarray:
        """Faber–Ziman partials for :attr:`pairs` (a ≤ b), shape (n_pairs, n_q)."""
        s = self.partial_structure_factors(q_invA)
        n = len(self.elements)
        return np.array([s[i, j] for i in range(n) for j in range(i, n)])

    def total_structure_factor(
        self, q_invA: ArrayLike, factors: Mapping[str, ArrayLike]
    ) -> np.ndarray:
        """Faber–Ziman total S(Q) = Σ c_a c_b Re(f_a f_b*) S_ab / |⟨f⟩|² for complex f_a(Q) (e⁻)."""
        s = self.partial_structure_factors(q_invA)
        c = np.asarray(self.fractions)
        f = [np.asarray(factors[e], dtype=complex) for e in self.elements]
        mean_f = sum(ci * fi for ci, fi in zip(c, f, strict=True))
        n = len(c)
        num = sum(
            c[i] * c[j] * np.real(f[i] * np.conj(f[j])) * s[i, j]
            for i in range(n)
            for j in range(n)
        )
        return num / np.abs(mean_f) ** 2

    def _truth_q(self) -> tuple[np.ndarray, np.ndarray]:
        if "truth_q" not in self._cache:
            q = np.arange(0.5 * _TRUTH_DQ, _TRUTH_Q_MAX, _TRUTH_DQ)
            self._cache["truth_q"] = (q, self.partial_structure_factors(q))
        return self._cache["truth_q"]

    def pair_distribution(self, r_A: ArrayLike) -> np.ndarray:
        """Partial pair distributions g_ab(r), shape (n, n, n_r), r in Å.

        g_ab(r) = 1 + (1/(2π²ρ0 r)) ∫ Q [S_ab(Q) − 1] M(Q) sin(Qr) dQ over 0 < Q < 100 Å⁻¹
        with the Lorch function M (Lorch, J. Phys. C 2, 229 (1969)) to suppress truncation
        ripples; the contact discontinuity is smeared over ≈ 0.03 Å.
        """
        r = np.atleast_1d(np.asarray(r_A, dtype=float))
        if np.any(r <= 0):
            raise ValueError("r must be positive (Å)")
        q, s = self._truth_q()
        weight = q * np.sinc(q / _TRUTH_Q_MAX) * _TRUTH_DQ
        kern = np.sin(np.outer(r, q)) * weight
        n = len(self.elements)
        g = np.empty((n, n, r.size))
        for i in range(n):
            for j in range(i, n):
                g[i, j] = 1.0 + kern @ (s[i, j] - 1.0) / (2 * np.pi**2 * self.density_atoms_A3 * r)
                g[j, i] = g[i, j]
        return g

    def first_minimum_A(self) -> np.ndarray:
        """Position (Å) of the first minimum after the main peak of each g_ab(r), shape (n, n)."""
        key = "rmin"
        if key not in self._cache:
            r = np.arange(0.01, 8.0, 0.005)
            g = self.pair_distribution(r)
            n = len(self.elements)
            out = np.empty((n, n))
            for i in range(n):
                for j in range(n):
                    ip = int(np.argmax(g[i, j]))
                    rise = np.nonzero(np.diff(g[i, j, ip:]) > 0)[0]
                    out[i, j] = r[ip + int(rise[0])]
            self._cache[key] = out
        return self._cache[key]

    def coordination_numbers(self, r_max_A: ArrayLike | None = None) -> np.ndarray:
        """N_ab = 4π ρ0 c_b ∫₀^{r_max} r² g_ab(r) dr (b atoms around an a atom), shape (n, n).

        ``r_max_A`` defaults to the first minimum of each g_ab (:meth:`first_minimum_A`).
        """
        rmax = (
            self.first_minimum_A()
            if r_max_A is None
            else np.broadcast_to(np.asarray(r_max_A, float), (len(self.elements),) * 2)
        )
        r = np.arange(0.0025, float(np.max(rmax)) + 0.0025, 0.0025)
        g = self.pair_distribution(r)
        c = np.asarray(self.fractions)
        n = len(c)
        out = np.empty((n, n))
        for i in range(n):
            for j in range(n):
                m = r <= rmax[i, j]
                out[i, j] = (
                    4
                    * np.pi
                    * self.density_atoms_A3
                    * c[j]
                    * np.trapezoid(r[m] ** 2 * g[i, j, m], r[m])
                )
        return out


def cu50zr50() -> HardSphereMixture:
    """Default AXS truth: Cu50Zr50, ρ0 = 0.0572 Å⁻³, σ_Cu = 2.244 Å, σ_Zr = 2.806 Å (η ≈ 0.50)."""
    return HardSphereMixture(("Cu", "Zr"), (0.5, 0.5), (2.244, 2.806), 0.0572)


def cu64zr36() -> HardSphereMixture:
    """Second composition: Cu64Zr36 with the same diameters at packing 0.50."""
    return HardSphereMixture.from_packing(
        {"Cu": 0.64, "Zr": 0.36}, {"Cu": 2.244, "Zr": 2.806}, 0.50
    )
