"""The inner step of the suite's scans: bluesky's ``one_nd_step``, message for message.

Every ``@plan``-decorated bluesky stub wraps its generator in ``bluesky.utils.Plan``,
which records ``traceback.format_stack()`` to warn about a plan that is never iterated.
In a step scan that happens about ten times per point (``one_nd_step``,
``move_per_step``, ``trigger_and_read`` and one stub per trigger, wait, create, read,
save), and with the RunEngine's deep generator stack it costs more than the simulated
devices themselves (about 2 ms of CPU per point; see benchmarks/demo.py and the closing
note of issue 14). :func:`one_nd_step` yields the same messages in the same order —
checkpoint, set…, wait, trigger…, wait, create, read…, save (drop on a failed read),
inside bluesky's ``rewindable_wrapper`` and ``contingency_wrapper`` — without those
wrappers, so the documents are unchanged. Pass it as ``per_step`` to ``scan_nd`` and
``list_scan`` with the plan's own ``plan_args`` in ``md`` (as every plan of the suite
does; else bluesky records ``repr(per_step)`` there).
"""

from __future__ import annotations

from collections.abc import Callable, Generator, Mapping, Sequence
from typing import Any

from bluesky import Msg
from bluesky.preprocessors import contingency_wrapper, rewindable_wrapper
from bluesky.protocols import Triggerable
from bluesky.utils import all_safe_rewind, separate_devices, short_uid

MsgGen = Generator[Msg, Any, Any]


def _read_each(devices: Sequence[Any]) -> MsgGen:
    readings: dict[str, Any] = {}
    for obj in devices:
        reading = yield Msg("read", obj)
        if reading is not None:
            readings.update(reading)
    return readings


def _save() -> MsgGen:
    yield Msg("save")


def _drop(exc: Exception) -> MsgGen:
    yield Msg("drop")
    raise exc


def trigger_and_read(devices: Sequence[Any], name: str = "primary") -> MsgGen:
    """Trigger the devices that can be triggered, wait, and read all into one event of
    stream ``name``; returns the readings (as ``bluesky.plan_stubs.trigger_and_read``)."""
    devices = separate_devices(devices)
    rewindable = all_safe_rewind(devices)

    def inner() -> MsgGen:
        group = short_uid("trigger")
        triggered = False
        for obj in devices:
            if isinstance(obj, Triggerable):
                triggered = True
                yield Msg("trigger", obj, group=group)
        if triggered:
            yield Msg("wait", None, group=group, error_on_timeout=True, timeout=None, watch=())
        yield Msg("create", name=name)
        return (
            yield from contingency_wrapper(_read_each(devices), except_plan=_drop, else_plan=_save)
        )

    return (yield from rewindable_wrapper(inner(), rewindable))


def one_nd_step(
    detectors: Sequence[Any],
    step: Mapping[Any, Any],
    pos_cache: dict[Any, Any],
    take_reading: Callable[..., MsgGen] | None = None,
) -> MsgGen:
    """One point of an N-dimensional step scan: checkpoint, move the motors whose position
    changes, wait, then ``take_reading(detectors + motors)`` (default
    :func:`trigger_and_read`); as ``bluesky.plan_stubs.one_nd_step``."""
    yield Msg("checkpoint")
    group = short_uid("set")
    for motor, pos in step.items():
        if pos == pos_cache[motor]:
            continue
        yield Msg("set", motor, pos, group=group)
        pos_cache[motor] = pos
    yield Msg("wait", None, group=group)
    take = trigger_and_read if take_reading is None else take_reading
    return (yield from take([*detectors, *step.keys()]))
