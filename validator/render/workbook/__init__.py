"""The fill-in workbook for agency staff: the official tables of a template as an .xlsx, built from the
catalogue (rules/templates/*.yaml) and the rules (rules/checks/*.yaml); nothing here names a row or column.

Layout (``layout="sheets"``, the default):

* ``校验`` — the first sheet: one line per relation of the rules (T2-…, T3-01 … T4-01) with live formulas:
  left side, right side, difference and ✓ / ✗ 相差 n (⚠ for warnings). Blanks count as the engine counts
  them (engine/blank_policy.py): a blank cell as 0, a blank total as the sum of its parts; one M-09 line per
  table counts the blank totals whose parts are not all zero (an error). It comes first so that no reader
  ever takes its text for the tables.
* ``表二`` ``表三`` ``表四`` — one sheet per table, merged headers and labels as in the form, the report's
  title and section headings (一 … 六, with a cell for the text of 一, 五 and 六), a live status line,
  input cells unlocked with data validation and an input message, everything else locked (sheet
  protection without a password), conditional formatting that turns a total lavender when it does not add
  up or is blank while its parts are not all zero.
* ``_cells`` — hidden: cell id → sheet and reference (and the template, year and agency), so that
  annotation finds every cell exactly.

    layout.py    the sections and tables as the form prints them (by each table's printed layout)
    formulas.py  relation → Excel formula, in one place; the 校验 sheet and the conditional formats
    blanks.py    the blanks policy as formulas: a blank total read as the sum of its parts, the live M-09
    refs.py      sheet-qualified references and ranges of adjacent cells
    cellmap.py   Layout (cell id → sheet, ref), the hidden _cells sheet, the tool-sheets name
    style.py     fonts, fills, borders, print setup

Reader-friendly on purpose (validator/readers/xlsx.py + validator/locate read it back exactly): every
value row has its label in the cell just left of its first value (group labels of 表三 sit further left,
merged vertically), values follow in column order, blank cells stay empty.

``layout="single"`` puts the three tables on one sheet (some staff prefer it; the reader reads both).
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from validator.catalogue import Template, load_catalogue
from validator.model import tool_sheets
from validator.render.workbook.cellmap import CELLS_SHEET, Layout, mark_tool_sheets, read_cell_map
from validator.render.workbook.formulas import CHECKS_SHEET
from validator.render.workbook.layout import SINGLE_SHEET, Builder, report_title, template_for_year
from validator.render.workbook.refs import quote_sheet

__all__ = [
    "CELLS_SHEET",
    "CHECKS_SHEET",
    "SINGLE_SHEET",
    "Layout",
    "build_workbook",
    "mark_tool_sheets",
    "quote_sheet",
    "read_cell_map",
    "report_title",
    "save_workbook",
    "template_for_year",
    "tool_sheets",
    "write_template",
]


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
    builder = Builder(template, year, agency, layout)
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
