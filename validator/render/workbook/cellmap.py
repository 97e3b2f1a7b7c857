"""Where every cell of the form sits in a workbook: the Layout record, the hidden ``_cells`` sheet that
carries it inside the file (so annotation finds every cell exactly), and the tool-sheets name."""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.worksheet.protection import SheetProtection

from validator.catalogue import Template
from validator.model import TOOL_SHEETS_NAME, tool_sheets  # shared with the reader
from validator.render.safe import set_text
from validator.render.workbook.formulas import CHECKS_SHEET
from validator.render.workbook.refs import quote_sheet

CELLS_SHEET = "_cells"


@dataclass
class Layout:
    """Where every cell of the form sits in the workbook, and the checks written for it."""

    template: Template
    year: int
    agency: str | None
    layout: str
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)  # cell id -> (sheet, "D8")
    checks: list[dict] = field(default_factory=list)  # one per relation: rule, row on 校验, cells
    blank_checks: list[dict] = field(default_factory=list)  # one M-09 line per table with totals

    def ref(self, cell_id: str, *, sheet: bool = True, absolute: bool = False) -> str:
        title, ref = self.cells[cell_id]
        if absolute:
            ref = absolute(ref)
        return f"{quote_sheet(title)}!{ref}" if sheet else ref


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


def write_cell_sheet(b) -> None:
    """The hidden _cells sheet: cell id → sheet and ref, plus the template, year and agency."""
    ws = b.wb.create_sheet(CELLS_SHEET)
    ws.append(["cell", "sheet", "ref", "label", "kind"])
    for row, (cell_id, (title, ref)) in enumerate(b.layout.cells.items(), start=2):
        meta = b.template.cells[cell_id]
        for col, value in enumerate([cell_id, title, ref, meta.label_zh, meta.kind], start=1):
            set_text(ws.cell(row=row, column=col), value)  # a sheet name "=…" stays text
    from validator import __version__

    meta = [
        ("template", b.template.id),
        ("year", b.year),
        ("agency", b.agency or ""),
        ("layout", b.layout.layout),
        ("checks_sheet", CHECKS_SHEET),
        ("generator", f"ogi-validator {__version__}"),
    ]
    for k, (key, value) in enumerate(meta, start=1):
        ws.cell(row=k, column=7, value=key)
        set_text(ws.cell(row=k, column=8), value)  # an agency name "=…" stays text
    ws.sheet_state = "hidden"
    ws.protection = SheetProtection(sheet=True)
