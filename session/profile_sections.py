"""Profile sections of the X-ray beamline (pydantic v2 frozen dataclasses, DESIGN §9).

Each class is one YAML mapping of ``profiles/*.yaml``. Field types (from
:mod:`axsuite.session.profile_types`) carry units in their names and declare the ranges;
``__post_init__`` holds the checks that involve several fields. The stations (ion beam,
AXS, powder) are in :mod:`axsuite.session.profile_stations`.
"""

from __future__ import annotations

from typing import Literal

from pydantic.dataclasses import dataclass

from .profile_types import (
    SECTION,
    Angle180,
    Bool,
    Composition,
    EdgeName,
    ElementEdge,
    FieldError,
    Fraction,
    GasFractions,
    IsoDate,
    NonNegativeInt,
    NonNegativeNum,
    Num,
    OpenFraction,
    PositiveInt,
    PositiveNum,
    SolidAngle,
    number,
)

#: Relative bandwidth ΔE/E of a crystal monochromator.
Bandwidth = number(gt=0, lt=0.01)


@dataclass(frozen=True, config=SECTION)
class MonoConfig:
    """Double-crystal monochromator: d spacing in Å (dated), energy limits in eV, relative
    bandwidth ΔE/E, calibration offset and simulated true offset in deg, settle time in s."""

    crystal: str
    d_spacing_A: PositiveNum
    calibration_date: IsoDate
    energy_min_eV: PositiveNum
    energy_max_eV: PositiveNum
    bandwidth: Bandwidth = 1.4e-4
    offset_deg: Num = 0.0
    true_offset_deg: Num = 0.0
    settle_s: NonNegativeNum = 0.0

    def __post_init__(self) -> None:
        if not self.energy_min_eV < self.energy_max_eV:
            raise FieldError(
                "energy_max_eV", f"must exceed energy_min_eV ({self.energy_min_eV} eV)"
            )


@dataclass(frozen=True, config=SECTION)
class SourceConfig:
    """Photon source: flux on the sample (photons/s) at the nominal ring current (mA),
    horizontally polarized fraction, beam-dump and refill thresholds of the suspender (mA)."""

    flux_ph_s: PositiveNum
    polarization_h: Fraction = 0.98
    ring_current_mA: PositiveNum = 400.0
    dump_threshold_mA: NonNegativeNum = 100.0
    refill_threshold_mA: PositiveNum = 350.0

    def __post_init__(self) -> None:
        if not self.dump_threshold_mA < self.refill_threshold_mA <= self.ring_current_mA:
            raise FieldError(
                "refill_threshold_mA",
                f"need dump_threshold_mA ({self.dump_threshold_mA}) < refill_threshold_mA "
                f"({self.refill_threshold_mA}) ≤ ring_current_mA ({self.ring_current_mA})",
            )


@dataclass(frozen=True, config=SECTION)
class IonChamberConfig:
    """Gas ion chamber: fill gas (molecule formula → volume fraction, sum 1), active length
    in cm, pressure in atm, temperature in K."""

    gas: GasFractions
    length_cm: PositiveNum
    pressure_atm: PositiveNum = 1.0
    temperature_K: PositiveNum = 293.15


@dataclass(frozen=True, config=SECTION)
class RoiWindow:
    """A discriminator window in eV (absolute line energies) for one element/edge."""

    low_eV: PositiveNum
    high_eV: PositiveNum

    def __post_init__(self) -> None:
        if not self.low_eV < self.high_eV:
            raise FieldError("high_eV", f"must exceed low_eV ({self.low_eV} eV)")


