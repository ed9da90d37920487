"""A beamline session: profile → devices, RunEngine, catalog writer, live feedback, analyses."""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from axsuite.callbacks.base import AnalysisCallback
from axsuite.callbacks.live import ScanProgress, write_line
from axsuite.devices import make_beamline
from bluesky import RunEngine
from bluesky.callbacks.core import make_callback_safe
from bluesky.suspenders import SuspendFloor

from .catalog import latest_mono_calibration, make_writer, open_catalog, resolve_data_dir
from .design_sources import anomalous_factor_source, design_progress_source
from .journal import Journal
from .live_feedback import figure_board, live_table, run_engine_options
from .profile import Profile, load_profile
from .registry import analysis_callbacks, bound_plans
from .spool import backfill
from .storage import CatalogWriter, DataDirLock, StorageGuard
from .worker import make_publisher

logger = logging.getLogger("axsuite.session")


class ScanIdFromCatalog:
    """``RunEngine.scan_id_source``: scan ids continue from the newest raw run in the catalog
    and from the data directory's counter file ``scan_id`` (runs still only in the journal),
    so a new process never reuses a scan_id. Unique per data directory: only the session
    holding its :class:`~.storage.DataDirLock` allocates."""

    def __init__(self, catalog: Any, counter: Path | None = None, lookback: int = 50):
        self.counter = counter
        self.last = 0
        for run in list(catalog.values().tail(lookback)) if len(catalog) else []:
            self.last = max(self.last, int(run.metadata["start"].get("scan_id") or 0))
        if counter is not None and counter.is_file():
            text = counter.read_text().strip()
            self.last = max(self.last, int(text) if text.isdigit() else 0)

    def __call__(self, md: dict) -> int:
        self.last = max(self.last, int(md.get("scan_id") or 0)) + 1
        if self.counter is not None:
            tmp = self.counter.with_suffix(".tmp")
            tmp.write_text(f"{self.last}\n")
            tmp.replace(self.counter)
        return self.last


@dataclasses.dataclass
class Session:
    """Everything a scientist works with: ``RE``, ``bl`` (devices), ``plans``, ``catalog``."""

    profile: Profile
    data_dir: Path
    RE: RunEngine
    bl: SimpleNamespace
    catalog: Any
    writer: Any
    analyses: list[AnalysisCallback]
    plans: SimpleNamespace
    tokens: list[int]
    publishers: list[Any] = dataclasses.field(default_factory=list)
    lock: DataDirLock | None = None
    guard: StorageGuard | None = None
    figures: Any = None

    def close(self) -> None:
        """Abort a paused run (it is stored, closed with ``exit_status: "abort"``), write what
        is queued, unsubscribe everything, close the publishers and release the data dir."""
        if self.RE.state != "idle":
            quiet = logging.getLogger("bluesky")  # our own abort: no "Run aborted" traceback
            level = quiet.level
            quiet.setLevel(logging.CRITICAL)
            try:
                self.RE.abort("session closed while the run was paused")
                print("session closed: the open run was stored and closed as aborted")
            except Exception as exc:  # a broken run must not keep the rest from closing
                logger.warning("could not abort the open run: %s", exc)
            finally:
                quiet.setLevel(level)
        for token in self.tokens:
            self.RE.unsubscribe(token)
        self.tokens.clear()
        for publisher in self.publishers:
            publisher.close()
        self.publishers.clear()
        if isinstance(self.writer, CatalogWriter):
            self.writer.close()
        if self.lock is not None:
            self.lock.release()
        if self.figures is not None:
            self.figures.close()


def beam_guard(plan: Any, current: Any, floor_mA: float, max_wait_s: float = 5.0) -> Any:
    """Plan preprocessor: hold every ``checkpoint`` while the ring current (mA) is below the
    dump threshold, so that the beam-dump suspender (tripped from another thread, a few
    event-loop turns later) rewinds to the checkpoint *before* the point measured without
    beam and that point is re-measured (its replacement keeps the same ``seq_num``)."""
    from bluesky.preprocessors import plan_mutator
    from bluesky.utils import Msg

    def hold(msg: Any) -> tuple[Any, None]:
        if msg.command != "checkpoint":
            return None, None

        def wait_then_checkpoint() -> Any:
            waited = 0.0
            while current.get() < floor_mA and waited < max_wait_s:
                yield Msg("sleep", None, 0.02)
                waited += 0.02
            return (yield msg)

        return wait_then_checkpoint(), None

    return (yield from plan_mutator(plan, hold))


