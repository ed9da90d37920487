"""Helpers of the fault tests: run :mod:`fault_session` in child processes, kill them, and
count points measured, stored, lost and duplicated."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

CHILD = Path(__file__).with_name("fault_session.py")
#: Longest time (s) a child may take to start and finish a scan in CI.
CHILD_TIMEOUT_S = 600.0


@dataclasses.dataclass
class Tally:
    """Points of one fault scenario."""

    scenario: str
    measured: int = 0
    stored: int = 0
    lost: int = 0
    duplicated: int = 0
    note: str = ""

    def line(self) -> str:
        """One row of the fault table."""
        return (
            f"{self.scenario:<28} measured {self.measured:5d}  stored {self.stored:5d}  "
            f"lost {self.lost:4d}  duplicated {self.duplicated:4d}  {self.note}"
        )


def spawn(mode: str, data_dir: Path, *args: str, log_dir: Path | None = None) -> subprocess.Popen:
    """Start a fault session child (line-buffered text stdout, stderr to a file)."""
    log_dir = log_dir or data_dir.parent
    err = open(log_dir / f"{data_dir.name}-{mode}-{time.monotonic_ns()}.err", "w")  # noqa: SIM115
    proc = subprocess.Popen(
        [sys.executable, str(CHILD), mode, str(data_dir), *args],
        stdin=subprocess.PIPE if "--hold" in args else None,
        stdout=subprocess.PIPE,
        stderr=err,
        text=True,
        bufsize=1,
    )
    proc.stderr_path = Path(err.name)  # type: ignore[attr-defined]
    err.close()
    return proc


def run_until(
    proc: subprocess.Popen,
    kill_at: int | None,
    on_line: Callable[[str], None] | None = None,
    seen: set[int] | None = None,
) -> tuple[set[int], list[str]]:
    """Read the child's lines (``on_line`` sees each); SIGKILL it once it reports point
    ``kill_at`` (None: let it finish). Returns the seq_nums it reported and its lines."""
    seen = set() if seen is None else seen
    lines = []
    deadline = time.monotonic() + CHILD_TIMEOUT_S
    assert proc.stdout is not None
    for raw in proc.stdout:
        # the child's threads may write on one line ("seq 8echo catalog: …"): split them
        parts = [p for p in re.split(r"(?=echo )", raw.rstrip("\n")) if p]
        lines.extend(parts)
        if on_line is not None:
            for part in parts:
                on_line(part)
        line = parts[0] if parts else ""
        if line.startswith("seq "):
            seq = int(line.split()[1])
            seen.add(seq)
            if kill_at is not None and seq >= kill_at:
                os.kill(proc.pid, signal.SIGKILL)
                break
        if time.monotonic() > deadline:
            proc.kill()
            raise TimeoutError(f"fault session did not finish within {CHILD_TIMEOUT_S} s")
    proc.wait(timeout=60)
    proc.stdout.close()
    return seen, lines


def set_read_only(paths: list[Path], read_only: bool) -> bool:
    """Make files read-only even for root (``chattr +i``; ``chmod`` otherwise); False if
    this machine cannot."""
    if os.geteuid() == 0:
        flag = "+i" if read_only else "-i"
        done = subprocess.run(["chattr", flag, *map(str, paths)], capture_output=True)
        return done.returncode == 0 and (not read_only or not os.access(paths[0], os.W_OK))
    for p in paths:
        p.chmod(0o444 if read_only else 0o644)
    return True


def report(data_dir: Path, log_dir: Path | None = None) -> list[dict]:
    """Start a session on ``data_dir`` (it recovers the journal) and list its raw runs."""
    proc = spawn("report", data_dir, log_dir=log_dir)
    _, lines = run_until(proc, None)
    if proc.returncode != 0:
        raise RuntimeError(f"report failed: {proc.stderr_path.read_text()[-2000:]}")  # type: ignore[attr-defined]
    return [json.loads(line) for line in lines if line.startswith("{")]


def tally(scenario: str, measured: set[int], stored_seqs: list[int], note: str = "") -> Tally:
    """Compare the points a child reported with those stored for its run."""
    stored = set(stored_seqs)
    return Tally(
        scenario,
        measured=len(measured),
        stored=len(stored_seqs),
        lost=len(measured - stored),
        duplicated=len(stored_seqs) - len(stored),
        note=note,
    )
