"""Pure analysis functions of axsuite (numpy/scipy/lmfit/xraylib/xraydb/gemmi only).

No Bluesky, ophyd or tiled import is allowed anywhere in this package.

Modules: ``constants`` (physical constants, unit conversions), ``xray`` (tables, Bragg's
law, Q/2θ geometry), ``absorption`` (XAS normalization, f'/f'', absorption factors),
``axs`` (AXS structure factors), ``lineprofile`` (peak profiles, size/strain, texture),
``stopping`` (ion stopping powers).
"""
