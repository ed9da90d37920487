"""Journal, recovery, data-dir lock and catalog file handling (issue 12, DESIGN §14)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from axsuite.session.journal import Journal, encode, read_journal
from axsuite.session.spool import ABORT_REASON, prepare_run
from axsuite.session.storage import DataDirLock, StorageError, check_storage


def _run_docs(n_events: int, *, stop: bool = True, repeat: tuple[int, ...] = ()):
    """A small run: start, descriptor, events 1..n (seq_nums in ``repeat`` measured twice)."""
    start = {"uid": "run-1", "time": 1.0, "scan_id": 1}
    desc = {
        "uid": "desc-1",
        "run_start": "run-1",
        "name": "primary",
        "time": 1.0,
        "data_keys": {"x": {"dtype": "number", "shape": [], "source": "sim"}},
    }
    docs = [("start", start), ("descriptor", desc)]
    for seq in range(1, n_events + 1):
        for again in range(2 if seq in repeat else 1):
            docs.append(
                (
                    "event",
                    {
                        "uid": f"ev-{seq}-{again}",
                        "descriptor": "desc-1",
                        "seq_num": seq,
                        "time": 1.0 + seq,
                        "data": {"x": float(seq) + 0.5 * again},
                        "timestamps": {"x": 1.0 + seq},
                    },
                )
            )
    if stop:
        docs.append(
            (
                "stop",
                {
                    "uid": "stop-1",
                    "run_start": "run-1",
                    "time": 99.0,
                    "exit_status": "success",
                    "num_events": {"primary": n_events},
                },
            )
        )
    return docs


def test_journal_keeps_every_document_and_closes_at_stop(tmp_path):
    journal = Journal(tmp_path / "journal")
    docs = _run_docs(5)
    for name, doc in docs:
        journal.append(name, doc)
    got, problems = read_journal(journal.path("run-1"))
    assert problems == [] and [n for n, _ in got] == [n for n, _ in docs]
    assert got[3][1]["data"] == {"x": 2.0}
    assert not journal._files  # closed (and fsync'd) at the stop


def test_reader_keeps_complete_lines_and_reports_damage(tmp_path):
    docs = _run_docs(4)
    lines = [encode(n, d) for n, d in docs]
    cut = tmp_path / "cut.jsonl"  # a crash or a full disk cut the last line
    cut.write_text("".join(lines[:-1]) + lines[-1][:17])
    got, problems = read_journal(cut)
    assert len(got) == len(docs) - 1 and problems and problems[0].startswith("damaged tail")
    middle = tmp_path / "middle.jsonl"
    middle.write_text("".join(lines[:3]) + '{"name": "event", "doc": {\n' + "".join(lines[3:]))
    got, problems = read_journal(middle)
    assert len(got) == len(docs) and problems[0].startswith("damaged line 4")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    assert read_journal(empty) == ([], [])


def test_journal_write_cut_by_the_disk_leaves_later_lines_readable(tmp_path):
    journal = Journal(tmp_path)
    docs = _run_docs(3, stop=False)
    for name, doc in docs[:3]:
        journal.append(name, doc)
    # what a write refused part-way leaves: half a line without its newline
    with open(journal.path("run-1"), "a") as f:
        f.write(encode(*docs[3])[:20])
    journal._cut.add("run-1")
    journal.append(*docs[4])
    got, problems = read_journal(journal.path("run-1"))
    assert [d["seq_num"] for n, d in got if n == "event"] == [1, 3]
    assert problems == ["damaged line 4 (20 bytes) skipped"]


def test_recovery_keeps_the_last_remeasurement_and_closes_as_abort():
    docs, n_replaced, had_stop = prepare_run(_run_docs(6, stop=False, repeat=(3, 6)))
    events = [d for n, d in docs if n == "event"]
    assert [e["seq_num"] for e in events] == [1, 2, 3, 4, 5, 6] and n_replaced == 2
    assert events[2]["data"]["x"] == 3.5  # the re-measured value, not the first one
    name, stop = docs[-1]
    assert name == "stop" and not had_stop
    assert stop["exit_status"] == "abort" and stop["reason"] == ABORT_REASON
    assert stop["num_events"] == {"primary": 6} and stop["time"] == 7.0
    with pytest.raises(ValueError, match="start document"):
        prepare_run(docs[1:])


def test_second_process_on_a_data_dir_is_refused_with_the_first_pid(tmp_path):
    lock = DataDirLock(tmp_path)
    lock.acquire()
    code = (
        "from axsuite.session.storage import DataDirLock, StorageError\n"
        f"try:\n    DataDirLock(r'{tmp_path}').acquire()\nexcept StorageError as e:\n    print(e)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert f"PID {os.getpid()}" in out.stdout and "in use by another axs session" in out.stdout
    lock.release()
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == ""


def test_storage_check_names_the_problem(tmp_path):
    check_storage(tmp_path)
    with pytest.raises(StorageError, match="MB free"):
        check_storage(tmp_path, min_free_bytes=1 << 62)
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(StorageError, match="cannot write in"):
        check_storage(blocker)


def test_list_runs_reads_the_catalog_file_and_damage_is_one_line(tmp_path):
    from axsuite.session.catalog import CatalogDamaged, list_runs

    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "catalog.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(CatalogDamaged, match="damaged catalog database"):
        list_runs(bad)
