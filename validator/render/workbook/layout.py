"""Drawing the fill-in workbook: the form's sections and tables as staff know them, from the catalogue
alone (rules/templates/*.yaml: sections in order, each table's printed layout — blocks, grid or groups —
its rows and columns); the input cells with their validation; sheet protection."""

from __future__ import annotations

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.protection import SheetProtection

from validator.catalogue import Row, Table, Template, load_catalogue
from validator.render.workbook.cellmap import Layout, mark_tool_sheets, write_cell_sheet
from validator.render.workbook.formulas import CHECKS_SHEET, conditional_formats, write_checks
from validator.render.workbook.style import (
    BOX,
    FONT,
    HEADER_FILL,
    INPUT_FILL,
    LOCKED,
    NONE,
    THIN,
    UNLOCKED,
    landscape,
    text_lines,
)
from validator.render.workbook.validation import add_validation

SINGLE_SHEET = "年报表格"
# Form furniture the catalogue does not carry as labels (the locator keys on them too).
APPLICANTS = "申请人情况"  # the grid table (表三): header over the seven applicant columns


def template_for_year(year: int) -> Template:
    template = load_catalogue().template_for_year(year)
    if template is None:
        first = min(t.first_year for t in load_catalogue().templates.values())
        raise ValueError(f"{year}年没有规定的年度报告格式（{first}年起才有） (no template for {year})")
    return template


def report_title(year: int, agency: str | None) -> str:
    return f"{agency or ''}{year}年政府信息公开工作年度报告"


class Builder:
    """Writes one workbook: the tables as the form prints them, input cells, checks, the cell map."""

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
        tables = self.template.tables
        if self.layout.layout == "sheets":
            sheets = {t.id: wb.create_sheet(t.name) for t in tables}  # 表二 表三 表四, as the form names them
        else:
            one = wb.create_sheet(SINGLE_SHEET)
            sheets = {t.id: one for t in tables}
        self.sheets = sheets
        self._tables(sheets)
        self._fill(values)
        add_validation(self)
        write_checks(self, checks)
        conditional_formats(self)
        write_cell_sheet(self)
        for ws in {id(s): s for s in [checks, *sheets.values()]}.values():
            self._protect(ws)
        for (title, row), height in self.heights.items():
            wb[title].row_dimensions[row].height = height
        wb.active = 1  # open on the first table; 校验 stays the first tab
        sheets[tables[0].id].sheet_view.tabSelected = True
        checks.sheet_view.tabSelected = False
        title = report_title(self.year, self.agency)
        wb.properties.title = title
        wb.properties.creator = "ogi-validator"
        wb.properties.subject = f"{self.template.title}（{self.template.notice}）"
        wb.calculation.fullCalcOnLoad = True
        mark_tool_sheets(wb, CHECKS_SHEET)

    def _tables(self, sheets: dict) -> None:
        """The sections in form order: a section with a table gets its heading, a live status line and the
        table (on the table's own sheet, or one after the other on the single sheet); a section without
        one (一、五、六) gets its heading and a cell for its text. The report title tops the first sheet."""
        t = self.template
        single = self.layout.layout == "single"
        by_section = {table.section: table for table in t.tables}
        floor = max((_extent(x, single) for x in t.tables if x.layout == "grid"), default=0) if single else 0
        span = max(_extent(t.tables[0], single), floor)
        ws = sheets[t.tables[0].id]
        self._title(ws, 1, 1, span)
        row = 2
        seen = after = False
        for section in t.sections:
            table = by_section.get(section.id)
            if table is None:
                if seen and not after:  # a blank row between the last table and the text after it
                    row, after = row + 1, True
                row = self._section_text(ws, row, section, 1, span)
                continue
            if seen:
                if single:
                    row += 1
                else:
                    ws, row = sheets[table.id], 1
            span = max(_extent(table, single), floor)
            row = self._heading(ws, row, section, 1, span)
            row = self._status(ws, row, table.id, 1, span)
            row = self._table(ws, row, table, _first_column(table, single))
            if not single:
                self._columns(ws, _widths(table, _first_column(table, single)))
            seen = True
        if single:
            grid = next((x for x in t.tables if x.layout == "grid"), t.tables[0])
            last = max(_extent(x, single) for x in t.tables)
            self._columns(
                ws, {**_widths(grid, 1), **{c: 10 for c in range(_values_start(grid, 1), last + 1)}}
            )
        for sheet in {id(s): s for s in sheets.values()}.values():
            sheet.sheet_view.showGridLines = False
            landscape(sheet)

    def _table(self, ws, row: int, table: Table, first_col: int) -> int:
        """A table as the form prints it, by its printed layout (catalogue Table.layout)."""
        draw = {"blocks": self._blocks_table, "grid": self._grid_table, "groups": self._groups_table}
        return draw[table.layout](ws, row, table, first_col)

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
        cell.data_type = "s"  # an agency name starting with "=" is text, never a formula
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

    # ------------------------------------------------------------------------------ blocks (表二)

    def _blocks_table(self, ws, row: int, table: Table, label_col: int) -> int:
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
                    lines,
                    text_lines(col.label, (18 if self.layout.layout == "sheets" else 10) * (end - c + 1)),
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

    # ------------------------------------------------------------------------------ grid (表三)

    def _grid_table(self, ws, row: int, table: Table, first_col: int) -> int:
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
            self._height(ws, r, text_lines(leaf.label, 60))
            for k, col in enumerate(columns):
                self._input(ws, r, v0 + k, f"{table.id}.{leaf.path}.{col.id}", col)
        return row + len(leaves)

    # ------------------------------------------------------------------------------ groups (表四)

    def _groups_table(self, ws, row: int, table: Table, first_col: int) -> int:
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

    def _protect(self, ws) -> None:
        # no password: protection keeps labels and formulas from being typed over by accident only
        ws.protection = SheetProtection(
            sheet=True,
            formatColumns=False,
            formatRows=False,
            selectLockedCells=False,
            selectUnlockedCells=False,
        )


# per printed layout (catalogue Table.layout): the first column of the table on its own sheet and on the
# single sheet, where tables line up under the grid table's label column (3) and value columns (4)
_FIRST_COLUMN = {"blocks": (1, 3), "grid": (1, 1), "groups": (1, 4)}
_GRID_LABEL_COLUMNS = 3  # a grid table's labels: two narrow group columns, then the wide label column


def _first_column(table: Table, single: bool) -> int:
    return _FIRST_COLUMN[table.layout][1 if single else 0]


def _values_start(table: Table, first_col: int) -> int:
    """First value column of a table drawn from first_col."""
    if table.layout == "grid":
        return first_col + _GRID_LABEL_COLUMNS
    if table.layout == "blocks":
        return first_col + 1
    return first_col


def _extent(table: Table, single: bool) -> int:
    """The last column a table occupies (headings above it span to there)."""
    first = _first_column(table, single)
    if table.layout == "blocks":
        return first + max(len(b.columns) for b in table.blocks)
    if table.layout == "grid":
        return _values_start(table, first) + len(table.columns) - 1
    return first + len(table.columns) * len(table.rows) - 1


def _widths(table: Table, first_col: int) -> dict[int, float]:
    """Column widths of a table's own sheet: labels wide, values narrow."""
    start, last = _values_start(table, first_col), _extent(table, False)
    if table.layout == "blocks":
        return {first_col: 26, **{c: 18 for c in range(start, last + 1)}}
    if table.layout == "grid":
        return {first_col: 5, first_col + 1: 12, first_col + 2: 60, **{c: 10 for c in range(start, last + 1)}}
    return {c: 9.5 for c in range(first_col, last + 1)}
