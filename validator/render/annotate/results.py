"""The 校验结果 sheet: every finding of the report with a link to its cell, the counts, and the checks that
could not be made; put first in the annotated workbook."""

from __future__ import annotations

from pathlib import Path

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from validator.catalogue import load_catalogue
from validator.engine.wording import cell_label, num, severity_zh
from validator.model import NOT_CHECKED_ADVICE, Report
from validator.render.annotate.marks import COLOURS, FONT, RESULTS_SHEET, places, top_left, total_cells
from validator.render.safe import set_text

# --------------------------------------------------------------------------------------------- 校验结果


def results_sheet(wb, report: Report, result, where: dict, source: Path) -> None:
    catalogue = load_catalogue()
    ws = wb.create_sheet(RESULTS_SHEET, 0)
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    wb.active = 0
    bold = Font(name=FONT, bold=True)
    plain = Font(name=FONT)
    ws["A1"] = f"校验结果：{source.name}"
    ws["A1"].font = Font(name=FONT, bold=True, size=14)
    template = catalogue.templates.get(report.template or "")
    counts = result.counts()
    ws["A2"] = (
        f"机关：{report.agency or '未知'}　年度：{report.year or '未知'}　格式："
        f"{template.notice if template else '未知'}　错误 {counts.get('error', 0)} 项，"
        f"警告 {counts.get('warning', 0)} 项，提示 {counts.get('info', 0)} 项"
    )
    ws["A3"] = (
        "点击“单元格”一栏可跳到该格。标注颜色：红色 = 错误，橙色 = 警告，蓝色 = 提示；"
        "深色为最可能出错的单元格。单元格批注中有详细说明。"
    )
    if getattr(result, "not_checked", None):
        ws["A2"] = f"{ws['A2'].value}　结果：无法核对（{result.not_checked}；{NOT_CHECKED_ADVICE['zh']}）"
    for ref in ("A2", "A3"):
        ws[ref].font = plain
    headers = ["序号", "严重程度", "规则", "说明", "单元格", "位置", "建议值"]
    for k, text in enumerate(headers, start=1):
        cell = ws.cell(row=5, column=k, value=text)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="FFF2F2F2")
    row = 6
    severity_fill = {s: PatternFill("solid", fgColor=c[0]) for s, c in COLOURS.items()}
    for index, finding in enumerate(result.findings, start=1):
        cells = [c for c in finding.cells if not c.startswith("prev.")]
        located = [c for c in cells if c in where]
        totals = [c for c in located if c in total_cells(located, report.template)]
        main = next((c for c in (finding.suggestion or {}) if c in where), (totals or located or [None])[0])
        label = ""
        if main:
            label = cell_label(catalogue, main, report.template)
            if len(cells) > 1:
                label += f" 等{len(cells)}格"
        elif cells:
            label = cell_label(catalogue, cells[0], report.template) + "（表中未找到）"
        suggestion = "；".join(
            f"{cell_label(catalogue, c, report.template)} 应为 {num(v)}"
            for c, v in (finding.suggestion or {}).items()
        )
        values = [
            index,
            severity_zh(finding.severity),
            finding.rule,
            finding.message_zh,
            label,
            "",
            suggestion,
        ]
        for k, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=k)
            set_text(cell, value)
            cell.font = plain
            cell.alignment = Alignment(vertical="top", wrap_text=k in (4, 5, 7))
        ws.cell(row=row, column=2).fill = severity_fill[finding.severity]
        if main:
            title, ref = places(where, main)[0]
            ref = top_left(wb[title], ref)
            from validator.render.workbook import quote_sheet

            location = f"{quote_sheet(title)}!{ref}"
            set_text(ws.cell(row=row, column=6), f"{title}!{ref}")
            for col in (5, 6):
                link = ws.cell(row=row, column=col)
                link.hyperlink = Hyperlink(ref=link.coordinate, location=location, tooltip="跳到该单元格")
                link.font = Font(name=FONT, color="FF0563C1", underline="single")
        row += 1
    if not result.findings:
        ws.cell(row=row, column=4, value="未发现问题").font = plain
        row += 1
    if getattr(result, "not_assessable", None):
        row += 1
        ws.cell(
            row=row, column=1, value="以下校验无法判断（缺少数据或上一年度报告），不计为通过："
        ).font = bold
        row += 1
        for entry in result.not_assessable:
            reasons = "；".join(sorted(set(entry.reasons.values())))
            shown = "、".join(entry.cells[:4]) + (f" 等{len(entry.cells)}格" if len(entry.cells) > 4 else "")
            for k, value in enumerate(["", "无法判断", entry.rule, f"{shown}（{reasons}）"], start=1):
                set_text(ws.cell(row=row, column=k), value)
                ws.cell(row=row, column=k).font = plain
            row += 1
    widths = {1: 6, 2: 10, 3: 8, 4: 80, 5: 36, 6: 12, 7: 24}
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A6"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
