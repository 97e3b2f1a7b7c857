"""Certain errors through ambiguity: a relation whose ambiguous cells break it under every reading.

A run of digits the reader could split several ways leaves its cells AMBIGUOUS, with candidate readings
(``CellValue.candidates``). When every combination of the candidate readings of a relation's ambiguous
cells breaks the relation, it is broken whichever reading is true. Readings are combined independently,
a superset of the joint splits a run allows, so "every combination breaks it" is never claimed wrongly.
The combinations are enumerated for all candidate reports at once (reports × combinations).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MAX_COMBINATIONS = 4096  # beyond this the relation stays not assessable


@dataclass(frozen=True)
class Broken:
    """Reports (positions in the rows given) broken under every reading, the residual of the reading
    closest to holding, and per report the cells' candidate readings and that closest reading."""

    positions: np.ndarray
    residual: np.ndarray
    readings: list[dict[str, tuple[float, tuple[float, ...]]]]  # cell → (closest reading, candidates)


def every_reading_breaks(
    frame,
    rows: np.ndarray,
    cells: list[str],
    coeffs: np.ndarray,
    fixed: np.ndarray,
    nan_count: np.ndarray,
    violates,
    valueless: np.ndarray | None = None,
) -> Broken | None:
    """rows: reports (frame rows) whose relation was undecided; cells/coeffs: the relation's own cells;
    fixed: per report, the constant plus every term that has a value; nan_count: per report, how many
    of the relation's cells have no value; violates: residual → mask of broken; valueless: cells × rows,
    True where the cell has no value (only those cells' readings count: a total the frame filled from its
    parts keeps its readings, but its value is already in ``fixed``)."""
    e_row, e_col, e_cand = frame.readings
    if e_row.size == 0 or rows.size == 0:
        return None
    col = frame.col
    col_ids = np.array([col[c] for c in cells])
    at_row = np.full(len(frame), -1, dtype=np.int64)
    at_row[rows] = np.arange(rows.size)
    pick = (at_row[e_row] >= 0) & np.isin(e_col, col_ids)
    if not pick.any():
        return None
    if valueless is not None:  # readings only of the cells that have no value in that report
        index_of = np.full(int(col_ids.max()) + 1, -1, dtype=np.int64)
        index_of[col_ids] = np.arange(col_ids.size)
        chosen_entries = np.nonzero(pick)[0]
        still = valueless[index_of[e_col[chosen_entries]], at_row[e_row[chosen_entries]]]
        pick[chosen_entries[~still]] = False
        if not pick.any():
            return None
    pos = at_row[e_row[pick]]  # position of each entry's report in rows
    coeff_of = dict(zip(col_ids.tolist(), coeffs.tolist()))
    entry_cols = e_col[pick]
    options = e_cand[pick] * np.array([coeff_of[c] for c in entry_cols.tolist()])[:, None]
    per_report = np.bincount(pos, minlength=rows.size)
    width = e_cand.shape[1]
    most = int(np.log(MAX_COMBINATIONS) / np.log(width)) if width > 1 else 64
    # every cell without a value must be one of the ambiguous ones, and not too many of them
    usable = (per_report > 0) & (per_report == nan_count) & (per_report <= most)
    keep = usable[pos]
    if not keep.any():
        return None
    pos, entry_cols, options = pos[keep], entry_cols[keep], options[keep]
    order = np.argsort(pos, kind="stable")
    pos, entry_cols, options = pos[order], entry_cols[order], options[order]
    starts = np.searchsorted(pos, pos, side="left")
    rank = np.arange(pos.size) - starts
    chosen = np.nonzero(usable)[0]
    slot = np.full(rows.size, -1, dtype=np.int64)
    slot[chosen] = np.arange(chosen.size)
    depth = int(rank.max()) + 1
    table = np.full((chosen.size, depth, width), np.nan)
    table[:, :, 0] = 0.0  # a report with fewer ambiguous cells adds nothing in the spare places
    table[slot[pos], rank, :] = options
    sums = fixed[chosen][:, None]
    for j in range(depth):
        sums = (sums[:, :, None] + table[:, j, None, :]).reshape(chosen.size, -1)
    valid = ~np.isnan(sums)
    with np.errstate(invalid="ignore"):
        broken = violates(sums)
    every = valid.any(axis=1) & ~(valid & ~broken).any(axis=1)
    if not every.any():
        return None
    closest = np.argmin(np.where(valid, np.abs(sums), np.inf), axis=1)
    hit = np.nonzero(every)[0]
    readings: list[dict] = []
    cell_ids = frame.cell_ids
    for k in hit.tolist():
        digits = np.unravel_index(closest[k], (width,) * depth) if depth else ()
        mine = np.nonzero(slot[pos] == k)[0]
        out = {}
        for e in mine.tolist():
            cell_id = cell_ids[entry_cols[e]]
            raw = options[e] / coeff_of[int(entry_cols[e])]
            candidates = tuple(float(v) for v in raw if not np.isnan(v))
            out[cell_id] = (float(raw[digits[rank[e]]]), candidates)
        readings.append(out)
    return Broken(chosen[hit], sums[hit, closest[hit]], readings)
