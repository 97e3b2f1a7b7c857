"""Cells read from an image (OCR): a doubtful figure is not placed, and where a figure has other possible
readings the form's identities choose among them, as they choose between the splits of a digit run.

Each OCR'd grid cell carries a ``Reading`` (readers.document): the lowest probability of its characters and
its alternative texts. Here, after the tables are located:

* a figure with alternatives whose values differ takes part in a joint choice: every identity of the
  template whose cells are all read (certain figures, blanks as 0, or other figures in doubt) must hold;
  the readings of a cell that occur in some assignment satisfying all of them survive. Exactly one → the
  cell is a NUMBER (noted how it was chosen); several → AMBIGUOUS with those as candidates; none (the
  identities fail whatever is chosen: the true figure may be none of the readings, or the document is
  wrong there) → UNPLACED, so that it takes part in no finding; never guessed;
* a figure with no alternative but a low confidence, or digits read as something that is not a figure
  (“0.”) → UNPLACED (a doubt, never an error);
* a row label misread by a character or two (“危及二安全一稳定”, “（一）以公开”) is put right before the
  tables are located when exactly one label of the form is close to it (``snap_labels``);
* a row whose label is garbled beyond that is placed by its position among the rows found
  (``by_position``), its figures judged by their own readings as above;
* a row of the form still not found, in a table read from a picture that holds a row of figures no row
  claimed, is UNPLACED (a doubt), never MISSING: an M-02 error names only rows certainly absent.
"""

from __future__ import annotations

import difflib
from itertools import product

from validator.catalogue import Catalogue, Template
from validator.locate.by_position import place_by_position
from validator.locate.cells import parse_cell
from validator.locate.stream import fold, strip_numbering
from validator.model import CellState, CellValue, Report
from validator.readers.document import Document, Grid, GridCell, Reading

#: a figure read with a lower confidence and no alternative is not placed
LOW_CONFIDENCE = 0.6
#: at most this many joint assignments are tried per group of linked doubtful figures
MAX_ASSIGNMENTS = 50_000
#: how close an OCR'd label must be to a label of the form to be read as it (difflib ratio)
LABEL_CUTOFF = 0.75  # one character of four


def apply_readings(doc: Document, template: Template, report: Report) -> None:
    readings: dict = {}
    for block in doc.blocks:
        if isinstance(block, Grid):
            for row in block.rows:
                for cell in row:
                    if cell.reading is not None:
                        readings[cell.provenance] = cell.reading
    if readings:
        place_by_position(doc, template, report)
        _missing_is_unread(doc, template, report, readings)
    options: dict[str, list[float]] = {}
    kinds = {c.id: c.kind for t in template.tables for c in template.cells_of(t.id)}
    for cell_id, cell in report.cells.items():
        reading = readings.get(cell.provenance) if cell.provenance is not None else None
        if reading is None:
            if cell.provenance is not None and cell.provenance.box is not None and cell.state in _READ:
                # OCR'd running text (a table row not found as a table): its confidence was not kept, so
                # the figure is not certain
                report.cells[cell_id] = _unplaced(
                    cell, "图片中以文字行识别出的数字，识别置信度未知，无法确定"
                )
            continue
        if cell.state == CellState.BLANK:
            if reading.confidence < LOW_CONFIDENCE:  # ink in the cell, but nothing could be read from it
                report.cells[cell_id] = _unplaced(cell, "图片中此格有字迹，但无法识别", raw="")
            continue
        if cell.state not in (CellState.NUMBER, CellState.TEXT):
            continue
        values = _values(cell, reading, kinds.get(cell_id, "count"))
        if len(values) > 1:
            options[cell_id] = values
        elif reading.confidence < LOW_CONFIDENCE or (
            cell.state == CellState.TEXT and any(ch.isdigit() for ch in cell.raw)
        ):  # a figure read as something else (“0.”, “1O”) is a misreading far likelier than typed text
            report.cells[cell_id] = _unplaced(
                cell, f"图片识别不确定（置信度{reading.confidence:.2f}）：“{cell.raw}”"
            )
    _sign_by_identity(template, report, readings, kinds, options)
    if options:
        _choose(template, report, options)


_READ = (CellState.NUMBER, CellState.TEXT)


