"""Certainty decides severity for rows of a table read from a picture (validator.locate.readings,
locate.by_position): a row whose label the recogniser garbled is placed by its position among the rows found
when the form's order leaves no choice, each figure judged by its own reading; where position cannot tell,
its cells are doubts (UNPLACED), never an M-02 “row missing” error while the picture holds a row of figures
no label claimed; a row truly absent from the picture is still missing; a numbered label that lost a
character (“（一）以公开”) is read as the form has it."""

from __future__ import annotations

import random

import pytest

from validator.api import validate_reports
from validator.locate import locate
from validator.model import CellState
from validator.readers import read_document
from validator.readers.document import Grid, GridCell, Reading
from validator.testing.formats import render_html, series

ROW = "t3.res.granted"
LABEL = "予以公开"


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    report = series("示例市交通运输局", [2023], random.Random(11))[0]
    path = tmp_path_factory.mktemp("ocr_trust_rows") / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    return path, report.figures.cells


def read(
    path, label: str | None, ocr: bool = True, drop_row: bool = False, drop_next: bool = False, sure=0.99
):
    """The document as if OCR'd (every cell read with confidence ``sure``), the 予以公开 label read as
    ``label`` (None: as printed); with ``drop_row`` that row is not in the picture at all, with
    ``drop_next`` the row after it (部分公开) is not."""
    doc = read_document(path)
    for block in doc.blocks:
        if not isinstance(block, Grid):
            continue
        for row in list(block.rows):
            hit = any(c.text.endswith(LABEL) and "不予" not in c.text for c in row)
            if (hit and drop_row) or (drop_next and any("部分公开" in c.text for c in row)):
                block.rows.remove(row)
                continue
            for j, c in enumerate(row):
                text = c.text.replace(LABEL, label) if hit and label is not None else c.text
                reading = Reading(sure if hit else 0.99) if text else None
                row[j] = GridCell(text, c.provenance, reading)
    if ocr:
        doc.meta["ocr"] = "1"
    return locate(doc)


def m02(report) -> list:
    (result,) = validate_reports([report])
    return [f for f in result.findings if f.rule == "M-02" and f.severity == "error"]


def row_states(report) -> set:
    return {c.state for cid, c in report.cells.items() if cid.startswith(ROW + ".")}


def test_a_garbled_label_is_placed_by_the_rows_around_it(source):
    path, truth = source
    report = read(path, "囗囗囗")
    for cell_id, cell in report.cells.items():
        if cell_id.startswith(ROW + "."):
            assert cell.state == CellState.NUMBER and cell.value == truth[cell_id], cell_id
            assert "按表内行的顺序" in cell.note and "囗囗囗" in cell.note
    assert not m02(report)


def test_placed_by_position_its_figures_are_only_as_sure_as_their_readings(source):
    path, _ = source
    report = read(path, "囗囗囗", sure=0.3)
    assert row_states(report) == {CellState.UNPLACED}
    (result,) = validate_reports([report])
    assert not [
        f for f in result.findings if f.severity == "error" and any(c.startswith(ROW) for c in f.cells)
    ]


def test_where_position_cannot_tell_a_garbled_label_is_a_doubt_not_a_missing_row(source):
    path, _ = source
    # 予以公开 garbled and 部分公开 gone: one unclaimed row where the form has two — which one is it?
    report = read(path, "囗囗囗", drop_next=True)
    assert row_states(report) == {CellState.UNPLACED}
    assert {c.state for cid, c in report.cells.items() if cid.startswith("t3.res.partial.")} == {
        CellState.UNPLACED
    }
    assert "标签" in report.cells[f"{ROW}.np"].note
    assert not m02(report)


def test_the_same_garbled_label_typed_is_a_missing_row(source):
    path, _ = source
    report = read(path, "囗囗囗", ocr=False)
    assert row_states(report) == {CellState.MISSING}
    assert any(f"{ROW}.np" in f.cells for f in m02(report))


def test_a_row_absent_from_the_picture_stays_missing(source):
    path, _ = source
    report = read(path, None, drop_row=True)
    assert row_states(report) == {CellState.MISSING}
    assert any(f"{ROW}.np" in f.cells for f in m02(report))


def test_a_numbered_label_that_lost_a_character_is_placed(source):
    path, truth = source
    report = read(path, "以公开")
    assert report.cells[f"{ROW}.np"].state == CellState.NUMBER
    assert report.cells[f"{ROW}.np"].value == truth[f"{ROW}.np"]
    assert not m02(report)
