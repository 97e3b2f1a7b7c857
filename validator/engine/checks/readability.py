"""M-08: what the reader could not read with certainty, one note per table (never one per cell): runs
of digits with several readings, values it could not place, files without a text layer."""

from __future__ import annotations

import numpy as np

from validator.engine.frame import AMBIGUOUS, UNPLACED
from validator.engine.registry import Context, Hit, check
from validator.engine.wording import num

LISTED = 6  # cells described in one note; the rest are counted ("等 N 个")
READINGS = 3  # candidate readings shown per cell


_TABLE_NOTE = ("table", "table_name", "table_name_en", "count", "cells", "cells_en")


@check("readability", outcomes={"ambiguous": _TABLE_NOTE, "unplaced": _TABLE_NOTE, "no_text": ()})
def readability(ctx: Context) -> list[Hit]:
    frame = ctx.frame
    out = [Hit("no_text", int(row), {}) for row in np.nonzero(ctx.applies & ~ctx.readable)[0]]
    states = frame.states
    col = frame.col
    for template in ctx.catalogue.templates.values():
        in_template = ctx.applies & (ctx.templates == template.id)
        if not in_template.any():
            continue
        for table in template.tables:
            cells = [c for c in template.cells.values() if c.table == table.id]  # aggregates too
            idx = np.array([col[c.id] for c in cells])
            block = states[:, idx]
            for state, outcome in ((AMBIGUOUS, "ambiguous"), (UNPLACED, "unplaced")):
                hits = (block == state) & in_template[:, None]
                for row in np.nonzero(hits.any(axis=1))[0]:
                    row = int(row)
                    ids = [cells[j].id for j in np.nonzero(hits[row])[0]]
                    candidates = frame.rows[row].candidates if frame.rows else {}
                    described = [_describe(template.cells[c], candidates.get(c, ())) for c in ids[:LISTED]]
                    listed = "；".join(described) + (f" 等 {len(ids)} 个" if len(ids) > LISTED else "")
                    params = {
                        "table": table.id,
                        "table_name": table.name,
                        "table_name_en": table.name_en,
                        "count": len(ids),
                        "cells": listed,
                        "cells_en": ", ".join(ids[:LISTED])
                        + (f" … ({len(ids)})" if len(ids) > LISTED else ""),
                    }
                    values = {c: list(candidates.get(c, ())) for c in ids} if state == AMBIGUOUS else None
                    out.append(Hit(outcome, row, params, cells=tuple(ids), values=values))
    return out


def _describe(cell, candidates: tuple) -> str:
    label = f"{cell.row_label}·{cell.column_label}"
    if not candidates:
        return label
    options = "/".join(num(v) for v in candidates[:READINGS])
    if len(candidates) > READINGS:
        options += "…"
    return f"{label}（可能为 {options}）"
