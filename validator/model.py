"""Records that flow through the validator: what a reader saw, what a report says, what a rule found."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

#: what each status says to a person (a report not checked is never 通过)
STATUS_ZH = {
    "ok": "通过",
    "warnings": "有警告",
    "errors": "有错误",
    "not_checked": "无法核对",
    "unreadable": "无法读取",
}
STATUS_EN = {
    "ok": "ok",
    "warnings": "warnings",
    "errors": "errors",
    "not_checked": "not checked",
    "unreadable": "unreadable",
}

#: what to do when a report is 无法核对 (its 表三 or 表四 not read, or left blank): shown with the reason everywhere
NOT_CHECKED_ADVICE = {
    "zh": "请确认表三、表四已填写（没有发生的填 0），且不是以图片或扫描件发布；可改交 Word/Excel 原件，或含文字层的 PDF",
    "en": "make sure 表三/表四 are filled in (0 where nothing happened) and not published as images or scans; "
    "submit the Word/Excel original, or a PDF with a text layer",
}


class CellState(IntEnum):
    """What a cell of the form holds; kept next to the value so that missing is never silently zero."""

    MISSING = 0  # the cell (its row or its table) was not found in the document
    NUMBER = 1
    BLANK = 2  # the cell is there but empty
    NA_MARKER = 3  # "/", "—", "无" where a number belongs
    TEXT = 4  # text that is not a number
    AMBIGUOUS = 5  # the document allows more than one reading (e.g. a run of digits)
    UNPLACED = 6  # something was there, but the reader cannot tell which cell it belongs to


#: states read with certainty: only these can make an error finding (certainty decides severity)
CERTAIN_STATES = frozenset({CellState.NUMBER, CellState.BLANK, CellState.NA_MARKER, CellState.TEXT})


STATE_ZH = {
    CellState.MISSING: "未找到",
    CellState.NUMBER: "数字",
    CellState.BLANK: "空白",
    CellState.NA_MARKER: "以符号代替数字",
    CellState.TEXT: "非数字内容",
    CellState.AMBIGUOUS: "无法唯一确定",
    CellState.UNPLACED: "无法确定所在单元格",
}


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where in the source a value was read, so a finding can send staff to the very spot."""

    file: str = ""
    page: int | None = None
    sheet: str | None = None
    table: int | None = None  # 1-based index of the table in the document
    row: int | None = None  # 1-based
    column: int | None = None  # 1-based
    line: int | None = None  # 1-based line of a text file
    offset: int | None = None  # character offset in a text file
    ref: str | None = None  # spreadsheet reference, e.g. "C7"
    box: tuple[int, int, int, int] | None = None  # pixels (x0, y0, x1, y1) of an image read by OCR
    image: str | None = None  # the image a cell was read from, when not the page itself (DOCX, HTML)

    def __post_init__(self) -> None:
        if self.box is not None and not isinstance(self.box, tuple):  # from JSON: a list
            object.__setattr__(self, "box", tuple(self.box))

    def zh(self, kind: str = "", column: bool = False) -> str:
        """Where, in the words the file's format has: 工作表「表三」 单元格 C7 (spreadsheet), 第80行 (text),
        第3页 表格第12行 (PDF), 第2个表格 第5行 (Word, HTML). ``kind`` (sheet/text/pdf) decides when the
        provenance itself does not; ``column`` adds the table column where no cell reference names it."""
        if self.sheet or self.ref or kind == "sheet":
            parts = [f"工作表「{self.sheet}」"] if self.sheet else []
            if self.ref:
                parts.append(f"单元格 {self.ref}")
            elif self.row is not None:
                parts.append(f"第{self.row}行")
            return " ".join(parts)
        if self.line is not None or kind == "text":
            return f"第{self.line}行" if self.line is not None else ""
        if self.offset is not None:
            return f"第{self.offset}字符处"
        if self.image is not None:  # a table read from a picture inside the file (DOCX, web page)
            parts = [f"图片「{self.image.rsplit('/', 1)[-1]}」"]
            if self.row is not None:
                parts.append(f"表格第{self.row}行")
        elif kind == "pdf" or self.page is not None:
            parts = [f"第{self.page}页"] if self.page is not None else []
            if self.row is not None:
                parts.append(f"表格第{self.row}行")
        else:
            parts = [f"第{self.table}个表格"] if self.table is not None else []
            if self.row is not None:
                parts.append(f"第{self.row}行")
        if column and self.column is not None:
            parts.append(f"第{self.column}列")
        return " ".join(parts)

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) not in (None, "")}


@dataclass(slots=True)
class CellValue:
    """One cell of the form as read: its state, number, raw text and where it came from."""

    state: CellState
    value: float | None = None
    raw: str = ""
    provenance: Provenance | None = None
    note: str = ""  # why a cell is not a number, or how a run was split
    candidates: tuple[float, ...] = ()
    unit: str | None = None  # unit written in the cell, e.g. 元


