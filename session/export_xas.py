"""Edge-scan exports beyond XDI: Athena project files and NeXus NXxas.

* **Athena** (``.prj``): written by xraylarch's ``AthenaProject`` (optional extra
  ``axsuite[larch]``). The project format is Demeter's Perl-data dump with ~150 ``@args``
  entries that Athena expects; it has no published specification beyond Demeter/Larch's
  own code, so a hand-written writer would be a second, untested copy of Larch's. Each
  group carries our E0 and edge step; Athena/Larch recompute normalization on reading.
* **NeXus NXxas** (``.nxs``, HDF5 via h5py, extra ``axsuite[nexus]``), following the
  application definition (nexusformat/definitions ``applications/NXxas.nxdl.xml``):
  ``/entry`` (NXentry: ``title``, ``start_time``, ``definition = NXxas``),
  ``instrument/source`` (type, name, probe = x-ray), ``instrument/monochromator/energy``
  (eV), ``instrument/incoming_beam/data`` (I0 counts), ``instrument/absorbed_beam/data``
  (It counts, ``signal = 1``), ``sample/name``, ``monitor`` (mode timer, preset = dwell s,
  data = I0), and ``data`` (NXdata) linking ``energy`` and ``absorbed_beam``.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np


def _iso(t: float | None) -> str:
    return datetime.datetime.fromtimestamp(t or 0, tz=datetime.UTC).isoformat(timespec="seconds")


def write_athena(path: Path, *, scans: Sequence[Mapping[str, Any]]) -> Path:
    """Athena project of edge scans: each a mapping with ``label``, ``energy`` (eV), ``mu``,
    ``i0``, ``e0_eV``, ``edge_step``, ``element``, ``edge``. Needs xraylarch."""
    try:
        from larch import Group
        from larch.io.athena_project import AthenaProject
    except ImportError:
        raise ValueError("athena export needs xraylarch (pip install 'axsuite[larch]')") from None
    project = AthenaProject()
    for scan in scans:
        group = Group(
            __name__=scan["label"],
            filename=scan["label"],
            energy=np.asarray(scan["energy"], dtype=float),
            mu=np.asarray(scan["mu"], dtype=float),
            i0=np.asarray(scan["i0"], dtype=float),
            e0=float(scan["e0_eV"]),
            edge_step=float(scan["edge_step"]),
            atsym=scan["element"],
            edge=scan["edge"],
        )
        project.add_group(group)
    project.save(str(path), use_gzip=True)
    return path


def write_nxxas(
    path: Path, start: Mapping[str, Any], stop: Mapping[str, Any], data: Mapping[str, np.ndarray]
) -> Path:
    """NeXus NXxas file of one edge scan: ``data`` has ``energy`` (eV), ``i0``, ``it``
    (counts), ``dwell_s`` (s per point) and optionally ``mutrans``."""
    try:
        import h5py
    except ImportError:
        raise ValueError("nexus export needs h5py (pip install 'axsuite[nexus]')") from None

    mono = start.get("calibrations", {}).get("mono", {})
    with h5py.File(path, "w") as f:
        f.attrs["default"] = "entry"
        f.attrs["creator"] = f"axsuite {start.get('axsuite_version', '')}"
        entry = f.create_group("entry")
        entry.attrs["NX_class"] = "NXentry"
        entry.attrs["default"] = "data"
        entry["title"] = (
            f"{start['element']} {start['edge']} edge scan {start.get('scan_id')} ({start['uid']})"
        )
        entry["start_time"] = _iso(start.get("time"))
        entry["end_time"] = _iso(stop.get("time"))
        entry["definition"] = "NXxas"
        inst = entry.create_group("instrument")
        inst.attrs["NX_class"] = "NXinstrument"
        src = inst.create_group("source")
        src.attrs["NX_class"] = "NXsource"
        src["type"] = "Synchrotron X-ray Source"
        src["name"] = (
            f"axsuite simulated beamline (profile {start.get('profile', {}).get('name', '')})"
        )
        src["probe"] = "x-ray"
        mon = inst.create_group("monochromator")
        mon.attrs["NX_class"] = "NXmonochromator"
        energy = mon.create_dataset("energy", data=np.asarray(data["energy"], dtype=float))
        energy.attrs["units"] = "eV"
        energy.attrs["axis"] = 1
        if mono:
            crystal = mon.create_group("crystal")
            crystal.attrs["NX_class"] = "NXcrystal"
            crystal["usage"] = "Bragg"
            crystal["reflection"] = str(mono.get("crystal", ""))
            d = crystal.create_dataset("d_spacing", data=float(mono.get("d_spacing_A", np.nan)))
            d.attrs["units"] = "angstrom"
        for name, key in (("incoming_beam", "i0"), ("absorbed_beam", "it")):
            det = inst.create_group(name)
            det.attrs["NX_class"] = "NXdetector"
            ds = det.create_dataset("data", data=np.rint(data[key]).astype(np.int64))
            ds.attrs["units"] = "counts"
            if name == "absorbed_beam":
                ds.attrs["signal"] = 1
        sample = entry.create_group("sample")
        sample.attrs["NX_class"] = "NXsample"
        sample["name"] = str(start.get("sample", ""))
        formula = "".join(f"{el}{x:g}" for el, x in start.get("composition", {}).items())
        if formula:
            sample["chemical_formula"] = formula
        monitor = entry.create_group("monitor")
        monitor.attrs["NX_class"] = "NXmonitor"
        monitor["mode"] = "timer"
        preset = monitor.create_dataset("preset", data=float(np.median(data["dwell_s"])))
        preset.attrs["units"] = "s"
        monitor.create_dataset("data", data=np.rint(data["i0"]).astype(np.int64))
        nxdata = entry.create_group("data")
        nxdata.attrs["NX_class"] = "NXdata"
        nxdata.attrs["signal"] = "absorbed_beam"
        nxdata.attrs["axes"] = "energy"
        for name, target in (("energy", energy), ("absorbed_beam", inst["absorbed_beam/data"])):
            target.attrs["target"] = target.name  # NeXus link convention (hard link)
            nxdata[name] = target
    return path
