"""The session's storage path (DESIGN §14): journal first, catalog writer off the RunEngine loop.

:class:`CatalogWriter` is what the RunEngine (and the analysis callbacks) send documents to.
Each document is appended to the write-ahead :class:`~.journal.Journal`, then queued for a
writer thread that hands it to a per-run ``TiledWriter``; a slow or failing catalog never
delays the RunEngine loop (so suspenders act at once). At every stop the caller waits
until the thread has written the run, so the catalog holds it when ``RE(...)`` returns.

A point re-measured after a suspension (the RunEngine rewinds and re-emits the same
``seq_num``) replaces the stored one: the thread holds back the newest event of each
stream until a later one (or the stop) arrives. When the journal cannot be written
(disk full, read-only) the plan is suspended (:class:`StorageGuard`) and the user is told in
one line; it resumes when the disk takes data again.
"""

from __future__ import annotations

import fcntl
import logging
import os
import queue
import shutil
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .journal import Journal

logger = logging.getLogger("axsuite.storage")

#: Free space (bytes) the data directory needs before a plan may start.
MIN_FREE_BYTES = 50 * 1024**2
#: Free space (bytes) the data directory needs before a suspended plan resumes.
RESUME_FREE_BYTES = 1024**2
#: Longest wait (s) at a stop for the catalog writer to catch up.
STOP_WAIT_S = 120.0


class StorageError(ValueError):
    """The data directory cannot take data (one line for the user)."""


def check_storage(data_dir: str | Path, min_free_bytes: int | None = None) -> None:
    """Raise :class:`StorageError` unless the journal directory is writable and has room
    (``min_free_bytes``, default :data:`MIN_FREE_BYTES`)."""
    if min_free_bytes is None:
        min_free_bytes = MIN_FREE_BYTES
    journal_dir = Path(data_dir) / "journal"
    try:
        journal_dir.mkdir(parents=True, exist_ok=True)
        probe = journal_dir / f".probe-{os.getpid()}"
        with open(probe, "wb") as f:
            f.write(b"x" * 4096)
            f.flush()
            os.fsync(f.fileno())
        probe.unlink()
    except OSError as exc:
        raise StorageError(
            f"cannot write in {journal_dir}: {exc.strerror or exc}; free space or fix its "
            "permissions before measuring"
        ) from None
    free = shutil.disk_usage(journal_dir).free
    if free < min_free_bytes:
        raise StorageError(
            f"only {free / 1024**2:.1f} MB free in {journal_dir} (need "
            f"{min_free_bytes / 1024**2:.0f} MB): free space before measuring"
        )


def catalog_problem(data_dir: str | Path) -> str | None:
    """Why the embedded catalog in ``data_dir`` cannot be written, or None."""
    d = Path(data_dir)
    for name in ("catalog.db", "tabular.db"):
        p = d / name
        if p.exists() and not os.access(p, os.W_OK):
            return f"{p} is read-only"
    if not os.access(d, os.W_OK):
        return f"{d} is read-only"
    return None


class DataDirLock:
    """One writing process per data directory: an exclusive ``flock`` on ``session.lock``
    holding the owner's PID. Sessions of one process share it (counted); the lock also
    goes when its holder dies, however it dies."""

    _held: dict[Path, list] = {}  # data dir → [file object, count] of this process
    _guard = threading.Lock()

    def __init__(self, data_dir: str | Path):
        self.path = Path(data_dir).resolve() / "session.lock"
        self._mine = False

    def acquire(self) -> None:
        """Take the lock or raise :class:`StorageError` naming the holder's PID."""
        with self._guard:
            held = self._held.get(self.path)
            if held is not None:
                held[1] += 1
                self._mine = True
                return
            f = open(self.path, "a+")  # noqa: SIM115 - held for the session's lifetime
            try:
                fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                f.seek(0)
                holder = f.read(64).strip() or "unknown"
                f.close()
                raise StorageError(
                    f"data directory {self.path.parent} is in use by another axs session "
                    f"(PID {holder}); close that session or give another --data-dir"
                ) from None
            f.truncate(0)
            f.write(f"{os.getpid()}\n")
            f.flush()
            self._held[self.path] = [f, 1]
            self._mine = True

    def release(self) -> None:
        """Release this holder's share of the lock (idempotent)."""
        with self._guard:
            held = self._held.get(self.path)
            if not self._mine or held is None:
                return
            self._mine = False
            held[1] -= 1
            if held[1] == 0:
                del self._held[self.path]
                held[0].close()


