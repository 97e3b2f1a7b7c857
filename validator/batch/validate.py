"""Validating a batch a chunk at a time: every year of an agency in the same chunk, rows read back from disk.

Only the rules that link years (X-*, T2-03, T2-10, the X-04 similarity) and the duplicate marks look past
one report, and they only ever look at the same agency (its key, after aliases). So the reports are
grouped by agency, the groups packed into chunks of about CHUNK reports, and each chunk validated in one
vectorised pass over rows read back from the spill — the same findings as one pass over all of them,
while the main process holds one chunk's rows at a time, not the batch's.
"""

from __future__ import annotations

import os
import time
from collections import Counter, defaultdict
from collections.abc import Callable

import numpy as np

from validator.batch.entries import EntryStore
from validator.batch.pool import ReadItem
from validator.batch.spill import Spill
from validator.engine.identity import identify, identity
from validator.model import Entry, ReportResult

CHUNK = 1000  # reports per validation pass (OGI_BATCH_CHUNK overrides): 500–8 000 validate equally fast
# what the outputs read of a result's meta; the rest (section tuples, text fingerprints) goes with the chunk
_KEPT_META = (
    "source",
    "format",
    "title",
    "agency",
    "agency_key",
    "agency_name",
    "year",
    "published",
    "url",
    "template",
    "machine_readable",
    "tables_only",
    "agency_from",
    "year_from",
)


def chunk_size() -> int:
    try:
        return max(1, int(os.environ.get("OGI_BATCH_CHUNK", CHUNK)))
    except ValueError:
        return CHUNK


def plan_chunks(items: list[ReadItem], aliases: dict, size: int) -> list[list[int]]:
    """Items in chunks that never split an agency (its key after aliases), input order kept within a
    chunk; reports without an agency key link to nothing and fill chunks as they come. A file that could
    not be read goes with its agency when its name gives one (it shares the agency's display name), else
    it is in no chunk."""
    groups: dict[str, list[int]] = defaultdict(list)
    loose: list[list[int]] = []
    for k, item in enumerate(items):
        if item.ident is None:
            key = identity({}, item.input.display, aliases)["agency_key"]
            if key:
                if key not in groups:
                    loose.append(groups[key])
                groups[key].append(k)
            continue
        agency, year = item.ident
        key = identity({"agency": agency, "year": year}, item.input.display, aliases)["agency_key"]
        if key:
            if key not in groups:
                loose.append(groups[key])
            groups[key].append(k)
        else:
            loose.append([k])
    chunks: list[list[int]] = []
    current: list[int] = []
    for group in loose:
        if current and len(current) + len(group) > size:
            chunks.append(sorted(current))
            current = []
        current.extend(group)
    if current:
        chunks.append(sorted(current))
    return chunks


def validate_items(
    items: list[ReadItem],
    spill: Spill,
    store: EntryStore,
    ruleset=None,
    aliases: dict | None = None,
    size: int | None = None,
    on_chunk: Callable[[dict, dict], None] | None = None,
) -> float:
    """An Entry for every item into ``store``: the readable ones validated chunk by chunk; returns the
    seconds spent in validation proper. ``on_chunk(entries, rows)`` (by item index; rows of the readable
    ones) sees each chunk's finished entries before they are stored, the same objects."""
    from validator.api import validate

    aliases = aliases or {}
    seconds = 0.0
    placed = np.zeros(len(items), dtype=bool)
    # the plan held as arrays while the chunks are validated: 8 bytes a file, not a Python int and a pointer
    plan = [np.asarray(chunk, dtype=np.int64) for chunk in plan_chunks(items, aliases, size or chunk_size())]
    while plan:
        chunk = plan.pop(0).tolist()
        readable = [k for k in chunk if items[k].ident is not None]
        rows = []
        for k in readable:
            row = spill.load(k)[0]
            identify(row, items[k].input.display, aliases)
            rows.append(row)
        started = time.perf_counter()
        frame, results = validate(rows, ruleset)
        seconds += time.perf_counter() - started
        previous = frame.previous_index()
        entries = {}
        for position, k in enumerate(readable):
            meta = rows[position].meta
            result = results[position]
            result.index = k
            result.meta = {key: meta.get(key) for key in _KEPT_META}
            prev = int(previous[position])
            year = meta.get("year")
            entries[k] = Entry(
                items[k].input.display,
                items[k].input.digest,
                meta.get("agency") or "",
                meta.get("agency_name") or "",
                meta.get("agency_key") or "",
                int(year) if year else None,
                meta.get("template"),
                meta.get("format"),
                result,
                items[k].cached,
                items[k].seconds,
                meta.get("agency_from"),
                meta.get("year_from"),
                items[readable[prev]].input.display if prev >= 0 else None,
            )
        del frame, results
        for k in chunk:
            if k not in entries:
                entries[k] = _unreadable(k, items[k], aliases)
        group = [entries[k] for k in chunk]
        mark_duplicates(group)
        name_agencies(group)
        if on_chunk is not None:
            on_chunk(entries, dict(zip(readable, rows)))
        del rows
        for k in chunk:
            store.put(k, entries[k])
            placed[k] = True
    left = np.nonzero(~placed)[0].tolist()  # unreadable, no agency: each its own row
    for start in range(0, len(left), size or chunk_size()):
        rest = {k: _unreadable(k, items[k], aliases) for k in left[start : start + (size or chunk_size())]}
        if on_chunk is not None:
            on_chunk(rest, {})
        for k, entry in rest.items():
            store.put(k, entry)
    return seconds


def name_agencies(entries: list[Entry]) -> None:
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


def mark_duplicates(entries: list[Entry]) -> None:
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


def _unreadable(k: int, item: ReadItem, aliases: dict) -> Entry:
    meta = identity({}, item.input.display, aliases)
    result = ReportResult(k, {"source": item.input.display}, error=item.error or "读取失败 (read failed)")
    return Entry(
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
