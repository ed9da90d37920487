"""Value types of the profile schema (pydantic v2): numbers, elements, formulas, dates.

Each type is an ``Annotated`` pydantic type, so the same declaration validates a profile
and appears in the JSON schema exported for editors (``axs profile schema``). Validators
raise ``ValueError`` with a short message; the loader (:mod:`axsuite.session.profile`)
prefixes the dotted key. A cross-field check inside a section raises :class:`FieldError`
to name the sub-key it is about (pydantic wraps a ValueError).
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainValidator,
    WithJsonSchema,
)

#: Every section: unknown keys rejected, numbers given as text accepted (YAML 1.1 reads
#: ``1.0e9`` as a string), NaN/inf refused; in the JSON schema a key's title is the key.
SECTION = ConfigDict(
    extra="forbid",
    coerce_numbers_to_str=True,
    allow_inf_nan=False,
    field_title_generator=lambda name, _info: name,
)

#: A number written as text (what the loader accepts besides numbers), for the JSON schema.
NUMBER_TEXT_PATTERN = r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$"

#: Atomic or volume fractions must sum to 1 within this (absolute).
FRACTION_SUM_TOLERANCE = 1e-6


class FieldError(ValueError):
    """A section-level check about one sub-key: ``key`` (dotted, relative to the section)."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(f"{key}: {message}")
        self.key = key
        self.message = message


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"expected a number, got {value!r}")
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"expected a number, got {value!r}") from None


def number(**constraints: Any) -> Any:
    """A float (numbers or numeric text, not booleans) with pydantic ``Field`` constraints."""
    return Annotated[float, Field(**constraints), BeforeValidator(_number)]


Num = number()
PositiveNum = number(gt=0)
NonNegativeNum = number(ge=0)
Fraction = number(ge=0, le=1)
OpenFraction = number(gt=0, lt=1)
Angle180 = number(ge=-180, le=180)
SolidAngle = number(gt=0, lt=4 * math.pi)
Int = Annotated[int, Field(strict=True)]
PositiveInt = Annotated[int, Field(strict=True, ge=1)]
NonNegativeInt = Annotated[int, Field(strict=True, ge=0)]
Bool = Annotated[bool, Field(strict=True)]


def _element(symbol: str) -> str:
    from axsuite.analysis.xray import atomic_number

    atomic_number(symbol)  # ValueError "unknown element symbol 'Xx'"
    return symbol


def _formula(formula: str) -> str:
    from axsuite.analysis.xray import parse_formula

    parse_formula(formula)  # ValueError "cannot parse chemical formula 'Qq'"
    return formula


def _element_edge(key: str) -> str:
    from axsuite.analysis.xray import edge_energy_eV

    element, _, edge = key.partition("_")
    _element(element)
    if not edge:
        raise ValueError(f"{key!r}: expected <element>_<edge>, e.g. Cu_K")
    edge_energy_eV(element, edge)
    return key


def _edge(edge: str) -> str:
    from axsuite.analysis.xray import edge_shell

    edge_shell(edge)  # ValueError "unknown absorption edge …"
    return edge


def _iso_date(value: Any) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, str):
        try:
            datetime.date.fromisoformat(value.strip()[:10])
            return value.strip()
        except ValueError:
            pass
    raise ValueError(f"expected an ISO date YYYY-MM-DD, got {value!r}")


Element = Annotated[str, AfterValidator(_element)]
Formula = Annotated[str, AfterValidator(_formula)]
ElementEdge = Annotated[str, AfterValidator(_element_edge)]
EdgeName = Annotated[str, AfterValidator(_edge)]
IsoDate = Annotated[
    str,
    PlainValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "description": "ISO date YYYY-MM-DD"}),
]


def sums_to_one(fractions: Mapping[str, float], what: str) -> None:
    """ValueError unless the positive ``fractions`` sum to 1."""
    if not fractions:
        raise ValueError(f"{what} needs at least one entry")
    total = math.fsum(fractions.values())
    if abs(total - 1.0) > FRACTION_SUM_TOLERANCE:
        raise ValueError(f"{what} must sum to 1, got {total:.6g}")


def _atomic_fractions(value: dict[str, float]) -> dict[str, float]:
    sums_to_one(value, "atomic fractions")
    return value


def _volume_fractions(value: dict[str, float]) -> dict[str, float]:
    sums_to_one(value, "gas volume fractions")
    return value


#: Element → atomic fraction (> 0, sum 1).
AtomicFractions = Annotated[dict[Element, PositiveNum], AfterValidator(_atomic_fractions)]
#: Molecule formula → volume fraction (> 0, sum 1).
GasFractions = Annotated[dict[Formula, PositiveNum], AfterValidator(_volume_fractions)]


def _composition(value: Any) -> str | dict[str, float]:
    if isinstance(value, str):
        return _formula(value)
    if isinstance(value, Mapping):
        fractions = {_element(str(k)): _number(v) for k, v in value.items()}
        if any(v <= 0 for v in fractions.values()):
            raise ValueError("atomic fractions must be positive")
        return _atomic_fractions(fractions)
    raise ValueError(f"expected a formula or element → atomic fraction, got {value!r}")


#: A chemical formula ("Cu50Zr50") or element → atomic fraction (sum 1).
Composition = Annotated[
    str | dict[str, float],
    PlainValidator(_composition),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "string", "description": "chemical formula, e.g. Cu50Zr50"},
                {
                    "type": "object",
                    "additionalProperties": {"type": "number", "exclusiveMinimum": 0},
                },
            ],
            "description": "formula or element → atomic fraction (sum 1)",
        }
    ),
]
