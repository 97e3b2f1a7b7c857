"""Issue 17's blanks policy end to end: a fill-in workbook with its zeros left blank is checked in full
(every relation assessed, a slip found with its suggested value); a blank 总计 column is one finding."""

from __future__ import annotations

import random
from pathlib import Path

import openpyxl
import pytest

from validator.api import read_one, validate_reports
from validator.render.workbook import build_workbook, read_cell_map, save_workbook
from validator.testing.figures import consistent_figures

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


def _workbook_with_zeros_blank(
    tmp_path: Path, year: int, template: str, slip: dict | None = None, seed: int = 7
) -> Path:
    wb, _ = build_workbook(year, agency="示例市示例局")
    path = tmp_path / f"blank{year}.xlsx"
    save_workbook(wb, path)
    cells = consistent_figures(template, year, "示例市示例局", random.Random(seed)).cells
    wb = openpyxl.load_workbook(path)
    where = read_cell_map(wb)
    for cell_id, value in {**cells, **(slip or {})}.items():
        if cell_id in where and value:  # a zero is left blank, as many agencies do
            sheet, ref = where[cell_id]
            wb[sheet][ref] = value
    wb.save(path)
    return path


@pytest.mark.parametrize("year,template", [(2020, "gb2019"), (2025, "gb2021")])
def test_zeros_left_blank_every_relation_is_checked(tmp_path, year, template):
    result = validate_reports([read_one(_workbook_with_zeros_blank(tmp_path, year, template)).report])[0]
    blocked = {n.rule for n in result.not_assessable if "空白" in n.reasons.values()}
    assert not blocked, blocked
    assert not any(
        n.rule.startswith(("T3", "T4")) and "空白" in n.reasons.values() for n in result.not_assessable
    )
    assert {f.rule for f in result.findings if f.severity == "error"} == set()
    blanks = [f for f in result.findings if f.rule == "M-09"]
    assert blanks and all(f.severity == "warning" and f.kind == "blank" for f in blanks)
    assert len({f.message_zh.split("有", 1)[0] for f in blanks}) == len(blanks)  # one per table


@pytest.mark.parametrize("year,template", [(2020, "gb2019"), (2025, "gb2021")])
def test_zeros_left_blank_and_one_slip_is_found_with_its_value(tmp_path, year, template):
    cells = consistent_figures(template, year, "示例市示例局", random.Random(7)).cells
    right = cells["t3.res.granted.np"]
    slip = {"t3.res.granted.np": right + 9}
    path = _workbook_with_zeros_blank(tmp_path, year, template, slip)
    result = validate_reports([read_one(path).report])[0]
    errors = [f for f in result.findings if f.severity == "error"]
    assert {f.rule for f in errors} == {"T3-02", "T3-03"}
    assert all(f.suggestion == {"t3.res.granted.np": right} for f in errors)
    assert f"应为 {right}" in errors[0].message_zh
    assert [(b.cell, b.suggested) for b in result.blame] == [("t3.res.granted.np", right)]


def test_a_blank_total_is_the_sum_of_its_parts_and_one_error_per_table(tmp_path):
    cells = consistent_figures("gb2019", 2020, "示例市示例局", random.Random(3)).cells
    totals = [c for c in cells if c.startswith("t3.") and c.endswith(".tot") and cells[c]]
    path = _workbook_with_zeros_blank(tmp_path, 2020, "gb2019", dict.fromkeys(totals, None), seed=3)
    result = validate_reports([read_one(path).report])[0]
    errors = [f for f in result.findings if f.severity == "error"]
    assert [(f.rule, f.kind) for f in errors] == [("M-09", "blank_total")]
    (finding,) = errors
    assert set(finding.cells) == set(totals)
    assert finding.suggestion == {c: cells[c] for c in totals}
    assert "「总计」列" in finding.message_zh
    assert not any("空白" in n.reasons.values() for n in result.not_assessable if n.rule.startswith("T3"))


@pytest.mark.skipif(not (CORPUS / "2019_shanghai_szfbgt.html").exists(), reason="corpus not present")
def test_shanghai_2019_blank_total_column_is_one_finding():
    result = validate_reports([read_one(CORPUS / "2019_shanghai_szfbgt.html").report])[0]
    blank_totals = [f for f in result.findings if f.rule == "M-09" and f.kind == "blank_total"]
    assert len(blank_totals) == 1
    (finding,) = blank_totals
    assert len(finding.cells) == 11 and all(c.endswith(".tot") for c in finding.cells)
    assert finding.message_zh.startswith("表三「总计」列有 11 个总计空白")
    assert finding.suggestion["t3.res.granted.tot"] == 272


def test_a_table_left_blank_is_one_finding_and_one_line():
    from validator.model import CellState, CellValue
    from validator.render.text import render
    from validator.testing.figures import to_report

    report = to_report(consistent_figures("gb2021", 2023, "某市某局", random.Random(2)))
    for cell in [c for c in report.cells if c.startswith("t4.")]:
        report.cells[cell] = CellValue(CellState.BLANK, None, "")
    result = validate_reports([report])[0]
    blanks = [f for f in result.findings if f.rule == "M-09"]
    assert [(f.kind, f.message_zh) for f in blanks] == [
        ("table_blank", "表四未填写（全部空白），相关核对无法进行")
    ]
    assert result.status == "not_checked" and result.not_checked == "表四未填写（全部空白），无法核对"
    text = render([result])
    assert text.count("表四未填写") == 3  # the finding, the one 无法判断 line and the 无法核对 reason
    assert "无法判断 T4-01（表四未填写）" in text and "填写表四（没有发生的填 0）" in text
