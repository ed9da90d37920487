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
the multiplicative algorithm (on ≤ 100 of the Q points: it only places the energies); it is
rounded to K distinct energies (clusters of neighbouring candidates below one edge merged,
the K heaviest kept), the K times are re-optimised with L-BFGS-B (scipy) on every Q point
over a softmax parametrisation of the simplex (each energy keeps ≥ 10 %/K of the time),
and each energy is exchanged with its neighbouring candidates while that lowers the
criterion, the times then re-optimised.

Modules: :mod:`.problem` (criteria and the design record), :mod:`.optimise` (optimal and
given designs), :mod:`.inputs` (candidate energies, f′/f″, counting variances),
:mod:`.adaptive` (re-design from what was measured).
"""

from .adaptive import AdaptiveStep, MeasuredEnergy, adaptive_step
from .inputs import (
    DesignInputs,
    candidate_energies,
    counting_variance_rate,
    design_factors,
    design_inputs,
    habitual_energies,
    min_energy_for_q_eV,
    sample_edges_eV,
)
from .optimise import evaluate_design, optimal_design
from .problem import CRITERIA, MIN_SHARE, AXSDesign, coordination_functional

__all__ = [
    "CRITERIA",
    "MIN_SHARE",
    "AXSDesign",
    "AdaptiveStep",
    "DesignInputs",
    "MeasuredEnergy",
    "adaptive_step",
    "candidate_energies",
    "coordination_functional",
    "counting_variance_rate",
    "design_factors",
    "design_inputs",
    "evaluate_design",
    "habitual_energies",
    "min_energy_for_q_eV",
    "optimal_design",
    "sample_edges_eV",
]
