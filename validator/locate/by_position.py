"""Rows of a table read from a picture whose label the recogniser garbled (“1.信访W扣机手汉汉诉类申请”), placed
by their position: the form fixes the order of its rows, so a run of unclaimed rows of figures lying right
after (or before) a row that was found, where exactly as many rows of the form are missing there, holds those
rows. Only the row is inferred; each figure keeps its own reading, so it is certain only when its reading is
(locate.readings judges the confidence and alternatives next).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from validator.catalogue import Template
from validator.locate.cells import parse_cell
from validator.model import CellState, Report
from validator.readers.document import Document, Grid, GridCell


@dataclass(slots=True)
class _Line:
    """One row of a picture's grid: which row of the form it was found as (None: unclaimed), and how."""

    cells: list[GridCell]
    row: str | None  # the form's row path
    table: str | None
    columns: dict[int, str]  # grid column → the form's column id, for a row found
    figures: bool  # holds a figure read by the recogniser


def place_by_position(doc: Document, template: Template, report: Report) -> None:
    """Cells of rows of the form not found, read from the unclaimed rows of figures where they must lie."""
    owner = {}
    for cell_id, value in report.cells.items():
        if value.provenance is not None and value.state != CellState.MISSING:
            owner[value.provenance] = cell_id
    defs = {c.id: c for t in template.tables for c in template.cells_of(t.id)}
    order = {
        t.id: [r.path for r in t.rows if r.is_leaf and template.row_cells(t.id, r.path)]
        for t in template.tables
    }

    def missing(table: str, path: str) -> bool:
        cells = [c for c in template.row_cells(table, path) if not c.aggregate]
        return all(
            report.cells.get(c.id) is None or report.cells[c.id].state == CellState.MISSING for c in cells
        )

    for block in doc.blocks:
        if not isinstance(block, Grid):
            continue
        lines = [_line(row, owner, defs) for row in block.rows]
        i = 0
        while i < len(lines):
            if lines[i].row is not None or not lines[i].figures:
                i += 1
                continue
            end = i
            while end < len(lines) and lines[end].row is None and lines[end].figures:
                end += 1
            run = lines[i:end]
            above = next((ln for ln in reversed(lines[:i]) if ln.row is not None), None)
            below = next((ln for ln in lines[end:] if ln.row is not None), None)
            paths = _between(order, above, below, len(run))
            if paths is not None and all(missing(table, p) for table, p in paths):
                columns = (above or below).columns
                for line, (table, path) in zip(run, paths):
                    _fill(line, table, path, columns, defs, report)
            i = end


def _line(row: list[GridCell], owner: dict, defs: dict) -> _Line:
    found = [(j, defs.get(owner[c.provenance])) for j, c in enumerate(row) if c.provenance in owner]
    found = [(j, d) for j, d in found if d is not None]  # an aggregate or a claim is no row of the grid
    figures = any(
        c.reading is not None and parse_cell(c.text, "signed", None).state == CellState.NUMBER for c in row
    )
    if not found:
        return _Line(row, None, None, {}, figures)
    rows = {(d.table, d.row) for _, d in found}
    if len(rows) != 1:  # one grid row found as two rows of the form: leave it alone
        return _Line(row, "", None, {}, figures)
    table, path = next(iter(rows))
    return _Line(row, path, table, {j: d.column for j, d in found}, figures)


def _between(order: dict, above: _Line | None, below: _Line | None, count: int) -> list | None:
    """The ``count`` rows of the form that lie between the rows found above and below, when the form puts
    exactly that many there (or right after ``above``/before ``below`` when the other is in another grid)."""
    if above is not None and below is not None and above.table != below.table:
        return None
    table = (above or below).table if (above or below) else None
    if not table or not (above and above.row or below and below.row):
        return None
    rows = order[table]
    if above is not None and above.row in rows:
        start = rows.index(above.row) + 1
        if below is not None and below.row in rows and rows.index(below.row) - start != count:
            return None
    elif below is not None and below.row in rows:
        start = rows.index(below.row) - count
    else:
        return None
    if start < 0 or start + count > len(rows):
        return None
    return [(table, p) for p in rows[start : start + count]]


def _fill(line: _Line, table: str, path: str, columns: dict[int, str], defs: dict, report: Report) -> None:
    first = min(columns, default=0)
    label = " ".join(c.text for c in line.cells[:first] if c.text)
    for j, column in columns.items():
        if j >= len(line.cells):
            continue
        cell_id = f"{table}.{path}.{column}"
        spec = defs.get(cell_id)
        if spec is None:
            continue
        grid_cell = line.cells[j]
        value = parse_cell(grid_cell.text, spec.kind, grid_cell.provenance)
        note = f"此行标签识别为“{label}”，按表内行的顺序确定为本行"
        report.cells[cell_id] = replace(value, note=f"{value.note}；{note}" if value.note else note)
