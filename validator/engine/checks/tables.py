"""M-02: the form's tables and rows are all there (rows may not be deleted, even when all zero)."""

from __future__ import annotations

import numpy as np

from validator.engine.frame import MISSING, NUMBER, UNPLACED
from validator.engine.registry import Context, Hit, check


@check(
    "tables_complete",
    outcomes={
        "table_missing": ("table", "reason", "table_name", "table_name_en"),
        "rows_missing": ("table", "table_name", "table_name_en", "rows", "rows_en"),
    },
)
def tables_complete(ctx: Context) -> list[Hit]:
    frame = ctx.frame
    applies = ctx.applies & ctx.readable
    missing_tables = frame.meta["tables_missing"].to_numpy()
    out: list[Hit] = []
    listed = frame.meta["tables_missing"].astype(bool).to_numpy(dtype=bool)  # an empty dict: none missing
    for row in np.nonzero(applies & listed)[0]:
        template = ctx.catalogue.templates.get(ctx.templates[row])
        for table_id, reason in (missing_tables[row] or {}).items():
            table = _table(template, table_id)
            params = {
                "table": table_id,
                "reason": reason,
                "table_name": table.name if table else table_id,
                "table_name_en": table.name_en if table else table_id,
            }
            out.append(Hit("table_missing", int(row), params))
    states = frame.states
    col = frame.col
    for template in ctx.catalogue.templates.values():
        in_template = applies & (ctx.templates == template.id)
        if not in_template.any():
            continue
        collapsed = {}
        for aggregate in template.aggregate_cells():
            row_path = aggregate.rsplit(".", 1)[0]
            collapsed[row_path] = states[:, col[aggregate]] == NUMBER
        for table in template.tables:
            table_idx = [col[c.id] for c in template.cells_of(table.id)]
            block = states[:, table_idx]
            table_found = (block != MISSING).any(axis=1)
            # a table with values the reader could not place may hold the "missing" rows among them
            placed = ~(block == UNPLACED).any(axis=1)
            lacking: dict[int, list] = {}
            for row_def in table.rows:
                if not row_def.is_leaf:
                    continue
                idx = [col[c.id] for c in template.row_cells(table.id, row_def.path)]
                absent = in_template & table_found & placed & (states[:, idx] == MISSING).all(axis=1)
                parent_collapsed = collapsed.get(f"{table.id}.{row_def.parent}") if row_def.parent else None
                if parent_collapsed is not None:
                    absent &= ~parent_collapsed
                for row in np.nonzero(absent)[0]:
                    lacking.setdefault(int(row), []).append(row_def)
            for row, row_defs in lacking.items():
                cells = tuple(c.id for r in row_defs for c in template.row_cells(table.id, r.path))
                params = {
                    "table": table.id,
                    "table_name": table.name,
                    "table_name_en": table.name_en,
                    "rows": "、".join(f"「{r.display}」" for r in row_defs),
                    "rows_en": ", ".join(r.path for r in row_defs),
                }
                out.append(Hit("rows_missing", row, params, cells=cells, absent=True))
    return out


def _table(template, table_id: str):
    if template is None:
        return None
    return next((t for t in template.tables if t.id == table_id), None)