@dataclass(frozen=True, config=SECTION)
class DiscriminatorConfig:
    """SDD + MCA: resolution FWHM(E) = sqrt(noise² + (2√(2 ln 2))²·ε·F·E) (eV), paralyzable
    dead time (s), solid angle (sr), channels and their width (eV), elastic window (± FWHM
    multiples), Compton window (eV), geometry (deg), ROI windows per element_edge."""

    noise_fwhm_eV: NonNegativeNum
    fano: OpenFraction
    pair_energy_eV: PositiveNum
    dead_time_s: NonNegativeNum
    solid_angle_sr: SolidAngle
    n_channels: PositiveInt
    ev_per_channel: PositiveNum
    elastic_halfwidth_fwhm: PositiveNum
    compton_halfwidth_eV: PositiveNum
    two_theta_deg: Angle180
    rois: dict[ElementEdge, RoiWindow]
    phi_deg: Num = 0.0
    doppler_fraction: NonNegativeNum = 0.015
    saturation_dead_fraction: OpenFraction = 0.5

    def __post_init__(self) -> None:
        if self.n_channels < 16:
            raise FieldError("n_channels", f"need at least 16 channels, got {self.n_channels}")


@dataclass(frozen=True, config=SECTION)
class SampleConfig:
    """A sample or foil: composition (formula or element → atomic fraction), mass density
    in g/cm³, thickness in cm, role ``foil`` | ``transmission`` | ``scattering``."""

    composition: Composition
    density_g_cm3: PositiveNum
    thickness_cm: PositiveNum
    kind: Literal["foil", "transmission", "scattering"] = "foil"
    description: str = ""


@dataclass(frozen=True, config=SECTION)
class ArmConfig:
    """2θ arm: limits in deg, settle time in s."""

    two_theta_min_deg: Angle180
    two_theta_max_deg: Angle180
    settle_s: NonNegativeNum = 0.0

    def __post_init__(self) -> None:
        if not self.two_theta_min_deg < self.two_theta_max_deg:
            raise FieldError(
                "two_theta_max_deg", f"must exceed two_theta_min_deg ({self.two_theta_min_deg}°)"
            )


@dataclass(frozen=True, config=SECTION)
class NearEdgeConfig:
    """Simulation truth of one element's edge (devices/models/nearedge.py): white-line
    height (fraction of the edge jump), its offset above the edge and FWHM in eV, the
    core-hole width in eV (None: xraylib level width) and a scale of the EXAFS amplitudes."""

    edge: EdgeName = "K"
    white_line_height: NonNegativeNum = 0.4
    white_line_offset_eV: Num = 6.0
    white_line_width_eV: PositiveNum = 5.0
    core_hole_width_eV: PositiveNum | None = None
    exafs_scale: NonNegativeNum = 1.0


@dataclass(frozen=True, config=SECTION)
class CatalogConfig:
    """Storage: ``uri`` None → embedded SQLite catalog in the data directory; otherwise a
    tiled server URI (API key from the environment variable named in ``api_key_env``).
    ``batch_size``: events per catalog write; ``spool``: keep a local JSONL copy of runs the
    catalog failed to take."""

    uri: str | None = None
    api_key_env: str = "TILED_API_KEY"
    batch_size: PositiveInt = 100
    spool: Bool = True


@dataclass(frozen=True, config=SECTION)
class StreamingConfig:
    """Documents streamed to remote analysis workers (DESIGN §11): ``publish`` is a 0MQ
    proxy's IN port ``zmq://host:port`` or a NATS server ``nats://host:port`` (None: no
    streaming); ``prefix`` the topic (0MQ) or stream/subject root (NATS);
    ``local_analysis`` False leaves the analyses to ``axs worker`` processes."""

    publish: str | None = None
    prefix: str = "axsuite"
    local_analysis: Bool = True

    def __post_init__(self) -> None:
        from .worker import check_name, parse_stream_address

        if self.publish is not None:
            parse_stream_address(self.publish)
        check_name(self.prefix, "prefix")
        if not self.local_analysis and self.publish is None:
            raise ValueError("local_analysis: false needs publish (else nothing analyses the runs)")


@dataclass(frozen=True, config=SECTION)
class LiveConfig:
    """Live feedback (session/live_feedback.py): the readable table (``auto`` picks
    ``compact`` above ``long_scan_points`` points), its cadence (every N points, 0: auto,
    or every ``table_every_s`` s) and the live figures (``auto``: screen if any, else files)."""

    table: Literal["auto", "lines", "compact", "off"] = "auto"
    long_scan_points: PositiveInt = 200
    table_every_points: NonNegativeInt = 0
    table_every_s: PositiveNum = 10.0
    plots: Literal["auto", "screen", "file", "off"] = "auto"
