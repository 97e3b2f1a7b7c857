"""M-09: blank cells and markers where a number belongs (read as 0 inside a table with numbers), and
blank totals whose parts are not zero (never read as 0)."""

from __future__ import annotations

import numpy as np

from validator.engine.frame import BLANK, NA_MARKER, NUMBER
from validator.engine.registry import Context, Hit, check
from validator.engine.wording import num, plain

LISTED = 12  # cells quoted in one finding; the rest are counted


_GROUPED = ("table", "table_name", "count", "cells", "cells_en")


@check(
    "blanks",
    outcomes={
        "blank": _GROUPED,
        "marker": _GROUPED,
        "table_blank": ("table", "table_name"),
        "blank_total": ("cell", "cell_label", "expected"),
    },
)
def blanks(ctx: Context) -> list[Hit]:
    frame = ctx.frame
    states = frame.states
    resolved = frame.resolved()
    col = frame.col
    out: list[Hit] = []
    for template in ctx.catalogue.templates.values():
        in_template = ctx.applies & (ctx.templates == template.id)
        if not in_template.any():
            continue
        totals = _total_parts(template)
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
            for j, cell in enumerate(cells):
                rows = np.nonzero(considered & blankish[:, j])[0]
                if rows.size == 0:
                    continue
                expected = None
                if cell.total and cell.id in totals:
                    parts = [col[p] for p in totals[cell.id]]
                    expected = resolved[np.ix_(rows, parts)].sum(axis=1)
                for k, row in enumerate(rows):
                    row = int(row)
                    if expected is not None and expected[k] > 0:
                        params = {
                            "cell": cell.id,
                            "cell_label": cell.label_zh,
                            "expected": num(float(expected[k])),
                        }
                        out.append(
                            Hit(
                                "blank_total",
                                row,
                                params,
                                cells=(cell.id,),
                                values={cell.id: None},
                                suggestion={cell.id: plain(float(expected[k]))},
                            )
                        )
                    elif block[row, j] == NA_MARKER:
                        markers.setdefault(row, []).append(cell.id)
                    else:
                        plain_blank.setdefault(row, []).append(cell.id)
            for outcome, grouped in (("blank", plain_blank), ("marker", markers)):
                for row, ids in grouped.items():
                    raws = frame.rows[row].raw if frame.rows else {}
                    listed = "、".join(_short(template.cells[c].label_zh, raws.get(c)) for c in ids[:LISTED])
                    if len(ids) > LISTED:
                        listed += f" 等{len(ids)}处"
                    params = {
                        "table": table.id,
                        "table_name": table.name,
                        "count": len(ids),
                        "cells": listed,
                        "cells_en": ", ".join(ids),
                    }
                    out.append(Hit(outcome, row, params, cells=tuple(ids), values={c: None for c in ids}))
    return out


def _short(label: str, raw: str | None) -> str:
    label = label.split(" ", 1)[1] if " " in label else label
    return f"{label}（“{raw.strip()}”）" if raw and raw.strip() else label


def _total_parts(template) -> dict[str, list[str]]:
    """Each total cell → the cells it sums, from the form's identities (total listed first)."""
    out = {}
    for relation in template.identities():
        cells = list(relation)
        head = cells[0]
        if relation[head] == 1 and all(relation[c] == -1 for c in cells[1:]) and template.cells[head].total:
            out.setdefault(head, cells[1:])
    return out
