"""Remote analysis (DESIGN §11): documents leave the RunEngine over bluesky's 0MQ proxy and
``axs worker`` processes run the same analysis callbacks, writing their analysis runs to the
profile's catalog (a tiled server on PostgreSQL at a beamline).

Topology (bluesky's own engines, nothing home-made)::

    RunEngine ─ Publisher ─▶ bluesky-0MQ-proxy IN OUT ─▶ RemoteDispatcher ─ axs worker(s)

Addresses are written ``zmq://host:port``: the session publishes to the proxy's IN port,
workers listen on its OUT port. Every worker receives every document.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from axsuite.callbacks.base import AnalysisCallback
from bluesky.callbacks.core import make_callback_safe

from .profile import Profile

logger = logging.getLogger("axsuite.worker")

#: 0MQ topic prefix of axsuite documents (a proxy may carry other beamlines' streams).
DEFAULT_PREFIX = b"axsuite"


def parse_stream_address(url: str) -> tuple[str, int]:
    """``zmq://host:port`` → (host, port); a clear ``ValueError`` for anything else."""
    parts = urlsplit(str(url))
    if parts.scheme != "zmq":
        raise ValueError(
            f"document stream address {url!r}: use zmq://host:port (bluesky's 0MQ proxy)"
        )
    try:
        port = parts.port
    except ValueError:
        port = None
    if not parts.hostname or port is None or not 0 < port < 65536:
        raise ValueError(f"document stream address {url!r}: needs a host and a port 1..65535")
    return parts.hostname, port


def make_publisher(url: str, *, prefix: bytes = DEFAULT_PREFIX) -> Callable[[str, dict], None]:
    """A RunEngine subscriber that sends every document to the 0MQ proxy at ``url`` (IN port)."""
    from bluesky.callbacks.zmq import Publisher

    host, port = parse_stream_address(url)
    return Publisher((host, port), prefix=prefix)


class Worker:
    """Run analysis callbacks on documents from a 0MQ proxy's OUT port.

    The callbacks publish their analysis runs themselves (built with a catalog writer by
    :func:`build_worker`); a failing callback logs its error and the others go on.
    ``max_runs``: return after that many runs have stopped (None: until interrupted).
    """

    def __init__(
        self,
        url: str,
        callbacks: list[AnalysisCallback],
        *,
        prefix: bytes = DEFAULT_PREFIX,
        max_runs: int | None = None,
        echo: Callable[[str], None] | None = print,
    ):
        from bluesky.callbacks.zmq import RemoteDispatcher

        if max_runs is not None and max_runs < 1:
            raise ValueError(f"max_runs must be ≥ 1, got {max_runs}")
        self.address = parse_stream_address(url)
        self.callbacks = callbacks
        self.max_runs = max_runs
        self.echo = echo
        self.runs_done: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._dispatcher = RemoteDispatcher(self.address, prefix=prefix, loop=self._loop)
        self._dispatcher.subscribe(self._route)
        self._safe = [make_callback_safe(cb, logger=logger) for cb in callbacks]

    def _route(self, name: str, doc: dict) -> None:
        for cb in self._safe:
            cb(name, doc)
        if name == "stop":
            self.runs_done.append(doc["run_start"])
            if self.max_runs is not None and len(self.runs_done) >= self.max_runs:
                for task in asyncio.all_tasks(self._loop):  # the dispatcher's polling task
                    task.cancel()

    def run(self) -> list[str]:
        """Listen until ``max_runs`` runs have stopped or Ctrl-C; returns the raw run uids."""
        host, port = self.address
        if self.echo is not None:
            echo = self.echo
            self._loop.call_soon(lambda: echo(f"worker: listening on zmq://{host}:{port}"))
        try:
            self._dispatcher.start()
        except asyncio.CancelledError:
            pass
        return self.runs_done


def build_worker(
    profile: Profile,
    url: str,
    *,
    data_dir: str | Path | None = None,
    max_runs: int | None = None,
    echo: Callable[[str], None] | None = print,
) -> Worker:
    """A worker writing analysis runs to ``profile``'s catalog (plots in ``<data_dir>/plots``)."""
    from .catalog import make_writer, open_catalog, resolve_data_dir
    from .registry import analysis_callbacks
    from .spool import SpoolStore

    ddir = resolve_data_dir(data_dir)
    ddir.mkdir(parents=True, exist_ok=True)
    catalog = open_catalog(profile.catalog.uri, ddir, profile.catalog.api_key_env)
    spool = SpoolStore(ddir / "spool") if profile.catalog.spool else None
    writer = make_writer(catalog, batch_size=profile.catalog.batch_size, spool=spool)
    callbacks = analysis_callbacks(profile, publish=writer, echo=echo, plot_dir=ddir / "plots")
    return Worker(
        url,
        callbacks,
        prefix=profile.streaming.prefix.encode(),
        max_runs=max_runs,
        echo=echo,
    )


def configure(p: argparse.ArgumentParser) -> None:
    """Arguments of ``axs worker``."""
    p.add_argument("address", help="the 0MQ proxy's OUT port, zmq://host:port")
    p.add_argument(
        "--max-runs", type=int, default=None, help="exit after this many runs (default: never)"
    )


def cmd_worker(args: argparse.Namespace) -> int:
    """run the analysis callbacks on documents streamed from a 0MQ proxy"""
    from .profile import load_profile

    parse_stream_address(args.address)
    worker = build_worker(
        load_profile(args.profile),
        args.address,
        data_dir=args.data_dir,
        max_runs=args.max_runs,
        echo=lambda text: print(text, flush=True),
    )
    done = worker.run()
    print(f"worker: analysed {len(done)} run(s)", flush=True)
    return 0

