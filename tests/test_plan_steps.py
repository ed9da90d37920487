"""plans/steps.py yields bluesky's one_nd_step messages, message for message.

The reference is bluesky's own ``one_nd_step`` run by the same RunEngine on the same
simulated devices: the recorded messages (group ids renamed by first appearance) and
the emitted documents must be identical, also when a read fails (``drop``). Like the
suite's plans, the scans give their own ``plan_args``.
"""

from __future__ import annotations

import bluesky.plans as bp
import pytest
from axsuite.plans.steps import one_nd_step
from bluesky import RunEngine
from cycler import cycler
from ophyd.sim import SynAxis, SynGauss


def _normalized(msgs):
    """(command, object name, args, kwargs) with group ids renamed in order of appearance."""
    groups: dict[object, str] = {}
    out = []
    for m in msgs:
        kwargs = dict(m.kwargs)
        if kwargs.get("group") is not None:
            kwargs["group"] = groups.setdefault(kwargs["group"], f"g{len(groups)}")
        out.append((m.command, getattr(m.obj, "name", None), m.args, sorted(kwargs.items())))
    return out


def _run(per_step, fail_at=None):
    motor1 = SynAxis(name="m1")  # one motor: bluesky stages motors in set order
    det = SynGauss("det", motor1, "m1", center=0.0, Imax=1000.0, sigma=1.0, noise="none")
    if fail_at is not None:
        reads = iter(range(100))
        real_read = det.read

        def read():
            if next(reads) == fail_at:
                raise RuntimeError("detector lost")
            return real_read()

        det.read = read
    RE = RunEngine({})
    msgs, docs = [], []
    RE.msg_hook = msgs.append
    RE.subscribe(lambda name, doc: docs.append((name, doc)))
    traj = cycler(motor1, [-1.0, 0.0, 0.0, 1.0])  # the repeated position is not set again
    try:
        # the suite's plans set their own plan_args (else bluesky records repr(per_step))
        RE(bp.scan_nd([det], traj, per_step=per_step, md={"plan_args": {"points": 4}}))
    except RuntimeError as exc:
        assert "detector lost" in str(exc)
    return msgs, docs


@pytest.mark.parametrize("fail_at", [None, 2])
def test_same_messages_and_documents_as_bluesky(fail_at):
    ref_msgs, ref_docs = _run(None, fail_at)
    msgs, docs = _run(one_nd_step, fail_at)
    assert _normalized(msgs) == _normalized(ref_msgs)
    assert [m.command for m in msgs].count("set") == (3 if fail_at is None else 2)
    if fail_at is not None:
        assert "drop" in {m.command for m in msgs}
    assert [n for n, _ in docs] == [n for n, _ in ref_docs]
    events = [d["data"] for n, d in docs if n == "event"]
    assert events == [d["data"] for n, d in ref_docs if n == "event"]
    assert len(events) == (4 if fail_at is None else 2)
