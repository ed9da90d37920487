"""One benchmark entry (issue 16): every figure as a ratio against its anchor, measured in the
same process, interleaved (the order rotates every round), after a warm-up, ≥ 5 rounds,
printed as median [min, max] of the per-round ratios, with the load average at start and end.

Figures: live analyses + writer ÷ writer alone and ÷ bare RunEngine (fresh catalog per round);
replay through the callbacks ÷ reading the same documents; per-event cost at N ÷ N/10 events;
stopping ÷ pycatima's array call (benchmarks/stopping.py); ``kramers_kronig_fp`` ÷ Larch
``diffkk`` (skipped without xraylarch); refinement ms per evaluation (least squares only);
``axs --help``, ``axs runs`` (and with ``--demo`` ``axs demo --quick``) wall time and peak
memory. Usage: ``python -m benchmarks [--quick]``.
"""

from __future__ import annotations

import argparse
import atexit
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

import numpy as np


def summary(values: list[float], fmt: str = "{:.3f}") -> str:
    """median [min, max] of a list of numbers."""
    v = np.asarray(values, dtype=float)
    return f"{fmt.format(np.median(v))} [{fmt.format(v.min())}, {fmt.format(v.max())}]"


def interleaved(
    variants: dict[str, Callable[[], float]], rounds: int, warmup: int = 1
) -> dict[str, list[float]]:
    """Call every variant (returns a time in s) once per round, rotating the order each round,
    after ``warmup`` untimed rounds; returns the times per variant."""
    names = list(variants)
    for _ in range(warmup):
        for name in names:
            variants[name]()
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            times[name].append(variants[name]())
    return times


def ratios(times: dict[str, list[float]], num: str, den: str) -> list[float]:
    """Per-round ratio of two variants' times, ``num`` ÷ ``den`` (same round, side by side);
    a throughput ratio is the inverse time ratio."""
    return [a / b for a, b in zip(times[num], times[den], strict=True)]


def _through_edge(n_points: int) -> list[dict[str, float]]:
    """One region of ``n_points`` from E0 − 150 eV to E0 + 450 eV (the analyses see an edge)."""
    step = 600.0 / (n_points - 1)
    return [{"start": -150.0, "stop": -150.0 + (n_points - 1) * step + 1e-6, "step": step}]


def _scan(n_points: int, mode: str) -> float:
    """Time (s) of an n-point Cu edge scan: ``bare``, ``writer`` or ``live`` (writer + the
    analysis callbacks), each on a fresh embedded catalog (opening it is not timed)."""
    from axsuite.devices import make_beamline
    from axsuite.plans import edge_scan
    from axsuite.session.catalog import make_writer, open_catalog
    from axsuite.session.profile import load_profile
    from axsuite.session.registry import analysis_callbacks
    from bluesky import RunEngine

    prof = load_profile("default")
    regions = _through_edge(n_points)
    with tempfile.TemporaryDirectory(prefix="axs-bench-") as d:
        RE = RunEngine({})
        bl = make_beamline(prof)
        if mode != "bare":
            writer = make_writer(open_catalog(None, d), batch_size=prof.catalog.batch_size)
            RE.subscribe(writer)
            if mode == "live":
                for cb in analysis_callbacks(prof, publish=writer, echo=None, plot_dir=None):
                    RE.subscribe(cb)
        t0 = time.perf_counter()
        RE(edge_scan("Cu", beamline=bl, regions=regions, dwell_s=0.1))
        return time.perf_counter() - t0


