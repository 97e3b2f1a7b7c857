"""M-09: blank cells and markers where a number belongs (counted as 0 inside a table with numbers), blank
totals whose parts are not zero (one error per table, naming every such total and what it should be), and
tables left entirely blank (未填写). The policy itself is engine/blank_policy.py."""

from __future__ import annotations

import numpy as np

from validator.engine.blank_policy import total_parts
from validator.engine.frame import BLANK, NA_MARKER, NUMBER
from validator.engine.registry import Context, Hit, check
from validator.engine.wording import num, plain

LISTED = 5  # cells quoted in one finding; the rest are counted


_GROUPED = ("table", "table_name", "count", "cells", "cells_en")


@check(
    "blanks",
    outcomes={
        "blank": _GROUPED,
        "marker": _GROUPED,
        "table_blank": ("table", "table_name"),
        "blank_total": ("table", "table_name", "count", "cells", "cells_en", "pattern"),
    },
)
def blanks(ctx: Context) -> list[Hit]:
    frame = ctx.frame
    states = frame.states
    checked = frame.checked()  # a blank total as the sum of its parts (engine/blank_policy.py)
    col = frame.col
    out: list[Hit] = []
    for template in ctx.catalogue.templates.values():
        in_template = ctx.applies & (ctx.templates == template.id)
        if not in_template.any():
            continue
        totals = total_parts(template)
        for table in template.tables:
            cells = template.cells_of(table.id)
            idx = np.array([col[c.id] for c in cells])
            block = states[:, idx]
            has_number = (block == NUMBER).any(axis=1)
            blankish = (block == BLANK) | (block == NA_MARKER)
            all_blank = in_template & ~has_number & blankish.all(axis=1)
            for row in np.nonzero(all_blank)[0]:
                out.append(Hit("table_blank", int(row), {"table": table.id, "table_name": table.name}))
            considered = in_template & has_number
            plain_blank: dict[int, list[str]] = {}
            markers: dict[int, list[str]] = {}
            blank_totals: dict[int, dict[str, float]] = {}
            for j, cell in enumerate(cells):
                rows = np.nonzero(considered & blankish[:, j])[0]
                if rows.size == 0:
                    continue
                expected = None
                if cell.total and cell.id in totals:
                    expected = checked[rows, col[cell.id]]
                for k, row in enumerate(rows):
                    row = int(row)
                    if expected is not None and not np.isnan(expected[k]) and expected[k] != 0:
                        blank_totals.setdefault(row, {})[cell.id] = float(expected[k])
                    elif block[row, j] == NA_MARKER:
                        markers.setdefault(row, []).append(cell.id)
                    else:
                        plain_blank.setdefault(row, []).append(cell.id)
            for outcome, grouped in (("blank", plain_blank), ("marker", markers)):
                for row, ids in grouped.items():
                    raws = frame.rows[row].raw if frame.rows else {}
                    shown = [_short(template.cells[c], raws.get(c)) for c in ids[:LISTED]]
                    params = _params(table, ids, shown, ", ".join(ids))
                    out.append(Hit(outcome, row, params, cells=tuple(ids), values={c: None for c in ids}))
            for row, expected in blank_totals.items():
                out.append(_blank_totals(template, table, row, expected))
    return out


def _params(table, ids: list[str], shown: list[str], cells_en: str) -> dict:
    """A finding's parameters over a table's cells: the first few shown, the rest counted (等N处)."""
    listed = "、".join(shown) + (f" 等{len(ids)}处" if len(ids) > LISTED else "")
    return {
        "table": table.id,
        "table_name": table.name,
        "count": len(ids),
        "cells": listed,
        "cells_en": cells_en,
    }


def _blank_totals(template, table, row: int, expected: dict[str, float]) -> Hit:
    """Blank totals of one table whose parts have figures: one finding (a blank 总计 column is one
    problem), naming each total and its parts' sum."""
    ids = list(expected)
    cells = [template.cells[c] for c in ids]
    columns = {c.column_label for c in cells}
    rows = {c.row_label for c in cells}
    if len(ids) > 1 and len(columns) == 1:
        pattern, short = f"「{cells[0].column_label}」列", [f"「{_cut(c.row_label)}」" for c in cells]
    elif len(ids) > 1 and len(rows) == 1:
        pattern, short = f"「{_cut(cells[0].row_label)}」行", [f"「{c.column_label}」" for c in cells]
    else:
        pattern, short = "", [f"「{_cut(c.row_label)}」·「{c.column_label}」" for c in cells]
    shown = [f"{s}应为 {num(expected[c])}" for s, c in zip(short[:LISTED], ids, strict=False)]
    params = _params(table, ids, shown, ", ".join(f"{c} (→ {num(expected[c])})" for c in ids))
    params["pattern"] = pattern
    return Hit(
        "blank_total",
        row,
        params,
        cells=tuple(ids),
        values=dict.fromkeys(ids),
        suggestion={c: plain(v) for c, v in expected.items()},
    )


def _cut(text: str, width: int = 12) -> str:
    return text[:width] + "…" if len(text) > width + 1 else text


def _short(cell, raw: str | None) -> str:
    label = (
        f"「{_cut(cell.row_label)}」·「{cell.column_label}」"
        if cell.column_label
        else f"「{cell.row_label}」"
    )
    return f"{label}（“{raw.strip()}”）" if raw and raw.strip() else label
