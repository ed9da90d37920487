"""Remote analysis (DESIGN §11): documents leave the RunEngine over a message bus and
``axs worker`` processes run the same analysis callbacks, writing their analysis runs to the
profile's catalog (a tiled server on PostgreSQL at a beamline). Two transports, both the
ecosystem's own engines:

* ``zmq://host:port`` — bluesky's 0MQ proxy: ``Publisher`` → ``bluesky-0MQ-proxy IN OUT`` →
  ``RemoteDispatcher``. Sessions publish to the IN port, workers listen on the OUT port; a
  worker sees the documents sent while it listens.
* ``nats://host:port`` — a NATS JetStream stream named after the profile's streaming prefix
  (subject ``<prefix>.documents``, documents as JSON, kept 7 days). The server acknowledges
  every document before the scan goes on; a worker with a durable name (``--durable``)
  resumes where it stopped, so runs taken while it was down are analysed when it returns.

Every worker receives every document (workers with different durable names on NATS).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import re
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import zmq
from axsuite.callbacks.base import AnalysisCallback
from bluesky.callbacks.core import make_callback_safe
from bluesky.callbacks.zmq import Publisher, RemoteDispatcher

from .profile import Profile
from .spool import json_default

logger = logging.getLogger("axsuite.worker")

#: Topic prefix of axsuite documents (a bus may carry other beamlines' streams).
DEFAULT_PREFIX = "axsuite"
SCHEMES = ("zmq", "nats")
#: How long a JetStream stream keeps documents (s).
NATS_MAX_AGE_S = 7 * 24 * 3600.0


def parse_stream_address(url: str) -> tuple[str, str, int]:
    """``zmq://host:port`` or ``nats://host:port`` → (scheme, host, port); else ``ValueError``."""
    parts = urlsplit(str(url))
    if parts.scheme not in SCHEMES:
        raise ValueError(
            f"document stream address {url!r}: use zmq://host:port (bluesky's 0MQ proxy) "
            "or nats://host:port (NATS JetStream)"
        )
    try:
        port = parts.port
    except ValueError:
        port = None
    if not parts.hostname or port is None or not 0 < port < 65536:
        raise ValueError(f"document stream address {url!r}: needs a host and a port 1..65535")
    return parts.scheme, parts.hostname, port


def check_name(value: str, what: str) -> str:
    """``value`` if it is a usable topic/stream/consumer name (letters, digits, '_', '-')."""
    if not re.fullmatch(r"[A-Za-z0-9_-]+", value or ""):
        raise ValueError(f"{what} {value!r}: use letters, digits, '_' and '-'")
    return value


def jetstream_names(prefix: str) -> tuple[str, str]:
    """(stream name, subject) of the JetStream stream for a streaming prefix."""
    check_name(prefix, "prefix")
    return prefix.upper(), f"{prefix}.documents"


async def _jetstream(url: str, prefix: str) -> tuple[Any, Any]:
    """Connect to NATS and make sure the document stream exists; returns (client, jetstream)."""
    import nats
    from nats.js.api import StreamConfig
    from nats.js.errors import NotFoundError

    try:
        nc = await nats.connect(url, connect_timeout=5, max_reconnect_attempts=2)
    except Exception as exc:  # nats raises several types; all mean "not reachable"
        raise ConnectionError(f"cannot reach the NATS server at {url}: {exc}") from exc
    js = nc.jetstream()
    stream, subject = jetstream_names(prefix)
    try:
        await js.stream_info(stream)
    except NotFoundError:
        await js.add_stream(StreamConfig(name=stream, subjects=[subject], max_age=NATS_MAX_AGE_S))
    return nc, js


class NatsPublisher:
    """RunEngine subscriber storing every document in the JetStream stream of ``prefix``.

    The client runs on its own event loop thread; each publish waits for the server's
    acknowledgement (``timeout_s``), so a document the server did not store raises.
    """

    def __init__(self, url: str, *, prefix: str = DEFAULT_PREFIX, timeout_s: float = 10.0):
        self.timeout_s = timeout_s
        self.subject = jetstream_names(prefix)[1]
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="nats-publisher", daemon=True
        )
        self._thread.start()
        try:
            self._nc, self._js = self._call(_jetstream(url, prefix))
        except BaseException:
            self._loop.call_soon_threadsafe(self._loop.stop)
            raise

    def _call(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(self.timeout_s)

    def __call__(self, name: str, doc: dict) -> None:
        data = json.dumps([name, doc], default=json_default).encode()
        self._call(self._js.publish(self.subject, data, timeout=self.timeout_s))

    def close(self) -> None:
        """Drain and close the connection and stop the loop thread."""
        if self._loop.is_running():
            self._call(self._nc.drain())
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=self.timeout_s)


class ZmqPublisher(Publisher):
    """bluesky's 0MQ Publisher whose socket drops unsent documents 2 s after close, so a
    vanished proxy cannot hang the process when the publisher is closed or collected."""

    def __init__(self, address: tuple[str, int], *, prefix: bytes):
        super().__init__(address, prefix=prefix)
        self._socket.setsockopt(zmq.LINGER, 2000)


