"""Bluesky document consumers of axsuite: thin layers over :mod:`axsuite.analysis`.

The same classes run live (subscribed to the RunEngine), remotely and on replay.
"""

from .base import AnalysisCallback, result_dict
from .edge import EdgeCallback, EdgeResult
from .live import ScanProgress

__all__ = ["AnalysisCallback", "EdgeCallback", "EdgeResult", "ScanProgress", "result_dict"]
