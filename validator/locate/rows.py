"""A table's values: each row's segment after its label, cut into the row's cells.

Cells come out as TAB-separated pieces from real tables, or as one run of figures from crawled text, which
validator.locate.digit_runs splits with the form's own identities.
"""

from __future__ import annotations

import re
from dataclasses import replace

from validator.catalogue import Row, Table, Template
from validator.locate.cells import NA_MARKERS, TOO_MANY_DIGITS, has_digit, is_note, parse_cell, too_large
from validator.locate.digit_runs import LIMITS, Relation, RunSpec, resolve
from validator.locate.placing import cut_at_wording, is_wording, place_tokens
from validator.locate.settings import DEFAULT_SETTINGS, LocateSettings
from validator.locate.stream import LabelIndex, Span, Stream, fold
from validator.model import CellState, CellValue, Report

_TRAILING_NUMBERING = re.compile(
    r"(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|(?<![\d.])\d[.、]|\d[、])\s*$"
)


def read_rows_table(
    template: Template,
    table: Table,
    index: LabelIndex,
    stream: Stream,
    start: int,
    end: int,
    report: Report,
    settings: LocateSettings = DEFAULT_SETTINGS,
) -> None:
    """Tables whose rows carry labels (表二, 表三): each row's values follow its label."""
    text = stream.text
    spans = index.spans(text, start, end)
    order = [(b_i, row) for b_i, block in enumerate(table.blocks) for row in block.rows]
    later_owner: dict[str, int] = {f"row:{row.path}": i for i, (_, row) in enumerate(order)}
    cursor = 0
    runs: list[tuple[list[str], list[str], str, int, bool]] = []
    layouts: list[str] = []  # per row with figures outside a real grid: "apart" or "run"
    found_rows: dict[str, tuple[int, int, int]] = {}
    next_numbering: dict[str, tuple[str, ...]] = {}
    for position, (b_i, row) in enumerate(order):
        owner = f"row:{row.path}"
        hit = None
        for s_index in range(cursor, len(spans)):
            span = spans[s_index]
            if owner in span.owners:
                hit = s_index
                break
            if _exclusive_later(span, later_owner, position):
                break
        if hit is None:
            continue
        cursor = hit + 1
        seg_start = spans[hit].end
        seg_end = spans[hit + 1].start if hit + 1 < len(spans) else end
        found_rows[row.path] = (hit, seg_start, seg_end)
        if hit + 1 < len(spans):
            next_numbering[row.path] = numbering_variants(spans[hit + 1].owners, index)
    for b_i, row in order:
        if row.path not in found_rows:
            continue
        _, seg_start, seg_end = found_rows[row.path]
        block = table.blocks[b_i]
        numbering = next_numbering.get(row.path, ())
        if not row.is_leaf:
            if row.aggregate and not any(child in found_rows for child in row.children):
                segment = text[seg_start:seg_end]
                if has_digit(_strip_trailing_numbering(segment, numbering)):
                    _assign_row(
                        table,
                        block.columns,
                        row,
                        stream,
                        seg_start,
                        seg_end,
                        report,
                        runs,
                        numbering,
                        settings,
                    )
                    report.collapsed_rows.append(f"{table.id}.{row.path}")
            continue
        how = _assign_row(
            table, block.columns, row, stream, seg_start, seg_end, report, runs, numbering, settings
        )
        if how in ("apart", "run"):
            layouts.append(how)
    if runs:
        _resolve_runs(template, table, stream, _whole_when_apart(runs, layouts), report, settings)


