"""Relations → Excel formulas, in one place: each side of a rule's relation as a SUM over the mapped cells
(aggregate rows expanded to their sub-rows, adjacent cells joined into ranges, a total read as the sum of its
parts while blank — blanks.py), the operator → "broken" condition, the 校验 sheet that shows them live (with
each table's M-09 blank-total line), and the conditional formats that mark a total on the tables."""

from __future__ import annotations

from collections.abc import Iterable

from openpyxl.formatting.rule import FormulaRule

from validator.catalogue import Template
from validator.engine.wording import severity_zh
from validator.render.workbook.blanks import (
    BLANK_RULE,
    BLANK_TOTAL_TITLE,
    POLICY_ZH,
    blank_total,
    blank_total_count,
    sum_args,
    table_totals,
)
from validator.render.workbook.refs import quote_sheet
from validator.render.workbook.style import (
    BAD_FILL,
    GOOD_FILL,
    HEADER_FILL,
    LIVE_FILL,
    LIVE_FONT,
    WARN_FILL,
    landscape,
    text_lines,
)

CHECKS_SHEET = "校验"
MARK = {"error": "✗", "warning": "⚠", "info": "⚠"}
#: a relation `lhs op rhs` is broken when its rounded difference (lhs − rhs) meets this condition
BROKEN = {"==": "{d}<>0", "<=": "{d}>0", ">=": "{d}<0", "<": "{d}>=0", ">": "{d}<=0"}


def broken(op: str, diff: str) -> str:
    """The Excel condition that is TRUE when a relation with this operator and difference fails."""
    return BROKEN[op].format(d=diff)


def relations(template: Template) -> list:
    """The rules' relations of one template that a workbook can compute (no cross-year, no narrative)."""
    from validator.catalogue import load_catalogue
    from validator.engine.rules import build_ruleset

    claims = load_catalogue().claim_ids
    out = []
    for cr in build_ruleset().relations:
        if cr.template != template.id or cr.rule.cross_year or any(c in claims for c in cr.coeffs):
            continue
        out.append(cr)
    return out


def side(template: Template, places: dict, coeffs: dict[str, float], constant: float) -> str:
    """A side of a relation as an Excel expression over the mapped cells (aggregates → their rows)."""
    aggregates = template.aggregate_cells()
    expanded: dict[str, float] = {}
    for cell, coeff in coeffs.items():
        for part in aggregates.get(cell, [cell]):
            expanded[part] = expanded.get(part, 0.0) + coeff
    by_coeff: dict[float, list[str]] = {}
    for cell, coeff in expanded.items():
        if coeff:
            by_coeff.setdefault(coeff, []).append(cell)
    terms = []
    for coeff, cells in by_coeff.items():
        refs = sum_args(template, places, cells)  # a blank total read as the sum of its parts
        total = f"SUM({','.join(refs)})"
        if coeff == 1:
            terms.append(("+", total))
        elif coeff == -1:
            terms.append(("-", total))
        else:
            terms.append(("+" if coeff > 0 else "-", f"{number(abs(coeff))}*{total}"))
    if constant:
        terms.append(("+" if constant > 0 else "-", number(abs(constant))))
    if not terms:
        return "0"
    text = ""
    for sign, term in terms:
        text += (("-" if sign == "-" else "") if not text else sign) + term
    return text


def expanded(template: Template, cells: Iterable[str]) -> list[str]:
    aggregates = template.aggregate_cells()
    return [p for c in cells for p in aggregates.get(c, [c])]


# ------------------------------------------------------------------------------ map, protection


