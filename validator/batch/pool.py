"""Reading a batch: each file in a worker process (cache first when resuming), results in input order.

The worker reads one file into a ReportRow (or a one-line error) and, for annotation, the compact cell
map of its Report (model.compact_report); it writes the cache entry itself, so an interrupted run keeps
every file already read. A bounded number of files is in flight, so memory stays flat on any batch.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from validator.batch.cache import ResultCache, store
from validator.batch.inputs import InputFile


def _init_worker() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the pool


def read_task(path: str, cache_file: str | None, keep_cells: bool = False) -> tuple:
    """Worker: one file → (ReportRow | None, error | None, seconds, compact cells | None).

    The cache entry (row or error, and the compact cell map) is written here; the cell map is sent back
    only when the batch annotates (it is what annotation needs of the Report, so no file is read twice).
    """
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
    if outcome.report is not None:
        try:
            row = to_row(outcome.report)
            similarity.attach(row)
            cells = compact_report(outcome.report)
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the batch: say which file and what
            row, cells, error = None, None, f"{Path(path).name}: 读取失败 ({type(exc).__name__}: {exc})"
    else:
        error = outcome.error
    if cache_file:
        try:
            store(Path(cache_file), row, error, cells)
        except (OSError, TypeError, ValueError):
            pass  # not cached: the next run reads the file again
    return row, error, time.perf_counter() - started, cells if keep_cells else None


@dataclass
class ReadItem:
    input: InputFile
    row: object = None  # ReportRow
    error: str | None = None
    cells: dict | None = None  # compact cell map (model.compact_report), kept only when annotating
    cached: bool = False
    seconds: float = 0.0


def read_all(
    files: list[InputFile],
    jobs: int,
    cache: ResultCache | None,
    resume: bool,
    progress: Callable[[int, int], None] | None = None,
    quiet: bool = False,
    keep_cells: bool = False,
) -> list[ReadItem]:
    """Read every file (cache first when resuming, then a process pool); items in input order."""
    items = [ReadItem(f, error=f.error) for f in files]
    todo: list[int] = []
    for k, item in enumerate(items):
        if item.error:
            continue
        if resume and cache is not None and item.input.digest:
            hit = cache.load(item.input.digest)
            if hit is not None and not (keep_cells and hit[0] is not None and hit[2] is None):
                item.row, item.error, cells = hit
                item.cells = cells if keep_cells else None
                item.cached = True
                continue
        todo.append(k)
    bar = _progress_bar(len(items), quiet)
    done = len(items) - len(todo)
    if bar is not None:
        bar.update(done)

    def finished(k: int, result) -> None:
        nonlocal done
        items[k].row, items[k].error, items[k].seconds, items[k].cells = result
        done += 1
        if bar is not None:
            bar.update(1)
        if progress is not None:
            progress(done, len(items))

    def cache_file(k: int) -> str | None:
        digest = items[k].input.digest
        return str(cache.path(digest)) if cache is not None and digest else None

    try:
        if jobs <= 1 or len(todo) <= 1:
            for k in todo:
                finished(k, read_task(str(items[k].input.path), cache_file(k), keep_cells))
        else:
            _read_in_pool(items, todo, jobs, cache_file, finished, keep_cells)
    finally:
        if bar is not None:
            bar.close()
    return items


def _read_in_pool(items, todo, jobs, cache_file, finished, keep_cells: bool = False) -> None:
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    context = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
    if context is not None:
        _preload()
    pool = ProcessPoolExecutor(max_workers=min(jobs, len(todo)), mp_context=context, initializer=_init_worker)
    try:
        pending = {}
        queue = iter(todo)
        window = jobs * 8  # bounded in flight: results come back as they finish, memory stays flat
        for k in queue:
            pending[pool.submit(read_task, str(items[k].input.path), cache_file(k), keep_cells)] = k
            if len(pending) >= window:
                break
        while pending:
            finished_set, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished_set:
                k = pending.pop(future)
                try:
                    result = future.result()
                except Exception as exc:  # noqa: BLE001 - a worker that died (out of memory, crash)
                    result = (
                        None,
                        f"{Path(items[k].input.display).name}: 读取进程异常退出 ({type(exc).__name__})",
                        0.0,
                        None,
                    )
                finished(k, result)
                nxt = next(queue, None)
                if nxt is not None:
                    pending[
                        pool.submit(read_task, str(items[nxt].input.path), cache_file(nxt), keep_cells)
                    ] = nxt
    except BaseException:
        workers = list((getattr(pool, "_processes", None) or {}).values())
        pool.shutdown(wait=False, cancel_futures=True)
        for process in workers:
            process.terminate()  # our own workers only; each cache entry is atomic, none is left half-written
        for process in workers:
            process.join(timeout=5)
        raise
    pool.shutdown(wait=True)


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