def _assign_row(
    table: Table,
    columns,
    row: Row,
    stream: Stream,
    seg_start: int,
    seg_end: int,
    report: Report,
    runs: list,
    numbering: tuple[str, ...] = (),
    settings: LocateSettings = DEFAULT_SETTINGS,
) -> str | None:
    text = stream.text
    segment = _strip_trailing_numbering(text[seg_start:seg_end], numbering)
    ids = [f"{table.id}.{row.path}.{col.id}" for col in columns]
    kinds = [col.kind for col in columns]
    first_line = segment.split("\n", 1)[0]
    if "\t" in first_line:
        pieces = first_line.split("\t")[1:]
        offsets = []
        pos = seg_start + len(first_line.split("\t")[0]) + 1
        for piece in pieces:
            offsets.append(pos)
            pos += len(piece) + 1
        while len(pieces) > len(ids) and (
            not pieces[-1].strip() or is_note(pieces[-1], settings.note_min_cjk)
        ):
            pieces.pop()  # blank cells or a 备注 typed to the right of the row
        if len(pieces) < len(ids) and _is_text_line(stream, seg_start):
            # a line of text typed with TABs: the reader cut the empty cells at its end, and only those
            pad = len(ids) - len(pieces)
            pieces += [""] * pad
            offsets += [offsets[-1] if offsets else seg_start] * pad
        if len(pieces) == len(ids):
            for cell_id, kind, piece, offset in zip(ids, kinds, pieces, offsets):
                report.cells[cell_id] = parse_cell(
                    piece, kind, stream.provenance_at(offset), settings.number_limit
                )
            return
        joined = " ".join(p for p in pieces if p.strip())
        run_offset = offsets[0] if offsets else seg_start
        # cells apart: each piece one figure, so the figures are whole and only their places are lost
        whole = all(len(p.split()) <= 1 for p in pieces)
    else:
        whole = False
        body = cut_at_wording(segment, settings)
        joined = _numeric_prefix(body.strip(), settings.prose_min_cjk)
        run_offset = seg_start + (len(body) - len(body.lstrip()))
        if joined and is_wording(joined, settings):
            _unplaced(report, ids, joined, stream.provenance_at(run_offset), "本行数值处是文字（标题或说明）")
            return
        placed = place_tokens(
            stream, seg_start, run_offset, run_offset + len(joined), ids, kinds, settings.number_limit
        )
        if placed is not None:
            report.cells.update(placed)
            return "apart"
    if not joined:
        for cell_id, kind in zip(ids, kinds):
            report.cells[cell_id] = CellValue(CellState.BLANK, None, "", stream.provenance_at(seg_start))
        return
    if len(ids) == 1:
        cell = parse_cell(joined, kinds[0], stream.provenance_at(run_offset), settings.number_limit)
        if cell.state == CellState.TEXT and cell.note == TOO_MANY_DIGITS:
            _unplaced(report, ids, joined, cell.provenance, TOO_MANY_DIGITS)
        elif cell.state == CellState.TEXT:  # words where a figure belongs, outside a real table cell
            _unplaced(report, ids, joined, cell.provenance, f"“{joined}”不是数字，也无法确定属于哪一格")
        else:
            report.cells[ids[0]] = cell
        return
    runs.append((ids, kinds, joined, run_offset, whole))
    return "apart" if len(joined.split()) >= 2 and _all_whole(joined) else "run"


def read_groups_table(
    template: Template,
    table: Table,
    index: LabelIndex,
    stream: Stream,
    start: int,
    end: int,
    report: Report,
    settings: LocateSettings = DEFAULT_SETTINGS,
) -> None:
    """表四: a header of groups and columns, then 15 values (one row, or one row per group)."""
    text = stream.text
    spans = index.spans(text, start, end)
    columns = table.columns
    rows = table.rows
    runs: list = []
    # transposed: a group label directly followed by its five values
    transposed = {}
    for s_index, span in enumerate(spans):
        groups = [o for o in span.owners if o.startswith("row:")]
        nxt = spans[s_index + 1].start if s_index + 1 < len(spans) else end
        if groups and has_digit(text[span.end : nxt].split("\n", 1)[0]):
            transposed[groups[0][4:]] = (span.end, nxt)
    if len(transposed) == len(rows):
        for row in rows:
            seg_start, seg_end = transposed[row.path]
            _assign_row(table, columns, row, stream, seg_start, seg_end, report, runs, (), settings)
    else:
        data_start = spans[-1].end if spans else start
        data = text[data_start:end]
        lines = _data_lines(data)
        ids = [f"{table.id}.{row.path}.{col.id}" for row in rows for col in columns]
        kinds = [col.kind for row in rows for col in columns]
        offset = data_start + (data.find(lines[0]) if lines else 0)
        if lines and all("\t" in ln or len(lines) == 1 for ln in lines):
            pieces: list[tuple[str, int]] = []
            pos = offset
            for line in lines:
                line_start = text.find(line, pos)
                p = line_start
                for piece in line.split("\t"):
                    pieces.append((piece, p))
                    p += len(piece) + 1
                pos = line_start + len(line)
            while len(pieces) > len(ids) and not pieces[-1][0].strip():
                pieces.pop()
            while len(pieces) > len(ids) and not pieces[0][0].strip():
                pieces.pop(0)
            if len(pieces) == len(ids):
                for cell_id, kind, (piece, p) in zip(ids, kinds, pieces):
                    report.cells[cell_id] = parse_cell(
                        piece, kind, stream.provenance_at(p), settings.number_limit
                    )
                return
        joined = " ".join(ln.replace("\t", " ").strip() for ln in lines)
        if joined and not any("\t" in ln for ln in lines):
            last = offset
            for line in lines:
                last = text.find(line, last) + len(line)
            placed = place_tokens(stream, data_start, offset, last, ids, kinds, settings.number_limit)
            if placed is not None:
                report.cells.update(placed)
                return
        if joined:
            runs.append((ids, kinds, joined, offset, False))
        else:
            report.tables_missing[table.id] = f"{table.name}未找到数据：表头之后没有数字"
    if runs:
        _resolve_runs(template, table, stream, runs, report, settings)


