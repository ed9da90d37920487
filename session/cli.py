"""The ``axs`` command line: demo, runs, replay, shell (and the analyses' own commands).

User errors (bad arguments, unknown runs, bad profiles) exit with status 2 and one line
on stderr, without a traceback.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import json
import logging
import sys
import warnings
from collections.abc import Callable, Sequence

from .profile import ProfileError


class UserError(Exception):
    """An error the user can fix; printed as one line."""


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--data-dir", default=None, help="data directory (default $AXSUITE_DATA or ./axsuite-data)"
    )
    p.add_argument("--profile", default="default", help="profile name or YAML path")


def _publish_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--publish",
        default=None,
        metavar="zmq|nats://HOST:PORT",
        help="also stream documents for `axs worker`: a bluesky-0MQ-proxy IN port or NATS",
    )


def cmd_demo(args: argparse.Namespace) -> int:
    from .demo import run_demo
    from .session import build_session

    s = build_session(
        args.profile,
        data_dir=args.data_dir,
        table=not args.no_table,
        simulate_time=args.simulate_time,
        publish_to=args.publish,
    )
    if not s.analyses:
        raise UserError(
            "the demo needs the session's own analyses (profile streaming.local_analysis: false)"
        )
    run_demo(s)
    return 0


def _open(args: argparse.Namespace):
    from .catalog import open_catalog, resolve_data_dir
    from .profile import load_profile

    prof = load_profile(args.profile)
    ddir = resolve_data_dir(args.data_dir)
    if prof.catalog.uri is None and not (ddir / "catalog.db").exists():
        raise UserError(f"no catalog in {ddir} (run `axs demo` first or give --data-dir)")
    return prof, ddir, open_catalog(prof.catalog.uri, ddir, prof.catalog.api_key_env)


def cmd_runs(args: argparse.Namespace) -> int:
    _, _, catalog = _open(args)
    rows = []
    for uid, run in catalog.items():
        md = run.metadata
        start, stop = md.get("start", {}), md.get("stop") or {}
        what = start.get("analysis") or start.get("sample") or ""
        element = start.get("element", "")
        when = datetime.datetime.fromtimestamp(start.get("time", 0)).strftime("%Y-%m-%d %H:%M:%S")
        kind = "analysis" if "analysis" in start else "raw"
        cal = start.get("calibrations", {}).get("mono", {})
        cal_txt = f"{cal.get('offset_deg', 0):+.5f}° {cal.get('date', '')}" if cal else ""
        rows.append(
            (
                str(start.get("scan_id", "")),
                uid[:8],
                start.get("plan_name", ""),
                kind,
                f"{what} {element}".strip(),
                when,
                stop.get("exit_status", "(running/none)"),
                cal_txt,
            )
        )
    head = ("scan_id", "uid", "plan", "kind", "sample/element", "start", "exit", "mono cal.")
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    for r in [head, *rows]:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    return 0


def cmd_replay(args: argparse.Namespace) -> int:
    from .replay import replay

    prof, ddir, catalog = _open(args)
    echo = None if args.json else print
    try:
        results = replay(
            catalog,
            args.runs,
            prof,
            echo=echo,
            plot_dir=None if args.json else ddir / "plots" / "replay",
        )
    except LookupError as exc:
        raise UserError(str(exc)) from None
    if args.json:
        print(
            json.dumps(
                {"runs": [{"uid": uid, "results": res} for uid, res in results.items()]},
                indent=2,
                default=str,
            )
        )
    elif not results:
        print("replay: no analysis applies to these runs")
    return 0


def cmd_backfill(args: argparse.Namespace) -> int:
    from .spool import backfill

    prof, ddir, catalog = _open(args)
    uids = backfill(catalog, ddir / "spool", batch_size=prof.catalog.batch_size)
    print(f"backfilled {len(uids)} run(s) from {ddir / 'spool'}")
    for uid in uids:
        print(f"  {uid}")
    return 0


def cmd_shell(args: argparse.Namespace) -> int:
    import IPython

    from .session import build_session

    s = build_session(
        args.profile, data_dir=args.data_dir, table=True, plots=True, publish_to=args.publish
    )
    ns = {
        "RE": s.RE,
        "bl": s.bl,
        "catalog": s.catalog,
        "session": s,
        "profile": s.profile,
        **vars(s.bl),
        **vars(s.plans),
    }
    ns.pop("profile", None)
    ns["profile"] = s.profile
    banner = (
        "axsuite shell — RE, bl (devices), catalog; plans: "
        + ", ".join(sorted(vars(s.plans)))
        + "\n  e.g. RE(edge_scan('Cu'))"
    )
    IPython.start_ipython(argv=[], user_ns=ns, display_banner=False, config=_ipython_config(banner))
    return 0


def _ipython_config(banner: str):
    from traitlets.config import Config

    c = Config()
    c.TerminalInteractiveShell.banner1 = banner + "\n"
    return c


#: Subcommands that live in their own modules, imported only when chosen (so ``axs --help``
#: imports no physics stack): name → (module under ``axsuite.session``, configure-parser
#: function, handler, one-line help). To add a command: one line here.
EXTRA_COMMANDS: dict[str, tuple[str, str, str, str]] = {
    "export": ("export", "configure_parser", "cmd_export", "export a stored run to a file"),
    "analyze-pattern": (
        "analyze_pattern",
        "configure_parser",
        "cmd_analyze_pattern",
        "analyse a powder pattern file (no scan)",
    ),
    "serve": ("server", "configure", "cmd_serve", "tiled server for the beamline catalog"),
    "worker": ("worker", "configure", "cmd_worker", "remote analysis worker (0MQ or NATS)"),
    "queue-server": (
        "qserver",
        "configure",
        "cmd_queue_server",
        "bluesky-queueserver running the session's plans",
    ),
}


def _extra(name: str) -> tuple[Callable[[argparse.ArgumentParser], None], Callable]:
    module, configure, handler, _ = EXTRA_COMMANDS[name]
    mod = importlib.import_module(f"axsuite.session.{module}")
    return getattr(mod, configure), getattr(mod, handler)


def build_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of ``axs``; only the ``chosen`` extra command is configured."""
    parser = argparse.ArgumentParser(
        prog="axs", description="axsuite: AXS beamline acquisition and analysis"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="run the simulated campaign into the catalog")
    _common(p)
    p.add_argument("--no-table", action="store_true", help="no live table of readings")
    p.add_argument("--simulate-time", action="store_true", help="counters take their dwell time")
    _publish_option(p)
    p.set_defaults(func=cmd_demo)
    p = sub.add_parser("runs", help="list stored runs")
    _common(p)
    p.set_defaults(func=cmd_runs)
    p = sub.add_parser("replay", help="replay stored runs through the analysis callbacks")
    _common(p)
    p.add_argument(
        "runs", nargs="+", help="uid, uid prefix or scan_id (several: analysed together)"
    )
    p.add_argument("--json", action="store_true", help="print results as JSON")
    p.set_defaults(func=cmd_replay)
    p = sub.add_parser("backfill", help="write runs spooled while the catalog failed")
    _common(p)
    p.set_defaults(func=cmd_backfill)
    p = sub.add_parser("shell", help="IPython with RE, devices, plans and the catalog")
    _common(p)
    _publish_option(p)
    p.set_defaults(func=cmd_shell)
    for name, (*_, summary) in EXTRA_COMMANDS.items():
        p = sub.add_parser(name, help=summary)
        _common(p)
        if name == chosen:
            configure, handler = _extra(name)
            configure(p)
            p.set_defaults(func=handler)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``axs``."""
    logging.getLogger("tiled").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    argv = list(sys.argv[1:] if argv is None else argv)
    chosen = next((a for a in argv if a in EXTRA_COMMANDS), None)
    args = build_parser(chosen).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (UserError, ProfileError, ValueError, LookupError, ConnectionError) as exc:
        print(f"axs {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"axs {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