def write_checks(b, ws) -> None:
    """The 校验 sheet: one line per relation with live formulas (left, right, difference, ✓/✗), a summary
    line, and each table's status line pointing at it. ``b``: the workbook builder (layout.py)."""
    from validator.engine.rules import binding_label

    written = relations(b.template)
    b._put(ws, 1, 1, "勾稽关系校验（随填随算）", end_col=7, bold=True, size=14, border=False)
    b._height(ws, 1, 1, 22)
    explain = (
        "本表按校验规则自动核对各表的数据关系：✓ 相符；✗ 不相符（错误，必须改正），后附相差数；"
        f"⚠ 需要核实（警告或提示）。{POLICY_ZH}"
        "填写请在「表二」「表三」「表四」工作表中进行。"
    )
    b._put(ws, 2, 1, explain, end_col=7, align="left", border=False)
    b._height(ws, 2, max(3, text_lines(explain, 127)))
    summary = b._put(ws, 3, 1, None, end_col=7, bold=True, align="left", border=False, wrap=False)
    headers = ["规则", "级别", "校验内容", "左边", "右边", "差额", "结果", "不符"]
    for k, text in enumerate(headers):
        b._put(ws, 4, k + 1, text, bold=True, fill=HEADER_FILL)
    row = 5
    first = row
    by_table: dict[str, list[int]] = {}
    for k, cr in enumerate(written):
        rule = cr.rule
        table_id = table_of(cr)
        table_name = b.template.table(table_id).name
        bound = "".join(f"「{binding_label(v, b.template)}」" for v in cr.bindings.values())
        description = f"{table_name}{bound}：{rule.title}"
        lhs = side(b.template, b.layout.cells, cr.relation.lhs.coeffs, cr.relation.lhs.constant)
        rhs = side(b.template, b.layout.cells, cr.relation.rhs.coeffs, cr.relation.rhs.constant)
        op = cr.relation.op
        diff = f"ROUND(F{row},6)"
        violated = broken(op, diff)
        mark = MARK[rule.severity]
        cells = [
            rule.id,
            severity_zh(rule.severity),
            description,
            f"={lhs}",
            f"={rhs}",
            f"=D{row}-E{row}",
            f'=IF(H{row}=0,"✓","{mark} 相差 "&ABS({diff}))',
            f"=IF({violated},1,0)",
        ]
        _line(b, ws, row, cells, description)
        by_table.setdefault(table_id, []).append(row)
        b.layout.checks.append(
            {
                "rule": rule.id,
                "severity": rule.severity,
                "row": row,
                "op": op,
                "table": table_id,
                "bindings": dict(cr.bindings),
                "cells": list(cr.coeffs),
                "description": description,
                "lhs": lhs,
                "rhs": rhs,
                "anchor": anchor(cr),
            }
        )
        row += 1
        if k + 1 == len(written) or table_of(written[k + 1]) != table_id:
            row = _blank_totals_line(b, ws, row, table_id, by_table)
    last = row - 1
    if last >= first:
        count = f"SUM(H{first}:H{last})"
        errors = f'SUMIF(B{first}:B{last},"错误",H{first}:H{last})'
        summary.value = (
            f'=IF({count}=0,"✓ 全部 {last - first + 1} 项校验相符",'
            f'"✗ 错误 "&{errors}&" 项，⚠ 需核实 "&({count}-{errors})&" 项")'
        )
        ws.conditional_formatting.add(
            f"G{first}:G{last}",
            FormulaRule(formula=[f'AND($H{first}=1,$B{first}="错误")'], fill=BAD_FILL),
        )
        ws.conditional_formatting.add(
            f"G{first}:G{last}",
            FormulaRule(formula=[f'AND($H{first}=1,$B{first}<>"错误")'], fill=WARN_FILL),
        )
        ws.conditional_formatting.add(
            f"G{first}:G{last}", FormulaRule(formula=[f"$H{first}=0"], fill=GOOD_FILL)
        )
    b._columns(ws, {1: 8, 2: 6, 3: 72, 4: 9, 5: 9, 6: 9, 7: 14, 8: 6})
    ws.column_dimensions["H"].hidden = True
    ws.freeze_panes = "A5"
    landscape(ws)
    checks = quote_sheet(ws.title)
    for table_id, cell in b.status_cells.items():
        rows = by_table.get(table_id)
        if not rows:
            cell.value = "本表没有可自动核对的数据关系。"
            continue
        a, b = min(rows), max(rows)
        h = f"{checks}!$H${a}:$H${b}"
        count = f"SUM({h})"
        errors = f'SUMIF({checks}!$B${a}:$B${b},"错误",{h})'
        cell.value = (
            f'=IF({count}=0,"✓ 本表 {b - a + 1} 项校验全部相符",'
            f'IF({errors}>0,"✗ 本表有 "&{errors}&" 项校验不相符",'
            f'"⚠ 本表有 "&{count}&" 项需要核实")&"，详见「{ws.title}」工作表")'
        )


