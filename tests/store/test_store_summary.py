"""summary.xlsx to act on: 机关排名 (worst first, linked to each agency's HTML page), 年度趋势 with Excel
charts, status colours, publication date and timeliness, reading notes apart from the findings, A4
landscape fit to width; it opens in openpyxl and converts in LibreOffice headless."""

from __future__ import annotations

import random
from pathlib import Path

import openpyxl
import pytest
from libreoffice import require_libreoffice

from validator.batch import run_batch
from validator.readers.convert import run_soffice
from validator.testing.formats import series, write


@pytest.fixture(scope="module")
def out(tmp_path_factory) -> Path:
    """Three agencies: one clean over two years, one with two broken cells, one with one."""
    root = tmp_path_factory.mktemp("summary")
    folder = root / "in"
    folder.mkdir()
    for report in series("示例市交通运输局", [2023, 2024], random.Random(1)):
        write(report, "text", folder)
    worst = series("示例县统计局", [2024], random.Random(2))[0]
    worst.figures.cells["t3.res.granted.np"] += 1
    worst.figures.cells["t4.review.total"] += 1
    write(worst, "html", folder)
    middle = series("示例区民政局", [2024], random.Random(3))[0]
    middle.figures.cells["t4.review.total"] += 1
    write(middle, "text", folder)
    run_batch([folder], root / "out", quiet=True, store=None)
    return root / "out"


def _rows(ws) -> list[dict]:
    rows = list(ws.iter_rows(values_only=True))
    return [dict(zip(rows[0], r)) for r in rows[1:]]


def test_ranking_sheet_is_first_and_worst_first(out):
    wb = openpyxl.load_workbook(out / "summary.xlsx")
    assert wb.sheetnames[0] == "机关排名" and "年度趋势" in wb.sheetnames
    ws = wb["机关排名"]
    ranking = _rows(ws)
    assert [r["机关"] for r in ranking] == ["示例县统计局", "示例区民政局", "示例市交通运输局"]
    assert [r["排名"] for r in ranking] == [1, 2, 3]
    assert ranking[0]["错误数"] > ranking[1]["错误数"] > 0 == ranking[2]["错误数"]
    assert ranking[2]["报告数"] == 2 and ranking[2]["年度"] == "2023、2024"
    link_col = [c.value for c in ws[1]].index("机关报告") + 1
    for row in range(2, ws.max_row + 1):
        target = ws.cell(row, link_col).hyperlink.target
        assert target.startswith("agencies/") and (out / target).is_file()
        assert "<html" in (out / target).read_text(encoding="utf-8")
    status_col = [c.value for c in ws[1]].index("最近一年状态") + 1
    colours = {ws.cell(r, status_col).value: ws.cell(r, status_col).fill.fgColor.rgb for r in (2, 4)}
    assert colours["有错误"].endswith("FFC7CE") and colours["通过"].endswith("C6EFCE")


def test_trend_sheet_has_its_charts(out):
    ws = openpyxl.load_workbook(out / "summary.xlsx")["年度趋势"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:2] == ("年度", "报告数")
    assert [r[0] for r in rows[1:3]] == ["2023", "2024"]
    by_rule = next(k for k, r in enumerate(rows) if r[0] == "规则")
    assert {r[0] for r in rows[by_rule + 1 :] if r[0]} >= {"T4-01"}
    assert len(ws._charts) == 2


def test_report_columns_and_print_setup(out):
    wb = openpyxl.load_workbook(out / "summary.xlsx")
    header = [c.value for c in wb["报告"][1]]
    for name in ("发布日期", "及时性", "读取说明", "主要问题"):
        assert name in header
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
    reports = _rows(wb["报告"])
    assert {r["及时性"] for r in reports} <= {"发布日期未知", "按时"} | {
        r["及时性"] for r in reports if str(r["及时性"]).startswith(("逾期", "日期存疑", "无法判断"))
    }
    notes = dict(list(wb["说明"].iter_rows(values_only=True))[1:])
    assert notes["按豁免清单隐藏的问题"] == "0"


def test_agency_pages_in_html_markdown_and_json(out):
    stems = {p.stem for p in (out / "agencies").iterdir()}
    for stem in stems:
        for suffix in (".md", ".json", ".html"):
            assert (out / "agencies" / f"{stem}{suffix}").is_file()


def test_libreoffice_converts_the_summary(out, tmp_path):
    require_libreoffice()
    code, err = run_soffice([out / "summary.xlsx"], "pdf", tmp_path, timeout=180, calc=True)
    assert code == 0, err
    pdf = tmp_path / "summary.pdf"
    assert pdf.is_file() and pdf.read_bytes().startswith(b"%PDF")
    code, err = run_soffice([out / "summary.xlsx"], "ods", tmp_path, timeout=180, calc=True)
    assert code == 0 and (tmp_path / "summary.ods").stat().st_size > 0, err