def _unplaced(cell: CellValue, note: str, raw: str | None = None) -> CellValue:
    """The cell as a doubt: what was read (``raw``, default the cell's own) and where, no value."""
    return CellValue(CellState.UNPLACED, None, cell.raw if raw is None else raw, cell.provenance, note=note)


def _sign_by_identity(
    template: Template, report: Report, readings: dict, kinds: dict[str, str], options: dict[str, list[float]]
) -> None:
    """A signed figure (本年增/减) read from a picture without a minus, whose identity is broken as read
    but holds with the sign flipped: the minus was likelier lost than the figure wrong, so the negated
    value joins its readings and the identities choose (``_choose``)."""
    known = {
        cid: (c.value if c.state == CellState.NUMBER else 0.0)
        for cid, c in report.cells.items()
        if c.state == CellState.BLANK or (c.state == CellState.NUMBER and c.value is not None)
    }
    for cell_id, cell in report.cells.items():
        if (
            kinds.get(cell_id) != "signed"
            or cell_id in options
            or cell.state != CellState.NUMBER
            or not cell.value
            or "-" in cell.raw
            or readings.get(cell.provenance) is None
        ):
            continue
        for rel in template.identities():
            if cell_id not in rel or not all(c in known for c in rel):
                continue
            as_read = sum(k * known[c] for c, k in rel.items())
            flipped = as_read - 2 * rel[cell_id] * cell.value
            if abs(as_read) > 1e-6 and abs(flipped) < 1e-6:
                options[cell_id] = [cell.value, -cell.value]
                break


def _missing_is_unread(doc: Document, template: Template, report: Report, readings: dict) -> None:
    """In a table read from a picture (a scanned page or a picture of a table), a row not found while the
    picture holds a row of figures that no row of the form claimed is far likelier a label the recogniser
    misread than a row the agency deleted: its cells are not placed (a doubt), never MISSING (an error of
    form, M-02). A table all of whose picture rows were matched keeps its missing rows missing."""
    placed = {c.provenance for c in report.cells.values() if c.provenance is not None}
    for table in template.tables:
        cells = template.cells_of(table.id)
        absent = [c for c in cells if report.cells.get(c.id, _ABSENT).state == CellState.MISSING]
        found = [report.cells[c.id].provenance for c in cells if c.id in report.cells]
        if not absent or len(absent) == len(cells):
            continue
        if not any(p in readings for p in found) or not _unclaimed_rows(doc, found, placed):
            continue
        for cell in absent:
            report.cells[cell.id] = CellValue(
                CellState.UNPLACED,
                None,
                "",
                None,
                note="图片识别未能读出此行或此列的标签，无法确定其数值",
            )


_ABSENT = CellValue(CellState.MISSING)


def _unclaimed_rows(doc: Document, found: list, placed: set) -> bool:
    """Whether a picture table holding some of ``found`` has a row of figures none of which was placed."""
    keys = {(p.file, p.page, p.image, p.table) for p in found if p is not None}
    for block in doc.blocks:
        prov = block.provenance
        if not isinstance(block, Grid) or (prov.file, prov.page, prov.image, prov.table) not in keys:
            continue
        for row in block.rows:
            figures = [c for c in row if c.reading is not None and _is_figure(c.text)]
            if figures and not any(c.provenance in placed for c in row):
                return True
    return False


def _is_figure(text: str) -> bool:
    return parse_cell(text, "signed", None).state == CellState.NUMBER


def _values(cell: CellValue, reading: Reading, kind: str) -> list[float]:
    """The figure as read first, then the other values its alternatives give (distinct; negative ones only
    in a column that allows them)."""
    out = [cell.value] if cell.state == CellState.NUMBER and cell.value is not None else []
    for text in reading.alternatives:
        alt = parse_cell(text, "signed", None)
        if alt.value is not None and alt.value < 0 and kind != "signed":
            continue
        if alt.state == CellState.NUMBER and alt.value is not None and alt.value not in out:
            out.append(alt.value)
    return out


