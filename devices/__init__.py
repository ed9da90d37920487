"""Simulated ophyd devices of the axsuite beamline; physics in :mod:`axsuite.devices.models`.

Public API: :func:`make_beamline` (profile → namespace of devices), :class:`DCM`,
:class:`IonChamber`, :class:`Discriminator`, :class:`RingCurrent`, :class:`SampleStage`,
:class:`Arm`, :class:`DwellTime`.
"""

from .beamline import make_beamline
from .detectors import Arm, Discriminator, DwellTime, IonChamber, RingCurrent, SampleStage
from .mono import DCM

__all__ = [
    "DCM",
    "Arm",
    "Discriminator",
    "DwellTime",
    "IonChamber",
    "RingCurrent",
    "SampleStage",
    "make_beamline",
]
