"""The fill-in workbook for agency staff: the official tables of a template as an .xlsx, built from the
catalogue (rules/templates/*.yaml) and the rules (rules/checks/*.yaml); nothing here names a row or column.

Layout (``layout="sheets"``, the default):

* ``校验`` — the first sheet: one line per relation of the rules (T2-…, T3-01 … T4-01) with live formulas:
  left side, right side, difference and ✓ / ✗ 相差 n (⚠ for warnings). Blank cells count as 0, as the tool
  counts them (with a warning). It comes first so that no reader ever takes its text for the tables.
* ``表二`` ``表三`` ``表四`` — one sheet per table, merged headers and labels as in the form, the report's
  title and section headings (一 … 六, with a cell for the text of 一, 五 and 六), a live status line,
  input cells unlocked with data validation and an input message, everything else locked (sheet
  protection without a password), conditional formatting that turns a total red when it does not add up.
* ``_cells`` — hidden: cell id → sheet and reference (and the template, year and agency), so that
  annotation finds every cell exactly.

Reader-friendly on purpose (validator/readers/xlsx.py + validator/locate.py read it back exactly): every
value row has its label in the cell just left of its first value (group labels of 表三 sit further left,
merged vertically), values follow in column order, blank cells stay empty.

``layout="single"`` puts the three tables on one sheet (some staff prefer it; the reader reads both).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.formatting.rule import FormulaRule
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.protection import SheetProtection

from validator.catalogue import Row, Table, Template, load_catalogue
from validator.engine.wording import severity_zh
from validator.model import TOOL_SHEETS_NAME, tool_sheets  # shared with the reader

CHECKS_SHEET = "校验"
CELLS_SHEET = "_cells"
SHEET_NAMES = {"t2": "表二", "t3": "表三", "t4": "表四"}
SINGLE_SHEET = "年报表格"
# Form furniture the catalogue does not carry as labels (the locator keys on them too).
APPLICANTS = "申请人情况"  # 表三: header over the seven applicant columns
MARK = {"error": "✗", "warning": "⚠", "info": "⚠"}

FONT = "宋体"
THIN = Side(style="thin", color="FF000000")
NONE = Side(style=None)
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", fgColor="FFF2F2F2")
INPUT_FILL = PatternFill("solid", fgColor="FFFFFBE6")
BAD_FILL = PatternFill("solid", fgColor="FFFF7C80")  # the colours annotation uses (render/xlsx.py)
WARN_FILL = PatternFill("solid", fgColor="FFFFC000")
GOOD_FILL = PatternFill("solid", fgColor="FFC6EFCE")
UNLOCKED = Protection(locked=False)
LOCKED = Protection(locked=True)

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


@dataclass
class Layout:
    """Where every cell of the form sits in the workbook, and the checks written for it."""

    template: Template
    year: int
    agency: str | None
    layout: str
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)  # cell id -> (sheet, "D8")
    checks: list[dict] = field(default_factory=list)  # one per relation: rule, row on 校验, cells

    def ref(self, cell_id: str, *, sheet: bool = True, absolute: bool = False) -> str:
        title, ref = self.cells[cell_id]
        if absolute:
            ref = _absolute(ref)
        return f"{quote_sheet(title)}!{ref}" if sheet else ref


# --------------------------------------------------------------------------------------------- public


def template_for_year(year: int) -> Template:
    template = load_catalogue().template_for_year(year)
    if template is None:
        first = min(t.first_year for t in load_catalogue().templates.values())
        raise ValueError(f"{year}年没有规定的年度报告格式（{first}年起才有） (no template for {year})")
    return template


def report_title(year: int, agency: str | None) -> str:
    return f"{agency or ''}{year}年政府信息公开工作年度报告"


def build_workbook(
    year: int,
    agency: str | None = None,
    values: dict[str, object] | None = None,
    *,
    template: Template | str | None = None,
    layout: str = "sheets",
) -> tuple[Workbook, Layout]:
    """The fill-in workbook for a report year (the template that year requires unless one is given).

    ``values`` (cell id → number, text or None) pre-fills input cells, e.g. figures extracted from a report.
    """
    if isinstance(template, str):
        template = load_catalogue().templates[template]
    template = template or template_for_year(year)
    if layout not in ("sheets", "single"):
        raise ValueError(f"unknown layout {layout!r}")
    builder = _Builder(template, year, agency, layout)
    builder.build(values or {})
    return builder.wb, builder.layout


def write_template(
    path: str | Path,
    year: int,
    agency: str | None = None,
    *,
    layout: str = "sheets",
    values: dict[str, object] | None = None,
) -> Layout:
    """Build and save the workbook (the caller decides about overwriting)."""
    wb, lay = build_workbook(year, agency, values, layout=layout)
    save_workbook(wb, Path(path))
    return lay


def save_workbook(wb: Workbook, path: Path) -> None:
    """Save through a temporary file in the same folder, so a failure never leaves half a workbook."""
    path = Path(path)
    tmp = path.with_name(f".{path.stem}.tmp-{id(wb)}.xlsx")
    try:
        wb.save(tmp)
        tmp.replace(path)
    finally:
        if tmp.exists():
            tmp.unlink()


def read_cell_map(wb) -> dict[str, tuple[str, str]]:
    """The hidden ``_cells`` map of a workbook built here (cell id → (sheet, ref)); {} for any other."""
    if CELLS_SHEET not in wb.sheetnames:
        return {}
    ws = wb[CELLS_SHEET]
    out = {}
    for row in ws.iter_rows(min_row=2, max_col=3, values_only=True):
        cell_id, sheet, ref = row
        if cell_id and sheet and ref:
            out[str(cell_id)] = (str(sheet), str(ref))
    return out


def mark_tool_sheets(wb, *titles: str) -> None:
    from openpyxl.workbook.defined_name import DefinedName

    names = sorted(tool_sheets(wb) | set(titles))
    if TOOL_SHEETS_NAME in wb.defined_names:
        del wb.defined_names[TOOL_SHEETS_NAME]
    wb.defined_names[TOOL_SHEETS_NAME] = DefinedName(TOOL_SHEETS_NAME, attr_text='"' + ",".join(names) + '"')


def quote_sheet(title: str) -> str:
    """A sheet name as a formula writes it: always quoted (CJK names included)."""
    return "'" + title.replace("'", "''") + "'"


def _absolute(ref: str) -> str:
    col = ref.rstrip("0123456789")
    return f"${col}${ref[len(col) :]}"


def _width(text: str) -> int:
    """Display width: CJK characters count double."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _lines(text: str, width: float) -> int:
    return max(1, math.ceil(_width(text) / max(1.0, width - 1)))


