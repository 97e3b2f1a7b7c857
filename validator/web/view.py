"""What the results page shows of one report, as plain data for the template: status, findings in the
form's words with places and suggested values, the tables drawn like the form with the blamed cells dark
and the related ones pale, the checks that could not be made, and the downloads."""

from __future__ import annotations

from validator.model import NOT_CHECKED_ADVICE, STATE_ZH, STATUS_ZH, CellState, ReportResult
from validator.render.labels import blamed_cells, cell_label, format_kind, number, place

SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
_RANK = {"error": 0, "warning": 1, "info": 2}
DOWNLOAD_LABELS = {
    "docx": "带批注的 Word 文件",
    "xlsx": "标注工作簿（Excel）",
    "html": "可打印的校验报告",
    "json": "JSON 数据",
}


UNREADABLE_HINT = "请确认文件能用 Word、WPS 或 Excel 正常打开；可另存为 .docx 或 .xlsx 后重新上传。"


def _plain(error: str | None) -> str | None:
    """The Chinese part of a reader's one-line reason (the English detail stays in the tooltip)."""
    if not error:
        return error
    return error.split(" / ", 1)[0].strip()


def _shown(cv) -> str:
    if cv is None or cv.state == CellState.MISSING:
        return ""
    if cv.state == CellState.NUMBER and cv.value is not None:
        return number(cv.value)
    if cv.state == CellState.BLANK:
        return ""
    return cv.raw or STATE_ZH.get(cv.state, "")


def report_view(name: str, report, result: ReportResult, files: dict[str, str]) -> dict:
    cells = report.cells if report is not None else {}
    kind = format_kind(name)

    def where(cell_id: str) -> str:
        cv = cells.get(cell_id)
        return place(cv.provenance if cv is not None else None, kind)

    findings = []
    marks: dict[str, tuple[int, int, str]] = {}  # cell id -> (severity rank, 0 blamed | 1 related, sev)
    notes: dict[str, list[str]] = {}
    for f in sorted(result.findings, key=lambda f: _RANK.get(f.severity, 3)):
        if f.outcome != "fail":
            continue
        focus = blamed_cells(f)
        suggestion = [
            {"label": cell_label(c), "place": where(c), "now": number(f.values.get(c)), "to": number(v)}
            for c, v in (f.suggestion or {}).items()
        ]
        findings.append(
            {
                "severity": f.severity,
                "severity_zh": SEVERITY_ZH.get(f.severity, f.severity),
                "rule": f.rule,
                "message": f.message_zh,
                "difference": None if f.difference is None else number(abs(f.difference)),
                "suggestion": suggestion,
                "cells": [
                    {
                        "label": cell_label(c),
                        "place": where(c),
                        "value": number(f.values.get(c)) if c in f.values else "",
                        "blamed": c in focus,
                    }
                    for c in f.cells
                ][:12],
                "more": max(0, len(f.cells) - 12),
            }
        )
        for c in f.cells:
            mark = (_RANK.get(f.severity, 3), 0 if c in focus else 1, f.severity)
            if c not in marks or mark < marks[c]:
                marks[c] = mark
            notes.setdefault(c, []).append(f"{f.rule} {f.message_zh}")

    not_assessable = [
        {
            "rule": n.rule,
            "reasons": [f"{cell_label(c)}：{reason}" for c, reason in list(n.reasons.items())[:6]],
            "more": max(0, len(n.reasons) - 6),
        }
        for n in result.not_assessable
    ]
    counts = result.counts()
    return {
        "name": name,
        "status": result.status,
        "status_zh": STATUS_ZH.get(result.status, result.status),
        "error": _plain(result.error),
        "error_detail": result.error,
        "not_checked": result.not_checked,
        "advice": NOT_CHECKED_ADVICE["zh"] if result.not_checked else None,
        "hint": UNREADABLE_HINT
        if result.error and "文件过大" not in result.error and "不支持" not in result.error
        else None,
        "agency": result.meta.get("agency"),
        "year": result.meta.get("year"),
        "template": result.meta.get("template"),
        "counts": counts,
        "findings": findings,
        "tables": _tables(result.meta.get("template"), cells, marks, notes) if report is not None else [],
        "not_assessable": not_assessable,
        "downloads": [
            {"label": DOWNLOAD_LABELS[k], "name": files[k], "kind": k}
            for k in ("docx", "xlsx", "html", "json")
            if k in files and not files[k].startswith("!")
        ],
        "failed": [f"{DOWNLOAD_LABELS[k]}{v[1:]}" for k, v in files.items() if v.startswith("!")],
    }


def _tables(template_id: str | None, cells: dict, marks: dict, notes: dict) -> list[dict]:
    """The form's tables as rows × columns (one grid per block), each cell with its value and mark."""
    from validator.catalogue import load_catalogue

    catalogue = load_catalogue()
    template = catalogue.templates.get(template_id or "")
    if template is None:
        return []
    by_place = {(c.table, c.row, c.column): c for c in template.cells.values() if not c.narrative}
    out = []
    for table in template.tables:
        blocks = []
        for block in table.blocks:
            rows = []
            for row in block.rows:
                line = []
                has_cells = False
                for col in block.columns:
                    cell = by_place.get((table.id, row.path, col.id))
                    if cell is None:
                        line.append(None)
                        continue
                    has_cells = True
                    mark = marks.get(cell.id)
                    cls = ""
                    if mark:
                        cls = f"{mark[2]} {'blamed' if mark[1] == 0 else 'related'}"
                    line.append(
                        {
                            "id": cell.id,
                            "value": _shown(cells.get(cell.id)),
                            "cls": cls,
                            "title": "\n".join(notes.get(cell.id, [])[:3]),
                        }
                    )
                label = row.display if not row.group_label else f"{row.group_label}·{row.label}"
                rows.append({"label": label, "cells": line, "group": not has_cells})
            blocks.append(
                {"caption": block.caption, "columns": [c.label for c in block.columns], "rows": rows}
            )
        out.append(
            {
                "id": table.id,
                "title": f"{table.name} {table.caption}",
                "blocks": blocks,
                "marked": any(c.startswith(table.id + ".") for c in marks),
            }
        )
    return out
