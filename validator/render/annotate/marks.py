"""The marks annotation puts on cells: a fill by severity (strong on the likely wrong cell, pale on the
others a finding names), a thick frame of its own on the likely wrong cell (so it cannot be taken for the
fill-in workbook's live colour or a related cell), and a comment in Chinese sized to its text; logged in a
hidden sheet so a second annotation of the same workbook starts clean."""

from __future__ import annotations

from dataclasses import dataclass, field

from openpyxl.comments import Comment
from openpyxl.styles import Border, PatternFill, Side

from validator.catalogue import load_catalogue
from validator.engine.wording import cell_label, num, severity_zh
from validator.model import CellState, Report
from validator.render.safe import set_text

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
#: the frame of the likely wrong cell, by severity (a dark shade of its fill)
FRAMES = {"error": "FFC00000", "warning": "FF9C5700", "info": "FF1F4E79"}
FONT = "宋体"


def focus_border(severity: str) -> Border:
    side = Side(style="thick", color=FRAMES[severity])
    return Border(left=side, right=side, top=side, bottom=side)


def comment_size(text: str) -> tuple[int, int]:
    """Width and height (points) of a comment box that shows its text: ~22 CJK characters a line."""
    width = 380
    per_line = 22
    lines = sum(max(1, -(-_display(part) // (2 * per_line))) for part in text.split("\n"))
    return width, min(900, 17 * lines + 24)


def _display(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


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


def places(where: dict, cell_id: str) -> list[tuple[str, str]]:
    place = where.get(cell_id)
    if place is None:
        return []
    return place if isinstance(place, list) else [place]


# --------------------------------------------------------------------------------------------- marks


def marks_for(report: Report, result, where: dict, mode: str) -> dict[tuple[str, str], _Mark]:
    catalogue = load_catalogue()
    marks: dict[tuple[str, str], _Mark] = {}
    rules = _rule_titles()
    for finding in result.findings:
        cells = [c for c in finding.cells if not c.startswith("prev.") and c in where]
        if not cells:
            continue
        focus = set(finding.suggestion or {}) or total_cells(cells, report.template) or set(cells)
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
                            f"最可能出错的是{cell_label(catalogue, target, report.template)}，应为 {num(fix)}"
                        )
            if mode == "template" and finding.provenance.get(cell_id):
                lines.append(f"原文位置：{finding.provenance[cell_id]}")
            for place in places(where, cell_id):
                marks.setdefault(place, _Mark()).add(finding.severity, cell_id in focus, "\n".join(lines))
    if mode == "template":
        for cell_id, cell in report.cells.items():
            if cell_id not in where or cell.state in (CellState.NUMBER, CellState.MISSING, CellState.BLANK):
                continue
            for place in places(where, cell_id):
                if place in marks:
                    marks[place].notes.append(f"原文：“{cell.raw.strip()}”（{cell.note or cell.state.name}）")
    return marks


def total_cells(cells: list[str], template_id: str | None) -> set[str]:
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


def top_left(ws, ref: str) -> str:
    for merged in ws.merged_cells.ranges:
        if ref in merged:
            return merged.start_cell.coordinate
    return ref


def apply_marks(wb, marks: dict[tuple[str, str], _Mark]) -> None:
    from openpyxl.worksheet.cell_range import CellRange  # noqa: F401 - merged ranges support "in"

    log = wb[MARKS_SHEET] if MARKS_SHEET in wb.sheetnames else wb.create_sheet(MARKS_SHEET)
    if log.max_row <= 1 and log["A1"].value is None:
        log.append(["sheet", "ref", "pattern", "colour", "comment", "border"])
    for (title, ref), mark in marks.items():
        ws = wb[title]
        ref = top_left(ws, ref)
        cell = ws[ref]
        old_fill = cell.fill
        old_comment = cell.comment.text if cell.comment is not None else None
        row = log.max_row + 1
        before = [
            title,
            ref,
            old_fill.fill_type or "",
            _rgb(old_fill),
            old_comment,
            _border_text(cell.border),
        ]
        for col, value in enumerate(before, 1):
            set_text(log.cell(row=row, column=col), value)  # a sheet name "=…" stays text
        strong, pale = COLOURS[mark.severity]
        cell.fill = PatternFill("solid", fgColor=strong if mark.focus else pale)
        if mark.focus:
            cell.border = focus_border(mark.severity)
        text = "\n\n".join(mark.notes)
        if old_comment:
            text = f"{old_comment}\n\n{text}"
        width, height = comment_size(text)
        cell.comment = Comment(text[:32000], AUTHOR, width=width, height=height)
    log.sheet_state = "hidden"


def _border_text(border) -> str:
    """A cell's border as text for the log: style:colour for left, right, top, bottom."""
    parts = []
    for side in (border.left, border.right, border.top, border.bottom):
        colour = getattr(getattr(side, "color", None), "rgb", None)
        parts.append(f"{side.style or ''}:{colour if isinstance(colour, str) else ''}")
    return ";".join(parts)


def _border_from(text: str) -> Border:
    sides = []
    for part in (text.split(";") + [":"] * 4)[:4]:
        style, _, colour = part.partition(":")
        sides.append(Side(style=style or None, color=colour or None))
    return Border(left=sides[0], right=sides[1], top=sides[2], bottom=sides[3])


def _rgb(fill) -> str:
    colour = getattr(fill, "fgColor", None)
    rgb = getattr(colour, "rgb", None)
    return rgb if isinstance(rgb, str) else ""


def restore(wb) -> None:
    """Undo an earlier annotation of this workbook (fills, comments, the results sheet)."""
    if RESULTS_SHEET in wb.sheetnames:
        del wb[RESULTS_SHEET]
    if MARKS_SHEET not in wb.sheetnames:
        return
    log = wb[MARKS_SHEET]
    rows = list(log.iter_rows(min_row=2, values_only=True))
    for title, ref, pattern, colour, comment, *rest in reversed(rows):
        if not title or title not in wb.sheetnames:
            continue
        cell = wb[title][ref]
        cell.fill = PatternFill(pattern, fgColor=colour) if pattern and colour else PatternFill(None)
        cell.comment = Comment(comment, AUTHOR) if comment else None
        if rest and rest[0] is not None:  # logs written before the frame have no border column
            cell.border = _border_from(str(rest[0]))
    del wb[MARKS_SHEET]
