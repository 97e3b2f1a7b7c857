"""Input help on the fill-in workbook: one data validation per input cell (whole number, amount or signed
change), with the cell's own label in its input message; the title and the section text cells too."""

from __future__ import annotations

from openpyxl.worksheet.datavalidation import DataValidation

_KIND_HELP = {
    "count": (
        "填写件数",
        "请填写非负整数（件）。没有的请填 0，不要留空，也不要填“/”“—”或“无”。",
        "件数应为不小于 0 的整数。",
    ),
    "amount": (
        "填写金额",
        "请填写金额（不小于 0，可有小数）{unit}。没有的请填 0。",
        "金额应为不小于 0 的数字。",
    ),
    "signed": (
        "填写增减数",
        "请填写本年增减数（整数）：增加填正数，减少填负数（如 -3），没有变化填 0。",
        "本年增/减应为整数，减少填负数。",
    ),
}


def add_validation(b) -> None:
    """One data validation per input cell, with the cell's own label in its input message."""
    for cell, cell_id, unit in b.inputs:
        ws = cell.parent
        meta = b.template.cells[cell_id]
        kind = meta.kind
        title_text, prompt, error = _KIND_HELP[kind]
        prompt = prompt.format(unit=f"，单位：{unit}" if unit else "")
        if kind == "count":
            dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
        elif kind == "amount":
            dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
        else:
            dv = DataValidation(type="whole", operator="between", formula1="-100000000", formula2="100000000")
        dv.allow_blank = True
        dv.showInputMessage = True
        dv.showErrorMessage = True
        dv.errorStyle = "stop"
        dv.promptTitle = title_text
        dv.prompt = _clip(f"{meta.label_zh}\n{prompt}", 250)
        dv.errorTitle = "数字不符合要求"
        dv.error = _clip(f"{meta.label_zh}：{error}", 220)
        dv.add(cell.coordinate)
        ws.add_data_validation(dv)
    if b.title_cell is not None:
        dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="200")
        dv.showInputMessage = True
        dv.promptTitle = "报告标题"
        dv.prompt = "请在年份前写上本机关名称，例如“某市某局2025年政府信息公开工作年度报告”。"
        dv.add(b.title_cell.coordinate)
        b.title_cell.parent.add_data_validation(dv)
    for cell in b.section_cells.values():
        dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="32000")
        dv.showInputMessage = True
        dv.promptTitle = "正文（可选）"
        dv.prompt = "可在此粘贴本部分正文；表格核对不需要它，留空也可以。"
        dv.add(cell.coordinate)
        cell.parent.add_data_validation(dv)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
