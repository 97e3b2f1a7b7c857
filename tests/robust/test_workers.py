"""A batch survives any single worker: a killed, out-of-memory or stuck worker costs only the file it held
(a 无法读取 row with the reason), the pool is rebuilt, and none of those transient outcomes is cached."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import validator.api
from validator.batch import run_batch
from validator.batch.cache import ResultCache

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "samples").glob("*.txt"))

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="fork, rlimits and PDEATHSIG are Linux")


def _rows(out: Path) -> dict[str, dict]:
    with open(out / "reports.csv", encoding="utf-8-sig", newline="") as fh:
        return {Path(r["文件"]).name: r for r in csv.DictReader(fh)}


def _inputs(folder: Path, extra: list[str]) -> Path:
    folder.mkdir()
    for path in SAMPLES:
        shutil.copy(path, folder / path.name)
    for name in extra:  # distinct content, so each has its own cache entry
        shutil.copy(SAMPLES[0], folder / name)
        with open(folder / name, "a", encoding="utf-8") as fh:
            fh.write(f"\n{name}\n")
    return folder


def _cached(out: Path, folder: Path, name: str) -> bool:
    import hashlib

    digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
    return ResultCache(out).path(digest).exists()


def test_killed_worker_costs_only_its_file(tmp_path, monkeypatch):
    real = validator.api.read_one

    def read_one(path):
        if "kill-me" in str(path):
            os.kill(os.getpid(), signal.SIGKILL)  # as the out-of-memory killer does
        return real(path)

    monkeypatch.setattr(validator.api, "read_one", read_one)  # forked workers inherit it
    folder = _inputs(tmp_path / "in", ["kill-me.txt", "after-1.txt", "after-2.txt"])
    out = tmp_path / "out"
    run = run_batch([folder], out, jobs=2, quiet=True)
    rows = _rows(out)
    assert len(run.entries) == len(rows) == len(SAMPLES) + 3
    killed = rows["kill-me.txt"]
    assert killed["状态代码"] == "unreadable"
    assert "kill-me.txt" in killed["无法读取原因"] and "SIGKILL" in killed["无法读取原因"]
    for name in ("after-1.txt", "after-2.txt", *(p.name for p in SAMPLES)):
        assert rows[name]["状态代码"] != "unreadable", (name, rows[name]["无法读取原因"])
    assert not _cached(out, folder, "kill-me.txt"), "a killed worker is transient: read again on --resume"
    assert _cached(out, folder, "after-1.txt")


def test_memory_bound_per_file(tmp_path, monkeypatch):
    real = validator.api.read_one

    def read_one(path):
        if "hog" in str(path):
            hog = bytearray(3 * 1024**3)  # beyond the per-file bound: MemoryError in the worker
            hog[-1] = 1
        return real(path)

    monkeypatch.setattr(validator.api, "read_one", read_one)
    monkeypatch.setenv("OGI_MAX_MEMORY_MB", "512")
    folder = _inputs(tmp_path / "in", ["hog.txt"])
    out = tmp_path / "out"
    run_batch([folder], out, jobs=2, quiet=True)
    rows = _rows(out)
    assert rows["hog.txt"]["状态代码"] == "unreadable"
    assert "内存" in rows["hog.txt"]["无法读取原因"] and "hog.txt" in rows["hog.txt"]["无法读取原因"]
    assert all(r["状态代码"] != "unreadable" for n, r in rows.items() if n != "hog.txt")
    assert not _cached(out, folder, "hog.txt")


def test_time_bound_per_file(tmp_path, monkeypatch):
    real = validator.api.read_one

    def read_one(path):
        if "stuck" in str(path):
            time.sleep(60)
        return real(path)

    monkeypatch.setattr(validator.api, "read_one", read_one)
    monkeypatch.setenv("OGI_MAX_SECONDS", "2")
    folder = _inputs(tmp_path / "in", ["stuck.txt"])
    out = tmp_path / "out"
    started = time.monotonic()
    run_batch([folder], out, jobs=2, quiet=True)
    assert time.monotonic() - started < 30
    rows = _rows(out)
    assert rows["stuck.txt"]["状态代码"] == "unreadable" and "超时" in rows["stuck.txt"]["无法读取原因"]
    assert not _cached(out, folder, "stuck.txt")


def test_cpu_bound_kills_a_busy_worker(tmp_path, monkeypatch):
    real = validator.api.read_one

    def read_one(path):
        if "spin" in str(path):
            signal.signal(signal.SIGALRM, signal.SIG_IGN)  # a loop in C code ignores Python's alarm
            while True:
                pass
        return real(path)

    monkeypatch.setattr(validator.api, "read_one", read_one)
    monkeypatch.setenv("OGI_MAX_SECONDS", "2")
    folder = _inputs(tmp_path / "in", ["spin.txt"])
    out = tmp_path / "out"
    run_batch([folder], out, jobs=2, quiet=True)
    rows = _rows(out)
    assert rows["spin.txt"]["状态代码"] == "unreadable" and "超时" in rows["spin.txt"]["无法读取原因"]
    assert len(rows) == len(SAMPLES) + 1


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_die_with_the_parent(tmp_path):
    folder = _inputs(tmp_path / "in", [])
    env = {**os.environ, "OGI_BATCH_SLOW": "60"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from validator.cli import main; main()",
            "batch",
            str(folder),
            "--out",
            str(tmp_path / "out"),
            "-j",
            "2",
            "-q",
        ],
        env=env,
        cwd=ROOT,
    )
    workers: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(workers) < 2:
            time.sleep(0.5)
            workers = _children(proc.pid)
        assert len(workers) >= 2, "the batch started its workers"
        proc.kill()
        proc.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.2)
        assert not any(_alive(w) for w in workers), "workers outlived their parent"
    finally:
        proc.kill()
        for w in workers:
            if _alive(w):
                os.kill(w, signal.SIGKILL)