class _Run:
    """Writer state of one run: its TiledWriter and the held-back newest event per stream."""

    def __init__(self, writer: Any):
        self.writer = writer
        self.held: dict[str, dict] = {}
        self.failed = False


class CatalogWriter:
    """RunEngine subscriber: journal each document, write it to the catalog from a thread.

    ``make_run_writer()`` returns a fresh ``TiledWriter`` for one run; ``echo`` tells the
    user about catalog failures (one line per failed run).
    """

    def __init__(
        self,
        make_run_writer: Callable[[], Any],
        journal: Journal,
        *,
        echo: Callable[[str], None] | None = print,
        on_journal_error: Callable[[OSError], None] | None = None,
    ):
        self.make_run_writer = make_run_writer
        self.journal = journal
        self.echo = echo
        self.on_journal_error = on_journal_error
        self.failed_runs: list[str] = []
        self._runs: dict[str, _Run] = {}
        self._run_of: dict[str, str] = {}
        # documents the journal refused (disk full, read-only), in order, until it takes them
        self._backlog: list[tuple[str, dict]] = []
        self._backlog_lock = threading.Lock()
        self._q: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="axs-catalog-writer", daemon=True)
        self._thread.start()

    # ---------------------------------------------------------------- RunEngine side
    def __call__(self, name: str, doc: dict) -> None:
        refused = None
        with self._backlog_lock:
            if self._backlog:
                self._backlog.append((name, doc))
            else:
                try:
                    self.journal.append(name, doc)
                except OSError as exc:
                    self._backlog.append((name, doc))
                    refused = exc
        if refused is not None:
            if self.on_journal_error is not None:
                self.on_journal_error(refused)
            else:
                logger.error("journal write failed: %s", refused)
        self._q.put((name, doc))
        if name == "stop" and not self.flush(STOP_WAIT_S) and self.echo is not None:
            self.echo(
                f"catalog: still writing after {STOP_WAIT_S:.0f} s; the run is safe in "
                f"{self.journal.dir}"
            )

    def retry_backlog(self) -> bool:
        """Journal the documents the disk refused, in order; True when none is left."""
        with self._backlog_lock:
            while self._backlog:
                try:
                    self.journal.append(*self._backlog[0])
                except OSError:
                    return False
                self._backlog.pop(0)
        return True

    def flush(self, timeout: float | None = None) -> bool:
        """Wait until every queued document is written; False on timeout."""
        done = threading.Event()
        self._q.put(done)
        return done.wait(timeout)

    def close(self) -> None:
        """Write what is queued, stop the thread, fsync and close the journal."""
        if self._thread.is_alive():
            self._q.put(None)
            self._thread.join(STOP_WAIT_S)
        if not self.retry_backlog() and self.echo is not None:
            self.echo(
                f"storage: {len(self._backlog)} document(s) could not be journaled in "
                f"{self.journal.dir} (disk full or read-only); check the catalog"
            )
        self.journal.close()

    # ---------------------------------------------------------------- writer thread
    def _loop(self) -> None:
        while True:
            try:
                item = self._q.get(timeout=0.25)
            except queue.Empty:
                self._sync()
                continue
            if item is None:
                return
            if isinstance(item, threading.Event):
                item.set()
                continue
            self._write(*item)
            self._sync()

    def _sync(self) -> None:
        try:
            self.journal.sync_if_due()
        except OSError as exc:
            logger.error("journal fsync failed: %s", exc)

    def _run_uid(self, name: str, doc: dict) -> str:
        """The run of a document (registering a new run or descriptor)."""
        if name == "start":
            uid = doc["uid"]
            try:
                self._runs[uid] = _Run(self.make_run_writer())
            except Exception as exc:
                self._runs[uid] = _Run(None)
                self._fail(uid, self._runs[uid], exc)
            return uid
        if name == "descriptor":
            self._run_of[doc["uid"]] = doc["run_start"]
            return doc["run_start"]
        if name in ("event", "event_page"):
            return self._run_of.get(doc["descriptor"], "")
        return doc.get("run_start", "")

    def _write(self, name: str, doc: dict) -> None:
        uid = self._run_uid(name, doc)
        run = self._runs.get(uid)
        if run is None or run.failed:
            if name == "stop":
                self._runs.pop(uid, None)
            return
        try:
            self._send(run, name, doc)
        except Exception as exc:
            self._fail(uid, run, exc)
        if name == "stop":
            self._runs.pop(uid, None)
            self._run_of = {d: r for d, r in self._run_of.items() if r != uid}
            if not run.failed and not self._backlog:
                self.journal.discard(uid)

    def _send(self, run: _Run, name: str, doc: dict) -> None:
        """Hand one document to the run's TiledWriter (events through the hold-back)."""
        if name == "event":
            self._event(run, doc)
        elif name == "event_page":
            from event_model import unpack_event_page

            for event in unpack_event_page(doc):
                self._event(run, event)
        else:
            if name == "stop":
                for held in run.held.values():
                    run.writer("event", held)
                run.held.clear()
            run.writer(name, doc)

    @staticmethod
    def _event(run: _Run, doc: dict) -> None:
        """Hold the newest event of a stream; an event with the same ``seq_num`` replaces it."""
        previous = run.held.get(doc["descriptor"])
        run.held[doc["descriptor"]] = doc
        if previous is not None and previous["seq_num"] < doc["seq_num"]:
            run.writer("event", previous)

    def _fail(self, uid: str, run: _Run, exc: Exception) -> None:
        run.failed = True
        self.failed_runs.append(uid)
        logger.warning("catalog write of run %s failed", uid, exc_info=exc)
        if self.echo is not None:
            self.echo(
                f"catalog: cannot write run {uid[:8]} ({type(exc).__name__}: "
                f"{str(exc).splitlines()[0] if str(exc) else 'no detail'}); every point is kept "
                f"in {self.journal.path(uid)} and written at the next start or by `axs backfill`"
            )