class _Builder:
    def __init__(self, template: Template, year: int, agency: str | None, layout: str) -> None:
        self.template = template
        self.year = year
        self.agency = agency
        self.wb = Workbook()
        self.layout = Layout(template, year, agency, layout)
        self.inputs: list[tuple] = []  # (cell, cell id, unit) in form order
        self.sheets: dict[str, object] = {}
        self.status_cells: dict[str, object] = {}  # table id -> status cell
        self.heights: dict[tuple[str, int], float] = {}
        self.title_cell = None
        self.section_cells: dict[str, object] = {}  # section id -> the cell for its text

    # ------------------------------------------------------------------------------ top level

    def build(self, values: dict[str, object]) -> None:
        wb = self.wb
        checks = wb.active
        checks.title = CHECKS_SHEET
        if self.layout.layout == "sheets":
            sheets = {tid: wb.create_sheet(name) for tid, name in SHEET_NAMES.items()}
        else:
            one = wb.create_sheet(SINGLE_SHEET)
            sheets = {tid: one for tid in SHEET_NAMES}
        self.sheets = sheets
        self._tables(sheets)
        self._fill(values)
        self._validation()
        self._checks(checks)
        self._conditional_formats()
        self._cell_sheet()
        for ws in {id(s): s for s in [checks, *sheets.values()]}.values():
            self._protect(ws)
        for (title, row), height in self.heights.items():
            wb[title].row_dimensions[row].height = height
        wb.active = 1  # open on the first table; 校验 stays the first tab
        wb[
            SHEET_NAMES["t2"] if self.layout.layout == "sheets" else SINGLE_SHEET
        ].sheet_view.tabSelected = True
        checks.sheet_view.tabSelected = False
        title = report_title(self.year, self.agency)
        wb.properties.title = title
        wb.properties.creator = "ogi-validator"
        wb.properties.subject = f"{self.template.title}（{self.template.notice}）"
        wb.calculation.fullCalcOnLoad = True
        mark_tool_sheets(wb, CHECKS_SHEET)

    def _tables(self, sheets: dict) -> None:
        t = self.template
        sections = {s.id: s for s in t.sections}
        single = self.layout.layout == "single"
        # columns: 表三 needs two narrow group columns and a wide label column; 表二 and 表四 fit around it
        t2_label, t3_group, t4_first = (3, 1, 4) if single else (1, 1, 1)
        row = 1
        ws = sheets["t2"]
        self._title(ws, row, 1, (t2_label + 3) if not single else 10)
        row += 1
        row = self._section_text(ws, row, sections["s1"], 1, (t2_label + 3) if not single else 10)
        row = self._heading(ws, row, sections["s2"], 1, (t2_label + 3) if not single else 10)
        row = self._status(ws, row, "t2", 1, (t2_label + 3) if not single else 10)
        row = self._table2(ws, row, t.table("t2"), t2_label)
        if not single:
            self._columns(ws, {1: 26, 2: 18, 3: 18, 4: 18})
            ws = sheets["t3"]
            row = 1
        else:
            row += 1
        row = self._heading(ws, row, sections["s3"], 1, 10)
        row = self._status(ws, row, "t3", 1, 10)
        row = self._table3(ws, row, t.table("t3"), t3_group)
        if not single:
            self._columns(ws, {1: 5, 2: 12, 3: 60, **{c: 10 for c in range(4, 11)}})
            ws = sheets["t4"]
            row = 1
        else:
            row += 1
        width = t4_first + 14
        row = self._heading(ws, row, sections["s4"], 1, width)
        row = self._status(ws, row, "t4", 1, width)
        row = self._table4(ws, row, t.table("t4"), t4_first)
        row += 1
        row = self._section_text(ws, row, sections["s5"], 1, width)
        row = self._section_text(ws, row, sections["s6"], 1, width)
        if single:
            self._columns(ws, {1: 5, 2: 12, 3: 60, **{c: 10 for c in range(4, 19)}})
        else:
            self._columns(ws, {c: 9.5 for c in range(1, 16)})
        for sheet in {id(s): s for s in sheets.values()}.values():
            sheet.sheet_view.showGridLines = False
            _landscape(sheet)

    # ------------------------------------------------------------------------------ pieces

    def _columns(self, ws, widths: dict[int, float]) -> None:
        for col, width in widths.items():
            ws.column_dimensions[get_column_letter(col)].width = width

    def _put(
        self,
        ws,
        row: int,
        col: int,
        text,
        *,
        end_row: int | None = None,
        end_col: int | None = None,
        bold: bool = False,
        fill=None,
        align: str = "center",
        wrap: bool = True,
        size: int = 11,
        border: bool = True,
        vertical: str = "center",
    ):
        cell = ws.cell(row=row, column=col, value=text)
        end_row = end_row or row
        end_col = end_col or col
        if (end_row, end_col) != (row, col):
            ws.merge_cells(start_row=row, start_column=col, end_row=end_row, end_column=end_col)
        cell.font = Font(name=FONT, size=size, bold=bold)
        cell.alignment = Alignment(horizontal=align, vertical=vertical, wrap_text=wrap)
        if fill is not None:
            cell.fill = fill
        cell.protection = LOCKED
        if border:
            for r in range(row, end_row + 1):
                for c in range(col, end_col + 1):
                    ws.cell(row=r, column=c).border = BOX
        return cell

    def _height(self, ws, row: int, lines: int, per_line: float = 15.0) -> None:
        key = (ws.title, row)
        self.heights[key] = max(self.heights.get(key, 15.0), lines * per_line + 3)

    def _title(self, ws, row: int, col: int, end_col: int) -> None:
        cell = self._put(
            ws,
            row,
            col,
            report_title(self.year, self.agency),
            end_col=end_col,
            bold=True,
            size=16,
            border=False,
        )
        cell.protection = UNLOCKED  # staff put their agency's name in front of the year
        self.title_cell = cell
        self._height(ws, row, 1, 24)

    def _heading(self, ws, row: int, section, col: int, end_col: int) -> int:
        self._put(
            ws,
            row,
            col,
            f"{section.number}、{section.heading}",
            end_col=end_col,
            bold=True,
            size=12,
            align="left",
            border=False,
            wrap=False,
        )
        self._height(ws, row, 1, 18)
        return row + 1

    def _section_text(self, ws, row: int, section, col: int, end_col: int) -> int:
        row = self._heading(ws, row, section, col, end_col)
        cell = self._put(ws, row, col, None, end_row=row, end_col=end_col, align="left", vertical="top")
        cell.protection = UNLOCKED
        cell.fill = INPUT_FILL
        self.section_cells[section.id] = cell
        self._height(ws, row, 4)
        return row + 1

    def _status(self, ws, row: int, table_id: str, col: int, end_col: int) -> int:
        cell = self._put(ws, row, col, None, end_col=end_col, align="left", border=False, wrap=False)
        self.status_cells[table_id] = cell
        return row + 1

    def _input(self, ws, row: int, col: int, cell_id: str, column, end_col: int | None = None):
        cell = self._put(ws, row, col, None, end_col=end_col, fill=INPUT_FILL)
        cell.protection = UNLOCKED
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.number_format = "General"
        self.layout.cells[cell_id] = (ws.title, cell.coordinate)
        self.inputs.append((cell, cell_id, column.unit))
        return cell

    # ------------------------------------------------------------------------------ 表二

    def _table2(self, ws, row: int, table: Table, label_col: int) -> int:
        width = max(len(b.columns) for b in table.blocks)
        last = label_col + width
        for block in table.blocks:
            self._put(ws, row, label_col, block.caption, end_col=last, bold=True, fill=HEADER_FILL)
            row += 1
            self._put(ws, row, label_col, table.header_keys[0], bold=True, fill=HEADER_FILL)  # 信息内容
            lines = 1
            for i, col in enumerate(block.columns):
                c = label_col + 1 + i
                end = last if i == len(block.columns) - 1 else c
                self._put(ws, row, c, col.label, end_col=end, bold=True, fill=HEADER_FILL)
                lines = max(
                    lines, _lines(col.label, (18 if self.layout.layout == "sheets" else 10) * (end - c + 1))
                )
            self._height(ws, row, lines)
            row += 1
            for r in block.rows:
                self._put(ws, row, label_col, r.label, align="left")
                for i, col in enumerate(block.columns):
                    c = label_col + 1 + i
                    end = last if i == len(block.columns) - 1 else None
                    self._input(ws, row, c, f"{table.id}.{r.path}.{col.id}", col, end_col=end)
                row += 1
        return row

    # ------------------------------------------------------------------------------ 表三

    def _table3(self, ws, row: int, table: Table, first_col: int) -> int:
        label_col = first_col + 2
        v0 = label_col + 1
        columns = table.columns
        vlast = v0 + len(columns) - 1
        # header: the corner note over the label columns, 申请人情况 over the applicant columns
        self._put(ws, row, first_col, table.corner_note, end_row=row + 2, end_col=label_col, fill=HEADER_FILL)
        self._put(ws, row, v0, APPLICANTS, end_col=vlast, bold=True, fill=HEADER_FILL)
        i = 0
        while i < len(columns):
            col = columns[i]
            c = v0 + i
            if col.parent is None:
                self._put(ws, row + 1, c, col.label, end_row=row + 2, bold=True, fill=HEADER_FILL)
                i += 1
                continue
            j = i
            while j < len(columns) and columns[j].parent == col.parent:
                self._put(ws, row + 2, v0 + j, columns[j].label, bold=True, fill=HEADER_FILL)
                j += 1
            self._put(ws, row + 1, c, col.parent, end_col=v0 + j - 1, bold=True, fill=HEADER_FILL)
            i = j
        self._height(ws, row + 2, 2)
        self._height(ws, row, 2)
        row += 3
        leaves = [r for r in table.rows if r.is_leaf]
        row_of = {r.path: row + k for k, r in enumerate(leaves)}
        # group labels: merged vertically over their leaves, one column per level
        for group in (r for r in table.rows if not r.is_leaf):
            under = [row_of[r.path] for r in leaves if r.path.startswith(group.path + ".")]
            depth = group.path.count(".")
            cell = self._put(
                ws, min(under), first_col + depth, group.label, end_row=max(under), align="center"
            )
            if depth == 0:  # written top to bottom in a narrow column, as in the form
                cell.alignment = Alignment(
                    horizontal="center", vertical="center", wrap_text=True, text_rotation=255
                )
        for leaf in leaves:
            r = row_of[leaf.path]
            depth = leaf.path.count(".")
            if depth < 2:
                # a row the form writes across the label columns: its label goes in the last one, the
                # cells to its left are left blank and borderless towards it (the reader wants the
                # label right before the values)
                start = first_col + depth
                if start < label_col - 1:
                    ws.merge_cells(start_row=r, start_column=start, end_row=r, end_column=label_col - 1)
                for c in range(start, label_col):
                    cell = ws.cell(row=r, column=c)
                    cell.border = Border(left=THIN if c == start else NONE, right=NONE, top=THIN, bottom=THIN)
                    cell.protection = LOCKED
            self._put(ws, r, label_col, leaf.label, align="left")
            if depth < 2:
                ws.cell(row=r, column=label_col).border = Border(left=NONE, right=THIN, top=THIN, bottom=THIN)
            self._height(ws, r, _lines(leaf.label, 60))
            for k, col in enumerate(columns):
                self._input(ws, r, v0 + k, f"{table.id}.{leaf.path}.{col.id}", col)
        return row + len(leaves)

    # ------------------------------------------------------------------------------ 表四

    def _table4(self, ws, row: int, table: Table, first_col: int) -> int:
        columns = table.columns
        n = len(columns)
        c = first_col
        groups: list[tuple[str | None, list[Row]]] = []
        for r in table.rows:
            if groups and r.group_label is not None and groups[-1][0] == r.group_label:
                groups[-1][1].append(r)
            else:
                groups.append((r.group_label, [r]))
        for label, members in groups:
            span = n * len(members)
            if label is None:
                (only,) = members
                self._put(ws, row, c, only.label, end_col=c + n - 1, bold=True, fill=HEADER_FILL)
                for k, col in enumerate(columns):
                    self._put(ws, row + 1, c + k, col.label, end_row=row + 2, bold=True, fill=HEADER_FILL)
            else:
                self._put(ws, row, c, label, end_col=c + span - 1, bold=True, fill=HEADER_FILL)
                for m, member in enumerate(members):
                    start = c + m * n
                    self._put(
                        ws, row + 1, start, member.label, end_col=start + n - 1, bold=True, fill=HEADER_FILL
                    )
                    for k, col in enumerate(columns):
                        self._put(ws, row + 2, start + k, col.label, bold=True, fill=HEADER_FILL)
            c += span
        self._height(ws, row + 2, 2)
        data = row + 3
        c = first_col
        for r in table.rows:
            for col in columns:
                self._input(ws, data, c, f"{table.id}.{r.path}.{col.id}", col)
                c += 1
        self._height(ws, data, 1, 20)
        return data + 1

    # ------------------------------------------------------------------------------ values, validation

    def _fill(self, values: dict[str, object]) -> None:
        for cell, cell_id, _ in self.inputs:
            value = values.get(cell_id)
            if value is None or value == "":
                continue
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            cell.value = value

    def _validation(self) -> None:
        """One data validation per input cell, with the cell's own label in its input message."""
        for cell, cell_id, unit in self.inputs:
            ws = cell.parent
            meta = self.template.cells[cell_id]
            kind = meta.kind
            title_text, prompt, error = _KIND_HELP[kind]
            prompt = prompt.format(unit=f"，单位：{unit}" if unit else "")
            if kind == "count":
                dv = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
            elif kind == "amount":
                dv = DataValidation(type="decimal", operator="greaterThanOrEqual", formula1="0")
            else:
                dv = DataValidation(
                    type="whole", operator="between", formula1="-100000000", formula2="100000000"
                )
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
        if self.title_cell is not None:
            dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="200")
            dv.showInputMessage = True
            dv.promptTitle = "报告标题"
            dv.prompt = "请在年份前写上本机关名称，例如“某市某局2025年政府信息公开工作年度报告”。"
            dv.add(self.title_cell.coordinate)
            self.title_cell.parent.add_data_validation(dv)
        for cell in self.section_cells.values():
            dv = DataValidation(type="textLength", operator="lessThanOrEqual", formula1="32000")
            dv.showInputMessage = True
            dv.promptTitle = "正文（可选）"
            dv.prompt = "可在此粘贴本部分正文；表格核对不需要它，留空也可以。"
            dv.add(cell.coordinate)
            cell.parent.add_data_validation(dv)

    # ------------------------------------------------------------------------------ 校验

    def _relations(self) -> list:
        from validator.engine.rules import build_ruleset

        out = []
        for cr in build_ruleset().relations:
            if (
                cr.template != self.template.id
                or cr.rule.cross_year
                or any(c.startswith("n.") for c in cr.coeffs)
            ):
                continue
            out.append(cr)
        return out

    def _side(self, coeffs: dict[str, float], constant: float) -> str:
        """A side of a relation as an Excel expression over the mapped cells (aggregates → their rows)."""
        aggregates = self.template.aggregate_cells()
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
            refs = _ranges([self.layout.cells[c] for c in cells])
            total = f"SUM({','.join(refs)})"
            if coeff == 1:
                terms.append(("+", total))
            elif coeff == -1:
                terms.append(("-", total))
            else:
                terms.append(("+" if coeff > 0 else "-", f"{_number(abs(coeff))}*{total}"))
        if constant:
            terms.append(("+" if constant > 0 else "-", _number(abs(constant))))
        if not terms:
            return "0"
        text = ""
        for sign, term in terms:
            text += (("-" if sign == "-" else "") if not text else sign) + term
        return text

    def _checks(self, ws) -> None:
        from validator.engine.rules import binding_label

        relations = self._relations()
        self._put(ws, 1, 1, "勾稽关系校验（随填随算）", end_col=7, bold=True, size=14, border=False)
        self._height(ws, 1, 1, 22)
        explain = (
            "本表按校验规则自动核对各表的数据关系：✓ 相符；✗ 不相符（错误，必须改正），后附相差数；"
            "⚠ 需要核实（警告或提示）。空白单元格按 0 计算（正式核对时会提示空白）。"
            "填写请在「表二」「表三」「表四」工作表中进行。"
        )
        self._put(ws, 2, 1, explain, end_col=7, align="left", border=False)
        self._height(ws, 2, 3)
        summary = self._put(ws, 3, 1, None, end_col=7, bold=True, align="left", border=False, wrap=False)
        headers = ["规则", "级别", "校验内容", "左边", "右边", "差额", "结果", "不符"]
        for k, text in enumerate(headers):
            self._put(ws, 4, k + 1, text, bold=True, fill=HEADER_FILL)
        row = 5
        first = row
        by_table: dict[str, list[int]] = {}
        for cr in relations:
            rule = cr.rule
            table_id = next(iter(cr.coeffs)).split(".")[0]
            table_name = self.template.table(table_id).name
            bound = "".join(f"「{binding_label(v, self.template)}」" for v in cr.bindings.values())
            description = f"{table_name}{bound}：{rule.title}"
            lhs = self._side(cr.relation.lhs.coeffs, cr.relation.lhs.constant)
            rhs = self._side(cr.relation.rhs.coeffs, cr.relation.rhs.constant)
            op = cr.relation.op
            diff = f"ROUND(F{row},6)"
            violated = {
                "==": f"{diff}<>0",
                "<=": f"{diff}>0",
                ">=": f"{diff}<0",
                "<": f"{diff}>=0",
                ">": f"{diff}<=0",
            }[op]
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
            for k, value in enumerate(cells):
                cell = self._put(ws, row, k + 1, value, align="left" if k == 2 else "center")
                if k in (3, 4, 5):
                    cell.number_format = "General"
            self._height(ws, row, _lines(description, 72))
            by_table.setdefault(table_id, []).append(row)
            self.layout.checks.append(
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
                    "anchor": _anchor(cr),
                }
            )
            row += 1
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
        self._columns(ws, {1: 8, 2: 6, 3: 72, 4: 9, 5: 9, 6: 9, 7: 14, 8: 6})
        ws.column_dimensions["H"].hidden = True
        ws.freeze_panes = "A5"
        _landscape(ws)
        checks = quote_sheet(ws.title)
        for table_id, cell in self.status_cells.items():
            rows = by_table.get(table_id)
            if not rows:
                cell.value = "本表没有可自动核对的数据关系。"
                continue
            a, b = min(rows), max(rows)
            h = f"{checks}!$H${a}:$H${b}"
            count = f"SUM({h})"
            errors = f'SUMIF({checks}!$B${a}:$B${b},"错误",{h})'
            cell.value = (
                f'=IF({count}=0,"✓ 本表 {b - a + 1} 项勾稽关系全部相符",'
                f'IF({errors}>0,"✗ 本表有 "&{errors}&" 项勾稽关系不相符",'
                f'"⚠ 本表有 "&{count}&" 项需要核实")&"，详见「{ws.title}」工作表")'
            )

    def _conditional_formats(self) -> None:
        """On the tables: a relation's anchor cell (the total it closes on) turns red while it fails."""
        for check in self.layout.checks:
            anchor = check["anchor"]
            if anchor not in self.layout.cells:
                continue
            title, ref = self.layout.cells[anchor]
            ws = self.wb[title]
            same = {self.layout.cells[c][0] for c in self._expanded(check["cells"])}
            if same != {title}:
                continue
            lhs = check["lhs"].replace(f"{quote_sheet(title)}!", "")
            rhs = check["rhs"].replace(f"{quote_sheet(title)}!", "")
            diff = f"ROUND(({lhs})-({rhs}),6)"
            cond = {
                "==": f"{diff}<>0",
                "<=": f"{diff}>0",
                ">=": f"{diff}<0",
                "<": f"{diff}>=0",
                ">": f"{diff}<=0",
            }[check["op"]]
            fill = BAD_FILL if check["severity"] == "error" else WARN_FILL
            ws.conditional_formatting.add(ref, FormulaRule(formula=[cond], fill=fill))

    def _expanded(self, cells: Iterable[str]) -> list[str]:
        aggregates = self.template.aggregate_cells()
        return [p for c in cells for p in aggregates.get(c, [c])]

    # ------------------------------------------------------------------------------ map, protection

    def _cell_sheet(self) -> None:
        ws = self.wb.create_sheet(CELLS_SHEET)
        ws.append(["cell", "sheet", "ref", "label", "kind"])
        for cell_id, (title, ref) in self.layout.cells.items():
            meta = self.template.cells[cell_id]
            ws.append([cell_id, title, ref, meta.label_zh, meta.kind])
        from validator import __version__

        meta = [
            ("template", self.template.id),
            ("year", self.year),
            ("agency", self.agency or ""),
            ("layout", self.layout.layout),
            ("checks_sheet", CHECKS_SHEET),
            ("generator", f"ogi-validator {__version__}"),
        ]
        for k, (key, value) in enumerate(meta, start=1):
            ws.cell(row=k, column=7, value=key)
            ws.cell(row=k, column=8, value=value)
        ws.sheet_state = "hidden"
        ws.protection = SheetProtection(sheet=True)

    def _protect(self, ws) -> None:
        # no password: protection keeps labels and formulas from being typed over by accident only
        ws.protection = SheetProtection(
            sheet=True,
            formatColumns=False,
            formatRows=False,
            selectLockedCells=False,
            selectUnlockedCells=False,
        )


