"""A real axsuite session in its own process, driven by the fault tests (tests/faults).

``python fault_session.py scan DATA_DIR [--points N] [--batch-size B] [--dumps D]``
runs a ``count`` of N points (I0 and the ring current) and prints ``seq N`` after each
point the RunEngine emitted (after the catalog writer took it), so a parent can kill it at
a chosen point. ``--dumps D`` makes D beam dumps land while the catalog writer thread is
writing a batch. ``report DATA_DIR`` starts a session (which recovers the journal) and
prints one JSON line per raw run: uid, scan_id, exit_status, reason, stored seq_nums and
the lowest stored ring current (mA).
"""

from __future__ import annotations

import argparse
import json
import sys
import threading

import bluesky.plans as bp
import yaml
from axsuite.session.profile import PROFILE_DIR, profile_from_dict
from axsuite.session.session import build_session


def _profile(batch_size: int):
    raw = yaml.safe_load((PROFILE_DIR / "default.yaml").read_text())
    raw["catalog"]["batch_size"] = batch_size
    return profile_from_dict(raw)


def _dumps_during_writes(s, n_dumps: int, dump_s: float) -> dict:
    """Patch the TiledWriter so that ``n_dumps`` dumps start while a batch is written."""
    from bluesky_tiled_plugins.writing import tiled_writer

    state = {"dumps": 0, "suspensions": 0}
    original = tiled_writer._RunWriter._write_internal_data

    def writing(self, data_cache, desc_node):
        if state["dumps"] < n_dumps and s.bl.ring.current.get() > 0:
            state["dumps"] += 1
            threading.Thread(target=s.bl.ring.dump, args=(dump_s,), daemon=True).start()
        return original(self, data_cache, desc_node)

    tiled_writer._RunWriter._write_internal_data = writing
    request = s.RE.request_suspend

    def counting(*args, **kwargs):
        state["suspensions"] += 1
        return request(*args, **kwargs)

    s.RE.request_suspend = counting
    return state


def scan(args: argparse.Namespace) -> int:
    from axsuite.session import storage

    storage.MIN_FREE_BYTES = args.min_free  # a small test disk is allowed to start
    s = build_session(
        _profile(args.batch_size),
        data_dir=args.data_dir,
        live=False,
        echo=lambda line: print(f"echo {line}", flush=True),
        progress=False,
    )
    seen = {"n": 0}

    def tell(name, doc):
        if name == "event":
            seen["n"] += 1
            print(f"seq {doc['seq_num']}", flush=True)

    s.RE.subscribe(tell)
    state = _dumps_during_writes(s, args.dumps, args.dump_s) if args.dumps else None
    print("ready", flush=True)
    if args.hold:
        sys.stdin.readline()  # the parent says when to scan
    try:
        (uid,) = s.RE(bp.count([s.bl.I0, s.bl.ring], num=args.points, md={"purpose": "faults"}))
    except Exception as exc:
        if type(exc).__name__ != "RunEngineInterrupted":
            raise
        print("interrupted", flush=True)
        return 130
    finally:
        s.close()
    print(f"measured {seen['n']}", flush=True)
    if state is not None:
        print(f"dumps {state['dumps']} suspensions {state['suspensions']}", flush=True)
    print(f"done {uid}", flush=True)
    return 0


def report(args: argparse.Namespace) -> int:
    s = build_session(_profile(100), data_dir=args.data_dir, live=False, echo=None, progress=False)
    try:
        for uid, run in s.catalog.items():
            start, stop = run.metadata["start"], run.metadata.get("stop") or {}
            if "analysis" in start:
                continue
            seqs, ring = [], None
            if "primary" in run:
                table = run["primary"].base["internal"].read()
                seqs = [int(v) for v in table["seq_num"]]
                ring = float(table["ring_current"].min()) if len(seqs) else None
            print(
                json.dumps(
                    {
                        "uid": uid,
                        "scan_id": start.get("scan_id"),
                        "exit_status": stop.get("exit_status"),
                        "reason": stop.get("reason"),
                        "seq_nums": seqs,
                        "min_ring_mA": ring,
                    }
                ),
                flush=True,
            )
    finally:
        s.close()
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["scan", "report"])
    parser.add_argument("data_dir")
    parser.add_argument("--points", type=int, default=600)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--dumps", type=int, default=0)
    parser.add_argument("--dump-s", type=float, default=0.2)
    parser.add_argument("--hold", action="store_true", help="wait for a line on stdin")
    parser.add_argument("--min-free", type=int, default=50 * 1024**2, help="bytes")
    args = parser.parse_args()
    return scan(args) if args.mode == "scan" else report(args)


if __name__ == "__main__":
    sys.exit(main())
