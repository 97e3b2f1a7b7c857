"""Annotated workbooks: staff's own .xlsx back with the cells the findings name marked, or — for any other
input — the template-layout workbook (validator.render.workbook) filled with the extracted figures and marked.

Each cell a finding names gets a fill (red = error, amber = warning, light blue = info; the likely wrong
cell, where the tool can tell, in the strong shade, the other cells of the relation in a pale one) and a
comment in Chinese with the rule, the message, the cell's value, the difference and the likely correct
value. A new first sheet 校验结果 lists every finding with a hyperlink to its cell. The input file is never
written: the copy goes to ``out_path`` through a temporary file. The report is never read again: the
caller passes the Report, or the compact cell map the batch kept (model.compact_report).

    marks.py    fills and comments on the cells, and undoing an earlier annotation
    results.py  the 校验结果 sheet
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from validator.catalogue import load_catalogue
from validator.model import CellState, Report, expand_report
from validator.render.annotate.marks import (
    COLOURS,
    MARKS_SHEET,
    RESULTS_SHEET,
    apply_marks,
    marks_for,
    restore,
)
from validator.render.annotate.results import results_sheet

__all__ = ["COLOURS", "MARKS_SHEET", "RESULTS_SHEET", "AnnotateOutcome", "annotate", "annotate_many"]


@dataclass
class AnnotateOutcome:
    """One report of a batch: the annotated workbook written, or why not."""

    source: str
    out: Path | None = None
    error: str | None = None


# --------------------------------------------------------------------------------------------- public


def annotate(source_path: str | Path, report: Report, result, out_path: str | Path) -> Path:
    """Write the annotated workbook for one report to ``out_path`` (overwriting it: the CLI asks first)."""
    source_path, out_path = Path(source_path), Path(out_path)
    if out_path.exists() and source_path.exists() and out_path.resolve() == source_path.resolve():
        raise ValueError(f"{out_path}: 标注结果不能写回输入文件 (the input file is never overwritten)")
    wb = _open_copy(source_path)
    if wb is not None:
        from validator.render.workbook import read_cell_map

        restore(wb)
        where = _xlsx_places(wb, report, read_cell_map(wb))
        mode = "xlsx"
    else:
        wb, where = _template_copy(report)
        mode = "template"
    _add_aggregates(report, where)
    marks = marks_for(report, result, where, mode)
    apply_marks(wb, marks)
    results_sheet(wb, report, result, where, source_path)
    from validator.render.workbook import mark_tool_sheets, save_workbook

    mark_tool_sheets(wb, RESULTS_SHEET)

    wb.calculation.fullCalcOnLoad = True
    out_path.parent.mkdir(parents=True, exist_ok=True)
    save_workbook(wb, out_path)
    return out_path


def annotate_many(
    items: Iterable, out_dir: str | Path, *, force: bool = False, only_with_findings: bool = True
) -> list[AnnotateOutcome]:
    """For ``ogi batch --annotate``: one annotated workbook per report with findings, in ``out_dir``.

    ``items``: ``(source, report, result)`` or ``(source, report, result, name)`` tuples — ``report`` is a
    Report or the compact cell map the batch keeps (model.compact_report): the report is never read
    again; ``source`` is only the workbook to copy when it is staff's own .xlsx; ``name`` (e.g. the display
    name of a zip member) names the output instead of the source's file name.
    Outputs are ``<stem>.校验.xlsx`` (``<stem>-2.校验.xlsx`` … when two inputs share a name); an existing
    file is left alone unless ``force``. Unreadable inputs are skipped; errors are returned, never raised.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    taken: set[str] = set()
    outcomes = []
    for item in items:
        source, report, result, *rest = item
        source = Path(source)
        if result is None or getattr(result, "error", None):
            continue
        if only_with_findings and not result.findings:
            continue
        stem, n = Path(rest[0]).stem if rest and rest[0] else source.stem, 1
        name = f"{stem}.校验.xlsx"
        while name in taken:
            n += 1
            name = f"{stem}-{n}.校验.xlsx"
        taken.add(name)
        out = out_dir / name
        if out.exists() and not force:
            outcomes.append(AnnotateOutcome(str(source), None, f"{out} 已存在，使用 --force 覆盖 (exists)"))
            continue
        if report is None:
            outcomes.append(
                AnnotateOutcome(str(source), None, f"{source.name}: 没有保留读取结果 (no cells kept)")
            )
            continue
        try:
            if isinstance(report, dict):
                report = expand_report(report)
            outcomes.append(AnnotateOutcome(str(source), annotate(source, report, result, out)))
        except Exception as exc:  # noqa: BLE001 - one bad workbook must not stop a batch
            outcomes.append(
                AnnotateOutcome(str(source), None, f"{source.name}: 标注失败 ({type(exc).__name__}: {exc})")
            )
    return outcomes


