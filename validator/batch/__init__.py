"""Batch audit: every report under folders and .zip archives, read in parallel, validated in one pass.

    inputs.py   folders, files, .zip → InputFile per report file (zip members extracted safely), hashed
    cache.py    content hash → resume cache (DIR/.ogi-cache/<tool fingerprint>/<hash>.json.z, data only)
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
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from validator.batch.cache import CACHE_DIR, ResultCache, tool_fingerprint
from validator.batch.inputs import Collected, InputFile, collect, hash_files
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
from validator.engine.identity import alias_hints, from_file_name, identify, identity, load_aliases
from validator.model import BatchRun, Entry

__all__ = [
    "ANNOTATED_DIR",
    "CACHE_DIR",
    "STAGING_DIR",
    "BatchRun",
    "Collected",
    "Entry",
    "InputFile",
    "OutputError",
    "ReadItem",
    "ResultCache",
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
    "run_batch",
    "tool_fingerprint",
    "validate_items",
]


def validate_items(
    items: list[ReadItem], ruleset=None, aliases: dict | None = None
) -> tuple[list[Entry], float]:
    """All readable rows in one frame and one evaluate() call; an Entry for every item, in input order."""
    from validator.api import validate
    from validator.model import ReportResult

    readable = [k for k, item in enumerate(items) if item.row is not None]
    for k in readable:
        identify(items[k].row, items[k].input.display, aliases or {})
    started = time.perf_counter()
    frame, results = validate([items[k].row for k in readable], ruleset)
    seconds = time.perf_counter() - started
    previous = frame.previous_index()
    entries: list[Entry] = []
    by_item: dict[int, int] = {k: position for position, k in enumerate(readable)}
    for k, item in enumerate(items):
        position = by_item.get(k)
        if position is None:  # unreadable: listed under the agency its file name gives, if any
            meta = identity({}, item.input.display, aliases or {})
            result = ReportResult(
                k, {"source": item.input.display}, error=item.error or "读取失败 (read failed)"
            )
            entries.append(
                Entry(
                    item.input.display,
                    item.input.digest,
                    meta.get("agency") or "",
                    meta["agency_name"],
                    meta["agency_key"],
                    meta.get("year"),
                    None,
                    None,
                    result,
                    item.cached,
                    item.seconds,
                    meta["agency_from"],
                    meta["year_from"],
                )
            )
            continue
        meta = item.row.meta
        result = results[position]
        result.index = k
        prev = int(previous[position])
        year = meta.get("year")
        entries.append(
            Entry(
                item.input.display,
                item.input.digest,
                meta.get("agency") or "",
                meta.get("agency_name") or "",
                meta.get("agency_key") or "",
                int(year) if year else None,
                meta.get("template"),
                meta.get("format"),
                result,
                item.cached,
                item.seconds,
                meta.get("agency_from"),
                meta.get("year_from"),
                items[readable[prev]].input.display if prev >= 0 else None,
            )
        )
    _mark_duplicates(entries)
    _name_agencies(entries)
    return entries, seconds


def _name_agencies(entries: list[Entry]) -> None:
    """One display name per agency: the alias's canonical name, else the spelling used most (latest wins
    a tie), so that every year of an agency sorts and filters together."""
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        if entry.agency_key:
            groups[entry.agency_key].append(entry)
    for group in groups.values():
        aliased = [e.agency_name for e in group if e.agency_name and e.agency_name != e.agency]
        if aliased:
            name = aliased[0]
        else:
            counts = Counter(e.agency for e in group if e.agency)
            latest = {e.agency: e.year or 0 for e in sorted(group, key=lambda e: e.year or 0)}
            name = max(counts, key=lambda n: (counts[n], latest.get(n, 0))) if counts else ""
        for entry in group:
            entry.agency_name = name


def _mark_duplicates(entries: list[Entry]) -> None:
    groups: dict[tuple[str, int], list[Entry]] = defaultdict(list)
    for entry in entries:
        if entry.agency_key and entry.year and entry.result.error is None:
            groups[(entry.agency_key, entry.year)].append(entry)
    for group in groups.values():
        if len(group) < 2:
            continue
        used = min(group, key=lambda e: e.file)  # the one ReportFrame.previous_index picks
        for entry in group:
            entry.duplicates = [e.file for e in group if e is not entry]
            entry.used_as_previous = entry is used


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
    store: str | Path | bool | None = True,
    waivers: list | None = None,
) -> BatchRun:
    """The whole audit: collect, read (parallel, cached), validate (one pass), write DIR atomically.
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
            paths, out, jobs, resume, quiet, alias_map, ruleset, cache_store, progress, annotate, memory
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
    paths, out, jobs, resume, quiet, alias_map, ruleset, cache_store, progress, annotate, memory
) -> BatchRun:
    workdir = Path(tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-"))
    try:
        collected = collect(paths, workdir, exclude=[out])
        hash_files(collected.files)
        started = time.perf_counter()
        items = read_all(collected.files, jobs, cache_store, resume, progress, quiet, keep_cells=annotate)
        read_seconds = time.perf_counter() - started
        entries, validate_seconds = memory.validate(items, ruleset, alias_map, validate_items)
        run = BatchRun(
            entries,
            ruleset,
            collected.ignored,
            read_seconds,
            validate_seconds,
            jobs,
            sum(1 for i in items if i.cached),
            alias_hints(entries),
        )
        run.fingerprint = tool_fingerprint()
        memory.hide_waived(run)
        annotations = None
        if annotate:
            annotations = [
                (item.input.path, item.cells, entry.result, item.input.display)
                for item, entry in zip(items, entries)
                if item.input.path is not None and not entry.error
            ]
        try:
            write_all(run, out, annotations)
        except OSError as exc:
            raise output_error(exc, out) from None
        return run
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
