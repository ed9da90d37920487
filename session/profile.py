"""Beamline profiles: YAML data loaded with ``yaml.safe_load`` into validated frozen dataclasses.

A profile is pure data (DESIGN §9). ``load_profile(name_or_path)`` reads a YAML file (a
bare name like ``"default"`` means ``axsuite/profiles/<name>.yaml``), merges it over the
profile it ``extends`` (recursively, mappings merged key by key), and validates it against
the dataclasses below: an unknown key, a missing key or a value of the wrong type or range
raises :class:`ProfileError` naming the dotted key, e.g. ``mono.d_spacing_A``.

To add a section: define a frozen dataclass here and add a field (with a default if the
section is optional) to :class:`Profile`. Field types drive validation; a ``__post_init__``
may add range checks by raising ``ValueError`` (the loader prefixes the key).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import axsuite.profiles
import yaml

PROFILE_DIR = Path(axsuite.profiles.__file__).parent


class ProfileError(ValueError):
    """A profile is malformed; the message names the offending key."""


# --------------------------------------------------------------------------- sections
@dataclasses.dataclass(frozen=True)
class MonoConfig:
    """Double-crystal monochromator. Energies in eV, angles in deg."""

    crystal: str
    d_spacing_A: float
    calibration_date: str
    energy_min_eV: float
    energy_max_eV: float
    bandwidth: float = 1.4e-4
    offset_deg: float = 0.0
    true_offset_deg: float = 0.0
    settle_s: float = 0.0

    def __post_init__(self) -> None:
        if self.d_spacing_A <= 0:
            raise ValueError("d_spacing_A must be positive (Å)")
        if not 0 < self.energy_min_eV < self.energy_max_eV:
            raise ValueError("need 0 < energy_min_eV < energy_max_eV")
        if not 0 < self.bandwidth < 0.01:
            raise ValueError("bandwidth ΔE/E must be in (0, 0.01)")


@dataclasses.dataclass(frozen=True)
class SourceConfig:
    """Photon source: flux on the sample at the nominal ring current, ring current in mA."""

    flux_ph_s: float
    polarization_h: float = 0.98
    ring_current_mA: float = 400.0
    dump_threshold_mA: float = 100.0
    refill_threshold_mA: float = 350.0

    def __post_init__(self) -> None:
        if self.flux_ph_s <= 0 or self.ring_current_mA <= 0:
            raise ValueError("flux_ph_s and ring_current_mA must be positive")
        if not 0 <= self.polarization_h <= 1:
            raise ValueError("polarization_h must be within [0, 1]")


@dataclasses.dataclass(frozen=True)
class IonChamberConfig:
    """Gas ion chamber: fill gas (molecule formula → volume fraction), active length in cm."""

    gas: dict[str, float]
    length_cm: float
    pressure_atm: float = 1.0
    temperature_K: float = 293.15

    def __post_init__(self) -> None:
        if self.length_cm <= 0 or self.pressure_atm <= 0 or self.temperature_K <= 0:
            raise ValueError("length_cm, pressure_atm and temperature_K must be positive")
        if not self.gas or any(v <= 0 for v in self.gas.values()):
            raise ValueError("gas needs at least one molecule with a positive volume fraction")
        if abs(sum(self.gas.values()) - 1.0) > 1e-6:
            raise ValueError("gas volume fractions must sum to 1")


@dataclasses.dataclass(frozen=True)
class RoiWindow:
    """A discriminator window in eV (absolute line energies) for one element/edge."""

    low_eV: float
    high_eV: float

    def __post_init__(self) -> None:
        if not 0 < self.low_eV < self.high_eV:
            raise ValueError("need 0 < low_eV < high_eV")


@dataclasses.dataclass(frozen=True)
class DiscriminatorConfig:
    """SDD + MCA: resolution FWHM(E) = sqrt(noise² + 2.3548²·ε·F·E), windows, dead time."""

    noise_fwhm_eV: float
    fano: float
    pair_energy_eV: float
    dead_time_s: float
    solid_angle_sr: float
    n_channels: int
    ev_per_channel: float
    elastic_halfwidth_fwhm: float
    compton_halfwidth_eV: float
    two_theta_deg: float
    rois: dict[str, RoiWindow]
    phi_deg: float = 0.0
    doppler_fraction: float = 0.015
    saturation_dead_fraction: float = 0.5

    def __post_init__(self) -> None:
        if self.noise_fwhm_eV < 0 or not 0 < self.fano < 1 or self.pair_energy_eV <= 0:
            raise ValueError("need noise_fwhm_eV ≥ 0, 0 < fano < 1, pair_energy_eV > 0")
        if self.dead_time_s < 0 or self.solid_angle_sr <= 0 or self.n_channels < 16:
            raise ValueError("need dead_time_s ≥ 0, solid_angle_sr > 0, n_channels ≥ 16")


@dataclasses.dataclass(frozen=True)
class SampleConfig:
    """A sample or foil: composition (formula or element → atomic fraction), mass density
    in g/cm³, thickness in cm, role ``foil`` | ``transmission`` | ``scattering``."""

    composition: str | dict[str, float]
    density_g_cm3: float
    thickness_cm: float
    kind: str = "foil"
    description: str = ""

    def __post_init__(self) -> None:
        if self.density_g_cm3 <= 0 or self.thickness_cm <= 0:
            raise ValueError("density_g_cm3 and thickness_cm must be positive")
        if self.kind not in ("foil", "transmission", "scattering"):
            raise ValueError("kind must be foil, transmission or scattering")


@dataclasses.dataclass(frozen=True)
class ArmConfig:
    """2θ arm: limits in deg, settle time in s."""

    two_theta_min_deg: float
    two_theta_max_deg: float
    settle_s: float = 0.0

    def __post_init__(self) -> None:
        if not -180 <= self.two_theta_min_deg < self.two_theta_max_deg <= 180:
            raise ValueError("need -180 ≤ two_theta_min_deg < two_theta_max_deg ≤ 180")


@dataclasses.dataclass(frozen=True)
class IonFoilConfig:
    """A stopping foil: formula, areal density in 10¹⁵ atoms/cm², and the simulator's true
    mean excitation energy in eV (None: the tabulated value; elemental foils only)."""

    formula: str
    areal_density_1e15_cm2: float
    true_mean_excitation_eV: float | None = None

    def __post_init__(self) -> None:
        if self.areal_density_1e15_cm2 <= 0:
            raise ValueError("areal_density_1e15_cm2 must be positive")
        if self.true_mean_excitation_eV is not None and self.true_mean_excitation_eV <= 0:
            raise ValueError("true_mean_excitation_eV must be positive (eV)")


@dataclasses.dataclass(frozen=True)
class IonBeamConfig:
    """Ion beam line (DESIGN §5): source species and energy range (MeV), energy spread and
    detector resolution (FWHM, keV), detected rate (1/s), effective-charge model of the
    simulator, foils by name and the foil loaded at start."""

    ion: str
    energy_min_MeV: float
    energy_max_MeV: float
    foils: dict[str, IonFoilConfig]
    foil: str
    energy_spread_fwhm_keV: float = 5.0
    detector_fwhm_keV: float = 12.0
    rate_per_s: float = 2.0e4
    charge_model: str = "brandt-kitagawa"

    def __post_init__(self) -> None:
        if not 0 < self.energy_min_MeV < self.energy_max_MeV:
            raise ValueError("need 0 < energy_min_MeV < energy_max_MeV")
        if self.energy_spread_fwhm_keV < 0 or self.detector_fwhm_keV <= 0 or self.rate_per_s <= 0:
            raise ValueError(
                "need energy_spread_fwhm_keV ≥ 0, detector_fwhm_keV > 0 and rate_per_s > 0"
            )
        if self.foil not in self.foils:
            raise ValueError(f"foil {self.foil!r} is not one of the foils {sorted(self.foils)}")
        if self.charge_model not in ("brown-moak", "anthony-lanford", "brandt-kitagawa"):
            raise ValueError("charge_model must be brown-moak, anthony-lanford or brandt-kitagawa")


@dataclasses.dataclass(frozen=True)
class AXSSampleConfig:
    """An AXS plate (simulation truth: additive hard spheres, Percus–Yevick): composition
    (element → atomic fraction), number density ρ0 in atoms/Å³ and/or packing fraction η
    (consistent within 1 % if both), hard-sphere diameters in Å, thickness in cm, geometry
    ``reflection`` (flat plate, symmetric)."""

    composition: dict[str, float]
    diameters_A: dict[str, float]
    thickness_cm: float
    density_atoms_A3: float | None = None
    packing: float | None = None
    geometry: str = "reflection"
    description: str = ""

    def __post_init__(self) -> None:
        if not self.composition or any(v <= 0 for v in self.composition.values()):
            raise ValueError("composition needs positive atomic fractions")
        if abs(sum(self.composition.values()) - 1.0) > 1e-6:
            raise ValueError("composition atomic fractions must sum to 1")
        missing = sorted(set(self.composition) - set(self.diameters_A))
        if missing or any(v <= 0 for v in self.diameters_A.values()):
            raise ValueError(f"diameters_A needs a positive diameter (Å) for {missing or 'all'}")
        if self.thickness_cm <= 0:
            raise ValueError("thickness_cm must be positive")
        if self.density_atoms_A3 is None and self.packing is None:
            raise ValueError("give density_atoms_A3 (atoms/Å³) or packing")
        if self.density_atoms_A3 is not None and self.density_atoms_A3 <= 0:
            raise ValueError("density_atoms_A3 must be positive")
        if self.packing is not None and not 0 < self.packing < 0.64:
            raise ValueError("packing must be in (0, 0.64)")
        if self.density_atoms_A3 is not None and self.packing is not None:
            eta = self.packing_from_density()
            if abs(eta / self.packing - 1.0) > 0.01:
                raise ValueError(
                    f"density_atoms_A3 gives packing {eta:.4f}, not {self.packing} (1 % tolerance)"
                )
        if self.geometry != "reflection":
            raise ValueError("geometry must be reflection (flat plate, symmetric)")

    def packing_from_density(self) -> float:
        """η = (π/6) ρ0 Σ c_a σ_a³ (requires density_atoms_A3)."""
        s3 = sum(c * self.diameters_A[e] ** 3 for e, c in self.composition.items())
        return 3.141592653589793 / 6.0 * float(self.density_atoms_A3 or 0.0) * s3

    def number_density_atoms_A3(self) -> float:
        """ρ0 in atoms/Å³: the given density, else from the packing, ρ0 = η/((π/6) Σ c_a σ_a³)."""
        if self.density_atoms_A3 is not None:
            return float(self.density_atoms_A3)
        s3 = sum(c * self.diameters_A[e] ** 3 for e, c in self.composition.items())
        return float(self.packing or 0.0) / (3.141592653589793 / 6.0 * s3)


@dataclasses.dataclass(frozen=True)
class AXSConfig:
    """Anomalous scattering station: AXS plates by name and the one mounted at start, the
    scattering detector on the 2θ arm (SDD with the discriminator's response and windows)
    with its solid angle in sr, scattering-plane azimuth φ in deg (90: vertical plane),
    polarized fraction (None: the source's), flat background (counts/s/eV) and the default
    dwell per Q point in s."""

    samples: dict[str, AXSSampleConfig]
    sample: str
    solid_angle_sr: float
    phi_deg: float = 90.0
    polarization_h: float | None = None
    background_cps_per_eV: float = 0.0
    dwell_s: float = 90.0

    def __post_init__(self) -> None:
        if self.sample not in self.samples:
            raise ValueError(f"sample {self.sample!r} is not one of {sorted(self.samples)}")
        if not 0 < self.solid_angle_sr < 4 * 3.141592653589793:
            raise ValueError("solid_angle_sr must be in (0, 4π)")
        if self.polarization_h is not None and not 0 <= self.polarization_h <= 1:
            raise ValueError("polarization_h must be within [0, 1]")
        if self.background_cps_per_eV < 0 or self.dwell_s <= 0:
            raise ValueError("need background_cps_per_eV ≥ 0 and dwell_s > 0")


@dataclasses.dataclass(frozen=True)
class CatalogConfig:
    """Storage: ``uri`` None → embedded SQLite catalog in the data directory; otherwise a
    tiled server URI (API key from the environment variable named in ``api_key_env``).
    ``batch_size``: events per catalog write; ``spool``: keep a local JSONL copy of runs the
    catalog failed to take (TiledWriter backup directory)."""

    uri: str | None = None
    api_key_env: str = "TILED_API_KEY"
    batch_size: int = 100
    spool: bool = True

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError("batch_size must be ≥ 1 (events per write)")


@dataclasses.dataclass(frozen=True)
class StreamingConfig:
    """Documents streamed to remote analysis workers (DESIGN §11): ``publish`` is a 0MQ
    proxy's IN port ``zmq://host:port`` or a NATS server ``nats://host:port`` (None: no
    streaming); ``prefix`` the topic (0MQ) or stream/subject root (NATS);
    ``local_analysis`` False leaves the analyses to ``axs worker`` processes."""

    publish: str | None = None
    prefix: str = "axsuite"
    local_analysis: bool = True

    def __post_init__(self) -> None:
        from .worker import check_name, parse_stream_address

        if self.publish is not None:
            parse_stream_address(self.publish)
        check_name(self.prefix, "prefix")
        if not self.local_analysis and self.publish is None:
            raise ValueError("local_analysis: false needs publish (else nothing analyses the runs)")


@dataclasses.dataclass(frozen=True)
class NearEdgeConfig:
    """Simulation truth of one element's edge (devices/models/nearedge.py): white-line
    height (fraction of the edge jump), its offset above the edge and FWHM in eV, the
    core-hole width in eV (None: xraylib level width) and a scale of the EXAFS amplitudes."""

    edge: str = "K"
    white_line_height: float = 0.4
    white_line_offset_eV: float = 6.0
    white_line_width_eV: float = 5.0
    core_hole_width_eV: float | None = None
    exafs_scale: float = 1.0

    def __post_init__(self) -> None:
        if self.white_line_height < 0 or self.white_line_width_eV <= 0:
            raise ValueError("need white_line_height ≥ 0 and white_line_width_eV > 0")
        if self.exafs_scale < 0:
            raise ValueError("exafs_scale must be ≥ 0")


@dataclasses.dataclass(frozen=True)
class PowderSampleConfig:
    """A powder sample of the simulated diffractometer (simulation truth): ``structure``
    (inline: name, spacegroup, cell, sites) or ``cif`` (path), crystallite size in Å (None:
    no size broadening), Lorentzian and Gaussian microstrain, March–Dollase r about
    ``texture_axis`` (hkl), relative scale."""

    structure: dict[str, Any] | None = None
    cif: str | None = None
    size_A: float | None = None
    strain: float = 0.0
    strain_gaussian: float = 0.0
    march_dollase_r: float = 1.0
    texture_axis: list[int] = dataclasses.field(default_factory=lambda: [0, 0, 1])
    scale: float = 1.0
    description: str = ""

    def spec(self) -> dict[str, Any]:
        """Mapping for :func:`axsuite.devices.models.powder.phase_from_spec`."""
        keys = ("size_A", "strain", "strain_gaussian", "march_dollase_r", "texture_axis", "scale")
        out = {k: getattr(self, k) for k in keys}
        out.update({"structure": self.structure} if self.structure else {"cif": self.cif})
        return out

    def __post_init__(self) -> None:
        from axsuite.devices.models.powder import phase_from_spec

        phase_from_spec(self.spec())


@dataclasses.dataclass(frozen=True)
class PowderConfig:
    """Powder diffraction on the 2θ arm: samples by name and the mounted one, the standard
    used by ``calibrate_instrument``, the simulated instrument's true Caglioti U, V, W (deg²)
    and X, Y (deg), count-rate scale (counts/s per unit of m|F|²LP), Chebyshev background
    (counts/s), default scan (energy eV, 2θ [start, stop, step] deg, dwell s) and an optional
    stored instrument calibration (U, V, W, X, Y, wavelength_A, standard, date)."""

    samples: dict[str, PowderSampleConfig]
    sample: str
    instrument: dict[str, float]
    standard: str = "LaB6"
    counts_scale: float = 0.01
    background: list[float] = dataclasses.field(default_factory=lambda: [50.0])
    energy_eV: float = 17000.0
    two_theta: list[float] = dataclasses.field(default_factory=lambda: [8.0, 40.0, 0.01])
    dwell_s: float = 1.0
    calibration: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        for name in (self.sample, self.standard):
            if name not in self.samples:
                raise ValueError(f"powder sample {name!r} is not one of {sorted(self.samples)}")
        if set(self.instrument) != {"U", "V", "W", "X", "Y"}:
            raise ValueError("instrument needs exactly U, V, W (deg²), X, Y (deg)")
        if self.counts_scale <= 0 or self.dwell_s <= 0 or self.energy_eV <= 0:
            raise ValueError("counts_scale, dwell_s and energy_eV must be positive")
        if len(self.two_theta) != 3 or self.two_theta[2] <= 0:
            raise ValueError("two_theta must be [start, stop, step] (deg) with step > 0")


@dataclasses.dataclass(frozen=True)
class Profile:
    """A whole beamline profile (DESIGN §9)."""

    name: str
    seed: int
    data_dir: str
    mono: MonoConfig
    source: SourceConfig
    ion_chambers: dict[str, IonChamberConfig]
    discriminator: DiscriminatorConfig
    arm: ArmConfig
    samples: dict[str, SampleConfig]
    reference_foils: dict[str, str]
    catalog: CatalogConfig = dataclasses.field(default_factory=CatalogConfig)
    streaming: StreamingConfig = dataclasses.field(default_factory=StreamingConfig)
    ion_beam: IonBeamConfig | None = None
    axs: AXSConfig | None = None
    powder: PowderConfig | None = None
    nearedge: dict[str, NearEdgeConfig] = dataclasses.field(default_factory=dict)
    extends: str | None = None
    content_hash: str = ""

    def __post_init__(self) -> None:
        for needed in ("I0", "It", "Iref"):
            if needed not in self.ion_chambers:
                raise ValueError(f"ion_chambers needs an entry {needed!r}")
        for element, sample in self.reference_foils.items():
            if sample not in self.samples:
                raise ValueError(f"reference_foils.{element} names unknown sample {sample!r}")


# --------------------------------------------------------------------------- loading
def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", str(tp))


def _convert(value: Any, tp: Any, key: str) -> Any:
    """Convert/validate ``value`` against type hint ``tp``; ProfileError names ``key``."""
    origin = typing.get_origin(tp)
    if tp is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(value, arg, key)
            except ProfileError as exc:
                errors.append(str(exc))
        raise ProfileError(errors[-1] if errors else f"{key}: invalid value {value!r}")
    if origin is dict:
        ktp, vtp = typing.get_args(tp)
        if not isinstance(value, Mapping):
            raise ProfileError(f"{key}: expected a mapping, got {type(value).__name__}")
        return {_convert(k, ktp, key): _convert(v, vtp, f"{key}.{k}") for k, v in value.items()}
    if origin is list:
        (etp,) = typing.get_args(tp)
        if not isinstance(value, list):
            raise ProfileError(f"{key}: expected a list, got {type(value).__name__}")
        return [_convert(v, etp, f"{key}[{i}]") for i, v in enumerate(value)]
    if dataclasses.is_dataclass(tp):
        return _build(tp, value, key)
    if tp is float:
        if isinstance(value, str):
            try:
                value = float(value)
            except ValueError:
                raise ProfileError(f"{key}: expected a number, got {value!r}") from None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ProfileError(f"{key}: expected a number, got {value!r}")
        return float(value)
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ProfileError(f"{key}: expected an integer, got {value!r}")
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise ProfileError(f"{key}: expected true/false, got {value!r}")
        return value
    if tp is str:
        if not isinstance(value, (str, int, float)) or isinstance(value, bool):
            raise ProfileError(f"{key}: expected text, got {value!r}")
        return str(value)
    raise ProfileError(f"{key}: unsupported type {_type_name(tp)}")


def _build(cls: type, data: Any, key: str) -> Any:
    """Build dataclass ``cls`` from mapping ``data`` with strict key checking."""
    if not isinstance(data, Mapping):
        raise ProfileError(f"{key or 'profile'}: expected a mapping, got {type(data).__name__}")
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    prefix = f"{key}." if key else ""
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ProfileError(f"{prefix}{unknown[0]}: unknown key (allowed: {', '.join(fields)})")
    kwargs = {}
    for name, field in fields.items():
        if name in data:
            kwargs[name] = _convert(data[name], hints[name], f"{prefix}{name}")
        elif field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            raise ProfileError(f"{prefix}{name}: missing required key")
    try:
        return cls(**kwargs)
    except ValueError as exc:
        raise ProfileError(f"{key or 'profile'}: {exc}") from None


def _merge(base: dict, over: Mapping) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, Mapping) and isinstance(out.get(k), dict) else v
    return out


def _resolve(name_or_path: str | Path) -> Path:
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") or p.exists():
        if not p.exists():
            raise ProfileError(f"profile file {str(p)!r} does not exist")
        return p
    builtin = PROFILE_DIR / f"{name_or_path}.yaml"
    if not builtin.is_file():
        raise ProfileError(f"unknown profile {str(name_or_path)!r} (no built-in profile or file)")
    return builtin


def _read_raw(name_or_path: str | Path, seen: tuple[str, ...] = ()) -> dict:
    path = _resolve(name_or_path)
    if str(path) in seen:
        raise ProfileError(f"extends: profile cycle through {path}")
    try:
        raw = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ProfileError(f"{path}: not valid YAML ({exc})") from None
    if not isinstance(raw, dict):
        raise ProfileError(f"{path}: a profile must be a YAML mapping")
    parent = raw.get("extends")
    if parent:
        parent_path = Path(parent)
        if not parent_path.is_absolute() and (path.parent / parent_path).exists():
            parent = str(path.parent / parent_path)
        raw = _merge(_read_raw(parent, (*seen, str(path))), raw)
    return raw


def profile_from_dict(raw: Mapping) -> Profile:
    """Validate a raw mapping into a :class:`Profile` (content hash of the mapping added)."""
    raw = dict(raw)
    raw.pop("content_hash", None)
    digest = hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()
    return _build(Profile, {**raw, "content_hash": digest[:16]}, "")


def load_profile(name_or_path: str | Path = "default") -> Profile:
    """Load, merge (``extends``) and validate a profile; raises :class:`ProfileError`."""
    return profile_from_dict(_read_raw(name_or_path))


def profile_summary(profile: Profile) -> dict[str, str]:
    """Small provenance record for start documents: name and content hash."""
    return {"name": profile.name, "hash": profile.content_hash}