class StorageGuard:
    """Pause the plan while the journal cannot be written, and check the disk before motion.

    Installs a suspender on an internal ``storage_fault`` signal. :meth:`fault` (called by
    :class:`CatalogWriter` when a journal write fails) tells the user in one line and trips
    it; a probe thread lifts it as soon as the data directory takes data again. As a
    RunEngine preprocessor it refuses to start a plan when the disk is full or read-only.
    """

    def __init__(
        self,
        RE: Any,
        data_dir: str | Path,
        *,
        echo: Callable[[str], None] | None = print,
        embedded: bool = True,
        probe_interval_s: float = 1.0,
    ):
        from bluesky.suspenders import SuspendBoolHigh
        from ophyd import Signal

        self.data_dir = Path(data_dir)
        self.echo = echo
        self.embedded = embedded
        self.probe_interval_s = probe_interval_s
        self.signal = Signal(name="storage_fault", value=0)
        self.faults = 0
        #: called when the disk takes data again; True once nothing waits (the plan resumes)
        self.retry: Callable[[], bool] = lambda: True
        self._probing = threading.Lock()
        RE.install_suspender(
            SuspendBoolHigh(self.signal, sleep=0.2, tripped_message="the journal cannot be written")
        )
        RE.preprocessors.append(self.before_plan)

    def before_plan(self, plan: Any) -> Any:
        """RunEngine preprocessor: refuse to start on a full or read-only data directory."""
        check_storage(self.data_dir)
        problem = catalog_problem(self.data_dir) if self.embedded else None
        if problem and self.echo is not None:
            self.echo(
                f"catalog: {problem}; every point goes to the journal and is written into the "
                "catalog at the next start or by `axs backfill` once it is writable"
            )
        return plan

    def fault(self, exc: OSError) -> None:
        """The journal refused a document: suspend the plan until the disk takes data again."""
        if not self._probing.acquire(blocking=False):
            return
        self.faults += 1
        if self.echo is not None:
            self.echo(
                f"storage: cannot write the journal in {self.data_dir / 'journal'} "
                f"({exc.strerror or exc}); the scan is paused until the disk takes data again"
            )
        self.signal.put(1)
        threading.Thread(target=self._probe, name="axs-storage-probe", daemon=True).start()

    def _probe(self) -> None:
        try:
            while True:
                threading.Event().wait(self.probe_interval_s)
                try:
                    check_storage(self.data_dir, min_free_bytes=RESUME_FREE_BYTES)
                except StorageError:
                    continue
                if not self.retry():
                    continue
                if self.echo is not None:
                    self.echo("storage: the journal is writable again; the scan resumes")
                self.signal.put(0)
                return
        finally:
            self._probing.release()