@dataclass(slots=True)
class SectionHit:
    """A numbered top-level heading found in the document (official or not)."""

    number: str  # the numeral as written: 一 … 十
    heading: str  # the heading text after the numeral
    section_id: str | None  # s1 … s6 when it matches an official section
    position: int  # order of appearance, 0-based
    provenance: Provenance | None = None


@dataclass(slots=True)
class Report:
    """Everything read from one document: metadata, cells by public id, sections, reader doubts."""

    source: str
    format: str = ""
    title: str | None = None
    agency: str | None = None
    year: int | None = None
    published: str | None = None  # ISO date when the page says it
    url: str | None = None  # the page the report was published on, when the file says it
    template: str | None = None  # the format the tables follow, as detected
    template_scores: dict[str, int] = field(default_factory=dict)
    cells: dict[str, CellValue] = field(default_factory=dict)
    sections: list[SectionHit] = field(default_factory=list)
    section_texts: dict[str, str] = field(default_factory=dict)
    tables_missing: dict[str, str] = field(default_factory=dict)  # table id -> reason (Chinese)
    collapsed_rows: list[str] = field(default_factory=list)  # aggregate rows read in place of sub-rows
    narrative: str = ""  # the full body text, for narrative and similarity checks
    machine_readable: bool = True  # False when the file has no text layer (scanned PDF, images)
    tables_only: bool = False  # the file holds the tables and nothing else (e.g. a workbook of the tables)


@dataclass(slots=True)
class Finding:
    """One rule outcome for one report, as data; renderers decide how it looks."""

    rule: str
    severity: str  # error | warning | info
    cells: tuple[str, ...]
    values: dict[str, float | str | None]
    message_zh: str
    message_en: str
    outcome: str = "fail"  # fail | not_assessable
    kind: str | None = None  # which outcome of a schema or built-in check (e.g. blank_total, negative)
    difference: float | None = None
    suggestion: dict[str, float] | None = None  # cell id -> likely correct value
    provenance: dict[str, str] = field(default_factory=dict)  # cell id -> location in Chinese
    report: int = -1  # row of the report in the frame

    def as_dict(self) -> dict:
        out = {
            "rule": self.rule,
            "severity": self.severity,
            "cells": list(self.cells),
            "values": self.values,
            "message_zh": self.message_zh,
            "message_en": self.message_en,
        }
        if self.outcome != "fail":
            out["outcome"] = self.outcome
        if self.kind:
            out["kind"] = self.kind
        if self.difference is not None:
            out["difference"] = self.difference
        if self.suggestion:
            out["suggestion"] = self.suggestion
        if self.provenance:
            out["provenance"] = self.provenance
        return out


#: what each kind of slip is called in Chinese (Blame.kind)
BLAME_KIND_ZH = {
    "transposed": "数字颠倒",
    "one_digit": "一位数字有误",
    "off_by_one": "相差 1",
    "times_ten": "多了一个 0",
    "tenth": "少了一个 0",
    "sign_lost": "正负号有误",
    "neighbour_column": "数字填入了相邻列",
    "neighbour_row": "数字填入了相邻行",
    "swapped": "相邻两格数字互换",
    "blank_total": "总计未填写",
    "row_left_out": "总计漏加了一行",
    "other": "数值有误",
}


@dataclass(frozen=True)
class Blame:
    """One root cause of a report's broken relations: the cell most likely wrong and what it should be
    (engine/blame.py). A suggestion only: never applied to the data."""

    cell: str
    reported: float
    suggested: float
    kind: str  # a key of BLAME_KIND_ZH
    confidence: str  # certain | candidate
    explains: tuple[str, ...]  # rule ids of the broken relations this change makes hold
    also: dict = field(default_factory=dict)  # further cells of the same slip: id -> (reported, suggested)
    alternatives: tuple = ()  # other minimal changes, each {cell id: suggested}
    blank: bool = False  # the cell was left blank

    def as_dict(self) -> dict:
        out = {
            "cell": self.cell,
            "reported": None if self.blank else _plain(self.reported),
            "suggested": _plain(self.suggested),
            "kind": self.kind,
            "confidence": self.confidence,
            "explains": list(self.explains),
        }
        if self.also:
            out["also"] = {
                c: {"reported": _plain(r), "suggested": _plain(s)} for c, (r, s) in self.also.items()
            }
        if self.alternatives:
            out["alternatives"] = [{c: _plain(v) for c, v in a.items()} for a in self.alternatives]
        return out


def _plain(value: float) -> float | int:
    return int(value) if float(value).is_integer() else value


@dataclass
class NotAssessable:
    rule: str
    cells: list[str]
    reasons: dict[str, str]  # cell -> reason (zh)

    def as_dict(self) -> dict:
        return {"rule": self.rule, "cells": self.cells, "reasons": self.reasons}


