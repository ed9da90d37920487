"""Bluesky document consumers of axsuite: thin layers over :mod:`axsuite.analysis`.

The same classes run live (subscribed to the RunEngine), remotely and on replay.
"""

from .axs import AXSCallback, AXSResult
from .base import AnalysisCallback, result_dict
from .edge import EdgeCallback, EdgeResult
from .live import ScanProgress
from .stopping import StoppingCallback, StoppingResult

__all__ = [
    "AXSCallback",
    "AXSResult",
    "AnalysisCallback",
    "EdgeCallback",
    "EdgeResult",
    "ScanProgress",
    "StoppingCallback",
    "StoppingResult",
    "result_dict",
]
