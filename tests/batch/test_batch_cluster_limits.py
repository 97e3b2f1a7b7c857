"""A Dask worker reads each file within the bounds a local pool worker has: past OGI_MAX_SECONDS the
file is a one-line time-out (not cached, so --resume reads it again), and the worker goes on with the
next file; its address space is bounded once, its CPU limit restored after each file."""

from __future__ import annotations

import random
import resource
import time

import pytest

from validator.batch import run_batch
from validator.batch.cluster import RemoteTimeout, _cpu_limit, _deadline
from validator.testing.formats import series, write

pytest.importorskip("distributed")


def test_a_slow_file_on_the_cluster_is_a_time_out(tmp_path, monkeypatch):
    folder = tmp_path / "in"
    folder.mkdir()
    for report in series("示例县统计局", [2022, 2023], random.Random(5)):
        write(report, "text", folder)
    monkeypatch.setenv("OGI_BATCH_SLOW", "2.5")  # every file sleeps 2.5 s
    monkeypatch.setenv("OGI_MAX_SECONDS", "1")
    run = run_batch([folder], tmp_path / "out", quiet=True, scheduler="local:1")
    errors = [e.error for e in run.entries]
    assert len(errors) == 2 and all(e and "time limit exceeded" in e and "处理超时" in e for e in errors)
    assert all(e.startswith(("2022", "2023")) for e in errors)  # the file's name, one line
    monkeypatch.setenv("OGI_BATCH_SLOW", "0")
    monkeypatch.setenv("OGI_MAX_SECONDS", "60")
    again = run_batch([folder], tmp_path / "out", quiet=True, resume=True, scheduler="local:1")
    assert [e.error for e in again.entries] == [None, None] and again.tally()["ok"] + again.tally()[
        "warnings"
    ] == 2


def test_the_deadline_interrupts_python_and_leaves_nothing_pending():
    started = time.perf_counter()
    with pytest.raises(RemoteTimeout), _deadline(1):
        while True:
            sum(range(1000))
    assert time.perf_counter() - started < 5
    with _deadline(1):
        pass
    time.sleep(1.5)  # a cancelled deadline raises nothing later in this thread


def test_the_cpu_limit_is_restored():
    before = resource.getrlimit(resource.RLIMIT_CPU)
    restore = _cpu_limit(30)
    assert resource.getrlimit(resource.RLIMIT_CPU) != before or before[1] != resource.RLIM_INFINITY
    restore()
    assert resource.getrlimit(resource.RLIMIT_CPU) == before


def test_the_cpu_limit_is_restored_when_files_finish_out_of_order():
    """A worker started with several threads (`dask worker` defaults to one per core) reads files at once:
    the first to start may finish first, and the process must still end with the limit it had."""
    before = resource.getrlimit(resource.RLIMIT_CPU)
    first = _cpu_limit(30)
    second = _cpu_limit(30)
    first()
    assert resource.getrlimit(resource.RLIMIT_CPU) != before  # the second file is still bounded
    second()
    assert resource.getrlimit(resource.RLIMIT_CPU) == before
