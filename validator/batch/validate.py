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
from collections import defaultdict

from validator.batch.pool import ReadItem
from validator.batch.spill import Spill
from validator.engine.identity import identify, identity
from validator.model import Entry, ReportResult

CHUNK = 4000  # reports per validation pass (OGI_BATCH_CHUNK overrides): large enough to stay vectorised
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
    """Readable items in chunks that never split an agency (its key after aliases), input order kept
    within a chunk; reports without an agency key link to nothing and fill chunks as they come."""
    groups: dict[str, list[int]] = defaultdict(list)
    loose: list[list[int]] = []
    for k, item in enumerate(items):
        if item.ident is None:
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
    items: list[ReadItem], spill: Spill, ruleset=None, aliases: dict | None = None, size: int | None = None
) -> tuple[list[Entry], float]:
    """An Entry for every item, in input order: the readable ones validated chunk by chunk."""
    from validator.api import validate

    aliases = aliases or {}
    entries: list[Entry | None] = [None] * len(items)
    seconds = 0.0
    for chunk in plan_chunks(items, aliases, size or chunk_size()):
        rows = []
        for k in chunk:
            row = spill.load(k)[0]
            identify(row, items[k].input.display, aliases)
            rows.append(row)
        started = time.perf_counter()
        frame, results = validate(rows, ruleset)
        seconds += time.perf_counter() - started
        previous = frame.previous_index()
        for position, k in enumerate(chunk):
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
                items[chunk[prev]].input.display if prev >= 0 else None,
            )
        del rows, frame, results
    for k, item in enumerate(items):
        if entries[k] is None:  # unreadable: listed under the agency its file name gives, if any
            entries[k] = _unreadable(k, item, aliases)
    return entries, seconds


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
