"""Bluesky plans of axsuite. Each validates its inputs before yielding its first message.

Plans take the device namespace as ``beamline=`` (the session binds it).
"""

from .axs import axs_scan, validate_axs_scan
from .calibrate import calibrate_mono, validate_calibrate_mono
from .designed_axs import designed_axs_scan, validate_designed_axs
from .edge import DEFAULT_REGIONS, edge_scan, validate_edge_scan
from .powder import calibrate_instrument, powder_scan, validate_powder_scan
from .stopping import stopping_scan, validate_stopping_scan

__all__ = [
    "DEFAULT_REGIONS",
    "axs_scan",
    "calibrate_instrument",
    "calibrate_mono",
    "designed_axs_scan",
    "edge_scan",
    "powder_scan",
    "stopping_scan",
    "validate_axs_scan",
    "validate_calibrate_mono",
    "validate_designed_axs",
    "validate_edge_scan",
    "validate_powder_scan",
    "validate_stopping_scan",
]