def _choose(template: Template, report: Report, options: dict[str, list[float]]) -> None:
    known: dict[str, float] = {}
    for cell_id, cell in report.cells.items():
        if cell_id in options:
            continue
        if cell.state == CellState.NUMBER and cell.value is not None:
            known[cell_id] = cell.value
        elif cell.state == CellState.BLANK:
            known[cell_id] = 0.0
    usable = [
        rel
        for rel in template.identities()
        if any(c in options for c in rel) and all(c in options or c in known for c in rel)
    ]
    survivors: dict[str, set[float]] = {c: set() for c in options}
    checked: set[str] = set()
    for group, rels in _groups(options, usable):
        sizes = 1
        for c in group:
            sizes *= len(options[c])
        if not rels or sizes > MAX_ASSIGNMENTS:
            continue
        checked.update(group)
        for combo in product(*(options[c] for c in group)):
            value = dict(zip(group, combo))
            if all(
                abs(sum(k * (value[c] if c in value else known[c]) for c, k in rel.items())) < 1e-6
                for rel in rels
            ):
                for c, v in value.items():
                    survivors[c].add(v)
    for cell_id, values in options.items():
        cell = report.cells[cell_id]
        found = survivors[cell_id]
        readings = "、".join(f"{v:g}" for v in values)
        if len(found) == 1:
            chosen = next(iter(found))
            report.cells[cell_id] = CellValue(
                CellState.NUMBER,
                chosen,
                cell.raw,
                cell.provenance,
                note=f"图片识别读数可能为 {readings}，由表内勾稽关系确定为 {chosen:g}",
                unit=cell.unit,
            )
        elif found:
            report.cells[cell_id] = CellValue(
                CellState.AMBIGUOUS,
                None,
                cell.raw,
                cell.provenance,
                candidates=tuple(sorted(found)),
                note=f"图片识别读数不确定，可能为 {readings}（表内勾稽关系无法确定）",
            )
        else:  # the true figure may be none of them: not placed, so it takes part in no finding
            why = "任一读数都不能使表内勾稽关系成立" if cell_id in checked else "表内没有可据以确定的勾稽关系"
            report.cells[cell_id] = _unplaced(cell, f"图片识别读数不确定，可能为 {readings}，{why}")


def _groups(options: dict[str, list[float]], rels: list[dict[str, int]]):
    """Doubtful cells linked by the relations they share: (cells, relations) per connected group."""
    parent = {c: c for c in options}

    def find(c: str) -> str:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    for rel in rels:
        cells = [c for c in rel if c in options]
        for c in cells[1:]:
            parent[find(c)] = find(cells[0])
    groups: dict[str, list[str]] = {}
    for c in options:
        groups.setdefault(find(c), []).append(c)
    for members in groups.values():
        mine = set(members)
        yield members, [rel for rel in rels if mine.intersection(rel)]


# ---------------------------------------------------------------------------------------------- labels


def snap_labels(doc: Document, catalogue: Catalogue) -> None:
    """OCR'd cells whose text is one character or two away from exactly one label of the form are read
    as that label (their numbering kept); everything else is left as read."""
    labels = _labels(catalogue)
    if not labels:
        return
    exact = set(labels)
    for block in doc.blocks:
        if not isinstance(block, Grid):
            continue
        for row in block.rows:
            for i, cell in enumerate(row):
                if cell.reading is None or len(cell.text) < 4:
                    continue
                text = "".join(fold(cell.text).split())
                core = strip_numbering(text)
                if core in exact or not any("\u4e00" <= ch <= "\u9fff" for ch in core):
                    continue
                # three characters only after the form's numbering (“（一）以公开”, 予 lost), and only when
                # one label alone is close: a short core is close to many
                short = len(core) == 3 and core != text and all("\u4e00" <= ch <= "\u9fff" for ch in core)
                if len(core) < 4 and not short:
                    continue
                close = difflib.get_close_matches(core, labels, n=2, cutoff=LABEL_CUTOFF)
                if len(close) == 1 or (
                    not short
                    and len(close) == 2
                    and difflib.SequenceMatcher(None, core, close[0]).ratio()
                    - difflib.SequenceMatcher(None, core, close[1]).ratio()
                    >= 0.1
                ):
                    prefix = text[: len(text) - len(core)] if text.endswith(core) else ""
                    row[i] = GridCell(prefix + close[0], cell.provenance, cell.reading)


_LABELS: dict[int, list[str]] = {}


def _labels(catalogue: Catalogue) -> list[str]:
    key = id(catalogue)
    if key not in _LABELS:
        from validator.locate.tables import table_index

        found: set[str] = set()
        for template in catalogue.templates.values():
            for table in template.tables:
                found.update(k for k in table_index(template.id, table.id).owners if len(k) >= 4)
        _LABELS[key] = sorted(found)
    return _LABELS[key]
