"""One page image → blocks: ruled tables as Grids (each cell recognised on its own, with its confidence
and alternative readings), the text around them as TextBlocks in reading order; a page of text laid out
in columns without rules gives a Grid from the OCR boxes clustered into rows and columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from validator.model import Provenance
from validator.readers.document import Block, Grid, GridCell, Reading, TextBlock
from validator.readers.ocr.engine import Line, detect_and_read, recognise
from validator.readers.ocr.layout import (
    Table,
    binarise,
    faint_dash,
    find_tables,
    leading_dash,
    rotate,
    skew_angle,
    text_lines,
)
from validator.readers.ocr.unruled import find_runs, grid_of
from validator.readers.textnorm import clean_line, join_lines, join_wrapped

_PAD = 4


@dataclass(slots=True)
class PageContext:
    """Where the page sits: file name, page number (None for a lone image), tables numbered so far."""

    name: str
    page: int | None
    tables: int = 0
    image: str | None = None  # the picture inside the file (DOCX media, HTML src), when not a page


def read_page(gray: np.ndarray, ctx: PageContext, *, tables_only: bool = False) -> list[Block]:
    """Blocks of one upright-or-slightly-rotated grey page image, top to bottom; with ``tables_only``,
    nothing unless the image holds a ruled table (a photo, a banner or a seal is not read)."""
    ink = binarise(gray)
    angle = skew_angle(ink)
    if abs(angle) >= 0.05:
        gray = rotate(gray, angle)
        ink = binarise(gray)
    tables, rules = find_tables(ink)
    if tables_only and not tables:
        return []
    clean = ink.copy()
    clean[rules > 0] = 0
    items: list[tuple[int, int, Block]] = []
    for table in tables:
        grid = _grid(gray, clean, rules, table, ctx)
        if any(c.text for row in grid.rows for c in row):
            items.append((table.box[1], 0, grid))
        else:
            ctx.tables -= 1
    text_items = _text_outside(gray, [t.box for t in tables], ctx)
    items += text_items
    items.sort(key=lambda it: (it[0], it[1]))
    return [block for _, _, block in items]


def _grid(gray: np.ndarray, clean: np.ndarray, rules: np.ndarray, table: Table, ctx: PageContext) -> Grid:
    ctx.tables += 1
    t = ctx.tables
    crops: list[np.ndarray] = []
    owners: list[int] = []
    boxes_read: list[tuple[int, int, int, int]] = []
    lines_of: dict[int, int] = {}
    for k, cell in enumerate(table.cells):
        boxes = text_lines(clean, cell.box)
        lines_of[k] = len(boxes)
        for x0, y0, x1, y1 in boxes:
            crop = _crop(gray, rules, (x0, y0, x1, y1))
            crops.append(crop)
            boxes_read.append((x0, y0, x1, y1))
            owners.append(k)
    lines = recognise(crops)
    for i, (line, box) in enumerate(zip(lines, boxes_read)):
        rest = leading_dash(clean, box)
        if rest is None:
            if line.text.isdigit() and line.text.strip("0") and faint_dash(clean, box):
                # a blot left of the digits may be a minus the blur shrank: the signed figure is offered
                # as another reading, for the form's identities to choose (a doubt if none can)
                lines[i] = Line(line.text, line.confidence, (*line.alternatives, "-" + line.text))
            continue
        if not line.text.isdigit():  # the sign misread with the digit (“-1” as “M”): read the digits alone
            line = recognise([_crop(gray, rules, (rest, box[1], box[2], box[3]))])[0]
        if line.text.isdigit():
            lines[i] = Line("-" + line.text, line.confidence, tuple("-" + a for a in line.alternatives))
    texts: dict[int, list[Line]] = {}
    for k, line in zip(owners, lines):
        texts.setdefault(k, []).append(line)
    at: dict[tuple[int, int], GridCell] = {}
    for k, cell in enumerate(table.cells):
        read = texts.get(k, [])
        prov = Provenance(
            file=ctx.name,
            page=ctx.page,
            image=ctx.image,
            table=t,
            row=cell.row + 1,
            column=cell.col + 1,
            box=cell.box,
        )
        text = join_lines([ln.text for ln in read]) if read else ""
        reading = None
        if read:
            confidence = min(ln.confidence for ln in read)
            alternatives = read[0].alternatives if len(read) == 1 else ()
            reading = Reading(round(confidence, 4), tuple(clean_line(a) for a in alternatives))
        origin = GridCell(clean_line(text), prov, reading)
        for r in range(cell.row, cell.row + cell.rows):
            for c in range(cell.col, cell.col + cell.cols):
                at[(r, c)] = origin if (r, c) == (cell.row, cell.col) else GridCell("", prov)
    rows = []
    for r in range(table.nrows):
        rows.append(
            [
                at.get((r, c))
                or GridCell(
                    "",
                    Provenance(
                        file=ctx.name, page=ctx.page, image=ctx.image, table=t, row=r + 1, column=c + 1
                    ),
                )
                for c in range(table.ncols)
            ]
        )
    return Grid(rows, Provenance(file=ctx.name, page=ctx.page, image=ctx.image, table=t, box=table.box))


def _crop(gray: np.ndarray, rules: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """A line's crop with a white margin, the table rules painted out (the grey edges of the strokes are
    kept: the recogniser reads a thin blurred 0 from them, not from the binarised ink)."""
    x0, y0, x1, y1 = box
    h, w = gray.shape
    a0, b0, a1, b1 = max(0, x0 - _PAD), max(0, y0 - _PAD), min(w, x1 + _PAD), min(h, y1 + _PAD)
    crop = gray[b0:b1, a0:a1].copy()
    crop[rules[b0:b1, a0:a1] > 0] = 255
    out = np.full((crop.shape[0] + 2 * _PAD, crop.shape[1] + 2 * _PAD), 255, dtype=np.uint8)
    out[_PAD : _PAD + crop.shape[0], _PAD : _PAD + crop.shape[1]] = crop
    return out


def _text_outside(
    gray: np.ndarray, table_boxes: list[tuple[int, int, int, int]], ctx: PageContext
) -> list[tuple[int, int, Block]]:
    """Text lines outside the tables, as paragraphs (wrapped lines joined), with their top."""
    page = gray.copy()
    for x0, y0, x1, y1 in table_boxes:
        page[max(0, y0 - 2) : y1 + 3, max(0, x0 - 2) : x1 + 3] = 255
    if (page < 128).sum() < 20:
        return []
    found = detect_and_read(page)
    if not found:
        return []
    grouped = _grouped(found)
    out: list[tuple[int, int, Block]] = []
    runs = find_runs(grouped) if not table_boxes else []
    for first, end in runs:  # a table without rules
        ctx.tables += 1
        grid = grid_of(grouped[first:end], ctx.name, ctx.page, ctx.image, ctx.tables)
        out.append((grid.provenance.box[1], 0, grid))
    taken = {i for first, end in runs for i in range(first, end)}
    lines = [_joined(g) for i, g in enumerate(grouped) if i not in taken]
    if not lines:
        return out
    left = min(b[0] for b, _ in lines)
    right = max(b[2] for b, _ in lines)
    heights = sorted(b[3] - b[1] for b, _ in lines)
    body = heights[len(heights) // 2]
    paras: list[list[tuple[tuple[int, int, int, int], str]]] = []
    for box, text in lines:
        if paras:
            pbox, _ = paras[-1][-1]
            height = max(pbox[3] - pbox[1], 1)
            between = any(pbox[3] <= tb[1] and tb[3] <= box[1] for tb in table_boxes)
            big = min(height, box[3] - box[1]) >= 1.25 * body  # a title set large, wrapped
            if not between and (
                (
                    pbox[2] >= right - 2 * height
                    and box[0] <= left + 1.2 * height
                    and box[1] - pbox[3] <= 1.2 * height
                )
                or (big and box[1] - pbox[3] <= height)
            ):
                paras[-1].append((box, text))
                continue
        paras.append([(box, text)])
    for para in paras:
        text = join_wrapped(t for _, t in para)
        if text:
            box = (
                min(b[0] for b, _ in para),
                min(b[1] for b, _ in para),
                max(b[2] for b, _ in para),
                max(b[3] for b, _ in para),
            )
            out.append(
                (
                    box[1],
                    1,
                    TextBlock(text, Provenance(file=ctx.name, page=ctx.page, image=ctx.image, box=box)),
                )
            )
    return out


def _grouped(
    found: list[tuple[tuple[int, int, int, int], Line]],
) -> list[list[tuple[tuple[int, int, int, int], Line]]]:
    """OCR boxes grouped into lines (boxes overlapping vertically), each line's pieces left to right."""
    found = sorted(found, key=lambda f: (f[0][1] + f[0][3]) / 2)
    groups: list[list] = []
    for f in found:
        box = f[0]
        mid = (box[1] + box[3]) / 2
        if groups:
            g = groups[-1]
            top = min(b[0][1] for b in g)
            bottom = max(b[0][3] for b in g)
            if top <= mid <= bottom:
                g.append(f)
                continue
        groups.append([f])
    for g in groups:
        g.sort(key=lambda f: f[0][0])
    return groups


def _joined(group: list[tuple[tuple[int, int, int, int], Line]]) -> tuple[tuple[int, int, int, int], str]:
    text = clean_line(" ".join(line.text for _, line in group))
    box = (
        min(b[0] for b, _ in group),
        min(b[1] for b, _ in group),
        max(b[2] for b, _ in group),
        max(b[3] for b, _ in group),
    )
    return box, text
