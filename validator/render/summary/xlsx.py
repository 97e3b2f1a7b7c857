"""summary.xlsx: the four tables of records as sheets (frozen header, filters, widths), write-only."""

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


def write_xlsx(path: Path, reports, findings, rules, crossing) -> None:
    import openpyxl
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = openpyxl.Workbook(write_only=True)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    centre = Alignment(vertical="center", wrap_text=True)

    def sheet(title: str, columns, records) -> None:
        ws = wb.create_sheet(title)
        ws.freeze_panes = "A2"
        for i, (_, _, width) in enumerate(columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        header = []
        for name, _, _ in columns:
            cell = WriteOnlyCell(ws, value=name)
            cell.font, cell.fill, cell.alignment = bold, fill, centre
            header.append(cell)
        ws.append(header)
        shown = rest = 0
        for record in records:  # any iterable: the records of a large batch are streamed, never listed
            if shown >= XLSX_MAX_ROWS - 1:
                rest += 1
                continue
            row = []
            for _, key, _ in columns:
                row.append(xlsx_cell(ws, _cell_value(record.get(key))))
            ws.append(row)
            shown += 1
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{shown + 1}"
        if rest:
            ws.append([f"…其余 {rest} 行超出 Excel 行数上限，见同目录的 CSV 文件"])

    from validator.render.summary.records import CROSS_COLUMNS, FINDING_COLUMNS, REPORT_COLUMNS, RULE_COLUMNS

    sheet("报告", REPORT_COLUMNS, reports)
    sheet("问题明细", FINDING_COLUMNS, findings)
    sheet("规则统计", RULE_COLUMNS, rules)
    sheet("跨年", CROSS_COLUMNS, crossing)
    wb.save(path)
