"""Tables across containers (issue 8 item 4), reader side: rows broken across PDF pages, sheet titles and
notes, workbooks of tables only, crawled page headers and tab-separated rows."""

from __future__ import annotations

import openpyxl

from validator.model import Provenance
from validator.readers import read_document
from validator.readers.document import Document, Grid, GridCell, TextBlock, holds_tables_only
from validator.readers.grid import is_broken_row, join_broken_row
from validator.readers.text import parse_text


def row(page: int, r: int, *texts: str, merged: bool = False) -> list[GridCell]:
    if merged:  # one cell across the row: its covered positions share its provenance
        p = Provenance(page=page, row=r, column=1)
        return [GridCell(texts[0], p)] + [GridCell("", p) for _ in texts[1:]]
    return [GridCell(t, Provenance(page=page, row=r, column=c + 1)) for c, t in enumerate(texts)]


def test_a_label_cut_by_the_page_break_joins_the_row_above():
    above = row(2, 17, "", "（五）不予处", "1.信访举报投", "0", "1", "3")
    below = row(3, 1, "", "理", "诉类申请", "", "", "")
    assert is_broken_row(above, below)
    joined = join_broken_row(above, below)
    assert [c.text for c in joined] == ["", "（五）不予处理", "1.信访举报投诉类申请", "0", "1", "3"]
    assert joined[3].provenance.page == 2


def test_figures_below_the_break_join_the_label_above():
    above = row(2, 17, "4.无正当理由大量", "", "", "")
    below = row(3, 1, "反复申请", "2", "0", "2")
    assert is_broken_row(above, below)
    joined = join_broken_row(above, below)
    assert [c.text for c in joined] == ["4.无正当理由大量反复申请", "2", "0", "2"]
    assert joined[1].provenance.page == 3  # a finding on the figure points at the page it is printed on


def test_rows_that_are_not_continuations():
    full = row(2, 17, "2.重复申请", "0", "1", "1")
    assert not is_broken_row(full, row(3, 1, "3.要求提供公开出版物", "0", "0", "0"))  # numbered: a new row
    assert not is_broken_row(full, row(3, 1, "行政强制", "7", "", ""))  # its own figures
    assert not is_broken_row(full, row(3, 1, "", "自然人", "商业企业", "总计"))  # a repeated header
    assert not is_broken_row(full, row(3, 1, "第二十条第（六）项", "", "", "", merged=True))  # a caption
    assert not is_broken_row(full, row(3, 1, "", "", "", ""))
    assert not is_broken_row(full, row(3, 1, "甲", "乙", "丙"))  # other columns: another table


def _sheet_workbook(path, with_prose: bool):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表三"
    ws["A1"] = "三、收到和处理政府信息公开申请情况"
    ws.merge_cells("A1:D1")
    ws["D2"] = "单位：件"
    for r, values in enumerate(
        [["", "自然人", "其他", "总计"], ["四、结转下年度继续办理", 1, 0, 1]], start=3
    ):
        for c, v in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=v)
    ws["A5"] = "注：本表统计期限为2023年1月1日至2023年12月31日。"
    ws.merge_cells("A5:D5")
    ws["A6"] = "填报单位：某某市某某局"
    nxt = wb.create_sheet("表四")
    nxt["A1"] = "四、政府信息公开行政复议、行政诉讼情况"
    for c, v in enumerate(["行政复议", "", "行政诉讼"], start=1):
        nxt.cell(row=2, column=c, value=v or None)
    for c in range(1, 4):
        nxt.cell(row=3, column=c, value=0)
    if with_prose:
        text = wb.create_sheet("正文", 0)
        text["A1"] = "一、总体情况"
        text["A2"] = "本年度我局认真贯彻落实政府信息公开条例，持续推进政务公开工作，各项任务均已完成。"
    wb.save(path)
    return path


