"""Beamline profiles: YAML data validated by one declared schema (pydantic v2, DESIGN §9).

``load_profile(name_or_path)`` reads a YAML file with ``yaml.safe_load`` (a bare name like
``"default"`` means ``axsuite/profiles/<name>.yaml``), merges it over the profile it
``extends`` (recursively, mappings merged key by key) and validates it against
:class:`Profile` and its sections (:mod:`~axsuite.session.profile_sections`,
:mod:`~axsuite.session.profile_stations`; value types in
:mod:`~axsuite.session.profile_types`). An unknown key, a missing key or a value of the
wrong type or range raises :class:`ProfileError` naming the dotted key, e.g.
``mono.d_spacing_A: input should be greater than 0, got -1.0``. The loaded objects are
frozen dataclasses (``dataclasses.replace`` validates again).

:func:`profile_json_schema` exports the same schema as JSON Schema for editors
(``axs profile schema``); ``axs profile check FILE`` validates a file.

To add a section: declare a frozen pydantic dataclass beside the others and add a field
(with a default if the section is optional) to :class:`Profile`.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import axsuite.profiles
import yaml
from pydantic import TypeAdapter, ValidationError
from pydantic.dataclasses import dataclass

from .profile_sections import (
    ArmConfig,
    CatalogConfig,
    DiscriminatorConfig,
    IonChamberConfig,
    LiveConfig,
    MonoConfig,
    NearEdgeConfig,
    RoiWindow,
    SampleConfig,
    SourceConfig,
    StreamingConfig,
)
from .profile_stations import (
    AXSConfig,
    AXSSampleConfig,
    IonBeamConfig,
    IonFoilConfig,
    PowderConfig,
    PowderSampleConfig,
)
from .profile_types import NUMBER_TEXT_PATTERN, SECTION, Element, FieldError, NonNegativeInt

__all__ = [
    "PROFILE_DIR",
    "ArmConfig",
    "AXSConfig",
    "AXSSampleConfig",
    "CatalogConfig",
    "DiscriminatorConfig",
    "IonBeamConfig",
    "IonChamberConfig",
    "IonFoilConfig",
    "LiveConfig",
    "MonoConfig",
    "NearEdgeConfig",
    "PowderConfig",
    "PowderSampleConfig",
    "Profile",
    "ProfileError",
    "RoiWindow",
    "SampleConfig",
    "SourceConfig",
    "StreamingConfig",
    "load_profile",
    "profile_from_dict",
    "profile_json_schema",
    "profile_summary",
]

PROFILE_DIR = Path(axsuite.profiles.__file__).parent
#: Ion chambers every profile must name (incident, transmitted, reference).
REQUIRED_CHAMBERS = ("I0", "It", "Iref")


class ProfileError(ValueError):
    """A profile is malformed; the message names the offending key."""


@dataclass(frozen=True, config=SECTION)
class Profile:
    """A whole beamline profile (DESIGN §9)."""

    name: str
    seed: NonNegativeInt
    data_dir: str
    mono: MonoConfig
    source: SourceConfig
    ion_chambers: dict[str, IonChamberConfig]
    discriminator: DiscriminatorConfig
    arm: ArmConfig
    samples: dict[str, SampleConfig]
    reference_foils: dict[Element, str]
    catalog: CatalogConfig = dataclasses.field(default_factory=CatalogConfig)
    streaming: StreamingConfig = dataclasses.field(default_factory=StreamingConfig)
    live: LiveConfig = dataclasses.field(default_factory=LiveConfig)
    ion_beam: IonBeamConfig | None = None
    axs: AXSConfig | None = None
    powder: PowderConfig | None = None
    nearedge: dict[Element, NearEdgeConfig] = dataclasses.field(default_factory=dict)
    extends: str | None = None
    content_hash: str = ""

    def __post_init__(self) -> None:
        from axsuite.analysis.xray import edge_energy_eV

        for needed in REQUIRED_CHAMBERS:
            if needed not in self.ion_chambers:
                raise FieldError("ion_chambers", f"needs an entry {needed!r}")
        for element, sample in self.reference_foils.items():
            if sample not in self.samples:
                raise FieldError(
                    f"reference_foils.{element}",
                    f"names unknown sample {sample!r} (samples: {sorted(self.samples)})",
                )
        for element, cfg in self.nearedge.items():
            try:
                edge_energy_eV(element, cfg.edge)
            except ValueError as exc:
                raise FieldError(f"nearedge.{element}.edge", str(exc)) from None


# --------------------------------------------------------------------------- errors
def _dotted(loc: typing.Iterable[Any]) -> str:
    out = ""
    for part in loc:
        if part == "[key]":
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _section_at(loc: typing.Sequence[Any]) -> Any:
    """The schema type found by following ``loc`` from :class:`Profile` (None if lost)."""
    tp: Any = Profile
    for part in (*loc, None):
        while typing.get_origin(tp) in (typing.Union, types.UnionType):
            tp = next(a for a in typing.get_args(tp) if a is not type(None))
        if part is None:
            return tp
        fields = getattr(tp, "__pydantic_fields__", None)
        if fields is not None:
            tp = fields[part].annotation if part in fields else None
        elif typing.get_origin(tp) in (dict, list):
            tp = typing.get_args(tp)[-1]
        else:
            return None
    return tp


def _message(error: Mapping[str, Any]) -> str:
    """One line ``dotted.key: what is wrong`` from a pydantic error record."""
    loc = list(error["loc"])
    kind = error["type"]
    cause = (error.get("ctx") or {}).get("error")
    if isinstance(cause, FieldError):
        loc += cause.key.split(".")
        text = cause.message
    elif kind == "missing":
        text = "missing required key"
    elif kind in ("unexpected_keyword_argument", "extra_forbidden"):
        section = _section_at(loc[:-1])
        allowed = [k for k in getattr(section, "__pydantic_fields__", {}) if k != "content_hash"]
        text = f"unknown key (allowed: {', '.join(allowed)})" if allowed else "unknown key"
    elif kind in ("dataclass_type", "dict_type", "model_type"):
        text = f"expected a mapping, got {error.get('input')!r}"
    elif kind == "value_error":
        text = error["msg"].removeprefix("Value error, ")
    else:
        msg = error["msg"]
        text = f"{msg[:1].lower()}{msg[1:]}, got {error.get('input')!r}"
    return f"{_dotted(loc) or 'profile'}: {text}"


def _profile_error(exc: ValidationError) -> ProfileError:
    errors = exc.errors(include_url=False)
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return ProfileError(_message(errors[0]) + more)


# --------------------------------------------------------------------------- loading
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
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ProfileError(f"{path}: not valid YAML{at}: {problem}") from None
    if not isinstance(raw, dict):
        raise ProfileError(f"{path}: a profile must be a YAML mapping")
    parent = raw.get("extends")
    if parent:
        parent_path = Path(parent)
        if not parent_path.is_absolute() and (path.parent / parent_path).exists():
            parent = str(path.parent / parent_path)
        raw = _merge(_read_raw(parent, (*seen, str(path))), raw)
    return raw


@functools.cache
def _adapter() -> TypeAdapter:
    return TypeAdapter(Profile)


def profile_from_dict(raw: Mapping) -> Profile:
    """Validate a raw mapping into a :class:`Profile` (content hash of the mapping added)."""
    raw = dict(raw)
    raw.pop("content_hash", None)
    digest = hashlib.sha256(json.dumps(raw, sort_keys=True, default=str).encode()).hexdigest()
    try:
        return _adapter().validate_python({**raw, "content_hash": digest[:16]})
    except ValidationError as exc:
        raise _profile_error(exc) from None


def load_profile(name_or_path: str | Path = "default") -> Profile:
    """Load, merge (``extends``) and validate a profile; raises :class:`ProfileError`."""
    return profile_from_dict(_read_raw(name_or_path))


def profile_summary(profile: Profile) -> dict[str, str]:
    """Small provenance record for start documents: name and content hash."""
    return {"name": profile.name, "hash": profile.content_hash}


# --------------------------------------------------------------------------- JSON schema
def _numbers_as_text(node: Any) -> None:
    """Let every ``number`` also be numeric text (YAML 1.1 reads ``1.0e9`` as a string)."""
    if isinstance(node, dict):
        if node.get("type") == "number":
            node["type"] = ["number", "string"]
            node["pattern"] = NUMBER_TEXT_PATTERN
        for value in node.values():
            _numbers_as_text(value)
    elif isinstance(node, list):
        for value in node:
            _numbers_as_text(value)


def profile_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a profile file, for editors and ``jsonschema``.

    A file that ``extends`` another need not repeat the required keys, so this schema
    describes complete profiles (a merged file); the loader accepts what it accepts.
    """
    schema = _adapter().json_schema(mode="validation")
    schema["properties"].pop("content_hash", None)
    _numbers_as_text(schema)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **schema,
        "title": "axsuite beamline profile",
    }
