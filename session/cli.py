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
import os
import sys
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn


class UserError(Exception):
    """An error the user can fix; printed as one line."""


def _common(p: argparse.ArgumentParser, *, top: bool = False) -> None:
    """``--data-dir`` and ``--profile``, accepted before or after the subcommand (the
    subcommand's copies default to SUPPRESS so they never overwrite the global ones)."""
    p.add_argument(
        "--data-dir",
        default=None if top else argparse.SUPPRESS,
        help="data directory (default $AXSUITE_DATA or ./axsuite-data)",
    )
    p.add_argument(
        "--profile",
        default="default" if top else argparse.SUPPRESS,
        help="profile name or YAML path",
    )


#: Commands that write into the data directory (it must be a writable directory).
WRITING_COMMANDS = frozenset({"demo", "shell", "backfill", "serve", "worker", "queue-server"})
#: Options naming an input file that must exist (argparse dest → how the user wrote it).
INPUT_FILES = {
    "file": "FILE",
    "cif": "--cif",
    "instrument": "--instrument",
    "standard": "--standard",
}


def check_data_dir(data_dir: str | None, *, writing: bool) -> None:
    """Refuse a data directory that is a file, lies under a file, or (``writing``) cannot be
    written or created; UserError with one line. Nothing is created here."""
    from .catalog import resolve_data_dir

    path = resolve_data_dir(data_dir)
    shown = data_dir or str(path)
    if path.exists() and not path.is_dir():
        raise UserError(f"--data-dir {shown} is a file, not a directory")
    parent = path
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise UserError(f"--data-dir {shown} cannot be a directory: {parent} is a file")
    if writing and not os.access(parent, os.W_OK | os.X_OK):
        what = "is not writable" if parent == path else f"cannot be created ({parent} is read-only)"
        raise UserError(f"--data-dir {shown} {what}; give a writable directory")


def check_paths(args: argparse.Namespace) -> None:
    """Input files must be existing regular files; ``-o`` must not be a directory."""
    for dest, label in INPUT_FILES.items():
        values = getattr(args, dest, None)
        for value in values if isinstance(values, list) else [values]:
            if isinstance(value, str):
                _check_input(label, value)
    output = getattr(args, "output", None)
    if isinstance(output, str):
        path = Path(output).expanduser()
        if path.is_dir():
            raise UserError(f"-o {output} is a directory; give a file name")
        if not path.parent.is_dir():
            raise UserError(f"-o {output}: directory {path.parent} does not exist")
        if not os.access(path.parent, os.W_OK | os.X_OK):
            raise UserError(f"-o {output}: directory {path.parent} is not writable")


def _check_input(label: str, value: str) -> None:
    path = Path(value).expanduser()
    if not path.exists():
        raise UserError(f"{label} {value}: no such file")
    if path.is_dir():
        raise UserError(f"{label} {value} is a directory; give a file")
    if not os.access(path, os.R_OK):
        raise UserError(f"{label} {value} is not readable")


def error_line(exc: BaseException) -> str | None:
    """One line for an error the user can fix, or None for a bug (traceback)."""
    # a ProfileError is a ValueError (not imported here: axs --help loads no pydantic)
    if isinstance(exc, (UserError, ValueError, LookupError, ConnectionError)):
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, OSError):
        where = f": {exc.filename}" if exc.filename else ""
        return f"{exc.strerror or exc}{where}"
    yaml = sys.modules.get("yaml")
    if yaml is not None and isinstance(exc, yaml.YAMLError):
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        return f"malformed YAML{at}: {problem}"
    return None


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
        table=False if args.no_table else "compact",  # results stay on screen, not rows
        simulate_time=args.simulate_time,
        publish_to=args.publish,
    )
    if not s.analyses:
        raise UserError(
            "the demo needs the session's own analyses (profile streaming.local_analysis: false)"
        )
    try:
        run_demo(s, quick=args.quick)
    except Exception as exc:
        if type(exc).__name__ == "RunEngineInterrupted":  # Ctrl-C: the run is closed below
            raise KeyboardInterrupt from None
        raise
    finally:
        s.close()
    return 0


