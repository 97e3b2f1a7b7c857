"""Annotated workbooks: staff's own .xlsx back with the cells the findings name marked, or — for any other
input — the template-layout workbook (validator.render.workbook) filled with the extracted figures and marked.

Each cell a finding names gets a fill (red = error, amber = warning, light blue = info; the likely wrong
cell, where the tool can tell, in the strong shade, the other cells of the relation in a pale one) and a
comment in Chinese with the rule, the message, the cell's value, the difference and the likely correct
value. A new first sheet 校验结果 lists every finding with a hyperlink to its cell. The input file is never
written: the copy goes to ``out_path`` through a temporary file.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink

from validator.catalogue import load_catalogue
from validator.engine.wording import cell_label, num, severity_zh
from validator.model import NOT_CHECKED_ADVICE, CellState, Report, expand_report

RESULTS_SHEET = "校验结果"
MARKS_SHEET = "_ogi_marks"  # hidden: what annotation changed, so a second annotation starts clean
AUTHOR = "ogi 校验"
RANK = {"error": 3, "warning": 2, "info": 1}
# (strong, pale): strong for the cell the finding points at, pale for the other cells it names
COLOURS = {
    "error": ("FFFF7C80", "FFFFD0D0"),
    "warning": ("FFFFC000", "FFFFE699"),
    "info": ("FF9BC2E6", "FFDDEBF7"),
}
FONT = "宋体"


@dataclass
class _Mark:
    severity: str = "info"
    focus: bool = False
    notes: list[str] = field(default_factory=list)

    def add(self, severity: str, focus: bool, note: str) -> None:
        if (RANK[severity], focus) > (RANK[self.severity], self.focus) or not self.notes:
            self.severity, self.focus = severity, focus
        if note not in self.notes:
            self.notes.append(note)


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

        _restore(wb)
        where = _xlsx_places(wb, report, read_cell_map(wb))
        mode = "xlsx"
    else:
        wb, where = _template_copy(report)
        mode = "template"
    _add_aggregates(report, where)
    marks = _marks(report, result, where, mode)
    _apply(wb, marks)
    _results_sheet(wb, report, result, where, source_path)
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


def _places(where: dict, cell_id: str) -> list[tuple[str, str]]:
    place = where.get(cell_id)
    if place is None:
        return []
    return place if isinstance(place, list) else [place]


# --------------------------------------------------------------------------------------------- marks


def _marks(report: Report, result, where: dict, mode: str) -> dict[tuple[str, str], _Mark]:
    catalogue = load_catalogue()
    marks: dict[tuple[str, str], _Mark] = {}
    rules = _rule_titles()
    for finding in result.findings:
        cells = [c for c in finding.cells if not c.startswith("prev.") and c in where]
        if not cells:
            continue
        focus = set(finding.suggestion or {}) or _totals(cells, report.template) or set(cells)
        for cell_id in cells:
            label = cell_label(catalogue, cell_id, report.template)
            lines = [
                f"【{severity_zh(finding.severity)}】{finding.rule} {rules.get(finding.rule, '')}".rstrip(),
                finding.message_zh,
            ]
            value = (
                finding.values.get(cell_id, _current(report, cell_id))
                if finding.values
                else _current(report, cell_id)
            )
            lines.append(f"本格：{label}，现为 {_shown(value, report, cell_id)}")
            if finding.difference is not None:
                lines.append(f"相差：{num(abs(finding.difference))}")
            if finding.suggestion:
                for target, fix in finding.suggestion.items():
                    if target == cell_id:
                        lines.append(f"可能的正确值：{num(fix)}")
                    else:
                        lines.append(
                            f"最可能出错的是「{cell_label(catalogue, target, report.template)}」，应为 {num(fix)}"
                        )
            if mode == "template" and finding.provenance.get(cell_id):
                lines.append(f"原文位置：{finding.provenance[cell_id]}")
            for place in _places(where, cell_id):
                marks.setdefault(place, _Mark()).add(finding.severity, cell_id in focus, "\n".join(lines))
    if mode == "template":
        for cell_id, cell in report.cells.items():
            if cell_id not in where or cell.state in (CellState.NUMBER, CellState.MISSING, CellState.BLANK):
                continue
            for place in _places(where, cell_id):
                if place in marks:
                    marks[place].notes.append(f"原文：“{cell.raw.strip()}”（{cell.note or cell.state.name}）")
    return marks


def _totals(cells: list[str], template_id: str | None) -> set[str]:
    """Without a likely wrong cell, a relation is shown on its totals (the cells staff check first)."""
    catalogue = load_catalogue()
    totals = set()
    for c in cells:
        meta = catalogue.cell(c, template_id)
        if meta is not None and meta.total:
            totals.add(c)
    return totals if len(totals) < len(cells) else set()


def _current(report: Report, cell_id: str):
    cell = report.cells.get(cell_id)
    if cell is None:
        return None
    return cell.value if cell.state == CellState.NUMBER else (cell.raw or None)


def _shown(value, report: Report, cell_id: str) -> str:
    if value is None or value == "":
        cell = report.cells.get(cell_id)
        if cell is not None and cell.raw.strip():
            return f"“{cell.raw.strip()}”"
        return "空白"
    if isinstance(value, str):
        return f"“{value}”"
    return num(float(value)) if isinstance(value, int | float) else str(value)


def _rule_titles() -> dict[str, str]:
    from validator.engine.rules import load_rules

    return {r.id: r.title for r in load_rules()}


def _top_left(ws, ref: str) -> str:
    for merged in ws.merged_cells.ranges:
        if ref in merged:
            return merged.start_cell.coordinate
    return ref


def _apply(wb, marks: dict[tuple[str, str], _Mark]) -> None:
    from openpyxl.worksheet.cell_range import CellRange  # noqa: F401 - merged ranges support "in"

    log = wb[MARKS_SHEET] if MARKS_SHEET in wb.sheetnames else wb.create_sheet(MARKS_SHEET)
    if log.max_row <= 1 and log["A1"].value is None:
        log.append(["sheet", "ref", "pattern", "colour", "comment"])
    for (title, ref), mark in marks.items():
        ws = wb[title]
        ref = _top_left(ws, ref)
        cell = ws[ref]
        old_fill = cell.fill
        old_comment = cell.comment.text if cell.comment is not None else None
        log.append([title, ref, old_fill.fill_type or "", _rgb(old_fill), old_comment])
        strong, pale = COLOURS[mark.severity]
        cell.fill = PatternFill("solid", fgColor=strong if mark.focus else pale)
        text = "\n\n".join(mark.notes)
        if old_comment:
            text = f"{old_comment}\n\n{text}"
        lines = sum(1 + len(part) // 22 for part in text.split("\n"))
        comment = Comment(text[:32000], AUTHOR, width=360, height=min(600, 18 * lines + 20))
        cell.comment = comment
    log.sheet_state = "hidden"


def _rgb(fill) -> str:
    colour = getattr(fill, "fgColor", None)
    rgb = getattr(colour, "rgb", None)
    return rgb if isinstance(rgb, str) else ""


def _restore(wb) -> None:
    """Undo an earlier annotation of this workbook (fills, comments, the results sheet)."""
    if RESULTS_SHEET in wb.sheetnames:
        del wb[RESULTS_SHEET]
    if MARKS_SHEET not in wb.sheetnames:
        return
    log = wb[MARKS_SHEET]
    rows = list(log.iter_rows(min_row=2, values_only=True))
    for title, ref, pattern, colour, comment in reversed(rows):
        if not title or title not in wb.sheetnames:
            continue
        cell = wb[title][ref]
        cell.fill = PatternFill(pattern, fgColor=colour) if pattern and colour else PatternFill(None)
        cell.comment = Comment(comment, AUTHOR) if comment else None
    del wb[MARKS_SHEET]


# --------------------------------------------------------------------------------------------- 校验结果


def _results_sheet(wb, report: Report, result, where: dict, source: Path) -> None:
    catalogue = load_catalogue()
    ws = wb.create_sheet(RESULTS_SHEET, 0)
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = False
    ws.sheet_view.tabSelected = True
    wb.active = 0
    bold = Font(name=FONT, bold=True)
    plain = Font(name=FONT)
    ws["A1"] = f"校验结果：{source.name}"
    ws["A1"].font = Font(name=FONT, bold=True, size=14)
    template = catalogue.templates.get(report.template or "")
    counts = result.counts()
    ws["A2"] = (
        f"机关：{report.agency or '未知'}　年度：{report.year or '未知'}　格式："
        f"{template.notice if template else '未知'}　错误 {counts.get('error', 0)} 项，"
        f"警告 {counts.get('warning', 0)} 项，提示 {counts.get('info', 0)} 项"
    )
    ws["A3"] = (
        "点击“单元格”一栏可跳到该格。标注颜色：红色 = 错误，橙色 = 警告，蓝色 = 提示；"
        "深色为最可能出错的单元格。单元格批注中有详细说明。"
    )
    if getattr(result, "not_checked", None):
        ws["A2"] = f"{ws['A2'].value}　结果：无法核对（{result.not_checked}；{NOT_CHECKED_ADVICE['zh']}）"
    for ref in ("A2", "A3"):
        ws[ref].font = plain
    headers = ["序号", "严重程度", "规则", "说明", "单元格", "位置", "建议值"]
    for k, text in enumerate(headers, start=1):
        cell = ws.cell(row=5, column=k, value=text)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="FFF2F2F2")
    row = 6
    severity_fill = {s: PatternFill("solid", fgColor=c[0]) for s, c in COLOURS.items()}
    for index, finding in enumerate(result.findings, start=1):
        cells = [c for c in finding.cells if not c.startswith("prev.")]
        located = [c for c in cells if c in where]
        totals = [c for c in located if c in _totals(located, report.template)]
        main = next((c for c in (finding.suggestion or {}) if c in where), (totals or located or [None])[0])
        label = ""
        if main:
            label = cell_label(catalogue, main, report.template)
            if len(cells) > 1:
                label += f" 等{len(cells)}格"
        elif cells:
            label = cell_label(catalogue, cells[0], report.template) + "（表中未找到）"
        suggestion = "；".join(
            f"{cell_label(catalogue, c, report.template)} 应为 {num(v)}"
            for c, v in (finding.suggestion or {}).items()
        )
        values = [
            index,
            severity_zh(finding.severity),
            finding.rule,
            finding.message_zh,
            label,
            "",
            suggestion,
        ]
        for k, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=k, value=value)
            cell.font = plain
            cell.alignment = Alignment(vertical="top", wrap_text=k in (4, 5, 7))
        ws.cell(row=row, column=2).fill = severity_fill[finding.severity]
        if main:
            title, ref = _places(where, main)[0]
            ref = _top_left(wb[title], ref)
            from validator.render.workbook import quote_sheet

            location = f"{quote_sheet(title)}!{ref}"
            ws.cell(row=row, column=6, value=f"{title}!{ref}")
            for col in (5, 6):
                link = ws.cell(row=row, column=col)
                link.hyperlink = Hyperlink(ref=link.coordinate, location=location, tooltip="跳到该单元格")
                link.font = Font(name=FONT, color="FF0563C1", underline="single")
        row += 1
    if not result.findings:
        ws.cell(row=row, column=4, value="未发现问题").font = plain
        row += 1
    if getattr(result, "not_assessable", None):
        row += 1
        ws.cell(
            row=row, column=1, value="以下校验无法判断（缺少数据或上一年度报告），不计为通过："
        ).font = bold
        row += 1
        for entry in result.not_assessable:
            reasons = "；".join(sorted(set(entry.reasons.values())))
            shown = "、".join(entry.cells[:4]) + (f" 等{len(entry.cells)}格" if len(entry.cells) > 4 else "")
            for k, value in enumerate(["", "无法判断", entry.rule, f"{shown}（{reasons}）"], start=1):
                ws.cell(row=row, column=k, value=value).font = plain
            row += 1
    widths = {1: 6, 2: 10, 3: 8, 4: 80, 5: 36, 6: 12, 7: 24}
    for col, width in widths.items():
        ws.column_dimensions[get_column_letter(col)].width = width
    ws.freeze_panes = "A6"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
