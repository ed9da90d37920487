"""Remote plan submission (DESIGN §11): bluesky-queueserver runs the session's plans.

``axs queue-server`` starts the queueserver's RE Manager (its queue lives in Redis) with
the startup module :mod:`axsuite.session.qserver_startup`, which builds the same session as
``axs shell`` — devices, RunEngine with catalog writer, suspender and live analyses — from
the profile and data directory handed over in the environment. Clients submit plans with
bluesky-queueserver-api or the ``qserver`` command; every plan validates its inputs before
anything moves, so a bad item fails in the queue's history with the plan's own message.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

#: Environment variable naming the profile the startup module loads.
PROFILE_ENV = "AXSUITE_PROFILE"
STARTUP_MODULE = "axsuite.session.qserver_startup"

#: Queueserver user groups: ``primary`` (the default of queueserver clients) may run every
#: plan on every device; ``root`` is the queueserver's mandatory unrestricted group.
PERMISSIONS: dict[str, Any] = {
    "user_groups": {
        "root": {
            "allowed_plans": [None],
            "forbidden_plans": [None],
            "allowed_devices": [None],
            "forbidden_devices": [None],
            "allowed_functions": [None],
            "forbidden_functions": [None],
        },
        "primary": {
            "allowed_plans": [":.*"],
            "forbidden_plans": [None],
            "allowed_devices": [":.*"],
            "forbidden_devices": [None],
            "allowed_functions": [None],
            "forbidden_functions": [None],
        },
    }
}


def plan_for_queue(plan: Callable, beamline: Any) -> Callable:
    """``plan`` with ``beamline=`` bound, as a generator function whose signature omits
    ``beamline`` (the queueserver lists and validates parameters from the signature)."""
    sig = inspect.signature(plan)

    def queued(*args: Any, **kwargs: Any):
        return (yield from plan(*args, beamline=beamline, **kwargs))

    functools.update_wrapper(queued, plan)
    del queued.__wrapped__
    queued.__signature__ = sig.replace(
        parameters=[p for p in sig.parameters.values() if p.name != "beamline"]
    )
    return queued


def queue_namespace(session: Any) -> dict[str, Any]:
    """The startup namespace for the queueserver: ``RE``, the ophyd devices and the plans."""
    from ophyd import Device, Signal

    devices = {k: v for k, v in vars(session.bl).items() if isinstance(v, Device | Signal)}
    plans = {
        name: plan_for_queue(bound.func, session.bl) for name, bound in vars(session.plans).items()
    }
    return {"RE": session.RE, **devices, **plans}


def manager_command(args: argparse.Namespace, data_dir: Path) -> list[str]:
    """The ``start-re-manager`` command line; writes the permissions file into ``data_dir``."""
    exe = shutil.which("start-re-manager", path=str(Path(sys.executable).parent)) or shutil.which(
        "start-re-manager"
    )
    if exe is None:
        raise ValueError(
            "bluesky-queueserver is not installed: pip install 'axsuite[queue]' (or the package)"
        )
    qdir = data_dir / "qserver"
    qdir.mkdir(parents=True, exist_ok=True)
    permissions = qdir / "user_group_permissions.yaml"
    permissions.write_text(yaml.safe_dump(PERMISSIONS))
    return [
        exe,
        "--startup-module", STARTUP_MODULE,
        "--existing-plans-devices", str(qdir / "existing_plans_and_devices.yaml"),
        "--update-existing-plans-devices", "ENVIRONMENT_OPEN",
        "--user-group-permissions", str(permissions),
        "--redis-addr", args.redis_addr,
        "--redis-name-prefix", args.redis_prefix,
        "--zmq-control-addr", args.zmq_control_addr,
        "--zmq-info-addr", args.zmq_info_addr,
    ]  # fmt: skip


def configure(p: argparse.ArgumentParser) -> None:
    """Arguments of ``axs queue-server``."""
    p.add_argument("--redis-addr", default="127.0.0.1:6379", help="Redis holding the queue")
    p.add_argument("--redis-prefix", default="axsuite", help="prefix of the queue's Redis keys")
    p.add_argument(
        "--zmq-control-addr", default="tcp://127.0.0.1:60615", help="control socket (clients)"
    )
    p.add_argument(
        "--zmq-info-addr", default="tcp://127.0.0.1:60625", help="console output socket"
    )


def cmd_queue_server(args: argparse.Namespace) -> int:
    """run plans submitted to a bluesky-queueserver (queue in Redis) on this beamline"""
    from .catalog import resolve_data_dir
    from .profile import load_profile

    load_profile(args.profile)  # a bad profile fails here, not in the manager's worker
    profile = args.profile
    if Path(profile).suffix in {".yaml", ".yml"}:
        profile = str(Path(profile).resolve())
    data_dir = resolve_data_dir(args.data_dir)
    cmd = manager_command(args, data_dir)
    os.environ[PROFILE_ENV] = profile
    os.environ["AXSUITE_DATA"] = str(data_dir)
    print(f"queue-server: {' '.join(cmd)}", flush=True)
    if os.name == "posix":
        os.execv(cmd[0], cmd)  # the manager replaces this process: signals reach it directly
    return subprocess.call(cmd)