# --------------------------------------------------------------------------------------------- sources


def _open_copy(path: Path):
    """The input workbook loaded in memory when it is an .xlsx/.xlsm openpyxl can edit, else None."""
    import zipfile

    import openpyxl

    try:
        if not zipfile.is_zipfile(path):
            return None
        with zipfile.ZipFile(path) as z:
            if "xl/workbook.xml" not in z.namelist():
                return None
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(path, keep_vba=False, rich_text=True)
    except Exception:  # noqa: BLE001 - anything openpyxl cannot edit gets the template layout instead
        return None


def _template_copy(report: Report):
    """The fill-in workbook of the report's format, filled with what was read."""
    from validator.render.workbook import build_workbook

    catalogue = load_catalogue()
    template = catalogue.templates.get(report.template or "") or catalogue.template_for_year(report.year)
    if template is None:  # neither format nor year known: the current format
        template = max(catalogue.templates.values(), key=lambda t: t.first_year)
    year = report.year or template.first_year
    values: dict[str, object] = {}
    for cell_id, cell in report.cells.items():
        if cell_id not in template.cells:
            continue
        if cell.state == CellState.NUMBER:
            values[cell_id] = cell.value
        elif cell.state in (CellState.TEXT, CellState.NA_MARKER) and cell.raw.strip():
            values[cell_id] = cell.raw.strip()
    wb, layout = build_workbook(year, report.agency, values, template=template)
    return wb, dict(layout.cells)


def _xlsx_places(wb, report: Report, cell_map: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    """Cell id → (sheet, ref): where the reader found it; the workbook's own map when the reader's place
    is shared by several cells (digits read from one cell) or is missing."""
    places: dict[str, tuple[str, str]] = {}
    seen: dict[tuple[str, str], int] = {}
    for cell_id, cell in report.cells.items():
        p = cell.provenance
        if (
            p is not None
            and p.sheet
            and p.ref
            and p.sheet in wb.sheetnames
            and cell.state != CellState.MISSING
        ):
            places[cell_id] = (p.sheet, p.ref)
            seen[(p.sheet, p.ref)] = seen.get((p.sheet, p.ref), 0) + 1
    for cell_id, place in list(places.items()):
        if seen[place] > 1 and cell_id in cell_map and cell_map[cell_id][0] in wb.sheetnames:
            places[cell_id] = cell_map[cell_id]
    for cell_id, place in cell_map.items():
        if cell_id not in places and place[0] in wb.sheetnames:
            places[cell_id] = place
    return places


def _add_aggregates(report: Report, where: dict) -> None:
    """A gb2021 （六）其他处理 total named by a finding has no cell of its own: point at its sub-rows."""
    template = load_catalogue().templates.get(report.template or "")
    if template is None:
        return
    for aggregate, children in template.aggregate_cells().items():
        if aggregate not in where:
            placed = [where[c] for c in children if c in where]
            if placed:
                where[aggregate] = placed  # type: ignore[assignment]  # several places
