"""Small pure physics models evaluated by the simulated devices (no ophyd import)."""
