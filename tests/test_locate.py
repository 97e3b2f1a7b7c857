"""The locator on layouts real reports use: transposed 表四, （六） not split, labels cut by a page break."""

from __future__ import annotations

import random

from validator.locate import locate
from validator.model import CellState
from validator.readers.document import Document, Grid, GridCell, TextBlock
from validator.readers.html import read_html
from validator.testing.formats import render_html, series

GROUPS = [
    ("行政复议", "review"),
    ("行政诉讼（未经复议直接起诉）", "suit_direct"),
    ("行政诉讼（复议后起诉）", "suit_after_review"),
]
COLUMNS = ["upheld", "corrected", "other", "pending", "total"]


def test_transposed_table4(tmp_path):
    report = series("示例市示例局", [2023], random.Random(3))[0]
    cells = report.figures.cells
    html = render_html(report)
    start = html.index("<table", html.index("四、政府信息公开行政复议"))
    end = html.index("</table>", start) + len("</table>")
    table = "<table><tr><td></td>" + "".join(
        f"<td>{h}</td>" for h in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")
    )
    for label, group in GROUPS:
        table += (
            f"<tr><td>{label}</td>"
            + "".join(f"<td>{cells[f't4.{group}.{c}']}</td>" for c in COLUMNS)
            + "</tr>"
        )
    path = tmp_path / "transposed.html"
    path.write_text(html[:start] + table + "</table>" + html[end:], encoding="utf-8")
    got = locate(read_html(path))
    for _, group in GROUPS:
        for column in COLUMNS:
            assert got.cells[f"t4.{group}.{column}"].value == cells[f"t4.{group}.{column}"], (group, column)


def _prov():
    from validator.model import Provenance

    return Provenance(file="x")


def _grid(rows):
    return Grid([[GridCell(text, _prov()) for text in row] for row in rows], _prov())


def _t3_rows(other_rows):
    seven = ["0"] * 7
    rows = [
        ["一、本年新收政府信息公开申请数量", "1", "0", "0", "0", "0", "0", "1"],
        ["二、上年结转政府信息公开申请数量", *seven],
        ["三、本年度办理结果"],
        ["（一）予以公开", *seven],
        ["（二）部分公开（区分处理的，只计这一情形，不计其他情形）", *seven],
        ["（三）不予公开"],
    ]
    rows += [
        [label, *seven]
        for label in (
            "1.属于国家秘密",
            "2.其他法律行政法规禁止公开",
            "3.危及“三安全一稳定”",
            "4.保护第三方合法权益",
            "5.属于三类内部事务信息",
            "6.属于四类过程性信息",
            "7.属于行政执法案卷",
            "8.属于行政查询事项",
        )
    ]
    rows += [["（四）无法提供"]] + [
        [label, *seven]
        for label in ("1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作", "3.补正后申请内容仍不明确")
    ]
    rows += [["（五）不予处理"]] + [
        [label, *seven]
        for label in (
            "1.信访举报投诉类申请",
            "2.重复申请",
            "3.要求提供公开出版物",
            "4.无正当理由大量反复申请",
            "5.要求行政机关确认或重新出具已获取信息",
        )
    ]
    rows += other_rows
    rows += [["（七）总计", "1", "0", "0", "0", "0", "0", "1"], ["四、结转下年度继续办理", *seven]]
    return rows


def _doc(grids):
    blocks = [
        TextBlock("示例局2023年政府信息公开工作年度报告", _prov()),
        TextBlock("三、收到和处理政府信息公开申请情况", _prov()),
    ]
    return Document("x.txt", "text", blocks + grids)


def test_collapsed_other_row_in_a_2021_report_is_read_as_its_total():
    doc = _doc([_grid(_t3_rows([["（六）其他处理", "1", "0", "0", "0", "0", "0", "1"]]))])
    got = locate(doc)
    assert got.template == "gb2021" and got.year == 2023
    assert got.cells["t3.res.other.np"].value == 1
    assert "t3.res.other" in got.collapsed_rows
    assert got.cells["t3.res.other.fee_unpaid.np"].state == CellState.MISSING


def test_row_label_cut_by_a_page_break():
    rows = _t3_rows(
        [
            ["（六）其他处理"],
            ["1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", *["0"] * 7],
            ["2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", *["0"] * 7],
            ["3.其他", "1", "0", "0", "0", "0", "0", "1"],
        ]
    )
    cut = rows.index(["7.属于行政执法案卷", *["0"] * 7])
    rows[cut] = ["7.属于行", "2", "0", "0", "0", "0", "0", "2"]
    page_two = [["政执法案卷", "", "", "", "", "", "", ""], *rows[cut + 1 :]]
    got = locate(_doc([_grid(rows[: cut + 1]), _grid(page_two)]))
    assert got.cells["t3.res.denied.enforcement_file.np"].value == 2
    assert got.cells["t3.res.denied.enforcement_file.tot"].value == 2
    assert got.cells["t3.res.denied.admin_query.np"].value == 0
