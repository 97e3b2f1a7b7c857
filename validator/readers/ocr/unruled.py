"""Tables drawn without rules (figures set in columns by spaces or tabs): the OCR'd lines of a page, where
three or more consecutive lines carry a label and figures apart, become a Grid whose columns are the
clusters of the figures' horizontal extents (overlapping boxes share a column). Other lines stay text.
"""

from __future__ import annotations

import re

from validator.model import Provenance
from validator.readers.document import Grid, GridCell, Reading
from validator.readers.ocr.engine import Line

Box = tuple[int, int, int, int]
Piece = tuple[Box, Line]
_FIGURE = re.compile(r"^(?:[+-]?\d[\d,]*(?:\.\d+)?|[/—–-]|无)$")
MIN_ROWS = 3


def is_row(line: list[Piece]) -> bool:
    """A label followed by at least two figures, apart."""
    return len(line) >= 3 and sum(1 for _, ln in line[1:] if _FIGURE.match(ln.text.strip())) >= 2


def find_runs(lines: list[list[Piece]]) -> list[tuple[int, int]]:
    """(first, end) of each run of at least MIN_ROWS consecutive lines that are table rows."""
    runs = []
    start = None
    for i, line in enumerate([*lines, []]):
        if line and is_row(line):
            if start is None:
                start = i
        else:
            if start is not None and i - start >= MIN_ROWS:
                runs.append((start, i))
            start = None
    return runs


def grid_of(rows: list[list[Piece]], name: str, page: int | None, image: str | None, table: int) -> Grid:
    """The rows as a Grid: the label column, then one column per cluster of the figures' extents."""
    spans: list[list[int]] = []
    for x0, x1 in sorted((box[0], box[2]) for row in rows for box, _ in row[1:]):
        if spans and x0 <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], x1)
        else:
            spans.append([x0, x1])
    out = []
    for r, row in enumerate(rows):
        cells: list[GridCell] = []

        def prov(c: int, box: Box | None, r: int = r) -> Provenance:
            return Provenance(
                file=name, page=page, image=image, table=table, row=r + 1, column=c + 1, box=box
            )

        (lbox, label), rest = row[0], row[1:]
        cells.append(GridCell(label.text, prov(0, lbox), Reading(round(label.confidence, 4))))
        placed: dict[int, Piece] = {}
        for box, line in rest:
            centre = (box[0] + box[2]) / 2
            col = min(range(len(spans)), key=lambda k: 0 if spans[k][0] <= centre <= spans[k][1] else 1e9)
            if col in placed:  # two figures in one column: keep both readable, side by side
                pbox, pline = placed[col]
                line = Line(f"{pline.text} {line.text}", min(pline.confidence, line.confidence))
                box = (pbox[0], min(pbox[1], box[1]), box[2], max(pbox[3], box[3]))
            placed[col] = (box, line)
        for col in range(len(spans)):
            if col in placed:
                box, line = placed[col]
                reading = Reading(round(line.confidence, 4), line.alternatives)
                cells.append(GridCell(line.text, prov(col + 1, box), reading))
            else:
                cells.append(GridCell("", prov(col + 1, None)))
        out.append(cells)
    box = (
        min(b[0] for row in rows for b, _ in row),
        min(b[1] for row in rows for b, _ in row),
        max(b[2] for row in rows for b, _ in row),
        max(b[3] for row in rows for b, _ in row),
    )
    return Grid(out, Provenance(file=name, page=page, image=image, table=table, box=box))
