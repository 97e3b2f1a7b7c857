"""The blanks policy (validator/engine/blank_policy.py) as Excel formulas, so the 校验 sheet counts a blank the
way the engine does: a blank (or “/”) cell counts as 0 — SUM does that — and a blank TOTAL counts as the sum
of its parts (the form's identities, engine total_parts); a blank total whose parts are not all zero is the
M-09 error, counted live per table and marked on the table."""

from __future__ import annotations

from validator.catalogue import Template
from validator.engine.blank_policy import total_parts
from validator.render.workbook.refs import quote_sheet, ranges

BLANK_RULE = "M-09"
#: the 校验 line of a table's blank totals (the engine's M-09 blank_total finding, rules/checks/structure.yaml)
BLANK_TOTAL_TITLE = "总计空白但分项有数字（总计不能空白，按分项之和核对）"
#: the policy in one sentence, as the engine and M-09 word it (rules/checks/structure.yaml, M-09 source)
POLICY_ZH = (
    "有数字的表格中，空白（或“/”）单元格按 0 计算；总计空白时按其分项之和计算，分项不全为零时为错误（M-09），"
    "须填写总计（正式核对时会提示空白）。"
)


def qualified(places: dict, cell: str) -> str:
    sheet, ref = places[cell]
    return f"{quote_sheet(sheet)}!{ref}"


def is_total(template: Template, places: dict, cell: str) -> bool:
    """A total the policy can derive: it has parts in the form's identities and a place in the workbook."""
    return cell in total_parts(template) and cell in places


def sum_args(template: Template, places: dict, cells: list[str]) -> list[str]:
    """SUM arguments for these cells: plain cells joined into ranges, each total its own derived term (a
    total inside a range would be read as blank = 0)."""
    plain = [c for c in cells if not is_total(template, places, c)]
    out = ranges([places[c] for c in plain])
    out += [derived(template, places, c) for c in cells if is_total(template, places, c)]
    return out


def parts_sum(template: Template, places: dict, cell: str) -> str:
    """The sum of a total's parts (aggregates expanded; a part that is itself a total derived in turn)."""
    aggregates = template.aggregate_cells()
    parts = [p for c in total_parts(template)[cell] for p in aggregates.get(c, [c])]
    return f"SUM({','.join(sum_args(template, places, parts))})"


def derived(template: Template, places: dict, cell: str) -> str:
    """A total as the relations read it: its figure, or the sum of its parts when it is not a number."""
    ref = qualified(places, cell)
    return f"IF(ISNUMBER({ref}),{ref},{parts_sum(template, places, cell)})"


def blank_total(template: Template, places: dict, cell: str) -> str:
    """TRUE while this total is blank (or not a number) and its parts are not all zero: the M-09 error."""
    return f"AND(NOT(ISNUMBER({qualified(places, cell)})),{parts_sum(template, places, cell)}>0)"


def table_totals(template: Template, places: dict, table_id: str) -> list[str]:
    """The totals of a table the policy derives, in form order."""
    return [c.id for c in template.cells_of(table_id) if is_total(template, places, c.id)]


def blank_total_count(template: Template, places: dict, table_id: str) -> str:
    """How many of a table's totals are blank while their parts are not all zero."""
    return "+".join(
        f"IF({blank_total(template, places, c)},1,0)" for c in table_totals(template, places, table_id)
    )


def closure(template: Template, cells) -> set[str]:
    """These cells and, for each total among them, its parts (and theirs): every cell a formula reads."""
    parts_of = total_parts(template)
    aggregates = template.aggregate_cells()
    out: set[str] = set()
    todo = [p for c in cells for p in aggregates.get(c, [c])]
    while todo:
        cell = todo.pop()
        if cell in out:
            continue
        out.add(cell)
        todo += [p for c in parts_of.get(cell, ()) for p in aggregates.get(c, [c])]
    return out