def _stored_run(n_points: int):
    """A catalog (kept open) holding one n-point edge scan; returns its run client."""
    from axsuite.devices import make_beamline
    from axsuite.plans import edge_scan
    from axsuite.session.catalog import make_writer, open_catalog
    from axsuite.session.profile import load_profile
    from bluesky import RunEngine

    prof = load_profile("default")
    d = tempfile.mkdtemp(prefix="axs-bench-replay-")
    atexit.register(shutil.rmtree, d, ignore_errors=True)
    catalog = open_catalog(None, d)
    RE = RunEngine({})
    RE.subscribe(make_writer(catalog, batch_size=prof.catalog.batch_size))
    regions = _through_edge(n_points)
    (uid,) = RE(edge_scan("Cu", beamline=make_beamline(prof), regions=regions, dwell_s=0.1))
    return catalog[uid], prof


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def kk_vs_larch(rounds: int, n: int = 10_000) -> dict | None:
    """``kramers_kronig_fp`` against Larch's ``diffkk`` on Chantler μ(E) of Cu (N points over
    E0 − 500 … E0 + 1000 eV), on the f″ Larch matched: per-round time ratios against the whole
    ``diffkk(...).kk()`` and against its KK step alone (``kkmclr`` on Larch's 1-eV grid), and
    max |Δf′| (e) beyond ±20 eV of E0. None without xraylarch."""
    try:
        from larch.xafs import diffkk
        from larch.xafs.diffkk import kkmclr
    except ImportError:
        return None
    import xraydb
    from axsuite.analysis.absorption import kramers_kronig_fp

    e0 = 8979.0
    e = np.linspace(e0 - 500.0, e0 + 1000.0, n)
    mu = xraydb.mu_chantler("Cu", e)
    g = diffkk(e, mu, z=29, edge="K")
    g.kk()
    grid_fpp = np.interp(g.grid, e, g.fpp - g.f2)
    t = interleaved(
        {
            "ours": lambda: _timed(lambda: kramers_kronig_fp(e, g.fpp, "Cu")),
            "diffkk": lambda: _timed(lambda: diffkk(e, mu, z=29, edge="K").kk()),
            "kkmclr": lambda: _timed(lambda: kkmclr(g.grid, grid_fpp)),
        },
        rounds,
    )
    far = np.abs(e - e0) > 20.0
    dfp = np.abs(kramers_kronig_fp(e, g.fpp, "Cu") - g.fp)[far]
    return {
        "diffkk": ratios(t, "ours", "diffkk"),
        "kkmclr": ratios(t, "ours", "kkmclr"),
        "max_dfp": float(dfp.max()),
    }


def refinement_ms_per_evaluation() -> float:
    """The fluorapatite refinement of benchmarks/refine.py, timing only the least-squares
    calls (``lmfit.minimize``: setup, reflection lists and result assembly excluded);
    returns ms per function evaluation."""
    import lmfit

    try:
        from benchmarks.refine import fap_refinement
    except ImportError:  # run as a script
        from refine import fap_refinement  # type: ignore[no-redef]
    spent = {"s": 0.0, "nfev": 0}
    original = lmfit.minimize

    def timed_minimize(*args, **kwargs):
        t0 = time.perf_counter()
        out = original(*args, **kwargs)
        spent["s"] += time.perf_counter() - t0
        spent["nfev"] += out.nfev
        return out

    lmfit.minimize = timed_minimize
    try:
        fap_refinement()
    finally:
        lmfit.minimize = original
    return 1e3 * spent["s"] / spent["nfev"]


#: Runs a command and prints its peak RSS (kB). A separate small launcher, because Linux keeps
#: the pre-exec high-water mark: a child forked straight from this (large) process would
#: report this process's size.
_LAUNCHER = (
    "import resource, subprocess, sys; "
    "r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(r.returncode)"
)


def _command(argv: list[str]) -> tuple[float, float]:
    """Wall time (s, including a ~20 ms launcher) and peak RSS (MB) of ``axs ARGV``."""
    cmd = [sys.executable, "-m", "axsuite.session.cli", *argv]
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", _LAUNCHER, *cmd], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if out.returncode != 0:
        raise RuntimeError(f"axs {' '.join(argv)} failed")
    return wall, int(out.stdout.split()[-1]) / 1024.0


