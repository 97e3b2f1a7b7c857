"""Lay out a table with row/column spans as a rectangular Grid (the HTML table algorithm).

Conventions every reader follows (so the locator can rely on them):

* every row has exactly as many cells as the table has grid columns;
* a merged cell appears once, at its first (top-left) position, with its text;
* every other position it covers is a *continuation*: text "" and the **same Provenance as its origin**
  (row/column of the top-left cell). A genuinely blank cell has text "" and its own provenance.
  ``is_continuation`` tells the two apart;
* positions no cell covers (a short row) are blank cells with their own provenance.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from validator.model import Provenance
from validator.readers.document import Grid, GridCell
from validator.readers.safety import MAX_GRID_CELLS, MAX_SPAN, fail


@dataclass(slots=True)
class SpanCell:
    text: str
    rowspan: int = 1
    colspan: int = 1


def clamp_span(value, default: int = 1) -> int:
    """A span attribute as a positive int no larger than MAX_SPAN (0, junk or negative → default)."""
    try:
        n = int(str(value).strip().split(".")[0])
    except (TypeError, ValueError):
        return default
    if n < 1:
        return default
    return min(n, MAX_SPAN)


def build_grid(
    rows: list[list[SpanCell]], prov: Callable[[int, int], Provenance], table_prov: Provenance
) -> Grid:
    """Place the cells of ``rows`` on a grid; ``prov(r, c)`` gives the provenance of position (r, c) (0-based)."""
    nrows = len(rows)
    owner: dict[tuple[int, int], tuple[int, int]] = {}
    texts: dict[tuple[int, int], str] = {}
    ncols = 0
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in owner:
                c += 1
            rs = min(cell.rowspan, nrows - r)
            cs = cell.colspan
            if len(owner) + rs * cs > MAX_GRID_CELLS:
                raise fail("表格过大", "table too large", f"{nrows} rows")
            texts[(r, c)] = cell.text
            for rr in range(r, r + rs):
                for cc in range(c, c + cs):
                    owner.setdefault((rr, cc), (r, c))
            c += cs
            ncols = max(ncols, c)
    for _, cc in owner:
        ncols = max(ncols, cc + 1)
    if nrows * ncols > MAX_GRID_CELLS:
        raise fail("表格过大", "table too large", f"{nrows}×{ncols}")
    out: list[list[GridCell]] = []
    origin_prov: dict[tuple[int, int], Provenance] = {}
    for r in range(nrows):
        line: list[GridCell] = []
        for c in range(ncols):
            o = owner.get((r, c))
            if o == (r, c):
                p = prov(r, c)
                origin_prov[o] = p
                line.append(GridCell(texts[o], p))
            elif o is not None:
                line.append(GridCell("", origin_prov[o]))
            else:
                line.append(GridCell("", prov(r, c)))
        out.append(line)
    return Grid(out, table_prov)


def is_continuation(grid: Grid, r: int, c: int) -> bool:
    """True when position (r, c) (0-based) is covered by a merged cell that starts elsewhere."""
    cell = grid.rows[r][c]
    if cell.text:
        return False
    if c > 0 and grid.rows[r][c - 1].provenance == cell.provenance:
        return True
    return r > 0 and c < len(grid.rows[r - 1]) and grid.rows[r - 1][c].provenance == cell.provenance


def merged_origin(grid: Grid, r: int, c: int) -> tuple[int, int]:
    """(row, column), 0-based, of the cell whose text covers position (r, c); (r, c) itself if not merged."""
    while is_continuation(grid, r, c):
        if c > 0 and grid.rows[r][c - 1].provenance == grid.rows[r][c].provenance:
            c -= 1
        else:
            r -= 1
    return r, c