def _whole_when_apart(runs: list, layouts: list[str]) -> list:
    """A table whose rows show their figures apart (several whole figures each, most rows) is not a table
    of run-together cells: its runs are whole figures whose empty cells were deleted, placed, never split
    (“24” for two cells is 24 in one of them, not 2 and 4)."""
    apart = layouts.count("apart")
    if apart < _APART_ROWS or apart * 5 < len(layouts) * 4:
        return runs
    return [(ids, kinds, text, offset, whole or _all_whole(text)) for ids, kinds, text, offset, whole in runs]


_APART_ROWS = 3
_WHOLE_TOKEN = re.compile(r"^(?:[+-]?(?:0|[1-9]\d*)(?:\.\d+)?(?:万元|元)?|[/\-—–无])$")


def _all_whole(text: str) -> bool:
    return all(_WHOLE_TOKEN.match(tok) for tok in text.split())


def _resolve_runs(
    template: Template,
    table: Table,
    stream: Stream,
    runs: list,
    report: Report,
    settings: LocateSettings = DEFAULT_SETTINGS,
) -> None:
    """Split runs of digits into cells with the form's identities; doubts stay visible. No reading holds a
    figure of more digits than a report can hold (LocateSettings.number_limit): a run that needs one is
    UNPLACED, noted 数值异常（位数过多）."""
    # a run that is not whole figures may also have lost empty cells (a crawler drops an empty <td>)
    specs = [
        RunSpec(tuple(ids), text, tuple(kinds), whole, blanks=not whole)
        for ids, kinds, text, _, whole in runs
    ]
    prefix = table.id + "."
    known = {
        cid: c.value
        for cid, c in report.cells.items()
        if cid.startswith(prefix) and c.state == CellState.NUMBER
    }
    relations = [Relation(rel) for rel in template.identities() if next(iter(rel)).startswith(prefix)]
    limits = replace(LIMITS, max_digits=settings.number_digits)
    resolved = resolve(specs, relations, known, limits)
    for ids, kinds, text, offset, _ in runs:
        prov = stream.provenance_at
        too_long = _digits_beyond(text, settings.number_digits)  # why a run may have no reading
        for cell_id in ids:
            res = resolved.get(cell_id)
            beyond = res is not None and any(
                too_large(v, settings.number_limit) for v in (res.value or 0, *res.candidates)
            )  # a limit that is not a power of ten: the digit cap of the splits lets a few through
            if res is None or res.how == "unreadable" or beyond:
                note = f"“{text}”无法读成{len(ids)}个数字"
                if beyond or (res is not None and too_long):
                    note = TOO_MANY_DIGITS
                report.cells[cell_id] = CellValue(CellState.UNPLACED, None, text, prov(offset), note=note)
            elif res.how == "blank":
                report.cells[cell_id] = CellValue(
                    CellState.BLANK, None, text, prov(offset), note=f"由表内勾稽关系判断“{text}”中此格为空"
                )
            elif res.value is None:
                cands = tuple(float(c) for c in res.candidates)
                report.cells[cell_id] = CellValue(
                    CellState.AMBIGUOUS,
                    None,
                    text,
                    prov(offset),
                    candidates=cands,
                    note=f"数字连写“{text}”有多种拆分，本格可能为 " + "、".join(f"{c:g}" for c in cands),
                )
            else:
                note = "" if res.how == "unique" else f"由表内勾稽关系从连写数字“{text}”拆分得出"
                unit = "元" if "万元" not in text and "元" in text else ("万元" if "万元" in text else None)
                report.cells[cell_id] = CellValue(
                    CellState.NUMBER, float(res.value), text, prov(offset), note=note, unit=unit
                )


