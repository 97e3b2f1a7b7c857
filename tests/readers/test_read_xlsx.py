"""XLSX reader: merged ranges, cached and missing formula values, numbers as text, sheets, provenance."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest
from readers_build import CORPUS, xlsx_from_document, zip_with

from validator.readers import is_continuation, merged_origin, read_document
from validator.readers.document import Grid, TextBlock
from validator.readers.xlsx import _number_text, read_xlsx


def texts(grid: Grid) -> list[list[str]]:
    return [[c.text for c in row] for row in grid.rows]


def set_cached(path, values: dict[str, str]) -> None:
    """Give formula cells a cached value, as Excel would have saved it (openpyxl writes none)."""
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    sheet = members["xl/worksheets/sheet1.xml"].decode()
    for ref, value in values.items():
        start = sheet.index(f'<c r="{ref}"')
        end = sheet.index("</c>", start)
        cell = sheet[start:end].replace("<v></v>", f"<v>{value}</v>").replace("<v />", f"<v>{value}</v>")
        sheet = sheet[:start] + cell + sheet[end:]
    members["xl/worksheets/sheet1.xml"] = sheet.encode()
    path.write_bytes(zip_with(members))


@pytest.fixture
def report_xlsx(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "表三"
    ws["B2"] = "2023年某局政府信息公开工作年度报告"
    ws.merge_cells("B2:F2")
    ws["B3"] = "三、本年度办理结果"
    ws.merge_cells("B3:B4")
    ws["C3"] = "（一）予以公开"
    ws["D3"] = 5
    ws["E3"] = "12"  # a number stored as text
    ws["F3"] = "=D3+E3"  # formula with a cached value (set below)
    ws["C4"] = "（二）部分公开"
    ws["D4"] = 2.0  # float that is an integer
    ws["E4"] = None  # blank
    ws["F4"] = "=SUM(D4:E4)"  # formula without a cached value → computed
    ws["C6"] = "收费金额"
    ws["D6"] = 7730.28
    ws["E6"] = "=VLOOKUP(D6,Z1:Z2,1)"  # unsupported → formula text
    ws["F6"] = "=D6*10000/D6+SUM(D3,D4)-(1)"  # arithmetic with parentheses and SUM of refs
    ws["C7"] = "换行\n标签"
    hidden = wb.create_sheet("辅助")
    hidden["A1"] = "内部"
    hidden.sheet_state = "hidden"
    other = wb.create_sheet("表四")
    other["A1"] = "行政复议"
    other.merge_cells("A1:E1")
    other["A2"] = 0
    other["E2"] = 0
    path = tmp_path / "r.xlsx"
    wb.save(path)
    set_cached(path, {"F3": "17"})
    return path


def test_grids_values_and_merges(report_xlsx):
    doc = read_xlsx(report_xlsx)
    assert doc.format == "xlsx"
    g1, g2 = [b for b in doc.blocks if isinstance(b, Grid)]
    # one-cell rows above and below a sheet's table (its title, a trailing label) are text, not rows
    lone = [(b.text, b.provenance.ref) for b in doc.blocks if isinstance(b, TextBlock)]
    assert lone == [("2023年某局政府信息公开工作年度报告", "B2"), ("换行标签", "C7"), ("行政复议", "A1")]
    assert texts(g1) == [
        ["三、本年度办理结果", "（一）予以公开", "5", "12", "17"],
        ["", "（二）部分公开", "2", "", "2"],
        ["", "收费金额", "7730.28", "=VLOOKUP(D6,Z1:Z2,1)", "10006"],
    ]
    # merged ranges once; continuations carry the origin's provenance
    assert is_continuation(g1, 1, 0) and merged_origin(g1, 1, 0) == (0, 0)
    assert not is_continuation(g1, 1, 3)  # E4 is a real blank
    assert not is_continuation(g1, 2, 0)  # B6 is outside the merge: a blank
    # provenance: sheet + cell reference
    p = g1.rows[1][3].provenance
    assert (p.file, p.sheet, p.ref, p.table, p.row, p.column) == ("r.xlsx", "表三", "E4", 1, 4, 5)
    assert g1.rows[1][0].provenance.ref == "B3"
    assert g1.provenance.sheet == "表三"
    # hidden sheet skipped, second visible sheet is table 2
    assert g2.provenance.table == 2 and g2.provenance.sheet == "表四"
    assert texts(g2) == [["0", "", "", "", "0"]]
    assert doc.meta["hidden_sheets"] == "辅助"
    assert doc.meta["formulas_computed"] == "表三!F4,表三!F6"
    assert doc.meta["formulas_unevaluated"] == "表三!E6"
    assert doc.meta["title"] == "2023年某局政府信息公开工作年度报告"


def test_through_read_document_and_mislabelled(tmp_path, report_xlsx):
    lying = tmp_path / "report.docx"
    lying.write_bytes(report_xlsx.read_bytes())
    doc = read_document(lying)
    assert doc.format == "xlsx"


def test_formula_cycle_and_text_operand_give_formula_text(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "=B1+1"
    ws["B1"] = "=A1+1"
    ws["C1"] = "abc"
    ws["D1"] = "=C1+1"
    ws["E1"] = "=SUM(C1,2)"  # SUM ignores text in references
    path = tmp_path / "c.xlsx"
    wb.save(path)
    (grid,) = read_xlsx(path).blocks
    assert texts(grid) == [["=B1+1", "=A1+1", "abc", "=C1+1", "2"]]


def test_cross_sheet_reference(tmp_path):
    wb = openpyxl.Workbook()
    a = wb.active
    a.title = "数据"
    a["A1"] = 3
    b = wb.create_sheet("汇总 表")
    b["A1"] = "='数据'!A1*2"
    b["B1"] = "=数据!A1+'汇总 表'!A1"
    path = tmp_path / "x.xlsx"
    wb.save(path)
    g = [blk for blk in read_xlsx(path).blocks]
    assert texts(g[1]) == [["6", "9"]]


def test_empty_rows_dropped_but_numbers_kept(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = "一、本年新收"
    ws["B1"] = 0
    ws["A5"] = "（七）总计"
    ws["B5"] = 0
    ws["C3"].number_format = "0.00"  # styled but empty: not data
    path = tmp_path / "e.xlsx"
    wb.save(path)
    (grid,) = read_xlsx(path).blocks
    assert texts(grid) == [["一、本年新收", "0"], ["（七）总计", "0"]]
    assert [r[0].provenance.row for r in grid.rows] == [1, 5]


def test_empty_workbook_has_no_grids(tmp_path):
    wb = openpyxl.Workbook()
    path = tmp_path / "empty.xlsx"
    wb.save(path)
    assert read_xlsx(path).blocks == []


@pytest.mark.parametrize(
    "value, text",
    [
        (5.0, "5"),
        (7730.28, "7730.28"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e20, "100000000000000000000"),
        (1.5e-7, "0.00000015"),
        (-3.0, "-3"),
    ],
)
def test_number_text(value, text):
    assert _number_text(value) == text


def test_percent_and_dates(tmp_path):
    import datetime

    wb = openpyxl.Workbook()
    ws = wb.active
    ws["A1"] = 0.25
    ws["A1"].number_format = "0%"
    ws["B1"] = datetime.datetime(2024, 1, 31)
    ws["C1"] = True
    path = tmp_path / "p.xlsx"
    wb.save(path)
    (grid,) = read_xlsx(path).blocks
    assert texts(grid) == [["25%", "2024-01-31", "TRUE"]]


@pytest.mark.usefixtures("shared_corpus")
def test_full_report_as_workbook(tmp_path):
    html_doc = read_document(CORPUS / "2019_shanghai_szfbgt.html")
    path = tmp_path / "sh.xlsx"
    xlsx_from_document(html_doc, path)
    doc = read_document(path)
    g = [b for b in doc.blocks if isinstance(b, Grid)]
    html_grids = [b for b in html_doc.blocks if isinstance(b, Grid)]
    assert len(g) == 3  # three tables; the narrative sheet (one-cell rows only) is text
    assert any(isinstance(b, TextBlock) and "总体情况" in b.text for b in doc.blocks)
    assert not doc.tables_only
    for mine, theirs in zip(g, html_grids):
        rows = texts(theirs)
        while sum(1 for t in rows[0] if t) == 1:  # a one-cell row above a table is its title: text
            rows = rows[1:]
        assert texts(mine) == rows
    t3 = g[1]
    row = next(r for r in t3.rows if r[0].text == "一、本年新收政府信息公开申请数量")
    assert [c.text for c in row[-7:]] == ["821", "35", "", "", "2", "1", "859"]
    assert row[3].provenance.ref == "D4"