def _open(args: argparse.Namespace):
    from .catalog import open_catalog, resolve_data_dir
    from .profile import load_profile

    prof = load_profile(args.profile)
    ddir = resolve_data_dir(args.data_dir)
    if prof.catalog.uri is None and not (ddir / "catalog.db").exists():
        raise UserError(f"no catalog in {ddir} (run `axs demo` first or give --data-dir)")
    return prof, ddir, open_catalog(prof.catalog.uri, ddir, prof.catalog.api_key_env)


def _run_metadata(args: argparse.Namespace):
    """(uid, metadata) of every run: straight from an embedded catalog's file, else tiled."""
    from .catalog import catalog_config, list_runs, resolve_data_dir

    ddir = resolve_data_dir(args.data_dir)
    if catalog_config(args.profile).uri is None and (ddir / "catalog.db").is_file():
        runs = list_runs(ddir)
        if runs is not None:
            return runs
    return [(uid, run.metadata) for uid, run in _open(args)[2].items()]


def cmd_runs(args: argparse.Namespace) -> int:
    rows = []
    for uid, md in _run_metadata(args):
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
    from .storage import DataDirLock

    prof, ddir, catalog = _open(args)
    lock = DataDirLock(ddir)
    lock.acquire()
    try:
        done = backfill(catalog, ddir, batch_size=max(prof.catalog.batch_size, 1000), echo=print)
    finally:
        lock.release()
    written = sum(r.action == "written" for r in done)
    print(f"backfilled {written} run(s) from {ddir / 'journal'} and {ddir / 'spool'}")
    return 1 if any(r.action == "failed" for r in done) else 0


def cmd_shell(args: argparse.Namespace) -> int:
    import IPython

    from .session import build_session
    from .shell import shell_config, shell_namespace

    s = build_session(
        args.profile, data_dir=args.data_dir, table=True, plots=True, publish_to=args.publish
    )
    try:
        IPython.start_ipython(argv=[], user_ns=shell_namespace(s), config=shell_config(s))
    finally:
        s.close()  # a run left paused (Ctrl-C, then exit) is aborted: stored and closed
    return 0


#: Subcommands that live in their own modules, imported only when chosen (so ``axs --help``
#: imports no physics stack): name → (module under ``axsuite.session``, configure-parser
#: function, handler, one-line help). To add a command: one line here.
EXTRA_COMMANDS: dict[str, tuple[str, str, str, str]] = {
    "export": ("export", "configure_parser", "cmd_export", "export a stored run to a file"),
    "stopping": ("stopping_cli", "configure", "cmd_stopping", "stopping powers and ranges table"),
    "estimate": ("estimate", "configure", "cmd_estimate", "points, duration, grid of a plan"),
    "report": ("report", "configure", "cmd_report", "one HTML page of runs or a campaign"),
    "profile": ("profile_cli", "configure", "cmd_profile", "check profiles; JSON schema"),
    "analyze-pattern": (
        "analyze_pattern",
        "configure_parser",
        "cmd_analyze_pattern",
        "analyse a powder pattern file (no scan)",
    ),
    "analyze-xas": ("analyze_xas", "configure_parser", "cmd_analyze_xas", "analyse XAS files"),
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


class _OneLineParser(argparse.ArgumentParser):
    """argparse errors as one line (``axs CMD: error: …``, exit 2) instead of the usage text."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")


def build_parser(chosen: str | None = None) -> argparse.ArgumentParser:
    """The argument parser of ``axs``; only the ``chosen`` extra command is configured."""
    parser = _OneLineParser(
        prog="axs", description="axsuite: AXS beamline acquisition and analysis"
    )
    _common(parser, top=True)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("demo", help="run the simulated campaign into the catalog")
    _common(p)
    p.add_argument("--no-table", action="store_true", help="no live table of readings")
    p.add_argument("--simulate-time", action="store_true", help="counters take their dwell time")
    p.add_argument("--quick", action="store_true", help="a short tour: fewer points, one edge")
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
        check_data_dir(args.data_dir, writing=args.command in WRITING_COMMANDS)
        check_paths(args)
        return int(args.func(args) or 0)
    except Exception as exc:
        line = error_line(exc)
        if line is None:
            raise
        print(f"axs {args.command}: error: {line}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"axs {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