def _landscape(ws) -> None:
    """Print across the page, as wide as the table: staff print the form to have it signed."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _anchor(cr) -> str:
    """The cell a relation closes on: the single cell of its left side, else the last of its right."""
    lhs = list(cr.relation.lhs.coeffs)
    rhs = list(cr.relation.rhs.coeffs)
    if len(lhs) == 1:
        return lhs[0]
    return rhs[-1] if rhs else lhs[-1]


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _split(ref: str) -> tuple[str, int]:
    col = ref.rstrip("0123456789")
    return col, int(ref[len(col) :])


def _ranges(places: list[tuple[str, str]]) -> list[str]:
    """Cell places → sheet-qualified refs, runs of adjacent cells joined into ranges (D8:D12, D8:I8)."""
    from openpyxl.utils import column_index_from_string

    items = []
    for sheet, ref in places:
        col, row = _split(ref)
        items.append((sheet, column_index_from_string(col), row))
    out: list[str] = []
    used: set[int] = set()
    # vertical runs first (a column of a table), then horizontal runs among what is left
    for axis in ("col", "row"):
        key = (lambda it: (it[0], it[1], it[2])) if axis == "col" else (lambda it: (it[0], it[2], it[1]))
        order = sorted((i for i in range(len(items)) if i not in used), key=lambda i: key(items[i]))
        k = 0
        while k < len(order):
            run = [order[k]]
            while k + 1 < len(order):
                a, b = key(items[order[k]]), key(items[order[k + 1]])
                if a[0] == b[0] and a[1] == b[1] and b[2] == a[2] + 1:
                    run.append(order[k + 1])
                    k += 1
                else:
                    break
            k += 1
            if len(run) > 1 or axis == "row":
                used.update(run)
                sheet = items[run[0]][0]
                first, last = items[run[0]], items[run[-1]]
                start = f"{get_column_letter(first[1])}{first[2]}"
                end = f"{get_column_letter(last[1])}{last[2]}"
                ref = start if start == end else f"{start}:{end}"
                out.append(f"{quote_sheet(sheet)}!{ref}")
    return out
