"""Batch audit: every report under folders and .zip archives, read in parallel, validated in one pass.

    inputs.py   folders, files, .zip → InputFile per report file (zip members extracted safely), hashed
    cache.py    content hash → resume cache (DIR/.ogi-cache/<tool fingerprint>/<hash>.json.z, data only)
    items.py    what the run keeps of each file, in columns (name, hash, agency, year …)
    pool.py     or a worker process: ReportRow | one-line error per file (+ compact cells to annotate)
    engine.identity  agency/year fallback from the file name, aliases
    here        one frame, one evaluate() → Entry per input file
    outputs.py  writers (validator.render.summary), staged and committed atomically

Every input file becomes exactly one Entry, whatever happened to it. Outputs are written to a staging
folder and moved into DIR only when all are complete, with Ctrl-C held off during the move, so DIR always
holds either the previous complete set or the new one. Cache entries are written atomically as each file
is read, so an interrupted run loses nothing: `--resume` picks up where it stopped.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import tempfile
import time
import weakref
from collections.abc import Callable
from pathlib import Path

from validator.batch.cache import CACHE_DIR, ResultCache, tool_fingerprint
from validator.batch.cluster import last_workers, on_cluster
from validator.batch.entries import EntryStore
from validator.batch.inputs import Collected, InputFile, collect, hash_files
from validator.batch.items import ReadItems
from validator.batch.outputs import (
    ANNOTATED_DIR,
    STAGING_DIR,
    OutputError,
    deferred_interrupt,
    locked,
    output_error,
    write_all,
)
from validator.batch.pool import ReadItem, available_cores, read_all, read_task
from validator.batch.spill import Spill
from validator.batch.validate import validate_items as validate_chunks
from validator.engine.identity import alias_hints, from_file_name, identify, load_aliases
from validator.model import BatchRun, Entry

__all__ = [
    "ANNOTATED_DIR",
    "CACHE_DIR",
    "STAGING_DIR",
    "BatchRun",
    "Collected",
    "Entry",
    "EntryStore",
    "InputFile",
    "OutputError",
    "ReadItem",
    "ReadItems",
    "ResultCache",
    "Spill",
    "alias_hints",
    "available_cores",
    "cleanup_stale_workdirs",
    "collect",
    "deferred_interrupt",
    "from_file_name",
    "hash_files",
    "identify",
    "load_aliases",
    "read_all",
    "read_task",
    "release",
    "run_batch",
    "tool_fingerprint",
    "validate_items",
]


def validate_items(
    items: ReadItems | list[ReadItem],
    spill: Spill,
    ruleset=None,
    aliases: dict | None = None,
    size: int | None = None,
    on_chunk: Callable | None = None,
) -> tuple[EntryStore, float]:
    """An Entry for every item, in input order, on disk: validated a chunk of agencies at a time, with
    duplicates marked and one display name per agency (validate.py); ``on_chunk(entries, rows)`` sees
    each chunk before it goes to disk (validator.store: record it, hide waived findings)."""
    store = EntryStore(Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-entries-")), len(items))
    weakref.finalize(store, _drop_store, store)
    seconds = validate_chunks(items, spill, store, ruleset, aliases, size, on_chunk)
    return store, seconds


def _drop_store(store: EntryStore) -> None:
    store.close()
    shutil.rmtree(store.path.parent, ignore_errors=True)


def release(run: BatchRun) -> None:
    """Remove the run's entries from disk now (else when the run is garbage-collected or the process
    exits): the command line calls it once it has printed its summary."""
    if isinstance(run.entries, EntryStore):
        _drop_store(run.entries)


def run_batch(
    paths: list[str | Path],
    out_dir: str | Path,
    *,
    jobs: int | None = None,
    resume: bool = False,
    quiet: bool = False,
    aliases: str | Path | None = None,
    select=(),
    ignore=(),
    progress: Callable[[int, int], None] | None = None,
    annotate: bool = False,
    scheduler: str | None = None,
    send: str | None = None,
    store: str | Path | bool | None = True,
    waivers: list | None = None,
) -> BatchRun:
    """The whole audit: collect, read (parallel or on a Dask cluster, cached, rows spilled to disk as
    they arrive), validate (a chunk of agencies at a time), write DIR atomically.
    ``store``: True keeps DIR/ogi.duckdb, a path a shared store, None/False none; ``waivers``: reviewed
    findings to hide (validator.store: the memory across runs)."""
    from validator.catalogue import load_catalogue
    from validator.engine.rules import build_ruleset
    from validator.store.crossyear import Memory

    out = Path(out_dir)
    jobs = jobs or available_cores()
    try:
        alias_map = load_aliases(aliases)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:  # an input the run needs: one line, exit 2
        raise OutputError(
            f"{aliases}: 别名文件无法读取，请存为 UTF-8 编码的 CSV (aliases file unreadable: {exc})"
        ) from None
    catalogue = load_catalogue()
    ruleset = build_ruleset(catalogue, tuple(select), tuple(ignore))
    with locked(out):
        cache_store = ResultCache(out, width=len(catalogue.cell_ids))
        try:
            cache_store.prepare()
            probe = out / f".ogi-probe-{os.getpid()}"
            probe.write_bytes(b"")  # unwritable: said now, not after reading thousands of files
            probe.unlink()
        except OSError as exc:
            raise output_error(exc, out) from None
        cleanup_stale_workdirs()
        memory = Memory.of(out, store, waivers)
        return _run_locked(
            paths,
            out,
            jobs,
            resume,
            quiet,
            alias_map,
            ruleset,
            cache_store,
            progress,
            annotate,
            (scheduler, send),
            memory,
        )


WORKDIR_PREFIX = "ogi-batch-"


def cleanup_stale_workdirs() -> None:
    """Remove temp folders (extracted zip members) left by batches that were killed: ogi-batch-<pid>-*
    whose process is gone."""
    root = Path(tempfile.gettempdir())
    try:
        candidates = list(root.glob(f"{WORKDIR_PREFIX}*"))
    except OSError:
        return
    for path in candidates:
        m = re.match(rf"{WORKDIR_PREFIX}(\d+)-", path.name)
        if not m or not path.is_dir():
            continue
        pid = int(m.group(1))
        try:
            os.kill(pid, 0)
            continue  # still running
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except (OSError, OverflowError):
            continue  # another user's live process, or unknown: leave it


def _run_locked(
    paths, out, jobs, resume, quiet, alias_map, ruleset, cache_store, progress, annotate, cluster, memory
) -> BatchRun:
    scheduler, send = cluster
    workdir = Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-"))
    try:
        collected = collect(paths, workdir, exclude=[out])
        hash_files(collected.files)
        files = ReadItems.of(collected.files)  # columns: a few bytes a file held for the run, no objects
        collected.files = []
        spill = Spill(workdir / "parts", len(files), cache_store.width)
        started = time.perf_counter()
        try:
            items = read_all(
                files,
                jobs,
                cache_store,
                resume,
                progress,
                quiet,
                keep_cells=annotate,
                spill=spill,
                remote=on_cluster(scheduler, send) if scheduler else None,
            )
            read_seconds = time.perf_counter() - started
            if scheduler:
                jobs = last_workers() or jobs
            entries, validate_seconds = memory.validate(items, spill, ruleset, alias_map, validate_items)
        except OSError as exc:  # the temp folder full or gone: one line, DIR untouched
            raise OutputError(
                f"{workdir}: 临时文件夹无法写入，请清理空间或设置 TMPDIR ({exc.strerror or exc})"
            ) from None
        run = BatchRun(
            entries,
            ruleset,
            collected.ignored,
            read_seconds,
            validate_seconds,
            jobs,
            items.cached_count(),
            alias_hints(entries),
        )
        run.fingerprint = tool_fingerprint()
        memory.report(run)
        annotations = None
        if annotate:
            annotations = (
                (item.input.path, spill.load(k)[2], entry.result, item.input.display)
                for k, (item, entry) in enumerate(zip(items, entries))
                if item.input.path is not None and not entry.error and entry.result.findings
            )
        try:
            write_all(run, out, annotations)
        except OSError as exc:
            raise output_error(exc, out) from None
        finally:
            spill.close()
        return run
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
