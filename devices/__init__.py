"""Simulated ophyd devices of the axsuite beamline; physics in :mod:`axsuite.devices.models`.

Public API: :func:`make_beamline` (profile → namespace of devices), :class:`DCM`,
:class:`IonChamber`, :class:`Discriminator`, :class:`RingCurrent`, :class:`SampleStage`,
:class:`Arm`, :class:`DwellTime`, :class:`ScatteringDetector`.
"""

from .beamline import make_beamline
from .detectors import Arm, Discriminator, DwellTime, IonChamber, RingCurrent, SampleStage
from .ionbeam import Foil, IonSource, ParticleDetector
from .mono import DCM
from .scattering import ScatteringDetector

__all__ = [
    "DCM",
    "Arm",
    "Discriminator",
    "DwellTime",
    "Foil",
    "IonChamber",
    "IonSource",
    "ParticleDetector",
    "RingCurrent",
    "SampleStage",
    "ScatteringDetector",
    "make_beamline",
]
