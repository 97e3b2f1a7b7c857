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

import re
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


# a cell that starts a row of its own: numbered (“一、” “（三）” “2.” “(1)”) — a label cut by a page break
# continues mid-word and carries no numbering
_NUMBERED = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[(（][一二三四五六七八九十\d]+[)）]|\d+\s*[.、．])"
)
_FIGURE = re.compile(r"^[\s+\-−－]*[\d.,，]+\s*(?:%|万元|元|件|项|个|条)?\s*$")


def is_broken_row(above: list[GridCell], below: list[GridCell]) -> bool:
    """True when ``below`` (the first row of a table continued on the next page) is the rest of ``above``
    (the last row before the page break): a row broken across pages.

    Column by column, the two parts complement each other: where both hold text, it is words cut
    mid-line (neither is a figure, and the lower part does not start a numbered item of its own).
    A repeated header row, or a new row with its own figures, is not a continuation."""
    if len(above) != len(below) or not any(c.text.strip() for c in below):
        return False
    if len({c.provenance for c in below}) == 1 or len({c.provenance for c in above}) == 1:
        return False  # a row that is one cell across the table: a caption or title, not a broken row
    for top, bottom in zip(above, below):
        a, b = top.text.strip(), bottom.text.strip()
        if not a or not b:
            continue
        if _FIGURE.match(a) or _FIGURE.match(b) or _NUMBERED.match(b):
            return False
    return True


def join_broken_row(above: list[GridCell], below: list[GridCell]) -> list[GridCell]:
    """The row put back together: texts joined (a wrap never adds a space), each cell keeping the
    provenance of the part that holds its text (the upper part when both do)."""
    out = []
    for top, bottom in zip(above, below):
        if top.text.strip() and bottom.text.strip():
            out.append(GridCell(top.text.rstrip() + bottom.text.strip(), top.provenance, top.reading))
        elif bottom.text.strip():
            out.append(bottom)
        else:
            out.append(top)
    return out
