"""The 校验结果 sheet: every finding of the report with a link to its cell, the counts, a legend of the marks,
the checks that could not be made (by reason, with what to do) and the next steps; put first in the
annotated workbook, rows sized to their wrapped text, printable on A4 across the page."""

from __future__ import annotations

from pathlib import Path

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from validator.catalogue import load_catalogue
from validator.engine.wording import cell_label, num, severity_zh
from validator.model import NOT_CHECKED_ADVICE, Report
from validator.render.annotate.marks import (
    COLOURS,
    FONT,
    RESULTS_SHEET,
    focus_border,
    places,
    top_left,
    total_cells,
)
from validator.render.notes import blocked, next_steps
from validator.render.safe import set_text
from validator.render.workbook.style import LIVE_FILL, LIVE_FONT, text_lines

WIDTHS = {1: 6, 2: 10, 3: 8, 4: 70, 5: 36, 6: 16, 7: 28}
LINE_HEIGHT = 15  # points per line of 11-point 宋体

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
    ws["A3"] = "点击“单元格”一栏可跳到该格；单元格批注中有详细说明。标注说明见本表末尾的「图例」。"
    if getattr(result, "not_checked", None):
        ws["A2"] = f"{ws['A2'].value}　结果：无法核对（{result.not_checked}；{NOT_CHECKED_ADVICE['zh']}）"
    for ref in ("A2", "A3"):
        ws[ref].font = plain
    headers = ["序号", "严重程度", "规则", "说明", "单元格", "位置", "建议值"]
    for k, text in enumerate(headers, start=1):
        cell = ws.cell(row=5, column=k, value=text)
        cell.font = bold
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        cell.fill = PatternFill("solid", fgColor="FFF2F2F2")
    _fit_row(ws, 5, headers)
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
        _line(ws, row, values, plain)
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
        row = _line(ws, row, ["", "", "", "未发现问题"], plain)
    if getattr(result, "not_assessable", None):
        row += 1
        row = _heading(ws, row, "以下校验无法判断（缺少数据或上一年度报告），不计为通过：", bold)
        for group in blocked(result):
            text = group.line(report.template)
            if group.remedy:
                text += f"\n处理办法：{group.remedy}"
            row = _line(ws, row, ["", "无法判断", "", text], plain)
    row += 1
    row = _heading(ws, row, "下一步", bold)
    row = _line(ws, row, ["", "", "", "；".join(next_steps(result))], plain)
    _legend(ws, row + 1, bold, plain)
    for col, width in WIDTHS.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    for ref in ("A1", "A2", "A3"):
        ws.merge_cells(f"{ref}:{get_column_letter(len(WIDTHS))}{ref[1:]}")
        ws[ref].alignment = Alignment(vertical="top", wrap_text=True)
    ws.row_dimensions[2].height = LINE_HEIGHT * text_lines(str(ws["A2"].value), sum(WIDTHS.values()))
    ws.freeze_panes = "A6"
    ws.print_title_rows = "5:5"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.gridLines = True


def _fit_row(ws, row: int, values: list) -> None:
    """A row as tall as its longest wrapped cell, so printed rows never overlap or cut their text."""
    lines = max(
        sum(text_lines(part, WIDTHS[k]) for part in str(v).split("\n")) if v not in (None, "") else 1
        for k, v in enumerate(values, start=1)
    )
    ws.row_dimensions[row].height = LINE_HEIGHT * lines + 3


def _heading(ws, row: int, text: str, font) -> int:
    """A line across the sheet (merged A:G, wrapped)."""
    cell = ws.cell(row=row, column=1)
    set_text(cell, text)
    cell.font = font
    cell.alignment = Alignment(vertical="top", wrap_text=True)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(WIDTHS))
    ws.row_dimensions[row].height = LINE_HEIGHT * text_lines(text, sum(WIDTHS.values())) + 3
    return row + 1


def _line(ws, row: int, values: list, font) -> int:
    for k, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=k)
        set_text(cell, value)
        cell.font = font
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    _fit_row(ws, row, values)
    return row + 1


def _legend(ws, row: int, bold, plain) -> None:
    """What each mark means, each shown on a sample cell: the tool's marks and the workbook's own colour."""
    row = _heading(ws, row, "图例", bold)
    entries = [
        (
            PatternFill("solid", fgColor=COLOURS["error"][0]),
            focus_border("error"),
            None,
            "错误：最可能出错的单元格（深红底、粗框），批注中给出应填的数",
        ),
        (
            PatternFill("solid", fgColor=COLOURS["error"][1]),
            None,
            None,
            "错误：同一关系中的其他单元格（浅红底）",
        ),
        (
            PatternFill("solid", fgColor=COLOURS["warning"][0]),
            focus_border("warning"),
            None,
            "警告：需要核实的单元格（橙底、粗框）；浅橙为相关单元格",
        ),
        (PatternFill("solid", fgColor=COLOURS["info"][0]), None, None, "提示（蓝底）"),
        (
            LIVE_FILL,
            None,
            LIVE_FONT,
            "填报工作簿自带的实时校验：合计不相符、或总计空白而分项有数字时，总计格变为淡紫底紫字（随输入即时变化，与本工具的标注无关）",
        ),
    ]
    for fill, border, font, text in entries:
        row = _line(ws, row, ["", "示例", "", text], plain)
        sample = ws.cell(row=row - 1, column=2)
        sample.fill = fill
        sample.font = font or plain
        if border is not None:
            sample.border = border
