"""Pure analysis functions of axsuite (numpy/scipy/lmfit/xraylib/xraydb/gemmi only).

No Bluesky, ophyd or tiled import is allowed anywhere in this package.

Public modules (DESIGN §8 names live in the first of each group):

* ``constants`` (physical constants, unit conversions), ``xray`` (tables, Bragg's law,
  Q/2θ geometry, Compton energy), ``provenance`` (package version);
* ``absorption`` (XAS normalization, f'/f'' from μ, absorption and polarization factors)
  built on ``preedge`` (Larch-style normalization), ``mback`` (f'' matching), ``kk``
  (Kramers–Kronig transforms) and ``absfactors``;
* ``axs`` (differential and partial structure factors, g(r), coordination numbers) with
  ``axs_corrections`` (dead time, leakage, normalization, Compton subtraction);
* ``lineprofile`` (profiles, size/strain, texture), ``crystal`` (structure factors from
  the space group), ``refinement`` (whole-pattern refinement), ``readers`` (pattern files);
* ``stopping`` (ion stopping powers; a subpackage by subject, coefficient tables as data).
"""
