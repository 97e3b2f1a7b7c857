"""Certainty decides severity (issue 8 item 1, reading side): what the reader cannot place is UNPLACED,
never TEXT; TEXT only for text certainly typed in a real cell."""

from __future__ import annotations

from validator.locate import locate
from validator.model import CellState, Provenance
from validator.readers.document import Document, Grid, GridCell, TextBlock
from validator.readers.text import parse_text

HEAD = "某某县财政局2023年度政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"


def test_a_token_no_split_can_read_is_unplaced():
    text = (
        HEAD
        + "一、本年新收政府信息公开申请数量 5 0 x1 0 0 0 5\n二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0\n"
    )
    report = locate(parse_text(text, "a.txt"))
    cell = report.cells["t3.new.np"]
    assert cell.state == CellState.UNPLACED and cell.raw and cell.note
    assert report.cells["t3.carried_in.tot"].state == CellState.NUMBER


def test_next_sheet_title_is_not_read_as_a_rows_values():
    text = (
        HEAD
        + "一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1\n"
        + "四、结转下年度继续办理\n"
        + "表四 政府信息公开行政复议、行政诉讼情况\n"
    )
    report = locate(parse_text(text, "b.txt"))
    for col in ("np", "tot"):
        assert report.cells[f"t3.carried_out.{col}"].state != CellState.TEXT


def test_a_note_line_ends_the_row():
    text = HEAD + "四、结转下年度继续办理\n注：本表数据截至12月31日\n"
    report = locate(parse_text(text, "c.txt"))
    assert all(report.cells[f"t3.carried_out.{c}"].state != CellState.TEXT for c in ("np", "tot"))


def test_text_typed_in_a_real_cell_stays_text():
    p = Provenance(file="d.xlsx")
    labels = ["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    row = ["一、本年新收政府信息公开申请数量", "约2件", "0", "0", "0", "0", "0", "2"]
    doc = Document(source="d.xlsx", format="xlsx")
    doc.blocks.append(TextBlock("三、收到和处理政府信息公开申请情况", p))
    doc.blocks.append(Grid([[GridCell(t, p) for t in labels], [GridCell(t, p) for t in row]], p))
    report = locate(doc)
    assert report.cells["t3.new.np"].state == CellState.TEXT


def test_one_sheet_per_table_next_sheets_title_is_not_a_rows_values():
    """A workbook with one sheet per table: the 表三 sheet's last row holds only its label (the empty
    cells trimmed); the next sheet's title must not be read as that row's values."""
    p = Provenance(file="e.xlsx")
    labels = ["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
    rows = [labels, ["一、本年新收政府信息公开申请数量", "1", "0", "0", "0", "0", "0", "1"]]
    rows.append(["四、结转下年度继续办理"])
    doc = Document(source="e.xlsx", format="xlsx")
    doc.blocks.append(TextBlock("三、收到和处理政府信息公开申请情况", p))
    doc.blocks.append(Grid([[GridCell(t, p) for t in r] for r in rows], p))
    doc.blocks.append(Grid([[GridCell("表四 政府信息公开行政复议、行政诉讼情况", p)]], p))
    doc.blocks.append(Grid([[GridCell("注：本表为空表", p)]], p))
    report = locate(doc)
    assert report.cells["t3.new.np"].value == 1
    states = {report.cells[f"t3.carried_out.{c}"].state for c in ("np", "le_com", "tot")}
    assert CellState.TEXT not in states
