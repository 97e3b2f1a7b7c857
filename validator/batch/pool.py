"""Reading a batch: each file in a worker process (cache first when resuming), results in input order.

The worker reads one file into a ReportRow (or a one-line error) and, for annotation, the compact cell
map of its Report (model.compact_report); it writes the cache entry itself, so an interrupted run keeps
every file already read, and hands the row back encoded, which the main process appends to its disk
parts (spill.py) without holding it. A bounded number of files is in flight, so memory stays flat on
any batch.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from validator.batch.cache import ResultCache, dumps, store_bytes
from validator.batch.inputs import InputFile
from validator.batch.items import ReadItems
from validator.batch.spill import Spill

MEMORY_MB = 2048  # per file, above what the worker holds when it starts (OGI_MAX_MEMORY_MB overrides)
SECONDS = 300  # per file, wall clock and CPU (OGI_MAX_SECONDS overrides)
# errors that say nothing about the file's content: never cached, so --resume reads the file again
TRANSIENT = ("out of memory", "time limit", "worker killed", "timed out")


def is_transient(error: str | None) -> bool:
    return bool(error) and any(marker in error for marker in TRANSIENT)


def _limit(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, default)))
    except ValueError:
        return default


class FileTimeout(BaseException):
    """Raised in a worker by SIGALRM: a BaseException, so no reader's `except Exception` swallows it."""


def _on_alarm(signum, frame) -> None:
    raise FileTimeout


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool
    _die_with_parent()
    signal.signal(signal.SIGALRM, _on_alarm)
    try:
        import resource

        # address space: what the worker maps now (the forked interpreter and its libraries) plus a budget
        with open("/proc/self/statm") as fh:
            mapped = int(fh.read().split()[0]) * resource.getpagesize()
        limit = mapped + _limit("OGI_MAX_MEMORY_MB", MEMORY_MB) * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or limit < hard:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError):
        pass  # not Linux: no memory bound, the pool still survives a worker the system kills


def _die_with_parent() -> None:
    """Linux: the kernel kills this worker when the process that forked it dies (even by SIGKILL)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def _start_clock() -> None:
    """Wall-clock alarm (a reader waiting or looping in Python) and a CPU limit (a loop in C code, where
    the alarm's handler cannot run: the kernel's SIGXCPU ends the worker, reported as a time-out)."""
    seconds = _limit("OGI_MAX_SECONDS", SECONDS)
    signal.alarm(seconds)
    try:
        import resource

        usage = resource.getrusage(resource.RUSAGE_SELF)
        used = int(usage.ru_utime + usage.ru_stime) + 1
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        soft = used + seconds + 2
        if hard == resource.RLIM_INFINITY or soft < hard:
            resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
    except (ImportError, OSError, ValueError):
        pass


def _stop_clock() -> None:
    signal.alarm(0)


def bounded_read_task(
    path: str, cache_file: str | None, keep_cells: bool = False, display: str = ""
) -> tuple:
    """read_task in a pool worker, within the time bound; a time-out or MemoryError becomes a transient
    one-line error (not cached)."""
    name = _shown(display or path)
    started = time.perf_counter()
    _start_clock()
    try:
        return read_task(path, cache_file, keep_cells, display)
    except FileTimeout:
        return timed_out(name, _limit("OGI_MAX_SECONDS", SECONDS), started)
    except MemoryError:
        return out_of_memory(name, started)
    finally:
        _stop_clock()


def timed_out(name: str, seconds: int, started: float) -> tuple:
    """The task's result for a file over its time bound: a transient one-line error (read again on --resume)."""
    return (
        None,
        f"{name}: 处理超时（超过 {seconds} 秒） (time limit exceeded)",
        time.perf_counter() - started,
        None,
    )


def out_of_memory(name: str, started: float) -> tuple:
    """The task's result for a file over its memory bound: a transient one-line error."""
    return None, f"{name}: 文件过大，内存不足 (out of memory)", time.perf_counter() - started, None