def table_of(cr) -> str:
    return next(iter(cr.coeffs)).split(".")[0]


def _line(b, ws, row: int, cells: list, description: str) -> None:
    for k, value in enumerate(cells):
        cell = b._put(ws, row, k + 1, value, align="left" if k == 2 else "center")
        if k in (3, 4, 5):
            cell.number_format = "General"
    b._height(ws, row, text_lines(description, 72))


def _blank_totals_line(b, ws, row: int, table_id: str, by_table: dict[str, list[int]]) -> int:
    """After a table's relations: the live M-09 line counting its blank totals whose parts are not all zero
    (an error, like the engine's): ✓ when none, ✗ with the count. Returns the next free row."""
    totals = table_totals(b.template, b.layout.cells, table_id)
    if not totals:
        return row
    description = f"{b.template.table(table_id).name}：{BLANK_TOTAL_TITLE}"
    count = blank_total_count(b.template, b.layout.cells, table_id)
    cells = [
        BLANK_RULE,
        severity_zh("error"),
        description,
        f"={count}",
        "=0",
        f"=D{row}-E{row}",
        f'=IF(H{row}=0,"✓","✗ "&D{row}&" 个总计空白")',
        f"=IF(D{row}>0,1,0)",
    ]
    _line(b, ws, row, cells, description)
    by_table.setdefault(table_id, []).append(row)
    b.layout.blank_checks.append(
        {
            "rule": BLANK_RULE,
            "severity": "error",
            "row": row,
            "table": table_id,
            "totals": totals,
            "count": count,
        }
    )
    return row + 1


def conditional_formats(b) -> None:
    """On the tables: a relation's anchor cell (the total it closes on) turns lavender with violet figures
    while it fails — a colour of its own, never the annotation's mark of the cell the tool blames — and a
    blank total whose parts are not all zero (the live M-09) turns lavender too."""
    for check in b.layout.checks:
        anchor = check["anchor"]
        if anchor not in b.layout.cells:
            continue
        title, ref = b.layout.cells[anchor]
        ws = b.wb[title]
        same = {b.layout.cells[c][0] for c in expanded(b.template, check["cells"])}
        if same != {title}:
            continue
        lhs = check["lhs"].replace(f"{quote_sheet(title)}!", "")
        rhs = check["rhs"].replace(f"{quote_sheet(title)}!", "")
        diff = f"ROUND(({lhs})-({rhs}),6)"
        cond = broken(check["op"], diff)
        ws.conditional_formatting.add(ref, FormulaRule(formula=[cond], fill=LIVE_FILL, font=LIVE_FONT))
    for check in b.layout.blank_checks:
        for total in check["totals"]:
            title, ref = b.layout.cells[total]
            cond = blank_total(b.template, b.layout.cells, total).replace(f"{quote_sheet(title)}!", "")
            b.wb[title].conditional_formatting.add(ref, FormulaRule(formula=[cond], fill=LIVE_FILL))


def anchor(cr) -> str:
    """The cell a relation closes on: the single cell of its left side, else the last of its right."""
    lhs = list(cr.relation.lhs.coeffs)
    rhs = list(cr.relation.rhs.coeffs)
    if len(lhs) == 1:
        return lhs[0]
    return rhs[-1] if rhs else lhs[-1]


def number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))