def _digits_beyond(text: str, digits: int) -> bool:
    """The text holds more digits in a row than a figure may have (thousands commas aside)."""
    return any(len(m.group().replace(",", "")) > digits for m in re.finditer(r"\d[\d,]*", fold(text)))


def _exclusive_later(span: Span, later_owner: dict[str, int], position: int) -> bool:
    """True when the span belongs only to rows after `position`: the current row is absent."""
    rows = [o for o in span.owners if o.startswith("row:")]
    return bool(rows) and all(later_owner.get(o, -1) > position for o in rows)


def _data_lines(data: str) -> list[str]:
    """Lines holding 表四's values: consecutive table rows with digits, or one line of run-together text."""
    lines = [ln for ln in data.split("\n") if has_digit(ln)]
    if lines and "\t" in lines[0]:
        out = []
        for line in data.split("\n"):
            if "\t" in line and has_digit(line):
                out.append(line)
            elif out and line.strip():
                break
        return out
    column = [ln.strip() for ln in data.split("\n") if ln.strip()]
    if len(column) > 1 and all(len(ln.split()) == 1 for ln in column[:2]):  # one cell per line
        out = []
        for line in column:
            if len(line.split()) != 1 or not (has_digit(line) or line in NA_MARKERS):
                break
            out.append(line)
        return out
    return lines[:1]


def _strip_trailing_numbering(segment: str, numbering: tuple[str, ...] = ()) -> str:
    """Drop the next label's numbering (“2.”, “（三）”, “三、”) that run-together text leaves at the end.

    Only the numbering is cut; whitespace and TABs before it (blank cells) are kept."""
    body = segment.rstrip()
    cut = next((len(body) - len(v) for v in numbering if body.endswith(v)), None)
    if cut is None:
        m = _TRAILING_NUMBERING.search(body)
        cut = m.start() if m else len(body)
    cut = len(body[:cut].rstrip("一二三四五六七八九十"))  # a doubled numeral: “三三、本年度办理结果”
    return segment[:cut] if cut < len(body) else segment


def numbering_variants(owners: tuple[str, ...], index: LabelIndex) -> tuple[str, ...]:
    """How the numbering of the row owning the next label may be written."""
    return tuple(v for owner in owners for v in index.numbering.get(owner, ()))


_NUMERIC_PREFIX = re.compile(r"^[\d\s+\-.,]*\d(?:\s*(?:万元|元))?")


def _numeric_prefix(segment: str, prose_min_cjk: int) -> str:
    """A run of figures followed by running text (crawled pages): keep the figures, drop the prose.

    Only when the text after the figures is prose (several CJK characters); otherwise the whole
    segment stays and an odd cell shows up as text, not silently trimmed."""
    m = _NUMERIC_PREFIX.match(segment)
    if not m:
        return segment
    rest = segment[m.end() :].strip()
    if len(re.findall(r"[\u4e00-\u9fff]", rest)) >= prose_min_cjk:
        return m.group(0).strip()
    return segment


def _unplaced(report: Report, ids: list[str], raw: str, prov, note: str) -> None:
    for cell_id in ids:
        report.cells[cell_id] = CellValue(CellState.UNPLACED, None, raw, prov, note=note)


def _is_text_line(stream: Stream, offset: int) -> bool:
    """The row is a line of a text file (not a cell of a real table): its trailing TABs were stripped."""
    prov = stream.provenance_at(offset)
    return prov is not None and prov.line is not None and prov.table is None and prov.row is None
