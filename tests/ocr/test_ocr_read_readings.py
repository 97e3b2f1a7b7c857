"""What the locator makes of OCR readings (validator.locate.readings), on a generated report whose cells are
given readings here: a doubtful figure is never an error; alternatives are chosen by the form's identities
only when exactly one makes them hold; a misread label close to one of the form's is read as it."""

from __future__ import annotations

import random

import pytest

from validator.api import validate_reports
from validator.locate import locate
from validator.model import CellState
from validator.readers import read_document
from validator.readers.document import Grid, GridCell, Reading
from validator.testing.formats import render_html, series

CELL = "t3.new.np"


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    report = series("示例市交通运输局", [2023], random.Random(7))[0]
    path = tmp_path_factory.mktemp("ocr_readings") / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path, report.figures.cells


def as_ocr(path, changes: dict[str, tuple[str, Reading]]):
    """The document with every grid cell marked as OCR'd (sure), and the given cells' text and reading."""
    doc = read_document(path)
    where = {cid: cell.provenance for cid, cell in locate(doc).cells.items()}
    targets = {where[cid]: change for cid, change in changes.items()}
    for block in doc.blocks:
        if isinstance(block, Grid):
            for row in block.rows:
                for i, cell in enumerate(row):
                    text, reading = targets.get(cell.provenance, (cell.text, Reading(0.99)))
                    row[i] = GridCell(text, cell.provenance, reading if cell.text or text else None)
    doc.meta["ocr"] = "1"
    return doc


def errors_naming(report, cell_id: str) -> list[str]:
    (result,) = validate_reports([report])
    return [f.rule for f in result.findings if f.severity == "error" and cell_id in f.cells]


def test_sure_readings_read_as_typed(source):
    path, truth = source
    report = locate(as_ocr(path, {}))
    assert report.cells[CELL].state == CellState.NUMBER and report.cells[CELL].value == truth[CELL]
    (result,) = validate_reports([report])
    assert not [f for f in result.findings if f.severity == "error"]


def test_the_identities_choose_the_one_alternative_that_fits(source):
    path, truth = source
    value = int(truth[CELL])
    wrong = str(value + 5)
    report = locate(as_ocr(path, {CELL: (wrong, Reading(0.55, (str(value), str(value + 3))))}))
    cell = report.cells[CELL]
    assert cell.state == CellState.NUMBER and cell.value == value
    assert "勾稽关系确定" in cell.note and cell.raw == wrong
    assert not errors_naming(report, CELL)


def test_no_alternative_fits_is_a_doubt_never_an_error(source):
    path, truth = source
    value = int(truth[CELL])
    report = locate(as_ocr(path, {CELL: (str(value + 5), Reading(0.55, (str(value + 3),)))}))
    cell = report.cells[CELL]
    assert cell.state == CellState.UNPLACED and "任一读数" in cell.note
    assert f"{value + 5}、{value + 3}" in cell.note
    assert not errors_naming(report, CELL)


def test_low_confidence_without_alternatives_is_unplaced(source):
    path, truth = source
    wrong = str(int(truth[CELL]) + 5)
    report = locate(as_ocr(path, {CELL: (wrong, Reading(0.3))}))
    cell = report.cells[CELL]
    assert cell.state == CellState.UNPLACED and "置信度0.30" in cell.note
    assert not errors_naming(report, CELL)
    # the same misreading read with confidence is certain, and takes part in an error
    sure = locate(as_ocr(path, {CELL: (wrong, Reading(0.99))}))
    assert sure.cells[CELL].state == CellState.NUMBER and errors_naming(sure, CELL)


def test_ink_that_reads_as_nothing_is_unplaced_not_blank(source):
    path, _ = source
    report = locate(as_ocr(path, {CELL: ("", Reading(0.0))}))
    assert report.cells[CELL].state == CellState.UNPLACED and "无法识别" in report.cells[CELL].note
    assert locate(as_ocr(path, {CELL: ("", None)})).cells[CELL].state == CellState.BLANK  # no ink: blank


def test_a_label_misread_by_a_character_is_read_as_the_form_has_it(source):
    path, truth = source
    key = "t3.res.unable.not_held.np"

    def misread(ocr: bool):
        doc = as_ocr(path, {})
        for block in doc.blocks:
            if isinstance(block, Grid):
                for row in block.rows:
                    for j, c in enumerate(row):
                        if c.text.endswith("本机关不掌握相关政府信息"):
                            row[j] = GridCell(c.text.replace("掌握", "掌猩"), c.provenance, Reading(0.7))
        if not ocr:
            del doc.meta["ocr"]
        return locate(doc)

    assert misread(ocr=False).cells[key].state == CellState.MISSING  # typed text is never corrected
    fixed = misread(ocr=True).cells[key]
    assert fixed.state == CellState.NUMBER and fixed.value == truth[key]


def test_figures_in_ocr_running_text_are_a_doubt_never_an_error(source):
    """A table row the OCR did not find as a table (two rows between headings, no rules) comes out as a
    TextBlock, whose characters' confidence is not kept: its figures are not certain."""
    from validator.model import Provenance
    from validator.readers.document import TextBlock

    path, truth = source
    doc = as_ocr(path, {})
    where = locate(doc).cells[CELL].provenance
    wrong = str(int(truth[CELL]) + 5)
    blocks = []
    for block in doc.blocks:
        if not (isinstance(block, Grid) and block.provenance.table == where.table):
            blocks.append(block)
            continue
        for i, row in enumerate(block.rows):
            texts = [c.text if c.provenance != where else wrong for c in row]
            box = (0, 40 * i, 900, 40 * i + 30)
            blocks.append(
                TextBlock(" ".join(t for t in texts if t.strip()), Provenance(file="p.png", box=box))
            )
    doc.blocks = blocks
    report = locate(doc)
    cell = report.cells[CELL]
    assert cell.provenance is not None and cell.provenance.box is not None  # read from the OCR'd line
    assert cell.state == CellState.UNPLACED and "置信度未知" in cell.note
    assert not errors_naming(report, CELL)
