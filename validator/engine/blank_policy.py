"""The one blanks policy, applied to the values every relation reads (frame.resolved) — the same as the
fill-in workbook's live formulas (blank = 0) and the M-09 messages (engine/checks/blanks.py):

- a blank cell (or a marker such as “/”) in a table that has at least one number counts as 0;
- a blank total counts as the sum of its parts (so 0 when its parts are all zero or blank): the total is
  the unknown of its own identity, and every other relation through it is still checked with that value.
  A blank total whose parts are not all zero is the M-09 error, which says what it should be;
- a table with no number at all is 未填写: nothing is read as 0 and its relations are not assessed.
"""

from __future__ import annotations

from functools import cache

import numpy as np

from validator.model import CellState

NUMBER = int(CellState.NUMBER)
BLANKISH = (int(CellState.BLANK), int(CellState.NA_MARKER))


@cache
def total_parts(template) -> dict[str, tuple[str, ...]]:
    """Each total cell → the cells it sums, from the form's identities (the first identity naming it)."""
    out: dict[str, tuple[str, ...]] = {}
    for relation in template.identities():
        cells = list(relation)
        head = cells[0]
        if relation[head] == 1 and all(relation[c] == -1 for c in cells[1:]) and template.cells[head].total:
            out.setdefault(head, tuple(cells[1:]))
    return out


def apply(values: np.ndarray, states: np.ndarray, templates: np.ndarray, catalogue, totals: bool) -> None:
    """In place. Without ``totals``: blank cells of tables with numbers → 0, totals left NaN (engine/blame
    treats a blank total as a blank it may fill in). With ``totals``, on values already so resolved: blank
    totals → the sum of their parts."""
    blankish = np.isin(states, BLANKISH)
    with_blanks = blankish.any(axis=1)  # only these reports can need a blank resolved
    if not with_blanks.any():
        return
    col = catalogue.cell_index
    for template in catalogue.templates.values():
        rows = np.nonzero((templates == template.id) & with_blanks)[0]
        if rows.size == 0:
            continue
        if totals:
            _totals(values, states, blankish, rows, template, col)
            continue
        for table in template.tables:
            cells = template.cells_of(table.id)
            idx = np.array([col[c.id] for c in cells])
            filled = rows[(states[np.ix_(rows, idx)] == NUMBER).any(axis=1)]
            if filled.size == 0:
                continue
            non_total = np.array([not c.total for c in cells])
            mask = blankish[np.ix_(filled, idx)] & non_total[None, :]
            block = values[np.ix_(filled, idx)]
            block[mask] = 0.0
            values[np.ix_(filled, idx)] = block


def _totals(values, states, blankish, rows, template, col) -> None:
    """Blank totals (of tables with numbers) → the sum of their parts; values already have blank parts
    at 0. Only reports with a blank total are visited."""
    parts_of = total_parts(template)
    heads = np.array([col[c] for c in parts_of])
    rows = rows[blankish[np.ix_(rows, heads)].any(axis=1)]
    if rows.size == 0:
        return
    pending: list[tuple[int, list[int], np.ndarray]] = []  # (total column, part columns, rows)
    for table in template.tables:
        cells = template.cells_of(table.id)
        idx = np.array([col[c.id] for c in cells])
        filled = rows[(states[np.ix_(rows, idx)] == NUMBER).any(axis=1)]
        for cell in cells if filled.size else ():
            if cell.total and cell.id in parts_of:
                j = col[cell.id]
                blank_here = filled[blankish[filled, j]]
                if blank_here.size:
                    pending.append((j, [col[p] for p in parts_of[cell.id]], blank_here))
    # totals of totals (表三 总计·总计): resolve those whose parts are known first, at most a few rounds
    for _ in range(4):
        if not pending:
            break
        waiting = []
        for j, parts, rows_j in pending:
            sums = values[np.ix_(rows_j, parts)].sum(axis=1)
            known = ~np.isnan(sums)
            values[rows_j[known], j] = sums[known]
            if not known.all():
                waiting.append((j, parts, rows_j[~known]))
        if sum(len(w[2]) for w in waiting) == sum(len(p[2]) for p in pending):
            break  # nothing more can be known (a part missing or unsettled): stays unknown
        pending = waiting
