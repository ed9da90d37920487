"""Beamline profiles (YAML data), loaded by :mod:`axsuite.session.profile`."""