def test_sheet_titles_and_notes_are_text_not_rows(tmp_path):
    doc = read_document(_sheet_workbook(tmp_path / "t.xlsx", with_prose=False))
    kinds = [(type(b).__name__, b.text if isinstance(b, TextBlock) else len(b.rows)) for b in doc.blocks]
    assert kinds == [
        ("TextBlock", "三、收到和处理政府信息公开申请情况"),
        ("TextBlock", "单位：件"),
        ("Grid", 2),
        ("TextBlock", "注：本表统计期限为2023年1月1日至2023年12月31日。"),
        ("TextBlock", "填报单位：某某市某某局"),
        ("TextBlock", "四、政府信息公开行政复议、行政诉讼情况"),
        ("Grid", 2),
    ]
    grid = doc.blocks[2]
    assert [c.text for c in grid.rows[-1]] == ["四、结转下年度继续办理", "1", "0", "1"]
    assert doc.blocks[0].provenance.ref == "A1" and doc.blocks[0].provenance.sheet == "表三"


def test_tables_only_is_decided_from_the_content(tmp_path):
    # too little of a table: two rows of figures are not a statistical workbook
    assert read_document(_sheet_workbook(tmp_path / "a.xlsx", with_prose=False)).tables_only is False
    big = tmp_path / "tables.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "某某局2023年政府信息公开工作年度报告（统计表）"
    for r in range(2, 8):
        for c in range(1, 5):
            ws.cell(row=r, column=c, value=f"项目{r}" if c == 1 else r * c)
    ws["A9"] = "注：本表统计期限为2023年1月1日至12月31日。"
    wb.save(big)
    assert read_document(big).tables_only is True
    ws["A10"] = "本年度我局认真贯彻落实政府信息公开条例，持续推进政务公开工作，各项任务均已完成。"
    wb.save(big)
    assert read_document(big).tables_only is False  # one paragraph of prose: the narrative is here


def test_holds_tables_only_needs_tables():
    doc = Document("x", "text", [TextBlock("某某局2023年政府信息公开工作年度报告", Provenance())])
    assert not holds_tables_only(doc)
    grid = Grid([[GridCell(str(c), Provenance()) for c in range(4)] for _ in range(4)], Provenance())
    assert holds_tables_only(Document("x", "html", [grid]))


def test_crawled_page_header_is_metadata():
    text = (
        "标题:某某市某某局2023年政府信息公开工作年度报告\n发布时间：2024-01-20\n来源：某某市某某局\n"
        "发布机构：某某市某某局\n索引号：113501000000000X/2024-00012\n文号：\n"
        "某某市某某局2023年政府信息公开工作年度报告\n一、总体情况\n"
    )
    doc = parse_text(text, "p.txt")
    assert doc.meta["title"] == "某某市某某局2023年政府信息公开工作年度报告"
    assert doc.meta["published"] == "2024-01-20" and doc.meta["publisher"] == "某某市某某局"
    assert doc.meta["source"] == "某某市某某局" and doc.meta["index_no"].endswith("2024-00012")
    assert [b.text for b in doc.blocks] == ["某某市某某局2023年政府信息公开工作年度报告", "一、总体情况"]
    assert doc.blocks[0].provenance.line == 7
    # one "来源：" line at the top is body text, not a page header
    assert [b.text for b in parse_text("来源：本局\n一、总体情况\n", "q.txt").blocks] == [
        "来源：本局",
        "一、总体情况",
    ]


def test_tab_separated_line_is_a_table_row():
    doc = parse_text("表三\n四、结转下年度继续办理\t1\t\t0\t1\n\t自然人\t其他\n正文\n", "t.txt")
    assert isinstance(doc.blocks[1], Grid)
    rows = [[c.text for c in r] for r in doc.blocks[1].rows]
    assert rows == [["四、结转下年度继续办理", "1", "", "0", "1"], ["", "自然人", "其他"]]
    assert doc.blocks[1].rows[0][3].provenance.column == 4
    assert isinstance(doc.blocks[2], TextBlock)
