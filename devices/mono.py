"""Double-crystal monochromator: ``energy`` (eV) pseudo axis over a ``bragg`` (deg) axis.

Bragg's law lives in one place, :func:`axsuite.analysis.xray.bragg_energy_eV` /
:func:`~axsuite.analysis.xray.bragg_angle_deg`; forward and inverse both call it.

Calibration: the control system commands ``bragg = θ(E) − offset``. The simulated crystals
sit at ``bragg + true_offset_deg`` (hidden simulation truth), so the photon energy that
really reaches the sample is :meth:`DCM.delivered_energy_eV`; it equals the nominal energy
when ``offset == true_offset_deg`` (what ``calibrate_mono`` establishes).
"""

from __future__ import annotations

from axsuite.analysis.xray import bragg_angle_deg, bragg_energy_eV
from ophyd import Component as Cpt
from ophyd import Kind, PseudoPositioner, PseudoSingle, Signal, SoftPositioner
from ophyd.pseudopos import pseudo_position_argument, real_position_argument


class DCM(PseudoPositioner):
    """Si(111) double-crystal monochromator (energy in eV, Bragg angle in deg)."""

    energy = Cpt(PseudoSingle, limits=(4500.0, 30000.0), egu="eV", kind=Kind.hinted)
    bragg = Cpt(SoftPositioner, init_pos=20.0, egu="deg", kind=Kind.normal)
    d_spacing = Cpt(Signal, value=3.1356, kind=Kind.config)
    offset = Cpt(Signal, value=0.0, kind=Kind.config)
    calibration_date = Cpt(Signal, value="", kind=Kind.config)
    #: uid of the edge scan that set ``offset`` ("" while the profile's value is in use)
    calibration_run = Cpt(Signal, value="", kind=Kind.config)
    bandwidth = Cpt(Signal, value=1.4e-4, kind=Kind.config)

    def __init__(self, *args, true_offset_deg: float = 0.0, energy_limits_eV=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.true_offset_deg = float(true_offset_deg)
        if energy_limits_eV is not None:
            self.energy._limits = tuple(float(x) for x in energy_limits_eV)

    @pseudo_position_argument
    def forward(self, pseudo_pos):
        """Energy (eV) → commanded Bragg angle (deg)."""
        theta = bragg_angle_deg(pseudo_pos.energy, self.d_spacing.get())
        return self.RealPosition(bragg=float(theta) - self.offset.get())

    @real_position_argument
    def inverse(self, real_pos):
        """Commanded Bragg angle (deg) → nominal energy (eV)."""
        energy = bragg_energy_eV(real_pos.bragg + self.offset.get(), self.d_spacing.get())
        return self.PseudoPosition(energy=float(energy))

    def delivered_energy_eV(self) -> float:
        """Photon energy (eV) that the crystals really pass: simulation truth."""
        theta = self.bragg.position + self.true_offset_deg
        return float(bragg_energy_eV(theta, self.d_spacing.get()))

    @property
    def energy_limits_eV(self) -> tuple[float, float]:
        """(low, high) energy limits in eV."""
        return tuple(self.energy.limits)