@dataclass
class ReportResult:
    """A report's outcome: its findings and the checks that could not be assessed."""

    index: int
    meta: dict
    findings: list[Finding] = field(default_factory=list)
    not_assessable: list[NotAssessable] = field(default_factory=list)
    error: str | None = None  # set when the file could not be read
    not_checked: str | None = None  # why the report was read but could not be checked (zh), e.g. 表三未找到
    blame: list[Blame] = field(default_factory=list)  # root causes of the broken relations (engine/blame)

    @property
    def status(self) -> str:
        """unreadable | not_checked | errors | warnings | ok: a report not read is never ok."""
        if self.error:
            return "unreadable"
        if self.not_checked:
            return "not_checked"
        severities = {f.severity for f in self.findings}
        if "error" in severities:
            return "errors"
        if "warning" in severities:
            return "warnings"
        return "ok"

    def counts(self) -> dict[str, int]:
        out = {"error": 0, "warning": 0, "info": 0}
        for f in self.findings:
            out[f.severity] = out.get(f.severity, 0) + 1
        return out


TOOL_SHEETS_NAME = "ogi_tool_sheets"  # workbook-level name listing sheets this tool adds


def tool_sheets(wb) -> set[str]:
    """Sheets this tool added to a workbook (校验, 校验结果), named in the defined name ogi_tool_sheets:
    not part of the report, so they are not read."""
    try:
        name = wb.defined_names.get(TOOL_SHEETS_NAME)
    except Exception:  # noqa: BLE001 - defined names are optional metadata
        return set()
    text = getattr(name, "attr_text", None) or ""
    return {t for t in text.strip().strip('"').split(",") if t}


class ReadError(Exception):
    """A file that cannot be read as a report; the message names the problem in one line."""


# ---------------------------------------------------------------------------------------------- batch


@dataclass
class Entry:
    """One input file of a batch in the outputs: what it is, what was found, how it links to other years."""

    file: str
    digest: str | None
    agency: str  # as written in the document (or the file name)
    agency_name: str  # the name the agency is grouped under (alias canonical name or as written)
    agency_key: str
    year: int | None
    template: str | None
    format: str | None
    result: ReportResult
    cached: bool = False
    seconds: float = 0.0
    agency_from: str | None = None
    year_from: str | None = None
    previous_file: str | None = None  # the file used as last year's report
    duplicates: list[str] = field(default_factory=list)  # other files for the same agency and year
    used_as_previous: bool = True  # False for a duplicate that the next year's checks did not use

    @property
    def status(self) -> str:
        return self.result.status

    @property
    def error(self) -> str | None:
        return self.result.error


#: every status in the order outputs count them (a report not checked is counted apart from 通过)
STATUSES = ("ok", "errors", "warnings", "not_checked", "unreadable")


@dataclass
class BatchRun:
    """What a batch run found, as the writers of its outputs need it (they never look further)."""

    entries: list[Entry]
    ruleset: object
    ignored: list[str]
    read_seconds: float = 0.0
    validate_seconds: float = 0.0
    jobs: int = 1
    cached: int = 0
    alias_hints: list[tuple[str, str]] = field(default_factory=list)
    annotated: int = 0
    annotate_errors: list[str] = field(default_factory=list)
    fingerprint: str = ""  # version + hash of what decides how a file reads (the cache key)
    waived: int = 0  # findings hidden by --waivers (validator.store.waivers)
    stale_waivers: list[str] = field(default_factory=list)  # waivers that matched no finding
    store: dict = field(default_factory=dict)  # the store used (validator.store): path, reports recorded …

    def tally(self) -> dict[str, int]:
        """Files per status, every status present (0 when none)."""
        out = dict.fromkeys(STATUSES, 0)
        for entry in self.entries:
            out[entry.status] = out.get(entry.status, 0) + 1
        return out


# ---------------------------------------------------------------------------------------------- compact


def compact_report(report: Report) -> dict:
    """What annotation needs of a Report, as plain data (JSON-safe, small enough for a worker result and
    a cache entry): metadata and cell id → [state, value, raw, note, provenance]."""
    return {
        "source": report.source,
        "agency": report.agency,
        "year": report.year,
        "template": report.template,
        "cells": {
            cell_id: [
                int(cell.state),
                cell.value,
                cell.raw,
                cell.note,
                cell.provenance.as_dict() if cell.provenance is not None else None,
            ]
            for cell_id, cell in report.cells.items()
        },
    }


def expand_report(data: dict) -> Report:
    """The Report a compact map stands for (the cells and metadata annotation reads; nothing else)."""
    cells = {}
    for cell_id, (state, value, raw, note, where) in data.get("cells", {}).items():
        cells[str(cell_id)] = CellValue(
            CellState(int(state)),
            None if value is None else float(value),
            str(raw or ""),
            Provenance(**where) if where else None,
            str(note or ""),
        )
    year = data.get("year")
    return Report(
        source=str(data.get("source") or ""),
        agency=data.get("agency"),
        year=int(year) if year is not None else None,
        template=data.get("template"),
        cells=cells,
    )
