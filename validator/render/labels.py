"""Words people read: a cell by the form's own labels, a place by what the file format has.

Internal cell ids (``t3.new.np``) stay in JSON; the page, the Word comments and other human-facing
outputs say 表三「一、本年新收政府信息公开申请数量」·「自然人」 and 「第2个表格 第5行」 (Word),
「第3页 表格第12行」 (PDF), 「工作表「表三」 单元格 C7」 (Excel) or 「第80行」 (text).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from validator.model import Provenance

TABLE_ZH = {"t1": "表一", "t2": "表二", "t3": "表三", "t4": "表四"}
SHORT = 12  # characters of a row label kept in a short label

#: file suffix → the kind of places the reader can name
_FORMAT_KIND = {
    ".pdf": "pdf",
    ".docx": "word",
    ".doc": "word",
    ".wps": "word",
    ".html": "html",
    ".htm": "html",
    ".shtml": "html",
    ".mht": "html",
    ".mhtml": "html",
    ".xlsx": "sheet",
    ".xlsm": "sheet",
    ".xls": "sheet",
    ".et": "sheet",
    ".txt": "text",
    ".text": "text",
}


@cache
def _cells() -> dict:
    from validator.catalogue import load_catalogue

    out: dict = {}
    for template in load_catalogue().templates.values():
        for cell_id, cell in template.cells.items():
            out.setdefault(cell_id, cell)
    return out


def _cell(cell_id: str, template: str | None):
    from validator.catalogue import load_catalogue

    if template:
        found = load_catalogue().cell(cell_id, template)
        if found is not None:
            return found
    return _cells().get(cell_id)


def _cut(text: str, short: bool) -> str:
    return text[:SHORT] + "…" if short and len(text) > SHORT + 1 else text


def cell_label(cell_id: str, template: str | None = None, short: bool = False) -> str:
    """表三「三、（七）总计」·「自然人」 (the report's own form when ``template`` is given; ``short`` cuts a
    long row label: 表三「一、本年新收政府信息公…」·「自然人」); a narrative figure by its label; a
    word that is not a cell id (正文各部分) as it is."""
    prev = cell_id.startswith("prev.")
    cell = _cell(cell_id[5:] if prev else cell_id, template)
    if cell is None:
        return cell_id
    if cell.narrative:
        text = f"正文「{_cut(cell.row_label, short)}」"
    else:
        table = TABLE_ZH.get(cell.table, cell.table)
        row = _cut(cell.row_label, short)
        text = f"{table}「{row}」·「{cell.column_label}」" if cell.column_label else f"{table}「{row}」"
    return ("上年报告 " + text) if prev else text


def cells_text(cell_ids, template: str | None = None, limit: int = 4, lang: str = "zh") -> str:
    """A few cells by their labels (short), the rest counted: 「…」、「…」 等9格."""
    ids = list(cell_ids)
    if lang == "en":
        shown = ", ".join(ids[:limit])
        return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")
    shown = "、".join(cell_label(c, template, short=True) for c in ids[:limit])
    return shown + (f" 等{len(ids)}格" if len(ids) > limit else "")


def format_kind(source: str | None) -> str:
    return _FORMAT_KIND.get(Path(source or "").suffix.lower(), "")


def place(provenance: Provenance | None, kind: str = "") -> str:
    """Where a value stands, in the words the format allows (empty when nothing is known)."""
    return "" if provenance is None else provenance.zh(kind, column=True)


def number(value) -> str:
    """A figure as staff write it: 12, 3.5, 空白 for None."""
    if value is None:
        return "空白"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def blamed_cells(finding) -> list[str]:
    """The cells a finding puts first: those it suggests a value for, else every cell it names."""
    if finding.suggestion:
        return list(finding.suggestion)
    return list(finding.cells)
