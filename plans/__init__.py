"""Bluesky plans of axsuite. Each validates its inputs before yielding its first message.

Plans take the device namespace as ``beamline=`` (the session binds it).
"""

from .edge import DEFAULT_REGIONS, edge_scan, validate_edge_scan

__all__ = ["DEFAULT_REGIONS", "edge_scan", "validate_edge_scan"]
