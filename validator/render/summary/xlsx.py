"""summary.xlsx, write-only: 机关排名 first (agencies worst first, each linked to its report page), then
the tables of records (frozen header, filters, widths, status colours), 年度趋势 with Excel charts
(findings by year, by rule), and 说明 (what the run hid by waivers). Every sheet prints on A4
landscape, fit to the page width, the header repeated."""

from __future__ import annotations

from pathlib import Path

from validator.render.safe import xlsx_cell, xlsx_text

XLSX_MAX_ROWS = 1_048_575  # data rows under the header
XLSX_MAX_CHARS = 32_000


def _cell_value(value):
    if value is None:
        return None
    if isinstance(value, (int, float)):
        return value
    text = xlsx_text(str(value))
    return text if len(text) <= XLSX_MAX_CHARS else text[: XLSX_MAX_CHARS - 1] + "…"


def _print_setup(ws) -> None:
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4 (Worksheet.PAPERSIZE_A4; write-only sheets lack the constant)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"


def write_xlsx(path: Path, reports, findings, rules, crossing, ranking=None, trend=None, notes=None) -> None:
    """``ranking``: ranking.agency_ranking records; ``trend``: (by year, by rule) as (header, rows) each;
    ``notes``: (label, value) lines for the 说明 sheet."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    from validator.render.summary.ranking import RANKING_COLUMNS, STATUS_BY_ZH, STATUS_COLOURS

    wb = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    centre = Alignment(vertical="center", wrap_text=True)
    status_fill = {s: PatternFill("solid", fgColor=c) for s, c in STATUS_COLOURS.items()}
    link_font = Font(color="0563C1", underline="single")

    def header_row(ws, names) -> list:
        row = []
        for name in names:
            cell = WriteOnlyCell(ws, value=name)
            cell.font, cell.fill, cell.alignment = bold, fill, centre
            row.append(cell)
        return row

    def styled(ws, key: str, value, record: dict):
        if key in ("status_zh", "latest_status_zh") and value in STATUS_BY_ZH:
            cell = WriteOnlyCell(ws, value=value)
            cell.fill = status_fill[STATUS_BY_ZH[value]]
            return cell
        if key == "link_text" and record.get("link"):
            cell = WriteOnlyCell(ws, value=xlsx_text(value))
            cell.data_type = "s"
            cell.hyperlink = record["link"]
            cell.font = link_font
            return cell
        return xlsx_cell(ws, _cell_value(value))

    def sheet(title: str, columns, records) -> None:
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        _print_setup(ws)
        for i, (_, _, width) in enumerate(columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.append(header_row(ws, [name for name, _, _ in columns]))
        shown = rest = 0
        for record in records:  # any iterable: the records of a large batch are streamed, never listed
            if shown >= XLSX_MAX_ROWS - 1:
                rest += 1
                continue
            ws.append([styled(ws, key, record.get(key), record) for _, key, _ in columns])
            shown += 1
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{shown + 1}"
        if rest:
            ws.append([f"…其余 {rest} 行超出 Excel 行数上限，见同目录的 CSV 文件"])

    from validator.render.summary.records import CROSS_COLUMNS, FINDING_COLUMNS, REPORT_COLUMNS, RULE_COLUMNS

    if ranking is not None:
        sheet("机关排名", RANKING_COLUMNS, ranking)
    sheet("报告", REPORT_COLUMNS, reports)
    sheet("问题明细", FINDING_COLUMNS, findings)
    sheet("规则统计", RULE_COLUMNS, rules)
    sheet("跨年", CROSS_COLUMNS, crossing)
    if trend is not None:
        _trend_sheet(wb, trend, header_row)
    if notes:
        ws = wb.create_sheet("说明")
        _print_setup(ws)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:B{len(notes) + 1}"
        ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 24, 100
        ws.append(header_row(ws, ["项目", "内容"]))
        for label, value in notes:
            ws.append([xlsx_cell(ws, _cell_value(label)), xlsx_cell(ws, _cell_value(value))])
    wb.save(path)


def _trend_sheet(wb, trend, header_row) -> None:
    """年度趋势: the by-year table and its chart, the by-rule table and its chart (Excel bar charts that
    read the tables, so they follow any edit)."""
    from openpyxl.chart import BarChart, Reference
    from openpyxl.utils import get_column_letter

    (year_header, year_rows), (rule_header, rule_rows) = trend
    ws = wb.create_sheet("年度趋势")
    _print_setup(ws)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(year_header))}{len(year_rows) + 1}"
    for i in range(1, max(len(year_header), len(rule_header)) + 1):
        ws.column_dimensions[get_column_letter(i)].width = 10
    ws.column_dimensions["B"].width = 30
    ws.append(header_row(ws, year_header))
    for row in year_rows:
        ws.append([str(row[0]), *row[1:]])  # years as text: chart categories, not values
    gap = len(year_rows) + 3
    for _ in range(2):
        ws.append([])
    ws.append(header_row(ws, rule_header))
    for row in rule_rows:
        ws.append([xlsx_text(str(row[0])), xlsx_text(str(row[1])), *row[2:]])
    anchor_col = get_column_letter(max(len(year_header), len(rule_header)) + 2)
    if year_rows:
        chart = BarChart()
        chart.type = "col"
        chart.title = "各年度问题数（按级别）"
        chart.y_axis.title = "问题数"
        chart.x_axis.title = "年度"
        first = len(year_header) - 2  # 错误, 警告, 提示 are the last three columns
        data = Reference(ws, min_col=first, max_col=len(year_header), min_row=1, max_row=len(year_rows) + 1)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=len(year_rows) + 1))
        chart.height, chart.width = 8, 16
        ws.add_chart(chart, f"{anchor_col}1")
    if rule_rows and len(rule_header) > 3:
        top = gap + 1  # the by-rule header row
        chart = BarChart()
        chart.type = "bar"
        chart.grouping = "stacked"
        chart.overlap = 100
        chart.title = "各规则问题数（按年度）"
        data = Reference(
            ws, min_col=3, max_col=len(rule_header) - 1, min_row=top, max_row=top + len(rule_rows)
        )
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=top + 1, max_row=top + len(rule_rows)))
        chart.height, chart.width = max(8, 0.6 * len(rule_rows)), 16
        ws.add_chart(chart, f"{anchor_col}20")