def read_task(
    path: str, cache_file: str | None, keep_cells: bool = False, display: str = "", data: bytes | None = None
) -> tuple:
    """Worker: one file → (encoded row | None, error | None, seconds, (agency, year) | None).

    The row goes back encoded (the cache codec), for the main process to append to its disk parts
    without decoding it; with it only what linking years needs (agency and year as read). The cache
    entry (row or error, and the compact cell map) is written here when ``cache_file`` is given; the same
    bytes go back (annotation takes the cell map from them, so no file is read twice). ``data``: the file's bytes,
    for a worker that cannot see ``path`` (a cluster node): read from a private temp copy of that name.
    """
    if data is not None:
        import tempfile

        with tempfile.TemporaryDirectory(prefix="ogi-remote-") as folder:
            local = Path(folder) / (Path(path).name or "report")
            local.write_bytes(data)
            return read_task(str(local), cache_file, keep_cells, display or path)
    from validator.api import read_one
    from validator.engine import similarity
    from validator.engine.frame import to_row
    from validator.model import compact_report

    started = time.perf_counter()
    slow = os.environ.get("OGI_BATCH_SLOW")  # tests only: make files slow enough to interrupt a run
    if slow:
        time.sleep(float(slow))
    outcome = read_one(path)
    row = error = cells = None
    name = _shown(display or path)
    if outcome.report is not None:
        try:
            row = to_row(outcome.report)
            similarity.attach(row)
            cells = compact_report(outcome.report)
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the batch: say which file and what
            row, cells, error = None, None, f"{name}: 读取失败 ({type(exc).__name__}: {exc})"
    else:
        error = outcome.error
        if error and error.startswith(f"{Path(path).name}:") and name != Path(path).name:
            error = name + error[len(Path(path).name) :]  # a zip member or a remote copy: not its temp name
    payload = ident = None
    try:
        full = dumps(row, error, cells)
        if row is not None:
            payload = (
                full  # the cache entry itself: a second encoding without the cells costs the worker more
            )
            ident = (row.meta.get("agency"), row.meta.get("year"))
    except (TypeError, ValueError) as exc:  # a value the codec refuses: this file's row, not the run
        full, row, error = None, None, f"{name}: 读取失败 ({type(exc).__name__}: {exc})"
    if cache_file and full is not None and not is_transient(error):
        try:
            store_bytes(Path(cache_file), full)
        except OSError:
            pass  # not cached: the next run reads the file again
    return payload, error, time.perf_counter() - started, ident


@dataclass(slots=True)
class ReadItem:
    """What the main process keeps of one file: no row (that is on disk, in the Spill), a few fields. A
    batch holds its files' as columns (items.ReadItems, whose ``items[k]`` has these attributes); this
    class is for the few items made one by one (last year's reports from the store)."""

    input: InputFile
    error: str | None = None
    cached: bool = False
    seconds: float = 0.0
    ident: tuple | None = None  # (agency, year) as the document states them, when the file was read


def read_all(
    files: list[InputFile] | ReadItems,
    jobs: int,
    cache: ResultCache | None,
    resume: bool,
    progress: Callable[[int, int], None] | None = None,
    quiet: bool = False,
    keep_cells: bool = False,
    spill: Spill | None = None,
    remote: Callable | None = None,
) -> ReadItems:
    """Read every file (cache first when resuming, then a process pool, or ``remote`` — e.g. a Dask
    cluster, cluster.read_on_cluster — called as ``remote(items, todo, finished, cache_file, keep_cells)``);
    items in input order, each readable file's encoded row appended to ``spill`` as it arrives."""
    items = files if isinstance(files, ReadItems) else ReadItems.of(files)
    todo: list[int] = []
    for k, item in enumerate(items):
        if item.error:
            continue
        if resume and cache is not None and item.input.digest:
            hit = cache.load_bytes(item.input.digest)
            if (
                hit is not None
                and not is_transient(hit[1][1])
                and not (keep_cells and hit[1][0] is not None and hit[1][2] is None)
            ):
                data, (row, item.error, _) = hit
                if row is not None:
                    spill.put(k, data)
                    item.ident = (row.meta.get("agency"), row.meta.get("year"))
                item.cached = True
                continue
        todo.append(k)
    bar = _progress_bar(len(items), quiet)
    done = len(items) - len(todo)
    if bar is not None:
        bar.update(done)

    def finished(k: int, result) -> None:
        nonlocal done
        payload, items[k].error, items[k].seconds, ident = result
        items[k].ident = ident
        if payload is not None:
            spill.put(k, payload)
        done += 1
        if bar is not None:
            bar.update(1)
        if progress is not None:
            progress(done, len(items))

    def cache_file(k: int) -> str | None:
        digest = items[k].input.digest
        return str(cache.path(digest)) if cache is not None and digest else None

    try:
        if remote is not None and todo:
            remote(items, todo, finished, cache_file, keep_cells)
        elif jobs <= 1 or not todo:
            for k in todo:
                finished(
                    k, read_task(str(items[k].input.path), cache_file(k), keep_cells, items[k].input.display)
                )
        else:
            _read_in_pool(items, todo, jobs, cache_file, finished, keep_cells)
    finally:
        if bar is not None:
            bar.close()
    return items