def make_publisher(url: str, *, prefix: str = DEFAULT_PREFIX) -> Callable[[str, dict], None]:
    """A RunEngine subscriber sending every document to ``url`` (0MQ proxy IN port or NATS)."""
    scheme, host, port = parse_stream_address(url)
    if scheme == "nats":
        return NatsPublisher(url, prefix=prefix)
    return ZmqPublisher((host, port), prefix=prefix.encode())


class Worker:
    """Run analysis callbacks on documents from a 0MQ proxy's OUT port or a NATS stream.

    The callbacks publish their analysis runs themselves (built with a catalog writer by
    :func:`build_worker`); a failing callback logs its error and the others go on.
    ``max_runs``: return after that many runs have stopped (None: until interrupted).
    ``durable`` (NATS only): consumer name remembered by the server.
    """

    def __init__(
        self,
        url: str,
        callbacks: list[AnalysisCallback],
        *,
        prefix: str = DEFAULT_PREFIX,
        max_runs: int | None = None,
        durable: str | None = None,
        echo: Callable[[str], None] | None = print,
    ):
        if max_runs is not None and max_runs < 1:
            raise ValueError(f"max_runs must be ≥ 1, got {max_runs}")
        self.url = url
        self.scheme, self.host, self.port = parse_stream_address(url)
        if durable is not None and self.scheme != "nats":
            raise ValueError("a durable worker name needs a nats:// address (JetStream)")
        if durable is not None:
            check_name(durable, "durable name")
        self.prefix = check_name(prefix, "prefix")
        self.max_runs = max_runs
        self.durable = durable
        self.echo = echo
        self.runs_done: list[str] = []
        self._safe = [make_callback_safe(cb, logger=logger) for cb in callbacks]
        self._loop = asyncio.new_event_loop()

    def _route(self, name: str, doc: dict) -> bool:
        """Feed one document to every callback; True once ``max_runs`` runs have stopped."""
        for cb in self._safe:
            cb(name, doc)
        if name == "stop":
            self.runs_done.append(doc["run_start"])
        return self.max_runs is not None and len(self.runs_done) >= self.max_runs

    def _listening(self) -> None:
        if self.echo is not None:
            self.echo(f"worker: listening on {self.scheme}://{self.host}:{self.port}")

    def _cancel_all(self) -> None:
        for task in asyncio.all_tasks(self._loop):  # the dispatcher's polling task
            task.cancel()

    def run(self) -> list[str]:
        """Listen until ``max_runs`` runs have stopped or Ctrl-C; returns the uids of the runs
        whose stop document arrived."""
        if self.scheme == "nats":
            self._loop.run_until_complete(self._run_nats())
            self._loop.close()
            return self.runs_done
        dispatcher = RemoteDispatcher(
            (self.host, self.port), prefix=self.prefix.encode(), loop=self._loop
        )

        def route(name: str, doc: dict) -> None:
            if self._route(name, doc):
                self._cancel_all()

        dispatcher.subscribe(route)
        self._loop.call_soon(self._listening)
        with contextlib.suppress(asyncio.CancelledError):  # the stop after --max-runs
            dispatcher.start()
        return self.runs_done

    async def _run_nats(self) -> None:
        from nats.errors import TimeoutError as NatsTimeout
        from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

        nc, js = await _jetstream(self.url, self.prefix)
        _, subject = jetstream_names(self.prefix)
        # one unacknowledged document at a time: a redelivery (after a crash) comes before
        # anything newer, so the callbacks always see a run's documents in order
        config = ConsumerConfig(
            deliver_policy=DeliverPolicy.NEW, ack_policy=AckPolicy.EXPLICIT, max_ack_pending=1
        )
        sub = await js.pull_subscribe(subject, durable=self.durable, config=config)
        self._listening()
        try:
            while True:
                try:
                    msgs = await sub.fetch(batch=1, timeout=0.5)
                except (TimeoutError, NatsTimeout):  # nothing new within 0.5 s
                    continue
                for msg in msgs:
                    name, doc = json.loads(msg.data)
                    done = self._route(name, doc)
                    await msg.ack()
                    if done:
                        return
        finally:
            await nc.close()  # every processed document is acknowledged already


def build_worker(
    profile: Profile,
    url: str,
    *,
    data_dir: str | Path | None = None,
    max_runs: int | None = None,
    durable: str | None = None,
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
        prefix=profile.streaming.prefix,
        max_runs=max_runs,
        durable=durable,
        echo=echo,
    )


def configure(p: argparse.ArgumentParser) -> None:
    """Arguments of ``axs worker``."""
    p.add_argument(
        "address", help="zmq://host:port (a 0MQ proxy's OUT port) or nats://host:port"
    )
    p.add_argument(
        "--max-runs", type=int, default=None, help="exit after this many runs (default: never)"
    )
    p.add_argument(
        "--durable",
        default=None,
        help="NATS only: a consumer name the server remembers; the worker resumes there",
    )


def cmd_worker(args: argparse.Namespace) -> int:
    """run the analysis callbacks on documents streamed over 0MQ or NATS JetStream"""
    from .profile import load_profile

    parse_stream_address(args.address)
    worker = build_worker(
        load_profile(args.profile),
        args.address,
        data_dir=args.data_dir,
        max_runs=args.max_runs,
        durable=args.durable,
        echo=lambda text: print(text, flush=True),
    )
    done = worker.run()
    print(f"worker: analysed {len(done)} run(s)", flush=True)
    return 0