def main(argv: list[str] | None = None) -> None:
    logging.getLogger("tiled").setLevel(logging.WARNING)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="few rounds and small sizes (CI)")
    ap.add_argument("--rounds", type=int, default=None, help="rounds (≥ 5; default 5 or 7)")
    ap.add_argument("--demo", action="store_true", help="also time `axs demo --quick` (slow)")
    args = ap.parse_args(argv)
    rounds = args.rounds or (5 if args.quick else 7)
    if rounds < 5:
        raise SystemExit("--rounds must be ≥ 5")
    n_scan, n_big = (300, 2000) if args.quick else (2000, 10_000)
    print(f"load average at start: {os.getloadavg()}  rounds: {rounds}  quick: {args.quick}")

    t = interleaved({m: lambda m=m: _scan(n_scan, m) for m in ("bare", "writer", "live")}, rounds)
    print(f"{n_scan}-point edge scan, throughput ratios (events/s; 1 = no cost):")
    print(f"  live ÷ writer alone   {summary(ratios(t, 'writer', 'live'))}")
    print(f"  live ÷ bare           {summary(ratios(t, 'bare', 'live'))}")
    print(f"  rate: bare {summary([n_scan / x for x in t['bare']], '{:.0f}')} events/s")

    from axsuite.session.registry import analysis_callbacks
    from axsuite.session.replay import feed

    per_event = {}
    for n in (n_big // 10, n_big):
        run, prof = _stored_run(n)
        t = interleaved(
            {
                "read": lambda run=run: _timed(lambda: list(run.documents())),
                "replay": lambda run=run, prof=prof: _timed(
                    lambda: feed(
                        run.documents(),
                        analysis_callbacks(prof, publish=None, echo=None, plot_dir=None),
                        echo=None,
                    )
                ),
            },
            rounds,
        )
        per_event[n] = [x / n for x in t["replay"]]
        print(f"replay ÷ read ({n} events)   {summary(ratios(t, 'replay', 'read'))}")
    small, big = sorted(per_event)
    growth = [b / a for a, b in zip(per_event[small], per_event[big], strict=True)]
    print(f"per-event replay cost {big} ÷ {small}   {summary(growth)}")

    try:
        from benchmarks import stopping
    except ImportError:  # run as a script: benchmarks/ is on sys.path
        import stopping  # type: ignore[no-redef]
    for ion, r in stopping.run(rounds=rounds, n=10_000).items():
        if r["catima"]:
            each = [a / b for a, b in zip(r["axsuite"], r["catima"], strict=True)]
            print(f"stopping {ion} in Au ÷ pycatima array call   {summary(each)}")
        else:
            print(f"stopping {ion} in Au ÷ pycatima: skipped (pycatima not installed)")
    kk = kk_vs_larch(rounds)
    if kk is None:
        print("kramers_kronig_fp ÷ Larch diffkk: skipped (xraylarch not installed)")
    else:
        print(
            "kramers_kronig_fp ÷ Larch diffkk (MBACK + KK), N = 10⁴   "
            + summary(kk["diffkk"], "{:.2e}")
        )
        print(
            "kramers_kronig_fp ÷ Larch kkmclr (KK only, 1-eV grid)   "
            + summary(kk["kkmclr"], "{:.2e}")
        )
        print(f"  max |Δf′| beyond ±20 eV of E0: {kk['max_dfp']:.4f} e")

    per_eval = [refinement_ms_per_evaluation() for _ in range(rounds)]
    print(f"FAP refinement, fit only (lmfit.minimize): {summary(per_eval, '{:.1f}')} ms/evaluation")

    with tempfile.TemporaryDirectory(prefix="axs-bench-cli-") as d:
        from axsuite.session.catalog import open_catalog

        open_catalog(None, d)  # an existing (empty) embedded catalog for `axs runs`
        for label, cmd in (("axs --help", ["--help"]), ("axs runs", ["runs", "--data-dir", d])):
            res = [_command(cmd) for _ in range(rounds)]
            print(
                f"{label:12s} wall {summary([w for w, _ in res])} s   "
                f"peak {summary([m for _, m in res], '{:.0f}')} MB"
            )
    if args.demo:
        try:
            from benchmarks.demo import measure_demo
        except ImportError:  # run as a script
            from demo import measure_demo  # type: ignore[no-redef]
        res = [measure_demo(quick=True) for _ in range(rounds)]
        print(
            f"axs demo --quick wall {summary([r['wall_s'] for r in res], '{:.1f}')} s   "
            f"peak {summary([r['peak_rss_MB'] for r in res], '{:.0f}')} MB"
        )
    print(f"load average at end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