def _read_in_pool(items, todo, jobs, cache_file, finished, keep_cells: bool = False) -> None:
    """Files through a process pool, a bounded number in flight. A worker that dies (killed by the
    out-of-memory killer, a CPU time-out, a crash in C code) breaks the pool: the files it was holding
    are read again one at a time, each in a fresh one-worker pool, so the file that kills its worker is
    found and costs only its own row; the run goes on in a rebuilt pool."""
    import multiprocessing as mp
    from collections import deque

    context = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    if context is not None:
        _preload()
    live: list = []  # the pool in use, to stop its workers on Ctrl-C or an error

    def args(k: int) -> tuple:
        return str(items[k].input.path), cache_file(k), keep_cells, items[k].input.display

    queue = deque(todo)
    try:
        while queue:
            suspects = _run_pool(_new_pool(min(jobs, len(queue)), context, live), queue, jobs, args, finished)
            _close(live)
            for k in sorted(suspects):
                pool = _new_pool(1, context, live)
                future = pool.submit(bounded_read_task, *args(k))
                workers = list((getattr(pool, "_processes", None) or {}).values())
                try:
                    result = future.result()
                except BrokenProcessPool:
                    result = _lost(items[k].input.display, workers)
                except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be sent back
                    result = (
                        None,
                        f"{_shown(items[k].input.display)}: 读取失败 ({type(exc).__name__})",
                        0.0,
                        None,
                    )
                _close(live)
                finished(k, result)
    except BaseException:
        _close(live, kill=True)
        raise
    _close(live)


def _new_pool(workers: int, context, live: list):
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker)
    live.append(pool)
    return pool


def _close(live: list, kill: bool = False) -> None:
    while live:
        pool = live.pop()
        if not kill:
            pool.shutdown(wait=True)
            continue
        workers = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in workers:
            process.terminate()  # our own workers only; each cache entry is atomic, none is left half-written
        for process in workers:
            process.join(timeout=5)


def _run_pool(pool, queue, jobs: int, args, finished) -> list[int]:
    """Feed the pool from the queue until it is empty ([]) or the pool breaks (the files in flight)."""
    from concurrent.futures import FIRST_COMPLETED, wait

    pending: dict = {}
    window = jobs * 8  # bounded in flight: results come back as they finish, memory stays flat

    def submit() -> None:
        while queue and len(pending) < window:
            k = queue.popleft()
            pending[pool.submit(bounded_read_task, *args(k))] = k

    submit()
    while pending:
        done, _ = wait(pending, return_when=FIRST_COMPLETED)
        suspects = []
        for future in done:
            k = pending.pop(future)
            try:
                result = future.result()
            except BrokenProcessPool:
                suspects.append(k)
                continue
            except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be sent back
                result = (None, f"{_shown(args(k)[3])}: 读取失败 ({type(exc).__name__})", 0.0, None)
            finished(k, result)
        if suspects:
            return suspects + list(pending.values())
        submit()
    return []


def _lost(display: str, workers: list) -> tuple:
    """The row of a file whose worker died: the signal that ended it, as a transient error."""
    codes = [code for code in (_exit_code(process) for process in workers) if code is not None]
    code = next((c for c in codes if c != 0), None)
    name = _shown(display)
    if code is not None and code < 0 and -code == getattr(signal, "SIGXCPU", -1):
        seconds = _limit("OGI_MAX_SECONDS", SECONDS)
        return None, f"{name}: 处理超时（CPU 超过 {seconds} 秒） (time limit exceeded)", 0.0, None
    if code is not None and code < 0:
        try:
            how = signal.Signals(-code).name
        except ValueError:
            how = f"signal {-code}"
    else:
        how = f"exit {code}"
    return None, f"{name}: 读取进程异常退出（{how}，可能内存不足） (worker killed)", 0.0, None


def _exit_code(process, seconds: float = 10.0) -> int | None:
    """A dead worker's exit code. The pool's own thread may be reaping the same child at that moment
    (its waitpid wins, ours sees ECHILD and join returns with no code), so wait until it is recorded."""

    deadline = time.monotonic() + seconds
    process.join(timeout=seconds)
    while process.exitcode is None and time.monotonic() < deadline:
        time.sleep(0.02)
    return process.exitcode


def _shown(display: str) -> str:
    """A file as errors name it: its name, or for a zip member its path inside the archive."""
    return display.rsplit("!/", 1)[1] if "!/" in display else Path(display).name


def _preload() -> None:
    """Import the readers and their libraries once, before forking, so no worker pays for it again."""
    import importlib

    for name in (
        "validator.readers",
        "validator.readers.text",
        "validator.readers.html",
        "validator.readers.docx",
        "validator.readers.xlsx",
        "validator.engine.similarity",
        "lxml.etree",
        "openpyxl",
    ):
        try:
            importlib.import_module(name)
        except ImportError:
            pass


PROGRESS_DELAY = 1.0  # seconds before the bar shows: a quick batch prints nothing but its summary


def _progress_bar(total: int, quiet: bool):
    if quiet or total == 0 or not sys.stderr.isatty():
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(
        total=total, unit="份", desc="读取报告", file=sys.stderr, delay=PROGRESS_DELAY, dynamic_ncols=True
    )


def available_cores() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1
