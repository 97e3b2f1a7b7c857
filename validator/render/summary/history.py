"""`ogi history`: one agency's years side by side (the data of validator.store.history as a dict), as
HTML, XLSX or JSON. Every cell by year with its change; the findings by year."""

from __future__ import annotations

from html import escape

from validator.engine.wording import num, severity_zh
from validator.model import STATUS_ZH
from validator.render.safe import json_dumps

STATE_ZH = {
    "missing": "未找到",
    "blank": "空白",
    "na_marker": "以符号代替",
    "text": "非数字",
    "ambiguous": "无法确定",
    "unplaced": "无法定位",
}


def shown_value(value) -> str:
    if isinstance(value, dict):
        label = STATE_ZH.get(value.get("state") or "", value.get("state") or "")
        raw = value.get("raw")
        return f"{label}（{raw}）" if raw else label
    return num(value)


def shown_change(change) -> str:
    if change is None:
        return ""
    return f"+{num(change)}" if change > 0 else num(change)


def render_json(data: dict) -> str:
    return json_dumps(data, indent=2)


def render_html(data: dict) -> str:
    years = [str(y) for y in data["years"]]
    head = "".join(f"<th>{y}</th><th class=d>变化</th>" for y in years)
    rows = []
    for cell in data["cells"]:
        tds = []
        for y in years:
            change = cell["change"].get(y)
            cls = " class=up" if change and change > 0 else (" class=down" if change and change < 0 else "")
            tds.append(
                f"<td>{escape(shown_value(cell['values'].get(y)))}</td><td{cls}>{shown_change(change)}</td>"
            )
        rows.append(f'<tr><td title="{escape(cell["cell"])}">{escape(cell["label"])}</td>{"".join(tds)}</tr>')
    reports = []
    for y in years:
        r = data["reports"][y]
        dup = f"（另有：{escape('、'.join(r['duplicates']))}）" if r["duplicates"] else ""
        reports.append(
            f"<tr><td>{y}</td><td>{escape(STATUS_ZH.get(r['status'], r['status']))}</td>"
            f"<td>{r['errors']}</td><td>{r['warnings']}</td><td>{escape(r['published'] or '')}</td>"
            f"<td>{escape(r['file'])}{dup}</td></tr>"
        )
    findings = []
    for y in years:
        for f in data["findings"].get(y, []):
            findings.append(
                f"<tr><td>{y}</td><td>{escape(f['rule'])}</td><td>{escape(severity_zh(f['severity']))}</td>"
                f"<td>{escape(f['message'])}</td></tr>"
            )
    name = escape(data["agency"])
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{name} 历年报告对比</title>
<style>body{{font-family:sans-serif;margin:1.5em}}table{{border-collapse:collapse;margin-bottom:1.5em}}
td,th{{border:1px solid #bbb;padding:2px 6px;font-size:13px}}th{{background:#ddebf7}}
.d{{color:#666}}.up{{color:#9c0006}}.down{{color:#006100}}code{{color:#555}}</style></head><body>
<h1>{name} 历年报告对比</h1>
<p>名称写法：{escape("、".join(data["names"]))}</p>
<h2>各年度报告</h2>
<table><tr><th>年度</th><th>状态</th><th>错误</th><th>警告</th><th>发布日期</th><th>文件</th></tr>{"".join(reports)}</table>
<h2>问题（按年度）</h2>
<table><tr><th>年度</th><th>规则</th><th>级别</th><th>说明</th></tr>{"".join(findings) or "<tr><td colspan=4>无</td></tr>"}</table>
<h2>表格数据（按年度，变化为与上一年度之差）</h2>
<table><tr><th>项目</th>{head}</tr>{"".join(rows)}</table>
</body></html>
"""


def write_xlsx(data: dict, path) -> None:
    import openpyxl
    from openpyxl.styles import Font, PatternFill

    from validator.render.safe import set_text

    years = [str(y) for y in data["years"]]
    wb = openpyxl.Workbook()
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    red, green = Font(color="9C0006"), Font(color="006100")
    ws = wb.active
    ws.title = "逐年数据"
    header = ["项目", "单元格"] + [h for y in years for h in (y, f"{y} 变化")]
    ws.append(header)
    for cell in data["cells"]:
        row = [None, None]
        for y in years:
            value = cell["values"].get(y)
            row += [value if isinstance(value, int | float) else None, cell["change"].get(y)]
        ws.append(row)
        at = ws.max_row
        set_text(ws.cell(at, 1), cell["label"])
        set_text(ws.cell(at, 2), cell["cell"])
        for k, y in enumerate(years):
            value = cell["values"].get(y)
            if not isinstance(value, int | float):
                set_text(ws.cell(at, 3 + 2 * k), shown_value(value))
            change = cell["change"].get(y)
            if change:
                ws.cell(at, 4 + 2 * k).font = red if change > 0 else green
    reports = wb.create_sheet("各年度报告")
    reports.append(["年度", "状态", "错误数", "警告数", "发布日期", "文件", "同年其他文件"])
    for y in years:
        r = data["reports"][y]
        reports.append([int(y), None, r["errors"], r["warnings"], None, None, None])
        at = reports.max_row
        for col, text in ((2, STATUS_ZH.get(r["status"], r["status"])), (5, r["published"] or ""),
                          (6, r["file"]), (7, "、".join(r["duplicates"]))):  # fmt: skip
            set_text(reports.cell(at, col), text)
    findings = wb.create_sheet("问题")
    findings.append(["年度", "规则", "级别", "单元格", "说明", "上年报告"])
    for y in years:
        for f in data["findings"].get(y, []):
            findings.append([int(y)])
            at = findings.max_row
            for col, text in ((2, f["rule"]), (3, severity_zh(f["severity"])), (4, f["cells"]),
                              (5, f["message"]), (6, f["previous_file"] or "")):  # fmt: skip
                set_text(findings.cell(at, col), text)
    for sheet, widths in ((ws, [40, 24] + [10] * 2 * len(years)), (reports, [7, 10, 8, 8, 12, 60, 40]),
                          (findings, [7, 8, 7, 36, 90, 40])):  # fmt: skip
        sheet.freeze_panes = "A2"
        for k, width in enumerate(widths, 1):
            sheet.column_dimensions[openpyxl.utils.get_column_letter(k)].width = width
        for c in sheet[1]:
            c.font, c.fill = bold, fill
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
    wb.save(path)