def restore_mono_calibration(
    catalog: Any, bl: SimpleNamespace, echo: Callable[[str], None] | None = None
) -> dict | None:
    """Set the DCM offset (deg), calibration date and run to the newest ``calibrate_mono``
    record in the catalog, so a new session starts calibrated; returns the record (or None
    when the catalog has none: the profile's offset stays)."""
    cal = latest_mono_calibration(catalog)
    if cal is None:
        return None
    bl.dcm.offset.put(float(cal["offset_new_deg"]))
    bl.dcm.calibration_date.put(str(cal["date"]))
    bl.dcm.calibration_run.put(str(cal.get("edge_scan_uid", "")))
    if echo is not None:
        echo(
            f"mono calibration: offset {cal['offset_new_deg']:+.5f}° from the "
            f"{cal.get('element', '')} {cal.get('edge', '')} edge scan "
            f"{str(cal.get('edge_scan_uid', ''))[:8]} ({cal['date']})"
        )
    return cal


def build_session(
    profile: str | Path | Profile = "default",
    *,
    data_dir: str | Path | None = None,
    live: bool = True,
    echo: Callable[[str], None] | None = write_line,
    simulate_time: bool = False,
    safe_callbacks: bool = True,
    table: bool | str = False,
    progress: bool = True,
    plots: bool | str = False,
    publish_to: str | None = None,
) -> Session:
    """Build a session in one call.

    Parameters
    ----------
    profile : profile name, YAML path or loaded :class:`Profile`
    data_dir : data directory (default ``$AXSUITE_DATA`` or ``./axsuite-data``)
    live : subscribe the analysis callbacks (results printed via ``echo``, published to the
        catalog, plots saved in ``<data_dir>/plots``)
    simulate_time : counters take their dwell time and motors settle (False in tests)
    safe_callbacks : a failing analysis callback logs its error instead of aborting the scan
    table, progress, plots : live table (True: the profile's ``live.table`` mode, or auto,
        lines, compact, off), progress bar, live figures (True: the profile's ``live.plots``,
        or auto, screen, file, off; see :mod:`axsuite.session.live_feedback`)
    publish_to : stream documents to ``axs worker`` processes through a 0MQ proxy
        (``zmq://host:port``) or NATS JetStream (``nats://host:port``); default
        ``profile.streaming.publish``. With
        ``profile.streaming.local_analysis`` false the session runs no analyses itself.
    """
    prof = profile if isinstance(profile, Profile) else load_profile(profile)
    ddir = resolve_data_dir(data_dir if data_dir is not None else None)
    ddir.mkdir(parents=True, exist_ok=True)
    bl = make_beamline(prof, simulate_time=simulate_time)
    lock = DataDirLock(ddir)
    lock.acquire()
    try:
        catalog = open_catalog(prof.catalog.uri, ddir, prof.catalog.api_key_env)
        # runs a crash, kill or catalog outage left in the journal go into the catalog first
        backfill(catalog, ddir, batch_size=max(prof.catalog.batch_size, 1000), echo=echo)
        restore_mono_calibration(catalog, bl, echo)
        board = figure_board(prof, plots, ddir)
        RE = RunEngine({}, **run_engine_options(board))
        RE.scan_id_source = ScanIdFromCatalog(catalog, ddir / "scan_id")
        guard = StorageGuard(RE, ddir, echo=echo, embedded=prof.catalog.uri is None)
        writer = CatalogWriter(
            lambda: make_writer(catalog, batch_size=prof.catalog.batch_size),
            Journal(ddir / "journal"),
            echo=echo,
            on_journal_error=guard.fault,
        )
        guard.retry = writer.retry_backlog
        tokens = [RE.subscribe(writer)]
        RE.preprocessors.append(
            functools.partial(
                beam_guard, current=bl.ring.current, floor_mA=prof.source.dump_threshold_mA
            )
        )
        RE.install_suspender(
            SuspendFloor(
                bl.ring.current,
                prof.source.dump_threshold_mA,
                resume_thresh=prof.source.refill_threshold_mA,
            )
        )
        stream = publish_to if publish_to is not None else prof.streaming.publish
        publishers = []
        if stream is not None:
            publisher = make_publisher(stream, prefix=prof.streaming.prefix)
            publishers.append(publisher)
            # a bus failure is logged and the scan goes on: the catalog writer keeps everything
            tokens.append(RE.subscribe(make_callback_safe(publisher, logger=logger)))
        analyses: list[AnalysisCallback] = []
        if live and (prof.streaming.local_analysis or stream is None):
            analyses = analysis_callbacks(
                prof, publish=writer, echo=echo, plot_dir=ddir / "plots", figures=board
            )
            for cb in analyses:
                tokens.append(
                    RE.subscribe(make_callback_safe(cb, logger=logger) if safe_callbacks else cb)
                )
        if progress:
            tokens.append(RE.subscribe(ScanProgress()))
        readable = live_table(prof, table) if table else None
        if readable is not None:
            tokens.append(RE.subscribe(readable))
        return Session(
            prof,
            ddir,
            RE,
            bl,
            catalog,
            writer,
            analyses,
            SimpleNamespace(
                **bound_plans(
                    bl,
                    factor_source=anomalous_factor_source(analyses, catalog),
                    progress_source=design_progress_source(analyses),
                )
            ),
            tokens,
            publishers,
            lock,
            guard,
            board,
        )
    except BaseException:
        lock.release()
        raise
